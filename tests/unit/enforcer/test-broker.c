/* SPDX-License-Identifier: MIT */
/* The network broker (permit/broker.h): the grant matcher, the wire parser
 * and formatter, the resolve map, every public function's errors, and the
 * broker itself on loopback (127.0.0.2, 127.0.0.3, ::1, named through the
 * resolve map): granted connections, refusals, the audit log, and hostile
 * clients (garbage, descriptors, floods, a peer closing mid-request). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "enforcer/broker-private.h"
#include "permit/addon-net.h"
#include "permit/broker.h"
#include "permit/enforcer.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the matcher --------------------------------------------------------- */

static void test_match_connect(void **state) {
        const char *caps[] = { "fs.read:/tmp", "net.connect:api.example.com:443", "net.connect:*.example.org",
                               "net.connect:127.0.0.5:80", "net.connect:[::1]:8080", "net.listen:8080" };
        const char *any[] = { "net.connect:*" };
        const char *any443[] = { "net.connect:*:443" };

        assert_int_equal(permit_broker_match_connect(caps, N(caps), "api.example.com", 443), 1);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "API.Example.COM", 443), 1);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "api.example.com", 80), -EACCES);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "www.example.com", 443), -EACCES);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "example.com", 443), -EACCES);
        /* *.example.org: subdomains, any port; never the domain itself nor evil-example.org */
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "www.example.org", 1), 2);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "a.b.example.org", 65535), 2);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "example.org", 443), -EACCES);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "evil-example.org", 443), -EACCES);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "example.org.evil.com", 443), -EACCES);
        /* literal addresses: only the one granted */
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "127.0.0.5", 80), 3);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "127.0.0.5", 81), -EACCES);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "127.0.0.1", 80), -EACCES);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "::1", 8080), 4);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "[::1]", 8080), 4);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "::1", 443), -EACCES);
        /* * allows every name, never an address */
        assert_int_equal(permit_broker_match_connect(any, 1, "anything.example.net", 5), 0);
        assert_int_equal(permit_broker_match_connect(any, 1, "127.0.0.1", 80), -EACCES);
        assert_int_equal(permit_broker_match_connect(any, 1, "::1", 80), -EACCES);
        assert_int_equal(permit_broker_match_connect(any443, 1, "x.example.net", 443), 0);
        assert_int_equal(permit_broker_match_connect(any443, 1, "x.example.net", 80), -EACCES);
        /* errors */
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "bad_name.example.com", 443), -EINVAL);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "api.example.com.", 443), -EINVAL);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "*.example.org", 443), -EINVAL);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "", 443), -EINVAL);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), NULL, 443), -EINVAL);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "api.example.com", 0), -EINVAL);
        assert_int_equal(permit_broker_match_connect(caps, N(caps), "api.example.com", 65536), -EINVAL);
        assert_int_equal(permit_broker_match_connect(NULL, 1, "api.example.com", 443), -EINVAL);
        assert_int_equal(permit_broker_match_connect(NULL, 0, "api.example.com", 443), -EACCES);
}

static void test_match_listen(void **state) {
        const char *caps[] = { "net.connect:api.example.com:8080", "net.listen:8080" };

        assert_int_equal(permit_broker_match_listen(caps, N(caps), 8080), 1);
        assert_int_equal(permit_broker_match_listen(caps, N(caps), 8081), -EACCES);
        assert_int_equal(permit_broker_match_listen(caps, 1, 8080), -EACCES);
        assert_int_equal(permit_broker_match_listen(caps, N(caps), 0), -EINVAL);
        assert_int_equal(permit_broker_match_listen(caps, N(caps), 70000), -EINVAL);
        assert_int_equal(permit_broker_match_listen(NULL, 2, 8080), -EINVAL);
}

/* ---- the wire format ----------------------------------------------------- */

static int parse(const char *s, broker_request *r) {
        char why[256];

        return broker_parse_request(s, strlen(s), r, why, sizeof(why));
}

