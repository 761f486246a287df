#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read or change one 32-bit register of a PCI device from user space, through
its BAR0 in sysfs (resource0), behind the driver's back: fault injection for
tests (e.g. clear TCTL.EN so that transmission stalls and the TX watchdog
fires). regpoke.py PCI read OFFSET | set OFFSET MASK | clear OFFSET MASK
Prints the register's value after the operation, in hex."""
import mmap
import os
import sys


def main():
    pci, op, off = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
    mask = int(sys.argv[4], 0) if len(sys.argv) > 4 else 0
    path = f"/sys/bus/pci/devices/{pci}/resource0"
    fd = os.open(path, os.O_RDWR | os.O_SYNC)
    try:
        m = mmap.mmap(fd, 0x20000, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    finally:
        os.close(fd)
    # One aligned 32-bit access per read or write, as the device expects.
    regs = memoryview(m).cast("I")
    i = off // 4
    if op == "set":
        regs[i] = regs[i] | mask
    elif op == "clear":
        regs[i] = regs[i] & ~mask & 0xFFFFFFFF
    elif op != "read":
        sys.exit(f"unknown operation {op}")
    print(f"0x{regs[i]:08x}")
    regs.release()
    m.close()


if __name__ == "__main__":
    main()
