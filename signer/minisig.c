/* SPDX-License-Identifier: MIT */
/* Detached signatures in minisign's format (see permit/minisig.h). */
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <time.h>

#include "encoding-private.h"
#include "error-private.h"
#include "fileio-private.h"
#include "keys-private.h"
#include "permit/minisig.h"
#include "util.h"

#define ALG_LEGACY "Ed"
#define ALG_PREHASHED "ED"

#define SIG_BYTES (2 + PERMIT_KEY_ID_SIZE + PERMIT_SIGNATURE_SIZE) /* 74 */
#define SIG_B64_LEN (4 * ((SIG_BYTES + 2) / 3))                      /* 100 */
#define GLOBAL_SIG_B64_LEN (4 * ((PERMIT_SIGNATURE_SIZE + 2) / 3))   /* 88 */
#define HASH_BYTES crypto_generichash_blake2b_BYTES_MAX              /* 64 */

#define DEFAULT_UNTRUSTED_COMMENT "signature from minisign secret key"
#define TRUSTED_LINE_MAX (sizeof(PERMIT_TRUSTED_COMMENT_PREFIX) - 1 + PERMIT_TRUSTED_COMMENT_MAX)
/* The four lines with their line ends, and room for stray blank lines. */
#define SIG_FILE_MAX (PERMIT_UNTRUSTED_COMMENT_LINE_MAX + SIG_B64_LEN + TRUSTED_LINE_MAX + GLOBAL_SIG_B64_LEN + 256)

/* The legacy "Ed" algorithm signs the file itself, so verifying one means
 * holding all of it in memory; minisign used the same bound. */
#define LEGACY_FILE_MAX (UINT64_C(1) << 30)

#define READ_CHUNK (64 * 1024)

struct parsed_sig {
        uint8_t raw[SIG_BYTES]; /* alg || key id || signature */
        uint8_t global[PERMIT_SIGNATURE_SIZE];
        const char *trusted;    /* points into the file's text */
        size_t trusted_len;
};

static int open_message(const char *path, int *ret_fd, uint64_t *ret_size, permit_error *error) {
        _cleanup_close_ int fd = -1;
        struct stat st;

        /* O_NONBLOCK: a FIFO must not hang us in open(); it is refused below. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 || fstat(fd, &st) < 0) {
                int r = negative_errno();
                return permit_error_set(error, r, NULL, "cannot open: %s", strerror(-r));
        }
        if (S_ISDIR(st.st_mode))
                return permit_error_set(error, -EISDIR, NULL, "is a directory");
        if (!S_ISREG(st.st_mode))
                return permit_error_set(error, -EINVAL, NULL, "not a regular file");
        *ret_fd = steal_fd(&fd);
        *ret_size = (uint64_t) st.st_size;
        return 0;
}

static ssize_t read_some(int fd, void *buf, size_t len) {
        ssize_t k;

        do
                k = read(fd, buf, len);
        while (k < 0 && errno == EINTR);
        return k;
}

/* BLAKE2b-512 of the whole file, read 64 KiB at a time. */
static int hash_file(const char *path, uint8_t hash[HASH_BYTES], permit_error *error) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ uint8_t *buf = NULL;
        crypto_generichash_blake2b_state st;
        uint64_t size;
        ssize_t k;
        int r;

        r = open_message(path, &fd, &size, error);
        if (r < 0)
                return r;
        buf = malloc(READ_CHUNK);
        if (!buf)
                return permit_error_set(error, -ENOMEM, NULL, "out of memory");
        crypto_generichash_blake2b_init(&st, NULL, 0, HASH_BYTES);
        while ((k = read_some(fd, buf, READ_CHUNK)) > 0)
                crypto_generichash_blake2b_update(&st, buf, (unsigned long long) k);
        if (k < 0) {
                r = negative_errno();
                return permit_error_set(error, r, NULL, "read failed: %s", strerror(-r));
        }
        crypto_generichash_blake2b_final(&st, hash, HASH_BYTES);
        return 0;
}

