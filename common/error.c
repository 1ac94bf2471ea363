/* SPDX-License-Identifier: MIT */
#include <sodium.h>
#include <stdarg.h>

#include "error-private.h"

/* libsodium must be initialised before sodium_malloc() and to pick its
 * fastest implementations; every part of libpermit reports errors through
 * this file, so it is always linked in. sodium_init() is idempotent and
 * thread-safe; the functions that need it check it again. */
#ifndef PERMIT_NO_SODIUM_INIT /* the `permit` front (tools/front.c) uses no libsodium */
__attribute__((constructor)) static void permit_library_init(void) {
        if (sodium_init() < 0)
                return; /* checked again where it matters */
}
#endif

_public_ void permit_error_clear(permit_error *error) {
        if (error)
                memset(error, 0, sizeof(*error));
}

static void error_vset(permit_error *error, const char *path, const char *format, va_list ap) {
        snprintf(error->path, sizeof(error->path), "%s", path ? path : "");
        vsnprintf(error->text, sizeof(error->text), format, ap);
}

int permit_error_set(permit_error *error, int r, const char *path, const char *format, ...) {
        va_list ap;

        if (!error)
                return r;
        va_start(ap, format);
        error_vset(error, path, format, ap);
        va_end(ap);
        return r;
}

int permit_error_set_at(permit_error *error, int r, const char *source, const char *path, const char *format, ...) {
        va_list ap;

        if (!error)
                return r;
        va_start(ap, format);
        error_vset(error, path, format, ap);
        va_end(ap);
        return permit_error_set_source(error, r, source);
}

int permit_error_set_source(permit_error *error, int r, const char *source) {
        if (error && source && *source)
                snprintf(error->source, sizeof(error->source), "%s", source);
        return r;
}

void permit_error_set_position(permit_error *error, int line, int column) {
        if (!error)
                return;
        error->line = line > 0 ? line : 0;
        error->column = column > 0 ? column : 0;
}

_public_ const char *permit_error_string(const permit_error *error, char *buf, size_t size) {
        size_t n = 0;

        if (!buf || size == 0)
                return buf;
        buf[0] = '\0';
        if (!error)
                return buf;

#define APPEND(...)                                                                  \
        do {                                                                         \
                if (n < size) {                                                      \
                        int k = snprintf(buf + n, size - n, __VA_ARGS__);            \
                        n = k < 0 ? size : n + (size_t) k;                           \
                }                                                                    \
        } while (0)

        if (error->source[0])
                APPEND("%s", error->source);
        if (error->line > 0) {
                APPEND("%s%d", error->source[0] ? ":" : "line ", error->line);
                if (error->column > 0)
                        APPEND(":%d", error->column);
        }
        if (n > 0)
                APPEND(": ");
        if (error->path[0])
                APPEND("%s: ", error->path);
        APPEND("%s", error->text[0] ? error->text : "unknown error");
#undef APPEND
        return buf;
}
