/* SPDX-License-Identifier: MIT */
/* Signed packages changed after signing: every change must fail
 * verification, with the documented code and the first difference named.
 *
 * Byte flips. For the directory package, every byte of permit.sig and of
 * permit.json is flipped in turn (permit.sig with xor 0x01 and with xor
 * 0x80, permit.json with xor 0x01). For the zip, the same flips are made to
 * the members' content, rebuilding the archive each time: that is what an
 * attacker who can write the zip controls, and the zip's own framing
 * (deflate, CRCs) would otherwise hide most of them before the seal code
 * is reached. The archive's raw bytes are then flipped at every 7th offset
 * (xor 0x01) only: about 450 verifications instead of 3000, enough to hit
 * every header and the deflate streams of each member. A raw flip may be
 * harmless (a timestamp, a permission bit), so there the test asserts that
 * verification fails, or that it succeeds and the archive still yields the
 * sealed content exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>

#include "seal-test.h"
#include "signer/keys-private.h"

static permit_pubkey *pk, *other_pk;
static permit_seckey *sk, *other_sk, *impostor_sk;

static int group_setup(void **state) {
        uint8_t seed[32];

        (void) state;
        if (sodium_init() < 0)
                return -1;
        if (permit_keypair_generate(&pk, &sk) < 0 || permit_keypair_generate(&other_pk, &other_sk) < 0)
                return -1;
        /* Another Ed25519 key that claims pk's key id. */
        randombytes_buf(seed, sizeof(seed));
        if (permit_seckey_from_seed(permit_pubkey_id(pk), seed, &impostor_sk) < 0)
                return -1;
        return 0;
}

static int group_teardown(void **state) {
        (void) state;
        permit_pubkey_free(pk);
        permit_seckey_free(sk);
        permit_pubkey_free(other_pk);
        permit_seckey_free(other_sk);
        permit_seckey_free(impostor_sk);
        return 0;
}

/* A signed directory package and a signed zip of the same files. */
static int setup(void **state) {
        (void) state;
        st_fixture_signed(sk, pk);
        return 0;
}

static int teardown(void **state) {
        (void) state;
        st_fixture_free();
        return 0;
}


/* The zip's members, to change and write back with zip_put(). */
static st_zip zip_get(void) {
        st_zip z = { 0 };

        assert_int_equal(st_zip_read(zip, &z), 0);
        return z;
}

static void zip_put(st_zip *z) {
        st_zip_write(zip, z);
        st_zip_free(z);
}

/* Counts of the codes the flips produced, reported as a TAP note. */
typedef struct tally {
        unsigned total, einval, ebadmsg, ekeyrejected, eio, other, accepted;
} tally;

static void tally_add(tally *t, int r) {
        t->total++;
        if (r == 0)
                t->accepted++;
        else if (r == -EINVAL)
                t->einval++;
        else if (r == -EBADMSG)
                t->ebadmsg++;
        else if (r == -EKEYREJECTED)
                t->ekeyrejected++;
        else if (r == -EIO)
                t->eio++;
        else
                t->other++;
}

static void tally_print(const char *what, const tally *t) {
        printf("# %s: %u flips: EINVAL %u, EBADMSG %u, EKEYREJECTED %u, EIO %u, other %u, accepted %u\n", what,
               t->total, t->einval, t->ebadmsg, t->ekeyrejected, t->eio, t->other, t->accepted);
}

static int verify_quiet(const char *path, permit_error *error) {
        permit_package_info *info = NULL;
        int r = permit_package_verify(pk, path, NULL, &info, error);

        if (r == 0)
                assert_non_null(info);
        else
                assert_null(info);
        permit_package_info_free(info);
        return r;
}

/* A flipped seal fails as malformed, for another key, or as a bad
 * signature; nothing else, and never accepted. */
