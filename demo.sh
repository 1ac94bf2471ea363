#!/usr/bin/env bash
# The whole story on one machine, in a few seconds: a developer signs two
# add-ons, an operator checks the uploads and publishes a registry that a
# real nginx serves on 127.0.0.1 (https, with a test CA made here), a user
# installs from it, the flashcards host (examples/python-host) runs them
# sandboxed, the hostile one's attacks are all refused, a hijacked update is
# refused, a wider update waits for approval, and a revoked key stops the
# add-on at start-up. Every claim is checked here: the demo exits 1 naming
# the step that did not behave as it says.
#
#   ./demo.sh
#
# Environment: DEMO_DIR (default ./_demo; emptied first), PERMIT_BUILD_DIR
# (a build tree to use as it is; default: build ./build first),
# PERMIT_PYTHON_PRELOAD (the sanitizer runtime python3 needs to load a
# sanitizer build's libpermit; tests/integration/demo-e2e.sh sets it).
set -eEuo pipefail
# Paths given in the environment are the caller's, from where it is.
demo=$(realpath -m "${DEMO_DIR:-$(dirname "$0")/_demo}")
[ -z "${PERMIT_BUILD_DIR:-}" ] || PERMIT_BUILD_DIR=$(realpath "$PERMIT_BUILD_DIR")
cd "$(dirname "$0")"
src=$PWD
. scripts/deps.sh
. tests/integration/nginx-lib.sh
permit_ensure_debs

if [ -n "${PERMIT_BUILD_DIR:-}" ]; then
        build=$PERMIT_BUILD_DIR
else
        permit_build build
        build=$src/build
fi
PERMIT_BIN=$build/tools/permit
[ -x "$PERMIT_BIN" ] || { echo "demo: no $PERMIT_BIN" >&2; exit 2; }
export PERMIT_LIBRARY=$build/libpermit.so # the Python binding loads this build's libpermit
PYTHON3=/usr/bin/python3
HOST=$src/examples/python-host/flashcards.py
case "$demo" in /|"$src"|"$HOME") echo "demo: DEMO_DIR=$demo: not a directory to empty" >&2; exit 2 ;; esac

nginx_dir=$demo/operator/nginx
trap 'nginx_stop "$nginx_dir"' EXIT
trap 'exit 130' INT TERM
rm -rf "$demo"
mkdir -p "$demo"
cd "$demo"
# No display and no terminal for the commands: consent is scripted
# (--required-only, --allow), never a dialog or a question.
unset DISPLAY WAYLAND_DISPLAY PERMIT_CA_FILE
mkdir -p logs

