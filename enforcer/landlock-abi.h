/* SPDX-License-Identifier: MIT */
/* Landlock's user-space ABI up to version 7, carried here because Debian
 * 12's <linux/landlock.h> (Linux 6.1) describes only ABI 2. Values are
 * from the kernel's include/uapi/linux/landlock.h; each is defined only when
 * the system header lacks it, so a newer header wins. Our own copy of
 * struct landlock_ruleset_attr has all three fields: the kernel takes the
 * size we pass, so we pass only the fields the ABI in use knows
 * (enforcer/landlock.c). */
#pragma once

#include <linux/landlock.h>
#include <stdint.h>
#include <sys/syscall.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

/* ABI 3 (Linux 6.2): truncate(2), ftruncate on files opened without it, O_TRUNC. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
/* ABI 4 (Linux 6.7): TCP bind and connect by port. */
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#define PERMIT_LANDLOCK_RULE_NET_PORT 2
/* ABI 5 (Linux 6.10): ioctl on device files. */
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
/* ABI 6 (Linux 6.12): scoping abstract unix sockets and signals to the domain. */
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif
/* ABI 7 (Linux 6.15): audit logging flags of landlock_restrict_self(); permit
 * keeps the kernel's default (denials of the sandboxed program are logged). */
#ifndef LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF
#define LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF (1U << 0)
#endif

struct permit_landlock_ruleset_attr {
        uint64_t handled_access_fs;  /* ABI 1 */
        uint64_t handled_access_net; /* ABI 4 */
        uint64_t scoped;             /* ABI 6 */
};

struct permit_landlock_net_port_attr {
        uint64_t allowed_access;
        uint64_t port;
};

/* Rights that apply to a file (not only to a directory). */
#define PERMIT_LANDLOCK_FILE_RIGHTS                                                                        \
        (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |           \
         LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)
