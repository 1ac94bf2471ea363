/* SPDX-License-Identifier: MIT */
/* The network broker (permit/broker.h): clients (one per add-on, a
 * SOCK_SEQPACKET socket each) are read by permit_broker_dispatch() in the
 * host's thread; a granted request becomes a job for a small pool of
 * worker threads, which resolve and connect (blocking, with a deadline);
 * finished jobs come back through an eventfd and the dispatch answers.
 * So a slow or hostile add-on never stalls the host nor another add-on:
 *  - a client has at most max_pending jobs; past that its socket is not
 *    read (taken out of epoll) until one is done: its sends block;
 *  - garbage and refused requests are answered and counted; past max_bad
 *    the client is cut off and the host told (on_client_gone, abuse);
 *  - a peer closing mid-request: its answer fails to send and its socket
 *    is closed; nothing else notices.
 * Clients removed while events or jobs still point to them are freed only
 * at the end of a dispatch (the "gone" list) or when their last job is done. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "broker-state.h"
#include "permit/capability.h"
#include "util.h"


/* epoll data of the two eventfds (clients, proxy listeners and proxy
 * connections start with their own kind). */
static obj_kind done_marker = OBJ_DONE, stop_marker = OBJ_STOP;

void client_unref(permit_broker_client *c) {
        if (!c || --c->refs > 0)
                return;
        for (size_t i = 0; i < c->n_caps; i++)
                free(c->caps[i]);
        free(c->caps);
        free(c->addon);
        if (c->fd >= 0)
                close(c->fd);
        if (c->proxy_fd >= 0)
                close(c->proxy_fd);
        free(c);
}

static void *worker(void *userdata) {
        permit_broker *b = userdata;

        for (;;) {
                job *j;
                uint64_t one = 1;

                pthread_mutex_lock(&b->lock);
                while (!b->todo && !b->stopping)
                        pthread_cond_wait(&b->work, &b->lock);
                if (b->stopping) {
                        pthread_mutex_unlock(&b->lock);
                        return NULL;
                }
                j = b->todo;
                b->todo = j->next;
                if (!b->todo)
                        b->todo_tail = &b->todo;
                pthread_mutex_unlock(&b->lock);

                j->next = NULL;
                if (j->req.op == BROKER_CONNECT) {
                        unsigned t = b->o.connect_timeout_ms;

                        if (j->req.timeout_ms && j->req.timeout_ms < t)
                                t = j->req.timeout_ms;
                        pthread_rwlock_rdlock(&b->map_lock);
                        j->fd = broker_connect(b->map, b->n_map, j->req.host, j->req.port, t, b->abort_efd, j->why,
                                               sizeof(j->why));
                        pthread_rwlock_unlock(&b->map_lock);
                } else
                        j->fd = broker_listen(j->req.port, j->why, sizeof(j->why));
                if (j->fd < 0) {
                        j->error = -j->fd;
                        j->fd = -1;
                }
                pthread_mutex_lock(&b->lock);
                *b->done_tail = j;
                b->done_tail = &j->next;
                pthread_mutex_unlock(&b->lock);
                (void) !write(b->done_efd, &one, sizeof(one));
        }
}

