// SPDX-License-Identifier: GPL-2.0

//! NAPI: interrupt mitigation and polled receive (`struct napi_struct`).
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h).
//!
//! Usage summary:
//!
//! - Put a [`Napi<Q>`] in a pinned driver structure, `Q` being the per-vector state
//!   the poll needs (rings, counters); `Q` implements [`Poll`]. [`Napi`] is
//!   `#[repr(C)]` with the C `napi_struct` first, so the poll trampoline gets back from
//!   the `napi_struct *` to the `Napi<Q>` and its `Q` (no offset to get wrong).
//! - [`Napi::add`] (C `netif_napi_add`) at probe/open, [`Napi::enable`] in `open`,
//!   [`Napi::schedule`] from the hard-IRQ handler, [`Napi::disable`] in `stop`;
//!   dropping the `Napi` disables and deletes it. `add` takes a counted reference to the
//!   registered device, which the instance keeps while it is listed, so the device cannot
//!   be freed under it; `add`, `enable`, `disable` and `del` are serialised (a second
//!   caller waits), so no state change races another.
//! - [`Poll::poll`] runs in the `NET_RX` softirq with a [`PollContext`] that carries
//!   the budget and the operations only valid there: [`PollContext::alloc_skb`],
//!   [`PollContext::gro_receive`], [`PollContext::receive_skb`],
//!   [`PollContext::consume_skb`] (for TX completions). The poll ends with
//!   [`PollContext::finish`], which consumes the context and returns the [`PollDone`]
//!   that `poll` must return: the only way to end a poll, so `napi_complete_done` is
//!   called at most once, only when the budget was not used up and never for netpoll
//!   (budget 0), and no buffer can be passed up after it. Re-arm the interrupt only if
//!   [`PollDone::rearm_irq`] says so.

use super::{
    dev::{NetDeviceOps, Registered},
    skb::SkBuff,
};
use crate::{
    bindings,
    error::*,
    irq::{Handler, IrqReturn},
    prelude::*,
    sync::Arc,
    types::Opaque,
};
use core::{
    cell::UnsafeCell,
    marker::PhantomData,
    sync::atomic::{AtomicBool, AtomicU8, Ordering},
};

/// Per-vector state polled by NAPI.
pub trait Poll: Sized + Send + Sync {
    /// The private data type of the device the instance is added to.
    type Device: NetDeviceOps;

