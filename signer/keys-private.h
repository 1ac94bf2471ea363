/* SPDX-License-Identifier: MIT */
/* Inside the signer: raw key constructors (for test vectors), the scrypt
 * limits used when writing a secret key, and the line splitter the key and
 * signature file parsers share. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "permit/error.h"
#include "permit/keys.h"

/* minisign's lengths: an untrusted comment line (prefix included, line end
 * excluded), and the longest trusted comment text. */
#define PERMIT_UNTRUSTED_COMMENT_LINE_MAX 1024
#define PERMIT_TRUSTED_COMMENT_MAX 8173

#define PERMIT_UNTRUSTED_COMMENT_PREFIX "untrusted comment: "
#define PERMIT_TRUSTED_COMMENT_PREFIX "trusted comment: "

/* A public key from its raw parts. */
int permit_pubkey_from_raw(const uint8_t id[PERMIT_KEY_ID_SIZE], const uint8_t ed25519[32], permit_pubkey **ret);

/* A secret key from a 32-byte Ed25519 seed (RFC 8032's "SECRET KEY"). */
int permit_seckey_from_seed(const uint8_t id[PERMIT_KEY_ID_SIZE], const uint8_t seed[32], permit_seckey **ret);

/* The scrypt limits permit_seckey_save() writes with. 0, 0 restores
 * minisign's (OPSLIMIT_SENSITIVE, MEMLIMIT_SENSITIVE). For tests only: not
 * thread-safe, and weak limits make weak keys. */
void permit_seckey_set_kdf_limits_for_testing(uint64_t opslimit, uint64_t memlimit);

/* Lowers the scrypt limits permit_seckey_load() accepts from a key file
 * (past them: -EINVAL, refused before any work); 0, 0 restores opslimit
 * 2^28, memlimit 2 GiB. Never raises them. For the fuzz target, so a
 * fuzzed key cannot make one run take seconds; not thread-safe. */
void permit_seckey_set_kdf_max_for_testing(uint64_t opslimit, uint64_t memlimit);

/* "1F2E..." (minisign's %016" PRIX64 " of the little-endian key id). */
void permit_key_id_format(const uint8_t id[PERMIT_KEY_ID_SIZE], char buf[PERMIT_KEY_ID_STRING_SIZE]);

/* Takes the next line off [*p, end). A line ends at "\n", "\r\n" or the end
 * of input; the line end is not part of the line. Returns 1 with the line,
 * 0 when nothing is left, -EINVAL for a NUL byte, a CR not followed by LF,
 * or a line longer than max. */
int permit_next_line(const char **p, const char *end, size_t max, const char **ret_line, size_t *ret_len);

/* 0 when only empty lines are left in [p, end), -EINVAL otherwise. */
int permit_expect_end(const char *p, const char *end);

/* Detached minisign signatures of bytes in memory (the registry index).
 * sign_buffer returns the four-line signature text (free()); the trusted
 * comment must be given and fit on one line. verify_buffer accepts only
 * the prehashed "ED" form; errors as permit_minisig_verify_file(). */
int permit_minisig_sign_buffer(const permit_seckey *sk, const void *data, size_t len, const char *trusted_comment,
                               char **ret_text, size_t *ret_len, permit_error *error);
int permit_minisig_verify_buffer(const permit_pubkey *pk, const void *data, size_t len, const char *sig_text,
                                 size_t sig_len, char **ret_trusted_comment, permit_error *error)
        __attribute__((warn_unused_result));
