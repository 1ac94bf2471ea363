# SPDX-License-Identifier: MIT
"""Running add-ons for a Python host: each installed add-on verified against
its pin, checked against the registry's revocations, started in its own
sandbox (permit binding), and spoken to with newline-delimited JSON-RPC 2.0
over its socket. Every request an add-on makes is checked against its
effective grant. A heartbeat, per-call deadlines and the wall-time
watchdog stop an add-on that hangs; flooding, oversized or malformed
messages get it dropped; the host itself keeps running and says why.

The application gives the host API (a dict of method -> Api) and prints
what this module reports through `say`.
"""

from __future__ import annotations

import collections
import json
import os
import re
import runpy
import selectors
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import permit
import permit_host_rpc as rpc

PYTHON = "/usr/bin/python3"
ADDON_ID = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$")

MAX_RATE = 200            # messages a second from one add-on before it is dropped for flooding
MAX_STRIKES = 10          # malformed messages before it is dropped
MAX_OUTPUT = 1024 * 1024  # bytes waiting to be sent to an add-on that does not read them
MAX_LOG = 300             # characters of one log line shown
MAX_LOG_LINES = 40        # log lines shown a second for one add-on; the others are counted


class ApiError(Exception):
    """A host API refusing a request (becomes a JSON-RPC error)."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class Api:
    """One host API method: the capability it needs (None: none) and its handler(addon, **params)."""
    capability: str | None
    handler: Callable[..., Any]


def printable(text: Any, limit: int = MAX_LOG) -> str:
    """An add-on's text made safe for the terminal: no escape sequences or
    control characters (an add-on must not be able to rewrite the screen or
    fake the host's own messages), at most limit characters."""
    s = "".join(c if c.isprintable() else "?" for c in str(text))
    return s if len(s) <= limit else s[:limit] + "..."


@dataclass
class Pending:
    method: str
    deadline: float
    result: Any = None
    error: Any = None
    done: bool = False


class Addon:
    """One running add-on and its connection."""

    def __init__(self, manager: "AddonManager", addon_id: str, name: str, sock: socket.socket,
                 granted: tuple[str, ...], child: permit.Child | None = None, tmp: str | None = None,
                 sandbox: permit.AddonSandbox | None = None):
        self.manager = manager
        self.id = addon_id
        self.name = name
        self.sock = sock
        self.sock.setblocking(False)
        self.granted = granted
        self.child = child
        self.tmp = tmp
        self.sandbox = sandbox
        self.alive = True
        self.framer = rpc.Framer()
        self.out = bytearray()
        self.pending: dict[int, Pending] = {}
        self.next_id = 0
        self.recent: collections.deque[float] = collections.deque()
        self.strikes = 0
        self.last_ping = time.monotonic()
        self.ping_id: int | None = None
        self.log_window, self.log_shown, self.log_hidden = 0.0, 0, 0

    def may_print(self) -> bool:
        """Whether a line of this add-on's (a log line, a notification) may
        reach the terminal now: MAX_LOG_LINES a second, the rest counted."""
        now = time.monotonic()
        if now - self.log_window >= 1.0:
            if self.log_hidden:
                self.manager.say(f"[{self.id}] ({self.log_hidden} more lines not shown)")
            self.log_window, self.log_shown, self.log_hidden = now, 0, 0
        if self.log_shown >= MAX_LOG_LINES:
            self.log_hidden += 1
            return False
        self.log_shown += 1
        return True

    def allows(self, capability: str) -> bool:
        """The check made on every mediated request."""
        return any(permit.capability_absorbs(g, capability) for g in self.granted)

    # ---- sending -------------------------------------------------------------

    def send(self, message: dict) -> None:
        if not self.alive:
            return
        self.out += rpc.encode(message)
        if len(self.out) > MAX_OUTPUT:
            self.manager.drop(self, f"does not read its messages ({len(self.out)} bytes waiting)")
            return
        self.flush()

    def flush(self) -> None:
        while self.out and self.alive:
            try:
                n = self.sock.send(self.out)
            except (BlockingIOError, InterruptedError):
                break
            except (BrokenPipeError, ConnectionResetError):
                self.manager.ended(self)
                return
            except OSError as e:
                self.manager.drop(self, f"its socket failed: {e.strerror}")
                return
            del self.out[:n]
        self.manager.watch_write(self, bool(self.out))

    def request(self, method: str, params: dict, timeout: float) -> Pending:
        self.next_id += 1
        p = Pending(method, time.monotonic() + timeout)
        self.pending[self.next_id] = p
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return p

    def answer(self, msg_id: Any, result: Any = None, error: tuple[int, str] | None = None) -> None:
        if error:
            self.send({"jsonrpc": "2.0", "id": msg_id, "error": {"code": error[0], "message": error[1]}})
        else:
            self.send({"jsonrpc": "2.0", "id": msg_id, "result": result})

    # ---- receiving ------------------------------------------------------------

    def readable(self) -> None:
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except ConnectionResetError:  # it exited with our messages unread
            self.manager.ended(self)
            return
        except OSError as e:
            self.manager.drop(self, f"its socket failed: {e.strerror}")
            return
        if not data:
            self.manager.ended(self)
            return
        try:
            lines = self.framer.feed(data)
        except rpc.MessageTooLarge as e:
            self.manager.drop(self, f"sent {e} (the limit of one message)")
            return
        for line in lines:
            if not self.alive:
                return
            now = time.monotonic()
            self.recent.append(now)
            while self.recent and self.recent[0] < now - 1.0:
                self.recent.popleft()
            if len(self.recent) > MAX_RATE:
                self.manager.drop(self, f"flooded the host with messages (over {MAX_RATE} a second)")
                return
            self.message(line)

    def message(self, line: bytes) -> None:
        try:
            msg = rpc.parse(line)
        except rpc.RpcError as e:
            self.strikes += 1
            if self.strikes > MAX_STRIKES:
                self.manager.drop(self, f"sent more than {MAX_STRIKES} malformed messages")
                return
            if self.strikes <= 3:
                self.manager.say(f"add-on {self.id} sent a malformed message ({printable(e.message, 80)}): "
                                 f"answered with an error")
            self.answer(None, error=(e.code, e.message))
            return
        if "method" in msg:
            self.manager.handle_request(self, msg)
            return
        p = self.pending.pop(msg.get("id"), None) if isinstance(msg.get("id"), int) else None
        if p is None:
            self.strikes += 1
            if self.strikes > MAX_STRIKES:
                self.manager.drop(self, f"sent more than {MAX_STRIKES} answers to nothing")
            return
        p.done = True
        p.result = msg.get("result")
        p.error = msg.get("error")
        if msg.get("id") == self.ping_id:
            self.ping_id = None


class AddonManager:
    """Discovers, verifies, starts and talks to the add-ons of a profile."""

    def __init__(self, store: permit.Store, api: dict[str, Api], *, host_name: str, vocabulary: dict,
                 say: Callable[[str], None], home: str | None = None, policy: permit.Policy | None = None,
                 registry: permit.RegistryIndex | None = None, heartbeat: float = 5.0, ping_timeout: float = 2.0,
                 call_timeout: float = 5.0, start_timeout: float = 15.0, report: bool = False):
        self.store = store
        self.api = api
        self.host_name = host_name
        self.vocabulary = {c["id"] for c in vocabulary.get("capabilities", [])}
        self.say = say
        self.home = home
        self.policy = policy
        self.registry = registry
        self.stale_said = False
        self.heartbeat = heartbeat
        self.ping_timeout = ping_timeout
        self.call_timeout = call_timeout
        self.start_timeout = start_timeout  # python's start-up in a sandbox on a busy machine
        self.report = report
        self.addons: list[Addon] = []
        self.sel = selectors.DefaultSelector()
        self.input_fd: int | None = None
        self.input_buf = bytearray()
        self.input_eof = False
        self.input_is_file = False

    # ---- discovery and verification ------------------------------------------

    def installed(self) -> list[str]:
        """Ids of the add-ons installed in PROFILE/addons/."""
        d = os.path.join(self.store.profile, "addons")
        try:
            return sorted(n for n in os.listdir(d) if os.path.isdir(os.path.join(d, n)))
        except FileNotFoundError:
            return []

    def check(self, addon_id: str) -> tuple[permit.PackageInfo | None, str]:
        """Verifies an installed add-on: (info, "") or (None, why it is refused)."""
        path = os.path.join(self.store.profile, "addons", addon_id)
        if not ADDON_ID.match(addon_id):
            return None, f"{path}: not an add-on id"
        try:
            info = self.store.verify_pinned(path, addon_id)
        except permit.Unsigned as e:
            return None, f"it is not signed: {e}"
        except permit.KeyRejected as e:
            if e.errno == 126:  # ENOKEY: nothing pinned
                return None, "no publisher key is pinned for it (approve it with 'permit grants approve')"
            return None, f"it is not signed by its publisher's pinned key (a hijacked update?): {e}"
        except permit.VerificationError as e:
            return None, f"it was changed after it was signed (tampered): {e}"
        except permit.PermitError as e:
            return None, str(e)
        reason = self.revoked(info)
        if reason:
            info.close()
            return None, reason
        return info, ""

    def revoked(self, info: permit.PackageInfo) -> str:
        """The revocation hook: a revoked key or package is refused. Always
        checked against the registry indexes `permit install|update` kept in
        the profile (re-verified by libpermit); also against an index the
        caller verified (--registry), when given."""
        try:
            kept = permit.check_revocation(self.store.profile, info.key_id, info.seal_digest)
        except permit.Revoked as e:
            return printable(e.text)
        except permit.PermitError as e:
            return f"the registry index kept in the profile does not verify: {printable(str(e))}"
        if kept.n_expired and not self.stale_said:
            self.stale_said = True
            self.say(f"warning: {kept.n_expired} registry index(es) kept in the profile expired; revocations "
                     "published since are not known (run 'permit update')")
        if self.registry is None:
            return ""
        why = self.registry.key_revoked(info.key_id)
        if why:
            return f"its publisher's key {info.key_id} was revoked by the registry: {printable(why)}"
        why = self.registry.package_revoked(info.seal_digest)
        if why:
            return f"this package was revoked by the registry: {printable(why)}"
        return ""

    # ---- starting ------------------------------------------------------------------

    def start_all(self) -> None:
        for addon_id in self.installed():
            self.start(addon_id)

    def start(self, addon_id: str) -> Addon | None:
        info, why = self.check(addon_id)
        if info is None:
            self.say(f"refusing add-on {addon_id}: {why}")
            return None
        name = info.manifest.name
        entry = info.manifest.entry
        for cap in info.manifest.capabilities:
            if cap.kind.startswith("host.") and cap.kind not in self.vocabulary:
                self.say(f"add-on {addon_id} asks for {cap.id}, which {self.host_name} does not provide")
        info.close()
        if not entry.endswith(".py"):
            self.say(f"refusing add-on {addon_id}: its entry {entry!r} is not a Python file")
            return None
        tmp = tempfile.mkdtemp(prefix=f"{self.host_name}-{addon_id}-")
        try:
            sandbox = permit.Ruleset.for_addon(self.store, addon_id, policy=self.policy, tmp=tmp, home=self.home,
                                               entry=PYTHON)
        except permit.PermissionDenied as e:
            shutil.rmtree(tmp, True)
            waiting = getattr(e, "effective", None)
            extra = ""
            if waiting is not None and waiting.undecided:
                extra = (f" (waiting for approval: {', '.join(waiting.undecided)}; "
                         f"'permit grants --profile {self.store.profile} approve ...')")
            self.say(f"not starting add-on {addon_id}: {e}{extra}")
            return None
        except permit.PermitError as e:
            shutil.rmtree(tmp, True)
            self.say(f"refusing add-on {addon_id}: {e}")
            return None
        if self.report:
            text = sandbox.ruleset.report().rstrip("\n").replace("\n", "\n    ")
            self.say(f"enforcement report for {addon_id}:\n    {text}")
        try:
            # -E -s: no PYTHON* variables, no user site; -B: no .pyc in the read-only package
            child = sandbox.spawn([PYTHON, "-E", "-s", "-B", os.path.join(sandbox.addon_dir, entry)])
        except permit.PermitError as e:
            sandbox.close()
            shutil.rmtree(tmp, True)
            self.say(f"cannot start add-on {addon_id}: {e}")
            return None
        addon = Addon(self, addon_id, name, child.socket, sandbox.effective.granted, child=child, tmp=tmp,
                      sandbox=sandbox)
        return self._attach(addon)

    def start_in_process(self, path: str) -> Addon | None:
        """The developer's mode: the add-on at path runs in a thread of this
        process, NOT sandboxed and not verified. Host API requests are still
        checked, against everything its manifest asks for."""
        try:
            with permit.inspect(path) as info:
                addon_id, name, entry = info.manifest.id, info.manifest.name, info.manifest.entry
                granted = tuple(c.id for c in info.manifest.capabilities)
        except permit.PermitError as e:
            self.say(f"--debug-in-process: {e}")
            return None
        bar = "!" * 72
        self.say(f"{bar}\nWARNING: running add-on {addon_id} IN-PROCESS, WITHOUT ANY SANDBOX.\n"
                 f"It can read and change everything you can; its signature is NOT checked.\n"
                 f"Use this only for an add-on you are developing yourself.\n{bar}")
        host_end, addon_end = socket.socketpair()
        rpc._in_process_socket = addon_end
        data = os.path.join(self.store.profile, "data", addon_id)
        os.makedirs(data, mode=0o700, exist_ok=True)
        os.environ["PERMIT_DATA"] = data
        os.environ["PERMIT_ADDON"] = os.path.abspath(path)
        script = os.path.join(path, entry)

        def run() -> None:
            try:
                runpy.run_path(script, run_name="__main__")
            except SystemExit:
                pass
            except Exception as e:  # noqa: BLE001 - the add-on's crash is reported, not the host's
                self.say(f"add-on {addon_id} (in-process) crashed: {printable(e)}")
            finally:
                addon_end.close()

        threading.Thread(target=run, name=addon_id, daemon=True).start()
        return self._attach(Addon(self, addon_id, name, host_end, granted))

    def _attach(self, addon: Addon) -> Addon | None:
        self.addons.append(addon)
        self.sel.register(addon.sock, selectors.EVENT_READ, addon)
        p = addon.request("initialize", {"host": self.host_name, "api": 1, "addon": addon.id,
                                          "granted": list(addon.granted)}, self.start_timeout)
        self.pump(self.start_timeout + 1, until=lambda: p.done or not addon.alive)
        if not addon.alive:
            return None
        if p.error:
            self.drop(addon, f"initialize failed: {printable(p.error)}")
            return None
        how = f"pid {addon.child.pid}, sandboxed" if addon.child else "in-process, NOT sandboxed"
        self.say(f"started add-on {addon.id} ({printable(addon.name)}; {how}; granted: "
                 f"{', '.join(addon.granted) or 'nothing'})")
        return addon

    # ---- stopping ----------------------------------------------------------------

    def drop(self, addon: Addon, why: str) -> None:
        """Stops an add-on that misbehaved; the host keeps running."""
        if not addon.alive:
            return
        self.say(f"stopped add-on {addon.id}: {why}")
        self._close(addon, kill=True)

    def ended(self, addon: Addon) -> None:
        """The add-on closed its socket or its process ended."""
        if not addon.alive:
            return
        how = ""
        if addon.child:
            ex = addon.child.wait(2)
            if ex is not None and ex.killed_by_watchdog:
                wall = addon.sandbox.options.wall_seconds if addon.sandbox else 0
                self.say(f"stopped add-on {addon.id}: it ran past its wall time ({wall} s): the watchdog killed it")
                self._close(addon, kill=True)
                return
            how = f": {ex}" if ex else ""
        self.say(f"add-on {addon.id} ended{how}")
        self._close(addon, kill=True)

    def _close(self, addon: Addon, kill: bool) -> None:
        addon.alive = False
        for p in addon.pending.values():
            p.done, p.error = True, {"code": rpc.INTERNAL_ERROR, "message": "add-on stopped"}
        try:
            self.sel.unregister(addon.sock)
        except (KeyError, ValueError):
            pass
        addon.sock.close()
        if addon.child:
            if kill:
                addon.child.kill()
            addon.child.close()
        if addon.sandbox:
            addon.sandbox.close()
        if addon.tmp:
            shutil.rmtree(addon.tmp, True)
        self.addons.remove(addon)

    def shutdown_all(self, timeout: float = 2.0) -> None:
        """Asks every add-on to shut down, then stops those still running."""
        waits = [(a, a.request("shutdown", {}, timeout)) for a in list(self.addons)]
        self.pump(timeout, until=lambda: all(p.done for _, p in waits))
        for a in list(self.addons):
            if a.child:
                ex = a.child.wait(1)
                if ex is None:
                    self.say(f"add-on {a.id} did not exit after shutdown: stopping it")
            self._close(a, kill=True)

    # ---- calls to the add-ons ------------------------------------------------------

    def broadcast(self, method: str, params: dict) -> dict[str, Any]:
        """Calls every add-on, waits for their answers (serving their
        requests meanwhile); one that does not answer in time is stopped."""
        waits = {a.id: a.request(method, params, self.call_timeout) for a in list(self.addons)}
        self.pump(self.call_timeout + 1, until=lambda: all(p.done for p in waits.values()))
        return {k: p.result for k, p in waits.items() if p.done and not p.error}

    # ---- requests from the add-ons ---------------------------------------------------

    def handle_request(self, addon: Addon, msg: dict) -> None:
        method, msg_id, params = msg.get("method"), msg.get("id"), msg.get("params", {})
        if method == "log":
            if isinstance(params, dict) and addon.may_print():
                self.say(f"[{addon.id}] {printable(params.get('text', ''))}")
            return
        if not isinstance(method, str) or not isinstance(params, dict):
            addon.answer(msg_id, error=(rpc.INVALID_REQUEST, "method must be a string and params an object"))
            return
        api = self.api.get(method)
        if api is None:
            addon.answer(msg_id, error=(rpc.METHOD_NOT_FOUND, f"{self.host_name} has no method {printable(method, 64)}"))
            return
        if api.capability and not addon.allows(api.capability):
            self._audit("denial", addon, api.capability, method)
            addon.answer(msg_id, error=(rpc.NOT_GRANTED, f"{method} needs {api.capability}, which {addon.id} was "
                                                         f"not granted"))
            return
        try:
            result = api.handler(addon, **params)
        except ApiError as e:
            addon.answer(msg_id, error=(e.code, str(e)))
            return
        except TypeError as e:
            addon.answer(msg_id, error=(rpc.INVALID_PARAMS, f"{method}: {printable(e)}"))
            return
        except Exception as e:  # noqa: BLE001 - a host API failing must not take the host down
            self.say(f"{method} for add-on {addon.id} failed: {printable(e)}")
            addon.answer(msg_id, error=(rpc.INTERNAL_ERROR, f"{method} failed"))
            return
        if api.capability:
            self._audit("use", addon, api.capability, method, allowed=True)
        if msg_id is not None:
            addon.answer(msg_id, result)

    def _audit(self, kind: str, addon: Addon, capability: str, target: str, allowed: bool = False) -> None:
        if addon.child is None:
            return  # the in-process debug mode is not an installed add-on
        try:
            self.store.audit(kind, addon.id, capability, target, allowed)
        except permit.PermitError as e:
            self.say(f"cannot write the audit log: {e}")

    # ---- the loop -------------------------------------------------------------------

    def watch_write(self, addon: Addon, want: bool) -> None:
        if not addon.alive:
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if want else 0)
        try:
            self.sel.modify(addon.sock, events, addon)
        except (KeyError, ValueError):
            pass

    def _tick(self, now: float) -> None:
        for a in list(self.addons):
            if not a.alive:
                continue
            # The wall-time watchdog: permit_child_wait kills past the deadline.
            if a.child is not None and a.child.wait(0) is not None:
                self.ended(a)
                continue
            for p in a.pending.values():
                if not p.done and now > p.deadline:
                    what = "the heartbeat (ping)" if p.method == "ping" else p.method
                    self.drop(a, f"did not answer {what} in time: hung")
                    break
            if a.alive and a.ping_id is None and now - a.last_ping >= self.heartbeat:
                a.last_ping = now
                a.request("ping", {}, self.ping_timeout)
                a.ping_id = a.next_id

    def pump(self, seconds: float | None, until: Callable[[], bool] | None = None) -> bool:
        """Runs the add-ons' traffic for up to seconds (None: until until()).
        True when until() became true."""
        end = None if seconds is None else time.monotonic() + seconds
        while True:
            if until is not None and until():
                return True
            now = time.monotonic()
            if end is not None and now >= end:
                return False
            self._tick(now)
            timeout = 0.1 if end is None else max(0.0, min(0.1, end - now))
            for key, mask in self.sel.select(timeout):
                if key.data == "input":
                    self._read_input()
                    continue
                addon = key.data
                if addon.alive and mask & selectors.EVENT_WRITE:
                    addon.flush()
                if addon.alive and mask & selectors.EVENT_READ:
                    addon.readable()

    # ---- the user's input, read while the add-ons keep running ------------------------

    def read_line(self, fd: int) -> str | None:
        """A line from fd (None at its end), serving the add-ons meanwhile."""
        if self.input_fd != fd:
            if self.input_fd is not None and not self.input_is_file:
                self.sel.unregister(self.input_fd)
            self.input_fd, self.input_buf, self.input_eof = fd, bytearray(), False
            try:
                self.sel.register(fd, selectors.EVENT_READ, "input")
                self.input_is_file = False
            except PermissionError:  # a regular file (a script): always readable, epoll refuses it
                self.input_is_file = True
        if self.input_is_file:
            self.pump(0)
            while b"\n" not in self.input_buf and not self.input_eof:
                self._read_input()
        else:
            self.pump(None, until=lambda: b"\n" in self.input_buf or self.input_eof)
        if b"\n" in self.input_buf:
            nl = self.input_buf.index(b"\n")
            line = bytes(self.input_buf[:nl])
            del self.input_buf[:nl + 1]
            return line.decode(errors="replace")
        if self.input_buf:
            line, self.input_buf = bytes(self.input_buf), bytearray()
            return line.decode(errors="replace")
        return None

    def _read_input(self) -> None:
        data = os.read(self.input_fd, 4096)
        if not data:
            self.input_eof = True
            if not self.input_is_file:
                self.sel.unregister(self.input_fd)
        self.input_buf += data


def load_vocabulary(path: str) -> dict:
    """The host's vocabulary file (format: examples/python-host/host-vocabulary.json)."""
    with open(path, encoding="utf-8") as f:
        vocab = json.load(f)
    if vocab.get("version") != 1 or not isinstance(vocab.get("capabilities"), list):
        raise ValueError(f"{path}: not a version 1 host vocabulary")
    for c in vocab["capabilities"]:
        permit.check_capability(c["id"])
    return vocab


__all__ = ["Api", "ApiError", "Addon", "AddonManager", "load_vocabulary", "printable"]
