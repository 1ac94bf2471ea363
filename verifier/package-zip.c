/* SPDX-License-Identifier: MIT */
/* Reading a zip package with libarchive's seekable zip reader (the central
 * directory, as unzip and Python's zipfile read it) and nothing else: no
 * other format, no filter. Each entry's type is judged here; the rules on
 * names, counts and sizes are package.c's. Data is inflated only into the
 * caller's buffer, with the ratio of bytes produced to archive bytes
 * consumed checked after every read. The CRC-32 of each member is checked
 * here, with libdeflate's CRC-32 (libarchive's, through zlib's portable
 * code, was a fifth of verifying 10,000 small files); libarchive is told to
 * skip its own. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libdeflate.h>
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
        /* The central directory as read by us, sorted by local header
         * offset: libarchive returns members in that order, so entry k of
         * libarchive is central[k]. */
        struct central_entry *central;
        uint64_t n_central;
        /* The current member: its CRC-32 as the central directory gives
         * it, and the CRC-32 of the bytes produced so far. */
        uint32_t expected_crc, crc;
        /* C.UTF-8 while libarchive runs: member names flagged UTF-8 are
         * then read as UTF-8 whatever locale the caller set (libarchive
         * otherwise converts them to the process locale, and refuses
         * non-ASCII names in the C locale). (locale_t) 0 when missing. */
        locale_t utf8;
};

/* ---- The central directory, read independently ------------------------ *
 *
 * libarchive takes each member's name from its local header and keeps one
 * member per local header offset, while unzip and Python's zipfile list the
 * central directory. Reading the central directory here and checking that
 * libarchive saw the same members with the same names makes an archive
 * that the two would read differently an error. */

typedef struct central_entry {
        uint64_t offset;
        uint32_t crc;
        char *name;
        /* For package_zip_read_member(): how the data is stored, where it
         * starts (after the local header), its sizes. */
        uint16_t method;
        uint64_t data_offset, csize, usize;
} central_entry;

static uint16_t le16(const unsigned char *p) {
        return (uint16_t) (p[0] | (p[1] << 8));
}

