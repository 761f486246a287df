// SPDX-License-Identifier: GPL-2.0

//! PCI devices and drivers.
//!
//! C header: [`include/linux/pci.h`](srctree/include/linux/pci.h)
//!
//! A PCI driver implements [`Driver`]: an ID table built with [`pci_device_table!`] (which also
//! emits the `MODULE_DEVICE_TABLE` alias, so `modinfo` lists the device aliases), `probe`
//! returning the pinned driver data, and `remove`. [`module_pci_driver!`] registers it.
//!
//! The callbacks get the device as [`Device<Core>`]: bound to the driver, device lock held.
//! Resources a driver acquires through it are owned values, released on drop or at unbind,
//! whichever comes first ([`crate::devres`]): the [`Enabled`] device (disabled), a mapped
//! [`Bar`] (unmapped and its region released; its accessors then fail, reads returning
//! all-ones as from a removed device), the [`IrqVectors`] and the interrupt lines requested
//! from them. After unbind nothing the driver kept can reach the device, whatever the driver
//! leaked; while bound, the order in which a driver drops them does not matter (interrupt
//! lines keep their vectors allocated).

use crate::{
    alloc::{flags::GFP_KERNEL, KBox},
    bindings,
    device::{self, Bound, Core, DeviceContext, Normal},
    devres::Devres,
    error::{code::*, from_result, to_result, Error, Result, VTABLE_DEFAULT_ERROR},
    init::{self, InPlaceInit, PinInit},
    io::{Io, IoRaw},
    irq::{IrqRequest, IrqSource},
    str::CStr,
    sync::Arc,
    types::{ARef, AlwaysRefCounted, Opaque},
    ThisModule,
};
use core::{
    fmt,
    marker::{PhantomData, PhantomPinned},
    ops::Deref,
    pin::Pin,
    ptr::{addr_of_mut, NonNull},
};
use macros::vtable;

/// Matches any vendor, device, subvendor or subdevice ID (`PCI_ANY_ID`).
pub const PCI_ANY_ID: u32 = !0;

/// One entry of a PCI ID table (`struct pci_device_id`).
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct DeviceId(bindings::pci_device_id);

impl DeviceId {
    /// An ID that matches `vendor`:`device`, any subsystem (`PCI_DEVICE(vendor, device)`).
    pub const fn from_id(vendor: u32, device: u32) -> Self {
        Self(bindings::pci_device_id {
            vendor,
            device,
            subvendor: PCI_ANY_ID,
            subdevice: PCI_ANY_ID,
            class: 0,
            class_mask: 0,
            driver_data: 0,
            override_only: 0,
        })
    }

    /// The all-zero ID that terminates a table.
    const fn zero() -> Self {
        Self::from_id(0, 0).with_any_sub(0)
    }

    const fn with_any_sub(mut self, sub: u32) -> Self {
        self.0.subvendor = sub;
        self.0.subdevice = sub;
        self
    }

    /// The vendor ID this entry matches.
    pub const fn vendor(&self) -> u32 {
        self.0.vendor
    }

    /// The device ID this entry matches.
    pub const fn device(&self) -> u32 {
        self.0.device
    }
}

/// A zero-terminated array of `N` [`DeviceId`]s, laid out as the C side expects it.
///
/// Built by [`pci_device_table!`].
#[repr(C)]
pub struct IdArray<const N: usize> {
    ids: [DeviceId; N],
    sentinel: DeviceId,
}

impl<const N: usize> IdArray<N> {
    /// Creates the table from its entries; the terminating zero entry is appended.
    pub const fn new(ids: [DeviceId; N]) -> Self {
        Self {
            ids,
            sentinel: DeviceId::zero(),
        }
    }
}

/// A PCI ID table as seen by the driver core: a pointer to a zero-terminated array.
pub trait IdTable: Sync {
    /// Returns the pointer to the first entry of the zero-terminated array.
    fn as_ptr(&self) -> *const bindings::pci_device_id;
}

impl<const N: usize> IdTable for IdArray<N> {
    fn as_ptr(&self) -> *const bindings::pci_device_id {
        // CAST: `IdArray` is `repr(C)`: `N` transparent `DeviceId`s followed by the sentinel.
        core::ptr::from_ref(self).cast()
    }
}

/// Declares a PCI ID table `$table` and its `MODULE_DEVICE_TABLE(pci, ...)` alias.
///
/// The alias is a copy of the table under the symbol name modpost looks for
/// (`__mod_pci__<name>_device_table`), so that the module gets its `alias=pci:...` entries.
///
/// # Examples
///
/// ```
/// use kernel::pci::{DeviceId, IdTable, PCI_ANY_ID};
///
/// kernel::pci_device_table!(
///     SAMPLE_PCI_TABLE,
///     sample_pci_ids,
///     [DeviceId::from_id(0x8086, 0x10c9), DeviceId::from_id(0x8086, 0x10e6)]
/// );
///
/// // Two entries and the zero sentinel the PCI core stops at, laid out contiguously.
/// let table: &dyn IdTable = &SAMPLE_PCI_TABLE;
/// let ids = table.as_ptr();
/// // SAFETY: `IdArray` is `repr(C)` with the entries followed by the sentinel, so the three
/// // elements are in bounds.
/// let (first, second, end) = unsafe { (*ids, *ids.add(1), *ids.add(2)) };
/// assert_eq!((first.vendor, first.device, first.subvendor), (0x8086, 0x10c9, PCI_ANY_ID));
/// assert_eq!(second.device, 0x10e6);
/// assert_eq!((end.vendor, end.device, end.subvendor), (0, 0, 0));
/// ```
#[macro_export]
macro_rules! pci_device_table {
    ($table:ident, $module_table:ident, [$($id:expr),+ $(,)?]) => {
        const $table: $crate::pci::IdArray<
            { <[&str]>::len(&[$(::core::stringify!($id)),+]) }
        > = $crate::pci::IdArray::new([$($id),+]);

        #[cfg(MODULE)]
        #[used]
        #[allow(non_upper_case_globals, reason = "named like the C MODULE_DEVICE_TABLE alias")]
        #[export_name = ::core::concat!(
            "__mod_pci__", ::core::stringify!($module_table), "_device_table"
        )]
        static $module_table: $crate::pci::IdArray<
            { <[&str]>::len(&[$(::core::stringify!($id)),+]) }
        > = $table;
    };
}

