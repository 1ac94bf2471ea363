/* SPDX-License-Identifier: MIT */
/* permit/store.h: the per-profile store of decisions, pins and the audit log.
 *
 * A profile is a directory the host chooses (default
 * $XDG_DATA_HOME/permit/profiles/default). Its permit/ folder, mode 0700 and
 * never visible to an add-on, holds (doc/store.md, schemas/):
 *
 *   grants.json   per add-on id: the manifest digest decided on, and for each
 *                 capability granted or denied, when, and by whom
 *   pins.json     per add-on id: the publisher key pinned on first use
 *   manifests/ID.json  the manifest each decision was made on (for the
 *                 update diff; not read by permit_store_open())
 *   audit.jsonl   append-only log of decisions, uses and denials
 *   lock          flock()ed by every writer of grants.json and pins.json
 *
 * Every change takes the lock, re-reads the file it changes, merges, and
 * writes it atomically (temp file, fsync, rename, fsync of the directory), so
 * two processes deciding at once lose nothing and a crash leaves either the
 * old or the new file. A corrupt file, or one of an unknown version, is an
 * error naming its path and is never replaced.
 *
 * A permit_store is a snapshot read by permit_store_open(); the functions that
 * change the store update the snapshot too. Pointers returned by the getters
 * stay valid until the next change, reload or free of the store. A handle is
 * not thread-safe: use one per thread (processes and threads may share the
 * profile; writes are serialised by the lock). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "permit/error.h"
#include "permit/manifest.h"
#include "permit/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Files larger than this are refused (-EFBIG), never read. */
#define PERMIT_STORE_MAX_FILE (16 * 1024 * 1024)
#define PERMIT_AUDIT_MAX_FILE (64 * 1024 * 1024)

typedef struct permit_store permit_store;

/* ---- Opening ------------------------------------------------------------- */

/* The default profile: $XDG_DATA_HOME/permit/profiles/default, or
 * $HOME/.local/share/permit/profiles/default. Caller frees *ret. -ENOENT when
 * neither variable is set (or they are not absolute paths), -ENOMEM. */
int permit_store_default_profile(char **ret);

enum {
        PERMIT_STORE_CREATE = 1 << 0, /* create PROFILE (0700) and PROFILE/permit/ (0700) if missing */
};

/* Opens the store of a profile (NULL: the default profile) and reads
 * grants.json and pins.json (missing files are empty). Errors:
 *   -ENOENT      PROFILE/permit/ does not exist and PERMIT_STORE_CREATE was not given
 *   -EINVAL      a file is not valid (error->source is its path, error->path
 *                and text say where and what)
 *   -EPROTONOSUPPORT  a file of a version this library does not know
 *   -EFBIG       a file over PERMIT_STORE_MAX_FILE
 *   -EACCES, -ENOTDIR, -EIO, -ENOMEM */
int permit_store_open(const char *profile, unsigned flags, permit_store **ret, permit_error *error);

/* Reads grants.json and pins.json again (another process may have changed
 * them). On failure the snapshot is left as it was. Errors as open. */
int permit_store_reload(permit_store *s, permit_error *error);

void permit_store_free(permit_store *s);

const char *permit_store_profile(const permit_store *s); /* the profile directory */
const char *permit_store_dir(const permit_store *s);     /* PROFILE/permit */

/* ---- Reading decisions --------------------------------------------------- */

typedef enum permit_decided_by {
        PERMIT_BY_USER,   /* "user" */
        PERMIT_BY_POLICY, /* "policy": an administrator's import, or host policy */
} permit_decided_by;

const char *permit_decided_by_name(permit_decided_by by); /* "user", "policy"; NULL out of range */

/* One capability's decision. */
typedef struct permit_cap_decision {
        const char *capability; /* "net.connect:api.example.com" */
        bool granted;
        bool required;          /* as the manifest decided on declared it */
        bool requested;         /* asked for by the manifest decided on; false for a
                                 * decision kept from an older version (a user's "no"
                                 * survives an update that drops and re-adds it) */
        int64_t decided_at;     /* seconds since the epoch */
        permit_decided_by by;
} permit_cap_decision;

/* One add-on's record. */
typedef struct permit_record permit_record;

