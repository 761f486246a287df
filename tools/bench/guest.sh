#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make bench`: in one boot, run each workload on the C driver
# and on its Rust counterpart alternately (A B A B ...), ROUNDS times, and
# print one JSON object per measurement on stdout (lines starting with '{').
#   guest.sh [ROUNDS] [SECONDS]
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testing/selftests/lib/ktap.sh"
. "$here/../testing/selftests/lib/netdev.sh"
rounds=${1:-3} secs=${2:-5}
py=$here/rr.py

emit() { printf '{"pair":"%s","driver":"%s","metric":"%s","value":%s,"unit":"%s","round":%d}\n' "$@"; }
cpu_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }

# iperf3 between the root namespace (client) and $1 (server netns) to $2.
tcp_stream() {
	local ns=$1 dst=$2 rev=${3:-} out
	nsx "$ns" iperf3 -s -1 -D -I /tmp/iperf3.pid >/dev/null 2>&1
	sleep 0.3
	out=$(iperf3 -c "$dst" -t "$secs" $rev -J 2>/dev/null)
	python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.3f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))' <<<"$out" 2>/dev/null || echo 0
}
# UDP 64-byte datagrams: packets per second received, and guest CPU jiffies
# per 1000 received packets.
udp_pps() {
	local ns=$1 dst=$2 out c0 c1
	nsx "$ns" iperf3 -s -1 -D >/dev/null 2>&1
	sleep 0.3
	c0=$(cpu_busy)
	out=$(iperf3 -c "$dst" -u -l 64 -b 0 -t "$secs" -J 2>/dev/null)
	c1=$(cpu_busy)
	python3 -c '
import json, sys
d = json.load(sys.stdin)
s = d["end"]["sum"]
rx = s["packets"] - s["lost_packets"]
print("%.0f %.4f" % (rx / s["seconds"], (int(sys.argv[1]) * 1000.0) / max(rx, 1)))' "$((c1 - c0))" <<<"$out" 2>/dev/null || echo "0 0"
}
rr() { nsx "" python3 "$py" client "$1" "$secs" 2>/dev/null || echo 0; }

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
	emit nic "$drv" cpu_jiffies_per_kpkt "$cpk" jiffies "$r"
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

modprobe veth
ko_veth=$RIGB_ROOT/samples/rust/rust_veth.ko
if [[ -f $ko_veth ]]; then insmod "$ko_veth"; fi
have_rigb=0
[[ -f $RIGB_KO ]] && have_rigb=1

echo "# bench: rounds=$rounds seconds=$secs accel=${RIGB_ACCEL:-?} cpus=$(nproc) kernel=$(uname -r)"
for ((r = 1; r <= rounds; r++)); do
	nic_round igb "$r"
	if [[ $have_rigb == 1 ]]; then nic_round rigb "$r"; fi
	veth_round veth veth "$r"
	if [[ -f $ko_veth ]]; then veth_round rveth rust_veth "$r"; fi
done
exit 0
