/* SPDX-License-Identifier: MIT */
/* Applying a compiled ruleset: to a child between fork and exec
 * (permit_spawn), to the calling process (permit_restrict_self), or to the
 * calling process just before it executes the add-on (permit_exec).
 *
 * Between fork and exec the child may only make system calls: a host may
 * have threads, and another thread may have held malloc's lock at fork.
 * Everything it needs (paths, argv, envp, BPF, the Landlock ruleset fd) is
 * prepared by the parent. */
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>

#include "enforcer-private.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* AddressSanitizer reserves terabytes of address space for its shadow
 * memory: an RLIMIT_AS makes the instrumented process itself fail. Only
 * permit_restrict_self() keeps running our (instrumented) code after the
 * limit; there, an ASan build leaves RLIMIT_AS out and the report says so. */
#if defined(__SANITIZE_ADDRESS__)
#define PERMIT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PERMIT_ASAN 1
#endif
#endif
#ifndef PERMIT_ASAN
#define PERMIT_ASAN 0
#endif

extern char **environ;

bool restrict_self_limits_address_space(void) {
        return !PERMIT_ASAN;
}

static int check_policy(const permit_ruleset *rs) {
        if (!rs || !rs->entry)
                return -EINVAL;
        if (rs->policy.require_full && !permit_ruleset_fully_enforced(rs))
                return -ENOTSUP;
        return 0;
}

/* An add-on never needs Linux capabilities. A process of uid 0 would
 * otherwise keep them all, and get them back on every exec: clear the
 * bounding and ambient sets, lock SECBIT_NOROOT (exec as uid 0 grants
 * nothing) and drop the rest. Without capabilities there is nothing to do
 * (and no right to do it). System calls only. */
static int drop_capabilities(void) {
        struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

        if (syscall(SYS_capget, &header, data) < 0)
                return negative_errno();
        if (!(data[0].permitted | data[1].permitted))
                return 0;
        /* Without CAP_SETPCAP (some containers) the bounding set and the
         * secure bits stay: EPERM there is not an error, the rest is done.
         * One PR_CAPBSET_DROP per capability, up to the first the kernel
         * does not know (EINVAL): dropping one already gone is no error, so
         * no PR_CAPBSET_READ first (41 system calls fewer as root). The
         * kernel checks CAP_SETPCAP before the number: EPERM ends it too. */
        for (int cap = 0;; cap++)
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
                        if (errno == EINVAL || errno == EPERM)
                                break;
                        return negative_errno();
                }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return negative_errno();
        if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                                             SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED,
                  0, 0, 0) < 0 &&
            errno != EPERM)
                return negative_errno();
        memset(data, 0, sizeof(data));
        if (syscall(SYS_capset, &header, data) < 0)
                return negative_errno();
        return 0;
}

/* Capabilities, no_new_privs, Landlock, seccomp: in this order, since
 * dropping capabilities needs CAP_SETPCAP, and Landlock and an unprivileged
 * seccomp filter both need no_new_privs. System calls only. */
static int restrict_now(const permit_ruleset *rs, bool all_threads) {
        int r;

        if ((r = drop_capabilities()) < 0)
                return r;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return negative_errno();
        if ((r = landlock_apply(rs->landlock_fd)) < 0)
                return r;
        return seccomp_apply(rs, all_threads);
}

_public_ int permit_restrict_self(const permit_ruleset *rs) {
        int r;

        if (!rs)
                return -EINVAL;
        if (rs->policy.require_full && !permit_ruleset_fully_enforced(rs))
                return -ENOTSUP;
        if (rs->policy.limits.file_size_mb)
                signal(SIGXFSZ, SIG_IGN); /* EFBIG instead of a kill */
        if ((r = rlimits_apply(&rs->policy.limits, !PERMIT_ASAN)) < 0)
                return r;
        return restrict_now(rs, true);
}

