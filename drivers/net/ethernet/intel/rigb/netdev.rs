// SPDX-License-Identifier: GPL-2.0

//! net_device operations: open, stop, transmit, statistics, receive filters, MAC address, TX
//! watchdog; and the ring re-layout shared by `ethtool -G` and the reset task.

use crate::{
    adapter::Shared,
    hw::{self, mac::MtaTable},
    regs::*,
    rx::{RxRing, FRAME_OVERHEAD},
    stats,
    tx::{TxCleaner, TxRing},
};
use core::sync::atomic::Ordering;
use kernel::{
    alloc::KVec,
    bh, c_str, dev_err, dev_info, dev_warn,
    net::dev::{features, Device, NetDeviceOps, NetdevTx, RtnlLinkStats64, VlanId, ETH_ALEN},
    net::{
        ethtool::ExtAck,
        rtnl::Rtnl,
        rx_mode::RxMode,
        skb::SkBuff,
        xdp::{BpfProg, XdpRxq, XdpXmit},
        xmit_lock::XmitLock,
    },
    prelude::*,
    sync::Arc,
};

/// The largest MTU with which XDP programs run: frames built in place in half a page.
// CAST: RX_SKB_MAX is below a page.
const XDP_MAX_MTU: u32 = kernel::net::rx_page::RX_SKB_MAX as u32 - FRAME_OVERHEAD;

/// The net_device's private data.
pub(crate) struct Adapter {
    pub(crate) shared: Arc<Shared>,
}

impl Adapter {
    /// Private data sharing `shared`.
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

fn setup_rss(s: &Shared) {
    let h = &s.hw;
    let nq = s.active_count();
    // The host's random key (chosen at probe): flows cannot be steered by someone who knows a
    // fixed key.
    for (n, chunk) in s.ctl.rss_key.chunks_exact(4).enumerate() {
        h.wr_q(
            RSSRK::offset(n),
            u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]),
        );
    }
    // 128 one-byte entries, queue = entry % nq.
    for n in 0..RETA::COUNT {
        let mut v = [0u8; 4];
        for (j, b) in v.iter_mut().enumerate() {
            // CAST: the result is below MAX_QUEUES.
            *b = ((n * 4 + j) % nq) as u8;
        }
        h.wr_q(RETA::offset(n), u32::from_le_bytes(v));
    }
    // Report the RSS hash in the descriptor instead of the IP checksum (RSS needs PCSD).
    h.wr(
        RXCSUM::OFFSET,
        RXCSUM::IPOFLD.mask() | RXCSUM::TUOFLD.mask() | RXCSUM::PCSD.mask(),
    );
    let mrqc = if nq > 1 {
        MRQC::MRQ_ENABLE.val(2)
            | MRQC::RSS_FIELD_IPV4.mask()
            | MRQC::RSS_FIELD_IPV4_TCP.mask()
            | MRQC::RSS_FIELD_IPV6.mask()
            | MRQC::RSS_FIELD_IPV6_TCP.mask()
            | MRQC::RSS_FIELD_IPV4_UDP.mask()
    } else {
        0
    };
    h.wr(MRQC::OFFSET, mrqc);
}

/// Frees the rings of every queue pair in use: unmaps every buffer and frees the descriptor
/// memory. Only after [`quiesce`], whose proof it takes: the device must no longer own any of
/// that memory.
fn free_rings(dev: &Device<Adapter>, _stopped: &Quiesced) {
    let s = &dev.data().shared;
    for (q, qp) in (0u32..).zip(s.active_queues()) {
        let rx = bh::lock(&qp.rx).take();
        let tx = dev
            .with_xmit_lock(q, |l| qp.tx.get(l).and_then(Option::take))
            .flatten();
        let tx_clean = bh::lock(&qp.tx_clean).take();
        // Dropped outside the locks (the queues' DMA has stopped: `Quiesced`).
        drop(rx);
        drop(tx);
        drop(tx_clean);
    }
}

