// SPDX-License-Identifier: GPL-2.0
// expect: compiles
// The harness's control: correct use of what the other cases misuse. If this
// fails to build, every other case would "fail to compile" for nothing.
struct V;
impl kernel::net::napi::Poll for V {
    type Device = Dev;
    fn poll(_this: &Self, ctx: kernel::net::napi::PollContext<'_>) -> kernel::net::napi::PollDone {
        ctx.finish(0)
    }
}
fn case() -> Result {
    let mut reg = Registration::new_ether(1, 1, Dev)?;
    reg.config().set_lltx(false);
    reg.config().set_mtu(1500);
    let r: Registered<Dev> = reg.register()?;
    let g = rtnl::lock();
    r.dev().set_mtu(&g, 1400);
    drop(g);
    let r = kernel::sync::Arc::new(r, GFP_KERNEL)?;
    let napi = KBox::pin_init(kernel::net::napi::Napi::new(V), GFP_KERNEL)?;
    napi.as_ref().add(r.clone());
    let lock = KBox::pin_init(kernel::new_spinlock!(0u32, "cf"), GFP_KERNEL)?;
    *kernel::bh::lock(&lock) += 1;
    let mut skb = SkBuff::alloc(64, GFP_KERNEL)?;
    skb.put(14)?;
    skb.writable_head(14)?[0] = 1;
    Ok(())
}
struct Quiet;
impl kernel::irq::Handler for Quiet {
    fn handle_irq(&self) -> kernel::irq::IrqReturn {
        kernel::irq::IrqReturn::None
    }
}
fn pci_case(pdev: &kernel::pci::Device<kernel::device::Core>) -> Result {
    let _enabled = pdev.enable_device_mem()?;
    pdev.set_master();
    let bar = pdev.iomap_region::<16>(0, kernel::c_str!("cf"))?;
    let _ = bar.try_read32(0)?;
    let v = pdev.alloc_irq_vectors(1, 1, kernel::pci::IrqTypes::MSIX)?;
    let req = v.request(pdev, 0)?;
    let name = kernel::str::CString::try_from_fmt(kernel::fmt!("cf"))?;
    let flags = kernel::irq::Flags::NONE;
    let _line = KBox::pin_init(kernel::irq::Registration::new(req, flags, name, Quiet), GFP_KERNEL)?;
    let mut reg = Registration::new_ether(1, 1, Dev)?;
    reg.set_parent(pdev.as_bound())?;
    let _r = reg.register()?;
    let _kept: kernel::types::ARef<kernel::pci::Device> = pdev.into();
    Ok(())
}
