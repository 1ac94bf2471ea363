/* SPDX-License-Identifier: MIT */
/* What signing refuses, and that a refusal leaves the package as it was
 * (a zip byte for byte, no temporary ".NAME.XXXXXX" beside it); and
 * permit_package_inspect() on signed and unsigned packages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>

#include "seal-test.h"

#define SIGNED_AT 1795420800

static permit_pubkey *pk;
static permit_seckey *sk;

static int group_setup(void **state) {
        (void) state;
        if (sodium_init() < 0)
                return -1;
        return permit_keypair_generate(&pk, &sk) < 0 ? -1 : 0;
}

static int group_teardown(void **state) {
        (void) state;
        permit_pubkey_free(pk);
        permit_seckey_free(sk);
        return 0;
}

static int setup(void **state) {
        (void) state;
        st_fixture_new(false);
        return 0;
}

static int teardown(void **state) {
        (void) state;
        st_fixture_free();
        return 0;
}


static int sign(const char *path, permit_error *error) {
        permit_sign_options o = { .signed_at = SIGNED_AT };

        permit_error_clear(error);
        return permit_package_sign(sk, path, &o, error);
}

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);

        return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Signing the directory fails as said, and writes nothing. */
static void expect_dir_refused(int r, const char *source_suffix, const char *path, const char *text) {
        char before[512], after[512];
        permit_error error;
        int got;

        st_listdir(pkg, before, sizeof(before));
        got = sign(pkg, &error);
        if (got != r)
                printf("# got %d, want %d (%s: %s: %s)\n", got, r, error.source, error.path, error.text);
        assert_int_equal(got, r);
        if (source_suffix && !ends_with(error.source, source_suffix)) {
                printf("# source '%s' does not end with '%s'\n", error.source, source_suffix);
                fail();
        }
        if (path)
                assert_string_equal(error.path, path);
        if (text)
                assert_string_equal(error.text, text);
        st_listdir(pkg, after, sizeof(after));
        assert_string_equal(before, after);
        assert_false(test_exists(at("permit.sig")));
}

/* Signing the zip made from the directory (or the zip already there when
 * the directory is NULL) fails as said; the zip is unchanged byte for
 * byte, and nothing is left beside it. */
static void expect_zip_refused(const char *path_of_zip, int r, const char *source_suffix, const char *path,
                               const char *text) {
        char before[512], after[512];
        char *orig, *now;
        size_t orig_len, now_len;
        struct stat st_before, st_after;
        permit_error error;
        int got;

        orig = test_read(path_of_zip, &orig_len);
        assert_int_equal(stat(path_of_zip, &st_before), 0);
        st_listdir(tmp, before, sizeof(before));
        got = sign(path_of_zip, &error);
        if (got != r)
                printf("# got %d, want %d (%s: %s: %s)\n", got, r, error.source, error.path, error.text);
        assert_int_equal(got, r);
        if (source_suffix && !ends_with(error.source, source_suffix)) {
                printf("# source '%s' does not end with '%s'\n", error.source, source_suffix);
                fail();
        }
        if (path)
                assert_string_equal(error.path, path);
        if (text)
                assert_string_equal(error.text, text);
        now = test_read(path_of_zip, &now_len);
        assert_int_equal(now_len, orig_len);
        assert_memory_equal(now, orig, orig_len);
        assert_int_equal(stat(path_of_zip, &st_after), 0);
        assert_int_equal(st_after.st_ino, st_before.st_ino);
        st_listdir(tmp, after, sizeof(after));
        assert_string_equal(before, after);
        free(orig);
        free(now);
}

static void zip_refused(int r, const char *source_suffix, const char *path, const char *text) {
        st_zip_from_dir(pkg, zip);
        expect_zip_refused(zip, r, source_suffix, path, text);
}

static void test_no_manifest(void **state) {
        (void) state;
        assert_int_equal(unlink(at("permit.json")), 0);
        expect_dir_refused(-EINVAL, "/addon", "", "no permit.json in the package");
        zip_refused(-EINVAL, "/addon.zip", "", "no permit.json in the package");
}