/* Records sorted by id; NULL past the end. */
size_t permit_store_n_records(const permit_store *s);
const permit_record *permit_store_record(const permit_store *s, size_t i);
/* NULL when the store holds no record for id. */
const permit_record *permit_store_find(const permit_store *s, const char *id);

const char *permit_record_id(const permit_record *r);
const char *permit_record_version(const permit_record *r);
const char *permit_record_name(const permit_record *r);
const char *permit_record_publisher(const permit_record *r);
/* Hex BLAKE2b-256 of the canonical manifest decided on
 * (permit_manifest_digest()), 64 characters. */
const char *permit_record_manifest_digest(const permit_record *r);
int64_t permit_record_decided_at(const permit_record *r);
/* When the record's grants expired unused (permit_store_expire_unused()),
 * 0 when they did not. An expired record grants nothing until the user
 * decides again; its denials stand. */
int64_t permit_record_expired_at(const permit_record *r);
/* Decisions sorted by capability id; NULL past the end. */
size_t permit_record_n_decisions(const permit_record *r);
const permit_cap_decision *permit_record_decision(const permit_record *r, size_t i);
/* The decision on exactly this capability id, or NULL. */
const permit_cap_decision *permit_record_find_decision(const permit_record *r, const char *capability);

/* The manifest the record's decision was made on, from
 * PROFILE/permit/manifests/ID.json, for permit_manifest_diff() when an
 * update comes. -ENOENT when there is none (or it is not the one the record
 * names: a crash between the two writes), -EINVAL when it is corrupt. */
int permit_store_decided_manifest(const permit_store *s, const char *id, permit_manifest **ret,
                                  permit_error *error);

/* ---- Deciding -------------------------------------------------------------- */

/* A decision being made on a verified manifest: what the user (or policy)
 * says for each capability it asks for. Required capabilities are accepted
 * or refused as a whole; each optional one on its own. */
typedef struct permit_decision permit_decision;

/* Starts a decision on m. With a previous record (prev may be NULL) for the
 * same id, each capability the record already decides stays as decided: the
 * same id granted or denied, or a narrower one covered by a granted one
 * (permit_capability_absorbs()); the others are "new": optional ones start
 * off, required ones accepted. Errors: -EINVAL (prev is for another id),
 * -ENOMEM. The decision copies what it needs: m and prev may be freed. */
int permit_decision_new(const permit_manifest *m, const permit_record *prev, permit_decision **ret);
void permit_decision_free(permit_decision *d);

/* Grants or denies one optional capability (by its id in the manifest).
 * -ENOENT when the manifest does not ask for it, -EPERM when it is required
 * (use permit_decision_set_required()). */
int permit_decision_set(permit_decision *d, const char *capability, bool grant);
/* Accepts or refuses every required capability at once. Refusing them
 * records every capability of the manifest denied: the add-on cannot run. */
void permit_decision_set_required(permit_decision *d, bool accept);
/* Who decides (default PERMIT_BY_USER) and when (default: when recorded). */
void permit_decision_set_by(permit_decision *d, permit_decided_by by);
void permit_decision_set_time(permit_decision *d, int64_t when);

/* Reading a decision back, in the manifest's order. */
size_t permit_decision_count(const permit_decision *d);
const char *permit_decision_capability(const permit_decision *d, size_t i); /* NULL past the end */
bool permit_decision_granted(const permit_decision *d, size_t i);
bool permit_decision_required(const permit_decision *d, size_t i);
/* True when no earlier decision covers capability i: the user must be asked. */
bool permit_decision_is_new(const permit_decision *d, size_t i);
bool permit_decision_required_accepted(const permit_decision *d);

/* Records the decision: takes the lock, re-reads grants.json, replaces this
 * add-on's record (decisions on capabilities the manifest no longer asks for
 * are kept, as not requested), writes grants.json and the decided manifest
 * atomically, appends one "decision" event per capability to audit.jsonl,
 * and updates the snapshot. Errors: those of reading the store (error names
 * the file), -EIO, -ENOSPC, -EACCES... from writing. */
int permit_store_record_decision(permit_store *s, const permit_decision *d, permit_error *error);

/* Denies one capability of add-on id (capability NULL: every capability),
 * by the user, now. -ENOENT when there is no such record or decision.
 * Appends a "decision" event per capability changed. */