_public_ int permit_broker_new(const permit_broker_options *o, permit_broker **ret) {
        permit_broker *b;
        sigset_t all, old;
        int r = 0;

        if (!ret)
                return -EINVAL;
        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        if (o)
                b->o = *o;
        if (!b->o.connect_timeout_ms)
                b->o.connect_timeout_ms = DEFAULT_TIMEOUT_MS;
        if (!b->o.max_pending)
                b->o.max_pending = DEFAULT_PENDING;
        if (!b->o.workers)
                b->o.workers = DEFAULT_WORKERS;
        if (!b->o.max_bad)
                b->o.max_bad = DEFAULT_BAD;
        if (b->o.workers > MAX_WORKERS) {
                free(b);
                return -EINVAL;
        }
        b->todo_tail = &b->todo;
        b->done_tail = &b->done;
        b->done_efd = b->stop_efd = b->abort_efd = -1;
        pthread_mutex_init(&b->lock, NULL);
        pthread_cond_init(&b->work, NULL);
        pthread_rwlock_init(&b->map_lock, NULL);
        b->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (b->epfd < 0 || (b->done_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
            (b->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
            (b->abort_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
            epoll_ctl(b->epfd, EPOLL_CTL_ADD, b->done_efd,
                      &(struct epoll_event) { .events = EPOLLIN, .data.ptr = &done_marker }) < 0) {
                r = negative_errno();
                permit_broker_free(b);
                return r;
        }
        /* Workers take no signal of the host's. */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        for (; b->n_workers < b->o.workers; b->n_workers++) {
                r = -pthread_create(&b->workers[b->n_workers], NULL, worker, b);
                if (r < 0)
                        break;
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
                permit_broker_free(b);
                return r;
        }
        *ret = b;
        return 0;
}

static void free_jobs(job *j) {
        while (j) {
                job *next = j->next;

                if (j->fd >= 0)
                        close(j->fd);
                client_unref(j->client);
                free(j);
                j = next;
        }
}

_public_ void permit_broker_free(permit_broker *b) {
        uint64_t one = 1;

        if (!b)
                return;
        pthread_mutex_lock(&b->lock);
        b->stopping = true;
        pthread_cond_broadcast(&b->work);
        pthread_mutex_unlock(&b->lock);
        if (b->abort_efd >= 0)
                (void) !write(b->abort_efd, &one, sizeof(one)); /* abandons connects being made */
        for (unsigned i = 0; i < b->n_workers; i++)
                pthread_join(b->workers[i], NULL);
        free_jobs(b->todo);
        free_jobs(b->done);
        while (b->clients) {
                permit_broker_client *c = b->clients;

                b->clients = c->next;
                proxy_stop(b, c);
                c->gone = true;
                client_unref(c);
        }
        proxy_free_dead(b);
        while (b->gone) {
                permit_broker_client *c = b->gone;

                b->gone = c->next;
                client_unref(c);
        }
        for (size_t i = 0; i < b->n_map; i++)
                free(b->map[i].host);
        free(b->map);
        if (b->epfd >= 0)
                close(b->epfd);
        if (b->done_efd >= 0)
                close(b->done_efd);
        if (b->stop_efd >= 0)
                close(b->stop_efd);
        if (b->abort_efd >= 0)
                close(b->abort_efd);
        pthread_mutex_destroy(&b->lock);
        pthread_cond_destroy(&b->work);
        pthread_rwlock_destroy(&b->map_lock);
        free(b);
}

_public_ int permit_broker_resolve_add(permit_broker *b, const char *host_eq_ip) {
        char check[BROKER_HOST_MAX + 16];
        permit_error e = { 0 };
        resolve_entry re;
        resolve_entry *m;
        int r;

        if (!b || !host_eq_ip)
                return -EINVAL;
        r = broker_parse_resolve(host_eq_ip, &re);
        if (r < 0)
                return r;
        snprintf(check, sizeof(check), "net.connect:%s", re.host);
        if (permit_capability_check(check, &e) < 0 || broker_host_is_ip(re.host) || strchr(re.host, '*')) {
                free(re.host);
                return -EINVAL;
        }
        pthread_rwlock_wrlock(&b->map_lock);
        m = reallocarray(b->map, b->n_map + 1, sizeof(*m));
        if (m) {
                b->map = m;
                b->map[b->n_map++] = re;
        }
        pthread_rwlock_unlock(&b->map_lock);
        if (!m) {
                free(re.host);
                return -ENOMEM;
        }
        return 0;
}

int watch(permit_broker_client *c, bool on) {
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

        if (c->watched == on)
                return 0;
        if (epoll_ctl(c->broker->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, c->fd, &ev) < 0)
                return negative_errno();
        c->watched = on;
        return 0;
}

_public_ int permit_broker_add_client(permit_broker *b, const char *addon, const char *const *capabilities, size_t n,
                                      int fd, permit_broker_client **ret) {
        _cleanup_close_ int owned = fd;
        permit_broker_client *c;
        permit_error e = { 0 };
        int type = 0, domain = 0, r;
        socklen_t len = sizeof(type);

        if (!b || !addon || !*addon || strlen(addon) > 255 || (n && !capabilities) || fd < 0)
                return -EINVAL;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_SEQPACKET ||
            (len = sizeof(domain), getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) || domain != AF_UNIX)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!capabilities[i] || permit_capability_check(capabilities[i], &e) < 0)
                        return -EINVAL;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->kind = OBJ_CLIENT;
        c->proxy_kind = OBJ_PROXY_LISTENER;
        c->proxy_fd = -1;
        c->broker = b;
        c->refs = 1;
        c->fd = steal_fd(&owned);
        c->addon = strdup(addon);
        c->caps = calloc(n ? n : 1, sizeof(char *));
        if (!c->addon || !c->caps) {
                client_unref(c);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                /* Only what the broker serves is kept. */
                if (!startswith(capabilities[i], "net.connect:") && !startswith(capabilities[i], "net.listen:"))
                        continue;
                if (!(c->caps[c->n_caps++] = strdup(capabilities[i]))) {
                        client_unref(c);
                        return -ENOMEM;
                }
        }
        pthread_mutex_lock(&b->lock);
        r = watch(c, true);
        if (r >= 0) {
                c->next = b->clients;
                b->clients = c;
        }
        pthread_mutex_unlock(&b->lock);
        if (r < 0) {
                client_unref(c);
                return r;
        }
        if (ret)
                *ret = c;
        return 0;
}

/* Under the lock: stop serving c; freed at the end of this dispatch (or
 * when its last job is done). */
static void retire(permit_broker *b, permit_broker_client *c) {
        permit_broker_client **p;

        if (c->gone)
                return;
        for (p = &b->clients; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        break;
                }
        (void) watch(c, false);
        close(c->fd);
        c->fd = -1;
        proxy_stop(b, c);
        c->gone = true;
        c->next = b->gone;
        b->gone = c;
}

static void free_gone(permit_broker *b) {
        proxy_free_dead(b);
        while (b->gone) {
                permit_broker_client *c = b->gone;

                b->gone = c->next;
                client_unref(c);
        }
}

_public_ void permit_broker_remove_client(permit_broker *b, permit_broker_client *c) {
        if (!b || !c)
                return;
        pthread_mutex_lock(&b->lock);
        retire(b, c);
        if (!b->thread_running)
                free_gone(b);
        pthread_mutex_unlock(&b->lock);
}

_public_ const char *permit_broker_client_addon(const permit_broker_client *c) {
        return c ? c->addon : NULL;
}

_public_ int permit_broker_fd(const permit_broker *b) {
        return b ? b->epfd : -EINVAL;
}

/* The audit record and the host's callback for one decision. */
void decided(permit_broker *b, permit_broker_client *c, const broker_request *req, int grant, int error,
                    const char *reason) {
        char target[BROKER_HOST_MAX + 16];
        const char *cap = grant >= 0 ? c->caps[grant] : NULL;

        if (req && req->op == BROKER_CONNECT)
                snprintf(target, sizeof(target), "%s:%u", req->host, req->port);
        else if (req)
                snprintf(target, sizeof(target), "127.0.0.1:%u", req->port);
        else
                snprintf(target, sizeof(target), "(bad request)");
        if (b->o.audit)
                (void) permit_store_audit_append(b->o.audit, &(permit_audit_event) {
                                                                     .kind = cap ? PERMIT_AUDIT_USE : PERMIT_AUDIT_DENIAL,
                                                                     .addon = c->addon,
                                                                     .capability = cap,
                                                                     .target = target,
                                                                     .allowed = cap != NULL,
                                                             });
        if (b->o.on_decision)
                b->o.on_decision(b->o.userdata,
                                 &(permit_broker_decision) {
                                         .addon = c->addon,
                                         .operation = !req ? "invalid" : req->op == BROKER_CONNECT ? "connect" : "listen",
                                         .host = req && req->op == BROKER_CONNECT ? req->host : NULL,
                                         .port = req ? req->port : 0,
                                         .capability = cap,
                                         .allowed = cap != NULL && error == 0,
                                         .error = error,
                                         .reason = reason ? reason : "",
                                 });
}

static void cut_off(permit_broker *b, permit_broker_client *c, bool abuse) {
        if (c->gone)
                return;
        if (b->o.on_client_gone)
                b->o.on_client_gone(b->o.userdata, c, abuse);
        retire(b, c);
}

static void refuse(permit_broker *b, permit_broker_client *c, const broker_request *req, uint32_t id, int error,
                   const char *reason) {
        char msg[PERMIT_BROKER_MAX_MESSAGE + 1];
        int n = broker_format_err(msg, sizeof(msg), id, error, reason);

        decided(b, c, req, -1, error, reason);
        if (n > 0 && broker_send(c->fd, msg, (size_t) n, -1) < 0) {
                cut_off(b, c, false);
                return;
        }
        if (++c->bad > b->o.max_bad)
                cut_off(b, c, true);
}

/* One request read from c. */
static void handle_request(permit_broker *b, permit_broker_client *c, const char *msg, size_t n) {
        broker_request req;
        char why[BROKER_HOST_MAX + 160];
        int grant;

        if (broker_parse_request(msg, n, &req, why, sizeof(why)) < 0) {
                refuse(b, c, NULL, req.id, EINVAL, why);
                return;
        }
        if (req.op == BROKER_CONNECT)
                grant = permit_broker_match_connect((const char *const *) c->caps, c->n_caps, req.host, req.port);
        else
                grant = permit_broker_match_listen((const char *const *) c->caps, c->n_caps, req.port);
        if (grant == -EINVAL) {
                snprintf(why, sizeof(why), "'%s' is not a valid host name or address", req.host);
                refuse(b, c, &req, req.id, EINVAL, why);
                return;
        }
        if (grant < 0) {
                if (req.op == BROKER_LISTEN)
                        snprintf(why, sizeof(why), "net.listen:%u is not granted", req.port);
                else if (broker_host_is_ip(req.host))
                        snprintf(why, sizeof(why), "net.connect:%s:%u is not granted (an address is allowed only "
                                 "when that address itself is granted)", req.host, req.port);
                else
                        snprintf(why, sizeof(why), "net.connect:%s:%u is not granted", req.host, req.port);
                refuse(b, c, &req, req.id, EACCES, why);
                return;
        }
        if (enqueue(b, c, &req, grant, NULL) < 0) {
                refuse(b, c, &req, req.id, ENOMEM, "out of memory");
                return;
        }
        if (c->pending >= b->o.max_pending)
                (void) watch(c, false); /* throttled until a job is done */
}

int enqueue(permit_broker *b, permit_broker_client *c, const broker_request *req, int grant, struct proxy_conn *conn) {
        job *j = calloc(1, sizeof(*j));

        if (!j)
                return -ENOMEM;
        j->req = *req;
        j->grant = grant;
        j->fd = -1;
        j->client = c;
        j->conn = conn;
        c->refs++;
        if (!conn)
                c->pending++;
        *b->todo_tail = j;
        b->todo_tail = &j->next;
        pthread_cond_signal(&b->work);
        return 0;
}

/* Reads what c sent, up to its free job slots. */
static int read_client(permit_broker *b, permit_broker_client *c) {
        int handled = 0;

        while (!c->gone && c->pending < b->o.max_pending) {
                char buf[PERMIT_BROKER_MAX_MESSAGE + 1];
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(int) * 8)];
                } control;
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                                     .msg_controllen = sizeof(control.buf) };
                ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        break;
                if (n <= 0) {
                        cut_off(b, c, false); /* closed (or broken) by the add-on */
                        break;
                }
                /* Descriptors the add-on sent: never kept. */
                for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h))
                        if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
                                for (size_t k = 0; k < (h->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
                                        int fd;

                                        memcpy(&fd, CMSG_DATA(h) + k * sizeof(int), sizeof(int));
                                        close(fd);
                                }
                handled++;
                if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
                        refuse(b, c, NULL, 0, EINVAL, "request too long, or with descriptors");
                else
                        handle_request(b, c, buf, (size_t) n);
        }
        return handled;
}

