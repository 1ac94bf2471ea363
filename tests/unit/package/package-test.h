/* SPDX-License-Identifier: MIT */
/* Helpers the package tests share: walking a whole package the way the
 * seal code will, and making and removing temporary directories. */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "package-private.h"

/* Reads every file of the package to its end. Returns 0 or the first
 * error; listing gets "path size mode;" per file returned, and
 * *ret_bytes the bytes read. */
static inline int walk_package(const char *path, const permit_package_limits *limits, permit_error *error,
                               char *listing, size_t listing_size, uint64_t *ret_bytes) {
        static char buf[16384];
        uint64_t bytes = 0;
        package *p = NULL;
        size_t used = 0;
        int r;

        permit_error_clear(error);
        if (listing_size > 0)
                listing[0] = '\0';
        r = package_open(path, limits, &p, error);
        if (r < 0)
                goto out;
        for (;;) {
                const char *name;
                uint64_t size, got = 0;
                unsigned mode;
                ssize_t n;

                r = package_next(p, &name, &size, &mode, error);
                if (r <= 0)
                        break;
                if (listing && used < listing_size)
                        used += (size_t) snprintf(listing + used, listing_size - used, "%s %llu %o;", name,
                                                  (unsigned long long) size, mode);
                while ((n = package_read(p, buf, sizeof(buf), error)) > 0)
                        got += (uint64_t) n;
                bytes += got;
                if (n < 0) {
                        r = (int) n;
                        break;
                }
                assert_int_equal(got, size);
        }
out:
        package_free(p);
        if (ret_bytes)
                *ret_bytes = bytes;
        return r;
}

static inline int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(path);
}

static inline void remove_tree(const char *path) {
        nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
