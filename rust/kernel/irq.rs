// SPDX-License-Identifier: GPL-2.0

//! Interrupt handlers.
//!
//! C header: [`include/linux/interrupt.h`](srctree/include/linux/interrupt.h)
//!
//! A [`Registration`] requests an interrupt line (`request_irq`) for a [`Handler`] it owns, and
//! frees it (`free_irq`) when dropped or when the device the line belongs to is unbound,
//! whichever comes first ([`crate::devres`]). `free_irq` waits for a running handler to
//! return, so the handler's data is only dropped once no CPU can be executing it anymore. The
//! line comes as an [`IrqRequest`] from the bus that allocated it (e.g. a PCI device's MSI-X
//! vectors), borrowed from the bound device, and the registration keeps the allocation until
//! the line is freed: the vectors cannot be freed under a live handler, whatever order their
//! owners are dropped in, and no handler runs after the device is unbound.

use crate::{
    bindings, device,
    devres::Devres,
    error::{code::ENODEV, to_result, Error, Result},
    init::{self, PinInit},
    str::CString,
    sync::Arc,
};
use core::{
    ffi::c_void,
    marker::PhantomPinned,
    pin::Pin,
    ptr::addr_of_mut,
    sync::atomic::{AtomicBool, Ordering},
};

/// The value an interrupt handler returns (`irqreturn_t`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub enum IrqReturn {
    /// The interrupt was not from this device (shared lines) or was not handled.
    None = bindings::irqreturn_IRQ_NONE,
    /// The interrupt was handled.
    Handled = bindings::irqreturn_IRQ_HANDLED,
}

/// An interrupt handler.
///
/// # Context
///
/// `handle_irq` runs in hard-IRQ context, with the line masked on this CPU and interrupts
/// disabled: it must not sleep (no mutexes, no `GFP_KERNEL` allocations, no waiting) and must
/// be short. Allocate, if at all, with `GFP_ATOMIC`; defer real work to NAPI or a workqueue.
/// It may run concurrently with any method of the driver on other CPUs, hence `Sync`.
pub trait Handler: Sync {
    /// Handles one interrupt.
    fn handle_irq(&self) -> IrqReturn;
}

/// Flags for [`Registration::new`] (`IRQF_*`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Flags(crate::ffi::c_ulong);

impl Flags {
    /// No flags: an exclusive, non-threaded line (MSI-X vectors).
    pub const NONE: Self = Self(0);
    /// The line may be shared with other devices.
    pub const SHARED: Self = Self(bindings::IRQF_SHARED as _);
}

/// What keeps interrupt lines allocated (e.g. a PCI device's MSI-X vectors): shared by the
/// [`IrqRequest`]s made from it and the registrations that use them.
pub trait IrqSource: Send + Sync {}

/// An allocated interrupt line of a bound device, ready for [`Registration::new`] while the
/// device is borrowed (`'a`), and what keeps it allocated.
///
/// # Invariants
///
/// `dev` is bound to the driver for `'a`; `irq` stays allocated while `source` lives, and at
/// the latest until `dev` is unbound.
pub struct IrqRequest<'a> {
    dev: &'a device::Device,
    irq: u32,
    source: Arc<dyn IrqSource>,
}

impl<'a> IrqRequest<'a> {
    /// A request for line `irq` of `dev`, kept allocated by `source`.
    ///
    /// # Safety
    ///
    /// `dev` must be bound to the calling driver for `'a`; `irq` must be an interrupt line of
    /// it that stays allocated while `source` is alive and until the resources of `dev`
    /// registered after this call are released at unbind ([`crate::devres`]).
    pub unsafe fn new(dev: &'a device::Device, irq: u32, source: Arc<dyn IrqSource>) -> Self {
        // INVARIANT: By the safety requirements.
        Self { dev, irq, source }
    }

    /// The Linux IRQ number.
    pub fn irq(&self) -> u32 {
        self.irq
    }
}

/// A requested line: freed (`free_irq`) on drop.
///
/// # Invariants
///
/// `irq` is requested with `cookie` as `dev_id`, from creation until drop.
struct Line {
    irq: u32,
    cookie: *mut c_void,
    hint_set: AtomicBool,
}

// SAFETY: `cookie` is only passed back to the IRQ core, from any thread.
unsafe impl Send for Line {}
// SAFETY: `&Line` offers nothing but the IRQ number and the atomic.
unsafe impl Sync for Line {}

