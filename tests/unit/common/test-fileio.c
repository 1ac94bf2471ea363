/* SPDX-License-Identifier: MIT */
/* common/fileio.c: bounded reads that refuse what is not a regular file
 * (a fifo without waiting on it), and atomic writes that leave nothing
 * behind when they fail. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <sodium.h>

#include "fileio-private.h"
#include "permit/error.h"
#include "util.h"

static char dir[] = "/tmp/permit-test-fileio.XXXXXX";

static char *path_in_dir(const char *name) {
        char *p = NULL;

        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static void write_plain(const char *path, const char *data, size_t len) {
        FILE *f = fopen(path, "we");

        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
}

/* How many names d holds besides "." and "..", and the names as "a,b,"
 * in readdir() order (compared exactly only when there is one). */
static size_t list_dir(const char *d, char *buf, size_t size) {
        DIR *dp = opendir(d);
        struct dirent *e;
        size_t n = 0;

        assert_non_null(dp);
        buf[0] = '\0';
        while ((e = readdir(dp))) {
                if (streq(e->d_name, ".") || streq(e->d_name, ".."))
                        continue;
                n++;
                strncat(buf, e->d_name, size - strlen(buf) - 2);
                strcat(buf, ",");
        }
        closedir(dp);
        return n;
}

static void rm_dir_contents(const char *d) {
        DIR *dp = opendir(d);
        struct dirent *e;

        if (!dp)
                return;
        while ((e = readdir(dp))) {
                _cleanup_free_ char *p = NULL;
                struct stat st;

                if (streq(e->d_name, ".") || streq(e->d_name, ".."))
                        continue;
                if (asprintf(&p, "%s/%s", d, e->d_name) < 0)
                        abort();
                if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                        rm_dir_contents(p);
                        rmdir(p);
                } else
                        unlink(p);
        }
        closedir(dp);
}

static int setup(void **state) {
        (void) state;
        if (sodium_init() < 0 || !mkdtemp(dir))
                return -1;
        return 0;
}

static int teardown(void **state) {
        (void) state;
        rm_dir_contents(dir);
        return rmdir(dir);
}

/* Each test starts with an empty directory. */
static int clean(void **state) {
        (void) state;
        rm_dir_contents(dir);
        return 0;
}

/* --- permit_read_file ---------------------------------------------------- */

static void test_read(void **state) {
        _cleanup_free_ char *p = path_in_dir("f"), *buf = NULL, *buf2 = NULL;
        static const char data[] = "hello\0world\n";
        size_t len = 0;

        write_plain(p, data, sizeof(data) - 1);
        assert_int_equal(permit_read_file(p, 1024, &buf, &len), 0);
        assert_int_equal(len, sizeof(data) - 1);
        assert_memory_equal(buf, data, len);
        assert_int_equal(buf[len], '\0');
        /* Exactly max bytes is fine; ret_len may be NULL. */
        assert_int_equal(permit_read_file(p, sizeof(data) - 1, &buf2, NULL), 0);
        assert_memory_equal(buf2, data, sizeof(data) - 1);
}

static void test_read_empty(void **state) {
        _cleanup_free_ char *p = path_in_dir("empty"), *buf = NULL;
        size_t len = 99;

        write_plain(p, "", 0);
        assert_int_equal(permit_read_file(p, 0, &buf, &len), 0);
        assert_int_equal(len, 0);
        assert_string_equal(buf, "");
}

/* permit_read_file_for: the loaders' one-line errors, naming the file. */
static void test_read_for(void **state) {
        _cleanup_free_ char *p = path_in_dir("policy.json"), *missing = path_in_dir("none.json"), *buf = NULL;
        permit_error e;
        size_t len = 0;

        write_plain(p, "{}", 2);
        assert_int_equal(permit_read_file_for(p, 2, "policy", &buf, &len, &e), 0);
        assert_int_equal(len, 2);
        assert_int_equal(permit_read_file_for(p, 1, "policy", &buf, &len, &e), -EFBIG);
        assert_string_equal(e.source, p);
        assert_string_equal(e.text, "too large for a policy file");
        assert_int_equal(permit_read_file_for(missing, 10, "rotation", &buf, &len, &e), -ENOENT);
        assert_string_equal(e.source, missing);
        assert_string_equal(e.text, strerror(ENOENT));
        /* error may be NULL */
        assert_int_equal(permit_read_file_for(missing, 10, "rotation", &buf, &len, NULL), -ENOENT);
}

