/* SPDX-License-Identifier: MIT */
/* permit-consent's parts, shared by main.c and the UI tests (which link
 * everything but main.c as a static library and drive the windows
 * in-process). Nothing here decides anything: verification, warnings,
 * diffs and decisions are libpermit's; this is how they are shown. */
#pragma once

#include <gtk/gtk.h>
#include <stdbool.h>

#include "permit/capability.h"
#include "permit/host-vocabulary.h"
#include "permit/manifest.h"
#include "permit/package.h"
#include "permit/store.h"

G_BEGIN_DECLS

/* Exit codes (the same meaning as the permit command's). */
enum {
        CONSENT_EXIT_OK = 0,        /* allowed / saved */
        CONSENT_EXIT_REFUSED = 1,   /* cancelled, closed, refused */
        CONSENT_EXIT_ERROR = 2,     /* usage error, unreadable or bad package */
};

typedef enum consent_mode {
        CONSENT_INSTALL,
        CONSENT_UPDATE,
        CONSENT_MANAGE,
} consent_mode;

/* What the command line asked for. */
typedef struct consent_options {
        consent_mode mode;
        char *profile;     /* --profile; NULL: the default profile */
        char *pubkey_file; /* -p */
        char *package;     /* the package to install or update to */
        char *installed;   /* --installed OLD_PACKAGE (update mode) */
        char *host_vocabulary; /* --host-vocabulary FILE */
        guint timeout_ms;  /* PERMIT_CONSENT_TIMEOUT_MS: cancel after this (0: never) */
} consent_options;

void consent_options_clear(consent_options *o);

/* One line of the dialog: a merged warning (capability.h) and, for an
 * update, what changed. */
typedef struct consent_item {
        const permit_warning *warning;
        permit_change change; /* PERMIT_CHANGE_ADDED in install mode */
        const char *was;      /* update: the capability it widens or makes required, or NULL */
} consent_item;

/* Everything the install or update dialog shows, built before any window
 * exists so that a bad package is a one-line error, not a dialog. */
typedef struct consent_request {
        consent_mode mode;
        char *package;
        permit_store *store;       /* the profile's store, opened (created) */
        permit_package_info *info; /* the verified package */
        char key_id[PERMIT_KEY_ID_STRING_SIZE];
        char public_key[PERMIT_PUBKEY_STRING_SIZE];
        bool key_first_use; /* no key pinned for the add-on yet: Allow pins this one */
        bool key_given;     /* verified with -p (else the pinned or the seal's key) */
        bool key_pinned;    /* a key is pinned for the add-on (and verified it) */

        /* The decision being made (store.h): earlier decisions stand. */
        permit_decision *decision;

        /* install: every capability; update: only what asks for more */
        permit_warnings *warnings;
        consent_item *items;
        size_t n_items;

        /* update only: what the earlier decision was made on */
        permit_manifest *old_manifest;
        permit_diff *diff;
        GPtrArray *kept_granted; /* still asked for, granted before: stays granted (char *) */
        GPtrArray *kept_denied;  /* still asked for, denied before: stays denied */
        GPtrArray *removed;      /* no longer asked for */
} consent_request;

/* Verifies the package and builds what to show. On failure returns a
 * negative errno and a one-line message naming the file in *ret_message
 * (g_free()). */
