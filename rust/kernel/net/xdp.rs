// SPDX-License-Identifier: GPL-2.0

//! XDP: BPF programs on a driver's receive path, and XDP frames on its transmit rings.
//!
//! C headers: [`include/net/xdp.h`](srctree/include/net/xdp.h),
//! [`include/linux/filter.h`](srctree/include/linux/filter.h),
//! [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h).
//!
//! - [`BpfProg`] is a counted reference to a loaded program. The user attaches one with
//!   `ip link set dev X xdp ...`; the core hands it to the driver through
//!   [`NetDeviceOps::xdp_setup`](super::dev::NetDeviceOps::xdp_setup) (C `ndo_bpf`,
//!   `XDP_SETUP_PROG`).
//! - An [`XdpProgSlot`] is where the driver keeps it. The program may be replaced at any time,
//!   also while frames arrive; a NAPI poll borrows the current one for the length of the poll
//!   ([`XdpProgSlot::get`]). That borrow cannot dangle: a poll runs with bottom halves
//!   disabled, which is an RCU read-side critical section, and a program whose last reference
//!   is dropped is freed no sooner than an RCU grace period later (`bpf_prog_put` frees through
//!   `call_rcu`).
//! - An [`XdpRxq`] registers a receive queue with the XDP core (C `xdp_rxq_info`, memory
//!   model "shared pages": a frame's page goes back with `put_page`).
//! - Running a program on a receive buffer belongs to the buffer's owner, which knows what each
//!   verdict does to its memory: [`RxPage::run_xdp`](super::rx_page::RxPage::run_xdp) for the
//!   half-page buffers. Redirected frames are flushed when the poll ends
//!   ([`PollContext::finish`]), so a driver cannot forget `xdp_do_flush`.
//! - An [`XdpFrame`] is a frame the driver owns for transmission (`XDP_TX`, or one of the
//!   frames another device redirects to it through `ndo_xdp_xmit`,
//!   [`NetDeviceOps::xdp_xmit`](super::dev::NetDeviceOps::xdp_xmit), which receives them as
//!   an [`XdpXmit`]). Dropping it returns it to its memory model. An [`XdpTxMapping`] maps one
//!   for the device, as [`TxMapping`](super::skb::TxMapping) does a socket buffer.

use super::{dev::NetDev, napi::PollContext};
use crate::{
    alloc::{flags::GFP_KERNEL, KBox},
    bindings,
    device::Device,
    dma::DmaAddress,
    error::{code::*, Error, Result},
    types::{ARef, Opaque},
};
use core::{
    marker::PhantomData,
    mem::ManuallyDrop,
    ptr::{self, NonNull},
    sync::atomic::{AtomicPtr, Ordering},
};

/// The XDP capabilities a device announces (C `NETDEV_XDP_ACT_*`, for
/// [`Unregistered::set_xdp_features`](super::dev::Unregistered::set_xdp_features)).
pub mod features {
    use crate::bindings;

    /// `XDP_ABORTED`, `XDP_DROP`, `XDP_PASS` and `XDP_TX`.
    pub const BASIC: u32 = bindings::netdev_xdp_act_NETDEV_XDP_ACT_BASIC;
    /// `XDP_REDIRECT` out of this device's receive path.
    pub const REDIRECT: u32 = bindings::netdev_xdp_act_NETDEV_XDP_ACT_REDIRECT;
    /// Frames redirected to this device are sent (`ndo_xdp_xmit`).
    pub const NDO_XMIT: u32 = bindings::netdev_xdp_act_NETDEV_XDP_ACT_NDO_XMIT;
}

/// A counted reference to a loaded BPF program (C `struct bpf_prog`).
///
/// # Invariants
///
/// `0` is a valid program of which this value owns one reference.
pub struct BpfProg(NonNull<bindings::bpf_prog>);

// SAFETY: A reference may be dropped on any thread: `bpf_prog_put` defers the release to a
// work item when it cannot free in the calling context.
unsafe impl Send for BpfProg {}
// SAFETY: `&BpfProg` only reads immutable fields of the program.
unsafe impl Sync for BpfProg {}

