#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The rules the Rust abstractions enforce with types: each case in
# tools/testing/compile_fail/ is a small module (header.rs + the case) that
# misuses rust/ and must fail to build with the rustc error its `// expect:` line
# names (`// expect: E0599`); control.rs is the correct use and must build,
# so that a broken harness cannot pass every case. Skipped when the kernel
# has not been built yet (make test-host alone on a fresh machine).
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib.sh"
. "$RIGB_ROOT/tools/testing/selftests/lib/ktap.sh"
eval "$(bash "$here/kernel.sh" env)"
cases_dir=$RIGB_ROOT/tools/testing/compile_fail
mapfile -t cases < <(ls "$cases_dir"/*.rs | grep -v '/header\.rs$' | sort)

ktap_plan ${#cases[@]}
if [[ ! -f $KOUT/Module.symvers ]]; then
	for c in "${cases[@]}"; do ktap_skip "compile-fail: $(basename "$c" .rs)" "kernel not built yet"; done
	exit 0
fi
export PATH=$LLVM_BIN:$PATH
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for c in "${cases[@]}"; do
	name=$(basename "$c" .rs)
	expect=$(sed -n 's|^// expect: *||p' "$c" | head -n1)
	d=$work/$name
	mkdir -p "$d"
	echo 'obj-m := compile_fail_case.o' >"$d/Kbuild"
	cat "$cases_dir/header.rs" "$c" >"$d/compile_fail_case.rs"
	rc=0
	flock "$RIGB_CACHE/build.lock" make -C "$KSRC" O="$KOUT" M="$d" LLVM=1 RUSTC=/usr/bin/rustc \
		HOSTRUSTC=/usr/bin/rustc BINDGEN="$CARGO_BIN/bindgen" modules >"$d/log" 2>&1 || rc=$?
	if [[ $expect == compiles ]]; then
		if [[ $rc -eq 0 ]]; then
			ktap_ok "compile-fail: $name (the correct use builds)"
		else
			ktap_fail "compile-fail: $name (the correct use does not build)"
			grep -A8 '^error' "$d/log" | head -40 | sed 's/^/#   /'
		fi
	elif [[ $rc -ne 0 ]] && grep -q "^error\[$expect\]" "$d/log"; then
		ktap_ok "compile-fail: $name (rejected: $expect)"
	else
		ktap_fail "compile-fail: $name (expected error $expect, build exit $rc)"
		grep -A8 '^error' "$d/log" | head -30 | sed 's/^/#   /'
	fi
done
ktap_finish