static void test_invalid_manifest(void **state) {
        size_t len;
        char *m = test_read(at("permit.json"), &len), *bad;
        const char *from = "net.connect:api.dictionaryapi.dev:443";
        char *p = strstr(m, from);

        (void) state;
        assert_non_null(p);
        assert_true(asprintf(&bad, "%.*smade.up%s", (int) (p - m), m, p + strlen(from)) > 0);
        test_write_string(at("permit.json"), bad);
        expect_dir_refused(-EINVAL, "/addon/permit.json", "capabilities[0].id", NULL);
        zip_refused(-EINVAL, "/addon.zip/permit.json", "capabilities[0].id", NULL);

        /* Not JSON at all: the position is given. */
        test_write_string(at("permit.json"), "{\"id\": ");
        expect_dir_refused(-EINVAL, "/addon/permit.json", NULL, NULL);
        zip_refused(-EINVAL, "/addon.zip/permit.json", NULL, NULL);
        free(bad);
        free(m);
}

static void test_entry_missing(void **state) {
        size_t len;
        char *m = test_read(at("permit.json"), &len), *bad;
        const char *from = "\"entry\": \"__init__.py\"";
        char *p = strstr(m, from);

        (void) state;
        assert_non_null(p);
        assert_true(asprintf(&bad, "%.*s\"entry\": \"lib/main.py\"%s", (int) (p - m), m, p + strlen(from)) > 0);
        test_write_string(at("permit.json"), bad);
        expect_dir_refused(-EINVAL, "/addon/permit.json", "entry", "'lib/main.py' is not a file of the package");
        zip_refused(-EINVAL, "/addon.zip/permit.json", "entry", "'lib/main.py' is not a file of the package");
        /* A directory is not a file either. */
        free(bad);
        assert_true(asprintf(&bad, "%.*s\"entry\": \"lib\"%s", (int) (p - m), m, p + strlen(from)) > 0);
        test_write_string(at("permit.json"), bad);
        expect_dir_refused(-EINVAL, "/addon/permit.json", "entry", "'lib' is not a file of the package");
        free(bad);
        free(m);
}

static void test_symlink(void **state) {
        (void) state;
        assert_int_equal(symlink("../../etc/passwd", at("lib/passwd")), 0);
        expect_dir_refused(-EINVAL, "/addon", "lib/passwd", "symbolic link");
}

static void test_unsafe_zip(void **state) {
        st_zip z = { 0 };

        (void) state;
        st_zip_from_dir_at(&z, pkg, "");
        st_zip_add(&z, "../evil.py", "import os\n", 10, 0644);
        st_zip_write(zip, &z);
        st_zip_free(&z);
        expect_zip_refused(zip, -EINVAL, "/addon.zip", "../evil.py", NULL);

        st_zip_from_dir_at(&z, pkg, "");
        st_zip_add(&z, "lib/link", "../../etc/passwd", 16, 0644);
        z.m[z.n - 1].symlink = true;
        st_zip_write(zip, &z);
        st_zip_free(&z);
        expect_zip_refused(zip, -EINVAL, "/addon.zip", "lib/link", "symbolic link");
}

/* A refused re-signing leaves the signed zip and its .minisig alone. */
static void test_resign_refused(void **state) {
        char *minisig = test_join(tmp, "addon.zip.minisig"), *sig_before, *sig_after;
        permit_error error;
        st_zip z = { 0 };

        (void) state;
        st_zip_from_dir(pkg, zip);
        assert_int_equal(sign(zip, &error), 0);
        sig_before = test_read(minisig, NULL);
        /* Add a symlink to the signed zip. */
        assert_int_equal(st_zip_read(zip, &z), 0);
        st_zip_add(&z, "link", "permit.json", 11, 0644);
        z.m[z.n - 1].symlink = true;
        st_zip_write(zip, &z);
        st_zip_free(&z);
        expect_zip_refused(zip, -EINVAL, "/addon.zip", "link", "symbolic link");
        sig_after = test_read(minisig, NULL);
        assert_string_equal(sig_before, sig_after);
        free(sig_before);
        free(sig_after);
        free(minisig);
}

