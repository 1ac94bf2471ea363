/* SPDX-License-Identifier: MIT */
/* Reading a package (directory or zip) as a stream of regular files, with
 * every archive rule of doc/seal.md enforced on the way: this is the code
 * that touches untrusted archives, so it is the only place that does. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "error-private.h"
#include "permit/package.h"

typedef struct package package;

typedef enum package_type {
        PACKAGE_DIRECTORY,
        PACKAGE_ZIP,
} package_type;

/* Opens a directory, or a zip archive (read through its central directory,
 * as unzip and Python's zipfile read it). The type comes from what path is
 * (a directory) or its content (zip magic), not its name. */
int package_open(const char *path, const permit_package_limits *limits, package **ret, permit_error *error);
void package_free(package *p);
package_type package_get_type(const package *p);

/* A zip member's bytes read ahead, straight from the archive (stored or
 * deflated, with its sizes and CRC-32 as the central directory gives them),
 * before package_next() reaches it: 1 with a malloc()ed, NUL-terminated
 * copy; 0 when there is no such member, it is larger than max, or it cannot
 * be read this way (neither stored nor deflated, data that does not match
 * its sizes or CRC-32, a directory package: the caller then waits for the
 * member's turn, when every rule is checked). Not a verdict on the
 * member: what it gives is only a guess to compare with what package_read()
 * later yields. */
int package_peek_member(package *p, const char *name, size_t max, char **ret, size_t *ret_len);

/* Moves to the next regular file. Returns 1 with its path (relative, '/'
 * separated, valid until the next call), its size as declared and its mode
 * bits (0644 or 0755 in spirit: only the owner's x bit matters); 0 at the
 * end; a negative errno when an entry breaks a rule (error says which, with
 * the member's path in error->path). Directories are checked but not
 * returned. Order: a directory's files sorted by name; a zip's in archive
 * order. */
int package_next(package *p, const char **ret_path, uint64_t *ret_size, unsigned *ret_mode, permit_error *error);

/* Reads the current file's data: bytes read, 0 at its end, negative errno.
 * Enforces the total size and compression ratio limits, and that a file
 * yields exactly its declared size. */
ssize_t package_read(package *p, void *buf, size_t size, permit_error *error);

/* Checks one member path against the rules (relative, no "..", no empty or
 * "." component, no backslash, valid UTF-8, no control characters, length
 * and depth limits). 0 or -EINVAL with error->text set. */
int package_check_path(const char *path, const permit_package_limits *limits, permit_error *error);
