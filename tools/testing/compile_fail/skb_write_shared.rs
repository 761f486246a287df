// SPDX-License-Identifier: GPL-2.0
// expect: E0599
// There is no unconditional writable view of an sk_buff's data (a clone
// shares it): writes go through `writable_head`, which unshares first.
fn case(skb: &mut SkBuff) {
    skb.data_mut()[0] = 0;
}
