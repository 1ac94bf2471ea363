/* SPDX-License-Identifier: MIT */
/* permit/registry.h: the signed registry index, countersignatures, and the
 * operator's side of a registry (doc/registry.md).
 *
 * A registry is a static tree: index.json, index.json.sig (a minisign
 * signature, prehashed "ED", by the registry's key over the exact bytes of
 * index.json), and packages/ID/VERSION.zip. index.json:
 *
 * {
 *   "format": 1, "registry": "example", "version": 42,
 *   "issued": 1795420800, "expires": 1796025600,
 *   "packages": {
 *     "org.example.hello": [
 *       {"version": "1.0.0", "size": 5120, "digest": "<BLAKE2b-256 of the zip, hex>",
 *        "seal_digest": "<hex>", "key": "RW...", "key_id": "8A1F2B3C4D5E6F70",
 *        "path": "packages/org.example.hello/1.0.0.zip", "added": 1795420000,
 *        "countersignature": "<base64 Ed25519>"}
 *     ]
 *   },
 *   "revoked": {
 *     "keys": [{"key_id": "...", "reason": "...", "revoked_at": 1795420000}],
 *     "packages": [{"seal_digest": "...", "reason": "...", "revoked_at": 1795420000}]
 *   }
 * }
 *
 * A client fetches the bytes and calls permit_index_verify(), then, for a
 * package it downloaded (size and digest enforced while streaming with the
 * entry's values), permit_trust_verify_package() or permit_package_verify()
 * and permit_index_check_package(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "permit/error.h"
#include "permit/keys.h"
#include "permit/package.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PERMIT_INDEX_NAME "index.json"
#define PERMIT_INDEX_SIG_NAME "index.json.sig"
#define PERMIT_INDEX_FORMAT 1
/* About 450 bytes an entry: 64 MiB is over 100,000 add-ons. */
#define PERMIT_INDEX_MAX_SIZE (64 * 1024 * 1024)
#define PERMIT_INDEX_SIG_MAX_SIZE (16 * 1024)
#define PERMIT_REASON_MAX 512
#define PERMIT_REGISTRY_NAME_MAX 64
#define PERMIT_COUNTERSIGNATURE_STRING_SIZE 89 /* 88 base64 characters + NUL */
#define PERMIT_HEX_DIGEST_STRING_SIZE 65       /* 64 hex digits + NUL */

typedef struct permit_index permit_index;

/* One package version as the index lists it. The strings point into the
 * index: valid until it is freed (or, for an operator's index, changed). */
typedef struct permit_index_entry {
        const char *id;
        const char *version;
        uint64_t size;                /* bytes of the .zip */
        const char *digest;           /* BLAKE2b-256 of the .zip, 64 hex digits */
        const char *seal_digest;      /* permit_package_info_seal_digest() */
        const char *key;              /* the developer key that sealed it, "RW..." */
        const char *key_id;           /* its id, "8A1F2B3C4D5E6F70" */
        const char *path;             /* "packages/ID/VERSION.zip", always exactly that */
        int64_t added;
        const char *countersignature; /* base64, by the registry key */
} permit_index_entry;

/* The client's check of an index, in this order:
 *   -EFBIG         index over PERMIT_INDEX_MAX_SIZE, or signature over
 *                  PERMIT_INDEX_SIG_MAX_SIZE (nothing is parsed)
 *   -EINVAL        the signature file is malformed (error->source
 *                  "index.json.sig")
 *   -EKEYREJECTED  signed with another key (the key ids differ)
 *   -EBADMSG       bad signature: the bytes are not what the key signed
 *   -EINVAL        signed, but not a valid index (error->path is the JSON
 *                  path: "packages.org.example.hello[0].size")
 *   -ESTALE        rollback: its version is lower than last_version (the
 *                  last one this client saw; 0 for none). The same version
 *                  is accepted: it is the same publication.
 *   -ETIME         expired (freeze): now >= its "expires"
 * and -ENOMEM. On success *ret holds the index. Costs one BLAKE2b pass, two
 * Ed25519 checks and one strict parse: 20,000 add-ons in well under 100 ms
 * (bench/README.md). */
