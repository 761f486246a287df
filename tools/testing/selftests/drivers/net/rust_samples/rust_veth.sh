#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# rust_veth (samples/rust/rust_veth.ko), link kind `rveth`:
#  - `ip link add a type rveth peer name b` / `ip link del a`, 50 times;
#    peer name optional;
#  - ends moved to two namespaces: ping, iperf3, exact counters on both ends,
#    carrier follows the peer, frames to a down peer dropped and counted,
#    MTU limits; ethtool -S stage counters (xmit, delivered to the peer,
#    dropped because the peer refused a frame too long for it, received from
#    the peer) equal what was sent, and frames to a down peer never reach
#    the driver;
#  - a C bridge between two pairs (container topology): ping, iperf3;
#  - deleting an end while traffic flows; deleting a namespace deletes the
#    pair; unloading the module with pairs (and traffic) present;
#  - no WARN/BUG/oops in dmesg.
. "$(dirname "$0")/lib.sh"

ktap_plan 41
dmesg_mark

NS1=rs-ns1 NS2=rs-ns2 NS3=rs-ns3
PLUG=$(mktemp -d /tmp/rveth-ip.XXXXXX)
export IP_LIB_DIR=$PLUG
BG=()

cleanup() {
	local p
	for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for ns in $NS1 $NS2 $NS3; do $IP netns del $ns 2>/dev/null; done
	$IP link del rs-br0 2>/dev/null
	mod_loaded rust_veth && rmmod rust_veth 2>/dev/null
	rm -rf "$PLUG"
	true
}
trap cleanup EXIT

n1() { $IP netns exec $NS1 "$@"; }
n2() { $IP netns exec $NS2 "$@"; }
exists() { [[ -d /sys/class/net/$1 ]]; }
gone() { ! exists "$1"; }

