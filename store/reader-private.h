/* SPDX-License-Identifier: MIT */
/* A strict pull reader for the store's JSON files: it reads values where
 * the caller expects them, without building a tree, so opening a store of
 * a thousand add-ons costs a pass over the bytes (bench/README.md). Strict
 * as permit_json_parse(): valid UTF-8, no \u0000, no lone surrogates,
 * integers only (permit's formats have no reals), nothing after the value.
 * Duplicate keys are the caller's to find (it knows which keys it read). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error-private.h"

#define READER_MAX_DEPTH 32

typedef struct reader {
        const char *buf;
        const char *p;
        const char *end;
        permit_error *error;
        /* Where the caller is, as JSON path components (NULL-terminated),
         * joined into error->path only when something fails and the call
         * was given no path: building paths eagerly cost more than parsing. */
        const char *at[6];
} reader;

/* Sets rd->at to the given components (at most 5, NULLs skipped). */
void reader_at(reader *r, const char *a, const char *b, const char *c, const char *d, const char *e);

void reader_init(reader *r, const char *buf, size_t len, permit_error *error);

/* Every function returns 0 (or 1 where it says) or a negative errno, with
 * error set: path and text, line and column of where the reader stands. */
int reader_fail(reader *r, int code, const char *path, const char *format, ...) _printf_(4, 5);

/* '{' */
int reader_object_begin(reader *r, const char *path);
/* The next member's key (malloc()ed) and the ':' after it: 1; or '}': 0.
 * *first must start true. */
int reader_member(reader *r, bool *first, char **ret_key, const char *path);
/* The same for a field name, into buf (no allocation): a key that does not
 * fit is an "unknown field". */
int reader_field(reader *r, bool *first, char *buf, size_t size, const char *path);
int reader_string(reader *r, char **ret, const char *path);
int reader_int(reader *r, int64_t *ret, const char *path);
int reader_bool(reader *r, bool *ret, const char *path);
/* Skips any value (objects and arrays up to READER_MAX_DEPTH deep). */
int reader_skip(reader *r, const char *path);
/* Only white space may follow. */
int reader_end(reader *r);
/* True when the next value is an object. */
bool reader_at_object(reader *r);
