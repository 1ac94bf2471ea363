/* SPDX-License-Identifier: MIT */
/* A hostile add-on. `hostile ATTACK [ARGS]` performs one attack and prints
 * exactly one line:
 *
 *   ATTACK: ok                 the attack succeeded        (exit 0)
 *   ATTACK: denied ERRNO_NAME  the kernel refused it       (exit 1)
 *   ATTACK: error MESSAGE      it could not be attempted   (exit 2)
 *
 * "denied" names the errno of the step that is the attack itself (the
 * socket(), the open() of the file, the exec); a failing preparatory step
 * (making a symlink inside $DATA, reading /bin/sh to copy it) is an
 * "error", so a sandbox that breaks what it must allow is not mistaken for
 * one that stops the attack. The attacks take every path, port and pid as
 * arguments: tests/escape/escape.py prepares the targets and knows what
 * each run must print (tests/escape/README.md lists them). Built without
 * sanitizers: the program must behave the same in every build, under
 * address-space limits and seccomp. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "permit/addon-net.h"
#include "util.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3; Debian 12's headers predate it */
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* The text after "error" when an attack returns ATTACK_ERROR. */
static char error_text[512];

/* An attack returns 0 when it succeeded, a positive errno when the kernel
 * refused it, or ATTACK_ERROR (with error_text set) when it could not be
 * attempted at all. */
#define ATTACK_ERROR (-1)

_printf_(1, 2) static int setup_error(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(error_text, sizeof(error_text), fmt, ap);
        va_end(ap);
        return ATTACK_ERROR;
}

/* errno after a failed call, never 0 (0 would read as success). */
static int failed(void) {
        return errno > 0 ? errno : EIO;
}

static int parse_long(const char *s, long min, long max, long *ret) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 0);
        if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
                return setup_error("bad number '%s'", s);
        *ret = v;
        return 0;
}

static int parse_seconds(const char *s, double *ret) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno != 0 || end == s || *end != '\0' || !(v >= 0 && v <= 3600))
                return setup_error("bad number of seconds '%s'", s);
        *ret = v;
        return 0;
}

static int write_all(int fd, const void *buf, size_t len) {
        const char *p = buf;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return failed();
                }
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

/* DIR/NAME into buf. */
static int join(char *buf, size_t size, const char *dir, const char *name) {
        int n = snprintf(buf, size, "%s/%s", dir, name);
        if (n < 0 || (size_t) n >= size)
                return setup_error("path too long: %s/%s", dir, name);
        return 0;
}

/* Reads at least one byte of an open file: the proof that it was read. */
static int read_some(int fd) {
        char buf[256];
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0)
                return failed();
        if (n == 0)
                return setup_error("the file is empty: nothing proves it was read");
        return 0;
}

static int read_path(const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return failed();
        return read_some(fd);
}

static int append_path(const char *path) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd < 0)
                return failed();
        return write_all(fd, "\n# written by a hostile add-on\n", 31);
}

static int create_path(const char *path) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
                return failed();
        return write_all(fd, "written by a hostile add-on\n", 28);
}

/* Copies the file SRC to DST (created, mode 0755) or into fd DST_FD. */
static int copy_into(const char *src, int dst_fd) {
        _cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return setup_error("cannot read %s to copy it: %s", src, strerrorname_np(errno));
        char buf[65536];
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0)
                        return setup_error("reading %s: %s", src, strerrorname_np(errno));
                if (n == 0)
                        return 0;
                int r = write_all(dst_fd, buf, (size_t) n);
                if (r != 0)
                        return setup_error("copying %s: %s", src, strerrorname_np(r));
        }
}

/* fork() with a close-on-exec pipe from the child (p[1]) to the parent
 * (p[0]); each side keeps only its end. Returns the pid, 0 in the child, or
 * ATTACK_ERROR. */
static pid_t fork_with_pipe(int p[2]) {
        if (pipe2(p, O_CLOEXEC) < 0)
                return setup_error("pipe: %s", strerrorname_np(errno));
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(p[0]);
                close(p[1]);
                return setup_error("fork: %s", strerrorname_np(e));
        }
        close(p[pid == 0 ? 0 : 1]);
        return pid;
}

static int wait_for(pid_t pid, int *status) {
        while (waitpid(pid, status, 0) < 0)
                if (errno != EINTR)
                        return setup_error("waitpid: %s", strerrorname_np(errno));
        return 0;
}

/* Runs a program in a child and waits for it: with exec_fd >= 0 that open
 * file (fexecve), else PATH. Returns 0 when it ran and exited 0, the errno
 * of a failed exec (passed back over a close-on-exec pipe), or an error. */
