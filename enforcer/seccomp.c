/* SPDX-License-Identifier: MIT */
/* The seccomp filter: built with libseccomp once per ruleset and kept as
 * BPF in memory, so a child after fork installs it with one system call.
 * The default is to allow; the listed calls fail with an errno (never a
 * kill). Integer arguments are compared on their low 32 bits, as the
 * kernel reads them (CVE-2019-10063: a TIOCSTI with high bits set passed
 * Flatpak's 64-bit comparison). doc/capabilities.md lists every rule. */
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "enforcer-private.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Always denied: kernel attack surface and ways out of the sandbox. */
const denied_call seccomp_denied_calls[] = {
        { "ptrace", EPERM },
        { "process_vm_readv", EPERM },
        { "process_vm_writev", EPERM },
        { "process_madvise", EPERM },
        { "pidfd_getfd", EPERM },
        { "mount", EPERM },
        { "umount2", EPERM },
        { "pivot_root", EPERM },
        { "move_mount", EPERM },
        { "open_tree", EPERM },
        { "fsopen", EPERM },
        { "fsconfig", EPERM },
        { "fsmount", EPERM },
        { "fspick", EPERM },
        { "mount_setattr", EPERM },
        { "chroot", EPERM },
        { "unshare", EPERM },
        { "setns", EPERM },
        { "bpf", EPERM },
        { "perf_event_open", EPERM },
        { "keyctl", EPERM },
        { "add_key", EPERM },
        { "request_key", EPERM },
        { "userfaultfd", EPERM },
        { "io_uring_setup", EPERM },
        { "io_uring_enter", EPERM },
        { "io_uring_register", EPERM },
        { "kexec_load", EPERM },
        { "kexec_file_load", EPERM },
        { "init_module", EPERM },
        { "finit_module", EPERM },
        { "delete_module", EPERM },
        { "personality", EPERM },
        { "open_by_handle_at", EPERM },
        { "name_to_handle_at", EPERM },
        { "fanotify_init", EPERM },
        { "iopl", EPERM },
        { "ioperm", EPERM },
        { "reboot", EPERM },
        { "swapon", EPERM },
        { "swapoff", EPERM },
        { "acct", EPERM },
        { "syslog", EPERM },
        { "quotactl", EPERM },
        { "settimeofday", EPERM },
        { "clock_settime", EPERM },
        { "sethostname", EPERM },
        { "setdomainname", EPERM },
        { "vhangup", EPERM },
        { "kcmp", EPERM },
        /* clone3 passes its flags in memory, which seccomp cannot read:
         * ENOSYS makes glibc fall back to clone(), whose flags are checked. */
        { "clone3", ENOSYS },
};
const size_t seccomp_n_denied_calls = ELEMENTSOF(seccomp_denied_calls);

static const unsigned long namespace_flags[] = {
        CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
        CLONE_NEWTIME,
};

#define LOW32 0xffffffffULL

