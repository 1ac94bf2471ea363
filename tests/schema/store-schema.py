#!/usr/bin/python3
"""schemas/{grants,pins,audit,policy,export}.schema.json against what permit
writes and reads: files written by `permit grants` are valid under the
schemas, and each mutation below is refused both by the schema
(python3-jsonschema) and by permit, so the two cannot drift apart. Prints TAP.

    store-schema.py PERMIT POLICY_CHECK SOURCE_ROOT
"""

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import jsonschema

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import check, finish  # noqa: E402

permit, policy_check, root = sys.argv[1], sys.argv[2], sys.argv[3]
warnings.simplefilter("ignore", DeprecationWarning)  # RefResolver: newer jsonschema prefers referencing


def load_schema(name):
    return json.load(open(os.path.join(root, "schemas", name)))


schemas = {n: load_schema(f"{n}.schema.json") for n in ("grants", "pins", "audit", "policy", "export")}
store = {s["$id"]: s for s in schemas.values()}
validators = {}
for name, s in schemas.items():
    jsonschema.Draft202012Validator.check_schema(s)
    validators[name] = jsonschema.Draft202012Validator(s, resolver=jsonschema.RefResolver.from_schema(s, store=store))

tmp = tempfile.mkdtemp(prefix="permit-store-schema.")


def run(*args, stdin=None):
    return subprocess.run([permit, *args], capture_output=True, text=True, input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL)


def errors(name, doc):
    return [e.message for e in validators[name].iter_errors(doc)]


def setter(path, value):
    def f(d):
        for k in path[:-1]:
            d = d[k]
        if value is DROP:
            del d[path[-1]]
        else:
            d[path[-1]] = value
    return f


DROP = object()

