/* SPDX-License-Identifier: MIT */
/* permit verify: is this package exactly what its developer sealed? */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tool.h"

static void help(void) {
        puts("Usage: permit verify (-p PUBKEY | -P KEY) [--json] [-q] PACKAGE\n"
             "\n"
             "Checks the seal's signature with the given public key, and that the\n"
             "package holds exactly the sealed files, byte for byte, with a valid\n"
             "permit.json. Nothing is written; memory stays bounded whatever the size.\n"
             "\n"
             "  -p, --public-key FILE   the developer's public key file\n"
             "  -P, --public-key-string KEY  the key itself (RW...)\n"
             "  -q, --quiet             print nothing on success\n"
             "      --json              print a report as JSON (also on failure)\n"
             "      --max-files N, --max-size BYTES, --max-ratio N   package limits\n"
             "\n"
             "Exit status: 0 valid, 1 refused (the first difference is printed),\n"
             "2 usage error or unreadable input.\n"
             "\n"
             "Example:\n"
             "  permit verify -p addon.pub hello.ankiaddon");
}

static const char *error_code(int r) {
        switch (-r) {
        case EBADMSG: return "tampered";
        case EKEYREJECTED: return "wrong-key";
        case ENOMSG: return "unsigned";
        case EFBIG: return "limit";
        case EINVAL: return "invalid";
        default: return "unreadable";
        }
}

/* The --json report of a failure; error says what, on stderr too. */
static void print_failure_json(const char *pkg, const char *code, const permit_error *error, int r, int ret) {
        char buf[1024];

        fputs("{\"package\":", stdout);
        tool_json_string(pkg);
        printf(",\"valid\":false,\"code\":\"%s\",\"error\":", code);
        tool_json_string(error->text[0] ? permit_error_string(error, buf, sizeof(buf)) : strerror(-r));
        fputs(",\"member\":", stdout);
        tool_json_string(error->path);
        printf(",\"exit\":%d}\n", ret);
}

int cmd_verify(int argc, char **argv) {
        static const struct option options[] = {
                { "public-key", required_argument, NULL, 'p' }, { "public-key-string", required_argument, NULL, 'P' },
                { "quiet", no_argument, NULL, 'q' },            { "json", no_argument, NULL, 'J' },
                { "help", no_argument, NULL, 'h' },             TOOL_LIMIT_OPTIONS, { 0 },
        };
        const char *pub_path = NULL, *pub_string = NULL, *pkg;
        permit_package_limits limits;
        permit_package_info *info = NULL;
        permit_pubkey *pk = NULL;
        permit_error error = { 0 };
        bool json = false, quiet = false;
        int c, r, ret;

        permit_package_limits_default(&limits);
        optind = 0;
        while ((c = getopt_long(argc, argv, "p:P:qh", options, NULL)) >= 0) {
                switch (c) {
                case 'p': pub_path = optarg; break;
                case 'P': pub_string = optarg; break;
                case 'q': quiet = true; break;
                case 'J': json = true; break;
                case 'h': help(); return EXIT_OK;
                default:
                        r = tool_limit_option(c, optarg, &limits);
                        if (r <= 0)
                                return EXIT_USAGE;
                }
        }
        pkg = tool_one_package(argc, argv, "verify");
        if (!pkg)
                return EXIT_USAGE;
        r = tool_pubkey_load(pub_path, pub_string, &pk, &error);
        if (r < 0) {
                /* An unreadable or malformed key is reported like an
                 * unreadable package; giving -p and -P both is only usage. */
                if (json && error.text[0])
                        print_failure_json(pkg, "unreadable", &error, r, EXIT_USAGE);
                return EXIT_USAGE;
        }

        r = permit_package_verify(pk, pkg, &limits, &info, &error);
        if (r < 0) {
                ret = tool_fail(r, &error, pkg);
                if (json)
                        print_failure_json(pkg, error_code(r), &error, r, ret);
                goto out;
        }

        const permit_manifest *m = permit_package_info_manifest(info);
        time_t t = (time_t) permit_package_info_signed_at(info);
        char when[64], size[32];
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
        if (json) {
                tool_json_identity(pkg, m);
                fputs(",\"valid\":true", stdout);
                printf(",\"key_id\":\"%s\",\"signed_at\":%lld,\"files\":%llu,\"size\":%llu,\"hash\":\"%s\","
                       "\"seal_digest\":\"%s\"}\n",
                       permit_package_info_key_id(info), (long long) t,
                       (unsigned long long) permit_package_info_files(info),
                       (unsigned long long) permit_package_info_total_size(info), permit_package_info_hash(info),
                       permit_package_info_seal_digest(info));
        } else if (!quiet)
                printf("%s: OK: %s %s by %s, %llu files (%s), sealed by key %s on %s\n", pkg, permit_manifest_id(m),
                       permit_manifest_version(m), permit_manifest_publisher(m),
                       (unsigned long long) permit_package_info_files(info),
                       tool_size(permit_package_info_total_size(info), size), permit_package_info_key_id(info), when);
        ret = EXIT_OK;
out:
        permit_package_info_free(info);
        permit_pubkey_free(pk);
        return ret;
}
