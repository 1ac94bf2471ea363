/* SPDX-License-Identifier: MIT */
/* The JSON-RPC lines of the example C host (examples/c-host/jsonrpc.c):
 * whatever an add-on sends parses or is refused, never crashes; what
 * parses holds together: the id is JSON text the host can echo, each kept
 * string quoted by rpc_quote() parses back to itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jsonrpc.h"

static rpc_message m, again;

static void check_echo(const char *id, const char *value) {
        static char line[2 * RPC_STRING_MAX + 256], quoted[6 * RPC_STRING_MAX + 8];
        const char *problem;
        int n;

        n = rpc_quote(quoted, sizeof(quoted), value);
        if (n < 0 || (size_t) n != strlen(quoted))
                abort();
        if ((size_t) snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"v\":%s}}", id,
                              quoted) >= sizeof(line))
                return; /* longer than the test line: nothing to check */
        if (rpc_parse(line, strlen(line), &again, &problem) < 0 || again.kind != RPC_RESULT ||
            strcmp(again.id, id) != 0 || again.n_members != 1 || strcmp(again.members[0].value, value) != 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *problem = NULL;

        if (rpc_parse((const char *) data, size, &m, &problem) < 0) {
                if (!problem || !*problem)
                        abort();
                return 0;
        }
        if (problem || m.kind > RPC_ERROR || m.n_members > RPC_MEMBERS_MAX)
                abort();
        if ((m.kind == RPC_REQUEST || m.kind == RPC_NOTIFICATION) && !m.method[0])
                abort();
        if ((m.kind == RPC_NOTIFICATION) != (m.id[0] == '\0'))
                abort();
        /* the id (or null) echoes back, and so does every kept string */
        check_echo(m.id[0] ? m.id : "null", "");
        for (size_t i = 0; i < m.n_members; i++) {
                if (strlen(m.members[i].value) > RPC_STRING_MAX || rpc_member_get(&m, m.members[i].name) == NULL)
                        abort();
                check_echo("1", m.members[i].value);
        }
        return 0;
}
