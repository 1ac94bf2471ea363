/* SPDX-License-Identifier: MIT */
/* Helpers the seal tests share: temporary directories, a small signed-ready
 * package copied from examples/word-of-the-day, and zips built and taken
 * apart with libarchive (so a test can change one member and rebuild).
 * Include after <cmocka.h>. */
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "permit/package.h"
#include "tests/unit/test-files.h"

static inline void st_listdir(const char *dir, char *buf, size_t size) {
        struct dirent **names = NULL;
        size_t used = 0;
        int n = scandir(dir, &names, NULL, alphasort);

        assert_true(n >= 0);
        buf[0] = '\0';
        for (int i = 0; i < n; i++) {
                if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0 && used < size)
                        used += (size_t) snprintf(buf + used, size - used, "%s;", names[i]->d_name);
                free(names[i]);
        }
        free(names);
}

/* The example add-on's files, plus a subdirectory two levels deep, an empty
 * file and an executable: the package most tests sign. */
static const char *const st_example_files[] = { "README.md", "__init__.py", "manifest.json", "permit.json" };

static inline void st_make_package(const char *dir) {
        const char *root = getenv("PERMIT_SOURCE_ROOT");
        char *p;

        assert_non_null(root);
        for (size_t i = 0; i < sizeof(st_example_files) / sizeof(*st_example_files); i++) {
                char *src = NULL, *data;
                size_t len;

                assert_true(asprintf(&src, "%s/examples/word-of-the-day/%s", root, st_example_files[i]) > 0);
                data = test_read(src, &len);
                p = test_join(dir, st_example_files[i]);
                test_write(p, data, len);
                free(p);
                free(data);
                free(src);
        }
        p = test_join(dir, "lib");
        assert_int_equal(mkdir(p, 0755), 0);
        free(p);
        p = test_join(dir, "lib/data");
        assert_int_equal(mkdir(p, 0755), 0);
        free(p);
        p = test_join(dir, "lib/util.py");
        test_write_string(p, "def word():\n    return 'serendipity'\n");
        free(p);
        p = test_join(dir, "lib/data/words.txt");
        test_write_string(p, "serendipity\nephemeral\nlaconic\n");
        free(p);
        p = test_join(dir, "empty.txt");
        test_write(p, "", 0);
        free(p);
        p = test_join(dir, "run.sh");
        test_write_string(p, "#!/bin/sh\necho hi\n");
        assert_int_equal(chmod(p, 0755), 0);
        free(p);
}

/* A zip, member by member. */
typedef struct st_member {
        char *name;
        char *data; /* for a symlink: its target */
        size_t len;
        unsigned mode;
        bool symlink;
} st_member;

typedef struct st_zip {
        st_member *m;
        size_t n;
} st_zip;

static inline void st_zip_free(st_zip *z) {
        for (size_t i = 0; i < z->n; i++) {
                free(z->m[i].name);
                free(z->m[i].data);
        }
        free(z->m);
        z->m = NULL;
        z->n = 0;
}

static inline void st_zip_add(st_zip *z, const char *name, const void *data, size_t len, unsigned mode) {
        z->m = realloc(z->m, (z->n + 1) * sizeof(*z->m));
        assert_non_null(z->m);
        z->m[z->n] = (st_member) { .name = strdup(name), .data = malloc(len + 1), .len = len, .mode = mode };
        assert_non_null(z->m[z->n].name);
        assert_non_null(z->m[z->n].data);
        if (len)
                memcpy(z->m[z->n].data, data, len);
        z->m[z->n].data[len] = '\0';
        z->n++;
}

static inline st_member *st_zip_find(st_zip *z, const char *name) {
        for (size_t i = 0; i < z->n; i++)
                if (strcmp(z->m[i].name, name) == 0)
                        return &z->m[i];
        return NULL;
}

static inline void st_zip_remove(st_zip *z, const char *name) {
        st_member *m = st_zip_find(z, name);

        assert_non_null(m);
        free(m->name);
        free(m->data);
        memmove(m, m + 1, (size_t) (z->m + z->n - (m + 1)) * sizeof(*m));
        z->n--;
}

