/* SPDX-License-Identifier: MIT */
#include <inttypes.h>

#include "json-private.h"

int permit_json_parse(const char *buf, size_t len, json_t **ret, permit_error *error) {
        json_error_t jerr;
        json_t *value;

        /* jansson refuses invalid UTF-8 and \u0000 by default; duplicate keys
         * only when asked. Trailing data after the value is an error too.
         * It passes over a NUL byte right after a number or a literal
         * ({"a":9\0}), which no JSON text holds (found by fuzzing the pull
         * reader against it): refused here, as the reader refuses it. */
        if (memchr(buf, '\0', len))
                return permit_error_set(error, -EINVAL, NULL, "invalid JSON: a NUL byte");
        value = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!value) {
                permit_error_set_position(error, jerr.line, jerr.column);
                return permit_error_set(error, -EINVAL, NULL, "%s", jerr.text);
        }
        if (!json_is_object(value)) {
                json_decref(value);
                return permit_error_set(error, -EINVAL, NULL, "not a JSON object");
        }
        *ret = value;
        return 0;
}

void permit_json_out_append(permit_json_out *o, const char *s, size_t n) {
        if (o->error)
                return;
        if (o->len + n + 1 > o->size) {
                size_t size = o->size ? o->size : 256;
                char *p;

                while (o->len + n + 1 > size) {
                        if (size > SIZE_MAX / 2) {
                                o->error = -ENOMEM;
                                return;
                        }
                        size *= 2;
                }
                p = realloc(o->data, size);
                if (!p) {
                        o->error = -ENOMEM;
                        return;
                }
                o->data = p;
                o->size = size;
        }
        memcpy(o->data + o->len, s, n);
        o->len += n;
        o->data[o->len] = '\0';
}

void permit_json_out_string(permit_json_out *o, const char *s, size_t len) {
        static const char hex[] = "0123456789abcdef";
        size_t run = 0; /* bytes before i that go out as they are */

        permit_json_out_append(o, "\"", 1);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];
                char esc[7];

                if (c >= 0x20 && c != '"' && c != '\\') {
                        run++;
                        continue;
                }
                permit_json_out_append(o, s + i - run, run);
                run = 0;
                switch (c) {
                case '"':  permit_json_out_append(o, "\\\"", 2); break;
                case '\\': permit_json_out_append(o, "\\\\", 2); break;
                case '\b': permit_json_out_append(o, "\\b", 2); break;
                case '\t': permit_json_out_append(o, "\\t", 2); break;
                case '\n': permit_json_out_append(o, "\\n", 2); break;
                case '\f': permit_json_out_append(o, "\\f", 2); break;
                case '\r': permit_json_out_append(o, "\\r", 2); break;
                default:
                        if (c < 0x20) {
                                memcpy(esc, "\\u00", 4);
                                esc[4] = hex[c >> 4];
                                esc[5] = hex[c & 0xf];
                                permit_json_out_append(o, esc, 6);
                        }
                }
        }
        permit_json_out_append(o, s + len - run, run);
        permit_json_out_append(o, "\"", 1);
}

/* Next UTF-16 code unit of a UTF-8 string (jansson has validated it). A
 * code point past the BMP yields its high surrogate, then its low one. */
typedef struct utf16_iter {
        const unsigned char *p;
        unsigned pending; /* low surrogate still to return, or 0 */
} utf16_iter;

static unsigned utf16_next(utf16_iter *it) {
        unsigned c, cp;
        int n;

        if (it->pending) {
                c = it->pending;
                it->pending = 0;
                return c;
        }
        c = *it->p;
        if (c == 0)
                return 0; /* end: sorts before every code unit ("a" < "ab"); keys hold no NUL */
        if (c < 0x80) {
                it->p++;
                return c;
        }
        n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
        cp = c & (0x3f >> n);
        for (int k = 1; k <= n && it->p[k]; k++)
                cp = cp << 6 | (it->p[k] & 0x3f);
        it->p += n + 1;
        if (cp >= 0x10000) {
                cp -= 0x10000;
                it->pending = 0xdc00 | (cp & 0x3ff);
                return 0xd800 | (cp >> 10);
        }
        return cp;
}

static int compare_utf16(const void *a, const void *b) {
        utf16_iter x = { .p = *(const unsigned char *const *) a };
        utf16_iter y = { .p = *(const unsigned char *const *) b };

        for (;;) {
                unsigned cx = utf16_next(&x), cy = utf16_next(&y);
                if (cx != cy)
                        return cx < cy ? -1 : 1;
                if (cx == 0)
                        return 0;
        }
}

