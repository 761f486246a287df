// SPDX-License-Identifier: GPL-2.0

//! debugfs: `rigb/<pci address>/rings` and `rigb/<pci address>/interrupts`.
//!
//! `rings` shows, per queue pair and direction, the device's head and tail registers, the
//! driver's `next_to_use` and `next_to_clean`, the descriptors in flight, and the raw
//! descriptors (upper quadword, which holds the status the device writes back) around
//! `next_to_clean` and `next_to_use`. `interrupts` shows which MSI-X vector serves which
//! queues (as programmed in IVAR), each vector's Linux IRQ, its throttle register (EITR)
//! and whether it is unmasked (EIMS).
//!
//! The files own a reference to the shared state, and the driver data drops them (removing
//! the files, waiting for readers) before anything else.

use crate::{
    adapter::Shared,
    desc::{AdvRxDescWb, AdvTxDesc, RawDesc},
    regs::{EIMS, EITR, IVAR0, IVAR_MISC, RDH, RDT, TDH, TDT},
    ring::RingIndex,
};
use core::{fmt::Write, sync::atomic::Ordering};
use kernel::{
    c_str,
    debugfs::{Dir, File, SeqFile, SharedDir, Show},
    prelude::*,
    sync::Arc,
};

/// `rigb/` in debugfs, shared by all ports.
static ROOT: SharedDir = SharedDir::new(c_str!("rigb"));

/// Descriptors shown on each side of `next_to_clean` and `next_to_use`.
const WINDOW: u32 = 2;

/// A copy of one ring's state, taken under its (producer) lock.
struct RingSnap {
    idx: RingIndex,
    head: u32,
    tail: u32,
    /// (index, raw descriptor, DD set) around next_to_clean, then around next_to_use.
    descs: [(u32, RawDesc, bool); 4 * WINDOW as usize + 2],
}

fn window(idx: &RingIndex) -> impl Iterator<Item = u32> + '_ {
    let back = idx.count() - WINDOW;
    let around = move |at: u32| (0..=2 * WINDOW).map(move |k| idx.wrap_add(at, back + k));
    Iterator::chain(around(idx.next_to_clean()), around(idx.next_to_use()))
}

fn snap(
    idx: RingIndex,
    head: u32,
    tail: u32,
    raw: impl Fn(u32) -> Option<RawDesc>,
    done: fn(RawDesc) -> bool,
) -> RingSnap {
    let mut descs = [(0, [0u64; 2], false); 4 * WINDOW as usize + 2];
    for (slot, i) in descs.iter_mut().zip(window(&idx)) {
        let d = raw(i).unwrap_or_default();
        *slot = (i, d, done(d));
    }
    RingSnap {
        idx,
        head,
        tail,
        descs,
    }
}

fn show_ring(m: &mut SeqFile<'_>, name: &str, q: usize, r: Option<RingSnap>) -> Result {
    let Some(r) = r else {
        writeln!(m, "{name} {q}: down")?;
        return Ok(());
    };
    let (ntu, ntc) = (r.idx.next_to_use(), r.idx.next_to_clean());
    writeln!(
        m,
        "{name} {q}: count {} head {} tail {} next_to_use {ntu} next_to_clean {ntc} in_flight {}",
        r.idx.count(),
        r.head,
        r.tail,
        r.idx.in_flight()
    )?;
    for (k, (i, d, dd)) in r.descs.iter().enumerate() {
        if k == 0 {
            writeln!(m, "  around next_to_clean:")?;
        } else if k == r.descs.len() / 2 {
            writeln!(m, "  around next_to_use:")?;
        }
        let mark = |at: u32, s: &'static str| if *i == at { s } else { "" };
        writeln!(
            m,
            "    [{i:4}] {:#018x} {:#018x} {}{}{}{}{}",
            d[0],
            d[1],
            if *dd { "DD" } else { "--" },
            mark(ntc, " ntc"),
            mark(ntu, " ntu"),
            mark(r.head, " head"),
            mark(r.tail, " tail"),
        )?;
    }
    Ok(())
}

/// The `rings` file.
pub(crate) struct Rings(Arc<Shared>);

