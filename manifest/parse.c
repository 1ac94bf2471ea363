/* SPDX-License-Identifier: MIT */
/* permit.json -> permit_manifest: every field checked, every error with the
 * JSON path of what is wrong. doc/manifest.md is the same rules in words and
 * schemas/permit.schema.json the same rules for other tools. */
#include <stddef.h>

#include "fileio-private.h"
#include "json-private.h"
#include "manifest-private.h"

#define ID_MAX 128
#define NAME_MAX_BYTES 100
#define PUBLISHER_MAX 100
#define ENTRY_MAX 255
#define REASON_MAX 200

static const char *const top_keys[] = { "id", "name", "version", "publisher", "entry", "capabilities", "limits" };
static const char *const capability_keys[] = { "id", "required", "reason" };

static const struct limit_def {
        const char *key;
        size_t offset;
        uint64_t max;
} limit_defs[] = {
        { "memory_mb",    offsetof(permit_limits, memory_mb),    1048576  }, /* 1 TiB */
        { "cpu_seconds",  offsetof(permit_limits, cpu_seconds),  31536000 }, /* a year */
        { "processes",    offsetof(permit_limits, processes),    65536    },
        { "open_files",   offsetof(permit_limits, open_files),   1048576  },
        { "wall_seconds", offsetof(permit_limits, wall_seconds), 31536000 },
};

/* Copies s with every byte outside printable ASCII as \xNN. */
static void printable(char *buf, size_t size, const char *s) {
        size_t n = 0;

        for (; *s && n + 1 < size; s++) {
                unsigned char c = (unsigned char) *s;

                if (c >= 0x20 && c < 0x7f)
                        buf[n++] = (char) c;
                else if (n + 5 < size)
                        n += (size_t) snprintf(buf + n, size - n, "\\x%02x", c);
                else
                        break;
        }
        buf[n] = '\0';
}

static void set_path(permit_error *error, const char *path) {
        if (error)
                snprintf(error->path, sizeof(error->path), "%s", path ? path : "");
}

static int fail_text(permit_error *error, const char *path, uint32_t cp) {
        set_path(error, path);
        return permit_text_error(error, cp);
}

/* Levenshtein distance, for "did you mean"; both short. */
static size_t distance(const char *a, const char *b) {
        size_t na = strlen(a), nb = strlen(b), row[33];

        if (na > 32 || nb > 32)
                return SIZE_MAX;
        for (size_t j = 0; j <= nb; j++)
                row[j] = j;
        for (size_t i = 1; i <= na; i++) {
                size_t diag = row[0];
                row[0] = i;
                for (size_t j = 1; j <= nb; j++) {
                        size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
                        if (up + 1 < best)
                                best = up + 1;
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        diag = up;
                        row[j] = best;
                }
        }
        return row[nb];
}

static int check_keys(const json_t *obj, const char *path, const char *const *known, size_t n_known,
                      permit_error *error) {
        const char *key;
        json_t *value;

        json_object_foreach((json_t *) obj, key, value) {
                char q[QUOTE_MAX * 4 + 8];
                const char *near = NULL;
                bool found = false;

                for (size_t i = 0; i < n_known && !found; i++) {
                        if (streq(key, known[i]))
                                found = true;
                        else if (distance(key, known[i]) <= 2)
                                near = known[i];
                }
                if (found)
                        continue;
                permit_quote(q, sizeof(q), key);
                if (near)
                        return permit_error_set(error, -EINVAL, path, "unknown field '%s' (did you mean '%s'?)", q,
                                                near);
                return permit_error_set(error, -EINVAL, path, "unknown field '%s'", q);
        }
        return 0;
}

/* A string member of 1..max bytes (min_len 0 allows ""), one line. */
static int get_text(const json_t *obj, const char *parent, const char *key, size_t min_len, size_t max_len,
                    const char **ret, permit_error *error) {
        char path[PERMIT_ERROR_PATH_LENGTH];
        const json_t *v = json_object_get(obj, key);
        uint32_t cp;
        size_t len;

        permit_json_path_key(path, sizeof(path), parent, key);
        if (!v)
                return permit_error_set(error, -EINVAL, parent, "missing field '%s'", key);
        if (!json_is_string(v))
                return permit_error_set(error, -EINVAL, path, "must be a string");
        len = json_string_length(v);
        if (len < min_len)
                return permit_error_set(error, -EINVAL, path, "must not be empty");
        if (len > max_len)
                return permit_error_set(error, -EINVAL, path, "too long (%zu bytes, at most %zu)", len, max_len);
        if (permit_text_check(json_string_value(v), len, &cp) < 0)
                return fail_text(error, path, cp);
        *ret = json_string_value(v);
        return 0;
}

static bool is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$ */
bool permit_addon_id_valid(const char *s) {
        bool after_separator = true;

        for (; *s; s++) {
                if (is_alnum(*s))
                        after_separator = false;
                else if ((*s == '.' || *s == '_' || *s == '-') && !after_separator)
                        after_separator = true;
                else
                        return false;
        }
        return !after_separator;
}

