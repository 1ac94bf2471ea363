/* SPDX-License-Identifier: MIT */
/* The registry index: strict parsing, the client's verification (signature,
 * rollback, freeze) and lookups. doc/registry.md is the format. */
#include <inttypes.h>
#include <sodium.h>

#include "encoding-private.h"
#include "json-private.h"
#include "manifest/manifest-private.h"
#include "index-private.h"
#include "signer/keys-private.h"

#define ID_MAX 128
#define KEY_B64_LEN 56
/* Past 2^53 a JSON integer is no longer exact everywhere. */
#define JSON_INT_MAX INT64_C(9007199254740992)

static const char *const top_keys[] = { "format", "registry", "version", "issued", "expires", "packages", "revoked",
                                        NULL };
static const char *const entry_keys[] = { "version", "size", "digest", "seal_digest", "key", "key_id", "path",
                                          "added", "countersignature", NULL };
static const char *const revoked_keys[] = { "keys", "packages", NULL };
static const char *const revoked_key_keys[] = { "key_id", "reason", "revoked_at", NULL };
static const char *const revoked_package_keys[] = { "seal_digest", "reason", "revoked_at", NULL };

bool index_name_valid(const char *name) {
        return strlen(name) <= PERMIT_REGISTRY_NAME_MAX && permit_addon_id_valid(name);
}

