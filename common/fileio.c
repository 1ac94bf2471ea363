/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <sys/stat.h>

#include "error-private.h"
#include "fileio-private.h"
#include "util.h"

/* Reads fd to the end into buf (size max+1), refusing more than max bytes. */
static int read_all(int fd, char *buf, size_t max, size_t *ret_len) {
        size_t n = 0;

        for (;;) {
                ssize_t k = read(fd, buf + n, max + 1 - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (n > max)
                        return -EFBIG;
        }
        buf[n] = '\0';
        *ret_len = n;
        return 0;
}

static int open_regular(const char *path, size_t max, int *ret_fd, size_t *ret_size) {
        _cleanup_close_ int fd = -1;
        struct stat st;

        /* O_NONBLOCK: a fifo given as a file must be refused, not waited on. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if ((uint64_t) st.st_size > max)
                return -EFBIG;
        if (ret_size)
                *ret_size = (size_t) st.st_size;
        *ret_fd = steal_fd(&fd);
        return 0;
}

int permit_read_file(const char *path, size_t max, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, size = 0, cap;
        int r;

        r = open_regular(path, max, &fd, &size);
        if (r < 0)
                return r;
        /* A buffer of the size the file has now (and more if it grows while
         * read, up to max): one of max bytes for every small file cost more
         * than the read (the store reads its files at every open). */
        cap = size < max ? size + 1 : max;
        for (;;) {
                char *nb = realloc(buf, cap + 1);
                if (!nb)
                        return -ENOMEM;
                buf = nb;
                while (len <= cap) {
                        ssize_t k = read(fd, buf + len, cap + 1 - len);
                        if (k < 0) {
                                if (errno == EINTR)
                                        continue;
                                return negative_errno();
                        }
                        if (k == 0)
                                goto done;
                        len += (size_t) k;
                }
                /* filled past cap: it grew */
                if (len > max)
                        return -EFBIG;
                cap = cap > max / 2 ? max : 2 * cap;
        }
done:
        if (len > max)
                return -EFBIG;
        buf[len] = '\0';
        *ret = steal_pointer(&buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}

int permit_read_file_for(const char *path, size_t max, const char *what, char **ret, size_t *ret_len,
                         permit_error *error) {
        int r = permit_read_file(path, max, ret, ret_len);

        if (r < 0)
                return permit_error_set_at(error, r, path, NULL, r == -EFBIG ? "too large for a %s file" : "%s",
                                           r == -EFBIG ? what : strerror(-r));
        return 0;
}

int permit_read_secret_file(const char *path, size_t max, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -1;
        char *buf;
        size_t len = 0;
        int r;

        r = open_regular(path, max, &fd, NULL);
        if (r < 0)
                return r;
        buf = sodium_malloc(max + 1);
        if (!buf)
                return -ENOMEM;
        r = read_all(fd, buf, max, &len);
        if (r < 0) {
                sodium_free(buf);
                return r;
        }
        *ret = buf;
        if (ret_len)
                *ret_len = len;
        return 0;
}

int permit_tmpfile_beside(const char *path, int *ret_fd, char **ret_name) {
        _cleanup_free_ char *copy = NULL, *copy2 = NULL, *name = NULL;
        int fd;

        copy = strdup(path);
        copy2 = strdup(path);
        if (!copy || !copy2)
                return -ENOMEM;
        if (asprintf(&name, "%s/.%s.XXXXXX", dirname(copy), basename(copy2)) < 0) {
                name = NULL;
                return -ENOMEM;
        }
        fd = mkostemp(name, O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        *ret_fd = fd;
        *ret_name = steal_pointer(&name);
        return 0;
}

static int fsync_directory_of(const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        _cleanup_close_ int dfd = -1;

        if (!copy)
                return -ENOMEM;
        dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return negative_errno();
        if (fsync(dfd) < 0)
                return negative_errno();
        return 0;
}

int permit_commit_tmpfile(int fd, const char *tmp, const char *path) {
        if (fsync(fd) < 0)
                return negative_errno();
        if (rename(tmp, path) < 0)
                return negative_errno();
        return fsync_directory_of(path);
}

int permit_write_all(int fd, const void *data, size_t len) {
        const char *p = data;

        while (len > 0) {
                ssize_t k = write(fd, p, len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                p += k;
                len -= (size_t) k;
        }
        return 0;
}

int permit_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode, int exclusive) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *tmp = NULL;
        int r;

        if (exclusive && access(path, F_OK) == 0)
                return -EEXIST;
        r = permit_tmpfile_beside(path, &fd, &tmp);
        if (r < 0)
                return r;
        if (fchmod(fd, mode) < 0) {
                r = negative_errno();
                goto fail;
        }
        r = permit_write_all(fd, data, len);
        if (r < 0)
                goto fail;
        if (exclusive) {
                /* link() fails if path appeared meanwhile: no race replaces
                 * a key the user already has. */
                if (fsync(fd) < 0) {
                        r = negative_errno();
                        goto fail;
                }
                if (link(tmp, path) < 0) {
                        r = negative_errno();
                        goto fail;
                }
                unlink(tmp);
                return fsync_directory_of(path);
        }
        r = permit_commit_tmpfile(fd, tmp, path);
        if (r < 0)
                goto fail;
        return 0;
fail:
        unlink(tmp);
        return r;
}

int permit_mkdir_parents(const char *path, unsigned mode) {
        _cleanup_free_ char *p = strdup(path);

        if (!p)
                return -ENOMEM;
        for (char *q = p + 1; *q; q++) {
                if (*q != '/')
                        continue;
                *q = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return negative_errno();
                *q = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}
