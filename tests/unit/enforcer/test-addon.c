/* SPDX-License-Identifier: MIT */
/* permit_ruleset_for_addon() and permit_sandbox_options_from_policy():
 * the store's grant, the installed package's verification, the policy and
 * the caller's limits joined into a ruleset; every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "permit/addon.h"
#include "permit/keys.h"
#include "permit/package.h"
#include "tests/unit/store/store-test.h"

#define ID "org.example.notes"
#define CAPS                                                                                                   \
        "{\"id\":\"fs.read:$DOCUMENTS\"},{\"id\":\"net.listen:8080\",\"required\":false},"                    \
        "{\"id\":\"fs.write:$DOCUMENTS\",\"required\":false}"

/* The profile of the fixture with ID decided: required accepted, grant[] granted. */
static void decide(fixture *f, const char *version, const char *caps, const char *const *grant) {
        permit_manifest *m = sto_manifest(ID, version, caps);
        sto_decide(f->s, m, grant);
        permit_manifest_free(m);
}

static int for_addon(fixture *f, const char *id, const permit_policy *p, const permit_sandbox_options *lower,
                     const char *entry, permit_addon_run *run, permit_error *e) {
        permit_ruleset *rs = NULL;
        char *documents = test_join(f->dir, "Documents");
        int r;

        mkdir(documents, 0700);
        free(documents);
        /* $HOME: the profile's folder (its store stays hidden) */
        r = permit_ruleset_for_addon(f->s, id, p, lower, &(permit_paths) { .entry = entry, .home = f->dir }, &rs, run,
                                     e);
        if (r < 0 && r != -EPERM && e->text[0])
                print_message("# %s: %s\n", e->source, e->text);

        assert_true(r == 0 ? rs != NULL : rs == NULL);
        permit_ruleset_free(rs);
        return r;
}

static void test_options_from_policy(void **state) {
        permit_sandbox_options o;
        permit_policy *p;

        (void) state;
        memset(&o, 0xff, sizeof(o));
        permit_sandbox_options_from_policy(NULL, &o);
        assert_int_equal(o.limits.memory_mb, 0);
        assert_int_equal(o.limits.wall_seconds, 0);
        assert_int_equal(o.landlock_abi_max, 0);
        assert_false(o.require_full);
        assert_false(o.no_landlock);

        p = sto_policy("{\"version\":1,\"limits\":{\"memory_mb\":512,\"open_files\":64,\"wall_seconds\":9},"
                   "\"require_full_enforcement\":true,\"landlock_abi_max\":5}");
        assert_true(permit_policy_require_full(p));
        assert_int_equal(permit_policy_landlock_abi_max(p), 5);
        permit_sandbox_options_from_policy(p, &o);
        assert_int_equal(o.limits.memory_mb, 512);
        assert_int_equal(o.limits.open_files, 64);
        assert_int_equal(o.limits.wall_seconds, 9);
        assert_int_equal(o.limits.cpu_seconds, 0);
        assert_int_equal(o.landlock_abi_max, 5);
        assert_true(o.require_full);
        permit_policy_free(p);
        assert_false(permit_policy_require_full(NULL));
        assert_int_equal(permit_policy_landlock_abi_max(NULL), 0);
}

