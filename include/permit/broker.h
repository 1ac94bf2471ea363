/* SPDX-License-Identifier: MIT */
/* permit/broker.h: the network broker (DESIGN.md section 7, doc/broker.md).
 *
 * A sandbox compiled with net mode PERMIT_NET_BROKER cannot open IP sockets
 * (seccomp) nor connect or bind TCP (Landlock). Its only way out is the
 * broker: the add-on sends a request over its broker socket (fd
 * PERMIT_BROKER_FD in the add-on), the broker checks it against the add-on's
 * granted net.connect / net.listen capabilities, resolves the name itself
 * (the resolve map first, then getaddrinfo), connects with a timeout and
 * passes the connected socket back with SCM_RIGHTS, or answers a refusal.
 * Every decision goes to the profile's audit log when a store is given.
 *
 * The broker runs in the host process, driven by the host's event loop:
 *
 *   permit_broker *b;
 *   permit_broker_new(&(permit_broker_options) { .audit = store }, &b);
 *   permit_spawn(rs, argv, env, PERMIT_SPAWN_BROKER, &child);
 *   permit_broker_add_client(b, "org.example.hello", caps, n_caps,
 *                            dup(permit_child_broker_socket(child)), &client);
 *   poll permit_broker_fd(b) for POLLIN; when readable: permit_broker_dispatch(b, 0);
 *
 * or in a thread of its own (permit_broker_thread_start()). `permit run`
 * runs one for its command. The broker never blocks its caller: names are
 * resolved and connections made by a small pool of worker threads; the
 * dispatch only reads requests and sends answers.
 *
 * Wire protocol (SOCK_SEQPACKET, one request per message, ASCII, at most
 * PERMIT_BROKER_MAX_MESSAGE bytes, no NUL):
 *   CONNECT ID HOST PORT [TIMEOUT_MS]    ID: 1-10 digits chosen by the add-on
 *   LISTEN ID PORT
 * answers, one message each, with the request's ID:
 *   OK ID                 with exactly one descriptor attached (SCM_RIGHTS)
 *   ERR ID ERRNO REASON   ERRNO a positive errno number (13 EACCES: not
 *                         granted; 22 EINVAL: bad request; 110 ETIMEDOUT,
 *                         111 ECONNREFUSED...), REASON one line of text.
 * A request that does not parse is answered ERR 0 22 REASON. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "permit/enforcer.h" /* PERMIT_BROKER_FD */
#include "permit/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The longest request or answer. */
#define PERMIT_BROKER_MAX_MESSAGE 512

typedef struct permit_broker permit_broker;
typedef struct permit_broker_client permit_broker_client;

/* One decision, for the host's own log (the audit log gets it anyway). */
typedef struct permit_broker_decision {
        const char *addon;      /* the client's add-on id */
        const char *operation;  /* "connect", "listen" */
        const char *host;       /* as requested; NULL for listen */
        unsigned port;
        const char *capability; /* the grant that allowed it, or NULL */
        bool allowed;           /* and the connection was made */
        int error;              /* 0, or the positive errno answered */
        const char *reason;     /* the one-line reason answered ("" when allowed) */
} permit_broker_decision;

typedef struct permit_broker_options {
        /* Each connection attempt's limit; 0: 10000. A request may ask for
         * less, never for more. */
        unsigned connect_timeout_ms;
        /* Requests of one client being worked on at once; 0: 4. Past it,
         * the broker stops reading that client's socket until one is done
         * (the add-on's sends block; other clients are not affected). */
        unsigned max_pending;
        /* Worker threads resolving and connecting; 0: 8 (so that one client,
         * at max_pending, cannot hold them all). */
        unsigned workers;
        /* Requests that do not parse or are refused before any one is
         * allowed, past which a client is cut off; 0: 64. */
        unsigned max_bad;
        /* The profile's store: every decision is appended to its audit.jsonl
         * ("use" with the granted capability, or "denial"). May be NULL. The
         * broker uses it from its dispatching thread only. */
        permit_store *audit;
        /* Called (in the dispatching thread) for every decision. May be NULL. */
        void (*on_decision)(void *userdata, const permit_broker_decision *d);
        /* Called when a client is cut off for abuse (past max_bad) or closes
         * its socket: the host may kill the add-on (abuse true) or forget it.
         * The client handle is freed right after. May be NULL. */
        void (*on_client_gone)(void *userdata, permit_broker_client *c, bool abuse);
        void *userdata;
} permit_broker_options;