static void check_seal_flip(const char *what, size_t i, int r, const permit_error *error, tally *t) {
        tally_add(t, r);
        if (r != -EINVAL && r != -EBADMSG && r != -EKEYREJECTED) {
                printf("# %s: byte %zu: got %d (%s: %s)\n", what, i, r, error->path, error->text);
                fail();
        }
        assert_true(error->text[0] != '\0');
}

/* ---- directory ---- */

static void flip_dir_seal(uint8_t mask) {
        size_t len;
        char *data = test_read(at("permit.sig"), &len);
        char what[64];
        tally t = { 0 };

        snprintf(what, sizeof(what), "directory permit.sig xor 0x%02x", mask);
        for (size_t i = 0; i < len; i++) {
                permit_error error;
                data[i] ^= (char) mask;
                test_write(at("permit.sig"), data, len);
                check_seal_flip(what, i, verify_quiet(pkg, &error), &error, &t);
                data[i] ^= (char) mask;
        }
        tally_print(what, &t);
        test_write(at("permit.sig"), data, len);
        st_expect_verify(pk, pkg, 0, NULL, NULL);
        free(data);
}

static void test_dir_seal_flips(void **state) {
        (void) state;
        flip_dir_seal(0x01);
        flip_dir_seal(0x80);
}

/* permit.json is a sealed file: any change is a changed file. */
static void test_dir_manifest_flips(void **state) {
        size_t len;
        char *data = test_read(at("permit.json"), &len);

        (void) state;
        for (size_t i = 0; i < len; i++) {
                permit_error error;
                int r;
                data[i] ^= 1;
                test_write(at("permit.json"), data, len);
                r = verify_quiet(pkg, &error);
                if (r != -EBADMSG)
                        printf("# permit.json byte %zu: got %d (%s: %s)\n", i, r, error.path, error.text);
                assert_int_equal(r, -EBADMSG);
                assert_string_equal(error.path, "permit.json");
                assert_string_equal(error.text, "changed (content differs from the seal)");
                data[i] ^= 1;
        }
        printf("# directory permit.json xor 0x01: %zu flips, all EBADMSG\n", len);
        test_write(at("permit.json"), data, len);
        st_expect_verify(pk, pkg, 0, NULL, NULL);
        free(data);
}

static void test_dir_changed(void **state) {
        size_t len;
        char *data = test_read(at("__init__.py"), &len);
        char text[128];

        (void) state;
        test_write_string(at("__init__.py"), "import os\n");
        snprintf(text, sizeof(text), "changed (size 10, sealed %zu)", len);
        st_expect_verify(pk, pkg, -EBADMSG, "__init__.py", text);

        /* Same size, one byte in the middle. */
        data[len / 2] ^= 0x20;
        test_write(at("__init__.py"), data, len);
        st_expect_verify(pk, pkg, -EBADMSG, "__init__.py", "changed (content differs from the seal)");

        /* In a subdirectory, and an empty file that gained a byte. */
        data[len / 2] ^= 0x20;
        test_write(at("__init__.py"), data, len);
        st_expect_verify(pk, pkg, 0, NULL, NULL);
        test_write_string(at("lib/data/words.txt"), "serendipity\nephemeral\nlaconiC\n");
        st_expect_verify(pk, pkg, -EBADMSG, "lib/data/words.txt", "changed (content differs from the seal)");
        test_write_string(at("lib/data/words.txt"), "serendipity\nephemeral\nlaconic\n");
        test_write_string(at("empty.txt"), "x");
        st_expect_verify(pk, pkg, -EBADMSG, "empty.txt", "changed (size 1, sealed 0)");
        free(data);
}

