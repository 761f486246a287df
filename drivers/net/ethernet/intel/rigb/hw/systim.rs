// SPDX-License-Identifier: GPL-2.0

//! The 82576's system time (SYSTIM, 7.9 of the datasheet) as a clock in nanoseconds.
//!
//! SYSTIM is a 64-bit counter that TIMINCA advances by INCVALUE every INCPERIOD ticks of 16 ns.
//! As in C igb, the driver sets one increment per 16 ns of `16 << 19`: SYSTIM counts units of
//! 2^-19 ns, and a frequency adjustment changes INCVALUE by parts per billion. The counter wraps
//! after 2^45 ns (9.8 hours); the driver keeps a [`TimeCounter`] (C `struct timecounter` with
//! igb's 82576 cycle counter: 64-bit mask, multiplier 1, shift 19) that turns readings into
//! nanoseconds of the clock's time scale and absorbs steps (`adjtime`, `settime`) in software.

use super::{rd, wr, HwResult, Regs};
use crate::regs::{SYSTIMH, SYSTIML, TIMINCA};

/// SYSTIM units per nanosecond, as a shift: 2^19.
pub(crate) const SHIFT: u32 = 19;
/// INCVALUE at nominal frequency: `16 << 19` per 16 ns period.
pub(crate) const INCVALUE: u32 = 16 << SHIFT;

/// TIMINCA for increment `incvalue` (clamped to its 24-bit field) every 16 ns.
pub(crate) const fn timinca(incvalue: u64) -> u32 {
    let max = TIMINCA::INCVALUE.max() as u64;
    let v = if incvalue > max { max } else { incvalue };
    // CAST: at most 24 bits.
    TIMINCA::INCPERIOD.val(1) | TIMINCA::INCVALUE.val(v as u32)
}

/// Starts SYSTIM counting at the nominal rate.
pub(crate) fn start(regs: &impl Regs) -> HwResult {
    wr(regs, TIMINCA::OFFSET, timinca(INCVALUE as u64))
}

/// Sets the counting rate to `incvalue` per 16 ns (frequency adjustment).
pub(crate) fn set_increment(regs: &impl Regs, incvalue: u64) -> HwResult {
    wr(regs, TIMINCA::OFFSET, timinca(incvalue))
}

/// Reads SYSTIM: the low half first, which latches the high half (7.9.1).
pub(crate) fn read(regs: &impl Regs) -> HwResult<u64> {
    let lo = rd(regs, SYSTIML::OFFSET)?;
    let hi = rd(regs, SYSTIMH::OFFSET)?;
    Ok((u64::from(hi) << 32) | u64::from(lo))
}

/// SYSTIM readings turned into nanoseconds of the clock's time scale.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TimeCounter {
    /// The SYSTIM value of the last reading.
    cycle_last: u64,
    /// Nanoseconds at that reading.
    nsec: u64,
    /// Sub-nanosecond remainder (units of 2^-19 ns) carried to the next reading.
    frac: u64,
}

impl TimeCounter {
    /// A counter that reads `ns` at SYSTIM value `cycles`.
    pub(crate) const fn new(cycles: u64, ns: u64) -> Self {
        Self {
            cycle_last: cycles,
            nsec: ns,
            frac: 0,
        }
    }

    /// Nanoseconds at SYSTIM value `cycles` (a fresh reading), accumulating the time since the
    /// last reading; one reading per wrap period (9.8 hours) keeps it exact.
    pub(crate) fn read(&mut self, cycles: u64) -> u64 {
        let delta = cycles.wrapping_sub(self.cycle_last);
        // CAST: lossless widenings; the sum needs 65 bits at most.
        let t = delta as u128 + self.frac as u128;
        // CAST: `t >> 19` fits 64 bits, the remainder 19.
        self.nsec = self.nsec.wrapping_add((t >> SHIFT) as u64);
        self.frac = (t & ((1 << SHIFT) - 1)) as u64;
        self.cycle_last = cycles;
        self.nsec
    }

    /// Steps the time scale by `delta_ns`.
    pub(crate) fn adjust(&mut self, delta_ns: i64) {
        self.nsec = self.nsec.wrapping_add_signed(delta_ns);
    }
}
