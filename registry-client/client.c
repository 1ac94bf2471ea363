/* SPDX-License-Identifier: MIT */
/* The registry client: index, download, verification, staging, install
 * (permit/registry-client.h). The order is the point: nothing reaches the
 * profile before the index, the bytes, the seal, the trust rule and the
 * index entry all checked out. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "client-private.h"
#include "encoding-private.h"
#include "error-private.h"
#include "fileio-private.h"
#include "permit/store.h"
#include "permit/trust.h"
#include "util.h"

struct permit_client {
        char *url;        /* ends with '/' */
        char *profile;
        char *permit_dir; /* PROFILE/permit */
        permit_pubkey *registry_key;
        char registry_key_string[PERMIT_PUBKEY_STRING_SIZE];
        char registry_key_id[PERMIT_KEY_ID_STRING_SIZE];
        char *ca_file;
        transfer_options topts;
        int64_t now;
        permit_index *index;
        /* Its bytes as fetched and verified: kept in the profile when
         * recorded (PROFILE/permit/registries/KEYID/). */
        transfer_sink index_bytes, sig_bytes;
        permit_client_timings timings;
};

/* The fetched index as client_state_record() takes it. */
#define INDEX_RECORD(c)                                                                                          \
        {                                                                                                        \
                .key_id = (c)->registry_key_id, .key = (c)->registry_key_string, .url = (c)->url,                \
                .version = permit_index_version((c)->index), .expires = permit_index_expires((c)->index),        \
                .index_data = (c)->index_bytes.buf, .index_len = (c)->index_bytes.len,                           \
                .sig_data = (c)->sig_bytes.buf, .sig_len = (c)->sig_bytes.len,                                   \
        }

struct permit_client_package {
        char *id;
        char *stage_dir; /* PROFILE/.permit-stage-XXXXXX, removed by free */
        char *unpacked;  /* stage_dir/ID */
        permit_package_info *info;
        permit_pubkey *key;
        char key_string[PERMIT_PUBKEY_STRING_SIZE];
        char key_id[PERMIT_KEY_ID_STRING_SIZE];
        char *seal_digest;
        char *version;
        char *installed_version;
        bool repins;
};

static int64_t client_now(const permit_client *c) {
        return c->now ? c->now : (int64_t) time(NULL);
}

_public_ int permit_client_new(const char *url, const permit_pubkey *registry_key, const char *profile,
                               permit_client **ret, permit_error *error) {
        permit_client *c;
        _cleanup_free_ char *def = NULL;
        int r;

        if (!url || !registry_key || !ret)
                return permit_error_set(error, -EINVAL, NULL, "a registry URL and its key are needed");
        r = transfer_check_url(url, true, error);
        if (r < 0)
                return r;
        r = client_profile(profile, &def, &profile, error);
        if (r < 0)
                return r;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        permit_pubkey_string(registry_key, c->registry_key_string);
        permit_pubkey_id_string(registry_key, c->registry_key_id);
        if (asprintf(&c->url, "%s%s", url, url[strlen(url) - 1] == '/' ? "" : "/") < 0)
                c->url = NULL;
        c->profile = strdup(profile);
        if (asprintf(&c->permit_dir, "%s/permit", profile) < 0)
                c->permit_dir = NULL;
        if (!c->url || !c->profile || !c->permit_dir ||
            permit_pubkey_from_string(c->registry_key_string, &c->registry_key, NULL) < 0) {
                permit_client_free(c);
                return -ENOMEM;
        }
        c->topts = (transfer_options) { .connect_s = 10, .stall_s = 30, .retries = 3, .backoff_ms = 500,
                                        .timings = &c->timings, .share = transfer_share_new() };
        *ret = c;
        return 0;
}

_public_ void permit_client_free(permit_client *c) {
        if (!c)
                return;
        free(c->url);
        free(c->profile);
        free(c->permit_dir);
        free(c->ca_file);
        permit_pubkey_free(c->registry_key);
        permit_index_free(c->index);
        transfer_sink_clear(&c->index_bytes);
        transfer_sink_clear(&c->sig_bytes);
        transfer_share_free(c->topts.share);
        free(c);
}