/// The state of a device's PCI channel when an uncorrectable error is reported
/// (`pci_channel_state_t`), as [`Driver::error_detected`] gets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelState {
    /// The link still works (a non-fatal error): the device can be accessed and the driver may
    /// recover without a reset (`pci_channel_io_normal`).
    Normal,
    /// I/O to the device is blocked (a fatal error): the device will be reset, and its
    /// registers read all-ones until then (`pci_channel_io_frozen`).
    Frozen,
    /// The device is dead and will be removed (`pci_channel_io_perm_failure`).
    PermFailure,
}

impl ChannelState {
    /// Decodes the C value. An unknown value is taken as the worst case, a dead device.
    fn from_raw(state: bindings::pci_channel_state_t) -> Self {
        match state {
            bindings::pci_channel_io_normal => Self::Normal,
            bindings::pci_channel_io_frozen => Self::Frozen,
            _ => Self::PermFailure,
        }
    }
}

/// What a driver's error handler asks of PCI error recovery (`pci_ers_result_t`).
///
/// The PCI core merges the answers of every driver below the failing link: one
/// [`ErsResult::Disconnect`] ends recovery; otherwise one [`ErsResult::NeedReset`] makes it reset
/// the link and call every [`Driver::slot_reset`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErsResult {
    /// The driver can recover without a reset (`PCI_ERS_RESULT_CAN_RECOVER`).
    CanRecover,
    /// The driver needs the link (slot) reset to recover (`PCI_ERS_RESULT_NEED_RESET`).
    NeedReset,
    /// The device cannot be recovered (`PCI_ERS_RESULT_DISCONNECT`).
    Disconnect,
    /// The device works again (`PCI_ERS_RESULT_RECOVERED`).
    Recovered,
}

impl ErsResult {
    fn to_raw(self) -> bindings::pci_ers_result_t {
        match self {
            Self::CanRecover => bindings::pci_ers_result_PCI_ERS_RESULT_CAN_RECOVER,
            Self::NeedReset => bindings::pci_ers_result_PCI_ERS_RESULT_NEED_RESET,
            Self::Disconnect => bindings::pci_ers_result_PCI_ERS_RESULT_DISCONNECT,
            Self::Recovered => bindings::pci_ers_result_PCI_ERS_RESULT_RECOVERED,
        }
    }
}

