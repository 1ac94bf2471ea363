# SPDX-License-Identifier: MIT
"""The Python binding against the real libpermit: keys, packages, the
store, effective grants, real sandboxes (Landlock + seccomp on this
kernel), every error path raising its exception.

Run by meson test (bindings/python/meson.build) with PERMIT_LIBRARY set to
the build tree's library and PERMIT_TOOL to the permit command."""

from __future__ import annotations

import errno
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import permit  # noqa: E402

PYTHON = "/usr/bin/python3"
PERMIT_TOOL = os.environ.get("PERMIT_TOOL", "")

MANIFEST = {
    "id": "org.example.notes", "name": "Notes", "version": "1.0.0", "publisher": "Example",
    "entry": "main.py",
    "capabilities": [
        {"id": "fs.read:$HOME/shared", "reason": "reads shared notes"},
        {"id": "sys.notify", "required": False, "reason": "tells you"},
        {"id": "net.connect:*", "required": False, "reason": "everything"},
    ],
    "limits": {"memory_mb": 512, "wall_seconds": 30},
}

MAIN = """
import os, socket, sys
s = socket.socket(fileno=int(os.environ["PERMIT_SOCKET_FD"]))
line = s.recv(100)
def attempt(fn):
    try:
        fn()
        return "ok"
    except OSError as e:
        return errno_name(e)
def errno_name(e):
    import errno
    return errno.errorcode.get(e.errno, str(e.errno))
home = os.environ["T_HOME"]
out = [line.decode().strip(),
       attempt(lambda: open(os.path.join(home, "shared", "n.txt")).read()),
       attempt(lambda: open(os.path.join(home, "secret.txt")).read()),
       attempt(lambda: open(os.path.join(os.environ["PERMIT_DATA"], "kept"), "w").write("x")),
       attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM)),
       attempt(lambda: os.execv("/bin/sh", ["sh", "-c", "true"]))]
s.sendall((" ".join(out) + "\\n").encode())
"""


class Fixture(unittest.TestCase):
    """A temp dir with a key pair and a signed add-on package."""

    def setUp(self) -> None:
        self.t = tempfile.mkdtemp(prefix="permit-binding-")
        self.addCleanup(shutil.rmtree, self.t, True)
        self.sk = permit.SecretKey.generate()
        self.addCleanup(self.sk.close)
        self.pk = self.sk.public_key()
        self.addCleanup(self.pk.close)
        self.pkg = self.make_package("pkg", MANIFEST)

    def make_package(self, name: str, manifest: dict, main: str = MAIN, key=None) -> str:
        d = os.path.join(self.t, name)
        os.makedirs(d)
        with open(os.path.join(d, "permit.json"), "w") as f:
            json.dump(manifest, f)
        with open(os.path.join(d, "main.py"), "w") as f:
            f.write(main)
        permit.sign(d, key or self.sk)
        return d


class TestLibrary(unittest.TestCase):
    def test_loaded_from_the_build_tree(self) -> None:
        if os.environ.get("PERMIT_LIBRARY"):
            self.assertEqual(permit.library_path, os.environ["PERMIT_LIBRARY"])
        self.assertGreaterEqual(permit.landlock_abi(), 1, "this kernel has Landlock")

    def test_doctor_report(self) -> None:
        self.assertIn("Landlock", permit.doctor_report())
        d = permit.doctor_report(as_json=True)
        self.assertIsInstance(d, dict)
        self.assertTrue(d["seccomp"])


