#!/usr/bin/env bash
# bench/run-addon.sh [BUILD_DIR]
#
# What the add-on form of `permit run` costs over the --allow form: the
# front executes permit-tool, which opens the store, verifies the installed
# package against its pin and computes the effective grant
# (permit_ruleset_for_addon()) before the same restrict-and-exec. Peer: the
# --allow fast path with the same capabilities, in the same run (hyperfine).
#
#   BUILD_DIR   meson build dir (default: build-bench, release, set up here)
#   BENCH_RUNS  runs per command (default: 500)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build-bench}
runs=${BENCH_RUNS:-500}
command -v hyperfine >/dev/null || { echo "run-addon.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
if [[ ! -x $build/tools/permit ]]; then
        [[ -d $build ]] || meson setup "$build" "$root" --buildtype=release >/dev/null
fi
ninja -C "$build" >/dev/null
permit=$(cd "$build" && pwd)/tools/permit

w=$(mktemp -d "${TMPDIR:-/tmp}/permit-run-addon-bench.XXXXXX")
trap 'rm -rf "$w"' EXIT
mkdir -p "$w/home/Documents" "$w/data" "$w/tmp" "$w/addon"
"$permit" keygen -W -p "$w/k.pub" -s "$w/k.key" >/dev/null
cat >"$w/addon/permit.json" <<'EOT'
{"id": "org.example.bench", "name": "Bench", "version": "1.0.0", "publisher": "Example", "entry": "main.sh",
 "capabilities": [{"id": "fs.read:$DOCUMENTS"}, {"id": "net.listen:8080", "required": false}]}
EOT
printf '#!/bin/sh\n' >"$w/addon/main.sh"
head -c 1048576 /dev/urandom >"$w/addon/data.bin" # a package of 1 MiB, hashed at every start
"$permit" sign -s "$w/k.key" --no-minisig "$w/addon" >/dev/null
P=$w/profile
"$permit" grants --profile "$P" approve --yes --allow net.listen:8080 "$w/addon" >/dev/null
mkdir -p "$P/addons"
cp -r "$w/addon" "$P/addons/org.example.bench"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --warmup 50 --runs "$runs" \
        -n 'permit run --allow (fast path)' \
        "$permit run --home $w/home --data $w/data --tmp $w/tmp --allow fs.read:\$DOCUMENTS --allow net.listen:8080 -- /bin/true" \
        -n 'permit run --profile, installed (1 MiB verified)' \
        "$permit run --profile $P org.example.bench --home $w/home --tmp $w/tmp -- /bin/true" \
        --export-markdown "$w/installed.md" >/dev/null
mv "$P/addons/org.example.bench" "$w/moved"
hyperfine -N --warmup 50 --runs "$runs" \
        -n 'permit run --profile, not installed' \
        "$permit run --profile $P org.example.bench --home $w/home --tmp $w/tmp -- /bin/true" \
        --export-markdown "$w/decided.md" 2>/dev/null >/dev/null
cat "$w/installed.md"
tail -n 1 "$w/decided.md"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
