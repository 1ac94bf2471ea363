/* SPDX-License-Identifier: MIT */
/* The operator's registry directory: init, add, revoke, publish
 * (doc/registry.md, "Operator workflow"). Every file is written atomically;
 * publish writes the index and its signature last. */
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <sys/stat.h>

#include "fileio-private.h"
#include "index-private.h"
#include "json-private.h"
#include "permit/trust.h"
#include "signer/keys-private.h"

#define COPY_CHUNK (256 * 1024)

struct permit_registry {
        char *dir;
        json_t *root;          /* pending.json, as add and revoke change it */
        permit_index *pending; /* the same, read back by the index reader */
        uint64_t published_version;
};

/* The bytes written as index.json and pending.json: compact, sorted keys,
 * a final newline. */
static int dump(const json_t *root, char **ret, size_t *ret_len) {
        return permit_json_dump_text(root, JSON_COMPACT | JSON_SORT_KEYS, ret, ret_len);
}

/* Reports the failed system call's errno (read first) for path. */
static int sys_fail(permit_error *error, const char *path, const char *what) {
        int r = negative_errno();
        return permit_error_set_at(error, r, path, NULL, "%s: %s", what, strerror(-r));
}

static char *path_in(const char *dir, const char *name) {
        char *p = NULL;

        if (asprintf(&p, "%s/%s", dir, name) < 0)
                return NULL;
        return p;
}

/* Writes root as pending.json, after reading it back with the index
 * reader: what is saved is always a valid index. */
static int save_pending(const char *dir, json_t *root, permit_index **ret, permit_error *error) {
        _cleanup_free_ char *text = NULL, *path = path_in(dir, PERMIT_REGISTRY_PENDING_NAME);
        permit_index *idx = NULL;
        size_t len;
        int r;

        if (!path)
                return -ENOMEM;
        r = dump(root, &text, &len);
        if (r < 0)
                return r;
        r = permit_index_parse(text, len, &idx, error);
        if (r < 0)
                return r;
        r = permit_write_file_atomic(path, text, len, 0644, 0);
        if (r < 0) {
                permit_index_free(idx);
                return permit_error_set_at(error, r, path, NULL, "cannot write: %s", strerror(-r));
        }
        if (ret)
                *ret = idx;
        else
                permit_index_free(idx);
        return 0;
}

static int sync_pending(permit_registry *reg, permit_error *error) {
        permit_index *idx = NULL;
        int r = save_pending(reg->dir, reg->root, &idx, error);

        if (r < 0)
                return r;
        permit_index_free(reg->pending);
        reg->pending = idx;
        return 0;
}

/* Signs root as the index of version n and writes index.json, then
 * index.json.sig, each atomically. The root is checked as a client would
 * check it before anything is written. */
static int write_index(const char *dir, json_t *root, const permit_seckey *sk, permit_error *error) {
        _cleanup_free_ char *text = NULL, *sig = NULL, *tc = NULL, *ipath = NULL, *spath = NULL;
        permit_index *idx = NULL;
        size_t len, sig_len;
        int r;

        r = dump(root, &text, &len);
        if (r < 0)
                return r;
        r = permit_index_parse(text, len, &idx, error);
        if (r < 0)
                return r;
        if (asprintf(&tc, "permit-index registry=%s version=%" PRIu64 " expires=%" PRId64, idx->registry,
                               idx->version, idx->expires) < 0) {
                tc = NULL;
                r = -ENOMEM;
        }
        permit_index_free(idx);
        if (r < 0)
                return r;
        r = permit_minisig_sign_buffer(sk, text, len, tc, &sig, &sig_len, error);
        if (r < 0)
                return r;
        ipath = path_in(dir, PERMIT_INDEX_NAME);
        spath = path_in(dir, PERMIT_INDEX_SIG_NAME);
        if (!ipath || !spath)
                return -ENOMEM;
        /* A client that fetches between the two renames sees a signature
         * that does not match and fetches again (doc/registry.md). */
        r = permit_write_file_atomic(ipath, text, len, 0644, 0);
        if (r < 0)
                return permit_error_set_at(error, r, ipath, NULL, "cannot write: %s", strerror(-r));
        r = permit_write_file_atomic(spath, sig, sig_len, 0644, 0);
        if (r < 0)
                return permit_error_set_at(error, r, spath, NULL, "cannot write: %s", strerror(-r));
        return 0;
}

