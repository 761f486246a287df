#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tools/bench/insn/run.sh: the UDP 64-byte flood of `make bench`
# (same placement: interrupts or loopback softirq and sender on CPU 0,
# receiver on CPU 1), on the Rust driver and then on the C one: rigb and igb
# (PAIR nic), or rust_loopback and lo (PAIR lo); or (PAIR tcp) a TCP stream
# on rigb and igb with the same placement, counted per full-size segment
# (1448 payload bytes) received; or (PAIR rr) the TCP request/response
# ping-pong of `make bench`, counted per transaction (one byte each way: a
# frame, an interrupt and a poll on each port). Before and after each flood
# it prints a marker and waits for the host to write the instruction counts
# out (file ackN).
#   guest.sh [SECONDS] [PAIR]
RIGB_BENCH_DEFS_ONLY=1 . "$RIGB_ROOT/tools/bench/guest.sh"
secs=${1:-4}
pair=${2:-nic}
n=0
mark() {
	echo "INSN-MARK $n"
	until [[ -e $RIGB_OUT/ack$n ]]; do sleep 0.05; done
	n=$((n + 1))
}
nic_flood() {
	local drv=$1 tcp=${2:-} pkts
	if ! nic_setup "$drv"; then
		echo "INSN-FAIL $drv: setup failed"
		exit 1
	fi
	pin_irqs 0
	nsx "$PEER_NS" taskset -c 1 iperf3 -s -1 -D >/dev/null 2>&1
	sleep 0.3
	mark
	if [[ $tcp == rr ]]; then
		nsx "$PEER_NS" taskset -c 1 python3 "$RIGB_ROOT/tools/bench/rr.py" server "$ADDR_B" &
		sleep 0.5
		# The client prints transactions per second over its loop of SECONDS.
		taskset -c 0 python3 "$RIGB_ROOT/tools/bench/rr.py" client "$ADDR_B" "$secs" >/tmp/insn-rr.txt
	elif [[ -n $tcp ]]; then
		taskset -c 0 iperf3 -c "$ADDR_B" -t "$secs" -J >/tmp/insn-tcp.json 2>/dev/null
	else
		taskset -c 0 iperf3 -c "$ADDR_B" -u -l 64 -b 0 -t "$secs" -J >/tmp/insn-udp.json 2>/dev/null
	fi
	mark
	pin_irqs "0-$(($(nproc) - 1))"
	if [[ $tcp == rr ]]; then
		kill %1 2>/dev/null
		wait 2>/dev/null
		pkts=$(python3 -c 'import sys; print(round(float(open("/tmp/insn-rr.txt").read()) * float(sys.argv[1])))' "$secs" 2>/dev/null || echo 0)
	elif [[ -n $tcp ]]; then
		pkts=$(python3 -c 'import json; print(json.load(open("/tmp/insn-tcp.json"))["end"]["sum_received"]["bytes"] // 1448)' 2>/dev/null || echo 0)
	else
		pkts=$(python3 -c 'import json; s = json.load(open("/tmp/insn-udp.json"))["end"]["sum"]; print(s["packets"] - s["lost_packets"])' 2>/dev/null || echo 0)
	fi
	echo "INSN-PKTS $drv $pkts"
	cat /proc/kallsyms >"$RIGB_OUT/kallsyms.$drv"
	teardown_pair
}
lo_flood() {
	local kind=$1 drv=$2 dev=lo p0 p1
	[[ $kind == rlo ]] && dev=rlo7
	if ! lo_setup "$kind"; then
		echo "INSN-FAIL $drv: setup failed"
		exit 1
	fi
	nsx lb taskset -c 1 iperf3 -s -1 -D -B $LO_DST >/dev/null 2>&1
	sleep 0.3
	p0=$(nsx lb cat /sys/class/net/$dev/statistics/rx_packets)
	mark
	nsx lb taskset -c 0 iperf3 -c $LO_DST -B $LO_SRC -u -l 64 -b 0 -t "$secs" >/dev/null 2>&1
	mark
	p1=$(nsx lb cat /sys/class/net/$dev/statistics/rx_packets)
	echo "INSN-PKTS $drv $((p1 - p0))"
	cat /proc/kallsyms >"$RIGB_OUT/kallsyms.$drv"
	$IP netns del lb
}
case $pair in
nic)
	nic_flood rigb
	nic_flood igb
	;;
tcp)
	nic_flood rigb tcp
	nic_flood igb tcp
	;;
rr)
	nic_flood rigb rr
	nic_flood igb rr
	;;
lo)
	insmod "$RIGB_ROOT/samples/rust/rust_loopback.ko" numdevs=0 || exit 1
	lo_flood rlo rust_loopback
	lo_flood lo lo
	;;
*)
	echo "INSN-FAIL unknown pair $pair"
	exit 1
	;;
esac
