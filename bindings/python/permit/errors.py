# SPDX-License-Identifier: MIT
"""The exceptions: every failure of libpermit becomes one of these.

Each is an OSError (libpermit returns -errno), so ``e.errno`` is the
library's error number and ``str(e)`` its one-line message
("addon/permit.json: capabilities[2].id: unknown kind 'made.up'"). The
fields of the library's permit_error are kept as ``source``, ``path``,
``line`` and ``column``.
"""

from __future__ import annotations

import ctypes
import errno as _errno
import os

from . import _lib

__all__ = [
    "PermitError", "VerificationError", "KeyRejected", "Unsigned", "Revoked", "PermissionDenied",
    "InvalidInput", "NotFound", "NotSupported", "TooLarge", "Stale", "Expired",
]


class PermitError(OSError):
    """A libpermit call failed. ``errno`` is the library's error number."""

    def __init__(self, code: int, message: str, *, source: str = "", path: str = "", line: int = 0,
                 column: int = 0, text: str = ""):
        super().__init__(code, message)
        self.message = message
        self.source = source
        self.path = path
        self.line = line
        self.column = column
        self.text = text or message

    def __str__(self) -> str:
        return self.message


class VerificationError(PermitError):
    """The package does not match its seal, or the seal's signature is not valid (EBADMSG)."""


class KeyRejected(VerificationError):
    """Sealed or signed by another key than the one trusted, or no key to check with (EKEYREJECTED, ENOKEY)."""


class Unsigned(VerificationError):
    """The package carries no seal (ENOMSG)."""


class Revoked(VerificationError):
    """The key or the package is revoked (EKEYREVOKED)."""


class PermissionDenied(PermitError, PermissionError):
    """Not allowed: a capability not granted, an add-on that may not run (EPERM, EACCES)."""


class InvalidInput(PermitError, ValueError):
    """Malformed input: a manifest, capability, key, policy (EINVAL, EPROTONOSUPPORT)."""


class NotFound(PermitError, FileNotFoundError):
    """A file, record, pin or add-on that is not there (ENOENT)."""


class NotSupported(PermitError):
    """The kernel cannot enforce what the policy requires (ENOTSUP)."""


class TooLarge(PermitError):
    """Over a size limit (EFBIG)."""


class Stale(VerificationError):
    """A registry index older than one already seen (ESTALE: rollback)."""


class Expired(VerificationError):
    """A registry index past its expiry (ETIME: freeze)."""


_CLASSES = {
    _errno.EBADMSG: VerificationError,
    _errno.EKEYREJECTED: KeyRejected,
    _errno.ENOKEY: KeyRejected,
    _errno.ENOMSG: Unsigned,
    _errno.EKEYREVOKED: Revoked,
    _errno.EPERM: PermissionDenied,
    _errno.EACCES: PermissionDenied,
    _errno.EINVAL: InvalidInput,
    _errno.EPROTONOSUPPORT: InvalidInput,
    _errno.ENOENT: NotFound,
    _errno.ENOTSUP: NotSupported,
    _errno.EFBIG: TooLarge,
    _errno.ESTALE: Stale,
    _errno.ETIME: Expired,
}


def error_from(code: int, error: _lib.Error | None = None, context: str = "") -> PermitError:
    """The exception for a negative errno returned by libpermit, with the
    message the library wrote into error (when it did)."""
    code = -code if code < 0 else code
    fields = {}
    if error is not None and error.text:
        buf = ctypes.create_string_buffer(1024)
        message = _lib.lib.permit_error_string(ctypes.byref(error), buf, len(buf)).decode(errors="replace")
        fields = dict(source=error.source.decode(errors="replace"), path=error.path.decode(errors="replace"),
                      line=error.line, column=error.column, text=error.text.decode(errors="replace"))
    else:
        message = os.strerror(code)
        if context:
            message = f"{context}: {message}"
    return _CLASSES.get(code, PermitError)(code, message, **fields)


def check(result: int, error: _lib.Error | None = None, context: str = "") -> int:
    """Returns result when it is not negative, else raises its exception."""
    if result < 0:
        raise error_from(result, error, context)
    return result
