// SPDX-License-Identifier: GPL-2.0

//! 802.1Q offloads: tag stripping on receive (CTRL.VME, `ethtool -K rxvlan`), tag insertion on
//! transmit (the context and data descriptors, see `tx.rs`) and the VLAN filter (RCTL.VFE with
//! the 4096-bit table VFTA, filled by the stack through `ndo_vlan_rx_add_vid`).
//!
//! The stack's view (the filter table, the strip setting in the device features) is kept in
//! [`Shared`] and written to the device whenever it starts: a device reset clears both.

use crate::{adapter::Shared, regs::*};
use core::sync::atomic::Ordering;
use kernel::net::dev::VlanId;

/// The 802.1Q ethertype, for VET (C `ETH_P_8021Q`).
const ETH_P_8021Q: u32 = 0x8100;

/// The VFTA word and bit of VLAN id `vid`.
fn vfta_bit(vid: VlanId) -> (usize, u32) {
    let v = usize::from(vid.get());
    (v / 32, 1 << (v % 32))
}

/// Lets VLAN `vid` through the filter (`on`) or filters it out again. RTNL held.
pub(crate) fn set_vid(s: &Shared, vid: VlanId, on: bool) {
    let (word, bit) = vfta_bit(vid);
    let Some(w) = s.ctl.vfta.get(word) else {
        return;
    };
    let v = if on {
        w.fetch_or(bit, Ordering::Relaxed) | bit
    } else {
        w.fetch_and(!bit, Ordering::Relaxed) & !bit
    };
    // Written while down too: the table keeps its value until a reset, and `restore` writes
    // it again then.
    s.hw.wr_q(VFTA::offset(word), v);
}

/// Turns tag stripping on or off (CTRL.VME). RTNL held (CTRL's writers are serialised by it).
pub(crate) fn set_strip(s: &Shared, on: bool) {
    let ctrl = s.hw.rd(CTRL::OFFSET);
    s.hw.wr(CTRL::OFFSET, CTRL::VME.set(ctrl, u32::from(on)));
}

/// Writes the stack's VLAN state to the device: the ethertype of a tag, the whole filter
/// table and the strip setting. Interface start, RTNL held.
pub(crate) fn restore(s: &Shared, strip: bool) {
    let vet = s.hw.rd(VET::OFFSET);
    s.hw.wr(VET::OFFSET, VET::VET.set(vet, ETH_P_8021Q));
    for (n, w) in s.ctl.vfta.iter().enumerate() {
        s.hw.wr_q(VFTA::offset(n), w.load(Ordering::Relaxed));
    }
    set_strip(s, strip);
}