/* Reads a zip's regular files (through its central directory, as the
 * package reader does). Returns 0, or -1 if libarchive refuses it. */
static inline int st_zip_read(const char *path, st_zip *ret) {
        struct archive *a = archive_read_new();
        struct archive_entry *e;
        st_zip z = { 0 };
        int r = 0;

        assert_non_null(a);
        archive_read_support_format_zip_seekable(a);
        if (archive_read_open_filename(a, path, 16384) != ARCHIVE_OK) {
                archive_read_free(a);
                return -1;
        }
        for (;;) {
                char *data = NULL;
                size_t len = 0;
                int k = archive_read_next_header(a, &e);

                if (k == ARCHIVE_EOF)
                        break;
                if (k != ARCHIVE_OK) {
                        r = -1;
                        break;
                }
                if (archive_entry_filetype(e) != AE_IFREG)
                        continue;
                for (;;) {
                        char buf[16384];
                        la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
                        if (n < 0) {
                                r = -1;
                                break;
                        }
                        if (n == 0)
                                break;
                        data = realloc(data, len + (size_t) n);
                        assert_non_null(data);
                        memcpy(data + len, buf, (size_t) n);
                        len += (size_t) n;
                }
                if (r == 0)
                        st_zip_add(&z, archive_entry_pathname(e), data, len, archive_entry_perm(e));
                free(data);
                if (r < 0)
                        break;
        }
        archive_read_free(a);
        if (r < 0) {
                st_zip_free(&z);
                return r;
        }
        *ret = z;
        return 0;
}

/* Writes the members, in order, as a deflated zip. */
static inline void st_zip_write(const char *path, const st_zip *z) {
        struct archive *a = archive_write_new();

        assert_non_null(a);
        assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
        assert_int_equal(archive_write_zip_set_compression_deflate(a), ARCHIVE_OK);
        assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
        for (size_t i = 0; i < z->n; i++) {
                struct archive_entry *e = archive_entry_new();

                assert_non_null(e);
                archive_entry_set_pathname(e, z->m[i].name);
                archive_entry_set_mtime(e, 1700000000, 0);
                if (z->m[i].symlink) {
                        archive_entry_set_filetype(e, AE_IFLNK);
                        archive_entry_set_perm(e, 0777);
                        archive_entry_set_symlink(e, z->m[i].data);
                        archive_entry_set_size(e, 0);
                } else {
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_perm(e, z->m[i].mode ? z->m[i].mode : 0644);
                        archive_entry_set_size(e, (la_int64_t) z->m[i].len);
                }
                assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
                if (!z->m[i].symlink && z->m[i].len > 0)
                        assert_int_equal(archive_write_data(a, z->m[i].data, z->m[i].len), (la_ssize_t) z->m[i].len);
                archive_entry_free(e);
        }
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
}

/* The regular files under dir (relative names), as members. */
static inline void st_zip_from_dir_at(st_zip *z, const char *dir, const char *rel) {
        struct dirent **names = NULL;
        char *full = rel[0] ? test_join(dir, rel) : strdup(dir);
        int n;

        assert_non_null(full);
        n = scandir(full, &names, NULL, alphasort);
        assert_true(n >= 0);
        for (int i = 0; i < n; i++) {
                const char *name = names[i]->d_name;
                char *child_rel = NULL, *child;
                struct stat st;

                if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
                        free(names[i]);
                        continue;
                }
                if (rel[0])
                        assert_true(asprintf(&child_rel, "%s/%s", rel, name) > 0);
                else
                        child_rel = strdup(name);
                child = test_join(dir, child_rel);
                assert_int_equal(lstat(child, &st), 0);
                if (S_ISDIR(st.st_mode))
                        st_zip_from_dir_at(z, dir, child_rel);
                else {
                        size_t len;
                        char *data = test_read(child, &len);
                        st_zip_add(z, child_rel, data, len, st.st_mode & 0777);
                        free(data);
                }
                free(child);
                free(child_rel);
                free(names[i]);
        }
        free(names);
        free(full);
}

