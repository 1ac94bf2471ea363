/* SPDX-License-Identifier: MIT */
/* The install and update dialog: who the add-on is, what it asks for
 * (highest risk first, the system's warning, the developer's reason), a
 * switch for each optional capability, Allow and Cancel. */
#include <glib/gi18n.h>

#include "consent-private.h"

typedef struct dialog {
        consent_request *req;
        consent_done_fn done;
        gpointer user_data;
        GtkWindow *win;
        GtkWidget **switches; /* per item; NULL for a required one */
        gboolean finished;
} dialog;

static void dialog_free(gpointer p) {
        dialog *d = p;

        g_free(d->switches);
        g_free(d);
}

static void finish(dialog *d, consent_result *result) {
        if (d->finished) {
                consent_result_free(result);
                return;
        }
        d->finished = TRUE;
        d->done(result, d->user_data);
}

static void on_allow(GSimpleAction *action, GVariant *param, gpointer user_data) {
        dialog *d = user_data;
        g_autofree bool *on = g_new0(bool, d->req->n_items + 1);
        g_autofree char *message = NULL;
        consent_result *result = NULL;
        int r;

        if (d->finished)
                return;
        for (size_t i = 0; i < d->req->n_items; i++)
                on[i] = d->switches[i] && gtk_switch_get_active(GTK_SWITCH(d->switches[i]));
        r = consent_request_allow(d->req, on, &result, &message);
        if (r < 0) {
                result = consent_result_new(CONSENT_RESULT_ERROR,
                                            permit_manifest_id(permit_package_info_manifest(d->req->info)));
                result->message = g_steal_pointer(&message);
        }
        finish(d, result);
}

static void on_cancel(GSimpleAction *action, GVariant *param, gpointer user_data) {
        dialog *d = user_data;

        if (!d->finished)
                finish(d, consent_request_cancelled(d->req));
}

static gboolean on_close_request(GtkWindow *win, gpointer user_data) {
        on_cancel(NULL, NULL, user_data);
        return FALSE;
}

/* Activating an optional row (Enter, Space, a click) flips its switch. */
static void on_row_activated(GtkListBox *box, GtkListBoxRow *row, gpointer user_data) {
        GtkSwitch *sw = g_object_get_data(G_OBJECT(row), "consent-switch");

        if (sw)
                gtk_switch_set_active(sw, !gtk_switch_get_active(sw));
}

static const char *change_text(permit_change c) {
        switch (c) {
        case PERMIT_CHANGE_ADDED: return _("New in this version");
        case PERMIT_CHANGE_WIDENED: return _("Wider than before");
        case PERMIT_CHANGE_NOW_REQUIRED: return _("Now required (was optional)");
        case PERMIT_CHANGE_REMOVED:
        case PERMIT_CHANGE_UNCHANGED: break;
        }
        return NULL;
}

/* The warnings of some capability ids, one per line. */
static char *warning_lines(const GPtrArray *ids) {
        g_autoptr(GString) s = g_string_new(NULL);

        for (guint i = 0; i < ids->len; i++) {
                g_autofree char *text = consent_warning_text(g_ptr_array_index(ids, i));
                g_string_append_printf(s, "%s• %s", i ? "\n" : "", text);
        }
        return g_string_free(g_steal_pointer(&s), FALSE);
}