_public_ int permit_exec(const permit_ruleset *rs, const char *const *argv, bool close_fds) {
        int r = check_policy(rs);

        if (r < 0)
                return r;
        if (!argv || !argv[0])
                return -EINVAL;
        if (rs->policy.limits.file_size_mb)
                signal(SIGXFSZ, SIG_IGN);
        if ((r = restrict_now(rs, true)) < 0)
                return r;
        if (close_fds && syscall(__NR_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return negative_errno();
        if ((r = rlimits_apply(&rs->policy.limits, true)) < 0)
                return r;
        execve(rs->entry, (char *const *) argv, environ);
        return negative_errno();
}

struct permit_child {
        pid_t pid;
        int pidfd;
        int socket;
        int broker; /* -1: none */
        int proxy;  /* the proxy's listener, -1: none */
        bool reaped;
        struct timespec deadline; /* CLOCK_MONOTONIC; 0: none */
};

/* Everything the child needs, prepared before fork. */
typedef struct spawn_plan {
        const permit_ruleset *rs;
        const char *path;
        char *const *argv;
        char *const *envp;
        int sock;    /* the child's end, or -1 */
        int broker;  /* the child's end of the broker socket, or -1 */
        bool proxy;  /* proxy mode: make the namespace and the listener */
        bool userns; /* ... in a user namespace of its own (not root) */
        int devnull; /* or -1 to keep 0-2 */
        int errpipe; /* write end: the child's errno if it does not get to exec */
} spawn_plan;

/* Proxy mode, in the child before it restricts itself: a network
 * namespace (and a user namespace when not root, for the right to make
 * it), its loopback up, a TCP socket listening on 127.0.0.1:PROXY_PORT
 * there, sent to the host on the broker socket. System calls only. */
static int proxy_namespace(bool userns) {
        struct ifreq ifr = { .ifr_name = "lo" };
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(PERMIT_PROXY_PORT),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = { 0 };
        struct iovec iov = { .iov_base = (void *) "PROXY", .iov_len = 5 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                             .msg_controllen = sizeof(control.buf) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        int s, l, r = 0;

        if (unshare(CLONE_NEWNET | (userns ? CLONE_NEWUSER : 0)) < 0)
                return negative_errno();
        s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return negative_errno();
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 || (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0))
                r = negative_errno();
        close(s);
        if (r < 0)
                return r;
        l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (l < 0)
                return negative_errno();
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &l, sizeof(int));
        if (bind(l, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(l, 128) < 0 ||
            sendmsg(PERMIT_BROKER_FD, &mh, MSG_NOSIGNAL) != 5)
                r = negative_errno();
        close(l);
        return r;
}

/* After fork: system calls only. */
static _Noreturn void child(const spawn_plan *p) {
        int err = p->errpipe, broker = p->broker, r;
        sigset_t none;

        /* The host may block or ignore signals (SIGPIPE often): the add-on
         * starts with the defaults. */
        sigemptyset(&none);
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        sigaction(sig, &(struct sigaction) { .sa_handler = SIG_DFL }, NULL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (err <= PERMIT_BROKER_FD)
                err = fcntl(err, F_DUPFD_CLOEXEC, PERMIT_BROKER_FD + 1);
        /* Out of the way of fd 3 before the host socket is put there. */
        if (broker >= 0 && broker <= PERMIT_SOCKET_FD && (broker = fcntl(broker, F_DUPFD_CLOEXEC, PERMIT_BROKER_FD + 1)) < 0)
                goto fail;
        if (p->devnull >= 0 &&
            (dup2(p->devnull, 0) < 0 || dup2(p->devnull, 1) < 0 || dup2(p->devnull, 2) < 0))
                goto fail;
        if (p->sock >= 0) {
                if (p->sock == PERMIT_SOCKET_FD) {
                        if (fcntl(p->sock, F_SETFD, 0) < 0)
                                goto fail;
                } else if (dup2(p->sock, PERMIT_SOCKET_FD) < 0)
                        goto fail;
        }
        if (broker >= 0) {
                if (broker == PERMIT_BROKER_FD) {
                        if (fcntl(broker, F_SETFD, 0) < 0)
                                goto fail;
                } else if (dup2(broker, PERMIT_BROKER_FD) < 0)
                        goto fail;
                if (p->sock < 0)
                        close(PERMIT_SOCKET_FD);
        }
        if (p->proxy && (r = proxy_namespace(p->userns)) < 0) {
                errno = -r;
                goto fail;
        }
        if (p->rs->policy.limits.file_size_mb)
                signal(SIGXFSZ, SIG_IGN);
        if ((r = restrict_now(p->rs, false)) < 0) {
                errno = -r;
                goto fail;
        }
        if (syscall(__NR_close_range, broker >= 0 ? PERMIT_BROKER_FD + 1 : p->sock >= 0 ? PERMIT_SOCKET_FD + 1 : 3, ~0U,
                    CLOSE_RANGE_CLOEXEC) < 0)
                goto fail;
        if ((r = rlimits_apply(&p->rs->policy.limits, true)) < 0) {
                errno = -r;
                goto fail;
        }
        execve(p->path, p->argv, p->envp);
fail:
        r = errno;
        if (err >= 0)
                (void) !write(err, &r, sizeof(r));
        _exit(127);
}

#if !PERMIT_ASAN
static int child_main(void *plan) {
        child(plan);
}
#endif

/* The child: clone(CLONE_VM | CLONE_VFORK), as posix_spawn() does, on a
 * stack of its own: no copy of the host's page tables (a fork of a large
 * host costs more than the exec), and the host resumes once the child has
 * executed the add-on or failed. The child only makes system calls on that
 * stack and writes nothing the host reads but errno (the pipe). Every
 * signal is blocked around clone, so no handler of the host runs on the
 * shared memory before the child resets them all. AddressSanitizer
 * intercepts those calls and keeps state: there, fork. Returns the pid or
 * -errno. */
static pid_t start_child(const spawn_plan *plan) {
        pid_t pid;
#if PERMIT_ASAN
        pid = fork();
        if (pid == 0)
                child(plan);
        return pid < 0 ? negative_errno() : pid;
#else
        const size_t page = 4096, size = 64 * 1024;
        sigset_t all, old;
        char *stack;
        int r;

        /* unshare(CLONE_NEWUSER) refuses a process sharing its memory. */
        if (plan->userns) {
                pid = fork();
                if (pid == 0)
                        child(plan);
                return pid < 0 ? negative_errno() : pid;
        }

        stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (stack == MAP_FAILED)
                return negative_errno();
        /* A guard page below: an overflow faults instead of writing on. */
        if (mprotect(stack, page, PROT_NONE) < 0) {
                r = negative_errno();
                munmap(stack, size);
                return r;
        }
        /* The system call itself: glibc's sigprocmask leaves its own
         * SIGCANCEL and SIGSETXID unblocked, and their handlers must not
         * run on the shared memory either (sigfillset leaves them out too).
         * The kernel's set is _NSIG / 8 bytes (8 on x86-64). */
        memset(&all, 0xff, sizeof(all));
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, _NSIG / 8);
        pid = clone(child_main, stack + size, CLONE_VM | CLONE_VFORK | SIGCHLD, (void *) plan);
        r = pid < 0 ? negative_errno() : pid;
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, _NSIG / 8);
        munmap(stack, size);
        return r;
#endif
}

static void strv_free(char **v) {
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

static int clean_env(const permit_ruleset *rs, const char *const *env, bool socket, bool broker, bool proxy,
                     char ***ret) {
        size_t n = 0, k = 0;
        char **v;

        while (env && env[n])
                n++;
        v = calloc(n + 17, sizeof(char *));
        if (!v)
                return -ENOMEM;
#define PUT(...)                                                       \
        do {                                                           \
                if (asprintf(&v[k], __VA_ARGS__) < 0) {                \
                        v[k] = NULL;                                   \
                        strv_free(v);                                  \
                        return -ENOMEM;                                \
                }                                                      \
                k++;                                                   \
        } while (0)
        PUT("PATH=/usr/bin:/bin");
        PUT("LANG=C.UTF-8");
        if (socket)
                PUT("PERMIT_SOCKET_FD=%d", PERMIT_SOCKET_FD);
        if (broker)
                PUT("PERMIT_BROKER_FD=%d", PERMIT_BROKER_FD);
        if (proxy) {
                static const char *const names[] = { "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY",
                                                     "https_proxy", "http_proxy", "all_proxy" };

                for (size_t i = 0; i < ELEMENTSOF(names); i++)
                        PUT("%s=http://127.0.0.1:%d", names[i], PERMIT_PROXY_PORT);
        }
        if (rs->data) {
                PUT("HOME=%s", rs->data);
                PUT("PERMIT_DATA=%s", rs->data);
        }
        if (rs->tmp) {
                PUT("TMPDIR=%s", rs->tmp);
                PUT("PERMIT_TMP=%s", rs->tmp);
        }
        if (rs->addon)
                PUT("PERMIT_ADDON=%s", rs->addon);
        for (size_t i = 0; i < n; i++)
                PUT("%s", env[i]);
#undef PUT
        *ret = v;
        return 0;
}

/* The proxy's listener the child sent before it executed. */
static int receive_listener(int sock, int *ret) {
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control;
        char msg[8];
        struct iovec iov = { .iov_base = msg, .iov_len = sizeof(msg) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                             .msg_controllen = sizeof(control.buf) };
        struct cmsghdr *c;
        ssize_t n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

        if (n < 0)
                return negative_errno();
        c = CMSG_FIRSTHDR(&mh);
        if (n != 5 || memcmp(msg, "PROXY", 5) != 0 || !c || c->cmsg_type != SCM_RIGHTS ||
            c->cmsg_len != CMSG_LEN(sizeof(int)))
                return -EPROTO;
        memcpy(ret, CMSG_DATA(c), sizeof(int));
        return 0;
}

static void timespec_add_seconds(struct timespec *t, uint64_t s) {
        clock_gettime(CLOCK_MONOTONIC, t);
        t->tv_sec += s > INT32_MAX ? INT32_MAX : (time_t) s;
}

_public_ int permit_spawn(const permit_ruleset *rs, const char *const *argv, const char *const *env,
                          permit_spawn_flags flags, permit_child **ret) {
        _cleanup_close_ int devnull = -1, err_r = -1, err_w = -1, host = -1, guest = -1, bhost = -1, bguest = -1;
        _cleanup_free_ permit_child *c = NULL;
        char **envp = NULL;
        spawn_plan plan;
        int r, child_errno = 0, sv[2], pipefd[2];
        ssize_t n;
        pid_t pid;

        if ((r = check_policy(rs)) < 0)
                return r;
        if (!argv || !argv[0] || !ret)
                return -EINVAL;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        if (flags & PERMIT_SPAWN_KEEP_ENV)
                envp = (char **) env;
        if (flags & PERMIT_SPAWN_PROXY)
                flags |= PERMIT_SPAWN_BROKER;
        if (!(flags & PERMIT_SPAWN_KEEP_ENV) &&
            (r = clean_env(rs, env, !(flags & PERMIT_SPAWN_NO_SOCKET), flags & PERMIT_SPAWN_BROKER,
                           flags & PERMIT_SPAWN_PROXY, &envp)) < 0)
                return r;
        if (flags & PERMIT_SPAWN_BROKER) {
                if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                        r = negative_errno();
                        goto out;
                }
                bhost = sv[0];
                bguest = sv[1];
        }
        if (!(flags & PERMIT_SPAWN_NO_SOCKET)) {
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
                        r = negative_errno();
                        goto out;
                }
                host = sv[0];
                guest = sv[1];
        }
        if (!(flags & PERMIT_SPAWN_STDIO) && (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
                r = negative_errno();
                goto out;
        }
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                r = negative_errno();
                goto out;
        }
        err_r = pipefd[0];
        err_w = pipefd[1];
        plan = (spawn_plan) {
                .rs = rs,
                .path = rs->entry,
                .argv = (char *const *) argv,
                .envp = envp ? envp : (char *const[]) { NULL },
                .sock = guest,
                .broker = bguest,
                .proxy = flags & PERMIT_SPAWN_PROXY,
                .userns = (flags & PERMIT_SPAWN_PROXY) && geteuid() != 0,
                .devnull = devnull,
                .errpipe = err_w,
        };
        pid = start_child(&plan);
        if (pid < 0) {
                r = pid;
                goto out;
        }
        close(steal_fd(&err_w));
        if (guest >= 0)
                close(steal_fd(&guest));
        if (bguest >= 0)
                close(steal_fd(&bguest));
        do
                n = read(err_r, &child_errno, sizeof(child_errno));
        while (n < 0 && errno == EINTR);
        if (n > 0) {
                /* The child did not get to exec: reap it and say why. */
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                r = child_errno > 0 ? -child_errno : -EIO;
                goto out;
        }
        c->pid = pid;
        c->pidfd = (int) syscall(__NR_pidfd_open, pid, 0);
        if (c->pidfd < 0) {
                r = negative_errno();
                kill(pid, SIGKILL);
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                goto out;
        }
        if (rs->policy.limits.wall_seconds)
                timespec_add_seconds(&c->deadline, rs->policy.limits.wall_seconds);
        c->proxy = -1;
        if (flags & PERMIT_SPAWN_PROXY && (r = receive_listener(bhost, &c->proxy)) < 0) {
                kill(pid, SIGKILL);
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                close(c->pidfd);
                goto out;
        }
        c->socket = steal_fd(&host);
        c->broker = steal_fd(&bhost);
        *ret = steal_pointer(&c);
        r = 0;
out:
        if (!(flags & PERMIT_SPAWN_KEEP_ENV))
                strv_free(envp);
        return r;
}

