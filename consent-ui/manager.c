/* SPDX-License-Identifier: MIT */
/* The manager window: every add-on the profile knows, what it may do and
 * when it last did it, and a Revoke button for each (the Flatseal idea).
 * A revoke is written at once, through the store. */
#include <glib/gi18n.h>

#include <string.h>

#include "consent-private.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(permit_usage, permit_usage_free)

typedef struct manager {
        permit_store *store;
        consent_done_fn done;
        gpointer user_data;
        GHashTable *rows;      /* "ID\nCAPABILITY" -> GtkWidget *box of that grant */
        consent_result *result; /* what was revoked so far */
        gboolean finished;
} manager;

static void manager_free(gpointer p) {
        manager *m = p;

        permit_store_free(m->store);
        g_hash_table_unref(m->rows);
        consent_result_free(m->result);
        g_free(m);
}

static char *row_key(const char *id, const char *capability) {
        return g_strdup_printf("%s\n%s", id, capability);
}

/* Marks a grant's row as revoked: the button goes, the status says so. */
static void show_revoked(manager *m, const char *id, const char *capability) {
        g_autofree char *key = row_key(id, capability);
        GtkWidget *box = g_hash_table_lookup(m->rows, key);
        GtkWidget *button, *status;

        if (!box)
                return;
        button = g_object_get_data(G_OBJECT(box), "revoke-button");
        status = g_object_get_data(G_OBJECT(box), "status");
        gtk_label_set_text(GTK_LABEL(status), _("Revoked"));
        consent_accessible(status, _("Revoked"), NULL);
        gtk_widget_set_sensitive(button, FALSE);
}

static void revoke_grant(manager *m, const char *id, const char *capability, GtkWindow *win) {
        permit_error error = { 0 };
        char buf[1024];
        int r = permit_store_revoke(m->store, id, capability, &error);

        if (r < 0) {
                GtkWidget *status = g_object_get_data(G_OBJECT(win), "status");
                g_autofree char *text = g_strdup_printf(
                        _("Could not revoke: %s"),
                        error.text[0] ? permit_error_string(&error, buf, sizeof(buf)) : g_strerror(-r));
                gtk_label_set_text(GTK_LABEL(status), text);
                return;
        }
        g_ptr_array_add(m->result->revoked, g_strdup(id));
        g_ptr_array_add(m->result->revoked, g_strdup(capability));
        if (capability) {
                show_revoked(m, id, capability);
                return;
        }
        {
                g_autofree char *key = row_key(id, "");
                GtkWidget *all = g_hash_table_lookup(m->rows, key);

                if (all)
                        gtk_widget_set_sensitive(all, FALSE);
        }
        {
                const permit_record *rec = permit_store_find(m->store, id);

                for (size_t i = 0; rec && i < permit_record_n_decisions(rec); i++)
                        show_revoked(m, id, permit_record_decision(rec, i)->capability);
        }
}

static void on_revoke(GSimpleAction *action, GVariant *param, gpointer user_data) {
        GtkWindow *win = user_data;
        manager *m = g_object_get_data(G_OBJECT(win), "consent-manager");
        const char *s = g_variant_get_string(param, NULL);
        const char *nl = strchr(s, '\n');
        g_autofree char *id = NULL;

        if (!nl)
                return;
        id = g_strndup(s, (gsize) (nl - s));
        revoke_grant(m, id, nl + 1, win);
}

static void on_revoke_all(GSimpleAction *action, GVariant *param, gpointer user_data) {
        GtkWindow *win = user_data;
        manager *m = g_object_get_data(G_OBJECT(win), "consent-manager");

        revoke_grant(m, g_variant_get_string(param, NULL), NULL, win);
}

static void finish(manager *m) {
        if (m->finished)
                return;
        m->finished = TRUE;
        m->done(g_steal_pointer(&m->result), m->user_data);
}

