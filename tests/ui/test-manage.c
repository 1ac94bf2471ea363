/* SPDX-License-Identifier: MIT */
/* The manager window: installed add-ons with what they may do and when
 * they last did it (audit.jsonl), and Revoke, written at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ui-test.h"

#define WORDS "org.example.word-of-the-day"
#define CLOCK "org.example.clock"

static const char words_caps[] =
        "{\"id\": \"net.connect:api.dictionaryapi.dev:443\", \"required\": true, \"reason\": \"Looks words up\"},"
        "{\"id\": \"fs.read:$DOCUMENTS/word-lists\", \"required\": false, \"reason\": \"Reads your lists\"},"
        "{\"id\": \"sys.notify\", \"required\": false}";

static const char clock_caps[] =
        "{\"id\": \"sys.notify\", \"required\": true, \"reason\": \"Rings\"},"
        "{\"id\": \"sys.clipboard:read\", \"required\": false}";

/* 2026-11-20 10:00 UTC */
#define USED_AT INT64_C(1795168800)

/* Records a decision straight through the store API, as `permit grants
 * approve` would: required accepted, the optional ones in on[] granted. */
static void install(const char *name, const char *display, const char *id, const char *caps,
                    const char *const *on) {
        g_autofree char *pkg = ui_package_named(name, display, id, "1.0.0", caps, ui.sk);
        permit_package_info *info = NULL;
        permit_decision *d = NULL;
        permit_store *s = NULL;
        permit_error error = { 0 };

        assert_int_equal(permit_package_verify(ui.pk, pkg, NULL, &info, &error), 0);
        assert_int_equal(permit_store_open(ui.profile, PERMIT_STORE_CREATE, &s, &error), 0);
        assert_int_equal(permit_decision_new(permit_package_info_manifest(info), NULL, &d), 0);
        permit_decision_set_required(d, true);
        for (; on && *on; on++)
                assert_int_equal(permit_decision_set(d, *on, true), 0);
        assert_int_equal(permit_store_record_decision(s, d, &error), 0);
        permit_decision_free(d);
        permit_store_free(s);
        permit_package_info_free(info);
}

static void installed_two(void) {
        static const char *const words_on[] = { "fs.read:$DOCUMENTS/word-lists", NULL };
        permit_audit_event ev = {
                .kind = PERMIT_AUDIT_USE,
                .time = USED_AT,
                .addon = WORDS,
                .capability = "net.connect:api.dictionaryapi.dev:443",
                .target = "api.dictionaryapi.dev:443",
                .allowed = true,
        };
        permit_store *s;

        install("words", "Word of the Day", WORDS, words_caps, words_on);
        install("clock", "Alarm Clock", CLOCK, clock_caps, NULL);
        s = ui_store();
        assert_int_equal(permit_store_audit_append(s, &ev), 0);
        permit_store_free(s);
}

static GtkWindow *open_manager(const char *shot) {
        char *message = NULL;
        GtkWindow *win = consent_manager_new(NULL, ui.profile, ui_done, NULL, &message);

        assert_null(message);
        assert_non_null(win);
        ui_show(win);
        if (shot)
                ui_screenshot(win, shot);
        return win;
}

static void test_manage_lists(void **state) {
        GtkWindow *win;
        g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(USED_AT);
        g_autofree char *date = g_date_time_format(dt, "%Y-%m-%d %H:%M");
        g_autofree char *used = g_strdup_printf("Last used %s", date);

        installed_two();
        win = open_manager("manage-lists");
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Word of the Day 1.0.0"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Exchange data with api.dictionaryapi.dev on port 443"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), used));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Never used"));
        /* denied optional ones are listed as not allowed, not as grants */
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Not allowed: Show notifications"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Not allowed: Read your clipboard"));
        assert_true(ui_assert_accessible(GTK_WIDGET(win)) >= 3 + 2 + 1);
        ui_press_escape(win); /* closes */
        assert_int_equal(ui.n_done, 1);
        assert_int_equal(ui.result->kind, CONSENT_RESULT_SAVED);
        assert_int_equal(ui.result->revoked->len, 0);
        gtk_window_destroy(win);
}

