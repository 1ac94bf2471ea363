/* SPDX-License-Identifier: MIT */
/* Making a decision on a manifest and recording it: the decision starts from
 * what the add-on's record already says, so an update only asks about what
 * is new, and a user's "no" is never turned into a "yes" by an update. */
#include <sodium.h>
#include <sys/stat.h>

#include "encoding-private.h"
#include "fileio-private.h"
#include "permit/capability.h"
#include "store-private.h"

typedef struct decision_cap {
        char *id;
        bool required;
        bool granted;
        bool is_new;
} decision_cap;

struct permit_decision {
        char *id;
        char *version;
        char *name;
        char *publisher;
        char digest[2 * PERMIT_DIGEST_SIZE + 1];
        char *canonical; /* the manifest's canonical form, kept as manifests/ID.json */
        size_t canonical_len;
        size_t n;
        decision_cap *caps;
        bool required_accepted;
        permit_decided_by by;
        int64_t when; /* 0: when recorded */
};

_public_ void permit_decision_free(permit_decision *d) {
        if (!d)
                return;
        for (size_t i = 0; i < d->n; i++)
                free(d->caps[i].id);
        free(d->caps);
        free(d->id);
        free(d->version);
        free(d->name);
        free(d->publisher);
        free(d->canonical);
        free(d);
}

/* True when a granted decision of prev covers capability id. */
static bool covered_by_grant(const permit_record *prev, const char *id) {
        for (size_t i = 0; prev && i < prev->n_decisions; i++)
                if (prev->decisions[i].granted && permit_capability_absorbs(prev->decisions[i].capability, id))
                        return true;
        return false;
}

_public_ int permit_decision_new(const permit_manifest *m, const permit_record *prev, permit_decision **ret) {
        uint8_t digest[PERMIT_DIGEST_SIZE];
        permit_decision *d;
        size_t n;
        int r;

        if (!m || !ret)
                return -EINVAL;
        if (prev && !streq(prev->id, permit_manifest_id(m)))
                return -EINVAL;
        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->required_accepted = true;
        d->by = PERMIT_BY_USER;
        r = permit_manifest_digest(m, digest);
        if (r >= 0)
                r = permit_manifest_canonical(m, &d->canonical, &d->canonical_len);
        if (r < 0) {
                permit_decision_free(d);
                return r;
        }
        permit_hex(d->digest, digest, sizeof(digest));
        n = permit_manifest_n_capabilities(m);
        if (!(d->id = strdup(permit_manifest_id(m))) || !(d->version = strdup(permit_manifest_version(m))) ||
            !(d->name = strdup(permit_manifest_name(m))) || !(d->publisher = strdup(permit_manifest_publisher(m))) ||
            (n > 0 && !(d->caps = calloc(n, sizeof(*d->caps))))) {
                permit_decision_free(d);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                const permit_capability *c = permit_manifest_capability(m, i);
                const permit_cap_decision *old = record_find_decision(prev, c->id);
                decision_cap *dc = &d->caps[i];
                /* expired unused: what it granted is asked again; its noes stand */
                bool expired = prev && prev->expired_at;

                dc->id = strdup(c->id);
                if (!dc->id) {
                        permit_decision_free(d);
                        return -ENOMEM;
                }
                d->n++;
                dc->required = c->required;
                if (old && ((old->granted && !expired) || (!old->granted && !c->required))) {
                        /* decided before: a yes stays yes, an optional no stays no */
                        dc->granted = old->granted;
                } else if (!old && !expired && covered_by_grant(prev, c->id)) {
                        dc->granted = true; /* narrower than something already granted */
                } else {
                        /* never decided, or a "no" to what is now required: ask */
                        dc->is_new = true;
                        dc->granted = c->required;
                }
        }
        *ret = d;
        return 0;
}

