// SPDX-License-Identifier: GPL-2.0

//! Statistics: per-queue software counters and hardware counters folded into 64 bits.
//!
//! Per-queue counters have a single writer (the queue's NAPI poll, or the xmit path under the
//! TX queue lock) and any number of readers (`get_stats64`, ethtool), so they are relaxed
//! atomics: a reader may see a slightly old value, never a torn one.
//!
//! The hardware statistics registers are clear-on-read 32-bit counters (octets: 64 bits split in
//! low/high registers). Each read returns what accumulated since the previous read, so the
//! driver adds every read to a 64-bit total and never loses a wrap, as long as it reads more
//! often than a counter can wrap (seconds at line rate for octets; the driver reads on every
//! `get_stats64` and from a periodic refresh). `core`-only: also built into the host tests.

use core::sync::atomic::{AtomicU64, Ordering};

/// A counter with one writer and many readers.
#[derive(Default, Debug)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    /// Adds `n`. Only the single writer may call this.
    pub(crate) fn add(&self, n: u64) {
        // Single writer: a load and a store suffice, no locked read-modify-write needed.
        let v = self.0.load(Ordering::Relaxed);
        self.0.store(v.wrapping_add(n), Ordering::Relaxed);
    }

    /// Adds one.
    pub(crate) fn inc(&self) {
        self.add(1);
    }

    /// The current value.
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Replaces the value (a gauge such as descriptors in flight). A plain store: two
    /// contexts may set the same gauge (the last store wins), unlike [`Counter::add`].
    pub(crate) fn set(&self, v: u64) {
        self.0.store(v, Ordering::Relaxed);
    }
}

/// Buckets of the packets-per-poll histogram: 0, 1-7, 8-31, 32 up to the budget, and the
/// whole budget (the poll stays scheduled).
pub(crate) const POLL_BUCKETS: usize = 5;

/// The histogram bucket of a poll that received `work` frames with `budget`.
pub(crate) fn poll_bucket(work: usize, budget: usize) -> usize {
    match work {
        0 => 0,
        w if w >= budget => 4,
        1..=7 => 1,
        8..=31 => 2,
        _ => 3,
    }
}

/// Counters of one RX queue.
#[derive(Default, Debug)]
pub(crate) struct RxQueueStats {
    /// Good frames received: handed to the stack, or to the XDP program (as C igb counts).
    pub(crate) packets: Counter,
    /// Bytes of those frames.
    pub(crate) bytes: Counter,
    /// Frames dropped because the descriptor had an error bit.
    pub(crate) errors: Counter,
    /// Frames dropped because the length was 0 or larger than the buffer.
    pub(crate) length_errors: Counter,
    /// Frames dropped because they spanned descriptors.
    pub(crate) fragments: Counter,
    /// Frames dropped because no skb could be allocated.
    pub(crate) alloc_failed: Counter,
    /// Buffers that could not be mapped/allocated while refilling.
    pub(crate) refill_failed: Counter,
    /// Frames the hardware verified the checksum of.
    pub(crate) csum_ok: Counter,
    /// Frames the XDP program passed to the stack (`XDP_PASS`).
    pub(crate) xdp_pass: Counter,
    /// Frames the XDP program dropped (`XDP_DROP`).
    pub(crate) xdp_drop: Counter,
    /// Frames the XDP program sent back out of the port (`XDP_TX`).
    pub(crate) xdp_tx: Counter,
    /// Frames the XDP program redirected (`XDP_REDIRECT`).
    pub(crate) xdp_redirect: Counter,
    /// Frames the XDP program aborted on, or whose verdict failed (traced as
    /// `xdp:xdp_exception`).
    pub(crate) xdp_aborted: Counter,
    /// NAPI polls of this queue's vector, by frames received ([`poll_bucket`]).
    pub(crate) poll_hist: [Counter; POLL_BUCKETS],
    /// Most frames one poll received.
    pub(crate) poll_max: Counter,
    /// Descriptors owned by the device (buffers posted and not yet received), a gauge.
    pub(crate) in_flight: Counter,
}

impl RxQueueStats {
    /// Records a poll that received `work` frames (NAPI context, the single writer).
    pub(crate) fn record_poll(&self, work: usize, budget: usize) {
        if let Some(c) = self.poll_hist.get(poll_bucket(work, budget)) {
            c.inc();
        }
        // CAST: usize to u64 is lossless on the 64-bit targets the driver builds for.
        let w = work as u64;
        if w > self.poll_max.get() {
            self.poll_max.set(w);
        }
    }
}

