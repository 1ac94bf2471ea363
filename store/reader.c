/* SPDX-License-Identifier: MIT */
/* The store's JSON pull reader (reader-private.h). */
#include <stdarg.h>

#include "encoding-private.h"
#include "json-private.h"
#include "reader-private.h"

void reader_init(reader *r, const char *buf, size_t len, permit_error *error) {
        *r = (reader) { .buf = buf, .p = buf, .end = buf + len, .error = error };
}

void reader_at(reader *r, const char *a, const char *b, const char *c, const char *d, const char *e) {
        const char *parts[] = { a, b, c, d, e };
        size_t n = 0;

        for (size_t i = 0; i < 5; i++)
                if (parts[i])
                        r->at[n++] = parts[i];
        r->at[n] = NULL;
}

int reader_fail(reader *r, int code, const char *path, const char *format, ...) {
        char text[PERMIT_ERROR_TEXT_LENGTH], joined[PERMIT_ERROR_PATH_LENGTH] = "";
        int line = 1, column = 1;
        va_list ap;

        if (!r->error)
                return code;
        for (const char *q = r->buf; q < r->p && q < r->end; q++) {
                if (*q == '\n') {
                        line++;
                        column = 1;
                } else
                        column++;
        }
        if (!path) {
                for (size_t i = 0; r->at[i]; i++) {
                        char parent[PERMIT_ERROR_PATH_LENGTH];
                        snprintf(parent, sizeof(parent), "%s", joined);
                        permit_json_path_key(joined, sizeof(joined), i ? parent : NULL, r->at[i]);
                }
                path = joined;
        }
        va_start(ap, format);
        vsnprintf(text, sizeof(text), format, ap);
        va_end(ap);
        permit_error_set(r->error, code, path, "%s", text);
        permit_error_set_position(r->error, line, column);
        return code;
}

static void skip_ws(reader *r) {
        while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r'))
                r->p++;
}

static int expect(reader *r, char c, const char *path, const char *what) {
        skip_ws(r);
        if (r->p >= r->end)
                return reader_fail(r, -EINVAL, path, "unexpected end of file, expected %s", what);
        if (*r->p != c)
                return reader_fail(r, -EINVAL, path, "expected %s", what);
        r->p++;
        return 0;
}

bool reader_at_object(reader *r) {
        skip_ws(r);
        return r->p < r->end && *r->p == '{';
}

int reader_object_begin(reader *r, const char *path) {
        return expect(r, '{', path, "an object");
}

static int hex4(const char *p, unsigned *ret) {
        unsigned v = 0;

        for (int i = 0; i < 4; i++) {
                char c = p[i];
                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (unsigned) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (unsigned) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (unsigned) (c - 'A' + 10);
                else
                        return -EINVAL;
        }
        *ret = v;
        return 0;
}

static size_t put_utf8(char *o, unsigned cp) {
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

/* The string at p (after its '"'), decoded into out (at least as long as
 * the raw text): its length, or a negative errno. */
static int decode_string(reader *r, const char *s, const char *e, char *out, size_t *ret_len, const char *path) {
        size_t n = 0;

        while (s < e) {
                unsigned cp;

                if (*s != '\\') {
                        out[n++] = *s++;
                        continue;
                }
                if (e - s < 2)
                        return reader_fail(r, -EINVAL, path, "bad escape in a string");
                switch (s[1]) {
                case '"': case '\\': case '/':
                        out[n++] = s[1];
                        s += 2;
                        continue;
                case 'b': out[n++] = '\b'; s += 2; continue;
                case 'f': out[n++] = '\f'; s += 2; continue;
                case 'n': out[n++] = '\n'; s += 2; continue;
                case 'r': out[n++] = '\r'; s += 2; continue;
                case 't': out[n++] = '\t'; s += 2; continue;
                case 'u':
                        break;
                default:
                        return reader_fail(r, -EINVAL, path, "bad escape in a string");
                }
                if (e - s < 6 || hex4(s + 2, &cp) < 0)
                        return reader_fail(r, -EINVAL, path, "bad \\u escape in a string");
                s += 6;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                        unsigned lo;
                        if (e - s < 6 || s[0] != '\\' || s[1] != 'u' || hex4(s + 2, &lo) < 0 || lo < 0xdc00 ||
                            lo > 0xdfff)
                                return reader_fail(r, -EINVAL, path, "lone surrogate in a string");
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                        s += 6;
                } else if (cp >= 0xdc00 && cp <= 0xdfff)
                        return reader_fail(r, -EINVAL, path, "lone surrogate in a string");
                if (cp == 0)
                        return reader_fail(r, -EINVAL, path, "\\u0000 in a string");
                n += put_utf8(out + n, cp);
        }
        *ret_len = n;
        return 0;
}

