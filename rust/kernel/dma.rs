// SPDX-License-Identifier: GPL-2.0

//! Direct memory access (DMA).
//!
//! C header: [`include/linux/dma-mapping.h`](srctree/include/linux/dma-mapping.h)
//!
//! Two kinds of DMA memory:
//! * [`CoherentAllocation`]: memory both the CPU and the device see at all times, for descriptor
//!   rings. Elements are read and written with volatile accesses.
//! * streaming mappings ([`SingleMapping`], [`PageMapping`]) of packet buffers: a buffer is owned
//!   by the mapping while the device may access it and is handed back only after it was unmapped
//!   ([`SingleMapping::unmap`]), so the CPU never reads a buffer the device still owns, and never
//!   passes one to the rest of the kernel while it is mapped. Dropping a mapping unmaps it.
//!
//! Lengths written by the device (in descriptors) are not trusted by these types: a driver
//! bounds-checks them against the buffer length (`slice::get`) before using them.

use crate::{
    alloc::{flags::__GFP_ZERO, Flags, KBox},
    bindings,
    device::Device,
    error::{code::*, Result},
    page::Page,
    types::{ARef, AsBytes, FromBytes},
};
use core::{mem::ManuallyDrop, ptr::NonNull};

/// A DMA address as seen by the device.
pub type DmaAddress = bindings::dma_addr_t;

/// Whether `addr`, just returned by a streaming map call for `dev`, is the error value (C
/// `dma_mapping_error`).
///
/// Without DMA API debugging this is one comparison in Rust, not a helper call per mapped
/// packet; with it (`CONFIG_DMA_API_DEBUG`) the C function runs, which also records that the
/// driver checked the mapping.
///
/// # Safety
///
/// `dev` must be a valid device.
#[inline]
pub(crate) unsafe fn mapping_failed(dev: *mut bindings::device, addr: DmaAddress) -> bool {
    #[cfg(CONFIG_DMA_API_DEBUG)]
    {
        // SAFETY: `dev` is a valid device (the caller's promise); any `addr` is accepted.
        unsafe { bindings::dma_mapping_error(dev, addr) != 0 }
    }
    #[cfg(not(CONFIG_DMA_API_DEBUG))]
    {
        let _ = dev;
        // C `DMA_MAPPING_ERROR`: all ones.
        addr == DmaAddress::MAX
    }
}

/// Direction of a streaming mapping (`enum dma_data_direction`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DataDirection {
    /// The device reads and writes the buffer.
    Bidirectional,
    /// The device reads the buffer (TX).
    ToDevice,
    /// The device writes the buffer (RX).
    FromDevice,
}

impl DataDirection {
    fn as_raw(self) -> bindings::dma_data_direction {
        match self {
            Self::Bidirectional => bindings::dma_data_direction_DMA_BIDIRECTIONAL,
            Self::ToDevice => bindings::dma_data_direction_DMA_TO_DEVICE,
            Self::FromDevice => bindings::dma_data_direction_DMA_FROM_DEVICE,
        }
    }
}

/// Orders the CPU's reads of DMA memory (`dma_rmb()`).
///
/// Use it after reading a descriptor's "done" bit and before reading the rest of the descriptor
/// (or the buffer it describes).
#[inline]
pub fn rmb() {
    // On x86-64 `dma_rmb()` is only a compiler barrier (the CPU keeps loads from coherent memory
    // in order): an empty `asm!`, which Rust assumes may access any memory, is that barrier
    // without a helper call on every descriptor.
    #[cfg(target_arch = "x86_64")]
    // SAFETY: An empty asm block has no effect at run time.
    unsafe {
        core::arch::asm!("")
    };
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: A barrier has no preconditions.
    unsafe {
        bindings::dma_rmb()
    };
}

/// Orders the CPU's writes to DMA memory (`dma_wmb()`).
///
/// Use it after filling descriptors and before handing them to the device (tail write).
#[inline]
pub fn wmb() {
    // As in [`rmb`]: on x86-64 `dma_wmb()` is only a compiler barrier (stores stay in order).
    #[cfg(target_arch = "x86_64")]
    // SAFETY: An empty asm block has no effect at run time.
    unsafe {
        core::arch::asm!("")
    };
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: A barrier has no preconditions.
    unsafe {
        bindings::dma_wmb()
    };
}

