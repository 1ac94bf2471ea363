/* SPDX-License-Identifier: MIT */
/* bench/exec-wrapper.c: the least any launcher that executes its command
 * can cost: a static program that only calls execv(). bench/spawn.sh links
 * it statically, like the `permit` front, and times `exec-wrapper
 * /bin/true` next to `permit run ... -- /bin/true`. */
#include <unistd.h>

int main(int argc, char **argv) {
        if (argc < 2)
                return 2;
        execv(argv[1], argv + 1);
        return 127;
}
