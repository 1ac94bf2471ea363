#!/usr/bin/python3
"""`permit grants` as users drive it: approving through a pseudo-terminal and
through stdin, non-interactive options, first-use pinning (and its refusal
for seals without a public key), updates that ask only what is new, revoke,
reset, export/import, --json and errors. Prints TAP.

    grants.py PERMIT SOURCE_ROOT
"""

import json
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import check, finish  # noqa: E402

permit, root = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="permit-grants.")
ID = "org.example.word-of-the-day"


def run(*args, stdin=None):
    return subprocess.run([permit, *args], input=stdin, capture_output=True, text=True,
                          stdin=None if stdin is not None else subprocess.DEVNULL)


def grants(profile, *args, stdin=None):
    return run("grants", "--profile", profile, *args, stdin=stdin)


def store(profile, name):
    path = os.path.join(profile, "permit", name)
    return json.load(open(path)) if os.path.exists(path) else None


def decisions(profile, addon=ID):
    g = store(profile, "grants.json")
    if not g or addon not in g["grants"]:
        return {}
    return {c: d["granted"] for c, d in g["grants"][addon]["capabilities"].items()}


def package(name, key, edit=None):
    """A copy of the example add-on, edited, signed with key."""
    d = os.path.join(tmp, name)
    shutil.copytree(os.path.join(root, "examples", "word-of-the-day"), d)
    if edit:
        m = json.load(open(f"{d}/permit.json"))
        edit(m)
        json.dump(m, open(f"{d}/permit.json", "w"), indent=2)
    r = run("sign", "-s", key, d)
    assert r.returncode == 0, r.stderr
    return d


def pty_run(args, answers, timeout=20):
    """Runs permit on a pseudo-terminal, answering each "[y/N]" prompt in turn.
    Returns (exit status, everything it printed)."""
    master, slave = pty.openpty()
    p = subprocess.Popen([permit, *args], stdin=slave, stdout=slave, stderr=slave, close_fds=True,
                         start_new_session=True)
    os.close(slave)
    out = b""
    answers = list(answers)
    deadline = time.time() + timeout
    seen = 0
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            while out.count(b"[y/N]") > seen:
                seen += 1
                os.write(master, (answers.pop(0) if answers else "") .encode() + b"\r")
        elif p.poll() is not None:
            break
    rc = p.wait(timeout=max(1, deadline - time.time()))
    os.close(master)
    return rc, out.decode(errors="replace")


CAPS = {"net": "net.connect:api.dictionaryapi.dev:443", "read": "fs.read:$DOCUMENTS/word-lists",
        "notify": "sys.notify"}