static void test_parse(void **state) {
        static const char *const bad[] = {
                "", " ", "CONNECT", "CONNECT 1", "CONNECT 1 a.example.com", "CONNECT 1 a.example.com 0",
                "CONNECT 1 a.example.com 65536", "CONNECT 1 a.example.com 080", "CONNECT 1 a.example.com 8x",
                "CONNECT 01 a.example.com 80", "CONNECT 12345678901 a.example.com 80", "CONNECT 4294967296 a.b 80",
                "CONNECT -1 a.example.com 80", "CONNECT 1 a.example.com 80 0", "CONNECT 1 a.example.com 80 3600001",
                "CONNECT 1 a.example.com 80 5 6", "CONNECT 1 a.example.com 80 ", "CONNECT  1 a.example.com 80",
                "CONNECT 1 a.example.com\t80", "CONNECT 1 a.example.com 80\n", "connect 1 a.example.com 80",
                "LISTEN 1", "LISTEN 1 80 5", "LISTEN x 80", "GET / HTTP/1.1", "CONNECTX 1 a.b 80",
                "CONNECT 1 caf\xc3\xa9.example.com 80",
        };
        char longhost[400], msg[600];
        broker_request r;

        assert_int_equal(parse("CONNECT 7 API.example.com 443", &r), 0);
        assert_int_equal(r.op, BROKER_CONNECT);
        assert_int_equal(r.id, 7);
        assert_string_equal(r.host, "api.example.com");
        assert_int_equal(r.port, 443);
        assert_int_equal(r.timeout_ms, 0);
        assert_int_equal(parse("CONNECT 4294967295 [::1] 1 2500", &r), 0);
        assert_int_equal(r.id, 4294967295u);
        assert_string_equal(r.host, "[::1]");
        assert_int_equal(r.timeout_ms, 2500);
        assert_int_equal(parse("LISTEN 0 65535", &r), 0);
        assert_int_equal(r.op, BROKER_LISTEN);
        assert_int_equal(r.port, 65535);
        assert_string_equal(r.host, "");
        for (size_t i = 0; i < N(bad); i++) {
                if (parse(bad[i], &r) != -EINVAL)
                        fail_msg("parsed: '%s'", bad[i]);
        }
        /* the id is kept when it parsed, for the refusal */
        assert_int_equal(parse("CONNECT 9 a.example.com 0", &r), -EINVAL);
        assert_int_equal(r.id, 9);
        /* a NUL inside, lengths */
        assert_int_equal(broker_parse_request("LISTEN 1 8\0", 11, &r, longhost, sizeof(longhost)), -EINVAL);
        memset(longhost, 'a', 254);
        longhost[254] = '\0';
        snprintf(msg, sizeof(msg), "CONNECT 1 %s 80", longhost);
        assert_int_equal(parse(msg, &r), -EINVAL);
        longhost[253] = '\0';
        snprintf(msg, sizeof(msg), "CONNECT 1 %s 80", longhost);
        assert_int_equal(parse(msg, &r), 0);
        memset(msg, 'A', sizeof(msg) - 1);
        msg[sizeof(msg) - 1] = '\0';
        assert_int_equal(parse(msg, &r), -EINVAL);
}

static void test_format(void **state) {
        char buf[PERMIT_BROKER_MAX_MESSAGE + 1], small[8];
        char reason[2000];

        assert_int_equal(broker_format_ok(buf, sizeof(buf), 42), 5);
        assert_string_equal(buf, "OK 42");
        assert_int_equal(broker_format_ok(small, 4, 4242), -ENOBUFS);
        assert_true(broker_format_err(buf, sizeof(buf), 3, EACCES, "not\ngranted\x7f") > 0);
        assert_string_equal(buf, "ERR 3 13 not granted ");
        assert_true(broker_format_err(buf, sizeof(buf), 3, 0, NULL) > 0);
        assert_string_equal(buf, "ERR 3 5 ");
        assert_int_equal(broker_format_err(small, sizeof(small), 123456, EACCES, "x"), -ENOBUFS);
        memset(reason, 'r', sizeof(reason) - 1);
        reason[sizeof(reason) - 1] = '\0';
        assert_int_equal(broker_format_err(buf, sizeof(buf), 1, EACCES, reason), PERMIT_BROKER_MAX_MESSAGE);
        assert_int_equal(strlen(buf), PERMIT_BROKER_MAX_MESSAGE);
}

static void test_parse_resolve(void **state) {
        static const char *const bad[] = { "", "=", "a.example.com", "a.example.com=", "=127.0.0.1",
                                           "a.example.com=localhost", "a.example.com=127.0.0.256",
                                           "a.example.com=[::1", "a.example.com=1.2.3.4.5" };
        resolve_entry e;

        assert_int_equal(broker_parse_resolve("API.example.com=127.0.0.2", &e), 0);
        assert_string_equal(e.host, "api.example.com");
        assert_int_equal(e.addr.ss_family, AF_INET);
        free(e.host);
        assert_int_equal(broker_parse_resolve("v6.example.com=::1", &e), 0);
        assert_int_equal(e.addr.ss_family, AF_INET6);
        free(e.host);
        assert_int_equal(broker_parse_resolve("v6.example.com=[::1]", &e), 0);
        assert_int_equal(e.addr.ss_family, AF_INET6);
        free(e.host);
        for (size_t i = 0; i < N(bad); i++)
                if (broker_parse_resolve(bad[i], &e) != -EINVAL)
                        fail_msg("parsed: '%s'", bad[i]);
        assert_int_equal(broker_parse_resolve(NULL, &e), -EINVAL);
}

/* ---- proxy mode's HTTP heads ------------------------------------------------ */

static int head(const char *s, http_request *r) {
        char why[512];

        return broker_parse_http_head(s, strlen(s), r, why, sizeof(why));
}