_public_ int permit_client_set_ca_file(permit_client *c, const char *path) {
        char *p;

        if (!c || !path)
                return -EINVAL;
        if (access(path, R_OK) < 0)
                return -errno;
        p = strdup(path);
        if (!p)
                return -ENOMEM;
        free(c->ca_file);
        c->ca_file = p;
        c->topts.ca_file = p;
        return 0;
}

_public_ void permit_client_set_allow_http_loopback(permit_client *c, bool allow) {
        if (c)
                c->topts.allow_http_loopback = allow;
}

_public_ void permit_client_set_timeouts(permit_client *c, unsigned connect_s, unsigned stall_s) {
        if (!c)
                return;
        if (connect_s)
                c->topts.connect_s = connect_s;
        if (stall_s)
                c->topts.stall_s = stall_s;
}

_public_ void permit_client_set_retries(permit_client *c, unsigned retries, unsigned backoff_ms) {
        if (!c)
                return;
        c->topts.retries = retries;
        c->topts.backoff_ms = backoff_ms ? backoff_ms : 1;
}

_public_ void permit_client_set_now(permit_client *c, int64_t now) {
        if (c)
                c->now = now;
}

_public_ void permit_client_set_progress(permit_client *c, permit_client_progress_fn fn, void *userdata) {
        if (!c)
                return;
        c->topts.progress = fn;
        c->topts.userdata = userdata;
}

_public_ void permit_client_get_timings(const permit_client *c, permit_client_timings *ret) {
        if (ret)
                *ret = c ? c->timings : (permit_client_timings) { 0 };
}

_public_ const permit_index *permit_client_index(const permit_client *c) {
        return c ? c->index : NULL;
}

static void progress(permit_client *c, permit_client_stage stage, const char *what, bool finished) {
        if (c->topts.progress) {
                permit_client_progress p = { .stage = stage, .what = what, .finished = finished };
                c->topts.progress(&p, c->topts.userdata);
        }
}

_public_ int permit_client_fetch_index(permit_client *c, permit_error *error) {
        transfer_sink idx = { .fd = -1, .max = PERMIT_INDEX_MAX_SIZE }, sig = { .fd = -1, .max = PERMIT_INDEX_SIG_MAX_SIZE };
        permit_client_state *st = NULL;
        _cleanup_free_ char *url = NULL, *sig_url = NULL;
        permit_index *index = NULL;
        uint64_t last = 0, t0;
        int r;

        if (!c)
                return -EINVAL;
        if (asprintf(&url, "%sindex.json", c->url) < 0 || asprintf(&sig_url, "%sindex.json.sig", c->url) < 0)
                return -ENOMEM;
        r = client_state_load_dir(c->permit_dir, &st, error);
        if (r < 0)
                return r;
        last = permit_client_state_last_version(st, c->registry_key_id);
        permit_client_state_free(st);

        c->topts.stage = PERMIT_CLIENT_INDEX;
        r = transfer_get(&c->topts, url, &idx, error);
        if (r >= 0)
                r = transfer_get(&c->topts, sig_url, &sig, error);
        if (r < 0)
                goto out;
        t0 = transfer_now_ns();
        r = permit_index_verify(idx.buf ? idx.buf : "", idx.len, sig.buf ? sig.buf : "", sig.len, c->registry_key,
                                last, client_now(c), &index, error);
        c->timings.verify_ns += transfer_now_ns() - t0;
        if (r < 0)
                goto out;
        permit_index_free(c->index);
        c->index = index;
        transfer_sink_clear(&c->index_bytes);
        transfer_sink_clear(&c->sig_bytes);
        c->index_bytes = idx;
        c->sig_bytes = sig;
        return 0;
out:
        transfer_sink_clear(&idx);
        transfer_sink_clear(&sig);
        return r;
}

