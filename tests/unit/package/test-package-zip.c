/* SPDX-License-Identifier: MIT */
/* The zip reader against one hostile archive per rule, and good ones.
 * make-zips.py writes them into a temporary directory at setup. */
#include <errno.h>
#include <sys/wait.h>

#include "package-test.h"

static char zips[] = "/tmp/permit-zips-XXXXXX";

static int make_zips(void **state) {
        const char *python = getenv("PERMIT_PYTHON");
        const char *script = getenv("PERMIT_MAKE_ZIPS");
        int status;
        pid_t pid;

        (void) state;
        if (!python || !script || !mkdtemp(zips))
                return -1;
        pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                execl(python, python, script, zips, (char *) NULL);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -1;
        return 0;
}

static int remove_zips(void **state) {
        (void) state;
        remove_tree(zips);
        return 0;
}

static char *zip_path(const char *name) {
        static char path[512];

        snprintf(path, sizeof(path), "%s/%s", zips, name);
        return path;
}

typedef struct zip_case {
        const char *file;
        uint64_t max_files; /* 0: default */
        uint64_t max_total; /* 0: default */
        int r;
        const char *path; /* NULL: not checked */
        const char *text;
} zip_case;

static void check_case(const zip_case *c) {
        permit_package_limits limits;
        permit_error error;
        char listing[4096];
        int r;

        permit_package_limits_default(&limits);
        if (c->max_files)
                limits.max_files = c->max_files;
        if (c->max_total)
                limits.max_total_size = c->max_total;
        r = walk_package(zip_path(c->file), &limits, &error, listing, sizeof(listing), NULL);
        assert_int_equal(r, c->r);
        if (c->path)
                assert_string_equal(error.path, c->path);
        assert_string_equal(error.text, c->text);
        assert_string_equal(error.source, zip_path(c->file));
}

#define HOSTILE(fn, ...)                                       \
        static void fn(void **state) {                         \
                (void) state;                                  \
                check_case(&(const zip_case) { __VA_ARGS__ }); \
        }

/* Path rules. */
HOSTILE(test_absolute, "absolute.zip", 0, 0, -EINVAL, "/etc/passwd", "absolute path")
HOSTILE(test_dotdot, "dotdot.zip", 0, 0, -EINVAL, "a/../../evil.py", "'..' in path")
HOSTILE(test_backslash, "backslash.zip", 0, 0, -EINVAL, "d/a\\\\b.py", "backslash in path")
HOSTILE(test_empty_component, "empty-component.zip", 0, 0, -EINVAL, "a//b.py", "empty component in path")
HOSTILE(test_dot, "dot.zip", 0, 0, -EINVAL, "./a.py", "'.' in path")
HOSTILE(test_non_utf8, "non-utf8.zip", 0, 0, -EINVAL, "bad\\xff.py", "name is not valid UTF-8")
HOSTILE(test_non_utf8_flagged, "non-utf8-flagged.zip", 0, 0, -EINVAL, "bad\\xff.py", "name is not valid UTF-8")
HOSTILE(test_backslash_only, "backslash-only.zip", 0, 0, -EINVAL, "a\\\\b.py", "backslash in path")
HOSTILE(test_nfd, "nfd.zip", 0, 0, -EINVAL, "cafe\xcc\x81.py",
        "name read differently from the central directory (not in Unicode normalization form C?)")
HOSTILE(test_control, "control.zip", 0, 0, -EINVAL, "a\\x01b.py", "control character in name")
HOSTILE(test_long_path, "long-path.zip", 0, 0, -EINVAL, NULL, "path longer than 1024 bytes")
HOSTILE(test_deep, "deep.zip", 0, 0, -EINVAL, NULL, "path deeper than 32 directories")
/* Types. A zip cannot hold a hard link as libarchive reads zips: its zip
 * reader never sets one, so there is no hardlink archive to test. */
