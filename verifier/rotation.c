/* SPDX-License-Identifier: MIT */
/* Key rotation statements (permit.rotation) and the update rule: which key
 * may seal an add-on whose key is pinned. */
#include <inttypes.h>
#include <sodium.h>

#include "encoding-private.h"
#include "fileio-private.h"
#include "index-private.h"
#include "json-private.h"
#include "manifest/manifest-private.h"
#include "permit/trust.h"
#include "seal-private.h"
#include "signer/keys-private.h"

#define ROTATION_FORMAT 1
#define ROTATION_DOMAIN "permit-rotation-v1\n"
#define ID_MAX 128

typedef struct statement {
        json_t *obj; /* borrowed from the file's root */
        uint8_t old_key_id[PERMIT_KEY_ID_SIZE];
        permit_pubkey *new_key;
        json_t *addons; /* array of ids, or NULL for "all" */
        uint8_t signature[PERMIT_SIGNATURE_SIZE];
} statement;

struct permit_rotation {
        json_t *root;
        statement *st;
        size_t n;
};

static const char *const top_keys[] = { "format", "statements", NULL };
static const char *const statement_keys[] = { "old_key_id", "new_key", "addons", "created", "signature", NULL };

_public_ void permit_rotation_free(permit_rotation *rot) {
        if (!rot)
                return;
        for (size_t i = 0; i < rot->n; i++)
                permit_pubkey_free(rot->st[i].new_key);
        free(rot->st);
        json_decref(rot->root);
        free(rot);
}

_public_ size_t permit_rotation_count(const permit_rotation *rot) {
        return rot ? rot->n : 0;
}

/* "permit-rotation-v1\n" + the canonical JSON of the statement without its
 * signature. */
static int statement_message(json_t *obj, char **ret, size_t *ret_len) {
        _cleanup_json_ json_t *copy = NULL;

        copy = json_copy(obj);
        if (!copy)
                return -ENOMEM;
        json_object_del(copy, "signature");
        return permit_json_signed_message(ROTATION_DOMAIN, copy, ret, ret_len);
}

static int parse_addons(json_t *v, const char *at, statement *st, permit_error *error) {
        char path[PERMIT_ERROR_PATH_LENGTH];

        permit_json_path_key(path, sizeof(path), at, "addons");
        if (json_is_string(v)) {
                if (!streq(json_string_value(v), "all"))
                        return permit_error_set(error, -EINVAL, path, "must be \"all\" or a list of add-on ids");
                st->addons = NULL;
                return 0;
        }
        if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > PERMIT_ROTATION_MAX_ADDONS)
                return permit_error_set(error, -EINVAL, path, "must be \"all\" or a list of 1 to %d add-on ids",
                                        PERMIT_ROTATION_MAX_ADDONS);
        for (size_t i = 0; i < json_array_size(v); i++) {
                json_t *id = json_array_get(v, i);
                if (!json_is_string(id) || json_string_length(id) > ID_MAX ||
                    !permit_addon_id_valid(json_string_value(id))) {
                        char p[PERMIT_ERROR_PATH_LENGTH];
                        permit_json_path_index(p, sizeof(p), path, i);
                        return permit_error_set(error, -EINVAL, p, "not a valid add-on id");
                }
        }
        st->addons = v;
        return 0;
}

