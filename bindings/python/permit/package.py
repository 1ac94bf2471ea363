# SPDX-License-Identifier: MIT
"""Capabilities, manifests, keys, and verifying sealed packages."""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Iterable, Sequence

from . import _lib
from ._handle import Handle
from .errors import check

lib = _lib.lib

__all__ = [
    "Risk", "Capability", "Change", "Warning", "Limits", "Manifest", "PublicKey", "SecretKey", "PackageInfo",
    "check_capability", "capability_absorbs", "capability_warning", "warnings_for", "verify", "verify_with_seal_key",
    "inspect", "sign",
]


def _path(p: str | os.PathLike) -> bytes:
    return os.fsencode(p)


def _str(b: bytes | None) -> str | None:
    return None if b is None else b.decode()


class Risk(IntEnum):
    """How much a capability puts at risk (permit_risk)."""
    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    def __str__(self) -> str:
        return lib.permit_risk_name(int(self)).decode()


@dataclass(frozen=True)
class Capability:
    """One capability as a manifest declares it."""
    id: str
    kind: str
    argument: str | None
    required: bool
    reason: str

    @classmethod
    def _from_c(cls, c: _lib.Capability) -> "Capability":
        return cls(c.id.decode(), c.kind.decode(), _str(c.argument), bool(c.required), (c.reason or b"").decode())


@dataclass(frozen=True)
class Warning:  # noqa: A001 - the library's name for it
    """A warning as users are shown it: risk, the system's text, the
    developer's reason, and the narrower capabilities it absorbs."""
    risk: Risk
    text: str
    capability: str
    reason: str
    required: bool
    absorbed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    """One capability's change in an update: "added", "widened",
    "now-required"..., as permit_change_name() names it."""
    change: str
    capability: str | None  # in the new manifest; None when removed
    old: str | None         # the old one it widens or equals; None when added


@dataclass(frozen=True)
class Limits:
    """Resource limits; 0 means not given."""
    memory_mb: int = 0
    cpu_seconds: int = 0
    processes: int = 0
    open_files: int = 0
    wall_seconds: int = 0

    @classmethod
    def _from_c(cls, c: _lib.Limits) -> "Limits":
        return cls(c.memory_mb, c.cpu_seconds, c.processes, c.open_files, c.wall_seconds)


def check_capability(capability: str) -> None:
    """Raises InvalidInput unless capability is a valid id ("fs.read:$DATA")."""
    err = _lib.Error()
    check(lib.permit_capability_check(capability.encode(), ctypes.byref(err)), err)


def capability_absorbs(broad: str, narrow: str) -> bool:
    """True when a grant of broad allows everything narrow allows.
    False when either is not a valid capability."""
    try:
        check_capability(broad)
        check_capability(narrow)
    except Exception:  # noqa: BLE001 - invalid ids absorb nothing
        return False
    return bool(lib.permit_capability_absorbs(broad.encode(), narrow.encode()))


def capability_warning(capability: str) -> tuple[Risk, str]:
    """The risk and the system's warning for one capability id."""
    buf = ctypes.create_string_buffer(512)
    r = lib.permit_capability_warning(capability.encode(), buf, len(buf))
    check(r, context=capability)
    return Risk(r), buf.value.decode()


def _warnings(caps: ctypes.Array | ctypes._Pointer, n: int) -> list[Warning]:
    w = ctypes.c_void_p()
    check(lib.permit_warnings_new(caps, n, ctypes.byref(w)))
    try:
        out = []
        for i in range(lib.permit_warnings_count(w)):
            x = lib.permit_warnings_get(w, i).contents
            absorbed = tuple(x.absorbed[k].decode() for k in range(x.n_absorbed))
            out.append(Warning(Risk(x.risk), x.text.decode(), x.capability.decode(), (x.reason or b"").decode(),
                               bool(x.required), absorbed))
        return out
    finally:
        lib.permit_warnings_free(w)


