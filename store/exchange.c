/* SPDX-License-Identifier: MIT */
/* Export and import: the grants and pins of a profile as one JSON document,
 * for moving a profile or handing out an administrator's decisions. */
#include "json-private.h"
#include "store-private.h"

_public_ int permit_store_export(const permit_store *s, char **ret, size_t *ret_len) {
        _cleanup_json_ json_t *root = json_object();
        json_t *grants = NULL, *pins = NULL;
        char *text;
        int r;

        if (!s || !ret)
                return -EINVAL;
        if (!root || json_set(root, "version", json_integer(STORE_FORMAT_VERSION)) < 0)
                return -ENOMEM;
        r = grants_to_json(&s->state, &grants);
        if (r < 0)
                return r;
        if (json_set(root, "grants", grants) < 0)
                return -ENOMEM;
        r = pins_to_json(&s->state, &pins);
        if (r < 0)
                return r;
        if (json_set(root, "pins", pins) < 0)
                return -ENOMEM;
        text = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII);
        if (!text)
                return -ENOMEM;
        *ret = text;
        if (ret_len)
                *ret_len = strlen(text);
        return 0;
}

static int import_apply(permit_store *s, store_state *st, void *userdata, permit_error *error) {
        const store_state *in = userdata;
        int r;

        /* Check every pin before changing anything: all or nothing. */
        for (size_t i = 0; i < in->n_pins; i++) {
                const store_pin *old = state_find_pin(st, in->pins[i].id);
                if (old && !streq(old->public_key, in->pins[i].public_key))
                        return permit_error_set(error, -EKEYREJECTED, NULL,
                                                "pins.%s: another key (%s) is already pinned for this add-on",
                                                in->pins[i].id, old->key_id);
        }
        for (size_t i = 0; i < in->n_records; i++) {
                permit_record copy;
                r = record_copy(&in->records[i], &copy);
                if (r < 0)
                        return r;
                r = state_put_record(st, &copy);
                if (r < 0) {
                        record_clear(&copy);
                        return r;
                }
        }
        for (size_t i = 0; i < in->n_pins; i++) {
                if (state_find_pin(st, in->pins[i].id))
                        continue; /* the same key: keep the first pinning time */
                r = state_put_pin(st, in->pins[i].id, in->pins[i].public_key, in->pins[i].pinned_at, error);
                if (r < 0)
                        return r;
        }
        return (in->n_records > 0 ? CHANGED_GRANTS : 0) | (in->n_pins > 0 ? CHANGED_PINS : 0);
}

_public_ int permit_store_import(permit_store *s, const char *json, size_t len, const char *source,
                                 permit_error *error) {
        store_state in = { 0 };
        int r;

        if (!s || !json)
                return -EINVAL;
        if (len > PERMIT_STORE_MAX_FILE)
                return permit_error_set_at(error, -EFBIG, source, NULL, "larger than %d bytes", PERMIT_STORE_MAX_FILE);
        r = document_read(json, len, DOC_GRANTS | DOC_PINS | DOC_CHECKSUM, &in, error);
        if (r < 0) {
                state_clear(&in);
                return permit_error_set_source(error, r, source);
        }
        r = store_change(s, import_apply, &in, error);
        state_clear(&in);
        return r;
}
