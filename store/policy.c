/* SPDX-License-Identifier: MIT */
/* The host's policy: capabilities it forbids and caps on limits
 * (permit/policy.h, doc/store.md, schemas/policy.schema.json). */
#include "fileio-private.h"
#include "json-private.h"
#include "manifest-private.h"
#include "permit/policy.h"
#include "store-private.h"

#define POLICY_MAX_DENY 1024
#define POLICY_EXPIRE_DAYS_MAX 36500
/* PERMIT_LANDLOCK_ABI_MAX of permit/enforcer.h, which the store does not include. */
#define POLICY_LANDLOCK_ABI_MAX 7

/* A deny entry; for a bare kind also its broadest valid forms, found once
 * here rather than for every capability checked. */
typedef struct deny_entry {
        char *id;
        bool bare;
        size_t n_broad;
        char *broad[3];
        /* The same, parsed once: permit_policy_denies() runs for every
         * capability of every add-on a host starts. */
        cap id_cap, broad_cap[3];
        bool id_parsed;
} deny_entry;

struct permit_policy {
        size_t n_deny;
        deny_entry *deny;
        permit_limits limits;
        bool require_full;
        unsigned landlock_abi_max;
        unsigned expire_unused_days;
};

static const char *const policy_keys[] = { "version", "deny", "limits", "require_full_enforcement",
                                           "landlock_abi_max", "expire_unused_days" };
static const char *const limit_keys[] = { "memory_mb", "cpu_seconds", "processes", "open_files", "wall_seconds" };

_public_ void permit_policy_free(permit_policy *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n_deny; i++) {
                free(p->deny[i].id);
                for (size_t k = 0; k < p->deny[i].n_broad; k++)
                        free(p->deny[i].broad[k]);
        }
        free(p->deny);
        free(p);
}

/* A bare kind forbids its capabilities, and any capability that would
 * include one of them: the kind's broadest forms ("fs.read:/",
 * "net.connect:*", the bare kind itself where it takes no argument), and
 * proc.exec:*, which includes everything. */
static int deny_entry_init(deny_entry *d, const char *s) {
        static const char *const broadest[] = { "", ":/", ":*" };

        d->id = strdup(s);
        if (!d->id)
                return -ENOMEM;
        d->bare = !strchr(s, ':');
        for (size_t i = 0; d->bare && i < ELEMENTSOF(broadest); i++) {
                char *c;
                if (asprintf(&c, "%s%s", s, broadest[i]) < 0)
                        return -ENOMEM;
                if (permit_capability_check(c, NULL) < 0) {
                        free(c);
                        continue;
                }
                d->broad[d->n_broad] = c;
                if (permit_cap_parse(c, &d->broad_cap[d->n_broad], NULL) < 0)
                        return -EINVAL; /* cannot be: checked just above */
                d->n_broad++;
        }
        d->id_parsed = permit_cap_parse(d->id, &d->id_cap, NULL) >= 0;
        return 0;
}

static int parse_deny(permit_policy *p, const json_t *deny, permit_error *error) {
        size_t i;
        int r;
        const json_t *v;

        if (!json_is_array(deny))
                return permit_error_set(error, -EINVAL, "deny", "must be an array");
        if (json_array_size(deny) > POLICY_MAX_DENY)
                return permit_error_set(error, -EINVAL, "deny", "more than %d entries", POLICY_MAX_DENY);
        p->deny = calloc(json_array_size(deny) + 1, sizeof(*p->deny));
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
                r = deny_entry_init(&p->deny[p->n_deny], s);
                p->n_deny++;
                if (r < 0)
                        return r;
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
        if (r >= 0 && (v = json_object_get(root, "require_full_enforcement"))) {
                if (json_is_boolean(v))
                        p->require_full = json_is_true(v);
                else
                        r = permit_error_set(error, -EINVAL, "require_full_enforcement", "must be true or false");
        }
        /* Landlock ABIs are 1..7; "none" is not a policy a host would want
         * (it only weakens), so 0 is refused rather than read as "no cap". */
        if (r >= 0 && (v = json_object_get(root, "landlock_abi_max"))) {
                if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= POLICY_LANDLOCK_ABI_MAX)
                        p->landlock_abi_max = (unsigned) json_integer_value(v);
                else
                        r = permit_error_set(error, -EINVAL, "landlock_abi_max", "must be an integer from 1 to %d",
                                             POLICY_LANDLOCK_ABI_MAX);
        }
        if (r >= 0 && (v = json_object_get(root, "expire_unused_days"))) {
                if (json_is_integer(v) && json_integer_value(v) >= 1 &&
                    json_integer_value(v) <= POLICY_EXPIRE_DAYS_MAX)
                        p->expire_unused_days = (unsigned) json_integer_value(v);
                else
                        r = permit_error_set(error, -EINVAL, "expire_unused_days", "must be an integer from 1 to %d",
                                             POLICY_EXPIRE_DAYS_MAX);
        }
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

_public_ bool permit_policy_denies(const permit_policy *p, const char *capability) {
        cap c;
        bool parsed;

        if (!p || !capability || p->n_deny == 0)
                return false;
        /* permit_capability_absorbs() of a capability that does not parse is
         * false: so is every absorbs test below then. */
        parsed = permit_cap_parse(capability, &c, NULL) >= 0;
        for (size_t i = 0; i < p->n_deny; i++) {
                const deny_entry *d = &p->deny[i];

                if (d->bare) {
                        /* only proc.exec:* itself includes proc.exec:* */
                        if (same_kind(d->id, capability) || streq(capability, "proc.exec:*"))
                                return true;
                        for (size_t k = 0; parsed && k < d->n_broad; k++)
                                if (permit_cap_absorbs(&c, &d->broad_cap[k]))
                                        return true;
                        continue;
                }
                /* An entry forbids what it includes (of its own kind: proc.exec:*
                 * denied must not deny everything) and what includes it. */
                if (!parsed || !d->id_parsed)
                        continue;
                if ((same_kind(d->id, capability) && permit_cap_absorbs(&d->id_cap, &c)) ||
                    permit_cap_absorbs(&c, &d->id_cap))
                        return true;
        }
        return false;
}

static const permit_limits no_limits;

_public_ const permit_limits *permit_policy_limits(const permit_policy *p) {
        return p ? &p->limits : &no_limits;
}

_public_ bool permit_policy_require_full(const permit_policy *p) {
        return p && p->require_full;
}

_public_ unsigned permit_policy_landlock_abi_max(const permit_policy *p) {
        return p ? p->landlock_abi_max : 0;
}

_public_ unsigned permit_policy_expire_unused_days(const permit_policy *p) {
        return p ? p->expire_unused_days : 0;
}
