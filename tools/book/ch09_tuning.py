# SPDX-License-Identifier: GPL-2.0
"""Tuning: each knob before and after, in one boot"""
import re
import socket
import threading
import time

from booklib import (ADDR_B, ETHTOOL, IF_B, NFT, NS, QUICK, delta, drain, ethtool_s, irqs, listener,
                     nft, nft_table, nsrun, row, sh, snmp, sock_in, sysctl, tcp_segs_out, wait)

CHAPTER = 9


def eth(args):
    nsrun(f"{ETHTOOL} {args}", ns=NS)


def link_up():
    return wait(lambda: nsrun(f"cat /proc/net/dev", ns=NS) and
                "UP" in nsrun(f"/usr/sbin/ip -br link show {IF_B}", ns=NS), 15)


def udp_burst(n, port):
    rx = sock_in(NS, kind=socket.SOCK_DGRAM)
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 23)
    rx.bind((ADDR_B, port))
    tx = sock_in(None, kind=socket.SOCK_DGRAM)
    tx.connect((ADDR_B, port))
    e0 = ethtool_s(IF_B, NS)
    i0 = irqs(r"rigb-\S+-rx-")
    for _ in range(n):
        try:
            tx.send(b"x" * 64)
        except OSError:
            pass
    time.sleep(0.5)
    e1 = ethtool_s(IF_B, NS)
    i1 = irqs(r"rigb-\S+-rx-")
    tx.close()
    rx.close()
    d = {k: e1[k] - e0.get(k, 0) for k in e1}
    rxp = sum(v for k, v in d.items() if re.match(r"rx_queue_\d+_packets$", k))
    return {"missed": d.get("hw_rx_missed", 0) + d.get("hw_rx_no_buffer", 0),
            "rx": rxp, "irqs": i1 - i0}


def ring_size(chk):
    n = 5000 if QUICK else 20000
    out = {}
    # Interrupts 8 ms apart: the ring must hold what arrives in between.
    eth(f"-C {IF_B} rx-usecs 8000")
    for size in (64, 1024):
        eth(f"-G {IF_B} rx {size}")
        link_up()
        time.sleep(1)
        out[size] = udp_burst(n, 7901)
    eth(f"-G {IF_B} rx 256")
    eth(f"-C {IF_B} rx-usecs 3")
    link_up()
    # QEMU holds back (and drops) what a full ring cannot take before the
    # NIC counts it: the loss is what was sent minus what the driver got.
    for o in out.values():
        o["lost"] = n - o["rx"]
    chk.true("ring 64 loses more of a burst than ring 1024 (rx-usecs 8000)",
             out[1024]["lost"] < out[64]["lost"], f"{out}")
    return row(9, "RX ring size (ethtool -G) vs drops under a burst",
               "a larger RX ring absorbs bursts: fewer frames lost before the driver sees them",
               f"{n} datagrams flooded with interrupts 8 ms apart: ring 64 -> {out[64]['rx']} reached the "
               f"driver ({out[64]['lost']} lost), ring 1024 -> {out[1024]['rx']} ({out[1024]['lost']} lost)",
               out[1024]["lost"] < out[64]["lost"])


def coalescing(chk):
    n = 3000 if QUICK else 10000
    out = {}
    for us in (0, 200):
        eth(f"-C {IF_B} rx-usecs {us}")
        time.sleep(0.5)
        out[us] = udp_burst(n, 7902)
    eth(f"-C {IF_B} rx-usecs 3")
    per = {us: o["irqs"] / max(o["rx"], 1) for us, o in out.items()}
    chk.true("rx-usecs 200 gives fewer RX interrupts per packet than rx-usecs 0", per[200] < per[0],
             f"{per}")
    return row(9, "interrupt coalescing (ethtool -C rx-usecs) vs interrupts per packet",
               "coalescing trades latency for fewer interrupts: one IRQ covers many packets",
               f"{n} datagrams: rx-usecs 0 -> {per[0]:.2f} IRQs/packet, rx-usecs 200 -> {per[200]:.2f}",
               per[200] < per[0])


def gro(chk):
    nbytes = (4 if QUICK else 16) << 20
    out = {}
    for mode in ("on", "off"):
        eth(f"-K {IF_B} gro {mode}")
        time.sleep(0.3)
        ls = listener(NS, ADDR_B, 7903)
        c = sock_in(None)
        c.connect((ADDR_B, 7903))
        s, _ = ls.accept()
        s0 = snmp(NS)
        th, got = drain(s)
        t0 = time.monotonic()
        c.sendall(b"g" * nbytes)
        c.close()
        th.join()
        dt = time.monotonic() - t0
        d = delta(s0, snmp(NS))
        s.close()
        ls.close()
        out[mode] = (d["TcpInSegs"], got[0] * 8 / dt / 1e6)
    eth(f"-K {IF_B} gro on")
    chk.true("GRO on hands TCP fewer, larger segments than GRO off", out["on"][0] < out["off"][0],
             f"{out}")
    return row(9, "GRO on/off: how many segments reach TCP?",
               "GRO merges packets of a flow before the protocol: fewer, larger skbs up the stack",
               f"{nbytes >> 20} MiB: GRO on -> {out['on'][0]} TCP segments, {out['on'][1]:.0f} Mbit/s; "
               f"off -> {out['off'][0]} segments, {out['off'][1]:.0f} Mbit/s",
               out["on"][0] < out["off"][0])


