/* SPDX-License-Identifier: MIT */
/* Writes the generated seeds of the fuzz corpus: inputs signed with the fuzz
 * key (a seal, a sealed zip, minisign signatures) and key files, which
 * cannot be written by hand. The rest of corpus/ (manifests, JSON, broken
 * inputs, regressions) is kept as files. Run from the build directory:
 *
 *     tests/fuzz/make-corpus SOURCE_ROOT SOURCE_ROOT/tests/fuzz/corpus
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/encoding-private.h"
#include "common/fileio-private.h"
#include "fuzz.h"
#include "permit/minisig.h"
#include "permit/package.h"
#include "signer/keys-private.h"

#define SIGNED_AT 1795420800
static const char *const example_files[] = { "README.md", "__init__.py", "manifest.json", "permit.json" };

static const char *root, *out;

static void die(const char *what, int r) {
        fprintf(stderr, "make-corpus: %s: %s\n", what, strerror(r < 0 ? -r : r));
        exit(EXIT_FAILURE);
}

static char *path_of(const char *a, const char *b) {
        char *p = NULL;

        if (asprintf(&p, "%s/%s", a, b) < 0)
                die("asprintf", ENOMEM);
        return p;
}

static void put(const char *target, const char *name, const void *data, size_t len) {
        char *dir = path_of(out, target), *p = path_of(dir, name);
        int r;

        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                die(dir, errno);
        (void) unlink(p);
        r = permit_write_file_atomic(p, data, len, 0644, 0);
        if (r < 0)
                die(p, r);
        printf("%s\n", p);
        free(dir);
        free(p);
}

static void copy(const char *target, const char *name, const char *from) {
        char *data;
        size_t len;
        int r = permit_read_file(from, 16 * 1024 * 1024, &data, &len);

        if (r < 0)
                die(from, r);
        put(target, name, data, len);
        free(data);
}

/* The example add-on, as a directory under tmp, and zipped. */
static void make_example(const char *dir, const char *zip) {
        struct archive *a = archive_write_new();

        if (mkdir(dir, 0755) < 0)
                die(dir, errno);
        if (!a || archive_write_set_format_zip(a) != ARCHIVE_OK || archive_write_open_filename(a, zip) != ARCHIVE_OK)
                die(zip, EIO);
        for (size_t i = 0; i < sizeof(example_files) / sizeof(*example_files); i++) {
                char *src = NULL, *data, *dst = path_of(dir, example_files[i]);
                struct archive_entry *e = archive_entry_new();
                size_t len;
                int r;

                if (asprintf(&src, "%s/examples/word-of-the-day/%s", root, example_files[i]) < 0)
                        die("asprintf", ENOMEM);
                r = permit_read_file(src, 1024 * 1024, &data, &len);
                if (r < 0)
                        die(src, r);
                r = permit_write_file_atomic(dst, data, len, 0644, 1);
                if (r < 0)
                        die(dst, r);
                archive_entry_set_pathname(e, example_files[i]);
                archive_entry_set_filetype(e, AE_IFREG);
                archive_entry_set_perm(e, 0644);
                archive_entry_set_mtime(e, SIGNED_AT, 0);
                archive_entry_set_size(e, (la_int64_t) len);
                if (archive_write_header(a, e) != ARCHIVE_OK || archive_write_data(a, data, len) != (la_ssize_t) len)
                        die(zip, EIO);
                archive_entry_free(e);
                free(data);
                free(src);
                free(dst);
        }
        if (archive_write_close(a) != ARCHIVE_OK)
                die(zip, EIO);
        archive_write_free(a);
}

static void sign(const char *what) {
        permit_sign_options o = { .signed_at = SIGNED_AT, .threads = 1, .no_minisig = true };
        permit_error error;
        int r = permit_package_sign(fuzz_seckey(), what, &o, &error);

        if (r < 0) {
                fprintf(stderr, "make-corpus: sign %s: %s: %s\n", what, error.path, error.text);
                exit(EXIT_FAILURE);
        }
}

