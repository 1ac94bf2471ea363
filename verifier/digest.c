/* SPDX-License-Identifier: MIT */
#include <pthread.h>

#include "blake2b-private.h"
#include "digest-private.h"
#include "util.h"

static const uint8_t leaf_personal[PERMIT_BLAKE2B_PERSONAL_SIZE] = "permit-leaf-v1";
static const uint8_t root_personal[PERMIT_BLAKE2B_PERSONAL_SIZE] = "permit-root-v1";

static void hash_leaf(const uint8_t *data, size_t len, uint8_t out[PERMIT_DIGEST_SIZE]) {
        permit_blake2b st;

        permit_blake2b_init(&st, PERMIT_DIGEST_SIZE, leaf_personal);
        permit_blake2b_update(&st, data, len);
        permit_blake2b_final(&st, out);
}

static void hash_root(uint64_t size, const uint8_t *leaves, size_t n_leaves, uint8_t out[PERMIT_DIGEST_SIZE]) {
        permit_blake2b st;
        uint8_t le[8];

        for (int i = 0; i < 8; i++)
                le[i] = (uint8_t) (size >> (8 * i));
        permit_blake2b_init(&st, PERMIT_DIGEST_SIZE, root_personal);
        permit_blake2b_update(&st, le, sizeof(le));
        permit_blake2b_update(&st, leaves, n_leaves * PERMIT_DIGEST_SIZE);
        permit_blake2b_final(&st, out);
}

void permit_tree_digest(const void *data, size_t len, uint8_t ret[PERMIT_DIGEST_SIZE]) {
        size_t n = (len + PERMIT_CHUNK_SIZE - 1) / PERMIT_CHUNK_SIZE;
        _cleanup_free_ uint8_t *leaves = calloc(n ? n : 1, PERMIT_DIGEST_SIZE);
        const uint8_t *p = data;

        if (!leaves) {
                /* Tests only; an allocation this small failing is fatal. */
                abort();
        }
        for (size_t i = 0; i < n; i++) {
                size_t k = i + 1 < n ? PERMIT_CHUNK_SIZE : len - i * PERMIT_CHUNK_SIZE;
                hash_leaf(p + i * PERMIT_CHUNK_SIZE, k, leaves + i * PERMIT_DIGEST_SIZE);
        }
        hash_root(len, leaves, n, ret);
}

/* A file being hashed. Leaves fill in any order; the worker that completes
 * the last one of an ended file writes the root. */
typedef struct file_state {
        uint8_t *out;
        uint8_t *leaves;
        size_t n_alloc;     /* leaves allocated */
        size_t n_chunks;    /* chunks submitted */
        size_t n_pending;   /* chunks submitted, not yet hashed */
        uint64_t size;
        int ended;
        struct file_state *next_free;
} file_state;

/* A job is one buffer holding one leaf, or many small files' only leaves
 * packed together: handing 10,000 small files to the workers one by one
 * costs more in locking and wake-ups than hashing them. */
#define PACK_THRESHOLD DIGEST_SMALL_MAX
#define PACK_MAX_SEGMENTS 64

typedef struct segment {
        file_state *file;
        size_t index; /* leaf number in the file */
        size_t off, len;
} segment;

typedef struct job {
        uint8_t *buf;
        size_t n_seg;
        segment seg[PACK_MAX_SEGMENTS];
        struct job *next;
} job;

struct digest_engine {
        pthread_mutex_t lock;
        pthread_cond_t work;       /* a job was queued, or stopping */
        pthread_cond_t done;       /* a buffer came back, or a file finished */
        /* Threads blocked on work / done: signalling nobody costs a futex
         * call per job, which on 10,000 small files is most of the pool's
         * overhead. */
        unsigned idle_workers, waiting;
        pthread_t *threads;
        unsigned n_threads;
        int stopping;

        uint8_t **free_bufs;
        size_t n_free, n_bufs;
        job *jobs_free;            /* job structs to reuse */
        job *queue_head, *queue_tail;

        job *pack;                 /* small leaves being gathered, not queued yet */
        size_t pack_used;
        uint8_t *small;            /* a reserved small leaf's space (in the pack, or a buffer) */

        file_state *current;
        size_t files_open;         /* begun and not yet written out */
        int error;
};

