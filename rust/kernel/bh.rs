// SPDX-License-Identifier: GPL-2.0

//! Bottom halves (softirqs) on the local CPU.
//!
//! C header: [`include/linux/bottom_half.h`](srctree/include/linux/bottom_half.h).
//!
//! Process-context code that takes a lock which NAPI polls (softirq context) also take
//! must disable bottom halves around it; otherwise a softirq on the same CPU would spin
//! on the lock its interrupted owner holds.

use crate::{
    bindings,
    sync::{
        lock::{spinlock::SpinLockBackend, Guard},
        SpinLock,
    },
};
use core::{
    marker::PhantomData,
    ops::{Deref, DerefMut},
};

/// Bottom halves are disabled on this CPU while the guard lives (C `local_bh_disable`,
/// re-enabled with `local_bh_enable` on drop).
///
/// # Examples
///
/// ```
/// let guard = kernel::bh::disable();
/// // Softirqs cannot run on this CPU here.
/// drop(guard);
/// ```
///
/// # Invariants
///
/// Created by [`disable`] on the current CPU; the guard cannot leave the task (`!Send`).
pub struct BhGuard(PhantomData<*mut ()>);

/// Disables bottom halves on this CPU until the guard is dropped. Not in hard-IRQ
/// context.
pub fn disable() -> BhGuard {
    // SAFETY: Nestable; balanced by the guard's drop on the same CPU (the guard is
    // `!Send`, and disabled bottom halves keep the task on this CPU).
    unsafe { bindings::local_bh_disable() };
    // INVARIANT: Disabled above.
    BhGuard(PhantomData)
}

impl Drop for BhGuard {
    fn drop(&mut self) {
        // SAFETY: Balances the `local_bh_disable` of `disable`, by the type invariant.
        unsafe { bindings::local_bh_enable() };
    }
}

/// A lock held with bottom halves disabled on this CPU (C `spin_lock_bh`).
///
/// Returned by [`lock`]. The lock is released before bottom halves are enabled again
/// (fields drop in declaration order), so a softirq that runs at that moment finds the lock
/// free.
pub struct BhLockGuard<'a, T: ?Sized> {
    guard: Guard<'a, T, SpinLockBackend>,
    _bh: BhGuard,
}

/// Disables bottom halves, then takes `lock`: for process-context users of a lock that a
/// softirq (a NAPI poll, a transmit) also takes. Not in hard-IRQ context, and not with
/// interrupts disabled (enabling bottom halves would run pending softirqs).
///
/// Only a spinlock: a sleeping lock (`Mutex`) cannot be taken with bottom halves off,
/// and a softirq could not take it at all.
/// (`tools/testing/compile_fail/bh_lock_mutex.rs` checks that one does not compile.)
///
/// # Examples
///
/// ```
/// use kernel::new_spinlock;
///
/// let ring = KBox::pin_init(new_spinlock!(0u32, "bh_lock_doctest"), GFP_KERNEL)?;
/// {
///     let mut g = kernel::bh::lock(&ring);
///     *g += 1;
/// }
/// assert_eq!(*ring.lock(), 1);
/// # Ok::<(), Error>(())
/// ```
pub fn lock<T: ?Sized>(lock: &SpinLock<T>) -> BhLockGuard<'_, T> {
    let bh = disable();
    BhLockGuard {
        guard: lock.lock(),
        _bh: bh,
    }
}

impl<T: ?Sized> Deref for BhLockGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: ?Sized> DerefMut for BhLockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}