static int run_program(const char *path, int exec_fd, char *const argv[]) {
        int p[2];
        pid_t pid = fork_with_pipe(p);
        if (pid < 0)
                return ATTACK_ERROR;
        if (pid == 0) {
                static char *const empty_env[] = { NULL };
                if (exec_fd >= 0)
                        fexecve(exec_fd, argv, empty_env);
                else
                        execve(path, argv, empty_env);
                int e = errno;
                (void) !write(p[1], &e, sizeof(e));
                _exit(127);
        }
        int exec_errno = 0;
        ssize_t n;
        do
                n = read(p[0], &exec_errno, sizeof(exec_errno));
        while (n < 0 && errno == EINTR);
        close(p[0]);
        int status;
        if (wait_for(pid, &status) < 0)
                return ATTACK_ERROR;
        if (n == (ssize_t) sizeof(exec_errno))
                return exec_errno > 0 ? exec_errno : EIO;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFSIGNALED(status))
                return setup_error("%s ran but was killed by signal %d", path, WTERMSIG(status));
        return setup_error("%s ran but exited %d", path, WEXITSTATUS(status));
}

/* Runs fn in a forked child (for attacks that change the process: a new
 * session, a namespace) and returns what it returned. */
static int in_child(int (*fn)(void *), void *arg) {
        int p[2];
        pid_t pid = fork_with_pipe(p);
        if (pid < 0)
                return ATTACK_ERROR;
        if (pid == 0) {
                int r = fn(arg);
                (void) !write(p[1], &r, sizeof(r));
                (void) !write(p[1], error_text, sizeof(error_text));
                _exit(0);
        }
        int r = 0;
        ssize_t n = read(p[0], &r, sizeof(r));
        if (n == (ssize_t) sizeof(r) && r == ATTACK_ERROR)
                (void) !read(p[0], error_text, sizeof(error_text));
        error_text[sizeof(error_text) - 1] = '\0';
        close(p[0]);
        int status;
        if (wait_for(pid, &status) < 0)
                return ATTACK_ERROR;
        if (n != (ssize_t) sizeof(r)) {
                if (WIFSIGNALED(status))
                        return setup_error("the attacking child was killed by signal %d", WTERMSIG(status));
                return setup_error("the attacking child exited %d without a result", WEXITSTATUS(status));
        }
        return r;
}

/* ---- files ---------------------------------------------------------- */

static int attack_read(char **a) {
        return read_path(a[0]);
}

static int attack_list(char **a) {
        DIR *d = opendir(a[0]);
        if (!d)
                return failed();
        int entries = 0;
        struct dirent *e;
        while ((e = readdir(d)))
                if (!streq(e->d_name, ".") && !streq(e->d_name, ".."))
                        entries++;
        closedir(d);
        return entries > 0 ? 0 : setup_error("%s is empty: nothing proves it was listed", a[0]);
}

static int attack_create(char **a) {
        char path[4096];
        if (join(path, sizeof(path), a[0], "created-by-hostile.txt") < 0)
                return ATTACK_ERROR;
        return create_path(path);
}

static int attack_overwrite(char **a) {
        _cleanup_close_ int fd = open(a[0], O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0)
                return failed();
        return write_all(fd, "{}\n", 3);
}

static int attack_append(char **a) {
        return append_path(a[0]);
}

static int attack_delete(char **a) {
        return unlink(a[0]) < 0 ? failed() : 0;
}

static int attack_rename(char **a) {
        char to[4096];
        int n = snprintf(to, sizeof(to), "%s.renamed", a[0]);
        if (n < 0 || (size_t) n >= sizeof(to))
                return setup_error("path too long");
        return rename(a[0], to) < 0 ? failed() : 0;
}

static int attack_truncate(char **a) {
        return truncate(a[0], 0) < 0 ? failed() : 0;
}

static int attack_chmod(char **a) {
        return chmod(a[0], 0) < 0 ? failed() : 0;
}

/* A symlink made inside DATA (allowed) pointing out of it. */
static int make_link(const char *data, const char *name, const char *target, char *path, size_t size) {
        if (join(path, size, data, name) < 0)
                return ATTACK_ERROR;
        (void) unlink(path);
        if (symlink(target, path) < 0)
                return setup_error("cannot make a symlink in %s: %s", data, strerrorname_np(errno));
        return 0;
}

static int attack_symlink_read(char **a) {
        char path[4096];
        if (make_link(a[0], "escape-link", a[1], path, sizeof(path)) < 0)
                return ATTACK_ERROR;
        return read_path(path);
}

static int attack_symlink_write(char **a) {
        char path[4096];
        if (make_link(a[0], "escape-link", a[1], path, sizeof(path)) < 0)
                return ATTACK_ERROR;
        return append_path(path);
}

static int attack_symlink_dir(char **a) {
        char link[4096], path[4096];
        if (make_link(a[0], "escape-dir", a[1], link, sizeof(link)) < 0 ||
            join(path, sizeof(path), link, "created-by-hostile.txt") < 0)
                return ATTACK_ERROR;
        return create_path(path);
}

static int make_hardlink(const char *data, const char *target, char *path, size_t size) {
        if (join(path, size, data, "escape-hardlink") < 0)
                return ATTACK_ERROR;
        (void) unlink(path);
        return link(target, path) < 0 ? failed() : 0;
}

static int attack_hardlink_read(char **a) {
        char path[4096];
        int r = make_hardlink(a[0], a[1], path, sizeof(path));
        return r != 0 ? r : read_path(path);
}

static int attack_hardlink_write(char **a) {
        char path[4096];
        int r = make_hardlink(a[0], a[1], path, sizeof(path));
        return r != 0 ? r : append_path(path);
}

