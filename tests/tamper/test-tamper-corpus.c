/* SPDX-License-Identifier: MIT */
/* The tamper corpus (issue 8): a small signed package, in both forms, and
 * every mutation of it that this file can generate; every one must be
 * refused the way `permit verify` turns into exit 1 (an error code that is
 * not "could not read", and a message), and none may crash.
 *
 * tests/unit/seal/test-tamper.c flips each byte of permit.sig and
 * permit.json (member content, archive rebuilt) and every 7th raw byte of
 * the zip with xor 0x01, and checks the documented code of single changes.
 * This file adds what it leaves out:
 *   - every raw byte of the zip, xor 0xff, and every truncation of it;
 *   - in the directory form, every 3rd byte of every other file xor 0xff;
 *     every truncation of permit.sig and permit.json, every 5th of the
 *     other files (a deterministic sample: the content of any file is
 *     compared whole, so more of the same adds little);
 *   - structural mutations: central directory entries reordered,
 *     duplicated (one local header twice), pointing at each other's local
 *     headers, removed; a compression method or flag (encrypted, UTF-8
 *     name) that differs between local header and central directory; members duplicated (a second permit.json, a second
 *     copy of a file), extra and missing files; a seal listing a file
 *     twice, and a seal naming another key id, both validly signed.
 * A raw zip flip may be harmless (a time stamp, a permission bit): such a
 * flip may verify only if the archive still yields exactly the sealed
 * content, read independently with libarchive.
 *
 * With PERMIT_TAMPER_OUT=DIR the test makes a sample instead, for
 * tamper-cli.sh to run through the command: only every
 * PERMIT_TAMPER_EVERY-th (default 101) flip and truncation, and every
 * structural mutation, are made and checked, and each refused one is
 * written there as NNNN-what.zip or NNNN-what/, with the public key as
 * DIR/key.pub. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>

#include "seal-private.h"
#include "seal-test.h"
#include "signer/keys-private.h"


static permit_pubkey *pk;
static permit_seckey *sk, *other_id_sk;
static const char *out_dir;
static unsigned every = 101, written;

static int group_setup(void **state) {
        uint8_t seed[32], id[PERMIT_KEY_ID_SIZE], other_id[PERMIT_KEY_ID_SIZE];
        const char *e;

        (void) state;
        if (sodium_init() < 0)
                return -1;
        randombytes_buf(seed, sizeof(seed));
        randombytes_buf(id, sizeof(id));
        memcpy(other_id, id, sizeof(id));
        other_id[0] ^= 1;
        /* The same Ed25519 key under another key id: a seal it signs is
         * valid for pk's key but names another id. */
        if (permit_seckey_from_seed(id, seed, &sk) < 0 || permit_seckey_from_seed(other_id, seed, &other_id_sk) < 0 ||
            permit_seckey_pubkey(sk, &pk) < 0)
                return -1;
        sodium_memzero(seed, sizeof(seed));
        out_dir = getenv("PERMIT_TAMPER_OUT");
        if (out_dir && !*out_dir)
                out_dir = NULL;
        e = getenv("PERMIT_TAMPER_EVERY");
        if (e && atoi(e) > 0)
                every = (unsigned) atoi(e);
        if (out_dir) {
                char *p = test_join(out_dir, "key.pub");
                if (permit_pubkey_save(pk, p, 1) < 0)
                        return -1;
                free(p);
        }
        return 0;
}

static int group_teardown(void **state) {
        (void) state;
        permit_pubkey_free(pk);
        permit_seckey_free(sk);
        permit_seckey_free(other_id_sk);
        return 0;
}

static int setup(void **state) {
        (void) state;
        st_fixture_signed(sk, pk);
        return 0;
}

static int teardown(void **state) {
        (void) state;
        st_fixture_free();
        return 0;
}

/* ---- the check every mutation goes through ---- */

/* The codes `permit verify` reports as "could not read" (exit 2); any other
 * failure is exit 1 (tools/tool.c tool_exit_code). */
static bool unreadable(int r) {
        return r == -ENOENT || r == -EACCES || r == -EPERM || r == -ENOTDIR || r == -EISDIR || r == -ELOOP ||
               r == -ENAMETOOLONG || r == -ENOMEM;
}

typedef struct tally {
        unsigned total, refused, harmless;
} tally;

