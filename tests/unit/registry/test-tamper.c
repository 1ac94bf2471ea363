/* SPDX-License-Identifier: MIT */
/* Every single-byte change of a small signed index is refused: each byte
 * of index.json XORed with each of 0x01, 0x20 and 0xff, and each byte of
 * the signed lines of index.json.sig (the untrusted comment is not signed,
 * as in minisign, and changing it is accepted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "registry-test.h"
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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_untouched_verifies),
                cmocka_unit_test(test_index_byte_flips),
                cmocka_unit_test(test_signature_byte_flips),
        };
        return cmocka_run_group_tests_name("registry index tamper", tests, setup, teardown);
}
