#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# 802.1Q on rigb, and the same checks on C igb in the same boot: ethtool -k
# lists tag stripping, insertion and the VLAN filter on; a VLAN device on each
# port inherits the offloads; pings over VLAN 100 arrive one for one (with
# permanent neighbours and IPv6 off on the ports, nothing else crosses); a
# TCP transfer over the VLAN arrives intact (and, on rigb, through TSO with
# the tag in the TSO context); `ethtool -K rxvlan off` also turns tag
# insertion off (one CTRL.VME bit in the 82576) and the pings still arrive
# with the tags done in software. The filter: datagrams tagged with VLAN 200,
# which port A has no device for, are dropped by the hardware (A's receive
# counter stands still); in promiscuous mode they reach the stack; once a
# VLAN 200 device exists they pass and reach it; when it is deleted the
# filter drops them again.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"

N=20
ktap_plan 24
dmesg_mark
ktap_require socat "VLAN checks"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 8M /dev/urandom >"$tmp/data"

# feature DEV NAME [NS]: "on" or "off" as ethtool -k shows it.
feature() { nsx "${3:-}" $ETHTOOL -k "$1" | awk -v f="$2:" '$1 == f {print $2; exit}'; }
# vlan_dev PORT VID ADDR PEER_ADDR PEER_MAC [NS]: VLAN device PORT.VID with
# ADDR/24 and a permanent neighbour entry for PEER_ADDR.
vlan_dev() {
	local port=$1 vid=$2 addr=$3 peer=$4 mac=$5 ns=${6:-}
	nsx "$ns" $IP link add link "$port" name "$port.$vid" type vlan id "$vid" || return 1
	quiet_ipv6 "$port.$vid" "$ns"
	nsx "$ns" $IP addr add "$addr/24" dev "$port.$vid"
	nsx "$ns" $IP link set "$port.$vid" up
	nsx "$ns" $IP neigh replace "$peer" lladdr "$mac" dev "$port.$vid" nud permanent
}
# send_vid200 COUNT: COUNT UDP datagrams from B's VLAN 200 device to 10.200.0.1.
send_vid200() {
	nsx $PEER_NS python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[1])):
    s.sendto(b"vlan 200 datagram", ("10.200.0.1", 9))' "$1"
	sleep 0.5
}
# rx_delta CMD...: how many frames port A received while CMD ran.
rx_delta() {
	local r0 r1
	r0=$(ifstat "$a" rx_packets)
	"$@"
	r1=$(ifstat "$a" rx_packets)
	echo $((r1 - r0))
}
txsum() { $ETHTOOL -S "$a" | awk -v n="_$1:" '$1 ~ /^tx_queue_[0-9]+_/ && index($1, n) {s += $2} END {print s + 0}'; }

for drv in rigb igb; do
	start_pair $drv $drv
	quiet_ipv6 "$a"
	quiet_ipv6 "$b" $PEER_NS
	mac_a=$(cat "/sys/class/net/$a/address")
	mac_b=$(nsx $PEER_NS cat "/sys/class/net/$b/address")

	f="$(feature "$a" rx-vlan-offload) $(feature "$a" tx-vlan-offload) $(feature "$a" rx-vlan-filter)"
	ktap_eq "$drv: ethtool -k: rx-vlan-offload, tx-vlan-offload, rx-vlan-filter on" "on on on" "$f"

	vlan_dev "$a" 100 10.100.0.1 10.100.0.2 "$mac_b" &&
		vlan_dev "$b" 100 10.100.0.2 10.100.0.1 "$mac_a" $PEER_NS ||
		ktap_diag "$drv: cannot create the VLAN 100 devices"
	f="$(feature "$a.100" tx-checksum-ip-generic) $(feature "$a.100" tx-scatter-gather) $(feature "$a.100" tx-tcp-segmentation)"
	ktap_eq "$drv: the VLAN device inherits checksum, SG and TSO" "on on on" "$f"
	sleep 1

	# ping_count: pings over VLAN 100; prints "sent received B-VLAN-rx".
	ping_count() {
		local r0 r1 got
		r0=$(ifstat "$b.100" rx_packets $PEER_NS)
		got=$(ping -q -c $N -i 0.02 -W 2 10.100.0.2 | awk '/received/ {print $4}')
		r1=$(ifstat "$b.100" rx_packets $PEER_NS)
		echo "$N ${got:-0} $((r1 - r0))"
	}
	ktap_eq "$drv: $N pings over VLAN 100: all answered, $N frames on B's VLAN device" \
		"$N $N $N" "$(ping_count)"

	tso0=$(txsum tso)
	send_file_check "$drv: TCP over VLAN 100: 8 MiB arrive intact (sha256)" "$tmp/data" 10.100.0.2
	if [[ $drv == rigb ]]; then
		tso=$(($(txsum tso) - tso0))
		if [[ $tso -gt 10 ]]; then
			ktap_ok "rigb: the VLAN transfer went through TSO ($tso packets)"
		else
			ktap_fail "rigb: the VLAN transfer went through TSO (only $tso packets)"
		fi
	fi

	$ETHTOOL -K "$a" rxvlan off 2>/dev/null
	f="$(feature "$a" rx-vlan-offload) $(feature "$a" tx-vlan-offload)"
	ktap_eq "$drv: ethtool -K rxvlan off turns tag insertion off too" "off off" "$f"
	ktap_eq "$drv: $N pings over VLAN 100 with tags done in software" "$N $N $N" "$(ping_count)"
	$ETHTOOL -K "$a" rxvlan on 2>/dev/null

	# The filter: B sends on VLAN 200, which A has no device for.
	vlan_dev "$b" 200 10.200.0.2 10.200.0.1 "$mac_a" $PEER_NS
	sleep 0.5
	ktap_eq "$drv: VLAN 200 unknown to A: the filter drops all $N datagrams" 0 "$(rx_delta send_vid200 $N)"
	$IP link set "$a" promisc on
	ktap_eq "$drv: promiscuous: all $N VLAN 200 datagrams reach the stack" $N "$(rx_delta send_vid200 $N)"
	$IP link set "$a" promisc off
	vlan_dev "$a" 200 10.200.0.1 10.200.0.2 "$mac_b"
	v0=$(ifstat "$a.200" rx_packets)
	d=$(rx_delta send_vid200 $N)
	v1=$(ifstat "$a.200" rx_packets)
	ktap_eq "$drv: with a VLAN 200 device on A: $N datagrams pass and reach it" "$N $N" "$d $((v1 - v0))"
	$IP link del "$a.200"
	ktap_eq "$drv: VLAN 200 device deleted: the filter drops them again" 0 "$(rx_delta send_vid200 $N)"

	$IP link del "$a.100"
	teardown_pair
done

dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