/// New rings for every queue pair in use, RX rings filled with buffers. Nothing is written to
/// the device: on failure everything allocated is freed and the rings in use (if any) are
/// untouched.
fn alloc_rings(
    netdev: &Device<Adapter>,
    rx_count: u32,
    tx_count: u32,
    mtu: u32,
) -> Result<KVec<(RxRing, TxRing, TxCleaner)>> {
    let s = &netdev.data().shared;
    let dev = s.dma_dev();
    let queues = s.active_queues();
    let mut rings = KVec::with_capacity(queues.len(), GFP_KERNEL)?;
    for (q, qp) in (0u32..).zip(queues.iter()) {
        let rxq = XdpRxq::new(netdev, q)?;
        // CAST: u32 to usize.
        let q = q as usize;
        let mut rx = RxRing::new(dev, rx_count, q, mtu, rxq)?;
        rx.fill(dev, &qp.rx_stats)?;
        let (tx, tx_clean) = TxRing::new(dev, tx_count, q)?;
        rings.push((rx, tx, tx_clean), GFP_KERNEL)?;
    }
    Ok(rings)
}

/// Hands `rings` (from [`alloc_rings`]) to the device and starts receive and transmit: the
/// second half of `open`. The interface must be quiesced (no rings installed).
fn start(dev: &Device<Adapter>, rings: KVec<(RxRing, TxRing, TxCleaner)>) {
    let s = &dev.data().shared;
    let h = &s.hw;
    for ((q, (mut rx, mut tx, tx_clean)), qp) in (0u32..).zip(rings).zip(s.active_queues()) {
        rx.configure(h);
        *bh::lock(&qp.tx_clean) = Some(tx_clean);
        dev.with_xmit_lock(q, |l| {
            // Always `Some`: the cell was bound to this queue at probe.
            if let Some(slot) = qp.tx.get(l) {
                tx.configure(h);
                *slot = Some(tx);
            }
        });
        *bh::lock(&qp.rx) = Some(rx);
    }
    let mtu = dev.mtu();
    // Receive address filter 0 follows the interface address.
    let _ = hw::mac::write_rar(h, 0, &dev.dev_addr());
    setup_rss(s);
    // What the user set with ethtool -X/-N replaces the defaults.
    crate::ethtool::apply_rss(s);
    // The VLAN filter table, ethertype and tag stripping, as the stack last set them.
    crate::vlan::restore(s, dev.features() & features::HW_VLAN_CTAG_RX != 0);
    // Frames longer than a standard one need RCTL.LPE and a matching RLPML.
    let lpe = if mtu > 1500 { RCTL::LPE.mask() } else { 0 };
    h.wr(RLPML::OFFSET, mtu + FRAME_OVERHEAD);
    // Broadcast accepted, CRC stripped; unicast/multicast promiscuous as `set_rx_mode` chose
    // (the multicast table and filters 1.. keep what it programmed).
    s.ctl.rctl_base.store(
        RCTL::EN.mask() | RCTL::BAM.mask() | RCTL::SECRC.mask() | lpe,
        Ordering::SeqCst,
    );
    h.wr(
        TCTL::OFFSET,
        TCTL::EN.mask() | TCTL::PSP.mask() | TCTL::CT.val(0xF) | TCTL::COLD.val(0x3F),
    );
    // CAST: at most MAX_QUEUES.
    for q in 0..s.num_queues as u32 {
        if let Some(txq) = dev.tx_queue(q) {
            txq.reset();
        }
    }
    s.configure_msix();
    s.running.store(true, Ordering::SeqCst);
    s.write_rctl();
    s.enable_irqs();
    dev.tx_wake_all_queues();
    // `open` and the reset task hold RTNL: the pause enables can be restored right here.
    if s.update_link(dev) {
        crate::ethtool::apply_pause(s);
    }
}

