# SPDX-License-Identifier: MIT
"""Sandboxes: rulesets, spawning an add-on in its own process, restricting
the current process, and the enforcement report (permit/enforcer.h,
permit/addon.h)."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from . import _lib
from ._handle import Handle
from .errors import check, error_from
from .package import Manifest, _path, _strings
from .policy import Policy
from .store import EffectiveGrant, Store

lib = _lib.lib

__all__ = ["SandboxOptions", "Ruleset", "AddonSandbox", "Child", "ChildExit", "restrict_self", "doctor_report",
           "landlock_abi", "SOCKET_FD"]

SOCKET_FD = 3  # PERMIT_SOCKET_FD: the add-on's end of the host socket


@dataclass
class SandboxOptions:
    """What the host decides for a sandbox: resource limits (0: not limited
    by permit), the Landlock ABI cap, and whether to refuse a sandbox this
    kernel cannot fully enforce."""
    memory_mb: int = 0
    cpu_seconds: int = 0
    processes: int = 0
    open_files: int = 0
    file_size_mb: int = 0
    wall_seconds: int = 0
    landlock_abi_max: int = 0
    no_landlock: bool = False
    require_full: bool = False

    def _to_c(self) -> _lib.SandboxOptions:
        return _lib.SandboxOptions(_lib.SandboxLimits(self.memory_mb, self.cpu_seconds, self.processes,
                                                      self.open_files, self.file_size_mb, self.wall_seconds),
                                   self.landlock_abi_max, self.no_landlock, self.require_full)

    @classmethod
    def _from_c(cls, o: _lib.SandboxOptions) -> "SandboxOptions":
        lim = o.limits
        return cls(lim.memory_mb, lim.cpu_seconds, lim.processes, lim.open_files, lim.file_size_mb,
                   lim.wall_seconds, o.landlock_abi_max, bool(o.no_landlock), bool(o.require_full))

    @classmethod
    def from_policy(cls, policy: Policy | None) -> "SandboxOptions":
        out = _lib.SandboxOptions()
        lib.permit_sandbox_options_from_policy(policy._handle() if policy else None, ctypes.byref(out))
        return cls._from_c(out)


def _paths(addon=None, data=None, tmp=None, profile=None, home=None, entry=None) -> _lib.Paths:
    enc = (lambda p: None if p is None else _path(p))
    return _lib.Paths(enc(addon), enc(data), enc(tmp), enc(profile), enc(home), enc(entry))


def _env_list(env: Mapping[str, str] | None) -> ctypes.Array | None:
    if env is None:
        return None
    return _strings([f"{k}={v}" for k, v in env.items()])


@dataclass
class ChildExit:
    """How a spawned add-on ended."""
    status: int                    # the raw wait status
    killed_by_watchdog: bool       # past its wall time
    exit_code: int | None = field(init=False)
    signal: int | None = field(init=False)

    def __post_init__(self) -> None:
        self.exit_code = os.WEXITSTATUS(self.status) if os.WIFEXITED(self.status) else None
        self.signal = os.WTERMSIG(self.status) if os.WIFSIGNALED(self.status) else None

    def __str__(self) -> str:
        if self.killed_by_watchdog:
            return "killed after its wall time"
        if self.signal is not None:
            return f"killed by signal {signal.Signals(self.signal).name}"
        return f"exited with status {self.exit_code}"


class Child(Handle):
    """An add-on running in its sandbox (permit_child). Closing it kills a
    child still running, reaps it and closes its descriptors."""

    def __init__(self, ptr: ctypes.c_void_p):
        super().__init__(ptr, lib.permit_child_free)
        self.pid: int = lib.permit_child_pid(ptr)
        self.exit: ChildExit | None = None
        fd = lib.permit_child_socket(ptr)
        # A socket object of our own (a dup): closing it leaves the handle's fd alone.
        self.socket: socket.socket | None = (socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, fileno=os.dup(fd))
                                             if fd >= 0 else None)

    @property
    def pidfd(self) -> int:
        """Readable (poll) when the child has exited. Owned by the child."""
        return lib.permit_child_pidfd(self._handle())

    def wait(self, timeout: float | None = None) -> ChildExit | None:
        """Waits at most timeout seconds (None: until it exits). Past its
        wall time the watchdog kills it. None when still running."""
        if self.exit is not None:
            return self.exit
        status, killed = ctypes.c_int(), ctypes.c_bool()
        ms = -1 if timeout is None else max(0, int(timeout * 1000))
        r = check(lib.permit_child_wait(self._handle(), ms, ctypes.byref(status), ctypes.byref(killed)),
                  context=f"waiting for {self.pid}")
        if r == 0:
            return None
        self.exit = ChildExit(status.value, bool(killed.value))
        return self.exit

    @property
    def running(self) -> bool:
        return self.wait(0) is None

    def kill(self) -> ChildExit:
        """SIGKILL through the pidfd (never another process that reused the pid), then reaps."""
        if self.exit is None:
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return self.wait()

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close()
        super().close()

    def __repr__(self) -> str:
        return f"<Child pid={self.pid} {self.exit or 'running'}>"


class Ruleset(Handle):
    """A compiled sandbox: Landlock rules, seccomp filter, limits. Apply it
    to a new process (spawn) or to this one (restrict_self), any number of times."""

    def __init__(self, ptr: ctypes.c_void_p):
        super().__init__(ptr, lib.permit_ruleset_free)

    @classmethod
    def new(cls, capabilities: Sequence[str], *, addon=None, data=None, tmp=None, profile=None, home=None,
            entry=None, options: SandboxOptions | None = None) -> "Ruleset":
        """Compiles a ruleset for capability ids; the keyword arguments are
        what $ADDON, $DATA, $TMP, $PROFILE, $HOME expand to, and entry the
        program that may be executed."""
        caps = _strings(list(capabilities))
        paths = _paths(addon, data, tmp, profile, home, entry)
        opts = (options or SandboxOptions())._to_c()
        ptr, err = ctypes.c_void_p(), _lib.Error()
        check(lib.permit_ruleset_new(caps, len(capabilities), ctypes.byref(paths), ctypes.byref(opts),
                                     ctypes.byref(ptr), ctypes.byref(err)), err)
        return cls(ptr)

    @property
    def entry(self) -> str | None:
        e = lib.permit_ruleset_entry(self._handle())
        return None if e is None else os.fsdecode(e)

    @property
    def landlock_abi(self) -> int:
        """The Landlock ABI this ruleset uses (0: none)."""
        return lib.permit_ruleset_landlock_abi(self._handle())

    @property
    def fully_enforced(self) -> bool:
        return bool(lib.permit_ruleset_fully_enforced(self._handle()))

    def report(self) -> str:
        """The enforcement report for people."""
        out = ctypes.c_void_p()
        check(lib.permit_ruleset_report(self._handle(), False, ctypes.byref(out)))
        return _lib.take_string(out)

    def report_json(self) -> dict:
        """The enforcement report as data (doc/capabilities.md), with every rule."""
        out = ctypes.c_void_p()
        check(lib.permit_ruleset_report(self._handle(), True, ctypes.byref(out)))
        return json.loads(_lib.take_string(out))

    def spawn(self, argv: Sequence[str], env: Mapping[str, str] | None = None, *, stdio: bool = False,
              keep_env: bool = False, socket: bool = True) -> Child:
        """Starts the entry program with argv in a new sandboxed process.
        It finds its end of a socketpair on fd 3 (unless socket=False), a
        clean environment plus env (keep_env: env alone), /dev/null on
        0-2 unless stdio. PermissionDenied when the sandbox does not allow
        executing it, NotFound when it is not there."""
        args = _strings(list(argv))
        envp = _env_list(env)
        flags = (1 if stdio else 0) | (2 if keep_env else 0) | (0 if socket else 4)
        ptr = ctypes.c_void_p()
        check(lib.permit_spawn(self._handle(), args, envp, flags, ctypes.byref(ptr)),
              context=f"cannot start {argv[0] if argv else '(nothing)'}")
        return Child(ptr)

    def restrict_self(self) -> None:
        """Applies the ruleset to the calling process (irreversible; call
        before starting threads: Landlock restricts the calling thread)."""
        check(lib.permit_restrict_self(self._handle()), context="restricting this process")

    @classmethod
    def for_addon(cls, store: Store, addon_id: str, *, policy: Policy | None = None,
                  lower: SandboxOptions | None = None, tmp=None, home=None, entry=None) -> "AddonSandbox":
        """The sandbox of an approved add-on: its installed package
        (PROFILE/addons/ID) verified against its pin, its effective grant
        under policy, $DATA = PROFILE/data/ID (made), $TMP and $HOME as
        given, entry the program to run (None: the manifest's entry in the
        package). lower can only lower the limits. Raises PermissionDenied
        (with .effective: what waits for the user) when it may not run,
        VerificationError/KeyRejected when the installed package does not
        verify against its pin, NotFound for an unknown add-on."""
        run = _lib.AddonRun()
        paths = _paths(tmp=tmp, home=home, entry=entry)
        low = lower._to_c() if lower else None
        ptr, err = ctypes.c_void_p(), _lib.Error()
        r = lib.permit_ruleset_for_addon(store._handle(), addon_id.encode(), policy._handle() if policy else None,
                                         ctypes.byref(low) if low is not None else None, ctypes.byref(paths),
                                         ctypes.byref(ptr), ctypes.byref(run), ctypes.byref(err))
        try:
            effective = EffectiveGrant._take(run.effective, free=False) if run.effective else None
            if r < 0:
                e = error_from(r, err, addon_id)
                e.effective = effective
                raise e
            sandbox = AddonSandbox(cls(ptr), addon_id,
                                   os.fsdecode(ctypes.string_at(run.addon_dir)) if run.addon_dir else None,
                                   os.fsdecode(ctypes.string_at(run.data_dir)),
                                   Manifest._copy_of(run.manifest), effective,
                                   SandboxOptions._from_c(run.options))
            return sandbox
        finally:
            lib.permit_addon_run_clear(ctypes.byref(run))


@dataclass
class AddonSandbox:
    """What Ruleset.for_addon() found: the ruleset and the add-on's folders, manifest and grant."""
    ruleset: Ruleset
    addon_id: str
    addon_dir: str | None   # $ADDON (None: not installed, running under the decided manifest)
    data_dir: str           # $DATA
    manifest: Manifest
    effective: EffectiveGrant
    options: SandboxOptions

    def spawn(self, argv: Sequence[str], env: Mapping[str, str] | None = None, **kw) -> Child:
        return self.ruleset.spawn(argv, env, **kw)

    def close(self) -> None:
        self.ruleset.close()
        self.manifest.close()

    def __enter__(self) -> "AddonSandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def restrict_self(capabilities: Sequence[str], **kw) -> None:
    """Compiles a ruleset for capabilities (keywords as Ruleset.new) and
    applies it to this process: "locking the door" before loading add-ons
    in-process. Irreversible."""
    with Ruleset.new(capabilities, **kw) as rs:
        rs.restrict_self()


def doctor_report(as_json: bool = False) -> str | dict:
    """What this machine can enforce (Landlock ABI, seccomp, user namespaces)."""
    out = ctypes.c_void_p()
    check(lib.permit_doctor_report(as_json, ctypes.byref(out)))
    text = _lib.take_string(out)
    return json.loads(text) if as_json else text


def landlock_abi() -> int:
    """The kernel's Landlock ABI (0: none)."""
    return lib.permit_landlock_abi()

