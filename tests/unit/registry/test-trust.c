/* SPDX-License-Identifier: MIT */
/* Countersignatures, rotation statements and the update rule: which key
 * may seal an add-on whose key is pinned, and every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "registry-test.h"
#include "tests/unit/seal/seal-test.h"
#include "util.h"

static rt_keys k;
static char dev_id[PERMIT_KEY_ID_STRING_SIZE], dev2_id[PERMIT_KEY_ID_STRING_SIZE], other_id[PERMIT_KEY_ID_STRING_SIZE];
static const char *ID = "org.example.word-of-the-day";
static const char *SD = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static int setup(void **state) {
        (void) state;
        rt_keys_make(&k);
        permit_pubkey_id_string(k.dev_pk, dev_id);
        permit_pubkey_id_string(k.dev2_pk, dev2_id);
        permit_pubkey_id_string(k.other_pk, other_id);
        return 0;
}

static int teardown(void **state) {
        (void) state;
        rt_keys_free(&k);
        return 0;
}

static void test_countersign(void **state) {
        char cs[PERMIT_COUNTERSIGNATURE_STRING_SIZE], bad[PERMIT_COUNTERSIGNATURE_STRING_SIZE];
        permit_error err = { 0 };

        (void) state;
        assert_int_equal(permit_countersign(k.reg_sk, ID, "1.2.0", SD, cs), 0);
        assert_int_equal(strlen(cs), 88);
        assert_int_equal(permit_countersign_verify(k.reg_pk, ID, "1.2.0", SD, cs, &err), 0);
        /* Each of the three fields, and the key. */
        assert_int_equal(permit_countersign_verify(k.reg_pk, "org.example.other", "1.2.0", SD, cs, &err), -EBADMSG);
        assert_int_equal(permit_countersign_verify(k.reg_pk, ID, "1.2.1", SD, cs, &err), -EBADMSG);
        assert_int_equal(permit_countersign_verify(k.reg_pk, ID, "1.2.0",
                                                   "1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                                                   cs, &err),
                         -EBADMSG);
        assert_int_equal(permit_countersign_verify(k.other_pk, ID, "1.2.0", SD, cs, &err), -EBADMSG);
        assert_string_equal(err.text, "not signed by the registry key");
        /* A flipped bit of the signature. */
        memcpy(bad, cs, sizeof(bad));
        bad[10] = bad[10] == 'A' ? 'B' : 'A';
        assert_int_equal(permit_countersign_verify(k.reg_pk, ID, "1.2.0", SD, bad, &err), -EBADMSG);
        /* Malformed inputs. */
        assert_int_equal(permit_countersign_verify(k.reg_pk, ID, "1.2.0", SD, "short", &err), -EINVAL);
        assert_int_equal(permit_countersign_verify(k.reg_pk, ID, "1.2.0", SD, NULL, &err), -EINVAL);
        assert_int_equal(permit_countersign_verify(NULL, ID, "1.2.0", SD, cs, &err), -EINVAL);
        assert_int_equal(permit_countersign_verify(k.reg_pk, "bad id", "1.2.0", SD, cs, &err), -EINVAL);
        assert_string_equal(err.path, "id");
        assert_int_equal(permit_countersign_verify(k.reg_pk, ID, "1.2", SD, cs, &err), -EINVAL);
        assert_string_equal(err.path, "version");
        assert_int_equal(permit_countersign_verify(k.reg_pk, ID, "1.2.0", "ABC", cs, &err), -EINVAL);
        assert_string_equal(err.path, "seal_digest");
        assert_int_equal(permit_countersign(k.reg_sk, "../x", "1.2.0", SD, cs), -EINVAL);
        assert_int_equal(permit_countersign(k.reg_sk, ID, "1.2.0", SD, NULL), -EINVAL);
        /* A countersignature is no seal or rotation signature: the domain
         * strings differ, so the same key's signature over the same bytes
         * under another domain does not verify. */
        {
                char msg[256];
                uint8_t sig[64];
                char b64[89];
                snprintf(msg, sizeof(msg), "permit-seal-v1\n{\"id\":\"%s\",\"seal_digest\":\"%s\",\"version\":\"1.2.0\"}",
                         ID, SD);
                assert_int_equal(permit_seckey_sign(k.reg_sk, msg, strlen(msg), sig), 0);
                sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
                assert_int_equal(permit_countersign_verify(k.reg_pk, ID, "1.2.0", SD, b64, &err), -EBADMSG);
        }
}

