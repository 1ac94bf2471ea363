/* SPDX-License-Identifier: MIT */
/* The broker's network side, run by its worker threads: resolve a name (the
 * resolve map, then getaddrinfo), connect with a deadline, or listen on
 * loopback. Blocking calls are fine here: a worker waits, the dispatch
 * does not. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>

#include "broker-private.h"
#include "util.h"

static int64_t now_ms(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (int64_t) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* One address: a non-blocking connect, waited for until deadline. */
static int connect_one(const struct sockaddr *sa, socklen_t len, int64_t deadline, int abort_fd) {
        _cleanup_close_ int fd = -1;
        int err = 0, flags;
        socklen_t elen = sizeof(err);

        fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
        if (fd < 0)
                return negative_errno();
        if (connect(fd, sa, len) < 0) {
                if (errno != EINPROGRESS)
                        return negative_errno();
                for (;;) {
                        struct pollfd p[2] = { { .fd = fd, .events = POLLOUT }, { .fd = abort_fd, .events = POLLIN } };
                        int64_t left = deadline - now_ms();
                        int n;

                        if (left <= 0)
                                return -ETIMEDOUT;
                        n = poll(p, abort_fd >= 0 ? 2 : 1, left > INT32_MAX ? INT32_MAX : (int) left);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0)
                                return negative_errno();
                        if (n == 0)
                                return -ETIMEDOUT;
                        if (abort_fd >= 0 && p[1].revents)
                                return -ECANCELED;
                        break;
                }
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
                        return negative_errno();
                if (err)
                        return -err;
        }
        /* The add-on gets an ordinary blocking socket. */
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
                return negative_errno();
        return steal_fd(&fd);
}

static void set_port(struct sockaddr_storage *ss, unsigned port) {
        if (ss->ss_family == AF_INET)
                ((struct sockaddr_in *) ss)->sin_port = htons((uint16_t) port);
        else
                ((struct sockaddr_in6 *) ss)->sin6_port = htons((uint16_t) port);
}

static void describe(const struct sockaddr *sa, char *buf, size_t size) {
        const void *a = sa->sa_family == AF_INET ? (const void *) &((const struct sockaddr_in *) sa)->sin_addr
                                                 : (const void *) &((const struct sockaddr_in6 *) sa)->sin6_addr;

        if (!inet_ntop(sa->sa_family, a, buf, (socklen_t) size))
                snprintf(buf, size, "?");
}

int broker_connect(const resolve_entry *map, size_t n_map, const char *host, unsigned port, unsigned timeout_ms,
                   int abort_fd, char *why, size_t size) {
        int64_t deadline = now_ms() + timeout_ms;
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_protocol = IPPROTO_TCP,
                                  .ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV };
        struct addrinfo *list = NULL;
        char service[8], addr[INET6_ADDRSTRLEN], literal[BROKER_HOST_MAX + 1];
        int r = -EHOSTUNREACH;

        for (size_t i = n_map; i-- > 0;)
                if (streq(map[i].host, host)) {
                        struct sockaddr_storage ss = map[i].addr;

                        set_port(&ss, port);
                        r = connect_one((struct sockaddr *) &ss, map[i].len, deadline, abort_fd);
                        if (r < 0) {
                                describe((struct sockaddr *) &ss, addr, sizeof(addr));
                                snprintf(why, size, "%s:%u (%s, from the resolve map): %s", host, port, addr,
                                         strerror(-r));
                        }
                        return r;
                }
        /* [v6] as written in a grant: without the brackets for getaddrinfo. */
        snprintf(literal, sizeof(literal), "%s", host);
        if (literal[0] == '[' && strlen(literal) > 2) {
                literal[strlen(literal) - 1] = '\0';
                memmove(literal, literal + 1, strlen(literal));
        }
        if (broker_host_is_ip(literal))
                hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
        snprintf(service, sizeof(service), "%u", port);
        r = getaddrinfo(literal, service, &hints, &list);
        if (r != 0) {
                snprintf(why, size, "%s: cannot resolve: %s", host, r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
                return r == EAI_NONAME || r == EAI_NODATA ? -ENOENT : r == EAI_AGAIN ? -EAGAIN : -EHOSTUNREACH;
        }
        r = -EHOSTUNREACH;
        for (struct addrinfo *a = list; a; a = a->ai_next) {
                if (a->ai_family != AF_INET && a->ai_family != AF_INET6)
                        continue;
                r = connect_one(a->ai_addr, a->ai_addrlen, deadline, abort_fd);
                if (r >= 0)
                        break;
                describe(a->ai_addr, addr, sizeof(addr));
                snprintf(why, size, "%s:%u (%s): %s", host, port, addr, strerror(-r));
                if (r == -ETIMEDOUT)
                        break;
        }
        if (r == -EHOSTUNREACH && !list)
                snprintf(why, size, "%s: no address", host);
        freeaddrinfo(list);
        return r;
}

int broker_listen(unsigned port, char *why, size_t size) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
        int one = 1;

        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
            bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(fd, 128) < 0) {
                int r = negative_errno();

                snprintf(why, size, "listening on 127.0.0.1:%u: %s", port, strerror(-r));
                return r;
        }
        return steal_fd(&fd);
}
