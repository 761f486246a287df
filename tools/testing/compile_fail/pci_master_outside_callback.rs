// SPDX-License-Identifier: GPL-2.0
// expect: E0599
// Bus mastering (and enabling, DMA masks) changes only in the driver's bus
// callbacks (pci::Device<Core>, device lock held), not from any bound context.
fn case(pdev: &kernel::pci::Device<kernel::device::Bound>) {
    pdev.clear_master();
}
