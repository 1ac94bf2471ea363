/* SPDX-License-Identifier: MIT */
/* The directory reader against trees built in a temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "package-test.h"

static char root[64];

static int make_root(void **state) {
        (void) state;
        snprintf(root, sizeof(root), "/tmp/permit-dir-XXXXXX");
        return mkdtemp(root) ? 0 : -1;
}

static int remove_root(void **state) {
        (void) state;
        remove_tree(root);
        return 0;
}

static const char *at(const char *name) {
        static char path[4096];

        snprintf(path, sizeof(path), "%s/%s", root, name);
        return path;
}

static void put(const char *name, const char *data, mode_t mode) {
        int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, strlen(data)), (ssize_t) strlen(data));
        assert_int_equal(fchmod(fd, mode), 0);
        close(fd);
}

static void dir(const char *name) {
        assert_int_equal(mkdir(at(name), 0755), 0);
}

static void expect(const permit_package_limits *limits, int r, const char *path, const char *text) {
        permit_error error;
        char listing[4096];

        assert_int_equal(walk_package(root, limits, &error, listing, sizeof(listing), NULL), r);
        assert_string_equal(error.path, path);
        assert_string_equal(error.text, text);
        if (r < 0)
                assert_string_equal(error.source, root);
}

static void expect_listing(const char *want) {
        permit_error error;
        char listing[4096];
        int r;

        r = walk_package(root, NULL, &error, listing, sizeof(listing), NULL);
        if (r != 0)
                print_error("%s: %s\n", error.path, error.text);
        assert_int_equal(r, 0);
        assert_string_equal(listing, want);
}

static void test_sorted(void **state) {
        (void) state;
        put("b.txt", "bb", 0644);
        put("a.txt", "a", 0644);
        put("C.txt", "", 0644);
        dir("c");
        put("c/z", "z", 0755);
        put("c/a", "a", 0600);
        dir("c/empty");
        put("caf\xc3\xa9.py", "x", 0644);
        expect_listing("C.txt 0 644;a.txt 1 644;b.txt 2 644;c/a 1 644;c/z 1 755;caf\xc3\xa9.py 1 644;");

        permit_error error;
        package *p;
        assert_int_equal(package_open(root, NULL, &p, &error), 0);
        assert_int_equal(package_get_type(p), PACKAGE_DIRECTORY);
        package_free(p);
}

static void test_symlink(void **state) {
        (void) state;
        put("a.txt", "a", 0644);
        assert_int_equal(symlink("a.txt", at("link")), 0);
        expect(NULL, -EINVAL, "link", "symbolic link");
}

static void test_symlink_dir(void **state) {
        (void) state;
        dir("d");
        assert_int_equal(symlink("/etc", at("d/etc")), 0);
        expect(NULL, -EINVAL, "d/etc", "symbolic link");
}

static void test_fifo(void **state) {
        (void) state;
        assert_int_equal(mkfifo(at("fifo"), 0644), 0);
        expect(NULL, -EINVAL, "fifo", "fifo");
}

static void test_socket(void **state) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd;

        (void) state;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        assert_true(strlen(at("sock")) < sizeof(sa.sun_path));
        memcpy(sa.sun_path, at("sock"), strlen(at("sock")) + 1);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        close(fd);
        expect(NULL, -EINVAL, "sock", "socket");
}

static void test_hardlink(void **state) {
        (void) state;
        char target[4096];

        put("a.txt", "a", 0644);
        snprintf(target, sizeof(target), "%s", at("a.txt"));
        assert_int_equal(link(target, at("b.txt")), 0);
        expect(NULL, -EINVAL, "a.txt", "hard link");
}

static void test_case(void **state) {
        (void) state;
        put("A.py", "1", 0644);
        put("a.py", "2", 0644);
        expect(NULL, -EINVAL, "a.py", "names collide when case is ignored: 'A.py' and 'a.py'");
}

static void test_bad_names(void **state) {
        (void) state;
        put("a\\b", "1", 0644);
        expect(NULL, -EINVAL, "a\\\\b", "backslash in path");
        remove(at("a\\b"));
        put("a\nb", "1", 0644);
        expect(NULL, -EINVAL, "a\\x0ab", "control character in name");
        remove(at("a\nb"));
        put("bad\xff", "1", 0644);
        expect(NULL, -EINVAL, "bad\\xff", "name is not valid UTF-8");
}

static void test_deep(void **state) {
        permit_package_limits limits;
        char path[256] = "";

        (void) state;
        permit_package_limits_default(&limits);
        limits.max_depth = 3;
        for (int i = 0; i < 3; i++) {
                strcat(path, i ? "/d" : "d");
                dir(path);
        }
        put("d/d/d/f", "f", 0644);
        expect_listing("d/d/d/f 1 644;");
        expect(&limits, 0, "", "");
        strcat(path, "/d");
        dir(path);
        expect(&limits, -EINVAL, "d/d/d/d", "path deeper than 3 directories");
}

static void test_limits(void **state) {
        permit_package_limits limits;

        (void) state;
        permit_package_limits_default(&limits);
        put("a", "1234", 0644);
        put("b", "1234", 0644);
        put("c", "1234", 0644);
        limits.max_files = 2;
        expect(&limits, -EFBIG, "c", "too many files (limit 2)");
        permit_package_limits_default(&limits);
        limits.max_total_size = 10;
        expect(&limits, -EFBIG, "c", "total size over limit of 10 bytes");
}

/* The file grows or shrinks between package_next and the end of reading. */
static void check_changed(const char *more) {
        permit_error error;
        const char *path;
        uint64_t size;
        unsigned mode;
        package *p;
        char buf[64];
        ssize_t n;
        int fd;

        put("f", "0123456789", 0644);
        assert_int_equal(package_open(root, NULL, &p, &error), 0);
        assert_int_equal(package_next(p, &path, &size, &mode, &error), 1);
        assert_int_equal(size, 10);
        if (more) {
                fd = open(at("f"), O_WRONLY | O_APPEND | O_CLOEXEC);
                assert_int_equal(write(fd, more, strlen(more)), (ssize_t) strlen(more));
        } else {
                fd = open(at("f"), O_WRONLY | O_CLOEXEC);
                assert_int_equal(ftruncate(fd, 4), 0);
        }
        close(fd);
        do
                n = package_read(p, buf, sizeof(buf), &error);
        while (n > 0);
        assert_int_equal(n, -EIO);
        assert_string_equal(error.path, "f");
        assert_string_equal(error.text, "changed while being read");
        package_free(p);
}