def warnings_for(capabilities: Iterable[Capability | str]) -> list[Warning]:
    """The merged warnings for capabilities (ids count as required, no reason), highest risk first."""
    caps = []
    for c in capabilities:
        if isinstance(c, str):
            check_capability(c)
            kind, _, arg = c.partition(":")
            c = Capability(c, kind, arg or None, True, "")
        caps.append(c)
    keep = [(c.id.encode(), c.kind.encode(), None if c.argument is None else c.argument.encode(),
             c.reason.encode()) for c in caps]
    arr = (_lib.Capability * max(1, len(caps)))()
    for i, (c, k) in enumerate(zip(caps, keep)):
        arr[i] = _lib.Capability(k[0], k[1], k[2], c.required, k[3])
    return _warnings(arr, len(caps))


class Manifest(Handle):
    """A parsed, valid permit.json (permit_manifest). Read-only."""

    def __init__(self, ptr: ctypes.c_void_p):
        super().__init__(ptr, lib.permit_manifest_free)

    @classmethod
    def parse(cls, text: str | bytes, source: str | None = None) -> "Manifest":
        """Parses and validates permit.json from memory (InvalidInput says where and what)."""
        data = text.encode() if isinstance(text, str) else bytes(text)
        ptr, err = ctypes.c_void_p(), _lib.Error()
        check(lib.permit_manifest_parse(data, len(data), None if source is None else source.encode(),
                                        ctypes.byref(ptr), ctypes.byref(err)), err)
        return cls(ptr)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Manifest":
        """Reads and parses a permit.json file."""
        ptr, err = ctypes.c_void_p(), _lib.Error()
        check(lib.permit_manifest_load(_path(path), ctypes.byref(ptr), ctypes.byref(err)), err)
        return cls(ptr)

    @classmethod
    def _copy_of(cls, borrowed: int) -> "Manifest":
        """A manifest of our own, equal to one another object owns."""
        text, n = ctypes.c_void_p(), ctypes.c_size_t()
        check(lib.permit_manifest_canonical(borrowed, ctypes.byref(text), ctypes.byref(n)))
        return cls.parse(_lib.take_string(text, n.value))

    id = property(lambda self: lib.permit_manifest_id(self._handle()).decode(), doc="The add-on id.")
    name = property(lambda self: lib.permit_manifest_name(self._handle()).decode())
    version = property(lambda self: lib.permit_manifest_version(self._handle()).decode())
    publisher = property(lambda self: lib.permit_manifest_publisher(self._handle()).decode())
    entry = property(lambda self: lib.permit_manifest_entry(self._handle()).decode(),
                     doc="What the host runs, relative to the package.")

    @property
    def limits(self) -> Limits:
        return Limits._from_c(lib.permit_manifest_limits(self._handle()).contents)

    @property
    def capabilities(self) -> list[Capability]:
        h = self._handle()
        n = lib.permit_manifest_n_capabilities(h)
        arr = lib.permit_manifest_capabilities(h)
        return [Capability._from_c(arr[i]) for i in range(n)]

    @property
    def warnings(self) -> list[Warning]:
        """What a user is shown: merged warnings, highest risk first."""
        h = self._handle()
        return _warnings(lib.permit_manifest_capabilities(h), lib.permit_manifest_n_capabilities(h))

    @property
    def risk(self) -> Risk:
        """The highest risk of its warnings (Risk.NONE when it asks for nothing risky)."""
        return max((w.risk for w in self.warnings), default=Risk.NONE)

    def canonical(self) -> str:
        """The canonical JSON form the seal hashes."""
        text, n = ctypes.c_void_p(), ctypes.c_size_t()
        check(lib.permit_manifest_canonical(self._handle(), ctypes.byref(text), ctypes.byref(n)))
        return _lib.take_string(text, n.value)

    def digest(self) -> str:
        """Hex BLAKE2b-256 of the canonical form (what the store records decisions on)."""
        out = (ctypes.c_uint8 * _lib.DIGEST_SIZE)()
        check(lib.permit_manifest_digest(self._handle(), out))
        return bytes(out).hex()

    def diff(self, older: "Manifest") -> "tuple[list[Change], bool]":
        """What this manifest (an update) changes against an older one
        (the installed, decided one): one Change per capability, and
        whether it asks for anything not granted before."""
        d = ctypes.c_void_p()
        check(lib.permit_manifest_diff(older._handle(), self._handle(), ctypes.byref(d)))
        try:
            changes = []
            for i in range(lib.permit_diff_count(d)):
                e = lib.permit_diff_get(d, i).contents
                changes.append(Change(lib.permit_change_name(e.change).decode(),
                                      e.new_cap.contents.id.decode() if e.new_cap else None,
                                      e.old_cap.contents.id.decode() if e.old_cap else None))
            return changes, bool(lib.permit_diff_asks_more(d))
        finally:
            lib.permit_diff_free(d)

    def __repr__(self) -> str:
        if self.closed:
            return "<Manifest closed>"
        return f"<Manifest {self.id} {self.version}>"


