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
MAX_N=${FAULT_MAX_N:-400}
dbg=/sys/kernel/debug
ktap_plan 6
if [[ ! -d $dbg/failslab || ! -e /proc/self/fail-nth ]]; then
	for t in probe open resize refill traffic-after dmesg; do
		ktap_skip "fault injection: $t" "kernel without CONFIG_FAILSLAB/FAULT_INJECTION (run make check-debug)"
	done
	ktap_finish
fi
dmesg_mark

# Sleeping allocations too (the defaults ignore them), no per-call noise.
for f in failslab fail_page_alloc; do
	echo N >"$dbg/$f/ignore-gfp-wait"
	echo 0 >"$dbg/$f/verbose"
	echo -1 >"$dbg/$f/times"
	echo 0 >"$dbg/$f/probability"
done
echo N >"$dbg/fail_page_alloc/ignore-gfp-highmem"

mapfile -t ports < <(igb_ports)
load_driver igb && load_driver "$drv"
pci=${ports[0]}
points=0

# nth_loop NAME SETUP CMD UNDO: for n = 1.., run SETUP, then CMD with the
# n-th fault armed in a child shell, then UNDO. Stops at the first n where
# CMD succeeds without consuming the fault (no allocation left to fail).
nth_loop() {
	local name=$1 setup=$2 cmd=$3 undo=$4 n ok_runs=0 fail_runs=0 left
	for ((n = 1; n <= MAX_N; n++)); do
		eval "$setup" >/dev/null 2>&1
		# fail-nth counts down in the task that wrote it; reading it back
		# after the command tells whether the n-th allocation happened.
		left=$(bash -c "echo $n > /proc/self/fail-nth; $cmd >/dev/null 2>&1; echo \$? \$(cat /proc/self/fail-nth)")
		read -r rc rest <<<"$left"
		if [[ $rc -eq 0 ]]; then ok_runs=$((ok_runs + 1)); else fail_runs=$((fail_runs + 1)); fi
		eval "$undo" >/dev/null 2>&1
		# Fault not consumed: the command made fewer than n allocations.
		[[ ${rest:-0} -ne 0 && $rc -eq 0 ]] && break
	done
	points=$((points + n))
	echo "$name: $n injection points, $fail_runs failed cleanly, $ok_runs succeeded"
}

unbind() { [[ -n $(pci_driver "$pci") ]] && echo "$pci" >"/sys/bus/pci/drivers/$(pci_driver "$pci")/unbind"; }
bind_cmd="echo $pci > /sys/bus/pci/drivers/$drv/bind"
out=$(nth_loop probe "unbind" "$bind_cmd" "unbind")
ktap_diag "$out"
bind_port "$pci" "$drv" && a=$(pci_iface "$pci")
[[ -n ${a:-} ]] && ktap_ok "probe under fault injection, then a clean bind ($out)" ||
	ktap_fail "probe under fault injection: port did not bind afterwards"

out=$(nth_loop open "$IP link set $a down" "$IP link set $a up" "$IP link set $a down")
ktap_diag "$out"
ktap_check "open under fault injection, then up ($out)" $IP link set "$a" up

out=$(nth_loop resize "$ETHTOOL -G $a rx 256 tx 256" "$ETHTOOL -G $a rx 512 tx 512" "true")
ktap_diag "$out"
ktap_check "ring resize under fault injection, then resize works ($out)" $ETHTOOL -G "$a" rx 256 tx 256

# RX refill: random atomic allocation failures (GFP_ATOMIC does not sleep,
# so with ignore-gfp-wait=Y only those fail) while the peer floods us.
bind_port "${ports[1]}" igb
b=$(pci_iface "${ports[1]}")
setup_pair "$a" "$b"
for f in failslab fail_page_alloc; do
	echo Y >"$dbg/$f/ignore-gfp-wait"
	echo 1 >"$dbg/$f/interval"
	echo 20 >"$dbg/$f/probability"
done
nsx $PEER_NS ping -q -f -c 5000 -W 1 $ADDR_A >/dev/null 2>&1
for f in failslab fail_page_alloc; do echo 0 >"$dbg/$f/probability"; done
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
