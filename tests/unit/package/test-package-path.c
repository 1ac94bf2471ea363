/* SPDX-License-Identifier: MIT */
/* package_check_path against a table of good and bad member paths. */
#include <errno.h>

#include "package-test.h"

typedef struct path_case {
        const char *path;
        const char *text; /* NULL: accepted */
} path_case;

static void check_table(const path_case *cases, size_t n, const permit_package_limits *limits) {
        for (size_t i = 0; i < n; i++) {
                permit_error error;
                int r;

                permit_error_clear(&error);
                r = package_check_path(cases[i].path, limits, &error);
                if ((r == 0) != (cases[i].text == NULL) ||
                    (cases[i].text && strcmp(error.text, cases[i].text) != 0))
                        fail_msg("'%s': got %d '%s', want '%s'", cases[i].path, r, error.text,
                                 cases[i].text ? cases[i].text : "accepted");
                if (cases[i].text)
                        assert_int_equal(r, -EINVAL);
        }
}

static void test_paths(void **state) {
        static const path_case cases[] = {
                { "a", NULL },
                { "permit.json", NULL },
                { "a/b/c.py", NULL },
                { "caf\xc3\xa9.py", NULL },
                { "\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x98\x80.txt", NULL },
                { ".hidden", NULL },
                { "..a", NULL },
                { "a..", NULL },
                { "a/...", NULL },
                { "a b/c d", NULL },
                { "d/", NULL }, /* a directory */
                { "", "empty path" },
                { "/", "absolute path" },
                { "/etc/passwd", "absolute path" },
                { "..", "'..' in path" },
                { "../a", "'..' in path" },
                { "a/../b", "'..' in path" },
                { "a/..", "'..' in path" },
                { ".", "'.' in path" },
                { "./a", "'.' in path" },
                { "a/./b", "'.' in path" },
                { "a//b", "empty component in path" },
                { "a//", "empty component in path" },
                { "a\\b", "backslash in path" },
                { "..\\a", "backslash in path" },
                { "a\x01", "control character in name" },
                { "a\nb", "control character in name" },
                { "a\x7f", "control character in name" },
                { "\xc2\x85", "control character in name" }, /* NEL, C1 */
                { "\xff", "name is not valid UTF-8" },
                { "\xc0\xaf", "name is not valid UTF-8" },     /* overlong '/' */
                { "\xed\xa0\x80", "name is not valid UTF-8" }, /* surrogate */
                { "caf\xe9.py", "name is not valid UTF-8" },   /* Latin-1 */
        };

        (void) state;
        check_table(cases, ELEMENTSOF(cases), NULL);
}

static void test_limits(void **state) {
        permit_package_limits limits;
        char path[1100];
        permit_error error;

        (void) state;
        permit_package_limits_default(&limits);
        assert_int_equal(limits.max_files, 20000);
        assert_int_equal(limits.max_total_size, UINT64_C(1) << 30);
        assert_int_equal(limits.max_ratio, 200);
        assert_int_equal(limits.max_path, 1024);
        assert_int_equal(limits.max_depth, 32);

        memset(path, 'x', 1024);
        path[1024] = '\0';
        assert_int_equal(package_check_path(path, &limits, &error), 0);
        path[1024] = 'x';
        path[1025] = '\0';
        assert_int_equal(package_check_path(path, &limits, &error), -EINVAL);
        assert_string_equal(error.text, "path longer than 1024 bytes");
        /* error->path is cut to fit, marked "...". */
        assert_int_equal(strlen(error.path), PERMIT_ERROR_PATH_LENGTH - 1);
        assert_string_equal(error.path + strlen(error.path) - 3, "...");

        /* 32 directories above a file, or 32 for a directory, are fine. */
        path[0] = '\0';
        for (int i = 0; i < 32; i++)
                strcat(path, "d/");
        strcat(path, "f");
        assert_int_equal(package_check_path(path, &limits, &error), 0);
        path[strlen(path) - 1] = '\0'; /* "d/.../d/": a directory 32 deep */
        assert_int_equal(package_check_path(path, &limits, &error), 0);
        strcat(path, "d/f");
        assert_int_equal(package_check_path(path, &limits, &error), -EINVAL);
        assert_string_equal(error.text, "path deeper than 32 directories");

        limits.max_path = 8;
        limits.max_depth = 1;
        static const path_case small[] = {
                { "12345678", NULL },
                { "123456789", "path longer than 8 bytes" },
                { "a/b", NULL },
                { "a/b/", "path deeper than 1 directories" },
                { "a/b/c", "path deeper than 1 directories" },
        };
        check_table(small, ELEMENTSOF(small), &limits);
}

static void test_escape(void **state) {
        permit_error error;

        (void) state;
        /* What reaches a terminal is escaped. */
        assert_int_equal(package_check_path("a\x1b[2Jb", NULL, &error), -EINVAL);
        assert_string_equal(error.path, "a\\x1b[2Jb");
        assert_int_equal(package_check_path("\xe2\x80\xae" "exe.txt\\", NULL, &error), -EINVAL);
        assert_string_equal(error.path, "\\xe2\\x80\\xaeexe.txt\\\\");
        assert_int_equal(package_check_path("caf\xc3\xa9/..", NULL, &error), -EINVAL);
        assert_string_equal(error.path, "caf\xc3\xa9/..");
        assert_int_equal(package_check_path(NULL, NULL, &error), -EINVAL);
        assert_int_equal(package_check_path("ok", NULL, NULL), 0);
        assert_int_equal(package_check_path("/", NULL, NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_paths),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_escape),
        };

        return cmocka_run_group_tests_name("package-path", tests, NULL, NULL);
}
