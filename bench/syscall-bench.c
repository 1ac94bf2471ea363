/* SPDX-License-Identifier: MIT */
/* bench/syscall-bench.c: what the seccomp filter (and Landlock) add to an
 * ordinary system call: a getppid() loop (no argument checks: the kernel's
 * seccomp action cache answers without running the filter) and an ioctl()
 * loop (the filter runs: ioctl's request is compared against TIOCSTI and
 * TIOCLINUX). Each loop runs unrestricted, then in a child restricted with
 * permit_restrict_self() (no capability). Prints ns per call, the best of 5.
 *
 *   syscall-bench [N]     (default 5,000,000)
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

static double now_ns(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec * 1e9 + (double) t.tv_nsec;
}

static double best(long n, int which, int fd) {
        double b = 1e30;

        for (int round = 0; round < 5; round++) {
                double a = now_ns(), per;
                struct termios tio;

                for (long i = 0; i < n; i++)
                        if (which == 0)
                                syscall(SYS_getppid);
                        else
                                ioctl(fd, TCGETS, &tio); /* ENOTTY on /dev/null */
                per = (now_ns() - a) / (double) n;
                if (per < b)
                        b = per;
        }
        return b;
}

static void measure(const char *label, long n) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        printf("%-22s getppid %6.1f ns   ioctl %6.1f ns\n", label, best(n, 0, fd), best(n, 1, fd));
        fflush(stdout);
        close(fd);
}

int main(int argc, char **argv) {
        long n = argc > 1 ? atol(argv[1]) : 5000000;
        char dir[] = "/tmp/permit-syscall-bench.XXXXXX";
        permit_paths p = { .data = dir, .tmp = dir, .entry = "/bin/true" };
        permit_ruleset *rs = NULL;
        pid_t pid;
        int status;

        if (!mkdtemp(dir) || permit_ruleset_new(NULL, 0, &p, NULL, &rs, NULL) < 0)
                return 2;
        measure("no sandbox", n);
        pid = fork();
        if (pid == 0) {
                if (permit_restrict_self(rs) < 0)
                        _exit(1);
                measure("permit sandbox", n);
                _exit(0);
        }
        waitpid(pid, &status, 0);
        permit_ruleset_free(rs);
        rmdir(dir);
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