    /// Processes up to [`PollContext::budget`] received packets (TX completions are not
    /// counted) and ends with [`PollContext::finish`] with how many were processed. Softirq
    /// context (or netpoll with a budget of 0: then at most complete TX, taking no lock that
    /// process context may hold with interrupts on).
    fn poll(this: &Self, ctx: PollContext<'_>) -> PollDone;
}

/// A NAPI instance and the state its poll works on.
///
/// # Examples
///
/// ```
/// use kernel::net::dev::{Device, NetDeviceOps, NetdevTx, Registration};
/// use kernel::net::napi::{Napi, Poll, PollContext, PollDone};
/// use kernel::net::skb::SkBuff;
/// use kernel::{prelude::*, sync::Arc};
///
/// struct Dev;
///
/// #[vtable]
/// impl NetDeviceOps for Dev {
///     fn start_xmit(_dev: &Device<Self>, skb: SkBuff) -> NetdevTx {
///         drop(skb);
///         NetdevTx::Ok
///     }
/// }
///
/// struct Vector;
///
/// impl Poll for Vector {
///     type Device = Dev;
///
///     fn poll(_this: &Self, ctx: PollContext<'_>) -> PollDone {
///         // Nothing received: the poll is over; re-enable the interrupt if told to.
///         let done = ctx.finish(0);
///         let _rearm = done.rearm_irq();
///         done
///     }
/// }
///
/// let reg = Arc::new(Registration::new_ether(1, 1, Dev)?.register()?, GFP_KERNEL)?;
/// let napi = KBox::pin_init(Napi::new(Vector), GFP_KERNEL)?;
/// // Not added yet: scheduling is refused instead of touching an unlisted instance.
/// assert!(!napi.schedule());
/// napi.as_ref().add(reg.clone());
/// // Added but disabled: a poll cannot be scheduled.
/// assert!(!napi.schedule());
/// napi.as_ref().enable();
/// napi.as_ref().disable();
/// // The instance holds the device: dropping our reference frees nothing yet.
/// drop(reg);
/// // Dropping the instance deletes it and lets go of the device, which is unregistered
/// // and freed.
/// drop(napi);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// - `napi` is the first field of this `#[repr(C)]` struct, so a pointer to it is a
///   pointer to the `Napi<T>`.
/// - `state` is `IDLE` (not listed), `ADDED` (listed on the device in `dev`,
///   disabled), `ENABLED` (listed and enabled) or `BUSY` (one caller is changing it;
///   only that caller touches `dev` or calls the C state functions).
/// - `listed` is true only while `napi` is listed (set after `netif_napi_add`, cleared
///   before `netif_napi_del`), and `dev` holds the device it is listed on.
#[pin_data(PinnedDrop)]
#[repr(C)]
pub struct Napi<T: Poll> {
    #[pin]
    napi: Opaque<bindings::napi_struct>,
    state: AtomicU8,
    listed: AtomicBool,
    dev: UnsafeCell<Option<Arc<Registered<T::Device>>>>,
    #[pin]
    data: T,
}

const IDLE: u8 = 0;
const ADDED: u8 = 1;
const ENABLED: u8 = 2;
const BUSY: u8 = 3;

// SAFETY: The C side synchronises the `napi_struct` (state bits); `T` is `Send + Sync`, and
// so is the `Arc<Registered<_>>` in `dev`.
unsafe impl<T: Poll> Send for Napi<T> {}
// SAFETY: As above; `&Napi` exposes `schedule`, valid from any context, `&T`, and the state
// changes, which touch `dev` only as the one holder of the state (`BUSY`).
unsafe impl<T: Poll> Sync for Napi<T> {}

impl<T: Poll> Napi<T> {
    /// Creates a NAPI instance (not yet added) around the state `data`.
    pub fn new(data: impl PinInit<T, Error>) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            // SAFETY: A zeroed `napi_struct` is the state `netif_napi_add` expects.
            napi <- Opaque::ffi_init(|p: *mut bindings::napi_struct| unsafe {
                core::ptr::write_bytes(p, 0, 1)
            }),
            state: AtomicU8::new(IDLE),
            listed: AtomicBool::new(false),
            dev: UnsafeCell::new(None),
            data <- data,
        }? Error)
    }

    /// The polled state.
    pub fn data(&self) -> &T {
        &self.data
    }

    fn raw(&self) -> *mut bindings::napi_struct {
        self.napi.get()
    }

    /// Moves the state from `from` to what `f` returns, `f` running as the only holder of
    /// the state (`BUSY`): waits (sleeping) while another caller holds it, and returns
    /// `false` without calling `f` if the state is not `from`. Process context.
    fn transition(&self, from: u8, f: impl FnOnce() -> u8) -> bool {
        loop {
            match self
                .state
                .compare_exchange(from, BUSY, Ordering::Acquire, Ordering::Acquire)
            {
                Ok(_) => {
                    let to = f();
                    self.state.store(to, Ordering::Release);
                    return true;
                }
                Err(BUSY) => crate::io::fsleep(10),
                Err(_) => return false,
            }
        }
    }

    /// Lists the instance on `dev` (C `netif_napi_add`); it starts disabled and keeps `dev`
    /// until it is deleted. No-op if already added. Process context.
    pub fn add(self: Pin<&Self>, dev: Arc<Registered<T::Device>>) {
        self.transition(IDLE, || {
            // The poll trampoline matches `T` (see the type invariant for the cast back);
            // `dev` is registered and stays alive while listed (kept below).
            // SAFETY: The napi_struct is zeroed or deleted, pinned, not listed (`IDLE`).
            unsafe {
                bindings::netif_napi_add(dev.dev().as_raw(), self.raw(), Some(Self::poll_callback))
            };
            // SAFETY: This caller holds the state (`BUSY`), the only one touching `dev`.
            unsafe { *self.dev.get() = Some(dev) };
            // INVARIANT: Now listed on the device kept in `dev`.
            self.listed.store(true, Ordering::Release);
            ADDED
        });
    }

    /// Enables polling (C `napi_enable`), e.g. in `open`. No-op if not added or already
    /// enabled. Process context.
    pub fn enable(self: Pin<&Self>) {
        self.transition(ADDED, || {
            // SAFETY: Listed and disabled (state `ADDED`); the device is kept in `dev`.
            unsafe { bindings::napi_enable(self.raw()) };
            ENABLED
        });
    }

    /// Disables polling and waits for a running poll to finish (C `napi_disable`).
    /// May sleep; no-op if not enabled.
    pub fn disable(self: Pin<&Self>) {
        self.transition(ENABLED, || {
            // SAFETY: Listed and enabled (state `ENABLED`); process context by the method's
            // contract.
            unsafe { bindings::napi_disable(self.raw()) };
            ADDED
        });
    }

    /// Disables and unlists the instance (C `netif_napi_del`, waits for an RCU grace
    /// period) and lets go of its device. Process context.
    pub fn del(self: Pin<&Self>) {
        let mut dev = None;
        loop {
            self.disable();
            let deleted = self.transition(ADDED, || {
                // INVARIANT: No longer listed for `schedule`; disabled, so a concurrent
                // `napi_schedule` that passed the check finds it owned and does nothing.
                self.listed.store(false, Ordering::Release);
                // SAFETY: Listed and disabled (state `ADDED`).
                unsafe { bindings::netif_napi_del(self.raw()) };
                // SAFETY: This caller holds the state (`BUSY`), the only one touching `dev`.
                dev = unsafe { (*self.dev.get()).take() };
                IDLE
            });
            // Another caller may have enabled it between the two steps: go round again.
            if deleted || self.state.load(Ordering::Acquire) == IDLE {
                break;
            }
        }
        // Dropped last, outside the state: it may be the last reference, unregistering and
        // freeing the device (which sleeps).
        drop(dev);
    }

    /// Schedules a poll (C `napi_schedule`); callable from any context, typically the
    /// hard-IRQ handler. Returns `false` if a poll was already scheduled, the instance
    /// is disabled or it is not added.
    pub fn schedule(&self) -> bool {
        if !self.listed.load(Ordering::Acquire) {
            return false;
        }
        // SAFETY: Listed, so its state bits are initialised; `napi_schedule` is an atomic
        // test-and-set plus a per-CPU list insertion with IRQs saved.
        unsafe { bindings::napi_schedule(self.raw()) }
    }

    /// # Safety
    ///
    /// Called by the NAPI core (softirq or netpoll) with a `napi` added by [`Napi::add`].
    unsafe extern "C" fn poll_callback(
        napi: *mut bindings::napi_struct,
        budget: crate::ffi::c_int,
    ) -> crate::ffi::c_int {
        // SAFETY: By the type invariant `napi` is the first field of a `#[repr(C)]`
        // `Napi<T>` (CAST), which is alive and pinned while it is listed.
        let this = unsafe { &*napi.cast::<Self>() };
        let ctx = PollContext {
            napi,
            budget: budget.max(0),
            redirected: core::cell::Cell::new(false),
            _p: PhantomData,
        };
        // `finish` clamped the work to the budget.
        T::poll(&this.data, ctx).work
    }
}

