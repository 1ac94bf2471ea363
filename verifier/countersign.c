/* SPDX-License-Identifier: MIT */
/* The registry's countersignature over (id, version, seal digest). */
#include <sodium.h>

#include "encoding-private.h"
#include "index-private.h"
#include "json-private.h"
#include "manifest/manifest-private.h"

#define COUNTERSIGN_DOMAIN "permit-countersign-v1\n"

/* The domain string and the canonical JSON of the three fields: no two
 * triples share a message, and no other message permit signs starts with
 * this domain. */
static int countersign_message(const char *id, const char *version, const char *seal_digest, char **ret,
                               size_t *ret_len, permit_error *error) {
        _cleanup_json_ json_t *j = NULL;

        if (!id || strlen(id) > 128 || !permit_addon_id_valid(id))
                return permit_error_set(error, -EINVAL, "id", "not a valid add-on id");
        if (!version || strlen(version) > SEMVER_MAX || !permit_semver_valid(version))
                return permit_error_set(error, -EINVAL, "version", "not a semantic version");
        if (!seal_digest || !index_hex_digest_valid(seal_digest))
                return permit_error_set(error, -EINVAL, "seal_digest", "must be 64 lower-case hex digits");
        j = json_pack("{s:s, s:s, s:s}", "id", id, "version", version, "seal_digest", seal_digest);
        if (!j)
                return -ENOMEM;
        return permit_json_signed_message(COUNTERSIGN_DOMAIN, j, ret, ret_len);
}

_public_ int permit_countersign(const permit_seckey *registry_sk, const char *id, const char *version,
                                const char *seal_digest, char ret[PERMIT_COUNTERSIGNATURE_STRING_SIZE]) {
        _cleanup_free_ char *msg = NULL;
        uint8_t sig[PERMIT_SIGNATURE_SIZE];
        size_t len;
        int r;

        if (!registry_sk || !ret)
                return -EINVAL;
        r = countersign_message(id, version, seal_digest, &msg, &len, NULL);
        if (r < 0)
                return r;
        r = permit_seckey_sign(registry_sk, msg, len, sig);
        if (r < 0)
                return r;
        permit_base64(ret, PERMIT_COUNTERSIGNATURE_STRING_SIZE, sig, sizeof(sig));
        return 0;
}

_public_ int permit_countersign_verify(const permit_pubkey *registry_key, const char *id, const char *version,
                                       const char *seal_digest, const char *countersignature, permit_error *error) {
        _cleanup_free_ char *msg = NULL;
        uint8_t sig[PERMIT_SIGNATURE_SIZE];
        size_t len;
        int r;

        if (!registry_key)
                return permit_error_set(error, -EINVAL, NULL, "no registry key given");
        if (!countersignature || strlen(countersignature) != PERMIT_COUNTERSIGNATURE_STRING_SIZE - 1 ||
            permit_unbase64(sig, sizeof(sig), countersignature, PERMIT_COUNTERSIGNATURE_STRING_SIZE - 1) < 0)
                return permit_error_set(error, -EINVAL, "countersignature", "not a base64 Ed25519 signature");
        r = countersign_message(id, version, seal_digest, &msg, &len, error);
        if (r < 0)
                return r;
        if (permit_pubkey_verify(registry_key, sig, msg, len) != 0)
                return permit_error_set(error, -EBADMSG, NULL, "not signed by the registry key");
        return 0;
}
