/* SPDX-License-Identifier: MIT */
/* Reading bounded files and writing files atomically. */
#pragma once

#include <stddef.h>

/* Reads a whole regular file of at most max bytes. -EFBIG past max,
 * -EISDIR / -EINVAL for what is not a regular file. The buffer gets a
 * trailing NUL that ret_len does not count. */
int permit_read_file(const char *path, size_t max, char **ret, size_t *ret_len);

/* permit_read_file() for a loader that reports to a permit_error: on
 * failure sets error (source: path) to "too large for a WHAT file" or the
 * errno's text, and returns the negative errno. */
struct permit_error;
int permit_read_file_for(const char *path, size_t max, const char *what, char **ret, size_t *ret_len,
                         struct permit_error *error);

/* Same, for a file that holds a secret: the buffer comes from
 * sodium_malloc() and must be released with sodium_free(). */
int permit_read_secret_file(const char *path, size_t max, char **ret, size_t *ret_len);

/* Writes data to path atomically: a temp file in the same directory, fsync,
 * rename over path, fsync of the directory. mode is the new file's mode
 * (e.g. 0644, 0600 for a secret key). If exclusive, refuses (-EEXIST) to
 * replace an existing path. Nothing is left behind on failure. */
int permit_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode, int exclusive);

/* Creates an empty temp file beside path ("DIR/.NAME.XXXXXX") and returns
 * its fd and name; for writers that stream (the zip rewriter). */
int permit_tmpfile_beside(const char *path, int *ret_fd, char **ret_name);

/* fsync()s fd, renames tmp over path, fsyncs the directory of path.
 * Closes nothing. */
int permit_commit_tmpfile(int fd, const char *tmp, const char *path);

/* mkdir -p: creates path and its missing parents with mode (an existing
 * one is left as it is). 0 or -errno. */
int permit_mkdir_parents(const char *path, unsigned mode);

/* write() until all of data is written (EINTR retried). */
int permit_write_all(int fd, const void *data, size_t len);
