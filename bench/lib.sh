# Sourced by the bench/*.sh scripts: what each of them needs first.
# Callers set `root` (the source tree) and `build` (the build dir) and
# `set -euo pipefail`.

# bench_need SCRIPT TOOL=PACKAGE...: installs missing peers (as root, with
# apt-get) or prints the exact apt-get line and exits 2. TOOL alone when the
# package has the command's name; /usr/bin/time is "time".
bench_need() {
        local script=$1 t cmd pkg
        local -a missing=()
        shift
        for t in "$@"; do
                cmd=${t%%=*} pkg=${t#*=}
                if [[ $cmd == /* ]]; then [[ -x $cmd ]]; else command -v "$cmd" >/dev/null; fi ||
                        missing+=("$pkg")
        done
        ((${#missing[@]})) || return 0
        if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
                apt-get install -y "${missing[@]}" >/dev/null
        else
                echo "$script: missing ${missing[*]}: apt-get install -y ${missing[*]}" >&2
                exit 2
        fi
}

# bench_build FILE...: sets up $build as a release build if it does not
# exist and builds it unless every FILE (relative to it) is there; then
# makes $build absolute and sets $permit and $results (BENCH_RESULTS, or
# BUILD/bench-results). `permit` is a front that executes permit-tool
# beside it, so the whole build is built, never one target.
bench_build() {
        local f ok=1
        for f in tools/permit tools/permit-tool "$@"; do
                [[ -x $build/$f ]] || ok=0
        done
        if ((!ok)); then
                [[ -d $build ]] || meson setup "$build" "$root" --buildtype=release >/dev/null
                ninja -C "$build" >/dev/null
        fi
        build=$(cd "$build" && pwd)
        permit=$build/tools/permit
        results=${BENCH_RESULTS:-$build/bench-results}
        mkdir -p "$results"
        results=$(cd "$results" && pwd)
}
