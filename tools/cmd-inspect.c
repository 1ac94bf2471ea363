/* SPDX-License-Identifier: MIT */
/* permit inspect: what an add-on is and what it asks for, as a user will
 * be asked. */
#include <inttypes.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tool.h"

static void help(void) {
        puts("Usage: permit inspect [--json] [--host-vocabulary FILE] PACKAGE\n"
             "\n"
             "Shows the add-on's identity, the key id its seal names, and its\n"
             "capabilities as a user will be asked: highest risk first, each with\n"
             "the system's warning and, below it, the developer's reason. The\n"
             "package's content is checked against the archive rules, but the seal\n"
             "is NOT verified: use 'permit verify' for that.\n"
             "\n"
             "  --json                  print it as JSON\n"
             "  --host-vocabulary FILE  the host's words for its host.* capabilities;\n"
             "                          one it does not list is shown as not known to it\n"
             "  --max-files N, --max-size BYTES, --max-ratio N   package limits\n"
             "\n"
             "Example:\n"
             "  permit inspect hello.ankiaddon");
}

static void print_limits_json(const permit_limits *l) {
        printf("{\"memory_mb\":%" PRIu64 ",\"cpu_seconds\":%" PRIu64 ",\"processes\":%" PRIu64
               ",\"open_files\":%" PRIu64 ",\"wall_seconds\":%" PRIu64 "}",
               l->memory_mb, l->cpu_seconds, l->processes, l->open_files, l->wall_seconds);
}

static void print_json(const char *pkg, const permit_package_info *info, const permit_warnings *w,
                       const permit_host_vocabulary *v) {
        const permit_manifest *m = permit_package_info_manifest(info);

        tool_json_identity(pkg, m);
        printf(",\"signed\":%s,\"verified\":false,\"key_id\":\"%s\",\"signed_at\":%lld,\"files\":%llu,\"size\":%llu",
               permit_package_info_signed_at(info) ? "true" : "false", permit_package_info_key_id(info),
               (long long) permit_package_info_signed_at(info), (unsigned long long) permit_package_info_files(info),
               (unsigned long long) permit_package_info_total_size(info));
        if (v) {
                fputs(",\"host\":", stdout);
                tool_json_string(permit_host_vocabulary_host(v));
        }
        printf(",\"max_risk\":\"%s\",\"warnings\":[", permit_risk_name(permit_warnings_max_risk(w)));
        for (size_t i = 0; i < permit_warnings_count(w); i++) {
                const permit_warning *x = permit_warnings_get(w, i);
                printf("%s{\"risk\":\"%s\",\"warning\":", i ? "," : "", permit_risk_name(x->risk));
                tool_json_string(x->text);
                fputs(",\"capability\":", stdout);
                tool_json_string(x->capability);
                printf(",\"required\":%s,", x->required ? "true" : "false");
                if (v)
                        printf("\"known_to_host\":%s,",
                               permit_host_vocabulary_unknown(v, x->capability) ? "false" : "true");
                fputs("\"reason\":", stdout);
                tool_json_string(x->reason);
                fputs(",\"absorbed\":[", stdout);
                for (size_t k = 0; k < x->n_absorbed; k++) {
                        if (k)
                                putchar(',');
                        tool_json_string(x->absorbed[k]);
                }
                fputs("]}", stdout);
        }
        fputs("],\"limits\":", stdout);
        print_limits_json(permit_manifest_limits(m));
        puts("}");
}

