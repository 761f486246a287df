# SPDX-License-Identifier: GPL-2.0
"""Introduction: TIME_WAIT, interrupts, does 127.0.0.1 touch the NIC, zero copy"""
import errno
import os
import socket
import threading
import time

from booklib import (ADDR_A, ADDR_B, IF_A, NS, QUICK, connect_pairs, cpu_stat, dev_stat, drain,
                     irqs, listener, row, sock_in, softirqs, sysctl, tcp_states, wait)

CHAPTER = 1
RIGB_IRQ = r"rigb-"


def short_connections(n, port):
    """n connections root -> peer over rigb, each closed first by the client."""
    ls = listener(NS, ADDR_B, port)
    ok = 0
    for _ in range(n):
        c = sock_in(None)
        try:
            c.connect((ADDR_B, port))
        except OSError as e:
            c.close()
            if e.errno == errno.EADDRNOTAVAIL:
                continue
            raise
        ls.setblocking(True)
        s, _ = ls.accept()
        c.close()           # active close: the client's socket ends in TIME_WAIT
        s.recv(1)           # EOF
        s.close()
        ok += 1
    ls.close()
    return ok


def time_wait(chk):
    n = 100 if QUICK else 500
    port = 7101
    ok = short_connections(n, port)
    wait(lambda: tcp_states(None, port).get("TIME_WAIT", 0) >= n, 10)
    tw = tcp_states(None, port).get("TIME_WAIT", 0)
    chk.eq(f"{n} short connections actively closed leave {n} TIME_WAIT sockets", n, tw)
    rows = [row(1, "short connections: how many TIME_WAIT sockets stay behind?",
                "one per actively closed connection, for 2*MSL (60 s in Linux)",
                f"{ok} connections closed by the client -> {tw} TIME_WAIT on the client", tw == ok == n)]

    # tcp_tw_reuse: a port range of 20, all ports held by TIME_WAIT sockets to
    # the same destination. Without reuse a new connect() finds no port
    # (EADDRNOTAVAIL); with reuse (timestamps on, TIME_WAIT older than 1 s)
    # every one of them is taken over.
    k = 20
    port2 = 7102
    old = sysctl("net.ipv4.ip_local_port_range")
    old_reuse = sysctl("net.ipv4.tcp_tw_reuse")
    try:
        sysctl("net.ipv4.ip_local_port_range", f"41000 {41000 + k - 1}")
        sysctl("net.ipv4.tcp_tw_reuse", 0)
        first = short_connections(k, port2)
        without = short_connections(k, port2)
        time.sleep(2.1)
        sysctl("net.ipv4.tcp_tw_reuse", 1)
        with_reuse = short_connections(k, port2)
    finally:
        sysctl("net.ipv4.ip_local_port_range", old)
        sysctl("net.ipv4.tcp_tw_reuse", old_reuse)
    chk.eq(f"port range of {k}: {k} connections fill it with TIME_WAIT", k, first)
    chk.eq("tcp_tw_reuse=0: no connect() succeeds while all ports are in TIME_WAIT", 0, without)
    chk.eq(f"tcp_tw_reuse=1 (TIME_WAIT > 1 s old): all {k} connect()s reuse a port", k, with_reuse)
    rows.append(row(1, "what does tcp_tw_reuse change for a new connect()?",
                    "with tw_reuse a client reuses a port held by TIME_WAIT (timestamps on, > 1 s old)",
                    f"{k} ports all in TIME_WAIT: connect() ok {without}/{k} without reuse, "
                    f"{with_reuse}/{k} with tcp_tw_reuse=1",
                    without == 0 and with_reuse == k))
    return rows


def flood(chk):
    """UDP flood over rigb: CPU time in hard vs soft interrupts."""
    secs = 2 if QUICK else 4
    rx = sock_in(NS, kind=socket.SOCK_DGRAM)
    rx.bind((ADDR_B, 7103))
    tx = sock_in(None, kind=socket.SOCK_DGRAM)
    tx.connect((ADDR_B, 7103))
    stop = time.monotonic() + secs
    got = [0]

    def drain():
        rx.settimeout(0.5)
        try:
            while True:
                rx.recv(2048)
                got[0] += 1
        except OSError:
            pass
    th = threading.Thread(target=drain)
    th.start()
    c0, s0, i0 = cpu_stat(), softirqs(), irqs(RIGB_IRQ)
    sent = 0
    payload = b"x" * 64
    while time.monotonic() < stop:
        for _ in range(100):
            try:
                tx.send(payload)
                sent += 1
            except OSError:
                pass
    th.join()
    c1, s1, i1 = cpu_stat(), softirqs(), irqs(RIGB_IRQ)
    hi, si = c1["irq"] - c0["irq"], c1["softirq"] - c0["softirq"]
    nrx = s1["NET_RX"] - s0["NET_RX"]
    rx.close()
    tx.close()
    chk.true("a UDP flood over rigb raises NET_RX softirqs and rigb hard IRQs", nrx > 0 and i1 > i0,
             f"NET_RX {nrx}, IRQs {i1 - i0}")
    return [row(1, "under a flood, where does the CPU go: hard or soft interrupts?",
                "hard IRQ handlers are short; the work (NAPI poll, protocol) runs in softirq (si >> hi)",
                f"{sent} UDP datagrams in {secs} s, {got[0]} received: /proc/stat hi {hi} ticks, "
                f"si {si} ticks; {i1 - i0} rigb IRQs, {nrx} NET_RX softirqs",
                si > hi)]


