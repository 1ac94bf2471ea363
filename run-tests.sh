#!/usr/bin/env bash
# The whole test suite: builds in build/ and runs it, then again in an
# AddressSanitizer + UBSan build (build-asan/). --quick skips the second.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/deps.sh
permit_ensure_debs

quick=0
[ "${1:-}" = "--quick" ] && quick=1

echo "== build/ (debugoptimized, warnings are errors)"
permit_build build -Dwerror=true -Dman=enabled
meson test -C build --print-errorlogs --num-processes 2

if [ $quick = 0 ]; then
        echo "== build-asan/ (address,undefined sanitizers; the Xvfb UI tests run in build/ only: GTK's own allocations drown the report)"
        permit_build build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
                meson test -C build-asan --print-errorlogs --num-processes 2
fi
