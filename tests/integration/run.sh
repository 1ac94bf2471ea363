#!/bin/bash
# SPDX-License-Identifier: MIT
# `permit run` and `permit doctor` as scripts use them: exit statuses (the
# command's, 128+N, 125 permit failed, 126 not executable, 127 not found),
# the sandbox's effect on a few ordinary commands, private $DATA/$TMP,
# the environment, the report, the watchdog. Prints TAP. The hostile
# add-on suite is tests/escape/.
#
#   run.sh PERMIT
set -u

PERMIT=$(realpath "${1:?usage: run.sh PERMIT}")
PY=/usr/bin/python3
T=$(mktemp -d "${TMPDIR:-/tmp}/permit-run.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
H=$T/home
mkdir -p "$H/Documents" "$H/.ssh" "$T/data" "$T/tmp" "$T/addon"
echo secret >"$H/.ssh/id"
echo words >"$H/Documents/note"
echo 'not a program' >"$T/addon/plain"
chmod 644 "$T/addon/plain"

n=0
bad=0

# expect DESC STATUS [grep PATTERN on OUT|ERR]... -- CMD: runs CMD, compares its status.
expect() {
        local desc=$1 want=$2 problem="" rc
        local -a checks=()
        shift 2
        while [ "$1" != "--" ]; do
                checks+=("$1" "$2")
                shift 2
        done
        shift
        "$@" >"$T/out" 2>"$T/err" </dev/null
        rc=$?
        [ "$rc" = "$want" ] || problem="status $rc, want $want"
        set -- "${checks[@]}"
        while [ $# -gt 0 ]; do
                case $1 in
                out) grep -qF -- "$2" "$T/out" || problem="$problem; stdout lacks '$2'" ;;
                err) grep -qF -- "$2" "$T/err" || problem="$problem; stderr lacks '$2'" ;;
                esac
                shift 2
        done
        grep -qE 'Sanitizer|runtime error:' "$T/err" && problem="$problem; sanitizer report"
        n=$((n + 1))
        if [ -z "$problem" ]; then
                echo "ok $n - $desc"
        else
                bad=$((bad + 1))
                echo "not ok $n - $desc"
                echo "# ${problem#; }"
                sed 's/^/#   stderr: /' "$T/err" | head -8
                sed 's/^/#   stdout: /' "$T/out" | head -4
        fi
}

# assert DESC CONDITION-COMMAND...
assert() {
        local desc=$1
        shift
        n=$((n + 1))
        if "$@"; then echo "ok $n - $desc"; else bad=$((bad + 1)); echo "not ok $n - $desc"; fi
}

R=("$PERMIT" run --home "$H")
D=(--data "$T/data" --tmp "$T/tmp")

# --- options and exit statuses -----------------------------------------------------
expect "run --help" 0 out "Usage: permit run" out "Example" -- "$PERMIT" run --help
expect "doctor --help" 0 out "Usage: permit doctor" -- "$PERMIT" doctor --help
expect "true" 0 -- "${R[@]}" -- /bin/true
expect "true, fast path" 0 -- "${R[@]}" "${D[@]}" -- /bin/true
expect "command's status" 7 -- "${R[@]}" -- /bin/sh -c 'exit 7'
expect "command's status, fast path" 7 -- "${R[@]}" "${D[@]}" -- /bin/sh -c 'exit 7'
expect "killed by a signal: 128+N" 143 -- "${R[@]}" -- /bin/sh -c 'kill -TERM $$'
expect "not found: 127" 127 err "permit run: permit-no-such: command not found" -- "${R[@]}" -- permit-no-such
expect "not executable: 126" 126 err "not executable" -- "${R[@]}" -- "$T/addon/plain"
expect "bad capability: 125" 125 err "permit run: --allow 'made.up': unknown kind 'made.up'" -- "${R[@]}" --allow made.up -- /bin/true
expect "bad path template: 125" 125 err "unknown path template" -- "${R[@]}" --allow 'fs.read:$NOPE' -- /bin/true
expect "unknown limit: 125" 125 err "unknown limit" -- "${R[@]}" --limit memory=5 -- /bin/true
expect "bad limit value: 125" 125 err "whole number" -- "${R[@]}" --limit memory_mb=-1 -- /bin/true
expect "bad ABI: 125" 125 err "must be 0-7" -- "${R[@]}" --landlock-abi 8 -- /bin/true
expect "unknown option: 125" 125 err "unknown option or missing value: '--frobnicate'" -- "${R[@]}" --frobnicate -- /bin/true
expect "missing value: 125" 125 err "missing value: '--allow'" -- "$PERMIT" run --allow
expect "no command: 125" 125 err "needs a command" -- "${R[@]}" --
expect "--profile without a store: 125" 125 err "no store here" -- "$PERMIT" run --profile "$T" org.example.a -- /bin/true
expect "stdin and stdout pass through" 0 out "through" -- bash -c "echo through | '$PERMIT' run -- /bin/cat"