int permit_store_revoke(permit_store *s, const char *id, const char *capability, permit_error *error);

enum {
        PERMIT_RESET_PIN = 1 << 0, /* also forget the pinned key (the next install pins anew) */
};
/* Forgets the add-on: its record and decided manifest (and with
 * PERMIT_RESET_PIN its pin). -ENOENT when the store knows nothing of id. */
int permit_store_reset(permit_store *s, const char *id, unsigned flags, permit_error *error);

/* ---- Export and import --------------------------------------------------- */

/* The store's grants and pins as one JSON document ({"version":1,
 * "grants":{...},"pins":{...}}, the formats of grants.json and pins.json;
 * schemas/export.schema.json). Caller frees *ret (NUL-terminated). */
int permit_store_export(const permit_store *s, char **ret, size_t *ret_len);

/* Merges an exported document: each add-on's record replaces the one in the
 * store; a pin for an id not yet pinned is added, the same pin is kept, and
 * a different key for an id already pinned refuses the whole import
 * (-EKEYREJECTED, nothing written). source names the document in errors.
 * Errors: -EINVAL, -EPROTONOSUPPORT (error says where), and write errors. */
int permit_store_import(permit_store *s, const char *json, size_t len, const char *source, permit_error *error);

/* ---- Pins ------------------------------------------------------------------ */

/* The key pinned for add-on id: the minisign public key ("RW...") and its
 * key id (16 upper-case hex digits). The strings belong to the store.
 * -ENOENT when none is pinned. */
int permit_store_pin_get(const permit_store *s, const char *id, const char **ret_public_key,
                         const char **ret_key_id);

/* Pins public_key ("RW...", checked) for id, replacing any pin (key rotation
 * is the verifier's decision, not the store's). Locked, atomic. -EINVAL for a
 * key that does not parse. */
int permit_store_pin_set(permit_store *s, const char *id, const char *public_key, permit_error *error);

/* ---- Audit ------------------------------------------------------------------ */

typedef enum permit_audit_kind {
        PERMIT_AUDIT_DECISION, /* "decision": a user or policy granted or denied */
        PERMIT_AUDIT_USE,      /* "use": the add-on used a granted capability */
        PERMIT_AUDIT_DENIAL,   /* "denial": the enforcer or broker refused a request */
        PERMIT_AUDIT_EXPIRY,   /* "expiry": the add-on's grants expired unused (no capability) */
        PERMIT_AUDIT_ONCE,     /* "once": the user granted a capability for one start only */
} permit_audit_kind;

const char *permit_audit_kind_name(permit_audit_kind k); /* "decision", "use", "denial", "expiry", "once" */

typedef struct permit_audit_event {
        permit_audit_kind kind;
        int64_t time;           /* 0: now */
        const char *addon;      /* add-on id, required */
        const char *capability; /* capability id, may be NULL for a denial of something not asked for */
        const char *target;     /* what was reached ("api.example.com:443", a path), may be NULL */
        bool allowed;
} permit_audit_event;

/* Appends one line to audit.jsonl (one write() on O_APPEND, so lines of
 * processes appending at once never interleave; decisions are fsync()ed,
 * uses and denials are not). -EINVAL for an event without addon or with
 * strings that are not UTF-8; write errors. */
int permit_store_audit_append(permit_store *s, const permit_audit_event *ev);

/* When each capability of an add-on was last used (allowed "use" events). */
typedef struct permit_usage permit_usage;

/* Reads audit.jsonl (a missing log is empty). Lines that do not parse (a
 * line cut by a crash) are skipped. -EFBIG past PERMIT_AUDIT_MAX_FILE. */
int permit_store_usage(const permit_store *s, const char *id, permit_usage **ret);
void permit_usage_free(permit_usage *u);
/* Seconds since the epoch, 0 when never used. */
int64_t permit_usage_last_used(const permit_usage *u, const char *capability);

/* ---- Starts, and grants that expire unused -------------------------------- */

/* Notes that add-on id starts now (0: the clock; tests give a time):
 * PROFILE/permit/started/ID, an empty file whose modification time is the
 * last start. One open() and futimens(): cheap, atomic, no lock (two starts
 * at once both set a time). -EINVAL for an invalid id; I/O errors. */
