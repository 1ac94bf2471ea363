/* SPDX-License-Identifier: MIT */
/* Loads a policy file with permit_policy_load(): exit 0 when it is accepted,
 * 1 (and the error) when not. For store-schema.py, which holds the C parser
 * and schemas/policy.schema.json to the same answers. */
#include <stdio.h>

#include "permit/policy.h"

int main(int argc, char **argv) {
        permit_policy *p = NULL;
        permit_error e = { 0 };
        char buf[1024];

        if (argc != 2)
                return 2;
        if (permit_policy_load(argv[1], &p, &e) < 0) {
                fprintf(stderr, "%s\n", permit_error_string(&e, buf, sizeof(buf)));
                return 1;
        }
        permit_policy_free(p);
        return 0;
}
