/* SPDX-License-Identifier: MIT */
/* What an update asks for that the installed version did not, capability
 * by capability (doc/manifest.md, "Updates"). */
#include "manifest-private.h"

struct permit_diff {
        size_t n;
        permit_diff_entry *entries;
};

_public_ const char *permit_change_name(permit_change c) {
        switch (c) {
        case PERMIT_CHANGE_ADDED:
                return "added";
        case PERMIT_CHANGE_WIDENED:
                return "widened";
        case PERMIT_CHANGE_NOW_REQUIRED:
                return "now-required";
        case PERMIT_CHANGE_REMOVED:
                return "removed";
        case PERMIT_CHANGE_UNCHANGED:
                return "unchanged";
        }
        return NULL;
}

/* The first of caps[0..n) that absorbs c (optionally only required ones),
 * or -1. */
static ssize_t find_absorber(const cap *caps, const permit_capability *pcs, size_t n, const cap *c,
                             bool required_only) {
        for (size_t i = 0; i < n; i++)
                if ((!required_only || pcs[i].required) && permit_cap_absorbs(&caps[i], c))
                        return (ssize_t) i;
        return -1;
}

static ssize_t find_id(const permit_capability *pcs, size_t n, const char *id) {
        for (size_t i = 0; i < n; i++)
                if (streq(pcs[i].id, id))
                        return (ssize_t) i;
        return -1;
}

static int parse_all(const permit_manifest *m, cap **ret) {
        cap *caps = calloc(m->n_capabilities ? m->n_capabilities : 1, sizeof(*caps));

        if (!caps)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_capabilities; i++)
                if (permit_cap_parse(m->capabilities[i].id, &caps[i], NULL) < 0) {
                        free(caps);
                        return -EINVAL;
                }
        *ret = caps;
        return 0;
}

_public_ int permit_manifest_diff(const permit_manifest *old_m, const permit_manifest *new_m, permit_diff **ret) {
        _cleanup_free_ cap *old_caps = NULL, *new_caps = NULL;
        const permit_capability *olds, *news;
        size_t n_old, n_new;
        permit_diff *d;
        int r;

        if (!old_m || !new_m || !ret)
                return -EINVAL;
        olds = old_m->capabilities;
        news = new_m->capabilities;
        n_old = old_m->n_capabilities;
        n_new = new_m->n_capabilities;
        r = parse_all(old_m, &old_caps);
        if (r < 0)
                return r;
        r = parse_all(new_m, &new_caps);
        if (r < 0)
                return r;

        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->entries = calloc(n_old + n_new ? n_old + n_new : 1, sizeof(*d->entries));
        if (!d->entries) {
                free(d);
                return -ENOMEM;
        }

        for (size_t i = 0; i < n_new; i++) {
                permit_diff_entry *e = &d->entries[d->n++];
                const cap *c = &new_caps[i];
                ssize_t same = find_id(olds, n_old, news[i].id), k;

                e->new_cap = &news[i];
                /* Covered by the same or a broader old capability. A required
                 * one that was covered only by optional ones is NOW_REQUIRED:
                 * the user may have declined those. */
                if (same >= 0 && (olds[same].required || !news[i].required)) {
                        e->change = PERMIT_CHANGE_UNCHANGED;
                        e->old_cap = &olds[same];
                } else if ((k = find_absorber(old_caps, olds, n_old, c, news[i].required)) >= 0) {
                        e->change = PERMIT_CHANGE_UNCHANGED;
                        e->old_cap = &olds[k];
                } else if (same >= 0 || (k = find_absorber(old_caps, olds, n_old, c, false)) >= 0) {
                        e->change = PERMIT_CHANGE_NOW_REQUIRED;
                        e->old_cap = &olds[same >= 0 ? same : k];
                } else {
                        e->change = PERMIT_CHANGE_ADDED;
                        for (size_t j = 0; j < n_old; j++)
                                if (permit_cap_absorbs(c, &old_caps[j])) {
                                        e->change = PERMIT_CHANGE_WIDENED;
                                        e->old_cap = &olds[j];
                                        break;
                                }
                }
        }
        for (size_t j = 0; j < n_old; j++) {
                permit_diff_entry *e;

                if (find_id(news, n_new, olds[j].id) >= 0 ||
                    find_absorber(new_caps, news, n_new, &old_caps[j], false) >= 0)
                        continue;
                e = &d->entries[d->n++];
                e->change = PERMIT_CHANGE_REMOVED;
                e->old_cap = &olds[j];
        }
        *ret = d;
        return 0;
}

_public_ void permit_diff_free(permit_diff *d) {
        if (!d)
                return;
        free(d->entries);
        free(d);
}

_public_ size_t permit_diff_count(const permit_diff *d) {
        return d ? d->n : 0;
}

_public_ const permit_diff_entry *permit_diff_get(const permit_diff *d, size_t i) {
        if (!d || i >= d->n)
                return NULL;
        return &d->entries[i];
}

_public_ bool permit_diff_asks_more(const permit_diff *d) {
        for (size_t i = 0; d && i < d->n; i++)
                if (d->entries[i].change == PERMIT_CHANGE_ADDED || d->entries[i].change == PERMIT_CHANGE_WIDENED ||
                    d->entries[i].change == PERMIT_CHANGE_NOW_REQUIRED)
                        return true;
        return false;
}