static GtkWidget *item_row(dialog *d, size_t i) {
        const consent_item *item = &d->req->items[i];
        const permit_warning *w = item->warning;
        GtkWidget *row = gtk_list_box_row_new();
        GtkWidget *hbox = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
        GtkWidget *text = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
        GtkWidget *head = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);
        GtkWidget *badge = gtk_label_new(consent_risk_label(w->risk));
        g_autofree char *reason = w->reason && w->reason[0] ? g_strdup_printf(_("Developer says: “%s”"), w->reason)
                                                             : g_strdup(_("The developer gives no reason."));
        g_autofree char *name = g_strdup_printf("%s (%s)", w->text, consent_risk_label(w->risk));
        const char *change = d->req->mode == CONSENT_UPDATE ? change_text(item->change) : NULL;

        gtk_widget_set_margin_start(hbox, 10);
        gtk_widget_set_margin_end(hbox, 10);
        gtk_widget_set_margin_top(hbox, 8);
        gtk_widget_set_margin_bottom(hbox, 8);
        gtk_widget_add_css_class(badge, "risk");
        gtk_widget_add_css_class(badge, consent_risk_css(w->risk));
        gtk_widget_set_valign(badge, GTK_ALIGN_START);
        gtk_box_append(GTK_BOX(head), badge);
        gtk_box_append(GTK_BOX(head), consent_label(w->text, "warning-text"));
        gtk_box_append(GTK_BOX(text), head);
        if (change) {
                g_autofree char *was = NULL;

                if (item->was && item->change != PERMIT_CHANGE_ADDED) {
                        g_autofree char *before = consent_warning_text(item->was);
                        was = g_strdup_printf(_("%s; before: “%s”"), change, before);
                }
                gtk_box_append(GTK_BOX(text), consent_label(was ? was : change, "change"));
        }
        gtk_box_append(GTK_BOX(text), consent_label(reason, "reason"));
        {
                /* the exact capability, and the narrower ones it covers */
                g_autoptr(GString) s = g_string_new(w->capability);
                GtkWidget *l;

                for (size_t k = 0; k < w->n_absorbed; k++)
                        g_string_append_printf(s, k ? ", %s" : _(" (also covers %s"), w->absorbed[k]);
                if (w->n_absorbed)
                        g_string_append_c(s, ')');
                l = consent_label(s->str, "dim-label");
                gtk_label_set_selectable(GTK_LABEL(l), FALSE);
                gtk_widget_add_css_class(l, "caption");
                gtk_box_append(GTK_BOX(text), l);
        }
        gtk_widget_set_hexpand(text, TRUE);
        gtk_box_append(GTK_BOX(hbox), text);

        if (!w->required) {
                GtkWidget *sw = gtk_switch_new();
                gssize k = consent_request_decision_index(d->req, w->capability);

                /* off, unless the user turned it on before (a reinstall) */
                gtk_switch_set_active(GTK_SWITCH(sw), k >= 0 && !permit_decision_is_new(d->req->decision, (size_t) k) &&
                                                              permit_decision_granted(d->req->decision, (size_t) k));

                /* the host has no such feature: it stays off */
                if (consent_capability_unknown(w->capability)) {
                        gtk_switch_set_active(GTK_SWITCH(sw), FALSE);
                        gtk_widget_set_sensitive(sw, FALSE);
                }
                gtk_widget_set_valign(sw, GTK_ALIGN_CENTER);
                consent_accessible(sw, w->text, reason);
                gtk_box_append(GTK_BOX(hbox), sw);
                g_object_set_data(G_OBJECT(row), "consent-switch", sw);
                d->switches[i] = sw;
        }
        gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row),
                                         !w->required && !consent_capability_unknown(w->capability));
        gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), hbox);
        consent_accessible(row, name, reason);
        return row;
}

static GtkWidget *section(dialog *d, bool required, const char *title, const char *subtitle) {
        GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);
        GtkWidget *list = gtk_list_box_new();
        GtkWidget *heading = consent_label(title, "section-title");

        gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
        gtk_widget_add_css_class(list, "boxed-list");
        gtk_widget_add_css_class(list, "frame");
        g_signal_connect(list, "row-activated", G_CALLBACK(on_row_activated), d);
        for (size_t i = 0; i < d->req->n_items; i++)
                if (d->req->items[i].warning->required == required)
                        gtk_list_box_append(GTK_LIST_BOX(list), item_row(d, i));
        consent_accessible(list, title, subtitle);
        gtk_accessible_update_relation(GTK_ACCESSIBLE(list), GTK_ACCESSIBLE_RELATION_LABELLED_BY, heading, NULL, -1);
        gtk_box_append(GTK_BOX(box), heading);
        gtk_box_append(GTK_BOX(box), consent_label(subtitle, "dim-label"));
        gtk_box_append(GTK_BOX(box), list);
        return box;
}



