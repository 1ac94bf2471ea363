#!/bin/bash
# SPDX-License-Identifier: MIT
# permit install with a display: the consent is the permit-consent dialog:
# cancelled by its own timeout (the install is refused and the profile left
# as it was), then allowed from the keyboard through X by xdotool (Tab from
# Cancel to Allow, Return: installed, the dialog's decision recorded), and
# --yes still decides without it. Runs under
# xvfb-run; nginx on 127.0.0.1 (nginx-lib.sh). Prints TAP.
#
#   registry-client-dialog.sh PERMIT PERMIT_CONSENT [SOURCE_ROOT]
set -u

PERMIT=$(realpath "${1:?usage: registry-client-dialog.sh PERMIT PERMIT_CONSENT [SOURCE_ROOT]}")
CONSENT=$(realpath "${2:?usage: registry-client-dialog.sh PERMIT PERMIT_CONSENT [SOURCE_ROOT]}")
SRC=$(realpath "${3:-${PERMIT_SOURCE_ROOT:-$(dirname "$0")/../..}}")
PYTHON3=${PYTHON3:-$(command -v python3)}
HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
ID=org.example.word-of-the-day

T=$(mktemp -d "${TMPDIR:-/tmp}/permit-client-dialog.XXXXXX") || exit 99
trap 'nginx_stop "$T/nginx"; rm -rf "$T"' EXIT
cd "$T" || exit 99
. "$HERE/tap-lib.sh"
. "$HERE/nginx-lib.sh"

[ -n "${DISPLAY:-}" ] || { echo "Bail out! no DISPLAY: run under xvfb-run"; exit 99; }
{
        "$PERMIT" keygen -W -p reg.pub -s reg.key && "$PERMIT" keygen -W -p dev.pub -s dev.key &&
        cp -r "$SRC/examples/word-of-the-day" src && (cd src && zip -qr ../a.zip .) &&
        "$PERMIT" sign -s dev.key --no-minisig a.zip &&
        "$PERMIT" registry init www -s reg.key --name example &&
        "$PERMIT" registry add www -s reg.key -p dev.pub a.zip &&
        "$PERMIT" registry publish www -s reg.key --expires 7d
} >setup.log 2>&1 || { echo "Bail out! setup failed"; sed 's/^/# /' setup.log; exit 99; }
nginx_start "$T/nginx" "$T/www" || { echo "Bail out! nginx does not start"; exit 99; }

P=$T/profile
mkdir -p "$P"
export PERMIT_CONSENT=$CONSENT PERMIT_CONSENT_TIMEOUT_MS=1500
start=$(date +%s)
t "the dialog is shown, and cancelled: nothing installed" 1 --err "consent refused in the dialog" -- \
        "$PERMIT" install $ID --profile "$P" --registry "$NGINX_HTTP/" --registry-key reg.pub --allow-http-loopback
check "the dialog ran (it took its timeout)" "$([ $(($(date +%s) - start)) -ge 1 ] || echo "returned at once")"
# (permit-consent itself makes the store's empty permit/ folder.)
check "nothing installed, granted or pinned" \
        "$([ ! -e "$P/addons" ] && [ ! -e "$P/permit/grants.json" ] && [ ! -e "$P/permit/pins.json" ] || echo "$(cd "$P" && find .)")"
# Allow, pressed as a user would: the keyboard, through X (xdotool). The
# focus starts on Cancel (a stray Enter grants nothing): Tab, then Return.
P2=$T/profile-allow
mkdir -p "$P2"
(
        w=$(timeout 60 xdotool search --sync --onlyvisible --name 'to use these permissions' | head -1) &&
                xdotool windowfocus --sync "$w" && sleep 0.3 &&
                xdotool key --window "$w" Tab && sleep 0.2 && xdotool key --window "$w" Return
) >clicker.log 2>&1 &
clicker=$!
PERMIT_CONSENT_TIMEOUT_MS=60000 t "the dialog is shown and the user presses Allow: installed" 0 --out "Installed $ID 1.2.0" -- \
        "$PERMIT" install $ID --profile "$P2" --registry "$NGINX_HTTP/" --registry-key reg.pub --allow-http-loopback
wait $clicker
check "... the dialog's decision is recorded: the required capability allowed, the optional ones off" "$(
        "$PERMIT" grants --profile "$P2" show --json $ID | "$PYTHON3" -c '
import json, sys
r = json.load(sys.stdin)
got = {c["capability"]: c["granted"] for c in r["capabilities"]}
want = {"net.connect:api.dictionaryapi.dev:443": True, "fs.read:$DOCUMENTS/word-lists": False, "sys.notify": False}
print("" if got == want else "recorded %r" % got)' 2>&1)"
check "... and the package is in the profile, its key pinned" \
        "$([ -f "$P2/addons/$ID/permit.json" ] && grep -q "$ID" "$P2/permit/pins.json" || echo "$(cd "$P2" && find . | head)")"
t "--yes decides without the dialog" 0 --out "Installed $ID 1.2.0" -- \
        "$PERMIT" install $ID --profile "$P" --registry "$NGINX_HTTP/" --registry-key reg.pub --allow-http-loopback --yes

echo "1..$n"
[ "$failures" = 0 ]