static int parse_statement(json_t *obj, const char *at, statement *st, permit_error *error) {
        json_t *v = NULL;
        permit_error sub = { 0 };
        char path[PERMIT_ERROR_PATH_LENGTH];
        int r;

        if (!json_is_object(obj))
                return permit_error_set(error, -EINVAL, at, "must be an object");
        st->obj = obj;
        if ((r = permit_json_check_keys(obj, statement_keys, at, error)) < 0 ||
            (r = permit_json_member(obj, at, "old_key_id", JSON_STRING, &v, error)) < 0)
                return r;
        if (!index_key_id_valid(json_string_value(v)) || key_id_parse(json_string_value(v), st->old_key_id) < 0) {
                permit_json_path_key(path, sizeof(path), at, "old_key_id");
                return permit_error_set(error, -EINVAL, path, "must be 16 upper-case hex digits");
        }
        if ((r = permit_json_member(obj, at, "new_key", JSON_STRING, &v, error)) < 0)
                return r;
        if (permit_pubkey_from_string(json_string_value(v), &st->new_key, &sub) < 0) {
                permit_json_path_key(path, sizeof(path), at, "new_key");
                return permit_error_set(error, -EINVAL, path, "not a public key (RW...)");
        }
        if (memcmp(permit_pubkey_id(st->new_key), st->old_key_id, PERMIT_KEY_ID_SIZE) == 0) {
                permit_json_path_key(path, sizeof(path), at, "new_key");
                return permit_error_set(error, -EINVAL, path, "has the old key's id");
        }
        v = json_object_get(obj, "addons");
        if (!v) {
                permit_json_path_key(path, sizeof(path), at, "addons");
                return permit_error_set(error, -EINVAL, path, "missing");
        }
        if ((r = parse_addons(v, at, st, error)) < 0 ||
            (r = permit_json_member(obj, at, "created", JSON_INTEGER, &v, error)) < 0)
                return r;
        if (json_integer_value(v) <= 0) {
                permit_json_path_key(path, sizeof(path), at, "created");
                return permit_error_set(error, -EINVAL, path, "must be a positive time");
        }
        if ((r = permit_json_member(obj, at, "signature", JSON_STRING, &v, error)) < 0)
                return r;
        if (permit_unbase64(st->signature, PERMIT_SIGNATURE_SIZE, json_string_value(v), json_string_length(v)) < 0) {
                permit_json_path_key(path, sizeof(path), at, "signature");
                return permit_error_set(error, -EINVAL, path, "must be a base64 Ed25519 signature");
        }
        return 0;
}

static int rotation_from_json(json_t *root_in, permit_rotation **ret, permit_error *error) {
        _cleanup_json_ json_t *root = root_in;
        json_t *v = NULL, *list = NULL;
        permit_rotation *rot;
        size_t n;
        int r;

        if ((r = permit_json_check_keys(root, top_keys, NULL, error)) < 0 ||
            (r = permit_json_member(root, NULL, "format", JSON_INTEGER, &v, error)) < 0)
                return r;
        if (json_integer_value(v) != ROTATION_FORMAT)
                return permit_error_set(error, -EINVAL, "format", "unsupported rotation format %" JSON_INTEGER_FORMAT,
                                        json_integer_value(v));
        if ((r = permit_json_member(root, NULL, "statements", JSON_ARRAY, &list, error)) < 0)
                return r;
        n = json_array_size(list);
        if (n == 0 || n > PERMIT_ROTATION_MAX_STATEMENTS)
                return permit_error_set(error, -EINVAL, "statements", "must hold 1 to %d statements",
                                        PERMIT_ROTATION_MAX_STATEMENTS);
        rot = calloc(1, sizeof(*rot));
        if (!rot)
                return -ENOMEM;
        rot->st = calloc(n, sizeof(*rot->st));
        if (!rot->st) {
                free(rot);
                return -ENOMEM;
        }
        rot->root = steal_pointer(&root);
        for (size_t i = 0; i < n; i++) {
                char at[PERMIT_ERROR_PATH_LENGTH];

                permit_json_path_index(at, sizeof(at), "statements", i);
                rot->n = i + 1;
                r = parse_statement(json_array_get(list, i), at, &rot->st[i], error);
                if (r == 0 && i > 0 &&
                    memcmp(rot->st[i].old_key_id, permit_pubkey_id(rot->st[i - 1].new_key), PERMIT_KEY_ID_SIZE) != 0)
                        r = permit_error_set(error, -EINVAL, at,
                                             "old_key_id is not the previous statement's new key: not a chain");
                if (r < 0) {
                        permit_rotation_free(rot);
                        return r;
                }
        }
        *ret = rot;
        return 0;
}

