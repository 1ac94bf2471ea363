/* SPDX-License-Identifier: MIT */
/* A registry's upload policy (schemas/registry-policy.schema.json). */
#include <inttypes.h>

#include "fileio-private.h"
#include "json-private.h"
#include "manifest/manifest-private.h"
#include "upload-policy-private.h"

#define POLICY_FORMAT 1
#define POLICY_MAX_SIZE (4 * 1024 * 1024)
#define POLICY_MAX_RULES 256
#define POLICY_MAX_KEYS 16

static const char *const top_keys[] = { "format", "publishers", "limits", "forbid", "review", "review_risk", NULL };
static const char *const publisher_keys[] = { "keys", NULL };
static const char *const limit_keys[] = { "max_size", "max_files", NULL };

_public_ void permit_upload_policy_free(permit_upload_policy *policy) {
        if (!policy)
                return;
        json_decref(policy->root);
        free(policy);
}

static int parse_publishers(json_t *publishers, permit_error *error) {
        const char *id;
        json_t *p;

        json_object_foreach(publishers, id, p) {
                char at[PERMIT_ERROR_PATH_LENGTH], kp[PERMIT_ERROR_PATH_LENGTH];
                json_t *keys = NULL;
                int r;

                permit_json_path_key(at, sizeof(at), "publishers", id);
                if (strlen(id) > 128 || !permit_addon_id_valid(id))
                        return permit_error_set(error, -EINVAL, at, "not a valid add-on id");
                if (!json_is_object(p))
                        return permit_error_set(error, -EINVAL, at, "must be an object");
                if ((r = permit_json_check_keys(p, publisher_keys, at, error)) < 0 ||
                    (r = permit_json_member(p, at, "keys", JSON_ARRAY, &keys, error)) < 0)
                        return r;
                permit_json_path_key(kp, sizeof(kp), at, "keys");
                if (json_array_size(keys) == 0 || json_array_size(keys) > POLICY_MAX_KEYS)
                        return permit_error_set(error, -EINVAL, kp, "must list 1 to %d keys", POLICY_MAX_KEYS);
                for (size_t i = 0; i < json_array_size(keys); i++) {
                        json_t *k = json_array_get(keys, i);
                        permit_pubkey *pk = NULL;
                        char ki[PERMIT_ERROR_PATH_LENGTH];

                        permit_json_path_index(ki, sizeof(ki), kp, i);
                        if (!json_is_string(k) || permit_pubkey_from_string(json_string_value(k), &pk, NULL) < 0)
                                return permit_error_set(error, -EINVAL, ki, "not a public key (RW...)");
                        permit_pubkey_free(pk);
                }
        }
        return 0;
}

static int parse_rules(json_t *root, const char *key, json_t **ret, permit_error *error) {
        json_t *list = json_object_get(root, key);

        *ret = NULL;
        if (!list)
                return 0;
        if (!json_is_array(list) || json_array_size(list) > POLICY_MAX_RULES)
                return permit_error_set(error, -EINVAL, key, "must be a list of at most %d capabilities",
                                        POLICY_MAX_RULES);
        for (size_t i = 0; i < json_array_size(list); i++) {
                json_t *c = json_array_get(list, i);
                char at[PERMIT_ERROR_PATH_LENGTH];
                permit_error sub = { 0 };
                cap parsed;

                permit_json_path_index(at, sizeof(at), key, i);
                if (!json_is_string(c))
                        return permit_error_set(error, -EINVAL, at, "must be a string");
                /* A bare kind stands for all of its capabilities, also for
                 * a kind that needs an argument: only an unknown kind is
                 * wrong there. */
                if (permit_cap_parse(json_string_value(c), &parsed, &sub) < 0 &&
                    (strchr(json_string_value(c), ':') || startswith(sub.text, "unknown kind")))
                        return permit_error_set(error, -EINVAL, at, "%s", sub.text);
        }
        *ret = list;
        return 0;
}

