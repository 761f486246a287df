// SPDX-License-Identifier: GPL-2.0

//! The receive ring.
//!
//! Standard MTUs (frames up to 2 KiB): each descriptor owns half a page ([`RxPage`]), mapped
//! once. When the device has written a frame, the driver checks the length against the buffer
//! size and syncs the frame for the CPU. For the usual MTUs (frames up to [`RX_SKB_MAX`], 1500
//! included) the half page itself becomes the skb's head, whatever the frame's size
//! (`napi_build_skb`: the device wrote the frame behind the headroom the stack expects; as the
//! C driver's `build_skb` mode, which measured cheaper here than copying small frames). For
//! MTUs up to 2 KiB minus overhead, a small frame (up to [`COPYBREAK`] bytes) is copied into a
//! fresh skb and the same half posted again; of a larger one an skb holds a copy of the
//! headers (`eth_get_headlen`) and the rest is attached as a page fragment. When a frame went
//! to the stack in its page, the other half of the page is posted next if the stack has
//! released it, else a new page (like the C igb driver's page flip). No mapping, unmapping or
//! large copy happens per frame while the stack returns pages quickly.
//!
//! The device is told the buffer is 2 KiB (SRRCTL counts in KiB) also when it starts behind
//! the headroom: RLPML, or without RCTL.LPE the 1522-byte limit, keeps every frame it writes
//! shorter than [`RX_SKB_MAX`] (the C driver relies on the same).
//!
//! XDP: with a program attached (only where frames are built in place: the page flip layout,
//! whose headroom holds the frame header `XDP_TX` needs), each good frame goes through the
//! program first ([`RxPage::run_xdp`]); `XDP_PASS` builds the skb from what the program left,
//! `XDP_TX` frames are batched and queued on a TX ring of the port at the end of the batch
//! (C igb's `igb_xdp_ring_update_tail`), and redirected ones are flushed when the poll ends.
//!
//! Jumbo MTUs (frames above 2 KiB): each descriptor owns a buffer of the frame size mapped for
//! the device ([`SingleMapping`]); the driver unmaps it, copies the frame into a fresh skb and
//! maps the same buffer again. That buffer never leaves the driver.

use crate::{
    adapter::Hw,
    desc::{AdvRxDescRead, AdvRxDescWb, RawDesc, RxFrame, RxVerdict},
    regs::{RDBAH, RDBAL, RDH, RDLEN, RDT, RXDCTL, SRRCTL},
    ring::{len_bytes, pass_buffer, RingIndex},
    stats::RxQueueStats,
};
use kernel::{
    alloc::{flags::GFP_ATOMIC, Flags, KVec},
    device,
    dma::{self, CoherentAllocation, DataDirection, DmaAddress, SingleMapping},
    net::{
        dev::{features, NetDev},
        napi::PollContext,
        rx_page::{RxPage, RX_HALF, RX_SKB_MAX},
        skb::{Checksum, HashType, SkBuff},
        xdp::{XdpFrame, XdpProg, XdpRxq, XdpVerdict},
    },
    prelude::*,
};

/// Smallest receive buffer (standard frames); SRRCTL.BSIZEPACKET counts in KiB.
pub(crate) const RX_BUF_MIN: usize = 2048;
/// Largest frame the driver accepts: 9 KiB jumbo frames.
pub(crate) const MAX_MTU: u32 = 9216 - FRAME_OVERHEAD;
/// Ethernet header, one VLAN tag and the FCS.
pub(crate) const FRAME_OVERHEAD: u32 = 14 + 4 + 4;

/// Whether frames of an `mtu`-byte packet are built in place in half pages: what XDP needs.
pub(crate) fn xdp_fits(mtu: u32) -> bool {
    // CAST: u32 to usize.
    (mtu + FRAME_OVERHEAD) as usize <= RX_SKB_MAX
}

/// Receive buffer size for `mtu`: a whole frame fits in one buffer, in KiB steps.
pub(crate) fn buf_len_for_mtu(mtu: u32) -> usize {
    let frame = (mtu + FRAME_OVERHEAD) as usize;
    frame.div_ceil(1024).saturating_mul(1024).max(RX_BUF_MIN)
}

/// Buffers reposted between two RDT writes during a poll.
const TAIL_BATCH: usize = 16;

/// Frames up to this length are copied whole into the skb and their buffer reused in place.
pub(crate) const COPYBREAK: usize = 256;
/// Bytes copied from the start of a larger frame, of which the headers stay in the skb.
const HDR_COPY: usize = 256;

