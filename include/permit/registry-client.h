/* SPDX-License-Identifier: MIT */
/* permit/registry-client.h: installing add-ons from a registry
 * (libpermit-registry, the only part of permit that links libcurl).
 *
 *   permit_client *c;
 *   permit_client_new("https://addons.example.org/", registry_key, profile, &c);
 *   permit_client_fetch_index(c, &err);                  signed, not rolled back, not expired
 *   permit_client_prepare(c, "org.example.hello", &pkg, &err);   download + verify + stage
 *   ... consent on permit_client_package_manifest(pkg) (the store's decision) ...
 *   permit_client_commit(c, pkg, &err);                   pin, then rename into PROFILE/addons/ID
 *   permit_client_package_free(pkg);                      removes what is still staged
 *
 * Trust rules (doc/registry.md, "The client"): the index is checked with
 * permit_index_verify() against the registry key and the last version this
 * profile saw of that registry (PROFILE/permit/registry.json, which keeps
 * the index itself in PROFILE/permit/registries/KEY_ID/ for hosts:
 * permit_revocation_check() in permit/registry.h); a package is
 * downloaded with the size and digest of its entry enforced while it
 * streams, verified by the update rule against the key pinned for the id
 * (or, on a first install, the entry's key: the registry vouches for it),
 * then against its entry (permit_index_check_package(): same add-on, same
 * key, countersignature, not revoked). Nothing is written to the profile
 * before all of that passed; a refusal or failure leaves it as it was.
 *
 * Only https URLs are fetched, redirects only to https. With
 * permit_client_set_allow_http_loopback(), http is allowed too, but only to
 * addresses in 127.0.0.0/8 and ::1 (the resolved address is checked, not
 * the name). The library never prints; progress goes to a callback.
 *
 * Errors are -errno with error->text saying what, one line:
 *   -EINVAL       bad argument, bad URL, an index or package that is malformed
 *   -EPROTONOSUPPORT  a scheme other than https (or http to loopback when
 *                 allowed), a redirect to one, http to a non-loopback address
 *   -ESTALE, -ETIME, -EKEYREJECTED, -EBADMSG, -EKEYREVOKED, -ENOMSG
 *                 the index or the package was refused (rollback, expired,
 *                 another key, digest/size/seal/countersignature differ,
 *                 revoked, unsigned)
 *   -EFBIG        the server sent more bytes than the index announced
 *   -ENOENT       not in the index (or HTTP 404)
 *   -ETIMEDOUT, -ECONNREFUSED, -EHOSTUNREACH, -EIO  network (after retries)
 *   -EACCES, -ENOSPC, ...  the profile could not be written */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "permit/error.h"
#include "permit/keys.h"
#include "permit/manifest.h"
#include "permit/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The file in PROFILE/permit/ that records each registry's last index
 * version and what was installed from where. */
#define PERMIT_CLIENT_STATE_NAME "registry.json"

typedef struct permit_client permit_client;

/* A client of the registry at url (https://..., its directory: index.json
 * is url + "index.json") whose index is signed by registry_key, installing
 * into profile (NULL: the default profile). Copies what it needs.
 * Errors: -EINVAL (NULL key, a URL that is not http(s)), -ENOMEM. */
int permit_client_new(const char *url, const permit_pubkey *registry_key, const char *profile, permit_client **ret,
                      permit_error *error);
void permit_client_free(permit_client *c);

/* Settings, before the first fetch. */
int permit_client_set_ca_file(permit_client *c, const char *path);    /* CA bundle (CURLOPT_CAINFO) */
void permit_client_set_allow_http_loopback(permit_client *c, bool allow);
/* connect timeout, and the time the transfer may stay below 1 byte/s;
 * seconds, 0 keeps the default (10 s and 30 s). */
void permit_client_set_timeouts(permit_client *c, unsigned connect_s, unsigned stall_s);
/* Retries of transient failures (connection refused or reset, timeouts,
 * HTTP 5xx, 408, 429), with back-off from backoff_ms doubling each time;
 * never of a refusal. Default 3 and 500 ms. */
void permit_client_set_retries(permit_client *c, unsigned retries, unsigned backoff_ms);
/* The time the index expiry is checked against (0: now). For tests. */
void permit_client_set_now(permit_client *c, int64_t now);

typedef enum permit_client_stage {
        PERMIT_CLIENT_INDEX,    /* fetching index.json and its signature */
        PERMIT_CLIENT_DOWNLOAD, /* fetching a package */
        PERMIT_CLIENT_VERIFY,   /* seal, trust rule, entry, unpacking */
        PERMIT_CLIENT_INSTALL,  /* writing into the profile */
        PERMIT_CLIENT_RETRY,    /* a transient failure; retrying after a pause */
} permit_client_stage;

typedef struct permit_client_progress {
        permit_client_stage stage;
        const char *what;   /* the URL, or the add-on id */
        uint64_t done;      /* bytes so far (download stages) */
        uint64_t total;     /* bytes expected, 0 when not known */
        bool finished;      /* the stage ended (last call for it) */
} permit_client_progress;

typedef void (*permit_client_progress_fn)(const permit_client_progress *p, void *userdata);
void permit_client_set_progress(permit_client *c, permit_client_progress_fn fn, void *userdata);

