// SPDX-License-Identifier: GPL-2.0

//! Interrupt moderation: fixed intervals and the adaptive modes of `ethtool -C rx-usecs 1|3`.
//!
//! The setting is what the user gave `ethtool -C rx-usecs`, as in the C igb driver: 0 (no
//! moderation), 1 (adaptive), 3 (adaptive, conservative: the default) or a fixed interval of
//! 10..=8191 µs. In the adaptive modes each queue vector picks its own interval from the
//! traffic it handled since its interrupt was last re-enabled: the average size of the frames
//! it received and sent. Bulk traffic (full-size frames) gets long intervals (about 4000
//! interrupts per second: more frames per poll, fewer interrupts), small frames short ones
//! (low latency). The conservative mode never goes below 50 µs (20000 interrupts per second).
//! The new interval is written to EITR before the vector is unmasked, only when it changed,
//! with CNT_INGR set so that the write does not end the moderation window that is running.
//!
//! Intervals are kept in EITR units: quarter microseconds, the interval field (bits 14:2, in
//! µs) together with the two bits below it. `core`-only: also built into the host tests.

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// `rx-usecs` value selecting the adaptive mode.
pub(crate) const DYNAMIC: u32 = 1;
/// `rx-usecs` value selecting the conservative adaptive mode (the default).
pub(crate) const DYNAMIC_CONSERVATIVE: u32 = 3;
/// The default setting.
pub(crate) const DEFAULT_SETTING: u32 = DYNAMIC_CONSERVATIVE;
/// Shortest fixed interval accepted, in µs (1..=3 select the adaptive modes).
pub(crate) const MIN_FIXED_US: u32 = 10;
/// Longest fixed interval, in µs (13-bit field).
pub(crate) const MAX_FIXED_US: u32 = 8191;

/// Interval a vector starts with in the adaptive modes (~6000 interrupts/s), quarter-µs.
pub(crate) const START_ITR: u32 = 648;
/// ~20000 interrupts/s (the conservative floor), quarter-µs.
pub(crate) const ITR_20K: u32 = 196;

/// Bits of EITR that hold the interval (bits 14:2).
const EITR_INTERVAL_MASK: u32 = 0x7FFC;
/// EITR.CNT_INGR (bit 31): the write leaves the running interval counter (ITR_CNT) alone.
/// Without it a write also loads the counter, with 0 from these values, which ends the
/// current moderation window: the next interrupt fires at once. The adaptive mode rewrites
/// EITR on most polls under bulk traffic (the interval moves by one step with the average
/// frame size), so that would undo the moderation it computes.
const EITR_CNT_IGNR: u32 = 1 << 31;

/// Whether `setting` (`rx-usecs`) selects an adaptive mode.
pub(crate) const fn is_dynamic(setting: u32) -> bool {
    setting == DYNAMIC || setting == DYNAMIC_CONSERVATIVE
}

/// Whether `setting` is a value `ethtool -C rx-usecs` accepts.
pub(crate) const fn is_valid(setting: u32) -> bool {
    setting == 0 || is_dynamic(setting) || (setting >= MIN_FIXED_US && setting <= MAX_FIXED_US)
}

/// The interval (quarter-µs) a vector uses right after `setting` was chosen.
pub(crate) const fn initial_itr(setting: u32) -> u32 {
    if is_dynamic(setting) {
        START_ITR
    } else {
        // At most 8191 * 4: no overflow.
        setting * 4
    }
}

/// The EITR register value for an interval in quarter-µs (the interval field; the low two
/// bits are dropped), with CNT_INGR set so that writing it does not restart the interval
/// counter. An interval of 0 means no moderation.
pub(crate) const fn eitr_value(itr: u32) -> u32 {
    (itr & EITR_INTERVAL_MASK) | EITR_CNT_IGNR
}