type RxVec = KVec<u8>;
type RxMap = SingleMapping<RxVec>;

/// Disables RX queue `queue` in the device (stop path), whether or not it has a ring: after
/// a reset queue 0 is enabled.
pub(crate) fn disable(hw: &Hw, queue: usize) {
    hw.wr_q(RXDCTL::offset(queue), 0);
}

/// The buffers of the descriptors: one kind per ring, so that the hot path never matches on
/// the kind per frame.
enum RxBufs {
    /// Half pages, for frames up to [`RX_HALF`] bytes (with headroom in front: up to
    /// [`RX_SKB_MAX`]).
    Half(HalfPages),
    /// Whole-frame buffers, for jumbo frames, by descriptor slot.
    Whole(KVec<Option<RxMap>>),
}

/// The half pages of a ring. They stay where they are: a reused page is posted again at
/// `next_to_use` by giving that descriptor its number (`owner`), not by moving the page
/// (five words, through the stack) from slot to slot.
struct HalfPages {
    /// The pages, by buffer number (`None`: none yet, or it went to the stack).
    pages: KVec<Option<RxPage>>,
    /// The buffer number of each descriptor slot. A permutation of `0..count`: the buffers
    /// of the posted descriptors are distinct and hold pages; those of the other slots are
    /// spare (a page kept or none), to be posted there next.
    owner: KVec<u16>,
}

impl HalfPages {
    /// `n` spare buffers, descriptor `i` owning buffer `i`.
    fn new(n: usize) -> Result<Self> {
        let mut owner = KVec::with_capacity(n, GFP_KERNEL)?;
        for i in 0..n {
            owner.push(u16::try_from(i).map_err(|_| EINVAL)?, GFP_KERNEL)?;
        }
        Ok(Self {
            pages: empty_slots(n)?,
            owner,
        })
    }

    /// The buffer number of descriptor slot `slot`.
    #[inline]
    fn owner(&self, slot: usize) -> Option<usize> {
        self.owner.get(slot).map(|&b| usize::from(b))
    }

    /// Hands the buffer of slot `from` (just consumed) to slot `to` (to be posted), and the
    /// spare buffer of `to` to `from`: the permutation stays one.
    #[inline]
    fn pass(&mut self, from: usize, to: usize) {
        pass_buffer(&mut self.owner, from, to);
    }
}

/// An RX descriptor ring and its buffers.
pub(crate) struct RxRing {
    // Field order is drop order: the buffers (unmapped on drop) go before the descriptors.
    bufs: RxBufs,
    desc: CoherentAllocation<RawDesc>,
    idx: RingIndex,
    queue: usize,
    buf_len: usize,
    /// Every frame fits behind the skb headroom in half a page: build skbs in place.
    in_place: bool,
    /// The queue's registration with the XDP core.
    rxq: XdpRxq,
}

/// A new half page, with the skb headroom in front if `in_place`.
#[inline]
fn new_page(dev: &device::Device, in_place: bool, gfp: Flags) -> Result<RxPage> {
    if in_place {
        RxPage::with_headroom(dev, gfp)
    } else {
        RxPage::new(dev, gfp)
    }
}

/// A new whole-frame buffer of `len` bytes.
fn new_whole(dev: &device::Device, len: usize, gfp: Flags) -> Result<RxMap> {
    let buf = KVec::from_elem(0u8, len, gfp)?;
    SingleMapping::map(dev, buf, DataDirection::FromDevice).map_err(|(e, _)| e)
}

/// `n` empty slots.
fn empty_slots<T>(n: usize) -> Result<KVec<Option<T>>> {
    let mut v = KVec::with_capacity(n, GFP_KERNEL)?;
    for _ in 0..n {
        v.push(None, GFP_KERNEL)?;
    }
    Ok(v)
}

impl RxRing {
    /// Allocates a ring of `count` descriptors for queue `queue` (registered with the XDP core
    /// as `rxq`), whose buffers will hold a frame of an `mtu`-byte packet; no buffers yet.
    pub(crate) fn new(
        dev: &device::Device,
        count: u32,
        queue: usize,
        mtu: u32,
        rxq: XdpRxq,
    ) -> Result<Self> {
        if mtu > MAX_MTU {
            return Err(EINVAL);
        }
        let buf_len = buf_len_for_mtu(mtu);
        let in_place = xdp_fits(mtu);
        let idx = RingIndex::new(count).ok_or(EINVAL)?;
        // CAST: at most MAX_DESCS.
        let n = count as usize;
        let desc = CoherentAllocation::alloc_coherent(dev, n, GFP_KERNEL)?;
        let bufs = if buf_len <= RX_HALF || in_place {
            RxBufs::Half(HalfPages::new(n)?)
        } else {
            RxBufs::Whole(empty_slots(n)?)
        };
        Ok(Self {
            bufs,
            desc,
            idx,
            queue,
            buf_len,
            in_place,
            rxq,
        })
    }

