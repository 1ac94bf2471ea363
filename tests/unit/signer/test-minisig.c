/* SPDX-License-Identifier: MIT */
/* Detached .minisig signatures: sign and verify round trips (the default
 * trusted comment, a given one, empty and multi-chunk files, a legacy "Ed"
 * signature), and every error path of minisig.h: files that cannot be read,
 * another key id, a tampered trusted comment, malformed lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <time.h>

#include "permit/minisig.h"
#include "signer/keys-private.h"
#include "signer-test.h"
#include "util.h"

static char *dir;
static permit_pubkey *pk;
static permit_seckey *sk;

static int setup(void **state) {
        (void) state;
        assert_true(sodium_init() >= 0);
        dir = test_tempdir();
        assert_int_equal(permit_keypair_generate(&pk, &sk), 0);
        return 0;
}

static int teardown(void **state) {
        (void) state;
        permit_pubkey_free(pk);
        permit_seckey_free(sk);
        test_rm_rf(dir);
        return 0;
}

static char *path_in(const char *name) {
        return test_join(dir, name);
}

static void test_default_trusted_comment(void **state) {
        _cleanup_free_ char *msg = path_in("add-on.zip"), *sig = path_in("add-on.zip.minisig"), *text = NULL;
        _cleanup_free_ char *tc = NULL;
        char want_prefix[64], *line;
        long long ts;
        int consumed = 0;

        (void) state;
        test_write_string(msg, "hello, world\n");
        time_t before = time(NULL);
        assert_int_equal(permit_minisig_sign_file(sk, msg, sig, NULL, NULL), 0);
        time_t after = time(NULL);

        /* The file, line by line, as minisign writes it. */
        text = test_read(sig, NULL);
        assert_true(startswith(text, "untrusted comment: signature from minisign secret key\nRU"));
        line = strchr(text, '\n') + 1;
        assert_int_equal(strchr(line, '\n') - line, 100);
        line = strchr(line, '\n') + 1;
        assert_true(startswith(line, "trusted comment: timestamp:"));
        assert_int_equal(sscanf(line, "trusted comment: timestamp:%lld%n", &ts, &consumed), 1);
        assert_true(ts >= (long long) before && ts <= (long long) after);
        assert_true(startswith(line + consumed, "\tfile:add-on.zip\thashed\n"));
        line = strchr(line, '\n') + 1;
        assert_int_equal(strlen(line), 89);
        assert_int_equal(line[88], '\n');

        assert_int_equal(permit_minisig_verify_file(pk, msg, sig, &tc, NULL), 0);
        snprintf(want_prefix, sizeof(want_prefix), "timestamp:%lld\tfile:add-on.zip\thashed", ts);
        assert_string_equal(tc, want_prefix);

        /* "" means the default too, as with minisign -t "". */
        free(tc);
        tc = NULL;
        assert_int_equal(permit_minisig_sign_file(sk, msg, sig, "", NULL), 0);
        assert_int_equal(permit_minisig_verify_file(pk, msg, sig, &tc, NULL), 0);
        assert_true(startswith(tc, "timestamp:"));
        assert_non_null(strstr(tc, "\tfile:add-on.zip\thashed"));
}

