// SPDX-License-Identifier: GPL-2.0

//! Receive filter configuration: the context of `ndo_set_rx_mode`.
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h)
//! (`netdev_for_each_uc_addr`, `netdev_for_each_mc_addr`, `struct netdev_hw_addr`).
//!
//! The core calls [`super::dev::NetDeviceOps::set_rx_mode`] whenever the interface flags
//! (promiscuous, all-multicast) or its secondary unicast or multicast address lists change,
//! with the device's address list lock held and bottom halves disabled. The lists may only be
//! walked under that lock, so the only way to walk them is through the [`RxMode`] the callback
//! receives: it cannot be created elsewhere, cannot leave the callback (it borrows the
//! callback's frame) and cannot be sent to another thread.

use super::dev::{flags, NetDev, ETH_ALEN};
use crate::bindings;
use core::marker::PhantomData;

/// The state `set_rx_mode` applies: interface flags and address lists.
///
/// # Invariants
///
/// Only created by the `ndo_set_rx_mode` trampoline, which runs with `netif_addr_lock_bh`
/// held on `dev`: the `uc` and `mc` lists do not change while an `RxMode` exists.
pub struct RxMode<'a> {
    dev: &'a NetDev,
    // Not `Send`/`Sync`: the address lock belongs to the calling context.
    _lock: PhantomData<*mut ()>,
}

impl<'a> RxMode<'a> {
    /// # Safety
    ///
    /// The caller must hold `dev`'s address list lock (`netif_addr_lock_bh`) for `'a`.
    pub(crate) unsafe fn new(dev: &'a NetDev) -> Self {
        // INVARIANT: The caller holds the address lock for `'a`.
        Self {
            dev,
            _lock: PhantomData,
        }
    }

    /// The interface flags ([`flags`]).
    pub fn flags(&self) -> u32 {
        self.dev.flags()
    }

    /// Whether every frame is to be received (`IFF_PROMISC`).
    pub fn promisc(&self) -> bool {
        self.flags() & flags::PROMISC != 0
    }

    /// Whether every multicast frame is to be received (`IFF_ALLMULTI`).
    pub fn allmulti(&self) -> bool {
        self.flags() & flags::ALLMULTI != 0
    }

    fn list(&self, mc: bool) -> *mut bindings::netdev_hw_addr_list {
        let dev = self.dev.as_raw();
        if mc {
            // SAFETY: `dev` is valid; only the field's address is taken.
            unsafe { core::ptr::addr_of_mut!((*dev).mc) }
        } else {
            // SAFETY: As above.
            unsafe { core::ptr::addr_of_mut!((*dev).uc) }
        }
    }

    fn count(&self, mc: bool) -> usize {
        // SAFETY: The list is valid and, by the type invariant, not changing.
        let n = unsafe { (*self.list(mc)).count };
        usize::try_from(n).unwrap_or(0)
    }

    /// Number of secondary unicast addresses (C `netdev_uc_count`).
    pub fn uc_count(&self) -> usize {
        self.count(false)
    }

    /// Number of multicast addresses (C `netdev_mc_count`).
    pub fn mc_count(&self) -> usize {
        self.count(true)
    }

    fn iter(&self, mc: bool) -> HwAddrs<'_> {
        let list = self.list(mc);
        // SAFETY: `list` is valid; `list.list` is an initialised list head.
        let head = unsafe { core::ptr::addr_of_mut!((*list).list) };
        // SAFETY: As above; the list does not change (type invariant).
        let next = unsafe { (*head).next };
        HwAddrs {
            head,
            next,
            _mode: PhantomData,
        }
    }

    /// The secondary unicast addresses (C `netdev_for_each_uc_addr`).
    pub fn uc_addrs(&self) -> HwAddrs<'_> {
        self.iter(false)
    }

    /// The multicast addresses (C `netdev_for_each_mc_addr`).
    pub fn mc_addrs(&self) -> HwAddrs<'_> {
        self.iter(true)
    }
}

/// Iterator over an address list of an [`RxMode`]; yields copies of the addresses.
///
/// # Invariants
///
/// `head` is the head of a `netdev_hw_addr_list` that does not change for `'a` (the address lock
/// is held); `next` is `head` or a `list` member of one of its `netdev_hw_addr` entries.
pub struct HwAddrs<'a> {
    head: *mut bindings::list_head,
    next: *mut bindings::list_head,
    _mode: PhantomData<&'a RxMode<'a>>,
}

impl Iterator for HwAddrs<'_> {
    type Item = [u8; ETH_ALEN];

    fn next(&mut self) -> Option<Self::Item> {
        if self.next == self.head || self.next.is_null() {
            return None;
        }
        let off = core::mem::offset_of!(bindings::netdev_hw_addr, list);
        // CAST: `next` is the `list` member of a `netdev_hw_addr` (type invariant): container_of.
        let ha = self
            .next
            .cast::<u8>()
            .wrapping_sub(off)
            .cast::<bindings::netdev_hw_addr>();
        let mut a = [0u8; ETH_ALEN];
        // SAFETY: `ha` is a live entry of the locked list; `addr` holds MAX_ADDR_LEN (32) bytes,
        // of which an Ethernet device uses the first ETH_ALEN.
        unsafe {
            core::ptr::copy_nonoverlapping((*ha).addr.as_ptr(), a.as_mut_ptr(), ETH_ALEN);
            // INVARIANT: The next member of the same, unchanging list.
            self.next = (*self.next).next;
        }
        Some(a)
    }
}