_public_ int permit_client_record_index(permit_client *c, permit_error *error) {
        uint64_t t0;
        int r;

        if (!c || !c->index)
                return -EINVAL;
        t0 = transfer_now_ns();
        r = permit_mkdir_parents(c->permit_dir, 0700);
        if (r < 0)
                return permit_error_set_at(error, r, c->permit_dir, NULL, "cannot create the profile: %s", strerror(-r));
        r = client_state_record(c->permit_dir, &(client_index_record) INDEX_RECORD(c), NULL, error);
        c->timings.store_ns += transfer_now_ns() - t0;
        return r;
}

_public_ void permit_client_package_free(permit_client_package *p) {
        if (!p)
                return;
        if (p->stage_dir)
                (void) client_remove_tree(p->stage_dir);
        free(p->id);
        free(p->stage_dir);
        free(p->unpacked);
        permit_package_info_free(p->info);
        permit_pubkey_free(p->key);
        free(p->seal_digest);
        free(p->version);
        free(p->installed_version);
        free(p);
}

_public_ const permit_manifest *permit_client_package_manifest(const permit_client_package *p) {
        return p ? permit_package_info_manifest(p->info) : NULL;
}
_public_ const char *permit_client_package_dir(const permit_client_package *p) {
        return p ? p->unpacked : NULL;
}
_public_ const char *permit_client_package_key(const permit_client_package *p) {
        return p ? p->key_string : NULL;
}
_public_ const char *permit_client_package_key_id(const permit_client_package *p) {
        return p ? p->key_id : NULL;
}
_public_ bool permit_client_package_repins(const permit_client_package *p) {
        return p && p->repins;
}
_public_ const char *permit_client_package_installed_version(const permit_client_package *p) {
        return p ? p->installed_version : NULL;
}

/* The key to check the package with: the pin, unless none (first install)
 * or the pinned key is revoked: then the entry's (the registry vouches). */
static int trusted_key(permit_client *c, const char *id, const permit_index_entry *e, permit_pubkey **ret,
                       bool *ret_from_registry, permit_error *error) {
        permit_store *s = NULL;
        const char *pin = NULL, *pin_id = NULL;
        int r;

        *ret_from_registry = true;
        r = permit_store_open(c->profile, 0, &s, error);
        if (r < 0 && r != -ENOENT)
                return r;
        permit_error_clear(error);
        if (s && permit_store_pin_get(s, id, &pin, &pin_id) == 0 && !permit_index_key_revoked(c->index, pin_id, NULL)) {
                *ret_from_registry = false;
                r = permit_pubkey_from_string(pin, ret, error);
        } else
                r = permit_pubkey_from_string(e->key, ret, error);
        permit_store_free(s);
        return r;
}