/// Re-lays the rings of a running interface with `rx_count`/`tx_count` descriptors: allocates
/// the new rings first, then stops the device, frees the old rings and starts on the new ones.
/// If the allocation fails the interface keeps running on its old rings. On an interface that
/// is down, only records the sizes for the next `open`. Used by `ethtool -G` and by the reset
/// task (same sizes). RTNL held, process context.
pub(crate) fn relayout(dev: &Device<Adapter>, rx_count: u32, tx_count: u32) -> Result {
    let s = &dev.data().shared;
    if !dev.is_running() {
        // Down: the next `open` allocates rings of these sizes.
        s.rx_count.store(rx_count, Ordering::Relaxed);
        s.tx_count.store(tx_count, Ordering::Relaxed);
        return Ok(());
    }
    if !s.ready.load(Ordering::Acquire) || s.gone.load(Ordering::Relaxed) {
        return Err(EAGAIN);
    }
    let rings = alloc_rings(dev, rx_count, tx_count, dev.mtu())?;
    Adapter::stop(dev)?;
    s.rx_count.store(rx_count, Ordering::Relaxed);
    s.tx_count.store(tx_count, Ordering::Relaxed);
    start(dev, rings);
    Ok(())
}

/// The reset task's body (C igb's `reinit_locked`): stop and restart a running interface on
/// fresh rings of the same sizes. RTNL held, process context.
pub(crate) fn reset(dev: &Device<Adapter>) {
    let s = &dev.data().shared;
    if !dev.is_running() || !s.is_running() {
        return;
    }
    let (rx, tx) = (
        s.rx_count.load(Ordering::Relaxed),
        s.tx_count.load(Ordering::Relaxed),
    );
    match relayout(dev, rx, tx) {
        Ok(()) => dev_info!(&*s.pdev, "{}: reset done\n", dev.name()),
        Err(e) => dev_err!(&*s.pdev, "{}: reset failed: {:?}\n", dev.name(), e),
    }
}

/// Proof that the device does no more DMA to or from the rings: made only by [`quiesce`].
pub(crate) struct Quiesced(());

/// Stops receive and transmit DMA, masks interrupts and waits for handlers (stop, remove).
///
/// Every queue is disabled and its enable bit read back until it clears (the device clears
/// it once the queue's DMA has stopped, datasheet 4.5.9.1); a queue that does not stop within
/// 10 ms gets the whole device reset, which stops all DMA (C igb resets the device in
/// `igb_down` before cleaning the rings). A device that reads all-ones is gone and does no
/// DMA.
pub(crate) fn quiesce(s: &Shared) -> Quiesced {
    s.running.store(false, Ordering::Release);
    s.disable_irqs();
    let h = &s.hw;
    h.wr(RCTL::OFFSET, 0);
    h.wr(TCTL::OFFSET, TCTL::PSP.mask());
    let nq = s.num_queues;
    for q in 0..nq {
        crate::rx::disable(h, q);
        crate::tx::disable(h, q);
    }
    h.flush();
    let enabled = |q: usize| {
        let rd = |off: Option<usize>| off.map_or(0, |o| h.rd(o));
        let (rx, tx) = (rd(RXDCTL::offset(q)), rd(TXDCTL::offset(q)));
        rx != u32::MAX && (RXDCTL::ENABLE.is_set(rx) || TXDCTL::ENABLE.is_set(tx))
    };
    let mut waited = 0;
    while (0..nq).any(enabled) {
        if waited >= 10_000 {
            dev_warn!(&*s.pdev, "queues did not stop: resetting the device\n");
            if let Err(e) = hw::mac::reset(h, &mut crate::adapter::sleep_us) {
                dev_err!(&*s.pdev, "reset failed: {:?}\n", e);
            }
            break;
        }
        crate::adapter::sleep_us(100);
        waited += 100;
    }
    Quiesced(())
}

#[vtable]
impl NetDeviceOps for Adapter {
    fn open(dev: &Device<Self>) -> Result {
        let s = &dev.data().shared;
        if !s.ready.load(Ordering::Acquire) || s.gone.load(Ordering::Relaxed) {
            return Err(EAGAIN);
        }
        let rings = alloc_rings(
            dev,
            s.rx_count.load(Ordering::Relaxed),
            s.tx_count.load(Ordering::Relaxed),
            dev.mtu(),
        )?;
        start(dev, rings);
        Ok(())
    }

