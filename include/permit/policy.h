/* SPDX-License-Identifier: MIT */
/* permit/policy.h: the host's (or an administrator's) policy.
 *
 * {
 *   "version": 1,
 *   "deny": ["proc.exec", "net.connect:*", "fs.write:$HOME"],
 *   "limits": {"memory_mb": 512, "cpu_seconds": 600, "processes": 16,
 *              "open_files": 256, "wall_seconds": 3600},
 *   "require_full_enforcement": true,
 *   "landlock_abi_max": 5,
 *   "expire_unused_days": 90
 * }
 *
 * "deny" entries are a bare kind (every capability of that kind) or a
 * capability id: it forbids every requested capability of the same kind
 * that it includes or that includes it (denying net.connect:evil.example
 * forbids net.connect:* too, which would reach it). "limits" caps what an
 * add-on may ask for. "require_full_enforcement" refuses to run an add-on
 * whose sandbox this kernel cannot fully enforce; "landlock_abi_max" (1..7)
 * caps the Landlock ABI used. "expire_unused_days" expires the grants of
 * add-ons not started for that long. permit_sandbox_options_from_policy()
 * (permit/addon.h) turns a policy into the enforcer's options.
 * schemas/policy.schema.json; doc/store.md. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "permit/error.h"
#include "permit/manifest.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PERMIT_POLICY_MAX_SIZE (256 * 1024)

typedef struct permit_policy permit_policy;

/* Parses a policy. source names it in errors (may be NULL). Errors: -EINVAL
 * (error says where and what: unknown key, a deny entry that is neither a
 * known kind nor a valid capability), -EPROTONOSUPPORT (another version),
 * -EFBIG, -ENOMEM. */
int permit_policy_parse(const char *buf, size_t len, const char *source, permit_policy **ret,
                        permit_error *error);
/* Reads and parses a file; adds open/read errors (error->source is the path). */
int permit_policy_load(const char *path, permit_policy **ret, permit_error *error);
void permit_policy_free(permit_policy *p);

/* True when the policy forbids this capability (which must pass
 * permit_capability_check()). A NULL policy forbids nothing. */
bool permit_policy_denies(const permit_policy *p, const char *capability);

/* The caps (0: no cap). A NULL policy has none. */
const permit_limits *permit_policy_limits(const permit_policy *p);

/* "require_full_enforcement" (false when not given or for a NULL policy). */
bool permit_policy_require_full(const permit_policy *p);
/* "landlock_abi_max" (1..7), 0 when not given or for a NULL policy. */
unsigned permit_policy_landlock_abi_max(const permit_policy *p);
/* "expire_unused_days" (1..36500): the grants of an add-on not started for
 * that long expire (permit_store_expire_unused()); 0 when not given or for
 * a NULL policy. */
unsigned permit_policy_expire_unused_days(const permit_policy *p);

#ifdef __cplusplus
}
#endif
