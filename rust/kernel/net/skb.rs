// SPDX-License-Identifier: GPL-2.0

//! Socket buffers (`struct sk_buff`).
//!
//! C header: [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h).
//!
//! [`SkBuff`] is an *owned* socket buffer: whoever holds it is the only user of the
//! `struct sk_buff`, and it is released exactly once, either explicitly
//! ([`SkBuff::consume`], [`SkBuff::drop_reason`], [`napi::PollContext::consume_skb`],
//! or by handing it to the stack) or by `Drop`, which calls `dev_kfree_skb_any`.
//!
//! Usage summary:
//!
//! - RX: [`SkBuff::alloc_rx`] (process or atomic context, `NET_IP_ALIGN` headroom) or
//!   [`napi::PollContext::alloc_skb`] (NAPI poll), [`SkBuff::data_ptr`] and
//!   [`SkBuff::tailroom`] for a streaming DMA mapping, then [`SkBuff::put`] with the
//!   length written by the device, [`SkBuff::eth_type_trans`], [`SkBuff::set_csum`],
//!   [`SkBuff::set_hash`], [`SkBuff::record_rx_queue`], and finally
//!   [`napi::PollContext::gro_receive`].
//! - TX: [`SkBuff::len`], [`SkBuff::headlen`], [`SkBuff::data`] (linear part),
//!   [`SkBuff::frags`] (page/offset/len for each fragment), [`SkBuff::csum`] and
//!   [`SkBuff::csum_start`]/[`SkBuff::csum_offset`], [`SkBuff::network_offset`] and
//!   [`SkBuff::transport_offset`], for TSO [`SkBuff::gso_size`]/[`SkBuff::gso_type`] and
//!   [`SkBuff::writable_head`] before editing headers; [`TxMapping`] maps the linear part and
//!   every fragment and owns the `SkBuff` in the ring until the device is done with it, then
//!   [`TxMapping::unmap`] and [`napi::PollContext::consume_skb`].
//!
//! [`napi::PollContext::consume_skb`]: super::napi::PollContext::consume_skb
//! [`napi::PollContext::alloc_skb`]: super::napi::PollContext::alloc_skb
//! [`napi::PollContext::gro_receive`]: super::napi::PollContext::gro_receive

use super::dev::NetDev;
use crate::{alloc::Flags, bindings, error::*, prelude::*, types::ARef};
use core::{
    ptr::NonNull,
    sync::atomic::{AtomicU32, Ordering},
};

/// The `headers` group of `struct sk_buff` (protocol, header offsets, checksum state).
type Hdrs = bindings::sk_buff__bindgen_ty_4__bindgen_ty_1;

/// Where the bitfields that the receive and transmit paths touch per packet sit in [`Hdrs`]:
/// the byte (from the start of the group) and the mask there, so that a read or write is one
/// masked access instead of bindgen's bit-by-bit accessor (some 25 instructions each).
///
/// The places follow `include/linux/skbuff.h` on a little-endian target: `ip_summed` is bits
/// 5..=6 of the byte after `__pkt_type_offset`; after `__mono_tc_offset` come `tstamp_type`
/// (2 bits), `tc_at_ingress` and `tc_skip_classify` with `CONFIG_NET_XGRESS`,
/// `remcsum_offload`, `csum_complete_sw`, `csum_level` (2), `inner_protocol_type`, then
/// `l4_hash` and `sw_hash`. (C keeps such masks by hand too: `TC_AT_INGRESS_MASK`.) Before a
/// device of these abstractions exists, [`layout_checked`] compares every place with what
/// bindgen's own setters write; on any difference no device is created, so the masked
/// writes below (reachable only with a device) never touch the wrong bits.
#[cfg(target_endian = "little")]
mod bits {
    use super::Hdrs;
    use core::mem::offset_of;

    const B1: usize = offset_of!(Hdrs, _bitfield_1);
    const B2: usize = offset_of!(Hdrs, _bitfield_2);
    /// `(byte, mask)` of `ip_summed`.
    pub(super) const IP_SUMMED: (usize, u8) = (B1, 0x60);
    #[cfg(not(CONFIG_NET_XGRESS))]
    pub(super) const L4_HASH: (usize, u8) = (B2, 0x80);
    #[cfg(not(CONFIG_NET_XGRESS))]
    pub(super) const SW_HASH: (usize, u8) = (B2 + 1, 0x01);
    #[cfg(CONFIG_NET_XGRESS)]
    pub(super) const L4_HASH: (usize, u8) = (B2 + 1, 0x02);
    #[cfg(CONFIG_NET_XGRESS)]
    pub(super) const SW_HASH: (usize, u8) = (B2 + 1, 0x04);

    /// Reads the field at `(byte, mask)` of `h`.
    #[inline(always)]
    pub(super) fn read(h: &Hdrs, (byte, mask): (usize, u8)) -> u8 {
        // SAFETY: `byte < size_of::<Hdrs>()`: an offset inside a bitfield unit of `Hdrs` (the
        // second unit holds more than two bytes).
        let b = unsafe { *core::ptr::from_ref(h).cast::<u8>().add(byte) };
        (b & mask) >> mask.trailing_zeros()
    }

    /// Writes `v` into the field at `(byte, mask)` of `h`.
    #[inline(always)]
    pub(super) fn write(h: &mut Hdrs, (byte, mask): (usize, u8), v: u8) {
        // SAFETY: As in `read`; `h` lets us write.
        let p = unsafe { core::ptr::from_mut(h).cast::<u8>().add(byte) };
        // SAFETY: `p` is a byte of `h`.
        unsafe { *p = (*p & !mask) | ((v << mask.trailing_zeros()) & mask) };
    }

    /// The byte and mask that bindgen's setter `set` writes when it sets its field to all
    /// ones in a zeroed group (`None` if the field is not within one byte).
    fn located(set: fn(&mut Hdrs)) -> Option<(usize, u8)> {
        let mut h = core::mem::MaybeUninit::<Hdrs>::zeroed();
        // SAFETY: All-zero bytes are a valid `Hdrs`: integers, arrays and unions of them.
        let h = unsafe { h.assume_init_mut() };
        set(h);
        // SAFETY: `h` is `size_of::<Hdrs>()` initialised bytes.
        let bytes = unsafe {
            core::slice::from_raw_parts(
                core::ptr::from_ref(h).cast::<u8>(),
                core::mem::size_of::<Hdrs>(),
            )
        };
        let mut set_bytes = bytes.iter().enumerate().filter(|(_, b)| **b != 0);
        match (set_bytes.next(), set_bytes.next()) {
            (Some((i, &mask)), None) => Some((i, mask)),
            _ => None,
        }
    }

    /// Whether every place above is where bindgen puts the field.
    pub(super) fn match_bindgen() -> bool {
        located(|h| h.set_ip_summed(!0)) == Some(IP_SUMMED)
            && located(|h| h.set_l4_hash(!0)) == Some(L4_HASH)
            && located(|h| h.set_sw_hash(!0)) == Some(SW_HASH)
    }
}

