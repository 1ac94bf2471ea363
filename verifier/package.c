/* SPDX-License-Identifier: MIT */
/* Opening a package and the rules every package obeys, whatever holds it:
 * safe member paths, no duplicate or case-colliding names, no name used as
 * both a file and a directory, and the count and size limits. The readers
 * (package-dir.c, package-zip.c) only walk their container. */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "encoding-private.h"
#include "package-backend-private.h"
#include "util.h"

_public_ void permit_package_limits_default(permit_package_limits *limits) {
        if (!limits)
                return;
        *limits = (permit_package_limits) {
                .max_files = 20000,
                .max_total_size = UINT64_C(1) << 30,
                .max_ratio = 200,
                .max_path = 1024,
                .max_depth = 32,
        };
}

/* ---- Printing a hostile name ------------------------------------------ */

/* Bytes in the UTF-8 sequence that lead starts (the text is known valid). */
static size_t sequence_length(unsigned char lead) {
        return lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

/* Whether the UTF-8 sequence at s may be printed as it is: not a C1
 * control, nor a bidirectional control that could disguise the name. */
static bool printable_sequence(const unsigned char *s) {
        if (s[0] == 0xc2 && s[1] < 0xa0) /* U+0080..U+009F */
                return false;
        if (s[0] == 0xe2 && s[1] == 0x80 && ((s[2] >= 0xaa && s[2] <= 0xae) || s[2] == 0x8e || s[2] == 0x8f))
                return false; /* U+202A..U+202E, LRM, RLM */
        if (s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9) /* U+2066..U+2069 */
                return false;
        return true;
}

void package_escape(char *out, size_t size, const char *path) {
        const unsigned char *s = (const unsigned char *) (path ? path : "");
        bool utf8 = permit_utf8_valid((const char *) s, strlen((const char *) s));
        size_t n = 0;

        if (size == 0)
                return;
        while (*s) {
                char piece[20];
                size_t len, k;

                if (*s == '\\') {
                        memcpy(piece, "\\\\", 2);
                        len = 2;
                        k = 1;
                } else if (*s < 0x20 || *s == 0x7f || (*s >= 0x80 && !utf8)) {
                        snprintf(piece, sizeof(piece), "\\x%02x", *s);
                        len = 4;
                        k = 1;
                } else if (printable_sequence(s)) {
                        k = sequence_length(*s);
                        memcpy(piece, s, k);
                        len = k;
                } else {
                        /* The whole sequence, each byte as \xNN. */
                        k = sequence_length(*s);
                        for (size_t i = 0; i < k; i++)
                                snprintf(piece + 4 * i, sizeof(piece) - 4 * i, "\\x%02x", s[i]);
                        len = 4 * k;
                }
                /* Keep room for "..." and the NUL, should this be cut. */
                if (n + len + 4 > size && s[k] != '\0') {
                        if (n + 4 <= size) {
                                memcpy(out + n, "...", 3);
                                n += 3;
                        }
                        break;
                }
                if (n + len + 1 > size) {
                        if (n + 4 <= size) {
                                memcpy(out + n, "...", 3);
                                n += 3;
                        }
                        break;
                }
                memcpy(out + n, piece, len);
                n += len;
                s += k;
        }
        out[n] = '\0';
}

int package_fail(permit_error *error, int r, const char *path, const char *format, ...) {
        va_list ap;

        if (!error)
                return r;
        package_escape(error->path, sizeof(error->path), path);
        va_start(ap, format);
        vsnprintf(error->text, sizeof(error->text), format, ap);
        va_end(ap);
        return r;
}

/* ---- Path rules -------------------------------------------------------- */

int package_check_path_full(const char *path, bool is_dir, const permit_package_limits *limits,
                            permit_error *error) {
        permit_package_limits defaults;
        size_t len;
        uint64_t depth = 0;

        if (!limits) {
                permit_package_limits_default(&defaults);
                limits = &defaults;
        }
        if (!path || path[0] == '\0')
                return package_fail(error, -EINVAL, "", "empty path");

        len = strlen(path);
        if (len > limits->max_path)
                return package_fail(error, -EINVAL, path, "path longer than %" PRIu32 " bytes", limits->max_path);
        if (!permit_utf8_valid(path, len))
                return package_fail(error, -EINVAL, path, "name is not valid UTF-8");
        for (const unsigned char *s = (const unsigned char *) path; *s; s++)
                if (*s < 0x20 || *s == 0x7f || (s[0] == 0xc2 && s[1] >= 0x80 && s[1] < 0xa0))
                        return package_fail(error, -EINVAL, path, "control character in name");
        if (strchr(path, '\\'))
                return package_fail(error, -EINVAL, path, "backslash in path");
        if (path[0] == '/')
                return package_fail(error, -EINVAL, path, "absolute path");

        for (const char *c = path;;) {
                const char *end = strchrnul(c, '/');
                size_t clen = (size_t) (end - c);

                if (clen == 2 && c[0] == '.' && c[1] == '.')
                        return package_fail(error, -EINVAL, path, "'..' in path");
                if (clen == 1 && c[0] == '.')
                        return package_fail(error, -EINVAL, path, "'.' in path");
                if (clen == 0)
                        return package_fail(error, -EINVAL, path, "empty component in path");
                if (*end == '\0')
                        break;
                depth++;
                c = end + 1;
        }
        if (is_dir)
                depth++;
        if (depth > limits->max_depth)
                return package_fail(error, -EINVAL, path, "path deeper than %" PRIu32 " directories",
                                    limits->max_depth);
        return 0;
}

int package_check_path(const char *path, const permit_package_limits *limits, permit_error *error) {
        size_t len = path ? strlen(path) : 0;
        _cleanup_free_ char *copy = NULL;

        /* "d/" names a directory. */
        if (len > 1 && path[len - 1] == '/') {
                copy = strndup(path, len - 1);
                if (!copy)
                        return -ENOMEM;
                return package_check_path_full(copy, true, limits, error);
        }
        return package_check_path_full(path, false, limits, error);
}

/* ---- Names seen: duplicates, case collisions, file versus directory ----- */

typedef enum name_kind {
        NAME_FILE,
        NAME_DIR_IMPLIED,  /* a parent of a file, no entry of its own yet */
        NAME_DIR_EXPLICIT, /* a directory's own entry */
} name_kind;

typedef struct name_slot {
        char *name; /* NULL: empty slot */
        name_kind kind;
} name_slot;

struct package_names {
        name_slot *slots;
        size_t size; /* a power of two */
        size_t used;
};

static inline unsigned char ascii_lower(unsigned char c) {
        return (c >= 'A' && c <= 'Z') ? (unsigned char) (c - 'A' + 'a') : c;
}

static uint64_t name_hash(const char *s, size_t len) {
        uint64_t h = UINT64_C(14695981039346656037);

        for (size_t i = 0; i < len; i++) {
                h ^= ascii_lower((unsigned char) s[i]);
                h *= UINT64_C(1099511628211);
        }
        return h;
}

static bool name_equal_nocase(const char *a, const char *b, size_t blen) {
        size_t i;

        for (i = 0; i < blen; i++)
                if (a[i] == '\0' || ascii_lower((unsigned char) a[i]) != ascii_lower((unsigned char) b[i]))
                        return false;
        return a[i] == '\0';
}

static void names_free(package_names *n) {
        if (!n)
                return;
        for (size_t i = 0; i < n->size; i++)
                free(n->slots[i].name);
        free(n->slots);
        free(n);
}

static int names_grow(package_names *n) {
        size_t size = n->size ? n->size * 2 : 1024;
        name_slot *slots = calloc(size, sizeof(*slots));

        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < n->size; i++) {
                const char *name = n->slots[i].name;
                size_t j;

                if (!name)
                        continue;
                j = (size_t) name_hash(name, strlen(name)) & (size - 1);
                while (slots[j].name)
                        j = (j + 1) & (size - 1);
                slots[j] = n->slots[i];
        }
        free(n->slots);
        n->slots = slots;
        n->size = size;
        return 0;
}