impl Show for Rings {
    fn show(&self, m: &mut SeqFile<'_>) -> Result {
        let s = &self.0;
        for (q, qp) in s.all_queues().iter().enumerate() {
            let rx = {
                // NAPI takes the ring locks in softirq context: keep it off this CPU.
                let g = kernel::bh::lock(&qp.rx);
                g.as_ref().map(|r| {
                    let rd = |o: Option<usize>| o.map_or(u32::MAX, |o| s.hw.rd(o));
                    snap(
                        r.index(),
                        rd(RDH::offset(q)),
                        rd(RDT::offset(q)),
                        |i| r.raw_desc(i),
                        AdvRxDescWb::is_done,
                    )
                })
            };
            let tx = {
                // The consumer end: the NAPI poll stays off while the snapshot is taken;
                // `start_xmit` may still produce (next_to_use is read once, at the start).
                let g = kernel::bh::lock(&qp.tx_clean);
                g.as_ref().and_then(|r| {
                    let rd = |o: Option<usize>| o.map_or(u32::MAX, |o| s.hw.rd(o));
                    Some(snap(
                        r.index()?,
                        rd(TDH::offset(q)),
                        rd(TDT::offset(q)),
                        |i| r.raw_desc(i),
                        AdvTxDesc::is_done,
                    ))
                })
            };
            show_ring(m, "rx_queue", q, rx)?;
            show_ring(m, "tx_queue", q, tx)?;
        }
        Ok(())
    }
}

/// The `interrupts` file.
pub(crate) struct Interrupts(Arc<Shared>);

impl Show for Interrupts {
    fn show(&self, m: &mut SeqFile<'_>) -> Result {
        let s = &self.0;
        let h = &s.hw;
        let eims = h.rd(EIMS::OFFSET);
        writeln!(
            m,
            "queue_pairs {} active {} tx_vectors {} other_vector {} EIMS {eims:#010x}",
            s.num_queues,
            s.active_count(),
            if s.separate_tx { "separate" } else { "paired" },
            s.other_vector
        )?;
        for v in 0..=s.other_vector {
            // CAST: v < MAX_VECTORS.
            let n = v as usize;
            let irq = s.irqs.get(n).map_or(0, |i| i.load(Ordering::Relaxed));
            let eitr = EITR::offset(n).map_or(0, |o| h.rd(o));
            write!(
                m,
                "vector {v}: irq {irq} EITR {eitr:#010x} interval_us {}",
                EITR::INTERVAL.get(eitr)
            )?;
            write!(m, " unmasked {}", u8::from(eims & (1 << v) != 0))?;
            // The queues IVAR routes to this vector.
            for q in 0..s.num_queues {
                let ivar = IVAR0::offset(q).map_or(0, |o| h.rd(o));
                if IVAR0::RX_LO_VALID.is_set(ivar) && IVAR0::RX_LO.get(ivar) == v {
                    write!(m, " rx{q}")?;
                }
                if IVAR0::TX_LO_VALID.is_set(ivar) && IVAR0::TX_LO.get(ivar) == v {
                    write!(m, " tx{q}")?;
                }
            }
            let misc = h.rd(IVAR_MISC::OFFSET);
            if IVAR_MISC::OTHER_VALID.is_set(misc) && IVAR_MISC::OTHER.get(misc) == v {
                write!(m, " other")?;
            }
            writeln!(m)?;
        }
        Ok(())
    }
}

/// The device's debugfs directory and files; dropping it removes them.
pub(crate) struct DebugFs {
    // Field order is drop order: the files, then their directory.
    _rings: File<Rings>,
    _interrupts: File<Interrupts>,
    _dir: Dir,
}

impl DebugFs {
    /// Creates `rigb/<pci address>/` with its files.
    pub(crate) fn new(shared: &Arc<Shared>) -> Result<Self> {
        let dir = ROOT.subdir(shared.pdev.pci_name());
        Ok(Self {
            _rings: dir.read_only_file(c_str!("rings"), Rings(shared.clone()))?,
            _interrupts: dir.read_only_file(c_str!("interrupts"), Interrupts(shared.clone()))?,
            _dir: dir,
        })
    }
}
