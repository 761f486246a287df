#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault injection (debug kernel: CONFIG_FAULT_INJECTION, FAILSLAB,
# FAIL_PAGE_ALLOC). Fail the n-th allocation of one task, n = 1, 2, ...,
# during probe (bind), open (link up) and ring resize (ethtool -G), until the
# operation succeeds with no fault left to inject; then fail atomic
# allocations at random during a flood, which hits RX refill in NAPI. Every
# failure must be a clean error or a counted drop: no oops, no WARN, no leak
# (run-suite.sh scans kmemleak after the program), and the port must work
# afterwards. Skips on a kernel without fault injection.
#   fault_inject.sh DRIVER
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"

drv=${1:?driver}
MAX_N=${FAULT_MAX_N:-150}
dbg=/sys/kernel/debug
ktap_plan 6
if [[ ! -d $dbg/failslab || ! -e /proc/self/fail-nth ]]; then
	for t in probe open resize refill traffic-after dmesg; do
		ktap_skip "fault injection: $t" "kernel without CONFIG_FAILSLAB/FAULT_INJECTION (run make check-debug)"
	done
	ktap_finish
fi
dmesg_mark

# fail-nth (below) needs the fault attributes to accept sleeping
# allocations too (the defaults ignore them); probability 0: nothing fails
# unless armed.
for f in failslab fail_page_alloc; do
	echo N >"$dbg/$f/ignore-gfp-wait"
	echo 0 >"$dbg/$f/verbose"
	echo -1 >"$dbg/$f/times"
	echo 0 >"$dbg/$f/probability"
done
echo N >"$dbg/fail_page_alloc/ignore-gfp-highmem"

mapfile -t ports < <(igb_ports)
load_driver igb && load_driver "$drv"

