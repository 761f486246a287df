// SPDX-License-Identifier: GPL-2.0
// expect: E0133
// An interrupt line comes from the bus that allocated it (pci::IrqVectors::request on
// a bound device), which keeps it allocated: safe code cannot make a request for an
// arbitrary number.
struct Nothing;
impl kernel::irq::IrqSource for Nothing {}
fn case(dev: &kernel::device::Device) -> Result {
    let src: kernel::sync::Arc<dyn kernel::irq::IrqSource> =
        kernel::sync::Arc::new(Nothing, GFP_KERNEL)?;
    let _req = kernel::irq::IrqRequest::new(dev, 5, src);
    Ok(())
}