    /// Gives a buffer to every descriptor, before the ring is handed to the device (no register
    /// is written, so a live ring of the same queue keeps working). `ENOMEM` if not a single
    /// buffer could be allocated; a partly filled ring works and is refilled by the polls.
    pub(crate) fn fill(&mut self, dev: &device::Device, stats: &RxQueueStats) -> Result {
        self.post_new(dev, GFP_KERNEL, stats);
        if self.idx.in_flight() == 0 {
            return Err(ENOMEM);
        }
        Ok(())
    }

    /// Programs the queue registers (datasheet 4.5.9) for a ring filled by [`Self::fill`] and
    /// hands its buffers to the device. The queue is left enabled; RCTL.EN (global) is set by
    /// the caller once all queues are ready.
    pub(crate) fn configure(&mut self, hw: &Hw) {
        let q = self.queue;
        hw.wr_q(RXDCTL::offset(q), 0);
        let base = self.desc.dma_handle();
        // CAST: low and high halves of the 64-bit ring address.
        hw.wr_q(RDBAL::offset(q), base as u32);
        hw.wr_q(RDBAH::offset(q), (base >> 32) as u32);
        hw.wr_q(RDLEN::offset(q), len_bytes(self.idx.count()));
        hw.wr_q(
            SRRCTL::offset(q),
            // CAST: at most 127 (checked in `new`).
            SRRCTL::BSIZEPACKET.val((self.buf_len / 1024) as u32)
                | SRRCTL::DESCTYPE.val(1)
                | SRRCTL::DROP_EN.mask(),
        );
        // The ring is fresh: the device starts at slot 0, where `fill` started.
        hw.wr_q(RDH::offset(q), self.idx.next_to_clean());
        hw.wr_q(RDT::offset(q), 0);
        hw.wr_q(
            RXDCTL::offset(q),
            RXDCTL::ENABLE.mask() | RXDCTL::WTHRESH.val(1),
        );
        self.write_tail(hw);
    }

    /// Writes a read-format descriptor for `addr` at `next_to_use`; returns its slot, or
    /// `None` if the ring is full. The caller stores the buffer in that slot and then calls
    /// `idx.produce()`.
    #[inline]
    fn post_desc(&mut self, addr: DmaAddress) -> Option<usize> {
        if self.idx.unused() == 0 {
            return None;
        }
        let d = AdvRxDescRead {
            pkt_addr: addr,
            hdr_addr: 0,
        }
        .to_raw();
        // CAST: indices are below `count`.
        let slot = self.idx.next_to_use() as usize;
        self.desc.write(slot, &d).ok()?;
        Some(slot)
    }

    /// Gives the buffer of slot `from` (the slot just consumed, or `next_to_use` itself for a
    /// spare buffer), whose page's current half is at `addr`, to the device at `next_to_use`.
    /// Returns `false` if the ring is full. The caller read `addr` from the page it just
    /// handled, so the buffer is not looked up again.
    #[inline(always)]
    fn post_half(&mut self, from: usize, addr: DmaAddress) -> bool {
        if self.idx.unused() == 0 {
            return false;
        }
        // CAST: indices are below `count`.
        let to = self.idx.next_to_use() as usize;
        let RxBufs::Half(h) = &mut self.bufs else {
            return false;
        };
        let d = AdvRxDescRead {
            pkt_addr: addr,
            hdr_addr: 0,
        }
        .to_raw();
        if self.desc.write(to, &d).is_err() {
            return false;
        }
        h.pass(from, to);
        self.idx.produce();
        true
    }

    /// Gives whole-frame buffer `map` to the device at `next_to_use`. Returns `false` if the
    /// ring is full (the buffer is dropped).
    fn post_whole(&mut self, map: RxMap) -> bool {
        let Some(slot) = self.post_desc(map.dma_handle()) else {
            return false;
        };
        let RxBufs::Whole(bufs) = &mut self.bufs else {
            return false;
        };
        match bufs.get_mut(slot) {
            Some(s) => *s = Some(map),
            None => return false,
        }
        self.idx.produce();
        true
    }

