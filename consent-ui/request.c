/* SPDX-License-Identifier: MIT */
/* What the install and update dialogs show, built from a verified package
 * and the profile's store before any window opens; and what Allow
 * records. Every decision is the store's (permit_decision_*); this file
 * only picks what to show. */
#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>

#include "consent-private.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(permit_pubkey, permit_pubkey_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(permit_package_info, permit_package_info_free)

void consent_options_clear(consent_options *o) {
        g_clear_pointer(&o->profile, g_free);
        g_clear_pointer(&o->pubkey_file, g_free);
        g_clear_pointer(&o->package, g_free);
        g_clear_pointer(&o->installed, g_free);
        g_clear_pointer(&o->host_vocabulary, g_free);
}

void consent_request_free(consent_request *r) {
        if (!r)
                return;
        g_free(r->items);
        permit_warnings_free(r->warnings);
        permit_diff_free(r->diff);
        permit_manifest_free(r->old_manifest);
        permit_decision_free(r->decision);
        permit_package_info_free(r->info);
        permit_store_free(r->store);
        g_clear_pointer(&r->kept_granted, g_ptr_array_unref);
        g_clear_pointer(&r->kept_denied, g_ptr_array_unref);
        g_clear_pointer(&r->removed, g_ptr_array_unref);
        g_free(r->package);
        g_free(r);
}

/* "FILE: problem", in the library's words when it has some. */
static char *error_message(const char *file, int r, const permit_error *error) {
        char buf[1024];

        if (error && error->text[0]) {
                permit_error_string(error, buf, sizeof(buf));
                if (error->source[0]) /* the string starts with it */
                        return g_strdup(buf);
                return g_strdup_printf("%s: %s", file, buf);
        }
        return g_strdup_printf("%s: %s", file, g_strerror(-r));
}

/* Verifies with -p, else the key pinned for the add-on's id, else (first
 * use) the seal's own key. The id comes from an unverified look first: it
 * only chooses which key the package must then verify against. A key given
 * with -p must be the pinned one, if there is one: changing keys takes a
 * rotation statement, not a dialog. */
static int verify_package(const consent_options *o, consent_request *req, char **ret_message) {
        g_autoptr(permit_pubkey) pk = NULL;
        g_autoptr(permit_package_info) peek = NULL;
        permit_error error = { 0 };
        const char *id, *pinned = NULL, *pinned_id = NULL;
        int r;

        r = permit_package_inspect(o->package, NULL, &peek, &error);
        if (r < 0) {
                *ret_message = error_message(o->package, r, &error);
                return r;
        }
        id = permit_manifest_id(permit_package_info_manifest(peek));
        req->key_pinned = permit_store_pin_get(req->store, id, &pinned, &pinned_id) >= 0;
        if (o->pubkey_file) {
                char given_id[PERMIT_KEY_ID_STRING_SIZE];

                r = permit_pubkey_load(o->pubkey_file, &pk, &error);
                if (r < 0) {
                        *ret_message = error_message(o->pubkey_file, r, &error);
                        return r;
                }
                permit_pubkey_id_string(pk, given_id);
                if (req->key_pinned && !g_str_equal(given_id, pinned_id)) {
                        *ret_message = g_strdup_printf(_("%s: key %s is not the key pinned for %s (%s)"),
                                                       o->pubkey_file, given_id, id, pinned_id);
                        return -EKEYREJECTED;
                }
                req->key_given = true;
        } else if (req->key_pinned) {
                r = permit_pubkey_from_string(pinned, &pk, &error);
                if (r < 0) {
                        *ret_message = error_message(permit_store_dir(req->store), r, &error);
                        return r;
                }
        }
        req->key_first_use = !req->key_pinned;
        permit_error_clear(&error);
        if (pk)
                r = permit_package_verify(pk, o->package, NULL, &req->info, &error);
        else /* first install, no key given: the seal's own (trust on first use) */
                r = permit_package_verify_with_seal_key(o->package, NULL, &req->info, &error);
        if (r == -ENOKEY) {
                *ret_message = g_strdup_printf(_("%s: no key is pinned for %s and the seal carries none: give -p PUBKEY"),
                                               o->package, id);
                return r;
        }
        if (r < 0) {
                *ret_message = error_message(o->package, r, &error);
                return r;
        }
        if (!pk) {
                r = permit_pubkey_from_string(permit_package_info_public_key(req->info), &pk, &error);
                if (r < 0) {
                        *ret_message = error_message(o->package, r, &error);
                        return r;
                }
        }
        permit_pubkey_id_string(pk, req->key_id);
        permit_pubkey_string(pk, req->public_key);
        return 0;
}

