/* SPDX-License-Identifier: MIT */
/* seal_parse() on a valid seal with one field changed at a time: every
 * field missing, of the wrong type, out of range or unknown, with the JSON
 * path and the text of the error; and the signature check on what parsed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>

#include "digest-private.h"
#include "json-private.h"
#include "seal-private.h"
#include "seal-test.h"

static permit_pubkey *pk, *other_pk;
static permit_seckey *sk, *other_sk;
static char *valid;        /* a signed seal of three files */
static size_t valid_len;
static uint8_t valid_digest[PERMIT_DIGEST_SIZE];

static int group_setup(void **state) {
        seal s = { .signed_at = 1795420800 };
        seal_file files[3] = { { .path = (char *) "__init__.py", .size = 5 },
                               { .path = (char *) "lib/b.py", .size = 0 },
                               { .path = (char *) "permit.json", .size = 300 } };

        (void) state;
        if (sodium_init() < 0)
                return -1;
        if (permit_keypair_generate(&pk, &sk) < 0 || permit_keypair_generate(&other_pk, &other_sk) < 0)
                return -1;
        for (size_t i = 0; i < 3; i++)
                randombytes_buf(files[i].digest, PERMIT_DIGEST_SIZE);
        randombytes_buf(s.manifest, PERMIT_DIGEST_SIZE);
        s.files = files;
        s.n_files = 3;
        if (seal_sign(&s, sk, &valid, &valid_len) < 0)
                return -1;
        memcpy(valid_digest, s.content_digest, PERMIT_DIGEST_SIZE);
        return 0;
}

static int group_teardown(void **state) {
        (void) state;
        free(valid);
        permit_pubkey_free(pk);
        permit_seckey_free(sk);
        permit_pubkey_free(other_pk);
        permit_seckey_free(other_sk);
        return 0;
}

static int parse(const char *text, size_t len, seal **ret, permit_error *error) {
        permit_error_clear(error);
        return seal_parse(text, len, ret, error);
}

static void test_valid(void **state) {
        permit_error error;
        seal *s = NULL;

        (void) state;
        assert_int_equal(parse(valid, valid_len, &s, &error), 0);
        assert_int_equal(s->n_files, 3);
        assert_string_equal(s->files[0].path, "__init__.py");
        assert_string_equal(s->files[1].path, "lib/b.py");
        assert_string_equal(s->files[2].path, "permit.json");
        assert_int_equal(s->files[0].size, 5);
        assert_int_equal(s->files[1].size, 0);
        assert_int_equal(s->files[2].size, 300);
        assert_int_equal(s->signed_at, 1795420800);
        assert_memory_equal(s->key_id, permit_pubkey_id(pk), PERMIT_KEY_ID_SIZE);
        /* The content digest is re-derived from what parsed. */
        assert_memory_equal(s->content_digest, valid_digest, PERMIT_DIGEST_SIZE);
        assert_int_equal(seal_verify_signature(s, pk, &error), 0);
        seal_free(s);
}

/* One change to the valid seal: in the object at "" (the top) or
 * "files[i]", set key to the JSON value (NULL: delete it). */
typedef struct mutation {
        const char *object;
        const char *key;
        const char *value;
        int r;
        const char *path;
        const char *text; /* ending in '*': a prefix */
} mutation;

static json_t *load_valid(void) {
        json_error_t jerr;
        json_t *root = json_loadb(valid, valid_len, 0, &jerr);

        assert_non_null(root);
        return root;
}

static char *dump(json_t *root) {
        char *text = json_dumps(root, JSON_COMPACT);

        assert_non_null(text);
        return text;
}