/// A coherent DMA allocation of `count` elements of `T` (`dma_alloc_coherent`).
///
/// The memory is zeroed on allocation. The device must be halted (no DMA in flight to or from
/// this memory, e.g. its queue disabled and the device reset or bus mastering off) before the
/// allocation is dropped: dropping frees the memory back to the allocator.
///
/// # Invariants
///
/// `cpu_addr` points to `count` elements of `T` of coherent memory mapped at `dma_handle` for
/// `dev`, valid until drop.
///
/// # Examples
///
/// ```
/// use kernel::dma::CoherentAllocation;
/// use kernel::alloc::flags::GFP_KERNEL;
///
/// fn ring(dev: &kernel::device::Device) -> kernel::error::Result {
///     let ring = CoherentAllocation::<[u64; 2]>::alloc_coherent(dev, 256, GFP_KERNEL)?;
///     ring.write(0, &[0x1000, 0])?;
///     assert_eq!(ring.read(0)?, [0x1000, 0]);
///     assert!(ring.read(256).is_err());
///     Ok(())
/// }
/// ```
pub struct CoherentAllocation<T: AsBytes + FromBytes> {
    dev: ARef<Device>,
    dma_handle: DmaAddress,
    count: usize,
    cpu_addr: NonNull<T>,
}

impl<T: AsBytes + FromBytes> CoherentAllocation<T> {
    /// Allocates `count` zeroed elements of coherent memory for `dev`.
    pub fn alloc_coherent(dev: &Device, count: usize, gfp: Flags) -> Result<Self> {
        let size = count
            .checked_mul(core::mem::size_of::<T>())
            .filter(|&s| s > 0)
            .ok_or(EINVAL)?;
        let mut dma_handle: DmaAddress = 0;
        // SAFETY: `dev` is a valid device; `dma_handle` is valid for writes.
        let ptr = unsafe {
            bindings::dma_alloc_attrs(
                dev.as_raw(),
                size,
                &mut dma_handle,
                (gfp | __GFP_ZERO).as_raw(),
                0,
            )
        };
        let cpu_addr = NonNull::new(ptr.cast::<T>()).ok_or(ENOMEM)?;
        // INVARIANT: allocated above with `count` elements.
        Ok(Self {
            dev: dev.into(),
            dma_handle,
            count,
            cpu_addr,
        })
    }

    /// The number of elements.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The size in bytes.
    pub fn size(&self) -> usize {
        self.count * core::mem::size_of::<T>()
    }

    /// The device address of the first element.
    #[inline]
    pub fn dma_handle(&self) -> DmaAddress {
        self.dma_handle
    }

    /// Reads element `index` with a volatile read; `EINVAL` if `index >= count()`.
    #[inline]
    pub fn read(&self, index: usize) -> Result<T> {
        if index >= self.count {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariant and the check above the element is within the
        // allocation and aligned; `T: FromBytes` accepts whatever the device wrote.
        Ok(unsafe { self.cpu_addr.as_ptr().add(index).read_volatile() })
    }

    /// Writes element `index` with a volatile write; `EINVAL` if `index >= count()`.
    #[inline]
    pub fn write(&self, index: usize, value: &T) -> Result {
        if index >= self.count {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariant and the check above the element is within the
        // allocation and aligned; `T: AsBytes` has no uninitialised bytes to leak to the device.
        unsafe {
            self.cpu_addr
                .as_ptr()
                .add(index)
                .write_volatile(core::ptr::read(value))
        };
        Ok(())
    }
}

impl<T: AsBytes + FromBytes> Drop for CoherentAllocation<T> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the memory was allocated by `dma_alloc_attrs` with these
        // parameters; the owner halted the device first, as documented.
        unsafe {
            bindings::dma_free_attrs(
                self.dev.as_raw(),
                self.size(),
                self.cpu_addr.as_ptr().cast(),
                self.dma_handle,
                0,
            )
        };
    }
}

// SAFETY: The allocation is plain memory; it can be used and freed from any thread.
unsafe impl<T: AsBytes + FromBytes + Send> Send for CoherentAllocation<T> {}
// SAFETY: All accesses through `&self` are volatile element reads/writes of `FromBytes +
// AsBytes` data, as with device memory.
unsafe impl<T: AsBytes + FromBytes + Sync> Sync for CoherentAllocation<T> {}