static void test_dir_added(void **state) {
        (void) state;
        test_write_string(at("evil.py"), "import os\n");
        st_expect_verify(pk, pkg, -EBADMSG, "evil.py", "file is not in the seal");
        assert_int_equal(unlink(at("evil.py")), 0);
        test_write(at("lib/data/0"), "", 0);
        st_expect_verify(pk, pkg, -EBADMSG, "lib/data/0", "file is not in the seal");
        assert_int_equal(unlink(at("lib/data/0")), 0);
        assert_int_equal(mkdir(at("lib/new"), 0755), 0);
        test_write_string(at("lib/new/__init__.py"), "\n");
        st_expect_verify(pk, pkg, -EBADMSG, "lib/new/__init__.py", "file is not in the seal");
        /* An empty directory holds no file: not sealed, not refused. */
        assert_int_equal(unlink(at("lib/new/__init__.py")), 0);
        st_expect_verify(pk, pkg, 0, NULL, NULL);
}

static void test_dir_removed(void **state) {
        (void) state;
        assert_int_equal(unlink(at("lib/util.py")), 0);
        st_expect_verify(pk, pkg, -EBADMSG, "lib/util.py", "sealed file is missing");
        assert_int_equal(unlink(at("empty.txt")), 0);
        st_expect_verify(pk, pkg, -EBADMSG, "empty.txt", "sealed file is missing");
}

static void test_dir_renamed(void **state) {
        char *p = test_join(pkg, "lib/data/util.py");

        (void) state;
        assert_int_equal(rename(at("README.md"), at("README.txt")), 0);
        st_expect_verify(pk, pkg, -EBADMSG, "README.md", "sealed file is missing");
        assert_int_equal(rename(at("README.txt"), at("README.md")), 0);
        /* Moved to another directory: the new name sorts first. */
        assert_int_equal(rename(at("lib/util.py"), p), 0);
        st_expect_verify(pk, pkg, -EBADMSG, "lib/data/util.py", "file is not in the seal");
        /* Two files' contents swapped under each other's names. */
        assert_int_equal(rename(p, at("lib/util.py")), 0);
        st_expect_verify(pk, pkg, 0, NULL, NULL);
        assert_int_equal(rename(at("README.md"), at("x")), 0);
        assert_int_equal(rename(at("manifest.json"), at("README.md")), 0);
        assert_int_equal(rename(at("x"), at("manifest.json")), 0);
        st_expect_verify(pk, pkg, -EBADMSG, "README.md", NULL);
        free(p);
}

static void test_dir_manifest_removed(void **state) {
        (void) state;
        assert_int_equal(unlink(at("permit.json")), 0);
        st_expect_verify(pk, pkg, -EBADMSG, "permit.json", "sealed file is missing");
}

static void test_dir_seal_removed(void **state) {
        (void) state;
        assert_int_equal(unlink(at("permit.sig")), 0);
        st_expect_verify(pk, pkg, -ENOMSG, "", "not signed: no permit.sig in the package");
}

static void test_dir_wrong_key(void **state) {
        char want[PERMIT_KEY_ID_STRING_SIZE], got[PERMIT_KEY_ID_STRING_SIZE], text[128];

        (void) state;
        permit_pubkey_id_string(pk, got);
        permit_pubkey_id_string(other_pk, want);
        snprintf(text, sizeof(text), "sealed with key %s, not with the given key %s", got, want);
        st_expect_verify(other_pk, pkg, -EKEYREJECTED, "", text);
}

static void test_dir_impostor(void **state) {
        (void) state;
        st_sign(impostor_sk, pkg);
        st_expect_verify(pk, pkg, -EBADMSG, "", "signature verification failed");
}

/* An older seal of the same add-on put back after the files changed. */
static void test_dir_old_seal(void **state) {
        size_t len;
        char *old = test_read(at("permit.sig"), &len);

        (void) state;
        test_write_string(at("lib/util.py"), "def word():\n    return 'quintessent'\n");
        st_sign(sk, pkg);
        st_expect_verify(pk, pkg, 0, NULL, NULL);
        test_write(at("permit.sig"), old, len);
        st_expect_verify(pk, pkg, -EBADMSG, "lib/util.py", "changed (content differs from the seal)");
        free(old);
}