/* The slot holding a name equal to s[0..len) ignoring ASCII case, or the
 * empty slot where it would go. */
static name_slot *names_find(package_names *n, const char *s, size_t len) {
        size_t j = (size_t) name_hash(s, len) & (n->size - 1);

        while (n->slots[j].name && !name_equal_nocase(n->slots[j].name, s, len))
                j = (j + 1) & (n->size - 1);
        return &n->slots[j];
}

static int names_insert(package_names *n, name_slot *slot, const char *s, size_t len, name_kind kind) {
        slot->name = strndup(s, len);
        if (!slot->name)
                return -ENOMEM;
        slot->kind = kind;
        n->used++;
        return 0;
}

static int names_reserve(package_names *n) {
        /* At most half full, so a probe always ends. */
        if (n->size == 0 || (n->used + 1) * 2 > n->size)
                return names_grow(n);
        return 0;
}

static int collide(permit_error *error, const char *path, const char *a, const char *b) {
        char ea[96], eb[96];

        package_escape(ea, sizeof(ea), a);
        package_escape(eb, sizeof(eb), b);
        return package_fail(error, -EINVAL, path, "names collide when case is ignored: '%s' and '%s'", ea, eb);
}

static int count_directory(package *p, const char *path, permit_error *error) {
        if (p->directories >= p->limits.max_files)
                return package_fail(error, -EFBIG, path, "too many directories (limit %" PRIu64 ")",
                                    p->limits.max_files);
        p->directories++;
        return 0;
}

