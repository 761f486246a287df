#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The book lab's runner (inside the VM; tools/book/guest.sh sets it up).

    book.py [--ch N[,M...]] [--out DIR] [--tap]

Runs each chapter's experiment (tools/book/chNN_*.py: CHAPTER, run(checks)
returning rows), prints the table and writes DIR/results.json and
DIR/results.md. With --tap it prints the chapters' exact checks as TAP
(the kselftest suite tools/testing/selftests/book uses that) and exits 1 if
any failed.
"""
import argparse
import glob
import importlib.util
import json
import os
import sys
import time
import traceback

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import booklib  # noqa: E402

COLS = ["chapter", "the book's question", "what the book says",
        "measured here", "holds?"]


def md_cell(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def write_md(rows, path):
    with open(path, "w") as f:
        f.write("| " + " | ".join(COLS) + " |\n")
        f.write("|" + "---|" * len(COLS) + "\n")
        for r in rows:
            f.write("| " + " | ".join(md_cell(x) for x in (
                r["chapter"], r["question"], r["book"], r["measured"],
                "yes" if r["holds"] else "**no**")) + " |\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ch", default="")
    ap.add_argument("--out", default="")
    ap.add_argument("--tap", action="store_true")
    a = ap.parse_args()
    want = {int(x) for x in a.ch.replace(",", " ").split()} if a.ch else None
    mods = []
    for p in sorted(glob.glob(os.path.join(here, "ch[0-9][0-9]_*.py"))):
        spec = importlib.util.spec_from_file_location(os.path.basename(p)[:-3], p)
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        if want is None or m.CHAPTER in want:
            mods.append(m)
    rows, taps = [], []
    for m in mods:
        chk = booklib.Checks()
        t0 = time.monotonic()
        print(f"# chapter {m.CHAPTER}: {m.__doc__.strip().splitlines()[0]}", flush=True)
        try:
            got = m.run(chk)
        except Exception as e:  # one chapter's failure must not hide the others
            traceback.print_exc()
            got = [booklib.row(m.CHAPTER, m.__doc__.strip().splitlines()[0], "-",
                               f"experiment failed: {e}", False)]
            chk.true(f"chapter {m.CHAPTER} experiment ran", False, repr(e))
        dt = time.monotonic() - t0
        for r in got:
            r["seconds"] = round(dt, 1)
            print(f"#   {r['question']}: {r['measured']} -> "
                  f"{'holds' if r['holds'] else 'does NOT hold'}", flush=True)
        rows += got
        taps += [(f"ch{m.CHAPTER}: {n}", ok, d) for n, ok, d in chk.items]
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        with open(os.path.join(a.out, "results.json"), "w") as f:
            json.dump(rows, f, indent=1)
        write_md(rows, os.path.join(a.out, "results.md"))
    if a.tap:
        print("TAP version 13")
        print(f"1..{len(taps)}")
        for i, (n, ok, d) in enumerate(taps, 1):
            print(f"{'ok' if ok else 'not ok'} {i} - {n}")
            if not ok and d:
                print(f"#   {d}")
        return 1 if any(not ok for _, ok, _ in taps) or not taps else 0
    print()
    print(" | ".join(COLS))
    for r in rows:
        print(f"{r['chapter']:>2} | {r['question']} | {r['book']} | {r['measured']} | "
              f"{'yes' if r['holds'] else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
