/* SPDX-License-Identifier: MIT */
/* What the network broker adds to setting up a connection: N connects to a
 * listener on 127.0.0.1 made directly (socket + connect) against N made
 * through the broker (permit_addon_connect(): request, match, worker
 * connect, SCM_RIGHTS), the broker in its own thread as a host would run
 * it. Prints the median and 10th/90th percentiles of each and the median
 * added latency. bench/broker.sh runs it.
 *
 *   bench-broker [N]   (default 2000) */
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

static double pct(double *v, size_t n, double p) {
        return v[(size_t) (p * (double) (n - 1))];
}

int main(int argc, char **argv) {
        size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
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
        return 0;
}
