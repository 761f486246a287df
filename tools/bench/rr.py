#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""TCP request/response ping-pong (TCP_RR-style): one connection, one byte
each way per transaction, reports transactions per second."""
import socket
import sys
import time

PORT = 5299


def server(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, PORT))
    s.listen(1)
    c, _ = s.accept()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        b = c.recv(1)
        if not b:
            return
        c.sendall(b)


def connect(addr):
    # The server starts in the background; under TCG it may need a while.
    deadline = time.monotonic() + 15
    while True:
        try:
            return socket.create_connection((addr, PORT), timeout=5)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def client(addr, secs):
    c = connect(addr)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    n = 0
    end = time.monotonic() + secs
    start = time.monotonic()
    while time.monotonic() < end:
        c.sendall(b"x")
        try:
            reply = c.recv(1)
        except socket.timeout:
            # A lost packet costs a retransmission, not 5 s: say so.
            raise SystemExit(f"# rr: no reply for 5 s after {n} transactions")
        if reply != b"x":
            raise SystemExit("# rr: bad reply")
        n += 1
    print("%.1f" % (n / (time.monotonic() - start)))


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(sys.argv[2])
    else:
        client(sys.argv[2], float(sys.argv[3]))
