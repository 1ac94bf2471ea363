#!/usr/bin/env bash
# bench/broker.sh [BUILD_DIR]
#
# Connection setup through the network broker against a direct connect on
# loopback (median added latency; goal under 100 us), and bulk throughput
# through proxy mode's relay against direct (goal >= 80%): the C harness
# bench/broker-bench.c. bench/README.md has the figures.
#
#   BUILD_DIR   meson build dir (default: build-bench, set up as release here)
#   BENCH_RUNS  connects of each kind (default: 2000)
#   BENCH_MIB   MiB per throughput run (default: 1024)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build-bench}
runs=${BENCH_RUNS:-2000}

. "$here/lib.sh"
bench_build
ninja -C "$build" bench/bench-broker >/dev/null
echo "machine: Debian 12, $(nproc) cores, kernel $(uname -r)"
"$build/bench/bench-broker" "$runs" "${BENCH_MIB:-1024}"
