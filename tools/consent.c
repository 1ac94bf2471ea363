/* SPDX-License-Identifier: MIT */
/* The terminal consent: the capabilities of a verified manifest that no
 * earlier decision covers, asked about one by one (highest risk first) or
 * decided by --allow/--deny/--required-only/--yes. Shared by
 * `permit grants approve` and `permit install|update`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grants.h"

/* One capability as it is asked about. */
typedef struct ask {
        size_t index; /* in the manifest and the decision */
        int risk;
        const permit_capability *cap;
        const char *change; /* "new", "wider", "now required", NULL */
        bool unknown;       /* a host.* capability the host's vocabulary does not list */
        char warning[512];  /* in the host's words when it gave a vocabulary */
} ask;

static int compare_ask(const void *a, const void *b) {
        const ask *x = a, *y = b;

        if (x->risk != y->risk)
                return y->risk - x->risk; /* highest risk first */
        return x->index < y->index ? -1 : x->index > y->index;
}

static const char *change_label(permit_change c) {
        switch (c) {
        case PERMIT_CHANGE_ADDED:
                return "new";
        case PERMIT_CHANGE_WIDENED:
                return "wider than before";
        case PERMIT_CHANGE_NOW_REQUIRED:
                return "now required";
        default:
                return NULL;
        }
}

