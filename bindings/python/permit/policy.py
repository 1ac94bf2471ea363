# SPDX-License-Identifier: MIT
"""The host's (or an administrator's) policy: capabilities denied, limit
caps, require_full_enforcement, landlock_abi_max (permit/policy.h)."""

from __future__ import annotations

import ctypes
import os

from . import _lib
from ._handle import Handle
from .errors import check

lib = _lib.lib

__all__ = ["Policy"]


class Policy(Handle):
    """A parsed host policy."""

    def __init__(self, ptr: ctypes.c_void_p):
        super().__init__(ptr, lib.permit_policy_free)

    @classmethod
    def parse(cls, text: str | bytes, source: str | None = None) -> "Policy":
        data = text.encode() if isinstance(text, str) else bytes(text)
        ptr, err = ctypes.c_void_p(), _lib.Error()
        check(lib.permit_policy_parse(data, len(data), None if source is None else source.encode(),
                                      ctypes.byref(ptr), ctypes.byref(err)), err)
        return cls(ptr)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Policy":
        ptr, err = ctypes.c_void_p(), _lib.Error()
        check(lib.permit_policy_load(os.fsencode(path), ctypes.byref(ptr), ctypes.byref(err)), err)
        return cls(ptr)

    def denies(self, capability: str) -> bool:
        from .package import check_capability
        check_capability(capability)
        return bool(lib.permit_policy_denies(self._handle(), capability.encode()))

    @property
    def require_full(self) -> bool:
        return bool(lib.permit_policy_require_full(self._handle()))

    @property
    def landlock_abi_max(self) -> int:
        return lib.permit_policy_landlock_abi_max(self._handle())

    @property
    def limits(self):
        from .package import Limits
        return Limits._from_c(lib.permit_policy_limits(self._handle()).contents)