# --- the sandbox --------------------------------------------------------------------
expect "\$DATA and \$TMP are writable" 0 out "ok" -- "${R[@]}" "${D[@]}" -- /bin/sh -c \
        'echo x >"$PERMIT_DATA/f" && echo y >"$TMPDIR/g" && echo ok'
assert "--data keeps its files" test -f "$T/data/f"
expect "private \$DATA by default" 0 out "/permit-data." -- "${R[@]}" -- /bin/sh -c 'echo x >"$PERMIT_DATA/f" && echo "$PERMIT_DATA"'
private=$(cat "$T/out")
assert "the private \$DATA is removed afterwards" test ! -e "$private"
expect "Documents are not writable" 2 err "Permission denied" -- "${R[@]}" -- /bin/sh -c "echo x >'$H/Documents/new'"
expect "Documents are not readable" 2 err "Permission denied" -- "${R[@]}" -- /bin/sh -c "read l <'$H/Documents/note'"
expect "fs.write:\$DOCUMENTS allows it" 0 -- "${R[@]}" --allow 'fs.write:$DOCUMENTS' -- /bin/sh -c "echo x >'$H/Documents/new'"
expect "... but not ~/.ssh" 2 err "Permission denied" -- "${R[@]}" --allow 'fs.write:$DOCUMENTS' -- /bin/sh -c "read l <'$H/.ssh/id'"
expect "fs.read:\$HOME/.ssh allows reading it" 0 out "secret" -- "${R[@]}" --allow 'fs.read:$HOME/.ssh' -- /bin/sh -c "read l <'$H/.ssh/id'; echo \$l"
mkdir -p "$H/profile/permit"
echo '{}' >"$H/profile/permit/grants.json"
expect "fs.write:\$HOME leaves the profile's store out" 0 out "store EACCES" out "home ok" -- "${R[@]}" --profile-dir "$H/profile" --allow 'fs.write:$HOME' -- "$PY" -c '
import errno, sys
h = sys.argv[1]
try: open(h + "/profile/permit/grants.json", "w"); print("store written")
except OSError as e: print("store", errno.errorcode[e.errno])
open(h + "/Documents/from-sandbox", "w").write("x"); print("home ok")' "$H"
expect "... which even listing cannot reach" 0 out "EACCES" -- "${R[@]}" --profile-dir "$H/profile" --allow 'fs.read:$HOME' -- "$PY" -c '
import errno, os, sys
try: print(os.listdir(sys.argv[1] + "/profile/permit"))
except OSError as e: print(errno.errorcode[e.errno])' "$H"
expect "no other program runs" 126 -- "${R[@]}" -- /bin/sh -c '/bin/true'
expect "proc.exec allows one" 0 -- "${R[@]}" --allow proc.exec:/usr/bin/true -- /bin/sh -c '/bin/true'
expect "no network" 0 out "EACCES" -- "${R[@]}" -- "$PY" -c '
import socket, errno
try: socket.create_connection(("127.0.0.1", 9))
except OSError as e: print(errno.errorcode[e.errno])'
expect "net.listen:PORT, direct mode: that port only" 0 out "bound EACCES" -- "${R[@]}" --net direct --allow net.listen:38090 -- "$PY" -c '
import socket, errno
s = socket.socket(); s.bind(("127.0.0.1", 38090)); s.listen()
try: socket.socket().bind(("127.0.0.1", 38091)); print("bound other")
except OSError as e: print("bound", errno.errorcode[e.errno])'
expect "inherited descriptors are closed" 2 err "Bad file descriptor" -- bash -c "'$PERMIT' run -- /bin/sh -c 'echo x >&9' 9>/dev/null"
expect "the environment is kept" 0 out "kept" -- env PERMIT_TEST_VAR=kept "${R[@]}" -- /bin/sh -c 'echo $PERMIT_TEST_VAR'
expect "--clearenv" 0 out "[] /usr/bin:/bin" -- env PERMIT_TEST_VAR=kept "${R[@]}" --clearenv -- /bin/sh -c 'echo "[$PERMIT_TEST_VAR] $PATH"'
expect "wall time: killed, 137" 137 err "killed after its wall time (1 s)" -- "${R[@]}" --limit wall_seconds=1 -- /bin/sh -c 'while :; do :; done'
expect "open files limit" 0 out "12" -- "${R[@]}" --limit open_files=12 -- /bin/sh -c 'ulimit -n'
expect "file size limit: EFBIG" 0 out "File too large" -- "${R[@]}" --limit file_size_mb=1 -- "$PY" -c '
import os
try: open(os.environ["PERMIT_DATA"] + "/big", "wb").write(b"x" * (2 << 20))
except OSError as e: print(e.strerror)'

