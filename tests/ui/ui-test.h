/* SPDX-License-Identifier: MIT */
/* What the UI tests share: a profile and a key pair in a temp dir,
 * packages signed in the test, running the main loop, finding widgets,
 * and a PNG of each window in the build directory (PERMIT_UI_SHOTS) for a
 * person to look at. Include after <cmocka.h>. */
#pragma once

#include <gtk/gtk.h>
#include <stdio.h>
#include <sys/stat.h>

#include "consent-private.h"
#include "permit/keys.h"
#include "permit/package.h"
#include "permit/store.h"
#include "tests/unit/test-files.h"

typedef struct ui_fixture {
        char *tmp;
        char *profile;
        char *pubkey_file;
        permit_pubkey *pk;
        permit_seckey *sk;
        consent_result *result; /* what the window said when done */
        int n_done;
} ui_fixture;

static ui_fixture ui;

static inline void ui_setup(void) {
        ui.tmp = test_tempdir();
        ui.profile = test_join(ui.tmp, "profile");
        ui.pubkey_file = test_join(ui.tmp, "key.pub");
        assert_int_equal(permit_keypair_generate(&ui.pk, &ui.sk), 0);
        assert_int_equal(permit_pubkey_save(ui.pk, ui.pubkey_file, 0), 0);
        ui.result = NULL;
        ui.n_done = 0;
}

static inline void ui_teardown(void) {
        consent_result_free(ui.result);
        permit_pubkey_free(ui.pk);
        permit_seckey_free(ui.sk);
        free(ui.profile);
        free(ui.pubkey_file);
        test_rm_rf(ui.tmp);
        memset(&ui, 0, sizeof(ui));
}

/* cmocka's setup and teardown around every test: a fresh fixture. */
static inline int ui_setup_cm(void **state) {
        ui_setup();
        return 0;
}

static inline int ui_teardown_cm(void **state) {
        ui_teardown();
        return 0;
}

#define UI_TEST(f) cmocka_unit_test_setup_teardown(f, ui_setup_cm, ui_teardown_cm)

static inline void ui_done(consent_result *result, gpointer user_data) {
        consent_result_free(ui.result);
        ui.result = result;
        ui.n_done++;
}

/* Runs the main loop until nothing is left to do. */
static inline void ui_iterate(void) {
        for (int i = 0; i < 1000 && g_main_context_iteration(NULL, FALSE); i++)
                ;
}

/* Runs a window's action ("consent.allow"), as its button or shortcut
 * would, and lets the main loop settle. */
static inline void ui_action(GtkWindow *win, const char *action) {
        assert_true(gtk_widget_activate_action(GTK_WIDGET(win), action, NULL));
        ui_iterate();
}

/* Runs the main loop for ms milliseconds (a button's "activate" shows
 * the press for a moment before "clicked"). */
static inline void ui_wait(guint ms) {
        gint64 end = g_get_monotonic_time() + (gint64) ms * 1000;

        while (g_get_monotonic_time() < end)
                if (!g_main_context_iteration(NULL, FALSE))
                        g_usleep(1000);
}

static inline void ui_on_clicked(GtkButton *b, gpointer user_data) {
        *(bool *) user_data = true;
}

/* Presses a button the way the keyboard does (Space/Enter on it), and
 * runs the main loop until it has been clicked (up to 5 s). */
static inline void ui_press(GtkButton *b) {
        bool clicked = false;
        gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
        gulong id;

        assert_non_null(b);
        id = g_signal_connect(b, "clicked", G_CALLBACK(ui_on_clicked), &clicked);
        assert_true(gtk_widget_activate(GTK_WIDGET(b)));
        while (!clicked && g_get_monotonic_time() < end)
                if (!g_main_context_iteration(NULL, FALSE))
                        g_usleep(1000);
        g_signal_handler_disconnect(b, id);
        assert_true(clicked);
        ui_iterate();
}

/* A package directory NAME in the temp dir with this permit.json (the
 * capabilities part as JSON), signed with the fixture's key. */