# Permanent neighbours and no IPv6: then the only frames on a pair are the
# ones the test sends, and the counters can be checked exactly.
quiet_ns() {
	$IP netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

mod_loaded rust_veth && rmmod rust_veth
ktap_check "insmod rust_veth" insmod "$MODDIR/rust_veth.ko"
ktap_check "iproute2 plugin for kind rveth" cc -shared -fPIC -o "$PLUG/link_rveth.so" "$RS_DIR/link_rveth.c" -ldl

# --- create / delete -------------------------------------------------------
ktap_check "ip link add a type rveth peer name b" $IP link add rs-a type rveth peer name rs-b
ktap_eq "both ends exist, kind rveth" "rveth rveth" \
	"$($IP -d -o link show rs-a | grep -o 'rveth ' | head -1 | tr -d ' ') $($IP -d -o link show rs-b | grep -o 'rveth ' | head -1 | tr -d ' ')"
$IP link del rs-a
ktap_check "ip link del a removes both ends" bash -c "! test -d /sys/class/net/rs-a && ! test -d /sys/class/net/rs-b"

fails=0
for i in $(seq 1 50); do
	$IP link add rs-x$i type rveth peer name rs-y$i || fails=$((fails + 1))
	exists rs-y$i || fails=$((fails + 1))
	if ((i % 2)); then $IP link del rs-x$i; else $IP link del rs-y$i; fi || fails=$((fails + 1))
	exists rs-x$i && fails=$((fails + 1))
	exists rs-y$i && fails=$((fails + 1))
done
ktap_eq "50 create/delete cycles (either end deleted)" 0 "$fails"

before=$(ls /sys/class/net | grep -c '^rveth')
$IP link add rs-c type rveth
after=$(ls /sys/class/net | grep -c '^rveth')
ktap_eq "peer name optional: an rveth%d peer is created" "$((before + 1))" "$after"
$IP link del rs-c
ktap_eq "and deleted with its end" "$before" "$(ls /sys/class/net | grep -c '^rveth')"

# --- two namespaces --------------------------------------------------------
$IP netns add $NS1
$IP netns add $NS2
quiet_ns $NS1
quiet_ns $NS2
$IP link add rs-v1 type rveth peer name rs-v2
$IP link set rs-v1 netns $NS1
$IP link set rs-v2 netns $NS2
ktap_check "ends moved into two namespaces" bash -c "$IP -n $NS1 link show rs-v1 && $IP -n $NS2 link show rs-v2"
n1 $IP addr add 10.10.0.1/24 dev rs-v1
n2 $IP addr add 10.10.0.2/24 dev rs-v2
n1 $IP link set rs-v1 up
ktap_eq "carrier off while the peer is down" "0" "$(n1 cat /sys/class/net/rs-v1/carrier)"
n2 $IP link set rs-v2 up
ktap_eq "carrier on when both are up" "1 1" "$(n1 cat /sys/class/net/rs-v1/carrier) $(n2 cat /sys/class/net/rs-v2/carrier)"
mac1=$(n1 cat /sys/class/net/rs-v1/address)
mac2=$(n2 cat /sys/class/net/rs-v2/address)
n1 $IP neigh replace 10.10.0.2 lladdr "$mac2" dev rs-v1 nud permanent
n2 $IP neigh replace 10.10.0.1 lladdr "$mac1" dev rs-v2 nud permanent

ktap_check "ping across the pair" n1 ping -c 3 -W 2 10.10.0.2

ktap_eq "ethtool -i: driver rust_veth" "driver: rust_veth" "$(n1 /usr/sbin/ethtool -i rs-v1 | head -1)"

N=200
t1=$(stat rs-v1 tx_packets $NS1) r1=$(stat rs-v1 rx_packets $NS1)
t2=$(stat rs-v2 tx_packets $NS2) r2=$(stat rs-v2 rx_packets $NS2)
ex1=$(est rs-v1 xmit $NS1) ed1=$(est rs-v1 delivered_to_peer $NS1) er2=$(est rs-v2 received_from_peer $NS2)
n1 ping -q -c $N -i 0.002 -W 2 10.10.0.2 >/dev/null
ktap_eq "ethtool -S: $N pings: v1 xmit $N, delivered_to_peer $N; v2 received_from_peer $N" "$N $N $N" \
	"$(($(est rs-v1 xmit $NS1) - ex1)) $(($(est rs-v1 delivered_to_peer $NS1) - ed1)) $(($(est rs-v2 received_from_peer $NS2) - er2))"
dt1=$(($(stat rs-v1 tx_packets $NS1) - t1)) dr1=$(($(stat rs-v1 rx_packets $NS1) - r1))
dt2=$(($(stat rs-v2 tx_packets $NS2) - t2)) dr2=$(($(stat rs-v2 rx_packets $NS2) - r2))
ktap_eq "$N pings: v1 sent $N, v2 received $N" "$N $N" "$dt1 $dr2"
ktap_eq "$N replies: v2 sent $N, v1 received $N" "$N $N" "$dt2 $dr1"
ktap_eq "bytes: v1 tx = v2 rx" "$(stat rs-v1 tx_bytes $NS1)" "$(stat rs-v2 rx_bytes $NS2)"

n2 iperf3 -s -1 -D -B 10.10.0.2 >/dev/null 2>&1
sleep 0.5
out=$(n1 timeout 60 iperf3 -c 10.10.0.2 -t 3 -J 2>&1)
bps=$(python3 -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))' <<<"$out" 2>/dev/null)
if [[ -n $bps && $bps -gt 0 ]]; then
	ktap_ok "iperf3 TCP across the pair ($((bps / 1000000)) Mbit/s)"
else
	ktap_fail "iperf3 TCP across the pair"
	printf '%s\n' "$out" | tail -5 | sed 's/^/#   /'
fi
ktap_eq "after iperf3: v1 tx = v2 rx, v2 tx = v1 rx (packets)" \
	"$(stat rs-v1 tx_packets $NS1) $(stat rs-v2 tx_packets $NS2)" \
	"$(stat rs-v2 rx_packets $NS2) $(stat rs-v1 rx_packets $NS1)"

