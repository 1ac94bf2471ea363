/* SPDX-License-Identifier: MIT */
#include "digest-private.h"
#include "scan-private.h"
#include "permit/trust.h"

void scan_result_done(scan_result *r) {
        if (!r)
                return;
        for (size_t i = 0; i < r->n_files; i++)
                free(r->files[i].path);
        free(r->files);
        free(r->manifest);
        free(r->seal);
        free(r->rotation);
        memset(r, 0, sizeof(*r));
}

static void package_freep(package **p) {
        package_free(*p);
}

static void digest_engine_freep(digest_engine **e) {
        digest_engine_free(*e);
}

static unsigned default_threads(void) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        return n < 1 ? 1 : n > 16 ? 16 : (unsigned) n;
}

/* Reads the current member whole into memory (permit.sig, or permit.json
 * when not hashing). */
static int read_small(package *p, const char *name, uint64_t size, size_t max, char **ret, size_t *ret_len,
                      permit_error *error) {
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;

        if (size > max)
                return permit_error_set(error, -EFBIG, name, "larger than %zu bytes", max);
        buf = malloc((size_t) size + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = package_read(p, buf + n, (size_t) size - n, error);
                if (k < 0)
                        return (int) k;
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n == size) {
                        char extra;
                        k = package_read(p, &extra, 1, error);
                        if (k < 0)
                                return (int) k;
                        if (k > 0)
                                return permit_error_set(error, -EIO, name, "longer than its declared size");
                        break;
                }
        }
        buf[n] = '\0';
        *ret = steal_pointer(&buf);
        *ret_len = n;
        return 0;
}

/* A file of one small leaf (0 < size <= DIGEST_SMALL_MAX), read straight
 * into the engine's pack of small leaves: no copy between reading and
 * hashing. package_read() makes it exactly size bytes or fails; manifest,
 * when not NULL, gets a copy. */
