#!/bin/bash
# SPDX-License-Identifier: MIT
# The network broker end to end (doc/broker.md): an add-on approved for
# net.connect:api.example.com:PORT and net.connect:*.example.org:PORT runs
# with `permit run --profile DIR ADDON --resolve ...` (broker mode, the
# default). Python's urllib, through permit_addon, reaches the granted host;
# every other way out fails with a clear error, and the profile's audit log
# records each decision. Then proxy mode (--net proxy): curl and urllib
# unchanged, CONNECT and forward requests checked, Host smuggling refused,
# as root and as uid 65534. Test servers listen on 127.0.0.2, 127.0.0.3 and
# ::1 only, named through the resolve map. Prints TAP.
#
#   broker.sh PERMIT SOURCE_ROOT
set -u

PERMIT=$(realpath "${1:?usage: broker.sh PERMIT SOURCE_ROOT}")
SRC=$(realpath "${2:?usage: broker.sh PERMIT SOURCE_ROOT}")
PYTHON3=${PYTHON3:-/usr/bin/python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/permit-broker.XXXXXX") || exit 99
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER"; rm -rf "$T"' EXIT
. "$(dirname "$0")/tap-lib.sh"

PORT=$("$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.2", 0)); print(s.getsockname()[1])')
"$PYTHON3" "$SRC/tests/integration/broker-server.py" "$PORT" 127.0.0.2 127.0.0.3 ::1 >"$T/server.out" 2>&1 &
SERVER=$!
for _ in $(seq 50); do grep -q ready "$T/server.out" && break; sleep 0.1; done
grep -q ready "$T/server.out" || { echo "Bail out! test servers did not start: $(cat "$T/server.out")"; exit 99; }

H=$T/home
P=$H/profile
ID=org.example.fetch
A=$T/addon
mkdir -p "$H" "$A" || exit 99
"$PERMIT" keygen -W -p "$T/k.pub" -s "$T/k.key" >/dev/null || exit 99
cat >"$A/permit.json" <<EOT
{"id": "$ID", "name": "Fetch", "version": "1.0.0", "publisher": "Example", "entry": "main.py",
 "capabilities": [{"id": "net.connect:api.example.com:$PORT", "reason": "fetches"},
                  {"id": "net.connect:*.example.org:$PORT", "reason": "mirrors"}]}
EOT
cp "$SRC/bindings/python/permit_addon.py" "$A/" || exit 99
# Each attempt prints one line: NAME ok BODY, or NAME EXCEPTION-TYPE: MESSAGE.
cat >"$A/main.py" <<'EOT'
import os, socket, sys, urllib.request
sys.path.insert(0, os.environ['PERMIT_ADDON'])
import permit_addon

port = int(sys.argv[1])

def attempt(name, f):
    try:
        r = f()
        print(name, 'ok', r if isinstance(r, str) else '')
    except Exception as e:
        reason = getattr(e, 'reason', e)
        print(name, type(reason).__name__ + ':', reason)

def get(url):
    return urllib.request.urlopen(url, timeout=5).read().decode().strip()

def tcp(family, addr):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.connect(addr)

def udp(addr):
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', addr)

attempt('granted', lambda: get(f'http://api.example.com:{port}/'))
attempt('wildcard-granted', lambda: get(f'http://www.example.org:{port}/'))
attempt('connect-api', lambda: permit_addon.connect('api.example.com', port, timeout=5).close())
attempt('other-host', lambda: get(f'http://other.example.com:{port}/'))
attempt('other-port', lambda: get(f'http://api.example.com:{port + 1}/'))
attempt('ip-via-broker', lambda: get(f'http://127.0.0.2:{port}/'))
attempt('ipv6-via-broker', lambda: get(f'http://[::1]:{port}/'))
attempt('wildcard-evil', lambda: get(f'http://evil-example.org:{port}/'))
attempt('wildcard-apex', lambda: get(f'http://example.org:{port}/'))
attempt('ip-direct', lambda: tcp(socket.AF_INET, ('127.0.0.2', port)))
attempt('ipv6-direct', lambda: tcp(socket.AF_INET6, ('::1', port)))
attempt('udp', lambda: udp(('127.0.0.2', port)))
attempt('dns', lambda: udp(('127.0.0.53', 53)))
attempt('dns-getaddrinfo', lambda: str(socket.getaddrinfo('localhost', port, type=socket.SOCK_STREAM)))
attempt('raw', lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
attempt('packet', lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW))
attempt('listen', lambda: permit_addon.listen(port + 2))
EOT
"$PERMIT" sign -s "$T/k.key" --no-minisig "$A" >/dev/null || exit 99
mkdir -p "$P/addons" || exit 99
t "approve the add-on" 0 -- "$PERMIT" grants --profile "$P" approve --yes "$A"
cp -r "$A" "$P/addons/$ID" || exit 99

