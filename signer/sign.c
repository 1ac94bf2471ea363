/* SPDX-License-Identifier: MIT */
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <time.h>

#include "fileio-private.h"
#include "permit/minisig.h"
#include "scan-private.h"

/* The new archive a signed zip is written to, member by member, while the
 * scan reads and hashes the old one. */
typedef struct zip_writer {
        struct archive *a;
        int64_t mtime;
        permit_error *error;
} zip_writer;

static int zip_fail(zip_writer *w, const char *what) {
        return permit_error_set(w->error, -EIO, NULL, "cannot write the signed archive (%s): %s", what,
                                archive_error_string(w->a) ? archive_error_string(w->a) : "unknown error");
}

static int zip_add_header(zip_writer *w, const char *path, uint64_t size, unsigned mode) {
        struct archive_entry *e = archive_entry_new();
        int r;

        if (!e)
                return -ENOMEM;
        archive_entry_set_pathname_utf8(e, path);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, (mode & S_IXUSR) ? 0755 : 0644);
        archive_entry_set_size(e, (la_int64_t) size);
        archive_entry_set_mtime(e, (time_t) w->mtime, 0);
        r = archive_write_header(w->a, e);
        archive_entry_free(e);
        return r == ARCHIVE_OK ? 0 : zip_fail(w, "header");
}

static int zip_begin(void *userdata, const char *path, uint64_t size, unsigned mode) {
        return zip_add_header(userdata, path, size, mode);
}

static int zip_data(void *userdata, const void *buf, size_t len) {
        zip_writer *w = userdata;
        const char *p = buf;

        while (len > 0) {
                la_ssize_t k = archive_write_data(w->a, p, len);
                if (k <= 0)
                        return zip_fail(w, "data");
                p += k;
                len -= (size_t) k;
        }
        return 0;
}

static int zip_end(void *userdata) {
        zip_writer *w = userdata;
        return archive_write_finish_entry(w->a) == ARCHIVE_OK ? 0 : zip_fail(w, "entry");
}

static void archive_write_freep(struct archive **a) {
        if (*a)
                archive_write_free(*a);
}

static void seal_freep(seal **s) {
        seal_free(*s);
}

static void manifest_freep(permit_manifest **m) {
        permit_manifest_free(*m);
}

/* Builds and signs the seal of what the scan found, after the checks
 * every signed package must pass. */
static int make_seal(const permit_seckey *sk, const char *pkg_path, scan_result *res, int64_t signed_at,
                     char **ret_text, size_t *ret_len, permit_error *error) {
        _cleanup_(seal_freep) seal *s = NULL;
        _cleanup_(manifest_freep) permit_manifest *m = NULL;
        _cleanup_free_ char *source = NULL;
        const char *entry;
        bool have_entry = false;
        int r;

        if (!res->manifest)
                return permit_error_set_at(error, -EINVAL, pkg_path, NULL, "no %s in the package", PERMIT_MANIFEST_NAME);
        if (asprintf(&source, "%s/%s", pkg_path, PERMIT_MANIFEST_NAME) < 0)
                return -ENOMEM;
        r = permit_manifest_parse(res->manifest, res->manifest_len, source, &m, error);
        if (r < 0)
                return r;
        entry = permit_manifest_entry(m);
        for (size_t i = 0; i < res->n_files; i++)
                have_entry = have_entry || streq(res->files[i].path, entry);
        if (!have_entry) {
                return permit_error_set_at(error, -EINVAL, source, "entry", "'%s' is not a file of the package", entry);
        }

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        r = permit_manifest_digest(m, s->manifest);
        if (r < 0)
                return r;
        s->signed_at = signed_at > 0 ? signed_at : (int64_t) time(NULL);
        /* The seal borrows the scan's file list for signing. */
        s->files = res->files;
        s->n_files = res->n_files;
        r = seal_sign(s, sk, ret_text, ret_len);
        s->files = NULL;
        s->n_files = 0;
        return r;
}

