/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sodium.h>

#include "digest-private.h"
#include "encoding-private.h"
#include "json-private.h"
#include "json-reader-private.h"
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

/* permit.sig is read with the pull reader (common/json-reader.c): no
 * jansson tree of 10,000 file objects to build, look up and free. Every
 * value is checked where it stands, so when a seal breaks two rules the
 * one reported is the first in the text; each rule is the one the jansson
 * reader checked, with the same message and JSON path. */

/* A string of exactly 2 * len hex digits into out. */
static int read_hex(permit_json_reader *r, uint8_t *out, size_t len, const char *key, permit_error *error) {
        char buf[2 * PERMIT_DIGEST_SIZE + 2];
        size_t n = 0;
        int k;

        assert(2 * len + 2 <= sizeof(buf));
        k = permit_json_reader_string_to(r, buf, 2 * len + 2, &n, NULL);
        if (k == -E2BIG || (k == 0 && (n != 2 * len || permit_unhex(out, len, buf) < 0)))
                return permit_error_set(error, -EINVAL, key, "must be %zu hex digits", 2 * len);
        return k;
}

/* error's path as "files[i].key" (the reader's own path has no "files"
 * when its error is ours). */
static int file_fail(permit_error *error, int r, size_t i, const char *key, const char *format, ...)
        _printf_(5, 6);
static int file_fail(permit_error *error, int r, size_t i, const char *key, const char *format, ...) {
        char at[PERMIT_ERROR_PATH_LENGTH], p[PERMIT_ERROR_PATH_LENGTH];
        char text[PERMIT_ERROR_TEXT_LENGTH];
        va_list ap;

        permit_json_path_index(at, sizeof(at), "files", i);
        if (key)
                permit_json_path_key(p, sizeof(p), at, key);
        va_start(ap, format);
        vsnprintf(text, sizeof(text), format, ap);
        va_end(ap);
        return permit_error_set(error, r, key ? p : at, "%s", text);
}

/* One {"path", "size", "digest"} object, the i-th. */
static int read_file_entry(permit_json_reader *r, seal *s, size_t i, const permit_package_limits *limits,
                           permit_error *error) {
        static const char *const file_keys[] = { "path", "size", "digest" };
        seal_file *sf = &s->files[i];
        uint32_t seen = 0;
        permit_error sub = { 0 };
        char key[8];
        size_t plen;
        int k;

        k = permit_json_reader_object_begin(r, NULL);
        if (k < 0)
                return k;
        while ((k = permit_json_reader_field(r, key, sizeof(key), NULL, NULL)) > 0) {
                int64_t size;

                k = permit_json_reader_key_index(r, key, file_keys, 3, &seen);
                if (k < 0)
                        return k;
                switch (k) {
                case 0:
                        k = permit_json_reader_string(r, &sf->path, NULL);
                        break;
                case 1:
                        k = permit_json_reader_int(r, INT64_MIN, INT64_MAX, &size, NULL);
                        if (k == 0 && size < 0)
                                return file_fail(error, -EINVAL, i, NULL, "size must not be negative");
                        sf->size = (uint64_t) size;
                        break;
                default:
                        k = read_hex(r, sf->digest, PERMIT_DIGEST_SIZE, NULL, &sub);
                        if (k < 0 && sub.text[0])
                                return file_fail(error, k, i, "digest", "%s", sub.text);
                        break;
                }
                if (k < 0)
                        return k;
        }
        if (k < 0)
                return k;
        for (size_t f = 0; f < 3; f++)
                if (!(seen & (UINT32_C(1) << f)))
                        return file_fail(error, -EINVAL, i, file_keys[f], "missing");

        /* The string is the reader's, valid UTF-8 without NUL; the package
         * rules say the rest. */
        if (package_check_path(sf->path, limits, &sub) < 0)
                return file_fail(error, -EINVAL, i, NULL, "path '%s': %s", sf->path, sub.text);
        /* package_check_path() takes "d/" as a directory's name; what the
         * seal lists are files. */
        plen = strlen(sf->path);
        if (sf->path[plen - 1] == '/')
                return file_fail(error, -EINVAL, i, NULL, "path '%s': names a directory, not a file", sf->path);
        if (i > 0 && strcmp(s->files[i - 1].path, sf->path) >= 0)
                return file_fail(error, -EINVAL, i, NULL, "files are not sorted by path, or '%s' is listed twice",
                                 sf->path);
        return 0;
}

static int read_files(permit_json_reader *r, seal *s, permit_error *error) {
        permit_package_limits limits;
        size_t cap = 0;
        int k;

        permit_package_limits_default(&limits);
        k = permit_json_reader_array_begin(r, NULL);
        if (k < 0)
                return k;
        while ((k = permit_json_reader_element(r, NULL)) > 0) {
                if (s->n_files == cap) {
                        size_t ncap = cap ? 2 * cap : 64;
                        seal_file *nf = realloc(s->files, ncap * sizeof(*nf));

                        if (!nf)
                                return -ENOMEM;
                        s->files = nf;
                        cap = ncap;
                }
                s->files[s->n_files] = (seal_file) { 0 };
                s->n_files++;
                k = read_file_entry(r, s, s->n_files - 1, &limits, error);
                if (k < 0)
                        return k;
        }
        return k;
}

