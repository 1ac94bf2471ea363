/* SPDX-License-Identifier: MIT */
/* permit/manifest.h: permit.json, the add-on's capability manifest.
 *
 * {
 *   "id": "org.example.hello", "name": "Hello", "version": "1.2.0",
 *   "publisher": "Example Ltd", "entry": "__init__.py",
 *   "capabilities": [
 *     {"id": "net.connect:api.example.com:443", "required": true,
 *      "reason": "Fetches the word of the day"}
 *   ],
 *   "limits": {"memory_mb": 256, "cpu_seconds": 60, "processes": 4,
 *              "open_files": 64, "wall_seconds": 600}
 * }
 *
 * doc/manifest.md and schemas/permit.schema.json say exactly what is
 * allowed; the parser and the schema are tested against each other. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "permit/capability.h"
#include "permit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* permit.json is small; anything larger is refused before parsing. */
#define PERMIT_MANIFEST_MAX_SIZE (64 * 1024)
#define PERMIT_MANIFEST_MAX_CAPABILITIES 64

typedef struct permit_manifest permit_manifest;

/* Limits the add-on asks for; 0 means "not given" (the host's default). */
typedef struct permit_limits {
        uint64_t memory_mb;
        uint64_t cpu_seconds;
        uint64_t processes;
        uint64_t open_files;
        uint64_t wall_seconds;
} permit_limits;

/* Parses and validates permit.json from memory. source names the file in
 * errors (may be NULL). Errors: -EINVAL (invalid; error says where and
 * what), -EFBIG (over PERMIT_MANIFEST_MAX_SIZE), -ENOMEM. */
int permit_manifest_parse(const char *buf, size_t len, const char *source, permit_manifest **ret,
                          permit_error *error);

/* Reads and parses a file. Adds -ENOENT, -EACCES, -EISDIR... from opening it;
 * error->source is the path. */
int permit_manifest_load(const char *path, permit_manifest **ret, permit_error *error);

void permit_manifest_free(permit_manifest *m);

const char *permit_manifest_id(const permit_manifest *m);
const char *permit_manifest_name(const permit_manifest *m);
const char *permit_manifest_version(const permit_manifest *m);
const char *permit_manifest_publisher(const permit_manifest *m);
const char *permit_manifest_entry(const permit_manifest *m);
const permit_limits *permit_manifest_limits(const permit_manifest *m);
size_t permit_manifest_n_capabilities(const permit_manifest *m);
/* In the manifest's order; NULL past the end. */
const permit_capability *permit_manifest_capability(const permit_manifest *m, size_t i);
/* All of them as an array of permit_manifest_n_capabilities() entries. */
const permit_capability *permit_manifest_capabilities(const permit_manifest *m);

/* The canonical JSON form (sorted keys, no white space, "required" always
 * present) that the seal hashes. Caller frees *ret. */
int permit_manifest_canonical(const permit_manifest *m, char **ret, size_t *ret_len);

/* BLAKE2b-256 of the canonical form. */
#define PERMIT_DIGEST_SIZE 32
int permit_manifest_digest(const permit_manifest *m, uint8_t ret[PERMIT_DIGEST_SIZE]);

/* Semantic versioning 2.0.0: valid() says whether v is one. Compare: <0, 0, >0 like strcmp,
 * by semver precedence (build metadata ignored). */
bool permit_semver_valid(const char *v);
int permit_semver_compare(const char *a, const char *b);

/* What an update changes, capability by capability. */
typedef enum permit_change {
        PERMIT_CHANGE_ADDED,        /* new, not covered by any old capability */
        PERMIT_CHANGE_WIDENED,      /* new, broader than an old one it replaces */
        PERMIT_CHANGE_NOW_REQUIRED, /* required now; was optional (the same id, or only optional
                                     * old capabilities absorb it) */
        PERMIT_CHANGE_REMOVED,      /* old, no longer asked for (nor covered) */
        PERMIT_CHANGE_UNCHANGED,    /* asked for before too (or covered by an old one) */
} permit_change;

const char *permit_change_name(permit_change c); /* "added", "widened", ... */

typedef struct permit_diff_entry {
        permit_change change;
        const permit_capability *new_cap; /* NULL for REMOVED */
        const permit_capability *old_cap; /* the old one it widens / equals; NULL for ADDED */
} permit_diff_entry;

typedef struct permit_diff permit_diff;

/* Compares the capabilities of an installed manifest (old) with an update
 * (new). The diff points into both manifests: free it before them. Entries
 * come in the new manifest's order, then the removed ones (doc/manifest.md,
 * "Updates"). Errors: -EINVAL (a NULL argument), -ENOMEM. */
int permit_manifest_diff(const permit_manifest *old_m, const permit_manifest *new_m, permit_diff **ret);
void permit_diff_free(permit_diff *d);
size_t permit_diff_count(const permit_diff *d);
const permit_diff_entry *permit_diff_get(const permit_diff *d, size_t i);
/* True when the update asks for anything not granted before (ADDED,
 * WIDENED or NOW_REQUIRED entries). */
bool permit_diff_asks_more(const permit_diff *d);

#ifdef __cplusplus
}
#endif
