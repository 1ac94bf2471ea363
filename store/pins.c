/* SPDX-License-Identifier: MIT */
/* pins.json: the publisher key pinned for each add-on id (doc/store.md,
 * schemas/pins.schema.json). */
#include "json-private.h"
#include "manifest-private.h"
#include "permit/keys.h"
#include "json-reader-private.h"
#include "store-private.h"

static void pin_clear(store_pin *p) {
        free(p->id);
        free(p->public_key);
        free(p->key_id);
        memset(p, 0, sizeof(*p));
}

static int compare_pin(const void *a, const void *b) {
        return strcmp(((const store_pin *) a)->id, ((const store_pin *) b)->id);
}

store_pin *state_find_pin(const store_state *st, const char *id) {
        store_pin key = { .id = (char *) id };

        if (!id || st->n_pins == 0)
                return NULL;
        return bsearch(&key, st->pins, st->n_pins, sizeof(key), compare_pin);
}

/* Checks a "RW..." key and derives its key id. */
static int key_check(const char *public_key, char key_id[PERMIT_KEY_ID_STRING_SIZE], permit_error *error) {
        permit_pubkey *pk = NULL;
        int r;

        r = permit_pubkey_from_string(public_key, &pk, error);
        if (r < 0)
                return r;
        permit_pubkey_id_string(pk, key_id);
        permit_pubkey_free(pk);
        return 0;
}

int state_put_pin(store_state *st, const char *id, const char *public_key, int64_t pinned_at,
                  permit_error *error) {
        char key_id[PERMIT_KEY_ID_STRING_SIZE];
        store_pin p = { .pinned_at = pinned_at }, *old, *n;
        int r;

        if (!permit_addon_id_valid(id))
                return permit_error_set(error, -EINVAL, NULL, "invalid add-on id");
        r = key_check(public_key, key_id, error);
        if (r < 0)
                return r;
        if (!(p.id = strdup(id)) || !(p.public_key = strdup(public_key)) || !(p.key_id = strdup(key_id))) {
                pin_clear(&p);
                return -ENOMEM;
        }
        old = state_find_pin(st, id);
        if (old) {
                pin_clear(old);
                *old = p;
                return 0;
        }
        n = realloc(st->pins, (st->n_pins + 1) * sizeof(*n));
        if (!n) {
                pin_clear(&p);
                return -ENOMEM;
        }
        st->pins = n;
        st->pins[st->n_pins++] = p;
        qsort(st->pins, st->n_pins, sizeof(*st->pins), compare_pin);
        return 0;
}

int state_remove_pin(store_state *st, const char *id) {
        store_pin *p = state_find_pin(st, id);
        size_t i;

        if (!p)
                return -ENOENT;
        i = (size_t) (p - st->pins);
        pin_clear(p);
        memmove(p, p + 1, (st->n_pins - i - 1) * sizeof(*p));
        st->n_pins--;
        return 0;
}

void state_clear(store_state *st) {
        for (size_t i = 0; i < st->n_records; i++)
                record_clear(&st->records[i]);
        free(st->records);
        for (size_t i = 0; i < st->n_pins; i++)
                pin_clear(&st->pins[i]);
        free(st->pins);
        memset(st, 0, sizeof(*st));
}