impl BpfProg {
    /// Takes a new reference to `prog`; `None` if `prog` is null.
    ///
    /// # Safety
    ///
    /// `prog` is null or a valid program that stays valid for the call (the caller holds a
    /// reference, or the core does for the callback that gave it).
    pub(crate) unsafe fn get(prog: *mut bindings::bpf_prog) -> Option<Self> {
        let p = NonNull::new(prog)?;
        // SAFETY: `p` is valid (the caller's promise).
        unsafe { bindings::bpf_prog_inc(p.as_ptr()) };
        // INVARIANT: the reference just taken.
        Some(Self(p))
    }

    /// The program's id (as `bpftool prog` and `ip link` show it).
    pub fn id(&self) -> u32 {
        // SAFETY: By the type invariant the program is valid; `aux` is set at load and never
        // changes, nor does its `id` while the program has a reference.
        unsafe { (*(*self.0.as_ptr()).aux).id }
    }

    /// Gives up ownership of the reference.
    fn into_raw(self) -> *mut bindings::bpf_prog {
        ManuallyDrop::new(self).0.as_ptr()
    }
}

impl Clone for BpfProg {
    fn clone(&self) -> Self {
        // SAFETY: The program is valid (type invariant).
        unsafe { bindings::bpf_prog_inc(self.0.as_ptr()) };
        // INVARIANT: the reference just taken.
        Self(self.0)
    }
}

impl Drop for BpfProg {
    fn drop(&mut self) {
        // SAFETY: We own one reference (type invariant), released once here.
        unsafe { bindings::bpf_prog_put(self.0.as_ptr()) };
    }
}

/// A program borrowed from an [`XdpProgSlot`] for one NAPI poll.
///
/// # Invariants
///
/// `ptr` is a valid program for `'a`.
#[derive(Clone, Copy)]
pub struct XdpProg<'a> {
    ptr: NonNull<bindings::bpf_prog>,
    _p: PhantomData<&'a bindings::bpf_prog>,
}

impl XdpProg<'_> {
    /// The C program.
    #[inline]
    pub(crate) fn as_raw(&self) -> *mut bindings::bpf_prog {
        self.ptr.as_ptr()
    }
}

/// The XDP program of a device or queue: replaced from control paths at any time, read by the
/// NAPI polls (C `xchg` and `READ_ONCE` of `adapter->xdp_prog`).
///
/// # Invariants
///
/// `prog` is null or a program of which the slot owns one reference.
pub struct XdpProgSlot {
    prog: AtomicPtr<bindings::bpf_prog>,
}

impl Default for XdpProgSlot {
    fn default() -> Self {
        Self::new()
    }
}

