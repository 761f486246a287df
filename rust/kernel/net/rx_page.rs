// SPDX-License-Identifier: GPL-2.0

//! Half-page receive buffers that are mapped once and reused (the C igb driver's page flip).
//!
//! C headers: [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h),
//! [`include/linux/dma-mapping.h`](srctree/include/linux/dma-mapping.h).
//!
//! An [`RxPage`] owns one page, mapped for device writes for as long as the `RxPage` lives,
//! and lends one half of it at a time to the device as a receive buffer. When the device has
//! written a frame there, the driver either copies it out ([`RxPage::read`], small frames: the
//! same half is posted again) or attaches it to a socket buffer as a page fragment
//! ([`RxPage::into_frag`]). In the second case the stack holds a reference to the page; the
//! `RxPage` gives the device the *other* half next, and only if no socket buffer still holds
//! that half (the page's reference count says so). Otherwise the page is unmapped and the
//! driver's reference dropped (the stack frees the page with its last fragment) and the driver
//! allocates a new one.
//!
//! A page made with [`RxPage::with_headroom`] leaves [`RX_SKB_HEADROOM`] bytes in front of the
//! buffer in each half, so that a frame of up to [`RX_SKB_MAX`] bytes can become the head of a
//! socket buffer in place ([`RxPage::into_skb`], C `napi_build_skb`): no copy at all, the
//! stack gets its usual headroom, and `struct skb_shared_info` goes at the end of the half.
//!
//! So the device never writes, and the CPU never reads through an `RxPage`, a half that a
//! socket buffer holds, and no mapping or allocation happens per frame while the stack
//! returns pages quickly enough.

use super::{napi::PollContext, skb::SkBuff};
use crate::{
    alloc::Flags,
    bindings,
    device::Device,
    dma::{DataDirection, DmaAddress, PageMapping},
    error::{code::*, Result},
    page::{Page, PAGE_SIZE},
};

/// Bytes of one receive buffer: half a page.
pub const RX_HALF: usize = PAGE_SIZE / 2;

/// Bytes left in front of the frame by [`RxPage::with_headroom`]: the headroom the stack
/// expects in a received socket buffer (C `NET_SKB_PAD + NET_IP_ALIGN`).
// CAST: NET_IP_ALIGN is 0 or 2.
pub const RX_SKB_HEADROOM: usize = NET_SKB_PAD + bindings::NET_IP_ALIGN as usize;

/// C `NET_SKB_PAD`: `max(32, L1_CACHE_BYTES)`.
// CAST: a cache line size, far below `usize::MAX`.
const NET_SKB_PAD: usize = if bindings::L1_CACHE_BYTES > 32 {
    bindings::L1_CACHE_BYTES as usize
} else {
    32
};

/// Longest frame [`RxPage::into_skb`] takes: what fits in half a page between the headroom
/// and the `struct skb_shared_info` that `napi_build_skb` puts at its end.
pub const RX_SKB_MAX: usize = RX_HALF - RX_SKB_HEADROOM - bindings::SKB_SHINFO_SIZE;

/// A page mapped for device writes whose halves serve alternately as receive buffers.
///
/// # Invariants
///
/// The whole page is mapped by `map` (offset 0, `PAGE_SIZE` bytes, device to CPU). The half at
/// `offset` (0 or [`RX_HALF`]) is not referenced by any socket buffer: every page reference
/// beyond the one `map` owns was given to a socket buffer by [`RxPage::into_frag`] or
/// [`RxPage::into_skb`] for the other half. `headroom` is 0 or [`RX_SKB_HEADROOM`]; the buffer
/// the device fills starts `headroom` bytes into the half and ends with it.
///
/// # Examples
///
/// ```
/// use kernel::alloc::flags::GFP_ATOMIC;
/// use kernel::net::{rx_page::RxPage, skb::SkBuff};
///
/// /// One receive: `len` bytes written by the device, of which the first `hdr` are already
/// /// copied into `skb`.
/// fn rx(dev: &kernel::device::Device, skb: &mut SkBuff, hdr: usize, len: usize) -> kernel::error::Result {
///     let page = RxPage::new(dev, GFP_ATOMIC)?;
///     let _posted = page.dma_handle(); // goes into a receive descriptor
///     // ... the device reports `len` bytes ...
///     page.sync_for_cpu(len)?;
///     match page.into_frag(skb, hdr, len.saturating_sub(hdr)) {
///         Ok(Some(next)) => {
///             let _ = next.dma_handle(); // the other half, to post next
///         }
///         Ok(None) => {}     // the stack keeps the page: post a new one
///         Err(_page) => {}   // nothing attached: the same half can be posted again
///     }
///     Ok(())
/// }
/// ```
pub struct RxPage {
    map: PageMapping,
    offset: usize,
    headroom: usize,
}

