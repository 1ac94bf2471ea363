/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <sodium.h>

#include "digest-private.h"
#include "encoding-private.h"
#include "json-private.h"
#include "package-private.h"
#include "seal-private.h"
#include "signer/keys-private.h"

void seal_free(seal *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_files; i++)
                free(s->files[i].path);
        free(s->files);
        free(s->message);
        free(s);
}

int key_id_parse(const char *s, uint8_t id[PERMIT_KEY_ID_SIZE]) {
        uint8_t be[PERMIT_KEY_ID_SIZE];
        int r;

        r = permit_unhex(be, sizeof(be), s);
        if (r < 0)
                return r;
        for (int i = 0; i < PERMIT_KEY_ID_SIZE; i++)
                id[i] = be[PERMIT_KEY_ID_SIZE - 1 - i];
        return 0;
}

static int compare_file_path(const void *a, const void *b) {
        return strcmp(((const seal_file *) a)->path, ((const seal_file *) b)->path);
}

int seal_sort_files(seal_file *files, size_t n, const char **ret_duplicate) {
        qsort(files, n, sizeof(*files), compare_file_path);
        for (size_t i = 1; i < n; i++)
                if (streq(files[i - 1].path, files[i].path)) {
                        if (ret_duplicate)
                                *ret_duplicate = files[i].path;
                        return -EINVAL;
                }
        return 0;
}

/* The seal as JSON, without "signature". */
static int seal_to_json(const seal *s, json_t **ret) {
        _cleanup_json_ json_t *root = NULL, *files = NULL;
        char hex[2 * PERMIT_DIGEST_SIZE + 1], id[PERMIT_KEY_ID_STRING_SIZE];

        files = json_array();
        if (!files)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_files; i++) {
                permit_hex(hex, s->files[i].digest, PERMIT_DIGEST_SIZE);
                if (json_array_append_new(files, json_pack("{s:s, s:I, s:s}", "path", s->files[i].path, "size",
                                                           (json_int_t) s->files[i].size, "digest", hex)) < 0)
                        return -ENOMEM;
        }
        permit_key_id_format(s->key_id, id);
        permit_hex(hex, s->manifest, PERMIT_DIGEST_SIZE);
        root = json_pack("{s:i, s:s, s:s, s:I, s:s, s:O}", "format", PERMIT_SEAL_FORMAT, "hash", PERMIT_HASH_NAME,
                         "key_id", id, "signed_at", (json_int_t) s->signed_at, "manifest", hex, "files", files);
        if (!root)
                return -ENOMEM;
        /* Signed like every other field: a seal names its key, and carries
         * it so that a first install can pin it (doc/seal.md). */
        if (s->public_key[0] && json_object_set_new(root, "public_key", json_string(s->public_key)) < 0)
                return -ENOMEM;
        *ret = steal_pointer(&root);
        return 0;
}

/* A number as the canonical form writes it: past 2^53 an I-JSON number is
 * no longer exact, and permit_json_canonical() refuses it (-EDOM). */
static int out_number(permit_json_out *o, int64_t x) {
        char num[24];
        int n;

        if (x > INT64_C(9007199254740992) || x < -INT64_C(9007199254740992))
                return -EDOM;
        n = snprintf(num, sizeof(num), "%" PRId64, x);
        permit_json_out_append(o, num, (size_t) n);
        return 0;
}

#define OUT_LITERAL(o, s) permit_json_out_append((o), (s), sizeof(s) - 1)

/* "permit-seal-v1\n" + canonical JSON: the bytes that are signed. Written
 * here directly, keys in canonical order, with the canonical form's own
 * string writer: the same bytes as permit_json_signed_message() of
 * seal_to_json() (tests/unit/seal compares the two), without building and
 * sorting a jansson tree of 10,000 file objects. */
