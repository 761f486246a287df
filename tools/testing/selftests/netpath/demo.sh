#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The packet path of a ping flood over the two-port pair, as netpath prints
# it: what the documentation shows. Run it in the VM:
#   make vm CMD='bash tools/testing/selftests/netpath/demo.sh'        # C igb
#   make vm CMD='bash tools/testing/selftests/netpath/demo.sh rigb'   # rigb
#   demo.sh [DRIVER [COUNT]]   (default igb, 1000 packets; NETPATH_ARGS
#                               adds options, e.g. --json)
# Port A (root namespace, 192.0.2.1) floods port B (namespace "peer",
# 192.0.2.2); netpath reports the deltas on A around the ping.
. "$(dirname "$0")/lib.sh"

drv=${1:-igb} count=${2:-1000}
die() { echo "demo: $*" >&2; teardown_pair; exit 1; }

[[ -x $NETPATH ]] || die "no $NETPATH: run 'make tools' on the host"
mapfile -t ports < <(igb_ports)
[[ ${#ports[@]} -eq 2 ]] || die "need two igb ports, found ${#ports[@]}"
teardown_pair
load_driver "$drv" || die "cannot load $drv"
bind_port "${ports[0]}" "$drv" && bind_port "${ports[1]}" "$drv" ||
	die "cannot bind both ports to $drv"
a=$(port_iface "${ports[0]}") b=$(port_iface "${ports[1]}")
setup_pair "$a" "$b" || die "no link on $a / $b"
# Let ARP resolve and the IPv6 noise after link up die down, so that the
# report shows the flood.
ping -q -c 2 -i 0.2 -W 2 $ADDR_B >/dev/null || die "$drv: ping $ADDR_B fails"
sleep 3

echo "# $drv: $a (${ports[0]}, $ADDR_A) -> $b (${ports[1]}, netns $PEER_NS, $ADDR_B)"
echo "# $NETPATH ${NETPATH_ARGS:-}run -i $a -- ping -q -f -c $count $ADDR_B"
# shellcheck disable=SC2086 # NETPATH_ARGS is a list of options
"$NETPATH" ${NETPATH_ARGS:-} run -i "$a" -- ping -q -f -c "$count" $ADDR_B
rc=$?
teardown_pair
exit $rc
