#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A driver that keeps every device resource past unbind (test_modules/
# rust_unbind_keep.rs: its remove hands them to a work item that looks at
# them two seconds later) still gives them all back at unbind: the
# interrupt line, the BAR region and its net_device are gone right after the
# unbind; afterwards its register read and the freed line's affinity hint
# fail with ENODEV, dropping the handles does nothing, the module unloads
# and rigb binds the port again and passes traffic.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../../lib/ktap.sh"
. "$here/../../../lib/netdev.sh"
KEEP_KO=$here/test_modules/rust_unbind_keep.ko
[[ -f $KEEP_KO ]] || KEEP_KO=$RIGB_ROOT/tools/testing/selftests/drivers/net/soundness/test_modules/rust_unbind_keep.ko
DRV=rust_unbind_keep

ktap_plan 10
dmesg_mark
trap 'rmmod $DRV 2>/dev/null; teardown_pair' EXIT
mapfile -t ports < <(igb_ports)
port=${ports[0]}
load_driver rigb
ktap_check "$DRV loads" insmod "$KEEP_KO"
if ! bind_port "$port" $DRV; then
	ktap_fail "port $port bound to $DRV"
	ktap_finish
fi
ktap_ok "port $port bound to $DRV"
# keep0, renamed by udev after the port's slot.
keep=$(pci_iface "$port")
# What the driver holds: the enabled device, its MSI-X vectors, the line
# requested from one, the BAR region and the net_device.
held() {
	echo "enabled $(cat /sys/bus/pci/devices/$port/enable)," \
		"vectors $(ls /sys/bus/pci/devices/$port/msi_irqs 2>/dev/null | wc -l)," \
		"line $(grep -c "$DRV-$port" /proc/interrupts)," \
		"region $(grep -c "$DRV" /proc/iomem), netdev $($IP -o link show "$keep" 2>/dev/null | wc -l)"
}
ktap_eq "while bound: enabled, vectors, line, region, net_device ($keep)" \
	"enabled 1, vectors 1, line 1, region 1, netdev 1" "$(held)"

echo "$port" >/sys/bus/pci/drivers/$DRV/unbind
ktap_eq "right after unbind, the driver still holding them: all released" \
	"enabled 0, vectors 0, line 0, region 0, netdev 0" "$(held)"
for ((t = 0; t < 40; t++)); do
	dmesg_new | grep -q "$DRV: after unbind: released" && break
	sleep 0.25
done
late=$(dmesg_new | sed -n "s/.*$DRV: after unbind: //p" | head -n1)
# Error(19): ENODEV.
ktap_eq "afterwards the kept BAR and line are empty" \
	"$keep: register read Some(Error(19)), affinity hint Some(Error(19))" "$late"
ktap_check "the kept handles were dropped" bash -c "dmesg | grep -q '$DRV: after unbind: released'"
ktap_check "$DRV unloads" rmmod $DRV
ktap_check "rigb binds the port again" bind_port "$port" rigb
a=$(pci_iface "${ports[0]}") b=$(pci_iface "${ports[1]}")
if [[ $(pci_driver "${ports[1]}") != rigb ]]; then
	bind_port "${ports[1]}" rigb
	b=$(pci_iface "${ports[1]}")
fi
if setup_pair "$a" "$b" && ping -q -c 3 -i 0.2 -w 15 $ADDR_B >/dev/null 2>&1; then
	ktap_ok "traffic passes over the port again"
else
	ktap_fail "traffic passes over the port again"
fi
dmesg_clean_since
ktap_finish
