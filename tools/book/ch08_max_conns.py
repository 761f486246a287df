# SPDX-License-Identifier: GPL-2.0
"""How many connections: nofile, nr_open, file-max, and beyond 65,535"""
import errno
import os
import resource
import socket
import struct
import time

from booklib import (ADDR_A, ADDR_B, NS, QUICK, close_all, listener, row, sh,
                     sock_in, sysctl)

CHAPTER = 8


def accept_ready(listeners, out):
    """Accepts every connection the (non-blocking) listeners have queued."""
    for ls in listeners:
        try:
            while True:
                out.append(ls.accept()[0])
        except BlockingIOError:
            pass

def in_child(fn):
    """Run fn() in a forked child; return the tuple of ints it returns."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            res = fn()
        except Exception:
            res = (-1, -1, -1)
        os.write(w, struct.pack("qqq", *res))
        os._exit(0)
    os.close(w)
    data = os.read(r, 24)
    os.waitpid(pid, 0)
    os.close(r)
    return struct.unpack("qqq", data)


def open_until_error(limit_guard=10 ** 6):
    socks = []
    err = 0
    while len(socks) < limit_guard:
        try:
            socks.append(socket.socket())
        except OSError as e:
            err = e.errno
            break
    return socks, err


def limits(chk):
    rows = []
    # nofile: a process holds at most RLIMIT_NOFILE descriptors.
    nofile = 1000

    def t_nofile():
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
        socks, err = open_until_error()
        # Every descriptor is taken: free one for listdir's own, which it
        # lists too, so the count is what was open at EMFILE.
        socks.pop().close()
        fds = len(os.listdir("/proc/self/fd"))
        return (fds, err, len(socks))
    fds, err, _ = in_child(t_nofile)
    chk.eq(f"RLIMIT_NOFILE {nofile}: EMFILE when {nofile} descriptors are open",
           (nofile, errno.EMFILE), (fds, err))
    rows.append(row(8, "how many files can one process open?",
                    "ulimit -n (RLIMIT_NOFILE); beyond it socket()/open() fail with EMFILE",
                    f"nofile {nofile}: the socket() after {fds} open descriptors failed with "
                    f"{errno.errorcode.get(err, err)}",
                    fds == nofile and err == errno.EMFILE))

    # nr_open: the ceiling of RLIMIT_NOFILE itself.
    old_nr = sysctl("fs.nr_open")
    try:
        sysctl("fs.nr_open", 5000)

        def t_nr_open():
            try:
                resource.setrlimit(resource.RLIMIT_NOFILE, (5001, 5001))
                return (0, 0, 0)
            except (OSError, ValueError):
                pass
            resource.setrlimit(resource.RLIMIT_NOFILE, (5000, 5000))
            return (1, 0, 0)
        refused, _, _ = in_child(t_nr_open)
    finally:
        sysctl("fs.nr_open", old_nr)
    chk.eq("fs.nr_open 5000: nofile 5001 refused, 5000 accepted", 1, refused)

    # file-max: the whole system's open files; root (CAP_SYS_ADMIN) is exempt,
    # so the child drops to user nobody.
    old_max = sysctl("fs.file-max")
    try:
        used = int(sysctl("fs.file-nr").split()[0])
        fmax = used + 300
        sysctl("fs.file-max", fmax)

        def t_file_max():
            resource.setrlimit(resource.RLIMIT_NOFILE, (100000, 100000))
            os.setgid(65534)
            os.setuid(65534)
            socks, err = open_until_error()
            return (len(socks), err, 0)
        opened, err, _ = in_child(t_file_max)
    finally:
        sysctl("fs.file-max", old_max)
    chk.eq("fs.file-max reached: ENFILE for a process without CAP_SYS_ADMIN", errno.ENFILE, err)
    rows.append(row(8, "what limits the whole system's open files?",
                    "fs.file-max: beyond it ENFILE (root is exempt); fs.nr_open caps ulimit -n",
                    f"file-max {fmax}: an unprivileged process opened {opened} sockets, then "
                    f"{errno.errorcode.get(err, err)} ({used} files were open before, file-max - {used} = {fmax - used}); nr_open 5000: ulimit -n 5001 "
                    + ("refused" if refused else "accepted"),
                    err == errno.ENFILE and refused == 1))
    return rows


def many(chk):
    """More than 65,535 connections from one client IP: the 4-tuple, not the
    port, must be unique, so each server port gets the whole port range."""
    nports_srv = 3
    per = 2500 if QUICK else 22000
    total = nports_srv * per
    old = sysctl("net.ipv4.ip_local_port_range")
    lss = []
    cl, sv = [], []
    fail = 0
    t0 = time.monotonic()
    try:
        sysctl("net.ipv4.ip_local_port_range", "10000 65000")
        sysctl("net.ipv4.tcp_max_syn_backlog", 65536, ns=NS)
        for i in range(nports_srv):
            ls = listener(NS, ADDR_B, 7801 + i, backlog=4096)
            ls.setblocking(False)
            lss.append(ls)
        for i in range(total):
            p = 7801 + i % nports_srv
            c = sock_in(None)
            try:
                c.connect((ADDR_B, p))
            except OSError:
                fail += 1
                c.close()
                continue
            cl.append(c)
            if i % 64 == 63:
                accept_ready(lss, sv)
        accept_ready(lss, sv)
        secs = time.monotonic() - t0
        est = int(sh(f"ss -Htn state established src {ADDR_A} | wc -l"))
        lports = set(c.getsockname()[1] for c in cl)
    finally:
        sysctl("net.ipv4.ip_local_port_range", old)
        close_all(cl, sv, lss)
    chk.eq(f"{total} connections from one client address to {nports_srv} server ports",
           (total, 0), (est, fail))
    return [row(8, "can one client IP open more than 65,535 connections?",
                "yes: a connection is a 4-tuple; the same local port serves different server ports",
                f"{est} ESTABLISHED from {ADDR_A} to {nports_srv} ports of {ADDR_B} using {len(lports)} "
                f"local ports ({secs:.0f} s)",
                est > 65535 if not QUICK else est == total)]


def run(chk):
    return limits(chk) + many(chk)
