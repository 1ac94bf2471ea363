/* SPDX-License-Identifier: MIT */
/* Ed25519 keys in minisign's formats (see permit/keys.h for the layout). */
#include <sodium.h>

#include "encoding-private.h"
#include "error-private.h"
#include "fileio-private.h"
#include "keys-private.h"
#include "util.h"

#define SIG_ALG "Ed"
#define KDF_ALG "Sc"
#define CHK_ALG "B2"

#define PUBKEY_BYTES (2 + PERMIT_KEY_ID_SIZE + crypto_sign_PUBLICKEYBYTES)     /* 42 */
#define PUBKEY_B64_LEN (PERMIT_PUBKEY_STRING_SIZE - 1)                          /* 56 */

/* The secret key blob, as offsets into its 158 bytes. */
enum {
        SK_SIG_ALG = 0,
        SK_KDF_ALG = SK_SIG_ALG + 2,
        SK_CHK_ALG = SK_KDF_ALG + 2,
        SK_SALT = SK_CHK_ALG + 2,
        SK_OPSLIMIT = SK_SALT + crypto_pwhash_scryptsalsa208sha256_SALTBYTES,
        SK_MEMLIMIT = SK_OPSLIMIT + 8,
        SK_KEYNUM = SK_MEMLIMIT + 8, /* from here on encrypted */
        SK_SK = SK_KEYNUM + PERMIT_KEY_ID_SIZE,
        SK_CHK = SK_SK + crypto_sign_SECRETKEYBYTES,
        SK_BYTES = SK_CHK + crypto_generichash_BYTES,
        SK_ENCRYPTED_BYTES = SK_BYTES - SK_KEYNUM,
};
#define SECKEY_B64_LEN (4 * ((SK_BYTES + 2) / 3))

/* Nothing minisign writes comes near these: it uses OPSLIMIT_SENSITIVE
 * (2^25) and MEMLIMIT_SENSITIVE (1 GiB), or less. A key file asking for more
 * would only make us burn memory or minutes. */
#define KDF_OPSLIMIT_MAX (UINT64_C(1) << 28)
#define KDF_MEMLIMIT_MAX (UINT64_C(2) << 30)

/* A key file is two short lines; anything much bigger is not one. */
#define KEY_FILE_MAX 4096

struct permit_pubkey {
        uint8_t id[PERMIT_KEY_ID_SIZE];
        uint8_t pk[crypto_sign_PUBLICKEYBYTES];
};

/* Always in sodium_malloc()ed memory. */
struct permit_seckey {
        uint8_t id[PERMIT_KEY_ID_SIZE];
        uint8_t sk[crypto_sign_SECRETKEYBYTES];
};

static uint64_t kdf_opslimit = crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE;
static uint64_t kdf_memlimit = crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE;
static uint64_t kdf_opslimit_max = KDF_OPSLIMIT_MAX;
static uint64_t kdf_memlimit_max = KDF_MEMLIMIT_MAX;

static void sodium_freep(void *p) {
        sodium_free(*(void **) p);
}
#define _cleanup_sodium_free_ _cleanup_(sodium_freep)

static int sodium_ready(void) {
        return sodium_init() < 0 ? -EIO : 0;
}

static uint64_t le64_load(const uint8_t *p) {
        uint64_t x = 0;
        for (size_t i = 8; i-- > 0;)
                x = x << 8 | p[i];
        return x;
}

static void le64_store(uint8_t *p, uint64_t x) {
        for (size_t i = 0; i < 8; i++, x >>= 8)
                p[i] = (uint8_t) x;
}

void permit_seckey_set_kdf_limits_for_testing(uint64_t opslimit, uint64_t memlimit) {
        kdf_opslimit = opslimit ? opslimit : crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE;
        kdf_memlimit = memlimit ? memlimit : crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE;
}

