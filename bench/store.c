/* SPDX-License-Identifier: MIT */
/* bench-store: loading a profile's store of N add-ons and computing every
 * add-on's effective grant, against the peer in the same run: jansson
 * parsing the same grants.json and nothing else (the floor for any reader
 * of that file).
 *
 *     bench-store [N_ADDONS [RUNS]]     (default 1000 add-ons, 50 runs)
 *
 * The store is built once in a temp dir (5 capabilities per add-on, two
 * optional, one denied; a policy denying one kind); the manifests are parsed
 * before timing (a host has them from verifying its add-ons at startup).
 * Timed: permit_store_open() + permit_effective_grant() for every add-on +
 * frees. Prints median and fastest of RUNS, page cache warm. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "permit/policy.h"
#include "permit/store.h"

/* CPU time of this process: the machine is shared, and wall time there
 * measures the other sessions as much as this code. Wall time is printed
 * too. */
static double cpu_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static int compare_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static permit_manifest *manifest(size_t i) {
        char json[1024];
        permit_manifest *m = NULL;
        permit_error e = { 0 };

        snprintf(json, sizeof(json),
                 "{\"id\":\"org.example.addon%zu\",\"name\":\"Add-on %zu\",\"version\":\"1.%zu.0\","
                 "\"publisher\":\"Example\",\"entry\":\"main.py\",\"capabilities\":["
                 "{\"id\":\"net.connect:api%zu.example.com:443\",\"reason\":\"Fetches data\"},"
                 "{\"id\":\"fs.read:$DOCUMENTS/addon%zu\",\"reason\":\"Reads your lists\"},"
                 "{\"id\":\"sys.notify\",\"required\":false},"
                 "{\"id\":\"fs.write:$HOME/addon%zu\",\"required\":false},"
                 "{\"id\":\"proc.exec:/usr/bin/git\"}],"
                 "\"limits\":{\"memory_mb\":256}}",
                 i, i, i, i, i, i);
        if (permit_manifest_parse(json, strlen(json), NULL, &m, &e) < 0) {
                fprintf(stderr, "manifest: %s\n", e.text);
                exit(1);
        }
        return m;
}

static void summary(const char *what, double *t, int runs) {
        qsort(t, (size_t) runs, sizeof(*t), compare_double);
        printf("%-52s median %7.3f ms  fastest %7.3f ms\n", what, t[runs / 2], t[0]);
}

