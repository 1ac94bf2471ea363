/* SPDX-License-Identifier: MIT */
/* bench/spawn-bench.c: what permit_spawn() costs over a plain fork + exec
 * of the same program, per spawn (start, exec, exit, reap), with the
 * ruleset compiled once; and the naive way, compiling it per spawn.
 * Prints the median and the fastest of N runs of each, in microseconds.
 *
 *   spawn-bench [N] [PROGRAM]      (default 2000, /bin/true)
 *
 * Built and run by bench/spawn.sh. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timing.h"

#include <permit/enforcer.h>


static void report(const char *what, double *t, int n) {
        qsort(t, (size_t) n, sizeof(*t), cmp_double);
        printf("%-44s median %8.1f us   fastest %8.1f us\n", what, t[n / 2], t[0]);
}

static permit_ruleset *compile(const char *program, const char *dir) {
        const char *caps[] = { "fs.read:$HOME/Documents", "net.listen:8080" };
        permit_paths p = { .data = dir, .tmp = dir, .home = getenv("HOME"), .entry = program };
        permit_ruleset *rs = NULL;
        permit_error e = { 0 };

        if (permit_ruleset_new(caps, 2, &p, NULL, &rs, &e) < 0) {
                fprintf(stderr, "spawn-bench: %s\n", e.text);
                exit(1);
        }
        return rs;
}

static void spawn_once(const permit_ruleset *rs, const char *const *argv, permit_spawn_flags flags) {
        permit_child *c = NULL;
        int r = permit_spawn(rs, argv, NULL, flags, &c), status;

        if (r < 0 || permit_child_wait(c, -1, &status, NULL) != 1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
                fprintf(stderr, "spawn-bench: permit_spawn: %s\n", strerror(-r));
                exit(1);
        }
        permit_child_free(c);
}

static void plain_once(const char *program, const char *const *args) {
        pid_t pid = fork();
        int status;

        if (pid == 0) {
                execv(program, (char *const *) args);
                _exit(127);
        }
        waitpid(pid, &status, 0);
}

/* The four ways alternate, one spawn each in turn, so that load from other
 * programs on the machine hits all of them alike. */
int main(int argc, char **argv) {
        int n = argc > 1 ? atoi(argv[1]) : 2000;
        const char *program = argc > 2 ? argv[2] : "/bin/true";
        const char *args[] = { program, NULL };
        const char *names[] = { "fork + exec + wait", "permit_spawn, ruleset compiled once",
                                "... with socket, /dev/null, clean env",
                                "permit_ruleset_new + permit_spawn each time" };
        char dir[] = "/tmp/permit-spawn-bench.XXXXXX";
        double *t[4];
        permit_ruleset *rs;

        if (n < 10 || !mkdtemp(dir))
                return 2;
        for (int k = 0; k < 4; k++)
                if (!(t[k] = calloc((size_t) n, sizeof(double))))
                        return 2;
        rs = compile(program, dir);
        for (int i = -n / 10; i < n; i++) { /* the first tenth warms up */
                double a[5];
                permit_ruleset *once;

                a[0] = now_us();
                plain_once(program, args);
                a[1] = now_us();
                spawn_once(rs, args, PERMIT_SPAWN_STDIO | PERMIT_SPAWN_NO_SOCKET | PERMIT_SPAWN_KEEP_ENV);
                a[2] = now_us();
                spawn_once(rs, args, 0);
                a[3] = now_us();
                once = compile(program, dir);
                spawn_once(once, args, PERMIT_SPAWN_STDIO | PERMIT_SPAWN_NO_SOCKET | PERMIT_SPAWN_KEEP_ENV);
                permit_ruleset_free(once);
                a[4] = now_us();
                if (i >= 0)
                        for (int k = 0; k < 4; k++)
                                t[k][i] = a[k + 1] - a[k];
        }
        for (int k = 0; k < 4; k++) {
                report(names[k], t[k], n);
                free(t[k]);
        }
        permit_ruleset_free(rs);
        rmdir(dir);
        return 0;
}