static void print_text(const char *pkg, const permit_package_info *info, const permit_warnings *w,
                       const permit_host_vocabulary *v) {
        const permit_manifest *m = permit_package_info_manifest(info);
        const permit_limits *l = permit_manifest_limits(m);
        char size[32], when[64];

        printf("%s %s (%s)\n  by %s\n", permit_manifest_name(m), permit_manifest_version(m), permit_manifest_id(m),
               permit_manifest_publisher(m));
        if (permit_package_info_signed_at(info)) {
                time_t t = (time_t) permit_package_info_signed_at(info);
                strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&t));
                printf("  sealed by key %s on %s (not verified here: use 'permit verify')\n",
                       permit_package_info_key_id(info), when);
        } else
                printf("  NOT SIGNED\n");
        printf("  entry %s; %llu files, %s\n\n", permit_manifest_entry(m),
               (unsigned long long) permit_package_info_files(info),
               tool_size(permit_package_info_total_size(info), size));

        if (permit_warnings_count(w) == 0)
                printf("It asks for no capabilities: it can only read its own files and write its own data.\n");
        else
                printf("It asks to:\n");
        for (size_t i = 0; i < permit_warnings_count(w); i++) {
                const permit_warning *x = permit_warnings_get(w, i);
                char risk[16];
                snprintf(risk, sizeof(risk), "[%s]", permit_risk_name(x->risk));
                for (char *p = risk; *p; p++)
                        *p = (char) (*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
                printf("  %-10s %s%s\n", risk, x->text,
                       x->required || permit_host_vocabulary_unknown(v, x->capability)
                               ? ""
                               : " (optional, off unless you allow it)");
                printf("             %s\n", x->capability);
                if (x->reason && *x->reason)
                        printf("             Developer says: \"%s\"\n", x->reason);
                for (size_t k = 0; k < x->n_absorbed; k++)
                        printf("             includes %s\n", x->absorbed[k]);
        }
        for (size_t i = 0; i < permit_warnings_count(w); i++) {
                const permit_warning *x = permit_warnings_get(w, i);
                if (x->required && permit_host_vocabulary_unknown(v, x->capability))
                        printf("\nIt cannot be installed in %s: it requires %s, which %s does not know.\n",
                               permit_host_vocabulary_host(v), x->capability, permit_host_vocabulary_host(v));
        }
        if (l->memory_mb || l->cpu_seconds || l->processes || l->open_files || l->wall_seconds) {
                printf("\nLimits asked for:");
                if (l->memory_mb)
                        printf(" memory %" PRIu64 " MiB;", l->memory_mb);
                if (l->cpu_seconds)
                        printf(" CPU %" PRIu64 " s;", l->cpu_seconds);
                if (l->wall_seconds)
                        printf(" wall time %" PRIu64 " s;", l->wall_seconds);
                if (l->processes)
                        printf(" processes %" PRIu64 ";", l->processes);
                if (l->open_files)
                        printf(" open files %" PRIu64 ";", l->open_files);
                putchar('\n');
        }
        (void) pkg;
}

int cmd_inspect(int argc, char **argv) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'J' },
                { "host-vocabulary", required_argument, NULL, 'V' },
                { "help", no_argument, NULL, 'h' },
                TOOL_LIMIT_OPTIONS,
                { 0 },
        };
        permit_package_limits limits;
        permit_package_info *info = NULL;
        permit_warnings *w = NULL;
        permit_host_vocabulary *v = NULL;
        permit_error error = { 0 };
        const permit_manifest *m;
        const char *pkg, *vocabulary = NULL;
        bool json = false;
        int c, r;

        permit_package_limits_default(&limits);
        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'J': json = true; break;
                case 'V': vocabulary = optarg; break;
                case 'h': help(); return EXIT_OK;
                default:
                        r = tool_limit_option(c, optarg, &limits);
                        if (r <= 0)
                                return EXIT_USAGE;
                }
        }
        pkg = tool_one_package(argc, argv, "inspect");
        if (!pkg)
                return EXIT_USAGE;
        r = tool_host_vocabulary_load(vocabulary, &v);
        if (r != EXIT_OK)
                return r;
        r = permit_package_inspect(pkg, &limits, &info, &error);
        if (r < 0) {
                permit_host_vocabulary_free(v);
                return tool_fail(r, &error, pkg);
        }
        m = permit_package_info_manifest(info);
        r = permit_warnings_new_for_host(permit_manifest_capabilities(m), permit_manifest_n_capabilities(m), v, &w);
        if (r < 0) {
                permit_package_info_free(info);
                permit_host_vocabulary_free(v);
                return tool_fail(r, NULL, pkg);
        }
        if (json)
                print_json(pkg, info, w, v);
        else
                print_text(pkg, info, w, v);
        permit_warnings_free(w);
        permit_host_vocabulary_free(v);
        permit_package_info_free(info);
        return EXIT_OK;
}
