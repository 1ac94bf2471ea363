#!/bin/bash
# SPDX-License-Identifier: MIT
# The operator's tools end to end: permit registry init, check-upload
# (accept, refuse, review), add (two versions, a key rotation, refusals),
# revoke, publish, and the published index checked as a client checks it
# (check-index): valid, tampered, rolled back, expired, other key; minisign
# verifies it too. Prints TAP.
#
#   registry.sh PERMIT [SOURCE_ROOT]
set -u

PERMIT=$(realpath "${1:?usage: registry.sh PERMIT [SOURCE_ROOT]}")
SRC=$(realpath "${2:-${PERMIT_SOURCE_ROOT:-$(dirname "$0")/../..}}")
EXAMPLE=$SRC/examples/word-of-the-day
MINISIGN=${PERMIT_MINISIGN-$(command -v minisign)}
PYTHON3=${PYTHON3:-$(command -v python3)}
ID=org.example.word-of-the-day

T=$(mktemp -d "${TMPDIR:-/tmp}/permit-registry.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 99

. "$(dirname "${BASH_SOURCE[0]}")/tap-lib.sh"

# zip_version NAME VERSION KEY [FILE TEXT]: the example add-on at VERSION,
# with an extra file, zipped and signed.
zip_version() {
        local d=$T/src-$1
        rm -rf "$d" "$T/$1"
        cp -r "$EXAMPLE" "$d"
        sed -i "s/\"version\": \"1.2.0\"/\"version\": \"$2\"/" "$d/permit.json"
        if [ $# -ge 5 ]; then cp "$4" "$d/$5"; fi
        (cd "$d" && zip -qr "$T/$1" .)
        "$PERMIT" sign -s "$3" --no-minisig "$T/$1" >/dev/null
}

# field KEY: a field of the JSON object the last command printed.
field() {
        "$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[2]))[sys.argv[1]])' "$1" "$T/.out"
}

for k in reg dev dev2 evil; do
        "$PERMIT" keygen -W -p $k.pub -s $k.key >/dev/null || exit 99
done
printf 'correct horse\n' >pw
"$PERMIT" keygen -p regpw.pub -s regpw.key --password-file pw >/dev/null || exit 99
DEV=$(sed -n 2p dev.pub)
DEV2_ID=$("$PYTHON3" -c '
import base64,sys; raw=base64.b64decode(open(sys.argv[1]).read().split("\n")[1]); print(raw[2:10][::-1].hex().upper())' dev2.pub)

# --- help --------------------------------------------------------------------

t "permit registry --help" 0 --out "Usage: permit registry COMMAND" --out "Exit status" -- "$PERMIT" registry --help
for sub in init check-upload add revoke publish check-index; do
        t "permit registry $sub --help has an example" 0 --out "Usage: permit registry $sub" --out "Example" \
                -- "$PERMIT" registry $sub --help
done
t "permit key rotate --help" 0 --out "Usage: permit key rotate" --out "Example" -- "$PERMIT" key rotate --help
t "permit registry: unknown command" 2 --err "unknown command 'frob'" -- "$PERMIT" registry frob
t "permit registry add: an option it does not take" 2 --err "not accepted here" -- "$PERMIT" registry add r --reason x
t "permit registry init without a key" 2 --err "needs DIR and -s SECKEY" -- "$PERMIT" registry init r

# --- init ----------------------------------------------------------------------

t "init" 0 --out "Created registry 'example'" -- "$PERMIT" registry init r -s reg.key --name example
t "init again is refused" 1 --err "already holds a registry" -- "$PERMIT" registry init r -s reg.key
t "init: a bad name" 1 --err "invalid registry name" -- "$PERMIT" registry init r2 -s reg.key --name "two words"
t "check-index: the empty index" 0 --out "index version 1, 0 add-ons" -- "$PERMIT" registry check-index r -p reg.pub
t "init with a password-protected key" 0 -- "$PERMIT" registry init rpw -s regpw.key --password-file pw --json
json "init --json" 'd["ok"] and d["version"] == 1 and d["name"] == "rpw"'

# --- check-upload ------------------------------------------------------------

zip_version a120.zip 1.2.0 dev.key
zip_version evil.zip 1.2.0 evil.key
cat >policy.json <<EOF
{"format": 1, "publishers": {"$ID": {"keys": ["$DEV"]}},
 "limits": {"max_size": 1048576, "max_files": 100},
 "forbid": ["proc.exec:*"], "review": ["net.connect"]}
EOF
cat >policy-open.json <<EOF
{"format": 1, "publishers": {"$ID": {"keys": ["$DEV"]}}}
EOF
cat >policy-small.json <<EOF
{"format": 1, "publishers": {"$ID": {"keys": ["$DEV"]}}, "limits": {"max_files": 2}}
EOF
t "check-upload: accept" 0 --out "accept: $ID 1.2.0" -- "$PERMIT" registry check-upload --policy policy-open.json a120.zip
t "check-upload: review (net.connect)" 3 --out "needs review" --err "net.connect:api.dictionaryapi.dev:443" \
        -- "$PERMIT" registry check-upload --policy policy.json a120.zip
t "check-upload --json: review" 3 -- "$PERMIT" registry check-upload --policy policy.json --json a120.zip
json "check-upload --json: verdict review, one finding" \
        'd["verdict"] == "review" and d["exit"] == 3 and d["verified"] and d["findings"][0]["check"] == "review"'
t "check-upload: refuse (not the registered key)" 1 --err "not sealed by a registered key" \
        -- "$PERMIT" registry check-upload --policy policy-open.json evil.zip
t "check-upload --json: refuse" 1 -- "$PERMIT" registry check-upload --policy policy-open.json --json evil.zip
json "check-upload --json: verdict refuse, check key" 'd["verdict"] == "refuse" and d["findings"][0]["check"] == "key"'
t "check-upload: refuse (file-count limit)" 1 --err "limits" \
        -- "$PERMIT" registry check-upload --policy policy-small.json a120.zip
echo '{"format": 1}' >policy-bad.json
t "check-upload: a policy that is not one" 2 --err "policy-bad.json: publishers: missing" \
        -- "$PERMIT" registry check-upload --policy policy-bad.json a120.zip
t "check-upload: no such package" 2 --err "nope.zip" -- "$PERMIT" registry check-upload --policy policy.json nope.zip
t "check-upload --json: no such package" 2 --err "nope.zip" \
        -- "$PERMIT" registry check-upload --policy policy.json --json nope.zip
json "check-upload --json: a report without a verdict" 'd["verdict"] is None and d["exit"] == 2 and "nope.zip" in d["error"]'
t "check-upload: no such registry" 2 --err "not a registry" \
        -- "$PERMIT" registry check-upload --policy policy.json --registry nowhere a120.zip

# --- add -----------------------------------------------------------------------

t "add: a new add-on needs the publisher's key" 1 --err "give the publisher's key" \
        -- "$PERMIT" registry add r -s reg.key a120.zip
t "add: not sealed by the given key" 1 --err "sealed by key" \
        -- "$PERMIT" registry add r -s reg.key -p dev2.pub a120.zip
t "add 1.2.0" 0 --out "Added $ID 1.2.0" -- "$PERMIT" registry add r -s reg.key -p dev.pub a120.zip
check "add placed packages/$ID/1.2.0.zip, identical" \
        "$(cmp -s a120.zip "r/packages/$ID/1.2.0.zip" || echo "missing or different")"
t "add 1.2.0 again" 1 --err "already in the registry" -- "$PERMIT" registry add r -s reg.key a120.zip
t "check-upload --registry: not newer" 1 --err "not newer than 1.2.0" \
        -- "$PERMIT" registry check-upload --policy policy-open.json --registry r a120.zip
t "nothing is published before publish" 0 --out "index version 1, 0 add-ons" \
        -- "$PERMIT" registry check-index r -p reg.pub

t "publish" 0 --out "index version 2, 1 add-ons" -- "$PERMIT" registry publish r -s reg.key --expires 7d
cp r/index.json v2.json
cp r/index.json.sig v2.json.sig
t "check-index --json after publish" 0 -- "$PERMIT" registry check-index r -p reg.pub --json
json "check-index --json: version 2, one add-on" 'd["valid"] and d["version"] == 2 and d["packages"] == 1'

zip_version a130.zip 1.3.0 dev.key
t "add 1.3.0 (same key)" 0 -- "$PERMIT" registry add r -s reg.key --json a130.zip
json "add --json" 'd["ok"] and d["version"] == "1.3.0" and d["path"].endswith("/1.3.0.zip") and len(d["digest"]) == 64'
SEAL130=$(field seal_digest)

# A new key: refused without a rotation statement, refused with one signed
# by the wrong key, accepted with the right one.
zip_version a140.zip 1.4.0 dev2.key
t "add 1.4.0 by a new key, no rotation statement" 1 --err "no rotation statement" \
        -- "$PERMIT" registry add r -s reg.key a140.zip
t "key rotate by the wrong key" 0 -- "$PERMIT" key rotate -s evil.key -p dev2.pub --addon $ID -o wrong.rotation
zip_version a140.zip 1.4.0 dev2.key wrong.rotation permit.rotation
t "add 1.4.0 with a rotation signed by the wrong key" 1 --err "not by the pinned key" \
        -- "$PERMIT" registry add r -s reg.key a140.zip
t "key rotate" 0 --out "Wrote good.rotation" -- "$PERMIT" key rotate -s dev.key -p dev2.pub --addon $ID -o good.rotation
t "key rotate --json extends the chain" 0 -- "$PERMIT" key rotate -s dev2.key -p evil.pub -o chain.rotation --json
t "key rotate: the chain needs its last key" 1 --err "chain ends at key" \
        -- "$PERMIT" key rotate -s dev.key -p reg.pub -o chain.rotation
zip_version a140.zip 1.4.0 dev2.key good.rotation permit.rotation
t "check-upload --registry: a rotated key" 3 --out "needs review" \
        -- "$PERMIT" registry check-upload --policy policy.json --registry r a140.zip
t "add 1.4.0 with the rotation statement" 0 --out "Added $ID 1.4.0" -- "$PERMIT" registry add r -s reg.key a140.zip

# --- revoke, publish -------------------------------------------------------------

t "revoke needs a reason" 2 --err "--reason" -- "$PERMIT" registry revoke r --key "$DEV2_ID"
t "revoke needs one of --key, --package" 2 --err "one of" \
        -- "$PERMIT" registry revoke r --key "$DEV2_ID" --package "$SEAL130" --reason x
t "revoke: not a key id" 1 --err "not a key id" -- "$PERMIT" registry revoke r --key 12 --reason x
t "revoke --key" 0 --out "Revoked key" -- "$PERMIT" registry revoke r --key "$DEV2_ID" --reason "stolen laptop"
t "revoke --key again" 1 --err "already revoked" -- "$PERMIT" registry revoke r --key "$DEV2_ID" --reason again
t "revoke --package --json" 0 -- "$PERMIT" registry revoke r --package "$SEAL130" --reason "crashes on start" --json
json "revoke --json" 'd["ok"] and d["revoked"]["reason"] == "crashes on start"'
t "publish with another key is refused" 1 --err "signed by another key" \
        -- "$PERMIT" registry publish r -s dev.key
t "publish --json" 0 -- "$PERMIT" registry publish r -s reg.key --expires 2d --json
json "publish --json: version 3" 'd["ok"] and d["version"] == 3 and d["expires"] - d["issued"] == 2 * 86400'
t "publish with a password file" 0 --out "index version 2" -- "$PERMIT" registry publish rpw -s regpw.key --password-file pw

check "the index lists three versions and both revocations" "$("$PYTHON3" -c '
import json, sys
d = json.load(open("r/index.json"))
v = [e["version"] for e in d["packages"][sys.argv[1]]]
ok = v == ["1.2.0", "1.3.0", "1.4.0"] and d["revoked"]["keys"][0]["key_id"] == sys.argv[2] \
    and d["revoked"]["packages"][0]["reason"] == "crashes on start"
print("" if ok else "index: %s" % d)' "$ID" "$DEV2_ID")"
check "old packages stay" "$(for v in 1.2.0 1.3.0 1.4.0; do [ -f "r/packages/$ID/$v.zip" ] || echo "$v missing"; done)"
check "no temp files are left behind" "$(ls -A r r/packages/$ID | grep '^\.' || true)"
if [ -n "$MINISIGN" ] && [ -x "$(command -v "$MINISIGN")" ]; then
        t "minisign verifies index.json.sig" 0 --out "Signature and comment signature verified" \
                -- "$MINISIGN" -Vm r/index.json -x r/index.json.sig -p reg.pub
else
        fail "minisign verifies index.json.sig" "minisign not found (CI installs it)"
fi

# --- the published index, as a client sees it -------------------------------------

t "check-index: valid" 0 --out "index version 3, 1 add-ons" -- "$PERMIT" registry check-index r -p reg.pub --min-version 3
cp r/index.json good.json
sed -i 's/"1.3.0"/"1.3.1"/' r/index.json
t "check-index: tampered index refused" 1 --err "signature verification failed" \
        -- "$PERMIT" registry check-index r -p reg.pub --json
json "check-index --json: bad-signature" 'd["code"] == "bad-signature" and not d["valid"]'
cp good.json r/index.json
t "check-index: other key" 1 --err "signed with key" -- "$PERMIT" registry check-index r -p dev.pub
cp r/index.json.sig v3.json.sig
cp v2.json r/index.json
cp v2.json.sig r/index.json.sig
t "check-index: rollback to version 2 refused" 1 --err "rollback: version 2 is older than version 3" \
        -- "$PERMIT" registry check-index r -p reg.pub --min-version 3
cp good.json r/index.json
cp v3.json.sig r/index.json.sig
EXPIRES=$("$PYTHON3" -c 'import json; print(json.load(open("r/index.json"))["expires"])')
t "check-index: expired refused" 1 --err "expired" -- "$PERMIT" registry check-index r -p reg.pub --at "$EXPIRES"
t "check-index: a second before expiry" 0 -- "$PERMIT" registry check-index r -p reg.pub --at $((EXPIRES - 1))
rm r/index.json.sig
t "check-index: no signature" 2 --err "index.json.sig" -- "$PERMIT" registry check-index r -p reg.pub
cp v3.json.sig r/index.json.sig

# add, after the key was revoked, needs the publisher's new key.
zip_version a150.zip 1.5.0 dev2.key
t "add by a revoked key is refused" 1 --err "revoked" -- "$PERMIT" registry add r -s reg.key a150.zip

echo "1..$n"
[ "$failures" -eq 0 ]
