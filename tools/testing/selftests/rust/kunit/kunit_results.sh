#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Re-emit the KUnit results of this boot (debugfs kunit/<suite>/results) as
# one TAP line per test case, so that every doctest counts in make check.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../lib/ktap.sh"

kdir=/sys/kernel/debug/kunit
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
if [[ ! -d $kdir ]] || [[ -z $(ls "$kdir" 2>/dev/null) ]]; then
	ktap_plan 1
	ktap_fail "KUnit results in debugfs (CONFIG_KUNIT_DEBUGFS, doctests built in?)"
	ktap_finish
fi

cases=$(for r in "$kdir"/*/results; do
	suite=$(basename "$(dirname "$r")")
	# Nested case lines are indented; the suite's own line is not.
	awk -v s="$suite" '/^[ \t]+(not )?ok [0-9]+ /{
		line = $0; sub(/^[ \t]+/, "", line)
		res = (line ~ /^not ok/) ? "fail" : "ok"
		if (line ~ /# *SKIP/) res = "skip"
		sub(/^(not )?ok [0-9]+ /, "", line); sub(/ *#.*$/, "", line)
		print res, s "." line }' "$r"
done)
total=$(grep -c . <<<"$cases")
ktap_plan "$((total + 1))"
if [[ $total -ge 100 ]]; then
	ktap_ok "KUnit ran $total cases at boot"
else
	ktap_fail "KUnit ran only $total cases at boot (the kernel crate alone has > 100 doctests)"
fi
while read -r res name; do
	case $res in
	ok) ktap_ok "$name" ;;
	skip) ktap_skip "$name" "skipped by KUnit" ;;
	*) ktap_fail "$name" ;;
	esac
done <<<"$cases"
ktap_finish
