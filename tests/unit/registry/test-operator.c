/* SPDX-License-Identifier: MIT */
/* The operator's side through the library: init, add (keys, the update
 * rule, versions, revocations), revoke, publish (and that what it
 * publishes passes the client's checks), the policy parser and the upload
 * checks' verdicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "registry-test.h"
#include "tests/unit/seal/seal-test.h"
#include "util.h"

static rt_keys k;
static char *dir;
static const char *ID = "org.example.word-of-the-day";

static int setup(void **state) {
        (void) state;
        rt_keys_make(&k);
        return 0;
}

static int teardown(void **state) {
        (void) state;
        rt_keys_free(&k);
        return 0;
}

static int setup_dir(void **state) {
        (void) state;
        dir = test_tempdir();
        return 0;
}

static int teardown_dir(void **state) {
        (void) state;
        test_rm_rf(dir);
        dir = NULL;
        return 0;
}

/* A signed zip of the example add-on at version, sealed by sk, with extra
 * files (name, text pairs). Returns its path (free()). */
static char *make_zip(const char *name, const char *version, const permit_seckey *sk, const char *extra_name,
                      const char *extra_text, const char *capability) {
        const char *root = getenv("PERMIT_SOURCE_ROOT");
        _cleanup_free_ char *src = NULL, *manifest = NULL;
        char *path = test_join(dir, name), *init;
        st_zip z = { 0 };
        size_t len;

        assert_non_null(root);
        assert_true(asprintf(&src, "%s/examples/word-of-the-day/__init__.py", root) > 0);
        init = test_read(src, &len);
        st_zip_add(&z, "__init__.py", init, len, 0644);
        free(init);
        assert_true(asprintf(&manifest,
                             "{\"id\":\"%s\",\"name\":\"Word\",\"version\":\"%s\",\"publisher\":\"Example\","
                             "\"entry\":\"__init__.py\",\"capabilities\":[{\"id\":\"%s\",\"reason\":\"r\"}]}",
                             ID, version, capability ? capability : "sys.notify") > 0);
        st_zip_add(&z, "permit.json", manifest, strlen(manifest), 0644);
        if (extra_name)
                st_zip_add(&z, extra_name, extra_text, strlen(extra_text), 0644);
        st_zip_write(path, &z);
        st_zip_free(&z);
        permit_sign_options o = { .no_minisig = true };
        assert_int_equal(permit_package_sign(sk, path, &o, NULL), 0);
        return path;
}

static permit_registry *open_reg(void) {
        permit_registry *reg = NULL;
        permit_error err = { 0 };

        assert_int_equal(permit_registry_open(dir, &reg, &err), 0);
        return reg;
}

static void test_init(void **state) {
        _cleanup_free_ char *sub = test_join(dir, "r"), *idx_path = NULL;
        permit_error err = { 0 };
        permit_registry *reg = NULL;

        (void) state;
        assert_int_equal(permit_registry_init(sub, "no spaces", k.reg_sk, RT_NOW, RT_EXPIRES, &err), -EINVAL);
        assert_int_equal(permit_registry_init(sub, "test", k.reg_sk, RT_NOW, RT_NOW, &err), -EINVAL);
        assert_int_equal(permit_registry_open(sub, &reg, &err), -ENOENT);
        assert_non_null(strstr(err.text, "not a registry"));
        assert_int_equal(permit_registry_init(sub, "test", k.reg_sk, RT_NOW, RT_EXPIRES, &err), 0);
        assert_int_equal(permit_registry_init(sub, "test", k.reg_sk, RT_NOW, RT_EXPIRES, &err), -EEXIST);
        assert_int_equal(permit_registry_open(sub, &reg, &err), 0);
        assert_int_equal(permit_registry_published_version(reg), 1);
        assert_int_equal(permit_index_n_packages(permit_registry_pending(reg)), 0);
        permit_registry_free(reg);

        /* The empty index is signed and valid for a client. */
        {
                _cleanup_free_ char *sig_path = test_join(sub, "index.json.sig"), *data = NULL, *sig = NULL;
                size_t len, sig_len;
                permit_index *idx = NULL;
                idx_path = test_join(sub, "index.json");
                data = test_read(idx_path, &len);
                sig = test_read(sig_path, &sig_len);
                assert_int_equal(permit_index_verify(data, len, sig, sig_len, k.reg_pk, 1, RT_NOW, &idx, &err), 0);
                assert_string_equal(permit_index_registry(idx), "test");
                permit_index_free(idx);
        }
}