RESOLVE=(--resolve "api.example.com=127.0.0.2" --resolve "other.example.com=127.0.0.3"
         --resolve "www.example.org=127.0.0.2" --resolve "evil-example.org=127.0.0.3"
         --resolve "example.org=127.0.0.3")
t "the add-on runs in broker mode" 0 --err "network broker refused other.example.com:$PORT" -- \
        "$PERMIT" run --profile "$P" $ID --home "$H" "${RESOLVE[@]}" -- /usr/bin/python3 "$P/addons/$ID/main.py" "$PORT"
cp "$T/.out" "$T/run.out"
cp "$T/.err" "$T/run.err"

# line NAME TEXT: the add-on's line for NAME holds TEXT.
line() {
        local got
        got=$(grep "^$1 " "$T/run.out")
        check "$1: $2" "$(case $got in *"$2"*) ;; *) echo "got: ${got:-nothing}" ;; esac)"
}
line granted "ok hello from 127.0.0.2 host=api.example.com:$PORT"
line wildcard-granted "ok hello from 127.0.0.2 host=www.example.org:$PORT"
line connect-api "ok"
line other-host "PermissionError: [Errno 13] net.connect:other.example.com:$PORT is not granted"
line other-port "PermissionError: [Errno 13] net.connect:api.example.com:$((PORT + 1)) is not granted"
line ip-via-broker "PermissionError: [Errno 13] net.connect:127.0.0.2:$PORT is not granted (an address is allowed only"
line ipv6-via-broker "PermissionError: [Errno 13] net.connect:[::1]:$PORT is not granted"
line wildcard-evil "PermissionError: [Errno 13] net.connect:evil-example.org:$PORT is not granted"
line wildcard-apex "PermissionError: [Errno 13] net.connect:example.org:$PORT is not granted"
line ip-direct "PermissionError: [Errno 13] Permission denied"
line ipv6-direct "PermissionError: [Errno 13] Permission denied"
line udp "PermissionError: [Errno 13] Permission denied"
line dns "PermissionError: [Errno 13] Permission denied"
line dns-getaddrinfo "gaierror"
line raw "PermissionError: [Errno 13] Permission denied"
line packet "PermissionError: [Errno 13] Permission denied"
line listen "PermissionError: [Errno 13] net.listen:$((PORT + 2)) is not granted"

AUDIT=$P/permit/audit.jsonl
t "audit: the granted connections are 'use' events" 0 -- "$PYTHON3" -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
net = [e for e in ev if e.get("event") in ("use", "denial")]
def has(kind, target, cap=None):
    if not any(e["event"] == kind and e.get("target") == target and e.get("addon") == sys.argv[3] and
               (cap is None or e.get("capability") == cap) and "time" in e for e in net):
        sys.exit("no %s event for %s in %s" % (kind, target, net))
p = sys.argv[2]
has("use", "api.example.com:" + p, "net.connect:api.example.com:" + p)
has("use", "www.example.org:" + p, "net.connect:*.example.org:" + p)
for target in ("other.example.com:" + p, "api.example.com:%d" % (int(p) + 1), "127.0.0.2:" + p,
               "[::1]:" + p, "evil-example.org:" + p, "example.org:" + p, "127.0.0.1:%d" % (int(p) + 2)):
    has("denial", target)
