/* SPDX-License-Identifier: MIT */
/* The broker's state, shared by broker.c (clients, workers, dispatch) and
 * broker-proxy.c (proxy mode's HTTP connections). */
#pragma once

#include <pthread.h>
#include <stddef.h>

#include "broker-private.h"

#define DEFAULT_TIMEOUT_MS 10000
#define DEFAULT_PENDING 4
#define DEFAULT_WORKERS 8 /* twice max_pending: one client cannot hold every worker */
#define DEFAULT_BAD 64
#define MAX_WORKERS 64
#define MAX_PROXY_CONNS 64 /* per client; past it the proxy stops accepting */

/* What an epoll event's data points to: each object starts with its kind. */
typedef enum obj_kind {
        OBJ_DONE = 1,
        OBJ_STOP,
        OBJ_CLIENT,
        OBJ_PROXY_LISTENER,
        OBJ_PROXY_END,
} obj_kind;

struct permit_broker_client {
        obj_kind kind; /* OBJ_CLIENT: first, as epoll data */
        permit_broker *broker;
        char *addon;
        char **caps;
        size_t n_caps;
        int fd;
        unsigned pending;  /* jobs of this client not answered yet */
        unsigned bad;      /* bad or refused requests */
        unsigned refs;     /* 1 while served, + one per job */
        bool watched;      /* in epoll (not throttled) */
        bool gone;
        permit_broker_client *next;
        /* Proxy mode: the listener in the add-on's namespace, or -1. */
        obj_kind proxy_kind; /* OBJ_PROXY_LISTENER: epoll data of proxy_fd */
        int proxy_fd;
        unsigned n_conns;
        bool accepting;
};

typedef struct job {
        struct job *next;
        permit_broker_client *client;
        struct proxy_conn *conn; /* proxy mode: the connection waiting for it */
        broker_request req;
        int grant;   /* index in client->caps */
        int fd;      /* the result, or -1 */
        int error;   /* positive errno, 0 when fd is set */
        char why[256];
} job;

struct permit_broker {
        permit_broker_options o;
        int epfd, done_efd, stop_efd, abort_efd; /* abort: the workers' connects, at free */
        pthread_mutex_t lock; /* everything below */
        pthread_cond_t work;
        job *todo, **todo_tail, *done, **done_tail;
        bool stopping;
        pthread_t workers[MAX_WORKERS];
        unsigned n_workers;
        pthread_rwlock_t map_lock;
        resolve_entry *map;
        size_t n_map;
        permit_broker_client *clients, *gone;
        struct proxy_conn *conns; /* proxy mode: open, then dead until the end of a dispatch */
        pthread_t thread;
        bool thread_running, thread_stop;
};


/* broker.c, under the lock */
void client_unref(permit_broker_client *c);
int watch(permit_broker_client *c, bool on);
void decided(permit_broker *b, permit_broker_client *c, const broker_request *req, int grant, int error,
             const char *reason);
/* Queues a job for the workers (c->refs taken). -ENOMEM. */
int enqueue(permit_broker *b, permit_broker_client *c, const broker_request *req, int grant, struct proxy_conn *conn);

/* broker-proxy.c, under the lock */
void proxy_accept(permit_broker *b, permit_broker_client *c);
void proxy_event(permit_broker *b, void *end, uint32_t events);
void proxy_connected(permit_broker *b, job *j); /* takes j->fd */
void proxy_stop(permit_broker *b, permit_broker_client *c); /* the listener and its connections */
void proxy_free_dead(permit_broker *b);
