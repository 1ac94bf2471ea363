/* SPDX-License-Identifier: MIT */
/* The pieces both windows are made of: risk badges, wrapped labels,
 * accessible names, Escape, and the little CSS they share. */
#include <glib/gi18n.h>

#include "consent-private.h"

const char *consent_risk_label(permit_risk risk) {
        switch (risk) {
        case PERMIT_RISK_NONE: return _("No risk");
        case PERMIT_RISK_LOW: return _("Low risk");
        case PERMIT_RISK_MEDIUM: return _("Medium risk");
        case PERMIT_RISK_HIGH: return _("High risk");
        case PERMIT_RISK_CRITICAL: return _("Critical risk");
        }
        return "";
}

const char *consent_risk_css(permit_risk risk) {
        switch (risk) {
        case PERMIT_RISK_NONE:
        case PERMIT_RISK_LOW: return "risk-low";
        case PERMIT_RISK_MEDIUM: return "risk-medium";
        case PERMIT_RISK_HIGH: return "risk-high";
        case PERMIT_RISK_CRITICAL: return "risk-critical";
        }
        return "risk-low";
}

/* Colours with enough contrast for white text (WCAG AA at this size). */
static const char css[] =
        ".risk { border-radius: 4px; padding: 1px 6px; font-weight: bold; font-size: smaller; color: white; }\n"
        ".risk-low { background: #3a6e2f; }\n"
        ".risk-medium { background: #8a5a00; }\n"
        ".risk-high { background: #b02a16; }\n"
        ".risk-critical { background: #6d1b7b; }\n"
        ".warning-text { font-weight: bold; }\n"
        ".reason { font-style: italic; }\n"
        ".section-title { font-weight: bold; margin-top: 6px; }\n"
        ".title-1 { font-size: 150%; font-weight: bold; }\n"
        ".change { font-size: smaller; font-weight: bold; }\n";

void consent_style_init(void) {
        static gboolean done;
        GtkCssProvider *p;

        if (done)
                return;
        p = gtk_css_provider_new();
        gtk_css_provider_load_from_data(p, css, -1);
        gtk_style_context_add_provider_for_display(gdk_display_get_default(), GTK_STYLE_PROVIDER(p),
                                                   GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
        g_object_unref(p);
        done = TRUE;
}

void consent_accessible(GtkWidget *w, const char *label, const char *description) {
        if (label)
                gtk_accessible_update_property(GTK_ACCESSIBLE(w), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
        if (description)
                gtk_accessible_update_property(GTK_ACCESSIBLE(w), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                               -1);
}

void consent_escape_runs(GtkWindow *win, const char *action) {
        GtkEventController *c = gtk_shortcut_controller_new();

        gtk_shortcut_controller_set_scope(GTK_SHORTCUT_CONTROLLER(c), GTK_SHORTCUT_SCOPE_GLOBAL);
        gtk_shortcut_controller_add_shortcut(GTK_SHORTCUT_CONTROLLER(c),
                                             gtk_shortcut_new(gtk_keyval_trigger_new(GDK_KEY_Escape, 0),
                                                              gtk_named_action_new(action)));
        gtk_widget_add_controller(GTK_WIDGET(win), c);
}

GtkWidget *consent_label(const char *text, const char *css_class) {
        GtkWidget *l = gtk_label_new(text);

        gtk_label_set_wrap(GTK_LABEL(l), TRUE);
        gtk_label_set_wrap_mode(GTK_LABEL(l), PANGO_WRAP_WORD_CHAR);
        /* A wrapping label's minimum height is its height at its minimum
         * width; without a floor the window opens one word wide and tall. */
        gtk_label_set_width_chars(GTK_LABEL(l), 24);
        gtk_label_set_xalign(GTK_LABEL(l), 0);
        gtk_widget_set_halign(l, GTK_ALIGN_FILL);
        gtk_widget_set_hexpand(l, TRUE);
        if (css_class)
                gtk_widget_add_css_class(l, css_class);
        return l;
}

GtkWidget *consent_heading(const char *text) {
        GtkWidget *l = g_object_new(GTK_TYPE_LABEL, "accessible-role", GTK_ACCESSIBLE_ROLE_HEADING, "label", text,
                                    "wrap", TRUE, "xalign", 0.0f, NULL);

        gtk_widget_add_css_class(l, "title-1");
        gtk_label_set_width_chars(GTK_LABEL(l), 24);
        return l;
}

void consent_window_fit(GtkWindow *win, GtkWidget *content, int width, int max_height) {
        int min = 0, nat = 0;

        /* measured a little narrower than it will be: a line too many
         * leaves space, a line too few hides the last one behind a scroll */
        gtk_widget_measure(content, GTK_ORIENTATION_VERTICAL, width - 48, &min, &nat, NULL, NULL);
        gtk_window_set_default_size(win, width, MIN(MAX(nat, min) + 12, max_height));
}

static const permit_host_vocabulary *host_vocabulary;

void consent_host_vocabulary_set(const permit_host_vocabulary *v) {
        host_vocabulary = v;
}

const permit_host_vocabulary *consent_host_vocabulary(void) {
        return host_vocabulary;
}

bool consent_capability_unknown(const char *capability) {
        return permit_host_vocabulary_unknown(host_vocabulary, capability);
}

char *consent_warning_text(const char *capability) {
        char buf[512];
        int risk = permit_host_vocabulary_warning(host_vocabulary, capability, buf, sizeof(buf));

        return g_strdup(risk >= 0 && buf[0] ? buf : capability);
}

permit_risk consent_warning_risk(const char *capability) {
        char buf[512];
        int risk = permit_host_vocabulary_warning(host_vocabulary, capability, buf, sizeof(buf));

        return risk >= 0 ? (permit_risk) risk : PERMIT_RISK_NONE;
}
