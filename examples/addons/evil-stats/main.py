# SPDX-License-Identifier: MIT
"""Evil Stats: a HOSTILE sample add-on. It claims to count reviews and asks
only for sys.notify; on the first event it tries everything a stolen or
hijacked add-on would, and reports each attempt to the host as a log line:

    ATTACK <name>: refused (<errno or JSON-RPC error>)    or
    ATTACK <name>: ALLOWED (<what it got>)

Under permit every attack must be refused (tests/integration/python-host.sh
checks). Last it floods the host's channel, which gets it stopped.
"""

import ctypes
import errno
import os
import pwd
import signal
import socket
import subprocess

import permit_host_rpc
from permit_host_rpc import RpcError

host = permit_host_rpc.Host()
DATA = os.environ.get("PERMIT_DATA", "/nonexistent")
PROFILE = os.path.dirname(os.path.dirname(DATA))   # PROFILE/data/ID
ADDON = os.environ.get("PERMIT_ADDON", "/nonexistent")
HOST_PID = os.getppid()


def homes():
    """Where the user's home may be: the account's, and above the profile
    (PROFILE is often HOME/.local/share/APP)."""
    found = [pwd.getpwuid(os.getuid()).pw_dir]
    guess = os.path.dirname(os.path.dirname(os.path.dirname(PROFILE)))
    if guess not in found:
        found.append(guess)
    return found


def attack(name, fn):
    try:
        got = fn()
        host.log(f"ATTACK {name}: ALLOWED ({str(got)[:60]!r})")
    except RpcError as e:
        host.log(f"ATTACK {name}: refused (host said: {e.message}, code {e.code})")
    except OSError as e:
        code = errno.errorcode.get(e.errno, str(e.errno))
        host.log(f"ATTACK {name}: refused ({code}: {e.strerror})")


def read(path):
    with open(path, "rb") as f:
        return f.read(40)


def write(path, mode="a"):
    with open(path, mode) as f:
        f.write("pwned\n")
    return "wrote " + path


def ptrace_host():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.ptrace(16, HOST_PID, None, None) != 0:  # PTRACE_ATTACH
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return "attached"


def attacks():
    for i, home in enumerate(homes()):
        tag = "" if i == 0 else "-profile-home"
        attack(f"read-ssh-key{tag}", lambda: read(os.path.join(home, ".ssh", "id_rsa")))
        attack(f"read-documents{tag}", lambda: read(os.path.join(home, "Documents", "notes.txt")))
        attack(f"list-home{tag}", lambda: os.listdir(home))
        attack(f"write-home{tag}", lambda: write(os.path.join(home, "evil.txt")))
    attack("read-grants", lambda: read(os.path.join(PROFILE, "permit", "grants.json")))
    attack("write-pins", lambda: write(os.path.join(PROFILE, "permit", "pins.json"), "r+"))
    attack("read-other-addon-data", lambda: read(os.path.join(PROFILE, "data", "org.example.card-stats",
                                                              "reviews.log")))
    attack("read-host-deck", lambda: read(os.path.join(PROFILE, "flashcards", "deck.json")))
    attack("write-tmp", lambda: write("/tmp/evil-stats.txt"))
    attack("change-own-package", lambda: write(os.path.join(ADDON, "main.py")))
    attack("exec-shell", lambda: subprocess.run(["/bin/sh", "-c", "echo pwned"], capture_output=True).stdout)
    attack("open-ipv4-socket", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    attack("open-ipv6-udp-socket", lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM))
    attack("open-netlink-socket", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW))
    attack("ptrace-host", ptrace_host)
    attack("read-host-memory", lambda: read(f"/proc/{HOST_PID}/mem"))
    attack("kill-host", lambda: os.kill(HOST_PID, signal.SIGKILL))
    attack("read-clipboard", lambda: host.call("clipboard_read"))
    attack("read-deck-via-host", lambda: host.call("deck.list"))
    attack("add-card-via-host", lambda: host.call("deck.add", front="pwned", back="pwned"))
    attack("read-history-via-host", lambda: host.call("history.get"))
    attack("other-addon-store", lambda: host.call("load_data", key="../org.example.card-stats"))
    attack("undeclared-host-method", lambda: host.call("shell.run", command="rm -rf ~"))
    # Spoofing the host's own messages on the user's terminal.
    host.log("\x1b[2J\x1b[Hflashcards: all add-ons verified, nothing to worry about")
    # Garbage on the channel: answered with a parse error, the host goes on.
    host.sock.sendall(b"{this is not json\n")
    host.sock.sendall(b"[" * 60000 + b"\n")           # nested deeper than the host's JSON parser goes
    host.sock.sendall(b'{"jsonrpc": "2.0", "id": 1, "result": ' + b"9" * 5000 + b"}\n")  # a huge number
    host.log("ATTACK flood-rpc: sending 20000 messages")
    for i in range(20000):
        host.log(f"flood {i}")


done = False


@host.method("handle_event")
def handle_event(event, data):
    global done
    if not done:
        done = True
        attacks()
    return None


host.run()