_public_ int permit_registry_init(const char *dir, const char *name, const permit_seckey *sk, int64_t now,
                                  int64_t expires, permit_error *error) {
        _cleanup_json_ json_t *root = NULL;
        _cleanup_free_ char *packages = NULL, *ipath = NULL, *ppath = NULL;
        int r;

        permit_error_clear(error);
        if (!dir || !name || !sk || now <= 0)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        if (!index_name_valid(name))
                return permit_error_set(error, -EINVAL, NULL,
                                        "invalid registry name '%.64s' (letters and digits, with single '.', '_' or "
                                        "'-' between them, at most %d)",
                                        name, PERMIT_REGISTRY_NAME_MAX);
        if (expires <= now)
                return permit_error_set(error, -EINVAL, NULL, "the expiry must be in the future");
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return sys_fail(error, dir, "cannot create");
        ipath = path_in(dir, PERMIT_INDEX_NAME);
        ppath = path_in(dir, PERMIT_REGISTRY_PENDING_NAME);
        packages = path_in(dir, "packages");
        if (!ipath || !ppath || !packages)
                return -ENOMEM;
        if (access(ipath, F_OK) == 0 || access(ppath, F_OK) == 0)
                return permit_error_set_at(error, -EEXIST, dir, NULL, "already holds a registry");
        if (mkdir(packages, 0755) < 0 && errno != EEXIST)
                return sys_fail(error, packages, "cannot create");

        root = json_pack("{s:i, s:s, s:i, s:I, s:I, s:{}, s:{s:[], s:[]}}", "format", PERMIT_INDEX_FORMAT, "registry",
                         name, "version", 1, "issued", (json_int_t) now, "expires", (json_int_t) expires, "packages",
                         "revoked", "keys", "packages");
        if (!root)
                return -ENOMEM;
        r = write_index(dir, root, sk, error);
        if (r < 0)
                return r;
        return save_pending(dir, root, NULL, error);
}

_public_ void permit_registry_free(permit_registry *reg) {
        if (!reg)
                return;
        permit_index_free(reg->pending);
        json_decref(reg->root);
        free(reg->dir);
        free(reg);
}

/* An index file of the directory, parsed (not verified: it is the
 * operator's own). */
static int load_index(const char *dir, const char *name, permit_index **ret, json_t **ret_root,
                      permit_error *error) {
        _cleanup_free_ char *path = path_in(dir, name), *buf = NULL;
        size_t len = 0;
        int r;

        if (!path)
                return -ENOMEM;
        r = permit_read_file(path, PERMIT_INDEX_MAX_SIZE, &buf, &len);
        if (r == -ENOENT)
                return permit_error_set_at(error, r, dir, NULL, "not a registry (no %s): run 'permit registry init'",
                                           name);
        if (r < 0)
                return permit_error_set_at(error, r, path, NULL, "cannot read: %s", strerror(-r));
        r = permit_index_parse(buf, len, ret, error);
        if (r == 0 && ret_root) {
                r = permit_json_parse(buf, len, ret_root, error);
                if (r < 0) {
                        permit_index_free(*ret);
                        *ret = NULL;
                }
        }
        return permit_error_set_source(error, r, path);
}