static void test_http_head(void **state) {
        static const char *const bad[] = {
                "CONNECT api.example.com HTTP/1.1\r\n\r\n",              /* no port */
                "CONNECT api.example.com:0 HTTP/1.1\r\n\r\n",
                "CONNECT api.example.com:443 HTTP/2.0\r\n\r\n",
                "CONNECT api.example.com:443\r\n\r\n",
                "GET /relative HTTP/1.1\r\nHost: api.example.com\r\n\r\n", /* not a proxy request */
                "GET https://api.example.com/ HTTP/1.1\r\nHost: api.example.com\r\n\r\n",
                "GET http://api.example.com/ HTTP/1.1\r\n\r\n",           /* no Host */
                "GET http://api.example.com/ HTTP/1.1\r\nHost: evil.example.com\r\n\r\n",
                "GET http://api.example.com/ HTTP/1.1\r\nHost: api.example.com:8080\r\n\r\n",
                "GET http://api.example.com/ HTTP/1.1\r\nHost: api.example.com\r\nHost: evil.example.com\r\n\r\n",
                "CONNECT api.example.com:443 HTTP/1.1\r\nHost: evil.example.com:443\r\n\r\n",
                "GET http://user@evil.example.com@api.example.com/ HTTP/1.1\r\nHost: api.example.com\r\n\r\n",
                "get http://api.example.com/ HTTP/1.1\r\nHost: api.example.com\r\n\r\n",
                "GET http://api.example.com/ HTTP/1.1\r\nHost: api.example.com\rX: y\r\n\r\n",
        };
        char big[BROKER_HTTP_HEAD_MAX + 16];
        http_request r;

        assert_int_equal(head("CONNECT API.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\nTLS", &r), 0);
        assert_true(r.connect);
        assert_string_equal(r.host, "api.example.com");
        assert_int_equal(r.port, 443);
        assert_int_equal(r.head_len, strlen("CONNECT API.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n"));
        assert_int_equal(head("CONNECT [::1]:8443 HTTP/1.0\r\n\r\n", &r), 0);
        assert_string_equal(r.host, "[::1]");
        assert_int_equal(head("GET http://api.example.com/a?b HTTP/1.1\r\nhost:  API.example.com \r\n\r\n", &r), 0);
        assert_false(r.connect);
        assert_int_equal(r.port, 80);
        assert_int_equal(r.path, 26); /* "GET http://api.example.com" */
        assert_int_equal(head("POST http://api.example.com:8080 HTTP/1.1\r\nHost: api.example.com:8080\r\n\r\n", &r), 0);
        assert_int_equal(r.port, 8080);
        assert_int_equal(head("GET http://api.example.com/ HTTP/1.1\r\nHost: api", &r), -EAGAIN);
        for (size_t i = 0; i < N(bad); i++)
                if (head(bad[i], &r) != -EINVAL)
                        fail_msg("parsed: '%s'", bad[i]);
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(head(big, &r), -EINVAL);
}

/* ---- the public functions' errors ----------------------------------------- */

static int seqpacket(int sv[2]) {
        return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

static void test_api_errors(void **state) {
        const char *caps[] = { "net.connect:api.example.com" };
        const char *badcaps[] = { "net.connect:" };
        permit_broker *b = NULL;
        int sv[2];

        assert_int_equal(permit_broker_new(NULL, NULL), -EINVAL);
        assert_int_equal(permit_broker_new(&(permit_broker_options) { .workers = 65 }, &b), -EINVAL);
        assert_int_equal(permit_broker_new(NULL, &b), 0);

        assert_int_equal(permit_broker_resolve_add(NULL, "a.example.com=127.0.0.1"), -EINVAL);
        assert_int_equal(permit_broker_resolve_add(b, NULL), -EINVAL);
        assert_int_equal(permit_broker_resolve_add(b, "a.example.com"), -EINVAL);
        assert_int_equal(permit_broker_resolve_add(b, "bad_name=127.0.0.1"), -EINVAL);
        assert_int_equal(permit_broker_resolve_add(b, "127.0.0.1=127.0.0.2"), -EINVAL);
        assert_int_equal(permit_broker_resolve_add(b, "*.example.com=127.0.0.2"), -EINVAL);
        assert_int_equal(permit_broker_resolve_add(b, "a.example.com=nowhere"), -EINVAL);
        assert_int_equal(permit_broker_resolve_add(b, "a.example.com=127.0.0.1"), 0);

        assert_int_equal(permit_broker_add_client(NULL, "x", caps, 1, -1, NULL), -EINVAL);
        assert_int_equal(permit_broker_add_client(b, "x", caps, 1, -1, NULL), -EINVAL);
        assert_int_equal(seqpacket(sv), 0);
        assert_int_equal(permit_broker_add_client(b, NULL, caps, 1, sv[0], NULL), -EINVAL);
        assert_int_equal(fcntl(sv[0], F_GETFD), -1); /* owned, closed */
        close(sv[1]);
        assert_int_equal(seqpacket(sv), 0);
        assert_int_equal(permit_broker_add_client(b, "x", badcaps, 1, sv[0], NULL), -EINVAL);
        close(sv[1]);
        assert_int_equal(seqpacket(sv), 0);
        assert_int_equal(permit_broker_add_client(b, "x", NULL, 1, sv[0], NULL), -EINVAL);
        close(sv[1]);
        /* a stream socket, a file: not a broker socket */
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        assert_int_equal(permit_broker_add_client(b, "x", caps, 1, sv[0], NULL), -EINVAL);
        close(sv[1]);
        assert_int_equal(permit_broker_add_client(b, "x", caps, 1, open("/dev/null", O_RDONLY | O_CLOEXEC), NULL),
                         -EINVAL);

        assert_int_equal(permit_broker_fd(NULL), -EINVAL);
        assert_true(permit_broker_fd(b) >= 0);
        assert_int_equal(permit_broker_dispatch(NULL, 0), -EINVAL);
        assert_int_equal(permit_broker_dispatch(b, 0), 0);
        assert_int_equal(permit_broker_thread_start(NULL), -EINVAL);
        assert_int_equal(permit_broker_thread_stop(NULL), -EINVAL);
        assert_int_equal(permit_broker_thread_stop(b), -ESRCH);
        assert_int_equal(permit_broker_thread_start(b), 0);
        assert_int_equal(permit_broker_thread_start(b), -EBUSY);
        assert_int_equal(permit_broker_thread_stop(b), 0);
        assert_null(permit_broker_client_addon(NULL));
        assert_int_equal(permit_broker_add_proxy(NULL, NULL, -1), -EINVAL);
        permit_broker_remove_client(b, NULL);
        permit_broker_remove_client(NULL, NULL);
        permit_broker_free(b);
        permit_broker_free(NULL);
}

/* ---- the broker on loopback ------------------------------------------------ */

typedef struct fixture {
        char dir[64];
        permit_store *store;
        permit_broker *broker;
        int listener2, listener3, listener6; /* 127.0.0.2, 127.0.0.3, ::1 */
        unsigned port2, port3, port6, closed_port;
        unsigned decisions, refusals, gone, abuse;
} fixture;

static int tcp_listener(int family, const char *addr, unsigned *port) {
        struct sockaddr_storage ss = { 0 };
        socklen_t len;
        int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

        assert_true(fd >= 0);
        if (family == AF_INET) {
                struct sockaddr_in *in = (struct sockaddr_in *) &ss;

                in->sin_family = AF_INET;
                assert_int_equal(inet_pton(AF_INET, addr, &in->sin_addr), 1);
                len = sizeof(*in);
        } else {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &ss;

                in6->sin6_family = AF_INET6;
                assert_int_equal(inet_pton(AF_INET6, addr, &in6->sin6_addr), 1);
                len = sizeof(*in6);
        }
        assert_int_equal(bind(fd, (struct sockaddr *) &ss, len), 0);
        assert_int_equal(listen(fd, 512), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &ss, &len), 0);
        *port = ntohs(family == AF_INET ? ((struct sockaddr_in *) &ss)->sin_port
                                        : ((struct sockaddr_in6 *) &ss)->sin6_port);
        return fd;
}

