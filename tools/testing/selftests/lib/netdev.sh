# SPDX-License-Identifier: GPL-2.0
#
# Helpers for tests on the VM's two emulated 82576 ports (QEMU igb, PCI
# 8086:10c9), wired back-to-back. Sourced after ktap.sh.
#
# Topology used by the tests: port A stays in the root namespace with
# 192.0.2.1/24 and 2001:db8::1/64; port B moves to namespace "peer" with
# 192.0.2.2/24 and 2001:db8::2/64 (documentation ranges; the wire is QEMU's
# internal hub, nothing leaves the VM).

IP=/usr/sbin/ip
[[ -x $IP ]] || IP=/sbin/ip
ETHTOOL=/usr/sbin/ethtool
[[ -x $ETHTOOL ]] || ETHTOOL=/sbin/ethtool
PEER_NS=peer
ADDR_A=192.0.2.1
ADDR_B=192.0.2.2
ADDR6_A=2001:db8::1
ADDR6_B=2001:db8::2
: "${RIGB_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)}"
RIGB_KO=$RIGB_ROOT/drivers/net/ethernet/intel/rigb/rigb.ko
# Debug kernels (KASAN, lockdep, kmemleak) run several times slower: bulk
# transfers get longer time limits there.
SLOW=1
[[ -e /sys/kernel/debug/kmemleak ]] && SLOW=4

# PCI addresses of the igb ports, in bus order.
igb_ports() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[[ $(cat "$d/vendor") == 0x8086 && $(cat "$d/device") == 0x10c9 ]] && basename "$d"
	done
}
# Driver bound to a PCI device, or empty.
pci_driver() {
	local l=/sys/bus/pci/devices/$1/driver
	[[ -L $l ]] && basename "$(readlink "$l")"
}
# Network interface of a PCI device (root namespace), or empty. A freshly
# bound driver registers ethN and udev renames it (enp1s0) a moment later:
# wait for udev and for the name to hold still, so the name is still valid
# when it is used.
pci_iface() {
	local n="" prev="" i
	command -v udevadm >/dev/null && udevadm settle -t 10 >/dev/null 2>&1
	for ((i = 0; i < 20; i++)); do
		n=$(ls "/sys/bus/pci/devices/$1/net" 2>/dev/null | head -n1)
		[[ -n $n && $n == "$prev" ]] && break
		prev=$n
		sleep 0.25
	done
	echo "$n"
}

# bind_port PCI DRIVER: unbind whatever holds the port, bind DRIVER.
bind_port() {
	local pci=$1 drv=$2 cur
	cur=$(pci_driver "$pci")
	[[ $cur == "$drv" ]] && return 0
	[[ -n $cur ]] && echo "$pci" >"/sys/bus/pci/drivers/$cur/unbind"
	echo "$drv" >"/sys/bus/pci/devices/$pci/driver_override"
	echo "$pci" >"/sys/bus/pci/drivers_probe"
	echo >"/sys/bus/pci/devices/$pci/driver_override"
	[[ $(pci_driver "$pci") == "$drv" ]]
}

# load_driver igb|rigb: make the driver available (modules only bind on
# request: tests choose per port with bind_port).
load_driver() {
	case $1 in
	igb) [[ -d /sys/bus/pci/drivers/igb ]] || modprobe igb ;;
	rigb) [[ -d /sys/bus/pci/drivers/rigb ]] || insmod "$RIGB_KO" ;;
	esac
	# A freshly loaded driver binds every free port: that is fine, tests
	# rebind what they need.
	[[ -d /sys/bus/pci/drivers/$1 ]]
}

# wait_link IFACE [NS] [SECS]: wait for carrier.
wait_link() {
	local ifc=$1 ns=${2:-} t=${3:-10} i
	for ((i = 0; i < t * 10; i++)); do
		if [[ $(nsx "$ns" cat "/sys/class/net/$ifc/carrier" 2>/dev/null) == 1 ]]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}
# nsx NS CMD...: run CMD in namespace NS (root namespace when NS is empty).
nsx() {
	local ns=$1
	shift
	if [[ -n $ns ]]; then $IP netns exec "$ns" "$@"; else "$@"; fi
}

