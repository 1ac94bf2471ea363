/* SPDX-License-Identifier: MIT */
/* Files for tests: temporary directories, joining, writing and reading
 * whole files. Shared by every unit test that needs them. Include after
 * <cmocka.h>. */
#pragma once

#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline char *test_join(const char *dir, const char *name) {
        char *p = NULL;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static inline char *test_tempdir(void) {
        const char *tmp = getenv("TMPDIR");
        char *p = NULL;

        assert_true(asprintf(&p, "%s/permit-test-XXXXXX", tmp && *tmp ? tmp : "/tmp") > 0);
        assert_non_null(mkdtemp(p));
        return p;
}

static inline int test_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(path);
}

static inline void test_rm_rf(char *dir) {
        if (!dir)
                return;
        chmod(dir, 0700);
        nftw(dir, test_rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(dir);
}

static inline void test_write(const char *path, const void *data, size_t len) {
        FILE *f = fopen(path, "wb");

        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
}

static inline void test_write_string(const char *path, const char *s) {
        test_write(path, s, strlen(s));
}

/* The whole file, NUL-terminated (free()). */
static inline char *test_read(const char *path, size_t *ret_len) {
        FILE *f = fopen(path, "rb");
        char *buf;
        long n;

        assert_non_null(f);
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        assert_true(n >= 0);
        rewind(f);
        buf = malloc((size_t) n + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t) n, f), (size_t) n);
        buf[n] = '\0';
        fclose(f);
        if (ret_len)
                *ret_len = (size_t) n;
        return buf;
}

static inline bool test_exists(const char *path) {
        struct stat st;

        return lstat(path, &st) == 0;
}

/* text with its first `from` replaced by `to` (free()); fails the test when
 * from is not in text. For building mutations of a document. */
static inline char *test_replace_first(const char *text, const char *from, const char *to) {
        const char *at = text && from ? strstr(text, from) : NULL;
        char *s = NULL;

        if (!at)
                fail_msg("'%s' not in the text", from ? from : "(null)");
        assert_true(asprintf(&s, "%.*s%s%s", (int) (at - text), text, to, at + strlen(from)) > 0);
        return s;
}