static void test_read_too_big(void **state) {
        _cleanup_free_ char *p = path_in_dir("big");
        char *buf = (char *) 0x1;
        size_t len = 77;

        write_plain(p, "0123456789", 10);
        assert_int_equal(permit_read_file(p, 9, &buf, &len), -EFBIG);
        assert_int_equal(permit_read_file(p, 0, &buf, &len), -EFBIG);
        assert_ptr_equal(buf, (char *) 0x1);
        assert_int_equal(len, 77);
}

static void test_read_not_regular(void **state) {
        _cleanup_free_ char *fifo = path_in_dir("fifo"), *missing = path_in_dir("missing"),
                           *in_missing = path_in_dir("missing/f");
        char *buf = (char *) 0x1;
        size_t len = 77;

        assert_int_equal(permit_read_file(dir, 1024, &buf, &len), -EISDIR);
        assert_int_equal(permit_read_file(missing, 1024, &buf, &len), -ENOENT);
        assert_int_equal(permit_read_file(in_missing, 1024, &buf, &len), -ENOENT);
        assert_int_equal(permit_read_file("/dev/null", 1024, &buf, &len), -EINVAL);

        /* A fifo with no writer: opening it for reading would block
         * forever without O_NONBLOCK. The alarm turns a hang into a
         * failure (SIGALRM kills the test) instead of a timeout. */
        assert_int_equal(mkfifo(fifo, 0600), 0);
        alarm(10);
        assert_int_equal(permit_read_file(fifo, 1024, &buf, &len), -EINVAL);
        /* And with a writer holding it open, with data waiting. */
        int w = open(fifo, O_RDWR | O_CLOEXEC);
        assert_true(w >= 0);
        assert_int_equal(write(w, "data", 4), 4);
        assert_int_equal(permit_read_file(fifo, 1024, &buf, &len), -EINVAL);
        close(w);
        alarm(0);
        assert_ptr_equal(buf, (char *) 0x1);
        assert_int_equal(len, 77);
}

static void test_read_symlink(void **state) {
        _cleanup_free_ char *target = path_in_dir("target"), *link = path_in_dir("link"), *dangling = path_in_dir("dangling"),
                           *buf = NULL;
        char *nothing = (char *) 0x1;
        size_t len = 0;

        /* A link to a regular file reads it (keys are often symlinked). */
        write_plain(target, "abc", 3);
        assert_int_equal(symlink("target", link), 0);
        assert_int_equal(permit_read_file(link, 16, &buf, &len), 0);
        assert_string_equal(buf, "abc");
        assert_int_equal(symlink("nowhere", dangling), 0);
        assert_int_equal(permit_read_file(dangling, 16, &nothing, &len), -ENOENT);
}

static void test_read_secret(void **state) {
        _cleanup_free_ char *p = path_in_dir("secret");
        char *buf = NULL;
        size_t len = 0;

        write_plain(p, "password\n", 9);
        assert_int_equal(permit_read_secret_file(p, 64, &buf, &len), 0);
        assert_int_equal(len, 9);
        assert_string_equal(buf, "password\n");
        sodium_free(buf);
        buf = (char *) 0x1;
        assert_int_equal(permit_read_secret_file(p, 8, &buf, &len), -EFBIG);
        assert_int_equal(permit_read_secret_file(dir, 8, &buf, &len), -EISDIR);
        assert_ptr_equal(buf, (char *) 0x1);
}

/* --- permit_write_file_atomic -------------------------------------------- */

