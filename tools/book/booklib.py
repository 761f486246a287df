# SPDX-License-Identifier: GPL-2.0
"""Helpers shared by the book lab's experiments (tools/book/chNN_*.py).

Everything runs inside the VM, as root. The topology (tools/book/guest.sh):
rigb port A in the root namespace (192.0.2.1), rigb port B in namespace
"peer" (192.0.2.2), wired back-to-back by QEMU; rust_loopback's rlo0 and
rust_veth are loaded. Sockets are opened in a namespace by entering it with
setns() around their creation: a socket keeps the namespace it was created
in, so one process can hold both ends of a connection across the wire.
"""
import contextlib
import ctypes
import os
import re
import resource
import socket
import subprocess
import threading
import time

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)
IP = "/usr/sbin/ip"
ETHTOOL = "/usr/sbin/ethtool"
NFT = "/usr/sbin/nft"

NS = os.environ.get("BOOK_NS", "peer")
IF_A = os.environ.get("BOOK_A", "")
IF_B = os.environ.get("BOOK_B", "")
ADDR_A = os.environ.get("BOOK_ADDR_A", "192.0.2.1")
ADDR_B = os.environ.get("BOOK_ADDR_B", "192.0.2.2")
QUICK = os.environ.get("BOOK_QUICK", "0") == "1"


def sh(cmd, ns=None, check=True, timeout=120):
    """Run a shell command (in namespace ns), return its stdout."""
    if ns:
        cmd = f"{IP} netns exec {ns} bash -c {shlex_quote(cmd)}"
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True,
                       timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{cmd}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def nsrun(cmd, ns=None, check=True, timeout=60):
    """Like sh(), but enters ns with setns() in this process (no `ip netns
    exec`, whose /sys remount costs a lot under TCG): for commands that use
    netlink, not /sys."""
    with netns(ns):
        r = subprocess.run(cmd, shell=True, capture_output=True, text=True,
                           timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{cmd}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def shlex_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def sysctl(name, value=None, ns=None):
    path = "/proc/sys/" + name.replace(".", "/")
    with netns(ns):
        if value is None:
            with open(path) as f:
                return f.read().strip()
        with open(path, "w") as f:
            f.write(str(value))
    return str(value)


@contextlib.contextmanager
def netns(name):
    """Run the block with this thread in network namespace name (None: stay)."""
    if not name:
        yield
        return
    cur = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    tgt = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if _libc.setns(tgt, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {name}")
        yield
    finally:
        _libc.setns(cur, CLONE_NEWNET)
        os.close(cur)
        os.close(tgt)


def sock_in(ns, family=socket.AF_INET, kind=socket.SOCK_STREAM):
    with netns(ns):
        return socket.socket(family, kind)


def raise_nofile(n):
    """Raise RLIMIT_NOFILE (and fs.nr_open if needed) to n."""
    if int(sysctl("fs.nr_open")) < n:
        sysctl("fs.nr_open", n)
    resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))


def snmp(ns=None):
    """/proc/net/snmp + netstat of namespace ns as {"TcpExtListenOverflows": n, ...}."""
    out = {}
    with netns(ns):
        for f in ("snmp", "netstat"):
            with open(f"/proc/thread-self/net/{f}") as fh:
                lines = fh.read().splitlines()
            for h, v in zip(lines[0::2], lines[1::2]):
                hk, vk = h.split(), v.split()
                pre = hk[0].rstrip(":")
                for k, val in zip(hk[1:], vk[1:]):
                    out[pre + k] = int(val)
    return out


def delta(before, after):
    return {k: after[k] - before.get(k, 0) for k in after}


def irqs(pattern):
    """Sum of /proc/interrupts over all CPUs for lines whose name matches."""
    total = 0
    with open("/proc/interrupts") as f:
        ncpu = len(f.readline().split())
        for line in f:
            if re.search(pattern, line):
                total += sum(int(x) for x in line.split()[1:1 + ncpu] if x.isdigit())
    return total


def softirqs():
    """{"NET_RX": n, "NET_TX": n, ...} summed over CPUs."""
    out = {}
    with open("/proc/softirqs") as f:
        f.readline()
        for line in f:
            p = line.split()
            out[p[0].rstrip(":")] = sum(int(x) for x in p[1:])
    return out


def cpu_stat():
    """/proc/stat's first line: {"user": ticks, ..., "irq", "softirq"}."""
    names = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]
    with open("/proc/stat") as f:
        vals = [int(x) for x in f.readline().split()[1:9]]
    return dict(zip(names, vals))


def ethtool_s(dev, ns=None):
    out = {}
    for line in sh(f"{ETHTOOL} -S {dev}", ns=ns).splitlines()[1:]:
        k, _, v = line.strip().partition(":")
        try:
            out[k.strip()] = int(v)
        except ValueError:
            pass
    return out


def dev_stat(dev, name, ns=None):
    # sysfs shows the devices of the namespace it was mounted in: another
    # namespace's need `ip netns exec`, which mounts its own.
    if ns:
        return int(sh(f"cat /sys/class/net/{dev}/statistics/{name}", ns=ns))
    with open(f"/sys/class/net/{dev}/statistics/{name}") as f:
        return int(f.read())


