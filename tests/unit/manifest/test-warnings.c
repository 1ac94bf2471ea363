/* SPDX-License-Identifier: MIT */
/* The merged warning list: absorbing, order, what is folded into what. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "permit/capability.h"

#define CAP(i) { .id = (i), .required = true, .reason = "" }
#define OPT(i) { .id = (i), .required = false, .reason = "" }

/* Expected: "capability<absorbed,absorbed>" per warning, joined by " | ". */
static void expect(const permit_capability *caps, size_t n, const char *want) {
        permit_warnings *w = NULL;
        char got[4096] = "";

        assert_int_equal(permit_warnings_new(caps, n, &w), 0);
        for (size_t i = 0; i < permit_warnings_count(w); i++) {
                const permit_warning *x = permit_warnings_get(w, i);

                if (i > 0)
                        strcat(got, " | ");
                strcat(got, x->capability);
                if (x->n_absorbed > 0) {
                        strcat(got, "<");
                        for (size_t k = 0; k < x->n_absorbed; k++) {
                                if (k > 0)
                                        strcat(got, ",");
                                strcat(got, x->absorbed[k]);
                        }
                        strcat(got, ">");
                }
        }
        assert_null(permit_warnings_get(w, permit_warnings_count(w)));
        if (strcmp(got, want) != 0)
                fail_msg("\n got:  %s\n want: %s", got, want);
        permit_warnings_free(w);
}

static void test_empty(void **state) {
        permit_warnings *w = NULL;

        assert_int_equal(permit_warnings_new(NULL, 0, &w), 0);
        assert_int_equal(permit_warnings_count(w), 0);
        assert_int_equal(permit_warnings_max_risk(w), PERMIT_RISK_NONE);
        assert_null(permit_warnings_get(w, 0));
        permit_warnings_free(w);
        permit_warnings_free(NULL);
        assert_int_equal(permit_warnings_count(NULL), 0);
        assert_null(permit_warnings_get(NULL, 0));
        assert_int_equal(permit_warnings_max_risk(NULL), PERMIT_RISK_NONE);
}

static void test_invalid(void **state) {
        const permit_capability caps[] = { CAP("sys.notify"), CAP("made.up") }, none[] = { CAP(NULL) };
        permit_warnings *w = NULL;

        assert_int_equal(permit_warnings_new(caps, 2, &w), -EINVAL);
        assert_null(w);
        assert_int_equal(permit_warnings_new(none, 1, &w), -EINVAL);
        assert_int_equal(permit_warnings_new(NULL, 1, &w), -EINVAL);
        assert_int_equal(permit_warnings_new(caps, 1, NULL), -EINVAL);
}

static void test_fields(void **state) {
        const permit_capability caps[] = {
                { .id = "sys.notify", .required = false, .reason = "Tells you when a sync ends" },
                { .id = "net.connect:*", .required = true, .reason = "Downloads shared decks" },
                { .id = "net.connect:ankiweb.net:443", .required = true, .reason = "Syncs" },
                { .id = "sys.clipboard:write", .required = true, .reason = NULL },
        };
        permit_warnings *w = NULL;
        const permit_warning *x;

        assert_int_equal(permit_warnings_new(caps, 4, &w), 0);
        assert_int_equal(permit_warnings_count(w), 3);
        assert_int_equal(permit_warnings_max_risk(w), PERMIT_RISK_HIGH);

        x = permit_warnings_get(w, 0);
        assert_int_equal(x->risk, PERMIT_RISK_HIGH);
        assert_string_equal(x->text, "Exchange data with any server on the internet");
        assert_string_equal(x->capability, "net.connect:*");
        assert_string_equal(x->reason, "Downloads shared decks");
        assert_true(x->required);
        assert_int_equal(x->n_absorbed, 1);
        assert_string_equal(x->absorbed[0], "net.connect:ankiweb.net:443");

        x = permit_warnings_get(w, 1);
        assert_int_equal(x->risk, PERMIT_RISK_LOW);
        assert_string_equal(x->text, "Show notifications");
        assert_string_equal(x->reason, "Tells you when a sync ends");
        assert_false(x->required);
        assert_int_equal(x->n_absorbed, 0);

        /* Risk none is still listed; a NULL reason reads as "". */
        x = permit_warnings_get(w, 2);
        assert_int_equal(x->risk, PERMIT_RISK_NONE);
        assert_string_equal(x->text, "Put text on your clipboard");
        assert_string_equal(x->reason, "");
        permit_warnings_free(w);
}

static void test_order(void **state) {
        const permit_capability caps[] = {
                CAP("sys.notify"), CAP("dev.microphone"), CAP("sys.clipboard:write"), CAP("net.connect:b.example.com"),
                CAP("dev.camera"), CAP("net.connect:a.example.com"), CAP("fs.write:/"),
        };

        /* risk first (critical, high, medium, low, none), then by id */
        expect(caps, 7,
               "fs.write:/ | dev.camera | dev.microphone | net.connect:a.example.com | net.connect:b.example.com | "
               "sys.notify | sys.clipboard:write");
}

