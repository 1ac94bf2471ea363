/* SPDX-License-Identifier: MIT */
/* Semantic Versioning 2.0.0: validity and precedence (semver.org, items
 * 2, 9-11). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "permit/manifest.h"

static void test_valid(void **state) {
        static const char *const good[] = {
                "0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92",
                "1.0.0-x-y-z.--", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85", "1.0.0+21AF26D3----117B344092BD",
                "1.0.0+001", "1.0.0-0a", "99999999999999999999999.0.0", "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay",
        };
        static const char *const bad[] = {
                "", "1", "1.2", "1.2.3.4", "01.1.1", "1.01.1", "1.1.01", "1.2.3-", "1.2.3+", "1.2.3-01", "1.2.3-a..b",
                "1.2.3-a.", "1.2.3+a..b", "v1.2.3", " 1.2.3", "1.2.3 ", "1.2.3-a_b", "1.2.3-+", "-1.2.3", "1.2.-3",
                "1.2.3-α", "+1.2.3", "1.2.3\n", "1.2.3-0123", "a.b.c",
        };
        char longest[80] = "1.0.0-";

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
                if (!permit_semver_valid(good[i]))
                        fail_msg("'%s' refused", good[i]);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (permit_semver_valid(bad[i]))
                        fail_msg("'%s' accepted", bad[i]);
        assert_false(permit_semver_valid(NULL));
        /* at most 64 bytes */
        while (strlen(longest) < 64)
                strcat(longest, "a");
        assert_true(permit_semver_valid(longest));
        strcat(longest, "a");
        assert_false(permit_semver_valid(longest));
}

static void test_compare(void **state) {
        /* each one lower than the next */
        static const char *const order[] = {
                "0.0.1", "0.1.0", "0.9.0", "0.10.0", "1.0.0-0", "1.0.0-2", "1.0.0-11", "1.0.0-alpha", "1.0.0-alpha.1",
                "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1",
                "1.1.0", "2.0.0", "10.0.0", "99999999999999999999.0.0", "100000000000000000000.0.0",
        };
        size_t n = sizeof(order) / sizeof(order[0]);

        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++) {
                        int want = i < j ? -1 : i > j, got = permit_semver_compare(order[i], order[j]);
                        if (got != want)
                                fail_msg("compare(%s, %s) = %d, want %d", order[i], order[j], got, want);
                }
        /* build metadata is ignored */
        assert_int_equal(permit_semver_compare("1.0.0+a", "1.0.0+b"), 0);
        assert_int_equal(permit_semver_compare("1.0.0-rc.1+x", "1.0.0-rc.1"), 0);
        assert_int_equal(permit_semver_compare("1.0.0-rc+x", "1.0.0-rc.1"), -1);
        /* invalid ones sort first, among themselves like strcmp */
        assert_int_equal(permit_semver_compare("junk", "0.0.0"), -1);
        assert_int_equal(permit_semver_compare("0.0.0", "junk"), 1);
        assert_int_equal(permit_semver_compare("a", "b"), -1);
        assert_int_equal(permit_semver_compare(NULL, NULL), 0);
        assert_int_equal(permit_semver_compare(NULL, "1.0.0"), -1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_compare),
        };

        return cmocka_run_group_tests_name("manifest-semver", tests, NULL, NULL);
}
