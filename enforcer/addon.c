/* SPDX-License-Identifier: MIT */
/* The sandbox of an approved add-on: store + manifest + policy -> ruleset
 * (permit/addon.h). Kept out of the enforcer library proper, which the
 * static `permit` front links alone (tools/front.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "error-private.h"
#include "manifest-private.h"
#include "permit/addon.h"
#include "permit/keys.h"
#include "permit/package.h"
#include "permit/registry.h"
#include "permit/trust.h"
#include "util.h"

_public_ void permit_sandbox_options_from_policy(const permit_policy *p, permit_sandbox_options *ret) {
        const permit_limits *caps = permit_policy_limits(p);

        *ret = (permit_sandbox_options) {
                .limits = { .memory_mb = caps->memory_mb,
                            .cpu_seconds = caps->cpu_seconds,
                            .processes = caps->processes,
                            .open_files = caps->open_files,
                            .wall_seconds = caps->wall_seconds },
                .landlock_abi_max = permit_policy_landlock_abi_max(p),
                .require_full = permit_policy_require_full(p),
        };
}

_public_ void permit_addon_run_clear(permit_addon_run *run) {
        if (!run)
                return;
        free(run->addon_dir);
        free(run->data_dir);
        permit_manifest_free(run->manifest);
        permit_effective_free(run->effective);
        *run = (permit_addon_run) { 0 };
}

/* The smaller of two values where 0 means "none given". */
static uint64_t lower_of(uint64_t a, uint64_t b) {
        if (!a)
                return b;
        if (!b)
                return a;
        return a < b ? a : b;
}

static void lower_options(permit_sandbox_options *o, const permit_sandbox_options *lower) {
        o->limits.memory_mb = lower_of(o->limits.memory_mb, lower->limits.memory_mb);
        o->limits.cpu_seconds = lower_of(o->limits.cpu_seconds, lower->limits.cpu_seconds);
        o->limits.processes = lower_of(o->limits.processes, lower->limits.processes);
        o->limits.open_files = lower_of(o->limits.open_files, lower->limits.open_files);
        o->limits.file_size_mb = lower_of(o->limits.file_size_mb, lower->limits.file_size_mb);
        o->limits.wall_seconds = lower_of(o->limits.wall_seconds, lower->limits.wall_seconds);
        o->landlock_abi_max = (unsigned) lower_of(o->landlock_abi_max, lower->landlock_abi_max);
        o->no_landlock = o->no_landlock || lower->no_landlock;
        o->require_full = o->require_full || lower->require_full;
        /* The network mode is the caller's: the host runs the broker or not. */
        o->net = lower->net;
}

/* The options: the policy's, where the grant gives a limit (already capped
 * by the policy) that limit, then lowered by the caller's. */
static void addon_options(const permit_policy *policy, const permit_effective *e, const permit_sandbox_options *lower,
                          permit_sandbox_options *ret) {
        const permit_limits *l = permit_effective_limits(e);

        permit_sandbox_options_from_policy(policy, ret);
        if (l->memory_mb)
                ret->limits.memory_mb = l->memory_mb;
        if (l->cpu_seconds)
                ret->limits.cpu_seconds = l->cpu_seconds;
        if (l->processes)
                ret->limits.processes = l->processes;
        if (l->open_files)
                ret->limits.open_files = l->open_files;
        if (l->wall_seconds)
                ret->limits.wall_seconds = l->wall_seconds;
        if (lower)
                lower_options(ret, lower);
}