class TestCapabilities(unittest.TestCase):
    def test_check(self) -> None:
        permit.check_capability("fs.read:$DATA")
        with self.assertRaises(permit.InvalidInput) as cm:
            permit.check_capability("made.up")
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertIn("unknown kind 'made.up'", str(cm.exception))
        self.assertIsInstance(cm.exception, ValueError)
        with self.assertRaises(permit.InvalidInput):
            permit.check_capability("net.connect:host:0")

    def test_warning_and_absorbs(self) -> None:
        risk, text = permit.capability_warning("proc.exec:*")
        self.assertEqual(risk, permit.Risk.CRITICAL)
        self.assertEqual(str(risk), "critical")
        self.assertIn("full access", text)
        with self.assertRaises(permit.PermitError):
            permit.capability_warning("nope")
        self.assertTrue(permit.capability_absorbs("net.connect:*", "net.connect:a.example.com"))
        self.assertFalse(permit.capability_absorbs("net.connect:a.example.com", "net.connect:*"))
        self.assertFalse(permit.capability_absorbs("garbage", "fs.read:$DATA"))

    def test_warnings_merge(self) -> None:
        w = permit.warnings_for(["net.connect:*", "net.connect:a.example.com", "sys.notify"])
        self.assertEqual([x.capability for x in w], ["net.connect:*", "sys.notify"])
        self.assertEqual(w[0].absorbed, ("net.connect:a.example.com",))
        self.assertEqual(permit.warnings_for([]), [])
        with self.assertRaises(permit.InvalidInput):
            permit.warnings_for(["bad kind"])


class TestManifest(unittest.TestCase):
    def test_parse(self) -> None:
        with permit.Manifest.parse(json.dumps(MANIFEST), "permit.json") as m:
            self.assertEqual((m.id, m.name, m.version, m.publisher, m.entry),
                             ("org.example.notes", "Notes", "1.0.0", "Example", "main.py"))
            self.assertEqual([c.id for c in m.capabilities],
                             ["fs.read:$HOME/shared", "sys.notify", "net.connect:*"])
            self.assertEqual([c.required for c in m.capabilities], [True, False, False])
            self.assertEqual(m.capabilities[1].argument, None)
            self.assertEqual(m.limits.memory_mb, 512)
            self.assertEqual(m.risk, permit.Risk.HIGH)
            self.assertEqual(m.warnings[0].capability, "net.connect:*")
            self.assertEqual(len(m.digest()), 64)
            self.assertIn('"required":true', m.canonical())
        self.assertTrue(m.closed)
        with self.assertRaises(ValueError):
            m.id  # noqa: B018 - use after close

    def test_diff(self) -> None:
        wider = dict(MANIFEST, version="1.1.0", capabilities=[
            {"id": "fs.read:$HOME", "reason": "more"}, {"id": "sys.notify", "reason": "now required"}])
        with permit.Manifest.parse(json.dumps(MANIFEST)) as old, permit.Manifest.parse(json.dumps(wider)) as new:
            changes, asks_more = new.diff(old)
            self.assertTrue(asks_more)
            self.assertEqual([(c.change, c.capability, c.old) for c in changes],
                             [("widened", "fs.read:$HOME", "fs.read:$HOME/shared"),
                              ("now-required", "sys.notify", "sys.notify"),
                              ("removed", None, "net.connect:*")])
            self.assertEqual(old.diff(old), ([permit.Change("unchanged", c.id, c.id) for c in old.capabilities],
                                             False))

    def test_errors(self) -> None:
        bad = dict(MANIFEST, capabilities=[{"id": "fs.read:relative"}])
        with self.assertRaises(permit.InvalidInput) as cm:
            permit.Manifest.parse(json.dumps(bad), "x/permit.json")
        self.assertEqual(cm.exception.source, "x/permit.json")
        self.assertEqual(cm.exception.path, "capabilities[0].id")
        self.assertIn("x/permit.json: capabilities[0].id:", str(cm.exception))
        with self.assertRaises(permit.InvalidInput) as cm:
            permit.Manifest.parse("{", "y.json")
        self.assertEqual(cm.exception.line, 1)
        with self.assertRaises(permit.TooLarge):
            permit.Manifest.parse(" " * (65 * 1024))
        with self.assertRaises(permit.NotFound) as cm:
            permit.Manifest.load("/nonexistent/permit.json")
        self.assertIsInstance(cm.exception, FileNotFoundError)