/* Starts the worker threads. Errors: -EINVAL, -ENOMEM, errors of
 * epoll_create1, eventfd, pthread_create. */
int permit_broker_new(const permit_broker_options *o, permit_broker **ret);

/* Stops the workers (connections being made are abandoned), closes every
 * client socket, frees. Accepts NULL. Stop the thread helper first. */
void permit_broker_free(permit_broker *b);

/* One entry of the resolve map, "HOST=IP" (curl's --resolve without the
 * port): HOST is then that address and never looked up. IP is IPv4 or IPv6
 * (without brackets). A later entry for the same HOST replaces it.
 * -EINVAL (not HOST=IP, HOST not a valid host name, IP not an address). */
int permit_broker_resolve_add(permit_broker *b, const char *host_eq_ip);

/* Serves a new client: an add-on id, its granted capabilities (only
 * net.connect and net.listen ones matter; others are ignored; each must pass
 * permit_capability_check()) and the broker's end of its socket (a
 * SOCK_SEQPACKET unix socket, permit_child_broker_socket() duplicated). The
 * broker owns fd from here, also on failure. *ret (may be NULL) is valid
 * until permit_broker_remove_client() or the on_client_gone callback.
 * Errors: -EINVAL (bad id, capability or fd), -ENOMEM, epoll errors. */
int permit_broker_add_client(permit_broker *b, const char *addon, const char *const *capabilities, size_t n,
                             int fd, permit_broker_client **ret);

/* Proxy mode: serves HTTP proxy requests (CONNECT host:port, or plain HTTP
 * with an absolute URL) arriving on fd, a TCP socket listening in the
 * add-on's network namespace (permit_child_proxy_listener(), duplicated),
 * under the client's grants: a granted target is connected and relayed; a
 * refusal is answered 403 (400 for a bad request, 502/504 when the
 * connection fails) and audited like a broker request. A Host header that
 * differs from the target is refused. The broker owns fd from here.
 * Errors: -EINVAL (not a listening TCP socket), -EBUSY (the client has one
 * already, or is gone), epoll errors. */
int permit_broker_add_proxy(permit_broker *b, permit_broker_client *c, int fd);

/* Stops serving a client (its pending requests are dropped) and frees it. */
void permit_broker_remove_client(permit_broker *b, permit_broker_client *c);

const char *permit_broker_client_addon(const permit_broker_client *c);

/* A descriptor that becomes readable (POLLIN) when permit_broker_dispatch
 * has work. Owned by the broker. */
int permit_broker_fd(const permit_broker *b);

/* Reads pending requests, hands them to the workers, sends finished
 * answers; waits at most timeout_ms for something to do (0: not at all;
 * -1: until something happens). Returns the number of events handled, or
 * -errno (-EINVAL; epoll_wait's errors but EINTR, which returns 0). Never
 * blocks on a client. Not to be called from two threads at once. */
int permit_broker_dispatch(permit_broker *b, int timeout_ms);

/* The thread helper: a thread of the broker's own calling dispatch until
 * permit_broker_thread_stop(). While it runs, add and remove clients only
 * from one other thread (they take the broker's lock). -EBUSY if running. */
int permit_broker_thread_start(permit_broker *b);
int permit_broker_thread_stop(permit_broker *b);

/* Whether a capability list grants HOST:PORT (net.connect; the host name
 * lower-cased first): exact host, *.domain (a subdomain, never the domain
 * itself nor evil-domain), *, with or without port. A literal IP address is
 * granted only by a grant naming that address. Returns the index of the
 * first grant that allows it, -EACCES when none does, -EINVAL for a host
 * that is not a valid name or address, or a port out of 1-65535. */
int permit_broker_match_connect(const char *const *capabilities, size_t n, const char *host, unsigned port);

/* The same for net.listen:PORT. -EACCES, -EINVAL. */
int permit_broker_match_listen(const char *const *capabilities, size_t n, unsigned port);

#ifdef __cplusplus
}
#endif
