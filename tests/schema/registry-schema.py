#!/usr/bin/python3
"""schemas/index.schema.json, rotation.schema.json and
registry-policy.schema.json against real files made by the permit command:
an index published by `permit registry`, the rotation statements written by
`permit key rotate`, a policy that `permit registry check-upload` accepts.
Each is valid under its schema (python3-jsonschema, an independent
validator), and each mutation below is refused by the schema and by permit
(an index re-signed with minisign after the change, so the parser, not the
signature, is what refuses it). Prints TAP."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema

permit, root = sys.argv[1], sys.argv[2]
minisign = os.environ.get("PERMIT_MINISIGN") or shutil.which("minisign")


def validator(name):
    schema = json.load(open(os.path.join(root, "schemas", name)))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


index_v, rotation_v, policy_v = (validator(n) for n in
                                 ("index.schema.json", "rotation.schema.json", "registry-policy.schema.json"))
tmp = tempfile.mkdtemp()
n = 0
failed = 0


def check(ok, what):
    global n, failed
    n += 1
    print(("ok" if ok else "not ok") + f" {n} - {what}")
    failed += not ok


def run(*args, **kw):
    return subprocess.run([permit, *args], capture_output=True, text=True, **kw)


def setter(path, value):
    def f(s):
        obj = s
        for k in path[:-1]:
            obj = obj[k]
        if value is DROP:
            del obj[path[-1]]
        else:
            obj[path[-1]] = value
    return f


DROP = object()

try:
    for k in ("reg", "dev", "dev2"):
        subprocess.run([permit, "keygen", "-W", "-p", f"{tmp}/{k}.pub", "-s", f"{tmp}/{k}.key"], check=True,
                       stdout=subprocess.DEVNULL)
    addon = f"{tmp}/addon"
    shutil.copytree(os.path.join(root, "examples", "word-of-the-day"), addon)
    addon_id = json.load(open(f"{addon}/permit.json"))["id"]
    subprocess.run(["zip", "-qr", f"{tmp}/a1.zip", "."], cwd=addon, check=True)
    subprocess.run([permit, "sign", "-s", f"{tmp}/dev.key", f"{tmp}/a1.zip"], check=True, stdout=subprocess.DEVNULL)
    r = run("key", "rotate", "-s", f"{tmp}/dev.key", "-p", f"{tmp}/dev2.pub", "--addon", addon_id,
            "-o", f"{addon}/permit.rotation")
    check(r.returncode == 0, f"permit key rotate writes a statement ({r.stderr.strip()})")
    m = json.load(open(f"{addon}/permit.json"))
    m["version"] = "1.3.0"
    json.dump(m, open(f"{addon}/permit.json", "w"))
    subprocess.run(["zip", "-qr", f"{tmp}/a2.zip", "."], cwd=addon, check=True)
    subprocess.run([permit, "sign", "-s", f"{tmp}/dev2.key", f"{tmp}/a2.zip"], check=True, stdout=subprocess.DEVNULL)

    reg = f"{tmp}/reg"
    for args in (["init", reg, "-s", f"{tmp}/reg.key", "--name", "example"],
                 ["add", reg, "-s", f"{tmp}/reg.key", "-p", f"{tmp}/dev.pub", f"{tmp}/a1.zip"],
                 ["add", reg, "-s", f"{tmp}/reg.key", f"{tmp}/a2.zip"],
                 ["revoke", reg, "--package", "0" * 64, "--reason", "test"],
                 ["revoke", reg, "--key", "0123456789ABCDEF", "--reason", "lost key"],
                 ["publish", reg, "-s", f"{tmp}/reg.key"]):
        r = run("registry", *args)
        check(r.returncode == 0, f"permit registry {args[0]} ({r.stderr.strip()})")

    good = json.load(open(f"{reg}/index.json"))
    check(index_v.is_valid(good), "an index published by permit registry is valid under the schema")
    check(index_v.is_valid(json.load(open(f"{reg}/pending.json"))), "pending.json is valid under the schema")
    rot = json.load(open(f"{addon}/permit.rotation"))
    check(rotation_v.is_valid(rot), "a rotation file written by permit key rotate is valid under the schema")
    r = run("registry", "check-index", reg, "-p", f"{tmp}/reg.pub")
    check(r.returncode == 0, f"permit registry check-index accepts it ({r.stderr.strip()})")

    entry = ["packages", addon_id, 0]
    mutations = {
        "missing revoked": setter(["revoked"], DROP),
        "unknown field": setter(["extra"], 1),
        "format 2": setter(["format"], 2),
        "registry name with a space": setter(["registry"], "my registry"),
        "version 0": setter(["version"], 0),
        "version as string": setter(["version"], "3"),
        "packages as a list": setter(["packages"], []),
        "an add-on id with a slash": lambda s: s["packages"].update({"a/b": s["packages"][addon_id]}),
        "no versions": setter(["packages", addon_id], []),
        "entry without countersignature": setter(entry + ["countersignature"], DROP),
        "entry with an unknown field": setter(entry + ["mode"], 420),
        "negative size": setter(entry + ["size"], -1),
        "upper-case digest": setter(entry + ["digest"], "A" * 64),
        "short seal digest": setter(entry + ["seal_digest"], "00"),
        "lower-case key id": setter(entry + ["key_id"], "abcdef0123456789"),
        "key not RW": setter(entry + ["key"], "XX" + "A" * 54),
        "path with ..": setter(entry + ["path"], "packages/../../etc/passwd.zip"),
        "version not semver": setter(entry + ["version"], "1.2"),
        "countersignature not base64": setter(entry + ["countersignature"], "!" * 88),
        "revoked key id short": setter(["revoked", "keys", 0, "key_id"], "ABCD"),
        "reason with a line break": setter(["revoked", "keys", 0, "reason"], "a\nb"),
        "empty reason": setter(["revoked", "packages", 0, "reason"], ""),
    }
    if not minisign:
        check(False, "minisign is needed to re-sign changed indexes (CI installs it)")
    for name, mutate in mutations.items():
        bad = json.loads(json.dumps(good))
        mutate(bad)
        check(not index_v.is_valid(bad), f"index schema refuses: {name}")
        if not minisign:
            continue
        d = f"{tmp}/bad"
        shutil.rmtree(d, ignore_errors=True)
        os.mkdir(d)
        with open(f"{d}/index.json", "w") as f:
            json.dump(bad, f)
        subprocess.run([minisign, "-S", "-s", f"{tmp}/reg.key", "-m", f"{d}/index.json", "-x", f"{d}/index.json.sig"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, input=b"")
        r = run("registry", "check-index", d, "-p", f"{tmp}/reg.pub", "--json")
        report = json.loads(r.stdout) if r.stdout.strip() else {}
        check(r.returncode == 1 and report.get("code") == "malformed",
              f"permit refuses: {name} (exit {r.returncode}: {r.stderr.strip()})")

    # Rotation files: the schema and `permit key rotate` (which reads the
    # chain it extends) agree.
    st = ["statements", 0]
    rot_mutations = {
        "no statements": setter(["statements"], []),
        "format 2": setter(["format"], 2),
        "old key id lower-case": setter(st + ["old_key_id"], "abcdef0123456789"),
        "new key not a key": setter(st + ["new_key"], "RWnope"),
        "addons neither all nor a list": setter(st + ["addons"], "some"),
        "addons empty": setter(st + ["addons"], []),
        "created 0": setter(st + ["created"], 0),
        "signature missing": setter(st + ["signature"], DROP),
        "unknown field": setter(st + ["why"], "x"),
    }
    for name, mutate in rot_mutations.items():
        bad = json.loads(json.dumps(rot))
        mutate(bad)
        check(not rotation_v.is_valid(bad), f"rotation schema refuses: {name}")
        with open(f"{tmp}/bad.rotation", "w") as f:
            json.dump(bad, f)
        r = run("key", "rotate", "-s", f"{tmp}/dev2.key", "-p", f"{tmp}/reg.pub", "-o", f"{tmp}/bad.rotation")
        check(r.returncode == 1 and r.stderr.strip() != "",
              f"permit key rotate refuses to extend: {name} (exit {r.returncode}: {r.stderr.strip()})")

    dev_key = open(f"{tmp}/dev.pub").read().splitlines()[1]
    policy = {"format": 1, "publishers": {addon_id: {"keys": [dev_key]}},
              "limits": {"max_size": 1048576, "max_files": 100},
              "forbid": ["proc.exec:*"], "review": ["net.connect"], "review_risk": "high"}
    check(policy_v.is_valid(policy), "the policy of the integration test is valid under the schema")
    json.dump(policy, open(f"{tmp}/policy.json", "w"))
    r = run("registry", "check-upload", "--policy", f"{tmp}/policy.json", f"{tmp}/a1.zip")
    check(r.returncode == 3, f"permit registry check-upload reads it (exit {r.returncode}: {r.stderr.strip()})")
    policy_mutations = {
        "no publishers": setter(["publishers"], DROP),
        "format 2": setter(["format"], 2),
        "unknown field": setter(["extra"], True),
        "publisher without keys": setter(["publishers", addon_id, "keys"], []),
        "publisher key not a key": setter(["publishers", addon_id, "keys"], ["RWnope"]),
        "limit 0": setter(["limits", "max_files"], 0),
        "unknown limit": setter(["limits", "max_bytes"], 1),
        "review not a list": setter(["review"], "net.connect"),
        "unknown risk": setter(["review_risk"], "extreme"),
    }
    for name, mutate in policy_mutations.items():
        bad = json.loads(json.dumps(policy))
        mutate(bad)
        check(not policy_v.is_valid(bad), f"policy schema refuses: {name}")
        json.dump(bad, open(f"{tmp}/bad-policy.json", "w"))
        r = run("registry", "check-upload", "--policy", f"{tmp}/bad-policy.json", f"{tmp}/a1.zip")
        check(r.returncode == 2 and "bad-policy.json" in r.stderr,
              f"permit registry check-upload refuses the policy: {name} (exit {r.returncode}: {r.stderr.strip()})")
finally:
    shutil.rmtree(tmp)

print(f"1..{n}")
sys.exit(1 if failed else 0)