/// The next interval (quarter-µs) of a vector in adaptive mode `setting`, from what it handled
/// since its last re-enable; `None` if it handled nothing (keep the current interval).
///
/// The average frame size on the wire (the larger of the RX and TX averages, plus 24 bytes of
/// preamble, FCS and gap, at most 3000) maps linearly to the interval: half of it, a third for
/// mid-size frames (300..1200 bytes). Full-size frames give ~190 µs, 64-byte frames ~11 µs
/// (raised to 50 µs by the conservative mode).
pub(crate) fn next_itr(setting: u32, rx: (u64, u64), tx: (u64, u64)) -> Option<u32> {
    let avg = |(bytes, packets): (u64, u64)| bytes.checked_div(packets).unwrap_or(0);
    let avg = avg(rx).max(avg(tx));
    if avg == 0 {
        return None;
    }
    // CAST: at most 3000.
    let wire = (avg.saturating_add(24)).min(3000) as u32;
    let mut itr = if wire > 300 && wire < 1200 {
        wire / 3
    } else {
        wire / 2
    };
    if setting == DYNAMIC_CONSERVATIVE && itr < ITR_20K {
        itr = ITR_20K;
    }
    Some(itr)
}

/// The adaptive moderation state of one queue vector: the current interval and the traffic
/// since the vector was last re-enabled. Written by the vector's NAPI poll (one at a time) and
/// by `ethtool -C` (RTNL); read by debugfs and `ethtool -c`.
#[derive(Debug)]
pub(crate) struct VectorItr {
    /// The interval EITR holds, quarter-µs.
    pub(crate) itr: AtomicU32,
    rx_bytes: AtomicU64,
    rx_packets: AtomicU64,
    tx_bytes: AtomicU64,
    tx_packets: AtomicU64,
}

impl Default for VectorItr {
    fn default() -> Self {
        Self {
            itr: AtomicU32::new(initial_itr(DEFAULT_SETTING)),
            rx_bytes: AtomicU64::new(0),
            rx_packets: AtomicU64::new(0),
            tx_bytes: AtomicU64::new(0),
            tx_packets: AtomicU64::new(0),
        }
    }
}

impl VectorItr {
    /// Adds what one poll received and sent (NAPI context, the single writer).
    pub(crate) fn account(&self, rx_bytes: u64, rx_packets: u64, tx_bytes: u64, tx_packets: u64) {
        let add = |c: &AtomicU64, n: u64| {
            if n != 0 {
                c.store(c.load(Ordering::Relaxed).wrapping_add(n), Ordering::Relaxed);
            }
        };
        add(&self.rx_bytes, rx_bytes);
        add(&self.rx_packets, rx_packets);
        add(&self.tx_bytes, tx_bytes);
        add(&self.tx_packets, tx_packets);
    }

    /// At the end of a poll that re-enables the vector: picks the next interval for adaptive
    /// mode `setting`, clears the traffic counts and returns the EITR value to write if the
    /// interval changed.
    pub(crate) fn update(&self, setting: u32) -> Option<u32> {
        if !is_dynamic(setting) {
            return None;
        }
        let take = |c: &AtomicU64| c.swap(0, Ordering::Relaxed);
        let rx = (take(&self.rx_bytes), take(&self.rx_packets));
        let tx = (take(&self.tx_bytes), take(&self.tx_packets));
        let new = next_itr(setting, rx, tx)?;
        if self.itr.swap(new, Ordering::Relaxed) == new {
            return None;
        }
        Some(eitr_value(new))
    }

    /// Restarts from the initial interval of `setting` (ethtool, open); returns the EITR value.
    pub(crate) fn reset(&self, setting: u32) -> u32 {
        let itr = initial_itr(setting);
        self.itr.store(itr, Ordering::Relaxed);
        for c in [
            &self.rx_bytes,
            &self.rx_packets,
            &self.tx_bytes,
            &self.tx_packets,
        ] {
            c.store(0, Ordering::Relaxed);
        }
        eitr_value(itr)
    }
}
