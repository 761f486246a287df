// SPDX-License-Identifier: GPL-2.0
// expect: E0382
// `register` consumes the unregistered device: it cannot be registered (or
// used) again, whether the first attempt succeeded or failed.
fn case() -> Result {
    let reg = Registration::new_ether(1, 1, Dev)?;
    let _ = reg.register();
    let _ = reg.register();
    Ok(())
}
