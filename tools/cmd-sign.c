/* SPDX-License-Identifier: MIT */
/* permit sign: seal a package with the developer's key. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tool.h"

static void help(void) {
        puts("Usage: permit sign -s SECKEY [--password-file FILE] [--no-minisig] [--json] PACKAGE\n"
             "\n"
             "Checks permit.json and the package's content, then writes the seal\n"
             "permit.sig into PACKAGE (a directory, or a .zip/.ankiaddon archive,\n"
             "which is rewritten atomically). For an archive it also writes\n"
             "PACKAGE.minisig, which 'minisign -Vm PACKAGE -p PUBKEY' accepts.\n"
             "\n"
             "  -s, --secret-key FILE   the secret key (from 'permit keygen' or 'minisign -G')\n"
             "      --password-file F   read the key's password from F (default: ask)\n"
             "      --no-minisig        do not write PACKAGE.minisig\n"
             "      --max-files N       refuse packages of more than N files (default 20000)\n"
             "      --max-size BYTES    refuse more than BYTES in all (K, M, G suffixes; default 1G)\n"
             "      --max-ratio N       refuse compression ratios over N:1 (default 200)\n"
             "      --json              print the result as JSON\n"
             "\n"
             "Exit status: 0 signed, 1 refused (invalid manifest, unsafe content), 2 usage\n"
             "or unreadable input.\n"
             "\n"
             "Example:\n"
             "  permit sign -s ~/.permit/addon.key hello.ankiaddon");
}

int cmd_sign(int argc, char **argv) {
        static const struct option options[] = {
                { "secret-key", required_argument, NULL, 's' }, { "password-file", required_argument, NULL, 'F' },
                { "no-minisig", no_argument, NULL, 'N' },       { "json", no_argument, NULL, 'J' },
                { "help", no_argument, NULL, 'h' },             TOOL_LIMIT_OPTIONS, { 0 },
        };
        const char *sec_path = NULL, *password_file = NULL, *pkg;
        permit_sign_options o = { 0 };
        permit_package_limits limits;
        permit_package_info *info = NULL;
        permit_pubkey *pk = NULL;
        permit_seckey *sk = NULL;
        permit_error error = { 0 };
        bool json = false, minisig;
        struct stat st;
        int c, r, ret;

        permit_package_limits_default(&limits);
        optind = 0;
        while ((c = getopt_long(argc, argv, "s:h", options, NULL)) >= 0) {
                switch (c) {
                case 's': sec_path = optarg; break;
                case 'F': password_file = optarg; break;
                case 'N': o.no_minisig = true; break;
                case 'J': json = true; break;
                case 'h': help(); return EXIT_OK;
                default:
                        r = tool_limit_option(c, optarg, &limits);
                        if (r <= 0)
                                return EXIT_USAGE;
                }
        }
        if (optind != argc - 1 || !sec_path) {
                tool_error("sign needs -s SECKEY and one PACKAGE (see --help)");
                return EXIT_USAGE;
        }
        pkg = argv[optind];
        if (tool_seckey_load(sec_path, password_file, &sk) < 0)
                return EXIT_USAGE;
        o.limits = &limits;
        r = permit_package_sign(sk, pkg, &o, &error);
        if (r < 0) {
                ret = tool_fail(r, &error, pkg);
                goto out;
        }
        /* Read back what was written: a seal that does not verify must
         * never be reported as done. */
        r = permit_seckey_pubkey(sk, &pk);
        if (r == 0)
                r = permit_package_verify(pk, pkg, &limits, &info, &error);
        if (r < 0) {
                ret = tool_fail(r, &error, pkg);
                goto out;
        }
        minisig = !o.no_minisig && stat(pkg, &st) == 0 && !S_ISDIR(st.st_mode);
        if (json) {
                tool_json_identity(pkg, permit_package_info_manifest(info));
                printf(",\"key_id\":\"%s\",\"files\":%llu,\"size\":%llu,\"seal_digest\":\"%s\",\"minisig\":%s}\n",
                       permit_package_info_key_id(info), (unsigned long long) permit_package_info_files(info),
                       (unsigned long long) permit_package_info_total_size(info),
                       permit_package_info_seal_digest(info),
                       minisig ? "true" : "false");
        } else {
                char size[32];
                printf("Signed %s: %s %s, %llu files, %s, key %s\n", pkg,
                       permit_manifest_id(permit_package_info_manifest(info)),
                       permit_manifest_version(permit_package_info_manifest(info)),
                       (unsigned long long) permit_package_info_files(info),
                       tool_size(permit_package_info_total_size(info), size), permit_package_info_key_id(info));
                if (minisig)
                        printf("Wrote %s.minisig (check it with: minisign -Vm %s -p PUBKEY)\n", pkg, pkg);
        }
        ret = EXIT_OK;
out:
        permit_package_info_free(info);
        permit_pubkey_free(pk);
        permit_seckey_free(sk);
        return ret;
}
