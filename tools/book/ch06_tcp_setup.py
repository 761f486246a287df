# SPDX-License-Identifier: GPL-2.0
"""TCP connection setup: accept queue, SYN queue, lost SYN and ACK, port range"""
import errno
import os
import select
import socket
import time

from booklib import (ADDR_B, NFT, NS, QUICK, close_all, delta, listener, nft, nft_counter,
                     nft_table, nsrun, row, sh, snmp, sock_in, sysctl, tcp_states, wait)

CHAPTER = 6


def ss_listen(port):
    """(Recv-Q, Send-Q) of the listener on port in the peer namespace."""
    out = sh(f"ss -Hltn 'sport = :{port}'", ns=NS).split()
    return int(out[1]), int(out[2])


def nb_connect(addr, port):
    c = sock_in(None)
    c.setblocking(False)
    try:
        c.connect((addr, port))
    except BlockingIOError:
        pass
    return c


def accept_queue(chk):
    port = 7601
    somax_old = sysctl("net.core.somaxconn", ns=NS)
    rows = []
    try:
        sysctl("net.core.somaxconn", 8, ns=NS)
        seen = {}
        for backlog in (4, 128):
            ls = listener(NS, ADDR_B, port, backlog=backlog)
            seen[backlog] = ss_listen(port)[1]
            ls.close()
        chk.eq("ss Send-Q of a listener = min(backlog, somaxconn): backlog 4 -> 4, 128 -> 8 (somaxconn 8)",
               {4: 4, 128: 8}, seen)

        # Fill it: the queue holds max + 1 (full means "more than max").
        ls = listener(NS, ADDR_B, port, backlog=128)
        qmax = 8
        ok = []
        for _ in range(qmax + 1):
            c = sock_in(None)
            c.settimeout(5)
            c.connect((ADDR_B, port))
            ok.append(c)
        wait(lambda: ss_listen(port)[0] == qmax + 1, 3)
        recvq = ss_listen(port)[0]
        excess = 5
        s0 = snmp(NS)
        extra = [nb_connect(ADDR_B, port) for _ in range(excess)]
        time.sleep(0.5)     # before the clients' first SYN retransmission (1 s)
        d = delta(s0, snmp(NS))
        ovf, drops = d["TcpExtListenOverflows"], d["TcpExtListenDrops"]
        close_all(ok, extra)
        ls.close()
        chk.eq(f"accept queue full at {qmax + 1} = somaxconn + 1 (ss Recv-Q)", qmax + 1, recvq)
        chk.eq(f"{excess} more SYNs: ListenOverflows and ListenDrops each +{excess}",
               (excess, excess), (ovf, drops))
        rows.append(row(6, "how long is the accept queue, and what happens when it is full?",
                        "min(backlog, net.core.somaxconn); a SYN to a full queue is dropped and counted "
                        "(ListenOverflows, ListenDrops)",
                        f"somaxconn 8: backlog 4 -> {seen[4]}, backlog 128 -> {seen[128]} (ss Send-Q); "
                        f"{recvq} connections queued when full; {excess} more SYNs -> ListenOverflows +{ovf}, "
                        f"ListenDrops +{drops}",
                        seen == {4: 4, 128: 8} and ovf == excess))
    finally:
        sysctl("net.core.somaxconn", somax_old, ns=NS)
    return rows


