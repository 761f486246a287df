// SPDX-License-Identifier: GPL-2.0
// expect: E0080
// A PCI driver that asks for a link reset in `error_detected` must also
// re-initialise the device (`slot_reset`) and restart it (`io_resume`): the
// error handler table is built at compile time and refuses a partial set.
struct Half;
kernel::pci_device_table!(HALF_TABLE, half_ids, [kernel::pci::DeviceId::from_id(0x8086, 0x10c9)]);
#[vtable]
impl kernel::pci::Driver for Half {
    const ID_TABLE: &'static dyn kernel::pci::IdTable = &HALF_TABLE;
    fn probe(
        _pdev: &kernel::pci::Device<kernel::device::Core>,
        _id: &kernel::pci::DeviceId,
    ) -> Result<Pin<KBox<Self>>> {
        Ok(KBox::pin(Half, GFP_KERNEL)?)
    }
    fn error_detected(
        _pdev: &kernel::pci::Device<kernel::device::Core>,
        _this: Pin<&Self>,
        _state: kernel::pci::ChannelState,
    ) -> kernel::pci::ErsResult {
        kernel::pci::ErsResult::NeedReset
    }
}
pub fn case(module: &'static ThisModule) -> Result {
    let _reg = kernel::pci::__register::<Half>(kernel::c_str!("half"), module)?;
    Ok(())
}
