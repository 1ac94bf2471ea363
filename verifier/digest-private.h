/* SPDX-License-Identifier: MIT */
/* The seal's file digest, "blake2b-tree-256" (doc/seal.md):
 *
 *   leaf[i] = BLAKE2b-256(chunk i of 1 MiB, personal "permit-leaf-v1")
 *   digest  = BLAKE2b-256(le64(size) || leaf[0] || ... || leaf[n-1],
 *                         personal "permit-root-v1")
 *
 * Chunks hash independently, so one file hashes on every core while it is
 * read, and many small files hash side by side. The engine below is that
 * pipeline: the caller reads chunks into the engine's buffers (a bounded
 * pool, so memory stays flat whatever the package) and worker threads hash
 * them; a file's digest is ready once digest_engine_finish() returns. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "permit/manifest.h" /* PERMIT_DIGEST_SIZE */

#define PERMIT_HASH_NAME "blake2b-tree-256"
#define PERMIT_CHUNK_SIZE ((size_t) 1 << 20)

/* One-shot digest of a buffer (tests, small files). */
void permit_tree_digest(const void *data, size_t len, uint8_t ret[PERMIT_DIGEST_SIZE]);

typedef struct digest_engine digest_engine;

/* threads: worker threads; 0 hashes in the caller's thread. */
int digest_engine_new(unsigned threads, digest_engine **ret);
void digest_engine_free(digest_engine *e);

/* Starts a file whose digest will be written to out once finished. The
 * declared size (bounded by the package limits) sizes its leaf table; a file
 * that yields more chunks than declared fails. */
int digest_engine_begin_file(digest_engine *e, uint64_t declared_size, uint8_t *out);

/* A free chunk buffer of PERMIT_CHUNK_SIZE bytes; waits for one. */
uint8_t *digest_engine_buffer(digest_engine *e);

/* Hands a filled buffer (len bytes, len <= PERMIT_CHUNK_SIZE, > 0) over
 * as the next chunk of the current file. The buffer goes back to the pool. */
int digest_engine_submit(digest_engine *e, uint8_t *buf, size_t len);

/* Returns a buffer that was not submitted. */
void digest_engine_release(digest_engine *e, uint8_t *buf);

/* Small files (one leaf of at most DIGEST_SMALL_MAX bytes) are packed many
 * to a worker's job. Reserving the leaf's space in the pack lets the caller
 * read the file straight where it is hashed, instead of into a buffer that
 * submit copies from. One reservation at a time: submit_small hands len
 * bytes (0 < len <= the reserved length) over as the next chunk of the
 * current file; cancel_small drops it. reserve_small returns NULL on a bad
 * call or when out of memory. */
#define DIGEST_SMALL_MAX ((size_t) 64 * 1024)
uint8_t *digest_engine_reserve_small(digest_engine *e, size_t len);
int digest_engine_submit_small(digest_engine *e, size_t len);
void digest_engine_cancel_small(digest_engine *e);

/* Ends the current file (size = bytes submitted). */
int digest_engine_end_file(digest_engine *e);

/* Waits until every digest is written. */
int digest_engine_finish(digest_engine *e);
