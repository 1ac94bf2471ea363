/* SPDX-License-Identifier: MIT */
/* The install dialog, driven in-process under a real X server: what lands
 * in the store for Allow (with optional switches on and off), Cancel and
 * closing the window, and what the dialog refuses to open on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ui-test.h"

#define ID "org.example.word-of-the-day"

/* Two required, three optional capabilities of every risk. */
static const char caps[] =
        "{\"id\": \"net.connect:api.dictionaryapi.dev:443\", \"required\": true,"
        "  \"reason\": \"Looks up the meaning of each day's word\"},"
        "{\"id\": \"fs.write:$DOCUMENTS/word-lists\", \"required\": true,"
        "  \"reason\": \"Saves the words you learned\"},"
        "{\"id\": \"net.connect:*\", \"required\": false,"
        "  \"reason\": \"Looks words up on any dictionary site you name\"},"
        "{\"id\": \"sys.clipboard:read\", \"required\": false},"
        "{\"id\": \"sys.notify\", \"required\": false, \"reason\": \"Tells you when a new word is ready\"}";

/* Opens the dialog on the package, shows it, saves its picture. */
static GtkWindow *open_dialog(consent_request *req, const char *shot) {
        GtkWindow *win = consent_dialog_new(NULL, req, ui_done, NULL);

        ui_show(win);
        if (shot)
                ui_screenshot(win, shot);
        return win;
}

static void test_allow_required_only(void **state) {
        g_autofree char *pkg = ui_package("addon", ID, "1.2.0", caps);
        consent_request *req = ui_request(CONSENT_INSTALL, pkg, ui.pubkey_file, NULL);
        GtkWindow *win;
        permit_store *s;
        const char *pub, *key_id;
        char want_id[PERMIT_KEY_ID_STRING_SIZE];
        g_autofree char *json = NULL;

        assert_true(req->key_first_use);
        assert_true(req->key_given);
        /* highest risk first: the two high ones, then medium, then low */
        assert_int_equal(req->n_items, 5);
        assert_true(req->items[0].warning->risk >= req->items[4].warning->risk);
        win = open_dialog(req, "install-allow-required-only");
        assert_non_null(consent_dialog_switch(win, "net.connect:*"));
        assert_non_null(consent_dialog_switch(win, "sys.notify"));
        assert_null(consent_dialog_switch(win, "fs.write:$DOCUMENTS/word-lists")); /* required: no switch */
        assert_false(gtk_switch_get_active(consent_dialog_switch(win, "net.connect:*"))); /* off by default */
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Developer says: “Looks up the meaning of each day's word”"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Example Flashcards Ltd"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), req->key_id));

        ui_action(win, "consent.allow");
        assert_int_equal(ui.n_done, 1);
        assert_non_null(ui.result);
        assert_int_equal(ui.result->kind, CONSENT_RESULT_ALLOWED);
        assert_true(ui_result_has(ui.result->granted, "net.connect:api.dictionaryapi.dev:443"));
        assert_true(ui_result_has(ui.result->denied, "net.connect:*"));
        json = consent_result_json(ui.result);
        printf("# %s\n", json);
        assert_non_null(strstr(json, "{\"result\":\"allowed\",\"id\":\"" ID "\""));
        assert_int_equal(consent_result_exit_code(ui.result), 0);

        s = ui_store();
        ui_assert_decision(s, ID, "net.connect:api.dictionaryapi.dev:443", true);
        ui_assert_decision(s, ID, "fs.write:$DOCUMENTS/word-lists", true);
        ui_assert_decision(s, ID, "net.connect:*", false);
        ui_assert_decision(s, ID, "sys.clipboard:read", false);
        ui_assert_decision(s, ID, "sys.notify", false);
        /* first use: the key that verified it is pinned */
        assert_int_equal(permit_store_pin_get(s, ID, &pub, &key_id), 0);
        permit_pubkey_id_string(ui.pk, want_id);
        assert_string_equal(key_id, want_id);
        permit_store_free(s);
        gtk_window_destroy(win);
        consent_request_free(req);
}

