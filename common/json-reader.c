/* SPDX-License-Identifier: MIT */
/* The strict JSON pull reader (json-reader-private.h). What jansson
 * refuses, it refuses: tests/unit/common/test-json-reader.c compares the
 * two on every one-byte change and every truncation of sample documents. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>

#include "encoding-private.h"
#include "json-private.h"
#include "json-reader-private.h"

typedef permit_json_reader reader;

void permit_json_reader_init(reader *r, const char *buf, size_t len, permit_error *error) {
        r->start = buf;
        r->p = buf;
        r->end = buf + len;
        r->error = error;
        r->depth = 0;
}

static int string_body(reader *r, char *out, size_t size, size_t *ret_len, const char *path);

/* The path of where the reader stands: the keys and indices of the open
 * objects and arrays. A key is decoded again from the input; one that does
 * not decode (the error may be in it) is left out. */
static void current_path(const reader *r, char buf[PERMIT_ERROR_PATH_LENGTH]) {
        buf[0] = '\0';
        for (unsigned i = 0; i < r->depth; i++) {
                const permit_json_frame *f = &r->frames[i];
                char parent[PERMIT_ERROR_PATH_LENGTH], key[PERMIT_ERROR_PATH_LENGTH];

                snprintf(parent, sizeof(parent), "%s", buf);
                if (f->array) {
                        if (f->count > 0)
                                permit_json_path_index(buf, PERMIT_ERROR_PATH_LENGTH, parent, f->count - 1);
                } else if (f->key) {
                        reader sub;
                        permit_json_reader_init(&sub, f->key, (size_t) (r->end - f->key), NULL);
                        if (string_body(&sub, key, sizeof(key), NULL, NULL) == 0)
                                permit_json_path_key(buf, PERMIT_ERROR_PATH_LENGTH, parent, key);
                }
        }
}

static int vfail(reader *r, int code, const char *path, const char *format, va_list ap) {
        char text[PERMIT_ERROR_TEXT_LENGTH], here[PERMIT_ERROR_PATH_LENGTH];
        int line = 1, column = 1;

        if (!r->error)
                return code;
        /* line and column as jansson counts them: 1-based, bytes into the line */
        for (const char *q = r->start; q < r->p && q < r->end; q++) {
                if (*q == '\n') {
                        line++;
                        column = 1;
                } else
                        column++;
        }
        if (!path) {
                current_path(r, here);
                path = here;
        }
        vsnprintf(text, sizeof(text), format, ap);
        permit_error_set(r->error, code, path, "%s", text);
        permit_error_set_position(r->error, line, column);
        return code;
}

int permit_json_reader_fail(reader *r, int code, const char *path, const char *format, ...) {
        va_list ap;
        int k;

        va_start(ap, format);
        k = vfail(r, code, path, format, ap);
        va_end(ap);
        return k;
}

/* Not JSON: "invalid JSON: ...". */
static int syntax(reader *r, const char *path, const char *format, ...) _printf_(3, 4);
static int syntax(reader *r, const char *path, const char *format, ...) {
        char text[PERMIT_ERROR_TEXT_LENGTH];
        va_list ap;

        va_start(ap, format);
        vsnprintf(text, sizeof(text), format, ap);
        va_end(ap);
        return permit_json_reader_fail(r, -EINVAL, path, "invalid JSON: %s", text);
}

static void ws(reader *r) {
        const char *p = r->p;

        /* Indented files put a newline and a run of spaces before most
         * tokens: after a newline, spaces are skipped 8 at a time. */
        while (p < r->end && (unsigned char) *p <= ' ') {
                char c = *p;
                if (c != ' ' && c != '\n' && c != '\t' && c != '\r')
                        break;
                p++;
                if (c == '\n')
                        while (r->end - p >= 8 && memcmp(p, "        ", 8) == 0)
                                p += 8;
        }
        r->p = p;
}

#define BYTES(b) (UINT64_C(0x0101010101010101) * (b))