static void on_decision(void *userdata, const permit_broker_decision *d) {
        fixture *f = userdata;

        f->decisions++;
        if (!d->allowed)
                f->refusals++;
        assert_non_null(d->reason);
        assert_string_equal(d->addon, "org.example.net");
}

static void on_gone(void *userdata, permit_broker_client *c, bool abuse) {
        fixture *f = userdata;

        f->gone++;
        if (abuse)
                f->abuse++;
}

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        char spec[64];
        int fd;
        permit_error e = { 0 };

        snprintf(f->dir, sizeof(f->dir), "/tmp/permit-broker-test.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        assert_int_equal(permit_store_open(f->dir, PERMIT_STORE_CREATE, &f->store, &e), 0);
        f->listener2 = tcp_listener(AF_INET, "127.0.0.2", &f->port2);
        f->listener3 = tcp_listener(AF_INET, "127.0.0.3", &f->port3);
        f->listener6 = tcp_listener(AF_INET6, "::1", &f->port6);
        /* A port nothing listens on: bound, never listening. */
        fd = tcp_listener(AF_INET, "127.0.0.3", &f->closed_port);
        close(fd);
        assert_int_equal(permit_broker_new(&(permit_broker_options) { .audit = f->store, .on_decision = on_decision,
                                                                      .on_client_gone = on_gone, .userdata = f,
                                                                      .max_bad = 8 },
                                           &f->broker),
                         0);
        assert_int_equal(permit_broker_resolve_add(f->broker, "api.example.com=127.0.0.2"), 0);
        assert_int_equal(permit_broker_resolve_add(f->broker, "other.example.com=127.0.0.3"), 0);
        assert_int_equal(permit_broker_resolve_add(f->broker, "evil-example.com=127.0.0.3"), 0);
        assert_int_equal(permit_broker_resolve_add(f->broker, "www.example.com=127.0.0.2"), 0);
        assert_int_equal(permit_broker_resolve_add(f->broker, "v6.example.com=::1"), 0);
        snprintf(spec, sizeof(spec), "down.example.com=127.0.0.3");
        assert_int_equal(permit_broker_resolve_add(f->broker, spec), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;
        char cmd[128];

        permit_broker_free(f->broker);
        permit_store_free(f->store);
        close(f->listener2);
        close(f->listener3);
        close(f->listener6);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
        assert_int_equal(system(cmd), 0);
        free(f);
        return 0;
}

/* A client of the broker: our end of its socket, the broker's added. */
static int client(fixture *f, const char *const *caps, size_t n, permit_broker_client **ret) {
        int sv[2];

        assert_int_equal(seqpacket(sv), 0);
        assert_int_equal(permit_broker_add_client(f->broker, "org.example.net", caps, n, sv[1], ret), 0);
        return sv[0];
}

static char *read_audit(fixture *f) {
        char path[128], *buf = calloc(1, 1 << 16);
        FILE *fp;

        snprintf(path, sizeof(path), "%s/permit/audit.jsonl", f->dir);
        fp = fopen(path, "re");
        if (fp) {
                size_t n = fread(buf, 1, (1 << 16) - 1, fp);

                buf[n] = '\0';
                fclose(fp);
        }
        return buf;
}

static void setenv_fd(int fd) {
        char s[16];

        snprintf(s, sizeof(s), "%d", fd);
        assert_int_equal(setenv("PERMIT_BROKER_FD", s, 1), 0);
}

/* Through permit/addon-net.h, the broker in its own thread. */
static void test_connect(void **state) {
        fixture *f = *state;
        char cap[64], cap2[64], cap6[64], why[512], *audit;
        const char *caps[3] = { cap, cap2, cap6 };
        permit_broker_client *c;
        int sock, fd, peer;

        snprintf(cap, sizeof(cap), "net.connect:api.example.com:%u", f->port2);
        snprintf(cap2, sizeof(cap2), "net.connect:*.example.com:%u", f->closed_port);
        snprintf(cap6, sizeof(cap6), "net.connect:v6.example.com");
        sock = client(f, caps, 3, &c);
        assert_string_equal(permit_broker_client_addon(c), "org.example.net");
        setenv_fd(sock);
        assert_int_equal(permit_broker_thread_start(f->broker), 0);

        fd = permit_addon_connect_ex("api.example.com", f->port2, 0, why, sizeof(why));
        assert_true(fd >= 0);
        peer = accept(f->listener2, NULL, NULL);
        assert_true(peer >= 0);
        assert_int_equal(write(fd, "hi", 2), 2);
        assert_int_equal(read(peer, why, 2), 2);
        assert_memory_equal(why, "hi", 2);
        close(peer);
        close(fd);

        /* another host, another port, the address, ::1, a wildcard non-match */
        assert_int_equal(permit_addon_connect_ex("other.example.com", f->port2, 0, why, sizeof(why)), -EACCES);
        assert_non_null(strstr(why, "net.connect:other.example.com:"));
        assert_non_null(strstr(why, " is not granted"));
        assert_int_equal(permit_addon_connect_ex("api.example.com", f->port3, 0, why, sizeof(why)), -EACCES);
        assert_int_equal(permit_addon_connect_ex("127.0.0.2", f->port2, 0, why, sizeof(why)), -EACCES);
        assert_non_null(strstr(why, "only when that address itself is granted"));
        assert_int_equal(permit_addon_connect_ex("::1", f->port6, 0, why, sizeof(why)), -EACCES);
        assert_int_equal(permit_addon_connect_ex("evil-example.com", f->closed_port, 0, why, sizeof(why)), -EACCES);
        assert_int_equal(permit_addon_connect_ex("bad_name", 80, 0, why, sizeof(why)), -EINVAL);
        /* granted, nothing listening: the kernel's answer */
        assert_int_equal(permit_addon_connect_ex("down.example.com", f->closed_port, 0, why, sizeof(why)),
                         -ECONNREFUSED);
        assert_non_null(strstr(why, "127.0.0.3"));
        /* granted, IPv6 through the map */
        fd = permit_addon_connect_ex("v6.example.com", f->port6, 2000, why, sizeof(why));
        assert_true(fd >= 0);
        close(fd);
        /* LISTEN not granted */
        assert_int_equal(permit_addon_listen(8080, why, sizeof(why)), -EACCES);
        assert_string_equal(why, "net.listen:8080 is not granted");

        assert_int_equal(permit_broker_thread_stop(f->broker), 0);
        assert_int_equal(f->decisions, 10);
        assert_int_equal(f->refusals, 8); /* 6 refused, 1 bad name, 1 refused connection */
        audit = read_audit(f);
        assert_non_null(strstr(audit, "\"use\""));
        assert_non_null(strstr(audit, "\"denial\""));
        assert_non_null(strstr(audit, "other.example.com:"));
        assert_non_null(strstr(audit, "org.example.net"));
        free(audit);
        close(sock);
        unsetenv("PERMIT_BROKER_FD");
}

/* Dispatches until fd has a message or 5 s pass. */
static ssize_t answer(fixture *f, int fd, char *buf, size_t size, int *ret_fd) {
        for (int i = 0; i < 500; i++) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(int))];
                } control;
                struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                                     .msg_controllen = sizeof(control.buf) };
                ssize_t n;

                assert_true(permit_broker_dispatch(f->broker, 10) >= 0);
                if (poll(&p, 1, 0) <= 0)
                        continue;
                n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
                if (n < 0)
                        return -errno;
                buf[n] = '\0';
                if (ret_fd) {
                        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

                        *ret_fd = -1;
                        if (c && c->cmsg_type == SCM_RIGHTS)
                                memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
                }
                return n;
        }
        return -ETIMEDOUT;
}

