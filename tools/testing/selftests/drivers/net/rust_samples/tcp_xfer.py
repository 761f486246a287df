#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tcp_xfer.py SRC DST BYTES: send BYTES over TCP from SRC to DST (a listener
bound to DST in the same process) and print "ok" if all arrived intact."""
import hashlib
import socket
import sys
import threading

a, b, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((b, 0))
srv.listen(1)
port = srv.getsockname()[1]
res = {}


def serve():
    c, _ = srv.accept()
    h, n = hashlib.sha256(), 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        h.update(d)
        n += len(d)
    res["n"], res["h"] = n, h.hexdigest()


t = threading.Thread(target=serve, daemon=True)
t.start()
cl = socket.socket()
cl.bind((a, 0))
cl.connect((b, port))
block = bytes(range(256)) * 256
h, sent = hashlib.sha256(), 0
while sent < total:
    cl.sendall(block)
    h.update(block)
    sent += len(block)
cl.close()
t.join(60)
ok = res.get("n") == sent and res.get("h") == h.hexdigest()
print("ok" if ok else "mismatch: sent %d, received %r" % (sent, res.get("n")))
