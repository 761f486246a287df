// SPDX-License-Identifier: GPL-2.0

//! Networking.

pub mod dev;
pub mod ethtool;
pub mod napi;
#[cfg(CONFIG_RUST_PHYLIB_ABSTRACTIONS)]
pub mod phy;
pub mod rtnl;
pub mod skb;

/// An error from an errno constant that `kernel::error::code` does not name.
pub(crate) fn errno(e: u32) -> crate::error::Error {
    // CAST: errno constants are small positive numbers.
    crate::error::Error::from_errno(-(e as i32))
}
