/* SPDX-License-Identifier: MIT */
/* The capability vocabulary (DESIGN.md section 4): the one table of kinds,
 * what argument each takes, its risk and warning, and which capability
 * absorbs which. doc/manifest.md describes this table for developers. */
#include <arpa/inet.h>
#include <stdarg.h>

#include "manifest-private.h"

#define PATH_MAX_BYTES 1024
#define HOST_ARG_MAX 256
#define HOST_NAME_MAX_LEN 64
#define DNS_NAME_MAX 253
#define DNS_LABEL_MAX 63
#define BUS_NAME_MAX 255

typedef enum arg_rule {
        ARG_NONE,     /* a bare kind */
        ARG_REQUIRED, /* kind:argument */
        ARG_OPTIONAL, /* either */
} arg_rule;

struct permit_kind {
        const char *name;     /* "fs.read"; "host." matches the host.NAME family */
        arg_rule arg;
        const char *needs;    /* "fs.read needs NEEDS" when the argument is missing */
        int (*check)(const cap *c, permit_error *error);
        permit_risk risk;     /* risk and warning when warn is NULL */
        const char *warning;
        int (*warn)(const cap *c, char *buf, size_t size);
        bool (*absorbs)(const cap *broad, const cap *narrow); /* NULL: only itself */
};

/* ---- helpers ----------------------------------------------------------- */

static int bad(permit_error *error, const cap *c, const char *format, ...) _printf_(3, 4);
static int bad(permit_error *error, const cap *c, const char *format, ...) {
        char text[PERMIT_ERROR_TEXT_LENGTH];
        va_list ap;

        va_start(ap, format);
        vsnprintf(text, sizeof(text), format, ap);
        va_end(ap);
        return permit_error_text(error, "%s: %s", c->name, text);
}

static int say(char *buf, size_t size, permit_risk risk, const char *format, ...) _printf_(4, 5);
static int say(char *buf, size_t size, permit_risk risk, const char *format, ...) {
        va_list ap;
        int k;

        va_start(ap, format);
        k = vsnprintf(buf, size, format, ap);
        va_end(ap);
        if (k < 0 || (size_t) k >= size)
                return -ENOBUFS;
        return (int) risk;
}

static bool is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* ---- fs.read, fs.write: path templates ----------------------------------- */

enum { ROOT_ABSOLUTE = -1 };

static const struct path_template {
        const char *name;
        const char *human;
        permit_risk read, write;
} templates[] = {
        { "$ADDON",     "the add-on's own folder",           PERMIT_RISK_NONE,   PERMIT_RISK_MEDIUM },
        { "$DATA",      "the add-on's own data folder",      PERMIT_RISK_NONE,   PERMIT_RISK_NONE   },
        { "$TMP",       "the add-on's temporary folder",     PERMIT_RISK_NONE,   PERMIT_RISK_NONE   },
        { "$PROFILE",   "this application's profile folder", PERMIT_RISK_HIGH,   PERMIT_RISK_HIGH   },
        { "$HOME",      "your home folder",                  PERMIT_RISK_HIGH,   PERMIT_RISK_HIGH   },
        { "$DOCUMENTS", "your Documents folder",             PERMIT_RISK_MEDIUM, PERMIT_RISK_HIGH   },
        { "$DOWNLOADS", "your Downloads folder",             PERMIT_RISK_MEDIUM, PERMIT_RISK_HIGH   },
};
enum { T_HOME = 4, T_DOCUMENTS = 5, T_DOWNLOADS = 6 };

/* A checked path argument: its root (a template index or ROOT_ABSOLUTE)
 * and the rest ("" or "/sub/path"; for an absolute path, all of it). */
typedef struct fs_path {
        int root;
        const char *rest;
} fs_path;

static int template_lookup(const char *s, size_t n) {
        for (size_t i = 0; i < ELEMENTSOF(templates); i++)
                if (strlen(templates[i].name) == n && strncmp(templates[i].name, s, n) == 0)
                        return (int) i;
        return -1;
}

static fs_path fs_path_split(const char *a) {
        if (a[0] == '$') {
                size_t n = strcspn(a, "/");
                return (fs_path) { template_lookup(a, n), a + n };
        }
        return (fs_path) { ROOT_ABSOLUTE, a };
}