# Aim the faults at the driver: only allocations with one of the driver's
# functions on the stack may fail (require-*), and none made inside the PCI
# MSI and ACPI core (reject-*: drivers/pci/msi/ is linked after the rest of
# drivers/pci, whose pci_device_probe() is on every probe's stack, and is
# followed by drivers/acpi, up to drivers/pnp). 6.12.95's error paths there are not
# fault-safe — an injected failure inside acpi_pci_irq_enable() corrupts the
# ACPI namespace (KASAN use-after-free at the next _PRT evaluation) and one
# in msix_capability_init() WARNs in iounmap — so failing them tests the
# core, not the driver. Needs CONFIG_FAULT_INJECTION_STACKTRACE_FILTER.
ksym() { awk -v s="$1" '$3 == s {print $1; exit}' /proc/kallsyms; }
mod_lo=$(awk -v m="[$drv]" '$4 == m && $2 ~ /^[tT]$/ {print $1}' /proc/kallsyms | sort | head -n1)
mod_hi=$(awk -v m="[$drv]" '$4 == m && $2 ~ /^[tT]$/ {print $1}' /proc/kallsyms | sort | tail -n1)
rej_lo=$(ksym pci_msi_init)
rej_hi=$(awk '$2 ~ /^[tT]$/ && $3 ~ /^pnp_/ && $4 == "" {print $1}' /proc/kallsyms | sort | head -n1)
if [[ -e $dbg/failslab/require-start && -n $mod_lo && -n $rej_lo && -n $rej_hi ]]; then
	for f in failslab fail_page_alloc; do
		# printf %u: kernel addresses do not fit bash's signed arithmetic.
		printf '%u\n' $((16#$mod_lo)) >"$dbg/$f/require-start"
		# The last function's size is unknown: 64 KiB past its start.
		printf '%u\n' $((16#$mod_hi + 65536)) >"$dbg/$f/require-end"
		printf '%u\n' $((16#$rej_lo)) >"$dbg/$f/reject-start"
		printf '%u\n' $((16#$rej_hi)) >"$dbg/$f/reject-end"
		echo 32 >"$dbg/$f/stacktrace-depth"
	done
	ktap_diag "faults only under $drv (0x$mod_lo..), never inside PCI MSI/ACPI core (0x$rej_lo..0x$rej_hi)"
else
	ktap_diag "no stacktrace filter (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER) or symbols: faults hit any allocation"
fi
pci=${ports[0]}
points=0

# inject NAME ARGS...: lib/fault_nth.py fails the n-th allocation of one
# operation for n = 1, 2, ... (see there); prints its tally. Runs in $(...):
# count() adds the tally to $points in the caller.
inject() {
	local name=$1 res
	shift
	res=$(python3 "$here/fault_nth.py" "$@" 2>&1)
	read -r n nfail nok <<<"$res"
	if [[ ! $n =~ ^[0-9]+$ ]]; then
		echo "$name: injection failed: $res"
		return 1
	fi
	echo "$name: $n injection points, $nfail failed cleanly, $nok succeeded"
}
count() {
	local n
	for n in $(grep -oE '[0-9]+ injection points' <<<"$1" | cut -d' ' -f1); do
		points=$((points + n))
	done
}

unbind() { [[ -n $(pci_driver "$pci") ]] && echo "$pci" >"/sys/bus/pci/drivers/$(pci_driver "$pci")/unbind"; }
unbind
echo "$drv" >"/sys/bus/pci/devices/$pci/driver_override"
out=$(inject probe bind "$pci" "$drv" "$MAX_N")
count "$out"
ktap_diag "$out"
# Every probe above sent udev an add and a remove event; on a debug kernel
# it takes minutes to work through them, and its rename of ethN would pull
# the interface away from under the next steps: wait for it first.
command -v udevadm >/dev/null && udevadm settle -t 600 >/dev/null 2>&1
bind_port "$pci" "$drv" && a=$(pci_iface "$pci")
[[ -n ${a:-} && $out != *failed:* ]] && ktap_ok "probe under fault injection, then a clean bind ($out)" ||
	ktap_fail "probe under fault injection: $out; port bound afterwards: ${a:-no}"

$IP link set "$a" down
out=$(inject open up "$a" "$MAX_N")
count "$out"
ktap_diag "$out"
[[ $out != *failed:* ]] && ktap_check "open under fault injection, then up ($out)" $IP link set "$a" up ||
	ktap_fail "open under fault injection: $out"

# A driver may refuse a resize while up (EBUSY; rigb resizes while up): then
# resize while down, where the new rings are allocated by the next open.
if ! $ETHTOOL -G "$a" rx 512 tx 512 2>/dev/null; then
	$IP link set "$a" down
	resize_down=1
fi
$ETHTOOL -G "$a" rx 256 tx 256 2>/dev/null
out=$(inject resize ring "$a" "$MAX_N")
count "$out"
ktap_diag "$out"
if [[ ${resize_down:-0} == 1 ]]; then
	out2=$(inject open-after-resize up "$a" "$MAX_N")
	count "$out2"
	ktap_diag "$out2"
	out="$out; $out2"
fi
[[ $out != *failed:* ]] && ktap_check "ring resize under fault injection, then resize works ($out)" $ETHTOOL -G "$a" rx 256 tx 256 ||
	ktap_fail "ring resize under fault injection: $out"

# RX refill: random atomic allocation failures (GFP_ATOMIC does not sleep,
# so with ignore-gfp-wait=Y only those fail) while the peer floods us.
# The reject range above guards the PCI MSI/ACPI core's probe paths; here it
# would veto most faults: NAPI often runs on the interrupt that woke an idle
# CPU, and that stack goes on into acpi_idle_enter() (drivers/acpi), within
# the frames looked at (with the range in place, runs count 0 failures). The
# failing allocation is still required to come from under the driver.
for f in failslab fail_page_alloc; do
	[[ -e $dbg/$f/reject-start ]] || continue
	echo 0 >"$dbg/$f/reject-start"
	echo 0 >"$dbg/$f/reject-end"
done
bind_port "${ports[1]}" igb
b=$(pci_iface "${ports[1]}")
setup_pair "$a" "$b"
# The flood runs already when injection starts, and nothing forks while it
# is on: fault_nth.py sets the probability, sleeps, and clears it.
# A flood of small frames makes almost no allocation calls (they are copied,
# their buffers reused; the NAPI skb and page-fragment caches refill in bulk),
# and fail_page_alloc spares single pages unless min-order is 0: runs counted
# 0 failures. So the frames are full-size, a packet socket holds them unread
# (their pages stay with the stack: every refill needs new ones), and
# fault_nth.py sets min-order 0 while it injects.
python3 "$here/fault_nth.py" hold "$a" 16 &
sleep 1
nsx $PEER_NS ping -q -f -s 1400 -w 14 $ADDR_A >/dev/null 2>&1 &
sleep 1
python3 "$here/fault_nth.py" random 10 25
wait
refill_fail=$($ETHTOOL -S "$a" 2>/dev/null | awk '/(alloc|refill)_fail/ {s += $2} END {print s + 0}')
points=$((points + 1))
ktap_diag "refill: driver counted $refill_fail allocation/refill failures"
[[ $refill_fail -gt 0 || $drv == igb ]] && ktap_ok "RX refill under random atomic allocation failures: counted ($refill_fail)" ||
	ktap_fail "RX refill under allocation failures: no failure counted"
ktap_check "traffic passes after fault injection" ping -q -c 5 -i 0.1 -W 2 $ADDR_B
ktap_diag "fault injection summary: $points injection points tried"
teardown_pair
dmesg_clean_since "no WARN/BUG/oops/KASAN/lockdep report in dmesg"
ktap_finish
