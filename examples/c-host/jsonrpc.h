/* SPDX-License-Identifier: MIT */
/* The example C host's side of the add-on protocol: one JSON-RPC 2.0
 * message per line (doc/host-guide.md, "The protocol"). The parser knows
 * just what the protocol uses, allocates nothing, bounds every length and
 * depth, and turns any line an add-on can send into a message or a
 * problem, never a crash; tests/fuzz/fuzz-rpc.c holds it to that. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define RPC_LINE_MAX (64 * 1024) /* longer lines are refused unread */
#define RPC_NAME_MAX 64          /* method names, member names */
#define RPC_ID_MAX 64            /* an id, as JSON text */
#define RPC_STRING_MAX 4096      /* a string member of params or result */
#define RPC_MEMBERS_MAX 8        /* string members kept from params or result */
#define RPC_DEPTH_MAX 16

typedef enum rpc_kind {
        RPC_REQUEST,      /* method and id */
        RPC_NOTIFICATION, /* method, no id */
        RPC_RESULT,       /* id and result */
        RPC_ERROR,        /* id and error */
} rpc_kind;

typedef struct rpc_member {
        char name[RPC_NAME_MAX + 1];
        char value[RPC_STRING_MAX + 1]; /* UTF-8, no NUL inside */
} rpc_member;

typedef struct rpc_message {
        rpc_kind kind;
        char id[RPC_ID_MAX + 1];         /* the id as JSON text (7, "a1"), "" for none */
        char method[RPC_NAME_MAX + 1];
        /* The string members of "params" (requests) or "result" (responses),
         * when that is an object; members of other types are skipped. */
        size_t n_members;
        rpc_member members[RPC_MEMBERS_MAX];
        long error_code;                 /* RPC_ERROR */
        char error_message[256];
} rpc_message;

/* Parses one line (without its newline). Returns 0, or -1 with *ret_problem
 * saying why in a few words ("params: string too long"). */
int rpc_parse(const char *line, size_t len, rpc_message *m, const char **ret_problem);

/* A string member of params/result, or NULL. */
const char *rpc_member_get(const rpc_message *m, const char *name);

/* Writes s as a JSON string (with quotes) into buf. Returns its length,
 * or -1 when it does not fit. */
int rpc_quote(char *buf, size_t size, const char *s);
