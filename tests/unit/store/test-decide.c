/* SPDX-License-Identifier: MIT */
/* Deciding: building a decision on a manifest, recording it, what an update
 * keeps and asks, revoking, resetting, and the decided manifest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store-test.h"

#define CAPS_V1                                                                                            \
        "{\"id\":\"net.connect:api.example.com\"},"                                                        \
        "{\"id\":\"fs.read:$DOCUMENTS\",\"required\":false,\"reason\":\"Reads your notes\"},"             \
        "{\"id\":\"sys.notify\",\"required\":false}"

static void test_decision_object(void **state) {
        permit_manifest *m = sto_manifest("org.a", "1.0.0", CAPS_V1);
        permit_decision *d = NULL;

        assert_int_equal(permit_decision_new(NULL, NULL, &d), -EINVAL);
        assert_int_equal(permit_decision_new(m, NULL, NULL), -EINVAL);
        assert_int_equal(permit_decision_new(m, NULL, &d), 0);
        assert_int_equal(permit_decision_count(d), 3);
        assert_string_equal(permit_decision_capability(d, 0), "net.connect:api.example.com");
        assert_null(permit_decision_capability(d, 3));
        /* required accepted, optional off, all new */
        assert_true(permit_decision_granted(d, 0));
        assert_true(permit_decision_required(d, 0));
        assert_false(permit_decision_granted(d, 1));
        assert_false(permit_decision_required(d, 1));
        for (size_t i = 0; i < 3; i++)
                assert_true(permit_decision_is_new(d, i));
        assert_false(permit_decision_is_new(d, 3));
        assert_true(permit_decision_required_accepted(d));
        assert_int_equal(permit_decision_set(d, "sys.notify", true), 0);
        assert_true(permit_decision_granted(d, 2));
        assert_int_equal(permit_decision_set(d, "net.connect:api.example.com", false), -EPERM);
        assert_int_equal(permit_decision_set(d, "sys.display", true), -ENOENT);
        assert_int_equal(permit_decision_set(d, NULL, true), -EINVAL);
        assert_int_equal(permit_decision_set(NULL, "sys.notify", true), -EINVAL);
        /* refusing the required ones refuses everything */
        permit_decision_set_required(d, false);
        assert_false(permit_decision_required_accepted(d));
        for (size_t i = 0; i < 3; i++)
                assert_false(permit_decision_granted(d, i));
        permit_decision_set_required(d, true);
        assert_true(permit_decision_granted(d, 0));
        assert_true(permit_decision_granted(d, 2));
        permit_decision_set_by(NULL, PERMIT_BY_USER);
        permit_decision_set_time(NULL, 1);
        permit_decision_set_required(NULL, true);
        assert_int_equal(permit_decision_count(NULL), 0);
        permit_decision_free(d);
        permit_decision_free(NULL);
        permit_manifest_free(m);
}

static void test_record(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0", CAPS_V1);
        const char *grant[] = { "sys.notify", NULL };
        const permit_record *r;
        permit_store *again = NULL;
        char *audit, *mpath;

        sto_decide(f->s, m, grant);
        r = permit_store_find(f->s, "org.a");
        assert_non_null(r);
        assert_string_equal(permit_record_version(r), "1.0.0");
        assert_string_equal(permit_record_name(r), "Add-on org.a");
        assert_string_equal(permit_record_publisher(r), "Example");
        assert_int_equal(strlen(permit_record_manifest_digest(r)), 64);
        assert_true(permit_record_decided_at(r) > 1600000000);
        assert_true(sto_decision(f->s, "org.a", "net.connect:api.example.com")->granted);
        assert_true(sto_decision(f->s, "org.a", "sys.notify")->granted);
        assert_false(sto_decision(f->s, "org.a", "fs.read:$DOCUMENTS")->granted);
        assert_int_equal(sto_decision(f->s, "org.a", "sys.notify")->by, PERMIT_BY_USER);

        /* another handle reads what was written */
        assert_int_equal(permit_store_open(f->dir, 0, &again, NULL), 0);
        assert_int_equal(permit_store_n_records(again), 1);
        assert_true(sto_decision(again, "org.a", "sys.notify")->granted);
        permit_store_free(again);

        /* one audit line per capability decided */
        assert_true(asprintf(&audit, "%s/permit/audit.jsonl", f->dir) > 0);
        {
                char *log = test_read(audit, NULL);
                size_t lines = 0;
                for (char *p = log; *p; p++)
                        lines += *p == '\n';
                assert_int_equal(lines, 3);
                assert_non_null(strstr(log, "\"event\":\"decision\""));
                assert_non_null(strstr(log, "\"capability\":\"fs.read:$DOCUMENTS\""));
                free(log);
        }
        /* the decided manifest is kept */
        assert_true(asprintf(&mpath, "%s/permit/manifests/org.a.json", f->dir) > 0);
        assert_true(test_exists(mpath));
        free(mpath);
        free(audit);
        permit_manifest_free(m);
}

