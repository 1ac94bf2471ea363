/* SPDX-License-Identifier: MIT */
/* Taking decisions back: revoking capabilities, forgetting an add-on. */
#include <sys/stat.h>

#include "store-private.h"

typedef struct revoke_change {
        const char *id;
        const char *capability; /* NULL: all */
        int64_t when;
        permit_audit_event *events;
        size_t n_events;
} revoke_change;

static int revoke_apply(permit_store *s, store_state *st, void *userdata, permit_error *error) {
        revoke_change *c = userdata;
        permit_record *rec = state_find_record(st, c->id);
        bool found = false;

        c->n_events = 0;
        if (!rec)
                return permit_error_set(error, -ENOENT, NULL, "no add-on '%s' in this profile", c->id);
        free(c->events);
        c->events = calloc(rec->n_decisions + 1, sizeof(*c->events));
        if (!c->events)
                return -ENOMEM;
        for (size_t i = 0; i < rec->n_decisions; i++) {
                permit_cap_decision *d = &rec->decisions[i];

                if (c->capability && !streq(d->capability, c->capability))
                        continue;
                found = true;
                if (!d->granted)
                        continue;
                d->granted = false;
                d->by = PERMIT_BY_USER;
                d->decided_at = c->when;
                /* the event points into the store's new snapshot, which stays
                 * alive until the caller appends it */
                c->events[c->n_events++] = (permit_audit_event) {
                        .kind = PERMIT_AUDIT_DECISION,
                        .time = c->when,
                        .addon = rec->id,
                        .capability = d->capability,
                        .allowed = false,
                };
        }
        if (!found)
                return permit_error_set(error, -ENOENT, NULL, "'%s' has no decision on '%s'", c->id, c->capability);
        return c->n_events > 0 ? CHANGED_GRANTS : 0;
}

_public_ int permit_store_revoke(permit_store *s, const char *id, const char *capability, permit_error *error) {
        revoke_change c = { .id = id, .capability = capability, .when = store_now() };
        int r;

        if (!s || !id)
                return -EINVAL;
        r = store_change(s, revoke_apply, &c, error);
        if (r >= 0) {
                r = audit_append(s, c.events, c.n_events, true);
                if (r < 0)
                        permit_error_set_at(error, r, s->audit_path, NULL, "cannot append: %s", strerror(-r));
        }
        free(c.events);
        return r;
}

typedef struct reset_change {
        const char *id;
        unsigned flags;
} reset_change;

static int reset_apply(permit_store *s, store_state *st, void *userdata, permit_error *error) {
        const reset_change *c = userdata;
        _cleanup_free_ char *mpath = store_manifest_path(s, c->id);
        int changed = 0;

        if (!mpath)
                return -ENOMEM;
        if (state_remove_record(st, c->id) >= 0)
                changed |= CHANGED_GRANTS;
        if ((c->flags & PERMIT_RESET_PIN) && state_remove_pin(st, c->id) >= 0)
                changed |= CHANGED_PINS;
        if (unlink(mpath) < 0 && errno != ENOENT) {
                int r = negative_errno();
                return permit_error_set_at(error, r, mpath, NULL, "cannot remove: %s", strerror(-r));
        }
        if (changed == 0 && !state_find_pin(st, c->id))
                return permit_error_set(error, -ENOENT, NULL, "no add-on '%s' in this profile", c->id);
        return changed;
}

_public_ int permit_store_reset(permit_store *s, const char *id, unsigned flags, permit_error *error) {
        reset_change c = { id, flags };

        if (!s || !id)
                return -EINVAL;
        return store_change(s, reset_apply, &c, error);
}
