/* SPDX-License-Identifier: MIT */
/* bench/syscall-bench.c: what the seccomp filter (and Landlock) add to an
 * ordinary system call: a getppid() loop (no argument checks: the kernel's
 * seccomp action cache answers without running the filter) and an ioctl()
 * loop (the filter runs: ioctl's request is compared against TIOCSTI and
 * TIOCLINUX). Each loop runs unrestricted, then in a child restricted with
 * permit_restrict_self() (no capability), in alternating rounds. Prints ns
 * per call, the fastest of 15 rounds each.
 *
 *   syscall-bench [N]     (calls per round, default 2,000,000)
 *
 * Built and run by bench/spawn.sh. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <permit/enforcer.h>

#include "timing.h"

static double now_ns(void) {
        return now_us() * 1e3;
}

/* ns per call of n calls: getppid (which 0) or ioctl(TCGETS) (which 1). */
static double per_call(long n, int which, int fd) {
        struct termios tio;
        double a = now_ns();

        for (long i = 0; i < n; i++)
                if (which == 0)
                        syscall(SYS_getppid);
                else
                        ioctl(fd, TCGETS, &tio); /* ENOTTY on /dev/null */
        return (now_ns() - a) / (double) n;
}

/* Rounds alternate between this process and a freshly restricted child,
 * so that load from other programs on the machine hits both alike; the
 * fastest round of each counts. */
int main(int argc, char **argv) {
        long n = argc > 1 ? atol(argv[1]) : 2000000;
        char dir[] = "/tmp/permit-syscall-bench.XXXXXX";
        permit_paths p = { .data = dir, .tmp = dir, .entry = "/bin/true" };
        permit_ruleset *rs = NULL;
        double best[2][2] = { { 1e30, 1e30 }, { 1e30, 1e30 } };
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        if (fd < 0 || !mkdtemp(dir) || permit_ruleset_new(NULL, 0, &p, NULL, &rs, NULL) < 0)
                return 2;
        for (int round = 0; round < 15; round++) {
                double got[2];
                int pipefd[2], status;
                pid_t pid;

                for (int w = 0; w < 2; w++) {
                        double t = per_call(n, w, fd);

                        if (t < best[0][w])
                                best[0][w] = t;
                }
                if (pipe(pipefd) < 0)
                        return 2;
                pid = fork();
                if (pid == 0) {
                        if (permit_restrict_self(rs) < 0)
                                _exit(1);
                        got[0] = per_call(n, 0, fd);
                        got[1] = per_call(n, 1, fd);
                        _exit(write(pipefd[1], got, sizeof(got)) == sizeof(got) ? 0 : 1);
                }
                close(pipefd[1]);
                if (read(pipefd[0], got, sizeof(got)) != sizeof(got))
                        return 1;
                close(pipefd[0]);
                waitpid(pid, &status, 0);
                for (int w = 0; w < 2; w++)
                        if (got[w] < best[1][w])
                                best[1][w] = got[w];
        }
        printf("%-22s getppid %6.1f ns   ioctl %6.1f ns\n", "no sandbox", best[0][0], best[0][1]);
        printf("%-22s getppid %6.1f ns   ioctl %6.1f ns\n", "permit sandbox", best[1][0], best[1][1]);
        printf("%-22s getppid %+6.1f ns   ioctl %+6.1f ns\n", "filter adds", best[1][0] - best[0][0],
               best[1][1] - best[0][1]);
        permit_ruleset_free(rs);
        rmdir(dir);
        return 0;
}