static void test_nonexistent(void **state) {
        char *missing = test_join(tmp, "missing.zip");
        char listing[512];
        permit_error error;

        (void) state;
        assert_int_equal(sign(missing, &error), -ENOENT);
        assert_string_equal(error.source, missing);
        assert_true(error.text[0] != '\0');
        free(missing);
        missing = test_join(tmp, "no/such/dir");
        assert_int_equal(sign(missing, &error), -ENOENT);
        st_listdir(tmp, listing, sizeof(listing));
        assert_string_equal(listing, "addon;");
        /* And verify/inspect say the same. */
        assert_int_equal(permit_package_verify(pk, missing, NULL, NULL, &error), -ENOENT);
        {
                permit_package_info *info = NULL;
                assert_int_equal(permit_package_inspect(missing, NULL, &info, &error), -ENOENT);
                assert_null(info);
        }
        free(missing);
}

static void test_not_a_package(void **state) {
        char *text = test_join(tmp, "notes.zip");

        (void) state;
        test_write_string(text, "this is not a zip archive\n");
        expect_zip_refused(text, -EINVAL, NULL, NULL, NULL);
        test_write(text, "", 0);
        expect_zip_refused(text, -EINVAL, NULL, NULL, NULL);
        free(text);
}

static void test_limits(void **state) {
        permit_package_limits limits;
        permit_sign_options o = { .limits = &limits, .signed_at = SIGNED_AT };
        permit_error error;

        (void) state;
        permit_package_limits_default(&limits);
        limits.max_files = 3;
        assert_int_equal(permit_package_sign(sk, pkg, &o, &error), -EFBIG);
        assert_false(test_exists(at("permit.sig")));
        st_zip_from_dir(pkg, zip);
        assert_int_equal(permit_package_sign(sk, zip, &o, &error), -EFBIG);
        permit_package_limits_default(&limits);
        limits.max_total_size = 100;
        assert_int_equal(permit_package_sign(sk, pkg, &o, &error), -EFBIG);
        assert_false(test_exists(at("permit.sig")));
        /* Within the limits it signs, and verify applies them too. */
        permit_package_limits_default(&limits);
        assert_int_equal(permit_package_sign(sk, pkg, &o, &error), 0);
        limits.max_files = 3;
        assert_int_equal(permit_package_verify(pk, pkg, &limits, NULL, &error), -EFBIG);
}

static void test_bad_arguments(void **state) {
        permit_error error;

        (void) state;
        assert_int_equal(permit_package_sign(NULL, pkg, NULL, &error), -EINVAL);
        assert_int_equal(permit_package_sign(sk, NULL, NULL, &error), -EINVAL);
        assert_int_equal(permit_package_verify(NULL, pkg, NULL, NULL, &error), -EINVAL);
        assert_int_equal(permit_package_verify(pk, NULL, NULL, NULL, &error), -EINVAL);
        assert_int_equal(permit_package_inspect(pkg, NULL, NULL, &error), -EINVAL);
        /* Default options (NULL) sign. */
        assert_int_equal(permit_package_sign(sk, pkg, NULL, NULL), 0);
        assert_int_equal(permit_package_verify(pk, pkg, NULL, NULL, NULL), 0);
}

/* ---- inspect ---- */

static permit_package_info *inspect(const char *path) {
        permit_package_info *info = NULL;
        permit_error error;
        int r = permit_package_inspect(path, NULL, &info, &error);

        if (r < 0)
                printf("# inspect %s: %s: %s\n", path, error.path, error.text);
        assert_int_equal(r, 0);
        assert_non_null(info);
        return info;
}

static void check_unsigned(const permit_package_info *info) {
        assert_string_equal(permit_manifest_id(permit_package_info_manifest(info)), "org.example.word-of-the-day");
        assert_string_equal(permit_package_info_key_id(info), "");
        assert_int_equal(permit_package_info_signed_at(info), 0);
        assert_string_equal(permit_package_info_hash(info), "");
        assert_string_equal(permit_package_info_seal_digest(info), "");
        assert_int_equal(permit_package_info_files(info), 8);
        assert_false(permit_package_info_verified(info));
}