static void test_allow_optional_on(void **state) {
        g_autofree char *pkg = ui_package("addon", ID, "1.2.0", caps);
        consent_request *req = ui_request(CONSENT_INSTALL, pkg, ui.pubkey_file, NULL);
        GtkWindow *win = open_dialog(req, NULL);
        GtkWidget *row;
        permit_store *s;

        gtk_switch_set_active(consent_dialog_switch(win, "net.connect:*"), TRUE);
        /* activating a row (Enter on it) flips its switch */
        row = gtk_widget_get_ancestor(GTK_WIDGET(consent_dialog_switch(win, "sys.notify")), GTK_TYPE_LIST_BOX_ROW);
        assert_non_null(row);
        assert_true(gtk_widget_activate(row));
        ui_iterate();
        assert_true(gtk_switch_get_active(consent_dialog_switch(win, "sys.notify")));
        ui_screenshot(win, "install-allow-optional-on");
        ui_press(ui_find_button(GTK_WIDGET(win), "_Allow"));
        assert_int_equal(ui.n_done, 1);
        assert_int_equal(ui.result->kind, CONSENT_RESULT_ALLOWED);

        s = ui_store();
        ui_assert_decision(s, ID, "net.connect:api.dictionaryapi.dev:443", true);
        ui_assert_decision(s, ID, "net.connect:*", true);
        ui_assert_decision(s, ID, "sys.notify", true);
        ui_assert_decision(s, ID, "sys.clipboard:read", false);
        permit_store_free(s);
        gtk_window_destroy(win);
        consent_request_free(req);
}

static void test_switch_on_then_off(void **state) {
        g_autofree char *pkg = ui_package("addon", ID, "1.2.0", caps);
        consent_request *req = ui_request(CONSENT_INSTALL, pkg, ui.pubkey_file, NULL);
        GtkWindow *win = open_dialog(req, NULL);
        GtkSwitch *sw = consent_dialog_switch(win, "sys.clipboard:read");
        permit_store *s;

        gtk_switch_set_active(sw, TRUE);
        ui_iterate();
        gtk_switch_set_active(sw, FALSE);
        ui_iterate();
        ui_action(win, "consent.allow");
        assert_int_equal(ui.result->kind, CONSENT_RESULT_ALLOWED);
        s = ui_store();
        ui_assert_decision(s, ID, "sys.clipboard:read", false);
        permit_store_free(s);
        gtk_window_destroy(win);
        consent_request_free(req);
}

/* Nothing written, not even the pin or the store's directory. */
static void assert_nothing_written(void) {
        g_autofree char *grants = g_build_filename(ui.profile, "permit", "grants.json", NULL);
        g_autofree char *pins = g_build_filename(ui.profile, "permit", "pins.json", NULL);

        assert_false(g_file_test(grants, G_FILE_TEST_EXISTS));
        assert_false(g_file_test(pins, G_FILE_TEST_EXISTS));
}

static void test_cancel(void **state) {
        g_autofree char *pkg = ui_package("addon", ID, "1.2.0", caps);
        consent_request *req = ui_request(CONSENT_INSTALL, pkg, ui.pubkey_file, NULL);
        GtkWindow *win = open_dialog(req, "install-cancel");
        g_autofree char *json = NULL;

        gtk_switch_set_active(consent_dialog_switch(win, "net.connect:*"), TRUE);
        ui_press(ui_find_button(GTK_WIDGET(win), "_Cancel"));
        assert_int_equal(ui.n_done, 1);
        assert_int_equal(ui.result->kind, CONSENT_RESULT_CANCELLED);
        assert_int_equal(consent_result_exit_code(ui.result), 1);
        json = consent_result_json(ui.result);
        assert_string_equal(json, "{\"result\":\"cancelled\",\"id\":\"" ID "\",\"version\":\"1.2.0\"}");
        /* a second press does nothing more */
        ui_action(win, "consent.allow");
        assert_int_equal(ui.n_done, 1);
        assert_nothing_written();
        gtk_window_destroy(win);
        consent_request_free(req);
}

static void test_close_window(void **state) {
        g_autofree char *pkg = ui_package("addon", ID, "1.2.0", caps);
        consent_request *req = ui_request(CONSENT_INSTALL, pkg, ui.pubkey_file, NULL);
        GtkWindow *win = open_dialog(req, NULL);

        g_object_ref(win);
        gtk_window_close(win);
        ui_iterate();
        assert_int_equal(ui.n_done, 1);
        assert_int_equal(ui.result->kind, CONSENT_RESULT_CANCELLED);
        assert_nothing_written();
        g_object_unref(win);
        consent_request_free(req);
}

