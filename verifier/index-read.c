/* SPDX-License-Identifier: MIT */
/* The strict reader of index.json: one pass over the bytes, RFC 8259 JSON
 * (whitespace, escapes, UTF-8 checked as jansson checks them: no invalid
 * UTF-8, no \u0000, no duplicate keys, nothing after the document) read
 * straight into the handle, every field checked as doc/registry.md says.
 * It builds no JSON tree: that is what makes 20,000 add-ons load in a few
 * tens of milliseconds (bench/README.md). No recursion: the format's depth
 * is fixed. */
#include <inttypes.h>
#include <stdarg.h>

#include "encoding-private.h"
#include "index-private.h"
#include "json-private.h"
#include "manifest/manifest-private.h"
#include "signer/keys-private.h"

#define ID_MAX 128
#define KEY_B64_LEN 56
#define SIG_B64_LEN 88
/* Past 2^53 a JSON integer is no longer exact everywhere. */
#define JSON_INT_MAX INT64_C(9007199254740992)

typedef struct rd {
        const char *start, *p, *end;
        permit_index *idx;
        permit_error *error;
} rd;

/* Where a value is, for error messages only: "base", then ".id", "[i]",
 * ".field" when given. Built only when something is wrong. */
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

static char at(const rd *r) {
        return r->p < r->end ? *r->p : '\0';
}

static void ws(rd *r) {
        while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
                r->p++;
}

/* A syntax error at the current position: line and column as jansson
 * counts them (1-based; the column is bytes into the line). */
static int syntax(rd *r, const char *what) {
        int line = 1, column = 1;

        for (const char *q = r->start; q < r->p && q < r->end; q++) {
                if (*q == '\n') {
                        line++;
                        column = 1;
                } else
                        column++;
        }
        permit_error_set_position(r->error, line, column);
        return permit_error_set(r->error, -EINVAL, NULL, "invalid JSON: %s", what);
}

static int fail(rd *r, const char *path, const char *format, ...) _printf_(3, 4);
static int fail(rd *r, const char *path, const char *format, ...) {
        char text[PERMIT_ERROR_TEXT_LENGTH];
        va_list ap;

        va_start(ap, format);
        vsnprintf(text, sizeof(text), format, ap);
        va_end(ap);
        return permit_error_set(r->error, -EINVAL, path, "%s", text);
}

static int bad_value(rd *r, const where *w, const char *what, const char *value) {
        char q[64 * 4 + 8], path[PERMIT_ERROR_PATH_LENGTH];
        return fail(r, where_path(w, path), "%s: '%s'", what, permit_quote(q, sizeof(q), value));
}

