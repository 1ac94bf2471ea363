/* SPDX-License-Identifier: MIT */
/* The store's documents: {"version": 1, "grants": ..., "pins": ...}, read
 * with the pull reader; and the checks the jansson-read policy shares. */
#include <inttypes.h>
#include <sodium.h>

#include "encoding-private.h"
#include "json-private.h"
#include "store-private.h"

int json_set(json_t *obj, const char *key, json_t *value) {
        /* json_object_set_new() steals value even when it fails */
        return value && json_object_set_new(obj, key, value) == 0 ? 0 : -ENOMEM;
}

int check_keys(const json_t *obj, const char *parent, const char *const *keys, size_t n, permit_error *error) {
        const char *key;
        json_t *v;

        json_object_foreach((json_t *) obj, key, v) {
                bool known = false;
                for (size_t i = 0; i < n && !known; i++)
                        known = streq(key, keys[i]);
                if (!known) {
                        char path[PERMIT_ERROR_PATH_LENGTH];
                        permit_json_path_key(path, sizeof(path), parent, key);
                        return permit_error_set(error, -EINVAL, path, "unknown field");
                }
        }
        return 0;
}

int check_version(const json_t *root, permit_error *error) {
        const json_t *v = json_object_get(root, "version");

        if (!v)
                return permit_error_set(error, -EINVAL, NULL, "missing field 'version'");
        if (!json_is_integer(v))
                return permit_error_set(error, -EINVAL, "version", "must be an integer");
        if (json_integer_value(v) != STORE_FORMAT_VERSION)
                return permit_error_set(error, -EPROTONOSUPPORT, "version",
                                        "unknown version %" JSON_INTEGER_FORMAT " (this permit reads version %d)",
                                        json_integer_value(v), STORE_FORMAT_VERSION);
        return 0;
}

/* Finds "version" wherever it is, in a document not written by permit
 * (which writes it first), so that a file of another version is reported
 * as such, not as whatever its content looks like to this reader. */
static int document_version(const char *buf, size_t len, permit_error *error) {
        permit_json_reader rd;
        bool seen = false;
        char key[32];
        int r;

        permit_json_reader_init(&rd, buf, len, error);
        r = permit_json_reader_object_begin(&rd, NULL);
        while (r >= 0 && (r = permit_json_reader_field(&rd, key, sizeof(key), NULL, NULL)) > 0) {
                if (streq(key, "version") && !seen) {
                        int64_t v;
                        seen = true;
                        r = permit_json_reader_int(&rd, INT64_MIN, INT64_MAX, &v, "version");
                        if (r >= 0 && v != STORE_FORMAT_VERSION)
                                r = permit_json_reader_fail(&rd, -EPROTONOSUPPORT, "version",
                                                "unknown version %" PRId64 " (this permit reads version %d)", v,
                                                STORE_FORMAT_VERSION);
                } else
                        r = permit_json_reader_skip(&rd, key);
        }
        if (r >= 0)
                r = permit_json_reader_end(&rd);
        if (r >= 0 && !seen)
                r = permit_error_set(error, -EINVAL, NULL, "missing field 'version'");
        return r;
}

void document_checksum(const char *buf, size_t len, char hex[2 * PERMIT_DIGEST_SIZE + 1]) {
        uint8_t d[PERMIT_DIGEST_SIZE];

        crypto_generichash(d, sizeof(d), (const unsigned char *) buf, len, NULL, 0);
        permit_hex(hex, d, sizeof(d));
}

/* "checksum", the last member: the BLAKE2b-256 of every byte before the
 * comma that precedes it (doc/store.md). */
static int read_checksum(permit_json_reader *rd, const char *buf, size_t covered) {
        char want[2 * PERMIT_DIGEST_SIZE + 1], got[2 * PERMIT_DIGEST_SIZE + 1];
        char key[32];
        int r;

        r = permit_json_reader_string_to(rd, got, sizeof(got), NULL, "checksum");
        if (r == -E2BIG)
                return permit_json_reader_fail(rd, -EINVAL, "checksum", "must be 64 lower-case hex digits");
        if (r < 0)
                return r;
        r = permit_json_reader_field(rd, key, sizeof(key), NULL, NULL);
        if (r > 0)
                return permit_json_reader_fail(rd, -EINVAL, key, "after the checksum (it must be last)");
        if (r < 0)
                return r;
        document_checksum(buf, covered, want);
        if (!streq(got, want))
                return permit_json_reader_fail(rd, -EBADMSG, "checksum",
                                               "does not match the content: the file was changed or damaged");
        return 0;
}

int document_read(const char *buf, size_t len, unsigned members, store_state *st, permit_error *error) {
        bool seen_version = false, seen_grants = false, seen_pins = false;
        permit_json_reader rd;
        const char *before;
        char key[32];
        int r;

        /* permit writes "version" first: then one pass reads it all. */
        permit_json_reader_init(&rd, buf, len, error);
        r = permit_json_reader_object_begin(&rd, NULL);
        if (r >= 0)
                r = permit_json_reader_field(&rd, key, sizeof(key), NULL, NULL);
        if (r > 0 && streq(key, "version")) {
                int64_t v;
                r = permit_json_reader_int(&rd, INT64_MIN, INT64_MAX, &v, "version");
                if (r >= 0 && v != STORE_FORMAT_VERSION)
                        return permit_json_reader_fail(&rd, -EPROTONOSUPPORT, "version",
                                           "unknown version %" PRId64 " (this permit reads version %d)", v,
                                           STORE_FORMAT_VERSION);
                seen_version = true;
        } else {
                r = document_version(buf, len, error);
                if (r < 0)
                        return r;
                permit_json_reader_init(&rd, buf, len, error);
                r = permit_json_reader_object_begin(&rd, NULL);
        }
        while (r >= 0 && (before = rd.p, r = permit_json_reader_field(&rd, key, sizeof(key), NULL, NULL)) > 0) {
                if (streq(key, "checksum") && (members & DOC_CHECKSUM)) {
                        r = read_checksum(&rd, buf, (size_t) (before - buf));
                        break;
                }
                bool *seen = streq(key, "version")                            ? &seen_version
                             : streq(key, "grants") && (members & DOC_GRANTS) ? &seen_grants
                             : streq(key, "pins") && (members & DOC_PINS)     ? &seen_pins
                                                                              : NULL;
                if (!seen)
                        r = permit_json_reader_fail(&rd, -EINVAL, key, "unknown field");
                else if (*seen)
                        r = permit_json_reader_fail(&rd, -EINVAL, key, "duplicate field");
                else if (seen == &seen_version)
                        r = permit_json_reader_skip(&rd, key);
                else if (seen == &seen_grants)
                        r = grants_read(&rd, "grants", st);
                else
                        r = pins_read(&rd, "pins", st);
                if (seen)
                        *seen = true;
        }
        if (r >= 0)
                r = permit_json_reader_end(&rd);
        if (r < 0)
                return r;
        if ((members & DOC_REQUIRED) && (members & DOC_GRANTS) && !seen_grants)
                return permit_error_set(error, -EINVAL, NULL, "missing field 'grants'");
        if ((members & DOC_REQUIRED) && (members & DOC_PINS) && !seen_pins)
                return permit_error_set(error, -EINVAL, NULL, "missing field 'pins'");
        return 0;
}
