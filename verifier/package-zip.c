/* SPDX-License-Identifier: MIT */
/* Reading a zip package with libarchive's seekable zip reader (the central
 * directory, as unzip and Python's zipfile read it) and nothing else: no
 * other format, no filter. Each entry's type is judged here; the rules on
 * names, counts and sizes are package.c's. Data is inflated only into the
 * caller's buffer, with the ratio of bytes produced to archive bytes
 * consumed checked after every read. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <inttypes.h>
#include <locale.h>
#include <sys/stat.h>

#include "package-backend-private.h"
#include "util.h"

/* libarchive's own read size. */
#define ZIP_BLOCK_SIZE (64 * 1024)

struct package_zip {
        struct archive *a;
        int fd;
        uint64_t archive_size;
        uint64_t entries; /* headers read, to name a member without a usable name */
        bool empty;       /* an archive of no members, libarchive not used */
        /* C.UTF-8 while libarchive runs: member names flagged UTF-8 are
         * then read as UTF-8 whatever locale the caller set (libarchive
         * otherwise converts them to the process locale, and refuses
         * non-ASCII names in the C locale). (locale_t) 0 when missing. */
        locale_t utf8;
};

static locale_t enter(const package_zip *z) {
        return z->utf8 ? uselocale(z->utf8) : (locale_t) 0;
}

static void leave(locale_t old) {
        if (old)
                uselocale(old);
}

void package_zip_free(package_zip *z) {
        if (!z)
                return;
        if (z->a) {
                locale_t old = enter(z);
                archive_read_free(z->a);
                leave(old);
        }
        if (z->utf8)
                freelocale(z->utf8);
        closep(&z->fd);
        free(z);
}

/* libarchive's message for the last failure, without its trailing
 * newline (some have one). */
static int archive_fail(package_zip *z, permit_error *error, int r, const char *path) {
        const char *m = archive_error_string(z->a);
        int len;

        if (!m || !*m)
                m = "unreadable zip archive";
        len = (int) strnlen(m, PERMIT_ERROR_TEXT_LENGTH);
        while (len > 0 && (m[len - 1] == '\n' || m[len - 1] == ' '))
                len--;
        return package_fail(error, r, path, "%.*s", len, m);
}

int package_zip_open(package *p, int fd, const char *path, permit_error *error) {
        unsigned char magic[4];
        package_zip *z;
        struct stat st;
        ssize_t n;
        locale_t old;
        int r;

        z = calloc(1, sizeof(*z));
        if (!z) {
                close(fd);
                return -ENOMEM;
        }
        z->fd = fd;
        p->zip = z;

        if (fstat(fd, &st) < 0) {
                r = negative_errno();
                return package_fail(error, r, "", "cannot stat: %s", strerror(-r));
        }
        z->archive_size = (uint64_t) st.st_size;

        /* A zip by its content, not its name: a local file header, or the
         * end record of an empty archive. */
        n = pread(fd, magic, sizeof(magic), 0);
        if (n < 0) {
                r = negative_errno();
                return package_fail(error, -EIO, "", "cannot read: %s", strerror(-r));
        }
        if (n != (ssize_t) sizeof(magic) ||
            (memcmp(magic, "PK\x03\x04", 4) != 0 && memcmp(magic, "PK\x05\x06", 4) != 0))
                return package_fail(error, -EINVAL, "", "not a directory or a zip archive");

        /* An empty archive is its end record alone, which libarchive does
         * not recognise: 22 bytes, no entries, no comment. */
        if (memcmp(magic, "PK\x05\x06", 4) == 0) {
                static const unsigned char empty[22] = { 'P', 'K', 5, 6 };
                unsigned char record[22];

                if (z->archive_size != sizeof(record) || pread(fd, record, sizeof(record), 0) != sizeof(record) ||
                    memcmp(record, empty, sizeof(record)) != 0)
                        return package_fail(error, -EIO, "", "not a valid empty zip archive");
                z->empty = true;
                return 0;
        }

        /* The archive is a regular file: clear O_NONBLOCK from opening it. */
        (void) fcntl(fd, F_SETFL, 0);

        z->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);

        old = enter(z);
        z->a = archive_read_new();
        if (!z->a) {
                leave(old);
                return -ENOMEM;
        }
        if (archive_read_support_format_zip_seekable(z->a) != ARCHIVE_OK ||
            archive_read_open_fd(z->a, fd, ZIP_BLOCK_SIZE) != ARCHIVE_OK) {
                r = archive_fail(z, error, -EIO, "");
                leave(old);
                return r;
        }
        leave(old);
        return 0;
}

static int refuse_type(struct archive_entry *e, const char *path, permit_error *error) {
        switch (archive_entry_filetype(e)) {
        case AE_IFLNK:
                return package_fail(error, -EINVAL, path, "symbolic link");
        case AE_IFCHR:
        case AE_IFBLK:
                return package_fail(error, -EINVAL, path, "device file");
        case AE_IFIFO:
                return package_fail(error, -EINVAL, path, "fifo");
        case AE_IFSOCK:
                return package_fail(error, -EINVAL, path, "socket");
        default:
                return package_fail(error, -EINVAL, path, "not a regular file or directory");
        }
}