bool seccomp_kernel_support(void) {
        uint32_t action = SECCOMP_RET_ERRNO;

        return syscall(__NR_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

static void freectx(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

#define DENY(e) SCMP_ACT_ERRNO(e)

/* socket(): every family but those allowed is EACCES; an allowed IP
 * family only for TCP (type SOCK_STREAM, protocol 0 or IPPROTO_TCP), the
 * only traffic Landlock filters by port. Comparisons: family on its low 32
 * bits; "greater than" on all 64, so a value with high bits set is denied
 * (the kernel would read only its low bits). */
static int add_socket_rules(scmp_filter_ctx ctx, unsigned variant) {
        const int ip[] = { AF_INET, AF_INET6 };
        int r;

        r = seccomp_rule_add(ctx, DENY(EACCES), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_GT, AF_INET6));
        if (r < 0)
                return r;
        for (int f = 0; f <= AF_INET6; f++) {
                bool allowed = (f == AF_UNIX && (variant & SECCOMP_ALLOW_UNIX)) ||
                               ((f == AF_INET || f == AF_INET6) && (variant & SECCOMP_ALLOW_INET));

                if (allowed)
                        continue;
                r = seccomp_rule_add(ctx, DENY(EACCES), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, LOW32, f));
                if (r < 0)
                        return r;
        }
        if (!(variant & SECCOMP_ALLOW_INET))
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(ip); i++) {
                for (int type = 0; type <= 15; type++) {
                        if (type == SOCK_STREAM)
                                continue;
                        r = seccomp_rule_add(ctx, DENY(EACCES), SCMP_SYS(socket), 2,
                                             SCMP_A0(SCMP_CMP_MASKED_EQ, LOW32, ip[i]),
                                             SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, type));
                        if (r < 0)
                                return r;
                }
                r = seccomp_rule_add(ctx, DENY(EACCES), SCMP_SYS(socket), 2, SCMP_A0(SCMP_CMP_MASKED_EQ, LOW32, ip[i]),
                                     SCMP_A2(SCMP_CMP_GT, IPPROTO_TCP));
                if (r < 0)
                        return r;
                for (int proto = 1; proto < IPPROTO_TCP; proto++) {
                        r = seccomp_rule_add(ctx, DENY(EACCES), SCMP_SYS(socket), 2,
                                             SCMP_A0(SCMP_CMP_MASKED_EQ, LOW32, ip[i]),
                                             SCMP_A2(SCMP_CMP_MASKED_EQ, LOW32, proto));
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int add_rules(scmp_filter_ctx ctx, unsigned variant) {
        int r;

        for (size_t i = 0; i < seccomp_n_denied_calls; i++) {
                int nr = seccomp_syscall_resolve_name(seccomp_denied_calls[i].name);

                if (nr == __NR_SCMP_ERROR)
                        continue; /* not on this architecture */
                r = seccomp_rule_add(ctx, DENY(seccomp_denied_calls[i].error), nr, 0);
                if (r < 0)
                        return r;
        }
        /* clone() creating namespaces; the kernel reads the low 32 bits. */
        for (size_t i = 0; i < ELEMENTSOF(namespace_flags); i++) {
                r = seccomp_rule_add(ctx, DENY(EPERM), SCMP_SYS(clone), 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, namespace_flags[i], namespace_flags[i]));
                if (r < 0)
                        return r;
        }
        /* Typing into the terminal (TIOCSTI) and the Linux console's
         * TIOCLINUX, compared on the 32 bits the kernel uses. */
        r = seccomp_rule_add(ctx, DENY(EPERM), SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, LOW32, TIOCSTI));
        if (r < 0)
                return r;
        r = seccomp_rule_add(ctx, DENY(EPERM), SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, LOW32, TIOCLINUX));
        if (r < 0)
                return r;
        /* memfd_create: a memfd is not on a path Landlock sees, so it could
         * be written and executed (fexecve). Displays need it (Wayland
         * shared memory): then it is allowed and the report says so. */
        if (!(variant & SECCOMP_ALLOW_MEMFD)) {
                r = seccomp_rule_add(ctx, DENY(EPERM), SCMP_SYS(memfd_create), 0);
                if (r < 0)
                        return r;
        }
        /* execveat(fd, "", ..., AT_EMPTY_PATH) runs whatever fd holds: a
         * memfd (when a display needs memfd_create) or a file opened before
         * the sandbox. Landlock checks execution by path only, so running a
         * file by its descriptor is refused always (what fexecve() uses). */
        r = seccomp_rule_add(ctx, DENY(EPERM), SCMP_SYS(execveat), 1,
                             SCMP_A4(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH));
        if (r < 0)
                return r;
        /* TCP Fast Open (MSG_FASTOPEN) connects from sendto/sendmsg on a
         * socket that is not connected: a socket given by the network broker
         * and disconnected (connect(AF_UNSPEC)) must not be re-aimed that
         * way. Nothing an add-on needs; refused in every sandbox. */
        r = seccomp_rule_add(ctx, DENY(EOPNOTSUPP), SCMP_SYS(sendto), 1,
                             SCMP_A3(SCMP_CMP_MASKED_EQ, MSG_FASTOPEN, MSG_FASTOPEN));
        if (r >= 0)
                r = seccomp_rule_add(ctx, DENY(EOPNOTSUPP), SCMP_SYS(sendmsg), 1,
                                     SCMP_A2(SCMP_CMP_MASKED_EQ, MSG_FASTOPEN, MSG_FASTOPEN));
        if (r >= 0)
                r = seccomp_rule_add(ctx, DENY(EOPNOTSUPP), SCMP_SYS(sendmmsg), 1,
                                     SCMP_A3(SCMP_CMP_MASKED_EQ, MSG_FASTOPEN, MSG_FASTOPEN));
        if (r < 0)
                return r;
        r = add_socket_rules(ctx, variant);
        if (r < 0)
                return r;
        /* socketpair: only AF_UNIX (a connected pair reaches nothing outside). */
        r = seccomp_rule_add(ctx, DENY(EACCES), SCMP_SYS(socketpair), 1, SCMP_A0(SCMP_CMP_GT, AF_UNIX));
        if (r < 0)
                return r;
        return seccomp_rule_add(ctx, DENY(EACCES), SCMP_SYS(socketpair), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, LOW32, 0));
}

