#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kernel's own driver selftests (tools/testing/selftests/drivers/net
# of the same 6.12 tree: ping.py, queues.py, stats.py) against a port bound to
# DRIVER, in the NetDrvEpEnv way: NETIF is port A, the "remote" is port B
# moved to a network namespace (REMOTE_TYPE=netns). Every upstream case must
# end as recorded in expected/<program>.txt — for igb this records what the
# C driver does; rigb must match it, except where expected/<driver>.diff
# names a case with the driver's own result and the reason it differs.
#   upstream.sh DRIVER
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"

drv=${1:?driver}
expected_dir=$here/../upstream/expected
ksft=${RIGB_KSRC:?RIGB_KSRC not set}/tools/testing/selftests/drivers/net
PROGS=(ping.py queues.py stats.py)

# Plan: one line per expected upstream case, plus setup and dmesg.
n=2
for p in "${PROGS[@]}"; do n=$((n + $(grep -c . "$expected_dir/$p.txt"))); done
ktap_plan $n
dmesg_mark

mapfile -t ports < <(igb_ports)
ok=1
load_driver "$drv" && bind_port "${ports[0]}" "$drv" && bind_port "${ports[1]}" "$drv" || ok=0
a=$(pci_iface "${ports[0]}") b=$(pci_iface "${ports[1]}")
[[ $ok == 1 && -n $a && -n $b ]] && setup_pair "$a" "$b" || ok=0
if [[ $ok == 1 ]]; then
	ktap_ok "setup: $a ($drv) with peer $b in netns $PEER_NS"
else
	ktap_fail "setup: bind both ports to $drv and link up"
fi

# A debug kernel (KASAN, kmemleak, lockdep: make check-debug) is several times
# slower; ping.py alone took over 240 s there.
tmo=240
[[ -e /sys/kernel/debug/kmemleak ]] && tmo=900
for p in "${PROGS[@]}"; do
	rc=0
	out=$(cd "$ksft" && NETIF=$a LOCAL_V4=$ADDR_A REMOTE_V4=$ADDR_B LOCAL_V6=$ADDR6_A \
		REMOTE_V6=$ADDR6_B REMOTE_TYPE=netns REMOTE_ARGS=$PEER_NS \
		PYTHONDONTWRITEBYTECODE=1 timeout $tmo python3 "./$p" 2>&1) || rc=$?
	[[ $rc == 124 ]] && out+=$'\n'"(killed after ${tmo} s)"
	ktap_diag "--- $p" "${out//$'\n'/$'\n'# }"
	# Result of each case: "name result", result in ok/fail/skip/xfail.
	got=$(awk '/^(not )?ok [0-9]+ /{
		res = ($1 == "not") ? "fail" : "ok"; name = ($1 == "not") ? $4 : $3
		if ($0 ~ /# *SKIP/) res = "skip"; if ($0 ~ /# *XFAIL/) res = "xfail"
		print name, res }' <<<"$out")
	while read -r name want; do
		why=""
		if [[ -f $expected_dir/$drv.diff ]]; then
			read -r _ dwant why < <(awk -v n="$name" '$1 == n' "$expected_dir/$drv.diff")
			[[ -n ${dwant:-} ]] && want=$dwant
		fi
		have=$(awk -v n="$name" '$1 == n {print $2}' <<<"$got")
		if [[ $have == "$want" ]]; then
			ktap_ok "$p: $name: $want (as expected${why:+; differs from igb: $why})"
		else
			ktap_fail "$p: $name: expected '$want', got '${have:-missing}'"
		fi
	done <"$expected_dir/$p.txt"
done

teardown_pair
dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
