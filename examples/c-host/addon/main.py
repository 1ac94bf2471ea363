"""Echo: the smallest add-on that speaks the host protocol (doc/host-guide.md).

It answers initialize, handle_event (with a reply, after asking the host to
store_data the event) and shutdown, on the socket the host gave it at fd 3.
A file "behaviour" next to it (tests write one) makes it misbehave instead:
"hang" stops answering after initialize, "garbage" sends bad lines first.
"""

import json
import os
import socket
import time

here = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(here, "behaviour"), encoding="utf-8") as f:
        behaviour = f.read().strip()
except OSError:
    behaviour = "good"

sock = socket.socket(fileno=int(os.environ.get("PERMIT_SOCKET_FD", "3")))
stream = sock.makefile("rwb", buffering=0)
next_id = 0


def send(msg):
    msg["jsonrpc"] = "2.0"
    stream.write(json.dumps(msg).encode() + b"\n")


def call(method, params):
    """A request to the host; returns its response (pings answered meanwhile)."""
    global next_id
    next_id += 1
    mine = f"echo-{next_id}"
    send({"id": mine, "method": method, "params": params})
    while True:
        msg = json.loads(stream.readline())
        if msg.get("id") == mine:
            return msg
        if msg.get("method") == "ping":
            send({"id": msg["id"], "result": "pong"})


if behaviour == "garbage":
    for line in [b"not json\n", b"{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"result\":0}\n",
                 b"{\"jsonrpc\":\"2.0\",\"method\":\"" + b"x" * 5000 + b"\"}\n",
                 b"[" * 100000 + b"\n", b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\xfe\"}\n", b"{\"jsonrpc\":\"2.0\",\"result\":{}}\n"]:
        stream.write(line)

for raw in stream:
    msg = json.loads(raw)
    method, mid = msg.get("method"), msg.get("id")
    if method == "ping":
        send({"id": mid, "result": "pong"})
    elif method == "initialize":
        send({"id": mid, "result": {"name": "Echo", "protocol": 1}})
        if behaviour == "hang":
            time.sleep(3600)
    elif method == "handle_event":
        event = msg["params"]["event"]
        stored = call("store_data", {"key": "last_event", "value": event})
        note = "stored" if "result" in stored else "not stored: " + stored["error"]["message"]
        send({"id": mid, "result": {"reply": f"echo: {event} ({note})"}})
    elif method == "shutdown":
        send({"id": mid, "result": None})
        break
    elif mid is not None:
        send({"id": mid, "error": {"code": -32601, "message": "no such method"}})
