/* SPDX-License-Identifier: MIT */
/* bench-index: how long a client takes to verify and load a registry index.
 *
 *   bench-index make DIR N     writes DIR/index.json (N add-ons, one version
 *                              each, real countersignatures), index.json.sig
 *                              and registry.pub
 *   bench-index verify DIR R   R runs of permit_index_verify() on the bytes
 *                              (read once), then N lookups; prints the
 *                              median and fastest run in ms, as JSON
 *
 * bench/index.sh runs it next to peers on the same files. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "permit/registry.h"
#include "signer/keys-private.h"

static char *read_all(const char *path, size_t *ret_len) {
        FILE *f = fopen(path, "rb");
        char *buf = NULL;
        long n;

        if (!f)
                return NULL;
        if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
            (buf = malloc((size_t) n + 1)) && fread(buf, 1, (size_t) n, f) == (size_t) n) {
                buf[n] = '\0';
                *ret_len = (size_t) n;
        } else {
                free(buf);
                buf = NULL;
        }
        fclose(f);
        return buf;
}

static int write_all(const char *dir, const char *name, const char *data, size_t len) {
        char path[4096];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "wb");
        if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
                fprintf(stderr, "bench-index: %s: %s\n", path, strerror(errno));
                return -1;
        }
        return 0;
}

static int make(const char *dir, long n) {
        permit_pubkey *reg_pk = NULL, *dev_pk = NULL;
        permit_seckey *reg_sk = NULL, *dev_sk = NULL;
        char key[PERMIT_PUBKEY_STRING_SIZE], key_id[PERMIT_KEY_ID_STRING_SIZE];
        char cs[PERMIT_COUNTERSIGNATURE_STRING_SIZE], digest[65], seal[65], id[64];
        size_t cap = (size_t) n * 640 + 1024, len = 0, sig_len;
        char *text = malloc(cap), *sig = NULL;
        int64_t now = (int64_t) time(NULL);

        if (!text || permit_keypair_generate(&reg_pk, &reg_sk) < 0 || permit_keypair_generate(&dev_pk, &dev_sk) < 0)
                return 1;
        permit_pubkey_string(dev_pk, key);
        permit_pubkey_id_string(dev_pk, key_id);
        len += (size_t) snprintf(text + len, cap - len,
                                 "{\"expires\":%" PRId64 ",\"format\":1,\"issued\":%" PRId64 ",\"packages\":{",
                                 now + 7 * 86400, now);
        for (long i = 0; i < n; i++) {
                snprintf(id, sizeof(id), "org.example.addon-%06ld", i);
                snprintf(digest, sizeof(digest), "%064lx", (unsigned long) i * 2654435761u);
                snprintf(seal, sizeof(seal), "%064lx", (unsigned long) i * 40503u + 7);
                if (permit_countersign(reg_sk, id, "1.0.0", seal, cs) < 0)
                        return 1;
                len += (size_t) snprintf(text + len, cap - len,
                                         "%s\"%s\":[{\"added\":%" PRId64 ",\"countersignature\":\"%s\","
                                         "\"digest\":\"%s\",\"key\":\"%s\",\"key_id\":\"%s\","
                                         "\"path\":\"packages/%s/1.0.0.zip\",\"seal_digest\":\"%s\",\"size\":%ld,"
                                         "\"version\":\"1.0.0\"}]",
                                         i ? "," : "", id, now, cs, digest, key, key_id, id, seal, 10000 + i);
        }
        len += (size_t) snprintf(text + len, cap - len,
                                 "},\"registry\":\"bench\",\"revoked\":{\"keys\":[],\"packages\":[]},\"version\":1}\n");
        if (permit_minisig_sign_buffer(reg_sk, text, len, "permit-index registry=bench version=1", &sig, &sig_len,
                                       NULL) < 0)
                return 1;
        permit_pubkey_string(reg_pk, key);
        {
                char pub[256];
                int k = snprintf(pub, sizeof(pub), "untrusted comment: bench registry key\n%s\n", key);
                if (write_all(dir, "index.json", text, len) < 0 || write_all(dir, "index.json.sig", sig, sig_len) < 0 ||
                    write_all(dir, "registry.pub", pub, (size_t) k) < 0)
                        return 1;
        }
        printf("{\"addons\":%ld,\"bytes\":%zu}\n", n, len);
        free(text);
        free(sig);
        permit_pubkey_free(reg_pk);
        permit_pubkey_free(dev_pk);
        permit_seckey_free(reg_sk);
        permit_seckey_free(dev_sk);
        return 0;
}

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

/* CPU time of this process: on a shared machine, wall time also counts the
 * time other processes held the cores. */
