#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tools/bench/insn/run.sh: the UDP 64-byte flood of `make bench`
# (same placement: NIC interrupts and sender on CPU 0, receiver on CPU 1), on
# rigb and then on igb. Before and after each flood it prints a marker and
# waits for the host to write the instruction counts out (file ackN).
#   guest.sh [SECONDS]
RIGB_BENCH_DEFS_ONLY=1 . "$RIGB_ROOT/tools/bench/guest.sh"
secs=${1:-4}
n=0
mark() {
	echo "INSN-MARK $n"
	until [[ -e $RIGB_OUT/ack$n ]]; do sleep 0.05; done
	n=$((n + 1))
}
for drv in rigb igb; do
	if ! nic_setup "$drv"; then
		echo "INSN-FAIL $drv: setup failed"
		exit 1
	fi
	pin_irqs 0
	nsx "$PEER_NS" taskset -c 1 iperf3 -s -1 -D >/dev/null 2>&1
	sleep 0.3
	mark
	taskset -c 0 iperf3 -c "$ADDR_B" -u -l 64 -b 0 -t "$secs" -J >/tmp/insn-udp.json 2>/dev/null
	mark
	pin_irqs "0-$(($(nproc) - 1))"
	pkts=$(python3 -c 'import json; s = json.load(open("/tmp/insn-udp.json"))["end"]["sum"]; print(s["packets"] - s["lost_packets"])' 2>/dev/null || echo 0)
	echo "INSN-PKTS $drv $pkts"
	cat /proc/kallsyms >"$RIGB_OUT/kallsyms.$drv"
	teardown_pair
done
