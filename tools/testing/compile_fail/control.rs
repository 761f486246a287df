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
