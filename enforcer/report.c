/* SPDX-License-Identifier: MIT */
/* The enforcement report: for each capability and each protection, how
 * well this kernel enforces it (doc/capabilities.md explains every line),
 * and in JSON every rule too. Also `permit doctor`'s view of the machine. */
#include <jansson.h>
#include <stdarg.h>

#include "enforcer-private.h"
#include "landlock-abi.h"

typedef void (*add_fn)(void *userdata, const char *name, enforcement s, const char *mechanism, const char *note);

static void add(add_fn f, void *u, const char *name, enforcement s, const char *mechanism, const char *format, ...)
        _printf_(6, 7);
static void add(add_fn f, void *u, const char *name, enforcement s, const char *mechanism, const char *format, ...) {
        char note[256];
        va_list ap;

        va_start(ap, format);
        vsnprintf(note, sizeof(note), format, ap);
        va_end(ap);
        f(u, name, s, mechanism, note);
}

void report_protections(const permit_ruleset *rs, add_fn f, void *u) {
        unsigned abi = rs->abi;
        bool sc = rs->seccomp, net_granted = rs->allow_inet;
        const permit_sandbox_limits *l = &rs->policy.limits;

        if (abi >= 3)
                add(f, u, "filesystem", ENFORCED, "Landlock", "only the system paths, $ADDON (read), $DATA and $TMP, "
                    "and the granted paths are visible");
        else if (abi >= 1)
                add(f, u, "filesystem", PARTLY, "Landlock",
                    "Landlock ABI %u < 3: truncate() of readable files is not restricted%s", abi,
                    abi < 2 ? "; renaming or linking across folders fails with EXDEV" : "");
        else
                add(f, u, "filesystem", NOT_ENFORCED, "none", "no Landlock: every file the user can reach is open");

        if (abi >= 1 && sc)
                add(f, u, "exec", ENFORCED, "Landlock (execute) + seccomp (execveat by descriptor, memfd_create)",
                    "only the entry program and programs granted by proc.exec; ld.so can still map a readable "
                    "file (the sandbox's other limits bind what it runs)");
        else if (abi >= 1)
                add(f, u, "exec", PARTLY, "Landlock (execute)",
                    "without seccomp a file can be run by its descriptor (fexecve of a memfd)");
        else
                add(f, u, "exec", NOT_ENFORCED, "none", "no Landlock: any program can run");

        if (rs->policy.net == PERMIT_NET_PROXY) {
                if (abi < 4 || !sc)
                        add(f, u, "network", PARTLY, "proxy mode: network namespace (loopback only)",
                            "%s: the add-on can reach any port of its own loopback only",
                            !sc ? "no seccomp" : "Landlock ABI < 4");
                else
                        add(f, u, "network", ENFORCED,
                            "proxy mode: network namespace (loopback only) + Landlock (TCP to the proxy only) + seccomp "
                            "(TCP only)",
                            "only the broker's HTTP proxy (127.0.0.1:%d) is reachable; it allows granted hosts and "
                            "ports", PERMIT_PROXY_PORT);
        } else if (rs->policy.net == PERMIT_NET_BROKER) {
                if (!sc)
                        add(f, u, "network", NOT_ENFORCED, "none", "no seccomp: the network is open");
                else if (abi < 4)
                        add(f, u, "network", PARTLY, "broker mode: seccomp (no IP sockets)",
                            "Landlock ABI %u < 4: a socket given by the broker can be re-connected elsewhere", abi);
                else
                        add(f, u, "network", ENFORCED, "broker mode: seccomp (no IP sockets) + Landlock (no TCP connect/bind)",
                            "connections only from the network broker, checked by host name and port");
        } else if (!net_granted)
                add(f, u, "network", sc ? ENFORCED : NOT_ENFORCED, sc ? "seccomp (no IP sockets)" : "none",
                    sc ? "socket(AF_INET/AF_INET6) fails with EACCES%s" : "no seccomp: the network is open",
                    abi >= 4 ? "; Landlock denies TCP bind and connect too" : "");
        else if (abi >= 4)
                add(f, u, "network", rs->connect_any_port ? PARTLY : ENFORCED, "Landlock (TCP ports) + seccomp (TCP only)",
                    "%s", rs->connect_any_port ? "TCP connect to any port (a net.connect grant has no port)"
                                                : "TCP to the granted ports only; no UDP or raw sockets");
        else
                add(f, u, "network", NOT_ENFORCED, "seccomp (TCP only)",
                    "Landlock ABI %u < 4: TCP bind and connect on any port", abi);

        add(f, u, "other sockets", sc ? ENFORCED : NOT_ENFORCED, sc ? "seccomp" : "none",
            "%s", sc ? "UDP, raw, packet, netlink and every other family fail with EACCES"
                     : "no seccomp: every socket family is open");

        if (!rs->allow_unix)
                add(f, u, "unix sockets", sc ? ENFORCED : NOT_ENFORCED, sc ? "seccomp" : "none", "%s",
                    sc ? "socket(AF_UNIX) fails with EACCES (only the host socket and socketpair())"
                       : "no seccomp: any unix socket can be connected to");
        else
                add(f, u, "unix sockets", PARTLY, "seccomp",
                    "AF_UNIX allowed for a grant: connect() by path is not covered (Landlock ABI 9)");

        if (!rs->allow_unix && sc)
                add(f, u, "abstract unix sockets", ENFORCED, abi >= 6 ? "seccomp + Landlock (scope)" : "seccomp",
                    "no unix sockets at all");
        else if (rs->allow_unix)
                add(f, u, "abstract unix sockets", NOT_ENFORCED, "none",
                    "%s", abi >= 6 ? "scope lifted for the display (X11 uses an abstract socket)"
                                   : "Landlock ABI < 6 cannot scope them");
        else
                add(f, u, "abstract unix sockets", abi >= 6 ? ENFORCED : NOT_ENFORCED,
                    abi >= 6 ? "Landlock (scope)" : "none", "%s", abi >= 6 ? "" : "Landlock ABI < 6");

        if (abi >= 6)
                add(f, u, "signals", ENFORCED, "Landlock (scope)",
                    "kill() of a process outside the sandbox fails with EPERM");
        else
                add(f, u, "signals", NOT_ENFORCED, "none",
                    "Landlock ABI %u < 6: the add-on can signal every process of its user", abi);

        if (sc)
                add(f, u, "ptrace", ENFORCED, abi >= 1 ? "seccomp + Landlock" : "seccomp",
                    "ptrace, process_vm_*, pidfd_getfd fail with EPERM%s",
                    abi >= 1 ? "; /proc is not visible" : "");
        else
                add(f, u, "ptrace", abi >= 1 ? PARTLY : NOT_ENFORCED, abi >= 1 ? "Landlock" : "none",
                    "%s", abi >= 1 ? "only processes outside the sandbox are protected" : "");

        if (abi >= 5)
                add(f, u, "device ioctl", ENFORCED, "Landlock", "ioctl only on granted devices");
        else
                add(f, u, "device ioctl", abi >= 1 ? PARTLY : NOT_ENFORCED, "none",
                    "Landlock ABI %u < 5: ioctl on visible device files (/dev/null...) is not restricted", abi);

        add(f, u, "kernel interfaces", sc ? ENFORCED : NOT_ENFORCED, sc ? "seccomp" : "none",
            "%s", sc ? "mount, namespaces, bpf, keyctl, io_uring, perf, userfaultfd, modules... fail with EPERM"
                     : "no seccomp");
        add(f, u, "terminal injection", sc ? ENFORCED : NOT_ENFORCED, sc ? "seccomp" : "none",
            "%s", sc ? "ioctl TIOCSTI and TIOCLINUX fail with EPERM (low 32 bits compared)" : "no seccomp");
        add(f, u, "privileges", ENFORCED, "no_new_privs + capabilities dropped",
            "setuid programs do not gain privileges; no Linux capability, even as root");
        add(f, u, "file descriptors", ENFORCED, "close_range", "only 0-2 (and the host socket) are inherited");

        if (l->memory_mb)
                add(f, u, "limit memory", ENFORCED, "RLIMIT_AS", "%llu MiB of address space%s",
                    (unsigned long long) l->memory_mb,
                    restrict_self_limits_address_space() ? ""
                                                         : " (permit_restrict_self: not in this AddressSanitizer build)");
        if (l->cpu_seconds)
                add(f, u, "limit cpu", ENFORCED, "RLIMIT_CPU", "%llu s of CPU", (unsigned long long) l->cpu_seconds);
        if (l->processes)
                add(f, u, "limit processes", rs->is_root ? PARTLY : ENFORCED, "RLIMIT_NPROC", "%llu%s",
                    (unsigned long long) l->processes,
                    rs->is_root ? ": the kernel does not apply it to uid 0" : " processes of the user");
        if (l->open_files)
                add(f, u, "limit open files", ENFORCED, "RLIMIT_NOFILE", "%llu", (unsigned long long) l->open_files);
        if (l->file_size_mb)
                add(f, u, "limit file size", ENFORCED, "RLIMIT_FSIZE", "%llu MiB, then EFBIG",
                    (unsigned long long) l->file_size_mb);
        if (l->wall_seconds)
                add(f, u, "limit wall time", ENFORCED, "watchdog (SIGKILL)", "%llu s",
                    (unsigned long long) l->wall_seconds);
}