HOSTILE(test_symlink, "symlink.zip", 0, 0, -EINVAL, "link", "symbolic link")
HOSTILE(test_device, "device.zip", 0, 0, -EINVAL, "dev", "device file")
HOSTILE(test_socket, "socket.zip", 0, 0, -EINVAL, "sock", "socket")
HOSTILE(test_dir_data, "dir-data.zip", 0, 0, -EINVAL, "d/", "directory entry with data")
HOSTILE(test_dir_no_slash, "dir-no-slash.zip", 0, 0, -EINVAL, "d", "directory entry without a trailing '/'")
HOSTILE(test_encrypted, "encrypted.zip", 0, 0, -EINVAL, "secret.py", "encrypted entry")
/* Names. */
HOSTILE(test_duplicate, "duplicate.zip", 0, 0, -EINVAL, "a.py", "duplicate name")
HOSTILE(test_duplicate_dir, "duplicate-dir.zip", 0, 0, -EINVAL, "d", "duplicate name")
HOSTILE(test_case, "case.zip", 0, 0, -EINVAL, "a.py", "names collide when case is ignored: 'A.py' and 'a.py'")
HOSTILE(test_case_dir, "case-dir.zip", 0, 0, -EINVAL, "d/y.py", "names collide when case is ignored: 'D' and 'd'")
HOSTILE(test_file_dir, "file-dir.zip", 0, 0, -EINVAL, "a/b", "'a' is both a file and a directory")
HOSTILE(test_dir_file, "dir-file.zip", 0, 0, -EINVAL, "a", "'a' is both a file and a directory")
/* Read differently by libarchive (local headers, one member per local
 * header) and by unzip or Python (the central directory). */
HOSTILE(test_local_name, "local-name.zip", 0, 0, -EINVAL, "central.py",
        "name in local header differs from central directory")
HOSTILE(test_overlap, "overlap.zip", 0, 0, -EINVAL, "a.py", "members share a local header (overlapping entries)")
/* Limits. */
HOSTILE(test_too_many, "too-many.zip", 10, 0, -EFBIG, "f10.txt", "too many files (limit 10)")
HOSTILE(test_total_size, "total-size.zip", 0, 2500, -EFBIG, "s2.bin", "total size over limit of 2500 bytes")
HOSTILE(test_bomb, "bomb.zip", 0, 0, -EFBIG, "bomb.bin", "compression ratio over 200:1 (zip bomb?)")
HOSTILE(test_bomb_small_declared, "bomb-small-declared.zip", 0, 0, -EIO, "liar.bin",
        "data longer than its declared size")
HOSTILE(test_short, "short.zip", 0, 0, -EIO, "short.txt", "ZIP uncompressed data is wrong size (read 50, expected 100)")
HOSTILE(test_long, "long.zip", 0, 0, -EIO, "long.txt", "data longer than its declared size")
HOSTILE(test_bad_crc, "bad-crc.zip", 0, 0, -EIO, "crc.txt", "ZIP bad CRC: 0x3610a686 should be 0x12345678")
HOSTILE(test_bad_crc_local, "bad-crc-local.zip", 0, 0, -EIO, "crc.txt", "Inconsistent CRC32 values")
HOSTILE(test_bad_crc_local_zero, "bad-crc-local-zero.zip", 0, 0, -EIO, "crc.txt",
        "ZIP bad CRC: 0x3610a686 should be 0x12345678")
/* Not zips, or broken ones. */
HOSTILE(test_truncated, "truncated.zip", 0, 0, -EIO, "", "no end of central directory record")
HOSTILE(test_garbage, "garbage.zip", 0, 0, -EINVAL, "", "not a directory or a zip archive")
HOSTILE(test_garbage_pk, "garbage-pk.zip", 0, 0, -EIO, "", "no end of central directory record")
HOSTILE(test_empty_file, "empty-file.zip", 0, 0, -EINVAL, "", "not a directory or a zip archive")

static void check_good(const char *file, const char *expected) {
        permit_error error;
        char listing[4096];
        int r;

        r = walk_package(zip_path(file), NULL, &error, listing, sizeof(listing), NULL);
        if (r != 0)
                print_error("%s: %s: %s\n", file, error.path, error.text);
        assert_int_equal(r, 0);
        assert_string_equal(listing, expected);
}

static void test_good(void **state) {
        (void) state;
        check_good("good.zip", "permit.json 28 644;d/a.py 11 755;d/e/b.txt 2 644;caf\xc3\xa9.py 8 644;"
                               "empty.txt 0 644;big.txt 131072 644;");
}

static void test_good_empty(void **state) {
        (void) state;
        check_good("good-empty.zip", "");
}

static void test_good_writestr(void **state) {
        (void) state;
        check_good("good-writestr.zip", "plain.txt 6 644;"); /* mode 0600, no type bits */
}