/// An owned buffer whose bytes do not move while it is owned, so it can be mapped for DMA.
///
/// # Safety
///
/// `dma_ptr()` must return a pointer to `dma_len()` bytes that stay valid, at the same address,
/// for as long as the value exists (even when the value itself is moved), and that nothing else
/// accesses while the value is owned by a mapping.
pub unsafe trait DmaBuffer {
    /// The first byte of the buffer.
    fn dma_ptr(&mut self) -> *mut u8;
    /// The length of the buffer in bytes.
    fn dma_len(&self) -> usize;
}

// SAFETY: A `KBox`'s heap memory does not move when the box moves and is exclusively owned.
unsafe impl<const N: usize> DmaBuffer for KBox<[u8; N]> {
    fn dma_ptr(&mut self) -> *mut u8 {
        self.as_mut_ptr()
    }
    fn dma_len(&self) -> usize {
        N
    }
}

// SAFETY: A `KVec`'s heap buffer does not move when the vector moves, is exclusively owned, and
// is not resized while a mapping owns the vector; `len()` bytes of it are initialised.
unsafe impl DmaBuffer for crate::alloc::KVec<u8> {
    fn dma_ptr(&mut self) -> *mut u8 {
        self.as_mut_ptr()
    }
    fn dma_len(&self) -> usize {
        self.len()
    }
}

/// A streaming DMA mapping that owns its buffer (`dma_map_single`); unmapped on drop.
///
/// # Invariants
///
/// `dma_ptr()` of `buf` is mapped at `handle` for `len` bytes for `dev` until the mapping is
/// dropped or unmapped; `buf` is initialised until then.
pub struct SingleMapping<B: DmaBuffer> {
    dev: ARef<Device>,
    handle: DmaAddress,
    len: usize,
    dir: DataDirection,
    buf: ManuallyDrop<B>,
}

impl<B: DmaBuffer> SingleMapping<B> {
    /// Maps `buf` for `dev` in direction `dir`.
    ///
    /// On failure (`dma_mapping_error`) the buffer is handed back with the error, so that the
    /// caller can keep it for a later attempt.
    pub fn map(
        dev: &Device,
        mut buf: B,
        dir: DataDirection,
    ) -> core::result::Result<Self, (crate::error::Error, B)> {
        let len = buf.dma_len();
        let ptr = buf.dma_ptr();
        // SAFETY: By the `DmaBuffer` contract `ptr` is `len` valid bytes that stay in place while
        // `buf` is owned by the mapping; `dev` is a valid device.
        let handle = unsafe {
            bindings::dma_map_single_attrs(dev.as_raw(), ptr.cast(), len, dir.as_raw(), 0)
        };
        // SAFETY: `dev` is a valid device.
        if unsafe { mapping_failed(dev.as_raw(), handle) } {
            return Err((ENOMEM, buf));
        }
        // INVARIANT: mapped above.
        Ok(Self {
            dev: dev.into(),
            handle,
            len,
            dir,
            buf: ManuallyDrop::new(buf),
        })
    }

    /// The device address of the buffer.
    #[inline]
    pub fn dma_handle(&self) -> DmaAddress {
        self.handle
    }

    /// The mapped length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mapping is empty (never, mappings have a length > 0 in practice).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Gives the buffer to the CPU (`dma_sync_single_for_cpu`) without unmapping it.
    pub fn sync_for_cpu(&self) {
        // SAFETY: By the type invariant the mapping is live.
        unsafe {
            bindings::dma_sync_single_for_cpu(
                self.dev.as_raw(),
                self.handle,
                self.len,
                self.dir.as_raw(),
            )
        };
    }

    /// Gives the buffer back to the device (`dma_sync_single_for_device`).
    pub fn sync_for_device(&self) {
        // SAFETY: By the type invariant the mapping is live.
        unsafe {
            bindings::dma_sync_single_for_device(
                self.dev.as_raw(),
                self.handle,
                self.len,
                self.dir.as_raw(),
            )
        };
    }

