# SPDX-License-Identifier: MIT
"""The per-profile store: decisions (grants), pins, the audit log, and the
effective grant of an add-on."""

from __future__ import annotations

import ctypes
import errno
import os
from dataclasses import dataclass
from enum import IntEnum
from typing import Mapping

from . import _lib
from ._handle import Handle
from .errors import KeyRejected, check
from .package import Limits, Manifest, PackageInfo, PublicKey, _path, verify_with_seal_key
from .policy import Policy

lib = _lib.lib

__all__ = ["Store", "Record", "CapDecision", "GrantState", "GrantEntry", "EffectiveGrant", "default_profile"]


def default_profile() -> str:
    """$XDG_DATA_HOME/permit/profiles/default (or under ~/.local/share)."""
    out = ctypes.c_void_p()
    check(lib.permit_store_default_profile(ctypes.byref(out)))
    return _lib.take_string(out)


@dataclass(frozen=True)
class CapDecision:
    """One capability's recorded decision."""
    capability: str
    granted: bool
    required: bool
    requested: bool
    decided_at: int
    by: str  # "user" or "policy"


@dataclass(frozen=True)
class Record:
    """One add-on's record in grants.json (a copy: it does not change with the store)."""
    id: str
    version: str
    name: str
    publisher: str
    manifest_digest: str
    decided_at: int
    decisions: tuple[CapDecision, ...]

    @classmethod
    def _from_c(cls, r: int) -> "Record":
        decisions = []
        for i in range(lib.permit_record_n_decisions(r)):
            d = lib.permit_record_decision(r, i).contents
            decisions.append(CapDecision(d.capability.decode(), bool(d.granted), bool(d.required),
                                         bool(d.requested), d.decided_at, lib.permit_decided_by_name(d.by).decode()))
        return cls(lib.permit_record_id(r).decode(), lib.permit_record_version(r).decode(),
                   lib.permit_record_name(r).decode(), lib.permit_record_publisher(r).decode(),
                   lib.permit_record_manifest_digest(r).decode(), lib.permit_record_decided_at(r), tuple(decisions))

    def decision(self, capability: str) -> CapDecision | None:
        return next((d for d in self.decisions if d.capability == capability), None)


class GrantState(IntEnum):
    GRANTED = 0
    DENIED = 1
    UNDECIDED = 2
    POLICY_DENIED = 3

    def __str__(self) -> str:
        return lib.permit_grant_state_name(int(self)).decode()


@dataclass(frozen=True)
class GrantEntry:
    capability: str
    required: bool
    state: GrantState


@dataclass(frozen=True)
class EffectiveGrant:
    """Requested by the verified manifest AND approved AND allowed by the policy."""
    entries: tuple[GrantEntry, ...]
    granted: tuple[str, ...]
    limits: Limits
    runnable: bool      # every required capability granted
    up_to_date: bool    # decided on exactly this manifest
    undecided: tuple[str, ...]

    @classmethod
    def _take(cls, e: int, free: bool = True) -> "EffectiveGrant":
        try:
            entries = []
            for i in range(lib.permit_effective_n_entries(e)):
                g = lib.permit_effective_entry(e, i).contents
                entries.append(GrantEntry(g.capability.decode(), bool(g.required), GrantState(g.state)))
            granted = tuple(lib.permit_effective_granted(e, i).decode()
                            for i in range(lib.permit_effective_n_granted(e)))
            return cls(tuple(entries), granted, Limits._from_c(lib.permit_effective_limits(e).contents),
                       bool(lib.permit_effective_runnable(e)), bool(lib.permit_effective_up_to_date(e)),
                       tuple(x.capability for x in entries if x.state == GrantState.UNDECIDED))
        finally:
            if free:
                lib.permit_effective_free(e)

    def allows(self, capability: str) -> bool:
        """True when a granted capability absorbs this one (the check a host
        makes on each mediated request: sys.clipboard:read, host.deck.read)."""
        from .package import capability_absorbs
        return any(capability_absorbs(g, capability) for g in self.granted)


