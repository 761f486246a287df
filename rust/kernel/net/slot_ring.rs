// SPDX-License-Identifier: GPL-2.0

//! The bookkeeping of a descriptor ring shared by one producer and one consumer, without a
//! lock between them.
//!
//! A TX ring has exactly two users: `start_xmit`, serialised per queue by the stack's TX
//! queue lock, fills descriptors; the queue's NAPI poll cleans them after the device is done.
//! Sharing one lock between the two makes them spin on each other when they run on different
//! CPUs. Here the producer owns the slots from `next_to_use` up to (not including) the slot
//! before `next_to_clean`, the consumer those from `next_to_clean` up to `next_to_use`; each
//! moves only its own index, and publishes with a release store what it did to its slots
//! before the other end reads that index with an acquire load (the C drivers' pattern, there
//! kept by convention; here by the two handle types).
//!
//! One entry takes one or more consecutive slots (a packet takes one descriptor per piece);
//! its value lives in the first. Every slot holds a `T` for the whole life of the ring, so
//! the producer fills it in place (`&mut T`) instead of moving a value in: slot state the
//! driver keeps per entry (e.g. DMA mappings) is reused, not rebuilt.
//!
//! Ring sizes need not be powers of two (indices wrap by comparison). One slot always stays
//! unused so that `next_to_use == next_to_clean` means empty.
//!
//! Each end remembers how many slots the other's index gave it when it last loaded it (less
//! what it used since), and loads the index again only when that count shows too little (no
//! entry to clean, no room for an entry): the other end only ever gives slots, so an old
//! count errs on the safe side, and the hot paths compare one number and skip the shared
//! cache line most of the time.
//!
//! # Examples
//!
//! ```
//! use kernel::net::slot_ring;
//!
//! let (mut prod, mut cons) = slot_ring::new(4, (), || Ok(0u32))?;
//! assert_eq!(prod.free(), 3);
//! // An entry of two slots, its value in the first.
//! *prod.next_slot() = 7;
//! prod.publish(2)?;
//! assert_eq!(prod.free(), 1);
//! assert!(prod.publish(2).is_err());
//! assert_eq!(cons.in_flight(), 2);
//! assert_eq!(cons.peek().copied(), Some(7));
//! assert!(cons.release(3).is_err());
//! cons.release(2)?;
//! assert!(cons.peek().is_none());
//! assert_eq!(prod.free(), 3);
//! // Indices wrap: the next entry starts at slot 2 and ends in slot 0.
//! assert_eq!(prod.head(), 2);
//! prod.publish(3)?;
//! assert_eq!(cons.indices(), (1, 2));
//! # Ok::<(), Error>(())
//! ```

use crate::{
    alloc::{flags::GFP_KERNEL, KVVec},
    prelude::*,
    sync::Arc,
};
use core::{
    cell::UnsafeCell,
    sync::atomic::{AtomicU32, Ordering},
};

/// Keeps each end's index on its own cache line: the producer writes one, the consumer the
/// other, and both read the other's.
#[repr(align(64))]
struct Padded(AtomicU32);

/// The state both handles share.
///
/// # Invariants
///
/// `count == slots.len()`, at least 2 and at most `u32::MAX / 2` (so index sums cannot
/// overflow); both indices are below `count`. The slots from `tail`
/// up to `head` (wrapping) are accessed only by the [`Consumer`]; all others only by the
/// [`Producer`]. An index is stored only by its end ([`Producer`]: `head`, [`Consumer`]:
/// `tail`), with release ordering, after that end is done with the slots it gives away.
struct Shared<T, S> {
    // Field order is drop order: the slot values (which may hold DMA mappings) go before the
    // shared part (which may be the descriptor memory).
    slots: KVVec<UnsafeCell<T>>,
    shared: S,
    count: u32,
    head: Padded,
    tail: Padded,
}

// SAFETY: A slot is accessed by one end at a time (type invariant), and passes from one end to
// the other through a release store and an acquire load of an index, so `T: Send` suffices to
// share the bookkeeping; `S` is shared by reference from both ends.
unsafe impl<T: Send, S: Send + Sync> Sync for Shared<T, S> {}
// SAFETY: Moving the bookkeeping moves the `T`s and the `S`.
unsafe impl<T: Send, S: Send> Send for Shared<T, S> {}

impl<T, S> Shared<T, S> {
    /// `i + n`, wrapped; `i < count` and `n <= count`.
    #[inline]
    fn wrap_add(&self, i: u32, n: u32) -> u32 {
        // `i + n < 2 * count <= u32::MAX`: the wrapping operations are exact (and spare the
        // overflow checks on every packet).
        let s = i.wrapping_add(n);
        if s >= self.count {
            s.wrapping_sub(self.count)
        } else {
            s
        }
    }

    /// Slots from `tail` up to `head` (both below `count`).
    #[inline]
    fn distance(&self, tail: u32, head: u32) -> u32 {
        // Exact: the result is below `count`.
        let d = head.wrapping_sub(tail);
        if head >= tail {
            d
        } else {
            d.wrapping_add(self.count)
        }
    }

