#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# TX watchdog and reset task (ndo_tx_timeout): stall port A's transmitter
# from user space (TCTL.EN cleared through BAR0 in sysfs, behind rigb's
# back), keep sending so that the TX queue stops, and check that the core's
# watchdog calls rigb's tx_timeout, that the reset task (workqueue, RTNL)
# restarts the port with fresh rings (TCTL.EN set again), that both the
# core's per-queue counter and rigb's tx_timeout_count moved, and that
# traffic passes again. Port B is on the C igb driver.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"
REGPOKE=$here/../lib/regpoke.py
TCTL=0x400 TCTL_EN=0x2

ktap_plan 8
dmesg_mark
start_pair rigb igb

timeouts_core() { cat /sys/class/net/"$a"/queues/tx-*/tx_timeout | awk '{s += $1} END {print s + 0}'; }
timeouts_drv() { $ETHTOOL -S "$a" | awk '$1 == "tx_timeout_count:" {print $2}'; }
t0=$(timeouts_core) d0=$(timeouts_drv)
ktap_eq "no TX timeout yet (core per-queue counters, rigb tx_timeout_count)" "0 0" "$t0 $d0"

# The pings must reach the driver whatever the neighbour state: with TX stalled
# no ARP reply comes back, and once the entry has failed the stack stops handing
# them to the device, whose ring and BQL limit then never fill (no stop, no
# watchdog: once earlier traffic has grown the BQL limit, it may never fire).
# And the queue must stop: ping's small socket buffer lets only a few packets
# wait for their completion, fewer than the BQL limit that earlier traffic may
# have grown. A BQL limit of one byte stops the queue at the first packet; the
# limit follows limit_max only at a completion, hence the pings before the stall.
mac_b=$(nsx $PEER_NS cat /sys/class/net/"$b"/address)
$IP neigh replace $ADDR_B lladdr "$mac_b" dev "$a" nud permanent
for q in /sys/class/net/"$a"/queues/tx-*/byte_queue_limits; do
	[[ -w $q/limit_max ]] && echo 1 >"$q/limit_max"
done
ping -q -c 20 -i 0.05 -W 1 $ADDR_B >/dev/null 2>&1

tctl=$(python3 "$REGPOKE" "${ports[0]}" clear $TCTL $TCTL_EN)
if [[ -n $tctl && $((tctl & TCTL_EN)) -eq 0 ]]; then
	ktap_ok "TCTL.EN cleared behind the driver (TCTL $tctl): transmission stalled"
else
	ktap_fail "TCTL.EN cleared through resource0 (TCTL '$tctl')"
fi

# The queue stops once BQL's limit or the ring is reached; the watchdog
# fires after watchdog_timeo (5 s) without progress, then the reset runs.
timeout 40 ping -q -i 0.02 -W 1 $ADDR_B >/dev/null 2>&1 &
pp=$!
fired="" done_=""
for ((i = 0; i < 80; i++)); do
	sleep 0.5
	fired=$(dmesg_new | grep -m1 "rigb.*TX queue [0-9]* timed out")
	done_=$(dmesg_new | grep -m1 "rigb.*$a: reset done")
	[[ -n $fired && -n $done_ ]] && break
done
kill $pp 2>/dev/null
wait $pp 2>/dev/null
ktap_diag "after $((i / 2)) s: ${fired:-no timeout logged}; ${done_:-no reset logged}"
if [[ -z $fired ]]; then
	# What the queues looked like: stopped by the driver or BQL, descriptors in flight.
	ktap_diag "$($ETHTOOL -S "$a" | grep -E 'tx_queue_[0-9]+_(packets|stopped|restarted|in_flight|dropped):')"
	for q in /sys/class/net/"$a"/queues/tx-*; do
		ktap_diag "${q##*/}: bql inflight $(cat "$q/byte_queue_limits/inflight" 2>/dev/null) limit $(cat "$q/byte_queue_limits/limit" 2>/dev/null) timeouts $(cat "$q/tx_timeout" 2>/dev/null)"
	done
	ktap_diag "$(ip -s neigh show dev "$a" 2>&1 | head -n 3)"
fi
[[ -n $fired ]] && ktap_ok "watchdog called rigb's tx_timeout" || ktap_fail "watchdog called rigb's tx_timeout (nothing logged in 40 s)"
[[ -n $done_ ]] && ktap_ok "reset task re-laid the rings (logged 'reset done')" || ktap_fail "reset task ran"

t1=$(timeouts_core) d1=$(timeouts_drv)
if [[ $t1 -ge 1 && $d1 -ge 1 && $d1 -le $t1 ]]; then
	ktap_ok "timeouts counted: core per-queue $t1, rigb tx_timeout_count $d1"
else
	ktap_fail "timeouts counted: core per-queue '$t1', rigb tx_timeout_count '$d1' (want >= 1, driver <= core)"
fi

# Back to the default (DQL_MAX_LIMIT) for the tests that follow.
for q in /sys/class/net/"$a"/queues/tx-*/byte_queue_limits; do
	[[ -w $q/limit_max ]] && echo 1879048192 >"$q/limit_max"
done
wait_link "$a" "" 10
tctl=$(python3 "$REGPOKE" "${ports[0]}" read $TCTL)
if [[ -n $tctl && $((tctl & TCTL_EN)) -ne 0 ]] && ping -q -c 20 -i 0.05 -W 2 $ADDR_B >/dev/null; then
	ktap_ok "after the reset TCTL.EN is set again (TCTL $tctl) and traffic passes"
else
	ktap_fail "after the reset: TCTL '$tctl', or traffic lost"
fi

teardown_pair
dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