/// Counters of one TX queue.
#[derive(Default, Debug)]
pub(crate) struct TxQueueStats {
    /// Frames completed by the device.
    pub(crate) packets: Counter,
    /// Bytes completed by the device.
    pub(crate) bytes: Counter,
    /// Frames dropped at xmit (mapping failure, bad length).
    pub(crate) dropped: Counter,
    /// Times the queue was stopped because the ring was full.
    pub(crate) stopped: Counter,
    /// Times the queue was woken after completions.
    pub(crate) restarted: Counter,
    /// Frames sent with the TCP/UDP checksum inserted by the device.
    pub(crate) csum_offload: Counter,
    /// TCP packets the device segmented (TSO).
    pub(crate) tso: Counter,
    /// NAPI rounds that cleaned at least one completed packet.
    pub(crate) clean_runs: Counter,
    /// Descriptors given to the device and not yet cleaned, a gauge.
    pub(crate) in_flight: Counter,
    /// XDP frames queued (`XDP_TX` of the port's receive queues, `ndo_xdp_xmit`).
    pub(crate) xdp_xmit: Counter,
    /// XDP frames dropped at xmit (ring full, mapping failure).
    pub(crate) xdp_xmit_errors: Counter,
}

/// Counters of one interrupt vector.
#[derive(Default, Debug)]
pub(crate) struct VectorStats {
    /// Hard interrupts taken.
    pub(crate) irqs: Counter,
    /// NAPI polls run.
    pub(crate) polls: Counter,
    /// Polls that used the whole budget (and stayed scheduled).
    pub(crate) budget_exhausted: Counter,
}

/// Accumulates a clear-on-read 32-bit hardware counter into 64 bits.
pub(crate) fn fold32(total: &mut u64, read: u32) {
    *total = total.wrapping_add(u64::from(read));
}

/// Accumulates a clear-on-read 64-bit counter read as low and high halves (read low first:
/// reading high clears both).
pub(crate) fn fold64(total: &mut u64, low: u32, high: u32) {
    *total = total.wrapping_add((u64::from(high) << 32) | u64::from(low));
}

/// Hardware counters, accumulated.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HwStats {
    /// Good packets received (GPRC).
    pub(crate) gprc: u64,
    /// Good packets transmitted (GPTC).
    pub(crate) gptc: u64,
    /// Good octets received (GORC).
    pub(crate) gorc: u64,
    /// Good octets transmitted (GOTC).
    pub(crate) gotc: u64,
    /// Multicast packets received (MPRC).
    pub(crate) mprc: u64,
    /// Broadcast packets received (BPRC).
    pub(crate) bprc: u64,
    /// Missed packets: no room in the packet buffer (MPC).
    pub(crate) mpc: u64,
    /// Receive no buffers: no descriptor available (RNBC).
    pub(crate) rnbc: u64,
    /// CRC errors (CRCERRS).
    pub(crate) crcerrs: u64,
    /// Alignment errors (ALGNERRC).
    pub(crate) algnerrc: u64,
    /// Receive errors (RXERRC).
    pub(crate) rxerrc: u64,
    /// Length errors (RLEC).
    pub(crate) rlec: u64,
    /// Undersize (RUC) plus oversize (ROC) frames.
    pub(crate) ruc_roc: u64,
}

/// The totals `get_stats64` reports, from software and hardware counters.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Received packets.
    pub(crate) rx_packets: u64,
    /// Received bytes.
    pub(crate) rx_bytes: u64,
    /// Transmitted packets.
    pub(crate) tx_packets: u64,
    /// Transmitted bytes.
    pub(crate) tx_bytes: u64,
    /// Receive errors of all kinds.
    pub(crate) rx_errors: u64,
    /// Receive drops in the driver.
    pub(crate) rx_dropped: u64,
    /// Transmit drops in the driver.
    pub(crate) tx_dropped: u64,
    /// Frames missed by the device (no buffer).
    pub(crate) rx_missed: u64,
    /// CRC errors.
    pub(crate) rx_crc_errors: u64,
    /// Length errors.
    pub(crate) rx_length_errors: u64,
    /// Multicast frames received.
    pub(crate) multicast: u64,
}

/// Folds per-queue and hardware counters into the totals.
pub(crate) fn totals<'a>(
    rx: impl Iterator<Item = &'a RxQueueStats>,
    tx: impl Iterator<Item = &'a TxQueueStats>,
    hw: &HwStats,
) -> Totals {
    let mut t = Totals::default();
    for q in rx {
        t.rx_packets += q.packets.get();
        t.rx_bytes += q.bytes.get();
        t.rx_errors += q.errors.get() + q.length_errors.get() + q.fragments.get();
        t.rx_length_errors += q.length_errors.get();
        t.rx_dropped += q.alloc_failed.get();
    }
    for q in tx {
        t.tx_packets += q.packets.get();
        t.tx_bytes += q.bytes.get();
        t.tx_dropped += q.dropped.get();
    }
    t.rx_missed = hw.mpc + hw.rnbc;
    t.rx_crc_errors = hw.crcerrs;
    t.rx_length_errors += hw.rlec + hw.ruc_roc;
    t.rx_errors += hw.crcerrs + hw.algnerrc + hw.rxerrc + hw.rlec + hw.ruc_roc;
    t.multicast = hw.mprc;
    t
}
