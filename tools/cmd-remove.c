/* SPDX-License-Identifier: MIT */
/* permit remove ID...: uninstalls add-ons; their data and grants stay
 * unless --purge. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client-tool.h"

static void usage(FILE *f) {
        fputs("Usage: permit remove ID... [--profile DIR] [--purge] [--json]\n"
              "\n"
              "Removes installed add-ons: PROFILE/addons/ID goes in one rename. Their\n"
              "data (PROFILE/data/ID), the grants decided and the pinned key stay, so a\n"
              "reinstall asks nothing new and still requires the same key; --purge\n"
              "removes those too.\n"
              "\n"
              "Options:\n"
              "      --profile DIR  the profile (default: $XDG_DATA_HOME/permit/profiles/default)\n"
              "      --purge        also remove the add-on's data, grants and pinned key\n"
              "      --json         one JSON line per add-on on stdout\n"
              "  -h, --help         this help\n"
              "\n"
              "Exit status: 0 removed, 1 refused (an invalid ID, a damaged registry.json),\n"
              "2 not installed, usage or I/O error.\n"
              "\n"
              "Example:\n"
              "  permit remove --purge org.example.hello\n",
              f);
}

int cmd_remove(int argc, char **argv) {
        static const struct option options[] = {
                { "profile", required_argument, NULL, 'P' },
                { "purge", no_argument, NULL, 'x' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        const char *profile = NULL;
        bool purge = false, json = false;
        int opt, ret = EXIT_OK;

        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (opt) {
                case 'P': profile = optarg; break;
                case 'x': purge = true; break;
                case 'j': json = true; break;
                case 'h': usage(stdout); return EXIT_OK;
                default:
                        tool_error("remove: unknown option or missing argument (see 'permit remove --help')");
                        return EXIT_USAGE;
                }
        if (optind >= argc) {
                tool_error("remove: needs at least one add-on ID (see 'permit remove --help')");
                return EXIT_USAGE;
        }
        for (int i = optind; i < argc; i++) {
                permit_error error = { 0 };
                int r = permit_client_remove(profile, argv[i], purge ? PERMIT_CLIENT_PURGE : 0, &error);
                if (r < 0) {
                        int code = client_fail("remove", r, &error);
                        ret = ret == EXIT_OK ? code : ret;
                        continue;
                }
                if (purge)
                        fprintf(json ? stderr : stdout, "Removed %s with its data, grants and pinned key.\n", argv[i]);
                else
                        fprintf(json ? stderr : stdout,
                                "Removed %s. Kept its data and grants (and the pinned key): 'permit remove --purge %s' "
                                "removes them.\n",
                                argv[i], argv[i]);
                if (json) {
                        fputs("{\"id\":", stdout);
                        tool_json_string(argv[i]);
                        printf(",\"status\":\"removed\",\"purged\":%s}\n", purge ? "true" : "false");
                }
        }
        return ret;
}
