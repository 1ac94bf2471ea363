/* SPDX-License-Identifier: MIT */
/* The capability vocabulary: checking ids, each kind's risk and warning
 * text, and which capability absorbs which. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "permit/capability.h"

static void test_risk_names(void **state) {
        assert_string_equal(permit_risk_name(PERMIT_RISK_NONE), "none");
        assert_string_equal(permit_risk_name(PERMIT_RISK_LOW), "low");
        assert_string_equal(permit_risk_name(PERMIT_RISK_MEDIUM), "medium");
        assert_string_equal(permit_risk_name(PERMIT_RISK_HIGH), "high");
        assert_string_equal(permit_risk_name(PERMIT_RISK_CRITICAL), "critical");
        assert_null(permit_risk_name((permit_risk) 5));
        assert_null(permit_risk_name((permit_risk) -1));
}

static void test_check(void **state) {
        static const char *const good[] = {
                "fs.read:$HOME", "fs.write:/srv/x", "fs.pick:write", "net.connect:*", "net.connect:[::1]:8080",
                "net.listen:65535", "proc.exec:*", "sys.clipboard:read", "sys.notify", "sys.display",
                "dev.camera", "dev.microphone", "ipc.dbus:org.a.B", "host.x", "host.deck_editor:any text, ok",
        };
        static const struct {
                const char *id, *text;
        } bad[] = {
                { "made.up", "unknown kind 'made.up'" },
                { "", "empty capability id" },
                { "fs.read", "fs.read needs a path" },
                { "net.connect:a.example.com:0", "net.connect: port 0 out of range 1-65535" },
                { "sys.notify:x", "sys.notify takes no argument" },
                { "host.A", "invalid host feature name 'A' (a-z, 0-9, '_' and '-', at most 64)" },
                { "fs.read:\xff", "not valid UTF-8" },
                { "fs.read:/a\x01", "contains a control or formatting character (U+0001)" },
        };
        permit_error error;

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                permit_error_clear(&error);
                if (permit_capability_check(good[i], &error) != 0)
                        fail_msg("%s refused: %s", good[i], error.text);
        }
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                permit_error_clear(&error);
                strcpy(error.path, "kept");
                assert_int_equal(permit_capability_check(bad[i].id, &error), -EINVAL);
                assert_string_equal(error.text, bad[i].text);
                /* The caller's path is left alone. */
                assert_string_equal(error.path, "kept");
                assert_int_equal(permit_capability_check(bad[i].id, NULL), -EINVAL);
        }
        assert_int_equal(permit_capability_check(NULL, NULL), -EINVAL);
}

/* Every kind, and the special cases of each, with the exact text a user
 * sees (doc/manifest.md has the same table). */