def syn_queue(chk):
    """SYN queue: SYN-ACKs dropped on the client side keep every handshake
    half open on the server (SYN_RECV)."""
    port = 7602
    backlog = 8
    k = 20
    cookies = os.path.exists("/proc/sys/net/ipv4/tcp_syncookies")
    nft(nft_table("book6q", "c_in", "input", f"tcp sport {port} tcp flags & (syn|ack) == syn|ack counter drop"))
    ls = listener(NS, ADDR_B, port, backlog=backlog)
    s0 = snmp(NS)
    cl = []

    def seen():
        # Requests held plus SYNs dropped: how many SYNs the listener has handled.
        return (tcp_states(NS, port).get("SYN_RECV", 0)
                + delta(s0, snmp(NS)).get("TcpExtTCPReqQFullDrop", 0))
    # One SYN at a time: the listener's queue check is lockless, so SYNs that
    # RSS spreads over two CPUs at once can both pass it at backlog + 1.
    # The client retransmits its SYNs after 1 s: the loop is well inside that.
    for i in range(k):
        cl.append(nb_connect(ADDR_B, port))
        wait(lambda: seen() > i, timeout=0.5, step=0.002)
    d = delta(s0, snmp(NS))
    synrecv = tcp_states(NS, port).get("SYN_RECV", 0)
    close_all(cl)
    ls.close()
    nsrun(f"{NFT} delete table inet book6q")
    full = d.get("TcpExtTCPReqQFullDrop", 0)
    chk.eq(f"{k} SYNs, backlog {backlog}, no syncookies: {backlog + 1} SYN_RECV kept, "
           f"{k - backlog - 1} dropped (TCPReqQFullDrop)", (backlog + 1, k - backlog - 1), (synrecv, full))
    return [row(6, "what happens when the SYN queue overflows?",
                "without syncookies further SYNs are dropped; with them the server answers with a cookie "
                "instead of queueing",
                f"{k} half-open handshakes, backlog {backlog}: {synrecv} in SYN_RECV, {full} SYNs dropped "
                f"(TCPReqQFullDrop); syncookies: "
                + ("available" if cookies else "not in this kernel (CONFIG_SYN_COOKIES=n), so not measured"),
                synrecv == backlog + 1 and full == k - backlog - 1)]


def lost_packets(chk):
    rows = []
    # First SYN lost: the client retransmits it after the initial RTO (1 s).
    # The server drops the first SYN from an address and remembers the
    # address in a set: the retransmission passes. No timing is involved.
    port = 7603
    ls = listener(NS, ADDR_B, port)
    syn = f"tcp dport {port} tcp flags & (syn|ack) == syn"
    nft("table inet book6s {\n"
        "\tset seen { type ipv4_addr; flags dynamic; }\n"
        "\tchain c_in {\n\t\ttype filter hook input priority 0;\n"
        f"\t\t{syn} ip saddr @seen accept\n"
        f"\t\t{syn} add @seen {{ ip saddr }} counter drop\n"
        "\t}\n}", ns=NS)
    s0 = snmp(None)
    t0 = time.monotonic()
    c = nb_connect(ADDR_B, port)
    select.select([], [c], [], 5)
    syn_t = time.monotonic() - t0
    err = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    d = delta(s0, snmp(None))
    dropped = nft_counter("book6s", "c_in", ns=NS)
    nsrun(f"{NFT} delete table inet book6s", ns=NS)
    c.close()
    ls.close()
    chk.eq("first SYN dropped once; connect() succeeds; client TCPSynRetrans +1",
           (1, 0, 1), (dropped, err, d["TcpExtTCPSynRetrans"]))
    rows.append(row(6, "a lost first SYN: how long does connect() wait?",
                    "the SYN is retransmitted after the initial RTO, 1 s (TCP_TIMEOUT_INIT; 3 s in old kernels)",
                    f"{dropped} SYN dropped by nftables (the first from the address); "
                    f"connect() returned after {syn_t:.2f} s; "
                    f"client TCPSynRetrans +{d['TcpExtTCPSynRetrans']}",
                    0.9 <= syn_t <= 1.6 and d["TcpExtTCPSynRetrans"] == 1))

    # Third ACK lost: the client is ESTABLISHED, the server keeps SYN_RECV
    # and retransmits its SYN-ACK after 1 s; the ACK to that completes it.
    # Only the first pure ACK to the server is dropped (its address goes
    # into an nft set), so the counts do not depend on timing.
    port = 7604
    ls = listener(NS, ADDR_B, port)
    ack = f"tcp dport {port} tcp flags & (syn|ack|fin|rst|psh) == ack"
    nft("table inet book6a {\n"
        "\tset seen { type ipv4_addr; flags dynamic; }\n"
        "\tchain c_out {\n\t\ttype filter hook output priority 0;\n"
        f"\t\t{ack} ip daddr @seen accept\n"
        f"\t\t{ack} add @seen {{ ip daddr }} counter drop\n"
        "\t}\n}")
    s0 = snmp(NS)
    c = sock_in(None)
    c.settimeout(5)
    t0 = time.monotonic()
    c.connect((ADDR_B, port))
    cli_t = time.monotonic() - t0
    # Connected, but nothing to accept yet: the server still holds the
    # request (until its SYN-ACK retransmission, 1 s later, is answered).
    ls.setblocking(False)
    try:
        early, _ = ls.accept()
        early.close()
        held = False
    except BlockingIOError:
        held = True
    half = tcp_states(NS, port).get("SYN_RECV", 0)
    ls.setblocking(True)
    ls.settimeout(10)
    s, _ = ls.accept()
    acc_t = time.monotonic() - t0
    d = delta(s0, snmp(NS))
    dropped = nft_counter("book6a", "c_out")
    nsrun(f"{NFT} delete table inet book6a")
    close_all([c, s, ls])
    chk.eq("third ACK dropped once: client connected, server held the request; "
           "server TCPSynRetrans (SYN-ACK) +1", (1, True, 1), (dropped, held, d["TcpExtTCPSynRetrans"]))
    rows.append(row(6, "a lost third ACK: what do the two ends see?",
                    "the client is ESTABLISHED at once; the server keeps the request in the SYN queue and "
                    "retransmits the SYN-ACK (1 s), whose ACK completes the handshake",
                    f"connect() returned in {cli_t * 1000:.0f} ms; nothing to accept then (SYN_RECV: {half}); "
                    f"SYN-ACK retransmissions +{d['TcpExtTCPSynRetrans']}; accept() after {acc_t:.2f} s",
                    held and d["TcpExtTCPSynRetrans"] == 1 and 0.9 <= acc_t <= 1.8))
    return rows


