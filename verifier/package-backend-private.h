/* SPDX-License-Identifier: MIT */
/* What package.c shares with its two readers, package-dir.c and
 * package-zip.c. package.c holds the rules every package obeys (paths,
 * names, counts, sizes); a reader only walks its container and says what
 * each entry is. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "package-private.h"

typedef struct package_dir package_dir;
typedef struct package_zip package_zip;
typedef struct package_names package_names;

struct package {
        package_type type;
        permit_package_limits limits;
        char *source; /* the package's path, for error->source */

        package_dir *dir;
        package_zip *zip;
        package_names *names; /* every file and directory seen, for collisions */

        uint64_t files;          /* regular files returned */
        uint64_t directories;    /* directories seen (explicit or implied) */
        uint64_t declared_total; /* sum of the declared sizes */
        uint64_t produced_total; /* bytes handed out by package_read */

        /* The current file. */
        bool in_file;
        bool file_done; /* its end was reached and checked */
        char *path;
        uint64_t size;
        uint64_t produced;

        /* Once a call fails, every later call fails the same way. */
        int failed;
        permit_error failure;
};

/* The archive bytes below which the compression ratio is not judged. */
#define PACKAGE_RATIO_SLACK (UINT64_C(64) * 1024)

/* Copies path into the error's path field, escaping what a terminal should
 * not see (control characters, backslash, bytes that are not UTF-8,
 * bidirectional overrides) and marking a cut with "...". */
void package_escape(char *out, size_t size, const char *path);

/* permit_error_set with path escaped. Returns r. */
int package_fail(permit_error *error, int r, const char *path, const char *format, ...) _printf_(4, 5);

/* The rules on a path: as package_check_path, with is_dir saying the path
 * names a directory (its depth counts one more level). */
int package_check_path_full(const char *path, bool is_dir, const permit_package_limits *limits,
                            permit_error *error);

/* Records a file or a directory, refusing a duplicate, a case collision, a
 * name used both as a file and a directory, and too many of either. A file
 * implies its parent directories. explicit_dir: a directory's own entry (a
 * zip "d/" member or a directory on disk), which may appear once. */
int package_add_file(package *p, const char *path, permit_error *error);
int package_add_directory(package *p, const char *path, bool explicit_dir, permit_error *error);

/* Counts one more file of the declared size against the limits. */
int package_count_file(package *p, const char *path, uint64_t size, permit_error *error);

/* The mode package_next reports: 0755 when the owner may execute, else 0644. */
static inline unsigned package_mode(unsigned mode) {
        return (mode & 0100) ? 0755 : 0644;
}

/* Directory reader (package-dir.c). open takes fd (a directory) over. */
int package_dir_open(package *p, int fd, const char *path, permit_error *error);
void package_dir_free(package_dir *d);
/* 1 with p->path, p->size set and *ret_mode; 0 at the end. */
int package_dir_next(package *p, unsigned *ret_mode, permit_error *error);
ssize_t package_dir_read(package *p, void *buf, size_t size, permit_error *error);

/* Zip reader (package-zip.c). open takes fd (a regular file) over. */
int package_zip_open(package *p, int fd, const char *path, permit_error *error);
void package_zip_free(package_zip *z);
int package_zip_next(package *p, unsigned *ret_mode, permit_error *error);
ssize_t package_zip_read(package *p, void *buf, size_t size, permit_error *error);
int package_zip_read_member(package *p, const char *name, size_t max, char **ret, size_t *ret_len);
