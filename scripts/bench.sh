#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: one VM boot, each workload on the C driver and its Rust
# counterpart alternately; medians and the Rust/C ratio as a markdown table
# (bench/results.md) and JSON (bench/results.json). Absolute numbers on a
# TCG guest mean little: the ratio is the result.
#   RIGB_BENCH_ROUNDS (default 3), RIGB_BENCH_SECS (default 5),
#   RIGB_BENCH_PAIRS (default "nic veth lo": which pairs to run)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
rounds=${RIGB_BENCH_ROUNDS:-3} secs=${RIGB_BENCH_SECS:-5}
raw=$RIGB_CACHE/bench-raw.txt
bash "$here/vm.sh" --no-rigb --timeout $((rounds * 4 * 8 * (secs + 5) + 300)) \
	--cmd "RIGB_BENCH_PAIRS='${RIGB_BENCH_PAIRS:-nic veth lo}' bash $RIGB_ROOT/tools/bench/guest.sh $rounds $secs" | tee "$raw"
mkdir -p "$RIGB_ROOT/bench"
python3 "$RIGB_ROOT/tools/bench/report.py" "$raw" "$RIGB_ROOT/bench/results.json" >"$RIGB_ROOT/bench/results.md"
cat "$RIGB_ROOT/bench/results.md"