def port_range(chk):
    """connect() time as the local port range fills up."""
    nports = 500 if QUICK else 2000
    port = 7605
    lo = 43000
    old = sysctl("net.ipv4.ip_local_port_range")
    ls = listener(NS, ADDR_B, port, backlog=4096)
    ls.setblocking(False)
    cl, sv, times = [], [], []
    fail = None
    try:
        sysctl("net.ipv4.ip_local_port_range", f"{lo} {lo + nports - 1}")
        for i in range(nports + 1):
            c = sock_in(None)
            c.setblocking(False)
            # Non-blocking: the syscall returns once a port is chosen and
            # the SYN sent, so its time is the port search, not the RTT.
            t0 = time.perf_counter()
            try:
                c.connect((ADDR_B, port))
            except BlockingIOError:
                pass
            except OSError as e:
                fail = e.errno
                c.close()
                break
            times.append(time.perf_counter() - t0)
            pl = select.poll()
            pl.register(c, select.POLLOUT)
            pl.poll(5000)
            cl.append(c)
            try:
                while True:
                    sv.append(ls.accept()[0])
            except BlockingIOError:
                pass
    finally:
        sysctl("net.ipv4.ip_local_port_range", old)
        close_all(cl, sv, [ls])
    chk.eq(f"port range of {nports}: {nports} connections to one server port, the next "
           "connect() fails with EADDRNOTAVAIL", (nports, errno.EADDRNOTAVAIL), (len(times), fail))
    tenth = max(len(times) // 10, 1)
    first = sum(times[:tenth]) / tenth * 1e6
    last = sum(times[-tenth:]) / tenth * 1e6
    buckets = [sum(times[i:i + tenth]) / len(times[i:i + tenth]) * 1e6 for i in range(0, len(times), tenth)]
    return [row(6, "how does connect() behave as the local port range runs out?",
                "connect() searches the range for a free port: slower as it fills, EADDRNOTAVAIL when none is left",
                f"{len(times)} ports: the connect() syscall took {first:.0f} us in the first tenth, {last:.0f} us in the last; "
                f"then {errno.errorcode.get(fail, fail)}",
                fail == errno.EADDRNOTAVAIL and last > first,
                data={"ports_in_use_per_bucket": tenth, "connect_us": buckets})]


def run(chk):
    rows = []
    rows += accept_queue(chk)
    rows += syn_queue(chk)
    rows += lost_packets(chk)
    rows += port_range(chk)
    return rows