/* Update: what does not change. */
static GtkWidget *unchanged_section(dialog *d) {
        const consent_request *req = d->req;
        GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4);

        gtk_box_append(GTK_BOX(box), consent_label(_("What stays as it was"), "section-title"));
        if (req->kept_granted->len) {
                g_autofree char *lines = warning_lines(req->kept_granted);
                gtk_box_append(GTK_BOX(box), consent_label(_("Still allowed, as you decided before:"), NULL));
                gtk_box_append(GTK_BOX(box), consent_label(lines, "dim-label"));
        }
        if (req->kept_denied->len) {
                g_autofree char *lines = warning_lines(req->kept_denied);
                gtk_box_append(GTK_BOX(box), consent_label(_("Still not allowed, as you decided before:"), NULL));
                gtk_box_append(GTK_BOX(box), consent_label(lines, "dim-label"));
        }
        if (req->removed->len) {
                g_autofree char *lines = warning_lines(req->removed);
                gtk_box_append(GTK_BOX(box), consent_label(_("No longer asked for:"), NULL));
                gtk_box_append(GTK_BOX(box), consent_label(lines, "dim-label"));
        }
        if (!req->kept_granted->len && !req->kept_denied->len && !req->removed->len)
                gtk_box_append(GTK_BOX(box), consent_label(_("Nothing was allowed before."), "dim-label"));
        return box;
}

static GtkWidget *identity(const consent_request *req) {
        const permit_manifest *m = permit_package_info_manifest(req->info);
        GtkWidget *grid = gtk_grid_new();
        const char *key_note;
        struct {
                const char *label, *value;
        } rows[] = {
                { _("Publisher"), permit_manifest_publisher(m) },
                { _("Version"), permit_manifest_version(m) },
                { _("Add-on id"), permit_manifest_id(m) },
                { _("Signing key"), req->key_id },
        };

        if (req->key_first_use && !req->key_given)
                key_note = _("First install: this key is the one the package names for itself; nothing vouches "
                             "for it yet. If you allow, it is remembered, and updates must be signed with it.");
        else if (req->key_first_use)
                key_note = _("Checked with the key you gave. If you allow, it is remembered, and updates must be "
                             "signed with it.");
        else
                key_note = _("Signed with the same key as when you installed it.");

        gtk_grid_set_column_spacing(GTK_GRID(grid), 12);
        gtk_grid_set_row_spacing(GTK_GRID(grid), 2);
        for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
                GtkWidget *l = gtk_label_new(rows[i].label);
                GtkWidget *v = consent_label(rows[i].value, NULL);

                gtk_label_set_xalign(GTK_LABEL(l), 0);
                gtk_widget_add_css_class(l, "dim-label");
                gtk_label_set_selectable(GTK_LABEL(v), FALSE);
                gtk_accessible_update_relation(GTK_ACCESSIBLE(v), GTK_ACCESSIBLE_RELATION_LABELLED_BY, l, NULL, -1);
                gtk_grid_attach(GTK_GRID(grid), l, 0, (int) i, 1, 1);
                gtk_grid_attach(GTK_GRID(grid), v, 1, (int) i, 1, 1);
        }
        gtk_grid_attach(GTK_GRID(grid), consent_label(key_note, "dim-label"), 1, G_N_ELEMENTS(rows), 1, 1);
        return grid;
}

static char *title_text(const consent_request *req) {
        const permit_manifest *m = permit_package_info_manifest(req->info);

        if (req->mode == CONSENT_UPDATE)
                return g_strdup_printf(_("Update “%s” from %s to %s?"), permit_manifest_name(m),
                                       permit_manifest_version(req->old_manifest), permit_manifest_version(m));
        if (!req->n_items)
                return g_strdup_printf(_("Install “%s”?"), permit_manifest_name(m));
        return g_strdup_printf(_("Allow “%s” to use these permissions?"), permit_manifest_name(m));
}

