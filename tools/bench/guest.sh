#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make bench`: in one boot, run each workload on the C driver
# and on its Rust counterpart alternately (A B A B ...), ROUNDS times, and
# print one JSON object per measurement on stdout (lines starting with '{').
#   guest.sh [ROUNDS] [SECONDS]
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../testing/selftests/lib/ktap.sh"
. "$here/../testing/selftests/lib/netdev.sh"
rounds=${1:-3} secs=${2:-5}
# RIGB_BENCH_PAIRS: space-separated subset of "nic veth lo" (default: all).
pairs=" ${RIGB_BENCH_PAIRS:-nic veth lo} "
want() { [[ $pairs == *" $1 "* ]]; }
py=$here/rr.py

emit() { printf '{"pair":"%s","driver":"%s","metric":"%s","value":%s,"unit":"%s","round":%d}\n' "$@"; }
# Busy CPU time so far in ms, all CPUs together: wall-clock time times the
# CPUs minus their idle time. The idle (and iowait) time of /proc/stat comes
# from the NOHZ idle accounting, exact to the microsecond; its busy fields are
# tick samples, which under the instruction clock land more often on a busy
# CPU (in a UDP flood they added up, with the idle time, to 10% more CPU time
# than the run lasted) and moved by up to 7% between runs of one driver.
ncpu=$(getconf _NPROCESSORS_ONLN)
cpu_ms() {
	awk -v t="$(date +%s%N)" -v n="$ncpu" -v hz="$(getconf CLK_TCK)" \
		'/^cpu /{printf "%.0f\n", t / 1e6 * n - ($5 + $6) * 1000 / hz; exit}' /proc/stat
}

# iperf3 between the root namespace (client) and $1 (server netns) to $2.
tcp_stream() {
	local ns=$1 dst=$2 rev=${3:-} out
	nsx "$ns" iperf3 -s -1 -D -I /tmp/iperf3.pid >/dev/null 2>&1
	sleep 0.3
	out=$(iperf3 -c "$dst" -t "$secs" $rev -J 2>/dev/null)
	python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.3f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))' <<<"$out" 2>/dev/null || echo 0
}
# UDP 64-byte datagrams: packets per second received, and guest CPU time (ms)
# per 1000 received packets. The same placement for both drivers: the NIC
# interrupts and the sender on CPU 0, the receiver on CPU 1. Left to the
# scheduler, a receiver that lands on the CPU of the busy RX softirq is
# starved and its socket drops most of the flood (igb once received 32,000
# of 77,000 packets/s that way, with 71% lost), which measures placement luck,
# not the driver.
nic_irqs() { grep -E 'enp|rigb' /proc/interrupts | awk -F: '{print $1}'; }
pin_irqs() {
	local n
	for n in $(nic_irqs); do echo "$1" >"/proc/irq/$n/smp_affinity_list" 2>/dev/null; done
}
udp_pps() {
	local ns=$1 dst=$2 out c0 c1 rx=0 tx=0
	if (($(nproc) > 1)); then rx=1; fi
	pin_irqs "$tx"
	nsx "$ns" taskset -c "$rx" iperf3 -s -1 -D >/dev/null 2>&1
	sleep 0.3
	c0=$(cpu_ms)
	out=$(taskset -c "$tx" iperf3 -c "$dst" -u -l 64 -b 0 -t "$secs" -J 2>/dev/null)
	c1=$(cpu_ms)
	pin_irqs "0-$(($(nproc) - 1))"
	python3 -c '
import json, sys
d = json.load(sys.stdin)
s = d["end"]["sum"]
rx = s["packets"] - s["lost_packets"]
print("%.0f %.4f" % (rx / s["seconds"], (int(sys.argv[1]) * 1000.0) / max(rx, 1)))' "$((c1 - c0))" <<<"$out" 2>/dev/null || echo "0 0"
}
rr() { nsx "" python3 "$py" client "$1" "$secs" || echo 0; }

