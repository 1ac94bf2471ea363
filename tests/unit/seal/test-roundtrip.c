/* SPDX-License-Identifier: MIT */
/* Signing and verifying a directory, a .zip and an .ankiaddon: what the
 * seal says, what the info getters return, re-signing, the .minisig and the
 * signing options. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <time.h>

#include "digest-private.h"
#include "seal-private.h"
#include "seal-test.h"
#include "permit/minisig.h"

#define SIGNED_AT 1795420800

static permit_pubkey *pk, *other_pk;
static permit_seckey *sk, *other_sk;

static int group_setup(void **state) {
        (void) state;
        if (sodium_init() < 0)
                return -1;
        if (permit_keypair_generate(&pk, &sk) < 0 || permit_keypair_generate(&other_pk, &other_sk) < 0)
                return -1;
        return 0;
}

static int group_teardown(void **state) {
        (void) state;
        permit_pubkey_free(pk);
        permit_seckey_free(sk);
        permit_pubkey_free(other_pk);
        permit_seckey_free(other_sk);
        return 0;
}

static int setup(void **state) {
        (void) state;
        st_fixture_new(true);
        return 0;
}

static int teardown(void **state) {
        (void) state;
        st_fixture_free();
        return 0;
}

static void sign(const char *path, int64_t signed_at, unsigned threads, bool no_minisig) {
        permit_sign_options o = { .signed_at = signed_at, .threads = threads, .no_minisig = no_minisig };
        permit_error error;
        int r = permit_package_sign(sk, path, &o, &error);

        if (r < 0)
                printf("# sign %s: %s: %s: %s\n", path, error.source, error.path, error.text);
        assert_int_equal(r, 0);
}

static permit_package_info *verify(const char *path) {
        permit_package_info *info = NULL;
        permit_error error;
        int r = permit_package_verify(pk, path, NULL, &info, &error);

        if (r < 0)
                printf("# verify %s: %s: %s: %s\n", path, error.source, error.path, error.text);
        assert_int_equal(r, 0);
        assert_non_null(info);
        return info;
}

/* The package's files as the seal must list them: name, size and the tree
 * digest computed here from the bytes on disk. */
typedef struct expected_file {
        const char *path;
        size_t size;
        uint8_t digest[PERMIT_DIGEST_SIZE];
} expected_file;

static const char *const package_files[] = {
        "README.md", "__init__.py", "empty.txt", "lib/data/words.txt", "lib/util.py", "manifest.json",
        "permit.json", "run.sh",
};
#define N_PACKAGE_FILES (sizeof(package_files) / sizeof(*package_files))

static uint64_t expected_files(const char *dir, expected_file out[N_PACKAGE_FILES]) {
        uint64_t total = 0;

        for (size_t i = 0; i < N_PACKAGE_FILES; i++) {
                char *p = test_join(dir, package_files[i]);
                size_t len;
                char *data = test_read(p, &len);

                out[i].path = package_files[i];
                out[i].size = len;
                permit_tree_digest(data, len, out[i].digest);
                total += len;
                free(data);
                free(p);
        }
        return total;
}

/* The seal text parses, lists exactly the files with their digests, has our
 * key id and time, its signature verifies, and its content digest is what
 * info reports. */
static void check_seal_text(const char *text, size_t len, const char *dir, int64_t signed_at,
                            const permit_package_info *info) {
        expected_file want[N_PACKAGE_FILES];
        char hex[2 * PERMIT_DIGEST_SIZE + 1];
        permit_error error;
        seal *s = NULL;

        expected_files(dir, want);
        assert_int_equal(seal_parse(text, len, &s, &error), 0);
        assert_int_equal(s->n_files, N_PACKAGE_FILES);
        for (size_t i = 0; i < N_PACKAGE_FILES; i++) {
                assert_string_equal(s->files[i].path, want[i].path);
                assert_int_equal(s->files[i].size, want[i].size);
                assert_memory_equal(s->files[i].digest, want[i].digest, PERMIT_DIGEST_SIZE);
        }
        assert_memory_equal(s->key_id, permit_pubkey_id(pk), PERMIT_KEY_ID_SIZE);
        assert_int_equal(s->signed_at, signed_at);
        assert_int_equal(seal_verify_signature(s, pk, &error), 0);
        for (size_t i = 0; i < PERMIT_DIGEST_SIZE; i++)
                snprintf(hex + 2 * i, 3, "%02x", s->content_digest[i]);
        if (info)
                assert_string_equal(permit_package_info_seal_digest(info), hex);
        /* Pretty-printed for people, with a final newline. */
        assert_true(len > 0 && text[len - 1] == '\n');
        assert_non_null(strstr(text, "\n  \"files\": [\n"));
        seal_free(s);
}

