/* SPDX-License-Identifier: MIT */
/* permit/enforcer.h: sandboxes for add-ons (DESIGN.md section 7).
 *
 * A ruleset is compiled once from an add-on's granted capabilities, the
 * host's policy and the add-on's directories: Landlock file-system, TCP and
 * scope rules, a seccomp filter (built with libseccomp, kept as BPF in
 * memory), resource limits and no_new_privs. It is then applied to a child
 * (permit_spawn) or to the calling process (permit_restrict_self), as many
 * times as needed. doc/capabilities.md says what each capability allows,
 * which mechanism enforces it, and the errno an add-on sees when denied.
 *
 * Best effort: what the kernel cannot enforce is left out and reported
 * (permit_ruleset_report); a policy with require_full refuses to apply a
 * ruleset that is not fully enforced. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "permit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The newest Landlock ABI permit knows (Linux 6.15). */
#define PERMIT_LANDLOCK_ABI_MAX 7

/* The descriptor a spawned add-on finds its end of the host socket on, also
 * named in its environment as PERMIT_SOCKET_FD=3. */
#define PERMIT_SOCKET_FD 3

/* The descriptor a spawned add-on finds its network broker socket on
 * (PERMIT_SPAWN_BROKER, permit/broker.h), also named in its environment as
 * PERMIT_BROKER_FD=4. */
#ifndef PERMIT_BROKER_FD
#define PERMIT_BROKER_FD 4
#endif

/* Resource limits; 0 means "not limited by permit" (inherited). */
typedef struct permit_sandbox_limits {
        uint64_t memory_mb;    /* RLIMIT_AS */
        uint64_t cpu_seconds;  /* RLIMIT_CPU: SIGXCPU, then SIGKILL a second later */
        uint64_t processes;    /* RLIMIT_NPROC (counts every process of the user; not for uid 0) */
        uint64_t open_files;   /* RLIMIT_NOFILE */
        uint64_t file_size_mb; /* RLIMIT_FSIZE: writes past it fail with EFBIG */
        uint64_t wall_seconds; /* the watchdog's SIGKILL (permit_spawn only) */
} permit_sandbox_limits;

/* How a sandbox with net.connect / net.listen grants reaches the network
 * (doc/capabilities.md, doc/broker.md). */
typedef enum permit_net_mode {
        /* TCP sockets of its own; Landlock limits TCP ports (ABI >= 4), not
         * hosts: net.connect is "partly" enforced. */
        PERMIT_NET_DIRECT = 0,
        /* No IP socket of its own (seccomp) and no TCP connect or bind
         * (Landlock): every connection comes from the network broker
         * (permit/broker.h) over fd PERMIT_BROKER_FD, checked by host name. */
        PERMIT_NET_BROKER,
        /* As broker mode, and the add-on runs in a network namespace of its
         * own holding only loopback, where the broker's HTTP proxy listens on
         * 127.0.0.1:PERMIT_PROXY_PORT (PERMIT_SPAWN_PROXY); the sandbox may
         * make TCP sockets and connect to that port only. */
        PERMIT_NET_PROXY,
} permit_net_mode;

/* The port of the broker's HTTP proxy inside the add-on's namespace. */
#define PERMIT_PROXY_PORT 3128

/* What the host decides for this sandbox (its policy file, read by
 * permit/policy.h, is where a host keeps these between runs:
 * permit_sandbox_options_from_policy() in permit/addon.h fills this from
 * one, and permit_ruleset_for_addon() there builds an approved add-on's
 * ruleset from the consent store in one call). */
typedef struct permit_sandbox_options {
        permit_sandbox_limits limits;
        /* Use at most this Landlock ABI (1..7); 0 means the kernel's. The
         * environment variable PERMIT_LANDLOCK_ABI=N (0..7) caps it too;
         * the lower of the two wins. PERMIT_LANDLOCK_ABI=0 uses no Landlock. */
        unsigned landlock_abi_max;
        /* Use no Landlock at all (what a kernel without it gets). */
        bool no_landlock;
        /* Refuse to apply a ruleset that is not fully enforced on this
         * kernel (permit_spawn, permit_restrict_self return -ENOTSUP). */
        bool require_full;
        /* How net.connect / net.listen grants are served (default: direct). */
        permit_net_mode net;
} permit_sandbox_options;

