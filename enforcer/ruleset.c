/* SPDX-License-Identifier: MIT */
/* The compiler: granted capabilities + host policy + the add-on's folders
 * -> one ruleset (Landlock rules and ruleset fd, seccomp BPF, limits),
 * built once and applied many times. doc/capabilities.md is the prose of
 * this file: change both together. */
#include <dirent.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "enforcer-private.h"
#include "landlock-abi.h"
#include "permit/capability.h"

#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_WRITE                                                                                           \
        (FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
         LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |               \
         LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER |                  \
         LANDLOCK_ACCESS_FS_TRUNCATE)
#define FS_EXEC (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE)
#define FS_DEVICE                                                                                          \
        (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_WRITE_FILE |          \
         LANDLOCK_ACCESS_FS_IOCTL_DEV)

const char *status_name(enforcement s) {
        switch (s) {
        case ENFORCED:
                return "enforced";
        case PARTLY:
                return "partly";
        default:
                return "not enforced";
        }
}

typedef struct compiler {
        permit_ruleset *rs;
        const permit_paths *paths;
        /* Realpaths never visible under any grant: $PROFILE's permit/ (the
         * store), data/ and addons/ (every add-on's own folders); none
         * without a profile. */
        char *hidden[3];
        size_t n_hidden;
        /* ... but for these, beneath them: this add-on's $DATA and $ADDON. */
        char *except[2];
        size_t n_except;
        unsigned depth; /* of add_fs_around_hidden(): links can make a loop */
        permit_error *error;
} compiler;

static int grow(void **array, size_t n, size_t size) {
        void *p;

        if (n % 16 != 0)
                return 0;
        p = reallocarray(*array, n + 16, size);
        if (!p)
                return -ENOMEM;
        *array = p;
        return 0;
}

static int add_missing(permit_ruleset *rs, const char *path) {
        char *p;

        if (grow((void **) &rs->missing, rs->n_missing, sizeof(char *)) < 0 || !(p = strdup(path)))
                return -ENOMEM;
        rs->missing[rs->n_missing++] = p;
        return 0;
}

/* Whether child is path or beneath it (both canonical). */
static bool beneath(const char *path, const char *child) {
        size_t n = strlen(path);

        if (streq(path, "/"))
                return true;
        return strncmp(path, child, n) == 0 && (child[n] == '\0' || child[n] == '/');
}

static int add_fs(compiler *c, const char *path, uint64_t access, const char *why);

/* What a rule over the realpath real meets of the hidden folders. */
typedef enum hidden_kind {
        VISIBLE,  /* nothing hidden in it: one rule */
        HIDDEN,   /* in a hidden folder (and no exception): no rule */
        AROUND,   /* holds a hidden folder, or is one holding an exception: a rule per entry */
} hidden_kind;

static hidden_kind hidden_kind_of(const compiler *c, const char *real) {
        bool in_hidden = false, holds = false;

        for (size_t i = 0; i < c->n_except; i++)
                if (beneath(c->except[i], real))
                        return VISIBLE; /* this add-on's own: holds nothing hidden */
        for (size_t i = 0; i < c->n_hidden; i++) {
                if (beneath(c->hidden[i], real))
                        in_hidden = true;
                else if (beneath(real, c->hidden[i]))
                        holds = true;
        }
        if (in_hidden) {
                for (size_t i = 0; i < c->n_except; i++)
                        if (beneath(real, c->except[i]))
                                return AROUND;
                return HIDDEN;
        }
        return holds ? AROUND : VISIBLE;
}

/* A symbolic link to a hidden folder or one holding one: left out; what it
 * points to is reached by its own path. */
static bool link_to_hidden(const compiler *c, const char *path) {
        _cleanup_free_ char *real = NULL;
        struct stat st;

        if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode))
                return false;
        real = realpath(path, NULL);
        return real && hidden_kind_of(c, real) != VISIBLE;
}

