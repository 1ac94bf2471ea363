/* SPDX-License-Identifier: MIT */
/* c-host: a small application that runs the add-ons a user approved, each
 * in its own sandbox, using only libpermit's public headers (build it with
 * `cc host.c jsonrpc.c $(pkg-config --cflags --libs permit)`).
 *
 *   c-host --profile DIR [--event TEXT]... [--heartbeat-ms N] [--addon-output]
 *
 * For every add-on installed in the profile: verify it against the key
 * pinned for it and compute its sandbox from the user's grants
 * (permit_ruleset_for_addon), start it (permit_spawn), then speak
 * newline-delimited JSON-RPC 2.0 with it on the socket: initialize, one
 * handle_event per --event, shutdown. The add-on may call the host's
 * store_data(key, value), which needs the capability host.store_data.
 * A heartbeat (ping) notices a hung add-on, the wall-time watchdog kills
 * one that runs too long; either way the host goes on with the next and
 * says why. Nothing an add-on sends can crash the host: jsonrpc.c parses
 * every line strictly and bounds everything. doc/host-guide.md walks
 * through this file. */
#define _GNU_SOURCE /* strsignal, mkdtemp; -std=c17 hides them */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <permit/addon.h>
#include <permit/enforcer.h>
#include <permit/manifest.h>
#include <permit/store.h>

#include "jsonrpc.h"

#define MAX_BAD_MESSAGES 8   /* then the add-on is stopped */
#define MAX_EVENTS 32
#define MISSED_HEARTBEATS 2  /* pings unanswered before the add-on counts as hung */

typedef struct options {
        const char *profile;
        const char *events[MAX_EVENTS];
        size_t n_events;
        int heartbeat_ms;
        bool addon_output; /* the add-on's stdout and stderr are the host's (for its developer) */
} options;

/* One running add-on. */
typedef struct session {
        const char *id;
        permit_store *store;
        permit_addon_run run;
        permit_child *child;
        int fd;
        long next_id;
        char buf[RPC_LINE_MAX + 2];
        size_t len;
        bool discarding; /* inside a line that was too long */
        int bad;
        rpc_message msg;
} session;

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_line(session *s, const char *line) {
        size_t n = strlen(line), off = 0;

        while (off <= n) {
                /* the line, then its newline */
                const char *p = off < n ? line + off : "\n";
                size_t k = off < n ? n - off : 1;
                ssize_t w = send(s->fd, p, k, MSG_NOSIGNAL);

                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                off += (size_t) w;
        }
        return 0;
}

static int send_request(session *s, const char *method, const char *params, long *ret_id) {
        char line[8192];

        *ret_id = ++s->next_id;
        snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"%s\",\"params\":%s}", *ret_id,
                 method, params);
        return send_line(s, line);
}

static void send_error(session *s, const char *id, int code, const char *message) {
        char line[1024], q[512];

        if (rpc_quote(q, sizeof(q), message) < 0)
                snprintf(q, sizeof(q), "\"error\"");
        snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"id\":%s,\"error\":{\"code\":%d,\"message\":%s}}",
                 id[0] ? id : "null", code, q);
        (void) send_line(s, line);
}

static bool granted(const session *s, const char *capability) {
        size_t n = strlen(capability);

        for (size_t i = 0; i < permit_effective_n_granted(s->run.effective); i++) {
                const char *g = permit_effective_granted(s->run.effective, i);
                if (strncmp(g, capability, n) == 0 && (g[n] == '\0' || g[n] == ':'))
                        return true;
        }
        return false;
}

static void audit(session *s, const char *capability, bool allowed, const char *target) {
        permit_audit_event ev = {
                .kind = allowed ? PERMIT_AUDIT_USE : PERMIT_AUDIT_DENIAL,
                .addon = s->id,
                .capability = capability,
                .target = target,
                .allowed = allowed,
        };

        (void) permit_store_audit_append(s->store, &ev);
}

