/* SPDX-License-Identifier: MIT */
/* Reads index.json into the handle in one pass with permit's strict JSON
 * pull reader (common/json-reader.c: JSON exactly as jansson reads it),
 * every field checked as doc/registry.md says. It builds no JSON tree:
 * that is what makes 20,000 add-ons load in a few tens of milliseconds
 * (bench/README.md). Every decoded string goes into one arena. */
#include <inttypes.h>
#include <stdarg.h>

#include "encoding-private.h"
#include "index-private.h"
#include "json-private.h"
#include "json-reader-private.h"
#include "manifest/manifest-private.h"
#include "signer/keys-private.h"

#define ID_MAX 128
#define KEY_B64_LEN 56
#define SIG_B64_LEN 88
/* Past 2^53 a JSON integer is no longer exact everywhere. */
#define JSON_INT_MAX INT64_C(9007199254740992)

typedef struct rd {
        permit_json_reader j;
        permit_index *idx;
} rd;

/* Where a value is, for the checks made after reading it (the reader
 * names where it stands itself): "base", then ".id", "[i]", ".field" when
 * given. Built only when something is wrong. */
typedef struct where {
        const char *base;
        const char *id;    /* an add-on id, or NULL */
        size_t i;          /* an array index, or NO_INDEX */
        const char *field; /* or NULL */
} where;
#define NO_INDEX SIZE_MAX

static const char *where_path(const where *w, char buf[PERMIT_ERROR_PATH_LENGTH]) {
        size_t n = (size_t) snprintf(buf, PERMIT_ERROR_PATH_LENGTH, "%s", w->base ? w->base : "");

        if (w->id && n < PERMIT_ERROR_PATH_LENGTH)
                n += (size_t) snprintf(buf + n, PERMIT_ERROR_PATH_LENGTH - n, ".%s", w->id);
        if (w->i != NO_INDEX && n < PERMIT_ERROR_PATH_LENGTH)
                n += (size_t) snprintf(buf + n, PERMIT_ERROR_PATH_LENGTH - n, "[%zu]", w->i);
        if (w->field && n < PERMIT_ERROR_PATH_LENGTH)
                snprintf(buf + n, PERMIT_ERROR_PATH_LENGTH - n, "%s%s", n ? "." : "", w->field);
        return buf;
}

static where at_field(const where *w, const char *field) {
        where f = *w;
        f.field = field;
        return f;
}

static const char *const top_keys[] = { "format", "registry", "version", "issued", "expires", "packages", "revoked" };
static const char *const entry_keys[] = { "version", "size", "digest", "seal_digest", "key", "key_id", "path",
                                          "added", "countersignature" };
enum { E_VERSION, E_SIZE, E_DIGEST, E_SEAL, E_KEY, E_KEY_ID, E_PATH, E_ADDED, E_CS, E_N };
static const char *const revoked_fields[] = { "keys", "packages" };

static int fail(rd *r, const char *path, const char *format, ...) _printf_(3, 4);
static int fail(rd *r, const char *path, const char *format, ...) {
        char text[PERMIT_ERROR_TEXT_LENGTH];
        va_list ap;

        va_start(ap, format);
        vsnprintf(text, sizeof(text), format, ap);
        va_end(ap);
        return permit_error_set(r->j.error, -EINVAL, path, "%s", text);
}

static int bad_value(rd *r, const where *w, const char *what, const char *value) {
        char q[64 * 4 + 8], path[PERMIT_ERROR_PATH_LENGTH];
        return fail(r, where_path(w, path), "%s: '%s'", what, permit_quote(q, sizeof(q), value));
}

/* A string value, decoded into the arena, where it stays. The arena is as
 * large as the input: a decoded string and its NUL never take more bytes
 * than it took quoted. */
static int string_value(rd *r, const char **ret) {
        permit_index *idx = r->idx;
        char *out = idx->arena + idx->arena_used;
        size_t len;
        int k;

        k = permit_json_reader_string_to(&r->j, out, idx->arena_size - idx->arena_used, &len, NULL);
        if (k < 0)
                return k;
        idx->arena_used += len + 1;
        *ret = out;
        return 0;
}

/* The next member's key, decoded into the arena as scratch (a key that is
 * kept moves arena_used past it): 1, or 0 after the object's '}'. */
static int next_key(rd *r, const char **ret, size_t *ret_len) {
        permit_index *idx = r->idx;
        char *out = idx->arena + idx->arena_used;
        int k;

        k = permit_json_reader_field(&r->j, out, idx->arena_size - idx->arena_used, ret_len, NULL);
        if (k > 0)
                *ret = out;
        return k;
}

/* An integer in [min, 2^53]. */
static int int_value(rd *r, int64_t min, int64_t *ret) {
        return permit_json_reader_int(&r->j, min, JSON_INT_MAX, ret, NULL);
}

