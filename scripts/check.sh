#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: host unit tests, then every kselftest-style suite under
# tools/testing/selftests/ in its own VM boot. Prints TAP per suite and ends
# with one line: "N passed, N failed, N skipped". Exit 1 on any failure.
#   check.sh [--vm-only] [SUITE...]   (SUITE relative to tools/testing/selftests)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

vm_only=0
[[ ${1:-} == --vm-only ]] && { vm_only=1; shift; }
sel_root=$RIGB_ROOT/tools/testing/selftests
out=${RIGB_RESULTS:-$RIGB_CACHE/results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
passed=0 failed=0 skipped=0
failures=()

# Count the TAP lines of one test program's output. A program that exited
# non-zero (or timed out) without reporting a failing check counts as one
# failure itself, so that a crash cannot pass silently.
count_tap() {
	local tap=$1 rc=$2 label=$3 p f s
	p=$(grep -cE '^ok [0-9]+' "$tap" | head -n1)
	s=$(grep -cE '^ok [0-9]+.*# *SKIP' "$tap" | head -n1)
	f=$(grep -cE '^not ok [0-9]+' "$tap" | head -n1)
	p=$((p - s))
	if [[ $rc -ne 0 && $f -eq 0 ]]; then
		f=1
		failures+=("$label (exit $rc)")
	elif [[ $f -gt 0 ]]; then
		while read -r line; do failures+=("$label: $line"); done < <(grep -E '^not ok' "$tap")
	fi
	if [[ $p -eq 0 && $f -eq 0 && $s -eq 0 ]]; then
		f=1
		failures+=("$label: reported no checks")
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

if [[ $vm_only -eq 0 && $# -eq 0 ]]; then
	info "host unit tests"
	if ! bash "$here/test-host.sh" "$out/host"; then :; fi
	for f in "$out"/host/*.tap; do
		[[ -f $f ]] || continue
		count_tap "$f" "$(cat "${f%.tap}.rc")" "host: $(basename "${f%.tap}")"
	done
fi

# Suites: directories holding a Makefile with TEST_PROGS (kselftest style).
suites=("$@")
if [[ ${#suites[@]} -eq 0 ]]; then
	while read -r mk; do
		d=$(dirname "$mk")
		suites+=("${d#"$sel_root"/}")
	done < <(grep -lE '^TEST_PROGS' $(find "$sel_root" -name Makefile | sort))
fi

for suite in "${suites[@]}"; do
	dir=$sel_root/$suite
	[[ -f $dir/Makefile ]] || die "no suite at $dir"
	progs=$(make -s --no-print-directory -C "$dir" -f Makefile -f - print-test-progs <<<'print-test-progs: ; @echo $(TEST_PROGS)' 2>/dev/null)
	tmo=$(sed -n 's/^timeout=//p' "$dir/settings" 2>/dev/null)
	# A slower kernel (make check-debug: KASAN, lockdep) scales every timeout.
	tmo=$((${tmo:-300} * ${RIGB_TIMEOUT_SCALE:-1}))
	n=$(wc -w <<<"$progs")
	info "suite $suite: $n programs (timeout ${tmo}s each)"
	# The boot is slower on the debug kernel too (udev alone took 140 s there).
	vm_tmo=$((n * (tmo + 15) + 120 * ${RIGB_TIMEOUT_SCALE:-1}))
	rc=0
	bash "$here/vm.sh" --no-rigb --out "$out" --timeout "$vm_tmo" \
		--cmd "bash $RIGB_ROOT/scripts/run-suite.sh $dir $tmo $progs" || rc=$?
	dest=$out/${suite//\//_}
	for prog in $progs; do
		if [[ -f $dest/$prog.rc ]]; then
			count_tap "$dest/$prog.tap" "$(cat "$dest/$prog.rc")" "$suite/$prog"
		else
			failed=$((failed + 1))
			failures+=("$suite/$prog: did not run (VM exit $rc; see $dest)")
		fi
	done
done

echo
if [[ ${#failures[@]} -gt 0 ]]; then
	echo "Failures (results in $out):"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
