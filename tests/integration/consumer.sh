#!/bin/bash
# SPDX-License-Identifier: MIT
# A host's view of libpermit: install the build into a staging directory,
# then compile and run a small program against it with nothing but
# `pkg-config permit` and the public headers. Prints TAP.
#
#   consumer.sh BUILD_DIR SOURCE_ROOT [SANITIZE]
#
# SANITIZE is the build's b_sanitize: a host linking an instrumented
# libpermit must be instrumented the same way.
set -u
BUILD=$(realpath "$1")
SRC=$(realpath "$2")
sanitize=()
[ -n "${3:-}" ] && [ "$3" != none ] && sanitize=("-fsanitize=$3")
T=$(mktemp -d "${TMPDIR:-/tmp}/permit-consumer.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
echo "1..3"

if meson install -C "$BUILD" --destdir "$T/root" --quiet --no-rebuild >"$T/install.log" 2>&1; then
        echo "ok 1 - meson install into a staging directory"
else
        echo "not ok 1 - meson install into a staging directory"
        sed 's/^/# /' "$T/install.log"
        exit 1
fi

pc=$(find "$T/root" -name permit.pc | head -n 1)
cat >"$T/host.c" <<'C'
#include <permit/manifest.h>
#include <permit/package.h>
#include <stdio.h>

int main(int argc, char **argv) {
        permit_manifest *m = NULL;
        permit_error error = { 0 };
        char buf[512];
        int r;

        if (argc != 2)
                return 2;
        r = permit_manifest_load(argv[1], &m, &error);
        if (r < 0) {
                fprintf(stderr, "%s\n", permit_error_string(&error, buf, sizeof(buf)));
                return 1;
        }
        printf("%s %s: %zu capabilities\n", permit_manifest_id(m), permit_manifest_version(m),
               permit_manifest_n_capabilities(m));
        permit_manifest_free(m);
        return 0;
}
C
# PKG_CONFIG_SYSROOT_DIR maps the .pc file's /usr/local paths into the stage.
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR="$T/root" pkg-config --cflags --libs permit)
if [ -n "$pc" ] && cc -std=c17 -Wall -Werror "${sanitize[@]}" -o "$T/host" "$T/host.c" $flags 2>"$T/cc.log"; then
        echo "ok 2 - a host compiles and links with pkg-config permit ($flags)"
else
        echo "not ok 2 - a host compiles and links with pkg-config permit"
        sed 's/^/# /' "$T/cc.log"
        exit 1
fi

libdir=$(dirname "$(find "$T/root" -name 'libpermit.so' | head -n 1)")
out=$(LD_LIBRARY_PATH=$libdir "$T/host" "$SRC/examples/word-of-the-day/permit.json" 2>&1)
if [ "$out" = "org.example.word-of-the-day 1.2.0: 3 capabilities" ]; then
        echo "ok 3 - it runs against the installed libpermit: $out"
else
        echo "not ok 3 - it runs against the installed libpermit: $out"
        exit 1
fi
