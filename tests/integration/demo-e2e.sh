#!/bin/bash
# SPDX-License-Identifier: MIT
# The README's main command, ./demo.sh, run against this build tree in a
# scratch DEMO_DIR (so it collides neither with a user's _demo/ nor with a
# concurrent run): it exits 0 and says what each step showed. Then the same
# demo with a `permit` whose check-upload lets a tampered package through:
# the demo must notice, exit 1 and name step 2. Prints TAP.
#
#   demo-e2e.sh BUILD_ROOT SOURCE_ROOT
set -u

BUILD=$(realpath "${1:?usage: demo-e2e.sh BUILD_ROOT SOURCE_ROOT}")
SRC=$(realpath "${2:?usage: demo-e2e.sh BUILD_ROOT SOURCE_ROOT}")
T=$(mktemp -d "${TMPDIR:-/tmp}/permit-demo.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
PYTHON3=${PYTHON3:-python3}
. "$(dirname "${BASH_SOURCE[0]}")/tap-lib.sh"

# --- the demo as users run it ---------------------------------------------------
SECONDS=0
DEMO_DIR=$T/demo PERMIT_BUILD_DIR=$BUILD setsid -w "$SRC/demo.sh" >"$T/.out" 2>"$T/.err" </dev/null
rc=$?
echo "# the demo ran in $SECONDS s"
check "demo.sh exits 0" "$([ $rc -eq 0 ] || echo "exit status $rc")" show
out=$(cat "$T/.out")
has() { grep -qE -- "$1" <<<"$out" || echo "no line matching '$1'"; }
for i in 1 2 3 4 5 6 7 8; do
        check "step $i is shown" "$(has "^$i\. ")"
done
check "minisign verifies the developer's signature" "$(has "Signature and comment signature verified")"
check "a tampered upload is refused" "$(has "-> a tampered upload is refused")"
check "served over https by nginx with a test CA" "$(has "nginx serves .* on https://127\.0\.0\.1:[0-9]+")"
check "installed from the registry" "$(has "Installed org\.example\.card-stats 1\.0\.0 .*countersigned by the registry")"
check "the host runs card-stats sandboxed" \
        "$(has "started add-on org\.example\.card-stats \(Card Stats; pid [0-9]+, sandboxed; granted: sys\.notify\)")"
check "card-stats works" "$(has "\[notification from Card Stats\] 3 cards reviewed, 2 right")"
check "every attack of evil-stats is refused" \
        "$(has "-> ([0-9]+) of \1 attacks refused" && n=$(grep -oE -- "-> [0-9]+ of" <<<"$out" | grep -oE "[0-9]+") &&
                [ "${n:-0}" -ge 20 ] || echo "fewer than 20 attacks")"
check "no attack was allowed" "$(! grep -q "ALLOWED" <<<"$out" || echo "ALLOWED in the output")"
check "the hijacked update is refused" "$(has "is pinned for org\.example\.card-stats, and the package has no rotation")"
check "the wider update waits for approval" "$(has "1 new capability stays off until approved")"
check "grants show: host.history waits for approval" "$(has "^ +waiting host\.history \(optional\)")"
check "the host sees host.history undecided" "$(has "undecided +host\.history")"
check "the revoked key stops the add-on" \
        "$(has "refusing add-on org\.example\.card-stats: its key [0-9A-F]{16} was revoked by the registry .*: stolen laptop")"
check "the demo says every step behaved" "$(has "^Done: every step behaved as claimed")"
check "nginx is stopped at the end" \
        "$(! [ -s "$T/demo/operator/nginx/nginx.pid" ] || ! kill -0 "$(cat "$T/demo/operator/nginx/nginx.pid")" 2>/dev/null ||
                echo "nginx still runs")"
check "the demo's files are in DEMO_DIR" "$([ -d "$T/demo/user/home/.local/share/flashcards/addons" ] || echo "no profile in $T/demo")"

# --- a demo that must fail: check-upload lets a tampered upload through -------------
mkdir -p "$T/liar/tools"
ln -s "$BUILD/libpermit.so" "$T/liar/libpermit.so"
cat >"$T/liar/tools/permit" <<EOF
#!/bin/bash
case "\$*" in *check-upload*tampered.zip) echo "accept (a lie)"; exit 0 ;; esac
exec "$BUILD/tools/permit" "\$@"
EOF
chmod +x "$T/liar/tools/permit"
DEMO_DIR=$T/demo2 PERMIT_BUILD_DIR=$T/liar setsid -w "$SRC/demo.sh" >"$T/.out" 2>"$T/.err" </dev/null
rc=$?
check "a claim that does not hold stops the demo: exit 1" "$([ $rc -eq 1 ] || echo "exit status $rc")" show
check "...naming the step" "$(grep -qF "demo: step 2 FAILED: a tampered upload is refused" "$T/.err" ||
        echo "stderr does not name step 2")" show
check "...and nginx is stopped on that path too" \
        "$(! [ -s "$T/demo2/operator/nginx/nginx.pid" ] || ! kill -0 "$(cat "$T/demo2/operator/nginx/nginx.pid")" 2>/dev/null ||
                echo "nginx still runs")"

echo "1..$n"
[ "$failures" -eq 0 ]
