/* SPDX-License-Identifier: MIT */
/* permit's own BLAKE2b (verifier/blake2b.c) against libsodium's, the
 * outside truth: every length from 0 to 1500 bytes fed in uneven pieces,
 * with and without personalisation, at several output lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "blake2b-private.h"

static uint8_t data[4096];
static const uint8_t personal[PERMIT_BLAKE2B_PERSONAL_SIZE] = "permit-leaf-v1";

static int setup(void **state) {
        (void) state;
        if (sodium_init() < 0)
                return -1;
        for (size_t i = 0; i < sizeof(data); i++)
                data[i] = (uint8_t) (i * 131 + 7);
        return 0;
}

static void test_against_libsodium(void **state) {
        static const size_t outlens[] = { 1, 16, 32, 33, 64 };
        (void) state;

        for (size_t len = 0; len <= 1500; len++)
                for (int with_personal = 0; with_personal < 2; with_personal++)
                        for (size_t k = 0; k < sizeof(outlens) / sizeof(outlens[0]); k++) {
                                const uint8_t *p = with_personal ? personal : NULL;
                                uint8_t ours[64], theirs[64];
                                size_t step = 1 + len % 97, off = 0;
                                permit_blake2b st;

                                permit_blake2b_init(&st, outlens[k], p);
                                while (off < len) {
                                        size_t n = len - off < step ? len - off : step;
                                        permit_blake2b_update(&st, data + off, n);
                                        off += n;
                                }
                                permit_blake2b_final(&st, ours);
                                crypto_generichash_blake2b_salt_personal(theirs, outlens[k], data, len, NULL, 0,
                                                                         NULL, p);
                                if (memcmp(ours, theirs, outlens[k]) != 0)
                                        fail_msg("differs from libsodium: length %zu, personal %d, outlen %zu", len,
                                                 with_personal, outlens[k]);
                        }
}

static void test_rfc7693_abc(void **state) {
        /* RFC 7693 appendix A: BLAKE2b-512("abc"). */
        static const char expect[] = "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                                     "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923";
        uint8_t out[64];
        char hex[129];
        permit_blake2b st;
        (void) state;

        permit_blake2b_init(&st, 64, NULL);
        permit_blake2b_update(&st, "abc", 3);
        permit_blake2b_final(&st, out);
        sodium_bin2hex(hex, sizeof(hex), out, sizeof(out));
        assert_string_equal(hex, expect);
}

static void test_large_and_wiped(void **state) {
        static uint8_t big[3 * 1024 * 1024 + 5];
        uint8_t ours[32], theirs[32], zero[sizeof(permit_blake2b)] = { 0 };
        permit_blake2b st;
        (void) state;

        for (size_t i = 0; i < sizeof(big); i++)
                big[i] = (uint8_t) (i >> 3);
        permit_blake2b_init(&st, 32, personal);
        permit_blake2b_update(&st, big, 1000000);
        permit_blake2b_update(&st, big + 1000000, sizeof(big) - 1000000);
        permit_blake2b_final(&st, ours);
        crypto_generichash_blake2b_salt_personal(theirs, 32, big, sizeof(big), NULL, 0, NULL, personal);
        assert_memory_equal(ours, theirs, 32);
        /* final() leaves no state behind. */
        assert_memory_equal(&st, zero, sizeof(st));
}

/* Four messages side by side: each lane's digest is the one-by-one digest,
 * for lengths around block boundaries in every mix (lanes go in step over
 * the blocks all of them have, then finish alone). */
static void one(const uint8_t *in, size_t len, size_t outlen, const uint8_t *pers, uint8_t *out) {
        permit_blake2b st;

        permit_blake2b_init(&st, outlen, pers);
        permit_blake2b_update(&st, in, len);
        permit_blake2b_final(&st, out);
}

static void test_x4(void **state) {
        static const size_t lens[] = { 0, 1, 127, 128, 129, 255, 256, 257, 1000, 2048, 3999, 4089 };
        enum { N = sizeof(lens) / sizeof(*lens) };
        unsigned done = 0, combos = 0;

        (void) state;
        for (size_t a = 0; a < N; a++)
                for (size_t b = 0; b < N; b += 3)
                        for (size_t c = 0; c < N; c += 5)
                                for (size_t d = 0; d < N; d += 2) {
                                        const size_t len[4] = { lens[a], lens[b], lens[c], lens[d] };
                                        /* overlapping inputs at odd offsets: unaligned loads */
                                        const uint8_t *const in[4] = { data, data + 1, data + 7, data + 0 };
                                        uint8_t got[4][64], want[64];
                                        uint8_t *const out[4] = { got[0], got[1], got[2], got[3] };
                                        size_t outlen = (a + d) % 2 ? 32 : 64;
                                        const uint8_t *p = (b + c) % 2 ? personal : NULL;

                                        combos++;
                                        memset(got, 0, sizeof(got));
                                        if (!permit_blake2b_x4(in, len, outlen, p, out))
                                                continue;
                                        done++;
                                        for (int j = 0; j < 4; j++) {
                                                assert_true(len[j] + 7 <= sizeof(data));
                                                one(in[j], len[j], outlen, p, want);
                                                assert_memory_equal(got[j], want, outlen);
                                        }
                                }
        /* This machine has AVX2; elsewhere false is the answer to test. */
        printf("# %u of %u four-lane combinations hashed with AVX2\n", done, combos);
        if (__builtin_cpu_supports("avx2"))
                assert_int_equal(done, combos);
        else
                assert_int_equal(done, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_against_libsodium),
                cmocka_unit_test(test_rfc7693_abc),
                cmocka_unit_test(test_large_and_wiped),
                cmocka_unit_test(test_x4),
        };
        return cmocka_run_group_tests_name("blake2b", tests, setup, NULL);
}
