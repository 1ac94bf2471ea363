/* SPDX-License-Identifier: MIT */
/* What the C benchmark harnesses share: a monotonic clock and sorting
 * times. */
#pragma once

#include <time.h>

static inline double now_us(void) {
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec * 1e6 + (double) t.tv_nsec / 1e3;
}

/* qsort() comparison of doubles, ascending. */
static inline int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return x < y ? -1 : x > y;
}
