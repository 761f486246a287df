// SPDX-License-Identifier: GPL-2.0

//! The transmit ring.
//!
//! `start_xmit` maps the skb's linear part and page fragments into the [`TxMapping`] of the
//! packet's first slot, which owns the skb while the device may read it. For a packet whose
//! checksum the stack left to the device, or a TCP packet to segment (TSO, see [`crate::tso`]),
//! it writes an advanced context descriptor (header lengths, L4 type, MSS); then one advanced
//! data descriptor per mapped piece, the last one with EOP and RS; then it moves the tail. The
//! device keeps the queue's last context until it reads the next one, so a checksum context
//! equal to the one it holds is not written again (`CsumKey`: a stream of like packets takes
//! one descriptor each). NAPI cleans a packet once the device wrote DD back into its last
//! descriptor: it unmaps, frees the skb, reports it to BQL and wakes the queue.
//!
//! The two ends share no lock: the ring is split into a [`TxRing`] (the producer: `start_xmit`,
//! serialised per queue by the stack's TX queue lock) and a [`TxCleaner`] (the consumer: the
//! queue's NAPI poll), over [`slot_ring`], which hands slots from one to the other through
//! the two ring indices. The queue stops and wakes with the barrier handshake of
//! [`TxQueue::maybe_stop`] and [`TxQueue::completed_wake`].
//!
//! XDP frames (`XDP_TX` of the port's own receive queues, and frames other devices redirect
//! to the port through `ndo_xdp_xmit`) share the stack's rings, under the same xmit lock, as
//! in C igb: one data descriptor each, mapped in the slot's [`XdpTxMapping`], reported to BQL
//! like a packet and returned to their memory model when the device is done.

use crate::{
    adapter::{Hw, Shared},
    desc::{AdvTxCtxDesc, AdvTxDesc, RawDesc, TxOffload},
    regs::{TDBAH, TDBAL, TDH, TDLEN, TDT, TXDCTL},
    ring::{len_bytes, RingIndex},
    rx::XdpTxSink,
    stats::{Counter, TxQueueStats},
    tso,
};
use kernel::{
    device,
    dma::{self, CoherentAllocation},
    net::{
        dev::{NetDev, NetdevTx, TxQueue},
        napi::PollContext,
        skb::{gso, SkBuff, TxMapping, MAX_TX_SEGS},
        slot_ring::{self, Consumer, Producer},
        xdp::{XdpFrame, XdpTxMapping},
    },
    prelude::*,
};

/// Most descriptors one packet takes: a context descriptor and one per mapped piece.
// CAST: MAX_TX_SEGS is MAX_SKB_FRAGS + 1, far below u32::MAX.
const DESCS_PER_PKT: u32 = MAX_TX_SEGS as u32 + 1;
/// Stop the queue when fewer descriptors than this are free, so that the next packet
/// always fits (the C driver's `DESC_NEEDED`).
const STOP_THRESHOLD: u32 = DESCS_PER_PKT + 2;
/// Wake a stopped queue once this many descriptors are free (or half the ring, see
/// [`wake_at`]).
const WAKE_THRESHOLD: u32 = 2 * STOP_THRESHOLD;

/// Free descriptors at which a stopped queue of a `count`-descriptor ring starts again.
fn wake_at(count: u32) -> u32 {
    WAKE_THRESHOLD.min(count / 2)
}

/// Makes the headers of a GSO (TCP) packet writable and prepares them for the device; `None`
/// if the device cannot segment it.
///
/// Out of line, as is its only caller `TxRing::xmit_tso`: the non-TSO transmit path (UDP,
/// TCP ACKs) never reaches it, and its one call per TSO packet is shared by tens of segments.
#[inline(never)]
fn prepare_tso(skb: &mut SkBuff) -> Option<tso::TsoPlan> {
    if skb.gso_type() & (gso::TCPV4 | gso::TCPV6) == 0 || !skb.is_csum_partial() {
        return None;
    }
    let net = usize::try_from(skb.network_offset()).ok()?;
    let l4 = usize::try_from(skb.transport_offset()).ok()?;
    // The headers end with the TCP header, whose length is in its data offset field.
    let doff = *skb.data().get(l4.checked_add(12)?)?;
    let hdr_len = u32::try_from(l4 + usize::from(doff >> 4) * 4).ok()?;
    let (len, mss) = (skb.len(), skb.gso_size());
    tso::prepare(skb.writable_head(hdr_len).ok()?, net, l4, len, mss)
}