static bool fs_path_is_root(const char *a) {
        return streq(a, "/");
}

static int check_fs_path(const cap *c, permit_error *error) {
        const char *a = c->argument, *problem;
        char q[QUOTE_MAX * 4 + 8];
        size_t len = strlen(a);

        if (len > PATH_MAX_BYTES)
                return bad(error, c, "path too long (%zu bytes, at most %d)", len, PATH_MAX_BYTES);
        if (strchr(a, '*'))
                return bad(error, c, "path must not contain '*' (patterns are not supported)");
        if (a[0] == '$') {
                size_t n = strcspn(a, "/");
                char name[32];

                if (template_lookup(a, n) < 0) {
                        snprintf(name, sizeof(name), "%.*s", (int) (n < 24 ? n : 24), a);
                        return bad(error, c,
                                   "unknown path template '%s' (known: $ADDON, $DATA, $TMP, $PROFILE, $HOME, "
                                   "$DOCUMENTS, $DOWNLOADS)",
                                   permit_quote(q, sizeof(q), name));
                }
                if (a[n] == '\0')
                        return 0;
                problem = permit_path_problem(a + n + 1);
        } else if (a[0] == '/') {
                if (a[1] == '\0')
                        return 0;
                problem = permit_path_problem(a + 1);
        } else
                return bad(error, c, "path '%s' must be absolute or start with a template such as $HOME",
                           permit_quote(q, sizeof(q), a));
        if (problem)
                return bad(error, c, "path %s", problem);
        return 0;
}

/* Whether path b contains path n: component-wise prefix under the same
 * root; '/' contains everything; $HOME contains $DOCUMENTS, $DOWNLOADS. */
static bool fs_path_contains(const char *b, const char *n) {
        fs_path pb, pn;
        size_t k;

        if (fs_path_is_root(b))
                return true;
        pb = fs_path_split(b);
        pn = fs_path_split(n);
        if (pb.root == T_HOME && pb.rest[0] == '\0' && (pn.root == T_DOCUMENTS || pn.root == T_DOWNLOADS))
                return true;
        if (pb.root != pn.root)
                return false;
        k = strlen(pb.rest);
        return strncmp(pb.rest, pn.rest, k) == 0 && (pn.rest[k] == '\0' || pn.rest[k] == '/');
}

static bool absorbs_fs(const cap *broad, const cap *narrow) {
        bool write = streq(broad->name, "fs.write");

        if (streq(narrow->name, "fs.pick"))
                return fs_path_is_root(broad->argument) && (write || streq(narrow->argument, "read"));
        if (streq(narrow->name, "fs.write") && !write)
                return false;
        if (!streq(narrow->name, "fs.read") && !streq(narrow->name, "fs.write"))
                return false;
        return fs_path_contains(broad->argument, narrow->argument);
}

static int warn_fs(const cap *c, char *buf, size_t size) {
        bool write = streq(c->name, "fs.write");
        const char *verb = write ? "Change and delete files in" : "Read files in";
        fs_path p = fs_path_split(c->argument);
        const struct path_template *t;
        permit_risk risk;

        if (fs_path_is_root(c->argument))
                return write ? say(buf, size, PERMIT_RISK_CRITICAL, "Change and delete all files on this computer")
                             : say(buf, size, PERMIT_RISK_HIGH, "Read all files on this computer");
        if (p.root == ROOT_ABSOLUTE)
                return say(buf, size, write ? PERMIT_RISK_HIGH : PERMIT_RISK_MEDIUM, "%s %s", verb, c->argument);
        t = &templates[p.root];
        risk = write ? t->write : t->read;
        if (p.rest[0] == '\0')
                return say(buf, size, risk, "%s %s", verb, t->human);
        /* Under $HOME only the hidden folders (.ssh, .config...) stay high
         * for reading; the rest is like $DOCUMENTS. */
        if (!write && p.root == T_HOME && p.rest[1] != '.')
                risk = PERMIT_RISK_MEDIUM;
        return say(buf, size, risk, "%s %s in %s", verb, p.rest + 1, t->human);
}

/* ---- fs.pick, sys.clipboard: read or write -------------------------------- */

