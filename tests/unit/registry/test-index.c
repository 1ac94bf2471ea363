/* SPDX-License-Identifier: MIT */
/* The registry index as a client checks it: a valid index and its lookups,
 * and every refusal of permit_index_verify() (bad signature, other key,
 * rollback, expired, malformed with the JSON path, oversized, legacy
 * signature), revocations, and permit_index_check_package() on a real
 * sealed package. */
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

static const char *D1 = "1111111111111111111111111111111111111111111111111111111111111111";
static const char *D2 = "2222222222222222222222222222222222222222222222222222222222222222";
static const char *D3 = "3333333333333333333333333333333333333333333333333333333333333333";

/* Two add-ons: org.example.b with 1.0.0 and 1.10.0, org.example.a with 2.0.0. */
static char *two_addons(void) {
        _cleanup_free_ char *b1 = rt_entry("org.example.b", "1.0.0", k.dev_pk, k.reg_sk, D1);
        _cleanup_free_ char *b2 = rt_entry("org.example.b", "1.10.0", k.dev_pk, k.reg_sk, D2);
        _cleanup_free_ char *a1 = rt_entry("org.example.a", "2.0.0", k.dev2_pk, k.reg_sk, D3);
        char *p = NULL;

        assert_true(asprintf(&p, "{\"org.example.b\":[%s,%s],\"org.example.a\":[%s]}", b1, b2, a1) > 0);
        return p;
}

static void test_valid_and_lookups(void **state) {
        _cleanup_free_ char *pkgs = two_addons(), *text = NULL;
        permit_index *idx = NULL;
        permit_index_entry e;
        permit_error err = { 0 };

        (void) state;
        text = rt_index(7, RT_NOW - 10, RT_EXPIRES, pkgs, NULL);
        assert_int_equal(rt_verify(k.reg_sk, k.reg_pk, text, 0, RT_NOW, &idx, &err), 0);
        assert_string_equal(permit_index_registry(idx), "test");
        assert_int_equal(permit_index_version(idx), 7);
        assert_int_equal(permit_index_issued(idx), RT_NOW - 10);
        assert_int_equal(permit_index_expires(idx), RT_EXPIRES);
        assert_int_equal(permit_index_n_packages(idx), 2);
        assert_string_equal(permit_index_package_id(idx, 0), "org.example.a");
        assert_string_equal(permit_index_package_id(idx, 1), "org.example.b");
        assert_null(permit_index_package_id(idx, 2));

        /* Latest by semver: 1.10.0 after 1.0.0. */
        assert_int_equal(permit_index_find(idx, "org.example.b", NULL, &e), 0);
        assert_string_equal(e.version, "1.10.0");
        assert_string_equal(e.seal_digest, D2);
        assert_string_equal(e.path, "packages/org.example.b/1.10.0.zip");
        assert_int_equal(e.size, 1234);
        assert_int_equal(permit_countersign_verify(k.reg_pk, e.id, e.version, e.seal_digest, e.countersignature,
                                                   NULL),
                         0);
        assert_int_equal(permit_index_find(idx, "org.example.b", "1.0.0", &e), 0);
        assert_string_equal(e.seal_digest, D1);
        assert_int_equal(permit_index_find(idx, "org.example.b", "1.5.0", &e), -ENOENT);
        assert_int_equal(permit_index_find(idx, "org.example.zzz", NULL, &e), -ENOENT);
        assert_int_equal(permit_index_n_versions(idx, "org.example.b"), 2);
        assert_int_equal(permit_index_n_versions(idx, "nope"), 0);
        assert_int_equal(permit_index_version_at(idx, "org.example.b", 0, &e), 0);
        assert_string_equal(e.version, "1.0.0");
        assert_int_equal(permit_index_version_at(idx, "org.example.b", 2, &e), -ENOENT);
        assert_false(permit_index_entry_revoked(idx, &e, NULL));
        permit_index_free(idx);

        /* Parsing alone (the operator's pending index) takes the same text. */
        assert_int_equal(permit_index_parse(text, strlen(text), &idx, NULL), 0);
        permit_index_free(idx);
}

