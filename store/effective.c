/* SPDX-License-Identifier: MIT */
/* The effective grant: what an add-on may do, from its verified manifest,
 * the user's decisions and the host's policy (doc/store.md, "The effective
 * grant"). */
#include <sodium.h>

#include "encoding-private.h"
#include "permit/capability.h"
#include "store-private.h"

struct permit_effective {
        size_t n;
        /* entries, granted and the copies of the capability ids they point
         * to live in the one allocation with this struct: an effective
         * grant is computed for every add-on a host starts. */
        permit_grant_entry *entries;
        size_t n_granted;
        const char **granted;
        size_t n_undecided;
        permit_limits limits;
        bool runnable;
        bool up_to_date;
        bool expired;
        bool *once; /* n flags, made by the first permit_effective_grant_once() */
};

_public_ const char *permit_grant_state_name(permit_grant_state st) {
        switch (st) {
        case PERMIT_GRANT_GRANTED:
                return "granted";
        case PERMIT_GRANT_DENIED:
                return "denied";
        case PERMIT_GRANT_UNDECIDED:
                return "undecided";
        case PERMIT_GRANT_POLICY_DENIED:
                return "policy-denied";
        }
        return NULL;
}

_public_ void permit_effective_free(permit_effective *e) {
        if (e)
                free(e->once);
        free(e);
}

/* What the user decided for a requested capability: an exact decision wins
 * (a "no" survives whatever else was granted); otherwise a granted broader
 * decision covers it; otherwise nothing was decided. */
static permit_grant_state user_state(const permit_record *rec, const char *capability) {
        const permit_cap_decision *d = record_find_decision(rec, capability);
        /* expired unused: a yes waits for the user again, a no stands */
        permit_grant_state yes = rec && rec->expired_at ? PERMIT_GRANT_UNDECIDED : PERMIT_GRANT_GRANTED;

        if (d)
                return d->granted ? yes : PERMIT_GRANT_DENIED;
        for (size_t i = 0; rec && i < rec->n_decisions; i++)
                if (rec->decisions[i].granted && permit_capability_absorbs(rec->decisions[i].capability, capability))
                        return yes;
        return PERMIT_GRANT_UNDECIDED;
}

static uint64_t cap_limit(uint64_t asked, uint64_t cap) {
        /* 0 asked: the enforcer's default, which the cap also bounds */
        if (cap == 0)
                return asked;
        return asked == 0 || asked > cap ? cap : asked;
}

_public_ int permit_effective_grant(const permit_store *s, const permit_manifest *m, const permit_policy *policy,
                                    permit_effective **ret) {
        const permit_record *rec;
        const permit_limits *asked, *caps;
        permit_effective *e;
        size_t n, size, ids = 0;
        char *text;

        if (!s || !m || !ret)
                return -EINVAL;
        rec = state_find_record(&s->state, permit_manifest_id(m));
        n = permit_manifest_n_capabilities(m);
        for (size_t i = 0; i < n; i++)
                ids += strlen(permit_manifest_capability(m, i)->id) + 1;
        /* struct, entries[n], granted[n], the ids: each part's alignment is
         * at most the one before it */
        size = sizeof(*e) + n * (sizeof(*e->entries) + sizeof(*e->granted)) + ids;
        e = calloc(1, size);
        if (!e)
                return -ENOMEM;
        e->entries = (permit_grant_entry *) (e + 1);
        e->granted = (const char **) (e->entries + n);
        text = (char *) (e->granted + n);
        e->runnable = rec != NULL;
        e->expired = rec && rec->expired_at;
        for (size_t i = 0; i < n; i++) {
                const permit_capability *c = permit_manifest_capability(m, i);
                permit_grant_entry *g = &e->entries[i];
                size_t len = strlen(c->id) + 1;

                memcpy(text, c->id, len);
                e->n++;
                g->capability = text;
                text += len;
                g->required = c->required;
                g->state = user_state(rec, c->id);
                if (g->state == PERMIT_GRANT_GRANTED && permit_policy_denies(policy, c->id))
                        g->state = PERMIT_GRANT_POLICY_DENIED;
                if (g->state == PERMIT_GRANT_GRANTED)
                        e->granted[e->n_granted++] = g->capability;
                else if (c->required)
                        e->runnable = false;
                if (g->state == PERMIT_GRANT_UNDECIDED)
                        e->n_undecided++;
        }
        asked = permit_manifest_limits(m);
        caps = permit_policy_limits(policy);
        e->limits = (permit_limits) {
                .memory_mb = cap_limit(asked->memory_mb, caps->memory_mb),
                .cpu_seconds = cap_limit(asked->cpu_seconds, caps->cpu_seconds),
                .processes = cap_limit(asked->processes, caps->processes),
                .open_files = cap_limit(asked->open_files, caps->open_files),
                .wall_seconds = cap_limit(asked->wall_seconds, caps->wall_seconds),
        };
        if (rec) {
                uint8_t digest[PERMIT_DIGEST_SIZE];
                char hex[2 * PERMIT_DIGEST_SIZE + 1];

                if (permit_manifest_digest(m, digest) >= 0) {
                        permit_hex(hex, digest, sizeof(digest));
                        e->up_to_date = streq(hex, rec->digest);
                }
        }
        *ret = e;
        return 0;
}