static int seal_message(const seal *s, char **ret, size_t *ret_len) {
        permit_json_out o = { 0 };
        char hex[2 * PERMIT_DIGEST_SIZE + 1], id[PERMIT_KEY_ID_STRING_SIZE];
        size_t estimate = sizeof(PERMIT_SEAL_DOMAIN) + 512;
        int r = 0;

        for (size_t i = 0; i < s->n_files; i++)
                estimate += strlen(s->files[i].path) + 2 * PERMIT_DIGEST_SIZE + 64;
        o.data = malloc(estimate);
        if (!o.data)
                return -ENOMEM;
        o.size = estimate;

        OUT_LITERAL(&o, PERMIT_SEAL_DOMAIN);
        /* Keys sorted: files, format, hash, key_id, manifest, public_key,
         * signed_at; in a file: digest, path, size. */
        OUT_LITERAL(&o, "{\"files\":[");
        for (size_t i = 0; i < s->n_files && r == 0; i++) {
                if (i > 0)
                        OUT_LITERAL(&o, ",");
                OUT_LITERAL(&o, "{\"digest\":\"");
                permit_hex(hex, s->files[i].digest, PERMIT_DIGEST_SIZE);
                permit_json_out_append(&o, hex, 2 * PERMIT_DIGEST_SIZE);
                OUT_LITERAL(&o, "\",\"path\":");
                permit_json_out_string(&o, s->files[i].path, strlen(s->files[i].path));
                OUT_LITERAL(&o, ",\"size\":");
                r = s->files[i].size > INT64_MAX ? -EDOM : out_number(&o, (int64_t) s->files[i].size);
                OUT_LITERAL(&o, "}");
        }
        OUT_LITERAL(&o, "],\"format\":");
        if (r == 0)
                r = out_number(&o, PERMIT_SEAL_FORMAT);
        OUT_LITERAL(&o, ",\"hash\":\"" PERMIT_HASH_NAME "\",\"key_id\":\"");
        permit_key_id_format(s->key_id, id);
        permit_json_out_append(&o, id, strlen(id));
        OUT_LITERAL(&o, "\",\"manifest\":\"");
        permit_hex(hex, s->manifest, PERMIT_DIGEST_SIZE);
        permit_json_out_append(&o, hex, 2 * PERMIT_DIGEST_SIZE);
        OUT_LITERAL(&o, "\"");
        if (s->public_key[0]) {
                OUT_LITERAL(&o, ",\"public_key\":");
                permit_json_out_string(&o, s->public_key, strlen(s->public_key));
        }
        OUT_LITERAL(&o, ",\"signed_at\":");
        if (r == 0)
                r = out_number(&o, s->signed_at);
        OUT_LITERAL(&o, "}");
        if (r == 0)
                r = o.error;
        if (r < 0) {
                free(o.data);
                return r;
        }
        *ret = o.data;
        *ret_len = o.len;
        return 0;
}

int seal_sign(seal *s, const permit_seckey *sk, char **ret_text, size_t *ret_len) {
        _cleanup_json_ json_t *j = NULL;
        _cleanup_free_ char *msg = NULL;
        char b64[sodium_base64_ENCODED_LEN(PERMIT_SIGNATURE_SIZE, sodium_base64_VARIANT_ORIGINAL)];
        size_t len;
        int r;

        memcpy(s->key_id, permit_seckey_id(sk), PERMIT_KEY_ID_SIZE);
        {
                permit_pubkey *pk = NULL;
                r = permit_seckey_pubkey(sk, &pk);
                if (r < 0)
                        return r;
                permit_pubkey_string(pk, s->public_key);
                permit_pubkey_free(pk);
        }
        r = seal_message(s, &msg, &len);
        if (r < 0)
                return r;
        r = permit_seckey_sign(sk, msg, len, s->signature);
        if (r < 0)
                return r;
        crypto_generichash(s->content_digest, PERMIT_DIGEST_SIZE, (const uint8_t *) msg, len, NULL, 0);

        r = seal_to_json(s, &j);
        if (r < 0)
                return r;
        permit_base64(b64, sizeof(b64), s->signature, PERMIT_SIGNATURE_SIZE);
        if (json_object_set_new(j, "signature", json_string(b64)) < 0)
                return -ENOMEM;
        /* The file is for people too: indented, keys in canonical order.
         * Its layout does not matter: the signature covers the canonical
         * form. */
        return permit_json_dump_text(j, JSON_INDENT(2) | JSON_SORT_KEYS, ret_text, ret_len);
}

