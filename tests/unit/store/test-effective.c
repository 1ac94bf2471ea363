/* SPDX-License-Identifier: MIT */
/* The effective grant: requested AND approved AND allowed by policy; and
 * the policy file itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "permit/policy.h"
#include "store-test.h"

static const char *state_of(const permit_effective *e, const char *cap) {
        for (size_t i = 0; i < permit_effective_n_entries(e); i++)
                if (strcmp(permit_effective_entry(e, i)->capability, cap) == 0)
                        return permit_grant_state_name(permit_effective_entry(e, i)->state);
        return "absent";
}

static void test_nothing_decided(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0", "{\"id\":\"sys.notify\"}");
        permit_effective *e = NULL;

        assert_int_equal(permit_effective_grant(NULL, m, NULL, &e), -EINVAL);
        assert_int_equal(permit_effective_grant(f->s, NULL, NULL, &e), -EINVAL);
        assert_int_equal(permit_effective_grant(f->s, m, NULL, NULL), -EINVAL);
        assert_int_equal(permit_effective_grant(f->s, m, NULL, &e), 0);
        assert_int_equal(permit_effective_n_granted(e), 0);
        assert_int_equal(permit_effective_n_undecided(e), 1);
        assert_false(permit_effective_runnable(e));
        assert_false(permit_effective_up_to_date(e));
        assert_string_equal(state_of(e, "sys.notify"), "undecided");
        permit_effective_free(e);
        permit_effective_free(NULL);
        assert_int_equal(permit_effective_n_entries(NULL), 0);
        assert_null(permit_effective_entry(NULL, 0));
        assert_null(permit_effective_limits(NULL));
        assert_null(permit_grant_state_name((permit_grant_state) 99));
        permit_manifest_free(m);
}

static void test_approved(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0",
                                          "{\"id\":\"net.connect:api.example.com\"},"
                                          "{\"id\":\"fs.read:$DOCUMENTS\",\"required\":false},"
                                          "{\"id\":\"sys.notify\",\"required\":false}");
        const char *grant[] = { "sys.notify", NULL };
        permit_effective *e = NULL;

        sto_decide(f->s, m, grant);
        assert_int_equal(permit_effective_grant(f->s, m, NULL, &e), 0);
        assert_true(permit_effective_runnable(e));
        assert_true(permit_effective_up_to_date(e));
        assert_int_equal(permit_effective_n_entries(e), 3);
        assert_int_equal(permit_effective_n_granted(e), 2);
        assert_string_equal(permit_effective_granted(e, 0), "net.connect:api.example.com");
        assert_string_equal(permit_effective_granted(e, 1), "sys.notify");
        assert_null(permit_effective_granted(e, 2));
        assert_string_equal(state_of(e, "fs.read:$DOCUMENTS"), "denied");
        assert_true(permit_effective_entry(e, 0)->required);
        assert_int_equal(permit_effective_n_undecided(e), 0);
        permit_effective_free(e);

        /* revoke a required one: not runnable */
        assert_int_equal(permit_store_revoke(f->s, "org.a", "net.connect:api.example.com", NULL), 0);
        assert_int_equal(permit_effective_grant(f->s, m, NULL, &e), 0);
        assert_false(permit_effective_runnable(e));
        assert_int_equal(permit_effective_n_granted(e), 1);
        permit_effective_free(e);
        permit_manifest_free(m);
}

/* An update asking for more gets only what was approved; narrowing survives. */
static void test_update_gets_only_approved(void **state) {
        fixture *f = *state;
        permit_manifest *v1 = sto_manifest("org.a", "1.0.0",
                                           "{\"id\":\"net.connect:*.example.com\"},"
                                           "{\"id\":\"fs.read:$DOCUMENTS\",\"required\":false}");
        permit_manifest *v2 = sto_manifest("org.a", "2.0.0",
                                           "{\"id\":\"net.connect:api.example.com\"},"
                                           "{\"id\":\"net.connect:*\",\"required\":false},"
                                           "{\"id\":\"fs.read:$DOCUMENTS\",\"required\":false},"
                                           "{\"id\":\"proc.exec:/usr/bin/git\"}");
        permit_effective *e = NULL;

        sto_decide(f->s, v1, NULL);
        assert_int_equal(permit_effective_grant(f->s, v2, NULL, &e), 0);
        assert_false(permit_effective_up_to_date(e));
        assert_string_equal(state_of(e, "net.connect:api.example.com"), "granted"); /* covered */
        assert_string_equal(state_of(e, "net.connect:*"), "undecided");              /* wider: not yet */
        assert_string_equal(state_of(e, "fs.read:$DOCUMENTS"), "denied");            /* the no survives */
        assert_string_equal(state_of(e, "proc.exec:/usr/bin/git"), "undecided");
        assert_int_equal(permit_effective_n_undecided(e), 2);
        assert_false(permit_effective_runnable(e)); /* a new required one is undecided */
        permit_effective_free(e);
        permit_manifest_free(v1);
        permit_manifest_free(v2);
}

