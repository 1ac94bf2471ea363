/* SPDX-License-Identifier: MIT */
/* Inside the registry index. The index is read with permit's strict pull
 * reader (index-read.c, common/json-reader.c), not through a JSON tree: 20,000 add-ons are 10 MB, which
 * jansson alone takes 200 ms to parse (doc/decisions.md). The handle holds
 * every decoded string in one arena, the entries in one array, and the
 * add-ons sorted by id. */
#pragma once

#include "error-private.h"
#include "permit/registry.h"

typedef struct index_rec {
        const char *version, *digest, *seal_digest, *key, *key_id, *path, *countersignature;
        uint64_t size;
        int64_t added;
} index_rec;

typedef struct index_pkg {
        const char *id;
        size_t first, n; /* its versions: recs[first .. first + n), lowest first */
} index_pkg;

typedef struct index_revoked {
        const char *what; /* key id or seal digest */
        const char *reason;
        int64_t at;
} index_revoked;

struct permit_index {
        char *arena; /* decoded strings, NUL-terminated */
        size_t arena_used, arena_size;
        const char *registry;
        uint64_t version;
        int64_t issued, expires;
        index_rec *recs;
        size_t n_recs, cap_recs;
        index_pkg *pkgs; /* sorted by id after parsing */
        size_t n_pkgs, cap_pkgs;
        index_revoked *rkeys, *rpkgs;
        size_t n_rkeys, cap_rkeys, n_rpkgs, cap_rpkgs;
};

/* Reads and checks index.json (index-read.c). */
int index_read(const char *data, size_t len, permit_index **ret, permit_error *error);

/* Field checks shared with the operator's code and rotation statements. */
bool index_name_valid(const char *name);
bool index_hex_digest_valid(const char *s);
/* One line of text for a reason: permit_text_check() and the length. */
int index_reason_check(const char *reason, permit_error *error);
/* Copies in into out (size bytes) with its hex letters in upper or lower
 * case; false when in is NULL or does not fit. */
bool index_hex_case(const char *in, bool upper, char *out, size_t size);
/* "8A1F..." 16 upper-case hex digits. */
bool index_key_id_valid(const char *s);
