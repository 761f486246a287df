// SPDX-License-Identifier: GPL-2.0

//! net_device operations: open, stop, transmit, statistics.

use crate::{
    adapter::{QueuePair, Shared},
    hw::{self},
    regs::*,
    rx::{buf_len_for_mtu, RxRing, FRAME_OVERHEAD},
    stats,
    tx::TxRing,
};
use core::sync::atomic::Ordering;
use kernel::{
    net::dev::{Device, NetDeviceOps, NetdevTx, RtnlLinkStats64, ETH_ALEN},
    net::skb::SkBuff,
    prelude::*,
    sync::Arc,
};

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

/// A fixed RSS key (the Microsoft Toeplitz verification key), mixed with the MAC address so
/// that the two ports of a machine hash differently.
const RSS_KEY: [u8; 40] = [
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f,
    0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
    0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
];

fn setup_rss(s: &Shared, mac: &[u8; 6]) {
    let h = &s.hw;
    let nq = s.active_count();
    let mut key = RSS_KEY;
    for (i, k) in key.iter_mut().enumerate() {
        *k ^= mac.get(i % 6).copied().unwrap_or(0);
    }
    for (n, chunk) in key.chunks_exact(4).enumerate() {
        h.wr_q(RSSRK::offset(n), u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]));
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
    h.wr(RXCSUM::OFFSET, RXCSUM::IPOFLD.mask() | RXCSUM::TUOFLD.mask() | RXCSUM::PCSD.mask());
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

fn free_rings(s: &Shared) {
    for qp in s.active_queues() {
        let rx = qp.rx.lock().take();
        let tx = qp.tx.lock().take();
        // Dropped outside the locks: unmaps every buffer and frees the descriptor memory
        // (the queues are disabled and the device's DMA has stopped).
        drop(rx);
        drop(tx);
    }
}

fn alloc_and_configure(s: &Shared, qp: &QueuePair, q: usize, buf_len: usize) -> Result {
    let dev = s.dma_dev();
    let mut rx = RxRing::new(dev, s.rx_count.load(Ordering::Relaxed), q, buf_len)?;
    let mut tx = TxRing::new(dev, s.tx_count.load(Ordering::Relaxed), q)?;
    tx.configure(&s.hw);
    rx.configure(&s.hw, dev, &qp.rx_stats)?;
    *qp.tx.lock() = Some(tx);
    *qp.rx.lock() = Some(rx);
    Ok(())
}

/// Stops receive and transmit DMA, masks interrupts and waits for handlers (stop, remove).
pub(crate) fn quiesce(s: &Shared) {
    s.running.store(false, Ordering::Release);
    s.disable_irqs();
    let h = &s.hw;
    h.wr(RCTL::OFFSET, 0);
    h.wr(TCTL::OFFSET, TCTL::PSP.mask());
    for qp in s.active_queues() {
        if let Some(r) = qp.rx.lock().as_ref() {
            r.disable(h);
        }
        if let Some(t) = qp.tx.lock().as_ref() {
            t.disable(h);
        }
    }
    h.flush();
    // Let in-flight DMA finish before the memory is released (datasheet 4.5.9.1).
    crate::adapter::sleep_us(2_000);
}

#[vtable]
impl NetDeviceOps for Adapter {
    fn open(dev: &Device<Self>) -> Result {
        let s = &dev.data().shared;
        if !s.ready.load(Ordering::Acquire) || s.gone.load(Ordering::Relaxed) {
            return Err(EAGAIN);
        }
        let mac = dev.dev_addr();
        let h = &s.hw;
        let mtu = dev.mtu();
        let buf_len = buf_len_for_mtu(mtu);
        for (q, qp) in s.active_queues().iter().enumerate() {
            if let Err(e) = alloc_and_configure(s, qp, q, buf_len) {
                quiesce(s);
                free_rings(s);
                return Err(e);
            }
        }
        // Receive address filter 0 follows the interface address.
        let _ = hw::mac::write_rar(h, 0, &mac);
        setup_rss(s, &mac);
        crate::ethtool::apply_rss(s);
        // Frames longer than a standard one need RCTL.LPE and a matching RLPML.
        let lpe = if mtu > 1500 { RCTL::LPE.mask() } else { 0 };
        h.wr(RLPML::OFFSET, mtu + FRAME_OVERHEAD);
        // Accept all multicast (no MTA programming yet) and broadcast; strip the CRC.
        h.wr(
            RCTL::OFFSET,
            RCTL::EN.mask() | RCTL::BAM.mask() | RCTL::MPE.mask() | RCTL::SECRC.mask() | lpe,
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
        s.running.store(true, Ordering::Release);
        s.enable_irqs();
        dev.tx_wake_all_queues();
        s.update_link(dev);
        Ok(())
    }

    fn stop(dev: &Device<Self>) -> Result {
        let s = &dev.data().shared;
        dev.tx_stop_all_queues();
        dev.carrier_off();
        quiesce(s);
        free_rings(s);
        // CAST: at most MAX_QUEUES.
        for q in 0..s.num_queues as u32 {
            if let Some(txq) = dev.tx_queue(q) {
                txq.reset();
            }
        }
        Ok(())
    }

    fn change_mtu(dev: &Device<Self>, new_mtu: u32) -> Result {
        // The core checked `new_mtu` against [min_mtu, max_mtu]. Buffers are sized for the MTU:
        // a running interface gets new rings.
        if dev.is_running() {
            Self::stop(dev)?;
            dev.set_mtu(new_mtu);
            Self::open(dev)
        } else {
            dev.set_mtu(new_mtu);
            Ok(())
        }
    }

    fn set_mac_address(dev: &Device<Self>, addr: &[u8; ETH_ALEN]) -> Result {
        let s = &dev.data().shared;
        hw::mac::write_rar(&s.hw, 0, addr).map_err(crate::adapter::hw_err)?;
        dev.set_dev_addr(addr)
    }

    fn start_xmit(dev: &Device<Self>, skb: SkBuff) -> NetdevTx {
        let s = &dev.data().shared;
        let q = usize::from(skb.queue_mapping()).min(s.active_count() - 1);
        let Some(qp) = s.queues.get(q) else {
            return NetdevTx::Ok;
        };
        if !s.is_running() {
            qp.tx_stats.dropped.inc();
            return NetdevTx::Ok;
        }
        // CAST: q < MAX_QUEUES.
        let txq = dev.tx_queue(q as u32);
        let mut guard = qp.tx.lock();
        match guard.as_mut() {
            Some(ring) => ring.xmit(skb, &s.hw, s.dma_dev(), txq, &qp.tx_stats),
            None => {
                qp.tx_stats.dropped.inc();
                NetdevTx::Ok
            }
        }
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
