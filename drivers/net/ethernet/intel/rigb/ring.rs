// SPDX-License-Identifier: GPL-2.0

//! Ring index arithmetic shared by the TX and RX rings.
//!
//! A ring has a multiple of 8 descriptors (RDLEN/TDLEN count 128-byte units), not necessarily a
//! power of two, so indices wrap by comparison, not by masking. The driver produces at `next_to_use`
//! (filling descriptors, then moving the tail register there) and consumes at `next_to_clean`
//! (descriptors the device wrote back). One slot always stays empty, so that
//! `next_to_use == next_to_clean` means "empty" and never "full" (the tail register must never
//! catch up with the head). `core`-only: also built into the host unit tests.

/// Smallest ring the driver accepts (the C igb driver's minimum).
pub(crate) const MIN_DESCS: u32 = 64;
/// Ring sizes are multiples of this: RDLEN/TDLEN are multiples of 128 bytes (datasheet 8.10.7,
/// 8.12.7), i.e. of 8 descriptors.
pub(crate) const DESC_MULTIPLE: u32 = 8;
/// Largest ring the driver accepts.
pub(crate) const MAX_DESCS: u32 = 4096;
/// Default ring size.
pub(crate) const DEFAULT_DESCS: u32 = 256;

/// Index bookkeeping of one descriptor ring.
///
/// # Invariants
///
/// `count` is a multiple of `DESC_MULTIPLE` in `MIN_DESCS..=MAX_DESCS`; `next_to_use` and `next_to_clean` are
/// below `count`; `used` is the number of descriptors from `next_to_clean` up to `next_to_use`
/// (wrapping), below `count`. It is kept rather than computed: the receive loop asks for it
/// three times per frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RingIndex {
    count: u32,
    next_to_use: u32,
    next_to_clean: u32,
    used: u32,
}

impl RingIndex {
    /// A ring of `count` descriptors, `None` unless `count` is a multiple of
    /// [`DESC_MULTIPLE`] within [`MIN_DESCS`]`..=`[`MAX_DESCS`].
    #[inline]
    pub(crate) const fn new(count: u32) -> Option<Self> {
        if count % DESC_MULTIPLE != 0 || count < MIN_DESCS || count > MAX_DESCS {
            return None;
        }
        Some(Self {
            count,
            next_to_use: 0,
            next_to_clean: 0,
            used: 0,
        })
    }

    /// A ring of `count` descriptors with the given indices (a snapshot of a ring kept
    /// elsewhere), `None` unless they are valid.
    #[inline]
    pub(crate) const fn at(count: u32, next_to_use: u32, next_to_clean: u32) -> Option<Self> {
        match Self::new(count) {
            Some(_) if next_to_use < count && next_to_clean < count => Some(Self {
                count,
                next_to_use,
                next_to_clean,
                // Both below `count`: the wrapped difference.
                used: if next_to_use >= next_to_clean {
                    next_to_use - next_to_clean
                } else {
                    next_to_use + count - next_to_clean
                },
            }),
            _ => None,
        }
    }

    /// The nearest valid size to a user request, as the C igb driver computes it: clamped to
    /// [`MIN_DESCS`]`..=`[`MAX_DESCS`], then rounded up to a multiple of [`DESC_MULTIPLE`]
    /// (`MAX_DESCS` is one, so the result stays in range).
    #[inline]
    pub(crate) const fn clamp_count(requested: u32) -> u32 {
        let r = if requested < MIN_DESCS {
            MIN_DESCS
        } else if requested > MAX_DESCS {
            MAX_DESCS
        } else {
            requested
        };
        r.div_ceil(DESC_MULTIPLE) * DESC_MULTIPLE
    }

    /// Number of descriptors.
    #[inline]
    pub(crate) const fn count(&self) -> u32 {
        self.count
    }

    /// Where the next descriptor is produced.
    #[inline]
    pub(crate) const fn next_to_use(&self) -> u32 {
        self.next_to_use
    }

    /// The oldest descriptor not yet consumed.
    #[inline]
    pub(crate) const fn next_to_clean(&self) -> u32 {
        self.next_to_clean
    }

    /// `index + n`, wrapped (any `index` and `n`; both are reduced modulo `count`).
    #[inline]
    pub(crate) const fn wrap_add(&self, index: u32, n: u32) -> u32 {
        // Both terms are below `count <= MAX_DESCS`, so the sum cannot overflow.
        let s = index % self.count + n % self.count;
        if s >= self.count {
            s - self.count
        } else {
            s
        }
    }

    /// The index after `i < count`, wrapped: the hot-path step, without the divisions of
    /// [`Self::wrap_add`].
    #[inline]
    const fn next(&self, i: u32) -> u32 {
        // `i < count <= MAX_DESCS`: no overflow.
        let n = i.wrapping_add(1);
        if n == self.count {
            0
        } else {
            n
        }
    }

    /// Descriptors produced and not yet consumed.
    #[inline]
    pub(crate) const fn in_flight(&self) -> u32 {
        self.used
    }

    /// Descriptors that can still be produced (one slot always stays empty).
    #[inline]
    pub(crate) const fn unused(&self) -> u32 {
        // `used < count` (invariant): no wrap; wrapping arithmetic keeps the overflow checks
        // off this hot path.
        self.count.wrapping_sub(1).wrapping_sub(self.used)
    }

    /// Whether nothing is in flight.
    #[inline]
    pub(crate) const fn is_empty(&self) -> bool {
        self.used == 0
    }

    /// Produces one descriptor: returns its index, `None` if the ring is full.
    #[inline]
    pub(crate) fn produce(&mut self) -> Option<u32> {
        if self.unused() == 0 {
            return None;
        }
        let i = self.next_to_use;
        // INVARIANT: wrapped below `count` (`i < count`, so `i + 1` cannot overflow); one more
        // in flight, still below `count` (`unused() > 0`).
        self.next_to_use = self.next(i);
        self.used = self.used.wrapping_add(1);
        Some(i)
    }

    /// Consumes one descriptor: returns its index, `None` if the ring is empty.
    #[inline]
    pub(crate) fn consume(&mut self) -> Option<u32> {
        if self.is_empty() {
            return None;
        }
        let i = self.next_to_clean;
        // INVARIANT: wrapped below `count` (`i < count`, so `i + 1` cannot overflow); one fewer
        // in flight (`used > 0`: not empty).
        self.next_to_clean = self.next(i);
        self.used = self.used.wrapping_sub(1);
        Some(i)
    }
}

/// Ring length register value (RDLEN/TDLEN) for `count` descriptors of 16 bytes.
pub(crate) const fn len_bytes(count: u32) -> u32 {
    count * 16
}

/// Receive buffers that stay where they are (`rx.rs`, `HalfPages`): `owner[slot]` is the
/// buffer number of descriptor `slot`, a permutation of `0..count`. Hands the buffer of slot
/// `from` (just consumed) to slot `to` (about to be posted) and the spare buffer of `to` to
/// `from`, so the permutation stays one. Out-of-range indices change nothing.
#[inline]
pub(crate) fn pass_buffer(owner: &mut [u16], from: usize, to: usize) {
    let (Some(&b), Some(&spare)) = (owner.get(from), owner.get(to)) else {
        return;
    };
    if let Some(o) = owner.get_mut(to) {
        *o = b;
    }
    if let Some(o) = owner.get_mut(from) {
        *o = spare;
    }
}