/* Whether none of the 8 bytes at q ends a plain run: a control character
 * (< 0x20), a byte >= 0x80, '"' or '\\'. The tests are exact: a borrow
 * only spreads past a byte that already matched. */
static bool plain8(const char *q) {
        uint64_t v, quote, backslash, special;

        memcpy(&v, q, sizeof(v));
        quote = v ^ BYTES(0x22);
        backslash = v ^ BYTES(0x5c);
        special = ((v - BYTES(0x20)) & ~v) | ((quote - BYTES(0x01)) & ~quote) |
                  ((backslash - BYTES(0x01)) & ~backslash) | v;
        return (special & BYTES(0x80)) == 0;
}
/* The input is not NUL-terminated: compare within its end. */
static bool next_is(const reader *r, const char *word, size_t n) {
        return (size_t) (r->end - r->p) >= n && memcmp(r->p, word, n) == 0;
}

permit_json_kind permit_json_reader_peek(reader *r) {
        ws(r);
        if (r->p >= r->end)
                return PERMIT_JSON_KIND_END;
        switch (*r->p) {
        case '{': return PERMIT_JSON_KIND_OBJECT;
        case '[': return PERMIT_JSON_KIND_ARRAY;
        case '"': return PERMIT_JSON_KIND_STRING;
        case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
                return PERMIT_JSON_KIND_NUMBER;
        case 't': return next_is(r, "true", 4) ? PERMIT_JSON_KIND_BOOL : PERMIT_JSON_KIND_INVALID;
        case 'f': return next_is(r, "false", 5) ? PERMIT_JSON_KIND_BOOL : PERMIT_JSON_KIND_INVALID;
        case 'n': return next_is(r, "null", 4) ? PERMIT_JSON_KIND_NULL : PERMIT_JSON_KIND_INVALID;
        default: return PERMIT_JSON_KIND_INVALID;
        }
}

/* Not the value the caller wants: a syntax error if it is no value at all,
 * else a type error ("must be an object"). token names what was expected
 * in a syntax error ("'{'"), type in a type error ("an object"). */
static int wrong_kind(reader *r, permit_json_kind got, const char *token, const char *type, const char *path) {
        if (got == PERMIT_JSON_KIND_END)
                return syntax(r, path, "unexpected end of file, expected %s", token);
        if (got == PERMIT_JSON_KIND_INVALID)
                return syntax(r, path, "invalid value (expected %s)", token);
        if (r->depth == 0 && streq(type, "an object"))
                return permit_json_reader_fail(r, -EINVAL, path, "not a JSON object");
        return permit_json_reader_fail(r, -EINVAL, path, "must be %s", type);
}

static int push(reader *r, permit_json_kind kind, const char *token, const char *type, bool array,
                const char *path) {
        permit_json_kind got = permit_json_reader_peek(r);

        if (got != kind)
                return wrong_kind(r, got, token, type, path);
        if (r->depth >= PERMIT_JSON_READER_MAX_DEPTH)
                return permit_json_reader_fail(r, -EINVAL, path, "nested too deeply");
        r->p++;
        r->frames[r->depth++] = (permit_json_frame) { .array = array };
        return 0;
}

int permit_json_reader_object_begin(reader *r, const char *path) {
        return push(r, PERMIT_JSON_KIND_OBJECT, "'{'", "an object", false, path);
}

int permit_json_reader_array_begin(reader *r, const char *path) {
        return push(r, PERMIT_JSON_KIND_ARRAY, "'['", "an array", true, path);
}

static int hex4(reader *r, uint32_t *ret, const char *path) {
        uint32_t v = 0;

        if (r->end - r->p < 4)
                return syntax(r, path, "invalid \\u escape");
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
                        return syntax(r, path, "invalid \\u escape");
        }
        r->p += 4;
        *ret = v;
        return 0;
}

