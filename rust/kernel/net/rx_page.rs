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

use super::{
    dev::NetDev,
    napi::PollContext,
    skb::SkBuff,
    xdp::{self, XdpFrame, XdpProg, XdpRxq, XdpVerdict},
};
use crate::{
    alloc::Flags,
    bindings,
    device::Device,
    dma::DmaAddress,
    error::{code::*, Result},
    page::PAGE_SIZE,
};
use core::ptr::NonNull;

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
/// The structure is five words (raw pointers rather than `Page`, `PageMapping` and
/// `ARef<Device>`, and the page's address kept): a ring moves one per received frame, and
/// every call it saves is on that path. For the same reason it takes page references in bulk, as the C igb driver does: at
/// allocation it takes [`BIAS_MAX`] references at once and hands one of them to each socket
/// buffer it gives a half to, by decrementing a private count (`bias`) rather than with an
/// atomic `get_page`. Whether the page came from the emergency reserves (`pfmemalloc`) is
/// read once at allocation: it does not change while the page is ours. So is whether its
/// mapping needs the DMA syncs at all (C `dma_need_sync`, as `page_pool` asks it): on a
/// cache-coherent machine without bounce buffering it does not, and the two syncs per frame
/// are then skipped without a call.
///
/// # Invariants
///
/// `page` is a page allocated by `alloc_pages` (order 0), of which `self` owns `bias`
/// references, `bias >= 1`; every other reference belongs to a socket buffer. `pfmemalloc` is
/// `page_is_pfmemalloc(page)`. `sync` is `dma_need_sync(dev, handle)` (true under
/// `CONFIG_DMA_API_DEBUG`, which checks every sync).
/// `va` is `page_address(page)`. `dev` is a device of which `self` owns one reference
/// (`get_device`). The whole page is mapped
/// for `dev` at `handle` (offset 0, `PAGE_SIZE` bytes, device to CPU). The half at `offset` (0
/// or [`RX_HALF`]) is not referenced by any socket buffer: every page reference beyond the one
/// `self` owns was given to a socket buffer by [`RxPage::into_frag`] or [`RxPage::into_skb`]
/// for the other half. `headroom` is 0 or [`RX_SKB_HEADROOM`]; the buffer the device fills
/// starts `headroom` bytes into the half and ends with it.
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
    page: NonNull<bindings::page>,
    /// The page's kernel address (C `page_address`), kept: it is needed for every frame.
    va: NonNull<u8>,
    dev: NonNull<bindings::device>,
    handle: DmaAddress,
    offset: u16,
    headroom: u16,
    bias: u16,
    pfmemalloc: bool,
    sync: bool,
}

/// Page references an [`RxPage`] holds after allocation and after each refill of its stock
/// (C igb: `USHRT_MAX`): the atomic add happens once per this many frames.
pub const BIAS_MAX: u16 = u16::MAX;

// SAFETY: `RxPage` owns its page and mapping; the device reference may be dropped from any
// thread, and unmapping and freeing do not depend on the thread.
unsafe impl Send for RxPage {}
// SAFETY: `&RxPage` only gives the device address, DMA syncs and copies out of the current
// half, which no socket buffer references (type invariant).
unsafe impl Sync for RxPage {}

/// `RX_HALF` as `u32` and `u16` (2 KiB).
// CAST: see above.
const HALF: u32 = RX_HALF as u32;
// CAST: 2 KiB fits in `u16`.
const HALF16: u16 = RX_HALF as u16;

impl RxPage {
    /// Allocates a page and maps it for `dev` (device writes). `flags` must suit the context
    /// (`GFP_ATOMIC` in a NAPI poll).
    pub fn new(dev: &Device, flags: Flags) -> Result<Self> {
        Self::alloc(dev, flags, 0)
    }

    /// Like [`Self::new`], with [`RX_SKB_HEADROOM`] bytes in front of each buffer, for
    /// [`Self::into_skb`].
    pub fn with_headroom(dev: &Device, flags: Flags) -> Result<Self> {
        // CAST: below PAGE_SIZE, which fits in `u16`.
        Self::alloc(dev, flags, RX_SKB_HEADROOM as u16)
    }