    fn stop(dev: &Device<Self>) -> Result {
        let s = &dev.data().shared;
        // Waits for `start_xmit` calls in progress (each holds its queue's xmit lock): none may
        // reach a queue being reconfigured.
        dev.tx_disable();
        dev.carrier_off();
        let stopped = quiesce(s);
        free_rings(dev, &stopped);
        // CAST: at most MAX_QUEUES.
        for q in 0..s.num_queues as u32 {
            if let Some(txq) = dev.tx_queue(q) {
                txq.reset();
            }
        }
        Ok(())
    }

    fn change_mtu(dev: &Device<Self>, rtnl: &Rtnl, new_mtu: u32) -> Result {
        // The core checked `new_mtu` against [min_mtu, max_mtu]. An XDP program needs every
        // frame built in place in half a page (as C igb, refused with a log line: this
        // callback has no extack).
        if dev.data().shared.ctl.xdp.is_attached() && !crate::rx::xdp_fits(new_mtu) {
            dev_warn!(
                &*dev.data().shared.pdev,
                "{}: MTU {} is too large for XDP (at most {})\n",
                dev.name(),
                new_mtu,
                XDP_MAX_MTU
            );
            return Err(EINVAL);
        }
        // Buffers are sized for the MTU: a running interface gets new rings.
        if dev.is_running() {
            Self::stop(dev)?;
            dev.set_mtu(rtnl, new_mtu);
            Self::open(dev)
        } else {
            dev.set_mtu(rtnl, new_mtu);
            Ok(())
        }
    }

    fn set_mac_address(dev: &Device<Self>, rtnl: &Rtnl, addr: &[u8; ETH_ALEN]) -> Result {
        // Also while up (IFF_LIVE_ADDR_CHANGE): filter 0 switches to the new address at once.
        let s = &dev.data().shared;
        hw::mac::write_rar(&s.hw, 0, addr).map_err(crate::adapter::hw_err)?;
        dev.set_dev_addr(rtnl, addr)
    }

    fn set_rx_mode(dev: &Device<Self>, mode: &RxMode<'_>) {
        let s = &dev.data().shared;
        let h = &s.hw;
        // The VLAN filter is on unless the port is promiscuous, which takes every tag (C igb
        // clears VFE there too when it cannot fill the table).
        let mut filter = 0;
        if mode.promisc() {
            filter |= RCTL::UPE.mask() | RCTL::MPE.mask();
        } else {
            filter |= RCTL::VFE.mask();
            if mode.allmulti() {
                filter |= RCTL::MPE.mask();
            }
        }
        // Secondary unicast addresses: exact filters 1.. (0 is the interface address); more
        // than fit makes the port unicast promiscuous.
        let mut rar = 1;
        for addr in mode.uc_addrs() {
            if rar >= RAL::COUNT {
                filter |= RCTL::UPE.mask();
                break;
            }
            let _ = hw::mac::write_rar(h, rar, &addr);
            rar += 1;
        }
        for n in rar..RAL::COUNT {
            let _ = hw::mac::clear_rar(h, n);
        }
        // Multicast groups: the hash table takes any number (hash collisions let a few other
        // groups through, which the stack drops).
        let mut mta = MtaTable::new();
        for addr in mode.mc_addrs() {
            mta.add(&addr);
        }
        let _ = mta.write(h);
        s.ctl.rx_filter.store(filter, Ordering::SeqCst);
        s.write_rctl();
    }

    fn tx_timeout(dev: &Device<Self>, txqueue: u32) {
        let s = &dev.data().shared;
        let n = s.ctl.tx_timeouts.fetch_add(1, Ordering::Relaxed) + 1;
        dev_warn!(
            &*s.pdev,
            "{}: TX queue {} timed out ({} so far), resetting\n",
            dev.name(),
            txqueue,
            n
        );
        s.request_reset();
    }