static void assert_file(const char *p, const char *data, unsigned mode) {
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0;

        assert_int_equal(lstat(p, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 07777, mode);
        assert_int_equal(permit_read_file(p, 1 << 20, &buf, &len), 0);
        assert_int_equal(len, strlen(data));
        assert_string_equal(buf, data);
}

static void test_write(void **state) {
        _cleanup_free_ char *p = path_in_dir("key"), *q = path_in_dir("pub"), *e = path_in_dir("empty");
        char names[256];
        mode_t old = umask(0077);

        /* The mode is what was asked, whatever the umask. */
        assert_int_equal(permit_write_file_atomic(p, "secret", 6, 0600, 1), 0);
        assert_file(p, "secret", 0600);
        assert_int_equal(permit_write_file_atomic(q, "public", 6, 0644, 0), 0);
        assert_file(q, "public", 0644);
        assert_int_equal(permit_write_file_atomic(e, "", 0, 0640, 1), 0);
        assert_file(e, "", 0640);
        umask(old);
        /* No temp files beside them. */
        assert_int_equal(list_dir(dir, names, sizeof(names)), 3);
}

static void test_write_replace(void **state) {
        _cleanup_free_ char *p = path_in_dir("f");
        char names[256];

        assert_int_equal(permit_write_file_atomic(p, "one", 3, 0644, 0), 0);
        assert_int_equal(permit_write_file_atomic(p, "two!", 4, 0600, 0), 0);
        assert_file(p, "two!", 0600);
        assert_int_equal(list_dir(dir, names, sizeof(names)), 1);
        assert_string_equal(names, "f,");
}

static void test_write_exclusive(void **state) {
        _cleanup_free_ char *p = path_in_dir("key"), *l = path_in_dir("link");
        char names[256];

        assert_int_equal(permit_write_file_atomic(p, "first", 5, 0600, 1), 0);
        assert_int_equal(permit_write_file_atomic(p, "second", 6, 0644, 1), -EEXIST);
        assert_file(p, "first", 0600);
        assert_int_equal(list_dir(dir, names, sizeof(names)), 1);

        /* A dangling symlink is something there too: access() says there is
         * nothing, so it is link() that refuses; the temp file goes. */
        assert_int_equal(symlink("nowhere", l), 0);
        assert_int_equal(permit_write_file_atomic(l, "x", 1, 0600, 1), -EEXIST);
        assert_int_equal(list_dir(dir, names, sizeof(names)), 2);
        assert_null(strstr(names, ".link."));
}

static void test_write_failures_leave_nothing(void **state) {
        _cleanup_free_ char *missing = path_in_dir("missing/f"), *sub = path_in_dir("sub"), *sub_f = path_in_dir("sub/f");
        char names[256];

        /* No directory to write in. */
        assert_int_equal(permit_write_file_atomic(missing, "x", 1, 0644, 0), -ENOENT);
        assert_int_equal(permit_write_file_atomic(missing, "x", 1, 0644, 1), -ENOENT);
        assert_int_equal(list_dir(dir, names, sizeof(names)), 0);

        /* The temp file is made, then the rename over a non-empty
         * directory fails: the temp file must be removed. */
        assert_int_equal(mkdir(sub, 0755), 0);
        write_plain(sub_f, "x", 1);
        assert_true(permit_write_file_atomic(sub, "data", 4, 0644, 0) < 0);
        assert_int_equal(list_dir(dir, names, sizeof(names)), 1);
        assert_string_equal(names, "sub,");
        assert_int_equal(list_dir(sub, names, sizeof(names)), 1);
        /* Same with exclusive (refused before any temp file). */
        assert_int_equal(permit_write_file_atomic(sub, "data", 4, 0644, 1), -EEXIST);
        assert_int_equal(list_dir(dir, names, sizeof(names)), 1);
}

static void test_tmpfile_beside(void **state) {
        _cleanup_free_ char *p = path_in_dir("pkg.zip"), *name = NULL, *prefix = path_in_dir(".pkg.zip.");
        int fd = -1;

        assert_int_equal(permit_tmpfile_beside(p, &fd, &name), 0);
        assert_true(fd >= 0);
        assert_true(startswith(name, prefix));
        assert_int_equal(write(fd, "zip", 3), 3);
        assert_int_equal(permit_commit_tmpfile(fd, name, p), 0);
        close(fd);
        assert_int_equal(access(name, F_OK), -1);
        assert_file(p, "zip", 0600);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_read, clean),
                cmocka_unit_test_setup(test_read_empty, clean),
                cmocka_unit_test_setup(test_read_too_big, clean),
                cmocka_unit_test_setup(test_read_for, clean),
                cmocka_unit_test_setup(test_read_not_regular, clean),
                cmocka_unit_test_setup(test_read_symlink, clean),
                cmocka_unit_test_setup(test_read_secret, clean),
                cmocka_unit_test_setup(test_write, clean),
                cmocka_unit_test_setup(test_write_replace, clean),
                cmocka_unit_test_setup(test_write_exclusive, clean),
                cmocka_unit_test_setup(test_write_failures_leave_nothing, clean),
                cmocka_unit_test_setup(test_tmpfile_beside, clean),
        };
        return cmocka_run_group_tests_name("common-fileio", tests, setup, teardown);
}