/* Answers every finished job. */
static int answer_done(permit_broker *b) {
        uint64_t v;
        job *list;
        int handled = 0;

        (void) !read(b->done_efd, &v, sizeof(v));
        list = b->done;
        b->done = NULL;
        b->done_tail = &b->done;
        while (list) {
                job *j = list;
                permit_broker_client *c = j->client;
                char msg[PERMIT_BROKER_MAX_MESSAGE + 1];
                int n;

                list = j->next;
                handled++;
                if (j->conn) {
                        proxy_connected(b, j);
                        client_unref(c);
                        free(j);
                        continue;
                }
                c->pending--;
                if (!c->gone) {
                        decided(b, c, &j->req, j->grant, j->error, j->error ? j->why : "");
                        n = j->fd >= 0 ? broker_format_ok(msg, sizeof(msg), j->req.id)
                                       : broker_format_err(msg, sizeof(msg), j->req.id, j->error, j->why);
                        /* A peer gone mid-request, or not reading its answers. */
                        if (n < 0 || broker_send(c->fd, msg, (size_t) n, j->fd) < 0)
                                cut_off(b, c, false);
                        else if (c->pending < b->o.max_pending && watch(c, true) == 0)
                                handled += read_client(b, c); /* what waited while throttled */
                }
                if (j->fd >= 0)
                        close(j->fd);
                client_unref(c);
                free(j);
        }
        return handled;
}