    fn write_tail(&self, hw: &Hw) {
        // Make the descriptors visible to the device before it sees the new tail.
        dma::wmb();
        hw.wr_q(RDT::offset(self.queue), self.idx.next_to_use());
    }

    /// Gives new buffers to every free descriptor; on allocation or mapping failure, counts it
    /// and stops (the ring keeps working with fewer buffers; the next poll tries again).
    pub(crate) fn refill(
        &mut self,
        hw: &Hw,
        dev: &device::Device,
        gfp: Flags,
        stats: &RxQueueStats,
    ) {
        if self.post_new(dev, gfp, stats) {
            self.write_tail(hw);
        }
    }

    /// Makes sure the spare buffer of `next_to_use` holds a page (allocating one if not);
    /// returns that slot and the address of the page's current half, for [`Self::post_half`].
    fn spare_page(&mut self, dev: &device::Device, gfp: Flags) -> Result<(usize, DmaAddress)> {
        // CAST: indices are below `count`.
        let to = self.idx.next_to_use() as usize;
        let in_place = self.in_place;
        let RxBufs::Half(h) = &mut self.bufs else {
            return Err(EINVAL);
        };
        let entry = h.owner(to).and_then(|b| h.pages.get_mut(b)).ok_or(EINVAL)?;
        let addr = match entry {
            Some(p) => p.dma_handle(),
            None => entry.insert(new_page(dev, in_place, gfp)?).dma_handle(),
        };
        Ok((to, addr))
    }

    /// Posts new buffers on the free descriptors without moving the tail; returns whether any
    /// was posted.
    fn post_new(&mut self, dev: &device::Device, gfp: Flags, stats: &RxQueueStats) -> bool {
        let mut posted = false;
        let half = matches!(self.bufs, RxBufs::Half(_));
        while self.idx.unused() > 0 {
            let ok = if half {
                self.spare_page(dev, gfp)
                    .map(|(slot, addr)| self.post_half(slot, addr))
            } else {
                new_whole(dev, self.buf_len, gfp).map(|m| self.post_whole(m))
            };
            match ok {
                Ok(true) => posted = true,
                Ok(false) => break,
                Err(_) => {
                    stats.refill_failed.inc();
                    break;
                }
            }
        }
        stats.in_flight.set(u64::from(self.idx.in_flight()));
        posted
    }

