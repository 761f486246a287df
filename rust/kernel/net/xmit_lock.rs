// SPDX-License-Identifier: GPL-2.0

//! Driver data guarded by a TX queue's xmit lock.
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h).
//!
//! Unless a device is lockless (`lltx`), the core calls `ndo_start_xmit` for a packet with the
//! `_xmit_lock` of the packet's TX queue held (C `HARD_TX_LOCK` on `skb->queue_mapping`'s
//! queue). The producer end of a driver's TX ring is then already serialised: a lock of the
//! driver's own around it costs an atomic read-modify-write pair per packet and protects
//! nothing more. C drivers rely on that in silence; here it is a type:
//!
//! - an [`XmitLock`] is the proof that one queue's xmit lock is held. The driver gets one in
//!   [`NetDeviceOps::start_xmit_locked`] for the packet's queue, and takes one for control
//!   paths with [`NetDev::with_xmit_lock`] (C `__netif_tx_lock_bh`);
//! - an [`XmitCell`] holds data of one queue: once [bound](XmitCell::bind) to the queue, it
//!   hands out `&mut` only against an `XmitLock` of that queue.
//!
//! [`NetDeviceOps::start_xmit_locked`]: super::dev::NetDeviceOps::start_xmit_locked
//! [`NetDev::with_xmit_lock`]: super::dev::NetDev::with_xmit_lock

use super::dev::TxQueue;
use crate::{bindings, error::code::EBUSY, error::Result};
use core::{
    cell::UnsafeCell,
    marker::PhantomData,
    ptr,
    sync::atomic::{AtomicPtr, Ordering},
};

/// Proof that the xmit lock of one TX queue is held for `'a`.
///
/// # Invariants
///
/// The `_xmit_lock` of `txq` is held by the current context for `'a`, and no other `XmitLock`
/// of `txq` is live.
pub struct XmitLock<'a> {
    txq: &'a TxQueue,
    /// A lock is held by the context that took it: not `Send`.
    _not_send: PhantomData<*mut ()>,
}

impl<'a> XmitLock<'a> {
    /// # Safety
    ///
    /// The caller holds the `_xmit_lock` of `txq` for `'a` and creates no other `XmitLock` of
    /// `txq` while this one lives.
    #[inline]
    pub(crate) unsafe fn new(txq: &'a TxQueue) -> Self {
        // INVARIANT: By the safety requirements.
        Self {
            txq,
            _not_send: PhantomData,
        }
    }

    /// The queue whose lock is held.
    #[inline]
    pub fn queue(&self) -> &'a TxQueue {
        self.txq
    }
}

/// Data of one TX queue, reached only by the holder of that queue's xmit lock.
///
/// A new cell is unbound: only [`XmitCell::get_mut`] (exclusive access to the cell itself)
/// reaches the data. [`XmitCell::bind`] ties it to a queue for good; from then on
/// [`XmitCell::get`] gives `&mut` to whoever shows an [`XmitLock`] of that queue.
///
/// # Invariants
///
/// `txq` is null or the queue bound, and never changes once non-null. While bound, `data` is
/// accessed through a shared reference to the cell only by a holder of `txq`'s xmit lock.
pub struct XmitCell<T> {
    txq: AtomicPtr<bindings::netdev_queue>,
    data: UnsafeCell<T>,
}

// SAFETY: `data` is reached through `&XmitCell` only under the bound queue's xmit lock, by one
// context at a time, which may run on any CPU: `T: Send` is what that needs.
unsafe impl<T: Send> Sync for XmitCell<T> {}

// SAFETY: The cell owns its `T`.
unsafe impl<T: Send> Send for XmitCell<T> {}

impl<T> XmitCell<T> {
    /// A new, unbound cell holding `data`.
    pub const fn new(data: T) -> Self {
        Self {
            txq: AtomicPtr::new(ptr::null_mut()),
            data: UnsafeCell::new(data),
        }
    }

    /// Binds the cell to `txq`, before the queue can transmit (e.g. at probe, before the
    /// device is registered). Binding again to the same queue does nothing; binding to
    /// another one fails with `EBUSY`.
    pub fn bind(&self, txq: &TxQueue) -> Result {
        let p = txq.raw();
        match self
            .txq
            .compare_exchange(ptr::null_mut(), p, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => Ok(()),
            Err(cur) if cur == p => Ok(()),
            Err(_) => Err(EBUSY),
        }
    }

    /// The data, if `lock` is the lock of the queue the cell is bound to; `None` otherwise
    /// (unbound, or another queue's lock).
    #[inline]
    pub fn get<'b>(&'b self, lock: &'b mut XmitLock<'_>) -> Option<&'b mut T> {
        // The address only identifies the queue: the lock orders the accesses to `data`.
        if self.txq.load(Ordering::Relaxed) != lock.txq.raw() {
            return None;
        }
        // The cell is bound to the queue whose lock `lock` proves held (type invariant of
        // `XmitLock`); every other access through a shared reference waits for that lock (type
        // invariant), and `lock` stays mutably borrowed for `'b`.
        // SAFETY: So this is the only reference to `data` for `'b`.
        Some(unsafe { &mut *self.data.get() })
    }

    /// The data, through exclusive access to the cell.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}
