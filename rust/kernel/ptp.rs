// SPDX-License-Identifier: GPL-2.0

//! PTP hardware clocks.
//!
//! C header: [`include/linux/ptp_clock_kernel.h`](srctree/include/linux/ptp_clock_kernel.h)
//!
//! A driver describes its clock with [`ClockOps`] (read, set, step and slew it) and registers it
//! with [`Registration`], which owns the driver's clock state: the clock appears as
//! `/dev/ptpN` (and in `ethtool -T` when the driver reports [`Registration::index`]) until the
//! registration is dropped. `ptp_clock_unregister` waits for the callbacks in progress and no
//! callback runs after it, so the callbacks can only ever see a live `T`. The clock's character
//! device holds a reference to the module (`owner`) while it is open.

use crate::{
    bindings, device,
    error::{from_err_ptr, from_result},
    init,
    prelude::*,
    str::CStr,
    types::Opaque,
    ThisModule,
};
use core::marker::PhantomPinned;

/// Nanoseconds in a second.
const NSEC_PER_SEC: i64 = 1_000_000_000;

/// Operations of a PTP hardware clock (the callbacks of C `struct ptp_clock_info`), on the
/// driver's clock state. Each may sleep unless the driver's implementation says otherwise; the
/// PTP core serialises none of them (a clock used by several processes gets concurrent calls).
#[vtable]
pub trait ClockOps: Send + Sync + Sized + 'static {
    /// The clock's name (`/sys/class/ptp/ptpN/clock_name`), at most 15 bytes.
    const NAME: &'static CStr;

    /// The largest frequency offset [`ClockOps::adjfine`] accepts, in parts per billion.
    const MAX_ADJ_PPB: i32;

    /// Sets the clock's frequency offset from nominal, in parts per million with a 16-bit
    /// binary fraction (C `adjfine`; the core checked it against [`ClockOps::MAX_ADJ_PPB`]).
    fn adjfine(&self, scaled_ppm: i64) -> Result;

    /// Steps the clock by `delta_ns` nanoseconds.
    fn adjtime(&self, delta_ns: i64) -> Result;

    /// Reads the clock, in nanoseconds since the epoch of its time scale.
    fn gettime(&self) -> Result<i64>;

    /// Sets the clock to `ns` nanoseconds since the epoch of its time scale (never negative).
    fn settime(&self, ns: i64) -> Result;
}

/// The frequency increment `base` adjusted by `scaled_ppm` (parts per million with a 16-bit
/// binary fraction): `base * (1 + scaled_ppm / 2^16 / 10^6)` (C `adjust_by_scaled_ppm`).
pub fn adjust_by_scaled_ppm(base: u64, scaled_ppm: i64) -> u64 {
    // CAST: `long` is 64 bits on the 64-bit targets this crate builds for.
    // SAFETY: A pure computation.
    unsafe { bindings::adjust_by_scaled_ppm(base, scaled_ppm as crate::ffi::c_long) }
}

/// The system's real time (`CLOCK_REALTIME`) in nanoseconds: where a driver starts its clock
/// (C `ktime_get_real_ns`).
pub fn realtime_ns() -> i64 {
    let mut ts = bindings::timespec64::default();
    // SAFETY: `ts` is valid for writes.
    unsafe { bindings::ktime_get_real_ts64(&mut ts) };
    // CAST: `tv_nsec` is below 10^9.
    ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec as i64
}

/// A registered PTP hardware clock with the driver's clock state `T`.
///
/// # Invariants
///
/// `clock` is the clock `ptp_clock_register` returned for `info`, registered until `drop`;
/// `info`'s callbacks are those of `Adapter<T>` and reach `data`.
#[pin_data(PinnedDrop)]
#[repr(C)]
pub struct Registration<T: ClockOps> {
    /// First: the callbacks get a pointer to it and find the registration there.
    #[pin]
    info: Opaque<bindings::ptp_clock_info>,
    #[pin]
    data: T,
    clock: *mut bindings::ptp_clock,
    #[pin]
    _pin: PhantomPinned,
}

// SAFETY: The registration can be dropped (unregistered) from any thread; `T` is `Send`.
unsafe impl<T: ClockOps> Send for Registration<T> {}
// SAFETY: `&Registration` gives `&T` (`T: Sync`) and the clock index, read-only.
unsafe impl<T: ClockOps> Sync for Registration<T> {}

impl<T: ClockOps> Registration<T> {
    /// Registers a clock with state `data`, under `parent` (its sysfs parent), for `module`
    /// (whose code the callbacks are).
    pub fn new(
        parent: &device::Device,
        data: impl PinInit<T, Error>,
        module: &'static ThisModule,
    ) -> impl PinInit<Self, Error> {
        let parent = parent.as_raw();
        let init = move |slot: *mut Self| {
            // SAFETY: `slot` is valid for writes and pinned (the `PinInit` contract).
            let info = unsafe { Opaque::raw_get(core::ptr::addr_of_mut!((*slot).info)) };
            let mut ops = Adapter::<T>::info();
            ops.owner = module.as_ptr();
            // SAFETY: `info` is valid for writes; the callbacks cannot run before
            // `ptp_clock_register` below.
            unsafe { info.write(ops) };
            // SAFETY: The `data` field is valid for writes and pinned with `slot`; on failure
            // `__pinned_init` leaves nothing to drop.
            unsafe { data.__pinned_init(core::ptr::addr_of_mut!((*slot).data))? };
            // SAFETY: `info` is initialised and pinned for the registration's life; `parent`
            // is a valid device (the core takes its own reference).
            let clock = unsafe { bindings::ptp_clock_register(info, parent) };
            // Null: PTP support compiled out.
            let clock = match from_err_ptr(clock) {
                Ok(c) if !c.is_null() => c,
                r => {
                    // SAFETY: `data` was written above; nothing registered refers to it.
                    unsafe { core::ptr::drop_in_place(core::ptr::addr_of_mut!((*slot).data)) };
                    return Err(r.err().unwrap_or(ENODEV));
                }
            };
            // SAFETY: `slot` is valid for writes.
            unsafe { core::ptr::addr_of_mut!((*slot).clock).write(clock) };
            Ok(())
        };
        // SAFETY: On success `init` wrote every field; on failure it dropped what it wrote
        // and nothing is registered.
        unsafe { init::pin_init_from_closure(init) }
    }

