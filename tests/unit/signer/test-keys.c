/* SPDX-License-Identifier: MIT */
/* Public and secret keys: round trips through strings and files, with and
 * without a password, and every error path of keys.h. Passwords here use
 * scrypt's minimum limits, so the suite stays fast; the interop test writes
 * and reads a key with minisign's real ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>

#include "permit/keys.h"
#include "signer/keys-private.h"
#include "signer-test.h"
#include "util.h"

#define SK_BYTES 158
#define SK_B64 212
enum { OFF_KDF = 2, OFF_CHK_ALG = 4, OFF_SALT = 6, OFF_OPS = 38, OFF_MEM = 46, OFF_KEYNUM = 54, OFF_SK = 62, OFF_CHK = 126 };

static char *dir;

static int setup(void **state) {
        (void) state;
        assert_true(sodium_init() >= 0);
        dir = test_tempdir();
        permit_seckey_set_kdf_limits_for_testing(crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN,
                                                 crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN);
        return 0;
}

static int teardown(void **state) {
        (void) state;
        permit_seckey_set_kdf_limits_for_testing(0, 0);
        test_rm_rf(dir);
        dir = NULL;
        return 0;
}

static char *path_in(const char *name) {
        return test_join(dir, name);
}

static void assert_same_pubkey(const permit_pubkey *a, const permit_pubkey *b) {
        assert_memory_equal(permit_pubkey_id(a), permit_pubkey_id(b), PERMIT_KEY_ID_SIZE);
        assert_memory_equal(permit_pubkey_ed25519(a), permit_pubkey_ed25519(b), 32);
}

/* sk signs, pk verifies, and another message does not. */
static void assert_pair(const permit_seckey *sk, const permit_pubkey *pk) {
        uint8_t sig[PERMIT_SIGNATURE_SIZE];

        assert_int_equal(permit_seckey_sign(sk, "hello", 5, sig), 0);
        assert_int_equal(permit_pubkey_verify(pk, sig, "hello", 5), 0);
        assert_int_equal(permit_pubkey_verify(pk, sig, "hellO", 5), -EBADMSG);
        assert_memory_equal(permit_seckey_id(sk), permit_pubkey_id(pk), PERMIT_KEY_ID_SIZE);
}

static void test_key_id_string(void **state) {
        static const uint8_t id[PERMIT_KEY_ID_SIZE] = { 0x1f, 0xe8, 0xb4, 0x42, 0x18, 0x0f, 0x62, 0xe7 };
        static const uint8_t key[32] = { 0 };
        char buf[PERMIT_KEY_ID_STRING_SIZE];
        permit_pubkey *pk = NULL;

        (void) state;
        assert_int_equal(permit_pubkey_from_raw(id, key, &pk), 0);
        permit_pubkey_id_string(pk, buf);
        /* minisign prints the little-endian number. */
        assert_string_equal(buf, "E7620F1842B4E81F");
        permit_pubkey_free(pk);
}