/// Whether the hand-placed bitfields of the fast paths match this kernel's `struct sk_buff`
/// (see `bits`); checked once, before the first device of these abstractions is created.
/// `false` (and an error in the log) means no device may be created.
pub(crate) fn layout_checked() -> bool {
    // 0: not checked yet, 1: matches, 2: does not.
    static STATE: AtomicU32 = AtomicU32::new(0);
    match STATE.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => {
            #[cfg(target_endian = "little")]
            let ok = bits::match_bindgen();
            #[cfg(not(target_endian = "little"))]
            let ok = true;
            if !ok {
                crate::pr_err!("net: sk_buff bitfields moved; update rust/kernel/net/skb.rs\n");
            }
            STATE.store(if ok { 1 } else { 2 }, Ordering::Relaxed);
            ok
        }
    }
}

/// Checksum state of a socket buffer (C `skb->ip_summed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksum {
    /// `CHECKSUM_NONE`: RX: not verified by the device; TX: computed by software.
    None,
    /// `CHECKSUM_UNNECESSARY`: RX: the device verified the checksum.
    Unnecessary,
    /// `CHECKSUM_COMPLETE`: RX: the device supplied the full packet checksum.
    Complete,
    /// `CHECKSUM_PARTIAL`: TX: the device must insert the checksum at
    /// [`SkBuff::csum_start`] + [`SkBuff::csum_offset`].
    Partial,
}

impl Checksum {
    #[inline]
    fn from_raw(v: u8) -> Self {
        match u32::from(v) {
            bindings::CHECKSUM_UNNECESSARY => Self::Unnecessary,
            bindings::CHECKSUM_COMPLETE => Self::Complete,
            bindings::CHECKSUM_PARTIAL => Self::Partial,
            _ => Self::None,
        }
    }

    #[inline]
    fn to_raw(self) -> u8 {
        // CAST: the `CHECKSUM_*` values are 0..=3.
        (match self {
            Self::None => bindings::CHECKSUM_NONE,
            Self::Unnecessary => bindings::CHECKSUM_UNNECESSARY,
            Self::Complete => bindings::CHECKSUM_COMPLETE,
            Self::Partial => bindings::CHECKSUM_PARTIAL,
        }) as u8
    }
}

/// Kind of an RX hash (C `enum pkt_hash_types`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashType {
    /// No hash.
    None,
    /// Hash over L2 fields.
    L2,
    /// Hash over L3 (addresses).
    L3,
    /// Hash over L4 (addresses and ports).
    L4,
}

impl HashType {
    #[inline]
    fn to_raw(self) -> bindings::pkt_hash_types {
        match self {
            Self::None => bindings::pkt_hash_types_PKT_HASH_TYPE_NONE,
            Self::L2 => bindings::pkt_hash_types_PKT_HASH_TYPE_L2,
            Self::L3 => bindings::pkt_hash_types_PKT_HASH_TYPE_L3,
            Self::L4 => bindings::pkt_hash_types_PKT_HASH_TYPE_L4,
        }
    }
}

/// Why a socket buffer is dropped (a subset of C `enum skb_drop_reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// `SKB_DROP_REASON_NOT_SPECIFIED`.
    NotSpecified,
    /// `SKB_DROP_REASON_DEV_READY`: the device is not up.
    DevReady,
    /// `SKB_DROP_REASON_PKT_TOO_BIG`: larger than the MTU.
    PktTooBig,
    /// `SKB_DROP_REASON_PKT_TOO_SMALL`: shorter than a header.
    PktTooSmall,
    /// `SKB_DROP_REASON_FULL_RING`: no room in a ring.
    FullRing,
    /// `SKB_DROP_REASON_NOMEM`: allocation failure.
    Nomem,
    /// `SKB_DROP_REASON_DEV_HDR`: invalid device header.
    DevHdr,
    /// `SKB_DROP_REASON_QUEUE_PURGE`: queue purged at teardown.
    QueuePurge,
}

impl DropReason {
    fn to_raw(self) -> bindings::skb_drop_reason {
        match self {
            Self::NotSpecified => bindings::skb_drop_reason_SKB_DROP_REASON_NOT_SPECIFIED,
            Self::DevReady => bindings::skb_drop_reason_SKB_DROP_REASON_DEV_READY,
            Self::PktTooBig => bindings::skb_drop_reason_SKB_DROP_REASON_PKT_TOO_BIG,
            Self::PktTooSmall => bindings::skb_drop_reason_SKB_DROP_REASON_PKT_TOO_SMALL,
            Self::FullRing => bindings::skb_drop_reason_SKB_DROP_REASON_FULL_RING,
            Self::Nomem => bindings::skb_drop_reason_SKB_DROP_REASON_NOMEM,
            Self::DevHdr => bindings::skb_drop_reason_SKB_DROP_REASON_DEV_HDR,
            Self::QueuePurge => bindings::skb_drop_reason_SKB_DROP_REASON_QUEUE_PURGE,
        }
    }
}

/// GSO types (C `SKB_GSO_*`), bits of [`SkBuff::gso_type`].
pub mod gso {
    use crate::bindings;

    /// TCP over IPv4.
    pub const TCPV4: u32 = bindings::SKB_GSO_TCPV4;
    /// TCP over IPv6.
    pub const TCPV6: u32 = bindings::SKB_GSO_TCPV6;
    /// TCP with the ECN CWR flag to be set on the first segment only.
    pub const TCP_ECN: u32 = bindings::SKB_GSO_TCP_ECN;
    /// From an untrusted source (must be verified).
    pub const DODGY: u32 = bindings::SKB_GSO_DODGY;
    /// The IPv4 ID must not be incremented per segment.
    pub const TCP_FIXEDID: u32 = bindings::SKB_GSO_TCP_FIXEDID;
}

/// A page fragment of a non-linear socket buffer (C `skb_frag_t`), for DMA mapping.
#[derive(Clone, Copy, Debug)]
pub struct Frag {
    page: *mut bindings::page,
    offset: u32,
    len: u32,
}

impl Frag {
    /// The page holding the fragment's data (the fragment may span following pages of
    /// a compound page).
    #[inline]
    pub fn page(&self) -> *mut bindings::page {
        self.page
    }

