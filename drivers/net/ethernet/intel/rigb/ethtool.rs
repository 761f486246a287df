// SPDX-License-Identifier: GPL-2.0

//! ethtool: driver info, link, ring sizes, channels and per-queue / per-vector statistics.

use crate::{
    adapter::Shared,
    hw,
    netdev::Adapter,
    ring::{RingIndex, MAX_DESCS},
};
use core::sync::atomic::Ordering;
use kernel::{
    c_str,
    net::dev::NetDeviceOps,
    net::{
        dev::Device,
        ethtool::{Channels, DrvInfo, Duplex, EthtoolOps, LinkKsettings, RingParam, StringSet, Strings},
    },
    prelude::*,
};

/// Per-queue statistics, in `-S` order: (name suffix, value).
const RX_STATS: [&[u8]; 8] = [
    b"_packets",
    b"_bytes",
    b"_errors",
    b"_length_errors",
    b"_fragments",
    b"_alloc_failed",
    b"_refill_failed",
    b"_csum_ok",
];
const TX_STATS: [&[u8]; 7] = [
    b"_packets",
    b"_bytes",
    b"_dropped",
    b"_stopped",
    b"_restarted",
    b"_csum_offload",
    b"_tso",
];
const VEC_STATS: [&[u8]; 3] = [b"_irqs", b"_napi_polls", b"_budget_exhausted"];
const HW_STATS: [&CStr; 8] = [
    c_str!("hw_rx_good_packets"),
    c_str!("hw_tx_good_packets"),
    c_str!("hw_rx_good_bytes"),
    c_str!("hw_tx_good_bytes"),
    c_str!("hw_rx_missed"),
    c_str!("hw_rx_no_buffer"),
    c_str!("hw_rx_crc_errors"),
    c_str!("hw_rx_multicast"),
];

fn stats_count(s: &Shared) -> usize {
    let nq = s.num_queues;
    nq * (RX_STATS.len() + TX_STATS.len()) + (nq + 1) * VEC_STATS.len() + HW_STATS.len() + 1
}

#[vtable]
impl EthtoolOps for Adapter {
    fn get_drvinfo(dev: &Device<Self>, info: &mut DrvInfo) {
        info.set_driver(c_str!("rigb"));
        info.set_version(c_str!("0.1"));
        info.set_bus_info(dev.data().shared.pdev.pci_name());
    }

    fn get_link(dev: &Device<Self>) -> bool {
        dev.carrier_ok()
    }

    fn get_link_ksettings(dev: &Device<Self>, ks: &mut LinkKsettings) -> Result {
        let s = &dev.data().shared;
        ks.set_port_tp();
        ks.set_autoneg(true);
        match hw::mac::link_status(&s.hw) {
            Ok(l) if l.up => {
                ks.set_speed(Some(l.speed));
                ks.set_duplex(if l.full_duplex { Duplex::Full } else { Duplex::Half });
            }
            _ => {
                ks.set_speed(None);
                ks.set_duplex(Duplex::Unknown);
            }
        }
        Ok(())
    }

    fn get_ringparam(dev: &Device<Self>, ring: &mut RingParam) {
        let s = &dev.data().shared;
        ring.rx_max_pending = MAX_DESCS;
        ring.tx_max_pending = MAX_DESCS;
        ring.rx_pending = s.rx_count.load(Ordering::Relaxed);
        ring.tx_pending = s.tx_count.load(Ordering::Relaxed);
    }

    fn set_ringparam(dev: &Device<Self>, ring: &RingParam) -> Result {
        let s = &dev.data().shared;
        if ring.rx_mini_pending != 0 || ring.rx_jumbo_pending != 0 {
            return Err(EINVAL);
        }
        // The core refused sizes above the maximum; clamp to the minimum and round up to a
        // multiple of 8, as C igb does.
        let (rx, tx) = (RingIndex::clamp_count(ring.rx_pending), RingIndex::clamp_count(ring.tx_pending));
        if rx == s.rx_count.load(Ordering::Relaxed) && tx == s.tx_count.load(Ordering::Relaxed) {
            return Ok(());
        }
        // While up, new rings are allocated before the old ones go: on failure nothing
        // changes. While down, the sizes apply at the next open.
        crate::netdev::relayout(dev, rx, tx)
    }