static void test_generate(void **state) {
        permit_pubkey *pk1 = NULL, *pk2 = NULL, *derived = NULL;
        permit_seckey *sk1 = NULL, *sk2 = NULL;

        (void) state;
        assert_int_equal(permit_keypair_generate(&pk1, &sk1), 0);
        assert_int_equal(permit_keypair_generate(&pk2, &sk2), 0);
        assert_memory_not_equal(permit_pubkey_ed25519(pk1), permit_pubkey_ed25519(pk2), 32);
        assert_memory_not_equal(permit_pubkey_id(pk1), permit_pubkey_id(pk2), PERMIT_KEY_ID_SIZE);
        assert_pair(sk1, pk1);
        assert_int_equal(permit_seckey_pubkey(sk1, &derived), 0);
        assert_same_pubkey(derived, pk1);

        /* Each key refuses the other's signatures. */
        uint8_t sig[PERMIT_SIGNATURE_SIZE];
        assert_int_equal(permit_seckey_sign(sk2, "x", 1, sig), 0);
        assert_int_equal(permit_pubkey_verify(pk1, sig, "x", 1), -EBADMSG);
        assert_int_equal(permit_pubkey_verify(pk2, sig, "x", 1), 0);
        /* Empty messages. */
        assert_int_equal(permit_seckey_sign(sk1, NULL, 0, sig), 0);
        assert_int_equal(permit_pubkey_verify(pk1, sig, NULL, 0), 0);
        assert_int_equal(permit_pubkey_verify(pk1, sig, "", 0), 0);

        /* NULLs. */
        assert_int_equal(permit_keypair_generate(NULL, &sk2), -EINVAL);
        assert_int_equal(permit_keypair_generate(&pk2, NULL), -EINVAL);
        assert_int_equal(permit_seckey_pubkey(NULL, &derived), -EINVAL);
        assert_int_equal(permit_seckey_pubkey(sk1, NULL), -EINVAL);
        assert_int_equal(permit_seckey_sign(NULL, "x", 1, sig), -EINVAL);
        assert_int_equal(permit_seckey_sign(sk1, NULL, 1, sig), -EINVAL);
        assert_int_equal(permit_seckey_sign(sk1, "x", 1, NULL), -EINVAL);
        assert_int_equal(permit_pubkey_verify(NULL, sig, "x", 1), -EINVAL);
        assert_int_equal(permit_pubkey_verify(pk1, NULL, "x", 1), -EINVAL);
        assert_int_equal(permit_pubkey_verify(pk1, sig, NULL, 1), -EINVAL);
        permit_pubkey_free(NULL);
        permit_seckey_free(NULL);

        permit_pubkey_free(derived);
        permit_pubkey_free(pk1);
        permit_pubkey_free(pk2);
        permit_seckey_free(sk1);
        permit_seckey_free(sk2);
}

static void test_pubkey_string_round_trip(void **state) {
        permit_pubkey *pk = NULL, *back = NULL;
        permit_seckey *sk = NULL;
        char s[PERMIT_PUBKEY_STRING_SIZE];

        (void) state;
        assert_int_equal(permit_keypair_generate(&pk, &sk), 0);
        permit_pubkey_string(pk, s);
        assert_int_equal(strlen(s), 56);
        assert_true(startswith(s, "RW"));
        assert_int_equal(permit_pubkey_from_string(s, &back, NULL), 0);
        assert_same_pubkey(pk, back);
        permit_pubkey_free(back);
        permit_pubkey_free(pk);
        permit_seckey_free(sk);
}

static void expect_bad_pubkey_string(const char *s) {
        permit_pubkey *pk = NULL;
        permit_error err;

        permit_error_clear(&err);
        assert_int_equal(permit_pubkey_from_string(s, &pk, &err), -EINVAL);
        assert_null(pk);
        assert_true(err.text[0] != '\0');
}