/* A request from the add-on: the host's API, mediated by capability. */
static void handle_request(session *s, const rpc_message *m) {
        if (strcmp(m->method, "store_data") == 0) {
                const char *key = rpc_member_get(m, "key"), *value = rpc_member_get(m, "value");
                char line[512];

                if (!key || !value) {
                        send_error(s, m->id, -32602, "store_data needs params key and value (strings)");
                        return;
                }
                if (!granted(s, "host.store_data")) {
                        printf("%s: store_data refused: host.store_data is not granted\n", s->id);
                        audit(s, "host.store_data", false, key);
                        send_error(s, m->id, -32001, "not granted: host.store_data");
                        return;
                }
                /* A real host would keep it; this one shows it. */
                printf("%s: stored %.64s = %.200s\n", s->id, key, value);
                audit(s, "host.store_data", true, key);
                snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"stored\":true}}", m->id);
                (void) send_line(s, line);
                return;
        }
        if (strcmp(m->method, "ping") == 0) {
                char line[256];
                snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":\"pong\"}", m->id);
                (void) send_line(s, line);
                return;
        }
        send_error(s, m->id, -32601, "no such method");
}

typedef enum wait_result { GOT_REPLY, ADDON_GONE, ADDON_HUNG, ADDON_UNRULY } wait_result;

/* Reads and handles lines until the response to request want arrives
 * (its message is left in s->msg). The heartbeat: after each silent
 * interval a ping goes out; MISSED_HEARTBEATS silent intervals in a row
 * and the add-on is hung. The wall-time watchdog is permit_child_wait's. */
static wait_result wait_reply(session *s, long want, const options *o) {
        long long last_heard = now_ms();
        int silent = 0;
        char want_id[32];

        snprintf(want_id, sizeof(want_id), "%ld", want);
        for (;;) {
                struct pollfd p[2] = {
                        { .fd = s->fd, .events = POLLIN },
                        { .fd = permit_child_pidfd(s->child), .events = POLLIN },
                };
                int status, r;
                bool killed = false;
                ssize_t k;

                r = poll(p, 2, o->heartbeat_ms);
                if (r < 0 && errno != EINTR)
                        return ADDON_GONE;
                /* the watchdog (wall_seconds) acts inside permit_child_wait */
                if (permit_child_wait(s->child, 0, &status, &killed) == 1) {
                        if (killed)
                                printf("%s: killed by the wall-time watchdog\n", s->id);
                        else if (WIFEXITED(status))
                                printf("%s: exited with status %d\n", s->id, WEXITSTATUS(status));
                        else if (WIFSIGNALED(status))
                                printf("%s: killed by signal %d (%s)\n", s->id, WTERMSIG(status),
                                       strsignal(WTERMSIG(status)));
                        return ADDON_GONE;
                }
                if (r == 0 || !(p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
                        long hb;

                        if (now_ms() - last_heard < o->heartbeat_ms)
                                continue;
                        if (++silent >= MISSED_HEARTBEATS)
                                return ADDON_HUNG;
                        (void) send_request(s, "ping", "{}", &hb);
                        last_heard = now_ms();
                        continue;
                }
                k = recv(s->fd, s->buf + s->len, sizeof(s->buf) - 1 - s->len, 0);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        /* closed its end: wait for the process to say how it ended */
                        (void) permit_child_wait(s->child, 1000, &status, &killed);
                        printf("%s: closed the connection\n", s->id);
                        return ADDON_GONE;
                }
                last_heard = now_ms();
                silent = 0;
                s->len += (size_t) k;
                for (;;) {
                        char *nl = memchr(s->buf, '\n', s->len);
                        const char *problem;
                        size_t n;

                        if (!nl) {
                                if (s->len == sizeof(s->buf) - 1) {
                                        /* a line longer than any message may be: drop it */
                                        s->discarding = true;
                                        s->len = 0;
                                }
                                break;
                        }
                        n = (size_t) (nl - s->buf);
                        if (s->discarding) {
                                s->discarding = false;
                                problem = "line too long";
                                r = -1;
                        } else
                                r = rpc_parse(s->buf, n, &s->msg, &problem);
                        memmove(s->buf, nl + 1, s->len - n - 1);
                        s->len -= n + 1;
                        if (r < 0) {
                                printf("%s: bad message (%s): ignored\n", s->id, problem);
                                send_error(s, "", -32700, problem);
                                if (++s->bad >= MAX_BAD_MESSAGES)
                                        return ADDON_UNRULY;
                                continue;
                        }
                        switch (s->msg.kind) {
                        case RPC_REQUEST:
                                handle_request(s, &s->msg);
                                break;
                        case RPC_NOTIFICATION:
                                break; /* nothing the host listens to */
                        case RPC_RESULT:
                        case RPC_ERROR:
                                if (strcmp(s->msg.id, want_id) == 0)
                                        return GOT_REPLY;
                                break; /* a pong, or a late answer */
                        }
                }
        }
}