static const struct {
        const char *id;
        permit_risk risk;
        const char *text;
} warnings[] = {
        { "fs.read:$ADDON", PERMIT_RISK_NONE, "Read files in the add-on's own folder" },
        { "fs.read:$DATA/cache", PERMIT_RISK_NONE, "Read files in cache in the add-on's own data folder" },
        { "fs.read:$TMP", PERMIT_RISK_NONE, "Read files in the add-on's temporary folder" },
        { "fs.read:$PROFILE", PERMIT_RISK_HIGH, "Read files in this application's profile folder" },
        { "fs.read:$HOME", PERMIT_RISK_HIGH, "Read files in your home folder" },
        { "fs.read:$HOME/.ssh", PERMIT_RISK_HIGH, "Read files in .ssh in your home folder" },
        { "fs.read:$HOME/Music", PERMIT_RISK_MEDIUM, "Read files in Music in your home folder" },
        { "fs.read:$DOCUMENTS", PERMIT_RISK_MEDIUM, "Read files in your Documents folder" },
        { "fs.read:$DOCUMENTS/Anki/decks", PERMIT_RISK_MEDIUM, "Read files in Anki/decks in your Documents folder" },
        { "fs.read:$DOWNLOADS", PERMIT_RISK_MEDIUM, "Read files in your Downloads folder" },
        { "fs.read:/srv/data", PERMIT_RISK_MEDIUM, "Read files in /srv/data" },
        { "fs.read:/", PERMIT_RISK_HIGH, "Read all files on this computer" },
        { "fs.write:$ADDON", PERMIT_RISK_MEDIUM, "Change and delete files in the add-on's own folder" },
        { "fs.write:$DATA", PERMIT_RISK_NONE, "Change and delete files in the add-on's own data folder" },
        { "fs.write:$TMP/x", PERMIT_RISK_NONE, "Change and delete files in x in the add-on's temporary folder" },
        { "fs.write:$PROFILE", PERMIT_RISK_HIGH, "Change and delete files in this application's profile folder" },
        { "fs.write:$HOME", PERMIT_RISK_HIGH, "Change and delete files in your home folder" },
        { "fs.write:$HOME/Music", PERMIT_RISK_HIGH, "Change and delete files in Music in your home folder" },
        { "fs.write:$DOCUMENTS", PERMIT_RISK_HIGH, "Change and delete files in your Documents folder" },
        { "fs.write:$DOWNLOADS/x", PERMIT_RISK_HIGH, "Change and delete files in x in your Downloads folder" },
        { "fs.write:/srv/data", PERMIT_RISK_HIGH, "Change and delete files in /srv/data" },
        { "fs.write:/", PERMIT_RISK_CRITICAL, "Change and delete all files on this computer" },
        { "fs.pick:read", PERMIT_RISK_LOW, "Open files you choose" },
        { "fs.pick:write", PERMIT_RISK_LOW, "Open and change files you choose" },
        { "net.connect:api.example.com", PERMIT_RISK_MEDIUM, "Exchange data with api.example.com" },
        { "net.connect:api.example.com:443", PERMIT_RISK_MEDIUM, "Exchange data with api.example.com on port 443" },
        { "net.connect:127.0.0.1:8765", PERMIT_RISK_MEDIUM, "Exchange data with 127.0.0.1 on port 8765" },
        { "net.connect:[::1]:8765", PERMIT_RISK_MEDIUM, "Exchange data with [::1] on port 8765" },
        { "net.connect:*.example.com", PERMIT_RISK_MEDIUM, "Exchange data with any server in the domain example.com" },
        { "net.connect:*.example.com:443", PERMIT_RISK_MEDIUM,
          "Exchange data with any server in the domain example.com on port 443" },
        { "net.connect:*", PERMIT_RISK_HIGH, "Exchange data with any server on the internet" },
        { "net.connect:*:443", PERMIT_RISK_HIGH, "Exchange data with any server on the internet on port 443" },
        { "net.listen:8765", PERMIT_RISK_MEDIUM, "Accept connections on port 8765 of this computer" },
        { "proc.exec:/usr/bin/git", PERMIT_RISK_HIGH, "Run /usr/bin/git" },
        { "proc.exec:*", PERMIT_RISK_CRITICAL, "Run any program: full access to your computer" },
        { "sys.clipboard:read", PERMIT_RISK_MEDIUM, "Read your clipboard" },
        { "sys.clipboard:write", PERMIT_RISK_NONE, "Put text on your clipboard" },
        { "sys.notify", PERMIT_RISK_LOW, "Show notifications" },
        { "dev.camera", PERMIT_RISK_HIGH, "Use your camera" },
        { "dev.microphone", PERMIT_RISK_HIGH, "Use your microphone" },
        { "ipc.dbus:org.freedesktop.Notifications", PERMIT_RISK_MEDIUM, "Talk to org.freedesktop.Notifications" },
        { "sys.display", PERMIT_RISK_MEDIUM, "Show its own windows, and see what you type into them" },
        { "host.deck_editor", PERMIT_RISK_MEDIUM, "Use the host's deck_editor feature" },
        { "host.sync:read only", PERMIT_RISK_MEDIUM, "Use the host's sync feature (read only)" },
};

static void test_warning_texts(void **state) {
        for (size_t i = 0; i < sizeof(warnings) / sizeof(warnings[0]); i++) {
                char buf[256];
                int r = permit_capability_warning(warnings[i].id, buf, sizeof(buf));

                if (r != (int) warnings[i].risk || strcmp(buf, warnings[i].text) != 0)
                        fail_msg("%s: got %d '%s', want %d '%s'", warnings[i].id, r, r >= 0 ? buf : "",
                                 (int) warnings[i].risk, warnings[i].text);
        }
}

static void test_warning_errors(void **state) {
        char buf[16];

        assert_int_equal(permit_capability_warning("made.up", buf, sizeof(buf)), -EINVAL);
        assert_int_equal(permit_capability_warning(NULL, buf, sizeof(buf)), -EINVAL);
        /* Never a cut-off warning. */
        assert_int_equal(permit_capability_warning("dev.camera", buf, 15), -ENOBUFS);
        assert_int_equal(permit_capability_warning("dev.camera", buf, 16), PERMIT_RISK_HIGH);
        assert_string_equal(buf, "Use your camera");
        assert_int_equal(permit_capability_warning("net.connect:api.example.com", buf, sizeof(buf)), -ENOBUFS);
        assert_int_equal(permit_capability_warning("dev.camera", NULL, 0), -ENOBUFS);
}