static int installed_version(permit_client *c, const char *id, char **ret) {
        permit_client_state *st = NULL;
        permit_client_installed inst;
        _cleanup_free_ char *dir = NULL;
        struct stat sb;

        *ret = NULL;
        if (asprintf(&dir, "%s/addons/%s", c->profile, id) < 0)
                return -ENOMEM;
        if (lstat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
                return 0;
        if (client_state_load_dir(c->permit_dir, &st, NULL) >= 0 && permit_client_state_find(st, id, &inst) >= 0)
                *ret = strdup(inst.version);
        else
                *ret = strdup("unknown");
        permit_client_state_free(st);
        return *ret ? 0 : -ENOMEM;
}

_public_ int permit_client_prepare(permit_client *c, const char *id, permit_client_package **ret,
                                   permit_error *error) {
        permit_client_package *p = NULL;
        permit_index_entry e, checked;
        transfer_sink sink = { .fd = -1, .max_is_announced = true, .hash = true };
        _cleanup_free_ char *url = NULL, *zip = NULL, *stage = NULL;
        _cleanup_close_ int fd = -1;
        permit_package_info *again = NULL;
        permit_pubkey *trusted = NULL;
        const char *reason = NULL;
        char hex[2 * crypto_generichash_BYTES + 1];
        bool from_registry;
        uint64_t t0;
        int r;

        if (!c || !id || !ret)
                return -EINVAL;
        if (!c->index)
                return permit_error_set(error, -EINVAL, NULL, "no index fetched yet");
        r = permit_index_find(c->index, id, NULL, &e);
        if (r < 0)
                return permit_error_set_at(error, -ENOENT, "index.json", NULL, "%s is not in the registry's index", id);
        if (permit_index_entry_revoked(c->index, &e, &reason))
                return permit_error_set_at(error, -EKEYREVOKED, "index.json", NULL, "%s %s is revoked: %s", id,
                                           e.version, reason ? reason : "no reason given");
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->id = strdup(id);
        p->version = strdup(e.version);
        if (!p->id || !p->version) {
                r = -ENOMEM;
                goto fail;
        }
        r = installed_version(c, id, &p->installed_version);
        if (r < 0)
                goto fail;

        /* Stage beside the profile's addons/, on the same file system. */
        r = permit_mkdir_parents(c->profile, 0700);
        if (r < 0) {
                r = permit_error_set_at(error, r, c->profile, NULL, "cannot create the profile: %s", strerror(-r));
                goto fail;
        }
        if (asprintf(&stage, "%s/.permit-stage-XXXXXX", c->profile) < 0) {
                r = -ENOMEM;
                goto fail;
        }
        if (!mkdtemp(stage)) {
                r = permit_error_set_at(error, negative_errno(), c->profile, NULL, "cannot make a staging directory: %s",
                                        strerror(errno));
                goto fail;
        }
        p->stage_dir = steal_pointer(&stage);
        if (asprintf(&zip, "%s/package.zip", p->stage_dir) < 0 || asprintf(&p->unpacked, "%s/%s", p->stage_dir, id) < 0 ||
            asprintf(&url, "%s%s", c->url, e.path) < 0) {
                r = -ENOMEM;
                goto fail;
        }
        fd = open(zip, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
                r = permit_error_set_at(error, negative_errno(), zip, NULL, "cannot create: %s", strerror(errno));
                goto fail;
        }

        /* The bytes: never more than the entry's size, its digest. */
        sink.fd = fd;
        sink.max = e.size;
        c->topts.stage = PERMIT_CLIENT_DOWNLOAD;
        r = transfer_get(&c->topts, url, &sink, error);
        if (r < 0)
                goto fail;
        if (sink.received != e.size) {
                r = permit_error_set_at(error, -EBADMSG, url, NULL,
                                        "truncated: %llu bytes received, the index lists %llu: refused",
                                        (unsigned long long) sink.received, (unsigned long long) e.size);
                goto fail;
        }
        permit_hex(hex, sink.digest, sizeof(sink.digest));
        if (strcasecmp(hex, e.digest) != 0) {
                r = permit_error_set_at(error, -EBADMSG, url, NULL,
                                        "digest %s differs from the index's %s: refused", hex, e.digest);
                goto fail;
        }

        /* The seal, by the update rule from the pinned key; then the entry. */
        progress(c, PERMIT_CLIENT_VERIFY, id, false);
        t0 = transfer_now_ns();
        r = trusted_key(c, id, &e, &trusted, &from_registry, error);
        if (r < 0)
                goto fail_timed;
        r = permit_trust_verify_package(zip, id, trusted, NULL, &p->info, &p->key, error);
        if (r < 0) {
                permit_error_set_source(error, r, url);
                goto fail_timed;
        }
        p->repins = from_registry || r == PERMIT_TRUST_ROTATED;
        r = permit_index_check_package(c->index, c->registry_key, p->info, id, &checked, error);
        if (r < 0)
                goto fail_timed;
        permit_pubkey_string(p->key, p->key_string);
        permit_pubkey_id_string(p->key, p->key_id);
        p->seal_digest = strdup(permit_package_info_seal_digest(p->info));
        if (!p->seal_digest) {
                r = -ENOMEM;
                goto fail_timed;
        }

        /* Unpacked, and the unpacked tree verified again: what is installed
         * is what was checked. */
        if (mkdir(p->unpacked, 0755) < 0) {
                r = permit_error_set_at(error, negative_errno(), p->unpacked, NULL, "cannot create: %s", strerror(errno));
                goto fail_timed;
        }
        r = client_unpack(zip, p->unpacked, error);
        if (r < 0)
                goto fail_timed;
        r = permit_package_verify(p->key, p->unpacked, NULL, &again, error);
        if (r >= 0 && !streq(permit_package_info_seal_digest(again), p->seal_digest))
                r = permit_error_set_at(error, -EBADMSG, p->unpacked, NULL, "unpacked, it is not the package verified");
        permit_package_info_free(again);
        if (r < 0)
                goto fail_timed;
        (void) unlink(zip);
        c->timings.verify_ns += transfer_now_ns() - t0;
        progress(c, PERMIT_CLIENT_VERIFY, id, true);
        permit_pubkey_free(trusted);
        *ret = p;
        return 0;

fail_timed:
        c->timings.verify_ns += transfer_now_ns() - t0;
fail:
        permit_pubkey_free(trusted);
        permit_client_package_free(p);
        return r;
}

static int fsync_dir(const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0 || fsync(fd) < 0)
                return -errno;
        return 0;
}

