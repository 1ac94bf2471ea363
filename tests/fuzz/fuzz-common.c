/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "signer/keys-private.h"

static permit_seckey *seckey;
static permit_pubkey *pubkey;

static void make_keys(void) {
        uint8_t seed[32];

        if (seckey)
                return;
        memset(seed, FUZZ_KEY_SEED_BYTE, sizeof(seed));
        if (permit_seckey_from_seed((const uint8_t *) FUZZ_KEY_ID, seed, &seckey) < 0 ||
            permit_seckey_pubkey(seckey, &pubkey) < 0)
                abort();
}

const permit_pubkey *fuzz_pubkey(void) {
        make_keys();
        return pubkey;
}

const permit_seckey *fuzz_seckey(void) {
        make_keys();
        return seckey;
}

#define MAX_FILES 4

const char *fuzz_file(const char *name, const uint8_t *data, size_t size) {
        static struct {
                const char *name;
                int fd;
                char path[32];
        } files[MAX_FILES];
        size_t i;

        for (i = 0; i < MAX_FILES && files[i].name && strcmp(files[i].name, name) != 0; i++)
                ;
        if (i == MAX_FILES)
                abort();
        if (!files[i].name) {
                files[i].fd = memfd_create(name, MFD_CLOEXEC);
                if (files[i].fd < 0)
                        abort();
                snprintf(files[i].path, sizeof(files[i].path), "/proc/self/fd/%d", files[i].fd);
                files[i].name = name;
        }
        if (ftruncate(files[i].fd, 0) < 0 || (size > 0 && pwrite(files[i].fd, data, size, 0) != (ssize_t) size))
                abort();
        return files[i].path;
}