class TestKeys(Fixture):
    def test_round_trip(self) -> None:
        self.assertTrue(self.pk.key.startswith("RW"))
        self.assertEqual(len(self.pk.key_id), 16)
        self.pk.save(os.path.join(self.t, "k.pub"))
        self.sk.save(os.path.join(self.t, "k.key"))  # no password: scrypt is slow, the C tests cover it
        with permit.PublicKey.load(os.path.join(self.t, "k.pub")) as again:
            self.assertEqual(again.key, self.pk.key)
        with permit.SecretKey.load(os.path.join(self.t, "k.key")) as sk2, sk2.public_key() as pk2:
            self.assertEqual(pk2.key_id, self.pk.key_id)

    def test_errors(self) -> None:
        with self.assertRaises(permit.InvalidInput):
            permit.PublicKey.from_string("RWnot a key")
        with self.assertRaises(permit.NotFound):
            permit.PublicKey.load(os.path.join(self.t, "missing.pub"))
        self.sk.save(os.path.join(self.t, "k.key"), password="pw")
        with self.assertRaises(permit.KeyRejected):  # the password reaches the library
            permit.SecretKey.load(os.path.join(self.t, "k.key"), "wrong")
        with self.assertRaises(permit.KeyRejected) as cm:
            permit.SecretKey.load(os.path.join(self.t, "k.key"))
        self.assertEqual(cm.exception.errno, errno.ENOKEY)
        with self.assertRaises(permit.PermitError) as cm:
            self.pk.save(os.path.join(self.t, "k.key"))  # exists
        self.assertEqual(cm.exception.errno, errno.EEXIST)


class TestPackages(Fixture):
    def test_verify(self) -> None:
        with permit.verify(self.pkg, self.pk) as info:
            self.assertTrue(info.verified)
            self.assertEqual(info.key_id, self.pk.key_id)
            self.assertEqual(info.public_key, self.pk.key)
            self.assertEqual(info.manifest.id, "org.example.notes")
            self.assertEqual(info.files, 2)
            self.assertEqual(len(info.seal_digest), 64)
            self.assertGreater(info.signed_at, 0)
        with permit.verify(self.pkg, self.pk.key) as info:  # the key as a string
            self.assertTrue(info.verified)
        with permit.verify_with_seal_key(self.pkg) as info:
            self.assertEqual(info.public_key, self.pk.key)
        with permit.inspect(self.pkg) as info:
            self.assertFalse(info.verified)

    def test_refusals(self) -> None:
        with permit.SecretKey.generate() as other, other.public_key() as opk:
            with self.assertRaises(permit.KeyRejected) as cm:
                permit.verify(self.pkg, opk)
            self.assertEqual(cm.exception.errno, errno.EKEYREJECTED)
            self.assertIsInstance(cm.exception, permit.VerificationError)
        with open(os.path.join(self.pkg, "main.py"), "a") as f:
            f.write("# changed\n")
        with self.assertRaises(permit.VerificationError) as cm:
            permit.verify(self.pkg, self.pk)
        self.assertEqual(cm.exception.errno, errno.EBADMSG)
        self.assertIn("main.py", str(cm.exception))
        os.unlink(os.path.join(self.pkg, "permit.sig"))
        with self.assertRaises(permit.Unsigned):
            permit.verify(self.pkg, self.pk)
        with self.assertRaises(permit.NotFound):
            permit.verify(os.path.join(self.t, "nothing"), self.pk)
        os.symlink("/etc/passwd", os.path.join(self.pkg, "link"))
        with self.assertRaises(permit.InvalidInput):
            permit.sign(self.pkg, self.sk)


