#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# netpath's numbers for a ping flood over the two-port pair, checked
# against the kernel's own counters and the known packet count.
#   netpath_pair.sh DRIVER   (igb or rigb; both ports on DRIVER)
#
# Port A (root namespace, 192.0.2.1) pings port B (namespace "peer",
# 192.0.2.2) with `ping -q -f -c 1000` under `netpath --json run -i A`.
# ping -f -c 1000 sends exactly 1000 echo requests and, on a lossless wire,
# gets 1000 replies. With DRIVER=rigb, a missing or not yet working driver
# is reported as skips, not failures (it is being written).
. "$(dirname "$0")/lib.sh"

drv=${1:?driver: igb or rigb}
N=1000
# Names of the checks, for the skips when the driver is not there.
CHECKS=("netpath binary present" "two igb ports present" "both ports bound to $drv"
	"pair up" "counters settled" "netpath run -- ping -f -c $N"
	"driver TX equals the sysfs tx_packets change" "driver TX counts the $N echo requests"
	"NIC RX equals the sysfs rx_packets change" "NIC RX counts the $N echo replies"
	"RX queues add up to the NIC RX count" "TX queues add up to the driver TX count"
	"hard IRQs on A's RX vectors" "TX completion IRQs on A's TX vectors"
	"IRQ stages list only A's vectors" "softirq NET_RX ran" "softnet processed covers A's packets"
	"Icmp OutEchos" "Icmp InEchoReps" "IP receive" "IP send"
	"TCP/UDP/ICMP stages, both directions" "no loss counter of A moved" "no WARN/BUG/oops in dmesg")
