/* SPDX-License-Identifier: MIT */
/* A host's vocabulary file: its host.NAME capabilities, each with the
 * warning and risk the host gives it (permit/host-vocabulary.h,
 * schemas/host-vocabulary.schema.json, doc/manifest.md). The file is read
 * strictly: a host's words reach the user's consent dialog, so a typo must
 * fail loudly rather than fall back to a generic warning. */
#include "fileio-private.h"
#include "json-private.h"
#include "manifest-private.h"
#include "permit/host-vocabulary.h"

#define HOST_VOCABULARY_VERSION 1

typedef struct host_entry {
        const char *id;      /* "host.store_data", points into root */
        const char *warning;
        permit_risk risk;
} host_entry;

struct permit_host_vocabulary {
        json_t *root; /* owns the strings */
        const char *host;
        size_t n;
        host_entry *entries;
};

static const char *const top_keys[] = { "version", "host", "capabilities", NULL };
static const char *const entry_keys[] = { "id", "warning", "risk", NULL };

_public_ void permit_host_vocabulary_free(permit_host_vocabulary *v) {
        if (!v)
                return;
        json_decref(v->root);
        free(v->entries);
        free(v);
}

/* A line of text a user reads: 1..max bytes of UTF-8, no control or
 * bidirectional characters (the manifest's rule for names and reasons). */
static int check_text(const json_t *s, const char *path, size_t max, permit_error *error) {
        size_t len = json_string_length(s);
        uint32_t cp;

        if (len == 0)
                return permit_error_set(error, -EINVAL, path, "must not be empty");
        if (len > max)
                return permit_error_set(error, -EINVAL, path, "too long (%zu bytes, at most %zu)", len, max);
        if (permit_text_check(json_string_value(s), len, &cp) < 0) {
                permit_error e = { 0 };

                permit_text_error(&e, cp);
                return permit_error_set(error, -EINVAL, path, "%s", e.text);
        }
        return 0;
}

static int parse_risk(const char *s, permit_risk *ret) {
        /* "none" is not a host's to give: a feature worth a capability is
         * worth a word of warning. */
        for (permit_risk r = PERMIT_RISK_LOW; r <= PERMIT_RISK_CRITICAL; r++)
                if (streq(s, permit_risk_name(r))) {
                        *ret = r;
                        return 0;
                }
        return -EINVAL;
}

static int parse_entry(permit_host_vocabulary *v, json_t *e, size_t i, permit_error *error) {
        char path[PERMIT_ERROR_PATH_LENGTH], field[PERMIT_ERROR_PATH_LENGTH], q[QUOTE_MAX * 4 + 8];
        permit_error pe = { 0 };
        host_entry *h = &v->entries[i];
        json_t *id, *warning, *risk;
        cap c;
        int r;

        permit_json_path_index(path, sizeof(path), "capabilities", i);
        if (!json_is_object(e))
                return permit_error_set(error, -EINVAL, path, "must be an object");
        r = permit_json_check_keys(e, entry_keys, path, error);
        if (r >= 0)
                r = permit_json_member(e, path, "id", JSON_STRING, &id, error);
        if (r >= 0)
                r = permit_json_member(e, path, "warning", JSON_STRING, &warning, error);
        if (r >= 0)
                r = permit_json_member(e, path, "risk", JSON_STRING, &risk, error);
        if (r < 0)
                return r;

        permit_json_path_key(field, sizeof(field), path, "id");
        h->id = json_string_value(id);
        if (!startswith(h->id, "host."))
                return permit_error_set(error, -EINVAL, field, "'%s' is not a host capability (host.NAME)",
                                        permit_quote(q, sizeof(q), h->id));
        if (strlen(h->id) != json_string_length(id) || permit_cap_parse(h->id, &c, &pe) < 0)
                return permit_error_set(error, -EINVAL, field, "%s", pe.text[0] ? pe.text : "contains NUL");
        if (c.argument)
                return permit_error_set(error, -EINVAL, field,
                                        "'%s' has an argument: the vocabulary names the feature, host.NAME",
                                        permit_quote(q, sizeof(q), h->id));
        for (size_t k = 0; k < i; k++)
                if (streq(v->entries[k].id, h->id))
                        return permit_error_set(error, -EINVAL, field, "duplicate of capabilities[%zu].id ('%s')",
                                                k, h->id);

        permit_json_path_key(field, sizeof(field), path, "warning");
        r = check_text(warning, field, PERMIT_HOST_WARNING_MAX, error);
        if (r < 0)
                return r;
        h->warning = json_string_value(warning);

        permit_json_path_key(field, sizeof(field), path, "risk");
        if (parse_risk(json_string_value(risk), &h->risk) < 0)
                return permit_error_set(error, -EINVAL, field, "unknown risk '%s' (low, medium, high or critical)",
                                        permit_quote(q, sizeof(q), json_string_value(risk)));
        return 0;
}