impl Drop for Line {
    fn drop(&mut self) {
        if *self.hint_set.get_mut() {
            // SAFETY: By the type invariant `irq` is requested; `free_irq` warns if a hint is
            // left set.
            unsafe { bindings::irq_update_affinity_hint(self.irq, core::ptr::null()) };
        }
        // SAFETY: `irq` was requested with `cookie` (type invariant); `free_irq` waits for
        // running handlers, so what `cookie` points to is unused once it returns.
        unsafe { bindings::free_irq(self.irq, self.cookie) };
    }
}

/// An interrupt line requested for handler `T`; freed on drop or at the device's unbind.
///
/// # Invariants
///
/// While `line` holds the line, it is requested with `dev_id` pointing to this (pinned)
/// registration; `name` is the name passed to `request_irq` and stays alive as long.
pub struct Registration<T: Handler> {
    /// Freed first (explicitly in `drop`), before the fields it refers to.
    line: Devres<Line>,
    irq: u32,
    /// Keeps the line allocated; dropped after the line is freed.
    _source: Arc<dyn IrqSource>,
    name: CString,
    handler: T,
    _pin: PhantomPinned,
}

impl<T: Handler> Registration<T> {
    /// Requests the line of `req` for `handler` under `name` (shown in `/proc/interrupts`).
    ///
    /// The handler may run as soon as this returns (before the caller even sees the pinned
    /// value), so `handler` must be fully initialised by its `PinInit`.
    pub fn new<'a>(
        req: IrqRequest<'a>,
        flags: Flags,
        name: CString,
        handler: impl PinInit<T, Error> + 'a,
    ) -> impl PinInit<Self, Error> + 'a
    where
        T: 'a,
    {
        let init = move |slot: *mut Self| {
            let irq = req.irq;
            // SAFETY: `slot` is valid for writes and pinned (`PinInit` contract).
            unsafe { addr_of_mut!((*slot).irq).write(irq) };
            // SAFETY: As above; `handler` is pinned inside the pinned `slot`.
            unsafe { handler.__pinned_init(addr_of_mut!((*slot).handler))? };
            let name_ptr = name.as_char_ptr();
            // SAFETY: As above. The heap buffer of `name` does not move with it.
            unsafe {
                addr_of_mut!((*slot).name).write(name);
                addr_of_mut!((*slot)._source).write(req.source);
            }
            let drop_fields = || {
                // SAFETY: Initialised above and no line refers to them: drop them so the slot
                // holds nothing, as the `PinInit` contract requires on error.
                unsafe {
                    core::ptr::drop_in_place(addr_of_mut!((*slot).handler));
                    core::ptr::drop_in_place(addr_of_mut!((*slot).name));
                    core::ptr::drop_in_place(addr_of_mut!((*slot)._source));
                }
            };
            // `slot` is pinned and fully initialised but for `line`, which the callback does not
            // use; it owns `name_ptr`'s buffer and stays valid until the line is freed, which
            // `drop` does first.
            // SAFETY: `handle_irq_callback::<T>` matches `irq_handler_t`; `slot`: see above.
            let ret = to_result(unsafe {
                bindings::request_irq(
                    irq,
                    Some(handle_irq_callback::<T>),
                    flags.0,
                    name_ptr,
                    slot.cast(),
                )
            });
            if let Err(e) = ret {
                drop_fields();
                return Err(e);
            }
            // INVARIANT: requested above with `cookie == slot`.
            let line = Line {
                irq,
                cookie: slot.cast(),
                hint_set: AtomicBool::new(false),
            };
            // SAFETY: `req.dev` is bound for `'a` (type invariant of `IrqRequest`), which this
            // initialiser cannot outlive. On failure `line` is dropped: the line is freed.
            match unsafe { Devres::new(req.dev, line) } {
                // SAFETY: `slot` is valid for writes (`PinInit` contract).
                Ok(line) => unsafe { addr_of_mut!((*slot).line).write(line) },
                Err(e) => {
                    drop_fields();
                    return Err(e);
                }
            }
            // INVARIANT: requested above with `dev_id == slot`, held by `line`.
            Ok(())
        };
        // SAFETY: On `Ok` every field is initialised; on `Err` the closure dropped what it had
        // initialised and freed the line it had requested.
        unsafe { init::pin_init_from_closure(init) }
    }

    /// The Linux IRQ number.
    pub fn irq(&self) -> u32 {
        self.irq
    }

    /// The handler.
    pub fn handler(&self) -> &T {
        &self.handler
    }

    /// The handler, pinned (it is structurally pinned in the registration).
    pub fn handler_pinned(self: Pin<&Self>) -> Pin<&T> {
        // SAFETY: `handler` is never moved out of a pinned registration: it is structurally
        // pinned.
        unsafe { self.map_unchecked(|r| &r.handler) }
    }

    /// Waits for a handler running on another CPU to finish (`synchronize_irq`). May sleep.
    /// Nothing to wait for once the line was freed at unbind.
    pub fn synchronize(&self) {
        self.line.with_locked(|l| {
            // SAFETY: The line is requested while `line` holds it (its lock is held).
            unsafe { bindings::synchronize_irq(l.irq) }
        });
    }

    /// Disables the line and waits for a running handler to finish (`disable_irq`). May sleep.
    pub fn disable(&self) {
        self.line.with_locked(|l| {
            // SAFETY: The line is requested while `line` holds it (its lock is held).
            unsafe { bindings::disable_irq(l.irq) }
        });
    }

    /// Re-enables a line disabled by [`Registration::disable`].
    pub fn enable(&self) {
        self.line.with_locked(|l| {
            // SAFETY: The line is requested while `line` holds it (its lock is held).
            unsafe { bindings::enable_irq(l.irq) }
        });
    }

    /// Hints user space (irqbalance) to route the interrupt to `cpu`; cleared when the line is
    /// freed. `ENODEV` once the line was freed at unbind.
    pub fn set_affinity_hint(&self, cpu: u32) -> Result {
        // SAFETY: `nr_cpu_ids` is written once during early boot and only read afterwards.
        if cpu >= unsafe { bindings::nr_cpu_ids } {
            return Err(crate::error::code::EINVAL);
        }
        // SAFETY: `cpu < nr_cpu_ids`, for which `cpumask_of` returns a valid static mask.
        let mask = unsafe { bindings::cpumask_of(cpu) };
        self.line
            .with_locked(|l| {
                // SAFETY: The line is requested while `line` holds it (its lock is held);
                // `mask` is static.
                to_result(unsafe { bindings::irq_update_affinity_hint(l.irq, mask) })?;
                l.hint_set.store(true, Ordering::Relaxed);
                Ok(())
            })
            .unwrap_or(Err(ENODEV))
    }
}

