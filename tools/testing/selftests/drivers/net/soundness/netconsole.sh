#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# netconsole over rigb: netpoll transmits through rigb with interrupts off,
# from any context, and polls its NAPI instances with a budget of 0 (rigb
# then takes none of its ring locks, which process context holds with only
# bottom halves off). A message written to /dev/kmsg (process context) and
# rigb's own "link up" message, logged by its other-cause interrupt handler
# (hard-IRQ context) after `ethtool -r` restarted autonegotiation, both arrive at a UDP
# receiver in the peer namespace; dmesg stays clean (lockdep on the debug
# kernel of make check-debug).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"
PORT=6666

ktap_plan 6
dmesg_mark
out=$(mktemp)
old_level=$(awk '{print $1}' /proc/sys/kernel/printk)
cleanup() {
	[[ -n ${rp:-} ]] && kill "$rp" 2>/dev/null
	wait 2>/dev/null
	grep -q '^netconsole ' /proc/modules && rmmod netconsole
	echo "$old_level" >/proc/sys/kernel/printk
	teardown_pair
	rm -f "$out"
	true
}
trap cleanup EXIT
start_pair rigb igb
mac_b=$(nsx $PEER_NS cat /sys/class/net/"$b"/address)
nsx $PEER_NS timeout 120 socat -u UDP4-RECV:$PORT - >"$out" &
rp=$!
sleep 0.5
# A new console replays the whole log at the console level: keep that to the
# emergencies (netpoll would take long under TCG to send the boot log), then let
# every level through.
echo 1 >/proc/sys/kernel/printk
ktap_check "netconsole loaded on $a (to $ADDR_B:$PORT)" \
	modprobe netconsole netconsole="6665@$ADDR_A/$a,$PORT@$ADDR_B/$mac_b"
echo 8 >/proc/sys/kernel/printk
# arrived PATTERN: the receiver got a line matching PATTERN within 5 s.
arrived() {
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q "$1" "$out" && return 0
		sleep 0.1
	done
	return 1
}
# netconsole is UDP and does not retransmit: under TCG the C igb peer has lost
# the odd frame. Each message is tried up to three times.
probe() {
	local i
	for i in 1 2 3; do
		echo "<4>rigb-netconsole-probe $i" >/dev/kmsg
		arrived "rigb-netconsole-probe" && return 0
	done
	return 1
}
# `ethtool -r` restarts autonegotiation on rigb's port: the link drops and comes
# back, and rigb's other-cause interrupt handler logs both.
link_up_logged() {
	local i
	for i in 1 2 3; do
		$ETHTOOL -r "$a"
		sleep 1
		wait_link "$a" "" 15
		arrived "rigb .*: link up" && return 0
	done
	return 1
}
if probe; then
	ktap_ok "a message from process context arrived"
else
	ktap_fail "a message from process context arrived (received: $(head -c 200 "$out" | tr '\n' '|'))"
fi
if link_up_logged; then
	ktap_ok "rigb's link-up message (logged in its hard-IRQ handler) arrived"
else
	ktap_fail "rigb's link-up message arrived (received: $(tr '\n' '|' <"$out" | tail -c 300))"
fi
ktap_check "netconsole removed" rmmod netconsole
dmesg_clean_since
ktap_finish