_public_ pid_t permit_child_pid(const permit_child *c) {
        return c ? c->pid : -1;
}

_public_ int permit_child_socket(const permit_child *c) {
        return c ? c->socket : -1;
}

_public_ int permit_child_broker_socket(const permit_child *c) {
        return c ? c->broker : -1;
}

_public_ int permit_child_proxy_listener(const permit_child *c) {
        return c ? c->proxy : -1;
}

_public_ int permit_child_pidfd(const permit_child *c) {
        return c ? c->pidfd : -1;
}

static int64_t ms_until(const struct timespec *t) {
        struct timespec now;

        clock_gettime(CLOCK_MONOTONIC, &now);
        return (int64_t) (t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec + 999999) / 1000000;
}

static int reap(permit_child *c, int *ret_status) {
        int status;

        while (waitpid(c->pid, &status, 0) < 0)
                if (errno != EINTR)
                        return negative_errno();
        c->reaped = true;
        if (ret_status)
                *ret_status = status;
        return 1;
}

_public_ int permit_child_wait(permit_child *c, int timeout_ms, int *ret_status, bool *ret_killed) {
        struct timespec start;

        if (!c || c->reaped)
                return -EINVAL;
        if (ret_killed)
                *ret_killed = false;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                struct pollfd pfd = { .fd = c->pidfd, .events = POLLIN };
                int64_t wait = timeout_ms < 0 ? -1 : timeout_ms - (-ms_until(&start));
                bool deadline = c->deadline.tv_sec != 0;
                int n;

                if (timeout_ms >= 0 && wait < 0)
                        wait = 0;
                if (deadline) {
                        int64_t left = ms_until(&c->deadline);

                        if (left <= 0) {
                                /* The watchdog: past its wall time. */
                                if (syscall(__NR_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
                                        return negative_errno();
                                if (ret_killed)
                                        *ret_killed = true;
                                return reap(c, ret_status);
                        }
                        if (wait < 0 || left < wait)
                                wait = left;
                }
                n = poll(&pfd, 1, wait > INT32_MAX ? INT32_MAX : (int) wait);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n > 0)
                        return reap(c, ret_status);
                if (timeout_ms >= 0 && ms_until(&start) <= -timeout_ms && !(deadline && ms_until(&c->deadline) <= 0))
                        return 0;
        }
}

_public_ void permit_child_free(permit_child *c) {
        if (!c)
                return;
        if (!c->reaped && c->pid > 0) {
                if (c->pidfd >= 0)
                        syscall(__NR_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
                else
                        kill(c->pid, SIGKILL);
                reap(c, NULL);
        }
        if (c->pidfd >= 0)
                close(c->pidfd);
        if (c->socket >= 0)
                close(c->socket);
        if (c->broker >= 0)
                close(c->broker);
        if (c->proxy >= 0)
                close(c->proxy);
        free(c);
}
