# SPDX-License-Identifier: MIT
"""permit_host_rpc: framing limits, parsing refusals, and an add-on's Host
serving and calling over a real socketpair."""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import permit_host_rpc as rpc  # noqa: E402


class TestFraming(unittest.TestCase):
    def test_lines(self) -> None:
        f = rpc.Framer()
        self.assertEqual(f.feed(b'{"a":1}\n{"b"'), [b'{"a":1}'])
        self.assertEqual(f.feed(b':2}\n\n'), [b'{"b":2}', b""])

    def test_limits(self) -> None:
        f = rpc.Framer(limit=16)
        self.assertEqual(f.feed(b"x" * 15 + b"\n"), [b"x" * 15])
        with self.assertRaises(rpc.MessageTooLarge):
            rpc.Framer(limit=16).feed(b"x" * 16 + b"\n")
        with self.assertRaises(rpc.MessageTooLarge):
            rpc.Framer(limit=16).feed(b"x" * 17)  # no newline yet: refused before it grows further
        with self.assertRaises(ValueError):
            rpc.encode({"text": "x" * rpc.MAX_MESSAGE})
        self.assertTrue(rpc.encode({"a": "\u00e9"}).endswith(b"\n"))

    def test_parse(self) -> None:
        self.assertEqual(rpc.parse(b'{"jsonrpc":"2.0","method":"ping"}')["method"], "ping")
        for bad, code in ((b"{not json", rpc.PARSE_ERROR), (b"\xff\xfe", rpc.PARSE_ERROR),
                          (b"[" * 60000, rpc.PARSE_ERROR), (b"1" * 5000, rpc.PARSE_ERROR),
                          (b"[1, 2]", rpc.INVALID_REQUEST), (b'{"jsonrpc":"1.0"}', rpc.INVALID_REQUEST)):
            with self.assertRaises(rpc.RpcError) as cm:
                rpc.parse(bad)
            self.assertEqual(cm.exception.code, code, bad[:20])


class TestHost(unittest.TestCase):
    def setUp(self) -> None:
        self.host_end, self.addon_end = socket.socketpair()
        self.addCleanup(self.host_end.close)
        self.addCleanup(self.addon_end.close)
        self.host_end.settimeout(10)
        self.addon = rpc.Host(self.addon_end)
        self.buf = rpc.Framer()
        self.lines: list[bytes] = []

    def send(self, msg: dict) -> None:
        self.host_end.sendall(rpc.encode(msg))

    def receive(self) -> dict:
        while not self.lines:
            self.lines += self.buf.feed(self.host_end.recv(65536))
        return json.loads(self.lines.pop(0))

    def test_serve(self) -> None:
        seen = []

        @self.addon.method("handle_event")
        def ev(event, data):
            seen.append(event)
            stored = self.addon.call("load_data", key="n")  # a call while serving
            if event == "boom":
                raise RuntimeError("add-on bug")
            return {"n": stored}

        t = threading.Thread(target=self.addon.serve)
        t.start()
        self.send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"granted": ["sys.notify"]}})
        self.assertEqual(self.receive(), {"jsonrpc": "2.0", "id": 1, "result": {"ok": True}})
        self.send({"jsonrpc": "2.0", "id": 2, "method": "handle_event", "params": {"event": "x", "data": {}}})
        call = self.receive()
        self.assertEqual((call["method"], call["params"]), ("load_data", {"key": "n"}))
        self.send({"jsonrpc": "2.0", "id": 3, "method": "ping"})  # answered while the add-on waits
        self.assertEqual(self.receive(), {"jsonrpc": "2.0", "id": 3, "result": "pong"})
        self.send({"jsonrpc": "2.0", "id": call["id"], "result": 41})
        self.assertEqual(self.receive(), {"jsonrpc": "2.0", "id": 2, "result": {"n": 41}})
        # A refused call inside a handler: the handler's answer is that error.
        self.send({"jsonrpc": "2.0", "id": 4, "method": "handle_event", "params": {"event": "y", "data": {}}})
        call = self.receive()
        self.send({"jsonrpc": "2.0", "id": call["id"], "error": {"code": rpc.NOT_GRANTED, "message": "no"}})
        self.assertEqual(self.receive()["error"], {"code": rpc.NOT_GRANTED, "message": "no"})
        # The add-on's own bug: a log line for the host, then an internal error.
        self.send({"jsonrpc": "2.0", "id": 8, "method": "handle_event", "params": {"event": "boom", "data": {}}})
        call = self.receive()
        self.send({"jsonrpc": "2.0", "id": call["id"], "result": 1})
        log = self.receive()
        self.assertEqual(log["method"], "log")
        self.assertIn("RuntimeError: add-on bug", log["params"]["text"])
        answer = self.receive()
        self.assertEqual((answer["id"], answer["error"]["code"]), (8, rpc.INTERNAL_ERROR))
        self.send({"jsonrpc": "2.0", "id": 5, "method": "nope"})
        self.assertEqual(self.receive()["error"]["code"], rpc.METHOD_NOT_FOUND)
        self.send({"jsonrpc": "2.0", "id": 6, "method": "handle_event", "params": [1]})
        self.assertEqual(self.receive()["error"]["code"], rpc.INVALID_PARAMS)
        self.send({"jsonrpc": "2.0", "id": 7, "method": "shutdown"})
        self.assertEqual(self.receive(), {"jsonrpc": "2.0", "id": 7, "result": None})
        t.join(10)
        self.assertFalse(t.is_alive())
        self.assertEqual(seen, ["x", "y", "boom"])
        self.assertEqual(self.addon.params, {"granted": ["sys.notify"]})

    def test_call_errors(self) -> None:
        def host_side() -> None:
            call = self.receive()
            self.send({"jsonrpc": "2.0", "id": call["id"], "error": {"code": rpc.NOT_GRANTED, "message": "no"}})
            self.receive()
            self.host_end.shutdown(socket.SHUT_RDWR)

        t = threading.Thread(target=host_side)
        t.start()
        with self.assertRaises(rpc.RpcError) as cm:
            self.addon.call("clipboard_read")
        self.assertEqual(cm.exception.code, rpc.NOT_GRANTED)
        with self.assertRaises(ConnectionError):
            self.addon.call("load_data", key="k")
        t.join(10)


if __name__ == "__main__":
    unittest.main(verbosity=2)