_public_ int permit_rotation_parse(const char *buf, size_t len, const char *source, permit_rotation **ret,
                                   permit_error *error) {
        json_t *root = NULL;
        int r;

        permit_error_clear(error);
        if (!buf || !ret)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        if (len > PERMIT_ROTATION_MAX_SIZE)
                return permit_error_set_at(error, -EFBIG, source, NULL, "larger than %d bytes",
                                           PERMIT_ROTATION_MAX_SIZE);
        r = permit_json_parse(buf, len, &root, error);
        if (r == 0)
                r = rotation_from_json(root, ret, error);
        return permit_error_set_source(error, r, source);
}

_public_ int permit_rotation_load(const char *path, permit_rotation **ret, permit_error *error) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r;

        r = permit_read_file_for(path, PERMIT_ROTATION_MAX_SIZE, "rotation", &buf, &len, error);
        if (r < 0)
                return r;
        return permit_rotation_parse(buf, len, path, ret, error);
}

_public_ int permit_rotation_add(const permit_rotation *rot, const permit_seckey *old_sk,
                                 const permit_pubkey *new_pk, const char *const *addons, size_t n_addons,
                                 int64_t created, char **ret_text, size_t *ret_len, permit_error *error) {
        _cleanup_json_ json_t *root = NULL, *st = NULL, *list = NULL;
        _cleanup_free_ char *msg = NULL;
        permit_pubkey *old_pk = NULL;
        char old_id[PERMIT_KEY_ID_STRING_SIZE], new_key[PERMIT_PUBKEY_STRING_SIZE];
        char b64[sodium_base64_ENCODED_LEN(PERMIT_SIGNATURE_SIZE, sodium_base64_VARIANT_ORIGINAL)];
        uint8_t sig[PERMIT_SIGNATURE_SIZE];
        size_t len;
        int r;

        permit_error_clear(error);
        if (!old_sk || !new_pk || !ret_text || !ret_len || created <= 0 || (addons && n_addons == 0))
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        if (memcmp(permit_seckey_id(old_sk), permit_pubkey_id(new_pk), PERMIT_KEY_ID_SIZE) == 0)
                return permit_error_set(error, -EINVAL, NULL, "the new key has the old key's id");
        if (rot && rot->n >= PERMIT_ROTATION_MAX_STATEMENTS)
                return permit_error_set(error, -EINVAL, NULL, "the file already holds %d statements",
                                        PERMIT_ROTATION_MAX_STATEMENTS);
        if (rot && memcmp(permit_pubkey_id(rot->st[rot->n - 1].new_key), permit_seckey_id(old_sk),
                          PERMIT_KEY_ID_SIZE) != 0) {
                char last[PERMIT_KEY_ID_STRING_SIZE];
                permit_pubkey_id_string(rot->st[rot->n - 1].new_key, last);
                permit_key_id_format(permit_seckey_id(old_sk), old_id);
                return permit_error_set(error, -EKEYREJECTED, NULL,
                                        "the file's chain ends at key %s; a statement signed by key %s cannot "
                                        "extend it",
                                        last, old_id);
        }
        if (addons) {
                if (n_addons > PERMIT_ROTATION_MAX_ADDONS)
                        return permit_error_set(error, -EINVAL, "addons", "more than %d add-on ids",
                                                PERMIT_ROTATION_MAX_ADDONS);
                list = json_array();
                if (!list)
                        return -ENOMEM;
                for (size_t i = 0; i < n_addons; i++) {
                        if (!addons[i] || strlen(addons[i]) > ID_MAX || !permit_addon_id_valid(addons[i]))
                                return permit_error_set(error, -EINVAL, "addons", "not a valid add-on id: '%s'",
                                                        addons[i] ? addons[i] : "");
                        if (json_array_append_new(list, json_string(addons[i])) < 0)
                                return -ENOMEM;
                }
        } else {
                list = json_string("all");
                if (!list)
                        return -ENOMEM;
        }
        permit_key_id_format(permit_seckey_id(old_sk), old_id);
        permit_pubkey_string(new_pk, new_key);
        st = json_pack("{s:s, s:s, s:O, s:I}", "old_key_id", old_id, "new_key", new_key, "addons", list, "created",
                       (json_int_t) created);
        if (!st)
                return -ENOMEM;
        r = statement_message(st, &msg, &len);
        if (r < 0)
                return r;
        r = permit_seckey_sign(old_sk, msg, len, sig);
        if (r < 0)
                return r;
        /* Check what was made with the public half, as `permit sign` does. */
        r = permit_seckey_pubkey(old_sk, &old_pk);
        if (r < 0)
                return r;
        r = permit_pubkey_verify(old_pk, sig, msg, len);
        permit_pubkey_free(old_pk);
        if (r < 0)
                return permit_error_set(error, -EBADMSG, NULL, "the secret key does not sign as its public key");
        permit_base64(b64, sizeof(b64), sig, sizeof(sig));
        if (json_object_set_new(st, "signature", json_string(b64)) < 0)
                return -ENOMEM;

        if (rot) {
                root = json_deep_copy(rot->root);
                if (!root)
                        return -ENOMEM;
        } else {
                root = json_pack("{s:i, s:[]}", "format", ROTATION_FORMAT, "statements");
                if (!root)
                        return -ENOMEM;
        }
        if (json_array_append(json_object_get(root, "statements"), st) < 0)
                return -ENOMEM;
        return permit_json_dump_text(root, JSON_INDENT(2) | JSON_SORT_KEYS, ret_text, ret_len);
}

