# SPDX-License-Identifier: MIT
"""A registry's signed index, as a client checks it: signature, rollback,
expiry, and the revoked keys and packages a host refuses to load."""

from __future__ import annotations

import ctypes
import os
import time

from . import _lib
from ._handle import Handle
from .errors import check
from .package import PublicKey

lib = _lib.lib

__all__ = ["RegistryIndex", "KeptIndexes", "check_revocation"]


class KeptIndexes:
    """What permit_revocation_check() looked at: the registry indexes kept
    in the profile (PROFILE/permit/registries/), how many have expired
    (revocations published since are not known: run `permit update`), and
    the earliest expiry (0: none kept)."""

    def __init__(self, status: _lib.RevocationStatus):
        self.n_indexes = status.n_indexes
        self.n_expired = status.n_expired
        self.expires = status.expires

    def __repr__(self) -> str:
        return f"KeptIndexes(n_indexes={self.n_indexes}, n_expired={self.n_expired}, expires={self.expires})"


def check_revocation(profile: str | os.PathLike | None, key_id: str, seal_digest: str, *,
                     now: int | None = None) -> KeptIndexes:
    """Checks a verified package (its PackageInfo's key_id and seal_digest)
    against the indexes the registry client kept in the profile: Revoked
    (the message names the registry and gives its reason) when its key or
    the package is revoked; KeyRejected, VerificationError, Stale when a
    kept index does not verify. An expired index is not an error: see
    KeptIndexes.n_expired."""
    status, err = _lib.RevocationStatus(), _lib.Error()
    check(lib.permit_revocation_check(os.fsencode(profile) if profile is not None else None, key_id.encode(),
                                      seal_digest.encode(), now or 0, ctypes.byref(status), ctypes.byref(err)), err)
    return KeptIndexes(status)


class RegistryIndex(Handle):
    """A verified registry index (permit_index)."""

    def __init__(self, ptr: ctypes.c_void_p):
        super().__init__(ptr, lib.permit_index_free)

    @classmethod
    def verify(cls, data: bytes, signature: bytes, key: PublicKey, *, last_version: int = 0,
               now: int | None = None) -> "RegistryIndex":
        """Checks index.json's bytes against index.json.sig and the
        registry's key: KeyRejected (another key), VerificationError (bad
        signature), InvalidInput, Stale (older than last_version), Expired."""
        ptr, err = ctypes.c_void_p(), _lib.Error()
        check(lib.permit_index_verify(data, len(data), signature, len(signature), key._handle(), last_version,
                                      int(time.time()) if now is None else now, ctypes.byref(ptr),
                                      ctypes.byref(err)), err)
        return cls(ptr)

    @classmethod
    def load(cls, directory: str | os.PathLike, key: PublicKey, **kw) -> "RegistryIndex":
        """Reads DIR/index.json and DIR/index.json.sig and verifies them."""
        with open(os.path.join(directory, "index.json"), "rb") as f:
            data = f.read(64 * 1024 * 1024 + 1)
        with open(os.path.join(directory, "index.json.sig"), "rb") as f:
            sig = f.read(16 * 1024 + 1)
        return cls.verify(data, sig, key, **kw)

    @property
    def registry(self) -> str:
        return lib.permit_index_registry(self._handle()).decode()

    @property
    def version(self) -> int:
        return lib.permit_index_version(self._handle())

    @property
    def expires(self) -> int:
        return lib.permit_index_expires(self._handle())

    def key_revoked(self, key_id: str) -> str | None:
        """The reason when key_id is revoked, else None."""
        reason = ctypes.c_char_p()
        if lib.permit_index_key_revoked(self._handle(), key_id.encode(), ctypes.byref(reason)):
            return (reason.value or b"").decode() or "revoked"
        return None

    def package_revoked(self, seal_digest: str) -> str | None:
        """The reason when the package with this seal digest is revoked, else None."""
        reason = ctypes.c_char_p()
        if lib.permit_index_digest_revoked(self._handle(), seal_digest.encode(), ctypes.byref(reason)):
            return (reason.value or b"").decode() or "revoked"
        return None
