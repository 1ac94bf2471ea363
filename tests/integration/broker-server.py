# SPDX-License-Identifier: MIT
"""Loopback HTTP servers for the broker tests: one per ADDRESS on PORT,
answering "hello from ADDRESS host=HOST-HEADER". Prints "ready" when all
listen; runs until killed.

    broker-server.py PORT ADDRESS...
"""
import http.server
import socket
import socketserver
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f'hello from {self.server.server_address[0]} host={self.headers["Host"]}\n'.encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, port):
        self.address_family = socket.AF_INET6 if ':' in address else socket.AF_INET
        super().__init__((address, port), Handler)


def main():
    port = int(sys.argv[1])
    servers = [Server(a, port) for a in sys.argv[2:]]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print('ready', flush=True)
    threading.Event().wait()


if __name__ == '__main__':
    main()
