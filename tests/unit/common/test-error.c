/* SPDX-License-Identifier: MIT */
/* common/error.c: permit_error_string() with every combination of the
 * parts, in buffers of every size, and the setters the library uses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error-private.h"

static const struct {
        bool source, line, column, path, text;
        const char *expected;
} combinations[] = {
        /* source line column path text */
                { 0, 0, 0, 0, 0, "unknown error" },
                { 1, 0, 0, 0, 0, "a.json: unknown error" },
                { 0, 1, 0, 0, 0, "line 3: unknown error" },
                { 1, 1, 0, 0, 0, "a.json:3: unknown error" },
                { 0, 0, 1, 0, 0, "unknown error" },
                { 1, 0, 1, 0, 0, "a.json: unknown error" },
                { 0, 1, 1, 0, 0, "line 3:7: unknown error" },
                { 1, 1, 1, 0, 0, "a.json:3:7: unknown error" },
                { 0, 0, 0, 1, 0, "caps[2].id: unknown error" },
                { 1, 0, 0, 1, 0, "a.json: caps[2].id: unknown error" },
                { 0, 1, 0, 1, 0, "line 3: caps[2].id: unknown error" },
                { 1, 1, 0, 1, 0, "a.json:3: caps[2].id: unknown error" },
                { 0, 0, 1, 1, 0, "caps[2].id: unknown error" },
                { 1, 0, 1, 1, 0, "a.json: caps[2].id: unknown error" },
                { 0, 1, 1, 1, 0, "line 3:7: caps[2].id: unknown error" },
                { 1, 1, 1, 1, 0, "a.json:3:7: caps[2].id: unknown error" },
                { 0, 0, 0, 0, 1, "bad kind" },
                { 1, 0, 0, 0, 1, "a.json: bad kind" },
                { 0, 1, 0, 0, 1, "line 3: bad kind" },
                { 1, 1, 0, 0, 1, "a.json:3: bad kind" },
                { 0, 0, 1, 0, 1, "bad kind" },
                { 1, 0, 1, 0, 1, "a.json: bad kind" },
                { 0, 1, 1, 0, 1, "line 3:7: bad kind" },
                { 1, 1, 1, 0, 1, "a.json:3:7: bad kind" },
                { 0, 0, 0, 1, 1, "caps[2].id: bad kind" },
                { 1, 0, 0, 1, 1, "a.json: caps[2].id: bad kind" },
                { 0, 1, 0, 1, 1, "line 3: caps[2].id: bad kind" },
                { 1, 1, 0, 1, 1, "a.json:3: caps[2].id: bad kind" },
                { 0, 0, 1, 1, 1, "caps[2].id: bad kind" },
                { 1, 0, 1, 1, 1, "a.json: caps[2].id: bad kind" },
                { 0, 1, 1, 1, 1, "line 3:7: caps[2].id: bad kind" },
                { 1, 1, 1, 1, 1, "a.json:3:7: caps[2].id: bad kind" },
};

static void fill(permit_error *e, size_t i) {
        permit_error_clear(e);
        if (combinations[i].source)
                strcpy(e->source, "a.json");
        if (combinations[i].line)
                e->line = 3;
        if (combinations[i].column)
                e->column = 7;
        if (combinations[i].path)
                strcpy(e->path, "caps[2].id");
        if (combinations[i].text)
                strcpy(e->text, "bad kind");
}

static void test_combinations(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(combinations); i++) {
                permit_error e;
                char buf[256];

                fill(&e, i);
                assert_ptr_equal(permit_error_string(&e, buf, sizeof(buf)), buf);
                if (!streq(buf, combinations[i].expected))
                        fail_msg("#%zu: '%s', expected '%s'", i, buf, combinations[i].expected);
        }
}

static void test_negative_position(void **state) {
        permit_error e = { .line = -1, .column = -5 };
        char buf[64];

        strcpy(e.text, "t");
        assert_string_equal(permit_error_string(&e, buf, sizeof(buf)), "t");
        e.line = 2;
        assert_string_equal(permit_error_string(&e, buf, sizeof(buf)), "line 2: t");
}

/* Every size from 1 to one past the full length, in a heap buffer of
 * exactly that size (so the sanitizers see any byte written past it). */
static void test_truncation(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(combinations); i++) {
                const char *full = combinations[i].expected;
                size_t len = strlen(full);
                permit_error e;

                fill(&e, i);
                for (size_t size = 1; size <= len + 1; size++) {
                        char *buf = malloc(size + 1);
                        assert_non_null(buf);
                        memset(buf, 'X', size + 1);
                        assert_ptr_equal(permit_error_string(&e, buf, size), buf);
                        assert_int_equal(buf[size], 'X'); /* not one byte past */
                        assert_int_equal(strlen(buf), size - 1 < len ? size - 1 : len);
                        assert_memory_equal(buf, full, strlen(buf));
                        free(buf);
                }
        }
}