/* A rotation file: statements by (old sk -> new pk), for addons (NULL:
 * all). */
static permit_rotation *rotation(size_t n, const permit_seckey *const *old, const permit_pubkey *const *new_pk,
                                 const char *const *addons, size_t n_addons) {
        permit_rotation *rot = NULL;

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *text = NULL;
                permit_rotation *next = NULL;
                permit_error err = { 0 };
                size_t len;

                assert_int_equal(permit_rotation_add(rot, old[i], new_pk[i], addons, n_addons, RT_NOW, &text, &len,
                                                     &err),
                                 0);
                assert_int_equal(permit_rotation_parse(text, len, "permit.rotation", &next, &err), 0);
                assert_int_equal(permit_rotation_count(next), i + 1);
                permit_rotation_free(rot);
                rot = next;
        }
        return rot;
}

static void test_pinned_key(void **state) {
        permit_pubkey *key = NULL;
        permit_error err = { 0 };

        (void) state;
        assert_int_equal(permit_trust_check(ID, k.dev_pk, dev_id, NULL, &key, &err), PERMIT_TRUST_PINNED);
        assert_non_null(key);
        assert_memory_equal(permit_pubkey_id(key), permit_pubkey_id(k.dev_pk), 8);
        permit_pubkey_free(key);
        /* Lower-case id is not how the seal writes it. */
        assert_int_equal(permit_trust_check(ID, k.dev_pk, "abc", NULL, NULL, &err), -EINVAL);
        assert_int_equal(permit_trust_check(NULL, k.dev_pk, dev_id, NULL, NULL, &err), -EINVAL);
        assert_int_equal(permit_trust_check(ID, NULL, dev_id, NULL, NULL, &err), -EINVAL);
}

static void test_other_key_without_rotation(void **state) {
        permit_error err = { 0 };

        (void) state;
        assert_int_equal(permit_trust_check(ID, k.dev_pk, dev2_id, NULL, NULL, &err), -EKEYREJECTED);
        assert_non_null(strstr(err.text, "no rotation statement"));
}

static void test_rotation_accepted(void **state) {
        const permit_seckey *old[] = { k.dev_sk };
        const permit_pubkey *new_pk[] = { k.dev2_pk };
        const char *addons[] = { "org.example.other", ID };
        permit_rotation *rot = rotation(1, old, new_pk, addons, 2), *all = rotation(1, old, new_pk, NULL, 0);
        permit_pubkey *key = NULL;
        permit_error err = { 0 };

        (void) state;
        assert_int_equal(permit_trust_check(ID, k.dev_pk, dev2_id, rot, &key, &err), PERMIT_TRUST_ROTATED);
        assert_memory_equal(permit_pubkey_id(key), permit_pubkey_id(k.dev2_pk), 8);
        permit_pubkey_free(key);
        assert_int_equal(permit_trust_check(ID, k.dev_pk, dev2_id, all, NULL, &err), PERMIT_TRUST_ROTATED);
        /* The rotation does not hurt a package still sealed by the pinned key. */
        assert_int_equal(permit_trust_check(ID, k.dev_pk, dev_id, rot, NULL, &err), PERMIT_TRUST_PINNED);
        permit_rotation_free(rot);
        permit_rotation_free(all);
}