# setup_pair IFA IFB: IFA in the root namespace, IFB moved to $PEER_NS,
# both up with addresses; waits for both links.
setup_pair() {
	local a=$1 b=$2
	teardown_pair
	$IP netns add $PEER_NS || return 1
	# No router solicitations: they go to ff02::2, which the other end's
	# multicast filter drops uncounted, and the tests compare counters.
	sysctl -qw net.ipv6.conf."$a".router_solicitations=0
	# A previous test (the book lab) may have turned IPv6 off on this port.
	sysctl -qw net.ipv6.conf."$a".disable_ipv6=0
	nsx $PEER_NS sysctl -qw net.ipv6.conf.default.router_solicitations=0
	$IP link set "$b" netns $PEER_NS || return 1
	$IP addr flush dev "$a"
	$IP addr add $ADDR_A/24 dev "$a"
	$IP -6 addr add $ADDR6_A/64 dev "$a" nodad
	$IP link set "$a" up
	nsx $PEER_NS $IP addr add $ADDR_B/24 dev "$b"
	nsx $PEER_NS $IP -6 addr add $ADDR6_B/64 dev "$b" nodad
	nsx $PEER_NS $IP link set "$b" up
	nsx $PEER_NS $IP link set lo up
	wait_link "$a" "" 15 && wait_link "$b" $PEER_NS 15
}
# start_pair DRV_A DRV_B: the test's first check. Loads both drivers, binds
# port 0 to DRV_A and port 1 to DRV_B, sets $ports, $a and $b, and sets the
# pair up (setup_pair); reports "setup" ok, or fails it and ends the test.
start_pair() {
	local da=$1 db=$2 what
	mapfile -t ports < <(igb_ports)
	load_driver "$da" && load_driver "$db"
	bind_port "${ports[0]}" "$da" && bind_port "${ports[1]}" "$db"
	a=$(pci_iface "${ports[0]}") b=$(pci_iface "${ports[1]}")
	what="setup: $a ($da) and $b ($db, in $PEER_NS) linked"
	if ! setup_pair "$a" "$b"; then
		ktap_fail "$what"
		ktap_finish
	fi
	ktap_ok "$what"
}
teardown_pair() {
	$IP netns del $PEER_NS 2>/dev/null
	sleep 0.2
	return 0
}
# send_file_check NAME FILE ADDR: sends FILE over TCP (port 5300, socat) from
# the root namespace to a listener in $PEER_NS at ADDR; ok if what arrives
# there has FILE's sha256.
send_file_check() {
	local name=$1 file=$2 addr=$3 want got dir rx i listen=TCP4-LISTEN
	want=$(sha256sum <"$file" | cut -d' ' -f1)
	dir=$(mktemp -d)
	# The listener's family follows the address: a dual-stack socket needs
	# IPv6 in the namespace, which a test may have turned off on its ports.
	[[ $addr == \[* ]] && listen=TCP6-LISTEN
	nsx $PEER_NS timeout $((60 * SLOW)) socat -u $listen:5300,reuseaddr - 2>/dev/null |
		sha256sum | cut -d' ' -f1 >"$dir/got" &
	rx=$!
	# Connect only once the listener is up (a fixed delay can lose the race on
	# a loaded TCG host: connection refused, nothing sent).
	for ((i = 0; i < 50; i++)); do
		[[ -n $(nsx $PEER_NS ss -Hltn 'sport = :5300') ]] && break
		sleep 0.2
	done
	timeout $((60 * SLOW)) socat -u FILE:"$file" "TCP:$addr:5300" 2>"$dir/err" ||
		ktap_diag "$name: socat: $(head -n1 "$dir/err")"
	wait $rx
	got=$(cat "$dir/got" 2>/dev/null)
	ktap_eq "$name" "$want" "$got"
	[[ $got == "$want" ]] || ktap_diag "sender: $(cat "$dir/err")"
	rm -rf "$dir"
}
# stat IFACE NAME [NS]: one /sys/class/net statistics counter.
# quiet_ipv6 DEV [NS]: no IPv6 on DEV, so no neighbour discovery or MLD report
# joins the frames a check counts.
quiet_ipv6() { nsx "${2:-}" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$1/disable_ipv6"; }
ifstat() { nsx "${3:-}" cat "/sys/class/net/$1/statistics/$2"; }