_public_ int permit_client_commit(permit_client *c, permit_client_package *p, permit_error *error) {
        _cleanup_free_ char *addons = NULL, *target = NULL;
        permit_store *s = NULL;
        bool swapped = false;
        uint64_t t0;
        int r;

        if (!c || !p || !p->unpacked)
                return -EINVAL;
        t0 = transfer_now_ns();
        progress(c, PERMIT_CLIENT_INSTALL, p->id, false);
        if (asprintf(&addons, "%s/addons", c->profile) < 0 || asprintf(&target, "%s/%s", addons, p->id) < 0)
                return -ENOMEM;
        if (mkdir(addons, 0755) < 0 && errno != EEXIST)
                return permit_error_set_at(error, negative_errno(), addons, NULL, "cannot create: %s", strerror(errno));

        /* One rename: an installed version is swapped out whole. */
        if (renameat2(AT_FDCWD, p->unpacked, AT_FDCWD, target, RENAME_EXCHANGE) == 0)
                swapped = true;
        else if (errno != ENOENT || renameat2(AT_FDCWD, p->unpacked, AT_FDCWD, target, RENAME_NOREPLACE) < 0)
                return permit_error_set_at(error, negative_errno(), target, NULL, "cannot install: %s", strerror(errno));
        (void) fsync_dir(addons);

        /* The pin: a first install's key, or the key an installed one rotated to. */
        if (p->repins) {
                r = permit_store_open(c->profile, PERMIT_STORE_CREATE, &s, error);
                if (r >= 0)
                        r = permit_store_pin_set(s, p->id, p->key_string, error);
                permit_store_free(s);
                if (r < 0) {
                        /* Put back what was there. */
                        if (swapped)
                                (void) renameat2(AT_FDCWD, p->unpacked, AT_FDCWD, target, RENAME_EXCHANGE);
                        else
                                (void) rename(target, p->unpacked);
                        return r;
                }
        }
        if (!swapped) {
                free(p->unpacked);
                p->unpacked = NULL;
        }
        /* After a swap p->unpacked holds the old version: freed with the
         * stage. The index version and the add-on in one write. */
        if (mkdir(c->permit_dir, 0700) < 0 && errno != EEXIST)
                return permit_error_set_at(error, negative_errno(), c->permit_dir, NULL, "cannot create");
        r = client_state_record(c->permit_dir, &(client_index_record) INDEX_RECORD(c),
                                &(client_addon_record) { p->id, p->version, c->url, c->registry_key_string,
                                                         p->seal_digest, client_now(c) },
                                error);
        c->timings.store_ns += transfer_now_ns() - t0;
        progress(c, PERMIT_CLIENT_INSTALL, p->id, true);
        return r;
}