GtkWindow *consent_dialog_new(GtkApplication *app, consent_request *req, consent_done_fn done, gpointer user_data) {
        static const GActionEntry actions[] = {
                { .name = "allow", .activate = on_allow },
                { .name = "cancel", .activate = on_cancel },
        };
        dialog *d = g_new0(dialog, 1);
        GtkWidget *win = app ? gtk_application_window_new(app) : gtk_window_new();
        GtkWidget *outer = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
        GtkWidget *inner = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
        GtkWidget *scroll = gtk_scrolled_window_new();
        GtkWidget *buttons = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);
        GtkWidget *cancel = gtk_button_new_with_mnemonic(_("_Cancel"));
        GtkWidget *allow = gtk_button_new_with_mnemonic(_("_Allow"));
        GSimpleActionGroup *group = g_simple_action_group_new();
        g_autofree char *title = title_text(req);
        GtkWidget *title_label = consent_heading(title);
        size_t n_required = 0, n_optional = 0;

        consent_style_init();
        d->req = req;
        d->done = done;
        d->user_data = user_data;
        d->win = GTK_WINDOW(win);
        d->switches = g_new0(GtkWidget *, req->n_items + 1);
        g_object_set_data_full(G_OBJECT(win), "consent-dialog", d, dialog_free);

        gtk_window_set_title(GTK_WINDOW(win), title);
        g_action_map_add_action_entries(G_ACTION_MAP(group), actions, G_N_ELEMENTS(actions), d);
        gtk_widget_insert_action_group(win, "consent", G_ACTION_GROUP(group));
        g_object_unref(group);
        consent_escape_runs(GTK_WINDOW(win), "consent.cancel");
        g_signal_connect(win, "close-request", G_CALLBACK(on_close_request), d);

        gtk_widget_set_margin_start(outer, 18);
        gtk_widget_set_margin_end(outer, 18);
        gtk_widget_set_margin_top(outer, 18);
        gtk_widget_set_margin_bottom(outer, 18);
        gtk_box_append(GTK_BOX(outer), title_label);
        gtk_box_append(GTK_BOX(outer), identity(req));
        gtk_box_append(GTK_BOX(outer), gtk_separator_new(GTK_ORIENTATION_HORIZONTAL));

        for (size_t i = 0; i < req->n_items; i++)
                req->items[i].warning->required ? n_required++ : n_optional++;
        if (n_required)
                gtk_box_append(GTK_BOX(inner),
                               section(d, true, _("Required"),
                                       _("The add-on cannot run without these. Allow accepts them all; Cancel "
                                         "refuses them all.")));
        if (n_optional)
                gtk_box_append(GTK_BOX(inner),
                               section(d, false, _("Optional"),
                                       _("Each stays off unless you turn it on. You can change this later.")));
        if (!req->n_items)
                gtk_box_append(GTK_BOX(inner),
                               consent_label(req->mode == CONSENT_UPDATE ? _("This update asks for nothing new.")
                                                                         : _("This add-on asks for no permissions."),
                                             NULL));
        if (req->mode == CONSENT_UPDATE)
                gtk_box_append(GTK_BOX(inner), unchanged_section(d));
        gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
        gtk_scrolled_window_set_propagate_natural_height(GTK_SCROLLED_WINDOW(scroll), TRUE);
        gtk_scrolled_window_set_max_content_height(GTK_SCROLLED_WINDOW(scroll), 2000);
                gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), inner);
        gtk_widget_set_vexpand(scroll, TRUE);
        gtk_box_append(GTK_BOX(outer), scroll);

        gtk_actionable_set_action_name(GTK_ACTIONABLE(cancel), "consent.cancel");
        gtk_actionable_set_action_name(GTK_ACTIONABLE(allow), "consent.allow");
        gtk_widget_add_css_class(allow, "suggested-action");
        consent_accessible(cancel, _("Cancel"), _("Install nothing and allow nothing"));
        consent_accessible(allow, _("Allow"),
                           n_optional ? _("Allow the required permissions and the optional ones turned on")
                                      : _("Allow the permissions listed"));
        gtk_widget_set_halign(buttons, GTK_ALIGN_END);
        gtk_box_append(GTK_BOX(buttons), cancel);
        gtk_box_append(GTK_BOX(buttons), allow);
        gtk_box_append(GTK_BOX(outer), buttons);
        gtk_window_set_child(GTK_WINDOW(win), outer);
        consent_window_fit(GTK_WINDOW(win), outer, 600, 760);

        /* Allow is the default button, but the focus starts on Cancel: a
         * stray Enter or Space must never grant anything. */
        gtk_window_set_default_widget(GTK_WINDOW(win), allow);
        gtk_window_set_focus(GTK_WINDOW(win), cancel);
        return GTK_WINDOW(win);
}

GtkSwitch *consent_dialog_switch(GtkWindow *win, const char *capability) {
        dialog *d = g_object_get_data(G_OBJECT(win), "consent-dialog");

        for (size_t i = 0; d && i < d->req->n_items; i++)
                if (d->switches[i] && g_str_equal(d->req->items[i].warning->capability, capability))
                        return GTK_SWITCH(d->switches[i]);
        return NULL;
}
