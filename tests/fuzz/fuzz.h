/* SPDX-License-Identifier: MIT */
/* What the fuzz targets share: the libFuzzer entry points, a fixed key pair
 * (so the seed corpus can hold validly signed inputs that mutations start
 * from), and a memfd for the parsers that read a path. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "permit/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fuzz key: key id "FUZZFUZZ", seed 32 x 0x5a. make-corpus signs the
 * seeds with it; the targets verify against it. Never a real key. */
#define FUZZ_KEY_ID "FUZZFUZZ"
#define FUZZ_KEY_SEED_BYTE 0x5a
/* What the minisig target's signatures are over. */
#define FUZZ_MESSAGE "permit fuzz message\n"
/* The password the seed secret keys are written with. */
#define FUZZ_PASSWORD "fuzz password"

/* Both made once and kept for the process (abort on failure). */
const permit_pubkey *fuzz_pubkey(void);
const permit_seckey *fuzz_seckey(void);

/* A memfd holding exactly data, and its path ("/proc/self/fd/N"), for
 * the functions that take a file name. One per name; reused. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);
