/* SPDX-License-Identifier: MIT */
/* Proxy mode (doc/broker.md): the add-on's network namespace holds only
 * loopback and a TCP socket listening on 127.0.0.1:PERMIT_PROXY_PORT, made
 * there by the child and handed to the broker (permit_broker_add_proxy()).
 * Each connection to it is one HTTP proxy request: CONNECT host:port, or a
 * plain HTTP request with an absolute URL. The request is checked against
 * the add-on's net.connect grants like a broker request (and refused when
 * its Host header names another host), connected by a worker, and then the
 * bytes are relayed both ways by the dispatch, non-blocking, through a pipe
 * per direction with splice() (the bytes never enter user space).
 * Everything runs under the broker's lock. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "broker-state.h"
#include "util.h"

#define RELAY_PIPE (256 * 1024) /* asked for; the kernel may give less */

typedef struct proxy_end {
        obj_kind kind; /* OBJ_PROXY_END: first, as epoll data */
        struct proxy_conn *conn;
        int i;           /* 0: the add-on's side, 1: upstream */
        uint32_t events; /* registered in epoll; 0: not registered */
} proxy_end;

typedef struct proxy_conn {
        permit_broker_client *client;
        int fd[2];
        proxy_end end[2];
        int pipe[2][2]; /* pipe[i]: read from fd[i], to write to fd[1 - i]; -1: none yet */
        size_t len[2], cap[2]; /* bytes in pipe[i], its size */
        bool eof[2];
        enum { HEAD, WAIT, RELAY } state;
        char head[BROKER_HTTP_HEAD_MAX];
        size_t head_n;
        http_request req;
        bool dead, waiting; /* waiting: a worker holds a job for it */
        struct proxy_conn *next;
} proxy_conn;

static void set_events(permit_broker *b, proxy_conn *pc, int i, uint32_t events) {
        proxy_end *e = &pc->end[i];

        if (pc->fd[i] < 0 || e->events == events)
                return;
        if (events == 0)
                epoll_ctl(b->epfd, EPOLL_CTL_DEL, pc->fd[i], NULL);
        else
                epoll_ctl(b->epfd, e->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, pc->fd[i],
                          &(struct epoll_event) { .events = events, .data.ptr = e });
        e->events = events;
}

static void conn_close(permit_broker *b, proxy_conn *pc) {
        permit_broker_client *c = pc->client;

        if (pc->dead)
                return;
        for (int i = 0; i < 2; i++) {
                set_events(b, pc, i, 0);
                if (pc->fd[i] >= 0)
                        close(pc->fd[i]);
                pc->fd[i] = -1;
        }
        pc->dead = true;
        if (c->n_conns-- == MAX_PROXY_CONNS && !c->gone && c->proxy_fd >= 0 && !c->accepting) {
                /* Room again: accept the connections that waited. */
                if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, c->proxy_fd,
                              &(struct epoll_event) { .events = EPOLLIN, .data.ptr = &c->proxy_kind }) == 0)
                        c->accepting = true;
        }
}

static void conn_free(proxy_conn *pc) {
        for (int i = 0; i < 2; i++)
                for (int k = 0; k < 2; k++)
                        if (pc->pipe[i][k] >= 0)
                                close(pc->pipe[i][k]);
        client_unref(pc->client);
        free(pc);
}

void proxy_free_dead(permit_broker *b) {
        for (proxy_conn **p = &b->conns; *p;) {
                proxy_conn *pc = *p;

                if (pc->dead && (!pc->waiting || b->stopping)) {
                        *p = pc->next;
                        conn_free(pc);
                } else
                        p = &pc->next;
        }
}

/* A short answer of the proxy's own, then the connection is closed. */
static void answer_and_close(permit_broker *b, proxy_conn *pc, const char *status, const char *reason) {
        char msg[BROKER_HOST_MAX + 512];
        int n = snprintf(msg, sizeof(msg),
                         "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s\n",
                         status, strlen(reason) + 1, reason);

        if (n > 0)
                (void) !send(pc->fd[0], msg, (size_t) n < sizeof(msg) ? (size_t) n : sizeof(msg) - 1,
                             MSG_DONTWAIT | MSG_NOSIGNAL);
        conn_close(b, pc);
}

