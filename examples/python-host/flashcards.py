#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""flashcards: a small terminal flashcard app whose add-ons run sandboxed.

    flashcards.py [--profile DIR] add FRONT BACK
    flashcards.py [--profile DIR] review           # answers from the terminal (or a pipe)
    flashcards.py [--profile DIR] addons           # installed add-ons: verified? approved? what they may do
    flashcards.py [--profile DIR] shell [--script FILE]   # commands: add F | B, review, addons, wait S,
                                                   # clipboard, quit  (stdin, or FILE)

Add-ons are installed in PROFILE/addons/ID (signed, approved with
`permit grants --profile DIR approve`). Each is verified against its pinned
key, checked against the revocations of the registry indexes `permit
install|update` kept in the profile (and of --registry DIR --registry-key
KEY when given), and run in its own sandbox; it talks to the app over
JSON-RPC and may use only what it was granted (host-vocabulary.json lists
this app's own capabilities). `--debug-in-process DIR` runs an add-on under
development inside the app, unsandboxed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The binding: installed, or this source tree's.
sys.path.insert(1, os.path.join(HERE, "..", "..", "bindings", "python"))

import permit  # noqa: E402
import permit_host_rpc as rpc  # noqa: E402
from addon_host import AddonManager, Api, ApiError, load_vocabulary, printable  # noqa: E402

HOST = "flashcards"
DATA_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_VALUE = 16 * 1024   # bytes of one stored value (JSON)
MAX_KEYS = 64           # keys an add-on may store


def write_json(path: str, value) -> None:
    """Atomically: a crash leaves the old file or the new one."""
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def read_json(path: str, default):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return default


class App:
    """The flashcard app: a deck, a review history, the add-ons."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.profile = args.profile
        self.dir = os.path.join(self.profile, HOST)  # the app's own files; not visible to add-ons
        self.deck = read_json(os.path.join(self.dir, "deck.json"), {"cards": [], "history": []})
        self.clipboard = ""
        self.out = sys.stdout
        self.input_fd = 0
        if args.script:
            self.input_fd = os.open(args.script, os.O_RDONLY | os.O_CLOEXEC)
        self.store = permit.Store(self.profile, create=True)
        self.vocabulary = load_vocabulary(args.host_vocabulary)
        self.policy = permit.Policy.load(args.policy) if args.policy else None
        self.registry = None
        if args.registry:
            with permit.PublicKey.load(args.registry_key) as key:
                self.registry = permit.RegistryIndex.load(args.registry, key)
        self.addons = AddonManager(self.store, self.api(), host_name=HOST, vocabulary=self.vocabulary,
                                   say=self.say, home=args.home, policy=self.policy, registry=self.registry,
                                   heartbeat=args.heartbeat, ping_timeout=args.ping_timeout,
                                   call_timeout=args.call_timeout, report=args.report)

    def say(self, text: str) -> None:
        print(f"{HOST}: {text}" if not text.startswith("[") else f"  {text}", file=self.out, flush=True)

    def save(self) -> None:
        write_json(os.path.join(self.dir, "deck.json"), self.deck)

    # ---- the host API the add-ons call ------------------------------------------

    def api(self) -> dict[str, Api]:
        return {
            "store_data": Api(None, self.api_store_data),
            "load_data": Api(None, self.api_load_data),
            "notify": Api("sys.notify", self.api_notify),
            "clipboard_write": Api("sys.clipboard:write", self.api_clipboard_write),
            "clipboard_read": Api("sys.clipboard:read", lambda addon: self.clipboard),
            "deck.list": Api("host.deck_read", lambda addon: [{"id": c["id"], "front": c["front"]}
                                                                for c in self.deck["cards"]]),
            "deck.get": Api("host.deck_read", self.api_deck_get),
            "deck.add": Api("host.deck_write", self.api_deck_add),
            "history.get": Api("host.history", lambda addon: self.deck["history"][-100:]),
        }

    def _data_path(self, addon) -> str:
        return os.path.join(self.dir, "addon-data", addon.id + ".json")

    def api_store_data(self, addon, key: str, value) -> None:
        if not isinstance(key, str) or not DATA_KEY.match(key):
            raise ApiError(rpc.INVALID_PARAMS, "key: 1-64 letters, digits, '_', '.', '-'")
        if len(json.dumps(value)) > MAX_VALUE:
            raise ApiError(rpc.LIMIT_EXCEEDED, f"value over {MAX_VALUE} bytes")
        data = read_json(self._data_path(addon), {})
        if key not in data and len(data) >= MAX_KEYS:
            raise ApiError(rpc.LIMIT_EXCEEDED, f"at most {MAX_KEYS} keys")
        data[key] = value
        write_json(self._data_path(addon), data)

    def api_load_data(self, addon, key: str):
        if not isinstance(key, str) or not DATA_KEY.match(key):
            raise ApiError(rpc.INVALID_PARAMS, "key: 1-64 letters, digits, '_', '.', '-'")
        return read_json(self._data_path(addon), {}).get(key)

    def api_notify(self, addon, text: str) -> None:
        if addon.may_print():
            self.say(f"[notification from {printable(addon.name, 40)}] {printable(text)}")

    def api_clipboard_write(self, addon, text: str) -> None:
        if not isinstance(text, str) or len(text) > MAX_VALUE:
            raise ApiError(rpc.INVALID_PARAMS, "text: a string of at most 16 KiB")
        self.clipboard = text
        self.say(f"({printable(addon.name, 40)} copied {len(text)} characters to the clipboard)")

    def api_deck_get(self, addon, id: int):  # noqa: A002 - the JSON-RPC parameter's name
        for c in self.deck["cards"]:
            if c["id"] == id:
                return c
        raise ApiError(rpc.INVALID_PARAMS, f"no card {printable(id, 20)}")

    def api_deck_add(self, addon, front: str, back: str) -> int:
        if not all(isinstance(x, str) and 0 < len(x) <= 500 for x in (front, back)):
            raise ApiError(rpc.INVALID_PARAMS, "front and back: strings of 1-500 characters")
        # No card_added event for it: the add-on waits for this answer, and
        # an event now would be answered only after it (a deadlock).
        return self.add_card(front, back, by=addon.name, event=False)

    # ---- the app ----------------------------------------------------------------------

    def add_card(self, front: str, back: str, by: str = "you", event: bool = True) -> int:
        card_id = max((c["id"] for c in self.deck["cards"]), default=0) + 1
        self.deck["cards"].append({"id": card_id, "front": front, "back": back, "reviews": 0, "correct": 0})
        self.save()
        self.say(f"added card {card_id}: {printable(front, 60)} (by {printable(by, 40)})")
        if event:
            self.addons.broadcast("handle_event", {"event": "card_added", "data": {"card": card_id}})
        return card_id

    def ask(self, prompt: str) -> str | None:
        print(prompt, end="", file=self.out, flush=True)
        line = self.addons.read_line(self.input_fd)
        if line is not None and not os.isatty(self.input_fd):
            print(line, file=self.out)  # echo answers from a script or pipe, as a terminal would
        return line

    def review(self) -> None:
        cards = sorted(self.deck["cards"], key=lambda c: (c["correct"] - c["reviews"], c["id"]))
        if not cards:
            self.say("the deck is empty: add cards with 'add FRONT | BACK'")
            return
        right = reviewed = 0
        for card in cards:
            print(f"\nQ: {card['front']}", file=self.out)
            self.addons.broadcast("handle_event", {"event": "card_shown", "data": {"card": card["id"]}})
            if self.ask("   (Enter shows the answer) ") is None:
                break
            print(f"A: {card['back']}", file=self.out)
            answer = self.ask("   Did you know it? [y/n] ")
            if answer is None:
                break
            correct = answer.strip().lower() in ("y", "yes")
            card["reviews"] += 1
            card["correct"] += int(correct)
            right += int(correct)
            reviewed += 1
            self.deck["history"].append({"card": card["id"], "correct": correct, "time": int(time.time())})
            self.save()
            self.addons.broadcast("handle_event", {"event": "card_answered",
                                                   "data": {"card": card["id"], "correct": correct}})
        self.say(f"review done: {right} of {reviewed} right")

    def list_addons(self) -> None:
        ids = self.addons.installed()
        if not ids:
            self.say(f"no add-ons installed in {self.profile}/addons")
        for addon_id in ids:
            info, why = self.addons.check(addon_id)
            if info is None:
                print(f"  {addon_id}: REFUSED: {why}", file=self.out)
                continue
            with info:
                e = self.store.effective_grant(info.manifest, self.policy)
                state = "ready" if e.runnable else "waiting for approval"
                print(f"  {addon_id} {info.manifest.version} ({info.manifest.name}): {state}, signed by "
                      f"{info.key_id} ({info.trust})", file=self.out)
                for g in e.entries:
                    print(f"      {str(g.state):14} {g.capability}", file=self.out)
        for a in self.addons.addons:
            print(f"  running: {a.id} ({'pid %d' % a.child.pid if a.child else 'in-process'})", file=self.out)

    def shell(self) -> None:
        while True:
            line = self.ask(f"{HOST}> ")
            if line is None:
                break
            cmd, _, rest = line.strip().partition(" ")
            if cmd in ("", "#"):
                continue
            if cmd == "add":
                front, sep, back = rest.partition("|")
                if not sep or not front.strip() or not back.strip():
                    self.say("usage: add FRONT | BACK")
                else:
                    self.add_card(front.strip(), back.strip())
            elif cmd == "review":
                self.review()
            elif cmd == "addons":
                self.list_addons()
            elif cmd == "wait":
                self.addons.pump(float(rest or 1))
            elif cmd == "clipboard":
                print(f"  clipboard: {printable(self.clipboard)}", file=self.out)
            elif cmd in ("quit", "exit"):
                break
            else:
                self.say(f"unknown command {printable(cmd, 20)!r} (add, review, addons, wait, clipboard, quit)")

    def run(self) -> int:
        cmd = self.args.command
        if cmd != "addons" and not self.args.no_addons:
            if self.args.debug_in_process:
                self.addons.start_in_process(self.args.debug_in_process)
            else:
                self.addons.start_all()
        try:
            if cmd == "add":
                self.add_card(self.args.front, self.args.back)
            elif cmd == "review":
                self.review()
            elif cmd == "addons":
                self.list_addons()
            else:
                self.shell()
        finally:
            self.addons.shutdown_all()
            self.store.close()
        return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="flashcards.py", description="Flashcards whose add-ons run sandboxed.")
    p.add_argument("--profile", help="the profile directory (default: permit's default profile)")
    p.add_argument("--home", help="$HOME as the add-ons' grants see it (default: $HOME)")
    p.add_argument("--policy", help="the host policy (limits, denied capabilities); default: policy.json here")
    p.add_argument("--host-vocabulary", default=os.path.join(HERE, "host-vocabulary.json"))
    p.add_argument("--registry", metavar="DIR", help="also a registry's index.json(.sig) here: refuse what it revokes (the indexes "
                   "kept in the profile by permit install/update are always checked)")
    p.add_argument("--registry-key", metavar="PUBKEY", help="the registry's public key (with --registry)")
    p.add_argument("--heartbeat", type=float, default=5.0, help="seconds between pings (default 5)")
    p.add_argument("--ping-timeout", type=float, default=2.0, help="seconds an add-on has to answer a ping")
    p.add_argument("--call-timeout", type=float, default=5.0, help="seconds an add-on has to answer an event")
    p.add_argument("--no-addons", action="store_true", help="start no add-ons")
    p.add_argument("--report", action="store_true", help="print each add-on's enforcement report as it starts")
    p.add_argument("--debug-in-process", metavar="DIR",
                   help="run the add-on in DIR inside this process, WITHOUT a sandbox (for its developer)")
    p.add_argument("--script", metavar="FILE", help="shell: read commands (and review answers) from FILE")
    sub = p.add_subparsers(dest="command")
    a = sub.add_parser("add", help="add a card")
    a.add_argument("front")
    a.add_argument("back")
    sub.add_parser("review", help="review the cards")
    sub.add_parser("addons", help="list the installed add-ons and what they may do")
    sub.add_parser("shell", help="commands from stdin or --script (the default)")
    args = p.parse_args(argv)
    args.command = args.command or "shell"
    if bool(args.registry) != bool(args.registry_key):
        p.error("--registry and --registry-key go together")
    if args.policy is None and os.path.exists(os.path.join(HERE, "policy.json")):
        args.policy = os.path.join(HERE, "policy.json")
    try:
        args.profile = args.profile or permit.default_profile()
        args.home = args.home or os.environ.get("HOME")
        return App(args).run()
    except permit.PermitError as e:
        print(f"{HOST}: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"{HOST}: {e.filename + ': ' if e.filename else ''}{e.strerror}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"{HOST}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