static void test_add_and_publish(void **state) {
        _cleanup_free_ char *z1 = NULL, *z2 = NULL, *z3 = NULL, *rot_text = NULL, *data = NULL, *sig = NULL;
        _cleanup_free_ char *ipath = test_join(dir, "index.json"), *spath = test_join(dir, "index.json.sig");
        const char *addons[] = { ID };
        permit_registry *reg;
        permit_index_entry e;
        permit_error err = { 0 };
        permit_index *idx = NULL;
        permit_package_info *info = NULL;
        uint64_t version = 0;
        size_t len, sig_len;

        (void) state;
        assert_int_equal(permit_registry_init(dir, "test", k.reg_sk, RT_NOW, RT_EXPIRES, &err), 0);
        reg = open_reg();
        z1 = make_zip("a-1.zip", "1.0.0", k.dev_sk, NULL, NULL, NULL);

        /* A new id needs the publisher's key, and the right one. */
        assert_int_equal(permit_registry_add(reg, k.reg_sk, z1, NULL, NULL, RT_NOW, &e, &err), -ENOKEY);
        assert_int_equal(permit_registry_add(reg, k.reg_sk, z1, k.dev2_pk, NULL, RT_NOW, &e, &err), -EKEYREJECTED);
        /* A directory is no registry package. */
        {
                _cleanup_free_ char *pdir = test_join(dir, "pkgdir");
                assert_int_equal(mkdir(pdir, 0755), 0);
                st_make_package(pdir);
                assert_int_equal(permit_package_sign(k.dev_sk, pdir, NULL, NULL), 0);
                assert_int_equal(permit_registry_add(reg, k.reg_sk, pdir, k.dev_pk, NULL, RT_NOW, &e, &err), -EINVAL);
        }
        assert_int_equal(permit_registry_add(reg, k.reg_sk, z1, k.dev_pk, NULL, RT_NOW, &e, &err), 0);
        assert_string_equal(e.path, "packages/org.example.word-of-the-day/1.0.0.zip");
        assert_int_equal(permit_registry_add(reg, k.reg_sk, z1, k.dev_pk, NULL, RT_NOW, &e, &err), -EEXIST);

        /* The next version by another key needs a rotation statement. */
        z2 = make_zip("a-2.zip", "1.1.0", k.dev2_sk, NULL, NULL, NULL);
        assert_int_equal(permit_registry_add(reg, k.reg_sk, z2, NULL, NULL, RT_NOW, &e, &err), -EKEYREJECTED);
        assert_non_null(strstr(err.text, "no rotation statement"));
        assert_int_equal(permit_rotation_add(NULL, k.dev_sk, k.dev2_pk, addons, 1, RT_NOW, &rot_text, &len, &err), 0);
        free(z2);
        z2 = make_zip("a-2.zip", "1.1.0", k.dev2_sk, PERMIT_ROTATION_NAME, rot_text, NULL);
        assert_int_equal(permit_registry_add(reg, k.reg_sk, z2, NULL, NULL, RT_NOW, &e, &err), 0);
        assert_string_equal(e.version, "1.1.0");

        /* Versions only grow. */
        z3 = make_zip("a-0.zip", "0.9.0", k.dev2_sk, NULL, NULL, NULL);
        assert_int_equal(permit_registry_add(reg, k.reg_sk, z3, NULL, NULL, RT_NOW, &e, &err), -EINVAL);
        assert_non_null(strstr(err.text, "not newer"));

        /* Nothing is visible before publish; publish needs the registry's key. */
        assert_int_equal(permit_registry_publish(reg, k.other_sk, RT_NOW, RT_EXPIRES, &version, &err), -EKEYREJECTED);
        assert_int_equal(permit_registry_publish(reg, k.reg_sk, RT_NOW, RT_NOW, &version, &err), -EINVAL);
        assert_int_equal(permit_registry_publish(reg, k.reg_sk, RT_NOW + 5, RT_EXPIRES, &version, &err), 0);
        assert_int_equal(version, 2);

        /* What a client gets: verified, both versions, countersigned. */
        data = test_read(ipath, &len);
        sig = test_read(spath, &sig_len);
        assert_int_equal(permit_index_verify(data, len, sig, sig_len, k.reg_pk, 1, RT_NOW + 6, &idx, &err), 0);
        assert_int_equal(permit_index_version(idx), 2);
        assert_int_equal(permit_index_n_versions(idx, ID), 2);
        {
                _cleanup_free_ char *placed = test_join(dir, "packages/org.example.word-of-the-day/1.1.0.zip");
                permit_pubkey *key = NULL;
                assert_int_equal(permit_trust_verify_package(placed, ID, k.dev_pk, NULL, &info, &key, &err),
                                 PERMIT_TRUST_ROTATED);
                assert_int_equal(permit_index_check_package(idx, k.reg_pk, info, ID, &e, &err), 0);
                permit_pubkey_free(key);
                permit_package_info_free(info);
        }
        permit_index_free(idx);

        /* Revoke dev2: no more adds by it, and a new publish lists it. */
        assert_int_equal(permit_registry_revoke_key(reg, "nothex", "x", RT_NOW, &err), -EINVAL);
        {
                char id2[PERMIT_KEY_ID_STRING_SIZE];
                permit_pubkey_id_string(k.dev2_pk, id2);
                for (char *p = id2; *p; p++)
                        *p = (char) (*p >= 'A' && *p <= 'F' ? *p + 32 : *p); /* either case */
                assert_int_equal(permit_registry_revoke_key(reg, id2, "a\nb", RT_NOW, &err), -EINVAL);
                assert_int_equal(permit_registry_revoke_key(reg, id2, "", RT_NOW, &err), -EINVAL);
                assert_int_equal(permit_registry_revoke_key(reg, id2, "stolen", RT_NOW, &err), 0);
                assert_int_equal(permit_registry_revoke_key(reg, id2, "again", RT_NOW, &err), -EALREADY);
        }
        free(z3);
        z3 = make_zip("a-3.zip", "1.2.0", k.dev2_sk, NULL, NULL, NULL);
        assert_int_equal(permit_registry_add(reg, k.reg_sk, z3, NULL, NULL, RT_NOW, &e, &err), -EKEYREVOKED);
        /* The publisher starts again with a new key, given explicitly. */
        free(z3);
        z3 = make_zip("a-3.zip", "1.2.0", k.other_sk, NULL, NULL, NULL);
        assert_int_equal(permit_registry_add(reg, k.reg_sk, z3, k.other_pk, NULL, RT_NOW, &e, &err), 0);
        assert_int_equal(permit_registry_revoke_package(reg, "zz", "x", RT_NOW, &err), -EINVAL);
        assert_int_equal(permit_registry_revoke_package(reg, e.seal_digest, "bad build", RT_NOW, &err), 0);
        assert_int_equal(permit_registry_publish(reg, k.reg_sk, RT_NOW + 10, RT_EXPIRES, &version, &err), 0);
        assert_int_equal(version, 3);
        permit_registry_free(reg);

        /* Reopened: the published version and the pending index agree. */
        reg = open_reg();
        assert_int_equal(permit_registry_published_version(reg), 3);
        assert_int_equal(permit_index_find(permit_registry_pending(reg), ID, NULL, &e), 0);
        assert_true(permit_index_entry_revoked(permit_registry_pending(reg), &e, NULL));
        /* A listed file that went missing stops the next publish. */
        {
                _cleanup_free_ char *placed = test_join(dir, e.path);
                assert_int_equal(unlink(placed), 0);
                assert_int_equal(permit_registry_publish(reg, k.reg_sk, RT_NOW + 20, RT_EXPIRES, &version, &err),
                                 -ENOENT);
                assert_non_null(strstr(err.text, "listed but missing"));
        }
        permit_registry_free(reg);
}