_public_ int permit_broker_dispatch(permit_broker *b, int timeout_ms) {
        struct epoll_event ev[16];
        int n, handled = 0;

        if (!b)
                return -EINVAL;
        n = epoll_wait(b->epfd, ev, (int) ELEMENTSOF(ev), timeout_ms);
        if (n < 0)
                return errno == EINTR ? 0 : negative_errno();
        pthread_mutex_lock(&b->lock);
        for (int i = 0; i < n; i++) {
                void *p = ev[i].data.ptr;

                switch (*(obj_kind *) p) {
                case OBJ_DONE:
                        handled += answer_done(b);
                        break;
                case OBJ_STOP:
                        break;
                case OBJ_CLIENT:
                        if (!((permit_broker_client *) p)->gone)
                                handled += read_client(b, p);
                        break;
                case OBJ_PROXY_LISTENER: {
                        permit_broker_client *c =
                                (permit_broker_client *) ((char *) p - offsetof(permit_broker_client, proxy_kind));

                        if (!c->gone)
                                proxy_accept(b, c);
                        handled++;
                        break;
                }
                case OBJ_PROXY_END:
                        proxy_event(b, p, ev[i].events);
                        handled++;
                        break;
                }
        }
        free_gone(b);
        pthread_mutex_unlock(&b->lock);
        return handled;
}

