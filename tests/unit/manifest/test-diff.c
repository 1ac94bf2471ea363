/* SPDX-License-Identifier: MIT */
/* permit_manifest_diff(): what an update asks for. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "permit/manifest.h"

/* A manifest from a compact list: "id" for required, "?id" for optional. */
static permit_manifest *make(const char *const *ids) {
        char buf[8192];
        size_t n = 0;
        permit_manifest *m = NULL;
        permit_error error;

        n += (size_t) snprintf(buf + n, sizeof(buf) - n,
                               "{\"id\":\"a\",\"name\":\"A\",\"version\":\"1.0.0\",\"publisher\":\"P\","
                               "\"entry\":\"e\",\"capabilities\":[");
        for (size_t i = 0; ids[i]; i++)
                n += (size_t) snprintf(buf + n, sizeof(buf) - n, "%s{\"id\":\"%s\",\"required\":%s}", i ? "," : "",
                                       ids[i] + (ids[i][0] == '?'), ids[i][0] == '?' ? "false" : "true");
        n += (size_t) snprintf(buf + n, sizeof(buf) - n, "]}");
        if (permit_manifest_parse(buf, n, NULL, &m, &error) < 0)
                fail_msg("%s: %s", buf, error.text);
        return m;
}

/* Expected: "change new_id old_id" per entry ("-" for NULL), joined by " | ". */
static void expect(const char *const *old_ids, const char *const *new_ids, const char *want, bool asks_more) {
        permit_manifest *o = make(old_ids), *n = make(new_ids);
        permit_diff *d = NULL;
        char got[4096] = "";

        assert_int_equal(permit_manifest_diff(o, n, &d), 0);
        for (size_t i = 0; i < permit_diff_count(d); i++) {
                const permit_diff_entry *e = permit_diff_get(d, i);

                snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s %s %s", i ? " | " : "",
                         permit_change_name(e->change), e->new_cap ? e->new_cap->id : "-",
                         e->old_cap ? e->old_cap->id : "-");
        }
        assert_null(permit_diff_get(d, permit_diff_count(d)));
        if (strcmp(got, want) != 0)
                fail_msg("\n got:  %s\n want: %s", got, want);
        assert_int_equal(permit_diff_asks_more(d), asks_more);
        permit_diff_free(d);
        permit_manifest_free(o);
        permit_manifest_free(n);
}

#define L(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define NONE ((const char *const[]) { NULL })

static void test_names(void **state) {
        assert_string_equal(permit_change_name(PERMIT_CHANGE_ADDED), "added");
        assert_string_equal(permit_change_name(PERMIT_CHANGE_WIDENED), "widened");
        assert_string_equal(permit_change_name(PERMIT_CHANGE_NOW_REQUIRED), "now-required");
        assert_string_equal(permit_change_name(PERMIT_CHANGE_REMOVED), "removed");
        assert_string_equal(permit_change_name(PERMIT_CHANGE_UNCHANGED), "unchanged");
        assert_null(permit_change_name((permit_change) 99));
}

static void test_same(void **state) {
        expect(L("sys.notify", "net.connect:a.example.com"), L("net.connect:a.example.com", "sys.notify"),
               "unchanged net.connect:a.example.com net.connect:a.example.com | unchanged sys.notify sys.notify", false);
        expect(NONE, NONE, "", false);
}

static void test_added_removed(void **state) {
        expect(L("sys.notify"), L("dev.camera"), "added dev.camera - | removed - sys.notify", true);
        expect(NONE, L("?dev.camera"), "added dev.camera -", true);
        expect(L("dev.camera", "sys.notify"), L("sys.notify"), "unchanged sys.notify sys.notify | removed - dev.camera",
               false);
}

static void test_required(void **state) {
        expect(L("?dev.camera"), L("dev.camera"), "now-required dev.camera dev.camera", true);
        /* required -> optional asks for nothing more */
        expect(L("dev.camera"), L("?dev.camera"), "unchanged dev.camera dev.camera", false);
        /* covered only by an optional broader one, which the user may have declined */
        expect(L("?net.connect:*"), L("net.connect:a.example.com"),
               "now-required net.connect:a.example.com net.connect:* | removed - net.connect:*", true);
        /* ... unless a required one covers it too */
        expect(L("?dev.camera", "proc.exec:*"), L("dev.camera", "proc.exec:*"),
               "unchanged dev.camera proc.exec:* | unchanged proc.exec:* proc.exec:*", false);
        expect(L("?net.connect:*"), L("?net.connect:a.example.com"),
               "unchanged net.connect:a.example.com net.connect:* | removed - net.connect:*", false);
}

static void test_narrowed(void **state) {
        /* asking for less: covered by the old grant, and the old broad one is gone */
        expect(L("net.connect:*"), L("net.connect:a.example.com:443"),
               "unchanged net.connect:a.example.com:443 net.connect:* | removed - net.connect:*", false);
        expect(L("fs.write:$HOME"), L("fs.read:$DOCUMENTS"),
               "unchanged fs.read:$DOCUMENTS fs.write:$HOME | removed - fs.write:$HOME", false);
}

static void test_widened(void **state) {
        expect(L("net.connect:a.example.com:443"), L("net.connect:*"),
               "widened net.connect:* net.connect:a.example.com:443", true);
        expect(L("fs.read:$DOCUMENTS", "sys.notify"), L("fs.write:$HOME", "sys.notify"),
               "widened fs.write:$HOME fs.read:$DOCUMENTS | unchanged sys.notify sys.notify", true);
        expect(L("fs.pick:read"), L("fs.pick:write"), "widened fs.pick:write fs.pick:read", true);
        expect(L("sys.notify", "net.connect:x.org"), L("proc.exec:*"), "widened proc.exec:* sys.notify", true);
        /* same kind, neither covers the other: added and removed */
        expect(L("net.connect:a.example.com"), L("net.connect:b.example.com"),
               "added net.connect:b.example.com - | removed - net.connect:a.example.com", true);
}

static void test_errors(void **state) {
        permit_manifest *m = make(NONE);
        permit_diff *d = NULL;

        assert_int_equal(permit_manifest_diff(NULL, m, &d), -EINVAL);
        assert_int_equal(permit_manifest_diff(m, NULL, &d), -EINVAL);
        assert_int_equal(permit_manifest_diff(m, m, NULL), -EINVAL);
        assert_null(d);
        assert_int_equal(permit_diff_count(NULL), 0);
        assert_null(permit_diff_get(NULL, 0));
        assert_false(permit_diff_asks_more(NULL));
        permit_diff_free(NULL);
        permit_manifest_free(m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_same),
                cmocka_unit_test(test_added_removed),
                cmocka_unit_test(test_required),
                cmocka_unit_test(test_narrowed),
                cmocka_unit_test(test_widened),
                cmocka_unit_test(test_errors),
        };

        return cmocka_run_group_tests_name("manifest-diff", tests, NULL, NULL);
}