# --- reports ----------------------------------------------------------------------
expect "--report" 0 err "Landlock ABI 7 (kernel: 7)" err "fully enforced" -- "${R[@]}" --report -- /bin/true
expect "--report --json" 0 -- "${R[@]}" --report --json --net direct --allow net.listen:8080 -- /bin/true
assert "... is JSON with the port rule" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["landlock_abi"] == 7 and d["landlock"]["net"][0]["port"] == 8080, d' "$T/err"
expect "--report --json, broker mode" 0 -- "${R[@]}" --report --json --allow net.connect:api.example.com:443 -- /bin/true
assert "... says broker mode, fully enforced, no port rule" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["net_mode"] == "broker" and d["fully_enforced"] and d["landlock"]["net"] == [], d
assert d["capabilities"][0]["status"] == "enforced" and "via broker (fully enforced)" in d["capabilities"][0]["note"], d' "$T/err"
expect "--net proxy: the report says so" 0 err "Network: proxy mode" -- "${R[@]}" --report --net proxy --allow net.connect:a.example.com -- /bin/true
expect "--net bogus: refused" 125 err "must be broker, direct or proxy" -- "${R[@]}" --net bogus -- /bin/true
expect "--landlock-abi 3" 0 err "Landlock ABI 3" err "signals                not enforced" -- "${R[@]}" --report --landlock-abi 3 -- /bin/true
expect "PERMIT_LANDLOCK_ABI=5" 0 err "Landlock ABI 5" -- env PERMIT_LANDLOCK_ABI=5 "${R[@]}" --report -- /bin/true
expect "--require-full on ABI 7" 0 -- "${R[@]}" --require-full -- /bin/true
expect "--require-full on ABI 5: 125" 125 err "cannot fully enforce" -- "${R[@]}" --require-full --landlock-abi 5 -- /bin/true
expect "--landlock-abi 0: no Landlock" 0 out "words" -- "${R[@]}" --landlock-abi 0 -- /bin/sh -c "cat '$H/Documents/note' 2>/dev/null || read l <'$H/Documents/note'; echo \$l"

# --- doctor ---------------------------------------------------------------------
expect "doctor" 0 out "Landlock: yes, ABI 7" out "seccomp: yes" -- "$PERMIT" doctor
expect "doctor --json" 0 -- "$PERMIT" doctor --json
assert "... is JSON" "$PY" -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["landlock_abi"] == 7 and d["seccomp"]' "$T/out"
expect "doctor with an operand: 2" 2 err "unexpected argument" -- "$PERMIT" doctor extra

echo "1..$n"
[ "$bad" = 0 ]