static void test_decided_by_policy_and_time(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.p", "1.0.0", CAPS_V1);
        permit_decision *d = NULL;
        const permit_cap_decision *cd;

        assert_int_equal(permit_decision_new(m, NULL, &d), 0);
        permit_decision_set_by(d, PERMIT_BY_POLICY);
        permit_decision_set_time(d, 12345);
        assert_int_equal(permit_store_record_decision(f->s, d, NULL), 0);
        cd = sto_decision(f->s, "org.p", "net.connect:api.example.com");
        assert_int_equal(cd->by, PERMIT_BY_POLICY);
        assert_int_equal(cd->decided_at, 12345);
        assert_int_equal(permit_record_decided_at(permit_store_find(f->s, "org.p")), 12345);
        assert_int_equal(permit_store_record_decision(NULL, d, NULL), -EINVAL);
        assert_int_equal(permit_store_record_decision(f->s, NULL, NULL), -EINVAL);
        permit_decision_free(d);
        permit_manifest_free(m);
}

static void test_refused(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.r", "1.0.0", CAPS_V1);
        permit_decision *d = NULL;

        assert_int_equal(permit_decision_new(m, NULL, &d), 0);
        assert_int_equal(permit_decision_set(d, "sys.notify", true), 0);
        permit_decision_set_required(d, false);
        assert_int_equal(permit_store_record_decision(f->s, d, NULL), 0);
        for (size_t i = 0; i < 3; i++)
                assert_false(permit_record_decision(permit_store_find(f->s, "org.r"), i)->granted);
        permit_decision_free(d);
        permit_manifest_free(m);
}