/// The PCI driver trait.
///
/// `probe` runs in process context with the device lock held and may sleep; so does `remove`.
/// The driver data returned by `probe` is dropped right after `remove` returns.
///
/// The other callbacks are optional (a `#[vtable]` trait: implement them in a `#[vtable]`
/// impl), in two groups that are all-or-nothing, checked at build time:
///
/// * System sleep ([`Driver::suspend`], [`Driver::resume`]): installed as the driver's
///   `dev_pm_ops` with the mapping of C `SET_SYSTEM_SLEEP_PM_OPS`, so `suspend` also serves
///   hibernation's `freeze` and `poweroff`, and `resume` its `thaw` and `restore`. The PCI
///   core saves the config space and puts the device into a low-power state after `suspend`
///   (in its `suspend_noirq` phase), and brings it back to D0 and restores the config space
///   before `resume`: the driver only quiesces and re-initialises its device.
/// * PCIe error recovery ([`Driver::error_detected`], [`Driver::slot_reset`],
///   [`Driver::io_resume`]): installed as the driver's `pci_error_handlers`. The config space
///   is saved once `probe` succeeds; a link reset loses it, and it is restored (and saved
///   again, for a later error) right before `slot_reset` is called.
///
/// Every callback gets the device as [`Device<Core>`]: the PCI core calls them with the device
/// lock held, for a device bound to this driver, never concurrently with each other or with
/// `probe` and `remove`.
///
/// # Examples
///
/// ```
/// use kernel::pci::{self, ChannelState, ErsResult};
/// use kernel::{device::Core, prelude::*};
///
/// struct Sample;
///
/// kernel::pci_device_table!(SAMPLE_TABLE, sample_ids, [pci::DeviceId::from_id(0x8086, 0x10c9)]);
///
/// #[vtable]
/// impl pci::Driver for Sample {
///     const ID_TABLE: &'static dyn pci::IdTable = &SAMPLE_TABLE;
///
///     fn probe(_pdev: &pci::Device<Core>, _id: &pci::DeviceId) -> Result<Pin<KBox<Self>>> {
///         Ok(KBox::pin(Sample, GFP_KERNEL)?)
///     }
///
///     fn suspend(_pdev: &pci::Device<Core>, _this: Pin<&Self>) -> Result {
///         // Stop DMA and interrupts; the PCI core saves the state and powers down.
///         Ok(())
///     }
///
///     fn resume(_pdev: &pci::Device<Core>, _this: Pin<&Self>) -> Result {
///         // Back in D0 with the config space restored: re-initialise the device.
///         Ok(())
///     }
///
///     fn error_detected(
///         _pdev: &pci::Device<Core>,
///         _this: Pin<&Self>,
///         state: ChannelState,
///     ) -> ErsResult {
///         match state {
///             ChannelState::Normal => ErsResult::CanRecover,
///             ChannelState::Frozen => ErsResult::NeedReset,
///             ChannelState::PermFailure => ErsResult::Disconnect,
///         }
///     }
///
///     fn slot_reset(_pdev: &pci::Device<Core>, _this: Pin<&Self>) -> ErsResult {
///         ErsResult::Recovered
///     }
///
///     fn io_resume(_pdev: &pci::Device<Core>, _this: Pin<&Self>) {}
/// }
///
/// // The tables the PCI core gets: sleep callbacks for all six system transitions, and the
/// // three error handlers.
/// let pm = pci::pm_ops::<Sample>().expect("suspend and resume are implemented");
/// assert!(pm.suspend.is_some() && pm.freeze.is_some() && pm.poweroff.is_some());
/// assert!(pm.resume.is_some() && pm.thaw.is_some() && pm.restore.is_some());
/// assert!(pm.runtime_suspend.is_none());
/// let err = pci::error_handlers::<Sample>().expect("error handlers are implemented");
/// assert!(err.error_detected.is_some() && err.slot_reset.is_some() && err.resume.is_some());
/// assert!(err.mmio_enabled.is_none());
/// ```
#[vtable]
pub trait Driver: Send + Sync + Sized + 'static {
    /// The table of devices this driver binds to.
    const ID_TABLE: &'static dyn IdTable;

    /// Binds the driver to `pdev`, which matched `id`.
    fn probe(pdev: &Device<Core>, id: &DeviceId) -> Result<Pin<KBox<Self>>>;

    /// Unbinds the driver: quiesce the device here (it is still accessible); the driver data
    /// is dropped right after, then every device resource still held is released.
    fn remove(_pdev: &Device<Core>, _this: Pin<&Self>) {}

    /// The system is shutting down or rebooting: stop the device's DMA and interrupts. The
    /// driver stays bound (no `remove` follows). Process context.
    fn shutdown(_pdev: &Device<Core>, _this: Pin<&Self>) {}

    /// The system goes to sleep (or hibernation freezes or powers off): stop the device's DMA
    /// and interrupts. Process context; user space is frozen.
    ///
    /// On `Err` the sleep is aborted and this device is not resumed (the others are): it must
    /// then be left working. Implement [`Driver::resume`] with it.
    fn suspend(_pdev: &Device<Core>, _this: Pin<&Self>) -> Result {
        crate::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// The system wakes up (or hibernation thaws or restores): the device is in D0 with its
    /// config space restored, its other state lost or stale; re-initialise it. Process context.
    fn resume(_pdev: &Device<Core>, _this: Pin<&Self>) -> Result {
        crate::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// An uncorrectable error was reported on the device's link, which is in `state`. Stop
    /// using the device unless `state` is [`ChannelState::Normal`], and say what recovery
    /// needs. Process context (the AER recovery thread). Implement [`Driver::slot_reset`] and
    /// [`Driver::io_resume`] with it.
    fn error_detected(_pdev: &Device<Core>, _this: Pin<&Self>, _state: ChannelState) -> ErsResult {
        crate::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// The link was reset after [`ErsResult::NeedReset`]: the config space is restored;
    /// re-initialise the hardware and return [`ErsResult::Recovered`] if it answers, else
    /// [`ErsResult::Disconnect`]. Do not restart traffic yet. Process context.
    fn slot_reset(_pdev: &Device<Core>, _this: Pin<&Self>) -> ErsResult {
        crate::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Recovery succeeded: traffic may flow again. Process context.
    fn io_resume(_pdev: &Device<Core>, _this: Pin<&Self>) {
        crate::build_error(VTABLE_DEFAULT_ERROR)
    }
}

/// A registration of a PCI driver with the PCI core; unregistered on drop.
///
/// # Invariants
///
/// `drv` is registered with the PCI core from a successful `new` until `drop`.
pub struct Registration<T: Driver> {
    drv: Opaque<bindings::pci_driver>,
    _pin: PhantomPinned,
    _p: PhantomData<T>,
}

// SAFETY: The registration only holds a `pci_driver` that the PCI core synchronises itself; it
// can be dropped (unregistered) from any thread.
unsafe impl<T: Driver> Send for Registration<T> {}
// SAFETY: `&Registration` offers no methods.
unsafe impl<T: Driver> Sync for Registration<T> {}

impl<T: Driver> Registration<T> {
    /// Registers driver `T` under `name` for `module`.
    pub fn new(name: &'static CStr, module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let init = move |slot: *mut Self| {
            // SAFETY: `slot` is valid for writes and pinned (guaranteed by the `PinInit`
            // contract).
            let drv = unsafe { Opaque::raw_get(addr_of_mut!((*slot).drv)) };
            // SAFETY: `drv` is valid for writes; all-zeroes is a valid `pci_driver` (null
            // pointers, no ops).
            unsafe { drv.write(core::mem::zeroed()) };
            // SAFETY: `drv` is valid and initialised.
            unsafe {
                (*drv).name = name.as_char_ptr();
                (*drv).id_table = T::ID_TABLE.as_ptr();
                (*drv).probe = Some(probe_callback::<T>);
                (*drv).remove = Some(remove_callback::<T>);
                (*drv).shutdown = Some(shutdown_callback::<T>);
                (*drv).driver.pm = pm_ops::<T>().map_or(core::ptr::null(), core::ptr::from_ref);
                (*drv).err_handler =
                    error_handlers::<T>().map_or(core::ptr::null(), core::ptr::from_ref);
            }
            // SAFETY: `drv` is a valid, pinned `pci_driver` that stays alive until it is
            // unregistered in `drop`; `name` and the ID table are `'static`.
            to_result(unsafe {
                bindings::__pci_register_driver(drv, module.as_ptr(), name.as_char_ptr())
            })
            // INVARIANT: registered if we return `Ok`; the other fields are zero-sized.
        };
        // SAFETY: On `Ok` every field is initialised (the others are ZSTs); on `Err` nothing
        // needs dropping (a zeroed `pci_driver` owns nothing) and the slot may be reused.
        unsafe { init::pin_init_from_closure(init) }
    }
}

impl<T: Driver> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the driver is registered; unregistering unbinds every
        // device (calling `remove`) before returning.
        unsafe { bindings::pci_unregister_driver(self.drv.get()) };
    }
}

/// The C `probe` callback of a [`Registration`].
///
/// # Safety
///
/// Called only by the PCI core, with a valid `pdev` and an `id` from our table.
unsafe extern "C" fn probe_callback<T: Driver>(
    pdev: *mut bindings::pci_dev,
    id: *const bindings::pci_device_id,
) -> crate::ffi::c_int {
    from_result(|| {
        // SAFETY: The PCI core calls `probe` with a valid `pdev`, with its device lock held,
        // being bound to us for the duration of the call.
        let dev = unsafe { Device::<Core>::from_raw(pdev) };
        // SAFETY: `id` points into our ID table (`DeviceId` is a transparent wrapper).
        let id = unsafe { &*id.cast::<DeviceId>() };
        let data = T::probe(dev, id)?;
        // SAFETY: The data is pinned; it is only turned back into a `Pin<KBox<T>>` in `remove`.
        let ptr = KBox::into_raw(unsafe { Pin::into_inner_unchecked(data) });
        // SAFETY: `pdev` is valid; the driver core owns the drvdata slot while we are bound.
        unsafe { bindings::pci_set_drvdata(pdev, ptr.cast()) };
        if T::HAS_ERROR_DETECTED && dev.save_state().is_err() {
            // Recovery from a link reset then restores an older copy; the device still works.
            crate::dev_warn!(dev, "config space not saved: error recovery may fail\n");
        }
        Ok(0)
    })
}