    fn start_xmit_locked(dev: &Device<Self>, skb: SkBuff, lock: &mut XmitLock<'_>) -> NetdevTx {
        let s = &dev.data().shared;
        // The stack picks among the `active` queues (the real number of TX queues): the
        // core holds the lock of this one.
        let q = usize::from(skb.queue_mapping());
        let Some(qp) = s.queues.get(q) else {
            return NetdevTx::Ok;
        };
        let txq = lock.queue();
        // No ring (down, or a mapping past the queues in use): dropped.
        let ring = match qp.tx.get(lock) {
            Some(Some(ring)) if s.is_running() => ring,
            _ => {
                qp.tx_stats.dropped.inc();
                return NetdevTx::Ok;
            }
        };
        ring.xmit(skb, txq, &qp.tx_stats, &s.hw)
    }

    fn fix_features(_dev: &Device<Self>, _rtnl: &Rtnl, f: u64) -> u64 {
        // As C igb: tag insertion follows stripping (on the 82576 both hang on CTRL.VME).
        if f & features::HW_VLAN_CTAG_RX != 0 {
            f | features::HW_VLAN_CTAG_TX
        } else {
            f & !features::HW_VLAN_CTAG_TX
        }
    }

    fn set_features(dev: &Device<Self>, _rtnl: &Rtnl, f: u64) -> Result {
        // RTNL held: CTRL's read-modify-writes do not interleave (see `Control::pending_pause`).
        if (f ^ dev.features()) & features::HW_VLAN_CTAG_RX != 0 {
            crate::vlan::set_strip(&dev.data().shared, f & features::HW_VLAN_CTAG_RX != 0);
        }
        Ok(())
    }

    fn vlan_rx_add_vid(dev: &Device<Self>, _rtnl: &Rtnl, _proto: u16, vid: VlanId) -> Result {
        crate::vlan::set_vid(&dev.data().shared, vid, true);
        Ok(())
    }

    fn vlan_rx_kill_vid(dev: &Device<Self>, _rtnl: &Rtnl, _proto: u16, vid: VlanId) -> Result {
        crate::vlan::set_vid(&dev.data().shared, vid, false);
        Ok(())
    }

    fn xdp_setup(dev: &Device<Self>, _rtnl: &Rtnl, prog: Option<BpfProg>, ext: &ExtAck) -> Result {
        let s = &dev.data().shared;
        if prog.is_some() && !crate::rx::xdp_fits(dev.mtu()) {
            ext.set_msg(c_str!(
                "rigb: MTU too large for XDP (frames must fit half a page)"
            ));
            dev_warn!(
                &*s.pdev,
                "{}: XDP needs an MTU of at most {} (now {})\n",
                dev.name(),
                XDP_MAX_MTU,
                dev.mtu()
            );
            return Err(EINVAL);
        }
        // The rings keep their layout: polls under way finish with the old program, the next
        // ones run the new one, and frames keep flowing (no reset, unlike C igb, whose buffer
        // layout changes with a program).
        drop(s.ctl.xdp.replace(prog));
        Ok(())
    }

    fn xdp_xmit(dev: &Device<Self>, frames: &mut XdpXmit<'_>, flush: bool) -> Result {
        crate::tx::send_xdp(dev, &dev.data().shared, frames, flush)
    }

    fn get_stats64(dev: &Device<Self>, out: &mut RtnlLinkStats64) {
        let s = &dev.data().shared;
        let hw = s.hw_stats();
        let q = s.all_queues();
        let t = stats::totals(
            q.iter().map(|p| &p.rx_stats),
            q.iter().map(|p| &p.tx_stats),
            &hw,
        );
        out.rx_packets = t.rx_packets;
        out.rx_bytes = t.rx_bytes;
        out.tx_packets = t.tx_packets;
        out.tx_bytes = t.tx_bytes;
        out.rx_errors = t.rx_errors;
        out.rx_dropped = t.rx_dropped;
        out.tx_dropped = t.tx_dropped;
        out.rx_missed_errors = t.rx_missed;
        out.rx_crc_errors = t.rx_crc_errors;
        out.rx_length_errors = t.rx_length_errors;
        out.multicast = t.multicast;
    }
}
