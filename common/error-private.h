/* SPDX-License-Identifier: MIT */
/* Filling a permit_error from inside the library. Every setter accepts a
 * NULL error (the caller did not ask) and returns the negative errno it is
 * given, so a failure is reported and returned in one statement:
 *
 *     return permit_error_set(err, -EINVAL, "version", "not a semantic version: '%s'", v);
 */
#pragma once

#include "permit/error.h"
#include "util.h"

int permit_error_set(permit_error *error, int r, const char *path, const char *format, ...) _printf_(4, 5);

/* Sets the source (a file name) without touching the rest; NULL and "" are
 * ignored. Returns r. */
int permit_error_set_source(permit_error *error, int r, const char *source);

/* Both at once: the source (a file), the path inside it, the text. */
int permit_error_set_at(permit_error *error, int r, const char *source, const char *path, const char *format, ...)
        _printf_(5, 6);

/* Sets line and column (from a JSON parser). */
void permit_error_set_position(permit_error *error, int line, int column);