static char *mutate(const mutation *m) {
        json_t *root = load_valid(), *obj = root;
        char *text;

        if (m->object[0]) {
                unsigned i;
                assert_int_equal(sscanf(m->object, "files[%u]", &i), 1);
                obj = json_array_get(json_object_get(root, "files"), i);
                assert_non_null(obj);
        }
        if (m->value) {
                json_error_t jerr;
                json_t *v = json_loads(m->value, JSON_DECODE_ANY, &jerr);
                assert_non_null(v);
                assert_int_equal(json_object_set_new(obj, m->key, v), 0);
        } else
                assert_int_equal(json_object_del(obj, m->key), 0);
        text = dump(root);
        json_decref(root);
        return text;
}

static void expect_error(const char *what, const char *text, size_t len, int r, const char *path, const char *want) {
        permit_error error;
        seal *s = NULL;
        int got = parse(text, len, &s, &error);

        if (got != r)
                printf("# %s: got %d, want %d (%s: %s)\n", what, got, r, error.path, error.text);
        assert_int_equal(got, r);
        assert_null(s);
        if (path)
                assert_string_equal(error.path, path);
        if (want) {
                size_t n = strlen(want);
                if (n > 0 && want[n - 1] == '*') {
                        if (strncmp(error.text, want, n - 1) != 0 || strlen(error.text) <= n - 1) {
                                printf("# %s: text '%s', want '%s'\n", what, error.text, want);
                                fail();
                        }
                } else
                        assert_string_equal(error.text, want);
        }
        assert_true(error.text[0] != '\0');
}

static void run_mutations(const mutation *ms, size_t n) {
        for (size_t i = 0; i < n; i++) {
                char what[128], *text = mutate(&ms[i]);
                snprintf(what, sizeof(what), "%s%s%s = %s", ms[i].object, ms[i].object[0] ? "." : "", ms[i].key,
                         ms[i].value ? ms[i].value : "(deleted)");
                expect_error(what, text, strlen(text), ms[i].r, ms[i].path, ms[i].text);
                free(text);
        }
        printf("# %zu mutations refused\n", n);
}

#define RUN(ms) run_mutations(ms, sizeof(ms) / sizeof(*(ms)))

static void test_missing(void **state) {
        static const mutation ms[] = {
                { "", "format", NULL, -EINVAL, "format", "missing" },
                { "", "hash", NULL, -EINVAL, "hash", "missing" },
                { "", "key_id", NULL, -EINVAL, "key_id", "missing" },
                { "", "signed_at", NULL, -EINVAL, "signed_at", "missing" },
                { "", "manifest", NULL, -EINVAL, "manifest", "missing" },
                { "", "files", NULL, -EINVAL, "files", "missing" },
                { "", "signature", NULL, -EINVAL, "signature", "missing" },
                { "files[0]", "path", NULL, -EINVAL, "files[0].path", "missing" },
                { "files[1]", "size", NULL, -EINVAL, "files[1].size", "missing" },
                { "files[2]", "digest", NULL, -EINVAL, "files[2].digest", "missing" },
        };
        (void) state;
        RUN(ms);
}

static void test_wrong_type(void **state) {
        static const mutation ms[] = {
                { "", "format", "\"1\"", -EINVAL, "format", "must be an integer" },
                { "", "format", "1.0", -EINVAL, "format", "must be an integer" },
                { "", "format", "true", -EINVAL, "format", "must be an integer" },
                { "", "hash", "1", -EINVAL, "hash", "must be a string" },
                { "", "hash", "null", -EINVAL, "hash", "must be a string" },
                { "", "key_id", "[]", -EINVAL, "key_id", "must be a string" },
                { "", "signed_at", "\"1795420800\"", -EINVAL, "signed_at", "must be an integer" },
                { "", "signed_at", "1795420800.5", -EINVAL, "signed_at", "must be an integer" },
                { "", "manifest", "{}", -EINVAL, "manifest", "must be a string" },
                { "", "files", "{}", -EINVAL, "files", "must be an array" },
                { "", "files", "\"a.py\"", -EINVAL, "files", "must be an array" },
                { "", "files", "[1]", -EINVAL, "files[0]", "must be an object" },
                { "", "files", "[[]]", -EINVAL, "files[0]", "must be an object" },
                { "", "signature", "false", -EINVAL, "signature", "must be a string" },
                { "files[0]", "path", "5", -EINVAL, "files[0].path", "must be a string" },
                { "files[0]", "path", "[\"a\"]", -EINVAL, "files[0].path", "must be a string" },
                { "files[1]", "size", "\"0\"", -EINVAL, "files[1].size", "must be an integer" },
                { "files[1]", "size", "0.0", -EINVAL, "files[1].size", "must be an integer" },
                { "files[2]", "digest", "true", -EINVAL, "files[2].digest", "must be a string" },
        };
        (void) state;
        RUN(ms);
}

