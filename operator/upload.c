/* SPDX-License-Identifier: MIT */
/* permit registry check-upload: everything permit verify checks, with the
 * publisher's registered key, plus the registry's policy. Every problem is
 * a finding; nothing stops at the first but an unreadable package. */
#include <inttypes.h>
#include <sys/stat.h>

#include "index-private.h"
#include "manifest/manifest-private.h"
#include "permit/trust.h"
#include "upload-policy-private.h"

#define MAX_FINDINGS 256

typedef struct finding {
        permit_upload_finding pub;
        char *check, *capability, *text;
} finding;

struct permit_upload_report {
        permit_package_info *info;
        finding *findings;
        size_t n;
        permit_verdict verdict; /* also counts findings past MAX_FINDINGS */
};

_public_ const char *permit_verdict_name(permit_verdict v) {
        switch (v) {
        case PERMIT_VERDICT_ACCEPT: return "accept";
        case PERMIT_VERDICT_REFUSE: return "refuse";
        case PERMIT_VERDICT_REVIEW: return "review";
        }
        return NULL;
}

_public_ void permit_upload_report_free(permit_upload_report *report) {
        if (!report)
                return;
        for (size_t i = 0; i < report->n; i++) {
                free(report->findings[i].check);
                free(report->findings[i].capability);
                free(report->findings[i].text);
        }
        free(report->findings);
        permit_package_info_free(report->info);
        free(report);
}

static int add(permit_upload_report *rep, permit_verdict v, const char *check, const char *capability,
               const char *format, ...) _printf_(5, 6);
static int add(permit_upload_report *rep, permit_verdict v, const char *check, const char *capability,
               const char *format, ...) {
        finding *f, *nf;
        va_list ap;
        int n;

        if (v == PERMIT_VERDICT_REFUSE || rep->verdict == PERMIT_VERDICT_ACCEPT)
                rep->verdict = v;
        if (rep->n >= MAX_FINDINGS)
                return 0;
        nf = realloc(rep->findings, (rep->n + 1) * sizeof(*nf));
        if (!nf)
                return -ENOMEM;
        rep->findings = nf;
        f = &rep->findings[rep->n];
        *f = (finding) { 0 };
        f->check = strdup(check);
        f->capability = capability ? strdup(capability) : NULL;
        va_start(ap, format);
        n = vasprintf(&f->text, format, ap);
        va_end(ap);
        if (n < 0)
                f->text = NULL;
        if (!f->check || (capability && !f->capability) || !f->text) {
                free(f->check);
                free(f->capability);
                free(f->text);
                return -ENOMEM;
        }
        f->pub = (permit_upload_finding) { .verdict = v, .check = f->check, .capability = f->capability,
                                           .text = f->text };
        rep->n++;
        return 0;
}

static const char *error_text(const permit_error *e, char *buf, size_t size, int r) {
        return e->text[0] ? permit_error_string(e, buf, size) : strerror(-r);
}

/* Which registered key the package may be verified with: one of the
 * publisher's keys itself, or a key one of them rotated to. */
static int pick_key(const char *id, json_t *keys, const permit_package_info *claimed, permit_rotation *rot,
                    permit_pubkey **ret, permit_error *error) {
        int r = -EKEYREJECTED;

        for (size_t i = 0; i < json_array_size(keys); i++) {
                permit_pubkey *reg = NULL;

                if (permit_pubkey_from_string(json_string_value(json_array_get(keys, i)), &reg, NULL) < 0)
                        continue;
                permit_error_clear(error);
                r = permit_trust_check(id, reg, permit_package_info_key_id(claimed), rot, ret, error);
                permit_pubkey_free(reg);
                if (r >= 0)
                        return r;
        }
        return r;
}