static const struct {
        const char *broad, *narrow;
        bool absorbs;
} absorbs[] = {
        /* itself */
        { "sys.notify", "sys.notify", true },
        { "net.connect:a.example.com", "net.connect:a.example.com", true },
        { "host.x:y", "host.x:y", true },
        /* net.connect */
        { "net.connect:*", "net.connect:a.example.com", true },
        { "net.connect:*", "net.connect:a.example.com:443", true },
        { "net.connect:*", "net.connect:*.example.com", true },
        { "net.connect:*", "net.connect:*:443", true },
        { "net.connect:*", "net.connect:[::1]:80", true },
        { "net.connect:*", "net.connect:10.0.0.1", true },
        { "net.connect:*:443", "net.connect:*", false },
        { "net.connect:*:443", "net.connect:a.example.com:443", true },
        { "net.connect:*:443", "net.connect:*.example.com:443", true },
        { "net.connect:*:443", "net.connect:a.example.com", false },
        { "net.connect:*:443", "net.connect:a.example.com:80", false },
        { "net.connect:a.example.com", "net.connect:a.example.com:443", true },
        { "net.connect:a.example.com:443", "net.connect:a.example.com", false },
        { "net.connect:a.example.com:443", "net.connect:a.example.com:80", false },
        { "net.connect:a.example.com", "net.connect:b.a.example.com", false },
        { "net.connect:*.example.com", "net.connect:a.example.com", true },
        { "net.connect:*.example.com", "net.connect:a.b.example.com:8080", true },
        { "net.connect:*.example.com", "net.connect:example.com", false },
        { "net.connect:*.example.com", "net.connect:badexample.com", false },
        { "net.connect:*.example.com", "net.connect:*.example.com:443", true },
        { "net.connect:*.example.com", "net.connect:*.x.example.com", true },
        { "net.connect:*.x.example.com", "net.connect:*.example.com", false },
        { "net.connect:*.example.com:443", "net.connect:a.example.com", false },
        { "net.connect:*.example.com:443", "net.connect:a.example.com:443", true },
        { "net.connect:*.example.com", "net.connect:*", false },
        { "net.connect:a.example.com", "net.connect:*", false },
        { "net.connect:*", "net.listen:80", false },
        /* fs */
        { "fs.write:/a", "fs.read:/a", true },
        { "fs.write:/a", "fs.write:/a/b", true },
        { "fs.write:/a", "fs.read:/a/b/c", true },
        { "fs.write:/a", "fs.read:/ab", false },
        { "fs.write:/a/b", "fs.read:/a", false },
        { "fs.read:/a", "fs.write:/a", false },
        { "fs.read:/a", "fs.read:/a/b", true },
        { "fs.read:/a", "fs.write:/a/b", false },
        { "fs.read:$HOME", "fs.read:$DOCUMENTS", true },
        { "fs.read:$HOME", "fs.read:$DOWNLOADS/x", true },
        { "fs.read:$HOME", "fs.read:$HOME/.ssh", true },
        { "fs.read:$HOME", "fs.read:$PROFILE", false },
        { "fs.read:$HOME", "fs.read:/home/user", false },
        { "fs.read:$HOME/x", "fs.read:$DOCUMENTS", false },
        { "fs.read:$DOCUMENTS", "fs.read:$HOME", false },
        { "fs.read:$DOCUMENTS", "fs.read:$DOWNLOADS", false },
        { "fs.read:$DOCUMENTS/a", "fs.read:$DOCUMENTS/ab", false },
        { "fs.write:$HOME", "fs.read:$DOCUMENTS/Anki", true },
        { "fs.read:/", "fs.read:$ADDON", true },
        { "fs.read:/", "fs.read:/etc/x", true },
        { "fs.read:/", "fs.write:/tmp", false },
        { "fs.write:/", "fs.write:$HOME", true },
        { "fs.write:/", "fs.read:$PROFILE/x", true },
        { "fs.read:/", "fs.pick:read", true },
        { "fs.read:/", "fs.pick:write", false },
        { "fs.write:/", "fs.pick:write", true },
        { "fs.write:$HOME", "fs.pick:read", false },
        { "fs.pick:write", "fs.pick:read", true },
        { "fs.pick:read", "fs.pick:write", false },
        { "fs.read:/a", "net.connect:*", false },
        /* proc.exec */
        { "proc.exec:*", "proc.exec:/usr/bin/git", true },
        { "proc.exec:*", "fs.write:/", true },
        { "proc.exec:*", "net.connect:*", true },
        { "proc.exec:*", "host.x:y", true },
        { "proc.exec:*", "dev.camera", true },
        { "proc.exec:/usr/bin/git", "proc.exec:/usr/bin/git-lfs", false },
        { "proc.exec:/usr/bin", "proc.exec:/usr/bin/git", false },
        { "fs.write:/", "proc.exec:/usr/bin/git", false },
        /* the rest: only themselves */
        { "sys.clipboard:read", "sys.clipboard:write", false },
        { "sys.clipboard:write", "sys.clipboard:read", false },
        { "ipc.dbus:org.a.B", "ipc.dbus:org.a.B.C", false },
        { "host.x", "host.x:y", false },
        { "host.x:y", "host.x", false },
        { "dev.camera", "dev.microphone", false },
        { "net.listen:80", "net.listen:8080", false },
        /* invalid ids absorb nothing and are absorbed by nothing */
        { "made.up", "made.up", false },
        { "proc.exec:*", "made.up", false },
        { "net.connect:*", "net.connect:*.com", false },
};

