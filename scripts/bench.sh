#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: one VM boot, each workload on the C driver and its Rust
# counterpart alternately; medians and the Rust/C ratio as a markdown table
# (bench/results.md) and JSON (bench/results.json). Absolute numbers on a
# TCG guest mean little: the ratio is the result.
#   RIGB_BENCH_CLOCK: icount (default) or host, see below
#   RIGB_BENCH_ROUNDS (default 2 with icount, 3 with host),
#   RIGB_BENCH_SECS (default 5: shorter runs let start-up transients
#   dominate, e.g. igb's UDP rate over 2-3 s runs),
#   RIGB_BENCH_PAIRS (default "nic veth lo": which pairs to run)
#
# The clock. Under TCG on a small shared host, wall-clock rates swing by 2x
# between runs of the same driver (the host's other work, when QEMU's threads
# get a core), far more than the drivers differ. With RIGB_BENCH_CLOCK=icount
# QEMU runs the guest with "-icount shift=0,sleep=off": every guest
# instruction advances the guest's clock by 1 ns, one host thread runs both
# vCPUs in turn, and idle time is skipped. A rate measured in the guest then
# depends on the instructions the guest executes (drivers, stack, tools), not
# on the host: repeated runs agree within about 1%. The emulated device's own
# work takes no guest time in that mode, as a real NIC's takes no CPU time.
# RIGB_BENCH_CLOCK=host measures wall-clock time instead (noisy here;
# meaningful with KVM).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
clock=${RIGB_BENCH_CLOCK:-icount}
case $clock in
icount)
	rounds=${RIGB_BENCH_ROUNDS:-2} secs=${RIGB_BENCH_SECS:-5}
	# Guest time runs several times slower than host time under icount.
	slow=5
	export RIGB_QEMU_OPTS="${RIGB_QEMU_OPTS:+$RIGB_QEMU_OPTS }-icount shift=0,sleep=off"
	;;
host)
	rounds=${RIGB_BENCH_ROUNDS:-3} secs=${RIGB_BENCH_SECS:-5}
	slow=1
	;;
*) die "RIGB_BENCH_CLOCK must be icount or host, not '$clock'" ;;
esac
mkdir -p "$RIGB_ROOT/bench"
raw=$RIGB_ROOT/bench/raw.txt
bash "$here/vm.sh" --no-rigb --timeout $((slow * rounds * 4 * 8 * (secs + 5) + 300)) \
	--cmd "RIGB_BENCH_CLOCK=$clock RIGB_BENCH_PAIRS='${RIGB_BENCH_PAIRS:-nic veth lo}' bash $RIGB_ROOT/tools/bench/guest.sh $rounds $secs" | tee "$raw"
mkdir -p "$RIGB_ROOT/bench"
python3 "$RIGB_ROOT/tools/bench/report.py" "$raw" "$RIGB_ROOT/bench/results.json" >"$RIGB_ROOT/bench/results.md"
cat "$RIGB_ROOT/bench/results.md"