void permit_seckey_set_kdf_max_for_testing(uint64_t opslimit, uint64_t memlimit) {
        /* Lower only: nothing may raise what a key file may ask for. */
        kdf_opslimit_max = opslimit && opslimit < KDF_OPSLIMIT_MAX ? opslimit : KDF_OPSLIMIT_MAX;
        kdf_memlimit_max = memlimit && memlimit < KDF_MEMLIMIT_MAX ? memlimit : KDF_MEMLIMIT_MAX;
}

void permit_key_id_format(const uint8_t id[PERMIT_KEY_ID_SIZE], char buf[PERMIT_KEY_ID_STRING_SIZE]) {
        static const char digits[] = "0123456789ABCDEF";
        size_t j = 0;

        for (size_t i = PERMIT_KEY_ID_SIZE; i-- > 0;) {
                buf[j++] = digits[id[i] >> 4];
                buf[j++] = digits[id[i] & 0xf];
        }
        buf[j] = '\0';
}

int permit_next_line(const char **p, const char *end, size_t max, const char **ret_line, size_t *ret_len) {
        const char *s = *p, *q;
        size_t len;

        if (s >= end)
                return 0;
        for (q = s; q < end && *q != '\n'; q++)
                if (*q == '\0' || (*q == '\r' && (q + 1 >= end || q[1] != '\n')))
                        return -EINVAL;
        len = (size_t) (q - s);
        if (len > 0 && s[len - 1] == '\r')
                len--;
        if (len > max)
                return -EINVAL;
        *p = q < end ? q + 1 : q;
        *ret_line = s;
        *ret_len = len;
        return 1;
}

int permit_expect_end(const char *p, const char *end) {
        const char *line;
        size_t len;
        int r;

        while ((r = permit_next_line(&p, end, 0, &line, &len)) > 0)
                ;
        return r;
}

/* Splits a key file into its comment line and its base64 line, which must
 * be exactly b64_len characters long. */
static int parse_key_file(const char *data, size_t size, size_t b64_len, const char **ret_b64, permit_error *error) {
        const char *p = data, *end = data + size, *line;
        size_t len;
        int r;

        r = permit_next_line(&p, end, PERMIT_UNTRUSTED_COMMENT_LINE_MAX, &line, &len);
        if (r < 0)
                return permit_error_set(error, -EINVAL, NULL, "line 1: malformed or longer than %d bytes",
                                        PERMIT_UNTRUSTED_COMMENT_LINE_MAX);
        if (r == 0)
                return permit_error_set(error, -EINVAL, NULL, "empty key file");
        if (len < strlen(PERMIT_UNTRUSTED_COMMENT_PREFIX) ||
            memcmp(line, PERMIT_UNTRUSTED_COMMENT_PREFIX, strlen(PERMIT_UNTRUSTED_COMMENT_PREFIX)) != 0)
                return permit_error_set(error, -EINVAL, NULL, "line 1: does not start with \"%s\"",
                                        PERMIT_UNTRUSTED_COMMENT_PREFIX);
        r = permit_next_line(&p, end, b64_len, &line, &len);
        if (r == 0)
                return permit_error_set(error, -EINVAL, NULL, "line 2: missing key");
        if (r < 0 || len != b64_len)
                return permit_error_set(error, -EINVAL, NULL, "line 2: expected %zu base64 characters", b64_len);
        if (permit_expect_end(p, end) < 0)
                return permit_error_set(error, -EINVAL, NULL, "unexpected text after the key");
        *ret_b64 = line;
        return 0;
}

static int read_error(permit_error *error, int r, const char *what) {
        if (r == -EFBIG)
                return permit_error_set(error, -EINVAL, NULL, "too large for a %s", what);
        return permit_error_set(error, r, NULL, "cannot read %s: %s", what, strerror(-r));
}

/* Public keys */

