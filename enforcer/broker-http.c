/* SPDX-License-Identifier: MIT */
/* Proxy mode's requests: the head of an HTTP/1.x request to a forward
 * proxy, either CONNECT host:port (HTTPS, anything over TCP) or a plain
 * HTTP request with an absolute URL. Only the request line and the Host
 * header matter; a request whose Host differs from its target (a second
 * host smuggled past the check) is refused. */
#include <stdio.h>
#include <string.h>

#include "broker-private.h"
#include "util.h"

#define REFUSE(...)                                  \
        do {                                         \
                snprintf(why, size, __VA_ARGS__);    \
                return -EINVAL;                      \
        } while (0)

/* "host[:port]" or "[v6][:port]" of length n: lower-cased host and port
 * (default_port when absent, 0 when none is allowed). */
static int parse_authority(const char *s, size_t n, unsigned default_port, char *host, unsigned *port) {
        const char *colon = NULL;
        size_t hlen;

        if (n == 0)
                return -EINVAL;
        if (s[0] == '[') {
                const char *close = memchr(s, ']', n);

                if (!close)
                        return -EINVAL;
                hlen = (size_t) (close - s) + 1;
                if (hlen < n) {
                        if (s[hlen] != ':')
                                return -EINVAL;
                        colon = s + hlen;
                }
        } else {
                colon = memchr(s, ':', n);
                hlen = colon ? (size_t) (colon - s) : n;
        }
        if (hlen == 0 || hlen > BROKER_HOST_MAX)
                return -EINVAL;
        for (size_t i = 0; i < hlen; i++) {
                char ch = s[i];

                if (ch <= ' ' || ch >= 0x7f || ch == '/' || ch == '@' || ch == '?' || ch == '#')
                        return -EINVAL;
                host[i] = (char) (ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
        }
        host[hlen] = '\0';
        if (colon) {
                size_t plen = n - (size_t) (colon + 1 - s);
                unsigned long v = 0;

                if (plen == 0 || plen > 5)
                        return -EINVAL;
                for (size_t i = 0; i < plen; i++) {
                        if (colon[1 + i] < '0' || colon[1 + i] > '9')
                                return -EINVAL;
                        v = v * 10 + (unsigned long) (colon[1 + i] - '0');
                }
                if (v == 0 || v > 65535)
                        return -EINVAL;
                *port = (unsigned) v;
        } else if (default_port)
                *port = default_port;
        else
                return -EINVAL;
        return 0;
}

static bool header_is(const char *line, size_t n, const char *name) {
        size_t k = strlen(name);

        return n > k && line[k] == ':' && strncasecmp(line, name, k) == 0;
}

int broker_parse_http_head(const char *buf, size_t n, http_request *ret, char *why, size_t size) {
        const char *end = NULL, *line, *sp1, *sp2, *eol, *target;
        size_t tlen;
        bool have_host = false;

        *ret = (http_request) { 0 };
        for (size_t i = 0; i + 3 < n; i++)
                if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
                        end = buf + i + 4;
                        break;
                }
        if (!end) {
                if (n >= BROKER_HTTP_HEAD_MAX)
                        REFUSE("request head longer than %d bytes", BROKER_HTTP_HEAD_MAX);
                return -EAGAIN;
        }
        ret->head_len = (size_t) (end - buf);
        eol = memchr(buf, '\r', ret->head_len);
        ret->line_end = (size_t) (eol - buf) + 2;
        sp1 = memchr(buf, ' ', (size_t) (eol - buf));
        sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t) (eol - sp1 - 1)) : NULL;
        if (!sp1 || !sp2 || sp1 == buf || (size_t) (eol - sp2 - 1) != 8 || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
            (sp2[8] != '0' && sp2[8] != '1'))
                REFUSE("not an HTTP/1.x request line");
        for (const char *p = buf; p < sp1; p++)
                if (*p < 'A' || *p > 'Z')
                        REFUSE("bad method");
        target = sp1 + 1;
        tlen = (size_t) (sp2 - target);
        ret->connect = sp1 - buf == 7 && memcmp(buf, "CONNECT", 7) == 0;
        if (ret->connect) {
                if (parse_authority(target, tlen, 0, ret->host, &ret->port) < 0)
                        REFUSE("CONNECT needs host:port");
        } else {
                const char *slash;

                if (tlen < 8 || strncasecmp(target, "http://", 7) != 0)
                        REFUSE("a forward request needs an absolute http:// URL (use CONNECT for https)");
                slash = memchr(target + 7, '/', tlen - 7);
                if (!slash)
                        slash = target + tlen; /* "http://host" alone: path "/" */
                if (parse_authority(target + 7, (size_t) (slash - target - 7), 80, ret->host, &ret->port) < 0)
                        REFUSE("bad host in the URL");
                ret->path = (size_t) (slash - buf);
        }
        /* Headers: the Host header must name the target. */
        for (line = buf + ret->line_end; line < end - 2;) {
                const char *le = memchr(line, '\r', (size_t) (end - line));
                size_t ln = (size_t) (le - line);

                if (le[1] != '\n')
                        REFUSE("bare CR in the request head");
                if (header_is(line, ln, "host")) {
                        char h[BROKER_HOST_MAX + 1];
                        unsigned hp = 0;
                        const char *v = line + 5;
                        size_t vn = ln - 5;

                        while (vn && (*v == ' ' || *v == '\t'))
                                v++, vn--;
                        while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
                                vn--;
                        if (have_host)
                                REFUSE("two Host headers");
                        have_host = true;
                        if (parse_authority(v, vn, ret->connect ? ret->port : 80, h, &hp) < 0 ||
                            !streq(h, ret->host) || hp != ret->port)
                                REFUSE("the Host header (%.*s) differs from the target %s:%u", (int) (vn > 100 ? 100 : vn),
                                       v, ret->host, ret->port);
                }
                line = le + 2;
        }
        if (!have_host && !ret->connect)
                REFUSE("a forward request needs a Host header");
        return 0;
}
