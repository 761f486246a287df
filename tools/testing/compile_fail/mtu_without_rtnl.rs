// SPDX-License-Identifier: GPL-2.0
// expect: E0061
// Changing the MTU of a registered device needs proof that RTNL is held.
fn case(dev: &Device<Dev>) {
    dev.set_mtu(1400);
}
