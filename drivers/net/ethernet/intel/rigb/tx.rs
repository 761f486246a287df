// SPDX-License-Identifier: GPL-2.0

//! The transmit ring.
//!
//! `start_xmit` maps the skb's linear part and page fragments ([`TxMapping`] owns the skb
//! while the device may read it). For a packet whose checksum the stack left to the device, or
//! a TCP packet to segment (TSO, see [`crate::tso`]), it writes an advanced context descriptor
//! (header lengths, L4 type, MSS); then one advanced data descriptor per mapped piece, the last
//! one with EOP and RS; then it moves the tail. NAPI cleans a packet once the device wrote DD
//! back into its last descriptor: it unmaps, frees the skb, reports it to BQL and wakes the
//! queue.

use crate::{
    adapter::Hw,
    desc::{AdvTxCtxDesc, AdvTxDesc, RawDesc, TxOffload},
    regs::{TDBAH, TDBAL, TDH, TDLEN, TDT, TXDCTL},
    ring::{len_bytes, RingIndex},
    stats::TxQueueStats,
    tso,
};
use kernel::{
    alloc::KVec,
    device,
    dma::{self, CoherentAllocation},
    net::{
        dev::{xmit_more, NetdevTx, TxQueue},
        napi::PollContext,
        skb::{gso, SkBuff, TxMapping, MAX_TX_SEGS},
    },
    prelude::*,
};

/// Most descriptors one packet takes: a context descriptor and one per mapped piece.
// CAST: MAX_TX_SEGS is MAX_SKB_FRAGS + 1, far below u32::MAX.
const DESCS_PER_PKT: u32 = MAX_TX_SEGS as u32 + 1;
/// Stop the queue when fewer descriptors than this are free, so that the next packet
/// always fits (the C driver's `DESC_NEEDED`).
const STOP_THRESHOLD: u32 = DESCS_PER_PKT + 2;
/// Wake a stopped queue once this many descriptors are free (or half the ring).
const WAKE_THRESHOLD: u32 = 2 * STOP_THRESHOLD;

/// Makes the headers of a GSO (TCP) packet writable and prepares them for the device; `None`
/// if the device cannot segment it.
fn prepare_tso(skb: &mut SkBuff) -> Option<tso::TsoPlan> {
    if skb.gso_type() & (gso::TCPV4 | gso::TCPV6) == 0 || !skb.is_csum_partial() {
        return None;
    }
    skb.cow_head().ok()?;
    let net = usize::try_from(skb.network_offset()).ok()?;
    let l4 = usize::try_from(skb.transport_offset()).ok()?;
    let (len, mss) = (skb.len(), skb.gso_size());
    tso::prepare(skb.data_mut(), net, l4, len, mss)
}

/// A TX tail (TDT) write, done after the ring lock is released.
///
/// On the emulated device a TDT write sends the queued frames before it returns, which takes
/// long; holding the ring lock meanwhile would make the NAPI poll of the queue spin on it.
/// `start_xmit` calls for a queue are serialised by the stack's TX queue lock, so the tail
/// writes stay in order; the ring cannot go away meanwhile (`stop` disables the queue under
/// that lock first).
#[must_use]
pub(crate) struct Doorbell {
    queue: usize,
    tail: u32,
}

impl Doorbell {
    /// Hands the descriptors up to the tail to the device.
    pub(crate) fn ring(self, hw: &Hw) {
        // Make the descriptors visible to the device before it sees the new tail.
        dma::wmb();
        hw.wr_q(TDT::offset(self.queue), self.tail);
    }
}

/// One packet in flight, stored at the slot of its first descriptor.
struct TxBuf {
    map: TxMapping,
    /// Bytes reported to BQL.
    len: u32,
    /// Frames on the wire: the segments of a TSO packet, else 1. The
    /// counters count frames, as the receiving end does.
    segs: u32,
    /// Descriptors the packet takes (context descriptor included); at least 1.
    ndesc: u32,
}

/// A TX descriptor ring and the skbs it holds.
pub(crate) struct TxRing {
    // Field order is drop order: the buffers (unmapped on drop) go before the descriptors.
    bufs: KVec<Option<TxBuf>>,
    desc: CoherentAllocation<RawDesc>,
    idx: RingIndex,
    queue: usize,
}

