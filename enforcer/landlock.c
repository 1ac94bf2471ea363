/* SPDX-License-Identifier: MIT */
/* Landlock: detecting the ABI, building the ruleset fd once, and applying
 * it (after fork, so only system calls). The system calls are called
 * directly: glibc 2.36 has no wrappers. */
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "enforcer-private.h"
#include "landlock-abi.h"

unsigned landlock_kernel_abi(void) {
        long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

        return abi > 0 ? (unsigned) abi : 0; /* ENOSYS, EOPNOTSUPP (disabled at boot) */
}

uint64_t landlock_fs_rights(unsigned abi) {
        uint64_t r = 0;

        if (abi >= 1)
                r |= (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* EXECUTE .. MAKE_SYM */
        if (abi >= 2)
                r |= LANDLOCK_ACCESS_FS_REFER;
        if (abi >= 3)
                r |= LANDLOCK_ACCESS_FS_TRUNCATE;
        if (abi >= 5)
                r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
        return r;
}

static const char *const fs_names[] = {
        "execute", "write_file", "read_file", "read_dir", "remove_dir", "remove_file", "make_char", "make_dir",
        "make_reg", "make_sock", "make_fifo", "make_block", "make_sym", "refer", "truncate", "ioctl_dev",
};

const char *landlock_fs_right_name(unsigned bit) {
        return bit < ELEMENTSOF(fs_names) ? fs_names[bit] : NULL;
}

const char *landlock_net_right_name(unsigned bit) {
        return bit == 0 ? "bind_tcp" : bit == 1 ? "connect_tcp" : NULL;
}

const char *landlock_scope_name(unsigned bit) {
        return bit == 0 ? "abstract_unix_socket" : bit == 1 ? "signal" : NULL;
}

/* The size of struct landlock_ruleset_attr an ABI knows: older kernels
 * refuse a larger struct whose extra fields are not zero, and we never set
 * fields the ABI in use lacks. */
static size_t attr_size(unsigned abi) {
        if (abi >= 6)
                return sizeof(struct permit_landlock_ruleset_attr);
        if (abi >= 4)
                return offsetof(struct permit_landlock_ruleset_attr, scoped);
        return offsetof(struct permit_landlock_ruleset_attr, handled_access_net);
}

int landlock_build(permit_ruleset *rs, permit_error *error) {
        struct permit_landlock_ruleset_attr attr = {
                .handled_access_fs = rs->handled_fs,
                .handled_access_net = rs->handled_net,
                .scoped = rs->scoped,
        };
        _cleanup_close_ int fd = -1;

        if (rs->abi == 0)
                return 0;
        fd = (int) syscall(__NR_landlock_create_ruleset, &attr, attr_size(rs->abi), 0);
        if (fd < 0)
                return permit_error_set(error, negative_errno(), NULL, "landlock_create_ruleset: %s",
                                        strerror(errno));
        for (size_t i = 0; i < rs->n_fs; i++) {
                struct landlock_path_beneath_attr pb = {
                        .allowed_access = rs->fs[i].access,
                        .parent_fd = rs->fs[i].fd,
                };

                if (pb.allowed_access == 0)
                        continue;
                if (syscall(__NR_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
                        return permit_error_set(error, negative_errno(), NULL, "landlock_add_rule %s: %s",
                                                rs->fs[i].path, strerror(errno));
        }
        for (size_t i = 0; i < rs->n_net; i++) {
                struct permit_landlock_net_port_attr np = {
                        .allowed_access = rs->net[i].access,
                        .port = rs->net[i].port,
                };

                if (syscall(__NR_landlock_add_rule, fd, PERMIT_LANDLOCK_RULE_NET_PORT, &np, 0) < 0)
                        return permit_error_set(error, negative_errno(), NULL, "landlock_add_rule port %u: %s",
                                                (unsigned) rs->net[i].port, strerror(errno));
        }
        rs->landlock_fd = steal_fd(&fd);
        return 0;
}

/* After fork: no_new_privs is already set. One system call. */
int landlock_apply(int ruleset_fd) {
        if (ruleset_fd < 0)
                return 0;
        if (syscall(__NR_landlock_restrict_self, ruleset_fd, 0) < 0)
                return negative_errno();
        return 0;
}