_public_ int permit_decision_set(permit_decision *d, const char *capability, bool grant) {
        if (!d || !capability)
                return -EINVAL;
        for (size_t i = 0; i < d->n; i++)
                if (streq(d->caps[i].id, capability)) {
                        if (d->caps[i].required)
                                return -EPERM;
                        d->caps[i].granted = grant;
                        return 0;
                }
        return -ENOENT;
}

_public_ void permit_decision_set_required(permit_decision *d, bool accept) {
        if (!d)
                return;
        d->required_accepted = accept;
        for (size_t i = 0; i < d->n; i++)
                if (d->caps[i].required)
                        d->caps[i].granted = accept;
}

_public_ void permit_decision_set_by(permit_decision *d, permit_decided_by by) {
        if (d)
                d->by = by;
}

_public_ void permit_decision_set_time(permit_decision *d, int64_t when) {
        if (d)
                d->when = when;
}

_public_ size_t permit_decision_count(const permit_decision *d) {
        return d ? d->n : 0;
}

_public_ const char *permit_decision_capability(const permit_decision *d, size_t i) {
        return d && i < d->n ? d->caps[i].id : NULL;
}

_public_ bool permit_decision_granted(const permit_decision *d, size_t i) {
        /* Refusing the required ones refuses the add-on: nothing is granted. */
        return d && i < d->n && d->required_accepted && d->caps[i].granted;
}

_public_ bool permit_decision_required(const permit_decision *d, size_t i) {
        return d && i < d->n && d->caps[i].required;
}

_public_ bool permit_decision_is_new(const permit_decision *d, size_t i) {
        return d && i < d->n && d->caps[i].is_new;
}

_public_ bool permit_decision_required_accepted(const permit_decision *d) {
        return d && d->required_accepted;
}

/* ---- Recording ------------------------------------------------------------ */

typedef struct record_change {
        const permit_decision *d;
        int64_t when;
        permit_audit_event *events; /* one per capability whose decision is new or changed */
        size_t n_events;
} record_change;

static int build_record(const permit_decision *d, const permit_record *prev, int64_t when, permit_record *ret,
                        record_change *c) {
        permit_record rec = { .decided_at = when };
        size_t max = d->n + (prev ? prev->n_decisions : 0);

        if (!(rec.id = strdup(d->id)) || !(rec.version = strdup(d->version)) || !(rec.name = strdup(d->name)) ||
            !(rec.publisher = strdup(d->publisher)) || !(rec.digest = strdup(d->digest)) ||
            (max > 0 && !(rec.decisions = calloc(max, sizeof(*rec.decisions)))))
                goto nomem;
        for (size_t i = 0; i < d->n; i++) {
                const permit_cap_decision *old = record_find_decision(prev, d->caps[i].id);
                permit_cap_decision *nd = &rec.decisions[rec.n_decisions];
                bool granted = permit_decision_granted(d, i);

                if (!(nd->capability = strdup(d->caps[i].id)))
                        goto nomem;
                rec.n_decisions++;
                nd->granted = granted;
                nd->required = d->caps[i].required;
                nd->requested = true;
                /* a yes given again after an expiry is a new decision */
                if (old && old->granted == granted && !(granted && prev->expired_at)) {
                        nd->decided_at = old->decided_at; /* unchanged: keep when and by whom */
                        nd->by = old->by;
                } else {
                        nd->decided_at = when;
                        nd->by = d->by;
                        c->events[c->n_events++] = (permit_audit_event) {
                                .kind = PERMIT_AUDIT_DECISION,
                                .time = when,
                                .addon = d->id,
                                .capability = d->caps[i].id,
                                .allowed = granted,
                        };
                }
        }
        /* Keep the denials of what this version no longer asks for: a "no" must
         * survive a version that drops the capability and one that re-adds it.
         * A "yes" is not kept: what comes back is asked about again. */
        for (size_t i = 0; prev && i < prev->n_decisions; i++) {
                bool asked = false;
                for (size_t j = 0; j < d->n && !asked; j++)
                        asked = streq(d->caps[j].id, prev->decisions[i].capability);
                if (asked || prev->decisions[i].granted)
                        continue;
                rec.decisions[rec.n_decisions] = prev->decisions[i];
                rec.decisions[rec.n_decisions].requested = false;
                if (!(rec.decisions[rec.n_decisions].capability = strdup(prev->decisions[i].capability)))
                        goto nomem;
                rec.n_decisions++;
        }
        *ret = rec;
        return 0;
nomem:
        record_clear(&rec);
        return -ENOMEM;
}