gssize consent_request_decision_index(const consent_request *req, const char *capability) {
        for (size_t i = 0; i < permit_decision_count(req->decision); i++)
                if (g_str_equal(permit_decision_capability(req->decision, i), capability))
                        return (gssize) i;
        return -1;
}

/* Asks for more than before and is not already granted by an earlier
 * decision (a now-required capability the user had turned on). */
static bool asks_more(const consent_request *req, const permit_diff_entry *e) {
        gssize i;

        if (e->change != PERMIT_CHANGE_ADDED && e->change != PERMIT_CHANGE_WIDENED &&
            e->change != PERMIT_CHANGE_NOW_REQUIRED)
                return false;
        i = consent_request_decision_index(req, e->new_cap->id);
        return i < 0 || permit_decision_is_new(req->decision, (size_t) i) ||
               !permit_decision_granted(req->decision, (size_t) i);
}

/* Update: the diff against the manifest decided on before (or the
 * installed package's), the capabilities that ask for more, and what
 * stays as it was. */
static int build_update(const consent_options *o, consent_request *req, const permit_manifest *m,
                        permit_capability **ret_more, size_t *ret_n_more, char **ret_message) {
        const char *id = permit_manifest_id(m);
        g_autofree permit_capability *more = NULL;
        permit_error error = { 0 };
        size_t n_more = 0;
        int r;

        if (o->installed) {
                g_autoptr(permit_package_info) old = NULL;
                g_autofree char *canonical = NULL;
                size_t len;

                r = permit_package_inspect(o->installed, NULL, &old, &error);
                if (r < 0) {
                        *ret_message = error_message(o->installed, r, &error);
                        return r;
                }
                /* a copy that outlives the package info */
                r = permit_manifest_canonical(permit_package_info_manifest(old), &canonical, &len);
                if (r >= 0)
                        r = permit_manifest_parse(canonical, len, o->installed, &req->old_manifest, &error);
                if (r < 0) {
                        *ret_message = error_message(o->installed, r, &error);
                        return r;
                }
        } else {
                r = permit_store_decided_manifest(req->store, id, &req->old_manifest, &error);
                if (r == -ENOENT) {
                        *ret_message = g_strdup_printf(_("%s: %s is not installed in this profile (use --installed OLD_PACKAGE)"),
                                                       o->package, id);
                        return r;
                }
                if (r < 0) {
                        *ret_message = error_message(permit_store_dir(req->store), r, &error);
                        return r;
                }
        }
        if (!g_str_equal(permit_manifest_id(req->old_manifest), id)) {
                *ret_message = g_strdup_printf(_("%s: the installed add-on is %s, the update is %s"),
                                               o->installed ? o->installed : o->package,
                                               permit_manifest_id(req->old_manifest), id);
                return -EINVAL;
        }

        r = permit_manifest_diff(req->old_manifest, m, &req->diff);
        if (r < 0) {
                *ret_message = error_message(o->package, r, NULL);
                return r;
        }
        req->kept_granted = g_ptr_array_new();
        req->kept_denied = g_ptr_array_new();
        req->removed = g_ptr_array_new();
        more = g_new0(permit_capability, permit_diff_count(req->diff) + 1);
        for (size_t i = 0; i < permit_diff_count(req->diff); i++) {
                const permit_diff_entry *e = permit_diff_get(req->diff, i);
                gssize k;

                if (e->change == PERMIT_CHANGE_REMOVED) {
                        g_ptr_array_add(req->removed, (gpointer) e->old_cap->id);
                        continue;
                }
                if (asks_more(req, e)) {
                        more[n_more++] = *e->new_cap;
                        continue;
                }
                k = consent_request_decision_index(req, e->new_cap->id);
                if (k >= 0 && permit_decision_granted(req->decision, (size_t) k))
                        g_ptr_array_add(req->kept_granted, (gpointer) e->new_cap->id);
                else
                        g_ptr_array_add(req->kept_denied, (gpointer) e->new_cap->id);
        }
        *ret_more = g_steal_pointer(&more);
        *ret_n_more = n_more;
        return 0;
}

/* What the update changed about one capability, and what it was. */
static void change_of(const consent_request *req, consent_item *item) {
        item->change = PERMIT_CHANGE_ADDED;
        for (size_t i = 0; req->diff && i < permit_diff_count(req->diff); i++) {
                const permit_diff_entry *e = permit_diff_get(req->diff, i);

                if (e->new_cap && g_str_equal(e->new_cap->id, item->warning->capability)) {
                        item->change = e->change;
                        item->was = e->old_cap ? e->old_cap->id : NULL;
                        return;
                }
        }
}

