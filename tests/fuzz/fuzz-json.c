/* SPDX-License-Identifier: MIT */
/* The strict JSON parser and the canonical form every signed format is
 * hashed in: canonical output must parse again and be a fixed point. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json-private.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_json_ json_t *v = NULL, *again = NULL;
        _cleanup_free_ char *c1 = NULL, *c2 = NULL;
        size_t n1, n2;
        permit_error error;
        int r;

        if (permit_json_parse((const char *) data, size, &v, &error) < 0)
                return 0;
        r = permit_json_canonical(v, &c1, &n1);
        if (r == -EDOM)
                return 0; /* a real number: refused by design */
        if (r < 0 || strlen(c1) != n1)
                abort();
        if (permit_json_parse(c1, n1, &again, &error) < 0 || permit_json_canonical(again, &c2, &n2) < 0)
                abort();
        if (n1 != n2 || memcmp(c1, c2, n1) != 0 || !json_equal(v, again))
                abort();
        return 0;
}