impl XdpProgSlot {
    /// An empty slot.
    pub const fn new() -> Self {
        // INVARIANT: null.
        Self {
            prog: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Installs `prog` (or none) and returns the program it replaces. Polls running meanwhile
    /// finish with the old program; later polls see the new one.
    pub fn replace(&self, prog: Option<BpfProg>) -> Option<BpfProg> {
        let new = prog.map_or(ptr::null_mut(), BpfProg::into_raw);
        let old = self.prog.swap(new, Ordering::AcqRel);
        // INVARIANT: the slot owns the reference of `new`; the one of `old` passes to the
        // caller.
        NonNull::new(old).map(BpfProg)
    }

    /// Whether a program is installed.
    #[inline]
    pub fn is_attached(&self) -> bool {
        !self.prog.load(Ordering::Relaxed).is_null()
    }

    /// The program, for the poll `ctx` stands for (the result lives no longer than the poll,
    /// whose context type carries the poll's lifetime; `ctx` itself is borrowed only for the
    /// call).
    #[inline]
    pub fn get<'a>(&'a self, _ctx: &PollContext<'a>) -> Option<XdpProg<'a>> {
        let ptr = NonNull::new(self.prog.load(Ordering::Acquire))?;
        // INVARIANT: The slot held a reference when we loaded the pointer. A `replace` since
        // then hands that reference to its caller, who may drop it; the program is then freed
        // after an RCU grace period (`__bpf_prog_put_noref` uses `call_rcu`; XDP programs are
        // never sleepable). A NAPI poll runs with bottom halves disabled, an RCU read-side
        // critical section, and `'a` is within the poll (a `PollContext<'a>` exists only
        // during the poll it stands for, see its type invariant). So the program stays valid
        // for `'a`.
        Some(XdpProg {
            ptr,
            _p: PhantomData,
        })
    }
}

impl Drop for XdpProgSlot {
    fn drop(&mut self) {
        drop(self.replace(None));
    }
}

/// A receive queue registered with the XDP core (C `struct xdp_rxq_info`), with the memory
/// model of page-backed buffers returned by `put_page` (`MEM_TYPE_PAGE_SHARED`). Programs read
/// the device and queue of a frame from it.
///
/// # Invariants
///
/// `info` is registered for `dev` and queue `queue`, with that memory model. `self` holds a
/// reference to `dev` (`dev_hold`).
pub struct XdpRxq {
    info: KBox<Opaque<bindings::xdp_rxq_info>>,
    dev: NonNull<bindings::net_device>,
}

// SAFETY: The registration and the device reference may be dropped on any thread.
unsafe impl Send for XdpRxq {}
// SAFETY: `&XdpRxq` only hands out the registration to programs that read it.
unsafe impl Sync for XdpRxq {}

impl XdpRxq {
    /// Registers receive queue `queue` of `dev`. Process context. The device stays referenced
    /// until the registration is dropped (a driver drops it when it stops the queue, which
    /// unregistering the device does first).
    pub fn new(dev: &NetDev, queue: u32) -> Result<Self> {
        // Zeroed: `reg_state` is `REG_STATE_NEW`, as registration expects.
        let info = KBox::new(Opaque::new(bindings::xdp_rxq_info::default()), GFP_KERNEL)?;
        let raw_dev = dev.as_raw();
        // SAFETY: `info` is a zeroed, unregistered `xdp_rxq_info`; `raw_dev` is a valid device.
        let ret = unsafe { bindings::__xdp_rxq_info_reg(info.get(), raw_dev, queue, 0, 0) };
        if ret < 0 {
            return Err(Error::from_errno(ret));
        }
        // SAFETY: `info` was just registered.
        let ret = unsafe {
            bindings::xdp_rxq_info_reg_mem_model(
                info.get(),
                bindings::xdp_mem_type_MEM_TYPE_PAGE_SHARED,
                ptr::null_mut(),
            )
        };
        if ret < 0 {
            // SAFETY: Registered above, unregistered once here.
            unsafe { bindings::xdp_rxq_info_unreg(info.get()) };
            return Err(Error::from_errno(ret));
        }
        // SAFETY: `raw_dev` is a valid device (borrowed); the reference is dropped in `drop`.
        unsafe { bindings::dev_hold(raw_dev) };
        let dev = NonNull::new(raw_dev).ok_or(EINVAL)?;
        // INVARIANT: registered with the memory model above; the device reference taken.
        Ok(Self { info, dev })
    }

    /// The C registration, for `xdp_init_buff`.
    #[inline]
    pub(crate) fn as_raw(&self) -> *mut bindings::xdp_rxq_info {
        self.info.get()
    }
}

impl Drop for XdpRxq {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `info` is registered and we hold a device reference;
        // both are released once here.
        unsafe {
            bindings::xdp_rxq_info_unreg(self.info.get());
            bindings::dev_put(self.dev.as_ptr());
        }
    }
}

/// A frame the driver owns for transmission (C `struct xdp_frame`): made from a receive buffer
/// by `XDP_TX`, or handed over by `ndo_xdp_xmit`. Dropping it returns its memory (C
/// `xdp_return_frame`).
///
/// # Invariants
///
/// `0` is a valid frame that this value owns; its `len` bytes at `data` are not written while
/// it is owned here.
pub struct XdpFrame(NonNull<bindings::xdp_frame>);

// SAFETY: A frame may be sent and returned on any CPU (`xdp_return_frame` works in any context
// but hard IRQ, where no frame is dropped: rings are cleaned in NAPI or process context).
unsafe impl Send for XdpFrame {}
// SAFETY: `&XdpFrame` only reads the frame's header.
unsafe impl Sync for XdpFrame {}

impl XdpFrame {
    /// Takes ownership of `frame`.
    ///
    /// # Safety
    ///
    /// `frame` is a valid frame that the caller owns and gives up.
    #[inline]
    pub(crate) unsafe fn from_raw(frame: NonNull<bindings::xdp_frame>) -> Self {
        // INVARIANT: by the safety requirements.
        Self(frame)
    }