int main(int argc, char **argv) {
        size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
        int runs = argc > 2 ? atoi(argv[2]) : 50;
        char dir[] = "/tmp/permit-bench-store.XXXXXX", path[512], cmd[600];
        const char *policy_json = "{\"version\":1,\"deny\":[\"dev.camera\"],\"limits\":{\"memory_mb\":512}}";
        permit_manifest **ms = calloc(n, sizeof(*ms));
        permit_policy *policy = NULL;
        permit_store *s = NULL;
        double *t_store = calloc((size_t) runs, sizeof(double)), *t_peer = calloc((size_t) runs, sizeof(double));
        double *w_store = calloc((size_t) runs, sizeof(double)), *w_peer = calloc((size_t) runs, sizeof(double));
        size_t granted = 0;
        struct stat st;

        if (!ms || !t_store || !t_peer || !w_store || !w_peer || n == 0 || runs < 1 || !mkdtemp(dir))
                return 2;
        if (permit_policy_parse(policy_json, strlen(policy_json), NULL, &policy, NULL) < 0 ||
            permit_store_open(dir, PERMIT_STORE_CREATE, &s, NULL) < 0)
                return 1;
        /* Built with one import (recording n decisions one by one would
         * fsync n times): the records a user's decisions make, sys.notify
         * allowed, fs.write denied. */
        {
                json_t *root = json_object(), *grants = json_object();
                permit_error e = { 0 };
                char *text;

                json_object_set_new(root, "version", json_integer(1));
                json_object_set_new(root, "grants", grants);
                for (size_t i = 0; i < n; i++) {
                        uint8_t digest[PERMIT_DIGEST_SIZE];
                        char hex[2 * PERMIT_DIGEST_SIZE + 1];
                        json_t *rec, *caps = json_object();

                        ms[i] = manifest(i);
                        if (permit_manifest_digest(ms[i], digest) < 0)
                                return 1;
                        for (size_t k = 0; k < PERMIT_DIGEST_SIZE; k++)
                                snprintf(hex + 2 * k, 3, "%02x", digest[k]);
                        for (size_t k = 0; k < permit_manifest_n_capabilities(ms[i]); k++) {
                                const permit_capability *c = permit_manifest_capability(ms[i], k);
                                bool granted_cap = c->required || strcmp(c->id, "sys.notify") == 0;
                                json_object_set_new(caps, c->id,
                                                    json_pack("{s:b,s:b,s:b,s:I,s:s}", "granted", granted_cap,
                                                              "required", c->required, "requested", 1, "at",
                                                              (json_int_t) 1795420800, "by", "user"));
                        }
                        rec = json_pack("{s:s,s:s,s:s,s:s,s:I,s:o}", "version", permit_manifest_version(ms[i]),
                                        "name", permit_manifest_name(ms[i]), "publisher",
                                        permit_manifest_publisher(ms[i]), "manifest_digest", hex, "decided_at",
                                        (json_int_t) 1795420800, "capabilities", caps);
                        json_object_set_new(grants, permit_manifest_id(ms[i]), rec);
                }
                text = json_dumps(root, JSON_COMPACT);
                json_decref(root);
                if (!text || permit_store_import(s, text, strlen(text), "bench", &e) < 0) {
                        fprintf(stderr, "import: %s: %s\n", e.path, e.text);
                        return 1;
                }
                free(text);
        }
        permit_store_free(s);
        snprintf(path, sizeof(path), "%s/permit/grants.json", dir);
        if (stat(path, &st) < 0)
                return 1;

        for (int r = 0; r < runs; r++) {
                double t0 = cpu_ms(), w0 = now_ms();
                permit_store *x = NULL;
                granted = 0;
                if (permit_store_open(dir, 0, &x, NULL) < 0)
                        return 1;
                for (size_t i = 0; i < n; i++) {
                        permit_effective *e = NULL;
                        if (permit_effective_grant(x, ms[i], getenv("BENCH_NO_POLICY") ? NULL : policy, &e) < 0)
                                return 1;
                        granted += permit_effective_n_granted(e);
                        permit_effective_free(e);
                }
                permit_store_free(x);
                t_store[r] = cpu_ms() - t0;
                w_store[r] = now_ms() - w0;

                t0 = cpu_ms();
                w0 = now_ms();
                json_error_t je;
                json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
                if (!j)
                        return 1;
                json_decref(j);
                t_peer[r] = cpu_ms() - t0;
                w_peer[r] = now_ms() - w0;
        }
        printf("store of %zu add-ons: grants.json %lld bytes; %zu capabilities granted in all\n", n,
               (long long) st.st_size, granted);
        summary("permit: open + effective grant of all, CPU", t_store, runs);
        summary("peer: jansson json_load_file(grants.json), CPU", t_peer, runs);
        summary("permit: open + effective grant of all, wall", w_store, runs);
        summary("peer: jansson json_load_file(grants.json), wall", w_peer, runs);
        printf("ratio permit/peer (median CPU): %.2fx\n", t_store[runs / 2] / t_peer[runs / 2]);
        {
                double l[3];
                if (getloadavg(l, 3) == 3)
                        printf("load average at the end: %.2f\n", l[0]);
        }

        if (getenv("BENCH_KEEP")) { printf("kept %s\n", dir); return 0; }
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
                return 1;
        for (size_t i = 0; i < n; i++)
                permit_manifest_free(ms[i]);
        free(ms);
        free(t_store);
        free(t_peer);
        free(w_store);
        free(w_peer);
        permit_policy_free(policy);
        return 0;
}
