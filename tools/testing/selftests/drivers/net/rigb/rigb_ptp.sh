#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The PTP hardware clock of rigb, and of C igb in the same boot: ethtool -T
# names it and /dev/ptpN exists; phc_ctl sets it (the next reading is within
# a few seconds of the value set), steps it (+100 s) and slews it: with
# frequency offsets of 0, +10 % and -5 % the clock runs at 1.00, 1.10 and
# 0.95 times CLOCK_MONOTONIC (within 2 %; QEMU derives SYSTIM from its
# virtual clock, the guest's monotonic clock from the same host time).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"

ktap_plan 15
dmesg_mark
ktap_require phc_ctl "PTP clock checks"

# clock_time DEV: the clock's time in seconds, as phc_ctl reads it.
clock_time() { phc_ctl "$1" get 2>/dev/null | awk '/clock time is/ {print $5; exit}'; }
# rate DEV: how fast the clock runs against CLOCK_MONOTONIC, over one second.
rate() {
	python3 - "$1" <<'EOF'
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
clk = ((~fd) << 3) | 3      # the dynamic POSIX clock of an open /dev/ptpN (FD_TO_CLOCKID)
def pair():
    m0 = time.monotonic()
    p = time.clock_gettime(clk)
    return p, (m0 + time.monotonic()) / 2
p0, m0 = pair()
time.sleep(1)
p1, m1 = pair()
print("%.4f" % ((p1 - p0) / (m1 - m0)))
EOF
}
# within X LO HI: LO <= X < HI.
within() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN {exit !(x != "" && x >= lo && x < hi)}'; }

for drv in rigb igb; do
	start_pair $drv $drv
	idx=$($ETHTOOL -T "$a" | awk -F': ' '/PTP Hardware Clock/ {print $2}')
	dev=/dev/ptp$idx
	if [[ $idx =~ ^[0-9]+$ && -c $dev ]]; then
		ktap_ok "$drv: ethtool -T names PTP hardware clock $idx ($dev)"
	else
		ktap_fail "$drv: ethtool -T names a PTP hardware clock (got '$idx')"
	fi

	phc_ctl "$dev" set 1000000000 >/dev/null 2>&1
	t1=$(clock_time "$dev")
	if within "$t1" 1000000000 1000000005; then
		ktap_ok "$drv: set to 1000000000 s, read back $t1"
	else
		ktap_fail "$drv: set to 1000000000 s, read back '$t1'"
	fi
	phc_ctl "$dev" adj 100 >/dev/null 2>&1
	t2=$(clock_time "$dev")
	d=$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.3f", b - a}')
	if within "$d" 100 105; then
		ktap_ok "$drv: stepped by +100 s: read $d s later"
	else
		ktap_fail "$drv: stepped by +100 s: read '$d' s later"
	fi

	r=()
	for ppb in 0 100000000 -50000000; do
		# "--": a negative offset is not an option.
		phc_ctl -- "$dev" freq $ppb >/dev/null 2>&1
		r+=("$(rate "$dev")")
	done
	phc_ctl "$dev" freq 0 >/dev/null 2>&1
	ktap_diag "$drv: rate at 0, +10 %, -5 %: ${r[*]}"
	within "${r[0]}" 0.98 1.02 && ktap_ok "$drv: nominal frequency: rate ${r[0]}" ||
		ktap_fail "$drv: nominal frequency: rate '${r[0]}'"
	within "${r[1]}" 1.08 1.12 && ktap_ok "$drv: +10 %: rate ${r[1]}" ||
		ktap_fail "$drv: +10 %: rate '${r[1]}'"
	within "${r[2]}" 0.93 0.97 && ktap_ok "$drv: -5 %: rate ${r[2]}" ||
		ktap_fail "$drv: -5 %: rate '${r[2]}'"
	teardown_pair
done

dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