/* Moves a file made in DATA out into DEST. */
static int attack_rename_out(char **a) {
        char from[4096], to[4096];
        if (join(from, sizeof(from), a[0], "escape-out.txt") < 0 ||
            join(to, sizeof(to), a[1], "escape-out.txt") < 0)
                return ATTACK_ERROR;
        (void) unlink(from);
        int r = create_path(from);
        if (r != 0)
                return setup_error("cannot create %s: %s", from, strerrorname_np(r));
        return rename(from, to) < 0 ? failed() : 0;
}

/* Moves FILE from outside into DATA: deletes it there, reads it here. */
static int attack_rename_in(char **a) {
        char to[4096];
        const char *base = strrchr(a[0], '/');
        if (join(to, sizeof(to), a[1], base ? base + 1 : a[0]) < 0)
                return ATTACK_ERROR;
        return rename(a[0], to) < 0 ? failed() : 0;
}

/* Makes a node in DATA for the device DEVICE (the runner passes
 * /dev/kmsg: the kernel's log) and reads the device through it, whatever
 * the rules say about /dev. */
static int attack_mknod_dev(char **a) {
        struct stat st;
        char path[4096];
        if (stat(a[1], &st) < 0)
                return setup_error("stat %s: %s", a[1], strerrorname_np(errno));
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                return setup_error("%s is not a device", a[1]);
        if (join(path, sizeof(path), a[0], "escape-dev") < 0)
                return ATTACK_ERROR;
        (void) unlink(path);
        if (mknod(path, (st.st_mode & S_IFMT) | 0600, st.st_rdev) < 0)
                return failed();
        int r = read_path(path);
        (void) unlink(path);
        return r;
}

/* Opens a file by its file handle (printed by `hostile handle FILE`
 * outside), with DATA as the mount: no path for Landlock to check. */
static int attack_open_by_handle(char **a) {
        long type;
        size_t len = strlen(a[2]) / 2;
        if (parse_long(a[1], INT32_MIN, INT32_MAX, &type) < 0)
                return ATTACK_ERROR;
        if (len == 0 || len > MAX_HANDLE_SZ || strlen(a[2]) % 2 != 0)
                return setup_error("bad handle '%s'", a[2]);
        _cleanup_free_ struct file_handle *fh = calloc(1, sizeof(*fh) + MAX_HANDLE_SZ);
        if (!fh)
                return setup_error("out of memory");
        fh->handle_bytes = (unsigned) len;
        fh->handle_type = (int) type;
        for (size_t i = 0; i < len; i++) {
                unsigned byte;
                if (sscanf(a[2] + 2 * i, "%2x", &byte) != 1)
                        return setup_error("bad handle '%s'", a[2]);
                fh->f_handle[i] = (unsigned char) byte;
        }
        _cleanup_close_ int mount_fd = open(a[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (mount_fd < 0)
                return setup_error("cannot open %s: %s", a[0], strerrorname_np(errno));
        _cleanup_close_ int fd = open_by_handle_at(mount_fd, fh, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return failed();
        return read_some(fd);
}

/* ---- executing ------------------------------------------------------ */

static int attack_exec(char **a) {
        return run_program(a[0], -1, a);
}

/* Copies PROGRAM into DATA (writable, never executable) and runs it. */
static int attack_exec_copy(char **a) {
        char path[4096];
        if (join(path, sizeof(path), a[0], "escape-copy") < 0)
                return ATTACK_ERROR;
        (void) unlink(path);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
        if (fd < 0)
                return setup_error("cannot create %s: %s", path, strerrorname_np(errno));
        if (copy_into(a[1], fd) < 0)
                return ATTACK_ERROR;
        close(steal_fd(&fd));
        return run_program(path, -1, a + 1);
}

/* Copies PROGRAM into an anonymous memory file and runs that: no path for
 * Landlock to check. */
static int attack_memfd_exec(char **a) {
        _cleanup_close_ int fd = (int) syscall(SYS_memfd_create, "escape", MFD_CLOEXEC | MFD_EXEC);
        if (fd < 0)
                return failed();
        if (copy_into(a[0], fd) < 0)
                return ATTACK_ERROR;
        return run_program(a[0], fd, a);
}

/* The dynamic loader maps a program itself (mmap PROT_EXEC, no execve of
 * it): `ld.so PROGRAM ARGS`. */
static int attack_exec_ldso(char **a) {
        return run_program(a[0], -1, a);
}

/* ---- other processes -------------------------------------------------- */

static int parse_pid(const char *s, pid_t *ret) {
        long v;
        if (parse_long(s, 2, INT32_MAX, &v) < 0)
                return ATTACK_ERROR;
        *ret = (pid_t) v;
        return 0;
}

static int parse_addr(const char *s, uintptr_t *ret) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 0);
        if (errno != 0 || end == s || *end != '\0' || v == 0)
                return setup_error("bad address '%s'", s);
        *ret = (uintptr_t) v;
        return 0;
}

static int attack_signal(char **a) {
        pid_t pid;
        if (parse_pid(a[0], &pid) < 0)
                return ATTACK_ERROR;
        return kill(pid, SIGUSR1) < 0 ? failed() : 0;
}

/* The process that started the add-on: permit run, whose watchdog
 * enforces the wall time (the runner, outside). */
static int attack_signal_parent(char **a) {
        return kill(getppid(), SIGUSR1) < 0 ? failed() : 0;
}

static int attack_ptrace(char **a) {
        pid_t pid;
        if (parse_pid(a[0], &pid) < 0)
                return ATTACK_ERROR;
        if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0)
                return failed();
        int status;
        while (waitpid(pid, &status, __WALL) < 0)
                if (errno != EINTR)
                        return setup_error("attached, but waitpid: %s", strerrorname_np(errno));
        ptrace(PTRACE_DETACH, pid, NULL, NULL);
        return 0;
}