/* Finds the string at the reader (after its '"'): [*ret_s, *ret_e) and
 * whether it has escapes; moves past its closing '"'. */
static int string_span(reader *r, const char **ret_s, const char **ret_e, bool *ret_escaped, const char *path) {
        const char *s, *q;
        bool escaped = false;
        int k;

        k = expect(r, '"', path, "a string");
        if (k < 0)
                return k;
        s = r->p;
        for (q = s; q < r->end && *q != '"'; q++) {
                if ((unsigned char) *q < 0x20) {
                        r->p = q;
                        return reader_fail(r, -EINVAL, path, "control character in a string");
                }
                if (*q == '\\') {
                        escaped = true;
                        if (++q >= r->end)
                                break;
                }
        }
        if (q >= r->end)
                return reader_fail(r, -EINVAL, path, "unterminated string");
        r->p = q + 1;
        *ret_s = s;
        *ret_e = q;
        *ret_escaped = escaped;
        return 0;
}

/* Decodes [s, e) into out (room for e - s + 1 bytes), NUL-terminated,
 * checked to be UTF-8. */
static int string_decode(reader *r, const char *s, const char *e, bool escaped, char *out, const char *path) {
        size_t len = (size_t) (e - s);
        int k;

        if (escaped) {
                k = decode_string(r, s, e, out, &len, path);
                if (k < 0)
                        return k;
        } else
                memcpy(out, s, len);
        out[len] = '\0';
        if (!permit_utf8_valid(out, len))
                return reader_fail(r, -EINVAL, path, "invalid UTF-8 in a string");
        return 0;
}

int reader_string(reader *r, char **ret, const char *path) {
        const char *s, *e;
        bool escaped;
        char *out;
        int k;

        k = string_span(r, &s, &e, &escaped, path);
        if (k < 0)
                return k;
        out = malloc((size_t) (e - s) + 1);
        if (!out)
                return -ENOMEM;
        k = string_decode(r, s, e, escaped, out, path);
        if (k < 0) {
                free(out);
                return k;
        }
        *ret = out;
        return 0;
}

/* The ',' before a member (unless first) or the '}' that ends the object. */
static int member_start(reader *r, bool *first, const char *path) {
        int k;

        skip_ws(r);
        if (r->p < r->end && *r->p == '}') {
                r->p++;
                return 0;
        }
        if (!*first) {
                k = expect(r, ',', path, "',' or '}'");
                if (k < 0)
                        return k;
        }
        *first = false;
        return 1;
}

int reader_member(reader *r, bool *first, char **ret_key, const char *path) {
        int k;

        k = member_start(r, first, path);
        if (k <= 0)
                return k;
        k = reader_string(r, ret_key, path);
        if (k < 0)
                return k;
        k = expect(r, ':', path, "':'");
        if (k < 0) {
                free(*ret_key);
                *ret_key = NULL;
                return k;
        }
        return 1;
}

int reader_field(reader *r, bool *first, char *buf, size_t size, const char *path) {
        const char *s, *e;
        bool escaped;
        int k;

        k = member_start(r, first, path);
        if (k <= 0)
                return k;
        k = string_span(r, &s, &e, &escaped, path);
        if (k < 0)
                return k;
        if ((size_t) (e - s) >= size)
                return reader_fail(r, -EINVAL, path, "unknown field");
        k = string_decode(r, s, e, escaped, buf, path);
        if (k < 0)
                return k;
        k = expect(r, ':', path, "':'");
        return k < 0 ? k : 1;
}

