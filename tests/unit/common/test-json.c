/* SPDX-License-Identifier: MIT */
/* common/json.c: the strict parser every format goes through, the RFC 8785
 * canonical form that seals and digests are computed over, and JSON path
 * building for error messages. Expected canonical forms are typed in from
 * RFC 8785 (sections 3.2.2.2 and 3.2.3), not produced by the code. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "json-private.h"

/* Parses s (of its strlen) and expects success. */
static json_t *parse_ok(const char *s) {
        json_t *v = NULL;
        permit_error error = { 0 };
        int r = permit_json_parse(s, strlen(s), &v, &error);

        if (r < 0)
                fail_msg("'%s': %d %s", s, r, error.text);
        assert_non_null(v);
        return v;
}

/* Parses len bytes of s and expects -EINVAL, a message, and ret untouched. */
static void parse_fails_n(const char *s, size_t len, permit_error *ret_error) {
        json_t *sentinel = (json_t *) (uintptr_t) 0x1, *v = sentinel;
        permit_error error = { 0 };
        int r = permit_json_parse(s, len, &v, &error);

        if (r != -EINVAL)
                fail_msg("'%.*s': expected -EINVAL, got %d", (int) len, s, r);
        assert_ptr_equal(v, sentinel);
        assert_true(error.text[0] != '\0');
        assert_string_equal(error.source, ""); /* the caller's to set */
        /* Without an error to fill, the same answer. */
        assert_int_equal(permit_json_parse(s, len, &v, NULL), -EINVAL);
        assert_ptr_equal(v, sentinel);
        if (ret_error)
                *ret_error = error;
}

static void parse_fails(const char *s, permit_error *ret_error) {
        parse_fails_n(s, strlen(s), ret_error);
}

/* The canonical form of the JSON text s. */
static void assert_canonical(const char *s, const char *expected) {
        _cleanup_json_ json_t *v = parse_ok(s);
        _cleanup_free_ char *out = NULL;
        size_t len = 0;

        assert_int_equal(permit_json_canonical(v, &out, &len), 0);
        assert_non_null(out);
        assert_int_equal(len, strlen(expected));
        assert_string_equal(out, expected);
}

static int canonical_of(const json_t *v, char **ret) {
        size_t len = 0;
        int r = permit_json_canonical(v, ret, &len);

        if (r == 0)
                assert_int_equal(len, strlen(*ret));
        return r;
}

/* --- permit_json_parse --------------------------------------------------- */

static void test_parse_ok(void **state) {
        _cleanup_json_ json_t *v = parse_ok("{\"a\": 1, \"b\": [true, null], \"c\": \"\\u00e9\"}\n\t ");
        _cleanup_json_ json_t *w = NULL;
        static const char with_tail[] = "{\"x\":\"y\"}garbage after the length";

        assert_true(json_is_object(v));
        assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
        assert_string_equal(json_string_value(json_object_get(v, "c")), "\xc3\xa9");

        /* Only len bytes are read: what follows them is not trailing data. */
        assert_int_equal(permit_json_parse(with_tail, 9, &w, NULL), 0);
        assert_string_equal(json_string_value(json_object_get(w, "x")), "y");
}

static void test_parse_duplicates(void **state) {
        permit_error error;

        parse_fails("{\"a\": 1, \"a\": 2}", &error);
        assert_non_null(strstr(error.text, "duplicate"));
        assert_int_equal(error.line, 1);
        /* Also inside nested objects, and with the same value twice. */
        parse_fails("{\"x\": {\"k\": true, \"k\": true}}", NULL);
        parse_fails("{\"x\": [{}, {\"k\": 1, \"j\": 2, \"k\": 1}]}", NULL);
        /* The same key spelled with an escape is the same key. */
        parse_fails("{\"a\": 1, \"\\u0061\": 2}", NULL);
}

