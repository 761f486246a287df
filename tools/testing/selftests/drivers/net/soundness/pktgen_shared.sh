#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# pktgen through the three Rust drivers. An SkBuff owns its sk_buff
# exclusively, so no device of the abstractions advertises
# IFF_TX_SKB_SHARING: pktgen must refuse `burst 8` and `clone_skb 8` (with
# the flag, rust_loopback would queue one sk_buff on the backlog eight times).
# Then 2000 frames, one sk_buff each, and every one counted exactly:
# - rlo0: transmit and looped-back stage counters (ethtool -S);
# - rveth: the peer's rx_packets and the sender's xmit stage counter;
# - rigb (port A) to the C igb port B in a namespace: the peer's UDP
#   NoPorts counter (frames to port 9, nobody listening) plus what the peer
#   dropped for want of room, and rigb's tx_packets.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"
. "$here/pktgen.sh"
RS=$RIGB_ROOT/samples/rust
N=2000

ktap_plan 13
dmesg_mark
cleanup() {
	pg_detach
	$IP netns del pg-ns 2>/dev/null
	$IP link del pg-a 2>/dev/null
	grep -q '^rust_loopback ' /proc/modules && rmmod rust_loopback
	grep -q '^rust_veth ' /proc/modules && rmmod rust_veth
	teardown_pair
	rm -rf "${PLUG:-/nonexistent}"
	true
}
trap cleanup EXIT
est() { $ETHTOOL -S "$1" 2>/dev/null | awk -v k="$2" '$1 == k ":" {print $2}'; }

ktap_check "pktgen loaded" pg_load

# --- rlo0 ----------------------------------------------------------------
# No IPv6 on it: the stack's own frames (router and multicast listener
# reports) would add to the counts.
insmod "$RS/rust_loopback.ko" numdevs=1 && sysctl -qw net.ipv6.conf.rlo0.disable_ipv6=1 &&
	$IP link set rlo0 up
if pg_attach rlo0; then
	pg_no_sharing rlo0 rlo0
	x0=$(est rlo0 xmit) l0=$(est rlo0 looped_back)
	sent=$(pg_run rlo0 $N 198.51.100.9 02:00:00:00:00:09)
	x1=$(est rlo0 xmit) l1=$(est rlo0 looped_back)
	ktap_eq "rlo0: pktgen sent $N" "$N" "$sent"
	ktap_eq "rlo0: xmit and looped_back moved by $N each" "$N $N" "$((x1 - x0)) $((l1 - l0))"
else
	for i in 1 2 3; do ktap_fail "rlo0: pktgen add_device"; done
fi
pg_detach
rmmod rust_loopback

# --- rveth ---------------------------------------------------------------
# iproute2 learns the `peer` argument of kind rveth from the samples' plugin.
PLUG=$(mktemp -d /tmp/pg-ip.XXXXXX)
cc -shared -fPIC -o "$PLUG/link_rveth.so" "$here/../rust_samples/link_rveth.c" -ldl
export IP_LIB_DIR=$PLUG
insmod "$RS/rust_veth.ko"
$IP netns add pg-ns
$IP link add pg-a type rveth peer name pg-b
$IP link set pg-b netns pg-ns
sysctl -qw net.ipv6.conf.pg-a.disable_ipv6=1
$IP netns exec pg-ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1
$IP netns exec pg-ns $IP addr add 198.51.100.2/24 dev pg-b
$IP netns exec pg-ns $IP link set pg-b up
$IP link set pg-a up
mac_b=$($IP netns exec pg-ns cat /sys/class/net/pg-b/address)
if pg_attach pg-a; then
	pg_no_sharing rveth pg-a
	r0=$($IP netns exec pg-ns cat /sys/class/net/pg-b/statistics/rx_packets)
	x0=$(est pg-a xmit)
	sent=$(pg_run pg-a $N 198.51.100.2 "$mac_b")
	r1=$($IP netns exec pg-ns cat /sys/class/net/pg-b/statistics/rx_packets)
	x1=$(est pg-a xmit)
	ktap_eq "rveth: pktgen sent $N" "$N" "$sent"
	ktap_eq "rveth: sender's xmit and peer's rx_packets moved by $N" "$N $N" "$((x1 - x0)) $((r1 - r0))"
else
	for i in 1 2 3; do ktap_fail "rveth: pktgen add_device"; done
fi
pg_detach
$IP link del pg-a
$IP netns del pg-ns
rmmod rust_veth

# --- rigb ----------------------------------------------------------------
start_pair rigb igb
mac_b=$(nsx $PEER_NS cat /sys/class/net/"$b"/address)
noports() { nsx $PEER_NS awk '/^Udp:/ {if (!h) {for (i = 1; i <= NF; i++) c[$i] = i; h = 1} else print $c["NoPorts"]}' /proc/net/snmp; }
# Frames the peer's C igb dropped for want of room (its RX ring or packet buffer):
# under TCG a flood can outrun its poll.
peer_drops() {
	local d=/sys/class/net/$b/statistics
	nsx $PEER_NS cat $d/rx_missed_errors $d/rx_fifo_errors $d/rx_over_errors $d/rx_dropped |
		awk '{s += $1} END {print s}'
}
if pg_attach "$a"; then
	pg_no_sharing rigb "$a"
	np0=$(noports) d0=$(peer_drops) t0=$(cat /sys/class/net/"$a"/statistics/tx_packets)
	# 10,000 frames/s: the C igb peer keeps up under TCG (frames QEMU drops before the
	# peer's ring would be counted nowhere).
	sent=$(pg_run "$a" $N $ADDR_B "$mac_b" 100000)
	sleep 1
	np1=$(noports) d1=$(peer_drops) t1=$(cat /sys/class/net/"$a"/statistics/tx_packets)
	ktap_eq "rigb: pktgen sent $N" "$N" "$sent"
	ktap_eq "rigb: every frame reached the peer's UDP (NoPorts) or its drop counters" \
		"$N" "$((np1 - np0 + d1 - d0))"
	dt=$((t1 - t0))
	ktap_check "rigb: tx_packets moved by $N (+ at most 5 of the stack's own: $dt)" test $dt -ge $N -a $dt -le $((N + 5))
else
	for i in 1 2 3 4; do ktap_fail "rigb: pktgen add_device"; done
fi
pg_detach
dmesg_clean_since "dmesg clean (no list corruption, WARN or BUG)"
ktap_finish
