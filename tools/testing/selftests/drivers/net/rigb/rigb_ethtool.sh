#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# rigb's ethtool and interrupt plumbing: driver info, link settings, ring
# and channel parameters, per-queue / per-vector statistics that add up to
# the interface counters, one MSI-X vector per RX queue and one per TX queue
# plus one for other causes in /proc/interrupts (QEMU grants 10: enough for
# the separate layout of the C driver), and ring resizes that take effect (while up,
# under traffic, and while down).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"

ktap_plan 13
dmesg_mark
start_pair rigb rigb

info=$($ETHTOOL -i "$a")
if grep -q '^driver: rigb$' <<<"$info" && grep -q "^bus-info: ${ports[0]}$" <<<"$info"; then
	ktap_ok "ethtool -i: driver rigb, bus-info ${ports[0]}"
else
	ktap_fail "ethtool -i: driver rigb, bus-info ${ports[0]}"
	ktap_diag "$info"
fi

link=$($ETHTOOL "$a")
if grep -q 'Speed: 1000Mb/s' <<<"$link" && grep -q 'Duplex: Full' <<<"$link" && grep -q 'Link detected: yes' <<<"$link"; then
	ktap_ok "ethtool: 1000Mb/s, full duplex, link detected"
else
	ktap_fail "ethtool: 1000Mb/s, full duplex, link detected"
	ktap_diag "$link"
fi

ch=$($ETHTOOL -l "$a")
nq=$(awk '/Current hardware settings/ {c = 1} c && /^Combined:/ {print $2; exit}' <<<"$ch")
if [[ $nq -ge 1 ]]; then
	ktap_ok "ethtool -l: $nq combined channel(s)"
else
	ktap_fail "ethtool -l: combined channels"
	ktap_diag "$ch"
fi

# One vector per RX queue and one per TX queue, plus one for the other causes,
# named as the C driver names them.
names=$(grep -o "rigb-${ports[0]}-.*" /proc/interrupts | sed "s/^rigb-${ports[0]}-//" | sort | xargs)
want=$(for ((q = 0; q < nq; q++)); do echo rx-$q tx-$q; done; echo other)
want=$(xargs -n1 <<<"$want" | sort | xargs)
ktap_eq "/proc/interrupts: rx-N and tx-N for $nq queue(s) + other" "$want" "$names"

rp=$($ETHTOOL -g "$a")
cur_rx=$(awk '/Current hardware settings/ {c = 1} c && /^RX:/ {print $2; exit}' <<<"$rp")
ktap_eq "ethtool -g: default RX ring 256" 256 "$cur_rx"

# Statistics: names, and per-queue packets adding up to the interface's.
names=$($ETHTOOL -S "$a")
missing=""
for n in rx_queue_0_packets rx_queue_0_bytes tx_queue_0_packets vector_0_irqs \
	vector_0_napi_polls vector_0_budget_exhausted rx_queue_0_refill_failed "vector_$((2 * nq))_irqs"; do
	grep -q "^ *$n: " <<<"$names" || missing+=" $n"
done
ktap_eq "ethtool -S names present" "" "$missing"

sum_q() { $ETHTOOL -S "$a" | awk -v k="$1" '$1 ~ "^" k "_queue_[0-9]+_packets:$" {s += $2} END {print s + 0}'; }
ping -q -c 200 -i 0.01 -W 2 $ADDR_B >/dev/null
sleep 1
# The stack may send or receive a packet (MLD, router solicitation) between
# two reads: compare only a sample during which the interface counters did
# not move.
for ((i = 0; i < 5; i++)); do
	rx0=$(ifstat "$a" rx_packets) tx0=$(ifstat "$a" tx_packets)
	rxq=$(sum_q rx) txq=$(sum_q tx)
	rx=$(ifstat "$a" rx_packets) tx=$(ifstat "$a" tx_packets)
	[[ $rx0 -eq $rx && $tx0 -eq $tx ]] && break
	sleep 0.5
