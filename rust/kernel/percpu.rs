// SPDX-License-Identifier: GPL-2.0

//! Per-CPU counters (C `alloc_percpu`, `this_cpu_add`, `per_cpu_ptr`).
//!
//! A counter that every CPU bumps in a hot path (a lockless `start_xmit`, say) should not be
//! one shared atomic: each locked add pulls the cache line away from the other CPUs. These
//! counters are one `u64` per CPU; [`PerCpuCounters::add`] adds to the current CPU's copy
//! with a single per-CPU instruction (no lock prefix; inline on x86-64, as in C), and a reader
//! adds up all copies. This is what the C drivers get from `dev->lstats`/`dev->tstats`.
//!
//! Reads are not synchronised with writes: a sum may miss adds in progress on other CPUs,
//! never see a torn value (the kernel's Rust support is 64-bit only, where a `u64` is read
//! and written whole).
//!
//! # Examples
//!
//! ```
//! use kernel::percpu::PerCpuCounters;
//!
//! let c = PerCpuCounters::<2>::new()?;
//! c.add(0, 5);
//! c.inc(0);
//! c.inc(1);
//! c.add(7, 1); // Out of range: ignored.
//! assert_eq!(c.sums(), [6, 1]);
//! assert_eq!(c.sum(0), 6);
//! # Ok::<(), Error>(())
//! ```

use crate::{bindings, prelude::*};
use core::ptr::NonNull;

/// `N` counters, one copy of each per possible CPU.
///
/// # Invariants
///
/// `ptr` is a per-CPU allocation of `N` zero-initialised `u64`s (`alloc_percpu`), owned by
/// this object and freed on drop.
pub struct PerCpuCounters<const N: usize> {
    ptr: NonNull<u64>,
}

// SAFETY: The per-CPU allocation is not tied to a thread; `this_cpu_add` and the summing
// reads are valid from any context, on any CPU, concurrently.
unsafe impl<const N: usize> Send for PerCpuCounters<N> {}
// SAFETY: All methods take `&self` and are safe to call concurrently (see above).
unsafe impl<const N: usize> Sync for PerCpuCounters<N> {}

impl<const N: usize> PerCpuCounters<N> {
    /// Allocates the counters, all 0 (process context: the allocation may sleep).
    pub fn new() -> Result<Self> {
        // SAFETY: No preconditions; returns NULL on failure. Per-CPU memory is zeroed.
        let p = unsafe { bindings::alloc_percpu_u64s(N.max(1)) };
        // INVARIANT: a fresh per-CPU allocation of at least `N` u64s.
        NonNull::new(p).map(|ptr| Self { ptr }).ok_or(ENOMEM)
    }

    /// Adds `v` to counter `i` on the current CPU; ignored if `i >= N`. Any context.
    #[inline]
    pub fn add(&self, i: usize, v: u64) {
        if i >= N {
            return;
        }
        // `wrapping_add`: a per-CPU pointer is an offset, not an address of this CPU's copy.
        let p = self.ptr.as_ptr().wrapping_add(i);
        // SAFETY: `i < N`, so `p` is the per-CPU pointer of counter `i` (type invariant).
        unsafe { this_cpu_add_u64(p, v) }
    }

    /// Adds one to counter `i` on the current CPU; ignored if `i >= N`.
    #[inline]
    pub fn inc(&self, i: usize) {
        self.add(i, 1);
    }

    /// Counter `i` summed over all CPUs (0 if `i >= N`).
    pub fn sum(&self, i: usize) -> u64 {
        if i >= N {
            return 0;
        }
        // SAFETY: As in `add`; reading every CPU's copy is fine from any context.
        unsafe { bindings::per_cpu_u64_sum(self.ptr.as_ptr().wrapping_add(i)) }
    }

    /// Every counter summed over all CPUs.
    pub fn sums(&self) -> [u64; N] {
        core::array::from_fn(|i| self.sum(i))
    }
}

/// Adds `v` to the current CPU's copy of the per-CPU `u64` at `p` (C `this_cpu_add`).
///
/// On x86-64 SMP kernels this is C's own instruction, inline: one `add` to `%gs:p` (the `gs`
/// base is the current CPU's per-CPU offset), atomic with respect to preemption and interrupts
/// on this CPU, with no lock prefix. Elsewhere it calls the C helper (an out-of-line call on
/// the hot path of every frame is what the inline form avoids).
///
/// # Safety
///
/// `p` must be a per-CPU pointer to a `u64` (from `alloc_percpu`) that is still allocated.
#[cfg(all(CONFIG_X86_64, CONFIG_SMP))]
#[inline(always)]
unsafe fn this_cpu_add_u64(p: *mut u64, v: u64) {
    // By the function's safety requirement `%gs:p` is this CPU's copy of the counter, a `u64`
    // nobody else writes (other CPUs write their own copies; readers only load). The `add`
    // neither touches the stack nor memory other than that counter, and clobbers only the
    // flags, which `asm!` assumes clobbered unless `preserves_flags` is given.
    // SAFETY: See above: the asm writes only this CPU's copy of a live per-CPU counter.
    unsafe {
        core::arch::asm!(
            "add qword ptr gs:[{p}], {v}",
            p = in(reg) p,
            v = in(reg) v,
            options(nostack)
        )
    }
}

/// Adds `v` to the current CPU's copy of the per-CPU `u64` at `p` (C `this_cpu_add`).
///
/// # Safety
///
/// `p` must be a per-CPU pointer to a `u64` (from `alloc_percpu`) that is still allocated.
#[cfg(not(all(CONFIG_X86_64, CONFIG_SMP)))]
#[inline(always)]
unsafe fn this_cpu_add_u64(p: *mut u64, v: u64) {
    // SAFETY: By the function's safety requirement; `this_cpu_add` is safe against preemption
    // and interrupts.
    unsafe { bindings::this_cpu_add_u64(p, v) }
}

impl<const N: usize> Drop for PerCpuCounters<N> {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from `alloc_percpu` and is freed once (type invariant).
        unsafe { bindings::free_percpu(self.ptr.as_ptr().cast()) }
    }
}