    /// Receives up to `budget` frames (NAPI context) and passes them to the stack, or first to
    /// the XDP program of `xdp`. Returns the number of descriptors processed.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn clean(
        &mut self,
        ctx: &mut PollContext<'_>,
        netdev: &NetDev,
        hw: &Hw,
        dev: &device::Device,
        budget: usize,
        stats: &RxQueueStats,
        xdp: Option<XdpRun<'_>>,
    ) -> usize {
        let mut batch = RxBatch::new(netdev, stats);
        // XDP runs only on rings that build frames in place (`xdp_setup` refuses the others).
        // The loop is built twice, with and without XDP: the usual path tests nothing for it
        // per frame.
        let mut state;
        let done = match xdp.filter(|_| self.in_place) {
            Some(run) => {
                state = XdpState::new(run);
                batch.xdp = Some(&mut state);
                self.receive_out_of_line::<true, true>(ctx, netdev, hw, dev, budget, &mut batch)
            }
            None if matches!(self.bufs, RxBufs::Half(_)) => {
                self.receive::<false, true>(ctx, netdev, hw, dev, budget, &mut batch)
            }
            None => {
                self.receive_out_of_line::<false, false>(ctx, netdev, hw, dev, budget, &mut batch)
            }
        };
        batch.flush();
        // Slots left empty by earlier failures get new buffers.
        if self.idx.unused() > 0 {
            self.refill(hw, dev, GFP_ATOMIC, stats);
        }
        stats.in_flight.set(u64::from(self.idx.in_flight()));
        done
    }

    /// [`Self::receive`] out of line: the loops with an XDP program and of whole-frame (jumbo)
    /// buffers, so that the usual one stays small in the poll.
    #[inline(never)]
    fn receive_out_of_line<const XDP: bool, const HALF: bool>(
        &mut self,
        ctx: &mut PollContext<'_>,
        netdev: &NetDev,
        hw: &Hw,
        dev: &device::Device,
        budget: usize,
        batch: &mut RxBatch<'_, '_>,
    ) -> usize {
        self.receive::<XDP, HALF>(ctx, netdev, hw, dev, budget, batch)
    }

    /// The receive loop of [`Self::clean`]: up to `budget` descriptors, the buffers reposted
    /// in batches; `XDP`: the batch has an XDP program; `HALF`: a ring of half pages (else of
    /// whole-frame buffers). Returns the descriptors processed.
    #[inline(always)]
    fn receive<const XDP: bool, const HALF: bool>(
        &mut self,
        ctx: &mut PollContext<'_>,
        netdev: &NetDev,
        hw: &Hw,
        dev: &device::Device,
        budget: usize,
        batch: &mut RxBatch<'_, '_>,
    ) -> usize {
        let mut done = 0;
        let mut posted = 0;
        while done < budget {
            if self.idx.in_flight() == 0 {
                break;
            }
            // CAST: indices are below `count`.
            let slot = self.idx.next_to_clean() as usize;
            let Ok(raw) = self.desc.read(slot) else { break };
            if !AdvRxDescWb::is_done(raw) {
                break;
            }
            // Order the reads of the rest of the descriptor after the read of its DD bit.
            dma::rmb();
            let Ok(raw) = self.desc.read(slot) else { break };
            let wb = AdvRxDescWb::from_raw(raw);
            self.idx.consume();
            done += 1;
            let reposted = if HALF {
                self.rx_half::<XDP>(ctx, netdev, dev, slot, wb, batch)
            } else {
                self.rx_whole(ctx, netdev, dev, slot, wb, batch)
            };
            if reposted {
                posted += 1;
            }
            // Hand buffers back while the poll goes on: under load the device
            // drops (uncounted) what arrives for a ring that looks empty to it.
            if posted >= TAIL_BATCH {
                self.write_tail(hw);
                posted = 0;
            }
        }
        if posted > 0 {
            self.write_tail(hw);
        }
        done
    }

    /// Counts a frame the device reported bad.
    fn count_bad(verdict: RxVerdict, stats: &RxQueueStats) {
        match verdict {
            RxVerdict::BadLength => stats.length_errors.inc(),
            RxVerdict::Fragment => stats.fragments.inc(),
            _ => stats.errors.inc(),
        }
    }

    /// The frame of descriptor `slot` (written back as `wb`) in a ring of half pages: hands it
    /// to the stack and posts the buffer to use next (the same half, the other half, or a new
    /// page when the stack kept this one). Returns whether a buffer was posted.
    #[inline]
    fn rx_half<const XDP: bool>(
        &mut self,
        ctx: &mut PollContext<'_>,
        netdev: &NetDev,
        dev: &device::Device,
        slot: usize,
        wb: AdvRxDescWb,
        b: &mut RxBatch<'_, '_>,
    ) -> bool {
        let (in_place, buf_len) = (self.in_place, self.buf_len);
        // CAST: queue < MAX_QUEUES.
        let queue = self.queue as u16;
        let rxq = &self.rxq;
        let RxBufs::Half(h) = &mut self.bufs else {
            return false;
        };
        // The page stays where it is while the frame is handled and after (it is five words;
        // moving it through every step costs more than the step).
        let Some(entry) = h.owner(slot).and_then(|b| h.pages.get_mut(b)) else {
            return false;
        };
        // Not reached for a descriptor the driver posted: it is posted only with a page in its
        // buffer. A guard against a device that writes back a descriptor it was not given.
        if entry.is_none() {
            return false;
        }
        match wb.verdict(buf_len) {
            RxVerdict::Frame(meta) if XDP => {
                Self::receive_xdp(ctx, netdev, rxq, entry, meta, b, queue);
            }
            RxVerdict::Frame(meta) => {
                Self::receive_half(ctx, netdev, entry, meta, b, in_place, queue);
            }
            // The CPU never touched the buffer: it goes back to the device as is.
            verdict => Self::count_bad(verdict, b.stats),
        }
        let addr = match entry {
            Some(p) => p.dma_handle(),
            // The page went to the stack with its other half still in use: a new one.
            None => match new_page(dev, in_place, GFP_ATOMIC) {
                Ok(p) => entry.insert(p).dma_handle(),
                Err(_) => {
                    b.stats.refill_failed.inc();
                    return false;
                }
            },
        };
        self.post_half(slot, addr)
    }

    /// As [`Self::rx_half`], in a ring of whole-frame (jumbo) buffers: the frame is copied
    /// into a new skb and the same buffer mapped and posted again.
    fn rx_whole(
        &mut self,
        ctx: &mut PollContext<'_>,
        netdev: &NetDev,
        dev: &device::Device,
        slot: usize,
        wb: AdvRxDescWb,
        b: &mut RxBatch<'_, '_>,
    ) -> bool {
        let RxBufs::Whole(bufs) = &mut self.bufs else {
            return false;
        };
        let Some(map) = bufs.get_mut(slot).and_then(Option::take) else {
            return false;
        };
        let next = match wb.verdict(self.buf_len) {
            RxVerdict::Frame(meta) => {
                // The CPU owns the buffer only once it is unmapped.
                let buf = map.unmap();
                self.deliver(ctx, netdev, &buf, meta, b);
                SingleMapping::map(dev, buf, DataDirection::FromDevice).ok()
            }
            verdict => {
                Self::count_bad(verdict, b.stats);
                Some(map)
            }
        };
        let next = match next {
            Some(m) => m,
            None => match new_whole(dev, self.buf_len, GFP_ATOMIC) {
                Ok(m) => m,
                Err(_) => {
                    b.stats.refill_failed.inc();
                    return false;
                }
            },
        };
        self.post_whole(next)
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

    /// A frame in the half page in `entry` of a ring with an XDP program: the program runs on
    /// it, and its verdict says where it goes (see [`RxPage::run_xdp`]). Leaves in `entry` the
    /// buffer to post next, as [`Self::receive_half`].
    #[inline(never)]
    fn receive_xdp(
        ctx: &mut PollContext<'_>,
        netdev: &NetDev,
        rxq: &XdpRxq,
        entry: &mut Option<RxPage>,
        meta: RxFrame,
        b: &mut RxBatch<'_, '_>,
        queue: u16,
    ) {
        let Some(prog) = b.xdp.as_deref().map(|x| x.run.prog) else {
            return;
        };
        let Some(page) = entry.as_ref() else {
            return;
        };
        let len = meta.len;
        if page.sync_for_cpu(len).is_err() {
            b.stats.length_errors.inc();
            return;
        }
        let stats = b.stats;
        let verdict = match RxPage::run_xdp(entry, ctx, netdev, rxq, prog, len) {
            Ok(v) => v,
            Err(e) => {
                if e == ENOMEM {
                    stats.alloc_failed.inc();
                } else {
                    stats.length_errors.inc();
                }
                return;
            }
        };
        if let XdpVerdict::Pass(skb) = verdict {
            stats.xdp_pass.inc();
            // Counted there.
            Self::finish(ctx, netdev, skb, meta, b, queue);
            return;
        }
        // The frame stayed with XDP: counted as received (as C igb does) and by verdict.
        b.packets = b.packets.wrapping_add(1);
        // CAST: usize to u64 is lossless on 64-bit targets.
        b.bytes = b.bytes.wrapping_add(len as u64);
        match verdict {
            XdpVerdict::Tx(frame) => {
                stats.xdp_tx.inc();
                if let Some(x) = b.xdp.as_deref_mut() {
                    x.push(frame);
                }
            }
            XdpVerdict::Redirect => stats.xdp_redirect.inc(),
            XdpVerdict::Drop => stats.xdp_drop.inc(),
            XdpVerdict::Aborted | XdpVerdict::Pass(_) => stats.xdp_aborted.inc(),
        }
    }

    /// A frame in the half page in `entry`: copied whole if small, else handed over in the
    /// page (as the skb's head, or headers copied and the rest attached as a page fragment).
    /// Leaves in `entry` the buffer to post next (`None`: the page went to the stack with its
    /// other half still there, a new one is needed).
    #[inline]
    fn receive_half(
        ctx: &mut PollContext<'_>,
        netdev: &NetDev,
        entry: &mut Option<RxPage>,
        meta: RxFrame,
        b: &mut RxBatch<'_, '_>,
        in_place: bool,
        queue: u16,
    ) {
        let Some(page) = entry.as_ref() else {
            return;
        };
        let len = meta.len;
        // `verdict` checked `len <= buf_len`; the page's buffer may be shorter (headroom):
        // `sync_for_cpu` checks against it, and `read`, `into_skb` and `into_frag` check again.
        if page.sync_for_cpu(len).is_err() {
            b.stats.length_errors.inc();
            return;
        }
        if in_place {
            // The half page becomes the skb's head, also for small frames: no allocation of
            // data or copy (C igb `build_skb` mode; with UDP 64-byte floods 2% more packets
            // per second and TCP_RR 1.5% faster than copying them out, instruction clock).
            match RxPage::into_skb(entry, ctx, len) {
                Ok(skb) => Self::finish(ctx, netdev, skb, meta, b, queue),
                Err(e) => {
                    // Too long to leave room for the shared info, or no skb.
                    if e == ENOMEM {
                        b.stats.alloc_failed.inc();
                    } else {
                        b.stats.length_errors.inc();
                    }
                    if let Some(page) = entry.as_ref() {
                        let _ = page.sync_for_device(len);
                    }
                }
            }
            return;
        }
        let Some(page) = entry.take() else {
            return;
        };
        *entry = Self::copy_half(ctx, netdev, page, meta, b, queue);
    }

    /// A frame in half page `page` of a ring whose frames do not fit behind the skb headroom:
    /// copied whole if small, else headers copied and the rest attached as a page fragment.
    /// Returns the buffer to post next (`None`: the page went to the stack with its other half
    /// still there).
    fn copy_half(
        ctx: &mut PollContext<'_>,
        netdev: &NetDev,
        page: RxPage,
        meta: RxFrame,
        b: &mut RxBatch<'_, '_>,
        queue: u16,
    ) -> Option<RxPage> {
        let len = meta.len;
        let copy = if len <= COPYBREAK { len } else { HDR_COPY };
        // CAST: copy <= 256.
        let Ok(mut skb) = ctx.alloc_skb(copy as u32) else {
            b.stats.alloc_failed.inc();
            let _ = page.sync_for_device(len);
            return Some(page);
        };
        // CAST: copy <= 256.
        if skb.put(copy as u32).and_then(|d| page.read(d)).is_err() {
            b.stats.length_errors.inc();
            let _ = page.sync_for_device(len);
            return Some(page);
        }
        let next = if len <= COPYBREAK {
            // Copied whole: the same half goes back to the device.
            let _ = page.sync_for_device(len);
            Some(page)
        } else {
            // Keep the headers in the skb, the rest stays in the page.
            let hl = skb.eth_headlen(netdev);
            skb.trim(hl);
            // CAST: u32 to usize.
            let hl = hl as usize;
            match page.into_frag(&mut skb, hl, len.saturating_sub(hl)) {
                Ok(next) => next,
                Err(page) => {
                    b.stats.length_errors.inc();
                    let _ = page.sync_for_device(len);
                    return Some(page);
                }
            }
        };
        Self::finish(ctx, netdev, skb, meta, b, queue);
        next
    }

    fn deliver(
        &self,
        ctx: &mut PollContext<'_>,
        netdev: &NetDev,
        buf: &RxVec,
        meta: RxFrame,
        b: &mut RxBatch<'_, '_>,
    ) {
        // `verdict` checked `len <= buf_len`; `get` checks again instead of trusting it.
        let Some(data) = buf.get(..meta.len) else {
            b.stats.length_errors.inc();
            return;
        };
        // CAST: len <= buf_len < 128 KiB.
        let Ok(mut skb) = ctx.alloc_skb(meta.len as u32) else {
            b.stats.alloc_failed.inc();
            return;
        };
        if skb.put_data(data).is_err() {
            b.stats.length_errors.inc();
            return;
        }
        // CAST: queue < MAX_QUEUES.
        Self::finish(ctx, netdev, skb, meta, b, self.queue as u16);
    }

    /// Sets the skb's metadata and passes it to GRO.
    #[inline(always)]
    fn finish(
        ctx: &mut PollContext<'_>,
        netdev: &NetDev,
        mut skb: SkBuff,
        meta: RxFrame,
        b: &mut RxBatch<'_, '_>,
        queue: u16,
    ) {
        // The device checks every frame; its verdict is used only while the user leaves RX
        // checksumming on (`ethtool -K rx`), and its hash only while `rxhash` is on.
        let csum_ok = meta.csum_ok && b.csum_on;
        let csum = if csum_ok {
            Checksum::Unnecessary
        } else {
            Checksum::None
        };
        let hash = meta.hash.filter(|_| b.hash_on).map(|h| (h, HashType::L3));
        if skb.set_rx_fields(netdev, csum, hash, queue).is_err() {
            b.stats.length_errors.inc();
            return;
        }
        // The tag the device stripped (CTRL.VME, which follows `ethtool -K rxvlan`).
        if let Some(tci) = meta.vlan.filter(|_| b.vlan_on) {
            put_vlan_tag(&mut skb, tci);
        }
        // Wrapping: plain adds, as the counters they go to.
        b.csum_ok = b.csum_ok.wrapping_add(u64::from(csum_ok));
        b.packets = b.packets.wrapping_add(1);
        // CAST: usize to u64 is lossless on 64-bit targets.
        b.bytes = b.bytes.wrapping_add(meta.len as u64);
        ctx.gro_receive(skb);
    }
}

