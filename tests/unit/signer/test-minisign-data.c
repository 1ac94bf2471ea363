/* SPDX-License-Identifier: MIT */
/* minisign's own test data (tests/data/external/minisign): a public key, the
 * message "test", a legacy ("Ed") and a prehashed ("ED") signature. Both
 * verify; every single-byte change of either signature file (each position,
 * each of the 255 other byte values) and of the message is refused, except
 * inside the text of the untrusted comment, which minisign's format does not
 * sign: there a change is accepted unless it breaks the line. The changed
 * copies live in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "permit/keys.h"
#include "permit/minisig.h"
#include "signer-test.h"
#include "util.h"

struct fixture {
        char *dir, *pub, *msg, *legacy, *prehashed;
        permit_pubkey *pk;
};

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        f->pub = test_external("minisign/k.pub");
        f->msg = test_external("minisign/test");
        f->legacy = test_external("minisign/legacy.minisig");
        f->prehashed = test_external("minisign/prehashed.minisig");
        f->dir = test_tempdir();
        assert_int_equal(permit_pubkey_load(f->pub, &f->pk, NULL), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;

        permit_pubkey_free(f->pk);
        test_rm_rf(f->dir);
        free(f->pub);
        free(f->msg);
        free(f->legacy);
        free(f->prehashed);
        free(f);
        return 0;
}

static void test_pubkey(void **state) {
        struct fixture *f = *state;
        char s[PERMIT_PUBKEY_STRING_SIZE], id[PERMIT_KEY_ID_STRING_SIZE];

        permit_pubkey_string(f->pk, s);
        assert_string_equal(s, "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3");
        permit_pubkey_id_string(f->pk, id);
        assert_string_equal(id, "E7620F1842B4E81F");
}

static void verify_ok(struct fixture *f, const char *sig, const char *want_tc) {
        permit_error err;
        char *tc = NULL;

        permit_error_clear(&err);
        assert_int_equal(permit_minisig_verify_file(f->pk, f->msg, sig, &tc, &err), 0);
        assert_string_equal(tc, want_tc);
        free(tc);
        /* Without asking for the trusted comment. */
        assert_int_equal(permit_minisig_verify_file(f->pk, f->msg, sig, NULL, NULL), 0);
}

static void test_legacy_verifies(void **state) {
        verify_ok(*state, ((struct fixture *) *state)->legacy, "timestamp:1635442742\tfile:test");
}

static void test_prehashed_verifies(void **state) {
        verify_ok(*state, ((struct fixture *) *state)->prehashed, "timestamp:1635443258\tfile:test\thashed");
}

static void assert_refused(int r) {
        if (r != -EBADMSG && r != -EINVAL && r != -EKEYREJECTED)
                fail_msg("expected a refusal, got %d (%s)", r, strerror(-r));
}