static void test_absorbs(void **state) {
        for (size_t i = 0; i < sizeof(absorbs) / sizeof(absorbs[0]); i++)
                if (permit_capability_absorbs(absorbs[i].broad, absorbs[i].narrow) != absorbs[i].absorbs)
                        fail_msg("%s %s %s", absorbs[i].broad, absorbs[i].absorbs ? "should absorb" : "should not absorb",
                                 absorbs[i].narrow);
        assert_false(permit_capability_absorbs(NULL, "sys.notify"));
        assert_false(permit_capability_absorbs("sys.notify", NULL));
}

/* Absorbing is transitive over the warning table's ids, which the merged
 * warnings rely on. */
static void test_absorbs_transitive(void **state) {
        size_t n = sizeof(warnings) / sizeof(warnings[0]);

        for (size_t a = 0; a < n; a++)
                for (size_t b = 0; b < n; b++)
                        for (size_t c = 0; c < n; c++)
                                if (permit_capability_absorbs(warnings[a].id, warnings[b].id) &&
                                    permit_capability_absorbs(warnings[b].id, warnings[c].id) &&
                                    !permit_capability_absorbs(warnings[a].id, warnings[c].id))
                                        fail_msg("%s > %s > %s but not %s > %s", warnings[a].id, warnings[b].id,
                                                 warnings[c].id, warnings[a].id, warnings[c].id);
}

/* A broader capability never carries a lower risk than one it absorbs
 * (except the always-granted ones of risk none, which '/' includes). */
static void test_absorbs_risk(void **state) {
        size_t n = sizeof(warnings) / sizeof(warnings[0]);

        for (size_t a = 0; a < n; a++)
                for (size_t b = 0; b < n; b++)
                        if (permit_capability_absorbs(warnings[a].id, warnings[b].id) &&
                            warnings[a].risk < warnings[b].risk)
                                fail_msg("%s (%s) absorbs the riskier %s (%s)", warnings[a].id,
                                         permit_risk_name(warnings[a].risk), warnings[b].id,
                                         permit_risk_name(warnings[b].risk));
}

/* doc/manifest.md names every kind and every fixed warning text. */
static void test_documented(void **state) {
        static const char *const words[] = {
                "`fs.read`", "`fs.write`", "`fs.pick`", "`net.connect`", "`net.listen`", "`proc.exec`",
                "`sys.clipboard`", "`sys.notify`", "`sys.display`", "`dev.camera`", "`dev.microphone`", "`ipc.dbus`",
                "`host.NAME`", "Read files in PATH", "Change and delete files in PATH", "Open files you choose",
                "Open and change files you choose", "Exchange data with HOST", "Accept connections on port N of this computer",
                "Run PROGRAM", "Run any program: full access to your computer", "Read your clipboard",
                "Put text on your clipboard", "Show notifications", "Show its own windows, and see what you type into them",
                "Use your camera", "Use your microphone", "Talk to SERVICE", "Use the host's NAME feature",
                "Read all files on this computer", "Change and delete all files on this computer",
                "Exchange data with any server on the internet", "Exchange data with any server in the domain",
                "the add-on's own folder", "the add-on's own data folder", "the add-on's temporary folder",
                "this application's profile folder", "your home folder", "your Documents folder", "your Downloads folder",
        };
        const char *root = getenv("PERMIT_SOURCE_ROOT");
        char path[4096], *doc;
        FILE *f;
        long len;

        assert_non_null(root);
        snprintf(path, sizeof(path), "%s/doc/manifest.md", root);
        f = fopen(path, "rb");
        assert_non_null(f);
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        len = ftell(f);
        assert_true(len > 0);
        rewind(f);
        doc = calloc(1, (size_t) len + 1);
        assert_non_null(doc);
        assert_int_equal(fread(doc, 1, (size_t) len, f), (size_t) len);
        fclose(f);
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                if (!strstr(doc, words[i]))
                        fail_msg("doc/manifest.md does not mention %s", words[i]);
        free(doc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_risk_names),
                cmocka_unit_test(test_check),
                cmocka_unit_test(test_warning_texts),
                cmocka_unit_test(test_warning_errors),
                cmocka_unit_test(test_absorbs),
                cmocka_unit_test(test_absorbs_transitive),
                cmocka_unit_test(test_absorbs_risk),
                cmocka_unit_test(test_documented),
        };

        return cmocka_run_group_tests_name("manifest-vocabulary", tests, NULL, NULL);
}