static int sign_directory(const permit_seckey *sk, const char *dir, const permit_sign_options *o,
                          permit_error *error) {
        _cleanup_(scan_result_done) scan_result res = { 0 };
        _cleanup_free_ char *text = NULL, *sig_path = NULL;
        size_t len;
        int r;

        r = package_scan(dir, o->limits, true, o->threads, NULL, &res, error);
        if (r < 0)
                return r;
        r = make_seal(sk, dir, &res, o->signed_at, &text, &len, error);
        if (r < 0)
                return r;
        if (asprintf(&sig_path, "%s/%s", dir, PERMIT_SEAL_NAME) < 0)
                return -ENOMEM;
        r = permit_write_file_atomic(sig_path, text, len, 0644, 0);
        if (r < 0)
                return permit_error_set_at(error, r, sig_path, NULL, "cannot write the seal: %s", strerror(-r));
        return 0;
}

static int sign_zip(const permit_seckey *sk, const char *zip, const permit_sign_options *o, permit_error *error) {
        _cleanup_(scan_result_done) scan_result res = { 0 };
        _cleanup_(archive_write_freep) struct archive *a = NULL;
        _cleanup_free_ char *text = NULL, *tmp = NULL, *sig_path = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;
        zip_writer w = { .error = error };
        scan_hooks hooks = { .begin = zip_begin, .data = zip_data, .end = zip_end, .userdata = &w };
        size_t len;
        int r;

        r = permit_tmpfile_beside(zip, &fd, &tmp);
        if (r < 0)
                return permit_error_set_at(error, r, zip, NULL, "cannot create a temporary file beside it: %s",
                                           strerror(-r));
        /* Keep the archive's permissions. */
        if (stat(zip, &st) == 0)
                (void) fchmod(fd, st.st_mode & 0777);

        a = archive_write_new();
        if (!a) {
                r = -ENOMEM;
                goto fail;
        }
        w.a = a;
        w.mtime = o->signed_at > 0 ? o->signed_at : (int64_t) time(NULL);
        if (archive_write_set_format_zip(a) != ARCHIVE_OK || archive_write_zip_set_compression_deflate(a) != ARCHIVE_OK ||
            archive_write_set_options(a, "zip:hdrcharset=UTF-8") != ARCHIVE_OK ||
            archive_write_open_fd(a, fd) != ARCHIVE_OK) {
                r = zip_fail(&w, "open");
                permit_error_set_source(error, r, zip);
                goto fail;
        }

        r = package_scan(zip, o->limits, true, o->threads, &hooks, &res, error);
        if (r < 0) {
                permit_error_set_source(error, r, zip);
                goto fail;
        }
        r = make_seal(sk, zip, &res, w.mtime, &text, &len, error);
        if (r < 0)
                goto fail;
        r = zip_add_header(&w, PERMIT_SEAL_NAME, len, 0644);
        if (r == 0)
                r = zip_data(&w, text, len);
        if (r == 0)
                r = zip_end(&w);
        if (r == 0 && archive_write_close(a) != ARCHIVE_OK)
                r = zip_fail(&w, "close");
        if (r < 0) {
                permit_error_set_source(error, r, zip);
                goto fail;
        }
        r = permit_commit_tmpfile(fd, tmp, zip);
        if (r < 0) {
                permit_error_set_at(error, r, zip, NULL, "cannot replace the archive: %s", strerror(-r));
                goto fail;
        }

        if (o->no_minisig)
                return 0;
        if (asprintf(&sig_path, "%s.minisig", zip) < 0)
                return -ENOMEM;
        return permit_minisig_sign_file(sk, zip, sig_path, NULL, error);
fail:
        unlink(tmp);
        return r;
}

_public_ int permit_package_sign(const permit_seckey *sk, const char *pkg_path, const permit_sign_options *options,
                                 permit_error *error) {
        permit_sign_options defaults = { 0 };
        struct stat st;

        if (!sk || !pkg_path)
                return permit_error_set(error, -EINVAL, NULL, "no key or no package given");
        permit_error_clear(error);
        if (!options)
                options = &defaults;
        if (stat(pkg_path, &st) < 0) {
                int r = negative_errno();
                return permit_error_set_at(error, r, pkg_path, NULL, "%s", strerror(-r));
        }
        if (S_ISDIR(st.st_mode))
                return sign_directory(sk, pkg_path, options, error);
        return sign_zip(sk, pkg_path, options, error);
}
