#!/usr/bin/env bash
# bench/index.sh [BUILD_DIR]
#
# How long a client takes to verify and load a registry index of 20,000
# add-ons (the goal: under 100 ms), against minisign checking the same
# signature and python3 parsing the same JSON, in the same run.
#
#   BUILD_DIR      meson build dir (default: build-bench, set up and built
#                  here if missing, as release)
#   BENCH_ADDONS   add-ons in the index (default: 20000)
#   BENCH_RUNS     minimum runs per command (default: 20)
#   BENCH_RESULTS  where hyperfine's markdown and JSON go
#                  (default: BUILD_DIR/bench-results)
#
# Prints the in-process figures of bench-index (permit_index_verify() on
# bytes already in memory: wall and CPU time per run, then 20,000 lookups)
# and hyperfine's table of whole processes: `permit registry check-index`
# (read both files, verify, parse), `minisign -V` (read, hash, verify only),
# `python3 json.load` (parse only; interpreter start-up included).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build-bench}
addons=${BENCH_ADDONS:-20000}
runs=${BENCH_RUNS:-20}

. "$here/lib.sh"
bench_need index.sh hyperfine minisign python3
bench_build bench/bench-index

work=$(mktemp -d "${BENCH_DIR:-/tmp}/permit-index-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/bench/bench-index" make "$work" "$addons" >"$results/index-make.json"
"$build/bench/bench-index" verify "$work" "$runs" | tee "$results/index-harness.json"

hyperfine -N --warmup 2 --min-runs "$runs" \
        --export-markdown "$results/index.md" --export-json "$results/index.json" \
        -n "permit registry check-index" "$permit registry check-index $work -p $work/registry.pub" \
        -n "minisign -V" "minisign -Vqm $work/index.json -x $work/index.json.sig -p $work/registry.pub" \
        -n "python3 json.load" "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' $work/index.json"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$results" <<'PY'
import json, sys
r = sys.argv[1]
h = json.load(open(f"{r}/index-harness.json"))
runs = {x["command"]: x for x in json.load(open(f"{r}/index.json"))["results"]}
ms = lambda name: runs[name]["median"] * 1e3
print(f"\nindex: {h['addons']} add-ons, {h['bytes'] / 1e6:.1f} MB")
print(f"permit_index_verify() in process: median {h['median_ms']:.1f} ms (fastest {h['min_ms']:.1f}), "
      f"CPU {h['cpu_median_ms']:.1f} ms (least {h['cpu_min_ms']:.1f}); {h['addons']} lookups {h['lookups_ms']:.1f} ms")
for name in runs:
    print(f"{name:30s} median {ms(name):7.1f} ms")
print(f"check-index / minisign -V: {ms('permit registry check-index') / ms('minisign -V'):.2f}x; "
      f"check-index / python3 json.load: {ms('permit registry check-index') / ms('python3 json.load'):.2f}x")
PY
