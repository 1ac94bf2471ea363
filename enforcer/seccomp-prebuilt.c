/* SPDX-License-Identifier: MIT */
/* The seccomp filters compiled at build time by gen-seccomp-bpf (native
 * builds only; a cross build compiles at run time). */
#include "enforcer-private.h"

#ifdef PERMIT_SECCOMP_PREBUILT
#include "seccomp-bpf.h"

bool seccomp_prebuilt(unsigned variant, const struct sock_filter **ret, unsigned short *ret_len) {
        if (variant >= SECCOMP_VARIANTS)
                return false;
        *ret = prebuilt[variant].bpf;
        *ret_len = prebuilt[variant].len;
        return true;
}
#else
bool seccomp_prebuilt(unsigned variant, const struct sock_filter **ret, unsigned short *ret_len) {
        return false;
}
#endif