static size_t put_utf8(char *o, uint32_t cp) {
        if (cp < 0x80) {
                o[0] = (char) cp;
                return 1;
        }
        if (cp < 0x800) {
                o[0] = (char) (0xc0 | cp >> 6);
                o[1] = (char) (0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                o[0] = (char) (0xe0 | cp >> 12);
                o[1] = (char) (0x80 | (cp >> 6 & 0x3f));
                o[2] = (char) (0x80 | (cp & 0x3f));
                return 3;
        }
        o[0] = (char) (0xf0 | cp >> 18);
        o[1] = (char) (0x80 | (cp >> 12 & 0x3f));
        o[2] = (char) (0x80 | (cp >> 6 & 0x3f));
        o[3] = (char) (0x80 | (cp & 0x3f));
        return 4;
}

/* The escape after a '\\' (r->p past it), decoded into o (4 bytes). */
static int escape(reader *r, char *o, size_t *ret_n, const char *path) {
        uint32_t cp, lo;
        char e;

        if (r->p >= r->end)
                return syntax(r, path, "unterminated string");
        e = *r->p++;
        *ret_n = 1;
        switch (e) {
        case '"': case '\\': case '/': *o = e; return 0;
        case 'b': *o = '\b'; return 0;
        case 'f': *o = '\f'; return 0;
        case 'n': *o = '\n'; return 0;
        case 'r': *o = '\r'; return 0;
        case 't': *o = '\t'; return 0;
        case 'u': break;
        default:
                r->p--;
                return syntax(r, path, "invalid escape");
        }
        if (hex4(r, &cp, path) < 0)
                return -EINVAL;
        if (cp >= 0xdc00 && cp <= 0xdfff)
                return syntax(r, path, "invalid Unicode escape (lone low surrogate)");
        if (cp >= 0xd800 && cp <= 0xdbff) {
                if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
                        return syntax(r, path, "invalid Unicode escape (lone high surrogate)");
                r->p += 2;
                if (hex4(r, &lo, path) < 0)
                        return -EINVAL;
                if (lo < 0xdc00 || lo > 0xdfff)
                        return syntax(r, path, "invalid Unicode escape (bad surrogate pair)");
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        if (cp == 0)
                return syntax(r, path, "\\u0000 is not allowed in a string");
        *ret_n = put_utf8(o, cp);
        return 0;
}

/* The string at r->p (its '"'), decoded into out (size bytes with the NUL;
 * out NULL: only checked). -E2BIG, error not set, when it does not fit. */
static int string_body(reader *r, char *out, size_t size, size_t *ret_len, const char *path) {
        size_t n = 0;

        r->p++;
        for (;;) {
                const char *run = r->p;
                char buf[4], *piece;
                size_t len;
                unsigned char c;
                int k;

                /* Plain ASCII runs, the bulk of a file, in one copy;
                 * scanned 8 bytes at a time, then byte by byte. */
                while (r->end - r->p >= 8 && plain8(r->p))
                        r->p += 8;
                while (r->p < r->end && (unsigned char) *r->p >= 0x20 && (unsigned char) *r->p < 0x80 &&
                       *r->p != '"' && *r->p != '\\')
                        r->p++;
                len = (size_t) (r->p - run);
                if (out) {
                        if (len >= size - n)
                                return -E2BIG;
                        memcpy(out + n, run, len);
                }
                n += len;
                if (r->p >= r->end)
                        return syntax(r, path, "unterminated string");
                c = (unsigned char) *r->p;
                if (c == '"') {
                        r->p++;
                        break;
                }
                if (c < 0x20)
                        return syntax(r, path, "control character in a string");
                if (c == '\\') {
                        r->p++;
                        k = escape(r, buf, &len, path);
                        if (k < 0)
                                return k;
                        piece = buf;
                } else {
                        len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
                        if (len == 0 || (size_t) (r->end - r->p) < len || !permit_utf8_valid(r->p, len))
                                return syntax(r, path, "invalid UTF-8 in a string");
                        piece = (char *) r->p;
                        r->p += len;
                }
                if (out) {
                        if (len >= size - n)
                                return -E2BIG;
                        memcpy(out + n, piece, len);
                }
                n += len;
        }
        if (out)
                out[n] = '\0';
        if (ret_len)
                *ret_len = n;
        return 0;
}

/* How many bytes the string at r->p takes quoted, without its quotes: the
 * most it decodes to. */
static size_t quoted_length(const reader *r) {
        const char *q = r->p + 1;

        while (q < r->end && *q != '"')
                q += *q == '\\' && r->end - q > 1 ? 2 : 1;
        return (size_t) (q - (r->p + 1));
}

int permit_json_reader_string_to(reader *r, char *buf, size_t size, size_t *ret_len, const char *path) {
        permit_json_kind got = permit_json_reader_peek(r);
        int k;

        if (got != PERMIT_JSON_KIND_STRING)
                return wrong_kind(r, got, "a string", "a string", path);
        k = string_body(r, buf, size, ret_len, path);
        if (k == -E2BIG)
                return permit_json_reader_fail(r, k, path, "string too long");
        return k;
}

int permit_json_reader_string(reader *r, char **ret, const char *path) {
        permit_json_kind got = permit_json_reader_peek(r);
        size_t size;
        char *out;
        int k;

        if (got != PERMIT_JSON_KIND_STRING)
                return wrong_kind(r, got, "a string", "a string", path);
        size = quoted_length(r) + 1;
        out = malloc(size);
        if (!out)
                return -ENOMEM;
        k = string_body(r, out, size, NULL, path);
        if (k < 0) {
                free(out);
                return k;
        }
        *ret = out;
        return 0;
}

static permit_json_frame *top(reader *r, bool array) {
        if (r->depth == 0 || r->frames[r->depth - 1].array != array)
                return NULL;
        return &r->frames[r->depth - 1];
}

/* The ',' before a member or element (not before the first) or the closing
 * bracket: 1 or 0. */
static int next_in(reader *r, permit_json_frame *f, char close, const char *what, const char *path) {
        ws(r);
        if (r->p < r->end && *r->p == close) {
                r->p++;
                r->depth--;
                return 0;
        }
        if (f->count > 0) {
                if (r->p >= r->end)
                        return syntax(r, path, "unexpected end of file, expected %s", what);
                if (*r->p != ',')
                        return syntax(r, path, "expected %s", what);
                r->p++;
        }
        f->count++;
        return 1;
}

/* The next member's key, decoded into out as string_body() does (or into a
 * malloc()ed *ret_alloc if that is given), and the ':' after it. */
static int next_member(reader *r, char **ret_alloc, char *out, size_t size, size_t *ret_len, const char *path) {
        _cleanup_free_ char *alloc = NULL;
        permit_json_frame *f = top(r, false);
        int k;

        if (!f)
                return -EINVAL; /* the caller's mistake: no object is open */
        k = next_in(r, f, '}', "',' or '}'", path);
        if (k <= 0)
                return k;
        f->key = NULL;
        ws(r);
        if (r->p >= r->end)
                return syntax(r, path, "unexpected end of file, expected a string");
        if (*r->p != '"')
                return syntax(r, path, "expected a string");
        f->key = r->p;
        if (ret_alloc) {
                size = quoted_length(r) + 1;
                out = alloc = malloc(size);
                if (!alloc)
                        return -ENOMEM;
        }
        k = string_body(r, out, size, ret_len, path);
        if (k < 0)
                return k;
        ws(r);
        if (r->p >= r->end)
                return syntax(r, path, "unexpected end of file, expected ':'");
        if (*r->p != ':')
                return syntax(r, path, "expected ':'");
        r->p++;
        if (ret_alloc)
                *ret_alloc = steal_pointer(&alloc);
        return 1;
}

int permit_json_reader_member(reader *r, char **ret_key, const char *path) {
        return next_member(r, ret_key, NULL, 0, NULL, path);
}

int permit_json_reader_field(reader *r, char *buf, size_t size, size_t *ret_len, const char *path) {
        int k = next_member(r, NULL, buf, size, ret_len, path);

        if (k == -E2BIG)
                return permit_json_reader_fail(r, -EINVAL, path, "unknown field");
        return k;
}

int permit_json_reader_element(reader *r, const char *path) {
        permit_json_frame *f = top(r, true);

        if (!f)
                return -EINVAL;
        return next_in(r, f, ']', "',' or ']'", path);
}

int permit_json_reader_key_index(reader *r, const char *key, const char *const *names, size_t n, uint32_t *seen) {
        for (size_t i = 0; i < n && i < 32; i++)
                if (streq(key, names[i])) {
                        /* as jansson reports it: a syntax error, no path */
                        if (*seen & (UINT32_C(1) << i))
                                return syntax(r, "", "duplicate object key '%s'", key);
                        *seen |= UINT32_C(1) << i;
                        return (int) i;
                }
        return permit_json_reader_fail(r, -EINVAL, NULL, "unknown field");
}

/* Moves *q past one or more digits; false (r->p at *q, for the error)
 * when there is none. */
static bool digits(reader *r, const char **q) {
        if (*q >= r->end || **q < '0' || **q > '9') {
                r->p = *q;
                return false;
        }
        while (*q < r->end && **q >= '0' && **q <= '9')
                (*q)++;
        return true;
}

/* The number at r->p, by JSON's grammar. *ret_integer: it has no fraction
 * and no exponent; then *ret_v is its value, unless *ret_overflow (outside
 * int64, which jansson refuses too). r->p moves past it. */
static int number(reader *r, bool *ret_integer, int64_t *ret_v, bool *ret_overflow, const char *path) {
        const char *q = r->p;
        bool neg = false, integer = true, overflow = false;
        uint64_t v = 0, limit;

        if (*q == '-') {
                neg = true;
                q++;
        }
        limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
        if (q >= r->end || *q < '0' || *q > '9') {
                r->p = q;
                return syntax(r, path, "invalid number");
        }
        if (*q == '0' && q + 1 < r->end && q[1] >= '0' && q[1] <= '9') {
                r->p = q;
                return syntax(r, path, "leading zero in a number");
        }
        for (; q < r->end && *q >= '0' && *q <= '9'; q++) {
                unsigned d = (unsigned) (*q - '0');
                if (v > (limit - d) / 10)
                        overflow = true;
                else
                        v = v * 10 + d;
        }
        if (q < r->end && *q == '.') {
                integer = false;
                q++;
                if (!digits(r, &q))
                        return syntax(r, path, "invalid number");
        }
        if (q < r->end && (*q == 'e' || *q == 'E')) {
                integer = false;
                q++;
                if (q < r->end && (*q == '+' || *q == '-'))
                        q++;
                if (!digits(r, &q))
                        return syntax(r, path, "invalid number");
        }
        r->p = q;
        *ret_integer = integer;
        *ret_overflow = overflow;
        *ret_v = !neg ? (int64_t) v : v == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) v;
        return 0;
}

static void format_bound(char *buf, size_t size, int64_t v) {
        /* Past 2^53 a JSON integer is no longer exact everywhere: formats cap there */
        if (v == INT64_C(9007199254740992))
                snprintf(buf, size, "2^53");
        else
                snprintf(buf, size, "%" PRId64, v);
}

int permit_json_reader_int(reader *r, int64_t min, int64_t max, int64_t *ret, const char *path) {
        permit_json_kind got = permit_json_reader_peek(r);
        bool integer, overflow;
        char lo[24], hi[24];
        int64_t v;
        int k;

        if (got != PERMIT_JSON_KIND_NUMBER)
                return wrong_kind(r, got, "an integer", "an integer", path);
        k = number(r, &integer, &v, &overflow, path);
        if (k < 0)
                return k;
        if (!integer)
                return permit_json_reader_fail(r, -EINVAL, path, "must be an integer");
        if (overflow || v < min || v > max) {
                format_bound(lo, sizeof(lo), min);
                format_bound(hi, sizeof(hi), max);
                return permit_json_reader_fail(r, -EINVAL, path, "out of range (must be an integer from %s to %s)", lo,
                                               hi);
        }
        *ret = v;
        return 0;
}

int permit_json_reader_bool(reader *r, bool *ret, const char *path) {
        permit_json_kind got = permit_json_reader_peek(r);

        if (got != PERMIT_JSON_KIND_BOOL)
                return wrong_kind(r, got, "true or false", "true or false", path);
        *ret = *r->p == 't';
        r->p += *ret ? 4 : 5;
        return 0;
}

/* Whether the real number [s, e) (JSON's grammar) overflows a double, as
 * jansson refuses it then: its digits and exponent handed to strtod()
 * without a decimal point, which the locale could change. */
static int real_overflows(const char *s, const char *e) {
        _cleanup_free_ char *buf = malloc((size_t) (e - s) + 32);
        long long exp = 0, frac = 0;
        bool in_frac = false;
        size_t n = 0;
        double d;

        if (!buf)
                return -ENOMEM;
        for (; s < e && *s != 'e' && *s != 'E'; s++) {
                if (*s == '.')
                        in_frac = true;
                else {
                        buf[n++] = *s;
                        frac += in_frac && *s != '-';
                }
        }
        if (s < e) {
                bool neg = *++s == '-';
                if (*s == '-' || *s == '+')
                        s++;
                for (; s < e; s++)
                        if (exp < 1000000000)
                                exp = exp * 10 + (*s - '0');
                if (neg)
                        exp = -exp;
        }
        snprintf(buf + n, 32, "e%lld", exp - frac);
        d = strtod(buf, NULL);
        return isinf(d) ? 1 : 0;
}

/* Any value, without recursion: the frames it opens are its stack. */
int permit_json_reader_skip(reader *r, const char *path) {
        unsigned base = r->depth;
        int k;

        for (;;) {
                permit_json_kind got = permit_json_reader_peek(r);
                const char *s = r->p;
                bool integer, overflow, b;
                int64_t v;

                switch (got) {
                case PERMIT_JSON_KIND_OBJECT:
                        k = permit_json_reader_object_begin(r, path);
                        break;
                case PERMIT_JSON_KIND_ARRAY:
                        k = permit_json_reader_array_begin(r, path);
                        break;
                case PERMIT_JSON_KIND_STRING:
                        k = string_body(r, NULL, 0, NULL, path);
                        break;
                case PERMIT_JSON_KIND_NUMBER:
                        k = number(r, &integer, &v, &overflow, path);
                        if (k >= 0 && integer && overflow)
                                k = permit_json_reader_fail(r, -EINVAL, path, "integer out of range");
                        if (k >= 0 && !integer) {
                                k = real_overflows(s, r->p);
                                if (k > 0)
                                        k = permit_json_reader_fail(r, -EINVAL, path, "real number out of range");
                        }
                        break;
                case PERMIT_JSON_KIND_BOOL:
                        k = permit_json_reader_bool(r, &b, path);
                        break;
                case PERMIT_JSON_KIND_NULL:
                        r->p += 4;
                        k = 0;
                        break;
                default:
                        return wrong_kind(r, got, "a value", "a value", path);
                }
                if (k < 0)
                        return k;
                /* Closes what ended; stops at the next value to read. */
                for (;;) {
                        if (r->depth == base)
                                return 0;
                        if (r->frames[r->depth - 1].array)
                                k = permit_json_reader_element(r, path);
                        else
                                k = next_member(r, NULL, NULL, 0, NULL, path);
                        if (k < 0)
                                return k;
                        if (k > 0)
                                break;
                }
        }
}

int permit_json_reader_end(reader *r) {
        if (r->depth > 0)
                return -EINVAL; /* the caller's mistake: something is still open */
        ws(r);
        if (r->p != r->end)
                return syntax(r, NULL, "data after the end of the document (end of file expected)");
        return 0;
}
