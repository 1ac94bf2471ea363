/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>

#include "digest-private.h"
#include "permit/trust.h"
#include "encoding-private.h"
#include "scan-private.h"
#include "signer/keys-private.h"

struct permit_package_info {
        permit_manifest *manifest;
        char key_id[PERMIT_KEY_ID_STRING_SIZE];
        char public_key[PERMIT_PUBKEY_STRING_SIZE];
        char seal_digest[2 * PERMIT_DIGEST_SIZE + 1];
        int64_t signed_at;
        uint64_t files, total_size;
        bool verified;
        char *rotation; /* permit.rotation as read by inspect */
        size_t rotation_len;
};

_public_ void permit_package_info_free(permit_package_info *info) {
        if (!info)
                return;
        permit_manifest_free(info->manifest);
        free(info->rotation);
        free(info);
}

_public_ const permit_manifest *permit_package_info_manifest(const permit_package_info *info) {
        return info ? info->manifest : NULL;
}

_public_ const char *permit_package_info_key_id(const permit_package_info *info) {
        return info ? info->key_id : NULL;
}

_public_ const char *permit_package_info_public_key(const permit_package_info *info) {
        return info ? info->public_key : NULL;
}

_public_ int64_t permit_package_info_signed_at(const permit_package_info *info) {
        return info ? info->signed_at : 0;
}

_public_ uint64_t permit_package_info_files(const permit_package_info *info) {
        return info ? info->files : 0;
}

_public_ uint64_t permit_package_info_total_size(const permit_package_info *info) {
        return info ? info->total_size : 0;
}

_public_ const char *permit_package_info_hash(const permit_package_info *info) {
        return info && info->signed_at ? PERMIT_HASH_NAME : "";
}

_public_ const char *permit_package_info_seal_digest(const permit_package_info *info) {
        return info ? info->seal_digest : NULL;
}

_public_ const char *permit_package_info_rotation(const permit_package_info *info, size_t *ret_len) {
        if (ret_len)
                *ret_len = info && info->rotation ? info->rotation_len : 0;
        return info ? info->rotation : NULL;
}

_public_ bool permit_package_info_verified(const permit_package_info *info) {
        return info && info->verified;
}

static void seal_freep(seal **s) {
        seal_free(*s);
}

/* permit.json of the pkg_path, parsed; errors name "PACKAGE/permit.json". */
static int load_manifest(const char *pkg_path, const scan_result *res, permit_manifest **ret, permit_error *error) {
        _cleanup_free_ char *source = NULL;

        if (asprintf(&source, "%s/%s", pkg_path, PERMIT_MANIFEST_NAME) < 0)
                return -ENOMEM;
        if (!res->manifest)
                return permit_error_set_at(error, -EINVAL, pkg_path, NULL, "no %s in the package", PERMIT_MANIFEST_NAME);
        return permit_manifest_parse(res->manifest, res->manifest_len, source, ret, error);
}

/* The entry the host runs must be one of the package's files. */
static int check_entry(const char *pkg_path, const permit_manifest *m, const scan_result *res, permit_error *error) {
        const char *entry = permit_manifest_entry(m);

        for (size_t i = 0; i < res->n_files; i++)
                if (streq(res->files[i].path, entry))
                        return 0;
        return permit_error_set_at(error, -EINVAL, pkg_path, "entry", "'%s' is not a file of the package", entry);
}

/* Walks the sealed and the actual file lists (both sorted) and names the
 * first difference. */
static int compare_files(const seal *s, const scan_result *res, permit_error *error) {
        size_t i = 0, j = 0;

        while (i < s->n_files || j < res->n_files) {
                int c = i == s->n_files ? 1 : j == res->n_files ? -1 : strcmp(s->files[i].path, res->files[j].path);

                if (c < 0)
                        return permit_error_set(error, -EBADMSG, s->files[i].path, "sealed file is missing");
                if (c > 0)
                        return permit_error_set(error, -EBADMSG, res->files[j].path, "file is not in the seal");
                if (s->files[i].size != res->files[j].size)
                        return permit_error_set(error, -EBADMSG, s->files[i].path,
                                                "changed (size %" PRIu64 ", sealed %" PRIu64 ")", res->files[j].size,
                                                s->files[i].size);
                if (sodium_memcmp(s->files[i].digest, res->files[j].digest, PERMIT_DIGEST_SIZE) != 0)
                        return permit_error_set(error, -EBADMSG, s->files[i].path,
                                                "changed (content differs from the seal)");
                i++;
                j++;
        }
        return 0;
}