/* Records the directory s[0..len), which path (a file or a directory
 * below it, or itself) implies. */
static int add_dir(package *p, const char *path, const char *s, size_t len, bool explicit_dir,
                   permit_error *error) {
        name_slot *slot;
        int r;

        r = names_reserve(p->names);
        if (r < 0)
                return r;
        slot = names_find(p->names, s, len);
        if (!slot->name) {
                r = count_directory(p, path, error);
                if (r < 0)
                        return r;
                return names_insert(p->names, slot, s, len,
                                    explicit_dir ? NAME_DIR_EXPLICIT : NAME_DIR_IMPLIED);
        }
        if (slot->kind == NAME_FILE)
                return package_fail(error, -EINVAL, path, "'%.*s' is both a file and a directory",
                                    (int) len, s);
        if (strncmp(slot->name, s, len) != 0) {
                _cleanup_free_ char *mine = strndup(s, len);

                if (!mine)
                        return -ENOMEM;
                return collide(error, path, slot->name, mine);
        }
        if (explicit_dir) {
                if (slot->kind == NAME_DIR_EXPLICIT)
                        return package_fail(error, -EINVAL, path, "duplicate name");
                slot->kind = NAME_DIR_EXPLICIT;
        }
        return 0;
}

static int add_parents(package *p, const char *path, permit_error *error) {
        for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
                int r = add_dir(p, path, path, (size_t) (slash - path), false, error);
                if (r < 0)
                        return r;
        }
        return 0;
}

int package_add_directory(package *p, const char *path, bool explicit_dir, permit_error *error) {
        int r;

        r = add_parents(p, path, error);
        if (r < 0)
                return r;
        return add_dir(p, path, path, strlen(path), explicit_dir, error);
}

int package_add_file(package *p, const char *path, permit_error *error) {
        size_t len = strlen(path);
        name_slot *slot;
        int r;

        r = add_parents(p, path, error);
        if (r < 0)
                return r;
        r = names_reserve(p->names);
        if (r < 0)
                return r;
        slot = names_find(p->names, path, len);
        if (!slot->name)
                return names_insert(p->names, slot, path, len, NAME_FILE);
        if (slot->kind != NAME_FILE)
                return package_fail(error, -EINVAL, path, "'%s' is both a file and a directory",
                                    slot->name);
        if (streq(slot->name, path))
                return package_fail(error, -EINVAL, path, "duplicate name");
        return collide(error, path, slot->name, path);
}

int package_count_file(package *p, const char *path, uint64_t size, permit_error *error) {
        if (p->files >= p->limits.max_files)
                return package_fail(error, -EFBIG, path, "too many files (limit %" PRIu64 ")", p->limits.max_files);
        if (size > p->limits.max_total_size || p->declared_total > p->limits.max_total_size - size)
                return package_fail(error, -EFBIG, path, "total size over limit of %" PRIu64 " bytes",
                                    p->limits.max_total_size);
        p->files++;
        p->declared_total += size;
        return 0;
}

/* ---- The package -------------------------------------------------------- */