static void test_bad_signature(void **state) {
        _cleanup_free_ char *text = rt_index(1, RT_NOW - 10, RT_EXPIRES, NULL, NULL), *sig = NULL;
        permit_index *idx = NULL;
        permit_error err = { 0 };
        size_t sig_len;

        (void) state;
        sig = rt_sign(k.reg_sk, text, &sig_len);
        text[strlen(text) - 2] = ' '; /* the closing brace: still valid-looking bytes */
        assert_int_equal(permit_index_verify(text, strlen(text), sig, sig_len, k.reg_pk, 0, RT_NOW, &idx, &err),
                         -EBADMSG);
        assert_null(idx);
        assert_string_equal(err.source, "index.json.sig");
        assert_string_equal(err.text, "signature verification failed");
}

static void test_other_key(void **state) {
        _cleanup_free_ char *text = rt_index(1, RT_NOW - 10, RT_EXPIRES, NULL, NULL);
        permit_index *idx = NULL;
        permit_error err = { 0 };

        (void) state;
        assert_int_equal(rt_verify(k.other_sk, k.reg_pk, text, 0, RT_NOW, &idx, &err), -EKEYREJECTED);
        assert_null(idx);
        assert_non_null(strstr(err.text, "signed with key"));
}

static void test_rollback(void **state) {
        _cleanup_free_ char *text = rt_index(4, RT_NOW - 10, RT_EXPIRES, NULL, NULL);
        permit_index *idx = NULL;
        permit_error err = { 0 };

        (void) state;
        assert_int_equal(rt_verify(k.reg_sk, k.reg_pk, text, 5, RT_NOW, &idx, &err), -ESTALE);
        assert_null(idx);
        assert_string_equal(err.path, "version");
        assert_non_null(strstr(err.text, "rollback: version 4 is older than version 5"));
        /* The same version again is the same publication. */
        assert_int_equal(rt_verify(k.reg_sk, k.reg_pk, text, 4, RT_NOW, &idx, &err), 0);
        permit_index_free(idx);
        assert_int_equal(rt_verify(k.reg_sk, k.reg_pk, text, 3, RT_NOW, &idx, &err), 0);
        permit_index_free(idx);
}

static void test_expired(void **state) {
        _cleanup_free_ char *text = rt_index(4, RT_NOW - 10, RT_EXPIRES, NULL, NULL);
        permit_index *idx = NULL;
        permit_error err = { 0 };

        (void) state;
        assert_int_equal(rt_verify(k.reg_sk, k.reg_pk, text, 0, RT_EXPIRES, &idx, &err), -ETIME);
        assert_null(idx);
        assert_string_equal(err.path, "expires");
        assert_non_null(strstr(err.text, "expired 0 seconds ago"));
        assert_int_equal(rt_verify(k.reg_sk, k.reg_pk, text, 0, RT_EXPIRES + 3600, &idx, &err), -ETIME);
        assert_int_equal(rt_verify(k.reg_sk, k.reg_pk, text, 0, RT_EXPIRES - 1, &idx, &err), 0);
        permit_index_free(idx);
}

/* A signed document that is not a valid index: refused with its path. */
static void expect_malformed(const char *text, const char *path, const char *words) {
        permit_index *idx = NULL;
        permit_error err = { 0 };
        int r = rt_verify(k.reg_sk, k.reg_pk, text, 0, RT_NOW, &idx, &err);

        if (r != -EINVAL || strcmp(err.path, path) != 0 || !strstr(err.text, words))
                fail_msg("%s\n  -> r=%d path '%s' text '%s' (want path '%s' with '%s')", text, r, err.path, err.text,
                         path, words);
        assert_null(idx);
        assert_string_equal(err.source, "index.json");
}