    fn get_channels(dev: &Device<Self>, ch: &mut Channels) {
        let s = &dev.data().shared;
        // CAST: at most MAX_QUEUES.
        ch.max_combined = s.num_queues as u32;
        ch.combined_count = s.active_count() as u32;
        ch.max_other = 1;
        ch.other_count = 1;
    }

    fn set_channels(dev: &Device<Self>, ch: &Channels) -> Result {
        let s = &dev.data().shared;
        let n = ch.combined_count as usize;
        if n == 0 || n > s.num_queues || ch.rx_count != 0 || ch.tx_count != 0 || ch.other_count != 1 {
            return Err(EINVAL);
        }
        // Queue pairs come and go with their rings: reopen a running interface.
        let running = dev.is_running();
        if running {
            Adapter::stop(dev)?;
        }
        s.active.store(n, Ordering::Relaxed);
        let res = dev
            .set_real_num_tx_queues(ch.combined_count)
            .and_then(|()| dev.set_real_num_rx_queues(ch.combined_count));
        if running {
            Adapter::open(dev)?;
        }
        res
    }

    fn get_sset_count(dev: &Device<Self>, set: StringSet) -> Result<u32> {
        match set {
            StringSet::Stats => Ok(u32::try_from(stats_count(&dev.data().shared))?),
            _ => Err(EINVAL),
        }
    }

    fn get_strings(dev: &Device<Self>, set: StringSet, out: &mut Strings<'_>) {
        if set != StringSet::Stats {
            return;
        }
        let s = &dev.data().shared;
        // CAST: at most MAX_VECTORS.
        let nq = s.num_queues as u32;
        for q in 0..nq {
            for name in RX_STATS {
                out.push_indexed(b"rx_queue_", q, name);
            }
        }
        for q in 0..nq {
            for name in TX_STATS {
                out.push_indexed(b"tx_queue_", q, name);
            }
        }
        for v in 0..=nq {
            for name in VEC_STATS {
                out.push_indexed(b"vector_", v, name);
            }
        }
        for name in HW_STATS {
            out.push(name);
        }
        out.push(c_str!("tx_timeout_count"));
    }

    fn get_ethtool_stats(dev: &Device<Self>, data: &mut [u64]) {
        let s = &dev.data().shared;
        let hw = s.hw_stats();
        let mut vals = data.iter_mut();
        let mut put = |v: u64| {
            if let Some(d) = vals.next() {
                *d = v;
            }
        };
        for qp in s.all_queues() {
            let r = &qp.rx_stats;
            for c in [
                &r.packets,
                &r.bytes,
                &r.errors,
                &r.length_errors,
                &r.fragments,
                &r.alloc_failed,
                &r.refill_failed,
                &r.csum_ok,
            ] {
                put(c.get());
            }
        }
        for qp in s.all_queues() {
            let t = &qp.tx_stats;
            for c in [
                &t.packets,
                &t.bytes,
                &t.dropped,
                &t.stopped,
                &t.restarted,
                &t.csum_offload,
                &t.tso,
            ] {
                put(c.get());
            }
        }
        for v in s.vectors.iter().take(s.num_queues + 1) {
            for c in [&v.irqs, &v.polls, &v.budget_exhausted] {
                put(c.get());
            }
        }
        for v in [hw.gprc, hw.gptc, hw.gorc, hw.gotc, hw.mpc, hw.rnbc, hw.crcerrs, hw.mprc] {
            put(v);
        }
        put(s.ctl.tx_timeouts.load(Ordering::Relaxed));
    }
}
