/* SPDX-License-Identifier: MIT */
/* What permit install, update, list, remove and upload share: the registry
 * options, opening a client, exit codes, the progress bar. */
#pragma once

#include <getopt.h>
#include <stdbool.h>

#include "grants.h"
#include "permit/registry-client.h"

typedef struct client_options {
        grants_options consent;    /* --profile, --json, --allow, --deny, --required-only, --yes,
                                    * --host-vocabulary (loaded by client_options_load_vocabulary()) */
        const char *registry;      /* --registry URL */
        const char *registry_key;  /* --registry-key PUB (a file, or the key itself "RW...") */
        const char *ca_file;       /* --ca-file, or $PERMIT_CA_FILE */
        bool allow_http_loopback;
        unsigned timeout;          /* --timeout SECONDS (connect and stall) */
        unsigned retries;          /* --retries N */
        bool retries_set;
        bool purge;                /* remove --purge */
        bool available;            /* list --available */
        bool progress;             /* stderr is a terminal and not --no-progress */
        int64_t now;               /* --now (tests) */
} client_options;

enum {
        CLIENT_OPT_REGISTRY = 0x2001,
        CLIENT_OPT_REGISTRY_KEY,
        CLIENT_OPT_CA_FILE,
        CLIENT_OPT_ALLOW_HTTP_LOOPBACK,
        CLIENT_OPT_TIMEOUT,
        CLIENT_OPT_RETRIES,
        CLIENT_OPT_PROFILE,
        CLIENT_OPT_JSON,
        CLIENT_OPT_ALLOW,
        CLIENT_OPT_DENY,
        CLIENT_OPT_REQUIRED_ONLY,
        CLIENT_OPT_YES,
        CLIENT_OPT_NO_PROGRESS,
        CLIENT_OPT_NOW,
        CLIENT_OPT_HOST_VOCABULARY,
};

#define CLIENT_REGISTRY_OPTIONS                                                                              \
        { "registry", required_argument, NULL, CLIENT_OPT_REGISTRY },                                      \
        { "registry-key", required_argument, NULL, CLIENT_OPT_REGISTRY_KEY },                              \
        { "ca-file", required_argument, NULL, CLIENT_OPT_CA_FILE },                                        \
        { "allow-http-loopback", no_argument, NULL, CLIENT_OPT_ALLOW_HTTP_LOOPBACK },                      \
        { "timeout", required_argument, NULL, CLIENT_OPT_TIMEOUT },                                        \
        { "retries", required_argument, NULL, CLIENT_OPT_RETRIES },                                        \
        { "profile", required_argument, NULL, CLIENT_OPT_PROFILE },                                        \
        { "json", no_argument, NULL, CLIENT_OPT_JSON },                                                    \
        { "no-progress", no_argument, NULL, CLIENT_OPT_NO_PROGRESS },                                      \
        { "now", required_argument, NULL, CLIENT_OPT_NOW }
#define CLIENT_CONSENT_OPTIONS                                                                               \
        { "allow", required_argument, NULL, CLIENT_OPT_ALLOW }, { "deny", required_argument, NULL, CLIENT_OPT_DENY }, \
        { "required-only", no_argument, NULL, CLIENT_OPT_REQUIRED_ONLY }, { "yes", no_argument, NULL, CLIENT_OPT_YES }, \
        { "host-vocabulary", required_argument, NULL, CLIENT_OPT_HOST_VOCABULARY }

/* Sets o to its defaults (argc bounds the --allow/--deny lists). */
int client_options_init(client_options *o, int argc);
void client_options_clear(client_options *o);
/* Loads --host-vocabulary FILE when given: EXIT_OK, or EXIT_USAGE after
 * saying why. */
int client_options_load_vocabulary(client_options *o);
/* Parses one of the options above. 1 when it was one, 0 when not,
 * EXIT_USAGE (after saying why) for a bad value. */
int client_option(client_options *o, int opt, const char *arg, const char *cmd);

/* A client of url (NULL: o->registry) with key (NULL: o->registry_key),
 * with the options applied and the index fetched. Prints why and returns
 * the exit code on failure. */
int client_open(const client_options *o, const char *url, const char *key, const char *cmd, permit_client **ret);

/* The exit code an error of libpermit-registry means: EXIT_REFUSED for a
 * refusal (verification, an attack, a refused protocol), EXIT_USAGE for the
 * rest (usage, I/O, network). */
int client_exit_code(int r);
/* "permit CMD: " + the error (or strerror), returns client_exit_code(r). */
int client_fail(const char *cmd, int r, const permit_error *error);
/* The last message client_fail() printed ("" when none), for --json. */
const char *client_last_failure(void);
/* "permit: CMD: " + the message, kept for client_last_failure(). */
void client_refuse(const char *cmd, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* The progress bar on stderr (when o->progress). */
void client_progress(const permit_client_progress *p, void *userdata);

/* "timings": {...} for --json results. */
void client_print_timings_json(const permit_client *c);

/* A decimal number from 0 to max, nothing else ("-1", "3s", "" fail):
 * 0 or -EINVAL. */
int client_parse_unsigned(const char *arg, unsigned max, unsigned *ret);
