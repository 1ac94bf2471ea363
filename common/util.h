/* SPDX-License-Identifier: MIT */
/* Small helpers every file of libpermit uses: cleanup attributes, so an
 * early return cannot leak, and steal_pointer() to hand ownership out. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _public_ __attribute__((visibility("default")))
#define _unused_ __attribute__((unused))
#define _pure_ __attribute__((pure))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _cleanup_(f) __attribute__((cleanup(f)))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void *steal_ptr(void **p) {
        void *r = *p;
        *p = NULL;
        return r;
}
#define steal_pointer(pp) ((__typeof__(*(pp))) steal_ptr((void **) (pp)))

static inline int steal_fd(int *fd) {
        int r = *fd;
        *fd = -1;
        return r;
}

/* Frees a jansson value held in a local. */
#define _cleanup_json_ _cleanup_(json_decrefp)

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

static inline bool startswith(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* errno as a negative return, never 0 (for the rare libc call that fails
 * without setting errno). */
static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}