    /// Offset of the fragment's data in [`Frag::page`].
    #[inline]
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// Length of the fragment in bytes.
    #[inline]
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether the fragment is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// An owned socket buffer.
///
/// # Invariants
///
/// `self.ptr` points to a valid `struct sk_buff` that this object owns exclusively: no
/// other code references it until it is released, and it is released exactly once
/// (by one of the consuming methods or by `Drop`).
///
/// # Examples
///
/// ```
/// use kernel::net::skb::{Checksum, SkBuff};
/// use kernel::prelude::*;
///
/// let mut skb = SkBuff::alloc(128, GFP_KERNEL)?;
/// assert_eq!(skb.len(), 0);
/// assert!(skb.tailroom() >= 128);
/// let buf = skb.put(14)?;
/// buf.copy_from_slice(&[0xffu8; 14]);
/// assert_eq!(skb.len(), 14);
/// assert_eq!(skb.headlen(), 14);
/// assert_eq!(skb.data()[13], 0xff);
/// assert_eq!(skb.nr_frags(), 0);
/// assert_eq!(skb.csum(), Checksum::None);
/// skb.set_csum(Checksum::Unnecessary);
/// assert_eq!(skb.csum(), Checksum::Unnecessary);
/// for c in [Checksum::Complete, Checksum::Partial, Checksum::None] {
///     skb.set_csum(c);
///     assert_eq!(skb.csum(), c);
/// }
/// // Asking for more than the tailroom fails instead of panicking.
/// assert!(skb.put(4096).is_err());
/// skb.trim(10);
/// assert_eq!(skb.len(), 10);
/// skb.consume();
/// # Ok::<(), Error>(())
/// ```
///
/// Headroom, pulls and drop reasons:
///
/// ```
/// use kernel::net::skb::{DropReason, SkBuff};
/// use kernel::prelude::*;
///
/// let mut skb = SkBuff::alloc(256, GFP_KERNEL)?;
/// skb.reserve(16)?;
/// assert_eq!(skb.headroom(), 16);
/// skb.put_data(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00, 0x45])?;
/// assert!(skb.reserve(4).is_err()); // only on an empty buffer
/// skb.pull(14)?;
/// assert_eq!(skb.data(), &[0x45]);
/// assert!(skb.pull(2).is_err());
/// skb.set_protocol(0x0800);
/// assert_eq!(skb.protocol(), 0x0800);
/// skb.record_rx_queue(3);
/// skb.drop_reason(DropReason::PktTooSmall);
/// # Ok::<(), Error>(())
/// ```
pub struct SkBuff {
    ptr: NonNull<bindings::sk_buff>,
}

// SAFETY: An owned `sk_buff` is not tied to the thread that allocated it: the stack
// moves socket buffers between CPUs and contexts, and all release functions used here
// are valid in any context.
unsafe impl Send for SkBuff {}

// SAFETY: `&SkBuff` only allows reading the buffer's metadata and data.
unsafe impl Sync for SkBuff {}

impl SkBuff {
    /// Takes ownership of a raw socket buffer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct sk_buff` whose ownership is transferred to
    /// the returned object (the caller will not use or free it afterwards).
    #[inline]
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::sk_buff) -> Option<Self> {
        // INVARIANT: By the safety requirements.
        NonNull::new(ptr).map(|ptr| Self { ptr })
    }

    /// Gives up ownership and returns the raw pointer; the caller must release it.
    #[inline]
    pub(crate) fn into_raw(self) -> *mut bindings::sk_buff {
        let ptr = self.ptr.as_ptr();
        core::mem::forget(self);
        ptr
    }