static void test_unknown_field(void **state) {
        static const mutation ms[] = {
                { "", "extra", "1", -EINVAL, "extra", "unknown field" },
                { "", "Format", "1", -EINVAL, "Format", "unknown field" },
                { "", "comment", "\"hello\"", -EINVAL, "comment", "unknown field" },
                { "files[0]", "mode", "420", -EINVAL, "files[0].mode", "unknown field" },
                { "files[2]", "", "null", -EINVAL, NULL, "unknown field" },
        };
        (void) state;
        RUN(ms);
}

static void test_unsupported(void **state) {
        static const mutation ms[] = {
                { "", "format", "2", -EINVAL, "format", "unsupported seal format 2 (this permit reads format 1)" },
                { "", "format", "0", -EINVAL, "format", "unsupported seal format 0 (this permit reads format 1)" },
                { "", "format", "-1", -EINVAL, "format", "unsupported seal format -1 (this permit reads format 1)" },
                { "", "hash", "\"sha256\"", -EINVAL, "hash", "unsupported hash 'sha256'" },
                { "", "hash", "\"BLAKE2B-TREE-256\"", -EINVAL, "hash", "unsupported hash 'BLAKE2B-TREE-256'" },
                { "", "hash", "\"\"", -EINVAL, "hash", "unsupported hash ''" },
        };
        (void) state;
        RUN(ms);
}

static void test_bad_hex(void **state) {
        static const mutation ms[] = {
                { "", "key_id", "\"0123456789ABCDE\"", -EINVAL, "key_id", "must be 16 hex digits" },
                { "", "key_id", "\"0123456789ABCDEF0\"", -EINVAL, "key_id", "must be 16 hex digits" },
                { "", "key_id", "\"0123456789ABCDEG\"", -EINVAL, "key_id", "must be 16 hex digits" },
                { "", "key_id", "\"\"", -EINVAL, "key_id", "must be 16 hex digits" },
                { "", "key_id", "\" 123456789ABCDEF\"", -EINVAL, "key_id", "must be 16 hex digits" },
                { "", "manifest", "\"00000000000000000000000000000000000000000000000000000000000000\"", -EINVAL,
                  "manifest", "must be 64 hex digits" },
                { "", "manifest", "\"000000000000000000000000000000000000000000000000000000000000000\"", -EINVAL,
                  "manifest", "must be 64 hex digits" },
                { "", "manifest", "\"00000000000000000000000000000000000000000000000000000000000000000\"", -EINVAL,
                  "manifest", "must be 64 hex digits" },
                { "", "manifest", "\"000000000000000000000000000000000000000000000000000000000000000x\"", -EINVAL,
                  "manifest", "must be 64 hex digits" },
                { "files[1]", "digest", "\"00\"", -EINVAL, "files[1].digest", "must be 64 hex digits" },
                { "files[1]", "digest",
                  "\"0000000000000000000000000000000000000000000000000000000000000000000\"", -EINVAL,
                  "files[1].digest", "must be 64 hex digits" },
                { "files[1]", "digest", "\"000000000000000000000000000000000000000000000000000000000000000-\"",
                  -EINVAL, "files[1].digest", "must be 64 hex digits" },
        };
        (void) state;
        RUN(ms);
}

