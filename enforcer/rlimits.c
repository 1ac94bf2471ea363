/* SPDX-License-Identifier: MIT */
/* Resource limits, set between fork and exec (only system calls here). A
 * limit of 0 leaves the inherited one. Soft and hard are the same, so the
 * add-on cannot raise them again. RLIMIT_CPU gets one second of grace in
 * the hard limit: SIGXCPU first (catchable, default action kills), then
 * SIGKILL. */
#include <sys/resource.h>

#include "enforcer-private.h"

static int set(int resource, uint64_t soft, uint64_t hard) {
        struct rlimit rl = { .rlim_cur = soft, .rlim_max = hard }, old;

        /* Never raise a limit the host already has lower (non-root cannot,
         * and the add-on should not get more than its host). */
        if (getrlimit(resource, &old) == 0) {
                if (old.rlim_max != RLIM_INFINITY && rl.rlim_max > old.rlim_max)
                        rl.rlim_max = old.rlim_max;
                if (rl.rlim_cur > rl.rlim_max)
                        rl.rlim_cur = rl.rlim_max;
        }
        return setrlimit(resource, &rl) < 0 ? negative_errno() : 0;
}

static uint64_t mib(uint64_t n) {
        return n > (UINT64_MAX >> 20) ? UINT64_MAX : n << 20;
}

int rlimits_apply(const permit_sandbox_limits *l, bool address_space) {
        int r;

        if (address_space && l->memory_mb && (r = set(RLIMIT_AS, mib(l->memory_mb), mib(l->memory_mb))) < 0)
                return r;
        if (l->cpu_seconds && (r = set(RLIMIT_CPU, l->cpu_seconds, l->cpu_seconds + 1)) < 0)
                return r;
        if (l->processes && (r = set(RLIMIT_NPROC, l->processes, l->processes)) < 0)
                return r;
        if (l->open_files && (r = set(RLIMIT_NOFILE, l->open_files, l->open_files)) < 0)
                return r;
        if (l->file_size_mb && (r = set(RLIMIT_FSIZE, mib(l->file_size_mb), mib(l->file_size_mb))) < 0)
                return r;
        return 0;
}