static void test_exact_no_beats_broad_yes(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0",
                                          "{\"id\":\"fs.read:$HOME\"},"
                                          "{\"id\":\"fs.read:$DOCUMENTS\",\"required\":false}");
        permit_effective *e = NULL;

        sto_decide(f->s, m, NULL);
        assert_int_equal(permit_effective_grant(f->s, m, NULL, &e), 0);
        assert_string_equal(state_of(e, "fs.read:$HOME"), "granted");
        assert_string_equal(state_of(e, "fs.read:$DOCUMENTS"), "denied");
        permit_effective_free(e);
        permit_manifest_free(m);
}

static void test_policy_denies(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0",
                                          "{\"id\":\"net.connect:*\"},"
                                          "{\"id\":\"sys.notify\"}");
        permit_policy *p = sto_policy("{\"version\":1,\"deny\":[\"net.connect:evil.example\"]}");
        permit_effective *e = NULL;

        sto_decide(f->s, m, NULL);
        assert_int_equal(permit_effective_grant(f->s, m, p, &e), 0);
        /* net.connect:* would reach the denied host */
        assert_string_equal(state_of(e, "net.connect:*"), "policy-denied");
        assert_string_equal(state_of(e, "sys.notify"), "granted");
        assert_false(permit_effective_runnable(e));
        assert_int_equal(permit_effective_n_granted(e), 1);
        permit_effective_free(e);
        permit_policy_free(p);
        permit_manifest_free(m);
}

static void test_policy_rules(void **state) {
        permit_policy *p = sto_policy("{\"version\":1,\"deny\":[\"proc.exec:*\",\"fs.read:/etc\",\"dev.camera\","
                                  "\"net.connect\",\"host.deck\"]}");

        assert_true(permit_policy_denies(p, "proc.exec:*"));
        assert_true(permit_policy_denies(p, "proc.exec:/usr/bin/git"));
        /* proc.exec:* denied does not deny everything else */
        assert_false(permit_policy_denies(p, "sys.notify"));
        assert_false(permit_policy_denies(p, "fs.read:$HOME"));
        assert_true(permit_policy_denies(p, "fs.read:/etc/ssl"));
        assert_true(permit_policy_denies(p, "fs.read:/"));   /* includes /etc */
        assert_true(permit_policy_denies(p, "fs.write:/"));  /* writing / includes reading /etc */
        assert_true(permit_policy_denies(p, "dev.camera"));
        assert_false(permit_policy_denies(p, "dev.microphone"));
        assert_true(permit_policy_denies(p, "net.connect:a.example"));
        assert_true(permit_policy_denies(p, "net.connect:*"));
        assert_false(permit_policy_denies(p, "net.listen:8080"));
        assert_true(permit_policy_denies(p, "host.deck"));
        assert_true(permit_policy_denies(p, "host.deck:edit"));
        assert_false(permit_policy_denies(p, "host.other"));
        assert_false(permit_policy_denies(NULL, "proc.exec:*"));
        assert_false(permit_policy_denies(p, NULL));
        permit_policy_free(p);

        /* a bare kind denies what includes any of it: fs.write:/ includes fs.read */
        p = sto_policy("{\"version\":1,\"deny\":[\"fs.read\"]}");
        assert_true(permit_policy_denies(p, "fs.read:$HOME"));
        assert_true(permit_policy_denies(p, "fs.write:/"));
        assert_true(permit_policy_denies(p, "proc.exec:*"));
        assert_false(permit_policy_denies(p, "net.connect:*"));
        permit_policy_free(p);
        p = sto_policy("{\"version\":1,\"deny\":[\"fs.pick\"]}");
        assert_true(permit_policy_denies(p, "fs.pick:read"));
        assert_true(permit_policy_denies(p, "proc.exec:*"));
        assert_false(permit_policy_denies(p, "proc.exec:/bin/true"));
        permit_policy_free(p);
}

