/* SPDX-License-Identifier: MIT */
/* common/json-reader.c, permit's one strict JSON pull reader (the store's
 * files, the registry index): every error path, case by case, with the
 * text, the path and the position it reports; every truncation of sample
 * documents; and a differential test against jansson (with
 * JSON_REJECT_DUPLICATES, as permit_json_parse() reads): a walker built on
 * the reader turns a document into a jansson tree, and on every one-byte
 * change of sample documents both must accept the same documents and read
 * them to equal trees. Inputs are copied to buffers of their exact length
 * with no NUL after them, so under ASan a read past the end is caught. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "json-private.h"
#include "json-reader-private.h"

/* ---- a generic walker: any JSON document into a jansson tree ---- */

#include "tests/fuzz/json-walk.h"

/* The whole document, copied to a buffer of exactly len bytes. */
static int walk_doc(const char *s, size_t len, json_t **ret, permit_error *error) {
        char *copy = malloc(len ? len : 1);
        int k;

        assert_non_null(copy);
        memcpy(copy, s, len);
        k = json_walk_doc(copy, len, ret, error);
        free(copy);
        return k;
}

/* Refused with text containing words, at path (NULL: any), at line:column
 * (0: any). */
static void refused_at(const char *s, size_t len, const char *words, const char *path, int line, int column) {
        permit_error e = { 0 };
        int k = walk_doc(s, len, NULL, &e);

        if (k != -EINVAL || !strstr(e.text, words) || (path && strcmp(e.path, path) != 0) ||
            (line && (e.line != line || e.column != column)))
                fail_msg("'%.*s' -> %d '%s' at '%s' %d:%d (want '%s' at '%s' %d:%d)", (int) len, s, k, e.text, e.path,
                         e.line, e.column, words, path ? path : "*", line, column);
}

static void refused(const char *s, const char *words) {
        refused_at(s, strlen(s), words, NULL, 0, 0);
}

static void accepted(const char *s) {
        permit_error e = { 0 };
        if (walk_doc(s, strlen(s), NULL, &e) < 0)
                fail_msg("'%s' refused: %s at '%s'", s, e.text, e.path);
}

/* ---- error paths, case by case ---- */

static void init(permit_json_reader *r, const char *s, permit_error *e) {
        permit_json_reader_init(r, s, strlen(s), e);
}

static void test_utf8(void **state) {
        (void) state;
        accepted("[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"]");
        refused("[\"\xff\"]", "invalid UTF-8");
        refused("[\"\x80\"]", "invalid UTF-8");             /* a continuation byte first */
        refused("[\"\xc0\xaf\"]", "invalid UTF-8");         /* overlong '/' */
        refused("[\"\xe0\x80\xaf\"]", "invalid UTF-8");     /* overlong, 3 bytes */
        refused("[\"\xed\xa0\x80\"]", "invalid UTF-8");     /* an encoded surrogate */
        refused("[\"\xf4\x90\x80\x80\"]", "invalid UTF-8"); /* past U+10FFFF */
        refused("[\"\xf8\x88\x80\x80\x80\"]", "invalid UTF-8");
        refused("[\"\xc3\"]", "invalid UTF-8");             /* cut short before the quote */
        refused_at("[\"\xe2\x82", 4, "invalid UTF-8", "[0]", 1, 3); /* cut short at the end of the input */
        refused("\xc3\xa9", "invalid value");               /* outside a string */
        refused("{\"\xff\":1}", "invalid UTF-8");           /* in a key */
}