    fn alloc(dev: &Device, flags: Flags, headroom: u16) -> Result<Self> {
        // SAFETY: Any flags are valid for `alloc_pages`; order 0 is one page.
        let page =
            NonNull::new(unsafe { bindings::alloc_pages(flags.as_raw(), 0) }).ok_or(ENOMEM)?;
        let raw_dev = dev.as_raw();
        // SAFETY: `page` is a page we own and `raw_dev` a valid device; the range is the page.
        let handle = unsafe {
            bindings::dma_map_page_attrs(raw_dev, page.as_ptr(), 0, PAGE_SIZE, FROM_DEVICE, 0)
        };
        // SAFETY: `raw_dev` is a valid device.
        if unsafe { crate::dma::mapping_failed(raw_dev, handle) } {
            // SAFETY: We own the only reference to the unmapped page.
            unsafe { bindings::__free_pages(page.as_ptr(), 0) };
            return Err(ENOMEM);
        }
        // SAFETY: `raw_dev` is valid; the reference is dropped in `drop`.
        let dev = unsafe { bindings::get_device(raw_dev) };
        // `get_device` returns its argument, which is not null.
        let Some(dev) = NonNull::new(dev) else {
            // SAFETY: Mapped above for `raw_dev`; we own the only page reference.
            unsafe {
                bindings::dma_unmap_page_attrs(raw_dev, handle, PAGE_SIZE, FROM_DEVICE, 0);
                bindings::__free_pages(page.as_ptr(), 0);
            }
            return Err(EINVAL);
        };
        // The stock of references handed out to socket buffers (see the type's comment).
        // SAFETY: We own the page's only reference.
        unsafe { bindings::page_ref_add(page.as_ptr(), i32::from(BIAS_MAX - 1)) };
        // SAFETY: `page` is valid (we own it).
        let pfmemalloc = unsafe { bindings::page_is_pfmemalloc(page.as_ptr()) };
        // SAFETY: `handle` is a live mapping for `raw_dev`, a valid device.
        let sync = unsafe { bindings::dma_need_sync(raw_dev, handle) };
        // SAFETY: `page` is valid and, allocated without `__GFP_HIGHMEM` (not in `Flags`),
        // permanently mapped in the kernel's address space.
        let va = unsafe { bindings::page_address(page.as_ptr()) }.cast::<u8>();
        // A page in the kernel's direct map has a non-null address.
        let Some(va) = NonNull::new(va) else {
            // SAFETY: Mapped above for `raw_dev`, whose reference we took; we own all the
            // page's references.
            unsafe {
                bindings::dma_unmap_page_attrs(raw_dev, handle, PAGE_SIZE, FROM_DEVICE, 0);
                bindings::put_device(raw_dev);
                bindings::__page_frag_cache_drain(page.as_ptr(), u32::from(BIAS_MAX));
            }
            return Err(EINVAL);
        };
        // INVARIANT: a fresh page, mapped above, of which we own all `BIAS_MAX` references; the
        // device reference was just taken; `headroom` is one of the two allowed values (the
        // callers).
        Ok(Self {
            page,
            va,
            dev,
            handle,
            offset: 0,
            headroom,
            bias: BIAS_MAX,
            pfmemalloc,
            sync,
        })
    }

    /// Offset in the page of the buffer the device fills.
    #[inline]
    fn start(&self) -> u32 {
        u32::from(self.offset) + u32::from(self.headroom)
    }

    /// The device address of the current buffer, to post in a receive descriptor.
    #[inline]
    pub fn dma_handle(&self) -> DmaAddress {
        // Within the page mapped at `handle`: no overflow (wrapping spares the check).
        self.handle.wrapping_add(DmaAddress::from(self.start()))
    }

    /// The length of the buffer the device may fill: the half after the headroom.
    #[inline]
    pub fn len(&self) -> usize {
        // `headroom < RX_HALF` (invariant).
        usize::from(HALF16.wrapping_sub(self.headroom))
    }

    /// Always `false`: a buffer is half a page.
    #[inline]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// `dma_sync_single_range_for_cpu` over `len` bytes at `off` in the page.
    #[inline]
    fn sync_range_for_cpu(&self, off: u32, len: usize) {
        if !self.sync {
            return;
        }
        // SAFETY: By the type invariant the page is mapped for `dev` at `handle`; the callers
        // keep `off + len` within the page.
        unsafe {
            bindings::dma_sync_single_for_cpu(
                self.dev.as_ptr(),
                self.handle.wrapping_add(DmaAddress::from(off)),
                len,
                FROM_DEVICE,
            )
        };
    }

    /// `dma_sync_single_range_for_device` over `len` bytes at `off` in the page.
    #[inline]
    fn sync_range_for_device(&self, off: u32, len: usize) {
        if !self.sync {
            return;
        }
        // SAFETY: As in `sync_range_for_cpu`.
        unsafe {
            bindings::dma_sync_single_for_device(
                self.dev.as_ptr(),
                self.handle.wrapping_add(DmaAddress::from(off)),
                len,
                FROM_DEVICE,
            )
        };
    }

