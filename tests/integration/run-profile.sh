#!/bin/bash
# SPDX-License-Identifier: MIT
# The add-on form of `permit run`: an add-on signed, approved with
# `permit grants approve`, installed in PROFILE/addons/ID and run under what
# the user granted (permit_ruleset_for_addon()): the refused optional
# capability stays refused, approvals and revocations take effect, an update
# runs with the old grants until approved, a tampered package and an unknown
# add-on are refused, a host policy takes away; --once grants for one run,
# and grants unused past the policy's expire_unused_days expire. Prints TAP.
#
#   run-profile.sh PERMIT
set -u

PERMIT=$(realpath "${1:?usage: run-profile.sh PERMIT}")
PYTHON3=${PYTHON3:-/usr/bin/python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/permit-run-profile.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/tap-lib.sh"

H=$T/home
P=$H/profile # inside $HOME: fs.write:$HOME would reach its store
ID=org.example.notes
mkdir -p "$H/Documents" "$H/Downloads" || exit 99
echo words >"$H/Documents/note"
echo fetched >"$H/Downloads/file"
"$PERMIT" keygen -W -p "$T/k.pub" -s "$T/k.key" >/dev/null || exit 99

# addon DIR ID VERSION CAPS-JSON: a signed add-on whose entry is a shell script.
addon() {
        mkdir -p "$1"
        cat >"$1/permit.json" <<EOT
{"id": "$2", "name": "Notes", "version": "$3", "publisher": "Example", "entry": "main.sh",
 "capabilities": [$4]}
EOT
        printf '#!/bin/sh\necho notes "$@"\n' >"$1/main.sh"
        chmod 755 "$1/main.sh"
        "$PERMIT" sign -s "$T/k.key" --no-minisig "$1" >/dev/null || exit 99
}
CAPS1='{"id": "fs.read:$DOCUMENTS", "reason": "reads notes"},
 {"id": "net.listen:8080", "required": false, "reason": "serves them"},
 {"id": "fs.write:$DOCUMENTS", "required": false, "reason": "saves notes"}'
addon "$T/v1" $ID 1.0.0 "$CAPS1"

# prun ARGS... -- SCRIPT: runs /bin/sh -c SCRIPT as add-on $ID of profile $P
# (a script of its own: t runs commands under setsid).
cat >"$T/prun" <<EOT
#!/bin/bash
opts=()
while [ "\$1" != "--" ]; do opts+=("\$1"); shift; done
exec "$PERMIT" run --profile "$P" $ID --home "$H" "\${opts[@]}" -- /bin/sh -c "\$2"
EOT
chmod 755 "$T/prun"
prun=$T/prun
READ="read -r x < $H/Documents/note && echo \"read \$x\""
WRITE="echo new > $H/Documents/new && echo wrote"

t "approve the required capabilities only" 0 -- \
        "$PERMIT" grants --profile "$P" approve --yes --required-only "$T/v1"
t "not installed: runs under the decided manifest, says so" 0 --out "read words" \
        --err "no installed package in $P/addons/$ID" -- "$prun" -- "$READ"
t "not installed and no CMD: refused" 125 --err "not installed in the profile: name the program" -- \
        "$PERMIT" run --profile "$P" $ID
mkdir -p "$P/addons" && cp -r "$T/v1" "$P/addons/$ID" || exit 99
t "installed: documents readable" 0 --out "read words" -- "$prun" -- "$READ"
check "installed and up to date: nothing on stderr" "$([ -s "$T/.err" ] && echo "stderr: $(cat "$T/.err")")"
t "documents not writable: the optional fs.write was refused" 2 --err "Permission denied" -- "$prun" -- "$WRITE"
t "no stray file" 0 -- test ! -e "$H/Documents/new"
t "\$DATA is PROFILE/data/ID, writable" 0 --out "$P/data/$ID" -- \
        "$prun" -- 'echo kept > "$PERMIT_DATA/f" && echo "$PERMIT_DATA"'
t "\$DATA kept after the run" 0 -- grep -qx kept "$P/data/$ID/f"
check "\$DATA is 0700" "$([ "$(stat -c %a "$P/data/$ID")" = 700 ] || echo "mode $(stat -c %a "$P/data/$ID")")"
t "\$ADDON is the installed package" 0 --out "$P/addons/$ID" -- \
        "$prun" -- 'read -r x < "$PERMIT_ADDON/main.sh" && echo "$PERMIT_ADDON"'
t "the entry program of the package runs" 0 --out "notes a b" -- \
        "$PERMIT" run --profile "$P" $ID -- "$P/addons/$ID/main.sh" a b
t "without CMD the installed entry runs" 0 --out "notes" -- "$PERMIT" run --profile "$P" $ID
t "--limit lowers a limit" 0 --out "5" -- "$prun" --limit open_files=5 -- 'ulimit -n'

t "approve fs.write:\$DOCUMENTS later" 0 -- \
        "$PERMIT" grants --profile "$P" approve --allow 'fs.write:$DOCUMENTS' "$P/addons/$ID"
t "now documents are writable" 0 --out wrote -- "$prun" -- "$WRITE"

# The store stays out of sight even under fs.write:$HOME.
addon "$T/wide" org.example.wide 1.0.0 '{"id": "fs.write:$HOME", "reason": "everything"}'
t "approve an add-on asking fs.write:\$HOME" 0 -- "$PERMIT" grants --profile "$P" approve --yes "$T/wide"
# (Landlock only adds: the folder holding the store gets a rule per entry
# but the store, so files are made in its subfolders, not beside it.)
t "fs.write:\$HOME: home writable" 0 --out ok -- "$PERMIT" run --profile "$P" org.example.wide --home "$H" -- \
        /bin/sh -c "echo x > $H/Downloads/other && echo ok"
t "fs.write:\$HOME: grants.json not readable" 2 --err "grants.json" -- \
        "$PERMIT" run --profile "$P" org.example.wide --home "$H" -- /bin/sh -c "read -r x < $P/permit/grants.json"
t "fs.write:\$HOME: pins.json not writable" 2 --err "pins.json" -- \
        "$PERMIT" run --profile "$P" org.example.wide --home "$H" -- /bin/sh -c "echo {} > $P/permit/pins.json"

# A host policy takes away.
echo '{"version": 1, "deny": ["fs.write:$DOCUMENTS"]}' >"$T/deny-write.json"
echo '{"version": 1, "deny": ["fs.read"]}' >"$T/deny-read.json"
echo '{"version": 1, "limits": {"open_files": 8}}' >"$T/limits.json"
echo '{"version": 1, "landlock_abi_max": 3, "require_full_enforcement": true}' >"$T/full.json"
echo '{"version": 1, "require_full_enforcement": "yes"}' >"$T/bad.json"
t "policy denying an optional capability removes it" 2 --err "Permission denied" -- \
        "$prun" --policy "$T/deny-write.json" -- "$WRITE"
t "policy denying a required capability refuses the run" 125 --err "forbidden by the host policy" -- \
        "$prun" --policy "$T/deny-read.json" -- "$READ"
t "policy limit caps the sandbox" 0 --out 8 -- "$prun" --policy "$T/limits.json" -- 'ulimit -n'
t "--limit cannot raise a policy limit" 0 --out 8 -- \
        "$prun" --policy "$T/limits.json" --limit open_files=100 -- 'ulimit -n'
t "policy require_full_enforcement with landlock_abi_max 3 refuses" 125 \
        --err "full enforcement required" -- "$prun" --policy "$T/full.json" -- "$READ"
t "an invalid policy file is refused" 125 --err "require_full_enforcement: must be true or false" -- \
        "$prun" --policy "$T/bad.json" -- "$READ"
t "--policy needs the add-on form" 125 --err "--policy needs" -- \
        "$PERMIT" run --policy "$T/limits.json" -- /bin/true

# Revoking a required capability.
t "revoke fs.read:\$DOCUMENTS" 0 -- "$PERMIT" grants --profile "$P" revoke $ID 'fs.read:$DOCUMENTS'
t "revoked required capability: refused, saying which" 125 \
        --err "required capability fs.read:\$DOCUMENTS is denied" -- "$prun" -- "$READ"
t "approve again" 0 -- "$PERMIT" grants --profile "$P" approve --yes "$P/addons/$ID"
t "runs again" 0 --out "read words" -- "$prun" -- "$READ"

# An update asking for more runs with the old grants until approved.
addon "$T/v2" $ID 1.1.0 "$CAPS1"',
 {"id": "fs.read:$DOWNLOADS", "required": false, "reason": "imports"}'
rm -rf "$P/addons/$ID" && cp -r "$T/v2" "$P/addons/$ID" || exit 99
t "update: old grants still apply" 0 --out "read words" --err "not approved yet (running without): fs.read:\$DOWNLOADS" \
        --err "approve them with: permit grants --profile $P approve $P/addons/$ID" -- "$prun" -- "$READ"
t "update: the new capability is not granted" 2 --err "Permission denied" -- \
        "$prun" -- "read -r x < $H/Downloads/file"
t "approve the update's new capability" 0 -- \
        "$PERMIT" grants --profile "$P" approve --allow 'fs.read:$DOWNLOADS' "$P/addons/$ID"
t "update approved: the new capability applies" 0 --out fetched -- \
        "$prun" -- "read -r x < $H/Downloads/file && echo \$x"

# Tampering and unknown add-ons.
echo 'echo evil' >>"$P/addons/$ID/main.sh"
t "a tampered installed package is refused" 125 --err "$P/addons/$ID" -- "$prun" -- "$READ"
rm -rf "$P/addons/$ID" && cp -r "$T/v2" "$P/addons/$ID" || exit 99
addon "$T/other-key" $ID 1.1.0 "$CAPS1"
"$PERMIT" keygen -W -p "$T/k2.pub" -s "$T/k2.key" >/dev/null || exit 99
"$PERMIT" sign -s "$T/k2.key" --no-minisig "$T/other-key" >/dev/null || exit 99
rm -rf "$P/addons/$ID" && cp -r "$T/other-key" "$P/addons/$ID" || exit 99
t "a package sealed by another key is refused" 125 --err "$P/addons/$ID" -- "$prun" -- "$READ"
rm -rf "$P/addons/$ID" && cp -r "$T/v2" "$P/addons/$ID" || exit 99
t "an unknown add-on is refused, clearly" 125 --err "no add-on org.example.nope was approved" -- \
        "$PERMIT" run --profile "$P" org.example.nope -- /bin/true
t "a profile without a store is refused" 125 --err "no store here" -- \
        "$PERMIT" run --profile "$T/empty" $ID -- /bin/true
t "--profile without ADDON" 125 --err "needs an ADDON" -- "$PERMIT" run --profile "$P" -- /bin/true
t "--allow is refused in the add-on form" 125 --err "no --allow" -- \
        "$PERMIT" run --profile "$P" $ID --allow sys.notify -- /bin/true
t "the command not found: 127" 127 --err "command not found" -- \
        "$PERMIT" run --profile "$P" $ID -- /no/such/program

# One-time grants (--once) and grants that expire unused (expire_unused_days).
O=org.example.once
addon "$T/once" $O 1.0.0 "$CAPS1"
t "once: approve the required capabilities only" 0 -- \
        "$PERMIT" grants --profile "$P" approve --yes --required-only "$T/once"
cp "$P/permit/grants.json" "$T/grants.before"
TRYWRITE="(echo new > $H/Documents/once) 2>/dev/null && echo wrote || echo refused"
t "--once: the run may write" 0 --out wrote --err "granted for this run only" -- \
        "$PERMIT" run --profile "$P" $O --home "$H" --once 'fs.write:$DOCUMENTS' -- /bin/sh -c "$TRYWRITE"
t "--once: the next run may not" 0 --out refused -- \
        "$PERMIT" run --profile "$P" $O --home "$H" -- /bin/sh -c "$TRYWRITE"
check "--once: grants.json unchanged" "$(cmp "$T/grants.before" "$P/permit/grants.json" 2>&1)"
check "--once: logged as a once event" \
        "$(grep -q '"capability":"fs.write:$DOCUMENTS","event":"once"' "$P/permit/audit.jsonl" || echo no once event)"
check "a start is stamped" "$([ -f "$P/permit/started/$O" ] || echo no stamp)"
t "--once of a required capability: refused" 125 --err "required" -- \
        "$PERMIT" run --profile "$P" $O --home "$H" --once 'fs.read:$DOCUMENTS' -- /bin/true
t "--once of what it does not ask for: refused" 125 --err "does not ask for" -- \
        "$PERMIT" run --profile "$P" $O --home "$H" --once 'sys.notify' -- /bin/true
t "--once without the add-on form: refused" 125 --err "needs the add-on form" -- \
        "$PERMIT" run --once sys.notify -- /bin/true
echo '{"version": 1, "deny": ["fs.write"]}' >"$T/nowrite.json"
t "--once: the policy still applies" 125 --err "forbidden by the host policy" -- \
        "$PERMIT" run --profile "$P" $O --home "$H" --policy "$T/nowrite.json" --once 'fs.write:$DOCUMENTS' -- /bin/true
# unused40 ID: ID decided on and last started 40 days ago (the record edited
# as a person would, without its checksum; the stamp's time set back).
unused40() {
        "$PYTHON3" - "$P/permit/grants.json" "$1" <<'EOT' || exit 99
import json, sys, time
path, id = sys.argv[1], sys.argv[2]
g = json.load(open(path))
g.pop("checksum", None)
g["grants"][id]["decided_at"] = int(time.time()) - 40 * 86400
json.dump(g, open(path, "w"), indent=2)
EOT
        touch -d "40 days ago" "$P/permit/started/$1"
}
# 40 days without a start or a decision, a 30-day policy.
unused40 $O
echo '{"version": 1, "expire_unused_days": 30}' >"$T/expire.json"
t "unused for 40 days, a 30-day policy: expired, refused" 125 --err "expired" -- \
        "$PERMIT" run --profile "$P" $O --home "$H" --policy "$T/expire.json" -- /bin/true
t "expired: shown by permit grants show" 0 --out "EXPIRED" -- "$PERMIT" grants --profile "$P" show $O
check "expired: recorded in grants.json and audit.jsonl" \
        "$(grep -q '"expired_at"' "$P/permit/grants.json" && grep -q "\"addon\":\"$O\",\"allowed\":false,\"event\":\"expiry\"" \
                "$P/permit/audit.jsonl" || echo not recorded)"
