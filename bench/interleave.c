/* SPDX-License-Identifier: MIT */
/* bench/interleave.c: times commands the way hyperfine -N does (fork, exec,
 * wait), but one run of each in turn, so that load from other programs on
 * a shared machine hits all of them alike; hyperfine runs all of one
 * command, then all of the next. Prints median, 10th percentile and fastest
 * of each, and the difference of the medians to the first command.
 *
 *   interleave N 'CMD ARGS...' 'CMD ARGS...' ...   (words split on spaces)
 *
 * Built and run by bench/spawn.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timing.h"

#define MAX_WORDS 32


static double run(char **argv) {
        double a = now_us();
        pid_t pid = fork();
        int status;

        if (pid == 0) {
                execv(argv[0], argv);
                _exit(127);
        }
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "interleave: %s failed\n", argv[0]);
                exit(1);
        }
        return now_us() - a;
}

int main(int argc, char **argv) {
        int n = argc > 2 ? atoi(argv[1]) : 0, m = argc - 2;
        char *(*words)[MAX_WORDS];
        double **t, base = 0;

        if (n < 10) {
                fprintf(stderr, "usage: interleave N 'CMD ARGS...'...\n");
                return 2;
        }
        words = calloc((size_t) m, sizeof(*words));
        t = calloc((size_t) m, sizeof(*t));
        for (int c = 0; c < m; c++) {
                char *save = NULL, *w = strtok_r(argv[c + 2], " ", &save);

                for (int k = 0; w && k < MAX_WORDS - 1; k++, w = strtok_r(NULL, " ", &save))
                        words[c][k] = w;
                t[c] = calloc((size_t) n, sizeof(double));
        }
        for (int i = -n / 10; i < n; i++) /* the first tenth warms up */
                for (int c = 0; c < m; c++) {
                        double d = run(words[c]);

                        if (i >= 0)
                                t[c][i] = d;
                }
        printf("| command | median | p10 | fastest | median over the first |\n|---|---|---|---|---|\n");
        for (int c = 0; c < m; c++) {
                qsort(t[c], (size_t) n, sizeof(double), cmp_double);
                if (c == 0)
                        base = t[c][n / 2];
                printf("| `%s", words[c][0]);
                for (int k = 1; words[c][k]; k++)
                        printf(" %s", words[c][k]);
                printf("` | %.3f ms | %.3f ms | %.3f ms | %+.3f ms |\n", t[c][n / 2] / 1e3, t[c][n / 10] / 1e3,
                       t[c][0] / 1e3, (t[c][n / 2] - base) / 1e3);
        }
        return 0;
}