static void test_parse_bad_utf8(void **state) {
        static const char *const bad[] = {
                "{\"a\": \"\xff\"}",              /* never valid */
                "{\"a\": \"\xc0\x80\"}",          /* overlong NUL */
                "{\"a\": \"\xe0\x80\xaf\"}",      /* overlong '/' */
                "{\"a\": \"\xed\xa0\x80\"}",      /* U+D800 encoded */
                "{\"a\": \"\xf4\x90\x80\x80\"}",  /* past U+10FFFF */
                "{\"a\": \"\xc3\"}",              /* truncated */
                "{\"\xe2\x82\": 1}",              /* truncated, in a key */
                "{\"a\": \"\\ud800\"}",           /* lone high surrogate escape */
                "{\"a\": \"\\udc00\"}",           /* lone low surrogate escape */
                "{\"a\": \"\\ud800\\u0041\"}",    /* high surrogate, then no low one */
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                parse_fails(bad[i], NULL);

        /* Valid multi-byte text and surrogate pairs are accepted. */
        _cleanup_json_ json_t *v = parse_ok("{\"a\": \"\xf0\x9f\x98\x80\", \"b\": \"\\ud83d\\ude00\"}");
        assert_string_equal(json_string_value(json_object_get(v, "a")), "\xf0\x9f\x98\x80");
        assert_string_equal(json_string_value(json_object_get(v, "b")), "\xf0\x9f\x98\x80");
}

static void test_parse_nul(void **state) {
        static const char raw_nul[] = "{\"a\": \"x\0y\"}";

        parse_fails("{\"a\": \"x\\u0000y\"}", NULL);
        parse_fails("{\"x\\u0000\": 1}", NULL);
        /* A raw NUL byte inside the buffer (len counts it). */
        parse_fails_n(raw_nul, sizeof(raw_nul) - 1, NULL);
        parse_fails_n("{}\0", 3, NULL);
        /* jansson alone passes over one after a number or a literal */
        parse_fails_n("{\"a\":9\0}", 8, NULL);
        parse_fails_n("{\"a\":true\0}", 11, NULL);
        parse_fails_n("{\"a\":[null\0]}", 13, NULL);
}

static void test_parse_trailing(void **state) {
        parse_fails("{\"a\": 1} x", NULL);
        parse_fails("{\"a\": 1}{}", NULL);
        parse_fails("{} ,", NULL);
        parse_fails("{}}", NULL);
        parse_fails("{\"a\": 1", NULL); /* and missing data */
        json_decref(parse_ok("{}  \r\n\t"));
}

static void test_parse_not_object(void **state) {
        static const char *const not_objects[] = { "[]", "[1, 2]", "\"s\"", "1", "-1.5", "null", "true", "", "   " };
        permit_error error;

        for (size_t i = 0; i < ELEMENTSOF(not_objects); i++)
                parse_fails(not_objects[i], NULL);
        parse_fails("[{\"a\": 1}]", &error);
        assert_string_equal(error.text, "not a JSON object");
}

static void test_parse_position(void **state) {
        /* Line 3 is `  "b": ]`: the error is on it, at or after the ']'. */
        static const char text[] = "{\n  \"a\": 1,\n  \"b\": ]\n}\n";
        permit_error error;

        parse_fails(text, &error);
        assert_int_equal(error.line, 3);
        assert_in_range(error.column, 7, 8);
        printf("# line 3 error at column %d: %s\n", error.column, error.text);

        parse_fails("{\"a\":\n\n\n     x}", &error);
        assert_int_equal(error.line, 4);
        assert_true(error.column > 0);
}

static void test_parse_deep(void **state) {
        /* Far past any reasonable depth: refused, not a stack overflow. */
        size_t n = 100000;
        _cleanup_free_ char *buf = malloc(2 * n + 16);

        assert_non_null(buf);
        buf[0] = '{';
        memcpy(buf + 1, "\"a\":", 4);
        memset(buf + 5, '[', n);
        memset(buf + 5 + n, ']', n);
        buf[5 + 2 * n] = '}';
        parse_fails_n(buf, 6 + 2 * n, NULL);
}

/* --- permit_json_canonical ----------------------------------------------- */

/* RFC 8785 section 3.2.3, the sorting example. U+1F600 (UTF-16 D83D DE00)
 * sorts before U+FB33: by code point, or by UTF-8 bytes, it would be after. */
static void test_canonical_rfc8785_sorting(void **state) {
        assert_canonical("{\n"
                         "  \"\\u20ac\": \"Euro Sign\",\n"
                         "  \"\\r\": \"Carriage Return\",\n"
                         "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
                         "  \"1\": \"One\",\n"
                         "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
                         "  \"\\u0080\": \"Control\",\n"
                         "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
                         "}",
                         "{\"\\r\":\"Carriage Return\","
                         "\"1\":\"One\","
                         "\"\xc2\x80\":\"Control\","
                         "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
                         "\"\xe2\x82\xac\":\"Euro Sign\","
                         "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
                         "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

/* RFC 8785 section 3.2.2.2's example without its "numbers" (permit refuses
 * reals; see test_canonical_reals), with its string and literals. */
static void test_canonical_rfc8785_strings(void **state) {
        assert_canonical("{\n"
                         "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                         "  \"literals\": [null, true, false]\n"
                         "}",
                         "{\"literals\":[null,true,false],"
                         "\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

static void test_canonical_sorting(void **state) {
        /* Shorter prefix first; upper case (0x42) before lower case. */
        assert_canonical("{\"b\": 1, \"ab\": 2, \"a\": 3, \"\": 4, \"B\": 5}",
                         "{\"\":4,\"B\":5,\"a\":3,\"ab\":2,\"b\":1}");
        /* U+D7FF < U+1F600 (D83D) < U+E000 < U+FFFF < ... by UTF-16 code
         * units; U+10000 (D800 DC00) < U+1F600 < U+1F601 (DE01). */
        assert_canonical("{\"\\uffff\": 1, \"\\ue000\": 2, \"\\ud83d\\ude01\": 3, \"\\ud83d\\ude00\": 4,"
                         " \"\\ud7ff\": 5, \"\\ud800\\udc00\": 6}",
                         "{\"\xed\x9f\xbf\":5,"
                         "\"\xf0\x90\x80\x80\":6,"
                         "\"\xf0\x9f\x98\x80\":4,"
                         "\"\xf0\x9f\x98\x81\":3,"
                         "\"\xee\x80\x80\":2,"
                         "\"\xef\xbf\xbf\":1}");
        /* Recursively, inside arrays and objects; arrays keep their order. */
        assert_canonical("{ \"z\" : [ { \"y\" : 1 , \"x\" : 2 } , 3 , [ ] ] , \"y\" : { } }",
                         "{\"y\":{},\"z\":[{\"x\":2,\"y\":1},3,[]]}");
        assert_canonical("{}", "{}");
}

static void test_canonical_control_characters(void **state) {
        _cleanup_json_ json_t *v = NULL;
        _cleanup_free_ char *out = NULL;
        char raw[33];

        /* Every control character, the NUL included (jansson keeps lengths). */
        for (int c = 0; c < 0x20; c++)
                raw[c] = (char) c;
        raw[32] = 0x7f; /* DEL is not a control character to JSON */
        v = json_stringn(raw, sizeof(raw));
        assert_non_null(v);
        assert_int_equal(canonical_of(v, &out), 0);
        assert_string_equal(out,
                            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
                            "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
                            "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
                            "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\x7f\"");
}

static void test_canonical_literal_characters(void **state) {
        /* '/' and everything non-ASCII (U+2028 and U+2029 too) stay literal;
         * escapes in the input are decoded. */
        assert_canonical("{\"s\": \"a/b\\/c \\u00e9\xc3\xa9 \\u2028\\u2029 \\ufeff \\ud83d\\ude00 <>&'\"}",
                         "{\"s\":\"a/b/c \xc3\xa9\xc3\xa9 \xe2\x80\xa8\xe2\x80\xa9 \xef\xbb\xbf \xf0\x9f\x98\x80 <>&'\"}");
        assert_canonical("{\"\\\"\\\\\": \"\\\\\\\"\"}", "{\"\\\"\\\\\":\"\\\\\\\"\"}");
}

static void test_canonical_integers(void **state) {
        assert_canonical("{\"a\": 0, \"b\": -0, \"c\": 123, \"d\": -456, \"e\": 1000000}",
                         "{\"a\":0,\"b\":0,\"c\":123,\"d\":-456,\"e\":1000000}");
        /* 2^53 still exact; one more is not. */
        assert_canonical("{\"max\": 9007199254740992, \"min\": -9007199254740992}",
                         "{\"max\":9007199254740992,\"min\":-9007199254740992}");

        static const json_int_t too_big[] = { 9007199254740993LL, -9007199254740993LL, INT64_MAX, INT64_MIN };
        for (size_t i = 0; i < ELEMENTSOF(too_big); i++) {
                _cleanup_json_ json_t *v = json_pack("{s:[I]}", "n", too_big[i]);
                char *out = (char *) 0x1;

                assert_non_null(v);
                assert_int_equal(permit_json_canonical(v, &out, NULL), -EDOM);
                assert_ptr_equal(out, (char *) 0x1); /* untouched */
        }
        /* Parsed from text too. */
        _cleanup_json_ json_t *p = parse_ok("{\"n\": 9007199254740993}");
        char *out = NULL;
        assert_int_equal(permit_json_canonical(p, &out, NULL), -EDOM);
        assert_null(out);
}

static void test_canonical_reals(void **state) {
        /* RFC 8785's own number examples are all reals to jansson. */
        static const char *const reals[] = {
                "{\"n\": 333333333.33333329}", "{\"n\": 1E30}", "{\"n\": 4.50}", "{\"n\": 2e-3}",
                "{\"n\": 0.000000000000000000000000001}", "{\"n\": 1.0}", "{\"n\": 1e2}", "{\"a\": [1, {\"b\": 0.5}]}",
        };
        for (size_t i = 0; i < ELEMENTSOF(reals); i++) {
                _cleanup_json_ json_t *v = parse_ok(reals[i]);
                char *out = NULL;

                assert_true(json_is_object(v));
                if (permit_json_canonical(v, &out, NULL) != -EDOM)
                        fail_msg("%s: not refused with -EDOM", reals[i]);
                assert_null(out);
        }
}

static void test_canonical_other_values(void **state) {
        _cleanup_json_ json_t *s = json_string("x/\xc3\xa9");
        _cleanup_json_ json_t *a = json_pack("[bbn]", 1, 0);
        _cleanup_free_ char *o1 = NULL, *o2 = NULL;
        char *out = NULL;

        /* Not just objects. */
        assert_int_equal(canonical_of(s, &o1), 0);
        assert_string_equal(o1, "\"x/\xc3\xa9\"");
        assert_int_equal(canonical_of(a, &o2), 0);
        assert_string_equal(o2, "[true,false,null]");
        assert_int_equal(permit_json_canonical(NULL, &out, NULL), -EINVAL);
        assert_null(out);
}

/* n containers inside each other, innermost holding 1. */
static json_t *nest(size_t n) {
        json_t *v = json_integer(1);

        for (size_t i = 0; i < n; i++) {
                json_t *c = (i % 2) ? json_object() : json_array();
                assert_non_null(c);
                if (json_is_object(c))
                        json_object_set_new(c, "k", v);
                else
                        json_array_append_new(c, v);
                v = c;
        }
        return v;
}

static void test_canonical_depth(void **state) {
        size_t ok_depth = 0;

        /* Shallow nesting prints; deep nesting is refused with -ELOOP. */
        for (size_t n = 1; n <= 1000; n++) {
                _cleanup_json_ json_t *v = nest(n);
                _cleanup_free_ char *out = NULL, *expected = NULL;
                int r = canonical_of(v, &out);

                if (r == 0) {
                        assert_int_equal(ok_depth, n - 1); /* no gaps */
                        ok_depth = n;
                        /* [{"k":[{"k":...[1]...}]}] from the inside out */
                        expected = strdup("1");
                        for (size_t i = 0; i < n; i++) {
                                char *e = NULL;
                                assert_true(asprintf(&e, i % 2 ? "{\"k\":%s}" : "[%s]", expected) > 0);
                                free(expected);
                                expected = e;
                        }
                        assert_string_equal(out, expected);
                } else {
                        assert_int_equal(r, -ELOOP);
                        assert_null(out);
                }
        }
        assert_true(ok_depth >= 32);
        assert_true(ok_depth < 1000);
        printf("# canonical form nests up to %zu containers\n", ok_depth);
}

/* --- permit_json_path_* -------------------------------------------------- */

static void test_path(void **state) {
        char buf[64], tiny[8];

        permit_json_path_key(buf, sizeof(buf), NULL, "id");
        assert_string_equal(buf, "id");
        permit_json_path_key(buf, sizeof(buf), "", "id");
        assert_string_equal(buf, "id");
        permit_json_path_key(buf, sizeof(buf), "limits", "memory_mb");
        assert_string_equal(buf, "limits.memory_mb");
        permit_json_path_index(buf, sizeof(buf), "capabilities", 2);
        assert_string_equal(buf, "capabilities[2]");
        permit_json_path_key(buf, sizeof(buf), "capabilities[2]", "id");
        assert_string_equal(buf, "capabilities[2].id");
        permit_json_path_index(buf, sizeof(buf), NULL, 0);
        assert_string_equal(buf, "[0]");
        permit_json_path_index(buf, sizeof(buf), "", 18446744073709551615ULL);
        assert_string_equal(buf, "[18446744073709551615]");
        permit_json_path_index(buf, sizeof(buf), "a[1]", 3);
        assert_string_equal(buf, "a[1][3]");

        /* Truncated, always terminated, never past the buffer. */
        memset(tiny, 'X', sizeof(tiny));
        permit_json_path_key(tiny, 5, "capabilities", "id");
        assert_string_equal(tiny, "capa");
        assert_int_equal(tiny[5], 'X');
        permit_json_path_index(tiny, 6, "capabilities", 12);
        assert_string_equal(tiny, "capab");
        assert_int_equal(tiny[6], 'X');
        permit_json_path_index(tiny, 1, "x", 1);
        assert_string_equal(tiny, "");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_ok),
                cmocka_unit_test(test_parse_duplicates),
                cmocka_unit_test(test_parse_bad_utf8),
                cmocka_unit_test(test_parse_nul),
                cmocka_unit_test(test_parse_trailing),
                cmocka_unit_test(test_parse_not_object),
                cmocka_unit_test(test_parse_position),
                cmocka_unit_test(test_parse_deep),
                cmocka_unit_test(test_canonical_rfc8785_sorting),
                cmocka_unit_test(test_canonical_rfc8785_strings),
                cmocka_unit_test(test_canonical_sorting),
                cmocka_unit_test(test_canonical_control_characters),
                cmocka_unit_test(test_canonical_literal_characters),
                cmocka_unit_test(test_canonical_integers),
                cmocka_unit_test(test_canonical_reals),
                cmocka_unit_test(test_canonical_other_values),
                cmocka_unit_test(test_canonical_depth),
                cmocka_unit_test(test_path),
        };
        return cmocka_run_group_tests_name("common-json", tests, NULL, NULL);
}
