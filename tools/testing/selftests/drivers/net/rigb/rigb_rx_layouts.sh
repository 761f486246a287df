#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# rigb's three receive buffer layouts, at the MTUs on both sides of each
# boundary: the half page as the skb's head (napi_build_skb; up to MTU 1642),
# headers copied plus the rest as a page fragment (up to MTU 2026), and the
# whole-frame buffer (jumbo). At each MTU: a full-size don't-fragment ping and
# a small one (the copybreak path) get their replies, a 4 MiB TCP transfer
# arrives intact (sha256 on both ends), and B's driver counts no length error
# or allocation failure.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"

mtus=(1500 1642 1643 2026 2027 9000)
ktap_plan $((1 + 3 * ${#mtus[@]} + 2))
dmesg_mark
ktap_require socat "rx layout checks"
start_pair rigb rigb
data=$(mktemp)
trap 'rm -f "$data"; teardown_pair' EXIT
head -c 4M /dev/urandom >"$data"

# rxerr: B's RX length errors and allocation failures, summed over its queues.
rxerr() {
	nsx $PEER_NS $ETHTOOL -S "$b" |
		awk '$1 ~ /^rx_queue_[0-9]+_(length_errors|alloc_failed):$/ {s += $2} END {print s + 0}'
}

e0=$(rxerr)
for m in "${mtus[@]}"; do
	$IP link set "$a" mtu "$m" && nsx $PEER_NS $IP link set "$b" mtu "$m"
	wait_link "$a" "" 10
	wait_link "$b" $PEER_NS 10
	# The link may come back a moment before the first frames pass.
	ping -q -c 1 -W 5 $ADDR_B >/dev/null 2>&1
	ktap_check "MTU $m: ping with a $((m - 28))-byte payload, don't fragment" \
		ping -q -c 5 -i 0.1 -W 2 -M do -s $((m - 28)) $ADDR_B
	ktap_check "MTU $m: ping with a 100-byte payload (copied whole)" \
		ping -q -c 5 -i 0.1 -W 2 -s 100 $ADDR_B
	send_file_check "MTU $m: 4 MiB over TCP arrive intact (sha256)" "$data" $ADDR_B
done
ktap_eq "no RX length errors or allocation failures on B" "$e0" "$(rxerr)"
$IP link set "$a" mtu 1500
nsx $PEER_NS $IP link set "$b" mtu 1500
teardown_pair
dmesg_clean_since
ktap_finish