/// Disables TX queue `queue` in the device (stop path).
pub(crate) fn disable(hw: &Hw, queue: usize) {
    hw.wr_q(TXDCTL::offset(queue), 0);
}

/// What a checksum context is computed from ([`AdvTxCtxDesc::for_checksum`]): packets with
/// equal keys take the same context.
#[derive(Clone, Copy, PartialEq, Eq)]
struct CsumKey {
    net_off: i32,
    csum_start: u16,
    csum_offset: u16,
    proto: u16,
}

impl CsumKey {
    #[inline]
    fn of(skb: &SkBuff) -> Self {
        Self {
            net_off: skb.network_offset(),
            csum_start: skb.csum_start(),
            csum_offset: skb.csum_offset(),
            proto: skb.protocol(),
        }
    }
}

/// The packet whose first descriptor is at a slot (at the other slots of a packet: unused).
struct TxBuf {
    /// The mapped skb, empty when the slot holds no packet.
    map: TxMapping,
    /// The mapped XDP frame, empty when the slot holds none (a slot holds an skb or a frame).
    xdp: XdpTxMapping,
    /// Bytes reported to BQL.
    len: u32,
    /// Frames on the wire: the segments of a TSO packet, else 1. The
    /// counters count frames, as the receiving end does.
    segs: u32,
    /// Descriptors the packet takes (context descriptor included); at least 1.
    ndesc: u32,
    /// The packet's last descriptor (EOP, RS), where the device writes DD back.
    eop: u32,
}

/// The descriptor memory, shared by both ends of the ring.
type Descs = CoherentAllocation<RawDesc>;

/// The producer end of a TX ring: `start_xmit` fills descriptors and moves the tail.
pub(crate) struct TxRing {
    slots: Producer<TxBuf, Descs>,
    queue: usize,
    /// The checksum context the device holds (context index 0 of the queue): the last one
    /// published on this ring, unless a TSO or VLAN context came after it. `None` on a new
    /// ring, which is configured with the queue reset to no context.
    held: Option<CsumKey>,
}

/// The consumer end of a TX ring: the NAPI poll frees what the device sent.
pub(crate) struct TxCleaner {
    slots: Consumer<TxBuf, Descs>,
}

impl TxRing {
    /// Allocates a ring of `count` descriptors for queue `queue`; returns its two ends.
    pub(crate) fn new(dev: &device::Device, count: u32, queue: usize) -> Result<(Self, TxCleaner)> {
        RingIndex::new(count).ok_or(EINVAL)?;
        // CAST: at most MAX_DESCS.
        let desc = CoherentAllocation::alloc_coherent(dev, count as usize, GFP_KERNEL)?;
        let (prod, cons) = slot_ring::new(count, desc, || {
            Ok(TxBuf {
                map: TxMapping::new(dev),
                xdp: XdpTxMapping::new(dev),
                len: 0,
                segs: 0,
                ndesc: 0,
                eop: 0,
            })
        })?;
        Ok((
            Self {
                slots: prod,
                queue,
                held: None,
            },
            TxCleaner { slots: cons },
        ))
    }

    /// Programs the queue registers (datasheet 4.5.10) and enables the queue. The ring is
    /// new: both indices are 0.
    pub(crate) fn configure(&mut self, hw: &Hw) {
        let q = self.queue;
        hw.wr_q(TXDCTL::offset(q), 0);
        let base = self.slots.shared().dma_handle();
        // CAST: low and high halves of the 64-bit ring address.
        hw.wr_q(TDBAL::offset(q), base as u32);
        hw.wr_q(TDBAH::offset(q), (base >> 32) as u32);
        hw.wr_q(TDLEN::offset(q), len_bytes(self.slots.count()));
        hw.wr_q(TDH::offset(q), 0);
        hw.wr_q(TDT::offset(q), self.slots.head());
        hw.wr_q(
            TXDCTL::offset(q),
            TXDCTL::ENABLE.mask() | TXDCTL::WTHRESH.val(1),
        );
    }

    /// The tail (TDT) write that hands every produced descriptor to the device. Under the
    /// queue's xmit lock, so the tail writes stay in order; the NAPI poll never takes that
    /// lock, so it does not wait while the emulated device sends the queued frames inside this
    /// write.
    #[inline(always)]
    fn ring_doorbell(&self, hw: &Hw) {
        // Make the descriptors visible to the device before it sees the new tail.
        dma::wmb();
        hw.wr_q(TDT::offset(self.queue), self.slots.head());
    }