/* A directory's entry ("d/"): checked, recorded, not returned. */
static int directory_entry(package *p, struct archive_entry *e, const char *name, permit_error *error) {
        size_t len = strlen(name);
        _cleanup_free_ char *path = NULL;
        int r;

        if (len == 0 || name[len - 1] != '/') {
                r = package_check_path_full(name, true, &p->limits, error);
                if (r < 0)
                        return r;
                return package_fail(error, -EINVAL, name, "directory entry without a trailing '/'");
        }
        path = len > 1 ? strndup(name, len - 1) : strdup(name);
        if (!path)
                return -ENOMEM;
        r = package_check_path_full(path, true, &p->limits, error);
        if (r < 0) {
                /* Name the member as the archive does, "d/". */
                if (error)
                        package_escape(error->path, sizeof(error->path), name);
                return r;
        }
        if (archive_entry_size_is_set(e) && archive_entry_size(e) != 0)
                return package_fail(error, -EINVAL, name, "directory entry with data");
        return package_add_directory(p, path, true, error);
}

int package_zip_next(package *p, unsigned *ret_mode, permit_error *error) {
        package_zip *z = p->zip;

        if (z->empty)
                return 0;
        for (;;) {
                struct archive_entry *e = NULL;
                _cleanup_free_ char *anonymous = NULL;
                const char *name;
                locale_t old;
                int64_t size;
                size_t len;
                int r;

                z->entries++;
                old = enter(z);
                r = archive_read_next_header(z->a, &e);
                leave(old);
                if (r == ARCHIVE_EOF)
                        return 0;

                name = r > ARCHIVE_FATAL && e ? archive_entry_pathname(e) : NULL;
                if (!name && asprintf(&anonymous, "member #%" PRIu64, z->entries) < 0)
                        return -ENOMEM;
                if (r == ARCHIVE_WARN && !name)
                        /* A name flagged UTF-8 that is not. */
                        return package_fail(error, -EINVAL, anonymous, "name is not valid UTF-8");
                if (r != ARCHIVE_OK)
                        return archive_fail(z, error, -EIO, name ? name : anonymous);
                if (!name)
                        return package_fail(error, -EINVAL, anonymous, "name is not valid UTF-8");

                len = strlen(name);
                if (archive_entry_filetype(e) == AE_IFDIR || (len > 0 && name[len - 1] == '/')) {
                        if (archive_entry_filetype(e) != AE_IFDIR && archive_entry_filetype(e) != AE_IFREG &&
                            archive_entry_filetype(e) != 0)
                                return refuse_type(e, name, error);
                        if (archive_entry_hardlink(e))
                                return package_fail(error, -EINVAL, name, "hard link");
                        r = directory_entry(p, e, name, error);
                        if (r < 0)
                                return r;
                        continue;
                }

                r = package_check_path_full(name, false, &p->limits, error);
                if (r < 0)
                        return r;
                if (archive_entry_hardlink(e))
                        return package_fail(error, -EINVAL, name, "hard link");
                /* No type bits (Python's ZipFile.writestr writes 0600) is a
                 * regular file, as every extractor takes it. */
                if (archive_entry_filetype(e) != AE_IFREG && archive_entry_filetype(e) != 0)
                        return refuse_type(e, name, error);
                if (archive_entry_is_encrypted(e))
                        return package_fail(error, -EINVAL, name, "encrypted entry");
                if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0)
                        return package_fail(error, -EIO, name, "size not recorded");
                size = archive_entry_size(e);

                r = package_count_file(p, name, (uint64_t) size, error);
                if (r < 0)
                        return r;
                r = package_add_file(p, name, error);
                if (r < 0)
                        return r;

                free(p->path);
                p->path = strdup(name);
                if (!p->path)
                        return -ENOMEM;
                p->size = (uint64_t) size;
                *ret_mode = (unsigned) archive_entry_perm(e);
                return 1;
        }
}

static int check_ratio(package *p, permit_error *error) {
        package_zip *z = p->zip;
        int64_t consumed = archive_filter_bytes(z->a, -1);
        uint64_t base, allowed;

        /* What was read of the archive, never more than the archive, never
         * less than the slack that lets a tiny archive hold a few
         * compressible files. */
        base = consumed > 0 ? (uint64_t) consumed : 0;
        if (base > z->archive_size)
                base = z->archive_size;
        if (base < PACKAGE_RATIO_SLACK)
                base = PACKAGE_RATIO_SLACK;
        if (__builtin_mul_overflow(base, p->limits.max_ratio, &allowed))
                allowed = UINT64_MAX;
        if (p->produced_total > allowed)
                return package_fail(error, -EFBIG, p->path, "compression ratio over %" PRIu64 ":1 (zip bomb?)",
                                    p->limits.max_ratio);
        if (p->produced_total > p->limits.max_total_size)
                return package_fail(error, -EFBIG, p->path, "total size over limit of %" PRIu64 " bytes",
                                    p->limits.max_total_size);
        return 0;
}

ssize_t package_zip_read(package *p, void *buf, size_t size, permit_error *error) {
        package_zip *z = p->zip;
        uint64_t remaining = p->size - p->produced;
        locale_t old;
        la_ssize_t n;

        if (remaining == 0) {
                char c;

                /* The declared end: libarchive must have nothing more, and
                 * now checks the CRC. */
                old = enter(z);
                n = archive_read_data(z->a, &c, 1);
                leave(old);
                if (n < 0)
                        return archive_fail(z, error, -EIO, p->path);
                if (n > 0)
                        return package_fail(error, -EIO, p->path, "data longer than its declared size");
                return 0;
        }

        if (size > remaining)
                size = (size_t) remaining;
        old = enter(z);
        n = archive_read_data(z->a, buf, size);
        leave(old);
        if (n < 0)
                return archive_fail(z, error, -EIO, p->path);
        if (n == 0)
                return package_fail(error, -EIO, p->path, "data shorter than its declared size");
        p->produced += (uint64_t) n;
        p->produced_total += (uint64_t) n;
        if (check_ratio(p, error) < 0)
                return -EFBIG;
        return n;
}
