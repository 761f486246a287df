// SPDX-License-Identifier: GPL-2.0
// expect: E0308
// A NAPI instance keeps the device it is listed on: `add` takes a counted reference to
// the registered device, not a borrow that could end while the instance is listed.
struct V;
impl kernel::net::napi::Poll for V {
    type Device = Dev;
    fn poll(_this: &Self, ctx: kernel::net::napi::PollContext<'_>) -> kernel::net::napi::PollDone {
        ctx.finish(0)
    }
}
fn case(r: &Registered<Dev>) -> Result {
    let napi = KBox::pin_init(kernel::net::napi::Napi::new(V), GFP_KERNEL)?;
    napi.as_ref().add(r.dev());
    Ok(())
}
