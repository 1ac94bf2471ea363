/* SPDX-License-Identifier: MIT */
/* What the parts of `permit grants` share: the parsed options. */
#pragma once

#include <stdbool.h>

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
} grants_options;

/* permit grants approve PACKAGE (cmd-grants-approve.c). */
int grants_approve(permit_store *s, const grants_options *o, const char *package);

/* "2026-11-23 12:00 UTC" into buf; "never" for 0. */
const char *grants_time(int64_t t, char buf[32]);
