# SPDX-License-Identifier: GPL-2.0
#
# XDP helpers for the tests (sourced): build the programs of xdp_progs.bpf.c,
# load them once with bpftool (pinned in a bpffs under /run, which
# `ip netns exec` leaves visible), attach and detach them with `ip link`, and
# read and reset the count the programs share.
#   xdp_setup                  build + load; 1 if clang/bpftool are missing
#   xdp_attach IF PROG [NS] [MODE]  MODE xdpdrv (default), xdpgeneric
#   xdp_detach IF [NS] [MODE]
#   xdp_count / xdp_count_reset
#   xdp_cfg_ifindex N          the target of xdp_redirect
#   xdp_prog_id IF [NS]        the id `ip link` shows for IF's program (empty: none)
XDP_DIR=/run/rigb_xdp
XDP_CLANG=/usr/lib/llvm-19/bin/clang
BPFTOOL=/usr/sbin/bpftool

xdp_setup() {
	local here src obj
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	src=$here/xdp_progs.bpf.c
	[[ -x $XDP_CLANG && -x $BPFTOOL && -r /usr/include/bpf/bpf_helpers.h ]] || return 1
	xdp_teardown
	mkdir -p "$XDP_DIR" || return 1
	mount -t bpf bpf "$XDP_DIR" || return 1
	obj=$(mktemp --suffix=.o)
	"$XDP_CLANG" -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu \
		-c "$src" -o "$obj" || return 1
	"$BPFTOOL" prog loadall "$obj" "$XDP_DIR/progs" pinmaps "$XDP_DIR/maps" || return 1
	rm -f "$obj"
}
xdp_teardown() {
	mountpoint -q "$XDP_DIR" && umount "$XDP_DIR"
	return 0
}
xdp_attach() {
	local ifc=$1 prog=$2 ns=${3:-} mode=${4:-xdpdrv}
	nsx "$ns" $IP -force link set dev "$ifc" "$mode" pinned "$XDP_DIR/progs/$prog"
}
xdp_detach() {
	local ifc=$1 ns=${2:-} mode=${3:-xdpdrv}
	nsx "$ns" $IP link set dev "$ifc" "$mode" off
}
# The 64-bit little-endian value of a bpftool -j lookup.
xdp_lookup() {
	"$BPFTOOL" -j map lookup pinned "$XDP_DIR/maps/$1" key 0 0 0 0 2>/dev/null |
		python3 -c 'import json, sys
d = json.load(sys.stdin)
f = d.get("formatted")
if f is not None:
    print(int(f["value"]))
else:
    print(int.from_bytes(bytes(int(b, 16) for b in d["value"]), "little"))'
}
xdp_count() { xdp_lookup counts; }
xdp_count_reset() {
	"$BPFTOOL" map update pinned "$XDP_DIR/maps/counts" key 0 0 0 0 value 0 0 0 0 0 0 0 0
}
xdp_cfg_ifindex() {
	local n=$1
	"$BPFTOOL" map update pinned "$XDP_DIR/maps/cfg" key 0 0 0 0 value \
		$((n & 255)) $((n >> 8 & 255)) $((n >> 16 & 255)) $((n >> 24 & 255))
}
xdp_prog_id() {
	local ifc=$1 ns=${2:-}
	nsx "$ns" $IP -d link show dev "$ifc" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' | head -n1
}
