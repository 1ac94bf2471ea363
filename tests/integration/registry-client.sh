#!/bin/bash
# SPDX-License-Identifier: MIT
# The registry client end to end against a real nginx on 127.0.0.1
# (nginx-lib.sh) serving registries built with the operator's tools:
# install, update, a widened update (new capabilities stay off until
# approved), remove, list, upload (WebDAV PUT with a bearer token); and each
# attack refused with its reason, leaving the profile exactly as it was.
# Prints TAP.
#
#   registry-client.sh PERMIT [SOURCE_ROOT]
set -u

PERMIT=$(realpath "${1:?usage: registry-client.sh PERMIT [SOURCE_ROOT]}")
SRC=$(realpath "${2:-${PERMIT_SOURCE_ROOT:-$(dirname "$0")/../..}}")
EXAMPLE=$SRC/examples/word-of-the-day
PYTHON3=${PYTHON3:-$(command -v python3)}
MINISIGN=${PERMIT_MINISIGN-$(command -v minisign)}
HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
ID=org.example.word-of-the-day
ID2=org.example.other
NEWCAP='fs.read:$DOWNLOADS'

T=$(mktemp -d "${TMPDIR:-/tmp}/permit-client.XXXXXX") || exit 99
STALL_PID=
NOLEN_PID=
cleanup() {
        nginx_stop "$T/nginx"
        [ -n "$STALL_PID" ] && kill "$STALL_PID" 2>/dev/null
        [ -n "$NOLEN_PID" ] && kill "$NOLEN_PID" 2>/dev/null
        rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 99
# No display: the terminal consent, never the dialog.
unset DISPLAY WAYLAND_DISPLAY PERMIT_CA_FILE

. "$HERE/tap-lib.sh"
. "$HERE/nginx-lib.sh"

# --- the registries --------------------------------------------------------

# zip_version NAME VERSION KEY [ID] [EXTRA_CAP] [ROTATION_FILE]
zip_version() {
        local d=$T/src-$1 id=${4:-$ID}
        rm -rf "$d" "$T/$1"
        cp -r "$EXAMPLE" "$d"
        "$PYTHON3" - "$d/permit.json" "$2" "$id" "${5:-}" <<'EOF'
import json, sys
p, version, id_, cap = sys.argv[1:5]
m = json.load(open(p))
m["version"] = version
m["id"] = id_
if cap:
    m["capabilities"].append({"id": cap, "required": False, "reason": "reads what you download"})
json.dump(m, open(p, "w"), indent=2)
EOF
        [ -n "${6:-}" ] && cp "$6" "$d/permit.rotation"
        (cd "$d" && zip -qr "$T/$1" .)
        "$PERMIT" sign -s "$3" --no-minisig "$T/$1" >/dev/null
}

# publish_to DIR N [KEY]: publish until the index version is N.
publish_to() {
        local v
        v=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$1/index.json") || return 1
        while [ "$v" -lt "$2" ]; do
                "$PERMIT" registry publish "$1" -s "${3:-reg.key}" --expires 7d >/dev/null || return 1
                v=$((v + 1))
        done
}

# snapshot DIR NAME: the served copy of a registry as it is now.
snapshot() {
        mkdir -p "$T/www/$2" && cp -r "$1/index.json" "$1/index.json.sig" "$1/packages" "$T/www/$2/"
}

# edit_pending DIR PYTHON: change pending.json (an operator gone wrong or a
# compromised registry), then publish.
edit_pending() {
        "$PYTHON3" - "$1/pending.json" "$2" <<'EOF'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
exec(sys.argv[2])
json.dump(d, open(p, "w"), indent=2)
EOF
}

setup() {
        local k
        for k in reg evil dev dev2 mallory; do
                "$PERMIT" keygen -W -p $k.pub -s $k.key >/dev/null || return 1
        done
        zip_version v100.zip 1.0.0 dev.key
        zip_version v110.zip 1.1.0 dev.key
        zip_version v120.zip 1.2.0 dev.key "$ID" "$NEWCAP"
        zip_version other.zip 1.0.0 dev.key "$ID2"
        "$PERMIT" registry init r -s reg.key --name example >/dev/null &&
        "$PERMIT" registry add r -s reg.key -p dev.pub v100.zip >/dev/null &&
        "$PERMIT" registry add r -s reg.key -p dev.pub other.zip >/dev/null &&
        publish_to r 2 && snapshot r r2 &&
        "$PERMIT" registry add r -s reg.key v110.zip >/dev/null &&
        publish_to r 3 && snapshot r r3 &&
        cp -r r r-revkey && cp -r r r-badcs && cp -r r r-mix && cp -r r r-missing &&
        "$PERMIT" registry add r -s reg.key v120.zip >/dev/null &&
        publish_to r 4 && snapshot r r4 || return 1

        # Revocations at start-up: ID sealed by dev, ID2 by dev2; then dev's
        # key revoked, or ID 1.0.0 itself.
        zip_version other2.zip 1.0.0 dev2.key "$ID2"
        "$PERMIT" registry init s -s reg.key --name example >/dev/null &&
        "$PERMIT" registry add s -s reg.key -p dev.pub v100.zip >/dev/null &&
        "$PERMIT" registry add s -s reg.key -p dev2.pub other2.zip >/dev/null &&
        publish_to s 2 && snapshot s s2 && cp -r s s-revkey && cp -r s s-revpkg &&
        "$PERMIT" registry revoke s-revkey --key "$(key_id dev.pub)" --reason "stolen laptop" >/dev/null &&
        publish_to s-revkey 3 && snapshot s-revkey srevkey &&
        "$PERMIT" registry revoke s-revpkg --package "$(seal_digest s 1.0.0)" --reason "malware in 1.0.0" \
                >/dev/null && publish_to s-revpkg 3 && snapshot s-revpkg srevpkg || return 1

        # Attacks on the bytes served for 1.2.0.
        cp -r www/r4 www/bigger && cat v120.zip v120.zip >www/bigger/packages/$ID/1.2.0.zip
        cp -r www/r4 www/trunc && head -c -100 v120.zip >www/trunc/packages/$ID/1.2.0.zip
        cp -r www/r4 www/digest && "$PYTHON3" -c '
import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 1; open(sys.argv[1], "wb").write(b)' \
                www/digest/packages/$ID/1.2.0.zip
        # An expired index: published with a short expiry, checked "later" (--now).
        # Another registry key signs an index for the same URL.
        "$PERMIT" registry init e -s evil.key --name example >/dev/null && publish_to e 9 evil.key && snapshot e evil
        # An update sealed by an unpinned key, without rotation (the registry vouches for it).
        zip_version mal.zip 1.2.0 mallory.key
        "$PERMIT" registry init m -s reg.key --name example >/dev/null &&
        "$PERMIT" registry add m -s reg.key -p mallory.pub mal.zip >/dev/null && publish_to m 9 && snapshot m unpinned
        # A rotation statement signed by the wrong key (evil names dev2).
        "$PERMIT" key rotate -s evil.key -p dev2.pub --addon $ID -o wrong.rotation >/dev/null &&
        zip_version wrongrot.zip 1.2.0 dev2.key "$ID" "" wrong.rotation &&
        "$PERMIT" registry init w -s reg.key --name example >/dev/null &&
        "$PERMIT" registry add w -s reg.key -p dev2.pub wrongrot.zip >/dev/null && publish_to w 9 && snapshot w wrongrot
        # A good rotation (dev names dev2).
        "$PERMIT" key rotate -s dev.key -p dev2.pub --addon $ID -o good.rotation >/dev/null &&
        zip_version rot.zip 1.3.0 dev2.key "$ID" "" good.rotation &&
        cp -r r r-rot && "$PERMIT" registry add r-rot -s reg.key rot.zip >/dev/null && publish_to r-rot 9 &&
        snapshot r-rot rotated
        # The developer's key revoked, and 1.2.0 itself revoked.
        "$PERMIT" registry revoke r-revkey --key "$(key_id dev.pub)" --reason "stolen laptop" >/dev/null &&
        publish_to r-revkey 9 && snapshot r-revkey revkey
        cp -r r r-revpkg && "$PERMIT" registry revoke r-revpkg --package "$(seal_digest r 1.2.0)" \
                --reason "malware in 1.2.0" >/dev/null && publish_to r-revpkg 9 && snapshot r-revpkg revpkg
        # Mix-and-match: the entry for $ID 1.2.0 lists the other add-on's package.
        cp other.zip r-mix/packages/$ID/1.2.0.zip 2>/dev/null || { mkdir -p r-mix/packages/$ID && cp other.zip r-mix/packages/$ID/1.2.0.zip; }
        edit_pending r-mix "
o = d['packages']['$ID2'][0]
e = dict(o); e['version'] = '1.2.0'; e['path'] = 'packages/$ID/1.2.0.zip'
d['packages']['$ID'].append(e)" && publish_to r-mix 9 && snapshot r-mix mix
        # A countersignature that is not the registry's (another entry's).
        cp v120.zip r-badcs/packages/$ID/1.2.0.zip
        edit_pending r-badcs "
import copy
src = '$(entry_json r 1.2.0)'
e = json.loads(src); e['countersignature'] = d['packages']['$ID'][0]['countersignature']
d['packages']['$ID'].append(e)" && publish_to r-badcs 9 && snapshot r-badcs badcs
        # No countersignature at all: an index the registry key signed
        # (minisign, which reads permit's keys) with the field left out.
        cp -r www/r4 www/missing && "$PYTHON3" - www/missing/index.json "$ID" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
del d["packages"][sys.argv[2]][-1]["countersignature"]
d["version"] = 9
json.dump(d, open(sys.argv[1], "w"))
EOF
        local exp
        exp=$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["expires"])' www/missing/index.json)
        rm -f www/missing/index.json.sig
        "$MINISIGN" -S -s reg.key -m www/missing/index.json -x www/missing/index.json.sig \
                -t "permit-index registry=example version=9 expires=$exp" </dev/null >/dev/null
}