static void file_complete_locked(digest_engine *e, file_state *f) {
        hash_root(f->size, f->leaves, f->n_chunks, f->out);
        free(f->leaves);
        free(f);
        e->files_open--;
        if (e->waiting)
                pthread_cond_broadcast(&e->done);
}

/* A job's leaves. A pack of small files' leaves goes four at a time through
 * the four-lane BLAKE2b, shortest first, so that the lanes of a group run
 * in step for most of their blocks; the rest (and every leaf where the CPU
 * has no AVX2) one by one. */
static void hash_job(const job *j) {
        size_t order[PACK_MAX_SEGMENTS], n = j->n_seg, i = 0;

        for (size_t k = 0; k < n; k++) {
                size_t at = k;
                /* insertion sort by length: at most 64 */
                while (at > 0 && j->seg[order[at - 1]].len > j->seg[k].len) {
                        order[at] = order[at - 1];
                        at--;
                }
                order[at] = k;
        }
        for (; i + 4 <= n; i += 4) {
                const uint8_t *in[4];
                size_t len[4];
                uint8_t *out[4];

                for (int l = 0; l < 4; l++) {
                        const segment *g = &j->seg[order[i + l]];
                        in[l] = j->buf + g->off;
                        len[l] = g->len;
                        out[l] = g->file->leaves + g->index * PERMIT_DIGEST_SIZE;
                }
                if (!permit_blake2b_x4(in, len, PERMIT_DIGEST_SIZE, leaf_personal, out))
                        break;
        }
        for (; i < n; i++) {
                const segment *g = &j->seg[order[i]];
                hash_leaf(j->buf + g->off, g->len, g->file->leaves + g->index * PERMIT_DIGEST_SIZE);
        }
}

static void *worker(void *arg) {
        digest_engine *e = arg;

        pthread_mutex_lock(&e->lock);
        for (;;) {
                job *j;
                while (!e->queue_head && !e->stopping) {
                        e->idle_workers++;
                        pthread_cond_wait(&e->work, &e->lock);
                        e->idle_workers--;
                }
                if (!e->queue_head)
                        break;
                j = e->queue_head;
                e->queue_head = j->next;
                if (!e->queue_head)
                        e->queue_tail = NULL;
                pthread_mutex_unlock(&e->lock);

                hash_job(j);

                pthread_mutex_lock(&e->lock);
                e->free_bufs[e->n_free++] = j->buf;
                for (size_t i = 0; i < j->n_seg; i++)
                        if (--j->seg[i].file->n_pending == 0 && j->seg[i].file->ended)
                                file_complete_locked(e, j->seg[i].file);
                j->next = e->jobs_free;
                e->jobs_free = j;
                if (e->waiting)
                        pthread_cond_broadcast(&e->done);
        }
        pthread_mutex_unlock(&e->lock);
        return NULL;
}

