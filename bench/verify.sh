#!/usr/bin/env bash
# bench/verify.sh [BUILD_DIR]
#
# How fast `permit verify` checks a sealed package, against `minisign -V` on
# the same archive and plain hashers (b2sum, openssl) on the same bytes.
#
# Builds three packages from random data, zips and signs them, then times
# with hyperfine (page cache warm: warm-up runs first) and measures peak
# memory with /usr/bin/time -v. Prints a summary table at the end.
#
#   BUILD_DIR      meson build dir holding tools/permit (default: build-bench,
#                  set up and built here if missing, as release)
#   BENCH_DIR      where the temporary work dir goes (default: /tmp); it needs
#                  about 1 GiB free and is removed on exit
#   BENCH_RESULTS  where hyperfine's markdown and JSON go
#                  (default: BUILD_DIR/bench-results)
#   BENCH_RUNS     minimum hyperfine runs per command (default: 10)
#   BENCH_QUICK=1  smaller packages (16 MiB, 1,000 files), for trying the script
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build-bench}
runs=${BENCH_RUNS:-10}

. "$here/lib.sh"
bench_need verify.sh hyperfine minisign zip jq b2sum=coreutils openssl /usr/bin/time=time
bench_build

work=$(mktemp -d "${BENCH_DIR:-/tmp}/permit-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

if [[ ${BENCH_QUICK:-0} == 1 ]]; then
        big_mib=16 n_dirs=4 per_dir=250
else
        big_mib=256 n_dirs=10 per_dir=1000
fi
small_size=10240

# --- machine -----------------------------------------------------------------
{
        echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo "cpu:     $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
        echo "cores:   $(nproc) online"
        echo "memory:  $(free -m | awk '/^Mem:/ {print $2 " MiB"}')"
        echo "kernel:  $(uname -r)"
        echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at start"
        echo "permit:  $("$permit" --version 2>/dev/null || echo '?') ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'))"
        echo "minisign $(minisign -v 2>&1 | awk '{print $2}'), $(openssl version | cut -d' ' -f1-2), $(b2sum --version | head -1), $(hyperfine --version)"
} | tee "$results/machine.txt"
if awk '{ exit !($1 > 0.5) }' /proc/loadavg; then
        echo "warning: the machine is busy (load $(cut -d' ' -f1 /proc/loadavg)); times will not be clean" >&2
fi
echo

# --- packages ----------------------------------------------------------------
"$permit" keygen -W -p key.pub -s key.sec >/dev/null

skeleton() {
        mkdir -p "$1"
        cp "$root/examples/word-of-the-day/permit.json" "$root/examples/word-of-the-day/__init__.py" "$1/"
}

echo "building packages in $work"
skeleton small
head -c $((1024 * 1024)) /dev/urandom >small/data.bin

skeleton big
head -c $((big_mib * 1024 * 1024)) /dev/urandom >big/data.bin

skeleton many
for ((d = 0; d < n_dirs; d++)); do
        sub=many/d$d
        mkdir -p "$sub"
        # One random stream cut into per_dir files of small_size bytes.
        head -c $((per_dir * small_size)) /dev/urandom |
                split -b "$small_size" -a 4 -d --additional-suffix=.bin - "$sub/f"
done

packages=(small big many)
for p in "${packages[@]}"; do
        (cd "$p" && zip -qr "../$p.zip" .)
        "$permit" sign -s key.sec "$p.zip" >/dev/null           # rewrites the zip, writes $p.zip.minisig
        "$permit" sign -s key.sec --no-minisig "$p" >/dev/null  # the directory form
        "$permit" verify -q -p key.pub "$p.zip"
        "$permit" verify -q -p key.pub "$p"
        minisign -Vqm "$p.zip" -p key.pub
done
ls -l ./*.zip | awk '{print "  " $5 " bytes  " $NF}'
echo "  many: $(find many -type f | wc -l) files"
echo

# --- single-core hash speed --------------------------------------------------
echo "single-core BLAKE2b speed"
openssl speed -seconds 2 -evp blake2b512 2>/dev/null | tee "$results/openssl-speed.txt" | tail -2
# openssl prints 1000s of bytes per second for each block size; take 16384.
openssl_mbs=$(awk '/^blake2b512/ {v = $NF; sub(/k$/, "", v); printf "%.0f", v / 1000}' "$results/openssl-speed.txt")

# libsodium's BLAKE2b, the one permit uses, over 1 MiB leaves like the tree
# hash, in memory, one thread: once as permit runs it (after sodium_init(),
# which picks libsodium's "best" implementation for the CPU) and once with
# the portable code libsodium uses before sodium_init().
sodium_mbs= sodium_ref_mbs=
if cat >sodium-speed.c <<'EOF' && cc -O2 -o sodium-speed sodium-speed.c $(pkg-config --cflags --libs libsodium) 2>/dev/null; then
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
int main(int argc, char **argv) {
        size_t leaf = 1 << 20, total = (size_t) 256 << 20;
        unsigned char *buf = malloc(total), out[32];
        struct timespec a, b;
        double best = 0;
        if (!buf)
                return 1;
        for (size_t i = 0; i < total; i++)
                buf[i] = (unsigned char) (i * 2654435761u >> 13);
        if (!(argc > 1 && strcmp(argv[1], "portable") == 0) && sodium_init() < 0)
                return 1;
        for (int rep = 0; rep < 5; rep++) {
                clock_gettime(CLOCK_MONOTONIC, &a);
                for (size_t off = 0; off < total; off += leaf)
                        crypto_generichash(out, sizeof(out), buf + off, leaf, NULL, 0);
                clock_gettime(CLOCK_MONOTONIC, &b);
                double s = (double) (b.tv_sec - a.tv_sec) + (double) (b.tv_nsec - a.tv_nsec) / 1e9;
                if (total / s / 1e6 > best)
                        best = total / s / 1e6;
        }
        printf("%.0f\n", best);
        return 0;
}
EOF
        sodium_mbs=$(./sodium-speed)
        sodium_ref_mbs=$(./sodium-speed portable)
fi

python_mbs=
if command -v python3 >/dev/null; then
        python_mbs=$(python3 - big/data.bin <<'EOF'
import hashlib, sys, time
data = open(sys.argv[1], "rb").read()
best = 0
for _ in range(3):
    t = time.perf_counter()
    hashlib.blake2b(data).digest()
    best = max(best, len(data) / (time.perf_counter() - t) / 1e6)
print(round(best))
EOF
)
fi
{
        echo "openssl speed blake2b512 (16 KiB blocks): ${openssl_mbs} MB/s"
        echo "libsodium crypto_generichash, 1 MiB leaves, in memory, after sodium_init() (as permit and minisign run): ${sodium_mbs:-n/a} MB/s"
        echo "libsodium crypto_generichash, 1 MiB leaves, in memory, portable code (no sodium_init()): ${sodium_ref_mbs:-n/a} MB/s"
        echo "python3 hashlib.blake2b, $big_mib MiB in memory: ${python_mbs:-n/a} MB/s"
} | tee "$results/single-core.txt"
echo

# --- timings -----------------------------------------------------------------
hf() { # NAME COMMAND...
        local name=$1
        shift
        hyperfine -N --warmup 2 --min-runs "$runs" --style basic \
                --export-markdown "$results/$name.md" --export-json "$results/$name.json" "$@"
}

for p in "${packages[@]}"; do
        echo "== $p.zip"
        args=(-n "permit verify $p.zip" "$permit verify -q -p key.pub $p.zip"
                -n "minisign -V $p.zip" "minisign -Vqm $p.zip -p key.pub"
                -n "b2sum $p.zip" "b2sum $p.zip"
                -n "openssl blake2b512 $p.zip" "openssl dgst -blake2b512 $p.zip")
        if [[ $p != small ]]; then
                args+=(-n "permit verify $p/" "$permit verify -q -p key.pub $p")
        fi
        hf "$p" "${args[@]}"
        echo
done

# --- interleaved: permit verify and minisign -V, one run of each in turn -----
# hyperfine runs all of one command, then all of the next: on a shared
# machine load then hits them unequally. bench/interleave.c alternates them,
# so the ratio of their medians is the figure to trust when the machine is
# busy (INTERLEAVE_RUNS, default 3 x BENCH_RUNS, at least 10).
cc -O2 -o "$work/interleave" "$here/interleave.c"
interleave_runs=${INTERLEAVE_RUNS:-$((3 * runs < 10 ? 10 : 3 * runs))}
: >"$results/ratios.txt"
for p in "${packages[@]}"; do
        "$work/interleave" "$interleave_runs" "$permit verify -q -p key.pub $p.zip" \
                "$(command -v minisign) -Vqm $p.zip -p key.pub" >"$results/interleave-$p.md"
        # rows: | `CMD` | median | p10 | fastest | ...; first permit, then minisign
        awk -F' *[|] *' -v p="$p" 'BEGIN { n = 0 } /^[|] `/ { sub(/ ms$/, "", $3); sub(/ ms$/, "", $5); med[n] = $3; fast[n] = $5; n++ }
                END { printf "ratio minisign/permit (%s.zip, interleaved): median %.2fx, fastest %.2fx (permit %.1f ms, minisign %.1f ms median)\n",
                        p, med[1] / med[0], fast[1] / fast[0], med[0], med[1] }' "$results/interleave-$p.md" |
                tee -a "$results/ratios.txt"
done
echo

# --- peak memory -------------------------------------------------------------
rss() { # COMMAND... -> KiB
        /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': *' '/Maximum resident set size/ {print $2}'
}
: >"$results/rss.txt"
for p in "${packages[@]}"; do
        for target in "$p.zip" "$p"; do
                echo "permit verify $target: $(rss "$permit" verify -q -p key.pub "$target") KiB" >>"$results/rss.txt"
        done
        echo "minisign -V $p.zip: $(rss minisign -Vqm "$p.zip" -p key.pub) KiB" >>"$results/rss.txt"
done
cat "$results/rss.txt"
echo

# --- summary -----------------------------------------------------------------
# The median and the fastest run: other work on a shared machine shows as
# outliers, which move the mean (hyperfine's .md/.json keep mean and sigma).
stat_ms() { # FILE NAME FIELD
        jq -r --arg n "$2" --arg k "$3" '.results[] | select(.command == $n) | .[$k] * 1000' "$1"
}
rss_of() {
        awk -v k="permit verify $1:" 'index($0, k) == 1 {printf "%.1f MiB", $(NF-1) / 1024}' "$results/rss.txt"
}

{
        echo "MB = 10^6 bytes; MB/s = archive size / median time. Median (fastest) of >= $runs runs, page cache warm."
        echo
        echo "| package | size | permit verify | MB/s | minisign -V | MB/s | minisign/permit | b2sum MB/s | openssl MB/s | permit verify dir/ | permit peak RSS (zip / dir) |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        for p in "${packages[@]}"; do
                f=$results/$p.json
                bytes=$(stat -c %s "$p.zip")
                pv=$(stat_ms "$f" "permit verify $p.zip" median)
                pvmin=$(stat_ms "$f" "permit verify $p.zip" min)
                mv=$(stat_ms "$f" "minisign -V $p.zip" median)
                mvmin=$(stat_ms "$f" "minisign -V $p.zip" min)
                b2=$(stat_ms "$f" "b2sum $p.zip" median)
                os=$(stat_ms "$f" "openssl blake2b512 $p.zip" median)
                dir=$(stat_ms "$f" "permit verify $p/" median)
                case $p in
                small) label="(a) 1 MiB, 1 file" ;;
                big) label="(b) $big_mib MiB, 1 file" ;;
                many) label="(c) $((n_dirs * per_dir)) x 10 KiB" ;;
                esac
                awk -v label="$label" -v bytes="$bytes" -v pv="$pv" -v pvmin="$pvmin" -v mv="$mv" -v mvmin="$mvmin" \
                        -v b2="$b2" -v os="$os" -v dir="$dir" -v rz="$(rss_of "$p.zip")" -v rd="$(rss_of "$p")" 'BEGIN {
                        mb = bytes / 1e6
                        d = dir == "" ? "-" : sprintf("%.1f ms (%.0f MB/s)", dir, mb / dir * 1000)
                        printf "| %s | %.1f MB | %.1f ms (%.1f) | %.0f | %.1f ms (%.1f) | %.0f | %.2fx | %.0f | %.0f | %s | %s / %s |\n",
                                label, mb, pv, pvmin, mb / pv * 1000, mv, mvmin, mb / mv * 1000, mv / pv,
                                mb / b2 * 1000, mb / os * 1000, d, rz, rd
                }'
        done
} | tee "$results/summary.md"
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load:    $load (1, 5, 15 min) at end" | tee -a "$results/machine.txt"
cat "$results/ratios.txt"
echo
echo "results in $results"
