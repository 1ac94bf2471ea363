/* SPDX-License-Identifier: MIT */
/* Finding and executing the other programs of the command: permit-tool
 * (every command but run and doctor) and permit-client (the registry
 * client's commands, the only ones linking libcurl: DESIGN.md section 2),
 * next to the running program (the build tree) or in PERMIT_LIBEXECDIR. */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tool.h"

void tool_exec_sibling(const char *name, char **argv) {
        char self[PATH_MAX], installed[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        size_t len = strlen(name);

        if (n > 0 && (size_t) n + len + 1 < sizeof(self)) {
                char *slash;

                self[n] = '\0';
                slash = strrchr(self, '/');
                if (slash) {
                        memcpy(slash + 1, name, len + 1);
                        if (access(self, X_OK) == 0)
                                execv(self, argv);
                }
        }
        if (sizeof(PERMIT_LIBEXECDIR) + 1 + len < sizeof(installed)) {
                memcpy(installed, PERMIT_LIBEXECDIR "/", sizeof(PERMIT_LIBEXECDIR));
                memcpy(installed + sizeof(PERMIT_LIBEXECDIR), name, len + 1);
                execv(installed, argv);
        }
}

bool tool_is_client_command(const char *name) {
        static const char *const client[] = { "install", "update", "remove", "list", "upload" };

        for (size_t i = 0; name && i < sizeof(client) / sizeof(client[0]); i++)
                if (strcmp(name, client[i]) == 0)
                        return true;
        return false;
}