/* The signature with one change to its base64 text. */
static char *with_signature(const char *b64) {
        mutation m = { "", "signature", NULL, 0, NULL, NULL };
        char *value = NULL, *text;

        assert_true(asprintf(&value, "\"%s\"", b64) > 0);
        m.value = value;
        text = mutate(&m);
        free(value);
        return text;
}

static void test_bad_base64(void **state) {
        json_t *root = load_valid();
        const char *sig = json_string_value(json_object_get(root, "signature"));
        size_t n = strlen(sig);
        char b[256], *text;
        const char *cases[8];
        char bufs[8][256];
        size_t k = 0;

        (void) state;
        assert_int_equal(n, 88);
        assert_string_equal(sig + 86, "==");
        /* Each case: what it breaks. */
        snprintf(bufs[k], sizeof(bufs[k]), "%.84s==", sig); /* 62 bytes */
        cases[k] = bufs[k];
        k++;
        snprintf(bufs[k], sizeof(bufs[k]), "%.86s", sig); /* padding left out */
        cases[k] = bufs[k];
        k++;
        snprintf(bufs[k], sizeof(bufs[k]), "%sAAAA", sig); /* too long */
        cases[k] = bufs[k];
        k++;
        snprintf(bufs[k], sizeof(bufs[k]), "%s", sig); /* URL-safe alphabet */
        bufs[k][10] = '-';
        cases[k] = bufs[k];
        k++;
        snprintf(bufs[k], sizeof(bufs[k]), "%s", sig); /* white space */
        bufs[k][40] = ' ';
        cases[k] = bufs[k];
        k++;
        snprintf(bufs[k], sizeof(bufs[k]), "%s", sig); /* padding inside */
        bufs[k][20] = '=';
        cases[k] = bufs[k];
        k++;
        /* The last character before "==" carries 2 bits of the signature
         * and 4 that must be zero: set one of those. */
        snprintf(bufs[k], sizeof(bufs[k]), "%s", sig);
        {
                static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                const char *c = strchr(alphabet, sig[85]);
                assert_non_null(c);
                assert_int_equal((c - alphabet) & 0xf, 0);
                bufs[k][85] = alphabet[(c - alphabet) | 1];
        }
        cases[k] = bufs[k];
        k++;
        cases[k++] = "";
        for (size_t i = 0; i < k; i++) {
                snprintf(b, sizeof(b), "signature case %zu", i);
                text = with_signature(cases[i]);
                expect_error(b, text, strlen(text), -EINVAL, "signature", "must be a base64 Ed25519 signature");
                free(text);
        }
        json_decref(root);
}

static void test_files_order(void **state) {
        json_t *root = load_valid(), *files = json_object_get(root, "files"), *f0, *f1;
        char *text;

        (void) state;
        /* Swapped: not sorted. */
        f0 = json_incref(json_array_get(files, 0));
        f1 = json_incref(json_array_get(files, 1));
        assert_int_equal(json_array_set(files, 0, f1), 0);
        assert_int_equal(json_array_set(files, 1, f0), 0);
        text = dump(root);
        expect_error("unsorted", text, strlen(text), -EINVAL, "files[1]",
                     "files are not sorted by path, or '__init__.py' is listed twice");
        free(text);
        /* Sorted bytewise: "Z" (0x5a) before "_" (0x5f) before "a". */
        assert_int_equal(json_object_set_new(f1, "path", json_string("Z.py")), 0);
        assert_int_equal(json_object_set_new(f0, "path", json_string("_.py")), 0);
        text = dump(root);
        {
                permit_error error;
                seal *s = NULL;
                assert_int_equal(parse(text, strlen(text), &s, &error), 0);
                seal_free(s);
        }
        free(text);
        /* The same path twice. */
        assert_int_equal(json_object_set_new(f0, "path", json_string("Z.py")), 0);
        text = dump(root);
        expect_error("duplicate", text, strlen(text), -EINVAL, "files[1]",
                     "files are not sorted by path, or 'Z.py' is listed twice");
        free(text);
        json_decref(f0);
        json_decref(f1);
        json_decref(root);
}