' "$AUDIT" "$PORT" "$ID"
t "permit grants show --json: the grant's last use is the broker's" 0 -- \
        "$PERMIT" grants --profile "$P" show --json "$ID"
json "... last_used set for both grants" "all(c.get('last_used', 0) > 0 for c in d['capabilities'])"

# The --allow form: the front hands broker mode to permit-tool.
t "--allow net.connect, broker mode: urllib reaches the granted host" 0 \
        --out "hello from 127.0.0.3 host=other.example.com:$PORT" -- \
        "$PERMIT" run --allow "net.connect:other.example.com:$PORT" --allow "fs.read:$A" \
        --resolve other.example.com=127.0.0.3 -- /usr/bin/python3 -c "
import sys, urllib.request; sys.path.insert(0, '$A'); import permit_addon
print(urllib.request.urlopen('http://other.example.com:$PORT/').read().decode())"
t "--resolve without an address: refused" 125 --err "--resolve api.example.com: expected HOST=IP" -- \
        "$PERMIT" run --allow "net.connect:api.example.com" --resolve api.example.com -- /bin/true
t "--resolve to a name: refused" 125 --err "expected HOST=IP" -- \
        "$PERMIT" run --allow "net.connect:api.example.com" --resolve api.example.com=localhost -- /bin/true
t "broker mode: the report says so" 0 --err "Network: broker mode" --err "via broker (fully enforced)" -- \
        "$PERMIT" run --report --allow "net.connect:api.example.com" -- /bin/true
t "no broker outside permit: permit_addon says so" 0 --out "BrokerError" --out "PERMIT_BROKER_FD is not set" -- \
        env -u PERMIT_BROKER_FD "$PYTHON3" -c "
import sys; sys.path.insert(0, '$A'); import permit_addon
try: permit_addon.connect('api.example.com', 80)
except permit_addon.BrokerError as e: print(type(e).__name__, e)"

# --- proxy mode: a network namespace whose only way out is the broker's HTTP proxy
PROXY=("$PERMIT" run --net proxy --allow "net.connect:api.example.com:$PORT" --allow "net.connect:*.example.org:$PORT"
       "${RESOLVE[@]}")
t "proxy mode: curl reaches the granted host unchanged" 0 --out "hello from 127.0.0.2 host=api.example.com:$PORT" -- \
        "${PROXY[@]}" -- /usr/bin/curl -sSf "http://api.example.com:$PORT/"
t "proxy mode: curl through a CONNECT tunnel" 0 --out "hello from 127.0.0.2 host=api.example.com:$PORT" -- \
        "${PROXY[@]}" -- /usr/bin/curl -sSf -p "http://api.example.com:$PORT/"
t "proxy mode: a wildcard grant" 0 --out "hello from 127.0.0.2 host=www.example.org:$PORT" -- \
        "${PROXY[@]}" -- /usr/bin/curl -sSf "http://www.example.org:$PORT/"
t "proxy mode: Python urllib unchanged" 0 --out "hello from 127.0.0.2 host=api.example.com:$PORT" -- \
        "${PROXY[@]}" -- /usr/bin/python3 -c "import urllib.request; print(urllib.request.urlopen('http://api.example.com:$PORT/').read().decode())"
t "proxy mode: another host: 403 with the reason" 22 --err "403" \
        --err "network broker refused other.example.com:$PORT: net.connect:other.example.com:$PORT is not granted" -- \
        "${PROXY[@]}" -- /usr/bin/curl -sSf "http://other.example.com:$PORT/"
t "proxy mode: CONNECT to a forbidden host: refused" 56 --err "CONNECT tunnel failed, response 403" -- \
        "${PROXY[@]}" -- /usr/bin/curl -sS -p "http://other.example.com:$PORT/"
t "proxy mode: another port: refused" 22 --err "net.connect:api.example.com:$((PORT + 1)) is not granted" -- \
        "${PROXY[@]}" -- /usr/bin/curl -sSf "http://api.example.com:$((PORT + 1))/"