try:
    r = run("keygen", "-W", "-p", f"{tmp}/k.pub", "-s", f"{tmp}/k.key")
    assert r.returncode == 0, r.stderr
    pkg = f"{tmp}/pkg"
    shutil.copytree(os.path.join(root, "examples", "word-of-the-day"), pkg)
    assert run("sign", "-s", f"{tmp}/k.key", pkg).returncode == 0
    prof = f"{tmp}/profile"
    r = run("grants", "--profile", prof, "approve", "--required-only", "--allow", "sys.notify", pkg)
    assert r.returncode == 0, r.stderr
    assert run("grants", "--profile", prof, "revoke", "org.example.word-of-the-day", "sys.notify").returncode == 0
    d = f"{prof}/permit"
    grants = json.load(open(f"{d}/grants.json"))
    pins = json.load(open(f"{d}/pins.json"))
    check(errors("grants", grants) == [], "grants.json written by permit is valid", errors("grants", grants))
    check(errors("pins", pins) == [], "pins.json written by permit is valid", errors("pins", pins))
    lines = [json.loads(l) for l in open(f"{d}/audit.jsonl")]
    check(len(lines) == 4 and all(errors("audit", l) == [] for l in lines),
          "every audit.jsonl line permit wrote is valid", lines)
    exported = json.loads(run("grants", "--profile", prof, "export").stdout)
    check(errors("export", exported) == [], "permit grants export output is valid", errors("export", exported))

    A = "org.example.word-of-the-day"
    CAP = "sys.notify"
    mutations = {
        "grants.json": ("grants", grants, {
            "version 2": setter(["version"], 2),
            "no grants": setter(["grants"], DROP),
            "unknown top field": setter(["extra"], 1),
            "add-on id with ..": lambda g: g["grants"].__setitem__("../x", g["grants"][A]),
            "digest upper case": setter(["grants", A, "manifest_digest"], "A" * 64),
            "digest short": setter(["grants", A, "manifest_digest"], "00"),
            "decided_at negative": setter(["grants", A, "decided_at"], -1),
            "unknown record field": setter(["grants", A, "extra"], True),
            "no capabilities": setter(["grants", A, "capabilities"], DROP),
            "granted as a string": setter(["grants", A, "capabilities", CAP, "granted"], "yes"),
            "by admin": setter(["grants", A, "capabilities", CAP, "by"], "admin"),
            "no requested": setter(["grants", A, "capabilities", CAP, "requested"], DROP),
            "unknown decision field": setter(["grants", A, "capabilities", CAP, "note"], "x"),
        }),
        "pins.json": ("pins", pins, {
            "version 0": setter(["version"], 0),
            "not a key": setter(["pins", A, "public_key"], "RWnotakey"),
            "key id lower case": setter(["pins", A, "key_id"], pins["pins"][A]["key_id"].lower()),
            "no pinned_at": setter(["pins", A, "pinned_at"], DROP),
            "unknown pin field": setter(["pins", A, "x"], 1),
        }),
    }
    for fname, (schema, good, cases) in mutations.items():
        for what, mutate in cases.items():
            bad = copy.deepcopy(good)
            mutate(bad)
            check(errors(schema, bad) != [], f"schema refuses {fname}: {what}")
            p2 = f"{tmp}/p-{schema}"
            shutil.rmtree(p2, ignore_errors=True)
            shutil.copytree(prof, p2)
            # Without the checksum, which would refuse any change: the check
            # that refuses it must be the content's (tests/tamper has both).
            bad.pop("checksum", None)
            json.dump(bad, open(f"{p2}/permit/{fname}", "w"))
            r = run("grants", "--profile", p2, "list")
            check(r.returncode == 1 and fname in r.stderr, f"permit refuses {fname}: {what} ({r.stderr.strip()})")

    for what, mutate in {"unknown event": setter(["event"], "install"), "no addon": setter(["addon"], DROP),
                         "allowed as 1": setter(["allowed"], 1), "time as text": setter(["time"], "now"),
                         "extra field": setter(["x"], 1)}.items():
        bad = copy.deepcopy(lines[0])
        mutate(bad)
        check(errors("audit", bad) != [], f"schema refuses an audit line: {what}")

    policy = {"version": 1, "deny": ["proc.exec", "net.connect:*", "fs.write:$HOME"],
              "limits": {"memory_mb": 512, "cpu_seconds": 600, "processes": 16, "open_files": 256,
                         "wall_seconds": 3600},
              "require_full_enforcement": True, "landlock_abi_max": 5, "expire_unused_days": 90}
    pf = f"{tmp}/policy.json"
    json.dump(policy, open(pf, "w"))
    r = subprocess.run([policy_check, pf], capture_output=True, text=True)
    check(errors("policy", policy) == [] and r.returncode == 0, "a full policy: valid for both", r.stderr)
    json.dump({"version": 1}, open(pf, "w"))
    r = subprocess.run([policy_check, pf], capture_output=True, text=True)
    check(errors("policy", {"version": 1}) == [] and r.returncode == 0, "an empty policy: valid for both", r.stderr)
    for what, mutate in {"version 2": setter(["version"], 2), "no version": setter(["version"], DROP),
                         "unknown field": setter(["allow"], []), "deny not a list": setter(["deny"], "proc.exec"),
                         "deny entry a number": setter(["deny", 0], 7), "empty deny entry": setter(["deny", 0], ""),
                         "limit 0": setter(["limits", "memory_mb"], 0),
                         "limit as text": setter(["limits", "processes"], "4"),
                         "unknown limit": setter(["limits", "threads"], 4),
                         "require_full_enforcement as text": setter(["require_full_enforcement"], "yes"),
                         "landlock_abi_max 0": setter(["landlock_abi_max"], 0),
                         "landlock_abi_max 8": setter(["landlock_abi_max"], 8),
                         "landlock_abi_max as text": setter(["landlock_abi_max"], "5"),
                         "expire_unused_days 0": setter(["expire_unused_days"], 0),
                         "expire_unused_days past 100 years": setter(["expire_unused_days"], 36501),
                         "expire_unused_days as text": setter(["expire_unused_days"], "90")}.items():
        bad = copy.deepcopy(policy)
        mutate(bad)
        json.dump(bad, open(pf, "w"))
        r = subprocess.run([policy_check, pf], capture_output=True, text=True)
        check(errors("policy", bad) != [], f"schema refuses a policy: {what}")
        check(r.returncode == 1 and pf in r.stderr, f"permit refuses a policy: {what} ({r.stderr.strip()})")
finally:
    shutil.rmtree(tmp)

finish()