int pins_read(permit_json_reader *rd, const char *base, store_state *st) {
        char *id;
        int r;

        r = permit_json_reader_object_begin(rd, base);
        while (r >= 0 && (r = permit_json_reader_member(rd, &id, base)) > 0) {
                _cleanup_free_ char *public_key = NULL, *key_id = NULL;
                char p[PERMIT_ERROR_PATH_LENGTH], kp[PERMIT_ERROR_PATH_LENGTH];
                char derived[PERMIT_KEY_ID_STRING_SIZE];
                permit_error e = { 0 };
                int64_t pinned_at = -1;
                char key[32];

                permit_json_path_key(p, sizeof(p), base, id);
                if (!permit_addon_id_valid(id) || strlen(id) > 128)
                        r = permit_json_reader_fail(rd, -EINVAL, p, "invalid add-on id");
                else if (state_find_pin(st, id))
                        r = permit_json_reader_fail(rd, -EINVAL, p, "listed twice");
                else
                        r = permit_json_reader_object_begin(rd, p);
                while (r >= 0 && (r = permit_json_reader_field(rd, key, sizeof(key), NULL, p)) > 0) {
                        permit_json_path_key(kp, sizeof(kp), p, key);
                        if (streq(key, "public_key"))
                                r = public_key ? permit_json_reader_fail(rd, -EINVAL, kp, "duplicate field")
                                               : permit_json_reader_string(rd, &public_key, kp);
                        else if (streq(key, "key_id"))
                                r = key_id ? permit_json_reader_fail(rd, -EINVAL, kp, "duplicate field")
                                           : permit_json_reader_string(rd, &key_id, kp);
                        else if (streq(key, "pinned_at")) {
                                r = pinned_at >= 0 ? permit_json_reader_fail(rd, -EINVAL, kp, "duplicate field")
                                                   : permit_json_reader_int(rd, INT64_MIN, INT64_MAX, &pinned_at, kp);
                                if (r >= 0 && pinned_at < 0)
                                        r = permit_json_reader_fail(rd, -EINVAL, kp, "must be seconds since the epoch");
                        } else
                                r = permit_json_reader_fail(rd, -EINVAL, kp, "unknown field");
                }
                if (r >= 0 && (!public_key || !key_id || pinned_at < 0))
                        r = permit_json_reader_fail(rd, -EINVAL, p, "missing field '%s'",
                                        !public_key ? "public_key" : !key_id ? "key_id" : "pinned_at");
                if (r >= 0 && key_check(public_key, derived, &e) < 0) {
                        permit_json_path_key(kp, sizeof(kp), p, "public_key");
                        r = permit_json_reader_fail(rd, -EINVAL, kp, "%s", e.text);
                }
                if (r >= 0 && !streq(derived, key_id)) {
                        permit_json_path_key(kp, sizeof(kp), p, "key_id");
                        r = permit_json_reader_fail(rd, -EINVAL, kp, "is not the id of public_key (%s)", derived);
                }
                if (r >= 0)
                        r = state_put_pin(st, id, public_key, pinned_at, rd->error);
                free(id);
        }
        return r < 0 ? r : 0;
}

int pins_to_json(const store_state *st, json_t **ret) {
        _cleanup_json_ json_t *o = json_object();

        if (!o)
                return -ENOMEM;
        for (size_t i = 0; i < st->n_pins; i++) {
                json_t *p = json_object();
                if (json_set(o, st->pins[i].id, p) < 0 ||
                    json_set(p, "public_key", json_string(st->pins[i].public_key)) < 0 ||
                    json_set(p, "key_id", json_string(st->pins[i].key_id)) < 0 ||
                    json_set(p, "pinned_at", json_integer(st->pins[i].pinned_at)) < 0)
                        return -ENOMEM;
        }
        *ret = steal_pointer(&o);
        return 0;
}

_public_ int permit_store_pin_get(const permit_store *s, const char *id, const char **ret_public_key,
                                  const char **ret_key_id) {
        const store_pin *p;

        if (!s || !id)
                return -EINVAL;
        p = state_find_pin(&s->state, id);
        if (!p)
                return -ENOENT;
        if (ret_public_key)
                *ret_public_key = p->public_key;
        if (ret_key_id)
                *ret_key_id = p->key_id;
        return 0;
}

typedef struct pin_change {
        const char *id;
        const char *public_key;
} pin_change;

static int pin_set_change(permit_store *s, store_state *st, void *userdata, permit_error *error) {
        const pin_change *c = userdata;
        int r = state_put_pin(st, c->id, c->public_key, store_now(), error);
        return r < 0 ? r : CHANGED_PINS;
}

_public_ int permit_store_pin_set(permit_store *s, const char *id, const char *public_key, permit_error *error) {
        pin_change c = { id, public_key };
        char key_id[PERMIT_KEY_ID_STRING_SIZE];
        int r;

        if (!s || !id || !public_key)
                return -EINVAL;
        if (!permit_addon_id_valid(id))
                return permit_error_set(error, -EINVAL, NULL, "invalid add-on id");
        /* Refuse a bad key before taking the lock. */
        r = key_check(public_key, key_id, error);
        if (r < 0)
                return r;
        return store_change(s, pin_set_change, &c, error);
}