static void test_unsafe_paths(void **state) {
        static const mutation ms[] = {
                { "files[0]", "path", "\"../x\"", -EINVAL, "files[0]", "path '../x': *" },
                { "files[0]", "path", "\"/abs\"", -EINVAL, "files[0]", "path '/abs': *" },
                { "files[0]", "path", "\"A/../../x\"", -EINVAL, "files[0]", "path 'A/../../x': *" },
                { "files[0]", "path", "\"./A\"", -EINVAL, "files[0]", "path './A': *" },
                { "files[0]", "path", "\"A//b\"", -EINVAL, "files[0]", "path 'A//b': *" },
                { "files[0]", "path", "\"A/\"", -EINVAL, "files[0]", "path 'A/': names a directory, not a file" },
                { "files[0]", "path", "\"A\\\\b\"", -EINVAL, "files[0]", "path 'A\\b': *" },
                { "files[0]", "path", "\"\"", -EINVAL, "files[0]", "path '': *" },
                { "files[0]", "path", "\"A\\u0001\"", -EINVAL, "files[0]", NULL },
        };
        (void) state;
        RUN(ms);
}

static void test_out_of_range(void **state) {
        static const mutation ms[] = {
                { "files[0]", "size", "-1", -EINVAL, "files[0]", "size must not be negative" },
                { "files[1]", "size", "-9223372036854775808", -EINVAL, "files[1]", "size must not be negative" },
                { "", "signed_at", "0", -EINVAL, "signed_at", "must be a positive time" },
                { "", "signed_at", "-1", -EINVAL, "signed_at", "must be a positive time" },
                { "", "signed_at", "-9223372036854775808", -EINVAL, "signed_at", "must be a positive time" },
        };
        (void) state;
        RUN(ms);
}

static void test_not_a_seal(void **state) {
        static const char *const texts[] = {
                "", " ", "{", "[]", "null", "1", "\"seal\"", "{}", "{\"format\": 1, \"format\": 1}",
                "{\"format\": 1e400}", "{\"signed_at\": 99999999999999999999}",
        };
        char *dup = NULL;

        (void) state;
        for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++)
                expect_error(texts[i], texts[i], strlen(texts[i]), -EINVAL, NULL, NULL);
        /* A duplicate key in the valid seal, and trailing bytes. */
        assert_true(asprintf(&dup, "{\"format\": 1, %s", valid + 1) > 0);
        expect_error("duplicate key", dup, strlen(dup), -EINVAL, NULL, NULL);
        free(dup);
        dup = malloc(valid_len + 2);
        assert_non_null(dup);
        memcpy(dup, valid, valid_len);
        dup[valid_len] = '\0';
        dup[valid_len + 1] = '{';
        expect_error("trailing NUL", dup, valid_len + 1, -EINVAL, NULL, NULL);
        expect_error("trailing brace", dup, valid_len + 2, -EINVAL, NULL, NULL);
        free(dup);
}

static void test_size_limit(void **state) {
        size_t max = PERMIT_SEAL_MAX_SIZE;
        char *big = malloc(max + 2);
        permit_error error;
        seal *s = NULL;

        (void) state;
        assert_non_null(big);
        /* The valid seal padded with white space to exactly the limit. */
        memcpy(big, valid, valid_len);
        memset(big + valid_len, ' ', max + 1 - valid_len);
        big[max + 1] = '\0';
        assert_int_equal(parse(big, max, &s, &error), 0);
        seal_free(s);
        s = NULL;
        /* One byte over: refused before parsing. */
        expect_error("oversized", big, max + 1, -EFBIG, "", "seal larger than 16777216 bytes");
        free(big);
}