_public_ int permit_registry_open(const char *dir, permit_registry **ret, permit_error *error) {
        permit_index *published = NULL;
        permit_registry *reg;
        int r;

        permit_error_clear(error);
        if (!dir || !ret)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        reg = calloc(1, sizeof(*reg));
        if (!reg)
                return -ENOMEM;
        reg->dir = strdup(dir);
        if (!reg->dir) {
                r = -ENOMEM;
                goto fail;
        }
        r = load_index(dir, PERMIT_INDEX_NAME, &published, NULL, error);
        if (r < 0)
                goto fail;
        reg->published_version = published->version;
        permit_index_free(published);
        r = load_index(dir, PERMIT_REGISTRY_PENDING_NAME, &reg->pending, &reg->root, error);
        if (r < 0)
                goto fail;
        *ret = reg;
        return 0;
fail:
        permit_registry_free(reg);
        return r;
}

_public_ const permit_index *permit_registry_pending(const permit_registry *reg) {
        return reg ? reg->pending : NULL;
}

_public_ uint64_t permit_registry_published_version(const permit_registry *reg) {
        return reg ? reg->published_version : 0;
}

/* Copies src to a temp file beside dest, returning its fd, name, size and
 * BLAKE2b-256. */
static int copy_hashed(const char *src, const char *dest, int *ret_fd, char **ret_tmp, uint64_t *ret_size,
                       char ret_digest[PERMIT_HEX_DIGEST_STRING_SIZE], permit_error *error) {
        _cleanup_close_ int in = -1, out = -1;
        _cleanup_free_ char *tmp = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        crypto_generichash_state st;
        uint8_t digest[PERMIT_DIGEST_SIZE];
        uint64_t size = 0;
        struct stat sb;
        ssize_t k;
        int r;

        in = open(src, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (in < 0 || fstat(in, &sb) < 0)
                return sys_fail(error, src, "cannot open");
        if (!S_ISREG(sb.st_mode))
                return permit_error_set_at(error, -EINVAL, src, NULL,
                                           "not a file: a registry serves .zip packages (zip the directory, then "
                                           "sign it)");
        buf = malloc(COPY_CHUNK);
        if (!buf)
                return -ENOMEM;
        r = permit_tmpfile_beside(dest, &out, &tmp);
        if (r < 0)
                return permit_error_set_at(error, r, dest, NULL, "cannot create a temp file: %s", strerror(-r));
        if (fchmod(out, 0644) < 0) {
                r = negative_errno();
                goto fail;
        }
        crypto_generichash_init(&st, NULL, 0, PERMIT_DIGEST_SIZE);
        while ((k = read(in, buf, COPY_CHUNK)) != 0) {
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = negative_errno();
                        goto fail;
                }
                crypto_generichash_update(&st, buf, (unsigned long long) k);
                r = permit_write_all(out, buf, (size_t) k);
                if (r < 0)
                        goto fail;
                size += (uint64_t) k;
        }
        crypto_generichash_final(&st, digest, sizeof(digest));
        sodium_bin2hex(ret_digest, PERMIT_HEX_DIGEST_STRING_SIZE, digest, sizeof(digest));
        *ret_fd = steal_fd(&out);
        *ret_tmp = steal_pointer(&tmp);
        *ret_size = size;
        return 0;
fail:
        unlink(tmp);
        return permit_error_set_at(error, r, dest, NULL, "cannot copy the package: %s", strerror(-r));
}

/* The key to verify an upload with, by the update rule against the id's
 * latest listed version (or the given key for a new id). */
static int resolve_pinned(const permit_index *idx, const char *id, const permit_pubkey *key, permit_pubkey **ret,
                          permit_error *error) {
        permit_index_entry prev;
        char s[PERMIT_PUBKEY_STRING_SIZE];

        if (permit_index_find(idx, id, NULL, &prev) == 0) {
                /* A revoked key vouches for nothing, not even a rotation:
                 * the publisher starts again with a key the operator
                 * checked some other way. */
                if (!permit_index_key_revoked(idx, prev.key_id, NULL))
                        return permit_pubkey_from_string(prev.key, ret, error);
                if (!key)
                        return permit_error_set(error, -EKEYREVOKED, NULL,
                                                "the key of %s %s (%s) is revoked: give the publisher's new key (-p "
                                                "or -P)",
                                                id, prev.version, prev.key_id);
        } else if (!key)
                return permit_error_set(error, -ENOKEY, NULL,
                                        "%s is new to this registry: give the publisher's key (-p or -P)", id);
        permit_pubkey_string(key, s);
        return permit_pubkey_from_string(s, ret, error);
}

