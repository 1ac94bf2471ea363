/* SPDX-License-Identifier: MIT */
/* Helpers the store tests share: a fresh profile, manifests built from a
 * line of capabilities, and deciding in one call. Include after <cmocka.h>. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "permit/manifest.h"
#include "permit/policy.h"
#include "permit/store.h"
#include "tests/unit/test-files.h"

/* caps: the JSON array's members, e.g.
 * "{\"id\":\"net.connect:a.example\"},{\"id\":\"sys.notify\",\"required\":false}" */
static inline permit_manifest *sto_manifest(const char *id, const char *version, const char *caps) {
        permit_manifest *m = NULL;
        permit_error e = { 0 };
        char *json = NULL;
        int r;

        assert_true(asprintf(&json,
                             "{\"id\":\"%s\",\"name\":\"Add-on %s\",\"version\":\"%s\",\"publisher\":\"Example\","
                             "\"entry\":\"main.py\",\"capabilities\":[%s]}",
                             id, id, version, caps) > 0);
        r = permit_manifest_parse(json, strlen(json), "test", &m, &e);
        if (r < 0)
                fail_msg("manifest: %s", e.text);
        free(json);
        return m;
}

static inline permit_policy *sto_policy(const char *json) {
        permit_policy *p = NULL;
        permit_error e = { 0 };

        if (permit_policy_parse(json, strlen(json), "policy.json", &p, &e) < 0)
                fail_msg("policy: %s: %s", e.path, e.text);
        return p;
}

static inline permit_store *sto_open(const char *profile) {
        permit_store *s = NULL;
        permit_error e = { 0 };

        if (permit_store_open(profile, PERMIT_STORE_CREATE, &s, &e) < 0)
                fail_msg("open: %s: %s", e.source, e.text);
        return s;
}

/* Decides on m: every optional capability named in grant (NULL-terminated)
 * granted, the others not; required ones accepted. */
static inline void sto_decide(permit_store *s, const permit_manifest *m, const char *const *grant) {
        permit_decision *d = NULL;
        permit_error e = { 0 };

        assert_int_equal(permit_decision_new(m, permit_store_find(s, permit_manifest_id(m)), &d), 0);
        for (size_t i = 0; grant && grant[i]; i++)
                assert_int_equal(permit_decision_set(d, grant[i], true), 0);
        if (permit_store_record_decision(s, d, &e) < 0)
                fail_msg("record: %s: %s", e.source, e.text);
        permit_decision_free(d);
}

static inline const permit_cap_decision *sto_decision(const permit_store *s, const char *id, const char *cap) {
        return permit_record_find_decision(permit_store_find(s, id), cap);
}

/* A fresh profile with its store open, for cmocka's setup/teardown. */
typedef struct fixture {
        char *dir;
        permit_store *s;
} fixture;

static inline int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        f->dir = test_tempdir();
        f->s = sto_open(f->dir);
        *state = f;
        return 0;
}

static inline int teardown(void **state) {
        fixture *f = *state;
        permit_store_free(f->s);
        test_rm_rf(f->dir);
        free(f);
        return 0;
}
