#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Unbinding rigb from a port (sysfs, without unloading the module) while
# both directions flood, on both ports in turn: the device's teardown runs
# with handlers, NAPI polls and transmits in flight; rebinding gives a
# working pair again, and dmesg stays clean (KASAN, kmemleak and lockdep on
# the debug kernel of make check-debug).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"

ktap_plan 7
dmesg_mark
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; teardown_pair' EXIT
start_pair rigb rigb
for i in 0 1; do
	ping -q -f -w 20 $ADDR_B >/dev/null 2>&1 &
	nsx $PEER_NS ping -q -f -w 20 $ADDR_A >/dev/null 2>&1 &
	sleep 2
	ktap_check "unbind port $i from rigb during a two-way flood" \
		bash -c "echo ${ports[$i]} >/sys/bus/pci/drivers/rigb/unbind"
	kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	teardown_pair
	if bind_port "${ports[$i]}" rigb; then
		# Port B comes back from the deleted namespace asynchronously.
		for ((t = 0; t < 40; t++)); do
			a=$(pci_iface "${ports[0]}") b=$(pci_iface "${ports[1]}")
			[[ -n $a && -n $b ]] && break
			sleep 0.5
		done
		if setup_pair "$a" "$b" && ping -q -c 3 -i 0.2 -w 15 $ADDR_B >/dev/null 2>&1; then
			ktap_ok "port $i bound again, traffic passes"
		else
			ktap_fail "port $i bound again, traffic passes"
		fi
	else
		ktap_fail "port $i bound again, traffic passes (bind failed)"
	fi
done
ktap_eq "no rigb queue needed the reset fallback" "" "$(dmesg_new | grep -m1 'queues did not stop')"
dmesg_clean_since
ktap_finish
