#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of check.sh: run the programs of one kselftest-style suite,
# each under its timeout, writing <prog>.tap and <prog>.rc into $RIGB_OUT,
# and echoing the output (indented, kselftest style) to the console.
#   run-suite.sh SUITE_DIR TIMEOUT PROG...
set -uo pipefail
dir=$1 tmo=$2
shift 2
out=${RIGB_OUT:?RIGB_OUT not set}
name=${dir#"$RIGB_ROOT"/tools/testing/selftests/}
dest=$out/${name//\//_}
mkdir -p "$dest"
dmesg >"$dest/dmesg.boot" 2>/dev/null
# Debug kernels: forget what kmemleak suspects from boot, then scan after
# each program; a new suspected leak fails that program.
kml=/sys/kernel/debug/kmemleak
[[ -w $kml ]] && echo clear >"$kml"
drain_rcu_frees() {
	echo 2 >/proc/sys/vm/drop_caches 2>/dev/null || true
	sleep 2
}
# split_known FILE: the kmemleak reports on stdin that match none of FILE's
# patterns go to stdout; how many matched, to stderr.
split_known() {
	awk -v pf="$1" '
	BEGIN { while ((getline l < pf) > 0) if (l !~ /^#/ && l != "") pat[++np] = l }
	function flush(  i, k) {
		if (rec == "") return
		for (i = 1; i <= np; i++) if (rec ~ pat[i]) k = 1
		if (k) known++; else printf "%s", rec
		rec = ""
	}
	/^unreferenced object/ { flush() }
	{ rec = rec $0 "\n" }
	END { flush(); print known + 0 > "/dev/stderr" }'
}
kmemleak_check() {
	local tap=$1 leaks
	[[ -w $kml ]] || return 0
	# Objects younger than 5 s are not reported: let them age, scan twice.
	# An object freed with kfree_rcu() waits seconds (more on a debug
	# kernel) in kfree_rcu's queue pages, which kmemleak does not scan: it
	# looks unreferenced (C igb's q_vectors after rmmod). The slab shrinkers
	# (drop_caches) start those frees now; what is still listed after
	# another round 10 s later is a leak.
	sleep 6
	drain_rcu_frees
	echo scan >"$kml"
	echo scan >"$kml"
	leaks=$(cat "$kml")
	if [[ -n $leaks ]]; then
		sleep 10
		drain_rcu_frees
		echo scan >"$kml"
		leaks=$(cat "$kml")
	fi
	if [[ -n $leaks && -f $dir/kmemleak-known ]]; then
		# A suite may list leaks of upstream code it exercises (one
		# extended regex per line, matched against each report): those are
		# recorded and reported, and do not fail the program.
		printf '%s\n' "$leaks" >"${tap%.tap}.kmemleak"
		local known
		leaks=$(split_known "$dir/kmemleak-known" <<<"$leaks" 2>"${tap%.tap}.known")
		known=$(cat "${tap%.tap}.known")
		echo "# kmemleak: $known report(s) of a known upstream leak ($dir/kmemleak-known), kept in ${tap%.tap}.kmemleak" >>"$tap"
	fi
	if [[ -n $leaks ]]; then
		printf '%s\n' "$leaks" >"${tap%.tap}.kmemleak"
		echo "not ok 9999 - kmemleak: $(grep -c 'unreferenced object' <<<"$leaks") suspected leaks" >>"$tap"
		echo clear >"$kml"
	else
		echo "ok 9999 - kmemleak: no suspected leaks" >>"$tap"
	fi
}
n=0
echo "TAP version 13"
echo "1..$#"
for prog in "$@"; do
	n=$((n + 1))
	echo "# selftests: $name: $prog"
	dmesg -C >/dev/null 2>&1 || true
	(cd "$dir" && timeout --kill-after=10 "$tmo" bash "./$prog") >"$dest/$prog.tap" 2>&1 </dev/null &
	pid=$!
	# The kernel log so far, every 30 s: a guest that hangs (or is killed by
	# the host's timeout) still leaves what it logged (hung tasks, lockdep).
	(while kill -0 $pid 2>/dev/null; do
		dmesg >"$dest/$prog.dmesg" 2>/dev/null
		sleep 30
	done) &
	snap=$!
	tail --pid=$pid -n +1 -f "$dest/$prog.tap" 2>/dev/null | sed -u 's/^/# /'
	wait $pid
	rc=$?
	kill $snap 2>/dev/null
	wait $snap 2>/dev/null
	kmemleak_check "$dest/$prog.tap"
	echo "$rc" >"$dest/$prog.rc"
	dmesg >"$dest/$prog.dmesg" 2>/dev/null
	if [[ $rc -eq 0 ]]; then
		echo "ok $n selftests: $name: $prog"
	elif [[ $rc -eq 124 || $rc -eq 137 ]]; then
		echo "not ok $n selftests: $name: $prog # TIMEOUT ${tmo}s"
	else
		echo "not ok $n selftests: $name: $prog # exit=$rc"
	fi
done