/* Verifies path. Refused: counted, true. Accepted: a failure, unless
 * harmless is allowed and the archive yields exactly sealed (a raw zip
 * flip): false. */
static bool expect_refused(const char *what, const char *path, tally *t, st_zip *sealed) {
        permit_package_info *info = NULL;
        permit_error error;
        int r;

        permit_error_clear(&error);
        r = permit_package_verify(pk, path, NULL, &info, &error);
        t->total++;
        if (r == 0) {
                st_zip now = { 0 };
                permit_package_info_free(info);
                if (sealed && st_zip_read(path, &now) == 0 && st_zip_same(&now, sealed)) {
                        st_zip_free(&now);
                        t->harmless++;
                        return false;
                }
                st_zip_free(&now);
                printf("# %s: accepted\n", what);
                fail();
        }
        assert_null(info);
        if (unreadable(r) || error.text[0] == '\0' || strchr(error.text, '\n')) {
                printf("# %s: got %d (%s: %s): not a refusal with a one-line message\n", what, r, error.path,
                       error.text);
                fail();
        }
        t->refused++;
        return true;
}

static void tally_print(const char *what, const tally *t) {
        printf("# %s: %u mutations, %u refused, %u harmless (verified, content unchanged)\n", what, t->total,
               t->refused, t->harmless);
}

/* Copies path into the sample as NNNN-name (a file or a directory tree). */
static void sample(const char *name, const char *path) {
        char *cmd = NULL;

        if (!out_dir)
                return;
        assert_true(asprintf(&cmd, "cp -R '%s' '%s/%04u-%s'", path, out_dir, ++written, name) > 0);
        assert_int_equal(system(cmd), 0);
        free(cmd);
}

/* Whether mutation i is made: all of them, or a sample for the command. */
static bool wanted(size_t i) {
        return !out_dir || i % every == 0;
}

/* ---- the zip, byte by byte ---- */

static void test_zip_every_flip(void **state) {
        size_t len;
        uint8_t *data = (uint8_t *) test_read(zip, &len);
        st_zip sealed = { 0 };
        tally t = { 0 };

        (void) state;
        assert_int_equal(st_zip_read(zip, &sealed), 0);
        for (size_t i = 0; i < len; i++) {
                char what[64];
                if (!wanted(i))
                        continue;
                snprintf(what, sizeof(what), "zip byte %zu xor 0xff", i);
                data[i] ^= 0xff;
                test_write(zip, data, len);
                if (expect_refused(what, zip, &t, &sealed)) {
                        snprintf(what, sizeof(what), "flip-%zu.zip", i);
                        sample(what, zip);
                }
                data[i] ^= 0xff;
        }
        tally_print("zip, every byte xor 0xff", &t);
        /* Most bytes of a small zip are names, CRCs, sizes and deflate. */
        assert_true(t.harmless <= t.total / 4);
        st_zip_free(&sealed);
        free(data);
}

static void test_zip_every_truncation(void **state) {
        size_t len;
        char *data = test_read(zip, &len);
        tally t = { 0 };

        (void) state;
        for (size_t n = 0; n < len; n++) {
                char what[64];
                if (!wanted(n))
                        continue;
                snprintf(what, sizeof(what), "zip cut to %zu bytes", n);
                test_write(zip, data, n);
                expect_refused(what, zip, &t, NULL);
                snprintf(what, sizeof(what), "cut-%zu.zip", n);
                sample(what, zip);
        }
        tally_print("zip, every truncation", &t);
        free(data);
}

/* ---- the directory, file by file ---- */

static const char *const dir_files[] = { "README.md",   "__init__.py", "manifest.json",      "permit.json", "permit.sig",
                                         "lib/util.py", "run.sh",      "lib/data/words.txt", "empty.txt" };

