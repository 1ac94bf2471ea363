/* SPDX-License-Identifier: MIT */
/* What every subcommand of `permit` shares: exit codes, printing errors,
 * reading passwords, package limits from options. No logic of permit's
 * own lives in tools/: it is all in libpermit. */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "permit/error.h"
#include "permit/host-vocabulary.h"
#include "permit/keys.h"
#include "permit/package.h"

/* Exit codes, the same for every command (doc/permit.1.md). */
enum {
        EXIT_OK = 0,
        EXIT_REFUSED = 1, /* verification failed, invalid manifest, unsafe package */
        EXIT_USAGE = 2,   /* bad options, unreadable input, key problems */
        EXIT_REVIEW = 3,  /* permit registry check-upload: a person must review it */
};

typedef struct command {
        const char *name;
        const char *summary;
        int (*run)(int argc, char **argv);
} command;

/* "permit: " + message, on stderr. */
void tool_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Prints the library's error (or strerror(-r) if it said nothing) and
 * returns the exit code the error means. */
int tool_fail(int r, const permit_error *error, const char *what);

/* EXIT_REFUSED for errors that mean "the input was read and is not
 * acceptable", EXIT_USAGE for "could not be read / used at all". */
int tool_exit_code(int r);

/* Marks the process not dumpable (prctl(PR_SET_DUMPABLE, 0): no core
 * file, no ptrace attach by the same user) before a secret key or a
 * password is read or made; the password and key functions below call it.
 * Prints why and returns -errno when it fails. */
int tool_secrets_begin(void);

/* Reads a password: from file when given (first line), else from the
 * terminal (twice when confirm). Returns sodium_malloc()ed memory to be
 * released with tool_password_free(). */
int tool_password_read(const char *file, const char *prompt, bool confirm, char **ret, size_t *ret_len);
void tool_password_free(char *password);

/* Loads a secret key, asking for its password on the terminal when it has
 * one and no password file was given. */
int tool_seckey_load(const char *path, const char *password_file, permit_seckey **ret);

/* -p FILE or -P STRING. When the key cannot be read or used, prints why
 * and, if ret_error is not NULL, fills it (for --json reports). */
int tool_pubkey_load(const char *file, const char *string, permit_pubkey **ret, permit_error *ret_error);

/* --max-files/--max-size/--max-ratio: parses one option into limits.
 * Returns 1 when opt was one of them, 0 when not, -EINVAL on a bad value. */
#define TOOL_LIMIT_OPTIONS                                                                             \
        { "max-files", required_argument, NULL, 0x1001 }, { "max-size", required_argument, NULL, 0x1002 }, \
        { "max-ratio", required_argument, NULL, 0x1003 }
int tool_limit_option(int opt, const char *arg, permit_package_limits *limits);

/* The one PACKAGE operand left after options, or NULL after saying
 * "CMD needs one PACKAGE". */
const char *tool_one_package(int argc, char **argv, const char *cmd);

/* --host-vocabulary FILE: loads it (NULL path: *ret = NULL), or prints the
 * error ("permit: FILE: capabilities[1].risk: ...") and returns EXIT_USAGE. */
int tool_host_vocabulary_load(const char *path, permit_host_vocabulary **ret);

/* The warning for a capability in the host's words (v may be NULL), or
 * the capability id when there is none to give. Returns the risk
 * (PERMIT_RISK_HIGH when the id is not valid). */
permit_risk tool_warning(const permit_host_vocabulary *v, const char *capability, char *buf, size_t size);

/* JSON string printing for --json output. */
void tool_json_string(const char *s);

/* Opens a --json object with the package and the add-on's identity:
 * {"package":..,"id":..,"name":..,"version":..,"publisher":..,"entry":..
 * (the caller adds its fields and the closing brace). */
void tool_json_identity(const char *pkg, const permit_manifest *m);

/* A count of bytes for people: "1.2 MiB". */
const char *tool_size(unsigned long long bytes, char buf[32]);

int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_grants(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_registry(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_remove(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