    /// Drops a packet at xmit; the tail still moves past what earlier packets deferred
    /// (`xmit_more`).
    fn drop_pkt(&self, stats: &TxQueueStats, hw: &Hw) -> NetdevTx {
        stats.dropped.inc();
        self.ring_doorbell(hw);
        NetdevTx::Ok
    }

    /// Queues XDP frame `frame` (one data descriptor) without moving the tail: the caller
    /// sends a batch and then calls [`Self::kick`]. Returns `false` if it was dropped (ring
    /// full, mapping failed). The queue's xmit lock held.
    pub(crate) fn xmit_xdp(
        &mut self,
        frame: XdpFrame,
        txq: &TxQueue,
        stats: &TxQueueStats,
    ) -> bool {
        // Room for the frame, and one packet of the stack after it: the stack stops the queue
        // on a full ring, XDP has no queue to stop and drops (as C igb).
        if !self.slots.has_room(DESCS_PER_PKT + 1) {
            stats.xdp_xmit_errors.inc();
            return false;
        }
        let at = self.slots.head();
        let (slot, descs) = self.slots.next_slot_with_shared();
        if let Err((_, frame)) = slot.xdp.map(frame) {
            drop(frame);
            stats.xdp_xmit_errors.inc();
            return false;
        }
        let len = slot.xdp.len();
        // CAST: indices are below `count`.
        let ok = AdvTxDesc::data(slot.xdp.dma_handle(), len, len, true, TxOffload::default())
            .is_some_and(|d| descs.write(at as usize, &d.to_raw()).is_ok());
        if !ok {
            drop(slot.xdp.unmap());
            stats.xdp_xmit_errors.inc();
            return false;
        }
        slot.eop = at;
        slot.len = len;
        slot.segs = 1;
        slot.ndesc = 1;
        if self.slots.publish(1).is_err() {
            // Not reached: there was room. Keep the ring consistent.
            drop(self.slots.next_slot().xdp.unmap());
            stats.xdp_xmit_errors.inc();
            return false;
        }
        // BQL counts the frame like a packet (the cleaner reports its completion); the tail
        // moves in `kick`.
        let _ = txq.sent(len);
        stats.xdp_xmit.inc();
        true
    }

    /// Hands the XDP frames queued by [`Self::xmit_xdp`] to the device.
    pub(crate) fn kick(&self, hw: &Hw) {
        self.ring_doorbell(hw);
    }

    /// Queues `skb` for transmission and moves the tail unless more packets follow at once
    /// (`xmit_more`). The queue's xmit lock held, BH disabled.
    pub(crate) fn xmit(
        &mut self,
        mut skb: SkBuff,
        txq: &TxQueue,
        stats: &TxQueueStats,
        hw: &Hw,
    ) -> NetdevTx {
        if !self.slots.has_room(DESCS_PER_PKT) {
            // Should not happen: the queue is stopped while a whole packet still fits.
            if txq.maybe_stop(|| self.slots.free(), DESCS_PER_PKT, DESCS_PER_PKT) {
                stats.stopped.inc();
                return NetdevTx::Busy(skb);
            }
        }
        if skb.is_gso() {
            return self.xmit_tso(skb, txq, stats, hw);
        }
        if let Some(tci) = skb.vlan_tci() {
            return self.xmit_vlan(skb, tci, txq, stats, hw);
        }
        let len = skb.len();
        let mut ctx = None;
        let mut l4_csum = false;
        // The context this packet leaves in the device once published, if it writes one.
        let mut held = None;
        if skb.is_csum_partial() {
            let key = CsumKey::of(&skb);
            if self.held == Some(key) {
                // The device holds this packet's context: the data descriptors refer to it.
                l4_csum = true;
            } else {
                ctx = AdvTxCtxDesc::for_checksum(
                    key.net_off,
                    key.csum_start,
                    key.csum_offset,
                    key.proto,
                );
                // Not TCP/UDP over IP: the stack's fallback computes it now.
                if ctx.is_none() && skb.checksum_help().is_err() {
                    return self.drop_pkt(stats, hw);
                }
                l4_csum = ctx.is_some();
                if ctx.is_some() {
                    held = Some(Some(key));
                }
            }
        }
        let off = TxOffload {
            l4_csum,
            ..TxOffload::default()
        };
        let Ok(n) = self.fill(skb, ctx, len, off) else {
            return self.drop_pkt(stats, hw);
        };
        let offload = l4_csum.then_some(&stats.csum_offload);
        self.commit(n, len, 1, held, offload, txq, stats, hw)
    }