static int parse_header(permit_manifest *m, permit_error *error) {
        char q[QUOTE_MAX * 4 + 8];
        const char *problem;
        int r;

        r = get_text(m->root, NULL, "id", 1, ID_MAX, &m->id, error);
        if (r < 0)
                return r;
        if (!permit_addon_id_valid(m->id))
                return permit_error_set(error, -EINVAL, "id",
                                        "invalid add-on id '%s' (letters and digits, with single '.', '_' or '-' "
                                        "between them)",
                                        permit_quote(q, sizeof(q), m->id));
        r = get_text(m->root, NULL, "name", 1, NAME_MAX_BYTES, &m->name, error);
        if (r < 0)
                return r;
        r = get_text(m->root, NULL, "version", 1, SEMVER_MAX, &m->version, error);
        if (r < 0)
                return r;
        if (!permit_semver_valid(m->version))
                return permit_error_set(error, -EINVAL, "version", "not a semantic version: '%s'",
                                        permit_quote(q, sizeof(q), m->version));
        r = get_text(m->root, NULL, "publisher", 1, PUBLISHER_MAX, &m->publisher, error);
        if (r < 0)
                return r;
        r = get_text(m->root, NULL, "entry", 1, ENTRY_MAX, &m->entry, error);
        if (r < 0)
                return r;
        if (m->entry[0] == '/')
                return permit_error_set(error, -EINVAL, "entry", "must be a path relative to the package");
        if (strchr(m->entry, '\\'))
                return permit_error_set(error, -EINVAL, "entry", "must use '/' between components, not '\\'");
        problem = permit_path_problem(m->entry);
        if (problem)
                return permit_error_set(error, -EINVAL, "entry", "%s", problem);
        return 0;
}

static int parse_capability(permit_manifest *m, size_t i, const json_t *obj, permit_error *error) {
        char path[PERMIT_ERROR_PATH_LENGTH], field[PERMIT_ERROR_PATH_LENGTH];
        permit_capability *pc = &m->capabilities[i];
        const json_t *required;
        cap c;
        int r;

        permit_json_path_index(path, sizeof(path), "capabilities", i);
        if (!json_is_object(obj))
                return permit_error_set(error, -EINVAL, path, "must be an object");
        r = check_keys(obj, path, capability_keys, ELEMENTSOF(capability_keys), error);
        if (r < 0)
                return r;

        r = get_text(obj, path, "id", 1, SIZE_MAX, &pc->id, error);
        if (r < 0)
                return r;
        permit_json_path_key(field, sizeof(field), path, "id");
        set_path(error, field);
        r = permit_cap_parse(pc->id, &c, error);
        if (r < 0)
                return r;
        for (size_t j = 0; j < i; j++)
                if (streq(m->capabilities[j].id, pc->id))
                        return permit_error_set(error, -EINVAL, field, "duplicate of capabilities[%zu]", j);

        m->kinds[i] = strdup(c.name);
        if (!m->kinds[i])
                return -ENOMEM;
        pc->kind = m->kinds[i];
        pc->argument = c.argument;

        required = json_object_get(obj, "required");
        if (required && !json_is_boolean(required)) {
                permit_json_path_key(field, sizeof(field), path, "required");
                return permit_error_set(error, -EINVAL, field, "must be true or false");
        }
        pc->required = !required || json_is_true(required);

        if (json_object_get(obj, "reason")) {
                r = get_text(obj, path, "reason", 0, REASON_MAX, &pc->reason, error);
                if (r < 0)
                        return r;
        } else
                pc->reason = "";
        return 0;
}