static char *with_entry(const char *id, const char *entry) {
        char *p = NULL, *text;

        assert_true(asprintf(&p, "{\"%s\":[%s]}", id, entry) > 0);
        text = rt_index(1, RT_NOW - 10, RT_EXPIRES, p, NULL);
        free(p);
        return text;
}

/* The good entry with one substring replaced. */
static char *entry_with(const char *from, const char *to) {
        _cleanup_free_ char *e = rt_entry("org.example.b", "1.0.0", k.dev_pk, k.reg_sk, D1);
        char *at = strstr(e, from), *out = NULL;

        assert_non_null(at);
        assert_true(asprintf(&out, "%.*s%s%s", (int) (at - e), e, to, at + strlen(from)) > 0);
        return out;
}

static void test_malformed(void **state) {
        static const struct {
                const char *top; /* the header with one change */
                const char *path, *words;
        } tops[] = {
                { "{\"format\":2,", "format", "unsupported index format 2" },
                { "{\"format\":\"1\",", "format", "must be an integer" },
                { "{\"format\":1,\"extra\":1,", "extra", "unknown field" },
                { "{\"format\":1,\"registry\":\"no spaces\",", "registry", "not a valid registry name" },
        };
        char *text;

        (void) state;
        expect_malformed("not json", "", "expected");
        expect_malformed("[1,2]", "", "not a JSON object");
        expect_malformed("{\"format\":1,\"format\":1}", "", "duplicate");

        for (size_t i = 0; i < ELEMENTSOF(tops); i++) {
                _cleanup_free_ char *good = rt_index(1, RT_NOW - 10, RT_EXPIRES, NULL, NULL);
                _cleanup_free_ char *bad = NULL;
                const char *rest = strstr(good, "\"registry\"");

                /* Drop the registry field too when the change names one. */
                if (strstr(tops[i].top, "registry"))
                        rest = strstr(good, "\"version\"");
                assert_true(asprintf(&bad, "%s%s", tops[i].top, rest) > 0);
                expect_malformed(bad, tops[i].path, tops[i].words);
        }

        text = rt_index(0, RT_NOW - 10, RT_EXPIRES, NULL, NULL);
        expect_malformed(text, "version", "must be an integer from 1");
        free(text);
        text = rt_index(1, RT_NOW, RT_NOW, NULL, NULL);
        expect_malformed(text, "expires", "later than issued");
        free(text);
        text = rt_index(1, RT_NOW - 10, RT_EXPIRES, "[]", NULL);
        expect_malformed(text, "packages", "must be an object");
        free(text);
        text = rt_index(1, RT_NOW - 10, RT_EXPIRES, "{\"org.example.b\":[]}", NULL);
        expect_malformed(text, "packages.org.example.b", "non-empty array");
        free(text);
        text = rt_index(1, RT_NOW - 10, RT_EXPIRES, "{\"../evil\":[{}]}", NULL);
        expect_malformed(text, "packages.../evil", "not a valid add-on id");
        free(text);
        text = rt_index(1, RT_NOW - 10, RT_EXPIRES, NULL, "{\"keys\":[]}");
        expect_malformed(text, "revoked.packages", "missing");
        free(text);
        text = rt_index(1, RT_NOW - 10, RT_EXPIRES, NULL,
                        "{\"keys\":[{\"key_id\":\"abcd\",\"reason\":\"x\",\"revoked_at\":1}],\"packages\":[]}");
        expect_malformed(text, "revoked.keys[0].key_id", "16 upper-case hex digits");
        free(text);
        text = rt_index(1, RT_NOW - 10, RT_EXPIRES, NULL,
                        "{\"keys\":[{\"key_id\":\"0123456789ABCDEF\",\"reason\":\"a\\nb\",\"revoked_at\":1}],"
                        "\"packages\":[]}");
        expect_malformed(text, "revoked.keys[0].reason", "not one line of plain text");
        free(text);
        text = rt_index(1, RT_NOW - 10, RT_EXPIRES, NULL,
                        "{\"keys\":[],\"packages\":[{\"seal_digest\":\"00\",\"reason\":\"x\",\"revoked_at\":1}]}");
        expect_malformed(text, "revoked.packages[0].seal_digest", "64 lower-case hex digits");
        free(text);

        /* Entries: one field wrong at a time. */
        static const struct {
                const char *from, *to, *path, *words;
        } fields[] = {
                { "\"size\":1234", "\"size\":-1", "size", "must be an integer from 0" },
                { "\"size\":1234", "\"size\":1.5", "size", "must be an integer" },
                { "\"size\":1234,", "", "size", "missing" },
                { "\"added\":1", "\"added\":1,\"mode\":1", "mode", "unknown field" },
                { "\"version\":\"1.0.0\"", "\"version\":\"1.0\"", "version", "not a semantic version" },
                { "\"digest\":\"0", "\"digest\":\"A", "digest", "64 lower-case hex digits" },
                { "\"seal_digest\":\"1", "\"seal_digest\":\"x", "seal_digest", "64 lower-case hex digits" },
                { "\"key\":\"RW", "\"key\":\"XX", "key", "not a public key" },
                { "\"key_id\":\"", "\"key_id\":\"0", "key_id", "is not the key's id" },
                { "packages/org.example.b/1.0.0.zip", "packages/org.example.b/../../x.zip", "path",
                  "packages/ID/VERSION.zip" },
                { "packages/org.example.b/1.0.0.zip", "packages/org.example.c/1.0.0.zip", "path",
                  "packages/ID/VERSION.zip" },
                { "\"countersignature\":\"", "\"countersignature\":\"!", "countersignature",
                  "not a base64 Ed25519 signature" },
        };
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                _cleanup_free_ char *e = entry_with(fields[i].from, fields[i].to), *t = with_entry("org.example.b", e);
                char path[128];

                snprintf(path, sizeof(path), "packages.org.example.b[0].%s", fields[i].path);
                expect_malformed(t, path, fields[i].words);
        }
        {
                /* Versions lowest first, each once. */
                _cleanup_free_ char *e1 = rt_entry("org.example.b", "1.1.0", k.dev_pk, k.reg_sk, D1);
                _cleanup_free_ char *e2 = rt_entry("org.example.b", "1.0.0", k.dev_pk, k.reg_sk, D1);
                _cleanup_free_ char *p = NULL, *t = NULL;
                assert_true(asprintf(&p, "{\"org.example.b\":[%s,%s]}", e1, e2) > 0);
                t = rt_index(1, RT_NOW - 10, RT_EXPIRES, p, NULL);
                expect_malformed(t, "packages.org.example.b[1].version", "lowest first");
                free(p);
                free(t);
                assert_true(asprintf(&p, "{\"org.example.b\":[%s,%s]}", e2, e2) > 0);
                t = rt_index(1, RT_NOW - 10, RT_EXPIRES, p, NULL);
                expect_malformed(t, "packages.org.example.b[1].version", "each once");
        }
}