_public_ int permit_registry_add(permit_registry *reg, const permit_seckey *sk, const char *package,
                                 const permit_pubkey *key, const permit_package_limits *limits, int64_t now,
                                 permit_index_entry *ret, permit_error *error) {
        _cleanup_free_ char *rel = NULL, *dest = NULL, *iddir = NULL, *tmp = NULL;
        _cleanup_close_ int fd = -1;
        permit_package_info *claimed = NULL, *info = NULL;
        permit_pubkey *pinned = NULL, *sealer = NULL, *reg_pk = NULL;
        char digest[PERMIT_HEX_DIGEST_STRING_SIZE], cs[PERMIT_COUNTERSIGNATURE_STRING_SIZE];
        char key_string[PERMIT_PUBKEY_STRING_SIZE];
        const char *id, *version, *reason = NULL;
        permit_index_entry prev;
        uint64_t size = 0;
        json_t *versions, *entry;
        int r;

        permit_error_clear(error);
        if (!reg || !sk || !package || now <= 0)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        /* The countersigning key must be the one the index is signed with:
         * clients check both with the same key. */
        r = permit_seckey_pubkey(sk, &reg_pk);
        if (r < 0)
                return r;

        /* What it claims to be, to know where it goes; everything is
         * checked again on the copy before it is listed. */
        r = permit_package_inspect(package, limits, &claimed, error);
        if (r < 0)
                goto out;
        id = permit_manifest_id(permit_package_info_manifest(claimed));
        version = permit_manifest_version(permit_package_info_manifest(claimed));
        if (permit_index_find(reg->pending, id, version, &prev) == 0) {
                r = permit_error_set_at(error, -EEXIST, package, NULL, "%s %s is already in the registry", id,
                                        version);
                goto out;
        }
        if (permit_index_find(reg->pending, id, NULL, &prev) == 0 && permit_semver_compare(version, prev.version) <= 0) {
                r = permit_error_set_at(error, -EINVAL, package, "version",
                                        "%s %s is not newer than %s, the registry's latest", id, version,
                                        prev.version);
                goto out;
        }
        r = resolve_pinned(reg->pending, id, key, &pinned, error);
        if (r < 0) {
                permit_error_set_source(error, r, package);
                goto out;
        }

        if (asprintf(&rel, "packages/%s/%s.zip", id, version) < 0 || asprintf(&dest, "%s/%s", reg->dir, rel) < 0 ||
            asprintf(&iddir, "%s/packages/%s", reg->dir, id) < 0) {
                r = -ENOMEM;
                goto out;
        }
        if (mkdir(iddir, 0755) < 0 && errno != EEXIST) {
                r = sys_fail(error, iddir, "cannot create");
                goto out;
        }
        r = copy_hashed(package, dest, &fd, &tmp, &size, digest, error);
        if (r < 0)
                goto out;
        r = permit_trust_verify_package(tmp, id, pinned, limits, &info, &sealer, error);
        if (r < 0) {
                permit_error_set_source(error, r, package);
                goto fail_tmp;
        }
        if (key && sodium_memcmp(permit_pubkey_id(key), permit_pubkey_id(sealer), PERMIT_KEY_ID_SIZE) != 0) {
                r = permit_error_set_at(error, -EKEYREJECTED, package, NULL, "sealed by key %s, not by the given key",
                                        permit_package_info_key_id(info));
                goto fail_tmp;
        }
        if (!streq(permit_manifest_version(permit_package_info_manifest(info)), version)) {
                r = permit_error_set_at(error, -EBADMSG, package, NULL, "changed while it was read");
                goto fail_tmp;
        }
        if (permit_index_key_revoked(reg->pending, permit_package_info_key_id(info), &reason) ||
            permit_index_digest_revoked(reg->pending, permit_package_info_seal_digest(info), &reason)) {
                r = permit_error_set_at(error, -EKEYREVOKED, package, NULL, "revoked: %s", reason);
                goto fail_tmp;
        }
        r = permit_countersign(sk, id, version, permit_package_info_seal_digest(info), cs);
        if (r < 0)
                goto fail_tmp;
        r = permit_commit_tmpfile(fd, tmp, dest);
        if (r < 0) {
                permit_error_set_at(error, r, dest, NULL, "cannot write: %s", strerror(-r));
                goto fail_tmp;
        }

        permit_pubkey_string(sealer, key_string);
        entry = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "version", version, "size",
                          (json_int_t) size, "digest", digest, "seal_digest", permit_package_info_seal_digest(info),
                          "key", key_string, "key_id", permit_package_info_key_id(info), "path", rel, "added",
                          (json_int_t) now, "countersignature", cs);
        if (!entry) {
                r = -ENOMEM;
                goto out;
        }
        versions = json_object_get(json_object_get(reg->root, "packages"), id);
        if (!versions) {
                versions = json_array();
                if (!versions || json_object_set_new(json_object_get(reg->root, "packages"), id, versions) < 0) {
                        json_decref(entry);
                        r = -ENOMEM;
                        goto out;
                }
        }
        if (json_array_append_new(versions, entry) < 0) {
                r = -ENOMEM;
                goto out;
        }
        r = sync_pending(reg, error);
        if (r == 0 && ret)
                r = permit_index_find(reg->pending, id, version, ret);
        goto out;
