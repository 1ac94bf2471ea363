/* SPDX-License-Identifier: MIT */
/* Secrets are wiped after use, and the command turns off core dumps before
 * it holds one (issue 8).
 *
 * The test never holds a secret in plain form itself: it keeps each one
 * (an Ed25519 seed, a password) XORed with a random mask, builds the plain
 * bytes only inside sodium_malloc()ed buffers it passes to the library and
 * frees at once, and then searches its own memory, every readable mapping
 * read through /proc/self/mem (heap, stacks with their dead frames,
 * libraries' data), for the plain bytes, comparing through the mask. While
 * the secret is still held, the same search must find it: the search can
 * fail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "permit/keys.h"
#include "signer/keys-private.h"
#include "tests/unit/test-files.h"
#include "tool.h"

#define SEED_LEN 32
#define PASSWORD_LEN 24
/* Larger mappings are reservations (ASan's shadow), not data. */
#define SCAN_REGION_MAX (256u << 20)

typedef struct masked {
        uint8_t mask[SEED_LEN], value[SEED_LEN]; /* value = secret ^ mask */
        size_t len;
} masked;

static masked seed, password;
static uint8_t key_id[PERMIT_KEY_ID_SIZE];
static char *tmp;

/* Writes the plain secret into a new sodium_malloc()ed buffer. */
static uint8_t *unmask(const masked *m) {
        uint8_t *p = sodium_malloc(m->len + 1);

        assert_non_null(p);
        for (size_t i = 0; i < m->len; i++)
                p[i] = m->value[i] ^ m->mask[i];
        p[m->len] = '\0';
        return p;
}

/* Places in this process's readable memory holding the secret. */
static unsigned scan(const masked *m) {
        static uint8_t chunk[1 << 16];
        FILE *maps = fopen("/proc/self/maps", "re");
        int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
        char line[512];
        unsigned found = 0;
        const uint8_t first = m->value[0] ^ m->mask[0];

        assert_non_null(maps);
        assert_true(mem >= 0);
        while (fgets(line, sizeof(line), maps)) {
                unsigned long start, end;
                char perms[5];

                if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) != 3 || perms[0] != 'r' ||
                    end - start > SCAN_REGION_MAX || strstr(line, "[vvar]") || strstr(line, "[vsyscall]"))
                        continue;
                /* Chunks overlap by len - 1 bytes so no match is cut. */
                for (unsigned long at = start; at < end;) {
                        size_t want = end - at < sizeof(chunk) ? end - at : sizeof(chunk);
                        ssize_t n = pread(mem, chunk, want, (off_t) at);

                        if (n < (ssize_t) m->len)
                                break;
                        /* Candidates by their first byte (one byte of the
                         * secret in plain is no secret). */
                        for (const uint8_t *c = chunk, *last = chunk + n - m->len;
                             c <= last && (c = memchr(c, first, (size_t) (last - c) + 1)); c++) {
                                size_t k = 1;
                                while (k < m->len && (c[k] ^ m->mask[k]) == m->value[k])
                                        k++;
                                found += k == m->len;
                        }
                        if (at + (size_t) n >= end)
                                break;
                        at += (size_t) n - (m->len - 1);
                }
        }
        fclose(maps);
        close(mem);
        /* The chunk may hold the last match: not a place of its own. */
        sodium_memzero(chunk, sizeof(chunk));
        return found;
}

static void make_masked(masked *m, size_t len, bool printable) {
        m->len = len;
        randombytes_buf(m->mask, len);
        for (size_t i = 0; i < len; i++) {
                uint8_t c = printable ? (uint8_t) ('a' + randombytes_uniform(26)) : (uint8_t) randombytes_random();
                m->value[i] = c ^ m->mask[i];
        }
}

static int group_setup(void **state) {
        (void) state;
        if (sodium_init() < 0)
                return -1;
        make_masked(&seed, SEED_LEN, false);
        make_masked(&password, PASSWORD_LEN, true);
        randombytes_buf(key_id, sizeof(key_id));
        /* Cheap scrypt; the code path is the same. */
        permit_seckey_set_kdf_limits_for_testing(UINT64_C(1) << 15, UINT64_C(1) << 24);
        tmp = test_tempdir();
        return 0;
}

static int group_teardown(void **state) {
        (void) state;
        test_rm_rf(tmp);
        return 0;
}

