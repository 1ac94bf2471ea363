/* SPDX-License-Identifier: MIT */
/* The merged warning list a user is shown: one warning per capability that
 * no other capability in the list absorbs, highest risk first, then by id;
 * each lists the narrower capabilities folded into it.
 *
 * An optional capability does not absorb a required one here: the user may
 * turn the optional one off, and the required one must still be seen. */
#include "manifest-private.h"
#include "permit/host-vocabulary.h"

#define WARNING_TEXT_MAX 2048

struct permit_warnings {
        size_t n;
        permit_warning *items;
};

typedef struct entry {
        cap c;
        const permit_capability *pc;
        permit_risk risk;
        char *text;
        bool survives;
        size_t owner; /* index into the sorted survivors, for absorbed ones */
} entry;

static bool folds(const entry *broad, const entry *narrow) {
        return (broad->pc->required || !narrow->pc->required) && permit_cap_absorbs(&broad->c, &narrow->c);
}

static int compare_entries(const entry *a, const entry *b) {
        int c;

        if (a->risk != b->risk)
                return a->risk > b->risk ? -1 : 1;
        c = strcmp(a->c.id, b->c.id);
        if (c != 0)
                return c;
        return a < b ? -1 : a > b;
}

static int compare_entry_ptrs(const void *a, const void *b) {
        return compare_entries(*(const entry *const *) a, *(const entry *const *) b);
}

static void warning_done(permit_warning *w) {
        free((char *) w->text);
        free((char *) w->capability);
        free((char *) w->reason);
        for (size_t i = 0; i < w->n_absorbed; i++)
                free((char *) w->absorbed[i]);
        free((char **) w->absorbed);
}

_public_ void permit_warnings_free(permit_warnings *w) {
        if (!w)
                return;
        for (size_t i = 0; i < w->n; i++)
                warning_done(&w->items[i]);
        free(w->items);
        free(w);
}

static void entries_free(entry *e, size_t n) {
        for (size_t i = 0; e && i < n; i++)
                free(e[i].text);
        free(e);
}

static int build(permit_warnings *w, entry *e, size_t n) {
        _cleanup_free_ entry **order = NULL;
        size_t n_survivors = 0;
        bool changed;

        /* i survives unless another entry folds it in; of two equal ids the
         * first one survives. */
        for (size_t i = 0; i < n; i++) {
                e[i].survives = true;
                for (size_t j = 0; j < n && e[i].survives; j++)
                        if (j != i && folds(&e[j], &e[i]) && !(j > i && folds(&e[i], &e[j])))
                                e[i].survives = false;
        }
        /* Every folded entry needs a surviving entry that folds it. */
        do {
                changed = false;
                for (size_t i = 0; i < n; i++) {
                        bool owned = false;

                        if (e[i].survives)
                                continue;
                        for (size_t j = 0; j < n && !owned; j++)
                                owned = j != i && e[j].survives && folds(&e[j], &e[i]);
                        if (!owned)
                                e[i].survives = changed = true;
                }
        } while (changed);

        order = calloc(n ? n : 1, sizeof(*order));
        if (!order)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                order[i] = &e[i];
        qsort(order, n, sizeof(*order), compare_entry_ptrs);
        for (size_t i = 0; i < n; i++)
                if (order[i]->survives)
                        n_survivors++;

        w->items = calloc(n_survivors ? n_survivors : 1, sizeof(*w->items));
        if (!w->items)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                permit_warning *item;

                if (!order[i]->survives)
                        continue;
                item = &w->items[w->n];
                order[i]->owner = w->n++;
                item->risk = order[i]->risk;
                item->text = steal_pointer(&order[i]->text);
                item->capability = strdup(order[i]->c.id);
                item->reason = strdup(order[i]->pc->reason ? order[i]->pc->reason : "");
                item->required = order[i]->pc->required;
                if (!item->capability || !item->reason)
                        return -ENOMEM;
        }
        /* Hand each folded entry, in sorted order, to the first survivor
         * (highest risk) that folds it. */
        for (size_t i = 0; i < n; i++) {
                const entry *x = order[i];
                permit_warning *item = NULL;
                const char **list;

                if (x->survives)
                        continue;
                for (size_t j = 0; j < n && !item; j++)
                        if (order[j]->survives && order[j] != x && folds(order[j], x))
                                item = &w->items[order[j]->owner];
                if (!item)
                        return -EINVAL; /* cannot happen: see above */
                list = realloc((char **) item->absorbed, (item->n_absorbed + 1) * sizeof(*list));
                if (!list)
                        return -ENOMEM;
                item->absorbed = list;
                list[item->n_absorbed] = strdup(x->c.id);
                if (!list[item->n_absorbed])
                        return -ENOMEM;
                item->n_absorbed++;
        }
        return 0;
}

_public_ int permit_warnings_new_for_host(const permit_capability *caps, size_t n, const permit_host_vocabulary *v,
                                          permit_warnings **ret) {
        permit_warnings *w = NULL;
        entry *e = NULL;
        int r;

        if (!ret || (n > 0 && !caps))
                return -EINVAL;
        e = calloc(n ? n : 1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char text[WARNING_TEXT_MAX];

                e[i].pc = &caps[i];
                r = permit_cap_parse(caps[i].id, &e[i].c, NULL);
                if (r < 0)
                        goto fail;
                r = host_vocabulary_cap_warning(v, &e[i].c, text, sizeof(text));
                if (r < 0)
                        goto fail;
                e[i].risk = (permit_risk) r;
                e[i].text = strdup(text);
                if (!e[i].text) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        w = calloc(1, sizeof(*w));
        if (!w) {
                r = -ENOMEM;
                goto fail;
        }
        r = build(w, e, n);
        if (r < 0)
                goto fail;
        entries_free(e, n);
        *ret = w;
        return 0;
fail:
        entries_free(e, n);
        permit_warnings_free(w);
        return r;
}

_public_ int permit_warnings_new(const permit_capability *caps, size_t n, permit_warnings **ret) {
        return permit_warnings_new_for_host(caps, n, NULL, ret);
}

_public_ size_t permit_warnings_count(const permit_warnings *w) {
        return w ? w->n : 0;
}

_public_ const permit_warning *permit_warnings_get(const permit_warnings *w, size_t i) {
        if (!w || i >= w->n)
                return NULL;
        return &w->items[i];
}

_public_ permit_risk permit_warnings_max_risk(const permit_warnings *w) {
        return w && w->n > 0 ? w->items[0].risk : PERMIT_RISK_NONE;
}
