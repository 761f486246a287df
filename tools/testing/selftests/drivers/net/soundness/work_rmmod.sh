#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A module's work item keeps the module loaded (test_modules/rust_work_rmmod.rs):
# its init queues an item that sleeps 3 s (8 s on a debug kernel, where
# insmod alone takes seconds) and keeps no handle to cancel it.
# rmmod while the item is pending or running is refused (module in use, its
# reference count shows the item); once the item has run, rmmod succeeds; the
# module's exit cannot queue another item or spawn a closure (both refused or
# dropped, and the closure never runs); no oops. Without the workqueue's
# module reference, the first rmmod would succeed and the item would then run
# code that is gone.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"

DRV=rust_work_rmmod
KO=$here/test_modules/$DRV.ko
[[ -f $KO ]] || KO=$RIGB_ROOT/tools/testing/selftests/drivers/net/soundness/test_modules/$DRV.ko

ktap_plan 7
dmesg_mark
trap 'rmmod $DRV 2>/dev/null' EXIT

delay_ms=3000
[[ -e /sys/kernel/debug/kmemleak ]] && delay_ms=8000
ktap_check "$DRV loads and queues its item" insmod "$KO" delay_ms=$delay_ms
refs=$(awk -v m=$DRV '$1 == m {print $3}' /proc/modules)
ktap_eq "the pending item holds a reference to the module" 1 "$refs"
if rmmod $DRV 2>/dev/null; then
	ktap_fail "rmmod while the item is pending is refused"
else
	ktap_ok "rmmod while the item is pending is refused"
fi
for ((i = 0; i < delay_ms / 100 + 50; i++)); do
	dmesg_new | grep -q "$DRV: work item done" && break
	sleep 0.1
done
ktap_check "the item ran to its end" sh -c "dmesg | tail -n +$((DMESG_MARK + 1)) | grep -q '$DRV: work item done'"
# The reference goes after the item's function returned; give it a moment.
for ((i = 0; i < 20; i++)); do
	[[ $(awk -v m=$DRV '$1 == m {print $3}' /proc/modules) == 0 ]] && break
	sleep 0.1
done
ktap_check "then rmmod succeeds" rmmod $DRV
sleep 1
ktap_eq "its exit could not queue an item, and a spawned closure never ran" \
	"refused 0" "$(dmesg_new | awk -F': ' '/enqueue during exit/ {e = $NF} END {print e}') $(dmesg_new | grep -c 'closure spawned during exit ran')"
dmesg_clean_since "no WARN/BUG/oops in dmesg"
ktap_finish