/* Writes tmp/NAME: the key (with the password when with_password). */
static char *write_key(const char *name, bool with_password) {
        char *path = test_join(tmp, name);
        uint8_t *s = unmask(&seed), *pw = with_password ? unmask(&password) : NULL;
        permit_seckey *sk = NULL;

        assert_int_equal(permit_seckey_from_seed(key_id, s, &sk), 0);
        sodium_free(s);
        assert_int_equal(permit_seckey_save(sk, path, (const char *) pw, pw ? password.len : 0, 1), 0);
        permit_seckey_free(sk);
        sodium_free(pw);
        return path;
}

static void test_scan_finds_held_secrets(void **state) {
        uint8_t *s = unmask(&seed), *pw = unmask(&password);
        permit_seckey *sk = NULL;

        (void) state;
        assert_int_equal(scan(&seed), 1);
        assert_int_equal(scan(&password), 1);
        /* A secret key holds its seed. */
        assert_int_equal(permit_seckey_from_seed(key_id, s, &sk), 0);
        assert_int_equal(scan(&seed), 2);
        sodium_free(s);
        sodium_free(pw);
        assert_int_equal(scan(&seed), 1);
        permit_seckey_free(sk);
        assert_int_equal(scan(&seed), 0);
        assert_int_equal(scan(&password), 0);
}

static void test_save_wipes(void **state) {
        char *path;

        (void) state;
        path = write_key("saved.key", true);
        assert_int_equal(scan(&seed), 0);
        assert_int_equal(scan(&password), 0);
        free(path);
        path = write_key("saved-w.key", false);
        assert_int_equal(scan(&seed), 0);
        free(path);
}

static void load_sign_free(const char *path, const masked *pw_masked) {
        uint8_t *pw = pw_masked ? unmask(pw_masked) : NULL, sig[PERMIT_SIGNATURE_SIZE];
        permit_seckey *sk = NULL;
        permit_error error;

        assert_int_equal(permit_seckey_load(path, (const char *) pw, pw ? pw_masked->len : 0, &sk, &error), 0);
        sodium_free(pw);
        assert_int_equal(scan(&seed), 1); /* the key itself */
        assert_int_equal(permit_seckey_sign(sk, "message", 7, sig), 0);
        permit_seckey_free(sk);
}

static void test_load_and_sign_wipe(void **state) {
        char *path = write_key("load.key", true), *path_w = write_key("load-w.key", false);
        masked wrong = password;
        permit_seckey *sk = NULL;
        permit_error error;
        uint8_t *pw;

        (void) state;
        load_sign_free(path, &password);
        assert_int_equal(scan(&seed), 0);
        assert_int_equal(scan(&password), 0);
        load_sign_free(path_w, NULL);
        assert_int_equal(scan(&seed), 0);

        /* A wrong password: the decrypted (wrong) key is dropped too, and
         * the password given. */
        wrong.value[0] ^= 1;
        pw = unmask(&wrong);
        assert_int_equal(permit_seckey_load(path, (const char *) pw, wrong.len, &sk, &error), -EKEYREJECTED);
        sodium_free(pw);
        assert_int_equal(scan(&wrong), 0);
        assert_int_equal(scan(&seed), 0);
        free(path);
        free(path_w);
}

/* The command's own code: the password read from a file, the key loaded
 * with it. */
static void test_tool_wipes_and_not_dumpable(void **state) {
        char *path = write_key("tool.key", true), *pw_path = test_join(tmp, "password.txt");
        uint8_t *pw = unmask(&password);
        permit_seckey *sk = NULL;
        int fd;

        (void) state;
        fd = open(pw_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, pw, password.len), (ssize_t) password.len);
        assert_int_equal(write(fd, "\n", 1), 1);
        close(fd);
        sodium_free(pw);
        assert_int_equal(scan(&password), 0);

        assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
        assert_int_equal(tool_seckey_load(path, pw_path, &sk), 0);
        /* Holding a secret: no core file, no ptrace. */
        assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
        assert_int_equal(scan(&password), 0);
        assert_int_equal(scan(&seed), 1);
        permit_seckey_free(sk);
        assert_int_equal(scan(&seed), 0);
        free(path);
        free(pw_path);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_scan_finds_held_secrets),
                cmocka_unit_test(test_save_wipes),
                cmocka_unit_test(test_load_and_sign_wipe),
                cmocka_unit_test(test_tool_wipes_and_not_dumpable),
        };

        return cmocka_run_group_tests_name("secrets", tests, group_setup, group_teardown);
}