nic_setup() {
	local drv=$1
	load_driver "$drv" || return 1
	mapfile -t ports < <(igb_ports)
	bind_port "${ports[0]}" "$drv" && bind_port "${ports[1]}" "$drv" || return 1
	setup_pair "$(pci_iface "${ports[0]}")" "$(pci_iface "${ports[1]}")"
}
nic_round() {
	local drv=$1 r=$2 v
	nic_setup "$drv" || { echo "# $drv: setup failed" >&2; return; }
	emit nic "$drv" tcp_stream_a_to_b "$(tcp_stream $PEER_NS $ADDR_B)" Gbit/s "$r"
	emit nic "$drv" tcp_stream_b_to_a "$(tcp_stream $PEER_NS $ADDR_B -R)" Gbit/s "$r"
	read -r pps cpk < <(udp_pps $PEER_NS $ADDR_B)
	emit nic "$drv" udp64_rx_pps "$pps" pps "$r"
	emit nic "$drv" cpu_ms_per_kpkt "$cpk" ms "$r"
	nsx $PEER_NS python3 "$py" server "$ADDR_B" &
	sleep 0.5
	emit nic "$drv" tcp_rr "$(rr $ADDR_B)" trans/s "$r"
	kill %1 2>/dev/null
	wait 2>/dev/null
	teardown_pair
}

veth_setup() {
	local kind=$1
	$IP netns del va 2>/dev/null
	$IP netns del vb 2>/dev/null
	$IP netns add va && $IP netns add vb
	$IP link add bench0 netns va type "$kind" peer name bench1 netns vb || return 1
	nsx va $IP addr add 198.51.100.1/24 dev bench0
	nsx vb $IP addr add 198.51.100.2/24 dev bench1
	nsx va $IP link set bench0 up
	nsx vb $IP link set bench1 up
}
veth_round() {
	local kind=$1 drv=$2 r=$3
	veth_setup "$kind" || { echo "# $kind: setup failed" >&2; return; }
	nsx vb iperf3 -s -1 -D >/dev/null 2>&1
	sleep 0.3
	emit veth "$drv" tcp_stream "$(nsx va iperf3 -c 198.51.100.2 -t "$secs" -J 2>/dev/null |
		python3 -c 'import json,sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' 2>/dev/null || echo 0)" Gbit/s "$r"
	nsx vb iperf3 -s -1 -D >/dev/null 2>&1
	sleep 0.3
	emit veth "$drv" udp64_rx_pps "$(nsx va iperf3 -c 198.51.100.2 -u -l 64 -b 0 -t "$secs" -J 2>/dev/null |
		python3 -c 'import json,sys; s=json.load(sys.stdin)["end"]["sum"]; print("%.0f" % ((s["packets"]-s["lost_packets"])/s["seconds"]))' 2>/dev/null || echo 0)" pps "$r"
	$IP netns del va
	$IP netns del vb
}

