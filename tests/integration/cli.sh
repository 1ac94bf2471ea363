#!/bin/bash
# SPDX-License-Identifier: MIT
# The permit command as users see it: exit codes (0 ok, 1 refused, 2 usage
# or unreadable input), the words of its messages, --json output, and
# interop with the real minisign in both directions. Prints TAP.
#
#   cli.sh PERMIT [SOURCE_ROOT]
#
# minisign, zip and python3 are required: a missing one fails the tests
# that need it, it never skips them (CI installs all three).
set -u

PERMIT=$(realpath "${1:?usage: cli.sh PERMIT [SOURCE_ROOT]}")
SRC=$(realpath "${2:-${PERMIT_SOURCE_ROOT:-$(dirname "$0")/../..}}")
EXAMPLE=$SRC/examples/word-of-the-day
MINISIGN=${PERMIT_MINISIGN-$(command -v minisign)}
PYTHON3=${PYTHON3:-$(command -v python3)}

T=$(mktemp -d "${TMPDIR:-/tmp}/permit-cli.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 99

# pass, fail, check, t, json: TAP helpers shared with registry.sh.
. "$(dirname "${BASH_SOURCE[0]}")/tap-lib.sh"

sha() {
        sha256sum "$1" | cut -d' ' -f1
}

# A copy of the example add-on as a directory and as a zip.
make_dir() {
        rm -rf "$1"
        cp -r "$EXAMPLE" "$1"
}
make_zip() {
        local d
        d=$(mktemp -d "$T/zipsrc.XXXXXX")
        cp -r "$EXAMPLE"/. "$d"
        rm -f "$1"
        (cd "$d" && zip -qr "$T/$1" .)
        rm -rf "$d"
}

have() {
        [ -n "$1" ] && [ -x "$(command -v "$1" 2>/dev/null)" ]
}

# --- help, version, usage ------------------------------------------------------

t "permit --help" 0 --out "Usage: permit COMMAND" --out "Exit status" -- "$PERMIT" --help
for cmd in keygen sign verify inspect; do
        t "permit $cmd --help has an example" 0 --out "Usage: permit $cmd" --out "Example" -- "$PERMIT" $cmd --help
done
t "permit help verify" 0 --out "Usage: permit verify" --out "Example" -- "$PERMIT" help verify
t "permit --version" 0 --out "permit " -- "$PERMIT" --version
check "--version prints 'permit X.Y.Z'" "$(grep -qE '^permit [0-9]+\.[0-9]+\.[0-9]+$' "$T/.out" || echo "got '$(cat "$T/.out")'")"
t "no command: usage, exit 2" 2 --err "Usage: permit COMMAND" -- "$PERMIT"
t "unknown command: exit 2" 2 --err "unknown command 'frobnicate'" -- "$PERMIT" frobnicate
t "keygen without arguments: exit 2" 2 --err "keygen needs -p PUBKEY and -s SECKEY" -- "$PERMIT" keygen
t "keygen with only -p: exit 2" 2 --err "keygen needs" -- "$PERMIT" keygen -W -p only.pub
t "sign without arguments: exit 2" 2 --err "sign needs -s SECKEY and one PACKAGE" -- "$PERMIT" sign
t "sign without a package: exit 2" 2 --err "sign needs" -- "$PERMIT" sign -s some.key
t "verify without arguments: exit 2" 2 --err "verify needs one PACKAGE" -- "$PERMIT" verify
t "verify without a key: exit 2" 2 --err "-p FILE or -P KEY" -- "$PERMIT" verify pkg.zip
t "verify with -p and -P: exit 2" 2 --err "-p FILE or -P KEY" --no-out -- "$PERMIT" verify --json -p a.pub -P RWx pkg.zip
t "inspect without arguments: exit 2" 2 --err "inspect needs one PACKAGE" -- "$PERMIT" inspect
t "inspect with two packages: exit 2" 2 --err "inspect needs one PACKAGE" -- "$PERMIT" inspect a.zip b.zip
t "unknown option: exit 2" 2 --err "unrecognized option" -- "$PERMIT" verify --frobnicate -p a.pub pkg.zip
t "bad --max-files: exit 2" 2 --err "not a positive number: '0'" -- "$PERMIT" inspect --max-files 0 pkg.zip
t "no files were written by usage errors" 0 -- test ! -e only.pub

# --- keygen ----------------------------------------------------------------------

t "keygen -W" 0 --out "Key " --out "(no password)" -- "$PERMIT" keygen -W -p dev.pub -s dev.key
check "keygen wrote minisign's public key format" \
        "$( (head -1 dev.pub | grep -q '^untrusted comment: minisign public key [0-9A-F]\{16\}$' &&
                sed -n 2p dev.pub | grep -q '^RW[A-Za-z0-9+/]\{54\}$' && [ "$(wc -l <dev.pub)" -eq 2 ]) ||
                echo "dev.pub: $(cat dev.pub)")"
