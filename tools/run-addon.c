/* SPDX-License-Identifier: MIT */
/* permit run --profile DIR ADDON / --addon ADDON: the sandbox an add-on was
 * granted, from the consent store (permit_ruleset_for_addon()). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "permit/addon.h"
#include "permit/registry.h"
#include "run-addon.h"

/* Lists the capabilities that wait for the user, and how to decide them. */
static void say_undecided(const permit_store *s, const char *id, const permit_addon_run *run, bool refused) {
        const permit_effective *e = run->effective;
        size_t n = e ? permit_effective_n_undecided(e) : 0, k = 0;
        char list[1024] = "";

        if (!n || permit_effective_expired(e))
                return; /* expired: the error said so */
        for (size_t i = 0; i < permit_effective_n_entries(e); i++) {
                const permit_grant_entry *g = permit_effective_entry(e, i);
                size_t used = strlen(list);

                if (g->state == PERMIT_GRANT_UNDECIDED && used < sizeof(list))
                        snprintf(list + used, sizeof(list) - used, "%s%s", k++ ? ", " : "", g->capability);
        }
        run_fail("%s %s: %zu capabilit%s not approved yet%s: %s", id, permit_manifest_version(run->manifest), n,
            n == 1 ? "y" : "ies", refused ? "" : " (running without)", list);
        run_fail("approve them with: permit grants --profile %s approve %s", permit_store_profile(s),
            run->addon_dir ? run->addon_dir : "PACKAGE");
}

/* A kept registry index past its expiry still applies (it was checked);
 * what it cannot know is a revocation published since: say so. */
static void warn_stale(const char *profile) {
        permit_revocation_status st;
        char when[32] = "?";
        struct tm tm;
        time_t t;

        if (permit_revocation_check(profile, NULL, NULL, 0, &st, NULL) < 0 || !st.n_expired)
                return;
        t = (time_t) st.expires;
        if (gmtime_r(&t, &tm))
                strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
        run_fail("warning: %u registry index%s kept in %s expired (%s): revocations published since are not known; "
                 "run 'permit update'",
                 st.n_expired, st.n_expired == 1 ? "" : "es", profile, when);
}

int run_addon_setup(const char *profile, const char *id, const char *policy_file,
                    const permit_sandbox_options *lower, const char *const *once, const char *tmp,
                    const char *home, const char *entry, run_addon *ret) {
        permit_store *s = NULL;
        permit_policy *policy = NULL;
        permit_addon_run run = { 0 };
        permit_error error = { 0 };
        char buf[1024];
        int r, status = RUN_FAILED;

        *ret = (run_addon) { 0 };
        if (policy_file && permit_policy_load(policy_file, &policy, &error) < 0) {
                run_fail("--policy %s", permit_error_string(&error, buf, sizeof(buf)));
                return RUN_FAILED;
        }
        r = permit_store_open(profile, 0, &s, &error);
        if (r == -ENOENT && !error.text[0]) {
                run_fail("%s: no consent store here: approve the add-on first with 'permit grants approve'",
                    profile ? profile : "the default profile");
                goto out;
        }
        if (r < 0) {
                if (error.text[0])
                        run_fail("%s", permit_error_string(&error, buf, sizeof(buf)));
                else
                        run_fail("%s: %s", profile ? profile : "the default profile", strerror(-r));
                goto out;
        }
        r = permit_ruleset_for_addon_start(s, id, policy, lower,
                                           &(permit_paths) { .tmp = tmp, .home = home, .entry = entry },
                                           &(permit_addon_start) { .once = once }, &ret->ruleset, &run, &error);
        /* Past $DATA, only the entry program is left to fail on. */
        if ((r == -ENOENT || r == -EACCES) && run.data_dir && entry) {
                run_fail("%s: %s", entry, r == -ENOENT ? "command not found" : "not executable");
                status = r == -ENOENT ? RUN_NOT_FOUND : RUN_NOT_EXECUTABLE;
                goto out;
        }
        if (r == -ENOENT && error.text[0] && !run.manifest)
                run_fail("%s (see 'permit grants --profile %s list')", permit_error_string(&error, buf, sizeof(buf)),
                    permit_store_profile(s));
        else if (r == -EKEYREVOKED && error.text[0])
                run_fail("refusing %s: %s", id, permit_error_string(&error, buf, sizeof(buf)));
        else if ((r == -EBADMSG || r == -EKEYREJECTED || r == -ENOMSG || r == -ENOKEY) && error.text[0])
                run_fail("refusing the installed package: %s", permit_error_string(&error, buf, sizeof(buf)));
        else if (r < 0 && error.text[0])
                run_fail("%s", permit_error_string(&error, buf, sizeof(buf)));
        else if (r < 0)
                run_fail("%s: %s", id, strerror(-r));
        if (r < 0 && r != -EPERM)
                goto out;
        if (run.addon_dir)
                warn_stale(permit_store_profile(s));
        if (!run.addon_dir)
                run_fail("%s: no installed package in %s/addons/%s: running under the grants of the manifest approved "
                    "(version %s)",
                    id, permit_store_profile(s), id, permit_manifest_version(run.manifest));
        say_undecided(s, id, &run, r < 0);
        if (r < 0)
                goto out;
        for (size_t i = 0; i < permit_effective_n_entries(run.effective); i++)
                if (permit_effective_once(run.effective, i))
                        run_fail("%s: %s granted for this run only", id,
                            permit_effective_entry(run.effective, i)->capability);
        ret->data = run.data_dir;
        ret->addon = run.addon_dir;
        run.data_dir = run.addon_dir = NULL;
        ret->options = run.options;
        ret->n_granted = permit_effective_n_granted(run.effective);
        ret->granted = calloc(ret->n_granted + 1, sizeof(char *));
        for (size_t i = 0; ret->granted && i < ret->n_granted; i++)
                if (!(ret->granted[i] = strdup(permit_effective_granted(run.effective, i))))
                        break;
        if (!ret->granted || (ret->n_granted && !ret->granted[ret->n_granted - 1])) {
                run_fail("out of memory");
                goto out;
        }
        ret->store = s;
        s = NULL;
        status = 0;
out:
        permit_addon_run_clear(&run);
        permit_store_free(s);
        permit_policy_free(policy);
        return status;
}

void run_addon_clear(run_addon *a) {
        for (size_t i = 0; a->granted && i < a->n_granted; i++)
                free(a->granted[i]);
        free(a->granted);
        permit_store_free(a->store);
        permit_ruleset_free(a->ruleset);
        free(a->data);
        free(a->addon);
        *a = (run_addon) { 0 };
}
