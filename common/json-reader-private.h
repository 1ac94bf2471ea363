/* SPDX-License-Identifier: MIT */
/* permit's one strict JSON pull reader. The store's files and the
 * registry index are read with it instead of a jansson tree: the caller
 * pulls the values where its format expects them, so reading costs one
 * pass over the bytes and no allocation per value (doc/decisions.md).
 *
 * It is exactly as strict as permit_json_parse() (jansson with
 * JSON_REJECT_DUPLICATES): RFC 8259 grammar, valid UTF-8, no \u0000, no
 * lone surrogates, integers in int64 range, nothing after the document.
 * Two things are the caller's: duplicate keys (it knows which keys it
 * read; permit_json_reader_key_index() helps), and the top-level type.
 * Nesting is bounded (PERMIT_JSON_READER_MAX_DEPTH) and nothing recurses.
 * The buffer need not be NUL-terminated; no byte past its end is read.
 *
 * Errors fill the permit_error with a text, the line and column where the
 * reader stands (counted as jansson counts them) and a JSON path: the one
 * given, or, for NULL, the path of the value the reader stands in
 * ("grants.org.a.capabilities[2].by"), built only when something fails. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error-private.h"

#define PERMIT_JSON_READER_MAX_DEPTH 32

typedef enum permit_json_kind {
        PERMIT_JSON_KIND_END, /* nothing but white space left */
        PERMIT_JSON_KIND_OBJECT,
        PERMIT_JSON_KIND_ARRAY,
        PERMIT_JSON_KIND_STRING,
        PERMIT_JSON_KIND_NUMBER,
        PERMIT_JSON_KIND_BOOL, /* true or false */
        PERMIT_JSON_KIND_NULL,
        PERMIT_JSON_KIND_INVALID, /* no JSON value starts here */
} permit_json_kind;

/* One open object or array: the raw bytes of the current member's key
 * (for error paths only), or how many elements were started. */
typedef struct permit_json_frame {
        const char *key, *key_end;
        size_t count;
        bool array;
} permit_json_frame;

typedef struct permit_json_reader {
        const char *start, *p, *end;
        permit_error *error;
        unsigned depth;
        permit_json_frame frames[PERMIT_JSON_READER_MAX_DEPTH];
} permit_json_reader;

void permit_json_reader_init(permit_json_reader *r, const char *buf, size_t len, permit_error *error);

/* Every function below returns 0 (or 1 where it says) or a negative errno
 * with the error filled; -ENOMEM leaves it alone. */
int permit_json_reader_fail(permit_json_reader *r, int code, const char *path, const char *format, ...)
        _printf_(4, 5);

/* What the next value is (after white space). */
permit_json_kind permit_json_reader_peek(permit_json_reader *r);

/* '{' or '['. Any other value is "must be an object" ("not a JSON object"
 * at the top), anything else a syntax error. */
int permit_json_reader_object_begin(permit_json_reader *r, const char *path);
int permit_json_reader_array_begin(permit_json_reader *r, const char *path);

/* The next member of the innermost open object: its key (malloc()ed) and
 * the ':' after it, 1; or its '}', 0. */
int permit_json_reader_member(permit_json_reader *r, char **ret_key, const char *path);
/* The same, the key decoded into buf (size bytes with its NUL; its length
 * to *ret_len if not NULL): a key that does not fit is an "unknown field". */
int permit_json_reader_field(permit_json_reader *r, char *buf, size_t size, size_t *ret_len, const char *path);
/* The next element of the innermost open array: 1 (positioned at it), or
 * its ']', 0. */
int permit_json_reader_element(permit_json_reader *r, const char *path);

/* Which of names[0..n) key is, marked in *seen (n <= 32); otherwise
 * "unknown field" at the key's path, or, as jansson reports it, "invalid
 * JSON: duplicate object key" with no path. */
int permit_json_reader_key_index(permit_json_reader *r, const char *key, const char *const *names, size_t n,
                                 uint32_t *seen);

/* A string value, malloc()ed; or decoded into buf (size bytes with its NUL,
 * -E2BIG "string too long" if it does not fit; a decoded string never
 * takes more bytes than it took quoted). */
int permit_json_reader_string(permit_json_reader *r, char **ret, const char *path);
int permit_json_reader_string_to(permit_json_reader *r, char *buf, size_t size, size_t *ret_len, const char *path);
/* An integer in [min, max]: a fraction or exponent is "must be an integer",
 * one outside is "out of range (must be an integer from MIN to MAX)". */
int permit_json_reader_int(permit_json_reader *r, int64_t min, int64_t max, int64_t *ret, const char *path);
int permit_json_reader_bool(permit_json_reader *r, bool *ret, const char *path);
/* Checks and passes over any value, as strictly as the rest (keys are not
 * compared for duplicates; reals are accepted where jansson accepts them). */
int permit_json_reader_skip(permit_json_reader *r, const char *path);
/* Only white space may follow (and every object and array is closed). */
int permit_json_reader_end(permit_json_reader *r);