/* An update: what was decided stays decided; only what is new is asked. */
static void test_update(void **state) {
        fixture *f = *state;
        permit_manifest *v1 = sto_manifest("org.a", "1.0.0", CAPS_V1), *v2, *v3, *old = NULL;
        const char *grant[] = { "sys.notify", NULL };
        permit_decision *d = NULL;
        permit_diff *diff = NULL;

        sto_decide(f->s, v1, grant);
        /* v2: fs.read widened to $HOME (optional), a new required one, narrower
         * network (covered), sys.notify dropped */
        v2 = sto_manifest("org.a", "2.0.0",
                          "{\"id\":\"net.connect:api.example.com:443\"},"
                          "{\"id\":\"fs.read:$HOME\",\"required\":false},"
                          "{\"id\":\"sys.display\"}");
        assert_int_equal(permit_decision_new(v2, permit_store_find(f->s, "org.a"), &d), 0);
        assert_false(permit_decision_is_new(d, 0)); /* covered by the granted broader one */
        assert_true(permit_decision_granted(d, 0));
        assert_true(permit_decision_is_new(d, 1));
        assert_false(permit_decision_granted(d, 1));
        assert_true(permit_decision_is_new(d, 2));
        assert_true(permit_decision_granted(d, 2)); /* required, accepted by default */
        /* the diff against the manifest decided on */
        assert_int_equal(permit_store_decided_manifest(f->s, "org.a", &old, NULL), 0);
        assert_string_equal(permit_manifest_version(old), "1.0.0");
        assert_int_equal(permit_manifest_diff(old, v2, &diff), 0);
        assert_true(permit_diff_asks_more(diff));
        permit_diff_free(diff);
        permit_manifest_free(old);
        assert_int_equal(permit_store_record_decision(f->s, d, NULL), 0);
        permit_decision_free(d);
        assert_string_equal(permit_record_version(permit_store_find(f->s, "org.a")), "2.0.0");
        /* the old yes to sys.notify is not kept (asked again if it comes back);
         * the old no to fs.read:$DOCUMENTS is */
        assert_null(sto_decision(f->s, "org.a", "sys.notify"));
        assert_non_null(sto_decision(f->s, "org.a", "fs.read:$DOCUMENTS"));
        assert_false(sto_decision(f->s, "org.a", "fs.read:$DOCUMENTS")->requested);
        assert_false(sto_decision(f->s, "org.a", "fs.read:$DOCUMENTS")->granted);

        /* v3 asks for $DOCUMENTS again, now required: the user's no is asked again,
         * and sys.notify comes back as new */
        v3 = sto_manifest("org.a", "3.0.0", "{\"id\":\"fs.read:$DOCUMENTS\"},{\"id\":\"sys.notify\",\"required\":false}");
        assert_int_equal(permit_decision_new(v3, permit_store_find(f->s, "org.a"), &d), 0);
        assert_true(permit_decision_is_new(d, 0));
        assert_true(permit_decision_is_new(d, 1));
        assert_false(permit_decision_granted(d, 1));
        permit_decision_free(d);
        /* a decision for another add-on's record is refused */
        assert_int_equal(permit_decision_new(v3, permit_store_find(f->s, "org.p"), &d), 0);
        permit_decision_free(d);
        {
                permit_manifest *other = sto_manifest("org.b", "1.0.0", "");
                assert_int_equal(permit_decision_new(other, permit_store_find(f->s, "org.a"), &d), -EINVAL);
                permit_manifest_free(other);
        }
        permit_manifest_free(v1);
        permit_manifest_free(v2);
        permit_manifest_free(v3);
}

static void test_optional_no_survives(void **state) {
        fixture *f = *state;
        permit_manifest *v1 = sto_manifest("org.a", "1.0.0", CAPS_V1), *v2;
        permit_decision *d = NULL;

        sto_decide(f->s, v1, NULL);
        v2 = sto_manifest("org.a", "1.1.0", CAPS_V1);
        assert_int_equal(permit_decision_new(v2, permit_store_find(f->s, "org.a"), &d), 0);
        for (size_t i = 0; i < 3; i++)
                assert_false(permit_decision_is_new(d, i));
        assert_false(permit_decision_granted(d, 1));
        assert_false(permit_decision_granted(d, 2));
        permit_decision_free(d);
        permit_manifest_free(v1);
        permit_manifest_free(v2);
}

/* An optional capability the user refused, which an update makes required:
 * asked again (the terminal and the dialog both start from
 * permit_decision_new()), accepted with the required ones; refusing them
 * refuses the add-on, and no effective grant lets it run meanwhile. */
static void test_refused_optional_now_required(void **state) {
        fixture *f = *state;
        permit_manifest *v1 = sto_manifest("org.a", "1.0.0",
                                           "{\"id\":\"fs.read:$DATA\"},{\"id\":\"sys.notify\",\"required\":false}");
        permit_manifest *v2 = sto_manifest("org.a", "2.0.0", "{\"id\":\"fs.read:$DATA\"},{\"id\":\"sys.notify\"}");
        permit_effective *e = NULL;
        permit_decision *d = NULL;
        permit_error err = { 0 };

        sto_decide(f->s, v1, NULL); /* sys.notify: no */
        assert_int_equal(permit_effective_grant(f->s, v2, NULL, &e), 0);
        assert_false(permit_effective_runnable(e)); /* the no stands until the user decides */
        assert_int_equal(permit_effective_entry(e, 1)->state, PERMIT_GRANT_DENIED);
        permit_effective_free(e);

        assert_int_equal(permit_decision_new(v2, permit_store_find(f->s, "org.a"), &d), 0);
        assert_false(permit_decision_is_new(d, 0));
        assert_true(permit_decision_is_new(d, 1)); /* asked again */
        assert_int_equal(permit_decision_set(d, "sys.notify", false), -EPERM); /* not one by one */
        permit_decision_set_required(d, false);
        assert_false(permit_decision_granted(d, 0)); /* refusing refuses the add-on */
        permit_decision_set_required(d, true);
        assert_true(permit_decision_granted(d, 1));
        assert_int_equal(permit_store_record_decision(f->s, d, &err), 0);
        assert_true(sto_decision(f->s, "org.a", "sys.notify")->granted);
        assert_true(sto_decision(f->s, "org.a", "sys.notify")->required);
        permit_decision_free(d);
        permit_manifest_free(v1);
        permit_manifest_free(v2);
}

