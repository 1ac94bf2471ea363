/* SPDX-License-Identifier: MIT */
/* What the parts of `permit grants` share: the parsed options. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "permit/store.h"
#include "tool.h"

typedef struct grants_options {
        const char *profile;    /* --profile, NULL: the default profile */
        bool json;
        const char *pubkey_file;   /* -p */
        const char *pubkey_string; /* -P */
        const char **allow;        /* --allow, NULL-terminated */
        size_t n_allow;
        const char **deny;         /* --deny */
        size_t n_deny;
        bool required_only;
        bool yes;
        bool forget_key;           /* reset --forget-key */
        const char *output;        /* export -o */
        const char *policy;        /* expire --policy */
        permit_package_limits limits;
        const char *vocabulary_file;        /* --host-vocabulary */
        permit_host_vocabulary *vocabulary; /* loaded from it, or NULL */
} grants_options;

/* permit grants approve PACKAGE (cmd-grants-approve.c). */
int grants_approve(permit_store *s, const grants_options *o, const char *package);

/* The consent (tools/consent.c), shared with permit install/update: shows
 * the verified manifest m (sealed by key_id) on out and decides each
 * capability no earlier decision in s (may be NULL) covers: by asking on
 * the terminal, or by o's --allow/--deny/--required-only/--yes. Returns
 * EXIT_OK with *ret (nothing recorded yet), EXIT_REFUSED when the user
 * refused or the options do not accept every new required capability,
 * EXIT_USAGE for an option that does not fit the manifest. */
int grants_decide(const permit_store *s, const grants_options *o, const permit_manifest *m, const char *key_id,
                  FILE *out, permit_decision **ret);
/* True when the options decide (no question is asked). */
bool grants_options_decide(const grants_options *o);
/* How many capabilities of m no decision in s (may be NULL) covers. */
size_t grants_n_new(const permit_store *s, const permit_manifest *m);
/* "Recorded for ID:" and each capability allowed or denied. */
void grants_print_recorded(FILE *out, const permit_manifest *m, const permit_decision *d);

/* "2026-11-23 12:00 UTC" into buf; "never" for 0. */
const char *grants_time(int64_t t, char buf[32]);