/* The whole file, for the legacy algorithm. */
static int load_file(const char *path, uint8_t **ret, size_t *ret_len, permit_error *error) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ uint8_t *buf = NULL;
        uint64_t size;
        size_t n = 0;
        ssize_t k;
        int r;

        r = open_message(path, &fd, &size, error);
        if (r < 0)
                return r;
        if (size > LEGACY_FILE_MAX || size > SIZE_MAX - 1)
                return permit_error_set(error, -EFBIG, NULL,
                                        "legacy (non-prehashed) signature over a file larger than 1 GiB: refused");
        buf = malloc((size_t) size + 1);
        if (!buf)
                return permit_error_set(error, -ENOMEM, NULL, "out of memory");
        /* One byte more than the size, to notice a file that grew. */
        while (n <= size && (k = read_some(fd, buf + n, (size_t) size + 1 - n)) != 0) {
                if (k < 0) {
                        r = negative_errno();
                        return permit_error_set(error, r, NULL, "read failed: %s", strerror(-r));
                }
                n += (size_t) k;
        }
        if (n != size)
                return permit_error_set(error, -EIO, NULL, "file changed while it was read");
        *ret = steal_pointer(&buf);
        *ret_len = n;
        return 0;
}

static int check_trusted_comment(const char *s, size_t len) {
        if (len > PERMIT_TRUSTED_COMMENT_MAX)
                return -EINVAL;
        for (size_t i = 0; i < len; i++)
                if (s[i] == '\0' || s[i] == '\n' || s[i] == '\r')
                        return -EINVAL;
        return 0;
}

/* The four lines of a prehashed ("ED") signature over a message whose
 * BLAKE2b-512 is hash. */
static int format_sig(const permit_seckey *sk, const uint8_t hash[HASH_BYTES], const char *tc, char **ret_text,
                      size_t *ret_len, permit_error *error) {
        uint8_t raw[SIG_BYTES], global[PERMIT_SIGNATURE_SIZE];
        char sig_b64[SIG_B64_LEN + 1], global_b64[GLOBAL_SIG_B64_LEN + 1];
        _cleanup_free_ char *signed_part = NULL;
        size_t tc_len = strlen(tc);
        int r, n;

        memcpy(raw, ALG_PREHASHED, 2);
        memcpy(raw + 2, permit_seckey_id(sk), PERMIT_KEY_ID_SIZE);
        r = permit_seckey_sign(sk, hash, HASH_BYTES, raw + 2 + PERMIT_KEY_ID_SIZE);
        if (r < 0)
                return permit_error_set(error, r, NULL, "signing failed");

        /* The global signature covers the signature and the trusted comment. */
        signed_part = malloc(PERMIT_SIGNATURE_SIZE + tc_len);
        if (!signed_part)
                return permit_error_set(error, -ENOMEM, NULL, "out of memory");
        memcpy(signed_part, raw + 2 + PERMIT_KEY_ID_SIZE, PERMIT_SIGNATURE_SIZE);
        memcpy(signed_part + PERMIT_SIGNATURE_SIZE, tc, tc_len);
        r = permit_seckey_sign(sk, signed_part, PERMIT_SIGNATURE_SIZE + tc_len, global);
        if (r < 0)
                return permit_error_set(error, r, NULL, "signing failed");

        permit_base64(sig_b64, sizeof(sig_b64), raw, sizeof(raw));
        permit_base64(global_b64, sizeof(global_b64), global, sizeof(global));
        n = asprintf(ret_text, PERMIT_UNTRUSTED_COMMENT_PREFIX DEFAULT_UNTRUSTED_COMMENT "\n%s\n" PERMIT_TRUSTED_COMMENT_PREFIX
                     "%s\n%s\n",
                     sig_b64, tc, global_b64);
        if (n < 0) {
                *ret_text = NULL;
                return permit_error_set(error, -ENOMEM, NULL, "out of memory");
        }
        *ret_len = (size_t) n;
        return 0;
}

_public_ int permit_minisig_sign_file(const permit_seckey *sk, const char *path, const char *sig_path,
                                      const char *trusted_comment, permit_error *error) {
        uint8_t hash[HASH_BYTES];
        _cleanup_free_ char *tc_default = NULL, *text = NULL;
        const char *tc = trusted_comment;
        size_t len;
        int r;

        if (!sk || !path || !sig_path)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        if (!tc || !*tc) {
                const char *slash = strrchr(path, '/');

                if (asprintf(&tc_default, "timestamp:%lld\tfile:%s\thashed", (long long) time(NULL),
                             slash ? slash + 1 : path) < 0) {
                        tc_default = NULL;
                        return permit_error_set(error, -ENOMEM, NULL, "out of memory");
                }
                tc = tc_default;
        }
        if (check_trusted_comment(tc, strlen(tc)) < 0)
                return permit_error_set(error, -EINVAL, NULL,
                                        "trusted comment: longer than %d bytes or has a line break",
                                        PERMIT_TRUSTED_COMMENT_MAX);

        permit_error_set_source(error, 0, path);
        r = hash_file(path, hash, error);
        if (r < 0)
                return r;
        r = format_sig(sk, hash, tc, &text, &len, error);
        if (r < 0)
                return r;
        permit_error_clear(error);
        permit_error_set_source(error, 0, sig_path);
        r = permit_write_file_atomic(sig_path, text, len, 0644, 0);
        if (r < 0)
                return permit_error_set(error, r, NULL, "cannot write: %s", strerror(-r));
        return 0;
}