/* A local CRC of 0 defers to the central directory's, which is right. */
static void test_crc_local_zero(void **state) {
        (void) state;
        check_good("crc-local-zero.zip", "crc.txt 5 644;");
}

static void test_good_windows(void **state) {
        (void) state;
        check_good("good-windows.zip", "w.txt 2 644;");
}

/* What libarchive makes of this, pinned so a change is seen: an Info-ZIP
 * fifo is read as a regular file (so is it extracted). */
static void test_libarchive_fifo(void **state) {
        (void) state;
        check_good("fifo.zip", "fifo 1 644;");
}

/* A member read ahead, straight from the archive, before its turn. */
static void test_peek(void **state) {
        static const char want[] = "{\"id\": \"org.example.addon\"}\n";
        permit_error error;
        char *text = NULL;
        size_t len = 0;
        package *p;

        (void) state;
        assert_int_equal(package_open(zip_path("good.zip"), NULL, &p, &error), 0);
        assert_int_equal(package_peek_member(p, "permit.json", 1024, &text, &len), 1);
        assert_int_equal(len, strlen(want));
        assert_string_equal(text, want);
        free(text);
        /* Deflated, 128 KiB. */
        assert_int_equal(package_peek_member(p, "big.txt", 1 << 20, &text, &len), 1);
        assert_int_equal(len, 131072);
        free(text);
        /* Too large, missing: not read. */
        assert_int_equal(package_peek_member(p, "big.txt", 1000, &text, &len), 0);
        assert_int_equal(package_peek_member(p, "nope", 1024, &text, &len), 0);
        assert_int_equal(package_peek_member(p, NULL, 1024, &text, &len), -EINVAL);
        package_free(p);
        /* Data that does not match its CRC-32, or its size: not read. */
        assert_int_equal(package_open(zip_path("bad-crc.zip"), NULL, &p, &error), 0);
        assert_int_equal(package_peek_member(p, "crc.txt", 1024, &text, &len), 0);
        package_free(p);
        assert_int_equal(package_open(zip_path("short.zip"), NULL, &p, &error), 0);
        assert_int_equal(package_peek_member(p, "short.txt", 1024, &text, &len), 0);
        package_free(p);
}

static void test_content(void **state) {
        static const char want[] = "{\"id\": \"org.example.addon\"}\n";
        permit_error error;
        const char *path;
        uint64_t size;
        unsigned mode;
        char buf[64];
        package *p;
        ssize_t n;

        (void) state;
        assert_int_equal(package_open(zip_path("good.zip"), NULL, &p, &error), 0);
        assert_int_equal(package_get_type(p), PACKAGE_ZIP);
        /* Nothing to read before the first file. */
        assert_int_equal(package_read(p, buf, sizeof(buf), &error), -EINVAL);
        assert_int_equal(package_next(p, &path, &size, &mode, &error), 1);
        assert_string_equal(path, "permit.json");
        /* Small reads. */
        n = package_read(p, buf, 5, &error);
        assert_int_equal(n, 5);
        n = package_read(p, buf + 5, sizeof(buf) - 5, &error);
        assert_int_equal(n, (ssize_t) strlen(want) - 5);
        assert_memory_equal(buf, want, strlen(want));
        assert_int_equal(package_read(p, buf, sizeof(buf), &error), 0);
        assert_int_equal(package_read(p, buf, sizeof(buf), &error), 0);
        /* Skipping a file unread. */
        assert_int_equal(package_next(p, &path, &size, &mode, &error), 1);
        assert_string_equal(path, "d/a.py");
        assert_int_equal(package_next(p, &path, &size, &mode, &error), 1);
        assert_string_equal(path, "d/e/b.txt");
        package_free(p);
}

static void test_sticky_failure(void **state) {
        permit_error error;
        const char *path;
        uint64_t size;
        unsigned mode;
        package *p;
        char buf[16];

        (void) state;
        assert_int_equal(package_open(zip_path("duplicate.zip"), NULL, &p, &error), 0);
        assert_int_equal(package_next(p, &path, &size, &mode, &error), 1);
        assert_int_equal(package_next(p, &path, &size, &mode, &error), -EINVAL);
        permit_error_clear(&error);
        assert_int_equal(package_next(p, &path, &size, &mode, &error), -EINVAL);
        assert_string_equal(error.text, "duplicate name");
        assert_int_equal(package_read(p, buf, sizeof(buf), &error), -EINVAL);
        assert_int_equal(package_next(p, &path, &size, &mode, NULL), -EINVAL);
        package_free(p);
}