static int parse_limit(json_t *limits, const char *key, uint64_t *out, permit_error *error) {
        json_t *v = json_object_get(limits, key);
        char at[PERMIT_ERROR_PATH_LENGTH];

        if (!v)
                return 0;
        permit_json_path_key(at, sizeof(at), "limits", key);
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
                return permit_error_set(error, -EINVAL, at, "must be a positive integer");
        *out = (uint64_t) json_integer_value(v);
        return 0;
}

static int policy_from_json(json_t *root_in, permit_upload_policy **ret, permit_error *error) {
        _cleanup_json_ json_t *root = root_in;
        json_t *v = NULL;
        permit_upload_policy *p;
        int r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        permit_package_limits_default(&p->limits);
        p->review_risk = PERMIT_RISK_CRITICAL + 1; /* none */
        if ((r = permit_json_check_keys(root, top_keys, NULL, error)) < 0 ||
            (r = permit_json_member(root, NULL, "format", JSON_INTEGER, &v, error)) < 0)
                goto fail;
        if (json_integer_value(v) != POLICY_FORMAT) {
                r = permit_error_set(error, -EINVAL, "format", "unsupported policy format %" JSON_INTEGER_FORMAT,
                                     json_integer_value(v));
                goto fail;
        }
        if ((r = permit_json_member(root, NULL, "publishers", JSON_OBJECT, &p->publishers, error)) < 0 ||
            (r = parse_publishers(p->publishers, error)) < 0)
                goto fail;
        v = json_object_get(root, "limits");
        if (v) {
                if (!json_is_object(v)) {
                        r = permit_error_set(error, -EINVAL, "limits", "must be an object");
                        goto fail;
                }
                if ((r = permit_json_check_keys(v, limit_keys, "limits", error)) < 0 ||
                    (r = parse_limit(v, "max_size", &p->limits.max_total_size, error)) < 0 ||
                    (r = parse_limit(v, "max_files", &p->limits.max_files, error)) < 0)
                        goto fail;
        }
        if ((r = parse_rules(root, "forbid", &p->forbid, error)) < 0 ||
            (r = parse_rules(root, "review", &p->review, error)) < 0)
                goto fail;
        v = json_object_get(root, "review_risk");
        if (v) {
                bool ok = false;
                for (int k = PERMIT_RISK_LOW; k <= PERMIT_RISK_CRITICAL && !ok; k++)
                        if (json_is_string(v) && streq(json_string_value(v), permit_risk_name((permit_risk) k))) {
                                p->review_risk = k;
                                ok = true;
                        }
                if (!ok) {
                        r = permit_error_set(error, -EINVAL, "review_risk",
                                             "must be \"low\", \"medium\", \"high\" or \"critical\"");
                        goto fail;
                }
        }
        p->root = steal_pointer(&root);
        *ret = p;
        return 0;
fail:
        free(p);
        return r;
}

_public_ int permit_upload_policy_parse(const char *buf, size_t len, const char *source, permit_upload_policy **ret,
                                 permit_error *error) {
        json_t *root = NULL;
        int r;

        permit_error_clear(error);
        if (!buf || !ret)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        if (len > POLICY_MAX_SIZE)
                return permit_error_set_at(error, -EFBIG, source, NULL, "larger than %d bytes", POLICY_MAX_SIZE);
        r = permit_json_parse(buf, len, &root, error);
        if (r == 0)
                r = policy_from_json(root, ret, error);
        return permit_error_set_source(error, r, source);
}

_public_ int permit_upload_policy_load(const char *path, permit_upload_policy **ret, permit_error *error) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r;

        r = permit_read_file_for(path, POLICY_MAX_SIZE, "policy", &buf, &len, error);
        if (r < 0)
                return r;
        return permit_upload_policy_parse(buf, len, path, ret, error);
}

bool policy_rule_matches(const char *rule, const permit_capability *c) {
        const char *colon = strchr(rule, ':');

        if (!colon)
                return streq(rule, c->kind);
        return streq(rule, c->id);
}