/// The C `remove` callback of a [`Registration`].
///
/// # Safety
///
/// Called only by the PCI core, once, for a device `probe_callback` succeeded on.
unsafe extern "C" fn remove_callback<T: Driver>(pdev: *mut bindings::pci_dev) {
    // SAFETY: `pdev` is the device `probe_callback` succeeded on.
    let ptr = unsafe { bindings::pci_get_drvdata(pdev) }.cast::<T>();
    if ptr.is_null() {
        return;
    }
    // SAFETY: `ptr` came from `KBox::into_raw` of pinned data in `probe_callback`; ownership is
    // taken back exactly once, here.
    let data = unsafe { Pin::new_unchecked(KBox::from_raw(ptr)) };
    // SAFETY: `remove` runs with the device lock held and the device still bound to us.
    let dev = unsafe { Device::<Core>::from_raw(pdev) };
    T::remove(dev, data.as_ref());
    drop(data);
    // SAFETY: `pdev` is valid; clear the stale pointer.
    unsafe { bindings::pci_set_drvdata(pdev, core::ptr::null_mut()) };
}

/// The C `shutdown` callback of a [`Registration`].
///
/// # Safety
///
/// Called only by the PCI core, for a device we are bound to.
unsafe extern "C" fn shutdown_callback<T: Driver>(pdev: *mut bindings::pci_dev) {
    // SAFETY: `shutdown` runs with the device lock held, for a device bound to us.
    if let Some((dev, this)) = unsafe { bound_args::<T>(pdev) } {
        T::shutdown(dev, this);
    }
}

/// The driver data and device of a callback the PCI core makes for `pdev` with the device lock
/// held; `None` if no driver data is set (not bound to us).
///
/// # Safety
///
/// `pdev` must be a valid device, and the caller a callback of driver `T`'s registration that
/// the core calls with `pdev`'s device lock held while `pdev` is bound to `T` (so neither `probe`
/// nor `remove` runs meanwhile), for the whole of `'a`.
unsafe fn bound_args<'a, T: Driver>(
    pdev: *mut bindings::pci_dev,
) -> Option<(&'a Device<Core>, Pin<&'a T>)> {
    // SAFETY: `pdev` is valid (caller); while bound to us the drvdata is ours.
    let ptr = unsafe { bindings::pci_get_drvdata(pdev) }.cast::<T>();
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` is the pinned driver data set in `probe_callback`, alive until `remove`,
    // which cannot run during `'a` (the caller holds the device lock).
    let this = unsafe { Pin::new_unchecked(&*ptr) };
    // SAFETY: The device lock is held and the device bound to us for `'a` (caller).
    let dev = unsafe { Device::<Core>::from_raw(pdev) };
    Some((dev, this))
}

/// The `pci_dev` of the `struct device` a PM callback gets.
///
/// # Safety
///
/// `dev` must be the `struct device` embedded in a valid `pci_dev`.
unsafe fn pm_pci_dev(dev: *mut bindings::device) -> *mut bindings::pci_dev {
    // SAFETY: `dev` is the `dev` field of a `pci_dev` (caller), so the result stays within it.
    unsafe { crate::container_of!(dev, bindings::pci_dev, dev) }.cast_mut()
}

/// The C `suspend` (also `freeze`, `poweroff`) PM callback of a [`Registration`].
///
/// # Safety
///
/// Called only by the PM core, for the device of a `pci_dev` bound to `T`.
unsafe extern "C" fn suspend_callback<T: Driver>(dev: *mut bindings::device) -> crate::ffi::c_int {
    from_result(|| {
        // SAFETY: The PCI bus's PM callbacks pass the device of a `pci_dev`.
        let pdev = unsafe { pm_pci_dev(dev) };
        // SAFETY: The PM core calls the system sleep callbacks (other than the `_late` and
        // `_noirq` ones) with the device lock held, for a bound device (`dev->driver` is ours).
        if let Some((pdev, this)) = unsafe { bound_args::<T>(pdev) } {
            T::suspend(pdev, this)?;
        }
        Ok(0)
    })
}

/// The C `resume` (also `thaw`, `restore`) PM callback of a [`Registration`].
///
/// # Safety
///
/// Called only by the PM core, for the device of a `pci_dev` bound to `T`.
unsafe extern "C" fn resume_callback<T: Driver>(dev: *mut bindings::device) -> crate::ffi::c_int {
    from_result(|| {
        // SAFETY: The PCI bus's PM callbacks pass the device of a `pci_dev`.
        let pdev = unsafe { pm_pci_dev(dev) };
        // SAFETY: As in `suspend_callback`: device lock held, bound to us.
        if let Some((pdev, this)) = unsafe { bound_args::<T>(pdev) } {
            T::resume(pdev, this)?;
        }
        Ok(0)
    })
}

/// The C `error_detected` error handler of a [`Registration`].
///
/// # Safety
///
/// Called only by the PCI error recovery, for a `pci_dev` bound to `T`.
unsafe extern "C" fn error_detected_callback<T: Driver>(
    pdev: *mut bindings::pci_dev,
    state: bindings::pci_channel_state_t,
) -> bindings::pci_ers_result_t {
    // SAFETY: Error recovery calls the handlers with the device lock held, for a device whose
    // `driver` is ours (`report_error_detected` and friends).
    match unsafe { bound_args::<T>(pdev) } {
        Some((pdev, this)) => T::error_detected(pdev, this, ChannelState::from_raw(state)).to_raw(),
        None => ErsResult::Disconnect.to_raw(),
    }
}

/// The C `slot_reset` error handler of a [`Registration`]: restores the config space saved
/// after `probe` (and saves it again for a later error), then calls the driver.
///
/// # Safety
///
/// Called only by the PCI error recovery, for a `pci_dev` bound to `T`.
unsafe extern "C" fn slot_reset_callback<T: Driver>(
    pdev: *mut bindings::pci_dev,
) -> bindings::pci_ers_result_t {
    // SAFETY: As in `error_detected_callback`: device lock held, bound to us.
    let Some((dev, this)) = (unsafe { bound_args::<T>(pdev) }) else {
        return ErsResult::Disconnect.to_raw();
    };
    // The reset cleared the config space (BARs, command register, MSI-X enable): put back
    // what was saved when `probe` succeeded, the device enabled with bus mastering on. Restoring
    // clears the saved copy, so save it again for the next error.
    dev.restore_state();
    if dev.save_state().is_err() {
        crate::dev_warn!(dev, "config space not saved after the reset\n");
    }
    T::slot_reset(dev, this).to_raw()
}

/// The C `resume` error handler of a [`Registration`].
///
/// # Safety
///
/// Called only by the PCI error recovery, for a `pci_dev` bound to `T`.
unsafe extern "C" fn io_resume_callback<T: Driver>(pdev: *mut bindings::pci_dev) {
    // SAFETY: As in `error_detected_callback`: device lock held, bound to us.
    if let Some((pdev, this)) = unsafe { bound_args::<T>(pdev) } {
        T::io_resume(pdev, this);
    }
}