/* Sends a request and waits for its answer; says what went wrong. */
static bool call(session *s, const char *method, const char *params, const options *o) {
        wait_result w;
        long id;

        if (send_request(s, method, params, &id) < 0) {
                printf("%s: cannot send %s: the add-on is gone\n", s->id, method);
                return false;
        }
        w = wait_reply(s, id, o);
        switch (w) {
        case GOT_REPLY:
                if (s->msg.kind == RPC_ERROR) {
                        printf("%s: %s failed: %s (%ld)\n", s->id, method, s->msg.error_message, s->msg.error_code);
                        return true;
                }
                return true;
        case ADDON_HUNG:
                printf("%s: hung: no answer to %d heartbeats of %d ms; stopped\n", s->id, MISSED_HEARTBEATS,
                       o->heartbeat_ms);
                return false;
        case ADDON_UNRULY:
                printf("%s: %d bad messages; stopped\n", s->id, MAX_BAD_MESSAGES);
                return false;
        case ADDON_GONE:
                return false;
        }
        return false;
}

static void run_addon(permit_store *store, const char *id, const options *o) {
        static session s; /* one at a time; its line buffer is large */
        char entry[4096], script[4096], tmp[] = "/tmp/c-host.XXXXXX", params[RPC_STRING_MAX + 64], q[RPC_STRING_MAX + 8];
        permit_manifest *m = NULL;
        permit_ruleset *rs = NULL;
        permit_error error = { 0 };
        const char *argv[3] = { NULL };
        permit_paths paths = { 0 };
        bool python;
        int r;

        memset(&s, 0, sizeof(s));
        s.id = id;
        s.store = store;
        /* The entry decides the interpreter; permit_ruleset_for_addon then
         * verifies this package against the pinned key before anything runs. */
        snprintf(entry, sizeof(entry), "%s/addons/%s/permit.json", o->profile, id);
        if (permit_manifest_load(entry, &m, &error) < 0) {
                printf("%s: not installed in this profile: skipped\n", id);
                return;
        }
        snprintf(script, sizeof(script), "%s/addons/%s/%s", o->profile, id, permit_manifest_entry(m));
        python = strlen(script) > 3 && strcmp(script + strlen(script) - 3, ".py") == 0;
        permit_manifest_free(m);
        if (!mkdtemp(tmp)) {
                printf("%s: cannot make a temporary folder: %s\n", id, strerror(errno));
                return;
        }
        paths = (permit_paths) { .tmp = tmp, .home = getenv("HOME"), .entry = python ? "/usr/bin/python3" : NULL };
        r = permit_ruleset_for_addon(store, id, NULL, NULL, &paths, &rs, &s.run, &error);
        if (r < 0) {
                /* tampered, signed by another key, revoked grants, not approved... */
                printf("%s: refused: %s\n", id, error.text[0] ? error.text : strerror(-r));
                goto out;
        }
        argv[0] = python ? "python3" : script;
        argv[1] = python ? script : NULL;
        r = permit_spawn(rs, argv, NULL, o->addon_output ? PERMIT_SPAWN_STDIO : 0, &s.child);
        if (r < 0) {
                printf("%s: cannot start: %s\n", id, strerror(-r));
                goto out;
        }
        s.fd = permit_child_socket(s.child);
        printf("%s: started (pid %d) in its sandbox%s\n", id, (int) permit_child_pid(s.child),
               permit_ruleset_fully_enforced(rs) ? "" : " (not fully enforced on this kernel)");

        if (!call(&s, "initialize", "{\"host\":\"c-host\",\"protocol\":1}", o))
                goto out;
        for (size_t i = 0; i < o->n_events; i++) {
                if (rpc_quote(q, sizeof(q), o->events[i]) < 0)
                        continue;
                snprintf(params, sizeof(params), "{\"event\":%s}", q);
                if (!call(&s, "handle_event", params, o))
                        goto out;
                if (s.msg.kind == RPC_RESULT && rpc_member_get(&s.msg, "reply"))
                        printf("%s: replied: %.200s\n", id, rpc_member_get(&s.msg, "reply"));
        }
        if (call(&s, "shutdown", "{}", o)) {
                int status;
                bool killed;
                /* a second to exit on its own; permit_child_free kills it after */
                if (permit_child_wait(s.child, 1000, &status, &killed) == 1)
                        printf("%s: shut down\n", id);
        }
out:
        permit_child_free(s.child);
        permit_ruleset_free(rs);
        permit_addon_run_clear(&s.run);
        rmdir(tmp); /* empty unless the add-on wrote there */
}