static int check_read_write(const cap *c, permit_error *error) {
        char q[QUOTE_MAX * 4 + 8];

        if (streq(c->argument, "read") || streq(c->argument, "write"))
                return 0;
        return bad(error, c, "must be 'read' or 'write', not '%s'", permit_quote(q, sizeof(q), c->argument));
}

static bool absorbs_pick(const cap *broad, const cap *narrow) {
        return streq(narrow->name, "fs.pick") && streq(broad->argument, "write");
}

static int warn_pick(const cap *c, char *buf, size_t size) {
        if (streq(c->argument, "write"))
                return say(buf, size, PERMIT_RISK_LOW, "Open and change files you choose");
        return say(buf, size, PERMIT_RISK_LOW, "Open files you choose");
}

static int warn_clipboard(const cap *c, char *buf, size_t size) {
        if (streq(c->argument, "write"))
                return say(buf, size, PERMIT_RISK_NONE, "Put text on your clipboard");
        return say(buf, size, PERMIT_RISK_MEDIUM, "Read your clipboard");
}

/* ---- net.connect, net.listen ---------------------------------------------- */

/* "1".."65535", no sign, no leading zero. 0 with the reason in *problem. */
static unsigned parse_port(const cap *c, const char *s, permit_error *error, int *r) {
        char q[QUOTE_MAX * 4 + 8];
        size_t n = strlen(s);
        unsigned long v = 0;

        *r = 0;
        if (n == 0 || strspn(s, "0123456789") != n || (s[0] == '0' && n > 1)) {
                *r = bad(error, c, "invalid port '%s'", permit_quote(q, sizeof(q), s));
                return 0;
        }
        for (size_t i = 0; i < n && v <= 65535; i++)
                v = v * 10 + (unsigned long) (s[i] - '0');
        if (v == 0 || v > 65535) {
                *r = bad(error, c, "port %s out of range 1-65535", permit_quote(q, sizeof(q), s));
                return 0;
        }
        return (unsigned) v;
}

typedef enum target_type { TARGET_ANY, TARGET_WILDCARD, TARGET_NAME, TARGET_IP } target_type;

typedef struct target {
        target_type type;
        char host[DNS_NAME_MAX + 3]; /* the name, the wildcard's domain, or the address as written */
        unsigned port;               /* 0: any port */
} target;

static bool ipv4_valid(const char *s) {
        int parts = 0;

        for (;;) {
                size_t n = strspn(s, "0123456789");
                int v;

                if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
                        return false;
                v = atoi(s);
                if (v > 255)
                        return false;
                parts++;
                s += n;
                if (*s == '\0')
                        return parts == 4;
                if (*s != '.' || parts == 4)
                        return false;
                s++;
        }
}

/* Lower-case LDH labels, the last one starting with a letter (so that it
 * cannot be taken for an address). Returns NULL or why not. */
static const char *dns_problem(const char *s, int *ret_labels) {
        size_t len = strlen(s);
        const char *label = s;
        int labels = 0;

        if (len > DNS_NAME_MAX)
                return "name too long";
        for (;;) {
                size_t n = strcspn(label, ".");

                if (n == 0 || n > DNS_LABEL_MAX)
                        return n == 0 ? "empty label" : "label too long";
                for (size_t i = 0; i < n; i++) {
                        if (label[i] >= 'A' && label[i] <= 'Z')
                                return "must be lower case";
                        if (!is_lower_alnum(label[i]) && label[i] != '-')
                                return "invalid character";
                }
                if (label[0] == '-' || label[n - 1] == '-')
                        return "label starts or ends with '-'";
                labels++;
                if (label[n] == '\0') {
                        if (!(label[0] >= 'a' && label[0] <= 'z'))
                                return "last label must start with a letter";
                        break;
                }
                label += n + 1;
        }
        *ret_labels = labels;
        return NULL;
}

