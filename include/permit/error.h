/* SPDX-License-Identifier: MIT */
/* permit/error.h: where and what went wrong.
 *
 * Library functions return 0 (or a count) on success and a negative errno on
 * failure. Functions that read untrusted input also fill a permit_error, when
 * the caller passes one, so a front end can print one line that names the
 * file, the position or JSON path, and the problem:
 *
 *     addon/permit.json: capabilities[2].id: unknown kind 'made.up'
 *
 * Libraries never print; the tools print permit_error_string(). */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PERMIT_ERROR_SOURCE_LENGTH 256
#define PERMIT_ERROR_PATH_LENGTH 160
#define PERMIT_ERROR_TEXT_LENGTH 256

typedef struct permit_error {
        int line;   /* 1-based line of a JSON syntax error, 0 when not known */
        int column; /* 1-based column, 0 when not known */
        char source[PERMIT_ERROR_SOURCE_LENGTH]; /* file (or "archive.zip/permit.json"), may be empty */
        char path[PERMIT_ERROR_PATH_LENGTH];     /* JSON path ("capabilities[2].id") or archive member, may be empty */
        char text[PERMIT_ERROR_TEXT_LENGTH];     /* the problem, in words; never empty after a failure */
} permit_error;

/* Formats "source:line:column: path: text" into buf, leaving out the parts
 * that are empty or 0. Always NUL-terminates when size > 0. Returns buf. */
const char *permit_error_string(const permit_error *error, char *buf, size_t size);

/* Sets every field to empty. Accepts NULL. */
void permit_error_clear(permit_error *error);

#ifdef __cplusplus
}
#endif