# Peer down: carrier off, frames dropped and counted on the sender.
n2 $IP link set rs-v2 down
ktap_eq "peer down: carrier off" "0" "$(n1 cat /sys/class/net/rs-v1/carrier)"
d0=$(stat rs-v1 tx_dropped $NS1) r0=$(stat rs-v2 rx_packets $NS2)
ex1=$(est rs-v1 xmit $NS1) ed1=$(est rs-v1 delivered_to_peer $NS1) ef1=$(est rs-v1 dropped_peer_refused $NS1)
n1 python3 - <<'PY'
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("rs-v1", 0x88B5))
for i in range(25):
    s.send(b"\xff" * 6 + b"\x02\0\0\0\0\1" + b"\x88\xb5" + b"\0" * 50)
PY
ktap_eq "25 frames to a down peer: dropped and counted, not received" "25 0" \
	"$(($(stat rs-v1 tx_dropped $NS1) - d0)) $(($(stat rs-v2 rx_packets $NS2) - r0))"
# With the carrier off the stack drops them (noop qdisc) before the driver.
ktap_eq "ethtool -S: frames to a down peer never reach the driver: xmit, dropped_peer_refused, delivered_to_peer +0" "0 0 0" \
	"$(($(est rs-v1 xmit $NS1) - ex1)) $(($(est rs-v1 dropped_peer_refused $NS1) - ef1)) $(($(est rs-v1 delivered_to_peer $NS1) - ed1))"
# Every transmit call ends in exactly one stage.
bad=""
for e in "rs-v1 $NS1" "rs-v2 $NS2"; do
	set -- $e
	x=$(est $1 xmit $2) d=$(est $1 delivered_to_peer $2) np=$(est $1 dropped_no_peer $2) rf=$(est $1 dropped_peer_refused $2)
	[[ $x -gt 0 && $x -eq $((d + np + rf)) ]] || bad+=" $1: xmit $x delivered $d no_peer $np refused $rf;"
done
set --
ktap_eq "ethtool -S: xmit = delivered_to_peer + dropped_no_peer + dropped_peer_refused on both ends" "" "$bad"
n2 $IP link set rs-v2 up
ktap_eq "peer up again: carrier on" "1" "$(n1 cat /sys/class/net/rs-v1/carrier)"
# Frames too long for the peer reach the driver, which cannot hand them over.
n2 $IP link set rs-v2 mtu 1000
ex1=$(est rs-v1 xmit $NS1) ed1=$(est rs-v1 delivered_to_peer $NS1) ef1=$(est rs-v1 dropped_peer_refused $NS1)
n1 python3 - <<'PY'
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("rs-v1", 0x88B5))
for i in range(25):
    s.send(b"\xff" * 6 + b"\x02\0\0\0\0\1" + b"\x88\xb5" + b"\0" * 1400)
PY
ktap_eq "ethtool -S: 25 frames longer than the peer's MTU: xmit 25, dropped_peer_refused 25, delivered_to_peer 0" "25 25 0" \
	"$(($(est rs-v1 xmit $NS1) - ex1)) $(($(est rs-v1 dropped_peer_refused $NS1) - ef1)) $(($(est rs-v1 delivered_to_peer $NS1) - ed1))"
n2 $IP link set rs-v2 mtu 1500

ktap_check "MTU 9000 accepted" n1 $IP link set rs-v1 mtu 9000
ktap_check "MTU 70000 refused" bash -c "! $IP -n $NS1 link set rs-v1 mtu 70000 2>/dev/null"
ktap_check "MTU 60 refused" bash -c "! $IP -n $NS1 link set rs-v1 mtu 60 2>/dev/null"
n2 $IP link set rs-v2 mtu 9000
ktap_check "ping with 8000-byte payload (MTU 9000)" n1 ping -c 2 -W 2 -M do -s 8000 10.10.0.2