check "the secret key file is mode 0600" "$(m=$(stat -c %a dev.key); [ "$m" = 600 ] || echo "mode $m")"
check "the public key file is readable by others" "$(m=$(stat -c %a dev.pub); [ "$m" = 644 ] || echo "mode $m")"
DEV_KEY=$(sed -n 2p dev.pub)
DEV_ID=$(head -1 dev.pub | awk '{print $NF}')

before=$(sha dev.key):$(sha dev.pub)
t "keygen refuses to overwrite a secret key" 2 --err "dev.key: already exists (use -f to replace it)" -- \
        "$PERMIT" keygen -W -p other.pub -s dev.key
t "keygen refuses to overwrite a public key" 2 --err "dev.pub: already exists" -- \
        "$PERMIT" keygen -W -p dev.pub -s other.key
check "the refused keygen changed nothing" \
        "$([ "$(sha dev.key):$(sha dev.pub)" = "$before" ] && [ ! -e other.pub ] && [ ! -e other.key ] || echo changed)"
t "keygen -f creates" 0 -- "$PERMIT" keygen -W -f -p old.pub -s old.key
cp old.key old.key.1
t "keygen -f replaces existing files" 0 -- "$PERMIT" keygen -W -f -p old.pub -s old.key
check "the replaced key is new, still mode 0600" \
        "$(! cmp -s old.key old.key.1 && [ "$(stat -c %a old.key)" = 600 ] || echo "same key or mode $(stat -c %a old.key)")"

t "keygen --json" 0 -- "$PERMIT" keygen -W --json -p j.pub -s j.key
json "keygen --json is JSON with key id and public key" \
        "len(d['key_id']) == 16 and d['public_key'] == open('j.pub').read().split('\n')[1] and d['password'] is False and d['secret_key_file'] == 'j.key'"

PW='correct horse battery staple'
printf '%s\n' "$PW" >pw.txt
printf 'not the password\n' >wrong-pw.txt
: >empty-pw.txt
t "keygen --password-file" 0 -- "$PERMIT" keygen --json --password-file pw.txt -p pw.pub -s pw.key
json "keygen --password-file --json says password true" "d['password'] is True"
check "the password-protected secret key is mode 0600" "$(m=$(stat -c %a pw.key); [ "$m" = 600 ] || echo "mode $m")"
t "keygen with an empty password file: exit 2" 2 --err "empty password" -- \
        "$PERMIT" keygen --password-file empty-pw.txt -p e.pub -s e.key
t "keygen with a missing password file: exit 2" 2 --err "no-such-file" -- \
        "$PERMIT" keygen --password-file no-such-file -p e.pub -s e.key
t "keygen -W with --password-file: exit 2" 2 --err "contradict" -- \
        "$PERMIT" keygen -W --password-file pw.txt -p e.pub -s e.key
t "keygen without a terminal or a password: exit 2" 2 --err "no terminal to ask for a password" -- \
        "$PERMIT" keygen -p e.pub -s e.key
t "no key files left by failed keygens" 0 -- test ! -e e.pub -a ! -e e.key

# --- sign and verify: a directory and a zip ----------------------------------------

make_dir addon
make_zip addon.zip
cp addon.zip unsigned.zip

t "sign a directory" 0 --out "Signed addon: org.example.word-of-the-day 1.2.0" --out "key $DEV_ID" -- \
        "$PERMIT" sign -s dev.key addon
t "the directory holds permit.sig, no .minisig beside it" 0 -- test -f addon/permit.sig -a ! -e addon.minisig
t "sign a zip" 0 --out "Signed addon.zip" --out "Wrote addon.zip.minisig" -- "$PERMIT" sign -s dev.key addon.zip
t "the zip's .minisig was written" 0 -- test -s addon.zip.minisig

t "verify the directory with -p" 0 --out "addon: OK: org.example.word-of-the-day 1.2.0 by Example Flashcards Ltd" -- \
        "$PERMIT" verify -p dev.pub addon
