/* SPDX-License-Identifier: MIT */
/* Opening a store: the default profile, creating, and refusing corrupt or
 * unknown files with their path, never replacing them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store-test.h"

static void test_default_profile(void **state) {
        char *p = NULL;
        char *xdg = getenv("XDG_DATA_HOME") ? strdup(getenv("XDG_DATA_HOME")) : NULL;
        char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

        setenv("XDG_DATA_HOME", "/x/data", 1);
        assert_int_equal(permit_store_default_profile(&p), 0);
        assert_string_equal(p, "/x/data/permit/profiles/default");
        free(p);
        /* relative XDG_DATA_HOME is ignored, as the spec says */
        setenv("XDG_DATA_HOME", "relative", 1);
        setenv("HOME", "/home/u", 1);
        assert_int_equal(permit_store_default_profile(&p), 0);
        assert_string_equal(p, "/home/u/.local/share/permit/profiles/default");
        free(p);
        unsetenv("XDG_DATA_HOME");
        unsetenv("HOME");
        assert_int_equal(permit_store_default_profile(&p), -ENOENT);
        assert_int_equal(permit_store_default_profile(NULL), -EINVAL);
        if (xdg)
                setenv("XDG_DATA_HOME", xdg, 1);
        if (home)
                setenv("HOME", home, 1);
        free(xdg);
        free(home);
}

