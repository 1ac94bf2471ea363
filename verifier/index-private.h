/* SPDX-License-Identifier: MIT */
/* Inside the registry index: the handle keeps the parsed JSON (it is the
 * index: lookups read it in place, and the operator's tools change it and
 * write it back), plus the header fields and the sorted ids. */
#pragma once

#include <jansson.h>

#include "error-private.h"
#include "permit/registry.h"

struct permit_index {
        json_t *root;
        json_t *packages;         /* borrowed from root: id -> [entry, ...] */
        json_t *revoked_keys;     /* borrowed: [{key_id, reason, revoked_at}] */
        json_t *revoked_packages; /* borrowed: [{seal_digest, reason, revoked_at}] */
        const char *registry;
        uint64_t version;
        int64_t issued, expires;
        const char **ids;         /* sorted; point into root */
        size_t n_ids;
};

/* Checks a whole index document strictly (doc/registry.md) and makes the
 * handle; takes the reference to root. */
int index_from_json(json_t *root, permit_index **ret, permit_error *error);

/* Re-reads the header fields and the ids after root was changed. */
int index_refresh(permit_index *idx);

/* The bytes written as index.json (and pending.json): compact, sorted
 * keys, a final newline. */
int index_dump(const permit_index *idx, char **ret, size_t *ret_len);

/* Fills an entry from one validated JSON entry. */
void index_entry_fill(const char *id, json_t *e, permit_index_entry *ret);

/* Field checks shared with the operator's code. */
bool index_name_valid(const char *name);
bool index_hex_digest_valid(const char *s);
/* One line of text for a reason: permit_text_check() and the length. */
int index_reason_check(const char *reason, permit_error *error);
/* "8A1F..." 16 upper-case hex digits. */
bool index_key_id_valid(const char *s);