/* What parses is checked against the key: the signed fields, the key id. */
static void test_signature(void **state) {
        static const mutation changed[] = {
                { "", "signed_at", "1795420801", 0, NULL, NULL },
                { "", "manifest", "\"0000000000000000000000000000000000000000000000000000000000000000\"", 0, NULL,
                  NULL },
                { "files[0]", "size", "6", 0, NULL, NULL },
                { "files[1]", "path", "\"lib/c.py\"", 0, NULL, NULL },
                { "files[2]", "digest", "\"0000000000000000000000000000000000000000000000000000000000000000\"", 0,
                  NULL, NULL },
        };
        char want[PERMIT_KEY_ID_STRING_SIZE], got[PERMIT_KEY_ID_STRING_SIZE], text[128];
        permit_error error;
        seal *s = NULL;

        (void) state;
        for (size_t i = 0; i < sizeof(changed) / sizeof(*changed); i++) {
                char *t = mutate(&changed[i]);
                assert_int_equal(parse(t, strlen(t), &s, &error), 0);
                assert_memory_not_equal(s->content_digest, valid_digest, PERMIT_DIGEST_SIZE);
                assert_int_equal(seal_verify_signature(s, pk, &error), -EBADMSG);
                assert_string_equal(error.text, "signature verification failed");
                seal_free(s);
                s = NULL;
                free(t);
        }

        assert_int_equal(parse(valid, valid_len, &s, &error), 0);
        permit_pubkey_id_string(pk, got);
        permit_pubkey_id_string(other_pk, want);
        snprintf(text, sizeof(text), "sealed with key %s, not with the given key %s", got, want);
        permit_error_clear(&error);
        assert_int_equal(seal_verify_signature(s, other_pk, &error), -EKEYREJECTED);
        assert_string_equal(error.text, text);
        seal_free(s);
}

/* The layout is not signed: compact, reordered, or hex in lower case is
 * the same seal, with the same content digest. */
static void test_layout(void **state) {
        json_t *root = load_valid();
        char *text, id[PERMIT_KEY_ID_STRING_SIZE];
        permit_error error;
        seal *s = NULL;

        (void) state;
        text = json_dumps(root, JSON_COMPACT);
        assert_int_equal(parse(text, strlen(text), &s, &error), 0);
        assert_memory_equal(s->content_digest, valid_digest, PERMIT_DIGEST_SIZE);
        assert_int_equal(seal_verify_signature(s, pk, &error), 0);
        seal_free(s);
        s = NULL;
        free(text);

        permit_pubkey_id_string(pk, id);
        for (char *c = id; *c; c++)
                if (*c >= 'A' && *c <= 'F')
                        *c = (char) (*c - 'A' + 'a');
        assert_int_equal(json_object_set_new(root, "key_id", json_string(id)), 0);
        text = json_dumps(root, JSON_INDENT(8));
        assert_int_equal(parse(text, strlen(text), &s, &error), 0);
        assert_memory_equal(s->content_digest, valid_digest, PERMIT_DIGEST_SIZE);
        assert_int_equal(seal_verify_signature(s, pk, &error), 0);
        seal_free(s);
        free(text);
        json_decref(root);
}

static void test_no_files(void **state) {
        mutation m = { "", "files", "[]", 0, NULL, NULL };
        char *text = mutate(&m);
        permit_error error;
        seal *s = NULL;

        (void) state;
        assert_int_equal(parse(text, strlen(text), &s, &error), 0);
        assert_int_equal(s->n_files, 0);
        seal_free(s);
        free(text);
}

static void test_sort_files(void **state) {
        seal_file files[3] = { { .path = (char *) "b" }, { .path = (char *) "a" }, { .path = (char *) "B" } };
        const char *dup = NULL;

        (void) state;
        assert_int_equal(seal_sort_files(files, 3, &dup), 0);
        assert_null(dup);
        assert_string_equal(files[0].path, "B");
        assert_string_equal(files[1].path, "a");
        assert_string_equal(files[2].path, "b");
        files[0].path = (char *) "a";
        assert_int_equal(seal_sort_files(files, 3, &dup), -EINVAL);
        assert_string_equal(dup, "a");
        assert_int_equal(seal_sort_files(files, 0, NULL), 0);
}