static void test_manage_revoke(void **state) {
        GtkWindow *win;
        permit_store *s;
        g_autofree char *json = NULL;

        installed_two();
        win = open_manager(NULL);
        /* the Revoke button of one grant, as the keyboard presses it */
        gtk_widget_activate_action(GTK_WIDGET(win), "manage.revoke", "s", WORDS "\nfs.read:$DOCUMENTS/word-lists");
        ui_iterate();
        s = ui_store();
        ui_assert_decision(s, WORDS, "fs.read:$DOCUMENTS/word-lists", false);
        ui_assert_decision(s, WORDS, "net.connect:api.dictionaryapi.dev:443", true);
        ui_assert_decision(s, CLOCK, "sys.notify", true);
        permit_store_free(s);
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Revoked"));

        /* everything of the other add-on, by its button: the first "Revoke
         * all" is the clock's (records come sorted by id) */
        {
                GtkButton *all = ui_find_button(GTK_WIDGET(win), "Revoke all");

                assert_non_null(all);
                assert_string_equal(g_variant_get_string(gtk_actionable_get_action_target_value(GTK_ACTIONABLE(all)),
                                                         NULL),
                                    CLOCK);
                ui_press(all);
                assert_false(gtk_widget_get_sensitive(GTK_WIDGET(all)));
        }
        ui_screenshot(win, "manage-revoke");
        s = ui_store();
        ui_assert_decision(s, CLOCK, "sys.notify", false);
        ui_assert_decision(s, WORDS, "net.connect:api.dictionaryapi.dev:443", true);
        permit_store_free(s);

        gtk_window_close(win);
        ui_iterate();
        assert_int_equal(ui.n_done, 1);
        assert_int_equal(ui.result->kind, CONSENT_RESULT_SAVED);
        json = consent_result_json(ui.result);
        printf("# %s\n", json);
        assert_string_equal(json, "{\"result\":\"saved\",\"revoked\":[{\"id\":\"" WORDS
                                  "\",\"capability\":\"fs.read:$DOCUMENTS/word-lists\"},"
                                  "{\"id\":\"" CLOCK "\",\"capability\":null}]}");
}

/* Revoking what the store no longer has says so in the window. */
static void test_manage_revoke_gone(void **state) {
        GtkWindow *win;
        permit_store *s;
        permit_error error = { 0 };

        installed_two();
        win = open_manager(NULL);
        s = ui_store();
        assert_int_equal(permit_store_reset(s, CLOCK, 0, &error), 0);
        permit_store_free(s);
        gtk_widget_activate_action(GTK_WIDGET(win), "manage.revoke", "s", CLOCK "\nsys.notify");
        ui_iterate();
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Could not revoke"));
        gtk_window_destroy(win);
        assert_int_equal(ui.n_done, 0);
}

static void test_manage_empty(void **state) {
        GtkWindow *win = open_manager("manage-empty");

        assert_non_null(ui_find_label(GTK_WIDGET(win), "No add-ons are installed in this profile."));
        ui_press(ui_find_button(GTK_WIDGET(win), "C_lose"));
        assert_int_equal(ui.n_done, 1);
        gtk_window_destroy(win);
}

/* A corrupt store is an error naming the file, not an empty list. */
static void test_manage_corrupt(void **state) {
        g_autofree char *dir = g_build_filename(ui.profile, "permit", NULL);
        g_autofree char *grants = g_build_filename(dir, "grants.json", NULL);
        char *message = NULL;

        assert_int_equal(g_mkdir_with_parents(dir, 0700), 0);
        test_write_string(grants, "{\"version\": 1, \"addons\": ");
        assert_null(consent_manager_new(NULL, ui.profile, ui_done, NULL, &message));
        printf("# %s\n", message);
        assert_non_null(strstr(message, "grants.json"));
        g_free(message);
}

/* --host-vocabulary: the manager shows grants of host.* in the host's words. */
static void test_manage_host_vocabulary(void **state) {
        static const char *const on[] = { "host.read_notes", NULL };
        g_autofree char *vfile = g_build_filename(getenv("PERMIT_SOURCE_ROOT"), "tests", "data", "host-vocabulary",
                                                  "notes.json", NULL);
        permit_host_vocabulary *v = NULL;
        GtkWindow *win;

        install("notes", "Notes helper", "org.example.notes",
                "{\"id\": \"host.store_data\", \"required\": true},"
                "{\"id\": \"host.read_notes\", \"required\": false},"
                "{\"id\": \"host.send_mail\", \"required\": false}", on);
        assert_int_equal(permit_host_vocabulary_load(vfile, &v, NULL), 0);
        consent_host_vocabulary_set(v);
        win = open_manager("manage-host-vocabulary");
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Read all your notes"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Save its own data in your notebook"));
        assert_non_null(ui_find_label(GTK_WIDGET(win), "Not allowed: Send e-mail in your name"));
        assert_null(ui_find_label(GTK_WIDGET(win), "Use the host's"));
        ui_press_escape(win);
        gtk_window_destroy(win);
        consent_host_vocabulary_set(NULL);
        permit_host_vocabulary_free(v);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                UI_TEST(test_manage_host_vocabulary),
                UI_TEST(test_manage_lists),
                UI_TEST(test_manage_revoke),
                UI_TEST(test_manage_revoke_gone),
                UI_TEST(test_manage_empty),
                UI_TEST(test_manage_corrupt),
        };

        return ui_main("ui-manage", tests, G_N_ELEMENTS(tests));
}
