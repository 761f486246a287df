#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# XDP on rigb, and the same checks on C igb in the same boot. Port A (root
# namespace) sends numbered UDP datagrams to port 9999 of port B (namespace
# "peer"), where the programs of lib/xdp_progs.bpf.c run in driver mode; with
# permanent neighbours and IPv6 off nothing else crosses, so every count is
# exact:
#   drop     the program sees all N, UDP on B none, rx_packets counts N;
#            the same after ethtool -G and -L with the program attached
#   pass     all N reach UDP on B intact
#   abort    none reach UDP; N xdp:xdp_exception trace events
#   echo     XDP_TX: the program turns each datagram around (MAC, IP, port
#            swapped) and A's socket gets all N back intact
#   grow     bpf_xdp_adjust_head/tail into the headroom and tailroom and
#            back: all N reach UDP on B intact
#   generic  the same program in generic (skb) mode
#   redirect XDP_REDIRECT into a veth in B's namespace: all N arrive there
#   xmit     a veth's program redirects N frames to B (ndo_xdp_xmit): all N
#            cross the wire and reach A's socket
#   swap     programs replaced 20 times while a flood arrives (rigb: the
#            per-verdict counters add up to what the programs saw)
#   mtu      a program and a 9000-byte MTU refuse each other, with a message
#   detach   no program: traffic flows as before
# On rigb also the per-queue xdp_* counters of ethtool -S, and rmmod with a
# program attached during a flood.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"
. "$here/../lib/xdp.sh"

N=200
UDP="python3 $here/../lib/udp_burst.py"
TRACE=/sys/kernel/tracing
ktap_plan 54
dmesg_mark

if ! xdp_setup; then
	ktap_skip "XDP checks" "clang-19, bpftool or libbpf headers missing, or the programs did not load"
	ktap_finish
fi
tmp_recv=$(mktemp)
trap 'xdp_teardown; rm -f "$tmp_recv"' EXIT
mountpoint -q $TRACE || mount -t tracefs nodev $TRACE

# udp_in NS: datagrams that reached UDP (delivered or to no socket).
udp_in() { nsx "${1:-}" awk '/^Udp:/ {if (h) {print $2 + $3; exit} h = 1}' /proc/net/snmp; }
# xstat NAME [NS]: the sum of ethtool -S rx/tx_queue_*_NAME of port B.
xstat() { nsx $PEER_NS $ETHTOOL -S "$b" | awk -v n="_$1:" '$1 ~ /^(rx|tx)_queue_[0-9]+_/ && substr($1, length($1) - length(n) + 1) == n {s += $2} END {print s + 0}'; }
# deltas CMD...: "count udp_in(B)" changes while CMD ran.
deltas() {
	local u0
	xdp_count_reset
	u0=$(udp_in $PEER_NS)
	"$@" >/dev/null
	sleep 0.5
	echo "$(xdp_count) $(($(udp_in $PEER_NS) - u0))"
}
send_b() { $UDP send $ADDR_B $N; }
# recv_start OUT [NS]: a socket on :9999 (in NS) that counts N intact
# datagrams into OUT; returns once it is bound.
recv_start() {
	local out=$1 ns=${2:-} i
	nsx "$ns" $UDP recv $N $((10 * SLOW)) >"$out" &
	for ((i = 0; i < 100; i++)); do
		[[ -n $(nsx "$ns" ss -Hlun 'sport = :9999') ]] && return 0
		sleep 0.1
	done
}
# recv_b OUT: N datagrams from A received intact by a socket on B.
recv_b() {
	recv_start "$1" $PEER_NS
	send_b
	wait
}
exceptions() { grep -c 'xdp_exception' "$TRACE/trace" 2>/dev/null || echo 0; }