int seal_verify_signature(const seal *s, const permit_pubkey *pk, permit_error *error) {
        _cleanup_free_ char *built = NULL;
        const char *msg = s->message;
        size_t len = s->message_len;
        int r;

        if (sodium_memcmp(s->key_id, permit_pubkey_id(pk), PERMIT_KEY_ID_SIZE) != 0) {
                char want[PERMIT_KEY_ID_STRING_SIZE], got[PERMIT_KEY_ID_STRING_SIZE];
                permit_key_id_format(s->key_id, got);
                permit_pubkey_id_string(pk, want);
                return permit_error_set(error, -EKEYREJECTED, NULL, "sealed with key %s, not with the given key %s",
                                        got, want);
        }
        if (!msg) {
                r = seal_message(s, &built, &len);
                if (r < 0)
                        return permit_error_set(error, r, NULL, "cannot build the seal's signed form: %s",
                                                strerror(-r));
                msg = built;
        }
        if (permit_pubkey_verify(pk, s->signature, msg, len) != 0)
                return permit_error_set(error, -EBADMSG, NULL, "signature verification failed");
        return 0;
}

/* Field readers: each names the JSON path of what is wrong. */
static int get_member(json_t *obj, const char *key, json_type type, json_t **ret, permit_error *error) {
        json_t *v = json_object_get(obj, key);
        static const char *const names[] = {
                [JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",   [JSON_STRING] = "a string",
                [JSON_INTEGER] = "an integer", [JSON_REAL] = "a number", [JSON_TRUE] = "a boolean",
                [JSON_FALSE] = "a boolean",   [JSON_NULL] = "null",
        };

        if (!v)
                return permit_error_set(error, -EINVAL, key, "missing");
        if (json_typeof(v) != type)
                return permit_error_set(error, -EINVAL, key, "must be %s", names[type]);
        *ret = v;
        return 0;
}

static int get_hex(json_t *obj, const char *key, uint8_t *out, size_t len, permit_error *error) {
        json_t *v = NULL;
        int r = get_member(obj, key, JSON_STRING, &v, error);

        if (r < 0)
                return r;
        if (json_string_length(v) != 2 * len || permit_unhex(out, len, json_string_value(v)) < 0)
                return permit_error_set(error, -EINVAL, key, "must be %zu hex digits", 2 * len);
        return 0;
}

static int parse_files(json_t *arr, seal *s, permit_error *error) {
        static const char *const file_keys[] = { "path", "size", "digest", NULL };
        permit_package_limits limits;
        char at[PERMIT_ERROR_PATH_LENGTH];
        size_t n = json_array_size(arr);
        int r;

        permit_package_limits_default(&limits);
        s->files = calloc(n ? n : 1, sizeof(*s->files));
        if (!s->files)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_t *f = json_array_get(arr, i), *path = NULL, *size = NULL;
                seal_file *sf = &s->files[i];
                permit_error sub = { 0 };

                permit_json_path_index(at, sizeof(at), "files", i);
                if (!json_is_object(f))
                        return permit_error_set(error, -EINVAL, at, "must be an object");
                r = permit_json_check_keys(f, file_keys, at, &sub);
                if (r == 0)
                        r = get_member(f, "path", JSON_STRING, &path, &sub);
                if (r == 0)
                        r = get_member(f, "size", JSON_INTEGER, &size, &sub);
                if (r == 0)
                        r = get_hex(f, "digest", sf->digest, PERMIT_DIGEST_SIZE, &sub);
                if (r < 0) {
                        char p[PERMIT_ERROR_PATH_LENGTH];
                        if (startswith(sub.path, at))
                                snprintf(p, sizeof(p), "%s", sub.path);
                        else
                                permit_json_path_key(p, sizeof(p), at, sub.path);
                        return permit_error_set(error, r, p, "%s", sub.text);
                }
                if (json_integer_value(size) < 0)
                        return permit_error_set(error, -EINVAL, at, "size must not be negative");
                /* The string is jansson's, valid UTF-8 without NUL; the
                 * package rules say the rest. */
                if (package_check_path(json_string_value(path), &limits, &sub) < 0)
                        return permit_error_set(error, -EINVAL, at, "path '%s': %s", json_string_value(path), sub.text);
                /* package_check_path() takes "d/" as a directory's name;
                 * what the seal lists are files. */
                if (json_string_value(path)[json_string_length(path) - 1] == '/')
                        return permit_error_set(error, -EINVAL, at, "path '%s': names a directory, not a file",
                                                json_string_value(path));
                sf->path = strdup(json_string_value(path));
                if (!sf->path)
                        return -ENOMEM;
                sf->size = (uint64_t) json_integer_value(size);
                s->n_files = i + 1;
                if (i > 0 && strcmp(s->files[i - 1].path, sf->path) >= 0)
                        return permit_error_set(error, -EINVAL, at, "files are not sorted by path, or '%s' is listed twice",
                                                sf->path);
        }
        return 0;
}

