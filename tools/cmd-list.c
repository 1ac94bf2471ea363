/* SPDX-License-Identifier: MIT */
/* permit list [--available]: what is installed from registries, or what a
 * registry offers. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client-tool.h"

static void usage(FILE *f) {
        fputs("Usage: permit list [--profile DIR] [--json]\n"
              "       permit list --available --registry URL --registry-key PUBKEY [OPTIONS...]\n"
              "\n"
              "Lists the add-ons installed from registries (version, registry), or with\n"
              "--available the add-ons a registry's verified index lists: the highest\n"
              "version of each, whether it is installed, and whether it is revoked.\n"
              "\n"
              "Options:\n"
              "      --available            what the registry offers\n"
              "      --registry URL, --registry-key PUBKEY, --ca-file FILE,\n"
              "      --allow-http-loopback, --timeout SECONDS, --retries N\n"
              "                             as for 'permit install'\n"
              "      --profile DIR          the profile (default: $XDG_DATA_HOME/permit/profiles/default)\n"
              "      --json                 one JSON document on stdout\n"
              "  -h, --help                 this help\n"
              "\n"
              "Exit status: 0 listed, 1 the index (or the profile's registry.json) was refused,\n"
              "2 usage, I/O or network error.\n"
              "\n"
              "Example:\n"
              "  permit list --available --registry https://addons.example.org/ --registry-key registry.pub\n",
              f);
}

static int list_installed(const client_options *o, const permit_client_state *st) {
        size_t n = permit_client_state_n_installed(st);

        if (o->consent.json)
                fputs("{\"installed\":[", stdout);
        else if (!n)
                puts("No add-on installed from a registry.");
        for (size_t i = 0; i < n; i++) {
                permit_client_installed inst;
                if (permit_client_state_installed(st, i, &inst) < 0)
                        continue;
                if (o->consent.json) {
                        fputs(i ? ",{\"id\":" : "{\"id\":", stdout);
                        tool_json_string(inst.id);
                        fputs(",\"version\":", stdout);
                        tool_json_string(inst.version);
                        fputs(",\"registry\":", stdout);
                        tool_json_string(inst.url);
                        fputs(",\"seal_digest\":", stdout);
                        tool_json_string(inst.seal_digest);
                        printf(",\"installed_at\":%" PRId64 "}", inst.installed_at);
                } else
                        printf("%-40s %-12s %s\n", inst.id, inst.version, inst.url);
        }
        if (o->consent.json)
                puts("]}");
        return EXIT_OK;
}

static int list_available(const client_options *o, const permit_client_state *st) {
        permit_client *c = NULL;
        const permit_index *idx;
        int ret = client_open(o, NULL, NULL, "list", &c);

        if (ret != EXIT_OK)
                return ret;
        idx = permit_client_index(c);
        if (o->consent.json)
                printf("{\"registry\":\"%s\",\"version\":%" PRIu64 ",\"expires\":%" PRId64 ",\"available\":[",
                       permit_index_registry(idx), permit_index_version(idx), permit_index_expires(idx));
        else
                printf("Registry '%s', index version %" PRIu64 ":\n", permit_index_registry(idx),
                       permit_index_version(idx));
        for (size_t i = 0; i < permit_index_n_packages(idx); i++) {
                const char *id = permit_index_package_id(idx, i), *reason = NULL;
                permit_client_installed inst = { 0 };
                permit_index_entry e;
                bool installed, revoked;

                if (permit_index_find(idx, id, NULL, &e) < 0)
                        continue;
                installed = permit_client_state_find(st, id, &inst) >= 0;
                revoked = permit_index_entry_revoked(idx, &e, &reason);
                if (o->consent.json) {
                        fputs(i ? ",{\"id\":" : "{\"id\":", stdout);
                        tool_json_string(id);
                        fputs(",\"version\":", stdout);
                        tool_json_string(e.version);
                        printf(",\"size\":%" PRIu64 ",\"key_id\":\"%s\",\"installed\":", e.size, e.key_id);
                        if (installed)
                                tool_json_string(inst.version);
                        else
                                fputs("null", stdout);
                        printf(",\"revoked\":%s}", revoked ? "true" : "false");
                } else {
                        char size[32], note[128] = "";
                        if (revoked)
                                snprintf(note, sizeof(note), "  REVOKED");
                        else if (installed && strcmp(inst.version, e.version) != 0)
                                snprintf(note, sizeof(note), "  installed %s, update available", inst.version);
                        else if (installed)
                                snprintf(note, sizeof(note), "  installed");
                        printf("  %-40s %-12s %9s%s\n", id, e.version, tool_size(e.size, size), note);
                }
        }
        if (o->consent.json)
                puts("]}");
        permit_client_free(c);
        return EXIT_OK;
}

int cmd_list(int argc, char **argv) {
        static const struct option options[] = {
                CLIENT_REGISTRY_OPTIONS,
                { "available", no_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        permit_client_state *st = NULL;
        permit_error error = { 0 };
        client_options o;
        int opt, r, ret = EXIT_OK;

        if (client_options_init(&o, argc) < 0)
                return EXIT_USAGE;
        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                int k = client_option(&o, opt, optarg, "list");
                if (k == 1)
                        continue;
                if (k == EXIT_USAGE || (opt != 'a' && opt != 'h')) {
                        if (k != EXIT_USAGE)
                                tool_error("list: unknown option or missing argument (see 'permit list --help')");
                        ret = EXIT_USAGE;
                        goto out;
                }
                if (opt == 'h') {
                        usage(stdout);
                        goto out;
                }
                o.available = true;
        }
        if (optind < argc) {
                tool_error("list: takes no operands (see 'permit list --help')");
                ret = EXIT_USAGE;
                goto out;
        }
        r = permit_client_state_load(o.consent.profile, &st, &error);
        if (r < 0) {
                ret = client_fail("list", r, &error);
                goto out;
        }
        ret = o.available ? list_available(&o, st) : list_installed(&o, st);
out:
        permit_client_state_free(st);
        client_options_clear(&o);
        return ret;
}
