/* SPDX-License-Identifier: MIT */
/* What the files of libpermit-registry share: the transfer layer
 * (transfer.c, the only code that calls libcurl), the state file
 * (state.c) and unpacking (unpack.c). */
#pragma once

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

#include "permit/registry-client.h"

/* ---- transfer.c ---------------------------------------------------------- */

typedef struct transfer_options {
        const char *ca_file;
        bool allow_http_loopback;
        unsigned connect_s, stall_s;
        unsigned retries, backoff_ms;
        permit_client_progress_fn progress;
        void *userdata;
        permit_client_stage stage; /* reported to progress */
        permit_client_timings *timings;
        void *share;               /* a CURLSH: connections (and TLS sessions) kept between requests */
} transfer_options;

/* Where the body goes, and the limits enforced while it streams. */
typedef struct transfer_sink {
        int fd;              /* a file, or -1: memory (buf, len) */
        char *buf;
        size_t len, cap;
        uint64_t max;        /* never more bytes than this */
        bool max_is_announced; /* max is the index's size: exceeding it is a refusal */
        bool hash;           /* compute BLAKE2b-256 of the body */
        unsigned char digest[crypto_generichash_BYTES];
        /* filled by transfer_get */
        uint64_t received;
        bool overflow;
        crypto_generichash_state state;
} transfer_sink;

/* Is url acceptable to fetch at all (scheme https, or http when loopback
 * http is allowed; the address is checked at connect)? -EINVAL,
 * -EPROTONOSUPPORT with error->text. */
int transfer_check_url(const char *url, bool allow_http_loopback, permit_error *error);

/* GET url into sink, with retries of transient failures. Errors as listed
 * in permit/registry-client.h; error->source is the URL. */
int transfer_get(const transfer_options *o, const char *url, transfer_sink *sink, permit_error *error);

/* PUT the file at fd (size bytes) to url with the extra header. */
int transfer_put(const transfer_options *o, const char *url, int fd, uint64_t size, const char *header,
                 permit_error *error);

void transfer_sink_clear(transfer_sink *sink);

/* A connection cache for one client's requests (NULL when it cannot be
 * made: then each request connects anew). */
void *transfer_share_new(void);
void transfer_share_free(void *share);

uint64_t transfer_now_ns(void);

/* The profile: the one given, or the default (then *owned holds it, to
 * free). -ENOENT with error->text when there is no default. */
int client_profile(const char *profile, char **owned, const char **ret, permit_error *error);

/* ---- state.c ------------------------------------------------------------- */

/* Takes PROFILE/permit/lock (the store's lock file: permit/store.h) while
 * registry.json is read, changed and written. Returns the fd. */
int client_state_lock(const char *permit_dir);

typedef struct client_index_record {
        const char *key_id, *key, *url;
        uint64_t version;
        int64_t expires;
        /* The verified index's bytes (NULL: nothing to keep), kept as
         * PERMIT_DIR/registries/KEY_ID/index.json(.sig). */
        const void *index_data, *sig_data;
        size_t index_len, sig_len;
} client_index_record;

typedef struct client_addon_record {
        const char *id;
        const char *version; /* NULL: forget the add-on */
        const char *url, *registry_key, *seal_digest;
        int64_t installed_at;
} client_addon_record;

/* Under the lock, one atomic write: records the index version seen for a
 * registry (refusing to go back: -ESTALE) and/or an installed add-on (ix
 * or ad may be NULL). The index itself is kept first (its directory
 * swapped in whole), then registry.json is written. Writes nothing when
 * nothing changes. */
int client_state_record(const char *permit_dir, const client_index_record *ix, const client_addon_record *ad,
                        permit_error *error);
int client_state_load_dir(const char *permit_dir, permit_client_state **ret, permit_error *error);

/* ---- unpack.c ------------------------------------------------------------ */

/* Unpacks the regular files and directories of a verified zip into the
 * empty directory dir (openat() below dir only, O_NOFOLLOW, O_EXCL; every
 * other entry type refused). -EINVAL with error->text for an unsafe entry. */
int client_unpack(const char *zip, const char *dir, permit_error *error);

/* rm -r path, never following a link. */
int client_remove_tree(const char *path);
