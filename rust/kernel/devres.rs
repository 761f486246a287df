// SPDX-License-Identifier: GPL-2.0

//! Device resources released at unbind at the latest (`devres`).
//!
//! C header: [`include/linux/device/devres.h`](srctree/include/linux/device/devres.h)
//!
//! A bus abstraction registers each resource it hands a driver (a register mapping, interrupt
//! vectors, an interrupt line, the enabled device, a net_device with this parent) with the
//! driver core through a [`Devres`]. The resource is released when its owner drops it, or when
//! the device is unbound, whichever comes first: after the driver's `remove` the driver core
//! runs the release of every resource still registered, in the reverse order of registration.
//! A driver that leaks its data (an `Arc` cycle, `mem::forget`) therefore still gives every
//! device resource back at unbind, and none of its interrupt handlers, register accesses or
//! net_device callbacks can run after it; what is left is an empty handle whose accessors fail
//! (a revoked BAR reads all-ones, as a removed device does).
//!
//! The resource is reached in one of two ways:
//! * [`Devres::with`]: inside an RCU read-side critical section, for one non-sleeping
//!   operation (a register access on the hot path: a load and a branch more than a plain
//!   access, see [`crate::revocable`]);
//! * [`Devres::with_locked`]: under the resource's mutex, which also serialises the release:
//!   the operation may sleep (e.g. `disable_irq`).

use crate::{
    alloc::flags::GFP_KERNEL,
    bindings, device,
    error::{code::ENOMEM, Result},
    init::PinInit,
    new_mutex,
    prelude::*,
    revocable::Revocable,
    sync::{Arc, Mutex},
    types::ARef,
};
use core::ffi::c_void;

/// The shared part: the resource and the lock that orders its release against sleeping users.
#[pin_data]
struct Inner<T: Send + Sync + 'static> {
    #[pin]
    lock: Mutex<()>,
    data: Revocable<T>,
}

impl<T: Send + Sync + 'static> Inner<T> {
    /// Releases the resource if it is still held; a second caller waits for the first.
    fn revoke(&self) {
        let _guard = self.lock.lock();
        self.data.revoke();
    }
}

/// The lock of a resource.
///
/// Not generic, and never inlined: `new_mutex!` names the lock class with a string and a static
/// key. In a generic function the key would stay one static of this crate while the string was
/// copied into every crate that instantiates it, and lockdep would find one key under two names.
#[inline(never)]
fn new_lock() -> impl PinInit<Mutex<()>> {
    new_mutex!((), "devres")
}

/// A resource of a bound device, released on drop or at unbind, whichever comes first.
///
/// # Invariants
///
/// A devres node of `dev` with release function `release::<T>` holds one reference to `inner`
/// (a pointer from [`Arc::into_raw`]) from `new` until either the driver core runs the release
/// or `drop` removes the node.
pub(crate) struct Devres<T: Send + Sync + 'static> {
    dev: ARef<device::Device>,
    inner: Arc<Inner<T>>,
}