static void test_policy_limits(void **state) {
        fixture *f = *state;
        permit_manifest *m = NULL;
        permit_policy *p = sto_policy("{\"version\":1,\"limits\":{\"memory_mb\":256,\"processes\":4,\"wall_seconds\":60}}");
        permit_effective *e = NULL;
        const permit_limits *l;
        const char *json = "{\"id\":\"org.l\",\"name\":\"L\",\"version\":\"1.0.0\",\"publisher\":\"P\",\"entry\":\"e\","
                           "\"capabilities\":[],\"limits\":{\"memory_mb\":1024,\"processes\":2,\"cpu_seconds\":5}}";

        assert_int_equal(permit_manifest_parse(json, strlen(json), NULL, &m, NULL), 0);
        assert_int_equal(permit_effective_grant(f->s, m, p, &e), 0);
        l = permit_effective_limits(e);
        assert_int_equal(l->memory_mb, 256);  /* capped */
        assert_int_equal(l->processes, 2);    /* under the cap */
        assert_int_equal(l->cpu_seconds, 5);  /* no cap */
        assert_int_equal(l->wall_seconds, 60);/* not asked: the cap bounds the default */
        assert_int_equal(l->open_files, 0);   /* neither: the enforcer's default */
        assert_int_equal(permit_policy_limits(p)->memory_mb, 256);
        assert_int_equal(permit_policy_limits(NULL)->memory_mb, 0);
        /* no capabilities asked, no record: nothing to run */
        assert_false(permit_effective_runnable(e));
        permit_effective_free(e);
        permit_policy_free(p);
        permit_manifest_free(m);
}

static void expect_bad_policy(const char *json, int want, const char *path, const char *text) {
        permit_policy *p = NULL;
        permit_error e = { 0 };

        assert_int_equal(permit_policy_parse(json, strlen(json), "policy.json", &p, &e), want);
        assert_null(p);
        assert_string_equal(e.source, "policy.json");
        if (strcmp(e.path, path) != 0 || !strstr(e.text, text))
                fail_msg("%s: got '%s: %s'", json, e.path, e.text);
}

static void test_policy_errors(void **state) {
        permit_policy *p = NULL;
        permit_error e = { 0 };
        char *dir = test_tempdir(), *file = test_join(dir, "p.json");

        expect_bad_policy("{\"version\":2}", -EPROTONOSUPPORT, "version", "unknown version");
        expect_bad_policy("{\"deny\":[]}", -EINVAL, "", "version");
        expect_bad_policy("{\"version\":1,\"allow\":[]}", -EINVAL, "allow", "unknown field");
        expect_bad_policy("{\"version\":1,\"deny\":{}}", -EINVAL, "deny", "array");
        expect_bad_policy("{\"version\":1,\"deny\":[1]}", -EINVAL, "deny[0]", "string");
        expect_bad_policy("{\"version\":1,\"deny\":[\"sys.notify\",\"made.up\"]}", -EINVAL, "deny[1]", "unknown kind");
        expect_bad_policy("{\"version\":1,\"deny\":[\"net.connect:\"]}", -EINVAL, "deny[0]", "");
        expect_bad_policy("{\"version\":1,\"limits\":[]}", -EINVAL, "limits", "object");
        expect_bad_policy("{\"version\":1,\"limits\":{\"memory\":1}}", -EINVAL, "limits.memory", "unknown field");
        expect_bad_policy("{\"version\":1,\"limits\":{\"memory_mb\":0}}", -EINVAL, "limits.memory_mb", "positive");
        expect_bad_policy("{\"version\":1,\"limits\":{\"memory_mb\":\"1\"}}", -EINVAL, "limits.memory_mb", "positive");
        expect_bad_policy("{\"version\":1,\"require_full_enforcement\":1}", -EINVAL, "require_full_enforcement",
                          "true or false");
        expect_bad_policy("{\"version\":1,\"landlock_abi_max\":0}", -EINVAL, "landlock_abi_max", "from 1 to 7");
        expect_bad_policy("{\"version\":1,\"landlock_abi_max\":8}", -EINVAL, "landlock_abi_max", "from 1 to 7");
        expect_bad_policy("{\"version\":1,\"landlock_abi_max\":\"3\"}", -EINVAL, "landlock_abi_max", "from 1 to 7");
        expect_bad_policy("[", -EINVAL, "", "");
        assert_int_equal(permit_policy_parse(NULL, 0, NULL, &p, &e), -EINVAL);

        assert_int_equal(permit_policy_load(file, &p, &e), -ENOENT);
        assert_string_equal(e.source, file);
        test_write_string(file, "{\"version\":1,\"deny\":[\"proc.exec\"]}");
        assert_int_equal(permit_policy_load(file, &p, &e), 0);
        assert_true(permit_policy_denies(p, "proc.exec:/bin/sh"));
        permit_policy_free(p);
        permit_policy_free(NULL);
        assert_int_equal(permit_policy_load(NULL, &p, &e), -EINVAL);
        free(file);
        test_rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_nothing_decided, setup, teardown),
                cmocka_unit_test_setup_teardown(test_approved, setup, teardown),
                cmocka_unit_test_setup_teardown(test_update_gets_only_approved, setup, teardown),
                cmocka_unit_test_setup_teardown(test_exact_no_beats_broad_yes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_policy_denies, setup, teardown),
                cmocka_unit_test(test_policy_rules),
                cmocka_unit_test_setup_teardown(test_policy_limits, setup, teardown),
                cmocka_unit_test(test_policy_errors),
        };
        return cmocka_run_group_tests_name("store-effective", tests, NULL, NULL);
}