t "proxy mode: the wildcard does not match evil-example.org" 22 \
        --err "net.connect:evil-example.org:$PORT is not granted" -- \
        "${PROXY[@]}" -- /usr/bin/curl -sSf "http://evil-example.org:$PORT/"
t "proxy mode: the granted host's address: refused" 22 --err "net.connect:127.0.0.2:$PORT is not granted" -- \
        "${PROXY[@]}" -- /usr/bin/curl -sSf "http://127.0.0.2:$PORT/"
t "proxy mode: a Host header smuggling another host: refused" 22 \
        --err "the Host header (other.example.com:$PORT) differs from the target api.example.com:$PORT" -- \
        "${PROXY[@]}" -- /usr/bin/curl -sSf -H "Host: other.example.com:$PORT" "http://api.example.com:$PORT/"
t "proxy mode: ... and through a CONNECT request" 0 --out "403" -- "${PROXY[@]}" -- /usr/bin/python3 -c "
import socket
s = socket.create_connection(('127.0.0.1', 3128))
s.sendall(b'CONNECT api.example.com:$PORT HTTP/1.1\\r\\nHost: other.example.com:$PORT\\r\\n\\r\\n')
print(s.recv(200).decode().split()[1])"
t "proxy mode: around the proxy to the address: no route out of the namespace" 7 -- \
        "${PROXY[@]}" -- /usr/bin/curl -sS --noproxy '*' "http://127.0.0.2:$PORT/"
t "proxy mode: UDP, DNS, raw: no socket" 0 --out "EACCES EACCES EACCES" -- "${PROXY[@]}" -- /usr/bin/python3 -c "
import socket, errno
r = []
for f in (lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.53', 53)),
          lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b'x', ('::1', $PORT)),
          lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)):
    try: f(); r.append('sent')
    except OSError as e: r.append(errno.errorcode[e.errno])
print(*r)"
t "proxy mode: the report says so" 0 --err "Network: proxy mode" --err "via proxy (fully enforced)" -- \
        "${PROXY[@]}" --report -- /bin/true
t "proxy mode: the add-on form, audited" 0 --out "hello from 127.0.0.2 host=api.example.com:$PORT" -- \
        "$PERMIT" run --profile "$P" $ID --home "$H" --net proxy "${RESOLVE[@]}" -- /usr/bin/python3 -c "
import urllib.request; print(urllib.request.urlopen('http://api.example.com:$PORT/').read().decode())
try: urllib.request.urlopen('http://other.example.com:$PORT/proxied')
except Exception as e: print(e)"
t "... its audit log has the proxy's decisions" 0 -- "$PYTHON3" -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
n = sum(1 for e in ev if e.get("event") == "denial" and e.get("target") == "other.example.com:" + sys.argv[2])
sys.exit(0 if n >= 2 else "other.example.com denials: %d" % n)' "$AUDIT" "$PORT"

# As an ordinary user (uid 65534): the namespace comes with a user namespace of its own.
NB=$T/nobody
mkdir -p "$NB" && cp "$PERMIT" "$(dirname "$PERMIT")/permit-tool" "$NB/" && chmod 755 "$T" "$NB" || exit 99
for f in "$(dirname "$PERMIT")"/../libpermit.so*; do
        [ -d "$f" ] || cp -P "$f" "$NB/" || exit 99
done
t "proxy mode as nobody: curl reaches the granted host" 0 --out "hello from 127.0.0.2 host=api.example.com:$PORT" -- \
        setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/ LD_LIBRARY_PATH="$NB" \
        "$NB/permit" run --net proxy --allow "net.connect:api.example.com:$PORT" "${RESOLVE[@]}" -- \
        /usr/bin/curl -sSf "http://api.example.com:$PORT/"
t "proxy mode as nobody: another host refused" 22 --err "is not granted" -- \
        setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/ LD_LIBRARY_PATH="$NB" \
        "$NB/permit" run --net proxy --allow "net.connect:api.example.com:$PORT" "${RESOLVE[@]}" -- \
        /usr/bin/curl -sSf "http://other.example.com:$PORT/"

echo "1..$n"
[ "$failures" -eq 0 ]