static inline char *ui_package_named(const char *name, const char *display, const char *id, const char *version,
                                     const char *caps, const permit_seckey *sk) {
        char *dir = test_join(ui.tmp, name), *p;
        char *json = NULL;
        permit_error error = { 0 };
        int r;

        assert_int_equal(mkdir(dir, 0755), 0);
        assert_true(asprintf(&json,
                             "{\"id\": \"%s\", \"name\": \"%s\", \"version\": \"%s\",\n"
                             " \"publisher\": \"Example Flashcards Ltd\", \"entry\": \"__init__.py\",\n"
                             " \"capabilities\": [%s]}\n",
                             id, display, version, caps) > 0);
        p = test_join(dir, "permit.json");
        test_write_string(p, json);
        free(p);
        p = test_join(dir, "__init__.py");
        test_write_string(p, "print('serendipity')\n");
        free(p);
        free(json);
        r = permit_package_sign(sk, dir, NULL, &error);
        if (r < 0)
                printf("# sign %s: %s\n", dir, error.text);
        assert_int_equal(r, 0);
        return dir;
}

static inline char *ui_package(const char *name, const char *id, const char *version, const char *caps) {
        return ui_package_named(name, "Word of the Day", id, version, caps, ui.sk);
}

/* The request for a package, as permit-consent builds it. */
static inline consent_request *ui_request(consent_mode mode, const char *package, const char *pubkey_file,
                                          const char *installed) {
        consent_options o = {
                .mode = mode,
                .profile = ui.profile,
                .pubkey_file = (char *) pubkey_file,
                .package = (char *) package,
                .installed = (char *) installed,
        };
        consent_request *req = NULL;
        char *message = NULL;
        int r = consent_request_new(&o, &req, &message);

        if (r < 0)
                printf("# request %s: %s\n", package, message);
        assert_int_equal(r, 0);
        assert_null(message);
        return req;
}

static inline void ui_show(GtkWindow *win) {
        gtk_window_present(win);
        gtk_test_widget_wait_for_draw(GTK_WIDGET(win));
        ui_iterate();
}

/* Renders the window into PERMIT_UI_SHOTS/NAME.png and checks it is a
 * real picture of a real size. */
static inline void ui_screenshot(GtkWindow *win, const char *name) {
        const char *dir = getenv("PERMIT_UI_SHOTS");
        GtkWidget *w = GTK_WIDGET(win);
        int width = gtk_widget_get_width(w), height = gtk_widget_get_height(w);
        GdkPaintable *paintable = gtk_widget_paintable_new(w);
        GtkSnapshot *snapshot = gtk_snapshot_new();
        GskRenderNode *node;
        GdkTexture *texture;
        char *path = NULL;
        struct stat st;

        assert_non_null(dir);
        gtk_widget_queue_draw(w);
        gtk_test_widget_wait_for_draw(w);
        width = gtk_widget_get_width(w);
        height = gtk_widget_get_height(w);
        assert_true(width > 100 && height > 100);
        /* empty while an animation (a switch sliding) waits for layout */
        for (int i = 0;; i++) {
                gdk_paintable_snapshot(paintable, snapshot, width, height);
                node = gtk_snapshot_free_to_node(snapshot);
                if (node || i == 50)
                        break;
                ui_wait(50);
                snapshot = gtk_snapshot_new();
        }
        assert_non_null(node);
        texture = gsk_renderer_render_texture(gtk_native_get_renderer(GTK_NATIVE(win)), node,
                                              &GRAPHENE_RECT_INIT(0, 0, (float) width, (float) height));
        assert_non_null(texture);
        assert_true(asprintf(&path, "%s/%s.png", dir, name) > 0);
        assert_true(gdk_texture_save_to_png(texture, path));
        assert_int_equal(stat(path, &st), 0);
        assert_true(st.st_size > 1000);
        printf("# screenshot %s (%dx%d)\n", path, width, height);
        free(path);
        g_object_unref(texture);
        gsk_render_node_unref(node);
        g_object_unref(paintable);
}

/* The first label under w whose text contains s, or NULL. */
static inline GtkLabel *ui_find_label(GtkWidget *w, const char *s) {
        if (GTK_IS_LABEL(w) && strstr(gtk_label_get_text(GTK_LABEL(w)), s))
                return GTK_LABEL(w);
        for (GtkWidget *c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c)) {
                GtkLabel *l = ui_find_label(c, s);
                if (l)
                        return l;
        }
        return NULL;
}

/* The first button under w whose label is text (mnemonic included). */
static inline GtkButton *ui_find_button(GtkWidget *w, const char *text) {
        if (GTK_IS_BUTTON(w) && gtk_button_get_label(GTK_BUTTON(w)) &&
            strcmp(gtk_button_get_label(GTK_BUTTON(w)), text) == 0)
                return GTK_BUTTON(w);
        for (GtkWidget *c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c)) {
                GtkButton *b = ui_find_button(c, text);
                if (b)
                        return b;
        }
        return NULL;
}

