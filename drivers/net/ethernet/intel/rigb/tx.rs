// SPDX-License-Identifier: GPL-2.0

//! The transmit ring.
//!
//! `start_xmit` maps the skb's linear data ([`SingleMapping`] owns the skb while the device
//! may read it), writes one advanced data descriptor per packet and moves the tail. NAPI
//! cleans completed descriptors (DD written back), unmaps, frees the skbs, reports them to
//! BQL and wakes the queue.

use crate::{
    adapter::Hw,
    desc::{AdvTxDesc, RawDesc},
    regs::{TDBAH, TDBAL, TDH, TDLEN, TDT, TXDCTL},
    ring::{len_bytes, RingIndex},
    stats::TxQueueStats,
};
use kernel::{
    alloc::KVec,
    device,
    dma::{self, CoherentAllocation, DataDirection, SingleMapping},
    net::{
        dev::{xmit_more, NetdevTx, TxQueue},
        napi::PollContext,
        skb::SkBuff,
    },
    prelude::*,
};

/// Wake a stopped queue once this many descriptors are free.
const WAKE_THRESHOLD: u32 = 32;

struct TxBuf {
    map: SingleMapping<SkBuff>,
    len: u32,
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

    /// Queues `skb` for transmission. TX queue lock held, BH disabled.
    pub(crate) fn xmit(
        &mut self,
        skb: SkBuff,
        hw: &Hw,
        dev: &device::Device,
        txq: Option<&TxQueue>,
        stats: &TxQueueStats,
    ) -> NetdevTx {
        if self.idx.unused() == 0 {
            // Should not happen: the queue is stopped before the ring fills up.
            if let Some(q) = txq {
                q.stop();
            }
            stats.stopped.inc();
            return NetdevTx::Busy(skb);
        }
        let len = skb.len();
        if skb.nr_frags() != 0 || len != skb.headlen() {
            // Scatter-gather is not advertised; drop rather than send half a packet.
            stats.dropped.inc();
            return NetdevTx::Ok;
        }
        let map = match SingleMapping::map(dev, skb, DataDirection::ToDevice) {
            Ok(m) => m,
            Err(_) => {
                stats.dropped.inc();
                return NetdevTx::Ok;
            }
        };
        let Some(d) = AdvTxDesc::single(map.dma_handle(), len) else {
            stats.dropped.inc();
            return NetdevTx::Ok;
        };
        let i = self.idx.next_to_use();
        // CAST: indices are below `count`.
        let slot = i as usize;
        if self.desc.write(slot, &d.to_raw()).is_err() {
            stats.dropped.inc();
            return NetdevTx::Ok;
        }
        match self.bufs.get_mut(slot) {
            Some(s) => *s = Some(TxBuf { map, len }),
            None => {
                stats.dropped.inc();
                return NetdevTx::Ok;
            }
        }
        self.idx.produce();
        if let Some(q) = txq {
            q.sent(len);
        }
        let stopped = self.idx.unused() == 0;
        if stopped {
            if let Some(q) = txq {
                q.stop();
            }
            stats.stopped.inc();
        }
        if !xmit_more() || stopped {
            // Make the descriptor visible to the device before it sees the new tail.
            dma::wmb();
            hw.wr_q(TDT::offset(self.queue), self.idx.next_to_use());
        }
        NetdevTx::Ok
    }

    /// Frees the descriptors the device completed (NAPI context). Returns (packets, bytes).
    pub(crate) fn clean(
        &mut self,
        ctx: &PollContext<'_>,
        txq: Option<&TxQueue>,
        stats: &TxQueueStats,
        running: bool,
    ) -> (u32, u32) {
        let (mut pkts, mut bytes) = (0u32, 0u32);
        while self.idx.in_flight() > 0 {
            // CAST: indices are below `count`.
            let slot = self.idx.next_to_clean() as usize;
            let Ok(raw) = self.desc.read(slot) else { break };
            if !AdvTxDesc::is_done(raw) {
                break;
            }
            // Order the release of the buffer after the read of the DD bit.
            dma::rmb();
            if let Some(b) = self.bufs.get_mut(slot).and_then(Option::take) {
                pkts += 1;
                bytes = bytes.wrapping_add(b.len);
                ctx.consume_skb(b.map.unmap());
            }
            self.idx.consume();
        }
        if pkts > 0 {
            stats.packets.add(u64::from(pkts));
            stats.bytes.add(u64::from(bytes));
            if let Some(q) = txq {
                q.completed(pkts, bytes);
                if running && q.is_stopped() && self.idx.unused() >= WAKE_THRESHOLD.min(self.idx.count() / 2) {
                    q.wake();
                    stats.restarted.inc();
                }
            }
        }
        (pkts, bytes)
    }
}