static void test_given_trusted_comment(void **state) {
        _cleanup_free_ char *msg = path_in("m"), *sig = path_in("m.minisig");
        char *tc = NULL, *big;

        (void) state;
        test_write_string(msg, "m");
        assert_int_equal(permit_minisig_sign_file(sk, msg, sig, "id:org.example.addon\tversion:1.2.3 \xc3\xa9", NULL),
                         0);
        assert_int_equal(permit_minisig_verify_file(pk, msg, sig, &tc, NULL), 0);
        assert_string_equal(tc, "id:org.example.addon\tversion:1.2.3 \xc3\xa9");
        free(tc);

        /* The longest minisign takes, and one byte more. */
        big = malloc(PERMIT_TRUSTED_COMMENT_MAX + 2);
        assert_non_null(big);
        memset(big, 'c', PERMIT_TRUSTED_COMMENT_MAX + 1);
        big[PERMIT_TRUSTED_COMMENT_MAX] = '\0';
        assert_int_equal(permit_minisig_sign_file(sk, msg, sig, big, NULL), 0);
        tc = NULL;
        assert_int_equal(permit_minisig_verify_file(pk, msg, sig, &tc, NULL), 0);
        assert_string_equal(tc, big);
        free(tc);
        big[PERMIT_TRUSTED_COMMENT_MAX] = 'c';
        big[PERMIT_TRUSTED_COMMENT_MAX + 1] = '\0';
        permit_error err;
        permit_error_clear(&err);
        assert_int_equal(permit_minisig_sign_file(sk, msg, sig, big, &err), -EINVAL);
        assert_true(err.text[0] != '\0');
        free(big);

        /* A comment must stay on its line. */
        assert_int_equal(permit_minisig_sign_file(sk, msg, sig, "a\nb", NULL), -EINVAL);
        assert_int_equal(permit_minisig_sign_file(sk, msg, sig, "a\rb", NULL), -EINVAL);
        assert_int_equal(permit_minisig_sign_file(sk, msg, sig, "ab\r", NULL), -EINVAL);
}

/* Empty files and files of several 64 KiB chunks, and one flipped byte in each. */
static void test_sizes(void **state) {
        static const size_t sizes[] = { 0, 1, 65535, 65536, 65537, 3 * 65536 + 17 };
        _cleanup_free_ char *msg = path_in("sized"), *sig = path_in("sized.minisig");

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(sizes); i++) {
                size_t n = sizes[i];
                uint8_t *data = malloc(n + 1);

                assert_non_null(data);
                randombytes_buf(data, n);
                test_write(msg, data, n);
                assert_int_equal(permit_minisig_sign_file(sk, msg, sig, NULL, NULL), 0);
                assert_int_equal(permit_minisig_verify_file(pk, msg, sig, NULL, NULL), 0);
                if (n > 0) {
                        data[n - 1] ^= 0x80;
                        test_write(msg, data, n);
                        assert_int_equal(permit_minisig_verify_file(pk, msg, sig, NULL, NULL), -EBADMSG);
                        data[0] ^= 0x01;
                        data[n - 1] ^= 0x80;
                        test_write(msg, data, n);
                        assert_int_equal(permit_minisig_verify_file(pk, msg, sig, NULL, NULL), -EBADMSG);
                }
                data[n] = 0;
                test_write(msg, data, n + 1);
                assert_int_equal(permit_minisig_verify_file(pk, msg, sig, NULL, NULL), -EBADMSG);
                free(data);
        }
}

/* A .minisig assembled by hand from its parts. */
static void write_minisig(const char *path, const char *line1, const char *alg, const uint8_t id[8],
                          const uint8_t sig[64], const char *tc, const uint8_t global[64], const char *tail) {
        uint8_t raw[74];
        char b1[128], b2[128], *text = NULL;

        memcpy(raw, alg, 2);
        memcpy(raw + 2, id, 8);
        memcpy(raw + 10, sig, 64);
        sodium_bin2base64(b1, sizeof(b1), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
        sodium_bin2base64(b2, sizeof(b2), global, 64, sodium_base64_VARIANT_ORIGINAL);
        assert_true(asprintf(&text, "%s\n%s\ntrusted comment: %s\n%s\n%s", line1, b1, tc, b2, tail) > 0);
        test_write_string(path, text);
        free(text);
}

/* Legacy "Ed": the file itself signed. permit verifies it (and never writes it). */
static void test_legacy(void **state) {
        _cleanup_free_ char *msg = path_in("legacy"), *sig = path_in("legacy.minisig");
        uint8_t s[64], g[64], both[64 + 32];
        const char *tc = "timestamp:0\tfile:legacy";
        char *got = NULL;

        (void) state;
        test_write_string(msg, "legacy message");
        assert_int_equal(permit_seckey_sign(sk, "legacy message", 14, s), 0);
        memcpy(both, s, 64);
        memcpy(both + 64, tc, strlen(tc));
        assert_int_equal(permit_seckey_sign(sk, both, 64 + strlen(tc), g), 0);
        write_minisig(sig, "untrusted comment: legacy", "Ed", permit_seckey_id(sk), s, tc, g, "");
        assert_int_equal(permit_minisig_verify_file(pk, msg, sig, &got, NULL), 0);
        assert_string_equal(got, tc);
        free(got);
        /* The same signature labelled prehashed: refused. */
        write_minisig(sig, "untrusted comment: legacy", "ED", permit_seckey_id(sk), s, tc, g, "");
        assert_int_equal(permit_minisig_verify_file(pk, msg, sig, NULL, NULL), -EBADMSG);

        /* Over 1 GiB, a legacy signature is refused without reading the file
         * (a sparse file costs nothing). */
        _cleanup_free_ char *huge = path_in("huge");
        int fd = open(huge, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (off_t) (UINT64_C(1) << 30) + 1), 0);
        close(fd);
        write_minisig(sig, "untrusted comment: legacy", "Ed", permit_seckey_id(sk), s, tc, g, "");
        permit_error err;
        permit_error_clear(&err);
        assert_int_equal(permit_minisig_verify_file(pk, huge, sig, NULL, &err), -EFBIG);
        assert_string_equal(err.source, huge);
        assert_non_null(strstr(err.text, "legacy"));
        unlink(huge);
}

