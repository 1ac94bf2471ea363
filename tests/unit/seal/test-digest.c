/* SPDX-License-Identifier: MIT */
/* The file digest, blake2b-tree-256: permit_tree_digest() against a
 * computation written here from doc/seal.md with libsodium's BLAKE2b, and
 * against vectors from Python's hashlib (an independent BLAKE2b); the hash
 * pipeline (digest_engine) with 0, 1 and 2 worker threads against
 * permit_tree_digest(). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>

#include "digest-private.h"
#include "seal-test.h"

#define MIB ((size_t) 1 << 20)

/* The test data: byte i is (31 i + 7) mod 256. */
static uint8_t *pattern(size_t len) {
        uint8_t *p = malloc(len ? len : 1);

        assert_non_null(p);
        for (size_t i = 0; i < len; i++)
                p[i] = (uint8_t) (i * 31 + 7);
        return p;
}

static void hex(const uint8_t d[PERMIT_DIGEST_SIZE], char out[2 * PERMIT_DIGEST_SIZE + 1]) {
        for (size_t i = 0; i < PERMIT_DIGEST_SIZE; i++)
                snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* doc/seal.md, written out again: leaves of 1 MiB, then the root over
 * le64(size) and the leaves; personalisations zero-padded to 16 bytes. */
static void reference(const uint8_t *data, size_t len, uint8_t out[PERMIT_DIGEST_SIZE]) {
        uint8_t leaf_personal[16] = { 0 }, root_personal[16] = { 0 };
        size_t n = (len + MIB - 1) / MIB;
        uint8_t *buf = malloc(8 + n * 32);

        assert_non_null(buf);
        memcpy(leaf_personal, "permit-leaf-v1", 14);
        memcpy(root_personal, "permit-root-v1", 14);
        for (int i = 0; i < 8; i++)
                buf[i] = (uint8_t) ((uint64_t) len >> (8 * i));
        for (size_t i = 0; i < n; i++) {
                size_t k = len - i * MIB < MIB ? len - i * MIB : MIB;
                assert_int_equal(crypto_generichash_blake2b_salt_personal(buf + 8 + 32 * i, 32, data + i * MIB, k,
                                                                          NULL, 0, NULL, leaf_personal),
                                 0);
        }
        assert_int_equal(crypto_generichash_blake2b_salt_personal(out, 32, buf, 8 + n * 32, NULL, 0, NULL,
                                                                  root_personal),
                         0);
        free(buf);
}

static void test_constants(void **state) {
        (void) state;
        assert_int_equal(PERMIT_CHUNK_SIZE, MIB);
        assert_int_equal(PERMIT_DIGEST_SIZE, 32);
        assert_string_equal(PERMIT_HASH_NAME, "blake2b-tree-256");
}

/* Python: hashlib.blake2b(chunk, digest_size=32, person=b"permit-leaf-v1")
 * for the leaves, person=b"permit-root-v1" over len.to_bytes(8, "little")
 * + leaves for the root, over pattern(n). */
static void test_vectors(void **state) {
        static const struct {
                size_t len;
                const char *digest;
        } vectors[] = {
                { 0, "6c568d652de98de6f2f73c8955a77c90618fe07f8f56bdfd64e7284b64dec665" },
                { 1, "b4b7f7d3ae86c7031e7a5b445385b1ae3c1c784381edf64ef1c4beb5f1ec2d1f" },
                { MIB, "2afca9fc6597eb9d1315c2351f71304e365dbf2c7792ec50f729d3957c49e88e" },
                { MIB + 1, "cdd445cabf9b2d7cfd8b886b7ce715d3819921c97827c1faee519562c3c3c791" },
        };

        (void) state;
        for (size_t i = 0; i < sizeof(vectors) / sizeof(*vectors); i++) {
                uint8_t *data = pattern(vectors[i].len), d[PERMIT_DIGEST_SIZE];
                char h[2 * PERMIT_DIGEST_SIZE + 1];

                permit_tree_digest(data, vectors[i].len, d);
                hex(d, h);
                assert_string_equal(h, vectors[i].digest);
                reference(data, vectors[i].len, d);
                hex(d, h);
                assert_string_equal(h, vectors[i].digest);
                free(data);
        }
}

static void test_against_reference(void **state) {
        static const size_t sizes[] = { 0, 1, 2, 63, 64, 127, 128, 129, MIB - 1, MIB, MIB + 1, 2 * MIB,
                                        2 * MIB + 1, 3 * MIB + 5 };
        uint8_t *data = pattern(3 * MIB + 5);

        (void) state;
        for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
                uint8_t got[PERMIT_DIGEST_SIZE], want[PERMIT_DIGEST_SIZE];
                permit_tree_digest(data, sizes[i], got);
                reference(data, sizes[i], want);
                assert_memory_equal(got, want, PERMIT_DIGEST_SIZE);
        }
        free(data);
}

