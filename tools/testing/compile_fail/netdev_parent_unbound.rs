// SPDX-License-Identifier: GPL-2.0
// expect: E0308
// A net_device's parent must be bound to this driver (device::BoundDevice,
// from pci::Device::as_bound): its unbind unregisters the net_device.
fn case(parent: &kernel::device::Device) -> Result {
    let mut reg = Registration::new_ether(1, 1, Dev)?;
    reg.set_parent(parent)?;
    Ok(())
}