/* The victim prints the address of a secret string; these read it. */
#define VICTIM_SECRET "permit-victim-secret"

/* The result of reading n bytes of the victim's memory into buf. */
static int check_secret(ssize_t n, const char *buf) {
        if (n < 0)
                return failed();
        if (n != (ssize_t) sizeof(VICTIM_SECRET))
                return setup_error("short read of the victim's memory");
        return memcmp(buf, VICTIM_SECRET, sizeof(VICTIM_SECRET)) == 0 ? 0 :
               setup_error("read the victim's memory but not its secret");
}

static int attack_proc_mem(char **a) {
        pid_t pid;
        uintptr_t addr;
        char path[64], buf[sizeof(VICTIM_SECRET)];
        if (parse_pid(a[0], &pid) < 0 || parse_addr(a[1], &addr) < 0)
                return ATTACK_ERROR;
        snprintf(path, sizeof(path), "/proc/%d/mem", (int) pid);
        _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return failed();
        return check_secret(pread(fd, buf, sizeof(buf), (off_t) addr), buf);
}

static int attack_vm_read(char **a) {
        pid_t pid;
        uintptr_t addr;
        char buf[sizeof(VICTIM_SECRET)];
        if (parse_pid(a[0], &pid) < 0 || parse_addr(a[1], &addr) < 0)
                return ATTACK_ERROR;
        struct iovec local = { buf, sizeof(buf) }, remote = { (void *) addr, sizeof(buf) };
        return check_secret(process_vm_readv(pid, &local, 1, &remote, 1, 0), buf);
}

/* ---- kernel attack surface -------------------------------------------- */

static int attack_unshare_user(char **a) {
        return unshare(CLONE_NEWUSER) < 0 ? failed() : 0;
}

/* The classic way round "unprivileged users cannot mount": a user
 * namespace of one's own, in which one is root. */
static int userns_mount(void *arg) {
        const char *dir = arg;
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
                return failed();
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return failed();
        return mount("escape", dir, "tmpfs", 0, "size=1m") < 0 ? failed() : 0;
}

static int attack_userns_mount(char **a) {
        return in_child(userns_mount, a[0]);
}

static int attack_mount(char **a) {
        if (mount("escape", a[0], "tmpfs", 0, "size=1m") < 0)
                return failed();
        if (umount2(a[0], MNT_DETACH) < 0)
                return setup_error("mounted %s but cannot unmount it: %s", a[0], strerrorname_np(errno));
        return 0;
}

/* After a raw clone system call: the child leaves at once, the parent
 * reaps it. */
static int cloned(long pid) {
        if (pid < 0)
                return failed();
        if (pid == 0)
                _exit(0);
        waitpid((pid_t) pid, NULL, 0);
        return 0;
}

/* clone() with a namespace flag: seccomp sees the flags. */
static int attack_clone_newuser(char **a) {
        return cloned(syscall(SYS_clone, (unsigned long) (CLONE_NEWUSER | SIGCHLD), NULL, NULL, NULL, 0UL));
}

/* clone3(): the flags sit in memory, where seccomp cannot look. */
static int attack_clone3_newuser(char **a) {
        struct {
                uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
        } args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
        return cloned(syscall(SYS_clone3, &args, sizeof(args)));
}

static int attack_keyctl(char **a) {
        long key = syscall(SYS_add_key, "user", "permit-escape", "x", (size_t) 1,
                           (int32_t) KEY_SPEC_PROCESS_KEYRING);
        return key < 0 ? failed() : 0;
}

/* The result of a system call that returns a new descriptor. */
static int opened(long fd) {
        if (fd < 0)
                return failed();
        close((int) fd);
        return 0;
}

static int attack_bpf(char **a) {
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.map_type = BPF_MAP_TYPE_ARRAY;
        attr.key_size = 4;
        attr.value_size = 4;
        attr.max_entries = 1;
        return opened(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)));
}

static int attack_io_uring(char **a) {
        struct io_uring_params p;
        memset(&p, 0, sizeof(p));
        return opened(syscall(SYS_io_uring_setup, 4U, &p));
}

