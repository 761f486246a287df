// SPDX-License-Identifier: GPL-2.0

//! Generic devices that are part of the kernel's driver model.
//!
//! C header: [`include/linux/device.h`](srctree/include/linux/device.h)

use crate::{
    bindings,
    types::{ARef, Opaque},
};
use core::ptr;

/// A reference-counted device.
///
/// This structure represents the Rust abstraction for a C `struct device`. This implementation
/// abstracts the usage of an already existing C `struct device` within Rust code that we get
/// passed from the C side.
///
/// An instance of this abstraction can be obtained temporarily or permanent.
///
/// A temporary one is bound to the lifetime of the C `struct device` pointer used for creation.
/// A permanent instance is always reference-counted and hence not restricted by any lifetime
/// boundaries.
///
/// For subsystems it is recommended to create a permanent instance to wrap into a subsystem
/// specific device structure (e.g. `pci::Device`). This is useful for passing it to drivers in
/// `T::probe()`, such that a driver can store the `ARef<Device>` (equivalent to storing a
/// `struct device` pointer in a C driver) for arbitrary purposes, e.g. allocating DMA coherent
/// memory.
///
/// # Invariants
///
/// A `Device` instance represents a valid `struct device` created by the C portion of the kernel.
///
/// Instances of this type are always reference-counted, that is, a call to `get_device` ensures
/// that the allocation remains valid at least until the matching call to `put_device`.
///
/// `bindings::device::release` is valid to be called from any thread, hence `ARef<Device>` can be
/// dropped from any thread.
#[repr(transparent)]
pub struct Device(Opaque<bindings::device>);

impl Device {
    /// Creates a new reference-counted abstraction instance of an existing `struct device` pointer.
    ///
    /// # Safety
    ///
    /// Callers must ensure that `ptr` is valid, non-null, and has a non-zero reference count,
    /// i.e. it must be ensured that the reference count of the C `struct device` `ptr` points to
    /// can't drop to zero, for the duration of this function call.
    ///
    /// It must also be ensured that `bindings::device::release` can be called from any thread.
    /// While not officially documented, this should be the case for any `struct device`.
    pub unsafe fn get_device(ptr: *mut bindings::device) -> ARef<Self> {
        // SAFETY: By the safety requirements ptr is valid
        unsafe { Self::as_ref(ptr) }.into()
    }

    /// Obtain the raw `struct device *`.
    pub(crate) fn as_raw(&self) -> *mut bindings::device {
        self.0.get()
    }

    /// Convert a raw C `struct device` pointer to a `&'a Device`.
    ///
    /// # Safety
    ///
    /// Callers must ensure that `ptr` is valid, non-null, and has a non-zero reference count,
    /// i.e. it must be ensured that the reference count of the C `struct device` `ptr` points to
    /// can't drop to zero, for the duration of this function call and the entire duration when the
    /// returned reference exists.
    pub unsafe fn as_ref<'a>(ptr: *mut bindings::device) -> &'a Self {
        // SAFETY: Guaranteed by the safety requirements of the function.
        unsafe { &*ptr.cast() }
    }
}

// SAFETY: Instances of `Device` are always reference-counted.
unsafe impl crate::types::AlwaysRefCounted for Device {
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference guarantees that the refcount is non-zero.
        unsafe { bindings::get_device(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: ptr::NonNull<Self>) {
        // SAFETY: The safety requirements guarantee that the refcount is non-zero.
        unsafe { bindings::put_device(obj.cast().as_ptr()) }
    }
}

// SAFETY: As by the type invariant `Device` can be sent to any thread.
unsafe impl Send for Device {}

// SAFETY: `Device` can be shared among threads because all immutable methods are protected by the
// synchronization in `struct device`.
unsafe impl Sync for Device {}

/// The state a bus device reference proves, as a type parameter of the bus's device type
/// (e.g. [`crate::pci::Device`]).
///
/// * [`Normal`]: any reference to the device; the device may be bound to any driver, or none.
/// * [`Bound`]: the device is bound to the calling driver for as long as the reference lives
///   (the driver's `probe`, `remove` and `shutdown` callbacks get one): resources the driver
///   acquires then are released at unbind at the latest ([`crate::devres`]).
/// * [`Core`]: as [`Bound`], and the device lock is held: the bus callbacks themselves, where
///   device-wide settings (enabling, bus mastering, DMA masks) may change.
///
/// A reference of a stronger state converts to a weaker one (by `Deref`); only the bus creates
/// the stronger ones.
pub trait DeviceContext: private::Sealed {}

/// Any reference to a device, see [`DeviceContext`].
pub struct Normal;
/// A device bound to the calling driver, see [`DeviceContext`].
pub struct Bound;
/// A device in a bus callback of its driver, see [`DeviceContext`].
pub struct Core;

mod private {
    pub trait Sealed {}
    impl Sealed for super::Normal {}
    impl Sealed for super::Bound {}
    impl Sealed for super::Core {}
}

/// A generic device bound to the calling driver for as long as the reference lives: what a
/// bus device of context [`Bound`] or [`Core`] gives to generic code (e.g. a net_device's
/// parent), which may register resources released at unbind ([`crate::devres`]).
///
/// # Invariants
///
/// The device is bound to the driver that holds the reference, for the reference's lifetime.
#[repr(transparent)]
pub struct BoundDevice(Device);

impl BoundDevice {
    /// # Safety
    ///
    /// `dev` must be bound to the calling driver for all of `'a`.
    pub(crate) unsafe fn from_device<'a>(dev: &'a Device) -> &'a Self {
        // SAFETY: `repr(transparent)`; bound for `'a` by the safety requirements.
        unsafe { &*ptr::from_ref(dev).cast::<Self>() }
    }
}

impl core::ops::Deref for BoundDevice {
    type Target = Device;

    fn deref(&self) -> &Device {
        &self.0
    }
}

impl DeviceContext for Normal {}
impl DeviceContext for Bound {}
impl DeviceContext for Core {}
