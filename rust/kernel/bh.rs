// SPDX-License-Identifier: GPL-2.0

//! Bottom halves (softirqs) on the local CPU.
//!
//! C header: [`include/linux/bottom_half.h`](srctree/include/linux/bottom_half.h).
//!
//! Process-context code that takes a lock which NAPI polls (softirq context) also take
//! must disable bottom halves around it; otherwise a softirq on the same CPU would spin
//! on the lock its interrupted owner holds.

use crate::bindings;
use core::marker::PhantomData;

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