static bool statement_names(const statement *st, const char *addon_id) {
        if (!st->addons)
                return true;
        for (size_t i = 0; i < json_array_size(st->addons); i++)
                if (streq(json_string_value(json_array_get(st->addons, i)), addon_id))
                        return true;
        return false;
}

_public_ int permit_trust_check(const char *addon_id, const permit_pubkey *pinned, const char *seal_key_id,
                                const permit_rotation *rotation, permit_pubkey **ret_key, permit_error *error) {
        char pinned_id[PERMIT_KEY_ID_STRING_SIZE], cur_id[PERMIT_KEY_ID_STRING_SIZE];
        uint8_t seal_id[PERMIT_KEY_ID_SIZE];
        const permit_pubkey *cur = pinned;
        size_t i = 0;

        permit_error_clear(error);
        if (!addon_id || !pinned || !seal_key_id)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        if (!index_key_id_valid(seal_key_id) || key_id_parse(seal_key_id, seal_id) < 0)
                return permit_error_set(error, -EINVAL, NULL, "not a key id: '%.32s'", seal_key_id);
        permit_pubkey_id_string(pinned, pinned_id);

        if (memcmp(seal_id, permit_pubkey_id(pinned), PERMIT_KEY_ID_SIZE) != 0) {
                if (!rotation || rotation->n == 0)
                        return permit_error_set(error, -EKEYREJECTED, NULL,
                                                "sealed by key %s, but key %s is pinned for %s, and the package "
                                                "has no rotation statement",
                                                seal_key_id, pinned_id, addon_id);
                /* The chain may start before the pinned key (a user who
                 * installed after the first rotation): follow it from the
                 * first statement the pinned key made. */
                while (i < rotation->n &&
                       memcmp(rotation->st[i].old_key_id, permit_pubkey_id(pinned), PERMIT_KEY_ID_SIZE) != 0)
                        i++;
                if (i == rotation->n) {
                        char first[PERMIT_KEY_ID_STRING_SIZE];
                        permit_key_id_format(rotation->st[0].old_key_id, first);
                        return permit_error_set(error, -EKEYREJECTED, "statements[0]",
                                                "rotation statement signed by key %s, not by the pinned key %s",
                                                first, pinned_id);
                }
                for (; i < rotation->n; i++) {
                        const statement *st = &rotation->st[i];
                        _cleanup_free_ char *msg = NULL;
                        char at[48];
                        size_t len;
                        int r;

                        snprintf(at, sizeof(at), "statements[%zu]", i);
                        r = statement_message(st->obj, &msg, &len);
                        if (r < 0)
                                return permit_error_set(error, r, at, "%s", strerror(-r));
                        if (permit_pubkey_verify(cur, st->signature, msg, len) != 0) {
                                permit_pubkey_id_string(cur, cur_id);
                                return permit_error_set(error, -EBADMSG, at,
                                                        "rotation statement: signature by key %s is not valid",
                                                        cur_id);
                        }
                        if (!statement_names(st, addon_id))
                                return permit_error_set(error, -EKEYREJECTED, at,
                                                        "rotation statement does not name add-on %s", addon_id);
                        cur = st->new_key;
                        if (memcmp(permit_pubkey_id(cur), seal_id, PERMIT_KEY_ID_SIZE) == 0)
                                break;
                }
                if (memcmp(permit_pubkey_id(cur), seal_id, PERMIT_KEY_ID_SIZE) != 0) {
                        permit_pubkey_id_string(cur, cur_id);
                        return permit_error_set(error, -EKEYREJECTED, NULL,
                                                "rotation statement names key %s, but the package is sealed by key %s",
                                                cur_id, seal_key_id);
                }
        }
        if (ret_key) {
                char s[PERMIT_PUBKEY_STRING_SIZE];
                int r;

                permit_pubkey_string(cur, s);
                r = permit_pubkey_from_string(s, ret_key, NULL);
                if (r < 0)
                        return r;
        }
        return cur == pinned ? PERMIT_TRUST_PINNED : PERMIT_TRUST_ROTATED;
}

