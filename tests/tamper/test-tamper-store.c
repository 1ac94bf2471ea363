/* SPDX-License-Identifier: MIT */
/* The tamper corpus of the profile store (issue 8): a small profile's
 * grants.json and pins.json, as permit writes them (with their checksum),
 * and every mutation this file makes of each:
 *   - every byte XORed with 0x01, 0x20 and 0xff;
 *   - every truncation (0 to length - 1 bytes);
 *   - structural mutations, each both without a checksum (as a person may
 *     write the file) and with a valid one (so the check that refuses it
 *     is the content's, not the checksum's): duplicate keys, the same
 *     add-on id twice, values of the wrong type, unknown and missing
 *     fields, other versions, huge and negative numbers, ids and digests
 *     that are not valid, a key id that is not its key's, the checksum
 *     wrong, not last, or another file's.
 *
 * What each must do, precisely:
 *   refused: permit_store_open() fails with an error whose source is the
 *     mutated file's path and that has a text; a change through a handle
 *     opened before (permit_store_revoke()) fails the same way; and the
 *     file is byte for byte the mutation afterwards (never replaced);
 *   or accepted, only when the document is equivalent: the store's export
 *     (every record, decision, time stamp and pin, as permit writes them)
 *     is identical to the original's. Only a change of the white space
 *     after the checksum can be that (the checksum covers everything
 *     before it); the test counts them.
 * Anything else (accepted and different, refused without the path, a
 * file rewritten) fails the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>

#include "permit/keys.h"
#include "tests/unit/store/store-test.h"
#include "util.h"

static char *profile, *grants_path, *pins_path;
static char *orig_grants, *orig_pins, *orig_export;
static size_t orig_grants_len, orig_pins_len;
static permit_store *writer; /* opened on the valid files: its changes re-read them */
static unsigned n_refused, n_equivalent;

static int group_setup(void **state) {
        permit_pubkey *pk_a = NULL, *pk_b = NULL;
        permit_seckey *sk = NULL;
        char key[PERMIT_PUBKEY_STRING_SIZE];
        permit_manifest *a, *b;
        permit_error e = { 0 };
        permit_store *s;

        (void) state;
        if (sodium_init() < 0)
                return -1;
        profile = test_tempdir();
        s = sto_open(profile);
        a = sto_manifest("org.example.a", "1.2.0",
                         "{\"id\":\"net.connect:api.example.com:443\"},"
                         "{\"id\":\"fs.read:$DOCUMENTS/lists\",\"required\":false},"
                         "{\"id\":\"sys.notify\",\"required\":false}");
        b = sto_manifest("org.example.b", "0.1.0", "{\"id\":\"fs.write:$DATA\"},{\"id\":\"sys.notify\",\"required\":false}");
        sto_decide(s, a, (const char *const[]) { "sys.notify", NULL });
        sto_decide(s, b, NULL);
        assert_int_equal(permit_keypair_generate(&pk_a, &sk), 0);
        permit_seckey_free(sk);
        assert_int_equal(permit_keypair_generate(&pk_b, &sk), 0);
        permit_seckey_free(sk);
        permit_pubkey_string(pk_a, key);
        assert_int_equal(permit_store_pin_set(s, "org.example.a", key, &e), 0);
        permit_pubkey_string(pk_b, key);
        assert_int_equal(permit_store_pin_set(s, "org.example.b", key, &e), 0);
        assert_int_equal(permit_store_export(s, &orig_export, NULL), 0);
        permit_store_free(s);
        permit_manifest_free(a);
        permit_manifest_free(b);
        permit_pubkey_free(pk_a);
        permit_pubkey_free(pk_b);

        grants_path = test_join(profile, "permit/grants.json");
        pins_path = test_join(profile, "permit/pins.json");
        orig_grants = test_read(grants_path, &orig_grants_len);
        orig_pins = test_read(pins_path, &orig_pins_len);
        assert_non_null(strstr(orig_grants, "\"checksum\""));
        writer = sto_open(profile);
        return 0;
}

static int group_teardown(void **state) {
        (void) state;
        printf("# %u mutations refused, %u accepted as equivalent\n", n_refused, n_equivalent);
        permit_store_free(writer);
        test_rm_rf(profile);
        free(grants_path);
        free(pins_path);
        free(orig_grants);
        free(orig_pins);
        free(orig_export);
        return 0;
}