static void test_garbage(void **state) {
        fixture *f = *state;
        const char *caps[] = { "net.connect:api.example.com" };
        char buf[1024], big[2048];
        int sock = client(f, caps, 1, NULL), fd, sv[2];
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = { 0 };
        struct iovec iov = { .iov_base = (void *) "LISTEN 1 80", .iov_len = 11 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                             .msg_controllen = sizeof(control.buf) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

        assert_int_equal(send(sock, "\x01\x02garbage", 9, 0), 9);
        assert_true(answer(f, sock, buf, sizeof(buf), NULL) > 0);
        assert_string_equal(buf, "ERR 0 22 request with a control byte");
        memset(big, 'A', sizeof(big));
        assert_int_equal(send(sock, big, sizeof(big), 0), (ssize_t) sizeof(big));
        assert_true(answer(f, sock, buf, sizeof(buf), NULL) > 0);
        assert_string_equal(buf, "ERR 0 22 request too long, or with descriptors");
        /* a descriptor sent to the broker: refused and closed there */
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &sv[0], sizeof(int));
        assert_int_equal(sendmsg(sock, &mh, 0), 11);
        close(sv[0]);
        assert_true(answer(f, sock, buf, sizeof(buf), &fd) > 0);
        assert_int_equal(fd, -1);
        assert_string_equal(buf, "ERR 1 13 net.listen:80 is not granted");
        assert_int_equal(read(sv[1], buf, 1), 0); /* the broker kept no copy: EOF */
        close(sv[1]);
        /* past max_bad (8): cut off, the host told it was abuse */
        for (int i = 0; i < 8 && f->abuse == 0; i++) {
                assert_int_equal(send(sock, "nonsense", 8, 0), 8);
                (void) answer(f, sock, buf, sizeof(buf), NULL);
        }
        assert_int_equal(f->abuse, 1);
        assert_int_equal(recv(sock, buf, sizeof(buf), MSG_DONTWAIT), 0); /* EOF */
        close(sock);
}