static int missing(rd *r, const where *parent, const char *const *names, size_t n, unsigned seen) {
        for (size_t i = 0; i < n; i++)
                if (!(seen & (1u << i))) {
                        char path[PERMIT_ERROR_PATH_LENGTH];
                        where w = at_field(parent, names[i]);
                        return fail(r, where_path(&w, path), "missing");
                }
        return 0;
}

/* Room for element n of an array of *capacity; -ENOMEM leaves it as it was. */
static int grow(void **p, size_t *capacity, size_t n, size_t size) {
        size_t ncap;
        void *q;

        if (n < *capacity)
                return 0;
        ncap = *capacity ? *capacity * 2 : 64;
        q = reallocarray(*p, ncap, size);
        if (!q)
                return -ENOMEM;
        *p = q;
        *capacity = ncap;
        return 0;
}

static const signed char b64_value[256] = {
        ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
        ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
        ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
        ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
        ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
        ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
        ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
        ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/* Canonical padded base64 of exactly n bytes (what permit_unbase64()
 * accepts), checked without decoding: the alphabet, the padding, and no
 * stray bits in the last character. */
static bool b64_canonical(const char *s, size_t n) {
        size_t len = 4 * ((n + 2) / 3), pad = (3 - n % 3) % 3, data = len - pad;

        if (strlen(s) != len)
                return false;
        for (size_t i = 0; i < data; i++)
                if (!b64_value[(unsigned char) s[i]])
                        return false;
        for (size_t i = data; i < len; i++)
                if (s[i] != '=')
                        return false;
        /* The last character carries 2 (pad 2) or 4 (pad 1) unused bits. */
        return pad == 0 || ((b64_value[(unsigned char) s[data - 1]] - 1) & (pad == 2 ? 0x0f : 0x03)) == 0;
}

/* One version of one add-on, into recs[n_recs]. */
static int read_entry(rd *r, const char *id, size_t i, const index_rec *prev) {
        const where w = { .base = "packages", .id = id, .i = i };
        uint8_t raw[12];
        char id_string[PERMIT_KEY_ID_STRING_SIZE];
        const char *key, *s = NULL;
        index_rec e = { 0 };
        uint32_t seen = 0;
        int k;

        if ((k = permit_json_reader_object_begin(&r->j, NULL)) < 0)
                return k;
        while ((k = next_key(r, &key, NULL)) > 0) {
                int n = permit_json_reader_key_index(&r->j, key, entry_keys, E_N, &seen);
                int64_t v = 0;

                if (n < 0)
                        return n;
                if (n == E_SIZE || n == E_ADDED) {
                        if ((k = int_value(r, n == E_SIZE ? 0 : 1, &v)) < 0)
                                return k;
                        if (n == E_SIZE)
                                e.size = (uint64_t) v;
                        else
                                e.added = v;
                        continue;
                }
                if ((k = string_value(r, &s)) < 0)
                        return k;
                switch (n) {
                case E_VERSION: e.version = s; break;
                case E_DIGEST: e.digest = s; break;
                case E_SEAL: e.seal_digest = s; break;
                case E_KEY: e.key = s; break;
                case E_KEY_ID: e.key_id = s; break;
                case E_PATH: e.path = s; break;
                case E_CS: e.countersignature = s; break;
                }
        }
        if (k < 0)
                return k;
        if ((k = missing(r, &w, entry_keys, E_N, seen)) < 0)
                return k;

        if (strlen(e.version) > SEMVER_MAX || !permit_semver_valid(e.version))
                return bad_value(r, &(where) { .base = "packages", .id = id, .i = i, .field = "version" },
                                 "not a semantic version", e.version);
        if (prev && permit_semver_compare(prev->version, e.version) >= 0)
                return bad_value(r, &(where) { .base = "packages", .id = id, .i = i, .field = "version" },
                                 "versions must be listed lowest first, each once", e.version);
        if (!index_hex_digest_valid(e.digest))
                return bad_value(r, &(where) { .base = "packages", .id = id, .i = i, .field = "digest" },
                                 "must be 64 lower-case hex digits", e.digest);
        if (!index_hex_digest_valid(e.seal_digest))
                return bad_value(r, &(where) { .base = "packages", .id = id, .i = i, .field = "seal_digest" },
                                 "must be 64 lower-case hex digits", e.seal_digest);
        /* "Ed" || key id || key: the first 16 characters hold the id. */
        if (!b64_canonical(e.key, 2 + PERMIT_KEY_ID_SIZE + 32) || permit_unbase64(raw, sizeof(raw), e.key, 16) < 0 ||
            memcmp(raw, "Ed", 2) != 0)
                return bad_value(r, &(where) { .base = "packages", .id = id, .i = i, .field = "key" },
                                 "not a public key (RW...)", e.key);
        permit_key_id_format(raw + 2, id_string);
        if (!streq(e.key_id, id_string))
                return bad_value(r, &(where) { .base = "packages", .id = id, .i = i, .field = "key_id" },
                                 "is not the key's id", e.key_id);
        {
                /* The path is exactly packages/ID/VERSION.zip: a client may
                 * join it to the registry's URL and to nothing else. */
                size_t li = strlen(id), lv = strlen(e.version);
                if (strlen(e.path) != 9 + li + 1 + lv + 4 || !startswith(e.path, "packages/") ||
                    memcmp(e.path + 9, id, li) != 0 || e.path[9 + li] != '/' ||
                    memcmp(e.path + 10 + li, e.version, lv) != 0 || !streq(e.path + 10 + li + lv, ".zip"))
                        return bad_value(r, &(where) { .base = "packages", .id = id, .i = i, .field = "path" },
                                         "must be packages/ID/VERSION.zip", e.path);
        }
        if (!b64_canonical(e.countersignature, PERMIT_SIGNATURE_SIZE))
                return bad_value(r, &(where) { .base = "packages", .id = id, .i = i, .field = "countersignature" },
                                 "not a base64 Ed25519 signature", e.countersignature);
        r->idx->recs[r->idx->n_recs++] = e;
        return 0;
}

static int read_packages(rd *r) {
        permit_index *idx = r->idx;
        const char *id;
        size_t id_len;
        int k;

        if ((k = permit_json_reader_object_begin(&r->j, NULL)) < 0)
                return k;
        while ((k = next_key(r, &id, &id_len)) > 0) {
                const where w = { .base = "packages", .id = id, .i = NO_INDEX };
                char path[PERMIT_ERROR_PATH_LENGTH];
                index_pkg *pkg;
                size_t i = 0;

                /* The key was decoded as scratch: keep it. */
                idx->arena_used += id_len + 1;
                if (id_len > ID_MAX || !permit_addon_id_valid(id))
                        return fail(r, where_path(&w, path), "not a valid add-on id");
                if ((k = permit_json_reader_array_begin(&r->j, NULL)) < 0)
                        return k;
                if (grow((void **) &idx->pkgs, &idx->cap_pkgs, idx->n_pkgs, sizeof(*idx->pkgs)) < 0)
                        return -ENOMEM;
                pkg = &idx->pkgs[idx->n_pkgs++];
                *pkg = (index_pkg) { .id = id, .first = idx->n_recs };
                while ((k = permit_json_reader_element(&r->j, NULL)) > 0) {
                        if (grow((void **) &idx->recs, &idx->cap_recs, idx->n_recs, sizeof(*idx->recs)) < 0)
                                return -ENOMEM;
                        k = read_entry(r, id, i, i ? &idx->recs[idx->n_recs - 1] : NULL);
                        if (k < 0)
                                return k;
                        i++;
                }
                if (k < 0)
                        return k;
                if (i == 0)
                        return fail(r, where_path(&w, path), "must be a non-empty array");
                pkg->n = i;
        }
        return k;
}

static int read_revoked_list(rd *r, bool keys) {
        static const char *const key_fields[] = { "key_id", "reason", "revoked_at" };
        static const char *const package_fields[] = { "seal_digest", "reason", "revoked_at" };
        const char *const *names = keys ? key_fields : package_fields;
        const char *base = keys ? "revoked.keys" : "revoked.packages";
        permit_index *idx = r->idx;
        size_t i = 0;
        int k;

        if ((k = permit_json_reader_array_begin(&r->j, NULL)) < 0)
                return k;
        while ((k = permit_json_reader_element(&r->j, NULL)) > 0) {
                const where w = { .base = base, .i = i++ };
                char path[PERMIT_ERROR_PATH_LENGTH];
                index_revoked rec = { 0 };
                permit_error sub = { 0 };
                const char *key;
                uint32_t seen = 0;
                where f;

                if ((k = permit_json_reader_object_begin(&r->j, NULL)) < 0)
                        return k;
                while ((k = next_key(r, &key, NULL)) > 0) {
                        int n = permit_json_reader_key_index(&r->j, key, names, 3, &seen);
                        if (n < 0)
                                return n;
                        k = n == 2 ? int_value(r, 1, &rec.at) : string_value(r, n == 0 ? &rec.what : &rec.reason);
                        if (k < 0)
                                return k;
                }
                if (k < 0 || (k = missing(r, &w, names, 3, seen)) < 0)
                        return k;
                f = at_field(&w, names[0]);
                if (keys ? !index_key_id_valid(rec.what) : !index_hex_digest_valid(rec.what))
                        return bad_value(r, &f,
                                         keys ? "must be 16 upper-case hex digits" : "must be 64 lower-case hex digits",
                                         rec.what);
                f = at_field(&w, "reason");
                if (index_reason_check(rec.reason, &sub) < 0)
                        return fail(r, where_path(&f, path), "%s", sub.text);
                if (keys) {
                        if (grow((void **) &idx->rkeys, &idx->cap_rkeys, idx->n_rkeys, sizeof(rec)) < 0)
                                return -ENOMEM;
                        idx->rkeys[idx->n_rkeys++] = rec;
                } else {
                        if (grow((void **) &idx->rpkgs, &idx->cap_rpkgs, idx->n_rpkgs, sizeof(rec)) < 0)
                                return -ENOMEM;
                        idx->rpkgs[idx->n_rpkgs++] = rec;
                }
        }
        return k;
}

static int read_revoked(rd *r) {
        const where w = { .base = "revoked", .i = NO_INDEX };
        const char *key;
        uint32_t seen = 0;
        int k;

        if ((k = permit_json_reader_object_begin(&r->j, NULL)) < 0)
                return k;
        while ((k = next_key(r, &key, NULL)) > 0) {
                int f = permit_json_reader_key_index(&r->j, key, revoked_fields, 2, &seen);
                if ((k = f) < 0 || (k = read_revoked_list(r, f == 0)) < 0)
                        return k;
        }
        return k < 0 ? k : missing(r, &w, revoked_fields, 2, seen);
}

static int compare_pkgs(const void *a, const void *b) {
        return strcmp(((const index_pkg *) a)->id, ((const index_pkg *) b)->id);
}

static int read_index(rd *r) {
        const where top = { .i = NO_INDEX };
        permit_index *idx = r->idx;
        const char *key;
        uint32_t seen = 0;
        int64_t v = 0;
        int k;

        /* "not a JSON object" if it is another value */
        if ((k = permit_json_reader_object_begin(&r->j, NULL)) < 0)
                return k;
        while ((k = next_key(r, &key, NULL)) > 0) {
                int f = permit_json_reader_key_index(&r->j, key, top_keys, ELEMENTSOF(top_keys), &seen);
                const where w = { .field = f >= 0 ? top_keys[f] : NULL, .i = NO_INDEX };

                if (f < 0)
                        return f;
                switch (f) {
                case 0:
                        if ((k = int_value(r, 0, &v)) < 0)
                                return k;
                        if (v != PERMIT_INDEX_FORMAT)
                                return fail(r, "format",
                                            "unsupported index format %" PRId64 " (this permit reads format %d)", v,
                                            PERMIT_INDEX_FORMAT);
                        break;
                case 1:
                        if ((k = string_value(r, &idx->registry)) < 0)
                                return k;
                        if (!index_name_valid(idx->registry))
                                return bad_value(r, &w, "not a valid registry name", idx->registry);
                        break;
                case 2:
                        if ((k = int_value(r, 1, &v)) < 0)
                                return k;
                        idx->version = (uint64_t) v;
                        break;
                case 3: k = int_value(r, 1, &idx->issued); break;
                case 4: k = int_value(r, 1, &idx->expires); break;
                case 5: k = read_packages(r); break;
                case 6: k = read_revoked(r); break;
                }
                if (k < 0)
                        return k;
        }
        if (k < 0)
                return k;
        if ((k = permit_json_reader_end(&r->j)) < 0)
                return k;
        if ((k = missing(r, &top, top_keys, ELEMENTSOF(top_keys), seen)) < 0)
                return k;
        if (idx->expires <= idx->issued)
                return fail(r, "expires", "must be later than issued");

        if (idx->n_pkgs > 0)
                qsort(idx->pkgs, idx->n_pkgs, sizeof(*idx->pkgs), compare_pkgs);
        for (size_t i = 1; i < idx->n_pkgs; i++)
                if (streq(idx->pkgs[i - 1].id, idx->pkgs[i].id)) {
                        char path[PERMIT_ERROR_PATH_LENGTH];
                        permit_json_path_key(path, sizeof(path), "packages", idx->pkgs[i].id);
                        return fail(r, path, "duplicate object key");
                }
        return 0;
}

int index_read(const char *data, size_t len, permit_index **ret, permit_error *error) {
        permit_index *idx;
        rd r;
        int k;

        idx = calloc(1, sizeof(*idx));
        if (!idx)
                return -ENOMEM;
        idx->arena_size = len + 1;
        idx->arena = malloc(idx->arena_size);
        if (!idx->arena) {
                free(idx);
                return -ENOMEM;
        }
        permit_json_reader_init(&r.j, data, len, error);
        r.idx = idx;
        k = read_index(&r);
        if (k < 0) {
                permit_index_free(idx);
                return k == -ENOMEM ? permit_error_set(error, k, NULL, "out of memory") : k;
        }
        *ret = idx;
        return 0;
}