/* Keyboard: focus starts on Cancel (a stray Enter grants nothing), Allow
 * is the default button, both have mnemonics, Escape is bound. */
static void test_keyboard(void **state) {
        g_autofree char *pkg = ui_package("addon", ID, "1.2.0", caps);
        consent_request *req = ui_request(CONSENT_INSTALL, pkg, ui.pubkey_file, NULL);
        GtkWindow *win = open_dialog(req, NULL);
        GtkButton *cancel = ui_find_button(GTK_WIDGET(win), "_Cancel");
        GtkButton *allow = ui_find_button(GTK_WIDGET(win), "_Allow");

        assert_non_null(cancel);
        assert_non_null(allow);
        assert_true(gtk_button_get_use_underline(cancel));
        assert_true(gtk_button_get_use_underline(allow));
        assert_ptr_equal(gtk_window_get_focus(win), GTK_WIDGET(cancel));
        assert_ptr_equal(gtk_window_get_default_widget(win), GTK_WIDGET(allow));
        /* Tab moves from Cancel to Allow */
        assert_true(gtk_widget_child_focus(GTK_WIDGET(win), GTK_DIR_TAB_FORWARD));
        assert_ptr_equal(gtk_window_get_focus(win), GTK_WIDGET(allow));
        /* names for screen readers, and the reasons as descriptions */
        assert_true(ui_assert_accessible(GTK_WIDGET(win)) >= 5 + 5 + 2);
        gtk_test_accessible_assert_property(consent_dialog_switch(win, "sys.notify"), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                            "Show notifications");
        gtk_test_accessible_assert_property(consent_dialog_switch(win, "sys.notify"),
                                            GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                            "Developer says: “Tells you when a new word is ready”");
        /* every switch can take the focus */
        assert_true(gtk_widget_get_focusable(GTK_WIDGET(consent_dialog_switch(win, "sys.notify"))));
        /* Escape cancels and writes nothing */
        gtk_switch_set_active(consent_dialog_switch(win, "sys.notify"), TRUE);
        ui_press_escape(win);
        assert_int_equal(ui.n_done, 1);
        assert_int_equal(ui.result->kind, CONSENT_RESULT_CANCELLED);
        assert_nothing_written();
        gtk_window_destroy(win);
        consent_request_free(req);
}

/* The second install of the same add-on verifies with the pinned key,
 * without -p; another key given with -p is refused. */
static void test_pinned_key(void **state) {
        g_autofree char *pkg = ui_package("addon", ID, "1.2.0", caps);
        consent_request *req = ui_request(CONSENT_INSTALL, pkg, ui.pubkey_file, NULL);
        GtkWindow *win = open_dialog(req, NULL);
        permit_pubkey *other_pk = NULL;
        permit_seckey *other_sk = NULL;
        g_autofree char *other_pub = test_join(ui.tmp, "other.pub");
        consent_options o = { .mode = CONSENT_INSTALL, .profile = ui.profile, .package = pkg };
        consent_request *again = NULL;
        char *message = NULL;

        ui_action(win, "consent.allow");
        gtk_window_destroy(win);
        consent_request_free(req);

        req = ui_request(CONSENT_INSTALL, pkg, NULL, NULL);
        assert_true(req->key_pinned);
        assert_false(req->key_first_use);
        win = open_dialog(req, "install-pinned-key");
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Signed with the same key as when you installed it."));
        gtk_window_destroy(win);
        consent_request_free(req);

        assert_int_equal(permit_keypair_generate(&other_pk, &other_sk), 0);
        assert_int_equal(permit_pubkey_save(other_pk, other_pub, 0), 0);
        o.pubkey_file = other_pub;
        assert_int_equal(consent_request_new(&o, &again, &message), -EKEYREJECTED);
        printf("# %s\n", message);
        assert_non_null(strstr(message, "is not the key pinned for " ID));
        assert_null(again);
        g_free(message);
        permit_pubkey_free(other_pk);
        permit_seckey_free(other_sk);
}

/* First install without -p: the seal's own key verifies, the dialog says
 * nothing vouches for it, and Allow pins it. */
