/* SPDX-License-Identifier: MIT */
/* Every single-byte change of a small signed index is refused: each byte
 * of index.json XORed with each of 0x01, 0x20 and 0xff, and each byte of
 * the signed lines of index.json.sig (the untrusted comment is not signed,
 * as in minisign, and changing it is accepted). Every truncation of either
 * file is refused: under the original signature as a bad signature, and,
 * signed again, by the parser (only the cut of the final newline is the
 * same index). Structural mutations, each validly signed, are refused by
 * the parser with a message: duplicate keys, the same add-on or version
 * twice, wrong types, another format, huge and negative numbers, unknown
 * and missing fields, malformed digests, key ids and countersignatures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "registry-test.h"
#include "tests/unit/test-files.h"
#include "util.h"

static rt_keys k;
static char *text, *sig;
static size_t sig_len;

static int setup(void **state) {
        _cleanup_free_ char *e1 = NULL, *e2 = NULL, *pkgs = NULL;
        char dev_id[PERMIT_KEY_ID_STRING_SIZE];
        _cleanup_free_ char *revoked = NULL;

        (void) state;
        rt_keys_make(&k);
        e1 = rt_entry("org.example.a", "1.0.0", k.dev_pk, k.reg_sk,
                      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        e2 = rt_entry("org.example.a", "1.1.0", k.dev_pk, k.reg_sk,
                      "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
        assert_true(asprintf(&pkgs, "{\"org.example.a\":[%s,%s]}", e1, e2) > 0);
        permit_pubkey_id_string(k.dev2_pk, dev_id);
        assert_true(asprintf(&revoked,
                             "{\"keys\":[{\"key_id\":\"%s\",\"reason\":\"lost\",\"revoked_at\":9}],\"packages\":[]}",
                             dev_id) > 0);
        text = rt_index(5, RT_NOW - 10, RT_EXPIRES, pkgs, revoked);
        sig = rt_sign(k.reg_sk, text, &sig_len);
        return 0;
}

static int teardown(void **state) {
        (void) state;
        free(text);
        free(sig);
        rt_keys_free(&k);
        return 0;
}

static int verify(const char *t, size_t len, const char *s, size_t slen) {
        permit_index *idx = NULL;
        permit_error err = { 0 };
        int r = permit_index_verify(t, len, s, slen, k.reg_pk, 5, RT_NOW, &idx, &err);

        if (r == 0)
                permit_index_free(idx);
        else if (!err.text[0])
                fail_msg("refused (%d) without saying why", r);
        return r;
}

static void test_untouched_verifies(void **state) {
        (void) state;
        assert_int_equal(verify(text, strlen(text), sig, sig_len), 0);
}

static void test_index_byte_flips(void **state) {
        static const uint8_t masks[] = { 0x01, 0x20, 0xff };
        size_t len = strlen(text), n = 0;
        _cleanup_free_ char *copy = malloc(len + 1);

        (void) state;
        assert_non_null(copy);
        for (size_t i = 0; i < len; i++)
                for (size_t m = 0; m < ELEMENTSOF(masks); m++) {
                        int r;

                        memcpy(copy, text, len + 1);
                        copy[i] = (char) (copy[i] ^ masks[m]);
                        r = verify(copy, len, sig, sig_len);
                        if (r != -EBADMSG)
                                fail_msg("byte %zu ^ 0x%02x: %d, not -EBADMSG", i, masks[m], r);
                        n++;
                }
        /* Cut off and extended. */
        assert_int_equal(verify(text, len - 1, sig, sig_len), -EBADMSG);
        memcpy(copy, text, len);
        assert_int_equal(verify(copy, len, sig, sig_len), 0);
        printf("# %zu changed indexes of %zu bytes, all refused\n", n, len);
}

static void test_signature_byte_flips(void **state) {
        _cleanup_free_ char *copy = malloc(sig_len + 1);
        size_t comment_end = (size_t) (strchr(sig, '\n') - sig), refused = 0, accepted = 0;

        (void) state;
        assert_non_null(copy);
        for (size_t i = 0; i < sig_len; i++) {
                int r;

                memcpy(copy, sig, sig_len + 1);
                copy[i] = (char) (copy[i] ^ 0x01);
                r = verify(text, strlen(text), copy, sig_len);
                if (i < comment_end) {
                        /* The untrusted comment: not signed, by design. A
                         * flip that breaks the line prefix is refused. */
                        if (r == 0)
                                accepted++;
                        else
                                assert_int_equal(r, -EINVAL);
                        continue;
                }
                if (r == 0)
                        fail_msg("signature byte %zu ('%c') flipped: accepted", i, sig[i]);
                refused++;
        }
        printf("# %zu signed-line flips refused, %zu untrusted-comment flips accepted\n", refused, accepted);
}

/* Verified under a signature made over exactly these bytes. */
static int verify_signed(const char *t, size_t len, permit_error *err) {
        _cleanup_free_ char *copy = strndup(t, len), *s = NULL;
        permit_index *idx = NULL;
        size_t slen = 0;
        int r;

        assert_non_null(copy);
        s = rt_sign(k.reg_sk, copy, &slen);
        r = permit_index_verify(copy, len, s, slen, k.reg_pk, 5, RT_NOW, &idx, err);
        permit_index_free(idx);
        return r;
}

