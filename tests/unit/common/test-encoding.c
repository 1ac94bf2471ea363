/* SPDX-License-Identifier: MIT */
/* common/encoding.c: hex, base64 with exact lengths (one spelling per key
 * and signature), and the UTF-8 validator. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>

#include "encoding-private.h"
#include "util.h"

static int setup(void **state) {
        (void) state;
        return sodium_init() < 0 ? -1 : 0;
}

/* --- hex ----------------------------------------------------------------- */

static void test_hex(void **state) {
        static const uint8_t in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff };
        char out[2 * sizeof(in) + 2];

        memset(out, 'X', sizeof(out));
        permit_hex(out, in, sizeof(in));
        assert_string_equal(out, "00017f80abcdefff");
        assert_int_equal(out[2 * sizeof(in) + 1], 'X');
        permit_hex(out, in, 0);
        assert_string_equal(out, "");
}

static void test_unhex(void **state) {
        uint8_t out[4];

        assert_int_equal(permit_unhex(out, 4, "00ff7F80"), 0);
        assert_memory_equal(out, ((const uint8_t[]){ 0x00, 0xff, 0x7f, 0x80 }), 4);
        assert_int_equal(permit_unhex(out, 4, "DEADbeef"), 0);
        assert_memory_equal(out, ((const uint8_t[]){ 0xde, 0xad, 0xbe, 0xef }), 4);
        assert_int_equal(permit_unhex(out, 0, ""), 0);

        /* Round trip over every byte value. */
        for (unsigned b = 0; b < 256; b++) {
                uint8_t in = (uint8_t) b, back = 0;
                char h[3];
                permit_hex(h, &in, 1);
                assert_int_equal(permit_unhex(&back, 1, h), 0);
                assert_int_equal(back, in);
        }
}

static void test_unhex_errors(void **state) {
        static const char *const bad_digits[] = {
                "0g", "g0", "0G", " 0", "0 ", "+1", "-1", "0x", "\xff" "0", "\n0", "0:",
        };
        uint8_t out[4] = { 0 };

        for (size_t i = 0; i < ELEMENTSOF(bad_digits); i++)
                if (permit_unhex(out, 1, bad_digits[i]) != -EINVAL)
                        fail_msg("'%s' accepted as hex", bad_digits[i]);
        /* Wrong lengths: odd, short, long, empty, NULL. */
        assert_int_equal(permit_unhex(out, 2, "abc"), -EINVAL);
        assert_int_equal(permit_unhex(out, 2, "ab"), -EINVAL);
        assert_int_equal(permit_unhex(out, 2, "abcdef"), -EINVAL);
        assert_int_equal(permit_unhex(out, 2, "abcd0"), -EINVAL);
        assert_int_equal(permit_unhex(out, 1, ""), -EINVAL);
        assert_int_equal(permit_unhex(out, 0, "00"), -EINVAL);
        assert_int_equal(permit_unhex(out, 1, NULL), -EINVAL);
        /* A bad digit in the last byte. */
        assert_int_equal(permit_unhex(out, 4, "0011223z"), -EINVAL);
}

/* --- base64 -------------------------------------------------------------- */

static int unb64(uint8_t *out, size_t len, const char *s) {
        return permit_unbase64(out, len, s, strlen(s));
}