/* Checks one mutation of the file at path (what: for messages). */
static void check(const char *path, const char *data, size_t len, const char *what) {
        _cleanup_free_ char *now = NULL, *exported = NULL;
        permit_store *s = NULL;
        permit_error e = { 0 };
        size_t now_len;
        int r;

        test_write(path, data, len);
        r = permit_store_open(profile, 0, &s, &e);
        if (r == 0) {
                assert_int_equal(permit_store_export(s, &exported, NULL), 0);
                permit_store_free(s);
                if (strcmp(exported, orig_export) != 0)
                        fail_msg("%s: accepted, and not equivalent", what);
                n_equivalent++;
                return;
        }
        if (!e.text[0] || strcmp(e.source, path) != 0)
                fail_msg("%s: refused (%d) as '%s: %s', not naming %s", what, r, e.source, e.text, path);
        e = (permit_error) { 0 };
        r = permit_store_revoke(writer, "org.example.a", "sys.notify", &e);
        if (r >= 0 || !e.text[0] || strcmp(e.source, path) != 0)
                fail_msg("%s: a change went on (%d, '%s: %s')", what, r, e.source, e.text);
        now = test_read(path, &now_len);
        if (now_len != len || memcmp(now, data, len) != 0)
                fail_msg("%s: the file was changed", what);
        n_refused++;
}

static void flips_and_truncations(const char *path, const char *orig, size_t len) {
        static const uint8_t masks[] = { 0x01, 0x20, 0xff };
        char *m = malloc(len);
        char what[64];

        assert_non_null(m);
        for (size_t i = 0; i < len; i++)
                for (size_t k = 0; k < ELEMENTSOF(masks); k++) {
                        memcpy(m, orig, len);
                        m[i] = (char) (m[i] ^ masks[k]);
                        snprintf(what, sizeof(what), "byte %zu ^ 0x%02x", i, masks[k]);
                        check(path, m, len, what);
                }
        for (size_t n = 0; n < len; n++) {
                snprintf(what, sizeof(what), "cut to %zu bytes", n);
                check(path, orig, n, what);
        }
        test_write(path, orig, len);
        free(m);
}

static void test_grants_flips_and_truncations(void **state) {
        (void) state;
        flips_and_truncations(grants_path, orig_grants, orig_grants_len);
}

static void test_pins_flips_and_truncations(void **state) {
        (void) state;
        flips_and_truncations(pins_path, orig_pins, orig_pins_len);
}

/* The file without its checksum member: what a person editing it writes. */
static char *without_checksum(const char *orig) {
        const char *c = strstr(orig, ",\n  \"checksum\"");
        char *s = NULL;

        assert_non_null(c);
        assert_true(asprintf(&s, "%.*s\n}\n", (int) (c - orig), orig) > 0);
        return s;
}

/* text (a document ending in "\n}\n") with a valid checksum added. */
static char *with_checksum(const char *text) {
        size_t len = strlen(text);
        uint8_t d[32];
        char hex[65], *s = NULL;

        if (len < 3 || !streq(text + len - 3, "\n}\n"))
                return strdup(text); /* not a document to sum */
        crypto_generichash(d, sizeof(d), (const unsigned char *) text, len - 3, NULL, 0);
        for (size_t i = 0; i < sizeof(d); i++)
                snprintf(hex + 2 * i, 3, "%02x", d[i]);
        assert_true(asprintf(&s, "%.*s,\n  \"checksum\": \"%s\"\n}\n", (int) (len - 3), text, hex) > 0);
        return s;
}

typedef struct mutation {
        const char *what, *from, *to;
} mutation;

static void structural(const char *path, const char *orig, size_t orig_len, const mutation *ms, size_t n) {
        _cleanup_free_ char *plain = without_checksum(orig);

        /* Without its checksum, the file is still what permit wrote. */
        check(path, plain, strlen(plain), "checksum removed");
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *m = test_replace_first(plain, ms[i].from, ms[i].to);
                _cleanup_free_ char *summed = with_checksum(m);
                char what[128];

                check(path, m, strlen(m), ms[i].what);
                snprintf(what, sizeof(what), "%s, with a valid checksum", ms[i].what);
                check(path, summed, strlen(summed), what);
        }
        test_write(path, orig, orig_len);
}

