/* SPDX-License-Identifier: MIT */
/* Helpers the signer tests share: temp dirs, small files, test data paths.
 * Include after <cmocka.h>. */
#pragma once

#include "tests/unit/test-files.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline int test_unhex(uint8_t *out, size_t len, const char *hex) {
        if (strlen(hex) != 2 * len)
                return -1;
        for (size_t i = 0; i < len; i++) {
                unsigned v;
                if (sscanf(hex + 2 * i, "%2x", &v) != 1)
                        return -1;
                out[i] = (uint8_t) v;
        }
        return 0;
}

/* A path in PERMIT_EXTERNAL_TESTDATA (free()). */
static inline char *test_external(const char *name) {
        const char *root = getenv("PERMIT_EXTERNAL_TESTDATA");
        char *p = NULL;

        assert_non_null(root);
        assert_true(asprintf(&p, "%s/%s", root, name) > 0);
        return p;
}

