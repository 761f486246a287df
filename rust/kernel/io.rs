// SPDX-License-Identifier: GPL-2.0

//! Memory-mapped IO.
//!
//! C header: [`include/asm-generic/io.h`](srctree/include/asm-generic/io.h)
//!
//! [`Io`] is a window of `SIZE` bytes (at least) of device memory, as mapped by a bus
//! abstraction (for PCI: [`crate::pci::Bar`]). Register accesses at offsets known at compile
//! time are bounds checked at compile time ([`Io::read32`], [`Io::write32`]); accesses at offsets
//! computed at run time (a queue index) are checked at run time ([`Io::try_read32`],
//! [`Io::try_write32`]) and fail with `EINVAL` instead of touching memory outside the mapping.

use crate::{bindings, build_assert, error::code::EINVAL, error::Result};

/// Raw representation of an MMIO region: its kernel virtual address and its length.
///
/// # Invariants
///
/// `addr` is the start of a mapping of at least `maxsize` bytes of device memory, and
/// `maxsize >= SIZE`.
pub struct IoRaw<const SIZE: usize = 0> {
    addr: usize,
    maxsize: usize,
}

impl<const SIZE: usize> IoRaw<SIZE> {
    /// Returns a new `IoRaw` for `maxsize` bytes at `addr`, or `EINVAL` if `maxsize < SIZE`.
    pub fn new(addr: usize, maxsize: usize) -> Result<Self> {
        if maxsize < SIZE || addr == 0 {
            return Err(EINVAL);
        }
        // INVARIANT: checked above; the caller guarantees `addr` maps `maxsize` bytes.
        Ok(Self { addr, maxsize })
    }

    /// Returns the base address of the region.
    pub fn addr(&self) -> usize {
        self.addr
    }

    /// Returns the length of the region in bytes.
    pub fn maxsize(&self) -> usize {
        self.maxsize
    }
}

/// A mapped MMIO region of at least `SIZE` bytes.
///
/// `Io` is never owned by a driver: the bus abstraction that created the mapping (for example
/// [`crate::pci::Bar`]) owns it and dereferences to it, so the mapping outlives every access.
///
/// # Invariants
///
/// `addr` is the start of a valid MMIO mapping of `maxsize >= SIZE` bytes that stays mapped for
/// as long as this object exists.
///
/// # Examples
///
/// ```
/// use kernel::io::Io;
///
/// // Offsets are checked at compile time against SIZE when they are constants...
/// fn enable(io: &Io<0x100>) {
///     let ctrl = io.read32(0x0);
///     io.write32(ctrl | 1, 0x0);
/// }
///
/// // ...and at run time when they are not.
/// fn queue_tail(io: &Io<0x100>, queue: usize) -> kernel::error::Result<u32> {
///     io.try_read32(0x18 + queue * 0x40)
/// }
/// ```
#[repr(transparent)]
pub struct Io<const SIZE: usize = 0>(IoRaw<SIZE>);

