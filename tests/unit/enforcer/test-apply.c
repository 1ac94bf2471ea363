/* SPDX-License-Identifier: MIT */
/* Applying rulesets on the real kernel (Landlock ABI 7, seccomp): each
 * denial with its documented errno (doc/capabilities.md), the host socket
 * and environment of a spawned add-on, closed descriptors, resource limits
 * and the wall-time watchdog. permit_restrict_self() is tried in a forked
 * child, since it cannot be undone. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "permit/enforcer.h"
#include "test-files.h"

#if defined(__SANITIZE_ADDRESS__)
#define ASAN 1
#else
#define ASAN 0
#endif

typedef struct fixture {
        char *root, *data, *tmp, *script;
} fixture;

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));

        f->root = test_tempdir();
        f->data = test_join(f->root, "data");
        f->tmp = test_join(f->root, "tmp");
        f->script = test_join(f->root, "script.sh");
        assert_int_equal(mkdir(f->data, 0700), 0);
        assert_int_equal(mkdir(f->tmp, 0700), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;

        free(f->data);
        free(f->tmp);
        free(f->script);
        test_rm_rf(f->root);
        free(f);
        return 0;
}

static permit_ruleset *ruleset(const fixture *f, const char *const *caps, size_t n, const permit_sandbox_options *policy,
                               const char *entry) {
        permit_paths p = { .data = f->data, .tmp = f->tmp, .entry = entry };
        permit_ruleset *rs = NULL;
        permit_error error = { 0 };
        int r = permit_ruleset_new(caps, n, &p, policy, &rs, &error);

        if (r < 0)
                printf("# %s\n", error.text);
        assert_int_equal(r, 0);
        return rs;
}

/* In the restricted child: the call must fail with that errno. */
#define DENIED(call, e)                                                                 \
        do {                                                                            \
                errno = 0;                                                              \
                if ((long) (call) != -1 || errno != (e)) {                              \
                        fprintf(stderr, "# line %d: %s: errno %d, want %d\n", __LINE__, \
                                #call, errno, (e));                                     \
                        _exit(1);                                                       \
                }                                                                       \
        } while (0)
#define ALLOWED(call)                                                                               \
        do {                                                                                        \
                if ((long) (call) < 0) {                                                            \
                        fprintf(stderr, "# line %d: %s: errno %d\n", __LINE__, #call, errno);        \
                        _exit(1);                                                                   \
                }                                                                                   \
        } while (0)

static void restricted_child(const fixture *f, permit_ruleset *rs) {
        char path[512];
        int sv[2], fd;
        struct rlimit rl;
        pid_t pid;

        if (permit_restrict_self(rs) < 0)
                _exit(2);
        /* file system: $DATA writable, system read-only, the rest invisible */
        snprintf(path, sizeof(path), "%s/file", f->data);
        ALLOWED(fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
        close(fd);
        ALLOWED(fd = open("/usr/bin/true", O_RDONLY | O_CLOEXEC));
        close(fd);
        DENIED(open("/usr/bin/permit-test", O_WRONLY | O_CREAT | O_CLOEXEC, 0600), EACCES);
        DENIED(open("/etc/hostname", O_RDONLY | O_CLOEXEC), EACCES);
        DENIED(open("/proc/1/mem", O_RDONLY | O_CLOEXEC), EACCES);
        DENIED(open(f->root, O_RDONLY | O_CLOEXEC), EACCES);
        DENIED(execl("/bin/sh", "sh", "-c", "true", (char *) NULL), EACCES);
        /* sockets: no IP, no unix, no netlink or packet; socketpair is fine */
        DENIED(socket(AF_INET, SOCK_STREAM, 0), EACCES);
        DENIED(socket(AF_INET6, SOCK_DGRAM, 0), EACCES);
        DENIED(socket(AF_UNIX, SOCK_STREAM, 0), EACCES);
        DENIED(socket(AF_NETLINK, SOCK_RAW, 0), EACCES);
        DENIED(socket(AF_PACKET, SOCK_RAW, 0), EACCES);
        DENIED(socket(AF_VSOCK, SOCK_STREAM, 0), EACCES);
        /* high bits set: the kernel would read AF_INET */
        DENIED(syscall(SYS_socket, 0x100000002UL, SOCK_STREAM, 0), EACCES);
        ALLOWED(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
        DENIED(socketpair(AF_INET, SOCK_STREAM, 0, sv), EACCES);
        /* other processes */
        DENIED(kill(getppid(), 0), EPERM);
        DENIED(ptrace(PTRACE_ATTACH, getppid(), NULL, NULL), EPERM);
        DENIED(syscall(SYS_process_vm_readv, getppid(), NULL, 0, NULL, 0, 0), EPERM);
        DENIED(syscall(SYS_pidfd_getfd, 0, 0, 0), EPERM);
        /* kernel interfaces */
        DENIED(unshare(CLONE_NEWUSER), EPERM);
        DENIED(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0), EPERM);
        DENIED(syscall(SYS_clone, 0xdead000000000000UL | CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0), EPERM);
        DENIED(syscall(SYS_clone3, NULL, 0), ENOSYS);
        DENIED(mount("none", "/tmp", "tmpfs", 0, NULL), EPERM);
        DENIED(syscall(SYS_bpf, 0, NULL, 0), EPERM);
        DENIED(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, 0, 0), EPERM);
        DENIED(syscall(SYS_io_uring_setup, 1, NULL), EPERM);
        DENIED(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0), EPERM);
        DENIED(syscall(SYS_userfaultfd, 0), EPERM);
        DENIED(syscall(SYS_memfd_create, "x", 0), EPERM);
        DENIED(personality(PER_LINUX32), EPERM);
        /* TIOCSTI, also with garbage in the high 32 bits (CVE-2019-10063) */
        DENIED(syscall(SYS_ioctl, 0, (unsigned long) TIOCSTI, "x"), EPERM);
        DENIED(syscall(SYS_ioctl, 0, 0xdead00000000UL | TIOCSTI, "x"), EPERM);
        DENIED(syscall(SYS_ioctl, 0, (unsigned long) TIOCLINUX, "x"), EPERM);
        /* what stays possible: processes and threads without namespaces */
        ALLOWED(pid = fork());
        if (pid == 0)
                _exit(0);
        waitpid(pid, NULL, 0);
        if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
                _exit(3);
        /* no capability left, even for uid 0: chown to another user fails */
        {
                struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
                struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

                if (syscall(SYS_capget, &h, d) < 0 || d[0].effective || d[0].permitted || d[1].effective ||
                    prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 0)
                        _exit(6);
        }
        DENIED(chown(path, 1, 1), EPERM);
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur != 64 || rl.rlim_max != 64)
                _exit(4);
        /* RLIMIT_AS only outside AddressSanitizer builds (enforcer/spawn.c) */
        if (getrlimit(RLIMIT_AS, &rl) < 0 || (rl.rlim_cur == (rlim_t) 4096 << 20) != !ASAN)
                _exit(5);
        _exit(0);
}