static uint32_t le32(const unsigned char *p) {
        return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

static int compare_offsets(const void *a, const void *b) {
        const central_entry *x = a, *y = b;
        return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int read_exact(int fd, void *buf, size_t size, uint64_t offset) {
        ssize_t n = pread(fd, buf, size, (off_t) offset);
        return n == (ssize_t) size ? 0 : -EIO;
}

/* General purpose flags: encrypted (bit 0), strong encryption (6), UTF-8
 * name (11), masked local header (13). */
#define ZIP_FLAGS_MUST_MATCH 0x2841u

static int read_central(package *p, permit_error *error) {
        package_zip *z = p->zip;
        enum { EOCD = 22, MAX_COMMENT = 65535, CDH = 46, LFH = 30 };
        _cleanup_free_ unsigned char *tail = NULL, *cd = NULL;
        uint64_t tail_size = z->archive_size < EOCD + MAX_COMMENT ? z->archive_size : EOCD + MAX_COMMENT;
        uint64_t tail_start = z->archive_size - tail_size, eocd = UINT64_MAX, entries, cd_size, cd_offset, pos;
        const unsigned char *e;

        if (tail_size < EOCD)
                return package_fail(error, -EIO, "", "no end of central directory record");
        tail = malloc(tail_size);
        if (!tail)
                return -ENOMEM;
        if (read_exact(z->fd, tail, tail_size, tail_start) < 0)
                return package_fail(error, -EIO, "", "cannot read the central directory");
        /* Exactly one end record, ending the file with its comment. */
        for (uint64_t i = 0; i + EOCD <= tail_size; i++) {
                if (memcmp(tail + i, "PK\x05\x06", 4) != 0)
                        continue;
                if (eocd != UINT64_MAX)
                        return package_fail(error, -EINVAL, "", "more than one end of central directory record");
                eocd = i;
        }
        if (eocd == UINT64_MAX)
                return package_fail(error, -EIO, "", "no end of central directory record");
        e = tail + eocd;
        if (eocd + EOCD + le16(e + 20) != tail_size)
                return package_fail(error, -EINVAL, "", "data after the end of central directory record");
        if (le16(e + 4) == 0xffff || le16(e + 10) == 0xffff || le32(e + 12) == 0xffffffff ||
            le32(e + 16) == 0xffffffff || (eocd >= 20 && memcmp(e - 20, "PK\x06\x07", 4) == 0))
                return package_fail(error, -EINVAL, "", "zip64 archives are not supported");
        if (le16(e + 4) != 0 || le16(e + 6) != 0 || le16(e + 8) != le16(e + 10))
                return package_fail(error, -EINVAL, "", "multi-disk archives are not supported");
        entries = le16(e + 10);
        cd_size = le32(e + 12);
        cd_offset = le32(e + 16);
        if (cd_offset + cd_size != tail_start + eocd)
                return package_fail(error, -EIO, "", "central directory not where its end record says");
        /* As many files and as many directories as a package may hold. */
        if (entries / 2 > p->limits.max_files)
                return package_fail(error, -EFBIG, "", "too many files (limit %" PRIu64 ")", p->limits.max_files);

        /* One read for the whole central directory (bounded: a directory
         * this large holds far more than max_files entries' worth), one per
         * local header: 10,000 members no longer cost 40,000 syscalls. */
        if (cd_size > 64 * 1024 * 1024)
                return package_fail(error, -EFBIG, "", "central directory larger than 64 MiB");
        cd = malloc(cd_size ? cd_size : 1);
        if (!cd)
                return -ENOMEM;
        if (read_exact(z->fd, cd, cd_size, cd_offset) < 0)
                return package_fail(error, -EIO, "", "cannot read the central directory");
        z->central = calloc(entries ? entries : 1, sizeof(*z->central));
        if (!z->central)
                return -ENOMEM;
        pos = cd_offset;
        for (uint64_t k = 0; k < entries; k++) {
                const unsigned char *h = cd + (pos - cd_offset);
                _cleanup_free_ unsigned char *local = NULL;
                size_t len;

                if (pos + CDH > cd_offset + cd_size || memcmp(h, "PK\x01\x02", 4) != 0)
                        return package_fail(error, -EIO, "", "damaged central directory");
                len = le16(h + 28);
                z->central[k].name = calloc(1, len + 1);
                if (!z->central[k].name)
                        return -ENOMEM;
                z->n_central = k + 1;
                if (pos + CDH + len > cd_offset + cd_size)
                        return package_fail(error, -EIO, "", "damaged central directory");
                memcpy(z->central[k].name, h + CDH, len);
                if (strlen(z->central[k].name) != len)
                        return package_fail(error, -EINVAL, z->central[k].name, "NUL byte in name");
                z->central[k].offset = le32(h + 42);
                z->central[k].crc = le32(h + 16);

                /* The local header must carry the same name. */
                local = malloc(LFH + len);
                if (!local)
                        return -ENOMEM;
                if (z->central[k].offset + LFH + len > cd_offset ||
                    read_exact(z->fd, local, LFH + len, z->central[k].offset) < 0 ||
                    memcmp(local, "PK\x03\x04", 4) != 0)
                        return package_fail(error, -EIO, z->central[k].name, "damaged local header");
                if (le16(local + 26) != len || memcmp(local + LFH, z->central[k].name, len) != 0)
                        return package_fail(error, -EINVAL, z->central[k].name,
                                            "name in local header differs from central directory");
                /* And the same compression method and the flags that say
                 * how the bytes are read: libarchive takes them from the
                 * local header, unzip and zipfile from the central one. */
                if (le16(local + 8) != le16(h + 10) || ((le16(local + 6) ^ le16(h + 8)) & ZIP_FLAGS_MUST_MATCH))
                        return package_fail(error, -EINVAL, z->central[k].name,
                                            "compression method or flags in local header differ from central "
                                            "directory");
                /* libarchive compares the two CRCs (a local one of 0 is
                 * "in the central directory") only when it checks CRCs
                 * itself; it is told not to (package_zip_read does). */
                if (le32(local + 14) != 0 && le32(local + 14) != z->central[k].crc)
                        return package_fail(error, -EIO, z->central[k].name, "Inconsistent CRC32 values");
                z->central[k].method = le16(h + 10);
                z->central[k].csize = le32(h + 20);
                z->central[k].usize = le32(h + 24);
                z->central[k].data_offset = z->central[k].offset + LFH + len + le16(local + 28);
                pos += CDH + len + le16(h + 30) + le16(h + 32);
        }
        if (pos != cd_offset + cd_size)
                return package_fail(error, -EIO, "", "damaged central directory");

        qsort(z->central, entries, sizeof(*z->central), compare_offsets);
        for (uint64_t k = 1; k < entries; k++)
                if (z->central[k].offset == z->central[k - 1].offset)
                        return package_fail(error, -EINVAL, z->central[k].name,
                                            "members share a local header (overlapping entries)");
        return 0;
}

/* libarchive's k-th member must be the central directory's (by offset). */
static int match_central(package_zip *z, const char *name, permit_error *error) {
        const char *raw;
        size_t len;

        if (z->entries > z->n_central)
                return package_fail(error, -EIO, name, "member not in the central directory");
        raw = z->central[z->entries - 1].name;
        if (streq(raw, name))
                return 0;
        len = strlen(raw);
        /* libarchive gives a directory-typed member a trailing '/';
         * extractors would write a file. */
        if (strlen(name) == len + 1 && strncmp(raw, name, len) == 0 && name[len] == '/')
                return package_fail(error, -EINVAL, raw, "directory entry without a trailing '/'");
        if (strchr(raw, '\\'))
                return package_fail(error, -EINVAL, raw, "backslash in path");
        return package_fail(error, -EINVAL, raw, "name read differently from the central directory "
                                                 "(not in Unicode normalization form C?)");
}

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
        for (uint64_t k = 0; k < z->n_central; k++)
                free(z->central[k].name);
        free(z->central);
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

        r = read_central(p, error);
        if (r < 0)
                return r;

        z->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);

        old = enter(z);
        z->a = archive_read_new();
        if (!z->a) {
                leave(old);
                return -ENOMEM;
        }
        if (archive_read_support_format_zip_seekable(z->a) != ARCHIVE_OK ||
            archive_read_set_format_option(z->a, "zip", "ignorecrc32", "1") != ARCHIVE_OK ||
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
                if (r == ARCHIVE_EOF) {
                        if (z->entries - 1 != z->n_central)
                                return package_fail(error, -EIO, "",
                                                    "central directory lists %" PRIu64 " members, libarchive read %" PRIu64,
                                                    z->n_central, z->entries - 1);
                        return 0;
                }

                name = r > ARCHIVE_FATAL && e ? archive_entry_pathname(e) : NULL;
                /* No name from libarchive: the central directory's, raw. */
                if (!name && (z->entries <= z->n_central ? !(anonymous = strdup(z->central[z->entries - 1].name))
                                                          : asprintf(&anonymous, "member #%" PRIu64, z->entries) < 0))
                        return -ENOMEM;
                if (r == ARCHIVE_WARN && !name)
                        /* A name flagged UTF-8 that is not. */
                        return package_fail(error, -EINVAL, anonymous, "name is not valid UTF-8");
                if (r != ARCHIVE_OK)
                        return archive_fail(z, error, -EIO, name ? name : anonymous);
                if (!name)
                        return package_fail(error, -EINVAL, anonymous, "name is not valid UTF-8");
                r = match_central(z, name, error);
                if (r < 0)
                        return r;

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
                z->expected_crc = z->central[z->entries - 1].crc;
                z->crc = 0;
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
                /* Where libarchive would check it, in its words. */
                if (z->crc != z->expected_crc)
                        return package_fail(error, -EIO, p->path, "ZIP bad CRC: 0x%lx should be 0x%lx",
                                            (unsigned long) z->crc, (unsigned long) z->expected_crc);
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
        z->crc = libdeflate_crc32(z->crc, buf, (size_t) n);
        p->produced += (uint64_t) n;
        p->produced_total += (uint64_t) n;
        if (check_ratio(p, error) < 0)
                return -EFBIG;
        return n;
}

int package_zip_read_member(package *p, const char *name, size_t max, char **ret, size_t *ret_len) {
        package_zip *z = p->zip;
        const central_entry *c = NULL;
        _cleanup_free_ unsigned char *raw = NULL;
        _cleanup_free_ char *out = NULL;
        size_t in_used = 0, out_len = 0;

        if (z->empty)
                return 0;
        for (uint64_t k = 0; k < z->n_central && !c; k++)
                if (streq(z->central[k].name, name))
                        c = &z->central[k];
        /* Only a plain member that lies before the central directory. */
        if (!c || (c->method != 0 && c->method != 8) || c->usize > max || c->csize > max ||
            c->data_offset + c->csize > z->archive_size)
                return 0;
        raw = malloc(c->csize ? c->csize : 1);
        out = malloc(c->usize + 1);
        if (!raw || !out)
                return -ENOMEM;
        if (read_exact(z->fd, raw, c->csize, c->data_offset) < 0)
                return 0;
        if (c->method == 0) {
                if (c->csize != c->usize)
                        return 0;
                memcpy(out, raw, c->csize);
                out_len = c->csize;
        } else {
                struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
                enum libdeflate_result lr;

                if (!d)
                        return -ENOMEM;
                lr = libdeflate_deflate_decompress_ex(d, raw, c->csize, out, c->usize, &in_used, &out_len);
                libdeflate_free_decompressor(d);
                if (lr != LIBDEFLATE_SUCCESS || in_used != c->csize)
                        return 0;
        }
        if (out_len != c->usize || libdeflate_crc32(0, out, out_len) != c->crc)
                return 0;
        out[out_len] = '\0';
        *ret = steal_pointer(&out);
        *ret_len = out_len;
        return 1;
}