t "verify the zip with -p" 0 --out "addon.zip: OK" --out "sealed by key $DEV_ID" -- "$PERMIT" verify -p dev.pub addon.zip
t "verify the zip with -P (line 2 of the .pub)" 0 --out "addon.zip: OK" -- "$PERMIT" verify -P "$DEV_KEY" addon.zip
t "verify -q prints nothing" 0 --no-out -- "$PERMIT" verify -q -p dev.pub addon.zip
t "verify --json" 0 -- "$PERMIT" verify --json -p dev.pub addon.zip
json "verify --json success: valid, id, key id" \
        "d['valid'] is True and d['id'] == 'org.example.word-of-the-day' and d['key_id'] == '$DEV_ID' and d['version'] == '1.2.0' and len(d['seal_digest']) == 64"

cp addon.zip resigned.zip
t "sign --json, re-sealing a signed zip" 0 -- "$PERMIT" sign --json -s dev.key resigned.zip
json "sign --json: id, key id, minisig" \
        "d['id'] == 'org.example.word-of-the-day' and d['key_id'] == '$DEV_ID' and d['minisig'] is True and d['files'] == 4"
t "the re-sealed zip verifies" 0 -- "$PERMIT" verify -q -p dev.pub resigned.zip

t "sign with --password-file" 0 --out "Signed" -- "$PERMIT" sign -s pw.key --password-file pw.txt --no-minisig addon.zip
t "verify with the password-protected key's public key" 0 -- "$PERMIT" verify -q -p pw.pub addon.zip
t "--no-minisig kept the old .minisig" 0 -- test -s addon.zip.minisig
before=$(sha addon.zip)
t "sign with the wrong password file: exit 2" 2 --err "pw.key: wrong password" -- \
        "$PERMIT" sign -s pw.key --password-file wrong-pw.txt addon.zip
t "sign with a password key and no way to ask: exit 2" 2 --err "no terminal to ask for a password" -- \
        "$PERMIT" sign -s pw.key addon.zip
check "the refused signs left the zip untouched" "$([ "$(sha addon.zip)" = "$before" ] || echo changed)"
t "sign back with dev.key" 0 -- "$PERMIT" sign -s dev.key addon.zip

# --- refusals ------------------------------------------------------------------------

# A file changed inside the zip, replaced with zip itself.
cp addon.zip tampered.zip
mkdir tamper && cp "$EXAMPLE/__init__.py" tamper/ && echo "# one more line" >>tamper/__init__.py
(cd tamper && zip -q "$T/tampered.zip" __init__.py)
t "a changed file: exit 1, named" 1 --err "tampered.zip: __init__.py: changed" -- "$PERMIT" verify -p dev.pub tampered.zip
t "verify --json on a changed file" 1 -- "$PERMIT" verify --json -p dev.pub tampered.zip
json "verify --json failure: tampered" \
        "d['valid'] is False and d['code'] == 'tampered' and d['member'] == '__init__.py' and d['exit'] == 1 and 'changed' in d['error']"

make_dir tampered-dir
cp addon/permit.sig tampered-dir/
t "the directory copy verifies before tampering" 0 -- "$PERMIT" verify -q -p dev.pub tampered-dir
echo "# one more line" >>tampered-dir/__init__.py
t "a changed file in a directory: exit 1" 1 --err "__init__.py" --err "changed" -- "$PERMIT" verify -p dev.pub tampered-dir

cp addon.zip added.zip
echo "extra" >extra.txt
zip -q added.zip extra.txt
t "an added file: exit 1" 1 --err "extra.txt: file is not in the seal" -- "$PERMIT" verify -p dev.pub added.zip
make_dir added-dir && cp addon/permit.sig added-dir/ && echo extra >added-dir/extra.txt
t "an added file in a directory: exit 1" 1 --err "not in the seal" -- "$PERMIT" verify -p dev.pub added-dir
cp addon.zip removed.zip
zip -qd removed.zip README.md
t "a removed file: exit 1" 1 --err "README.md: sealed file is missing" -- "$PERMIT" verify -p dev.pub removed.zip

t "wrong key: exit 1" 1 --err "sealed with key $DEV_ID, not with the given key" -- "$PERMIT" verify -p j.pub addon.zip
t "verify --json with the wrong key" 1 -- "$PERMIT" verify --json -p j.pub addon.zip
json "verify --json failure: wrong-key" "d['valid'] is False and d['code'] == 'wrong-key' and d['exit'] == 1"

t "unsigned package: exit 1" 1 --err "not signed" -- "$PERMIT" verify -p dev.pub unsigned.zip
t "verify --json on an unsigned package" 1 -- "$PERMIT" verify --json -p dev.pub unsigned.zip
json "verify --json failure: unsigned" "d['valid'] is False and d['code'] == 'unsigned'"

