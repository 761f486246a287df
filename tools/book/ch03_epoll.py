# SPDX-License-Identifier: GPL-2.0
"""Process cooperation: blocking recv per connection vs epoll"""
import os
import resource
import select
import socket
import struct
import threading
import time

from booklib import ADDR_B, NS, QUICK, close_all, connect_pairs, listener, row

CHAPTER = 3


def serve(mode, socks, total, wfd):
    """In the forked server: answer every 1-byte message with 1 byte, count
    the messages, report this process's context switches (all threads)."""
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    got = [0] * len(socks)
    waits = [0]
    if mode == "blocking":
        per = total // len(socks)

        def one(i, s):
            for _ in range(per):
                if not s.recv(1):
                    return
                s.send(b"r")
                got[i] += 1
        ths = [threading.Thread(target=one, args=(i, s), daemon=True) for i, s in enumerate(socks)]
        # Threads are created before the clock starts: their start-up
        # switches are not the messages'.
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        for t in ths:
            t.start()
        for t in ths:
            t.join()
    else:
        ep = select.epoll()
        fd2i = {}
        for i, s in enumerate(socks):
            s.setblocking(False)
            ep.register(s.fileno(), select.EPOLLIN)
            fd2i[s.fileno()] = i
        n = 0
        while n < total:
            ev = ep.poll()
            waits[0] += 1
            for fd, _ in ev:
                s = socks[fd2i[fd]]
                try:
                    b = s.recv(4096)
                except BlockingIOError:
                    continue
                for _ in b:
                    s.send(b"r")
                n += len(b)
        got = [n]
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    vol = r1.ru_nvcsw - r0.ru_nvcsw
    inv = r1.ru_nivcsw - r0.ru_nivcsw
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    os.write(wfd, struct.pack("qqqdq", sum(got), vol, inv, cpu, waits[0]))
    os._exit(0)


def experiment(mode, nconn, rounds, port):
    ls = listener(NS, ADDR_B, port)
    cl, sv = connect_pairs(ls, ADDR_B, port, nconn)
    ls.close()
    total = nconn * rounds
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        close_all(cl)
        serve(mode, sv, total, wfd)
    os.close(wfd)
    close_all(sv)
    time.sleep(0.5 if nconn > 1 else 0.1)
    t0 = time.monotonic()
    for _ in range(rounds):
        for c in cl:          # one message on every connection ...
            c.send(b"m")
        for c in cl:          # ... then every answer
            c.recv(1)
    dt = time.monotonic() - t0
    data = b""
    while len(data) < 40:
        data += os.read(rfd, 40)
    os.waitpid(pid, 0)
    os.close(rfd)
    close_all(cl)
    got, vol, inv, cpu, waits = struct.unpack("qqqdq", data)
    return {"msgs": got, "total": total, "vol": vol, "inv": inv, "cpu": cpu,
            "waits": waits, "secs": dt}


def run(chk):
    big = 200 if QUICK else 1000
    cases = [(1, 300 if QUICK else 1000), (big, 3 if QUICK else 5)]
    res = {}
    port = 7310
    for nconn, rounds in cases:
        for mode in ("blocking", "epoll"):
            port += 1
            r = experiment(mode, nconn, rounds, port)
            res[(mode, nconn)] = r
            chk.eq(f"{mode}, {nconn} connection(s): all {r['total']} messages answered",
                   r["total"], r["msgs"])

    def per(m, n, k="vol"):
        r = res[(m, n)]
        return r[k] / max(r["msgs"], 1)
    rows = []
    for nconn, _ in cases:
        b, e = res[("blocking", nconn)], res[("epoll", nconn)]
        rows.append(row(3, f"blocking recv vs epoll, {nconn} connection(s): wake-ups per message?",
                        "blocking: a process (thread) sleeps and is woken for each message, one context switch each; "
                        "epoll: one process sleeps in epoll_wait and handles every ready socket per wake-up",
                        f"{b['msgs']} messages: blocking {per('blocking', nconn):.2f} voluntary switches/msg, "
                        f"{b['cpu'] / max(b['msgs'], 1) * 1e6:.0f} us CPU/msg; epoll {per('epoll', nconn):.2f} "
                        f"switches/msg, {e['waits'] / max(e['msgs'], 1):.2f} epoll_wait returns/msg, "
                        f"{e['cpu'] / max(e['msgs'], 1) * 1e6:.0f} us CPU/msg",
                        (per("epoll", nconn) <= per("blocking", nconn)) if nconn > 1
                        else per("blocking", nconn) > 0.5,
                        data={f"{m}_{k}": res[(m, nconn)][k] for m in ("blocking", "epoll")
                              for k in ("msgs", "vol", "inv", "cpu", "waits")}))
    e = res[("epoll", big)]
    chk.true(f"epoll, {big} connections: fewer epoll_wait returns than messages "
             f"({e['waits']} < {e['msgs']})", e["waits"] < e["msgs"])
    return rows
