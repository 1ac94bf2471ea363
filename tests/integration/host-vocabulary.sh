#!/bin/bash
# SPDX-License-Identifier: MIT
# --host-vocabulary FILE on `permit inspect` and `permit grants
# list|show|approve`: the host's words and risks for its host.*
# capabilities; a host.* capability it does not list is never granted, and
# a required one refuses the add-on; a bad vocabulary is one line naming
# the file and JSON path (exit 2). Prints TAP.
#
#   host-vocabulary.sh PERMIT SOURCE_ROOT
set -u

PERMIT=$(realpath "${1:?usage: host-vocabulary.sh PERMIT SOURCE_ROOT}")
SRC=$(realpath "${2:?}")
T=$(mktemp -d "${TMPDIR:-/tmp}/permit-host-vocabulary.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/tap-lib.sh"

V=$SRC/tests/data/host-vocabulary/notes.json
P=$T/profile
"$PERMIT" keygen -W -p "$T/k.pub" -s "$T/k.key" >/dev/null || exit 99

# addon DIR VERSION CAPS-JSON: a signed add-on.
addon() {
        mkdir -p "$1"
        cat >"$1/permit.json" <<EOT
{"id": "org.example.helper", "name": "Helper", "version": "$2", "publisher": "Example", "entry": "main.py",
 "capabilities": [$3]}
EOT
        echo 'print("hi")' >"$1/main.py"
        "$PERMIT" sign -s "$T/k.key" --no-minisig "$1" >/dev/null || exit 99
}
addon "$T/a" 1.0.0 '{"id": "host.store_data", "reason": "keeps your streak"},
 {"id": "host.read_notes:recent", "required": false, "reason": "finds words"},
 {"id": "host.teleport", "required": false},
 {"id": "sys.notify", "required": false}'
addon "$T/req" 1.0.0 '{"id": "host.teleport", "reason": "beams you up"}'

t "inspect: the host's warning and risk" 0 --out "[HIGH]     Read all your notes, recent" \
        --out "[LOW]      Save its own data in your notebook" \
        --out "[NONE]     Use host.teleport, which Notes does not know (it cannot be granted)" \
        -- "$PERMIT" inspect --host-vocabulary "$V" "$T/a"
t "inspect without a vocabulary: the generic warning" 0 --out "Use the host's read_notes feature (recent)" \
        -- "$PERMIT" inspect "$T/a"
t "inspect --json: host, known_to_host" 0 --out '"host":"Notes"' --out '"known_to_host":false' \
        --out '"warning":"Read all your notes, recent"' -- "$PERMIT" inspect --json --host-vocabulary "$V" "$T/a"
t "inspect: a required unknown one is named" 0 --out "It cannot be installed in Notes: it requires host.teleport" \
        -- "$PERMIT" inspect --host-vocabulary "$V" "$T/req"

echo '{"version": 1, "host": "Notes", "capabilities": [{"id": "host.a", "warning": "W", "risk": "low", "why": 1}]}' >"$T/bad.json"
t "inspect: a bad vocabulary is exit 2, file and path named" 2 \
        --err "permit: $T/bad.json: capabilities[0].why: unknown field" \
        -- "$PERMIT" inspect --host-vocabulary "$T/bad.json" "$T/a"
t "inspect: a missing vocabulary is exit 2" 2 --err "$T/missing.json" \
        -- "$PERMIT" inspect --host-vocabulary "$T/missing.json" "$T/a"
t "grants approve: a required host.* the host does not know is refused" 1 \
        --err "requires host.teleport, which Notes does not know" \
        -- "$PERMIT" grants --profile "$P" --host-vocabulary "$V" approve --yes "$T/req"
t "... and nothing was recorded" 0 --out "No add-on has been approved" -- "$PERMIT" grants --profile "$P" list
t "grants approve --allow of an unknown host.* is refused" 2 --err "Notes does not know it" \
        -- "$PERMIT" grants --profile "$P" --host-vocabulary "$V" approve --yes --allow host.teleport "$T/a"
t "grants approve: the host's words, the unknown one not granted" 0 \
        --out "Not known to Notes, so not granted: host.teleport" \
        --out "allowed host.read_notes:recent" --out "denied  host.teleport" \
        -- "$PERMIT" grants --profile "$P" --host-vocabulary "$V" approve --yes --allow host.read_notes:recent "$T/a"
t "grants list: the host's words" 0 --out "allowed host.read_notes:recent: Read all your notes, recent" \
        -- "$PERMIT" grants --profile "$P" --host-vocabulary "$V" list
t "grants show: the host's words" 0 --out "Save its own data in your notebook" \
        -- "$PERMIT" grants --profile "$P" --host-vocabulary "$V" show org.example.helper
t "grants show --json: risk, warning, known_to_host" 0 \
        --out '"capability":"host.read_notes:recent","risk":"high","warning":"Read all your notes, recent","known_to_host":true' \
        -- "$PERMIT" grants --profile "$P" --host-vocabulary "$V" show --json org.example.helper
t "grants revoke does not take --host-vocabulary" 2 --err "--host-vocabulary is for list, show and approve" \
        -- "$PERMIT" grants --profile "$P" --host-vocabulary "$V" revoke org.example.helper
t "grants approve: a bad vocabulary is exit 2" 2 --err "capabilities[0].why: unknown field" \
        -- "$PERMIT" grants --profile "$P" --host-vocabulary "$T/bad.json" approve --yes "$T/a"

# Asked on stdin: the host's words; the unknown one is not asked about.
P2=$T/profile2
printf 'y\ny\ny\n' | "$PERMIT" grants --profile "$P2" --host-vocabulary "$V" approve "$T/a" >"$T/.out" 2>"$T/.err"
rc=$?
why=""
[ $rc = 0 ] || why="exit status $rc"
grep -qF "[LOW]      Save its own data in your notebook" "$T/.out" || why="$why; no host warning for the required one"
grep -qF "[HIGH]     Read all your notes, recent" "$T/.out" || why="$why; no host warning for the optional one"
[ "$(grep -c "Allow?" "$T/.out")" = 2 ] || why="$why; not asked exactly twice about optional ones (sys.notify, host.read_notes)"
grep -qF "denied  host.teleport" "$T/.out" || why="$why; host.teleport not recorded denied"
check "grants approve on stdin: the host's words, the unknown one not asked and denied" "$why" out

echo "1..$n"
[ "$failures" = 0 ]