int permit_pubkey_from_raw(const uint8_t id[PERMIT_KEY_ID_SIZE], const uint8_t ed25519[32], permit_pubkey **ret) {
        permit_pubkey *pk;

        if (!id || !ed25519 || !ret)
                return -EINVAL;
        pk = malloc(sizeof(*pk));
        if (!pk)
                return -ENOMEM;
        memcpy(pk->id, id, sizeof(pk->id));
        memcpy(pk->pk, ed25519, sizeof(pk->pk));
        *ret = pk;
        return 0;
}

static int pubkey_from_base64(const char *s, size_t len, permit_pubkey **ret, permit_error *error) {
        uint8_t raw[PUBKEY_BYTES];

        if (len != PUBKEY_B64_LEN)
                return permit_error_set(error, -EINVAL, NULL, "public key: expected %d base64 characters, got %zu",
                                        PUBKEY_B64_LEN, len);
        if (permit_unbase64(raw, sizeof(raw), s, len) < 0)
                return permit_error_set(error, -EINVAL, NULL, "public key: invalid base64");
        if (memcmp(raw, SIG_ALG, 2) != 0)
                return permit_error_set(error, -EINVAL, NULL, "public key: unsupported signature algorithm");
        return permit_pubkey_from_raw(raw + 2, raw + 2 + PERMIT_KEY_ID_SIZE, ret);
}

_public_ int permit_pubkey_from_string(const char *s, permit_pubkey **ret, permit_error *error) {
        if (!s || !ret)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        return pubkey_from_base64(s, strlen(s), ret, error);
}

_public_ int permit_pubkey_load(const char *path, permit_pubkey **ret, permit_error *error) {
        _cleanup_free_ char *data = NULL;
        const char *b64;
        size_t size = 0;
        int r;

        if (!path || !ret)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        permit_error_set_source(error, 0, path);
        r = permit_read_file(path, KEY_FILE_MAX, &data, &size);
        if (r < 0)
                return read_error(error, r, "public key file");
        r = parse_key_file(data, size, PUBKEY_B64_LEN, &b64, error);
        if (r < 0)
                return r;
        return pubkey_from_base64(b64, PUBKEY_B64_LEN, ret, error);
}

_public_ void permit_pubkey_string(const permit_pubkey *pk, char buf[PERMIT_PUBKEY_STRING_SIZE]) {
        uint8_t raw[PUBKEY_BYTES];

        memcpy(raw, SIG_ALG, 2);
        memcpy(raw + 2, pk->id, sizeof(pk->id));
        memcpy(raw + 2 + sizeof(pk->id), pk->pk, sizeof(pk->pk));
        permit_base64(buf, PERMIT_PUBKEY_STRING_SIZE, raw, sizeof(raw));
}

_public_ void permit_pubkey_id_string(const permit_pubkey *pk, char buf[PERMIT_KEY_ID_STRING_SIZE]) {
        permit_key_id_format(pk->id, buf);
}

_public_ const uint8_t *permit_pubkey_id(const permit_pubkey *pk) {
        return pk->id;
}

_public_ const uint8_t *permit_pubkey_ed25519(const permit_pubkey *pk) {
        return pk->pk;
}

_public_ int permit_pubkey_save(const permit_pubkey *pk, const char *path, int overwrite) {
        char id[PERMIT_KEY_ID_STRING_SIZE], key[PERMIT_PUBKEY_STRING_SIZE];
        char text[sizeof(PERMIT_UNTRUSTED_COMMENT_PREFIX "minisign public key \n\n") + sizeof(id) + sizeof(key)];
        int n;

        if (!pk || !path)
                return -EINVAL;
        permit_key_id_format(pk->id, id);
        permit_pubkey_string(pk, key);
        n = snprintf(text, sizeof(text), PERMIT_UNTRUSTED_COMMENT_PREFIX "minisign public key %s\n%s\n", id, key);
        if (n < 0 || (size_t) n >= sizeof(text))
                return -EINVAL;
        return permit_write_file_atomic(path, text, (size_t) n, 0644, !overwrite);
}

_public_ void permit_pubkey_free(permit_pubkey *pk) {
        free(pk);
}