static void *thread_main(void *userdata) {
        permit_broker *b = userdata;

        for (;;) {
                bool stop;

                pthread_mutex_lock(&b->lock);
                stop = b->thread_stop;
                pthread_mutex_unlock(&b->lock);
                if (stop)
                        return NULL;
                if (permit_broker_dispatch(b, -1) < 0)
                        return NULL;
        }
}

_public_ int permit_broker_thread_start(permit_broker *b) {
        sigset_t all, old;
        int r;

        if (!b)
                return -EINVAL;
        pthread_mutex_lock(&b->lock);
        if (b->thread_running) {
                pthread_mutex_unlock(&b->lock);
                return -EBUSY;
        }
        b->thread_stop = false;
        r = epoll_ctl(b->epfd, EPOLL_CTL_ADD, b->stop_efd,
                      &(struct epoll_event) { .events = EPOLLIN, .data.ptr = &stop_marker }) < 0
                    ? negative_errno()
                    : 0;
        if (r == 0) {
                sigfillset(&all);
                pthread_sigmask(SIG_SETMASK, &all, &old);
                r = -pthread_create(&b->thread, NULL, thread_main, b);
                pthread_sigmask(SIG_SETMASK, &old, NULL);
                if (r < 0)
                        epoll_ctl(b->epfd, EPOLL_CTL_DEL, b->stop_efd, NULL);
        }
        b->thread_running = r == 0;
        pthread_mutex_unlock(&b->lock);
        return r;
}

_public_ int permit_broker_thread_stop(permit_broker *b) {
        uint64_t one = 1, v;

        if (!b)
                return -EINVAL;
        pthread_mutex_lock(&b->lock);
        if (!b->thread_running) {
                pthread_mutex_unlock(&b->lock);
                return -ESRCH;
        }
        b->thread_stop = true;
        pthread_mutex_unlock(&b->lock);
        (void) !write(b->stop_efd, &one, sizeof(one));
        pthread_join(b->thread, NULL);
        pthread_mutex_lock(&b->lock);
        epoll_ctl(b->epfd, EPOLL_CTL_DEL, b->stop_efd, NULL);
        (void) !read(b->stop_efd, &v, sizeof(v));
        b->thread_running = false;
        free_gone(b);
        pthread_mutex_unlock(&b->lock);
        return 0;
}
