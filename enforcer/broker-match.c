/* SPDX-License-Identifier: MIT */
/* Which grant allows a request: the vocabulary's own absorption rule
 * (permit_capability_absorbs(): exact host, *.domain, *, port or none), so
 * the broker and the consent dialog read grants alike. One rule of its
 * own: a literal address is allowed only by a grant naming that address,
 * never by * (an add-on dialling 127.0.0.1 or 169.254.169.254 under a
 * "any server" grant is reaching the machine's own services, not "the
 * internet" the user was told about). */
#include <stdio.h>

#include "broker-private.h"
#include "permit/capability.h"
#include "util.h"

static int match(const char *const *caps, size_t n, const char *kind, const char *request, bool literal) {
        permit_error e = { 0 };

        if (!caps && n)
                return -EINVAL;
        if (permit_capability_check(request, &e) < 0)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                const char *c = caps[i];

                if (!c || !startswith(c, kind) || c[strlen(kind)] != ':')
                        continue;
                if (literal && c[strlen(kind) + 1] == '*')
                        continue;
                if (permit_capability_check(c, &e) < 0)
                        continue;
                if (permit_capability_absorbs(c, request))
                        return (int) i;
        }
        return -EACCES;
}

_public_ int permit_broker_match_connect(const char *const *capabilities, size_t n, const char *host, unsigned port) {
        char request[BROKER_HOST_MAX + 32], lower[BROKER_HOST_MAX + 1];
        size_t len;
        bool v6;

        /* A wildcard names no host to connect to. */
        if (!host || port == 0 || port > 65535 || (len = strlen(host)) == 0 || len > BROKER_HOST_MAX ||
            strchr(host, '*'))
                return -EINVAL;
        for (size_t i = 0; i <= len; i++)
                lower[i] = (char) (host[i] >= 'A' && host[i] <= 'Z' ? host[i] - 'A' + 'a' : host[i]);
        v6 = strchr(lower, ':') != NULL && lower[0] != '[';
        snprintf(request, sizeof(request), "net.connect:%s%s%s:%u", v6 ? "[" : "", lower, v6 ? "]" : "", port);
        return match(capabilities, n, "net.connect", request, broker_host_is_ip(lower));
}

_public_ int permit_broker_match_listen(const char *const *capabilities, size_t n, unsigned port) {
        char request[32];

        if (port == 0 || port > 65535)
                return -EINVAL;
        snprintf(request, sizeof(request), "net.listen:%u", port);
        return match(capabilities, n, "net.listen", request, false);
}