#define RECORD_A "\"org.example.a\": {"
#define DECISION "\"sys.notify\": {\n          \"granted\": true,"

static void test_grants_structural(void **state) {
        _cleanup_free_ char *plain = without_checksum(orig_grants);
        _cleanup_free_ char *rec_a = NULL, *twice = NULL, *dup_cap = NULL;
        const char *start, *end;

        (void) state;
        /* The record of org.example.a as text, to list it twice. */
        start = strstr(plain, RECORD_A);
        assert_non_null(start);
        end = strstr(start, "\n    }");
        assert_non_null(end);
        assert_true(asprintf(&rec_a, "%.*s,\n    ", (int) (end + 6 - start), start) > 0);
        assert_true(asprintf(&twice, "%s%s", rec_a, RECORD_A) > 0);
        assert_true(asprintf(&dup_cap, "%s \"granted\": true}, %s", "\"sys.notify\": {\"required\": false, "
                             "\"requested\": true, \"at\": 1, \"by\": \"user\",", DECISION) > 0);
        const mutation ms[] = {
                { "the same add-on twice", RECORD_A, twice },
                { "the same capability twice", DECISION, dup_cap },
                { "version twice", "\"version\": 1,", "\"version\": 1, \"version\": 1," },
                { "granted twice", "\"granted\": true,", "\"granted\": true, \"granted\": false," },
                { "version 2", "\"version\": 1,", "\"version\": 2," },
                { "version 0", "\"version\": 1,", "\"version\": 0," },
                { "version as a string", "\"version\": 1,", "\"version\": \"1\"," },
                { "version huge", "\"version\": 1,", "\"version\": 99999999999999999999," },
                { "version real", "\"version\": 1,", "\"version\": 1.0," },
                { "grants an array", "\"grants\": {", "\"grants\": [], \"x\": {" },
                { "a record an array", RECORD_A, "\"org.example.a\": [], \"x\": {" },
                { "granted a string", "\"granted\": true", "\"granted\": \"true\"" },
                { "granted null", "\"granted\": true", "\"granted\": null" },
                { "required a number", "\"required\": true", "\"required\": 1" },
                { "by unknown", "\"by\": \"user\"", "\"by\": \"admin\"" },
                { "by a number", "\"by\": \"user\"", "\"by\": 0" },
                { "at negative", "\"at\": ", "\"at\": -1, \"x\": " },
                { "at huge", "\"at\": ", "\"at\": 1e400, \"x\": " },
                { "at past int64", "\"at\": ", "\"at\": 9223372036854775808, \"x\": " },
                { "decided_at a real", "\"decided_at\": ", "\"decided_at\": 1.5, \"x\": " },
                { "an unknown field at the top", "\"version\": 1,", "\"version\": 1, \"extra\": 1," },
                { "an unknown field in a record", "\"decided_at\": ", "\"expires\": 1, \"decided_at\": " },
                { "an unknown field in a decision", "\"granted\": true", "\"once\": true, \"granted\": true" },
                { "a missing field", "\"requested\": true,", "" },
                { "grants missing", "\"grants\": {", "\"other\": {" },
                { "an invalid add-on id", RECORD_A, "\"org..example\": {" },
                { "an invalid capability", "\"sys.notify\": {", "\"sys.notifyy\": {" },
                { "a capability that is not in the vocabulary form", "\"sys.notify\": {", "\"net.connect\": {" },
                { "an upper-case digest", "\"manifest_digest\": \"", "\"manifest_digest\": \"A" },
                { "a short digest", "\"manifest_digest\": \"", "\"manifest_digest\": \"0\", \"x\": \"" },
                { "a version that is not semantic", "\"version\": \"1.2.0\"", "\"version\": \"1.2\"" },
                { "a checksum that is not last", "\"version\": 1,",
                  "\"version\": 1, \"checksum\": \"0000000000000000000000000000000000000000000000000000000000000000\"," },
                { "a wrong checksum", "\n}\n",
                  ",\n  \"checksum\": \"0000000000000000000000000000000000000000000000000000000000000000\"\n}\n" },
                { "a checksum in upper case", "\n}\n", ",\n  \"checksum\": \"AB\"\n}\n" },
                { "a checksum of the wrong type", "\n}\n", ",\n  \"checksum\": 1\n}\n" },
                { "NUL in an id", RECORD_A, "\"org.example.a\\u0000\": {" },
                { "trailing data", "\n}\n", "\n}\n{}" },
        };
        structural(grants_path, orig_grants, orig_grants_len, ms, ELEMENTSOF(ms));
}