/* A folder that must be a real directory (not a link an add-on left). */
static int make_private_dir(const char *path) {
        struct stat st;

        if (mkdir(path, 0700) < 0 && errno != EEXIST)
                return -errno;
        if (lstat(path, &st) < 0)
                return -errno;
        return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* The installed package PROFILE/addons/ID, verified against the pin, then
 * against the revocations of the registry indexes kept in the profile. */
static int installed_manifest(const permit_store *s, const char *id, const char *dir, permit_manifest **ret,
                              permit_error *error) {
        _cleanup_free_ char *canonical = NULL;
        const char *pin, *pin_id;
        permit_pubkey *pinned = NULL;
        permit_package_info *info = NULL;
        size_t len;
        int r;

        if (permit_store_pin_get(s, id, &pin, &pin_id) < 0)
                return permit_error_set_at(error, -ENOKEY, dir, NULL,
                                           "no key is pinned for %s: install it with 'permit grants approve'", id);
        r = permit_pubkey_from_string(pin, &pinned, error);
        if (r < 0)
                return permit_error_set_source(error, r, permit_store_dir(s));
        r = permit_trust_verify_package(dir, id, pinned, NULL, &info, NULL, error);
        permit_pubkey_free(pinned);
        if (r < 0)
                return permit_error_set_source(error, r, dir);
        r = permit_revocation_check(permit_store_profile(s), permit_package_info_key_id(info),
                                    permit_package_info_seal_digest(info), 0, NULL, error);
        if (r < 0) {
                permit_package_info_free(info);
                return r == -EKEYREVOKED ? permit_error_set_source(error, r, dir) : r;
        }
        /* The info owns its manifest: keep a copy of our own. */
        r = permit_manifest_canonical(permit_package_info_manifest(info), &canonical, &len);
        if (r >= 0)
                r = permit_manifest_parse(canonical, len, dir, ret, error);
        permit_package_info_free(info);
        return r;
}

static const permit_grant_entry *first_not_granted(const permit_effective *e) {
        for (size_t i = 0; i < permit_effective_n_entries(e); i++) {
                const permit_grant_entry *g = permit_effective_entry(e, i);
                if (g->required && g->state != PERMIT_GRANT_GRANTED)
                        return g;
        }
        return NULL;
}

/* Applies the one-time grants of a start to e. */
static int grant_once(permit_effective *e, const char *id, const char *const *once, const permit_policy *policy,
                      permit_error *error) {
        for (size_t i = 0; once && once[i]; i++) {
                int r = permit_effective_grant_once(e, once[i], policy);
                if (r == -ENOENT)
                        return permit_error_set(error, r, NULL, "%s does not ask for %s", id, once[i]);
                if (r == -EPERM)
                        return permit_error_set(error, r, NULL,
                                                "%s is required by %s: a required capability is approved, "
                                                "not granted for one start",
                                                once[i], id);
                if (r == -EACCES)
                        return permit_error_set(error, r, NULL, "%s is forbidden by the host policy", once[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* After a start was set up: its stamp (for the expiry) and the log of what
 * was granted for it alone. Best effort: a profile that cannot be written
 * still runs what the user approved. */
static void note_start(permit_store *s, const char *id, const permit_effective *e, int64_t now) {
        (void) permit_store_note_start(s, id, now);
        for (size_t i = 0; i < permit_effective_n_entries(e); i++)
                if (permit_effective_once(e, i))
                        (void) permit_store_audit_append(s, &(permit_audit_event) {
                                .kind = PERMIT_AUDIT_ONCE,
                                .time = now,
                                .addon = id,
                                .capability = permit_effective_entry(e, i)->capability,
                                .allowed = true,
                        });
}

_public_ int permit_ruleset_for_addon(permit_store *s, const char *id, const permit_policy *policy,
                                      const permit_sandbox_options *lower, const permit_paths *paths,
                                      permit_ruleset **ret, permit_addon_run *run, permit_error *error) {
        return permit_ruleset_for_addon_start(s, id, policy, lower, paths, NULL, ret, run, error);
}

_public_ int permit_ruleset_for_addon_start(permit_store *s, const char *id, const permit_policy *policy,
                                            const permit_sandbox_options *lower, const permit_paths *paths,
                                            const permit_addon_start *start, permit_ruleset **ret,
                                            permit_addon_run *run, permit_error *error) {
        _cleanup_free_ char *profile = NULL, *addons = NULL, *entry = NULL, *data_parent = NULL;
        _cleanup_free_ const char **granted = NULL;
        permit_addon_run found = { 0 };
        const permit_grant_entry *missing;
        struct stat st;
        size_t n;
        int r;

        if (run)
                *run = (permit_addon_run) { 0 };
        if (!s || !id || !paths || !ret)
                return -EINVAL;
        if (!permit_addon_id_valid(id))
                return permit_error_set(error, -EINVAL, NULL, "'%s' is not a valid add-on id", id);
        if (!permit_store_find(s, id))
                return permit_error_set_at(error, -ENOENT, permit_store_profile(s), NULL,
                                           "no add-on %s was approved in this profile", id);
        profile = realpath(permit_store_profile(s), NULL);
        if (!profile)
                return permit_error_set_at(error, -errno, permit_store_profile(s), NULL, "%s", strerror(errno));
        if (asprintf(&addons, "%s/addons/%s", profile, id) < 0)
                return -ENOMEM;

        /* 1. The manifest. */
        if (lstat(addons, &st) == 0) {
                if (!S_ISDIR(st.st_mode)) {
                        r = permit_error_set_at(error, -ENOTDIR, addons, NULL, "not a directory");
                        goto fail;
                }
                r = installed_manifest(s, id, addons, &found.manifest, error);
                if (r < 0)
                        goto fail;
                found.addon_dir = steal_pointer(&addons);
        } else if (errno != ENOENT) {
                r = permit_error_set_at(error, -errno, addons, NULL, "%s", strerror(errno));
                goto fail;
        } else {
                r = permit_store_decided_manifest(s, id, &found.manifest, error);
                if (r == -ENOENT)
                        r = permit_error_set_at(error, r, permit_store_dir(s), NULL,
                                                "the manifest %s was approved on is missing", id);
                if (r < 0)
                        goto fail;
        }

        /* 2. The grant: after expiring it if it went unused too long. */
        r = permit_store_expire_unused(s, policy, id, start ? start->now : 0, error);
        if (r < 0)
                goto fail;
        r = permit_effective_grant(s, found.manifest, policy, &found.effective);
        if (r >= 0)
                r = grant_once(found.effective, id, start ? start->once : NULL, policy, error);
        if (r < 0)
                goto fail;
        addon_options(policy, found.effective, lower, &found.options);
        missing = first_not_granted(found.effective);
        if (missing && permit_effective_expired(found.effective)) {
                time_t t = (time_t) permit_record_expired_at(permit_store_find(s, id));
                char when[32] = "?";
                struct tm tm;

                if (gmtime_r(&t, &tm))
                        strftime(when, sizeof(when), "%Y-%m-%d", &tm);
                r = permit_error_set(error, -EPERM, NULL,
                                     "%s cannot run: its grants expired on %s, unused for longer than the host "
                                     "policy allows: approve it again",
                                     id, when);
                goto fail;
        }
        if (missing) {
                r = permit_error_set(error, -EPERM, NULL, "%s cannot run: its required capability %s is %s", id,
                                     missing->capability,
                                     missing->state == PERMIT_GRANT_UNDECIDED       ? "not approved yet"
                                     : missing->state == PERMIT_GRANT_POLICY_DENIED ? "forbidden by the host policy"
                                                                                    : "denied");
                goto fail;
        }

        /* 3. The folders. */
        if (asprintf(&data_parent, "%s/data", profile) < 0 || asprintf(&found.data_dir, "%s/%s", data_parent, id) < 0) {
                r = -ENOMEM;
                goto fail;
        }
        r = make_private_dir(data_parent);
        if (r >= 0)
                r = make_private_dir(found.data_dir);
        if (r < 0) {
                r = permit_error_set_at(error, r, found.data_dir, NULL, "cannot make $DATA: %s", strerror(-r));
                goto fail;
        }
        if (!paths->entry) {
                if (!found.addon_dir) {
                        r = permit_error_set(error, -EINVAL, NULL,
                                             "%s is not installed in the profile: name the program to run", id);
                        goto fail;
                }
                if (asprintf(&entry, "%s/%s", found.addon_dir, permit_manifest_entry(found.manifest)) < 0) {
                        r = -ENOMEM;
                        goto fail;
                }
        }

        /* 4. The ruleset. */
        n = permit_effective_n_granted(found.effective);
        granted = calloc(n + 1, sizeof(*granted));
        if (!granted) {
                r = -ENOMEM;
                goto fail;
        }
        for (size_t i = 0; i < n; i++)
                granted[i] = permit_effective_granted(found.effective, i);
        r = permit_ruleset_new(granted, n,
                               &(permit_paths) { .addon = found.addon_dir, .data = found.data_dir,
                                                 .tmp = paths->tmp, .profile = profile, .home = paths->home,
                                                 .entry = entry ? entry : paths->entry },
                               &found.options, ret, error);
        if (r >= 0)
                note_start(s, id, found.effective, start ? start->now : 0);
fail:
        if (run)
                *run = found;
        else
                permit_addon_run_clear(&found);
        return r;
}