impl TxRing {
    /// Allocates a ring of `count` descriptors for queue `queue`.
    pub(crate) fn new(dev: &device::Device, count: u32, queue: usize) -> Result<Self> {
        let idx = RingIndex::new(count).ok_or(EINVAL)?;
        // CAST: at most MAX_DESCS.
        let n = count as usize;
        let desc = CoherentAllocation::alloc_coherent(dev, n, GFP_KERNEL)?;
        let mut bufs = KVec::with_capacity(n, GFP_KERNEL)?;
        for _ in 0..n {
            bufs.push(None, GFP_KERNEL)?;
        }
        Ok(Self {
            bufs,
            desc,
            idx,
            queue,
        })
    }

    /// Programs the queue registers (datasheet 4.5.10) and enables the queue.
    pub(crate) fn configure(&mut self, hw: &Hw) {
        let q = self.queue;
        hw.wr_q(TXDCTL::offset(q), 0);
        let base = self.desc.dma_handle();
        // CAST: low and high halves of the 64-bit ring address.
        hw.wr_q(TDBAL::offset(q), base as u32);
        hw.wr_q(TDBAH::offset(q), (base >> 32) as u32);
        hw.wr_q(TDLEN::offset(q), len_bytes(self.idx.count()));
        hw.wr_q(TDH::offset(q), 0);
        hw.wr_q(TDT::offset(q), 0);
        self.idx.reset();
        hw.wr_q(TXDCTL::offset(q), TXDCTL::ENABLE.mask() | TXDCTL::WTHRESH.val(1));
    }

    /// Disables the queue in the device (stop path).
    pub(crate) fn disable(&self, hw: &Hw) {
        hw.wr_q(TXDCTL::offset(self.queue), 0);
    }

    /// The tail write that hands every produced descriptor to the device.
    fn doorbell(&self) -> Doorbell {
        Doorbell {
            queue: self.queue,
            tail: self.idx.next_to_use(),
        }
    }

    /// Drops a packet at xmit; the tail still moves past what earlier packets deferred
    /// (`xmit_more`).
    fn drop_pkt(&self, stats: &TxQueueStats) -> (NetdevTx, Option<Doorbell>) {
        stats.dropped.inc();
        (NetdevTx::Ok, Some(self.doorbell()))
    }

    /// Writes descriptor `d` at `first + n`.
    fn put(&self, first: u32, n: u32, d: &RawDesc) -> Result {
        // CAST: indices are below `count`.
        self.desc.write(self.idx.wrap_add(first, n) as usize, d)
    }