static void check_info(const permit_package_info *info, const char *dir, int64_t signed_at) {
        expected_file want[N_PACKAGE_FILES];
        char id[PERMIT_KEY_ID_STRING_SIZE];
        const char *digest;

        permit_pubkey_id_string(pk, id);
        assert_string_equal(permit_manifest_id(permit_package_info_manifest(info)), "org.example.word-of-the-day");
        assert_string_equal(permit_package_info_key_id(info), id);
        assert_int_equal(permit_package_info_signed_at(info), signed_at);
        assert_int_equal(permit_package_info_files(info), N_PACKAGE_FILES);
        assert_int_equal(permit_package_info_total_size(info), expected_files(dir, want));
        assert_string_equal(permit_package_info_hash(info), "blake2b-tree-256");
        {
                char key[PERMIT_PUBKEY_STRING_SIZE];
                permit_pubkey_string(pk, key);
                assert_string_equal(permit_package_info_public_key(info), key);
        }
        digest = permit_package_info_seal_digest(info);
        assert_int_equal(strlen(digest), 64);
        assert_int_equal(strspn(digest, "0123456789abcdef"), 64);
        assert_true(permit_package_info_verified(info));
}

static void test_directory(void **state) {
        permit_package_info *info;
        char *sig = test_join(pkg, "permit.sig"), *text;
        char listing[512];
        size_t len;

        (void) state;
        sign(pkg, SIGNED_AT, 0, false);
        info = verify(pkg);
        check_info(info, pkg, SIGNED_AT);
        text = test_read(sig, &len);
        check_seal_text(text, len, pkg, SIGNED_AT, info);
        /* Signing a directory writes permit.sig and nothing else. */
        st_listdir(pkg, listing, sizeof(listing));
        assert_string_equal(listing,
                            "README.md;__init__.py;empty.txt;lib;manifest.json;permit.json;permit.sig;run.sh;");
        st_listdir(tmp, listing, sizeof(listing));
        assert_string_equal(listing, "addon;addon.zip;");
        /* ret may be NULL. */
        assert_int_equal(permit_package_verify(pk, pkg, NULL, NULL, NULL), 0);
        permit_package_info_free(info);
        free(text);
        free(sig);
}

static void check_zip(const char *path, int64_t signed_at) {
        permit_package_info *info;
        char *minisig = NULL, *comment = NULL;
        st_member *m;
        st_zip z = { 0 }, orig = { 0 };
        permit_error error;

        info = verify(path);
        check_info(info, pkg, signed_at);
        /* The rewritten archive holds the same files, plus one seal. */
        assert_int_equal(st_zip_read(path, &z), 0);
        assert_int_equal(st_zip_count(&z, "permit.sig"), 1);
        m = st_zip_find(&z, "permit.sig");
        check_seal_text(m->data, m->len, pkg, signed_at, info);
        st_zip_from_dir_at(&orig, pkg, "");
        st_zip_remove(&z, "permit.sig");
        assert_true(st_zip_same(&z, &orig));
        /* The execute bit is carried over. */
        assert_int_equal(st_zip_find(&z, "run.sh")->mode & 0100, 0100);
        assert_int_equal(st_zip_find(&z, "README.md")->mode & 0111, 0);

        assert_true(asprintf(&minisig, "%s.minisig", path) > 0);
        assert_int_equal(permit_minisig_verify_file(pk, path, minisig, &comment, &error), 0);
        assert_non_null(strstr(comment, "file:"));
        assert_int_equal(permit_minisig_verify_file(other_pk, path, minisig, NULL, &error), -EKEYREJECTED);
        free(comment);
        free(minisig);
        st_zip_free(&z);
        st_zip_free(&orig);
        permit_package_info_free(info);
}

