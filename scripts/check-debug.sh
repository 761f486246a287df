#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the VM suites on the debug kernel (kernel/debug.config:
# KASAN, kmemleak, lockdep, atomic-sleep checks, DMA API debugging, fault
# injection). The modules are built against that kernel in a copy of the
# checkout under $RIGB_CACHE, so the normal build's .ko files stay as they
# are. Any KASAN/kmemleak/lockdep report fails the test that caused it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
export RIGB_KVARIANT=debug
tree=$RIGB_CACHE/tree-debug
mkdir -p "$tree"
rsync -a --delete --exclude .git --exclude target --exclude '*.o' --exclude '*.ko' \
	--exclude '.*.cmd' "$RIGB_ROOT/" "$tree/"
flock "$RIGB_CACHE/build-debug.lock" bash "$tree/scripts/kernel.sh" build
bash "$tree/scripts/modules.sh"
export RIGB_VM_MEM=${RIGB_VM_MEM:-3G}
# KASAN, lockdep and kmemleak make the guest kernel several times slower.
export RIGB_TIMEOUT_SCALE=${RIGB_TIMEOUT_SCALE:-3}
export RIGB_RESULTS=$RIGB_CACHE/results/debug-$(date +%Y%m%d-%H%M%S)
rc=0
bash "$tree/scripts/check.sh" --vm-only "$@" || rc=$?
# What was thrown at the drivers, for the record.
# (grep finds nothing when those suites were not selected: not an error.)
points=$({ grep -rhoE 'fault injection summary: [0-9]+' "$RIGB_RESULTS" 2>/dev/null || true; } | awk '{s += $NF} END {print s + 0}')
kinds=$({ grep -rhE '^ok [0-9]+ - (unknown EtherType|runts|oversize|flood)' "$RIGB_RESULTS" 2>/dev/null || true; } | awk '{print $4}' | sort -u | wc -l)
echo "debug kernel: $points fault-injection points tried; $kinds bad-frame kinds passed"
exit $rc
