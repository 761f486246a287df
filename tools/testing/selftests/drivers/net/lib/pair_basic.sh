#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The basic two-port check, shared by the C igb reference suite and the rigb
# suites: bind port A to $1 and port B to $2, check MSI-X and link, move B to
# a namespace, ping both ways with several sizes (IPv4 and IPv6) and a
# flood, and check that what each end sent is what the other received.
#   pair_basic.sh DRIVER_A DRIVER_B
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"

drv_a=${1:?driver for port A} drv_b=${2:?driver for port B}
SIZES=(0 1 56 512 1000 1400 1472)
ktap_plan 14
dmesg_mark

mapfile -t ports < <(igb_ports)
if [[ ${#ports[@]} -ne 2 ]]; then
	ktap_fail "two igb ports present (found ${#ports[@]})"
	ktap_finish
fi
ktap_ok "two igb ports present: ${ports[*]}"

load_driver "$drv_a" && load_driver "$drv_b"
bind_port "${ports[0]}" "$drv_a" && bind_port "${ports[1]}" "$drv_b"
ktap_eq "port A bound to $drv_a" "$drv_a" "$(pci_driver "${ports[0]}")"
ktap_eq "port B bound to $drv_b" "$drv_b" "$(pci_driver "${ports[1]}")"
a=$(pci_iface "${ports[0]}") b=$(pci_iface "${ports[1]}")
ktap_diag "A=$a (${ports[0]}, $drv_a)  B=$b (${ports[1]}, $drv_b)"

# MSI-X: the PCI core lists each allocated vector under msi_irqs/ with mode
# "msix"; a NIC driver needs at least one queue vector and one other-cause.
msix_count() { grep -l msix /sys/bus/pci/devices/"$1"/msi_irqs/* 2>/dev/null | wc -l; }
na=$(msix_count "${ports[0]}") nb=$(msix_count "${ports[1]}")
if [[ $na -ge 2 && $nb -ge 2 ]]; then
	ktap_ok "MSI-X vectors allocated (A: $na, B: $nb)"
else
	ktap_fail "MSI-X vectors allocated (A: $na, B: $nb, want >= 2 each)"
fi

setup_pair "$a" "$b"
ktap_eq "link up on A" 1 "$(cat /sys/class/net/"$a"/carrier 2>/dev/null)"
ktap_eq "link up on B (in netns)" 1 "$(nsx $PEER_NS cat /sys/class/net/"$b"/carrier 2>/dev/null)"

snap() {
	echo "$(ifstat "$a" tx_packets) $(ifstat "$a" rx_packets) $(ifstat "$b" tx_packets $PEER_NS) $(ifstat "$b" rx_packets $PEER_NS)"
}
# settle: wait until no counter moved for 2 s (IPv6 DAD and MLD reports go
# out after link up; MLD reports go to ff02::16, which the other end's
# multicast filter drops without counting), 15 s at most.
settle() {
	local prev="" cur i
	for ((i = 0; i < 15; i++)); do
		cur=$(snap)
		[[ $cur == "$prev" ]] && break
		prev=$cur
		sleep 2
	done
	echo "$cur"
}
read -r _ < <(settle)
read -r a_tx0 a_rx0 b_tx0 b_rx0 < <(snap)

ping_sizes() {
	local ns=$1 dst=$2 s
	for s in "${SIZES[@]}"; do
		nsx "$ns" ping -q -c 3 -i 0.05 -W 2 -s "$s" "$dst" >/dev/null || { echo "size $s failed"; return 1; }
	done
}
ktap_check "ping A -> B, payload ${SIZES[*]}" ping_sizes "" $ADDR_B
ktap_check "ping B -> A, payload ${SIZES[*]}" ping_sizes $PEER_NS $ADDR_A
ktap_check "ping6 A -> B" ping -6 -q -c 3 -i 0.05 -W 2 $ADDR6_B
ktap_check "ping6 B -> A" nsx $PEER_NS ping -6 -q -c 3 -i 0.05 -W 2 $ADDR6_A

flood_out=$(ping -q -f -c 1000 -W 2 $ADDR_B 2>&1)
if grep -q ' 0% packet loss' <<<"$flood_out"; then
	ktap_ok "flood ping A -> B, 1000 packets, no loss"
else
	ktap_fail "flood ping A -> B, 1000 packets, no loss"
	ktap_diag "$flood_out"
fi

# Wait until the counters stop moving, then compare both directions.
read -r a_tx1 a_rx1 b_tx1 b_rx1 < <(settle)
sent_ab=$((a_tx1 - a_tx0)) got_ab=$((b_rx1 - b_rx0))
sent_ba=$((b_tx1 - b_tx0)) got_ba=$((a_rx1 - a_rx0))
ktap_diag "A->B sent $sent_ab received $got_ab; B->A sent $sent_ba received $got_ba"
# 2 x 7 sizes x 3 pings + 2 x 3 ping6 + 1000 flood, each an echo and a reply.
min=$((2 * 7 * 3 + 2 * 3 + 1000))
if [[ $sent_ab -eq $got_ab && $sent_ab -ge $min ]]; then
	ktap_ok "counters agree A->B ($sent_ab packets)"
else
	ktap_fail "counters agree A->B: sent $sent_ab, received $got_ab (want equal, >= $min)"
fi
if [[ $sent_ba -eq $got_ba && $sent_ba -ge $min ]]; then
	ktap_ok "counters agree B->A ($sent_ba packets)"
else
	ktap_fail "counters agree B->A: sent $sent_ba, received $got_ba (want equal, >= $min)"
fi

teardown_pair
dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