static int small_file(package *p, digest_engine *engine, const scan_hooks *hooks, const char *name, uint64_t size,
                      char *manifest, permit_error *error) {
        uint8_t *room = digest_engine_reserve_small(engine, (size_t) size);
        size_t n = 0;
        int r;

        if (!room)
                return -ENOMEM;
        for (;;) {
                ssize_t k = package_read(p, room + n, (size_t) size - n, error);
                if (k < 0) {
                        digest_engine_cancel_small(engine);
                        return (int) k;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        if (n != size) {
                digest_engine_cancel_small(engine);
                return permit_error_set(error, -EIO, name, "shorter than its declared size");
        }
        if (manifest)
                memcpy(manifest, room, n);
        if (hooks && hooks->data) {
                r = hooks->data(hooks->userdata, room, n);
                if (r < 0) {
                        digest_engine_cancel_small(engine);
                        return r;
                }
        }
        return digest_engine_submit_small(engine, n);
}

int package_scan(const char *path, const permit_package_limits *limits, bool hash, unsigned threads,
                 const scan_hooks *hooks, scan_result *ret, permit_error *error) {
        _cleanup_(package_freep) package *p = NULL;
        _cleanup_(digest_engine_freep) digest_engine *engine = NULL;
        permit_package_limits defaults;
        scan_result res = { 0 };
        _cleanup_free_ uint8_t **digests = NULL; /* one allocation per file: stable for the workers */
        size_t cap = 0;
        int r;

        if (!limits) {
                permit_package_limits_default(&defaults);
                limits = &defaults;
        }
        r = package_open(path, limits, &p, error);
        if (r < 0)
                return permit_error_set_source(error, r, path);
        res.type = package_get_type(p);
        if (hash) {
                r = digest_engine_new(threads ? threads : default_threads(), &engine);
                if (r < 0)
                        return r;
        }
        if (hash && hooks && hooks->seal_ahead) {
                char *text = NULL;
                size_t len = 0;

                r = package_peek_member(p, PERMIT_SEAL_NAME, PERMIT_SEAL_MAX_SIZE, &text, &len);
                if (r < 0)
                        return permit_error_set_source(error, r, path);
                if (r > 0)
                        hooks->seal_ahead(hooks->userdata, text, len);
        }

        for (;;) {
                const char *name;
                uint64_t size;
                unsigned mode;
                bool is_manifest, small;
                size_t mlen = 0;

                r = package_next(p, &name, &size, &mode, error);
                if (r < 0)
                        goto fail;
                if (r == 0)
                        break;

                if (streq(name, PERMIT_SEAL_NAME)) {
                        r = read_small(p, name, size, PERMIT_SEAL_MAX_SIZE, &res.seal, &res.seal_len, error);
                        if (r < 0)
                                goto fail;
                        continue;
                }
                is_manifest = streq(name, PERMIT_MANIFEST_NAME);
                if (is_manifest && size > PERMIT_MANIFEST_MAX_SIZE) {
                        r = permit_error_set(error, -EFBIG, name, "larger than %d bytes", PERMIT_MANIFEST_MAX_SIZE);
                        goto fail;
                }

                if (res.n_files == cap) {
                        size_t ncap = cap ? cap * 2 : 64;
                        seal_file *nf = realloc(res.files, ncap * sizeof(*nf));
                        uint8_t **nd;
                        if (!nf) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        res.files = nf;
                        nd = realloc(digests, ncap * sizeof(*nd));
                        if (!nd) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        digests = nd;
                        cap = ncap;
                }
                res.files[res.n_files] = (seal_file) { .path = strdup(name), .size = size };
                digests[res.n_files] = calloc(1, PERMIT_DIGEST_SIZE);
                res.n_files++;
                if (!res.files[res.n_files - 1].path || !digests[res.n_files - 1]) {
                        r = -ENOMEM;
                        goto fail;
                }

                if (!hash) {
                        if (is_manifest) {
                                r = read_small(p, name, size, PERMIT_MANIFEST_MAX_SIZE, &res.manifest,
                                               &res.manifest_len, error);
                                if (r < 0)
                                        goto fail;
                        } else if (streq(name, PERMIT_ROTATION_NAME)) {
                                r = read_small(p, name, size, PERMIT_ROTATION_MAX_SIZE, &res.rotation,
                                               &res.rotation_len, error);
                                if (r < 0)
                                        goto fail;
                        }
                        continue;
                }

                if (is_manifest) {
                        res.manifest = malloc((size_t) size + 1);
                        if (!res.manifest) {
                                r = -ENOMEM;
                                goto fail;
                        }
                }
                if (hooks && hooks->begin) {
                        r = hooks->begin(hooks->userdata, name, size, mode);
                        if (r < 0)
                                goto fail;
                }
                r = digest_engine_begin_file(engine, size, digests[res.n_files - 1]);
                if (r < 0)
                        goto fail;
                small = size > 0 && size <= DIGEST_SMALL_MAX;
                if (small) {
                        /* Read where it is hashed (see small_file). */
                        r = small_file(p, engine, hooks, name, size, is_manifest ? res.manifest : NULL, error);
                        if (r < 0)
                                goto fail;
                        res.total_size += size;
                        if (is_manifest)
                                mlen = (size_t) size;
                }
                /* Larger (and empty) files: chunk by chunk through the
                 * engine's buffers, until the reader says the end. */
                while (!small) {
                        uint8_t *buf = digest_engine_buffer(engine);
                        size_t n = 0;
                        ssize_t k = 0;

                        while (n < PERMIT_CHUNK_SIZE) {
                                k = package_read(p, buf + n, PERMIT_CHUNK_SIZE - n, error);
                                if (k <= 0)
                                        break;
                                n += (size_t) k;
                        }
                        if (k < 0 || n == 0) {
                                digest_engine_release(engine, buf);
                                if (k < 0) {
                                        r = (int) k;
                                        goto fail;
                                }
                                break;
                        }
                        if (is_manifest) {
                                /* package_read never yields more than the
                                 * declared size, which is checked above. */
                                if (mlen + n > size) {
                                        digest_engine_release(engine, buf);
                                        r = permit_error_set(error, -EIO, name, "longer than its declared size");
                                        goto fail;
                                }
                                memcpy(res.manifest + mlen, buf, n);
                                mlen += n;
                        }
                        if (hooks && hooks->data) {
                                r = hooks->data(hooks->userdata, buf, n);
                                if (r < 0) {
                                        digest_engine_release(engine, buf);
                                        goto fail;
                                }
                        }
                        r = digest_engine_submit(engine, buf, n);
                        if (r < 0)
                                goto fail;
                        res.total_size += n;
                }
                r = digest_engine_end_file(engine);
                if (r < 0)
                        goto fail;
                if (is_manifest) {
                        res.manifest[mlen] = '\0';
                        res.manifest_len = mlen;
                }
                if (hooks && hooks->end) {
                        r = hooks->end(hooks->userdata);
                        if (r < 0)
                                goto fail;
                }
        }

        if (hash) {
                r = digest_engine_finish(engine);
                if (r < 0)
                        goto fail;
                for (size_t i = 0; i < res.n_files; i++)
                        memcpy(res.files[i].digest, digests[i], PERMIT_DIGEST_SIZE);
        } else
                for (size_t i = 0; i < res.n_files; i++)
                        res.total_size += res.files[i].size;

        /* The package reader already refused duplicate names; sorting gives
         * the seal's order. */
        r = seal_sort_files(res.files, res.n_files, NULL);
        if (r < 0) {
                r = permit_error_set(error, -EINVAL, NULL, "duplicate name");
                goto fail;
        }
        for (size_t i = 0; i < res.n_files; i++)
                free(digests[i]);
        *ret = res;
        return 0;

fail:
        /* Let the workers finish with the digests before freeing them. */
        digest_engine_free(steal_pointer(&engine));
        for (size_t i = 0; i < res.n_files; i++)
                free(digests[i]);
        scan_result_done(&res);
        return permit_error_set_source(error, r, path);
}