class TestStore(Fixture):
    def test_open_errors(self) -> None:
        with self.assertRaises(permit.NotFound) as cm:
            permit.Store(os.path.join(self.t, "none"))
        self.assertIn("no store here", str(cm.exception))
        prof = os.path.join(self.t, "bad")
        os.makedirs(os.path.join(prof, "permit"))
        with open(os.path.join(prof, "permit", "grants.json"), "w") as f:
            f.write("{not json")
        with self.assertRaises(permit.InvalidInput) as cm:
            permit.Store(prof)
        self.assertIn("grants.json", cm.exception.source)

    def test_approve_effective_revoke(self) -> None:
        with permit.Store(os.path.join(self.t, "p"), create=True) as s:
            self.assertEqual(s.records(), [])
            self.assertIsNone(s.pin("org.example.notes"))
            with s.approve(self.pkg, optional={"sys.notify": True}) as info:
                self.assertEqual(s.pin("org.example.notes"), (self.pk.key, self.pk.key_id))
                e = s.effective_grant(info.manifest)
                self.assertEqual(e.granted, ("fs.read:$HOME/shared", "sys.notify"))
                self.assertTrue(e.runnable and e.up_to_date)
                self.assertEqual(e.entries[2].state, permit.GrantState.DENIED)
                self.assertEqual(str(e.entries[2].state), "denied")
                self.assertTrue(e.allows("sys.notify"))
                self.assertFalse(e.allows("net.connect:a.example.com"))
                with permit.Policy.parse('{"version": 1, "deny": ["sys.notify"]}') as pol:
                    self.assertTrue(pol.denies("sys.notify"))
                    e2 = s.effective_grant(info.manifest, pol)
                    self.assertEqual(e2.entries[1].state, permit.GrantState.POLICY_DENIED)
                rec = s.find("org.example.notes")
                self.assertEqual(rec.version, "1.0.0")
                self.assertTrue(rec.decision("sys.notify").granted)
                self.assertEqual(rec.decision("sys.notify").by, "user")
                with self.assertRaises(permit.NotFound):
                    s.record_decision(info.manifest, optional={"proc.exec:*": True})
                with self.assertRaises(permit.PermissionDenied):
                    s.record_decision(info.manifest, optional={"fs.read:$HOME/shared": False})
                s.revoke("org.example.notes", "fs.read:$HOME/shared")
                self.assertFalse(s.effective_grant(info.manifest).runnable)
                with s.decided_manifest("org.example.notes") as dm:
                    self.assertEqual(dm.digest(), info.manifest.digest())
            with self.assertRaises(permit.NotFound):
                s.revoke("org.example.unknown")
            doc = s.export()
            self.assertIn("org.example.notes", json.loads(doc)["grants"]["addons"]
                          if "addons" in json.loads(doc)["grants"] else json.loads(doc)["grants"])
            s.audit("use", "org.example.notes", "sys.notify", allowed=True)
            self.assertGreater(s.last_used("org.example.notes", "sys.notify"), 0)
            with self.assertRaises(permit.InvalidInput):
                s.audit("denial", "org.example.notes", target=os.fsdecode(b"/x/\xff"))
            s.reset("org.example.notes", forget_key=True)
            self.assertIsNone(s.find("org.example.notes"))
            self.assertIsNone(s.pin("org.example.notes"))
            with self.assertRaises(permit.InvalidInput):
                s.import_('{"version": 1, "grants": 5}', "import.json")
            s.import_(doc, "import.json")
            self.assertIsNotNone(s.find("org.example.notes"))
            with self.assertRaises(permit.InvalidInput):
                s.set_pin("org.example.notes", "RWbad")

    def test_pins(self) -> None:
        with permit.Store(os.path.join(self.t, "p"), create=True) as s:
            with self.assertRaises(permit.KeyRejected):
                s.verify_pinned(self.pkg, "org.example.notes")
            s.approve(self.pkg).close()
            with s.verify_pinned(self.pkg, "org.example.notes") as info:
                self.assertEqual(info.trust, "pinned")
            with self.assertRaises(permit.KeyRejected):
                s.verify_pinned(self.pkg, "org.example.other")
            with permit.SecretKey.generate() as other:
                hijack = self.make_package("hijack", dict(MANIFEST, version="1.1.0"), key=other)
                with self.assertRaises(permit.KeyRejected):
                    s.verify_pinned(hijack, "org.example.notes")
                with self.assertRaises(permit.KeyRejected):
                    s.approve(hijack)  # pinned to our key


