#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Throughput through rigb on both ports: iperf3 TCP in both directions, UDP,
# and parallel TCP flows that RSS spreads over more than one RX queue.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"

IPERF=$(command -v iperf3)
ktap_plan 7
dmesg_mark
if [[ -z $IPERF ]]; then
	ktap_skip "iperf3 runs" "iperf3 not installed"
	ktap_finish
fi
start_pair rigb rigb

srv() { nsx $PEER_NS $IPERF -s -D -1 -p 5201 >/dev/null 2>&1; sleep 0.5; }

# run NAME ARGS...: one iperf3 client run against the peer, JSON out;
# checks that bytes were transferred and the receiver got all of them (TCP)
# or that UDP loss stays reasonable.
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
run_tcp() {
	local name=$1 flows=$2 out sent recv slack
	shift 2
	srv
	if ! out=$(timeout 60 $IPERF -c $ADDR_B -p 5201 -t 5 -J "$@" 2>&1); then
		ktap_fail "$name: iperf3 failed"
		ktap_diag "$(tail -n 5 <<<"$out")"
		return
	fi
	sent=$(json 'd["end"]["sum_sent"]["bytes"]' <<<"$out")
	recv=$(json 'd["end"]["sum_received"]["bytes"]' <<<"$out")
	bps=$(json 'int(d["end"]["sum_received"]["bits_per_second"] / 1e6)' <<<"$out")
	ktap_diag "$name: sent $sent B, received $recv B, $bps Mbit/s"
	# The receiver's total stops when the sender reports the end on the control
	# connection, which can overtake the last data still in flight (in the
	# sender's socket buffer, counted as sent): allow 10%, or if more what the
	# socket buffers can hold (tcp_wmem's maximum per flow; a slow debug kernel
	# moves only a few of them in 5 s).
	slack=$((sent / 10)) wmem=$(awk '{print $3}' /proc/sys/net/ipv4/tcp_wmem)
	[[ $slack -lt $((flows * wmem)) ]] && slack=$((flows * wmem))
	if [[ $recv -gt 5000000 && $recv -ge $((sent - slack)) ]]; then
		ktap_ok "$name: $recv of $sent bytes received ($bps Mbit/s)"
	else
		ktap_fail "$name: sent $sent, received $recv"
	fi
}
run_tcp "TCP A -> B" 1
run_tcp "TCP B -> A (reverse)" 1 -R

# UDP: every datagram the client sent must reach B's driver (B's rx_packets);
# what the receiving socket then drops under TCG is iperf3's "lost".
srv
rx0=$(ifstat "$b" rx_packets $PEER_NS)
out=$(timeout 60 $IPERF -c $ADDR_B -p 5201 -u -b 50M -t 5 -J 2>&1)
sleep 1
rx1=$(ifstat "$b" rx_packets $PEER_NS)
lost=$(json 'd["end"]["sum"]["lost_percent"]' <<<"$out" 2>/dev/null)
pk=$(json 'd["end"]["sum"]["packets"]' <<<"$out" 2>/dev/null)
ktap_diag "UDP 50 Mbit/s: $pk datagrams sent, B's driver received $((rx1 - rx0)) packets, iperf3 reports ${lost}% lost"
if [[ -n $pk && $pk -gt 1000 && $((rx1 - rx0)) -ge $pk ]]; then
	ktap_ok "UDP 50 Mbit/s A -> B: all $pk datagrams reached B's driver"
else
	ktap_fail "UDP 50 Mbit/s A -> B: $pk sent, $((rx1 - rx0)) received by B's driver"
fi

# Parallel flows: RSS spreads them over the peer's RX queues.
nq=$(nsx $PEER_NS $ETHTOOL -l "$b" | awk '/Current hardware settings/ {c = 1} c && /^Combined:/ {print $2; exit}')
perq() { nsx $PEER_NS $ETHTOOL -S "$b" | awk '$1 ~ /^rx_queue_[0-9]+_packets:$/ {print $2}'; }
# used/desc: the queues that received more than 100 frames between q0 and q1.
count_used() {
	local i d
	used=0 desc=""
	for i in "${!q1[@]}"; do
		d=$((q1[i] - ${q0[i]:-0}))
		desc+="q$i:+$d "
		[[ $d -gt 100 ]] && used=$((used + 1))
	done
	ktap_diag "peer RX queues: $desc"
}
# The queue of a flow is bit 0 of its Toeplitz hash (the default table maps
# entry n to queue n % nq). With the random key of the boot, that bit ignores
# the low bits of the source port in about 3% of boots, and eight flows from
# neighbouring ports (connect() takes them two apart) then all land on one
# queue, however often they are retried (seen: q0:+0 twice in a row). For
# this check B gets a key whose only set bit makes hash bit 0 the source
# port's bit 1, so flows spread over the queues if the driver programs the
# key and the table and has the device hash TCP ports; the boot's key is
# restored after. connect() steps the source port by a random even number
# (table_perturb), so that bit is a coin flip per flow: sixteen flows all
# share it with probability 2^-15 (eight flows: 2^-7).
rss_key() { nsx $PEER_NS $ETHTOOL -x "$b" | awk '/RSS hash key/ {getline; print; exit}'; }
key0=$(rss_key)
spread_key=$(printf '00:%.0s' $(seq 1 13))04$(printf ':00%.0s' $(seq 1 26))
nsx $PEER_NS $ETHTOOL -X "$b" hkey "$spread_key" ||
	ktap_diag "ethtool -X hkey refused: flows may share one queue"
mapfile -t q0 < <(perq)
run_tcp "16 parallel TCP flows A -> B" 8 -P 16
mapfile -t q1 < <(perq)
count_used
[[ -n $key0 ]] && nsx $PEER_NS $ETHTOOL -X "$b" hkey "$key0"
if [[ $nq -lt 2 ]]; then
	ktap_skip "parallel flows use more than one RX queue" "only $nq queue pair"
elif [[ $used -ge 2 ]]; then
	ktap_ok "parallel flows use more than one RX queue ($used of $nq)"
else
	ktap_fail "parallel flows use more than one RX queue ($desc)"
fi

teardown_pair
dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
