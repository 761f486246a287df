#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Power management and PCIe error recovery, rigb and the C igb driver in the
# same boot: port A on rigb, port B (in the namespace) on igb, so one system
# sleep cycle runs both drivers' suspend and resume, and each AER injection
# targets one driver's port.
#
# 1. System sleep through /sys/power/pm_test at the "platform" level: every
#    device goes through suspend and suspend_noirq (the PCI core saves the
#    config space and puts the port into D3hot) and back, without a wake
#    source. Both links come back; N pings cross the wire with exact counts.
#    Skipped in the project's VM (9p root, see below) and on kernels without
#    CONFIG_PM_DEBUG.
# 2. For each port, through the kernel's AER injector (inject below):
#    a correctable error (receiver error): counted in aer_dev_correctable,
#    no driver callback; an uncorrectable non-fatal error (completion
#    timeout): error_detected(normal) answers "can recover", then resume;
#    an uncorrectable fatal error (data link protocol error): error_detected
#    (frozen) stops the port, the root port resets its link, slot_reset
#    restores and re-initialises, resume reopens. After each, N pings with
#    exact counts on both ends.
# IPv6 is off on both ports and the neighbour entries are static, so the
# pings are the only frames on the wire.
here=$(dirname "$0")
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"

N=20
ktap_plan 35
start_pair rigb igb
pa=${ports[0]} pb=${ports[1]}
dmesg_mark
sysctl -qw net.ipv6.conf."$a".disable_ipv6=1
nsx $PEER_NS sysctl -qw net.ipv6.conf."$b".disable_ipv6=1
$IP neigh replace $ADDR_B lladdr "$(nsx $PEER_NS cat /sys/class/net/"$b"/address)" dev "$a" nud permanent
nsx $PEER_NS $IP neigh replace $ADDR_A lladdr "$(cat /sys/class/net/"$a"/address)" dev "$b" nud permanent

snap() {
	echo "$(cat /sys/class/net/"$a"/statistics/{tx,rx}_packets)" \
		"$(nsx $PEER_NS cat /sys/class/net/"$b"/statistics/{tx,rx}_packets)"
}
# exact_pings WHAT: N pings A -> B; every counter on the way moved by N.
exact_pings() {
	local what=$1 a_tx0 a_rx0 b_tx0 b_rx0 a_tx1 a_rx1 b_tx1 b_rx1 out
	read -r a_tx0 a_rx0 b_tx0 b_rx0 < <(snap | xargs)
	# -w: wait for all N replies (up to 10 s), however slow the first after a
	# reset is; -W would give up on late replies after two round trips.
	out=$(ping -q -c $N -i 0.02 -w 10 $ADDR_B 2>&1)
	read -r a_tx1 a_rx1 b_tx1 b_rx1 < <(snap | xargs)
	local got="$((a_tx1 - a_tx0)) $((b_rx1 - b_rx0)) $((b_tx1 - b_tx0)) $((a_rx1 - a_rx0))"
	if [[ $got == "$N $N $N $N" ]] && grep -q " 0% packet loss" <<<"$out"; then
		ktap_ok "$what: $N pings, A tx = B rx = B tx = A rx = $N"
	else
		ktap_fail "$what: $N pings, want A tx, B rx, B tx, A rx = $N, got $got"
		ktap_diag "$(tail -n2 <<<"$out")"
		ktap_diag "$($IP -s link show dev "$a" | tail -n4)"
		ktap_diag "$(nsx $PEER_NS $IP -s link show dev "$b" | tail -n4)"
		ktap_diag "$(nsx $PEER_NS $ETHTOOL -S "$b" | grep -E ' (rx|tx)_packets')"
	fi
}
# logged WHAT REGEX: a line matching REGEX was logged since the mark (waits
# up to 10 s for it).
logged() {
	local i
	for ((i = 0; i < 50; i++)); do
		dmesg_new | grep -qE "$2" && break
		sleep 0.2
	done
	if dmesg_new | grep -qE "$2"; then
		ktap_ok "$1"
	else
		ktap_fail "$1: no line matching '$2'"
		dmesg_new | tail -n 15 | sed 's/^/#   /'
	fi
}
# not_logged WHAT REGEX
not_logged() {
	if dmesg_new | grep -qE "$2"; then
		ktap_fail "$1: logged '$(dmesg_new | grep -E "$2" | head -n1)'"
	else
		ktap_ok "$1"
	fi
}
links_back() {
	wait_link "$a" "" 20 && wait_link "$b" $PEER_NS 20
}