int digest_engine_new(unsigned threads, digest_engine **ret) {
        digest_engine *e;

        if (threads > 64)
                threads = 64;
        e = calloc(1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        pthread_mutex_init(&e->lock, NULL);
        pthread_cond_init(&e->work, NULL);
        pthread_cond_init(&e->done, NULL);
        /* Two buffers per worker keep each busy while the reader fills the
         * next; one more for the reader. */
        e->n_bufs = 2 * (size_t) threads + 1;
        e->free_bufs = calloc(e->n_bufs, sizeof(*e->free_bufs));
        if (!e->free_bufs)
                goto fail;
        for (size_t i = 0; i < e->n_bufs; i++) {
                e->free_bufs[i] = malloc(PERMIT_CHUNK_SIZE);
                if (!e->free_bufs[i])
                        goto fail;
                e->n_free++;
        }
        e->threads = calloc(threads ? threads : 1, sizeof(pthread_t));
        if (!e->threads)
                goto fail;
        for (unsigned i = 0; i < threads; i++) {
                if (pthread_create(&e->threads[i], NULL, worker, e) != 0)
                        goto fail;
                e->n_threads++;
        }
        *ret = e;
        return 0;
fail:
        digest_engine_free(e);
        return -ENOMEM;
}

static void pack_flush(digest_engine *e);

void digest_engine_free(digest_engine *e) {
        if (!e)
                return;
        digest_engine_cancel_small(e);
        /* Packed leaves still belong to files whose digests (or leaves) must
         * be finished or freed: let the workers have them. */
        pack_flush(e);
        pthread_mutex_lock(&e->lock);
        e->stopping = 1;
        pthread_cond_broadcast(&e->work);
        pthread_mutex_unlock(&e->lock);
        for (unsigned i = 0; i < e->n_threads; i++)
                pthread_join(e->threads[i], NULL);
        /* Workers drained the queue before stopping; what is left is a
         * file that was begun but never ended (an error path). */
        if (e->current && e->current->n_pending == 0) {
                free(e->current->leaves);
                free(e->current);
        }
        for (size_t i = 0; i < e->n_free; i++)
                free(e->free_bufs[i]);
        while (e->jobs_free) {
                job *j = e->jobs_free;
                e->jobs_free = j->next;
                free(j);
        }
        free(e->free_bufs);
        free(e->threads);
        pthread_cond_destroy(&e->work);
        pthread_cond_destroy(&e->done);
        pthread_mutex_destroy(&e->lock);
        free(e);
}

int digest_engine_begin_file(digest_engine *e, uint64_t declared_size, uint8_t *out) {
        file_state *f;
        uint64_t n = (declared_size + PERMIT_CHUNK_SIZE - 1) / PERMIT_CHUNK_SIZE;

        if (e->current || n > SIZE_MAX / PERMIT_DIGEST_SIZE)
                return -EINVAL;
        f = calloc(1, sizeof(*f));
        if (!f)
                return -ENOMEM;
        f->n_alloc = n ? (size_t) n : 1;
        f->leaves = calloc(f->n_alloc, PERMIT_DIGEST_SIZE);
        if (!f->leaves) {
                free(f);
                return -ENOMEM;
        }
        f->out = out;
        pthread_mutex_lock(&e->lock);
        e->files_open++;
        pthread_mutex_unlock(&e->lock);
        e->current = f;
        return 0;
}

uint8_t *digest_engine_buffer(digest_engine *e) {
        uint8_t *b;

        pthread_mutex_lock(&e->lock);
        while (e->n_free == 0) {
                e->waiting++;
                pthread_cond_wait(&e->done, &e->lock);
                e->waiting--;
        }
        b = e->free_bufs[--e->n_free];
        pthread_mutex_unlock(&e->lock);
        return b;
}

void digest_engine_release(digest_engine *e, uint8_t *buf) {
        if (!buf)
                return;
        pthread_mutex_lock(&e->lock);
        e->free_bufs[e->n_free++] = buf;
        pthread_cond_broadcast(&e->done);
        pthread_mutex_unlock(&e->lock);
}

static job *job_get_locked(digest_engine *e) {
        job *j = e->jobs_free;

        if (j)
                e->jobs_free = j->next;
        else
                j = malloc(sizeof(*j));
        if (j) {
                j->n_seg = 0;
                j->next = NULL;
        }
        return j;
}

static void queue_locked(digest_engine *e, job *j) {
        if (e->queue_tail)
                e->queue_tail->next = j;
        else
                e->queue_head = j;
        e->queue_tail = j;
        if (e->idle_workers)
                pthread_cond_signal(&e->work);
}

static void pack_flush(digest_engine *e) {
        pthread_mutex_lock(&e->lock);
        if (e->pack) {
                queue_locked(e, e->pack);
                e->pack = NULL;
        }
        pthread_mutex_unlock(&e->lock);
}

/* Room for a small leaf of len bytes at the end of the pack (starting one
 * when needed). */
static uint8_t *pack_reserve(digest_engine *e, size_t len) {
        if (e->pack && (e->pack_used + len > PERMIT_CHUNK_SIZE || e->pack->n_seg == PACK_MAX_SEGMENTS))
                pack_flush(e);
        if (!e->pack) {
                uint8_t *buf = digest_engine_buffer(e);
                job *j;

                pthread_mutex_lock(&e->lock);
                j = job_get_locked(e);
                if (!j) {
                        e->free_bufs[e->n_free++] = buf;
                        pthread_mutex_unlock(&e->lock);
                        return NULL;
                }
                j->buf = buf;
                e->pack = j;
                e->pack_used = 0;
                pthread_mutex_unlock(&e->lock);
        }
        /* Workers never see the pack before it is queued (under the lock). */
        return e->pack->buf + e->pack_used;
}

/* The len bytes written at the pack's end become the next leaf of f. */
static void pack_commit(digest_engine *e, file_state *f, size_t len) {
        segment *g = &e->pack->seg[e->pack->n_seg++];

        *g = (segment) { .file = f, .index = f->n_chunks, .off = e->pack_used, .len = len };
        e->pack_used += len;
}

/* Copies a small leaf into the pack. */
static int pack_add(digest_engine *e, file_state *f, const uint8_t *data, size_t len) {
        uint8_t *room = pack_reserve(e, len);

        if (!room)
                return -ENOMEM;
        memcpy(room, data, len);
        pack_commit(e, f, len);
        return 0;
}

int digest_engine_submit(digest_engine *e, uint8_t *buf, size_t len) {
        file_state *f = e->current;
        job *j = NULL;
        int r;

        if (!f || len == 0 || len > PERMIT_CHUNK_SIZE || f->n_chunks >= f->n_alloc) {
                digest_engine_release(e, buf);
                return -EINVAL;
        }
        if (e->n_threads == 0) {
                hash_leaf(buf, len, f->leaves + f->n_chunks * PERMIT_DIGEST_SIZE);
                f->n_chunks++;
                f->size += len;
                digest_engine_release(e, buf);
                return 0;
        }

        if (len <= PACK_THRESHOLD) {
                r = pack_add(e, f, buf, len);
                if (r < 0) {
                        digest_engine_release(e, buf);
                        return r;
                }
                pthread_mutex_lock(&e->lock);
                e->free_bufs[e->n_free++] = buf;
        } else {
                pthread_mutex_lock(&e->lock);
                j = job_get_locked(e);
                if (!j) {
                        e->free_bufs[e->n_free++] = buf;
                        pthread_mutex_unlock(&e->lock);
                        return -ENOMEM;
                }
                j->buf = buf;
                j->seg[0] = (segment) { .file = f, .index = f->n_chunks, .off = 0, .len = len };
                j->n_seg = 1;
        }
        f->n_chunks++;
        f->n_pending++;
        f->size += len;
        if (j)
                queue_locked(e, j);
        pthread_mutex_unlock(&e->lock);
        return 0;
}

uint8_t *digest_engine_reserve_small(digest_engine *e, size_t len) {
        if (!e->current || len == 0 || len > DIGEST_SMALL_MAX || e->small)
                return NULL;
        /* Without workers a leaf is hashed where it is: any buffer will do. */
        e->small = e->n_threads == 0 ? digest_engine_buffer(e) : pack_reserve(e, len);
        return e->small;
}

int digest_engine_submit_small(digest_engine *e, size_t len) {
        file_state *f = e->current;
        uint8_t *room = e->small;

        if (!room)
                return -EINVAL;
        e->small = NULL;
        if (e->n_threads == 0)
                return digest_engine_submit(e, room, len);
        /* Within what was reserved: the pack still has room for it. */
        if (!f || len == 0 || len > DIGEST_SMALL_MAX || f->n_chunks >= f->n_alloc || !e->pack ||
            room != e->pack->buf + e->pack_used || e->pack_used + len > PERMIT_CHUNK_SIZE)
                return -EINVAL;
        pthread_mutex_lock(&e->lock);
        pack_commit(e, f, len);
        f->n_chunks++;
        f->n_pending++;
        f->size += len;
        pthread_mutex_unlock(&e->lock);
        return 0;
}

void digest_engine_cancel_small(digest_engine *e) {
        uint8_t *room = e->small;

        e->small = NULL;
        if (room && e->n_threads == 0)
                digest_engine_release(e, room);
}

int digest_engine_end_file(digest_engine *e) {
        file_state *f = e->current;

        if (!f)
                return -EINVAL;
        e->current = NULL;
        pthread_mutex_lock(&e->lock);
        f->ended = 1;
        if (f->n_pending == 0)
                file_complete_locked(e, f);
        pthread_mutex_unlock(&e->lock);
        return 0;
}

int digest_engine_finish(digest_engine *e) {
        if (e->current)
                return -EINVAL;
        pack_flush(e);
        pthread_mutex_lock(&e->lock);
        while (e->files_open > 0) {
                e->waiting++;
                pthread_cond_wait(&e->done, &e->lock);
                e->waiting--;
        }
        pthread_mutex_unlock(&e->lock);
        return 0;
}