/* A good signature, then each line broken in turn. */
static void test_malformed(void **state) {
        _cleanup_free_ char *msg = path_in("mal"), *sig = path_in("mal.minisig"), *text = NULL;
        _cleanup_free_ char *copy = path_in("mal.copy");
        uint8_t s[64], g[64], hash[64], both[64 + 16];
        const char *tc = "t";
        const uint8_t *id = permit_seckey_id(sk);
        char *tcout = (char *) "untouched";
        permit_error err;

        (void) state;
        test_write_string(msg, "mal");
        crypto_generichash(hash, 64, (const uint8_t *) "mal", 3, NULL, 0);
        assert_int_equal(permit_seckey_sign(sk, hash, 64, s), 0);
        memcpy(both, s, 64);
        memcpy(both + 64, tc, 1);
        assert_int_equal(permit_seckey_sign(sk, both, 65, g), 0);

#define EXPECT(want, line1, alg, tcs, tail)                                                           \
        do {                                                                                          \
                write_minisig(sig, line1, alg, id, s, tcs, g, tail);                                  \
                permit_error_clear(&err);                                                             \
                assert_int_equal(permit_minisig_verify_file(pk, msg, sig, &tcout, &err), want);       \
                if (want != 0) {                                                                      \
                        assert_string_equal(tcout, "untouched");                                      \
                        assert_true(err.text[0] != '\0');                                             \
                } else {                                                                              \
                        assert_string_equal(tcout, tc);                                               \
                        free(tcout);                                                                  \
                        tcout = (char *) "untouched";                                                 \
                }                                                                                     \
        } while (0)

        EXPECT(0, "untrusted comment: ok", "ED", tc, "");
        EXPECT(0, "untrusted comment: ", "ED", tc, "");
        EXPECT(0, "untrusted comment: ok", "ED", tc, "\n\r\n");
        EXPECT(-EINVAL, "untrusted comment:ok", "ED", tc, "");
        EXPECT(-EINVAL, "", "ED", tc, "");
        EXPECT(-EINVAL, "trusted comment: x", "ED", tc, "");
        EXPECT(-EINVAL, "untrusted comment: ok", "EE", tc, "");
        EXPECT(-EINVAL, "untrusted comment: ok", "ed", tc, "");
        EXPECT(-EINVAL, "untrusted comment: ok", "\0\0", tc, "");
        EXPECT(-EINVAL, "untrusted comment: ok", "ED", tc, "extra line\n");
        /* Tampered trusted comment: the global signature fails. */
        EXPECT(-EBADMSG, "untrusted comment: ok", "ED", "T", "");
        EXPECT(-EBADMSG, "untrusted comment: ok", "ED", "t ", "");
        EXPECT(-EBADMSG, "untrusted comment: ok", "ED", "", "");
        assert_non_null(strstr(err.text, "trusted comment"));
        assert_string_equal(err.source, sig);
        /* A different signature under the right key id. */
        s[0] ^= 1;
        EXPECT(-EBADMSG, "untrusted comment: ok", "ED", tc, "");
        s[0] ^= 1;
        /* Untrusted comment line too long. */
        char *longc = malloc(1100);
        memset(longc, 'u', 1099);
        longc[1099] = '\0';
        memcpy(longc, "untrusted comment: ", 19);
        EXPECT(-EINVAL, longc, "ED", tc, "");
        free(longc);
        /* Trusted comment longer than minisign's bound. */
        char *longt = malloc(PERMIT_TRUSTED_COMMENT_MAX + 2);
        memset(longt, 't', PERMIT_TRUSTED_COMMENT_MAX + 1);
        longt[PERMIT_TRUSTED_COMMENT_MAX + 1] = '\0';
        EXPECT(-EINVAL, "untrusted comment: ok", "ED", longt, "");
        free(longt);

        /* Line by line, through text edits of a good file. */
        write_minisig(sig, "untrusted comment: ok", "ED", id, s, tc, g, "");
        size_t len = 0;
        text = test_read(sig, &len);
        const char *l2 = strchr(text, '\n') + 1, *l3 = strchr(l2, '\n') + 1, *l4 = strchr(l3, '\n') + 1;
        struct {
                const char *what;
                size_t cut_at, cut_len;
                const char *insert;
                int want;
        } edits[] = {
                { "no line 4", (size_t) (l4 - text), len - (size_t) (l4 - text), "", -EINVAL },
                { "no lines 3, 4", (size_t) (l3 - text), len - (size_t) (l3 - text), "", -EINVAL },
                { "no lines 2-4", (size_t) (l2 - text), len - (size_t) (l2 - text), "", -EINVAL },
                { "empty file", 0, len, "", -EINVAL },
                { "line 2 short", (size_t) (l2 - text), 4, "", -EINVAL },
                { "line 2 long", (size_t) (l2 - text), 0, "AAAA", -EINVAL },
                { "line 4 short", (size_t) (l4 - text), 4, "", -EINVAL },
                { "line 4 long", (size_t) (l4 - text), 0, "AAAA", -EINVAL },
                { "line 2 space", (size_t) (l2 - text), 0, " ", -EINVAL },
                { "line 4 padding", (size_t) (l4 - text) + 86, 1, "A", -EINVAL },
                { "line 3 prefix", (size_t) (l3 - text), 1, "T", -EINVAL },
                { "line 3 blank", (size_t) (l3 - text), 0, "\n", -EINVAL },
                { "lone CR", (size_t) (l2 - text) - 1, 1, "\r", -EINVAL },
                { "CRLF", (size_t) (l2 - text) - 1, 1, "\r\n", 0 },
                { "no final newline", len - 1, 1, "", 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(edits); i++) {
                size_t n = len - edits[i].cut_len + strlen(edits[i].insert);
                char *e = malloc(n + 1);
                memcpy(e, text, edits[i].cut_at);
                memcpy(e + edits[i].cut_at, edits[i].insert, strlen(edits[i].insert));
                memcpy(e + edits[i].cut_at + strlen(edits[i].insert), text + edits[i].cut_at + edits[i].cut_len,
                       len - edits[i].cut_at - edits[i].cut_len);
                test_write(copy, e, n);
                int r = permit_minisig_verify_file(pk, msg, copy, NULL, NULL);
                if (r != edits[i].want)
                        fail_msg("%s: got %d, want %d", edits[i].what, r, edits[i].want);
                free(e);
        }

        /* A file too large to be a signature. */
        char *big = calloc(1, 20000);
        memset(big, '\n', 20000);
        memcpy(big, text, len);
        test_write(copy, big, 20000);
        assert_int_equal(permit_minisig_verify_file(pk, msg, copy, NULL, NULL), -EINVAL);
        free(big);
#undef EXPECT
}

static void test_other_key(void **state) {
        _cleanup_free_ char *msg = path_in("o"), *sig = path_in("o.minisig");
        permit_pubkey *pk2 = NULL;
        permit_seckey *sk2 = NULL;
        permit_error err;
        char id[PERMIT_KEY_ID_STRING_SIZE];

        (void) state;
        test_write_string(msg, "o");
        assert_int_equal(permit_keypair_generate(&pk2, &sk2), 0);
        assert_int_equal(permit_minisig_sign_file(sk2, msg, sig, NULL, NULL), 0);
        permit_error_clear(&err);
        assert_int_equal(permit_minisig_verify_file(pk, msg, sig, NULL, &err), -EKEYREJECTED);
        permit_pubkey_id_string(pk2, id);
        assert_non_null(strstr(err.text, id));
        assert_string_equal(err.source, sig);
        assert_int_equal(permit_minisig_verify_file(pk2, msg, sig, NULL, NULL), 0);

        /* Same key pair, another key id: also refused (minisign checks the id first). */
        permit_pubkey *renamed = NULL;
        uint8_t other_id[PERMIT_KEY_ID_SIZE];
        memcpy(other_id, permit_pubkey_id(pk2), sizeof(other_id));
        other_id[7] ^= 0x40;
        assert_int_equal(permit_pubkey_from_raw(other_id, permit_pubkey_ed25519(pk2), &renamed), 0);
        assert_int_equal(permit_minisig_verify_file(renamed, msg, sig, NULL, NULL), -EKEYREJECTED);
        permit_pubkey_free(renamed);
        permit_pubkey_free(pk2);
        permit_seckey_free(sk2);
}

static void test_io_errors(void **state) {
        _cleanup_free_ char *msg = path_in("io"), *sig = path_in("io.minisig"), *missing = path_in("missing");
        _cleanup_free_ char *nodir = path_in("no/such/io.minisig"), *fifo = path_in("fifo");
        permit_error err;

        (void) state;
        test_write_string(msg, "io");
        assert_int_equal(permit_minisig_sign_file(sk, msg, sig, NULL, NULL), 0);

        permit_error_clear(&err);
        assert_int_equal(permit_minisig_sign_file(sk, missing, sig, NULL, &err), -ENOENT);
        assert_string_equal(err.source, missing);
        assert_int_equal(permit_minisig_sign_file(sk, dir, sig, NULL, NULL), -EISDIR);
        assert_int_equal(permit_minisig_sign_file(sk, "/dev/null", sig, NULL, NULL), -EINVAL);
        permit_error_clear(&err);
        assert_int_equal(permit_minisig_sign_file(sk, msg, nodir, NULL, &err), -ENOENT);
        assert_string_equal(err.source, nodir);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        assert_int_equal(permit_minisig_sign_file(sk, fifo, sig, NULL, NULL), -EINVAL);
        assert_int_equal(permit_minisig_sign_file(NULL, msg, sig, NULL, NULL), -EINVAL);
        assert_int_equal(permit_minisig_sign_file(sk, NULL, sig, NULL, NULL), -EINVAL);
        assert_int_equal(permit_minisig_sign_file(sk, msg, NULL, NULL, NULL), -EINVAL);
        /* The failed attempts left the signature as it was. */
        assert_int_equal(permit_minisig_verify_file(pk, msg, sig, NULL, NULL), 0);

        permit_error_clear(&err);
        assert_int_equal(permit_minisig_verify_file(pk, missing, sig, NULL, &err), -ENOENT);
        assert_string_equal(err.source, missing);
        permit_error_clear(&err);
        assert_int_equal(permit_minisig_verify_file(pk, msg, missing, NULL, &err), -ENOENT);
        assert_string_equal(err.source, missing);
        assert_int_equal(permit_minisig_verify_file(pk, dir, sig, NULL, NULL), -EISDIR);
        assert_int_equal(permit_minisig_verify_file(pk, msg, dir, NULL, NULL), -EISDIR);
        assert_int_equal(permit_minisig_verify_file(pk, fifo, sig, NULL, NULL), -EINVAL);
        assert_int_equal(permit_minisig_verify_file(NULL, msg, sig, NULL, NULL), -EINVAL);
        assert_int_equal(permit_minisig_verify_file(pk, NULL, sig, NULL, NULL), -EINVAL);
        assert_int_equal(permit_minisig_verify_file(pk, msg, NULL, NULL, NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_trusted_comment),
                cmocka_unit_test(test_given_trusted_comment),
                cmocka_unit_test(test_sizes),
                cmocka_unit_test(test_legacy),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_other_key),
                cmocka_unit_test(test_io_errors),
        };
        return cmocka_run_group_tests_name("signer-minisig", tests, setup, teardown);
}
