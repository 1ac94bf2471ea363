/* SPDX-License-Identifier: MIT */
/* A zip archive through the package reader: inspect (manifest and seal
 * claims) and verify against the fuzz key (seeds are sealed with it). A
 * result that says verified is checked to be consistent. */
#include <stdlib.h>

#include "fuzz.h"
#include "permit/package.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        permit_package_info *info = NULL;
        permit_package_limits limits;
        permit_error error;
        const char *path = fuzz_file("package", data, size);

        /* Small limits: a fuzzed size field must not make a run slow. */
        permit_package_limits_default(&limits);
        limits.max_files = 256;
        limits.max_total_size = 4 * 1024 * 1024;
        if (permit_package_inspect(path, &limits, &info, &error) == 0) {
                if (!permit_package_info_manifest(info) || permit_package_info_verified(info))
                        abort();
                permit_package_info_free(info);
                info = NULL;
        }
        if (permit_package_verify(fuzz_pubkey(), path, &limits, &info, &error) == 0) {
                if (!permit_package_info_verified(info))
                        abort();
                permit_package_info_free(info);
        }
        return 0;
}