/* Where the time went, summed over the client's life (nanoseconds). */
typedef struct permit_client_timings {
        uint64_t network_ns; /* transfers, less the hashing done while streaming */
        uint64_t hash_ns;    /* BLAKE2b of downloaded bytes */
        uint64_t verify_ns;  /* index signature, seal, trust rule, entry, unpacking */
        uint64_t store_ns;   /* registry.json, pins, renames in the profile */
        uint64_t bytes;      /* downloaded */
        unsigned requests;
} permit_client_timings;
void permit_client_get_timings(const permit_client *c, permit_client_timings *ret);

/* Fetches index.json and index.json.sig and verifies them
 * (permit_index_verify()) against the version this profile last recorded
 * for this registry key (rollback, -ESTALE) and the clock (freeze, -ETIME).
 * Writes nothing. */
int permit_client_fetch_index(permit_client *c, permit_error *error) __attribute__((warn_unused_result));
/* Records the fetched index's version in registry.json (under the store's
 * lock, atomically; a version lower than one recorded meanwhile is
 * -ESTALE), so an older index is refused from now on, and keeps the index
 * itself in PROFILE/permit/registries/KEY_ID/ for hosts
 * (permit_revocation_check()). Creates the profile and its parents (0700)
 * when missing. permit_client_commit()
 * calls it; a caller that installs nothing (an update that finds nothing
 * new) calls it itself. A refused operation does not: the profile stays
 * exactly as it was. */
int permit_client_record_index(permit_client *c, permit_error *error);

/* The verified index (NULL before a successful fetch). */
const permit_index *permit_client_index(const permit_client *c);

/* A package downloaded, verified and unpacked beside PROFILE/addons, not
 * installed yet. */
typedef struct permit_client_package permit_client_package;

/* Downloads the highest version of id listed in the index and verifies it
 * (see the top of this file). Needs a fetched index. Errors as listed at
 * the top; -ENOENT when the index does not list id. */
int permit_client_prepare(permit_client *c, const char *id, permit_client_package **ret, permit_error *error)
        __attribute__((warn_unused_result));
/* Removes whatever is still staged. */
void permit_client_package_free(permit_client_package *p);

const permit_manifest *permit_client_package_manifest(const permit_client_package *p);
const char *permit_client_package_dir(const permit_client_package *p); /* the staged directory */
const char *permit_client_package_key(const permit_client_package *p); /* "RW...": the key that sealed it */
const char *permit_client_package_key_id(const permit_client_package *p);
/* True when it was sealed by a key the pinned one rotated to (the pin moves
 * at commit), or when no key was pinned (a first install pins). */
bool permit_client_package_repins(const permit_client_package *p);
/* The version installed now (NULL: none), read at prepare. */
const char *permit_client_package_installed_version(const permit_client_package *p);

/* Installs a prepared package: pins its key when needed, then moves it to
 * PROFILE/addons/ID in one rename (an installed version is swapped out with
 * renameat2(RENAME_EXCHANGE) and removed after), and records in
 * registry.json where it came from. On failure the old version stays. */
int permit_client_commit(permit_client *c, permit_client_package *p, permit_error *error);

/* What registry.json says was installed from a registry. */
typedef struct permit_client_installed {
        const char *id;
        const char *version;
        const char *url;          /* the registry it came from */
        const char *registry_key; /* "RW..." */
        const char *seal_digest;
        int64_t installed_at;
} permit_client_installed;

typedef struct permit_client_state permit_client_state;
/* Reads PROFILE/permit/registry.json (a missing file is empty; NULL
 * profile: the default). Errors: -EINVAL (corrupt: error says where),
 * -EFBIG, I/O errors. */
int permit_client_state_load(const char *profile, permit_client_state **ret, permit_error *error);
void permit_client_state_free(permit_client_state *st);
size_t permit_client_state_n_installed(const permit_client_state *st);
int permit_client_state_installed(const permit_client_state *st, size_t i, permit_client_installed *ret);
/* -ENOENT when id was not installed from a registry. */
int permit_client_state_find(const permit_client_state *st, const char *id, permit_client_installed *ret);
/* The last index version seen of the registry with this key id, 0: never. */
uint64_t permit_client_state_last_version(const permit_client_state *st, const char *registry_key_id);

enum {
        PERMIT_CLIENT_PURGE = 1 << 0, /* also data/ID, the grants and the pin */
};
/* Removes PROFILE/addons/ID (renamed aside, then deleted) and its
 * registry.json record; with PERMIT_CLIENT_PURGE also PROFILE/data/ID and
 * the store's record and pin. -ENOENT when not installed. */
int permit_client_remove(const char *profile, const char *id, unsigned flags, permit_error *error);

/* HTTP PUT of a file to url with "Authorization: Bearer TOKEN" (token is
 * not kept). Same transport rules as fetching (https, or http to loopback
 * when allow_http_loopback). Errors: -EACCES (HTTP 401/403), -EIO (other
 * HTTP errors: error says the status), network errors. */
int permit_client_upload(const char *file, const char *url, const char *token, const char *ca_file,
                         bool allow_http_loopback, unsigned timeout_s, permit_error *error);

#ifdef __cplusplus
}
#endif
