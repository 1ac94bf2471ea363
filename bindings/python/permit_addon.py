# SPDX-License-Identifier: MIT
"""permit_addon: the add-on's side of permit's network broker (doc/broker.md).

An add-on sandboxed in broker mode cannot open IP sockets; the host's
broker connects for it, by host name, and passes the connected socket over
the broker socket (fd $PERMIT_BROKER_FD, 4). This module asks for them:

    import permit_addon
    s = permit_addon.connect('api.example.com', 443, timeout=5)   # socket.socket

Importing it also routes socket.create_connection() (and so urllib.request,
http.client and most libraries built on them) through the broker, so that
urllib.request.urlopen('http://api.example.com/') works unchanged. A
refusal raises PermissionError with the broker's reason; other failures
raise OSError with the broker's errno (TimeoutError, ConnectionRefusedError...).

Standard library only: an add-on installs nothing to use it.
"""

import array
import errno
import itertools
import os
import socket
import threading

__all__ = ['connect', 'listen', 'available', 'BrokerError', 'MAX_MESSAGE']

MAX_MESSAGE = 512
_lock = threading.Lock()
_ids = itertools.count(1)
_original_create_connection = socket.create_connection


class BrokerError(OSError):
    """The broker socket itself failed (no broker, closed, bad answer)."""


def _broker_fd():
    value = os.environ.get('PERMIT_BROKER_FD')
    if not value or not value.isdigit():
        return None
    return int(value)


def available():
    """True when this process has a broker socket."""
    fd = _broker_fd()
    if fd is None:
        return False
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _error(code, reason):
    """The exception an ordinary socket call would raise for errno code."""
    if code in (errno.EACCES, errno.EPERM):
        return PermissionError(code, reason)
    if code == errno.ETIMEDOUT:
        return TimeoutError(code, reason)
    if code == errno.ECONNREFUSED:
        return ConnectionRefusedError(code, reason)
    if code == errno.ENOENT:
        # What getaddrinfo would say for an unknown name.
        return socket.gaierror(socket.EAI_NONAME, reason)
    return OSError(code, reason)


def _request(op, args, timeout=None):
    fd = _broker_fd()
    if fd is None:
        raise BrokerError(errno.ENOTCONN, 'no network broker (PERMIT_BROKER_FD is not set): '
                          'run under permit with a net.connect grant')
    with _lock:
        rid = next(_ids) % 1000000000
        msg = f'{op} {rid} {args}'.encode('ascii')
        if len(msg) > MAX_MESSAGE:
            raise ValueError('request too long')
        # The socket is the process's own fd: a socket object that never closes it.
        sock = socket.socket(fileno=os.dup(fd))
        try:
            sock.settimeout(None if timeout is None else timeout + 5)
            sock.send(msg)
            while True:
                try:
                    data, fds, _flags, _addr = socket.recv_fds(sock, MAX_MESSAGE, 1)
                except socket.timeout:
                    raise TimeoutError(errno.ETIMEDOUT, 'the network broker did not answer') from None
                if not data:
                    raise BrokerError(errno.ENOTCONN, 'the network broker closed its socket')
                words = data.decode('ascii', 'replace').split(' ', 3)
                if words[0] == 'OK' and len(words) == 2:
                    if int(words[1]) != rid:
                        for f in fds:
                            os.close(f)
                        continue  # the answer to an abandoned request
                    if len(fds) != 1:
                        for f in fds:
                            os.close(f)
                        raise BrokerError(errno.EPROTO, 'the network broker sent no socket')
                    return fds[0]
                for f in fds:
                    os.close(f)
                if words[0] == 'ERR' and len(words) >= 3:
                    if int(words[1]) not in (rid, 0):
                        continue
                    raise _error(int(words[2]), words[3] if len(words) > 3 else '')
                raise BrokerError(errno.EPROTO, f'bad answer from the network broker: {data[:80]!r}')
        finally:
            # The dup shares fd 4's file status: leave it blocking, as C callers expect.
            sock.setblocking(True)
            sock.close()


def connect(host, port, timeout=None):
    """A socket.socket connected to host:port by the broker.

    timeout (seconds) bounds the connection attempt and becomes the
    socket's timeout, as in socket.create_connection()."""
    host = str(host)
    if not host or ' ' in host or not (0 < int(port) < 65536):
        raise ValueError(f'bad host or port: {host!r} {port!r}')
    if ':' in host and not host.startswith('['):
        host = f'[{host}]'
    args = f'{host} {int(port)}'
    if timeout is not None:
        args += f' {max(1, int(timeout * 1000))}'
    fd = _request('CONNECT', args, timeout)
    s = socket.socket(fileno=fd)
    if timeout is not None:
        s.settimeout(timeout)
    return s


def listen(port):
    """A socket.socket listening on 127.0.0.1:port (net.listen:PORT)."""
    return socket.socket(fileno=_request('LISTEN', str(int(port))))


def _create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None, **kwargs):
    host, port = address[0], address[1]
    if timeout is socket._GLOBAL_DEFAULT_TIMEOUT:
        timeout = socket.getdefaulttimeout()
    return connect(host, port, timeout=timeout)


def install():
    """Routes socket.create_connection through the broker (done on import
    when this process has a broker socket)."""
    socket.create_connection = _create_connection


def uninstall():
    socket.create_connection = _original_create_connection


if available():
    install()
