# SPDX-License-Identifier: MIT
"""libpermit through ctypes: finding the library, the C types, the prototypes.

Nothing here is public: the modules beside it wrap these calls in classes.
The structs mirror include/permit/*.h field for field; a change there must
be made here too (the binding's tests read every field back).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from ctypes import (POINTER, Structure, c_bool, c_char, c_char_p, c_int, c_int64, c_size_t, c_uint, c_uint8,
                    c_uint32, c_uint64, c_void_p)

__all__ = ["lib", "libc", "library_path", "Error", "take_string"]

ERROR_SOURCE_LENGTH = 256
ERROR_PATH_LENGTH = 160
ERROR_TEXT_LENGTH = 256
PUBKEY_STRING_SIZE = 57
KEY_ID_STRING_SIZE = 17
DIGEST_SIZE = 32


class Error(Structure):
    """permit_error (permit/error.h)."""
    _fields_ = [
        ("line", c_int),
        ("column", c_int),
        ("source", c_char * ERROR_SOURCE_LENGTH),
        ("path", c_char * ERROR_PATH_LENGTH),
        ("text", c_char * ERROR_TEXT_LENGTH),
    ]


class Capability(Structure):
    """permit_capability (permit/capability.h)."""
    _fields_ = [("id", c_char_p), ("kind", c_char_p), ("argument", c_char_p), ("required", c_bool),
                ("reason", c_char_p)]


class Warning_(Structure):
    """permit_warning."""
    _fields_ = [("risk", c_int), ("text", c_char_p), ("capability", c_char_p), ("reason", c_char_p),
                ("required", c_bool), ("n_absorbed", c_size_t), ("absorbed", POINTER(c_char_p))]


class DiffEntry(Structure):
    """permit_diff_entry (permit/manifest.h)."""
    _fields_ = [("change", c_int), ("new_cap", POINTER(Capability)), ("old_cap", POINTER(Capability))]


class Limits(Structure):
    """permit_limits (permit/manifest.h)."""
    _fields_ = [("memory_mb", c_uint64), ("cpu_seconds", c_uint64), ("processes", c_uint64),
                ("open_files", c_uint64), ("wall_seconds", c_uint64)]


class PackageLimits(Structure):
    """permit_package_limits (permit/package.h)."""
    _fields_ = [("max_files", c_uint64), ("max_total_size", c_uint64), ("max_ratio", c_uint64),
                ("max_path", c_uint32), ("max_depth", c_uint32)]


class SignOptions(Structure):
    """permit_sign_options."""
    _fields_ = [("limits", POINTER(PackageLimits)), ("signed_at", c_int64), ("threads", c_uint),
                ("no_minisig", c_bool)]


class CapDecision(Structure):
    """permit_cap_decision (permit/store.h)."""
    _fields_ = [("capability", c_char_p), ("granted", c_bool), ("required", c_bool), ("requested", c_bool),
                ("decided_at", c_int64), ("by", c_int)]


class GrantEntry(Structure):
    """permit_grant_entry."""
    _fields_ = [("capability", c_char_p), ("required", c_bool), ("state", c_int)]


class AuditEvent(Structure):
    """permit_audit_event."""
    _fields_ = [("kind", c_int), ("time", c_int64), ("addon", c_char_p), ("capability", c_char_p),
                ("target", c_char_p), ("allowed", c_bool)]


class SandboxLimits(Structure):
    """permit_sandbox_limits (permit/enforcer.h)."""
    _fields_ = [("memory_mb", c_uint64), ("cpu_seconds", c_uint64), ("processes", c_uint64),
                ("open_files", c_uint64), ("file_size_mb", c_uint64), ("wall_seconds", c_uint64)]


class SandboxOptions(Structure):
    """permit_sandbox_options."""
    _fields_ = [("limits", SandboxLimits), ("landlock_abi_max", c_uint), ("no_landlock", c_bool),
                ("require_full", c_bool), ("net", c_int)]


class Paths(Structure):
    """permit_paths."""
    _fields_ = [("addon", c_char_p), ("data", c_char_p), ("tmp", c_char_p), ("profile", c_char_p),
                ("home", c_char_p), ("entry", c_char_p)]


class AddonRun(Structure):
    """permit_addon_run (permit/addon.h)."""
    _fields_ = [("addon_dir", c_void_p), ("data_dir", c_void_p), ("manifest", c_void_p), ("effective", c_void_p),
                ("options", SandboxOptions)]


class IndexEntry(Structure):
    """permit_index_entry (permit/registry.h)."""
    _fields_ = [("id", c_char_p), ("version", c_char_p), ("size", c_uint64), ("digest", c_char_p),
                ("seal_digest", c_char_p), ("key", c_char_p), ("key_id", c_char_p), ("path", c_char_p),
                ("added", c_int64), ("countersignature", c_char_p)]


class RevocationStatus(Structure):
    """permit_revocation_status (permit/registry.h)."""
    _fields_ = [("n_indexes", ctypes.c_uint), ("n_expired", ctypes.c_uint), ("expires", c_int64)]


def _candidates() -> list[str]:
    """Where libpermit may be, in the order tried."""
    found = []
    if os.environ.get("PERMIT_LIBRARY"):
        return [os.environ["PERMIT_LIBRARY"]]
    # `meson test` and a developer's checkout: the build tree.
    build = os.environ.get("PERMIT_BUILD_ROOT")
    if build:
        found.append(os.path.join(build, "libpermit.so"))
    # A source checkout built in build/ (meson setup build): bindings/python/permit/../../../build.
    here = os.path.dirname(os.path.abspath(__file__))
    checkout = os.path.join(here, "..", "..", "..", "build", "libpermit.so")
    if os.path.exists(checkout):
        found.append(os.path.normpath(checkout))
    name = ctypes.util.find_library("permit")
    if name:
        found.append(name)
    found.append("libpermit.so.0")
    return found


def _load() -> tuple[ctypes.CDLL, str]:
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path, use_errno=True), path
        except OSError as e:
            tried.append(f"{path}: {e}")
    raise ImportError("permit: cannot load libpermit (set PERMIT_LIBRARY to its path): " + "; ".join(tried))


lib, library_path = _load()
libc = ctypes.CDLL(None, use_errno=True)
libc.free.argtypes = [c_void_p]
libc.free.restype = None

E = POINTER(Error)
V = c_void_p
S = c_char_p
PV = POINTER(c_void_p)

# name: (restype, argtypes)
_PROTOTYPES = {
    "permit_error_string": (S, [E, ctypes.c_char_p, c_size_t]),
    # capability.h
    "permit_risk_name": (S, [c_int]),
    "permit_capability_check": (c_int, [S, E]),
    "permit_capability_absorbs": (c_bool, [S, S]),
    "permit_capability_warning": (c_int, [S, ctypes.c_char_p, c_size_t]),
    "permit_warnings_new": (c_int, [POINTER(Capability), c_size_t, PV]),
    "permit_warnings_free": (None, [V]),
    "permit_warnings_count": (c_size_t, [V]),
    "permit_warnings_get": (POINTER(Warning_), [V, c_size_t]),
    "permit_warnings_max_risk": (c_int, [V]),
    # manifest.h
    "permit_manifest_parse": (c_int, [S, c_size_t, S, PV, E]),
    "permit_manifest_load": (c_int, [S, PV, E]),
    "permit_manifest_free": (None, [V]),
    "permit_manifest_id": (S, [V]),
    "permit_manifest_name": (S, [V]),
    "permit_manifest_version": (S, [V]),
    "permit_manifest_publisher": (S, [V]),
    "permit_manifest_entry": (S, [V]),
    "permit_manifest_limits": (POINTER(Limits), [V]),
    "permit_manifest_n_capabilities": (c_size_t, [V]),
    "permit_manifest_capabilities": (POINTER(Capability), [V]),
    "permit_manifest_canonical": (c_int, [V, PV, POINTER(c_size_t)]),
    "permit_manifest_digest": (c_int, [V, POINTER(c_uint8)]),
    "permit_manifest_diff": (c_int, [V, V, PV]),
    "permit_diff_free": (None, [V]),
    "permit_diff_count": (c_size_t, [V]),
    "permit_diff_get": (POINTER(DiffEntry), [V, c_size_t]),
    "permit_diff_asks_more": (c_bool, [V]),
    "permit_change_name": (S, [c_int]),
    # keys.h
    "permit_pubkey_from_string": (c_int, [S, PV, E]),
    "permit_pubkey_load": (c_int, [S, PV, E]),
    "permit_pubkey_free": (None, [V]),
    "permit_pubkey_string": (None, [V, ctypes.c_char_p]),
    "permit_pubkey_id_string": (None, [V, ctypes.c_char_p]),
    "permit_seckey_load": (c_int, [S, S, c_size_t, PV, E]),
    "permit_seckey_free": (None, [V]),
    "permit_seckey_pubkey": (c_int, [V, PV]),
    "permit_keypair_generate": (c_int, [PV, PV]),
    "permit_pubkey_save": (c_int, [V, S, c_int]),
    "permit_seckey_save": (c_int, [V, S, S, c_size_t, c_int]),
    # package.h
    "permit_package_limits_default": (None, [POINTER(PackageLimits)]),
    "permit_package_sign": (c_int, [V, S, POINTER(SignOptions), E]),
    "permit_package_info_free": (None, [V]),
    "permit_package_info_manifest": (V, [V]),
    "permit_package_info_key_id": (S, [V]),
    "permit_package_info_public_key": (S, [V]),
    "permit_package_info_signed_at": (c_int64, [V]),
    "permit_package_info_files": (c_uint64, [V]),
    "permit_package_info_total_size": (c_uint64, [V]),
    "permit_package_info_hash": (S, [V]),
    "permit_package_info_seal_digest": (S, [V]),
    "permit_package_info_verified": (c_bool, [V]),
    "permit_package_verify": (c_int, [V, S, POINTER(PackageLimits), PV, E]),
    "permit_package_verify_with_seal_key": (c_int, [S, POINTER(PackageLimits), PV, E]),
    "permit_package_inspect": (c_int, [S, POINTER(PackageLimits), PV, E]),
    # trust.h
    "permit_trust_verify_package": (c_int, [S, S, V, POINTER(PackageLimits), PV, PV, E]),
    # policy.h
    "permit_policy_parse": (c_int, [S, c_size_t, S, PV, E]),
    "permit_policy_load": (c_int, [S, PV, E]),
    "permit_policy_free": (None, [V]),
    "permit_policy_denies": (c_bool, [V, S]),
    "permit_policy_limits": (POINTER(Limits), [V]),
    "permit_policy_require_full": (c_bool, [V]),
    "permit_policy_landlock_abi_max": (c_uint, [V]),
    # store.h
    "permit_store_default_profile": (c_int, [PV]),
    "permit_store_open": (c_int, [S, c_uint, PV, E]),
    "permit_store_reload": (c_int, [V, E]),
    "permit_store_free": (None, [V]),
    "permit_store_profile": (S, [V]),
    "permit_store_dir": (S, [V]),
    "permit_decided_by_name": (S, [c_int]),
    "permit_store_n_records": (c_size_t, [V]),
    "permit_store_record": (V, [V, c_size_t]),
    "permit_store_find": (V, [V, S]),
    "permit_record_id": (S, [V]),
    "permit_record_version": (S, [V]),
    "permit_record_name": (S, [V]),
    "permit_record_publisher": (S, [V]),
    "permit_record_manifest_digest": (S, [V]),
    "permit_record_decided_at": (c_int64, [V]),
    "permit_record_n_decisions": (c_size_t, [V]),
    "permit_record_decision": (POINTER(CapDecision), [V, c_size_t]),
    "permit_store_decided_manifest": (c_int, [V, S, PV, E]),
    "permit_decision_new": (c_int, [V, V, PV]),
    "permit_decision_free": (None, [V]),
    "permit_decision_set": (c_int, [V, S, c_bool]),
    "permit_decision_set_required": (None, [V, c_bool]),
    "permit_decision_set_by": (None, [V, c_int]),
    "permit_decision_set_time": (None, [V, c_int64]),
    "permit_decision_count": (c_size_t, [V]),
    "permit_decision_capability": (S, [V, c_size_t]),
    "permit_decision_granted": (c_bool, [V, c_size_t]),
    "permit_decision_required": (c_bool, [V, c_size_t]),
    "permit_decision_is_new": (c_bool, [V, c_size_t]),
    "permit_decision_required_accepted": (c_bool, [V]),
    "permit_store_record_decision": (c_int, [V, V, E]),
    "permit_store_revoke": (c_int, [V, S, S, E]),
    "permit_store_reset": (c_int, [V, S, c_uint, E]),
    "permit_store_export": (c_int, [V, PV, POINTER(c_size_t)]),
    "permit_store_import": (c_int, [V, S, c_size_t, S, E]),
    "permit_store_pin_get": (c_int, [V, S, POINTER(c_char_p), POINTER(c_char_p)]),
    "permit_store_pin_set": (c_int, [V, S, S, E]),
    "permit_store_audit_append": (c_int, [V, POINTER(AuditEvent)]),
    "permit_store_usage": (c_int, [V, S, PV]),
    "permit_usage_free": (None, [V]),
    "permit_usage_last_used": (c_int64, [V, S]),
    "permit_grant_state_name": (S, [c_int]),
    "permit_effective_grant": (c_int, [V, V, V, PV]),
    "permit_effective_free": (None, [V]),
    "permit_effective_n_entries": (c_size_t, [V]),
    "permit_effective_entry": (POINTER(GrantEntry), [V, c_size_t]),
    "permit_effective_n_granted": (c_size_t, [V]),
    "permit_effective_granted": (S, [V, c_size_t]),
    "permit_effective_limits": (POINTER(Limits), [V]),
    "permit_effective_runnable": (c_bool, [V]),
    "permit_effective_up_to_date": (c_bool, [V]),
    "permit_effective_n_undecided": (c_size_t, [V]),
    # enforcer.h, addon.h
    "permit_ruleset_new": (c_int, [POINTER(c_char_p), c_size_t, POINTER(Paths), POINTER(SandboxOptions), PV, E]),
    "permit_ruleset_free": (None, [V]),
    "permit_ruleset_entry": (S, [V]),
    "permit_ruleset_landlock_abi": (c_uint, [V]),
    "permit_landlock_abi": (c_uint, []),
    "permit_ruleset_fully_enforced": (c_bool, [V]),
    "permit_ruleset_report": (c_int, [V, c_bool, PV]),
    "permit_doctor_report": (c_int, [c_bool, PV]),
    "permit_restrict_self": (c_int, [V]),
    "permit_spawn": (c_int, [V, POINTER(c_char_p), POINTER(c_char_p), c_int, PV]),
    "permit_child_pid": (c_int, [V]),
    "permit_child_socket": (c_int, [V]),
    "permit_child_pidfd": (c_int, [V]),
    "permit_child_wait": (c_int, [V, c_int, POINTER(c_int), POINTER(c_bool)]),
    "permit_child_free": (None, [V]),
    "permit_sandbox_options_from_policy": (None, [V, POINTER(SandboxOptions)]),
    "permit_addon_run_clear": (None, [POINTER(AddonRun)]),
    "permit_ruleset_for_addon": (c_int, [V, S, V, POINTER(SandboxOptions), POINTER(Paths), PV, POINTER(AddonRun),
                                         E]),
    # registry.h (the client's side: a verified index and its revocations)
    "permit_index_verify": (c_int, [ctypes.c_char_p, c_size_t, ctypes.c_char_p, c_size_t, V, c_uint64, c_int64,
                                    PV, E]),
    "permit_index_free": (None, [V]),
    "permit_index_registry": (S, [V]),
    "permit_index_version": (c_uint64, [V]),
    "permit_index_expires": (c_int64, [V]),
    "permit_index_key_revoked": (c_bool, [V, S, POINTER(c_char_p)]),
    "permit_index_digest_revoked": (c_bool, [V, S, POINTER(c_char_p)]),
    "permit_revocation_check": (c_int, [S, S, S, c_int64, POINTER(RevocationStatus), E]),
}

for _name, (_restype, _argtypes) in _PROTOTYPES.items():
    _fn = getattr(lib, _name)
    _fn.restype = _restype
    _fn.argtypes = _argtypes


def take_string(ptr: c_void_p, length: int | None = None) -> str:
    """Copies a string the library allocated for the caller, and frees it."""
    if not ptr.value:
        return ""
    try:
        if length is None:
            return ctypes.string_at(ptr.value).decode()
        return ctypes.string_at(ptr.value, length).decode()
    finally:
        libc.free(ptr)
