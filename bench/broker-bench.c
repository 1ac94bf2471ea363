/* SPDX-License-Identifier: MIT */
/* What the network broker costs:
 *  1. connection setup: N connects to a listener on 127.0.0.1 made directly
 *     (socket + connect) against N made through the broker
 *     (permit_addon_connect(): request, match, worker connect, SCM_RIGHTS),
 *     the broker in its own thread as a host would run it: median and
 *     10th/90th percentiles, and the median added latency;
 *  2. proxy mode's throughput: MIB MiB read from a server on 127.0.0.1
 *     directly against through the broker's proxy (a CONNECT tunnel relayed
 *     by the dispatch thread), best of 5 each.
 * bench/broker.sh runs it.
 *
 *   bench-broker [N [MIB]]   (default 2000, 1024) */
#include <pthread.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "permit/addon-net.h"
#include "permit/broker.h"
#include "timing.h"

static size_t total_bytes;

/* The upstream server: each connection gets total_bytes, then EOF. */
static void *serve(void *userdata) {
        int lfd = *(int *) userdata;
        static char chunk[1 << 16];

        for (;;) {
                int c = accept(lfd, NULL, NULL);

                if (c < 0)
                        return NULL;
                for (size_t left = total_bytes; left;) {
                        ssize_t n = write(c, chunk, left < sizeof(chunk) ? left : sizeof(chunk));

                        if (n <= 0)
                                break;
                        left -= (size_t) n;
                }
                close(c);
        }
}

/* Reads to EOF from fd: MB/s (10^6 bytes). */
static double drain(int fd, double start) {
        static char buf[1 << 16];
        size_t got = 0;
        ssize_t n;

        while ((n = read(fd, buf, sizeof(buf))) > 0)
                got += (size_t) n;
        close(fd);
        if (got != total_bytes) {
                fprintf(stderr, "read %zu of %zu bytes\n", got, total_bytes);
                exit(1);
        }
        return (double) got / (now_us() - start);
}

static int tcp_to(const struct sockaddr_in *sa) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0 || connect(fd, (const struct sockaddr *) sa, sizeof(*sa)) < 0) {
                perror("connect");
                exit(1);
        }
        return fd;
}

static int throughput(size_t mib) {
        struct sockaddr_in up = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, px = up;
        socklen_t len = sizeof(up);
        permit_broker_client *client;
        permit_broker *b;
        pthread_t server;
        char cap[64], req[128], line[40];
        const char *caps[] = { cap };
        double direct = 0, proxied = 0;
        int lfd, pfd, sv[2], r;

        total_bytes = mib << 20;
        lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        pfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (lfd < 0 || pfd < 0 || bind(lfd, (struct sockaddr *) &up, sizeof(up)) < 0 || listen(lfd, 16) < 0 ||
            getsockname(lfd, (struct sockaddr *) &up, &len) < 0 || bind(pfd, (struct sockaddr *) &px, sizeof(px)) < 0 ||
            listen(pfd, 16) < 0 || (len = sizeof(px), getsockname(pfd, (struct sockaddr *) &px, &len)) < 0)
                return perror("listeners"), 2;
        pthread_create(&server, NULL, serve, &lfd);
        snprintf(cap, sizeof(cap), "net.connect:bench.example.com:%u", ntohs(up.sin_port));
        if ((r = permit_broker_new(NULL, &b)) < 0 || (r = permit_broker_resolve_add(b, "bench.example.com=127.0.0.1")) < 0 ||
            socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
            (r = permit_broker_add_client(b, "bench", caps, 1, sv[1], &client)) < 0 ||
            (r = permit_broker_add_proxy(b, client, pfd)) < 0 || (r = permit_broker_thread_start(b)) < 0)
                return fprintf(stderr, "broker: %s\n", strerror(r < 0 ? -r : errno)), 2;
        snprintf(req, sizeof(req), "CONNECT bench.example.com:%u HTTP/1.1\r\n\r\n", ntohs(up.sin_port));
        for (int i = 0; i < 5; i++) {
                double t = now_us(), v = drain(tcp_to(&up), t);
                int fd;

                if (v > direct)
                        direct = v;
                t = now_us();
                fd = tcp_to(&px);
                if (write(fd, req, strlen(req)) != (ssize_t) strlen(req) ||
                    recv(fd, line, 39, MSG_WAITALL) != 39 || memcmp(line, "HTTP/1.1 200", 12) != 0)
                        return fprintf(stderr, "proxy: no tunnel\n"), 1;
                v = drain(fd, t);
                if (v > proxied)
                        proxied = v;
        }
        permit_broker_thread_stop(b);
        permit_broker_free(b);
        close(sv[0]);
        printf("throughput: %zu MiB, best of 5\n", mib);
        printf("direct   %8.0f MB/s\n", direct);
        printf("proxy    %8.0f MB/s  = %.0f%% of direct (goal >= 80%%)\n", proxied, 100 * proxied / direct);
        return 0;
}

