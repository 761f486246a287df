# SPDX-License-Identifier: GPL-2.0
"""Memory per connection: N idle ESTABLISHED connections, then TIME_WAIT"""
import socket
import time

from booklib import (ADDR_B, NS, QUICK, close_all, connect_pairs, listener,
                     meminfo, row, sh, snmp, sockstat, sysctl, tcp_states, wait, delta)

CHAPTER = 7


def settle():
    # Freed objects go back to their slabs through RCU and per-CPU lists:
    # let them land, and drop reclaimable dentries/inodes of closed sockets.
    time.sleep(1)
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("2")
    time.sleep(0.5)


def run(chk):
    n = 2000 if QUICK else 10000
    port = 7701
    # Both ends of every connection live in this one kernel (root namespace
    # and "peer"), so the slab growth counts two sockets per connection.
    settle()
    slab0 = meminfo("Slab")
    ss0 = sockstat(None)
    ls = listener(NS, ADDR_B, port, backlog=4096)
    t0 = time.monotonic()
    cl, sv = [], []
    curve = [(0, 0)]
    step = n // 10
    for _ in range(10):
        c, s = connect_pairs(ls, ADDR_B, port, step)
        cl += c
        sv += s
        curve.append((len(cl), meminfo("Slab") - slab0))
    setup_s = time.monotonic() - t0
    est_cli = tcp_states(None, port).get("ESTABLISHED", 0)
    est_srv = tcp_states(NS, port).get("ESTABLISHED", 0)
    settle()
    slab1 = meminfo("Slab")
    per_conn = (slab1 - slab0) / n
    per_sock = per_conn / 2
    chk.eq(f"{n} idle connections ESTABLISHED on both ends", (n, n), (est_cli, est_srv))

    # Data that nobody reads: each server socket queues 1000 bytes; the
    # protocol's memory accounting (sockstat "TCP mem", pages) grows.
    k = min(n, 1000)
    m0 = sockstat(NS)["TCP mem"]
    for c in cl[:k]:
        c.send(b"d" * 1000)
    wait(lambda: sockstat(NS)["TCP mem"] > m0, 5)
    time.sleep(0.5)
    m1 = sockstat(NS)["TCP mem"]
    buf_per = (m1 - m0) * 4096 / k
    # Read it, or closing these sockets with unread data would reset the
    # connections (no TIME_WAIT then).
    for s in sv[:k]:
        s.recv(1000, socket.MSG_WAITALL)

    # TIME_WAIT: the clients close first. tcp_max_tw_buckets (half the
    # established hash by default, 8192 in this VM) would cap the count.
    tw_old = sysctl("net.ipv4.tcp_max_tw_buckets")
    sysctl("net.ipv4.tcp_max_tw_buckets", 2 * n)
    s0 = snmp(None)
    ls.close()
    # Pair by pair: closing all clients first would leave n orphaned
    # FIN_WAIT2 sockets, and past tcp_max_orphans the kernel resets them.
    for c, s in zip(cl, sv):
        c.close()
        s.close()
    close_all(cl, sv)
    wait(lambda: tcp_states(None, port).get("TIME_WAIT", 0) >= n, 30)
    tw = tcp_states(None, port).get("TIME_WAIT", 0)
    d = delta(s0, snmp(None))
    why = {k: v for k, v in d.items() if v and any(x in k for x in (
        "TimeWaitOverflow", "Abort", "Orphan", "EstabResets", "OutRsts"))}
    states = tcp_states(None, port)
    sysctl("net.ipv4.tcp_max_tw_buckets", tw_old)
    settle()
    slab2 = meminfo("Slab")
    tw_per = (slab2 - slab0) / max(tw, 1)
    chk.eq(f"{n} client-closed connections leave {n} TIME_WAIT sockets", n, tw)
    sst = sockstat(None)
    rows = [row(7, "how much kernel memory does an idle ESTABLISHED TCP connection take?",
                "about 3.3 KB per socket (tcp_sock, sock_inode, dentry, file, ...)",
                f"{n} connections (both ends here: {2 * n} sockets) set up in {setup_s:.0f} s: slab "
                f"+{(slab1 - slab0) / 1e6:.1f} MB = {per_sock / 1024:.2f} KB per socket "
                f"(/proc/meminfo Slab; this kernel has SLUB_TINY, no per-cache slabinfo)",
                1.5 * 1024 <= per_sock <= 6 * 1024,
                data={"n": n, "slab_before": slab0, "slab_est": slab1, "slab_tw": slab2,
                      "curve": curve}),
            row(7, "how much does a TIME_WAIT connection cost?",
                "a small tcp_timewait_sock (~0.2-0.4 KB), the full socket is freed",
                f"{tw} TIME_WAIT: slab {tw_per:.0f} bytes each above the baseline "
                f"(sockstat: TCP tw {sst.get('TCP tw', 0)}; tcp_max_tw_buckets default {tw_old} raised to {2 * n})"
                + ("" if tw == n else f"; client states {states}, counters {why}"),
                tw_per < per_sock / 2),
            row(7, "how do a connection's buffers grow once data flows?",
                "receive buffers are allocated only when data arrives, and counted in tcp_mem",
                f"1000 unread bytes on each of {k} connections: TCP mem +{m1 - m0} pages "
                f"= {buf_per:.0f} bytes per connection",
                m1 > m0)]
    return rows