class Store(Handle):
    """A profile's consent store (permit/store.h). A snapshot: reload() to
    see other processes' changes; the methods that change it update it."""

    def __init__(self, profile: str | os.PathLike | None = None, create: bool = False):
        ptr, err = ctypes.c_void_p(), _lib.Error()
        r = lib.permit_store_open(None if profile is None else _path(profile), 1 if create else 0,
                                  ctypes.byref(ptr), ctypes.byref(err))
        check(r, err, os.fspath(profile) if profile else "the default profile")
        super().__init__(ptr, lib.permit_store_free)

    @property
    def profile(self) -> str:
        return os.fsdecode(lib.permit_store_profile(self._handle()))

    @property
    def dir(self) -> str:
        """PROFILE/permit: never visible to an add-on."""
        return os.fsdecode(lib.permit_store_dir(self._handle()))

    def reload(self) -> None:
        err = _lib.Error()
        check(lib.permit_store_reload(self._handle(), ctypes.byref(err)), err)

    # ---- reading -----------------------------------------------------------

    def records(self) -> list[Record]:
        h = self._handle()
        return [Record._from_c(lib.permit_store_record(h, i)) for i in range(lib.permit_store_n_records(h))]

    def find(self, addon_id: str) -> Record | None:
        r = lib.permit_store_find(self._handle(), addon_id.encode())
        return Record._from_c(r) if r else None

    def decided_manifest(self, addon_id: str) -> Manifest:
        """The manifest the user decided on (for an update's diff)."""
        ptr, err = ctypes.c_void_p(), _lib.Error()
        check(lib.permit_store_decided_manifest(self._handle(), addon_id.encode(), ctypes.byref(ptr),
                                                ctypes.byref(err)), err, addon_id)
        return Manifest(ptr)

    def effective_grant(self, manifest: Manifest, policy: Policy | None = None) -> EffectiveGrant:
        """The effective grant for a VERIFIED manifest under policy."""
        e = ctypes.c_void_p()
        check(lib.permit_effective_grant(self._handle(), manifest._handle(),
                                         policy._handle() if policy else None, ctypes.byref(e)))
        return EffectiveGrant._take(e)

    # ---- deciding ----------------------------------------------------------

    def record_decision(self, manifest: Manifest, *, accept_required: bool = True,
                        optional: Mapping[str, bool] | None = None, by: str = "user",
                        when: int | None = None) -> Record:
        """Records a decision on a verified manifest: the required
        capabilities accepted (or refused) as a whole, each optional one as
        given in optional (those not named keep their earlier decision, or
        start off). Returns the new record."""
        h = self._handle()
        prev = lib.permit_store_find(h, manifest.id.encode())
        d = ctypes.c_void_p()
        check(lib.permit_decision_new(manifest._handle(), prev, ctypes.byref(d)))
        try:
            lib.permit_decision_set_required(d, accept_required)
            for cap, grant in (optional or {}).items():
                check(lib.permit_decision_set(d, cap.encode(), grant), context=f"{manifest.id}: {cap}")
            lib.permit_decision_set_by(d, {"user": 0, "policy": 1}[by])
            if when is not None:
                lib.permit_decision_set_time(d, when)
            err = _lib.Error()
            check(lib.permit_store_record_decision(h, d, ctypes.byref(err)), err)
        finally:
            lib.permit_decision_free(d)
        return self.find(manifest.id)

    def revoke(self, addon_id: str, capability: str | None = None) -> None:
        """Denies one capability (None: every capability) of addon_id."""
        err = _lib.Error()
        check(lib.permit_store_revoke(self._handle(), addon_id.encode(), None if capability is None else
                                      capability.encode(), ctypes.byref(err)), err, addon_id)

    def reset(self, addon_id: str, forget_key: bool = False) -> None:
        """Forgets the add-on's record (and with forget_key its pin)."""
        err = _lib.Error()
        check(lib.permit_store_reset(self._handle(), addon_id.encode(), 1 if forget_key else 0, ctypes.byref(err)),
              err, addon_id)

    # ---- pins and verification ----------------------------------------------

    def pin(self, addon_id: str) -> tuple[str, str] | None:
        """(public key "RW...", key id) pinned for addon_id, or None."""
        key, kid = ctypes.c_char_p(), ctypes.c_char_p()
        r = lib.permit_store_pin_get(self._handle(), addon_id.encode(), ctypes.byref(key), ctypes.byref(kid))
        if r == -errno.ENOENT:
            return None
        check(r)
        return key.value.decode(), kid.value.decode()

    def set_pin(self, addon_id: str, public_key: str) -> None:
        err = _lib.Error()
        check(lib.permit_store_pin_set(self._handle(), addon_id.encode(), public_key.encode(), ctypes.byref(err)),
              err)

    def verify_pinned(self, package: str | os.PathLike, addon_id: str) -> PackageInfo:
        """Verifies a package of addon_id against the key pinned for it,
        following the package's key rotation statements (the update rule).
        KeyRejected when no key is pinned or another key sealed it."""
        pin = self.pin(addon_id)
        if pin is None:
            raise KeyRejected(errno.ENOKEY, f"{os.fspath(package)}: no key is pinned for {addon_id}")
        with PublicKey.from_string(pin[0]) as pinned:
            ptr, key, err = ctypes.c_void_p(), ctypes.c_void_p(), _lib.Error()
            r = check(lib.permit_trust_verify_package(_path(package), addon_id.encode(), pinned._handle(), None,
                                                      ctypes.byref(ptr), None, ctypes.byref(err)), err)
        return PackageInfo._take(package, ptr, "rotated" if r == 1 else "pinned")

    def approve(self, package: str | os.PathLike, *, key: PublicKey | str | None = None,
                optional: Mapping[str, bool] | None = None) -> PackageInfo:
        """What `permit grants approve --yes` does: verifies the package
        (against the pin; or on a first install against key, or the seal's
        own key, which is then pinned), accepts its required capabilities and
        decides the optional ones as given (the rest stay off)."""
        from .package import inspect, verify
        with inspect(package) as peek:
            addon_id = peek.manifest.id
        if self.pin(addon_id):
            info = self.verify_pinned(package, addon_id)
            pin = None
        elif key is not None:
            info = verify(package, key)
            pin = key.key if isinstance(key, PublicKey) else key
        else:
            info = verify_with_seal_key(package)
            pin = info.public_key
        try:
            if info.manifest.id != addon_id:
                raise KeyRejected(errno.EKEYREJECTED, f"{os.fspath(package)}: changed while it was being verified")
            self.record_decision(info.manifest, optional=optional)
            if pin:
                self.set_pin(addon_id, pin)
        except BaseException:
            info.close()
            raise
        return info

    # ---- audit, export ----------------------------------------------------------

    def audit(self, kind: str, addon_id: str, capability: str | None = None, target: str | None = None,
              allowed: bool = False) -> None:
        """Appends an event ("decision", "use", "denial") to audit.jsonl."""
        def enc(s: str | None) -> bytes | None:  # paths may carry bytes that are not UTF-8: the library refuses them
            return None if s is None else s.encode(errors="surrogateescape")
        ev = _lib.AuditEvent({"decision": 0, "use": 1, "denial": 2}[kind], 0, enc(addon_id), enc(capability),
                             enc(target), allowed)
        check(lib.permit_store_audit_append(self._handle(), ctypes.byref(ev)), context="audit.jsonl")

    def last_used(self, addon_id: str, capability: str) -> int:
        """When capability was last used by addon_id (0: never)."""
        u = ctypes.c_void_p()
        check(lib.permit_store_usage(self._handle(), addon_id.encode(), ctypes.byref(u)))
        try:
            return lib.permit_usage_last_used(u, capability.encode())
        finally:
            lib.permit_usage_free(u)

    def export(self) -> str:
        out, n = ctypes.c_void_p(), ctypes.c_size_t()
        check(lib.permit_store_export(self._handle(), ctypes.byref(out), ctypes.byref(n)))
        return _lib.take_string(out, n.value)

    def import_(self, document: str, source: str | None = None) -> None:
        data, err = document.encode(), _lib.Error()
        check(lib.permit_store_import(self._handle(), data, len(data), None if source is None else source.encode(),
                                      ctypes.byref(err)), err)