static int parse_target(const cap *c, target *t, permit_error *error) {
        const char *a = c->argument, *port = NULL, *problem;
        char q[QUOTE_MAX * 4 + 8];
        size_t hlen;
        int r, labels = 0;

        *t = (target) { 0 };
        if (a[0] == '[') {
                const char *close = strchr(a, ']');
                char inner[INET6_ADDRSTRLEN + 1], canon[INET6_ADDRSTRLEN];
                struct in6_addr addr;

                if (!close || (close[1] != '\0' && close[1] != ':'))
                        return bad(error, c, "invalid IPv6 address '%s'", permit_quote(q, sizeof(q), a));
                hlen = (size_t) (close - a) + 1;
                if (hlen - 2 >= sizeof(inner))
                        return bad(error, c, "invalid IPv6 address '%s'", permit_quote(q, sizeof(q), a));
                memcpy(inner, a + 1, hlen - 2);
                inner[hlen - 2] = '\0';
                if (inet_pton(AF_INET6, inner, &addr) != 1)
                        return bad(error, c, "invalid IPv6 address '%s'", permit_quote(q, sizeof(q), inner));
                if (!inet_ntop(AF_INET6, &addr, canon, sizeof(canon)) || !streq(canon, inner))
                        return bad(error, c, "IPv6 address '%s' is not in canonical form (write '[%s]')",
                                   permit_quote(q, sizeof(q), inner), canon);
                t->type = TARGET_IP;
                memcpy(t->host, a, hlen);
                t->host[hlen] = '\0';
                if (close[1] == ':')
                        port = close + 2;
        } else {
                const char *colon = strchr(a, ':');

                hlen = colon ? (size_t) (colon - a) : strlen(a);
                if (colon)
                        port = colon + 1;
                if (hlen == 0)
                        return bad(error, c, "empty host name (an IPv6 address goes in brackets: [::1])");
                if (hlen > DNS_NAME_MAX + 2)
                        return bad(error, c, "host name too long (%zu bytes, at most %d)", hlen, DNS_NAME_MAX);
                memcpy(t->host, a, hlen);
                t->host[hlen] = '\0';
                if (streq(t->host, "*"))
                        t->type = TARGET_ANY;
                else if (startswith(t->host, "*.")) {
                        t->type = TARGET_WILDCARD;
                        memmove(t->host, t->host + 2, hlen - 1);
                        problem = dns_problem(t->host, &labels);
                        if (problem)
                                return bad(error, c, "invalid wildcard domain '%s' (%s)",
                                           permit_quote(q, sizeof(q), t->host), problem);
                        if (labels < 2)
                                return bad(error, c, "wildcard domain '%s' is too broad (needs at least two labels)",
                                           t->host);
                } else if (strspn(t->host, "0123456789.") == hlen) {
                        t->type = TARGET_IP;
                        if (!ipv4_valid(t->host))
                                return bad(error, c, "invalid IPv4 address '%s'", permit_quote(q, sizeof(q), t->host));
                } else {
                        t->type = TARGET_NAME;
                        if (hlen > DNS_NAME_MAX)
                                return bad(error, c, "host name too long (%zu bytes, at most %d)", hlen,
                                           DNS_NAME_MAX);
                        problem = dns_problem(t->host, &labels);
                        if (problem)
                                return bad(error, c, "invalid host name '%s' (%s)", permit_quote(q, sizeof(q), t->host),
                                           problem);
                }
        }
        if (port) {
                t->port = parse_port(c, port, error, &r);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_connect(const cap *c, permit_error *error) {
        target t;

        return parse_target(c, &t, error);
}

/* name is d, or ends in ".d". */
static bool in_domain(const char *name, const char *d, bool or_equal) {
        size_t n = strlen(name), k = strlen(d);

        if (n == k)
                return or_equal && streq(name, d);
        return n > k && name[n - k - 1] == '.' && streq(name + n - k, d);
}

static bool absorbs_connect(const cap *broad, const cap *narrow) {
        target b, n;

        if (!streq(narrow->name, "net.connect"))
                return false;
        if (parse_target(broad, &b, NULL) < 0 || parse_target(narrow, &n, NULL) < 0)
                return false;
        if (b.port != 0 && b.port != n.port)
                return false;
        switch (b.type) {
        case TARGET_ANY:
                return true;
        case TARGET_WILDCARD:
                return (n.type == TARGET_NAME && in_domain(n.host, b.host, false)) ||
                       (n.type == TARGET_WILDCARD && in_domain(n.host, b.host, true));
        case TARGET_NAME:
        case TARGET_IP:
                return n.type == b.type && streq(n.host, b.host);
        }
        return false;
}

static int warn_connect(const cap *c, char *buf, size_t size) {
        char port[24] = "";
        target t;

        if (parse_target(c, &t, NULL) < 0)
                return -EINVAL;
        if (t.port)
                snprintf(port, sizeof(port), " on port %u", t.port);
        switch (t.type) {
        case TARGET_ANY:
                return say(buf, size, PERMIT_RISK_HIGH, "Exchange data with any server on the internet%s", port);
        case TARGET_WILDCARD:
                return say(buf, size, PERMIT_RISK_MEDIUM, "Exchange data with any server in the domain %s%s", t.host,
                           port);
        case TARGET_NAME:
        case TARGET_IP:
                break;
        }
        return say(buf, size, PERMIT_RISK_MEDIUM, "Exchange data with %s%s", t.host, port);
}

static int check_listen(const cap *c, permit_error *error) {
        int r;

        (void) parse_port(c, c->argument, error, &r);
        return r;
}

static int warn_listen(const cap *c, char *buf, size_t size) {
        return say(buf, size, PERMIT_RISK_MEDIUM, "Accept connections on port %s of this computer", c->argument);
}

/* ---- proc.exec ------------------------------------------------------------ */

static int check_exec(const cap *c, permit_error *error) {
        const char *a = c->argument, *problem;
        char q[QUOTE_MAX * 4 + 8];
        size_t len = strlen(a);

        if (streq(a, "*"))
                return 0;
        if (a[0] != '/')
                return bad(error, c, "'%s' is not an absolute program path or '*'", permit_quote(q, sizeof(q), a));
        if (len > PATH_MAX_BYTES)
                return bad(error, c, "path too long (%zu bytes, at most %d)", len, PATH_MAX_BYTES);
        if (strchr(a, '*'))
                return bad(error, c,
                           "path must not contain '*' (patterns are not supported; '*' alone means any program)");
        if (a[1] == '\0')
                return bad(error, c, "'/' is not a program");
        problem = permit_path_problem(a + 1);
        if (problem)
                return bad(error, c, "path %s", problem);
        return 0;
}

static int warn_exec(const cap *c, char *buf, size_t size) {
        if (streq(c->argument, "*"))
                return say(buf, size, PERMIT_RISK_CRITICAL, "Run any program: full access to your computer");
        return say(buf, size, PERMIT_RISK_HIGH, "Run %s", c->argument);
}

static bool cap_is_exec_any(const cap *c) {
        return streq(c->name, "proc.exec") && streq(c->argument, "*");
}

/* ---- ipc.dbus ------------------------------------------------------------- */

/* A well-known name: two or more elements of [A-Za-z_-][A-Za-z0-9_-]*. */
static int check_bus_name(const cap *c, permit_error *error) {
        const char *a = c->argument, *e = a;
        char q[QUOTE_MAX * 4 + 8];
        size_t len = strlen(a);
        int elements = 0;

        if (len > BUS_NAME_MAX)
                return bad(error, c, "bus name too long (%zu bytes, at most %d)", len, BUS_NAME_MAX);
        for (;;) {
                size_t n = strcspn(e, ".");

                if (n == 0 || is_digit(e[0]))
                        goto invalid;
                for (size_t i = 0; i < n; i++)
                        if (!is_alpha(e[i]) && !is_digit(e[i]) && e[i] != '_' && e[i] != '-')
                                goto invalid;
                elements++;
                if (e[n] == '\0')
                        break;
                e += n + 1;
        }
        if (elements >= 2)
                return 0;
invalid:
        return bad(error, c, "invalid bus name '%s' (a well-known name like org.example.Service)",
                   permit_quote(q, sizeof(q), a));
}

static int warn_dbus(const cap *c, char *buf, size_t size) {
        return say(buf, size, PERMIT_RISK_MEDIUM, "Talk to %s", c->argument);
}

/* ---- host.NAME ------------------------------------------------------------ */

static int check_host_arg(const cap *c, permit_error *error) {
        size_t len = strlen(c->argument);

        if (len > HOST_ARG_MAX)
                return bad(error, c, "argument too long (%zu bytes, at most %d)", len, HOST_ARG_MAX);
        return 0;
}

static int warn_host(const cap *c, char *buf, size_t size) {
        const char *feature = c->name + strlen("host.");

        if (c->argument)
                return say(buf, size, PERMIT_RISK_MEDIUM, "Use the host's %s feature (%s)", feature, c->argument);
        return say(buf, size, PERMIT_RISK_MEDIUM, "Use the host's %s feature", feature);
}

/* ---- the table -------------------------------------------------------------- */

static const permit_kind vocabulary[] = {
        { "fs.read",        ARG_REQUIRED, "a path",                    check_fs_path,    PERMIT_RISK_MEDIUM,
          "Read files in PATH",                                     warn_fs,        absorbs_fs },
        { "fs.write",       ARG_REQUIRED, "a path",                    check_fs_path,    PERMIT_RISK_HIGH,
          "Change and delete files in PATH",                        warn_fs,        absorbs_fs },
        { "fs.pick",        ARG_REQUIRED, "'read' or 'write'",         check_read_write, PERMIT_RISK_LOW,
          "Open files you choose",                                  warn_pick,      absorbs_pick },
        { "net.connect",    ARG_REQUIRED, "a host",                    check_connect,    PERMIT_RISK_MEDIUM,
          "Exchange data with HOST",                                warn_connect,   absorbs_connect },
        { "net.listen",     ARG_REQUIRED, "a port",                    check_listen,     PERMIT_RISK_MEDIUM,
          "Accept connections on port N of this computer",          warn_listen,    NULL },
        { "proc.exec",      ARG_REQUIRED, "a program path or '*'",     check_exec,       PERMIT_RISK_HIGH,
          "Run PROGRAM",                                            warn_exec,      NULL },
        { "sys.clipboard",  ARG_REQUIRED, "'read' or 'write'",         check_read_write, PERMIT_RISK_MEDIUM,
          "Read your clipboard",                                    warn_clipboard, NULL },
        { "sys.notify",     ARG_NONE,     NULL,                        NULL,             PERMIT_RISK_LOW,
          "Show notifications",                                     NULL,           NULL },
        { "sys.display",    ARG_NONE,     NULL,                        NULL,             PERMIT_RISK_MEDIUM,
          "Show its own windows, and see what you type into them",  NULL,           NULL },
        { "dev.camera",     ARG_NONE,     NULL,                        NULL,             PERMIT_RISK_HIGH,
          "Use your camera",                                        NULL,           NULL },
        { "dev.microphone", ARG_NONE,     NULL,                        NULL,             PERMIT_RISK_HIGH,
          "Use your microphone",                                    NULL,           NULL },
        { "ipc.dbus",       ARG_REQUIRED, "a bus name",                check_bus_name,   PERMIT_RISK_MEDIUM,
          "Talk to SERVICE",                                        warn_dbus,      NULL },
        { "host.",          ARG_OPTIONAL, NULL,                        check_host_arg,   PERMIT_RISK_MEDIUM,
          "Use the host's NAME feature",                            warn_host,      NULL },
};

static bool host_feature_valid(const char *s, size_t n) {
        if (n == 0 || n > HOST_NAME_MAX_LEN)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_lower_alnum(s[i]) && s[i] != '_' && s[i] != '-')
                        return false;
        return true;
}

bool permit_kind_known(const char *name) {
        size_t n = strlen(name);

        for (size_t i = 0; i < ELEMENTSOF(vocabulary); i++) {
                const char *v = vocabulary[i].name;
                size_t k = strlen(v);

                if (v[k - 1] == '.' ? n > k && strncmp(name, v, k) == 0 && host_feature_valid(name + k, n - k)
                                    : streq(name, v))
                        return true;
        }
        return false;
}

int permit_cap_parse(const char *id, cap *ret, permit_error *error) {
        char q[QUOTE_MAX * 4 + 8];
        const permit_kind *kind = NULL;
        const char *colon;
        uint32_t cp;
        size_t n;
        cap c;

        if (!id)
                return permit_error_text(error, "no capability id");
        if (id[0] == '\0')
                return permit_error_text(error, "empty capability id");
        if (permit_text_check(id, strlen(id), &cp) < 0)
                return permit_text_error(error, cp);
        colon = strchr(id, ':');
        n = colon ? (size_t) (colon - id) : strlen(id);
        for (size_t i = 0; i < ELEMENTSOF(vocabulary); i++) {
                const char *name = vocabulary[i].name;
                size_t k;

                /* Both matches below need the first byte: most entries end here. */
                if (name[0] != id[0])
                        continue;
                k = strlen(name);
                if (name[k - 1] == '.') {
                        /* a family: "host." + NAME */
                        if (n > k && strncmp(id, name, k) == 0) {
                                if (!host_feature_valid(id + k, n - k)) {
                                        char feature[HOST_NAME_MAX_LEN + 2];

                                        snprintf(feature, sizeof(feature), "%.*s",
                                                 (int) (n - k > HOST_NAME_MAX_LEN ? HOST_NAME_MAX_LEN + 1 : n - k),
                                                 id + k);
                                        return permit_error_text(error,
                                                                 "invalid host feature name '%s' (a-z, 0-9, '_' "
                                                                 "and '-', at most %d)",
                                                                 permit_quote(q, sizeof(q), feature),
                                                                 HOST_NAME_MAX_LEN);
                                }
                                kind = &vocabulary[i];
                                break;
                        }
                } else if (n == k && strncmp(id, name, k) == 0) {
                        kind = &vocabulary[i];
                        break;
                }
        }
        if (!kind)
                goto unknown;

        c = (cap) { .kind = kind, .id = id, .argument = colon ? colon + 1 : NULL };
        /* n fits: a known kind is at most "host." + HOST_NAME_MAX_LEN bytes.
         * memcpy, not snprintf: this runs for every id the store reads. */
        {
                size_t k = n < sizeof(c.name) ? n : sizeof(c.name) - 1;
                memcpy(c.name, id, k);
                c.name[k] = '\0';
        }
        switch (kind->arg) {
        case ARG_NONE:
                if (colon)
                        return permit_error_text(error, "%s takes no argument", c.name);
                break;
        case ARG_REQUIRED:
                if (!colon || colon[1] == '\0')
                        return permit_error_text(error, "%s needs %s", c.name, kind->needs);
                break;
        case ARG_OPTIONAL:
                if (colon && colon[1] == '\0')
                        return permit_error_text(error, "%s: empty argument (leave out the ':')", c.name);
                break;
        }
        if (c.argument && kind->check) {
                int r = kind->check(&c, error);
                if (r < 0)
                        return r;
        }
        *ret = c;
        return 0;

unknown: {
        char kindbuf[QUOTE_MAX + 2];

        snprintf(kindbuf, sizeof(kindbuf), "%.*s", (int) (n <= QUOTE_MAX ? n : QUOTE_MAX + 1), id);
        return permit_error_text(error, "unknown kind '%s'",
                                permit_quote(q, sizeof(q), kindbuf));
}
}

bool permit_cap_absorbs(const cap *broad, const cap *narrow) {
        if (streq(broad->id, narrow->id))
                return true;
        if (cap_is_exec_any(broad))
                return true;
        return broad->kind->absorbs && broad->kind->absorbs(broad, narrow);
}

int permit_cap_warning(const cap *c, char *buf, size_t size) {
        if (!buf || size == 0)
                return -ENOBUFS;
        if (c->kind->warn)
                return c->kind->warn(c, buf, size);
        return say(buf, size, c->kind->risk, "%s", c->kind->warning);
}

/* ---- public --------------------------------------------------------------- */

_public_ const char *permit_risk_name(permit_risk risk) {
        static const char *const names[] = { "none", "low", "medium", "high", "critical" };

        if ((int) risk < 0 || (size_t) risk >= ELEMENTSOF(names))
                return NULL;
        return names[risk];
}

_public_ int permit_capability_check(const char *id, permit_error *error) {
        cap c;

        return permit_cap_parse(id, &c, error);
}

_public_ bool permit_capability_absorbs(const char *broad, const char *narrow) {
        cap b, n;

        if (permit_cap_parse(broad, &b, NULL) < 0 || permit_cap_parse(narrow, &n, NULL) < 0)
                return false;
        return permit_cap_absorbs(&b, &n);
}

_public_ int permit_capability_warning(const char *id, char *buf, size_t size) {
        cap c;
        int r;

        r = permit_cap_parse(id, &c, NULL);
        if (r < 0)
                return r;
        return permit_cap_warning(&c, buf, size);
}