static void test_dir_flips(void **state) {
        tally t = { 0 };
        size_t n = 0;

        (void) state;
        for (size_t f = 0; f < ELEMENTSOF(dir_files); f++) {
                size_t len;
                char *data;

                /* test-tamper.c flips these two. */
                if (streq(dir_files[f], "permit.json") || streq(dir_files[f], "permit.sig"))
                        continue;
                data = test_read(at(dir_files[f]), &len);
                for (size_t i = 0; i < len; i += 3) {
                        char what[128];
                        if (!wanted(n++))
                                continue;
                        snprintf(what, sizeof(what), "%s byte %zu xor 0xff", dir_files[f], i);
                        data[i] ^= (char) 0xff;
                        test_write(at(dir_files[f]), data, len);
                        expect_refused(what, pkg, &t, NULL);
                        snprintf(what, sizeof(what), "dir-flip-%zu", n);
                        sample(what, pkg);
                        data[i] ^= (char) 0xff;
                }
                test_write(at(dir_files[f]), data, len);
                free(data);
        }
        tally_print("directory, every 3rd byte of every other file xor 0xff", &t);
        assert_int_equal(t.harmless, 0);
        st_expect_verify(pk, pkg, 0, NULL, NULL);
}

static void test_dir_truncations(void **state) {
        tally t = { 0 };
        size_t k = 0;

        (void) state;
        for (size_t f = 0; f < ELEMENTSOF(dir_files); f++) {
                size_t len;
                char *data = test_read(at(dir_files[f]), &len);
                bool all = streq(dir_files[f], "permit.json") || streq(dir_files[f], "permit.sig");

                for (size_t n = 0; n < len; n += all ? 1 : 5) {
                        char what[128];
                        if (!wanted(k++))
                                continue;
                        snprintf(what, sizeof(what), "%s cut to %zu bytes", dir_files[f], n);
                        test_write(at(dir_files[f]), data, n);
                        /* The seal's layout is not signed (its canonical
                         * form is): without its final newline it is the
                         * same seal. */
                        if (streq(dir_files[f], "permit.sig") && n == len - 1 && data[n] == '\n') {
                                st_expect_verify(pk, pkg, 0, NULL, NULL);
                                continue;
                        }
                        expect_refused(what, pkg, &t, NULL);
                        snprintf(what, sizeof(what), "dir-cut-%zu", k);
                        sample(what, pkg);
                }
                test_write(at(dir_files[f]), data, len);
                free(data);
        }
        tally_print("directory, truncations (all of permit.sig and permit.json, every 5th of others)", &t);
        st_expect_verify(pk, pkg, 0, NULL, NULL);
}

/* ---- the zip's central directory, taken apart by hand ---- */

#define RAW_MAX_ENTRIES 32

typedef struct raw_zip {
        uint8_t *data;
        size_t len, cd_off, n;
        size_t rec_off[RAW_MAX_ENTRIES], rec_len[RAW_MAX_ENTRIES];
} raw_zip;

static unsigned rd16(const uint8_t *p) {
        return p[0] | (unsigned) p[1] << 8;
}

static uint32_t rd32(const uint8_t *p) {
        return rd16(p) | (uint32_t) rd16(p + 2) << 16;
}

static void wr16(uint8_t *p, unsigned v) {
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
}

static void wr32(uint8_t *p, uint32_t v) {
        wr16(p, v & 0xffff);
        wr16(p + 2, v >> 16);
}

/* libarchive writes no archive comment: the end record is the last 22
 * bytes. */
static raw_zip raw_read(void) {
        raw_zip z = { 0 };
        const uint8_t *e;
        size_t pos;

        z.data = (uint8_t *) test_read(zip, &z.len);
        assert_true(z.len > 22);
        e = z.data + z.len - 22;
        assert_memory_equal(e, "PK\x05\x06", 4);
        z.n = rd16(e + 10);
        z.cd_off = rd32(e + 16);
        assert_true(z.n <= RAW_MAX_ENTRIES);
        pos = z.cd_off;
        for (size_t k = 0; k < z.n; k++) {
                const uint8_t *h = z.data + pos;
                assert_memory_equal(h, "PK\x01\x02", 4);
                z.rec_off[k] = pos;
                z.rec_len[k] = 46 + rd16(h + 28) + rd16(h + 30) + rd16(h + 32);
                pos += z.rec_len[k];
        }
        return z;
}

/* Writes the archive with the central directory records in order (indices
 * into z, repeats allowed), each passed through edit when not NULL. */