    /// # Safety
    ///
    /// Must be called once, from `unmap` or `drop`.
    unsafe fn do_unmap(&mut self) {
        // SAFETY: By the type invariant the mapping is live; the caller guarantees this is the
        // only unmap.
        unsafe {
            bindings::dma_unmap_single_attrs(
                self.dev.as_raw(),
                self.handle,
                self.len,
                self.dir.as_raw(),
                0,
            )
        };
    }

    /// Unmaps the buffer and returns it: from now on the CPU owns its contents.
    pub fn unmap(self) -> B {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so this is the only unmap.
        unsafe { this.do_unmap() };
        // SAFETY: `buf` is initialised (type invariant) and taken exactly once; `dev` is dropped
        // exactly once here since `this` itself is never dropped.
        unsafe {
            let buf = ManuallyDrop::take(&mut this.buf);
            core::ptr::drop_in_place(&mut this.dev);
            buf
        }
    }
}

impl<B: DmaBuffer> Drop for SingleMapping<B> {
    fn drop(&mut self) {
        // The device must not access the buffer anymore: unmap before the buffer is freed.
        // SAFETY: `drop` runs once and `unmap` never lets `drop` run.
        unsafe { self.do_unmap() };
        // SAFETY: `buf` is initialised and dropped exactly once.
        unsafe { ManuallyDrop::drop(&mut self.buf) };
    }
}

// SAFETY: The mapping is an address plus an owned buffer; it can move between threads if the
// buffer can.
unsafe impl<B: DmaBuffer + Send> Send for SingleMapping<B> {}
// SAFETY: `&SingleMapping` only gives access to the address and to the sync operations.
unsafe impl<B: DmaBuffer + Sync> Sync for SingleMapping<B> {}

/// A streaming DMA mapping of part of a page it owns (`dma_map_page`); unmapped on drop.
///
/// # Invariants
///
/// Bytes `offset..offset + len` of `page` are mapped at `handle` for `dev` until the mapping is
/// dropped or unmapped; `page` is initialised until then.
pub struct PageMapping {
    dev: ARef<Device>,
    handle: DmaAddress,
    offset: usize,
    len: usize,
    dir: DataDirection,
    page: ManuallyDrop<Page>,
}

impl PageMapping {
    /// Maps `len` bytes at `offset` of `page` for `dev` in direction `dir`.
    pub fn map(
        dev: &Device,
        page: Page,
        offset: usize,
        len: usize,
        dir: DataDirection,
    ) -> core::result::Result<Self, (crate::error::Error, Page)> {
        let fits = matches!(offset.checked_add(len), Some(end) if end <= crate::page::PAGE_SIZE);
        if !fits || len == 0 {
            return Err((EINVAL, page));
        }
        // SAFETY: `page` is a valid page owned by us; the range is within it (checked above).
        let handle = unsafe {
            bindings::dma_map_page_attrs(dev.as_raw(), page.as_ptr(), offset, len, dir.as_raw(), 0)
        };
        // SAFETY: `dev` is a valid device.
        if unsafe { mapping_failed(dev.as_raw(), handle) } {
            return Err((ENOMEM, page));
        }
        // INVARIANT: mapped above.
        Ok(Self {
            dev: dev.into(),
            handle,
            offset,
            len,
            dir,
            page: ManuallyDrop::new(page),
        })
    }

    /// The device address of the mapped range.
    #[inline]
    pub fn dma_handle(&self) -> DmaAddress {
        self.handle
    }

    /// The mapped length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mapping is empty (never: `map` rejects `len == 0`).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Gives the range to the CPU without unmapping it.
    #[inline]
    pub fn sync_for_cpu(&self) {
        // SAFETY: By the type invariant the mapping is live.
        unsafe {
            bindings::dma_sync_single_for_cpu(
                self.dev.as_raw(),
                self.handle,
                self.len,
                self.dir.as_raw(),
            )
        };
    }

    /// Gives the range back to the device.
    #[inline]
    pub fn sync_for_device(&self) {
        // SAFETY: By the type invariant the mapping is live.
        unsafe {
            bindings::dma_sync_single_for_device(
                self.dev.as_raw(),
                self.handle,
                self.len,
                self.dir.as_raw(),
            )
        };
    }

