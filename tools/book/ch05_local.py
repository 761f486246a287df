# SPDX-License-Identifier: GPL-2.0
"""Local network IO: 127.0.0.1 vs the wire"""
import os
import socket
import time

from booklib import (ADDR_A, ADDR_B, IF_A, NS, QUICK, dev_stat, drain, irqs, listener, quiet, row,
                     sock_in)

CHAPTER = 5


def bulk(srv_ns, addr, port, nbytes):
    ls = listener(srv_ns, addr, port)
    c = sock_in(None)
    c.connect((addr, port))
    s, _ = ls.accept()
    th, got = drain(s)
    buf = b"z" * 65536
    t0 = time.monotonic()
    left = nbytes
    while left > 0:
        left -= c.send(buf[:min(left, len(buf))])
    c.close()
    th.join()
    dt = time.monotonic() - t0
    s.close()
    ls.close()
    return got[0], dt


def pingpong(srv_ns, addr, port, n):
    ls = listener(srv_ns, addr, port)
    c = sock_in(None)
    c.connect((addr, port))
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s, _ = ls.accept()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # The echo side is another process: two threads of one Python process
    # would measure the interpreter lock's hand-over, not the network.
    pid = os.fork()
    if pid == 0:
        c.close()
        while True:
            b = s.recv(64)
            if not b:
                break
            s.send(b)
        os._exit(0)
    t0 = time.monotonic()
    for _ in range(n):
        c.send(b"p")
        c.recv(64)
    dt = time.monotonic() - t0
    c.close()
    os.waitpid(pid, 0)
    s.close()
    ls.close()
    return dt / n


def run(chk):
    nbytes = (8 if QUICK else 32) << 20
    n_rr = 300 if QUICK else 2000
    paths = [("127.0.0.1 (lo)", None, "127.0.0.1"),
             (f"own address {ADDR_A}", None, ADDR_A),
             (f"wire: rigb to {ADDR_B}", NS, ADDR_B)]
    res = []
    port = 7500
    for name, ns, addr in paths:
        port += 2
        quiet("rigb-", [(IF_A, None)])
        i0, t0 = irqs("rigb-"), dev_stat(IF_A, "tx_packets")
        got, dt = bulk(ns, addr, port, nbytes)
        lat = pingpong(ns, addr, port + 1, n_rr)
        i1, t1 = irqs("rigb-"), dev_stat(IF_A, "tx_packets")
        chk.eq(f"{name}: {nbytes} bytes delivered", nbytes, got)
        res.append((name, got * 8 / dt / 1e6, lat * 1e6, i1 - i0, t1 - t0))
    for name, _, _, i, t in res[:2]:
        chk.eq(f"{name}: no rigb hard IRQ, no NIC tx packet", (0, 0), (i, t))
    chk.true("wire: rigb hard IRQs and tx packets move", res[2][3] > 0 and res[2][4] > 0)
    meas = "; ".join(f"{n}: {bw:.0f} Mbit/s, {lat:.0f} us per round trip, {i} rigb IRQs"
                     for n, bw, lat, i, _ in res)
    lo, wire = res[0], res[2]
    return [row(5, "is 127.0.0.1 faster than the wire, and does it raise interrupts?",
                "local traffic skips the NIC and its hard IRQs (a softirq is still raised), "
                "so it is somewhat faster, not free",
                meas, lo[3] == 0 and res[1][3] == 0 and lo[2] < wire[2],
                data={n: {"mbit": bw, "rtt_us": lat, "irqs": i} for n, bw, lat, i, _ in res})]