static int check_capabilities(permit_upload_report *rep, const permit_upload_policy *policy, const permit_manifest *m) {
        int r;

        for (size_t i = 0; i < permit_manifest_n_capabilities(m); i++) {
                const permit_capability *c = permit_manifest_capability(m, i);
                char warning[512];
                int risk;

                for (size_t k = 0; k < json_array_size(policy->forbid); k++) {
                        const char *rule = json_string_value(json_array_get(policy->forbid, k));
                        if (policy_rule_matches(rule, c) &&
                            (r = add(rep, PERMIT_VERDICT_REFUSE, "forbid", c->id,
                                     "%s: the registry does not accept add-ons that ask for this (rule '%s')", c->id,
                                     rule)) < 0)
                                return r;
                }
                for (size_t k = 0; k < json_array_size(policy->review); k++) {
                        const char *rule = json_string_value(json_array_get(policy->review, k));
                        if (policy_rule_matches(rule, c) &&
                            (r = add(rep, PERMIT_VERDICT_REVIEW, "review", c->id,
                                     "%s: a person must review this (rule '%s')", c->id, rule)) < 0)
                                return r;
                }
                risk = permit_capability_warning(c->id, warning, sizeof(warning));
                if (risk >= policy->review_risk &&
                    (r = add(rep, PERMIT_VERDICT_REVIEW, "review", c->id, "%s: %s risk: %s", c->id,
                             permit_risk_name((permit_risk) risk), warning)) < 0)
                        return r;
        }
        return 0;
}