/* A rule over a folder holding a hidden one: one rule per entry of the
 * folder, each checked again (Landlock rules only add, so a folder cannot
 * be subtracted). */
static int add_fs_around_hidden(compiler *c, const char *dir, uint64_t access, const char *why) {
        DIR *d;
        struct dirent *e;
        int r = 0;

        if (c->depth >= 16)
                return permit_error_set(c->error, -ELOOP, NULL,
                                        "%s: %s: too many levels around the profile's hidden folders", why, dir);
        d = opendir(dir);
        if (!d)
                return permit_error_set(c->error, negative_errno(), NULL, "%s: %s", dir, strerror(errno));
        while ((e = readdir(d))) {
                _cleanup_free_ char *child = NULL;

                if (streq(e->d_name, ".") || streq(e->d_name, ".."))
                        continue;
                if (asprintf(&child, "%s%s%s", dir, streq(dir, "/") ? "" : "/", e->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                if (link_to_hidden(c, child))
                        continue;
                c->depth++;
                r = add_fs(c, child, access, why);
                c->depth--;
                if (r < 0)
                        break;
        }
        closedir(d);
        return r;
}

static int add_fs(compiler *c, const char *path, uint64_t access, const char *why) {
        permit_ruleset *rs = c->rs;
        _cleanup_close_ int fd = -1;

        if (c->n_hidden) {
                _cleanup_free_ char *real = realpath(path, NULL);
                hidden_kind k = real ? hidden_kind_of(c, real) : VISIBLE;

                if (k == HIDDEN)
                        return 0;
                if (k == AROUND)
                        return add_fs_around_hidden(c, real, access, why);
        }
        /* Most rules are folders: one open says it is one (no fstat); a
         * file answers ENOTDIR and is opened again as what it is. Swapped
         * for a folder in between, it only gets a file's rights. */
        fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 && errno == ENOTDIR) {
                fd = open(path, O_PATH | O_CLOEXEC);
                access &= PERMIT_LANDLOCK_FILE_RIGHTS;
        }
        if (fd < 0) {
                if (errno == ENOENT || errno == ENOTDIR)
                        return add_missing(rs, path);
                return permit_error_set(c->error, negative_errno(), NULL, "%s: %s", path, strerror(errno));
        }
        access &= rs->handled_fs | (rs->abi == 0 ? ~0ULL : 0); /* without Landlock, list what would be */
        if (grow((void **) &rs->fs, rs->n_fs, sizeof(fs_rule)) < 0)
                return -ENOMEM;
        rs->fs[rs->n_fs] = (fs_rule) { .path = strdup(path), .access = access, .why = why, .fd = -1 };
        if (!rs->fs[rs->n_fs].path)
                return -ENOMEM;
        rs->fs[rs->n_fs++].fd = steal_fd(&fd);
        return 0;
}

static int add_net(permit_ruleset *rs, unsigned port, uint64_t access, const char *why) {
        if (grow((void **) &rs->net, rs->n_net, sizeof(net_rule)) < 0)
                return -ENOMEM;
        rs->net[rs->n_net++] = (net_rule) { .port = (uint16_t) port, .access = access, .why = why };
        return 0;
}

/* $TEMPLATE/rest -> a path; -EINVAL when the template has no folder here. */
static int expand(compiler *c, const char *id, const char *arg, char **ret) {
        static const struct {
                const char *name;
                size_t offset;
                const char *sub;
        } t[] = {
                { "$ADDON", offsetof(permit_paths, addon), "" },
                { "$DATA", offsetof(permit_paths, data), "" },
                { "$TMP", offsetof(permit_paths, tmp), "" },
                { "$PROFILE", offsetof(permit_paths, profile), "" },
                { "$HOME", offsetof(permit_paths, home), "" },
                { "$DOCUMENTS", offsetof(permit_paths, home), "/Documents" },
                { "$DOWNLOADS", offsetof(permit_paths, home), "/Downloads" },
        };
        size_t n = strcspn(arg, "/");

        if (arg[0] != '$')
                return (*ret = strdup(arg)) ? 0 : -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(t); i++) {
                const char *base;

                if (strlen(t[i].name) != n || strncmp(arg, t[i].name, n) != 0)
                        continue;
                base = *(const char *const *) ((const char *) c->paths + t[i].offset);
                if (!base || base[0] != '/')
                        return permit_error_set(c->error, -EINVAL, NULL, "%s: no folder for %s here", id, t[i].name);
                return asprintf(ret, "%s%s%s", base, t[i].sub, arg + n) < 0 ? -ENOMEM : 0;
        }
        return permit_error_set(c->error, -EINVAL, NULL, "%s: unknown path template", id);
}