static int record_decision_change(permit_store *s, store_state *st, void *userdata, permit_error *error) {
        record_change *c = userdata;
        _cleanup_free_ char *mpath = store_manifest_path(s, c->d->id);
        _cleanup_free_ char *mdir = NULL;
        permit_record rec;
        int r;

        if (!mpath || asprintf(&mdir, "%s/" MANIFESTS_DIR, s->dir) < 0)
                return -ENOMEM;
        c->n_events = 0;
        r = build_record(c->d, state_find_record(st, c->d->id), c->when, &rec, c);
        if (r < 0)
                return r;
        record_sort(&rec);
        /* The manifest first: grants.json names its digest, so a crash between
         * the two leaves a manifest the record does not name, which
         * permit_store_decided_manifest() ignores. */
        if (mkdir(mdir, 0700) < 0 && errno != EEXIST) {
                r = negative_errno();
                record_clear(&rec);
                return permit_error_set_at(error, r, mdir, NULL, "cannot create: %s", strerror(-r));
        }
        r = permit_write_file_atomic(mpath, c->d->canonical, c->d->canonical_len, 0600, 0);
        if (r < 0) {
                record_clear(&rec);
                return permit_error_set_at(error, r, mpath, NULL, "cannot write: %s", strerror(-r));
        }
        r = state_put_record(st, &rec);
        if (r < 0) {
                record_clear(&rec);
                return r;
        }
        return CHANGED_GRANTS;
}

_public_ int permit_store_record_decision(permit_store *s, const permit_decision *d, permit_error *error) {
        _cleanup_free_ permit_audit_event *events = NULL;
        record_change c = { .d = d };
        int r;

        if (!s || !d)
                return -EINVAL;
        c.when = d->when ? d->when : store_now();
        events = calloc(d->n + 1, sizeof(*events));
        if (!events)
                return -ENOMEM;
        c.events = events;
        r = store_change(s, record_decision_change, &c, error);
        if (r < 0)
                return r;
        /* The log follows the decision: a crash in between loses a log line,
         * never a decision. */
        r = audit_append(s, c.events, c.n_events, true);
        if (r < 0)
                return permit_error_set_at(error, r, s->audit_path, NULL, "cannot append: %s", strerror(-r));
        return 0;
}

_public_ int permit_store_decided_manifest(const permit_store *s, const char *id, permit_manifest **ret,
                                           permit_error *error) {
        const permit_record *rec;
        _cleanup_free_ char *path = NULL;
        uint8_t digest[PERMIT_DIGEST_SIZE];
        char hex[2 * PERMIT_DIGEST_SIZE + 1];
        permit_manifest *m = NULL;
        int r;

        if (!s || !id || !ret)
                return -EINVAL;
        rec = state_find_record(&s->state, id);
        if (!rec)
                return permit_error_set(error, -ENOENT, NULL, "no record for '%s'", id);
        path = store_manifest_path(s, id);
        if (!path)
                return -ENOMEM;
        r = permit_manifest_load(path, &m, error);
        if (r < 0)
                return r;
        r = permit_manifest_digest(m, digest);
        if (r < 0) {
                permit_manifest_free(m);
                return r;
        }
        permit_hex(hex, digest, sizeof(digest));
        if (!streq(hex, rec->digest)) {
                permit_manifest_free(m);
                return permit_error_set_at(error, -ENOENT, path, NULL, "not the manifest the decision was made on");
        }
        *ret = m;
        return 0;
}