for drv in rigb igb; do
	start_pair $drv $drv
	quiet_ipv6 "$a"
	quiet_ipv6 "$b" $PEER_NS
	mac_a=$(cat "/sys/class/net/$a/address")
	mac_b=$(nsx $PEER_NS cat "/sys/class/net/$b/address")
	$IP neigh replace $ADDR_B lladdr "$mac_b" dev "$a" nud permanent
	nsx $PEER_NS $IP neigh replace $ADDR_A lladdr "$mac_a" dev "$b" nud permanent
	sleep 1

	# drop
	xdp_attach "$b" xdp_drop $PEER_NS
	id=$(xdp_prog_id "$b" $PEER_NS)
	mode=$(nsx $PEER_NS $IP link show dev "$b" | grep -o ' xdp ')
	ktap_eq "$drv: xdp_drop attached in driver mode (ip link: xdp, prog id ${id:-none})" " xdp  yes" "$mode ${id:+yes}"
	r0=$(ifstat "$b" rx_packets $PEER_NS)
	d0=$([[ $drv == rigb ]] && xstat xdp_drop || echo 0)
	ktap_eq "$drv: drop: the program saw all $N datagrams, none reached UDP" "$N 0" "$(deltas send_b)"
	r1=$(ifstat "$b" rx_packets $PEER_NS)
	ktap_eq "$drv: drop: rx_packets counts the $N frames" $N $((r1 - r0))
	if [[ $drv == rigb ]]; then
		ktap_eq "rigb: ethtool -S rx_queue_*_xdp_drop counts $N" $N $(($(xstat xdp_drop) - d0))
	fi
	# New rings and fewer queues under the program: it stays attached and runs.
	nsx $PEER_NS $ETHTOOL -G "$b" rx 512 tx 512 >/dev/null 2>&1
	nsx $PEER_NS $ETHTOOL -L "$b" combined 1 >/dev/null 2>&1
	wait_link "$b" $PEER_NS 15
	sleep 1
	ktap_eq "$drv: ethtool -G 512 and -L combined 1 with the program: same id, all $N dropped" \
		"$id $N 0" "$(xdp_prog_id "$b" $PEER_NS) $(deltas send_b)"

	# pass
	xdp_attach "$b" xdp_pass $PEER_NS
	p0=$([[ $drv == rigb ]] && xstat xdp_pass || echo 0)
	xdp_count_reset
	recv_b "$tmp_recv"
	ktap_eq "$drv: pass: the program saw $N, a socket on B got all $N intact" "$N $N" "$(xdp_count) $(cat "$tmp_recv")"
	if [[ $drv == rigb ]]; then
		ktap_eq "rigb: ethtool -S rx_queue_*_xdp_pass counts $N" $N $(($(xstat xdp_pass) - p0))
	fi

	# abort
	xdp_attach "$b" xdp_abort $PEER_NS
	echo >"$TRACE/trace"
	echo 1 >"$TRACE/events/xdp/xdp_exception/enable"
	t0=$([[ $drv == rigb ]] && xstat xdp_aborted || echo 0)
	ktap_eq "$drv: abort: the program saw $N, none reached UDP" "$N 0" "$(deltas send_b)"
	echo 0 >"$TRACE/events/xdp/xdp_exception/enable"
	ktap_eq "$drv: abort: $N xdp:xdp_exception trace events" $N "$(exceptions)"
	if [[ $drv == rigb ]]; then
		ktap_eq "rigb: ethtool -S rx_queue_*_xdp_aborted counts $N" $N $(($(xstat xdp_aborted) - t0))
	fi

	# echo (XDP_TX)
	xdp_attach "$b" xdp_echo $PEER_NS
	x0=$([[ $drv == rigb ]] && xstat xdp_tx || echo 0)
	m0=$([[ $drv == rigb ]] && xstat xdp_xmit || echo 0)
	t0=$(ifstat "$b" tx_packets $PEER_NS)
	xdp_count_reset
	got=$($UDP echo $ADDR_B $N)
	sleep 0.5
	t1=$(ifstat "$b" tx_packets $PEER_NS)
	ktap_eq "$drv: XDP_TX echo: the program saw $N, A got all $N back intact" "$N $N" "$(xdp_count) $got"
	ktap_eq "$drv: XDP_TX echo: B's tx_packets counts the $N completed frames" $N $((t1 - t0))
	if [[ $drv == rigb ]]; then
		ktap_eq "rigb: ethtool -S rx xdp_tx and tx xdp_xmit count $N each" "$N $N" \
			"$(($(xstat xdp_tx) - x0)) $(($(xstat xdp_xmit) - m0))"
	fi

	# grow (adjust_head/adjust_tail into the headroom and tailroom)
	xdp_attach "$b" xdp_grow $PEER_NS
	xdp_count_reset
	recv_b "$tmp_recv"
	ktap_eq "$drv: head and tail moved and back: $N seen, $N intact on B" "$N $N" "$(xdp_count) $(cat "$tmp_recv")"

	# generic mode
	xdp_detach "$b" $PEER_NS
	xdp_attach "$b" xdp_drop $PEER_NS xdpgeneric
	d0=$([[ $drv == rigb ]] && xstat xdp_drop || echo 0)
	mode=$(nsx $PEER_NS $IP link show dev "$b" | grep -o ' xdpgeneric ')
	ktap_eq "$drv: generic mode: attached as xdpgeneric" " xdpgeneric " "$mode"
	ktap_eq "$drv: generic mode: all $N seen and dropped" "$N 0" "$(deltas send_b)"
	if [[ $drv == rigb ]]; then
		ktap_eq "rigb: generic mode bypasses the driver's XDP (xdp_drop unchanged)" 0 $(($(xstat xdp_drop) - d0))
	fi
	xdp_detach "$b" $PEER_NS xdpgeneric

	# redirect into a veth of B's namespace
	nsx $PEER_NS $IP link add vx0 type veth peer name vx1
	nsx $PEER_NS $IP link set vx0 up
	nsx $PEER_NS $IP link set vx1 up
	quiet_ipv6 vx0 $PEER_NS
	quiet_ipv6 vx1 $PEER_NS
	# Checksums computed on send: a redirected frame leaves as it is, and a
	# veth would otherwise hand over a UDP checksum left to an offload.
	nsx $PEER_NS $ETHTOOL -K vx0 tx off >/dev/null 2>&1
	# GRO on the receiving end gives the veth the NAPI instance redirected frames need.
	nsx $PEER_NS $ETHTOOL -K vx1 gro on >/dev/null 2>&1
	xdp_cfg_ifindex "$(nsx $PEER_NS cat /sys/class/net/vx0/ifindex)"
	xdp_attach "$b" xdp_redirect $PEER_NS
	v0=$(ifstat vx1 rx_packets $PEER_NS)
	r0=$([[ $drv == rigb ]] && xstat xdp_redirect || echo 0)
	ktap_eq "$drv: redirect: the program sent all $N to a veth, none reached UDP" "$N 0" "$(deltas send_b)"
	ktap_eq "$drv: redirect: the veth's peer received $N" $N $(($(ifstat vx1 rx_packets $PEER_NS) - v0))
	if [[ $drv == rigb ]]; then
		ktap_eq "rigb: ethtool -S rx_queue_*_xdp_redirect counts $N" $N $(($(xstat xdp_redirect) - r0))
	fi

	# ndo_xdp_xmit: vx1's program redirects to B; the frames go out on the wire
	# to A, addressed to A's MAC and an address A holds.
	xdp_detach "$b" $PEER_NS
	if [[ $drv == igb ]]; then
		# igb accepts redirected frames only while a program of its own runs.
		xdp_attach "$b" xdp_pass $PEER_NS
	fi
	$IP addr add 10.9.1.1/32 dev "$a"
	sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf."$a".rp_filter=0
	nsx $PEER_NS $IP addr add 10.9.0.1/24 dev vx0
	nsx $PEER_NS $IP route add 10.9.1.0/24 via 10.9.0.2 dev vx0
	nsx $PEER_NS $IP neigh replace 10.9.0.2 lladdr "$mac_a" dev vx0 nud permanent
	xdp_cfg_ifindex "$(nsx $PEER_NS cat "/sys/class/net/$b/ifindex")"
	xdp_attach vx1 xdp_redirect $PEER_NS
	m0=$([[ $drv == rigb ]] && xstat xdp_xmit || echo 0)
	t0=$(ifstat "$b" tx_packets $PEER_NS)
	recv_start "$tmp_recv"
	xdp_count_reset
	nsx $PEER_NS $UDP send 10.9.1.1 $N
	wait
	t1=$(ifstat "$b" tx_packets $PEER_NS)
	ktap_eq "$drv: ndo_xdp_xmit: $N redirected to B, A got all $N intact" "$N $N" "$(xdp_count) $(cat "$tmp_recv")"
	ktap_eq "$drv: ndo_xdp_xmit: B's tx_packets counts the $N" $N $((t1 - t0))
	if [[ $drv == rigb ]]; then
		ktap_eq "rigb: without a program of its own; ethtool -S tx xdp_xmit counts $N" "0 $N" \
			"$(xdp_prog_id "$b" $PEER_NS | wc -w) $(($(xstat xdp_xmit) - m0))"
	fi
	xdp_detach vx1 $PEER_NS
	xdp_detach "$b" $PEER_NS
	nsx $PEER_NS $IP link del vx0
	$IP addr del 10.9.1.1/32 dev "$a"

	# swap under traffic
	xdp_attach "$b" xdp_pass $PEER_NS
	xdp_count_reset
	p0=$([[ $drv == rigb ]] && xstat xdp_pass || echo 0)
	d0=$([[ $drv == rigb ]] && xstat xdp_drop || echo 0)
	$UDP send $ADDR_B 20000 &
	flood=$!
	swaps=0
	for ((i = 0; i < 20; i++)); do
		xdp_attach "$b" xdp_drop $PEER_NS && xdp_attach "$b" xdp_pass $PEER_NS && swaps=$((swaps + 1))
	done
	wait $flood
	sleep 0.5
	seen=$(xdp_count)
	ktap_eq "$drv: 20 program swaps during a 20000-datagram flood, all done" 20 $swaps
	if [[ $drv == rigb ]]; then
		v=$(($(xstat xdp_pass) - p0 + $(xstat xdp_drop) - d0))
		ktap_eq "rigb: swap: xdp_pass + xdp_drop = frames the programs saw ($seen)" "$seen" "$v"
	fi
	ktap_eq "$drv: after the swaps: pass still delivers all $N" "$N $N" "$(deltas send_b)"

	# mtu
	err=$(nsx $PEER_NS $IP link set "$b" mtu 9000 2>&1)
	ktap_eq "$drv: MTU 9000 refused while a program runs" "1500" "$(nsx $PEER_NS cat /sys/class/net/$b/mtu)"
	xdp_detach "$b" $PEER_NS
	nsx $PEER_NS $IP link set "$b" mtu 9000
	wait_link "$b" $PEER_NS 15
	err=$(nsx $PEER_NS $IP -force link set dev "$b" xdpdrv pinned "$XDP_DIR/progs/xdp_pass" 2>&1)
	if [[ -z $(xdp_prog_id "$b" $PEER_NS) && -n $err ]]; then
		ktap_ok "$drv: at MTU 9000 a program is refused: $err"
	else
		ktap_fail "$drv: at MTU 9000 a program is refused (got id '$(xdp_prog_id "$b" $PEER_NS)', '$err')"
	fi
	xdp_detach "$b" $PEER_NS
	nsx $PEER_NS $IP link set "$b" mtu 1500
	wait_link "$b" $PEER_NS 15
	sleep 1

	# detach
	ktap_eq "$drv: no program: all $N reach UDP" "0 $N" "$(deltas send_b)"

	if [[ $drv == rigb ]]; then
		xdp_attach "$b" xdp_pass $PEER_NS
		$UDP send $ADDR_B 100000 &
		flood=$!
		sleep 1
		teardown_pair
		if timeout $((30 * SLOW)) rmmod rigb; then
			ktap_ok "rigb: rmmod with a program attached, during a flood"
		else
			ktap_fail "rigb: rmmod with a program attached, during a flood"
		fi
		kill $flood 2>/dev/null
		wait $flood 2>/dev/null
	fi
	teardown_pair
done

dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
