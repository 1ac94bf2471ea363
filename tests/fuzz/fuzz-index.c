/* SPDX-License-Identifier: MIT */
/* The registry index (index.json) through the index reader: parsed with
 * no signature (permit_index_parse(), what permit_index_verify() runs once
 * the signature holds), every accessor walked; then verified under a
 * signature the fuzz key makes over the input, so the version (rollback)
 * and expiry (freeze) checks that follow the parse run on it too. The
 * signature file's own parser is the minisig target's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "signer/keys-private.h"
#include "permit/registry.h"

/* What the seeds (corpus/index, from `permit registry publish`) verify
 * at: index version 2 or later, issued before and expiring after NOW. */
#define FUZZ_INDEX_NOW 1795500000
#define FUZZ_INDEX_LAST 2

static void walk(const permit_index *idx) {
        size_t n = permit_index_n_packages(idx);
        permit_index_entry e;

        if (!permit_index_registry(idx) || permit_index_package_id(idx, n) != NULL)
                abort();
        for (size_t i = 0; i < n; i++) {
                const char *id = permit_index_package_id(idx, i);
                size_t nv = permit_index_n_versions(idx, id);

                if (!id || nv == 0 || permit_index_find(idx, id, NULL, &e) < 0 || strcmp(e.id, id) != 0)
                        abort();
                for (size_t v = 0; v < nv; v++) {
                        permit_index_entry f;
                        if (permit_index_version_at(idx, id, v, &e) < 0 ||
                            permit_index_find(idx, id, e.version, &f) < 0 || strcmp(f.version, e.version) != 0)
                                abort();
                        (void) permit_index_entry_revoked(idx, &e, NULL);
                }
                if (permit_index_version_at(idx, id, nv, &e) >= 0)
                        abort();
        }
        (void) permit_index_key_revoked(idx, "FUZZFUZZFUZZFUZZ", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        permit_index *idx = NULL;
        permit_error error = { 0 };
        char *sig = NULL;
        size_t sig_len = 0;
        int parsed, r;

        parsed = permit_index_parse(data, size, &idx, &error);
        if (parsed < 0 && (parsed != -EINVAL && parsed != -EFBIG && parsed != -ENOMEM))
                abort();
        if (parsed < 0 && !error.text[0])
                abort();
        if (parsed >= 0) {
                walk(idx);
                permit_index_free(idx);
                idx = NULL;
        }
        if (permit_minisig_sign_buffer(fuzz_seckey(), data, size, "fuzz", &sig, &sig_len, NULL) < 0)
                abort();
        r = permit_index_verify(data, size, sig, sig_len, fuzz_pubkey(), FUZZ_INDEX_LAST, FUZZ_INDEX_NOW, &idx,
                                &error);
        free(sig);
        /* Signed by the key it is checked with: it fails where parsing
         * fails, or on version and expiry alone. */
        if ((parsed < 0) != (r < 0 && r != -ESTALE && r != -ETIME))
                abort();
        if (r >= 0) {
                walk(idx);
                permit_index_free(idx);
        }
        return 0;
}