static void on_close(GSimpleAction *action, GVariant *param, gpointer user_data) {
        finish(g_object_get_data(G_OBJECT(user_data), "consent-manager"));
}

static gboolean on_close_request(GtkWindow *win, gpointer user_data) {
        finish(g_object_get_data(G_OBJECT(win), "consent-manager"));
        return FALSE;
}

static char *last_used_text(int64_t when) {
        g_autoptr(GDateTime) dt = NULL;
        g_autofree char *date = NULL;

        if (when <= 0)
                return g_strdup(_("Never used"));
        dt = g_date_time_new_from_unix_local(when);
        date = dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M") : NULL;
        return g_strdup_printf(_("Last used %s"), date ? date : "?");
}

static GtkWidget *grant_row(manager *m, const permit_record *rec, const permit_cap_decision *dec,
                            const permit_usage *usage) {
        const char *id = permit_record_id(rec);
        permit_risk risk = consent_warning_risk(dec->capability);
        g_autofree char *text = consent_warning_text(dec->capability);
        GtkWidget *row = gtk_list_box_row_new();
        GtkWidget *hbox = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
        GtkWidget *vbox = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
        GtkWidget *head = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);
        GtkWidget *badge = gtk_label_new(consent_risk_label(risk));
        g_autofree char *used = last_used_text(usage ? permit_usage_last_used(usage, dec->capability) : 0);
        GtkWidget *status = consent_label(used, "dim-label");
        GtkWidget *button = gtk_button_new_with_mnemonic(_("_Revoke"));
        g_autofree char *target = g_strdup_printf("%s\n%s", id, dec->capability);
        g_autofree char *a11y = g_strdup_printf(_("Revoke “%s” from %s"), text, permit_record_name(rec));

        gtk_widget_add_css_class(badge, "risk");
        gtk_widget_add_css_class(badge, consent_risk_css(risk));
        gtk_widget_set_valign(badge, GTK_ALIGN_START);
        gtk_box_append(GTK_BOX(head), badge);
        gtk_box_append(GTK_BOX(head), consent_label(text, "warning-text"));
        gtk_box_append(GTK_BOX(vbox), head);
        gtk_box_append(GTK_BOX(vbox), consent_label(dec->capability, "dim-label"));
        gtk_box_append(GTK_BOX(vbox), status);
        gtk_widget_set_hexpand(vbox, TRUE);
        gtk_box_append(GTK_BOX(hbox), vbox);

        gtk_widget_set_valign(button, GTK_ALIGN_CENTER);
        gtk_actionable_set_action_target(GTK_ACTIONABLE(button), "s", target);
        gtk_actionable_set_action_name(GTK_ACTIONABLE(button), "manage.revoke");
        consent_accessible(button, a11y, used);
        gtk_box_append(GTK_BOX(hbox), button);
        gtk_widget_set_margin_start(hbox, 10);
        gtk_widget_set_margin_end(hbox, 10);
        gtk_widget_set_margin_top(hbox, 6);
        gtk_widget_set_margin_bottom(hbox, 6);
        gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), hbox);
        gtk_list_box_row_set_activatable(GTK_LIST_BOX_ROW(row), FALSE);
        gtk_widget_set_focusable(row, FALSE);
        consent_accessible(row, text, used);

        g_object_set_data(G_OBJECT(hbox), "revoke-button", button);
        g_object_set_data(G_OBJECT(hbox), "status", status);
        g_hash_table_insert(m->rows, row_key(id, dec->capability), hbox);
        return row;
}

/* Highest risk first, as the dialog lists them; then by id. */
static int by_risk(const void *a, const void *b) {
        const permit_cap_decision *x = *(const permit_cap_decision *const *) a;
        const permit_cap_decision *y = *(const permit_cap_decision *const *) b;
        int rx = (int) consent_warning_risk(x->capability);
        int ry = (int) consent_warning_risk(y->capability);

        if (rx != ry)
                return ry - rx;
        return strcmp(x->capability, y->capability);
}

