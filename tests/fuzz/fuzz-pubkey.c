/* SPDX-License-Identifier: MIT */
/* A minisign public key file, and the key line alone. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        permit_pubkey *pk = NULL;
        permit_error error;
        char *line;

        if (permit_pubkey_load(fuzz_file("pubkey", data, size), &pk, &error) == 0) {
                char s[PERMIT_PUBKEY_STRING_SIZE];
                /* What was read prints back as a key line that reads again. */
                permit_pubkey_string(pk, s);
                permit_pubkey_free(pk);
                if (permit_pubkey_from_string(s, &pk, &error) < 0)
                        abort();
                permit_pubkey_free(pk);
        }
        line = strndup((const char *) data, size);
        if (!line)
                abort();
        if (permit_pubkey_from_string(line, &pk, &error) == 0)
                permit_pubkey_free(pk);
        free(line);
        return 0;
}