int permit_index_verify(const void *data, size_t len, const void *sig, size_t sig_len,
                        const permit_pubkey *registry_key, uint64_t last_version, int64_t now, permit_index **ret,
                        permit_error *error) __attribute__((warn_unused_result));

/* Parses an index without checking any signature (the operator's pending
 * index, tests). Errors: -EINVAL, -EFBIG, -ENOMEM. */
int permit_index_parse(const void *data, size_t len, permit_index **ret, permit_error *error);

void permit_index_free(permit_index *idx);

const char *permit_index_registry(const permit_index *idx);
uint64_t permit_index_version(const permit_index *idx);
int64_t permit_index_issued(const permit_index *idx);
int64_t permit_index_expires(const permit_index *idx);

/* Add-on ids, sorted bytewise: count and the i-th (NULL past the end). */
size_t permit_index_n_packages(const permit_index *idx);
const char *permit_index_package_id(const permit_index *idx, size_t i);
/* Versions of one id, lowest first (0 when the id is not listed). */
size_t permit_index_n_versions(const permit_index *idx, const char *id);
int permit_index_version_at(const permit_index *idx, const char *id, size_t i, permit_index_entry *ret);

/* The entry of id at version, or its highest version when version is NULL.
 * -ENOENT when not listed. Revoked entries are found too: ask
 * permit_index_entry_revoked(). */
int permit_index_find(const permit_index *idx, const char *id, const char *version, permit_index_entry *ret);

/* Revocations. key_id as minisign prints it (either case); digest as 64 hex
 * digits. When revoked and ret_reason is not NULL, the reason (pointing
 * into the index). */
bool permit_index_key_revoked(const permit_index *idx, const char *key_id, const char **ret_reason);
bool permit_index_digest_revoked(const permit_index *idx, const char *seal_digest, const char **ret_reason);
/* Either of the two for an entry. */
bool permit_index_entry_revoked(const permit_index *idx, const permit_index_entry *e, const char **ret_reason);

/* After a package was verified (its seal, by the pinned or vouched key):
 * is it the one the index lists? Finds the entry by the package's own id
 * and version and checks, with error->text saying what:
 *   -EKEYREJECTED  expected_id given and the package is another add-on
 *                  (mix-and-match), or its seal key is not the entry's
 *   -ENOENT        this id and version are not in the index
 *   -EBADMSG       its seal digest is not the listed one, or the
 *                  countersignature is not valid under registry_key
 *   -EKEYREVOKED   its key, or the package itself, is revoked (the reason
 *                  is in error->text)
 * On success fills ret (when not NULL). */
int permit_index_check_package(const permit_index *idx, const permit_pubkey *registry_key,
                               const permit_package_info *info, const char *expected_id, permit_index_entry *ret,
                               permit_error *error) __attribute__((warn_unused_result));

/* Countersignatures: the registry's Ed25519 signature over
 * "permit-countersign-v1\n" and the canonical JSON
 * {"id":..,"seal_digest":..,"version":..}. id must be a valid add-on id,
 * version a semantic version, seal_digest 64 hex digits (-EINVAL). */
int permit_countersign(const permit_seckey *registry_sk, const char *id, const char *version,
                       const char *seal_digest, char ret[PERMIT_COUNTERSIGNATURE_STRING_SIZE]);
/* 0 valid; -EBADMSG not valid under registry_key; -EINVAL malformed. */
int permit_countersign_verify(const permit_pubkey *registry_key, const char *id, const char *version,
                              const char *seal_digest, const char *countersignature, permit_error *error)
        __attribute__((warn_unused_result));