/* A first install verifies against the key the seal carries. */
static void test_seal_key(void **state) {
        permit_package_info *info = NULL;
        permit_error error;
        char *sig = test_join(pkg, "permit.sig"), *text, *cut, key[PERMIT_PUBKEY_STRING_SIZE];
        size_t len;
        seal *s = NULL;

        (void) state;
        sign(pkg, SIGNED_AT, 0, false);
        assert_int_equal(permit_package_verify_with_seal_key(pkg, NULL, &info, &error), 0);
        check_info(info, pkg, SIGNED_AT);
        permit_package_info_free(info);
        info = NULL;
        assert_int_equal(permit_package_verify_with_seal_key(NULL, NULL, &info, &error), -EINVAL);
        assert_int_equal(permit_package_verify_with_seal_key(pkg, NULL, NULL, &error), -EINVAL);

        /* a changed file is found as with a given key */
        {
                char *f = test_join(pkg, "README.md");
                test_write_string(f, "changed");
                assert_int_equal(permit_package_verify_with_seal_key(pkg, NULL, &info, &error), -EBADMSG);
                free(f);
        }
        sign(pkg, SIGNED_AT, 0, false);

        /* the carried key is signed: swapping in another key breaks the signature,
         * or names a key whose id is not key_id */
        text = test_read(sig, &len);
        permit_pubkey_string(pk, key);
        cut = strstr(text, key);
        assert_non_null(cut);
        {
                char other[PERMIT_PUBKEY_STRING_SIZE];
                permit_pubkey_string(other_pk, other);
                memcpy(cut, other, strlen(other));
                assert_int_equal(seal_parse(text, len, &s, &error), -EINVAL);
                assert_string_equal(error.path, "public_key");
                assert_non_null(strstr(error.text, "not the seal's key_id"));
                memcpy(cut, "RWnotakey", 9);
                assert_int_equal(seal_parse(text, len, &s, &error), -EINVAL);
                assert_string_equal(error.path, "public_key");
        }
        free(text);

        /* an older seal without the key: -ENOKEY, and verifying with a key still works */
        text = test_read(sig, &len);
        cut = strstr(text, "  \"public_key\"");
        assert_non_null(cut);
        memmove(cut, strchr(cut, '\n') + 1, strlen(strchr(cut, '\n') + 1) + 1);
        test_write_string(sig, text);
        assert_int_equal(permit_package_verify_with_seal_key(pkg, NULL, &info, &error), -ENOKEY);
        assert_non_null(strstr(error.text, "does not carry its public key"));
        /* the signature covered the key: without it the seal no longer verifies */
        assert_int_equal(permit_package_verify(pk, pkg, NULL, &info, &error), -EBADMSG);
        assert_int_equal(permit_package_inspect(pkg, NULL, &info, &error), 0);
        assert_string_equal(permit_package_info_public_key(info), "");
        permit_package_info_free(info);
        free(text);

        /* unsigned */
        unlink(sig);
        assert_int_equal(permit_package_verify_with_seal_key(pkg, NULL, &info, &error), -ENOMSG);
        free(sig);
}

static void test_zip(void **state) {
        (void) state;
        sign(zip, SIGNED_AT, 0, false);
        check_zip(zip, SIGNED_AT);
}

static void test_ankiaddon(void **state) {
        char *addon = test_join(tmp, "word.ankiaddon"), *minisig = test_join(tmp, "word.ankiaddon.minisig");
        char listing[512];

        (void) state;
        assert_int_equal(rename(zip, addon), 0);
        sign(addon, SIGNED_AT, 0, false);
        check_zip(addon, SIGNED_AT);
        assert_true(test_exists(minisig));
        /* Nothing else beside it: no temporary file left. */
        st_listdir(tmp, listing, sizeof(listing));
        assert_string_equal(listing, "addon;word.ankiaddon;word.ankiaddon.minisig;");
        free(addon);
        free(minisig);
}

static void test_resign_directory(void **state) {
        permit_package_info *info;
        char *sig = test_join(pkg, "permit.sig"), *first, *second;

        (void) state;
        sign(pkg, SIGNED_AT, 0, false);
        first = test_read(sig, NULL);
        sign(pkg, SIGNED_AT + 100, 0, false);
        second = test_read(sig, NULL);
        assert_string_not_equal(first, second);
        info = verify(pkg);
        /* The new seal replaced the old one, and does not seal it. */
        check_info(info, pkg, SIGNED_AT + 100);
        assert_null(strstr(second, "\"permit.sig\""));
        permit_package_info_free(info);

        /* Signed by another key: verifies with that key only. */
        assert_int_equal(permit_package_sign(other_sk, pkg, NULL, NULL), 0);
        st_expect_verify(pk, pkg, -EKEYREJECTED, NULL, NULL);
        assert_int_equal(permit_package_verify(other_pk, pkg, NULL, NULL, NULL), 0);
        free(first);
        free(second);
        free(sig);
}