    /// Returns the raw pointer, for use by other abstractions.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::sk_buff {
        self.ptr.as_ptr()
    }

    /// Allocates a socket buffer with `size` bytes of linear data room and no headroom.
    ///
    /// `flags` must match the calling context (e.g. `GFP_ATOMIC` in atomic context).
    pub fn alloc(size: u32, flags: Flags) -> Result<Self> {
        // SAFETY: `alloc_skb` can be called with any size; `flags` is chosen by the
        // caller for its context.
        let ptr = unsafe { bindings::alloc_skb(size, flags.as_raw()) };
        // SAFETY: A non-null result is a fresh socket buffer that we now own.
        unsafe { Self::from_raw(ptr) }.ok_or(ENOMEM)
    }

    /// Allocates a receive buffer for `dev` with `len` bytes of room after
    /// `NET_SKB_PAD + NET_IP_ALIGN` bytes of headroom (`netdev_alloc_skb_ip_align`).
    ///
    /// Uses `GFP_ATOMIC`, so it can be called from any context.
    pub fn alloc_rx(dev: &NetDev, len: u32) -> Result<Self> {
        // SAFETY: `dev` is a valid net_device; the function may be called in any context.
        let ptr = unsafe { bindings::netdev_alloc_skb_ip_align(dev.as_raw(), len) };
        // SAFETY: A non-null result is a fresh socket buffer that we now own.
        unsafe { Self::from_raw(ptr) }.ok_or(ENOMEM)
    }

    #[inline]
    fn raw(&self) -> &bindings::sk_buff {
        // SAFETY: By the type invariant the buffer is valid and we own it, so no one
        // writes it concurrently.
        unsafe { self.ptr.as_ref() }
    }

    // The transmit path reads a dozen fields per packet whose C accessors are static
    // inline; through helpers each would be a call. They are read here directly.

    /// The header fields (C: the `headers` group: protocol, header offsets, checksum state).
    #[inline]
    fn hdrs(&self) -> &Hdrs {
        // SAFETY: `__bindgen_anon_4` is the union of these fields with the identical
        // `headers` struct group (C `struct_group`): the struct view is always valid.
        unsafe { self.raw().__bindgen_anon_4.__bindgen_anon_1.as_ref() }
    }

    /// The header fields, to write.
    #[inline]
    fn hdrs_mut(&mut self) -> &mut Hdrs {
        // SAFETY: As in `hdrs`; we own the buffer, so no one else reads or writes it.
        unsafe { self.ptr.as_mut().__bindgen_anon_4.__bindgen_anon_1.as_mut() }
    }

    /// Offset of the data from the start of the buffer (C `skb_headroom`).
    #[inline]
    fn data_offset(&self) -> usize {
        let s = self.raw();
        // `data` lies within the buffer, at or after `head`.
        (s.data as usize).wrapping_sub(s.head as usize)
    }

    /// The buffer's shared info (C `skb_shinfo`).
    #[inline]
    fn shinfo(&self) -> *const bindings::skb_shared_info {
        let s = self.raw();
        // `end` is an offset from `head` (C `NET_SKBUFF_DATA_USES_OFFSET`, 64-bit); with the
        // pointer-typed `end` of 32-bit kernels this does not build.
        let end: u32 = s.end;
        // CAST: u32 to usize. `head + end` is within the buffer (its shared info follows
        // the linear data), so `wrapping_add` does not wrap.
        s.head.wrapping_add(end as usize).cast()
    }

    /// Total length of the data (linear part plus fragments).
    #[inline]
    pub fn len(&self) -> u32 {
        self.raw().len
    }

    /// Whether the buffer holds no data.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Length of the linear part (C `skb_headlen`).
    #[inline]
    pub fn headlen(&self) -> u32 {
        // C `skb_headlen`, in Rust rather than through a helper call: it is on every receive.
        // `data_len <= len` for every valid buffer; `wrapping_sub` keeps a panic off this path.
        let s = self.raw();
        s.len.wrapping_sub(s.data_len)
    }

    /// Free space before the data (C `skb_headroom`).
    #[inline]
    pub fn headroom(&self) -> u32 {
        // SAFETY: The buffer is valid by the type invariant.
        unsafe { bindings::skb_headroom(self.as_raw()) }
    }

    /// Free space after the data in the linear part (C `skb_tailroom`).
    #[inline]
    pub fn tailroom(&self) -> u32 {
        // C `skb_tailroom`, in Rust rather than through a helper call: it is on every
        // receive. On 64-bit `tail` and `end` are offsets from `head` (`sk_buff_data_t` is
        // `unsigned int`), `end >= tail`.
        let s = self.raw();
        if s.data_len != 0 {
            0
        } else {
            s.end.saturating_sub(s.tail)
        }
    }

    /// Pointer to the start of the data, e.g. for a streaming DMA mapping of
    /// [`SkBuff::tailroom`] bytes on RX, or [`SkBuff::headlen`] bytes on TX.
    #[inline]
    pub fn data_ptr(&self) -> *mut u8 {
        self.raw().data
    }

    /// Pointer to the end of the data of the linear part (where [`SkBuff::put`] adds).
    pub fn tail_ptr(&self) -> *mut u8 {
        // SAFETY: The buffer is valid; `data + headlen` is the tail, within the buffer.
        unsafe { self.data_ptr().add(self.headlen() as usize) }
    }

    /// The linear part of the data.
    pub fn data(&self) -> &[u8] {
        // SAFETY: `data` points to `headlen` initialised bytes of the linear part, owned
        // by this buffer for as long as `self` is borrowed.
        unsafe { core::slice::from_raw_parts(self.data_ptr(), self.headlen() as usize) }
    }

    /// The first `len` bytes of the data, in the linear part and writable (C
    /// `skb_ensure_writable`): pulls them into the linear part if needed, and copies the
    /// linear part first if it is shared with a clone (TCP keeps one of every segment for
    /// retransmission; writing into the shared bytes would change that copy too). Uses
    /// `GFP_ATOMIC`. `ENOMEM` if the copy fails, `EFAULT` if the packet is shorter.
    pub fn writable_head(&mut self, len: u32) -> Result<&mut [u8]> {
        // SAFETY: We own the buffer; callable in atomic context.
        to_result(unsafe { bindings::skb_ensure_writable(self.as_raw(), len) })?;
        // `skb_ensure_writable` succeeded: at least `len` bytes are in the linear part
        // (`pskb_may_pull`), and they belong to this buffer alone (it is not cloned, or
        // the clone's header part, which covers them, is private: `skb_clone_writable`).
        // SAFETY: So `len` bytes at `data` are valid and exclusively ours for the borrow.
        Ok(unsafe { core::slice::from_raw_parts_mut(self.data_ptr(), len as usize) })
    }

    /// Extends the data by `len` bytes at the tail and returns them (C `skb_put`).
    ///
    /// Fails with `EINVAL` instead of panicking when there is not enough tailroom.
    /// The returned bytes hold whatever was in the buffer (e.g. what the device
    /// wrote there by DMA).
    #[inline]
    pub fn put(&mut self, len: u32) -> Result<&mut [u8]> {
        if len > self.tailroom() {
            return Err(EINVAL);
        }
        // C `__skb_put`: the new bytes start at the tail (`head + tail` on 64-bit, where
        // `tail` is an offset).
        let skb = self.as_raw();
        // A non-linear buffer has no tailroom, and `len == 0` adds nothing.
        // SAFETY: We own the valid buffer; `len <= tailroom = end - tail`, so `tail + len`
        // stays within the linear part and neither field overflows.
        let p = unsafe {
            let tail = (*skb).tail;
            (*skb).tail = tail + len;
            (*skb).len += len;
            (*skb).head.add(tail as usize)
        };
        // SAFETY: `p` is the start of `len` bytes inside the linear part, now part of the
        // data and owned by this buffer for as long as `self` is borrowed mutably.
        Ok(unsafe { core::slice::from_raw_parts_mut(p, len as usize) })
    }

    /// Appends a copy of `data` (C `skb_put_data`).
    #[inline]
    pub fn put_data(&mut self, data: &[u8]) -> Result {
        let len = u32::try_from(data.len()).map_err(|_| EINVAL)?;
        self.put(len)?.copy_from_slice(data);
        Ok(())
    }

    /// Reserves `len` bytes of headroom in an empty buffer (C `skb_reserve`).
    #[inline]
    pub fn reserve(&mut self, len: u32) -> Result {
        if !self.is_empty() || len > self.tailroom() {
            return Err(EINVAL);
        }
        // C `skb_reserve`: moves the (empty) data start and the tail by `len`.
        let skb = self.as_raw();
        // SAFETY: We own the valid, empty buffer; it has at least `len` bytes of tailroom, so
        // `data + len` and `tail + len` stay within the linear part.
        unsafe {
            (*skb).data = (*skb).data.add(len as usize);
            (*skb).tail += len;
        }
        Ok(())
    }

    /// Cuts the data to `len` bytes (C `skb_trim`); no-op if it is already shorter.
    #[inline]
    pub fn trim(&mut self, len: u32) {
        // SAFETY: The buffer is valid; `skb_trim` ignores lengths above `skb->len`.
        unsafe { bindings::skb_trim(self.as_raw(), len) }
    }

    /// Length of the protocol headers at the start of the linear data, as far as the flow
    /// dissector can tell (C `eth_get_headlen`): at least the Ethernet header, at most
    /// [`Self::headlen`]. A receive path that copied the start of a frame into the linear part
    /// trims it to this length and attaches the rest as a page fragment.
    pub fn eth_headlen(&self, dev: &NetDev) -> u32 {
        let len = self.headlen();
        // SAFETY: `dev` is a valid net_device; the linear data holds `len` valid bytes, which
        // `eth_get_headlen` only reads.
        let h = unsafe { bindings::eth_get_headlen(dev.as_raw(), self.data_ptr().cast(), len) };
        h.min(len)
    }

    /// Removes `len` bytes from the start of the linear data (C `skb_pull`).
    pub fn pull(&mut self, len: u32) -> Result {
        if len > self.headlen() {
            return Err(EINVAL);
        }
        // SAFETY: `len <= headlen`, so the pull stays within the linear data.
        unsafe { bindings::skb_pull(self.as_raw(), len) };
        Ok(())
    }

    /// Sets the protocol from the Ethernet header, pulls the header and records `dev`
    /// as the receiving device (C `eth_type_trans`).
    ///
    /// Fails (leaving the buffer unchanged) if the buffer holds less than an Ethernet
    /// header.
    #[inline]
    pub fn eth_type_trans(&mut self, dev: &NetDev) -> Result {
        if self.headlen() < bindings::ETH_HLEN {
            return Err(EINVAL);
        }
        // SAFETY: The buffer is valid and holds an Ethernet header in its linear part;
        // `dev` is a valid net_device.
        let proto = unsafe { bindings::eth_type_trans(self.as_raw(), dev.as_raw()) };
        self.hdrs_mut().protocol = proto;
        Ok(())
    }

    /// The L3 protocol (host byte order, e.g. `0x0800` for IPv4).
    #[inline]
    pub fn protocol(&self) -> u16 {
        u16::from_be(self.hdrs().protocol)
    }

    /// Sets the L3 protocol (host byte order).
    #[inline]
    pub fn set_protocol(&mut self, proto: u16) {
        self.hdrs_mut().protocol = proto.to_be();
    }

    /// The checksum state (C `skb->ip_summed`).
    #[inline]
    pub fn csum(&self) -> Checksum {
        // With one masked load (see `bits`); the doctest of [`SkBuff`] checks every value
        // against the C setter.
        #[cfg(target_endian = "little")]
        let v = bits::read(self.hdrs(), bits::IP_SUMMED);
        #[cfg(not(target_endian = "little"))]
        let v = self.hdrs().ip_summed();
        Checksum::from_raw(v)
    }

    /// Sets the checksum state, e.g. [`Checksum::Unnecessary`] after the device verified
    /// it on RX.
    #[inline]
    pub fn set_csum(&mut self, csum: Checksum) {
        // SAFETY: We own the buffer.
        unsafe { bindings::skb_set_ip_summed(self.as_raw(), csum.to_raw()) }
    }

    /// Whether the stack asks the device to insert the checksum (`CHECKSUM_PARTIAL`).
    #[inline]
    pub fn is_csum_partial(&self) -> bool {
        self.csum() == Checksum::Partial
    }

    /// For [`Checksum::Partial`]: offset from the data start where checksumming starts.
    #[inline]
    pub fn csum_start(&self) -> u16 {
        // SAFETY: `csum_start` and `csum_offset` overlay `csum` (C union): any bits are
        // valid `u16`s; they are meaningful for `CHECKSUM_PARTIAL` only, as documented.
        let start = unsafe { self.hdrs().__bindgen_anon_1.__bindgen_anon_1.csum_start };
        // C `skb_checksum_start_offset`: `csum_start` counts from the buffer's start. The
        // headroom is below 64 KiB (`csum_start` is a u16 too).
        // CAST: see above.
        start.wrapping_sub(self.data_offset() as u16)
    }

    /// For [`Checksum::Partial`]: offset from [`SkBuff::csum_start`] where the
    /// checksum is stored.
    #[inline]
    pub fn csum_offset(&self) -> u16 {
        // SAFETY: As in `csum_start`.
        unsafe { self.hdrs().__bindgen_anon_1.__bindgen_anon_1.csum_offset }
    }

    /// Whether the buffer is a GSO super-packet.
    #[inline]
    pub fn is_gso(&self) -> bool {
        // C `skb_is_gso`.
        self.gso_size() != 0
    }

    /// Offset of the network (L3) header from the data start (C `skb_network_offset`).
    #[inline]
    pub fn network_offset(&self) -> i32 {
        // C `skb_network_offset`: the header offset counts from the buffer's start.
        // CAST: both are below the buffer size, far below `i32::MAX`.
        i32::from(self.hdrs().network_header).wrapping_sub(self.data_offset() as i32)
    }

    /// Offset of the transport (L4) header from the data start (C `skb_transport_offset`).
    #[inline]
    pub fn transport_offset(&self) -> i32 {
        // SAFETY: The buffer is valid.
        unsafe { bindings::skb_transport_offset(self.as_raw()) }
    }

    /// For a GSO super-packet: the payload size of each segment (C `gso_size`).
    #[inline]
    pub fn gso_size(&self) -> u16 {
        // SAFETY: The shared info is initialised at allocation and valid as long as the
        // buffer; a raw read, as clones share it.
        unsafe { (*self.shinfo()).gso_size }
    }

    /// For a GSO super-packet: the `SKB_GSO_*` flags (C `gso_type`).
    #[inline]
    pub fn gso_type(&self) -> u32 {
        // SAFETY: The buffer is valid; its shared info is initialised at allocation.
        unsafe { bindings::skb_gso_type(self.as_raw()) }
    }

    /// For [`Checksum::Partial`]: computes the checksum in software and stores it, for a
    /// packet the device cannot checksum (C `skb_checksum_help`). Afterwards
    /// [`SkBuff::csum`] is [`Checksum::None`]. Callable in the transmit path.
    pub fn checksum_help(&mut self) -> Result {
        // SAFETY: We own the buffer; `skb_checksum_help` may be called in any context that
        // may transmit (it allocates with `GFP_ATOMIC` when it must unshare the header).
        to_result(unsafe { bindings::skb_checksum_help(self.as_raw()) })
    }

    /// Makes the buffer linear (C `skb_linearize`), e.g. when it has more fragments than
    /// a device's descriptors can take. Uses `GFP_ATOMIC`.
    pub fn linearize(&mut self) -> Result {
        // SAFETY: We own the buffer.
        to_result(unsafe { bindings::skb_linearize(self.as_raw()) })
    }

    /// Number of page fragments.
    #[inline]
    pub fn nr_frags(&self) -> u32 {
        // SAFETY: As in `gso_size`.
        u32::from(unsafe { (*self.shinfo()).nr_frags })
    }

    /// The `i`-th page fragment, `None` if `i >= nr_frags()`.
    #[inline]
    pub fn frag(&self, i: u32) -> Option<Frag> {
        if i >= self.nr_frags() {
            return None;
        }
        let (mut offset, mut len) = (0, 0);
        // SAFETY: `i < nr_frags`, so the fragment is initialised; the two pointers are to
        // locals.
        let page = unsafe { bindings::skb_frag_get(self.as_raw(), i, &mut offset, &mut len) };
        Some(Frag { page, offset, len })
    }

    /// Iterates over the page fragments.
    pub fn frags(&self) -> impl Iterator<Item = Frag> + '_ {
        (0..self.nr_frags()).filter_map(move |i| self.frag(i))
    }

    /// Index of the TX queue the stack chose (C `skb_get_queue_mapping`).
    #[inline]
    pub fn queue_mapping(&self) -> u16 {
        self.raw().queue_mapping
    }

    /// Records the RX queue the buffer arrived on (C `skb_record_rx_queue`).
    #[inline]
    pub fn record_rx_queue(&mut self, queue: u16) {
        // C `skb_record_rx_queue`: the queue plus one (0 means "not recorded").
        // SAFETY: We own the valid buffer; a plain field write.
        unsafe { (*self.as_raw()).queue_mapping = queue.wrapping_add(1) }
    }

    /// Sets the metadata of a received frame at once, the way a C driver's RX path does
    /// (C `skb_set_hash`, `ip_summed`, `skb_record_rx_queue`, then `eth_type_trans`, which
    /// pulls the Ethernet header and sets the protocol). The fields are written here, not
    /// through a helper call each; the doctest below checks them against the C functions.
    /// `hash` is the device's RX hash and its type, if it has one. `EINVAL` (nothing changed)
    /// if the linear part is shorter than an Ethernet header.
    ///
    /// ```
    /// use kernel::net::dev::{Device, NetDeviceOps, NetdevTx, Registration};
    /// use kernel::net::skb::{Checksum, HashType, SkBuff};
    /// use kernel::prelude::*;
    ///
    /// struct Sink;
    ///
    /// #[vtable]
    /// impl NetDeviceOps for Sink {
    ///     fn start_xmit(_dev: &Device<Self>, skb: SkBuff) -> NetdevTx {
    ///         drop(skb);
    ///         NetdevTx::Ok
    ///     }
    /// }
    ///
    /// // `eth_type_trans` reads the device's address: an unregistered device will do.
    /// let reg = Registration::new_ether(1, 1, Sink)?;
    /// let dev = reg.dev();
    /// let frame = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, 0x60];
    /// let sums = [Checksum::None, Checksum::Unnecessary, Checksum::Complete, Checksum::Partial];
    /// let hashes = [None, Some((0x1234_5678, HashType::L3)), Some((0x9abc_def0, HashType::L4))];
    /// for csum in sums {
    ///     for hash in hashes {
    ///         for queue in [0u16, 3] {
    ///             let mut a = SkBuff::alloc(64, GFP_KERNEL)?;
    ///             let mut b = SkBuff::alloc(64, GFP_KERNEL)?;
    ///             a.put_data(&frame)?;
    ///             b.put_data(&frame)?;
    ///             a.set_rx_fields(dev, csum, hash, queue)?;
    ///             // The same through the C functions, one call each.
    ///             if let Some((h, kind)) = hash {
    ///                 b.set_hash(h, kind);
    ///             }
    ///             b.set_csum(csum);
    ///             b.record_rx_queue(queue);
    ///             b.eth_type_trans(dev)?;
    ///             assert!(a.rx_fields_eq(&b));
    ///             assert_eq!(a.csum(), csum);
    ///             assert_eq!(a.protocol(), 0x86dd);
    ///             assert_eq!(a.data(), &[0x60]);
    ///         }
    ///     }
    /// }
    /// let mut short = SkBuff::alloc(64, GFP_KERNEL)?;
    /// short.put_data(&frame[..13])?;
    /// assert!(short.set_rx_fields(dev, Checksum::None, None, 0).is_err());
    /// # Ok::<(), Error>(())
    /// ```
    #[inline]
    pub fn set_rx_fields(
        &mut self,
        dev: &NetDev,
        csum: Checksum,
        hash: Option<(u32, HashType)>,
        queue: u16,
    ) -> Result {
        if self.headlen() < bindings::ETH_HLEN {
            return Err(EINVAL);
        }
        let h = self.hdrs_mut();
        if let Some((v, kind)) = hash {
            // C `__skb_set_hash(skb, v, false, kind == L4)`.
            h.hash = v;
            Self::set_hash_bits(h, kind == HashType::L4);
        }
        Self::set_ip_summed(h, csum.to_raw());
        self.record_rx_queue(queue);
        // Cannot fail: the header length was checked above.
        self.eth_type_trans(dev)
    }

    /// `l4_hash = l4`, `sw_hash = 0`, with a masked store each (see `bits`).
    #[inline]
    fn set_hash_bits(h: &mut Hdrs, l4: bool) {
        #[cfg(target_endian = "little")]
        {
            bits::write(h, bits::L4_HASH, u8::from(l4));
            bits::write(h, bits::SW_HASH, 0);
        }
        #[cfg(not(target_endian = "little"))]
        {
            h.set_l4_hash(u8::from(l4));
            h.set_sw_hash(0);
        }
    }

    /// `ip_summed = v`, with a masked store (see `bits`).
    #[inline]
    fn set_ip_summed(h: &mut Hdrs, v: u8) {
        #[cfg(target_endian = "little")]
        bits::write(h, bits::IP_SUMMED, v & 3);
        #[cfg(not(target_endian = "little"))]
        h.set_ip_summed(v);
    }

    /// Whether the receive metadata [`Self::set_rx_fields`] writes (hash and its flags,
    /// checksum state, packet type; RX queue, protocol, data offset) is the same in both
    /// buffers, read with bindgen's accessors. For tests.
    #[doc(hidden)]
    pub fn rx_fields_eq(&self, other: &Self) -> bool {
        let (a, b) = (self.hdrs(), other.hdrs());
        let bits = |h: &Hdrs| [h.ip_summed(), h.l4_hash(), h.sw_hash(), h.pkt_type()];
        bits(a) == bits(b)
            && a.hash == b.hash
            && a.protocol == b.protocol
            && self.raw().queue_mapping == other.raw().queue_mapping
            && self.data() == other.data()
            && self.headroom() == other.headroom()
    }

    /// Sets the RX hash computed by the device (C `skb_set_hash`).
    #[inline]
    pub fn set_hash(&mut self, hash: u32, kind: HashType) {
        // SAFETY: We own the buffer.
        unsafe { bindings::skb_set_hash(self.as_raw(), hash, kind.to_raw()) }
    }

    /// The 802.1Q tag control information (priority, DEI and VLAN id) the stack passes beside
    /// the frame for the device to insert (C `skb_vlan_tag_get`), if any.
    #[inline]
    pub fn vlan_tci(&self) -> Option<u16> {
        let v = &self.hdrs().__bindgen_anon_2;
        // A tag is present when any bit is set (C `skb_vlan_tag_present`).
        // SAFETY: Both views of the union (`vlan_all`, `vlan_proto`/`vlan_tci`) are integers.
        let (all, tci) = unsafe { (v.vlan_all, v.__bindgen_anon_1.vlan_tci) };
        (all != 0).then_some(tci)
    }

    /// Attaches the tag the device stripped from a received frame (C `__vlan_hwaccel_put_tag`):
    /// `proto` is its ethertype (0x8100 for 802.1Q), `tci` its tag control information.
    #[inline]
    pub fn put_vlan_tag(&mut self, proto: u16, tci: u16) {
        // SAFETY: We own the buffer.
        unsafe { bindings::__vlan_hwaccel_put_tag(self.as_raw(), proto.to_be(), tci) }
    }

    /// Records a software TX timestamp if one was requested (C `skb_tx_timestamp`). Drivers
    /// call it for every packet they hand to the device, just before it can go out.
    #[inline]
    pub fn tx_timestamp(&mut self) {
        #[cfg(not(CONFIG_NETWORK_PHY_TIMESTAMPING))]
        {
            // The C inline without a PHY time stamper: one flag test, here, instead of a
            // helper call per packet.
            // SAFETY: The shared info is valid as long as the buffer; a plain read.
            let flags = unsafe { (*self.shinfo()).tx_flags };
            // CAST: the flag is bit 1 of the `u8` `tx_flags`.
            if flags & (bindings::SKBTX_SW_TSTAMP as u8) != 0 {
                // SAFETY: We own the buffer; a null `hwtstamps` asks for a software stamp.
                unsafe { bindings::skb_tstamp_tx(self.as_raw(), core::ptr::null_mut()) }
            }
        }
        #[cfg(CONFIG_NETWORK_PHY_TIMESTAMPING)]
        // SAFETY: We own the buffer.
        unsafe {
            bindings::skb_tx_timestamp(self.as_raw())
        }
    }

    /// Prepares a transmitted buffer to be received again on the same host, as the
    /// loopback driver does: reports its software transmit timestamp
    /// ([`SkBuff::tx_timestamp`]), clears the timestamp, detaches it from its socket
    /// (`skb_orphan`) and makes its route reference (if any) a counted one
    /// (`skb_dst_force`), since it outlives the transmit path's RCU section.
    #[inline]
    pub fn loop_back(&mut self) {
        // The steps of `loopback_xmit`, in one helper call as they are inline there; a
        // buffer without a route keeps none, which is fine.
        // SAFETY: We own the buffer; valid in the transmit path (BH off, RCU-bh section).
        unsafe { bindings::skb_loop_back(self.as_raw()) }
    }

    /// Clears the state that must not cross a namespace boundary (C
    /// `skb_scrub_packet`); `xnet` also clears the socket and mark.
    pub fn scrub(&mut self, xnet: bool) {
        // SAFETY: We own the buffer.
        unsafe { bindings::skb_scrub_packet(self.as_raw(), xnet) }
    }

    /// Sets the device the buffer belongs to (C `skb->dev = dev`).
    ///
    /// The buffer does not hold a reference on the device: use it only for a device that
    /// outlives the buffer's trip through the stack (as the stack itself does).
    pub fn set_dev(&mut self, dev: &NetDev) {
        // SAFETY: We own the buffer.
        unsafe { bindings::skb_set_dev(self.as_raw(), dev.as_raw()) };
    }

    /// Hands a transmitted buffer to `dev`'s receive path, as veth does (C
    /// `dev_forward_skb`): drops it if `dev` is down or the frame is too long, scrubs it
    /// when it crosses a network namespace, sets the protocol and queues it with
    /// `netif_rx`.
    ///
    /// The buffer is consumed in both cases; `Err(super::errno(bindings::ENETDOWN))` means it was dropped.
    pub fn forward(self, dev: &NetDev) -> Result {
        // SAFETY: Ownership of the buffer passes to `dev_forward_skb`, which frees it on
        // error; `dev` is valid. Callable in any context (it uses `netif_rx`).
        let ret = unsafe { bindings::dev_forward_skb(dev.as_raw(), self.into_raw()) };
        if ret == bindings::NET_RX_SUCCESS as i32 {
            Ok(())
        } else {
            Err(super::errno(bindings::ENETDOWN))
        }
    }

    /// Queues the buffer to the receive path through the per-CPU backlog and the
    /// `NET_RX` softirq (C `netif_rx`). Callable from any context.
    ///
    /// The buffer is consumed; `Err(super::errno(bindings::ENOBUFS))` means the backlog was full and it was
    /// dropped.
    #[inline]
    pub fn netif_rx(self) -> Result {
        // SAFETY: Ownership passes to the stack; `netif_rx` is valid in any context.
        backlog_result(unsafe { bindings::netif_rx(self.into_raw()) })
    }

    /// [`SkBuff::netif_rx`] for code that already runs in interrupt context or with bottom
    /// halves disabled, such as `ndo_start_xmit` (C `__netif_rx`, which `lo` uses): it
    /// does not disable them again.
    ///
    /// Elsewhere use [`SkBuff::netif_rx`]: from plain process context the `NET_RX` softirq
    /// this raises would wait for the next interrupt exit, and lockdep warns.
    #[inline]
    pub fn netif_rx_bh_off(self) -> Result {
        // SAFETY: Ownership passes to the stack. The context requirement is documented
        // above; breaking it delays the softirq, it does not touch memory unsafely.
        backlog_result(unsafe { bindings::__netif_rx(self.into_raw()) })
    }

    /// Releases a buffer that was used successfully (e.g. transmitted) in any context
    /// (C `dev_consume_skb_any`).
    pub fn consume(self) {
        // SAFETY: We own the buffer and give it up; callable in any context.
        unsafe { bindings::dev_consume_skb_any(self.into_raw()) }
    }

    /// Releases a buffer that is dropped, with a reason for tracing
    /// (C `kfree_skb_reason`). Not for hard-IRQ context: use `drop` there.
    pub fn drop_reason(self, reason: DropReason) {
        // SAFETY: We own the buffer and give it up.
        unsafe { bindings::kfree_skb_reason(self.into_raw(), reason.to_raw()) }
    }
}

