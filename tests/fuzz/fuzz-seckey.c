/* SPDX-License-Identifier: MIT */
/* A minisign secret key file, with FUZZ_PASSWORD. scrypt's cost comes from
 * the file: the target lowers the limits a key may ask for (refused as out
 * of range, the same path as a real oversized key) so a run stays fast. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "signer/keys-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static int ready;
        permit_seckey *sk = NULL;
        permit_error error;
        const char *path;
        int r;

        if (!ready) {
                /* make-corpus writes its keys with opslimit 2^10, memlimit 2^20. */
                permit_seckey_set_kdf_max_for_testing(UINT64_C(1) << 12, UINT64_C(1) << 22);
                ready = 1;
        }
        path = fuzz_file("seckey", data, size);
        r = permit_seckey_load(path, FUZZ_PASSWORD, strlen(FUZZ_PASSWORD), &sk, &error);
        if (r == 0) {
                permit_pubkey *pk = NULL;
                uint8_t sig[PERMIT_SIGNATURE_SIZE];
                /* A key that loads signs what its public half verifies. */
                if (permit_seckey_pubkey(sk, &pk) < 0 || permit_seckey_sign(sk, "x", 1, sig) < 0 ||
                    permit_pubkey_verify(pk, sig, "x", 1) != 0)
                        abort();
                permit_pubkey_free(pk);
                permit_seckey_free(sk);
        }
        /* Without a password too: an encrypted key is refused, -ENOKEY. */
        r = permit_seckey_load(path, NULL, 0, &sk, &error);
        if (r == 0)
                permit_seckey_free(sk);
        return 0;
}