static void test_grows(void **state) {
        (void) state;
        check_changed("more");
}

static void test_shrinks(void **state) {
        (void) state;
        check_changed(NULL);
}

static void test_open_errors(void **state) {
        permit_error error;
        package *p;

        (void) state;
        assert_int_equal(package_open(at("missing"), NULL, &p, &error), -ENOENT);
        assert_string_equal(error.source, at("missing"));
        put("plain.txt", "not a zip", 0644);
        assert_int_equal(package_open(at("plain.txt"), NULL, &p, &error), -EINVAL);
        assert_string_equal(error.text, "not a directory or a zip archive");
        assert_int_equal(package_open(at("plain.txt/x"), NULL, &p, &error), -ENOTDIR);
        /* A fifo given as the package: refused, without waiting for a writer. */
        assert_int_equal(mkfifo(at("fifo"), 0644), 0);
        assert_int_equal(package_open(at("fifo"), NULL, &p, &error), -EINVAL);
        assert_string_equal(error.text, "not a directory or a zip archive");
}

static int clean(void **state) {
        remove_root(state);
        return make_root(state);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_sorted, clean),
                cmocka_unit_test_setup(test_symlink, clean),
                cmocka_unit_test_setup(test_symlink_dir, clean),
                cmocka_unit_test_setup(test_fifo, clean),
                cmocka_unit_test_setup(test_socket, clean),
                cmocka_unit_test_setup(test_hardlink, clean),
                cmocka_unit_test_setup(test_case, clean),
                cmocka_unit_test_setup(test_bad_names, clean),
                cmocka_unit_test_setup(test_deep, clean),
                cmocka_unit_test_setup(test_limits, clean),
                cmocka_unit_test_setup(test_grows, clean),
                cmocka_unit_test_setup(test_shrinks, clean),
                cmocka_unit_test_setup(test_open_errors, clean),
        };

        return cmocka_run_group_tests_name("package-dir", tests, make_root, remove_root);
}
