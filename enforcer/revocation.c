/* SPDX-License-Identifier: MIT */
/* Revocations at start-up: a package checked against the registry indexes
 * the client kept in the profile (permit_revocation_check(),
 * permit/registry.h). libpermit only: a host needs no libcurl for it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error-private.h"
#include "fileio-private.h"
#include "json-private.h"
#include "permit/registry-client.h"
#include "permit/registry.h"
#include "permit/store.h"
#include "util.h"

/* registry.json is the client's; 4 MiB as there. */
#define STATE_MAX_SIZE (4 * 1024 * 1024)

/* registry.json's "registries" (a missing file: none). */
static int read_registries(const char *permit_dir, json_t **ret, permit_error *error) {
        _cleanup_free_ char *path = NULL, *buf = NULL;
        json_t *root = NULL, *regs;
        size_t len;
        int r;

        *ret = NULL;
        if (asprintf(&path, "%s/%s", permit_dir, PERMIT_CLIENT_STATE_NAME) < 0)
                return -ENOMEM;
        r = permit_read_file(path, STATE_MAX_SIZE, &buf, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return permit_error_set_at(error, r, path, NULL, "cannot read: %s", strerror(-r));
        r = permit_json_parse(buf, len, &root, error);
        if (r < 0)
                return permit_error_set_source(error, r, path);
        regs = json_object_get(root, "registries");
        if (!json_is_object(regs)) {
                json_decref(root);
                return permit_error_set_at(error, -EINVAL, path, "registries", "must be an object");
        }
        *ret = json_incref(regs);
        json_decref(root);
        return 0;
}

/* One kept index, verified again; *ret NULL when this registry has none. */
static int load_kept(const char *permit_dir, const char *key_id, json_t *rec, permit_index **ret,
                     permit_error *error) {
        _cleanup_free_ char *dir = NULL, *ipath = NULL, *spath = NULL, *data = NULL, *sig = NULL;
        char id[PERMIT_KEY_ID_STRING_SIZE];
        permit_pubkey *key = NULL;
        json_t *k = json_object_get(rec, "key"), *v = json_object_get(rec, "version");
        size_t len, sig_len;
        int r;

        *ret = NULL;
        if (asprintf(&dir, "%s/%s/%s", permit_dir, PERMIT_KEPT_INDEX_DIR, key_id) < 0 ||
            asprintf(&ipath, "%s/%s", dir, PERMIT_INDEX_NAME) < 0 || asprintf(&spath, "%s/%s", dir, PERMIT_INDEX_SIG_NAME) < 0)
                return -ENOMEM;
        r = permit_read_file(ipath, PERMIT_INDEX_MAX_SIZE, &data, &len);
        if (r == -ENOENT)
                return 0; /* kept by no client yet */
        if (r < 0)
                return permit_error_set_at(error, r, ipath, NULL, "cannot read: %s", strerror(-r));
        r = permit_read_file(spath, PERMIT_INDEX_SIG_MAX_SIZE, &sig, &sig_len);
        if (r < 0)
                return permit_error_set_at(error, r, spath, NULL, "cannot read: %s", strerror(-r));
        if (!json_is_string(k) || !json_is_integer(v) || json_integer_value(v) < 0)
                return permit_error_set_at(error, -EINVAL, PERMIT_CLIENT_STATE_NAME, "registries",
                                           "%s: no key or version recorded", key_id);
        r = permit_pubkey_from_string(json_string_value(k), &key, error);
        if (r < 0)
                return permit_error_set_source(error, r, PERMIT_CLIENT_STATE_NAME);
        permit_pubkey_id_string(key, id);
        if (strcasecmp(id, key_id) != 0) {
                permit_pubkey_free(key);
                return permit_error_set_at(error, -EKEYREJECTED, PERMIT_CLIENT_STATE_NAME, "registries",
                                           "%s: the key recorded is %s", key_id, id);
        }
        /* The expiry is the caller's to report: INT64_MIN never expires. */
        r = permit_index_verify(data, len, sig, sig_len, key, (uint64_t) json_integer_value(v), INT64_MIN, ret, error);
        permit_pubkey_free(key);
        if (r < 0) {
                char text[sizeof(error->text)];
                if (!error)
                        return r;
                snprintf(text, sizeof(text), "%s", error->text);
                return permit_error_set_at(error, r, dir, NULL, "the index kept for this registry does not verify: %s",
                                           text);
        }
        return 0;
}

_public_ int permit_revocation_check(const char *profile, const char *key_id, const char *seal_digest, int64_t now,
                                     permit_revocation_status *ret, permit_error *error) {
        _cleanup_free_ char *def = NULL, *permit_dir = NULL;
        _cleanup_json_ json_t *regs = NULL;
        permit_revocation_status st = { 0 };
        const char *k, *reason;
        json_t *rec;
        int r;

        permit_error_clear(error);
        if (!key_id != !seal_digest)
                return permit_error_set(error, -EINVAL, NULL, "a key id and a seal digest are needed");
        if (!profile) {
                r = permit_store_default_profile(&def);
                if (r < 0)
                        return permit_error_set(error, r, NULL, "no default profile: set $XDG_DATA_HOME or $HOME");
                profile = def;
        }
        if (!now)
                now = (int64_t) time(NULL);
        if (asprintf(&permit_dir, "%s/permit", profile) < 0)
                return -ENOMEM;
        r = read_registries(permit_dir, &regs, error);
        if (r < 0)
                return r;
        json_object_foreach(regs, k, rec) {
                permit_index *idx = NULL;
                const char *url = json_string_value(json_object_get(rec, "url"));

                r = load_kept(permit_dir, k, rec, &idx, error);
                if (r < 0)
                        return r;
                if (!idx)
                        continue;
                if (!url)
                        url = permit_index_registry(idx);
                r = 0;
                if (!key_id)
                        ; /* only the status */
                else if (permit_index_key_revoked(idx, key_id, &reason))
                        r = permit_error_set(error, -EKEYREVOKED, NULL,
                                             "its key %s was revoked by the registry %s (index version %llu): %s", key_id,
                                             url, (unsigned long long) permit_index_version(idx),
                                             reason ? reason : "no reason given");
                else if (permit_index_digest_revoked(idx, seal_digest, &reason))
                        r = permit_error_set(error, -EKEYREVOKED, NULL,
                                             "this package (seal %.16s...) was revoked by the registry %s (index version "
                                             "%llu): %s",
                                             seal_digest, url, (unsigned long long) permit_index_version(idx),
                                             reason ? reason : "no reason given");
                st.n_indexes++;
                if (now >= permit_index_expires(idx))
                        st.n_expired++;
                if (!st.expires || permit_index_expires(idx) < st.expires)
                        st.expires = permit_index_expires(idx);
                permit_index_free(idx);
                if (r < 0)
                        return r;
        }
        if (ret)
                *ret = st;
        return 0;
}
