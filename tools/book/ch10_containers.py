# SPDX-License-Identifier: GPL-2.0
"""Container networking: rveth pairs on a bridge, NAT out through rigb"""
import socket
import time

from booklib import (ADDR_A, ADDR_B, IF_A, IF_B, IP, NS, dev_stat, row, sh,
                     sock_in, sysctl, listener)

CHAPTER = 10
NFT = "/usr/sbin/nft"
CTS = ["c1", "c2"]


def setup():
    sh("modprobe bridge", check=False)
    sh(f"{IP} link add book-br0 type bridge && {IP} addr add 10.88.0.1/24 dev book-br0 && "
       f"{IP} link set book-br0 up")
    for i, c in enumerate(CTS):
        sh(f"{IP} netns add {c}")
        sh(f"{IP} netns exec {c} sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
           "net.ipv6.conf.default.disable_ipv6=1")
        sh(f"{IP} link add {c}-h type rveth peer name {c}-c")
        sh(f"{IP} link set {c}-c netns {c}")
        sh(f"sysctl -qw net.ipv6.conf.{c}-h.disable_ipv6=1")
        sh(f"{IP} link set {c}-h master book-br0 up")
        sh(f"{IP} addr add 10.88.0.{i + 2}/24 dev {c}-c && {IP} link set {c}-c up && "
           f"{IP} link set lo up && {IP} route add default via 10.88.0.1", ns=c)
    sysctl("net.ipv4.ip_forward", 1)
    sh(f"""{NFT} -f - <<'EOT'
table ip book10 {{
	chain c_post {{
		type nat hook postrouting priority srcnat;
		ip saddr 10.88.0.0/24 oifname "{IF_A}" counter masquerade
	}}
	chain c_fwd {{
		type filter hook forward priority 0;
		ct state new counter
		ct state established counter
	}}
}}
EOT""")


def mac(dev, ns=None):
    return sh(f"cat /sys/class/net/{dev}/address", ns=ns).strip()


def pin_neighbours():
    br, a, b = mac("book-br0"), mac(IF_A), mac(IF_B, NS)
    for c in CTS:
        sh(f"{IP} neigh replace 10.88.0.1 lladdr {br} dev {c}-c nud permanent", ns=c)
    sh(f"{IP} neigh replace {ADDR_B} lladdr {b} dev {IF_A} nud permanent")
    sh(f"{IP} neigh replace {ADDR_A} lladdr {a} dev {IF_B} nud permanent", ns=NS)
    for i, c in enumerate(CTS):
        sh(f"{IP} neigh replace 10.88.0.{i + 2} lladdr {mac(c + '-c', c)} dev book-br0 nud permanent")


def teardown():
    sh(f"{NFT} delete table ip book10", check=False)
    for c in CTS:
        sh(f"{IP} netns del {c}", check=False)
    sh(f"{IP} link del book-br0", check=False)
    sysctl("net.ipv4.ip_forward", 0)


def nft_counters():
    out = sh(f"{NFT} list table ip book10")
    return [int(t.split()[0]) for t in out.split("counter packets ")[1:]]


def run(chk):
    teardown()
    setup()
    try:
        # Resolve the neighbours first and pin them (no ARP probes later):
        # the counted frames are then only ours.
        sh("ping -c1 -W3 " + ADDR_B, ns="c1")
        sh("ping -c1 -W3 " + ADDR_B, ns="c2")
        pin_neighbours()
        time.sleep(0.3)
        ct_cnt0 = int(sysctl("net.netfilter.nf_conntrack_count"))
        n = 200
        hops = [("c1 rveth (container end) tx", "c1-c", "tx_packets", "c1"),
                ("c1 rveth (bridge end) rx", "c1-h", "rx_packets", None),
                ("bridge book-br0 rx", "book-br0", "rx_packets", None),
                (f"rigb {IF_A} tx", IF_A, "tx_packets", None),
                (f"rigb {IF_B} rx (external)", IF_B, "rx_packets", NS)]
        before = [dev_stat(d, k, ns) for _, d, k, ns in hops]
        rx = sock_in(NS, kind=socket.SOCK_DGRAM)
        # SO_RCVBUFFORCE: past net.core.rmem_max, so the burst fits.
        rx.setsockopt(socket.SOL_SOCKET, 33, 1 << 22)
        rx.bind((ADDR_B, 7901))
        rx.settimeout(3)
        tx = sock_in("c1", kind=socket.SOCK_DGRAM)
        for _ in range(n):
            tx.sendto(b"u" * 100, (ADDR_B, 7901))
        got, src = 0, set()
        try:
            while got < n:
                _, a = rx.recvfrom(2048)
                got += 1
                src.add(a[0])
        except OSError:
            pass
        after = [dev_stat(d, k, ns) for _, d, k, ns in hops]
        hop_d = [a - b for a, b in zip(after, before)]
        # One TCP connection from c2, seen by the external side.
        ls = listener(NS, ADDR_B, 7902)
        c = sock_in("c2")
        c.settimeout(5)
        c.connect((ADDR_B, 7902))
        s, peer = ls.accept()
        c.send(b"hello")
        s.recv(16)
        ct_cnt = int(sysctl("net.netfilter.nf_conntrack_count"))
        cnt = nft_counters()
        for x in (c, s, ls, tx, rx):
            x.close()
        chk.eq(f"{n} UDP datagrams from container c1 counted at every hop", [n] * len(hops), hop_d)
        chk.eq(f"external side saw {n} datagrams, all from the host's rigb address {ADDR_A} (masquerade)",
               (n, {ADDR_A}), (got, src))
        chk.eq("TCP from container c2 arrives from the host's address", ADDR_A, peer[0])
        chk.eq("conntrack: 2 new entries (the UDP flow and the TCP connection)", 2, ct_cnt - ct_cnt0)
        chk.eq("masquerade rule hit once per new flow (2 pings earlier + UDP + TCP)", 4, cnt[0])
    finally:
        teardown()
    hopstr = ", ".join(f"{name} +{d}" for (name, _, _, _), d in zip(hops, hop_d))
    return [row(10, "how does a container reach the outside: veth, bridge, NAT?",
                "veth pair into the host's bridge, routed, source NATed (masquerade) by netfilter; "
                "conntrack keeps one entry per flow",
                f"{n} UDP datagrams c1 -> external: {hopstr}; seen from {sorted(src)}; TCP from c2 seen from "
                f"{peer[0]}; conntrack +{ct_cnt - ct_cnt0} entries; masquerade rule hits {cnt[0]}",
                all(d == n for d in hop_d) and src == {ADDR_A} and peer[0] == ADDR_A)]