/// The state of one poll's receive loop: the offloads the user left on, read once, and the
/// counters of the frames handed to the stack, added to the queue's counters once per poll
/// (C igb's `total_packets`/`total_bytes`).
struct RxBatch<'a, 'x> {
    stats: &'a RxQueueStats,
    /// RX checksum offload on (`ethtool -K rx`).
    csum_on: bool,
    /// RX hashing on (`ethtool -K rxhash`).
    hash_on: bool,
    /// RX VLAN tag stripping on (`ethtool -K rxvlan`).
    vlan_on: bool,
    packets: u64,
    bytes: u64,
    csum_ok: u64,
    /// The XDP program of the poll and its pending `XDP_TX` frames, if one is attached. A
    /// reference: the state is large, and a small batch stays in registers.
    xdp: Option<&'x mut XdpState<'a>>,
}

/// What a poll's XDP program needs from the queue vector: the program, and where its
/// `XDP_TX` frames go.
pub(crate) struct XdpRun<'a> {
    /// The program, for this poll.
    pub(crate) prog: XdpProg<'a>,
    /// Sends a batch of `XDP_TX` frames out of the port.
    pub(crate) tx: &'a dyn XdpTxSink,
}

/// A place to send `XDP_TX` frames: a TX ring of the port.
pub(crate) trait XdpTxSink {
    /// Queues `frames` and moves the tail (the ring's xmit lock taken once per batch).
    fn send(&self, frames: &mut dyn Iterator<Item = XdpFrame>);
}