static void test_rotation_refused(void **state) {
        const permit_seckey *by_other[] = { k.other_sk }, *by_dev[] = { k.dev_sk };
        const permit_pubkey *to_dev2[] = { k.dev2_pk }, *to_other[] = { k.other_pk };
        const char *not_this[] = { "org.example.other" };
        permit_rotation *rot;
        permit_error err = { 0 };

        (void) state;
        /* Signed by the wrong key (not the pinned one). */
        rot = rotation(1, by_other, to_dev2, NULL, 0);
        assert_int_equal(permit_trust_check(ID, k.dev_pk, dev2_id, rot, NULL, &err), -EKEYREJECTED);
        assert_non_null(strstr(err.text, "not by the pinned key"));
        permit_rotation_free(rot);

        /* Names another key than the one that sealed the package. */
        rot = rotation(1, by_dev, to_other, NULL, 0);
        assert_int_equal(permit_trust_check(ID, k.dev_pk, dev2_id, rot, NULL, &err), -EKEYREJECTED);
        assert_non_null(strstr(err.text, "names key"));
        assert_non_null(strstr(err.text, other_id));
        permit_rotation_free(rot);

        /* Names other add-ons only. */
        rot = rotation(1, by_dev, to_dev2, not_this, 1);
        assert_int_equal(permit_trust_check(ID, k.dev_pk, dev2_id, rot, NULL, &err), -EKEYREJECTED);
        assert_non_null(strstr(err.text, "does not name add-on"));
        permit_rotation_free(rot);
}

/* A statement whose old_key_id claims the pinned key but whose signature is
 * another key's: a forged statement. */
static void test_rotation_forged_signature(void **state) {
        const permit_seckey *by_other[] = { k.other_sk };
        const permit_pubkey *to_dev2[] = { k.dev2_pk };
        permit_rotation *rot = rotation(1, by_other, to_dev2, NULL, 0), *forged = NULL;
        _cleanup_free_ char *text = NULL;
        permit_error err = { 0 };
        size_t len;
        char *at;

        (void) state;
        assert_int_equal(permit_rotation_add(NULL, k.other_sk, k.dev2_pk, NULL, 0, RT_NOW, &text, &len, &err), 0);
        at = strstr(text, other_id);
        assert_non_null(at);
        memcpy(at, dev_id, 16);
        assert_int_equal(permit_rotation_parse(text, len, NULL, &forged, &err), 0);
        assert_int_equal(permit_trust_check(ID, k.dev_pk, dev2_id, forged, NULL, &err), -EBADMSG);
        assert_non_null(strstr(err.text, "signature"));
        assert_string_equal(err.path, "statements[0]");
        permit_rotation_free(forged);
        permit_rotation_free(rot);
}

static void test_rotation_chain(void **state) {
        const permit_seckey *old[] = { k.dev_sk, k.dev2_sk };
        const permit_pubkey *new_pk[] = { k.dev2_pk, k.other_pk };
        permit_rotation *rot = rotation(2, old, new_pk, NULL, 0);
        _cleanup_free_ char *text = NULL;
        permit_pubkey *key = NULL;
        permit_error err = { 0 };
        size_t len;

        (void) state;
        /* Pinned at the start of the chain, or in its middle. */
        assert_int_equal(permit_trust_check(ID, k.dev_pk, other_id, rot, &key, &err), PERMIT_TRUST_ROTATED);
        assert_memory_equal(permit_pubkey_id(key), permit_pubkey_id(k.other_pk), 8);
        permit_pubkey_free(key);
        assert_int_equal(permit_trust_check(ID, k.dev2_pk, other_id, rot, NULL, &err), PERMIT_TRUST_ROTATED);
        /* A package sealed by the chain's middle key, for a user pinned at its start. */
        assert_int_equal(permit_trust_check(ID, k.dev_pk, dev2_id, rot, NULL, &err), PERMIT_TRUST_ROTATED);
        /* Extending the chain needs its last key. */
        assert_int_equal(permit_rotation_add(rot, k.dev_sk, k.reg_pk, NULL, 0, RT_NOW, &text, &len, &err),
                         -EKEYREJECTED);
        assert_non_null(strstr(err.text, "chain ends at key"));
        permit_rotation_free(rot);
}