macro_rules! define_read {
    ($(#[$attr:meta])* $name:ident, $try_name:ident, $c_fn:ident -> $type_name:ty) => {
        $(#[$attr])*
        /// The offset is checked at compile time.
        #[inline(always)]
        pub fn $name(&self, offset: usize) -> $type_name {
            let addr = self.io_addr_assert::<$type_name>(offset);

            // SAFETY: By the type invariant `addr` is a valid address for MMIO operations, and
            // `io_addr_assert` checked at compile time that the access is within the mapping.
            unsafe { bindings::$c_fn(addr as _) }
        }

        $(#[$attr])*
        /// The offset is checked at run time: `EINVAL` if it is out of bounds or misaligned.
        #[inline]
        pub fn $try_name(&self, offset: usize) -> Result<$type_name> {
            let addr = self.io_addr::<$type_name>(offset)?;

            // SAFETY: By the type invariant `addr` is a valid address for MMIO operations, and
            // `io_addr` checked that the access is within the mapping.
            Ok(unsafe { bindings::$c_fn(addr as _) })
        }
    };
}

macro_rules! define_write {
    ($(#[$attr:meta])* $name:ident, $try_name:ident, $c_fn:ident <- $type_name:ty) => {
        $(#[$attr])*
        /// The offset is checked at compile time.
        #[inline(always)]
        pub fn $name(&self, value: $type_name, offset: usize) {
            let addr = self.io_addr_assert::<$type_name>(offset);

            // SAFETY: By the type invariant `addr` is a valid address for MMIO operations, and
            // `io_addr_assert` checked at compile time that the access is within the mapping.
            unsafe { bindings::$c_fn(value, addr as _) }
        }

        $(#[$attr])*
        /// The offset is checked at run time: `EINVAL` if it is out of bounds or misaligned.
        #[inline]
        pub fn $try_name(&self, value: $type_name, offset: usize) -> Result {
            let addr = self.io_addr::<$type_name>(offset)?;

            // SAFETY: By the type invariant `addr` is a valid address for MMIO operations, and
            // `io_addr` checked that the access is within the mapping.
            unsafe { bindings::$c_fn(value, addr as _) }
            Ok(())
        }
    };
}

impl<const SIZE: usize> Io<SIZE> {
    /// Converts an [`IoRaw`] into an [`Io`] reference.
    ///
    /// # Safety
    ///
    /// `raw` must describe a valid MMIO mapping that stays mapped for the lifetime `'a`.
    pub unsafe fn from_raw<'a>(raw: &'a IoRaw<SIZE>) -> &'a Self {
        // SAFETY: `Io` is a transparent wrapper around `IoRaw`; validity of the mapping is
        // guaranteed by the caller.
        unsafe { &*core::ptr::from_ref(raw).cast::<Self>() }
    }

    /// Returns the base address of the mapping.
    #[inline]
    pub fn addr(&self) -> usize {
        self.0.addr
    }

    /// Returns the size of the mapping in bytes (at least `SIZE`).
    #[inline]
    pub fn maxsize(&self) -> usize {
        self.0.maxsize
    }

    #[inline]
    const fn offset_valid<U>(offset: usize, size: usize) -> bool {
        let type_size = core::mem::size_of::<U>();
        if let Some(end) = offset.checked_add(type_size) {
            end <= size && offset % type_size == 0
        } else {
            false
        }
    }

    #[inline]
    fn io_addr<U>(&self, offset: usize) -> Result<usize> {
        if !Self::offset_valid::<U>(offset, self.maxsize()) {
            return Err(EINVAL);
        }
        // Cannot overflow: `offset + size_of::<U>() <= maxsize` and the mapping does not wrap.
        Ok(self.addr() + offset)
    }

    #[inline(always)]
    fn io_addr_assert<U>(&self, offset: usize) -> usize {
        build_assert!(Self::offset_valid::<U>(offset, SIZE));
        self.addr() + offset
    }

    define_read!(
        /// Reads a 32-bit register (`readl`: ordered against DMA and other MMIO).
        read32, try_read32, readl -> u32
    );
    define_read!(
        /// Reads a 32-bit register without ordering against DMA (`readl_relaxed`).
        read32_relaxed, try_read32_relaxed, readl_relaxed -> u32
    );
    define_write!(
        /// Writes a 32-bit register (`writel`: ordered after prior writes to DMA memory).
        write32, try_write32, writel <- u32
    );
    define_write!(
        /// Writes a 32-bit register without ordering against DMA memory (`writel_relaxed`).
        write32_relaxed, try_write32_relaxed, writel_relaxed <- u32
    );

    /// Flushes posted MMIO writes by reading back the register at `offset`.
    ///
    /// The register must be free of read side effects (a status register, not a read-to-clear
    /// counter). The offset is checked at compile time.
    #[inline(always)]
    pub fn flush(&self, offset: usize) {
        let _ = self.read32(offset);
    }
}

/// Sleeps for about `us` microseconds (`fsleep`: picks udelay, usleep_range or msleep).
///
/// Process context only: it may sleep. For register polling with a timeout.
pub fn fsleep(us: u32) {
    // SAFETY: `fsleep` has no preconditions besides a sleepable context, as documented.
    unsafe { bindings::fsleep(us as _) };
}

/// Busy-waits for `us` microseconds (`udelay`); any context, keep it short.
pub fn udelay(us: u32) {
    // SAFETY: `udelay` has no preconditions.
    unsafe { bindings::udelay(us as _) };
}