/* ---- Revocations at start-up ---------------------------------------------
 *
 * The registry client (libpermit-registry) keeps the last index it verified
 * of each registry in the profile, beside PROFILE/permit/registry.json
 * (which records each registry's key, URL and last version):
 *
 *   PROFILE/permit/registries/KEY_ID/index.json
 *   PROFILE/permit/registries/KEY_ID/index.json.sig
 *
 * written only after the index verified and passed the rollback and freeze
 * checks (doc/registry.md, "The kept index"). A host checks an add-on
 * against them before it starts it; libpermit alone does it (no libcurl). */

#define PERMIT_KEPT_INDEX_DIR "registries"

typedef struct permit_revocation_status {
        unsigned n_indexes; /* kept indexes checked */
        unsigned n_expired; /* of those, past their expiry: later revocations are not known */
        int64_t expires;    /* the earliest expiry of those checked (0: none) */
} permit_revocation_status;

/* Checks a package (its seal key id, "8A1F..." as
 * permit_package_info_key_id() gives it, and its seal digest) against every
 * index kept in the profile (NULL: the default profile). Each kept index is
 * verified again with the key registry.json records for it (and not older
 * than the version recorded); a registry with no kept index is skipped.
 * An expired index still counts: its revocations stand, and ret->n_expired
 * says that newer ones may be missing (a host reports it; it does not stop
 * the add-on for it). now: for the expiry (0: the clock). key_id and
 * seal_digest both NULL: only verifies the kept indexes and fills ret (a
 * host's start-up report of stale indexes). Errors, with error->text
 * saying what:
 *   -EKEYREVOKED   the key or the package is revoked: the text names the
 *                  registry and gives the reason the index gives
 *   -EKEYREJECTED, -EBADMSG, -EINVAL, -ESTALE  a kept index does not
 *                  verify (damaged, another key, older than recorded)
 *   -EINVAL        registry.json is damaged, or one of key_id and
 *                  seal_digest NULL
 *   and I/O errors. ret (may be NULL) is filled on success. */
int permit_revocation_check(const char *profile, const char *key_id, const char *seal_digest, int64_t now,
                            permit_revocation_status *ret, permit_error *error) __attribute__((warn_unused_result));

/* ---- The operator's side ------------------------------------------------
 *
 * An operator's registry directory holds the published tree and, beside it,
 * pending.json: the next index, unsigned, that add and revoke change and
 * publish signs. It holds nothing secret; a web server needs only
 * index.json, index.json.sig and packages/. */

#define PERMIT_REGISTRY_PENDING_NAME "pending.json"

typedef struct permit_registry permit_registry;

/* Creates DIR (or uses an empty one), packages/, and a signed empty index
 * of version 1. name: the registry's name (letters, digits, single '.',
 * '_', '-' between). Errors: -EEXIST (DIR already holds an index), -EINVAL,
 * and I/O errors. */
int permit_registry_init(const char *dir, const char *name, const permit_seckey *sk, int64_t now, int64_t expires,
                         permit_error *error);

/* Opens DIR: reads pending.json and the published index's version and key
 * id. Errors: -ENOENT (not a registry), -EINVAL (a damaged file), I/O. */
int permit_registry_open(const char *dir, permit_registry **ret, permit_error *error);
void permit_registry_free(permit_registry *reg);

/* The pending index (what publish will sign), for lookups. */
const permit_index *permit_registry_pending(const permit_registry *reg);
uint64_t permit_registry_published_version(const permit_registry *reg);

/* Adds a package: verifies it with the developer's key (key; NULL: the key
 * of the id's latest listed version), applies the update rule against that
 * latest version (permit_trust_check(), so a new key needs a rotation
 * statement), requires its version to be higher than every listed one,
 * copies it to packages/ID/VERSION.zip atomically, countersigns it, and
 * records it in pending.json. A directory package is refused (-EINVAL):
 * the registry serves zips. Errors: those of verification and trust,
 * -EEXIST (that version is listed), -ENOKEY (no key given and none listed),
 * -EKEYREVOKED, I/O errors. */
int permit_registry_add(permit_registry *reg, const permit_seckey *sk, const char *package,
                        const permit_pubkey *key, const permit_package_limits *limits, int64_t now,
                        permit_index_entry *ret, permit_error *error);