static void test_base64_vectors(void **state) {
        /* RFC 4648 section 10. */
        static const struct {
                const char *plain, *b64;
        } v[] = {
                { "", "" },         { "f", "Zg==" },        { "fo", "Zm8=" },         { "foo", "Zm9v" },
                { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
        };
        for (size_t i = 0; i < ELEMENTSOF(v); i++) {
                size_t len = strlen(v[i].plain);
                char enc[16];
                uint8_t dec[8] = { 0 };

                permit_base64(enc, sizeof(enc), (const uint8_t *) v[i].plain, len);
                assert_string_equal(enc, v[i].b64);
                assert_int_equal(unb64(dec, len, v[i].b64), 0);
                assert_memory_equal(dec, v[i].plain, len);
        }
        /* All three bytes of a group, every value at the edges. */
        uint8_t dec[3];
        assert_int_equal(unb64(dec, 3, "+/+/"), 0);
        assert_memory_equal(dec, ((const uint8_t[]){ 0xfb, 0xff, 0xbf }), 3);
        assert_int_equal(unb64(dec, 3, "AAAA"), 0);
        assert_memory_equal(dec, ((const uint8_t[]){ 0, 0, 0 }), 3);
}

static void test_unbase64_exact_length(void **state) {
        uint8_t out[8];

        /* "Zm9v" is 3 bytes: not 2, not 4. */
        assert_int_equal(unb64(out, 3, "Zm9v"), 0);
        assert_int_equal(unb64(out, 2, "Zm9v"), -EINVAL);
        assert_int_equal(unb64(out, 4, "Zm9v"), -EINVAL);
        /* "Zm8=" is 2 bytes: not 1 ("Zg==" is), not 3. */
        assert_int_equal(unb64(out, 1, "Zm8="), -EINVAL);
        assert_int_equal(unb64(out, 3, "Zm8="), -EINVAL);
        assert_int_equal(unb64(out, 1, ""), -EINVAL);
        assert_int_equal(unb64(out, 0, "Zg=="), -EINVAL);
        /* Only b64_len characters count. */
        assert_int_equal(permit_unbase64(out, 3, "Zm9vYmFy", 4), 0);
        assert_memory_equal(out, "foo", 3);
}

static void test_unbase64_padding(void **state) {
        static const char *const bad[] = {
                "Zm8",    /* padding missing */
                "Zm8==",  /* too much padding */
                "Zm==",   /* padding where a character belongs: decodes to 1 byte */
                "Z=8=",   /* padding inside */
                "=Zm8",   /* padding first */
                "Zm9=",   /* non-zero bits under the padding: a second spelling of "fo" */
                "====",
                "Zg=A",
        };
        uint8_t out[4];

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (unb64(out, 2, bad[i]) != -EINVAL)
                        fail_msg("'%s' accepted as 2 bytes of base64", bad[i]);
        assert_int_equal(unb64(out, 1, "Zh=="), -EINVAL); /* non-zero bits again */
        assert_int_equal(unb64(out, 1, "Zg="), -EINVAL);
        assert_int_equal(unb64(out, 1, "Zg"), -EINVAL);
        assert_int_equal(unb64(out, 1, "Zg=="), 0);
        assert_int_equal(out[0], 'f');
}

static void test_unbase64_garbage(void **state) {
        static const char *const bad[] = {
                "Zm9vx", "Zm9v=", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v\r", "Zm-v", "Zm_v", "Zm9\t", "Zm9.",
                "Zm9v Zm9v",
        };
        uint8_t out[8];

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (unb64(out, 3, bad[i]) != -EINVAL)
                        fail_msg("'%s' accepted as 3 bytes of base64", bad[i]);
        /* A NUL inside the given length. */
        assert_int_equal(permit_unbase64(out, 3, "Zm\0v", 4), -EINVAL);
}

static void test_unbase64_high_bytes(void **state) {
        /* libsodium 1.0.18 reads some bytes >= 0x80 as letters: every one
         * of them, anywhere, must be refused. */
        uint8_t out[3];
        char s[5];

        for (unsigned c = 0x80; c <= 0xff; c++)
                for (size_t pos = 0; pos < 4; pos++) {
                        memcpy(s, "Zm9v", 5);
                        s[pos] = (char) c;
                        if (permit_unbase64(out, 3, s, 4) != -EINVAL)
                                fail_msg("byte 0x%02x at %zu accepted", c, pos);
                }
        assert_int_equal(unb64(out, 3, "\x80\x80\x80\x80"), -EINVAL);
        assert_int_equal(unb64(out, 2, "Zm\x80="), -EINVAL);
}

/* --- UTF-8 --------------------------------------------------------------- */

static bool valid(const char *s) {
        return permit_utf8_valid(s, strlen(s)) != 0;
}

static void test_utf8_valid(void **state) {
        static const char *const good[] = {
                "",
                "plain ASCII \x01\x7f",
                "\xc2\x80",                 /* U+0080, smallest 2-byte */
                "\xdf\xbf",                 /* U+07FF */
                "\xe0\xa0\x80",             /* U+0800, smallest 3-byte */
                "\xed\x9f\xbf",             /* U+D7FF, just below the surrogates */
                "\xee\x80\x80",             /* U+E000, just above */
                "\xef\xbf\xbf",             /* U+FFFF */
                "\xf0\x90\x80\x80",         /* U+10000, smallest 4-byte */
                "\xf0\x9f\x98\x80",         /* U+1F600 */
                "\xf4\x8f\xbf\xbf",         /* U+10FFFF, the last */
                "Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xf0\x9f\x98\x80!",
        };
        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                if (!valid(good[i]))
                        fail_msg("valid UTF-8 #%zu refused", i);
        /* NUL is U+0000, valid within a length. */
        assert_true(permit_utf8_valid("a\0b", 3));
        assert_true(permit_utf8_valid(NULL, 0));
}

static void test_utf8_invalid(void **state) {
        static const char *const bad[] = {
                /* overlongs */
                "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
                "\xe0\x80\xaf",
                /* surrogates */
                "\xed\xa0\x80", "\xed\xaf\xbf", "\xed\xb0\x80", "\xed\xbf\xbf", "\xed\xa0\xbd\xed\xb8\x80",
                /* past U+10FFFF */
                "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf7\xbf\xbf\xbf",
                /* 5 and 6 byte forms, bytes that never occur */
                "\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80", "\xfe", "\xff",
                /* lone continuation bytes */
                "\x80", "\xbf", "a\x80", "\xc3\xa9\xa9",
                /* truncated */
                "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xe2", "\xf0", "\xf0\x9f", "ab\xe2\x82",
                /* a continuation byte replaced */
                "\xc3\x41", "\xe2\x28\xac", "\xe2\x82\x28", "\xf0\x9f\x98\x28", "\xf0\x28\x98\x80", "\xc3\xc3\xa9",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (valid(bad[i]))
                        fail_msg("invalid UTF-8 #%zu accepted", i);
        /* Truncated by the length, though the bytes go on. */
        assert_false(permit_utf8_valid("\xc3\xa9", 1));
        assert_false(permit_utf8_valid("\xe2\x82\xac", 2));
        assert_false(permit_utf8_valid("\xf0\x9f\x98\x80", 3));
        assert_true(permit_utf8_valid("\xf0\x9f\x98\x80", 4));
}

static void test_utf8_exhaustive(void **state) {
        /* Every 2- and 3-byte sequence against the rules themselves. */
        unsigned accepted2 = 0, accepted3 = 0;

        for (unsigned a = 0xc0; a <= 0xdf; a++)
                for (unsigned b = 0; b <= 0xff; b++) {
                        const char s[2] = { (char) a, (char) b };
                        bool expect = a >= 0xc2 && (b & 0xc0) == 0x80;
                        assert_int_equal(permit_utf8_valid(s, 2) != 0, expect);
                        accepted2 += expect;
                }
        for (unsigned a = 0xe0; a <= 0xef; a++)
                for (unsigned b = 0x80; b <= 0xbf; b++)
                        for (unsigned c = 0; c <= 0xff; c++) {
                                const char s[3] = { (char) a, (char) b, (char) c };
                                unsigned cp = (a & 0x0f) << 12 | (b & 0x3f) << 6 | (c & 0x3f);
                                bool expect = (c & 0xc0) == 0x80 && cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
                                assert_int_equal(permit_utf8_valid(s, 3) != 0, expect);
                                accepted3 += expect;
                        }
        assert_int_equal(accepted2, 0x800 - 0x80);
        assert_int_equal(accepted3, 0x10000 - 0x800 - 0x800);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hex),
                cmocka_unit_test(test_unhex),
                cmocka_unit_test(test_unhex_errors),
                cmocka_unit_test(test_base64_vectors),
                cmocka_unit_test(test_unbase64_exact_length),
                cmocka_unit_test(test_unbase64_padding),
                cmocka_unit_test(test_unbase64_garbage),
                cmocka_unit_test(test_unbase64_high_bytes),
                cmocka_unit_test(test_utf8_valid),
                cmocka_unit_test(test_utf8_invalid),
                cmocka_unit_test(test_utf8_exhaustive),
        };
        return cmocka_run_group_tests_name("common-encoding", tests, setup, NULL);
}
