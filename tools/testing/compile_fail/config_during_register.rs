// SPDX-License-Identifier: GPL-2.0
// expect: E0505
// The configuration handle borrows the registration: it cannot outlive the
// move into `register`.
fn case() -> Result {
    let mut reg = Registration::new_ether(1, 1, Dev)?;
    let cfg: &Unregistered = reg.config();
    let r = reg.register()?;
    cfg.set_lltx(true);
    Ok(())
}
