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
//!   dropping the `Napi` disables and deletes it.
//! - [`Poll::poll`] runs in the `NET_RX` softirq with a [`PollContext`] that carries
//!   the budget and the operations only valid there: [`PollContext::alloc_skb`],
//!   [`PollContext::gro_receive`], [`PollContext::receive_skb`],
//!   [`PollContext::consume_skb`] (for TX completions). The poll ends with
//!   [`PollContext::finish`], which consumes the context and returns the [`PollDone`]
//!   that `poll` must return: the only way to end a poll, so `napi_complete_done` is
//!   called at most once, only when the budget was not used up and never for netpoll
//!   (budget 0), and no buffer can be passed up after it. Re-arm the interrupt only if
//!   [`PollDone::rearm_irq`] says so.
//!
//! The `Napi` must be dropped (or [`Napi::del`]eted) before the net_device it was added
//! to is freed, and no interrupt handler may schedule it any more by then: keep it in
//! the device's private data, or drop it before the device's `Registration`.

use super::{dev::NetDev, skb::SkBuff};
use crate::{bindings, error::*, prelude::*, types::Opaque};
use core::{
    marker::PhantomData,
    sync::atomic::{AtomicBool, Ordering},
};

/// Per-vector state polled by NAPI.
pub trait Poll: Sized + Send + Sync {
    /// Processes up to [`PollContext::budget`] received packets (TX completions are not
    /// counted) and ends with [`PollContext::finish`] with how many were processed. Softirq
    /// context (or netpoll with a budget of 0: then clean TX only).
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
/// use kernel::prelude::*;
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
///     fn poll(_this: &Self, ctx: PollContext<'_>) -> PollDone {
///         // Nothing received: the poll is over; re-enable the interrupt if told to.
///         let done = ctx.finish(0);
///         let _rearm = done.rearm_irq();
///         done
///     }
/// }
///
/// let reg = Registration::new_ether(1, 1, Dev)?;
/// let napi = KBox::pin_init(Napi::new(Vector), GFP_KERNEL)?;
/// // Not added yet: scheduling is refused instead of touching an unlisted instance.
/// assert!(!napi.schedule());
/// napi.as_ref().add(reg.dev());
/// // Added but disabled: a poll cannot be scheduled.
/// assert!(!napi.schedule());
/// napi.as_ref().enable();
/// napi.as_ref().disable();
/// // Dropping deletes it; then the device is freed.
/// drop(napi);
/// drop(reg);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// - `napi` is the first field of this `#[repr(C)]` struct, so a pointer to it is a
///   pointer to the `Napi<T>`.
/// - `napi` is listed on a net_device (`netif_napi_add`) iff `added` is true, and
///   enabled iff `enabled` is true (which implies `added`).
#[pin_data(PinnedDrop)]
#[repr(C)]
pub struct Napi<T: Poll> {
    #[pin]
    napi: Opaque<bindings::napi_struct>,
    added: AtomicBool,
    enabled: AtomicBool,
    #[pin]
    data: T,
}

// SAFETY: The C side synchronises the `napi_struct` (state bits); `T` is `Send + Sync`.
unsafe impl<T: Poll> Send for Napi<T> {}
// SAFETY: As above; `&Napi` exposes `schedule`, valid from any context, and `&T`.
unsafe impl<T: Poll> Sync for Napi<T> {}

impl<T: Poll> Napi<T> {
    /// Creates a NAPI instance (not yet added) around the state `data`.
    pub fn new(data: impl PinInit<T, Error>) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            // SAFETY: A zeroed `napi_struct` is the state `netif_napi_add` expects.
            napi <- Opaque::ffi_init(|p: *mut bindings::napi_struct| unsafe {
                core::ptr::write_bytes(p, 0, 1)
            }),
            added: AtomicBool::new(false),
            enabled: AtomicBool::new(false),
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

    /// Lists the instance on `dev` (C `netif_napi_add`); it starts disabled. No-op if
    /// already added. Process context.
    pub fn add(self: Pin<&Self>, dev: &NetDev) {
        if self.added.load(Ordering::Acquire) {
            return;
        }
        // SAFETY: The napi_struct is zeroed or was deleted, pinned, and not listed; the
        // poll trampoline matches `T` (see the type invariant for the cast back).
        unsafe { bindings::netif_napi_add(dev.as_raw(), self.raw(), Some(Self::poll_callback)) };
        // INVARIANT: Now listed.
        self.added.store(true, Ordering::Release);
    }

    /// Enables polling (C `napi_enable`), e.g. in `open`. No-op if not added or already
    /// enabled.
    pub fn enable(self: Pin<&Self>) {
        if !self.added.load(Ordering::Acquire) || self.enabled.load(Ordering::Acquire) {
            return;
        }
        // SAFETY: Listed and disabled.
        unsafe { bindings::napi_enable(self.raw()) };
        self.enabled.store(true, Ordering::Release);
    }

    /// Disables polling and waits for a running poll to finish (C `napi_disable`).
    /// May sleep; no-op if not enabled.
    pub fn disable(self: Pin<&Self>) {
        if self.enabled.swap(false, Ordering::AcqRel) {
            // SAFETY: Listed and enabled; process context by the method's contract.
            unsafe { bindings::napi_disable(self.raw()) };
        }
    }

    /// Disables and unlists the instance (C `netif_napi_del`, waits for an RCU grace
    /// period). Process context.
    pub fn del(self: Pin<&Self>) {
        self.disable();
        if self.added.swap(false, Ordering::AcqRel) {
            // SAFETY: Listed and disabled; `netif_napi_del` is a no-op if `free_netdev`
            // already unlisted it.
            unsafe { bindings::netif_napi_del(self.raw()) };
        }
    }

    /// Schedules a poll (C `napi_schedule`); callable from any context, typically the
    /// hard-IRQ handler. Returns `false` if a poll was already scheduled, the instance
    /// is disabled or it is not added.
    pub fn schedule(&self) -> bool {
        if !self.added.load(Ordering::Acquire) {
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

    /// Ends the poll, which processed `work` packets.
    ///
    /// With `work` below the budget the poll is complete (C `napi_complete_done`, called
    /// here and only here); [`PollDone::rearm_irq`] then says whether the driver must
    /// re-enable the interrupt (`false` when NAPI polls again: busy polling, or
    /// rescheduled meanwhile). With the whole budget used, NAPI stays scheduled and polls
    /// again, so the interrupt stays off. With a budget of 0 (netpoll) nothing is
    /// completed: netpoll does not own the instance.
    #[inline]
    pub fn finish(self, work: usize) -> PollDone {
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