static void pubkey_freep(permit_pubkey **pk) {
        permit_pubkey_free(*pk);
}

/* permit.sig is the last member of a signed zip, so its check (the parse
 * and the signature over its 1.5 MB signed form, for 10,000 files) would
 * start only once every file is read. Read ahead from the archive
 * (scan_hooks.seal_ahead), it is checked on a thread of its own while the
 * files hash; the result counts only if the bytes the scan then reads for
 * permit.sig, through every archive rule, are the same. */
typedef struct seal_ahead {
        pthread_t thread;
        bool started;
        char *text;
        size_t len;
        const permit_pubkey *pk; /* the signature is checked too when given */
        seal *s;
        int parse_r, verify_r;
        permit_error parse_error, verify_error;
} seal_ahead;

static void *seal_ahead_run(void *userdata) {
        seal_ahead *a = userdata;

        a->parse_r = seal_parse(a->text, a->len, &a->s, &a->parse_error);
        if (a->parse_r == 0 && a->pk)
                a->verify_r = seal_verify_signature(a->s, a->pk, &a->verify_error);
        return NULL;
}

static void seal_ahead_start(void *userdata, char *text, size_t len) {
        seal_ahead *a = userdata;

        a->text = text;
        a->len = len;
        a->started = pthread_create(&a->thread, NULL, seal_ahead_run, a) == 0;
        if (!a->started) {
                /* No thread: the seal is checked in its turn, as always. */
                free(steal_pointer(&a->text));
                a->len = 0;
        }
}

static void seal_ahead_join(seal_ahead *a) {
        if (a->started)
                pthread_join(a->thread, NULL);
        a->started = false;
}

static void seal_ahead_done(seal_ahead *a) {
        seal_ahead_join(a);
        seal_free(a->s);
        free(a->text);
}

/* Verifies against pk, or with seal_key against the key the seal carries,
 * or (neither) only reads the package. */
