/* SPDX-License-Identifier: MIT */
/* Inside the enforcer: the compiled ruleset every file shares. */
#pragma once

#include <linux/filter.h>

#include "error-private.h"
#include "permit/enforcer.h"
#include "util.h"

typedef enum enforcement {
        ENFORCED,
        PARTLY,
        NOT_ENFORCED,
} enforcement;

const char *status_name(enforcement s);

typedef struct fs_rule {
        char *path;      /* as opened (the template expanded) */
        uint64_t access; /* LANDLOCK_ACCESS_FS_*, already limited to the ABI's */
        const char *why; /* "system", "$DATA", "entry", or the capability id */
        int fd;          /* O_PATH, until the Landlock ruleset is built */
} fs_rule;

typedef struct net_rule {
        uint16_t port;
        uint64_t access; /* LANDLOCK_ACCESS_NET_* */
        const char *why;
} net_rule;

/* A denied system call, for the report and the filter. */
typedef struct denied_call {
        const char *name;
        int error;
} denied_call;

/* What a capability contributes, decided by the compiler. */
typedef struct cap_entry {
        char *id;
        char *kind;           /* "fs.read" */
        const char *argument; /* points into id, or NULL */
        enforcement status;
        const char *mechanism;
        char note[256];
} cap_entry;

struct permit_ruleset {
        permit_policy policy;
        bool is_root;
        unsigned kernel_abi, abi; /* Landlock: the kernel's, and the one used (0: none) */
        bool seccomp;             /* the kernel has seccomp filters */

        cap_entry *caps;
        size_t n_caps;

        uint64_t handled_fs, handled_net, scoped;
        fs_rule *fs;
        size_t n_fs;
        char **missing; /* paths that did not exist (no rule) */
        size_t n_missing;
        net_rule *net;
        size_t n_net;
        int landlock_fd; /* -1 when Landlock is not used */

        /* Socket families the grants need. */
        bool allow_unix, allow_inet, allow_memfd;
        bool connect_any_port; /* a net.connect grant without a port */
        struct sock_filter *bpf; /* the compiled seccomp filter */
        unsigned short bpf_len;

        char *entry, *addon, *data, *tmp;
};

/* enforcer/landlock.c */
unsigned landlock_kernel_abi(void);
uint64_t landlock_fs_rights(unsigned abi);
int landlock_build(permit_ruleset *rs, permit_error *error);
int landlock_apply(int ruleset_fd); /* async-signal-safe */
/* Names of LANDLOCK_ACCESS_FS_* / NET_* / SCOPE_* bits, for reports. */
const char *landlock_fs_right_name(unsigned bit);
const char *landlock_net_right_name(unsigned bit);
const char *landlock_scope_name(unsigned bit);

/* enforcer/seccomp.c */
bool seccomp_kernel_support(void);
enum {
        SECCOMP_ALLOW_UNIX = 1 << 0,  /* socket(AF_UNIX) */
        SECCOMP_ALLOW_INET = 1 << 1,  /* TCP sockets */
        SECCOMP_ALLOW_MEMFD = 1 << 2, /* memfd_create */
        SECCOMP_VARIANTS = 1 << 3,
};
unsigned seccomp_variant(const permit_ruleset *rs);
int seccomp_compile(unsigned variant, struct sock_filter **ret, unsigned short *ret_len, permit_error *error);
int seccomp_build(permit_ruleset *rs, permit_error *error);
/* enforcer/seccomp-prebuilt.c: the filter made at build time, if any. */
bool seccomp_prebuilt(unsigned variant, const struct sock_filter **ret, unsigned short *ret_len);
int seccomp_apply(const permit_ruleset *rs, bool all_threads); /* async-signal-safe */
extern const denied_call seccomp_denied_calls[];
extern const size_t seccomp_n_denied_calls;

/* enforcer/system-paths.c: what every sandboxed program may read. */
typedef struct system_path {
        const char *path;
        uint64_t access;
} system_path;
extern const system_path system_paths[];
extern const size_t n_system_paths;
/* The ELF interpreters (dynamic loaders) that must be executable. */
extern const char *const system_loaders[];
extern const size_t n_system_loaders;

/* enforcer/rlimits.c */
int rlimits_apply(const permit_sandbox_limits *l, bool address_space); /* async-signal-safe */

/* enforcer/report.c */
void report_protections(const permit_ruleset *rs, void (*add)(void *userdata, const char *name, enforcement s,
                                                               const char *mechanism, const char *note),
                        void *userdata);

/* enforcer/spawn.c: false in an AddressSanitizer build (see there). */
bool restrict_self_limits_address_space(void);
