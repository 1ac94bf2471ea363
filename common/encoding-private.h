/* SPDX-License-Identifier: MIT */
/* Hex and base64, with lengths checked both ways. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void permit_hex(char *out, const uint8_t *in, size_t len);

/* Decodes exactly len bytes of hex (either case, nothing else allowed). */
int permit_unhex(uint8_t *out, size_t len, const char *hex);

/* Standard base64 with padding (minisign's alphabet). out must hold
 * sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL). */
void permit_base64(char *out, size_t out_size, const uint8_t *in, size_t len);

/* Decodes base64 that must yield exactly len bytes; -EINVAL otherwise. */
int permit_unbase64(uint8_t *out, size_t len, const char *b64, size_t b64_len);

/* True when s (of length len) is valid UTF-8 without overlongs, surrogates
 * or code points past U+10FFFF. */
int permit_utf8_valid(const char *s, size_t len);