static void raw_write(const raw_zip *z, const size_t *order, size_t n, void (*edit)(uint8_t *rec, size_t k)) {
        size_t cap = z->cd_off + n * 512 + 22, len = z->cd_off;
        uint8_t *out = malloc(cap), *e;

        assert_non_null(out);
        memcpy(out, z->data, z->cd_off);
        for (size_t k = 0; k < n; k++) {
                size_t i = order[k];
                assert_true(len + z->rec_len[i] + 22 <= cap);
                memcpy(out + len, z->data + z->rec_off[i], z->rec_len[i]);
                if (edit)
                        edit(out + len, k);
                len += z->rec_len[i];
        }
        e = out + len;
        memset(e, 0, 22);
        memcpy(e, "PK\x05\x06", 4);
        wr16(e + 8, (unsigned) n);
        wr16(e + 10, (unsigned) n);
        wr32(e + 12, (uint32_t) (len - z->cd_off));
        wr32(e + 16, (uint32_t) z->cd_off);
        test_write(zip, out, len + 22);
        free(out);
}

static void raw_restore(const raw_zip *z) {
        test_write(zip, z->data, z->len);
}

static uint32_t first_offset, second_offset;

/* The first two records point at each other's local headers. */
static void swap_offsets(uint8_t *rec, size_t k) {
        if (k == 0)
                wr32(rec + 42, second_offset);
        else if (k == 1)
                wr32(rec + 42, first_offset);
}

/* The first record says another compression method, encrypted, or a UTF-8
 * name flag the local header does not have: unzip and zipfile would read
 * the member differently from libarchive. */
static void cd_other_method(uint8_t *rec, size_t k) {
        if (k == 0)
                wr16(rec + 10, rd16(rec + 10) == 0 ? 8 : 0);
}

static void cd_encrypted(uint8_t *rec, size_t k) {
        if (k == 0)
                wr16(rec + 8, rd16(rec + 8) | 0x0001);
}

static void cd_utf8_flag(uint8_t *rec, size_t k) {
        if (k == 0)
                wr16(rec + 8, rd16(rec + 8) ^ 0x0800);
}

static void expect_read_differently(tally *t, const char *what, const char *name) {
        permit_package_info *info = NULL;
        permit_error error;

        expect_refused(what, zip, t, NULL);
        sample(name, zip);
        assert_int_equal(permit_package_inspect(zip, NULL, &info, &error), -EINVAL);
        assert_string_equal(error.text, "compression method or flags in local header differ from central directory");
}

static void test_zip_header_mismatch(void **state) {
        raw_zip z = raw_read();
        size_t order[RAW_MAX_ENTRIES] = { 0 };
        uint8_t *local;
        tally t = { 0 };

        (void) state;
        for (size_t k = 0; k < z.n; k++)
                order[k] = k;
        raw_write(&z, order, z.n, cd_other_method);
        expect_read_differently(&t, "central directory: other compression method", "cd-other-method.zip");
        raw_write(&z, order, z.n, cd_encrypted);
        expect_read_differently(&t, "central directory: encrypted flag", "cd-encrypted.zip");
        raw_write(&z, order, z.n, cd_utf8_flag);
        expect_read_differently(&t, "central directory: UTF-8 flag", "cd-utf8-flag.zip");

        /* The same, changed in the local header instead. */
        local = z.data + rd32(z.data + z.rec_off[0] + 42);
        wr16(local + 8, rd16(local + 8) == 0 ? 8 : 0);
        raw_write(&z, order, z.n, NULL);
        expect_read_differently(&t, "local header: other compression method", "local-other-method.zip");
        wr16(local + 8, rd16(local + 8) == 0 ? 8 : 0);
        wr16(local + 6, rd16(local + 6) | 0x0001);
        raw_write(&z, order, z.n, NULL);
        expect_read_differently(&t, "local header: encrypted flag", "local-encrypted.zip");
        wr16(local + 6, rd16(local + 6) & ~0x0001u);

        tally_print("zip local header against central directory", &t);
        raw_restore(&z);
        st_expect_verify(pk, zip, 0, NULL, NULL);
        free(z.data);
}