/* libseccomp's compiler: about 300 us here, so permit_ruleset_new() takes
 * the same BPF generated at build time (seccomp-prebuilt.c) when there is
 * one; tests/unit/enforcer checks the two are identical. */
int seccomp_compile(unsigned variant, struct sock_filter **ret, unsigned short *ret_len, permit_error *error) {
        _cleanup_(freectx) scmp_filter_ctx ctx = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ struct sock_filter *bpf = NULL;
        struct stat st;
        int r;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return permit_error_set(error, -ENOMEM, NULL, "seccomp_init failed");
        /* System calls of another architecture (int 0x80, x32) fail with
         * EPERM instead of bypassing the filter; no_new_privs is ours to set. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(EPERM));
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r >= 0)
                r = add_rules(ctx, variant);
        if (r < 0)
                return permit_error_set(error, r, NULL, "building the seccomp filter: %s", strerror(-r));
        /* libseccomp 2.5.4 exports only to a file descriptor. */
        fd = memfd_create("permit-seccomp-bpf", MFD_CLOEXEC);
        if (fd < 0)
                return permit_error_set(error, negative_errno(), NULL, "memfd_create: %s", strerror(errno));
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return permit_error_set(error, r, NULL, "seccomp_export_bpf: %s", strerror(-r));
        if (fstat(fd, &st) < 0)
                return permit_error_set(error, negative_errno(), NULL, "fstat: %s", strerror(errno));
        if (st.st_size <= 0 || st.st_size % (off_t) sizeof(struct sock_filter) != 0 ||
            st.st_size / (off_t) sizeof(struct sock_filter) > BPF_MAXINSNS)
                return permit_error_set(error, -EINVAL, NULL, "seccomp filter of %lld bytes", (long long) st.st_size);
        bpf = malloc((size_t) st.st_size);
        if (!bpf)
                return -ENOMEM;
        if (pread(fd, bpf, (size_t) st.st_size, 0) != st.st_size)
                return permit_error_set(error, -EIO, NULL, "reading the seccomp filter back failed");
        *ret_len = (unsigned short) (st.st_size / (off_t) sizeof(struct sock_filter));
        *ret = steal_pointer(&bpf);
        return 0;
}

unsigned seccomp_variant(const permit_ruleset *rs) {
        return (rs->allow_unix ? SECCOMP_ALLOW_UNIX : 0) | (rs->allow_inet ? SECCOMP_ALLOW_INET : 0) |
               (rs->allow_memfd ? SECCOMP_ALLOW_MEMFD : 0);
}

int seccomp_build(permit_ruleset *rs, permit_error *error) {
        unsigned variant = seccomp_variant(rs);
        const struct sock_filter *pre;
        unsigned short len;

        if (!rs->seccomp)
                return 0;
        if (seccomp_prebuilt(variant, &pre, &len)) {
                rs->bpf = malloc(len * sizeof(*pre));
                if (!rs->bpf)
                        return -ENOMEM;
                memcpy(rs->bpf, pre, len * sizeof(*pre));
                rs->bpf_len = len;
                return 0;
        }
        return seccomp_compile(variant, &rs->bpf, &rs->bpf_len, error);
}

/* After fork: one system call. no_new_privs must be set already. */
int seccomp_apply(const permit_ruleset *rs, bool all_threads) {
        struct sock_fprog prog = { .len = rs->bpf_len, .filter = rs->bpf };

        if (!rs->bpf)
                return 0;
        if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, all_threads ? SECCOMP_FILTER_FLAG_TSYNC : 0, &prog) != 0)
                return errno > 0 ? -errno : -ESRCH; /* TSYNC returns a thread id on failure */
        return 0;
}
