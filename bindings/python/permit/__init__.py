# SPDX-License-Identifier: MIT
"""permit: sandboxed, signed add-ons for Python hosts (ctypes over libpermit).

    import permit
    with permit.Store("~/.local/share/myapp/profile") as store:
        info = store.verify_pinned("profile/addons/org.example.hello", "org.example.hello")
        for w in info.manifest.warnings:
            print(w.risk, w.text)
        with permit.Ruleset.for_addon(store, "org.example.hello", entry="/usr/bin/python3") as sb:
            child = sb.spawn(["python3", sb.addon_dir + "/" + sb.manifest.entry])
            child.socket.sendall(b'{"jsonrpc":"2.0","method":"initialize","id":1}\\n')
            ...
            child.close()

The library is found through $PERMIT_LIBRARY, $PERMIT_BUILD_ROOT/libpermit.so,
then the system's libpermit.so.0. Every failure raises a PermitError
subclass carrying the library's message and errno.
"""

from ._lib import library_path
from .errors import (Expired, InvalidInput, KeyRejected, NotFound, NotSupported, PermissionDenied, PermitError,
                     Revoked, Stale, TooLarge, Unsigned, VerificationError)
from .package import (Capability, Change, Limits, Manifest, PackageInfo, PublicKey, Risk, SecretKey, Warning,
                      capability_absorbs, capability_warning, check_capability, inspect, sign, verify,
                      verify_with_seal_key, warnings_for)
from .policy import Policy
from .registry import KeptIndexes, RegistryIndex, check_revocation
from .sandbox import (NET_BROKER, NET_DIRECT, NET_PROXY, SOCKET_FD, AddonSandbox, Child, ChildExit, Ruleset, SandboxOptions, doctor_report,
                      landlock_abi, restrict_self)
from .store import CapDecision, EffectiveGrant, GrantEntry, GrantState, Record, Store, default_profile

__all__ = [
    "library_path",
    "PermitError", "VerificationError", "KeyRejected", "Unsigned", "Revoked", "PermissionDenied", "InvalidInput",
    "NotFound", "NotSupported", "TooLarge", "Stale", "Expired",
    "Risk", "Capability", "Change", "Warning", "Limits", "Manifest", "PublicKey", "SecretKey", "PackageInfo",
    "check_capability", "capability_absorbs", "capability_warning", "warnings_for", "verify",
    "verify_with_seal_key", "inspect", "sign",
    "Policy", "RegistryIndex", "KeptIndexes", "check_revocation",
    "SOCKET_FD", "SandboxOptions", "Ruleset", "AddonSandbox", "Child", "ChildExit", "restrict_self",
    "doctor_report", "landlock_abi",
    "Store", "Record", "CapDecision", "GrantState", "GrantEntry", "EffectiveGrant", "default_profile",
]
