/* SPDX-License-Identifier: MIT */
/* Pins, the audit log and last use, export and import. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "permit/keys.h"
#include "store-test.h"

/* A fresh "RW..." key and its id. */
static void new_key(char key[PERMIT_PUBKEY_STRING_SIZE], char id[PERMIT_KEY_ID_STRING_SIZE]) {
        permit_pubkey *pk = NULL;
        permit_seckey *sk = NULL;

        assert_int_equal(permit_keypair_generate(&pk, &sk), 0);
        permit_pubkey_string(pk, key);
        permit_pubkey_id_string(pk, id);
        permit_pubkey_free(pk);
        permit_seckey_free(sk);
}

static void test_pins(void **state) {
        fixture *f = *state;
        char k1[PERMIT_PUBKEY_STRING_SIZE], id1[PERMIT_KEY_ID_STRING_SIZE];
        char k2[PERMIT_PUBKEY_STRING_SIZE], id2[PERMIT_KEY_ID_STRING_SIZE];
        const char *key = NULL, *kid = NULL;
        permit_store *again = NULL;
        permit_error e = { 0 };

        new_key(k1, id1);
        new_key(k2, id2);
        assert_int_equal(permit_store_pin_get(f->s, "org.a", &key, &kid), -ENOENT);
        assert_int_equal(permit_store_pin_set(f->s, "org.a", k1, &e), 0);
        assert_int_equal(permit_store_pin_get(f->s, "org.a", &key, &kid), 0);
        assert_string_equal(key, k1);
        assert_string_equal(kid, id1);
        assert_int_equal(permit_store_pin_set(f->s, "org.b", k2, &e), 0);
        assert_int_equal(permit_store_pin_set(f->s, "org.a", k2, &e), 0);
        assert_int_equal(permit_store_open(f->dir, 0, &again, NULL), 0);
        assert_int_equal(permit_store_pin_get(again, "org.a", &key, &kid), 0);
        assert_string_equal(kid, id2);
        assert_int_equal(permit_store_pin_get(again, "org.b", NULL, NULL), 0);
        permit_store_free(again);

        assert_int_equal(permit_store_pin_set(f->s, "org.a", "RWnotakey", &e), -EINVAL);
        assert_int_equal(permit_store_pin_set(f->s, "../a", k1, &e), -EINVAL);
        assert_int_equal(permit_store_pin_set(f->s, NULL, k1, &e), -EINVAL);
        assert_int_equal(permit_store_pin_set(NULL, "org.a", k1, &e), -EINVAL);
        assert_int_equal(permit_store_pin_get(NULL, "org.a", NULL, NULL), -EINVAL);
        assert_int_equal(permit_store_pin_get(f->s, NULL, NULL, NULL), -EINVAL);
}

static void test_pin_key_id_mismatch(void **state) {
        fixture *f = *state;
        char k1[PERMIT_PUBKEY_STRING_SIZE], id1[PERMIT_KEY_ID_STRING_SIZE], *p, *json;
        permit_store *s = NULL;
        permit_error e = { 0 };

        new_key(k1, id1);
        assert_true(asprintf(&p, "%s/permit/pins.json", f->dir) > 0);
        assert_true(asprintf(&json, "{\"version\":1,\"pins\":{\"org.a\":{\"public_key\":\"%s\",\"key_id\":"
                                    "\"0000000000000000\",\"pinned_at\":1}}}", k1) > 0);
        test_write_string(p, json);
        assert_int_equal(permit_store_open(f->dir, 0, &s, &e), -EINVAL);
        assert_string_equal(e.path, "pins.org.a.key_id");
        assert_string_equal(e.source, p);
        free(json);
        free(p);
}

