/* SPDX-License-Identifier: MIT */
/* One pass over a package: every member through the archive rules, every
 * sealed file hashed (on all cores), permit.json and permit.sig kept in
 * memory. Signing, verifying and inspecting are all this pass plus a few
 * checks; the signer adds hooks to copy each member into a new archive. */
#pragma once

#include <stdbool.h>

#include "package-private.h"
#include "seal-private.h"

typedef struct scan_hooks {
        /* Called for every sealed member (not permit.sig) before its data,
         * for each chunk of its data, and after it. Return <0 to stop. */
        int (*begin)(void *userdata, const char *path, uint64_t size, unsigned mode);
        int (*data)(void *userdata, const void *buf, size_t len);
        int (*end)(void *userdata);
        /* Hashing a zip: permit.sig's bytes read ahead from the archive
         * (package_peek_member) before the first member, when they can
         * be: the callee owns text, and may start checking it while the
         * files hash. What the scan returns in seal is authoritative. */
        void (*seal_ahead)(void *userdata, char *text, size_t len);
        void *userdata;
} scan_hooks;

typedef struct scan_result {
        package_type type;
        seal_file *files; /* sorted by path after a successful scan */
        size_t n_files;
        uint64_t total_size;
        char *manifest;   /* permit.json as read, NULL if absent */
        size_t manifest_len;
        char *seal;       /* permit.sig as read, NULL if absent */
        size_t seal_len;
        char *rotation;   /* permit.rotation, read when not hashing; NULL if absent */
        size_t rotation_len;
} scan_result;

void scan_result_done(scan_result *r);

/* hash: compute digests (false for inspect, which only reads permit.json and
 * permit.sig). threads: 0 for one per core. */
int package_scan(const char *path, const permit_package_limits *limits, bool hash, unsigned threads,
                 const scan_hooks *hooks, scan_result *ret, permit_error *error);
