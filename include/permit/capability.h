/* SPDX-License-Identifier: MIT */
/* permit/capability.h: the capability vocabulary, risks, warnings.
 *
 * A capability is "kind:argument" or a bare "kind" (DESIGN.md section 4).
 * The vocabulary is one table in manifest/vocabulary.c; everything here
 * reads it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "permit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum permit_risk {
        PERMIT_RISK_NONE = 0, /* nothing to warn about (sys.clipboard:write, $DATA) */
        PERMIT_RISK_LOW,
        PERMIT_RISK_MEDIUM,
        PERMIT_RISK_HIGH,
        PERMIT_RISK_CRITICAL,
} permit_risk;

/* "none", "low", "medium", "high", "critical"; NULL for a value out of range. */
const char *permit_risk_name(permit_risk risk);

/* One capability as declared in a manifest (or granted). Strings are owned by
 * whatever returned the struct (the manifest). */
typedef struct permit_capability {
        const char *id;       /* "net.connect:api.example.com:443", normalised as written */
        const char *kind;     /* "net.connect" */
        const char *argument; /* "api.example.com:443", or NULL for a bare kind */
        bool required;
        const char *reason;   /* the developer's one-line claim; may be "" */
} permit_capability;

/* Checks one capability id against the vocabulary: known kind, argument
 * present or absent as the kind wants, argument well formed. Returns 0,
 * -EINVAL with error->text set ("unknown kind 'made.up'", "fs.read needs a
 * path", "net.connect: port 0 out of range 1-65535"). error->path is left
 * alone: the caller knows where the id came from. */
int permit_capability_check(const char *id, permit_error *error);

/* True when a grant of 'broad' already allows everything 'narrow' allows
 * (net.connect:* absorbs net.connect:a.example.com; fs.write:$HOME absorbs
 * fs.read:$DOCUMENTS; proc.exec:* absorbs everything). Both must pass
 * permit_capability_check(); a capability absorbs itself. */
bool permit_capability_absorbs(const char *broad, const char *narrow);

/* The risk and the system's plain-language warning for one capability id,
 * e.g. PERMIT_RISK_MEDIUM, "Exchange data with api.example.com". The text
 * is written into buf. Returns the risk, or a negative errno: -EINVAL for an
 * id that fails permit_capability_check(), -ENOBUFS when the text does not
 * fit in size bytes (never a cut-off warning). doc/manifest.md lists every
 * text. */
int permit_capability_warning(const char *id, char *buf, size_t size);

/* Warnings as a user is shown them: one entry per capability that is not
 * absorbed by a broader one, highest risk first, then by id. An optional
 * capability does not absorb a required one (the user may turn it off).
 * Each absorbed capability is listed under the first (highest-risk)
 * remaining warning that absorbs it. */
typedef struct permit_warning {
        permit_risk risk;
        const char *text;        /* "Exchange data with any server on the internet" */
        const char *capability;  /* the capability this warning is for */
        const char *reason;      /* the developer's reason for it ("" if none) */
        bool required;
        size_t n_absorbed;       /* narrower capabilities folded into this one */
        const char *const *absorbed;
} permit_warning;

typedef struct permit_warnings permit_warnings;

/* Builds the merged list for n capabilities. Capabilities must have passed
 * permit_capability_check(): -EINVAL otherwise. The list holds copies of
 * the strings: it does not point into caps. -ENOMEM. */
int permit_warnings_new(const permit_capability *caps, size_t n, permit_warnings **ret);
void permit_warnings_free(permit_warnings *w);
size_t permit_warnings_count(const permit_warnings *w);
/* NULL past the end. */
const permit_warning *permit_warnings_get(const permit_warnings *w, size_t i);
/* Highest risk in the list; PERMIT_RISK_NONE when empty. */
permit_risk permit_warnings_max_risk(const permit_warnings *w);

#ifdef __cplusplus
}
#endif