static void test_truncations(void **state) {
        size_t len = strlen(text);

        (void) state;
        for (size_t n = 0; n < len; n++) {
                permit_error err = { 0 };
                int r = verify(text, n, sig, sig_len);
                if (r != -EBADMSG)
                        fail_msg("index cut to %zu bytes: %d, not -EBADMSG", n, r);
                r = verify_signed(text, n, &err);
                if (n == len - 1 && text[n] == '\n')
                        assert_int_equal(r, 0); /* only the final newline cut: the same index */
                else if (r != -EINVAL || !err.text[0])
                        fail_msg("index cut to %zu bytes, signed: %d '%s', not -EINVAL", n, r, err.text);
        }
        for (size_t n = 0; n < sig_len; n++)
                if (verify(text, len, sig, n) == 0 && !(n == sig_len - 1 && sig[n] == '\n'))
                        fail_msg("signature cut to %zu bytes: accepted", n);
        printf("# %zu truncations of index.json, %zu of index.json.sig, all refused (but the cut of a final newline)\n", len, sig_len);
}

static void test_structural(void **state) {
        const char *e1 = strstr(text, "[{") + 1, *e2 = strstr(e1, "},{") + 2, *end = strstr(e2, "}]") + 1;
        _cleanup_free_ char *entry1 = strndup(e1, (size_t) (e2 - 1 - e1)), *entry2 = strndup(e2, (size_t) (end - e2));
        _cleanup_free_ char *list = NULL, *twice_id = NULL, *twice_version = NULL, *reversed = NULL;
        size_t n = 0;

        (void) state;
        assert_true(asprintf(&list, "[%s,%s]", entry1, entry2) > 0);
        assert_non_null(strstr(text, list));
        assert_true(asprintf(&twice_id, "\"packages\":{\"org.example.a\":[%s],", entry1) > 0);
        assert_true(asprintf(&twice_version, "[%s,%s]", entry1, entry1) > 0);
        assert_true(asprintf(&reversed, "[%s,%s]", entry2, entry1) > 0);
        const struct {
                const char *what, *from, *to;
        } ms[] = {
                { "format twice", "\"format\":1,", "\"format\":1,\"format\":1," },
                { "the same add-on twice", "\"packages\":{", twice_id },
                { "the same version twice", list, twice_version },
                { "versions not in order", list, reversed },
                { "format 2", "\"format\":1", "\"format\":2" },
                { "format a string", "\"format\":1", "\"format\":\"1\"" },
                { "version past uint64", "\"version\":5,", "\"version\":18446744073709551616," },
                { "version negative", "\"version\":5,", "\"version\":-5," },
                { "version real", "\"version\":5,", "\"version\":5.0," },
                { "size negative", "\"size\":1234", "\"size\":-1" },
                { "size a string", "\"size\":1234", "\"size\":\"1234\"" },
                { "size in exponent form", "\"size\":1234", "\"size\":1e3" },
                { "a path out of its place", "\"path\":\"packages/org.example.a/1.0.0.zip\"",
                  "\"path\":\"packages/org.example.a/../1.0.0.zip\"" },
                { "an unknown field", "\"format\":1,", "\"format\":1,\"extra\":true," },
                { "an unknown field in an entry", "\"size\":", "\"mirror\":\"x\",\"size\":" },
                { "a missing field", "\"issued\":", "\"issuedx\":" },
                { "revoked an array", "\"revoked\":{", "\"revoked\":[],\"x\":{" },
                { "packages an array", "\"packages\":{", "\"packages\":[],\"x\":{" },
                { "a countersignature malformed", "\"countersignature\":\"", "\"countersignature\":\"!" },
                { "a key id malformed", "\"key_id\":\"", "\"key_id\":\"0" },
                { "a digest not hex", "\"digest\":\"0", "\"digest\":\"G" },
                { "NUL in the registry name", "\"registry\":\"test\"", "\"registry\":\"te\\u0000st\"" },
                { "trailing data", "}\n", "}{}\n" },
        };
        for (size_t i = 0; i < ELEMENTSOF(ms); i++) {
                _cleanup_free_ char *m = test_replace_first(text, ms[i].from, ms[i].to);
                permit_error err = { 0 };
                int r = verify_signed(m, strlen(m), &err);
                if (r != -EINVAL || !err.text[0])
                        fail_msg("%s: %d '%s', not refused as an invalid index", ms[i].what, r, err.text);
                n++;
        }
        printf("# %zu structural mutations, each signed, all refused\n", n);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_untouched_verifies),
                cmocka_unit_test(test_index_byte_flips),
                cmocka_unit_test(test_signature_byte_flips),
                cmocka_unit_test(test_truncations),
                cmocka_unit_test(test_structural),
        };
        return cmocka_run_group_tests_name("registry index tamper", tests, setup, teardown);
}
