/* SPDX-License-Identifier: MIT */
/* The add-on form of `permit run` (tools/run-addon.c): in permit-tool only,
 * since it needs the consent store; the static front executes permit-tool
 * for it (tools/front.c). */
#pragma once

#include "permit/enforcer.h"
#include "permit/store.h"

/* What the add-on form sets up for cmd-run.c. */
typedef struct run_addon {
        permit_ruleset *ruleset;
        char *data;  /* $DATA: PROFILE/data/ID */
        char *addon; /* $ADDON: PROFILE/addons/ID, NULL when not installed */
        permit_sandbox_options options;
        char **granted; /* the granted capability ids (for the network broker) */
        size_t n_granted;
        permit_store *store; /* kept open: the broker appends to its audit log */
} run_addon;

/* Exit statuses of `permit run`, as env(1), nohup(1) and bwrap use them. */
enum {
        RUN_FAILED = 125,       /* permit itself: bad option, sandbox not set up, --require-full not met */
        RUN_NOT_EXECUTABLE = 126,
        RUN_NOT_FOUND = 127,
};

/* "permit run: " + message + newline on stderr; returns RUN_FAILED. */
int run_fail(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Reads the grants of add-on id in profile (NULL: the default profile),
 * the host policy (policy_file may be NULL) and builds the ruleset, the
 * command-line options in lower only lowering the limits, once (NULL-
 * terminated, may be NULL) the optional capabilities the user grants for
 * this run only. Returns 0, or
 * prints why ("permit run: ...") and returns the exit status: RUN_FAILED,
 * or RUN_NOT_FOUND / RUN_NOT_EXECUTABLE for the entry program. */
int run_addon_setup(const char *profile, const char *id, const char *policy_file,
                    const permit_sandbox_options *lower, const char *const *once, const char *tmp,
                    const char *home, const char *entry, run_addon *ret);
void run_addon_clear(run_addon *a);

/* The front (tools/front.c): executes permit-tool with the arguments the
 * front was started with. Returns only on failure (errno set). */
void front_exec_tool(void);