key_id() {
        "$PYTHON3" -c '
import base64,sys; raw=base64.b64decode(open(sys.argv[1]).read().split("\n")[1]); print(raw[2:10][::-1].hex().upper())' "$1"
}
seal_digest() {
        "$PYTHON3" -c 'import json,sys
print([e for e in json.load(open(sys.argv[1] + "/pending.json"))["packages"][sys.argv[3]] if e["version"] == sys.argv[2]][0]["seal_digest"])' "$1" "$2" "$ID"
}
entry_json() {
        "$PYTHON3" -c 'import json,sys
print(json.dumps([e for e in json.load(open(sys.argv[1] + "/pending.json"))["packages"][sys.argv[3]] if e["version"] == sys.argv[2]][0]))' "$1" "$2" "$ID"
}

SECONDS=0
setup >setup.log 2>&1 || { echo "Bail out! setting up the registries failed"; sed 's/^/# /' setup.log; exit 99; }

echo "# the registries built in $SECONDS s"
echo 'secret-token-123' >token && chmod 600 token
mkdir -p inbox
nginx_start "$T/nginx" "$T/www" "
        location /redir/ { return 301 http://127.0.0.1:@HTTP_PORT@/r4/\$request_uri; }
        location /inbox/ {
                if (\$http_authorization != \"Bearer secret-token-123\") { return 401; }
                alias $T/inbox/;
                dav_methods PUT;
                create_full_put_path on;
                dav_access user:rw;
                client_max_body_size 10m;
        }" || { echo "Bail out! nginx does not start"; exit 99; }

P=$T/profile
mkdir -p "$P"
H=$NGINX_HTTP
# opts WHERE: the options every command on registry WHERE shares (t runs
# a program, not a function: used as $(opts WHERE), no spaces in them).
opts() {
        echo --profile "$P" --registry "$H/$1/" --registry-key "$T/reg.pub" --allow-http-loopback --retries 0
}
tree_hash() {
        (cd "$P" && find . -printf '%y %m %p %s\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z |
                xargs -0 -r sha256sum) | sha256sum | cut -d' ' -f1
}
# attack DESC WHERE RC REASON [EXTRA OPTIONS...]: permit update from WHERE is
# refused with RC, says REASON, and the profile is exactly as it was.
attack() {
        local desc=$1 where=$2 rc=$3 reason=$4 before
        shift 4
        before=$(tree_hash)
        t "$desc: refused" "$rc" --err "$reason" -- "$PERMIT" update $ID --yes "$@" $(opts "$where")
        check "$desc: the profile is exactly as it was" "$([ "$(tree_hash)" = "$before" ] || echo "the profile changed")"
}

# --- help and usage ----------------------------------------------------------

for cmd in install update remove list upload; do
        t "permit $cmd --help has an example" 0 --out "Usage: permit $cmd" --out "Example" -- "$PERMIT" $cmd --help
done
t "install without a registry" 2 --err "needs --registry URL and --registry-key" -- "$PERMIT" install $ID --profile "$P"
t "install: a bad --timeout" 2 --err "--timeout" -- "$PERMIT" install $ID --timeout x $(opts r2)
t "install: a --host-vocabulary that does not load" 2 --err "nope.json" -- \
        "$PERMIT" install $ID --host-vocabulary "$T/nope.json" $(opts r2)
t "update: a --host-vocabulary that does not load" 2 --err "nope.json" -- \
        "$PERMIT" update $ID --host-vocabulary "$T/nope.json" $(opts r2)

# --- transport rules -----------------------------------------------------------

t "http is refused without --allow-http-loopback" 1 --err "plain http is refused" -- \
        "$PERMIT" install $ID --profile "$P" --registry "$H/r2/" --registry-key reg.pub
t "file:// is refused" 1 --err "scheme 'file' is refused" -- \
        "$PERMIT" install $ID --profile "$P" --registry "file://$T/www/r2/" --registry-key reg.pub
t "http to a non-loopback address is refused (checked on the address)" 1 --err "only to a loopback address, not to 0.0.0.0" -- \
        "$PERMIT" install $ID --profile "$P" --registry "http://0.0.0.0:$NGINX_HTTP_PORT/r2/" --registry-key reg.pub \
        --allow-http-loopback --retries 0
t "https without the test CA is refused" 1 --err "TLS" -- \
        "$PERMIT" install $ID --profile "$P" --registry "$NGINX_HTTPS/r2/" --registry-key reg.pub --retries 0
check "nothing was written by the refusals" "$([ -z "$(ls -A "$P")" ] || echo "the profile is not empty: $(ls -A "$P")")"

# --- install, list, update, widened update, remove ---------------------------

t "install over https with the test CA" 0 --out "Installed $ID 1.0.0" --out "Pinned key $(key_id dev.pub)" -- \
        "$PERMIT" install $ID --profile "$P" --registry "$NGINX_HTTPS/r2/" --registry-key reg.pub --ca-file "$NGINX_CA" \
        --yes
t "the CA file from \$PERMIT_CA_FILE" 0 --out "$ID" -- env PERMIT_CA_FILE="$NGINX_CA" "$PERMIT" list --available \
        --profile "$P" --registry "$NGINX_HTTPS/r2/" --registry-key reg.pub
check "installed into PROFILE/addons/ID" "$([ -f "$P/addons/$ID/permit.json" ] && [ -f "$P/addons/$ID/permit.sig" ] || echo missing)"
check "no staging directory is left" "$(ls -a "$P" | grep -F .permit- || true)"
t "the installed add-on runs with permit run --profile" 0 --out "$P/addons/$ID" -- \
        "$PERMIT" run --profile "$P" $ID -- /bin/sh -c 'echo "$PERMIT_ADDON"'
t "install again: up to date" 0 --out "up to date" -- "$PERMIT" install $ID --yes $(opts r2)
t "list" 0 --out "$ID" --out "1.0.0" -- "$PERMIT" list --profile "$P"
t "list --json" 0 -- "$PERMIT" list --profile "$P" --json
json "list --json names it" "d['installed'][0]['id'] == '$ID' and d['installed'][0]['version'] == '1.0.0'"
t "list --available" 0 --out "$ID2" --out "update available" -- "$PERMIT" list --available $(opts r3)
t "list --available --json" 0 -- "$PERMIT" list --available --json $(opts r3)
# The progress bar: on a terminal only (a pty here), never in a pipe.
check "a progress bar on a terminal" "$("$PYTHON3" - "$PERMIT" list --available $(opts r3) <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
os.waitpid(pid, 0)
print("" if b"[####################] 100%" in out else "no bar in %r" % out[:300])
PY
)"
check "... and none in a pipe" "$("$PERMIT" list --available $(opts r3) 2>&1 | grep -F '%' || true)"
json "list --available --json" "[a['version'] for a in d['available'] if a['id'] == '$ID'] == ['1.1.0'] and d['version'] == 3"
t "update" 0 --err "Updated $ID from 1.0.0 to 1.1.0" -- "$PERMIT" update --json $(opts r3)
json "update --json result" "d['status'] == 'updated' and d['previous'] == '1.0.0' and d['version'] == '1.1.0' and d['timings']['bytes'] > 0"
t "the updated add-on runs" 0 --out "$P/addons/$ID" -- "$PERMIT" run --profile "$P" $ID -- /bin/sh -c 'echo "$PERMIT_ADDON"'

# --- attacks: each refused, the profile untouched ----------------------------

attack "rollback to an older index" r2 1 "rollback: version 2 is older than version 3"
attack "an expired index (freeze)" r4 1 "expired" --now $(($(date +%s) + 30 * 86400))
attack "an index signed by another key" evil 1 "signed with key $(key_id evil.pub)"
attack "a package whose digest differs from the index" digest 1 "differs from the index"
attack "a server sending more bytes than the index announces" bigger 1 "more than the $(stat -c %s v120.zip) bytes"
attack "a truncated download" trunc 1 "truncated"
attack "another add-on's package (mix-and-match)" mix 1 "$ID2"
attack "an update sealed by an unpinned key, no rotation" unpinned 1 "$(key_id mallory.pub)"
attack "a rotation statement signed by the wrong key" wrongrot 1 "not by the pinned key"
attack "a countersignature that is not the registry's" badcs 1 "countersignature"
attack "a missing countersignature" missing 1 "countersignature"
t "--json: a result line for a refusal too" 1 -- "$PERMIT" update $ID --yes --json $(opts digest)
json "--json refusal line" "d['id'] == '$ID' and d['status'] == 'refused' and d['exit'] == 1 and 'differs from the index' in d['error']"
t "--json: a result line when the index is refused" 1 -- "$PERMIT" update $ID --yes --json $(opts r2)
json "--json index refusal line" "d['status'] == 'refused' and 'rollback' in d['error']"
attack "a 404" nowhere 2 "not found on the server (HTTP 404)"
attack "a redirect from https to http" redir 1 "not https" --ca-file "$NGINX_CA"
# Redirect through https: the registry URL is https here.
before=$(tree_hash)
t "redirect to http over https: refused" 1 --err "not https" -- \
        "$PERMIT" update $ID --profile "$P" --registry "$NGINX_HTTPS/redir/" --registry-key reg.pub --ca-file "$NGINX_CA" \
        --retries 0 --yes
check "redirect: the profile is exactly as it was" "$([ "$(tree_hash)" = "$before" ] || echo changed)"

# A server that does not say how long the body is (no Content-Length) and
# sends more than the index announces: cut by the client as the bytes
# stream, at the announced size.
NOLEN_PORT=$(nginx_free_port)
cat >nolen.py <<'EOF'
import http.server, os, sys
root = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    def do_GET(self):
        path = os.path.join(root, self.path.lstrip("/"))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        self.send_response(200)
        self.end_headers()
        data = open(path, "rb").read()
        try:
            self.wfile.write(data)
            if "/packages/" in self.path:
                for _ in range(64):
                    self.wfile.write(b"x" * 65536)
        except OSError:
            pass
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
"$PYTHON3" nolen.py "$NOLEN_PORT" "$T/www/r4" &
NOLEN_PID=$!
for _ in $(seq 50); do "$PYTHON3" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' \
        "$NOLEN_PORT" 2>/dev/null && break; sleep 0.1; done
before=$(tree_hash)
t "no Content-Length, more bytes than announced: cut while streaming" 1 \
        --err "the server sent more than the $(stat -c %s v120.zip) bytes the index announces" -- \
        "$PERMIT" update $ID --yes --profile "$P" --registry "http://127.0.0.1:$NOLEN_PORT/" --registry-key reg.pub \
        --allow-http-loopback --retries 0
check "no Content-Length: the profile is exactly as it was" "$([ "$(tree_hash)" = "$before" ] || echo changed)"
kill "$NOLEN_PID" 2>/dev/null

# A server that accepts and never answers: the timeout, kept short.
STALL_PORT=$(nginx_free_port)
cat >stall.py <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
print("listening", flush=True)
conns = []
while True:
    c, _ = s.accept()
    conns.append(c)
EOF
"$PYTHON3" stall.py "$STALL_PORT" >stall.log &
STALL_PID=$!
for _ in $(seq 50); do grep -q listening stall.log && break; sleep 0.1; done
before=$(tree_hash)
start=$(date +%s)
t "a server that stalls: timed out" 2 --err "timed out" -- \
        "$PERMIT" update $ID --profile "$P" --registry "http://127.0.0.1:$STALL_PORT/" --registry-key reg.pub \
        --allow-http-loopback --timeout 2 --retries 1
check "the stall took the timeout, not longer" "$([ $(($(date +%s) - start)) -le 12 ] || echo "took $(($(date +%s) - start)) s")"
check "stall: the profile is exactly as it was" "$([ "$(tree_hash)" = "$before" ] || echo changed)"
grep -q "retry 1 of 1" "$T/.err"
check "a timeout is retried" "$([ $? = 0 ] || echo "no retry said")"
t "a refusal is not retried" 1 --no-out -- "$PERMIT" update $ID --yes $(opts digest) --retries 3
check "no retry of a refusal" "$(grep -F retry "$T/.err" || true)"

t "after every refused update the installed version still runs" 0 --out "$P/addons/$ID" -- \
        "$PERMIT" run --profile "$P" $ID -- /bin/sh -c 'echo "$PERMIT_ADDON"'
check "and it is still 1.1.0" "$(grep -q '"version": "1.1.0"' "$P/addons/$ID/permit.json" || echo "not 1.1.0")"

# --- revocations: refused at update, and by the host at start-up -------------

# revoked_profile NAME WHERE REASON: a profile with ID and ID2 installed from
# s2; permit update from WHERE refuses ID with REASON and keeps the index;
# permit run --profile then refuses ID with REASON and still runs ID2.
revoked_profile() {
        local name=$1 where=$2 reason=$3 q=$T/$1/a/b before id
        # (into a profile whose parent directories do not exist yet)
        for id in $ID $ID2; do
                t "$name: install $id" 0 -- "$PERMIT" install $id --yes --profile "$q" --registry "$H/s2/" \
                        --registry-key "$T/reg.pub" --allow-http-loopback --retries 0 \
                        --host-vocabulary "$SRC/examples/python-host/host-vocabulary.json"
        done
        check "$name: the profile's parents are made 0700" "$([ "$(stat -c %a "$T/$name/a")" = 700 ] || echo "mode $(stat -c %a "$T/$name/a")")"
        check "$name: the index is kept in the profile" \
                "$(cmp "$q/permit/registries/$(key_id reg.pub)/index.json" "$T/www/s2/index.json" 2>&1)"
        t "$name: $ID runs before" 0 -- "$PERMIT" run --profile "$q" $ID -- /bin/true
        before=$(cd "$q" && find addons permit/pins.json permit/grants.json -type f -print0 2>/dev/null | LC_ALL=C sort -z |
                xargs -0 sha256sum | sha256sum)
        t "$name: update refused" 1 --err "$reason" -- "$PERMIT" update $ID --yes --profile "$q" \
                --registry "$H/$where/" --registry-key "$T/reg.pub" --allow-http-loopback --retries 0
        check "$name: the add-ons and grants are as they were" "$([ "$before" = "$(cd "$q" && find addons \
                permit/pins.json permit/grants.json -type f -print0 2>/dev/null | LC_ALL=C sort -z | xargs -0 sha256sum |
                sha256sum)" ] || echo changed)"
        check "$name: the refusing index is kept" \
                "$(cmp "$q/permit/registries/$(key_id reg.pub)/index.json" "$T/www/$where/index.json" 2>&1)"
        t "$name: permit run --profile refuses $ID with the reason" 125 --err "refusing $ID" --err "$reason" -- \
                "$PERMIT" run --profile "$q" $ID -- /bin/true
        t "$name: the unrelated $ID2 still runs" 0 --out ok -- "$PERMIT" run --profile "$q" $ID2 -- /bin/echo ok
}
revoked_profile revkey srevkey "stolen laptop"
revoked_profile revpkg srevpkg "malware in 1.0.0"
K=$T/revkey/a/b/permit/registries/$(key_id reg.pub)
cp "$K/index.json" "$T/kept.json" && sed -i 's/stolen laptop/stolen laptoq/' "$K/index.json"
t "a damaged kept index is refused at start-up" 125 --err "does not verify" -- \
        "$PERMIT" run --profile "$T/revkey/a/b" $ID2 -- /bin/true
cp "$T/kept.json" "$K/index.json"
t "the kept index restored: $ID2 runs again" 0 -- "$PERMIT" run --profile "$T/revkey/a/b" $ID2 -- /bin/true

# An expired kept index: its revocations still apply; the host is told.
cp -r s s-short && "$PERMIT" registry publish s-short -s reg.key --expires 6s >/dev/null && snapshot s-short sshort
t "install from an index that expires in seconds" 0 -- "$PERMIT" install $ID2 --yes --profile "$T/short" \
        --registry "$H/sshort/" --registry-key "$T/reg.pub" --allow-http-loopback --retries 0
t "before it expires: it runs" 0 -- "$PERMIT" run --profile "$T/short" $ID2 -- /bin/true
check "before it expires: no warning" "$(grep -F expired "$T/.err" || true)"
sleep 7
t "expired: the add-on still runs, with a warning to update" 0 --err "expired" --err "run 'permit update'" -- \
        "$PERMIT" run --profile "$T/short" $ID2 -- /bin/true

# --- the widened update: new capabilities stay off until approved -----------

t "widened update without a terminal installs, new capability off" 0 --out "Updated $ID from 1.1.0 to 1.2.0" \
        --out "1 new capability stays off until approved" -- "$PERMIT" update $ID $(opts r4)
t "the new capability is undecided" 0 -- "$PERMIT" grants --profile "$P" show $ID --json
json "grants show: $NEWCAP never decided (off)" "'$NEWCAP' not in [c['capability'] for c in d['capabilities']]"
t "the updated add-on still runs (without it)" 0 --out "$P/addons/$ID" --err "not approved yet" -- \
        "$PERMIT" run --profile "$P" $ID -- /bin/sh -c 'echo "$PERMIT_ADDON"'
t "approve it" 0 -- "$PERMIT" grants --profile "$P" approve --allow "$NEWCAP" "$P/addons/$ID"
t "now granted" 0 -- "$PERMIT" grants --profile "$P" show $ID --json
json "grants show: $NEWCAP granted" "[c['granted'] for c in d['capabilities'] if c['capability'] == '$NEWCAP'] == [True]"

# A good rotation: the pin follows it.
t "an update by a rotated key" 0 --out "Updated $ID from 1.2.0 to 1.3.0" --out "Pinned key $(key_id dev2.pub)" -- \
        "$PERMIT" update $ID --yes $(opts rotated)

# --- remove -----------------------------------------------------------------

mkdir -p "$P/data/$ID" && echo kept >"$P/data/$ID/note"
t "remove keeps data and grants" 0 --out "Kept its data and grants" -- "$PERMIT" remove $ID --profile "$P"
check "addons/ID gone, data kept" "$([ ! -e "$P/addons/$ID" ] && [ -f "$P/data/$ID/note" ] || echo wrong)"
t "remove again: not installed" 2 --err "not installed" -- "$PERMIT" remove $ID --profile "$P"
t "list after remove" 0 --out "No add-on installed" -- "$PERMIT" list --profile "$P"
t "reinstall (the pin stays: rotated key)" 0 --out "Installed $ID 1.3.0" -- "$PERMIT" install $ID --yes $(opts rotated)
t "remove --purge" 0 --err "with its data, grants and pinned key" -- "$PERMIT" remove --purge $ID --profile "$P" --json
json "remove --json" "d['purged'] and d['status'] == 'removed'"
check "purged" "$([ ! -e "$P/data/$ID" ] && ! grep -q "$ID" "$P/permit/pins.json" 2>/dev/null || echo "left behind")"
t "install refused by consent (no terminal, no flags)" 1 --err "nothing was installed" -- "$PERMIT" install $ID2 $(opts rotated)
check "nothing installed on refusal" "$([ ! -e "$P/addons/$ID2" ] || echo installed)"

# --- upload -----------------------------------------------------------------

t "upload with the token" 0 --out "Uploaded" -- \
        "$PERMIT" upload v120.zip --to "$H/inbox/" --token-file token --allow-http-loopback
check "the upload arrived intact" "$(cmp inbox/v120.zip v120.zip 2>&1)"
echo wrong-token >badtoken && chmod 600 badtoken
t "upload with a wrong token" 2 --err "HTTP 401" -- \
        "$PERMIT" upload v110.zip --to "$H/inbox/" --token-file badtoken --allow-http-loopback
check "nothing arrived" "$([ ! -e inbox/v110.zip ] || echo arrived)"
chmod 644 token
t "a token file others can read is refused" 2 --err "readable by others" -- \
        "$PERMIT" upload v110.zip --to "$H/inbox/" --token-file token --allow-http-loopback
check "the token is never printed" "$(grep -rF secret-token-123 "$T/.out" "$T/.err" || true)"
chmod 600 token
t "upload --timeout takes seconds from 1 to 3600, nothing else" 2 --err "is not a number of seconds" -- \
        "$PERMIT" upload v110.zip --to "$H/inbox/" --token-file token --allow-http-loopback --timeout 3s
t "upload over https" 0 -- "$PERMIT" upload v110.zip --to "$NGINX_HTTPS/inbox/" --token-file token --ca-file "$NGINX_CA"

echo "1..$n"
[ "$failures" = 0 ]
