/* SPDX-License-Identifier: MIT */
/* The one table of what every sandboxed program may see of the system,
 * read-only: what a dynamically linked program and python3 need to start
 * on Debian, and a few device nodes. Paths that do not exist are skipped
 * (and listed in the report). Nothing here is executable but the dynamic
 * loaders: a program runs only when it is the entry or granted by
 * proc.exec (shared libraries are mapped, which Landlock does not check).
 * /proc, /sys, /run, /tmp, /var and the rest of /etc are not visible. */
#include "enforcer-private.h"
#include "landlock-abi.h"

#define R (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define RW (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)

const system_path system_paths[] = {
        /* programs' libraries and data: /bin, /lib... are links into /usr on Debian 12 */
        { "/usr", R },
        { "/lib", R },
        { "/lib64", R },
        { "/lib32", R },
        { "/libx32", R },
        { "/bin", R },
        { "/sbin", R },
        /* the dynamic loader's cache and configuration */
        { "/etc/ld.so.cache", R },
        { "/etc/ld.so.conf", R },
        { "/etc/ld.so.conf.d", R },
        /* C library: locale, time zone, names of users (getpwuid), NSS */
        { "/etc/localtime", R },
        { "/etc/locale.alias", R },
        { "/etc/nsswitch.conf", R },
        { "/etc/passwd", R },
        { "/etc/group", R },
        /* TLS: certificates for code that talks through the broker */
        { "/etc/ssl", R },
        { "/etc/ca-certificates", R },
        /* python3's site configuration */
        { "/etc/python3", R },
        { "/etc/python3.11", R },
        { "/etc/mime.types", R },
        /* devices every program may use; /dev/null is written to with O_TRUNC by shells */
        { "/dev/null", RW },
        { "/dev/zero", RW },
        { "/dev/full", RW },
        { "/dev/random", R },
        { "/dev/urandom", R },
};
const size_t n_system_paths = ELEMENTSOF(system_paths);

const char *const system_loaders[] = {
        "/lib64/ld-linux-x86-64.so.2",
        "/lib/ld-linux-aarch64.so.1",
        "/lib/ld-linux.so.2",
};
const size_t n_system_loaders = ELEMENTSOF(system_loaders);