static int fail_sticky(package *p, int r, permit_error *error) {
        if (r >= 0)
                return r;
        if (p->failed == 0) {
                permit_error_set_source(error, r, p->source);
                p->failed = r;
                if (error)
                        p->failure = *error;
                else
                        snprintf(p->failure.text, sizeof(p->failure.text), "%s", strerror(-r));
        }
        p->in_file = false;
        return r;
}

static int replay_failure(const package *p, permit_error *error) {
        if (error)
                *error = p->failure;
        return p->failed;
}

int package_open(const char *path, const permit_package_limits *limits, package **ret, permit_error *error) {
        _cleanup_close_ int fd = -1;
        package *p;
        struct stat st;
        int r;

        if (!path || !ret)
                return package_fail(error, -EINVAL, "", "no package given");

        /* O_NONBLOCK: opening a fifo must not wait for a writer. The
         * package itself may be reached through a symlink; its members
         * may not. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                r = negative_errno();
                return permit_error_set_source(error, package_fail(error, r, "", "cannot open: %s", strerror(-r)),
                                               path);
        }
        if (fstat(fd, &st) < 0) {
                r = negative_errno();
                return permit_error_set_source(error, package_fail(error, r, "", "cannot stat: %s", strerror(-r)),
                                               path);
        }
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
                return permit_error_set_source(
                        error, package_fail(error, -EINVAL, "", "not a directory or a zip archive"), path);

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->names = calloc(1, sizeof(*p->names));
        if (!p->names) {
                free(p);
                return -ENOMEM;
        }
        p->source = strdup(path);
        if (!p->source) {
                package_free(p);
                return -ENOMEM;
        }
        if (limits)
                p->limits = *limits;
        else
                permit_package_limits_default(&p->limits);

        if (S_ISDIR(st.st_mode)) {
                p->type = PACKAGE_DIRECTORY;
                r = package_dir_open(p, steal_fd(&fd), path, error);
        } else {
                p->type = PACKAGE_ZIP;
                r = package_zip_open(p, steal_fd(&fd), path, error);
        }
        if (r < 0) {
                package_free(p);
                return permit_error_set_source(error, r, path);
        }
        *ret = p;
        return 0;
}

void package_free(package *p) {
        if (!p)
                return;
        package_dir_free(p->dir);
        package_zip_free(p->zip);
        names_free(p->names);
        free(p->path);
        free(p->source);
        free(p);
}

int package_peek_member(package *p, const char *name, size_t max, char **ret, size_t *ret_len) {
        if (!p || !name || !ret || !ret_len)
                return -EINVAL;
        if (p->failed || p->type != PACKAGE_ZIP)
                return 0;
        return package_zip_read_member(p, name, max, ret, ret_len);
}

package_type package_get_type(const package *p) {
        return p->type;
}

int package_next(package *p, const char **ret_path, uint64_t *ret_size, unsigned *ret_mode, permit_error *error) {
        unsigned mode = 0;
        int r;

        if (!p)
                return -EINVAL;
        if (p->failed)
                return replay_failure(p, error);

        p->in_file = false;
        p->file_done = false;
        p->produced = 0;
        p->size = 0;
        if (p->type == PACKAGE_DIRECTORY)
                r = package_dir_next(p, &mode, error);
        else
                r = package_zip_next(p, &mode, error);
        if (r <= 0)
                return fail_sticky(p, r, error);

        p->in_file = true;
        if (ret_path)
                *ret_path = p->path;
        if (ret_size)
                *ret_size = p->size;
        if (ret_mode)
                *ret_mode = package_mode(mode);
        return 1;
}

ssize_t package_read(package *p, void *buf, size_t size, permit_error *error) {
        ssize_t n;

        if (!p || (!buf && size > 0))
                return -EINVAL;
        if (p->failed)
                return replay_failure(p, error);
        if (!p->in_file)
                return package_fail(error, -EINVAL, "", "no current file");
        if (p->file_done)
                return 0;
        if (size > SSIZE_MAX)
                size = SSIZE_MAX;

        if (p->type == PACKAGE_DIRECTORY)
                n = package_dir_read(p, buf, size, error);
        else
                n = package_zip_read(p, buf, size, error);
        if (n < 0)
                return fail_sticky(p, (int) n, error);
        if (n == 0)
                p->file_done = true;
        return n;
}
