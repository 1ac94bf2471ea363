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

need=()
for t in hyperfine bwrap firejail jq; do
        command -v "$t" >/dev/null || need+=("$t")
done
if ((${#need[@]})); then
        pkgs=$(printf '%s\n' "${need[@]}" | sed 's/^bwrap$/bubblewrap/' | tr '\n' ' ')
        if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
                apt-get install -y $pkgs >/dev/null
        else
                echo "spawn.sh: missing ${need[*]}: apt-get install -y $pkgs" >&2
                exit 2
        fi
fi

if [[ ! -x $build/tools/permit ]]; then
        [[ -d $build ]] || meson setup "$build" "$root" --buildtype=release >/dev/null
fi
ninja -C "$build" >/dev/null
build=$(cd "$build" && pwd)
permit=$build/tools/permit
results=${BENCH_RESULTS:-$build/bench-results}
mkdir -p "$results"
results=$(cd "$results" && pwd)

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

echo
cc -O2 -o "$work/spawn-bench" "$here/spawn-bench.c" -I"$root/include" -L"$build" -lpermit -Wl,-rpath,"$build"
cc -O2 -o "$work/syscall-bench" "$here/syscall-bench.c" -I"$root/include" -L"$build" -lpermit -Wl,-rpath,"$build"
"$work/spawn-bench" "${SPAWN_RUNS:-2000}" | tee "$results/spawn-c.txt"
echo
"$work/syscall-bench" | tee "$results/syscall.txt"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