/* minisign's legacy ("Ed") signature: the message itself is signed. */
static void legacy_minisig(const char *message, size_t len) {
        static const char tc[] = "timestamp:1795420800\tfile:message";
        uint8_t raw[2 + PERMIT_KEY_ID_SIZE + PERMIT_SIGNATURE_SIZE], global[PERMIT_SIGNATURE_SIZE];
        uint8_t signed_part[PERMIT_SIGNATURE_SIZE + sizeof(tc) - 1];
        char b64[128], gb64[128], *text = NULL;
        int n;

        memcpy(raw, "Ed", 2);
        memcpy(raw + 2, permit_seckey_id(fuzz_seckey()), PERMIT_KEY_ID_SIZE);
        if (permit_seckey_sign(fuzz_seckey(), message, len, raw + 2 + PERMIT_KEY_ID_SIZE) < 0)
                die("sign", EIO);
        memcpy(signed_part, raw + 2 + PERMIT_KEY_ID_SIZE, PERMIT_SIGNATURE_SIZE);
        memcpy(signed_part + PERMIT_SIGNATURE_SIZE, tc, sizeof(tc) - 1);
        if (permit_seckey_sign(fuzz_seckey(), signed_part, sizeof(signed_part), global) < 0)
                die("sign", EIO);
        permit_base64(b64, sizeof(b64), raw, sizeof(raw));
        permit_base64(gb64, sizeof(gb64), global, sizeof(global));
        n = asprintf(&text, "untrusted comment: legacy signature\n%s\ntrusted comment: %s\n%s\n", b64, tc, gb64);
        if (n < 0)
                die("asprintf", ENOMEM);
        put("minisig", "legacy.minisig", text, (size_t) n);
        free(text);
}

int main(int argc, char **argv) {
        char tmp[] = "/tmp/permit-corpus.XXXXXX", *dir, *zip, *p;
        char line[PERMIT_PUBKEY_STRING_SIZE];
        permit_pubkey *pk;

        if (argc != 3) {
                fprintf(stderr, "usage: make-corpus SOURCE_ROOT CORPUS_DIR\n");
                return 2;
        }
        root = argv[1];
        out = argv[2];
        if (!mkdtemp(tmp))
                die("mkdtemp", errno);
        dir = path_of(tmp, "addon");
        zip = path_of(tmp, "addon.zip");
        make_example(dir, zip);
        copy("zip", "unsigned.zip", zip);
        sign(dir);
        sign(zip);
        p = path_of(dir, PERMIT_SEAL_NAME);
        copy("seal", "signed.sig", p);
        copy("json", "seal.json", p);
        free(p);
        copy("zip", "signed.zip", zip);

        /* Keys: the public key file and its line, the secret key with a
         * cheap scrypt, and without a password. */
        if (permit_seckey_pubkey(fuzz_seckey(), &pk) < 0)
                die("pubkey", EIO);
        p = path_of(tmp, "k.pub");
        if (permit_pubkey_save(pk, p, 1) < 0)
                die(p, EIO);
        copy("pubkey", "fuzz.pub", p);
        permit_pubkey_string(pk, line);
        put("pubkey", "line", line, strlen(line));
        free(p);
        permit_seckey_set_kdf_limits_for_testing(UINT64_C(1) << 10, UINT64_C(1) << 20);
        p = path_of(tmp, "k.key");
        if (permit_seckey_save(fuzz_seckey(), p, FUZZ_PASSWORD, strlen(FUZZ_PASSWORD), 1) < 0)
                die(p, EIO);
        copy("seckey", "password.key", p);
        if (permit_seckey_save(fuzz_seckey(), p, NULL, 0, 1) < 0)
                die(p, EIO);
        copy("seckey", "no-password.key", p);
        free(p);

        /* Signatures over the fuzz target's message. */
        p = path_of(tmp, "message");
        if (permit_write_file_atomic(p, FUZZ_MESSAGE, strlen(FUZZ_MESSAGE), 0644, 0) < 0)
                die(p, EIO);
        {
                char *sig = path_of(tmp, "message.minisig");
                permit_error error;
                if (permit_minisig_sign_file(fuzz_seckey(), p, sig, "timestamp:1795420800\tfile:message\thashed",
                                             &error) < 0)
                        die(sig, EIO);
                copy("minisig", "prehashed.minisig", sig);
                free(sig);
        }
        legacy_minisig(FUZZ_MESSAGE, strlen(FUZZ_MESSAGE));
        free(p);

        permit_pubkey_free(pk);
        free(dir);
        free(zip);
        {
                char *cmd = NULL;
                if (asprintf(&cmd, "rm -rf '%s'", tmp) < 0 || system(cmd) != 0)
                        die("rm", EIO);
                free(cmd);
        }
        return 0;
}