static void test_oversized(void **state) {
        _cleanup_free_ char *text = rt_index(1, RT_NOW - 10, RT_EXPIRES, NULL, NULL), *sig = NULL;
        _cleanup_free_ char *big = calloc(1, PERMIT_INDEX_MAX_SIZE + 1);
        _cleanup_free_ char *big_sig = NULL;
        permit_index *idx = NULL;
        permit_error err = { 0 };
        size_t sig_len;

        (void) state;
        assert_non_null(big);
        sig = rt_sign(k.reg_sk, text, &sig_len);
        assert_int_equal(permit_index_verify(big, PERMIT_INDEX_MAX_SIZE + 1, sig, sig_len, k.reg_pk, 0, RT_NOW, &idx,
                                             &err),
                         -EFBIG);
        assert_string_equal(err.source, "index.json");
        assert_int_equal(permit_index_parse(big, PERMIT_INDEX_MAX_SIZE + 1, &idx, &err), -EFBIG);
        big_sig = calloc(1, PERMIT_INDEX_SIG_MAX_SIZE + 1);
        assert_non_null(big_sig);
        memcpy(big_sig, sig, sig_len);
        assert_int_equal(permit_index_verify(text, strlen(text), big_sig, PERMIT_INDEX_SIG_MAX_SIZE + 1, k.reg_pk, 0,
                                             RT_NOW, &idx, &err),
                         -EFBIG);
        assert_string_equal(err.source, "index.json.sig");
        /* A signature file with text after its four lines. */
        memcpy(big_sig + sig_len, "junk\n", 5);
        assert_int_equal(permit_index_verify(text, strlen(text), big_sig, sig_len + 5, k.reg_pk, 0, RT_NOW, &idx,
                                             &err),
                         -EINVAL);
        assert_null(idx);
}

