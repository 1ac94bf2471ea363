#!/bin/bash
# SPDX-License-Identifier: MIT
# examples/c-host built as a host developer would: against the installed
# libpermit with `pkg-config permit` and the public headers alone; then run
# on a profile with the sample add-on (examples/c-host/addon) approved:
# the JSON-RPC session, store_data mediated by host.store_data, a tampered
# add-on refused, a hung one stopped by the heartbeat, one sending garbage
# stopped without harm to the host. Prints TAP.
#
#   c-host.sh BUILD_DIR SOURCE_ROOT PERMIT [SANITIZE]
set -u
BUILD=$(realpath "$1")
SRC=$(realpath "$2")
PERMIT=$(realpath "$3")
sanitize=()
[ -n "${4:-}" ] && [ "$4" != none ] && sanitize=("-fsanitize=$4")
T=$(mktemp -d "${TMPDIR:-/tmp}/permit-c-host.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/tap-lib.sh"

if ! meson install -C "$BUILD" --destdir "$T/root" --quiet --no-rebuild >"$T/install.log" 2>&1; then
        echo "Bail out! meson install failed: $(tail -n 3 "$T/install.log")"
        exit 1
fi
pc=$(find "$T/root" -name permit.pc | head -n 1)
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR="$T/root" pkg-config --cflags --libs permit)
if cc -std=c17 -Wall -Wextra -Werror "${sanitize[@]}" -o "$T/c-host" "$SRC/examples/c-host/host.c" \
        "$SRC/examples/c-host/jsonrpc.c" $flags 2>"$T/.err"; then
        pass "c-host compiles with pkg-config permit and the public headers alone"
else
        fail "c-host compiles with pkg-config permit and the public headers alone" "cc failed" out
        echo "1..$n"
        exit 1
fi
export LD_LIBRARY_PATH
LD_LIBRARY_PATH=$(dirname "$(find "$T/root" -name 'libpermit.so' | head -n 1)")

P=$T/profile
ID=org.example.echo
V=$SRC/examples/c-host/host-vocabulary.json
"$PERMIT" keygen -W -p "$T/k.pub" -s "$T/k.key" >/dev/null || exit 99
cp -r "$SRC/examples/c-host/addon" "$T/echo"
"$PERMIT" sign -s "$T/k.key" --no-minisig "$T/echo" >/dev/null || exit 99

t "the host's vocabulary describes what the add-on asks" 0 --out "Save data in c-host's storage" \
        -- "$PERMIT" inspect --host-vocabulary "$V" "$T/echo"
t "nothing approved: nothing runs" 0 --out "c-host: done" -- "$T/c-host" --profile "$P"
t "the user approves it" 0 -- "$PERMIT" grants --profile "$P" --host-vocabulary "$V" approve --yes "$T/echo"
mkdir -p "$P/addons" && cp -r "$T/echo" "$P/addons/$ID" || exit 99

t "the session: initialize, handle_event with store_data, shutdown" 0 \
        --out "$ID: started" --out "$ID: stored last_event = hello" \
        --out "$ID: replied: echo: hello (stored)" --out "$ID: replied: echo: {\"quoted\"} (stored)" \
        --out "$ID: shut down" --out "c-host: done" \
        -- "$T/c-host" --profile "$P" --event hello --event '{"quoted"}'
"$PERMIT" grants --profile "$P" show --json $ID >"$T/show.json"
grep -q '"capability":"host.store_data","granted":true.*"last_used":[1-9]' "$T/show.json"
check "the host recorded the use of host.store_data in the audit log" "$([ $? = 0 ] || echo "no last_used: $(cat "$T/show.json")")"

t "revoked: the add-on does not start" 0 -- "$PERMIT" grants --profile "$P" revoke $ID
t "... and the host says why" 0 --out "$ID: refused:" --out "c-host: done" \
        -- "$T/c-host" --profile "$P" --event hello
t "approved again" 0 -- "$PERMIT" grants --profile "$P" approve --yes "$T/echo"

echo "# tampered" >>"$P/addons/$ID/main.py"
t "a tampered add-on is refused, the host goes on" 0 --out "$ID: refused:" --out "c-host: done" \
        -- "$T/c-host" --profile "$P" --event hello

# Misbehaving add-ons: the same package with a "behaviour" file, re-signed.
behave() {
        rm -rf "$T/echo" "$P/addons/$ID"
        cp -r "$SRC/examples/c-host/addon" "$T/echo"
        echo "$1" >"$T/echo/behaviour"
        "$PERMIT" sign -s "$T/k.key" --no-minisig "$T/echo" >/dev/null || exit 99
        cp -r "$T/echo" "$P/addons/$ID" || exit 99
}
behave hang
start=$(date +%s)
t "a hung add-on is stopped by the heartbeat, the host goes on" 0 \
        --out "$ID: hung: no answer to 2 heartbeats of 200 ms; stopped" --out "c-host: done" \
        -- "$T/c-host" --profile "$P" --heartbeat-ms 200 --event hello
check "... within a few seconds" "$([ $(($(date +%s) - start)) -lt 10 ] || echo "took $(($(date +%s) - start)) s")"

behave garbage
t "bad messages are answered with errors and ignored; the session goes on" 0 \
        --out "$ID: bad message (not a JSON object): ignored" --out "$ID: bad message (duplicate member): ignored" \
        --out "$ID: bad message (string too long): ignored" \
        --out "$ID: bad message (line too long): ignored" \
        --out "$ID: bad message (invalid UTF-8): ignored" \
        --out "$ID: bad message (neither a request nor a response): ignored" \
        --out "$ID: replied: echo: hello (stored)" --out "c-host: done" \
        -- "$T/c-host" --profile "$P" --event hello

echo "1..$n"
[ "$failures" = 0 ]