t "nonexistent package: exit 2" 2 --err "no-such.zip" -- "$PERMIT" verify -p dev.pub no-such.zip
t "verify --json on a nonexistent package" 2 -- "$PERMIT" verify --json -p dev.pub no-such.zip
json "verify --json failure: unreadable, exit 2" "d['valid'] is False and d['code'] == 'unreadable' and d['exit'] == 2"
t "sign a nonexistent package: exit 2" 2 --err "no-such.zip" -- "$PERMIT" sign -s dev.key no-such.zip
t "inspect a nonexistent package: exit 2" 2 --err "no-such.zip" -- "$PERMIT" inspect no-such.zip
head -c 300 /dev/urandom >junk.zip
t "a file that is neither zip nor directory: exit 1" 1 --err "not a directory or a zip archive" -- \
        "$PERMIT" verify -p dev.pub junk.zip

printf 'untrusted comment: minisign public key\nnot a key\n' >malformed.pub
t "malformed public key file: exit 2" 2 --err "malformed.pub" --err "line 2" -- "$PERMIT" verify -p malformed.pub addon.zip
echo garbage >garbage.pub
t "public key file without a comment line: exit 2" 2 --err "garbage.pub: line 1" -- \
        "$PERMIT" verify -p garbage.pub addon.zip
t "verify --json with a malformed key" 2 -- "$PERMIT" verify --json -p garbage.pub addon.zip
json "verify --json failure: bad key is unreadable, exit 2" \
        "d['valid'] is False and d['code'] == 'unreadable' and d['exit'] == 2 and 'garbage.pub' in d['error']"
t "nonexistent public key file: exit 2" 2 --err "no-such.pub" -- "$PERMIT" verify -p no-such.pub addon.zip
t "malformed -P key: exit 2" 2 --err "public key" -- "$PERMIT" verify -P RWnotakey addon.zip
t "a public key as secret key: exit 2" 2 --err "dev.pub" -- "$PERMIT" sign -s dev.pub addon.zip
t "nonexistent secret key: exit 2" 2 --err "no-such.key" -- "$PERMIT" sign -s no-such.key addon.zip

# An invalid manifest: sign refuses and leaves the package as it was.
make_dir madeup
sed -i 's/"sys.notify"/"made.up"/' madeup/permit.json
(cd madeup && zip -qr "$T/madeup.zip" .)
before=$(sha madeup.zip)
t "sign refuses an unknown capability kind (zip)" 1 --err "capabilities[" --err "unknown kind 'made.up'" -- \
        "$PERMIT" sign -s dev.key madeup.zip
check "the refused zip is untouched, no .minisig" "$([ "$(sha madeup.zip)" = "$before" ] && [ ! -e madeup.zip.minisig ] || echo changed)"
t "sign refuses an unknown capability kind (directory)" 1 --err "madeup/permit.json: capabilities[2].id: unknown kind 'made.up'" -- \
        "$PERMIT" sign -s dev.key madeup
t "no seal was written into the directory" 0 -- test ! -e madeup/permit.sig
t "inspect refuses it too" 1 --err "unknown kind 'made.up'" -- "$PERMIT" inspect madeup.zip

# A zip with a "../evil" member.
if [ -n "$PYTHON3" ]; then
        "$PYTHON3" - "$EXAMPLE" evil.zip <<'EOF'
import sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w") as z:
    for name in ["permit.json", "__init__.py", "manifest.json", "README.md"]:
        z.write(src + "/" + name, name)
    z.writestr("../evil", "escaped\n")
EOF
fi
before=$(sha evil.zip 2>/dev/null)
t "sign refuses a '../evil' member" 1 --err "../evil: '..' in path" -- "$PERMIT" sign -s dev.key evil.zip
check "the refused zip is untouched" "$([ -n "$before" ] && [ "$(sha evil.zip)" = "$before" ] && [ ! -e evil.zip.minisig ] || echo changed)"
t "verify refuses a '../evil' member" 1 --err "'..' in path" -- "$PERMIT" verify -p dev.pub evil.zip
t "inspect refuses a '../evil' member" 1 --err "'..' in path" -- "$PERMIT" inspect evil.zip
t "nothing escaped the directory" 0 -- test ! -e "$T/../evil" -a ! -e evil

# --- inspect ----------------------------------------------------------------------------