/* What the tree adds over plain BLAKE2b: the length and the two levels
 * are bound in. */
static void test_domain_separation(void **state) {
        uint8_t *data = pattern(MIB + 1), a[PERMIT_DIGEST_SIZE], b[PERMIT_DIGEST_SIZE];
        uint8_t zeros[2] = { 0, 0 };

        (void) state;
        /* Not plain BLAKE2b-256. */
        permit_tree_digest(data, 1, a);
        crypto_generichash(b, sizeof(b), data, 1, NULL, 0);
        assert_memory_not_equal(a, b, PERMIT_DIGEST_SIZE);
        /* "" and one zero byte, one and two zero bytes differ. */
        permit_tree_digest(zeros, 0, a);
        permit_tree_digest(zeros, 1, b);
        assert_memory_not_equal(a, b, PERMIT_DIGEST_SIZE);
        permit_tree_digest(zeros, 2, a);
        assert_memory_not_equal(a, b, PERMIT_DIGEST_SIZE);
        /* The last byte of a second chunk counts. */
        permit_tree_digest(data, MIB + 1, a);
        data[MIB] ^= 1;
        permit_tree_digest(data, MIB + 1, b);
        assert_memory_not_equal(a, b, PERMIT_DIGEST_SIZE);
        free(data);
}

/* ---- the engine ---- */

static const size_t engine_sizes[] = { 0, 1, MIB - 1, MIB, 3 * MIB + 5 };
#define N_ENGINE_SIZES (sizeof(engine_sizes) / sizeof(*engine_sizes))

/* Feeds a file to the engine the way package_scan() does: full chunks,
 * the last one short. */
static void feed(digest_engine *e, const uint8_t *data, size_t len, uint8_t *out) {
        assert_int_equal(digest_engine_begin_file(e, len, out), 0);
        for (size_t off = 0; off < len; off += MIB) {
                size_t k = len - off < MIB ? len - off : MIB;
                uint8_t *buf = digest_engine_buffer(e);
                assert_non_null(buf);
                memcpy(buf, data + off, k);
                assert_int_equal(digest_engine_submit(e, buf, k), 0);
        }
        assert_int_equal(digest_engine_end_file(e), 0);
}

static void engine_files(unsigned threads) {
        uint8_t *data = pattern(3 * MIB + 6); /* round 1 starts one byte in */
        uint8_t got[N_ENGINE_SIZES][PERMIT_DIGEST_SIZE], want[PERMIT_DIGEST_SIZE];
        digest_engine *e = NULL;

        assert_int_equal(digest_engine_new(threads, &e), 0);
        /* Twice through, all in flight together before finish. */
        for (int round = 0; round < 2; round++) {
                memset(got, 0, sizeof(got));
                for (size_t i = 0; i < N_ENGINE_SIZES; i++)
                        feed(e, data + round, engine_sizes[i], got[i]);
                assert_int_equal(digest_engine_finish(e), 0);
                for (size_t i = 0; i < N_ENGINE_SIZES; i++) {
                        permit_tree_digest(data + round, engine_sizes[i], want);
                        assert_memory_equal(got[i], want, PERMIT_DIGEST_SIZE);
                }
        }
        digest_engine_free(e);
        free(data);
}

static void test_engine_0(void **state) {
        (void) state;
        engine_files(0);
}

static void test_engine_1(void **state) {
        (void) state;
        engine_files(1);
}

