/* SPDX-License-Identifier: MIT */
/* permit doctor: what this machine can enforce. Part of the lean front
 * (tools/front.c): uses no tool.c helper. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "permit/enforcer.h"
#include "tool.h"

static void help(void) {
        puts("Usage: permit doctor [--json]\n"
             "\n"
             "Shows what this machine's kernel can enforce for add-ons: the Landlock ABI\n"
             "and what each version adds, seccomp, user namespaces; and what that means\n"
             "(doc/capabilities.md).\n"
             "\n"
             "  --json   print it as JSON\n"
             "\n"
             "Example:\n"
             "  permit doctor");
}

int cmd_doctor(int argc, char **argv) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, 'j' },
                { NULL, 0, NULL, 0 },
        };
        bool json = false;
        char *text = NULL;
        int opt, r;

        while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                if (opt == 'h') {
                        help();
                        return EXIT_OK;
                }
                if (opt != 'j')
                        return EXIT_USAGE;
                json = true;
        }
        if (optind < argc) {
                fprintf(stderr, "permit doctor: unexpected argument '%s'\n", argv[optind]);
                return EXIT_USAGE;
        }
        r = permit_doctor_report(json, &text);
        if (r < 0) {
                fprintf(stderr, "permit doctor: %s\n", strerror(-r));
                return EXIT_USAGE;
        }
        fputs(text, stdout);
        if (json)
                putchar('\n');
        free(text);
        return EXIT_OK;
}