# --- bridge between two pairs ---------------------------------------------
modprobe bridge 2>/dev/null
$IP netns del $NS1
$IP netns del $NS2
ktap_check "deleting both namespaces removed the pair" wait_for 10 bash -c "! $IP -o link show type rveth 2>/dev/null | grep -q rs-v"
$IP netns add $NS1
$IP netns add $NS2
quiet_ns $NS1
quiet_ns $NS2
sysctl -qw net.ipv6.conf.default.disable_ipv6=1
$IP link add rs-br0 type bridge
$IP link add rs-h1 type rveth peer name rs-p1 netns $NS1
$IP link add rs-h2 type rveth peer name rs-p2 netns $NS2
ktap_check "peer created directly in another namespace" bash -c "$IP -n $NS1 link show rs-p1 && $IP -n $NS2 link show rs-p2"
$IP link set rs-h1 master rs-br0
$IP link set rs-h2 master rs-br0
$IP link set rs-br0 up
$IP link set rs-h1 up
$IP link set rs-h2 up
n1 $IP addr add 10.20.0.1/24 dev rs-p1
n2 $IP addr add 10.20.0.2/24 dev rs-p2
n1 $IP link set rs-p1 up
n2 $IP link set rs-p2 up
ktap_check "ping through the bridge" wait_for 10 n1 ping -c 1 -W 1 10.20.0.2
n2 iperf3 -s -1 -D -B 10.20.0.2 >/dev/null 2>&1
sleep 0.5
ktap_check "iperf3 through the bridge" n1 timeout 60 iperf3 -c 10.20.0.2 -t 3
ktap_eq "bridge pairs: p1 tx = h1 rx, h2 tx = p2 rx" \
	"$(stat rs-p1 tx_packets $NS1) $(stat rs-h2 tx_packets)" \
	"$(stat rs-h1 rx_packets) $(stat rs-p2 rx_packets $NS2)"

# --- delete an end while traffic flows --------------------------------------
n1 ping -q -f -w 15 10.20.0.2 >/dev/null 2>&1 &
BG+=($!)
n2 iperf3 -s -1 -D -B 10.20.0.2 >/dev/null 2>&1
sleep 0.5
n1 timeout 20 iperf3 -c 10.20.0.2 -t 10 >/dev/null 2>&1 &
BG+=($!)
sleep 2
ktap_check "delete an end (in the bridge) while traffic flows" $IP link del rs-h2
ktap_check "its peer in the other namespace is gone too" wait_for 5 bash -c "! $IP -n $NS2 link show rs-p2 2>/dev/null"
for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
BG=()

# --- namespace deletion deletes the pair ------------------------------------
$IP netns add $NS3
$IP link add rs-n1 type rveth peer name rs-n2 netns $NS3
$IP netns del $NS3
ktap_check "deleting a namespace deletes the pair" wait_for 10 gone rs-n1

# --- unload with pairs present ----------------------------------------------
$IP link add rs-u1 type rveth peer name rs-u2
$IP link add rs-u3 type rveth peer name rs-u4 netns $NS2
n1 ping -q -f -w 15 10.20.0.2 >/dev/null 2>&1 &
BG+=($!)
sleep 1
ktap_check "rmmod rust_veth with pairs present and traffic" timeout 60 rmmod rust_veth
ktap_eq "no rveth device left in any namespace" "0" \
	"$(( $($IP -o link show type rveth 2>/dev/null | wc -l) + $($IP -n $NS1 -o link show type rveth 2>/dev/null | wc -l) + $($IP -n $NS2 -o link show type rveth 2>/dev/null | wc -l) ))"
ktap_check "module can be loaded again" insmod "$MODDIR/rust_veth.ko"

cleanup
trap - EXIT
dmesg_clean_since "dmesg clean"
ktap_finish