/* A central directory over 64 MiB is refused before it is read: a sparse
 * file whose end record claims one (costs no disk space). */
static void test_huge_central(void **state) {
        const uint64_t size = 65 * 1024 * 1024;
        unsigned char eocd[22] = { 'P', 'K', 5, 6 };
        uint32_t cd_size = (uint32_t) (size - sizeof(eocd));
        permit_error error;
        FILE *f;

        (void) state;
        eocd[8] = eocd[10] = 1; /* one entry on this disk, one in all */
        for (int i = 0; i < 4; i++)
                eocd[12 + i] = (unsigned char) (cd_size >> (8 * i)); /* offset 0 */
        f = fopen(zip_path("huge-central.zip"), "wb");
        assert_non_null(f);
        assert_int_equal(fwrite("PK\3\4", 1, 4, f), 4);
        assert_int_equal(fseek(f, (long) (size - sizeof(eocd)), SEEK_SET), 0);
        assert_int_equal(fwrite(eocd, 1, sizeof(eocd), f), sizeof(eocd));
        assert_int_equal(fclose(f), 0);
        assert_int_equal(walk_package(zip_path("huge-central.zip"), NULL, &error, NULL, 0, NULL), -EFBIG);
        assert_string_equal(error.text, "central directory larger than 64 MiB");
        unlink(zip_path("huge-central.zip"));
}

static void test_bomb_bounded(void **state) {
        permit_error error;
        uint64_t bytes;

        (void) state;
        /* Stopped at ratio times the slack, not inflated whole (20 MiB). */
        assert_int_equal(walk_package(zip_path("bomb.zip"), NULL, &error, NULL, 0, &bytes), -EFBIG);
        assert_true(bytes <= 200 * 64 * 1024 + 16384);
        assert_true(bytes >= 200 * 64 * 1024);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_absolute),
                cmocka_unit_test(test_dotdot),
                cmocka_unit_test(test_backslash),
                cmocka_unit_test(test_empty_component),
                cmocka_unit_test(test_dot),
                cmocka_unit_test(test_non_utf8),
                cmocka_unit_test(test_non_utf8_flagged),
                cmocka_unit_test(test_backslash_only),
                cmocka_unit_test(test_nfd),
                cmocka_unit_test(test_control),
                cmocka_unit_test(test_long_path),
                cmocka_unit_test(test_deep),
                cmocka_unit_test(test_symlink),
                cmocka_unit_test(test_device),
                cmocka_unit_test(test_socket),
                cmocka_unit_test(test_dir_data),
                cmocka_unit_test(test_dir_no_slash),
                cmocka_unit_test(test_encrypted),
                cmocka_unit_test(test_duplicate),
                cmocka_unit_test(test_duplicate_dir),
                cmocka_unit_test(test_case),
                cmocka_unit_test(test_case_dir),
                cmocka_unit_test(test_file_dir),
                cmocka_unit_test(test_dir_file),
                cmocka_unit_test(test_local_name),
                cmocka_unit_test(test_overlap),
                cmocka_unit_test(test_too_many),
                cmocka_unit_test(test_total_size),
                cmocka_unit_test(test_bomb),
                cmocka_unit_test(test_bomb_small_declared),
                cmocka_unit_test(test_short),
                cmocka_unit_test(test_long),
                cmocka_unit_test(test_bad_crc),
                cmocka_unit_test(test_peek),
                cmocka_unit_test(test_bad_crc_local),
                cmocka_unit_test(test_bad_crc_local_zero),
                cmocka_unit_test(test_crc_local_zero),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_garbage),
                cmocka_unit_test(test_garbage_pk),
                cmocka_unit_test(test_empty_file),
                cmocka_unit_test(test_good),
                cmocka_unit_test(test_good_empty),
                cmocka_unit_test(test_good_writestr),
                cmocka_unit_test(test_good_windows),
                cmocka_unit_test(test_libarchive_fifo),
                cmocka_unit_test(test_content),
                cmocka_unit_test(test_sticky_failure),
                cmocka_unit_test(test_bomb_bounded),
                cmocka_unit_test(test_huge_central),
        };

        return cmocka_run_group_tests_name("package-zip", tests, make_zips, remove_zips);
}