static unsigned port_of(const char *arg) {
        const char *colon = strrchr(arg, ':');

        if (!colon || (arg[0] == '[' && colon < strchr(arg, ']')))
                return 0;
        return (unsigned) strtoul(colon + 1, NULL, 10);
}

static void note(cap_entry *e, enforcement s, const char *mechanism, const char *format, ...) _printf_(4, 5);
static void note(cap_entry *e, enforcement s, const char *mechanism, const char *format, ...) {
        va_list ap;

        e->status = s;
        e->mechanism = mechanism;
        va_start(ap, format);
        vsnprintf(e->note, sizeof(e->note), format, ap);
        va_end(ap);
}

/* Broker and proxy mode: the grant opens nothing in the sandbox; the broker
 * checks each request by name (permit/broker.h). Fully enforced when the
 * add-on can neither make IP sockets (seccomp) nor re-aim a socket it was
 * given (Landlock handles TCP connect and bind with no rule, ABI >= 4: a
 * passed socket disconnected with connect(AF_UNSPEC) cannot connect again). */
static int compile_brokered(permit_ruleset *rs, cap_entry *e) {
        bool listen = streq(e->kind, "net.listen");
        const char *what = listen ? "listening socket on 127.0.0.1" : "connection";

        if (listen && rs->policy.net == PERMIT_NET_PROXY) {
                /* A socket listening in the add-on's namespace is reachable by no one. */
                note(e, ENFORCED, "proxy mode (network namespace)", "not served in proxy mode: nothing outside the "
                     "add-on's namespace can reach it");
                return 0;
        }

        if (!rs->seccomp)
                note(e, NOT_ENFORCED, "network broker", "no seccomp: the add-on can open any socket itself");
        else if (rs->abi < 4)
                note(e, PARTLY, "network broker + seccomp (no IP sockets)",
                     "%s %s via broker; Landlock ABI %u < 4: a socket it was given can be re-connected elsewhere",
                     e->id, what, rs->abi);
        else
                note(e, ENFORCED,
                     rs->policy.net == PERMIT_NET_PROXY
                             ? "network broker's proxy + network namespace + Landlock (TCP to the proxy only)"
                             : "network broker + seccomp (no IP sockets) + Landlock (no TCP connect/bind)",
                     "%s via %s (fully enforced): each %s checked by host name and port", e->id,
                     rs->policy.net == PERMIT_NET_PROXY ? "proxy" : "broker", what);
        return 0;
}

