# SPDX-License-Identifier: MIT
# TAP helpers for the integration tests (sourced; needs T, a scratch
# directory, and PYTHON3 for json). The test prints "1..$n" at its end and
# exits non-zero when failures > 0.

n=0
failures=0

pass() {
        n=$((n + 1))
        echo "ok $n - $1"
}

# fail DESC WHY [output]: says why and, with a third argument, shows the
# last command's output as TAP notes.
fail() {
        n=$((n + 1))
        failures=$((failures + 1))
        echo "not ok $n - $1"
        echo "# $2"
        [ $# -ge 3 ] || return 0
        if [ -s "$T/.err" ]; then
                sed 's/^/#   stderr: /' "$T/.err" | head -20
        fi
        if [ -s "$T/.out" ]; then
                sed 's/^/#   stdout: /' "$T/.out" | head -10
        fi
}

# check DESC WHY [output]: pass when WHY is empty.
check() {
        if [ -z "$2" ]; then pass "$1"; else fail "$@"; fi
}

# t DESC RC [--err TEXT]... [--out TEXT]... [--no-out] -- COMMAND...
# Runs COMMAND (stdin from /dev/null, no terminal) and checks its exit
# status and that stderr/stdout hold each TEXT. Every failure must say
# something on stderr, and no run may report a sanitizer error.
t() {
        local desc=$1 want=$2 why="" rc s
        local -a errs=() outs=()
        local no_out=0
        shift 2
        while [ $# -gt 0 ] && [ "$1" != "--" ]; do
                case $1 in
                --err) errs+=("$2"); shift 2 ;;
                --out) outs+=("$2"); shift 2 ;;
                --no-out) no_out=1; shift ;;
                *) echo "Bail out! t: bad option $1"; exit 99 ;;
                esac
        done
        shift
        setsid -w "$@" >"$T/.out" 2>"$T/.err" </dev/null
        rc=$?
        [ "$rc" -eq "$want" ] || why="exit status $rc, expected $want"
        for s in "${errs[@]}"; do
                grep -qF -- "$s" "$T/.err" || why="${why:+$why; }stderr lacks '$s'"
        done
        for s in "${outs[@]}"; do
                grep -qF -- "$s" "$T/.out" || why="${why:+$why; }stdout lacks '$s'"
        done
        if [ "$no_out" = 1 ] && [ -s "$T/.out" ]; then
                why="${why:+$why; }stdout is not empty"
        fi
        if [ "$rc" -ne 0 ] && [ ! -s "$T/.err" ]; then
                why="${why:+$why; }failed without a message on stderr"
        fi
        if grep -qE 'Sanitizer|runtime error:' "$T/.err"; then
                why="${why:+$why; }sanitizer report"
        fi
        check "$desc" "$why" output
}

# json DESC EXPR: the last command's stdout is one JSON document and the
# Python expression EXPR (over it, as d) is true.
json() {
        local why
        if [ -z "$PYTHON3" ]; then
                fail "$1" "python3 not found"
                return
        fi
        why=$("$PYTHON3" -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError as e:
    print("not JSON: %s" % e)
    sys.exit(0)
if not eval(sys.argv[1]):
    print("false: %s" % sys.argv[1])
' "$2" <"$T/.out" 2>&1)
        check "$1" "$why" output
}
