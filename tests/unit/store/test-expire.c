/* SPDX-License-Identifier: MIT */
/* Grants that expire unused (policy expire_unused_days, start stamps,
 * expired_at, re-approval) and one-time grants on the effective grant,
 * on a fake clock: every time is given, nothing sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "tests/unit/store/store-test.h"

#define DAY INT64_C(86400)
#define T0 INT64_C(1800000000)
#define CAPS                                                                                                   \
        "{\"id\":\"fs.read:$DOCUMENTS\"},{\"id\":\"sys.notify\",\"required\":false},"                           \
        "{\"id\":\"net.listen:8080\",\"required\":false}"

/* Decides m at when: required accepted, sys.notify granted, net.listen not. */
static void decide_at(permit_store *s, const permit_manifest *m, int64_t when) {
        permit_decision *d = NULL;
        permit_error e = { 0 };

        assert_int_equal(permit_decision_new(m, permit_store_find(s, permit_manifest_id(m)), &d), 0);
        if (permit_decision_set(d, "sys.notify", true) < 0)
                fail_msg("sys.notify");
        permit_decision_set_time(d, when);
        if (permit_store_record_decision(s, d, &e) < 0)
                fail_msg("record: %s", e.text);
        permit_decision_free(d);
}

static int expire(permit_store *s, const permit_policy *p, const char *id, int64_t now) {
        permit_error e = { 0 };
        int r = permit_store_expire_unused(s, p, id, now, &e);

        if (r < 0)
                fail_msg("expire: %s: %s", e.source, e.text);
        return r;
}

static size_t count_lines(const char *dir, const char *needle) {
        char *path = test_join(dir, "permit/audit.jsonl"), *text = test_read(path, NULL);
        size_t n = 0;

        for (const char *p = text; p && (p = strstr(p, needle)); p++)
                n++;
        free(text);
        free(path);
        return n;
}

static void test_policy_option(void **state) {
        permit_policy *p = NULL;
        permit_error e = { 0 };

        (void) state;
        assert_int_equal(permit_policy_expire_unused_days(NULL), 0);
        p = sto_policy("{\"version\":1}");
        assert_int_equal(permit_policy_expire_unused_days(p), 0);
        permit_policy_free(p);
        p = sto_policy("{\"version\":1,\"expire_unused_days\":90}");
        assert_int_equal(permit_policy_expire_unused_days(p), 90);
        permit_policy_free(p);
        p = NULL;
        for (size_t i = 0; i < 4; i++) {
                static const char *const bad[] = { "0", "-1", "\"90\"", "36501" };
                char *doc = NULL;
                assert_true(asprintf(&doc, "{\"version\":1,\"expire_unused_days\":%s}", bad[i]) > 0);
                assert_int_equal(permit_policy_parse(doc, strlen(doc), "p.json", &p, &e), -EINVAL);
                assert_string_equal(e.path, "expire_unused_days");
                free(doc);
        }
}