int consent_request_new(const consent_options *o, consent_request **ret, char **ret_message) {
        g_autoptr(consent_request) req = g_new0(consent_request, 1);
        g_autofree permit_capability *more = NULL;
        const permit_capability *caps;
        permit_error error = { 0 };
        const permit_manifest *m;
        size_t n_caps;
        int r;

        req->mode = o->mode;
        req->package = g_strdup(o->package);
        r = permit_store_open(o->profile, PERMIT_STORE_CREATE, &req->store, &error);
        if (r < 0) {
                *ret_message = error_message(o->profile ? o->profile : _("default profile"), r, &error);
                return r;
        }
        r = verify_package(o, req, ret_message);
        if (r < 0)
                return r;
        m = permit_package_info_manifest(req->info);
        r = permit_decision_new(m, permit_store_find(req->store, permit_manifest_id(m)), &req->decision);
        if (r < 0) {
                *ret_message = error_message(o->package, r, NULL);
                return r;
        }
        caps = permit_manifest_capabilities(m);
        n_caps = permit_manifest_n_capabilities(m);
        if (o->mode == CONSENT_UPDATE) {
                r = build_update(o, req, m, &more, &n_caps, ret_message);
                if (r < 0)
                        return r;
                caps = more;
        }
        /* A required host.* capability the host does not know: the add-on
         * cannot work in this host (doc/manifest.md, "Host capabilities"). */
        for (size_t i = 0; i < permit_manifest_n_capabilities(m); i++) {
                const permit_capability *c = permit_manifest_capability(m, i);

                if (c->required && consent_capability_unknown(c->id)) {
                        *ret_message = g_strdup_printf(_("%s: %s requires %s, which %s does not know: it cannot run "
                                                         "there"),
                                                       o->package, permit_manifest_id(m), c->id,
                                                       permit_host_vocabulary_host(consent_host_vocabulary()));
                        return -EINVAL;
                }
        }
        r = permit_warnings_new_for_host(caps, n_caps, consent_host_vocabulary(), &req->warnings);
        if (r < 0) {
                *ret_message = error_message(o->package, r, NULL);
                return r;
        }
        req->n_items = permit_warnings_count(req->warnings);
        req->items = g_new0(consent_item, req->n_items + 1);
        for (size_t i = 0; i < req->n_items; i++) {
                req->items[i].warning = permit_warnings_get(req->warnings, i);
                change_of(req, &req->items[i]);
        }
        *ret = g_steal_pointer(&req);
        return 0;
}

/* Sets one optional capability; required ones go with the whole. */
static int set_optional(permit_decision *d, const char *capability, bool on) {
        int r = permit_decision_set(d, capability, on);
        return r == -EPERM ? 0 : r;
}

int consent_request_allow(consent_request *req, const bool *on, consent_result **ret, char **ret_message) {
        const permit_manifest *m = permit_package_info_manifest(req->info);
        g_autoptr(consent_result) result = NULL;
        permit_error error = { 0 };
        int r;

        permit_decision_set_required(req->decision, true);
        for (size_t i = 0; i < req->n_items; i++) {
                const permit_warning *w = req->items[i].warning;
                /* what a required line covers comes with it; what the host
                 * does not know is never granted */
                bool grant = (w->required || on[i]) && !consent_capability_unknown(w->capability);

                if (!w->required) {
                        r = set_optional(req->decision, w->capability, grant);
                        if (r < 0)
                                goto fail;
                }
                for (size_t k = 0; k < w->n_absorbed; k++) {
                        r = set_optional(req->decision, w->absorbed[k], grant);
                        if (r < 0)
                                goto fail;
                }
        }
        if (req->key_first_use) {
                r = permit_store_pin_set(req->store, permit_manifest_id(m), req->public_key, &error);
                if (r < 0)
                        goto fail_store;
        }
        r = permit_store_record_decision(req->store, req->decision, &error);
        if (r < 0)
                goto fail_store;

        result = consent_result_new(CONSENT_RESULT_ALLOWED, permit_manifest_id(m));
        result->version = g_strdup(permit_manifest_version(m));
        for (size_t i = 0; i < permit_decision_count(req->decision); i++)
                g_ptr_array_add(permit_decision_granted(req->decision, i) ? result->granted : result->denied,
                                g_strdup(permit_decision_capability(req->decision, i)));
        *ret = g_steal_pointer(&result);
        return 0;

fail:
        *ret_message = error_message(req->package, r, NULL);
        return r;
fail_store:
        *ret_message = error_message(permit_store_dir(req->store), r, &error);
        return r;
}

consent_result *consent_request_cancelled(const consent_request *req) {
        const permit_manifest *m = permit_package_info_manifest(req->info);
        consent_result *result = consent_result_new(CONSENT_RESULT_CANCELLED, permit_manifest_id(m));

        result->version = g_strdup(permit_manifest_version(m));
        return result;
}