static void test_escapes(void **state) {
        json_t *v = NULL;

        (void) state;
        {
                const char *doc = "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00\"]";
                assert_int_equal(walk_doc(doc, strlen(doc), &v, NULL), 0);
        }
        assert_string_equal(json_string_value(json_array_get(v, 0)),
                            "\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
        json_decref(v);
        refused("[\"\\x\"]", "invalid escape");
        refused("[\"\\U0041\"]", "invalid escape");
        refused("[\"\\u12\"]", "invalid \\u escape");
        refused("[\"\\u12g4\"]", "invalid \\u escape");
        refused("[\"\\u0000\"]", "\\u0000");
        refused("{\"a\\u0000b\":1}", "\\u0000");
        refused("[\"\\ud800\"]", "lone high surrogate");
        refused("[\"\\ud800x\"]", "lone high surrogate");
        refused("[\"\\udc00\"]", "lone low surrogate");
        refused("[\"\\ud800\\u0041\"]", "bad surrogate pair");
        refused("[\"\\ud800\\ud800\"]", "bad surrogate pair");
        refused("[\"\\ud800\\u12\"]", "invalid \\u escape");
        refused_at("[\"\\", 3, "unterminated string", "[0]", 1, 4);
        refused("[\"a\tb\"]", "control character");
        refused("[\"a\nb\"]", "control character");
        refused_at("[\"a\0b\"]", 7, "control character", "[0]", 1, 4);
        refused("[\"abc", "unterminated string");
}

static void test_numbers(void **state) {
        permit_json_reader r;
        permit_error e = { 0 };
        int64_t v;

        (void) state;
        accepted("[0, -0, 1, -1, 10, 9223372036854775807, -9223372036854775808, 1.5, -1.5e3, 1E+2, 2e-2, 1e-400]");
        refused("[01]", "leading zero");
        refused("[-01]", "leading zero");
        refused("[-]", "invalid number");
        refused("[1.]", "invalid number");
        refused("[1.e3]", "invalid number");
        refused("[1e]", "invalid number");
        refused("[1e+]", "invalid number");
        refused("[.5]", "invalid value");
        refused("[+1]", "invalid value");
        refused("[9223372036854775808]", "integer out of range");
        refused("[-9223372036854775809]", "integer out of range");
        refused("[1e400]", "real number out of range");
        refused("[-1e400]", "real number out of range");
        refused("[1.7976931348623159e308]", "real number out of range");
        accepted("[1.7976931348623157e308]");
        refused("[0x10]", "expected ',' or ']'");
        refused("[NaN]", "invalid value");

        /* int(): the caller's range; reals and other types are refused */
        init(&r, "[5, 1.0, true, 12345678901234567890, 9007199254740993, x]", &e);
        assert_int_equal(permit_json_reader_array_begin(&r, NULL), 0);
        assert_int_equal(permit_json_reader_element(&r, NULL), 1);
        assert_int_equal(permit_json_reader_int(&r, 6, 10, &v, NULL), -EINVAL);
        assert_string_equal(e.text, "out of range (must be an integer from 6 to 10)");
        assert_string_equal(e.path, "[0]");
        r.p = r.start + 1;
        assert_int_equal(permit_json_reader_int(&r, 0, 5, &v, NULL), 0);
        assert_int_equal(v, 5);
        assert_int_equal(permit_json_reader_element(&r, NULL), 1);
        assert_int_equal(permit_json_reader_int(&r, 0, 5, &v, "f"), -EINVAL);
        assert_string_equal(e.text, "must be an integer");
        assert_string_equal(e.path, "f");
        assert_int_equal(permit_json_reader_element(&r, NULL), 1);
        assert_int_equal(permit_json_reader_int(&r, 0, 5, &v, NULL), -EINVAL);
        assert_string_equal(e.text, "must be an integer");
        r.p += 4;
        assert_int_equal(permit_json_reader_element(&r, NULL), 1);
        assert_int_equal(permit_json_reader_int(&r, 0, INT64_C(9007199254740992), &v, NULL), -EINVAL);
        assert_string_equal(e.text, "out of range (must be an integer from 0 to 2^53)");
        assert_string_equal(e.path, "[3]");
        assert_int_equal(permit_json_reader_element(&r, NULL), 1);
        assert_int_equal(permit_json_reader_int(&r, 0, INT64_C(9007199254740992), &v, NULL), -EINVAL);
        assert_int_equal(permit_json_reader_element(&r, NULL), 1);
        assert_int_equal(permit_json_reader_int(&r, 0, 1, &v, NULL), -EINVAL);
        assert_string_equal(e.text, "invalid JSON: invalid value (expected an integer)");
}

static void test_depth(void **state) {
        char deep[2 * PERMIT_JSON_READER_MAX_DEPTH + 4];
        size_t n = PERMIT_JSON_READER_MAX_DEPTH;

        (void) state;
        memset(deep, '[', n);
        memset(deep + n, ']', n);
        accepted((deep[2 * n] = '\0', deep));
        memset(deep, '[', n + 1);
        memset(deep + n + 1, ']', n + 1);
        deep[2 * n + 2] = '\0';
        refused(deep, "nested too deeply");
        /* objects count too; skip() holds its place in the reader's frames,
         * not on the stack */
        for (size_t depth = n; depth <= n + 1; depth++) {
                char *doc = malloc(6 * depth + 2), *o = doc;
                permit_json_reader r;
                permit_error e = { 0 };

                assert_non_null(doc);
                for (size_t i = 0; i < depth; i++, o += 5)
                        memcpy(o, "{\"a\":", 5);
                *o++ = '1';
                memset(o, '}', depth);
                permit_json_reader_init(&r, doc, 6 * depth + 1, &e);
                if (depth == n)
                        assert_int_equal(permit_json_reader_skip(&r, NULL), 0);
                else {
                        assert_int_equal(permit_json_reader_skip(&r, NULL), -EINVAL);
                        assert_string_equal(e.text, "nested too deeply");
                }
                free(doc);
        }
}

static void test_structure(void **state) {
        (void) state;
        refused_at("", 0, "unexpected end of file", "", 1, 1);
        refused("   ", "unexpected end of file");
        refused("{", "unexpected end of file, expected a string");
        refused("{\"a\"", "unexpected end of file, expected ':'");
        refused("{\"a\" 1}", "expected ':'");
        refused("{\"a\":1 \"b\":2}", "expected ',' or '}'");
        refused("{\"a\":1,}", "expected a string");
        refused("{1:2}", "expected a string");
        refused("[1 2]", "expected ',' or ']'");
        refused("[1,]", "invalid value");
        refused("[", "unexpected end of file");
        refused("[1", "unexpected end of file, expected ',' or ']'");
        refused("[tru]", "invalid value");
        refused("[nul]", "invalid value");
        refused("[True]", "invalid value");
        refused("{}}", "data after the end of the document");
        refused("{} {}", "end of file expected");
        refused("[]x", "data after the end");
        accepted(" \t\r\n{ \"a\" : [ 1 , { } , [ ] , \"s\" , true , false , null ] } \n");
        refused("\xef\xbb\xbf{}", "invalid value"); /* no byte order mark, as jansson */
        refused_at("[1]\0", 4, "data after the end", "", 1, 4);
}

/* Where an error is: the path of the value the reader stands in, or the
 * caller's, and the line and column. */
static void test_paths(void **state) {
        permit_json_reader r;
        permit_error e = { 0 };
        const char *doc = "{\"a\":[1,{\"b\\u00e9\":\n  [true, \"x\xff\"]}]}";
        char *s = NULL;
        bool b;

        (void) state;
        refused_at(doc, strlen(doc), "invalid UTF-8", "a[1].b\xc3\xa9[1]", 2, 12);
        refused_at("{\"a\":{\"x\":[1,2,{\"y\":nul}]}}", 27, "invalid value", "a.x[2].y", 1, 21);

        init(&r, "{\"a\":1,\"b\":\"s\",\"c\":2}", &e);
        assert_int_equal(permit_json_reader_object_begin(&r, NULL), 0);
        assert_int_equal(permit_json_reader_member(&r, &s, NULL), 1);
        assert_string_equal(s, "a");
        free(s);
        assert_int_equal(permit_json_reader_string(&r, &s, NULL), -EINVAL);
        assert_string_equal(e.text, "must be a string");
        assert_string_equal(e.path, "a");
        r.p++;
        assert_int_equal(permit_json_reader_member(&r, &s, NULL), 1);
        free(s);
        assert_int_equal(permit_json_reader_bool(&r, &b, "b.given"), -EINVAL);
        assert_string_equal(e.text, "must be true or false");
        assert_string_equal(e.path, "b.given");
        assert_int_equal(permit_json_reader_fail(&r, -EPROTO, NULL, "%s %d", "x", 1), -EPROTO);
        assert_string_equal(e.text, "x 1");
        assert_string_equal(e.path, "b");
        assert_int_equal(e.line, 1);
        assert_int_equal(e.column, 12);
        assert_int_equal(permit_json_reader_skip(&r, NULL), 0);
        assert_int_equal(permit_json_reader_skip(&r, NULL), -EINVAL); /* a ',' is no value */
        /* after the object closes, the path is its parent's again */
        assert_int_equal(permit_json_reader_member(&r, &s, NULL), 1);
        free(s);
        assert_int_equal(permit_json_reader_skip(&r, NULL), 0);
        assert_int_equal(permit_json_reader_member(&r, &s, NULL), 0);
        assert_int_equal(permit_json_reader_fail(&r, -EINVAL, NULL, "after"), -EINVAL);
        assert_string_equal(e.path, "");
        assert_int_equal(permit_json_reader_end(&r), 0);

        /* "not a JSON object" at the top, "must be an object" below it */
        init(&r, "[[]]", &e);
        assert_int_equal(permit_json_reader_object_begin(&r, NULL), -EINVAL);
        assert_string_equal(e.text, "not a JSON object");
        assert_int_equal(permit_json_reader_array_begin(&r, NULL), 0);
        assert_int_equal(permit_json_reader_element(&r, NULL), 1);
        assert_int_equal(permit_json_reader_object_begin(&r, NULL), -EINVAL);
        assert_string_equal(e.text, "must be an object");
        assert_string_equal(e.path, "[0]");
        /* the caller's mistakes: no object open, something still open */
        assert_int_equal(permit_json_reader_member(&r, &s, NULL), -EINVAL);
        assert_int_equal(permit_json_reader_end(&r), -EINVAL);
        /* no error asked for */
        permit_json_reader_init(&r, "x", 1, NULL);
        assert_int_equal(permit_json_reader_skip(&r, NULL), -EINVAL);
}

static void test_keys(void **state) {
        static const char *const names[] = { "version", "name" };
        permit_json_reader r;
        permit_error e = { 0 };
        char key[8], buf[4];
        uint32_t seen = 0;
        size_t len = 0;

        (void) state;
        init(&r, "{\"name\":\"abcd\",\"version\":1,\"name\":2}", &e);
        assert_int_equal(permit_json_reader_object_begin(&r, NULL), 0);
        assert_int_equal(permit_json_reader_field(&r, key, sizeof(key), &len, NULL), 1);
        assert_string_equal(key, "name");
        assert_int_equal(len, 4);
        assert_int_equal(permit_json_reader_key_index(&r, key, names, 2, &seen), 1);
        /* a string too long for the caller's buffer */
        assert_int_equal(permit_json_reader_string_to(&r, buf, sizeof(buf), &len, NULL), -E2BIG);
        assert_string_equal(e.text, "string too long");
        assert_string_equal(e.path, "name");
        init(&r, "{\"name\":\"abc\",\"version\":1,\"name\":2}", &e);
        seen = 0;
        assert_int_equal(permit_json_reader_object_begin(&r, NULL), 0);
        assert_int_equal(permit_json_reader_field(&r, key, sizeof(key), NULL, NULL), 1);
        assert_int_equal(permit_json_reader_key_index(&r, key, names, 2, &seen), 1);
        assert_int_equal(permit_json_reader_string_to(&r, buf, sizeof(buf), &len, NULL), 0);
        assert_string_equal(buf, "abc");
        assert_int_equal(permit_json_reader_field(&r, key, sizeof(key), NULL, NULL), 1);
        assert_int_equal(permit_json_reader_key_index(&r, key, names, 2, &seen), 0);
        assert_int_equal(permit_json_reader_skip(&r, NULL), 0);
        assert_int_equal(permit_json_reader_field(&r, key, sizeof(key), NULL, NULL), 1);
        /* a duplicate is reported as jansson reports it */
        assert_int_equal(permit_json_reader_key_index(&r, key, names, 2, &seen), -EINVAL);
        assert_string_equal(e.text, "invalid JSON: duplicate object key 'name'");
        assert_string_equal(e.path, "");
        /* a key longer than any field is an unknown field */
        init(&r, "{\"much_too_long\":1}", &e);
        assert_int_equal(permit_json_reader_object_begin(&r, NULL), 0);
        assert_int_equal(permit_json_reader_field(&r, key, sizeof(key), NULL, NULL), -EINVAL);
        assert_string_equal(e.text, "unknown field");
        init(&r, "{\"other\":1}", &e);
        assert_int_equal(permit_json_reader_object_begin(&r, NULL), 0);
        assert_int_equal(permit_json_reader_field(&r, key, sizeof(key), NULL, NULL), 1);
        assert_int_equal(permit_json_reader_key_index(&r, key, names, 2, &seen), -EINVAL);
        assert_string_equal(e.text, "unknown field");
        assert_string_equal(e.path, "other");
}

/* ---- against jansson ---- */

static const char *const samples[] = {
        "{\"version\":1,\"grants\":{\"org.a\":{\"name\":\"caf\\u00e9 \xe2\x82\xac\",\"decided_at\":5,"
        "\"capabilities\":{\"sys.notify\":{\"granted\":true,\"by\":\"user\"}}}}}\n",
        "[1,-0,2.5e-3,{\"a\":[null,false,\"\\ud83d\\ude00\\n\"]},\"\xf0\x9f\x98\x80\",[],{},-12]",
        " { \"k\" : [ { \"x\" : 1E2 } , \"\\\"q\\\\\" ] , \"n\" : 1234567 } ",
};

static size_t nul_quirks;

/* Accepted by both with equal trees, or refused by both. */
static bool same_as_jansson(const char *s, size_t len) {
        json_error_t jerr;
        json_t *j = json_loadb(s, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr), *v = NULL;
        permit_error e = { 0 };
        int k = walk_doc(s, len, &v, &e);
        bool ok;

        if (k < 0)
                assert_int_equal(k, -EINVAL);
        /* jansson 2.14 drops a NUL byte right after a number or a literal
         * ("[1\0]" parses as [1]); the reader does not. */
        if (j && k < 0 && memchr(s, '\0', len)) {
                nul_quirks++;
                json_decref(j);
                return false;
        }
        if (!j != (k < 0))
                fail_msg("'%.*s': jansson %s (%s), reader %d (%s at '%s' %d:%d)", (int) len, s,
                         j ? "accepts" : "refuses", j ? "" : jerr.text, k, e.text, e.path, e.line, e.column);
        ok = !j || json_equal(j, v);
        if (!ok)
                fail_msg("'%.*s': read differently from jansson", (int) len, s);
        json_decref(j);
        json_decref(v);
        return k >= 0;
}

static void test_against_jansson(void **state) {
        static const char values[] = { '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '0', '9', '-', '+', 'e', '.', 'a',
                                       'u', 't', 'n', '/', '\0', '\t', '\n', (char) 0x80, (char) 0xc3, (char) 0xed,
                                       (char) 0xff };
        size_t n = 0, same = 0;

        (void) state;
        for (size_t d = 0; d < ELEMENTSOF(samples); d++) {
                size_t len = strlen(samples[d]);
                char *copy = malloc(len);

                assert_non_null(copy);
                assert_true(same_as_jansson(samples[d], len));
                /* every prefix: refused unless what is left is a document */
                for (size_t i = 0; i < len; i++, n++)
                        same += same_as_jansson(samples[d], i);
                for (size_t i = 0; i < len; i++)
                        for (size_t v = 0; v < sizeof(values); v++) {
                                memcpy(copy, samples[d], len);
                                if (copy[i] == values[v])
                                        continue;
                                copy[i] = values[v];
                                same += same_as_jansson(copy, len);
                                n++;
                        }
                /* and every byte deleted */
                for (size_t i = 0; i < len; i++, n++) {
                        memcpy(copy, samples[d], i);
                        memcpy(copy + i, samples[d] + i + 1, len - i - 1);
                        same += same_as_jansson(copy, len - 1);
                }
                free(copy);
        }
        printf("# %zu changed documents: %zu accepted, all as jansson reads them, the rest refused by both "
               "(%zu with a NUL byte jansson drops)\n", n, same, nul_quirks);
}

/* Random bytes from JSON's alphabet: both agree on each. */
static void test_random_against_jansson(void **state) {
        static const char alphabet[] = "{}[]\",:\\ 0123456789-+.eEtrufalsn\xc3\xa9\x80\xff";
        char buf[24];
        size_t accepted_n = 0;

        (void) state;
        srand(11);
        for (int i = 0; i < 200000; i++) {
                size_t len = 1 + (size_t) rand() % sizeof(buf);
                for (size_t k = 0; k < len; k++)
                        buf[k] = alphabet[(size_t) rand() % (sizeof(alphabet) - 1)];
                accepted_n += same_as_jansson(buf, len);
        }
        printf("# 200000 random documents: %zu accepted by both, the rest refused by both\n", accepted_n);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_utf8),       cmocka_unit_test(test_escapes),
                cmocka_unit_test(test_numbers),    cmocka_unit_test(test_depth),
                cmocka_unit_test(test_structure),  cmocka_unit_test(test_paths),
                cmocka_unit_test(test_keys),       cmocka_unit_test(test_against_jansson),
                cmocka_unit_test(test_random_against_jansson),
        };
        return cmocka_run_group_tests_name("common-json-reader", tests, NULL, NULL);
}