/* Revokes a key id or a package's seal digest, with a reason (one line of
 * text, at most PERMIT_REASON_MAX bytes). Revoking again is -EALREADY. */
int permit_registry_revoke_key(permit_registry *reg, const char *key_id, const char *reason, int64_t now,
                               permit_error *error);
int permit_registry_revoke_package(permit_registry *reg, const char *seal_digest, const char *reason, int64_t now,
                                   permit_error *error);

/* Publishes the pending index: version = published + 1, issued = now,
 * expires as given (> now), signed with sk, which must be the key the
 * published index was signed with (-EKEYREJECTED). Checks that every listed
 * package file is there with its size, then writes index.json and last
 * index.json.sig, each atomically. Returns the new version. */
int permit_registry_publish(permit_registry *reg, const permit_seckey *sk, int64_t now, int64_t expires,
                            uint64_t *ret_version, permit_error *error);

/* ---- Upload checks (permit registry check-upload) ------------------------
 *
 * A policy file (schemas/registry-policy.schema.json):
 * {
 *   "format": 1,
 *   "publishers": {"org.example.hello": {"keys": ["RW..."]}},
 *   "limits": {"max_size": 10485760, "max_files": 2000},
 *   "forbid": ["proc.exec:*"], "review": ["fs.write", "net.connect:*"],
 *   "review_risk": "high"
 * }
 * A rule "KIND" matches every capability of that kind, "KIND:ARG" only that
 * exact capability. review_risk flags any capability whose warning is at
 * that risk or above. */

typedef struct permit_upload_policy permit_upload_policy;

int permit_upload_policy_parse(const char *buf, size_t len, const char *source, permit_upload_policy **ret, permit_error *error);
int permit_upload_policy_load(const char *path, permit_upload_policy **ret, permit_error *error);
void permit_upload_policy_free(permit_upload_policy *policy);

typedef enum permit_verdict {
        PERMIT_VERDICT_ACCEPT = 0,
        PERMIT_VERDICT_REFUSE = 1,
        PERMIT_VERDICT_REVIEW = 3, /* the same numbers as check-upload's exit codes */
} permit_verdict;

const char *permit_verdict_name(permit_verdict v); /* "accept", "refuse", "review" */

typedef struct permit_upload_finding {
        permit_verdict verdict;  /* REFUSE or REVIEW */
        const char *check;       /* "format", "publisher", "key", "seal", "limits", "version", "forbid", "review",
                                  * "revoked" */
        const char *capability;  /* for "forbid" and "review"; NULL otherwise */
        const char *text;        /* one line */
} permit_upload_finding;

typedef struct permit_upload_report permit_upload_report;

/* Everything `permit verify` checks, with the publisher's registered key
 * (or a key a registered key rotated to), within the policy's limits; then
 * the policy's capability rules; and, when pending is not NULL (an
 * operator's pending index), that the version grows, that the key follows
 * the update rule from the latest listed version, and that neither the key
 * nor the package is revoked. Every problem found is a finding; the verdict
 * is REFUSE if any refuses, else REVIEW if any asks for review, else
 * ACCEPT. Returns 0 with the report whatever the verdict; an error only
 * when the check itself could not run (-ENOENT, -EACCES for the package,
 * -ENOMEM). */
int permit_upload_check(const char *package, const permit_upload_policy *policy, const permit_index *pending,
                        permit_upload_report **ret, permit_error *error);
void permit_upload_report_free(permit_upload_report *report);
permit_verdict permit_upload_report_verdict(const permit_upload_report *report);
size_t permit_upload_report_n_findings(const permit_upload_report *report);
const permit_upload_finding *permit_upload_report_finding(const permit_upload_report *report, size_t i);
/* The package as read (NULL when it could not be read at all); verified
 * when the seal checked out. */
const permit_package_info *permit_upload_report_package(const permit_upload_report *report);

#ifdef __cplusplus
}
#endif