static GtkWidget *addon_section(manager *m, const permit_record *rec) {
        const char *id = permit_record_id(rec);
        g_autoptr(permit_usage) usage = NULL;
        GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
        GtkWidget *head = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
        GtkWidget *list = gtk_list_box_new();
        g_autofree char *title = g_strdup_printf(_("%s %s"), permit_record_name(rec), permit_record_version(rec));
        g_autofree char *sub = g_strdup_printf(_("%s · by %s"), id, permit_record_publisher(rec));
        GtkWidget *titles = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
        GtkWidget *all = gtk_button_new_with_label(_("Revoke all"));
        g_autofree char *all_a11y = g_strdup_printf(_("Revoke everything %s may do"), permit_record_name(rec));
        g_autoptr(GString) denied = g_string_new(NULL);
        g_autofree const permit_cap_decision **sorted = NULL;
        size_t n, n_granted = 0;

        n = permit_record_n_decisions(rec);
        sorted = g_new0(const permit_cap_decision *, n + 1);
        for (size_t i = 0; i < n; i++)
                sorted[i] = permit_record_decision(rec, i);
        qsort(sorted, n, sizeof(*sorted), by_risk);
        if (permit_store_usage(m->store, id, &usage) < 0)
                usage = NULL; /* an unreadable log: "never used" is shown */
        gtk_box_append(GTK_BOX(titles), consent_label(title, "section-title"));
        gtk_box_append(GTK_BOX(titles), consent_label(sub, "dim-label"));
        gtk_widget_set_hexpand(titles, TRUE);
        gtk_box_append(GTK_BOX(head), titles);
        gtk_actionable_set_action_target(GTK_ACTIONABLE(all), "s", id);
        gtk_actionable_set_action_name(GTK_ACTIONABLE(all), "manage.revoke-all");
        gtk_widget_set_valign(all, GTK_ALIGN_CENTER);
        consent_accessible(all, all_a11y, NULL);
        g_hash_table_insert(m->rows, row_key(id, ""), all);
        gtk_box_append(GTK_BOX(head), all);
        gtk_box_append(GTK_BOX(box), head);

        gtk_list_box_set_selection_mode(GTK_LIST_BOX(list), GTK_SELECTION_NONE);
        gtk_widget_add_css_class(list, "frame");
        for (size_t i = 0; i < n; i++) {
                const permit_cap_decision *dec = sorted[i];

                if (!dec->requested)
                        continue;
                if (dec->granted) {
                        gtk_list_box_append(GTK_LIST_BOX(list), grant_row(m, rec, dec, usage));
                        n_granted++;
                } else {
                        g_autofree char *text = consent_warning_text(dec->capability);
                        g_string_append_printf(denied, "%s%s", denied->len ? "; " : "", text);
                }
        }
        consent_accessible(list, title, _("What this add-on may do"));
        if (n_granted)
                gtk_box_append(GTK_BOX(box), list);
        else {
                g_object_ref_sink(list);
                g_object_unref(list);
                gtk_widget_set_sensitive(all, FALSE);
                gtk_box_append(GTK_BOX(box), consent_label(_("Allowed nothing."), NULL));
        }
        if (denied->len) {
                g_autofree char *text = g_strdup_printf(_("Not allowed: %s"), denied->str);
                gtk_box_append(GTK_BOX(box), consent_label(text, "dim-label"));
        }
        return box;
}