void proxy_accept(permit_broker *b, permit_broker_client *c) {
        while (c->n_conns < MAX_PROXY_CONNS) {
                proxy_conn *pc;
                int fd = accept4(c->proxy_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

                if (fd < 0)
                        return; /* EAGAIN, or a connection reset before it was accepted */
                pc = calloc(1, sizeof(*pc));
                if (!pc) {
                        close(fd);
                        return;
                }
                pc->client = c;
                c->refs++;
                c->n_conns++;
                pc->fd[0] = fd;
                pc->fd[1] = -1;
                pc->pipe[0][0] = pc->pipe[0][1] = pc->pipe[1][0] = pc->pipe[1][1] = -1;
                for (int i = 0; i < 2; i++)
                        pc->end[i] = (proxy_end) { .kind = OBJ_PROXY_END, .conn = pc, .i = i };
                pc->next = b->conns;
                b->conns = pc;
                set_events(b, pc, 0, EPOLLIN);
        }
        /* At the bound: stop accepting until a connection closes. */
        if (c->accepting && epoll_ctl(b->epfd, EPOLL_CTL_DEL, c->proxy_fd, NULL) == 0)
                c->accepting = false;
}

static void read_head(permit_broker *b, proxy_conn *pc) {
        permit_broker_client *c = pc->client;
        broker_request req = { .op = BROKER_CONNECT };
        char why[BROKER_HOST_MAX + 160];
        ssize_t n;
        int r, grant;

        n = recv(pc->fd[0], pc->head + pc->head_n, sizeof(pc->head) - pc->head_n, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (n <= 0) {
                conn_close(b, pc);
                return;
        }
        pc->head_n += (size_t) n;
        r = broker_parse_http_head(pc->head, pc->head_n, &pc->req, why, sizeof(why));
        if (r == -EAGAIN)
                return;
        if (r < 0) {
                /* A target that parsed (the Host header was the problem) is named in the log. */
                snprintf(req.host, sizeof(req.host), "%s", pc->req.host);
                req.port = pc->req.port;
                decided(b, c, req.port ? &req : NULL, -1, EINVAL, why);
                answer_and_close(b, pc, strstr(why, "Host header") ? "403 Forbidden" : "400 Bad Request", why);
                return;
        }
        snprintf(req.host, sizeof(req.host), "%s", pc->req.host);
        req.port = pc->req.port;
        grant = permit_broker_match_connect((const char *const *) c->caps, c->n_caps, req.host, req.port);
        if (grant < 0) {
                snprintf(why, sizeof(why), "net.connect:%s:%u is not granted%s", req.host, req.port,
                         grant == -EINVAL ? " (not a valid host name)"
                         : broker_host_is_ip(req.host) ? " (an address is allowed only when that address itself is granted)"
                                                       : "");
                decided(b, c, &req, -1, grant == -EINVAL ? EINVAL : EACCES, why);
                answer_and_close(b, pc, "403 Forbidden", why);
                return;
        }
        if (enqueue(b, c, &req, grant, pc) < 0) {
                answer_and_close(b, pc, "503 Service Unavailable", "out of memory");
                return;
        }
        pc->state = WAIT;
        pc->waiting = true;
        set_events(b, pc, 0, 0); /* nothing more is read until connected */
}

/* Registers what each side waits for: reading while its pipe has room,
 * writing while the other side's pipe holds bytes. */
static void relay_interest(permit_broker *b, proxy_conn *pc) {
        for (int i = 0; i < 2; i++)
                set_events(b, pc, i,
                           (pc->len[i] < pc->cap[i] && !pc->eof[i] ? EPOLLIN : 0) | (pc->len[1 - i] ? EPOLLOUT : 0));
}

static void relay(permit_broker *b, proxy_conn *pc) {
        const unsigned flags = SPLICE_F_NONBLOCK | SPLICE_F_MOVE;

        for (int i = 0; i < 2; i++) {
                /* Read side i into its pipe while there is room. */
                if (pc->len[i] < pc->cap[i] && !pc->eof[i]) {
                        ssize_t n = splice(pc->fd[i], NULL, pc->pipe[i][1], NULL, pc->cap[i] - pc->len[i], flags);

                        if (n > 0)
                                pc->len[i] += (size_t) n;
                        else if (n == 0) {
                                pc->eof[i] = true;
                                if (!pc->len[i])
                                        shutdown(pc->fd[1 - i], SHUT_WR);
                        } else if (errno != EAGAIN && errno != EINTR) {
                                conn_close(b, pc);
                                return;
                        }
                }
                /* Write the pipe to the other side. */
                while (pc->len[i]) {
                        ssize_t n = splice(pc->pipe[i][0], NULL, pc->fd[1 - i], NULL, pc->len[i], flags);

                        if (n < 0) {
                                if (errno == EAGAIN || errno == EINTR)
                                        break;
                                conn_close(b, pc);
                                return;
                        }
                        pc->len[i] -= (size_t) n;
                        if (!pc->len[i] && pc->eof[i])
                                shutdown(pc->fd[1 - i], SHUT_WR);
                }
        }
        if (pc->eof[0] && pc->eof[1] && !pc->len[0] && !pc->len[1]) {
                conn_close(b, pc);
                return;
        }
        relay_interest(b, pc);
}

void proxy_event(permit_broker *b, void *end, uint32_t events) {
        proxy_end *e = end;
        proxy_conn *pc = e->conn;

        if (pc->dead)
                return;
        if (pc->state == HEAD)
                read_head(b, pc);
        else if (pc->state == RELAY)
                relay(b, pc);
}

/* Bytes of our own into pipe i (at most a head: always fits an empty pipe). */
static bool put(proxy_conn *pc, int i, const char *data, size_t n) {
        if (n && write(pc->pipe[i][1], data, n) != (ssize_t) n)
                return false;
        pc->len[i] += n;
        return true;
}

void proxy_connected(permit_broker *b, job *j) {
        proxy_conn *pc = j->conn;
        permit_broker_client *c = j->client;
        static const char established[] = "HTTP/1.1 200 Connection established\r\n\r\n";
        char why[sizeof(j->why) + 32];
        int fd = j->fd;

        pc->waiting = false;
        j->fd = -1;
        if (pc->dead || c->gone) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        decided(b, c, &j->req, j->grant, j->error, j->error ? j->why : "");
        if (fd < 0) {
                snprintf(why, sizeof(why), "%s", j->why);
                answer_and_close(b, pc, j->error == ETIMEDOUT ? "504 Gateway Timeout" : "502 Bad Gateway", why);
                return;
        }
        pc->fd[1] = fd;
        if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
                answer_and_close(b, pc, "503 Service Unavailable", "fcntl failed");
                return;
        }
        for (int i = 0; i < 2; i++) {
                int cap;

                if (pipe2(pc->pipe[i], O_NONBLOCK | O_CLOEXEC) < 0) {
                        answer_and_close(b, pc, "503 Service Unavailable", "out of pipes");
                        return;
                }
                (void) fcntl(pc->pipe[i][1], F_SETPIPE_SZ, RELAY_PIPE);
                cap = fcntl(pc->pipe[i][1], F_GETPIPE_SZ);
                pc->cap[i] = cap > 0 ? (size_t) cap : 65536;
        }
        if (pc->req.connect) {
                /* The tunnel's first bytes: our answer; what the client sent after its head follows. */
                if (!put(pc, 1, established, sizeof(established) - 1) ||
                    !put(pc, 0, pc->head + pc->req.head_len, pc->head_n - pc->req.head_len)) {
                        conn_close(b, pc);
                        return;
                }
        } else {
                /* Forward: the request line in origin form, then everything else as sent. */
                const char *head = pc->head;
                size_t method = (size_t) ((const char *) memchr(head, ' ', pc->head_n) - head) + 1;
                size_t target_end = pc->req.line_end - 2 - 9; /* " HTTP/1.x" */
                bool ok = put(pc, 0, head, method);

                if (pc->req.path >= target_end)
                        ok = ok && put(pc, 0, "/", 1);
                else
                        ok = ok && put(pc, 0, head + pc->req.path, target_end - pc->req.path);
                if (!ok || !put(pc, 0, head + target_end, pc->head_n - target_end)) {
                        conn_close(b, pc);
                        return;
                }
        }
        pc->state = RELAY;
        relay(b, pc);
}

void proxy_stop(permit_broker *b, permit_broker_client *c) {
        if (c->proxy_fd >= 0) {
                if (c->accepting)
                        epoll_ctl(b->epfd, EPOLL_CTL_DEL, c->proxy_fd, NULL);
                c->accepting = false;
                close(c->proxy_fd);
                c->proxy_fd = -1;
        }
        for (proxy_conn *pc = b->conns; pc; pc = pc->next)
                if (pc->client == c)
                        conn_close(b, pc);
}

_public_ int permit_broker_add_proxy(permit_broker *b, permit_broker_client *c, int fd) {
        _cleanup_close_ int owned = fd;
        int type = 0, listening = 0, r = 0;
        socklen_t len = sizeof(type);

        if (!b || !c || fd < 0)
                return -EINVAL;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM ||
            (len = sizeof(listening), getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0) || !listening ||
            fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
                return -EINVAL;
        pthread_mutex_lock(&b->lock);
        if (c->gone || c->proxy_fd >= 0)
                r = -EBUSY;
        else if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, fd, &(struct epoll_event) { .events = EPOLLIN, .data.ptr = &c->proxy_kind }) < 0)
                r = negative_errno();
        else {
                c->proxy_fd = steal_fd(&owned);
                c->accepting = true;
        }
        pthread_mutex_unlock(&b->lock);
        return r;
}