static inline void st_zip_from_dir(const char *dir, const char *zip) {
        st_zip z = { 0 };

        st_zip_from_dir_at(&z, dir, "");
        st_zip_write(zip, &z);
        st_zip_free(&z);
}

/* Both zips hold the same names with the same content (order aside). */
static inline bool st_zip_same(st_zip *a, st_zip *b) {
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++) {
                st_member *m = st_zip_find(b, a->m[i].name);
                if (!m || m->len != a->m[i].len || memcmp(m->data, a->m[i].data, m->len) != 0)
                        return false;
        }
        return true;
}

static inline size_t st_zip_count(const st_zip *z, const char *name) {
        size_t n = 0;

        for (size_t i = 0; i < z->n; i++)
                n += strcmp(z->m[i].name, name) == 0;
        return n;
}

/* Verifies; on failure checks the error's code, member path and text
 * (NULL: not checked). */
static inline void st_expect_verify(const permit_pubkey *pk, const char *pkg, int want, const char *path,
                                    const char *text) {
        permit_package_info *info = NULL;
        permit_error error;
        int r;

        permit_error_clear(&error);
        r = permit_package_verify(pk, pkg, NULL, &info, &error);
        if (r != want)
                printf("# %s: got %d, want %d (%s: %s)\n", pkg, r, want, error.path, error.text);
        assert_int_equal(r, want);
        if (want == 0) {
                assert_non_null(info);
                assert_true(permit_package_info_verified(info));
                permit_package_info_free(info);
                return;
        }
        assert_null(info);
        assert_string_equal(error.source, pkg);
        if (path)
                assert_string_equal(error.path, path);
        if (text)
                assert_string_equal(error.text, text);
}

/* Signs path with key as of 2026-11-21 (one hashing thread, no .minisig),
 * failing the test with the library's error. */
#define ST_SIGNED_AT 1795420800
static inline void st_sign(const permit_seckey *key, const char *path) {
        permit_sign_options o = { .signed_at = ST_SIGNED_AT, .threads = 1, .no_minisig = true };
        permit_error error;
        int r = permit_package_sign(key, path, &o, &error);

        if (r < 0)
                printf("# sign %s: %s: %s\n", path, error.path, error.text);
        assert_int_equal(r, 0);
}

/* The fixture most seal tests start from: a fresh temp dir holding the
 * package directory "addon" and, when asked, the same files zipped as
 * "addon.zip" (the name is set either way). */
static char *tmp, *pkg, *zip;

static inline void st_fixture_new(bool with_zip) {
        tmp = test_tempdir();
        pkg = test_join(tmp, "addon");
        assert_int_equal(mkdir(pkg, 0755), 0);
        st_make_package(pkg);
        zip = test_join(tmp, "addon.zip");
        if (with_zip)
                st_zip_from_dir(pkg, zip);
}

/* The fixture, with the directory and the zip both signed by sk and
 * checked to verify with pk: the starting point of every tamper test. */
static inline void st_fixture_signed(const permit_seckey *sk, const permit_pubkey *pk) {
        st_fixture_new(true);
        st_sign(sk, pkg);
        st_sign(sk, zip);
        st_expect_verify(pk, pkg, 0, NULL, NULL);
        st_expect_verify(pk, zip, 0, NULL, NULL);
}

static inline void st_fixture_free(void) {
        free(pkg);
        free(zip);
        test_rm_rf(tmp);
        pkg = zip = tmp = NULL;
}

/* PKG/name; four buffers in turn, so rename(at(a), at(b)) works. */
static inline char *at(const char *name) {
        static char paths[4][4096];
        static unsigned next;
        char *path = paths[next++ % 4];

        snprintf(path, sizeof(paths[0]), "%s/%s", pkg, name);
        return path;
}