class PublicKey(Handle):
    """A minisign-compatible Ed25519 public key."""

    def __init__(self, ptr: ctypes.c_void_p):
        super().__init__(ptr, lib.permit_pubkey_free)

    @classmethod
    def from_string(cls, key: str) -> "PublicKey":
        """From the key line "RW..."."""
        ptr, err = ctypes.c_void_p(), _lib.Error()
        check(lib.permit_pubkey_from_string(key.encode(), ctypes.byref(ptr), ctypes.byref(err)), err)
        return cls(ptr)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "PublicKey":
        """From a minisign public key file."""
        ptr, err = ctypes.c_void_p(), _lib.Error()
        check(lib.permit_pubkey_load(_path(path), ctypes.byref(ptr), ctypes.byref(err)), err)
        return cls(ptr)

    def save(self, path: str | os.PathLike, overwrite: bool = False) -> None:
        check(lib.permit_pubkey_save(self._handle(), _path(path), int(overwrite)), context=os.fspath(path))

    @property
    def key(self) -> str:
        """"RW..." as minisign prints it."""
        buf = ctypes.create_string_buffer(_lib.PUBKEY_STRING_SIZE)
        lib.permit_pubkey_string(self._handle(), buf)
        return buf.value.decode()

    @property
    def key_id(self) -> str:
        """16 upper-case hex digits, as minisign prints it."""
        buf = ctypes.create_string_buffer(_lib.KEY_ID_STRING_SIZE)
        lib.permit_pubkey_id_string(self._handle(), buf)
        return buf.value.decode()

    def __repr__(self) -> str:
        return "<PublicKey closed>" if self.closed else f"<PublicKey {self.key_id}>"


class SecretKey(Handle):
    """A secret signing key (wiped when closed)."""

    def __init__(self, ptr: ctypes.c_void_p):
        super().__init__(ptr, lib.permit_seckey_free)

    @classmethod
    def load(cls, path: str | os.PathLike, password: str | bytes | None = None) -> "SecretKey":
        pw = password.encode() if isinstance(password, str) else password
        ptr, err = ctypes.c_void_p(), _lib.Error()
        check(lib.permit_seckey_load(_path(path), pw, len(pw or b""), ctypes.byref(ptr), ctypes.byref(err)), err)
        return cls(ptr)

    @classmethod
    def generate(cls) -> "SecretKey":
        """A fresh key pair (the public half: .public_key())."""
        pk, sk = ctypes.c_void_p(), ctypes.c_void_p()
        check(lib.permit_keypair_generate(ctypes.byref(pk), ctypes.byref(sk)))
        lib.permit_pubkey_free(pk)
        return cls(sk)

    def public_key(self) -> PublicKey:
        ptr = ctypes.c_void_p()
        check(lib.permit_seckey_pubkey(self._handle(), ctypes.byref(ptr)))
        return PublicKey(ptr)

    def save(self, path: str | os.PathLike, password: str | None = None, overwrite: bool = False) -> None:
        pw = (password or "").encode()
        check(lib.permit_seckey_save(self._handle(), _path(path), pw, len(pw), int(overwrite)), context=os.fspath(path))