GtkWindow *consent_manager_new(GtkApplication *app, const char *profile, consent_done_fn done,
                               gpointer user_data, char **ret_message) {
        static const GActionEntry actions[] = {
                { .name = "revoke", .activate = on_revoke, .parameter_type = "s" },
                { .name = "revoke-all", .activate = on_revoke_all, .parameter_type = "s" },
                { .name = "close", .activate = on_close },
        };
        permit_error error = { 0 };
        permit_store *store = NULL;
        manager *m;
        GtkWidget *win, *outer, *inner, *scroll, *close, *status, *title;
        GSimpleActionGroup *group;
        char buf[1024];
        int r;

        r = permit_store_open(profile, 0, &store, &error);
        if (r < 0 && r != -ENOENT) {
                *ret_message = error.text[0] ? g_strdup(permit_error_string(&error, buf, sizeof(buf)))
                                             : g_strdup_printf("%s: %s", profile ? profile : _("default profile"),
                                                               g_strerror(-r));
                return NULL;
        }
        consent_style_init();
        m = g_new0(manager, 1);
        m->store = store; /* NULL: no store yet, nothing installed */
        m->done = done;
        m->user_data = user_data;
        m->rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        m->result = consent_result_new(CONSENT_RESULT_SAVED, NULL);

        win = app ? gtk_application_window_new(app) : gtk_window_new();
        g_object_set_data_full(G_OBJECT(win), "consent-manager", m, manager_free);
        gtk_window_set_title(GTK_WINDOW(win), _("Add-on permissions"));
        group = g_simple_action_group_new();
        g_action_map_add_action_entries(G_ACTION_MAP(group), actions, G_N_ELEMENTS(actions), win);
        gtk_widget_insert_action_group(win, "manage", G_ACTION_GROUP(group));
        g_object_unref(group);
        consent_escape_runs(GTK_WINDOW(win), "manage.close");
        g_signal_connect(win, "close-request", G_CALLBACK(on_close_request), NULL);

        outer = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
        gtk_widget_set_margin_start(outer, 18);
        gtk_widget_set_margin_end(outer, 18);
        gtk_widget_set_margin_top(outer, 18);
        gtk_widget_set_margin_bottom(outer, 18);
        title = consent_heading(_("Add-on permissions"));
        gtk_box_append(GTK_BOX(outer), title);
        gtk_box_append(GTK_BOX(outer), consent_label(_("What each installed add-on may do, and when it last did "
                                                       "it. Revoking takes effect the next time the add-on starts."),
                                                     "dim-label"));

        inner = gtk_box_new(GTK_ORIENTATION_VERTICAL, 18);
        for (size_t i = 0; store && i < permit_store_n_records(store); i++)
                gtk_box_append(GTK_BOX(inner), addon_section(m, permit_store_record(store, i)));
        if (!store || !permit_store_n_records(store))
                gtk_box_append(GTK_BOX(inner), consent_label(_("No add-ons are installed in this profile."), NULL));
        scroll = gtk_scrolled_window_new();
        gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
        gtk_scrolled_window_set_propagate_natural_height(GTK_SCROLLED_WINDOW(scroll), TRUE);
        gtk_scrolled_window_set_max_content_height(GTK_SCROLLED_WINDOW(scroll), 2000);
        gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), inner);
        gtk_widget_set_vexpand(scroll, TRUE);
        gtk_box_append(GTK_BOX(outer), scroll);

        status = g_object_new(GTK_TYPE_LABEL, "accessible-role", GTK_ACCESSIBLE_ROLE_STATUS, "wrap", TRUE,
                              "xalign", 0.0f, NULL);
        g_object_set_data(G_OBJECT(win), "status", status);
        gtk_box_append(GTK_BOX(outer), status);
        close = gtk_button_new_with_mnemonic(_("C_lose"));
        gtk_actionable_set_action_name(GTK_ACTIONABLE(close), "manage.close");
        consent_accessible(close, _("Close"), _("Close this window; revoked permissions stay revoked"));
        gtk_widget_set_halign(close, GTK_ALIGN_END);
        gtk_box_append(GTK_BOX(outer), close);
        gtk_window_set_child(GTK_WINDOW(win), outer);
        gtk_window_set_default_widget(GTK_WINDOW(win), close);
        consent_window_fit(GTK_WINDOW(win), outer, 640, 640);
        return GTK_WINDOW(win);
}