static int run_in_child(const fixture *f, permit_ruleset *rs) {
        int status;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0)
                restricted_child(f, rs);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return status;
}

static void test_restrict_self(void **state) {
        fixture *f = *state;
        permit_sandbox_options policy = { .limits = { .open_files = 64, .memory_mb = 4096 } };
        permit_ruleset *rs = ruleset(f, NULL, 0, &policy, "/bin/true");
        int status = run_in_child(f, rs);

        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        permit_ruleset_free(rs);

        /* require_full on an older ABI: refused before anything is applied */
        policy = (permit_sandbox_options) { .landlock_abi_max = 3, .require_full = true };
        rs = ruleset(f, NULL, 0, &policy, "/bin/true");
        assert_int_equal(permit_restrict_self(rs), -ENOTSUP);
        assert_int_equal(permit_exec(rs, (const char *[]) { "true", NULL }, true), -ENOTSUP);
        assert_int_equal(permit_restrict_self(NULL), -EINVAL);
        permit_ruleset_free(rs);
}

static void test_granted_network(void **state) {
        fixture *f = *state;
        const char *caps[] = { "net.listen:38081" };
        /* direct mode: Landlock's port rules (broker mode, the default,
         * gives no IP socket at all) */
        permit_sandbox_options direct = { .net = PERMIT_NET_DIRECT };
        permit_ruleset *rs = ruleset(f, caps, 1, &direct, "/bin/true");
        int status;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                int s;

                if (permit_restrict_self(rs) < 0)
                        _exit(2);
                ALLOWED(s = socket(AF_INET, SOCK_STREAM, 0));
                a.sin_port = htons(38081);
                ALLOWED(bind(s, (struct sockaddr *) &a, sizeof(a)));
                ALLOWED(listen(s, 1));
                ALLOWED(s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
                a.sin_port = htons(38082);
                DENIED(bind(s, (struct sockaddr *) &a, sizeof(a)), EACCES);
                DENIED(connect(s, (struct sockaddr *) &(struct sockaddr_in) { .sin_family = AF_INET, .sin_port = htons(38081), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, sizeof(a)), EACCES);
                DENIED(socket(AF_INET, SOCK_DGRAM, 0), EACCES);
                DENIED(socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP), EACCES);
                DENIED(socket(AF_INET, SOCK_STREAM, 262 /* MPTCP */), EACCES);
                DENIED(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), EACCES);
                DENIED(socket(AF_UNIX, SOCK_STREAM, 0), EACCES);
                _exit(0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        permit_ruleset_free(rs);
}

static char *read_socket(int fd) {
        static char buf[512];
        size_t n = 0;
        ssize_t k;

        while (n < sizeof(buf) - 1 && (k = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
                n += (size_t) k;
        buf[n] = '\0';
        return buf;
}

static int wait_exit(permit_child *c, bool *killed) {
        int status = 0;

        assert_int_equal(permit_child_wait(c, -1, &status, killed), 1);
        return status;
}

static void test_spawn_socket_and_environment(void **state) {
        fixture *f = *state;
        permit_ruleset *rs = ruleset(f, NULL, 0, NULL, "/bin/sh");
        const char *argv[] = { "sh", "-c", "echo \"$PERMIT_SOCKET_FD $HOME $TMPDIR $LANG $PATH $EXTRA ${SECRET-unset}\" >&3", NULL };
        const char *env[] = { "EXTRA=yes", NULL };
        permit_child *c = NULL;
        char expect[2048];
        int status;

        setenv("SECRET", "host-only", 1);
        assert_int_equal(permit_spawn(rs, argv, env, 0, &c), 0);
        assert_true(permit_child_pid(c) > 0);
        assert_true(permit_child_pidfd(c) >= 0);
        snprintf(expect, sizeof(expect), "3 %s %s C.UTF-8 /usr/bin:/bin yes unset\n", f->data, f->tmp);
        assert_string_equal(read_socket(permit_child_socket(c)), expect);
        status = wait_exit(c, NULL);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        assert_int_equal(permit_child_wait(c, -1, &status, NULL), -EINVAL); /* reaped already */
        permit_child_free(c);
        unsetenv("SECRET");
        permit_ruleset_free(rs);
}

/* A host ignoring SIGPIPE and blocking SIGTERM: the add-on gets the defaults. */
static void test_spawn_resets_signals(void **state) {
        fixture *f = *state;
        permit_ruleset *rs = ruleset(f, NULL, 0, NULL, "/bin/sh");
        const char *argv[] = { "sh", "-c", "echo ready >&3; read x <&3", NULL };
        permit_child *c = NULL;
        sigset_t block, old;
        int status;

        signal(SIGPIPE, SIG_IGN);
        sigemptyset(&block);
        sigaddset(&block, SIGTERM);
        sigprocmask(SIG_BLOCK, &block, &old);
        assert_int_equal(permit_spawn(rs, argv, NULL, 0, &c), 0);
        {
                /* permit_spawn blocks every signal around clone: the host's
                 * own mask is back as it was (SIGTERM only, not SIGINT). */
                sigset_t now;

                assert_int_equal(sigprocmask(SIG_SETMASK, NULL, &now), 0);
                assert_true(sigismember(&now, SIGTERM));
                assert_false(sigismember(&now, SIGINT));
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
        signal(SIGPIPE, SIG_DFL);
        {
                char buf[8];

                assert_int_equal(read(permit_child_socket(c), buf, 6), 6);
        }
        /* the sandbox lets the host signal its child (the scope is the child's) */
        assert_int_equal(kill(permit_child_pid(c), SIGTERM), 0);
        status = wait_exit(c, NULL);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGTERM);
        permit_child_free(c);
        permit_ruleset_free(rs);
}

static void test_spawn_closes_descriptors(void **state) {
        fixture *f = *state;
        permit_ruleset *rs = ruleset(f, NULL, 0, NULL, "/bin/sh");
        const char *argv[] = { "sh", "-c", "if (echo x >&20) 2>/dev/null; then echo leaked >&3; else echo closed >&3; fi; "
                                           "exec cat /etc/hostname", NULL };
        permit_child *c = NULL;
        int fd = open("/dev/null", O_WRONLY), status;

        assert_true(fd >= 0);
        assert_int_equal(dup2(fd, 20), 20); /* inheritable: no O_CLOEXEC */
        close(fd);
        assert_int_equal(permit_spawn(rs, argv, NULL, 0, &c), 0);
        assert_string_equal(read_socket(permit_child_socket(c)), "closed\n");
        /* and running another program is refused: sh says 126 */
        status = wait_exit(c, NULL);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 126);
        permit_child_free(c);
        close(20);
        permit_ruleset_free(rs);
}

static void test_spawn_errors(void **state) {
        fixture *f = *state;
        permit_ruleset *rs;
        permit_child *c = NULL;
        const char *argv[] = { "script", NULL };
        test_write_string(f->script, "#!/bin/sh\nexit 0\n");
        assert_int_equal(chmod(f->script, 0755), 0);
        rs = ruleset(f, NULL, 0, NULL, f->script);
        assert_int_equal(permit_spawn(rs, argv, NULL, 0, &c), 0);
        assert_int_equal(WEXITSTATUS(wait_exit(c, NULL)), 0);
        permit_child_free(c);
        c = NULL;
        /* the program went away after the ruleset was made: the child's execve errno */
        assert_int_equal(unlink(f->script), 0);
        assert_int_equal(permit_spawn(rs, argv, NULL, 0, &c), -ENOENT);
        assert_null(c);
        assert_int_equal(permit_spawn(rs, NULL, NULL, 0, &c), -EINVAL);
        assert_int_equal(permit_spawn(NULL, argv, NULL, 0, &c), -EINVAL);
        permit_ruleset_free(rs);

        /* no entry program */
        {
                permit_paths p = { .data = f->data };

                assert_int_equal(permit_ruleset_new(NULL, 0, &p, NULL, &rs, NULL), 0);
                assert_int_equal(permit_spawn(rs, argv, NULL, 0, &c), -EINVAL);
                assert_int_equal(permit_exec(rs, argv, true), -EINVAL);
                permit_ruleset_free(rs);
        }
        /* require_full not met */
        rs = ruleset(f, NULL, 0, &(permit_sandbox_options) { .landlock_abi_max = 5, .require_full = true }, "/bin/true");
        assert_int_equal(permit_spawn(rs, argv, NULL, 0, &c), -ENOTSUP);
        permit_ruleset_free(rs);
        assert_int_equal(permit_child_pid(NULL), -1);
        assert_int_equal(permit_child_socket(NULL), -1);
        permit_child_free(NULL);
}

static double seconds_since(const struct timespec *t) {
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        return (double) (now.tv_sec - t->tv_sec) + (double) (now.tv_nsec - t->tv_nsec) / 1e9;
}

static void test_watchdog(void **state) {
        fixture *f = *state;
        permit_ruleset *rs = ruleset(f, NULL, 0, &(permit_sandbox_options) { .limits.wall_seconds = 1 }, "/bin/sh");
        const char *argv[] = { "sh", "-c", "while :; do :; done", NULL };
        permit_child *c = NULL;
        struct timespec start;
        bool killed = false;
        int status = 0;
        double took;

        clock_gettime(CLOCK_MONOTONIC, &start);
        assert_int_equal(permit_spawn(rs, argv, NULL, PERMIT_SPAWN_NO_SOCKET, &c), 0);
        assert_int_equal(permit_child_socket(c), -1);
        /* still running after 100 ms */
        assert_int_equal(permit_child_wait(c, 100, &status, &killed), 0);
        assert_false(killed);
        assert_int_equal(permit_child_wait(c, -1, &status, &killed), 1);
        took = seconds_since(&start);
        printf("# killed after %.3f s\n", took);
        assert_true(killed);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGKILL);
        assert_true(took >= 0.95 && took < 3.0);
        permit_child_free(c);
        permit_ruleset_free(rs);
}

static void test_limits(void **state) {
        fixture *f = *state;
        permit_sandbox_options policy = { .limits = { .open_files = 17, .cpu_seconds = 7, .file_size_mb = 1, .memory_mb = 100 } };
        permit_ruleset *rs = ruleset(f, NULL, 0, &policy, "/bin/sh");
        const char *argv[] = { "sh", "-c", "echo $(ulimit -n) $(ulimit -t) $(ulimit -f) $(ulimit -v) >&3", NULL };
        permit_child *c = NULL;
        int status;

        assert_int_equal(permit_spawn(rs, argv, NULL, 0, &c), 0);
        /* dash: -f in 512-byte blocks, -v in KiB */
        assert_string_equal(read_socket(permit_child_socket(c)), "17 7 2048 102400\n");
        status = wait_exit(c, NULL);
        assert_int_equal(WEXITSTATUS(status), 0);
        permit_child_free(c);
        permit_ruleset_free(rs);
}

static void test_cpu_limit(void **state) {
        fixture *f = *state;
        permit_ruleset *rs = ruleset(f, NULL, 0, &(permit_sandbox_options) { .limits.cpu_seconds = 1 }, "/bin/sh");
        const char *argv[] = { "sh", "-c", "while :; do :; done", NULL };
        permit_child *c = NULL;
        bool killed = true;
        int status;

        assert_int_equal(permit_spawn(rs, argv, NULL, PERMIT_SPAWN_STDIO, &c), 0);
        status = wait_exit(c, &killed);
        assert_false(killed);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGXCPU);
        permit_child_free(c);
        permit_ruleset_free(rs);
}

static void test_free_kills(void **state) {
        fixture *f = *state;
        permit_ruleset *rs = ruleset(f, NULL, 0, NULL, "/bin/sh");
        const char *argv[] = { "sh", "-c", "while :; do :; done", NULL };
        permit_child *c = NULL;
        pid_t pid;

        assert_int_equal(permit_spawn(rs, argv, NULL, 0, &c), 0);
        pid = permit_child_pid(c);
        permit_child_free(c);
        /* killed and reaped: the pid is gone */
        assert_int_equal(kill(pid, 0), -1);
        assert_int_equal(errno, ESRCH);
        permit_ruleset_free(rs);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_restrict_self, setup, teardown),
                cmocka_unit_test_setup_teardown(test_granted_network, setup, teardown),
                cmocka_unit_test_setup_teardown(test_spawn_socket_and_environment, setup, teardown),
                cmocka_unit_test_setup_teardown(test_spawn_resets_signals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_spawn_closes_descriptors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_spawn_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_watchdog, setup, teardown),
                cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_cpu_limit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_free_kills, setup, teardown),
        };

        return cmocka_run_group_tests_name("enforcer-apply", tests, NULL, NULL);
}