static void test_open_create(void **state) {
        char *dir = test_tempdir(), *profile = test_join(dir, "a/b/profile"), *pd;
        permit_store *s = NULL;
        permit_error e = { 0 };
        struct stat st;

        assert_int_equal(permit_store_open(profile, 0, &s, &e), -ENOENT);
        assert_non_null(strstr(e.source, "a/b/profile/permit"));
        assert_int_equal(permit_store_open(profile, PERMIT_STORE_CREATE, &s, &e), 0);
        assert_string_equal(permit_store_profile(s), profile);
        pd = test_join(profile, "permit");
        assert_string_equal(permit_store_dir(s), pd);
        assert_int_equal(stat(pd, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0700);
        assert_int_equal(permit_store_n_records(s), 0);
        assert_null(permit_store_record(s, 0));
        assert_null(permit_store_find(s, "x"));
        /* no file is written by opening */
        {
                char *g = test_join(pd, "grants.json");
                assert_false(test_exists(g));
                free(g);
        }
        permit_store_free(s);
        permit_store_free(NULL);
        assert_int_equal(permit_store_open(profile, 0, NULL, &e), -EINVAL);
        free(pd);
        free(profile);
        test_rm_rf(dir);
}

static void test_open_default(void **state) {
        char *dir = test_tempdir(), *old = getenv("XDG_DATA_HOME") ? strdup(getenv("XDG_DATA_HOME")) : NULL;
        permit_store *s = NULL;
        char *want = test_join(dir, "permit/profiles/default");

        setenv("XDG_DATA_HOME", dir, 1);
        assert_int_equal(permit_store_open(NULL, PERMIT_STORE_CREATE, &s, NULL), 0);
        assert_string_equal(permit_store_profile(s), want);
        permit_store_free(s);
        if (old)
                setenv("XDG_DATA_HOME", old, 1);
        else
                unsetenv("XDG_DATA_HOME");
        free(old);
        free(want);
        test_rm_rf(dir);
}

static void test_not_a_dir(void **state) {
        char *dir = test_tempdir(), *f = test_join(dir, "permit");
        permit_store *s = NULL;
        permit_error e = { 0 };

        test_write_string(f, "x");
        assert_int_equal(permit_store_open(dir, 0, &s, &e), -ENOTDIR);
        assert_int_equal(permit_store_open(dir, PERMIT_STORE_CREATE, &s, &e), -ENOTDIR);
        free(f);
        test_rm_rf(dir);
}

/* A broken file: open fails naming it, and the file is untouched. */
static void expect_refused(const char *name, const char *content, int want, const char *text) {
        char *dir = test_tempdir(), *pd = test_join(dir, "permit"), *f = test_join(pd, name), *after;
        permit_store *s = NULL;
        permit_error e = { 0 };

        assert_int_equal(mkdir(pd, 0700), 0);
        test_write_string(f, content);
        assert_int_equal(permit_store_open(dir, PERMIT_STORE_CREATE, &s, &e), want);
        assert_null(s);
        assert_string_equal(e.source, f);
        if (!strstr(e.text, text) && !strstr(e.path, text))
                fail_msg("%s: expected '%s' in '%s: %s'", content, text, e.path, e.text);
        after = test_read(f, NULL);
        assert_string_equal(after, content);
        free(after);
        free(f);
        free(pd);
        test_rm_rf(dir);
}

static void test_corrupt(void **state) {
        expect_refused("grants.json", "{\"version\":1,\"grants\":{", -EINVAL, "");
        expect_refused("grants.json", "", -EINVAL, "");
        expect_refused("grants.json", "[]", -EINVAL, "");
        expect_refused("grants.json", "{\"version\":2,\"grants\":{}}", -EPROTONOSUPPORT, "unknown version 2");
        expect_refused("grants.json", "{\"version\":\"1\",\"grants\":{}}", -EINVAL, "integer");
        expect_refused("grants.json", "{\"grants\":{}}", -EINVAL, "version");
        expect_refused("grants.json", "{\"version\":1}", -EINVAL, "missing field 'grants'");
        expect_refused("grants.json", "{\"version\":1,\"grants\":{},\"x\":1}", -EINVAL, "unknown field");
        expect_refused("grants.json", "{\"version\":1,\"grants\":[]}", -EINVAL, "object");
        expect_refused("grants.json", "{\"version\":1,\"grants\":{\"../x\":{}}}", -EINVAL, "invalid add-on id");
        expect_refused("grants.json", "{\"version\":1,\"grants\":{\"a\":1}}", -EINVAL, "object");
        expect_refused("grants.json", "{\"version\":1,\"grants\":{\"a\":{}}}", -EINVAL, "missing field");
        expect_refused("pins.json", "{\"version\":1,\"pins\":{\"a\":{\"public_key\":\"RWxx\",\"key_id\":\"00\","
                                    "\"pinned_at\":1}}}",
                       -EINVAL, "pins.a.public_key");
        expect_refused("pins.json", "{\"version\":9,\"pins\":{}}", -EPROTONOSUPPORT, "version");
        expect_refused("pins.json", "{\"version\":1,\"pins\":{\"a\":[]}}", -EINVAL, "object");
}

#define REC(caps)                                                                                              \
        "{\"version\":1,\"grants\":{\"org.a\":{\"version\":\"1.0.0\",\"name\":\"A\",\"publisher\":\"P\","        \
        "\"manifest_digest\":\"" DIGEST "\",\"decided_at\":5,\"capabilities\":{" caps "}}}}"
#define DIGEST "0000000000000000000000000000000000000000000000000000000000000000"
#define REC_BODY(caps)                                                                                  \
        "{\"version\":\"1.0.0\",\"name\":\"A\",\"publisher\":\"P\",\"manifest_digest\":\"" DIGEST             \
        "\",\"decided_at\":5,\"capabilities\":{" caps "}}"
#define REC2(fields, caps)                                                                                     \
        "{\"version\":1,\"grants\":{\"org.a\":{" fields "\"version\":\"1.0.0\",\"publisher\":\"P\","             \
        "\"manifest_digest\":\"" DIGEST "\",\"decided_at\":5,\"capabilities\":{" caps "}}}}"
#define DEC_ONE "\"sys.notify\":" DEC("true", "\"user\"")
#define DEC_DUP DEC_ONE "," DEC_ONE
#define DEC(granted, by) "{\"granted\":" granted ",\"required\":true,\"requested\":true,\"at\":7,\"by\":" by "}"

static void test_corrupt_record(void **state) {
        expect_refused("grants.json", REC("\"made.up\":" DEC("true", "\"user\"")), -EINVAL, "unknown kind");
        expect_refused("grants.json", REC("\"sys.notify\":" DEC("1", "\"user\"")), -EINVAL, "true or false");
        expect_refused("grants.json", REC("\"sys.notify\":" DEC("true", "\"admin\"")), -EINVAL, "\"user\" or");
        expect_refused("grants.json", REC("\"sys.notify\":" DEC("true", "1")), -EINVAL, "string");
        expect_refused("grants.json", REC("\"sys.notify\":[]"), -EINVAL, "object");
        expect_refused("grants.json",
                       REC("\"sys.notify\":{\"granted\":true,\"required\":true,\"requested\":true,\"at\":-1,"
                           "\"by\":\"user\"}"),
                       -EINVAL, "epoch");
        expect_refused("grants.json",
                       REC("\"sys.notify\":{\"granted\":true,\"required\":true,\"requested\":true,\"at\":1,"
                           "\"by\":\"user\",\"x\":1}"),
                       -EINVAL, "unknown field");
}

/* The reader is as strict as jansson with JSON_REJECT_DUPLICATES. */
static void test_reader_strict(void **state) {
#define sn DEC_ONE
        expect_refused("grants.json", REC2("\"name\":\"A\",\"name\":\"B\",", sn), -EINVAL, "duplicate field");
        expect_refused("grants.json", "{\"version\":1,\"version\":1,\"grants\":{}}", -EINVAL, "duplicate field");
        expect_refused("grants.json", "{\"version\":1,\"grants\":{},\"grants\":{}}", -EINVAL, "duplicate field");
        expect_refused("grants.json", REC(DEC_DUP), -EINVAL, "listed twice");
        expect_refused("grants.json",
                       "{\"version\":1,\"grants\":{\"a\":" REC_BODY(DEC_ONE) ",\"a\":" REC_BODY(DEC_ONE) "}}",
                       -EINVAL, "listed twice");
        expect_refused("grants.json", REC2("\"name\":\"A\\u0000\",", sn), -EINVAL, "\\u0000");
        expect_refused("grants.json", REC2("\"name\":\"A\\ud800\",", sn), -EINVAL, "surrogate");
        expect_refused("grants.json", REC2("\"name\":\"A\\udc00x\",", sn), -EINVAL, "surrogate");
        expect_refused("grants.json", REC2("\"name\":\"A\\x\",", sn), -EINVAL, "escape");
        expect_refused("grants.json", REC2("\"name\":\"A\\u12g4\",", sn), -EINVAL, "escape");
        expect_refused("grants.json", REC2("\"name\":\"A\xff\",", sn), -EINVAL, "UTF-8");
        expect_refused("grants.json", REC2("\"name\":\"A\xc0\xaf\",", sn), -EINVAL, "UTF-8");
        expect_refused("grants.json", REC2("\"name\":\"A\tB\",", sn), -EINVAL, "control character");
        expect_refused("grants.json", "{\"version\":1.0,\"grants\":{}}", -EINVAL, "integer");
        expect_refused("grants.json", "{\"version\":1e0,\"grants\":{}}", -EINVAL, "integer");
        expect_refused("grants.json", "{\"version\":01,\"grants\":{}}", -EINVAL, "leading zero");
        expect_refused("grants.json", "{\"version\":99999999999999999999999,\"grants\":{}}", -EINVAL, "range");
        expect_refused("grants.json", "{\"version\":1,\"grants\":{}} {}", -EINVAL, "after the end");
        expect_refused("grants.json", "{\"version\":1,\"grants\":{}", -EINVAL, "end of file");
        expect_refused("grants.json", "{\"version\":1 \"grants\":{}}", -EINVAL, "','");
        expect_refused("grants.json", "{\"version\":1,\"grants\" {}}", -EINVAL, "':'");
        expect_refused("grants.json", "{\"version\":1,\"grants\":{\"a", -EINVAL, "unterminated");
        expect_refused("grants.json", "{\"version\":1,\"grants\":{},}", -EINVAL, "string");
        expect_refused("grants.json", "{\"version\":tru,\"grants\":{}}", -EINVAL, "integer");
        /* a version after the content is still found first */
        expect_refused("grants.json", "{\"grants\":{\"a\":[1,{\"x\":[]},\"s\\\"\",null,true,false,-3]},\"version\":3}",
                       -EPROTONOSUPPORT, "unknown version 3");
        expect_refused("grants.json", "{\"grants\":{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},"
                                      "\"version\":1}",
                       -EINVAL, "nested too deeply");
#undef sn
}

/* What the reader decodes: escapes, surrogate pairs, a version given last. */
static void test_reader_decodes(void **state) {
        char *dir = test_tempdir(), *pd = test_join(dir, "permit"), *f = test_join(pd, "grants.json");
        permit_store *s = NULL;
        permit_error e = { 0 };

        assert_int_equal(mkdir(pd, 0700), 0);
        test_write_string(f, "{\"grants\":{\"org.a\":{\"version\":\"1.0.0\",\"name\":\"\\u00e9\\ud83d\\ude00\\n\\\"\\/\","
                             "\"publisher\":\"P\",\"manifest_digest\":\"" DIGEST "\",\"decided_at\":5,"
                             "\"capabilities\":{}}}, \"version\" : 1 }\n");
        if (permit_store_open(dir, 0, &s, &e) < 0)
                fail_msg("%s: %s", e.path, e.text);
        assert_string_equal(permit_record_name(permit_store_find(s, "org.a")), "\xc3\xa9\xf0\x9f\x98\x80\n\"/");
        permit_store_free(s);
        free(f);
        free(pd);
        test_rm_rf(dir);
}

/* Bytes flipped at random in a valid file: refused or read, never a crash
 * (run under AddressSanitizer in CI). */
static void test_reader_mutations(void **state) {
        char *dir = test_tempdir(), *pd = test_join(dir, "permit"), *f = test_join(pd, "grants.json");
        const char *good = REC("\"sys.notify\":" DEC("true", "\"policy\"") ",\"fs.read:$HOME\":" DEC("false", "\"user\""));
        size_t len = strlen(good), refused = 0;
        char *buf = malloc(len + 1);

        assert_int_equal(mkdir(pd, 0700), 0);
        srand(7);
        for (int i = 0; i < 2000; i++) {
                permit_store *s = NULL;
                memcpy(buf, good, len + 1);
                for (int k = 0; k < 1 + i % 3; k++)
                        buf[rand() % len] = (char) "{}[]\",:\\0 x\x80\xffu"[rand() % 15];
                /* half of them also cut short */
                test_write(f, buf, i % 2 ? (size_t) rand() % (len + 1) : len);
                if (permit_store_open(dir, 0, &s, NULL) < 0)
                        refused++;
                permit_store_free(s);
        }
        printf("# 2000 mutated files: %zu refused\n", refused);
        assert_true(refused > 1000);
        free(buf);
        free(f);
        free(pd);
        test_rm_rf(dir);
}

static void test_good_file(void **state) {
        char *dir = test_tempdir(), *pd = test_join(dir, "permit"), *f = test_join(pd, "grants.json");
        permit_store *s = NULL;
        const permit_record *r;
        const permit_cap_decision *d;

        assert_int_equal(mkdir(pd, 0700), 0);
        test_write_string(f, REC("\"sys.notify\":" DEC("true", "\"policy\"") ",\"fs.read:$HOME\":" DEC(
                                     "false", "\"user\"")));
        assert_int_equal(permit_store_open(dir, 0, &s, NULL), 0);
        assert_int_equal(permit_store_n_records(s), 1);
        r = permit_store_record(s, 0);
        assert_string_equal(permit_record_id(r), "org.a");
        assert_string_equal(permit_record_version(r), "1.0.0");
        assert_string_equal(permit_record_name(r), "A");
        assert_string_equal(permit_record_publisher(r), "P");
        assert_string_equal(permit_record_manifest_digest(r), DIGEST);
        assert_int_equal(permit_record_decided_at(r), 5);
        assert_int_equal(permit_record_n_decisions(r), 2);
        /* sorted by capability */
        assert_string_equal(permit_record_decision(r, 0)->capability, "fs.read:$HOME");
        assert_null(permit_record_decision(r, 2));
        d = permit_record_find_decision(r, "sys.notify");
        assert_non_null(d);
        assert_true(d->granted && d->required && d->requested);
        assert_int_equal(d->decided_at, 7);
        assert_int_equal(d->by, PERMIT_BY_POLICY);
        assert_null(permit_record_find_decision(r, "sys.display"));
        assert_null(permit_record_find_decision(NULL, "sys.display"));
        assert_null(permit_record_id(NULL));
        assert_int_equal(permit_record_n_decisions(NULL), 0);
        assert_string_equal(permit_decided_by_name(PERMIT_BY_USER), "user");
        assert_null(permit_decided_by_name((permit_decided_by) 9));

        /* reload sees another writer's change; a broken file leaves the snapshot */
        test_write_string(f, "{\"version\":1,\"grants\":{}}");
        assert_int_equal(permit_store_reload(s, NULL), 0);
        assert_int_equal(permit_store_n_records(s), 0);
        test_write_string(f, REC("\"sys.notify\":" DEC("true", "\"user\"")));
        assert_int_equal(permit_store_reload(s, NULL), 0);
        test_write_string(f, "garbage");
        assert_int_equal(permit_store_reload(s, NULL), -EINVAL);
        assert_int_equal(permit_store_n_records(s), 1);
        assert_int_equal(permit_store_reload(NULL, NULL), -EINVAL);
        permit_store_free(s);
        free(f);
        free(pd);
        test_rm_rf(dir);
}

static void test_too_large(void **state) {
        char *dir = test_tempdir(), *pd = test_join(dir, "permit"), *f = test_join(pd, "grants.json");
        permit_store *s = NULL;
        permit_error e = { 0 };
        FILE *fp;

        assert_int_equal(mkdir(pd, 0700), 0);
        fp = fopen(f, "w");
        assert_non_null(fp);
        assert_int_equal(ftruncate(fileno(fp), PERMIT_STORE_MAX_FILE + 1), 0);
        fclose(fp);
        assert_int_equal(permit_store_open(dir, 0, &s, &e), -EFBIG);
        assert_string_equal(e.source, f);
        free(f);
        free(pd);
        test_rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_profile), cmocka_unit_test(test_open_create),
                cmocka_unit_test(test_open_default),    cmocka_unit_test(test_not_a_dir),
                cmocka_unit_test(test_corrupt),         cmocka_unit_test(test_corrupt_record),
                cmocka_unit_test(test_good_file),       cmocka_unit_test(test_too_large),
                cmocka_unit_test(test_reader_strict),   cmocka_unit_test(test_reader_decodes),
                cmocka_unit_test(test_reader_mutations),
        };
        return cmocka_run_group_tests_name("store-open", tests, NULL, NULL);
}