# Capabilities listed lowest risk first (none absorbing another): inspect
# must reverse them.
make_dir risky
"$PYTHON3" - risky/permit.json <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
m["capabilities"] = [
    {"id": "sys.notify", "required": False, "reason": "Tells you when a new word is ready"},
    {"id": "net.connect:api.dictionaryapi.dev:443", "reason": "Looks up words"},
    {"id": "dev.camera", "required": False, "reason": "Reads words from paper"},
    {"id": "fs.write:/", "reason": "Saves words everywhere"},
]
json.dump(m, open(sys.argv[1], "w"), indent=2)
EOF
t "sign the risky add-on" 0 -- "$PERMIT" sign -s dev.key risky
t "inspect text" 0 --out "Word of the Day 1.2.0 (org.example.word-of-the-day)" --out "sealed by key $DEV_ID" \
        --out "Developer says: \"Saves words everywhere\"" --out "It asks to:" -- "$PERMIT" inspect risky
check "inspect text lists warnings highest risk first" \
        "$(order=$(grep -oE '^  \[[A-Z]+\]' "$T/.out" | tr -d ' []' | tr '\n' ' ')
           [ "$order" = "CRITICAL HIGH MEDIUM LOW " ] || echo "order: $order")" output
t "inspect --json" 0 -- "$PERMIT" inspect --json risky
json "inspect --json warnings sorted by risk, highest first" \
        "[w['risk'] for w in d['warnings']] == ['critical', 'high', 'medium', 'low'] and d['max_risk'] == 'critical' and d['signed'] is True and d['verified'] is False"
json "inspect --json carries capabilities and reasons" \
        "[w['capability'] for w in d['warnings']] == ['fs.write:/', 'dev.camera', 'net.connect:api.dictionaryapi.dev:443', 'sys.notify'] and d['warnings'][0]['reason'] == 'Saves words everywhere'"
t "inspect the example zip" 0 --out "Developer says:" --out "[MEDIUM]" --out "Limits asked for: memory 128 MiB" -- \
        "$PERMIT" inspect addon.zip
t "inspect --json the example zip" 0 -- "$PERMIT" inspect --json addon.zip
json "inspect --json: sorted, with limits" \
        "(lambda r: r == sorted(r, reverse=True))([['none','low','medium','high','critical'].index(w['risk']) for w in d['warnings']]) and d['limits']['memory_mb'] == 128 and len(d['warnings']) == 3"
t "inspect an unsigned package" 0 --out "NOT SIGNED" -- "$PERMIT" inspect unsigned.zip

# --- interop with minisign ---------------------------------------------------------------

if have "$MINISIGN"; then
        t "minisign -G -W" 0 -- "$MINISIGN" -G -W -p mini.pub -s mini.key
        make_zip mini.zip
        t "permit sign with minisign's key" 0 --out "Wrote mini.zip.minisig" -- "$PERMIT" sign -s mini.key mini.zip
        t "permit verify with minisign's public key" 0 --out "mini.zip: OK" -- "$PERMIT" verify -p mini.pub mini.zip
        t "minisign -Vm accepts the .minisig of a minisign key" 0 --out "Signature and comment signature verified" -- \
                "$MINISIGN" -Vm mini.zip -p mini.pub
        t "minisign -Vm accepts permit's .minisig with permit's key" 0 \
                --out "Signature and comment signature verified" -- "$MINISIGN" -Vm addon.zip -p dev.pub
        t "minisign -Vm refuses it with another key" 1 -- "$MINISIGN" -Vm addon.zip -p j.pub
        cp "$EXAMPLE/README.md" doc.txt
        # minisign 0.11 reads the password from stdin when it is not a terminal.
        printf '%s\n' "$PW" | setsid -w "$MINISIGN" -S -s pw.key -m doc.txt >"$T/.out" 2>"$T/.err"
        rc=$?
        check "minisign -S signs with a password-protected key from permit keygen" \
                "$([ $rc -eq 0 ] && [ -s doc.txt.minisig ] || echo "exit status $rc")"
        t "minisign -Vm accepts it" 0 --out "Signature and comment signature verified" -- \
                "$MINISIGN" -Vm doc.txt -p pw.pub
else
        for what in "minisign -G -W keys sign with permit" "permit's .minisig verifies with minisign" \
                "permit's password-protected key signs with minisign"; do
                fail "$what" "minisign not found (PERMIT_MINISIGN='${PERMIT_MINISIGN-}'): install it, this test does not skip"
        done
fi

echo "1..$n"
[ "$failures" -eq 0 ]