#[pinned_drop]
impl<T: Poll> PinnedDrop for Napi<T> {
    fn drop(self: Pin<&mut Self>) {
        self.as_ref().del();
    }
}

/// What a [`Poll::poll`] may do, valid only during the poll (NAPI softirq context, the
/// instance owned by this CPU).
///
/// # Invariants
///
/// `napi` is the instance being polled, by this CPU, for the lifetime `'a`.
pub struct PollContext<'a> {
    napi: *mut bindings::napi_struct,
    budget: i32,
    /// An XDP program redirected a frame in this poll: the targets are flushed at its end.
    redirected: core::cell::Cell<bool>,
    _p: PhantomData<&'a ()>,
}

impl PollContext<'_> {
    /// The budget of this poll (0 when called by netpoll: then only clean TX).
    #[inline]
    pub fn budget(&self) -> usize {
        // CAST: non-negative by construction.
        self.budget as usize
    }

    /// Allocates a receive buffer with `NET_IP_ALIGN` headroom from the per-CPU NAPI
    /// cache (C `napi_alloc_skb`).
    #[inline]
    pub fn alloc_skb(&self, len: u32) -> Result<SkBuff> {
        // SAFETY: In the poll of `napi`, softirq context, as `napi_alloc_skb` requires.
        let skb = unsafe { bindings::napi_alloc_skb(self.napi, len) };
        // SAFETY: A non-null result is a fresh buffer that we own.
        unsafe { SkBuff::from_raw(skb) }.ok_or(ENOMEM)
    }

    /// Passes a received buffer to GRO and up the stack (C `napi_gro_receive`).
    #[inline]
    pub fn gro_receive(&mut self, skb: SkBuff) {
        // SAFETY: In the poll of `napi`; ownership of the buffer passes to the stack.
        unsafe { bindings::napi_gro_receive(self.napi, skb.into_raw()) };
    }

    /// Passes a received buffer up the stack without GRO (C `netif_receive_skb`).
    #[inline]
    pub fn receive_skb(&mut self, skb: SkBuff) {
        // SAFETY: Softirq context, as required; ownership passes to the stack.
        unsafe { bindings::netif_receive_skb(skb.into_raw()) };
    }

    /// Releases a transmitted buffer through the NAPI cache (C `napi_consume_skb`).
    #[inline]
    pub fn consume_skb(&self, skb: SkBuff) {
        // SAFETY: In NAPI context with this poll's budget (0 for netpoll makes the C side
        // fall back to `dev_consume_skb_any`); ownership is given up.
        unsafe { bindings::napi_consume_skb(skb.into_raw(), self.budget) };
    }

    /// Records that an XDP program redirected a frame (`xdp_do_redirect`): [`Self::finish`]
    /// flushes the targets.
    #[inline]
    pub(crate) fn note_redirect(&self) {
        self.redirected.set(true);
    }

    /// Ends the poll, which processed `work` packets.
    ///
    /// Frames that XDP programs redirected during the poll are sent on first (C
    /// `xdp_do_flush`).
    ///
    /// With `work` below the budget the poll is complete (C `napi_complete_done`, called
    /// here and only here); [`PollDone::rearm_irq`] then says whether the driver must
    /// re-enable the interrupt (`false` when NAPI polls again: busy polling, or
    /// rescheduled meanwhile). With the whole budget used, NAPI stays scheduled and polls
    /// again, so the interrupt stays off. With a budget of 0 (netpoll) nothing is
    /// completed: netpoll does not own the instance.
    #[inline]
    pub fn finish(self, work: usize) -> PollDone {
        if self.redirected.get() {
            // SAFETY: In the NAPI poll in which the frames were redirected, BH disabled.
            unsafe { bindings::xdp_do_flush() };
        }
        let work = i32::try_from(work).unwrap_or(i32::MAX);
        if self.budget == 0 {
            return PollDone {
                work: 0,
                rearm: false,
            };
        }
        if work >= self.budget {
            return PollDone {
                work: self.budget,
                rearm: false,
            };
        }
        // SAFETY: In the poll of `napi`; `self` is consumed, so this runs once per poll and
        // no buffer can be passed up through this context afterwards.
        let rearm = unsafe { bindings::napi_complete_done(self.napi, work) };
        PollDone { work, rearm }
    }
}