class TestSandbox(Fixture):
    def setUp(self) -> None:
        super().setUp()
        self.home = os.path.join(self.t, "home")
        os.makedirs(os.path.join(self.home, "shared"))
        with open(os.path.join(self.home, "shared", "n.txt"), "w") as f:
            f.write("shared")
        with open(os.path.join(self.home, "secret.txt"), "w") as f:
            f.write("secret")

    def talk(self, child: permit.Child) -> str:
        child.socket.settimeout(20)
        child.socket.sendall(b"hello\n")
        out = b""
        while not out.endswith(b"\n"):
            chunk = child.socket.recv(4096)
            if not chunk:
                break
            out += chunk
        return out.decode().strip()

    def test_ruleset_errors(self) -> None:
        with self.assertRaises(permit.InvalidInput) as cm:
            permit.Ruleset.new(["fs.read:$HOME"])  # no $HOME given
        self.assertIn("$HOME", str(cm.exception))
        with self.assertRaises(permit.InvalidInput):
            permit.Ruleset.new(["not.a.kind"])
        with self.assertRaises(permit.NotFound):
            permit.Ruleset.new([], entry="/nonexistent/program")

    def test_report(self) -> None:
        with permit.Ruleset.new(["fs.read:$HOME"], home=self.home, entry=PYTHON) as rs:
            self.assertEqual(rs.entry, PYTHON)
            self.assertGreaterEqual(rs.landlock_abi, 1)
            self.assertIn("fs.read:$HOME", rs.report())
            rep = rs.report_json()
            self.assertIsInstance(rep, dict)
            self.assertIn("fs.read:$HOME", json.dumps(rep))
            self.assertIsInstance(rs.fully_enforced, bool)
        with permit.Ruleset.new([], entry=PYTHON,
                                options=permit.SandboxOptions(landlock_abi_max=1, require_full=True)) as rs:
            self.assertFalse(rs.fully_enforced)
            with self.assertRaises(permit.NotSupported):
                rs.spawn([PYTHON, "-c", "pass"])

    def test_spawn_directly(self) -> None:
        data = os.path.join(self.t, "data")
        os.makedirs(data)
        with permit.Ruleset.new(["fs.read:$HOME/shared"], home=self.home, data=data, entry=PYTHON) as rs:
            with rs.spawn([PYTHON, "-c", MAIN], {"T_HOME": self.home}) as child:
                self.assertGreater(child.pid, 0)
                self.assertGreaterEqual(child.pidfd, 0)
                self.assertEqual(self.talk(child), "hello ok EACCES ok EACCES EACCES")
                ex = child.wait(20)
                self.assertEqual(ex.exit_code, 0)
                self.assertFalse(ex.killed_by_watchdog)
                self.assertIs(child.wait(), ex)
        plain = os.path.join(self.t, "plain")
        open(plain, "w").close()
        with self.assertRaises(permit.PermissionDenied):
            permit.Ruleset.new([], entry=plain)  # not executable

    def test_watchdog_and_kill(self) -> None:
        opts = permit.SandboxOptions(wall_seconds=1)
        with permit.Ruleset.new([], entry=PYTHON, options=opts) as rs:
            child = rs.spawn([PYTHON, "-c", "import time; time.sleep(60)"])
            self.assertIsNone(child.wait(0.1))
            self.assertTrue(child.running)
            start = time.monotonic()
            ex = child.wait(30)
            self.assertTrue(ex.killed_by_watchdog)
            self.assertLess(time.monotonic() - start, 10)
            self.assertIn("wall time", str(ex))
            child.close()
        with permit.Ruleset.new([], entry=PYTHON) as rs:
            child = rs.spawn([PYTHON, "-c", "import time; time.sleep(60)"], socket=False)
            self.assertIsNone(child.socket)
            ex = child.kill()
            self.assertEqual(ex.signal, 9)
            self.assertIn("SIGKILL", str(ex))
            child.close()
            child.close()  # twice: nothing

    def test_leaked_child_is_freed(self) -> None:
        with permit.Ruleset.new([], entry=PYTHON) as rs:
            child = rs.spawn([PYTHON, "-c", "import time; time.sleep(60)"])
            pid = child.pid
            del child
            gc.collect()
            # __del__ killed and reaped it: the pid is gone.
            with self.assertRaises(ProcessLookupError):
                os.kill(pid, 0)

    def test_for_addon(self) -> None:
        prof = os.path.join(self.t, "profile")
        with permit.Store(prof, create=True) as s:
            with self.assertRaises(permit.NotFound) as cm:
                permit.Ruleset.for_addon(s, "org.example.notes", entry=PYTHON)
            self.assertIn("no add-on org.example.notes was approved", str(cm.exception))
            with self.assertRaises(permit.InvalidInput):
                permit.Ruleset.for_addon(s, "not an id", entry=PYTHON)
            s.approve(self.pkg).close()
            os.makedirs(os.path.join(prof, "addons"))
            installed = os.path.join(prof, "addons", "org.example.notes")
            shutil.copytree(self.pkg, installed)
            with permit.Ruleset.for_addon(s, "org.example.notes", home=self.home, entry=PYTHON) as sb:
                self.assertEqual(sb.addon_dir, os.path.realpath(installed))
                self.assertEqual(sb.data_dir, os.path.join(os.path.realpath(prof), "data", "org.example.notes"))
                self.assertEqual(sb.effective.granted, ("fs.read:$HOME/shared",))
                self.assertEqual(sb.options.wall_seconds, 30)
                self.assertEqual(sb.manifest.entry, "main.py")
                with sb.spawn([PYTHON, os.path.join(sb.addon_dir, "main.py")], {"T_HOME": self.home}) as child:
                    self.assertEqual(self.talk(child), "hello ok EACCES ok EACCES EACCES")
                self.assertTrue(os.path.exists(os.path.join(sb.data_dir, "kept")))
            # The store itself is out of reach, even for a child reading it.
            s.revoke("org.example.notes", "fs.read:$HOME/shared")
            with self.assertRaises(permit.PermissionDenied) as cm:
                permit.Ruleset.for_addon(s, "org.example.notes", home=self.home, entry=PYTHON)
            self.assertIn("is denied", str(cm.exception))
            self.assertFalse(cm.exception.effective.runnable)
            s.approve(installed).close()
            with open(os.path.join(installed, "main.py"), "a") as f:
                f.write("# tampered\n")
            with self.assertRaises(permit.VerificationError) as cm:
                permit.Ruleset.for_addon(s, "org.example.notes", home=self.home, entry=PYTHON)
            self.assertIn("main.py", str(cm.exception))

    def test_restrict_self(self) -> None:
        code = ("import sys, permit\n"
                "permit.restrict_self(['fs.read:$HOME/shared'], home=sys.argv[1])\n"
                "print(open(sys.argv[1] + '/shared/n.txt').read())\n"
                "try:\n    open(sys.argv[1] + '/secret.txt').read()\nexcept PermissionError:\n    print('refused')\n")
        env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
        out = subprocess.run([sys.executable, "-c", code, self.home], capture_output=True, text=True, env=env,
                             timeout=60)
        self.assertEqual(out.stdout.split(), ["shared", "refused"], out.stderr)