if [ -t 1 ]; then bold=$'\033[1m' dim=$'\033[2m' plain=$'\033[0m'; else bold= dim= plain=; fi
STEP=
step() {
        STEP=$1
        printf '\n%s%s. %s%s\n' "$bold" "$1" "$2" "$plain"
}
permit() { "$PERMIT_BIN" "$@"; }
# show CMD...: the command as a user would type it (this checkout as $SRC).
show() {
        local a line=
        for a in "$@"; do
                a=${a//$src/\$SRC}
                [[ "$a" =~ ^[][A-Za-z0-9_./:=@,+%\$-]+$ ]] || a="'${a//\'/\'\\\'\'}'"
                line+=" $a"
        done
        printf '%s$%s%s\n' "$dim" "$line" "$plain"
}
flashcards() {
        if [ -n "${PERMIT_PYTHON_PRELOAD:-}" ]; then # a sanitizer build's libpermit, loaded by python3
                LD_PRELOAD=$PERMIT_PYTHON_PRELOAD ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:verify_asan_link_order=0 \
                        "$PYTHON3" "$HOST" "$@"
        else
                "$PYTHON3" "$HOST" "$@"
        fi
}
# quiet CMD...: shows the command and runs it (stdin closed); RC is its exit
# status, OUT its output (kept in logs/, shown when a claim fails).
n_run=0
quiet() {
        n_run=$((n_run + 1))
        show "$@"
        RC=0
        "$@" </dev/null >"logs/$n_run.out" 2>&1 || RC=$?
        OUT=$(cat "logs/$n_run.out")
}
# run CMD...: the same, and shows its output indented.
run() {
        quiet "$@"
        [ -z "$OUT" ] || printf '%s\n' "$OUT" | sed 's/^/    /'
}
fail() {
        printf '\ndemo: step %s FAILED: %s\n' "$STEP" "$1" >&2
        [ -z "${OUT:-}" ] || printf '%s\n' "$OUT" | tail -n 30 | sed 's/^/  | /' >&2
        exit 1
}
# Any other command that fails stops the demo too, naming the step.
trap 'rc=$?; printf "\ndemo: step %s FAILED: %s (exit status %d)\n" "${STEP:-0}" "$BASH_COMMAND" "$rc" >&2; exit 1' ERR
# expect RC CLAIM: the last command exited RC.
expect() { [ "$RC" = "$1" ] || fail "$2 (exit status $RC, expected $1)"; }
# says TEXT CLAIM: the last command's output has TEXT.
says() { grep -qF -- "$1" <<<"$OUT" || fail "$2 (no \"$1\" in its output)"; }
note() { printf '   %s\n' "$1"; }
ok() { printf '  %s-> %s%s\n' "$bold" "$1" "$plain"; }
# A digest of a profile: every file's name, mode, size and contents.
tree_hash() {
        (cd "$1" && find . -printf '%y %m %p %s\n' | LC_ALL=C sort &&
                find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) | sha256sum | cut -d' ' -f1
}
manifest_set() { # manifest_set DIR PYTHON: edit DIR/permit.json (m is the manifest)
        "$PYTHON3" - "$1/permit.json" "$2" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(m, open(sys.argv[1], "w"), indent=2)
EOF
}
key_id() { "$PYTHON3" -c 'import base64,sys
raw = base64.b64decode(open(sys.argv[1]).read().split("\n")[1]); print(raw[2:10][::-1].hex().upper())' "$1"; }

GOOD=org.example.card-stats
EVIL=org.example.evil-stats
mkdir -p developer operator attacker www user/home/.ssh user/home/Documents
echo "-----BEGIN OPENSSH PRIVATE KEY----- the user's secret" >user/home/.ssh/id_rsa
echo "my private notes" >user/home/Documents/notes.txt
profile=user/home/.local/share/flashcards # where the flashcards app keeps its add-ons
reg=www/addons                            # the registry: a static tree nginx serves
echo 'upload-token-for-the-demo' >developer/token && chmod 600 developer/token
# pack WHO NAME VERSION [PYTHON]: WHO/NAME-VERSION.zip, the sample add-on
# NAME at VERSION (PYTHON edits its manifest m), with its copy of the host's
# JSON-RPC helper (an add-on vendors it: its sandbox sees nothing of the host).
pack() {
        rm -rf "$1/$2" "$1/$2-$3.zip"
        cp -r "$src/examples/addons/$2" "$1/$2"
        cp "$src/bindings/python/permit_host_rpc.py" "$1/$2/"
        manifest_set "$1/$2" "m['version'] = '$3'
${4:-}"
        (cd "$1/$2" && zip -qrX "../$2-$3.zip" .)
}

printf '%spermit, end to end%s: developer -> registry (nginx on 127.0.0.1) -> user -> host.\n' "$bold" "$plain"
printf 'Commands run in %s; $SRC is %s.\n' "$demo" "$src"

# ---------------------------------------------------------------------------
step 1 "The developer creates a key and signs two add-ons"
note "card-stats counts your reviews; evil-stats says it does the same, and attacks."
run permit keygen -W -p developer/dev.pub -s developer/dev.key
expect 0 "keygen"
pack developer card-stats 1.0.0
pack developer evil-stats 1.0.0
run permit sign -s developer/dev.key developer/card-stats-1.0.0.zip
expect 0 "signing card-stats"
quiet permit sign -s developer/dev.key developer/evil-stats-1.0.0.zip
expect 0 "signing evil-stats"
if command -v minisign >/dev/null; then
        run minisign -Vm developer/card-stats-1.0.0.zip -p developer/dev.pub
        expect 0 "minisign itself verifies the detached signature"
fi
run permit inspect --host-vocabulary "$src/examples/python-host/host-vocabulary.json" developer/card-stats-1.0.0.zip
expect 0 "inspect"
says "Card Stats 1.0.0" "inspect shows the add-on"

# ---------------------------------------------------------------------------
step 2 "The operator checks the uploads and publishes a registry on https://127.0.0.1"
quiet permit keygen -W -p operator/registry.pub -s operator/registry.key
expect 0 "registry keygen"
quiet permit registry init "$reg" -s operator/registry.key --name demo
expect 0 "registry init"
mkdir -p operator/inbox
nginx_start "$nginx_dir" "$demo/www" "
        location /inbox/ {
                if (\$http_authorization != \"Bearer $(cat developer/token)\") { return 401; }
                alias $demo/operator/inbox/;
                dav_methods PUT;
                create_full_put_path on;
                dav_access user:rw;
                client_max_body_size 10m;
        }" || { STEP=2; fail "nginx does not start"; }
URL=$NGINX_HTTPS/addons/
note "nginx serves $demo/www on $NGINX_HTTPS (its certificate from test-ca.pem, a CA made just now)"
cp "$NGINX_CA" test-ca.pem
tls=(--ca-file test-ca.pem)
run permit upload developer/card-stats-1.0.0.zip --to "$NGINX_HTTPS/inbox/" --token-file developer/token "${tls[@]}"
expect 0 "the developer uploads card-stats to the inbox"
quiet permit upload developer/evil-stats-1.0.0.zip --to "$NGINX_HTTPS/inbox/" --token-file developer/token "${tls[@]}"
expect 0 "the developer uploads evil-stats to the inbox"
cmp -s developer/card-stats-1.0.0.zip operator/inbox/card-stats-1.0.0.zip || fail "the upload did not arrive intact"
dev_key=$(sed -n 2p developer/dev.pub)
cat >operator/policy.json <<EOF
{"format": 1,
 "publishers": {"$GOOD": {"keys": ["$dev_key"]}, "$EVIL": {"keys": ["$dev_key"]}},
 "limits": {"max_size": 1048576, "max_files": 100},
 "forbid": ["proc.exec:*"], "review": ["net.connect"]}
EOF
run permit registry check-upload --policy operator/policy.json --registry "$reg" operator/inbox/card-stats-1.0.0.zip
expect 0 "check-upload accepts card-stats"
quiet permit registry check-upload --policy operator/policy.json --registry "$reg" operator/inbox/evil-stats-1.0.0.zip
expect 0 "check-upload accepts evil-stats (it asks only for sys.notify)"
note "A copy changed on its way (one line added to main.py) is refused:"
mkdir -p attacker/t && cp operator/inbox/card-stats-1.0.0.zip attacker/tampered.zip
(cd attacker/t && unzip -q ../tampered.zip main.py && echo 'import socket  # sends your deck away' >>main.py &&
        zip -q ../tampered.zip main.py)
run permit registry check-upload --policy operator/policy.json --registry "$reg" attacker/tampered.zip
expect 1 "a tampered upload is refused"
ok "a tampered upload is refused (exit 1)"
quiet permit registry add "$reg" -s operator/registry.key -p developer/dev.pub operator/inbox/card-stats-1.0.0.zip
expect 0 "registry add card-stats"
quiet permit registry add "$reg" -s operator/registry.key -p developer/dev.pub operator/inbox/evil-stats-1.0.0.zip
expect 0 "registry add evil-stats"
run permit registry publish "$reg" -s operator/registry.key --expires 7d
expect 0 "registry publish"
user=(--profile "$profile" --registry "$URL" --registry-key operator/registry.pub "${tls[@]}" --no-progress)
run permit list --available "${user[@]}"
expect 0 "the registry is served and its index verifies"
says "$GOOD" "the published index lists card-stats"

# ---------------------------------------------------------------------------
step 3 "A user installs card-stats and approves what it needs (scripted: --required-only)"
mkdir -p "$profile"
run permit install $GOOD "${user[@]}" --required-only
expect 0 "install"
[ -f "$profile/addons/$GOOD/permit.json" ] || fail "card-stats is not in $profile/addons"
vocab=(--host-vocabulary "$src/examples/python-host/host-vocabulary.json") # the host's words for host.*
run permit grants --profile "$profile" "${vocab[@]}" show $GOOD
expect 0 "grants show"
grep -Eq 'sys\.notify' <<<"$OUT" || fail "sys.notify is not listed"
ok "installed from the registry; sys.notify allowed, the optional capabilities off"

# ---------------------------------------------------------------------------
step 4 "The flashcards host starts and runs card-stats in its sandbox"
printf 'add Bonjour | Hello\nadd Merci | Thank you\nadd Chat | Cat\nreview\n\ny\n\nn\n\ny\nquit\n' >user/review.txt
host=(--profile "$profile" --home user/home)
run flashcards "${host[@]}" --script user/review.txt
expect 0 "the host runs"
says "started add-on $GOOD (Card Stats;" "the host starts card-stats"
says "sandboxed; granted: sys.notify)" "card-stats runs sandboxed with sys.notify"
says "[notification from Card Stats] 3 cards reviewed, 2 right" "card-stats works (it notifies)"
[ -s "$profile/data/$GOOD/reviews.log" ] || fail "card-stats did not write its own data"
ok "the add-on works: its notification, its own data in $profile/data/$GOOD"

# ---------------------------------------------------------------------------
step 5 "The user also installs evil-stats; every attack it tries is refused"
run permit install $EVIL "${user[@]}" --required-only
expect 0 "install evil-stats"
secrets_before=$(cat user/home/.ssh/id_rsa user/home/Documents/notes.txt "$profile/permit/pins.json" | sha256sum)
printf 'add Hund | Dog\nreview\n\ny\n\ny\n\ny\n\ny\nquit\n' >user/evil.txt
quiet flashcards "${host[@]}" --script user/evil.txt
expect 0 "the host survives the hostile add-on"
printf '%s\n' "$OUT" | grep -F "[$EVIL] ATTACK" | grep -v flood | sed 's/^ *\[[^]]*\] /    /'
n_attacks=$(grep -cE "\[$EVIL\] ATTACK [a-z0-9-]+: (refused|ALLOWED)" <<<"$OUT" || true)
n_refused=$(grep -cE "\[$EVIL\] ATTACK [a-z0-9-]+: refused \(" <<<"$OUT" || true)
[ "$n_attacks" -ge 20 ] || fail "evil-stats reported only $n_attacks attacks"
grep -qF ": ALLOWED" <<<"$OUT" && fail "an attack was allowed"
[ "$n_refused" = "$n_attacks" ] || fail "$n_refused of $n_attacks attacks refused"
# Refused by the sandbox (EACCES, EPERM) or by the host (a JSON-RPC error);
# ENOENT only where the account's real home has no such file to take (the
# demo's planted secrets are the *-profile-home attacks).
weak=$(grep -oE "ATTACK [a-z0-9-]+: refused \((ENOENT|[A-Z]+)" <<<"$OUT" |
        grep -vE "\((EACCES|EPERM|host)$" | grep -vE "ATTACK read-(ssh-key|documents): refused \(ENOENT" || true)
[ -z "$weak" ] || fail "attacks not refused by the sandbox or the host: $weak"
says "stopped add-on $EVIL: flooded the host with messages" "the flood gets evil-stats stopped"
says "review done: 4 of 4 right" "the host and card-stats carry on"
[ "$(cat user/home/.ssh/id_rsa user/home/Documents/notes.txt "$profile/permit/pins.json" | sha256sum)" = \
        "$secrets_before" ] || fail "the user's files or the profile's pins changed"
[ ! -e user/home/evil.txt ] || fail "evil-stats wrote in the home"
ok "$n_refused of $n_attacks attacks refused (by the kernel or the host); its flood got it stopped; the host went on"
run permit remove $EVIL --profile "$profile"
expect 0 "remove evil-stats"

# ---------------------------------------------------------------------------
step 6 "A hijacked update: card-stats 1.1.0 signed by the attacker's key"
quiet permit keygen -W -p attacker/mallory.pub -s attacker/mallory.key
pack attacker card-stats 1.1.0
quiet permit sign -s attacker/mallory.key attacker/card-stats-1.1.0.zip
expect 0 "the attacker signs his update"
note "He uploads it with the developer's stolen upload token; the operator's check refuses it:"
run permit registry check-upload --policy operator/policy.json --registry "$reg" attacker/card-stats-1.1.0.zip
expect 1 "the registry refuses an upload sealed by an unregistered key"
note "The attacker serves it from a look-alike registry of his own and gets the user to update from it:"
quiet permit keygen -W -p attacker/registry.pub -s attacker/registry.key
quiet permit registry init www/mirror -s attacker/registry.key --name demo
quiet permit registry add www/mirror -s attacker/registry.key -p attacker/mallory.pub attacker/card-stats-1.1.0.zip
expect 0 "the attacker's registry lists his update"
quiet permit registry publish www/mirror -s attacker/registry.key --expires 7d
before=$(tree_hash "$profile")
run permit update $GOOD --profile "$profile" --registry "$NGINX_HTTPS/mirror/" --registry-key attacker/registry.pub \
        "${tls[@]}" --no-progress --yes
expect 1 "the user's client refuses the hijacked update"
says "pinned" "the refusal names the pinned key"
[ "$(tree_hash "$profile")" = "$before" ] || fail "the refused update changed the profile"
ok "refused: not sealed by the key pinned at install; the profile is exactly as it was"

# ---------------------------------------------------------------------------
step 7 "An update that asks for more: card-stats 1.1.0 adds host.history"
pack developer card-stats 1.1.0 "m['capabilities'].append({'id': 'host.history', 'required': False,
    'reason': 'Shows your review streak'})"
quiet permit sign -s developer/dev.key developer/card-stats-1.1.0.zip
expect 0 "the developer signs 1.1.0"
quiet permit registry check-upload --policy operator/policy.json --registry "$reg" developer/card-stats-1.1.0.zip
expect 0 "the registry accepts 1.1.0"
quiet permit registry add "$reg" -s operator/registry.key developer/card-stats-1.1.0.zip
expect 0 "registry add 1.1.0"
quiet permit registry publish "$reg" -s operator/registry.key --expires 7d
expect 0 "publish 1.1.0"
run permit update $GOOD "${user[@]}"
expect 0 "the update installs"
[ "$("$PYTHON3" -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
        "$profile/addons/$GOOD/permit.json")" = 1.1.0 ] || fail "1.1.0 is not installed"
run permit grants --profile "$profile" "${vocab[@]}" show $GOOD
expect 0 "grants show"
grep -E 'host\.history' <<<"$OUT" | grep -q allowed && fail "host.history is allowed before any approval"
says "waiting host.history (optional)" "grants show says host.history waits for approval"
echo addons >user/addons.txt
run flashcards "${host[@]}" --script user/addons.txt
says "sandboxed; granted: sys.notify)" "1.1.0 runs with the old grants only"
says "undecided      host.history" "the host sees host.history undecided"
ok "1.1.0 is installed and runs, with host.history off until the user approves it"
run permit grants --profile "$profile" "${vocab[@]}" approve --allow host.history "$profile/addons/$GOOD"
expect 0 "the user approves host.history"
quiet flashcards "${host[@]}" --script /dev/null
says "granted: sys.notify, host.history)" "after approval host.history is granted"
ok "approved: now it runs with host.history"

# ---------------------------------------------------------------------------
step 8 "The operator revokes the developer's key; the host refuses to start card-stats"
dev_id=$(key_id developer/dev.pub)
run permit registry revoke "$reg" --key "$dev_id" --reason "stolen laptop"
expect 0 "revoke"
quiet permit registry publish "$reg" -s operator/registry.key --expires 7d
expect 0 "publish the revocation"
run permit update $GOOD "${user[@]}" --yes
expect 1 "the client refuses anything from the revoked key"
says "stolen laptop" "the client gives the registry's reason"
note "The client kept the verified index in the profile (permit/registries/); the host checks it at start-up:"
run flashcards "${host[@]}" --script /dev/null
expect 0 "the host runs"
says "refusing add-on $GOOD: its key $dev_id was revoked by the registry" "the host refuses card-stats"
says "stolen laptop" "the host gives the registry's reason"
grep -qF "started add-on $GOOD" <<<"$OUT" && fail "the host started the revoked add-on"
run permit run --profile "$profile" $GOOD -- /bin/true
expect 125 "permit run refuses it too"
says "was revoked by the registry" "permit run names the revocation"
ok "revoked: the host does not start it, the client installs nothing from that key"

printf '\n%sDone: every step behaved as claimed.%s The files are in %s.\n' "$bold" "$plain" "$demo"
