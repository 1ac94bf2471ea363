/* SPDX-License-Identifier: MIT */
/* Inside the network broker: the wire format (broker-protocol.c), the
 * network side the workers run (broker-net.c) and the grant matcher
 * (broker-match.c), each testable alone. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "permit/broker.h"

/* Host names are at most 253 bytes (manifest/vocabulary.c); IPv6 literals less. */
#define BROKER_HOST_MAX 253

typedef enum broker_op {
        BROKER_CONNECT = 1,
        BROKER_LISTEN,
} broker_op;

typedef struct broker_request {
        broker_op op;
        uint32_t id;
        char host[BROKER_HOST_MAX + 1]; /* CONNECT: lower-cased; "" for LISTEN */
        unsigned port;
        unsigned timeout_ms; /* 0: the broker's */
} broker_request;

/* Parses one message of n bytes (not NUL-terminated). 0, or -EINVAL with a
 * one-line reason in why (size bytes). ret->id is set whenever the ID parsed,
 * so the refusal can carry it. */
int broker_parse_request(const char *msg, size_t n, broker_request *ret, char *why, size_t size);

/* "OK ID" / "ERR ID ERRNO REASON" into buf; returns the length, or -ENOBUFS.
 * The reason is cut at the message size and its control bytes replaced. */
int broker_format_ok(char *buf, size_t size, uint32_t id);
int broker_format_err(char *buf, size_t size, uint32_t id, int error, const char *reason);

/* One message with an optional descriptor (fd < 0: none), MSG_DONTWAIT |
 * MSG_NOSIGNAL. 0 or -errno (-EAGAIN when the peer's queue is full). */
int broker_send(int sock, const char *msg, size_t n, int fd);

/* The resolve map. */
typedef struct resolve_entry {
        char *host;
        struct sockaddr_storage addr; /* port 0 */
        socklen_t len;
} resolve_entry;

/* Parses "HOST=IP". -EINVAL. Caller frees ret->host. */
int broker_parse_resolve(const char *s, resolve_entry *ret);

/* Whether host is a literal IPv4 or IPv6 address (a request for one is
 * granted only by a grant naming it). */
bool broker_host_is_ip(const char *host);

/* The workers' side, blocking: resolves (the map, then getaddrinfo; a
 * literal address as itself) and connects to each address in turn until
 * one answers, within timeout_ms in all, or until abort_fd (-1: none)
 * becomes readable (-ECANCELED). Returns the connected socket
 * (close-on-exec, blocking again) or -errno with why filled. */
int broker_connect(const resolve_entry *map, size_t n_map, const char *host, unsigned port, unsigned timeout_ms,
                   int abort_fd, char *why, size_t size);

/* A TCP socket listening on 127.0.0.1:port. -errno with why filled. */
int broker_listen(unsigned port, char *why, size_t size);

/* ---- proxy mode: HTTP requests (broker-http.c) ---------------------------- */

#define BROKER_HTTP_HEAD_MAX 8192

typedef struct http_request {
        bool connect;                   /* CONNECT host:port; else a forward request */
        char host[BROKER_HOST_MAX + 1]; /* lower-cased; an IPv6 address in brackets */
        unsigned port;
        size_t path;      /* forward: offset of the origin-form path in the head */
        size_t line_end;  /* offset just past the request line's CRLF */
        size_t head_len;  /* offset just past the blank line */
} http_request;

/* Parses the head of an HTTP/1.x request in buf[0..n): 0 when complete,
 * -EAGAIN when more bytes are needed, -EINVAL (with why) when it is not an
 * acceptable proxy request: not HTTP/1.x, a target that is not
 * CONNECT host:port or an absolute http:// URL, a Host header that differs
 * from the target (or, for a forward request, is missing), two Host
 * headers, a head longer than BROKER_HTTP_HEAD_MAX. */
int broker_parse_http_head(const char *buf, size_t n, http_request *ret, char *why, size_t size);