int permit_minisig_sign_buffer(const permit_seckey *sk, const void *data, size_t len, const char *trusted_comment,
                               char **ret_text, size_t *ret_len, permit_error *error) {
        uint8_t hash[HASH_BYTES];

        if (!sk || (!data && len) || !trusted_comment || !ret_text || !ret_len)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        if (check_trusted_comment(trusted_comment, strlen(trusted_comment)) < 0)
                return permit_error_set(error, -EINVAL, NULL,
                                        "trusted comment: longer than %d bytes or has a line break",
                                        PERMIT_TRUSTED_COMMENT_MAX);
        crypto_generichash(hash, sizeof(hash), data, len, NULL, 0);
        return format_sig(sk, hash, trusted_comment, ret_text, ret_len, error);
}

static int parse_sig(const char *data, size_t size, struct parsed_sig *ret, permit_error *error) {
        const char *p = data, *end = data + size, *line;
        size_t len;
        int r;

        r = permit_next_line(&p, end, PERMIT_UNTRUSTED_COMMENT_LINE_MAX, &line, &len);
        if (r <= 0)
                return permit_error_set(error, -EINVAL, NULL, "line 1: missing, malformed or too long");
        if (len < strlen(PERMIT_UNTRUSTED_COMMENT_PREFIX) ||
            memcmp(line, PERMIT_UNTRUSTED_COMMENT_PREFIX, strlen(PERMIT_UNTRUSTED_COMMENT_PREFIX)) != 0)
                return permit_error_set(error, -EINVAL, NULL, "line 1: does not start with \"%s\"",
                                        PERMIT_UNTRUSTED_COMMENT_PREFIX);

        r = permit_next_line(&p, end, SIG_B64_LEN, &line, &len);
        if (r <= 0 || len != SIG_B64_LEN || permit_unbase64(ret->raw, sizeof(ret->raw), line, len) < 0)
                return permit_error_set(error, -EINVAL, NULL, "line 2: not a base64 signature");
        if (memcmp(ret->raw, ALG_PREHASHED, 2) != 0 && memcmp(ret->raw, ALG_LEGACY, 2) != 0)
                return permit_error_set(error, -EINVAL, NULL, "line 2: unsupported signature algorithm");

        r = permit_next_line(&p, end, TRUSTED_LINE_MAX, &line, &len);
        if (r <= 0)
                return permit_error_set(error, -EINVAL, NULL, "line 3: missing, malformed or too long");
        if (len < strlen(PERMIT_TRUSTED_COMMENT_PREFIX) ||
            memcmp(line, PERMIT_TRUSTED_COMMENT_PREFIX, strlen(PERMIT_TRUSTED_COMMENT_PREFIX)) != 0)
                return permit_error_set(error, -EINVAL, NULL, "line 3: does not start with \"%s\"",
                                        PERMIT_TRUSTED_COMMENT_PREFIX);
        ret->trusted = line + strlen(PERMIT_TRUSTED_COMMENT_PREFIX);
        ret->trusted_len = len - strlen(PERMIT_TRUSTED_COMMENT_PREFIX);

        r = permit_next_line(&p, end, GLOBAL_SIG_B64_LEN, &line, &len);
        if (r <= 0 || len != GLOBAL_SIG_B64_LEN || permit_unbase64(ret->global, sizeof(ret->global), line, len) < 0)
                return permit_error_set(error, -EINVAL, NULL, "line 4: not a base64 signature");
        if (permit_expect_end(p, end) < 0)
                return permit_error_set(error, -EINVAL, NULL, "unexpected text after the signature");
        return 0;
}

/* The key id of a parsed signature against pk's. */
static int check_key_id(const permit_pubkey *pk, const struct parsed_sig *ps, permit_error *error) {
        char want[PERMIT_KEY_ID_STRING_SIZE], got[PERMIT_KEY_ID_STRING_SIZE];

        if (sodium_memcmp(ps->raw + 2, permit_pubkey_id(pk), PERMIT_KEY_ID_SIZE) == 0)
                return 0;
        permit_key_id_format(ps->raw + 2, got);
        permit_pubkey_id_string(pk, want);
        return permit_error_set(error, -EKEYREJECTED, NULL, "signed with key %s, not with key %s", got, want);
}