exact_pings "before sleep"
ktap_diag "sleep cycle ($SECONDS s into the test)"

# --- System sleep -----------------------------------------------------------
mark=$DMESG_MARK
dmesg_mark
# The VM's root filesystem is 9p over virtio-pci, whose transport has no
# freeze/restore: any sleep cycle resets that virtio device and every later
# file access hangs (tried: s2idle woken by the RTC alarm, and pm_test at
# the devices and platform levels; the guest never returned to user space).
rootfs=$(findmnt -n -o FSTYPE / 2>/dev/null)
if [[ $rootfs != 9p && -e /sys/power/pm_test ]] && grep -qw mem /sys/power/state; then
	# The "platform" test level: suspend, suspend_late and suspend_noirq
	# (where the PCI core saves the config space and puts each port into
	# D3hot), the platform's prepare, then a delay instead of sleeping, and
	# back up through every resume phase.
	echo platform >/sys/power/pm_test
	echo 1 >/sys/module/suspend/parameters/pm_test_delay
	echo mem >/sys/power/state
	ktap_eq "sleep cycle (pm_test=platform, echo mem > /sys/power/state)" 0 $?
	echo none >/sys/power/pm_test
	logged "PM core: suspend entry and exit" "PM: suspend exit"
	logged "rigb: suspend logged" "rigb $pa: $a: suspended"
	logged "rigb: resume logged" "rigb $pa: $a: resumed"
	# C igb logs nothing of its own at suspend; its resume reopens the port.
	logged "igb: link up again after resume" "igb $pb.*Link is Up"
	if links_back; then ktap_ok "both links back after resume"; else ktap_fail "both links back after resume"; fi
	exact_pings "after resume"
else
	for w in "sleep cycle" "PM core" "rigb suspend" "rigb resume" "igb resume" "links back" "after resume"; do
		ktap_skip "$w" "root filesystem $rootfs (9p: no virtio freeze/restore), or no /sys/power/pm_test (CONFIG_PM_DEBUG)"
	done
fi

