/* SPDX-License-Identifier: MIT */
/* What the registry tests share: a registry key and two developer keys,
 * index documents built as text and signed, and entries that carry real
 * countersignatures. Include after <cmocka.h>. */
#pragma once

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "permit/registry.h"
#include "permit/trust.h"
#include "signer/keys-private.h"

/* GCC 12 takes strstr() into a string that asprintf() filled through a
 * pointer to a local of an inlined helper for a pointer to that local
 * ("dangling pointer to 's'"): a false positive in these tests. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif

#define RT_NOW INT64_C(1800000000)
#define RT_EXPIRES (RT_NOW + 7 * 86400)

typedef struct rt_keys {
        permit_pubkey *reg_pk, *dev_pk, *dev2_pk, *other_pk;
        permit_seckey *reg_sk, *dev_sk, *dev2_sk, *other_sk;
} rt_keys;

static inline void rt_keys_make(rt_keys *k) {
        assert_true(sodium_init() >= 0);
        assert_int_equal(permit_keypair_generate(&k->reg_pk, &k->reg_sk), 0);
        assert_int_equal(permit_keypair_generate(&k->dev_pk, &k->dev_sk), 0);
        assert_int_equal(permit_keypair_generate(&k->dev2_pk, &k->dev2_sk), 0);
        assert_int_equal(permit_keypair_generate(&k->other_pk, &k->other_sk), 0);
}

static inline void rt_keys_free(rt_keys *k) {
        permit_pubkey_free(k->reg_pk);
        permit_pubkey_free(k->dev_pk);
        permit_pubkey_free(k->dev2_pk);
        permit_pubkey_free(k->other_pk);
        permit_seckey_free(k->reg_sk);
        permit_seckey_free(k->dev_sk);
        permit_seckey_free(k->dev2_sk);
        permit_seckey_free(k->other_sk);
}

/* One entry's JSON text for id/version sealed by dev with seal_digest,
 * countersigned by reg (free()). */
static inline char *rt_entry(const char *id, const char *version, const permit_pubkey *dev, const permit_seckey *reg,
                             const char *seal_digest) {
        char key[PERMIT_PUBKEY_STRING_SIZE], key_id[PERMIT_KEY_ID_STRING_SIZE];
        char cs[PERMIT_COUNTERSIGNATURE_STRING_SIZE];
        char *s = NULL;

        permit_pubkey_string(dev, key);
        permit_pubkey_id_string(dev, key_id);
        assert_int_equal(permit_countersign(reg, id, version, seal_digest, cs), 0);
        int n = asprintf(&s,
                             "{\"version\":\"%s\",\"size\":1234,\"digest\":\"%064d\",\"seal_digest\":\"%s\","
                             "\"key\":\"%s\",\"key_id\":\"%s\",\"path\":\"packages/%s/%s.zip\",\"added\":1,"
                             "\"countersignature\":\"%s\"}",
                             version, 7, seal_digest, key, key_id, id, version, cs);
        assert_true(n > 0);
        return s;
}

/* A whole index: packages is the JSON text of the packages object, revoked
 * that of the revoked object (NULL: empty lists). */
static inline char *rt_index(uint64_t version, int64_t issued, int64_t expires, const char *packages,
                             const char *revoked) {
        char *s = NULL;

        int n = asprintf(&s,
                             "{\"format\":1,\"registry\":\"test\",\"version\":%llu,\"issued\":%lld,\"expires\":%lld,"
                             "\"packages\":%s,\"revoked\":%s}\n",
                             (unsigned long long) version, (long long) issued, (long long) expires,
                             packages ? packages : "{}", revoked ? revoked : "{\"keys\":[],\"packages\":[]}");
        assert_true(n > 0);
        return s;
}

/* index.json.sig over text by sk (free()). */
static inline char *rt_sign(const permit_seckey *sk, const char *text, size_t *ret_len) {
        char *sig = NULL;

        assert_int_equal(permit_minisig_sign_buffer(sk, text, strlen(text), "test", &sig, ret_len, NULL), 0);
        return sig;
}

/* Verifies text signed by sk with key pk, at RT_NOW, last version 0. */
static inline int rt_verify(const permit_seckey *sk, const permit_pubkey *pk, const char *text, uint64_t last,
                            int64_t now, permit_index **ret, permit_error *error) {
        size_t sig_len = 0;
        char *sig = rt_sign(sk, text, &sig_len);
        int r = permit_index_verify(text, strlen(text), sig, sig_len, pk, last, now, ret, error);

        free(sig);
        return r;
}
