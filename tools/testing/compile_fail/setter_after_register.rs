// SPDX-License-Identifier: GPL-2.0
// expect: E0599
// What the stack reads without locks once the device is published (here
// lltx) can only be set on an `Unregistered` device, not from a callback.
fn case() -> Result {
    let r = Registration::new_ether(1, 1, Dev)?.register()?;
    r.dev().set_lltx(true);
    Ok(())
}