_public_ int permit_pubkey_verify(const permit_pubkey *pk, const uint8_t sig[PERMIT_SIGNATURE_SIZE], const void *msg,
                                  size_t len) {
        if (!pk || !sig || (!msg && len > 0))
                return -EINVAL;
        if (crypto_sign_verify_detached(sig, msg, len, pk->pk) != 0)
                return -EBADMSG;
        return 0;
}

/* Secret keys */

static int seckey_new(permit_seckey **ret) {
        permit_seckey *sk;
        int r;

        r = sodium_ready();
        if (r < 0)
                return r;
        sk = sodium_malloc(sizeof(*sk));
        if (!sk)
                return -ENOMEM;
        *ret = sk;
        return 0;
}

_public_ void permit_seckey_free(permit_seckey *sk) {
        sodium_free(sk); /* wipes; accepts NULL */
}

int permit_seckey_from_seed(const uint8_t id[PERMIT_KEY_ID_SIZE], const uint8_t seed[32], permit_seckey **ret) {
        uint8_t pk[crypto_sign_PUBLICKEYBYTES];
        permit_seckey *sk;
        int r;

        if (!id || !seed || !ret)
                return -EINVAL;
        r = seckey_new(&sk);
        if (r < 0)
                return r;
        memcpy(sk->id, id, sizeof(sk->id));
        if (crypto_sign_seed_keypair(pk, sk->sk, seed) != 0) {
                sodium_free(sk);
                return -EIO;
        }
        *ret = sk;
        return 0;
}

_public_ int permit_keypair_generate(permit_pubkey **ret_pk, permit_seckey **ret_sk) {
        uint8_t pk[crypto_sign_PUBLICKEYBYTES];
        permit_seckey *sk = NULL;
        permit_pubkey *pub = NULL;
        int r;

        if (!ret_pk || !ret_sk)
                return -EINVAL;
        r = seckey_new(&sk);
        if (r < 0)
                return r;
        randombytes_buf(sk->id, sizeof(sk->id));
        if (crypto_sign_keypair(pk, sk->sk) != 0) {
                sodium_free(sk);
                return -EIO;
        }
        r = permit_pubkey_from_raw(sk->id, pk, &pub);
        if (r < 0) {
                sodium_free(sk);
                return r;
        }
        *ret_pk = pub;
        *ret_sk = sk;
        return 0;
}

_public_ int permit_seckey_pubkey(const permit_seckey *sk, permit_pubkey **ret) {
        if (!sk || !ret)
                return -EINVAL;
        /* An Ed25519 secret key is seed || public key. */
        return permit_pubkey_from_raw(sk->id, sk->sk + crypto_sign_SEEDBYTES, ret);
}

_public_ const uint8_t *permit_seckey_id(const permit_seckey *sk) {
        return sk->id;
}

_public_ int permit_seckey_sign(const permit_seckey *sk, const void *msg, size_t len,
                                uint8_t ret[PERMIT_SIGNATURE_SIZE]) {
        if (!sk || !ret || (!msg && len > 0))
                return -EINVAL;
        if (crypto_sign_detached(ret, NULL, msg, len, sk->sk) != 0)
                return -EIO;
        return 0;
}

/* BLAKE2b-256 of "Ed" || key id || secret key, as minisign checks it. */
static void seckey_checksum(const uint8_t *blob, uint8_t chk[crypto_generichash_BYTES]) {
        crypto_generichash_state st;

        crypto_generichash_init(&st, NULL, 0, crypto_generichash_BYTES);
        crypto_generichash_update(&st, blob + SK_SIG_ALG, 2);
        crypto_generichash_update(&st, blob + SK_KEYNUM, PERMIT_KEY_ID_SIZE + crypto_sign_SECRETKEYBYTES);
        crypto_generichash_final(&st, chk, crypto_generichash_BYTES);
        sodium_memzero(&st, sizeof(st));
}

