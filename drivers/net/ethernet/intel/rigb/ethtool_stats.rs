// SPDX-License-Identifier: GPL-2.0

//! `ethtool -S`: names and values of the per-queue, per-vector and hardware counters.
//!
//! Per RX queue: frames and bytes handed to the stack, drops by cause, refill failures, the
//! packets-per-poll histogram of its vector's NAPI polls (0, 1-7, 8-31, 32-63, the whole
//! budget of 64) and the largest poll, and the buffers the device owns. Per TX queue:
//! completions, drops, stops and wakes, offloads, cleanup rounds and descriptors in flight.
//! The XDP verdicts per RX queue, and the XDP frames queued and dropped per TX queue.
//! Per vector: hard IRQs, NAPI polls, polls that used the whole budget. Then the device's
//! own counters, and the TX watchdog's timeouts. The names follow the other drivers (`rx_queue_0_packets`).

use crate::{adapter::Shared, stats::Counter};
use kernel::{c_str, net::ethtool::Strings, prelude::*};

/// Per-RX-queue statistics, in `-S` order (name suffixes).
const RX_STATS: [&[u8]; 20] = [
    b"_packets",
    b"_bytes",
    b"_errors",
    b"_length_errors",
    b"_fragments",
    b"_alloc_failed",
    b"_refill_failed",
    b"_csum_ok",
    b"_poll_pkts_0",
    b"_poll_pkts_1_7",
    b"_poll_pkts_8_31",
    b"_poll_pkts_32_63",
    b"_poll_pkts_64",
    b"_poll_pkts_max",
    b"_in_flight",
    b"_xdp_pass",
    b"_xdp_drop",
    b"_xdp_tx",
    b"_xdp_redirect",
    b"_xdp_aborted",
];
const TX_STATS: [&[u8]; 11] = [
    b"_packets",
    b"_bytes",
    b"_dropped",
    b"_stopped",
    b"_restarted",
    b"_csum_offload",
    b"_tso",
    b"_clean_runs",
    b"_in_flight",
    b"_xdp_xmit",
    b"_xdp_xmit_errors",
];
const VEC_STATS: [&[u8]; 3] = [b"_irqs", b"_napi_polls", b"_budget_exhausted"];
const HW_STATS: [&CStr; 13] = [
    c_str!("hw_rx_good_packets"),
    c_str!("hw_tx_good_packets"),
    c_str!("hw_rx_good_bytes"),
    c_str!("hw_tx_good_bytes"),
    c_str!("hw_rx_missed"),
    c_str!("hw_rx_no_buffer"),
    c_str!("hw_rx_crc_errors"),
    c_str!("hw_rx_multicast"),
    c_str!("hw_rx_broadcast"),
    c_str!("hw_rx_align_errors"),
    c_str!("hw_rx_errors"),
    c_str!("hw_rx_length_errors"),
    c_str!("hw_rx_size_errors"),
];

/// Number of statistics.
pub(crate) fn stats_count(s: &Shared) -> usize {
    let nq = s.num_queues;
    // The last one is the TX watchdog's `tx_timeout_count`.
    // CAST: at most MAX_VECTORS.
    let nv = s.num_queue_vectors() as usize + 1;
    nq * (RX_STATS.len() + TX_STATS.len()) + nv * VEC_STATS.len() + HW_STATS.len() + 1
}

/// Writes the names.
pub(crate) fn stats_strings(s: &Shared, out: &mut Strings<'_>) {
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
    for v in 0..=s.other_vector {
        for name in VEC_STATS {
            out.push_indexed(b"vector_", v, name);
        }
    }
    for name in HW_STATS {
        out.push(name);
    }
    out.push(c_str!("tx_timeout_count"));
}

/// Writes the values, in the order of [`stats_strings`].
pub(crate) fn stats_values(s: &Shared, data: &mut [u64]) {
    let hw = s.hw_stats();
    // Rings exist only while running: their gauges read 0 otherwise.
    let live = s.is_running();
    let gauge = |c: &Counter| if live { c.get() } else { 0 };
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
        for c in &r.poll_hist {
            put(c.get());
        }
        put(r.poll_max.get());
        put(gauge(&r.in_flight));
        for c in [
            &r.xdp_pass,
            &r.xdp_drop,
            &r.xdp_tx,
            &r.xdp_redirect,
            &r.xdp_aborted,
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
            &t.clean_runs,
        ] {
            put(c.get());
        }
        put(gauge(&t.in_flight));
        put(t.xdp_xmit.get());
        put(t.xdp_xmit_errors.get());
    }
    // CAST: at most MAX_VECTORS.
    for v in s.vectors.iter().take(s.num_queue_vectors() as usize + 1) {
        for c in [&v.irqs, &v.polls, &v.budget_exhausted] {
            put(c.get());
        }
    }
    for v in [
        hw.gprc,
        hw.gptc,
        hw.gorc,
        hw.gotc,
        hw.mpc,
        hw.rnbc,
        hw.crcerrs,
        hw.mprc,
        hw.bprc,
        hw.algnerrc,
        hw.rxerrc,
        hw.rlec,
        hw.ruc_roc,
    ] {
        put(v);
    }
    put(s
        .ctl
        .tx_timeouts
        .load(core::sync::atomic::Ordering::Relaxed));
}