    /// [`Self::xmit`] for a GSO (TCP) packet: a TSO context descriptor, then the data.
    ///
    /// Out of line: the other packets' path keeps fewer values live without it; a TSO packet
    /// carries tens of segments.
    #[inline(never)]
    fn xmit_tso(
        &mut self,
        mut skb: SkBuff,
        txq: &TxQueue,
        stats: &TxQueueStats,
        hw: &Hw,
    ) -> NetdevTx {
        let Some(plan) = prepare_tso(&mut skb) else {
            return self.drop_pkt(stats, hw);
        };
        let vlan = skb.vlan_tci();
        let off = TxOffload {
            l4_csum: true,
            ip_csum: plan.ipv4,
            tso: true,
            vlan: vlan.is_some(),
        };
        let ctx = match vlan {
            Some(tci) => plan.ctx.with_vlan(tci),
            None => plan.ctx,
        };
        // PAYLEN is the TCP payload; BQL and the counters get the bytes and frames on the wire.
        let Ok(n) = self.fill(skb, Some(ctx), plan.paylen, off) else {
            return self.drop_pkt(stats, hw);
        };
        let (wire, frames) = (plan.wire_bytes(), plan.segs.max(1));
        // A TSO context replaces the checksum context the device held.
        self.commit(
            n,
            wire,
            frames,
            Some(None),
            Some(&stats.tso),
            txq,
            stats,
            hw,
        )
    }

    /// [`Self::xmit`] for a packet with an 802.1Q tag to insert: the tag goes into a context
    /// descriptor (with the packet's checksum context, if it asks for one), so every such
    /// packet writes one; the context the device held is replaced.
    ///
    /// Out of line: untagged traffic does not carry its code (tagged traffic on a port
    /// usually goes through a VLAN device, which hands the tag down beside the frame).
    #[inline(never)]
    fn xmit_vlan(
        &mut self,
        mut skb: SkBuff,
        tci: u16,
        txq: &TxQueue,
        stats: &TxQueueStats,
        hw: &Hw,
    ) -> NetdevTx {
        let len = skb.len();
        let mut csum = None;
        if skb.is_csum_partial() {
            let key = CsumKey::of(&skb);
            csum =
                AdvTxCtxDesc::for_checksum(key.net_off, key.csum_start, key.csum_offset, key.proto);
            if csum.is_none() && skb.checksum_help().is_err() {
                return self.drop_pkt(stats, hw);
            }
        }
        let off = TxOffload {
            l4_csum: csum.is_some(),
            vlan: true,
            ..TxOffload::default()
        };
        let ctx = csum.unwrap_or(AdvTxCtxDesc::vlan_only(tci)).with_vlan(tci);
        let Ok(n) = self.fill(skb, Some(ctx), len, off) else {
            return self.drop_pkt(stats, hw);
        };
        let offload = off.l4_csum.then_some(&stats.csum_offload);
        self.commit(n, len, 1, Some(None), offload, txq, stats, hw)
    }