static void test_zip_central_directory(void **state) {
        raw_zip z = raw_read();
        size_t order[RAW_MAX_ENTRIES + 1] = { 0 };
        st_zip sealed = { 0 };
        tally t = { 0 };

        (void) state;
        assert_int_equal(st_zip_read(zip, &sealed), 0);
        assert_true(z.n >= 3);

        /* Reordered: the same members, listed in another order. The
         * package is the same; it may verify only as exactly that. */
        for (size_t k = 0; k < z.n; k++)
                order[k] = z.n - 1 - k;
        raw_write(&z, order, z.n, NULL);
        if (expect_refused("central directory reversed", zip, &t, &sealed))
                sample("cd-reversed.zip", zip);

        /* Each record listed twice in turn: one local header, two members. */
        for (size_t d = 0; d < z.n; d++) {
                char what[64];
                for (size_t k = 0; k < z.n; k++)
                        order[k] = k;
                order[z.n] = d;
                raw_write(&z, order, z.n + 1, NULL);
                snprintf(what, sizeof(what), "central directory entry %zu twice", d);
                expect_refused(what, zip, &t, NULL);
                snprintf(what, sizeof(what), "cd-duplicate-%zu.zip", d);
                sample(what, zip);
        }

        /* Each record left out in turn: its member is not in the archive
         * any more (its bytes are, unlisted). */
        for (size_t d = 0; d < z.n; d++) {
                char what[64];
                size_t m = 0;
                for (size_t k = 0; k < z.n; k++)
                        if (k != d)
                                order[m++] = k;
                raw_write(&z, order, m, NULL);
                snprintf(what, sizeof(what), "central directory entry %zu removed", d);
                expect_refused(what, zip, &t, NULL);
                snprintf(what, sizeof(what), "cd-removed-%zu.zip", d);
                sample(what, zip);
        }

        /* Two records pointing at each other's local headers. */
        for (size_t k = 0; k < z.n; k++)
                order[k] = k;
        first_offset = rd32(z.data + z.rec_off[0] + 42);
        second_offset = rd32(z.data + z.rec_off[1] + 42);
        raw_write(&z, order, z.n, swap_offsets);
        expect_refused("central directory offsets swapped", zip, &t, NULL);
        sample("cd-offsets-swapped.zip", zip);

        tally_print("zip central directory", &t);
        raw_restore(&z);
        st_expect_verify(pk, zip, 0, NULL, NULL);
        st_zip_free(&sealed);
        free(z.data);
}

/* ---- members added, doubled, removed ---- */

static void zip_mutation(const char *name, void (*mutate)(st_zip *z), tally *t) {
        st_zip z = { 0 }, orig = { 0 };

        assert_int_equal(st_zip_read(zip, &z), 0);
        assert_int_equal(st_zip_read(zip, &orig), 0);
        mutate(&z);
        st_zip_write(zip, &z);
        expect_refused(name, zip, t, NULL);
        sample(name, zip);
        st_zip_write(zip, &orig);
        st_zip_free(&z);
        st_zip_free(&orig);
}

static void twice(st_zip *z, const char *name, const char *data) {
        st_member *m = st_zip_find(z, name);

        assert_non_null(m);
        if (data)
                st_zip_add(z, name, data, strlen(data), 0644);
        else {
                char *copy = malloc(m->len + 1);
                assert_non_null(copy);
                memcpy(copy, m->data, m->len);
                st_zip_add(z, name, copy, m->len, m->mode);
                free(copy);
        }
}

static void manifest_twice(st_zip *z) {
        twice(z, "permit.json", NULL);
}

static void other_manifest_second(st_zip *z) {
        twice(z, "permit.json",
              "{\"id\": \"org.example.evil\", \"name\": \"Evil\", \"version\": \"1.0.0\", \"publisher\": \"x\", "
              "\"entry\": \"__init__.py\", \"capabilities\": [{\"id\": \"proc.exec:*\", \"required\": true}]}\n");
}

static void seal_twice(st_zip *z) {
        twice(z, "permit.sig", NULL);
}

static void file_twice(st_zip *z) {
        twice(z, "__init__.py", NULL);
}

static void file_twice_other(st_zip *z) {
        twice(z, "__init__.py", "import os\nos.system('true')\n");
}

static void manifest_other_case(st_zip *z) {
        twice(z, "permit.json", NULL);
        free(z->m[z->n - 1].name);
        z->m[z->n - 1].name = strdup("PERMIT.JSON");
}

static void extra_file(st_zip *z) {
        st_zip_add(z, "lib/extra.py", "print('not sealed')\n", 20, 0644);
}

static void missing_file(st_zip *z) {
        st_zip_remove(z, "lib/util.py");
}

