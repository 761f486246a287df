// SPDX-License-Identifier: GPL-2.0
// expect: E0308
// Bottom halves off, then a sleeping lock: `bh::lock` takes only a SpinLock.
fn case() -> Result {
    let m = KBox::pin_init(kernel::new_mutex!(0u32, "cf"), GFP_KERNEL)?;
    let _g = kernel::bh::lock(&m);
    Ok(())
}