static void test_audit(void **state) {
        fixture *f = *state;
        permit_usage *u = NULL;
        char *log, *p;
        permit_audit_event ev = { .kind = PERMIT_AUDIT_USE, .time = 100, .addon = "org.a",
                                  .capability = "net.connect:api.example.com", .target = "api.example.com:443",
                                  .allowed = true };

        /* no log yet: never used */
        assert_int_equal(permit_store_usage(f->s, "org.a", &u), 0);
        assert_int_equal(permit_usage_last_used(u, "net.connect:api.example.com"), 0);
        permit_usage_free(u);

        assert_int_equal(permit_store_audit_append(f->s, &ev), 0);
        ev.time = 300;
        assert_int_equal(permit_store_audit_append(f->s, &ev), 0);
        ev.time = 200;
        assert_int_equal(permit_store_audit_append(f->s, &ev), 0);
        /* a denial and another add-on's use do not count */
        ev.kind = PERMIT_AUDIT_DENIAL;
        ev.time = 900;
        ev.allowed = false;
        assert_int_equal(permit_store_audit_append(f->s, &ev), 0);
        ev = (permit_audit_event) { .kind = PERMIT_AUDIT_USE, .time = 950, .addon = "org.a.b",
                                    .capability = "net.connect:api.example.com", .allowed = true };
        assert_int_equal(permit_store_audit_append(f->s, &ev), 0);
        ev = (permit_audit_event) { .kind = PERMIT_AUDIT_USE, .addon = "org.a", .capability = "sys.notify",
                                    .allowed = true };
        assert_int_equal(permit_store_audit_append(f->s, &ev), 0);

        /* a line cut by a crash, and garbage, are skipped */
        assert_true(asprintf(&p, "%s/permit/audit.jsonl", f->dir) > 0);
        {
                FILE *fp = fopen(p, "a");
                assert_non_null(fp);
                fputs("{\"time\":999,\"event\":\"use\",\"addon\":\"org.a\",\"capab", fp);
                fputs("\nnot json org.a\n\n", fp);
                fclose(fp);
        }
        assert_int_equal(permit_store_usage(f->s, "org.a", &u), 0);
        assert_int_equal(permit_usage_last_used(u, "net.connect:api.example.com"), 300);
        assert_true(permit_usage_last_used(u, "sys.notify") > 1600000000); /* time 0: now */
        assert_int_equal(permit_usage_last_used(u, "fs.read:$HOME"), 0);
        assert_int_equal(permit_usage_last_used(NULL, "sys.notify"), 0);
        permit_usage_free(u);
        permit_usage_free(NULL);

        log = test_read(p, NULL);
        assert_non_null(strstr(log, "{\"addon\":\"org.a\",\"allowed\":true,\"capability\":\"net.connect:api.example.com\","
                                    "\"event\":\"use\",\"target\":\"api.example.com:443\",\"time\":100}\n"));
        assert_non_null(strstr(log, "\"event\":\"denial\""));
        free(log);

        /* errors */
        ev.addon = NULL;
        assert_int_equal(permit_store_audit_append(f->s, &ev), -EINVAL);
        ev.addon = "org.a";
        ev.kind = (permit_audit_kind) 7;
        assert_int_equal(permit_store_audit_append(f->s, &ev), -EINVAL);
        ev.kind = PERMIT_AUDIT_USE;
        ev.capability = "\xff\xfe";
        assert_int_equal(permit_store_audit_append(f->s, &ev), -EINVAL);
        assert_int_equal(permit_store_audit_append(NULL, &ev), -EINVAL);
        assert_int_equal(permit_store_audit_append(f->s, NULL), -EINVAL);
        assert_int_equal(permit_store_usage(NULL, "org.a", &u), -EINVAL);
        assert_string_equal(permit_audit_kind_name(PERMIT_AUDIT_DECISION), "decision");
        assert_null(permit_audit_kind_name((permit_audit_kind) 7));
        free(p);
}