/* The signed form is written directly (seal.c), not through a jansson tree:
 * it must be byte for byte permit_json_signed_message() of the seal's JSON,
 * for strings that need escaping, non-ASCII paths, and sizes at the edge of
 * what the canonical form takes. */
static void check_message(seal *s) {
        char *text = NULL, *expected = NULL;
        size_t len, expected_len;
        json_t *root;
        uint8_t digest[PERMIT_DIGEST_SIZE];

        assert_int_equal(seal_sign(s, sk, &text, &len), 0);
        root = json_loadb(text, len, 0, NULL);
        assert_non_null(root);
        assert_int_equal(json_object_del(root, "signature"), 0);
        assert_int_equal(permit_json_signed_message(PERMIT_SEAL_DOMAIN, root, &expected, &expected_len), 0);
        assert_int_equal(permit_pubkey_verify(pk, s->signature, (const uint8_t *) expected, expected_len), 0);
        crypto_generichash(digest, sizeof(digest), (const uint8_t *) expected, expected_len, NULL, 0);
        assert_memory_equal(digest, s->content_digest, PERMIT_DIGEST_SIZE);
        json_decref(root);
        free(expected);
        free(text);
}

static void test_message_canonical(void **state) {
        seal_file files[] = {
                { .path = (char *) "a\"quote\\back.py", .size = 0 },
                { .path = (char *) "caf\xc3\xa9/\xf0\x9f\x98\x80.txt", .size = UINT64_C(9007199254740992) },
                { .path = (char *) "ctl\x01\b\t\n\f\r\x1f\x7f.py", .size = 1 },
                { .path = (char *) "sp ace/\xe2\x80\xae.py", .size = 12345678 },
        };
        seal s = { .signed_at = INT64_C(9007199254740992), .files = files, .n_files = 4 };
        char *text = NULL;
        size_t len;

        (void) state;
        randombytes_buf(s.manifest, PERMIT_DIGEST_SIZE);
        for (size_t i = 0; i < s.n_files; i++)
                randombytes_buf(files[i].digest, PERMIT_DIGEST_SIZE);
        check_message(&s);
        s.n_files = 0;
        check_message(&s);
        s.n_files = 4;
        s.signed_at = 1;
        check_message(&s);

        /* Past 2^53 the canonical form has no exact number. */
        files[1].size = UINT64_C(9007199254740993);
        assert_int_equal(seal_sign(&s, sk, &text, &len), -EDOM);
        files[1].size = UINT64_MAX;
        assert_int_equal(seal_sign(&s, sk, &text, &len), -EDOM);
        files[1].size = 1;
        s.signed_at = INT64_C(9007199254740993);
        assert_int_equal(seal_sign(&s, sk, &text, &len), -EDOM);
        assert_null(text);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_message_canonical),
                cmocka_unit_test(test_missing),
                cmocka_unit_test(test_wrong_type),
                cmocka_unit_test(test_unknown_field),
                cmocka_unit_test(test_unsupported),
                cmocka_unit_test(test_bad_hex),
                cmocka_unit_test(test_bad_base64),
                cmocka_unit_test(test_files_order),
                cmocka_unit_test(test_unsafe_paths),
                cmocka_unit_test(test_out_of_range),
                cmocka_unit_test(test_not_a_seal),
                cmocka_unit_test(test_size_limit),
                cmocka_unit_test(test_signature),
                cmocka_unit_test(test_layout),
                cmocka_unit_test(test_no_files),
                cmocka_unit_test(test_sort_files),
        };

        return cmocka_run_group_tests_name("seal-parse", tests, group_setup, group_teardown);
}
