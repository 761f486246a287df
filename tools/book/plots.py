#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Draw the book lab's curves as SVG from DIR/results.json (host side,
matplotlib from Debian's python3-matplotlib): connect() time vs local ports
in use (chapter 6), slab memory vs connections (chapter 7), the receive
latency of each stage (chapter 2).

    plots.py DIR
"""
import json
import os
import sys

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402


def find(rows, chapter, key):
    for r in rows:
        if r["chapter"] == chapter and key in r.get("data", {}):
            return r["data"]
    return None


def main(out):
    with open(os.path.join(out, "results.json")) as f:
        rows = json.load(f)
    made = []
    d = find(rows, 6, "connect_us")
    if d:
        step = d["ports_in_use_per_bucket"]
        xs = [i * step for i in range(len(d["connect_us"]))]
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(xs, d["connect_us"], marker="o")
        ax.set_xlabel("local ports already in use")
        ax.set_ylabel("connect() syscall, us (mean)")
        ax.set_title("ch. 6: connect() as the port range fills")
        fig.tight_layout()
        fig.savefig(os.path.join(out, "ch06_connect_vs_ports.svg"))
        made.append("ch06_connect_vs_ports.svg")
    d = find(rows, 7, "curve")
    if d:
        xs = [c for c, _ in d["curve"]]
        ys = [m / 1e6 for _, m in d["curve"]]
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(xs, ys, marker="o", label="measured (both ends in one kernel)")
        ax.plot(xs, [x * 2 * 3.3 * 1024 / 1e6 for x in xs], linestyle="--",
                label="book: 3.3 KB per socket, 2 sockets per connection")
        ax.set_xlabel("idle ESTABLISHED connections")
        ax.set_ylabel("slab growth, MB")
        ax.set_title("ch. 7: kernel memory vs connections")
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out, "ch07_memory_vs_connections.svg"))
        made.append("ch07_memory_vs_connections.svg")
    d = find(rows, 2, "wire_us")
    if d:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        hi = sorted(d["wire_us"] + d["queue_us"])[int(0.98 * (len(d["wire_us"]) * 2 - 1))]
        bins = [hi * i / 40 for i in range(41)]
        ax.hist([min(x, hi) for x in d["wire_us"]], bins=bins, alpha=0.6,
                label="send() -> stack timestamp (TX, wire, IRQ, NAPI)")
        ax.hist([min(x, hi) for x in d["queue_us"]], bins=bins, alpha=0.6,
                label="stack timestamp -> recv() returns (UDP, socket queue, wake-up)")
        ax.set_xlabel("us (TCG guest)")
        ax.set_ylabel("datagrams")
        ax.set_title("ch. 2: receive latency by stage")
        ax.legend(fontsize="small")
        fig.tight_layout()
        fig.savefig(os.path.join(out, "ch02_rx_latency.svg"))
        made.append("ch02_rx_latency.svg")
    for m in made:
        print(f"[rigb] plot: {os.path.join(out, m)}")


if __name__ == "__main__":
    main(sys.argv[1])