/* What is not sealed: the seal's layout, file modes. Both verify. */
static void test_dir_unsealed_details(void **state) {
        size_t len;
        char *text = test_read(at("permit.sig"), &len), *compact = malloc(len + 1);
        size_t n = 0;

        (void) state;
        assert_non_null(compact);
        for (size_t i = 0; i < len; i++)
                if (text[i] != '\n' && !(text[i] == ' ' && i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\n')))
                        compact[n++] = text[i];
        test_write(at("permit.sig"), compact, n);
        st_expect_verify(pk, pkg, 0, NULL, NULL);
        assert_int_equal(chmod(at("README.md"), 0700), 0);
        st_expect_verify(pk, pkg, 0, NULL, NULL);
        free(text);
        free(compact);
}

/* ---- zip ---- */

static void flip_zip_member(const char *name, uint8_t mask, bool seal) {
        st_zip z = zip_get();
        st_member *m = st_zip_find(&z, name);
        char what[64];
        tally t = { 0 };

        assert_non_null(m);
        snprintf(what, sizeof(what), "zip %s xor 0x%02x", name, mask);
        for (size_t i = 0; i < m->len; i++) {
                permit_error error;
                int r;
                m->data[i] ^= (char) mask;
                st_zip_write(zip, &z);
                r = verify_quiet(zip, &error);
                if (seal)
                        check_seal_flip(what, i, r, &error, &t);
                else {
                        assert_int_equal(r, -EBADMSG);
                        assert_string_equal(error.path, name);
                        assert_string_equal(error.text, "changed (content differs from the seal)");
                        tally_add(&t, r);
                }
                m->data[i] ^= (char) mask;
        }
        tally_print(what, &t);
        zip_put(&z);
        st_expect_verify(pk, zip, 0, NULL, NULL);
}

static void test_zip_seal_flips(void **state) {
        (void) state;
        flip_zip_member("permit.sig", 0x01, true);
        flip_zip_member("permit.sig", 0x80, true);
}

static void test_zip_manifest_flips(void **state) {
        (void) state;
        flip_zip_member("permit.json", 0x01, false);
}

/* Every 7th byte of the archive itself (see the top of the file). */
static void test_zip_raw_flips(void **state) {
        size_t len;
        uint8_t *data = (uint8_t *) test_read(zip, &len);
        st_zip sealed = zip_get();
        tally t = { 0 };

        (void) state;
        for (size_t i = 0; i < len; i += 7) {
                permit_error error;
                int r;

                data[i] ^= 1;
                test_write(zip, data, len);
                r = verify_quiet(zip, &error);
                tally_add(&t, r);
                if (r == 0) {
                        st_zip now = { 0 };
                        assert_int_equal(st_zip_read(zip, &now), 0);
                        if (!st_zip_same(&now, &sealed)) {
                                printf("# byte %zu: accepted, but the archive's content changed\n", i);
                                fail();
                        }
                        st_zip_free(&now);
                } else {
                        /* The archive rules, libarchive's own checks
                         * (CRCs, deflate), or the seal. */
                        if (r != -EINVAL && r != -EIO && r != -EBADMSG && r != -ENOMSG && r != -EFBIG &&
                            r != -EKEYREJECTED) {
                                printf("# byte %zu: got %d (%s: %s)\n", i, r, error.path, error.text);
                                fail();
                        }
                        assert_true(error.text[0] != '\0');
                }
                data[i] ^= 1;
        }
        tally_print("zip archive bytes (every 7th) xor 0x01", &t);
        assert_true(t.accepted < t.total / 4);
        test_write(zip, data, len);
        st_expect_verify(pk, zip, 0, NULL, NULL);
        st_zip_free(&sealed);
        free(data);
}

static void test_zip_rebuilt(void **state) {
        st_zip z = zip_get();

        (void) state;
        /* Rebuilding with the same members (other order, other times) is
         * the same package. */
        for (size_t i = 0; i < z.n / 2; i++) {
                st_member tmp_m = z.m[i];
                z.m[i] = z.m[z.n - 1 - i];
                z.m[z.n - 1 - i] = tmp_m;
        }
        zip_put(&z);
        st_expect_verify(pk, zip, 0, NULL, NULL);
}

static void test_zip_changed(void **state) {
        st_zip z = zip_get();
        st_member *m = st_zip_find(&z, "__init__.py");
        size_t len = m->len;
        char text[128];

        (void) state;
        m->data[len / 2] ^= 0x20;
        zip_put(&z);
        st_expect_verify(pk, zip, -EBADMSG, "__init__.py", "changed (content differs from the seal)");

        z = zip_get();
        m = st_zip_find(&z, "__init__.py");
        m->len = 3;
        zip_put(&z);
        snprintf(text, sizeof(text), "changed (size 3, sealed %zu)", len);
        st_expect_verify(pk, zip, -EBADMSG, "__init__.py", text);
}

static void test_zip_added(void **state) {
        st_zip z = zip_get();

        (void) state;
        st_zip_add(&z, "lib/evil.py", "import os\n", 10, 0644);
        zip_put(&z);
        st_expect_verify(pk, zip, -EBADMSG, "lib/evil.py", "file is not in the seal");
}

static void test_zip_removed(void **state) {
        st_zip z = zip_get();

        (void) state;
        st_zip_remove(&z, "lib/data/words.txt");
        zip_put(&z);
        st_expect_verify(pk, zip, -EBADMSG, "lib/data/words.txt", "sealed file is missing");
}

static void test_zip_renamed(void **state) {
        st_zip z = zip_get();
        st_member *m = st_zip_find(&z, "lib/util.py");

        (void) state;
        free(m->name);
        m->name = strdup("lib/utils.py");
        zip_put(&z);
        st_expect_verify(pk, zip, -EBADMSG, "lib/util.py", "sealed file is missing");
}

static void test_zip_manifest_removed(void **state) {
        st_zip z = zip_get();

        (void) state;
        st_zip_remove(&z, "permit.json");
        zip_put(&z);
        st_expect_verify(pk, zip, -EBADMSG, "permit.json", "sealed file is missing");
}

static void test_zip_seal_removed(void **state) {
        st_zip z = zip_get();

        (void) state;
        st_zip_remove(&z, "permit.sig");
        zip_put(&z);
        st_expect_verify(pk, zip, -ENOMSG, "", "not signed: no permit.sig in the package");
}

static void test_zip_wrong_key(void **state) {
        (void) state;
        st_expect_verify(other_pk, zip, -EKEYREJECTED, "", NULL);
        st_sign(other_sk, zip);
        st_expect_verify(pk, zip, -EKEYREJECTED, "", NULL);
}

static void test_zip_impostor(void **state) {
        (void) state;
        st_sign(impostor_sk, zip);
        st_expect_verify(pk, zip, -EBADMSG, "", "signature verification failed");
}

/* The directory's seal put in the zip: the same files, the same time, so
 * it is the same seal and verifies. */
static void test_zip_seal_swapped(void **state) {
        size_t len;
        char *dir_seal = test_read(at("permit.sig"), &len);
        st_zip z = zip_get();
        st_member *m = st_zip_find(&z, "permit.sig");

        (void) state;
        free(m->data);
        m->data = dir_seal;
        m->len = len;
        zip_put(&z);
        st_expect_verify(pk, zip, 0, NULL, NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_dir_seal_flips, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_manifest_flips, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_changed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_added, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_removed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_renamed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_manifest_removed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_seal_removed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_wrong_key, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_impostor, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_old_seal, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_unsealed_details, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_seal_flips, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_manifest_flips, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_raw_flips, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_rebuilt, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_changed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_added, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_removed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_renamed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_manifest_removed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_seal_removed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_wrong_key, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_impostor, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_seal_swapped, setup, teardown),
        };

        return cmocka_run_group_tests_name("seal-tamper", tests, group_setup, group_teardown);
}