static void test_resign_zip(void **state) {
        char listing[512];

        (void) state;
        sign(zip, SIGNED_AT, 0, false);
        sign(zip, SIGNED_AT + 100, 0, false);
        check_zip(zip, SIGNED_AT + 100);
        /* And a third time, by a signer that reads its own output. */
        sign(zip, SIGNED_AT + 200, 1, false);
        check_zip(zip, SIGNED_AT + 200);
        st_listdir(tmp, listing, sizeof(listing));
        assert_string_equal(listing, "addon;addon.zip;addon.zip.minisig;");
}

static void test_no_minisig(void **state) {
        char listing[512];

        sign(zip, SIGNED_AT, 0, true);
        st_listdir(tmp, listing, sizeof(listing));
        assert_string_equal(listing, "addon;addon.zip;");
        (void) state;
        permit_package_info_free(verify(zip));
}

/* Same content, same time, same key: the same seal, whatever the number of
 * hashing threads (Ed25519 signatures are deterministic). */
static void test_threads(void **state) {
        char *sig = test_join(pkg, "permit.sig"), *first, *again;

        (void) state;
        sign(pkg, SIGNED_AT, 1, false);
        first = test_read(sig, NULL);
        for (unsigned t = 2; t <= 8; t *= 2) {
                sign(pkg, SIGNED_AT, t, false);
                again = test_read(sig, NULL);
                assert_string_equal(first, again);
                free(again);
        }
        free(first);
        free(sig);
}

static void test_signed_at_now(void **state) {
        permit_package_info *info;
        time_t before = time(NULL), after;

        (void) state;
        sign(pkg, 0, 0, false);
        sign(zip, 0, 0, false);
        after = time(NULL);
        info = verify(pkg);
        assert_true(permit_package_info_signed_at(info) >= before && permit_package_info_signed_at(info) <= after);
        permit_package_info_free(info);
        info = verify(zip);
        assert_true(permit_package_info_signed_at(info) >= before && permit_package_info_signed_at(info) <= after);
        permit_package_info_free(info);
}

/* Files of several 1 MiB chunks: the seal holds the tree digest. */
static void test_large_file(void **state) {
        size_t len = 5 * PERMIT_CHUNK_SIZE / 2 + 3;
        uint8_t *data = malloc(len), want[PERMIT_DIGEST_SIZE];
        char *p = test_join(pkg, "lib/data/big.bin"), *text, *sig = test_join(pkg, "permit.sig");
        permit_package_info *info;
        permit_error error;
        size_t tlen;
        seal *s = NULL;
        bool found = false;

        (void) state;
        assert_non_null(data);
        randombytes_buf(data, len);
        test_write(p, data, len);
        permit_tree_digest(data, len, want);
        sign(pkg, SIGNED_AT, 0, false);
        info = verify(pkg);
        assert_int_equal(permit_package_info_files(info), N_PACKAGE_FILES + 1);
        text = test_read(sig, &tlen);
        assert_int_equal(seal_parse(text, tlen, &s, &error), 0);
        for (size_t i = 0; i < s->n_files; i++)
                if (strcmp(s->files[i].path, "lib/data/big.bin") == 0) {
                        assert_int_equal(s->files[i].size, len);
                        assert_memory_equal(s->files[i].digest, want, PERMIT_DIGEST_SIZE);
                        found = true;
                }
        assert_true(found);

        /* One byte of the last chunk changed: caught. */
        data[len - 2] ^= 1;
        test_write(p, data, len);
        st_expect_verify(pk, pkg, -EBADMSG, "lib/data/big.bin", "changed (content differs from the seal)");
        /* As a zip too. */
        data[len - 2] ^= 1;
        test_write(p, data, len);
        assert_int_equal(unlink(sig), 0);
        st_zip_from_dir(pkg, zip);
        sign(zip, SIGNED_AT, 2, false);
        permit_package_info_free(verify(zip));

        seal_free(s);
        permit_package_info_free(info);
        free(text);
        free(sig);
        free(p);
        free(data);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_seal_key, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ankiaddon, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resign_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resign_zip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_minisig, setup, teardown),
                cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
                cmocka_unit_test_setup_teardown(test_signed_at_now, setup, teardown),
                cmocka_unit_test_setup_teardown(test_large_file, setup, teardown),
        };

        return cmocka_run_group_tests_name("seal-roundtrip", tests, group_setup, group_teardown);
}
