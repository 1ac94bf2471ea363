/* SPDX-License-Identifier: MIT */
/* Unpacking a verified zip into a staging directory, and removing trees.
 * The zip was verified first (archive rules, seal), so this is the second
 * line: every path is walked component by component with openat() below
 * the staging directory, never following a link, never replacing a file;
 * and the unpacked directory is verified again before it is installed. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "client-private.h"
#include "error-private.h"
#include "fileio-private.h"
#include "util.h"

static bool component_ok(const char *c, size_t n) {
        return n > 0 && !(n == 1 && c[0] == '.') && !(n == 2 && c[0] == '.' && c[1] == '.');
}

/* Opens (making it when missing) each directory of path below root; the
 * last component is returned in *ret_last when is_dir is false. */
static int walk(int root, const char *path, bool is_dir, int *ret_dirfd, const char **ret_last) {
        int dirfd = dup(root);
        const char *p = path;

        if (dirfd < 0)
                return -errno;
        if (*p == '/')
                goto bad;
        for (;;) {
                const char *slash = strchr(p, '/');
                size_t n = slash ? (size_t) (slash - p) : strlen(p);
                char name[256];
                int next;

                if (!slash && !is_dir) {
                        if (!component_ok(p, n) || n >= sizeof(name))
                                goto bad;
                        *ret_dirfd = dirfd;
                        *ret_last = p;
                        return 0;
                }
                if (n == 0 && !slash)
                        break; /* a directory's trailing '/' */
                if (!component_ok(p, n) || n >= sizeof(name))
                        goto bad;
                memcpy(name, p, n);
                name[n] = '\0';
                if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST) {
                        int r = -errno;
                        close(dirfd);
                        return r;
                }
                next = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                close(dirfd);
                if (next < 0)
                        return -errno;
                dirfd = next;
                if (!slash || !slash[1])
                        break;
                p = slash + 1;
        }
        *ret_dirfd = dirfd;
        *ret_last = NULL;
        return 0;
bad:
        close(dirfd);
        return -EINVAL;
}

int client_unpack(const char *zip, const char *dir, permit_error *error) {
        struct archive *a = archive_read_new();
        struct archive_entry *e;
        _cleanup_close_ int root = -1;
        char buf[65536];
        int r = 0;

        if (!a)
                return -ENOMEM;
        root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (root < 0) {
                r = permit_error_set_at(error, negative_errno(), dir, NULL, "cannot open the staging directory");
                goto out;
        }
        archive_read_support_format_zip(a);
        if (archive_read_open_filename(a, zip, 65536) != ARCHIVE_OK) {
                r = permit_error_set_at(error, -EINVAL, zip, NULL, "%s", archive_error_string(a));
                goto out;
        }
        for (;;) {
                const char *name, *last = NULL;
                _cleanup_close_ int dirfd = -1, fd = -1;
                mode_t type;
                la_ssize_t n;

                r = archive_read_next_header(a, &e);
                if (r == ARCHIVE_EOF) {
                        r = 0;
                        break;
                }
                if (r != ARCHIVE_OK) {
                        r = permit_error_set_at(error, -EINVAL, zip, NULL, "%s", archive_error_string(a));
                        break;
                }
                name = archive_entry_pathname(e);
                type = archive_entry_filetype(e);
                if (!name || (type != AE_IFREG && type != AE_IFDIR)) {
                        r = permit_error_set_at(error, -EINVAL, zip, name, "not a regular file or directory");
                        break;
                }
                r = walk(root, name, type == AE_IFDIR, &dirfd, &last);
                if (r < 0) {
                        r = permit_error_set_at(error, r, zip, name, "cannot unpack: %s", strerror(-r));
                        break;
                }
                if (type == AE_IFDIR)
                        continue;
                fd = openat(dirfd, last, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                            (archive_entry_perm(e) & 0111) ? 0755 : 0644);
                if (fd < 0) {
                        r = permit_error_set_at(error, negative_errno(), zip, name, "cannot unpack: %s",
                                                strerror(errno));
                        break;
                }
                while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
                        r = permit_write_all(fd, buf, (size_t) n);
                        if (r < 0)
                                break;
                }
                if (n < 0 || r < 0) {
                        r = permit_error_set_at(error, r < 0 ? r : -EINVAL, zip, name, "cannot unpack: %s",
                                                r < 0 ? strerror(-r) : archive_error_string(a));
                        break;
                }
                if (fsync(fd) < 0) {
                        r = permit_error_set_at(error, negative_errno(), zip, name, "cannot write: %s",
                                                strerror(errno));
                        break;
                }
        }
out:
        archive_read_free(a);
        return r;
}

static int remove_below(int dirfd) {
        DIR *d = fdopendir(dirfd);
        struct dirent *de;
        int r = 0;

        if (!d) {
                close(dirfd);
                return -errno;
        }
        while ((de = readdir(d))) {
                struct stat st;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = -errno;
                        continue;
                }
                if (S_ISDIR(st.st_mode)) {
                        int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub < 0 || remove_below(sub) < 0 || unlinkat(dirfd, de->d_name, AT_REMOVEDIR) < 0)
                                r = -EIO;
                } else if (unlinkat(dirfd, de->d_name, 0) < 0)
                        r = -errno;
        }
        closedir(d);
        return r;
}

int client_remove_tree(const char *path) {
        struct stat st;
        int fd, r;

        if (lstat(path, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return unlink(path) < 0 ? -errno : 0;
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = remove_below(fd);
        if (rmdir(path) < 0 && r >= 0)
                r = -errno;
        return r;
}
