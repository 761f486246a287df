// SPDX-License-Identifier: GPL-2.0

//! The routing netlink lock (RTNL) and the proof that it is held.
//!
//! C header: [`include/linux/rtnetlink.h`](srctree/include/linux/rtnetlink.h).
//!
//! Configuration of a registered device (MTU, MAC address, queue counts) must be
//! serialised by RTNL. The operations that need it take a [`&Rtnl`](Rtnl): the
//! callbacks the core calls with RTNL held receive one, and a driver's own
//! process-context work takes RTNL with [`lock`], whose guard dereferences to one.

use crate::bindings;
use core::{marker::PhantomData, ops::Deref};

/// Proof that the current task holds RTNL for as long as the reference lives.
///
/// Only the abstractions make one (for a callback the core calls under RTNL, or from an
/// [`RtnlGuard`]); it is neither `Send` nor `Sync`, so it cannot leave the task.
pub struct Rtnl(PhantomData<*mut ()>);

impl Rtnl {
    /// # Safety
    ///
    /// The current task must hold RTNL for `'a`.
    #[inline]
    pub(crate) unsafe fn assume_held<'a>() -> &'a Rtnl {
        &Rtnl(PhantomData)
    }
}

/// RTNL, held until the guard is dropped.
///
/// The guard is not `Send`: RTNL is a mutex, released by the task that took it.
///
/// # Invariants
///
/// RTNL is held by the current task while the guard exists.
pub struct RtnlGuard(Rtnl);

/// Takes RTNL (C `rtnl_lock`). Process context: may sleep.
///
/// Called with RTNL already held (in a callback that has a [`Rtnl`]) it deadlocks, as in C;
/// lockdep reports it.
pub fn lock() -> RtnlGuard {
    // SAFETY: Process context, as documented; `rtnl_lock` sleeps until the mutex is free.
    unsafe { bindings::rtnl_lock() };
    // INVARIANT: Taken just above.
    RtnlGuard(Rtnl(PhantomData))
}

impl Deref for RtnlGuard {
    type Target = Rtnl;

    fn deref(&self) -> &Rtnl {
        &self.0
    }
}

impl Drop for RtnlGuard {
    fn drop(&mut self) {
        // SAFETY: By the type invariant this task holds RTNL.
        unsafe { bindings::rtnl_unlock() };
    }
}