static int attack_perf_event(char **a) {
        struct perf_event_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.size = sizeof(attr);
        attr.type = PERF_TYPE_SOFTWARE;
        attr.config = PERF_COUNT_SW_TASK_CLOCK;
        attr.disabled = 1;
        attr.exclude_kernel = 1;
        attr.exclude_hv = 1;
        return opened(syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

static int attack_userfaultfd(char **a) {
        return opened(syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));
}

/* Pushes a character into the input of the terminal on FD (the one the
 * add-on was started from), as if the user had typed it (CVE-2017-5226).
 * With `hibits`, the command carries bit 32 too: the kernel reads only 32
 * bits of it, a filter comparing 64 would miss it (CVE-2019-10063). */
static int tiocsti(char **a, unsigned long extra) {
        long fd;
        if (parse_long(a[0], 0, INT32_MAX, &fd) < 0)
                return ATTACK_ERROR;
        char c = ' ';
        return syscall(SYS_ioctl, (int) fd, extra | (unsigned long) TIOCSTI, &c) < 0 ? failed() : 0;
}

static int attack_tiocsti(char **a) {
        return tiocsti(a, 0);
}

static int attack_tiocsti_hibits(char **a) {
        return tiocsti(a, 1UL << 32);
}

static int attack_personality(char **a) {
        if (personality(ADDR_NO_RANDOMIZE) < 0)
                return failed();
        int now = personality(0xffffffff);
        return now >= 0 && (now & ADDR_NO_RANDOMIZE) ? 0 : setup_error("personality() accepted but changed nothing");
}

/* socket(AF_INET) through the 32-bit system call table (int $0x80): a
 * filter written for x86_64 numbers only must not let it through. */
static int attack_compat_socket(char **a) {
#if defined(__x86_64__)
        long ret;
        __asm__ volatile("int $0x80"
                         : "=a"(ret)
                         : "a"(359L /* i386 __NR_socket */), "b"((long) AF_INET), "c"((long) SOCK_STREAM), "d"(0L)
                         : "r8", "r9", "r10", "r11", "memory", "cc");
        if (ret < 0)
                return (int) -ret;
        close((int) ret);
        return 0;
#else
        return setup_error("only written for x86_64");
#endif
}

/* Raises the address-space hard limit (CAP_SYS_RESOURCE can). */
static int attack_rlimit_raise(char **a) {
        struct rlimit rl;
        if (getrlimit(RLIMIT_AS, &rl) < 0)
                return setup_error("getrlimit: %s", strerrorname_np(errno));
        if (rl.rlim_max == RLIM_INFINITY) {
                /* Unlimited already: lower it (always allowed) to raise it back. */
                rl.rlim_cur = rl.rlim_max = (rlim_t) 1 << 40;
                if (setrlimit(RLIMIT_AS, &rl) < 0)
                        return setup_error("lowering RLIMIT_AS: %s", strerrorname_np(errno));
        }
        rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
        return setrlimit(RLIMIT_AS, &rl) < 0 ? failed() : 0;
}

/* ---- network ------------------------------------------------------------ */

union addr {
        struct sockaddr sa;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
        struct sockaddr_un un;
};

static int parse_inet(const char *host, const char *port, union addr *addr, socklen_t *len) {
        long p;
        if (parse_long(port, 0, 65535, &p) < 0)
                return ATTACK_ERROR;
        memset(addr, 0, sizeof(*addr));
        if (inet_pton(AF_INET, host, &addr->in.sin_addr) == 1) {
                addr->in.sin_family = AF_INET;
                addr->in.sin_port = htons((uint16_t) p);
                *len = sizeof(addr->in);
        } else if (inet_pton(AF_INET6, host, &addr->in6.sin6_addr) == 1) {
                addr->in6.sin6_family = AF_INET6;
                addr->in6.sin6_port = htons((uint16_t) p);
                *len = sizeof(addr->in6);
        } else {
                return setup_error("bad address '%s'", host);
        }
        return 0;
}

/* A socket of TYPE for the address HOST PORT (a[0], a[1]). */
static int inet_socket(char **a, int type, union addr *addr, socklen_t *len, int *ret_fd) {
        if (parse_inet(a[0], a[1], addr, len) < 0)
                return ATTACK_ERROR;
        *ret_fd = socket(addr->sa.sa_family, type | SOCK_CLOEXEC, 0);
        return *ret_fd < 0 ? failed() : 0;
}

static int attack_tcp_connect(char **a) {
        union addr addr;
        socklen_t len;
        _cleanup_close_ int fd = -1;
        int r = inet_socket(a, SOCK_STREAM, &addr, &len, &fd);
        if (r != 0)
                return r;
        return connect(fd, &addr.sa, len) < 0 ? failed() : 0;
}

/* NAME PORT IP: a connection to NAME:PORT from the network broker inside
 * (permit/addon-net.h); outside, where there is none, straight to IP:PORT. */
static int broker_or_direct(char **a, int *ret_fd) {
        char *direct[2] = { a[2], a[1] };
        union addr addr;
        socklen_t len;
        long port;
        int r, fd;

        if (parse_long(a[1], 1, 65535, &port) < 0)
                return ATTACK_ERROR;
        if (permit_addon_broker_fd() >= 0) {
                fd = permit_addon_connect(a[0], (unsigned) port);
                if (fd < 0) {
                        errno = -fd;
                        return failed();
                }
                *ret_fd = fd;
                return 0;
        }
        r = inet_socket(direct, SOCK_STREAM, &addr, &len, &fd);
        if (r != 0)
                return r;
        if (connect(fd, &addr.sa, len) < 0) {
                r = failed();
                close(fd);
                return r;
        }
        *ret_fd = fd;
        return 0;
}

static int attack_broker_connect(char **a) {
        _cleanup_close_ int fd = -1;
        return broker_or_direct(a, &fd);
}

/* NAME PORT IP HOST2 PORT2: a granted connection, disconnected
 * (connect(AF_UNSPEC)) and aimed at HOST2:PORT2 instead. */
static int attack_broker_reconnect(char **a) {
        _cleanup_close_ int fd = -1;
        struct sockaddr unspec = { .sa_family = AF_UNSPEC };
        union addr addr;
        socklen_t len;
        int r = broker_or_direct(a, &fd);

        if (r != 0)
                return r == ATTACK_ERROR ? r : setup_error("the granted connection failed: %s", strerror(r));
        if (parse_inet(a[3], a[4], &addr, &len) < 0)
                return ATTACK_ERROR;
        if (connect(fd, &unspec, sizeof(unspec)) < 0)
                return setup_error("connect(AF_UNSPEC): %s", strerror(errno));
        return connect(fd, &addr.sa, len) < 0 ? failed() : 0;
}

static int tcp_listen(char **a, int *ret_fd) {
        union addr addr;
        socklen_t len;
        _cleanup_close_ int fd = -1;
        int r = inet_socket(a, SOCK_STREAM, &addr, &len, &fd);
        if (r != 0)
                return r;
        int one = 1;
        (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, &addr.sa, len) < 0 || listen(fd, 4) < 0)
                return failed();
        *ret_fd = steal_fd(&fd);
        return 0;
}