static double cpu_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static int compare_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static int verify(const char *dir, long runs) {
        char path[4096];
        size_t len = 0, sig_len = 0;
        char *data, *sig;
        double *t = calloc((size_t) runs, sizeof(double)), *c = calloc((size_t) runs, sizeof(double)), lookups = 0;
        permit_pubkey *pk = NULL;
        permit_error err = { 0 };
        size_t n = 0;

        snprintf(path, sizeof(path), "%s/index.json", dir);
        data = read_all(path, &len);
        snprintf(path, sizeof(path), "%s/index.json.sig", dir);
        sig = read_all(path, &sig_len);
        snprintf(path, sizeof(path), "%s/registry.pub", dir);
        if (!t || !c || !data || !sig || permit_pubkey_load(path, &pk, &err) < 0) {
                fprintf(stderr, "bench-index: cannot read %s\n", dir);
                return 1;
        }
        for (long r = 0; r < runs; r++) {
                permit_index *idx = NULL;
                double t0 = now_ms(), c0 = cpu_ms();
                int k = permit_index_verify(data, len, sig, sig_len, pk, 0, (int64_t) time(NULL), &idx, &err);
                t[r] = now_ms() - t0;
                c[r] = cpu_ms() - c0;
                if (k < 0) {
                        char buf[1024];
                        fprintf(stderr, "bench-index: %s\n", permit_error_string(&err, buf, sizeof(buf)));
                        return 1;
                }
                n = permit_index_n_packages(idx);
                if (r == runs - 1) {
                        double l0 = now_ms();
                        for (size_t i = 0; i < n; i++) {
                                permit_index_entry e;
                                if (permit_index_find(idx, permit_index_package_id(idx, i), NULL, &e) < 0 ||
                                    permit_index_entry_revoked(idx, &e, NULL))
                                        return 1;
                        }
                        lookups = now_ms() - l0;
                }
                permit_index_free(idx);
        }
        qsort(t, (size_t) runs, sizeof(double), compare_double);
        qsort(c, (size_t) runs, sizeof(double), compare_double);
        printf("{\"addons\":%zu,\"bytes\":%zu,\"runs\":%ld,\"median_ms\":%.2f,\"min_ms\":%.2f,\"max_ms\":%.2f,"
               "\"cpu_median_ms\":%.2f,\"cpu_min_ms\":%.2f,\"lookups_ms\":%.2f}\n",
               n, len, runs, t[runs / 2], t[0], t[runs - 1], c[runs / 2], c[0], lookups);
        free(t);
        free(c);
        free(data);
        free(sig);
        permit_pubkey_free(pk);
        return 0;
}

int main(int argc, char **argv) {
        if (argc == 4 && strcmp(argv[1], "make") == 0)
                return make(argv[2], strtol(argv[3], NULL, 10));
        if (argc == 4 && strcmp(argv[1], "verify") == 0)
                return verify(argv[2], strtol(argv[3], NULL, 10) > 0 ? strtol(argv[3], NULL, 10) : 1);
        fprintf(stderr, "usage: bench-index make DIR N | bench-index verify DIR RUNS\n");
        return 2;
}