t "expired: refused without the policy too, until approved" 125 --err "expired" -- \
        "$PERMIT" run --profile "$P" $O --home "$H" -- /bin/true
t "expired: approve again" 0 -- "$PERMIT" grants --profile "$P" approve --yes --required-only "$T/once"
t "approved again: runs" 0 --out "read words" -- \
        "$PERMIT" run --profile "$P" $O --home "$H" --policy "$T/expire.json" -- /bin/sh -c "$READ"
# permit grants expire: what a host does at its start, for every add-on.
t "grants expire: nothing due" 0 --out "0 add-ons expired" -- \
        "$PERMIT" grants --profile "$P" expire --policy "$T/expire.json"
t "grants expire needs --policy" 2 --err "needs --policy" -- "$PERMIT" grants --profile "$P" expire
t "grants expire: a policy without expire_unused_days" 2 --err "nothing expires" -- \
        "$PERMIT" grants --profile "$P" expire --policy "$T/nowrite.json"
unused40 $O
t "grants expire: the one unused for 40 days" 0 --out "1 add-on expired" -- \
        "$PERMIT" grants --profile "$P" expire --policy "$T/expire.json" $O
t "grants list says expired" 0 --out "EXPIRED" -- "$PERMIT" grants --profile "$P" list

# --addon ADDON: the default profile.
X=$T/xdg
t "approve in the default profile" 0 -- env XDG_DATA_HOME="$X" "$PERMIT" grants approve --yes "$T/v1"
t "--addon runs from the default profile" 0 --out "read words" -- \
        env XDG_DATA_HOME="$X" "$PERMIT" run --addon $ID --home "$H" -- /bin/sh -c "$READ"
t "--addon: \$DATA in the default profile" 0 -- test -d "$X/permit/profiles/default/data/$ID"

echo "1..$n"
[ "$failures" -eq 0 ]