static void test_pins_structural(void **state) {
        _cleanup_free_ char *plain = without_checksum(orig_pins);
        _cleanup_free_ char *pin_a = NULL, *twice = NULL, *key_b = NULL, *swapped = NULL;
        const char *start, *end, *kb;

        (void) state;
        start = strstr(plain, "\"org.example.a\": {");
        assert_non_null(start);
        end = strstr(start, "\n    }");
        assert_non_null(end);
        assert_true(asprintf(&pin_a, "%.*s,\n    ", (int) (end + 6 - start), start) > 0);
        assert_true(asprintf(&twice, "%s\"org.example.a\": {", pin_a) > 0);
        /* org.example.a's key id with org.example.b's key */
        kb = strstr(strstr(plain, "\"org.example.b\""), "\"public_key\": \"");
        assert_non_null(kb);
        assert_true(asprintf(&key_b, "%.*s", (int) (strchr(kb + 15, '"') + 1 - kb), kb) > 0);
        {
                const char *ka = strstr(plain, "\"public_key\": \"");
                char *ka_text = NULL;
                assert_true(asprintf(&ka_text, "%.*s", (int) (strchr(ka + 15, '"') + 1 - ka), ka) > 0);
                swapped = strdup(ka_text);
                free(ka_text);
        }
        const mutation ms[] = {
                { "the same add-on twice", "\"org.example.a\": {", twice },
                { "another add-on's key under this key id", swapped, key_b },
                { "key_id twice", "\"key_id\": ", "\"key_id\": \"0000000000000000\", \"key_id\": " },
                { "version 2", "\"version\": 1,", "\"version\": 2," },
                { "pins an array", "\"pins\": {", "\"pins\": [], \"x\": {" },
                { "pinned_at a string", "\"pinned_at\": ", "\"pinned_at\": \"1\", \"x\": " },
                { "pinned_at negative", "\"pinned_at\": ", "\"pinned_at\": -5, \"x\": " },
                { "pinned_at huge", "\"pinned_at\": ", "\"pinned_at\": 123456789012345678901234567890, \"x\": " },
                { "a key that is not a key", "\"public_key\": \"RW", "\"public_key\": \"XW" },
                { "a key id in lower case", "\"key_id\": \"", "\"key_id\": \"a" },
                { "an unknown field", "\"pinned_at\": ", "\"comment\": \"x\", \"pinned_at\": " },
                { "a missing field", "\"key_id\": ", "\"key_idx\": " },
                { "an invalid add-on id", "\"org.example.a\": {", "\"-org\": {" },
                { "grants in pins.json", "\"pins\": {", "\"grants\": {}, \"pins\": {" },
                { "a wrong checksum", "\n}\n",
                  ",\n  \"checksum\": \"0000000000000000000000000000000000000000000000000000000000000000\"\n}\n" },
        };
        structural(pins_path, orig_pins, orig_pins_len, ms, ELEMENTSOF(ms));
}

/* grants.json's checksum over pins.json's content: each file's checksum is
 * its own. */
static void test_checksum_of_another_file(void **state) {
        _cleanup_free_ char *plain = without_checksum(orig_pins), *summed = with_checksum(plain);
        _cleanup_free_ char *gplain = without_checksum(orig_grants), *mixed = NULL;
        const char *sum = strstr(summed, ",\n  \"checksum\"");

        (void) state;
        assert_true(asprintf(&mixed, "%.*s%s", (int) (strlen(gplain) - 3), gplain, sum) > 0);
        check(grants_path, mixed, strlen(mixed), "pins.json's checksum on grants.json");
        test_write(grants_path, orig_grants, orig_grants_len);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_grants_flips_and_truncations),
                cmocka_unit_test(test_pins_flips_and_truncations),
                cmocka_unit_test(test_grants_structural),
                cmocka_unit_test(test_pins_structural),
                cmocka_unit_test(test_checksum_of_another_file),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
