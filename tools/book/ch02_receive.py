# SPDX-License-Identifier: GPL-2.0
"""Receiving a packet: IRQ, NAPI poll, protocol, socket queue, recv"""
import socket
import statistics
import struct
import time

from booklib import (ADDR_B, IF_B, NS, QUICK, delta, ethtool_s, irqs, row,
                     snmp, sock_in)

CHAPTER = 2
SO_TIMESTAMPNS = 35


def sums(st, suffix, prefix="rx_queue_"):
    return sum(v for k, v in st.items() if k.startswith(prefix) and k.endswith(suffix))


def run(chk):
    n = 300 if QUICK else 1000
    rx = sock_in(NS, kind=socket.SOCK_DGRAM)
    rx.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    rx.bind((ADDR_B, 7201))
    rx.settimeout(3)
    tx = sock_in(None, kind=socket.SOCK_DGRAM)
    tx.connect((ADDR_B, 7201))
    e0, s0 = ethtool_s(IF_B, NS), snmp(NS)
    i0 = irqs(r"rigb-\S+-rx-")
    wire, queue = [], []
    got = 0
    for i in range(n):
        t_send = time.time_ns()
        tx.send(struct.pack("q", t_send))
        try:
            data, anc, _, _ = rx.recvmsg(64, 64)
        except OSError:
            continue
        t_recv = time.time_ns()
        got += 1
        for lvl, typ, val in anc:
            if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", val[:16])
                t_stack = sec * 10 ** 9 + nsec
                wire.append((t_stack - struct.unpack("q", data[:8])[0]) / 1000)
                queue.append((t_recv - t_stack) / 1000)
    e1, s1 = ethtool_s(IF_B, NS), snmp(NS)
    i1 = irqs(r"rigb-\S+-rx-")
    d = delta(s0, s1)
    drv = sums(e1, "_packets") - sums(e0, "_packets")
    polls = sums(e1, "_napi_polls", "") - sums(e0, "_napi_polls", "")
    chk.eq(f"{n} datagrams: driver rx, UDP InDatagrams and recv() all count {n}",
           (n, n, n), (drv, d["UdpInDatagrams"], got))

    # A drop and its place: a socket whose receive queue is full.
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    k = 50
    s2 = snmp(NS)
    for _ in range(k):
        tx.send(b"q" * 200)
    time.sleep(0.5)
    kept = 0
    rx.settimeout(0.2)
    try:
        while True:
            rx.recv(2048)
            kept += 1
    except OSError:
        pass
    d2 = delta(s2, snmp(NS))
    rx.close()
    tx.close()
    chk.eq(f"{k} datagrams to a full socket queue: delivered + UdpRcvbufErrors = {k}",
           k, kept + d2["UdpRcvbufErrors"])
    wire.sort()
    queue.sort()
    return [row(2, "how does a received packet reach the process, and how long does each stage take?",
                "DMA into the RX ring, hard IRQ, NET_RX softirq, NAPI poll, IP/UDP, socket queue, wake-up, recv",
                f"{n} datagrams: {drv} through rigb's RX ring, {i1 - i0} RX IRQs, {polls} NAPI polls, "
                f"{d['UdpInDatagrams']} to UDP; send -> stack timestamp median {statistics.median(wire):.0f} us, "
                f"stack -> recv() returns median {statistics.median(queue):.0f} us; "
                f"full socket queue: {d2['UdpRcvbufErrors']} of {k} dropped (UdpRcvbufErrors)",
                drv == n and d["UdpInDatagrams"] == n and d2["UdpRcvbufErrors"] > 0,
                data={"wire_us": wire, "queue_us": queue})]
