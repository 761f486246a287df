#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""UDP test traffic for the XDP tests (port 9999, numbered payloads).

  udp_burst.py send ADDR N [SIZE]     send N datagrams to ADDR:9999
  udp_burst.py recv N SECONDS         receive on :9999 until N arrived or the
                                      time is up; print how many arrived
                                      intact (numbered payload, right size)
  udp_burst.py echo ADDR N [SIZE]     send N datagrams from :9998 to ADDR:9999
                                      and print how many came back intact
"""
import socket
import sys
import time

PORT = 9999


def payload(i, size):
    head = b"rigb-xdp %08d " % i
    return (head + b"x" * size)[:max(size, len(head))]


def intact(data, size):
    try:
        i = int(data[9:17])
    except ValueError:
        return False
    return data == payload(i, size)


def send(addr, n, size, sock=None):
    s = sock or socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(n):
        while True:
            try:
                s.sendto(payload(i, size), (addr, PORT))
                break
            except (BlockingIOError, OSError):
                # ENOBUFS from a full queue: wait, the test counts every frame.
                time.sleep(0.001)


def recv(sock, n, seconds, size):
    got = 0
    end = time.monotonic() + seconds
    while got < n:
        left = end - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        if intact(data, size):
            got += 1
    return got


def big_buffer(s):
    """A receive buffer for a whole burst (past rmem_max: the tests run as root)."""
    try:
        s.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), 16 << 20)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)


def main():
    cmd = sys.argv[1]
    if cmd == "send":
        size = int(sys.argv[4]) if len(sys.argv) > 4 else 64
        send(sys.argv[2], int(sys.argv[3]), size)
    elif cmd == "recv":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        big_buffer(s)
        s.bind(("0.0.0.0", PORT))
        size = int(sys.argv[4]) if len(sys.argv) > 4 else 64
        print(recv(s, int(sys.argv[2]), float(sys.argv[3]), size))
    elif cmd == "echo":
        size = int(sys.argv[4]) if len(sys.argv) > 4 else 64
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        big_buffer(s)
        s.bind(("0.0.0.0", PORT - 1))
        n = int(sys.argv[3])
        send(sys.argv[2], n, size, s)
        print(recv(s, n, 5, size))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