/* What the path templates expand to. NULL: the template is not available
 * (a capability using it is refused with -EINVAL). */
typedef struct permit_paths {
        const char *addon;   /* $ADDON: readable */
        const char *data;    /* $DATA: readable and writable */
        const char *tmp;     /* $TMP: readable and writable */
        const char *profile; /* $PROFILE; its permit/ folder is never visible */
        const char *home;    /* $HOME; $DOCUMENTS = $HOME/Documents, $DOWNLOADS = $HOME/Downloads */
        /* The program the add-on starts as: an absolute path, or a name
         * looked up in $PATH. It may be executed (and read); NULL: none. */
        const char *entry;
} permit_paths;

typedef struct permit_ruleset permit_ruleset;

/* Compiles a ruleset for n capability ids (as in permit/capability.h).
 * Errors: -EINVAL (a capability fails permit_capability_check, a path
 * template is not available, a relative path, a bad policy value; error says
 * which), -ENOENT (the entry program is not found), -EACCES (the entry
 * program is not executable), -ENOMEM, and errors of the kernel calls
 * (landlock_create_ruleset, seccomp_export_bpf) with error naming them. */
int permit_ruleset_new(const char *const *capabilities, size_t n, const permit_paths *paths,
                       const permit_sandbox_options *policy, permit_ruleset **ret, permit_error *error);
void permit_ruleset_free(permit_ruleset *rs);

/* The entry program as found (absolute), or NULL when none was given. */
const char *permit_ruleset_entry(const permit_ruleset *rs);

/* The Landlock ABI the ruleset uses (0: none) and the kernel's own. */
unsigned permit_ruleset_landlock_abi(const permit_ruleset *rs);
unsigned permit_landlock_abi(void);

/* Whether every protection and every capability is fully enforced. */
bool permit_ruleset_fully_enforced(const permit_ruleset *rs);

/* The enforcement report: per capability and per protection, "enforced",
 * "partly" or "not enforced" on this kernel, with the mechanism and what is
 * missing. As text for people, or as JSON that also lists every rule
 * (doc/capabilities.md describes it). Caller frees *ret. -ENOMEM. */
int permit_ruleset_report(const permit_ruleset *rs, bool json, char **ret);

/* What this machine supports (Landlock ABI, seccomp, user namespaces), as
 * text or JSON, for `permit doctor`. Caller frees *ret. -ENOMEM. */
int permit_doctor_report(bool json, char **ret);

/* Applies the ruleset to the calling process: rlimits, no_new_privs,
 * Landlock, seccomp. For a host that keeps several add-ons in-process, the
 * ruleset is compiled from the union of their capabilities plus the host's
 * own needs (as fs.read/fs.write/proc.exec capabilities), and applied before
 * the add-ons are loaded ("locking the door"). Call it before starting
 * threads: Landlock restricts only the calling thread (the seccomp filter
 * is synchronised to all threads). Irreversible. Errors: -ENOTSUP (policy.require_full and not
 * fully enforced), errors of prctl/landlock_restrict_self/seccomp. */
int permit_restrict_self(const permit_ruleset *rs);

/* Applies the ruleset to the calling process and executes the ruleset's
 * entry program with argv and the process's environment: the fast path of
 * `permit run` (no fork, no second process). With close_fds every
 * descriptor above 2 is closed on exec. The address-space limit is set last,
 * just before execve. Returns only on failure: -EINVAL (no entry), -ENOTSUP
 * (require_full not met), execve's errno (-EACCES, -ENOENT, -ENOEXEC,
 * -ENOMEM...) or an error of the calls above, when the process is already
 * restricted and should exit. */
int permit_exec(const permit_ruleset *rs, const char *const *argv, bool close_fds);

typedef struct permit_child permit_child;