static int usage(int code) {
        fputs("Usage: c-host --profile DIR [--event TEXT]... [--heartbeat-ms N] [--addon-output]\n"
              "Runs every add-on installed and approved in the profile, each in its sandbox.\n",
              code ? stderr : stdout);
        return code;
}

int main(int argc, char **argv) {
        static const struct option longopts[] = {
                { "profile", required_argument, NULL, 'p' },
                { "event", required_argument, NULL, 'e' },
                { "heartbeat-ms", required_argument, NULL, 'b' },
                { "addon-output", no_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        options o = { .heartbeat_ms = 1000 };
        permit_store *store = NULL;
        permit_error error = { 0 };
        char buf[1024];
        int c;

        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) >= 0)
                switch (c) {
                case 'p': o.profile = optarg; break;
                case 'e':
                        if (o.n_events == MAX_EVENTS)
                                return usage(2);
                        o.events[o.n_events++] = optarg;
                        break;
                case 'b':
                        o.heartbeat_ms = atoi(optarg);
                        if (o.heartbeat_ms < 10 || o.heartbeat_ms > 600000)
                                return usage(2);
                        break;
                case 'o': o.addon_output = true; break;
                case 'h': return usage(0);
                default: return usage(2);
                }
        if (!o.profile || optind != argc)
                return usage(2);
        /* an add-on that closes its socket must not kill the host */
        signal(SIGPIPE, SIG_IGN);
        setvbuf(stdout, NULL, _IOLBF, 0);
        c = permit_store_open(o.profile, 0, &store, &error);
        if (c == -ENOENT) {
                printf("c-host: no add-ons in %s\nc-host: done\n", o.profile);
                return 0;
        }
        if (c < 0) {
                fprintf(stderr, "c-host: %s\n", permit_error_string(&error, buf, sizeof(buf)));
                return 2;
        }
        for (size_t i = 0; i < permit_store_n_records(store); i++)
                run_addon(store, permit_record_id(permit_store_record(store, i)), &o);
        printf("c-host: done\n");
        permit_store_free(store);
        return 0;
}
