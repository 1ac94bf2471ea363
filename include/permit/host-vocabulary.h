/* SPDX-License-Identifier: MIT */
/* permit/host-vocabulary.h: a host's own capabilities (host.NAME) in its
 * words.
 *
 * {
 *   "version": 1,
 *   "host": "Notes",
 *   "capabilities": [
 *     {"id": "host.store_data", "warning": "Save its own notes in your notebook", "risk": "low"},
 *     {"id": "host.read_notes", "warning": "Read all your notes", "risk": "high"}
 *   ]
 * }
 *
 * permit itself cannot know what host.NAME means: the host mediates it.
 * A host ships this file so that `permit inspect`, `permit grants` and
 * permit-consent show the host's warning and risk instead of a generic
 * "Use the host's NAME feature". A capability "host.NAME:ARG" takes the
 * entry of host.NAME; its argument is shown after the warning.
 *
 * A host.* capability that the vocabulary does not list is "not known to
 * this host": the host has no such feature, so the tools never grant it
 * (a required one refuses the add-on; doc/manifest.md, "Host
 * capabilities"). schemas/host-vocabulary.schema.json; doc/host-guide.md. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "permit/capability.h"
#include "permit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PERMIT_HOST_VOCABULARY_MAX_SIZE (256 * 1024)
#define PERMIT_HOST_VOCABULARY_MAX_CAPABILITIES 256
/* "host" and "warning" in bytes of UTF-8. */
#define PERMIT_HOST_NAME_MAX 64
#define PERMIT_HOST_WARNING_MAX 200

typedef struct permit_host_vocabulary permit_host_vocabulary;

/* Parses a vocabulary strictly. source names it in errors (may be NULL).
 * Errors: -EINVAL with error naming the JSON path ("capabilities[1].id:
 * duplicate of capabilities[0]"): unknown or missing fields, an id that is
 * not host.NAME (no argument), a duplicate id, a warning or host name that
 * is empty, too long or holds control or bidirectional characters, an
 * unknown risk, invalid UTF-8; -EPROTONOSUPPORT (another version), -EFBIG
 * (over PERMIT_HOST_VOCABULARY_MAX_SIZE), -ENOMEM. */
int permit_host_vocabulary_parse(const char *buf, size_t len, const char *source, permit_host_vocabulary **ret,
                                 permit_error *error);
/* Reads and parses a file; adds open/read errors (error->source is the path). */
int permit_host_vocabulary_load(const char *path, permit_host_vocabulary **ret, permit_error *error);
void permit_host_vocabulary_free(permit_host_vocabulary *v);

/* The host's name ("Notes"). */
const char *permit_host_vocabulary_host(const permit_host_vocabulary *v);
size_t permit_host_vocabulary_count(const permit_host_vocabulary *v);
/* The i-th entry's id, warning and risk, in the file's order. -ENOENT past
 * the end; any of the out pointers may be NULL. */
int permit_host_vocabulary_get(const permit_host_vocabulary *v, size_t i, const char **ret_id,
                               const char **ret_warning, permit_risk *ret_risk);

/* Whether a capability id is one the host does not know: a host.*
 * capability (with or without argument) that v does not list. False for
 * every other kind, and for any capability when v is NULL (no vocabulary:
 * nothing can be said). */
bool permit_host_vocabulary_unknown(const permit_host_vocabulary *v, const char *capability);

/* permit_capability_warning() as this host says it: a host.* capability
 * it lists gets its warning (and ", ARG" for an argument) and risk; one it
 * does not list gets "Use host.NAME, which HOST does not know (it cannot
 * be granted)" at PERMIT_RISK_NONE (it is never granted); any other
 * capability, and every capability when v is NULL, the system's words.
 * Returns the risk, -EINVAL, -ENOBUFS. */
int permit_host_vocabulary_warning(const permit_host_vocabulary *v, const char *capability, char *buf, size_t size);

/* permit_warnings_new() with the host's words for host.* capabilities
 * (v may be NULL: the same as permit_warnings_new()). */
int permit_warnings_new_for_host(const permit_capability *caps, size_t n, const permit_host_vocabulary *v,
                                 permit_warnings **ret);

#ifdef __cplusplus
}
#endif