static void test_engine_2(void **state) {
        (void) state;
        engine_files(2);
}

/* Many small files side by side, in one pass, as a package of many files
 * is hashed. */
static void test_engine_many(void **state) {
        enum { N = 300 };
        uint8_t *data = pattern(2 * MIB + 300);
        uint8_t(*got)[PERMIT_DIGEST_SIZE] = calloc(N, PERMIT_DIGEST_SIZE), want[PERMIT_DIGEST_SIZE];
        digest_engine *e = NULL;

        (void) state;
        assert_non_null(got);
        assert_int_equal(digest_engine_new(2, &e), 0);
        for (size_t i = 0; i < N; i++)
                feed(e, data + i, i % 50 == 0 ? MIB + i : i * 7, got[i]);
        assert_int_equal(digest_engine_finish(e), 0);
        for (size_t i = 0; i < N; i++) {
                permit_tree_digest(data + i, i % 50 == 0 ? MIB + i : i * 7, want);
                assert_memory_equal(got[i], want, PERMIT_DIGEST_SIZE);
        }
        digest_engine_free(e);
        free(got);
        free(data);
}

/* Misuse is refused, and the buffer handed in goes back to the pool (with
 * 0 threads the pool holds one: a lost buffer would hang the next call). */
static void test_engine_misuse(void **state) {
        uint8_t out[PERMIT_DIGEST_SIZE], want[PERMIT_DIGEST_SIZE];
        uint8_t *data = pattern(2 * MIB);
        digest_engine *e = NULL;
        uint8_t *buf;

        (void) state;
        for (unsigned threads = 0; threads <= 1; threads++) {
                assert_int_equal(digest_engine_new(threads, &e), 0);
                /* No file begun. */
                buf = digest_engine_buffer(e);
                assert_int_equal(digest_engine_submit(e, buf, 1), -EINVAL);
                assert_int_equal(digest_engine_end_file(e), -EINVAL);

                assert_int_equal(digest_engine_begin_file(e, MIB, out), 0);
                /* One at a time. */
                assert_int_equal(digest_engine_begin_file(e, 1, want), -EINVAL);
                assert_int_equal(digest_engine_finish(e), -EINVAL);
                /* Empty and oversized chunks. */
                buf = digest_engine_buffer(e);
                assert_int_equal(digest_engine_submit(e, buf, 0), -EINVAL);
                buf = digest_engine_buffer(e);
                assert_int_equal(digest_engine_submit(e, buf, MIB + 1), -EINVAL);
                /* More chunks than the declared size allows. */
                buf = digest_engine_buffer(e);
                memcpy(buf, data, MIB);
                assert_int_equal(digest_engine_submit(e, buf, MIB), 0);
                buf = digest_engine_buffer(e);
                assert_int_equal(digest_engine_submit(e, buf, 1), -EINVAL);
                /* A buffer taken and given back unused. */
                digest_engine_release(e, digest_engine_buffer(e));
                digest_engine_release(e, NULL);
                assert_int_equal(digest_engine_end_file(e), 0);
                assert_int_equal(digest_engine_finish(e), 0);
                permit_tree_digest(data, MIB, want);
                assert_memory_equal(out, want, PERMIT_DIGEST_SIZE);

                /* Still usable. */
                feed(e, data, 2 * MIB, out);
                assert_int_equal(digest_engine_finish(e), 0);
                permit_tree_digest(data, 2 * MIB, want);
                assert_memory_equal(out, want, PERMIT_DIGEST_SIZE);
                digest_engine_free(e);
        }
        digest_engine_free(NULL);
        free(data);
}

/* Freed with a file begun and never ended (a scan that failed midway). */
static void test_engine_abandoned(void **state) {
        uint8_t out[PERMIT_DIGEST_SIZE];
        uint8_t *data = pattern(3 * MIB);

        (void) state;
        for (unsigned threads = 0; threads <= 2; threads++) {
                digest_engine *e = NULL;
                assert_int_equal(digest_engine_new(threads, &e), 0);
                assert_int_equal(digest_engine_begin_file(e, 3 * MIB, out), 0);
                for (int i = 0; i < 2; i++) {
                        uint8_t *buf = digest_engine_buffer(e);
                        memcpy(buf, data + i * MIB, MIB);
                        assert_int_equal(digest_engine_submit(e, buf, MIB), 0);
                }
                digest_engine_free(e);
        }
        free(data);
}