impl RxPage {
    /// Allocates a page and maps it for `dev` (device writes). `flags` must suit the context
    /// (`GFP_ATOMIC` in a NAPI poll).
    pub fn new(dev: &Device, flags: Flags) -> Result<Self> {
        Self::alloc(dev, flags, 0)
    }

    /// Like [`Self::new`], with [`RX_SKB_HEADROOM`] bytes in front of each buffer, for
    /// [`Self::into_skb`].
    pub fn with_headroom(dev: &Device, flags: Flags) -> Result<Self> {
        Self::alloc(dev, flags, RX_SKB_HEADROOM)
    }

    fn alloc(dev: &Device, flags: Flags, headroom: usize) -> Result<Self> {
        let page = Page::alloc_page(flags).map_err(|_| ENOMEM)?;
        let map = PageMapping::map(dev, page, 0, PAGE_SIZE, DataDirection::FromDevice)
            .map_err(|(e, _page)| e)?;
        // INVARIANT: a fresh page: no socket buffer references it; `headroom` is one of the
        // two allowed values (the callers above).
        Ok(Self {
            map,
            offset: 0,
            headroom,
        })
    }

    /// The device address of the current buffer, to post in a receive descriptor.
    #[inline]
    pub fn dma_handle(&self) -> DmaAddress {
        // CAST: offset + headroom < PAGE_SIZE.
        self.map.dma_handle() + (self.offset + self.headroom) as DmaAddress
    }

    /// The length of the buffer the device may fill: the half after the headroom.
    #[inline]
    pub fn len(&self) -> usize {
        RX_HALF - self.headroom
    }

    /// Always `false`: a buffer is half a page.
    #[inline]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Gives the first `len` bytes of the current half to the CPU (`dma_sync_single_for_cpu`),
    /// after the device reported a frame of `len` bytes there. `EINVAL` if `len` exceeds the
    /// buffer.
    #[inline]
    pub fn sync_for_cpu(&self, len: usize) -> Result {
        if len > self.len() {
            return Err(EINVAL);
        }
        self.map.sync_range_for_cpu(self.offset + self.headroom, len)
    }

    /// Gives the first `len` bytes of the current half back to the device
    /// (`dma_sync_single_for_device`), before posting the same half again.
    #[inline]
    pub fn sync_for_device(&self, len: usize) -> Result {
        if len > self.len() {
            return Err(EINVAL);
        }
        self.map.sync_range_for_device(self.offset + self.headroom, len)
    }