static void test_rotation_parse_errors(void **state) {
        static const struct {
                const char *text, *path, *words;
        } cases[] = {
                { "[]", "", "not a JSON object" },
                { "{\"format\":2,\"statements\":[]}", "format", "unsupported" },
                { "{\"format\":1}", "statements", "missing" },
                { "{\"format\":1,\"statements\":[]}", "statements", "1 to 16" },
                { "{\"format\":1,\"statements\":[1]}", "statements[0]", "must be an object" },
                { "{\"format\":1,\"statements\":[],\"x\":1}", "x", "unknown field" },
                { "{\"format\":1,\"statements\":[{\"old_key_id\":\"0123\"}]}", "statements[0].old_key_id",
                  "16 upper-case" },
                { "{\"format\":1,\"statements\":[{\"old_key_id\":\"0123456789ABCDEF\",\"new_key\":\"RWx\"}]}",
                  "statements[0].new_key", "not a public key" },
        };
        permit_rotation *rot = NULL;
        permit_error err = { 0 };
        _cleanup_free_ char *big = calloc(1, PERMIT_ROTATION_MAX_SIZE + 2);

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int r = permit_rotation_parse(cases[i].text, strlen(cases[i].text), "permit.rotation", &rot, &err);
                if (r != -EINVAL || strcmp(err.path, cases[i].path) != 0 || !strstr(err.text, cases[i].words))
                        fail_msg("%s -> %d '%s' '%s'", cases[i].text, r, err.path, err.text);
                assert_string_equal(err.source, "permit.rotation");
        }
        /* Field by field on a real statement. */
        {
                _cleanup_free_ char *text = NULL, *bad = NULL;
                size_t len;
                static const struct {
                        const char *from, *to, *path, *words;
                } edits[] = {
                        { "\"all\"", "\"some\"", "statements[0].addons", "\"all\" or a list" },
                        { "\"all\"", "[]", "statements[0].addons", "1 to 64" },
                        { "\"all\"", "[\"../x\"]", "statements[0].addons[0]", "not a valid add-on id" },
                        { "\"created\": ", "\"created\": -", "statements[0].created", "positive" },
                        { "\"signature\": \"", "\"signature\": \"!", "statements[0].signature", "base64" },
                };
                assert_int_equal(permit_rotation_add(NULL, k.dev_sk, k.dev2_pk, NULL, 0, RT_NOW, &text, &len, &err),
                                 0);
                for (size_t i = 0; i < ELEMENTSOF(edits); i++) {
                        char *at = strstr(text, edits[i].from);
                        int r;
                        assert_non_null(at);
                        free(bad);
                        assert_true(asprintf(&bad, "%.*s%s%s", (int) (at - text), text, edits[i].to,
                                             at + strlen(edits[i].from)) > 0);
                        r = permit_rotation_parse(bad, strlen(bad), NULL, &rot, &err);
                        if (r != -EINVAL || strcmp(err.path, edits[i].path) != 0 || !strstr(err.text, edits[i].words))
                                fail_msg("%s -> %d '%s' '%s'", edits[i].to, r, err.path, err.text);
                }
        }
        /* A chain that does not chain. */
        {
                _cleanup_free_ char *a = NULL, *b = NULL, *both = NULL;
                size_t la, lb;
                char *sa, *sb;
                assert_int_equal(permit_rotation_add(NULL, k.dev_sk, k.dev2_pk, NULL, 0, RT_NOW, &a, &la, &err), 0);
                assert_int_equal(permit_rotation_add(NULL, k.other_sk, k.reg_pk, NULL, 0, RT_NOW, &b, &lb, &err), 0);
                sa = strchr(strstr(a, "\"statements\""), '[');
                sb = strchr(strstr(b, "\"statements\""), '[') + 1;
                assert_true(asprintf(&both, "{\"format\":1,\"statements\":%.*s,%s", (int) (strrchr(sa, ']') - sa), sa,
                                     sb) > 0);
                assert_int_equal(permit_rotation_parse(both, strlen(both), NULL, &rot, &err), -EINVAL);
                assert_non_null(strstr(err.text, "not a chain"));
        }
        assert_non_null(big);
        memset(big, ' ', PERMIT_ROTATION_MAX_SIZE + 1);
        assert_int_equal(permit_rotation_parse(big, PERMIT_ROTATION_MAX_SIZE + 1, NULL, &rot, &err), -EFBIG);
        assert_int_equal(permit_rotation_load("/nonexistent/permit.rotation", &rot, &err), -ENOENT);

        /* What permit_rotation_add() refuses. */
        {
                char *t = NULL;
                size_t l;
                const char *bad_ids[] = { "not an id" };
                assert_int_equal(permit_rotation_add(NULL, k.dev_sk, k.dev_pk, NULL, 0, RT_NOW, &t, &l, &err), -EINVAL);
                assert_int_equal(permit_rotation_add(NULL, k.dev_sk, k.dev2_pk, bad_ids, 1, RT_NOW, &t, &l, &err),
                                 -EINVAL);
                assert_int_equal(permit_rotation_add(NULL, k.dev_sk, k.dev2_pk, NULL, 0, 0, &t, &l, &err), -EINVAL);
        }
}

