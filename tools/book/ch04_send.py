# SPDX-License-Identifier: GPL-2.0
"""Sending a packet: syscall, qdisc, TX ring, completion in NET_RX"""
import socket
import threading

from booklib import (ADDR_B, IF_A, IF_B, NS, QUICK, dev_stat, ethtool_s, irqs,
                     listener, row, sock_in, softirqs)

CHAPTER = 4


def sums(st, suffix, prefix="tx_queue_"):
    return sum(v for k, v in st.items() if k.startswith(prefix) and k.endswith(suffix))


def inflight(dev):
    tot = 0
    import glob
    for p in glob.glob(f"/sys/class/net/{dev}/queues/tx-*/byte_queue_limits/inflight"):
        tot += int(open(p).read())
    return tot


def run(chk):
    n = 500 if QUICK else 2000
    rx = sock_in(NS, kind=socket.SOCK_DGRAM)
    rx.bind((ADDR_B, 7401))
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    tx = sock_in(None, kind=socket.SOCK_DGRAM)
    tx.connect((ADDR_B, 7401))
    e0, sq0, i0 = ethtool_s(IF_A), softirqs(), irqs(r"rigb-\S+-tx-|rigb-\S+-rx-")
    r0 = dev_stat(IF_B, "rx_packets", NS)
    at_return = []
    for i in range(n):
        tx.send(b"s" * 1000)
        if i % 100 == 99:
            at_return.append(inflight(IF_A))
    e1, sq1, i1 = ethtool_s(IF_A), softirqs(), irqs(r"rigb-\S+-tx-|rigb-\S+-rx-")
    r1 = dev_stat(IF_B, "rx_packets", NS)
    tx.close()
    rx.close()
    pk = sums(e1, "_packets") - sums(e0, "_packets")
    runs = sums(e1, "_clean_runs") - sums(e0, "_clean_runs")
    chk.eq(f"{n} datagrams: rigb's TX queues sent {n}, the peer port received {n}",
           (n, n), (pk, r1 - r0))
    chk.true("TX completions were cleaned (clean runs > 0)", runs > 0, f"clean runs {runs}")

    # A TCP bulk send: what is still queued below the socket when send() returns.
    ls = listener(NS, ADDR_B, 7402)
    c = sock_in(None)
    c.connect((ADDR_B, 7402))
    s, _ = ls.accept()
    stop = threading.Event()

    def drain():
        s.settimeout(2)
        try:
            while s.recv(1 << 16):
                pass
        except OSError:
            pass
    th = threading.Thread(target=drain)
    th.start()
    bulk = []
    for _ in range(50):
        c.send(b"b" * 65536)
        bulk.append(inflight(IF_A))
    c.close()
    th.join()
    stop.set()
    s.close()
    ls.close()
    busy = sum(1 for x in bulk if x > 0)
    return [row(4, "does send() wait for the frame to leave, and who completes the transmission?",
                "no: send returns once the skb is queued to the qdisc / ring; the TX-completion IRQ's cleanup "
                "runs in NET_RX (softirq), not NET_TX",
                f"{n} UDP datagrams: NET_TX {sq1['NET_TX'] - sq0['NET_TX']}, NET_RX {sq1['NET_RX'] - sq0['NET_RX']} "
                f"softirqs, {i1 - i0} rigb IRQs, {runs} TX clean runs; bytes in flight in the ring (BQL) when "
                f"send() returned: >0 after {busy} of 50 TCP 64 KiB sends (max {max(bulk)} bytes)",
                busy > 0 and runs > 0 and (sq1["NET_RX"] - sq0["NET_RX"]) > (sq1["NET_TX"] - sq0["NET_TX"]))]