static int canonical(permit_json_out *o, const json_t *v, unsigned depth) {
        char num[32];
        int r;

        if (depth > 64)
                return -ELOOP;
        switch (json_typeof(v)) {
        case JSON_OBJECT: {
                size_t n = json_object_size(v), i = 0;
                _cleanup_free_ const char **keys = NULL;
                const char *key;
                json_t *member;

                keys = calloc(n ? n : 1, sizeof(*keys));
                if (!keys)
                        return -ENOMEM;
                json_object_foreach((json_t *) v, key, member)
                        keys[i++] = key;
                qsort(keys, n, sizeof(*keys), compare_utf16);
                permit_json_out_append(o, "{", 1);
                for (i = 0; i < n; i++) {
                        if (i > 0)
                                permit_json_out_append(o, ",", 1);
                        permit_json_out_string(o, keys[i], strlen(keys[i]));
                        permit_json_out_append(o, ":", 1);
                        r = canonical(o, json_object_get(v, keys[i]), depth + 1);
                        if (r < 0)
                                return r;
                }
                permit_json_out_append(o, "}", 1);
                break;
        }
        case JSON_ARRAY:
                permit_json_out_append(o, "[", 1);
                for (size_t i = 0; i < json_array_size(v); i++) {
                        if (i > 0)
                                permit_json_out_append(o, ",", 1);
                        r = canonical(o, json_array_get(v, i), depth + 1);
                        if (r < 0)
                                return r;
                }
                permit_json_out_append(o, "]", 1);
                break;
        case JSON_STRING:
                permit_json_out_string(o, json_string_value(v), json_string_length(v));
                break;
        case JSON_INTEGER: {
                json_int_t x = json_integer_value(v);
                /* Past 2^53 an I-JSON number is no longer exact. */
                if (x > (json_int_t) 9007199254740992LL || x < -(json_int_t) 9007199254740992LL)
                        return -EDOM;
                snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, x);
                permit_json_out_append(o, num, strlen(num));
                break;
        }
        case JSON_REAL:
                return -EDOM;
        case JSON_TRUE:
                permit_json_out_append(o, "true", 4);
                break;
        case JSON_FALSE:
                permit_json_out_append(o, "false", 5);
                break;
        case JSON_NULL:
                permit_json_out_append(o, "null", 4);
                break;
        }
        return o->error;
}

int permit_json_canonical(const json_t *value, char **ret, size_t *ret_len) {
        permit_json_out o = { 0 };
        int r;

        if (!value)
                return -EINVAL;
        r = canonical(&o, value, 0);
        if (r == 0 && !o.data)
                r = -ENOMEM;
        if (r < 0) {
                free(o.data);
                return r;
        }
        *ret = o.data;
        if (ret_len)
                *ret_len = o.len;
        return 0;
}

void permit_json_path_key(char *buf, size_t size, const char *parent, const char *key) {
        if (parent && *parent)
                snprintf(buf, size, "%s.%s", parent, key);
        else
                snprintf(buf, size, "%s", key);
}

void permit_json_path_index(char *buf, size_t size, const char *parent, size_t index) {
        snprintf(buf, size, "%s[%zu]", parent ? parent : "", index);
}

int permit_json_check_keys(json_t *obj, const char *const *allowed, const char *parent, permit_error *error) {
        const char *key;
        json_t *v = NULL;

        json_object_foreach(obj, key, v) {
                bool ok = false;
                for (size_t i = 0; allowed[i] && !ok; i++)
                        ok = streq(key, allowed[i]);
                if (!ok) {
                        char path[PERMIT_ERROR_PATH_LENGTH];
                        permit_json_path_key(path, sizeof(path), parent, key);
                        return permit_error_set(error, -EINVAL, path, "unknown field");
                }
        }
        return 0;
}

int permit_json_member(json_t *obj, const char *parent, const char *key, json_type type, json_t **ret,
                       permit_error *error) {
        static const char *const names[] = {
                [JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",   [JSON_STRING] = "a string",
                [JSON_INTEGER] = "an integer", [JSON_REAL] = "a number", [JSON_TRUE] = "a boolean",
                [JSON_FALSE] = "a boolean",   [JSON_NULL] = "null",
        };
        json_t *v = json_object_get(obj, key);
        char path[PERMIT_ERROR_PATH_LENGTH];

        permit_json_path_key(path, sizeof(path), parent, key);
        if (!v)
                return permit_error_set(error, -EINVAL, path, "missing");
        if (type == JSON_TRUE ? !json_is_boolean(v) : json_typeof(v) != type)
                return permit_error_set(error, -EINVAL, path, "must be %s", names[type]);
        *ret = v;
        return 0;
}

int permit_json_signed_message(const char *domain, const json_t *value, char **ret, size_t *ret_len) {
        _cleanup_free_ char *canon = NULL;
        size_t len, dlen = strlen(domain);
        char *msg;
        int r;

        r = permit_json_canonical(value, &canon, &len);
        if (r < 0)
                return r;
        msg = malloc(dlen + len + 1);
        if (!msg)
                return -ENOMEM;
        memcpy(msg, domain, dlen);
        memcpy(msg + dlen, canon, len + 1);
        *ret = msg;
        *ret_len = dlen + len;
        return 0;
}

int permit_json_dump_text(const json_t *value, size_t flags, char **ret, size_t *ret_len) {
        char *text, *t;
        size_t len;

        text = json_dumps(value, flags);
        if (!text)
                return -ENOMEM;
        len = strlen(text);
        t = realloc(text, len + 2);
        if (!t) {
                free(text);
                return -ENOMEM;
        }
        t[len++] = '\n';
        t[len] = '\0';
        *ret = t;
        *ret_len = len;
        return 0;
}