/* The whole rule on real packages: sealed by the pinned key; by a new key
 * with permit.rotation inside; by a new key without; another add-on. */
static void test_verify_package(void **state) {
        char *dir = test_tempdir();
        _cleanup_free_ char *pdir = test_join(dir, "pkg"), *rot_path = NULL, *text = NULL;
        permit_package_info *info = NULL;
        permit_pubkey *key = NULL;
        permit_error err = { 0 };
        const char *addons[] = { ID };
        size_t len;

        (void) state;
        assert_int_equal(mkdir(pdir, 0755), 0);
        st_make_package(pdir);
        assert_int_equal(permit_package_sign(k.dev_sk, pdir, NULL, NULL), 0);
        assert_int_equal(permit_trust_verify_package(pdir, ID, k.dev_pk, NULL, &info, &key, &err),
                         PERMIT_TRUST_PINNED);
        assert_true(permit_package_info_verified(info));
        permit_package_info_free(info);
        permit_pubkey_free(key);
        assert_int_equal(permit_trust_verify_package(pdir, "org.example.other", k.dev_pk, NULL, NULL, NULL, &err),
                         -EKEYREJECTED);
        assert_non_null(strstr(err.text, "not 'org.example.other'"));

        /* Sealed by dev2 without a rotation statement. */
        assert_int_equal(permit_package_sign(k.dev2_sk, pdir, NULL, NULL), 0);
        assert_int_equal(permit_trust_verify_package(pdir, ID, k.dev_pk, NULL, NULL, NULL, &err), -EKEYREJECTED);
        assert_non_null(strstr(err.text, "no rotation statement"));

        /* With one, sealed along with the rest. */
        rot_path = test_join(pdir, PERMIT_ROTATION_NAME);
        assert_int_equal(permit_rotation_add(NULL, k.dev_sk, k.dev2_pk, addons, 1, RT_NOW, &text, &len, &err), 0);
        test_write(rot_path, text, len);
        assert_int_equal(permit_package_sign(k.dev2_sk, pdir, NULL, NULL), 0);
        assert_int_equal(permit_trust_verify_package(pdir, ID, k.dev_pk, NULL, &info, &key, &err),
                         PERMIT_TRUST_ROTATED);
        assert_memory_equal(permit_pubkey_id(key), permit_pubkey_id(k.dev2_pk), 8);
        permit_package_info_free(info);
        permit_pubkey_free(key);

        /* The rotation file changed after sealing (the same statements,
         * one more space): the seal refuses it. */
        text[len - 1] = ' ';
        test_write(rot_path, text, len);
        assert_int_equal(permit_trust_verify_package(pdir, ID, k.dev_pk, NULL, NULL, NULL, &err), -EBADMSG);

        /* Unsigned package. */
        {
                _cleanup_free_ char *seal = test_join(pdir, PERMIT_SEAL_NAME);
                assert_int_equal(unlink(seal), 0);
                assert_int_equal(permit_trust_verify_package(pdir, ID, k.dev_pk, NULL, NULL, NULL, &err), -ENOMSG);
        }
        assert_int_equal(permit_trust_verify_package(NULL, ID, k.dev_pk, NULL, NULL, NULL, &err), -EINVAL);
        test_rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_countersign),
                cmocka_unit_test(test_pinned_key),
                cmocka_unit_test(test_other_key_without_rotation),
                cmocka_unit_test(test_rotation_accepted),
                cmocka_unit_test(test_rotation_refused),
                cmocka_unit_test(test_rotation_forged_signature),
                cmocka_unit_test(test_rotation_chain),
                cmocka_unit_test(test_rotation_parse_errors),
                cmocka_unit_test(test_verify_package),
        };
        return cmocka_run_group_tests_name("registry trust", tests, setup, teardown);
}