static double pct(double *v, size_t n, double p) {
        return v[(size_t) (p * (double) (n - 1))];
}

int main(int argc, char **argv) {
        size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000, mib = argc > 2 ? strtoul(argv[2], NULL, 10) : 1024;
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(sa);
        double *direct = calloc(n, sizeof(double)), *brokered = calloc(n, sizeof(double));
        char cap[64], env[16];
        const char *caps[] = { cap };
        permit_broker *b;
        int lfd, sv[2], r;

        if (!direct || !brokered || n < 10)
                return 2;
        lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (lfd < 0 || bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(lfd, 1024) < 0 ||
            getsockname(lfd, (struct sockaddr *) &sa, &len) < 0)
                return perror("listener"), 2;
        snprintf(cap, sizeof(cap), "net.connect:bench.example.com:%u", ntohs(sa.sin_port));
        if ((r = permit_broker_new(NULL, &b)) < 0 || (r = permit_broker_resolve_add(b, "bench.example.com=127.0.0.1")) < 0 ||
            socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
            (r = permit_broker_add_client(b, "bench", caps, 1, sv[1], NULL)) < 0 ||
            (r = permit_broker_thread_start(b)) < 0)
                return fprintf(stderr, "broker: %s\n", strerror(r < 0 ? -r : errno)), 2;
        snprintf(env, sizeof(env), "%d", sv[0]);
        setenv("PERMIT_BROKER_FD", env, 1);

        for (size_t i = 0; i < n + n / 10; i++) { /* the first tenth warms up, not counted */
                double t0 = now_us(), t1, t2;
                int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c;

                if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                        return perror("direct connect"), 1;
                t1 = now_us();
                close(fd);
                if ((c = accept(lfd, NULL, NULL)) >= 0)
                        close(c);
                t2 = now_us();
                fd = permit_addon_connect("bench.example.com", ntohs(sa.sin_port));
                if (fd < 0)
                        return fprintf(stderr, "broker connect: %s\n", strerror(-fd)), 1;
                if (i >= n / 10) {
                        direct[i - n / 10] = t1 - t0;
                        brokered[i - n / 10] = now_us() - t2;
                }
                close(fd);
                if ((c = accept(lfd, NULL, NULL)) >= 0)
                        close(c);
        }
        permit_broker_thread_stop(b);
        permit_broker_free(b);
        qsort(direct, n, sizeof(double), cmp_double);
        qsort(brokered, n, sizeof(double), cmp_double);
        printf("connects: %zu each, interleaved\n", n);
        printf("direct   median %7.1f us  p10 %7.1f  p90 %7.1f\n", pct(direct, n, .5), pct(direct, n, .1),
               pct(direct, n, .9));
        printf("broker   median %7.1f us  p10 %7.1f  p90 %7.1f\n", pct(brokered, n, .5), pct(brokered, n, .1),
               pct(brokered, n, .9));
        printf("added    median %7.1f us (goal < 100 us)\n", pct(brokered, n, .5) - pct(direct, n, .5));
        unsetenv("PERMIT_BROKER_FD");
        return throughput(mib);
}
