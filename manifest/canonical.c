/* SPDX-License-Identifier: MIT */
/* The canonical form of a manifest, which the seal hashes: every field
 * rebuilt from the parsed manifest (so defaults are explicit: "required"
 * and "reason" always present, "limits" only when given, with only the
 * keys given), printed by permit_json_canonical(); and its BLAKE2b-256. */
#include <sodium.h>

#include "json-private.h"
#include "manifest-private.h"

static int set_new(json_t *obj, const char *key, json_t *value) {
        /* json_object_set_new() steals value even when it fails */
        return value && json_object_set_new(obj, key, value) == 0 ? 0 : -ENOMEM;
}

static int build(const permit_manifest *m, json_t **ret) {
        _cleanup_json_ json_t *root = json_object(), *caps = json_array();
        int r = 0;

        if (!root || !caps)
                return -ENOMEM;
        r |= set_new(root, "id", json_string(m->id));
        r |= set_new(root, "name", json_string(m->name));
        r |= set_new(root, "version", json_string(m->version));
        r |= set_new(root, "publisher", json_string(m->publisher));
        r |= set_new(root, "entry", json_string(m->entry));
        if (r < 0)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_capabilities; i++) {
                const permit_capability *c = &m->capabilities[i];
                json_t *o = json_pack("{s:s, s:b, s:s}", "id", c->id, "required", c->required, "reason",
                                      c->reason);
                if (!o || json_array_append_new(caps, o) < 0)
                        return -ENOMEM;
        }
        if (json_object_set(root, "capabilities", caps) < 0)
                return -ENOMEM;
        if (m->has_limits) {
                const struct {
                        const char *key;
                        uint64_t value;
                } limits[] = {
                        { "memory_mb", m->limits.memory_mb },       { "cpu_seconds", m->limits.cpu_seconds },
                        { "processes", m->limits.processes },       { "open_files", m->limits.open_files },
                        { "wall_seconds", m->limits.wall_seconds },
                };
                json_t *o = json_object();

                if (set_new(root, "limits", o) < 0)
                        return -ENOMEM;
                for (size_t i = 0; i < ELEMENTSOF(limits); i++)
                        if (limits[i].value > 0 &&
                            set_new(o, limits[i].key, json_integer((json_int_t) limits[i].value)) < 0)
                                return -ENOMEM;
        }
        *ret = steal_pointer(&root);
        return 0;
}

_public_ int permit_manifest_canonical(const permit_manifest *m, char **ret, size_t *ret_len) {
        _cleanup_json_ json_t *root = NULL;
        int r;

        if (!m || !ret)
                return -EINVAL;
        r = build(m, &root);
        if (r < 0)
                return r;
        return permit_json_canonical(root, ret, ret_len);
}

_public_ int permit_manifest_digest(const permit_manifest *m, uint8_t ret[PERMIT_DIGEST_SIZE]) {
        if (m && ret && m->has_digest) {
                memcpy(ret, m->digest, PERMIT_DIGEST_SIZE);
                return 0;
        }
        return manifest_digest_compute(m, ret);
}

int manifest_digest_compute(const permit_manifest *m, uint8_t ret[PERMIT_DIGEST_SIZE]) {
        _cleanup_free_ char *text = NULL;
        uint8_t digest[PERMIT_DIGEST_SIZE];
        size_t len;
        int r;

        if (!ret)
                return -EINVAL;
        r = permit_manifest_canonical(m, &text, &len);
        if (r < 0)
                return r;
        if (crypto_generichash(digest, sizeof(digest), (const unsigned char *) text, len, NULL, 0) != 0)
                return -EIO;
        memcpy(ret, digest, sizeof(digest));
        return 0;
}
