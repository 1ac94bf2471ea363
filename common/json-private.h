/* SPDX-License-Identifier: MIT */
/* JSON helpers shared by every format permit reads and writes. */
#pragma once

#include <jansson.h>

#include "error-private.h"

/* jansson >= 2.11 has json_decrefp() for _cleanup_json_ (util.h). */

/* Parses untrusted JSON strictly: duplicate keys, invalid UTF-8, NUL in
 * strings and trailing garbage are errors. The top level must be an object.
 * On failure fills error (line, column, text; source is left to the caller)
 * and returns -EINVAL (or -ENOMEM). */
int permit_json_parse(const char *buf, size_t len, json_t **ret, permit_error *error);

/* A growing output buffer for the canonical form and for writers that
 * build it directly (seal.c); a failed append makes it sticky-failed
 * (error). data is NUL-terminated once anything was appended. */
typedef struct permit_json_out {
        char *data;
        size_t len, size;
        int error;
} permit_json_out;

void permit_json_out_append(permit_json_out *o, const char *s, size_t n);
/* s[0..len) (valid UTF-8) as a JSON string, quoted and escaped exactly as
 * permit_json_canonical() writes strings. */
void permit_json_out_string(permit_json_out *o, const char *s, size_t len);

/* Canonical form (RFC 8785 style): object keys sorted by UTF-16 code units,
 * no insignificant white space, strings escaped as RFC 8785 says, integers
 * in decimal. Reals are refused (-EDOM): permit's formats have none, and
 * their canonical printing is where implementations disagree. The result is
 * NUL-terminated; its length (without the NUL) goes to ret_len. */
int permit_json_canonical(const json_t *value, char **ret, size_t *ret_len);

/* Writes a JSON path element into buf: "capabilities[2].id" style. */
void permit_json_path_key(char *buf, size_t size, const char *parent, const char *key);
void permit_json_path_index(char *buf, size_t size, const char *parent, size_t index);

/* Refuses any member of obj whose key is not in allowed (NULL-terminated):
 * -EINVAL, error->path "parent.key", "unknown field". */
int permit_json_check_keys(json_t *obj, const char *const *allowed, const char *parent, permit_error *error);

/* obj's member key, which must be of type (JSON_TRUE for either boolean):
 * -EINVAL at "parent.key" with "missing" or "must be a string"... */
int permit_json_member(json_t *obj, const char *parent, const char *key, json_type type, json_t **ret,
                       permit_error *error);

/* domain followed by the canonical form of value: the bytes permit's own
 * signatures sign (seal, countersignature, rotation statement). */
int permit_json_signed_message(const char *domain, const json_t *value, char **ret, size_t *ret_len);

/* value as a file's text: json_dumps(value, flags) and a final newline. */
int permit_json_dump_text(const json_t *value, size_t flags, char **ret, size_t *ret_len);
