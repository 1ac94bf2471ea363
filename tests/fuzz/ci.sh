#!/usr/bin/env bash
# tests/fuzz/ci.sh [SECONDS]
#
# CI's fuzzing step: builds build-fuzz/ with clang (-Dfuzzing=true: ASan,
# UBSan, libFuzzer), replays every target's corpus there, then runs each
# target for SECONDS (default 30) with bench/fuzz.sh. Fails on any crash,
# leak, hang or sanitizer report; the crashing input is in
# build-fuzz/fuzz-results/TARGET/artifacts/. Eleven targets: about
# 11 x SECONDS plus a minute to build.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
build=${FUZZ_BUILD:-build-fuzz}

if [[ ! -f $build/build.ninja ]]; then
        CC=clang meson setup "$build" -Dfuzzing=true -Db_lundef=false -Dtests=false -Dman=disabled \
                >"$build.setup.log" 2>&1 || { cat "$build.setup.log" >&2; exit 1; }
        rm -f "$build.setup.log"
fi
ninja -C "$build" >/dev/null || ninja -C "$build"
echo "== fuzz corpus replay ($build, ASan + UBSan)"
meson test -C "$build" --suite fuzz --print-errorlogs --num-processes 2
echo "== fuzzing, ${seconds} s per target"
bench/fuzz.sh "$seconds" "$build"
