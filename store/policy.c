/* SPDX-License-Identifier: MIT */
/* The host's policy: capabilities it forbids and caps on limits
 * (permit/policy.h, doc/store.md, schemas/policy.schema.json). */
#include "fileio-private.h"
#include "json-private.h"
#include "manifest-private.h"
#include "permit/policy.h"
#include "store-private.h"

#define POLICY_MAX_DENY 1024

struct permit_policy {
        size_t n_deny;
        char **deny;
        permit_limits limits;
};

static const char *const policy_keys[] = { "version", "deny", "limits" };
static const char *const limit_keys[] = { "memory_mb", "cpu_seconds", "processes", "open_files", "wall_seconds" };

_public_ void permit_policy_free(permit_policy *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n_deny; i++)
                free(p->deny[i]);
        free(p->deny);
        free(p);
}

static int parse_deny(permit_policy *p, const json_t *deny, permit_error *error) {
        size_t i;
        const json_t *v;

        if (!json_is_array(deny))
                return permit_error_set(error, -EINVAL, "deny", "must be an array");
        if (json_array_size(deny) > POLICY_MAX_DENY)
                return permit_error_set(error, -EINVAL, "deny", "more than %d entries", POLICY_MAX_DENY);
        p->deny = calloc(json_array_size(deny) + 1, sizeof(char *));
        if (!p->deny)
                return -ENOMEM;
        json_array_foreach(deny, i, v) {
                char path[PERMIT_ERROR_PATH_LENGTH];
                permit_error e = { 0 };
                const char *s;

                permit_json_path_index(path, sizeof(path), "deny", i);
                if (!json_is_string(v))
                        return permit_error_set(error, -EINVAL, path, "must be a string");
                s = json_string_value(v);
                if (!strchr(s, ':') && permit_kind_known(s))
                        ; /* a bare kind: every capability of it */
                else if (permit_capability_check(s, &e) < 0)
                        return permit_error_set(error, -EINVAL, path, "%s", e.text);
                p->deny[p->n_deny] = strdup(s);
                if (!p->deny[p->n_deny])
                        return -ENOMEM;
                p->n_deny++;
        }
        return 0;
}

static int parse_limits(permit_policy *p, const json_t *limits, permit_error *error) {
        uint64_t *fields[] = { &p->limits.memory_mb, &p->limits.cpu_seconds, &p->limits.processes,
                               &p->limits.open_files, &p->limits.wall_seconds };
        int r;

        if (!json_is_object(limits))
                return permit_error_set(error, -EINVAL, "limits", "must be an object");
        r = check_keys(limits, "limits", limit_keys, ELEMENTSOF(limit_keys), error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(limit_keys); i++) {
                const json_t *v = json_object_get(limits, limit_keys[i]);
                char path[PERMIT_ERROR_PATH_LENGTH];

                if (!v)
                        continue;
                permit_json_path_key(path, sizeof(path), "limits", limit_keys[i]);
                if (!json_is_integer(v) || json_integer_value(v) < 1)
                        return permit_error_set(error, -EINVAL, path, "must be a positive integer");
                *fields[i] = (uint64_t) json_integer_value(v);
        }
        return 0;
}

_public_ int permit_policy_parse(const char *buf, size_t len, const char *source, permit_policy **ret,
                                 permit_error *error) {
        _cleanup_json_ json_t *root = NULL;
        permit_policy *p;
        const json_t *v;
        int r;

        if (!buf || !ret)
                return -EINVAL;
        if (len > PERMIT_POLICY_MAX_SIZE)
                return permit_error_set_at(error, -EFBIG, source, NULL, "larger than %d bytes",
                                           PERMIT_POLICY_MAX_SIZE);
        r = permit_json_parse(buf, len, &root, error);
        if (r >= 0)
                r = check_version(root, error);
        if (r >= 0)
                r = check_keys(root, NULL, policy_keys, ELEMENTSOF(policy_keys), error);
        if (r < 0)
                return permit_error_set_source(error, r, source);
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        if ((v = json_object_get(root, "deny")))
                r = parse_deny(p, v, error);
        if (r >= 0 && (v = json_object_get(root, "limits")))
                r = parse_limits(p, v, error);
        if (r < 0) {
                permit_policy_free(p);
                return permit_error_set_source(error, r, source);
        }
        *ret = p;
        return 0;
}

_public_ int permit_policy_load(const char *path, permit_policy **ret, permit_error *error) {
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        if (!path || !ret)
                return -EINVAL;
        r = permit_read_file(path, PERMIT_POLICY_MAX_SIZE, &buf, &len);
        if (r < 0)
                return permit_error_set_at(error, r, path, NULL, "%s",
                                           r == -EFBIG ? "file too large" : strerror(-r));
        return permit_policy_parse(buf, len, path, ret, error);
}

static size_t kind_length(const char *id) {
        const char *colon = strchr(id, ':');
        return colon ? (size_t) (colon - id) : strlen(id);
}

static bool same_kind(const char *a, const char *b) {
        size_t n = kind_length(a);
        return n == kind_length(b) && strncmp(a, b, n) == 0;
}

/* A bare kind forbids its capabilities, and any capability that would
 * include one of them: the kind's broadest form where it has one
 * ("fs.read:/", "net.connect:*"), and proc.exec:*, which includes all. */
static bool kind_denies(const char *kind, const char *capability) {
        static const char *const broadest[] = { "", ":/", ":*" };

        if (same_kind(kind, capability) || permit_capability_absorbs(capability, "proc.exec:*"))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(broadest); i++) {
                char c[160];
                if ((size_t) snprintf(c, sizeof(c), "%s%s", kind, broadest[i]) < sizeof(c) &&
                    permit_capability_check(c, NULL) >= 0 && permit_capability_absorbs(capability, c))
                        return true;
        }
        return false;
}

_public_ bool permit_policy_denies(const permit_policy *p, const char *capability) {
        if (!p || !capability)
                return false;
        for (size_t i = 0; i < p->n_deny; i++) {
                const char *d = p->deny[i];

                if (!strchr(d, ':')) { /* a bare kind (the parser checked it is one) */
                        if (kind_denies(d, capability))
                                return true;
                        continue;
                }
                /* An entry forbids what it includes (of its own kind: proc.exec:*
                 * denied must not deny everything) and what includes it. */
                if ((same_kind(d, capability) && permit_capability_absorbs(d, capability)) ||
                    permit_capability_absorbs(capability, d))
                        return true;
        }
        return false;
}

static const permit_limits no_limits;

_public_ const permit_limits *permit_policy_limits(const permit_policy *p) {
        return p ? &p->limits : &no_limits;
}