/// The callback tables of driver `T`, built at compile time.
struct Tables<T>(PhantomData<T>);

impl<T: Driver> Tables<T> {
    const PM: Option<bindings::dev_pm_ops> = {
        assert!(
            T::HAS_SUSPEND == T::HAS_RESUME,
            "a PCI driver implements both `suspend` and `resume`, or neither"
        );
        if T::HAS_SUSPEND {
            let mut ops: bindings::dev_pm_ops =
                // SAFETY: All-zero is valid: every member is an optional function pointer.
                unsafe { core::mem::MaybeUninit::zeroed().assume_init() };
            // C `SET_SYSTEM_SLEEP_PM_OPS(suspend, resume)`.
            ops.suspend = Some(suspend_callback::<T>);
            ops.freeze = Some(suspend_callback::<T>);
            ops.poweroff = Some(suspend_callback::<T>);
            ops.resume = Some(resume_callback::<T>);
            ops.thaw = Some(resume_callback::<T>);
            ops.restore = Some(resume_callback::<T>);
            Some(ops)
        } else {
            None
        }
    };

    const ERR: Option<bindings::pci_error_handlers> = {
        assert!(
            T::HAS_ERROR_DETECTED == T::HAS_SLOT_RESET && T::HAS_SLOT_RESET == T::HAS_IO_RESUME,
            "a PCI driver implements `error_detected`, `slot_reset` and `io_resume`, or none"
        );
        if T::HAS_ERROR_DETECTED {
            Some(bindings::pci_error_handlers {
                error_detected: Some(error_detected_callback::<T>),
                mmio_enabled: None,
                slot_reset: Some(slot_reset_callback::<T>),
                reset_prepare: None,
                reset_done: None,
                resume: Some(io_resume_callback::<T>),
                cor_error_detected: None,
            })
        } else {
            None
        }
    };
}

/// The `dev_pm_ops` a [`Registration`] of `T` installs: `Some` if `T` implements
/// [`Driver::suspend`] and [`Driver::resume`]. A driver implementing only one of them does not
/// build.
pub const fn pm_ops<T: Driver>() -> Option<&'static bindings::dev_pm_ops> {
    match &Tables::<T>::PM {
        Some(ops) => Some(ops),
        None => None,
    }
}

/// The `pci_error_handlers` a [`Registration`] of `T` installs: `Some` if `T` implements the
/// error handlers. A driver implementing only some of them does not build.
pub const fn error_handlers<T: Driver>() -> Option<&'static bindings::pci_error_handlers> {
    match &Tables::<T>::ERR {
        Some(ops) => Some(ops),
        None => None,
    }
}

/// A PCI device (`struct pci_dev`), in the state `Ctx` proves (see [`DeviceContext`]).
///
/// Any reference ([`Normal`], the default) reads the device's identity and logs; a bound one
/// ([`Bound`]) maps BARs and allocates interrupt vectors; one in a bus callback ([`Core`])
/// enables the device and sets bus mastering and DMA masks. [`Driver`]'s callbacks get a
/// `&Device<Core>`; a driver keeps an `ARef<Device>` ([`Normal`]) beyond them.
///
/// # Invariants
///
/// The wrapped `pci_dev` is valid; references obtained through [`ARef`] hold a reference
/// count. A `&Device<Bound>` exists only while the device is bound to the driver that got it;
/// a `&Device<Core>` only in that driver's bus callbacks (device lock held).
#[repr(transparent)]
pub struct Device<Ctx: DeviceContext = Normal>(Opaque<bindings::pci_dev>, PhantomData<Ctx>);

impl Deref for Device<Core> {
    type Target = Device<Bound>;

    fn deref(&self) -> &Device<Bound> {
        // SAFETY: Same transparent layout; a device in a bus callback is bound (invariant).
        unsafe { &*core::ptr::from_ref(self).cast::<Device<Bound>>() }
    }
}

impl Deref for Device<Bound> {
    type Target = Device;

    fn deref(&self) -> &Device {
        // SAFETY: Same transparent layout; any reference is a `Normal` one.
        unsafe { &*core::ptr::from_ref(self).cast::<Device>() }
    }
}

impl From<&Device<Core>> for ARef<Device> {
    fn from(dev: &Device<Core>) -> Self {
        let normal: &Device = dev;
        normal.into()
    }
}

impl From<&Device<Bound>> for ARef<Device> {
    fn from(dev: &Device<Bound>) -> Self {
        let normal: &Device = dev;
        normal.into()
    }
}

