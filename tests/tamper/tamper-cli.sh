#!/bin/bash
# SPDX-License-Identifier: MIT
# Tampered packages through the command: each must make `permit verify`
# exit 1 with one line on stderr ("permit: PACKAGE: ..."), never crash
# (exit >= 128) or print a sanitizer report. Prints TAP.
#
#   tamper-cli.sh PERMIT TAMPER_CORPUS_EXE [SOURCE_ROOT]
#
# Two sets: mutations made here with the shell on a package made by
# `permit keygen -W` and `permit sign` (both forms), and the sample that
# test-tamper-corpus writes with PERMIT_TAMPER_OUT (flips, truncations,
# central directory and seal mutations; the library run checks them all).
set -u

PERMIT=$(realpath "${1:?usage: tamper-cli.sh PERMIT TAMPER_CORPUS_EXE [SOURCE_ROOT]}")
CORPUS_EXE=$(realpath "${2:?usage: tamper-cli.sh PERMIT TAMPER_CORPUS_EXE [SOURCE_ROOT]}")
SRC=$(realpath "${3:-${PERMIT_SOURCE_ROOT:-$(dirname "$0")/../..}}")

T=$(mktemp -d "${TMPDIR:-/tmp}/permit-tamper.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 99

n=0
failures=0

ok() {
        n=$((n + 1))
        echo "ok $n - $1"
}

not_ok() {
        n=$((n + 1))
        failures=$((failures + 1))
        echo "not ok $n - $1"
        echo "# $2"
        sed 's/^/#   stderr: /' "$T/.err" 2>/dev/null | head -5
}

# refused DESC PUBKEY PACKAGE: permit verify exits 1 with one line.
refused() {
        local desc=$1 pub=$2 pkg=$3 rc lines
        "$PERMIT" verify -p "$pub" "$pkg" >"$T/.out" 2>"$T/.err"
        rc=$?
        lines=$(wc -l <"$T/.err")
        if [ $rc -ge 128 ]; then
                not_ok "$desc" "crashed: exit $rc"
        elif grep -q -E 'Sanitizer|runtime error|==[0-9]+==' "$T/.err"; then
                not_ok "$desc" "sanitizer report"
        elif [ $rc != 1 ]; then
                not_ok "$desc" "exit $rc, want 1"
        elif [ "$lines" != 1 ] || ! grep -q '^permit: ' "$T/.err"; then
                not_ok "$desc" "want one line 'permit: ...' on stderr, got $lines"
        elif [ -s "$T/.out" ]; then
                not_ok "$desc" "printed on stdout"
        else
                ok "$desc"
        fi
}

# --- a package made and signed with the command ---------------------------
"$PERMIT" keygen -W -p k.pub -s k.key >/dev/null 2>"$T/.err" || { not_ok "permit keygen -W" "failed"; exit 1; }
mkdir addon addon/lib
cp "$SRC"/examples/word-of-the-day/* addon/ || exit 99
printf 'def word():\n    return "serendipity"\n' >addon/lib/util.py
(cd addon && zip -qrX ../addon.zip .) || { not_ok "zip" "zip failed"; exit 1; }
if "$PERMIT" sign -s k.key addon >/dev/null 2>"$T/.err" && "$PERMIT" sign -s k.key addon.zip >/dev/null 2>"$T/.err" &&
        "$PERMIT" verify -q -p k.pub addon 2>"$T/.err" && "$PERMIT" verify -q -p k.pub addon.zip 2>"$T/.err"; then
        ok "permit sign, then permit verify, both forms"
else
        not_ok "permit sign, then permit verify, both forms" "failed"
        exit 1
fi

# Every 61st truncation of the zip, and a flip of every 61st byte.
size=$(stat -c %s addon.zip)
for ((i = 0; i < size; i += 61)); do
        head -c "$i" addon.zip >cut.zip
        refused "zip cut to $i of $size bytes" k.pub cut.zip
done
# A flipped byte may be harmless (a time stamp): those verify, as the
# library test checks; here each must be exit 0 or 1, never a crash.
flips=0 accepted=0
for ((i = 0; i < size; i += 61)); do
        cp addon.zip flip.zip
        b=$(od -An -tu1 -j "$i" -N1 addon.zip | tr -d ' ')
        printf "\\$(printf %03o $((b ^ 255)))" | dd of=flip.zip bs=1 seek="$i" conv=notrunc status=none
        "$PERMIT" verify -q -p k.pub flip.zip >/dev/null 2>"$T/.err"
        rc=$?
        flips=$((flips + 1))
        if [ $rc = 0 ]; then
                accepted=$((accepted + 1))
        elif [ $rc != 1 ] || [ "$(wc -l <"$T/.err")" != 1 ]; then
                not_ok "zip byte $i xor 0xff" "exit $rc"
        fi
done
ok "zip: $flips byte flips, each exit 1 with one line or (harmless) 0; $accepted accepted"

# The directory: each file with its first byte flipped, cut in half.
for f in addon/*.py addon/*.json addon/*.md addon/lib/util.py addon/permit.sig; do
        cp "$f" "$T/.orig"
        b=$(od -An -tu1 -N1 "$f" | tr -d ' ')
        printf "\\$(printf %03o $((b ^ 255)))" | dd of="$f" bs=1 conv=notrunc status=none
        refused "directory: ${f#addon/} first byte flipped" k.pub addon
        head -c $(($(stat -c %s "$T/.orig") / 2)) "$T/.orig" >"$f"
        refused "directory: ${f#addon/} cut in half" k.pub addon
        cp "$T/.orig" "$f"
done
echo 'print("not sealed")' >addon/lib/extra.py
refused "directory: a file not in the seal" k.pub addon
rm addon/lib/extra.py
mv addon/lib/util.py util.py
refused "directory: a sealed file missing" k.pub addon
mv util.py addon/lib/util.py
cp addon.zip extra.zip && (cd addon && echo 'x' >extra.txt && zip -q ../extra.zip extra.txt && rm extra.txt)
refused "zip: a member not in the seal" k.pub extra.zip
cp addon.zip missing.zip && zip -q -d missing.zip lib/util.py
refused "zip: a sealed member missing" k.pub missing.zip
cp addon.zip noseal.zip && zip -q -d noseal.zip permit.sig
refused "zip: no permit.sig" k.pub noseal.zip
if "$PERMIT" verify -q -p k.pub addon && "$PERMIT" verify -q -p k.pub addon.zip; then
        ok "the originals still verify"
else
        not_ok "the originals still verify" "they do not"
fi

# --- the library test's sample ----------------------------------------------
mkdir sample
if PERMIT_TAMPER_OUT=$T/sample PERMIT_SOURCE_ROOT=$SRC "$CORPUS_EXE" >"$T/.err" 2>&1; then
        ok "test-tamper-corpus wrote its sample ($(ls sample | wc -l) entries)"
else
        not_ok "test-tamper-corpus wrote its sample" "it failed"
fi
for s in sample/[0-9]*; do
        refused "sample ${s#sample/}" sample/key.pub "$s"
done

echo "1..$n"
[ $failures = 0 ]