static void test_zip_members(void **state) {
        tally t = { 0 };

        (void) state;
        zip_mutation("second-permit.json.zip", manifest_twice, &t);
        zip_mutation("second-other-permit.json.zip", other_manifest_second, &t);
        zip_mutation("second-permit.sig.zip", seal_twice, &t);
        zip_mutation("file-twice.zip", file_twice, &t);
        zip_mutation("file-twice-other.zip", file_twice_other, &t);
        zip_mutation("manifest-other-case.zip", manifest_other_case, &t);
        zip_mutation("extra-file.zip", extra_file, &t);
        zip_mutation("missing-file.zip", missing_file, &t);
        tally_print("zip members", &t);
        st_expect_verify(pk, zip, 0, NULL, NULL);
}

static void test_dir_members(void **state) {
        tally t = { 0 };
        size_t len;
        char *data;

        (void) state;
        test_write_string(at("lib/extra.py"), "print('not sealed')\n");
        expect_refused("directory: extra file", pkg, &t, NULL);
        sample("dir-extra-file", pkg);
        assert_int_equal(unlink(at("lib/extra.py")), 0);

        data = test_read(at("permit.json"), &len);
        test_write(at("PERMIT.JSON"), data, len);
        expect_refused("directory: PERMIT.JSON beside permit.json", pkg, &t, NULL);
        sample("dir-manifest-other-case", pkg);
        assert_int_equal(unlink(at("PERMIT.JSON")), 0);
        free(data);

        data = test_read(at("lib/util.py"), &len);
        assert_int_equal(unlink(at("lib/util.py")), 0);
        expect_refused("directory: missing file", pkg, &t, NULL);
        sample("dir-missing-file", pkg);
        test_write(at("lib/util.py"), data, len);
        free(data);

        tally_print("directory members", &t);
        st_expect_verify(pk, pkg, 0, NULL, NULL);
}

/* ---- seals that are validly signed and still wrong ---- */

/* The package's seal with its first file listed twice, signed by sk. */
static char *seal_with_file_twice(const char *seal_path, size_t *ret_len) {
        size_t len;
        char *text = test_read(seal_path, &len), *signed_text = NULL;
        seal *s = NULL;
        permit_error error;

        assert_int_equal(seal_parse(text, len, &s, &error), 0);
        s->files = realloc(s->files, (s->n_files + 1) * sizeof(*s->files));
        assert_non_null(s->files);
        s->files[s->n_files] = s->files[0];
        s->files[s->n_files].path = strdup(s->files[0].path);
        s->n_files++;
        assert_int_equal(seal_sign(s, sk, &signed_text, ret_len), 0);
        seal_free(s);
        free(text);
        return signed_text;
}

static void test_seals(void **state) {
        tally t = { 0 };
        st_zip z = { 0 };
        st_member *m;
        size_t len;
        char *text;

        (void) state;
        /* A file listed twice, in both forms. */
        text = seal_with_file_twice(at("permit.sig"), &len);
        test_write(at("permit.sig"), text, len);
        expect_refused("directory: seal lists a file twice", pkg, &t, NULL);
        sample("dir-seal-file-twice", pkg);
        assert_int_equal(st_zip_read(zip, &z), 0);
        m = st_zip_find(&z, "permit.sig");
        free(m->data);
        m->data = text;
        m->len = len;
        st_zip_write(zip, &z);
        st_zip_free(&z);
        expect_refused("zip: seal lists a file twice", zip, &t, NULL);
        sample("seal-file-twice.zip", zip);

        /* Signed by pk's own Ed25519 key, naming another key id. */
        st_sign(other_id_sk, pkg);
        expect_refused("directory: seal names another key id", pkg, &t, NULL);
        sample("dir-seal-other-key-id", pkg);
        st_sign(other_id_sk, zip);
        expect_refused("zip: seal names another key id", zip, &t, NULL);
        sample("seal-other-key-id.zip", zip);
        tally_print("validly signed seals", &t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_zip_every_flip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_every_truncation, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_flips, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_truncations, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_central_directory, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_header_mismatch, setup, teardown),
                cmocka_unit_test_setup_teardown(test_zip_members, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dir_members, setup, teardown),
                cmocka_unit_test_setup_teardown(test_seals, setup, teardown),
        };

        return cmocka_run_group_tests_name("tamper-corpus", tests, group_setup, group_teardown);
}
