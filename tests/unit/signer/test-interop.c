/* SPDX-License-Identifier: MIT */
/* Interop with the real minisign (PERMIT_MINISIGN, found by meson; the test
 * fails, it does not skip, when there is none):
 *
 *  1. keys from `minisign -G -W` load here; what permit signs with them,
 *     `minisign -V` accepts, and what minisign signs, permit accepts;
 *  2. keys permit writes (no password; and a password with minisign's own
 *     scrypt limits) sign with `minisign -S`, and permit accepts the result;
 *  3. a key from `minisign -G` with a password loads here with it, and is
 *     refused with a wrong one or none.
 *
 * minisign 0.11 reads passwords with fgets() from stdin when stdin is not a
 * terminal (no MINISIGN_PASSWORD in 0.11), one line per prompt:
 *     printf '%s\n' "$pw" | minisign -S -s KEY -m FILE
 *     printf '%s\n%s\n' "$pw" "$pw" | minisign -G -p PUB -s KEY
 * These runs use scrypt's real limits (1 GiB, about 3 s each). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <spawn.h>
#include <sys/wait.h>

#include "permit/keys.h"
#include "permit/minisig.h"
#include "signer-test.h"
#include "util.h"

extern char **environ;

static char *dir;
static const char *minisign;

static int setup(void **state) {
        (void) state;
        dir = test_tempdir();
        return 0;
}

static int teardown(void **state) {
        (void) state;
        test_rm_rf(dir);
        return 0;
}

static char *path_in(const char *name) {
        return test_join(dir, name);
}

/* Runs minisign with argv, stdin from a file holding input (or /dev/null),
 * and returns its exit status; its output goes to DIR/minisign.log and is
 * shown when the status is not the expected one. */
static int run_minisign(const char *input, char *const args[]) {
        _cleanup_free_ char *in = path_in("minisign.stdin"), *log = path_in("minisign.log");
        posix_spawn_file_actions_t fa;
        char *argv[16];
        size_t n = 0;
        pid_t pid;
        int status, r;

        argv[n++] = (char *) minisign;
        for (size_t i = 0; args[i]; i++) {
                assert_true(n < ELEMENTSOF(argv) - 1);
                argv[n++] = args[i];
        }
        argv[n] = NULL;
        test_write_string(in, input ? input : "");
        assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
        assert_int_equal(posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0), 0);
        assert_int_equal(posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644), 0);
        assert_int_equal(posix_spawn_file_actions_adddup2(&fa, 1, 2), 0);
        r = posix_spawn(&pid, minisign, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                fail_msg("cannot run %s: %s", minisign, strerror(r));
        assert_int_equal(waitpid(pid, &status, 0), pid);
        unlink(in);
        if (!WIFEXITED(status))
                fail_msg("minisign died (status %d)", status);
        return WEXITSTATUS(status);
}

static void expect_minisign(int want, const char *input, char *const args[]) {
        int got = run_minisign(input, args);

        if ((want == 0) != (got == 0)) {
                _cleanup_free_ char *log = path_in("minisign.log"), *text = test_read(log, NULL);
                print_error("minisign");
                for (size_t i = 0; args[i]; i++)
                        print_error(" %s", args[i]);
                print_error("\nexited %d:\n%s\n", got, text);
                fail_msg("minisign exited %d, expected %s", got, want == 0 ? "success" : "failure");
        }
}

static void test_minisign_present(void **state) {
        struct stat st;

        (void) state;
        minisign = getenv("PERMIT_MINISIGN");
        if (!minisign || !*minisign)
                fail_msg("minisign not found: install it (Debian: apt-get install minisign) and reconfigure");
        if (stat(minisign, &st) < 0 || !(st.st_mode & S_IXUSR))
                fail_msg("%s: not an executable", minisign);
        expect_minisign(0, NULL, (char *[]){ "-v", NULL });
}

