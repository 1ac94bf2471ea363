/* SPDX-License-Identifier: MIT */
/* grants.json: per add-on id, the manifest decided on and each capability's
 * decision (doc/store.md, schemas/grants.schema.json). Reading validates
 * every field; writing rebuilds the file from the records. */
#include "json-private.h"
#include "manifest-private.h"
#include "permit/capability.h"
#include "json-reader-private.h"
#include "store-private.h"

static const char *const record_keys[] = { "version", "name", "publisher", "manifest_digest", "decided_at",
                                           "capabilities" };

void record_clear(permit_record *r) {
        if (!r)
                return;
        free(r->id);
        free(r->version);
        free(r->name);
        free(r->publisher);
        free(r->digest);
        for (size_t i = 0; i < r->n_decisions; i++)
                free((char *) r->decisions[i].capability);
        free(r->decisions);
        memset(r, 0, sizeof(*r));
}

static int dup_or_null(const char *s, char **ret) {
        *ret = NULL;
        if (s && !(*ret = strdup(s)))
                return -ENOMEM;
        return 0;
}

int record_copy(const permit_record *from, permit_record *to) {
        permit_record r = { .decided_at = from->decided_at, .expired_at = from->expired_at };

        if (dup_or_null(from->id, &r.id) < 0 || dup_or_null(from->version, &r.version) < 0 ||
            dup_or_null(from->name, &r.name) < 0 || dup_or_null(from->publisher, &r.publisher) < 0 ||
            dup_or_null(from->digest, &r.digest) < 0)
                goto fail;
        if (from->n_decisions > 0) {
                r.decisions = calloc(from->n_decisions, sizeof(*r.decisions));
                if (!r.decisions)
                        goto fail;
        }
        for (size_t i = 0; i < from->n_decisions; i++) {
                r.decisions[i] = from->decisions[i];
                r.decisions[i].capability = strdup(from->decisions[i].capability);
                r.n_decisions++;
                if (!r.decisions[i].capability) {
                        r.n_decisions--;
                        goto fail;
                }
        }
        *to = r;
        return 0;
fail:
        record_clear(&r);
        return -ENOMEM;
}

static int compare_decision(const void *a, const void *b) {
        return strcmp(((const permit_cap_decision *) a)->capability, ((const permit_cap_decision *) b)->capability);
}

static int compare_record(const void *a, const void *b) {
        return strcmp(((const permit_record *) a)->id, ((const permit_record *) b)->id);
}

void record_sort(permit_record *r) {
        if (r->n_decisions > 1) /* qsort() of a NULL array is undefined even for 0 elements */
                qsort(r->decisions, r->n_decisions, sizeof(*r->decisions), compare_decision);
}

const permit_cap_decision *record_find_decision(const permit_record *r, const char *capability) {
        permit_cap_decision key = { .capability = capability };

        if (!r || !capability || r->n_decisions == 0)
                return NULL;
        return bsearch(&key, r->decisions, r->n_decisions, sizeof(key), compare_decision);
}

permit_record *state_find_record(const store_state *st, const char *id) {
        permit_record key = { .id = (char *) id };

        if (!id || st->n_records == 0)
                return NULL;
        return bsearch(&key, st->records, st->n_records, sizeof(key), compare_record);
}