_public_ int permit_client_remove(const char *profile, const char *id, unsigned flags, permit_error *error) {
        _cleanup_free_ char *def = NULL, *target = NULL, *aside = NULL, *permit_dir = NULL, *data = NULL;
        permit_store *s = NULL;
        struct stat sb;
        bool installed;
        int r;

        if (!id || !*id || strchr(id, '/') || streq(id, ".") || streq(id, ".."))
                return permit_error_set(error, -EINVAL, NULL, "invalid add-on id");
        r = client_profile(profile, &def, &profile, error);
        if (r < 0)
                return r;
        if (asprintf(&target, "%s/addons/%s", profile, id) < 0 || asprintf(&aside, "%s/.permit-remove-XXXXXX", profile) < 0 ||
            asprintf(&permit_dir, "%s/permit", profile) < 0 || asprintf(&data, "%s/data/%s", profile, id) < 0)
                return -ENOMEM;
        installed = lstat(target, &sb) == 0;
        if (!installed && !(flags & PERMIT_CLIENT_PURGE))
                return permit_error_set_at(error, -ENOENT, target, NULL, "%s is not installed", id);
        if (installed) {
                /* Gone in one rename; deleted after. */
                if (!mkdtemp(aside))
                        return permit_error_set_at(error, negative_errno(), profile, NULL, "cannot remove: %s",
                                                   strerror(errno));
                r = renameat2(AT_FDCWD, target, AT_FDCWD, aside, RENAME_EXCHANGE);
                if (r < 0) {
                        r = permit_error_set_at(error, negative_errno(), target, NULL, "cannot remove: %s", strerror(errno));
                        rmdir(aside);
                        return r;
                }
                /* The empty directory swapped in goes too. */
                (void) rmdir(target);
                (void) client_remove_tree(aside);
        }
        if (access(permit_dir, F_OK) == 0) {
                r = client_state_record(permit_dir, NULL, &(client_addon_record) { .id = id }, error);
                if (r < 0)
                        return r;
        }
        if (!(flags & PERMIT_CLIENT_PURGE))
                return 0;
        if (lstat(data, &sb) == 0 && (r = client_remove_tree(data)) < 0)
                return permit_error_set_at(error, r, data, NULL, "cannot remove: %s", strerror(-r));
        r = permit_store_open(profile, 0, &s, error);
        if (r == -ENOENT)
                return installed ? 0 : permit_error_set_at(error, -ENOENT, target, NULL, "%s is not installed", id);
        if (r < 0)
                return r;
        r = permit_store_reset(s, id, PERMIT_RESET_PIN, error);
        permit_store_free(s);
        if (r == -ENOENT) {
                permit_error_clear(error);
                return installed ? 0 : permit_error_set_at(error, -ENOENT, target, NULL, "%s is not installed", id);
        }
        return r;
}

_public_ int permit_client_upload(const char *file, const char *url, const char *token, const char *ca_file,
                                  bool allow_http_loopback, unsigned timeout_s, permit_error *error) {
        transfer_options o = { .ca_file = ca_file, .allow_http_loopback = allow_http_loopback,
                               .connect_s = timeout_s ? timeout_s : 10, .stall_s = timeout_s ? timeout_s : 30,
                               .retries = 2, .backoff_ms = 500 };
        _cleanup_close_ int fd = -1;
        char *header = NULL;
        struct stat sb;
        int r;

        if (!file || !url || !token || !*token || strpbrk(token, "\r\n"))
                return permit_error_set(error, -EINVAL, NULL, "a file, a URL and a one-line token are needed");
        fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return permit_error_set_at(error, negative_errno(), file, NULL, "cannot open: %s", strerror(errno));
        if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
                return permit_error_set_at(error, -EINVAL, file, NULL, "not a regular file");
        if (asprintf(&header, "Authorization: Bearer %s", token) < 0)
                return -ENOMEM;
        r = transfer_put(&o, url, fd, (uint64_t) sb.st_size, header, error);
        sodium_memzero(header, strlen(header));
        free(header);
        return r;
}