static permit_upload_policy *policy_from(const char *text, int want) {
        permit_upload_policy *p = NULL;
        permit_error err = { 0 };
        int r = permit_upload_policy_parse(text, strlen(text), "policy.json", &p, &err);

        if (r != want)
                fail_msg("%s -> %d (%s: %s)", text, r, err.path, err.text);
        return p;
}

static void test_policy_parse(void **state) {
        char key[PERMIT_PUBKEY_STRING_SIZE];
        _cleanup_free_ char *good = NULL;
        static const char *const bad[] = {
                "[]",
                "{\"format\":1}",
                "{\"format\":2,\"publishers\":{}}",
                "{\"format\":1,\"publishers\":{},\"x\":1}",
                "{\"format\":1,\"publishers\":{\"bad id\":{\"keys\":[]}}}",
                "{\"format\":1,\"publishers\":{\"a.b\":{\"keys\":[]}}}",
                "{\"format\":1,\"publishers\":{\"a.b\":{\"keys\":[\"RWnotakey\"]}}}",
                "{\"format\":1,\"publishers\":{},\"limits\":{\"max_size\":0}}",
                "{\"format\":1,\"publishers\":{},\"limits\":{\"max_files\":\"10\"}}",
                "{\"format\":1,\"publishers\":{},\"limits\":{\"max_bytes\":10}}",
                "{\"format\":1,\"publishers\":{},\"forbid\":[\"made.up\"]}",
                "{\"format\":1,\"publishers\":{},\"forbid\":[\"net.connect:\"]}",
                "{\"format\":1,\"publishers\":{},\"review\":\"fs.write\"}",
                "{\"format\":1,\"publishers\":{},\"review_risk\":\"extreme\"}",
        };

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                policy_from(bad[i], -EINVAL);
        permit_pubkey_string(k.dev_pk, key);
        assert_true(asprintf(&good,
                             "{\"format\":1,\"publishers\":{\"a.b\":{\"keys\":[\"%s\"]}},\"limits\":{\"max_size\":10,"
                             "\"max_files\":2},\"forbid\":[\"proc.exec:*\",\"fs.write\"],\"review\":[\"net.connect\"],"
                             "\"review_risk\":\"medium\"}",
                             key) > 0);
        permit_upload_policy_free(policy_from(good, 0));
        assert_int_equal(permit_upload_policy_load("/nonexistent.json", NULL, NULL), -ENOENT);
}

