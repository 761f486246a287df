# SPDX-License-Identifier: GPL-2.0
#
# Minimal KTAP/TAP helpers for the rigb selftests (sourced by each test).
# A test prints "TAP version 13", a plan, one line per check, and exits
# non-zero if any check failed. check.sh collects these lines.
#
#   . "$(dirname "$0")/../../lib/ktap.sh"   (path relative to the test)
#   ktap_plan 3
#   ktap_ok "links up"            | ktap_fail "links up: rigb0 is DOWN"
#   ktap_skip "jumbo" "not supported yet"
#   ktap_check "name" cmd args... (ok if cmd exits 0, output shown as # lines otherwise)
#   ktap_finish                   (exit status: 1 if any failed)

KTAP_N=0
KTAP_FAILED=0
KTAP_PLANNED=""

ktap_plan() {
	echo "TAP version 13"
	echo "1..$1"
	KTAP_PLANNED=$1
}
ktap_ok() {
	KTAP_N=$((KTAP_N + 1))
	echo "ok $KTAP_N - $*"
}
ktap_fail() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_FAILED=$((KTAP_FAILED + 1))
	echo "not ok $KTAP_N - $*"
}
ktap_skip() {
	KTAP_N=$((KTAP_N + 1))
	echo "ok $KTAP_N - $1 # SKIP ${2:-}"
}
ktap_diag() { printf '# %s\n' "$@"; }
# ktap_require CMD WHAT: without CMD, skip WHAT (the rest of the plan) and end.
ktap_require() {
	command -v "$1" >/dev/null && return 0
	ktap_skip "$2" "$1 not installed"
	ktap_finish
}
# ktap_check NAME CMD...: run CMD, ok if it exits 0; its output is shown as
# diagnostics when it fails.
ktap_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ktap_ok "$name"
	else
		ktap_fail "$name"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   /'
	fi
}
# ktap_eq NAME EXPECTED ACTUAL
ktap_eq() {
	if [[ "$2" == "$3" ]]; then
		ktap_ok "$1"
	else
		ktap_fail "$1: expected '$2', got '$3'"
	fi
}
ktap_finish() {
	if [[ -n $KTAP_PLANNED && $KTAP_N -ne $KTAP_PLANNED ]]; then
		echo "# planned $KTAP_PLANNED checks, ran $KTAP_N"
		KTAP_FAILED=$((KTAP_FAILED + 1))
	fi
	[[ $KTAP_FAILED -eq 0 ]]
	exit $?
}

# dmesg_mark / dmesg_clean_since: fail a check if the kernel logged a
# WARNING, BUG, oops, KASAN or kmemleak report since the mark.
dmesg_mark() { DMESG_MARK=$(dmesg | wc -l); }
dmesg_new() { dmesg | tail -n +"$((${DMESG_MARK:-0} + 1))"; }
dmesg_clean_since() {
	local bad
	# kmemleak's scan-area allocation failing (fault injection) is not a
	# report: it scans the whole object instead.
	bad=$(dmesg_new | grep -v 'kmemleak: Cannot allocate a scan area' | grep -E 'WARNING:|BUG:|Oops|KASAN|kmemleak|general protection|Call Trace|refcount_t:|UBSAN|unreferenced object|rcu.*stall|soft lockup|hung task' || true)
	if [[ -z $bad ]]; then
		ktap_ok "${1:-dmesg clean}"
	else
		ktap_fail "${1:-dmesg clean}"
		printf '%s\n' "$bad" | head -n 20 | sed 's/^/#   /'
	fi
}
