/* SPDX-License-Identifier: MIT */
/* When each add-on last started, and expiring the grants of add-ons left
 * unused for the host policy's "expire_unused_days" (doc/store.md,
 * "Grants that expire unused"). */
#include <fcntl.h>
#include <sys/stat.h>

#include "manifest-private.h"
#include "permit/policy.h"
#include "store-private.h"

#define DAY_SECONDS INT64_C(86400)

static char *started_path(const permit_store *s, const char *id) {
        char *p;
        return asprintf(&p, "%s/" STARTED_DIR "/%s", s->dir, id) < 0 ? NULL : p;
}

_public_ int permit_store_note_start(permit_store *s, const char *id, int64_t now) {
        _cleanup_free_ char *dir = NULL, *path = NULL;
        _cleanup_close_ int fd = -1;
        struct timespec t[2];

        if (!s || !id)
                return -EINVAL;
        /* the id names a file: only what a manifest allows */
        if (!permit_addon_id_valid(id))
                return -EINVAL;
        if (asprintf(&dir, "%s/" STARTED_DIR, s->dir) < 0 || !(path = started_path(s, id)))
                return -ENOMEM;
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return negative_errno();
        fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
        if (fd < 0)
                return negative_errno();
        t[0] = t[1] = (struct timespec) { .tv_sec = (time_t) store_time(now) };
        if (futimens(fd, t) < 0)
                return negative_errno();
        return 0;
}

_public_ int64_t permit_store_last_started(const permit_store *s, const char *id) {
        _cleanup_free_ char *path = NULL;
        struct stat st;

        if (!s || !id || !permit_addon_id_valid(id) || !(path = started_path(s, id)))
                return 0;
        if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        return (int64_t) st.st_mtim.tv_sec;
}

typedef struct expire_change {
        const char *id; /* NULL: all */
        int64_t now, before;
        permit_audit_event *events;
        size_t n_events;
} expire_change;

static bool grants_something(const permit_record *rec) {
        for (size_t i = 0; i < rec->n_decisions; i++)
                if (rec->decisions[i].granted)
                        return true;
        return false;
}

static int expire_apply(permit_store *s, store_state *st, void *userdata, permit_error *error) {
        expire_change *c = userdata;

        c->n_events = 0;
        free(c->events);
        c->events = calloc(st->n_records + 1, sizeof(*c->events));
        if (!c->events)
                return -ENOMEM;
        for (size_t i = 0; i < st->n_records; i++) {
                permit_record *rec = &st->records[i];
                int64_t last;

                if ((c->id && !streq(rec->id, c->id)) || rec->expired_at || !grants_something(rec))
                        continue;
                /* used: started, or decided on (an approval is a use too) */
                last = permit_store_last_started(s, rec->id);
                if (rec->decided_at > last)
                        last = rec->decided_at;
                if (last >= c->before)
                        continue;
                rec->expired_at = c->now;
                /* points into the new snapshot, alive until appended */
                c->events[c->n_events++] = (permit_audit_event) {
                        .kind = PERMIT_AUDIT_EXPIRY,
                        .time = c->now,
                        .addon = rec->id,
                        .allowed = false,
                };
        }
        return c->n_events > 0 ? CHANGED_GRANTS : 0;
}

_public_ int permit_store_expire_unused(permit_store *s, const permit_policy *p, const char *id, int64_t now,
                                        permit_error *error) {
        unsigned days = permit_policy_expire_unused_days(p);
        expire_change c = { .id = id, .now = store_time(now) };
        bool any = false;
        int r;

        if (!s)
                return -EINVAL;
        if (days == 0)
                return 0;
        c.before = c.now - (int64_t) days * DAY_SECONDS;
        /* Look at the snapshot first: a start must not take the lock (and
         * re-read the store) when nothing is due, which is every time. */
        for (size_t i = 0; i < s->state.n_records && !any; i++) {
                const permit_record *rec = &s->state.records[i];
                if ((!id || streq(rec->id, id)) && !rec->expired_at && grants_something(rec) &&
                    rec->decided_at < c.before && permit_store_last_started(s, rec->id) < c.before)
                        any = true;
        }
        if (!any)
                return 0;
        r = store_change(s, expire_apply, &c, error);
        if (r >= 0) {
                r = audit_append(s, c.events, c.n_events, true);
                if (r < 0)
                        permit_error_set_at(error, r, s->audit_path, NULL, "cannot append: %s", strerror(-r));
                else
                        r = (int) c.n_events;
        }
        free(c.events);
        return r;
}