static int parse_capabilities(permit_manifest *m, permit_error *error) {
        const json_t *list = json_object_get(m->root, "capabilities");
        size_t n;
        int r;

        if (!list)
                return permit_error_set(error, -EINVAL, NULL, "missing field 'capabilities'");
        if (!json_is_array(list))
                return permit_error_set(error, -EINVAL, "capabilities", "must be a list");
        n = json_array_size(list);
        if (n > PERMIT_MANIFEST_MAX_CAPABILITIES)
                return permit_error_set(error, -EINVAL, "capabilities", "too many (%zu, at most %d)", n,
                                        PERMIT_MANIFEST_MAX_CAPABILITIES);
        m->capabilities = calloc(n ? n : 1, sizeof(*m->capabilities));
        m->kinds = calloc(n ? n : 1, sizeof(*m->kinds));
        if (!m->capabilities || !m->kinds)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                m->n_capabilities = i + 1; /* so that free() sees kinds[i] */
                r = parse_capability(m, i, json_array_get(list, i), error);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_limits(permit_manifest *m, permit_error *error) {
        const json_t *limits = json_object_get(m->root, "limits");
        int r;

        if (!limits)
                return 0;
        if (!json_is_object(limits))
                return permit_error_set(error, -EINVAL, "limits", "must be an object");
        const char *names[ELEMENTSOF(limit_defs)];
        for (size_t i = 0; i < ELEMENTSOF(limit_defs); i++)
                names[i] = limit_defs[i].key;
        r = check_keys(limits, "limits", names, ELEMENTSOF(names), error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(limit_defs); i++) {
                const json_t *v = json_object_get(limits, limit_defs[i].key);
                char path[PERMIT_ERROR_PATH_LENGTH];
                json_int_t x;

                if (!v)
                        continue;
                permit_json_path_key(path, sizeof(path), "limits", limit_defs[i].key);
                if (!json_is_integer(v))
                        return permit_error_set(error, -EINVAL, path, "must be an integer");
                x = json_integer_value(v);
                if (x < 1 || (uint64_t) x > limit_defs[i].max)
                        return permit_error_set(error, -EINVAL, path, "must be between 1 and %llu",
                                                (unsigned long long) limit_defs[i].max);
                *(uint64_t *) ((char *) &m->limits + limit_defs[i].offset) = (uint64_t) x;
        }
        m->has_limits = true;
        return 0;
}

_public_ int permit_manifest_parse(const char *buf, size_t len, const char *source, permit_manifest **ret,
                                   permit_error *error) {
        permit_manifest *m = NULL;
        int r;

        permit_error_clear(error);
        if (!buf || !ret)
                return permit_error_set_source(error, permit_error_set(error, -EINVAL, NULL, "no input"), source);
        if (len > PERMIT_MANIFEST_MAX_SIZE)
                return permit_error_set_source(
                        error,
                        permit_error_set(error, -EFBIG, NULL, "file too large (%zu bytes, at most %d)", len,
                                         PERMIT_MANIFEST_MAX_SIZE),
                        source);

        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        r = permit_json_parse(buf, len, &m->root, error);
        if (r < 0 && error) {
                /* jansson quotes the input near the error: make it printable. */
                char text[sizeof(error->text)];

                snprintf(text, sizeof(text), "%s", error->text);
                printable(error->text, sizeof(error->text), text);
        }
        if (r >= 0)
                r = check_keys(m->root, NULL, top_keys, ELEMENTSOF(top_keys), error);
        if (r >= 0)
                r = parse_header(m, error);
        if (r >= 0)
                r = parse_capabilities(m, error);
        if (r >= 0)
                r = parse_limits(m, error);
        if (r < 0) {
                if (r == -ENOMEM)
                        permit_error_set(error, r, NULL, "out of memory");
                permit_manifest_free(m);
                return permit_error_set_source(error, r, source);
        }
        *ret = m;
        return 0;
}

_public_ int permit_manifest_load(const char *path, permit_manifest **ret, permit_error *error) {
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        permit_error_clear(error);
        if (!path || !ret)
                return permit_error_set(error, -EINVAL, NULL, "no file name");
        r = permit_read_file(path, PERMIT_MANIFEST_MAX_SIZE, &buf, &len);
        if (r == -EFBIG)
                return permit_error_set_source(
                        error,
                        permit_error_set(error, r, NULL, "file too large (over %d bytes)", PERMIT_MANIFEST_MAX_SIZE),
                        path);
        if (r < 0)
                return permit_error_set_source(error, permit_error_set(error, r, NULL, "%s", strerror(-r)), path);
        return permit_manifest_parse(buf, len, path, ret, error);
}

_public_ void permit_manifest_free(permit_manifest *m) {
        if (!m)
                return;
        if (m->kinds)
                for (size_t i = 0; i < m->n_capabilities; i++)
                        free(m->kinds[i]);
        free(m->kinds);
        free(m->capabilities);
        json_decref(m->root);
        free(m);
}

_public_ const char *permit_manifest_id(const permit_manifest *m) {
        return m ? m->id : NULL;
}

_public_ const char *permit_manifest_name(const permit_manifest *m) {
        return m ? m->name : NULL;
}

_public_ const char *permit_manifest_version(const permit_manifest *m) {
        return m ? m->version : NULL;
}

_public_ const char *permit_manifest_publisher(const permit_manifest *m) {
        return m ? m->publisher : NULL;
}

_public_ const char *permit_manifest_entry(const permit_manifest *m) {
        return m ? m->entry : NULL;
}

_public_ const permit_limits *permit_manifest_limits(const permit_manifest *m) {
        return m ? &m->limits : NULL;
}

_public_ size_t permit_manifest_n_capabilities(const permit_manifest *m) {
        return m ? m->n_capabilities : 0;
}

_public_ const permit_capability *permit_manifest_capability(const permit_manifest *m, size_t i) {
        if (!m || i >= m->n_capabilities)
                return NULL;
        return &m->capabilities[i];
}

_public_ const permit_capability *permit_manifest_capabilities(const permit_manifest *m) {
        return m ? m->capabilities : NULL;
}
