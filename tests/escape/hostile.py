#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A hostile add-on in Python, since real add-ons are Python.

`hostile.py ATTACK [ARGS]` performs one attack and prints exactly one line,
like hostile.c:

  ATTACK: ok                 the attack succeeded        (exit 0)
  ATTACK: denied ERRNO_NAME  the kernel refused it       (exit 1)
  ATTACK: error MESSAGE      it could not be attempted   (exit 2)

Only the standard library: what any add-on can do with os, socket,
subprocess and ctypes. tests/escape/escape.py runs it; README.md lists the
attacks.
"""
import errno
import os
import socket
import subprocess
import sys


class SetupError(Exception):
    """The attack could not be attempted (prints "error")."""


def libc():
    import ctypes
    return ctypes, ctypes.CDLL(None, use_errno=True)


def ctypes_call(name, *args):
    """Calls a libc function; raises OSError with its errno when it fails."""
    ctypes, c = libc()
    ret = getattr(c, name)(*args)
    if ret == -1:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return ret


def read(path):
    with open(path, 'rb') as f:
        if not f.read(256):
            raise SetupError(f'{path} is empty: nothing proves it was read')


def create(directory):
    with open(os.path.join(directory, 'created-by-hostile.txt'), 'x') as f:
        f.write('written by a hostile add-on\n')


def overwrite(path):
    with open(path, 'r+') as f:
        f.truncate(0)
        f.write('{}\n')


def delete(path):
    os.unlink(path)


def listdir(path):
    if not os.listdir(path):
        raise SetupError(f'{path} is empty: nothing proves it was listed')


def execute(program, *args):
    # subprocess reports a failed exec as the OSError of the child's execve.
    r = subprocess.run([program, *args], stdin=subprocess.DEVNULL, env={})
    if r.returncode != 0:
        raise SetupError(f'{program} ran but exited {r.returncode}')


def inet(host, port):
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    return family, (host, int(port))


def tcp_connect(host, port):
    family, addr = inet(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.connect(addr)


def udp_send(host, port):
    family, addr = inet(host, port)
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.sendto(b'x', addr)


def unix_connect(path):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)


def unix_abstract(name):
    unix_connect('\0' + name)


def signal_(pid):
    import signal
    os.kill(int(pid), signal.SIGUSR1)


def ptrace(pid):
    """PTRACE_ATTACH through ctypes, then detach."""
    ctypes, _ = libc()
    ctypes_call('ptrace', ctypes.c_long(16), ctypes.c_long(int(pid)), None, None)  # PTRACE_ATTACH
    os.waitpid(int(pid), 0x40000000)  # __WALL
    ctypes_call('ptrace', ctypes.c_long(17), ctypes.c_long(int(pid)), None, None)  # PTRACE_DETACH


def proc_mem(pid, addr):
    with open(f'/proc/{int(pid)}/mem', 'r+b', buffering=0) as f:
        f.seek(int(addr, 0))
        if not f.read(20).startswith(b'permit-victim-secret'):
            raise SetupError("read the victim's memory but not its secret")


def unshare_user():
    ctypes_call('unshare', 0x10000000)  # CLONE_NEWUSER


def memory(mb):
    chunks = []
    for _ in range(int(mb)):
        chunks.append(bytearray(1 << 20))


def fork_bomb(n):
    pids = []
    try:
        for _ in range(int(n)):
            pid = os.fork()
            if pid == 0:
                os.kill(os.getpid(), 19)  # SIGSTOP: stays alive until killed
                os._exit(0)
            pids.append(pid)
    finally:
        for pid in pids:
            os.kill(pid, 9)
        for pid in pids:
            os.waitpid(pid, 0)


def inherited_fd(fd):
    if not os.pread(int(fd), 1, 0):
        raise SetupError('the inherited file is empty')


ATTACKS = {
    'read': read,
    'create': create,
    'overwrite': overwrite,
    'delete': delete,
    'list': listdir,
    'exec': execute,
    'tcp-connect': tcp_connect,
    'udp-send': udp_send,
    'unix-connect': unix_connect,
    'unix-abstract': unix_abstract,
    'signal': signal_,
    'ptrace': ptrace,
    'proc-mem': proc_mem,
    'unshare-user': unshare_user,
    'memory': memory,
    'fork-bomb': fork_bomb,
    'inherited-fd': inherited_fd,
}


def main(argv):
    if len(argv) < 2 or argv[1] not in ATTACKS:
        name = argv[1] if len(argv) > 1 else '?'
        print(f'{name}: error unknown attack (one of: {" ".join(ATTACKS)})')
        return 2
    name = argv[1]
    try:
        ATTACKS[name](*argv[2:])
    except SetupError as e:
        print(f'{name}: error {e}')
        return 2
    except MemoryError:
        print(f'{name}: denied ENOMEM')
        return 1
    except OSError as e:
        if e.errno is None:
            print(f'{name}: error {e}')
            return 2
        print(f'{name}: denied {errno.errorcode.get(e.errno, e.errno)}')
        return 1
    except (TypeError, ValueError) as e:
        print(f'{name}: error usage: {e}')
        return 2
    print(f'{name}: ok')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
