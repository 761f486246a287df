#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Lifecycle under load, for the driver on both ports: load/unload cycles,
# unload during a flood in both directions, and under traffic: link down/up,
# MTU changes, ring resizes and channel changes; after each kind the pair
# must pass traffic again and dmesg must stay clean.
#   lifecycle.sh DRIVER [CYCLES]
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"

drv=${1:?driver} cycles=${2:-20}
ktap_plan 13
dmesg_mark
mapfile -t ports < <(igb_ports)

unload() {
	case $drv in
	igb) modprobe -r igb ;;
	*) rmmod "$drv" ;;
	esac
}
# up_pair: load, bind both ports, set up the namespace pair; sets $a $b.
up_pair() {
	# Port B must be back in this namespace before its name is looked up.
	teardown_pair
	load_driver "$drv" && bind_port "${ports[0]}" "$drv" && bind_port "${ports[1]}" "$drv" || return 1
	a=$(pci_iface "${ports[0]}") b=$(pci_iface "${ports[1]}")
	setup_pair "$a" "$b"
}
works() { ping -q -c 3 -i 0.1 -W 2 $ADDR_B >/dev/null 2>&1; }
# After a change that resets a port: both links, fresh neighbours, then up
# to 15 s for three replies; on failure say what the ports look like.
works_again() {
	wait_link "$a" "" 15
	wait_link "$b" $PEER_NS 15
	$IP neigh flush dev "$a" 2>/dev/null
	nsx $PEER_NS $IP neigh flush dev "$b" 2>/dev/null
	ping -q -c 3 -i 0.2 -w 15 $ADDR_B >/dev/null 2>&1 && return 0
	echo "A: $($IP -br link show "$a") rings: $(ethtool -g "$a" 2>/dev/null | awk '/^Current/{c=1} c && /^(RX|TX):/{printf "%s%s ", $1, $2}')"
	echo "B: $(nsx $PEER_NS $IP -br link show "$b")"
	ethtool -S "$a" 2>/dev/null | grep -E '^ +(rx|tx)_(packets|errors|dropped)' | tr -s ' ' | tr '\n' ' '
	return 1
}

# 1. load/unload cycles, each with traffic.
fails=0
for ((i = 0; i < cycles; i++)); do
	if ! up_pair || ! works; then
		fails=$((fails + 1))
		ktap_diag "cycle $i: no traffic"
	fi
	teardown_pair
	unload || { fails=$((fails + 1)); ktap_diag "cycle $i: unload failed"; }
done
ktap_eq "$cycles load/traffic/unload cycles" 0 "$fails"

# 2. unload while both directions flood.
up_pair
ping -q -f -w 30 $ADDR_B >/dev/null 2>&1 &
nsx $PEER_NS ping -q -f -w 30 $ADDR_A >/dev/null 2>&1 &
sleep 2
if unload; then ktap_ok "unload during a two-way flood"; else ktap_fail "unload during a two-way flood"; fi
teardown_pair
kill %1 %2 2>/dev/null
wait 2>/dev/null
ktap_check "reload after unload under load, traffic passes" bash -c "$(declare -f); $(declare -p ports drv IP PEER_NS ADDR_A ADDR_B ADDR6_A ADDR6_B RIGB_KO); up_pair && works"

# 3. down/up under traffic.
up_pair
ping -q -f -w 60 $ADDR_B >/dev/null 2>&1 &
fails=0
for ((i = 0; i < cycles; i++)); do
	$IP link set "$a" down && $IP link set "$a" up || fails=$((fails + 1))
	wait_link "$a" "" 10 || { fails=$((fails + 1)); ktap_diag "down/up $i: no carrier"; }
done
kill %1 2>/dev/null
wait 2>/dev/null
ktap_eq "$cycles down/up cycles under traffic" 0 "$fails"
sleep 1
ktap_check "traffic passes after down/up cycles" works

# 4. MTU changes under traffic (both ends, so frames fit).
ping -q -f -w 60 $ADDR_B >/dev/null 2>&1 &
fails=0
mtus=(1500 1280 9000 576 1500)
for ((i = 0; i < cycles; i++)); do
	m=${mtus[i % ${#mtus[@]}]}
	$IP link set "$a" mtu "$m" && nsx $PEER_NS $IP link set "$b" mtu "$m" || {
		fails=$((fails + 1))
		ktap_diag "mtu $m refused"
	}
done
kill %1 2>/dev/null
wait 2>/dev/null
ktap_eq "$cycles MTU changes under traffic" 0 "$fails"
$IP link set "$a" mtu 1500
nsx $PEER_NS $IP link set "$b" mtu 1500
wait_link "$a" "" 10
wait_link "$b" $PEER_NS 10
ktap_check "traffic passes after MTU changes (1472-byte payload)" ping -q -c 3 -i 0.1 -W 2 -s 1472 $ADDR_B

# 5. ring resizes under traffic, on the running interface (the driver
# re-lays its rings; the link may bounce).
ping -q -f -w 120 $ADDR_B >/dev/null 2>&1 &
fails=0
sizes=(512 256 1024 128 256)
for ((i = 0; i < cycles; i++)); do
	n=${sizes[i % ${#sizes[@]}]}
	ethtool -G "$a" rx "$n" tx "$n" >/dev/null 2>&1 || { fails=$((fails + 1)); ktap_diag "ethtool -G $n refused"; }
done
kill %1 2>/dev/null
wait 2>/dev/null
ktap_eq "$cycles ring resizes under traffic" 0 "$fails"
wait_link "$a" "" 10
# A resize may bounce the link (the C driver resets the port): allow it
# 15 s to pass traffic again.
ktap_check "traffic passes after ring resizes" works_again

# 6. channel changes under traffic: the queues and vectors are re-laid out.
maxq=$(ethtool -l "$a" 2>/dev/null | awk '/^Pre-set/{p=1} p && /^Combined:/{print $2; exit}')
ping -q -f -w 120 $ADDR_B >/dev/null 2>&1 &
fails=0
for ((i = 0; i < cycles; i++)); do
	n=$((i % 2 == 0 ? 1 : ${maxq:-1}))
	ethtool -L "$a" combined "$n" >/dev/null 2>&1 || { fails=$((fails + 1)); ktap_diag "ethtool -L combined $n refused"; }
done
kill %1 2>/dev/null
wait 2>/dev/null
ktap_eq "$cycles channel changes under traffic (1 <-> ${maxq:-?})" 0 "$fails"
wait_link "$a" "" 10
ktap_check "traffic passes after channel changes" works_again

teardown_pair
ktap_check "final unload" unload
dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