static void test_net(void **state) {
        const permit_capability caps[] = {
                CAP("net.connect:a.example.com:443"), CAP("net.connect:*.example.com"), CAP("net.connect:a.example.com"),
                CAP("net.connect:other.org"), CAP("net.connect:*:443"), CAP("net.connect:*.b.example.com:80"),
        };
        const permit_capability any[] = { CAP("net.connect:x.org"), CAP("net.connect:*"), CAP("net.connect:*:443") };

        /* *:443 (high) comes first and takes a.example.com:443; *.example.com takes the rest of its domain. */
        expect(caps, 6,
               "net.connect:*:443<net.connect:a.example.com:443> | "
               "net.connect:*.example.com<net.connect:*.b.example.com:80,net.connect:a.example.com> | "
               "net.connect:other.org");
        expect(any, 3, "net.connect:*<net.connect:*:443,net.connect:x.org>");
}

static void test_fs(void **state) {
        const permit_capability caps[] = {
                CAP("fs.read:$DOCUMENTS/Anki"), CAP("fs.read:$HOME"), CAP("fs.write:$DOCUMENTS"),
                CAP("fs.read:/srv/a"), CAP("fs.read:/srv/ab"), CAP("fs.write:/srv"), CAP("fs.pick:read"),
                CAP("fs.pick:write"),
        };
        const permit_capability root[] = { CAP("fs.pick:read"), CAP("fs.read:$ADDON"), CAP("fs.read:/"),
                                           CAP("fs.write:$DATA") };

        expect(caps, 8,
               "fs.read:$HOME<fs.read:$DOCUMENTS/Anki> | fs.write:$DOCUMENTS | "
               "fs.write:/srv<fs.read:/srv/a,fs.read:/srv/ab> | fs.pick:write<fs.pick:read>");
        expect(root, 4, "fs.read:/<fs.pick:read,fs.read:$ADDON> | fs.write:$DATA");
}

static void test_exec_any(void **state) {
        const permit_capability caps[] = {
                CAP("sys.notify"), CAP("fs.write:/"), CAP("proc.exec:/usr/bin/git"), CAP("net.connect:*"),
                CAP("proc.exec:*"), CAP("host.deck_editor"), CAP("sys.clipboard:write"),
        };
        permit_warnings *w = NULL;

        expect(caps, 7,
               "proc.exec:*<fs.write:/,net.connect:*,proc.exec:/usr/bin/git,host.deck_editor,sys.notify,"
               "sys.clipboard:write>");
        assert_int_equal(permit_warnings_new(caps, 7, &w), 0);
        assert_int_equal(permit_warnings_max_risk(w), PERMIT_RISK_CRITICAL);
        assert_string_equal(permit_warnings_get(w, 0)->text, "Run any program: full access to your computer");
        permit_warnings_free(w);
}

/* An optional capability does not hide a required one: the user may turn
 * the optional one off. A required one hides optional ones. */
static void test_required_vs_optional(void **state) {
        const permit_capability caps[] = { OPT("net.connect:*"), CAP("net.connect:a.example.com"),
                                           OPT("net.connect:b.example.com") };
        const permit_capability caps2[] = { CAP("proc.exec:*"), OPT("dev.camera") };
        const permit_capability caps3[] = { OPT("proc.exec:*"), CAP("dev.camera"), OPT("sys.notify") };

        expect(caps, 3, "net.connect:*<net.connect:b.example.com> | net.connect:a.example.com");
        expect(caps2, 2, "proc.exec:*<dev.camera>");
        expect(caps3, 3, "proc.exec:*<sys.notify> | dev.camera");
}

static void test_duplicates(void **state) {
        const permit_capability caps[] = { CAP("sys.notify"), CAP("net.connect:*"), CAP("sys.notify"),
                                           CAP("net.connect:*") };

        /* Not from a manifest (which refuses duplicates), but handled: the first stays. */
        expect(caps, 4, "net.connect:*<net.connect:*> | sys.notify<sys.notify>");
}

static void test_many(void **state) {
        permit_capability caps[64];
        char ids[64][32];
        permit_warnings *w = NULL;

        for (size_t i = 0; i < 64; i++) {
                snprintf(ids[i], sizeof(ids[i]), "net.connect:h%zu.example.com", i);
                caps[i] = (permit_capability) CAP(ids[i]);
        }
        assert_int_equal(permit_warnings_new(caps, 64, &w), 0);
        assert_int_equal(permit_warnings_count(w), 64);
        /* sorted by id */
        assert_string_equal(permit_warnings_get(w, 0)->capability, "net.connect:h0.example.com");
        assert_string_equal(permit_warnings_get(w, 1)->capability, "net.connect:h1.example.com");
        assert_string_equal(permit_warnings_get(w, 2)->capability, "net.connect:h10.example.com");
        permit_warnings_free(w);
        caps[63] = (permit_capability) CAP("net.connect:*.example.com");
        assert_int_equal(permit_warnings_new(caps, 64, &w), 0);
        assert_int_equal(permit_warnings_count(w), 1);
        assert_int_equal(permit_warnings_get(w, 0)->n_absorbed, 63);
        permit_warnings_free(w);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_invalid),
                cmocka_unit_test(test_fields),
                cmocka_unit_test(test_order),
                cmocka_unit_test(test_net),
                cmocka_unit_test(test_fs),
                cmocka_unit_test(test_exec_any),
                cmocka_unit_test(test_required_vs_optional),
                cmocka_unit_test(test_duplicates),
                cmocka_unit_test(test_many),
        };

        return cmocka_run_group_tests_name("manifest-warnings", tests, NULL, NULL);
}