/* XORs the encrypted part of blob with scrypt(password, salt, limits). */
static int seckey_crypt(uint8_t *blob, const char *password, size_t password_len) {
        _cleanup_sodium_free_ uint8_t *stream = NULL;

        stream = sodium_malloc(SK_ENCRYPTED_BYTES);
        if (!stream)
                return -ENOMEM;
        if (crypto_pwhash_scryptsalsa208sha256(stream, SK_ENCRYPTED_BYTES, password, password_len, blob + SK_SALT,
                                               (unsigned long long) le64_load(blob + SK_OPSLIMIT),
                                               (size_t) le64_load(blob + SK_MEMLIMIT)) != 0)
                return -ENOMEM;
        for (size_t i = 0; i < SK_ENCRYPTED_BYTES; i++)
                blob[SK_KEYNUM + i] ^= stream[i];
        return 0;
}

/* The second half of an Ed25519 secret key is the public key of the first:
 * a key file whose halves disagree would sign with something other than
 * what its public key verifies. */
static bool seckey_consistent(const uint8_t sk[crypto_sign_SECRETKEYBYTES]) {
        uint8_t pk[crypto_sign_PUBLICKEYBYTES];
        _cleanup_sodium_free_ uint8_t *scratch = sodium_malloc(crypto_sign_SECRETKEYBYTES);

        if (!scratch)
                return false;
        if (crypto_sign_seed_keypair(pk, scratch, sk) != 0)
                return false;
        return sodium_memcmp(pk, sk + crypto_sign_SEEDBYTES, sizeof(pk)) == 0;
}

static int seckey_decode(const char *b64, const char *password, size_t password_len, permit_seckey **ret,
                         permit_error *error) {
        _cleanup_sodium_free_ uint8_t *blob = NULL;
        uint8_t chk[crypto_generichash_BYTES];
        static const uint8_t zero[crypto_generichash_BYTES];
        permit_seckey *sk;
        int r;

        blob = sodium_malloc(SK_BYTES);
        if (!blob)
                return -ENOMEM;
        if (permit_unbase64(blob, SK_BYTES, b64, SECKEY_B64_LEN) < 0)
                return permit_error_set(error, -EINVAL, NULL, "secret key: invalid base64");
        if (memcmp(blob + SK_SIG_ALG, SIG_ALG, 2) != 0)
                return permit_error_set(error, -EINVAL, NULL, "secret key: unsupported signature algorithm");
        if (memcmp(blob + SK_CHK_ALG, CHK_ALG, 2) != 0)
                return permit_error_set(error, -EINVAL, NULL, "secret key: unsupported checksum algorithm");

        if (memcmp(blob + SK_KDF_ALG, KDF_ALG, 2) == 0) {
                uint64_t ops = le64_load(blob + SK_OPSLIMIT), mem = le64_load(blob + SK_MEMLIMIT);

                if (ops > kdf_opslimit_max || mem > kdf_memlimit_max || mem > SIZE_MAX)
                        return permit_error_set(error, -EINVAL, NULL,
                                                "secret key: scrypt limits out of range (opslimit %llu, memlimit %llu)",
                                                (unsigned long long) ops, (unsigned long long) mem);
                if (!password || password_len == 0)
                        return permit_error_set(error, -ENOKEY, NULL, "secret key is encrypted: password needed");
                r = seckey_crypt(blob, password, password_len);
                if (r < 0)
                        return permit_error_set(error, r, NULL, "scrypt failed (out of memory?)");
                seckey_checksum(blob, chk);
                r = sodium_memcmp(chk, blob + SK_CHK, sizeof(chk));
                sodium_memzero(chk, sizeof(chk));
                if (r != 0)
                        return permit_error_set(error, -EKEYREJECTED, NULL, "wrong password for this secret key");
        } else if (blob[SK_KDF_ALG] == 0 && blob[SK_KDF_ALG + 1] == 0) {
                /* Unencrypted. minisign 0.11 leaves the checksum of a -W key
                 * all zero; one that is there must match. */
                if (sodium_memcmp(blob + SK_CHK, zero, sizeof(zero)) != 0) {
                        seckey_checksum(blob, chk);
                        r = sodium_memcmp(chk, blob + SK_CHK, sizeof(chk));
                        sodium_memzero(chk, sizeof(chk));
                        if (r != 0)
                                return permit_error_set(error, -EINVAL, NULL, "secret key: checksum mismatch");
                }
        } else
                return permit_error_set(error, -EINVAL, NULL, "secret key: unsupported key derivation algorithm");

        if (!seckey_consistent(blob + SK_SK))
                return permit_error_set(error, -EINVAL, NULL, "secret key: public half does not match");
        r = seckey_new(&sk);
        if (r < 0)
                return r;
        memcpy(sk->id, blob + SK_KEYNUM, sizeof(sk->id));
        memcpy(sk->sk, blob + SK_SK, sizeof(sk->sk));
        *ret = sk;
        return 0;
}