    /// Copies the first `dst.len()` bytes of the current half into `dst`; `EINVAL` if `dst` is
    /// longer than the buffer. Call [`Self::sync_for_cpu`] first.
    #[inline]
    pub fn read(&self, dst: &mut [u8]) -> Result {
        if dst.len() > self.len() {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariant no socket buffer references the current half, so no
        // CPU writes it; the driver owns it until it posts it again.
        unsafe { self.map.read(self.offset + self.headroom, dst) }
    }

    /// Attaches bytes `start..start + len` of the current buffer to `skb` as a new page
    /// fragment (`skb_add_rx_frag`, true size half a page); `skb` gets its own page reference.
    /// Call [`Self::sync_for_cpu`] for the frame first.
    ///
    /// Returns the buffer to post next: the same page with its other half (synced for the
    /// device) if no socket buffer holds that half any more, else `None` (the page is unmapped
    /// and this reference dropped; the stack frees the page). On error (`EINVAL`: range outside
    /// the buffer or no fragment slot left in `skb`) nothing was attached and the buffer comes
    /// back unchanged.
    #[inline]
    pub fn into_frag(self, skb: &mut SkBuff, start: usize, len: usize) -> core::result::Result<Option<Self>, Self> {
        let fits = matches!(start.checked_add(len), Some(end) if end <= self.len());
        if !fits || len == 0 || skb.nr_frags() >= bindings::MAX_SKB_FRAGS {
            return Err(self);
        }
        let page = self.map.page().as_ptr();
        // CAST: all below PAGE_SIZE, which fits in i32/u32.
        let (off, size, truesize) = (
            (self.offset + self.headroom + start) as i32,
            len as i32,
            RX_HALF as u32,
        );
        // `get_page` takes the reference that `skb_add_rx_frag` hands to `skb` (dropped when
        // the socket buffer frees its fragments). Range and free slot were checked above.
        // SAFETY: `page` is valid (kept alive by `map`), the fragment fits, we own `skb`.
        unsafe {
            bindings::get_page(page);
            bindings::skb_add_rx_frag(skb.as_raw(), skb.nr_frags() as i32, page, off, size, truesize);
        }
        Ok(self.flip())
    }

    /// Makes the `len`-byte frame in the current buffer the head of a new socket buffer, in
    /// place (C `napi_build_skb` over the half, true size half a page): the frame is not
    /// copied, the headroom in front of it becomes the buffer's headroom, and the socket
    /// buffer holds its own page reference. Call [`Self::sync_for_cpu`] for the frame first.
    ///
    /// Returns the socket buffer and, as [`Self::into_frag`], the buffer to post next. On error
    /// (a page made without headroom, `len` 0 or above [`RX_SKB_MAX`], or no socket buffer
    /// could be allocated) the buffer comes back unchanged.
    #[inline]
    pub fn into_skb(
        self,
        _ctx: &PollContext<'_>,
        len: usize,
    ) -> core::result::Result<(SkBuff, Option<Self>), Self> {
        if self.headroom != RX_SKB_HEADROOM || len == 0 || len > RX_SKB_MAX {
            return Err(self);
        }
        let page = self.map.page().as_ptr();
        // SAFETY: `page` is valid (kept alive by `map`) and, allocated without
        // `__GFP_HIGHMEM`, permanently mapped in the kernel's address space.
        let base = unsafe { bindings::page_address(page) }.cast::<u8>();
        // The reference the socket buffer's head takes (released with the head).
        // SAFETY: `page` is valid.
        unsafe { bindings::get_page(page) };
        // By the type invariant no socket buffer uses the current half; the frame, the
        // headroom in front of it and the shared info after it all fit in the half (checked
        // above), which is where `napi_build_skb` puts them.
        // SAFETY: `base + offset` is the start of that half, `RX_HALF` bytes long; we are in the
        // NAPI poll `_ctx` stands for (softirq context), as `napi_build_skb` requires.
        let raw = unsafe { bindings::napi_build_skb(base.add(self.offset).cast(), RX_HALF as u32) };
        // SAFETY: A non-null result is a fresh socket buffer that we own.
        let Some(mut skb) = (unsafe { SkBuff::from_raw(raw) }) else {
            // SAFETY: Drops the reference taken above; `map` still holds one.
            unsafe { bindings::put_page(page) };
            return Err(self);
        };
        // CAST: below PAGE_SIZE. Both fit: the buffer is empty with `RX_HALF - SHINFO` bytes of
        // room, and `headroom + len <= RX_SKB_HEADROOM + RX_SKB_MAX`.
        if skb.reserve(self.headroom as u32).and_then(|()| skb.put(len as u32).map(|_| ())).is_err() {
            // Freeing the socket buffer drops the page reference it holds.
            drop(skb);
            return Err(self);
        }
        Ok((skb, self.flip()))
    }

    /// After the current half went to a socket buffer: the other half, synced for the device,
    /// if no socket buffer holds it any more; else `None`, and the page is unmapped and this
    /// reference dropped (the stack frees the page with its last socket buffer).
    #[inline]
    fn flip(self) -> Option<Self> {
        let page = self.map.page().as_ptr();
        // C `page_ref_count`, read directly (it is on every receive).
        // SAFETY: `page` is valid (kept alive by `map`); the count is an atomic the mm code
        // updates with atomic operations, read here with a single volatile load.
        let refs = unsafe { core::ptr::read_volatile(core::ptr::addr_of!((*page)._refcount.counter)) };
        // Our reference and the one just given: the other half is free. A page from the
        // emergency reserves goes back to the allocator rather than staying with the driver.
        // SAFETY: `page` is valid.
        let pfmemalloc = unsafe { bindings::page_is_pfmemalloc(page) };
        if refs != 2 || pfmemalloc {
            // Unmaps the page and drops our reference.
            drop(self);
            return None;
        }
        let mut next = self;
        // INVARIANT: the only socket buffer reference is the one to the half just given away;
        // the new current half is not referenced.
        next.offset ^= RX_HALF;
        // The CPU may have read or written that half while a socket buffer held it.
        if next.map.sync_range_for_device(next.offset, RX_HALF).is_err() {
            return None;
        }
        Some(next)
    }
}
