#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Report of tools/bench/insn/run.sh: guest kernel instructions per received
packet in the UDP flood, the Rust driver vs the C one (rigb vs igb, or
rust_loopback vs lo), in total, in the driver (module code, Rust abstractions
and helpers) and per function.

    report.py OUT    (OUT holds blocks.N.txt, kallsyms.DRV, console.txt)
"""
import bisect
import collections
import re
import subprocess
import sys

_demangled = {}


def demangle(names):
    """Rust (v0) and C++ names as source paths, through binutils' c++filt."""
    todo = [n for n in names if n not in _demangled]
    if todo:
        try:
            res = subprocess.run(["c++filt"], input="\n".join(todo), capture_output=True,
                                 text=True, check=True).stdout.splitlines()
        except (OSError, subprocess.CalledProcessError):
            res = todo
        for n, d in zip(todo, res):
            _demangled[n] = re.sub(r"\[[0-9a-f]{16}\]", "", d)


def symbols(path):
    """Sorted (address, name) of the text symbols in a /proc/kallsyms copy."""
    out = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 3 and p[1] in "tTwW":
                out.append((int(p[0], 16), " ".join(p[2:])))
    out.sort()
    return out


def per_function(blocks, kallsyms):
    """Instructions and entries (calls) per function in one dump."""
    syms = symbols(kallsyms)
    addrs = [a for a, _ in syms]
    insns, calls = collections.Counter(), collections.Counter()
    with open(blocks) as f:
        for line in f:
            p = line.split()
            addr, count, n = int(p[0], 16), int(p[1]), len(p) - 2
            i = bisect.bisect_right(addrs, addr) - 1
            name = syms[i][1] if i >= 0 else "?"
            insns[name] += n * count
            if i >= 0 and syms[i][0] == addr:
                calls[name] += count
    return insns, calls


def is_driver(name):
    # The module's code, the Rust abstractions (kernel crate, mangled `_RN`)
    # and the C helpers they call.
    return ("[rigb]" in name or "[igb]" in name or "[rust_loopback]" in name
            or name.startswith("rust_helper_") or name.startswith("_RN")
            or name.startswith("loopback_"))


def short(name):
    name = _demangled.get(name, name)
    return name if len(name) <= 100 else name[:97] + "..."


def main():
    out = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else "nic"
    console = open(f"{out}/console.txt", errors="replace").read()
    found = re.findall(r"INSN-PKTS (\w+) (\d+)", console)
    pkts = {d: int(n) for d, n in found}
    if len(found) != 2:
        sys.exit(f"expected two floods in {out}/console.txt, found {len(found)}")
    # Dumps: 0 boot and set-up, 1 Rust driver's flood, 2 in between, 3 C flood.
    rust, cdrv = found[0][0], found[1][0]
    runs = {}
    for drv, dump in ((rust, 1), (cdrv, 3)):
        if not pkts.get(drv):
            sys.exit(f"no packet count for {drv} in {out}/console.txt")
        runs[drv] = per_function(f"{out}/blocks.{dump}.txt", f"{out}/kallsyms.{drv}")
    r, c = runs[rust], runs[cdrv]
    pr, pc = pkts[rust], pkts[cdrv]

    def totals(run, p):
        all_ = sum(run[0].values()) / p
        drv = sum(v for k, v in run[0].items() if is_driver(k)) / p
        return all_, drv

    (ra, rd), (ca, cd) = totals(r, pr), totals(c, pc)
    demangle(set(r[0]) | set(c[0]))
    what = {
        "tcp": "received TCP segment, TCP stream",
        "rr": "TCP request/response transaction (one byte each way)",
        "lo": "frame, UDP 64-byte flood through the device",
    }.get(mode, "received packet, UDP 64-byte flood")
    print(f"# Instructions per {what} ({rust} vs {cdrv})\n")
    print(f"Packets: {rust} {pr}, {cdrv} {pc}. Guest kernel instructions only.\n")
    print(f"| part | {cdrv} | {rust} | {rust} - {cdrv} |")
    print("| --- | --- | --- | --- |")
    print(f"| all kernel code | {ca:.0f} | {ra:.0f} | {ra - ca:+.0f} |")
    print(f"| driver (module, Rust abstractions, helpers) | {cd:.0f} | {rd:.0f} | {rd - cd:+.0f} |")
    print(f"| rest (stack, scheduler, ...) | {ca - cd:.0f} | {ra - rd:.0f} | {(ra - rd) - (ca - cd):+.0f} |")
    print("\nThe rest differs by some tens of instructions between runs of the same "
          "driver (wake-ups, timers); the driver part is repeatable.\n")
    for label, run, p in ((rust, r, pr), (cdrv, c, pc)):
        print(f"## {label}: driver functions (instructions per packet, calls per packet)\n")
        print("| instructions | calls | function |")
        print("| --- | --- | --- |")
        for k, v in sorted(run[0].items(), key=lambda x: -x[1]):
            if is_driver(k) and v / p >= 0.5:
                print(f"| {v / p:.1f} | {run[1][k] / p:.3f} | `{short(k)}` |")
        print()
    print(f"## Largest differences outside the drivers ({rust} - {cdrv}, per packet)\n")
    print(f"| {cdrv} | {rust} | difference | function |")
    print("| --- | --- | --- | --- |")
    keys = [k for k in set(r[0]) | set(c[0]) if not is_driver(k)]
    keys.sort(key=lambda k: -abs(r[0][k] / pr - c[0][k] / pc))
    for k in keys[:25]:
        a, b = c[0][k] / pc, r[0][k] / pr
        print(f"| {a:.1f} | {b:.1f} | {b - a:+.1f} | `{short(k)}` |")


if __name__ == "__main__":
    main()
