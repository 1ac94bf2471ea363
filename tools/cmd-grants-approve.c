/* SPDX-License-Identifier: MIT */
/* permit grants approve: verify a package, then ask the user about each
 * capability (or take the answers from options) and record the decision. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grants.h"

/* Verifies the package: against the given key, the pinned key, or on first
 * use the key the seal carries. *ret_pin is the key to pin ("" when the id
 * is already pinned). */
static int verify(permit_store *s, const grants_options *o, const char *package, permit_package_info **ret,
                  char ret_pin[PERMIT_PUBKEY_STRING_SIZE], bool *ret_tofu) {
        permit_package_info *peek = NULL, *info = NULL;
        permit_pubkey *given = NULL, *pinned = NULL;
        const char *pin_key = NULL, *pin_id = NULL;
        permit_error error = { 0 };
        char id[160];
        int r, ret_code = EXIT_REFUSED;

        ret_pin[0] = '\0';
        *ret_tofu = false;
        /* The id, to find its pin: read without trusting it; the verified
         * manifest must say the same. */
        r = permit_package_inspect(package, &o->limits, &peek, &error);
        if (r < 0)
                return tool_fail(r, &error, package);
        snprintf(id, sizeof(id), "%s", permit_manifest_id(permit_package_info_manifest(peek)));
        permit_package_info_free(peek);

        if ((o->pubkey_file || o->pubkey_string) && tool_pubkey_load(o->pubkey_file, o->pubkey_string, &given, NULL) < 0)
                return EXIT_USAGE;
        if (permit_store_pin_get(s, id, &pin_key, &pin_id) == 0) {
                if (given) {
                        char gid[PERMIT_KEY_ID_STRING_SIZE];
                        permit_pubkey_id_string(given, gid);
                        if (strcmp(gid, pin_id) != 0) {
                                tool_error("grants: %s: %s is pinned to key %s, not %s (to trust another key: "
                                           "'permit grants reset --forget-key %s')",
                                           package, id, pin_id, gid, id);
                                goto out;
                        }
                }
                r = permit_pubkey_from_string(pin_key, &pinned, &error);
                if (r >= 0)
                        r = permit_package_verify(pinned, package, &o->limits, &info, &error);
                if (r == -EKEYREJECTED) {
                        tool_error("grants: %s: not sealed with key %s, which is pinned for %s (to trust "
                                   "another key: 'permit grants reset --forget-key %s')",
                                   package, pin_id, id, id);
                        goto out;
                }
        } else if (given) {
                r = permit_package_verify(given, package, &o->limits, &info, &error);
                if (r >= 0)
                        permit_pubkey_string(given, ret_pin);
        } else {
                r = permit_package_verify_with_seal_key(package, &o->limits, &info, &error);
                if (r == -ENOKEY) {
                        tool_error("grants: %s: its seal does not carry the publisher's key (sealed by an older "
                                   "permit): on a first install give the key with -p PUBKEY",
                                   package);
                        ret_code = EXIT_USAGE;
                        goto out;
                }
                if (r >= 0) {
                        snprintf(ret_pin, PERMIT_PUBKEY_STRING_SIZE, "%s", permit_package_info_public_key(info));
                        *ret_tofu = true;
                }
        }
        if (r < 0) {
                ret_code = tool_fail(r, &error, package);
                goto out;
        }
        if (strcmp(permit_manifest_id(permit_package_info_manifest(info)), id) != 0) {
                tool_error("grants: %s: changed while it was being verified", package);
                goto out;
        }
        *ret = info;
        info = NULL;
        ret_code = EXIT_OK;
out:
        permit_package_info_free(info);
        permit_pubkey_free(given);
        permit_pubkey_free(pinned);
        return ret_code;
}

static void print_result_json(const char *package, const permit_manifest *m, const permit_package_info *info, const permit_decision *d,
                              bool pinned) {
        tool_json_identity(package, m);
        printf(",\"key_id\":\"%s\",\"pinned\":%s,\"granted\":[", permit_package_info_key_id(info),
               pinned ? "true" : "false");
        for (size_t i = 0, k = 0; i < permit_decision_count(d); i++)
                if (permit_decision_granted(d, i)) {
                        if (k++)
                                putchar(',');
                        tool_json_string(permit_decision_capability(d, i));
                }
        fputs("],\"denied\":[", stdout);
        for (size_t i = 0, k = 0; i < permit_decision_count(d); i++)
                if (!permit_decision_granted(d, i)) {
                        if (k++)
                                putchar(',');
                        tool_json_string(permit_decision_capability(d, i));
                }
        puts("]}");
}

int grants_approve(permit_store *s, const grants_options *o, const char *package) {
        FILE *out = o->json ? stderr : stdout; /* --json keeps stdout for the result */
        permit_package_info *info = NULL;
        permit_decision *d = NULL;
        permit_error error = { 0 };
        const permit_manifest *m;
        char pin[PERMIT_PUBKEY_STRING_SIZE];
        bool tofu;
        int r, ret;

        ret = verify(s, o, package, &info, pin, &tofu);
        if (ret != EXIT_OK)
                return ret;
        m = permit_package_info_manifest(info);
        ret = grants_decide(s, o, m, permit_package_info_key_id(info), out, &d);
        if (ret != EXIT_OK)
                goto out;

        /* The pin first: a decision never stands without the key it trusts. */
        if (pin[0]) {
                r = permit_store_pin_set(s, permit_manifest_id(m), pin, &error);
                if (r < 0) {
                        ret = tool_fail(r, &error, permit_store_dir(s));
                        goto out;
                }
        }
        r = permit_store_record_decision(s, d, &error);
        if (r < 0) {
                ret = tool_fail(r, &error, permit_store_dir(s));
                goto out;
        }
        if (pin[0]) {
                if (tofu)
                        fprintf(out, "\nFirst install: pinned the key the seal carries, %s, for %s. Later versions "
                                     "must be signed by it.\nCompare this key id with the one the publisher gives.\n",
                                permit_package_info_key_id(info), permit_manifest_id(m));
                else
                        fprintf(out, "\nPinned key %s for %s.\n", permit_package_info_key_id(info),
                                permit_manifest_id(m));
        }
        grants_print_recorded(out, m, d);
        if (o->json)
                print_result_json(package, m, info, d, pin[0] != '\0');
        ret = EXIT_OK;
out:
        permit_decision_free(d);
        permit_package_info_free(info);
        return ret;
}
