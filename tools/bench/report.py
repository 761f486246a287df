#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fold the guest's JSON lines into medians per (pair, driver, metric) and
Rust/C ratios; print a markdown table, write JSON."""
import json
import statistics
import sys

PAIRS = {"nic": ("igb", "rigb"), "veth": ("veth", "rust_veth"), "lo": ("lo", "rust_loopback")}
LOWER_IS_BETTER = {"cpu_ms_per_kpkt", "cpu_jiffies_per_kpkt"}


def main(raw, out_json):
    header = ""
    vals = {}
    for line in open(raw, encoding="utf-8", errors="replace"):
        line = line.strip()
        if line.startswith("# bench:"):
            header = line[len("# bench:"):].strip()
        if not line.startswith("{"):
            continue
        try:
            m = json.loads(line)
        except ValueError:
            continue
        vals.setdefault((m["pair"], m["metric"], m["unit"]), {}).setdefault(m["driver"], []).append(m["value"])
    rows = []
    for (pair, metric, unit), by in sorted(vals.items()):
        c_drv, r_drv = PAIRS[pair]
        c = by.get(c_drv, [])
        r = by.get(r_drv, [])
        cm = statistics.median(c) if c else None
        rm = statistics.median(r) if r else None
        ratio = None
        if cm and rm:
            ratio = (cm / rm) if metric in LOWER_IS_BETTER else (rm / cm)
        rows.append({"pair": f"{r_drv} vs {c_drv}", "metric": metric, "unit": unit,
                     "c": c, "rust": r, "c_median": cm, "rust_median": rm, "ratio": ratio})
    json.dump({"setup": header, "rows": rows}, open(out_json, "w"), indent=1)
    print(f"Setup: {header}\n")
    print("| pair | metric | C median | Rust median | Rust/C | C runs | Rust runs |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}".rstrip("0").rstrip(".")
    # Every run, so that the reader sees whether the two sides' runs overlap.
    runs = lambda vs: " ".join(fmt(v) for v in vs) or "n/a"
    for r in rows:
        print(f"| {r['pair']} | {r['metric']} ({r['unit']}) | {fmt(r['c_median'])} | "
              f"{fmt(r['rust_median'])} | {'n/a' if r['ratio'] is None else '%.2f' % r['ratio']} | "
              f"{runs(r['c'])} | {runs(r['rust'])} |")
    print("\nRust/C >= 1.00 means the Rust driver is at least as good "
          "(for CPU per packet the ratio is inverted: C cost / Rust cost).")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