int reader_int(reader *r, int64_t *ret, const char *path) {
        const char *s;
        bool neg = false;
        uint64_t v = 0;

        skip_ws(r);
        s = r->p;
        if (s < r->end && *s == '-') {
                neg = true;
                s++;
        }
        if (s >= r->end || *s < '0' || *s > '9')
                return reader_fail(r, -EINVAL, path, "must be an integer");
        if (*s == '0' && s + 1 < r->end && s[1] >= '0' && s[1] <= '9')
                return reader_fail(r, -EINVAL, path, "leading zero in a number");
        for (; s < r->end && *s >= '0' && *s <= '9'; s++) {
                if (v > (UINT64_MAX - 9) / 10)
                        return reader_fail(r, -EINVAL, path, "integer out of range");
                v = v * 10 + (uint64_t) (*s - '0');
        }
        if (s < r->end && (*s == '.' || *s == 'e' || *s == 'E'))
                return reader_fail(r, -EINVAL, path, "must be an integer");
        if (v > (uint64_t) INT64_MAX)
                return reader_fail(r, -EINVAL, path, "integer out of range");
        r->p = s;
        *ret = neg ? -(int64_t) v : (int64_t) v;
        return 0;
}

static bool literal(reader *r, const char *word) {
        size_t n = strlen(word);

        if ((size_t) (r->end - r->p) < n || memcmp(r->p, word, n) != 0)
                return false;
        r->p += n;
        return true;
}

int reader_bool(reader *r, bool *ret, const char *path) {
        skip_ws(r);
        if (literal(r, "true"))
                *ret = true;
        else if (literal(r, "false"))
                *ret = false;
        else
                return reader_fail(r, -EINVAL, path, "must be true or false");
        return 0;
}

static int skip_value(reader *r, const char *path, unsigned depth) {
        const char *ss, *se;
        int64_t i;
        bool b, first = true, escaped;
        int k;

        if (depth > READER_MAX_DEPTH)
                return reader_fail(r, -EINVAL, path, "nested too deeply");
        skip_ws(r);
        if (r->p >= r->end)
                return reader_fail(r, -EINVAL, path, "unexpected end of file");
        switch (*r->p) {
        case '{':
                r->p++;
                while ((k = member_start(r, &first, path)) > 0) {
                        k = string_span(r, &ss, &se, &escaped, path);
                        if (k >= 0)
                                k = expect(r, ':', path, "':'");
                        if (k >= 0)
                                k = skip_value(r, path, depth + 1);
                        if (k < 0)
                                return k;
                }
                return k;
        case '[':
                r->p++;
                skip_ws(r);
                if (r->p < r->end && *r->p == ']') {
                        r->p++;
                        return 0;
                }
                for (;;) {
                        k = skip_value(r, path, depth + 1);
                        if (k < 0)
                                return k;
                        skip_ws(r);
                        if (r->p < r->end && *r->p == ']') {
                                r->p++;
                                return 0;
                        }
                        k = expect(r, ',', path, "',' or ']'");
                        if (k < 0)
                                return k;
                }
        case '"':
                /* not decoded: the pass that reads it checks it */
                return string_span(r, &ss, &se, &escaped, path);
        case 't': case 'f':
                return reader_bool(r, &b, path);
        case 'n':
                return literal(r, "null") ? 0 : reader_fail(r, -EINVAL, path, "invalid value");
        default:
                return reader_int(r, &i, path);
        }
}

int reader_skip(reader *r, const char *path) {
        return skip_value(r, path, 0);
}

int reader_end(reader *r) {
        skip_ws(r);
        return r->p == r->end ? 0 : reader_fail(r, -EINVAL, NULL, "data after the end of the document");
}
