/* SPDX-License-Identifier: MIT */
/* The seal, permit.sig (doc/seal.md):
 *
 * {
 *   "format": 1,
 *   "hash": "blake2b-tree-256",
 *   "key_id": "8A1F2B3C4D5E6F70",
 *   "public_key": "RW...",            (the signer's minisign public key; optional)
 *   "signed_at": 1795420800,
 *   "manifest": "<BLAKE2b-256 of canonical permit.json, hex>",
 *   "files": [{"path": "__init__.py", "size": 120, "digest": "<hex>"}, ...],
 *   "signature": "<base64 Ed25519>"
 * }
 *
 * files are sorted by path (bytewise) and unique; the signature is over
 * "permit-seal-v1\n" followed by the canonical JSON of everything but
 * "signature". */
#pragma once

#include <stdint.h>

#include "error-private.h"
#include "permit/keys.h"
#include "permit/manifest.h"

#define PERMIT_SEAL_FORMAT 1
#define PERMIT_SEAL_DOMAIN "permit-seal-v1\n"
/* A seal of 20000 files is about 2.5 MB; allow room, not unbounded. */
#define PERMIT_SEAL_MAX_SIZE (16 * 1024 * 1024)

typedef struct seal_file {
        char *path;
        uint64_t size;
        uint8_t digest[PERMIT_DIGEST_SIZE];
} seal_file;

typedef struct seal {
        uint8_t key_id[PERMIT_KEY_ID_SIZE];
        char public_key[PERMIT_PUBKEY_STRING_SIZE]; /* "RW...", "" in a seal without one */
        int64_t signed_at;
        uint8_t manifest[PERMIT_DIGEST_SIZE];
        seal_file *files;
        size_t n_files;
        uint8_t signature[PERMIT_SIGNATURE_SIZE];
        uint8_t content_digest[PERMIT_DIGEST_SIZE]; /* BLAKE2b-256 of the signed message */
        char *message;      /* the signed message, once built (parse, sign) */
        size_t message_len;
} seal;

void seal_free(seal *s);

/* Sorts files by path; -EINVAL if two have the same path. */
int seal_sort_files(seal_file *files, size_t n, const char **ret_duplicate);

/* Parses permit.sig strictly (every field, types, lengths, sorted unique
 * paths that pass the package path rules). Does not check the signature. */
int seal_parse(const char *buf, size_t len, seal **ret, permit_error *error);

/* Signs: fills signature and content_digest, and returns the permit.sig
 * text (pretty JSON, with a trailing newline). */
int seal_sign(seal *s, const permit_seckey *sk, char **ret_text, size_t *ret_len);

/* Checks the signature with pk: -EKEYREJECTED for another key id, -EBADMSG
 * for a bad signature. */
int seal_verify_signature(const seal *s, const permit_pubkey *pk, permit_error *error)
        __attribute__((warn_unused_result));

/* Parses a key id as minisign prints it (permit_key_id_format). */
int key_id_parse(const char *s, uint8_t id[PERMIT_KEY_ID_SIZE]);
