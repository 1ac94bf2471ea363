/* SPDX-License-Identifier: MIT */
/* Inside the store: the snapshot's structs, the file formats' readers and
 * writers, and the locked read-merge-write cycle every change goes through. */
#pragma once

#include <jansson.h>

#include "permit/store.h"
#include "error-private.h"
#include "json-reader-private.h"

#define GRANTS_FILE "grants.json"
#define PINS_FILE "pins.json"
#define AUDIT_FILE "audit.jsonl"
#define LOCK_FILE "lock"
#define MANIFESTS_DIR "manifests"
#define STARTED_DIR "started"
#define STORE_FORMAT_VERSION 1

struct permit_record {
        char *id;
        char *version;
        char *name;
        char *publisher;
        char *digest; /* 64 hex digits */
        int64_t decided_at;
        int64_t expired_at; /* 0: not expired (permit_store_expire_unused()) */
        size_t n_decisions;
        permit_cap_decision *decisions; /* sorted by capability; capability strings owned */
};

typedef struct store_pin {
        char *id;
        char *public_key; /* "RW..." */
        char *key_id;     /* 16 hex digits */
        int64_t pinned_at;
} store_pin;

/* What grants.json and pins.json hold. */
typedef struct store_state {
        size_t n_records;
        permit_record *records; /* sorted by id */
        size_t n_pins;
        store_pin *pins;        /* sorted by id */
} store_state;

struct permit_store {
        char *profile;
        char *dir;
        char *grants_path;
        char *pins_path;
        char *audit_path;
        store_state state;
};

/* ---- grants.c: grants.json ------------------------------------------------ */

void record_clear(permit_record *r);
int record_copy(const permit_record *from, permit_record *to);
/* Reads the "grants" object (an add-on id -> record map) into st. base is
 * the JSON path for errors. */
int grants_read(permit_json_reader *rd, const char *base, store_state *st);
int grants_to_json(const store_state *st, json_t **ret);
/* Replaces or inserts r (taking ownership: r is cleared). */
int state_put_record(store_state *st, permit_record *r);
permit_record *state_find_record(const store_state *st, const char *id);
int state_remove_record(store_state *st, const char *id);
const permit_cap_decision *record_find_decision(const permit_record *r, const char *capability);
/* Sorts the decisions by capability (what record_find_decision() needs). */
void record_sort(permit_record *r);

/* ---- pins.c: pins.json ---------------------------------------------------- */

int pins_read(permit_json_reader *rd, const char *base, store_state *st);
int pins_to_json(const store_state *st, json_t **ret);
store_pin *state_find_pin(const store_state *st, const char *id);
int state_put_pin(store_state *st, const char *id, const char *public_key, int64_t pinned_at,
                  permit_error *error);
int state_remove_pin(store_state *st, const char *id);

/* ---- store.c: files, lock, the change cycle --------------------------------- */

void state_clear(store_state *st);
/* Reads grants.json and pins.json from the store's dir into st. */
int state_load(const permit_store *s, store_state *st, permit_error *error);

enum {
        CHANGED_GRANTS = 1 << 0,
        CHANGED_PINS = 1 << 1,
};
/* A change to the store: applied to a freshly read state under the lock.
 * Returns CHANGED_* flags (0: nothing to write) or a negative errno. */
typedef int (*store_change_fn)(permit_store *s, store_state *st, void *userdata, permit_error *error);
/* Locks, reads, applies change, writes what it changed atomically, makes the
 * result the store's snapshot, unlocks. */
int store_change(permit_store *s, store_change_fn change, void *userdata, permit_error *error);

/* Takes PROFILE/permit/lock (flock, exclusive, waiting). Returns the fd. */
int store_lock(const permit_store *s);

/* Seconds since the epoch. */
int64_t store_now(void);
/* when, or the clock when 0: the API's time parameters. */
int64_t store_time(int64_t when);

/* "DIR/manifests/ID.json" (caller frees). */
char *store_manifest_path(const permit_store *s, const char *id);

/* ---- audit.c -------------------------------------------------------------- */

/* Appends n events to audit.jsonl in one write(); fsync()s when sync. */
int audit_append(const permit_store *s, const permit_audit_event *ev, size_t n, bool sync);

/* ---- format.c: the documents -------------------------------------------- */

enum {
        DOC_GRANTS = 1 << 0, /* "grants" may appear */
        DOC_PINS = 1 << 1,   /* "pins" may appear */
        DOC_REQUIRED = 1 << 2, /* and must */
        DOC_CHECKSUM = 1 << 3, /* a last "checksum" member is checked */
};
/* The hex BLAKE2b-256 of buf, as the "checksum" member holds it. */
void document_checksum(const char *buf, size_t len, char hex[2 * PERMIT_DIGEST_SIZE + 1]);
/* Reads {"version": 1, "grants": {...}, "pins": {...}} (members as flags
 * say) into st: -EPROTONOSUPPORT for another version, whatever its place. */
int document_read(const char *buf, size_t len, unsigned members, store_state *st, permit_error *error);

/* Refuses members other than the given ones (jansson documents: the policy). */
int check_keys(const json_t *obj, const char *parent, const char *const *keys, size_t n, permit_error *error);
/* A top-level document: {"version": 1, ...}; -EPROTONOSUPPORT otherwise. */
int check_version(const json_t *root, permit_error *error);
int json_set(json_t *obj, const char *key, json_t *value);
