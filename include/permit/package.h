/* SPDX-License-Identifier: MIT */
/* permit/package.h: sealing and verifying add-on packages.
 *
 * A package is a directory or a .zip (.ankiaddon) archive holding the
 * add-on's files, permit.json and, once signed, the seal permit.sig
 * (doc/seal.md). Signing a .zip also writes NAME.zip.minisig beside it, in
 * minisign's format, over the whole archive. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "permit/error.h"
#include "permit/keys.h"
#include "permit/manifest.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PERMIT_MANIFEST_NAME "permit.json"
#define PERMIT_SEAL_NAME "permit.sig"

/* What a package may hold; signing and verifying refuse past these. */
typedef struct permit_package_limits {
        uint64_t max_files;      /* regular files, default 20000 */
        uint64_t max_total_size; /* sum of file sizes, default 1 GiB */
        uint64_t max_ratio;      /* uncompressed bytes per archive byte, default 200 */
        uint32_t max_path;       /* bytes in a member's path, default 1024 */
        uint32_t max_depth;      /* directory levels, default 32 */
} permit_package_limits;

void permit_package_limits_default(permit_package_limits *limits);

typedef struct permit_sign_options {
        const permit_package_limits *limits; /* NULL: defaults */
        int64_t signed_at;                   /* seconds since the epoch; 0: now */
        unsigned threads;                    /* hashing threads; 0: one per core */
        bool no_minisig;                     /* do not write NAME.zip.minisig */
} permit_sign_options;

/* Validates permit.json, refuses unsafe content (doc/seal.md lists the
 * rules), and writes the seal into the package: for a directory
 * DIR/permit.sig, for a zip a rewritten archive (temp file, fsync, rename)
 * plus NAME.zip.minisig. A seal already there is replaced. On any failure
 * the package is left as it was. Errors: -EINVAL (bad manifest or unsafe
 * content, error says what), -ENOENT, -EACCES, -EFBIG (a limit), -EIO. */
int permit_package_sign(const permit_seckey *sk, const char *package, const permit_sign_options *options,
                        permit_error *error);

/* What a verified (or inspected) package is. */
typedef struct permit_package_info permit_package_info;

void permit_package_info_free(permit_package_info *info);
const permit_manifest *permit_package_info_manifest(const permit_package_info *info);
/* The seal's key id as minisign prints it; "" for an unsigned package. */
const char *permit_package_info_key_id(const permit_package_info *info);
/* The signer's minisign public key ("RW...") that the seal carries; "" for
 * an unsigned package or a seal written before seals carried it. */
const char *permit_package_info_public_key(const permit_package_info *info);
int64_t permit_package_info_signed_at(const permit_package_info *info); /* 0 when unsigned */
uint64_t permit_package_info_files(const permit_package_info *info);
uint64_t permit_package_info_total_size(const permit_package_info *info);
const char *permit_package_info_hash(const permit_package_info *info); /* seal's hash name */
/* Hex digest of the seal's signed content: what registries countersign. */
const char *permit_package_info_seal_digest(const permit_package_info *info);
bool permit_package_info_verified(const permit_package_info *info);

/* Verifies the package against pk: the seal's signature, and that the
 * package holds exactly the sealed files with their sizes and digests, and
 * a permit.json whose canonical digest is the sealed one. Streams: memory
 * stays bounded whatever the package's size. Errors:
 *   -EBADMSG       the package differs from its seal, or the seal's
 *                  signature is not valid (error says the first difference)
 *   -EKEYREJECTED  sealed with another key
 *   -ENOMSG        no seal (unsigned package)
 *   -EINVAL        malformed seal or manifest, unsafe content
 *   -EFBIG         over a limit
 *   -ENOENT, -EACCES, -ENOTDIR, -EIO  the package cannot be read */
int permit_package_verify(const permit_pubkey *pk, const char *package, const permit_package_limits *limits,
                          permit_package_info **ret, permit_error *error) __attribute__((warn_unused_result));

/* Verifies the package as permit_package_verify() does, against the public
 * key its own seal carries. That proves the package is intact and signed by
 * that key, not whose key it is: it is for a first install only, which then
 * pins the key (trust on first use); later installs verify against the pin.
 * Errors: -ENOKEY when the seal carries no public key (an older seal: the
 * caller must give the key), and those of permit_package_verify(). */
int permit_package_verify_with_seal_key(const char *package, const permit_package_limits *limits,
                                        permit_package_info **ret, permit_error *error)
        __attribute__((warn_unused_result));

/* Reads the manifest and the seal's claims without verifying anything but
 * the manifest's validity (for `permit inspect`); info says verified=false. */
int permit_package_inspect(const char *package, const permit_package_limits *limits, permit_package_info **ret,
                           permit_error *error);

#ifdef __cplusplus
}
#endif