_public_ int permit_trust_verify_package(const char *package, const char *addon_id, const permit_pubkey *pinned,
                                         const permit_package_limits *limits, permit_package_info **ret_info,
                                         permit_pubkey **ret_key, permit_error *error) {
        permit_package_info *claimed = NULL, *info = NULL;
        permit_rotation *rot = NULL;
        permit_pubkey *key = NULL;
        const char *rot_bytes;
        size_t rot_len = 0;
        int r, trust;

        permit_error_clear(error);
        if (!package || !addon_id || !pinned)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        /* What the package claims, believed only as far as the pinned key
         * vouches for it below. */
        r = permit_package_inspect(package, limits, &claimed, error);
        if (r < 0)
                return r;
        if (!streq(permit_manifest_id(permit_package_info_manifest(claimed)), addon_id)) {
                r = permit_error_set_at(error, -EKEYREJECTED, package, "id", "the package is add-on '%s', not '%s'",
                                        permit_manifest_id(permit_package_info_manifest(claimed)), addon_id);
                goto out;
        }
        if (!permit_package_info_key_id(claimed)[0]) {
                r = permit_error_set_at(error, -ENOMSG, package, NULL, "not signed: no %s in the package",
                                        PERMIT_SEAL_NAME);
                goto out;
        }
        rot_bytes = permit_package_info_rotation(claimed, &rot_len);
        if (rot_bytes) {
                _cleanup_free_ char *src = NULL;
                if (asprintf(&src, "%s/%s", package, PERMIT_ROTATION_NAME) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
                r = permit_rotation_parse(rot_bytes, rot_len, src, &rot, error);
                if (r < 0)
                        goto out;
        }
        trust = permit_trust_check(addon_id, pinned, permit_package_info_key_id(claimed), rot, &key, error);
        if (trust < 0) {
                r = permit_error_set_source(error, trust, package);
                goto out;
        }
        r = permit_package_verify(key, package, limits, &info, error);
        if (r < 0)
                goto out;
        /* The seal covers permit.json: this is the id that counts. */
        if (!streq(permit_manifest_id(permit_package_info_manifest(info)), addon_id)) {
                r = permit_error_set_at(error, -EKEYREJECTED, package, "id", "the package is another add-on");
                goto out;
        }
        if (ret_info)
                *ret_info = steal_pointer(&info);
        if (ret_key)
                *ret_key = steal_pointer(&key);
        r = trust;
out:
        permit_package_info_free(claimed);
        permit_package_info_free(info);
        permit_pubkey_free(key);
        permit_rotation_free(rot);
        return r;
}
