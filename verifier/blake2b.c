/* SPDX-License-Identifier: MIT */
#include <sodium.h>
#include <string.h>

#include "blake2b-private.h"

static const uint64_t iv[8] = {
        0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
        0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static const uint8_t sigma[12][16] = {
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
        { 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
        { 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
        { 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
        { 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
        { 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
        { 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
        { 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
        { 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
        { 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
        { 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
};

static inline uint64_t load64(const uint8_t *p) {
        uint64_t v;
        memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap64(v);
#endif
        return v;
}

static inline void store64(uint8_t *p, uint64_t v) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap64(v);
#endif
        memcpy(p, &v, 8);
}

static inline uint64_t rotr64(uint64_t x, unsigned n) {
        return (x >> n) | (x << (64 - n));
}

#define G(a, b, c, d, x, y)                    \
        do {                                   \
                a = a + b + (x);               \
                d = rotr64(d ^ a, 32);         \
                c = c + d;                     \
                b = rotr64(b ^ c, 24);         \
                a = a + b + (y);               \
                d = rotr64(d ^ a, 16);         \
                c = c + d;                     \
                b = rotr64(b ^ c, 63);         \
        } while (0)

static void compress(permit_blake2b *s, const uint8_t block[128], int last) {
        uint64_t m[16], v[16];

        for (int i = 0; i < 16; i++)
                m[i] = load64(block + 8 * i);
        for (int i = 0; i < 8; i++) {
                v[i] = s->h[i];
                v[i + 8] = iv[i];
        }
        v[12] ^= s->t[0];
        v[13] ^= s->t[1];
        if (last)
                v[14] = ~v[14];
        /* Unrolled, the message schedule becomes constant indices. */
#pragma GCC unroll 12
        for (int r = 0; r < 12; r++) {
                const uint8_t *z = sigma[r];
                G(v[0], v[4], v[8], v[12], m[z[0]], m[z[1]]);
                G(v[1], v[5], v[9], v[13], m[z[2]], m[z[3]]);
                G(v[2], v[6], v[10], v[14], m[z[4]], m[z[5]]);
                G(v[3], v[7], v[11], v[15], m[z[6]], m[z[7]]);
                G(v[0], v[5], v[10], v[15], m[z[8]], m[z[9]]);
                G(v[1], v[6], v[11], v[12], m[z[10]], m[z[11]]);
                G(v[2], v[7], v[8], v[13], m[z[12]], m[z[13]]);
                G(v[3], v[4], v[9], v[14], m[z[14]], m[z[15]]);
        }
        for (int i = 0; i < 8; i++)
                s->h[i] ^= v[i] ^ v[i + 8];
}

static void add_counter(permit_blake2b *s, uint64_t n) {
        s->t[0] += n;
        if (s->t[0] < n)
                s->t[1]++;
}

void permit_blake2b_init(permit_blake2b *s, size_t outlen, const uint8_t personal[PERMIT_BLAKE2B_PERSONAL_SIZE]) {
        memset(s, 0, sizeof(*s));
        if (outlen < 1 || outlen > 64)
                outlen = 64; /* callers pass constants; never a short read of out */
        s->outlen = outlen;
        for (int i = 0; i < 8; i++)
                s->h[i] = iv[i];
        /* Parameter block: digest length, key length 0, fanout 1, depth 1;
         * salt zero; personalisation in words 6 and 7. */
        s->h[0] ^= 0x01010000ULL ^ (uint64_t) outlen;
        if (personal) {
                s->h[6] ^= load64(personal);
                s->h[7] ^= load64(personal + 8);
        }
}

void permit_blake2b_update(permit_blake2b *s, const void *data, size_t len) {
        const uint8_t *p = data;

        if (len == 0)
                return;
        /* The last block is compressed by final() with its flag set, so a
         * full buffer waits until more data comes. */
        if (s->buflen > 0) {
                size_t fill = 128 - s->buflen;
                if (len <= fill) {
                        memcpy(s->buf + s->buflen, p, len);
                        s->buflen += len;
                        return;
                }
                memcpy(s->buf + s->buflen, p, fill);
                add_counter(s, 128);
                compress(s, s->buf, 0);
                s->buflen = 0;
                p += fill;
                len -= fill;
        }
        while (len > 128) {
                add_counter(s, 128);
                compress(s, p, 0);
                p += 128;
                len -= 128;
        }
        memcpy(s->buf, p, len);
        s->buflen = len;
}

void permit_blake2b_final(permit_blake2b *s, uint8_t *out) {
        uint8_t full[64];

        add_counter(s, s->buflen);
        memset(s->buf + s->buflen, 0, 128 - s->buflen);
        compress(s, s->buf, 1);
        for (int i = 0; i < 8; i++)
                store64(full + 8 * i, s->h[i]);
        memcpy(out, full, s->outlen);
        sodium_memzero(full, sizeof(full));
        sodium_memzero(s, sizeof(*s));
}

/* ---- Four messages at once ---------------------------------------------- *
 *
 * A package of many small files hashes many independent leaves; the four
 * 64-bit lanes of an AVX2 register run four of them through the same
 * rounds. Lanes go in step over the blocks every message has before its
 * last; each message is then finished alone with the code above (its state
 * taken out of the lane), so lengths need not match. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define X4 __attribute__((target("avx2")))

X4 static inline __m256i rotr32_x4(__m256i x) {
        return _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1));
}

X4 static inline __m256i rotr24_x4(__m256i x) {
        const __m256i r = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4, 5, 6, 7, 0, 1,
                                           2, 11, 12, 13, 14, 15, 8, 9, 10);
        return _mm256_shuffle_epi8(x, r);
}

X4 static inline __m256i rotr16_x4(__m256i x) {
        const __m256i r = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3, 4, 5, 6, 7, 0,
                                           1, 10, 11, 12, 13, 14, 15, 8, 9);
        return _mm256_shuffle_epi8(x, r);
}

X4 static inline __m256i rotr63_x4(__m256i x) {
        return _mm256_or_si256(_mm256_srli_epi64(x, 63), _mm256_add_epi64(x, x));
}

#define G4(a, b, c, d, x, y)                                                  \
        do {                                                                  \
                a = _mm256_add_epi64(_mm256_add_epi64(a, b), (x));           \
                d = rotr32_x4(_mm256_xor_si256(d, a));                       \
                c = _mm256_add_epi64(c, d);                                  \
                b = rotr24_x4(_mm256_xor_si256(b, c));                       \
                a = _mm256_add_epi64(_mm256_add_epi64(a, b), (y));           \
                d = rotr16_x4(_mm256_xor_si256(d, a));                       \
                c = _mm256_add_epi64(c, d);                                  \
                b = rotr63_x4(_mm256_xor_si256(b, c));                       \
        } while (0)

/* One block of each of the four messages (not the last of any): in[j]
 * points at lane j's block; counter is the bytes hashed once it is in. */
X4 static void compress_x4(__m256i h[8], const uint8_t *const in[4], uint64_t counter) {
        __m256i m[16], v[16];

        /* Word i of every lane into m[i]: 4x4 transposes of 64-bit words. */
        for (int k = 0; k < 4; k++) {
                __m256i a = _mm256_loadu_si256((const __m256i *) (in[0] + 32 * k));
                __m256i b = _mm256_loadu_si256((const __m256i *) (in[1] + 32 * k));
                __m256i c = _mm256_loadu_si256((const __m256i *) (in[2] + 32 * k));
                __m256i d = _mm256_loadu_si256((const __m256i *) (in[3] + 32 * k));
                __m256i t0 = _mm256_unpacklo_epi64(a, b), t1 = _mm256_unpackhi_epi64(a, b);
                __m256i t2 = _mm256_unpacklo_epi64(c, d), t3 = _mm256_unpackhi_epi64(c, d);
                m[4 * k + 0] = _mm256_permute2x128_si256(t0, t2, 0x20);
                m[4 * k + 1] = _mm256_permute2x128_si256(t1, t3, 0x20);
                m[4 * k + 2] = _mm256_permute2x128_si256(t0, t2, 0x31);
                m[4 * k + 3] = _mm256_permute2x128_si256(t1, t3, 0x31);
        }
        for (int i = 0; i < 8; i++) {
                v[i] = h[i];
                v[i + 8] = _mm256_set1_epi64x((long long) iv[i]);
        }
        v[12] = _mm256_xor_si256(v[12], _mm256_set1_epi64x((long long) counter));
#pragma GCC unroll 12
        for (int r = 0; r < 12; r++) {
                const uint8_t *z = sigma[r];
                G4(v[0], v[4], v[8], v[12], m[z[0]], m[z[1]]);
                G4(v[1], v[5], v[9], v[13], m[z[2]], m[z[3]]);
                G4(v[2], v[6], v[10], v[14], m[z[4]], m[z[5]]);
                G4(v[3], v[7], v[11], v[15], m[z[6]], m[z[7]]);
                G4(v[0], v[5], v[10], v[15], m[z[8]], m[z[9]]);
                G4(v[1], v[6], v[11], v[12], m[z[10]], m[z[11]]);
                G4(v[2], v[7], v[8], v[13], m[z[12]], m[z[13]]);
                G4(v[3], v[4], v[9], v[14], m[z[14]], m[z[15]]);
        }
        for (int i = 0; i < 8; i++)
                h[i] = _mm256_xor_si256(h[i], _mm256_xor_si256(v[i], v[i + 8]));
}

X4 static void blake2b_x4(const uint8_t *const in[4], const size_t len[4], size_t outlen,
                          const uint8_t personal[PERMIT_BLAKE2B_PERSONAL_SIZE], uint8_t *const out[4]) {
        permit_blake2b st[4];
        size_t common = SIZE_MAX;
        uint64_t lanes[8][4];
        __m256i h[8];

        for (int j = 0; j < 4; j++) {
                size_t blocks = len[j] == 0 ? 1 : (len[j] + 127) / 128;
                if (blocks - 1 < common)
                        common = blocks - 1;
                permit_blake2b_init(&st[j], outlen, personal);
        }
        for (int i = 0; i < 8; i++)
                h[i] = _mm256_set1_epi64x((long long) st[0].h[i]);
        for (size_t b = 0; b < common; b++) {
                const uint8_t *const at[4] = { in[0] + 128 * b, in[1] + 128 * b, in[2] + 128 * b, in[3] + 128 * b };
                compress_x4(h, at, (uint64_t) (b + 1) * 128);
        }
        for (int i = 0; i < 8; i++)
                _mm256_storeu_si256((__m256i *) lanes[i], h[i]);
        for (int j = 0; j < 4; j++) {
                for (int i = 0; i < 8; i++)
                        st[j].h[i] = lanes[i][j];
                st[j].t[0] = (uint64_t) common * 128;
                permit_blake2b_update(&st[j], in[j] + 128 * common, len[j] - 128 * common);
                permit_blake2b_final(&st[j], out[j]);
        }
        sodium_memzero(lanes, sizeof(lanes));
}

bool permit_blake2b_x4(const uint8_t *const in[4], const size_t len[4], size_t outlen,
                       const uint8_t personal[PERMIT_BLAKE2B_PERSONAL_SIZE], uint8_t *const out[4]) {
        /* Workers may ask at the same time; they all store the same. */
        static int have = -1;
        int h = __atomic_load_n(&have, __ATOMIC_RELAXED);

        if (h < 0) {
                __builtin_cpu_init();
                h = __builtin_cpu_supports("avx2") ? 1 : 0;
                __atomic_store_n(&have, h, __ATOMIC_RELAXED);
        }
        if (!h)
                return false;
        blake2b_x4(in, len, outlen, personal, out);
        return true;
}
#else
bool permit_blake2b_x4(const uint8_t *const in[4], const size_t len[4], size_t outlen,
                       const uint8_t personal[PERMIT_BLAKE2B_PERSONAL_SIZE], uint8_t *const out[4]) {
        return false;
}
#endif