    /// The length of the frame in bytes.
    #[inline]
    pub fn len(&self) -> u32 {
        // SAFETY: The frame is valid (type invariant).
        u32::from(unsafe { (*self.0.as_ptr()).len })
    }

    /// Whether the frame is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The frame's first byte.
    #[inline]
    fn data(&self) -> *mut crate::ffi::c_void {
        // SAFETY: The frame is valid (type invariant).
        unsafe { (*self.0.as_ptr()).data }
    }
}

impl Drop for XdpFrame {
    fn drop(&mut self) {
        // SAFETY: We own the frame (type invariant); it is returned once, here.
        unsafe { bindings::xdp_return_frame(self.0.as_ptr()) };
    }
}

/// A place for one [`XdpFrame`] mapped for the device to read (C `dma_map_single`), reused for
/// every frame that goes through a ring slot.
///
/// # Invariants
///
/// `raw_dev` points to the device `_dev` holds a reference to. While `frame` is `Some`, its
/// `len` bytes are mapped for that device at `addr`, direction `DMA_TO_DEVICE`.
pub struct XdpTxMapping {
    _dev: ARef<Device>,
    raw_dev: *mut bindings::device,
    frame: Option<XdpFrame>,
    addr: DmaAddress,
    len: u32,
}

// SAFETY: `raw_dev` is a copy of the pointer `_dev` holds a reference to; the rest is plain data
// and an owned frame (`Send`).
unsafe impl Send for XdpTxMapping {}
// SAFETY: As above; `&XdpTxMapping` only reads.
unsafe impl Sync for XdpTxMapping {}

impl XdpTxMapping {
    /// An empty mapping for `dev`.
    pub fn new(dev: &Device) -> Self {
        // INVARIANT: nothing is mapped.
        Self {
            _dev: dev.into(),
            raw_dev: dev.as_raw(),
            frame: None,
            addr: 0,
            len: 0,
        }
    }

    /// Takes `frame` and maps it. On failure the frame comes back with the error (`ENOMEM`:
    /// the mapping failed; `EBUSY`: a frame is still mapped here).
    #[inline]
    pub fn map(&mut self, frame: XdpFrame) -> core::result::Result<(), (Error, XdpFrame)> {
        if self.frame.is_some() {
            return Err((EBUSY, frame));
        }
        let len = frame.len();
        // SAFETY: The frame's `len` bytes at `data` are page memory it owns (type invariant
        // of `XdpFrame`), fixed while this mapping owns it; `raw_dev` is valid.
        let addr = unsafe {
            bindings::dma_map_linear(
                self.raw_dev,
                frame.data(),
                len as usize,
                bindings::dma_data_direction_DMA_TO_DEVICE,
            )
        };
        // SAFETY: `raw_dev` is valid.
        if unsafe { crate::dma::mapping_failed(self.raw_dev, addr) } {
            return Err((ENOMEM, frame));
        }
        // INVARIANT: the frame's bytes were just mapped at `addr`.
        self.addr = addr;
        self.len = len;
        self.frame = Some(frame);
        Ok(())
    }

    /// Whether a frame is mapped.
    #[inline]
    pub fn is_mapped(&self) -> bool {
        self.frame.is_some()
    }

    /// The device address of the mapped frame (meaningless when empty).
    #[inline]
    pub fn dma_handle(&self) -> DmaAddress {
        self.addr
    }

    /// The length of the mapped frame (0 when empty).
    #[inline]
    pub fn len(&self) -> u32 {
        if self.frame.is_some() {
            self.len
        } else {
            0
        }
    }

    /// Whether no frame is mapped.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.frame.is_none()
    }

    /// Unmaps the frame and gives it back; `None` if empty.
    #[inline]
    pub fn unmap(&mut self) -> Option<XdpFrame> {
        let frame = self.frame.take()?;
        // SAFETY: By the type invariant the frame was mapped at `addr` for `raw_dev`.
        unsafe {
            bindings::dma_unmap_single_attrs(
                self.raw_dev,
                self.addr,
                self.len as usize,
                bindings::dma_data_direction_DMA_TO_DEVICE,
                0,
            )
        };
        Some(frame)
    }
}