    /// Publishes the `n` descriptors just filled for a packet of `wire` bytes and `frames`
    /// frames on the wire, records the context it leaves in the device (`held`: `Some(None)`
    /// after a TSO or VLAN context, `Some(Some(key))` after a checksum context) and counts the offload
    /// it asked for (`offload`), reports the bytes to BQL, stops the queue when a next packet
    /// might not fit and moves the tail unless more packets follow at once.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn commit(
        &mut self,
        n: u32,
        wire: u32,
        frames: u32,
        held: Option<Option<CsumKey>>,
        offload: Option<&Counter>,
        txq: &TxQueue,
        stats: &TxQueueStats,
        hw: &Hw,
    ) -> NetdevTx {
        let slot = self.slots.next_slot();
        slot.len = wire;
        slot.segs = frames;
        slot.ndesc = n;
        if self.slots.publish(n).is_err() {
            // Not reached: `n <= DESCS_PER_PKT <= free()`. Keep the ring consistent.
            drop(self.slots.next_slot().map.unmap());
            return self.drop_pkt(stats, hw);
        }
        // Published: the device reads this packet's context before any later packet's.
        if let Some(h) = held {
            self.held = h;
        }
        if let Some(c) = offload {
            c.inc();
        }
        let mut stopped = false;
        let ring_now = txq.sent(wire);
        // The room as last seen is a lower bound: only when it looks short does the queue go
        // through the stop handshake (which loads the cleaner's index).
        if !self.slots.has_room(STOP_THRESHOLD) {
            let start_at = wake_at(self.slots.count());
            stopped = txq.maybe_stop(|| self.slots.free(), STOP_THRESHOLD, start_at);
        }
        if stopped {
            stats.stopped.inc();
        }
        // The `in_flight` gauge is the cleaner's: it runs after every completion.
        if ring_now || stopped {
            self.ring_doorbell(hw);
        }
        NetdevTx::Ok
    }

    /// Maps `skb` into the slot at the head and writes its descriptors from there: the context
    /// descriptor `ctx` if any, then one data descriptor per piece. Returns how many it wrote;
    /// on failure the skb is freed and the slot is left empty.
    #[inline(always)]
    fn fill(
        &mut self,
        mut skb: SkBuff,
        ctx: Option<AdvTxCtxDesc>,
        paylen: u32,
        off: TxOffload,
    ) -> core::result::Result<u32, ()> {
        let count = self.slots.count();
        let at = self.slots.head();
        let (slot, descs) = self.slots.next_slot_with_shared();
        // The software TX time stamp (`ethtool -T`), if the socket asked for one.
        skb.tx_timestamp();
        // On failure the skb comes back and is freed here.
        slot.map.map(skb).map_err(|_| ())?;
        // One piece and no context descriptor (small packets, checksum context held): one
        // data descriptor, inline; the rest out of line, which keeps this path's frame small.
        let (None, [seg]) = (&ctx, slot.map.segs()) else {
            return write_descs(slot, descs, count, at, ctx, paylen, off);
        };
        // CAST: indices are below `count`.
        let ok = AdvTxDesc::data(seg.dma_handle(), seg.len(), paylen, true, off)
            .is_some_and(|d| descs.write(at as usize, &d.to_raw()).is_ok());
        if !ok {
            return unmap_failed(slot);
        }
        slot.eop = at;
        Ok(1)
    }
}

/// Sends XDP `frames` out of the port on the TX ring of this CPU's queue (C igb's
/// `igb_xdp_tx_queue_mapping`), under that queue's xmit lock, and moves the tail if `flush`.
/// Frames that do not fit are dropped and counted. `ENETDOWN` if the port is down (no frame
/// taken). BH disabled (a NAPI poll, or `ndo_xdp_xmit`).
pub(crate) fn send_xdp(
    dev: &NetDev,
    s: &Shared,
    frames: &mut dyn Iterator<Item = XdpFrame>,
    flush: bool,
) -> Result {
    let active = s.active_count().max(1);
    // CAST: CPU numbers fit in usize.
    let q = kernel::net::dev::current_cpu() as usize % active;
    let Some(qp) = s.queues.get(q) else {
        return Err(EINVAL);
    };
    if !s.is_running() {
        return Err(kernel::net::code::enetdown());
    }
    // CAST: q < MAX_QUEUES.
    dev.with_xmit_lock(q as u32, |l| {
        let txq = l.queue();
        match qp.tx.get(l) {
            Some(Some(ring)) => {
                let mut sent = 0u32;
                for f in frames {
                    if ring.xmit_xdp(f, txq, &qp.tx_stats) {
                        sent += 1;
                    }
                }
                if flush && sent > 0 {
                    ring.kick(&s.hw);
                }
                Ok(())
            }
            _ => Err(kernel::net::code::enetdown()),
        }
    })
    .unwrap_or(Err(EINVAL))
}

/// The TX rings of a port as the target of its own `XDP_TX` frames.
pub(crate) struct XdpTxRing<'a> {
    pub(crate) dev: &'a NetDev,
    pub(crate) shared: &'a Shared,
}

impl XdpTxSink for XdpTxRing<'_> {
    fn send(&self, frames: &mut dyn Iterator<Item = XdpFrame>) {
        if send_xdp(self.dev, self.shared, frames, true).is_err() {
            // Down: the frames not taken are returned.
            for f in frames {
                drop(f);
                // Counted on queue 0: the port has no ring to count them on.
                if let Some(qp) = self.shared.queues.first() {
                    qp.tx_stats.xdp_xmit_errors.inc();
                }
            }
        }
    }
}

