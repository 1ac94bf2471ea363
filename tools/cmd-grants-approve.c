/* SPDX-License-Identifier: MIT */
/* permit grants approve: verify a package, then ask the user about each
 * capability (or take the answers from options) and record the decision. */
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

/* Verifies the package: against the given key, the pinned key, or on first
 * use the key the seal carries. *ret_pin is the key to pin ("" when the id
 * is already pinned). */
static int verify(permit_store *s, const grants_options *o, const char *package, permit_package_info **ret,
                  char ret_pin[PERMIT_PUBKEY_STRING_SIZE], bool *ret_tofu) {
        permit_package_info *peek = NULL, *info = NULL;
        permit_pubkey *given = NULL, *pinned = NULL;
        const char *pin_key = NULL, *pin_id = NULL;
        permit_error error = { 0 };
        char id[160];
        int r, ret_code = EXIT_REFUSED;

        ret_pin[0] = '\0';
        *ret_tofu = false;
        /* The id, to find its pin: read without trusting it; the verified
         * manifest must say the same. */
        r = permit_package_inspect(package, &o->limits, &peek, &error);
        if (r < 0)
                return tool_fail(r, &error, package);
        snprintf(id, sizeof(id), "%s", permit_manifest_id(permit_package_info_manifest(peek)));
        permit_package_info_free(peek);

        if ((o->pubkey_file || o->pubkey_string) && tool_pubkey_load(o->pubkey_file, o->pubkey_string, &given, NULL) < 0)
                return EXIT_USAGE;
        if (permit_store_pin_get(s, id, &pin_key, &pin_id) == 0) {
                if (given) {
                        char gid[PERMIT_KEY_ID_STRING_SIZE];
                        permit_pubkey_id_string(given, gid);
                        if (strcmp(gid, pin_id) != 0) {
                                tool_error("grants: %s: %s is pinned to key %s, not %s (to trust another key: "
                                           "'permit grants reset --forget-key %s')",
                                           package, id, pin_id, gid, id);
                                goto out;
                        }
                }
                r = permit_pubkey_from_string(pin_key, &pinned, &error);
                if (r >= 0)
                        r = permit_package_verify(pinned, package, &o->limits, &info, &error);
                if (r == -EKEYREJECTED) {
                        tool_error("grants: %s: not sealed with key %s, which is pinned for %s (to trust "
                                   "another key: 'permit grants reset --forget-key %s')",
                                   package, pin_id, id, id);
                        goto out;
                }
        } else if (given) {
                r = permit_package_verify(given, package, &o->limits, &info, &error);
                if (r >= 0)
                        permit_pubkey_string(given, ret_pin);
        } else {
                r = permit_package_verify_with_seal_key(package, &o->limits, &info, &error);
                if (r == -ENOKEY) {
                        tool_error("grants: %s: its seal does not carry the publisher's key (sealed by an older "
                                   "permit): on a first install give the key with -p PUBKEY",
                                   package);
                        ret_code = EXIT_USAGE;
                        goto out;
                }
                if (r >= 0) {
                        snprintf(ret_pin, PERMIT_PUBKEY_STRING_SIZE, "%s", permit_package_info_public_key(info));
                        *ret_tofu = true;
                }
        }
        if (r < 0) {
                ret_code = tool_fail(r, &error, package);
                goto out;
        }
        if (strcmp(permit_manifest_id(permit_package_info_manifest(info)), id) != 0) {
                tool_error("grants: %s: changed while it was being verified", package);
                goto out;
        }
        *ret = info;
        info = NULL;
        ret_code = EXIT_OK;
out:
        permit_package_info_free(info);
        permit_pubkey_free(given);
        permit_pubkey_free(pinned);
        return ret_code;
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

static void print_result_json(const char *package, const permit_manifest *m, const permit_package_info *info, const permit_decision *d,
                              bool pinned) {
        tool_json_identity(package, m);
        printf(",\"key_id\":\"%s\",\"pinned\":%s,\"granted\":[", permit_package_info_key_id(info),
               pinned ? "true" : "false");
        for (size_t i = 0, k = 0; i < permit_decision_count(d); i++)
                if (permit_decision_granted(d, i)) {
                        if (k++)
                                putchar(',');
                        tool_json_string(permit_decision_capability(d, i));
                }
        fputs("],\"denied\":[", stdout);
        for (size_t i = 0, k = 0; i < permit_decision_count(d); i++)
                if (!permit_decision_granted(d, i)) {
                        if (k++)
                                putchar(',');
                        tool_json_string(permit_decision_capability(d, i));
                }
        puts("]}");
}

int grants_approve(permit_store *s, const grants_options *o, const char *package) {
        bool interactive = !(o->n_allow || o->n_deny || o->required_only || o->yes);
        FILE *out = o->json ? stderr : stdout; /* --json keeps stdout for the result */
        permit_package_info *info = NULL;
        permit_manifest *old = NULL;
        permit_decision *d = NULL;
        permit_diff *diff = NULL;
        permit_error error = { 0 };
        const permit_manifest *m;
        const permit_record *prev;
        char pin[PERMIT_PUBKEY_STRING_SIZE];
        ask *asks = NULL;
        size_t n, n_new_required = 0, n_new_optional = 0;
        bool tofu;
        int r, ret;

        ret = verify(s, o, package, &info, pin, &tofu);
        if (ret != EXIT_OK)
                return ret;
        ret = EXIT_REFUSED;
        m = permit_package_info_manifest(info);
        prev = permit_store_find(s, permit_manifest_id(m));
        r = permit_decision_new(m, prev, &d);
        if (r < 0) {
                ret = tool_fail(r, NULL, package);
                goto out;
        }
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
                        tool_error("grants: %s: %s requires %s, which %s does not know: it cannot run there "
                                   "(nothing was recorded)",
                                   package, permit_manifest_id(m), asks[i].cap->id,
                                   permit_host_vocabulary_host(o->vocabulary));
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
                permit_manifest_version(m), permit_manifest_id(m), permit_manifest_publisher(m),
                permit_package_info_key_id(info));
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
                ret = apply_options(o, m, d);
                if (ret != EXIT_OK)
                        goto out;
                ret = EXIT_REFUSED;
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

        /* The pin first: a decision never stands without the key it trusts. */
        if (pin[0]) {
                r = permit_store_pin_set(s, permit_manifest_id(m), pin, &error);
                if (r < 0) {
                        ret = tool_fail(r, &error, permit_store_dir(s));
                        goto out;
                }
        }
        r = permit_store_record_decision(s, d, &error);
        if (r < 0) {
                ret = tool_fail(r, &error, permit_store_dir(s));
                goto out;
        }
        if (pin[0]) {
                if (tofu)
                        fprintf(out, "\nFirst install: pinned the key the seal carries, %s, for %s. Later versions "
                                     "must be signed by it.\nCompare this key id with the one the publisher gives.\n",
                                permit_package_info_key_id(info), permit_manifest_id(m));
                else
                        fprintf(out, "\nPinned key %s for %s.\n", permit_package_info_key_id(info),
                                permit_manifest_id(m));
        }
        fprintf(out, "\nRecorded for %s:\n", permit_manifest_id(m));
        for (size_t i = 0; i < n; i++)
                fprintf(out, "  %-7s %s\n", permit_decision_granted(d, asks[i].index) ? "allowed" : "denied",
                        asks[i].cap->id);
        if (n == 0)
                fprintf(out, "  (it asks for no capabilities)\n");
        if (o->json)
                print_result_json(package, m, info, d, pin[0] != '\0');
        ret = EXIT_OK;
out:
        free(asks);
        permit_diff_free(diff);
        permit_manifest_free(old);
        permit_decision_free(d);
        permit_package_info_free(info);
        return ret;
}