impl Drop for XdpTxMapping {
    fn drop(&mut self) {
        // The device must not read the frame any more: unmap before it is returned.
        drop(self.unmap());
    }
}

/// The frames of one `ndo_xdp_xmit` call, taken one at a time in order.
///
/// The core frees the frames the driver did not take; those it took are the driver's (sent,
/// or returned by dropping them). So the callback reports as sent exactly the frames taken.
///
/// # Invariants
///
/// `frames[taken..n]` are valid frames owned by the caller of `ndo_xdp_xmit`; `taken <= n`.
pub struct XdpXmit<'a> {
    frames: *mut *mut bindings::xdp_frame,
    n: usize,
    taken: usize,
    _p: PhantomData<&'a mut [*mut bindings::xdp_frame]>,
}

impl XdpXmit<'_> {
    /// # Safety
    ///
    /// `frames` points to `n` valid frames that the core hands over for the length of the
    /// callback, freeing afterwards those not taken.
    pub(crate) unsafe fn new(frames: *mut *mut bindings::xdp_frame, n: usize) -> Self {
        // INVARIANT: none taken yet.
        Self {
            frames,
            n,
            taken: 0,
            _p: PhantomData,
        }
    }

    /// How many frames were taken.
    pub(crate) fn taken(&self) -> usize {
        self.taken
    }

    /// How many frames are left.
    pub fn remaining(&self) -> usize {
        self.n - self.taken
    }
}

impl Iterator for XdpXmit<'_> {
    type Item = XdpFrame;

    #[inline]
    fn next(&mut self) -> Option<XdpFrame> {
        if self.taken >= self.n {
            return None;
        }
        // SAFETY: `taken < n`: within the array.
        let f = unsafe { *self.frames.add(self.taken) };
        self.taken += 1;
        // SAFETY: By the type invariant the frame was the caller's; counting it as taken
        // transfers it (the core frees only those after `taken`).
        NonNull::new(f).map(|f| unsafe { XdpFrame::from_raw(f) })
    }
}

/// The verdict of a program on a received frame, and what became of the frame.
pub enum XdpVerdict {
    /// `XDP_PASS`: the frame, as the program left it, as a socket buffer for the stack.
    Pass(super::skb::SkBuff),
    /// `XDP_DROP`: the buffer stays with the driver.
    Drop,
    /// `XDP_TX`: the frame, to send back out of the device it came in on.
    Tx(XdpFrame),
    /// `XDP_REDIRECT`: the frame went to the program's target (flushed at the end of the poll).
    Redirect,
    /// `XDP_ABORTED`, an unknown verdict, or a verdict that could not be carried out (traced
    /// as `xdp:xdp_exception`): the buffer stays with the driver.
    Aborted,
}

/// Checks the action of a program on a frame of `dev`: known actions pass unchanged; an
/// unknown one is reported (once, C `bpf_warn_invalid_xdp_action`) and becomes `XDP_ABORTED`.
#[inline]
pub(crate) fn check_action(dev: *mut bindings::net_device, prog: XdpProg<'_>, act: u32) -> u32 {
    match act {
        bindings::xdp_action_XDP_PASS
        | bindings::xdp_action_XDP_DROP
        | bindings::xdp_action_XDP_TX
        | bindings::xdp_action_XDP_REDIRECT
        | bindings::xdp_action_XDP_ABORTED => act,
        _ => {
            // SAFETY: `dev` and the program are valid (the callers' device and `XdpProg`).
            unsafe { bindings::bpf_warn_invalid_xdp_action(dev, prog.as_raw(), act) };
            bindings::xdp_action_XDP_ABORTED
        }
    }
}

/// Traces a failed verdict (C `trace_xdp_exception`).
#[cold]
pub(crate) fn exception(dev: *mut bindings::net_device, prog: XdpProg<'_>, act: u32) {
    // SAFETY: `dev` and the program are valid (the callers' device and `XdpProg`).
    unsafe { bindings::trace_xdp_exception(dev, prog.as_raw(), act) };
}
