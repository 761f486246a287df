// SPDX-License-Identifier: GPL-2.0

//! Networking.

pub mod dev;
pub mod ethtool;
pub mod napi;
#[cfg(CONFIG_RUST_PHYLIB_ABSTRACTIONS)]
pub mod phy;
pub mod qstats;
pub mod rtnl;
pub mod rtnl_lock;
pub mod rx_mode;
pub mod rx_page;
pub mod skb;
pub mod slot_ring;
pub mod xdp;
pub mod xmit_lock;

/// An error from an errno constant that `kernel::error::code` does not name.
pub(crate) fn errno(e: u32) -> crate::error::Error {
    // CAST: errno constants are small positive numbers.
    crate::error::Error::from_errno(-(e as i32))
}

/// Networking error codes that [`crate::error::code`] does not declare.
pub mod code {
    use crate::{bindings, error::Error};

    /// `ENOTCONN`: the device is not connected (e.g. a pair end without its peer).
    pub fn enotconn() -> Error {
        super::errno(bindings::ENOTCONN)
    }

    /// `ENETDOWN`: the network (device) is down.
    pub fn enetdown() -> Error {
        super::errno(bindings::ENETDOWN)
    }

    /// `ENOBUFS`: no buffer space (a queue is full).
    pub fn enobufs() -> Error {
        super::errno(bindings::ENOBUFS)
    }

    /// `EADDRNOTAVAIL`: not a usable address.
    pub fn eaddrnotavail() -> Error {
        super::errno(bindings::EADDRNOTAVAIL)
    }
}
