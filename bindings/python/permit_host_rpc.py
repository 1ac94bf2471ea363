# SPDX-License-Identifier: MIT
"""Newline-delimited JSON-RPC 2.0 between a host and a sandboxed add-on.

One module for both sides, standard library only: an add-on ships a copy
of it inside its package (its sandbox sees only its own files and the
system's), and a host uses the same framing (Framer, encode) so both agree
on the limits.

The add-on side:

    import permit_host_rpc
    host = permit_host_rpc.Host()            # the socket on fd $PERMIT_SOCKET_FD (3)

    @host.method("handle_event")
    def on_event(event, data):
        n = (host.call("load_data", key="count") or 0) + 1
        host.call("store_data", key="count", value=n)
        host.notify_user(f"{n} cards reviewed")

    host.serve()                             # until the host says "shutdown"

Host -> add-on requests: initialize, handle_event, ping, shutdown. Add-on ->
host requests are the host's API (store_data, load_data, notify,
clipboard_write, clipboard_read, host features); the host checks each
against the add-on's grant and answers a refusal as a JSON-RPC error
(code NOT_GRANTED). "log" is a notification (no answer): a line the host
prints, marked as the add-on's.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import traceback
from typing import Any, Callable

__all__ = ["MAX_MESSAGE", "PARSE_ERROR", "INVALID_REQUEST", "METHOD_NOT_FOUND", "INVALID_PARAMS", "INTERNAL_ERROR",
           "NOT_GRANTED", "LIMIT_EXCEEDED", "RpcError", "MessageTooLarge", "Framer", "encode", "Host"]

MAX_MESSAGE = 64 * 1024  # bytes in one message, newline included; longer ones end the connection

# JSON-RPC 2.0 error codes, and the host's own.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
NOT_GRANTED = -32001     # the add-on's grant does not allow this call
LIMIT_EXCEEDED = -32002  # too much data, too many calls


class RpcError(Exception):
    """A JSON-RPC error answer."""

    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(f"{message} ({code})")
        self.code = code
        self.message = message
        self.data = data


class MessageTooLarge(Exception):
    """The peer sent a line over MAX_MESSAGE bytes."""


def encode(message: dict) -> bytes:
    """One message as a line. ValueError when it is over MAX_MESSAGE."""
    line = json.dumps(message, separators=(",", ":"), ensure_ascii=True).encode() + b"\n"
    if len(line) > MAX_MESSAGE:
        raise ValueError(f"message of {len(line)} bytes, over {MAX_MESSAGE}")
    return line


class Framer:
    """Splits received bytes into lines; never holds more than MAX_MESSAGE
    bytes of an unfinished line (MessageTooLarge past that)."""

    def __init__(self, limit: int = MAX_MESSAGE):
        self.limit = limit
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        lines = []
        while True:
            nl = self._buf.find(b"\n")
            if nl < 0:
                break
            if nl + 1 > self.limit:
                raise MessageTooLarge(f"a message of {nl + 1} bytes, over {self.limit}")
            lines.append(bytes(self._buf[:nl]))
            del self._buf[:nl + 1]
        if len(self._buf) > self.limit:
            raise MessageTooLarge(f"a message of more than {self.limit} bytes")
        return lines


def parse(line: bytes) -> dict:
    """One received line as a JSON-RPC message; RpcError(PARSE_ERROR or
    INVALID_REQUEST) when it is not one."""
    try:
        msg = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:  # RecursionError: "[[[[..." nested too deep
        raise RpcError(PARSE_ERROR, f"not JSON: {type(e).__name__}") from None
    if not isinstance(msg, dict) or msg.get("jsonrpc") != "2.0":
        raise RpcError(INVALID_REQUEST, "not a JSON-RPC 2.0 message")
    return msg


# The in-process debug mode of a host sets this to its end of a socketpair.
_in_process_socket: socket.socket | None = None


class Host:
    """The add-on's connection to its host."""

    def __init__(self, sock: socket.socket | None = None):
        if sock is None:
            sock = _in_process_socket
        if sock is None:
            fd = int(os.environ.get("PERMIT_SOCKET_FD", "3"))
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, fileno=fd)
        self.sock = sock
        self._framer = Framer()
        self._queue: list[dict] = []
        self._next_id = 0
        self._methods: dict[str, Callable[..., Any]] = {"ping": lambda: "pong"}
        self._running = True
        self.params: dict = {}  # what "initialize" said (host, addon_id, granted...)

        def _initialize(**params: Any) -> Any:
            self.params = params
            return {"ok": True}

        self._methods["initialize"] = _initialize

        def _shutdown() -> None:
            self._running = False

        self._methods["shutdown"] = _shutdown

    # ---- sending -----------------------------------------------------------

    def _send(self, message: dict) -> None:
        self.sock.sendall(encode(message))

    def _receive(self) -> dict | None:
        """The next message (None when the host closed the connection)."""
        while not self._queue:
            data = self.sock.recv(65536)
            if not data:
                return None
            for line in self._framer.feed(data):
                try:
                    self._queue.append(parse(line))
                except RpcError:
                    pass  # the host does not send garbage; nothing to answer
        return self._queue.pop(0)

    def call(self, method: str, **params: Any) -> Any:
        """Calls a host API and returns its result; RpcError when the host
        refuses (e.code == NOT_GRANTED: the grant does not allow it).
        Pings that arrive meanwhile are answered; other requests wait."""
        self._next_id += 1
        my_id = self._next_id
        self._send({"jsonrpc": "2.0", "id": my_id, "method": method, "params": params})
        held = []
        try:
            while True:
                msg = self._receive()
                if msg is None:
                    raise ConnectionError("the host closed the connection")
                if "method" not in msg and msg.get("id") == my_id:
                    if "error" in msg:
                        err = msg["error"] if isinstance(msg["error"], dict) else {}
                        raise RpcError(int(err.get("code", INTERNAL_ERROR)), str(err.get("message", "error")),
                                       err.get("data"))
                    return msg.get("result")
                if msg.get("method") == "ping":
                    self._dispatch(msg)
                else:
                    held.append(msg)
        finally:
            self._queue[:0] = held

    def notify(self, method: str, **params: Any) -> None:
        """A notification: no answer."""
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def log(self, text: str) -> None:
        """A line the host prints, marked as this add-on's (no capability needed)."""
        self.notify("log", text=str(text))

    def notify_user(self, text: str) -> Any:
        """A desktop notification (needs sys.notify)."""
        return self.call("notify", text=text)

    # ---- serving -------------------------------------------------------------

    def method(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: handle host requests called name (keyword params)."""
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            self._methods[name] = fn
            return fn
        return register

    def _dispatch(self, msg: dict) -> None:
        method, msg_id = msg.get("method"), msg.get("id")
        params = msg.get("params") or {}
        try:
            fn = self._methods.get(method)
            if fn is None:
                raise RpcError(METHOD_NOT_FOUND, f"no method {method!r}")
            if not isinstance(params, dict):
                raise RpcError(INVALID_PARAMS, "params must be an object")
            result = fn(**params)
            answer = {"jsonrpc": "2.0", "id": msg_id, "result": result}
        except RpcError as e:
            answer = {"jsonrpc": "2.0", "id": msg_id, "error": {"code": e.code, "message": e.message}}
        except Exception as e:  # noqa: BLE001 - the add-on's bug becomes an error answer, and a log line
            self.log("".join(traceback.format_exception_only(type(e), e)).strip())
            answer = {"jsonrpc": "2.0", "id": msg_id, "error": {"code": INTERNAL_ERROR, "message": str(e)}}
        if msg_id is not None:
            self._send(answer)

    def serve(self) -> None:
        """Answers the host's requests until it says "shutdown" or closes the connection."""
        while self._running:
            msg = self._receive()
            if msg is None:
                break
            if "method" in msg:
                self._dispatch(msg)

    def run(self) -> None:
        """serve(), with an uncaught error reported to the host before exiting."""
        try:
            self.serve()
        except Exception:  # noqa: BLE001
            try:
                self.log(traceback.format_exc(limit=3))
            except OSError:
                pass
            sys.exit(1)