/* minisign's legacy form signs the raw bytes, which is how permit's own
 * domain-separated messages are signed: an index signature must be the
 * prehashed form. */
static void test_legacy_signature_refused(void **state) {
        _cleanup_free_ char *text = rt_index(1, RT_NOW - 10, RT_EXPIRES, NULL, NULL), *sig = NULL;
        uint8_t raw[74];
        char b64[101], *line2;
        permit_index *idx = NULL;
        permit_error err = { 0 };
        size_t sig_len, b64_len;

        (void) state;
        sig = rt_sign(k.reg_sk, text, &sig_len);
        line2 = strchr(sig, '\n') + 1;
        assert_int_equal(sodium_base642bin(raw, sizeof(raw), line2, 100, NULL, &b64_len, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        raw[1] = 'd'; /* "ED" -> "Ed" */
        assert_true(permit_seckey_sign(k.reg_sk, text, strlen(text), raw + 10) == 0);
        sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
        memcpy(line2, b64, 100);
        assert_int_equal(permit_index_verify(text, strlen(text), sig, sig_len, k.reg_pk, 0, RT_NOW, &idx, &err),
                         -EINVAL);
        assert_non_null(strstr(err.text, "legacy"));
}

static void test_revocations(void **state) {
        _cleanup_free_ char *pkgs = two_addons(), *text = NULL, *revoked = NULL;
        char dev_id[PERMIT_KEY_ID_STRING_SIZE], lower[PERMIT_KEY_ID_STRING_SIZE];
        const char *reason = NULL;
        permit_index *idx = NULL;
        permit_index_entry e;

        (void) state;
        permit_pubkey_id_string(k.dev_pk, dev_id);
        assert_true(asprintf(&revoked,
                             "{\"keys\":[{\"key_id\":\"%s\",\"reason\":\"stolen laptop\",\"revoked_at\":5}],"
                             "\"packages\":[{\"seal_digest\":\"%s\",\"reason\":\"malware in 2.0.0\","
                             "\"revoked_at\":6}]}",
                             dev_id, D3) > 0);
        text = rt_index(3, RT_NOW - 10, RT_EXPIRES, pkgs, revoked);
        assert_int_equal(rt_verify(k.reg_sk, k.reg_pk, text, 0, RT_NOW, &idx, NULL), 0);

        assert_true(permit_index_key_revoked(idx, dev_id, &reason));
        assert_string_equal(reason, "stolen laptop");
        for (size_t i = 0; dev_id[i]; i++)
                lower[i] = (char) (dev_id[i] >= 'A' && dev_id[i] <= 'F' ? dev_id[i] + 32 : dev_id[i]);
        lower[16] = '\0';
        assert_true(permit_index_key_revoked(idx, lower, NULL));
        assert_false(permit_index_key_revoked(idx, "0000000000000000", NULL));
        assert_false(permit_index_key_revoked(idx, "", NULL));
        assert_false(permit_index_key_revoked(idx, NULL, NULL));

        assert_true(permit_index_digest_revoked(idx, D3, &reason));
        assert_string_equal(reason, "malware in 2.0.0");
        assert_false(permit_index_digest_revoked(idx, D1, NULL));
        assert_false(permit_index_digest_revoked(idx, "333", NULL));

        assert_int_equal(permit_index_find(idx, "org.example.a", NULL, &e), 0);
        assert_true(permit_index_entry_revoked(idx, &e, &reason)); /* by digest */
        assert_string_equal(reason, "malware in 2.0.0");
        assert_int_equal(permit_index_find(idx, "org.example.b", NULL, &e), 0);
        assert_true(permit_index_entry_revoked(idx, &e, &reason)); /* by key */
        assert_string_equal(reason, "stolen laptop");
        permit_index_free(idx);
}

/* A real package, sealed by dev, verified, and checked against indexes. */
static void test_check_package(void **state) {
        char *dir = test_tempdir();
        _cleanup_free_ char *pdir = test_join(dir, "pkg"), *text = NULL, *entry = NULL, *revoked = NULL;
        permit_package_info *info = NULL, *unverified = NULL;
        permit_index *idx = NULL;
        permit_index_entry e;
        permit_error err = { 0 };
        char dev_id[PERMIT_KEY_ID_STRING_SIZE];
        const char *id = "org.example.word-of-the-day", *sd;

        (void) state;
        assert_int_equal(mkdir(pdir, 0755), 0);
        st_make_package(pdir);
        assert_int_equal(permit_package_sign(k.dev_sk, pdir, NULL, NULL), 0);
        assert_int_equal(permit_package_verify(k.dev_pk, pdir, NULL, &info, NULL), 0);
        sd = permit_package_info_seal_digest(info);

#define INDEX_WITH(entry_text, revoked_text)                                                        \
        do {                                                                                         \
                _cleanup_free_ char *p_ = NULL;                                                      \
                permit_index_free(idx);                                                              \
                idx = NULL;                                                                          \
                free(text);                                                                          \
                assert_true(asprintf(&p_, "{\"%s\":[%s]}", id, entry_text) > 0);                     \
                text = rt_index(2, RT_NOW - 10, RT_EXPIRES, p_, revoked_text);                       \
                assert_int_equal(rt_verify(k.reg_sk, k.reg_pk, text, 0, RT_NOW, &idx, NULL), 0);     \
        } while (0)

        entry = rt_entry(id, "1.2.0", k.dev_pk, k.reg_sk, sd);
        INDEX_WITH(entry, NULL);
        assert_int_equal(permit_index_check_package(idx, k.reg_pk, info, id, &e, &err), 0);
        assert_string_equal(e.version, "1.2.0");
        assert_int_equal(permit_index_check_package(idx, k.reg_pk, info, NULL, NULL, &err), 0);

        /* Mix-and-match: the package is another add-on than asked for. */
        assert_int_equal(permit_index_check_package(idx, k.reg_pk, info, "org.example.other", NULL, &err),
                         -EKEYREJECTED);
        assert_non_null(strstr(err.text, "not 'org.example.other'"));
        /* The countersignature is not the registry's. */
        assert_int_equal(permit_index_check_package(idx, k.other_pk, info, id, NULL, &err), -EBADMSG);
        assert_non_null(strstr(err.text, "countersignature"));
        /* Not an unverified package. */
        assert_int_equal(permit_package_inspect(pdir, NULL, &unverified, NULL), 0);
        assert_int_equal(permit_index_check_package(idx, k.reg_pk, unverified, id, NULL, &err), -EINVAL);
        permit_package_info_free(unverified);

        /* Listed with another seal digest. */
        free(entry);
        entry = rt_entry(id, "1.2.0", k.dev_pk, k.reg_sk, D1);
        INDEX_WITH(entry, NULL);
        assert_int_equal(permit_index_check_package(idx, k.reg_pk, info, id, NULL, &err), -EBADMSG);
        assert_non_null(strstr(err.text, "seal digest differs"));
        /* Listed under another version only. */
        free(entry);
        entry = rt_entry(id, "1.3.0", k.dev_pk, k.reg_sk, sd);
        INDEX_WITH(entry, NULL);
        assert_int_equal(permit_index_check_package(idx, k.reg_pk, info, id, NULL, &err), -ENOENT);
        /* Listed as sealed by another key. */
        free(entry);
        entry = rt_entry(id, "1.2.0", k.dev2_pk, k.reg_sk, sd);
        INDEX_WITH(entry, NULL);
        assert_int_equal(permit_index_check_package(idx, k.reg_pk, info, id, NULL, &err), -EKEYREJECTED);
        /* Countersigned over another triple (a countersignature moved from
         * another entry). */
        {
                _cleanup_free_ char *other = rt_entry(id, "1.3.0", k.dev_pk, k.reg_sk, sd);
                char *cs = strstr(other, "\"countersignature\":\""), *mine;
                free(entry);
                entry = rt_entry(id, "1.2.0", k.dev_pk, k.reg_sk, sd);
                mine = strstr(entry, "\"countersignature\":\"");
                memcpy(mine, cs, strlen(cs));
                INDEX_WITH(entry, NULL);
                assert_int_equal(permit_index_check_package(idx, k.reg_pk, info, id, NULL, &err), -EBADMSG);
        }
        /* Revoked key, revoked package. */
        free(entry);
        entry = rt_entry(id, "1.2.0", k.dev_pk, k.reg_sk, sd);
        permit_pubkey_id_string(k.dev_pk, dev_id);
        assert_true(asprintf(&revoked,
                             "{\"keys\":[{\"key_id\":\"%s\",\"reason\":\"stolen\",\"revoked_at\":5}],\"packages\":[]}",
                             dev_id) > 0);
        INDEX_WITH(entry, revoked);
        assert_int_equal(permit_index_check_package(idx, k.reg_pk, info, id, NULL, &err), -EKEYREVOKED);
        assert_non_null(strstr(err.text, "stolen"));
        free(revoked);
        assert_true(asprintf(&revoked,
                             "{\"keys\":[],\"packages\":[{\"seal_digest\":\"%s\",\"reason\":\"malware\","
                             "\"revoked_at\":5}]}",
                             sd) > 0);
        INDEX_WITH(entry, revoked);
        assert_int_equal(permit_index_check_package(idx, k.reg_pk, info, id, NULL, &err), -EKEYREVOKED);
        assert_non_null(strstr(err.text, "malware"));

        permit_index_free(idx);
        permit_package_info_free(info);
        test_rm_rf(dir);
}

static void test_null_arguments(void **state) {
        permit_index *idx = NULL;
        permit_index_entry e;

        (void) state;
        assert_int_equal(permit_index_verify(NULL, 0, "", 0, k.reg_pk, 0, 0, &idx, NULL), -EINVAL);
        assert_int_equal(permit_index_verify("{}", 2, NULL, 0, k.reg_pk, 0, 0, &idx, NULL), -EINVAL);
        assert_int_equal(permit_index_verify("{}", 2, "", 0, NULL, 0, 0, &idx, NULL), -EINVAL);
        assert_int_equal(permit_index_parse(NULL, 0, &idx, NULL), -EINVAL);
        assert_int_equal(permit_index_find(NULL, "a", NULL, &e), -ENOENT);
        assert_int_equal(permit_index_n_packages(NULL), 0);
        assert_null(permit_index_registry(NULL));
        assert_false(permit_index_key_revoked(NULL, "0000000000000000", NULL));
        permit_index_free(NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid_and_lookups),
                cmocka_unit_test(test_bad_signature),
                cmocka_unit_test(test_other_key),
                cmocka_unit_test(test_rollback),
                cmocka_unit_test(test_expired),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_oversized),
                cmocka_unit_test(test_legacy_signature_refused),
                cmocka_unit_test(test_revocations),
                cmocka_unit_test(test_check_package),
                cmocka_unit_test(test_null_arguments),
        };
        return cmocka_run_group_tests_name("registry index", tests, setup, teardown);
}
