/* SPDX-License-Identifier: MIT */
/* grants.json: per add-on id, the manifest decided on and each capability's
 * decision (doc/store.md, schemas/grants.schema.json). Reading validates
 * every field; writing rebuilds the file from the records. */
#include "json-private.h"
#include "manifest-private.h"
#include "permit/capability.h"
#include "store-private.h"

static const char *const record_keys[] = { "version", "name", "publisher", "manifest_digest", "decided_at",
                                           "capabilities" };
static const char *const decision_keys[] = { "granted", "required", "requested", "at", "by" };

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
        permit_record r = { .decided_at = from->decided_at };

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

static int decision_from_json(const char *capid, const json_t *v, const char *path, permit_cap_decision *d,
                              permit_error *error) {
        permit_error e = { 0 };
        const char *by;
        int r;

        if (!json_is_object(v))
                return permit_error_set(error, -EINVAL, path, "must be an object");
        r = permit_capability_check(capid, &e);
        if (r < 0)
                return permit_error_set(error, r, path, "%s", e.text);
        r = check_keys(v, path, decision_keys, ELEMENTSOF(decision_keys), error);
        if (r < 0)
                return r;
        if ((r = get_bool(v, path, "granted", &d->granted, error)) < 0 ||
            (r = get_bool(v, path, "required", &d->required, error)) < 0 ||
            (r = get_bool(v, path, "requested", &d->requested, error)) < 0 ||
            (r = get_time(v, path, "at", &d->decided_at, error)) < 0 ||
            (r = get_string(v, path, "by", true, &by, error)) < 0)
                return r;
        if (streq(by, "user"))
                d->by = PERMIT_BY_USER;
        else if (streq(by, "policy"))
                d->by = PERMIT_BY_POLICY;
        else {
                char p[PERMIT_ERROR_PATH_LENGTH];
                permit_json_path_key(p, sizeof(p), path, "by");
                return permit_error_set(error, -EINVAL, p, "must be \"user\" or \"policy\"");
        }
        d->capability = strdup(capid);
        return d->capability ? 0 : -ENOMEM;
}

static int record_from_json(const char *id, const json_t *v, const char *path, permit_record *ret,
                            permit_error *error) {
        permit_record rec = { 0 };
        const char *version, *name, *publisher, *digest, *capid;
        const json_t *caps, *dv;
        char p[PERMIT_ERROR_PATH_LENGTH];
        int r;

        if (!json_is_object(v))
                return permit_error_set(error, -EINVAL, path, "must be an object");
        if (!permit_addon_id_valid(id) || strlen(id) > 128)
                return permit_error_set(error, -EINVAL, path, "invalid add-on id");
        r = check_keys(v, path, record_keys, ELEMENTSOF(record_keys), error);
        if (r < 0)
                return r;
        if ((r = get_string(v, path, "version", true, &version, error)) < 0 ||
            (r = get_string(v, path, "name", true, &name, error)) < 0 ||
            (r = get_string(v, path, "publisher", true, &publisher, error)) < 0 ||
            (r = get_string(v, path, "manifest_digest", true, &digest, error)) < 0 ||
            (r = get_time(v, path, "decided_at", &rec.decided_at, error)) < 0)
                return r;
        if (!permit_semver_valid(version)) {
                permit_json_path_key(p, sizeof(p), path, "version");
                return permit_error_set(error, -EINVAL, p, "not a semantic version");
        }
        if (!hex_digest_valid(digest)) {
                permit_json_path_key(p, sizeof(p), path, "manifest_digest");
                return permit_error_set(error, -EINVAL, p, "must be 64 lower-case hex digits");
        }
        permit_json_path_key(p, sizeof(p), path, "capabilities");
        caps = json_object_get(v, "capabilities");
        if (!caps)
                return permit_error_set(error, -EINVAL, path, "missing field 'capabilities'");
        if (!json_is_object(caps))
                return permit_error_set(error, -EINVAL, p, "must be an object");

        if (!(rec.id = strdup(id)) || !(rec.version = strdup(version)) || !(rec.name = strdup(name)) ||
            !(rec.publisher = strdup(publisher)) || !(rec.digest = strdup(digest)))
                goto nomem;
        if (json_object_size(caps) > 0) {
                rec.decisions = calloc(json_object_size(caps), sizeof(*rec.decisions));
                if (!rec.decisions)
                        goto nomem;
        }
        json_object_foreach((json_t *) caps, capid, dv) {
                char dp[PERMIT_ERROR_PATH_LENGTH];
                permit_json_path_key(dp, sizeof(dp), p, capid);
                r = decision_from_json(capid, dv, dp, &rec.decisions[rec.n_decisions], error);
                if (r < 0) {
                        record_clear(&rec);
                        return r;
                }
                rec.n_decisions++;
        }
        record_sort(&rec);
        *ret = rec;
        return 0;
nomem:
        record_clear(&rec);
        return -ENOMEM;
}

int grants_from_json(const json_t *grants, const char *path, store_state *st, permit_error *error) {
        const char *id;
        const json_t *v;
        size_t n;
        int r;

        if (!json_is_object(grants))
                return permit_error_set(error, -EINVAL, path, "must be an object");
        n = json_object_size(grants);
        if (n > 0) {
                st->records = calloc(n, sizeof(*st->records));
                if (!st->records)
                        return -ENOMEM;
        }
        json_object_foreach((json_t *) grants, id, v) {
                char p[PERMIT_ERROR_PATH_LENGTH];
                permit_json_path_key(p, sizeof(p), path, id);
                r = record_from_json(id, v, p, &st->records[st->n_records], error);
                if (r < 0)
                        return r;
                st->n_records++;
        }
        qsort(st->records, st->n_records, sizeof(*st->records), compare_record);
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

_public_ size_t permit_record_n_decisions(const permit_record *r) {
        return r ? r->n_decisions : 0;
}

_public_ const permit_cap_decision *permit_record_decision(const permit_record *r, size_t i) {
        return r && i < r->n_decisions ? &r->decisions[i] : NULL;
}

_public_ const permit_cap_decision *permit_record_find_decision(const permit_record *r, const char *capability) {
        return record_find_decision(r, capability);
}