_public_ int permit_upload_check(const char *package, const permit_upload_policy *policy, const permit_index *pending,
                                 permit_upload_report **ret, permit_error *error) {
        permit_upload_report *rep = NULL;
        permit_package_info *claimed = NULL;
        permit_rotation *rot = NULL;
        permit_pubkey *key = NULL;
        permit_error e = { 0 };
        permit_index_entry prev;
        const permit_manifest *m;
        const char *id, *version, *rot_bytes, *reason = NULL;
        json_t *publisher;
        char buf[1024];
        size_t rot_len = 0;
        int r;

        permit_error_clear(error);
        if (!package || !policy || !ret)
                return permit_error_set(error, -EINVAL, NULL, "invalid argument");
        rep = calloc(1, sizeof(*rep));
        if (!rep)
                return -ENOMEM;

        r = permit_package_inspect(package, &policy->limits, &claimed, &e);
        if (r == -ENOENT || r == -EACCES || r == -ENOMEM) {
                *error = e;
                goto fail;
        }
        if (r < 0) {
                r = add(rep, PERMIT_VERDICT_REFUSE, r == -EFBIG ? "limits" : "seal", NULL, "%s",
                        error_text(&e, buf, sizeof(buf), r));
                goto done;
        }
        m = permit_package_info_manifest(claimed);
        id = permit_manifest_id(m);
        version = permit_manifest_version(m);
        {
                struct stat st;
                if (stat(package, &st) == 0 && S_ISDIR(st.st_mode) &&
                    (r = add(rep, PERMIT_VERDICT_REFUSE, "format", NULL,
                             "a directory: a registry serves .zip packages")) < 0)
                        goto fail;
        }

        /* Who may publish this id, and with which key. */
        publisher = json_object_get(policy->publishers, id);
        if (!publisher) {
                r = add(rep, PERMIT_VERDICT_REFUSE, "publisher", NULL,
                        "%s has no registered publisher key in the policy", id);
                goto done;
        }
        if (!permit_package_info_key_id(claimed)[0]) {
                r = add(rep, PERMIT_VERDICT_REFUSE, "seal", NULL, "%s: not signed: no %s in the package", package,
                        PERMIT_SEAL_NAME);
                goto done;
        }
        rot_bytes = permit_package_info_rotation(claimed, &rot_len);
        if (rot_bytes && permit_rotation_parse(rot_bytes, rot_len, PERMIT_ROTATION_NAME, &rot, &e) < 0) {
                r = add(rep, PERMIT_VERDICT_REFUSE, "key", NULL, "%s", error_text(&e, buf, sizeof(buf), -EINVAL));
                goto done;
        }
        r = pick_key(id, json_object_get(publisher, "keys"), claimed, rot, &key, &e);
        if (r < 0) {
                r = add(rep, PERMIT_VERDICT_REFUSE, "key", NULL, "not sealed by a registered key of %s: %s", id,
                        error_text(&e, buf, sizeof(buf), r));
                goto done;
        }

        /* Everything permit verify checks, within the policy's limits. */
        permit_error_clear(&e);
        r = permit_package_verify(key, package, &policy->limits, &rep->info, &e);
        if (r < 0) {
                r = add(rep, PERMIT_VERDICT_REFUSE, r == -EFBIG ? "limits" : "seal", NULL, "%s",
                        error_text(&e, buf, sizeof(buf), r));
                goto done;
        }
        m = permit_package_info_manifest(rep->info);
        if (!streq(permit_manifest_id(m), id) || !streq(permit_manifest_version(m), version)) {
                r = add(rep, PERMIT_VERDICT_REFUSE, "seal", NULL, "%s changed while it was read", package);
                goto done;
        }

        if (pending) {
                if (permit_index_find(pending, id, NULL, &prev) == 0) {
                        if (permit_semver_compare(version, prev.version) <= 0 &&
                            (r = add(rep, PERMIT_VERDICT_REFUSE, "version", NULL,
                                     "%s %s is not newer than %s, the registry's latest", id, version,
                                     prev.version)) < 0)
                                goto fail;
                        if (!permit_index_key_revoked(pending, prev.key_id, NULL)) {
                                permit_pubkey *pinned = NULL;
                                if (permit_pubkey_from_string(prev.key, &pinned, NULL) == 0) {
                                        permit_error_clear(&e);
                                        r = permit_trust_check(id, pinned, permit_package_info_key_id(rep->info), rot,
                                                               NULL, &e);
                                        permit_pubkey_free(pinned);
                                        if (r < 0 && (r = add(rep, PERMIT_VERDICT_REFUSE, "key", NULL,
                                                              "users of %s %s would refuse this update: %s", id,
                                                              prev.version, error_text(&e, buf, sizeof(buf), r))) < 0)
                                                goto fail;
                                }
                        }
                }
                if (permit_index_key_revoked(pending, permit_package_info_key_id(rep->info), &reason) &&
                    (r = add(rep, PERMIT_VERDICT_REFUSE, "revoked", NULL, "key %s is revoked: %s",
                             permit_package_info_key_id(rep->info), reason)) < 0)
                        goto fail;
                if (permit_index_digest_revoked(pending, permit_package_info_seal_digest(rep->info), &reason) &&
                    (r = add(rep, PERMIT_VERDICT_REFUSE, "revoked", NULL, "this package is revoked: %s", reason)) < 0)
                        goto fail;
        }
        r = check_capabilities(rep, policy, m);
done:
        if (r < 0)
                goto fail;
        if (!rep->info) {
                rep->info = claimed;
                claimed = NULL;
        }
        permit_package_info_free(claimed);
        permit_rotation_free(rot);
        permit_pubkey_free(key);
        *ret = rep;
        return 0;
fail:
        permit_package_info_free(claimed);
        permit_rotation_free(rot);
        permit_pubkey_free(key);
        permit_upload_report_free(rep);
        return r;
}

_public_ permit_verdict permit_upload_report_verdict(const permit_upload_report *report) {
        return report ? report->verdict : PERMIT_VERDICT_REFUSE;
}

_public_ size_t permit_upload_report_n_findings(const permit_upload_report *report) {
        return report ? report->n : 0;
}

_public_ const permit_upload_finding *permit_upload_report_finding(const permit_upload_report *report, size_t i) {
        return report && i < report->n ? &report->findings[i].pub : NULL;
}

_public_ const permit_package_info *permit_upload_report_package(const permit_upload_report *report) {
        return report ? report->info : NULL;
}
