/* SPDX-License-Identifier: MIT */
/* A generic walker on the strict JSON pull reader (common/json-reader.c):
 * any JSON document into a jansson tree, duplicate keys refused as
 * permit_json_parse() refuses them. The reader's unit test
 * (tests/unit/common/test-json-reader.c) and its fuzz target
 * (fuzz-json-reader.c) compare what it builds with jansson's tree. A
 * broken promise of the reader (an integer token that reads back
 * differently, a kind peek() got wrong) abort()s. Needs json-private.h and
 * json-reader-private.h. */
#pragma once

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json-reader-private.h"

static int json_walk(permit_json_reader *r, json_t **ret);

/* A number token: as an integer if it is one, else as a real (the reader's
 * skip checks it as jansson does; strtod() reads it back). */
static inline int json_walk_number(permit_json_reader *r, json_t **ret) {
        const char *s = r->p;
        char buf[512];
        bool integer = true;
        int k;

        k = permit_json_reader_skip(r, NULL);
        if (k < 0)
                return k;
        for (const char *q = s; q < r->p; q++)
                if (*q == '.' || *q == 'e' || *q == 'E')
                        integer = false;
        if (integer) {
                permit_json_reader back = *r;
                int64_t v;
                back.p = s;
                if (permit_json_reader_int(&back, INT64_MIN, INT64_MAX, &v, NULL) != 0 || back.p != r->p)
                        abort();
                *ret = json_integer(v);
        } else {
                if ((size_t) (r->p - s) >= sizeof(buf))
                        return permit_json_reader_fail(r, -E2BIG, NULL, "number too long for the walker");
                memcpy(buf, s, (size_t) (r->p - s));
                buf[r->p - s] = '\0';
                *ret = json_real(strtod(buf, NULL));
        }
        return 0;
}

static int json_walk(permit_json_reader *r, json_t **ret) {
        json_t *v = NULL;
        bool b;
        int k;

        switch (permit_json_reader_peek(r)) {
        case PERMIT_JSON_KIND_OBJECT: {
                char *key = NULL;
                k = permit_json_reader_object_begin(r, NULL);
                if (k < 0)
                        return k;
                v = json_object();
                while ((k = permit_json_reader_member(r, &key, NULL)) > 0) {
                        json_t *m = NULL;
                        if (json_object_get(v, key)) /* duplicates are the caller's to find */
                                k = permit_json_reader_fail(r, -EINVAL, NULL, "duplicate object key");
                        else
                                k = json_walk(r, &m);
                        if (k >= 0)
                                json_object_set_new(v, key, m);
                        free(key);
                        if (k < 0)
                                break;
                }
                break;
        }
        case PERMIT_JSON_KIND_ARRAY:
                k = permit_json_reader_array_begin(r, NULL);
                if (k < 0)
                        return k;
                v = json_array();
                while ((k = permit_json_reader_element(r, NULL)) > 0) {
                        json_t *m = NULL;
                        k = json_walk(r, &m);
                        if (k < 0)
                                break;
                        json_array_append_new(v, m);
                }
                break;
        case PERMIT_JSON_KIND_STRING: {
                char *s = NULL;
                k = permit_json_reader_string(r, &s, NULL);
                if (k >= 0)
                        v = json_string(s);
                free(s);
                break;
        }
        case PERMIT_JSON_KIND_NUMBER:
                k = json_walk_number(r, &v);
                break;
        case PERMIT_JSON_KIND_BOOL:
                k = permit_json_reader_bool(r, &b, NULL);
                v = json_boolean(b);
                break;
        case PERMIT_JSON_KIND_NULL:
                k = permit_json_reader_skip(r, NULL);
                v = json_null();
                break;
        default:
                k = permit_json_reader_skip(r, NULL); /* fails as the reader fails */
                if (k >= 0)
                        abort();
        }
        if (k < 0) {
                json_decref(v);
                return k;
        }
        *ret = v;
        return 0;
}

/* The whole document: a value, then nothing. buf is read as it is (the
 * caller gives a buffer of exactly len bytes, so ASan sees a read past
 * it). */
static inline int json_walk_doc(const char *buf, size_t len, json_t **ret, permit_error *error) {
        permit_json_reader r;
        json_t *v = NULL;
        int k;

        permit_json_reader_init(&r, buf, len, error);
        k = json_walk(&r, &v);
        if (k >= 0)
                k = permit_json_reader_end(&r);
        if (k < 0) {
                json_decref(v);
                return k;
        }
        if (ret)
                *ret = v;
        else
                json_decref(v);
        return 0;
}