static void test_start_stamps(void **state) {
        fixture *f = *state;
        char *path = test_join(f->dir, "permit/started/org.a");
        struct stat st;

        assert_int_equal(permit_store_last_started(f->s, "org.a"), 0);
        assert_int_equal(permit_store_note_start(f->s, "org.a", T0), 0);
        assert_int_equal(permit_store_last_started(f->s, "org.a"), T0);
        assert_int_equal(lstat(path, &st), 0);
        assert_int_equal(st.st_size, 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(permit_store_note_start(f->s, "org.a", T0 + 5), 0);
        assert_int_equal(permit_store_last_started(f->s, "org.a"), T0 + 5);
        /* an id names a file: nothing else */
        assert_int_equal(permit_store_note_start(f->s, "../x", T0), -EINVAL);
        assert_int_equal(permit_store_note_start(f->s, "a/b", T0), -EINVAL);
        assert_int_equal(permit_store_note_start(NULL, "org.a", T0), -EINVAL);
        assert_int_equal(permit_store_last_started(f->s, "../x"), 0);
        /* a link planted there is not followed */
        assert_int_equal(unlink(path), 0);
        assert_int_equal(symlink("/etc/passwd", path), 0);
        assert_int_equal(permit_store_note_start(f->s, "org.a", T0), -ELOOP);
        assert_int_equal(permit_store_last_started(f->s, "org.a"), 0);
        free(path);
}

static void test_expiry(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0", CAPS), *b = sto_manifest("org.b", "1.0.0", CAPS);
        permit_policy *p = sto_policy("{\"version\":1,\"expire_unused_days\":90}");
        const permit_record *rec;
        permit_effective *e = NULL;
        permit_decision *d = NULL;
        permit_error err = { 0 };

        decide_at(f->s, m, T0);
        decide_at(f->s, b, T0);
        /* no policy option: nothing expires, ever */
        assert_int_equal(expire(f->s, NULL, NULL, T0 + 1000 * DAY), 0);
        /* 90 days after the decision: not yet (strictly older expires) */
        assert_int_equal(expire(f->s, p, NULL, T0 + 90 * DAY), 0);
        /* org.b starts on day 50: it is 90 days from then */
        assert_int_equal(permit_store_note_start(f->s, "org.b", T0 + 50 * DAY), 0);
        /* only the id asked about */
        assert_int_equal(expire(f->s, p, "org.b", T0 + 91 * DAY), 0);
        assert_int_equal(permit_record_expired_at(permit_store_find(f->s, "org.a")), 0);
        assert_int_equal(expire(f->s, p, NULL, T0 + 91 * DAY), 1);
        rec = permit_store_find(f->s, "org.a");
        assert_int_equal(permit_record_expired_at(rec), T0 + 91 * DAY);
        assert_int_equal(permit_record_expired_at(permit_store_find(f->s, "org.b")), 0);
        /* recorded: in grants.json (a fresh open sees it) and in the log */
        permit_store_free(f->s);
        f->s = sto_open(f->dir);
        assert_int_equal(permit_record_expired_at(permit_store_find(f->s, "org.a")), T0 + 91 * DAY);
        assert_int_equal(count_lines(f->dir, "\"event\":\"expiry\""), 1);
        /* the decisions are kept as they were (shown by permit grants show) */
        assert_true(sto_decision(f->s, "org.a", "sys.notify")->granted);
        /* once expired, not again */
        assert_int_equal(expire(f->s, p, NULL, T0 + 200 * DAY), 1); /* org.b now */
        assert_int_equal(count_lines(f->dir, "\"event\":\"expiry\""), 2);
        assert_int_equal(expire(f->s, p, NULL, T0 + 300 * DAY), 0);

        /* not in force: what it granted waits for the user, its noes stand */
        assert_int_equal(permit_effective_grant(f->s, m, NULL, &e), 0);
        assert_true(permit_effective_expired(e));
        assert_false(permit_effective_runnable(e));
        assert_int_equal(permit_effective_n_granted(e), 0);
        assert_int_equal(permit_effective_entry(e, 0)->state, PERMIT_GRANT_UNDECIDED);
        assert_int_equal(permit_effective_entry(e, 1)->state, PERMIT_GRANT_UNDECIDED);
        assert_int_equal(permit_effective_entry(e, 2)->state, PERMIT_GRANT_DENIED);
        assert_int_equal(permit_effective_n_undecided(e), 2);
        permit_effective_free(e);

        /* approving again asks about what it granted, keeps the no */
        assert_int_equal(permit_decision_new(m, permit_store_find(f->s, "org.a"), &d), 0);
        assert_true(permit_decision_is_new(d, 0));
        assert_true(permit_decision_is_new(d, 1));
        assert_false(permit_decision_granted(d, 1)); /* optional: off until the user says yes */
        assert_false(permit_decision_is_new(d, 2));
        assert_false(permit_decision_granted(d, 2));
        assert_int_equal(permit_decision_set(d, "sys.notify", true), 0);
        permit_decision_set_time(d, T0 + 301 * DAY);
        assert_int_equal(permit_store_record_decision(f->s, d, &err), 0);
        permit_decision_free(d);
        assert_int_equal(permit_record_expired_at(permit_store_find(f->s, "org.a")), 0);
        assert_int_equal(sto_decision(f->s, "org.a", "sys.notify")->decided_at, T0 + 301 * DAY);
        assert_int_equal(permit_effective_grant(f->s, m, NULL, &e), 0);
        assert_false(permit_effective_expired(e));
        assert_true(permit_effective_runnable(e));
        assert_int_equal(permit_effective_n_granted(e), 2);
        permit_effective_free(e);
        /* the new decision is a use: 90 days from it again */
        assert_int_equal(expire(f->s, p, "org.a", T0 + 390 * DAY), 0);
        assert_int_equal(expire(f->s, p, "org.a", T0 + 392 * DAY), 1);

        permit_manifest_free(m);
        permit_manifest_free(b);
        permit_policy_free(p);
}

/* A record that grants nothing has nothing to expire. */
static void test_nothing_granted(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0", CAPS);
        permit_policy *p = sto_policy("{\"version\":1,\"expire_unused_days\":1}");
        permit_decision *d = NULL;
        permit_error err = { 0 };

        assert_int_equal(permit_decision_new(m, NULL, &d), 0);
        permit_decision_set_required(d, false);
        permit_decision_set_time(d, T0);
        assert_int_equal(permit_store_record_decision(f->s, d, &err), 0);
        permit_decision_free(d);
        assert_int_equal(expire(f->s, p, NULL, T0 + 100 * DAY), 0);
        assert_int_equal(permit_record_expired_at(permit_store_find(f->s, "org.a")), 0);
        assert_int_equal(permit_store_expire_unused(NULL, p, NULL, 0, &err), -EINVAL);
        permit_manifest_free(m);
        permit_policy_free(p);
}

/* A corrupt grants.json stops an expiry like any change, and stays. */
static void test_expiry_corrupt(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0", CAPS);
        permit_policy *p = sto_policy("{\"version\":1,\"expire_unused_days\":1}");
        char *path = test_join(f->dir, "permit/grants.json");
        permit_error err = { 0 };

        decide_at(f->s, m, T0);
        test_write_string(path, "{\"version\":1,\"grants\":[]}");
        assert_int_equal(permit_store_expire_unused(f->s, p, NULL, T0 + 10 * DAY, &err), -EINVAL);
        assert_string_equal(err.source, path);
        {
                char *now = test_read(path, NULL);
                assert_string_equal(now, "{\"version\":1,\"grants\":[]}");
                free(now);
        }
        free(path);
        permit_manifest_free(m);
        permit_policy_free(p);
}

static void test_once(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0", CAPS "," "{\"id\":\"fs.write:$DOCUMENTS\",\"required\":false}");
        permit_policy *p = sto_policy("{\"version\":1,\"deny\":[\"fs.write\"]}");
        permit_effective *e = NULL;
        char *grants = test_join(f->dir, "permit/grants.json"), *before, *after;

        decide_at(f->s, m, T0); /* sys.notify yes; net.listen and fs.write no */
        before = test_read(grants, NULL);
        assert_int_equal(permit_effective_grant(f->s, m, p, &e), 0);
        assert_int_equal(permit_effective_n_granted(e), 2);
        assert_int_equal(permit_effective_grant_once(e, "net.connect:x.example", p), -ENOENT);
        assert_int_equal(permit_effective_grant_once(e, "fs.read:$DOCUMENTS", p), -EPERM);
        assert_int_equal(permit_effective_grant_once(e, "fs.write:$DOCUMENTS", p), -EACCES);
        assert_int_equal(permit_effective_grant_once(NULL, "sys.notify", p), -EINVAL);
        /* granted for good already: nothing changes */
        assert_int_equal(permit_effective_grant_once(e, "sys.notify", p), 0);
        assert_false(permit_effective_once(e, 1));
        /* the user's no, lifted for this start */
        assert_int_equal(permit_effective_entry(e, 2)->state, PERMIT_GRANT_DENIED);
        assert_int_equal(permit_effective_grant_once(e, "net.listen:8080", p), 0);
        assert_true(permit_effective_once(e, 2));
        assert_false(permit_effective_once(e, 0));
        assert_false(permit_effective_once(e, 99));
        assert_int_equal(permit_effective_entry(e, 2)->state, PERMIT_GRANT_GRANTED);
        assert_int_equal(permit_effective_n_granted(e), 3);
        assert_string_equal(permit_effective_granted(e, 0), "fs.read:$DOCUMENTS");
        assert_string_equal(permit_effective_granted(e, 1), "sys.notify");
        assert_string_equal(permit_effective_granted(e, 2), "net.listen:8080");
        permit_effective_free(e);
        /* nothing was written */
        after = test_read(grants, NULL);
        assert_string_equal(before, after);
        assert_int_equal(permit_effective_grant(f->s, m, p, &e), 0);
        assert_int_equal(permit_effective_entry(e, 2)->state, PERMIT_GRANT_DENIED);
        permit_effective_free(e);

        /* an undecided one (an update) counts as decided for this start */
        {
                permit_manifest *v2 = sto_manifest("org.a", "2.0.0",
                                                   CAPS ",{\"id\":\"net.listen:9090\",\"required\":false}");
                assert_int_equal(permit_effective_grant(f->s, v2, NULL, &e), 0);
                assert_int_equal(permit_effective_n_undecided(e), 1);
                assert_int_equal(permit_effective_grant_once(e, "net.listen:9090", NULL), 0);
                assert_int_equal(permit_effective_n_undecided(e), 0);
                permit_effective_free(e);
                permit_manifest_free(v2);
        }
        free(before);
        free(after);
        free(grants);
        permit_manifest_free(m);
        permit_policy_free(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_policy_option),
                cmocka_unit_test_setup_teardown(test_start_stamps, setup, teardown),
                cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nothing_granted, setup, teardown),
                cmocka_unit_test_setup_teardown(test_expiry_corrupt, setup, teardown),
                cmocka_unit_test_setup_teardown(test_once, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
