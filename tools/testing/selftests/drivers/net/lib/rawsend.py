#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send crafted Ethernet frames with a packet socket, for the bad-frame
tests: rawsend.py IFACE DST_MAC KIND COUNT [BURST GAP_MS]
With BURST, pause GAP_MS after every BURST frames, so that a slow (emulated)
receiver can keep up and every frame can be accounted for.
KIND: runt (frames shorter than the 60-byte minimum), garbage (unknown
EtherType 0x88b5, local experimental), oversize (3000 bytes, beyond a
1500 MTU), small (64-byte frames as fast as possible), full (full-size
1514-byte frames).
Prints the number of frames the kernel accepted for sending."""
import socket
import sys
import time


def main():
    ifc, dst, kind, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    burst = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    gap = float(sys.argv[6]) / 1000 if len(sys.argv) > 6 else 0
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifc, 0))
    src = s.getsockname()[4]
    dmac = bytes.fromhex(dst.replace(":", ""))
    if kind == "runt":
        frame = dmac + src + b"\x88\xb5" + b"r" * 4          # 20 bytes
    elif kind == "garbage":
        frame = dmac + src + b"\x88\xb5" + b"g" * 100
    elif kind == "oversize":
        frame = dmac + src + b"\x88\xb5" + b"o" * (3000 - 14)
    elif kind == "full":
        frame = dmac + src + b"\x88\xb5" + b"f" * (1514 - 14)
    elif kind == "small":
        frame = dmac + src + b"\x88\xb5" + b"s" * (60 - 14)
    else:
        raise SystemExit("unknown kind " + kind)
    sent = 0
    for i in range(count):
        if burst and i and i % burst == 0:
            time.sleep(gap)
        try:
            s.send(frame)
            sent += 1
        except BlockingIOError:
            pass
        except OSError as e:
            # ENOBUFS: the qdisc/driver is full; the frame was not sent.
            if e.errno != 105:
                raise
    print(sent)


if __name__ == "__main__":
    main()
