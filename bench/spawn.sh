#!/usr/bin/env bash
# bench/spawn.sh [BUILD_DIR]
#
# What starting a program in a permit sandbox costs: `permit run --allow ...
# -- /bin/true` against plain /bin/true, bwrap and firejail (hyperfine); the
# same for permit_spawn() from a C host against fork + exec
# (bench/spawn-bench.c); and what the seccomp filter adds to one system call
# (bench/syscall-bench.c). bench/README.md has the figures.
#
#   BUILD_DIR      meson build dir (default: build-bench, set up and built
#                  here if missing, as release: the static `permit` front)
#   BENCH_RESULTS  where hyperfine's JSON and markdown go
#                  (default: BUILD_DIR/bench-results)
#   BENCH_RUNS     hyperfine runs per command (default: 2000)
#
# Needs hyperfine, bubblewrap, firejail (as root, installed with apt-get
# when missing); they are benchmark peers only, not test dependencies.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build-bench}
runs=${BENCH_RUNS:-2000}

. "$here/lib.sh"
bench_need spawn.sh hyperfine bwrap=bubblewrap firejail jq
bench_build
ninja -C "$build" >/dev/null  # always: the figures are for the code as it is now

work=$(mktemp -d "${TMPDIR:-/tmp}/permit-spawn-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data" "$work/tmp"

echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
allow=(--allow 'fs.read:$DOCUMENTS' --allow net.listen:8080)
hyperfine -N --warmup 200 --runs "$runs" \
        --export-json "$results/spawn.json" --export-markdown "$results/spawn.md" \
        -n plain '/bin/true' \
        -n 'permit run' "$permit run --data $work/data --tmp $work/tmp ${allow[*]} -- /bin/true" \
        -n 'permit run, private dirs' "$permit run ${allow[*]} -- /bin/true" \
        -n bwrap 'bwrap --ro-bind / / --dev /dev --proc /proc --unshare-all /bin/true' \
        -n firejail 'firejail --quiet --noprofile /bin/true' >/dev/null

echo
echo "| command | median | fastest | over plain (median) | share of bwrap |"
echo "|---|---|---|---|---|"
jq -r '
  (.results[] | select(.command == "plain") | .median) as $plain |
  (.results[] | select(.command == "bwrap") | .median) as $bwrap |
  .results[] | "| \(.command) | \(.median * 1e6 | round / 1000) ms | \(.min * 1e6 | round / 1000) ms | " +
    "+\((.median - $plain) * 1e6 | round / 1000) ms | \(.median / $bwrap * 100 | round) % |"' "$results/spawn.json"

# The same commands, one run of each in turn (hyperfine runs all of one
# first; on a shared machine load then hits them unequally), with the floor
# of any launcher that executes its command: a static execv() wrapper.
cc -O2 -o "$work/interleave" "$here/interleave.c"
cc -O2 -static -o "$work/exec-wrapper" "$here/exec-wrapper.c"
echo
"$work/interleave" "${INTERLEAVE_RUNS:-1000}" /bin/true "$work/exec-wrapper /bin/true" \
        "$permit run --data $work/data --tmp $work/tmp ${allow[*]} -- /bin/true" \
        "$permit run ${allow[*]} -- /bin/true" \
        "$(command -v bwrap) --ro-bind / / --dev /dev --proc /proc --unshare-all /bin/true" \
        "$(command -v firejail) --quiet --noprofile /bin/true" | tee "$results/interleave.md"

echo
cc -O2 -o "$work/spawn-bench" "$here/spawn-bench.c" -I"$root/include" -L"$build" -lpermit -Wl,-rpath,"$build"
cc -O2 -o "$work/syscall-bench" "$here/syscall-bench.c" -I"$root/include" -L"$build" -lpermit -Wl,-rpath,"$build"
"$work/spawn-bench" "${SPAWN_RUNS:-2000}" | tee "$results/spawn-c.txt"
echo
"$work/syscall-bench" | tee "$results/syscall.txt"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
