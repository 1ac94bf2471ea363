/* SPDX-License-Identifier: MIT */
/* Wycheproof's Ed25519 verification vectors through permit_pubkey_verify():
 * every "valid" one verifies, every "invalid" one is refused, and every one
 * of the file's numberOfTests is looked at. A signature that is not 64
 * bytes long cannot reach permit_pubkey_verify() (its type is 64 bytes, and
 * the minisig parser insists on 64), so it counts as refused. Any vector
 * where the verdict differs from Wycheproof's fails the test, by tcId. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>

#include "permit/keys.h"
#include "signer/keys-private.h"
#include "signer-test.h"
#include "util.h"

static const char *member_string(json_t *o, const char *key) {
        const char *s = json_string_value(json_object_get(o, key));

        assert_non_null(s);
        return s;
}

static void test_wycheproof(void **state) {
        static const uint8_t id[PERMIT_KEY_ID_SIZE] = { 0 };
        char *path = test_external("wycheproof/ed25519_test.json");
        json_error_t jerr;
        json_t *root, *groups, *group;
        size_t gi, seen = 0, valid_ok = 0, invalid_refused = 0, short_sigs = 0, disagreements = 0;

        (void) state;
        root = json_load_file(path, 0, &jerr);
        if (!root)
                fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
        assert_string_equal(member_string(root, "algorithm"), "EDDSA");
        groups = json_object_get(root, "testGroups");
        assert_true(json_is_array(groups));

        json_array_foreach(groups, gi, group) {
                json_t *key = json_object_get(group, "publicKey"), *tests = json_object_get(group, "tests"), *t;
                uint8_t pub[32];
                permit_pubkey *pk = NULL;
                size_t ti;

                assert_string_equal(member_string(key, "curve"), "edwards25519");
                assert_int_equal(test_unhex(pub, sizeof(pub), member_string(key, "pk")), 0);
                assert_int_equal(permit_pubkey_from_raw(id, pub, &pk), 0);

                json_array_foreach(tests, ti, t) {
                        const char *msg_hex = member_string(t, "msg"), *sig_hex = member_string(t, "sig");
                        const char *result = member_string(t, "result");
                        json_int_t tc = json_integer_value(json_object_get(t, "tcId"));
                        size_t msg_len = strlen(msg_hex) / 2;
                        uint8_t *msg = malloc(msg_len + 1), sig[PERMIT_SIGNATURE_SIZE];
                        bool expect_valid, verified = false;

                        assert_non_null(msg);
                        assert_true(streq(result, "valid") || streq(result, "invalid"));
                        expect_valid = streq(result, "valid");
                        assert_int_equal(test_unhex(msg, msg_len, msg_hex), 0);
                        if (strlen(sig_hex) == 2 * PERMIT_SIGNATURE_SIZE) {
                                int r;

                                assert_int_equal(test_unhex(sig, sizeof(sig), sig_hex), 0);
                                r = permit_pubkey_verify(pk, sig, msg, msg_len);
                                assert_true(r == 0 || r == -EBADMSG);
                                verified = r == 0;
                        } else
                                short_sigs++;

                        if (verified != expect_valid) {
                                disagreements++;
                                print_error("tcId %lld (%s): Wycheproof says %s, permit %s\n", (long long) tc,
                                            json_string_value(json_object_get(t, "comment")), result,
                                            verified ? "accepts" : "refuses");
                        } else if (expect_valid)
                                valid_ok++;
                        else
                                invalid_refused++;
                        seen++;
                        free(msg);
                }
                permit_pubkey_free(pk);
        }

        printf("# wycheproof ed25519: %zu vectors, %zu valid verified, %zu invalid refused "
                      "(%zu of them not 64 bytes long), %zu disagreements\n",
                      seen, valid_ok, invalid_refused, short_sigs, disagreements);
        assert_int_equal(seen, (size_t) json_integer_value(json_object_get(root, "numberOfTests")));
        assert_int_equal(seen, 151);
        assert_int_equal(disagreements, 0);
        json_decref(root);
        free(path);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_wycheproof),
        };
        return cmocka_run_group_tests_name("signer-wycheproof", tests, NULL, NULL);
}
