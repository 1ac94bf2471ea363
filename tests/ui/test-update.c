/* SPDX-License-Identifier: MIT */
/* The update dialog: it shows only what an update asks for beyond what the
 * user decided before, says what stays as it was, and what Allow and
 * Cancel leave in the store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ui-test.h"

#define ID "org.example.word-of-the-day"

/* 1.0: reads a word list, may fetch from one server and notify, and
 * writes the clipboard. */
static const char caps_v1[] =
        "{\"id\": \"fs.read:$DOCUMENTS/word-lists\", \"required\": true, \"reason\": \"Reads your word lists\"},"
        "{\"id\": \"net.connect:api.dictionaryapi.dev:443\", \"required\": false, \"reason\": \"Looks words up\"},"
        "{\"id\": \"sys.notify\", \"required\": false, \"reason\": \"Tells you when a new word is ready\"},"
        "{\"id\": \"sys.clipboard:write\", \"required\": true, \"reason\": \"Copies the word\"}";

/* 2.0: writes the word lists (wider), reads the clipboard (new), no longer
 * writes it; the server and notifications as before. */
static const char caps_v2[] =
        "{\"id\": \"fs.write:$DOCUMENTS/word-lists\", \"required\": true, \"reason\": \"Saves the words you learned\"},"
        "{\"id\": \"net.connect:api.dictionaryapi.dev:443\", \"required\": false, \"reason\": \"Looks words up\"},"
        "{\"id\": \"sys.notify\", \"required\": false, \"reason\": \"Tells you when a new word is ready\"},"
        "{\"id\": \"sys.clipboard:read\", \"required\": false, \"reason\": \"Looks up the word you copied\"}";

/* Installs 1.0 through the dialog: notifications on, the server off. */
static char *install_v1(void) {
        char *pkg = ui_package("v1", ID, "1.0.0", caps_v1);
        consent_request *req = ui_request(CONSENT_INSTALL, pkg, ui.pubkey_file, NULL);
        GtkWindow *win = consent_dialog_new(NULL, req, ui_done, NULL);

        ui_show(win);
        gtk_switch_set_active(consent_dialog_switch(win, "sys.notify"), TRUE);
        ui_action(win, "consent.allow");
        assert_int_equal(ui.result->kind, CONSENT_RESULT_ALLOWED);
        gtk_window_destroy(win);
        consent_request_free(req);
        g_clear_pointer(&ui.result, consent_result_free);
        ui.n_done = 0;
        return pkg;
}

static bool has(const GPtrArray *a, const char *s) {
        return ui_result_has(a, s);
}

static void test_update_shows_only_more(void **state) {
        g_autofree char *v1 = install_v1();
        g_autofree char *v2 = ui_package("v2", ID, "2.0.0", caps_v2);
        /* no -p: the key pinned at install verifies the update */
        consent_request *req = ui_request(CONSENT_UPDATE, v2, NULL, NULL);
        GtkWindow *win;
        permit_store *s;

        assert_true(req->key_pinned);
        /* only the wider fs.write and the new clipboard read are asked */
        assert_int_equal(req->n_items, 2);
        assert_string_equal(req->items[0].warning->capability, "fs.write:$DOCUMENTS/word-lists");
        assert_int_equal(req->items[0].change, PERMIT_CHANGE_WIDENED);
        assert_string_equal(req->items[1].warning->capability, "sys.clipboard:read");
        assert_int_equal(req->items[1].change, PERMIT_CHANGE_ADDED);
        /* what stays: notifications on, the server off, clipboard write gone */
        assert_int_equal(req->kept_granted->len, 1);
        assert_true(has(req->kept_granted, "sys.notify"));
        assert_int_equal(req->kept_denied->len, 1);
        assert_true(has(req->kept_denied, "net.connect:api.dictionaryapi.dev:443"));
        assert_int_equal(req->removed->len, 1);
        assert_true(has(req->removed, "sys.clipboard:write"));

        win = consent_dialog_new(NULL, req, ui_done, NULL);
        ui_show(win);
        ui_screenshot(win, "update-shows-only-more");
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Update “Word of the Day” from 1.0.0 to 2.0.0?"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Wider than before; before: “Read files in word-lists in your Documents folder”"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "• Put text on your clipboard"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "New in this version"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Still allowed, as you decided before:"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Still not allowed, as you decided before:"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "No longer asked for:"));
        assert_true(ui_assert_accessible(GTK_WIDGET(win)) >= 4);
        /* the unchanged optional ones have no switch here */
        assert_null(consent_dialog_switch(win, "sys.notify"));
        assert_null(consent_dialog_switch(win, "net.connect:api.dictionaryapi.dev:443"));
        assert_non_null(consent_dialog_switch(win, "sys.clipboard:read"));

        ui_action(win, "consent.allow");
        assert_int_equal(ui.result->kind, CONSENT_RESULT_ALLOWED);
        assert_string_equal(ui.result->version, "2.0.0");
        s = ui_store();
        assert_string_equal(permit_record_version(permit_store_find(s, ID)), "2.0.0");
        ui_assert_decision(s, ID, "fs.write:$DOCUMENTS/word-lists", true);
        ui_assert_decision(s, ID, "sys.clipboard:read", false);
        /* an update never re-widens what the user narrowed, nor drops a yes */
        ui_assert_decision(s, ID, "net.connect:api.dictionaryapi.dev:443", false);
        ui_assert_decision(s, ID, "sys.notify", true);
        permit_store_free(s);
        gtk_window_destroy(win);
        consent_request_free(req);
}

