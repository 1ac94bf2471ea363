/* SPDX-License-Identifier: MIT */
/* Inside the manifest component: the manifest struct, the parsed form of a
 * capability id that the vocabulary works on, and the text rules that the
 * parser and the vocabulary share. */
#pragma once

#include <jansson.h>

#include "permit/capability.h"
#include "permit/host-vocabulary.h"
#include "permit/manifest.h"
#include "error-private.h"

struct permit_manifest {
        json_t *root;          /* owns every string below except kinds */
        const char *id;
        const char *name;
        const char *version;
        const char *publisher;
        const char *entry;
        permit_limits limits;  /* 0 = not given */
        bool has_limits;       /* "limits" was present (maybe empty) */
        size_t n_capabilities;
        permit_capability *capabilities;
        char **kinds;          /* capabilities[i].kind, owned */
        uint8_t digest[PERMIT_DIGEST_SIZE]; /* of the canonical form, computed once when parsed: the
                                             * store compares it for every add-on at startup */
        bool has_digest;
};

/* ---- parse.c --------------------------------------------------------- */

/* An add-on id: ^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$ (also safe as a file
 * name); the length is the caller's to check. The registry uses the same
 * rule for ids and registry names. */
bool permit_addon_id_valid(const char *s);

/* ---- canonical.c ------------------------------------------------------ */

/* BLAKE2b-256 of the canonical form, computed (permit_manifest_digest()
 * returns the copy kept in the manifest). */
int manifest_digest_compute(const permit_manifest *m, uint8_t ret[PERMIT_DIGEST_SIZE]);

/* ---- text.c ---------------------------------------------------------- */

/* Longest a quoted value may be in an error message before it is cut. */
#define QUOTE_MAX 64

/* Copies s into buf for an error message: bytes outside printable ASCII
 * become \xNN, and anything past QUOTE_MAX bytes becomes "...". */
const char *permit_quote(char *buf, size_t size, const char *s);

/* Checks that s (len bytes) is valid UTF-8 and holds no character a user
 * could be fooled by on one line: C0 and C1 controls, DEL, the line and
 * paragraph separators, and the bidirectional formatting characters
 * (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069). Returns 0, or -EILSEQ
 * with the offending code point in *ret_cp (0xFFFFFFFF for bad UTF-8). */
int permit_text_check(const char *s, size_t len, uint32_t *ret_cp);

/* Sets error->text only (path and source are left alone); returns -EINVAL. */
int permit_error_text(permit_error *error, const char *format, ...) _printf_(2, 3);

/* permit_error_text() saying why permit_text_check() refused. */
int permit_text_error(permit_error *error, uint32_t cp);

/* ---- vocabulary.c ---------------------------------------------------- */

typedef struct permit_kind permit_kind;

/* A capability id split into its kind (from the vocabulary) and argument. */
typedef struct cap {
        const permit_kind *kind;
        const char *id;
        const char *argument; /* points into id; NULL for a bare kind */
        char name[72];        /* the kind as written: "fs.read", "host.deck_editor" */
} cap;

/* True when name is a kind of the vocabulary ("fs.read", "host.deck_editor"). */
bool permit_kind_known(const char *name);

/* Splits and checks an id. -EINVAL with error->text set (path untouched). */
int permit_cap_parse(const char *id, cap *ret, permit_error *error);

/* Both parsed with permit_cap_parse(). */
bool permit_cap_absorbs(const cap *broad, const cap *narrow);

/* Risk (>= 0) and warning text; -ENOBUFS when buf is too small. */
int permit_cap_warning(const cap *c, char *buf, size_t size);

/* ---- host-vocabulary.c ---------------------------------------------- */

/* permit_cap_warning() in the host's words (v may be NULL). */
int host_vocabulary_cap_warning(const permit_host_vocabulary *v, const cap *c, char *buf, size_t size);
/* A host.* capability that v (not NULL) does not list. */
bool host_vocabulary_cap_unknown(const permit_host_vocabulary *v, const cap *c);

/* ---- semver.c -------------------------------------------------------- */

#define SEMVER_MAX 64

/* Why a '/'-separated relative path p is refused (empty, "." or ".."
 * components, a trailing '/'), or NULL when it is fine. */
const char *permit_path_problem(const char *p);
