// SPDX-License-Identifier: GPL-2.0
// expect: E0521
// An interrupt request borrows the bound device: it cannot be kept for later
// (here: a work item), when the device may no longer be bound.
fn case(pdev: &kernel::pci::Device<kernel::device::Bound>, v: &kernel::pci::IrqVectors) -> Result {
    let req = v.request(pdev, 0)?;
    let _ = kernel::workqueue::system().try_spawn(GFP_KERNEL, move || drop(req));
    Ok(())
}
