/* SPDX-License-Identifier: MIT */
/* permit: the command users type. `permit run` must add at most 0.3 ms to
 * the program it starts (bench/README.md), and loading libpermit.so with
 * libarchive's dependencies (libxml2, ICU, libstdc++: 20 libraries) alone
 * takes about 1.7 ms. So this front is linked statically with only the
 * enforcer and runs `run` and `doctor` itself; every other command is
 * permit-tool (tools/permit.c), executed with the same arguments, found
 * next to this program (the build tree) or in PERMIT_LIBEXECDIR. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "run-addon.h"
#include "tool.h"

static char **front_argv;

static void exec_tool(char **argv) {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

        if (n > 0 && (size_t) n < sizeof(self) - sizeof("permit-tool")) {
                char *slash;

                self[n] = '\0';
                slash = strrchr(self, '/');
                if (slash) {
                        strcpy(slash + 1, "permit-tool");
                        if (access(self, X_OK) == 0)
                                execv(self, argv);
                }
        }
        execv(PERMIT_LIBEXECDIR "/permit-tool", argv);
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
        fprintf(stderr, "permit: cannot start permit-tool (%s): %s\n", PERMIT_LIBEXECDIR, strerror(errno));
        return EXIT_USAGE;
}
