/* SPDX-License-Identifier: MIT */
/* permit_revocation_check(): a package against the registry indexes kept
 * in a profile (PROFILE/permit/registries/KEY_ID/), every error path. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <ctype.h>
#include <unistd.h>

#include <cmocka.h>

#include "registry-test.h"

#define SEAL_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SEAL_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

typedef struct fixture {
        rt_keys k;
        char profile[64];
        char reg_id[PERMIT_KEY_ID_STRING_SIZE], dev_id[PERMIT_KEY_ID_STRING_SIZE];
} fixture;

static void write_text(const char *path, const char *text, size_t len) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        assert_int_equal(fwrite(text, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
}

static void rm_rf(const char *path) {
        char *cmd = NULL;
        assert_true(asprintf(&cmd, "rm -rf '%s'", path) > 0);
        assert_int_equal(system(cmd), 0);
        free(cmd);
}

/* registry.json naming the registry key key (as the client writes it) at
 * version. */
static void write_state(fixture *f, const char *key_id, const permit_pubkey *key, uint64_t version) {
        char key_s[PERMIT_PUBKEY_STRING_SIZE], *text = NULL, *path = NULL;

        permit_pubkey_string(key, key_s);
        assert_true(asprintf(&text,
                             "{\"format\":1,\"addons\":{},\"registries\":{\"%s\":{\"url\":\"https://r.example/\","
                             "\"key\":\"%s\",\"version\":%llu,\"expires\":1}}}",
                             key_id, key_s, (unsigned long long) version) > 0);
        assert_true(asprintf(&path, "%s/permit/registry.json", f->profile) > 0);
        write_text(path, text, strlen(text));
        free(text);
        free(path);
}

/* The kept index of registry key_id: text signed by sk. */
static void write_kept(fixture *f, const char *key_id, const permit_seckey *sk, const char *text) {
        char *dir = NULL, *path = NULL, *sig;
        size_t sig_len;

        assert_true(asprintf(&dir, "%s/permit/registries/%s", f->profile, key_id) > 0);
        mkdir(dir, 0700);
        assert_true(asprintf(&path, "%s/index.json", dir) > 0);
        write_text(path, text, strlen(text));
        free(path);
        sig = rt_sign(sk, text, &sig_len);
        assert_true(asprintf(&path, "%s/index.json.sig", dir) > 0);
        write_text(path, sig, sig_len);
        free(sig);
        free(path);
        free(dir);
}

static char *revoked_key_index(fixture *f, uint64_t version, int64_t expires) {
        char *revoked = NULL, *text;
        assert_true(asprintf(&revoked,
                             "{\"keys\":[{\"key_id\":\"%s\",\"reason\":\"stolen laptop\",\"revoked_at\":1}],"
                             "\"packages\":[{\"seal_digest\":\"%s\",\"reason\":\"malware inside\",\"revoked_at\":1}]}",
                             f->dev_id, SEAL_B) > 0);
        text = rt_index(version, RT_NOW - 10, expires, NULL, revoked);
        free(revoked);
        return text;
}

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        char *dir = NULL;

        assert_non_null(f);
        rt_keys_make(&f->k);
        snprintf(f->profile, sizeof(f->profile), "/tmp/test-revocation.XXXXXX");
        assert_non_null(mkdtemp(f->profile));
        permit_pubkey_id_string(f->k.reg_pk, f->reg_id);
        permit_pubkey_id_string(f->k.dev_pk, f->dev_id);
        assert_true(asprintf(&dir, "%s/permit", f->profile) > 0);
        assert_int_equal(mkdir(dir, 0700), 0);
        free(dir);
        assert_true(asprintf(&dir, "%s/permit/registries", f->profile) > 0);
        assert_int_equal(mkdir(dir, 0700), 0);
        free(dir);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        rm_rf(f->profile);
        rt_keys_free(&f->k);
        free(f);
        return 0;
}

static void test_nothing_kept(void **state) {
        fixture *f = *state;
        permit_revocation_status st = { 9, 9, 9 };
        permit_error e = { 0 };

        /* No registry.json: nothing to check. */
        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, SEAL_B, RT_NOW, &st, &e), 0);
        assert_int_equal(st.n_indexes, 0);
        /* A registry recorded, no index kept (an older client). */
        write_state(f, f->reg_id, f->k.reg_pk, 3);
        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, SEAL_B, RT_NOW, &st, &e), 0);
        assert_int_equal(st.n_indexes, 0);
}

static void test_clean_and_revoked(void **state) {
        fixture *f = *state;
        permit_revocation_status st;
        permit_error e = { 0 };
        char other_id[PERMIT_KEY_ID_STRING_SIZE];
        char *text = revoked_key_index(f, 3, RT_EXPIRES);

        write_state(f, f->reg_id, f->k.reg_pk, 3);
        write_kept(f, f->reg_id, f->k.reg_sk, text);
        free(text);
        permit_pubkey_id_string(f->k.other_pk, other_id);
        assert_int_equal(permit_revocation_check(f->profile, other_id, SEAL_A, RT_NOW, &st, &e), 0);
        assert_int_equal(st.n_indexes, 1);
        assert_int_equal(st.n_expired, 0);
        assert_int_equal(st.expires, RT_EXPIRES);

        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, SEAL_A, RT_NOW, &st, &e), -EKEYREVOKED);
        assert_non_null(strstr(e.text, "stolen laptop"));
        assert_non_null(strstr(e.text, f->dev_id));
        assert_non_null(strstr(e.text, "https://r.example/"));
        printf("# %s\n", e.text);
        /* Either case of the key id. */
        for (char *p = f->dev_id; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, SEAL_A, RT_NOW, NULL, &e), -EKEYREVOKED);

        assert_int_equal(permit_revocation_check(f->profile, other_id, SEAL_B, RT_NOW, &st, &e), -EKEYREVOKED);
        assert_non_null(strstr(e.text, "malware inside"));
        printf("# %s\n", e.text);
}

