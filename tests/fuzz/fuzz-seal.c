/* SPDX-License-Identifier: MIT */
/* permit.sig: the strict parser, then the signature check against the fuzz
 * key (seeds are signed with it, so mutations reach past the key id). */
#include <stdlib.h>

#include "fuzz.h"
#include "seal-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        seal *s = NULL;
        permit_error error;
        int r;

        if (seal_parse((const char *) data, size, &s, &error) < 0)
                return 0;
        r = seal_verify_signature(s, fuzz_pubkey(), &error);
        if (r < 0 && r != -EBADMSG && r != -EKEYREJECTED)
                abort();
        seal_free(s);
        return 0;
}