static void put_utf8(char **o, uint32_t cp) {
        char *p = *o;

        if (cp < 0x80)
                *p++ = (char) cp;
        else if (cp < 0x800) {
                *p++ = (char) (0xc0 | cp >> 6);
                *p++ = (char) (0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
                *p++ = (char) (0xe0 | cp >> 12);
                *p++ = (char) (0x80 | ((cp >> 6) & 0x3f));
                *p++ = (char) (0x80 | (cp & 0x3f));
        } else {
                *p++ = (char) (0xf0 | cp >> 18);
                *p++ = (char) (0x80 | ((cp >> 12) & 0x3f));
                *p++ = (char) (0x80 | ((cp >> 6) & 0x3f));
                *p++ = (char) (0x80 | (cp & 0x3f));
        }
        *o = p;
}

static int hex4(rd *r, uint32_t *ret) {
        uint32_t v = 0;

        if (r->end - r->p < 4)
                return syntax(r, "invalid \\u escape");
        for (int i = 0; i < 4; i++) {
                char c = r->p[i];
                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (uint32_t) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (uint32_t) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (uint32_t) (c - 'A' + 10);
                else
                        return syntax(r, "invalid \\u escape");
        }
        r->p += 4;
        *ret = v;
        return 0;
}

/* Reads the string at r->p ('"'), decoded, into the arena; keep says
 * whether it stays there (a value) or may be overwritten (a key). The
 * arena is as large as the input: a decoded string and its NUL never take
 * more bytes than it took quoted. */
static int str(rd *r, bool keep, const char **ret) {
        char *out = r->idx->arena + r->idx->arena_used, *o = out;

        if (at(r) != '"')
                return syntax(r, "expected a string");
        r->p++;
        for (;;) {
                const char *run = r->p;
                unsigned char c;

                /* Plain ASCII runs, the bulk of an index, in one copy. */
                while (r->p < r->end && (unsigned char) *r->p >= 0x20 && *r->p != '"' && *r->p != '\\' &&
                       (unsigned char) *r->p < 0x80)
                        r->p++;
                memcpy(o, run, (size_t) (r->p - run));
                o += r->p - run;
                if (r->p >= r->end)
                        return syntax(r, "unterminated string");
                c = (unsigned char) *r->p;
                if (c == '"') {
                        r->p++;
                        break;
                }
                if (c < 0x20)
                        return syntax(r, "control character in a string");
                if (c == '\\') {
                        uint32_t cp, lo;
                        char e;

                        r->p++;
                        e = at(r);
                        r->p++;
                        switch (e) {
                        case '"': case '\\': case '/': *o++ = e; break;
                        case 'b': *o++ = '\b'; break;
                        case 'f': *o++ = '\f'; break;
                        case 'n': *o++ = '\n'; break;
                        case 'r': *o++ = '\r'; break;
                        case 't': *o++ = '\t'; break;
                        case 'u':
                                if (hex4(r, &cp) < 0)
                                        return -EINVAL;
                                if (cp >= 0xdc00 && cp <= 0xdfff)
                                        return syntax(r, "invalid Unicode escape (lone low surrogate)");
                                if (cp >= 0xd800 && cp <= 0xdbff) {
                                        if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
                                                return syntax(r, "invalid Unicode escape (lone high surrogate)");
                                        r->p += 2;
                                        if (hex4(r, &lo) < 0)
                                                return -EINVAL;
                                        if (lo < 0xdc00 || lo > 0xdfff)
                                                return syntax(r, "invalid Unicode escape (bad surrogate pair)");
                                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                }
                                if (cp == 0)
                                        return syntax(r, "\\u0000 is not allowed");
                                put_utf8(&o, cp);
                                break;
                        default:
                                r->p--;
                                return syntax(r, "invalid escape");
                        }
                        continue;
                }
                {
                        size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
                        if (n == 0 || (size_t) (r->end - r->p) < n || !permit_utf8_valid(r->p, n))
                                return syntax(r, "invalid UTF-8 in a string");
                        memcpy(o, r->p, n);
                        o += n;
                        r->p += n;
                }
        }
        *o++ = '\0';
        if (keep)
                r->idx->arena_used += (size_t) (o - out);
        *ret = out;
        return 0;
}

/* The input is not NUL-terminated: compare within its end. */
static bool next_is(const rd *r, const char *word) {
        size_t n = strlen(word);
        return (size_t) (r->end - r->p) >= n && memcmp(r->p, word, n) == 0;
}

static bool literal_next(const rd *r) {
        return next_is(r, "true") || next_is(r, "false") || next_is(r, "null");
}

typedef enum kind { K_STRING, K_NUMBER, K_OBJECT, K_ARRAY, K_OTHER } kind;

static kind peek(const rd *r) {
        char c = at(r);
        return c == '"' ? K_STRING : c == '{' ? K_OBJECT : c == '[' ? K_ARRAY : c == '-' || (c >= '0' && c <= '9') ? K_NUMBER : K_OTHER;
}

static const char *kind_name(kind k) {
        return k == K_STRING ? "a string" : k == K_NUMBER ? "an integer" : k == K_OBJECT ? "an object" : "an array";
}

/* The value at r->p must be of kind k; a literal (true, false, null) or
 * anything else is a type error, or a syntax error if it is not JSON. */
static int expect_kind(rd *r, kind k, const where *w) {
        char path[PERMIT_ERROR_PATH_LENGTH];
        kind got = peek(r);

        if (got == k)
                return 0;
        if (got == K_OTHER && !literal_next(r))
                return syntax(r, "invalid value");
        return fail(r, where_path(w, path), "must be %s", kind_name(k));
}

static int string_value(rd *r, const where *w, const char **ret) {
        int k = expect_kind(r, K_STRING, w);
        return k < 0 ? k : str(r, true, ret);
}

/* An integer in [min, 2^53]: JSON's number grammar, refusing fractions
 * and exponents as not integers. */
static int int_value(rd *r, const where *w, int64_t min, int64_t *ret) {
        char path[PERMIT_ERROR_PATH_LENGTH];
        const char *q;
        bool neg = false, real = false;
        int64_t v = 0;
        int digits = 0;
        int k = expect_kind(r, K_NUMBER, w);

        if (k < 0)
                return k;
        q = r->p;
        if (*q == '-') {
                neg = true;
                q++;
        }
        if (q >= r->end || *q < '0' || *q > '9') {
                r->p = q;
                return syntax(r, "invalid number");
        }
        if (*q == '0' && q + 1 < r->end && q[1] >= '0' && q[1] <= '9') {
                r->p = q;
                return syntax(r, "leading zero in a number");
        }
        for (; q < r->end && *q >= '0' && *q <= '9'; q++, digits++)
                if (digits < 18)
                        v = v * 10 + (*q - '0');
        if (q < r->end && *q == '.') {
                real = true;
                q++;
                if (q >= r->end || *q < '0' || *q > '9') {
                        r->p = q;
                        return syntax(r, "invalid number");
                }
                while (q < r->end && *q >= '0' && *q <= '9')
                        q++;
        }
        if (q < r->end && (*q == 'e' || *q == 'E')) {
                real = true;
                q++;
                if (q < r->end && (*q == '+' || *q == '-'))
                        q++;
                if (q >= r->end || *q < '0' || *q > '9') {
                        r->p = q;
                        return syntax(r, "invalid number");
                }
                while (q < r->end && *q >= '0' && *q <= '9')
                        q++;
        }
        r->p = q;
        if (real)
                return fail(r, where_path(w, path), "must be an integer");
        if (neg)
                v = -v;
        if (digits > 16 || v < min || v > JSON_INT_MAX)
                return fail(r, where_path(w, path), "must be an integer from %" PRId64 " to 2^53", min);
        *ret = v;
        return 0;
}

/* Members of an object: 1 with the next key (positioned at its value),
 * 0 after the closing brace. */
static int obj_next(rd *r, bool *first, const char **ret_key) {
        int k;

        ws(r);
        if (at(r) == '}') {
                r->p++;
                return 0;
        }
        if (!*first) {
                if (at(r) != ',')
                        return syntax(r, "expected ',' or '}'");
                r->p++;
                ws(r);
        }
        *first = false;
        k = str(r, false, ret_key);
        if (k < 0)
                return k;
        ws(r);
        if (at(r) != ':')
                return syntax(r, "expected ':'");
        r->p++;
        ws(r);
        return 1;
}

/* Elements of an array: 1 positioned at the next, 0 after the bracket. */
static int arr_next(rd *r, bool *first) {
        ws(r);
        if (at(r) == ']') {
                r->p++;
                return 0;
        }
        if (!*first) {
                if (at(r) != ',')
                        return syntax(r, "expected ',' or ']'");
                r->p++;
                ws(r);
        }
        *first = false;
        return 1;
}

static int open_value(rd *r, kind k, const where *w) {
        int e = expect_kind(r, k, w);
        if (e < 0)
                return e;
        r->p++;
        return 0;
}

/* Which of n names key is; -1 for none. */
static int field_index(const char *key, const char *const *names, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (streq(key, names[i]))
                        return (int) i;
        return -1;
}

static int member_check(rd *r, const where *parent, const char *key, int i, unsigned *seen) {
        char path[PERMIT_ERROR_PATH_LENGTH];
        where w = at_field(parent, key);

        if (i < 0)
                return fail(r, where_path(&w, path), "unknown field");
        if (*seen & (1u << i))
                return syntax(r, "duplicate object key");
        *seen |= 1u << i;
        return 0;
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
        unsigned seen = 0;
        bool first = true;
        where f;
        int k;

        if ((k = open_value(r, K_OBJECT, &w)) < 0)
                return k;
        while ((k = obj_next(r, &first, &key)) > 0) {
                int n = field_index(key, entry_keys, E_N);
                int64_t v = 0;

                if ((k = member_check(r, &w, key, n, &seen)) < 0)
                        return k;
                f = at_field(&w, entry_keys[n]);
                if (n == E_SIZE || n == E_ADDED) {
                        if ((k = int_value(r, &f, n == E_SIZE ? 0 : 1, &v)) < 0)
                                return k;
                        if (n == E_SIZE)
                                e.size = (uint64_t) v;
                        else
                                e.added = v;
                        continue;
                }
                if ((k = string_value(r, &f, &s)) < 0)
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
        bool first = true;
        int k;

        if ((k = open_value(r, K_OBJECT, &(where) { .base = "packages", .i = NO_INDEX })) < 0)
                return k;
        while ((k = obj_next(r, &first, &id)) > 0) {
                const where w = { .base = "packages", .id = id, .i = NO_INDEX };
                char path[PERMIT_ERROR_PATH_LENGTH];
                bool efirst = true;
                index_pkg *pkg;
                size_t i = 0;

                /* The key was decoded as scratch: keep it. */
                idx->arena_used += strlen(id) + 1;
                if (strlen(id) > ID_MAX || !permit_addon_id_valid(id))
                        return fail(r, where_path(&w, path), "not a valid add-on id");
                if ((k = open_value(r, K_ARRAY, &w)) < 0)
                        return k;
                if (grow((void **) &idx->pkgs, &idx->cap_pkgs, idx->n_pkgs, sizeof(*idx->pkgs)) < 0)
                        return -ENOMEM;
                pkg = &idx->pkgs[idx->n_pkgs++];
                *pkg = (index_pkg) { .id = id, .first = idx->n_recs };
                while ((k = arr_next(r, &efirst)) > 0) {
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
        bool first = true;
        size_t i = 0;
        int k;

        if ((k = open_value(r, K_ARRAY, &(where) { .base = base, .i = NO_INDEX })) < 0)
                return k;
        while ((k = arr_next(r, &first)) > 0) {
                const where w = { .base = base, .i = i++ };
                char path[PERMIT_ERROR_PATH_LENGTH];
                index_revoked rec = { 0 };
                permit_error sub = { 0 };
                const char *key;
                unsigned seen = 0;
                bool ofirst = true;
                where f;

                if ((k = open_value(r, K_OBJECT, &w)) < 0)
                        return k;
                while ((k = obj_next(r, &ofirst, &key)) > 0) {
                        int n = field_index(key, names, 3);
                        if ((k = member_check(r, &w, key, n, &seen)) < 0)
                                return k;
                        f = at_field(&w, names[n]);
                        k = n == 2 ? int_value(r, &f, 1, &rec.at) : string_value(r, &f, n == 0 ? &rec.what : &rec.reason);
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
        unsigned seen = 0;
        bool first = true;
        int k;

        if ((k = open_value(r, K_OBJECT, &w)) < 0)
                return k;
        while ((k = obj_next(r, &first, &key)) > 0) {
                int f = field_index(key, revoked_fields, 2);
                if ((k = member_check(r, &w, key, f, &seen)) < 0 || (k = read_revoked_list(r, f == 0)) < 0)
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
        unsigned seen = 0;
        bool first = true;
        int64_t v = 0;
        int k;

        ws(r);
        if (at(r) != '{') {
                if (at(r) == '[' || at(r) == '"' || peek(r) == K_NUMBER || literal_next(r))
                        return fail(r, NULL, "not a JSON object");
                return syntax(r, "expected '{'");
        }
        r->p++;
        while ((k = obj_next(r, &first, &key)) > 0) {
                int f = field_index(key, top_keys, ELEMENTSOF(top_keys));
                const where w = { .field = f >= 0 ? top_keys[f] : NULL, .i = NO_INDEX };

                if ((k = member_check(r, &top, key, f, &seen)) < 0)
                        return k;
                switch (f) {
                case 0:
                        if ((k = int_value(r, &w, 0, &v)) < 0)
                                return k;
                        if (v != PERMIT_INDEX_FORMAT)
                                return fail(r, "format",
                                            "unsupported index format %" PRId64 " (this permit reads format %d)", v,
                                            PERMIT_INDEX_FORMAT);
                        break;
                case 1:
                        if ((k = string_value(r, &w, &idx->registry)) < 0)
                                return k;
                        if (!index_name_valid(idx->registry))
                                return bad_value(r, &w, "not a valid registry name", idx->registry);
                        break;
                case 2:
                        if ((k = int_value(r, &w, 1, &v)) < 0)
                                return k;
                        idx->version = (uint64_t) v;
                        break;
                case 3: k = int_value(r, &w, 1, &idx->issued); break;
                case 4: k = int_value(r, &w, 1, &idx->expires); break;
                case 5: k = read_packages(r); break;
                case 6: k = read_revoked(r); break;
                }
                if (k < 0)
                        return k;
        }
        if (k < 0)
                return k;
        ws(r);
        if (r->p != r->end)
                return syntax(r, "end of file expected");
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
        rd r = { .start = data, .p = data, .end = data + len, .error = error };
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
        r.idx = idx;
        k = read_index(&r);
        if (k < 0) {
                permit_index_free(idx);
                return k == -ENOMEM ? permit_error_set(error, k, NULL, "out of memory") : k;
        }
        *ret = idx;
        return 0;
}