    /// The mapped page.
    #[inline]
    pub fn page(&self) -> &Page {
        &self.page
    }

    /// Checks that `offset..offset + len` lies within the mapped range.
    #[inline]
    fn check_range(&self, offset: usize, len: usize) -> Result {
        match offset.checked_add(len) {
            Some(end) if end <= self.len => Ok(()),
            _ => Err(EINVAL),
        }
    }

    /// Gives bytes `offset..offset + len` of the mapped range to the CPU
    /// (`dma_sync_single_range_for_cpu`); `EINVAL` if the range is outside the mapping.
    #[inline]
    pub fn sync_range_for_cpu(&self, offset: usize, len: usize) -> Result {
        self.check_range(offset, len)?;
        // CAST: offset < len of the mapping, which fits a DMA address.
        let addr = self.handle + offset as DmaAddress;
        // SAFETY: By the type invariant the mapping is live; the range is within it (checked).
        unsafe {
            bindings::dma_sync_single_for_cpu(self.dev.as_raw(), addr, len, self.dir.as_raw())
        };
        Ok(())
    }

    /// Gives bytes `offset..offset + len` of the mapped range back to the device
    /// (`dma_sync_single_range_for_device`); `EINVAL` if the range is outside the mapping.
    #[inline]
    pub fn sync_range_for_device(&self, offset: usize, len: usize) -> Result {
        self.check_range(offset, len)?;
        // CAST: offset < len of the mapping, which fits a DMA address.
        let addr = self.handle + offset as DmaAddress;
        // SAFETY: By the type invariant the mapping is live; the range is within it (checked).
        unsafe {
            bindings::dma_sync_single_for_device(self.dev.as_raw(), addr, len, self.dir.as_raw())
        };
        Ok(())
    }

    /// Copies `dst.len()` bytes at `offset` of the mapped range into `dst`; `EINVAL` if the
    /// range is outside the mapping. Sync the range for the CPU first
    /// ([`Self::sync_range_for_cpu`]) once the device has written it.
    ///
    /// # Safety
    ///
    /// No CPU may write the range concurrently (e.g. through a socket buffer fragment the page
    /// was lent to). Writes by the device are not CPU accesses: as with
    /// [`CoherentAllocation::read`] they can only make the copied bytes stale.
    #[inline]
    pub unsafe fn read(&self, offset: usize, dst: &mut [u8]) -> Result {
        self.check_range(offset, dst.len())?;
        // `dst` cannot overlap the page, which the mapping never lends as a Rust reference;
        // `self.offset + offset + len` is within the page (checked above and in `map`).
        // No concurrent CPU write by the caller's guarantee; any byte value is a valid `u8`.
        // SAFETY: So `dst` is valid for `dst.len()` byte writes from that range of the page.
        unsafe {
            self.page
                .read_raw(dst.as_mut_ptr(), self.offset + offset, dst.len())
        }
    }

    /// # Safety
    ///
    /// Must be called once, from `unmap` or `drop`.
    unsafe fn do_unmap(&mut self) {
        // SAFETY: By the type invariant the mapping is live; the caller guarantees this is the
        // only unmap.
        unsafe {
            bindings::dma_unmap_page_attrs(
                self.dev.as_raw(),
                self.handle,
                self.len,
                self.dir.as_raw(),
                0,
            )
        };
    }

    /// Unmaps the range and returns the page.
    pub fn unmap(self) -> Page {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so this is the only unmap.
        unsafe { this.do_unmap() };
        // SAFETY: `page` and `dev` are initialised and taken/dropped exactly once, since `this`
        // is never dropped.
        unsafe {
            let page = ManuallyDrop::take(&mut this.page);
            core::ptr::drop_in_place(&mut this.dev);
            page
        }
    }
}

impl Drop for PageMapping {
    fn drop(&mut self) {
        // SAFETY: `drop` runs once and `unmap` never lets `drop` run.
        unsafe { self.do_unmap() };
        // SAFETY: `page` is initialised and dropped exactly once.
        unsafe { ManuallyDrop::drop(&mut self.page) };
    }
}

// SAFETY: An address plus an owned page.
unsafe impl Send for PageMapping {}
// SAFETY: `&PageMapping` only gives access to the address and the sync operations.
unsafe impl Sync for PageMapping {}
