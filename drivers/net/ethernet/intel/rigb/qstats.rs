// SPDX-License-Identifier: GPL-2.0

//! Per-queue statistics for netdev netlink (`qstats-get`), from the same counters as
//! `ethtool -S` and `get_stats64`.
//!
//! Live queues are the ones in use (`ethtool -L`); the counters of queue pairs not in use
//! go into the base stats, so that base plus live queues equal the interface counters.

use crate::{
    adapter::{QueuePair, Shared},
    netdev::Adapter,
};
use kernel::net::{
    dev::Device,
    qstats::{QueueStatsRx, QueueStatsTx, StatOps},
};
use kernel::prelude::*;

/// RX: packets, bytes, allocation failures (no skb or no buffer), checksums verified.
fn rx_vals(qp: &QueuePair) -> [u64; 4] {
    let r = &qp.rx_stats;
    [
        r.packets.get(),
        r.bytes.get(),
        r.alloc_failed.get() + r.refill_failed.get(),
        r.csum_ok.get(),
    ]
}

fn set_rx(out: &mut QueueStatsRx, v: [u64; 4]) {
    [out.packets, out.bytes, out.alloc_fail, out.csum_unnecessary] = v;
}

/// TX: packets, bytes, stops, wakes, checksum offloads, TSO packets.
fn tx_vals(qp: &QueuePair) -> [u64; 6] {
    let t = &qp.tx_stats;
    [
        t.packets.get(),
        t.bytes.get(),
        t.stopped.get(),
        t.restarted.get(),
        t.csum_offload.get(),
        t.tso.get(),
    ]
}

fn set_tx(out: &mut QueueStatsTx, v: [u64; 6]) {
    [
        out.packets,
        out.bytes,
        out.stop,
        out.wake,
        out.needs_csum,
        out.hw_gso_packets,
    ] = v;
}

/// Element-wise sum of `f` over `queues`.
fn sum<const N: usize>(queues: &[QueuePair], f: fn(&QueuePair) -> [u64; N]) -> [u64; N] {
    let mut acc = [0u64; N];
    for qp in queues {
        for (a, v) in acc.iter_mut().zip(f(qp)) {
            *a = a.wrapping_add(v);
        }
    }
    acc
}

fn live_queue(s: &Shared, idx: u32) -> Option<&QueuePair> {
    // CAST: u32 to usize.
    s.active_queues().get(idx as usize)
}

#[vtable]
impl StatOps for Adapter {
    fn get_queue_stats_rx(dev: &Device<Self>, idx: u32, stats: &mut QueueStatsRx) {
        if let Some(qp) = live_queue(&dev.data().shared, idx) {
            set_rx(stats, rx_vals(qp));
        }
    }

    fn get_queue_stats_tx(dev: &Device<Self>, idx: u32, stats: &mut QueueStatsTx) {
        if let Some(qp) = live_queue(&dev.data().shared, idx) {
            set_tx(stats, tx_vals(qp));
        }
    }

    fn get_base_stats(dev: &Device<Self>, rx: &mut QueueStatsRx, tx: &mut QueueStatsTx) {
        let s = &dev.data().shared;
        // The history of queue pairs not in use; zero (a real value here) when all are.
        let idle = s.all_queues().get(s.active_count()..).unwrap_or(&[]);
        set_rx(rx, sum(idle, rx_vals));
        set_tx(tx, sum(idle, tx_vals));
    }
}