# --- PCIe AER ---------------------------------------------------------------
aer_count() { awk -v k="$2" '$1 == k { print $2 }' "/sys/bus/pci/devices/$1/$3"; }
# le32 V: V as four little-endian bytes, printf escapes.
le32() { printf '\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
# inject BDF UNCOR COR: reports the AER Uncorrectable and Correctable Error
# Status bits UNCOR and COR on device BDF through the kernel's software
# injector: one struct aer_error_inj (drivers/pci/pcie/aer_inject.c) written
# to /dev/aer_inject: bus, device, function as bytes and a pad byte, then
# uncor_status, cor_status, four header log words and the domain as u32.
inject() {
	local dom=$((16#${1%%:*})) rest=${1#*:} bus dev fn rec
	bus=$((16#${rest%%:*})) rest=${rest#*:}
	dev=$((16#${rest%%.*})) fn=$((16#${rest#*.}))
	rec=$(printf '\\x%02x' $bus $dev $fn 0)$(le32 $2)$(le32 $3)$(le32 0)$(le32 0)$(le32 0)$(le32 0)$(le32 $dom)
	# One write(2) of the whole record: the injector takes nothing shorter.
	printf "$rec" | dd of=/dev/aer_inject iflag=fullblock bs=32 count=1 status=none 2>&1
}
# wait_count BDF KEY FILE WANT: poll an AER counter until it reads WANT (5 s).
wait_count() {
	local i v
	for ((i = 0; i < 25; i++)); do
		v=$(aer_count "$1" "$2" "$3")
		[[ $v == "$4" ]] && break
		sleep 0.2
	done
	echo "$v"
}
# The root port above BDF (its parent in sysfs).
root_port() { basename "$(dirname "$(readlink -f "/sys/bus/pci/devices/$1")")"; }

if ! modprobe aer_inject 2>/dev/null || [[ ! -e /dev/aer_inject ]]; then
	for ((i = KTAP_N; i < KTAP_PLANNED - 1; i++)); do ktap_skip "AER" "no aer_inject"; done
	dmesg_clean_since "no WARN/BUG/oops in dmesg"
	ktap_finish
fi

# aer_port DRIVER BDF: the three injections on one port.
aer_port() {
	local drv=$1 bdf=$2 ifc=$3 c0 c1 out rp i
	ktap_diag "$drv: AER on $bdf ($SECONDS s into the test)"
	# Correctable: the AER driver logs and clears it; no driver callback.
	dmesg_mark
	c0=$(aer_count "$bdf" RxErr aer_dev_correctable)
	if out=$(inject "$bdf" 0 0x1); then
		c1=$(wait_count "$bdf" RxErr aer_dev_correctable $((c0 + 1)))
		ktap_eq "$drv: correctable error counted (RxErr $c0 -> $((c0 + 1)))" $((c0 + 1)) "$c1"
	else
		ktap_fail "$drv: correctable error injected: $out"
	fi
	not_logged "$drv: no driver error handler for a correctable error" "error reported|frozen|slot reset|error recovery"
	exact_pings "$drv: after a correctable error"

	# Uncorrectable, non-fatal (completion timeout): error_detected(normal).
	dmesg_mark
	c0=$(aer_count "$bdf" TOTAL_ERR_NONFATAL aer_dev_nonfatal)
	if out=$(inject "$bdf" 0x4000 0); then
		c1=$(wait_count "$bdf" TOTAL_ERR_NONFATAL aer_dev_nonfatal $((c0 + 1)))
		ktap_eq "$drv: non-fatal error counted" $((c0 + 1)) "$c1"
	else
		ktap_fail "$drv: non-fatal error injected: $out"
	fi
	if [[ $drv == rigb ]]; then
		logged "rigb: error_detected(normal) ran" "rigb $bdf: $ifc: non-fatal uncorrectable error reported"
		logged "rigb: resume ran, nothing to restart" "rigb $bdf: $ifc: resuming after a non-fatal error"
	else
		logged "igb: error_detected(normal) ran" "igb $bdf: Non-correctable non-fatal error reported"
		logged "igb: recovery reported successful" "AER: device recovery successful"
	fi
	exact_pings "$drv: after a non-fatal error"

	# Uncorrectable, fatal (data link protocol error): link frozen, reset.
	dmesg_mark
	# The AER core does not read a fatal error's status from the device (its
	# link is taken as down: "type=Inaccessible"), so the device's own
	# aer_dev_fatal does not count it; the root port that received it does.
	rp=$(root_port "$bdf")
	c0=$(cat "/sys/bus/pci/devices/$rp/aer_rootport_total_err_fatal")
	if out=$(inject "$bdf" 0x10 0); then
		for ((i = 0; i < 25; i++)); do
			c1=$(cat "/sys/bus/pci/devices/$rp/aer_rootport_total_err_fatal")
			[[ $c1 == $((c0 + 1)) ]] && break
			sleep 0.2
		done
		ktap_eq "$drv: fatal error counted at root port $rp" $((c0 + 1)) "$c1"
	else
		ktap_fail "$drv: fatal error injected: $out"
	fi
	logged "$drv: recovery after the link reset reported successful" "AER: device recovery successful"
	if [[ $drv == rigb ]]; then
		logged "rigb: error_detected(frozen), slot_reset and resume ran" \
			"rigb $bdf: $ifc: traffic resumed after error recovery"
		if dmesg_new | grep -q "link frozen by an error" && dmesg_new | grep -q "reinitialised after the slot reset"; then
			ktap_ok "rigb: stopped for the reset and reinitialised after it"
		else
			ktap_fail "rigb: stopped for the reset and reinitialised after it"
		fi
	else
		logged "igb: link up again after the reset" "igb $bdf.*Link is Up"
	fi
	if links_back; then ktap_ok "$drv: both links back"; else ktap_fail "$drv: both links back"; fi
	exact_pings "$drv: after a fatal error and the link reset"
}

aer_port rigb "$pa" "$a"
aer_port igb "$pb" "$b"

DMESG_MARK=$mark
teardown_pair
dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