# lo vs rust_loopback: TCP and UDP between two local addresses of one
# namespace. With lo that is the normal local route; with rlo the local table
# is moved behind a rule that sends locally generated traffic to the two
# addresses out of the rlo device (as in the rust_loopback test), so both
# runs cross the device's xmit and the NET_RX softirq once per packet.
lo_setup() {
	local kind=$1
	$IP netns del lb 2>/dev/null
	$IP netns add lb || return 1
	nsx lb $IP link set lo up
	if [[ $kind == lo ]]; then
		LO_SRC=127.0.0.1 LO_DST=127.0.0.1
		return 0
	fi
	LO_SRC=10.77.0.1 LO_DST=10.77.0.2
	nsx lb $IP link add rlo7 type rlo || return 1
	nsx lb sysctl -qw net.ipv6.conf.rlo7.disable_ipv6=1
	nsx lb $IP link set rlo7 up
	nsx lb $IP addr add $LO_SRC/32 dev rlo7
	nsx lb $IP addr add $LO_DST/32 dev rlo7
	nsx lb $IP route add 10.77.0.0/24 dev rlo7 src $LO_SRC table 177
	nsx lb $IP rule add pref 1000 lookup local
	nsx lb $IP rule del pref 0 lookup local
	nsx lb $IP rule add pref 100 iif lo to 10.77.0.0/24 lookup 177
	nsx lb $IP route get $LO_DST from $LO_SRC | grep -q 'dev rlo7'
}
lo_round() {
	local kind=$1 drv=$2 r=$3 dev=lo
	[[ $kind == rlo ]] && dev=rlo7
	lo_setup "$kind" || { echo "# $kind: setup failed" >&2; return; }
	nsx lb iperf3 -s -1 -D -B $LO_DST >/dev/null 2>&1
	sleep 0.3
	emit lo "$drv" tcp_stream "$(nsx lb iperf3 -c $LO_DST -B $LO_SRC -t "$secs" -J 2>/dev/null |
		python3 -c 'import json,sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' 2>/dev/null || echo 0)" Gbit/s "$r"
	# The frames go through the device and the receive softirq on the sender's
	# CPU (0), the receiver runs on CPU 1, for both devices, as in the NIC's UDP
	# flood: left to the scheduler, `lo`'s rate moved by 12% between runs of
	# one boot (86,890 and 97,298 frames/s) with where the two processes ran.
	local p0 p1 t0 t1 rx=0
	if (($(nproc) > 1)); then rx=1; fi
	nsx lb taskset -c "$rx" iperf3 -s -1 -D -B $LO_DST >/dev/null 2>&1
	sleep 0.3
	p0=$(nsx lb cat /sys/class/net/$dev/statistics/rx_packets) t0=$(date +%s.%N)
	nsx lb taskset -c 0 iperf3 -c $LO_DST -B $LO_SRC -u -l 64 -b 0 -t "$secs" >/dev/null 2>&1
	p1=$(nsx lb cat /sys/class/net/$dev/statistics/rx_packets) t1=$(date +%s.%N)
	emit lo "$drv" frames_per_sec "$(python3 -c "print('%.0f' % (($p1 - $p0) / ($t1 - $t0)))")" frames/s "$r"
	$IP netns del lb
}

# Sourced for its functions only (tools/bench/insn/guest.sh).
if [[ -n ${RIGB_BENCH_DEFS_ONLY:-} ]]; then return 0; fi

modprobe veth
ko_veth=$RIGB_ROOT/samples/rust/rust_veth.ko
if [[ -f $ko_veth ]]; then
	insmod "$ko_veth"
	# iproute2 knows "peer" only for the kinds it has a parser for: the same
	# small plugin the rust_veth test builds gives it one for rveth.
	IP_LIB_DIR=$(mktemp -d /tmp/rveth-ip.XXXXXX)
	export IP_LIB_DIR
	cc -shared -fPIC -o "$IP_LIB_DIR/link_rveth.so" \
		"$here/../testing/selftests/drivers/net/rust_samples/link_rveth.c" -ldl ||
		echo "# rveth: iproute2 plugin did not build" >&2
fi
ko_lo=$RIGB_ROOT/samples/rust/rust_loopback.ko
if [[ -f $ko_lo ]]; then insmod "$ko_lo" numdevs=0; fi
have_rigb=0
[[ -f $RIGB_KO ]] && have_rigb=1

echo "# bench: rounds=$rounds seconds=$secs accel=${RIGB_ACCEL:-?} clock=${RIGB_BENCH_CLOCK:-host} cpus=$(nproc) kernel=$(uname -r)"
for ((r = 1; r <= rounds; r++)); do
	if want nic; then
		nic_round igb "$r"
		if [[ $have_rigb == 1 ]]; then nic_round rigb "$r"; fi
	fi
	if want veth; then
		veth_round veth veth "$r"
		if [[ -f $ko_veth ]]; then veth_round rveth rust_veth "$r"; fi
	fi
	if want lo; then
		lo_round lo lo "$r"
		if [[ -f $ko_lo ]]; then lo_round rlo rust_loopback "$r"; fi
	fi
done
exit 0