/* Every position of the signature file, every other byte value. */
static void mutate_signature(struct fixture *f, const char *sig_path) {
        size_t len = 0, tried = 0, untrusted = 0, comment_start, comment_end;
        char *orig = test_read(sig_path, &len);
        char *copy = test_join(f->dir, "mutated.minisig");
        int fd;

        /* The text of line 1 after its prefix, the one part that is not signed. */
        assert_true(strncmp(orig, "untrusted comment: ", 19) == 0);
        comment_start = 19;
        comment_end = (size_t) (strchr(orig, '\n') - orig);
        test_write(copy, orig, len);
        assert_int_equal(permit_minisig_verify_file(f->pk, f->msg, copy, NULL, NULL), 0);
        fd = open(copy, O_WRONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        for (size_t i = 0; i < len; i++) {
                for (unsigned v = 0; v < 256; v++) {
                        char b = (char) v;

                        if (b == orig[i])
                                continue;
                        assert_int_equal(pwrite(fd, &b, 1, (off_t) i), 1);
                        int r = permit_minisig_verify_file(f->pk, f->msg, copy, NULL, NULL);
                        if (i >= comment_start && i < comment_end && b != '\n' && b != '\0' &&
                            (b != '\r' || i + 1 == comment_end)) {
                                /* The untrusted comment is, as its name says, not signed
                                 * (and a CR just before the LF is a CRLF line end). */
                                if (r != 0)
                                        fail_msg("%s: untrusted comment byte %zu changed to 0x%02x: %d", sig_path, i,
                                                 v, r);
                                untrusted++;
                                continue;
                        }
                        if (r == 0)
                                fail_msg("%s: byte %zu changed from 0x%02x to 0x%02x and still verifies", sig_path, i,
                                         (unsigned char) orig[i], v);
                        assert_refused(r);
                        tried++;
                }
                assert_int_equal(pwrite(fd, &orig[i], 1, (off_t) i), 1);
        }
        /* Cut short anywhere: refused. */
        for (size_t n = 0; n + 1 < len; n++) {
                assert_int_equal(ftruncate(fd, (off_t) n), 0);
                assert_refused(permit_minisig_verify_file(f->pk, f->msg, copy, NULL, NULL));
                assert_int_equal(pwrite(fd, orig, len, 0), (ssize_t) len);
        }
        close(fd);
        printf("# %s: %zu single-byte changes refused; %zu changes inside the untrusted comment's text "
                      "accepted (it is not signed)\n",
                      sig_path, tried, untrusted);
        free(copy);
        free(orig);
}

static void test_legacy_mutations(void **state) {
        struct fixture *f = *state;
        mutate_signature(f, f->legacy);
}

static void test_prehashed_mutations(void **state) {
        struct fixture *f = *state;
        mutate_signature(f, f->prehashed);
}

/* Every single-byte change of the message, a byte less, a byte more. */
static void test_message_mutations(void **state) {
        struct fixture *f = *state;
        size_t len = 0;
        char *orig = test_read(f->msg, &len);
        char *copy = test_join(f->dir, "test");
        const char *sigs[] = { f->legacy, f->prehashed };

        assert_int_equal(len, 4);
        test_write(copy, orig, len);
        for (size_t s = 0; s < ELEMENTSOF(sigs); s++)
                assert_int_equal(permit_minisig_verify_file(f->pk, copy, sigs[s], NULL, NULL), 0);
        for (size_t i = 0; i < len; i++)
                for (unsigned v = 0; v < 256; v++) {
                        char *m = malloc(len);

                        if ((char) v == orig[i]) {
                                free(m);
                                continue;
                        }
                        memcpy(m, orig, len);
                        m[i] = (char) v;
                        test_write(copy, m, len);
                        for (size_t s = 0; s < ELEMENTSOF(sigs); s++)
                                assert_int_equal(permit_minisig_verify_file(f->pk, copy, sigs[s], NULL, NULL),
                                                 -EBADMSG);
                        free(m);
                }
        for (size_t n = 0; n < len; n++) {
                test_write(copy, orig, n);
                for (size_t s = 0; s < ELEMENTSOF(sigs); s++)
                        assert_int_equal(permit_minisig_verify_file(f->pk, copy, sigs[s], NULL, NULL), -EBADMSG);
        }
        for (unsigned v = 0; v < 256; v++) {
                char longer[5];

                memcpy(longer, orig, len);
                longer[len] = (char) v;
                test_write(copy, longer, len + 1);
                for (size_t s = 0; s < ELEMENTSOF(sigs); s++)
                        assert_int_equal(permit_minisig_verify_file(f->pk, copy, sigs[s], NULL, NULL), -EBADMSG);
        }
        free(copy);
        free(orig);
}

/* The same signatures under another key (another key id): refused as such. */
static void test_other_key(void **state) {
        struct fixture *f = *state;
        permit_pubkey *other = NULL;
        permit_seckey *sk = NULL;
        permit_error err;

        assert_int_equal(permit_keypair_generate(&other, &sk), 0);
        permit_error_clear(&err);
        assert_int_equal(permit_minisig_verify_file(other, f->msg, f->legacy, NULL, &err), -EKEYREJECTED);
        assert_non_null(strstr(err.text, "E7620F1842B4E81F"));
        assert_int_equal(permit_minisig_verify_file(other, f->msg, f->prehashed, NULL, NULL), -EKEYREJECTED);
        permit_pubkey_free(other);
        permit_seckey_free(sk);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pubkey),
                cmocka_unit_test(test_legacy_verifies),
                cmocka_unit_test(test_prehashed_verifies),
                cmocka_unit_test(test_legacy_mutations),
                cmocka_unit_test(test_prehashed_mutations),
                cmocka_unit_test(test_message_mutations),
                cmocka_unit_test(test_other_key),
        };
        return cmocka_run_group_tests_name("signer-minisign-data", tests, setup, teardown);
}
