/* SPDX-License-Identifier: MIT */
/* permit.json: parse, and on success everything a host reads of it. */
#include <stdlib.h>

#include "fuzz.h"
#include "permit/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        permit_manifest *m = NULL;
        permit_warnings *w = NULL;
        permit_diff *d = NULL;
        permit_error error;
        uint8_t digest[PERMIT_DIGEST_SIZE];
        char *canonical = NULL;
        size_t len;

        if (permit_manifest_parse((const char *) data, size, "fuzz", &m, &error) < 0)
                return 0;
        /* A valid manifest must have a canonical form and warnings. */
        if (permit_manifest_canonical(m, &canonical, &len) < 0 || permit_manifest_digest(m, digest) < 0)
                abort();
        free(canonical);
        if (permit_warnings_new(permit_manifest_capabilities(m), permit_manifest_n_capabilities(m), &w) < 0)
                abort();
        for (size_t i = 0; i < permit_warnings_count(w); i++)
                if (!permit_warnings_get(w, i)->text)
                        abort();
        permit_warnings_free(w);
        if (permit_manifest_diff(m, m, &d) < 0 || permit_diff_asks_more(d))
                abort();
        permit_diff_free(d);
        permit_manifest_free(m);
        return 0;
}