static void any_partial(void *u, const char *name, enforcement s, const char *mechanism, const char *note) {
        if (s != ENFORCED)
                *(bool *) u = false;
}

_public_ bool permit_ruleset_fully_enforced(const permit_ruleset *rs) {
        bool full = true;

        if (!rs)
                return false;
        for (size_t i = 0; i < rs->n_caps; i++)
                if (rs->caps[i].status != ENFORCED)
                        return false;
        report_protections(rs, any_partial, &full);
        return full;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *bits(uint64_t mask, const char *(*name)(unsigned bit)) {
        json_t *a = json_array();

        for (unsigned b = 0; a && b < 64; b++)
                if ((mask & (1ULL << b)) && name(b))
                        json_array_append_new(a, json_string(name(b)));
        return a;
}

static void json_protection(void *u, const char *name, enforcement s, const char *mechanism, const char *note) {
        json_array_append_new(u, json_pack("{s:s, s:s, s:s, s:s}", "name", name, "status", status_name(s),
                                           "mechanism", mechanism, "note", note));
}

static const char *errno_name(int e) {
        return e == EPERM ? "EPERM" : e == EACCES ? "EACCES" : e == ENOSYS ? "ENOSYS" : "?";
}

static json_t *report_json(const permit_ruleset *rs) {
        json_t *o = json_object(), *caps = json_array(), *prot = json_array(), *fs = json_array(), *net = json_array(),
               *denied = json_array(), *missing = json_array(), *families = json_array();
        const permit_sandbox_limits *l = &rs->policy.limits;

        for (size_t i = 0; i < rs->n_caps; i++)
                json_array_append_new(caps, json_pack("{s:s, s:s, s:s, s:s}", "id", rs->caps[i].id, "status",
                                                      status_name(rs->caps[i].status), "mechanism",
                                                      rs->caps[i].mechanism, "note", rs->caps[i].note));
        report_protections(rs, json_protection, prot);
        for (size_t i = 0; i < rs->n_fs; i++)
                json_array_append_new(fs, json_pack("{s:s, s:o, s:s}", "path", rs->fs[i].path, "access",
                                                    bits(rs->fs[i].access, landlock_fs_right_name), "for",
                                                    rs->fs[i].why));
        for (size_t i = 0; i < rs->n_missing; i++)
                json_array_append_new(missing, json_string(rs->missing[i]));
        for (size_t i = 0; i < rs->n_net; i++)
                json_array_append_new(net, json_pack("{s:i, s:o, s:s}", "port", (json_int_t) rs->net[i].port, "access",
                                                     bits(rs->net[i].access, landlock_net_right_name), "for",
                                                     rs->net[i].why));
        for (size_t i = 0; i < seccomp_n_denied_calls; i++)
                json_array_append_new(denied, json_pack("{s:s, s:s}", "syscall", seccomp_denied_calls[i].name, "errno",
                                                        errno_name(seccomp_denied_calls[i].error)));
        if (rs->allow_unix)
                json_array_append_new(families, json_string("AF_UNIX"));
        if (rs->allow_inet) {
                json_array_append_new(families, json_string("AF_INET"));
                json_array_append_new(families, json_string("AF_INET6"));
        }
        json_object_set_new(o, "landlock_abi", json_integer(rs->abi));
        json_object_set_new(o, "kernel_landlock_abi", json_integer(rs->kernel_abi));
        json_object_set_new(o, "seccomp", json_boolean(rs->seccomp));
        json_object_set_new(o, "net_mode", json_string(rs->policy.net == PERMIT_NET_BROKER  ? "broker"
                                                       : rs->policy.net == PERMIT_NET_PROXY ? "proxy"
                                                                                            : "direct"));
        json_object_set_new(o, "fully_enforced", json_boolean(permit_ruleset_fully_enforced(rs)));
        json_object_set_new(o, "entry", rs->entry ? json_string(rs->entry) : json_null());
        json_object_set_new(o, "capabilities", caps);
        json_object_set_new(o, "protections", prot);
        json_object_set_new(o, "landlock",
                            json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "handled_fs",
                                      bits(rs->handled_fs, landlock_fs_right_name), "handled_net",
                                      bits(rs->handled_net, landlock_net_right_name), "scoped",
                                      bits(rs->scoped, landlock_scope_name), "fs", fs, "missing", missing, "net", net));
        json_object_set_new(o, "seccomp_filter",
                            json_pack("{s:b, s:i, s:o, s:o, s:b}", "installed", rs->bpf != NULL, "instructions",
                                      (json_int_t) rs->bpf_len, "denied", denied, "socket_families", families,
                                      "memfd_create", rs->allow_memfd));
        json_object_set_new(o, "limits",
                            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "memory_mb", (json_int_t) l->memory_mb,
                                      "cpu_seconds", (json_int_t) l->cpu_seconds, "processes",
                                      (json_int_t) l->processes, "open_files", (json_int_t) l->open_files,
                                      "file_size_mb", (json_int_t) l->file_size_mb, "wall_seconds",
                                      (json_int_t) l->wall_seconds));
        return o;
}

