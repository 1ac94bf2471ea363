/* SPDX-License-Identifier: MIT */
/* permit/addon-net.h: the add-on's side of the network broker, for C
 * add-ons. Header only: it needs no libpermit (an add-on links nothing of
 * the host's). The wire protocol is in permit/broker.h.
 *
 *   int fd = permit_addon_connect("api.example.com", 443);
 *   if (fd < 0) ... -EACCES: not granted; -ENOTCONN: no broker here
 *   char why[256];
 *   fd = permit_addon_connect_ex("api.example.com", 443, 5000, why, sizeof(why));
 *
 * The broker socket is fd $PERMIT_BROKER_FD (4). One request is in flight at
 * a time per process: call these from one thread, or under a lock. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef PERMIT_BROKER_FD
#define PERMIT_BROKER_FD 4
#endif
#define PERMIT_ADDON_MAX_MESSAGE 512

/* The broker socket named by $PERMIT_BROKER_FD, or -ENOTCONN. */
static inline int permit_addon_broker_fd(void) {
        const char *s = getenv("PERMIT_BROKER_FD");
        char *end;
        long v;

        if (!s || !*s)
                return -ENOTCONN;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || *end || v < 0 || v > 65535)
                return -ENOTCONN;
        return (int) v;
}

/* Sends one request ("OP ID ARGS") and waits for its answer: the
 * descriptor, or -errno with the broker's reason in why (may be NULL). */
static inline int permit_addon_request(const char *op, const char *args, char *why, size_t size) {
        static unsigned next_id;
        char msg[PERMIT_ADDON_MAX_MESSAGE + 1], ans[PERMIT_ADDON_MAX_MESSAGE + 1];
        unsigned id = ++next_id % 1000000000u;
        int sock = permit_addon_broker_fd(), n;

        if (why && size)
                why[0] = '\0';
        if (sock < 0) {
                if (why)
                        snprintf(why, size, "no network broker (PERMIT_BROKER_FD is not set)");
                return sock;
        }
        n = snprintf(msg, sizeof(msg), "%s %u %s", op, id, args);
        if (n < 0 || (size_t) n >= sizeof(msg))
                return -EINVAL;
        while (send(sock, msg, (size_t) n, MSG_NOSIGNAL) < 0)
                if (errno != EINTR)
                        return errno == EPIPE || errno == EBADF || errno == ENOTSOCK ? -ENOTCONN : -errno;
        for (;;) {
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(int))];
                } control;
                struct iovec iov = { .iov_base = ans, .iov_len = sizeof(ans) - 1 };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                                     .msg_controllen = sizeof(control.buf) };
                struct cmsghdr *c;
                ssize_t k = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
                unsigned got_id = 0;
                int fd = -1, err = 0, used = 0;

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k == 0 ? -ENOTCONN : -errno;
                ans[k] = '\0';
                for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
                            c->cmsg_len >= CMSG_LEN(sizeof(int)))
                                memcpy(&fd, CMSG_DATA(c), sizeof(int));
                if (sscanf(ans, "OK %u", &got_id) == 1 && strncmp(ans, "OK ", 3) == 0) {
                        if (got_id != id) {
                                if (fd >= 0)
                                        close(fd);
                                continue; /* the answer to an abandoned request */
                        }
                        return fd >= 0 ? fd : -EPROTO;
                }
                if (fd >= 0)
                        close(fd);
                if (sscanf(ans, "ERR %u %d %n", &got_id, &err, &used) >= 2 && strncmp(ans, "ERR ", 4) == 0) {
                        if (got_id != id && got_id != 0)
                                continue;
                        if (why)
                                snprintf(why, size, "%s", used ? ans + used : "");
                        return err > 0 ? -err : -EPROTO;
                }
                return -EPROTO;
        }
}

/* A TCP connection to host:port, made by the broker (timeout_ms 0: the
 * broker's). The connected socket, or -errno: -EACCES (not granted),
 * -EINVAL (bad host name), -ETIMEDOUT, -ECONNREFUSED, -ENOENT (no such
 * name), -ENOTCONN (no broker). */
static inline int permit_addon_connect_ex(const char *host, unsigned port, unsigned timeout_ms, char *why,
                                          size_t size) {
        char request[PERMIT_ADDON_MAX_MESSAGE];
        int n;

        if (!host || !*host || strchr(host, ' ') || port == 0 || port > 65535)
                return -EINVAL;
        if (timeout_ms)
                n = snprintf(request, sizeof(request), "%s %u %u", host, port, timeout_ms);
        else
                n = snprintf(request, sizeof(request), "%s %u", host, port);
        if (n < 0 || (size_t) n >= sizeof(request) - 20)
                return -EINVAL;
        return permit_addon_request("CONNECT", request, why, size);
}

static inline int permit_addon_connect(const char *host, unsigned port) {
        return permit_addon_connect_ex(host, port, 0, NULL, 0);
}

/* A TCP socket listening on 127.0.0.1:port (net.listen:PORT), or -errno. */
static inline int permit_addon_listen(unsigned port, char *why, size_t size) {
        char request[64];

        if (port == 0 || port > 65535)
                return -EINVAL;
        snprintf(request, sizeof(request), "%u", port);
        return permit_addon_request("LISTEN", request, why, size);
}

#ifdef __cplusplus
}
#endif