/// `XDP_TX` frames sent together.
const XDP_TX_BATCH: usize = 16;

/// The XDP state of one poll.
struct XdpState<'a> {
    run: XdpRun<'a>,
    /// `XDP_TX` frames not sent yet: `pending[..n]`.
    pending: [Option<XdpFrame>; XDP_TX_BATCH],
    n: usize,
}

impl<'a> XdpState<'a> {
    fn new(run: XdpRun<'a>) -> Self {
        Self {
            run,
            pending: [const { None }; XDP_TX_BATCH],
            n: 0,
        }
    }

    /// Adds an `XDP_TX` frame; sends the batch when it is full.
    fn push(&mut self, frame: XdpFrame) {
        if let Some(slot) = self.pending.get_mut(self.n) {
            *slot = Some(frame);
            self.n += 1;
        }
        if self.n >= XDP_TX_BATCH {
            self.send();
        }
    }

    /// Sends the pending `XDP_TX` frames.
    fn send(&mut self) {
        if self.n == 0 {
            return;
        }
        let n = self.n;
        self.n = 0;
        let mut frames = self.pending.iter_mut().take(n).filter_map(Option::take);
        self.run.tx.send(&mut frames);
    }
}

impl<'a, 'x> RxBatch<'a, 'x> {
    fn new(netdev: &NetDev, stats: &'a RxQueueStats) -> Self {
        let feat = netdev.features();
        Self {
            stats,
            csum_on: feat & features::RXCSUM != 0,
            hash_on: feat & features::RXHASH != 0,
            vlan_on: feat & features::HW_VLAN_CTAG_RX != 0,
            packets: 0,
            bytes: 0,
            csum_ok: 0,
            xdp: None,
        }
    }

    /// Sends the pending `XDP_TX` frames and adds the frames of the poll to the queue's
    /// counters.
    fn flush(&mut self) {
        if let Some(x) = self.xdp.as_deref_mut() {
            x.send();
        }
        if self.packets > 0 {
            self.stats.packets.add(self.packets);
            self.stats.bytes.add(self.bytes);
            self.stats.csum_ok.add(self.csum_ok);
        }
    }
}

/// The ethertype of an 802.1Q tag (C `ETH_P_8021Q`).
const ETH_P_8021Q: u16 = 0x8100;

/// Attaches a stripped 802.1Q tag to `skb`. Out of line: untagged frames do not carry it in
/// the receive loop.
#[inline(never)]
fn put_vlan_tag(skb: &mut SkBuff, tci: u16) {
    skb.put_vlan_tag(ETH_P_8021Q, tci);
}