/* Prints o (and drops it) into *ret. */
static int json_done(json_t *o, char **ret) {
        char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

        json_decref(o);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* ---- text ---------------------------------------------------------------- */

typedef struct text {
        FILE *f;
} text;

static void text_protection(void *u, const char *name, enforcement s, const char *mechanism, const char *note) {
        FILE *f = u;

        fprintf(f, "  %-22s %-13s %s%s%s\n", name, status_name(s), mechanism, *note ? ": " : "", note);
}

static int memstream_done(FILE *f, char **buf, char **ret) {
        if (fclose(f) != 0) {
                free(*buf);
                return -ENOMEM;
        }
        *ret = *buf;
        return 0;
}

_public_ int permit_ruleset_report(const permit_ruleset *rs, bool json, char **ret) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f;

        if (!rs || !ret)
                return -EINVAL;
        if (json)
                return json_done(report_json(rs), ret);
        f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        fprintf(f, "Landlock ABI %u (kernel: %u), seccomp %s; %s\n", rs->abi, rs->kernel_abi,
                rs->bpf ? "filter installed" : "not available",
                permit_ruleset_fully_enforced(rs) ? "fully enforced" : "NOT fully enforced");
        if (rs->policy.net != PERMIT_NET_DIRECT)
                fprintf(f, "Network: %s\n", rs->policy.net == PERMIT_NET_PROXY
                                                     ? "proxy mode (a network namespace holding only the broker's "
                                                       "HTTP proxy, 127.0.0.1:3128)"
                                                     : "broker mode (the network broker serves net.connect and "
                                                       "net.listen)");
        fprintf(f, "Capabilities:%s\n", rs->n_caps ? "" : " none");
        for (size_t i = 0; i < rs->n_caps; i++)
                fprintf(f, "  %-30s %-13s %s: %s\n", rs->caps[i].id, status_name(rs->caps[i].status),
                        rs->caps[i].mechanism, rs->caps[i].note);
        fprintf(f, "Protections:\n");
        report_protections(rs, text_protection, f);
        return memstream_done(f, &buf, ret);
}

