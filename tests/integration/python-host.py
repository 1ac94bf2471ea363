#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The Python example host end to end: the two sample add-ons signed with a
test key, approved with `permit grants approve --required-only` and
installed in a temp profile (PROFILE/addons/ID), then the flashcards host
run with scripts: the good add-on works and its data persists; every
attack of the hostile one is refused and the host carries on; a hung, a
frozen and an overtime add-on are stopped (call deadline, heartbeat,
wall-time watchdog) while the host keeps running; tampered, hijacked,
revoked and unapproved add-ons are refused at start-up with a clear
message; --debug-in-process warns. Prints TAP.

    python-host.py PERMIT SOURCE_ROOT
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tap import check, finish  # noqa: E402

permit, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
HOST = os.path.join(root, "examples", "python-host", "flashcards.py")
RPC = os.path.join(root, "bindings", "python", "permit_host_rpc.py")
tmp = tempfile.mkdtemp(prefix="permit-python-host.")
home = os.path.join(tmp, "home")
profile = os.path.join(home, ".local", "share", "flashcards")
addons_dir = os.path.join(profile, "addons")
parked = os.path.join(tmp, "parked")  # installed add-ons not wanted in a run
GOOD, EVIL = "org.example.card-stats", "org.example.evil-stats"


def run(*args, **kw):
    return subprocess.run([permit, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, **kw)


def must(r):
    assert r.returncode == 0, f"{r.args}: {r.stdout}{r.stderr}"
    return r


def pack(name, src=None, main=None, manifest=None, key="dev"):
    """An add-on package: an example's files (or main and manifest given
    here) plus the vendored permit_host_rpc.py, signed."""
    d = os.path.join(tmp, "pkg", name)
    shutil.rmtree(d, True)
    if src:
        shutil.copytree(os.path.join(root, "examples", "addons", src), d)
    else:
        os.makedirs(d)
    if main is not None:
        with open(os.path.join(d, "main.py"), "w") as f:
            f.write(main)
    if manifest is not None:
        with open(os.path.join(d, "permit.json"), "w") as f:
            json.dump(manifest, f)
    shutil.copy(RPC, d)
    must(run("sign", "-s", os.path.join(tmp, key + ".key"), d))
    return d


def install(pkg, addon_id, approve=True, *allow):
    """As the demo does (the registry client will do real installs)."""
    if approve:
        opts = [x for cap in allow for x in ("--allow", cap)]
        must(run("grants", "--profile", profile, "approve", "--yes", "--required-only", *opts, pkg))
    dest = os.path.join(addons_dir, addon_id)
    shutil.rmtree(dest, True)
    os.makedirs(addons_dir, exist_ok=True)
    shutil.copytree(pkg, dest)


def park(*ids):
    os.makedirs(parked, exist_ok=True)
    for i in ids:
        if os.path.exists(os.path.join(addons_dir, i)):
            shutil.move(os.path.join(addons_dir, i), os.path.join(parked, i))


def unpark(*ids):
    for i in ids:
        if os.path.exists(os.path.join(parked, i)):
            shutil.move(os.path.join(parked, i), os.path.join(addons_dir, i))


def host(lines, *args, timeout=120):
    script = os.path.join(tmp, "script")
    with open(script, "w") as f:
        f.write("\n".join(lines) + "\n")
    env = dict(os.environ)
    try:
        r = subprocess.run([sys.executable, HOST, "--profile", profile, "--home", home, "--script", script, *args],
                           capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(e.cmd, -1, (e.stdout or b"").decode(errors="replace"),
                                           (e.stderr or b"").decode(errors="replace") + "\n(timed out)")
    return r


def says(r, *texts):
    """check() detail: which texts are missing from the host's output."""
    out = r.stdout + r.stderr
    missing = [t for t in texts if t not in out]
    return not missing and r.returncode == 0, f"exit {r.returncode}; missing {missing}\n{out[-3000:]}"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---- setup ---------------------------------------------------------------------
os.makedirs(os.path.join(home, ".ssh"))
os.makedirs(os.path.join(home, "Documents"))
with open(os.path.join(home, ".ssh", "id_rsa"), "w") as f:
    f.write("-----BEGIN OPENSSH PRIVATE KEY----- secret\n")
with open(os.path.join(home, "Documents", "notes.txt"), "w") as f:
    f.write("my private notes\n")
for k in ("dev", "other", "registry"):
    must(run("keygen", "-W", "-p", os.path.join(tmp, k + ".pub"), "-s", os.path.join(tmp, k + ".key")))

good = pack("card-stats", "card-stats")
evil = pack("evil-stats", "evil-stats")
install(good, GOOD)

# ---- the good add-on -------------------------------------------------------------
r = host(["add Bonjour | Hello", "add Merci | Thank you", "add Chat | Cat",
          "review", "", "y", "", "n", "", "y", "quit"])
ok, detail = says(r, f"started add-on {GOOD} (Card Stats; pid", "sandboxed; granted: sys.notify)",
                  "card-stats ready: 0 reviews so far", "[notification from Card Stats] 3 cards reviewed, 2 right",
                  "review done: 2 of 3 right")
check(ok, "card-stats starts sandboxed, gets the events, notifies (sys.notify granted)", detail)
check("hardest" not in r.stdout and "clipboard" not in r.stdout,
      "card-stats: optional host.deck_read and sys.clipboard:write not approved: not used", r.stdout)
stats_file = os.path.join(profile, "flashcards", "addon-data", GOOD + ".json")
try:
    stats = json.loads(read(stats_file))["stats"]
except (OSError, ValueError, KeyError) as e:
    stats = {"error": str(e)}
check(stats.get("reviews") == 3 and stats.get("right") == 2, "store_data kept the stats in the host", stats)
log = os.path.join(profile, "data", GOOD, "reviews.log")
check(os.path.exists(log) and len(read(log).splitlines()) == 3, "card-stats wrote its own $DATA/reviews.log",
      read(log) if os.path.exists(log) else "missing")
check(oct(os.stat(os.path.join(profile, "data", GOOD)).st_mode & 0o777) == "0o700", "$DATA is private (0700)")

r = host(["quit"], "--report")
ok, detail = says(r, "card-stats ready: 3 reviews so far")
check(ok, "its data persists: the next run starts from 3 reviews (load_data)", detail)
ok, detail = says(r, f"enforcement report for {GOOD}:", "fully enforced", "sys.notify", "host (mediated)")
check(ok, "--report shows the add-on's enforcement report", detail)

must(run("grants", "--profile", profile, "approve", "--allow", "host.deck_read", "--allow", "sys.clipboard:write",
         os.path.join(addons_dir, GOOD)))
r = host(["review", "", "n", "", "y", "", "y", "clipboard", "quit"])
ok, detail = says(r, "granted: sys.notify, host.deck_read, sys.clipboard:write", "6 cards reviewed, 4 right; hardest:",
                  "(Card Stats copied", "clipboard: 6 cards reviewed")
check(ok, "optional grants approved later: deck.get and clipboard_write now answered", detail)
audit = read(os.path.join(profile, "permit", "audit.jsonl"))
check('"event":"use"' in audit and "host.deck_read" in audit, "the host records uses in the audit log",
      audit[-500:])

r = host(["addons", "quit"], "--no-addons")
ok, detail = says(r, f"{GOOD} 1.0.0 (Card Stats): ready, signed by", "granted        host.deck_read")
check(ok, "addons: verified, approved, what it may do", detail)

# ---- the hostile add-on ------------------------------------------------------------
install(evil, EVIL)
pins_before = read(os.path.join(profile, "permit", "pins.json"))
def reviews():
    try:
        return json.loads(read(stats_file))["stats"]["reviews"]
    except (OSError, ValueError, KeyError):
        return -1


before = reviews()
r = host(["add Hund | Dog", "wait 1", "add Katze | Cat", "review"] + ["", "y"] * 5 + ["quit"])
out = r.stdout
attacks = dict(re.findall(r"\[org\.example\.evil-stats\] ATTACK ([a-z0-9-]+): (.*)", out))
kernel = {  # attack: what the kernel must answer
    "read-ssh-key-profile-home": "EACCES", "read-documents-profile-home": "EACCES",
    "list-home-profile-home": "EACCES", "write-home-profile-home": "EACCES", "list-home": "EACCES",
    "read-grants": "EACCES", "write-pins": "EACCES", "read-other-addon-data": "EACCES",
    "read-host-deck": "EACCES", "write-tmp": "EACCES", "change-own-package": "EACCES", "exec-shell": "EACCES",
    "open-ipv4-socket": "EACCES", "open-ipv6-udp-socket": "EACCES", "open-netlink-socket": "EACCES",
    "ptrace-host": "EPERM", "read-host-memory": "EACCES", "kill-host": "EPERM",
}
hostside = {
    "read-clipboard": "needs sys.clipboard:read", "read-deck-via-host": "needs host.deck_read",
    "add-card-via-host": "needs host.deck_write", "read-history-via-host": "needs host.history",
    "other-addon-store": "code -32602", "undeclared-host-method": "code -32601",
}
check(len(attacks) >= len(kernel) + len(hostside), f"evil-stats reported {len(attacks)} attacks",
      out[-3000:])
for name, errno_name in kernel.items():
    got = attacks.get(name, "(not reported)")
    check(got.startswith(f"refused ({errno_name}"), f"attack {name}: refused by the kernel ({errno_name})", got)
for name, text in hostside.items():
    got = attacks.get(name, "(not reported)")
    check(got.startswith("refused (host said") and text in got, f"attack {name}: refused by the host", got)
allowed = [a for a, v in attacks.items() if "ALLOWED" in v]
check(not allowed, "no attack was allowed", allowed)
check("\x1b" not in out and "?[2J?[Hflashcards: all add-ons verified" in out,
      "its fake host message reaches the terminal marked as its own, escape sequences removed", out[-2000:])
check(out.count(f"add-on {EVIL} sent a malformed message") == 3,
      "malformed JSON, JSON nested 60000 deep and a 5000-digit number: each answered with an error", out[-2000:])
check(f"stopped add-on {EVIL}: flooded the host with messages" in out, "the flood got it stopped", out[-2000:])
check("more log lines not shown" in out or out.count("flood ") < 300, "its log lines are rate-limited",
      out.count("flood "))
ok, detail = says(r, "added card 5: Katze", "review done: 5 of 5 right")
check(ok and reviews() == before + 5, "the host and card-stats carry on after the hostile add-on is stopped",
      f"{before} -> {reviews()}\n{detail}")
check(read(os.path.join(home, ".ssh", "id_rsa")).endswith("secret\n")
      and read(os.path.join(home, "Documents", "notes.txt")) == "my private notes\n"
      and not os.path.exists(os.path.join(home, "evil.txt"))
      and read(os.path.join(profile, "permit", "pins.json")) == pins_before, "nothing of the user's was changed")
check("pwned" not in read(os.path.join(profile, "flashcards", "deck.json")), "no card added behind the user's back")
check('"event":"denial"' in read(os.path.join(profile, "permit", "audit.jsonl")),
      "the host's refusals are in the audit log")
park(EVIL)

# ---- add-ons that hang -------------------------------------------------------------------
def manifest(addon_id, name, limits=None):
    m = {"id": addon_id, "name": name, "version": "1.0.0", "publisher": "Test", "entry": "main.py",
         "capabilities": [{"id": "sys.notify", "reason": "test"}]}
    if limits:
        m["limits"] = limits
    return m


HEAD = "import os, signal, threading, time\nimport permit_host_rpc\nhost = permit_host_rpc.Host()\n"
sleepy = pack("sleepy", main=HEAD + "@host.method('handle_event')\ndef ev(event, data):\n"
              "    if event == 'card_shown':\n        time.sleep(1000)\nhost.run()\n",
              manifest=manifest("org.example.sleepy", "Sleepy"))
frozen = pack("frozen", main=HEAD + "@host.method('initialize')\ndef init(**p):\n"
              "    threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGSTOP)).start()\n"
              "    return {}\nhost.run()\n", manifest=manifest("org.example.frozen", "Frozen"))
overtime = pack("overtime", main=HEAD + "host.run()\n",
                manifest=manifest("org.example.overtime", "Overtime", {"wall_seconds": 2}))
install(sleepy, "org.example.sleepy")
before = reviews()
r = host(["review"] + ["", "y"] * 5 + ["quit"], "--call-timeout", "2")
ok, detail = says(r, "stopped add-on org.example.sleepy: did not answer handle_event in time: hung",
                  "review done: 5 of 5 right")
check(ok and reviews() == before + 5,
      "an add-on hung in an event is stopped after the call deadline; the review and card-stats go on",
      f"{before} -> {reviews()}\n{detail}")
park("org.example.sleepy")

install(frozen, "org.example.frozen")
r = host(["wait 5", "add Eins | One", "quit"], "--heartbeat", "1", "--ping-timeout", "1")
ok, detail = says(r, "stopped add-on org.example.frozen: did not answer the heartbeat (ping) in time: hung",
                  "added card")
check(ok, "a frozen add-on misses its heartbeat and is stopped; the host goes on", detail)
park("org.example.frozen")

install(overtime, "org.example.overtime")
r = host(["wait 5", "add Zwei | Two", "quit"])
ok, detail = says(r, "stopped add-on org.example.overtime: it ran past its wall time (2 s): the watchdog killed it",
                  "added card")
check(ok, "an add-on past its wall time is killed by the watchdog; the host goes on", detail)
park("org.example.overtime")

bigmouth = pack("bigmouth", main=HEAD + "@host.method('handle_event')\ndef ev(event, data):\n"
                "    host.sock.sendall(b'x' * 100000 + b'\\n')\nhost.run()\n",
                manifest=manifest("org.example.bigmouth", "Bigmouth"))
install(bigmouth, "org.example.bigmouth")
r = host(["add Drei | Three", "add Vier | Four", "quit"])
ok, detail = says(r, "stopped add-on org.example.bigmouth: sent a message of", "(the limit of one message)",
                  "added card")
check(ok, "an add-on sending a message over 64 KiB is stopped; the host goes on", detail)
park("org.example.bigmouth")

crashy = pack("crashy", main="import sys\nsys.exit(3)\n", manifest=manifest("org.example.crashy", "Crashy"))
install(crashy, "org.example.crashy")
r = host(["add Fuenf | Five", "quit"])
ok, detail = says(r, "add-on org.example.crashy ended: exited with status 3", f"started add-on {GOOD}", "added card")
check(ok, "an add-on that exits at once is reported with its status; the others start", detail)
park("org.example.crashy")

writer_manifest = manifest("org.example.writer", "Writer")
writer_manifest["capabilities"].append({"id": "host.deck_write", "reason": "adds a card of the day"})
writer = pack("writer", main=HEAD + "@host.method('handle_event')\ndef ev(event, data):\n"
              "    if event == 'card_added' and data['card'] < 100:\n"
              "        host.log('writer added card %d' % host.call('deck.add', front='From writer', back='x'))\n"
              "host.run()\n", manifest=writer_manifest)
install(writer, "org.example.writer")
r = host(["add Sechs | Six", "add Sieben | Seven", "quit"])
ok, detail = says(r, "(by Writer)", "] writer added card", "added card", f"started add-on {GOOD}")
check(ok and "stopped add-on" not in r.stdout,
      "an add-on granted host.deck_write adds cards while handling an event (no deadlock)", detail)
park("org.example.writer")

# ---- refused at start-up ----------------------------------------------------------------
main_py = os.path.join(addons_dir, GOOD, "main.py")
original = read(main_py)
with open(main_py, "a") as f:
    f.write("\nimport socket  # a hijacked update\n")
r = host(["quit"])
ok, detail = says(r, f"refusing add-on {GOOD}: it was changed after it was signed (tampered)", "main.py")
check(ok and "started add-on" not in r.stdout, "a tampered add-on is refused at start-up, naming the file", detail)
with open(main_py, "w") as f:
    f.write(original)

hijacked = pack("hijacked", "card-stats", key="other")
shutil.rmtree(os.path.join(addons_dir, GOOD))
shutil.copytree(hijacked, os.path.join(addons_dir, GOOD))
r = host(["quit"])
ok, detail = says(r, f"refusing add-on {GOOD}: it is not signed by its publisher's pinned key")
check(ok and "started add-on" not in r.stdout, "a package signed by another key is refused", detail)
install(good, GOOD, False)

unapproved = pack("unapproved", main=HEAD + "host.run()\n", manifest=manifest("org.example.unapproved", "Unapproved"))
install(unapproved, "org.example.unapproved", approve=False)
r = host(["quit"])
ok, detail = says(r, "refusing add-on org.example.unapproved: no publisher key is pinned for it",
                  f"started add-on {GOOD}")
check(ok, "an add-on copied in without approval is refused; the others start", detail)
park("org.example.unapproved")

reg = os.path.join(tmp, "registry")
must(run("registry", "init", reg, "-s", os.path.join(tmp, "registry.key"), "--name", "test"))
r = host(["quit"], "--registry", reg, "--registry-key", os.path.join(tmp, "registry.pub"))
ok, detail = says(r, f"started add-on {GOOD}")
check(ok, "with a registry index that revokes nothing, the add-on starts", detail)
key_id = open(os.path.join(tmp, "dev.pub")).read().split("minisign public key ")[-1].split()[0]
must(run("registry", "revoke", reg, "--key", key_id, "--reason", "key stolen"))
must(run("registry", "publish", reg, "-s", os.path.join(tmp, "registry.key")))
r = host(["quit"], "--registry", reg, "--registry-key", os.path.join(tmp, "registry.pub"))
ok, detail = says(r, f"refusing add-on {GOOD}: its publisher's key {key_id} was revoked by the registry: key stolen")
check(ok and "started add-on" not in r.stdout, "an add-on whose key the registry revoked is not loaded", detail)
r = host(["quit"], "--registry", reg, "--registry-key", os.path.join(tmp, "other.pub"))
check(r.returncode == 2 and "flashcards:" in r.stderr, "an index signed by another key stops the host (exit 2)",
      r.stderr)

# The index the registry client keeps in the profile (PROFILE/permit/registries/KEY_ID/, recorded in
# registry.json as `permit install|update` write them): checked without --registry.
reg_lines = open(os.path.join(tmp, "registry.pub")).read().split("\n")
reg_id, reg_key = reg_lines[0].split("minisign public key ")[-1].split()[0], reg_lines[1].strip()
kept = os.path.join(profile, "permit", "registries", reg_id)
os.makedirs(kept)
for name in ("index.json", "index.json.sig"):
    shutil.copy(os.path.join(reg, name), kept)
reg_version = json.load(open(os.path.join(reg, "index.json")))["version"]
with open(os.path.join(profile, "permit", "registry.json"), "w") as f:
    json.dump({"format": 1, "addons": {}, "registries": {reg_id: {"url": "https://registry.test/", "key": reg_key,
                                                                  "version": reg_version, "expires": 0}}}, f)
r = host(["quit"])
ok, detail = says(r, f"refusing add-on {GOOD}: its key {key_id} was revoked by the registry https://registry.test/ "
                     f"(index version {reg_version}): key stolen")
check(ok and "started add-on" not in r.stdout, "the index kept in the profile refuses a revoked add-on (no --registry)",
      detail)
with open(os.path.join(kept, "index.json"), "a") as f:
    f.write(" ")
r = host(["quit"])
ok, detail = says(r, f"refusing add-on {GOOD}: the registry index kept in the profile does not verify")
check(ok and "started add-on" not in r.stdout, "a kept index changed after it was signed refuses start-up", detail)
shutil.rmtree(os.path.join(profile, "permit", "registries"))
os.unlink(os.path.join(profile, "permit", "registry.json"))

# ---- the developer's in-process mode -------------------------------------------------------
dev = os.path.join(tmp, "dev-card-stats")
shutil.copytree(os.path.join(root, "examples", "addons", "card-stats"), dev)
shutil.copy(RPC, dev)
r = host(["review", "", "y", "", "y", "", "y", "quit"], "--debug-in-process", dev)
ok, detail = says(r, f"WARNING: running add-on {GOOD} IN-PROCESS, WITHOUT ANY SANDBOX", "card-stats ready",
                  "in-process, NOT sandboxed", "[notification from Card Stats]")
check(ok, "--debug-in-process runs an unsigned add-on in the host, with a loud warning", detail)

shutil.rmtree(tmp, True)
finish()
