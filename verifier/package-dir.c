/* SPDX-License-Identifier: MIT */
/* Walking a directory package: every step relative to an open directory
 * (openat, fstatat without following), every file opened O_NOFOLLOW and
 * checked to be the file that was looked at, each directory's entries in
 * bytewise order, recursion no deeper than max_depth. */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "package-backend-private.h"
#include "util.h"

typedef struct dir_level {
        DIR *dir;      /* its fd serves the *at calls */
        char *path;    /* this directory's path in the package, "" at the top */
        char **names;  /* its entries, sorted */
        size_t n;
        size_t next;
} dir_level;

struct package_dir {
        dir_level *levels;
        size_t depth; /* levels in use */
        size_t allocated;
        int fd;          /* the current file */
        struct stat st;  /* the current file, as opened */
};

static void level_clear(dir_level *l) {
        if (l->dir)
                closedir(l->dir);
        for (size_t i = 0; i < l->n; i++)
                free(l->names[i]);
        free(l->names);
        free(l->path);
        memset(l, 0, sizeof(*l));
}

void package_dir_free(package_dir *d) {
        if (!d)
                return;
        while (d->depth > 0)
                level_clear(&d->levels[--d->depth]);
        free(d->levels);
        closep(&d->fd);
        free(d);
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int changed(permit_error *error, const char *path) {
        return package_fail(error, -EIO, path, "changed while being read");
}

/* Reads the directory open at fd (taken over) into a new level. */
static int push_level(package *p, int fd, const char *path, permit_error *error) {
        package_dir *d = p->dir;
        dir_level l = { .path = strdup(path) };
        size_t allocated = 0;
        struct dirent *de;
        int r;

        if (!l.path) {
                close(fd);
                return -ENOMEM;
        }
        l.dir = fdopendir(fd);
        if (!l.dir) {
                r = negative_errno();
                close(fd);
                level_clear(&l);
                return package_fail(error, r, path, "cannot read directory: %s", strerror(-r));
        }
        for (;;) {
                errno = 0;
                de = readdir(l.dir);
                if (!de) {
                        if (errno != 0) {
                                r = negative_errno();
                                level_clear(&l);
                                return package_fail(error, r, path, "cannot read directory: %s", strerror(-r));
                        }
                        break;
                }
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                /* Bounds the memory a huge directory can take: as many
                 * files and as many directories as a package may hold. */
                if (l.n / 2 >= p->limits.max_files) {
                        level_clear(&l);
                        return package_fail(error, -EFBIG, path, "too many files (limit %" PRIu64 ")",
                                            p->limits.max_files);
                }
                if (l.n == allocated) {
                        size_t more = allocated ? allocated * 2 : 16;
                        char **names = reallocarray(l.names, more, sizeof(*names));

                        if (!names) {
                                level_clear(&l);
                                return -ENOMEM;
                        }
                        l.names = names;
                        allocated = more;
                }
                l.names[l.n] = strdup(de->d_name);
                if (!l.names[l.n]) {
                        level_clear(&l);
                        return -ENOMEM;
                }
                l.n++;
        }
        if (l.n > 0)
                qsort(l.names, l.n, sizeof(*l.names), compare_names);

        if (d->depth == d->allocated) {
                size_t more = d->allocated ? d->allocated * 2 : 8;
                dir_level *levels = reallocarray(d->levels, more, sizeof(*levels));

                if (!levels) {
                        level_clear(&l);
                        return -ENOMEM;
                }
                d->levels = levels;
                d->allocated = more;
        }
        d->levels[d->depth++] = l;
        return 0;
}

int package_dir_open(package *p, int fd, const char *path, permit_error *error) {
        p->dir = calloc(1, sizeof(*p->dir));
        if (!p->dir) {
                close(fd);
                return -ENOMEM;
        }
        p->dir->fd = -1;
        return push_level(p, fd, "", error);
}

static bool same_file(const struct stat *a, const struct stat *b) {
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino && (a->st_mode & S_IFMT) == (b->st_mode & S_IFMT);
}

static int refuse_type(mode_t mode, const char *path, permit_error *error) {
        if (S_ISLNK(mode))
                return package_fail(error, -EINVAL, path, "symbolic link");
        if (S_ISCHR(mode) || S_ISBLK(mode))
                return package_fail(error, -EINVAL, path, "device file");
        if (S_ISFIFO(mode))
                return package_fail(error, -EINVAL, path, "fifo");
        if (S_ISSOCK(mode))
                return package_fail(error, -EINVAL, path, "socket");
        return package_fail(error, -EINVAL, path, "not a regular file or directory");
}

static int enter_directory(package *p, int parent, const char *name, const char *path, const struct stat *st,
                           permit_error *error) {
        _cleanup_close_ int fd = -1;
        struct stat opened;
        int r;

        r = package_check_path_full(path, true, &p->limits, error);
        if (r < 0)
                return r;
        r = package_add_directory(p, path, true, error);
        if (r < 0)
                return r;
        fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                r = negative_errno();
                if (r == -ELOOP || r == -ENOTDIR)
                        return changed(error, path);
                return package_fail(error, r, path, "cannot open: %s", strerror(-r));
        }
        if (fstat(fd, &opened) < 0) {
                r = negative_errno();
                return package_fail(error, r, path, "cannot stat: %s", strerror(-r));
        }
        if (!same_file(st, &opened))
                return changed(error, path);
        return push_level(p, steal_fd(&fd), path, error);
}