static void test_arguments(void **state) {
        fixture *f = *state;
        permit_ruleset *rs = NULL;
        permit_addon_run run = { 0 };
        permit_error e = { 0 };
        const permit_paths paths = { .entry = "/bin/true" };

        decide(f, "1.0.0", CAPS, NULL);
        assert_int_equal(permit_ruleset_for_addon(NULL, ID, NULL, NULL, &paths, &rs, &run, &e), -EINVAL);
        assert_int_equal(permit_ruleset_for_addon(f->s, NULL, NULL, NULL, &paths, &rs, &run, &e), -EINVAL);
        assert_int_equal(permit_ruleset_for_addon(f->s, ID, NULL, NULL, NULL, &rs, &run, &e), -EINVAL);
        assert_int_equal(permit_ruleset_for_addon(f->s, ID, NULL, NULL, &paths, NULL, &run, &e), -EINVAL);
        assert_int_equal(for_addon(f, "../" ID, NULL, NULL, "/bin/true", &run, &e), -EINVAL);
        assert_non_null(strstr(e.text, "not a valid add-on id"));
        assert_int_equal(for_addon(f, "org.example.nope", NULL, NULL, "/bin/true", &run, &e), -ENOENT);
        assert_non_null(strstr(e.text, "no add-on org.example.nope"));
        assert_null(run.manifest);
        permit_addon_run_clear(&run);
        permit_addon_run_clear(NULL);
        /* not installed and no program: nothing to run */
        assert_int_equal(for_addon(f, ID, NULL, NULL, NULL, &run, &e), -EINVAL);
        assert_non_null(strstr(e.text, "not installed"));
        permit_addon_run_clear(&run);
        /* the entry program is not there */
        assert_int_equal(for_addon(f, ID, NULL, NULL, "/no/such/program", &run, &e), -ENOENT);
        permit_addon_run_clear(&run);
}

