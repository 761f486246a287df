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
	# rveth links are created like veth ones (`ip link add a type rveth
	# peer name b`, with vm.sh's IP_LIB_DIR): the module is there to ask.
	if [[ ! -f ${IP_LIB_DIR:-/nonexistent}/link_rveth.so ]]; then
		# Interactive boots get no IP_LIB_DIR from vm.sh: build it here.
		export IP_LIB_DIR=/run/rigb-iproute2
		mkdir -p "$IP_LIB_DIR"
		cc -shared -fPIC -o "$IP_LIB_DIR/link_rveth.so" \
			"$RIGB_ROOT/tools/testing/selftests/drivers/net/rust_samples/link_rveth.c" -ldl ||
			echo "[rigb] warning: no iproute2 plugin for rveth" >&2
	fi
	veth_ko=$RIGB_ROOT/samples/rust/rust_veth.ko
	if [[ -f $veth_ko ]] && ! grep -q '^rust_veth ' /proc/modules; then
		insmod "$veth_ko" || echo "[rigb] warning: insmod rust_veth.ko failed (see dmesg)" >&2
	fi
fi

if [[ ${1:-} == --b64 ]]; then
	exec bash -c "$(printf '%s' "$2" | base64 -d)"
fi
exec bash -i
