#!/bin/bash
# SPDX-License-Identifier: MIT
# The real permit-consent binary, as a host runs it: exit codes (0
# allowed/saved, 1 cancelled, 2 usage or bad package), the one JSON line on
# stdout, the one-line error on stderr. The window is cancelled by
# PERMIT_CONSENT_TIMEOUT_MS (as Escape would). Runs under xvfb-run; TAP.
#
#   binary.sh PERMIT_CONSENT PERMIT SOURCE_ROOT LIBPERMIT
set -u

CONSENT=$(realpath "${1:?usage: binary.sh PERMIT_CONSENT PERMIT SOURCE_ROOT}")
PERMIT=$(realpath "${2:?}")
SRC=$(realpath "${3:?}")
LIBPERMIT=$(realpath "${4:?}")

T=$(mktemp -d "${TMPDIR:-/tmp}/permit-consent.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 99

n=0
failures=0

# check DESC WHY: ok when WHY is empty, else not ok with the output.
check() {
        n=$((n + 1))
        if [ -z "$2" ]; then
                echo "ok $n - $1"
                return
        fi
        failures=$((failures + 1))
        echo "not ok $n - $1"
        echo "# $2"
        sed 's/^/#   stderr: /' "$T/err" 2>/dev/null | head -10
        sed 's/^/#   stdout: /' "$T/out" 2>/dev/null | head -5
}

# run RC COMMAND...: runs it, stdout to out, stderr to err; says what is
# wrong with the exit status, if anything.
run() {
        local want=$1 rc
        shift
        "$@" >"$T/out" 2>"$T/err" </dev/null
        rc=$?
        [ "$rc" = "$want" ] || echo "exit status $rc, want $want"
}

lines() {
        wc -l <"$1" | tr -d ' '
}

"$PERMIT" keygen -W -p key.pub -s key.sec >/dev/null 2>&1 || { echo "Bail out! permit keygen failed"; exit 1; }
cp -r "$SRC/examples/word-of-the-day" addon
"$PERMIT" sign -s key.sec addon >/dev/null 2>&1 || { echo "Bail out! permit sign failed"; exit 1; }
ID=org.example.word-of-the-day

# Cancelled by the timeout: exit 1, {"result":"cancelled"}, nothing written.
why=$(PERMIT_CONSENT_TIMEOUT_MS=800 run 1 "$CONSENT" --profile "$T/profile" -p key.pub addon)
[ -n "$why" ] || [ "$(cat out)" = "{\"result\":\"cancelled\",\"id\":\"$ID\",\"version\":\"1.2.0\"}" ] ||
        why="stdout is not the cancelled line"
[ -n "$why" ] || [ "$(lines out)" = 1 ] || why="more than one line on stdout"
[ -n "$why" ] || [ ! -e "$T/profile/permit/grants.json" ] || why="cancel wrote grants.json"
[ -n "$why" ] || [ ! -e "$T/profile/permit/pins.json" ] || why="cancel pinned a key"
check "cancel (timeout): exit 1, one JSON line, nothing written" "$why"

# A tampered package: exit 2, one line on stderr naming it, no window.
cp -r addon tampered
echo "import os" >>tampered/__init__.py
why=$(PERMIT_CONSENT_TIMEOUT_MS=800 run 2 "$CONSENT" --profile "$T/profile" -p key.pub tampered)
[ -n "$why" ] || grep -q "^permit-consent: tampered: __init__.py: " err || why="stderr does not name the file"
[ -n "$why" ] || [ "$(lines err)" = 1 ] || why="more than one line on stderr"
[ -n "$why" ] || grep -q '^{"result":"error","error":"tampered: __init__.py' out || why="no error JSON line"
check "tampered package: exit 2, one line naming the file" "$why"

why=$(run 2 "$CONSENT" --profile "$T/profile" -p key.pub missing.zip)
[ -n "$why" ] || grep -q "^permit-consent: missing.zip: " err || why="stderr does not name the file"
check "missing package: exit 2" "$why"

# No key given and none pinned: the seal's own key, on first use.
why=$(PERMIT_CONSENT_TIMEOUT_MS=800 run 1 "$CONSENT" --profile "$T/profile" addon)
[ -n "$why" ] || grep -q '"result":"cancelled"' out || why="not cancelled"
check "first use without -p: verified with the seal's key" "$why"

why=$(run 2 "$CONSENT" --profile "$T/profile")
[ -n "$why" ] || grep -q "^permit-consent: needs one PACKAGE" err || why="no usage message"
[ -n "$why" ] || [ "$(cat out)" = '{"result":"error","error":"needs one PACKAGE (see --help)"}' ] || why="no error JSON line"
check "no PACKAGE: exit 2" "$why"

why=$(run 2 "$CONSENT" --manage --update)
check "--manage with --update: exit 2" "$why"

why=$(run 2 "$CONSENT" --bogus addon)
check "unknown option: exit 2" "$why"

why=$(run 0 "$CONSENT" --help)
[ -n "$why" ] || grep -q "Usage: permit-consent" out || why="no usage on stdout"
check "--help: exit 0" "$why"

# The manager on an empty profile, closed by the timeout: saved, nothing revoked.
why=$(PERMIT_CONSENT_TIMEOUT_MS=800 run 0 "$CONSENT" --manage --profile "$T/empty")
[ -n "$why" ] || [ "$(cat out)" = '{"result":"saved","revoked":[]}' ] || why="stdout is not the saved line"
check "manage, closed: exit 0, saved" "$why"

# No display: an error, not a crash.
why=$(DISPLAY= WAYLAND_DISPLAY= run 2 "$CONSENT" --profile "$T/profile" -p key.pub addon)
[ -n "$why" ] || grep -q "^permit-consent: cannot open the display" err || why="no display error"
check "no display: exit 2" "$why"

# --host-vocabulary: a bad file is one line naming it and the JSON path.
echo '{"version": 1, "host": "Notes", "capabilities": [{"id": "host.a", "warning": "W", "risk": "huge"}]}' >bad-vocabulary.json
why=$(run 2 "$CONSENT" --host-vocabulary bad-vocabulary.json --profile "$T/profile" -p key.pub addon)
[ -n "$why" ] || grep -q "^permit-consent: bad-vocabulary.json: capabilities\[0\].risk: unknown risk 'huge'" err ||
        why="no error naming the file and the path"
check "--host-vocabulary with a bad file: exit 2, file and JSON path named" "$why"

# A required host.* capability the host does not know: refused before any window.
cp -r "$SRC/examples/word-of-the-day" hostaddon
sed -i 's/"capabilities": \[/"capabilities": [{"id": "host.teleport", "required": true, "reason": "x"},/' hostaddon/permit.json
"$PERMIT" sign -s key.sec hostaddon >/dev/null 2>&1 || { echo "Bail out! permit sign failed"; exit 1; }
why=$(run 2 "$CONSENT" --host-vocabulary "$SRC/tests/data/host-vocabulary/notes.json" --profile "$T/profile" -p key.pub hostaddon)
[ -n "$why" ] || grep -q "requires host.teleport, which Notes does not know" err || why="no 'does not know' error"
check "--host-vocabulary: a required host.* the host does not know is refused (exit 2)" "$why"

# GTK stays in permit-consent (DESIGN.md section 2).
why=""
objdump -p "$LIBPERMIT" >"$T/out" 2>"$T/err" || why="objdump failed"
[ -n "$why" ] || grep -q "NEEDED.*libsodium" out || why="objdump shows no NEEDED entries"
[ -n "$why" ] || ! grep -qiE "NEEDED.*(gtk|gdk|glib|gobject)" out || why="libpermit links GTK or GLib"
[ -n "$why" ] || objdump -p "$CONSENT" | grep -q "NEEDED.*libgtk-4" || why="permit-consent does not link GTK 4"
check "libpermit does not link GTK; permit-consent does" "$why"

echo "1..$n"
[ $failures = 0 ]
