/* SPDX-License-Identifier: MIT */
/* The registry index: the client's verification (signature, rollback,
 * freeze), lookups, and the check of a package against its entry.
 * index-read.c reads the document; doc/registry.md is the format. */
#include <inttypes.h>
#include <sodium.h>

#include "index-private.h"
#include "manifest/manifest-private.h"
#include "signer/keys-private.h"

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

_public_ int permit_index_parse(const void *data, size_t len, permit_index **ret, permit_error *error) {
        if (!data || !ret)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        if (len > PERMIT_INDEX_MAX_SIZE)
                return permit_error_set(error, -EFBIG, NULL, "index larger than %d bytes", PERMIT_INDEX_MAX_SIZE);
        return index_read(data, len, ret, error);
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
        free(idx->arena);
        free(idx->recs);
        free(idx->pkgs);
        free(idx->rkeys);
        free(idx->rpkgs);
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
        return idx ? idx->n_pkgs : 0;
}

_public_ const char *permit_index_package_id(const permit_index *idx, size_t i) {
        return idx && i < idx->n_pkgs ? idx->pkgs[i].id : NULL;
}

static int compare_id(const void *key, const void *pkg) {
        return strcmp(key, ((const index_pkg *) pkg)->id);
}

static const index_pkg *find_pkg(const permit_index *idx, const char *id) {
        if (!idx || !id || idx->n_pkgs == 0)
                return NULL;
        return bsearch(id, idx->pkgs, idx->n_pkgs, sizeof(*idx->pkgs), compare_id);
}

static void fill(const index_pkg *pkg, const index_rec *rec, permit_index_entry *ret) {
        *ret = (permit_index_entry) {
                .id = pkg->id,
                .version = rec->version,
                .size = rec->size,
                .digest = rec->digest,
                .seal_digest = rec->seal_digest,
                .key = rec->key,
                .key_id = rec->key_id,
                .path = rec->path,
                .added = rec->added,
                .countersignature = rec->countersignature,
        };
}

_public_ size_t permit_index_n_versions(const permit_index *idx, const char *id) {
        const index_pkg *pkg = find_pkg(idx, id);
        return pkg ? pkg->n : 0;
}

_public_ int permit_index_version_at(const permit_index *idx, const char *id, size_t i, permit_index_entry *ret) {
        const index_pkg *pkg = find_pkg(idx, id);

        if (!ret)
                return -EINVAL;
        if (!pkg || i >= pkg->n)
                return -ENOENT;
        fill(pkg, &idx->recs[pkg->first + i], ret);
        return 0;
}

_public_ int permit_index_find(const permit_index *idx, const char *id, const char *version,
                               permit_index_entry *ret) {
        const index_pkg *pkg = find_pkg(idx, id);

        if (!ret)
                return -EINVAL;
        if (!pkg)
                return -ENOENT;
        if (!version) {
                fill(pkg, &idx->recs[pkg->first + pkg->n - 1], ret);
                return 0;
        }
        for (size_t i = 0; i < pkg->n; i++)
                if (streq(idx->recs[pkg->first + i].version, version)) {
                        fill(pkg, &idx->recs[pkg->first + i], ret);
                        return 0;
                }
        return -ENOENT;
}

bool index_hex_case(const char *in, bool upper, char *out, size_t size) {
        size_t i;

        if (!in)
                return false;
        for (i = 0; in[i] && i + 1 < size; i++)
                out[i] = (char) (upper ? (in[i] >= 'a' && in[i] <= 'f' ? in[i] - 32 : in[i])
                                       : (in[i] >= 'A' && in[i] <= 'F' ? in[i] + 32 : in[i]));
        out[i] = '\0';
        return in[i] == '\0';
}

/* A revocation list is short and read once per package: a scan is enough.
 * value is put in the index's case first. */
static bool revoked_in(const index_revoked *list, size_t n, const char *value, bool upper, const char **ret_reason) {
        char norm[2 * PERMIT_DIGEST_SIZE + 1];

        if (!index_hex_case(value, upper, norm, sizeof(norm)))
                return false;
        for (size_t i = 0; i < n; i++)
                if (streq(list[i].what, norm)) {
                        if (ret_reason)
                                *ret_reason = list[i].reason;
                        return true;
                }
        return false;
}

_public_ bool permit_index_key_revoked(const permit_index *idx, const char *key_id, const char **ret_reason) {
        return idx && revoked_in(idx->rkeys, idx->n_rkeys, key_id, true, ret_reason);
}

_public_ bool permit_index_digest_revoked(const permit_index *idx, const char *seal_digest, const char **ret_reason) {
        return idx && revoked_in(idx->rpkgs, idx->n_rpkgs, seal_digest, false, ret_reason);
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
