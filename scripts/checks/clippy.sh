#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make LLVM=1 CLIPPY=1` is warning-free: the kernel crate (our rust/
# overlay, built into vmlinux) and the modules (rigb, the samples). Both are
# recompiled under clippy-driver (their roots are touched), so warnings of an
# earlier, already built, revision cannot hide. Skipped when the kernel has
# not been built yet (make test-host alone on a fresh machine).
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib.sh"
. "$RIGB_ROOT/tools/testing/selftests/lib/ktap.sh"
eval "$(bash "$here/kernel.sh" env)"

ktap_plan 2
if [[ ! -f $KOUT/Module.symvers ]]; then
	ktap_skip "clippy: kernel crate (rust/)" "kernel not built yet (make kernel)"
	ktap_skip "clippy: modules (rigb, samples)" "kernel not built yet (make kernel)"
	exit 0
fi
log=$(mktemp)
if flock "$RIGB_CACHE/build.lock" bash "$here/kernel.sh" clippy >"$log" 2>&1; then
	ktap_ok "clippy: kernel crate (rust/)"
else
	sed 's/^/# /' "$log" | tail -40
	ktap_fail "clippy: kernel crate (rust/)"
fi
touch "$RIGB_ROOT"/drivers/net/ethernet/intel/rigb/rigb.rs "$RIGB_ROOT"/samples/rust/*.rs
if flock "$RIGB_CACHE/build.lock" bash "$here/modules.sh" CLIPPY=1 >"$log" 2>&1 &&
	! grep -E '^(warning|error)' "$log" >/dev/null; then
	ktap_ok "clippy: modules (rigb, samples)"
else
	grep -A12 -E '^(warning|error)' "$log" | sed 's/^/# /' | head -60
	ktap_fail "clippy: modules (rigb, samples)"
fi
rm -f "$log"