/// The result of queueing to the backlog: `ENOBUFS` when it was full (the buffer was
/// dropped).
#[inline]
fn backlog_result(ret: core::ffi::c_int) -> Result {
    if ret == bindings::NET_RX_SUCCESS as core::ffi::c_int {
        Ok(())
    } else {
        Err(super::errno(bindings::ENOBUFS))
    }
}

impl Drop for SkBuff {
    fn drop(&mut self) {
        // SAFETY: By the type invariant we own the buffer and this is its only release;
        // `dev_kfree_skb_any` is valid in any context.
        unsafe { bindings::dev_kfree_skb_any(self.ptr.as_ptr()) }
    }
}

/// Most pieces a [`TxMapping`] can hold: the linear part and every page fragment.
pub const MAX_TX_SEGS: usize = bindings::MAX_SKB_FRAGS as usize + 1;

/// One piece of a socket buffer mapped for transmission.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxSeg {
    addr: crate::dma::DmaAddress,
    len: u32,
    page: bool,
}

impl TxSeg {
    /// The device address of the piece.
    #[inline]
    pub fn dma_handle(&self) -> crate::dma::DmaAddress {
        self.addr
    }

    /// The length of the piece in bytes (never 0).
    #[inline]
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether the piece is empty (never, for a piece of a mapping).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A place for one socket buffer mapped for transmission: its linear part (`dma_map_single`)
/// and each page fragment (`dma_map_page`, as C `skb_frag_dma_map`), device-readable.
///
/// A mapping is made once per ring slot and reused for every packet that goes through the slot:
/// [`TxMapping::map`] takes a buffer and maps it, [`TxMapping::unmap`] unmaps it and gives the
/// buffer back. Nothing is allocated or copied per packet, and the device reference is taken
/// once. Whatever is still mapped is unmapped and freed on drop.
///
/// Empty pieces (e.g. a linear part of length 0) are not mapped, so every piece of
/// [`TxMapping::segs`] has a length greater than 0.
///
/// # Invariants
///
/// `raw_dev` points to the device `_dev` holds a reference to. `segs[..nr]` are live streaming
/// mappings, for that device in direction `DMA_TO_DEVICE`, of the
/// linear part (`page == false`) and fragments (`page == true`) of `skb`, in order; `nr` is 0
/// when `skb` is `None`; the buffer is not modified while it is mapped.
pub struct TxMapping {
    /// The device reference; only held (never read), so that `raw_dev` stays valid.
    _dev: ARef<crate::device::Device>,
    /// `_dev`'s C pointer, kept to spare two out-of-line calls per packet.
    raw_dev: *mut bindings::device,
    nr: usize,
    skb: Option<SkBuff>,
    segs: [TxSeg; MAX_TX_SEGS],
}

impl TxMapping {
    /// An empty mapping for `dev`.
    pub fn new(dev: &crate::device::Device) -> Self {
        // INVARIANT: nothing is mapped.
        Self {
            _dev: dev.into(),
            raw_dev: dev.as_raw(),
            nr: 0,
            skb: None,
            segs: [TxSeg::default(); MAX_TX_SEGS],
        }
    }