_public_ size_t permit_effective_n_entries(const permit_effective *e) {
        return e ? e->n : 0;
}

_public_ const permit_grant_entry *permit_effective_entry(const permit_effective *e, size_t i) {
        return e && i < e->n ? &e->entries[i] : NULL;
}

_public_ size_t permit_effective_n_granted(const permit_effective *e) {
        return e ? e->n_granted : 0;
}

_public_ const char *permit_effective_granted(const permit_effective *e, size_t i) {
        return e && i < e->n_granted ? e->granted[i] : NULL;
}

_public_ const permit_limits *permit_effective_limits(const permit_effective *e) {
        return e ? &e->limits : NULL;
}

_public_ bool permit_effective_runnable(const permit_effective *e) {
        return e && e->runnable;
}

_public_ bool permit_effective_up_to_date(const permit_effective *e) {
        return e && e->up_to_date;
}

_public_ size_t permit_effective_n_undecided(const permit_effective *e) {
        return e ? e->n_undecided : 0;
}

_public_ bool permit_effective_expired(const permit_effective *e) {
        return e && e->expired;
}

_public_ int permit_effective_grant_once(permit_effective *e, const char *capability, const permit_policy *policy) {
        permit_grant_entry *g = NULL;

        if (!e || !capability)
                return -EINVAL;
        for (size_t i = 0; i < e->n && !g; i++)
                if (streq(e->entries[i].capability, capability))
                        g = &e->entries[i];
        if (!g)
                return -ENOENT;
        if (g->required)
                return -EPERM;
        if (g->state == PERMIT_GRANT_POLICY_DENIED || permit_policy_denies(policy, capability))
                return -EACCES;
        if (!e->once && !(e->once = calloc(e->n, sizeof(*e->once))))
                return -ENOMEM;
        if (g->state == PERMIT_GRANT_GRANTED)
                return 0; /* granted for good already */
        if (g->state == PERMIT_GRANT_UNDECIDED)
                e->n_undecided--;
        g->state = PERMIT_GRANT_GRANTED;
        e->once[g - e->entries] = true;
        /* the granted list stays in the manifest's order */
        e->n_granted = 0;
        for (size_t i = 0; i < e->n; i++)
                if (e->entries[i].state == PERMIT_GRANT_GRANTED)
                        e->granted[e->n_granted++] = e->entries[i].capability;
        return 0;
}

_public_ bool permit_effective_once(const permit_effective *e, size_t i) {
        return e && e->once && i < e->n && e->once[i];
}
