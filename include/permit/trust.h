/* SPDX-License-Identifier: MIT */
/* permit/trust.h: which key may seal an add-on, and key rotation.
 *
 * The first install pins the key that sealed an add-on (the store keeps the
 * pin; the caller passes it in here). An update sealed by another key is
 * accepted only when the package carries a rotation statement, signed by
 * the pinned key, that names the new key for this add-on (DESIGN.md
 * section 6). The statement travels in the package as permit.rotation, a
 * sealed file like any other (doc/registry.md, "Key rotation"):
 *
 * {
 *   "format": 1,
 *   "statements": [
 *     {"old_key_id": "8A1F2B3C4D5E6F70", "new_key": "RW...",
 *      "addons": ["org.example.hello"] or "all",
 *      "created": 1795420800, "signature": "<base64 Ed25519>"}
 *   ]
 * }
 *
 * Each statement is signed by its old key over "permit-rotation-v1\n" and
 * the canonical JSON of its other fields. Statements form a chain (A names
 * B, B names C), so a user whose pin is any key of the chain can follow it
 * to the key that sealed the package. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "permit/error.h"
#include "permit/keys.h"
#include "permit/package.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PERMIT_ROTATION_NAME "permit.rotation"
#define PERMIT_ROTATION_MAX_SIZE (64 * 1024)
#define PERMIT_ROTATION_MAX_STATEMENTS 16
#define PERMIT_ROTATION_MAX_ADDONS 64

typedef struct permit_rotation permit_rotation;

/* Parses a rotation file strictly (every field, types, lengths; at most
 * PERMIT_ROTATION_MAX_STATEMENTS statements, each naming "all" or 1 to
 * PERMIT_ROTATION_MAX_ADDONS valid add-on ids; consecutive statements
 * chained: each one's old key is the previous one's new key). Signatures
 * are not checked here: permit_trust_check() does, with the keys it trusts.
 * source names the file in errors (may be NULL). Errors: -EINVAL
 * (error->path is the JSON path), -EFBIG, -ENOMEM. */
int permit_rotation_parse(const char *buf, size_t len, const char *source, permit_rotation **ret,
                          permit_error *error);
int permit_rotation_load(const char *path, permit_rotation **ret, permit_error *error);
void permit_rotation_free(permit_rotation *rot);
size_t permit_rotation_count(const permit_rotation *rot);

/* Adds a statement signed by old_sk naming new_pk, for the add-ons listed
 * (n_addons ids) or for all of the key's add-ons (addons NULL). rot may be
 * NULL (a new file) or an existing chain, which the statement extends: then
 * old_sk must be the chain's last new key (-EKEYREJECTED otherwise).
 * Returns the whole file's text (free()). Errors: -EINVAL (an invalid add-on
 * id, new key = old key, too many statements or ids), -EKEYREJECTED,
 * -ENOMEM. */
int permit_rotation_add(const permit_rotation *rot, const permit_seckey *old_sk, const permit_pubkey *new_pk,
                        const char *const *addons, size_t n_addons, int64_t created, char **ret_text,
                        size_t *ret_len, permit_error *error);

typedef enum permit_trust {
        PERMIT_TRUST_PINNED = 0,  /* sealed by the pinned key itself */
        PERMIT_TRUST_ROTATED = 1, /* sealed by a key the pinned key rotated to */
} permit_trust;

/* May a package of addon_id sealed by the key seal_key_id ("8A1F...", as
 * permit_package_info_key_id() gives it) be accepted, given the key pinned
 * for the add-on and the package's rotation statements (NULL when it has
 * none)? Returns PERMIT_TRUST_PINNED or PERMIT_TRUST_ROTATED and, when
 * ret_key is not NULL, the full key to verify the package with (and to pin
 * from now on; permit_pubkey_free()). Refusals, with error->text saying
 * which statement and why:
 *   -EKEYREJECTED  another key and no rotation statement; no statement is
 *                  signed by the pinned key ("signed by key X, not by the
 *                  pinned key P"); the chain ends at a key other than the
 *                  seal's ("names key N, but the package is sealed by S");
 *                  a statement does not name this add-on
 *   -EBADMSG       a statement's signature is not valid
 *   -EINVAL        a NULL argument or a malformed key id */
int permit_trust_check(const char *addon_id, const permit_pubkey *pinned, const char *seal_key_id,
                       const permit_rotation *rotation, permit_pubkey **ret_key, permit_error *error)
        __attribute__((warn_unused_result));

/* The whole update rule on a package: reads the seal's key id and
 * permit.rotation (without trusting either), applies permit_trust_check()
 * with the pinned key, then verifies the package with the key that check
 * names (permit_package_verify()), and checks that the manifest's id is
 * addon_id. Returns PERMIT_TRUST_PINNED or PERMIT_TRUST_ROTATED, the
 * verified package and, when asked, the key that sealed it. Errors: those
 * of permit_trust_check() and permit_package_verify(); -EKEYREJECTED also
 * when the package is another add-on (its manifest names another id). */
int permit_trust_verify_package(const char *package, const char *addon_id, const permit_pubkey *pinned,
                                const permit_package_limits *limits, permit_package_info **ret_info,
                                permit_pubkey **ret_key, permit_error *error) __attribute__((warn_unused_result));

/* permit.rotation's bytes as found in the package by
 * permit_package_inspect() (NULL when it has none; permit_package_verify()
 * does not keep them). */
const char *permit_package_info_rotation(const permit_package_info *info, size_t *ret_len);

#ifdef __cplusplus
}
#endif