    /// Takes `skb` and maps its linear part and every fragment.
    ///
    /// On failure every piece mapped so far is unmapped and the buffer is handed back with the
    /// error (`ENOMEM` when a mapping failed, `EINVAL` with too many fragments, `EBUSY` if the
    /// mapping still holds a buffer).
    #[inline(always)]
    pub fn map(&mut self, skb: SkBuff) -> core::result::Result<(), (Error, SkBuff)> {
        if self.skb.is_some() {
            return Err((EBUSY, skb));
        }
        let dir = bindings::dma_data_direction_DMA_TO_DEVICE;
        let dev = self.raw_dev;
        let head = skb.headlen();
        // INVARIANT: no piece is mapped yet (`nr == 0` while `skb` was `None`).
        let skb = self.skb.insert(skb);
        let mut nr = 0;
        let mut failed = None;
        if head > 0 {
            let (ptr, len) = (skb.data_ptr().cast(), head as usize);
            // SAFETY: `ptr` is the `len` bytes of the linear part (slab or page memory, never
            // vmalloc: as `dma_map_linear` requires), fixed while this owns the skb; `dev` valid.
            let addr = unsafe { bindings::dma_map_linear(dev, ptr, len, dir) };
            failed = Self::record(&mut self.segs, &mut nr, dev, addr, head, false).err();
        }
        if failed.is_none() {
            for i in 0..skb.nr_frags() {
                let Some(f) = skb.frag(i) else { break };
                if f.is_empty() {
                    continue;
                }
                if nr >= MAX_TX_SEGS {
                    failed = Some(EINVAL);
                    break;
                }
                // `len` bytes at `offset` of `page` may run into the next pages of a compound
                // page.
                // SAFETY: `f` is a fragment of the buffer, which holds a page reference
                // meanwhile.
                let addr = unsafe {
                    bindings::dma_map_page_attrs(
                        dev,
                        f.page(),
                        f.offset() as usize,
                        f.len() as usize,
                        dir,
                        0,
                    )
                };
                if let Err(e) = Self::record(&mut self.segs, &mut nr, dev, addr, f.len(), true) {
                    failed = Some(e);
                    break;
                }
            }
        }
        // INVARIANT: `segs[..nr]` are the pieces just mapped, in order.
        self.nr = nr;
        match failed {
            None => Ok(()),
            Some(e) => match self.unmap() {
                Some(skb) => Err((e, skb)),
                // Not reached: the buffer was inserted above.
                None => Ok(()),
            },
        }
    }