static permit_upload_report *check(const char *zip_path, const permit_upload_policy *p, const permit_index *pending) {
        permit_upload_report *rep = NULL;
        permit_error err = { 0 };

        assert_int_equal(permit_upload_check(zip_path, p, pending, &rep, &err), 0);
        return rep;
}

static bool has_finding(const permit_upload_report *rep, permit_verdict v, const char *check_name) {
        for (size_t i = 0; i < permit_upload_report_n_findings(rep); i++) {
                const permit_upload_finding *f = permit_upload_report_finding(rep, i);
                if (f->verdict == v && streq(f->check, check_name))
                        return true;
        }
        return false;
}

static void test_upload_check(void **state) {
        char key[PERMIT_PUBKEY_STRING_SIZE];
        _cleanup_free_ char *text = NULL, *z1 = NULL, *z_net = NULL, *z_exec = NULL, *z_other = NULL;
        permit_upload_policy *p;
        permit_upload_report *rep;
        permit_registry *reg;
        permit_error err = { 0 };
        permit_index_entry e;

        (void) state;
        permit_pubkey_string(k.dev_pk, key);
        assert_true(asprintf(&text,
                             "{\"format\":1,\"publishers\":{\"%s\":{\"keys\":[\"%s\"]}},\"limits\":{\"max_files\":5},"
                             "\"forbid\":[\"proc.exec:*\"],\"review\":[\"net.connect\"],\"review_risk\":\"critical\"}",
                             ID, key) > 0);
        p = policy_from(text, 0);
        z1 = make_zip("u1.zip", "1.0.0", k.dev_sk, NULL, NULL, NULL);
        z_net = make_zip("u2.zip", "1.0.0", k.dev_sk, NULL, NULL, "net.connect:api.example.com");
        z_exec = make_zip("u3.zip", "1.0.0", k.dev_sk, NULL, NULL, "proc.exec:*");
        z_other = make_zip("u4.zip", "1.0.0", k.dev2_sk, NULL, NULL, NULL);

        rep = check(z1, p, NULL);
        assert_int_equal(permit_upload_report_verdict(rep), PERMIT_VERDICT_ACCEPT);
        assert_int_equal(permit_upload_report_n_findings(rep), 0);
        assert_true(permit_package_info_verified(permit_upload_report_package(rep)));
        permit_upload_report_free(rep);

        rep = check(z_net, p, NULL);
        assert_int_equal(permit_upload_report_verdict(rep), PERMIT_VERDICT_REVIEW);
        assert_true(has_finding(rep, PERMIT_VERDICT_REVIEW, "review"));
        assert_string_equal(permit_upload_report_finding(rep, 0)->capability, "net.connect:api.example.com");
        permit_upload_report_free(rep);

        /* proc.exec:* is forbidden and, at critical risk, also for review. */
        rep = check(z_exec, p, NULL);
        assert_int_equal(permit_upload_report_verdict(rep), PERMIT_VERDICT_REFUSE);
        assert_true(has_finding(rep, PERMIT_VERDICT_REFUSE, "forbid"));
        assert_true(has_finding(rep, PERMIT_VERDICT_REVIEW, "review"));
        permit_upload_report_free(rep);

        rep = check(z_other, p, NULL);
        assert_int_equal(permit_upload_report_verdict(rep), PERMIT_VERDICT_REFUSE);
        assert_true(has_finding(rep, PERMIT_VERDICT_REFUSE, "key"));
        permit_upload_report_free(rep);
        permit_upload_policy_free(p);

        /* Limits, and an unregistered id. */
        free(text);
        assert_true(asprintf(&text, "{\"format\":1,\"publishers\":{\"%s\":{\"keys\":[\"%s\"]}},\"limits\":{\"max_files\":1}}",
                             ID, key) > 0);
        p = policy_from(text, 0);
        rep = check(z1, p, NULL);
        assert_int_equal(permit_upload_report_verdict(rep), PERMIT_VERDICT_REFUSE);
        assert_true(has_finding(rep, PERMIT_VERDICT_REFUSE, "limits"));
        permit_upload_report_free(rep);
        permit_upload_policy_free(p);
        p = policy_from("{\"format\":1,\"publishers\":{}}", 0);
        rep = check(z1, p, NULL);
        assert_true(has_finding(rep, PERMIT_VERDICT_REFUSE, "publisher"));
        permit_upload_report_free(rep);
        permit_upload_policy_free(p);

        /* Against a registry: the version must grow; revocations. */
        free(text);
        assert_true(asprintf(&text, "{\"format\":1,\"publishers\":{\"%s\":{\"keys\":[\"%s\"]}}}", ID, key) > 0);
        p = policy_from(text, 0);
        assert_int_equal(permit_registry_init(dir, "test", k.reg_sk, RT_NOW, RT_EXPIRES, &err), 0);
        reg = open_reg();
        assert_int_equal(permit_registry_add(reg, k.reg_sk, z1, k.dev_pk, NULL, RT_NOW, &e, &err), 0);
        rep = check(z1, p, permit_registry_pending(reg));
        assert_int_equal(permit_upload_report_verdict(rep), PERMIT_VERDICT_REFUSE);
        assert_true(has_finding(rep, PERMIT_VERDICT_REFUSE, "version"));
        permit_upload_report_free(rep);
        assert_int_equal(permit_registry_revoke_package(reg, e.seal_digest, "bad", RT_NOW, &err), 0);
        rep = check(z1, p, permit_registry_pending(reg));
        assert_true(has_finding(rep, PERMIT_VERDICT_REFUSE, "revoked"));
        permit_upload_report_free(rep);
        permit_registry_free(reg);
        permit_upload_policy_free(p);

        /* A directory is no registry package. */
        p = policy_from(text, 0);
        {
                _cleanup_free_ char *pdir = test_join(dir, "pkgdir");
                assert_int_equal(mkdir(pdir, 0755), 0);
                st_make_package(pdir);
                assert_int_equal(permit_package_sign(k.dev_sk, pdir, NULL, NULL), 0);
                rep = check(pdir, p, NULL);
                assert_true(has_finding(rep, PERMIT_VERDICT_REFUSE, "format"));
                permit_upload_report_free(rep);
        }

        /* The package cannot be read at all: an error, not a verdict. */
        assert_int_equal(permit_upload_check("/nonexistent.zip", p, NULL, &rep, &err), -ENOENT);
        permit_upload_policy_free(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_init, setup_dir, teardown_dir),
                cmocka_unit_test_setup_teardown(test_add_and_publish, setup_dir, teardown_dir),
                cmocka_unit_test(test_policy_parse),
                cmocka_unit_test_setup_teardown(test_upload_check, setup_dir, teardown_dir),
        };
        return cmocka_run_group_tests_name("registry operator", tests, setup, teardown);
}