try:
    for k in ("dev", "other"):
        r = run("keygen", "-W", "-p", f"{tmp}/{k}.pub", "-s", f"{tmp}/{k}.key")
        assert r.returncode == 0, r.stderr
    v1 = package("v1", f"{tmp}/dev.key")

    # ---- usage ----
    r = run("grants", "--help")
    check(r.returncode == 0 and "Usage: permit grants" in r.stdout and "Example" in r.stdout, "--help", r)
    prof = f"{tmp}/p-usage"
    for args, what in [((), "no action"), (("frob",), "unknown action"), (("show",), "show without ID"),
                       (("list", "x"), "list with an operand"), (("list", "--allow", "sys.notify"), "--allow on list"),
                       (("revoke", "--json", ID), "--json on revoke"),
                       (("approve", "--allow", "made.up", v1), "--allow with an unknown kind")]:
        r = grants(prof, *args)
        check(r.returncode == 2 and r.stderr.startswith("permit: ") and r.stderr.count("\n") == 1,
              f"usage error: {what} (exit 2, one line)", r)

    # ---- an empty profile ----
    r = grants(prof, "list")
    check(r.returncode == 0 and "No add-on" in r.stdout, "list on an empty profile", r)
    r = grants(prof, "list", "--json")
    check(r.returncode == 0 and json.loads(r.stdout) == [], "list --json on an empty profile is []", r)
    r = grants(prof, "show", ID)
    check(r.returncode == 1 and "no add-on" in r.stderr, "show of an unknown add-on: exit 1", r)

    # ---- approve through stdin ----
    p1 = f"{tmp}/p-stdin"
    r = grants(p1, "approve", v1, stdin="n\n")
    check(r.returncode == 1 and "nothing was recorded" in r.stdout, "refusing the required ones: exit 1", r)
    check(decisions(p1) == {} and store(p1, "pins.json") is None, "refusing writes nothing, pins nothing")
    r = grants(p1, "approve", v1, stdin="")
    check(r.returncode == 1 and decisions(p1) == {}, "end of input is no", r)
    r = grants(p1, "approve", v1, stdin="y\nn\ny\n")
    check(r.returncode == 0, "approve through stdin", r)
    check(decisions(p1) == {CAPS["net"]: True, CAPS["read"]: False, CAPS["notify"]: True},
          "stdin answers recorded: required yes, optional no / yes", decisions(p1))
    check("First install: pinned" in r.stdout and "Developer says: \"Looks up" in r.stdout,
          "first use says it pinned the seal's key; reasons shown as the developer's", r.stdout)
    pins = store(p1, "pins.json")
    dev_pub = open(f"{tmp}/dev.pub").read().split("\n")[1]
    check(pins and pins["pins"][ID]["public_key"] == dev_pub, "the seal's key is pinned", pins)
    out = r.stdout
    check(out.index("[MEDIUM]   Read files") < out.index("[LOW]      Show notifications"),
          "optional capabilities highest risk first", out)

    # ---- approve through a pseudo-terminal ----
    p2 = f"{tmp}/p-pty"
    rc, out = pty_run(["grants", "--profile", p2, "approve", v1], ["y", "y", "n"])
    check(rc == 0, "approve on a terminal", out)
    check(decisions(p2) == {CAPS["net"]: True, CAPS["read"]: True, CAPS["notify"]: False},
          "terminal answers recorded", out)
    check("Allow these? Without them the add-on cannot run. [y/N]" in out and out.count("Allow? [y/N]") == 2,
          "one question for the required ones, one per optional one", out)
    rc, out = pty_run(["grants", "--profile", f"{tmp}/p-pty2", "approve", v1], ["n"])
    check(rc == 1 and "nothing was recorded" in out and decisions(f"{tmp}/p-pty2") == {},
          "refusing on a terminal writes nothing", out)
    rc, out = pty_run(["grants", "--profile", f"{tmp}/p-pty3", "approve", v1], ["y", "", "maybe"])
    check(rc == 0 and decisions(f"{tmp}/p-pty3")[CAPS["read"]] is False and
          decisions(f"{tmp}/p-pty3")[CAPS["notify"]] is False, "optional ones default to no", out)

    # ---- non-interactive ----
    p3 = f"{tmp}/p-opts"
    r = grants(p3, "approve", "--allow", "sys.notify", v1)
    check(r.returncode == 1 and "--yes" in r.stderr and decisions(p3) == {},
          "--allow alone does not accept new required capabilities", r)
    r = grants(p3, "approve", "--deny", CAPS["net"], "--yes", v1)
    check(r.returncode == 2 and "required" in r.stderr, "--deny of a required capability: usage error", r)
    r = grants(p3, "approve", "--allow", "dev.camera", "--yes", v1)
    check(r.returncode == 2 and "does not ask for dev.camera" in r.stderr, "--allow of what is not asked", r)
    r = grants(p3, "approve", "--required-only", "--allow", "sys.notify", "--json", v1)
    check(r.returncode == 0, "--required-only --allow --json", r)
    j = json.loads(r.stdout)
    check(j["granted"] == [CAPS["net"], CAPS["notify"]] and j["denied"] == [CAPS["read"]] and j["pinned"] is True
          and j["id"] == ID, "--json result of approve", r.stdout)

    # ---- keys ----
    wrong = package("wrong", f"{tmp}/other.key")
    r = grants(p1, "approve", "--yes", wrong)
    check(r.returncode == 1 and "pinned" in r.stderr, "a package sealed by another key than the pin: refused", r)
    r = grants(p1, "approve", "--yes", "-p", f"{tmp}/other.pub", wrong)
    check(r.returncode == 1 and "pinned to key" in r.stderr, "-p with another key than the pin: refused", r)
    p4 = f"{tmp}/p-key"
    r = grants(p4, "approve", "--yes", "-p", f"{tmp}/dev.pub", v1)
    check(r.returncode == 0 and "Pinned key" in r.stdout, "first use with -p pins that key", r)
    r = grants(f"{tmp}/p-key2", "approve", "--yes", "-p", f"{tmp}/other.pub", v1)
    check(r.returncode == 1 and decisions(f"{tmp}/p-key2") == {}, "-p with the wrong key: refused", r)
    old = os.path.join(root, "tests", "data", "old-seal", "addon")
    r = grants(f"{tmp}/p-old", "approve", "--yes", old)
    check(r.returncode == 2 and "-p PUBKEY" in r.stderr and r.stderr.count("\n") == 1,
          "a seal without its public key: first use needs -p", r)
    r = grants(f"{tmp}/p-old", "approve", "--yes", "-p", os.path.join(root, "tests", "data", "old-seal", "old.pub"),
               old)
    check(r.returncode == 0, "a seal without its public key, with -p: approved", r)
    tampered = package("tampered", f"{tmp}/dev.key")
    open(f"{tampered}/__init__.py", "a").write("# changed\n")
    r = grants(f"{tmp}/p-tamper", "approve", "--yes", tampered)
    check(r.returncode == 1 and "__init__.py" in r.stderr and decisions(f"{tmp}/p-tamper") == {},
          "a tampered package is refused before anything is asked", r)

    # ---- an update asks only what is new or wider ----
    def widen(m):
        m["version"] = "1.3.0"
        m["capabilities"][0]["id"] = "net.connect:*.dictionaryapi.dev:443"
        m["capabilities"].append({"id": "fs.write:$HOME", "required": False, "reason": "Saves words"})

    v2 = package("v2", f"{tmp}/dev.key", widen)
    r = grants(p1, "approve", v2, stdin="y\ny\n")
    check(r.returncode == 0, "update approved through stdin", r)
    check("Update from 1.2.0" in r.stdout and "stays denied: " + CAPS["read"] in r.stdout and
          "stays allowed: sys.notify" in r.stdout and "(wider than before)" in r.stdout,
          "the update says what stays and what is wider", r.stdout)
    check(r.stdout.count("[y/N]") == 2, "only the new or wider ones are asked", r.stdout)
    d = decisions(p1)
    check(d.get(CAPS["read"]) is False and d.get("sys.notify") is True and d.get("fs.write:$HOME") is True,
          "the user's narrowing survives the update", d)
    r = grants(p1, "approve", "--yes", v2)
    check(r.returncode == 0 and "Nothing new" not in r.stderr and decisions(p1) == d,
          "approving the same version again changes nothing", r)

    # ---- show, list, revoke, reset ----
    r = grants(p1, "show", ID)
    check(r.returncode == 0 and "last used never" in r.stdout and "pinned" in r.stdout, "show", r)
    r = grants(p1, "show", "--json", ID)
    j = json.loads(r.stdout) if r.returncode == 0 else {}
    check(j.get("id") == ID and j.get("version") == "1.3.0" and
          all("last_used" in c for c in j.get("capabilities", [])), "show --json", r)
    r = grants(p1, "list", "--json")
    check(r.returncode == 0 and [x["id"] for x in json.loads(r.stdout)] == [ID], "list --json", r)
    r = grants(p1, "revoke", ID, "sys.notify")
    check(r.returncode == 0 and decisions(p1)["sys.notify"] is False, "revoke one capability", r)
    r = grants(p1, "revoke", ID, "dev.camera")
    check(r.returncode == 1 and "no decision" in r.stderr, "revoke of what was never decided: exit 1", r)
    r = grants(p1, "revoke", "org.none")
    check(r.returncode == 1, "revoke of an unknown add-on: exit 1", r)
    audit = open(f"{p1}/permit/audit.jsonl").read().splitlines()
    check(all(json.loads(l)["event"] == "decision" for l in audit) and
          json.loads(audit[-1]) == {**json.loads(audit[-1]), "capability": "sys.notify", "allowed": False},
          "decisions and revocations are in audit.jsonl", audit[-3:])

    # ---- export / import ----
    r = grants(p1, "export", "-o", f"{tmp}/export.json")
    check(r.returncode == 0, "export -o", r)
    r = grants(f"{tmp}/p-import", "import", f"{tmp}/export.json")
    check(r.returncode == 0 and decisions(f"{tmp}/p-import") == decisions(p1), "import restores the grants", r)
    r = grants(f"{tmp}/p-import2", "import", "-", stdin=grants(p1, "export").stdout)
    check(r.returncode == 0 and decisions(f"{tmp}/p-import2") == decisions(p1), "import from stdin", r)
    r = grants(p4, "import", f"{tmp}/export.json")
    check(r.returncode == 0, "import where the same key is pinned", r)
    bad = f"{tmp}/bad.json"
    open(bad, "w").write('{"version": 7}')
    r = grants(p4, "import", bad)
    check(r.returncode == 1 and bad in r.stderr and "version" in r.stderr, "import of another version", r)
    r = grants(p4, "import", f"{tmp}/missing.json")
    check(r.returncode == 2, "import of a missing file: exit 2", r)

    r = grants(p1, "reset", ID)
    check(r.returncode == 0 and decisions(p1) == {} and store(p1, "pins.json")["pins"].get(ID),
          "reset forgets the decisions, keeps the pin", r)
    r = grants(p1, "reset", "--forget-key", ID)
    check(r.returncode == 0 and not store(p1, "pins.json")["pins"].get(ID), "reset --forget-key", r)
    r = grants(p1, "reset", ID)
    check(r.returncode == 1, "reset of an unknown add-on: exit 1", r)

    # ---- a corrupt store is reported, never replaced ----
    g = f"{p4}/permit/grants.json"
    open(g, "w").write("{broken")
    r = grants(p4, "approve", "--yes", v1)
    check(r.returncode == 1 and g in r.stderr and open(g).read() == "{broken",
          "a corrupt grants.json: error names it, file untouched", r)
    r = grants(p4, "list")
    check(r.returncode == 1 and g in r.stderr, "list on a corrupt store", r)
finally:
    shutil.rmtree(tmp)

finish()