/* The global signature over the signature and the trusted comment; on
 * success hands out the trusted comment when asked. */
static int check_global(const permit_pubkey *pk, const struct parsed_sig *ps, char **ret_trusted_comment,
                        permit_error *error) {
        _cleanup_free_ char *signed_part = NULL, *tc = NULL;
        const uint8_t *sig = ps->raw + 2 + PERMIT_KEY_ID_SIZE;

        signed_part = malloc(PERMIT_SIGNATURE_SIZE + ps->trusted_len);
        if (!signed_part)
                return permit_error_set(error, -ENOMEM, NULL, "out of memory");
        memcpy(signed_part, sig, PERMIT_SIGNATURE_SIZE);
        memcpy(signed_part + PERMIT_SIGNATURE_SIZE, ps->trusted, ps->trusted_len);
        if (permit_pubkey_verify(pk, ps->global, signed_part, PERMIT_SIGNATURE_SIZE + ps->trusted_len) < 0)
                return permit_error_set(error, -EBADMSG, NULL, "trusted comment signature verification failed");
        if (ret_trusted_comment) {
                tc = strndup(ps->trusted, ps->trusted_len);
                if (!tc)
                        return permit_error_set(error, -ENOMEM, NULL, "out of memory");
                *ret_trusted_comment = steal_pointer(&tc);
        }
        return 0;
}

_public_ int permit_minisig_verify_file(const permit_pubkey *pk, const char *path, const char *sig_path,
                                        char **ret_trusted_comment, permit_error *error) {
        _cleanup_free_ char *data = NULL;
        _cleanup_free_ uint8_t *message = NULL;
        uint8_t hash[HASH_BYTES];
        const uint8_t *sig;
        struct parsed_sig ps;
        size_t size = 0, message_len = 0;
        int r;

        if (!pk || !path || !sig_path)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        permit_error_set_source(error, 0, sig_path);
        r = permit_read_file(sig_path, SIG_FILE_MAX, &data, &size);
        if (r == -EFBIG)
                return permit_error_set(error, -EINVAL, NULL, "too large for a signature file");
        if (r < 0)
                return permit_error_set(error, r, NULL, "cannot read: %s", strerror(-r));
        r = parse_sig(data, size, &ps, error);
        if (r < 0)
                return r;
        r = check_key_id(pk, &ps, error);
        if (r < 0)
                return r;

        permit_error_clear(error);
        permit_error_set_source(error, 0, path);
        sig = ps.raw + 2 + PERMIT_KEY_ID_SIZE;
        if (memcmp(ps.raw, ALG_PREHASHED, 2) == 0) {
                r = hash_file(path, hash, error);
                if (r < 0)
                        return r;
                r = permit_pubkey_verify(pk, sig, hash, sizeof(hash));
        } else {
                r = load_file(path, &message, &message_len, error);
                if (r < 0)
                        return r;
                r = permit_pubkey_verify(pk, sig, message, message_len);
        }
        if (r < 0)
                return permit_error_set(error, -EBADMSG, NULL, "signature verification failed");

        permit_error_clear(error);
        permit_error_set_source(error, 0, sig_path);
        r = check_global(pk, &ps, ret_trusted_comment, error);
        if (r < 0)
                return r;
        permit_error_clear(error);
        return 0;
}

int permit_minisig_verify_buffer(const permit_pubkey *pk, const void *data, size_t len, const char *sig_text,
                                 size_t sig_len, char **ret_trusted_comment, permit_error *error) {
        uint8_t hash[HASH_BYTES];
        struct parsed_sig ps;
        int r;

        if (!pk || (!data && len) || !sig_text)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        if (sig_len > SIG_FILE_MAX)
                return permit_error_set(error, -EINVAL, NULL, "too large for a signature file");
        r = parse_sig(sig_text, sig_len, &ps, error);
        if (r < 0)
                return r;
        /* Only the prehashed form: a legacy signature signs raw bytes, and
         * permit's own domain-separated messages are raw bytes too. */
        if (memcmp(ps.raw, ALG_PREHASHED, 2) != 0)
                return permit_error_set(error, -EINVAL, NULL, "line 2: legacy (non-prehashed) signature: refused");
        r = check_key_id(pk, &ps, error);
        if (r < 0)
                return r;
        crypto_generichash(hash, sizeof(hash), data, len, NULL, 0);
        if (permit_pubkey_verify(pk, ps.raw + 2 + PERMIT_KEY_ID_SIZE, hash, sizeof(hash)) < 0)
                return permit_error_set(error, -EBADMSG, NULL, "signature verification failed");
        return check_global(pk, &ps, ret_trusted_comment, error);
}
