#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# netpath on the loopback device (the book's chapter 5): a packet sent to
# 127.0.0.1 goes through loopback_xmit straight into the receive backlog
# (netif_rx, NET_RX softirq, process_backlog) and never touches a NIC, so
# netpath must count it at lo, softnet, IP and the transport layer, and
# show no hard IRQ at all.
#  1. ping -c 200 127.0.0.1: 200 echo requests and 200 replies, each
#     sent and received on lo (400 packets each way);
#  2. 500 UDP datagrams from one local socket to another.
. "$(dirname "$0")/lib.sh"

N_PING=200
N_UDP=500
ktap_plan 21
dmesg_mark

if [[ -x $NETPATH ]]; then
	ktap_ok "netpath binary present ($NETPATH)"
else
	ktap_fail "netpath binary present: no $NETPATH (run 'make tools' on the host)"
	ktap_finish
fi
$IP link set lo up
ktap_check "lo is up" grep -q 1 /sys/class/net/lo/carrier

# No device's IRQ is named after lo; checked here on /proc/interrupts
# itself, so that netpath's empty IRQ stage below means something.
if grep -qwE 'lo' <(awk 'NR > 1 { print $NF }' /proc/interrupts); then
	ktap_fail "no IRQ vector named lo in /proc/interrupts"
else
	ktap_ok "no IRQ vector named lo in /proc/interrupts"
fi

# --- 1. ping ---------------------------------------------------------------
J=$NP_TMP/lo_ping
rx0=$(ifstat lo rx_packets) tx0=$(ifstat lo tx_packets)
np_run "$J" -i lo -- ping -q -c $N_PING -i 0.002 -W 2 127.0.0.1
rc=$?
rx1=$(ifstat lo rx_packets) tx1=$(ifstat lo tx_packets)
ktap_diag "sysfs lo: rx +$((rx1 - rx0)) tx +$((tx1 - tx0)); report in $J.json"
if [[ $rc -eq 0 ]] && np_valid "$J.json" >/dev/null &&
	grep -q "^$N_PING packets transmitted, $N_PING received" "$J.txt"; then
	ktap_ok "netpath run -- ping -c $N_PING 127.0.0.1: exit 0, JSON report"
else
	ktap_fail "netpath run -- ping -c $N_PING 127.0.0.1 (exit $rc)"
	sed 's/^/#   /' "$J.txt" "$J.err" | head -n 20
fi
J=$J.json
q() { np_q "$J" "$1" 2>/dev/null || echo error; }

np_rx=$(q "iface(rx['nic_rx'], 'lo')")
np_tx=$(q "iface(tx['driver_tx'], 'lo')")
check_eq "lo RX equals the sysfs rx_packets change" $((rx1 - rx0)) "$np_rx"
# >=: requests and replies both cross lo; anything else local adds to it.
check_ge "lo RX counts requests and replies" "$np_rx" $((2 * N_PING))
# loopback_xmit counts one packet for both directions: always equal.
check_eq "lo TX equals lo RX (what lo sends, it receives)" "$np_rx" "$np_tx"
irq=$(q "(total(rx['hard_irq_rx']) or 0, len(rx['hard_irq_rx']['per_queue']), total(tx['tx_completion_irq']) or 0, len(tx['tx_completion_irq']['per_queue']))")
ktap_eq "no hard IRQ on lo: RX and TX completion IRQ stages are empty (count, vectors)" "(0, 0, 0, 0)" "$irq"
check_gt0 "softirq NET_RX ran (process_backlog)" "$(q "total(rx['softirq_net_rx'])")"
# Every packet lo receives is queued to the backlog and processed once.
check_ge "softnet processed counts lo's packets" "$(q "total(rx['napi_softnet'])")" "${np_rx:-0}"
icmp=$(q "(detail(tx['transport_tx'], 'Icmp OutEchos'), detail(rx['transport_rx'], 'Icmp InEchos'), detail(tx['transport_tx'], 'Icmp OutEchoReps'), detail(rx['transport_rx'], 'Icmp InEchoReps'))")
ktap_eq "ICMP: OutEchos, InEchos, OutEchoReps, InEchoReps" "($N_PING, $N_PING, $N_PING, $N_PING)" "$icmp"
check_ge "IP receive counts requests and replies" "$(q "total(rx['ip_rx'])")" $((2 * N_PING))
check_ge "IP send counts requests and replies" "$(q "total(tx['ip_tx'])")" $((2 * N_PING))

# --- 2. UDP ----------------------------------------------------------------
J=$NP_TMP/lo_udp
rx0=$(ifstat lo rx_packets)
np_run "$J" -i lo -- python3 -c '
import socket, sys
n = int(sys.argv[1])
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind(("127.0.0.1", 0))
rx.settimeout(5)
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(n):
    tx.sendto(bytes([i % 256]) * 64, rx.getsockname())
    assert len(rx.recv(2048)) == 64
print("udp: %d sent and received" % n)
' $N_UDP
rc=$?
rx1=$(ifstat lo rx_packets)
if [[ $rc -eq 0 ]] && np_valid "$J.json" >/dev/null && grep -q "^udp: $N_UDP sent and received" "$J.txt"; then
	ktap_ok "netpath run -- $N_UDP UDP datagrams over 127.0.0.1: exit 0, JSON report"
else
	ktap_fail "netpath run -- $N_UDP UDP datagrams (exit $rc)"
	sed 's/^/#   /' "$J.txt" "$J.err" | head -n 20
fi
J=$J.json
np_rx=$(q "iface(rx['nic_rx'], 'lo')")
check_eq "lo RX equals the sysfs rx_packets change" $((rx1 - rx0)) "$np_rx"
check_ge "lo RX counts the datagrams" "$np_rx" $N_UDP
# Exact: nothing else in the VM speaks UDP.
check_eq "Udp OutDatagrams (send path, transport stage)" $N_UDP "$(q "detail(tx['transport_tx'], 'Udp OutDatagrams')")"
check_eq "Udp InDatagrams (receive path, transport stage)" $N_UDP "$(q "detail(rx['transport_rx'], 'Udp InDatagrams')")"
check_ge "softnet processed counts the datagrams" "$(q "total(rx['napi_softnet'])")" $N_UDP
ktap_eq "no hard IRQ on lo for UDP either (count, vectors)" "(0, 0)" "$(q "(total(rx['hard_irq_rx']) or 0, len(rx['hard_irq_rx']['per_queue']))")"

dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
