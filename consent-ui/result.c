/* SPDX-License-Identifier: MIT */
/* What permit-consent tells its caller: an exit code and one line of JSON
 * on stdout, {"result":"allowed","id":..,"granted":[..],"denied":[..]}. */
#include <jansson.h>

#include "consent-private.h"

consent_result *consent_result_new(consent_result_kind kind, const char *id) {
        consent_result *r = g_new0(consent_result, 1);

        r->kind = kind;
        r->id = g_strdup(id);
        r->granted = g_ptr_array_new_with_free_func(g_free);
        r->denied = g_ptr_array_new_with_free_func(g_free);
        r->revoked = g_ptr_array_new_with_free_func(g_free);
        return r;
}

void consent_result_free(consent_result *r) {
        if (!r)
                return;
        g_free(r->id);
        g_free(r->version);
        g_free(r->message);
        g_ptr_array_unref(r->granted);
        g_ptr_array_unref(r->denied);
        g_ptr_array_unref(r->revoked);
        g_free(r);
}

static const char *kind_name(consent_result_kind k) {
        switch (k) {
        case CONSENT_RESULT_ALLOWED: return "allowed";
        case CONSENT_RESULT_CANCELLED: return "cancelled";
        case CONSENT_RESULT_SAVED: return "saved";
        case CONSENT_RESULT_ERROR: return "error";
        }
        return "error";
}

static json_t *string_array(const GPtrArray *a) {
        json_t *j = json_array();

        for (guint i = 0; j && i < a->len; i++)
                json_array_append_new(j, json_string(g_ptr_array_index(a, i)));
        return j;
}

char *consent_result_json(const consent_result *r) {
        json_t *j = json_object();
        char *s, *ret;

        if (!j)
                return NULL;
        json_object_set_new(j, "result", json_string(kind_name(r->kind)));
        if (r->id)
                json_object_set_new(j, "id", json_string(r->id));
        if (r->version)
                json_object_set_new(j, "version", json_string(r->version));
        if (r->kind == CONSENT_RESULT_ALLOWED) {
                json_object_set_new(j, "granted", string_array(r->granted));
                json_object_set_new(j, "denied", string_array(r->denied));
        }
        if (r->kind == CONSENT_RESULT_SAVED) {
                json_t *revoked = json_array();

                /* pairs: add-on id, capability (or null: all of them) */
                for (guint i = 0; revoked && i + 1 < r->revoked->len; i += 2) {
                        const char *cap = g_ptr_array_index(r->revoked, i + 1);
                        json_array_append_new(revoked,
                                              json_pack("{s:s, s:o}", "id", (char *) g_ptr_array_index(r->revoked, i),
                                                        "capability", cap ? json_string(cap) : json_null()));
                }
                json_object_set_new(j, "revoked", revoked);
        }
        if (r->message)
                json_object_set_new(j, "error", json_string(r->message));
        s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
        json_decref(j);
        ret = g_strdup(s);
        free(s);
        return ret;
}

int consent_result_exit_code(const consent_result *r) {
        switch (r->kind) {
        case CONSENT_RESULT_ALLOWED:
        case CONSENT_RESULT_SAVED:
                return CONSENT_EXIT_OK;
        case CONSENT_RESULT_CANCELLED:
                return CONSENT_EXIT_REFUSED;
        case CONSENT_RESULT_ERROR:
                break;
        }
        return CONSENT_EXIT_ERROR;
}