@dataclass
class PackageInfo:
    """What a verified (or inspected) package is. The manifest is the
    caller's to close (or leave to the garbage collector)."""
    path: str
    manifest: Manifest
    key_id: str
    public_key: str
    signed_at: int
    files: int
    total_size: int
    hash: str
    seal_digest: str
    verified: bool
    trust: str = ""  # "pinned" or "rotated" when verified against a pin
    extra: dict = field(default_factory=dict)

    @classmethod
    def _take(cls, path: str | os.PathLike, ptr: ctypes.c_void_p, trust: str = "") -> "PackageInfo":
        """Copies what the C info holds, then frees it."""
        try:
            return cls(os.fspath(path), Manifest._copy_of(lib.permit_package_info_manifest(ptr)),
                       lib.permit_package_info_key_id(ptr).decode(), lib.permit_package_info_public_key(ptr).decode(),
                       lib.permit_package_info_signed_at(ptr), lib.permit_package_info_files(ptr),
                       lib.permit_package_info_total_size(ptr), (lib.permit_package_info_hash(ptr) or b"").decode(),
                       (lib.permit_package_info_seal_digest(ptr) or b"").decode(),
                       bool(lib.permit_package_info_verified(ptr)), trust)
        finally:
            lib.permit_package_info_free(ptr)

    def close(self) -> None:
        self.manifest.close()

    def __enter__(self) -> "PackageInfo":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _key(key: PublicKey | str) -> PublicKey:
    return key if isinstance(key, PublicKey) else PublicKey.from_string(key)


def verify(package: str | os.PathLike, key: PublicKey | str) -> PackageInfo:
    """Verifies a package (directory or .zip) against key: VerificationError
    when it differs from its seal, KeyRejected when sealed by another key,
    Unsigned when it has no seal, InvalidInput for unsafe content."""
    pk = _key(key)
    try:
        ptr, err = ctypes.c_void_p(), _lib.Error()
        check(lib.permit_package_verify(pk._handle(), _path(package), None, ctypes.byref(ptr), ctypes.byref(err)),
              err)
        return PackageInfo._take(package, ptr)
    finally:
        if pk is not key:
            pk.close()


def verify_with_seal_key(package: str | os.PathLike) -> PackageInfo:
    """Verifies against the key the seal itself carries: for a first
    install only (trust on first use), which then pins info.public_key."""
    ptr, err = ctypes.c_void_p(), _lib.Error()
    check(lib.permit_package_verify_with_seal_key(_path(package), None, ctypes.byref(ptr), ctypes.byref(err)), err)
    return PackageInfo._take(package, ptr)


def inspect(package: str | os.PathLike) -> PackageInfo:
    """Reads the manifest and the seal's claims WITHOUT verifying them (info.verified is False)."""
    ptr, err = ctypes.c_void_p(), _lib.Error()
    check(lib.permit_package_inspect(_path(package), None, ctypes.byref(ptr), ctypes.byref(err)), err)
    return PackageInfo._take(package, ptr)


def sign(package: str | os.PathLike, key: SecretKey, minisig: bool = True) -> None:
    """Seals a package with key (writes permit.sig; for a zip also NAME.zip.minisig)."""
    err = _lib.Error()
    opts = _lib.SignOptions(None, 0, 0, not minisig)
    check(lib.permit_package_sign(key._handle(), _path(package), ctypes.byref(opts), ctypes.byref(err)), err)


def _strings(items: Sequence[str]) -> ctypes.Array:
    """A NULL-terminated char *[] (the caller keeps the result alive)."""
    arr = (ctypes.c_char_p * (len(items) + 1))()
    for i, s in enumerate(items):
        arr[i] = s.encode() if isinstance(s, str) else os.fsencode(s)
    return arr
