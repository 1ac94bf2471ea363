/* SPDX-License-Identifier: MIT */
#include <sodium.h>

#include "encoding-private.h"
#include "util.h"

void permit_hex(char *out, const uint8_t *in, size_t len) {
        static const char digits[] = "0123456789abcdef";

        for (size_t i = 0; i < len; i++) {
                out[2 * i] = digits[in[i] >> 4];
                out[2 * i + 1] = digits[in[i] & 0xf];
        }
        out[2 * len] = '\0';
}

static int unhex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int permit_unhex(uint8_t *out, size_t len, const char *hex) {
        if (!hex || strlen(hex) != 2 * len)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                int hi = unhex_digit(hex[2 * i]), lo = unhex_digit(hex[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                out[i] = (uint8_t) (hi << 4 | lo);
        }
        return 0;
}

void permit_base64(char *out, size_t out_size, const uint8_t *in, size_t len) {
        sodium_bin2base64(out, out_size, in, len, sodium_base64_VARIANT_ORIGINAL);
}

int permit_unbase64(uint8_t *out, size_t len, const char *b64, size_t b64_len) {
        size_t got = 0;
        const char *end = NULL;

        /* libsodium 1.0.18 decodes some bytes >= 0x80 as if they were letters
         * of the alphabet (0x80 as '/'): one key or signature would have many
         * spellings. Only the alphabet itself is allowed. */
        for (size_t i = 0; i < b64_len; i++) {
                char c = b64[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                      c == '/' || c == '='))
                        return -EINVAL;
        }
        /* The encoded length of exactly len bytes is fixed; anything else
         * (extra characters, missing padding) is not what we want. */
        if (b64_len != sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL) - 1)
                return -EINVAL;
        if (sodium_base642bin(out, len, b64, b64_len, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
                return -EINVAL;
        if (got != len || end != b64 + b64_len)
                return -EINVAL;
        return 0;
}

int permit_utf8_valid(const char *s, size_t len) {
        const unsigned char *p = (const unsigned char *) s;
        size_t i = 0;

        while (i < len) {
                unsigned c = p[i];
                size_t n;
                uint32_t cp;

                if (c < 0x80) {
                        i++;
                        continue;
                } else if ((c & 0xe0) == 0xc0) {
                        n = 1;
                        cp = c & 0x1f;
                } else if ((c & 0xf0) == 0xe0) {
                        n = 2;
                        cp = c & 0x0f;
                } else if ((c & 0xf8) == 0xf0) {
                        n = 3;
                        cp = c & 0x07;
                } else
                        return 0;
                if (len - i <= n)
                        return 0;
                for (size_t k = 1; k <= n; k++) {
                        if ((p[i + k] & 0xc0) != 0x80)
                                return 0;
                        cp = cp << 6 | (p[i + k] & 0x3f);
                }
                if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000))
                        return 0; /* overlong */
                if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return 0;
                i += n + 1;
        }
        return 1;
}
