#!/usr/bin/env bash
# bench/fuzz.sh TIME [BUILD_DIR] [TARGET...]
#
# Runs each libFuzzer target of tests/fuzz for TIME (seconds, or with an
# s/m/h suffix: 30, 30s, 10m) and prints, per target: runs, executions per
# second, coverage (libFuzzer's cov: and ft: at the end), corpus size and
# the crashes (crash, leak, timeout or oom reports). ASan and UBSan are in
# the build: any report stops that target and counts as a crash.
#
#   BUILD_DIR    a -Dfuzzing=true build (default: build-fuzz; set up with
#                CC=clang and built here if missing)
#   TARGET...    some of: manifest seal pubkey seckey minisig zip json
#                json-reader store index rpc
#                (default: all)
#   FUZZ_OUT     where each target's log and any crashing input go
#                (default: BUILD_DIR/fuzz-results); the corpus grown during
#                the run is kept there too, the repository's is not changed
#   FUZZ_JOBS    targets run at once (default: 1; each takes one core)
#
# Exit status: 0 no crash, 1 a crash (its input is in FUZZ_OUT: replay it
# with BUILD_DIR/tests/fuzz/fuzz-TARGET FILE, then copy it into
# tests/fuzz/corpus/TARGET/ as a regression), 2 usage or build error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
all_targets=(manifest seal pubkey seckey minisig zip json json-reader store index rpc)

if (($# < 1)); then
        sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
        exit 2
fi
case $1 in
*h) seconds=$((${1%h} * 3600)) ;;
*m) seconds=$((${1%m} * 60)) ;;
*s) seconds=${1%s} ;;
*) seconds=$1 ;;
esac
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || { echo "fuzz.sh: bad TIME '$1'" >&2; exit 2; }
build=${2:-$root/build-fuzz}
shift $(($# >= 2 ? 2 : 1))
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")

if [[ ! -f $build/build.ninja ]]; then
        CC=clang meson setup "$build" "$root" -Dfuzzing=true -Db_lundef=false -Dtests=false -Dman=disabled \
                >"$build.setup.log" 2>&1 || { cat "$build.setup.log" >&2; exit 2; }
        rm -f "$build.setup.log"
fi
ninja -C "$build" >/dev/null || { ninja -C "$build"; exit 2; }
build=$(cd "$build" && pwd)
out=${FUZZ_OUT:-$build/fuzz-results}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The dictionary a target uses, if any (tests/fuzz/*.dict).
dict_for() {
        case $1 in
        zip) echo "$root/tests/fuzz/zip.dict" ;;
        json | json-reader | manifest | seal | store | index) echo "$root/tests/fuzz/json.dict" ;;
        esac
}

run_one() {
        local t=$1 exe=$build/tests/fuzz/fuzz-$1 dir=$out/$1 dict
        local -a opts=()
        [[ -x $exe ]] || { echo "fuzz.sh: no $exe (not a -Dfuzzing=true build?)" >&2; return 2; }
        dict=$(dict_for "$t")
        [[ -n $dict ]] && opts+=(-dict="$dict")
        rm -rf "$dir"
        mkdir -p "$dir/corpus" "$dir/artifacts"
        # -timeout: one input over 10 s is a hang; -rss_limit_mb: ASan's
        # shadow included. Seeds are read from the repository, new inputs
        # go to the work corpus only.
        ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
                "$exe" "${opts[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
                -artifact_prefix="$dir/artifacts/" "$dir/corpus" "$root/tests/fuzz/corpus/$t" \
                >"$dir/log" 2>&1 || true
}

summary() {
        local t=$1 dir=$out/$1 log=$out/$1/log last runs eps cov ft corp crashes
        last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
        cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
        ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
        corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
        crashes=$(find "$dir/artifacts" -type f | wc -l)
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$t" "${runs:--}" "${eps:--}" "${cov:--}" "${ft:--}" \
                "${corp:--}" "$crashes"
        if ((crashes)); then
                find "$dir/artifacts" -type f -printf '    %p\n' >&2
                grep -m 3 -E 'ERROR|SUMMARY|runtime error' "$log" | sed 's/^/    /' >&2 || true
        fi
        return $((crashes > 0))
}

echo "fuzz.sh: ${#targets[@]} targets, ${seconds} s each, load $(cut -d' ' -f1-3 /proc/loadavg), results in $out"
jobs_max=${FUZZ_JOBS:-1}
for t in "${targets[@]}"; do
        while (($(jobs -rp | wc -l) >= jobs_max)); do wait -n; done
        run_one "$t" &
done
wait

echo "| target | runs | exec/s | cov | ft | corpus | crashes |"
echo "|---|---:|---:|---:|---:|---:|---:|"
status=0
for t in "${targets[@]}"; do
        summary "$t" || status=1
done
exit $status
