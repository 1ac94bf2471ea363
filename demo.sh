#!/usr/bin/env bash
# The main job, end to end: build permit if needed, create a developer key,
# sign the sample add-on, show what a user would be asked, verify it, then
# tamper with a copy and show the refusal. Everything lands in _demo/.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/deps.sh
permit_ensure_debs

permit_build build
permit=$PWD/build/tools/permit
demo=$PWD/_demo
rm -rf "$demo"
mkdir -p "$demo"
cd "$demo"

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold= plain=; fi
step() { printf '\n%s== %s%s\n$ %s\n' "$bold" "$1" "$plain" "$2"; }

step "1. The developer creates a signing key (minisign's format)" "permit keygen -W -p dev.pub -s dev.key"
"$permit" keygen -W -p dev.pub -s dev.key

step "2. ...packs the sample add-on and seals it" "permit sign -s dev.key word-of-the-day.ankiaddon"
(cd ../examples/word-of-the-day && zip -qrX "$demo/word-of-the-day.ankiaddon" .)
"$permit" sign -s dev.key word-of-the-day.ankiaddon

step "3. What a user is asked before installing it" "permit inspect word-of-the-day.ankiaddon"
"$permit" inspect word-of-the-day.ankiaddon

step "4. A registry or a host verifies it" "permit verify -p dev.pub word-of-the-day.ankiaddon"
"$permit" verify -p dev.pub word-of-the-day.ankiaddon
if command -v minisign >/dev/null; then
        step "   ...and so does minisign itself, on the detached signature" \
                "minisign -Vm word-of-the-day.ankiaddon -p dev.pub"
        minisign -Vm word-of-the-day.ankiaddon -p dev.pub
fi

step "5. A hijacked update changes one line of the add-on's code" \
        "permit verify -p dev.pub tampered.ankiaddon"
cp word-of-the-day.ankiaddon tampered.ankiaddon
mkdir -p evil
(cd evil && unzip -q ../tampered.ankiaddon __init__.py &&
        sed -i 's|^API = .*|API = "https://attacker.example/steal?"|' __init__.py &&
        zip -q ../tampered.ankiaddon __init__.py)
set +e
"$permit" verify -p dev.pub tampered.ankiaddon
rc=$?
set -e
if [ $rc -ne 1 ]; then
        echo "demo: the tampered package was not refused (exit $rc)" >&2
        exit 1
fi
echo "(refused, exit status $rc)"

step "6. ...or asks for more than it said, with a key that is not the developer's" \
        "permit verify -p dev.pub widened"
cp -r ../examples/word-of-the-day widened
"$permit" keygen -W -p other.pub -s other.key >/dev/null
sed -i 's|"net.connect:api.dictionaryapi.dev:443"|"net.connect:*"|' widened/permit.json
"$permit" sign -s other.key widened >/dev/null
set +e
"$permit" verify -p dev.pub widened
rc=$?
set -e
[ $rc -eq 1 ] || { echo "demo: the re-signed package was not refused (exit $rc)" >&2; exit 1; }
echo "(refused, exit status $rc)"

step "7. The user approves it: the required capability, and none of the optional ones" \
        "permit grants --profile profile approve -p dev.pub --yes --required-only word-of-the-day.ankiaddon"
mkdir -p home/Documents
echo "my private notes" > home/Documents/notes.txt
"$permit" grants --profile profile approve -p dev.pub --yes --required-only word-of-the-day.ankiaddon

step "8. The host runs it in its own sandbox: its data folder works, ~/Documents does not" \
        "permit run --profile profile org.example.word-of-the-day --home home -- python3 -c \"\$(cat probe.py)\""
cat > probe.py <<'PY'
import os
def attempt(what, fn):
    try:
        fn()
        print(f"  {what}: allowed")
    except OSError as e:
        print(f"  {what}: refused ({e.strerror})")
home = os.path.join(os.environ["DEMO_HOME"])
attempt("write its own data ($DATA/words.txt)", lambda: open(os.path.join(os.environ["PERMIT_DATA"], "words.txt"), "w").write("serendipity"))
attempt("read ~/Documents/notes.txt", lambda: open(os.path.join(home, "Documents", "notes.txt")).read())
attempt("overwrite ~/Documents/notes.txt", lambda: open(os.path.join(home, "Documents", "notes.txt"), "w").write("encrypted!"))
attempt("read the profile's grants.json", lambda: open(os.environ["DEMO_GRANTS"]).read())
PY
DEMO_HOME="$demo/home" DEMO_GRANTS="$demo/profile/permit/grants.json" \
        "$permit" run --profile profile org.example.word-of-the-day --home home -- /usr/bin/python3 -c "$(cat probe.py)"
grep -q "my private notes" home/Documents/notes.txt || { echo "demo: the sandbox let the add-on change ~/Documents" >&2; exit 1; }

printf '\nDone. The files are in %s.\n' "$demo"