bool index_hex_digest_valid(const char *s) {
        size_t i;

        for (i = 0; s[i]; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return i == 2 * PERMIT_DIGEST_SIZE;
}

bool index_key_id_valid(const char *s) {
        size_t i;

        for (i = 0; s[i]; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F')))
                        return false;
        return i == 2 * PERMIT_KEY_ID_SIZE;
}

int index_reason_check(const char *reason, permit_error *error) {
        uint32_t cp;
        size_t len = strlen(reason);

        if (len == 0)
                return permit_error_set(error, -EINVAL, NULL, "empty reason");
        if (len > PERMIT_REASON_MAX)
                return permit_error_set(error, -EINVAL, NULL, "reason longer than %d bytes", PERMIT_REASON_MAX);
        if (permit_text_check(reason, len, &cp) < 0)
                return permit_error_set(error, -EINVAL, NULL,
                                        "not one line of plain text (U+%04" PRIX32 ")", cp);
        return 0;
}

/* An integer member in [min, JSON_INT_MAX]. */
static int get_int(json_t *obj, const char *parent, const char *key, int64_t min, int64_t *ret, permit_error *error) {
        json_t *v = NULL;
        int r = permit_json_member(obj, parent, key, JSON_INTEGER, &v, error);

        if (r < 0)
                return r;
        if (json_integer_value(v) < min || json_integer_value(v) > JSON_INT_MAX) {
                char path[PERMIT_ERROR_PATH_LENGTH];
                permit_json_path_key(path, sizeof(path), parent, key);
                return permit_error_set(error, -EINVAL, path, "must be an integer from %" PRId64 " to 2^53", min);
        }
        *ret = json_integer_value(v);
        return 0;
}

static int get_string(json_t *obj, const char *parent, const char *key, const char **ret, permit_error *error) {
        json_t *v = NULL;
        int r = permit_json_member(obj, parent, key, JSON_STRING, &v, error);

        if (r < 0)
                return r;
        *ret = json_string_value(v);
        return 0;
}

static int bad(permit_error *error, const char *parent, const char *key, const char *what, const char *value) {
        char path[PERMIT_ERROR_PATH_LENGTH], q[64 * 4 + 8];

        permit_json_path_key(path, sizeof(path), parent, key);
        return permit_error_set(error, -EINVAL, path, "%s: '%s'", what, permit_quote(q, sizeof(q), value));
}

/* One version of one add-on. */
static int check_entry(const char *id, json_t *e, const char *at, const char *prev_version, permit_error *error) {
        const char *version = NULL, *digest = NULL, *seal_digest = NULL, *key = NULL, *key_id = NULL, *path = NULL,
                   *cs = NULL;
        uint8_t raw[2 + PERMIT_KEY_ID_SIZE + 32], sig[PERMIT_SIGNATURE_SIZE];
        char id_string[PERMIT_KEY_ID_STRING_SIZE];
        int64_t size, added;
        int r;

        if (!json_is_object(e))
                return permit_error_set(error, -EINVAL, at, "must be an object");
        r = permit_json_check_keys(e, entry_keys, at, error);
        if (r < 0)
                return r;
        if ((r = get_string(e, at, "version", &version, error)) < 0 ||
            (r = get_int(e, at, "size", 0, &size, error)) < 0 ||
            (r = get_string(e, at, "digest", &digest, error)) < 0 ||
            (r = get_string(e, at, "seal_digest", &seal_digest, error)) < 0 ||
            (r = get_string(e, at, "key", &key, error)) < 0 || (r = get_string(e, at, "key_id", &key_id, error)) < 0 ||
            (r = get_string(e, at, "path", &path, error)) < 0 || (r = get_int(e, at, "added", 1, &added, error)) < 0 ||
            (r = get_string(e, at, "countersignature", &cs, error)) < 0)
                return r;

        if (strlen(version) > SEMVER_MAX || !permit_semver_valid(version))
                return bad(error, at, "version", "not a semantic version", version);
        if (prev_version && permit_semver_compare(prev_version, version) >= 0)
                return bad(error, at, "version", "versions must be listed lowest first, each once", version);
        if (!index_hex_digest_valid(digest))
                return bad(error, at, "digest", "must be 64 lower-case hex digits", digest);
        if (!index_hex_digest_valid(seal_digest))
                return bad(error, at, "seal_digest", "must be 64 lower-case hex digits", seal_digest);
        if (strlen(key) != KEY_B64_LEN || permit_unbase64(raw, sizeof(raw), key, KEY_B64_LEN) < 0 ||
            memcmp(raw, "Ed", 2) != 0)
                return bad(error, at, "key", "not a public key (RW...)", key);
        permit_key_id_format(raw + 2, id_string);
        if (!streq(key_id, id_string))
                return bad(error, at, "key_id", "is not the key's id", key_id);
        {
                /* The path is derived, never taken from the index: a client
                 * may join it to a URL but never to anything else. */
                size_t n = strlen("packages/") + strlen(id) + 1 + strlen(version) + strlen(".zip");
                if (strlen(path) != n || !startswith(path, "packages/") ||
                    strncmp(path + 9, id, strlen(id)) != 0 || path[9 + strlen(id)] != '/' ||
                    strncmp(path + 10 + strlen(id), version, strlen(version)) != 0 || !streq(path + n - 4, ".zip"))
                        return bad(error, at, "path", "must be packages/ID/VERSION.zip", path);
        }
        if (strlen(cs) != 88 || permit_unbase64(sig, sizeof(sig), cs, 88) < 0)
                return bad(error, at, "countersignature", "not a base64 Ed25519 signature", cs);
        return 0;
}

static int check_packages(json_t *packages, permit_error *error) {
        const char *id;
        json_t *versions;

        json_object_foreach(packages, id, versions) {
                char at[PERMIT_ERROR_PATH_LENGTH];
                const char *prev = NULL;

                permit_json_path_key(at, sizeof(at), "packages", id);
                if (strlen(id) > ID_MAX || !permit_addon_id_valid(id))
                        return permit_error_set(error, -EINVAL, at, "not a valid add-on id");
                if (!json_is_array(versions) || json_array_size(versions) == 0)
                        return permit_error_set(error, -EINVAL, at, "must be a non-empty array");
                for (size_t i = 0; i < json_array_size(versions); i++) {
                        char ei[PERMIT_ERROR_PATH_LENGTH];
                        json_t *e = json_array_get(versions, i);
                        int r;

                        permit_json_path_index(ei, sizeof(ei), at, i);
                        r = check_entry(id, e, ei, prev, error);
                        if (r < 0)
                                return r;
                        prev = json_string_value(json_object_get(e, "version"));
                }
        }
        return 0;
}

static int check_revoked_list(json_t *list, const char *at, bool keys, permit_error *error) {
        for (size_t i = 0; i < json_array_size(list); i++) {
                char ei[PERMIT_ERROR_PATH_LENGTH], rp[PERMIT_ERROR_PATH_LENGTH];
                permit_error sub = { 0 };
                json_t *e = json_array_get(list, i);
                const char *what = NULL, *reason = NULL;
                int64_t when;
                int r;

                permit_json_path_index(ei, sizeof(ei), at, i);
                if (!json_is_object(e))
                        return permit_error_set(error, -EINVAL, ei, "must be an object");
                r = permit_json_check_keys(e, keys ? revoked_key_keys : revoked_package_keys, ei, error);
                if (r == 0)
                        r = get_string(e, ei, keys ? "key_id" : "seal_digest", &what, error);
                if (r == 0)
                        r = get_string(e, ei, "reason", &reason, error);
                if (r == 0)
                        r = get_int(e, ei, "revoked_at", 1, &when, error);
                if (r < 0)
                        return r;
                if (keys ? !index_key_id_valid(what) : !index_hex_digest_valid(what))
                        return bad(error, ei, keys ? "key_id" : "seal_digest",
                                   keys ? "must be 16 upper-case hex digits" : "must be 64 lower-case hex digits",
                                   what);
                permit_json_path_key(rp, sizeof(rp), ei, "reason");
                r = index_reason_check(reason, &sub);
                if (r < 0)
                        return permit_error_set(error, r, rp, "%s", sub.text);
        }
        return 0;
}

static int compare_ids(const void *a, const void *b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

int index_refresh(permit_index *idx) {
        const char *id;
        json_t *v, *revoked;
        size_t i = 0;

        idx->packages = json_object_get(idx->root, "packages");
        revoked = json_object_get(idx->root, "revoked");
        idx->revoked_keys = json_object_get(revoked, "keys");
        idx->revoked_packages = json_object_get(revoked, "packages");
        idx->registry = json_string_value(json_object_get(idx->root, "registry"));
        idx->version = (uint64_t) json_integer_value(json_object_get(idx->root, "version"));
        idx->issued = json_integer_value(json_object_get(idx->root, "issued"));
        idx->expires = json_integer_value(json_object_get(idx->root, "expires"));

        free(idx->ids);
        idx->n_ids = json_object_size(idx->packages);
        idx->ids = calloc(idx->n_ids ? idx->n_ids : 1, sizeof(*idx->ids));
        if (!idx->ids)
                return -ENOMEM;
        json_object_foreach(idx->packages, id, v)
                idx->ids[i++] = id;
        qsort(idx->ids, idx->n_ids, sizeof(*idx->ids), compare_ids);
        return 0;
}

int index_from_json(json_t *root_in, permit_index **ret, permit_error *error) {
        _cleanup_json_ json_t *root = root_in;
        json_t *v = NULL, *revoked = NULL, *list = NULL;
        const char *name = NULL;
        int64_t n = 0, issued = 0, expires = 0;
        permit_index *idx;
        int r;

        if ((r = permit_json_check_keys(root, top_keys, NULL, error)) < 0 ||
            (r = get_int(root, NULL, "format", 0, &n, error)) < 0)
                return r;
        if (n != PERMIT_INDEX_FORMAT)
                return permit_error_set(error, -EINVAL, "format",
                                        "unsupported index format %" PRId64 " (this permit reads format %d)", n,
                                        PERMIT_INDEX_FORMAT);
        if ((r = get_string(root, NULL, "registry", &name, error)) < 0)
                return r;
        if (!index_name_valid(name))
                return bad(error, NULL, "registry", "not a valid registry name", name);
        if ((r = get_int(root, NULL, "version", 1, &n, error)) < 0 ||
            (r = get_int(root, NULL, "issued", 1, &issued, error)) < 0 ||
            (r = get_int(root, NULL, "expires", 1, &expires, error)) < 0)
                return r;
        if (expires <= issued)
                return permit_error_set(error, -EINVAL, "expires", "must be later than issued");
        if ((r = permit_json_member(root, NULL, "packages", JSON_OBJECT, &v, error)) < 0 ||
            (r = check_packages(v, error)) < 0)
                return r;
        if ((r = permit_json_member(root, NULL, "revoked", JSON_OBJECT, &revoked, error)) < 0 ||
            (r = permit_json_check_keys(revoked, revoked_keys, "revoked", error)) < 0 ||
            (r = permit_json_member(revoked, "revoked", "keys", JSON_ARRAY, &list, error)) < 0 ||
            (r = check_revoked_list(list, "revoked.keys", true, error)) < 0 ||
            (r = permit_json_member(revoked, "revoked", "packages", JSON_ARRAY, &list, error)) < 0 ||
            (r = check_revoked_list(list, "revoked.packages", false, error)) < 0)
                return r;

        idx = calloc(1, sizeof(*idx));
        if (!idx)
                return -ENOMEM;
        idx->root = steal_pointer(&root);
        r = index_refresh(idx);
        if (r < 0) {
                permit_index_free(idx);
                return r;
        }
        *ret = idx;
        return 0;
}

_public_ int permit_index_parse(const void *data, size_t len, permit_index **ret, permit_error *error) {
        json_t *root = NULL;
        int r;

        if (!data || !ret)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        if (len > PERMIT_INDEX_MAX_SIZE)
                return permit_error_set(error, -EFBIG, NULL, "index larger than %d bytes", PERMIT_INDEX_MAX_SIZE);
        r = permit_json_parse(data, len, &root, error);
        if (r < 0)
                return r;
        return index_from_json(root, ret, error);
}

_public_ int permit_index_verify(const void *data, size_t len, const void *sig, size_t sig_len,
                                 const permit_pubkey *registry_key, uint64_t last_version, int64_t now,
                                 permit_index **ret, permit_error *error) {
        permit_index *idx = NULL;
        int r;

        permit_error_clear(error);
        if (!data || !sig || !registry_key || !ret)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        if (len > PERMIT_INDEX_MAX_SIZE)
                return permit_error_set_at(error, -EFBIG, PERMIT_INDEX_NAME, NULL, "larger than %d bytes",
                                           PERMIT_INDEX_MAX_SIZE);
        if (sig_len > PERMIT_INDEX_SIG_MAX_SIZE)
                return permit_error_set_at(error, -EFBIG, PERMIT_INDEX_SIG_NAME, NULL, "larger than %d bytes",
                                           PERMIT_INDEX_SIG_MAX_SIZE);
        /* Nothing of the index is read before its signature checks out. */
        r = permit_minisig_verify_buffer(registry_key, data, len, sig, sig_len, NULL, error);
        if (r < 0)
                return permit_error_set_source(error, r, PERMIT_INDEX_SIG_NAME);
        r = permit_index_parse(data, len, &idx, error);
        if (r < 0)
                return permit_error_set_source(error, r, PERMIT_INDEX_NAME);
        if (idx->version < last_version) {
                r = permit_error_set_at(error, -ESTALE, PERMIT_INDEX_NAME, "version",
                                        "rollback: version %" PRIu64 " is older than version %" PRIu64
                                        " already seen",
                                        idx->version, last_version);
                goto fail;
        }
        if (now >= idx->expires) {
                r = permit_error_set_at(error, -ETIME, PERMIT_INDEX_NAME, "expires",
                                        "expired %" PRId64 " seconds ago (at %" PRId64
                                        "): the registry may be frozen",
                                        now - idx->expires, idx->expires);
                goto fail;
        }
        *ret = idx;
        return 0;
fail:
        permit_index_free(idx);
        return r;
}

_public_ void permit_index_free(permit_index *idx) {
        if (!idx)
                return;
        json_decref(idx->root);
        free(idx->ids);
        free(idx);
}

_public_ const char *permit_index_registry(const permit_index *idx) {
        return idx ? idx->registry : NULL;
}

_public_ uint64_t permit_index_version(const permit_index *idx) {
        return idx ? idx->version : 0;
}

_public_ int64_t permit_index_issued(const permit_index *idx) {
        return idx ? idx->issued : 0;
}

_public_ int64_t permit_index_expires(const permit_index *idx) {
        return idx ? idx->expires : 0;
}

_public_ size_t permit_index_n_packages(const permit_index *idx) {
        return idx ? idx->n_ids : 0;
}

_public_ const char *permit_index_package_id(const permit_index *idx, size_t i) {
        return idx && i < idx->n_ids ? idx->ids[i] : NULL;
}

void index_entry_fill(const char *id, json_t *e, permit_index_entry *ret) {
        *ret = (permit_index_entry) {
                .id = id,
                .version = json_string_value(json_object_get(e, "version")),
                .size = (uint64_t) json_integer_value(json_object_get(e, "size")),
                .digest = json_string_value(json_object_get(e, "digest")),
                .seal_digest = json_string_value(json_object_get(e, "seal_digest")),
                .key = json_string_value(json_object_get(e, "key")),
                .key_id = json_string_value(json_object_get(e, "key_id")),
                .path = json_string_value(json_object_get(e, "path")),
                .added = json_integer_value(json_object_get(e, "added")),
                .countersignature = json_string_value(json_object_get(e, "countersignature")),
        };
}

/* The id as the index holds it (its key string), and its versions. */
static json_t *versions_of(const permit_index *idx, const char *id, const char **ret_id) {
        json_t *versions;
        void *iter;

        if (!idx || !id)
                return NULL;
        iter = json_object_iter_at(idx->packages, id);
        if (!iter)
                return NULL;
        versions = json_object_iter_value(iter);
        *ret_id = json_object_iter_key(iter);
        return versions;
}

_public_ size_t permit_index_n_versions(const permit_index *idx, const char *id) {
        const char *key;
        return json_array_size(versions_of(idx, id, &key));
}

_public_ int permit_index_version_at(const permit_index *idx, const char *id, size_t i, permit_index_entry *ret) {
        const char *key = NULL;
        json_t *versions = versions_of(idx, id, &key);

        if (!ret)
                return -EINVAL;
        if (!versions || i >= json_array_size(versions))
                return -ENOENT;
        index_entry_fill(key, json_array_get(versions, i), ret);
        return 0;
}

_public_ int permit_index_find(const permit_index *idx, const char *id, const char *version,
                               permit_index_entry *ret) {
        const char *key = NULL;
        json_t *versions = versions_of(idx, id, &key);
        size_t n = json_array_size(versions);

        if (!ret)
                return -EINVAL;
        if (!versions)
                return -ENOENT;
        if (!version) {
                index_entry_fill(key, json_array_get(versions, n - 1), ret);
                return 0;
        }
        for (size_t i = 0; i < n; i++) {
                json_t *e = json_array_get(versions, i);
                if (streq(json_string_value(json_object_get(e, "version")), version)) {
                        index_entry_fill(key, e, ret);
                        return 0;
                }
        }
        return -ENOENT;
}

/* A revocation list is short and read once per package: a scan is enough. */
static bool revoked_in(json_t *list, const char *field, const char *value, bool upper, const char **ret_reason) {
        char norm[2 * PERMIT_DIGEST_SIZE + 1];
        size_t len;

        if (!value || (len = strlen(value)) >= sizeof(norm))
                return false;
        for (size_t i = 0; i <= len; i++)
                norm[i] = (char) (upper ? (value[i] >= 'a' && value[i] <= 'f' ? value[i] - 32 : value[i])
                                        : (value[i] >= 'A' && value[i] <= 'F' ? value[i] + 32 : value[i]));
        for (size_t i = 0; i < json_array_size(list); i++) {
                json_t *e = json_array_get(list, i);
                if (streq(json_string_value(json_object_get(e, field)), norm)) {
                        if (ret_reason)
                                *ret_reason = json_string_value(json_object_get(e, "reason"));
                        return true;
                }
        }
        return false;
}

_public_ bool permit_index_key_revoked(const permit_index *idx, const char *key_id, const char **ret_reason) {
        return idx && revoked_in(idx->revoked_keys, "key_id", key_id, true, ret_reason);
}

_public_ bool permit_index_digest_revoked(const permit_index *idx, const char *seal_digest, const char **ret_reason) {
        return idx && revoked_in(idx->revoked_packages, "seal_digest", seal_digest, false, ret_reason);
}

_public_ bool permit_index_entry_revoked(const permit_index *idx, const permit_index_entry *e,
                                         const char **ret_reason) {
        return e && (permit_index_key_revoked(idx, e->key_id, ret_reason) ||
                     permit_index_digest_revoked(idx, e->seal_digest, ret_reason));
}

_public_ int permit_index_check_package(const permit_index *idx, const permit_pubkey *registry_key,
                                        const permit_package_info *info, const char *expected_id,
                                        permit_index_entry *ret, permit_error *error) {
        const permit_manifest *m = permit_package_info_manifest(info);
        permit_index_entry e;
        permit_error sub = { 0 };
        const char *reason = NULL;
        int r;

        permit_error_clear(error);
        if (!idx || !registry_key || !m || !permit_package_info_verified(info))
                return permit_error_set(error, -EINVAL, NULL, "no index, key or verified package given");
        if (expected_id && !streq(expected_id, permit_manifest_id(m)))
                return permit_error_set(error, -EKEYREJECTED, NULL,
                                        "the package is add-on '%s', not '%s' as requested", permit_manifest_id(m),
                                        expected_id);
        r = permit_index_find(idx, permit_manifest_id(m), permit_manifest_version(m), &e);
        if (r < 0)
                return permit_error_set(error, -ENOENT, NULL, "%s %s is not in the registry's index",
                                        permit_manifest_id(m), permit_manifest_version(m));
        if (!streq(e.seal_digest, permit_package_info_seal_digest(info)))
                return permit_error_set(error, -EBADMSG, NULL, "%s %s: seal digest differs from the index's",
                                        e.id, e.version);
        if (!streq(e.key_id, permit_package_info_key_id(info)))
                return permit_error_set(error, -EKEYREJECTED, NULL, "%s %s: sealed by key %s, the index lists %s",
                                        e.id, e.version, permit_package_info_key_id(info), e.key_id);
        r = permit_countersign_verify(registry_key, e.id, e.version, e.seal_digest, e.countersignature, &sub);
        if (r < 0)
                return permit_error_set(error, r, NULL, "%s %s: countersignature: %s", e.id, e.version, sub.text);
        if (permit_index_key_revoked(idx, e.key_id, &reason))
                return permit_error_set(error, -EKEYREVOKED, NULL, "%s %s: key %s is revoked: %s", e.id, e.version,
                                        e.key_id, reason);
        if (permit_index_digest_revoked(idx, e.seal_digest, &reason))
                return permit_error_set(error, -EKEYREVOKED, NULL, "%s %s: package is revoked: %s", e.id,
                                        e.version, reason);
        if (ret)
                *ret = e;
        return 0;
}

int index_dump(const permit_index *idx, char **ret, size_t *ret_len) {
        char *text, *t;
        size_t len;

        text = json_dumps(idx->root, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text)
                return -ENOMEM;
        len = strlen(text);
        t = realloc(text, len + 2);
        if (!t) {
                free(text);
                return -ENOMEM;
        }
        t[len++] = '\n';
        t[len] = '\0';
        *ret = t;
        *ret_len = len;
        return 0;
}