static void test_expired(void **state) {
        fixture *f = *state;
        permit_revocation_status st;
        permit_error e = { 0 };
        char other_id[PERMIT_KEY_ID_STRING_SIZE];
        char *text = revoked_key_index(f, 3, RT_NOW - 1);

        write_state(f, f->reg_id, f->k.reg_pk, 3);
        write_kept(f, f->reg_id, f->k.reg_sk, text);
        free(text);
        permit_pubkey_id_string(f->k.other_pk, other_id);
        /* Expired: reported, not a refusal. */
        assert_int_equal(permit_revocation_check(f->profile, other_id, SEAL_A, RT_NOW, &st, &e), 0);
        assert_int_equal(st.n_indexes, 1);
        assert_int_equal(st.n_expired, 1);
        /* The status alone, for a start-up report. */
        st = (permit_revocation_status) { 0 };
        assert_int_equal(permit_revocation_check(f->profile, NULL, NULL, RT_NOW, &st, &e), 0);
        assert_int_equal(st.n_indexes, 1);
        assert_int_equal(st.n_expired, 1);
        assert_int_equal(st.expires, RT_NOW - 1);
        assert_int_equal(permit_revocation_check(f->profile, NULL, NULL, RT_NOW - 2, &st, &e), 0);
        assert_int_equal(st.n_expired, 0);
        /* Its revocations still stand. */
        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, SEAL_A, RT_NOW, &st, &e), -EKEYREVOKED);
        assert_int_equal(permit_revocation_check(f->profile, other_id, SEAL_B, RT_NOW, &st, &e), -EKEYREVOKED);
}

static void test_kept_index_refused(void **state) {
        fixture *f = *state;
        permit_error e = { 0 };
        char *text = revoked_key_index(f, 3, RT_EXPIRES), *path = NULL;

        /* Signed by another key than the one recorded. */
        write_state(f, f->reg_id, f->k.reg_pk, 3);
        write_kept(f, f->reg_id, f->k.other_sk, text);
        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, SEAL_A, RT_NOW, NULL, &e), -EKEYREJECTED);
        assert_non_null(strstr(e.text, "does not verify"));

        /* Older than the version recorded. */
        write_kept(f, f->reg_id, f->k.reg_sk, text);
        write_state(f, f->reg_id, f->k.reg_pk, 4);
        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, SEAL_A, RT_NOW, NULL, &e), -ESTALE);

        /* Changed after it was signed: a revocation cut out. */
        write_state(f, f->reg_id, f->k.reg_pk, 3);
        assert_true(asprintf(&path, "%s/permit/registries/%s/index.json", f->profile, f->reg_id) > 0);
        text[strlen(text) - 3] = ' ';
        write_text(path, text, strlen(text));
        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, SEAL_A, RT_NOW, NULL, &e), -EBADMSG);

        /* The signature gone. */
        write_kept(f, f->reg_id, f->k.reg_sk, text);
        free(path);
        assert_true(asprintf(&path, "%s/permit/registries/%s/index.json.sig", f->profile, f->reg_id) > 0);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, SEAL_A, RT_NOW, NULL, &e), -ENOENT);
        free(path);
        free(text);
}

static void test_state_refused(void **state) {
        fixture *f = *state;
        permit_error e = { 0 };
        char *text = revoked_key_index(f, 3, RT_EXPIRES), *path = NULL;

        /* The directory of one key, registry.json recording another key there. */
        write_state(f, f->reg_id, f->k.other_pk, 3);
        write_kept(f, f->reg_id, f->k.reg_sk, text);
        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, SEAL_A, RT_NOW, NULL, &e), -EKEYREJECTED);
        assert_non_null(strstr(e.text, "the key recorded"));
        free(text);

        assert_true(asprintf(&path, "%s/permit/registry.json", f->profile) > 0);
        write_text(path, "{\"format\":1,\"registries\":[]}", 28);
        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, SEAL_A, RT_NOW, NULL, &e), -EINVAL);
        write_text(path, "{\"format\":1,", 12);
        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, SEAL_A, RT_NOW, NULL, &e), -EINVAL);
        write_text(path, "{\"format\":1,\"registries\":{\"AB\":{\"version\":1}}}", 46);
        /* No kept index for it: fine; one kept, the key missing: refused. */
        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, SEAL_A, RT_NOW, NULL, &e), 0);
        text = revoked_key_index(f, 3, RT_EXPIRES);
        write_kept(f, "AB", f->k.reg_sk, text);
        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, SEAL_A, RT_NOW, NULL, &e), -EINVAL);
        free(text);
        free(path);
}

static void test_bad_arguments(void **state) {
        fixture *f = *state;
        permit_error e = { 0 };

        assert_int_equal(permit_revocation_check(f->profile, NULL, SEAL_A, RT_NOW, NULL, &e), -EINVAL);
        assert_int_equal(permit_revocation_check(f->profile, f->dev_id, NULL, RT_NOW, NULL, NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_nothing_kept, setup, teardown),
                cmocka_unit_test_setup_teardown(test_clean_and_revoked, setup, teardown),
                cmocka_unit_test_setup_teardown(test_expired, setup, teardown),
                cmocka_unit_test_setup_teardown(test_kept_index_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_state_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
