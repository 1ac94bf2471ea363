# SPDX-License-Identifier: MIT
"""The base of every class that owns a libpermit handle."""

from __future__ import annotations

import ctypes
from typing import Callable


class Handle:
    """Owns one C handle, freed by close(), by leaving a ``with`` block, or,
    as a fallback, when the object is collected."""

    _free: Callable[[ctypes.c_void_p], None]
    _ptr: ctypes.c_void_p | None = None

    def __init__(self, ptr: ctypes.c_void_p, free: Callable[[ctypes.c_void_p], None]):
        if not ptr.value:
            raise ValueError("permit: NULL handle")
        self._ptr = ptr
        self._free = free

    @property
    def closed(self) -> bool:
        return self._ptr is None

    def _handle(self) -> ctypes.c_void_p:
        if self._ptr is None:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._ptr

    def close(self) -> None:
        """Frees the C handle. Closing twice does nothing."""
        ptr, self._ptr = self._ptr, None
        if ptr is not None:
            self._free(ptr)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finaliser (interpreter shutdown)
            pass