static int attack_tcp_listen(char **a) {
        _cleanup_close_ int fd = -1;
        return tcp_listen(a, &fd);
}

/* Listens and waits (5 s at most) for one client to connect and send a
 * line: what a granted net.listen is for. */
static int attack_tcp_accept(char **a) {
        _cleanup_close_ int fd = -1;
        int r = tcp_listen(a, &fd);
        if (r != 0)
                return r;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int n = poll(&p, 1, 5000);
        if (n <= 0)
                return n == 0 ? setup_error("no client connected within 5 s") : failed();
        _cleanup_close_ int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
                return failed();
        return read_some(c);
}

static int attack_udp_send(char **a) {
        union addr addr;
        socklen_t len;
        _cleanup_close_ int fd = -1;
        int r = inet_socket(a, SOCK_DGRAM, &addr, &len, &fd);
        if (r != 0)
                return r;
        return sendto(fd, "x", 1, 0, &addr.sa, len) < 0 ? failed() : 0;
}

static int just_socket(int family, int type, int protocol) {
        int fd = socket(family, type | SOCK_CLOEXEC, protocol);
        if (fd < 0)
                return failed();
        close(fd);
        return 0;
}

static int attack_packet_socket(char **a) {
        return just_socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
}

static int attack_raw_socket(char **a) {
        return just_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
}

static int attack_netlink_socket(char **a) {
        _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return failed();
        struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
        return bind(fd, (struct sockaddr *) &nl, sizeof(nl)) < 0 ? failed() : 0;
}

static int unix_connect(const char *name, bool abstract) {
        union addr addr;
        memset(&addr, 0, sizeof(addr));
        addr.un.sun_family = AF_UNIX;
        size_t n = strlen(name), off = abstract ? 1 : 0;
        if (n + off >= sizeof(addr.un.sun_path))
                return setup_error("socket name too long");
        memcpy(addr.un.sun_path + off, name, n);
        socklen_t len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + off + n + (abstract ? 0 : 1));
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return failed();
        return connect(fd, &addr.sa, len) < 0 ? failed() : 0;
}

static int attack_unix_connect(char **a) {
        return unix_connect(a[0], false);
}

static int attack_unix_abstract(char **a) {
        return unix_connect(a[0], true);
}

/* ---- resources ---------------------------------------------------------- */

/* Starts N processes that stay alive, then kills them: a fork bomb that
 * stops by itself. */
static int attack_fork_bomb(char **a) {
        long n;
        if (parse_long(a[0], 1, 4096, &n) < 0)
                return ATTACK_ERROR;
        _cleanup_free_ pid_t *pids = calloc((size_t) n, sizeof(pid_t));
        if (!pids)
                return setup_error("out of memory");
        pid_t parent = getpid();
        int r = 0;
        long made = 0;
        for (; made < n; made++) {
                pid_t pid = fork();
                if (pid < 0) {
                        r = failed();
                        break;
                }
                if (pid == 0) {
                        prctl(PR_SET_PDEATHSIG, SIGKILL);
                        if (getppid() == parent)
                                pause();
                        _exit(0);
                }
                pids[made] = pid;
        }
        for (long i = 0; i < made; i++)
                kill(pids[i], SIGKILL);
        for (long i = 0; i < made; i++)
                waitpid(pids[i], NULL, 0);
        return r;
}

