/* SPDX-License-Identifier: MIT */
/* Inside the upload checks: the parsed policy. */
#pragma once

#include <jansson.h>

#include "error-private.h"
#include "permit/registry.h"

struct permit_upload_policy {
        json_t *root;
        json_t *publishers;          /* id -> {"keys": ["RW...", ...]} */
        json_t *forbid, *review;     /* lists of rules, or NULL */
        permit_package_limits limits;
        int review_risk;             /* a permit_risk; past CRITICAL: none */
};

/* "KIND" matches every capability of that kind, "KIND:ARG" only itself. */
bool policy_rule_matches(const char *rule, const permit_capability *c);