static int parse_root(permit_host_vocabulary *v, permit_error *error) {
        json_t *version, *host, *caps, *e;
        size_t i;
        int r;

        /* The version first: a file of another version is reported as such,
         * whatever else it holds. */
        r = permit_json_member(v->root, NULL, "version", JSON_INTEGER, &version, error);
        if (r < 0)
                return r;
        if (json_integer_value(version) != HOST_VOCABULARY_VERSION)
                return permit_error_set(error, -EPROTONOSUPPORT, "version",
                                        "unknown version %" JSON_INTEGER_FORMAT " (this permit reads version %d)",
                                        json_integer_value(version), HOST_VOCABULARY_VERSION);
        r = permit_json_check_keys(v->root, top_keys, NULL, error);
        if (r >= 0)
                r = permit_json_member(v->root, NULL, "host", JSON_STRING, &host, error);
        if (r >= 0)
                r = check_text(host, "host", PERMIT_HOST_NAME_MAX, error);
        if (r >= 0)
                r = permit_json_member(v->root, NULL, "capabilities", JSON_ARRAY, &caps, error);
        if (r < 0)
                return r;
        v->host = json_string_value(host);
        if (json_array_size(caps) > PERMIT_HOST_VOCABULARY_MAX_CAPABILITIES)
                return permit_error_set(error, -EINVAL, "capabilities", "more than %d entries",
                                        PERMIT_HOST_VOCABULARY_MAX_CAPABILITIES);
        v->entries = calloc(json_array_size(caps) + 1, sizeof(*v->entries));
        if (!v->entries)
                return -ENOMEM;
        json_array_foreach(caps, i, e) {
                r = parse_entry(v, e, i, error);
                if (r < 0)
                        return r;
                v->n++;
        }
        return 0;
}

_public_ int permit_host_vocabulary_parse(const char *buf, size_t len, const char *source,
                                          permit_host_vocabulary **ret, permit_error *error) {
        permit_host_vocabulary *v;
        int r;

        if (!buf || !ret)
                return -EINVAL;
        if (len > PERMIT_HOST_VOCABULARY_MAX_SIZE)
                return permit_error_set_at(error, -EFBIG, source, NULL, "larger than %d bytes",
                                           PERMIT_HOST_VOCABULARY_MAX_SIZE);
        v = calloc(1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        r = permit_json_parse(buf, len, &v->root, error);
        if (r >= 0)
                r = parse_root(v, error);
        if (r < 0) {
                permit_host_vocabulary_free(v);
                return permit_error_set_source(error, r, source);
        }
        *ret = v;
        return 0;
}

_public_ int permit_host_vocabulary_load(const char *path, permit_host_vocabulary **ret, permit_error *error) {
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r;

        if (!path || !ret)
                return -EINVAL;
        r = permit_read_file_for(path, PERMIT_HOST_VOCABULARY_MAX_SIZE, "host vocabulary", &buf, &len, error);
        if (r < 0)
                return r;
        return permit_host_vocabulary_parse(buf, len, path, ret, error);
}

_public_ const char *permit_host_vocabulary_host(const permit_host_vocabulary *v) {
        return v ? v->host : NULL;
}

_public_ size_t permit_host_vocabulary_count(const permit_host_vocabulary *v) {
        return v ? v->n : 0;
}

_public_ int permit_host_vocabulary_get(const permit_host_vocabulary *v, size_t i, const char **ret_id,
                                        const char **ret_warning, permit_risk *ret_risk) {
        if (!v || i >= v->n)
                return -ENOENT;
        if (ret_id)
                *ret_id = v->entries[i].id;
        if (ret_warning)
                *ret_warning = v->entries[i].warning;
        if (ret_risk)
                *ret_risk = v->entries[i].risk;
        return 0;
}

static bool cap_is_host(const cap *c) {
        return startswith(c->name, "host.");
}

static const host_entry *lookup(const permit_host_vocabulary *v, const cap *c) {
        for (size_t i = 0; i < v->n; i++)
                if (streq(v->entries[i].id, c->name))
                        return &v->entries[i];
        return NULL;
}

bool host_vocabulary_cap_unknown(const permit_host_vocabulary *v, const cap *c) {
        return v && cap_is_host(c) && !lookup(v, c);
}

int host_vocabulary_cap_warning(const permit_host_vocabulary *v, const cap *c, char *buf, size_t size) {
        const host_entry *h;
        int k;

        if (!v || !cap_is_host(c))
                return permit_cap_warning(c, buf, size);
        if (!buf || size == 0)
                return -ENOBUFS;
        h = lookup(v, c);
        if (!h)
                k = snprintf(buf, size, "Use %s, which %s does not know (it cannot be granted)", c->name, v->host);
        else if (c->argument)
                k = snprintf(buf, size, "%s, %s", h->warning, c->argument);
        else
                k = snprintf(buf, size, "%s", h->warning);
        if (k < 0 || (size_t) k >= size)
                return -ENOBUFS;
        return (int) (h ? h->risk : PERMIT_RISK_NONE);
}

_public_ bool permit_host_vocabulary_unknown(const permit_host_vocabulary *v, const char *capability) {
        cap c;

        if (!v || !capability || permit_cap_parse(capability, &c, NULL) < 0)
                return false;
        return host_vocabulary_cap_unknown(v, &c);
}

_public_ int permit_host_vocabulary_warning(const permit_host_vocabulary *v, const char *capability, char *buf,
                                            size_t size) {
        cap c;
        int r;

        if (!capability)
                return -EINVAL;
        r = permit_cap_parse(capability, &c, NULL);
        if (r < 0)
                return r;
        return host_vocabulary_cap_warning(v, &c, buf, size);
}