int consent_request_new(const consent_options *o, consent_request **ret, char **ret_message);
void consent_request_free(consent_request *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(consent_request, consent_request_free)

/* The decision taken in a dialog, as the caller is told it. */
typedef enum consent_result_kind {
        CONSENT_RESULT_ALLOWED,
        CONSENT_RESULT_CANCELLED,
        CONSENT_RESULT_SAVED, /* manage mode */
        CONSENT_RESULT_ERROR,
} consent_result_kind;

typedef struct consent_result {
        consent_result_kind kind;
        char *id;
        char *version;
        GPtrArray *granted; /* capability ids (char *) */
        GPtrArray *denied;
        GPtrArray *revoked; /* manage: "ID capability" pairs as two entries each */
        char *message;      /* error text */
} consent_result;

consent_result *consent_result_new(consent_result_kind kind, const char *id);
void consent_result_free(consent_result *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(consent_result, consent_result_free)
/* The one line of JSON printed on stdout (g_free()). */
char *consent_result_json(const consent_result *r);
int consent_result_exit_code(const consent_result *r);

/* Called once when the user has decided (or the window was closed); the
 * result is the callee's. */
typedef void (*consent_done_fn)(consent_result *result, gpointer user_data);

/* Allow: required capabilities accepted, each optional item granted when
 * on[i] (its absorbed capabilities follow it), recorded in the store, and
 * on first use the seal's key pinned. Returns 0 and the result, or a
 * negative errno and a one-line message (g_free()). */
int consent_request_allow(consent_request *req, const bool *on, consent_result **ret, char **ret_message);
/* What Cancel tells the caller (nothing is written). */
consent_result *consent_request_cancelled(const consent_request *req);
/* The index in the decision of a capability id, or -1. */
gssize consent_request_decision_index(const consent_request *req, const char *capability);

/* The install/update dialog. Allow writes the decision through the store
 * API, then calls done; Cancel, Escape and closing write nothing. The
 * window has an action group "consent" with "allow" and "cancel". */
GtkWindow *consent_dialog_new(GtkApplication *app, consent_request *req, consent_done_fn done,
                              gpointer user_data);
/* The switch for an optional capability (the warning's own capability
 * id), for tests; NULL when there is none. */
GtkSwitch *consent_dialog_switch(GtkWindow *dialog, const char *capability);

/* The manager window: installed add-ons, their grants, last use, revoke.
 * Actions in group "manage": "revoke" (string "ID\nCAPABILITY"),
 * "revoke-all" (string ID), "close". */
GtkWindow *consent_manager_new(GtkApplication *app, const char *profile, consent_done_fn done,
                               gpointer user_data, char **ret_message);

/* "High risk" and the CSS class for a risk badge. */
const char *consent_risk_label(permit_risk risk);
const char *consent_risk_css(permit_risk risk);
/* The host's vocabulary (--host-vocabulary) for every window of this
 * process: permit-consent serves one host at a time, and the warning texts
 * are wanted deep inside list sorting. NULL: the system's words only. The
 * caller keeps it alive while windows are open. */
void consent_host_vocabulary_set(const permit_host_vocabulary *v);
const permit_host_vocabulary *consent_host_vocabulary(void);
/* A host.* capability the host's vocabulary does not list: never granted. */
bool consent_capability_unknown(const char *capability);
/* The warning for a capability (g_free()), in the host's words for its
 * host.* capabilities, or its id when there is none to give. */
char *consent_warning_text(const char *capability);
/* Its risk (PERMIT_RISK_NONE when the id is not valid). */
permit_risk consent_warning_risk(const char *capability);
/* Shared look: the CSS, loaded once per display. */
void consent_style_init(void);
/* Sets the accessible label and description of a widget. */
void consent_accessible(GtkWidget *w, const char *label, const char *description);
/* Escape runs ACTION (a detailed action name) in the window. */
void consent_escape_runs(GtkWindow *win, const char *action);
/* A label that wraps, aligned left, with an optional CSS class. */
GtkWidget *consent_label(const char *text, const char *css_class);

/* Opens the window WIDTH wide and as tall as its content needs at that
 * width, up to MAX_HEIGHT (the rest scrolls). */
void consent_window_fit(GtkWindow *win, GtkWidget *content, int width, int max_height);
/* The window's title, as a heading for screen readers. */
GtkWidget *consent_heading(const char *text);

/* The application: parses options, runs the mode, returns the exit code. */
int consent_app_run(int argc, char **argv);

G_END_DECLS
