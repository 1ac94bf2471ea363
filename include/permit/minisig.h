/* SPDX-License-Identifier: MIT */
/* permit/minisig.h: detached signatures in minisign's format.
 *
 *   untrusted comment: <text>
 *   base64(alg (2) || key id (8) || signature (64))
 *   trusted comment: <text>
 *   base64(global signature (64) over signature || trusted comment)
 *
 * alg "ED" signs BLAKE2b-512 of the file (what minisign writes by default);
 * "Ed" (legacy) signs the file itself and is accepted when verifying. */
#pragma once

#include <stddef.h>

#include "permit/error.h"
#include "permit/keys.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Signs the file at path (streamed, prehashed "ED") and writes the signature
 * to sig_path atomically. trusted_comment may be NULL or "" (then
 * "timestamp:N\tfile:NAME\thashed", as minisign 0.11 writes it); it must fit
 * on one line and in minisign's 8173 bytes (-EINVAL otherwise). Errors also:
 * -ENOENT, -EISDIR, -EINVAL (not a regular file) for path, and write errors
 * for sig_path. */
int permit_minisig_sign_file(const permit_seckey *sk, const char *path, const char *sig_path,
                             const char *trusted_comment, permit_error *error);

/* Verifies a signature file against the file at path. On success, and when
 * ret_trusted_comment is not NULL, returns the trusted comment (free()).
 * Errors: -EBADMSG bad signature (either of the two), -EKEYREJECTED signed
 * with another key id, -EINVAL malformed signature file, -EFBIG a legacy
 * ("Ed") signature over a file larger than 1 GiB (it would have to be read
 * into memory whole), and open/read errors. The untrusted comment is not
 * signed: changing it does not invalidate the signature. */
int permit_minisig_verify_file(const permit_pubkey *pk, const char *path, const char *sig_path,
                               char **ret_trusted_comment, permit_error *error)
        __attribute__((warn_unused_result));

#ifdef __cplusplus
}
#endif