static int package_check(const permit_pubkey *pk, bool seal_key, const char *pkg_path,
                         const permit_package_limits *limits, permit_package_info **ret, permit_error *error) {
        _cleanup_(scan_result_done) scan_result res = { 0 };
        _cleanup_(seal_freep) seal *s = NULL;
        _cleanup_(pubkey_freep) permit_pubkey *carried = NULL;
        permit_manifest *m = NULL;
        permit_package_info *info;
        uint8_t digest[PERMIT_DIGEST_SIZE];
        bool verify = pk || seal_key, signature_checked = false;
        _cleanup_(seal_ahead_done) seal_ahead ahead = { .pk = seal_key ? NULL : pk };
        const scan_hooks hooks = { .seal_ahead = seal_ahead_start, .userdata = &ahead };
        int r;

        r = package_scan(pkg_path, limits, verify, 0, verify ? &hooks : NULL, &res, error);
        if (r < 0)
                return r;

        if (res.seal) {
                seal_ahead_join(&ahead);
                if (ahead.text && ahead.len == res.seal_len && memcmp(ahead.text, res.seal, res.seal_len) == 0) {
                        /* The same bytes: the same verdicts. */
                        r = ahead.parse_r;
                        if (r < 0 && error)
                                *error = ahead.parse_error;
                        s = steal_pointer(&ahead.s);
                        if (r == 0 && ahead.pk) {
                                signature_checked = true;
                                if (ahead.verify_r < 0) {
                                        if (error)
                                                *error = ahead.verify_error;
                                        return permit_error_set_source(error, ahead.verify_r, pkg_path);
                                }
                        }
                } else
                        r = seal_parse(res.seal, res.seal_len, &s, error);
                if (r < 0) {
                        _cleanup_free_ char *src = NULL;
                        if (asprintf(&src, "%s/%s", pkg_path, PERMIT_SEAL_NAME) < 0)
                                return -ENOMEM;
                        return permit_error_set_source(error, r, src);
                }
        } else if (verify)
                return permit_error_set_at(error, -ENOMSG, pkg_path, NULL, "not signed: no %s in the package",
                                           PERMIT_SEAL_NAME);
        if (seal_key) {
                if (!s->public_key[0])
                        return permit_error_set_at(error, -ENOKEY, pkg_path, PERMIT_SEAL_NAME,
                                                   "the seal does not carry its public key (signed by an older "
                                                   "permit): give the publisher's key");
                r = permit_pubkey_from_string(s->public_key, &carried, error);
                if (r < 0)
                        return permit_error_set_source(error, r, pkg_path);
                pk = carried;
        }

        if (pk) {
                /* Signature first: nothing of the seal is believed before. */
                r = signature_checked ? 0 : seal_verify_signature(s, pk, error);
                if (r < 0)
                        return permit_error_set_source(error, r, pkg_path);
                r = compare_files(s, &res, error);
                if (r < 0)
                        return permit_error_set_source(error, r, pkg_path);
        }

        r = load_manifest(pkg_path, &res, &m, error);
        if (r < 0)
                return r;
        info = calloc(1, sizeof(*info));
        if (!info) {
                permit_manifest_free(m);
                return -ENOMEM;
        }
        info->manifest = m;
        if (pk) {
                r = permit_manifest_digest(m, digest);
                if (r < 0)
                        goto fail;
                if (sodium_memcmp(digest, s->manifest, PERMIT_DIGEST_SIZE) != 0) {
                        /* The file's bytes matched, so this is a seal made
                         * by a signer that hashed another canonical form. */
                        r = permit_error_set(error, -EBADMSG, PERMIT_MANIFEST_NAME,
                                             "canonical digest differs from the seal");
                        permit_error_set_source(error, r, pkg_path);
                        goto fail;
                }
                info->verified = true;
        }
        r = check_entry(pkg_path, m, &res, error);
        if (r < 0)
                goto fail;
        if (s) {
                permit_key_id_format(s->key_id, info->key_id);
                memcpy(info->public_key, s->public_key, sizeof(info->public_key));
                permit_hex(info->seal_digest, s->content_digest, PERMIT_DIGEST_SIZE);
                info->signed_at = s->signed_at;
        }
        info->files = res.n_files;
        info->total_size = res.total_size;
        info->rotation = steal_pointer(&res.rotation);
        info->rotation_len = res.rotation_len;
        *ret = info;
        return 0;
fail:
        permit_package_info_free(info);
        return r;
}

_public_ int permit_package_verify(const permit_pubkey *pk, const char *pkg_path, const permit_package_limits *limits,
                                   permit_package_info **ret, permit_error *error) {
        permit_package_info *info = NULL;
        int r;

        if (!pk || !pkg_path)
                return permit_error_set(error, -EINVAL, NULL, "no key or no package given");
        permit_error_clear(error);
        r = package_check(pk, false, pkg_path, limits, &info, error);
        if (r < 0)
                return r;
        if (ret)
                *ret = info;
        else
                permit_package_info_free(info);
        return 0;
}

_public_ int permit_package_inspect(const char *pkg_path, const permit_package_limits *limits,
                                    permit_package_info **ret, permit_error *error) {
        if (!pkg_path || !ret)
                return permit_error_set(error, -EINVAL, NULL, "no package given");
        permit_error_clear(error);
        return package_check(NULL, false, pkg_path, limits, ret, error);
}

_public_ int permit_package_verify_with_seal_key(const char *pkg_path, const permit_package_limits *limits,
                                                 permit_package_info **ret, permit_error *error) {
        if (!pkg_path || !ret)
                return permit_error_set(error, -EINVAL, NULL, "no package given");
        permit_error_clear(error);
        return package_check(NULL, true, pkg_path, limits, ret, error);
}