static void test_pubkey_string_errors(void **state) {
        const char *good = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";
        char buf[128];
        uint8_t raw[42];
        size_t n;
        permit_pubkey *pk = NULL;

        (void) state;
        assert_int_equal(permit_pubkey_from_string(good, &pk, NULL), 0);
        permit_pubkey_free(pk);

        expect_bad_pubkey_string("");
        expect_bad_pubkey_string("RW");
        /* wrong length: one less, one more, with a line end */
        snprintf(buf, sizeof(buf), "%.55s", good);
        expect_bad_pubkey_string(buf);
        snprintf(buf, sizeof(buf), "%sA", good);
        expect_bad_pubkey_string(buf);
        snprintf(buf, sizeof(buf), "%s\n", good);
        expect_bad_pubkey_string(buf);
        snprintf(buf, sizeof(buf), " %s", good);
        expect_bad_pubkey_string(buf);
        /* bad base64: a character outside the alphabet, in each position */
        for (size_t i = 0; i < 56; i++) {
                snprintf(buf, sizeof(buf), "%s", good);
                buf[i] = '!';
                expect_bad_pubkey_string(buf);
                buf[i] = (char) 0x80; /* libsodium 1.0.18 would read this as '/' */
                expect_bad_pubkey_string(buf);
        }
        /* padding where it cannot be */
        snprintf(buf, sizeof(buf), "%s", good);
        buf[10] = '=';
        expect_bad_pubkey_string(buf);
        /* wrong algorithm: "ED" (that is a signature algorithm) and "\0\0" */
        assert_int_equal(sodium_base642bin(raw, sizeof(raw), good, 56, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL),
                         0);
        assert_int_equal(n, sizeof(raw));
        raw[1] = 'D';
        sodium_bin2base64(buf, sizeof(buf), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
        expect_bad_pubkey_string(buf);
        raw[0] = raw[1] = 0;
        sodium_bin2base64(buf, sizeof(buf), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
        expect_bad_pubkey_string(buf);
        /* a valid base64 string of another length (a secret-key-sized blob) */
        uint8_t big[48] = { 'E', 'd' };
        sodium_bin2base64(buf, sizeof(buf), big, sizeof(big), sodium_base64_VARIANT_ORIGINAL);
        expect_bad_pubkey_string(buf);

        assert_int_equal(permit_pubkey_from_string(NULL, &pk, NULL), -EINVAL);
        assert_int_equal(permit_pubkey_from_string(good, NULL, NULL), -EINVAL);
}

static void test_pubkey_file_round_trip(void **state) {
        _cleanup_free_ char *path = path_in("round.pub"), *text = NULL;
        permit_pubkey *pk = NULL, *back = NULL;
        permit_seckey *sk = NULL;
        char id[PERMIT_KEY_ID_STRING_SIZE], key[PERMIT_PUBKEY_STRING_SIZE], want[256];
        struct stat st;

        (void) state;
        assert_int_equal(permit_keypair_generate(&pk, &sk), 0);
        assert_int_equal(permit_pubkey_save(pk, path, 0), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0644);
        text = test_read(path, NULL);
        permit_pubkey_id_string(pk, id);
        permit_pubkey_string(pk, key);
        snprintf(want, sizeof(want), "untrusted comment: minisign public key %s\n%s\n", id, key);
        assert_string_equal(text, want);
        assert_int_equal(permit_pubkey_load(path, &back, NULL), 0);
        assert_same_pubkey(pk, back);
        permit_pubkey_free(back);
        back = NULL;

        /* An existing file stays unless overwrite. */
        permit_pubkey *other = NULL;
        permit_seckey *other_sk = NULL;
        assert_int_equal(permit_keypair_generate(&other, &other_sk), 0);
        assert_int_equal(permit_pubkey_save(other, path, 0), -EEXIST);
        assert_int_equal(permit_pubkey_load(path, &back, NULL), 0);
        assert_same_pubkey(pk, back);
        permit_pubkey_free(back);
        assert_int_equal(permit_pubkey_save(other, path, 1), 0);
        assert_int_equal(permit_pubkey_load(path, &back, NULL), 0);
        assert_same_pubkey(other, back);
        permit_pubkey_free(back);

        /* Nowhere to write. */
        _cleanup_free_ char *nodir = path_in("no/such/dir.pub");
        assert_true(permit_pubkey_save(pk, nodir, 0) < 0);
        assert_int_equal(permit_pubkey_save(NULL, path, 1), -EINVAL);
        assert_int_equal(permit_pubkey_save(pk, NULL, 1), -EINVAL);

        permit_pubkey_free(other);
        permit_seckey_free(other_sk);
        permit_pubkey_free(pk);
        permit_seckey_free(sk);
}

static void expect_pubkey_file(const char *content, size_t len, int want) {
        _cleanup_free_ char *path = path_in("case.pub");
        permit_pubkey *pk = NULL;
        permit_error err;

        test_write(path, content, len);
        permit_error_clear(&err);
        assert_int_equal(permit_pubkey_load(path, &pk, &err), want);
        if (want == 0) {
                char s[PERMIT_PUBKEY_STRING_SIZE];
                permit_pubkey_string(pk, s);
                assert_string_equal(s, "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3");
                permit_pubkey_free(pk);
        } else {
                assert_null(pk);
                assert_string_equal(err.source, path);
                assert_true(err.text[0] != '\0');
        }
}

#define PUB_LINE "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3"
#define EXPECT_PUB(s, want) expect_pubkey_file(s, sizeof(s) - 1, want)

static void test_pubkey_file_errors(void **state) {
        (void) state;
        EXPECT_PUB("untrusted comment: x\n" PUB_LINE "\n", 0);
        EXPECT_PUB("untrusted comment: x\r\n" PUB_LINE "\r\n", 0);
        EXPECT_PUB("untrusted comment: x\n" PUB_LINE, 0);
        EXPECT_PUB("untrusted comment: x\n" PUB_LINE "\n\n\r\n", 0);
        EXPECT_PUB("untrusted comment: \n" PUB_LINE "\n", 0);

        EXPECT_PUB("", -EINVAL);
        EXPECT_PUB("\n", -EINVAL);
        EXPECT_PUB("untrusted comment: x\n", -EINVAL);
        EXPECT_PUB("untrusted comment: x", -EINVAL);
        EXPECT_PUB(PUB_LINE "\n", -EINVAL);                            /* no comment line */
        EXPECT_PUB("untrusted comment x\n" PUB_LINE "\n", -EINVAL);    /* prefix */
        EXPECT_PUB("Untrusted comment: x\n" PUB_LINE "\n", -EINVAL);
        EXPECT_PUB("untrusted comment: x\n\n" PUB_LINE "\n", -EINVAL); /* blank line */
        EXPECT_PUB("untrusted comment: x\n" PUB_LINE "A\n", -EINVAL);
        EXPECT_PUB("untrusted comment: x\n" PUB_LINE " \n", -EINVAL);
        EXPECT_PUB("untrusted comment: x\n " PUB_LINE "\n", -EINVAL);
        EXPECT_PUB("untrusted comment: x\n" PUB_LINE "\nmore\n", -EINVAL); /* trailing text */
        EXPECT_PUB("untrusted comment: x\r" PUB_LINE "\n", -EINVAL);       /* lone CR */
        EXPECT_PUB("untrusted comment: x\n" PUB_LINE "\r", -EINVAL);
        EXPECT_PUB("untrusted comment: x\0y\n" PUB_LINE "\n", -EINVAL);    /* NUL */
        EXPECT_PUB("untrusted comment: x\n" PUB_LINE "\n\0", -EINVAL);
        EXPECT_PUB("untrusted comment: x\nRWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO!\n", -EINVAL);
        EXPECT_PUB("untrusted comment: x\nRUQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n", -EINVAL);

        /* A comment line past the bound, and a file past the bound. */
        char *big = malloc(5000);
        assert_non_null(big);
        memset(big, 'x', 5000);
        memcpy(big, "untrusted comment: ", 19);
        big[1100] = '\n';
        memcpy(big + 1101, PUB_LINE "\n", 57);
        expect_pubkey_file(big, 1101 + 57, -EINVAL);
        big[1001] = '\n';
        memcpy(big + 1002, PUB_LINE "\n", 57);
        expect_pubkey_file(big, 1002 + 57, 0);
        memset(big + 1059, '\n', 5000 - 1059);
        expect_pubkey_file(big, 5000, -EINVAL); /* 5000 bytes: not a key file */
        free(big);
}

static void test_load_unreadable(void **state) {
        _cleanup_free_ char *missing = path_in("missing"), *notdir = path_in("case.pub/x");
        _cleanup_free_ char *secret = path_in("unreadable.key");
        permit_pubkey *pk = NULL;
        permit_seckey *sk = NULL;
        permit_error err;

        (void) state;
        permit_error_clear(&err);
        assert_int_equal(permit_pubkey_load(missing, &pk, &err), -ENOENT);
        assert_string_equal(err.source, missing);
        assert_int_equal(permit_seckey_load(missing, NULL, 0, &sk, &err), -ENOENT);
        assert_int_equal(permit_pubkey_load(dir, &pk, NULL), -EISDIR);
        assert_int_equal(permit_seckey_load(dir, NULL, 0, &sk, NULL), -EISDIR);
        _cleanup_free_ char *file = path_in("case.pub");
        test_write_string(file, "x");
        assert_int_equal(permit_pubkey_load(notdir, &pk, NULL), -ENOTDIR);
        assert_int_equal(permit_seckey_load(notdir, NULL, 0, &sk, NULL), -ENOTDIR);
        assert_int_equal(permit_pubkey_load("/dev/null", &pk, NULL), -EINVAL);
        assert_int_equal(permit_seckey_load("/dev/null", NULL, 0, &sk, NULL), -EINVAL);
        assert_int_equal(permit_pubkey_load(NULL, &pk, NULL), -EINVAL);
        assert_int_equal(permit_pubkey_load(missing, NULL, NULL), -EINVAL);
        assert_int_equal(permit_seckey_load(NULL, NULL, 0, &sk, NULL), -EINVAL);
        assert_int_equal(permit_seckey_load(missing, NULL, 0, NULL, NULL), -EINVAL);
        assert_int_equal(permit_seckey_load(missing, NULL, 3, &sk, NULL), -EINVAL);
        /* Permissions only stop a process that is not root. */
        if (geteuid() != 0) {
                test_write_string(secret, "untrusted comment: x\n");
                assert_int_equal(chmod(secret, 0), 0);
                assert_int_equal(permit_seckey_load(secret, NULL, 0, &sk, NULL), -EACCES);
                assert_int_equal(permit_pubkey_load(secret, &pk, NULL), -EACCES);
        } else
                printf("# running as root: the EACCES case is not checked\n");
        assert_null(pk);
        assert_null(sk);
}

static void test_seckey_round_trip_plain(void **state) {
        _cleanup_free_ char *path = path_in("plain.key"), *text = NULL;
        permit_pubkey *pk = NULL;
        permit_seckey *sk = NULL, *back = NULL;
        struct stat st;

        (void) state;
        assert_int_equal(permit_keypair_generate(&pk, &sk), 0);
        assert_int_equal(permit_seckey_save(sk, path, NULL, 0, 0), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        text = test_read(path, NULL);
        assert_true(startswith(text, "untrusted comment: minisign encrypted secret key\nRWQAAEIy"));
        assert_int_equal(strlen(text), 49 + SK_B64 + 1);

        assert_int_equal(permit_seckey_load(path, NULL, 0, &back, NULL), 0);
        assert_pair(back, pk);
        permit_seckey_free(back);
        /* A password given for a key that has none is not needed. */
        assert_int_equal(permit_seckey_load(path, "pw", 2, &back, NULL), 0);
        assert_pair(back, pk);
        permit_seckey_free(back);

        /* "" is no password either. */
        _cleanup_free_ char *path2 = path_in("plain2.key");
        assert_int_equal(permit_seckey_save(sk, path2, "", 0, 0), 0);
        assert_int_equal(permit_seckey_load(path2, NULL, 0, &back, NULL), 0);
        assert_pair(back, pk);
        permit_seckey_free(back);

        /* Existing file without overwrite. */
        permit_pubkey *pk2 = NULL;
        permit_seckey *sk2 = NULL;
        assert_int_equal(permit_keypair_generate(&pk2, &sk2), 0);
        assert_int_equal(permit_seckey_save(sk2, path, NULL, 0, 0), -EEXIST);
        assert_int_equal(permit_seckey_load(path, NULL, 0, &back, NULL), 0);
        assert_pair(back, pk);
        permit_seckey_free(back);
        assert_int_equal(permit_seckey_save(sk2, path, NULL, 0, 1), 0);
        assert_int_equal(permit_seckey_load(path, NULL, 0, &back, NULL), 0);
        assert_pair(back, pk2);
        permit_seckey_free(back);

        _cleanup_free_ char *nodir = path_in("no/such/dir.key");
        assert_true(permit_seckey_save(sk, nodir, NULL, 0, 0) < 0);
        assert_int_equal(permit_seckey_save(NULL, path, NULL, 0, 1), -EINVAL);
        assert_int_equal(permit_seckey_save(sk, NULL, NULL, 0, 1), -EINVAL);
        assert_int_equal(permit_seckey_save(sk, path, NULL, 2, 1), -EINVAL);

        permit_pubkey_free(pk2);
        permit_seckey_free(sk2);
        permit_pubkey_free(pk);
        permit_seckey_free(sk);
}

static void test_seckey_round_trip_password(void **state) {
        _cleanup_free_ char *path = path_in("secret.key");
        static const char pw[] = "correct horse \xc3\xa9 battery";
        permit_pubkey *pk = NULL;
        permit_seckey *sk = NULL, *back = NULL;
        permit_error err;

        (void) state;
        assert_int_equal(permit_keypair_generate(&pk, &sk), 0);
        assert_int_equal(permit_seckey_save(sk, path, pw, strlen(pw), 0), 0);

        assert_int_equal(permit_seckey_load(path, pw, strlen(pw), &back, NULL), 0);
        assert_pair(back, pk);
        permit_seckey_free(back);
        back = NULL;

        permit_error_clear(&err);
        assert_int_equal(permit_seckey_load(path, "wrong", 5, &back, &err), -EKEYREJECTED);
        assert_string_equal(err.source, path);
        assert_non_null(strstr(err.text, "password"));
        /* The length counts: a prefix, or one more character, is another
         * password. (Not a trailing NUL: scrypt's PBKDF2-HMAC pads short
         * keys with zeros, so "pw" and "pw\0" are the same password.) */
        assert_int_equal(permit_seckey_load(path, pw, strlen(pw) - 1, &back, NULL), -EKEYREJECTED);
        char longer[sizeof(pw) + 1];
        memcpy(longer, pw, strlen(pw));
        longer[strlen(pw)] = 'y';
        assert_int_equal(permit_seckey_load(path, longer, strlen(pw) + 1, &back, NULL), -EKEYREJECTED);
        permit_error_clear(&err);
        assert_int_equal(permit_seckey_load(path, NULL, 0, &back, &err), -ENOKEY);
        assert_true(err.text[0] != '\0');
        assert_int_equal(permit_seckey_load(path, "", 0, &back, NULL), -ENOKEY);
        assert_null(back);

        permit_pubkey_free(pk);
        permit_seckey_free(sk);
}

/* The decoded blob of a secret key file we wrote without a password. */
static void plain_blob(permit_seckey **ret_sk, uint8_t blob[SK_BYTES]) {
        _cleanup_free_ char *path = path_in("blob.key"), *text = NULL;
        permit_pubkey *pk = NULL;
        size_t n = 0;

        assert_int_equal(permit_keypair_generate(&pk, ret_sk), 0);
        permit_pubkey_free(pk);
        unlink(path);
        assert_int_equal(permit_seckey_save(*ret_sk, path, NULL, 0, 0), 0);
        text = test_read(path, NULL);
        assert_int_equal(sodium_base642bin(blob, SK_BYTES, strchr(text, '\n') + 1, SK_B64, NULL, &n, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        assert_int_equal(n, SK_BYTES);
}

static void write_blob(const char *path, const uint8_t *blob, size_t len) {
        char b64[400], text[512];

        sodium_bin2base64(b64, sizeof(b64), blob, len, sodium_base64_VARIANT_ORIGINAL);
        snprintf(text, sizeof(text), "untrusted comment: crafted\n%s\n", b64);
        test_write_string(path, text);
}

static void checksum(uint8_t blob[SK_BYTES]) {
        crypto_generichash_state st;

        crypto_generichash_init(&st, NULL, 0, 32);
        crypto_generichash_update(&st, blob, 2);
        crypto_generichash_update(&st, blob + OFF_KEYNUM, 8 + 64);
        crypto_generichash_final(&st, blob + OFF_CHK, 32);
}

static int load_blob(const uint8_t *blob, size_t len, const char *pw) {
        _cleanup_free_ char *path = path_in("crafted.key");
        permit_seckey *sk = NULL;
        permit_error err;
        int r;

        write_blob(path, blob, len);
        permit_error_clear(&err);
        r = permit_seckey_load(path, pw, pw ? strlen(pw) : 0, &sk, &err);
        if (r < 0) {
                assert_null(sk);
                assert_true(err.text[0] != '\0');
        }
        permit_seckey_free(sk);
        return r;
}

static void le64(uint8_t *p, uint64_t x) {
        for (int i = 0; i < 8; i++, x >>= 8)
                p[i] = (uint8_t) x;
}

static void test_seckey_malformed(void **state) {
        uint8_t good[SK_BYTES], b[SK_BYTES];
        permit_seckey *sk = NULL;

        (void) state;
        plain_blob(&sk, good);
        assert_memory_equal(good, "Ed\0\0B2", 6);
        assert_int_equal(load_blob(good, SK_BYTES, NULL), 0);

        /* Truncated, or one byte long. */
        for (size_t n = 0; n < SK_BYTES; n += 7)
                assert_int_equal(load_blob(good, n, NULL), -EINVAL);
        memcpy(b, good, SK_BYTES);
        assert_int_equal(load_blob(b, SK_BYTES - 1, NULL), -EINVAL);

        /* Signature, key derivation and checksum algorithms. */
        memcpy(b, good, SK_BYTES);
        b[1] = 'D';
        assert_int_equal(load_blob(b, SK_BYTES, NULL), -EINVAL);
        memcpy(b, good, SK_BYTES);
        memcpy(b + OFF_KDF, "Ar", 2);
        assert_int_equal(load_blob(b, SK_BYTES, "pw"), -EINVAL);
        memcpy(b + OFF_KDF, "\0S", 2);
        assert_int_equal(load_blob(b, SK_BYTES, NULL), -EINVAL);
        memcpy(b, good, SK_BYTES);
        memcpy(b + OFF_CHK_ALG, "B3", 2);
        assert_int_equal(load_blob(b, SK_BYTES, NULL), -EINVAL);

        /* An unencrypted key: the checksum, when there is one, must match;
         * minisign -W writes none (zeros). */
        memcpy(b, good, SK_BYTES);
        b[OFF_CHK + 5] ^= 1;
        assert_int_equal(load_blob(b, SK_BYTES, NULL), -EINVAL);
        memset(b + OFF_CHK, 0, 32);
        assert_int_equal(load_blob(b, SK_BYTES, NULL), 0);
        /* Two halves that do not belong together, even with a valid checksum. */
        memcpy(b, good, SK_BYTES);
        b[OFF_SK + 40] ^= 1;
        checksum(b);
        assert_int_equal(load_blob(b, SK_BYTES, NULL), -EINVAL);
        /* salt and limits do not matter without a password (minisign -C -W
         * leaves them in place). */
        memcpy(b, good, SK_BYTES);
        memset(b + OFF_SALT, 0x55, 32);
        le64(b + OFF_OPS, UINT64_MAX);
        le64(b + OFF_MEM, UINT64_MAX);
        assert_int_equal(load_blob(b, SK_BYTES, NULL), 0);

        /* Encrypted with absurd limits: refused before any scrypt. */
        memcpy(b, good, SK_BYTES);
        memcpy(b + OFF_KDF, "Sc", 2);
        le64(b + OFF_OPS, crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE);
        le64(b + OFF_MEM, UINT64_C(4) << 30);
        assert_int_equal(load_blob(b, SK_BYTES, "pw"), -EINVAL);
        le64(b + OFF_MEM, UINT64_MAX);
        assert_int_equal(load_blob(b, SK_BYTES, "pw"), -EINVAL);
        le64(b + OFF_MEM, crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE);
        le64(b + OFF_OPS, UINT64_C(1) << 40);
        assert_int_equal(load_blob(b, SK_BYTES, "pw"), -EINVAL);
        le64(b + OFF_OPS, UINT64_MAX);
        assert_int_equal(load_blob(b, SK_BYTES, NULL), -EINVAL);
        /* ... and without a password, the limits are checked first. */
        le64(b + OFF_OPS, crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN);
        le64(b + OFF_MEM, crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN);
        assert_int_equal(load_blob(b, SK_BYTES, NULL), -ENOKEY);
        /* A plain key marked "Sc": decrypting it garbles it, the checksum says so. */
        assert_int_equal(load_blob(b, SK_BYTES, "pw"), -EKEYREJECTED);

        /* Base64 that is not: a character outside the alphabet. */
        _cleanup_free_ char *path = path_in("badb64.key");
        char b64[400], text[512];
        sodium_bin2base64(b64, sizeof(b64), good, SK_BYTES, sodium_base64_VARIANT_ORIGINAL);
        b64[100] = (char) 0x80;
        snprintf(text, sizeof(text), "untrusted comment: x\n%s\n", b64);
        test_write_string(path, text);
        assert_int_equal(permit_seckey_load(path, NULL, 0, &(permit_seckey *){ NULL }, NULL), -EINVAL);
        b64[100] = '*';
        snprintf(text, sizeof(text), "untrusted comment: x\n%s\n", b64);
        test_write_string(path, text);
        assert_int_equal(permit_seckey_load(path, NULL, 0, &(permit_seckey *){ NULL }, NULL), -EINVAL);
        /* No comment line, or not the right one. */
        sodium_bin2base64(b64, sizeof(b64), good, SK_BYTES, sodium_base64_VARIANT_ORIGINAL);
        test_write_string(path, b64);
        assert_int_equal(permit_seckey_load(path, NULL, 0, &(permit_seckey *){ NULL }, NULL), -EINVAL);
        snprintf(text, sizeof(text), "comment: x\n%s\n", b64);
        test_write_string(path, text);
        assert_int_equal(permit_seckey_load(path, NULL, 0, &(permit_seckey *){ NULL }, NULL), -EINVAL);
        snprintf(text, sizeof(text), "untrusted comment: x\r\n%s\r\n", b64);
        test_write_string(path, text);
        permit_seckey *ok = NULL;
        assert_int_equal(permit_seckey_load(path, NULL, 0, &ok, NULL), 0);
        permit_seckey_free(ok);
        snprintf(text, sizeof(text), "untrusted comment: x\n%s\nextra\n", b64);
        test_write_string(path, text);
        assert_int_equal(permit_seckey_load(path, NULL, 0, &(permit_seckey *){ NULL }, NULL), -EINVAL);

        permit_seckey_free(sk);
}

/* Every byte of the encrypted part changed: the password no longer opens it. */
static void test_seckey_encrypted_tampered(void **state) {
        _cleanup_free_ char *path = path_in("tamper.key"), *text = NULL;
        static const char pw[] = "pw";
        permit_pubkey *pk = NULL;
        permit_seckey *sk = NULL;
        uint8_t blob[SK_BYTES];
        size_t n = 0;

        (void) state;
        assert_int_equal(permit_keypair_generate(&pk, &sk), 0);
        assert_int_equal(permit_seckey_save(sk, path, pw, 2, 0), 0);
        text = test_read(path, NULL);
        assert_int_equal(sodium_base642bin(blob, SK_BYTES, strchr(text, '\n') + 1, SK_B64, NULL, &n, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        assert_memory_equal(blob, "EdScB2", 6);
        assert_int_equal(load_blob(blob, SK_BYTES, pw), 0);
        for (size_t i = OFF_SALT; i < SK_BYTES; i++) {
                if (i >= OFF_OPS && i < OFF_KEYNUM)
                        continue; /* the limits: changing them changes the cost, see above */
                blob[i] ^= 0x01;
                assert_int_equal(load_blob(blob, SK_BYTES, pw), -EKEYREJECTED);
                blob[i] ^= 0x01;
        }
        permit_pubkey_free(pk);
        permit_seckey_free(sk);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_key_id_string),
                cmocka_unit_test(test_generate),
                cmocka_unit_test(test_pubkey_string_round_trip),
                cmocka_unit_test(test_pubkey_string_errors),
                cmocka_unit_test(test_pubkey_file_round_trip),
                cmocka_unit_test(test_pubkey_file_errors),
                cmocka_unit_test(test_load_unreadable),
                cmocka_unit_test(test_seckey_round_trip_plain),
                cmocka_unit_test(test_seckey_round_trip_password),
                cmocka_unit_test(test_seckey_malformed),
                cmocka_unit_test(test_seckey_encrypted_tampered),
        };
        return cmocka_run_group_tests_name("signer-keys", tests, setup, teardown);
}