def meminfo(key="Slab"):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def sockstat(ns=None):
    """/proc/net/sockstat: {"TCP inuse": n, "TCP tw": n, "TCP mem": pages, ...}."""
    out = {}
    with netns(ns):
        with open("/proc/thread-self/net/sockstat") as f:
            for line in f:
                proto, _, rest = line.partition(":")
                p = rest.split()
                for k, v in zip(p[0::2], p[1::2]):
                    out[f"{proto} {k}"] = int(v)
    return out


def tcp_states(ns=None, port=None):
    """Count of TCP sockets per state (from /proc/net/tcp), optionally by local port."""
    names = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1",
             5: "FIN_WAIT2", 6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT",
             9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}
    out = {}
    with netns(ns):
        with open("/proc/thread-self/net/tcp") as f:
            next(f)
            for line in f:
                p = line.split()
                lport = int(p[1].split(":")[1], 16)
                rport = int(p[2].split(":")[1], 16)
                if port is not None and port not in (lport, rport):
                    continue
                st = names.get(int(p[3], 16), p[3])
                out[st] = out.get(st, 0) + 1
    return out


def nft_table(table, chain, hook, rule):
    return (f"table inet {table} {{\n\tchain {chain} {{\n"
            f"\t\ttype filter hook {hook} priority 0;\n\t\t{rule}\n\t}}\n}}")


def nft(rules, ns=None):
    nsrun(f"{NFT} -f - <<'EOT'\n{rules}\nEOT", ns=ns)


def nft_counter(table, chain, ns=None):
    out = nsrun(f"{NFT} list chain inet {table} {chain}", ns=ns)
    for tok in out.split("counter packets ")[1:]:
        return int(tok.split()[0])
    return -1


def quiet(pattern, devs, settle=1.0, timeout=15.0):
    """Wait until the interrupt lines matching pattern and the packet counters
    of devs ([(dev, ns)]) stay unchanged for settle seconds: what a link that
    just came up still sends (IPv6 neighbour discovery, MLD reports) must not
    join the frames an experiment counts. Returns whether it got quiet."""
    def snap():
        return (irqs(pattern), tuple(dev_stat(d, k, ns) for d, ns in devs
                                     for k in ("rx_packets", "tx_packets")))
    end = time.monotonic() + timeout
    last, since = snap(), time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.1)
        cur = snap()
        if cur != last:
            last, since = cur, time.monotonic()
        elif time.monotonic() - since >= settle:
            return True
    return False


def tcp_segs_out(sock):
    """Segments this socket has sent (struct tcp_info's tcpi_segs_out)."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 144)
    return int.from_bytes(info[136:140], "little")


def wait(cond, timeout=5.0, step=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


def listener(ns, addr, port, backlog=4096, reuse=True):
    s = sock_in(ns)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(backlog)
    return s


def connect_pairs(ls, addr, port, n, ns=None, bind_addr=None):
    """n connections from namespace ns to the listener ls (accepting as they
    come): returns (clients, servers)."""
    ls.setblocking(False)
    cl, sv = [], []
    for i in range(n):
        c = sock_in(ns)
        if bind_addr:
            c.bind((bind_addr, 0))
        c.connect((addr, port))
        cl.append(c)
        while True:
            try:
                a, _ = ls.accept()
                sv.append(a)
            except BlockingIOError:
                break
    end = time.monotonic() + 30
    while len(sv) < n and time.monotonic() < end:
        try:
            a, _ = ls.accept()
            sv.append(a)
        except BlockingIOError:
            time.sleep(0.01)
    # Accept order is not connect order (two RX queues, two CPUs): pair
    # each server socket with its client by the client's address.
    by_peer = {s.getpeername(): s for s in sv}
    sv = [by_peer.pop(c.getsockname()) for c in cl if c.getsockname() in by_peer]
    sv += list(by_peer.values())
    return cl, sv


def drain(sock, chunk=1 << 18):
    """Reads sock to its end in a thread: returns the thread and a one-item
    list holding the byte count (final once the thread is joined)."""
    got = [0]

    def rd():
        while True:
            b = sock.recv(chunk)
            if not b:
                break
            got[0] += len(b)
    th = threading.Thread(target=rd)
    th.start()
    return th, got


def close_all(*lists):
    for lst in lists:
        for s in lst:
            try:
                s.close()
            except OSError:
                pass


def row(chapter, question, book, measured, holds, **extra):
    r = {"chapter": chapter, "question": question, "book": book,
         "measured": measured, "holds": bool(holds)}
    r.update(extra)
    return r


class Checks:
    """Exact assertions of one chapter, reported as TAP by book.py --tap."""

    def __init__(self):
        self.items = []

    def eq(self, name, want, got):
        self.items.append((name, want == got, f"expected {want!r}, got {got!r}"))

    def true(self, name, cond, detail=""):
        self.items.append((name, bool(cond), detail))