// SAFETY: `pci_dev` is reference counted by `pci_dev_get`/`pci_dev_put`, which can be called
// from any context.
unsafe impl AlwaysRefCounted for Device {
    fn inc_ref(&self) {
        // SAFETY: The shared reference guarantees a non-zero count.
        unsafe { bindings::pci_dev_get(self.as_raw()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The caller gives up one reference.
        unsafe { bindings::pci_dev_put(obj.cast().as_ptr()) }
    }
}

// SAFETY: All methods of `Device` go through the PCI core, which serialises them itself.
unsafe impl Send for Device {}
// SAFETY: See `Send`.
unsafe impl Sync for Device {}
// SAFETY: The methods of a bound device may be called from any thread while it is bound (the
// reference's lifetime), and go through the PCI core.
unsafe impl Sync for Device<Bound> {}

/// The kinds of interrupt a device may get vectors of (`PCI_IRQ_*`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct IrqTypes(u32);

impl IrqTypes {
    /// Legacy INTx.
    pub const INTX: Self = Self(bindings::PCI_IRQ_INTX);
    /// MSI.
    pub const MSI: Self = Self(bindings::PCI_IRQ_MSI);
    /// MSI-X.
    pub const MSIX: Self = Self(bindings::PCI_IRQ_MSIX);
}

impl core::ops::BitOr for IrqTypes {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl<Ctx: DeviceContext> Device<Ctx> {
    /// # Safety
    ///
    /// `ptr` must point to a valid `pci_dev` that outlives `'a`, in the state `Ctx` names for
    /// all of `'a` (see the type invariant).
    unsafe fn from_raw<'a>(ptr: *mut bindings::pci_dev) -> &'a Self {
        // SAFETY: `Device` is a transparent wrapper; validity is guaranteed by the caller.
        unsafe { &*ptr.cast::<Self>() }
    }

    fn as_raw(&self) -> *mut bindings::pci_dev {
        self.0.get()
    }
}

impl Device {
    /// The vendor ID.
    pub fn vendor_id(&self) -> u16 {
        // SAFETY: By the type invariant the `pci_dev` is valid.
        unsafe { (*self.as_raw()).vendor }
    }

    /// The device ID.
    pub fn device_id(&self) -> u16 {
        // SAFETY: By the type invariant the `pci_dev` is valid.
        unsafe { (*self.as_raw()).device }
    }

    /// The revision ID.
    pub fn revision(&self) -> u8 {
        // SAFETY: By the type invariant the `pci_dev` is valid.
        unsafe { (*self.as_raw()).revision }
    }

    /// The device's name for logs: its bus address, e.g. `0000:01:00.0`.
    pub fn pci_name(&self) -> &CStr {
        // SAFETY: `pci_name` returns the device's name, a NUL-terminated string that lives as
        // long as the device.
        unsafe { CStr::from_char_ptr(bindings::pci_name(self.as_raw())) }
    }
}

impl Device<Core> {
    /// Enables the device's memory space (`pci_enable_device_mem`); disabled again when the
    /// returned guard is dropped, or at unbind.
    pub fn enable_device_mem(&self) -> Result<Enabled> {
        // SAFETY: By the type invariant the `pci_dev` is valid.
        to_result(unsafe { bindings::pci_enable_device_mem(self.as_raw()) })?;
        let dev = EnabledDevice { pdev: self.into() };
        // SAFETY: A device in a bus callback is bound (type invariant). On failure `dev` is
        // dropped, disabling the device again.
        let res = unsafe { Devres::new(self.as_ref(), dev) }?;
        Ok(Enabled { _res: res })
    }

    /// Enables bus mastering, i.e. lets the device do DMA.
    pub fn set_master(&self) {
        // SAFETY: By the type invariant the `pci_dev` is valid.
        unsafe { bindings::pci_set_master(self.as_raw()) };
    }

    /// Disables bus mastering.
    pub fn clear_master(&self) {
        // SAFETY: By the type invariant the `pci_dev` is valid.
        unsafe { bindings::pci_clear_master(self.as_raw()) };
    }

    /// Saves the config space (`pci_save_state`), for [`Device::restore_state`] to put back
    /// after a reset.
    ///
    /// Not for `suspend`: the PCI core saves the state itself after it, unless the driver did,
    /// in which case it also leaves the power state to the driver.
    pub fn save_state(&self) -> Result {
        // SAFETY: By the type invariant the `pci_dev` is valid.
        to_result(unsafe { bindings::pci_save_state(self.as_raw()) })
    }

    /// Writes back the config space saved last (`pci_restore_state`): BARs, command register
    /// (memory decoding, bus mastering), capabilities, MSI-X. Does nothing if none is saved;
    /// the saved copy is used up.
    pub fn restore_state(&self) {
        // SAFETY: By the type invariant the `pci_dev` is valid.
        unsafe { bindings::pci_restore_state(self.as_raw()) };
    }

    /// Sets the streaming and coherent DMA masks to `bits` bits (`dma_set_mask_and_coherent`).
    pub fn dma_set_mask_and_coherent(&self, bits: u32) -> Result {
        if bits == 0 || bits > 64 {
            return Err(EINVAL);
        }
        let mask = if bits == 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        let dev = self.as_ref().as_raw();
        // SAFETY: `dev` is the valid `struct device` of this PCI device.
        to_result(unsafe { bindings::dma_set_mask(dev, mask) })?;
        // SAFETY: As above.
        to_result(unsafe { bindings::dma_set_coherent_mask(dev, mask) })
    }
}

impl Device {
    /// Length in bytes of BAR `bar`, 0 if it does not exist.
    pub fn resource_len(&self, bar: u32) -> u64 {
        if bar >= bindings::PCI_STD_NUM_BARS {
            return 0;
        }
        // SAFETY: By the type invariant the `pci_dev` is valid and `bar` is a standard BAR.
        unsafe { bindings::pci_resource_len(self.as_raw(), bar as _) }
    }

    /// Whether BAR `bar` exists and is memory (not I/O ports).
    fn resource_is_mem(&self, bar: u32) -> bool {
        if bar >= bindings::PCI_STD_NUM_BARS {
            return false;
        }
        // SAFETY: By the type invariant the `pci_dev` is valid; `bar` indexes its standard
        // BARs (C `pci_resource_flags`).
        let flags = unsafe { (*self.as_raw()).resource[bar as usize].flags };
        // CAST: `IORESOURCE_MEM` is a small flag bit.
        flags & bindings::IORESOURCE_MEM as crate::ffi::c_ulong != 0
    }
}

impl Device<Bound> {
    /// The generic device, bound to the calling driver as long as `self` is borrowed: e.g. the
    /// parent of a net_device ([`crate::net::dev::Registration::set_parent`]).
    pub fn as_bound(&self) -> &device::BoundDevice {
        let dev: &device::Device = self.as_ref();
        // SAFETY: A `Device<Bound>` is bound for the reference's lifetime (type invariant).
        unsafe { device::BoundDevice::from_device(dev) }
    }

    /// Requests the region of memory BAR `bar` under `name` and maps all of it
    /// (`EINVAL` for an I/O port BAR), until the returned [`Bar`] is dropped or the device is
    /// unbound.
    ///
    /// The mapping must be at least `SIZE` bytes long (`ENODEV` otherwise): register accesses
    /// at constant offsets below `SIZE` are then checked at compile time.
    pub fn iomap_region<const SIZE: usize>(
        &self,
        bar: u32,
        name: &'static CStr,
    ) -> Result<Bar<SIZE>> {
        let len = usize::try_from(self.resource_len(bar)).map_err(|_| ENOMEM)?;
        if len < SIZE || len == 0 {
            return Err(ENODEV);
        }
        // An I/O port BAR is not memory: `pci_iomap` would return a port cookie that the
        // MMIO accessors must not dereference.
        if !self.resource_is_mem(bar) {
            return Err(EINVAL);
        }
        let bar_c = bar as crate::ffi::c_int;
        // SAFETY: The `pci_dev` is valid; `name` is `'static` (the PCI core keeps the pointer).
        to_result(unsafe {
            bindings::pci_request_region(self.as_raw(), bar_c, name.as_char_ptr())
        })?;
        // SAFETY: The region is ours; map all of it.
        let addr = unsafe { bindings::pci_iomap(self.as_raw(), bar_c, 0) };
        if addr.is_null() {
            // SAFETY: Requested just above.
            unsafe { bindings::pci_release_region(self.as_raw(), bar_c) };
            return Err(ENOMEM);
        }
        match IoRaw::new(addr as usize, len) {
            Ok(io) => {
                // INVARIANT: mapped and requested above, released in `BarMapping::drop`.
                let map = BarMapping {
                    pdev: self.into(),
                    io,
                    num: bar_c,
                };
                // SAFETY: A `Device<Bound>` is bound (type invariant). On failure `map` is
                // dropped, unmapping and releasing the BAR.
                let res = unsafe { Devres::new(self.as_ref(), map) }?;
                Ok(Bar { res })
            }
            Err(e) => {
                // SAFETY: Mapped and requested above.
                unsafe {
                    bindings::pci_iounmap(self.as_raw(), addr);
                    bindings::pci_release_region(self.as_raw(), bar_c);
                }
                Err(e)
            }
        }
    }

    /// Allocates between `min` and `max` interrupt vectors of the given types
    /// (`pci_alloc_irq_vectors`). They are freed once the returned [`IrqVectors`] and every
    /// interrupt registration made from them ([`IrqVectors::request`]) are gone, or at unbind.
    pub fn alloc_irq_vectors(&self, min: u32, max: u32, types: IrqTypes) -> Result<IrqVectors> {
        // SAFETY: By the type invariant the `pci_dev` is valid.
        let ret = unsafe { bindings::pci_alloc_irq_vectors(self.as_raw(), min, max, types.0) };
        if ret < 0 {
            return Err(Error::from_errno(ret));
        }
        // INVARIANT: allocated just above; freed only by `AllocatedVectors::drop`.
        let vectors = AllocatedVectors { pdev: self.into() };
        // SAFETY: A `Device<Bound>` is bound (type invariant). On failure `vectors` is dropped,
        // freeing them.
        let res = unsafe { Devres::new(self.as_ref(), vectors) }?;
        Ok(IrqVectors {
            alloc: Arc::new(VectorsAlloc { res }, GFP_KERNEL)?,
            pdev: self.into(),
            // CAST: non-negative, at most `max`.
            count: ret as u32,
        })
    }
}

impl Device {
    /// The Linux IRQ number of vector `index` (`pci_irq_vector`).
    pub fn irq_vector(&self, index: u32) -> Result<u32> {
        // SAFETY: By the type invariant the `pci_dev` is valid.
        let ret = unsafe { bindings::pci_irq_vector(self.as_raw(), index) };
        if ret < 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(ret as u32)
    }
}

impl<Ctx: DeviceContext> AsRef<device::Device> for Device<Ctx> {
    fn as_ref(&self) -> &device::Device {
        // SAFETY: By the type invariant `self.as_raw()` is a valid `pci_dev`, whose embedded
        // `struct device` lives as long as it.
        unsafe { device::Device::as_ref(addr_of_mut!((*self.as_raw()).dev)) }
    }
}

impl AsRef<device::Device> for device::Device {
    fn as_ref(&self) -> &device::Device {
        self
    }
}

/// A PCI device with its memory space enabled; disabled again on drop or at unbind.
pub struct Enabled {
    _res: Devres<EnabledDevice>,
}

/// The enabled state of a device, ended on drop.
struct EnabledDevice {
    pdev: ARef<Device>,
}

impl Drop for EnabledDevice {
    fn drop(&mut self) {
        // SAFETY: Enabled by `enable_device_mem`, which made this single value.
        unsafe { bindings::pci_disable_device(self.pdev.as_raw()) };
    }
}

/// A device's allocated interrupt vectors, freed on drop.
///
/// # Invariants
///
/// The vectors of `pdev` were allocated by `alloc_irq_vectors` and are freed only here.
struct AllocatedVectors {
    pdev: ARef<Device>,
}

impl Drop for AllocatedVectors {
    fn drop(&mut self) {
        // Every line requested from them holds the `VectorsAlloc` and frees its line first; at
        // unbind the lines, registered with the driver core after the vectors, go before them.
        // SAFETY: Allocated (type invariant), and no line uses them any more (above).
        unsafe { bindings::pci_free_irq_vectors(self.pdev.as_raw()) };
    }
}

/// The allocation of a device's interrupt vectors, freed when the last holder (the
/// [`IrqVectors`], or a registration made from them) is gone, or at unbind.
struct VectorsAlloc {
    res: Devres<AllocatedVectors>,
}

impl IrqSource for VectorsAlloc {}

/// Interrupt vectors allocated by [`Device::alloc_irq_vectors`].
pub struct IrqVectors {
    alloc: Arc<VectorsAlloc>,
    pdev: ARef<Device>,
    count: u32,
}

impl IrqVectors {
    /// How many vectors were granted (between the requested `min` and `max`).
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The Linux IRQ number of vector `index`, `EINVAL` if `index >= count()`.
    pub fn irq(&self, index: u32) -> Result<u32> {
        if index >= self.count {
            return Err(EINVAL);
        }
        self.pdev.irq_vector(index)
    }

    /// Vector `index` of the bound device `dev`, to request with
    /// [`crate::irq::Registration::new`] while `dev` is borrowed; the registration keeps the
    /// vectors allocated until its line is freed. `EINVAL` if `index >= count()` or `dev` is
    /// another device, `ENODEV` if the vectors were released (at an earlier unbind).
    pub fn request<'a>(&self, dev: &'a Device<Bound>, index: u32) -> Result<IrqRequest<'a>> {
        if dev.as_raw() != self.pdev.as_raw() {
            return Err(EINVAL);
        }
        // Released only at unbind or when the last holder is gone; neither can happen while
        // `dev` is bound and `self` holds the allocation.
        self.alloc.res.with(|_| ()).ok_or(ENODEV)?;
        let irq = self.irq(index)?;
        let source: Arc<dyn IrqSource> = self.alloc.clone();
        // `irq` is one of the vectors, which `source` keeps allocated until they are released at
        // `dev`'s unbind, when every line registered from this request is released first.
        // SAFETY: `dev` is bound for `'a` (`Device<Bound>` invariant); `irq`: see above.
        Ok(unsafe { IrqRequest::new(dev.as_ref(), irq, source) })
    }
}

/// A mapped memory BAR of at least `SIZE` bytes; unmapped and its region released on drop or
/// at unbind.
///
/// Register accesses check at run time that the mapping is still there: once released, reads
/// return all-ones (as from a device that was removed) or `ENODEV`, and writes are dropped.
pub struct Bar<const SIZE: usize = 0> {
    res: Devres<BarMapping<SIZE>>,
}

/// The mapping of a BAR.
///
/// # Invariants
///
/// `io` describes the mapping of BAR `num` of `pdev`, whose region is requested by us; both
/// are released only by `drop`.
struct BarMapping<const SIZE: usize> {
    pdev: ARef<Device>,
    io: IoRaw<SIZE>,
    num: crate::ffi::c_int,
}

impl<const SIZE: usize> BarMapping<SIZE> {
    #[inline(always)]
    fn io(&self) -> &Io<SIZE> {
        // SAFETY: By the type invariant `io` is a valid mapping until `self` is dropped.
        unsafe { Io::from_raw(&self.io) }
    }
}

impl<const SIZE: usize> Drop for BarMapping<SIZE> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the BAR is mapped at `io.addr()` and requested by us.
        unsafe {
            bindings::pci_iounmap(self.pdev.as_raw(), self.io.addr() as *mut _);
            bindings::pci_release_region(self.pdev.as_raw(), self.num);
        }
    }
}

