/* SPDX-License-Identifier: MIT */
/* The broker's wire format (permit/broker.h): one ASCII request per
 * SOCK_SEQPACKET message, parsed with every length checked; answers with
 * the descriptor in SCM_RIGHTS. Nothing here trusts the add-on's bytes. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "broker-private.h"
#include "util.h"

/* The next space-separated word of [*p, end): at most max bytes. */
static bool word(const char **p, const char *end, const char **ret, size_t *ret_len, size_t max) {
        const char *s = *p, *e;

        if (s >= end)
                return false;
        e = memchr(s, ' ', (size_t) (end - s));
        if (!e)
                e = end;
        if (e == s || (size_t) (e - s) > max)
                return false;
        *ret = s;
        *ret_len = (size_t) (e - s);
        *p = e < end ? e + 1 : end;
        return true;
}

/* Decimal, no sign, no leading zero, at most digits long, value <= max. */
static bool number(const char *s, size_t n, unsigned digits, uint64_t max, uint64_t *ret) {
        uint64_t v = 0;

        if (n == 0 || n > digits || (s[0] == '0' && n > 1))
                return false;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (uint64_t) (s[i] - '0');
        }
        if (v > max)
                return false;
        *ret = v;
        return true;
}

#define REFUSE(...)                                  \
        do {                                         \
                snprintf(why, size, __VA_ARGS__);    \
                return -EINVAL;                      \
        } while (0)

int broker_parse_request(const char *msg, size_t n, broker_request *ret, char *why, size_t size) {
        const char *p = msg, *end = msg + n, *w;
        size_t len;
        uint64_t v;

        *ret = (broker_request) { 0 };
        if (n == 0)
                REFUSE("empty request");
        if (n > PERMIT_BROKER_MAX_MESSAGE)
                REFUSE("request longer than %d bytes", PERMIT_BROKER_MAX_MESSAGE);
        for (size_t i = 0; i < n; i++)
                if (msg[i] < 0x21 && msg[i] != ' ')
                        REFUSE("request with a control byte");
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) msg[i] >= 0x7f)
                        REFUSE("request with a non-ASCII byte");
        if (!word(&p, end, &w, &len, 8))
                REFUSE("no operation (CONNECT or LISTEN)");
        if (len == 7 && memcmp(w, "CONNECT", 7) == 0)
                ret->op = BROKER_CONNECT;
        else if (len == 6 && memcmp(w, "LISTEN", 6) == 0)
                ret->op = BROKER_LISTEN;
        else
                REFUSE("unknown operation (CONNECT or LISTEN)");
        if (!word(&p, end, &w, &len, 10) || !number(w, len, 10, UINT32_MAX, &v))
                REFUSE("bad request id (1-10 digits)");
        ret->id = (uint32_t) v;
        if (ret->op == BROKER_CONNECT) {
                if (!word(&p, end, &w, &len, BROKER_HOST_MAX))
                        REFUSE("CONNECT needs a host name of 1-%d bytes", BROKER_HOST_MAX);
                for (size_t i = 0; i < len; i++)
                        ret->host[i] = (char) (w[i] >= 'A' && w[i] <= 'Z' ? w[i] - 'A' + 'a' : w[i]);
                ret->host[len] = '\0';
        }
        if (!word(&p, end, &w, &len, 5) || !number(w, len, 5, 65535, &v) || v == 0)
                REFUSE("bad port (1-65535)");
        ret->port = (unsigned) v;
        if (ret->op == BROKER_CONNECT && p < end) {
                if (!word(&p, end, &w, &len, 7) || !number(w, len, 7, 3600000, &v) || v == 0)
                        REFUSE("bad timeout (1-3600000 ms)");
                ret->timeout_ms = (unsigned) v;
        }
        if (p != end || (n > 0 && msg[n - 1] == ' '))
                REFUSE("trailing bytes after the request");
        return 0;
}

int broker_format_ok(char *buf, size_t size, uint32_t id) {
        int n = snprintf(buf, size, "OK %" PRIu32, id);

        return n < 0 || (size_t) n >= size ? -ENOBUFS : n;
}

int broker_format_err(char *buf, size_t size, uint32_t id, int error, const char *reason) {
        int n = snprintf(buf, size, "ERR %" PRIu32 " %d ", id, error > 0 ? error : EIO);
        size_t k;

        if (n < 0 || (size_t) n >= size)
                return -ENOBUFS;
        k = (size_t) n;
        for (const char *r = reason ? reason : ""; *r && k + 1 < size && k < PERMIT_BROKER_MAX_MESSAGE; r++)
                buf[k++] = (unsigned char) *r < 0x20 || *r == 0x7f ? ' ' : *r;
        buf[k] = '\0';
        return (int) k;
}

int broker_send(int sock, const char *msg, size_t n, int fd) {
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = { 0 };
        struct iovec iov = { .iov_base = (void *) msg, .iov_len = n };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (fd >= 0) {
                struct cmsghdr *c;

                mh.msg_control = control.buf;
                mh.msg_controllen = sizeof(control.buf);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        for (;;) {
                ssize_t r = sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);

                if (r >= 0)
                        return (size_t) r == n ? 0 : -EMSGSIZE;
                if (errno != EINTR)
                        return negative_errno();
        }
}

bool broker_host_is_ip(const char *host) {
        struct in6_addr a6;
        struct in_addr a4;

        return inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1 ||
               (host[0] == '[' && strlen(host) > 2 && host[strlen(host) - 1] == ']');
}

int broker_parse_resolve(const char *s, resolve_entry *ret) {
        const char *eq = s ? strchr(s, '=') : NULL;
        char ip[INET6_ADDRSTRLEN + 2];
        size_t n;

        *ret = (resolve_entry) { 0 };
        if (!eq || eq == s || (size_t) (eq - s) > BROKER_HOST_MAX)
                return -EINVAL;
        n = strlen(eq + 1);
        if (n == 0 || n >= sizeof(ip))
                return -EINVAL;
        memcpy(ip, eq + 1, n + 1);
        if (ip[0] == '[' && ip[n - 1] == ']') {
                memmove(ip, ip + 1, n - 2);
                ip[n - 2] = '\0';
        }
        if (inet_pton(AF_INET, ip, &((struct sockaddr_in *) &ret->addr)->sin_addr) == 1) {
                ret->addr.ss_family = AF_INET;
                ret->len = sizeof(struct sockaddr_in);
        } else if (inet_pton(AF_INET6, ip, &((struct sockaddr_in6 *) &ret->addr)->sin6_addr) == 1) {
                ret->addr.ss_family = AF_INET6;
                ret->len = sizeof(struct sockaddr_in6);
        } else
                return -EINVAL;
        ret->host = strndup(s, (size_t) (eq - s));
        if (!ret->host)
                return -ENOMEM;
        for (char *p = ret->host; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char) (*p - 'A' + 'a');
        return 0;
}