/// How a poll ended; made only by [`PollContext::finish`] and returned by [`Poll::poll`].
#[must_use = "return it from `Poll::poll`"]
pub struct PollDone {
    /// Packets processed, at most the budget.
    work: i32,
    rearm: bool,
}

impl PollDone {
    /// Whether the driver must re-enable the vector's interrupt: the poll completed and
    /// NAPI will not poll again on its own.
    #[inline]
    pub fn rearm_irq(&self) -> bool {
        self.rearm
    }
}

/// A NAPI-driven interrupt: the usual hard-IRQ handler of a network queue vector.
///
/// `Napi<Q>` is an interrupt [`Handler`] when `Q` implements this trait: on each interrupt
/// [`NapiIrq::on_irq`] runs (hard-IRQ context: mask the vector in the device, count), and if it
/// returns `true` the NAPI poll is scheduled. Nothing else happens in hard-IRQ context.
///
/// The interrupt layer knows nothing of NAPI: this is where a NAPI instance becomes a handler.
pub trait NapiIrq: Poll {
    /// Hard-IRQ context, see [`Handler`]. Returns whether to schedule the poll.
    fn on_irq(&self) -> bool;
}

impl<Q: NapiIrq> Handler for Napi<Q> {
    fn handle_irq(&self) -> IrqReturn {
        if self.data().on_irq() {
            self.schedule();
        }
        IrqReturn::Handled
    }
}
