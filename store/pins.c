/* SPDX-License-Identifier: MIT */
/* pins.json: the publisher key pinned for each add-on id (doc/store.md,
 * schemas/pins.schema.json). */
#include "json-private.h"
#include "manifest-private.h"
#include "permit/keys.h"
#include "store-private.h"

static const char *const pin_keys[] = { "public_key", "key_id", "pinned_at" };

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

int pins_from_json(const json_t *pins, const char *path, store_state *st, permit_error *error) {
        const char *id, *public_key, *key_id;
        const json_t *v;
        int r;

        if (!json_is_object(pins))
                return permit_error_set(error, -EINVAL, path, "must be an object");
        json_object_foreach((json_t *) pins, id, v) {
                char p[PERMIT_ERROR_PATH_LENGTH], kp[PERMIT_ERROR_PATH_LENGTH];
                char derived[PERMIT_KEY_ID_STRING_SIZE];
                permit_error e = { 0 };
                int64_t at;

                permit_json_path_key(p, sizeof(p), path, id);
                if (!json_is_object(v))
                        return permit_error_set(error, -EINVAL, p, "must be an object");
                if (!permit_addon_id_valid(id) || strlen(id) > 128)
                        return permit_error_set(error, -EINVAL, p, "invalid add-on id");
                if ((r = check_keys(v, p, pin_keys, ELEMENTSOF(pin_keys), error)) < 0 ||
                    (r = get_string(v, p, "public_key", true, &public_key, error)) < 0 ||
                    (r = get_string(v, p, "key_id", true, &key_id, error)) < 0 ||
                    (r = get_time(v, p, "pinned_at", &at, error)) < 0)
                        return r;
                permit_json_path_key(kp, sizeof(kp), p, "public_key");
                if (key_check(public_key, derived, &e) < 0)
                        return permit_error_set(error, -EINVAL, kp, "%s", e.text);
                if (!streq(derived, key_id)) {
                        permit_json_path_key(kp, sizeof(kp), p, "key_id");
                        return permit_error_set(error, -EINVAL, kp, "is not the id of public_key (%s)", derived);
                }
                r = state_put_pin(st, id, public_key, at, error);
                if (r < 0)
                        return r;
        }
        return 0;
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