static void print_cap(FILE *out, const ask *a) {
        char risk[16];

        snprintf(risk, sizeof(risk), "[%s]", permit_risk_name((permit_risk) a->risk));
        for (char *p = risk; *p; p++)
                *p = (char) (*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        fprintf(out, "  %-10s %s%s%s%s\n", risk, a->warning, a->change ? " (" : "", a->change ? a->change : "",
                a->change ? ")" : "");
        fprintf(out, "             %s\n", a->cap->id);
        if (a->cap->reason && a->cap->reason[0])
                fprintf(out, "             Developer says: \"%s\"\n", a->cap->reason);
}

/* Asks a yes/no question; the answer is read from stdin (a terminal, or a
 * pipe). Anything but y/yes, and end of input, is no. */
static bool ask_yes(FILE *out, const char *question) {
        char line[64];

        fprintf(out, "%s [y/N] ", question);
        fflush(out);
        if (!fgets(line, sizeof(line), stdin)) {
                fputc('\n', out);
                return false;
        }
        if (!isatty(STDIN_FILENO)) /* a terminal echoes the answer; a pipe does not */
                fprintf(out, "%s%s", line, strchr(line, '\n') ? "" : "\n");
        return strcmp(line, "y\n") == 0 || strcmp(line, "Y\n") == 0 || strcmp(line, "yes\n") == 0 ||
               strcmp(line, "y") == 0;
}

/* --allow, --deny, --required-only onto the decision. */
static int apply_options(const grants_options *o, const permit_manifest *m, permit_decision *d) {
        for (int pass = 0; pass < 2; pass++) {
                const char **list = pass == 0 ? o->allow : o->deny;
                size_t n = pass == 0 ? o->n_allow : o->n_deny;

                for (size_t i = 0; i < n; i++) {
                        int r;

                        if (pass == 0 && permit_host_vocabulary_unknown(o->vocabulary, list[i])) {
                                tool_error("grants: --allow %s: %s does not know it, so it cannot be granted", list[i],
                                           permit_host_vocabulary_host(o->vocabulary));
                                return EXIT_USAGE;
                        }
                        r = permit_decision_set(d, list[i], pass == 0);
                        if (r == -ENOENT) {
                                tool_error("grants: %s does not ask for %s", permit_manifest_id(m), list[i]);
                                return EXIT_USAGE;
                        }
                        if (r == -EPERM) {
                                tool_error("grants: %s is required: the required capabilities are accepted (--yes) "
                                           "or refused as a whole",
                                           list[i]);
                                return EXIT_USAGE;
                        }
                }
        }
        if (o->required_only)
                for (size_t i = 0; i < permit_decision_count(d); i++) {
                        const char *cap = permit_decision_capability(d, i);
                        bool allowed = false;
                        if (permit_decision_required(d, i))
                                continue;
                        for (size_t k = 0; k < o->n_allow && !allowed; k++)
                                allowed = strcmp(o->allow[k], cap) == 0;
                        permit_decision_set(d, cap, allowed);
                }
        return EXIT_OK;
}

int grants_decide(const permit_store *s, const grants_options *o, const permit_manifest *m, const char *key_id,
                  FILE *out, permit_decision **ret) {
        bool interactive = !grants_options_decide(o);
        permit_manifest *old = NULL;
        permit_decision *d = NULL;
        permit_diff *diff = NULL;
        const permit_record *prev = s ? permit_store_find(s, permit_manifest_id(m)) : NULL;
        ask *asks = NULL;
        size_t n, n_new_required = 0, n_new_optional = 0;
        int r, ret_code = EXIT_REFUSED;

        r = permit_decision_new(m, prev, &d);
        if (r < 0)
                return tool_fail(r, NULL, permit_manifest_id(m));
        if (prev && permit_store_decided_manifest(s, permit_manifest_id(m), &old, NULL) >= 0 &&
            permit_manifest_diff(old, m, &diff) < 0)
                diff = NULL;

        n = permit_decision_count(d);
        asks = calloc(n + 1, sizeof(*asks));
        if (!asks)
                goto out;
        for (size_t i = 0; i < n; i++) {
                asks[i].index = i;
                asks[i].cap = permit_manifest_capability(m, i);
                asks[i].risk = (int) tool_warning(o->vocabulary, asks[i].cap->id, asks[i].warning,
                                                  sizeof(asks[i].warning));
                /* The host has no such feature: a required one means the
                 * add-on cannot work here; an optional one is never granted
                 * (were a later host to define it, the user would not have
                 * seen its words). doc/manifest.md, "Host capabilities". */
                asks[i].unknown = permit_host_vocabulary_unknown(o->vocabulary, asks[i].cap->id);
                if (asks[i].unknown && asks[i].cap->required) {
                        tool_error("grants: %s requires %s, which %s does not know: it cannot run there "
                                   "(nothing was recorded)",
                                   permit_manifest_id(m), asks[i].cap->id, permit_host_vocabulary_host(o->vocabulary));
                        goto out;
                }
                if (asks[i].unknown) {
                        permit_decision_set(d, asks[i].cap->id, false);
                        continue;
                }
                for (size_t k = 0; diff && k < permit_diff_count(diff); k++) {
                        const permit_diff_entry *e = permit_diff_get(diff, k);
                        if (e->new_cap && strcmp(e->new_cap->id, asks[i].cap->id) == 0)
                                asks[i].change = change_label(e->change);
                }
                if (!prev)
                        asks[i].change = NULL;
                else if (permit_decision_is_new(d, i) && !asks[i].change)
                        asks[i].change = "not decided before";
                if (permit_decision_is_new(d, i))
                        permit_decision_required(d, i) ? n_new_required++ : n_new_optional++;
        }
        qsort(asks, n, sizeof(*asks), compare_ask);

        fprintf(out, "%s %s (%s)\n  by %s\n  sealed by key %s, verified\n", permit_manifest_name(m),
                permit_manifest_version(m), permit_manifest_id(m), permit_manifest_publisher(m), key_id);
        if (prev) {
                if (strcmp(permit_record_version(prev), permit_manifest_version(m)) == 0)
                        fprintf(out, "\nDecided before on this version:\n");
                else
                        fprintf(out, "\nUpdate from %s: only what is new or wider is asked.\n",
                                permit_record_version(prev));
                for (size_t i = 0; i < n; i++)
                        if (!permit_decision_is_new(d, asks[i].index))
                                fprintf(out, "  stays %s: %s\n",
                                        permit_decision_granted(d, asks[i].index) ? "allowed" : "denied",
                                        asks[i].cap->id);
                for (size_t k = 0; diff && k < permit_diff_count(diff); k++) {
                        const permit_diff_entry *e = permit_diff_get(diff, k);
                        if (e->change == PERMIT_CHANGE_REMOVED)
                                fprintf(out, "  no longer asked for: %s\n", e->old_cap->id);
                }
        }

        if (!interactive) {
                ret_code = apply_options(o, m, d);
                if (ret_code != EXIT_OK)
                        goto out;
                ret_code = EXIT_REFUSED;
                if (n_new_required > 0 && !o->yes && !o->required_only) {
                        tool_error("grants: %s needs %zu required capabilit%s not approved before: accept them with "
                                   "--yes or --required-only (nothing was recorded)",
                                   permit_manifest_id(m), n_new_required, n_new_required == 1 ? "y" : "ies");
                        goto out;
                }
        } else {
                if (n_new_required > 0) {
                        fprintf(out, "\nIt needs %s:\n", prev ? "these new required capabilities" : "these to run");
                        for (size_t i = 0; i < n; i++)
                                if (permit_decision_is_new(d, asks[i].index) && asks[i].cap->required)
                                        print_cap(out, &asks[i]);
                        if (!ask_yes(out, "Allow these? Without them the add-on cannot run.")) {
                                fprintf(out, "Refused: nothing was recorded.\n");
                                goto out;
                        }
                }
                if (n_new_optional > 0)
                        fprintf(out, "\nOptional (each is off unless you allow it):\n");
                for (size_t i = 0; i < n; i++) {
                        if (!permit_decision_is_new(d, asks[i].index) || asks[i].cap->required || asks[i].unknown)
                                continue;
                        print_cap(out, &asks[i]);
                        permit_decision_set(d, asks[i].cap->id, ask_yes(out, "  Allow?"));
                }
                if (n_new_required == 0 && n_new_optional == 0)
                        fprintf(out, "\nNothing new to decide.\n");
        }
        for (size_t i = 0; i < n; i++)
                if (asks[i].unknown) {
                        /* --required-only and --allow may have touched it: it stays off */
                        permit_decision_set(d, asks[i].cap->id, false);
                        fprintf(out, "\nNot known to %s, so not granted: %s\n",
                                permit_host_vocabulary_host(o->vocabulary), asks[i].cap->id);
                }
        *ret = d;
        d = NULL;
        ret_code = EXIT_OK;
out:
        free(asks);
        permit_diff_free(diff);
        permit_manifest_free(old);
        permit_decision_free(d);
        return ret_code;
}

bool grants_options_decide(const grants_options *o) {
        return o->n_allow || o->n_deny || o->required_only || o->yes;
}

size_t grants_n_new(const permit_store *s, const permit_manifest *m) {
        const permit_record *prev = s ? permit_store_find(s, permit_manifest_id(m)) : NULL;
        permit_decision *d = NULL;
        size_t n = 0;

        if (permit_decision_new(m, prev, &d) < 0)
                return permit_manifest_n_capabilities(m);
        for (size_t i = 0; i < permit_decision_count(d); i++)
                n += permit_decision_is_new(d, i);
        permit_decision_free(d);
        return n;
}

void grants_print_recorded(FILE *out, const permit_manifest *m, const permit_decision *d) {
        fprintf(out, "\nRecorded for %s:\n", permit_manifest_id(m));
        for (size_t i = 0; i < permit_decision_count(d); i++)
                fprintf(out, "  %-7s %s\n", permit_decision_granted(d, i) ? "allowed" : "denied",
                        permit_decision_capability(d, i));
        if (permit_decision_count(d) == 0)
                fprintf(out, "  (it asks for no capabilities)\n");
}