int permit_store_note_start(permit_store *s, const char *id, int64_t now);
/* When id was last started (permit_store_note_start()), 0 never. */
int64_t permit_store_last_started(const permit_store *s, const char *id);

/* Expires the grants of the add-ons not used for the policy's
 * "expire_unused_days" (nothing when the policy has none): an add-on whose
 * last start and last decision are both older than now (0: the clock)
 * minus that many days, and that has a capability granted, gets
 * "expired_at" in grants.json and an "expiry" event in audit.jsonl; its
 * grants are then not in force (permit_effective_expired()) until the
 * user approves again (permit_decision_new() asks about every capability
 * it granted; denials stand). id NULL: every add-on of the store; else
 * that one. Returns how many expired, or the errors of changing the store. */
int permit_store_expire_unused(permit_store *s, const permit_policy *p, const char *id, int64_t now,
                               permit_error *error);

/* ---- The effective grant ------------------------------------------------- */

typedef enum permit_grant_state {
        PERMIT_GRANT_GRANTED,        /* approved (or covered by an approved one) and allowed by policy */
        PERMIT_GRANT_DENIED,         /* the user (or an imported policy decision) said no */
        PERMIT_GRANT_UNDECIDED,      /* never decided: new in this version, not covered */
        PERMIT_GRANT_POLICY_DENIED,  /* approved, but the host policy forbids it */
} permit_grant_state;

const char *permit_grant_state_name(permit_grant_state st); /* "granted", "denied", "undecided", "policy-denied" */

typedef struct permit_grant_entry {
        const char *capability;
        bool required;
        permit_grant_state state;
} permit_grant_entry;

typedef struct permit_effective permit_effective;

/* The effective grant of an add-on: each capability requested in its
 * VERIFIED manifest m (the caller verified the package) that the user
 * approved (in the store's record for m's id: the same capability granted,
 * or a broader one granted; an exact decision wins) and that the policy (NULL:
 * none) allows; limits are m's, capped by the policy's. A capability the
 * record never decided (an update asking for more) is not granted until the
 * user decides; a denial survives every update. Doc/store.md has the rule.
 * Errors: -EINVAL (NULL s or m), -ENOMEM. */
int permit_effective_grant(const permit_store *s, const permit_manifest *m, const permit_policy *policy,
                           permit_effective **ret);
void permit_effective_free(permit_effective *e);

/* Every capability m asks for, with its state, in m's order. */
size_t permit_effective_n_entries(const permit_effective *e);
const permit_grant_entry *permit_effective_entry(const permit_effective *e, size_t i);
/* The granted capability ids alone, in m's order; NULL past the end. */
size_t permit_effective_n_granted(const permit_effective *e);
const char *permit_effective_granted(const permit_effective *e, size_t i);
/* Limits to apply: m's request capped by the policy (0: not given; the
 * enforcer's default, itself capped by the policy, applies). */
const permit_limits *permit_effective_limits(const permit_effective *e);
/* True when every required capability is granted: the add-on may run. */
bool permit_effective_runnable(const permit_effective *e);
/* True when the record was decided on exactly this manifest (same digest). */
bool permit_effective_up_to_date(const permit_effective *e);
/* Capabilities left undecided (UNDECIDED entries): the user must be asked. */
size_t permit_effective_n_undecided(const permit_effective *e);
/* True when the record's grants expired unused: what it granted is
 * UNDECIDED until the user approves again. */
bool permit_effective_expired(const permit_effective *e);

/* Grants an optional capability of e for this start only (a one-time
 * grant, "only this time"): it is never written to the store; the caller
 * that starts the add-on logs it (PERMIT_AUDIT_ONCE). The user's say
 * overrides an earlier "no" or an expiry for this start; the policy is
 * never overridden. Errors: -ENOENT (m does not ask for it), -EPERM (it is
 * required: required capabilities are approved, not lent), -EACCES (the
 * policy forbids it). */
int permit_effective_grant_once(permit_effective *e, const char *capability, const permit_policy *policy);
/* True when entry i is granted for this start only. */
bool permit_effective_once(const permit_effective *e, size_t i);

#ifdef __cplusplus
}
#endif