    /// Queues `skb` for transmission. TX queue lock held, BH disabled. Returns the tail write
    /// to do, if any, which the caller does after releasing the ring lock (see [`Doorbell`]).
    pub(crate) fn xmit(
        &mut self,
        mut skb: SkBuff,
        dev: &device::Device,
        txq: Option<&TxQueue>,
        stats: &TxQueueStats,
    ) -> (NetdevTx, Option<Doorbell>) {
        if self.idx.unused() < DESCS_PER_PKT {
            // Should not happen: the queue is stopped while a whole packet still fits.
            if let Some(q) = txq {
                q.stop();
            }
            stats.stopped.inc();
            return (NetdevTx::Busy(skb), None);
        }
        let len = skb.len();
        let mut ctx = None;
        let mut off = TxOffload::default();
        // PAYLEN: the whole packet, or for TSO the TCP payload.
        let mut paylen = len;
        // Bytes on the wire, for BQL and the counters.
        let mut wire = len;
        let mut frames = 1;
        if skb.is_gso() {
            let Some(plan) = prepare_tso(&mut skb) else {
                return self.drop_pkt(stats);
            };
            ctx = Some(plan.ctx);
            off = TxOffload {
                l4_csum: true,
                ip_csum: plan.ipv4,
                tso: true,
            };
            paylen = plan.paylen;
            wire = plan.wire_bytes();
            frames = plan.segs.max(1);
        } else if skb.is_csum_partial() {
            ctx = AdvTxCtxDesc::for_checksum(
                skb.network_offset(),
                skb.csum_start(),
                skb.csum_offset(),
                skb.protocol(),
            );
            // Not TCP/UDP over IP: the stack's fallback computes it now.
            if ctx.is_none() && skb.checksum_help().is_err() {
                return self.drop_pkt(stats);
            }
            off.l4_csum = ctx.is_some();
        }
        // On failure the skb comes back and is freed here.
        let Ok(map) = TxMapping::map(dev, skb) else {
            return self.drop_pkt(stats);
        };
        let first = self.idx.next_to_use();
        let mut n = 0u32;
        if let Some(c) = ctx {
            if self.put(first, n, &c.to_raw()).is_err() {
                return self.drop_pkt(stats);
            }
            n += 1;
        }
        let segs = map.segs();
        if segs.is_empty() {
            return self.drop_pkt(stats);
        }
        let last = segs.len() - 1;
        for (k, seg) in segs.iter().enumerate() {
            let Some(d) = AdvTxDesc::data(seg.dma_handle(), seg.len(), paylen, k == last, off) else {
                return self.drop_pkt(stats);
            };
            if self.put(first, n, &d.to_raw()).is_err() {
                return self.drop_pkt(stats);
            }
            n += 1;
        }
        // CAST: indices are below `count`.
        match self.bufs.get_mut(first as usize) {
            Some(s) => {
                *s = Some(TxBuf {
                    map,
                    len: wire,
                    segs: frames,
                    ndesc: n,
                })
            }
            None => return self.drop_pkt(stats),
        }
        for _ in 0..n {
            // Cannot fail: `n <= DESCS_PER_PKT <= unused`.
            let _ = self.idx.produce();
        }
        if off.tso {
            stats.tso.inc();
        } else if off.l4_csum {
            stats.csum_offload.inc();
        }
        if let Some(q) = txq {
            q.sent(wire);
        }
        let stopped = self.idx.unused() < STOP_THRESHOLD;
        if stopped {
            if let Some(q) = txq {
                q.stop();
            }
            stats.stopped.inc();
        }
        stats.in_flight.set(u64::from(self.idx.in_flight()));
        let bell = (!xmit_more() || stopped).then(|| self.doorbell());
        (NetdevTx::Ok, bell)
    }

    /// The index state (debugfs).
    pub(crate) fn index(&self) -> RingIndex {
        self.idx
    }

    /// The raw descriptor at `i` (debugfs); the device may be writing it.
    pub(crate) fn raw_desc(&self, i: u32) -> Option<RawDesc> {
        // CAST: u32 to usize.
        self.desc.read(i as usize).ok()
    }

    /// Frees the packets the device completed (NAPI context). Returns (frames, bytes) on the
    /// wire; BQL is told the same bytes it was told at xmit.
    pub(crate) fn clean(
        &mut self,
        ctx: &PollContext<'_>,
        txq: Option<&TxQueue>,
        stats: &TxQueueStats,
        running: bool,
    ) -> (u32, u32) {
        let (mut pkts, mut frames, mut bytes) = (0u32, 0u32, 0u32);
        while self.idx.in_flight() > 0 {
            let first = self.idx.next_to_clean();
            // CAST: indices are below `count`.
            let Some(slot) = self.bufs.get_mut(first as usize) else { break };
            let Some(ndesc) = slot.as_ref().map(|b| b.ndesc) else { break };
            // The device writes DD back only into the last descriptor (RS).
            let eop = self.idx.wrap_add(first, ndesc.saturating_sub(1));
            // CAST: indices are below `count`.
            let Ok(raw) = self.desc.read(eop as usize) else { break };
            if !AdvTxDesc::is_done(raw) {
                break;
            }
            // Order the release of the buffers after the read of the DD bit.
            dma::rmb();
            if let Some(b) = slot.take() {
                pkts += 1;
                frames = frames.wrapping_add(b.segs);
                bytes = bytes.wrapping_add(b.len);
                ctx.consume_skb(b.map.unmap());
            }
            for _ in 0..ndesc {
                let _ = self.idx.consume();
            }
        }
        if pkts > 0 {
            stats.clean_runs.inc();
            stats.in_flight.set(u64::from(self.idx.in_flight()));
            stats.packets.add(u64::from(frames));
            stats.bytes.add(u64::from(bytes));
            if let Some(q) = txq {
                q.completed(pkts, bytes);
                let wake_at = WAKE_THRESHOLD.min(self.idx.count() / 2);
                if running && q.is_stopped() && self.idx.unused() >= wake_at {
                    q.wake();
                    stats.restarted.inc();
                }
            }
        }
        (frames, bytes)
    }
}