/* Small files read straight into the pack (reserve_small, submit_small),
 * mixed with files fed through buffers, on 0, 1 and 2 workers; and the
 * misuse the reservation refuses. */
static void test_engine_small(void **state) {
        enum { N = 200 };
        uint8_t *data = pattern(2 * MIB);
        uint8_t(*got)[PERMIT_DIGEST_SIZE] = calloc(N, PERMIT_DIGEST_SIZE), want[PERMIT_DIGEST_SIZE];

        (void) state;
        assert_non_null(got);
        for (unsigned threads = 0; threads <= 2; threads++) {
                digest_engine *e = NULL;
                uint8_t *room;

                assert_int_equal(digest_engine_new(threads, &e), 0);
                /* No file begun; then empty and oversized reservations. */
                assert_null(digest_engine_reserve_small(e, 1));
                assert_int_equal(digest_engine_submit_small(e, 1), -EINVAL);
                assert_int_equal(digest_engine_begin_file(e, 10, got[0]), 0);
                assert_null(digest_engine_reserve_small(e, 0));
                assert_null(digest_engine_reserve_small(e, DIGEST_SMALL_MAX + 1));
                /* One at a time; a cancelled one leaves nothing behind. */
                room = digest_engine_reserve_small(e, 10);
                assert_non_null(room);
                assert_null(digest_engine_reserve_small(e, 10));
                digest_engine_cancel_small(e);
                assert_int_equal(digest_engine_submit_small(e, 10), -EINVAL);
                room = digest_engine_reserve_small(e, 10);
                assert_non_null(room);
                memcpy(room, data, 10);
                assert_int_equal(digest_engine_submit_small(e, 10), 0);
                assert_int_equal(digest_engine_end_file(e), 0);

                for (size_t i = 1; i < N; i++) {
                        size_t len = i % 40 == 0 ? MIB + i : i % 3 == 0 ? DIGEST_SMALL_MAX - i : i * 11;
                        if (len > DIGEST_SMALL_MAX) {
                                feed(e, data + i, len, got[i]);
                                continue;
                        }
                        assert_int_equal(digest_engine_begin_file(e, len, got[i]), 0);
                        room = digest_engine_reserve_small(e, len);
                        assert_non_null(room);
                        memcpy(room, data + i, len);
                        assert_int_equal(digest_engine_submit_small(e, len), 0);
                        assert_int_equal(digest_engine_end_file(e), 0);
                }
                assert_int_equal(digest_engine_finish(e), 0);
                permit_tree_digest(data, 10, want);
                assert_memory_equal(got[0], want, PERMIT_DIGEST_SIZE);
                for (size_t i = 1; i < N; i++) {
                        size_t len = i % 40 == 0 ? MIB + i : i % 3 == 0 ? DIGEST_SMALL_MAX - i : i * 11;
                        permit_tree_digest(data + i, len, want);
                        assert_memory_equal(got[i], want, PERMIT_DIGEST_SIZE);
                }
                /* Abandoned with a reservation open (a scan that failed). */
                assert_int_equal(digest_engine_begin_file(e, 5, got[0]), 0);
                assert_non_null(digest_engine_reserve_small(e, 5));
                digest_engine_free(e);
        }
        free(got);
        free(data);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_constants),
                cmocka_unit_test(test_vectors),
                cmocka_unit_test(test_against_reference),
                cmocka_unit_test(test_domain_separation),
                cmocka_unit_test(test_engine_0),
                cmocka_unit_test(test_engine_1),
                cmocka_unit_test(test_engine_2),
                cmocka_unit_test(test_engine_many),
                cmocka_unit_test(test_engine_misuse),
                cmocka_unit_test(test_engine_abandoned),
                cmocka_unit_test(test_engine_small),
        };

        if (sodium_init() < 0)
                return 1;
        return cmocka_run_group_tests_name("seal-digest", tests, NULL, NULL);
}