/* Many granted requests at once: all answered, in bounded batches, while
 * another client is served in between. */
static void test_flood(void **state) {
        fixture *f = *state;
        char cap[64], buf[256], req[64];
        const char *caps[] = { cap };
        int flood, other, fd, sent = 0, answered = 0, peers = 0;
        ssize_t n;

        snprintf(cap, sizeof(cap), "net.connect:api.example.com:%u", f->port2);
        flood = client(f, caps, 1, NULL);
        other = client(f, caps, 1, NULL);
        assert_int_equal(fcntl(flood, F_SETFL, O_NONBLOCK), 0);
        assert_int_equal(fcntl(f->listener2, F_SETFL, O_NONBLOCK), 0);
        for (int i = 1; i <= 300; i++) {
                snprintf(req, sizeof(req), "CONNECT %d api.example.com %u", i, f->port2);
                if (send(flood, req, strlen(req), MSG_DONTWAIT) < 0) {
                        assert_int_equal(errno, EAGAIN); /* the broker stopped reading: throttled */
                        break;
                }
                sent++;
        }
        printf("# %d requests queued before the socket filled\n", sent);
        assert_true(sent >= 8);
        /* the other client is answered while the flood waits */
        snprintf(req, sizeof(req), "CONNECT 77 api.example.com %u", f->port2);
        assert_int_equal(send(other, req, strlen(req), 0), (ssize_t) strlen(req));
        for (;;) {
                struct pollfd p = { .fd = other, .events = POLLIN };

                assert_true(permit_broker_dispatch(f->broker, 10) >= 0);
                while ((fd = accept4(f->listener2, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                        peers++;
                        close(fd);
                }
                if (poll(&p, 1, 0) > 0)
                        break;
        }
        n = answer(f, other, buf, sizeof(buf), &fd);
        assert_true(n > 0);
        assert_string_equal(buf, "OK 77");
        close(fd);
        while (answered < sent) {
                n = answer(f, flood, buf, sizeof(buf), &fd);
                assert_true(n > 0);
                assert_memory_equal(buf, "OK ", 3);
                close(fd);
                answered++;
                while ((fd = accept4(f->listener2, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                        peers++;
                        close(fd);
                }
        }
        assert_int_equal(f->abuse, 0);
        close(flood);
        close(other);
}

/* A peer that asks and closes before the answer: the broker goes on. */
static void test_close_mid_request(void **state) {
        fixture *f = *state;
        char cap[64], buf[256], req[64];
        const char *caps[] = { cap };
        int quitter, other, fd;

        snprintf(cap, sizeof(cap), "net.connect:api.example.com:%u", f->port2);
        quitter = client(f, caps, 1, NULL);
        other = client(f, caps, 1, NULL);
        snprintf(req, sizeof(req), "CONNECT 1 api.example.com %u", f->port2);
        assert_int_equal(send(quitter, req, strlen(req), 0), (ssize_t) strlen(req));
        assert_int_equal(send(quitter, "CONNECT 2 api.exa", 17, 0), 17);
        close(quitter);
        for (int i = 0; i < 20; i++)
                assert_true(permit_broker_dispatch(f->broker, 10) >= 0);
        assert_true(f->gone >= 1);
        assert_int_equal(f->abuse, 0);
        snprintf(req, sizeof(req), "CONNECT 3 api.example.com %u", f->port2);
        assert_int_equal(send(other, req, strlen(req), 0), (ssize_t) strlen(req));
        assert_true(answer(f, other, buf, sizeof(buf), &fd) > 0);
        assert_string_equal(buf, "OK 3");
        close(fd);
        close(other);
}

/* The host removes a client with a request in flight. */
static void test_remove_pending(void **state) {
        fixture *f = *state;
        char cap[64], req[64];
        const char *caps[] = { cap };
        permit_broker_client *c;
        int sock;

        snprintf(cap, sizeof(cap), "net.connect:api.example.com:%u", f->port2);
        sock = client(f, caps, 1, &c);
        snprintf(req, sizeof(req), "CONNECT 1 api.example.com %u", f->port2);
        assert_int_equal(send(sock, req, strlen(req), 0), (ssize_t) strlen(req));
        assert_true(permit_broker_dispatch(f->broker, 100) >= 0);
        permit_broker_remove_client(f->broker, c);
        for (int i = 0; i < 20; i++)
                assert_true(permit_broker_dispatch(f->broker, 10) >= 0);
        close(sock);
}

/* Proxy mode on loopback (no namespace needed: the broker takes any
 * listening socket): CONNECT and forward requests, refusals. */
static void test_proxy(void **state) {
        fixture *f = *state;
        char cap[64], buf[1024], req[256];
        const char *caps[] = { cap };
        permit_broker_client *c;
        unsigned pport;
        int sock = -1, lfd, fd, sv[2], peer;
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

        snprintf(cap, sizeof(cap), "net.connect:api.example.com:%u", f->port2);
        sock = client(f, caps, 1, &c);
        lfd = tcp_listener(AF_INET, "127.0.0.1", &pport);
        /* errors first: not listening, twice */
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        assert_int_equal(permit_broker_add_proxy(f->broker, c, sv[0]), -EINVAL);
        close(sv[1]);
        assert_int_equal(permit_broker_add_proxy(f->broker, c, dup(lfd)), 0);
        assert_int_equal(permit_broker_add_proxy(f->broker, c, lfd), -EBUSY);
        assert_int_equal(permit_broker_thread_start(f->broker), 0);
        sa.sin_port = htons((uint16_t) pport);

        /* a granted CONNECT: tunnel both ways */
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_int_equal(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        snprintf(req, sizeof(req), "CONNECT api.example.com:%u HTTP/1.1\r\n\r\nearly", f->port2);
        assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t) strlen(req));
        peer = accept(f->listener2, NULL, NULL);
        assert_true(peer >= 0);
        assert_int_equal(recv(fd, buf, 39, MSG_WAITALL), 39);
        assert_memory_equal(buf, "HTTP/1.1 200 Connection established\r\n\r\n", 39);
        assert_int_equal(recv(peer, buf, 5, MSG_WAITALL), 5);
        assert_memory_equal(buf, "early", 5);
        assert_int_equal(send(peer, "back", 4, 0), 4);
        assert_int_equal(recv(fd, buf, 4, MSG_WAITALL), 4);
        assert_memory_equal(buf, "back", 4);
        close(peer);
        assert_int_equal(recv(fd, buf, sizeof(buf), 0), 0); /* upstream closed: so does the tunnel */
        close(fd);

        /* a forward request: rewritten to origin form */
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_int_equal(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        snprintf(req, sizeof(req), "GET http://api.example.com:%u/x?y HTTP/1.1\r\nHost: api.example.com:%u\r\n\r\n",
                 f->port2, f->port2);
        assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t) strlen(req));
        peer = accept(f->listener2, NULL, NULL);
        assert_true(peer >= 0);
        snprintf(req, sizeof(req), "GET /x?y HTTP/1.1\r\nHost: api.example.com:%u\r\n\r\n", f->port2);
        assert_int_equal(recv(peer, buf, strlen(req), MSG_WAITALL), (ssize_t) strlen(req));
        assert_memory_equal(buf, req, strlen(req));
        close(peer);
        close(fd);

        /* refused: another host, smuggled Host, garbage */
        static const char *const status[] = { "HTTP/1.1 403", "HTTP/1.1 403", "HTTP/1.1 400" };
        for (size_t i = 0; i < N(status); i++) {
                ssize_t n;

                fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                assert_int_equal(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
                if (i == 0)
                        snprintf(req, sizeof(req), "CONNECT other.example.com:%u HTTP/1.1\r\n\r\n", f->port2);
                else if (i == 1)
                        snprintf(req, sizeof(req), "CONNECT api.example.com:%u HTTP/1.1\r\nHost: other.example.com\r\n\r\n",
                                 f->port2);
                else
                        snprintf(req, sizeof(req), "HELLO %u\r\n\r\n", f->port2);
                assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t) strlen(req));
                n = recv(fd, buf, sizeof(buf) - 1, MSG_WAITALL);
                assert_true(n > 12);
                buf[n] = '\0';
                assert_memory_equal(buf, status[i], 12);
                close(fd);
        }
        /* a client that connects and closes at once, and one that sends half a head */
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_int_equal(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        close(fd);
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_int_equal(connect(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(send(fd, "CONNECT api.exa", 15, 0), 15);
        close(fd);
        assert_int_equal(permit_broker_thread_stop(f->broker), 0);
        assert_true(f->refusals >= 3);
        permit_broker_remove_client(f->broker, c);
        close(sock);
}

/* ---- the sandbox side: net modes, the spawned add-on's fds ---------------- */

static char *report_json(const char *cap, permit_net_mode mode) {
        permit_sandbox_options o = { .net = mode };
        permit_ruleset *rs = NULL;
        permit_error e = { 0 };
        char *text = NULL;
        const char *caps[] = { cap };

        assert_int_equal(permit_ruleset_new(caps, 1, NULL, &o, &rs, &e), 0);
        assert_int_equal(permit_ruleset_report(rs, true, &text), 0);
        permit_ruleset_free(rs);
        return text;
}

static void test_net_modes(void **state) {
        permit_sandbox_options bad = { .net = (permit_net_mode) 7 };
        permit_ruleset *rs = NULL;
        permit_error e = { 0 };
        char *j;

        assert_int_equal(permit_ruleset_new(NULL, 0, NULL, &bad, &rs, &e), -EINVAL);
        assert_non_null(strstr(e.text, "unknown network mode"));
        j = report_json("net.connect:api.example.com", PERMIT_NET_BROKER);
        assert_non_null(strstr(j, "\"net_mode\": \"broker\""));
        assert_non_null(strstr(j, "net.connect:api.example.com via broker (fully enforced)"));
        assert_non_null(strstr(j, "\"fully_enforced\": true"));
        assert_null(strstr(j, "\"AF_INET\"")); /* no IP socket family */
        free(j);
        j = report_json("net.listen:8080", PERMIT_NET_BROKER);
        assert_non_null(strstr(j, "\"fully_enforced\": true"));
        free(j);
        j = report_json("net.connect:api.example.com", PERMIT_NET_PROXY);
        assert_non_null(strstr(j, "\"net_mode\": \"proxy\""));
        assert_non_null(strstr(j, "via proxy (fully enforced)"));
        assert_non_null(strstr(j, "\"port\": 3128"));
        free(j);
        j = report_json("net.connect:api.example.com", PERMIT_NET_DIRECT);
        assert_non_null(strstr(j, "\"net_mode\": \"direct\""));
        assert_non_null(strstr(j, "\"fully_enforced\": false"));
        free(j);
}

/* The child's fds under PERMIT_SPAWN_BROKER (with and without the host
 * socket) and PERMIT_SPAWN_PROXY: python3 checks them and exits 0. */
static void test_spawn_fds(void **state) {
        static const char check[] =
                "import os, socket, sys\n"
                "b = socket.socket(fileno=4)\n"
                "ok = b.type == socket.SOCK_SEQPACKET and os.environ.get('PERMIT_BROKER_FD') == '4'\n"
                "try:\n"
                "    h = socket.socket(fileno=3); ok = ok and sys.argv[1] == 'socket' and h.type == socket.SOCK_STREAM\n"
                "except OSError:\n"
                "    ok = ok and sys.argv[1] == 'none'\n"
                "ok = ok and (sys.argv[2] == 'proxy') == (os.environ.get('HTTPS_PROXY') == 'http://127.0.0.1:3128')\n"
                "sys.exit(0 if ok else 1)\n";
        static const struct {
                permit_spawn_flags flags;
                const char *fd3, *proxy;
                permit_net_mode net;
        } runs[] = {
                { PERMIT_SPAWN_BROKER, "socket", "no", PERMIT_NET_BROKER },
                { PERMIT_SPAWN_BROKER | PERMIT_SPAWN_NO_SOCKET, "none", "no", PERMIT_NET_BROKER },
                { PERMIT_SPAWN_PROXY, "socket", "proxy", PERMIT_NET_PROXY },
        };

        for (size_t i = 0; i < N(runs); i++) {
                permit_sandbox_options o = { .net = runs[i].net };
                const char *caps[] = { "net.connect:api.example.com" };
                const char *argv[] = { "python3", "-I", "-c", check, runs[i].fd3, runs[i].proxy, NULL };
                permit_ruleset *rs = NULL;
                permit_child *c = NULL;
                permit_error e = { 0 };
                int status = -1, type = 0, listening = 0;
                socklen_t len = sizeof(type);

                assert_int_equal(permit_ruleset_new(caps, 1, &(permit_paths) { .entry = "/usr/bin/python3" }, &o, &rs, &e),
                                 0);
                assert_int_equal(permit_spawn(rs, argv, NULL, runs[i].flags, &c), 0);
                assert_true(permit_child_broker_socket(c) >= 0);
                assert_int_equal(getsockopt(permit_child_broker_socket(c), SOL_SOCKET, SO_TYPE, &type, &len), 0);
                assert_int_equal(type, SOCK_SEQPACKET);
                if (runs[i].flags & PERMIT_SPAWN_PROXY) {
                        len = sizeof(listening);
                        assert_int_equal(getsockopt(permit_child_proxy_listener(c), SOL_SOCKET, SO_ACCEPTCONN,
                                                    &listening, &len),
                                         0);
                        assert_true(listening);
                } else
                        assert_int_equal(permit_child_proxy_listener(c), -1);
                assert_int_equal(permit_child_wait(c, 10000, &status, NULL), 1);
                if (status != 0)
                        fail_msg("run %zu: status %d", i, status);
                permit_child_free(c);
                permit_ruleset_free(rs);
        }
        assert_int_equal(permit_child_broker_socket(NULL), -1);
        assert_int_equal(permit_child_proxy_listener(NULL), -1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_match_connect),
                cmocka_unit_test(test_match_listen),
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_format),
                cmocka_unit_test(test_parse_resolve),
                cmocka_unit_test(test_http_head),
                cmocka_unit_test(test_api_errors),
                cmocka_unit_test(test_net_modes),
                cmocka_unit_test(test_spawn_fds),
                cmocka_unit_test_setup_teardown(test_connect, setup, teardown),
                cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
                cmocka_unit_test_setup_teardown(test_flood, setup, teardown),
                cmocka_unit_test_setup_teardown(test_close_mid_request, setup, teardown),
                cmocka_unit_test_setup_teardown(test_remove_pending, setup, teardown),
                cmocka_unit_test_setup_teardown(test_proxy, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
