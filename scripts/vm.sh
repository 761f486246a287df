#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test kernel in QEMU with virtme-ng: the host's root filesystem is
# the guest's (read-only, with writable overlays), so ip, ethtool, iperf3,
# python3 and the test suites are there without building an image.
#
# The guest has two emulated 82576 ports (QEMU `igb`), each behind its own
# PCIe root port (their SR-IOV function slots would collide otherwise), wired
# back-to-back on QEMU hub 0. There is no host network: no user/tap netdev.
#
#   vm.sh                      interactive shell, rigb loaded
#   vm.sh --cmd 'ip -br link'  run a command in the guest, exit with its status
#   vm.sh --cmd-env            the same, the command taken from $RIGB_VM_CMD
#                              (make vm CMD=...: no shell quoting in between)
#   options: --no-rigb (load nothing), --timeout SECS (default 900),
#            --out DIR (shared read-write with the guest as $RIGB_OUT)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
eval "$("$here/kernel.sh" env)"

cmd="" load=1 timeout=${RIGB_VM_TIMEOUT:-900} out="" cpus=${RIGB_VM_CPUS:-2} mem=${RIGB_VM_MEM:-2G}
while [[ $# -gt 0 ]]; do
	case $1 in
	--cmd) cmd=$2; shift 2 ;;
	--cmd-env) cmd=${RIGB_VM_CMD:?RIGB_VM_CMD not set}; shift ;;
	--no-rigb) load=0; shift ;;
	--timeout) timeout=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) die "vm.sh: unknown option $1" ;;
	esac
done

bzimage=$KOUT/arch/x86/boot/bzImage
[[ -f $bzimage ]] || die "no kernel at $bzimage: run 'make kernel' first"
[[ -x /usr/bin/qemu-system-x86_64 ]] || die "QEMU is missing: run 'make deps' as root"
vng=$RIGB_CACHE/venv/bin/vng
[[ -x $vng ]] || die "virtme-ng is missing: run 'make deps' as root"
export PATH=$RIGB_CACHE/venv/bin:$PATH

# KVM only if it really runs a guest here; /dev/kvm can exist and still
# fail. Probed once per host boot.
kvm_works() {
	local stamp=$RIGB_CACHE/kvm.$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo x)
	if [[ ! -f $stamp ]]; then
		local res=no
		if [[ -w /dev/kvm ]] && timeout 20 qemu-system-x86_64 -accel kvm -M q35 -cpu host -m 256M \
			-nodefaults -display none -no-reboot -serial stdio -kernel "$bzimage" \
			-append 'console=ttyS0 panic=-1 init=/rigb-kvm-probe' 2>/dev/null |
			grep -q 'Kernel panic'; then
			res=yes
		fi
		echo "$res" >"$stamp"
	fi
	[[ $(cat "$stamp") == yes ]]
}
accel=(--disable-kvm)
accel_name=tcg
if [[ ${RIGB_VM_ACCEL:-auto} != tcg ]] && kvm_works; then
	accel=()
	accel_name=kvm
fi

# The root ports run their links at 2.5 GT/s, the 82576's own speed: after a
# secondary bus reset (PCIe AER recovery) Linux waits for a link faster than
# 5 GT/s to report Data Link Layer Link Active, which QEMU's root port does
# not ("Data Link Layer Link Active not set in 100 msec": recovery fails for
# igb and rigb alike); up to 5 GT/s it polls the device's config space.
qemu_opts="-device pcie-root-port,id=rp1,chassis=1,slot=1,x-speed=2_5"
qemu_opts+=" -device pcie-root-port,id=rp2,chassis=2,slot=2,x-speed=2_5"
qemu_opts+=" -netdev hubport,id=port0,hubid=0 -device igb,bus=rp1,netdev=port0,mac=52:54:00:00:00:01"
qemu_opts+=" -netdev hubport,id=port1,hubid=0 -device igb,bus=rp2,netdev=port1,mac=52:54:00:00:00:02"
# Developer hook: more QEMU options, e.g. RIGB_QEMU_OPTS='-trace enable=e1000e_core_write,file=/tmp/t'
# to see every register write of the emulated ports.
qemu_opts+=${RIGB_QEMU_OPTS:+ $RIGB_QEMU_OPTS}

args=(--run "$KOUT" --disable-microvm "${accel[@]}" --cpus "$cpus" --memory "$mem"
	--qemu-opts="$qemu_opts" --cwd "$RIGB_ROOT" --name rigb-vm
	# Keep udev from binding the C igb driver at boot: the tests and the
	# shell choose the driver per port (modprobe by name still works).
	--append modprobe.blacklist=igb)
[[ -n $out ]] && args+=(--rwdir "$out")

# `ip link add a type rveth peer name b` in the guest: iproute2 learns the
# kind from a plugin (tools/testing/selftests/drivers/net/rust_samples/
# link_rveth.c) looked up in $IP_LIB_DIR. Built here, on the host, once.
iplib=$RIGB_CACHE/iproute2
plug_src=$RIGB_ROOT/tools/testing/selftests/drivers/net/rust_samples/link_rveth.c
if [[ ! $iplib/link_rveth.so -nt $plug_src ]]; then
	mkdir -p "$iplib"
	cc -shared -fPIC -o "$iplib/link_rveth.so" "$plug_src" -ldl ||
		die "cannot build the iproute2 plugin for rveth ($plug_src)"
fi

guest_env="RIGB_ROOT=$RIGB_ROOT RIGB_KSRC=$KSRC RIGB_LOAD=$load RIGB_ACCEL=$accel_name IP_LIB_DIR=$iplib${out:+ RIGB_OUT=$out}"
info "booting $(basename "$KOUT") ($accel_name, $cpus vCPUs, $mem)"
rc=0
if [[ -n $cmd ]]; then
	b64=$(printf '%s' "$cmd" | base64 -w0)
	# The guest's output goes through a pipe: QEMU reopens its stdout by
	# path (/proc/self/fd/1 and 2), which would truncate a log file they
	# point to.
	timeout --kill-after=15 "$timeout" "$vng" "${args[@]}" \
		--exec "env $guest_env bash $RIGB_ROOT/scripts/guest.sh --b64 $b64" </dev/null 2> >(cat >&2) | cat
	rc=${PIPESTATUS[0]}
	[[ $rc -eq 124 || $rc -eq 137 ]] && die "guest did not finish within ${timeout}s and was killed (set RIGB_VM_TIMEOUT, or run 'make vm' and try the command by hand)"
	exit $rc
fi
# Interactive: the guest login shell is guest-shell.sh, which loads rigb.
exec "$vng" "${args[@]}" --shell "$RIGB_ROOT/scripts/guest-shell.sh"