def tcp_bytes(addr, port, nbytes, ns_srv=None, ns_cli=None):
    ls = listener(ns_srv, addr, port)
    c = sock_in(ns_cli)
    c.connect((addr, port))
    s, _ = ls.accept()
    got = [0]

    def rd():
        while True:
            b = s.recv(65536)
            if not b:
                break
            got[0] += len(b)
    th = threading.Thread(target=rd)
    th.start()
    buf = b"y" * 65536
    left = nbytes
    while left > 0:
        left -= c.send(buf[:min(left, len(buf))])
    c.close()
    th.join()
    s.close()
    ls.close()
    return got[0]


def local_no_nic(chk):
    n = 4 << 20
    res = []
    for name, addr in (("127.0.0.1", "127.0.0.1"), (f"own NIC address {ADDR_A}", ADDR_A)):
        i0, t0, r0 = irqs(RIGB_IRQ), dev_stat(IF_A, "tx_packets"), dev_stat(IF_A, "rx_packets")
        got = tcp_bytes(addr, 7104, n)
        i1, t1, r1 = irqs(RIGB_IRQ), dev_stat(IF_A, "tx_packets"), dev_stat(IF_A, "rx_packets")
        chk.eq(f"TCP {n} bytes to {name}: all delivered", n, got)
        chk.eq(f"TCP to {name}: rigb hard IRQs, {IF_A} tx and rx packets all unchanged",
               (0, 0, 0), (i1 - i0, t1 - t0, r1 - r0))
        res.append((name, i1 - i0, t1 - t0, r1 - r0))
    return [row(1, "does traffic to 127.0.0.1 or to the machine's own NIC address touch the NIC?",
                "no: both go through the loopback device, no NIC, no hard IRQ",
                "; ".join(f"{n_}: {i} rigb IRQs, {t} NIC tx / {r} rx packets" for n_, i, t, r in res),
                all(i == t == r == 0 for _, i, t, r in res))]


def zero_copy(chk):
    size = 8 << 20
    path = "/tmp/book-sendfile.dat"
    with open(path, "wb") as f:
        f.write(os.urandom(size))
    out = {}
    for mode in ("read+write", "sendfile"):
        ls = listener(None, "127.0.0.1", 7105)
        c = socket.create_connection(("127.0.0.1", 7105))
        s, _ = ls.accept()
        th, got = drain(s, 1 << 20)
        t0 = os.times()
        calls = 0
        user_bytes = 0
        with open(path, "rb", buffering=0) as f:
            if mode == "sendfile":
                off = 0
                while off < size:
                    k = os.sendfile(c.fileno(), f.fileno(), off, size - off)
                    off += k
                    calls += 1
            else:
                while True:
                    b = f.read(65536)
                    calls += 1
                    if not b:
                        break
                    user_bytes += len(b)
                    c.sendall(b)
                    calls += 1
        t1 = os.times()
        c.close()
        th.join()
        s.close()
        ls.close()
        out[mode] = (got[0], calls, user_bytes, (t1.user - t0.user) + (t1.system - t0.system))
    os.unlink(path)
    chk.eq("sendfile and read+write both deliver the whole file", (size, size),
           (out["sendfile"][0], out["read+write"][0]))
    chk.eq("sendfile moves no byte through user space; read+write all of them", (0, size),
           (out["sendfile"][2], out["read+write"][2]))
    rw, sf = out["read+write"], out["sendfile"]
    return [row(1, "zero copy: what does sendfile save over read+write?",
                "sendfile skips the copies to and from user space and most syscalls",
                f"{size >> 20} MiB over 127.0.0.1: read+write {rw[1]} syscalls, {rw[2] >> 20} MiB via user space, "
                f"{rw[3] * 1000:.0f} ms CPU; sendfile {sf[1]} syscalls, 0 bytes via user space, "
                f"{sf[3] * 1000:.0f} ms CPU",
                sf[1] < rw[1] and sf[3] <= rw[3])]


def run(chk):
    rows = []
    rows += time_wait(chk)
    rows += flood(chk)
    rows += local_no_nic(chk)
    rows += zero_copy(chk)
    return rows