    /// Records a piece just mapped at `addr` as `segs[*nr]`, or fails if the mapping failed.
    #[inline]
    fn record(
        segs: &mut [TxSeg; MAX_TX_SEGS],
        nr: &mut usize,
        dev: *mut bindings::device,
        addr: crate::dma::DmaAddress,
        len: u32,
        page: bool,
    ) -> Result {
        // SAFETY: `dev` is a valid device (the callers' `raw_dev`, see the type invariants).
        if unsafe { crate::dma::mapping_failed(dev, addr) } {
            return Err(ENOMEM);
        }
        let slot = segs.get_mut(*nr).ok_or(EINVAL)?;
        *slot = TxSeg { addr, len, page };
        *nr += 1;
        Ok(())
    }

    /// The mapped pieces, in packet order (none when empty).
    #[inline]
    pub fn segs(&self) -> &[TxSeg] {
        self.segs.get(..self.nr).unwrap_or(&[])
    }

    /// The mapped buffer, if any (read-only: it must not change while the device may read it).
    #[inline]
    pub fn skb(&self) -> Option<&SkBuff> {
        self.skb.as_ref()
    }

    /// Unmaps every piece and gives the buffer back; `None` if the mapping was empty.
    #[inline]
    pub fn unmap(&mut self) -> Option<SkBuff> {
        let dir = bindings::dma_data_direction_DMA_TO_DEVICE;
        let dev = self.raw_dev;
        let segs = self.segs.get(..self.nr).unwrap_or(&[]);
        // The first piece apart: most packets have one, and the loop costs more than it.
        if let Some((first, rest)) = segs.split_first() {
            let unmap = |s: &TxSeg| {
                if s.page {
                    // SAFETY: By the type invariant `s` is a live page mapping for `dev`.
                    unsafe { bindings::dma_unmap_page_attrs(dev, s.addr, s.len as usize, dir, 0) };
                } else {
                    // SAFETY: By the type invariant `s` is a live single mapping for `dev`.
                    unsafe {
                        bindings::dma_unmap_single_attrs(dev, s.addr, s.len as usize, dir, 0)
                    };
                }
            };
            unmap(first);
            if !rest.is_empty() {
                rest.iter().for_each(unmap);
            }
        }
        // INVARIANT: nothing is mapped anymore and the buffer leaves.
        self.nr = 0;
        self.skb.take()
    }
}

// SAFETY: `raw_dev` is a copy of the pointer `_dev` holds a reference to (`ARef<Device>` is
// `Send` and `Sync`); the rest is plain data and an owned `SkBuff` (`Send` and `Sync`).
unsafe impl Send for TxMapping {}
// SAFETY: As above; `&TxMapping` only reads.
unsafe impl Sync for TxMapping {}

impl Drop for TxMapping {
    fn drop(&mut self) {
        // The device must not read the buffer anymore: unmap before it is freed.
        drop(self.unmap());
    }
}
