/* SPDX-License-Identifier: MIT */
/* A minisign signature file over a fixed message, checked with the fuzz key
 * (the seeds are valid signatures by it, prehashed and legacy). */
#include <stdlib.h>

#include "fuzz.h"
#include "permit/minisig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *message;
        char *tc = NULL;
        permit_error error;

        if (!message)
                message = fuzz_file("message", (const uint8_t *) FUZZ_MESSAGE, sizeof(FUZZ_MESSAGE) - 1);
        if (permit_minisig_verify_file(fuzz_pubkey(), message, fuzz_file("minisig", data, size), &tc, &error) == 0) {
                if (!tc)
                        abort();
                free(tc);
        }
        return 0;
}
