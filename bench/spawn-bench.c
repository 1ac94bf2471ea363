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

#include <permit/enforcer.h>

static double now_us(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec * 1e6 + (double) t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return x < y ? -1 : x > y;
}

static void report(const char *what, double *t, int n) {
        qsort(t, (size_t) n, sizeof(*t), cmp);
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

int main(int argc, char **argv) {
        int n = argc > 1 ? atoi(argv[1]) : 2000;
        const char *program = argc > 2 ? argv[2] : "/bin/true";
        const char *args[] = { program, NULL };
        char dir[] = "/tmp/permit-spawn-bench.XXXXXX";
        double *t;
        permit_ruleset *rs;

        if (n < 10 || !mkdtemp(dir) || !(t = calloc((size_t) n, sizeof(*t))))
                return 2;
        rs = compile(program, dir);
        for (int round = 0; round < 2; round++) { /* the first round warms up */
                for (int i = 0; i < n; i++) {
                        double a = now_us();
                        pid_t pid = fork();
                        int status;

                        if (pid == 0) {
                                execv(program, (char *const *) args);
                                _exit(127);
                        }
                        waitpid(pid, &status, 0);
                        t[i] = now_us() - a;
                }
                if (round)
                        report("fork + exec + wait", t, n);
                for (int i = 0; i < n; i++) {
                        double a = now_us();

                        spawn_once(rs, args, PERMIT_SPAWN_STDIO | PERMIT_SPAWN_NO_SOCKET | PERMIT_SPAWN_KEEP_ENV);
                        t[i] = now_us() - a;
                }
                if (round)
                        report("permit_spawn, ruleset compiled once", t, n);
                for (int i = 0; i < n; i++) {
                        double a = now_us();

                        spawn_once(rs, args, 0);
                        t[i] = now_us() - a;
                }
                if (round)
                        report("... with socket, /dev/null, clean env", t, n);
                for (int i = 0; i < n; i++) {
                        double a = now_us();
                        permit_ruleset *once = compile(program, dir);

                        spawn_once(once, args, PERMIT_SPAWN_STDIO | PERMIT_SPAWN_NO_SOCKET | PERMIT_SPAWN_KEEP_ENV);
                        permit_ruleset_free(once);
                        t[i] = now_us() - a;
                }
                if (round)
                        report("permit_ruleset_new + permit_spawn each time", t, n);
        }
        permit_ruleset_free(rs);
        rmdir(dir);
        free(t);
        return 0;
}