/* Escape, as the window's shortcut controllers bind it: finds the shortcut
 * whose trigger is the Escape key and runs its action on the window. */
static inline void ui_press_escape(GtkWindow *win) {
        GListModel *controllers = gtk_widget_observe_controllers(GTK_WIDGET(win));
        bool found = false;

        for (guint i = 0; !found && i < g_list_model_get_n_items(controllers); i++) {
                GtkEventController *c = g_list_model_get_item(controllers, i);

                if (GTK_IS_SHORTCUT_CONTROLLER(c))
                        for (guint k = 0; !found && k < g_list_model_get_n_items(G_LIST_MODEL(c)); k++) {
                                GtkShortcut *sc = g_list_model_get_item(G_LIST_MODEL(c), k);
                                GtkShortcutTrigger *t = gtk_shortcut_get_trigger(sc);

                                if (GTK_IS_KEYVAL_TRIGGER(t) &&
                                    gtk_keyval_trigger_get_keyval(GTK_KEYVAL_TRIGGER(t)) == GDK_KEY_Escape &&
                                    gtk_keyval_trigger_get_modifiers(GTK_KEYVAL_TRIGGER(t)) == 0) {
                                        assert_true(gtk_shortcut_action_activate(gtk_shortcut_get_action(sc), 0,
                                                                                 GTK_WIDGET(win), NULL));
                                        found = true;
                                }
                                g_object_unref(sc);
                        }
                g_object_unref(c);
        }
        g_object_unref(controllers);
        assert_true(found);
        ui_iterate();
}

/* Every control a user can reach (switches, buttons, list rows and lists)
 * has an accessible name, and every switch a description (the developer's
 * reason). Needs GTK_A11Y=test. Returns how many controls were checked. */
static inline int ui_assert_accessible(GtkWidget *w) {
        int n = 0;

        if (GTK_IS_SWITCH(w) || GTK_IS_BUTTON(w) || GTK_IS_LIST_BOX_ROW(w) || GTK_IS_LIST_BOX(w)) {
                if (!gtk_test_accessible_has_property(GTK_ACCESSIBLE(w), GTK_ACCESSIBLE_PROPERTY_LABEL))
                        printf("# no accessible name: %s %s\n", G_OBJECT_TYPE_NAME(w),
                               GTK_IS_BUTTON(w) ? gtk_button_get_label(GTK_BUTTON(w)) : "");
                assert_true(gtk_test_accessible_has_property(GTK_ACCESSIBLE(w), GTK_ACCESSIBLE_PROPERTY_LABEL));
                n++;
        }
        if (GTK_IS_SWITCH(w))
                assert_true(gtk_test_accessible_has_property(GTK_ACCESSIBLE(w),
                                                             GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
        for (GtkWidget *c = gtk_widget_get_first_child(w); c; c = gtk_widget_get_next_sibling(c))
                n += ui_assert_accessible(c);
        return n;
}

/* The store as it is on disk now. */
static inline permit_store *ui_store(void) {
        permit_store *s = NULL;
        permit_error error = { 0 };
        int r = permit_store_open(ui.profile, 0, &s, &error);

        if (r < 0)
                printf("# store %s: %s\n", ui.profile, error.text);
        assert_int_equal(r, 0);
        return s;
}

/* Asserts the store's decision on one capability of add-on id. */
static inline void ui_assert_decision(permit_store *s, const char *id, const char *cap, bool granted) {
        const permit_record *rec = permit_store_find(s, id);
        const permit_cap_decision *d;

        assert_non_null(rec);
        d = permit_record_find_decision(rec, cap);
        if (!d)
                printf("# %s: no decision on %s\n", id, cap);
        assert_non_null(d);
        if (d->granted != granted)
                printf("# %s: %s is %s\n", id, cap, d->granted ? "granted" : "denied");
        assert_int_equal(d->granted, granted);
}

static inline bool ui_result_has(const GPtrArray *a, const char *s) {
        for (guint i = 0; i < a->len; i++)
                if (g_strcmp0(g_ptr_array_index(a, i), s) == 0)
                        return true;
        return false;
}

/* gtk_init() once, then the tests; the PNGs go where meson says. */
static inline int ui_main(const char *name, const struct CMUnitTest *tests, size_t n) {
        g_setenv("GSK_RENDERER", "cairo", FALSE);
        g_setenv("GDK_BACKEND", "x11", FALSE);
        if (!gtk_init_check()) {
                printf("Bail out! cannot open the display (run under xvfb-run)\n");
                return 1;
        }
        return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}