    /// Slots the producer may fill with its head at `head`, the consumer's tail at `tail`.
    #[inline]
    fn room(&self, tail: u32, head: u32) -> u32 {
        // `distance < count`.
        self.count
            .wrapping_sub(1)
            .wrapping_sub(self.distance(tail, head))
    }

    /// The slot at `i`.
    ///
    /// # Safety
    ///
    /// `i` must be below `count`.
    #[inline]
    unsafe fn slot(&self, i: u32) -> *mut T {
        // SAFETY: `i < count == slots.len()` (the caller's promise and the type invariant).
        // CAST: u32 to usize.
        unsafe { self.slots.get_unchecked(i as usize) }.get()
    }
}

/// Creates a ring of `count` slots (at least 2), each initialised by `init`, with `shared`
/// available to both ends. Returns its producer and consumer ends.
pub fn new<T: Send, S: Send + Sync>(
    count: u32,
    shared: S,
    mut init: impl FnMut() -> Result<T>,
) -> Result<(Producer<T, S>, Consumer<T, S>)> {
    if !(2..=u32::MAX / 2).contains(&count) {
        return Err(EINVAL);
    }
    // CAST: u32 to usize.
    let mut slots = KVVec::with_capacity(count as usize, GFP_KERNEL)?;
    for _ in 0..count {
        slots.push(UnsafeCell::new(init()?), GFP_KERNEL)?;
    }
    // INVARIANT: `count` slots, both indices 0.
    let ring = Arc::new(
        Shared {
            slots,
            shared,
            count,
            head: Padded(AtomicU32::new(0)),
            tail: Padded(AtomicU32::new(0)),
        },
        GFP_KERNEL,
    )?;
    Ok((
        Producer {
            ring: ring.clone(),
            head: 0,
            room_seen: count - 1,
        },
        Consumer {
            ring,
            tail: 0,
            ready_seen: 0,
        },
    ))
}

/// The filling end of a ring. There is exactly one per ring; it is not `Clone`.
///
/// # Invariants
///
/// `head` equals `ring.head`, which only this handle stores. `room_seen` is the room left
/// after `head` by a value of `ring.tail` this handle loaded (acquire), less what it
/// published since: at most the room now (the tail only moves forward).
pub struct Producer<T, S> {
    ring: Arc<Shared<T, S>>,
    head: u32,
    room_seen: u32,
}

impl<T, S> Producer<T, S> {
    /// The part both ends share.
    #[inline]
    pub fn shared(&self) -> &S {
        &self.ring.shared
    }

    /// Number of slots.
    #[inline]
    pub fn count(&self) -> u32 {
        self.ring.count
    }

    /// Where the next entry goes (`next_to_use`).
    #[inline]
    pub fn head(&self) -> u32 {
        self.head
    }

    /// `i + n` wrapped around the ring (`i` below [`Self::count`], `n` at most it).
    #[inline]
    pub fn wrap_add(&self, i: u32, n: u32) -> u32 {
        self.ring.wrap_add(i % self.ring.count, n % self.ring.count)
    }

    /// Slots the producer may fill now. The consumer may free more meanwhile, never fewer.
    #[inline]
    pub fn free(&self) -> u32 {
        // Acquire: the consumer is done with the slots before `tail` (pairs with its release).
        let tail = self.ring.tail.0.load(Ordering::Acquire);
        self.ring.room(tail, self.head)
    }

    /// Whether `n` slots can be filled now: [`Self::free`]` >= n`, from the consumer's index
    /// as last seen while that shows enough.
    #[inline]
    pub fn has_room(&mut self, n: u32) -> bool {
        self.room_for(n) >= n
    }

    /// Slots free as far as `room_seen` tells, loading the consumer's index again if that is
    /// fewer than `n`. Mostly one comparison per packet: the index shared with the other
    /// end is read only when the ring looks short.
    #[inline]
    fn room_for(&mut self, n: u32) -> u32 {
        if self.room_seen >= n {
            return self.room_seen;
        }
        // INVARIANT: loaded with acquire (pairs with the consumer's release); the room from
        // it is the room now.
        let tail = self.ring.tail.0.load(Ordering::Acquire);
        self.room_seen = self.ring.room(tail, self.head);
        self.room_seen
    }

    /// The slot at [`Self::head`], to fill before [`Self::publish`].
    #[inline]
    pub fn next_slot(&mut self) -> &mut T {
        // `head` is never in the consumer's range `tail..head` (it is its end).
        // SAFETY: `head < count` (invariants); the slot is the producer's, `&mut self` unique.
        unsafe { &mut *self.ring.slot(self.head) }
    }

    /// [`Self::next_slot`] together with the shared part (e.g. to write the entry's
    /// descriptors while reading its slot).
    #[inline]
    pub fn next_slot_with_shared(&mut self) -> (&mut T, &S) {
        // SAFETY: As in `next_slot`; `shared` is only ever shared.
        let slot = unsafe { &mut *self.ring.slot(self.head) };
        (slot, &self.ring.shared)
    }