static void test_inspect_unsigned(void **state) {
        permit_package_info *info;
        uint64_t total;

        (void) state;
        info = inspect(pkg);
        check_unsigned(info);
        total = permit_package_info_total_size(info);
        assert_true(total > 0);
        permit_package_info_free(info);
        st_zip_from_dir(pkg, zip);
        info = inspect(zip);
        check_unsigned(info);
        assert_int_equal(permit_package_info_total_size(info), total);
        permit_package_info_free(info);
        /* Unsigned: verify says so. */
        st_expect_verify(pk, pkg, -ENOMSG, "", "not signed: no permit.sig in the package");
        st_expect_verify(pk, zip, -ENOMSG, "", "not signed: no permit.sig in the package");
}

static void check_signed(const char *path) {
        permit_package_info *info = inspect(path), *verified = NULL;
        char id[PERMIT_KEY_ID_STRING_SIZE];

        permit_pubkey_id_string(pk, id);
        assert_string_equal(permit_package_info_key_id(info), id);
        assert_int_equal(permit_package_info_signed_at(info), SIGNED_AT);
        assert_string_equal(permit_package_info_hash(info), "blake2b-tree-256");
        assert_false(permit_package_info_verified(info));
        assert_int_equal(permit_package_verify(pk, path, NULL, &verified, NULL), 0);
        assert_string_equal(permit_package_info_seal_digest(info), permit_package_info_seal_digest(verified));
        assert_int_equal(permit_package_info_files(info), permit_package_info_files(verified));
        assert_int_equal(permit_package_info_total_size(info), permit_package_info_total_size(verified));
        permit_package_info_free(verified);
        permit_package_info_free(info);
}

static void test_inspect_signed(void **state) {
        permit_error error;

        (void) state;
        st_zip_from_dir(pkg, zip);
        assert_int_equal(sign(pkg, &error), 0);
        assert_int_equal(sign(zip, &error), 0);
        check_signed(pkg);
        check_signed(zip);
}

/* Inspect believes nothing but the manifest: a changed file is not its
 * business, a malformed seal or manifest is. */
static void test_inspect_tampered(void **state) {
        permit_package_info *info = NULL;
        permit_error error;
        size_t len;
        char *sig;

        (void) state;
        assert_int_equal(sign(pkg, &error), 0);
        test_write_string(at("lib/util.py"), "import os\n");
        info = inspect(pkg);
        assert_false(permit_package_info_verified(info));
        assert_int_equal(permit_package_info_signed_at(info), SIGNED_AT);
        permit_package_info_free(info);
        info = NULL;

        sig = test_read(at("permit.sig"), &len);
        test_write(at("permit.sig"), sig, len / 2);
        assert_int_equal(permit_package_inspect(pkg, NULL, &info, &error), -EINVAL);
        assert_null(info);
        assert_true(ends_with(error.source, "/addon/permit.sig"));
        test_write(at("permit.sig"), sig, len);

        test_write_string(at("permit.json"), "{}");
        assert_int_equal(permit_package_inspect(pkg, NULL, &info, &error), -EINVAL);
        assert_null(info);
        assert_true(ends_with(error.source, "/addon/permit.json"));
        free(sig);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_no_manifest, setup, teardown),
                cmocka_unit_test_setup_teardown(test_invalid_manifest, setup, teardown),
                cmocka_unit_test_setup_teardown(test_entry_missing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unsafe_zip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resign_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nonexistent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_a_package, setup, teardown),
                cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
                cmocka_unit_test_setup_teardown(test_inspect_unsigned, setup, teardown),
                cmocka_unit_test_setup_teardown(test_inspect_signed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_inspect_tampered, setup, teardown),
        };

        return cmocka_run_group_tests_name("seal-refuse", tests, group_setup, group_teardown);
}
