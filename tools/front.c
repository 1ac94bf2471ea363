/* SPDX-License-Identifier: MIT */
/* permit: the command users type. `permit run` must add at most 0.3 ms to
 * the program it starts (bench/README.md), and loading libpermit.so with
 * libarchive's dependencies (libxml2, ICU, libstdc++: 20 libraries) alone
 * takes about 1.7 ms. So this front is linked statically with only the
 * enforcer and runs `run` and `doctor` itself; every other command is
 * permit-tool (tools/permit.c), or permit-client for the registry client's
 * commands, executed with the same arguments, found next to this program
 * (the build tree) or in PERMIT_LIBEXECDIR. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "run-addon.h"
#include "tool.h"

static char **front_argv;

static void exec_tool(char **argv) {
        tool_exec_sibling(tool_is_client_command(argv[1]) ? "permit-client" : "permit-tool", argv);
}

void front_exec_tool(void) {
        exec_tool(front_argv);
}

int main(int argc, char **argv) {
        /* cmd_run executes permit-tool for the add-on form, with these. */
        static char *saved[4096];
        if (argc < (int) (sizeof(saved) / sizeof(saved[0]))) {
                memcpy(saved, argv, (size_t) (argc + 1) * sizeof(*argv));
                front_argv = saved;
        } else
                front_argv = argv;
        if (argc >= 2 && (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "doctor") == 0)) {
                /* getopt names argv[0] in its messages: "permit run: ..." */
                char name[32];

                snprintf(name, sizeof(name), "permit %s", argv[1]);
                argv[1] = name;
                return strcmp(name, "permit run") == 0 ? cmd_run(argc - 1, argv + 1) : cmd_doctor(argc - 1, argv + 1);
        }
        exec_tool(argv);
        fprintf(stderr, "permit: cannot start %s (%s): %s\n",
                tool_is_client_command(argv[1]) ? "permit-client" : "permit-tool", PERMIT_LIBEXECDIR, strerror(errno));
        return EXIT_USAGE;
}
