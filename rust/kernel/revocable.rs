// SPDX-License-Identifier: GPL-2.0

//! Objects that can be taken away while references to their container remain.
//!
//! A [`Revocable`] holds an object that another thread may revoke (drop) at any time, for
//! example a device's register mapping when the driver is unbound. Readers reach the object
//! only inside an RCU read-side critical section after checking that it is still there;
//! [`Revocable::revoke`] marks it gone, waits for every critical section that may have seen it
//! (`synchronize_rcu`) and only then drops it.
//!
//! The read-side sections never leave this crate: the accessors built on [`Revocable`] (for
//! example [`crate::pci::Bar`]'s register accessors) run one non-sleeping operation inside
//! each, so no section can contain a sleep (which, with non-preemptible RCU, would end it
//! early).
//!
//! C header: [`include/linux/rcupdate.h`](srctree/include/linux/rcupdate.h)

use crate::bindings;
use core::{
    cell::UnsafeCell,
    marker::PhantomData,
    mem::ManuallyDrop,
    sync::atomic::{AtomicBool, Ordering},
};

/// The RCU read side, the one place that knows what `rcu_read_lock` compiles to.
///
/// Without preemptible RCU, a preemption count or lock debugging, `rcu_read_lock()` and
/// `rcu_read_unlock()` are compiler barriers (`preempt_disable()` is `barrier()` when
/// `CONFIG_PREEMPT_COUNT` is off; the lockdep annotations are empty): the fast path on every
/// register access is then a compiler fence. In any other configuration the C functions run.
pub(crate) mod rcu {
    use core::marker::PhantomData;

    /// Whether `rcu_read_lock()` and `rcu_read_unlock()` are compiler barriers here.
    const BARRIER_ONLY: bool = cfg!(not(any(
        CONFIG_PREEMPT_RCU,
        CONFIG_PREEMPT_COUNT,
        CONFIG_DEBUG_LOCK_ALLOC,
        CONFIG_PROVE_RCU
    )));

    #[inline(always)]
    fn lock() {
        if BARRIER_ONLY {
            core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
        } else {
            // SAFETY: Starts a read-side critical section, ended by `unlock` in `Guard::drop`.
            unsafe { crate::bindings::rcu_read_lock() };
        }
    }

    #[inline(always)]
    fn unlock() {
        if BARRIER_ONLY {
            core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
        } else {
            // SAFETY: Ends the section `Guard::new` started on this CPU (the guard is not
            // `Send`).
            unsafe { crate::bindings::rcu_read_unlock() };
        }
    }

    /// An RCU read-side critical section, ended on drop. Not `Send`: it ends on the CPU and in
    /// the task that started it.
    pub(crate) struct Guard(PhantomData<*mut ()>);

    impl Guard {
        /// Starts a read-side critical section.
        #[inline(always)]
        pub(crate) fn new() -> Self {
            lock();
            Self(PhantomData)
        }
    }

    impl Drop for Guard {
        #[inline(always)]
        fn drop(&mut self) {
            unlock();
        }
    }
}

/// An object that can be revoked (dropped) while the container is still shared.
///
/// # Examples
///
/// ```
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use kernel::revocable::Revocable;
///
/// static DROPS: AtomicU32 = AtomicU32::new(0);
/// struct Mapping;
/// impl Drop for Mapping {
///     fn drop(&mut self) {
///         DROPS.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// let r = Revocable::new(Mapping);
/// assert!(r.is_available());
/// // The first revocation drops the object, once.
/// assert!(r.revoke());
/// assert_eq!(DROPS.load(Ordering::Relaxed), 1);
/// assert!(!r.is_available());
/// assert!(!r.revoke());
/// // Dropping the container does not drop it again.
/// drop(r);
/// assert_eq!(DROPS.load(Ordering::Relaxed), 1);
///
/// // Not revoked: dropped with the container.
/// drop(Revocable::new(Mapping));
/// assert_eq!(DROPS.load(Ordering::Relaxed), 2);
/// ```
///
/// # Invariants
///
/// `data` is initialised while `available` is `true`. It is dropped once, by the caller of
/// [`Revocable::revoke`] that changed `available` to `false` (after a grace period), or by
/// `Drop` if nobody revoked it.
pub struct Revocable<T> {
    available: AtomicBool,
    data: UnsafeCell<ManuallyDrop<T>>,
    _p: PhantomData<T>,
}

// SAFETY: Moving the container moves `T` (or nothing, once revoked).
unsafe impl<T: Send> Send for Revocable<T> {}
// SAFETY: Shared references give `&T` (needs `T: Sync`) and let any thread revoke, which drops
// `T` on that thread (needs `T: Send`).
unsafe impl<T: Send + Sync> Sync for Revocable<T> {}

impl<T> Revocable<T> {
    /// Wraps `data`, available until revoked.
    pub fn new(data: T) -> Self {
        // INVARIANT: initialised and available.
        Self {
            available: AtomicBool::new(true),
            data: UnsafeCell::new(ManuallyDrop::new(data)),
            _p: PhantomData,
        }
    }

    /// Whether the object is still there (it may be revoked right after this returns).
    pub fn is_available(&self) -> bool {
        self.available.load(Ordering::Relaxed)
    }

    /// Runs `f` on the object if it has not been revoked, inside an RCU read-side critical
    /// section that keeps it alive; `None` if it was revoked.
    ///
    /// Crate-internal: `f` must not sleep, which the callers (single register accesses, no
    /// user code) guarantee.
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        let _rcu = rcu::Guard::new();
        if self.available.load(Ordering::Relaxed) {
            // `available` was `true` inside this critical section, so the object was not
            // dropped yet; `f` does not sleep, so the section lasts until it returns.
            // SAFETY: `revoke` waits for this section to end before dropping it (invariant).
            Some(f(unsafe { &*self.data.get() }))
        } else {
            None
        }
    }

    /// The object, without an RCU read-side critical section.
    ///
    /// # Safety
    ///
    /// The object must be available and the caller must exclude every call of
    /// [`Revocable::revoke`] while the reference lives (e.g. by holding the lock that
    /// serialises revocation).
    pub(crate) unsafe fn get_unchecked(&self) -> &T {
        // SAFETY: Available and not revoked while the reference lives (caller).
        unsafe { &*self.data.get() }
    }

    /// Revokes the object: no access starts after this call, accesses in progress are waited
    /// for, then the object is dropped. Returns whether this call revoked it (`false` if it was
    /// already revoked). May sleep.
    pub fn revoke(&self) -> bool {
        if !self.available.swap(false, Ordering::Relaxed) {
            return false;
        }
        // SAFETY: Process context (documented); waits for every read-side section, which
        // includes every `with` that saw `available == true`.
        unsafe { bindings::synchronize_rcu() };
        // SAFETY: This call changed `available` to `false`, so it is the only one to drop the
        // data (type invariant); no access started after the swap and none is still running.
        unsafe { ManuallyDrop::drop(&mut *self.data.get()) };
        true
    }
}

impl<T> Drop for Revocable<T> {
    fn drop(&mut self) {
        if *self.available.get_mut() {
            // SAFETY: Still available, hence initialised and not dropped (type invariant);
            // `&mut self` excludes every other access.
            unsafe { ManuallyDrop::drop(self.data.get_mut()) };
        }
    }
}