class TestRegistryIndex(Fixture):
    def test_revocations(self) -> None:
        self.assertTrue(PERMIT_TOOL, "PERMIT_TOOL (the permit command) is not set")
        reg = os.path.join(self.t, "reg")
        self.sk.save(os.path.join(self.t, "r.key"))
        self.pk.save(os.path.join(self.t, "r.pub"))
        tool = [PERMIT_TOOL, "registry"]
        subprocess.run(tool + ["init", reg, "-s", os.path.join(self.t, "r.key"), "--name", "test"], check=True,
                       capture_output=True)
        with permit.RegistryIndex.load(reg, self.pk) as idx:
            self.assertEqual(idx.registry, "test")
            self.assertEqual(idx.version, 1)
            self.assertIsNone(idx.key_revoked(self.pk.key_id))
        subprocess.run(tool + ["revoke", reg, "--key", self.pk.key_id, "--reason", "stolen"], check=True,
                       capture_output=True)
        subprocess.run(tool + ["publish", reg, "-s", os.path.join(self.t, "r.key")], check=True, capture_output=True)
        with permit.RegistryIndex.load(reg, self.pk) as idx:
            self.assertEqual(idx.key_revoked(self.pk.key_id), "stolen")
            self.assertIsNone(idx.package_revoked("0" * 64))
        with self.assertRaises(permit.Stale):
            permit.RegistryIndex.load(reg, self.pk, last_version=5)
        with self.assertRaises(permit.Expired):
            permit.RegistryIndex.load(reg, self.pk, now=2 ** 40)
        with permit.SecretKey.generate() as other, other.public_key() as opk:
            with self.assertRaises(permit.KeyRejected):
                permit.RegistryIndex.load(reg, opk)
        with open(os.path.join(reg, "index.json"), "ab") as f:
            f.write(b" ")
        with self.assertRaises(permit.VerificationError):
            permit.RegistryIndex.load(reg, self.pk)

    def test_kept_index(self) -> None:
        """check_revocation(): the indexes the registry client keeps in a profile."""
        self.assertTrue(PERMIT_TOOL, "PERMIT_TOOL (the permit command) is not set")
        reg, profile = os.path.join(self.t, "reg"), os.path.join(self.t, "profile")
        self.sk.save(os.path.join(self.t, "r.key"))
        tool = [PERMIT_TOOL, "registry"]
        subprocess.run(tool + ["init", reg, "-s", os.path.join(self.t, "r.key"), "--name", "test"], check=True,
                       capture_output=True)
        subprocess.run(tool + ["revoke", reg, "--package", "a" * 64, "--reason", "malware"], check=True,
                       capture_output=True)
        subprocess.run(tool + ["publish", reg, "-s", os.path.join(self.t, "r.key")], check=True, capture_output=True)
        # Nothing kept: nothing to check.
        kept = permit.check_revocation(profile, "0123456789ABCDEF", "a" * 64)
        self.assertEqual((kept.n_indexes, kept.n_expired, kept.expires), (0, 0, 0))
        # As `permit install|update` keep it: registry.json names the key, the index beside it.
        d = os.path.join(profile, "permit", "registries", self.pk.key_id)
        os.makedirs(d)
        for name in ("index.json", "index.json.sig"):
            shutil.copy(os.path.join(reg, name), d)
        with open(os.path.join(profile, "permit", "registry.json"), "w") as f:
            json.dump({"format": 1, "addons": {}, "registries": {self.pk.key_id: {
                "url": "https://r.test/", "key": self.pk.key, "version": 2, "expires": 0}}}, f)
        kept = permit.check_revocation(profile, "0123456789ABCDEF", "b" * 64)
        self.assertEqual((kept.n_indexes, kept.n_expired), (1, 0))
        with self.assertRaises(permit.Revoked) as cm:
            permit.check_revocation(profile, "0123456789ABCDEF", "a" * 64)
        self.assertIn("malware", str(cm.exception))
        self.assertIn("https://r.test/", cm.exception.text)
        self.assertEqual(permit.check_revocation(profile, "0123456789ABCDEF", "b" * 64, now=2 ** 40).n_expired, 1)
        with open(os.path.join(d, "index.json"), "ab") as f:
            f.write(b" ")
        with self.assertRaises(permit.VerificationError):
            permit.check_revocation(profile, "0123456789ABCDEF", "b" * 64)


if __name__ == "__main__":
    unittest.main(verbosity=2)