ktap_plan ${#CHECKS[@]}
dmesg_mark

# Once something the remaining checks need is missing: for rigb, skip
# them (with the reason); otherwise fail the first and skip the rest.
blocked() {
	local reason=$1 planned=$KTAP_PLANNED
	if [[ $drv != rigb ]]; then
		ktap_fail "$reason"
	fi
	while ((KTAP_N < planned - 1)); do
		ktap_skip "${CHECKS[KTAP_N]:-check $((KTAP_N + 1))}" "$reason"
	done
	teardown_pair
	dmesg_clean_since "no WARN/BUG/oops in dmesg"
	ktap_finish
}

if [[ -x $NETPATH ]]; then
	ktap_ok "netpath binary present ($NETPATH)"
else
	ktap_fail "netpath binary present: no $NETPATH (run 'make tools' on the host)"
	drv=igb blocked "netpath is not built"
fi

mapfile -t ports < <(igb_ports)
if [[ ${#ports[@]} -eq 2 ]]; then
	ktap_ok "two igb ports present: ${ports[*]}"
else
	ktap_fail "two igb ports present (found ${#ports[@]})"
	drv=igb blocked "no port pair"
fi

if [[ $drv == rigb && ! -f $RIGB_KO ]]; then
	blocked "rigb.ko is not built ($RIGB_KO)"
fi
teardown_pair
if ! load_driver "$drv"; then
	blocked "$drv does not load (see dmesg)"
fi
bind_port "${ports[0]}" "$drv"
bind_port "${ports[1]}" "$drv"
if [[ $(pci_driver "${ports[0]}") == "$drv" && $(pci_driver "${ports[1]}") == "$drv" ]]; then
	ktap_ok "both ports bound to $drv"
else
	blocked "both ports bound to $drv (A: $(pci_driver "${ports[0]}"), B: $(pci_driver "${ports[1]}"))"
fi
a=$(port_iface "${ports[0]}") b=$(port_iface "${ports[1]}")
if [[ -z $a || -z $b ]]; then
	blocked "$drv registered no network interface (A: '$a', B: '$b')"
fi
ktap_diag "A=$a B=$b ($drv)"

if setup_pair "$a" "$b"; then
	ktap_ok "pair up: $a in the root namespace, $b in $PEER_NS, both with carrier"
else
	blocked "pair up: no carrier on $a or $b with $drv"
fi
# Permanent neighbour entries: no ARP request or reachability probe can
# fall between netpath's snapshots and the ones taken here, so the counts
# compared below see exactly the same packets.
mac_a=$(cat /sys/class/net/"$a"/address)
mac_b=$(nsx $PEER_NS cat /sys/class/net/"$b"/address)
$IP neigh replace $ADDR_B lladdr "$mac_b" dev "$a" nud permanent
nsx $PEER_NS $IP neigh replace $ADDR_A lladdr "$mac_a" dev "$b" nud permanent
if ! ping -q -c 3 -i 0.1 -W 2 $ADDR_B >/dev/null 2>&1; then
	blocked "$drv does not pass traffic (ping $ADDR_B failed)"
fi

# Settle: wait until no counter of either port moved for 2 s (IPv6 MLD
# reports and the like go out for a while after link up), 30 s at most.
snap() {
	echo "$(ifstat "$a" tx_packets) $(ifstat "$a" rx_packets)" \
		"$(ifstat "$b" tx_packets $PEER_NS) $(ifstat "$b" rx_packets $PEER_NS)"
}
settled=0 prev=""
for ((i = 0; i < 15; i++)); do
	cur=$(snap)
	[[ $cur == "$prev" ]] && { settled=1; break; }
	prev=$cur
	sleep 2
done
if [[ $settled -eq 1 ]]; then
	ktap_ok "counters settled (no packet for 2 s)"
else
	ktap_fail "counters settled: still moving after 30 s ($cur)"
fi

# The run. sysfs is read right before and right after netpath too.
J=$NP_TMP/pair_$drv
tx0=$(ifstat "$a" tx_packets) rx0=$(ifstat "$a" rx_packets)
np_run "$J" -i "$a" -- ping -q -f -c $N -W 2 $ADDR_B
rc=$?
tx1=$(ifstat "$a" tx_packets) rx1=$(ifstat "$a" rx_packets)
sys_tx=$((tx1 - tx0)) sys_rx=$((rx1 - rx0))
J=$J.json
ktap_diag "sysfs on $a: tx +$sys_tx rx +$sys_rx; report in $J"
if [[ $rc -eq 0 ]] && np_valid "$J" >/dev/null &&
	grep -q "^$N packets transmitted, $N received" "$NP_TMP/pair_$drv.txt" &&
	[[ $(np_q "$J" 'r["command"]["exit_code"]') == 0 ]]; then
	ktap_ok "netpath run -- ping -f -c $N: exit 0, $N sent, $N received, JSON report"
else
	ktap_fail "netpath run -- ping -f -c $N (exit $rc)"
	sed 's/^/#   /' "$NP_TMP/pair_$drv.txt" "$NP_TMP/pair_$drv.err" | head -n 20
fi

q() { np_q "$J" "$1" 2>/dev/null || echo error; }

# Driver stages: netpath reads the same sysfs counters, over the same
# interval (nothing else is sent: settled, static neighbours), so the
# counts must be equal, not just close.
np_tx=$(q "iface(tx['driver_tx'], '$a')")
np_rx=$(q "iface(rx['nic_rx'], '$a')")
check_eq "driver TX on $a equals the sysfs tx_packets change" "$sys_tx" "$np_tx"
# >=: the 1000 echo requests, plus any IPv6 packet the stack sent meanwhile.
check_ge "driver TX on $a counts the $N echo requests" "$np_tx" $N
check_eq "NIC RX on $a equals the sysfs rx_packets change" "$sys_rx" "$np_rx"
# >=: the 1000 echo replies, plus any IPv6 packet from B meanwhile.
check_ge "NIC RX on $a counts the $N echo replies" "$np_rx" $N

# Per-queue driver statistics (ethtool rx_queue_N_packets): each packet is
# taken off exactly one ring, so the queues add up to the interface count.
qrx=$(q "qsum(rx['nic_rx'], '$a')")
if [[ $qrx == null ]]; then
	ktap_skip "RX queues add up to the NIC RX count" "$drv exports no per-queue RX packet counters"
else
	ktap_diag "RX queues: $(q "' '.join('%s=%s' % (i['label'], i['value']) for i in rx['nic_rx']['per_queue'])")"
	check_eq "RX queues add up to the NIC RX count (sum >= $N)" "$np_rx" "$qrx"
fi
qtx=$(q "qsum(tx['driver_tx'], '$a')")
if [[ $qtx == null ]]; then
	ktap_skip "TX queues add up to the driver TX count" "$drv exports no per-queue TX packet counters"
else
	check_eq "TX queues add up to the driver TX count" "$np_tx" "$qtx"
fi

# Hard IRQs of A's own vectors (named after $a or its PCI address): every
# reply came in through one; their exact number depends on interrupt
# moderation, so only > 0.
ktap_diag "RX vectors: $(q "' '.join('%s=%s' % (i['label'], i['value']) for i in rx['hard_irq_rx']['per_queue'])")"
check_gt0 "hard IRQs on $a's RX vectors" "$(q "sum(i['value'] or 0 for i in rx['hard_irq_rx']['per_queue'] if i.get('iface') == '$a') if rx['hard_irq_rx']['per_queue'] else None")"
# TX completions are signalled by interrupt too (igb: its own tx vectors;
# rigb: the TxRx vectors).
check_gt0 "TX completion IRQs on $a's TX vectors" "$(q "sum(i['value'] or 0 for i in tx['tx_completion_irq']['per_queue'] if i.get('iface') == '$a') if tx['tx_completion_irq']['per_queue'] else None")"
others=$(q "[i['label'] for i in rx['hard_irq_rx']['per_queue'] + tx['tx_completion_irq']['per_queue'] if i.get('iface') != '$a']")
ktap_eq "IRQ stages list only $a's vectors" "[]" "$others"
check_gt0 "softirq NET_RX ran" "$(q "total(rx['softirq_net_rx'])")"
# softnet processed is per CPU for all devices (B's receives in the other
# namespace too): each echo reply is one skb, ICMP is never GRO-merged.
check_ge "softnet processed covers $a's packets" "$(q "total(rx['napi_softnet'])")" "${np_rx:-0}"

# ICMP: exact. The root namespace sends echo requests only from this ping.
check_eq "Icmp OutEchos (send path, transport stage)" $N "$(q "detail(tx['transport_tx'], 'Icmp OutEchos')")"
check_eq "Icmp InEchoReps (receive path, transport stage)" $N "$(q "detail(rx['transport_rx'], 'Icmp InEchoReps')")"
# IP: >=, the root namespace's IPv4 counters also see anything on lo.
check_ge "IP receive (Ip InReceives)" "$(q "total(rx['ip_rx'])")" $N
check_ge "IP send (Ip OutRequests)" "$(q "total(tx['ip_tx'])")" $N
check_ge "TCP/UDP/ICMP stages, both directions" "$(q "min(total(rx['transport_rx']), total(tx['transport_tx']))")" $N

# A lossless flood: no loss counter of A moved (sysfs or driver).
lost=$(q "['%s=%s' % (l['counter_name'], l['value']) for l in r['losses'] if l['source'].endswith(' $a')]")
ktap_eq "no loss counter of $a moved" "[]" "$lost"

teardown_pair
dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