typedef enum permit_spawn_flags {
        PERMIT_SPAWN_STDIO = 1 << 0,     /* inherit fds 0-2 (else /dev/null) */
        PERMIT_SPAWN_KEEP_ENV = 1 << 1,  /* env is the whole environment (no clean one) */
        PERMIT_SPAWN_NO_SOCKET = 1 << 2, /* no socketpair; fds above 2 are all closed */
        /* A second socketpair(AF_UNIX, SOCK_SEQPACKET) for the network broker
         * (permit/broker.h): the child's end on fd PERMIT_BROKER_FD (4),
         * named as PERMIT_BROKER_FD=4 in the clean environment; the host's
         * end is permit_child_broker_socket(). Combines with NO_SOCKET
         * (fd 3 is then closed). */
        PERMIT_SPAWN_BROKER = 1 << 3,
        /* Proxy mode (implies BROKER): the child unshares a network namespace
         * (with a user namespace when not root), brings up its loopback,
         * listens on 127.0.0.1:PERMIT_PROXY_PORT there and hands that socket
         * to the host (permit_child_proxy_listener()) before it restricts
         * itself; the clean environment names the proxy (HTTPS_PROXY,
         * HTTP_PROXY, ALL_PROXY and their lower-case forms). -EPERM (or
         * -ENOSPC, -EINVAL) when this kernel or user may not make namespaces. */
        PERMIT_SPAWN_PROXY = 1 << 4,
} permit_spawn_flags;

/* Starts the ruleset's entry program with argv in a new process, the
 * ruleset applied between fork and exec. The child:
 *  - holds its end of a socketpair(AF_UNIX, SOCK_STREAM) to the host on
 *    fd PERMIT_SOCKET_FD (3), and with PERMIT_SPAWN_BROKER its broker
 *    socket on fd 4; fds 0-2 are /dev/null unless PERMIT_SPAWN_STDIO;
 *    every other fd is closed;
 *  - has a clean environment: PATH=/usr/bin:/bin, HOME=$DATA (if given),
 *    TMPDIR=$TMP (if given), LANG=C.UTF-8, PERMIT_SOCKET_FD=3, PERMIT_DATA,
 *    PERMIT_TMP, PERMIT_ADDON (those given), then env (NAME=VALUE entries,
 *    may be NULL); with PERMIT_SPAWN_KEEP_ENV, env alone;
 *  - is killed (SIGKILL) by permit_child_wait past limits.wall_seconds.
 * After fork the child makes only system calls (no allocation): the filter
 * and the Landlock ruleset were built by permit_ruleset_new. Returns 0 once
 * the program is executing. Errors: -EINVAL (no entry), -ENOTSUP
 * (require_full not met), the child's execve errno (-ENOENT, -EACCES when
 * not executable or not allowed by the ruleset), -E2BIG, -ENOMEM, and
 * errors of fork, socketpair, pidfd_open. */
int permit_spawn(const permit_ruleset *rs, const char *const *argv, const char *const *env,
                 permit_spawn_flags flags, permit_child **ret);

pid_t permit_child_pid(const permit_child *c);
/* The host's end of the socket; owned by the child handle. */
int permit_child_socket(const permit_child *c);
/* The host's end of the broker socket (PERMIT_SPAWN_BROKER), or -1; owned
 * by the child handle (give the broker a dup()). */
int permit_child_broker_socket(const permit_child *c);
/* The proxy's listening socket (PERMIT_SPAWN_PROXY), or -1; owned by the
 * handle (give permit_broker_add_proxy() a dup()). */
int permit_child_proxy_listener(const permit_child *c);
/* A pidfd (poll it: readable when the child exits); owned by the handle. */
int permit_child_pidfd(const permit_child *c);

/* Waits for the child to exit, at most timeout_ms (-1: until it exits).
 * Past the wall-time deadline the child is killed with SIGKILL and reaped.
 * Returns 1 and the wait status (as waitpid's, WIFEXITED...) when it has
 * exited, 0 when timeout_ms passed first, -errno on failure. *ret_killed is
 * set true when the watchdog killed it (may be NULL). */
int permit_child_wait(permit_child *c, int timeout_ms, int *ret_status, bool *ret_killed);

/* Kills (SIGKILL) and reaps a child still running, closes the socket and
 * pidfd, frees. Accepts NULL. */
void permit_child_free(permit_child *c);

#ifdef __cplusplus
}
#endif
