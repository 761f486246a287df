#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fault injection driver for the debug-kernel tests.

  fault_nth.py bind PCI DRIVER MAX   fail the n-th allocation of a bind
  fault_nth.py up IFACE MAX          ... of bringing IFACE up
  fault_nth.py ring IFACE MAX        ... of an ethtool ring resize (512 <-> 256)
  fault_nth.py random SECS PERCENT   fail atomic allocations at random for SECS
  fault_nth.py hold IFACE SECS       keep what IFACE receives for SECS, unread

The operation is issued by this process itself right after arming
/proc/thread-self/fail-nth, so the fault lands in the kernel path under test
and not in a fork or an exec. For n = 1, 2, ... the operation is repeated
until it succeeds with the fault not consumed (no n-th allocation left).
Prints: "<points> <failed> <succeeded>".
"""
import errno
import fcntl
import os
import socket
import struct
import sys
import time

SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
SIOCETHTOOL = 0x8946
ETHTOOL_GRINGPARAM = 0x10
ETHTOOL_SRINGPARAM = 0x11
IFF_UP = 1
SO_RCVBUFFORCE = 33
DBG = "/sys/kernel/debug"


FAIL_NTH = "/proc/thread-self/fail-nth"


def arm(n):
    # Both ends are opened before arming, so that neither open takes the
    # fault; the read end is read once, at offset 0, after the operation.
    wfd = os.open(FAIL_NTH, os.O_WRONLY)
    rfd = os.open(FAIL_NTH, os.O_RDONLY)
    os.write(wfd, str(n).encode())
    return wfd, rfd


def left(fds):
    """Remaining count (0: the fault was injected); disarms what is left."""
    wfd, rfd = fds
    v = int(os.read(rfd, 32).strip() or b"0")
    # Writing 0 disarms, so that nothing after the operation fails.
    os.write(wfd, b"0")
    os.close(rfd)
    os.close(wfd)
    return v


def ifflags(sock, ifc, up=None):
    req = struct.pack("16sH22x", ifc.encode(), 0)
    flags = struct.unpack("16sH22x", fcntl.ioctl(sock, SIOCGIFFLAGS, req))[1]
    if up is None:
        return flags
    flags = (flags | IFF_UP) if up else (flags & ~IFF_UP)
    return struct.pack("16sH22x", ifc.encode(), flags)


def ring_req(ifc, rx, tx):
    import array
    buf = array.array("I", [ETHTOOL_SRINGPARAM, 0, 0, 0, 0, rx, 0, 0, tx])
    return buf, struct.pack("16sP16x", ifc.encode(), buf.buffer_info()[0])


def nth_loop(setup, op, undo, max_n):
    failed = ok = 0
    n = 1
    while n <= max_n:
        setup()
        fd = arm(n)
        err = 0
        try:
            op()
        except OSError as e:
            err = e.errno or errno.EIO
        rest = left(fd)
        undo()
        if err:
            failed += 1
        else:
            ok += 1
            if rest > 0:
                break
        n += 1
    return n, failed, ok


def quiet(f):
    def g():
        try:
            f()
        except OSError:
            pass
    return g


def main():
    what = sys.argv[1]
    if what == "bind":
        pci, drv, max_n = sys.argv[2], sys.argv[3], int(sys.argv[4])
        bindf = f"/sys/bus/pci/drivers/{drv}/bind"
        unbindf = f"/sys/bus/pci/drivers/{drv}/unbind"

        def unbind():
            if os.path.exists(f"/sys/bus/pci/drivers/{drv}/{pci}"):
                with open(unbindf, "w") as f:
                    f.write(pci)
        fdb = os.open(bindf, os.O_WRONLY)
        res = nth_loop(quiet(unbind), lambda: os.write(fdb, pci.encode()), quiet(unbind), max_n)
    elif what in ("up", "ring"):
        ifc, max_n = sys.argv[2], int(sys.argv[3])
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if what == "up":
            down = quiet(lambda: fcntl.ioctl(s, SIOCSIFFLAGS, ifflags(s, ifc, False)))
            up_req = ifflags(s, ifc, True)
            res = nth_loop(down, lambda: fcntl.ioctl(s, SIOCSIFFLAGS, up_req), down, max_n)
        else:
            small_buf, small = ring_req(ifc, 256, 256)
            big_buf, big = ring_req(ifc, 512, 512)
            res = nth_loop(quiet(lambda: fcntl.ioctl(s, SIOCETHTOOL, small)),
                           lambda: fcntl.ioctl(s, SIOCETHTOOL, big),
                           quiet(lambda: fcntl.ioctl(s, SIOCETHTOOL, small)), max_n)
    elif what == "hold":
        # A packet socket that never reads: every frame IFACE receives stays
        # queued (up to 64 MiB) with the pages it arrived in, so the driver
        # cannot reuse its RX buffers and must allocate new ones.
        ifc, secs = sys.argv[2], float(sys.argv[3])
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
        s.bind((ifc, 0))
        time.sleep(secs)
        s.close()
        return
    elif what == "random":
        secs, pct = float(sys.argv[2]), sys.argv[3]
        for f in ("failslab", "fail_page_alloc"):
            for k, v in (("ignore-gfp-wait", "Y"), ("interval", "1"), ("times", "-1"),
                         ("verbose", "0"), ("probability", pct)):
                with open(f"{DBG}/{f}/{k}", "w") as fh:
                    fh.write(v)
        # fail_page_alloc spares single pages by default (min-order 1): those
        # are what an RX refill allocates.
        with open(f"{DBG}/fail_page_alloc/min-order", "w") as fh:
            fh.write("0")
        time.sleep(secs)
        for f in ("failslab", "fail_page_alloc"):
            with open(f"{DBG}/{f}/probability", "w") as fh:
                fh.write("0")
        with open(f"{DBG}/fail_page_alloc/min-order", "w") as fh:
            fh.write("1")
        return
    else:
        raise SystemExit("usage: see the module doc")
    print(*res)


if __name__ == "__main__":
    main()