/* ---- doctor -------------------------------------------------------------- */

static int read_int(const char *path) {
        char b[32] = "";
        FILE *f = fopen(path, "re");

        if (!f)
                return -1;
        if (!fgets(b, sizeof(b), f))
                b[0] = '\0';
        fclose(f);
        return b[0] ? atoi(b) : -1;
}

_public_ int permit_doctor_report(bool json, char **ret) {
        unsigned abi = landlock_kernel_abi();
        bool sc = seccomp_kernel_support();
        int userns = read_int("/proc/sys/kernel/unprivileged_userns_clone");
        int maxns = read_int("/proc/sys/user/max_user_namespaces");
        bool ns = userns != 0 && maxns != 0;
        struct {
                const char *name;
                unsigned abi;
                const char *what;
        } features[] = {
                { "filesystem", 1, "Landlock file-system rules (read, write, execute, make...)" },
                { "refer", 2, "renaming and linking across folders" },
                { "truncate", 3, "truncate() restricted" },
                { "tcp", 4, "TCP bind and connect by port" },
                { "ioctl_dev", 5, "ioctl on device files restricted" },
                { "scopes", 6, "abstract unix sockets and signals scoped to the sandbox" },
                { "audit", 7, "denials logged to the audit log" },
        };
        char *buf = NULL;
        size_t len = 0;
        FILE *f;

        if (!ret)
                return -EINVAL;
        if (json) {
                json_t *o = json_object(), *feat = json_array();

                for (size_t i = 0; i < ELEMENTSOF(features); i++)
                        json_array_append_new(feat, json_pack("{s:s, s:i, s:b, s:s}", "name", features[i].name, "abi",
                                                              (json_int_t) features[i].abi, "available",
                                                              abi >= features[i].abi, "meaning", features[i].what));
                json_object_set_new(o, "landlock_abi", json_integer(abi));
                json_object_set_new(o, "landlock_abi_known", json_integer(PERMIT_LANDLOCK_ABI_MAX));
                json_object_set_new(o, "landlock_features", feat);
                json_object_set_new(o, "seccomp", json_boolean(sc));
                json_object_set_new(o, "user_namespaces", json_boolean(ns));
                json_object_set_new(o, "uid", json_integer(getuid()));
                return json_done(o, ret);
        }
        f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        fprintf(f, "Landlock: %s ABI %u (permit knows up to %d)\n", abi ? "yes," : "no", abi, PERMIT_LANDLOCK_ABI_MAX);
        for (size_t i = 0; i < ELEMENTSOF(features); i++)
                fprintf(f, "  ABI %u %-10s %-3s %s\n", features[i].abi, features[i].name,
                        abi >= features[i].abi ? "yes" : "no", features[i].what);
        fprintf(f, "seccomp: %s\n", sc ? "yes (system call filter: kernel interfaces, socket families, TIOCSTI)"
                                       : "no (kernel interfaces and sockets are open to add-ons)");
        fprintf(f, "user namespaces: %s (only the network broker's proxy mode needs them, as an ordinary user)\n",
                ns ? "yes" : "no");
        fprintf(f, "running as: uid %u%s\n", (unsigned) getuid(),
                getuid() == 0 ? " (root: the processes limit does not apply; run add-ons as a user)" : "");
        return memstream_done(f, &buf, ret);
}