/* What one capability adds to the rules, and how well it is enforced. */
static int compile_capability(compiler *c, cap_entry *e) {
        permit_ruleset *rs = c->rs;
        const char *k = e->kind;
        bool ll = rs->abi > 0;
        int r;

        if (streq(k, "fs.read") || streq(k, "fs.write")) {
                _cleanup_free_ char *path = NULL;
                size_t before = rs->n_missing;

                r = expand(c, e->id, e->argument, &path);
                if (r < 0)
                        return r;
                r = add_fs(c, path, streq(k, "fs.write") ? FS_WRITE : FS_READ, e->id);
                if (r < 0)
                        return r;
                if (!ll)
                        note(e, NOT_ENFORCED, "none", "no Landlock: every file the user can reach is open");
                else if (rs->n_missing > before)
                        note(e, ENFORCED, "Landlock", "%s does not exist: nothing granted", path);
                else
                        note(e, ENFORCED, "Landlock", "%s only", path);
                return 0;
        }
        if (streq(k, "proc.exec")) {
                if (streq(e->argument, "*"))
                        r = add_fs(c, "/", FS_EXEC, e->id);
                else
                        r = add_fs(c, e->argument, FS_EXEC, e->id);
                if (r < 0)
                        return r;
                if (ll)
                        note(e, ENFORCED, "Landlock (execute)", "%s", streq(e->argument, "*") ? "any program" : e->argument);
                else
                        note(e, NOT_ENFORCED, "none", "no Landlock: any program can run");
                return 0;
        }
        if ((streq(k, "net.listen") || streq(k, "net.connect")) && rs->policy.net != PERMIT_NET_DIRECT)
                return compile_brokered(rs, e);
        if (streq(k, "net.listen")) {
                rs->allow_inet = true;
                if (rs->abi >= 4) {
                        r = add_net(rs, port_of(e->id), LANDLOCK_ACCESS_NET_BIND_TCP, e->id);
                        if (r < 0)
                                return r;
                        note(e, PARTLY, "Landlock (TCP port) + seccomp (TCP only)",
                             "binding port %u only, but on any address, not only loopback", port_of(e->id));
                } else
                        note(e, NOT_ENFORCED, "seccomp (TCP only)",
                             "Landlock ABI %u < 4: TCP bind and connect on any port", rs->abi);
                return 0;
        }
        if (streq(k, "net.connect")) {
                unsigned port = port_of(e->argument);

                rs->allow_inet = true;
                if (port == 0)
                        rs->connect_any_port = true;
                else if (rs->abi >= 4 && (r = add_net(rs, port, LANDLOCK_ACCESS_NET_CONNECT_TCP, e->id)) < 0)
                        return r;
                if (rs->abi >= 4 && port)
                        note(e, PARTLY, "Landlock (TCP port) + seccomp (TCP only)",
                             "port %u only; the host is not checked (no network broker in this sandbox)", port);
                else
                        note(e, PARTLY, "seccomp (TCP only)",
                             "any TCP port and host (%s; no network broker in this sandbox)",
                             port ? "Landlock ABI < 4" : "no port given");
                return 0;
        }
        if (streq(k, "sys.display")) {
                _cleanup_free_ char *xauth = NULL;

                rs->allow_unix = rs->allow_memfd = true;
                if ((r = add_fs(c, "/etc/fonts", FS_READ, e->id)) < 0)
                        return r;
                if (c->paths->home && asprintf(&xauth, "%s/.Xauthority", c->paths->home) >= 0 &&
                    (r = add_fs(c, xauth, FS_READ, e->id)) < 0)
                        return r;
                note(e, PARTLY, "seccomp (unix sockets allowed)",
                     "any unix socket can be connected to by path (Landlock covers that from ABI 9); the "
                     "abstract unix scope is lifted for X11; memfd_create is allowed");
                return 0;
        }
        if (streq(k, "dev.camera") || streq(k, "dev.microphone")) {
                static const char *const camera[] = { "/dev/video0", "/dev/video1", "/dev/video2", "/dev/video3",
                                                      "/dev/media0", "/dev/media1" };
                static const char *const microphone[] = { "/dev/snd" };
                bool cam = streq(k, "dev.camera");

                for (size_t i = 0; i < (cam ? ELEMENTSOF(camera) : ELEMENTSOF(microphone)); i++)
                        if ((r = add_fs(c, cam ? camera[i] : microphone[i], FS_DEVICE, e->id)) < 0)
                                return r;
                if (!ll)
                        note(e, NOT_ENFORCED, "none", "no Landlock: every device the user can open");
                else
                        note(e, ENFORCED, "Landlock (device nodes)", "%s", cam ? "/dev/video0-3, /dev/media0-1" : "/dev/snd");
                return 0;
        }
        /* fs.pick, sys.clipboard, sys.notify, ipc.dbus, host.*: the host does
         * it over the add-on's socket; the sandbox opens nothing for them. */
        if (rs->seccomp)
                note(e, ENFORCED, "host (mediated)",
                     "the host acts for the add-on over its socket; no direct access (no unix sockets)");
        else
                note(e, NOT_ENFORCED, "host (mediated)", "no seccomp: the add-on could open the service's socket itself");
        return 0;
}

