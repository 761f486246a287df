#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A rigb debugfs file held open across rmmod: the module unloads (the file
# does not pin it), a read of the removed file fails with an error instead
# of calling into the module, closing it afterwards calls no module code
# either (debugfs' proxy calls the file's release then), and rigb loads and
# works again.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"

ktap_plan 8
dmesg_mark
start_pair rigb igb
f=$(ls -d /sys/kernel/debug/rigb/*/rings 2>/dev/null | head -n1)
if [[ -n $f ]] && exec 3<"$f"; then
	ktap_ok "debugfs rings file of rigb open ($f)"
else
	ktap_fail "debugfs rings file of rigb open ('$f')"
	ktap_finish
fi
teardown_pair
ktap_check "rmmod rigb with the file open" rmmod rigb
if out=$(cat <&3 2>&1); then
	ktap_fail "read of the removed file fails (read: '$(head -c 60 <<<"$out")')"
else
	ktap_ok "read of the removed file fails ($out)"
fi
exec 3<&-
ktap_ok "closed the file after rmmod (this shell survived)"
ktap_check "rigb loads again" insmod "$RIGB_KO"
start_pair rigb igb
dmesg_clean_since
teardown_pair
ktap_finish