/* Maps and touches MB mebibytes, one at a time. */
static int attack_memory(char **a) {
        long mb;
        if (parse_long(a[0], 1, 65536, &mb) < 0)
                return ATTACK_ERROR;
        for (long i = 0; i < mb; i++) {
                void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (p == MAP_FAILED)
                        return failed();
                memset(p, 0xa5, 1 << 20);
        }
        return 0;
}

static double cpu_time(void) {
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Burns SECONDS of CPU, ignoring SIGXCPU. */
static int attack_cpu(char **a) {
        double seconds;
        if (parse_seconds(a[0], &seconds) < 0)
                return ATTACK_ERROR;
        signal(SIGXCPU, SIG_IGN);
        volatile unsigned long spin = 0;
        while (cpu_time() < seconds)
                for (int i = 0; i < 100000; i++)
                        spin++;
        return 0;
}

static int attack_open_files(char **a) {
        long n;
        if (parse_long(a[0], 1, 65536, &n) < 0)
                return ATTACK_ERROR;
        for (long i = 0; i < n; i++)
                if (fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3) < 0)
                        return failed();
        return 0;
}

/* Writes MB mebibytes to DATA/escape-big, ignoring SIGXFSZ. */
static int attack_file_size(char **a) {
        long mb;
        char path[4096];
        if (parse_long(a[1], 1, 65536, &mb) < 0 || join(path, sizeof(path), a[0], "escape-big") < 0)
                return ATTACK_ERROR;
        signal(SIGXFSZ, SIG_IGN);
        (void) unlink(path);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
                return setup_error("cannot create %s: %s", path, strerrorname_np(errno));
        _cleanup_free_ char *chunk = calloc(1, 1 << 20);
        if (!chunk)
                return setup_error("out of memory");
        int r = 0;
        for (long i = 0; i < mb && r == 0; i++)
                r = write_all(fd, chunk, 1 << 20);
        (void) unlink(path);
        return r;
}

static int attack_sleep(char **a) {
        double seconds;
        if (parse_seconds(a[0], &seconds) < 0)
                return ATTACK_ERROR;
        struct timespec ts = { (time_t) seconds, (long) ((seconds - (double) (time_t) seconds) * 1e9) };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
        return 0;
}

/* Reads through a file descriptor the host left open. */
static int attack_inherited_fd(char **a) {
        long fd;
        if (parse_long(a[0], 0, INT32_MAX, &fd) < 0)
                return ATTACK_ERROR;
        struct stat st;
        if (fstat((int) fd, &st) < 0)
                return failed();
        if (!S_ISREG(st.st_mode))
                return setup_error("fd %ld is open but is not the inherited file", fd);
        char c;
        ssize_t n = pread((int) fd, &c, 1, 0);
        if (n < 0)
                return failed();
        return n == 1 ? 0 : setup_error("the inherited file is empty");
}

/* ---- helpers for the runner: not attacks -------------------------------- */

/* Prints FILE's handle as "TYPE HEX", for open-by-handle. */
static int print_handle(const char *file) {
        _cleanup_free_ struct file_handle *fh = calloc(1, sizeof(*fh) + MAX_HANDLE_SZ);
        int mount_id;
        if (!fh)
                return 2;
        fh->handle_bytes = MAX_HANDLE_SZ;
        if (name_to_handle_at(AT_FDCWD, file, fh, &mount_id, 0) < 0) {
                fprintf(stderr, "hostile handle: %s: %s\n", file, strerror(errno));
                return 2;
        }
        printf("%d ", fh->handle_type);
        for (unsigned i = 0; i < fh->handle_bytes; i++)
                printf("%02x", fh->f_handle[i]);
        printf("\n");
        return 0;
}


_Noreturn static void victim(void) {
        static const char secret[] = VICTIM_SECRET;
        signal(SIGUSR1, SIG_IGN);
        prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY); /* for Yama, where it is on */
        printf("ready %d %p\n", (int) getpid(), (const void *) secret);
        fflush(stdout);
        for (;;)
                pause();
}

struct attack {
        const char *name;
        int nargs; /* exact, or -N: at least N */
        const char *args;
        int (*fn)(char **args);
};

