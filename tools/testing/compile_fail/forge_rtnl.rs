// SPDX-License-Identifier: GPL-2.0
// expect: E0423
// Only the abstractions make an `Rtnl` proof.
fn case(dev: &Device<Dev>) {
    let fake = Rtnl(core::marker::PhantomData);
    dev.set_mtu(&fake, 1400);
}
