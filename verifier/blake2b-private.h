/* SPDX-License-Identifier: MIT */
/* BLAKE2b (RFC 7693), unkeyed, with a personalisation string: what the
 * seal's tree digest needs, and nothing more.
 *
 * Why not libsodium's: once sodium_init() has run, libsodium 1.0.18 picks
 * its AVX2 BLAKE2b, which on the machines this project runs on hashes at
 * half the speed of its own portable code (740 vs 1330 MB/s, measured in
 * bench/README.md); there is no API to choose. This is the portable
 * algorithm, written from the RFC, and tested against libsodium's output
 * for every length up to several blocks and with personalisation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PERMIT_BLAKE2B_PERSONAL_SIZE 16

typedef struct permit_blake2b {
        uint64_t h[8];
        uint64_t t[2];
        uint8_t buf[128];
        size_t buflen;
        size_t outlen;
} permit_blake2b;

/* outlen 1..64; personal may be NULL (all zero). */
void permit_blake2b_init(permit_blake2b *s, size_t outlen, const uint8_t personal[PERMIT_BLAKE2B_PERSONAL_SIZE]);
void permit_blake2b_update(permit_blake2b *s, const void *data, size_t len);
/* Writes outlen bytes and wipes the state. */
void permit_blake2b_final(permit_blake2b *s, uint8_t *out);

/* Four one-shot hashes (outlen bytes each, the same personalisation) of
 * four independent messages, side by side in AVX2 lanes: false, with
 * nothing written, when the CPU has no AVX2 (hash them one by one then).
 * Used by the digest engine for small files' leaves. */
bool permit_blake2b_x4(const uint8_t *const in[4], const size_t len[4], size_t outlen,
                       const uint8_t personal[PERMIT_BLAKE2B_PERSONAL_SIZE], uint8_t *const out[4]);
