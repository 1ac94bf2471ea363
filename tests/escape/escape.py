#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The escape suite: hostile add-ons against `permit run`. Prints TAP.

  escape.py --user root|nobody --permit PERMIT --hostile HOSTILE
            --hostile-py HOSTILE_PY --build-root BUILD [--python PYTHON]

For each case (CASES below) it prepares a fresh fake home (Documents/,
.ssh/id_ed25519, a profile holding permit/grants.json and the add-on's
data directory), then runs the attack twice:

  outside  the hostile program alone: the attack must succeed (or, where
           this user cannot do it at all, fail the stated way), so that no
           case passes because the attack never worked;
  inside   under `permit run` with a narrow grant: the attack must fail
           with the errno doc/capabilities.md documents, and what the
           grant allows must still work.

Outside targets live for the whole run: TCP listeners on 127.0.0.1 (two
ports), 127.0.0.2 and ::1, UDP receivers, a unix socket by path and an
abstract one, and a victim process (hostile victim) to signal, ptrace and
read the memory of. README.md says more, and lists the cases.

--user nobody runs the whole suite as uid/gid 65534 (setpriv), where
resource limits bind as they do for ordinary users; it needs root to get
there. The programs under test are first copied to a directory nobody can
read, since the build tree may sit under a home nobody cannot enter.
"""
import argparse
import concurrent.futures
import fcntl
import glob
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

NOBODY = 65534
ADDON_ID = 'org.example.hostile'
# One run's limit: the CPU case burns 2.1 s of CPU, which takes far longer
# on a machine busy with other tests.
RUN_TIMEOUT = 60

# The errno each protection answers with (DESIGN.md section 4, the enforcer's
# doc/capabilities.md). A case names the protection, not the number, so the
# suite and the documentation change together.
class By(str):
    """An expected outcome and the protection that must produce it."""

    def __new__(cls, value, by):
        o = str.__new__(cls, value)
        o.by = by
        return o


LANDLOCK_FS = By('denied EACCES', 'Landlock file-system rules')
LANDLOCK_NET = By('denied EACCES', 'Landlock TCP rules')
LANDLOCK_SCOPE = By('denied EPERM', 'Landlock signal scope (ABI 6)')
SECCOMP_SOCKET = By('denied EACCES', 'seccomp: socket family or type not granted')
LANDLOCK_ABSTRACT = By('denied EPERM', 'Landlock abstract unix socket scope (ABI 6)')
SECCOMP = By('denied EPERM', 'seccomp')
SECCOMP_CLONE3 = By('denied ENOSYS', 'seccomp: clone3 (its flags are in memory; glibc falls back to clone)')
SECCOMP_ARCH = By('denied EPERM', 'seccomp: system calls of another architecture')
LANDLOCK_REFER = By('denied EXDEV', 'Landlock: link or rename into another hierarchy (REFER)')
PROC_MEM = By('denied EACCES', 'Landlock: /proc is not visible')
KILLED_CPU = By('exit 152,137', 'RLIMIT_CPU: SIGXCPU (ignored by the attack), SIGKILL at the hard limit, 1 s later')
KILLED_WALL = By('exit 137', 'the wall-time watchdog: SIGKILL')
RLIMIT_NPROC = By('denied EAGAIN', 'RLIMIT_NPROC')
RLIMIT_AS = By('denied ENOMEM', 'RLIMIT_AS')
RLIMIT_NOFILE = By('denied EMFILE', 'RLIMIT_NOFILE')
RLIMIT_FSIZE = By('denied EFBIG', 'RLIMIT_FSIZE')
CLOSED_FDS = By('denied EBADF', 'descriptors closed before exec')
NO_RAISE = By('denied EPERM', 'hard limit; no CAP_SYS_RESOURCE')
GRANTED = By('ok', 'granted')
BROKER = By('denied EACCES', 'the network broker: only granted hosts and ports (DESIGN.md section 7)')
BROKER_SECCOMP = By('denied EACCES', 'broker mode: seccomp, no IP socket of its own')
PROXY_LANDLOCK = By('denied EACCES', 'proxy mode: Landlock allows TCP connect to the proxy port only')
BROKER_LANDLOCK = By('denied EACCES', 'broker mode: Landlock handles TCP connect with no rule')


def per_user(root, nobody, why):
    """An expectation that differs between root and nobody, with the reason."""
    return {'root': root, 'nobody': nobody, 'why': why}


def sysctl(knob):
    """/proc/sys/KNOB as a number, or None where this kernel has no such knob."""
    try:
        with open('/proc/sys/' + knob) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class Knob:
    """Outside: `ok`, unless the kernel is configured to refuse this to the
    user (refused(value, user) for /proc/sys/KNOB): then EXPECT, the kernel's
    own answer, and the knob is named in the test line."""

    def __init__(self, knob, refused, expect, why, text):
        self.knob, self.refused, self.expect, self.why, self.text = knob, refused, expect, why, text

    def __call__(self, user):
        v = sysctl(self.knob)
        if v is not None and self.refused(v, user):
            return self.expect, f'{self.why}: {self.knob.replace("/", ".")} = {v}'
        return 'ok', None


class CapSysResource:
    """Outside: raising a hard limit takes CAP_SYS_RESOURCE (which some
    machines' root lacks, this one's included)."""
    text = 'ok with CAP_SYS_RESOURCE, else denied EPERM'

    def __call__(self, user):
        if has_cap(24):
            return 'ok', None
        return 'denied EPERM', 'without CAP_SYS_RESOURCE no one may raise a hard limit'


PERF = Knob('kernel/perf_event_paranoid', lambda v, u: v > 2 and u == 'nobody', 'denied EACCES',
            'perf_event_open is off for unprivileged users', 'ok; denied EACCES for nobody when perf_event_paranoid > 2')
BPF = Knob('kernel/unprivileged_bpf_disabled', lambda v, u: v != 0 and u == 'nobody', 'denied EPERM',
           'bpf() is off for unprivileged users', 'ok; denied EPERM for nobody when unprivileged_bpf_disabled')
USERNS = Knob('kernel/unprivileged_userns_clone', lambda v, u: v == 0 and u == 'nobody', 'denied EPERM',
              "Debian's switch for unprivileged user namespaces is off",
              'ok; denied EPERM for nobody when unprivileged_userns_clone = 0 (Debian)')
IO_URING = Knob('kernel/io_uring_disabled', lambda v, u: v == 2 or (v == 1 and u == 'nobody'), 'denied EPERM',
                'io_uring is disabled', 'ok; denied EPERM when io_uring_disabled = 2, for nobody when 1')
TIOCSTI = Knob('dev/tty/legacy_tiocsti', lambda v, u: v == 0 and u == 'nobody', 'denied EIO',
               'TIOCSTI is off for unprivileged users', 'ok; denied EIO for nobody when legacy_tiocsti = 0')
YAMA_TEXT = 'ok; denied {} when Yama ptrace_scope = 3, for nobody when 2'
PTRACE = Knob('kernel/yama/ptrace_scope', lambda v, u: v == 3 or (v == 2 and u == 'nobody'), 'denied EPERM',
              'Yama forbids this ptrace', YAMA_TEXT.format('EPERM'))
PROC_MEM_OUT = Knob('kernel/yama/ptrace_scope', lambda v, u: v == 3 or (v == 2 and u == 'nobody'),
                    'denied EACCES', 'Yama forbids this ptrace', YAMA_TEXT.format('EACCES'))


def everyone(observed, why):
    """An expected failure (a kernel limitation) for both users."""
    return {'root': (observed, why), 'nobody': (observed, why)}


class Case:
    """One attack: its argv (templates filled from the run's places), how it
    runs inside, and what it must print outside and inside.

    out / inside: 'ok', 'denied ERRNO', 'exit N[,N...]' (permit's exit status,
    128+signal), or per_user(...). xfail: (observed, reason) when the kernel
    cannot stop it: the inside run must then show exactly that, as a TAP TODO.
    """

    def __init__(self, name, argv, inside, out='ok', lang='c', grant=(), limits=(), net=(),
                 client=False, tty=False, inherit=False, handle=False, xfail=None, what=''):
        self.name, self.argv, self.inside, self.out, self.net = name, argv, inside, out, list(net)
        self.lang, self.grant, self.limits = lang, list(grant), list(limits)
        self.client, self.tty, self.inherit, self.handle = client, tty, inherit, handle
        self.xfail, self.what = xfail, what


def C(*a, **k):
    return Case(*a, lang='c', **k)


def PY(*a, **k):
    return Case(*a, lang='py', **k)


SH_OK = ['/bin/sh', '-c', 'exit 0']
LISTEN = ['net.listen:{GRANTED_PORT}']
CONNECT = ['net.connect:127.0.0.1:{TCP_PORT}']
# Direct mode: TCP sockets of its own, Landlock checks the ports (permit run's default is the broker).
DIRECT = ['--net', 'direct']
# Broker mode: api.example.com is granted; names resolve through the broker's map (loopback only).
API = ['net.connect:api.example.com:{TCP_PORT}']
PROXY = ['--net', 'proxy']
NAMES = ['--resolve', 'api.example.com=127.0.0.1', '--resolve', 'evil.example.com=127.0.0.2',
         '--resolve', 'evil-example.com=127.0.0.2', '--resolve', 'www.example.com=127.0.0.1']
HOME_RW = ['fs.write:$HOME']
SHADOW = '/etc/shadow is readable by root only'
MKNOD = 'making a device node needs CAP_MKNOD'
BY_HANDLE = 'open_by_handle_at needs CAP_DAC_READ_SEARCH'
CANNOT_MOUNT = 'an unprivileged user cannot mount (CAP_SYS_ADMIN) outside a namespace of its own'
NO_RAW = 'raw and packet sockets need CAP_NET_RAW'
NO_CHMOD = 'Landlock (ABI 7) has no right for file metadata: chmod, chown, utimes, xattrs'
LDSO = ('Landlock checks the execute right at execve only; ld.so must be executable (it is the interpreter of '
        'every dynamic program) and maps PROGRAM with mmap(PROT_EXEC), which Landlock does not check')
UNIX_BY_PATH = ('Landlock before ABI 9 has no right for connect() to a unix socket by path, and the display '
                'needs AF_UNIX sockets')
ABSTRACT_SCOPE = ('Landlock scopes abstract unix sockets all or none, and X11 listens on one outside, so '
                  'sys.display lifts the scope')
DIRECT_HOSTS = ('direct mode (--net direct) keeps net.connect a Landlock port rule, which cannot name hosts; the '
                'report says "partly". Broker mode, the default, closes it (connect-other-host, broker-other-host)')
NPROC_ROOT = 'RLIMIT_NPROC never binds a process whose real uid is 0 (kernel/fork.c), and permit run keeps the uid'

CASES = [
    # -- files: the grant is fs.read:$DOCUMENTS; $DATA and $TMP are the add-on's own
    C('doc-create', ['create', '{DOCS}'], LANDLOCK_FS, what='create a file in ~/Documents (read-only grant)'),
    C('doc-overwrite', ['overwrite', '{NOTES}'], LANDLOCK_FS, what='overwrite ~/Documents/notes.txt'),
    C('doc-delete', ['delete', '{NOTES}'], LANDLOCK_FS, what='delete ~/Documents/notes.txt'),
    C('doc-rename', ['rename', '{NOTES}'], LANDLOCK_FS, what='rename ~/Documents/notes.txt'),
    C('doc-truncate', ['truncate', '{NOTES}'], LANDLOCK_FS, what='truncate(2) ~/Documents/notes.txt by path'),
    C('doc-chmod', ['chmod', '{NOTES}'], LANDLOCK_FS, xfail=everyone('ok', NO_CHMOD),
      what='chmod 000 ~/Documents/notes.txt'),
    C('bashrc-append', ['append', '{BASHRC}'], LANDLOCK_FS, what='append a command to ~/.bashrc'),
    C('ssh-read', ['read', '{KEY}'], LANDLOCK_FS, what='read ~/.ssh/id_ed25519'),
    C('ssh-list', ['list', '{SSH}'], LANDLOCK_FS, what='list ~/.ssh'),
    C('grants-write', ['overwrite', '{DATA}/../../permit/grants.json'], LANDLOCK_FS,
      what="overwrite the profile's permit/grants.json, reached from $DATA by .."),
    C('grants-read', ['read', '{GRANTS}'], LANDLOCK_FS, what="read the profile's permit/grants.json"),
    C('outside-create', ['create', '{OUTSIDE}'], LANDLOCK_FS, what='create a file in a directory outside every grant'),
    C('symlink-read', ['symlink-read', '{DATA}', '{KEY}'], LANDLOCK_FS,
      what='symlink in $DATA to ~/.ssh/id_ed25519, read through it'),
    C('symlink-write', ['symlink-write', '{DATA}', '{NOTES}'], LANDLOCK_FS,
      what='symlink in $DATA to ~/Documents/notes.txt, write through it'),
    C('symlink-dir', ['symlink-dir', '{DATA}', '{DOCS}'], LANDLOCK_FS,
      what='symlink in $DATA to ~/Documents, create a file through it'),
    C('hardlink-read', ['hardlink-read', '{DATA}', '{KEY}'], LANDLOCK_REFER,
      what='hard link ~/.ssh/id_ed25519 into $DATA, read it'),
    C('hardlink-write', ['hardlink-write', '{DATA}', '{NOTES}'], LANDLOCK_REFER,
      what='hard link ~/Documents/notes.txt into $DATA, write it'),
    C('rename-out', ['rename-out', '{DATA}', '{DOCS}'], LANDLOCK_FS,
      what='move a file made in $DATA into ~/Documents'),
    C('rename-in', ['rename-in', '{NOTES}', '{DATA}'], LANDLOCK_FS,
      what='move ~/Documents/notes.txt into $DATA (takes it away)'),
    C('etc-shadow', ['read', '/etc/shadow'], LANDLOCK_FS, out=per_user('ok', 'denied EACCES', SHADOW),
      what='read /etc/shadow'),
    C('mknod-dev', ['mknod-dev', '{DATA}', '/dev/kmsg'], LANDLOCK_FS, out=per_user('ok', 'denied EPERM', MKNOD),
      what="make a node for /dev/kmsg in $DATA and read the kernel's log through it"),
    C('open-by-handle', ['open-by-handle', '{DATA}', '{HANDLE_TYPE}', '{HANDLE}'], SECCOMP, handle=True,
      out=per_user('ok', 'denied EPERM', BY_HANDLE),
      what='open ~/.ssh/id_ed25519 by its file handle (open_by_handle_at: no path)'),
    # -- fs.write:$HOME granted: the profile's store under it must stay out of reach
    C('home-grant-grants-write', ['overwrite', '{GRANTS}'], LANDLOCK_FS, grant=HOME_RW,
      what="fs.write:$HOME granted: overwrite the profile's permit/grants.json"),
    C('home-grant-grants-read', ['read', '{GRANTS}'], LANDLOCK_FS, grant=HOME_RW,
      what="fs.write:$HOME granted: read the profile's permit/grants.json"),
    C('home-grant-store-rename', ['rename', '{STORE}'], LANDLOCK_FS, grant=HOME_RW,
      what="fs.write:$HOME granted: rename the profile's permit/ away"),
    C('home-grant-profile-rename', ['rename', '{PROFILE}'], LANDLOCK_FS, grant=HOME_RW,
      what="fs.write:$HOME granted: rename the profile that holds permit/"),
    # -- ... and so must the other add-ons' data and packages in the profile
    C('home-grant-other-data-read', ['read', '{OTHER_DATA}/secret.json'], LANDLOCK_FS, grant=HOME_RW,
      what="fs.write:$HOME granted: read another add-on's $DATA (PROFILE/data/OTHER)"),
    C('home-grant-other-data-write', ['overwrite', '{OTHER_DATA}/secret.json'], LANDLOCK_FS, grant=HOME_RW,
      what="fs.write:$HOME granted: overwrite another add-on's $DATA"),
    C('home-read-other-data', ['read', '{OTHER_DATA}/secret.json'], LANDLOCK_FS, grant=['fs.read:$HOME'],
      what="fs.read:$HOME granted: read another add-on's $DATA"),
    C('home-grant-other-addon-write', ['overwrite', '{OTHER_ADDON}/main.py'], LANDLOCK_FS, grant=HOME_RW,
      what="fs.write:$HOME granted: change another add-on's installed package (PROFILE/addons/OTHER)"),
    C('granted-home-own-data', ['read', '{DATA}/state.json'], GRANTED, grant=HOME_RW,
      what="fs.write:$HOME granted: its own $DATA in the same profile still works"),
    C('granted-home-write', ['create', '{DOCS}'], GRANTED, grant=HOME_RW,
      what='fs.write:$HOME granted: create a file in ~/Documents'),
    # -- what the grant allows still works
    C('granted-data-create', ['create', '{DATA}'], GRANTED, what='create a file in $DATA'),
    C('granted-data-read', ['read', '{DATA}/state.json'], GRANTED, what='read a file in $DATA'),
    C('granted-tmp-create', ['create', '{TMP}'], GRANTED, what='create a file in $TMP'),
    C('granted-doc-read', ['read', '{NOTES}'], GRANTED, what='read ~/Documents/notes.txt (fs.read:$DOCUMENTS)'),
    C('granted-doc-list', ['list', '{DOCS}'], GRANTED, what='list ~/Documents (fs.read:$DOCUMENTS)'),
    C('granted-listen', ['tcp-accept', '127.0.0.1', '{GRANTED_PORT}'], GRANTED, grant=LISTEN, client=True,
      net=DIRECT, what='net.listen:PORT granted, direct mode: listen on 127.0.0.1:PORT, a client outside connects'),
    # -- executing
    C('exec-sh', ['exec'] + SH_OK, LANDLOCK_FS, what='run /bin/sh'),
    C('exec-copy', ['exec-copy', '{DATA}'] + SH_OK, LANDLOCK_FS, what='copy /bin/sh into $DATA and run the copy'),
    C('memfd-exec', ['memfd-exec', '/bin/true'], SECCOMP,
      what='copy /bin/true into a memfd and fexecve it (no path for Landlock)'),
    C('exec-ldso', ['exec-ldso', '{LDSO}'] + SH_OK, LANDLOCK_FS, xfail=everyone('ok', LDSO),
      what='run /bin/sh through the dynamic loader (ld.so maps it, no execve of /bin/sh)'),
    # -- other processes (the victim runs outside, as the same user)
    C('signal', ['signal', '{PID}'], LANDLOCK_SCOPE, what='kill(victim, SIGUSR1)'),
    C('signal-host', ['signal-parent'], LANDLOCK_SCOPE, limits=['wall_seconds=60'],
      what='kill(getppid(), SIGUSR1): the permit run that watches its wall time (the runner ignores SIGUSR1)'),
    C('ptrace', ['ptrace', '{PID}'], SECCOMP, out=PTRACE, what='PTRACE_ATTACH to the victim'),
    C('proc-mem', ['proc-mem', '{PID}', '{ADDR}'], PROC_MEM, out=PROC_MEM_OUT, what="open /proc/VICTIM/mem read-write, read its secret"),
    C('vm-read', ['vm-read', '{PID}', '{ADDR}'], SECCOMP, out=PTRACE, what="process_vm_readv the victim's secret"),
    # -- kernel attack surface
    C('unshare-user', ['unshare-user'], SECCOMP, out=USERNS, what='unshare(CLONE_NEWUSER)'),
    C('userns-mount', ['userns-mount', '{MNT}'], SECCOMP, out=USERNS,
      what='unshare a user and mount namespace, mount a tmpfs there'),
    C('clone-newuser', ['clone-newuser'], SECCOMP, out=USERNS, what='clone(CLONE_NEWUSER)'),
    C('clone3-newuser', ['clone3-newuser'], SECCOMP_CLONE3, out=USERNS, what='clone3() with CLONE_NEWUSER (flags in memory)'),
    C('mount', ['mount', '{MNT}'], SECCOMP, out=per_user('ok', 'denied EPERM', CANNOT_MOUNT),
      what='mount a tmpfs'),
    C('keyctl', ['keyctl'], SECCOMP, what='add_key() to the process keyring'),
    C('bpf', ['bpf'], SECCOMP, out=BPF, what='bpf(BPF_MAP_CREATE)'),
    C('io-uring', ['io-uring'], SECCOMP, out=IO_URING, what='io_uring_setup()'),
    C('perf-event', ['perf-event'], SECCOMP, out=PERF, what='perf_event_open() on itself, user space only'),
    C('userfaultfd', ['userfaultfd'], SECCOMP, what='userfaultfd(UFFD_USER_MODE_ONLY)'),
    C('tiocsti', ['tiocsti', '0'], SECCOMP, out=TIOCSTI, tty=True,
      what='TIOCSTI: type into the terminal it was started from'),
    C('tiocsti-hibits', ['tiocsti-hibits', '0'], SECCOMP, out=TIOCSTI, tty=True,
      what='TIOCSTI with bit 32 of the command set (CVE-2019-10063)'),
    C('personality', ['personality'], SECCOMP, what='personality(ADDR_NO_RANDOMIZE)'),
    C('compat-socket', ['compat-socket'], SECCOMP_ARCH,
      what='socket(AF_INET) through the i386 system call table (int $0x80)'),
    C('rlimit-raise', ['rlimit-raise'], NO_RAISE, out=CapSysResource(), limits=['memory_mb=256'],
      what='raise the RLIMIT_AS hard limit back to unlimited'),
    # -- network: no net capability at all
    C('tcp-connect', ['tcp-connect', '127.0.0.1', '{TCP_PORT}'], SECCOMP_SOCKET,
      what='TCP connect to a listener on 127.0.0.1'),
    C('tcp6-connect', ['tcp-connect', '::1', '{TCP6_PORT}'], SECCOMP_SOCKET, what='TCP connect to a listener on ::1'),
    C('tcp-listen', ['tcp-listen', '127.0.0.1', '{FREE_PORT}'], SECCOMP_SOCKET, what='listen on 127.0.0.1'),
    C('udp-send', ['udp-send', '127.0.0.1', '{UDP_PORT}'], SECCOMP_SOCKET, what='send a UDP datagram to 127.0.0.1'),
    C('udp6-send', ['udp-send', '::1', '{UDP6_PORT}'], SECCOMP_SOCKET, what='send a UDP datagram to ::1'),
    C('packet-socket', ['packet-socket'], SECCOMP_SOCKET, out=per_user('ok', 'denied EPERM', NO_RAW),
      what='socket(AF_PACKET)'),
    C('raw-socket', ['raw-socket'], SECCOMP_SOCKET, out=per_user('ok', 'denied EPERM', NO_RAW),
      what='socket(AF_INET, SOCK_RAW)'),
    C('netlink-socket', ['netlink-socket'], SECCOMP_SOCKET, what='socket(AF_NETLINK, NETLINK_ROUTE) and bind'),
    C('unix-connect', ['unix-connect', '{UNIX_PATH}'], SECCOMP_SOCKET,
      what='connect to a unix socket outside by its path'),
    C('unix-abstract', ['unix-abstract', '{ABSTRACT}'], SECCOMP_SOCKET,
      what='connect to an abstract unix socket outside'),
    # -- direct mode (--net direct), net.listen:PORT granted: IP sockets exist, TCP is ruled by Landlock
    C('listen-other-port', ['tcp-listen', '127.0.0.1', '{FREE_PORT}'], LANDLOCK_NET, grant=LISTEN, net=DIRECT,
      what='net.listen:PORT granted, direct mode: listen on another port'),
    C('listen-then-connect', ['tcp-connect', '127.0.0.1', '{TCP_PORT}'], LANDLOCK_NET, grant=LISTEN, net=DIRECT,
      what='net.listen:PORT granted, direct mode: TCP connect out'),
    C('listen-then-udp', ['udp-send', '127.0.0.1', '{UDP_PORT}'], SECCOMP_SOCKET, grant=LISTEN, net=DIRECT,
      what='net.listen:PORT granted, direct mode: send UDP (Landlock knows only TCP)'),
    # -- direct mode, net.connect:127.0.0.1:PORT granted: Landlock ports, not hosts
    C('granted-connect', ['tcp-connect', '127.0.0.1', '{TCP_PORT}'], GRANTED, grant=CONNECT, net=DIRECT,
      what='net.connect:127.0.0.1:PORT granted, direct mode: connect to it'),
    C('connect-other-port', ['tcp-connect', '127.0.0.1', '{TCP2_PORT}'], LANDLOCK_NET, grant=CONNECT, net=DIRECT,
      what='net.connect:127.0.0.1:PORT granted, direct mode: connect to another port'),
    C('direct-other-host', ['tcp-connect', '127.0.0.2', '{TCP_PORT}'], BROKER, grant=CONNECT, net=DIRECT,
      xfail=everyone('ok', DIRECT_HOSTS),
      what='net.connect:127.0.0.1:PORT granted, direct mode: the same port on another host'),
    # -- broker mode (the default): no IP socket of its own; the broker connects by name
    C('connect-other-host', ['tcp-connect', '127.0.0.2', '{TCP_PORT}'], BROKER_SECCOMP, grant=CONNECT,
      what='net.connect:127.0.0.1:PORT granted: connect to the same port on another host'),
    C('broker-granted', ['broker-connect', 'api.example.com', '{TCP_PORT}', '127.0.0.1'], GRANTED, grant=API,
      net=NAMES, what='net.connect:api.example.com:PORT granted: the broker connects to it'),
    C('broker-other-host', ['broker-connect', 'evil.example.com', '{TCP_PORT}', '127.0.0.2'], BROKER, grant=API,
      net=NAMES, what='net.connect:api.example.com:PORT granted: ask the broker for another host'),
    C('broker-other-port', ['broker-connect', 'api.example.com', '{TCP2_PORT}', '127.0.0.1'], BROKER, grant=API,
      net=NAMES, what='net.connect:api.example.com:PORT granted: ask the broker for another port'),
    C('broker-ip', ['broker-connect', '127.0.0.1', '{TCP_PORT}', '127.0.0.1'], BROKER, grant=API, net=NAMES,
      what="net.connect:api.example.com:PORT granted: ask the broker for the granted host's address"),
    C('broker-ipv6', ['broker-connect', '::1', '{TCP6_PORT}', '::1'], BROKER, grant=API, net=NAMES,
      what='net.connect:api.example.com:PORT granted: ask the broker for ::1'),
    C('broker-wildcard', ['broker-connect', 'evil-example.com', '{TCP_PORT}', '127.0.0.2'], BROKER,
      grant=['net.connect:*.example.com:{TCP_PORT}'], net=NAMES,
      what='net.connect:*.example.com:PORT granted: ask for evil-example.com'),
    C('broker-wildcard-granted', ['broker-connect', 'www.example.com', '{TCP_PORT}', '127.0.0.1'], GRANTED,
      grant=['net.connect:*.example.com:{TCP_PORT}'], net=NAMES,
      what='net.connect:*.example.com:PORT granted: www.example.com'),
    C('broker-reconnect', ['broker-connect-then', 'api.example.com', '{TCP_PORT}', '127.0.0.1', '127.0.0.2',
                           '{TCP_PORT}'], BROKER_LANDLOCK, grant=API, net=NAMES,
      what="a socket from the broker, disconnected (connect(AF_UNSPEC)) and connected to another host"),
    C('broker-direct', ['tcp-connect', '127.0.0.1', '{TCP_PORT}'], BROKER_SECCOMP, grant=API, net=NAMES,
      what='net.connect:api.example.com:PORT granted: a TCP socket of its own to its address'),
    C('broker-udp', ['udp-send', '127.0.0.1', '{UDP_PORT}'], SECCOMP_SOCKET, grant=API, net=NAMES,
      what='net.connect:api.example.com:PORT granted: send UDP (a DNS query to any resolver alike)'),
    C('broker-raw', ['raw-socket'], SECCOMP_SOCKET, grant=API, net=NAMES, out=per_user('ok', 'denied EPERM', NO_RAW),
      what='net.connect:api.example.com:PORT granted: socket(AF_INET, SOCK_RAW)'),
    C('broker-io-uring', ['io-uring'], SECCOMP, grant=API, net=NAMES, out=IO_URING,
      what='net.connect:api.example.com:PORT granted: io_uring_setup() (io_uring connect)'),
    # -- proxy mode: a network namespace holding loopback and the broker's proxy only
    C('proxy-direct', ['tcp-connect', '127.0.0.1', '{TCP_PORT}'], PROXY_LANDLOCK, grant=API, net=PROXY + NAMES,
      what="net.connect:api.example.com:PORT granted, proxy mode: TCP to its address, around the proxy"),
    C('proxy-other-host', ['tcp-connect', '127.0.0.2', '{TCP_PORT}'], PROXY_LANDLOCK, grant=API, net=PROXY + NAMES,
      what='net.connect:api.example.com:PORT granted, proxy mode: TCP to another host'),
    C('proxy-ipv6', ['tcp-connect', '::1', '{TCP6_PORT}'], PROXY_LANDLOCK, grant=API, net=PROXY + NAMES,
      what='net.connect:api.example.com:PORT granted, proxy mode: TCP to ::1'),
    C('proxy-udp', ['udp-send', '127.0.0.1', '{UDP_PORT}'], SECCOMP_SOCKET, grant=API, net=PROXY + NAMES,
      what='net.connect:api.example.com:PORT granted, proxy mode: send UDP (a DNS query alike)'),
    # -- sys.display granted: what it lets through besides the display
    C('display-unix-connect', ['unix-connect', '{UNIX_PATH}'], LANDLOCK_FS, grant=['sys.display'],
      xfail=everyone('ok', UNIX_BY_PATH), what='sys.display granted: connect to another unix socket by its path'),
    C('display-unix-abstract', ['unix-abstract', '{ABSTRACT}'], LANDLOCK_ABSTRACT, grant=['sys.display'],
      xfail=everyone('ok', ABSTRACT_SCOPE), what='sys.display granted: connect to another abstract unix socket'),
    C('display-memfd-exec', ['memfd-exec', '/bin/true'], SECCOMP, grant=['sys.display'],
      what='sys.display granted (memfd_create allowed): fexecve a memfd'),
    # -- resources
    C('fork-bomb', ['fork-bomb', '64'], RLIMIT_NPROC, limits=['processes=32'],
      xfail={'root': ('ok', NPROC_ROOT)}, what='start 64 processes under processes=32'),
    C('memory', ['memory', '256'], RLIMIT_AS, limits=['memory_mb=64'],
      what='map and touch 256 MiB under memory_mb=64'),
    C('cpu', ['cpu', '2.1'], KILLED_CPU, limits=['cpu_seconds=1'],
      what='burn 2.1 s of CPU, ignoring SIGXCPU, under cpu_seconds=1'),
    C('open-files', ['open-files', '256'], RLIMIT_NOFILE, limits=['open_files=64'],
      what='hold 256 descriptors under open_files=64'),
    C('file-size', ['file-size', '{DATA}', '4'], RLIMIT_FSIZE, limits=['file_size_mb=1'],
      what='write a 4 MiB file in $DATA, ignoring SIGXFSZ, under file_size_mb=1'),
    C('wall-time', ['sleep', '1.2'], KILLED_WALL, limits=['wall_seconds=1'],
      what='sleep 1.2 s under wall_seconds=1'),
    C('inherited-fd', ['inherited-fd', '{FD}'], CLOSED_FDS, inherit=True,
      what="read ~/.ssh/id_ed25519 through a descriptor the host left open"),
    # -- the same ideas from Python, as real add-ons are written
    PY('py-doc-create', ['create', '{DOCS}'], LANDLOCK_FS, what='create a file in ~/Documents'),
    PY('py-doc-overwrite', ['overwrite', '{NOTES}'], LANDLOCK_FS, what='overwrite ~/Documents/notes.txt'),
    PY('py-doc-delete', ['delete', '{NOTES}'], LANDLOCK_FS, what='delete ~/Documents/notes.txt'),
    PY('py-ssh-read', ['read', '{KEY}'], LANDLOCK_FS, what='read ~/.ssh/id_ed25519'),
    PY('py-ssh-list', ['list', '{SSH}'], LANDLOCK_FS, what='os.listdir(~/.ssh)'),
    PY('py-granted-data-create', ['create', '{DATA}'], GRANTED, what='create a file in $DATA'),
    PY('py-granted-doc-read', ['read', '{NOTES}'], GRANTED, what='read ~/Documents/notes.txt (granted)'),
    PY('py-exec-sh', ['exec'] + SH_OK, LANDLOCK_FS, what='subprocess.run(/bin/sh)'),
    PY('py-tcp-connect', ['tcp-connect', '127.0.0.1', '{TCP_PORT}'], SECCOMP_SOCKET,
       what='socket.connect to 127.0.0.1'),
    PY('py-udp-send', ['udp-send', '127.0.0.1', '{UDP_PORT}'], SECCOMP_SOCKET, what='socket.sendto over UDP'),
    PY('py-unix-connect', ['unix-connect', '{UNIX_PATH}'], SECCOMP_SOCKET, what='connect to a unix socket by path'),
    PY('py-unix-abstract', ['unix-abstract', '{ABSTRACT}'], SECCOMP_SOCKET, what='connect to an abstract unix socket'),
    PY('py-signal', ['signal', '{PID}'], LANDLOCK_SCOPE, what='os.kill(victim, SIGUSR1)'),
    PY('py-ptrace', ['ptrace', '{PID}'], SECCOMP, out=PTRACE, what='ctypes: ptrace(PTRACE_ATTACH, victim)'),
    PY('py-proc-mem', ['proc-mem', '{PID}', '{ADDR}'], PROC_MEM, out=PROC_MEM_OUT, what="read /proc/VICTIM/mem"),
    PY('py-unshare-user', ['unshare-user'], SECCOMP, out=USERNS, what='ctypes: unshare(CLONE_NEWUSER)'),
    PY('py-memory', ['memory', '256'], RLIMIT_AS, limits=['memory_mb=96'],
      what='allocate 256 MiB of bytearrays under memory_mb=96'),
    PY('py-fork-bomb', ['fork-bomb', '64'], RLIMIT_NPROC, limits=['processes=32'],
      xfail={'root': ('ok', NPROC_ROOT)}, what='os.fork() 64 times under processes=32'),
    PY('py-inherited-fd', ['inherited-fd', '{FD}'], CLOSED_FDS, inherit=True,
      what='os.pread a descriptor the host left open'),
]


# ---- TAP ---------------------------------------------------------------

class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def result(self, ok, desc, notes=(), todo=None):
        self.n += 1
        if not ok and todo is None:
            self.failed += 1
        line = f'{"ok" if ok else "not ok"} {self.n} - {desc}'
        if todo is not None:
            line += f' # TODO {todo}'
        print(line)
        for note in notes:
            print(f'# {note}')
        sys.stdout.flush()

    def note(self, text):
        print(f'# {text}')
        sys.stdout.flush()


# ---- the outside world the add-on attacks ----------------------------------

def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on (for now)."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Targets:
    """Listeners and a victim outside any sandbox, for the whole run."""

    def __init__(self, work, hostile):
        self.sockets = []
        self.places = {}
        tcp = self.listen(socket.AF_INET, ('127.0.0.1', 0))
        tcp2 = self.listen(socket.AF_INET, ('127.0.0.1', 0))
        self.listen(socket.AF_INET, ('127.0.0.2', tcp))  # same port, another host
        tcp6 = self.listen(socket.AF_INET6, ('::1', 0))
        unix_path = os.path.join(work, 'outside.sock')
        self.listen(socket.AF_UNIX, unix_path)
        abstract = f'permit-escape-{os.getpid()}'
        self.listen(socket.AF_UNIX, '\0' + abstract)
        udp = self.udp(socket.AF_INET, ('127.0.0.1', 0))
        udp6 = self.udp(socket.AF_INET6, ('::1', 0))
        self.victim = subprocess.Popen([hostile, 'victim'], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                       text=True)
        words = self.victim.stdout.readline().split()
        if len(words) != 3 or words[0] != 'ready':
            raise RuntimeError(f'the victim did not start: {words}')
        self.places.update(TCP_PORT=tcp, TCP2_PORT=tcp2, TCP6_PORT=tcp6, UDP_PORT=udp, UDP6_PORT=udp6,
                           UNIX_PATH=unix_path, ABSTRACT=abstract, PID=words[1], ADDR=words[2])

    def listen(self, family, addr):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.bind(addr)
        s.listen(64)
        self.sockets.append(s)
        threading.Thread(target=self.accept_forever, args=(s,), daemon=True).start()
        return s.getsockname()[1] if family != socket.AF_UNIX else None

    def udp(self, family, addr):
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.bind(addr)
        self.sockets.append(s)
        return s.getsockname()[1]

    @staticmethod
    def accept_forever(s):
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            c.close()

    def alive(self):
        return self.victim.poll() is None

    def close(self):
        self.victim.kill()
        self.victim.wait()
        for s in self.sockets:
            s.close()


def make_home(base):
    """A fresh fake home for one run; returns the places an attack names."""
    home = os.path.join(base, 'home')
    docs = os.path.join(home, 'Documents')
    ssh = os.path.join(home, '.ssh')
    profile = os.path.join(home, '.local', 'share', 'permit', 'profiles', 'default')
    data = os.path.join(profile, 'data', ADDON_ID)
    other_data = os.path.join(profile, 'data', 'org.example.other')
    other_addon = os.path.join(profile, 'addons', 'org.example.other')
    tmp = os.path.join(base, 'tmp')
    outside = os.path.join(base, 'outside')
    mnt = os.path.join(outside, 'mnt')
    for d in (docs, ssh, os.path.join(profile, 'permit'), data, other_data, other_addon, tmp, mnt):
        os.makedirs(d, mode=0o700)
    files = {
        os.path.join(docs, 'notes.txt'): 'my private notes\n',
        os.path.join(ssh, 'id_ed25519'): '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n',
        os.path.join(home, '.bashrc'): '# ~/.bashrc\n',
        os.path.join(profile, 'permit', 'grants.json'): '{"addons": {}}\n',
        os.path.join(data, 'state.json'): '{"count": 1}\n',
        os.path.join(other_data, 'secret.json'): '{"token": "another add-on\'s"}\n',
        os.path.join(other_addon, 'main.py'): 'print("another add-on")\n',
    }
    for path, text in files.items():
        with open(path, 'w') as f:
            f.write(text)
    return dict(HOME=home, DOCS=docs, NOTES=os.path.join(docs, 'notes.txt'), SSH=ssh,
                KEY=os.path.join(ssh, 'id_ed25519'), BASHRC=os.path.join(home, '.bashrc'),
                GRANTS=os.path.join(profile, 'permit', 'grants.json'), STORE=os.path.join(profile, 'permit'),
                PROFILE=profile, DATA=data, OTHER_DATA=other_data, OTHER_ADDON=other_addon, TMP=tmp,
                OUTSIDE=outside, MNT=mnt)


def elf_interpreter(path):
    """PT_INTERP of an ELF64 little-endian program: the dynamic loader."""
    with open(path, 'rb') as f:
        elf = f.read()
    if elf[:4] != b'\x7fELF' or elf[4] != 2:
        raise RuntimeError(f'{path}: not an ELF64 program')
    phoff, = struct.unpack_from('<Q', elf, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', elf, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from('<IIQQQQ', elf, phoff + i * phentsize)
        if p_type == 3:  # PT_INTERP
            return elf[p_offset:p_offset + p_filesz].rstrip(b'\0').decode()
    raise RuntimeError(f'{path}: no PT_INTERP')


def has_cap(bit):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('CapEff:'):
                return bool(int(line.split()[1], 16) >> bit & 1)
    return False


# ---- running one attack ----------------------------------------------------

class Suite:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.user = args.user
        self.tap = Tap()
        # The add-on's package directory ($ADDON, read-only inside).
        self.addon = os.path.join(work, 'addon')
        os.makedirs(self.addon)
        self.hostile = os.path.join(self.addon, 'hostile')
        self.hostile_py = os.path.join(self.addon, 'hostile.py')
        shutil.copy(args.hostile, self.hostile)
        shutil.copy(args.hostile_py, self.hostile_py)
        os.chmod(self.hostile, 0o755)
        self.targets = Targets(work, self.hostile)
        self.global_places = dict(self.targets.places, LDSO=elf_interpreter('/bin/sh'))
        self.ptrace_lock = threading.Lock()

    def close(self):
        self.targets.close()

    def expected(self, case, where):
        """(expectation, reason or None, todo or None) for this user."""
        e = case.out if where == 'outside' else case.inside
        why = None
        if isinstance(e, dict):
            why = e['why']
            e = e[self.user]
        if callable(e):
            e, why = e(self.user)
        todo = None
        if where == 'inside' and case.xfail and self.user in case.xfail:
            e, todo = case.xfail[self.user]
        return e, why, todo

    def command(self, case, where, places):
        argv = [a.format(**places) for a in case.argv]
        if case.lang == 'c':
            prog = [self.hostile] + argv
        else:
            prog = [self.args.python, '-I', self.hostile_py] + argv
        if where == 'outside':
            return prog
        cmd = [self.args.permit, 'run', '--addon-dir', self.addon, '--data', places['DATA'],
               '--tmp', places['TMP'], '--home', places['HOME'], '--allow', 'fs.read:$DOCUMENTS']
        for g in case.grant:
            cmd += ['--allow', g.format(**places)]
        for limit in case.limits:
            cmd += ['--limit', limit]
        return cmd + case.net + ['--'] + prog

    def run(self, case, where):
        base = os.path.join(self.work, f'{case.lang}-{case.name}-{where}')
        # Ports of its own: cases run in parallel, and a port held by one
        # would make another's listen fail.
        places = dict(self.global_places, FREE_PORT=free_port(), GRANTED_PORT=free_port(), **make_home(base))
        fds = []  # closed when the run is over
        passed = ()
        if case.inherit:
            fd = os.open(places['KEY'], os.O_RDONLY)
            fds.append(fd)
            passed = (fd,)
            places['FD'] = str(fd)
        if case.handle:
            # The key's file handle, taken outside: the attack inside needs
            # only open_by_handle_at().
            h = subprocess.run([self.hostile, 'handle', places['KEY']], stdout=subprocess.PIPE, text=True,
                               check=True).stdout.split()
            places.update(HANDLE_TYPE=h[0], HANDLE=h[1])
        cmd = self.command(case, where, places)
        env = {'PATH': '/usr/bin:/bin', 'HOME': places['HOME'], 'LANG': 'C.UTF-8'}
        for k in ('ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LD_LIBRARY_PATH'):
            if k in os.environ:
                env[k] = os.environ[k]
        stdin = subprocess.DEVNULL
        preexec = None
        if case.tty:
            master, slave = os.openpty()
            fds += [master, slave]
            stdin = slave

            def preexec():
                # A session of its own whose controlling terminal is the pty,
                # as when a user starts the add-on from a terminal.
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        start = time.monotonic()
        try:
            p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                 pass_fds=passed, start_new_session=not case.tty, preexec_fn=preexec)
            if case.client:
                self.connect_client(int(places['GRANTED_PORT']), p)
            try:
                out, err = p.communicate(timeout=RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                out, err = p.communicate()
                err = (err or b'') + f'\n(killed after {RUN_TIMEOUT} s)'.encode()
            try:
                os.killpg(p.pid, signal.SIGKILL)  # what the attack may have left behind
            except ProcessLookupError:
                pass
        finally:
            for fd in fds:
                os.close(fd)
        elapsed = time.monotonic() - start
        # Without a wall-time limit permit run execs CMD in its own process,
        # so a signal ends that process itself: the status a shell shows as
        # 128+N, as permit run's own is when it waited for CMD.
        rc = 128 - p.returncode if p.returncode < 0 else p.returncode
        return rc, out.decode(errors='replace'), err.decode(errors='replace'), cmd, elapsed

    @staticmethod
    def connect_client(port, p):
        """The outside client of a granted net.listen: connects and says hello."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and p.poll() is None:
            try:
                with socket.create_connection(('127.0.0.1', port), timeout=1) as c:
                    c.sendall(b'hello\n')
                    return
            except OSError:
                time.sleep(0.02)

    def judge(self, case, expect, rc, out):
        """Why the run does not match the expectation, or None."""
        lines = out.splitlines()
        if expect.startswith('exit '):
            wanted = [int(x) for x in expect[5:].split(',')]
            if rc not in wanted:
                return f'exit status {rc}, expected {" or ".join(map(str, wanted))}'
            return None
        attack = case.argv[0]
        if len(lines) != 1 or not lines[0].startswith(attack + ': '):
            return f'exit status {rc}, expected one line "{attack}: ...", got {len(lines)} lines'
        got = lines[0][len(attack) + 2:]
        want_rc = 0 if got == 'ok' else 1 if got.startswith('denied ') else 2
        if rc != want_rc:
            return f'printed "{got}" but exited {rc}'
        if got != expect:
            return f'got "{got}", expected "{expect}"'
        return None

    def check(self, case, where):
        """Runs one side of a case; returns its TAP result (ok, desc, notes, todo)."""
        expect, why, todo = self.expected(case, where)
        rc, out, err, cmd, elapsed = self.run(case, where)
        problem = self.judge(case, expect, rc, out)
        desc = f'{case.lang}/{case.name} {where}: {expect}'
        if why:
            desc += f' ({why})'
        notes = []
        if problem:
            notes.append(problem)
            notes.append('command: ' + ' '.join(cmd))
            notes += [f'  stdout: {line}' for line in out.splitlines()[:5]]
            notes += [f'  stderr: {line}' for line in err.splitlines()[:10]]
        if elapsed > 5:
            notes.append(f'took {elapsed:.1f} s')
        # With a TODO (a kernel limitation: the attack is expected to get
        # through), "not ok" is the expected outcome.
        return (problem is not None if todo is not None else problem is None), desc, notes, todo

    def check_one(self, case, where):
        if case.argv[0] == 'ptrace':
            # One tracer at a time: a second PTRACE_ATTACH would fail (EPERM).
            with self.ptrace_lock:
                return self.check(case, where)
        return self.check(case, where)

    def main(self):
        cases = [c for c in CASES if not self.args.only or c.name in self.args.only]
        wheres = ('outside', 'inside') if self.args.where == 'both' else (self.args.where,)
        print(f'1..{len(cases) * len(wheres) + 1 + bool(self.args.readme)}')
        self.tap.note(f'running as uid {os.getuid()} ({self.user}), kernel {os.uname().release}')
        # Four runs at a time, each in a home and with ports of its own; the
        # slow ones (CPU, wall time) first, so the rest runs beside them.
        # Results are printed in the order of CASES.
        runs = [(case, where) for case in cases for where in wheres]
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            futures = {}
            for case, where in sorted(runs, key=lambda r: r[0].argv[0] not in ('cpu', 'sleep')):
                futures[case, where] = pool.submit(self.check_one, case, where)
            for case, where in runs:
                self.tap.result(*futures[case, where].result())
        self.tap.result(self.targets.alive(), 'the victim outlived every attack')
        if self.args.readme:
            with open(self.args.readme) as f:
                fresh = markdown() in f.read()
            self.tap.result(fresh, 'README.md lists the cases as they are',
                            [] if fresh else ['update it: escape.py --markdown prints the table'])
        return 1 if self.tap.failed else 0


def markdown():
    """The table of cases in README.md (escape.py --markdown prints it)."""
    def cell(e, user=None):
        if isinstance(e, dict):
            return f"{e['root']} (root) / {e['nobody']} (nobody)" if e['root'] != e['nobody'] else e['root']
        return e.text if callable(e) else str(e)

    lines = ['| case | hostile ... | what it tries | more grants, limits | outside | inside | stopped by |',
             '|---|---|---|---|---|---|---|']
    for c in CASES:
        attack = ' '.join(c.argv).replace('|', '\\|')
        grant = ', '.join(c.grant + c.limits)
        inside = cell(c.inside)
        by = getattr(c.inside, 'by', '')
        if c.xfail:
            users = ' and '.join(sorted(c.xfail, reverse=True))
            observed, why = next(iter(c.xfail.values()))
            inside += f'; **TODO for {users}: {observed}** ({why})'
        lines.append(f'| {c.lang}/{c.name} | `{attack}` | {c.what} | {grant} | {cell(c.out)} | {inside} | {by} |')
    return '\n'.join(lines)


# ---- entry: root runs the suite itself, or hands it to nobody ---------------

def stage(args, work):
    """Copies what nobody must run into WORK (world-readable), returns argv."""
    os.chmod(work, 0o755)
    lib = os.path.join(work, 'lib')
    os.makedirs(lib)
    for so in glob.glob(os.path.join(args.build_root, 'libpermit.so*')):
        if os.path.islink(so) or os.path.isfile(so):
            shutil.copy(so, lib, follow_symlinks=False)
    files = {}
    # permit-tool: the front executes it next to itself for broker mode.
    for name, src in (('permit', args.permit), ('permit-tool', os.path.join(os.path.dirname(args.permit),
                                                                           'permit-tool')),
                      ('hostile', args.hostile), ('hostile.py', args.hostile_py),
                      ('escape.py', os.path.abspath(__file__))):
        files[name] = os.path.join(work, name)
        shutil.copy(src, files[name])
    for root, dirs, names in os.walk(work):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
        for n in names:
            p = os.path.join(root, n)
            if not os.path.islink(p):
                os.chmod(p, 0o755)
    return files, lib


def main():
    if sys.argv[1:] == ['--markdown']:
        print(markdown())
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--markdown', action='store_true', help="print README.md's table of cases and exit")
    ap.add_argument('--user', choices=('root', 'nobody'), required=True)
    ap.add_argument('--permit', required=True)
    ap.add_argument('--hostile', required=True)
    ap.add_argument('--hostile-py', required=True)
    ap.add_argument('--build-root', required=True)
    ap.add_argument('--python', default='/usr/bin/python3')
    ap.add_argument('--readme', help="check that this README.md holds the table of cases")
    ap.add_argument('--where', choices=('outside', 'inside', 'both'), default='both',
                    help='only the unsandboxed or the sandboxed runs (for debugging; the test runs both)')
    ap.add_argument('--only', action='append', default=[], metavar='CASE', help='only this case (repeatable)')
    ap.add_argument('--inner', action='store_true', help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.user == 'root' and os.getuid() != 0:
        print('1..0 # the root pass must run as root (CI does)')
        print('Bail out! not root')
        return 1
    if args.user == 'nobody' and not args.inner:
        if os.getuid() != 0:
            print('Bail out! the unprivileged pass starts as root and drops to uid 65534 with setpriv')
            return 1
        with tempfile.TemporaryDirectory(prefix='permit-escape-stage.') as st:
            files, lib = stage(args, st)
            env = dict(os.environ, HOME='/', TMPDIR='/tmp', LD_LIBRARY_PATH=lib)
            return subprocess.run(['setpriv', f'--reuid={NOBODY}', f'--regid={NOBODY}', '--clear-groups',
                                   args.python, files['escape.py'], '--inner', '--user', 'nobody',
                                   '--permit', files['permit'], '--hostile', files['hostile'],
                                   '--hostile-py', files['hostile.py'], '--build-root', st,
                                   '--python', args.python, '--where', args.where]
                                  + [f'--only={c}' for c in args.only], env=env).returncode
    if args.user == 'nobody' and os.getuid() != NOBODY:
        print(f'Bail out! expected uid {NOBODY}, running as {os.getuid()}')
        return 1
    with tempfile.TemporaryDirectory(prefix=f'permit-escape-{args.user}.') as work:
        # signal-host sends SIGUSR1 to its parent: the runner, outside.
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        suite = Suite(args, work)
        try:
            return suite.main()
        finally:
            suite.close()


if __name__ == '__main__':
    sys.exit(main())