_public_ int permit_seckey_load(const char *path, const char *password, size_t password_len, permit_seckey **ret,
                                permit_error *error) {
        _cleanup_sodium_free_ char *data = NULL;
        const char *b64;
        size_t size = 0;
        int r;

        if (!path || !ret || (!password && password_len > 0))
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        r = sodium_ready();
        if (r < 0)
                return permit_error_set(error, r, NULL, "libsodium failed to initialize");
        permit_error_set_source(error, 0, path);
        r = permit_read_secret_file(path, KEY_FILE_MAX, &data, &size);
        if (r < 0)
                return read_error(error, r, "secret key file");
        r = parse_key_file(data, size, SECKEY_B64_LEN, &b64, error);
        if (r < 0)
                return r;
        return seckey_decode(b64, password, password_len, ret, error);
}

_public_ int permit_seckey_save(const permit_seckey *sk, const char *path, const char *password, size_t password_len,
                                int overwrite) {
        static const char comment[] = PERMIT_UNTRUSTED_COMMENT_PREFIX "minisign encrypted secret key\n";
        _cleanup_sodium_free_ uint8_t *blob = NULL;
        _cleanup_sodium_free_ char *text = NULL;
        size_t len;
        int r;

        if (!sk || !path || (!password && password_len > 0))
                return -EINVAL;
        r = sodium_ready();
        if (r < 0)
                return r;
        blob = sodium_malloc(SK_BYTES);
        text = sodium_malloc(sizeof(comment) + SECKEY_B64_LEN + 2);
        if (!blob || !text)
                return -ENOMEM;
        memset(blob, 0, SK_BYTES);
        memcpy(blob + SK_SIG_ALG, SIG_ALG, 2);
        memcpy(blob + SK_CHK_ALG, CHK_ALG, 2);
        memcpy(blob + SK_KEYNUM, sk->id, sizeof(sk->id));
        memcpy(blob + SK_SK, sk->sk, sizeof(sk->sk));
        seckey_checksum(blob, blob + SK_CHK);
        if (password_len > 0) {
                memcpy(blob + SK_KDF_ALG, KDF_ALG, 2);
                randombytes_buf(blob + SK_SALT, crypto_pwhash_scryptsalsa208sha256_SALTBYTES);
                le64_store(blob + SK_OPSLIMIT, kdf_opslimit);
                le64_store(blob + SK_MEMLIMIT, kdf_memlimit);
                r = seckey_crypt(blob, password, password_len);
                if (r < 0)
                        return r;
        }
        memcpy(text, comment, sizeof(comment) - 1);
        len = sizeof(comment) - 1;
        permit_base64(text + len, SECKEY_B64_LEN + 1, blob, SK_BYTES);
        len += SECKEY_B64_LEN;
        text[len++] = '\n';
        return permit_write_file_atomic(path, text, len, 0600, !overwrite);
}