static int find_program(const char *name, char **ret) {
        const char *path = getenv("PATH");
        int r = -ENOENT;

        if (strchr(name, '/')) {
                struct stat st;

                if (stat(name, &st) < 0)
                        return negative_errno();
                if (!S_ISREG(st.st_mode) || access(name, X_OK) < 0)
                        return -EACCES;
                return (*ret = strdup(name)) ? 0 : -ENOMEM;
        }
        if (!name[0])
                return -ENOENT;
        if (!path || !*path)
                path = "/usr/local/bin:/usr/bin:/bin";
        while (*path) {
                size_t n = strcspn(path, ":");
                _cleanup_free_ char *p = NULL;
                struct stat st;

                if (asprintf(&p, "%.*s/%s", (int) n, n ? path : ".", name) < 0)
                        return -ENOMEM;
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
                        if (access(p, X_OK) == 0) {
                                *ret = steal_pointer(&p);
                                return 0;
                        }
                        r = -EACCES;
                }
                path += n;
                if (*path == ':')
                        path++;
        }
        return r;
}

/* The entry program may run, and a script's interpreter with it. */
static int add_entry(compiler *c, const char *entry) {
        permit_ruleset *rs = c->rs;
        char line[256];
        ssize_t n;
        int r;
        _cleanup_close_ int fd = -1;

        r = find_program(entry, &rs->entry);
        if (r < 0)
                return permit_error_set(c->error, r, NULL, "%s: %s", entry, strerror(-r));
        if ((r = add_fs(c, rs->entry, FS_EXEC, "entry")) < 0)
                return r;
        for (size_t i = 0; i < n_system_loaders; i++)
                if (access(system_loaders[i], F_OK) == 0 && (r = add_fs(c, system_loaders[i], FS_EXEC, "system")) < 0)
                        return r;
        fd = open(rs->entry, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0; /* executable but not readable: the kernel will say */
        n = read(fd, line, sizeof(line) - 1);
        if (n > 2 && line[0] == '#' && line[1] == '!') {
                char *p = line + 2, *end;

                line[n] = '\0';
                p += strspn(p, " \t");
                end = p + strcspn(p, " \t\n");
                *end = '\0';
                if (p[0] == '/' && (r = add_fs(c, p, FS_EXEC, "entry")) < 0)
                        return r;
        }
        return 0;
}

static int parse_abi_cap(const char *s, unsigned *ret) {
        if (!s || !*s)
                return 0;
        if (s[1] != '\0' || s[0] < '0' || s[0] > '0' + PERMIT_LANDLOCK_ABI_MAX)
                return -EINVAL;
        *ret = (unsigned) (s[0] - '0');
        return 0;
}

static int compile(compiler *c, const char *const *ids, size_t n, const permit_sandbox_options *policy) {
        permit_ruleset *rs = c->rs;
        const permit_paths *p = c->paths;
        unsigned cap = PERMIT_LANDLOCK_ABI_MAX, env_cap = PERMIT_LANDLOCK_ABI_MAX;
        int r;

        if (policy->landlock_abi_max > PERMIT_LANDLOCK_ABI_MAX)
                return permit_error_set(c->error, -EINVAL, NULL, "Landlock ABI %u: permit knows 1-%d",
                                        policy->landlock_abi_max, PERMIT_LANDLOCK_ABI_MAX);
        if (policy->landlock_abi_max)
                cap = policy->landlock_abi_max;
        if (policy->net > PERMIT_NET_PROXY)
                return permit_error_set(c->error, -EINVAL, NULL, "unknown network mode %u", (unsigned) policy->net);
        if (parse_abi_cap(secure_getenv("PERMIT_LANDLOCK_ABI"), &env_cap) < 0)
                return permit_error_set(c->error, -EINVAL, NULL, "PERMIT_LANDLOCK_ABI must be 0-%d",
                                        PERMIT_LANDLOCK_ABI_MAX);
        if (env_cap < cap)
                cap = env_cap;
        if (policy->no_landlock)
                cap = 0;
        rs->policy = *policy;
        rs->is_root = geteuid() == 0;
        rs->kernel_abi = landlock_kernel_abi();
        rs->abi = rs->kernel_abi < cap ? rs->kernel_abi : cap;
        rs->seccomp = seccomp_kernel_support();
        rs->handled_fs = landlock_fs_rights(rs->abi);

        if (p->profile) {
                _cleanup_free_ char *real = realpath(p->profile, NULL);
                static const char *const names[] = { "permit", "data", "addons" };

                for (size_t i = 0; real && i < ELEMENTSOF(names); i++) {
                        char *h;
                        if (asprintf(&h, "%s%s%s", real, streq(real, "/") ? "" : "/", names[i]) < 0)
                                return -ENOMEM;
                        c->hidden[c->n_hidden++] = h;
                }
                /* this add-on's own folders, when they exist */
                if (p->data && (c->except[c->n_except] = realpath(p->data, NULL)))
                        c->n_except++;
                if (p->addon && (c->except[c->n_except] = realpath(p->addon, NULL)))
                        c->n_except++;
        }
        for (size_t i = 0; i < 3; i++) {
                const char *d = i == 0 ? p->addon : i == 1 ? p->data : p->tmp;

                if (d && d[0] != '/')
                        return permit_error_set(c->error, -EINVAL, NULL, "%s: not an absolute path", d);
        }
        if ((p->addon && !(rs->addon = strdup(p->addon))) || (p->data && !(rs->data = strdup(p->data))) ||
            (p->tmp && !(rs->tmp = strdup(p->tmp))))
                return -ENOMEM;

        rs->caps = calloc(n ? n : 1, sizeof(cap_entry));
        if (!rs->caps)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                permit_error e = { 0 };
                cap_entry *ce = &rs->caps[i];
                char *colon;

                if (!ids[i] || permit_capability_check(ids[i], &e) < 0)
                        return permit_error_set(c->error, -EINVAL, NULL, "%s", ids[i] ? e.text : "NULL capability");
                rs->n_caps++;
                if (!(ce->id = strdup(ids[i])) || !(ce->kind = strdup(ids[i])))
                        return -ENOMEM;
                colon = strchr(ce->kind, ':');
                if (colon) {
                        *colon = '\0';
                        ce->argument = ce->id + (colon - ce->kind) + 1;
                }
        }

        for (size_t i = 0; i < n_system_paths; i++)
                if ((r = add_fs(c, system_paths[i].path, system_paths[i].access, "system")) < 0)
                        return r;
        if (p->addon && (r = add_fs(c, p->addon, FS_READ, "$ADDON")) < 0)
                return r;
        if (p->data && (r = add_fs(c, p->data, FS_WRITE, "$DATA")) < 0)
                return r;
        if (p->tmp && (r = add_fs(c, p->tmp, FS_WRITE, "$TMP")) < 0)
                return r;
        if (p->entry && (r = add_entry(c, p->entry)) < 0)
                return r;
        for (size_t i = 0; i < rs->n_caps; i++)
                if ((r = compile_capability(c, &rs->caps[i])) < 0)
                        return r;

        if (rs->policy.net == PERMIT_NET_PROXY) {
                /* Its namespace holds loopback only: TCP to the proxy's port there. */
                rs->allow_inet = true;
                if (rs->abi >= 4 && (r = add_net(rs, PERMIT_PROXY_PORT, LANDLOCK_ACCESS_NET_CONNECT_TCP, "proxy")) < 0)
                        return r;
        }
        if (rs->abi >= 4)
                rs->handled_net = LANDLOCK_ACCESS_NET_BIND_TCP | (rs->connect_any_port ? 0 : LANDLOCK_ACCESS_NET_CONNECT_TCP);
        if (rs->abi >= 6)
                rs->scoped = LANDLOCK_SCOPE_SIGNAL | (rs->allow_unix ? 0 : LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET);
        /* Rules for rights the ruleset does not handle are refused by the kernel. */
        for (size_t i = 0; i < rs->n_net; i++)
                rs->net[i].access &= rs->handled_net;

        if ((r = seccomp_build(rs, c->error)) < 0)
                return r;
        return landlock_build(rs, c->error);
}