    /// Hands the entry at [`Self::head`] (filled through [`Self::next_slot`]) and the `n`
    /// slots it takes to the consumer. Fails with `ENOSPC` unless `1 <= n <= free()`.
    #[inline]
    pub fn publish(&mut self, n: u32) -> Result {
        if n == 0 || n > self.room_for(n) {
            return Err(ENOSPC);
        }
        // INVARIANT: the slots up to the new head were the producer's (`n <= free()`) and
        // pass to the consumer with this release store; they leave `room_seen`
        // (`n <= room_seen`: no wrap).
        self.head = self.ring.wrap_add(self.head, n);
        self.ring.head.0.store(self.head, Ordering::Release);
        self.room_seen = self.room_seen.wrapping_sub(n);
        Ok(())
    }

    /// Where both indices are now (`(next_to_use, next_to_clean)`), e.g. for debugfs.
    pub fn indices(&self) -> (u32, u32) {
        (self.head, self.ring.tail.0.load(Ordering::Relaxed))
    }
}

/// The cleaning end of a ring. There is exactly one per ring; it is not `Clone`.
///
/// # Invariants
///
/// `tail` equals `ring.tail`, which only this handle stores. `ready_seen` is the number of
/// slots from `tail` up to a value of `ring.head` this handle loaded (acquire), less what it
/// released since: at most the slots published now (the head only moves forward).
pub struct Consumer<T, S> {
    ring: Arc<Shared<T, S>>,
    tail: u32,
    ready_seen: u32,
}

impl<T, S> Consumer<T, S> {
    /// The part both ends share.
    #[inline]
    pub fn shared(&self) -> &S {
        &self.ring.shared
    }

    /// The oldest entry's first slot (`next_to_clean`).
    #[inline]
    pub fn tail(&self) -> u32 {
        self.tail
    }

    /// `i + n` wrapped around the ring (`i` below the ring size, `n` at most it).
    #[inline]
    pub fn wrap_add(&self, i: u32, n: u32) -> u32 {
        self.ring.wrap_add(i % self.ring.count, n % self.ring.count)
    }

    /// Slots published and not yet released.
    #[inline]
    pub fn in_flight(&self) -> u32 {
        // Acquire: the producer filled the slots before `head` (pairs with its release).
        let head = self.ring.head.0.load(Ordering::Acquire);
        self.ring.distance(self.tail, head)
    }

    /// Slots published as far as `ready_seen` tells, loading the producer's index again if
    /// that is fewer than `n`.
    #[inline]
    fn ready_for(&mut self, n: u32) -> u32 {
        if self.ready_seen >= n {
            return self.ready_seen;
        }
        // INVARIANT: loaded with acquire (pairs with the producer's release); the distance
        // to it is the number published now.
        let head = self.ring.head.0.load(Ordering::Acquire);
        self.ready_seen = self.ring.distance(self.tail, head);
        self.ready_seen
    }

    /// The oldest published entry, if any.
    #[inline]
    pub fn peek(&mut self) -> Option<&mut T> {
        if self.ready_for(1) == 0 {
            return None;
        }
        // `tail` is in the consumer's range `tail..head`, which is not empty.
        // SAFETY: `tail < count` (invariants); the slot is the consumer's, `&mut self` unique.
        Some(unsafe { &mut *self.ring.slot(self.tail) })
    }

    /// [`Self::peek`] together with the shared part.
    #[inline]
    pub fn peek_with_shared(&mut self) -> Option<(&mut T, &S)> {
        if self.ready_for(1) == 0 {
            return None;
        }
        // SAFETY: As in `peek`; `shared` is only ever shared.
        let slot = unsafe { &mut *self.ring.slot(self.tail) };
        Some((slot, &self.ring.shared))
    }

    /// Number of slots.
    #[inline]
    pub fn count(&self) -> u32 {
        self.ring.count
    }

    /// Slots the producer may fill now (it may fill some meanwhile, so this is an upper
    /// bound until the producer stops, e.g. with its queue stopped).
    #[inline]
    pub fn free(&self) -> u32 {
        // `in_flight() < count`.
        self.ring
            .count
            .wrapping_sub(1)
            .wrapping_sub(self.in_flight())
    }

    /// Gives the oldest entry's `n` slots back to the producer (after taking from the entry
    /// what the consumer needs, through [`Self::peek`]). Fails with `EINVAL` unless
    /// `1 <= n <= in_flight()`.
    #[inline]
    pub fn release(&mut self, n: u32) -> Result {
        if n == 0 || n > self.ready_for(n) {
            return Err(EINVAL);
        }
        // INVARIANT: the consumer owned these slots and gives them away with this release
        // store; they leave `ready_seen` (`n <= ready_seen`: no wrap).
        self.tail = self.ring.wrap_add(self.tail, n);
        self.ring.tail.0.store(self.tail, Ordering::Release);
        self.ready_seen = self.ready_seen.wrapping_sub(n);
        Ok(())
    }

    /// Where both indices are now (`(next_to_use, next_to_clean)`), e.g. for debugfs.
    pub fn indices(&self) -> (u32, u32) {
        (self.ring.head.0.load(Ordering::Relaxed), self.tail)
    }
}
