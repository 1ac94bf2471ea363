# SPDX-License-Identifier: MIT
"""permit_addon (bindings/python/permit_addon.py) against a scripted broker:
each answer the broker can give, and the broken ones, become the exception
an ordinary socket call would raise. Prints TAP.

    permit-addon.py SOURCE_ROOT
"""
import errno
import os
import socket
import sys
import threading

sys.path.insert(0, os.path.join(sys.argv[1], 'bindings', 'python'))
ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
os.environ['PERMIT_BROKER_FD'] = str(ours.fileno())
import permit_addon  # noqa: E402  (after PERMIT_BROKER_FD: it patches on import)

n = 0
failed = 0


def result(ok, desc, note=''):
    global n, failed
    n += 1
    failed += not ok
    print(f"{'ok' if ok else 'not ok'} {n} - {desc}")
    if note and not ok:
        print(f'# {note}')


def broker(answers):
    """Answers one request with each (text, fd or None) in turn; text may use {id}; None closes."""
    def run():
        req = theirs.recv(600).decode()
        rid = req.split()[1]
        for text, fd in answers:
            if text is None:
                theirs.close()
                return
            data = text.format(id=rid).encode()
            if fd is None:
                theirs.send(data)
            else:
                socket.send_fds(theirs, [data], [fd])
    t = threading.Thread(target=run)
    t.start()
    return t


def expect(desc, answers, call, exc, text=''):
    t = broker(answers)
    try:
        r = call()
        result(exc is None, desc, f'returned {r!r}')
        if hasattr(r, 'close'):
            r.close()
    except Exception as e:  # noqa: BLE001
        result(exc is not None and isinstance(e, exc) and text in str(e), desc, f'raised {type(e).__name__}: {e}')
    t.join()


a, b = socket.socketpair()
result(socket.create_connection is permit_addon._create_connection, 'importing patches socket.create_connection')
expect('OK with a socket: a socket.socket', [('OK {id}', a.fileno())],
       lambda: permit_addon.connect('api.example.com', 443), None)
expect('create_connection goes through the broker', [('OK {id}', a.fileno())],
       lambda: socket.create_connection(('api.example.com', 443), timeout=2), None)
expect('listen', [('OK {id}', a.fileno())], lambda: permit_addon.listen(8080), None)
expect('ERR 13: PermissionError with the reason', [('ERR {id} 13 net.connect:x.example.com:1 is not granted', None)],
       lambda: permit_addon.connect('x.example.com', 1), PermissionError, 'is not granted')
expect('ERR 110: TimeoutError', [('ERR {id} 110 too slow', None)],
       lambda: permit_addon.connect('x.example.com', 1), TimeoutError, 'too slow')
expect('ERR 111: ConnectionRefusedError', [('ERR {id} 111 refused', None)],
       lambda: permit_addon.connect('x.example.com', 1), ConnectionRefusedError)
expect('ERR 2: socket.gaierror (no such name)', [('ERR {id} 2 no such name', None)],
       lambda: permit_addon.connect('x.example.com', 1), socket.gaierror)
expect('ERR 22: OSError EINVAL', [('ERR {id} 22 bad', None)],
       lambda: permit_addon.connect('x.example.com', 1), OSError, 'bad')
expect('ERR 0 (a request that did not parse): the error', [('ERR 0 22 garbage', None)],
       lambda: permit_addon.connect('x.example.com', 1), OSError, 'garbage')
expect('an answer to another request is skipped', [('OK 999999', a.fileno()), ('OK {id}', a.fileno())],
       lambda: permit_addon.connect('x.example.com', 1), None)
expect('OK without a socket: BrokerError', [('OK {id}', None)],
       lambda: permit_addon.connect('x.example.com', 1), permit_addon.BrokerError, 'sent no socket')
expect('garbage answer: BrokerError', [('HELLO', None)],
       lambda: permit_addon.connect('x.example.com', 1), permit_addon.BrokerError, 'bad answer')
for args in (('', 1), ('a b', 1), ('x.example.com', 0), ('x.example.com', 65536)):
    try:
        permit_addon.connect(*args)
        result(False, f'connect{args!r}: ValueError')
    except ValueError:
        result(True, f'connect{args!r}: ValueError')
expect('the broker closed: BrokerError', [(None, None)],
       lambda: permit_addon.connect('x.example.com', 1), permit_addon.BrokerError, 'closed')
result(os.get_blocking(ours.fileno()), 'the broker socket is left blocking')
del os.environ['PERMIT_BROKER_FD']
try:
    permit_addon.connect('x.example.com', 1)
    result(False, 'no PERMIT_BROKER_FD: BrokerError')
except permit_addon.BrokerError as e:
    result(e.errno == errno.ENOTCONN and 'PERMIT_BROKER_FD is not set' in str(e), 'no PERMIT_BROKER_FD: BrokerError')
result(not permit_addon.available(), 'available() is false without a broker')
permit_addon.uninstall()
result(socket.create_connection is permit_addon._original_create_connection, 'uninstall() restores create_connection')
print(f'1..{n}')
sys.exit(1 if failed else 0)
