#!/usr/bin/python3
"""schemas/seal.schema.json against real seals: a seal written by `permit
sign` is valid under the schema, and each mutation below is refused both by
the schema (python3-jsonschema, an independent validator) and by `permit
verify`, so the schema and the C parser cannot drift apart unnoticed.
Prints TAP."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema

permit, root = sys.argv[1], sys.argv[2]
schema = json.load(open(os.path.join(root, "schemas", "seal.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

tmp = tempfile.mkdtemp()
n = 0
failed = 0


def check(ok, what):
    global n, failed
    n += 1
    print(("ok" if ok else "not ok") + f" {n} - {what}")
    failed += not ok


try:
    subprocess.run([permit, "keygen", "-W", "-p", f"{tmp}/k.pub", "-s", f"{tmp}/k.key"],
                   check=True, stdout=subprocess.DEVNULL)
    pkg = f"{tmp}/pkg"
    shutil.copytree(os.path.join(root, "examples", "word-of-the-day"), pkg)
    subprocess.run([permit, "sign", "-s", f"{tmp}/k.key", pkg], check=True, stdout=subprocess.DEVNULL)
    good = json.load(open(f"{pkg}/permit.sig"))
    check(validator.is_valid(good), "a seal written by permit sign is valid under the schema")
    pub = open(f"{tmp}/k.pub").read().split("\n")[1]
    check(good.get("public_key") == pub, "the seal carries the signer's public key")
    older = dict(good)
    del older["public_key"]
    check(validator.is_valid(older), "a seal without public_key (an older permit's) is valid under the schema")

    def drop(key):
        def f(s):
            del s[key]
        return f

    def setter(path, value):
        def f(s):
            obj = s
            for k in path[:-1]:
                obj = obj[k]
            obj[path[-1]] = value
        return f

    mutations = {
        "missing signature": drop("signature"),
        "missing files": drop("files"),
        "unknown field": setter(["extra"], 1),
        "format 2": setter(["format"], 2),
        "other hash": setter(["hash"], "sha256"),
        "short key id": setter(["key_id"], "ABCD"),
        "public key not a key": setter(["public_key"], "RWnotakey"),
        "public key as a number": setter(["public_key"], 1),
        "signed_at 0": setter(["signed_at"], 0),
        "manifest digest not hex": setter(["manifest"], "z" * 64),
        "signature not base64": setter(["signature"], "!" * 88),
        "file path with ..": setter(["files", 0, "path"], "../evil.py"),
        "absolute file path": setter(["files", 0, "path"], "/etc/passwd"),
        "negative size": setter(["files", 0, "size"], -1),
        "size as string": setter(["files", 0, "size"], "10"),
        "short digest": setter(["files", 0, "digest"], "00"),
        "unknown file field": setter(["files", 0, "mode"], 420),
    }
    for name, mutate in mutations.items():
        bad = json.loads(json.dumps(good))
        mutate(bad)
        check(not validator.is_valid(bad), f"schema refuses: {name}")
        with open(f"{pkg}/permit.sig", "w") as f:
            json.dump(bad, f)
        r = subprocess.run([permit, "verify", "-p", f"{tmp}/k.pub", pkg], capture_output=True, text=True)
        check(r.returncode == 1 and r.stderr.strip() != "",
              f"permit verify refuses: {name} (exit {r.returncode}: {r.stderr.strip()})")
finally:
    shutil.rmtree(tmp)

print(f"1..{n}")
sys.exit(1 if failed else 0)
