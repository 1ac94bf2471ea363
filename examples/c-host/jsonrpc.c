/* SPDX-License-Identifier: MIT */
/* One JSON-RPC 2.0 line, parsed strictly (jsonrpc.h). Everything an add-on
 * sends is untrusted: every read is checked against the end of the line,
 * every copy against its buffer, nesting against RPC_DEPTH_MAX. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jsonrpc.h"

typedef struct parser {
        const char *s, *end;
        int depth;
        const char *problem;
} parser;

static int fail(parser *p, const char *problem) {
        if (!p->problem)
                p->problem = problem;
        return -1;
}

static void skip_ws(parser *p) {
        while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\r' || *p->s == '\n'))
                p->s++;
}

static bool take(parser *p, char c) {
        skip_ws(p);
        if (p->s < p->end && *p->s == c) {
                p->s++;
                return true;
        }
        return false;
}

static int hex4(parser *p, uint32_t *ret) {
        uint32_t v = 0;

        if (p->end - p->s < 4)
                return fail(p, "bad \\u escape");
        for (int i = 0; i < 4; i++) {
                char c = *p->s++;
                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (uint32_t) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (uint32_t) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (uint32_t) (c - 'A' + 10);
                else
                        return fail(p, "bad \\u escape");
        }
        *ret = v;
        return 0;
}

/* Appends code point cp as UTF-8 to out (NULL: count only). */
static int put_cp(parser *p, uint32_t cp, char *out, size_t size, size_t *n) {
        char b[4];
        size_t k;

        if (cp == 0)
                return fail(p, "NUL in a string");
        if (cp < 0x80) {
                b[0] = (char) cp;
                k = 1;
        } else if (cp < 0x800) {
                b[0] = (char) (0xc0 | (cp >> 6));
                b[1] = (char) (0x80 | (cp & 0x3f));
                k = 2;
        } else if (cp < 0x10000) {
                b[0] = (char) (0xe0 | (cp >> 12));
                b[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
                b[2] = (char) (0x80 | (cp & 0x3f));
                k = 3;
        } else {
                b[0] = (char) (0xf0 | (cp >> 18));
                b[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
                b[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
                b[3] = (char) (0x80 | (cp & 0x3f));
                k = 4;
        }
        if (out) {
                if (*n + k >= size)
                        return fail(p, "string too long");
                memcpy(out + *n, b, k);
        }
        *n += k;
        return 0;
}

/* One UTF-8 sequence at p->s (first byte c already known to be >= 0x80),
 * shortest form, no surrogates, at most U+10FFFF. */
static int utf8(parser *p, uint32_t *ret) {
        const unsigned char *u = (const unsigned char *) p->s;
        size_t avail = (size_t) (p->end - p->s), k;
        uint32_t cp, min;

        if (u[0] >= 0xc2 && u[0] <= 0xdf)
                k = 2, cp = u[0] & 0x1f, min = 0x80;
        else if (u[0] >= 0xe0 && u[0] <= 0xef)
                k = 3, cp = u[0] & 0x0f, min = 0x800;
        else if (u[0] >= 0xf0 && u[0] <= 0xf4)
                k = 4, cp = u[0] & 0x07, min = 0x10000;
        else
                return fail(p, "invalid UTF-8");
        if (avail < k)
                return fail(p, "invalid UTF-8");
        for (size_t i = 1; i < k; i++) {
                if ((u[i] & 0xc0) != 0x80)
                        return fail(p, "invalid UTF-8");
                cp = (cp << 6) | (u[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return fail(p, "invalid UTF-8");
        p->s += k;
        *ret = cp;
        return 0;
}

/* A string at p->s (after white space); its decoded bytes into out (NUL-
 * terminated; NULL: checked and skipped). */
static int string(parser *p, char *out, size_t size) {
        size_t n = 0;

        if (!take(p, '"'))
                return fail(p, "string expected");
        for (;;) {
                uint32_t cp;
                char c;

                if (p->s >= p->end)
                        return fail(p, "unterminated string");
                c = *p->s;
                if (c == '"') {
                        p->s++;
                        break;
                }
                if ((unsigned char) c < 0x20)
                        return fail(p, "control character in a string");
                if (c == '\\') {
                        p->s++;
                        if (p->s >= p->end)
                                return fail(p, "unterminated string");
                        c = *p->s++;
                        switch (c) {
                        case '"': case '\\': case '/': cp = (uint32_t) c; break;
                        case 'b': cp = '\b'; break;
                        case 'f': cp = '\f'; break;
                        case 'n': cp = '\n'; break;
                        case 'r': cp = '\r'; break;
                        case 't': cp = '\t'; break;
                        case 'u':
                                if (hex4(p, &cp) < 0)
                                        return -1;
                                if (cp >= 0xdc00 && cp <= 0xdfff)
                                        return fail(p, "lone surrogate");
                                if (cp >= 0xd800 && cp <= 0xdbff) {
                                        uint32_t lo;

                                        if (p->end - p->s < 2 || p->s[0] != '\\' || p->s[1] != 'u')
                                                return fail(p, "lone surrogate");
                                        p->s += 2;
                                        if (hex4(p, &lo) < 0)
                                                return -1;
                                        if (lo < 0xdc00 || lo > 0xdfff)
                                                return fail(p, "lone surrogate");
                                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                }
                                break;
                        default:
                                return fail(p, "bad escape");
                        }
                } else if ((unsigned char) c >= 0x80) {
                        if (utf8(p, &cp) < 0)
                                return -1;
                } else {
                        cp = (uint32_t) c;
                        p->s++;
                }
                if (put_cp(p, cp, out, size, &n) < 0)
                        return -1;
        }
        if (out)
                out[n] = '\0';
        return 0;
}

/* A number, JSON's grammar; *ret_integer when it is a plain integer that
 * fits in a long. */
static int number(parser *p, long *ret_integer, bool *ret_is_integer) {
        const char *start;
        bool integer = true;
        long v = 0;
        bool neg = false, overflow = false;

        skip_ws(p);
        start = p->s;
        if (p->s < p->end && *p->s == '-') {
                neg = true;
                p->s++;
        }
        if (p->s >= p->end || *p->s < '0' || *p->s > '9')
                return fail(p, "bad number");
        if (*p->s == '0')
                p->s++;
        else
                while (p->s < p->end && *p->s >= '0' && *p->s <= '9') {
                        if (v > (__LONG_MAX__ - 9) / 10)
                                overflow = true;
                        else
                                v = v * 10 + (*p->s - '0');
                        p->s++;
                }
        if (p->s < p->end && *p->s == '.') {
                integer = false;
                p->s++;
                if (p->s >= p->end || *p->s < '0' || *p->s > '9')
                        return fail(p, "bad number");
                while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
                        p->s++;
        }
        if (p->s < p->end && (*p->s == 'e' || *p->s == 'E')) {
                integer = false;
                p->s++;
                if (p->s < p->end && (*p->s == '+' || *p->s == '-'))
                        p->s++;
                if (p->s >= p->end || *p->s < '0' || *p->s > '9')
                        return fail(p, "bad number");
                while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
                        p->s++;
        }
        if (p->s - start > 32)
                integer = false;
        if (ret_is_integer)
                *ret_is_integer = integer && !overflow;
        if (ret_integer)
                *ret_integer = neg ? -v : v;
        return 0;
}

static bool literal(parser *p, const char *word) {
        size_t n = strlen(word);

        skip_ws(p);
        if ((size_t) (p->end - p->s) >= n && memcmp(p->s, word, n) == 0) {
                p->s += n;
                return true;
        }
        return false;
}

static int value(parser *p);

/* An object; for each member calls member(p, name, ctx) positioned at its
 * value, which must consume it. Duplicate names are refused. */
typedef int (*member_fn)(parser *p, const char *name, void *ctx);

static int object(parser *p, member_fn member, void *ctx) {
        /* names seen, to refuse duplicates: only the first few are kept
         * (the protocol's objects are small; a long one is refused) */
        char seen[32][RPC_NAME_MAX + 1];
        size_t n_seen = 0;

        if (++p->depth > RPC_DEPTH_MAX)
                return fail(p, "nested too deeply");
        if (!take(p, '{'))
                return fail(p, "object expected");
        if (take(p, '}')) {
                p->depth--;
                return 0;
        }
        for (;;) {
                char name[RPC_NAME_MAX + 1];

                if (string(p, name, sizeof(name)) < 0)
                        return fail(p, "bad member name");
                for (size_t i = 0; i < n_seen; i++)
                        if (strcmp(seen[i], name) == 0)
                                return fail(p, "duplicate member");
                if (n_seen == 32)
                        return fail(p, "too many members");
                memcpy(seen[n_seen++], name, sizeof(name));
                if (!take(p, ':'))
                        return fail(p, "':' expected");
                if ((member ? member(p, name, ctx) : value(p)) < 0)
                        return -1;
                if (take(p, ','))
                        continue;
                if (take(p, '}'))
                        break;
                return fail(p, "',' or '}' expected");
        }
        p->depth--;
        return 0;
}

static int array(parser *p) {
        if (++p->depth > RPC_DEPTH_MAX)
                return fail(p, "nested too deeply");
        if (!take(p, '['))
                return fail(p, "array expected");
        if (take(p, ']')) {
                p->depth--;
                return 0;
        }
        for (;;) {
                if (value(p) < 0)
                        return -1;
                if (take(p, ','))
                        continue;
                if (take(p, ']'))
                        break;
                return fail(p, "',' or ']' expected");
        }
        p->depth--;
        return 0;
}

/* Any value, checked and skipped. */
static int value(parser *p) {
        skip_ws(p);
        if (p->s >= p->end)
                return fail(p, "value expected");
        switch (*p->s) {
        case '{': return object(p, NULL, NULL);
        case '[': return array(p);
        case '"': return string(p, NULL, 0);
        case 't': return literal(p, "true") ? 0 : fail(p, "bad literal");
        case 'f': return literal(p, "false") ? 0 : fail(p, "bad literal");
        case 'n': return literal(p, "null") ? 0 : fail(p, "bad literal");
        default: return number(p, NULL, NULL);
        }
}

static char peek(parser *p) {
        skip_ws(p);
        return p->s < p->end ? *p->s : '\0';
}

/* params / result members: the strings are kept. */
static int keep_member(parser *p, const char *name, void *ctx) {
        rpc_message *m = ctx;
        rpc_member *x;

        if (p->depth != 2 || peek(p) != '"' || m->n_members == RPC_MEMBERS_MAX)
                return value(p);
        x = &m->members[m->n_members];
        snprintf(x->name, sizeof(x->name), "%s", name);
        if (string(p, x->value, sizeof(x->value)) < 0)
                return -1;
        m->n_members++;
        return 0;
}

static int error_member(parser *p, const char *name, void *ctx) {
        rpc_message *m = ctx;
        bool integer;

        if (strcmp(name, "code") == 0) {
                if (number(p, &m->error_code, &integer) < 0)
                        return -1;
                return integer ? 0 : fail(p, "error.code: not an integer");
        }
        if (strcmp(name, "message") == 0)
                return string(p, m->error_message, sizeof(m->error_message));
        if (strcmp(name, "data") == 0)
                return value(p);
        return fail(p, "error: unknown member");
}

typedef struct top {
        rpc_message *m;
        bool version, has_id, method, params, result, error, code, message;
} top;

static int top_member(parser *p, const char *name, void *ctx) {
        top *t = ctx;
        rpc_message *m = t->m;

        if (strcmp(name, "jsonrpc") == 0) {
                char v[8];
                if (string(p, v, sizeof(v)) < 0 || strcmp(v, "2.0") != 0)
                        return fail(p, "jsonrpc: not \"2.0\"");
                t->version = true;
                return 0;
        }
        if (strcmp(name, "id") == 0) {
                const char *start;
                bool integer = true;
                char c = peek(p);

                start = p->s;
                if (c == 'n') {
                        if (!literal(p, "null"))
                                return fail(p, "id: bad literal");
                } else if (c == '"') {
                        if (string(p, NULL, 0) < 0)
                                return -1;
                } else if (number(p, NULL, &integer) < 0 || !integer)
                        return fail(p, "id: not an integer, string or null");
                if ((size_t) (p->s - start) > RPC_ID_MAX)
                        return fail(p, "id: too long");
                /* the id as written: valid JSON text to echo back */
                memcpy(m->id, start, (size_t) (p->s - start));
                m->id[p->s - start] = '\0';
                t->has_id = true;
                return 0;
        }
        if (strcmp(name, "method") == 0) {
                if (string(p, m->method, sizeof(m->method)) < 0)
                        return fail(p, "method: not a short string");
                if (m->method[0] == '\0')
                        return fail(p, "method: empty");
                t->method = true;
                return 0;
        }
        if (strcmp(name, "params") == 0 || strcmp(name, "result") == 0) {
                bool params = name[0] == 'p';
                char c = peek(p);

                if (params && c != '{' && c != '[')
                        return fail(p, "params: not an object or array");
                if (params)
                        t->params = true;
                else
                        t->result = true;
                return c == '{' ? object(p, keep_member, m) : value(p);
        }
        if (strcmp(name, "error") == 0) {
                if (peek(p) != '{')
                        return fail(p, "error: not an object");
                t->error = true;
                return object(p, error_member, m);
        }
        return fail(p, "unknown member");
}

int rpc_parse(const char *line, size_t len, rpc_message *m, const char **ret_problem) {
        parser p = { .s = line, .end = line + len };
        top t = { .m = m };

        memset(m, 0, sizeof(*m));
        *ret_problem = NULL;
        if (!line || len > RPC_LINE_MAX) {
                *ret_problem = "line too long";
                return -1;
        }
        if (peek(&p) != '{') {
                *ret_problem = "not a JSON object";
                return -1;
        }
        if (object(&p, top_member, &t) < 0)
                goto bad;
        skip_ws(&p);
        if (p.s != p.end) {
                fail(&p, "trailing bytes after the object");
                goto bad;
        }
        if (!t.version) {
                fail(&p, "no \"jsonrpc\": \"2.0\"");
                goto bad;
        }
        if (t.method) {
                if (t.result || t.error) {
                        fail(&p, "method with result or error");
                        goto bad;
                }
                m->kind = t.has_id ? RPC_REQUEST : RPC_NOTIFICATION;
                return 0;
        }
        if (t.params || !t.has_id || t.result == t.error) {
                fail(&p, "neither a request nor a response");
                goto bad;
        }
        m->kind = t.result ? RPC_RESULT : RPC_ERROR;
        return 0;
bad:
        *ret_problem = p.problem ? p.problem : "invalid";
        m->n_members = 0;
        return -1;
}

const char *rpc_member_get(const rpc_message *m, const char *name) {
        for (size_t i = 0; i < m->n_members; i++)
                if (strcmp(m->members[i].name, name) == 0)
                        return m->members[i].value;
        return NULL;
}

int rpc_quote(char *buf, size_t size, const char *s) {
        size_t n = 0;

#define PUT(c)                          \
        do {                            \
                if (n + 1 >= size)      \
                        return -1;      \
                buf[n++] = (c);         \
        } while (0)
        PUT('"');
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;

                if (c == '"' || c == '\\') {
                        PUT('\\');
                        PUT((char) c);
                } else if (c < 0x20) {
                        if (n + 7 >= size)
                                return -1;
                        n += (size_t) snprintf(buf + n, size - n, "\\u%04x", c);
                } else
                        PUT((char) c);
        }
        PUT('"');
#undef PUT
        buf[n] = '\0';
        return (int) n;
}