static void test_first_use_seal_key(void **state) {
        g_autofree char *pkg = ui_package("addon", ID, "1.2.0", caps);
        consent_request *req = ui_request(CONSENT_INSTALL, pkg, NULL, NULL);
        GtkWindow *win;
        permit_store *s;
        const char *pub, *key_id;
        char want[PERMIT_PUBKEY_STRING_SIZE];

        assert_true(req->key_first_use);
        assert_false(req->key_given);
        win = open_dialog(req, "install-first-use");
        assert_non_null(ui_find_label(GTK_WIDGET(win), "First install: this key is the one the package names"));
        ui_action(win, "consent.allow");
        assert_int_equal(ui.result->kind, CONSENT_RESULT_ALLOWED);
        s = ui_store();
        assert_int_equal(permit_store_pin_get(s, ID, &pub, &key_id), 0);
        permit_pubkey_string(ui.pk, want);
        assert_string_equal(pub, want);
        permit_store_free(s);
        gtk_window_destroy(win);
        consent_request_free(req);
}

/* Installing again starts from the earlier choices: a yes stays on. */
static void test_reinstall_keeps_choices(void **state) {
        g_autofree char *pkg = ui_package("addon", ID, "1.2.0", caps);
        consent_request *req = ui_request(CONSENT_INSTALL, pkg, ui.pubkey_file, NULL);
        GtkWindow *win = open_dialog(req, NULL);
        permit_store *s;

        gtk_switch_set_active(consent_dialog_switch(win, "sys.notify"), TRUE);
        ui_action(win, "consent.allow");
        gtk_window_destroy(win);
        consent_request_free(req);

        req = ui_request(CONSENT_INSTALL, pkg, NULL, NULL);
        win = open_dialog(req, NULL);
        assert_true(gtk_switch_get_active(consent_dialog_switch(win, "sys.notify")));
        assert_false(gtk_switch_get_active(consent_dialog_switch(win, "net.connect:*")));
        ui_action(win, "consent.allow");
        s = ui_store();
        ui_assert_decision(s, ID, "sys.notify", true);
        ui_assert_decision(s, ID, "net.connect:*", false);
        permit_store_free(s);
        gtk_window_destroy(win);
        consent_request_free(req);
}

/* A package that does not verify never gets a window: one line naming
 * the file. */
static void test_bad_package(void **state) {
        g_autofree char *pkg = ui_package("addon", ID, "1.2.0", caps);
        g_autofree char *init = g_build_filename(pkg, "__init__.py", NULL);
        g_autofree char *missing = g_build_filename(ui.tmp, "missing.zip", NULL);
        consent_options o = { .mode = CONSENT_INSTALL, .profile = ui.profile, .pubkey_file = ui.pubkey_file };
        consent_request *req = NULL;
        char *message = NULL;

        test_write_string(init, "import os; os.system('rm -rf ~')\n");
        o.package = pkg;
        assert_int_equal(consent_request_new(&o, &req, &message), -EBADMSG);
        printf("# %s\n", message);
        assert_true(g_str_has_prefix(message, pkg));
        assert_null(strchr(message, '\n'));
        g_clear_pointer(&message, g_free);

        o.package = missing;
        assert_int_equal(consent_request_new(&o, &req, &message), -ENOENT);
        assert_true(g_str_has_prefix(message, missing));
        g_clear_pointer(&message, g_free);
        assert_null(req);
}

/* An add-on that asks for nothing. */
static void test_no_capabilities(void **state) {
        g_autofree char *pkg = ui_package("addon", "org.example.quiet", "0.1.0", "");
        consent_request *req = ui_request(CONSENT_INSTALL, pkg, ui.pubkey_file, NULL);
        GtkWindow *win = open_dialog(req, "install-no-capabilities");

        assert_int_equal(req->n_items, 0);
        assert_non_null(ui_find_label(GTK_WIDGET(win), "This add-on asks for no permissions."));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Install “Word of the Day”?"));
        ui_action(win, "consent.allow");
        assert_int_equal(ui.result->kind, CONSENT_RESULT_ALLOWED);
        assert_int_equal(ui.result->granted->len, 0);
        gtk_window_destroy(win);
        consent_request_free(req);
}

/* --host-vocabulary: the host's words and risks for its host.*
 * capabilities; one it does not know has a switch that stays off. */