fail_tmp:
        unlink(tmp);
out:
        permit_package_info_free(claimed);
        permit_package_info_free(info);
        permit_pubkey_free(pinned);
        permit_pubkey_free(sealer);
        permit_pubkey_free(reg_pk);
        return r;
}

static int add_revocation(permit_registry *reg, const char *field, const char *value, const char *reason,
                          int64_t now, permit_error *error) {
        bool key = streq(field, "key_id");
        json_t *list = json_object_get(json_object_get(reg->root, "revoked"), key ? "keys" : "packages");
        permit_error sub = { 0 };
        json_t *e;
        int r;

        r = index_reason_check(reason, &sub);
        if (r < 0)
                return permit_error_set(error, r, "reason", "%s", sub.text);
        if (key ? permit_index_key_revoked(reg->pending, value, NULL)
                : permit_index_digest_revoked(reg->pending, value, NULL))
                return permit_error_set(error, -EALREADY, NULL, "%s is already revoked", value);
        e = json_pack("{s:s, s:s, s:I}", field, value, "reason", reason, "revoked_at", (json_int_t) now);
        if (!e || json_array_append_new(list, e) < 0)
                return -ENOMEM;
        return sync_pending(reg, error);
}

_public_ int permit_registry_revoke_key(permit_registry *reg, const char *key_id, const char *reason, int64_t now,
                                        permit_error *error) {
        char id[PERMIT_KEY_ID_STRING_SIZE];

        permit_error_clear(error);
        if (!reg || !key_id || !reason || now <= 0)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        if (!index_hex_case(key_id, true, id, sizeof(id)) || !index_key_id_valid(id))
                return permit_error_set(error, -EINVAL, NULL, "not a key id (16 hex digits): '%.32s'", key_id);
        return add_revocation(reg, "key_id", id, reason, now, error);
}

_public_ int permit_registry_revoke_package(permit_registry *reg, const char *seal_digest, const char *reason,
                                            int64_t now, permit_error *error) {
        char d[PERMIT_HEX_DIGEST_STRING_SIZE];

        permit_error_clear(error);
        if (!reg || !seal_digest || !reason || now <= 0)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        if (!index_hex_case(seal_digest, false, d, sizeof(d)) || !index_hex_digest_valid(d))
                return permit_error_set(error, -EINVAL, NULL, "not a seal digest (64 hex digits): '%.80s'",
                                        seal_digest);
        return add_revocation(reg, "seal_digest", d, reason, now, error);
}