static void test_decided_manifest_errors(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0", CAPS_V1), *got = NULL;
        permit_error e = { 0 };
        char *mpath;

        assert_int_equal(permit_store_decided_manifest(f->s, "org.a", &got, &e), -ENOENT);
        assert_int_equal(permit_store_decided_manifest(NULL, "org.a", &got, &e), -EINVAL);
        sto_decide(f->s, m, NULL);
        assert_true(asprintf(&mpath, "%s/permit/manifests/org.a.json", f->dir) > 0);
        /* a manifest the record does not name (a crash between the writes) */
        test_write_string(mpath, "{\"id\":\"org.a\",\"name\":\"X\",\"version\":\"9.0.0\",\"publisher\":\"P\","
                                 "\"entry\":\"e\",\"capabilities\":[]}");
        assert_int_equal(permit_store_decided_manifest(f->s, "org.a", &got, &e), -ENOENT);
        test_write_string(mpath, "{");
        assert_int_equal(permit_store_decided_manifest(f->s, "org.a", &got, &e), -EINVAL);
        unlink(mpath);
        assert_int_equal(permit_store_decided_manifest(f->s, "org.a", &got, &e), -ENOENT);
        free(mpath);
        permit_manifest_free(m);
}

static void test_revoke(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0", CAPS_V1);
        const char *grant[] = { "sys.notify", "fs.read:$DOCUMENTS", NULL };
        permit_error e = { 0 };

        sto_decide(f->s, m, grant);
        assert_int_equal(permit_store_revoke(f->s, "org.a", "sys.notify", &e), 0);
        assert_false(sto_decision(f->s, "org.a", "sys.notify")->granted);
        assert_true(sto_decision(f->s, "org.a", "fs.read:$DOCUMENTS")->granted);
        /* revoking what is already denied changes nothing and succeeds */
        assert_int_equal(permit_store_revoke(f->s, "org.a", "sys.notify", &e), 0);
        assert_int_equal(permit_store_revoke(f->s, "org.a", "sys.display", &e), -ENOENT);
        assert_non_null(strstr(e.text, "no decision"));
        assert_int_equal(permit_store_revoke(f->s, "org.none", NULL, &e), -ENOENT);
        assert_int_equal(permit_store_revoke(f->s, NULL, NULL, &e), -EINVAL);
        assert_int_equal(permit_store_revoke(f->s, "org.a", NULL, &e), 0);
        for (size_t i = 0; i < 3; i++)
                assert_false(permit_record_decision(permit_store_find(f->s, "org.a"), i)->granted);
        /* a later approval of the same manifest keeps the revocation of optional ones */
        {
                permit_decision *d = NULL;
                assert_int_equal(permit_decision_new(m, permit_store_find(f->s, "org.a"), &d), 0);
                assert_false(permit_decision_granted(d, 2));
                assert_false(permit_decision_is_new(d, 2));
                /* the revoked required one must be asked again */
                assert_true(permit_decision_is_new(d, 0));
                permit_decision_free(d);
        }
        permit_manifest_free(m);
}