/// Empties the slot of a packet whose descriptors could not be written; the skb is freed.
#[cold]
#[inline(never)]
fn unmap_failed(slot: &mut TxBuf) -> core::result::Result<u32, ()> {
    drop(slot.map.unmap());
    Err(())
}

/// Writes the descriptors of the packet mapped in `slot` from index `at` of a ring of `count`:
/// the context descriptor `ctx` if any, then one data descriptor per piece. Returns how many
/// it wrote; on failure the slot is emptied.
#[inline(never)]
fn write_descs(
    slot: &mut TxBuf,
    descs: &Descs,
    count: u32,
    mut at: u32,
    ctx: Option<AdvTxCtxDesc>,
    paylen: u32,
    off: TxOffload,
) -> core::result::Result<u32, ()> {
    let mut n = 0u32;
    let mut eop = at;
    let mut put = |d: &RawDesc| {
        // CAST: indices are below `count`.
        let ok = descs.write(at as usize, d).is_ok();
        eop = at;
        // `at < count` and `n <= DESCS_PER_PKT`: no overflow (wrapping spares the checks).
        let next = at.wrapping_add(1);
        at = if next == count { 0 } else { next };
        n = n.wrapping_add(1);
        ok
    };
    let mut ok = match ctx {
        Some(c) => put(&c.to_raw()),
        None => true,
    };
    let segs = slot.map.segs();
    ok &= !segs.is_empty();
    let last = segs.len().wrapping_sub(1);
    for (k, seg) in segs.iter().enumerate() {
        if !ok {
            break;
        }
        ok = match AdvTxDesc::data(seg.dma_handle(), seg.len(), paylen, k == last, off) {
            Some(d) => put(&d.to_raw()),
            None => false,
        };
    }
    if !ok {
        return unmap_failed(slot);
    }
    slot.eop = eop;
    Ok(n)
}

impl TxCleaner {
    /// The index state (debugfs).
    pub(crate) fn index(&self) -> Option<RingIndex> {
        let (ntu, ntc) = self.slots.indices();
        RingIndex::at(self.slots.count(), ntu, ntc)
    }

    /// The raw descriptor at `i` (debugfs); the device may be writing it.
    pub(crate) fn raw_desc(&self, i: u32) -> Option<RawDesc> {
        // CAST: u32 to usize.
        self.slots.shared().read(i as usize).ok()
    }

    /// Frees the packets the device completed (NAPI context). Returns (frames, bytes) on the
    /// wire; BQL is told the same bytes it was told at xmit. `running`: the queue may be woken.
    ///
    /// Out of line: in its own frame the loop keeps its counts in registers (the poll's frame
    /// is large); one call per poll.
    #[inline(never)]
    pub(crate) fn clean(
        &mut self,
        ctx: &PollContext<'_>,
        txq: Option<&TxQueue>,
        stats: &TxQueueStats,
        running: bool,
    ) -> (u32, u32) {
        let (mut pkts, mut frames, mut bytes) = (0u32, 0u32, 0u32);
        let ring = &mut self.slots;
        while let Some((buf, descs)) = ring.peek_with_shared() {
            let ndesc = buf.ndesc.max(1);
            // The device writes DD back only into the last descriptor (RS).
            // CAST: u32 to usize.
            let Ok(raw) = descs.read(buf.eop as usize) else {
                break;
            };
            if !AdvTxDesc::is_done(raw) {
                break;
            }
            // Order the release of the buffers after the read of the DD bit.
            dma::rmb();
            if let Some(skb) = buf.map.unmap() {
                pkts = pkts.wrapping_add(1);
                frames = frames.wrapping_add(buf.segs);
                bytes = bytes.wrapping_add(buf.len);
                ctx.consume_skb(skb);
            } else if let Some(frame) = buf.xdp.unmap() {
                pkts = pkts.wrapping_add(1);
                frames = frames.wrapping_add(1);
                bytes = bytes.wrapping_add(buf.len);
                drop(frame);
            }
            if ring.release(ndesc).is_err() {
                break;
            }
        }
        if pkts > 0 {
            stats.clean_runs.inc();
            stats.packets.add(u64::from(frames));
            stats.bytes.add(u64::from(bytes));
            if let Some(q) = txq {
                let start_at = wake_at(ring.count());
                if q.completed_wake(pkts, bytes, || ring.free(), start_at, running) {
                    stats.restarted.inc();
                }
            }
        }
        stats.in_flight.set(u64::from(ring.in_flight()));
        (frames, bytes)
    }
}