impl<T: Send + Sync + 'static> Devres<T> {
    /// Registers `data` to be released (dropped) when `dev` is unbound, unless dropped before.
    ///
    /// On failure `data` is dropped (released) before returning.
    ///
    /// # Safety
    ///
    /// `dev` must be bound to a driver (its `probe` is running or succeeded, and it has not
    /// been unbound since): the driver core releases a device's resources when its driver is
    /// unbound or its probe fails.
    pub(crate) unsafe fn new(dev: &device::Device, data: T) -> Result<Self> {
        let inner = Arc::pin_init(
            pin_init!(Inner {
                lock <- new_lock(),
                data: Revocable::new(data),
            }),
            GFP_KERNEL,
        )?;
        // SAFETY: `release::<T>` matches `dr_release_t`; the node's data is one pointer; the
        // name is static.
        let node = unsafe {
            bindings::__devres_alloc_node(
                Some(release::<T>),
                core::mem::size_of::<*const Inner<T>>(),
                bindings::GFP_KERNEL,
                bindings::NUMA_NO_NODE,
                c"rust-devres".as_ptr().cast(),
            )
        };
        if node.is_null() {
            return Err(ENOMEM);
        }
        let raw = Arc::into_raw(inner.clone());
        // SAFETY: `node` is a fresh allocation with room for one pointer, aligned for any type
        // (devres data is `ARCH_KMALLOC_MINALIGN` aligned); `dev` is valid and bound (caller).
        unsafe {
            node.cast::<*const Inner<T>>().write(raw);
            bindings::devres_add(dev.as_raw(), node);
        }
        // INVARIANT: the node holds the reference taken by `into_raw` above.
        Ok(Self {
            dev: dev.into(),
            inner,
        })
    }

    /// Runs `f` on the resource unless it was released; `None` if it was.
    ///
    /// `f` runs inside an RCU read-side critical section and must not sleep: crate-internal,
    /// for single register accesses.
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        self.inner.data.with(f)
    }

    /// Runs `f` on the resource unless it was released, holding the lock that the release
    /// takes: `f` may sleep. `None` if the resource was released.
    pub(crate) fn with_locked<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        let _guard = self.inner.lock.lock();
        // The release takes the lock, so the resource cannot be released while `f` runs; an
        // RCU section is not needed.
        self.inner.data.with(|_| ())?;
        // SAFETY: Available (checked above) and the release, which takes `lock`, cannot run
        // until `_guard` is dropped.
        Some(f(unsafe { self.inner.data.get_unchecked() }))
    }

    /// Releases the resource now (also done on drop). Process context; may sleep.
    pub(crate) fn revoke(&self) {
        self.inner.revoke();
    }
}

impl<T: Send + Sync + 'static> Drop for Devres<T> {
    fn drop(&mut self) {
        // The pointer `Arc::into_raw` gave the node: the address of the shared value.
        let data = core::ptr::from_ref::<Inner<T>>(&self.inner)
            .cast_mut()
            .cast::<c_void>();
        // SAFETY: `dev` is valid; `release::<T>` and `matches::<T>` identify our node, whose
        // data holds the pointer `data`.
        let node = unsafe {
            bindings::devres_remove(
                self.dev.as_raw(),
                Some(release::<T>),
                Some(matches::<T>),
                data,
            )
        };
        if !node.is_null() {
            // SAFETY: We removed our node, which holds one reference from `into_raw` (type
            // invariant); nobody else can reach it any more.
            let held = unsafe { node.cast::<*const Inner<T>>().read() };
            // SAFETY: `held` came from `Arc::into_raw` in `new`; given back once, here.
            drop(unsafe { Arc::from_raw(held) });
            // SAFETY: Allocated by `__devres_alloc_node` and removed from the device.
            unsafe { bindings::devres_free(node) };
        }
        // Released here, or already by the driver core at unbind; if the driver core is
        // releasing it right now, this waits until it is done.
        self.inner.revoke();
    }
}

/// Whether `node` is the node holding `data`.
///
/// # Safety
///
/// Called by the driver core with a node whose release function is `release::<T>`.
unsafe extern "C" fn matches<T: Send + Sync + 'static>(
    _dev: *mut bindings::device,
    node: *mut c_void,
    data: *mut c_void,
) -> crate::ffi::c_int {
    // SAFETY: Nodes with this release function hold one `*const Inner<T>` (type invariant of
    // `Devres`).
    let held = unsafe { node.cast::<*const Inner<T>>().read() };
    crate::ffi::c_int::from(held.cast::<c_void>() == data.cast_const())
}

/// The driver core releases the node (unbind, or a failed probe): release the resource and
/// drop the node's reference.
///
/// The function is instantiated in the crate that names `T`, which is loaded while any of its
/// devices is bound: every node is released by the unbind that precedes the module's unload.
///
/// # Safety
///
/// Called once by the driver core, for a node of `Devres::new` it removed from the device.
unsafe extern "C" fn release<T: Send + Sync + 'static>(
    _dev: *mut bindings::device,
    node: *mut c_void,
) {
    // SAFETY: The node holds one `*const Inner<T>` from `Arc::into_raw` (type invariant of
    // `Devres`); it is released once and no longer reachable by `Devres::drop`.
    let inner = unsafe { Arc::from_raw(node.cast::<*const Inner<T>>().read()) };
    inner.revoke();
}