static const struct attack attacks[] = {
        { "read", 1, "FILE", attack_read },
        { "list", 1, "DIR", attack_list },
        { "create", 1, "DIR", attack_create },
        { "overwrite", 1, "FILE", attack_overwrite },
        { "append", 1, "FILE", attack_append },
        { "delete", 1, "FILE", attack_delete },
        { "rename", 1, "FILE", attack_rename },
        { "truncate", 1, "FILE", attack_truncate },
        { "chmod", 1, "FILE", attack_chmod },
        { "symlink-read", 2, "DATA TARGET", attack_symlink_read },
        { "symlink-write", 2, "DATA TARGET", attack_symlink_write },
        { "symlink-dir", 2, "DATA DIR", attack_symlink_dir },
        { "hardlink-read", 2, "DATA TARGET", attack_hardlink_read },
        { "hardlink-write", 2, "DATA TARGET", attack_hardlink_write },
        { "rename-out", 2, "DATA DEST", attack_rename_out },
        { "rename-in", 2, "FILE DATA", attack_rename_in },
        { "mknod-dev", 2, "DATA DEVICE", attack_mknod_dev },
        { "open-by-handle", 3, "DATA TYPE HEX", attack_open_by_handle },
        { "exec", -1, "PROGRAM [ARGS]", attack_exec },
        { "exec-copy", -2, "DATA PROGRAM [ARGS]", attack_exec_copy },
        { "memfd-exec", -1, "PROGRAM [ARGS]", attack_memfd_exec },
        { "exec-ldso", -2, "LDSO PROGRAM [ARGS]", attack_exec_ldso },
        { "signal", 1, "PID", attack_signal },
        { "signal-parent", 0, "", attack_signal_parent },
        { "ptrace", 1, "PID", attack_ptrace },
        { "proc-mem", 2, "PID ADDR", attack_proc_mem },
        { "vm-read", 2, "PID ADDR", attack_vm_read },
        { "unshare-user", 0, "", attack_unshare_user },
        { "userns-mount", 1, "DIR", attack_userns_mount },
        { "clone-newuser", 0, "", attack_clone_newuser },
        { "clone3-newuser", 0, "", attack_clone3_newuser },
        { "mount", 1, "DIR", attack_mount },
        { "keyctl", 0, "", attack_keyctl },
        { "bpf", 0, "", attack_bpf },
        { "io-uring", 0, "", attack_io_uring },
        { "perf-event", 0, "", attack_perf_event },
        { "userfaultfd", 0, "", attack_userfaultfd },
        { "tiocsti", 1, "TTY_FD", attack_tiocsti },
        { "tiocsti-hibits", 1, "TTY_FD", attack_tiocsti_hibits },
        { "personality", 0, "", attack_personality },
        { "compat-socket", 0, "", attack_compat_socket },
        { "rlimit-raise", 0, "", attack_rlimit_raise },
        { "tcp-connect", 2, "HOST PORT", attack_tcp_connect },
        { "broker-connect", 3, "NAME PORT IP", attack_broker_connect },
        { "broker-connect-then", 5, "NAME PORT IP HOST2 PORT2", attack_broker_reconnect },
        { "tcp-listen", 2, "HOST PORT", attack_tcp_listen },
        { "tcp-accept", 2, "HOST PORT", attack_tcp_accept },
        { "udp-send", 2, "HOST PORT", attack_udp_send },
        { "packet-socket", 0, "", attack_packet_socket },
        { "raw-socket", 0, "", attack_raw_socket },
        { "netlink-socket", 0, "", attack_netlink_socket },
        { "unix-connect", 1, "PATH", attack_unix_connect },
        { "unix-abstract", 1, "NAME", attack_unix_abstract },
        { "fork-bomb", 1, "N", attack_fork_bomb },
        { "memory", 1, "MB", attack_memory },
        { "cpu", 1, "SECONDS", attack_cpu },
        { "open-files", 1, "N", attack_open_files },
        { "file-size", 2, "DATA MB", attack_file_size },
        { "sleep", 1, "SECONDS", attack_sleep },
        { "inherited-fd", 1, "FD", attack_inherited_fd },
};

static void usage(FILE *f) {
        fprintf(f, "usage: hostile ATTACK [ARGS]\n"
                   "       hostile victim        (a target: prints \"ready PID ADDR\", waits)\n"
                   "       hostile handle FILE   (prints FILE's handle for open-by-handle)\n"
                   "attacks:\n");
        for (size_t i = 0; i < ELEMENTSOF(attacks); i++)
                fprintf(f, "  %s %s\n", attacks[i].name, attacks[i].args);
}

int main(int argc, char **argv) {
        if (argc < 2) {
                usage(stderr);
                return 2;
        }
        if (streq(argv[1], "--help")) {
                usage(stdout);
                return 0;
        }
        if (streq(argv[1], "--list")) {
                for (size_t i = 0; i < ELEMENTSOF(attacks); i++)
                        printf("%s\n", attacks[i].name);
                return 0;
        }
        if (streq(argv[1], "victim"))
                victim();
        if (streq(argv[1], "handle") && argc == 3)
                return print_handle(argv[2]);
        for (size_t i = 0; i < ELEMENTSOF(attacks); i++) {
                const struct attack *at = &attacks[i];
                if (!streq(argv[1], at->name))
                        continue;
                int given = argc - 2;
                if (at->nargs >= 0 ? given != at->nargs : given < -at->nargs) {
                        printf("%s: error usage: hostile %s %s\n", at->name, at->name, at->args);
                        return 2;
                }
                int r = at->fn(argv + 2);
                if (r == 0)
                        printf("%s: ok\n", at->name);
                else if (r > 0)
                        printf("%s: denied %s\n", at->name, strerrorname_np(r) ? strerrorname_np(r) : "unknown-errno");
                else
                        printf("%s: error %s\n", at->name, error_text);
                fflush(stdout);
                return r == 0 ? 0 : r > 0 ? 1 : 2;
        }
        printf("%s: error unknown attack (hostile --help lists them)\n", argv[1]);
        return 2;
}