/* "public_key": a minisign public key whose id is the seal's key_id. */
static int parse_public_key(const char *text, seal *s, permit_error *error) {
        permit_pubkey *pk = NULL;
        permit_error e = { 0 };

        if (permit_pubkey_from_string(text, &pk, &e) < 0)
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
        if (!streq(s->public_key, text))
                return permit_error_set(error, -EINVAL, "public_key", "not in minisign's form");
        return 0;
}

enum {
        SEAL_FORMAT,
        SEAL_HASH,
        SEAL_KEY_ID,
        SEAL_PUBLIC_KEY,
        SEAL_SIGNED_AT,
        SEAL_MANIFEST,
        SEAL_FILES,
        SEAL_SIGNATURE,
        _SEAL_KEYS,
};

static int read_seal(permit_json_reader *r, seal *s, permit_error *error) {
        static const char *const top_keys[_SEAL_KEYS] = {
                [SEAL_FORMAT] = "format",         [SEAL_HASH] = "hash",     [SEAL_KEY_ID] = "key_id",
                [SEAL_PUBLIC_KEY] = "public_key", [SEAL_SIGNED_AT] = "signed_at", [SEAL_MANIFEST] = "manifest",
                [SEAL_FILES] = "files",           [SEAL_SIGNATURE] = "signature",
        };
        _cleanup_free_ char *public_key = NULL;
        uint32_t seen = 0;
        char key[16];
        int k;

        k = permit_json_reader_object_begin(r, NULL);
        if (k < 0)
                return k;
        while ((k = permit_json_reader_field(r, key, sizeof(key), NULL, NULL)) > 0) {
                _cleanup_free_ char *text = NULL;
                int64_t v;
                size_t n = 0;

                k = permit_json_reader_key_index(r, key, top_keys, _SEAL_KEYS, &seen);
                if (k < 0)
                        return k;
                switch (k) {
                case SEAL_FORMAT:
                        k = permit_json_reader_int(r, INT64_MIN, INT64_MAX, &v, NULL);
                        if (k == 0 && v != PERMIT_SEAL_FORMAT)
                                return permit_error_set(error, -EINVAL, "format",
                                                        "unsupported seal format %" PRId64
                                                        " (this permit reads format %d)", v, PERMIT_SEAL_FORMAT);
                        break;
                case SEAL_HASH:
                        k = permit_json_reader_string(r, &text, NULL);
                        if (k == 0 && !streq(text, PERMIT_HASH_NAME))
                                return permit_error_set(error, -EINVAL, "hash", "unsupported hash '%s'", text);
                        break;
                case SEAL_KEY_ID:
                        k = permit_json_reader_string(r, &text, NULL);
                        if (k == 0 && key_id_parse(text, s->key_id) < 0)
                                return permit_error_set(error, -EINVAL, "key_id", "must be 16 hex digits");
                        break;
                case SEAL_PUBLIC_KEY:
                        k = permit_json_reader_string(r, &public_key, NULL);
                        break;
                case SEAL_SIGNED_AT:
                        k = permit_json_reader_int(r, INT64_MIN, INT64_MAX, &s->signed_at, NULL);
                        if (k == 0 && s->signed_at <= 0)
                                return permit_error_set(error, -EINVAL, "signed_at", "must be a positive time");
                        break;
                case SEAL_MANIFEST:
                        k = read_hex(r, s->manifest, PERMIT_DIGEST_SIZE, "manifest", error);
                        break;
                case SEAL_FILES:
                        k = read_files(r, s, error);
                        break;
                default:
                        k = permit_json_reader_string(r, &text, NULL);
                        if (k == 0) {
                                n = strlen(text);
                                if (permit_unbase64(s->signature, PERMIT_SIGNATURE_SIZE, text, n) < 0)
                                        return permit_error_set(error, -EINVAL, "signature",
                                                                "must be a base64 Ed25519 signature");
                        }
                        break;
                }
                if (k < 0)
                        return k;
        }
        if (k < 0)
                return k;
        k = permit_json_reader_end(r);
        if (k < 0)
                return k;

        static const unsigned required[] = { SEAL_FORMAT,   SEAL_HASH,      SEAL_KEY_ID, SEAL_SIGNED_AT,
                                             SEAL_MANIFEST, SEAL_SIGNATURE, SEAL_FILES };
        for (size_t i = 0; i < sizeof(required) / sizeof(*required); i++)
                if (!(seen & (UINT32_C(1) << required[i])))
                        return permit_error_set(error, -EINVAL, top_keys[required[i]], "missing");
        if (public_key)
                return parse_public_key(public_key, s, error);
        return 0;
}

int seal_parse(const char *buf, size_t len, seal **ret, permit_error *error) {
        permit_json_reader reader;
        seal *s = NULL;
        int r;

        if (len > PERMIT_SEAL_MAX_SIZE)
                return permit_error_set(error, -EFBIG, NULL, "seal larger than %d bytes", PERMIT_SEAL_MAX_SIZE);
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        permit_json_reader_init(&reader, buf, len, error);
        r = read_seal(&reader, s, error);
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