done
ktap_diag "queues rx $rxq tx $txq; interface rx $rx tx $tx"
if [[ $rxq -eq $rx && $txq -eq $tx && $rx -ge 200 ]]; then
	ktap_ok "per-queue packet counters add up to the interface counters"
else
	ktap_fail "per-queue packet counters add up to the interface counters"
fi

irqs=$($ETHTOOL -S "$a" | awk '$1 ~ /^vector_[0-9]+_irqs:$/ {s += $2} END {print s + 0}')
proc=$(grep "rigb-${ports[0]}-" /proc/interrupts | awk '{for (i = 2; i <= 3; i++) s += $i} END {print s + 0}')
ktap_diag "irqs per ethtool $irqs, per /proc/interrupts $proc (2 CPUs)"
[[ $irqs -gt 0 && $irqs -le $proc ]] && ktap_ok "vector interrupt counts are counted (> 0, <= /proc/interrupts)" ||
	ktap_fail "vector interrupt counts: ethtool $irqs, /proc/interrupts $proc"

# Ring resize while up, with pings in flight: the rings are re-laid (new
# ones allocated first, device stopped, old ones freed, restarted). Sizes
# need not be powers of two (multiples of 8). Some pings may be lost during
# the switch, the rest must pass, and the peer must keep answering after it.
ping -q -c 100 -i 0.02 -W 1 $ADDR_B >/dev/null 2>&1 &
pp=$!
sleep 0.5
$ETHTOOL -G "$a" rx 200 tx 328
rg=$?
wait $pp
rp=$($ETHTOOL -g "$a")
cur=$(awk '/Current hardware settings/ {c = 1} c && /^(RX|TX):/ {printf "%s ", $2}' <<<"$rp")
wait_link "$a" "" 10
if [[ $rg -eq 0 && $cur == "200 328 " ]] && ping -q -c 20 -i 0.05 -W 2 -s 1472 $ADDR_B >/dev/null; then
	ktap_ok "ethtool -G rx 200 tx 328 while up under pings: applied at once; traffic passes"
else
	ktap_fail "ethtool -G rx 200 tx 328 while up: exit $rg, rings '$cur'; or traffic lost"
fi
$IP link set "$a" down
$ETHTOOL -G "$a" rx 512 tx 128
$IP link set "$a" up
wait_link "$a" "" 10
rp=$($ETHTOOL -g "$a")
cur=$(awk '/Current hardware settings/ {c = 1} c && /^(RX|TX):/ {printf "%s ", $2}' <<<"$rp")
if [[ $cur == "512 128 " ]] && ping -q -c 20 -i 0.05 -W 2 -s 1472 $ADDR_B >/dev/null; then
	ktap_ok "rings resized to rx 512 / tx 128 while down; traffic passes"
else
	ktap_fail "rings resized to rx 512 / tx 128 while down (got '$cur'); traffic passes"
fi
$IP link set "$a" down
$ETHTOOL -G "$a" rx 256 tx 256
$IP link set "$a" up
wait_link "$a" "" 10

# Channels: one queue pair while running, traffic passes, then back.
if [[ $nq -ge 2 ]]; then
	$ETHTOOL -L "$a" combined 1
	cur=$($ETHTOOL -l "$a" | awk '/Current hardware settings/ {c = 1} c && /^Combined:/ {print $2; exit}')
	txqs=$(ls -d /sys/class/net/"$a"/queues/tx-* | wc -l)
	wait_link "$a" "" 10
	if [[ $cur == 1 && $txqs == 1 ]] && ping -q -c 20 -i 0.05 -W 2 $ADDR_B >/dev/null; then
		ktap_ok "ethtool -L combined 1: one queue pair, traffic passes"
	else
		ktap_fail "ethtool -L combined 1: combined '$cur', $txqs TX queues"
	fi
	$ETHTOOL -L "$a" combined "$nq"
	wait_link "$a" "" 10
else
	ktap_skip "ethtool -L combined 1" "only $nq queue pair"
fi

teardown_pair
dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
