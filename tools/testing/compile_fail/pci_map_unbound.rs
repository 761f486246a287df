// SPDX-License-Identifier: GPL-2.0
// expect: E0599
// Mapping a BAR needs the device bound to this driver (pci::Device<Bound>, as
// the driver callbacks give it): a reference the driver kept (ARef<pci::Device>)
// could outlive the binding.
fn case(pdev: &kernel::pci::Device) -> Result {
    let _bar = pdev.iomap_region::<16>(0, kernel::c_str!("cf"))?;
    Ok(())
}