static void test_long_fields(void **state) {
        /* Every field full: the result is cut to the buffer, terminated. */
        permit_error e = { .line = 2147483647, .column = 2147483647 };
        char big[2048], small[100];

        memset(e.source, 's', sizeof(e.source) - 1);
        memset(e.path, 'p', sizeof(e.path) - 1);
        memset(e.text, 't', sizeof(e.text) - 1);
        permit_error_string(&e, big, sizeof(big));
        assert_int_equal(strlen(big), (sizeof(e.source) - 1) + strlen(":2147483647:2147483647: ") +
                                              (sizeof(e.path) - 1) + 2 + (sizeof(e.text) - 1));
        memset(small, 'X', sizeof(small));
        permit_error_string(&e, small, sizeof(small) - 1);
        assert_int_equal(strlen(small), sizeof(small) - 2);
        assert_int_equal(small[sizeof(small) - 1], 'X');
}

static void test_null_and_empty(void **state) {
        permit_error e = { 0 };
        char buf[16];

        /* NULL error: an empty string. */
        memset(buf, 'X', sizeof(buf));
        assert_ptr_equal(permit_error_string(NULL, buf, sizeof(buf)), buf);
        assert_string_equal(buf, "");
        /* No buffer, or no room: nothing written, no crash. */
        assert_null(permit_error_string(&e, NULL, 10));
        assert_null(permit_error_string(NULL, NULL, 0));
        memset(buf, 'X', sizeof(buf));
        assert_ptr_equal(permit_error_string(&e, buf, 0), buf);
        assert_int_equal(buf[0], 'X');
        assert_ptr_equal(permit_error_string(NULL, buf, 0), buf);
        assert_int_equal(buf[0], 'X');
        /* A size of 1 holds only the terminator. */
        strcpy(e.text, "text");
        assert_string_equal(permit_error_string(&e, buf, 1), "");
        /* permit_error_clear accepts NULL. */
        permit_error_clear(NULL);
}

static void test_setters(void **state) {
        permit_error e;
        char buf[256], long_text[400];

        memset(&e, 'Z', sizeof(e));
        permit_error_clear(&e);
        assert_int_equal(e.line, 0);
        assert_string_equal(e.source, "");
        assert_string_equal(e.text, "");

        assert_int_equal(permit_error_set(&e, -EINVAL, "capabilities[2].id", "unknown kind '%s'", "made.up"), -EINVAL);
        assert_int_equal(permit_error_set_source(&e, -EINVAL, "addon/permit.json"), -EINVAL);
        assert_string_equal(permit_error_string(&e, buf, sizeof(buf)),
                            "addon/permit.json: capabilities[2].id: unknown kind 'made.up'");
        /* A NULL or empty source leaves the one there. */
        assert_int_equal(permit_error_set_source(&e, -ENOENT, NULL), -ENOENT);
        assert_int_equal(permit_error_set_source(&e, -ENOENT, ""), -ENOENT);
        assert_string_equal(e.source, "addon/permit.json");
        /* A NULL path is empty. */
        permit_error_set(&e, -EINVAL, NULL, "plain");
        assert_string_equal(e.path, "");

        permit_error_clear(&e);
        assert_int_equal(permit_error_set_at(&e, -EBADMSG, "pkg.zip", "__init__.py", "changed (size %d)", 5), -EBADMSG);
        assert_string_equal(permit_error_string(&e, buf, sizeof(buf)), "pkg.zip: __init__.py: changed (size 5)");

        permit_error_set_position(&e, 4, 9);
        assert_int_equal(e.line, 4);
        assert_int_equal(e.column, 9);
        permit_error_set_position(&e, -1, -1);
        assert_int_equal(e.line, 0);
        assert_int_equal(e.column, 0);

        /* Too long for the field: cut, terminated. */
        memset(long_text, 'x', sizeof(long_text) - 1);
        long_text[sizeof(long_text) - 1] = '\0';
        permit_error_set_at(&e, -EINVAL, long_text, long_text, "%s", long_text);
        assert_int_equal(strlen(e.source), sizeof(e.source) - 1);
        assert_int_equal(strlen(e.path), sizeof(e.path) - 1);
        assert_int_equal(strlen(e.text), sizeof(e.text) - 1);

        /* No error to fill: the code is still returned. */
        assert_int_equal(permit_error_set(NULL, -E2BIG, "p", "t"), -E2BIG);
        assert_int_equal(permit_error_set_at(NULL, -E2BIG, "s", "p", "t"), -E2BIG);
        assert_int_equal(permit_error_set_source(NULL, -E2BIG, "s"), -E2BIG);
        permit_error_set_position(NULL, 1, 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_combinations),
                cmocka_unit_test(test_negative_position),
                cmocka_unit_test(test_truncation),
                cmocka_unit_test(test_long_fields),
                cmocka_unit_test(test_null_and_empty),
                cmocka_unit_test(test_setters),
        };
        return cmocka_run_group_tests_name("common-error", tests, NULL, NULL);
}