    /// The driver's clock state.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The clock's index: `N` of `/dev/ptpN`, for `ethtool -T`.
    pub fn index(&self) -> i32 {
        // SAFETY: `clock` is registered (type invariant).
        unsafe { bindings::ptp_clock_index(self.clock) }
    }
}

#[pinned_drop]
impl<T: ClockOps> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: `clock` is registered (type invariant); after this returns no callback runs
        // (the PTP core waits for those in progress), so `data` can be dropped after it.
        unsafe { bindings::ptp_clock_unregister(self.clock) };
    }
}

/// The C callbacks of a [`ClockOps`] implementation.
struct Adapter<T: ClockOps>(core::marker::PhantomData<T>);

impl<T: ClockOps> Adapter<T> {
    /// The `ptp_clock_info` of `T` (without its owner).
    fn info() -> bindings::ptp_clock_info {
        // SAFETY: All-zero is a valid `ptp_clock_info`: no callbacks, no pins.
        let mut i: bindings::ptp_clock_info = unsafe { core::mem::zeroed() };
        let name = T::NAME.as_bytes();
        let max = i.name.len() - 1;
        for (d, s) in i.name.iter_mut().take(max).zip(name) {
            // CAST: bytes of a C string.
            *d = *s as crate::ffi::c_char;
        }
        i.max_adj = T::MAX_ADJ_PPB;
        i.adjfine = Some(Self::adjfine);
        i.adjtime = Some(Self::adjtime);
        i.gettime64 = Some(Self::gettime64);
        i.settime64 = Some(Self::settime64);
        // The core calls `enable` for PPS requests without checking that the clock has PPS.
        i.enable = Some(Self::enable);
        i
    }

    /// # Safety
    ///
    /// `info` must be the `info` field of a live `Registration<T>` (the PTP core passes the
    /// pointer it registered, and calls no callback after `ptp_clock_unregister`).
    unsafe fn data<'a>(info: *mut bindings::ptp_clock_info) -> &'a T {
        let reg = info.cast::<Registration<T>>();
        // SAFETY: `info` is the first field of a `repr(C)` `Registration<T>`, which is live.
        unsafe { &(*reg).data }
    }

    /// # Safety
    ///
    /// Called by the PTP core on a registered clock ("See above" below).
    unsafe extern "C" fn adjfine(
        info: *mut bindings::ptp_clock_info,
        scaled_ppm: crate::ffi::c_long,
    ) -> crate::ffi::c_int {
        // SAFETY: See above.
        let data = unsafe { Self::data(info) };
        // CAST: `long` is 64 bits on the 64-bit targets this crate builds for.
        from_result(|| T::adjfine(data, scaled_ppm as i64).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the PTP core on a registered clock ("See above" below).
    unsafe extern "C" fn adjtime(
        info: *mut bindings::ptp_clock_info,
        delta: i64,
    ) -> crate::ffi::c_int {
        // SAFETY: See above.
        let data = unsafe { Self::data(info) };
        from_result(|| T::adjtime(data, delta).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the PTP core on a registered clock, `ts` valid for writes.
    unsafe extern "C" fn gettime64(
        info: *mut bindings::ptp_clock_info,
        ts: *mut bindings::timespec64,
    ) -> crate::ffi::c_int {
        // SAFETY: Called by the PTP core on a registered clock.
        let data = unsafe { Self::data(info) };
        from_result(|| {
            let ns = T::gettime(data)?;
            // SAFETY: `ts` is valid for writes (the core's stack variable).
            unsafe {
                (*ts).tv_sec = ns.div_euclid(NSEC_PER_SEC);
                // CAST: below 10^9.
                (*ts).tv_nsec = ns.rem_euclid(NSEC_PER_SEC) as crate::ffi::c_long;
            }
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the PTP core on a registered clock, `ts` valid for reads.
    unsafe extern "C" fn settime64(
        info: *mut bindings::ptp_clock_info,
        ts: *const bindings::timespec64,
    ) -> crate::ffi::c_int {
        // SAFETY: Called by the PTP core on a registered clock.
        let data = unsafe { Self::data(info) };
        // SAFETY: `ts` is valid for reads; the core checked it is a valid, non-negative time.
        let (sec, nsec) = unsafe { ((*ts).tv_sec, (*ts).tv_nsec) };
        from_result(|| {
            let ns = sec
                .checked_mul(NSEC_PER_SEC)
                // CAST: `tv_nsec` is below 10^9.
                .and_then(|s| s.checked_add(nsec as i64))
                .ok_or(ERANGE)?;
            T::settime(data, ns).map(|()| 0)
        })
    }

    /// No periodic outputs, external time stamps or PPS.
    ///
    /// # Safety
    ///
    /// None: it reads none of its arguments (the PTP core calls it).
    unsafe extern "C" fn enable(
        _info: *mut bindings::ptp_clock_info,
        _rq: *mut bindings::ptp_clock_request,
        _on: crate::ffi::c_int,
    ) -> crate::ffi::c_int {
        // CAST: a small errno.
        -(bindings::EOPNOTSUPP as crate::ffi::c_int)
    }
}