macro_rules! bar_access {
    ($(#[$attr:meta])* $try_read:ident, $try_write:ident, $ty:ty) => {
        $(#[$attr])*
        /// Reads at run-time offset `offset`: `EINVAL` if out of bounds or misaligned,
        /// `ENODEV` once the mapping was released.
        #[inline]
        pub fn $try_read(&self, offset: usize) -> Result<$ty> {
            self.res.with(|m| m.io().$try_read(offset)).unwrap_or(Err(ENODEV))
        }

        $(#[$attr])*
        /// Writes at run-time offset `offset`: `EINVAL` if out of bounds or misaligned,
        /// `ENODEV` (and nothing written) once the mapping was released.
        #[inline]
        pub fn $try_write(&self, value: $ty, offset: usize) -> Result {
            self.res.with(|m| m.io().$try_write(value, offset)).unwrap_or(Err(ENODEV))
        }
    };
}

impl<const SIZE: usize> Bar<SIZE> {
    bar_access!(
        /// 32-bit register access (`readl`/`writel`, ordered against DMA memory).
        try_read32, try_write32, u32
    );
    bar_access!(
        /// 32-bit register access without ordering against DMA memory (`*_relaxed`).
        try_read32_relaxed, try_write32_relaxed, u32
    );

    /// Flushes posted writes by reading back the register at `offset`, which must be free of
    /// read side effects. Nothing to flush once the mapping was released.
    #[inline]
    pub fn flush(&self, offset: usize) {
        let _ = self.try_read32(offset);
    }

    /// Length of the mapping in bytes (at least `SIZE`); 0 once it was released.
    pub fn maxsize(&self) -> usize {
        self.res.with(|m| m.io().maxsize()).unwrap_or(0)
    }
}

/// Log levels for [`dev_printk`].
#[doc(hidden)]
pub enum Level {
    Err,
    Warn,
    Info,
    Debug,
}

/// Prints `args` prefixed with the driver and device name (`dev_info()` and friends).
#[doc(hidden)]
pub fn dev_printk(level: Level, dev: &device::Device, args: fmt::Arguments<'_>) {
    let level: &[u8] = match level {
        Level::Err => b"\x013\0",
        Level::Warn => b"\x014\0",
        Level::Info => b"\x016\0",
        Level::Debug => b"\x017\0",
    };
    // SAFETY: `level` and the format are NUL-terminated; `%pA` consumes exactly one pointer to
    // a `fmt::Arguments`, which outlives the call; `dev` is a valid device.
    unsafe {
        bindings::_dev_printk(
            level.as_ptr().cast(),
            dev.as_raw(),
            c"%pA".as_ptr().cast(),
            core::ptr::from_ref(&args).cast::<crate::ffi::c_void>(),
        )
    };
}

/// Prints an error message about a device: `dev_err!(pdev, "failed: {:?}\n", e)`.
///
/// The first argument is a reference to anything that is `AsRef<device::Device>` (a
/// `pci::Device`, a `device::Device`).
#[macro_export]
macro_rules! dev_err {
    ($dev:expr, $($f:tt)*) => {
        $crate::pci::dev_printk(
            $crate::pci::Level::Err,
            ::core::convert::AsRef::<$crate::device::Device>::as_ref($dev),
            ::core::format_args!($($f)*),
        )
    };
}

/// Prints a warning about a device, see [`dev_err!`].
#[macro_export]
macro_rules! dev_warn {
    ($dev:expr, $($f:tt)*) => {
        $crate::pci::dev_printk(
            $crate::pci::Level::Warn,
            ::core::convert::AsRef::<$crate::device::Device>::as_ref($dev),
            ::core::format_args!($($f)*),
        )
    };
}

/// Prints an informational message about a device, see [`dev_err!`].
#[macro_export]
macro_rules! dev_info {
    ($dev:expr, $($f:tt)*) => {
        $crate::pci::dev_printk(
            $crate::pci::Level::Info,
            ::core::convert::AsRef::<$crate::device::Device>::as_ref($dev),
            ::core::format_args!($($f)*),
        )
    };
}

/// Declares a kernel module that registers the PCI driver `type`.
///
/// # Examples
///
/// ```ignore
/// kernel::module_pci_driver! {
///     type: MyDriver,
///     name: "my_driver",
///     author: "Someone",
///     description: "My PCI driver",
///     license: "GPL",
/// }
/// ```
#[macro_export]
macro_rules! module_pci_driver {
    (type: $type:ty, name: $name:tt, $($rest:tt)*) => {
        struct __PciModule {
            _reg: ::core::pin::Pin<$crate::alloc::KBox<$crate::pci::Registration<$type>>>,
        }

        impl $crate::Module for __PciModule {
            fn init(module: &'static $crate::ThisModule) -> $crate::error::Result<Self> {
                Ok(Self {
                    _reg: $crate::pci::__register::<$type>($crate::c_str!($name), module)?,
                })
            }
        }

        $crate::prelude::module! {
            type: __PciModule,
            name: $name,
            $($rest)*
        }
    };
}

#[doc(hidden)]
pub fn __register<T: Driver>(
    name: &'static CStr,
    module: &'static ThisModule,
) -> Result<Pin<KBox<Registration<T>>>> {
    KBox::try_pin_init(Registration::<T>::new(name, module), GFP_KERNEL)
}