static void test_update_optional_on(void **state) {
        g_autofree char *v1 = install_v1();
        g_autofree char *v2 = ui_package("v2", ID, "2.0.0", caps_v2);
        consent_request *req = ui_request(CONSENT_UPDATE, v2, NULL, NULL);
        GtkWindow *win = consent_dialog_new(NULL, req, ui_done, NULL);
        permit_store *s;

        ui_show(win);
        gtk_switch_set_active(consent_dialog_switch(win, "sys.clipboard:read"), TRUE);
        ui_press(ui_find_button(GTK_WIDGET(win), "_Allow"));
        assert_int_equal(ui.result->kind, CONSENT_RESULT_ALLOWED);
        assert_true(has(ui.result->granted, "sys.clipboard:read"));
        s = ui_store();
        ui_assert_decision(s, ID, "sys.clipboard:read", true);
        ui_assert_decision(s, ID, "net.connect:api.dictionaryapi.dev:443", false);
        permit_store_free(s);
        gtk_window_destroy(win);
        consent_request_free(req);
}

/* Cancel keeps 1.0's decision exactly. */
static void test_update_cancel(void **state) {
        g_autofree char *v1 = install_v1();
        g_autofree char *v2 = ui_package("v2", ID, "2.0.0", caps_v2);
        g_autofree char *grants = g_build_filename(ui.profile, "permit", "grants.json", NULL);
        g_autofree char *before = NULL, *after = NULL;
        consent_request *req = ui_request(CONSENT_UPDATE, v2, NULL, NULL);
        GtkWindow *win = consent_dialog_new(NULL, req, ui_done, NULL);

        assert_true(g_file_get_contents(grants, &before, NULL, NULL));
        ui_show(win);
        gtk_switch_set_active(consent_dialog_switch(win, "sys.clipboard:read"), TRUE);
        ui_action(win, "consent.cancel");
        assert_int_equal(ui.result->kind, CONSENT_RESULT_CANCELLED);
        assert_true(g_file_get_contents(grants, &after, NULL, NULL));
        assert_string_equal(before, after);
        gtk_window_destroy(win);
        consent_request_free(req);
}

/* An update that asks for nothing new says so. */
static void test_update_nothing_new(void **state) {
        g_autofree char *v1 = install_v1();
        g_autofree char *v11 = ui_package("v1.1", ID, "1.1.0", caps_v1);
        consent_request *req = ui_request(CONSENT_UPDATE, v11, NULL, NULL);
        GtkWindow *win = consent_dialog_new(NULL, req, ui_done, NULL);

        assert_int_equal(req->n_items, 0);
        ui_show(win);
        ui_screenshot(win, "update-nothing-new");
        assert_non_null(ui_find_label(GTK_WIDGET(win), "This update asks for nothing new."));
        ui_action(win, "consent.allow");
        assert_int_equal(ui.result->kind, CONSENT_RESULT_ALLOWED);
        gtk_window_destroy(win);
        consent_request_free(req);
}

/* Not in the store: --installed names the old package; without it the
 * update is refused with a message naming the package. */
static void test_update_installed(void **state) {
        g_autofree char *v1 = ui_package("v1", ID, "1.0.0", caps_v1);
        g_autofree char *v2 = ui_package("v2", ID, "2.0.0", caps_v2);
        g_autofree char *other = ui_package("other", "org.example.other", "1.0.0", caps_v1);
        consent_options o = { .mode = CONSENT_UPDATE, .profile = ui.profile, .pubkey_file = ui.pubkey_file,
                              .package = v2 };
        consent_request *req = NULL;
        char *message = NULL;

        assert_int_equal(consent_request_new(&o, &req, &message), -ENOENT);
        printf("# %s\n", message);
        assert_true(g_str_has_prefix(message, v2));
        g_clear_pointer(&message, g_free);

        o.installed = other;
        assert_int_equal(consent_request_new(&o, &req, &message), -EINVAL);
        printf("# %s\n", message);
        g_clear_pointer(&message, g_free);

        req = ui_request(CONSENT_UPDATE, v2, ui.pubkey_file, v1);
        /* nothing decided before: wider and new as above, and the optional
         * ones of 1.0 were never turned on */
        assert_int_equal(req->n_items, 2);
        assert_true(has(req->kept_denied, "sys.notify"));
        consent_request_free(req);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                UI_TEST(test_update_shows_only_more),
                UI_TEST(test_update_optional_on),
                UI_TEST(test_update_cancel),
                UI_TEST(test_update_nothing_new),
                UI_TEST(test_update_installed),
        };

        return ui_main("ui-update", tests, G_N_ELEMENTS(tests));
}
