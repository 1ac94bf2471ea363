/* SPDX-License-Identifier: MIT */
/* Golden cases: every tests/data/manifest/valid/NAME.json must parse, and
 * every tests/data/manifest/invalid/NAME/input must fail with exactly the
 * one-line error in NAME/error. schema-check.py runs the same files through
 * schemas/permit.schema.json. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "permit/manifest.h"

static char *data_dir(const char *sub) {
        const char *root = getenv("PERMIT_SOURCE_ROOT");
        char *p;

        assert_non_null(root);
        assert_true(asprintf(&p, "%s/tests/data/manifest/%s", root, sub) > 0);
        return p;
}

static char *slurp(const char *path, size_t *ret_len) {
        FILE *f = fopen(path, "rb");
        char *buf = NULL;
        size_t len = 0, size = 0;

        if (!f)
                fail_msg("cannot open %s: %s", path, strerror(errno));
        for (;;) {
                size_t n;

                if (len + 4096 + 1 > size) {
                        size = size ? size * 2 : 8192;
                        buf = realloc(buf, size);
                        assert_non_null(buf);
                }
                n = fread(buf + len, 1, size - len - 1, f);
                if (n == 0)
                        break;
                len += n;
        }
        assert_false(ferror(f));
        fclose(f);
        buf[len] = '\0';
        *ret_len = len;
        return buf;
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Sorted entry names of dir (no dot files). */
static size_t list_dir(const char *dir, char ***ret) {
        DIR *d = opendir(dir);
        struct dirent *de;
        char **names = NULL;
        size_t n = 0;

        if (!d)
                fail_msg("cannot open %s: %s", dir, strerror(errno));
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                names = realloc(names, (n + 1) * sizeof(*names));
                assert_non_null(names);
                names[n] = strdup(de->d_name);
                assert_non_null(names[n]);
                n++;
        }
        closedir(d);
        qsort(names, n, sizeof(*names), compare_names);
        *ret = names;
        return n;
}

static void test_valid(void **state) {
        char *dir = data_dir("valid"), **names;
        size_t n = list_dir(dir, &names), checked = 0;
        int failures = 0;

        for (size_t i = 0; i < n; i++) {
                char *path, *buf, *canon = NULL, *canon2 = NULL, msg[1024];
                permit_manifest *m = NULL, *m2 = NULL;
                permit_error error;
                size_t len, clen, clen2;
                int r;

                if (strlen(names[i]) < 5 || strcmp(names[i] + strlen(names[i]) - 5, ".json") != 0)
                        fail_msg("unexpected file %s in %s", names[i], dir);
                assert_true(asprintf(&path, "%s/%s", dir, names[i]) > 0);
                buf = slurp(path, &len);
                r = permit_manifest_parse(buf, len, names[i], &m, &error);
                if (r < 0) {
                        printf("# # valid/%s refused: %s\n", names[i], permit_error_string(&error, msg, sizeof(msg)));
                        failures++;
                } else {
                        /* The canonical form parses to the same canonical form. */
                        assert_int_equal(permit_manifest_canonical(m, &canon, &clen), 0);
                        assert_int_equal(strlen(canon), clen);
                        r = permit_manifest_parse(canon, clen, "canonical", &m2, &error);
                        if (r < 0)
                                fail_msg("valid/%s: canonical form refused: %s", names[i],
                                         permit_error_string(&error, msg, sizeof(msg)));
                        assert_int_equal(permit_manifest_canonical(m2, &canon2, &clen2), 0);
                        assert_string_equal(canon, canon2);
                        /* Loading the file gives the same manifest. */
                        permit_manifest_free(m2);
                        assert_int_equal(permit_manifest_load(path, &m2, &error), 0);
                        free(canon2);
                        assert_int_equal(permit_manifest_canonical(m2, &canon2, &clen2), 0);
                        assert_string_equal(canon, canon2);
                        checked++;
                }
                free(canon);
                free(canon2);
                permit_manifest_free(m);
                permit_manifest_free(m2);
                free(buf);
                free(path);
                free(names[i]);
        }
        printf("# # %zu valid cases accepted\n", checked);
        free(names);
        free(dir);
        assert_int_equal(failures, 0);
        assert_true(checked >= 10);
}

static void test_invalid(void **state) {
        char *dir = data_dir("invalid"), **names;
        size_t n = list_dir(dir, &names), checked = 0;
        int failures = 0;

        for (size_t i = 0; i < n; i++) {
                char *path, *buf, *expected, msg[1024];
                permit_manifest *m = NULL;
                permit_error error;
                size_t len, elen;
                int r;

                assert_true(asprintf(&path, "%s/%s/error", dir, names[i]) > 0);
                expected = slurp(path, &elen);
                if (elen == 0 || expected[elen - 1] != '\n' || memchr(expected, '\n', elen - 1))
                        fail_msg("invalid/%s/error must be exactly one line", names[i]);
                expected[elen - 1] = '\0';
                free(path);

                assert_true(asprintf(&path, "%s/%s/input", dir, names[i]) > 0);
                buf = slurp(path, &len);
                r = permit_manifest_parse(buf, len, NULL, &m, &error);
                if (r >= 0) {
                        printf("# # invalid/%s accepted\n", names[i]);
                        permit_manifest_free(m);
                        failures++;
                } else {
                        assert_null(m);
                        assert_int_equal(r, len > PERMIT_MANIFEST_MAX_SIZE ? -EFBIG : -EINVAL);
                        permit_error_string(&error, msg, sizeof(msg));
                        if (strcmp(msg, expected) != 0) {
                                printf("# # invalid/%s:\n#   expected: %s\n#   got:      %s\n", names[i],
                                              expected, msg);
                                failures++;
                        } else
                                checked++;
                        /* The file name goes into the error as its source. */
                        assert_int_equal(permit_manifest_parse(buf, len, "addon/permit.json", &m, &error), r);
                        assert_string_equal(error.source, "addon/permit.json");
                        /* So does a loaded file's path, with the same error. */
                        assert_int_equal(permit_manifest_load(path, &m, &error), r);
                        assert_string_equal(error.source, path);
                        /* And NULL error is fine. */
                        assert_int_equal(permit_manifest_parse(buf, len, NULL, &m, NULL), r);
                }
                free(buf);
                free(path);
                free(expected);
                free(names[i]);
        }
        printf("# # %zu invalid cases refused with the expected error\n", checked);
        free(names);
        free(dir);
        assert_int_equal(failures, 0);
        assert_true(checked >= 10);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_invalid),
        };

        return cmocka_run_group_tests_name("manifest-golden", tests, NULL, NULL);
}