int state_put_record(store_state *st, permit_record *r) {
        permit_record *old = state_find_record(st, r->id), *n;

        if (old) {
                record_clear(old);
                *old = *r;
                memset(r, 0, sizeof(*r));
                return 0;
        }
        n = realloc(st->records, (st->n_records + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        st->records = n;
        st->records[st->n_records++] = *r;
        memset(r, 0, sizeof(*r));
        qsort(st->records, st->n_records, sizeof(*st->records), compare_record);
        return 0;
}

int state_remove_record(store_state *st, const char *id) {
        permit_record *r = state_find_record(st, id);
        size_t i;

        if (!r)
                return -ENOENT;
        i = (size_t) (r - st->records);
        record_clear(r);
        memmove(r, r + 1, (st->n_records - i - 1) * sizeof(*r));
        st->n_records--;
        return 0;
}

static bool hex_digest_valid(const char *s) {
        size_t n = 0;

        for (; *s; s++, n++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
        return n == 2 * PERMIT_DIGEST_SIZE;
}

enum {
        SEEN_GRANTED = 1 << 0,
        SEEN_REQUIRED = 1 << 1,
        SEEN_REQUESTED = 1 << 2,
        SEEN_AT = 1 << 3,
        SEEN_BY = 1 << 4,
};

/* The SEEN_ bit of a decision's field, 0 for an unknown one; by its first
 * byte, as this runs for every field of every decision in the file. */
static unsigned decision_field(const char *key) {
        switch (key[0]) {
        case 'g':
                return streq(key, "granted") ? SEEN_GRANTED : 0;
        case 'r':
                return streq(key, "required") ? SEEN_REQUIRED : streq(key, "requested") ? SEEN_REQUESTED : 0;
        case 'a':
                return streq(key, "at") ? SEEN_AT : 0;
        case 'b':
                return streq(key, "by") ? SEEN_BY : 0;
        }
        return 0;
}

/* Errors name where the reader stands: grants.ID.capabilities.CAP... */
static int read_decision(permit_json_reader *rd, char *capid, permit_cap_decision *d) {
        static const char *const names[] = { "granted", "required", "requested", "at", "by" };
        const char *path = NULL; /* NULL: where the reader stands */
        unsigned seen = 0;
        char key[32];
        int r;

        d->capability = capid;
        /* The vocabulary check: a corrupt or hand-edited id is found here,
         * not when an add-on runs. */
        if (permit_capability_check(capid, NULL) < 0) {
                permit_error e = { 0 };
                /* again for the message: filling it for every id costs more than the check */
                (void) permit_capability_check(capid, &e);
                return permit_json_reader_fail(rd, -EINVAL, NULL, "%s", e.text);
        }
        r = permit_json_reader_object_begin(rd, NULL);
        while (r >= 0 && (r = permit_json_reader_field(rd, key, sizeof(key), NULL, NULL)) > 0) {
                unsigned bit = decision_field(key);
                if (!bit)
                        r = permit_json_reader_fail(rd, -EINVAL, path, "unknown field");
                else if (seen & bit)
                        r = permit_json_reader_fail(rd, -EINVAL, path, "duplicate field");
                else if (bit == SEEN_GRANTED)
                        r = permit_json_reader_bool(rd, &d->granted, path);
                else if (bit == SEEN_REQUIRED)
                        r = permit_json_reader_bool(rd, &d->required, path);
                else if (bit == SEEN_REQUESTED)
                        r = permit_json_reader_bool(rd, &d->requested, path);
                else if (bit == SEEN_AT) {
                        r = permit_json_reader_int(rd, INT64_MIN, INT64_MAX, &d->decided_at, path);
                        if (r >= 0 && d->decided_at < 0)
                                r = permit_json_reader_fail(rd, -EINVAL, path, "must be seconds since the epoch");
                } else {
                        _cleanup_free_ char *by = NULL;
                        r = permit_json_reader_string(rd, &by, path);
                        if (r >= 0 && streq(by, "user"))
                                d->by = PERMIT_BY_USER;
                        else if (r >= 0 && streq(by, "policy"))
                                d->by = PERMIT_BY_POLICY;
                        else if (r >= 0)
                                r = permit_json_reader_fail(rd, -EINVAL, path, "must be \"user\" or \"policy\"");
                }
                seen |= bit;
        }
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (!(seen & (1u << i)))
                        return permit_json_reader_fail(rd, -EINVAL, NULL, "missing field '%s'", names[i]);
        return 0;
}

static int read_capabilities(permit_json_reader *rd, permit_record *rec) {
        size_t size = 0;
        char *capid;
        int r;

        r = permit_json_reader_object_begin(rd, NULL);
        while (r >= 0 && (r = permit_json_reader_member(rd, &capid, NULL)) > 0) {
                if (rec->n_decisions == size) {
                        permit_cap_decision *n;
                        size = size ? 2 * size : 8;
                        n = realloc(rec->decisions, size * sizeof(*n));
                        if (!n) {
                                free(capid);
                                return -ENOMEM;
                        }
                        rec->decisions = n;
                }
                memset(&rec->decisions[rec->n_decisions], 0, sizeof(*rec->decisions));
                rec->n_decisions++; /* owns capid from here, even on failure */
                r = read_decision(rd, capid, &rec->decisions[rec->n_decisions - 1]);
        }
        if (r < 0)
                return r;
        record_sort(rec);
        for (size_t i = 1; i < rec->n_decisions; i++)
                if (streq(rec->decisions[i - 1].capability, rec->decisions[i].capability))
                        return permit_json_reader_fail(rd, -EINVAL, NULL, "'%s' listed twice",
                                                       rec->decisions[i].capability);
        return 0;
}

static int read_record(permit_json_reader *rd, permit_record *rec) {
        bool has_caps = false;
        const char *path = NULL; /* NULL: where the reader stands */
        char key[32];
        int r;

        if (!permit_addon_id_valid(rec->id) || strlen(rec->id) > 128)
                return permit_json_reader_fail(rd, -EINVAL, path, "invalid add-on id");
        r = permit_json_reader_object_begin(rd, path);
        while (r >= 0 && (r = permit_json_reader_field(rd, key, sizeof(key), NULL, path)) > 0) {
                char **field = streq(key, "version") ? &rec->version : streq(key, "name") ? &rec->name
                               : streq(key, "publisher")                              ? &rec->publisher
                               : streq(key, "manifest_digest")                        ? &rec->digest
                                                                                      : NULL;
                if (field) {
                        if (*field)
                                r = permit_json_reader_fail(rd, -EINVAL, path, "duplicate field");
                        else
                                r = permit_json_reader_string(rd, field, path);
                        if (r >= 0 && field == &rec->version && !permit_semver_valid(rec->version))
                                r = permit_json_reader_fail(rd, -EINVAL, path, "not a semantic version");
                        if (r >= 0 && field == &rec->digest && !hex_digest_valid(rec->digest))
                                r = permit_json_reader_fail(rd, -EINVAL, path, "must be 64 lower-case hex digits");
                } else if (streq(key, "decided_at")) {
                        if (rec->decided_at != -1)
                                r = permit_json_reader_fail(rd, -EINVAL, path, "duplicate field");
                        else
                                r = permit_json_reader_int(rd, INT64_MIN, INT64_MAX, &rec->decided_at, path);
                        if (r >= 0 && rec->decided_at < 0)
                                r = permit_json_reader_fail(rd, -EINVAL, path, "must be seconds since the epoch");
                } else if (streq(key, "expired_at")) {
                        /* optional: written only for an expired record */
                        if (rec->expired_at != 0)
                                r = permit_json_reader_fail(rd, -EINVAL, path, "duplicate field");
                        else
                                r = permit_json_reader_int(rd, 1, INT64_MAX, &rec->expired_at, path);
                } else if (streq(key, "capabilities")) {
                        if (has_caps)
                                r = permit_json_reader_fail(rd, -EINVAL, path, "duplicate field");
                        else
                                r = read_capabilities(rd, rec);
                        has_caps = true;
                } else
                        r = permit_json_reader_fail(rd, -EINVAL, path, "unknown field");
        }
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(record_keys); i++) {
                bool missing = i == 0 ? !rec->version : i == 1 ? !rec->name : i == 2 ? !rec->publisher
                               : i == 3 ? !rec->digest : i == 4 ? rec->decided_at < 0 : !has_caps;
                if (missing)
                        return permit_json_reader_fail(rd, -EINVAL, path, "missing field '%s'", record_keys[i]);
        }
        return 0;
}

int grants_read(permit_json_reader *rd, const char *base, store_state *st) {
        size_t size = 0;
        char *id;
        int r;

        r = permit_json_reader_object_begin(rd, base);
        while (r >= 0 && (r = permit_json_reader_member(rd, &id, base)) > 0) {
                permit_record *rec;
                if (st->n_records == size) {
                        permit_record *n;
                        size = size ? 2 * size : 64;
                        n = realloc(st->records, size * sizeof(*n));
                        if (!n) {
                                free(id);
                                return -ENOMEM;
                        }
                        st->records = n;
                }
                rec = &st->records[st->n_records++];
                *rec = (permit_record) { .id = id, .decided_at = -1 };
                r = read_record(rd, rec);
        }
        if (r < 0)
                return r;
        if (st->n_records > 1)
                qsort(st->records, st->n_records, sizeof(*st->records), compare_record);
        for (size_t i = 1; i < st->n_records; i++)
                if (streq(st->records[i - 1].id, st->records[i].id))
                        return permit_json_reader_fail(rd, -EINVAL, base, "'%s' listed twice", st->records[i].id);
        return 0;
}

static json_t *decision_to_json(const permit_cap_decision *d) {
        json_t *o = json_object();

        if (!o)
                return NULL;
        if (json_set(o, "granted", json_boolean(d->granted)) < 0 ||
            json_set(o, "required", json_boolean(d->required)) < 0 ||
            json_set(o, "requested", json_boolean(d->requested)) < 0 ||
            json_set(o, "at", json_integer(d->decided_at)) < 0 ||
            json_set(o, "by", json_string(permit_decided_by_name(d->by))) < 0) {
                json_decref(o);
                return NULL;
        }
        return o;
}

static json_t *record_to_json(const permit_record *rec) {
        _cleanup_json_ json_t *o = json_object(), *caps = json_object();

        if (!o || !caps)
                return NULL;
        for (size_t i = 0; i < rec->n_decisions; i++)
                if (json_set(caps, rec->decisions[i].capability, decision_to_json(&rec->decisions[i])) < 0)
                        return NULL;
        if (json_set(o, "version", json_string(rec->version)) < 0 ||
            json_set(o, "name", json_string(rec->name)) < 0 ||
            json_set(o, "publisher", json_string(rec->publisher)) < 0 ||
            json_set(o, "manifest_digest", json_string(rec->digest)) < 0 ||
            json_set(o, "decided_at", json_integer(rec->decided_at)) < 0 ||
            (rec->expired_at && json_set(o, "expired_at", json_integer(rec->expired_at)) < 0) ||
            json_set(o, "capabilities", steal_pointer(&caps)) < 0)
                return NULL;
        return steal_pointer(&o);
}

int grants_to_json(const store_state *st, json_t **ret) {
        _cleanup_json_ json_t *o = json_object();

        if (!o)
                return -ENOMEM;
        for (size_t i = 0; i < st->n_records; i++)
                if (json_set(o, st->records[i].id, record_to_json(&st->records[i])) < 0)
                        return -ENOMEM;
        *ret = steal_pointer(&o);
        return 0;
}

/* ---- The public getters ---------------------------------------------------- */

_public_ const char *permit_decided_by_name(permit_decided_by by) {
        switch (by) {
        case PERMIT_BY_USER:
                return "user";
        case PERMIT_BY_POLICY:
                return "policy";
        }
        return NULL;
}

_public_ size_t permit_store_n_records(const permit_store *s) {
        return s ? s->state.n_records : 0;
}

_public_ const permit_record *permit_store_record(const permit_store *s, size_t i) {
        return s && i < s->state.n_records ? &s->state.records[i] : NULL;
}

_public_ const permit_record *permit_store_find(const permit_store *s, const char *id) {
        return s ? state_find_record(&s->state, id) : NULL;
}

_public_ const char *permit_record_id(const permit_record *r) {
        return r ? r->id : NULL;
}

_public_ const char *permit_record_version(const permit_record *r) {
        return r ? r->version : NULL;
}

_public_ const char *permit_record_name(const permit_record *r) {
        return r ? r->name : NULL;
}

_public_ const char *permit_record_publisher(const permit_record *r) {
        return r ? r->publisher : NULL;
}

_public_ const char *permit_record_manifest_digest(const permit_record *r) {
        return r ? r->digest : NULL;
}

_public_ int64_t permit_record_decided_at(const permit_record *r) {
        return r ? r->decided_at : 0;
}

_public_ int64_t permit_record_expired_at(const permit_record *r) {
        return r ? r->expired_at : 0;
}

_public_ size_t permit_record_n_decisions(const permit_record *r) {
        return r ? r->n_decisions : 0;
}

_public_ const permit_cap_decision *permit_record_decision(const permit_record *r, size_t i) {
        return r && i < r->n_decisions ? &r->decisions[i] : NULL;
}

_public_ const permit_cap_decision *permit_record_find_decision(const permit_record *r, const char *capability) {
        return record_find_decision(r, capability);
}