static void test_decided_manifest(void **state) {
        fixture *f = *state;
        permit_addon_run run = { 0 };
        permit_error e = { 0 };
        const char *grant[] = { "fs.write:$DOCUMENTS", NULL };
        char *data = NULL;
        struct stat st;

        decide(f, "1.0.0", CAPS, grant);
        assert_int_equal(for_addon(f, ID, NULL, NULL, "/bin/true", &run, &e), 0);
        assert_null(run.addon_dir);
        assert_non_null(run.manifest);
        assert_string_equal(permit_manifest_version(run.manifest), "1.0.0");
        assert_true(asprintf(&data, "%s/data/%s", f->dir, ID) > 0);
        /* f->dir may hold a symbolic link (TMPDIR): compare the ends */
        assert_non_null(strstr(run.data_dir, "/data/" ID));
        assert_int_equal(stat(data, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 0777, 0700);
        assert_int_equal(permit_effective_n_granted(run.effective), 2);
        assert_string_equal(permit_effective_granted(run.effective, 0), "fs.read:$DOCUMENTS");
        assert_string_equal(permit_effective_granted(run.effective, 1), "fs.write:$DOCUMENTS");
        permit_addon_run_clear(&run);
        assert_null(run.data_dir);

        /* $DATA that is not a folder (a link an add-on left) is refused */
        assert_int_equal(rmdir(data), 0);
        assert_int_equal(symlink("/tmp", data), 0);
        assert_int_equal(for_addon(f, ID, NULL, NULL, "/bin/true", &run, &e), -ENOTDIR);
        assert_non_null(strstr(e.text, "$DATA"));
        permit_addon_run_clear(&run);
        assert_int_equal(unlink(data), 0);
        /* run may be NULL */
        assert_int_equal(for_addon(f, ID, NULL, NULL, "/bin/true", NULL, &e), 0);
        free(data);
}

static void test_not_runnable(void **state) {
        fixture *f = *state;
        permit_addon_run run = { 0 };
        permit_error e = { 0 };
        permit_policy *p;

        decide(f, "1.0.0", CAPS, NULL);
        /* the policy forbids the required capability */
        p = sto_policy("{\"version\":1,\"deny\":[\"fs.read\"]}");
        assert_int_equal(for_addon(f, ID, p, NULL, "/bin/true", &run, &e), -EPERM);
        assert_non_null(strstr(e.text, "fs.read:$DOCUMENTS is forbidden by the host policy"));
        assert_non_null(run.effective);
        assert_false(permit_effective_runnable(run.effective));
        permit_addon_run_clear(&run);
        permit_policy_free(p);

        /* the user revoked it */
        assert_int_equal(permit_store_revoke(f->s, ID, "fs.read:$DOCUMENTS", &e), 0);
        assert_int_equal(for_addon(f, ID, NULL, NULL, "/bin/true", &run, &e), -EPERM);
        assert_non_null(strstr(e.text, "fs.read:$DOCUMENTS is denied"));
        assert_int_equal(permit_effective_n_undecided(run.effective), 0);
        permit_addon_run_clear(&run);
}

/* permit_ruleset_for_addon_start(): one-time grants, the start stamp and
 * the expiry of grants unused, on a fake clock. */
static int start_at(fixture *f, const permit_policy *p, const char *const *once, int64_t now, permit_addon_run *run,
                    permit_error *e) {
        permit_ruleset *rs = NULL;
        int r = permit_ruleset_for_addon_start(f->s, ID, p, NULL,
                                               &(permit_paths) { .entry = "/bin/true", .home = f->dir },
                                               &(permit_addon_start) { .once = once, .now = now }, &rs, run, e);

        assert_true(r == 0 ? rs != NULL : rs == NULL);
        permit_ruleset_free(rs);
        return r;
}

static void test_start(void **state) {
        const int64_t t0 = INT64_C(1800000000), day = 86400;
        fixture *f = *state;
        permit_policy *p = sto_policy("{\"version\":1,\"expire_unused_days\":30}");
        char *grants = test_join(f->dir, "permit/grants.json"), *audit = test_join(f->dir, "permit/audit.jsonl");
        char *before, *after, *log;
        permit_addon_run run = { 0 };
        permit_error e = { 0 };

        decide(f, "1.0.0", CAPS, NULL); /* decided now: the clock's time */
        before = test_read(grants, NULL);
        /* once: net.listen:8080, which the user denied, for this start */
        assert_int_equal(start_at(f, p, (const char *const[]) { "net.listen:8080", NULL }, 0, &run, &e), 0);
        assert_int_equal(permit_effective_n_granted(run.effective), 2);
        assert_string_equal(permit_effective_granted(run.effective, 1), "net.listen:8080");
        assert_true(permit_effective_once(run.effective, 1));
        permit_addon_run_clear(&run);
        after = test_read(grants, NULL);
        assert_string_equal(before, after); /* never written */
        log = test_read(audit, NULL);
        assert_non_null(strstr(log, "\"capability\":\"net.listen:8080\",\"event\":\"once\""));
        free(log);
        assert_true(permit_store_last_started(f->s, ID) > 0);
        /* the next start has it no more */
        assert_int_equal(start_at(f, p, NULL, 0, &run, &e), 0);
        assert_int_equal(permit_effective_n_granted(run.effective), 1);
        permit_addon_run_clear(&run);
        /* what cannot be granted once */
        assert_int_equal(start_at(f, p, (const char *const[]) { "net.listen:9", NULL }, 0, &run, &e), -ENOENT);
        permit_addon_run_clear(&run);
        assert_int_equal(start_at(f, p, (const char *const[]) { "fs.read:$DOCUMENTS", NULL }, 0, &run, &e), -EPERM);
        assert_non_null(strstr(e.text, "required"));
        permit_addon_run_clear(&run);
        {
                permit_policy *deny = sto_policy("{\"version\":1,\"deny\":[\"net.listen\"]}");
                assert_int_equal(start_at(f, deny, (const char *const[]) { "net.listen:8080", NULL }, 0, &run, &e),
                                 -EACCES);
                assert_non_null(strstr(e.text, "host policy"));
                permit_addon_run_clear(&run);
                permit_policy_free(deny);
        }

        free(before);
        free(after);
        /* On a fake clock past the decision (made on the real one): a start
         * 20 days on keeps it alive, ... */
        {
                int64_t decided = permit_record_decided_at(permit_store_find(f->s, ID));
                int64_t base = decided > t0 ? decided : t0;
                assert_int_equal(permit_store_note_start(f->s, ID, base + 20 * day), 0);
                assert_int_equal(start_at(f, p, NULL, base + 45 * day, &run, &e), 0);
                assert_int_equal(permit_store_last_started(f->s, ID), base + 45 * day);
                permit_addon_run_clear(&run);
                /* ... and 31 days without a start expire its grants */
                before = test_read(grants, NULL);
                assert_int_equal(start_at(f, p, NULL, base + 77 * day, &run, &e), -EPERM);
                assert_non_null(strstr(e.text, "expired"));
                assert_true(permit_effective_expired(run.effective));
                permit_addon_run_clear(&run);
                assert_int_equal(permit_record_expired_at(permit_store_find(f->s, ID)), base + 77 * day);
                assert_int_equal(permit_store_last_started(f->s, ID), base + 45 * day); /* refused: no stamp */
                after = test_read(grants, NULL);
                assert_string_not_equal(before, after);
                assert_non_null(strstr(after, "\"expired_at\""));
        }
        free(before);
        free(after);
        free(grants);
        free(audit);
        permit_policy_free(p);
}

static void test_limits(void **state) {
        fixture *f = *state;
        permit_addon_run run = { 0 };
        permit_error e = { 0 };
        permit_manifest *m = NULL;
        permit_policy *p;
        const char *json = "{\"id\":\"" ID "\",\"name\":\"N\",\"version\":\"1.0.0\",\"publisher\":\"E\","
                           "\"entry\":\"main.py\",\"capabilities\":[" CAPS "],"
                           "\"limits\":{\"memory_mb\":900,\"cpu_seconds\":30,\"open_files\":100}}";
        permit_sandbox_options lower = { .limits = { .open_files = 50, .processes = 7, .file_size_mb = 3 },
                                         .landlock_abi_max = 6 };

        assert_int_equal(permit_manifest_parse(json, strlen(json), "m", &m, &e), 0);
        sto_decide(f->s, m, NULL);
        permit_manifest_free(m);
        p = sto_policy("{\"version\":1,\"limits\":{\"memory_mb\":512,\"wall_seconds\":60,\"processes\":20},"
                   "\"landlock_abi_max\":7,\"require_full_enforcement\":false}");
        assert_int_equal(for_addon(f, ID, p, &lower, "/bin/true", &run, &e), 0);
        assert_int_equal(run.options.limits.memory_mb, 512);   /* the manifest's 900, capped */
        assert_int_equal(run.options.limits.cpu_seconds, 30);  /* the manifest's */
        assert_int_equal(run.options.limits.wall_seconds, 60); /* the policy's cap as the default */
        assert_int_equal(run.options.limits.open_files, 50);   /* lowered by the caller */
        assert_int_equal(run.options.limits.processes, 7);     /* lowered below the policy's 20 */
        assert_int_equal(run.options.limits.file_size_mb, 3);  /* the caller's own */
        assert_int_equal(run.options.landlock_abi_max, 6);
        assert_false(run.options.require_full);
        permit_addon_run_clear(&run);

        /* the caller cannot raise a limit */
        lower = (permit_sandbox_options) { .limits = { .memory_mb = 4096 }, .require_full = true };
        assert_int_equal(for_addon(f, ID, p, &lower, "/bin/true", &run, &e), 0);
        assert_int_equal(run.options.limits.memory_mb, 512);
        assert_true(run.options.require_full);
        permit_addon_run_clear(&run);
        permit_policy_free(p);
}

/* Writes and seals PROFILE/addons/ID: version, capabilities, and main.py. */
static void install(const char *dir, permit_seckey *sk, const char *version, const char *caps) {
        permit_manifest *m = sto_manifest(ID, version, caps);
        permit_error e = { 0 };
        char *canonical, *file;
        size_t len;

        assert_int_equal(permit_manifest_canonical(m, &canonical, &len), 0);
        file = test_join(dir, "permit.json");
        test_write(file, canonical, len);
        free(file);
        if (permit_package_sign(sk, dir, &(permit_sign_options) { .no_minisig = true }, &e) < 0)
                fail_msg("sign: %s", e.text);
        free(canonical);
        permit_manifest_free(m);
}

static void test_installed(void **state) {
        fixture *f = *state;
        permit_addon_run run = { 0 };
        permit_error e = { 0 };
        permit_pubkey *pk = NULL, *pk2 = NULL;
        permit_seckey *sk = NULL, *sk2 = NULL;
        char key[PERMIT_PUBKEY_STRING_SIZE], *addons = test_join(f->dir, "addons"), *dir, *entry;

        assert_int_equal(permit_keypair_generate(&pk, &sk), 0);
        assert_int_equal(permit_keypair_generate(&pk2, &sk2), 0);
        decide(f, "1.0.0", CAPS, NULL);
        assert_int_equal(mkdir(addons, 0700), 0);
        dir = test_join(addons, ID);
        assert_int_equal(mkdir(dir, 0700), 0);
        entry = test_join(dir, "main.py");
        test_write_string(entry, "#!/usr/bin/python3\nprint('hello')\n");
        assert_int_equal(chmod(entry, 0755), 0);
        install(dir, sk, "1.0.0", CAPS);

        /* installed, nothing pinned */
        assert_int_equal(for_addon(f, ID, NULL, NULL, "/bin/true", &run, &e), -ENOKEY);
        assert_non_null(strstr(e.text, "no key is pinned"));
        permit_addon_run_clear(&run);

        permit_pubkey_string(pk, key);
        assert_int_equal(permit_store_pin_set(f->s, ID, key, &e), 0);
        /* no program given: the manifest's entry inside $ADDON */
        assert_int_equal(for_addon(f, ID, NULL, NULL, NULL, &run, &e), 0);
        assert_non_null(run.addon_dir);
        assert_non_null(strstr(run.addon_dir, "/addons/" ID));
        permit_addon_run_clear(&run);

        /* an update installed, asking for more: runs with the old grants */
        install(dir, sk, "1.1.0", CAPS ",{\"id\":\"sys.notify\",\"required\":false}");
        assert_int_equal(for_addon(f, ID, NULL, NULL, "/bin/true", &run, &e), 0);
        assert_string_equal(permit_manifest_version(run.manifest), "1.1.0");
        assert_int_equal(permit_effective_n_undecided(run.effective), 1);
        assert_int_equal(permit_effective_n_granted(run.effective), 1);
        permit_addon_run_clear(&run);

        /* an update asking for a new required capability waits for the user */
        install(dir, sk, "1.2.0", CAPS ",{\"id\":\"sys.notify\"}");
        assert_int_equal(for_addon(f, ID, NULL, NULL, "/bin/true", &run, &e), -EPERM);
        assert_non_null(strstr(e.text, "sys.notify is not approved yet"));
        assert_int_equal(permit_effective_n_undecided(run.effective), 1);
        permit_addon_run_clear(&run);

        /* tampered */
        test_write_string(entry, "print('evil')\n");
        assert_int_equal(for_addon(f, ID, NULL, NULL, "/bin/true", &run, &e), -EBADMSG);
        assert_non_null(strstr(e.source, "/addons/" ID));
        permit_addon_run_clear(&run);

        /* sealed by another key, no rotation statement */
        install(dir, sk2, "1.0.0", CAPS);
        assert_int_equal(for_addon(f, ID, NULL, NULL, "/bin/true", &run, &e), -EKEYREJECTED);
        permit_addon_run_clear(&run);

        /* PROFILE/addons/ID that is not a folder */
        test_rm_rf(strdup(dir));
        test_write_string(dir, "x");
        assert_int_equal(for_addon(f, ID, NULL, NULL, "/bin/true", &run, &e), -ENOTDIR);
        permit_addon_run_clear(&run);

        free(addons);
        free(dir);
        free(entry);
        permit_pubkey_free(pk);
        permit_pubkey_free(pk2);
        permit_seckey_free(sk);
        permit_seckey_free(sk2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_options_from_policy),
                cmocka_unit_test_setup_teardown(test_arguments, setup, teardown),
                cmocka_unit_test_setup_teardown(test_decided_manifest, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_runnable, setup, teardown),
                cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_start, setup, teardown),
                cmocka_unit_test_setup_teardown(test_installed, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