static void test_export_import(void **state) {
        fixture *f = *state;
        permit_manifest *m = sto_manifest("org.a", "1.0.0", "{\"id\":\"sys.notify\"},{\"id\":\"dev.camera\",\"required\":false}");
        char k1[PERMIT_PUBKEY_STRING_SIZE], id1[PERMIT_KEY_ID_STRING_SIZE];
        char k2[PERMIT_PUBKEY_STRING_SIZE], id2[PERMIT_KEY_ID_STRING_SIZE];
        char *dir2 = test_tempdir(), *text = NULL, *text2 = NULL;
        permit_store *other = sto_open(dir2);
        permit_error e = { 0 };
        size_t len = 0;

        new_key(k1, id1);
        new_key(k2, id2);
        sto_decide(f->s, m, NULL);
        assert_int_equal(permit_store_pin_set(f->s, "org.a", k1, &e), 0);
        assert_int_equal(permit_store_export(f->s, &text, &len), 0);
        assert_int_equal(strlen(text), len);
        assert_non_null(strstr(text, "\"version\": 1"));

        assert_int_equal(permit_store_import(other, text, len, "export.json", &e), 0);
        assert_non_null(permit_store_find(other, "org.a"));
        assert_false(sto_decision(other, "org.a", "dev.camera")->granted);
        assert_int_equal(permit_store_pin_get(other, "org.a", NULL, NULL), 0);
        /* the same again: the same pin is fine */
        assert_int_equal(permit_store_import(other, text, len, "export.json", &e), 0);
        assert_int_equal(permit_store_export(other, &text2, NULL), 0);
        assert_string_equal(text, text2);
        free(text2);

        /* another key for a pinned id: the whole import is refused */
        assert_int_equal(permit_store_pin_set(other, "org.a", k2, &e), 0);
        assert_int_equal(permit_store_revoke(other, "org.a", NULL, &e), 0);
        assert_int_equal(permit_store_import(other, text, len, "export.json", &e), -EKEYREJECTED);
        assert_non_null(strstr(e.text, id2));
        assert_false(sto_decision(other, "org.a", "sys.notify")->granted); /* nothing written */
        permit_store_reload(other, NULL);
        assert_false(sto_decision(other, "org.a", "sys.notify")->granted);

        /* bad documents name where */
        assert_int_equal(permit_store_import(other, "{\"version\":3}", 13, "x.json", &e), -EPROTONOSUPPORT);
        assert_string_equal(e.source, "x.json");
        assert_int_equal(permit_store_import(other, "{\"version\":1,\"grants\":{\"a\":1}}", 30, "x.json", &e), -EINVAL);
        assert_string_equal(e.path, "grants.a");
        assert_int_equal(permit_store_import(other, "{\"version\":1,\"other\":{}}", 24, "x.json", &e), -EINVAL);
        assert_int_equal(permit_store_import(other, "{", 1, "x.json", &e), -EINVAL);
        assert_int_equal(permit_store_import(NULL, "{", 1, "x.json", &e), -EINVAL);
        assert_int_equal(permit_store_export(NULL, &text2, NULL), -EINVAL);

        /* a profile's grants.json imports as it is, its checksum checked */
        {
                char *path = test_join(f->dir, "permit/grants.json"), *g;
                size_t glen;

                g = test_read(path, &glen);
                assert_non_null(strstr(g, "\"checksum\""));
                assert_int_equal(permit_store_import(other, g, glen, path, &e), 0);
                /* a no turned into a yes, the same length: still valid JSON */
                memcpy(strstr(g, "\"granted\": false") + 11, "true ", 5);
                assert_int_equal(permit_store_import(other, g, glen, path, &e), -EBADMSG);
                assert_string_equal(e.path, "checksum");
                free(g);
                free(path);
        }

        free(text);
        permit_store_free(other);
        test_rm_rf(dir2);
        permit_manifest_free(m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_pins, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pin_key_id_mismatch, setup, teardown),
                cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_export_import, setup, teardown),
        };
        return cmocka_run_group_tests_name("store-exchange", tests, NULL, NULL);
}
