/* SPDX-License-Identifier: MIT */
/* Strict readers for the members of the store's JSON files: a wrong type, a
 * missing member or an unknown one is an error naming its JSON path. */
#include "json-private.h"
#include "store-private.h"

int json_set(json_t *obj, const char *key, json_t *value) {
        /* json_object_set_new() steals value even when it fails */
        return value && json_object_set_new(obj, key, value) == 0 ? 0 : -ENOMEM;
}

int check_keys(const json_t *obj, const char *parent, const char *const *keys, size_t n, permit_error *error) {
        const char *key;
        json_t *v;

        json_object_foreach((json_t *) obj, key, v) {
                bool known = false;
                for (size_t i = 0; i < n && !known; i++)
                        known = streq(key, keys[i]);
                if (!known) {
                        char path[PERMIT_ERROR_PATH_LENGTH];
                        permit_json_path_key(path, sizeof(path), parent, key);
                        return permit_error_set(error, -EINVAL, path, "unknown field");
                }
        }
        return 0;
}

static const json_t *member(const json_t *obj, const char *parent, const char *key, char *path, size_t size) {
        permit_json_path_key(path, size, parent, key);
        return json_object_get(obj, key);
}

int get_string(const json_t *obj, const char *parent, const char *key, bool required, const char **ret,
               permit_error *error) {
        char path[PERMIT_ERROR_PATH_LENGTH];
        const json_t *v = member(obj, parent, key, path, sizeof(path));

        if (!v) {
                if (required)
                        return permit_error_set(error, -EINVAL, parent, "missing field '%s'", key);
                *ret = NULL;
                return 0;
        }
        if (!json_is_string(v))
                return permit_error_set(error, -EINVAL, path, "must be a string");
        *ret = json_string_value(v);
        return 0;
}

int get_bool(const json_t *obj, const char *parent, const char *key, bool *ret, permit_error *error) {
        char path[PERMIT_ERROR_PATH_LENGTH];
        const json_t *v = member(obj, parent, key, path, sizeof(path));

        if (!v)
                return permit_error_set(error, -EINVAL, parent, "missing field '%s'", key);
        if (!json_is_boolean(v))
                return permit_error_set(error, -EINVAL, path, "must be true or false");
        *ret = json_is_true(v);
        return 0;
}

int get_time(const json_t *obj, const char *parent, const char *key, int64_t *ret, permit_error *error) {
        char path[PERMIT_ERROR_PATH_LENGTH];
        const json_t *v = member(obj, parent, key, path, sizeof(path));

        if (!v)
                return permit_error_set(error, -EINVAL, parent, "missing field '%s'", key);
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return permit_error_set(error, -EINVAL, path, "must be seconds since the epoch");
        *ret = (int64_t) json_integer_value(v);
        return 0;
}

int check_version(const json_t *root, permit_error *error) {
        const json_t *v = json_object_get(root, "version");

        if (!v)
                return permit_error_set(error, -EINVAL, NULL, "missing field 'version'");
        if (!json_is_integer(v))
                return permit_error_set(error, -EINVAL, "version", "must be an integer");
        if (json_integer_value(v) != STORE_FORMAT_VERSION)
                return permit_error_set(error, -EPROTONOSUPPORT, "version",
                                        "unknown version %" JSON_INTEGER_FORMAT " (this permit reads version %d)",
                                        json_integer_value(v), STORE_FORMAT_VERSION);
        return 0;
}