/* "public_key": a minisign public key whose id is the seal's key_id. */
static int parse_public_key(json_t *root, seal *s, permit_error *error) {
        permit_pubkey *pk = NULL;
        permit_error e = { 0 };
        json_t *v = NULL;
        int r;

        r = get_member(root, "public_key", JSON_STRING, &v, error);
        if (r < 0)
                return r;
        if (permit_pubkey_from_string(json_string_value(v), &pk, &e) < 0)
                return permit_error_set(error, -EINVAL, "public_key", "not a minisign public key: %s", e.text);
        if (memcmp(permit_pubkey_id(pk), s->key_id, PERMIT_KEY_ID_SIZE) != 0) {
                char got[PERMIT_KEY_ID_STRING_SIZE];
                permit_pubkey_id_string(pk, got);
                permit_pubkey_free(pk);
                return permit_error_set(error, -EINVAL, "public_key", "its key id %s is not the seal's key_id", got);
        }
        /* kept as written by the signer (the canonical string of the key) */
        permit_pubkey_string(pk, s->public_key);
        permit_pubkey_free(pk);
        if (!streq(s->public_key, json_string_value(v)))
                return permit_error_set(error, -EINVAL, "public_key", "not in minisign's form");
        return 0;
}

int seal_parse(const char *buf, size_t len, seal **ret, permit_error *error) {
        static const char *const top_keys[] = { "format", "hash", "key_id", "public_key", "signed_at", "manifest",
                                                "files", "signature", NULL };
        _cleanup_json_ json_t *root = NULL;
        json_t *v = NULL;
        seal *s = NULL;
        int r;

        if (len > PERMIT_SEAL_MAX_SIZE)
                return permit_error_set(error, -EFBIG, NULL, "seal larger than %d bytes", PERMIT_SEAL_MAX_SIZE);
        r = permit_json_parse(buf, len, &root, error);
        if (r < 0)
                return r;
        r = permit_json_check_keys(root, top_keys, NULL, error);
        if (r < 0)
                return r;
        r = get_member(root, "format", JSON_INTEGER, &v, error);
        if (r < 0)
                return r;
        if (json_integer_value(v) != PERMIT_SEAL_FORMAT)
                return permit_error_set(error, -EINVAL, "format", "unsupported seal format %" JSON_INTEGER_FORMAT
                                        " (this permit reads format %d)", json_integer_value(v), PERMIT_SEAL_FORMAT);
        r = get_member(root, "hash", JSON_STRING, &v, error);
        if (r < 0)
                return r;
        if (!streq(json_string_value(v), PERMIT_HASH_NAME))
                return permit_error_set(error, -EINVAL, "hash", "unsupported hash '%s'", json_string_value(v));

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;

        r = get_member(root, "key_id", JSON_STRING, &v, error);
        if (r == 0 && key_id_parse(json_string_value(v), s->key_id) < 0)
                r = permit_error_set(error, -EINVAL, "key_id", "must be 16 hex digits");
        if (r == 0 && json_object_get(root, "public_key"))
                r = parse_public_key(root, s, error);
        if (r == 0)
                r = get_member(root, "signed_at", JSON_INTEGER, &v, error);
        if (r == 0) {
                s->signed_at = json_integer_value(v);
                if (s->signed_at <= 0)
                        r = permit_error_set(error, -EINVAL, "signed_at", "must be a positive time");
        }
        if (r == 0)
                r = get_hex(root, "manifest", s->manifest, PERMIT_DIGEST_SIZE, error);
        if (r == 0)
                r = get_member(root, "signature", JSON_STRING, &v, error);
        if (r == 0 && permit_unbase64(s->signature, PERMIT_SIGNATURE_SIZE, json_string_value(v),
                                      json_string_length(v)) < 0)
                r = permit_error_set(error, -EINVAL, "signature", "must be a base64 Ed25519 signature");
        if (r == 0)
                r = get_member(root, "files", JSON_ARRAY, &v, error);
        if (r == 0)
                r = parse_files(v, s, error);
        if (r == 0) {
                /* Built once here; checking the signature uses it again. */
                r = seal_message(s, &s->message, &s->message_len);
                if (r == 0)
                        crypto_generichash(s->content_digest, PERMIT_DIGEST_SIZE, (const uint8_t *) s->message,
                                           s->message_len, NULL, 0);
        }
        if (r < 0) {
                seal_free(s);
                return r;
        }
        *ret = s;
        return 0;
}
