/* SPDX-License-Identifier: MIT */
/* permit/addon.h: the sandbox of an add-on a user approved: the consent
 * store (permit/store.h), the host policy (permit/policy.h) and the
 * enforcer (permit/enforcer.h) joined in one call.
 *
 *   permit_store *s;  permit_policy *p;  permit_ruleset *rs;
 *   permit_addon_run run = { 0 };
 *   permit_store_open(profile, 0, &s, &err);
 *   permit_policy_load("/etc/host/policy.json", &p, &err);     (or NULL)
 *   r = permit_ruleset_for_addon(s, "org.example.hello", p, NULL,
 *                                &(permit_paths) { .tmp = tmp, .home = home, .entry = "python3" },
 *                                &rs, &run, &err);
 *   if (r == -EPERM)  ... not runnable: run.effective says what is denied or undecided
 *   permit_spawn(rs, argv, env, 0, &child);   (PERMIT_DATA is run.data_dir ...)
 *   permit_addon_run_clear(&run);
 *
 * doc/store.md ("Running an add-on") has the rules. */
#pragma once

#include "permit/enforcer.h"
#include "permit/error.h"
#include "permit/policy.h"
#include "permit/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The host decision a policy carries, as the enforcer takes it: the
 * policy's limit caps (the limits of a sandbox that asks for none),
 * "require_full_enforcement" and "landlock_abi_max". A NULL policy gives
 * all zeros (no limits, the kernel's Landlock ABI, best effort). */
void permit_sandbox_options_from_policy(const permit_policy *p, permit_sandbox_options *ret);

/* What permit_ruleset_for_addon() found, for the host to show and use. */
typedef struct permit_addon_run {
        /* $ADDON: PROFILE/addons/ID when the add-on is installed there (the
         * package verified against its pinned key), else NULL. */
        char *addon_dir;
        /* $DATA: PROFILE/data/ID, made (0700) when missing. */
        char *data_dir;
        /* The manifest the grant was computed on: the installed package's,
         * or the one the user decided on (permit_store_decided_manifest()). */
        permit_manifest *manifest;
        /* The effective grant (permit_effective_grant()): which capabilities
         * are granted, denied, undecided. */
        permit_effective *effective;
        /* The options applied: the policy's, the grant's limits, lowered by
         * the caller's. */
        permit_sandbox_options options;
} permit_addon_run;

/* Frees what a permit_addon_run holds and zeroes it. Accepts NULL and a
 * zeroed struct. */
void permit_addon_run_clear(permit_addon_run *run);

/* Compiles the sandbox of add-on id from the grants recorded for it in s:
 *
 *  1. the manifest: if PROFILE/addons/ID/ exists, that package, verified
 *     with the update rule (permit_trust_verify_package()) against the key
 *     pinned for id, and checked against the revocations of the registry
 *     indexes kept in the profile (permit_revocation_check(),
 *     permit/registry.h); otherwise the manifest the user decided on;
 *  2. permit_effective_grant(s, manifest, policy); the add-on must be
 *     runnable (every required capability granted);
 *  3. paths: addon, data and profile are set here ($ADDON as in 1,
 *     $DATA = PROFILE/data/ID, made 0700 if missing, $PROFILE = the
 *     store's profile, whose permit/ folder the ruleset hides); the
 *     caller's paths give tmp, home and entry (entry NULL: the manifest's
 *     entry inside $ADDON, which needs an installed package);
 *  4. options: permit_sandbox_options_from_policy(policy) with the limits
 *     of the effective grant where the manifest gives them; lower (may be
 *     NULL) can only lower them: each non-zero limit and landlock_abi_max
 *     takes the smaller value, no_landlock and require_full are or-ed;
 *     net (the network mode) is lower's: whether the host runs a broker.
 *
 * run (may be NULL) receives what was found, also on -EPERM (the caller
 * lists what waits for the user); clear it whatever the result. Errors,
 * error->text saying what:
 *   -ENOENT        the store has no record for id (unknown add-on), or it
 *                  is not installed and the decided manifest is missing
 *   -ENOKEY        installed, but no key is pinned for id
 *   -EKEYREJECTED, -EBADMSG, -ENOMSG  the installed package does not
 *                  verify against the pin (tampered, another key, unsealed)
 *   -EKEYREVOKED   its key or the package is revoked by a registry whose
 *                  index the profile keeps (error->text gives the reason);
 *                  a kept index that does not verify is refused too
 *   -EPERM         not runnable: a required capability is denied, refused
 *                  by the policy, or not decided (error names the first),
 *                  or the add-on's grants expired unused
 *   -EINVAL        an invalid id, no entry, or an error of permit_ruleset_new()
 *   and the errors of permit_ruleset_new() (-ENOENT, -EACCES for the
 *   entry), of making $DATA and of reading the package. */
int permit_ruleset_for_addon(permit_store *s, const char *id, const permit_policy *policy,
                             const permit_sandbox_options *lower, const permit_paths *paths, permit_ruleset **ret,
                             permit_addon_run *run, permit_error *error);

/* What one start may add (permit_ruleset_for_addon_start()). */
typedef struct permit_addon_start {
        /* Optional capabilities the user grants for this start only
         * (NULL-terminated; NULL: none): never written to the store, logged
         * as "once" events (permit_effective_grant_once()). */
        const char *const *once;
        /* The time of this start, seconds since the epoch; 0: the clock.
         * Tests give one (expiry, the start stamp). */
        int64_t now;
} permit_addon_start;

/* permit_ruleset_for_addon() with start (may be NULL). Both, before the
 * grant: expire the add-on's grants when the policy's
 * "expire_unused_days" have passed since its last start and decision
 * (permit_store_expire_unused(): -EPERM then, the error says expired);
 * after a ruleset was made: note the start (permit_store_note_start(),
 * best effort: a read-only profile still runs) and log each one-time
 * grant. Errors as permit_ruleset_for_addon(), and for a capability in
 * start->once: -ENOENT (not asked for), -EPERM (required), -EACCES
 * (forbidden by the policy). */
int permit_ruleset_for_addon_start(permit_store *s, const char *id, const permit_policy *policy,
                                   const permit_sandbox_options *lower, const permit_paths *paths,
                                   const permit_addon_start *start, permit_ruleset **ret, permit_addon_run *run,
                                   permit_error *error);

#ifdef __cplusplus
}
#endif
