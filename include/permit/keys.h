/* SPDX-License-Identifier: MIT */
/* permit/keys.h: Ed25519 keys in minisign's file formats.
 *
 * Public key file:   "untrusted comment: ...\nRW...base64...\n"
 *                    base64("Ed" || key id (8) || public key (32))
 * Secret key file:   "untrusted comment: ...\n" base64 of
 *                    "Ed" || kdf "Sc" (or "\0\0" without password) || "B2" ||
 *                    salt (32) || opslimit (le64) || memlimit (le64) ||
 *                    [key id (8) || secret key (64) || BLAKE2b-256 checksum (32)]
 *                    the bracket XORed with scrypt(password) when "Sc".
 *
 * So a key made by `minisign -G` works here and the other way round. The
 * key id is printed as minisign prints it: 16 upper-case hex digits of the
 * little-endian 64-bit number. Secret keys live in sodium_malloc()ed memory
 * and are wiped when freed. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "permit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PERMIT_KEY_ID_SIZE 8
#define PERMIT_KEY_ID_STRING_SIZE 17 /* 16 hex digits + NUL */
#define PERMIT_PUBKEY_STRING_SIZE 57 /* 56 base64 characters + NUL */
#define PERMIT_SIGNATURE_SIZE 64

typedef struct permit_pubkey permit_pubkey;
typedef struct permit_seckey permit_seckey;

/* Parses "RW..." (the key line alone). -EINVAL for anything else: wrong
 * length, bad base64, an algorithm other than "Ed". */
int permit_pubkey_from_string(const char *s, permit_pubkey **ret, permit_error *error);

/* Reads a public key file (comment line, key line). */
int permit_pubkey_load(const char *path, permit_pubkey **ret, permit_error *error);

/* Writes the file atomically (mode 0644); refuses to replace one unless
 * overwrite (-EEXIST). */
int permit_pubkey_save(const permit_pubkey *pk, const char *path, int overwrite);

void permit_pubkey_free(permit_pubkey *pk);

/* "RW..." into buf (PERMIT_PUBKEY_STRING_SIZE). */
void permit_pubkey_string(const permit_pubkey *pk, char buf[PERMIT_PUBKEY_STRING_SIZE]);
/* "1F2E..." into buf (PERMIT_KEY_ID_STRING_SIZE). */
void permit_pubkey_id_string(const permit_pubkey *pk, char buf[PERMIT_KEY_ID_STRING_SIZE]);
const uint8_t *permit_pubkey_id(const permit_pubkey *pk);        /* 8 bytes, as stored */
const uint8_t *permit_pubkey_ed25519(const permit_pubkey *pk);   /* 32 bytes */

/* Verifies an Ed25519 signature with this key. 0 when valid, -EBADMSG when
 * not. */
int permit_pubkey_verify(const permit_pubkey *pk, const uint8_t sig[PERMIT_SIGNATURE_SIZE],
                         const void *msg, size_t len) __attribute__((warn_unused_result));

/* A fresh key pair with a random key id. */
int permit_keypair_generate(permit_pubkey **ret_pk, permit_seckey **ret_sk);

/* Reads a secret key file. password may be NULL (or empty) for a key
 * written without one. Errors: -EINVAL malformed (also: scrypt limits past
 * opslimit 2^28 or memlimit 2 GiB, refused before any work; a key whose two
 * halves do not match), -EKEYREJECTED wrong password (the checksum does not
 * match), -ENOKEY a password is needed but none was given, -ENOMEM (scrypt
 * needs up to 1 GiB, as minisign's), and open/read errors. */
int permit_seckey_load(const char *path, const char *password, size_t password_len, permit_seckey **ret,
                       permit_error *error);

/* Writes the secret key, scrypt-protected with minisign's parameters when
 * password is non-empty, unprotected ("-W") otherwise. Mode 0600, atomic,
 * refuses to replace an existing file unless overwrite (-EEXIST). */
int permit_seckey_save(const permit_seckey *sk, const char *path, const char *password, size_t password_len,
                       int overwrite);

/* Wipes and frees. Accepts NULL. */
void permit_seckey_free(permit_seckey *sk);

/* The public half (key id and key) of a secret key. */
int permit_seckey_pubkey(const permit_seckey *sk, permit_pubkey **ret);
const uint8_t *permit_seckey_id(const permit_seckey *sk);

/* Ed25519 signature over msg. */
int permit_seckey_sign(const permit_seckey *sk, const void *msg, size_t len, uint8_t ret[PERMIT_SIGNATURE_SIZE]);

#ifdef __cplusplus
}
#endif