/* The rules' O_PATH fds, opened one after the other, mostly follow each
 * other: each run of consecutive fds (all ours) is closed with one
 * close_range() instead of a close() each (about 30 system calls). */
static void close_rule_fds(permit_ruleset *rs) {
        for (size_t i = 0; i < rs->n_fs;) {
                size_t j = i + 1;
                int first = rs->fs[i].fd;

                if (first < 0) {
                        i++;
                        continue;
                }
                while (j < rs->n_fs && rs->fs[j].fd == first + (int) (j - i))
                        j++;
                if (j - i == 1 || syscall(__NR_close_range, (unsigned) first, (unsigned) rs->fs[j - 1].fd, 0) < 0)
                        for (size_t k = i; k < j; k++)
                                close(rs->fs[k].fd);
                for (size_t k = i; k < j; k++)
                        rs->fs[k].fd = -1;
                i = j;
        }
}

_public_ int permit_ruleset_new(const char *const *capabilities, size_t n, const permit_paths *paths,
                                const permit_sandbox_options *policy, permit_ruleset **ret, permit_error *error) {
        static const permit_paths no_paths = { 0 };
        static const permit_sandbox_options default_policy = { 0 };
        permit_ruleset *rs;
        compiler c;
        int r;

        if (!ret || (n && !capabilities))
                return -EINVAL;
        rs = calloc(1, sizeof(*rs));
        if (!rs)
                return -ENOMEM;
        rs->landlock_fd = -1;
        c = (compiler) { .rs = rs, .paths = paths ? paths : &no_paths, .error = error };
        r = compile(&c, capabilities, n, policy ? policy : &default_policy);
        for (size_t i = 0; i < c.n_hidden; i++)
                free(c.hidden[i]);
        for (size_t i = 0; i < c.n_except; i++)
                free(c.except[i]);
        close_rule_fds(rs);
        if (r < 0) {
                if (r == -ENOMEM)
                        permit_error_set(error, r, NULL, "out of memory");
                permit_ruleset_free(rs);
                return r;
        }
        *ret = rs;
        return 0;
}

_public_ void permit_ruleset_free(permit_ruleset *rs) {
        if (!rs)
                return;
        for (size_t i = 0; i < rs->n_caps; i++) {
                free(rs->caps[i].id);
                free(rs->caps[i].kind);
        }
        free(rs->caps);
        for (size_t i = 0; i < rs->n_fs; i++)
                free(rs->fs[i].path);
        free(rs->fs);
        for (size_t i = 0; i < rs->n_missing; i++)
                free(rs->missing[i]);
        free(rs->missing);
        free(rs->net);
        if (rs->landlock_fd >= 0)
                close(rs->landlock_fd);
        free(rs->bpf);
        free(rs->entry);
        free(rs->addon);
        free(rs->data);
        free(rs->tmp);
        free(rs);
}

_public_ const char *permit_ruleset_entry(const permit_ruleset *rs) {
        return rs ? rs->entry : NULL;
}

_public_ unsigned permit_ruleset_landlock_abi(const permit_ruleset *rs) {
        return rs ? rs->abi : 0;
}

_public_ unsigned permit_landlock_abi(void) {
        return landlock_kernel_abi();
}
