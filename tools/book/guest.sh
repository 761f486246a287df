#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the book lab: bind rigb to both emulated ports (port B in
# namespace "peer"), load rust_loopback and rust_veth, raise the limits the
# experiments need, then run tools/book/book.py with the arguments given.
#   guest.sh [--ch N] [--out DIR] [--tap]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${RIGB_ROOT:=$(cd "$here/../.." && pwd)}"
export RIGB_ROOT
. "$RIGB_ROOT/tools/testing/selftests/lib/netdev.sh"

# A previous run (the selftest suite runs one program per chapter) left
# port B in the namespace: give it back to the root namespace first.
teardown_pair
for ns in c1 c2; do $IP netns del $ns 2>/dev/null; done
$IP link del book-br0 2>/dev/null
mapfile -t ports < <(igb_ports)
for p in "${ports[@]}"; do
	for ((i = 0; i < 50; i++)); do
		[[ -z $(pci_driver "$p") || -n $(ls "/sys/bus/pci/devices/$p/net" 2>/dev/null) ]] && break
		sleep 0.1
	done
done
[[ ${#ports[@]} -eq 2 ]] || { echo "# book: expected two igb ports, found ${#ports[@]}" >&2; exit 1; }
load_driver rigb || { echo "# book: rigb does not load" >&2; exit 1; }
bind_port "${ports[0]}" rigb && bind_port "${ports[1]}" rigb ||
	{ echo "# book: cannot bind rigb to both ports" >&2; exit 1; }
a=$(pci_iface "${ports[0]}") b=$(pci_iface "${ports[1]}")
setup_pair "$a" "$b" || { echo "# book: $a and $b do not link" >&2; exit 1; }
for m in rust_loopback rust_veth; do
	grep -q "^$m " /proc/modules || insmod "$RIGB_ROOT/samples/rust/$m.ko" ||
		echo "# book: insmod $m failed" >&2
done
if [[ ! -f ${IP_LIB_DIR:-/nonexistent}/link_rveth.so ]]; then
	export IP_LIB_DIR=/run/rigb-iproute2
	mkdir -p "$IP_LIB_DIR"
	cc -shared -fPIC -o "$IP_LIB_DIR/link_rveth.so" \
		"$RIGB_ROOT/tools/testing/selftests/drivers/net/rust_samples/link_rveth.c" -ldl
fi
# The experiments use IPv4 only: without IPv6 on the ports, no neighbour
# discovery or MLD report crosses the wire behind an experiment's back.
sysctl -qw "net.ipv6.conf.$a.disable_ipv6=1"
nsx $PEER_NS sysctl -qw "net.ipv6.conf.$b.disable_ipv6=1"
# Permanent neighbours both ways: no ARP request or probe ever joins the
# frames an experiment counts.
$IP neigh replace "$ADDR_B" lladdr "$(nsx $PEER_NS cat "/sys/class/net/$b/address")" dev "$a" nud permanent
nsx $PEER_NS $IP neigh replace "$ADDR_A" lladdr "$(cat "/sys/class/net/$a/address")" dev "$b" nud permanent

export BOOK_NS=$PEER_NS BOOK_A=$a BOOK_B=$b BOOK_ADDR_A=$ADDR_A BOOK_ADDR_B=$ADDR_B
ulimit -n 1048576 2>/dev/null || { sysctl -qw fs.nr_open=1048576; ulimit -n 1048576; }
exec /usr/bin/python3 "$here/book.py" "$@"