def nodelay(chk):
    """100 writes of 10 bytes while no ACK comes back (nftables drops the
    peer's segments on the way in): with Nagle only the first write leaves,
    the others wait for its ACK; with TCP_NODELAY every write leaves until
    the initial congestion window (10 segments) is full. Counted per socket
    (tcpi_segs_out), with autocorking off so the NIC's TX completion timing
    cannot merge writes either; read before the retransmission timer (200 ms)."""
    port = 7904
    out = {}
    # No autocorking, no tail loss probe (it would send one more segment
    # 10 ms after the last write).
    knobs = {"net.ipv4.tcp_autocorking": 0, "net.ipv4.tcp_early_retrans": 0}
    old = {k: sysctl(k) for k in knobs}
    for k, v in knobs.items():
        sysctl(k, v)
    try:
        for nd in (0, 1):
            ls = listener(NS, ADDR_B, port)
            c = sock_in(None)
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, nd)
            c.connect((ADDR_B, port))
            s, _ = ls.accept()
            nft(nft_table("book9n", "c_in", "input", f"tcp sport {port} counter drop"))
            try:
                s0 = tcp_segs_out(c)
                for _ in range(100):
                    c.send(b"n" * 10)
                out[nd] = tcp_segs_out(c) - s0
            finally:
                nsrun(f"{NFT} delete table inet book9n")
            c.close()
            s.close()
            ls.close()
    finally:
        for k, v in old.items():
            sysctl(k, v)
    chk.eq("100 small writes, no ACK back: 1 segment with Nagle, 10 (initial cwnd) with "
           "TCP_NODELAY", (1, 10), (out[0], out[1]))
    return row(9, "TCP_NODELAY: what does Nagle do to small writes?",
               "Nagle holds small segments while data is unacknowledged; TCP_NODELAY sends each write",
               f"100 writes of 10 bytes, ACKs held back: {out[0]} segment(s) left with Nagle, "
               f"{out[1]} with TCP_NODELAY (the initial congestion window)",
               out[0] < out[1])


def reuseport(chk):
    n = 100
    lss = []
    for _ in range(2):
        s = sock_in(NS)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind((ADDR_B, 7905))
        s.listen(256)
        s.setblocking(False)
        lss.append(s)
    cl = []
    for _ in range(n):
        c = sock_in(None)
        c.connect((ADDR_B, 7905))
        cl.append(c)
    time.sleep(0.3)
    counts = []
    for ls in lss:
        k = 0
        try:
            while True:
                ls.accept()[0].close()
                k += 1
        except BlockingIOError:
            pass
        counts.append(k)
        ls.close()
    for c in cl:
        c.close()
    chk.eq(f"SO_REUSEPORT: {n} connections split over 2 listeners, none lost", n, sum(counts))
    return row(9, "SO_REUSEPORT: do several listeners share one port's connections?",
               "each listener gets its own accept queue; the kernel hashes connections across them",
               f"{n} connections: {counts[0]} and {counts[1]} accepted by the two listeners",
               sum(counts) == n and min(counts) > 0)


def busy_poll(chk):
    out = {}
    for us in (0, 50):
        sysctl("net.core.busy_read", us)     # global: init_net only
        ls = listener(NS, ADDR_B, 7906)
        c = sock_in(None)
        c.connect((ADDR_B, 7906))
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s, _ = ls.accept()
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def echo():
            while True:
                b = s.recv(64)
                if not b:
                    break
                s.send(b)
        th = threading.Thread(target=echo)
        th.start()
        k = 200 if QUICK else 1000
        t0 = time.monotonic()
        for _ in range(k):
            c.send(b"p")
            c.recv(64)
        out[us] = (time.monotonic() - t0) / k * 1e6
        c.close()
        th.join()
        s.close()
        ls.close()
    sysctl("net.core.busy_read", 0)
    return row(9, "busy polling (net.core.busy_read) vs request/response latency",
               "polling the NIC's queue from recv() saves the interrupt and wake-up: lower latency, more CPU",
               f"round trip over rigb: busy_read 0 -> {out[0]:.0f} us, busy_read 50 -> {out[50]:.0f} us "
               "(2 vCPUs under TCG: polling competes with the sender)",
               out[50] < out[0])


def run(chk):
    rows = []
    for f in (ring_size, coalescing, gro, nodelay, reuseport, busy_poll):
        try:
            rows.append(f(chk))
        except Exception as e:  # a knob the driver lacks must not hide the others
            rows.append(row(9, f.__name__, "-", f"failed: {e}", False))
            chk.true(f"{f.__name__} ran", False, repr(e))
    return rows