static void test_host_vocabulary(void **state) {
        static const char host_caps[] =
                "{\"id\": \"host.store_data\", \"required\": true, \"reason\": \"Keeps your streak\"},"
                "{\"id\": \"host.read_notes:recent\", \"required\": false, \"reason\": \"Finds words in your notes\"},"
                "{\"id\": \"host.teleport\", \"required\": false},"
                "{\"id\": \"sys.notify\", \"required\": false}";
        g_autofree char *vfile = g_build_filename(getenv("PERMIT_SOURCE_ROOT"), "tests", "data", "host-vocabulary",
                                                  "notes.json", NULL);
        g_autofree char *pkg = ui_package("addon", ID, "1.2.0", host_caps);
        permit_host_vocabulary *v = NULL;
        consent_request *req;
        GtkWindow *win;
        GtkSwitch *sw;
        permit_store *s;

        assert_int_equal(permit_host_vocabulary_load(vfile, &v, NULL), 0);
        consent_host_vocabulary_set(v);
        req = ui_request(CONSENT_INSTALL, pkg, ui.pubkey_file, NULL);
        /* the host's risk orders the list: "high" first */
        assert_string_equal(req->items[0].warning->capability, "host.read_notes:recent");
        assert_int_equal(req->items[0].warning->risk, PERMIT_RISK_HIGH);
        win = open_dialog(req, "install-host-vocabulary");
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Read all your notes, recent"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Save its own data in your notebook"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Use host.teleport, which Notes does not know"));
        assert_null(ui_find_label(GTK_WIDGET(win), "Use the host's"));
        sw = consent_dialog_switch(win, "host.teleport");
        assert_non_null(sw);
        assert_false(gtk_widget_get_sensitive(GTK_WIDGET(sw)));
        /* even turned on behind the user's back, it is not granted */
        gtk_switch_set_active(sw, TRUE);
        gtk_switch_set_active(consent_dialog_switch(win, "host.read_notes:recent"), TRUE);
        ui_action(win, "consent.allow");
        assert_int_equal(ui.result->kind, CONSENT_RESULT_ALLOWED);
        s = ui_store();
        ui_assert_decision(s, ID, "host.store_data", true);
        ui_assert_decision(s, ID, "host.read_notes:recent", true);
        ui_assert_decision(s, ID, "host.teleport", false);
        ui_assert_decision(s, ID, "sys.notify", false);
        permit_store_free(s);
        gtk_window_destroy(win);
        consent_request_free(req);
        consent_host_vocabulary_set(NULL);
        permit_host_vocabulary_free(v);
}

/* A required host.* capability the host does not know: no window. */
static void test_host_vocabulary_required_unknown(void **state) {
        g_autofree char *vfile = g_build_filename(getenv("PERMIT_SOURCE_ROOT"), "tests", "data", "host-vocabulary",
                                                  "notes.json", NULL);
        g_autofree char *pkg = ui_package("addon", ID, "1.2.0", "{\"id\": \"host.teleport\", \"required\": true}");
        consent_options o = { .mode = CONSENT_INSTALL, .profile = ui.profile, .pubkey_file = ui.pubkey_file,
                              .package = pkg };
        permit_host_vocabulary *v = NULL;
        consent_request *req = NULL;
        char *message = NULL;

        assert_int_equal(permit_host_vocabulary_load(vfile, &v, NULL), 0);
        consent_host_vocabulary_set(v);
        assert_int_equal(consent_request_new(&o, &req, &message), -EINVAL);
        printf("# %s\n", message);
        assert_non_null(strstr(message, "requires host.teleport, which Notes does not know"));
        assert_null(req);
        g_free(message);
        /* without the vocabulary nothing can be said: the generic warning */
        consent_host_vocabulary_set(NULL);
        req = ui_request(CONSENT_INSTALL, pkg, ui.pubkey_file, NULL);
        assert_string_equal(req->items[0].warning->text, "Use the host's teleport feature");
        consent_request_free(req);
        permit_host_vocabulary_free(v);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                UI_TEST(test_allow_required_only),
                UI_TEST(test_allow_optional_on),
                UI_TEST(test_switch_on_then_off),
                UI_TEST(test_cancel),
                UI_TEST(test_close_window),
                UI_TEST(test_keyboard),
                UI_TEST(test_pinned_key),
                UI_TEST(test_first_use_seal_key),
                UI_TEST(test_reinstall_keeps_choices),
                UI_TEST(test_bad_package),
                UI_TEST(test_no_capabilities),
                UI_TEST(test_host_vocabulary),
                UI_TEST(test_host_vocabulary_required_unknown),
        };

        return ui_main("ui-install", tests, G_N_ELEMENTS(tests));
}