/* 1. minisign -G -W keys, used by permit; and signatures both ways. */
static void test_minisign_unencrypted_keys(void **state) {
        _cleanup_free_ char *pub = path_in("w.pub"), *sec = path_in("w.key"), *msg = path_in("w.txt");
        _cleanup_free_ char *sig = path_in("w.txt.minisig"), *sig2 = path_in("w-minisign.minisig");
        _cleanup_free_ char *sig3 = path_in("w-legacy.minisig"), *tc = NULL;
        permit_pubkey *pk = NULL, *derived = NULL;
        permit_seckey *sk = NULL;
        permit_error err;

        (void) state;
        assert_non_null(minisign);
        expect_minisign(0, NULL, (char *[]){ "-G", "-W", "-p", pub, "-s", sec, NULL });
        permit_error_clear(&err);
        assert_int_equal(permit_pubkey_load(pub, &pk, &err), 0);
        assert_int_equal(permit_seckey_load(sec, NULL, 0, &sk, &err), 0);
        assert_int_equal(permit_seckey_pubkey(sk, &derived), 0);
        assert_memory_equal(permit_pubkey_id(pk), permit_pubkey_id(derived), PERMIT_KEY_ID_SIZE);
        assert_memory_equal(permit_pubkey_ed25519(pk), permit_pubkey_ed25519(derived), 32);

        /* permit signs, minisign verifies (and insists on prehashing with -H). */
        test_write_string(msg, "signed by permit, checked by minisign\n");
        assert_int_equal(permit_minisig_sign_file(sk, msg, sig, NULL, NULL), 0);
        expect_minisign(0, NULL, (char *[]){ "-Vm", msg, "-p", pub, NULL });
        expect_minisign(0, NULL, (char *[]){ "-V", "-H", "-m", msg, "-p", pub, "-x", sig, NULL });
        char key[PERMIT_PUBKEY_STRING_SIZE];
        permit_pubkey_string(pk, key);
        expect_minisign(0, NULL, (char *[]){ "-Vm", msg, "-P", key, NULL });
        /* ... and refuses it once the file changes. */
        test_write_string(msg, "signed by permit, checked by minisign!\n");
        expect_minisign(1, NULL, (char *[]){ "-Vm", msg, "-p", pub, NULL });
        test_write_string(msg, "signed by permit, checked by minisign\n");

        /* minisign signs (prehashed, and legacy with -l), permit verifies. */
        expect_minisign(0, NULL, (char *[]){ "-S", "-s", sec, "-m", msg, "-x", sig2, "-t", "from minisign", NULL });
        assert_int_equal(permit_minisig_verify_file(pk, msg, sig2, &tc, &err), 0);
        assert_string_equal(tc, "from minisign");
        expect_minisign(0, NULL, (char *[]){ "-S", "-l", "-s", sec, "-m", msg, "-x", sig3, NULL });
        _cleanup_free_ char *legacy = test_read(sig3, NULL);
        assert_non_null(strstr(legacy, "\nRW")); /* "Ed" */
        assert_int_equal(permit_minisig_verify_file(pk, msg, sig3, NULL, &err), 0);

        permit_pubkey_free(derived);
        permit_pubkey_free(pk);
        permit_seckey_free(sk);
}

