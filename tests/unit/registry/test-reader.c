/* SPDX-License-Identifier: MIT */
/* The index reader is permit's own JSON reader: JSON as RFC 8259 and
 * jansson read it (whitespace, escapes, UTF-8, no duplicates, nothing
 * after the document), checked case by case, and against jansson on every
 * single-byte change of a valid index: whatever the reader accepts,
 * jansson parses too (and under ASan, nothing it is fed crashes it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>

#include "registry-test.h"
#include "util.h"

static rt_keys k;
static char *entry_a; /* org.example.a 1.0.0 */

static int setup(void **state) {
        (void) state;
        rt_keys_make(&k);
        entry_a = rt_entry("org.example.a", "1.0.0", k.dev_pk, k.reg_sk,
                           "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        return 0;
}

static int teardown(void **state) {
        (void) state;
        free(entry_a);
        rt_keys_free(&k);
        return 0;
}

static int parse(const char *text, permit_error *err) {
        permit_index *idx = NULL;
        int r = permit_index_parse(text, strlen(text), &idx, err);

        permit_index_free(idx);
        return r;
}

/* The document with packages and revoked given as text. */
static char *doc(const char *packages, const char *revoked) {
        return rt_index(1, 100, 200, packages, revoked);
}

static void test_json_forms_accepted(void **state) {
        _cleanup_free_ char *p = NULL, *t = NULL, *spaced = NULL;
        permit_index *idx = NULL;
        permit_index_entry e;
        const char *reason = NULL;
        permit_error err = { 0 };

        (void) state;
        /* An id written with escapes is the same id. */
        assert_true(asprintf(&p, "{\"org.example\\u002ea\":[%s]}", entry_a) > 0);
        t = doc(p, "{\"keys\":[{\"key_id\":\"0123456789ABCDEF\",\"reason\":\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\/\","
                   "\"revoked_at\":1}],\"packages\":[]}");
        assert_int_equal(permit_index_parse(t, strlen(t), &idx, &err), 0);
        assert_int_equal(permit_index_find(idx, "org.example.a", NULL, &e), 0);
        assert_true(permit_index_key_revoked(idx, "0123456789abcdef", &reason));
        assert_string_equal(reason, "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" /");
        permit_index_free(idx);

        /* Whitespace wherever JSON allows it. */
        spaced = strdup(" \r\n\t{ \"format\" : 1 , \"registry\":\"t\",\"version\" :1,\"issued\":1,\"expires\":2,"
                        "\"packages\" : { } , \"revoked\" : { \"keys\" : [ ] , \"packages\" : [ ] } } \n\n");
        assert_int_equal(parse(spaced, &err), 0);
}

static void expect_invalid(const char *text, const char *words) {
        permit_error err = { 0 };
        int r = parse(text, &err);

        if (r != -EINVAL || !strstr(err.text, words))
                fail_msg("%s\n -> %d '%s: %s' (want '%s')", text, r, err.path, err.text, words);
}

static void test_json_refused(void **state) {
        _cleanup_free_ char *p = NULL;
        char *t;

        (void) state;
        expect_invalid("", "expected '{'");
        expect_invalid("   ", "expected '{'");
        expect_invalid("\"s\"", "not a JSON object");
        expect_invalid("{\"format\":1", "expected ',' or '}'");
        expect_invalid("{\"format\":1,}", "expected a string");
        expect_invalid("{\"format\" 1}", "expected ':'");
        expect_invalid("{\"format\":01}", "leading zero");
        expect_invalid("{\"format\":-}", "invalid number");
        expect_invalid("{\"format\":1.}", "invalid number");
        expect_invalid("{\"format\":1e}", "invalid number");
        expect_invalid("{\"format\":1e3}", "must be an integer");
        expect_invalid("{\"format\":1.0}", "must be an integer");
        expect_invalid("{\"format\":true}", "must be an integer");
        expect_invalid("{\"format\":nope}", "invalid value");
        expect_invalid("{\"format\":12345678901234567890}", "must be an integer from 0 to 2^53");
        expect_invalid("{\"format\":1,\"format\":1}", "duplicate");
        expect_invalid("{\"form\\u0000at\":1}", "\\u0000");
        expect_invalid("{\"a\\x\":1}", "invalid escape");
        expect_invalid("{\"a\\u12\":1}", "invalid \\u escape");
        expect_invalid("{\"a\\ud800\":1}", "lone high surrogate");
        expect_invalid("{\"a\\udc00\":1}", "lone low surrogate");
        expect_invalid("{\"a\\ud800\\u0041\":1}", "bad surrogate pair");
        expect_invalid("{\"a\tb\":1}", "control character");
        expect_invalid("{\"a\xff\":1}", "invalid UTF-8");
        expect_invalid("{\"a\xc0\xaf\":1}", "invalid UTF-8"); /* overlong '/' */
        expect_invalid("{\"a\xed\xa0\x80\":1}", "invalid UTF-8"); /* a surrogate */
        expect_invalid("{\"a", "unterminated string");

        t = doc(NULL, NULL);
        {
                _cleanup_free_ char *trailing = NULL;
                assert_true(asprintf(&trailing, "%s{}", t) > 0);
                expect_invalid(trailing, "end of file expected");
        }
        free(t);
        /* Duplicates at every level. */
        assert_true(asprintf(&p, "{\"org.example.a\":[%s],\"org.example.a\":[%s]}", entry_a, entry_a) > 0);
        t = doc(p, NULL);
        expect_invalid(t, "duplicate");
        free(t);
        free(p);
        p = NULL;
        {
                _cleanup_free_ char *dup = strdup(entry_a);
                char *v = strstr(dup, "\"added\":1");
                assert_non_null(v);
                memcpy(v, "\"size\":11", 9); /* the entry now has size twice */
                assert_true(asprintf(&p, "{\"org.example.a\":[%s]}", dup) > 0);
                t = doc(p, NULL);
                expect_invalid(t, "duplicate");
                free(t);
        }
        t = doc(NULL, "{\"keys\":[],\"keys\":[],\"packages\":[]}");
        expect_invalid(t, "duplicate");
        free(t);
        t = doc(NULL, "{\"keys\":[],\"packages\":[{\"seal_digest\":\"x\",\"seal_digest\":\"y\"}]}");
        expect_invalid(t, "duplicate");
        free(t);
        /* A non-canonical base64 countersignature (stray bits). */
        {
                _cleanup_free_ char *e = strdup(entry_a);
                char *cs = strstr(e, "\"countersignature\":\"") + 20;
                cs[85] = 'B'; /* before "==": its 4 unused bits are not 0 */
                free(p);
                assert_true(asprintf(&p, "{\"org.example.a\":[%s]}", e) > 0);
                t = doc(p, NULL);
                expect_invalid(t, "not a base64 Ed25519 signature");
                free(t);
        }
}

/* Every byte of a valid index changed to each of a few values: the reader
 * accepts only what jansson parses, and never crashes. The copy has no
 * NUL after it (a client's buffer need not), so under ASan any read past
 * the end is caught. Also every prefix of the index. */
static void test_against_jansson(void **state) {
        static const char values[] = { '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '0', '9', '-', 'e', '.', 'a',
                                       'u', '\0', '\n', (char) 0x80, (char) 0xff };
        _cleanup_free_ char *p = NULL, *t = NULL, *copy = NULL;
        size_t len, accepted = 0, n = 0;

        (void) state;
        assert_true(asprintf(&p, "{\"org.example.a\":[%s]}", entry_a) > 0);
        t = doc(p, "{\"keys\":[{\"key_id\":\"0123456789ABCDEF\",\"reason\":\"r\\u00e9\",\"revoked_at\":1}],"
                   "\"packages\":[]}");
        len = strlen(t);
        copy = malloc(len);
        assert_non_null(copy);
        /* Every prefix short of the closing brace (the text ends "}\n"). */
        for (size_t i = 0; i + 1 < len; i++) {
                _cleanup_free_ char *prefix = malloc(i ? i : 1);
                assert_non_null(prefix);
                memcpy(prefix, t, i);
                assert_int_equal(permit_index_parse(prefix, i, &(permit_index *) { NULL }, NULL), -EINVAL);
        }
        for (size_t i = 0; i < len; i++)
                for (size_t v = 0; v < sizeof(values); v++) {
                        permit_index *idx = NULL;
                        int r;

                        memcpy(copy, t, len);
                        if (copy[i] == values[v])
                                continue;
                        copy[i] = values[v];
                        r = permit_index_parse(copy, len, &idx, NULL);
                        n++;
                        if (r == 0) {
                                json_error_t jerr;
                                json_t *j = json_loadb(copy, len, JSON_REJECT_DUPLICATES, &jerr);
                                if (!j)
                                        fail_msg("byte %zu = 0x%02x: the reader accepts what jansson refuses (%s)", i,
                                                 (unsigned char) values[v], jerr.text);
                                json_decref(j);
                                permit_index_free(idx);
                                accepted++;
                        } else
                                assert_int_equal(r, -EINVAL);
                }
        printf("# %zu changed documents, %zu accepted (all parsed by jansson too)\n", n, accepted);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_json_forms_accepted),
                cmocka_unit_test(test_json_refused),
                cmocka_unit_test(test_against_jansson),
        };
        return cmocka_run_group_tests_name("registry index reader", tests, setup, teardown);
}