impl<T: Handler> Drop for Registration<T> {
    fn drop(&mut self) {
        // The line first (if the driver core is freeing it at unbind right now, this waits):
        // then no handler runs and the fields below are unused.
        self.line.revoke();
    }
}

// SAFETY: The registration can be dropped (the line freed) from any thread in process context.
unsafe impl<T: Handler + Send> Send for Registration<T> {}
// SAFETY: `&Registration` gives `&T`, and `T: Sync`.
unsafe impl<T: Handler> Sync for Registration<T> {}

/// # Safety
///
/// Called by the IRQ core with the `dev_id` given to `request_irq` in `Registration::new`,
/// while the line is requested.
unsafe extern "C" fn handle_irq_callback<T: Handler>(
    _irq: crate::ffi::c_int,
    ptr: *mut crate::ffi::c_void,
) -> bindings::irqreturn_t {
    // This may run before `line` is written (right after `request_irq`): only `handler` is
    // touched, through a place expression, never a reference to the whole registration.
    // SAFETY: `ptr` is the pinned `Registration<T>` (type invariant), whose `handler` is alive
    // until the line is freed (`free_irq` waits for this callback), which `drop` does first.
    let handler = unsafe { &*core::ptr::addr_of!((*ptr.cast::<Registration<T>>()).handler) };
    // Hard-IRQ context: see `Handler`.
    handler.handle_irq() as bindings::irqreturn_t
}

/// Waits for running handlers of `irq` to finish (`synchronize_irq`). May sleep.
///
/// For code that knows the IRQ number but not the [`Registration`] (e.g. a device's `stop`
/// path quiescing its vectors). Harmless on a number without handlers.
pub fn synchronize_irq(irq: u32) {
    // SAFETY: `synchronize_irq` accepts any number (it looks the descriptor up and returns if
    // there is none) and is called in process context, as documented.
    unsafe { bindings::synchronize_irq(irq) };
}

/// Number of possible CPU ids (`nr_cpu_ids`), to spread vectors with affinity hints.
pub fn nr_cpu_ids() -> u32 {
    // SAFETY: `nr_cpu_ids` is written once during early boot and only read afterwards.
    unsafe { bindings::nr_cpu_ids }
}

/// Number of online CPUs (`num_online_cpus()`), to size queue sets.
pub fn num_online_cpus() -> u32 {
    // SAFETY: Reads a counter maintained by the CPU hotplug core; any context.
    unsafe { bindings::num_online_cpus() }
}