static int open_file(package *p, int parent, const char *name, const char *path, const struct stat *st,
                     permit_error *error) {
        package_dir *d = p->dir;
        _cleanup_close_ int fd = -1;
        int r;

        r = package_check_path_full(path, false, &p->limits, error);
        if (r < 0)
                return r;
        if (st->st_nlink > 1)
                return package_fail(error, -EINVAL, path, "hard link");
        if (st->st_size < 0)
                return changed(error, path);
        r = package_count_file(p, path, (uint64_t) st->st_size, error);
        if (r < 0)
                return r;
        r = package_add_file(p, path, error);
        if (r < 0)
                return r;

        /* O_NONBLOCK: a fifo swapped in after fstatat must not block us. */
        fd = openat(parent, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                r = negative_errno();
                if (r == -ELOOP)
                        return changed(error, path);
                return package_fail(error, r, path, "cannot open: %s", strerror(-r));
        }
        if (fstat(fd, &d->st) < 0) {
                r = negative_errno();
                return package_fail(error, r, path, "cannot stat: %s", strerror(-r));
        }
        if (!same_file(st, &d->st) || d->st.st_nlink > 1 || d->st.st_size != st->st_size)
                return changed(error, path);

        closep(&d->fd);
        d->fd = steal_fd(&fd);
        return 0;
}

static char *join(const char *dir, const char *name) {
        char *s;

        if (asprintf(&s, "%s%s%s", dir, dir[0] ? "/" : "", name) < 0)
                return NULL;
        return s;
}

int package_dir_next(package *p, unsigned *ret_mode, permit_error *error) {
        package_dir *d = p->dir;

        closep(&d->fd);
        d->fd = -1;
        while (d->depth > 0) {
                dir_level *l = &d->levels[d->depth - 1];
                _cleanup_free_ char *path = NULL;
                const char *name;
                struct stat st;
                int r;

                if (l->next == l->n) {
                        level_clear(l);
                        d->depth--;
                        continue;
                }
                name = l->names[l->next++];
                path = join(l->path, name);
                if (!path)
                        return -ENOMEM;

                if (fstatat(dirfd(l->dir), name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = negative_errno();
                        if (r == -ENOENT)
                                return changed(error, path);
                        return package_fail(error, r, path, "cannot stat: %s", strerror(-r));
                }

                if (S_ISDIR(st.st_mode)) {
                        /* l may move when the stack grows. */
                        r = enter_directory(p, dirfd(l->dir), name, path, &st, error);
                        if (r < 0)
                                return r;
                        continue;
                }
                r = package_check_path_full(path, false, &p->limits, error);
                if (r < 0)
                        return r;
                if (!S_ISREG(st.st_mode))
                        return refuse_type(st.st_mode, path, error);

                r = open_file(p, dirfd(l->dir), name, path, &st, error);
                if (r < 0)
                        return r;
                free(p->path);
                p->path = steal_pointer(&path);
                p->size = (uint64_t) st.st_size;
                *ret_mode = (unsigned) st.st_mode;
                return 1;
        }
        return 0;
}

ssize_t package_dir_read(package *p, void *buf, size_t size, permit_error *error) {
        package_dir *d = p->dir;
        uint64_t remaining = p->size - p->produced;
        ssize_t n;
        int r;

        if (remaining == 0) {
                struct stat st;
                char c;

                /* The declared end: there must be nothing more. */
                do
                        n = read(d->fd, &c, 1);
                while (n < 0 && errno == EINTR);
                if (n < 0) {
                        r = negative_errno();
                        return package_fail(error, -EIO, p->path, "cannot read: %s", strerror(-r));
                }
                if (n > 0)
                        return changed(error, p->path);
                if (fstat(d->fd, &st) < 0) {
                        r = negative_errno();
                        return package_fail(error, r, p->path, "cannot stat: %s", strerror(-r));
                }
                if (st.st_size != d->st.st_size)
                        return changed(error, p->path);
                return 0;
        }

        if (size > remaining)
                size = (size_t) remaining;
        do
                n = read(d->fd, buf, size);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
                r = negative_errno();
                return package_fail(error, -EIO, p->path, "cannot read: %s", strerror(-r));
        }
        if (n == 0)
                return changed(error, p->path);
        p->produced += (uint64_t) n;
        p->produced_total += (uint64_t) n;
        return n;
}