    /// Gives the first `len` bytes of the current half to the CPU (`dma_sync_single_for_cpu`),
    /// after the device reported a frame of `len` bytes there. `EINVAL` if `len` exceeds the
    /// buffer.
    #[inline]
    pub fn sync_for_cpu(&self, len: usize) -> Result {
        if len > self.len() {
            return Err(EINVAL);
        }
        self.sync_range_for_cpu(self.start(), len);
        Ok(())
    }

    /// Gives the first `len` bytes of the current half back to the device
    /// (`dma_sync_single_for_device`), before posting the same half again.
    #[inline]
    pub fn sync_for_device(&self, len: usize) -> Result {
        if len > self.len() {
            return Err(EINVAL);
        }
        self.sync_range_for_device(self.start(), len);
        Ok(())
    }

    /// The kernel address of the page.
    #[inline]
    fn address(&self) -> *mut u8 {
        self.va.as_ptr()
    }

    /// Copies the first `dst.len()` bytes of the current half into `dst`; `EINVAL` if `dst` is
    /// longer than the buffer. Call [`Self::sync_for_cpu`] first.
    #[inline]
    pub fn read(&self, dst: &mut [u8]) -> Result {
        if dst.len() > self.len() {
            return Err(EINVAL);
        }
        // CAST: below PAGE_SIZE.
        let start = self.start() as usize;
        // `dst` cannot overlap the page, which is never lent as a Rust reference; `start +
        // dst.len()` is within the page (checked above). By the type invariant no socket
        // buffer references the current half, so no CPU writes it; device writes can only make
        // the copy stale, and any byte value is a valid `u8`.
        // SAFETY: So the source is valid for `dst.len()` byte reads and `dst` for as many writes.
        unsafe {
            core::ptr::copy_nonoverlapping(self.address().add(start), dst.as_mut_ptr(), dst.len())
        };
        Ok(())
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
    pub fn into_frag(
        self,
        skb: &mut SkBuff,
        start: usize,
        len: usize,
    ) -> core::result::Result<Option<Self>, Self> {
        let fits = matches!(start.checked_add(len), Some(end) if end <= self.len());
        if !fits || len == 0 || skb.nr_frags() >= bindings::MAX_SKB_FRAGS {
            return Err(self);
        }
        let mut this = self;
        let page = this.page.as_ptr();
        // CAST: all below PAGE_SIZE, which fits in i32/u32.
        let (off, size, truesize) = ((this.start() as usize + start) as i32, len as i32, HALF);
        // One of our references goes to `skb` (dropped when the socket buffer frees its
        // fragments); `bias >= 2` here (`flip` refills at 1).
        this.bias -= 1;
        // Range and free slot were checked above.
        // SAFETY: `page` is valid (we own references), the fragment fits, we own `skb`.
        unsafe {
            bindings::skb_add_rx_frag(
                skb.as_raw(),
                skb.nr_frags() as i32,
                page,
                off,
                size,
                truesize,
            );
        }
        Ok(this.flip())
    }

    /// Makes the `len`-byte frame in the current buffer of the page in `slot` the head of a new
    /// socket buffer, in place (C `napi_build_skb` over the half, true size half a page): the
    /// frame is not copied, the headroom in front of it becomes the buffer's headroom, and the
    /// socket buffer holds its own page reference. Call [`Self::sync_for_cpu`] for the frame
    /// first.
    ///
    /// The page stays in `slot`, a ring's buffer slot, rather than being moved in and out:
    /// afterwards `slot` holds it with its other half current, synced for the device (the
    /// buffer to post next), or `None` if a socket buffer still holds that half (the page was
    /// unmapped and this reference dropped; the stack frees the page with its last socket
    /// buffer), as [`Self::into_frag`]. On error (`slot` empty, a page made without headroom,
    /// `len` 0 or above [`RX_SKB_MAX`]: `EINVAL`; no socket buffer: `ENOMEM`) `slot` is
    /// unchanged.
    #[inline]
    pub fn into_skb(slot: &mut Option<Self>, _ctx: &PollContext<'_>, len: usize) -> Result<SkBuff> {
        let Some(this) = slot.as_mut() else {
            return Err(EINVAL);
        };
        // CAST: RX_SKB_HEADROOM is below PAGE_SIZE.
        if usize::from(this.headroom) != RX_SKB_HEADROOM || len == 0 || len > RX_SKB_MAX {
            return Err(EINVAL);
        }
        // CAST: both below PAGE_SIZE.
        let (start, len) = (RX_SKB_HEADROOM as u32, len as u32);
        // SAFETY: `start` is the headroom and `0 < len <= RX_SKB_MAX` (checked above): the data
        // end before the shared info; no metadata.
        let skb = unsafe { this.build_skb_at(start, len, 0) }?;
        if !this.flip_in_place() {
            // Unmaps the page and drops our references.
            *slot = None;
        }
        Ok(skb)
    }

    /// Makes the current half the head of a new socket buffer whose data are the `len` bytes
    /// at `start` in the half, preceded by `meta` bytes of XDP metadata (C `napi_build_skb`,
    /// `skb_reserve`, `__skb_put`, `skb_metadata_set`), and gives the socket buffer one of our
    /// page references. The caller then flips or drops the page. `EINVAL` if the data do not
    /// fit between the start of the half and the shared info at its end; `ENOMEM` without a
    /// socket buffer (nothing changed).
    #[inline(always)]
    fn build_skb(&mut self, start: u32, len: u32, meta: u32) -> Result<SkBuff> {
        // CAST: below PAGE_SIZE.
        let room = (RX_HALF - bindings::SKB_SHINFO_SIZE) as u32;
        if len == 0 || start > room || len > room - start || meta > start || meta > 255 {
            return Err(EINVAL);
        }
        // SAFETY: Checked just above.
        unsafe { self.build_skb_at(start, len, meta) }
    }

    /// [`Self::build_skb`] without its checks, for a caller that made them already (the
    /// receive path of [`Self::into_skb`], where they would cost instructions per frame).
    ///
    /// # Safety
    ///
    /// `0 < len`, `start + len <= RX_HALF - SKB_SHINFO_SIZE`, `meta <= start` and
    /// `meta <= 255`.
    #[inline(always)]
    unsafe fn build_skb_at(&mut self, start: u32, len: u32, meta: u32) -> Result<SkBuff> {
        let half = usize::from(self.offset);
        // By the type invariant no socket buffer uses the current half; the data, the room in
        // front of them and the shared info after them all fit in the half (the caller's
        // promise), which is where `napi_build_skb` puts them.
        // The callers run in a NAPI poll (they hold its `PollContext`: softirq context).
        // SAFETY: `address() + half` is the start of that half, `RX_HALF` bytes long; softirq
        // context, as `napi_build_skb` requires.
        let raw = unsafe { bindings::napi_build_skb(self.address().add(half).cast(), HALF) };
        // SAFETY: A non-null result is a fresh socket buffer that we own.
        let Some(skb) = (unsafe { SkBuff::from_raw(raw) }) else {
            return Err(ENOMEM);
        };
        // One of our references went to the socket buffer's head (released with the head);
        // `bias >= 2` here (`flip` refills at 1).
        self.bias -= 1;
        // C `skb_reserve(skb, start)` then `__skb_put(skb, len)`, as field updates:
        // `napi_build_skb` left the buffer empty, its data and tail at the start of the half.
        let s = skb.as_raw();
        // The buffer is fresh, linear and empty; its linear part is the half minus the shared
        // info, of at least `start + len` bytes (the caller's promise); the device or the
        // program wrote the data (the caller synced the device's bytes for the CPU).
        // SAFETY: We own the buffer; so data and tail stay within its linear part.
        unsafe {
            (*s).data = (*s).data.add(start as usize);
            (*s).tail = start + len;
            (*s).len = len;
        }
        if meta > 0 {
            // CAST: `meta <= 255` (the caller's promise).
            // SAFETY: We own the buffer; the `meta` bytes before its data are in its headroom
            // (`meta <= start`), where the program wrote them.
            unsafe { bindings::skb_metadata_set(s, meta as u8) };
        }
        Ok(skb)
    }

    /// Runs XDP program `prog` on the `len`-byte frame in the current buffer of the page in
    /// `slot` (made with [`Self::with_headroom`]), for the NAPI poll `ctx` of device `dev`
    /// whose receive queue `rxq` the frame came in on. Call [`Self::sync_for_cpu`] for the
    /// frame first.
    ///
    /// The program may move the frame's start into the headroom, its end into the rest of the
    /// half, and write anything in between. What becomes of the buffer follows the verdict,
    /// as [`Self::into_skb`] describes for the page in `slot`:
    ///
    /// - `XDP_PASS`: the frame as the program left it becomes a socket buffer's head in place;
    /// - `XDP_TX`: it becomes an [`XdpFrame`] (its header goes into the headroom);
    /// - `XDP_REDIRECT`: it goes to the program's target (`xdp_do_redirect`; `ctx` flushes the
    ///   targets when the poll ends);
    /// - in those three cases the page's other half becomes current if it is free, else
    ///   `slot` becomes `None`;
    /// - `XDP_DROP`, `XDP_ABORTED`, an unknown verdict, or a redirect or conversion that fails:
    ///   the buffer stays current in `slot`, synced for the device (failures are traced).
    ///
    /// `EINVAL` if `slot` is empty, the page has no headroom or `len` is 0 or above
    /// [`RX_SKB_MAX`]: then the program did not run.
    #[inline]
    pub fn run_xdp(
        slot: &mut Option<Self>,
        ctx: &PollContext<'_>,
        dev: &NetDev,
        rxq: &XdpRxq,
        prog: XdpProg<'_>,
        len: usize,
    ) -> Result<XdpVerdict> {
        let Some(this) = slot.as_mut() else {
            return Err(EINVAL);
        };
        // CAST: RX_SKB_HEADROOM is below PAGE_SIZE.
        if usize::from(this.headroom) != RX_SKB_HEADROOM || len == 0 || len > RX_SKB_MAX {
            return Err(EINVAL);
        }
        let raw_dev = dev.as_raw();
        let half = usize::from(this.offset);
        // SAFETY: `half < PAGE_SIZE`: within the page.
        let hard_start = unsafe { this.address().add(half) };
        // All-zero is a valid `xdp_buff` (pointers and integers); the two calls fill it.
        let mut xdp = bindings::xdp_buff::default();
        // The buffer describes the current half: `RX_HALF` bytes from `hard_start`, the frame
        // `headroom` bytes in, `len` long (checked above: it ends before the shared info).
        // SAFETY: `xdp` is a local buffer; `rxq` is registered (type invariant of `XdpRxq`).
        unsafe {
            bindings::xdp_init_buff(&mut xdp, HALF, rxq.as_raw());
            bindings::xdp_prepare_buff(
                &mut xdp,
                hard_start,
                i32::from(this.headroom),
                // CAST: below RX_SKB_MAX.
                len as i32,
                true,
            );
        }
        // By the type invariant no socket buffer uses the current half, which the device is
        // done with (the caller synced it for the CPU): the program may read and write it.
        // SAFETY: `prog` is valid for the poll; BH are disabled (NAPI), as XDP programs need.
        let act = unsafe { bindings::bpf_prog_run_xdp(prog.as_raw(), &mut xdp) };
        let act = xdp::check_action(raw_dev, prog, act);
        let verdict = match act {
            bindings::xdp_action_XDP_PASS => {
                // Where the program left the frame: the core keeps `data_meta <= data <=
                // data_end` within the half (`build_skb` checks again).
                let at =
                    |p: *mut crate::ffi::c_void| (p as usize).wrapping_sub(hard_start as usize);
                let (start, end, meta) = (at(xdp.data), at(xdp.data_end), at(xdp.data_meta));
                let len = end.wrapping_sub(start);
                let meta = start.wrapping_sub(meta);
                match (
                    u32::try_from(start),
                    u32::try_from(len),
                    u32::try_from(meta),
                ) {
                    (Ok(s), Ok(l), Ok(m)) => match this.build_skb(s, l, m) {
                        Ok(skb) => XdpVerdict::Pass(skb),
                        Err(e) => {
                            this.sync_range_for_device(u32::from(this.offset), RX_HALF);
                            return Err(e);
                        }
                    },
                    _ => {
                        this.sync_range_for_device(u32::from(this.offset), RX_HALF);
                        return Err(EINVAL);
                    }
                }
            }
            bindings::xdp_action_XDP_TX => {
                // SAFETY: `xdp` describes the current half (above); the frame's header goes
                // into its headroom.
                let f = unsafe { bindings::xdp_convert_buff_to_frame(&mut xdp) };
                match NonNull::new(f) {
                    Some(f) => {
                        // One of our references goes with the frame (`xdp_return_frame`
                        // releases it); `bias >= 2` here.
                        this.bias -= 1;
                        // SAFETY: A fresh frame over the current half, which is ours to give.
                        XdpVerdict::Tx(unsafe { XdpFrame::from_raw(f) })
                    }
                    None => {
                        xdp::exception(raw_dev, prog, act);
                        XdpVerdict::Aborted
                    }
                }
            }
            bindings::xdp_action_XDP_REDIRECT => {
                // SAFETY: `xdp` describes the current half; `prog` is the program that chose
                // the target; NAPI context.
                let ret = unsafe { bindings::xdp_do_redirect(raw_dev, &mut xdp, prog.as_raw()) };
                if ret == 0 {
                    // The target owns the frame and one of our references with it.
                    this.bias -= 1;
                    ctx.note_redirect();
                    XdpVerdict::Redirect
                } else {
                    xdp::exception(raw_dev, prog, act);
                    XdpVerdict::Aborted
                }
            }
            bindings::xdp_action_XDP_DROP => XdpVerdict::Drop,
            _ => {
                xdp::exception(raw_dev, prog, act);
                XdpVerdict::Aborted
            }
        };
        match verdict {
            XdpVerdict::Drop | XdpVerdict::Aborted => {
                // The half stays current; the program may have written anywhere in it.
                this.sync_range_for_device(u32::from(this.offset), RX_HALF);
            }
            _ => {
                if !this.flip_in_place() {
                    // Unmaps the page and drops our references.
                    *slot = None;
                }
            }
        }
        Ok(verdict)
    }

    /// After the current half went to a socket buffer: the other half, synced for the device,
    /// if no socket buffer holds it any more; else `None`, and the page is unmapped and this
    /// reference dropped (the stack frees the page with its last socket buffer).
    #[inline]
    fn flip(mut self) -> Option<Self> {
        if self.flip_in_place() {
            Some(self)
        } else {
            // Unmaps the page and drops our references.
            drop(self);
            None
        }
    }

    /// After the current half went to a socket buffer: makes the other half current and syncs
    /// it for the device if no socket buffer holds it any more, and returns `true`. Else
    /// returns `false`, and the caller must drop the page: its current half is the one given
    /// away.
    #[inline]
    fn flip_in_place(&mut self) -> bool {
        let page = self.page.as_ptr();
        // C `page_ref_count`, read directly (it is on every receive).
        use core::ptr::{addr_of, read_volatile};
        // SAFETY: `page` is valid (we own a reference); the count is an atomic the mm code
        // updates with atomic operations, read here with a single volatile load.
        let refs = unsafe { read_volatile(addr_of!((*page)._refcount.counter)) };
        // Socket buffers hold `refs - bias`: if that is the one just given, the other half is
        // free. (Frees on other CPUs only lower `refs`, so a stale read errs on the safe side.)
        // A page from the emergency reserves goes back to the allocator rather than staying
        // with the driver.
        // CAST: a page's reference count is positive.
        let others = (refs as u32).wrapping_sub(u32::from(self.bias));
        if others != 1 || self.pfmemalloc {
            return false;
        }
        if self.bias == 1 {
            // The stock is used up: take a new one while no other reference can go away
            // before we count it (the socket buffer's reference keeps the page alive anyway).
            // SAFETY: `page` is valid (we own a reference).
            unsafe { bindings::page_ref_add(page, i32::from(BIAS_MAX - 1)) };
            self.bias = BIAS_MAX;
        }
        // INVARIANT: the only socket buffer reference is the one to the half just given away;
        // the new current half is not referenced; `bias >= 2`.
        self.offset ^= HALF16;
        // The CPU may have read or written that half while a socket buffer held it.
        self.sync_range_for_device(u32::from(self.offset), RX_HALF);
        true
    }
}

impl Drop for RxPage {
    fn drop(&mut self) {
        // Socket buffers may still hold the other half: unmap without syncing the page back
        // (every frame was synced for the CPU when it arrived), then drop the references.
        // SAFETY: By the type invariant the page is mapped at `handle` for `dev`, and `self`
        // owns a reference to the device and `bias` to the page, all dropped exactly once here.
        unsafe {
            bindings::dma_unmap_page_attrs(
                self.dev.as_ptr(),
                self.handle,
                PAGE_SIZE,
                FROM_DEVICE,
                // CAST: a flag bit.
                bindings::DMA_ATTR_SKIP_CPU_SYNC as usize,
            );
            bindings::put_device(self.dev.as_ptr());
            bindings::__page_frag_cache_drain(self.page.as_ptr(), u32::from(self.bias));
        }
    }
}

/// The direction of every receive mapping.
const FROM_DEVICE: bindings::dma_data_direction = bindings::dma_data_direction_DMA_FROM_DEVICE;