static void test_reset(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0", CAPS_V1);
        permit_error e = { 0 };
        char *mpath;

        sto_decide(f->s, m, NULL);
        assert_int_equal(permit_store_pin_set(f->s, "org.a", "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3", &e), 0);
        assert_int_equal(permit_store_reset(f->s, "org.a", 0, &e), 0);
        assert_null(permit_store_find(f->s, "org.a"));
        assert_true(asprintf(&mpath, "%s/permit/manifests/org.a.json", f->dir) > 0);
        assert_false(test_exists(mpath));
        /* the pin stays unless asked */
        assert_int_equal(permit_store_pin_get(f->s, "org.a", NULL, NULL), 0);
        assert_int_equal(permit_store_reset(f->s, "org.a", PERMIT_RESET_PIN, &e), 0);
        assert_int_equal(permit_store_pin_get(f->s, "org.a", NULL, NULL), -ENOENT);
        assert_int_equal(permit_store_reset(f->s, "org.a", 0, &e), -ENOENT);
        assert_int_equal(permit_store_reset(NULL, "org.a", 0, &e), -EINVAL);
        free(mpath);
        permit_manifest_free(m);
}

/* A write that cannot happen: an error naming the file, the snapshot as it was. */
static void test_write_error(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0", CAPS_V1);
        permit_decision *d = NULL;
        permit_error e = { 0 };
        char *pd;

        if (geteuid() == 0) {
                /* root ignores directory modes: use a file where a directory must be */
                char *mdir;
                assert_true(asprintf(&mdir, "%s/permit/manifests", f->dir) > 0);
                test_write_string(mdir, "not a directory");
                assert_int_equal(permit_decision_new(m, NULL, &d), 0);
                assert_true(permit_store_record_decision(f->s, d, &e) < 0);
                assert_non_null(strstr(e.source, "manifests"));
                free(mdir);
        } else {
                assert_true(asprintf(&pd, "%s/permit", f->dir) > 0);
                assert_int_equal(chmod(pd, 0500), 0);
                assert_int_equal(permit_decision_new(m, NULL, &d), 0);
                assert_true(permit_store_record_decision(f->s, d, &e) < 0);
                chmod(pd, 0700);
                free(pd);
        }
        assert_null(permit_store_find(f->s, "org.a"));
        permit_decision_free(d);
        permit_manifest_free(m);
}

/* Another process's change is merged, not overwritten. */
static void test_merge(void **state) {
        fixture *f = *state;
        permit_store *other = sto_open(f->dir);
        permit_manifest *a = sto_manifest("org.a", "1.0.0", CAPS_V1), *b = sto_manifest("org.b", "1.0.0", CAPS_V1);

        sto_decide(f->s, a, NULL);
        sto_decide(other, b, NULL); /* other's snapshot did not have org.a */
        assert_non_null(permit_store_find(other, "org.a"));
        assert_non_null(permit_store_find(other, "org.b"));
        assert_int_equal(permit_store_reload(f->s, NULL), 0);
        assert_int_equal(permit_store_n_records(f->s), 2);
        permit_store_free(other);
        permit_manifest_free(a);
        permit_manifest_free(b);
}

/* A corrupt grants.json found under the lock is not replaced. */
static void test_corrupt_not_replaced(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0", CAPS_V1);
        permit_decision *d = NULL;
        permit_error e = { 0 };
        char *g, *after;

        assert_true(asprintf(&g, "%s/permit/grants.json", f->dir) > 0);
        test_write_string(g, "{\"version\":1,\"grants\":{}} trailing");
        assert_int_equal(permit_decision_new(m, NULL, &d), 0);
        assert_int_equal(permit_store_record_decision(f->s, d, &e), -EINVAL);
        assert_string_equal(e.source, g);
        after = test_read(g, NULL);
        assert_string_equal(after, "{\"version\":1,\"grants\":{}} trailing");
        free(after);
        free(g);
        permit_decision_free(d);
        permit_manifest_free(m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_decision_object),
                cmocka_unit_test_setup_teardown(test_record, setup, teardown),
                cmocka_unit_test_setup_teardown(test_decided_by_policy_and_time, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_update, setup, teardown),
                cmocka_unit_test_setup_teardown(test_optional_no_survives, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refused_optional_now_required, setup, teardown),
                cmocka_unit_test_setup_teardown(test_decided_manifest_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_revoke, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
                cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
                cmocka_unit_test_setup_teardown(test_corrupt_not_replaced, setup, teardown),
        };
        return cmocka_run_group_tests_name("store-decide", tests, NULL, NULL);
}