/* 2. Keys permit wrote, used by minisign. */
static void test_permit_keys_in_minisign(void **state) {
        _cleanup_free_ char *pub = path_in("p.pub"), *plain = path_in("p-plain.key"), *enc = path_in("p-enc.key");
        _cleanup_free_ char *msg = path_in("p.txt"), *sig = path_in("p.txt.minisig"), *text = NULL;
        static const char pw[] = "interop password";
        permit_pubkey *pk = NULL;
        permit_seckey *sk = NULL, *back = NULL;
        permit_error err;
        uint8_t blob[158];
        size_t n = 0;

        (void) state;
        assert_non_null(minisign);
        assert_int_equal(permit_keypair_generate(&pk, &sk), 0);
        assert_int_equal(permit_pubkey_save(pk, pub, 0), 0);
        assert_int_equal(permit_seckey_save(sk, plain, NULL, 0, 0), 0);
        test_write_string(msg, "signed by minisign with a key permit made\n");

        /* Without a password: minisign asks for none. */
        expect_minisign(0, NULL, (char *[]){ "-S", "-s", plain, "-m", msg, NULL });
        permit_error_clear(&err);
        assert_int_equal(permit_minisig_verify_file(pk, msg, sig, NULL, &err), 0);
        expect_minisign(0, NULL, (char *[]){ "-Vm", msg, "-p", pub, NULL });

        /* With a password and minisign's own limits (the default). */
        assert_int_equal(permit_seckey_save(sk, enc, pw, strlen(pw), 0), 0);
        text = test_read(enc, NULL);
        assert_int_equal(sodium_base642bin(blob, sizeof(blob), strchr(text, '\n') + 1, 212, NULL, &n, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        assert_memory_equal(blob, "EdScB2", 6);
        uint64_t ops = 0, mem = 0;
        for (int i = 7; i >= 0; i--) {
                ops = ops << 8 | blob[38 + i];
                mem = mem << 8 | blob[46 + i];
        }
        assert_int_equal(ops, crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE);
        assert_int_equal(mem, crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE);
        /* permit reads it back ... */
        assert_int_equal(permit_seckey_load(enc, pw, strlen(pw), &back, &err), 0);
        assert_memory_equal(permit_seckey_id(back), permit_seckey_id(sk), PERMIT_KEY_ID_SIZE);
        permit_seckey_free(back);
        /* ... and so does minisign, the password on stdin. */
        unlink(sig);
        expect_minisign(0, "interop password\n", (char *[]){ "-S", "-s", enc, "-m", msg, NULL });
        assert_int_equal(permit_minisig_verify_file(pk, msg, sig, NULL, &err), 0);

        permit_pubkey_free(pk);
        permit_seckey_free(sk);
}

/* 3. minisign -G with a password: the password opens it here, others do not. */
static void test_minisign_encrypted_key(void **state) {
        _cleanup_free_ char *pub = path_in("e.pub"), *sec = path_in("e.key"), *msg = path_in("e.txt");
        _cleanup_free_ char *sig = path_in("e.txt.minisig");
        permit_pubkey *pk = NULL;
        permit_seckey *sk = NULL;
        permit_error err;

        (void) state;
        assert_non_null(minisign);
        expect_minisign(0, "minisign pw\nminisign pw\n", (char *[]){ "-G", "-p", pub, "-s", sec, NULL });
        assert_int_equal(permit_pubkey_load(pub, &pk, NULL), 0);

        permit_error_clear(&err);
        assert_int_equal(permit_seckey_load(sec, NULL, 0, &sk, &err), -ENOKEY);
        permit_error_clear(&err);
        assert_int_equal(permit_seckey_load(sec, "minisign pX", 11, &sk, &err), -EKEYREJECTED);
        assert_null(sk);
        permit_error_clear(&err);
        assert_int_equal(permit_seckey_load(sec, "minisign pw", 11, &sk, &err), 0);

        test_write_string(msg, "permit signs with a key minisign made\n");
        assert_int_equal(permit_minisig_sign_file(sk, msg, sig, NULL, NULL), 0);
        expect_minisign(0, NULL, (char *[]){ "-Vm", msg, "-p", pub, NULL });
        assert_int_equal(permit_minisig_verify_file(pk, msg, sig, NULL, NULL), 0);

        permit_pubkey_free(pk);
        permit_seckey_free(sk);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_minisign_present),
                cmocka_unit_test(test_minisign_unencrypted_keys),
                cmocka_unit_test(test_permit_keys_in_minisign),
                cmocka_unit_test(test_minisign_encrypted_key),
        };
        return cmocka_run_group_tests_name("signer-interop", tests, setup, teardown);
}