/* Every listed package file is there, with its size. */
static int check_files(const permit_registry *reg, permit_error *error) {
        for (size_t i = 0; i < permit_index_n_packages(reg->pending); i++) {
                const char *id = permit_index_package_id(reg->pending, i);
                for (size_t k = 0; k < permit_index_n_versions(reg->pending, id); k++) {
                        _cleanup_free_ char *p = NULL;
                        permit_index_entry e;
                        struct stat st;

                        if (permit_index_version_at(reg->pending, id, k, &e) < 0)
                                return -EIO;
                        p = path_in(reg->dir, e.path);
                        if (!p)
                                return -ENOMEM;
                        if (stat(p, &st) < 0)
                                return sys_fail(error, p, "listed but missing");
                        if (!S_ISREG(st.st_mode) || (uint64_t) st.st_size != e.size)
                                return permit_error_set_at(error, -EBADMSG, p, NULL,
                                                           "listed with %" PRIu64 " bytes, holds %lld", e.size,
                                                           (long long) st.st_size);
                }
        }
        return 0;
}

_public_ int permit_registry_publish(permit_registry *reg, const permit_seckey *sk, int64_t now, int64_t expires,
                                     uint64_t *ret_version, permit_error *error) {
        _cleanup_free_ char *ipath = NULL, *spath = NULL, *data = NULL, *sig = NULL;
        _cleanup_json_ json_t *root = NULL;
        permit_pubkey *pk = NULL;
        size_t len = 0, sig_len = 0;
        uint64_t version;
        int r;

        permit_error_clear(error);
        if (!reg || !sk || now <= 0)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        if (expires <= now)
                return permit_error_set(error, -EINVAL, NULL, "the expiry must be in the future");

        /* The key must be the registry's: clients pin it. */
        ipath = path_in(reg->dir, PERMIT_INDEX_NAME);
        spath = path_in(reg->dir, PERMIT_INDEX_SIG_NAME);
        if (!ipath || !spath)
                return -ENOMEM;
        r = permit_read_file(ipath, PERMIT_INDEX_MAX_SIZE, &data, &len);
        if (r == 0)
                r = permit_read_file(spath, PERMIT_INDEX_SIG_MAX_SIZE, &sig, &sig_len);
        if (r < 0)
                return permit_error_set_at(error, r, reg->dir, NULL, "cannot read the published index: %s",
                                           strerror(-r));
        r = permit_seckey_pubkey(sk, &pk);
        if (r < 0)
                return r;
        r = permit_minisig_verify_buffer(pk, data, len, sig, sig_len, NULL, error);
        permit_pubkey_free(pk);
        if (r == -EKEYREJECTED)
                return permit_error_set_at(error, r, spath, NULL,
                                           "the published index is signed by another key: publish with the "
                                           "registry's key");
        if (r < 0)
                return permit_error_set_source(error, r, spath);

        r = check_files(reg, error);
        if (r < 0)
                return r;
        if (reg->published_version >= (uint64_t) INT64_C(9007199254740992))
                return permit_error_set(error, -EOVERFLOW, NULL, "index version at its limit");
        version = reg->published_version + 1;
        root = json_deep_copy(reg->root);
        if (!root || json_object_set_new(root, "version", json_integer((json_int_t) version)) < 0 ||
            json_object_set_new(root, "issued", json_integer((json_int_t) now)) < 0 ||
            json_object_set_new(root, "expires", json_integer((json_int_t) expires)) < 0)
                return -ENOMEM;
        r = write_index(reg->dir, root, sk, error);
        if (r < 0)
                return r;
        reg->published_version = version;
        /* pending.json now says what was published. */
        json_decref(reg->root);
        reg->root = steal_pointer(&root);
        r = sync_pending(reg, error);
        if (r < 0)
                return r;
        if (ret_version)
                *ret_version = version;
        return 0;
}
