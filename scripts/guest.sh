#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the guest, as root: prepare the guest, load rigb onto the two
# emulated ports (unless RIGB_LOAD=0), then run a command or a shell.
set -uo pipefail
: "${RIGB_ROOT:=$(cd "$(dirname "$0")/.." && pwd)}"
export RIGB_ROOT
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug 2>/dev/null
mkdir -p /run/netns
# Modules of the guest kernel (C igb, veth, bridge) come from virtme-ng's
# module tree; ours are loaded by path with insmod.
if [[ ${RIGB_LOAD:-1} == 1 ]]; then
	ko=$RIGB_ROOT/drivers/net/ethernet/intel/rigb/rigb.ko
	if [[ -f $ko ]]; then
		insmod "$ko" || echo "[rigb] warning: insmod rigb.ko failed (see dmesg)" >&2
	else
		echo "[rigb] warning: $ko not built; no driver bound" >&2
	fi
fi

if [[ ${1:-} == --b64 ]]; then
	exec bash -c "$(printf '%s' "$2" | base64 -d)"
fi
exec bash -i
