// SPDX-License-Identifier: GPL-2.0

//! Device state shared by the net_device operations, the interrupt vectors and NAPI.
//!
//! [`Shared`] is reference counted: the net_device's private data, every vector and the PCI
//! driver data hold it. It owns the register window (BAR0) and, per queue pair, the rings
//! (present only while the interface is up) and their counters.
//!
//! Locking: the RX ring and the TX ring's consumer end are behind a spinlock each, taken by
//! NAPI (softirq) and by `open`/`stop` (process context); the TX ring's producer end is
//! guarded by the stack's xmit lock of its queue (see [`QueuePair`]). `open`/`stop` only touch
//! the rings while `running` is false, and NAPI and `start_xmit` check `running` first, so a
//! softirq on the CPU that holds a lock in process context never spins on it.

use crate::{
    hw::{self, HwError},
    itr::VectorItr,
    regs::*,
    rx::RxRing,
    stats::{HwStats, RxQueueStats, TxQueueStats, VectorStats},
    tx::{TxCleaner, TxRing},
};
use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use kernel::{
    dev_info, device, irq,
    net::{dev::NetDev, xdp::XdpProgSlot, xmit_lock::XmitCell},
    new_spinlock, pci,
    prelude::*,
    sync::SpinLock,
    types::ARef,
};

/// Most queue pairs the driver uses (the 82576 has 16; the VM has few CPUs).
pub(crate) const MAX_QUEUES: usize = 4;
/// Most MSI-X vectors: one per RX queue and one per TX queue, and one for other causes.
pub(crate) const MAX_VECTORS: usize = 2 * MAX_QUEUES + 1;

/// What a queue vector serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VectorRole {
    /// RX and TX of queue pair `n`.
    Pair(u32),
    /// RX of queue `n` only.
    Rx(u32),
    /// TX completions of queue `n` only.
    Tx(u32),
}

impl VectorRole {
    /// The queue (pair) the vector serves.
    pub(crate) fn queue(self) -> u32 {
        match self {
            Self::Pair(q) | Self::Rx(q) | Self::Tx(q) => q,
        }
    }

    /// Whether the vector cleans TX completions.
    pub(crate) fn has_tx(self) -> bool {
        !matches!(self, Self::Rx(_))
    }

    /// Whether the vector receives.
    pub(crate) fn has_rx(self) -> bool {
        !matches!(self, Self::Tx(_))
    }
}

/// The device's register window.
pub(crate) struct Hw {
    bar: pci::Bar<BAR0_SIZE>,
}

impl Hw {
    /// Wraps the mapped BAR0.
    pub(crate) fn new(bar: pci::Bar<BAR0_SIZE>) -> Self {
        Self { bar }
    }

    /// Reads a register at a run-time offset; all-ones if the offset is invalid (which, like
    /// a vanished device, callers treat as "gone").
    pub(crate) fn rd(&self, offset: usize) -> u32 {
        self.bar.try_read32(offset).unwrap_or(u32::MAX)
    }

    /// Writes a register at a run-time offset; invalid offsets are ignored (they come from
    /// the register map's range-checked per-queue offsets, so they do not occur). Inlined:
    /// the tail writes of the hot paths are a bounds check and a store.
    #[inline]
    pub(crate) fn wr(&self, offset: usize, value: u32) {
        let _ = self.bar.try_write32(value, offset);
    }

    /// Writes per-queue register instance `offset` (from `REG::offset(n)`).
    #[inline]
    pub(crate) fn wr_q(&self, offset: Option<usize>, value: u32) {
        if let Some(off) = offset {
            self.wr(off, value);
        }
    }

    /// Flushes posted writes (reads STATUS, which has no read side effects).
    pub(crate) fn flush(&self) {
        self.bar.flush(STATUS::OFFSET);
    }
}

impl hw::Regs for Hw {
    fn read(&self, offset: usize) -> Option<u32> {
        self.bar.try_read32(offset).ok()
    }

    fn write(&self, offset: usize, value: u32) -> bool {
        self.bar.try_write32(value, offset).is_ok()
    }
}

/// Maps hardware-layer errors to kernel error codes.
pub(crate) fn hw_err(e: HwError) -> Error {
    match e {
        // No ETIMEDOUT in this kernel crate: a device that does not answer is an I/O error.
        HwError::Timeout => EIO,
        HwError::Gone => ENODEV,
        HwError::Invalid => EINVAL,
        HwError::Device => EIO,
    }
}

/// The delay callback the hardware layer gets: sleeps (process context only).
pub(crate) fn sleep_us(us: u32) {
    kernel::io::fsleep(us);
}

/// One TX/RX queue pair.
///
/// The NAPI poll takes the RX and TX-cleaner locks with plain `lock()` (bottom halves are
/// disabled there); everyone else (open, stop, reset, resize, debugfs: process context) takes
/// them with [`kernel::bh::lock`], or a softirq on the same CPU could spin on a lock its
/// interrupted owner holds. Netpoll calls the poll with interrupts disabled, where
/// `spin_lock_bh` is not allowed: hence two ways, not one. The TX producer end has no lock of
/// its own: the stack's xmit lock of the queue guards it ([`XmitCell`]).
#[pin_data]
pub(crate) struct QueuePair {
    /// The RX ring, while the interface is up.
    #[pin]
    pub(crate) rx: SpinLock<Option<RxRing>>,
    /// The TX ring's producer end (`start_xmit`), while the interface is up. Bound to TX
    /// queue `n` of the net_device at probe.
    pub(crate) tx: XmitCell<Option<TxRing>>,
    /// The TX ring's consumer end (NAPI), while the interface is up. A lock of its own: the
    /// two ends run on different CPUs at once and share no state but the ring indices.
    #[pin]
    pub(crate) tx_clean: SpinLock<Option<TxCleaner>>,
    /// RX counters.
    pub(crate) rx_stats: RxQueueStats,
    /// TX counters.
    pub(crate) tx_stats: TxQueueStats,
}

impl QueuePair {
    fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            rx <- new_spinlock!(None, "rigb_rx_ring"),
            tx: XmitCell::new(None),
            tx_clean <- new_spinlock!(None, "rigb_tx_clean"),
            rx_stats: RxQueueStats::default(),
            tx_stats: TxQueueStats::default(),
        }? Error)
    }
}

/// The 64-bit totals of the clear-on-read hardware counters.
struct HwCounters {
    /// See `HW_COUNTERS`, plus ROC.
    totals: [AtomicU64; 14],
    /// Held (true) by the one caller reading the hardware: a second reader of a 64-bit
    /// counter could read its low half before the first reader's high-half read clears it,
    /// and add it twice.
    busy: AtomicBool,
}

/// Index of each accumulated hardware counter in [`HwCounters::totals`].
const HW_COUNTERS: [(usize, bool); 13] = [
    (stats::GPRC, false),
    (stats::GPTC, false),
    (stats::GORCL, true),
    (stats::GOTCL, true),
    (stats::MPRC, false),
    (stats::BPRC, false),
    (stats::MPC, false),
    (stats::RNBC, false),
    (stats::CRCERRS, false),
    (stats::ALGNERRC, false),
    (stats::RXERRC, false),
    (stats::RLEC, false),
    (stats::RUC, false),
];

/// State shared by everything that drives the device.
#[pin_data]
pub(crate) struct Shared {
    /// Registers.
    pub(crate) hw: Hw,
    /// The PCI device, for DMA and logs.
    pub(crate) pdev: ARef<pci::Device>,
    /// Number of queue pairs with vectors.
    pub(crate) num_queues: usize,
    /// RX and TX of a queue have vectors of their own (RX `n` on vector `n`, TX `n` on vector
    /// `num_queues + n`), as the C driver does with up to four queues: a TX completion then
    /// never holds back the interrupt of a received frame behind the vector's interval.
    /// Otherwise queue pair `n` shares vector `n`.
    pub(crate) separate_tx: bool,
    /// Number of queue pairs in use (`ethtool -L`), at most `num_queues`; changed only while
    /// the interface is down.
    pub(crate) active: AtomicUsize,
    /// MSI-X vector of the other causes (link status change), after the queue vectors.
    pub(crate) other_vector: u32,
    /// Linux IRQ numbers of the vectors, to synchronise with them.
    pub(crate) irqs: [AtomicU32; MAX_VECTORS],
    /// Queue pairs; only `0..num_queues` are used.
    #[pin]
    pub(crate) queues: [QueuePair; MAX_QUEUES],
    /// Per-vector counters.
    pub(crate) vectors: [VectorStats; MAX_VECTORS],
    /// Accumulated clear-on-read hardware counters (see `HW_COUNTERS`), plus ROC.
    hw_counters: HwCounters,
    /// Descriptors per RX ring (applied at the next open).
    pub(crate) rx_count: AtomicU32,
    /// Descriptors per TX ring (applied at the next open).
    pub(crate) tx_count: AtomicU32,
    /// The interface is up and the rings are live.
    pub(crate) running: AtomicBool,
    /// The vectors are set up; `open` may run.
    pub(crate) ready: AtomicBool,
    /// A register read returned all-ones: the device is gone.
    pub(crate) gone: AtomicBool,
    /// Settings chosen with ethtool (moderation, pause, RSS, message level).
    pub(crate) cfg: crate::ethtool::Config,
    /// Receive filter modes, RSS key, TX watchdog bookkeeping.
    pub(crate) ctl: Control,
}

/// Receive control, RSS key, TX watchdog and interrupt moderation state of a [`Shared`].
pub(crate) struct Control {
    /// The RSS hash key (the host's random key, see `rss_key_fill`).
    pub(crate) rss_key: [u8; RSSRK::COUNT * 4],
    /// RCTL bits of the running interface other than the filter modes (EN, BAM, SECRC, LPE).
    pub(crate) rctl_base: AtomicU32,
    /// RCTL filter modes chosen by `set_rx_mode` (UPE, MPE); kept across stop/open.
    pub(crate) rx_filter: AtomicU32,
    /// TX watchdog timeouts (`ndo_tx_timeout` calls).
    pub(crate) tx_timeouts: AtomicU64,
    /// `tx_timeout` asked for a reset; the other-cause vector queues the reset task.
    pub(crate) reset_requested: AtomicBool,
    /// Work for the reset task, set by the other-cause handler: re-lay the rings (the
    /// watchdog asked for it).
    pub(crate) pending_reset: AtomicBool,
    /// Work for the reset task, set by the other-cause handler: restore the pause enables
    /// (the link came up, and the device's link logic may have changed CTRL). CTRL is
    /// written only in process context under RTNL (or before the interrupts are
    /// requested), so its read-modify-writes never interleave.
    pub(crate) pending_pause: AtomicBool,
    /// Per-queue-vector adaptive interrupt moderation state.
    pub(crate) itr: [VectorItr; MAX_VECTORS],
    /// The VLAN filter table as the stack set it (`ndo_vlan_rx_add_vid`), rewritten to the
    /// device's VFTA on every start (a reset clears it).
    pub(crate) vfta: [AtomicU32; VFTA::COUNT],
    /// Index of the port's PTP hardware clock (`/dev/ptpN`), -1 without one.
    pub(crate) phc_index: AtomicI32,
    /// The XDP program of the receive queues (`ip link set dev X xdp ...`), if any.
    pub(crate) xdp: XdpProgSlot,
}

impl Control {
    fn new() -> Self {
        let mut rss_key = [0u8; RSSRK::COUNT * 4];
        kernel::net::dev::rss_key_fill(&mut rss_key);
        Self {
            rss_key,
            rctl_base: AtomicU32::new(0),
            rx_filter: AtomicU32::new(0),
            tx_timeouts: AtomicU64::new(0),
            reset_requested: AtomicBool::new(false),
            pending_reset: AtomicBool::new(false),
            pending_pause: AtomicBool::new(false),
            itr: core::array::from_fn(|_| VectorItr::default()),
            xdp: XdpProgSlot::new(),
            vfta: core::array::from_fn(|_| AtomicU32::new(0)),
            phc_index: AtomicI32::new(-1),
        }
    }
}

impl Shared {
    /// Creates the shared state for `num_queues` queue pairs, with separate TX vectors if
    /// `separate_tx`.
    pub(crate) fn new(
        hw: Hw,
        pdev: ARef<pci::Device>,
        num_queues: usize,
        separate_tx: bool,
    ) -> impl PinInit<Self, Error> {
        // CAST: at most MAX_QUEUES.
        let nq = num_queues as u32;
        let other_vector = if separate_tx { 2 * nq } else { nq };
        let active = AtomicUsize::new(num_queues);
        let ctl = Control::new();
        try_pin_init!(Self {
            hw,
            pdev,
            num_queues,
            separate_tx,
            active,
            other_vector,
            irqs: [const { AtomicU32::new(0) }; MAX_VECTORS],
            queues <- kernel::init::pin_init_array_from_fn(|_| QueuePair::new()),
            vectors: core::array::from_fn(|_| VectorStats::default()),
            hw_counters: HwCounters {
                totals: [const { AtomicU64::new(0) }; 14],
                busy: AtomicBool::new(false),
            },
            rx_count: AtomicU32::new(crate::ring::DEFAULT_DESCS),
            tx_count: AtomicU32::new(crate::ring::DEFAULT_DESCS),
            running: AtomicBool::new(false),
            ready: AtomicBool::new(false),
            gone: AtomicBool::new(false),
            cfg: crate::ethtool::Config::new(crate::itr::DEFAULT_SETTING),
            ctl,
        }? Error)
    }

    /// The device used for DMA mappings.
    pub(crate) fn dma_dev(&self) -> &device::Device {
        (*self.pdev).as_ref()
    }

    /// Number of queue pairs in use.
    pub(crate) fn active_count(&self) -> usize {
        // `min` then `max` rather than `clamp`, which asserts `1 <= num_queues`.
        self.active
            .load(Ordering::Relaxed)
            .min(self.num_queues)
            .max(1)
    }

    /// The queue pairs in use.
    pub(crate) fn active_queues(&self) -> &[QueuePair] {
        self.queues.get(..self.active_count()).unwrap_or(&[])
    }

    /// Every queue pair that has a vector (in use or not), for statistics.
    pub(crate) fn all_queues(&self) -> &[QueuePair] {
        self.queues.get(..self.num_queues).unwrap_or(&[])
    }

    /// Number of queue vectors (they come first, the other-cause vector after them).
    pub(crate) fn num_queue_vectors(&self) -> u32 {
        self.other_vector
    }

    /// What queue vector `v` serves.
    pub(crate) fn vector_role(&self, v: u32) -> VectorRole {
        // CAST: at most MAX_QUEUES.
        let nq = self.num_queues as u32;
        match (self.separate_tx, v.checked_sub(nq)) {
            (false, _) => VectorRole::Pair(v),
            (true, None) => VectorRole::Rx(v),
            (true, Some(q)) => VectorRole::Tx(q),
        }
    }

    /// The vector of RX queue `q`.
    pub(crate) fn rx_vector(&self, q: u32) -> u32 {
        q
    }

    /// The vector of TX queue `q`.
    pub(crate) fn tx_vector(&self, q: u32) -> u32 {
        if self.separate_tx {
            // CAST: at most MAX_QUEUES.
            self.num_queues as u32 + q
        } else {
            q
        }
    }

    /// The moderation setting (`rx-usecs` or `tx-usecs`) of queue vector `v`: a TX-only
    /// vector follows `tx-usecs`.
    pub(crate) fn itr_setting(&self, v: u32) -> u32 {
        let c = &self.cfg;
        match self.vector_role(v) {
            VectorRole::Tx(_) => c.tx_itr_setting.load(Ordering::Relaxed),
            _ => c.itr_setting.load(Ordering::Relaxed),
        }
    }

    /// Mask of all vectors in use in EIMS/EIMC/EIAC/EIAM.
    pub(crate) fn all_vectors_mask(&self) -> u32 {
        (1u32 << (self.other_vector + 1)) - 1
    }

    /// Whether the interface is running.
    pub(crate) fn is_running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }

    /// Routes the causes to MSI-X vectors (datasheet 7.3.2): RX queue `n` on vector `n`, TX
    /// queue `n` on its own vector or its pair's (see [`Shared::separate_tx`]), link and other
    /// causes on `other_vector`. Queues not in use (`ethtool -L`) raise nothing.
    pub(crate) fn configure_msix(&self) {
        let h = &self.hw;
        h.wr(
            GPIE::OFFSET,
            GPIE::NSICR.mask()
                | GPIE::MULTIPLE_MSIX.mask()
                | GPIE::EIAME.mask()
                | GPIE::PBA_SUPPORT.mask(),
        );
        let active = self.active_count();
        for n in 0..self.num_queues {
            // CAST: n < MAX_QUEUES.
            let q = n as u32;
            let ivar = if n < active {
                IVAR0::RX_LO.val(self.rx_vector(q))
                    | IVAR0::RX_LO_VALID.mask()
                    | IVAR0::TX_LO.val(self.tx_vector(q))
                    | IVAR0::TX_LO_VALID.mask()
            } else {
                0
            };
            h.wr_q(IVAR0::offset(n), ivar);
        }
        h.wr(
            IVAR_MISC::OFFSET,
            IVAR_MISC::OTHER.val(self.other_vector) | IVAR_MISC::OTHER_VALID.mask(),
        );
        // Clear a vector's cause bit when it fires, so the next event raises it again.
        h.wr(EIAC::OFFSET, self.all_vectors_mask());
        // And mask a queue vector when it fires (GPIE.EIAME): the hard-IRQ handler needs no
        // EIMC write, the poll unmasks it in EIMS when it is done. QEMU's igb leaves the vector
        // unmasked; an interrupt during the poll then makes NAPI poll again. The other-causes
        // vector stays unmasked, so link changes are seen while the interface is down too.
        h.wr(EIAM::OFFSET, (1u32 << self.other_vector) - 1);
        // Interrupt moderation (8.8.12): at most one interrupt per queue vector per interval,
        // fixed or adaptive (`crate::itr`, `ethtool -C rx-usecs`); NAPI polling covers what
        // arrives in between.
        self.reset_itr();
    }

    /// Restarts every queue vector's moderation from the configured setting and writes EITR.
    pub(crate) fn reset_itr(&self) {
        for v in 0..self.num_queue_vectors() {
            // CAST: v < MAX_VECTORS.
            let n = v as usize;
            if let Some(itr) = self.ctl.itr.get(n) {
                self.hw
                    .wr_q(EITR::offset(n), itr.reset(self.itr_setting(v)));
            }
        }
    }

    /// Unmasks every vector and the link status change cause.
    pub(crate) fn enable_irqs(&self) {
        self.hw.wr(IMS::OFFSET, ICR::LSC.mask());
        self.hw.wr(EIMS::OFFSET, self.all_vectors_mask());
        self.hw.flush();
    }

    /// Masks every cause and waits for running handlers to finish. Process context.
    pub(crate) fn disable_irqs(&self) {
        self.hw.wr(EIMC::OFFSET, u32::MAX);
        self.hw.wr(IMC::OFFSET, u32::MAX);
        self.hw.flush();
        for irq in &self.irqs {
            let n = irq.load(Ordering::Relaxed);
            if n != 0 {
                irq::synchronize_irq(n);
            }
        }
    }

    /// Writes RCTL from `rctl_base` and `rx_filter` while the interface runs; both `start` and
    /// `set_rx_mode` call it after updating their part, so the last write has both.
    pub(crate) fn write_rctl(&self) {
        if self.is_running() {
            let v = self.ctl.rctl_base.load(Ordering::SeqCst)
                | self.ctl.rx_filter.load(Ordering::SeqCst);
            self.hw.wr(RCTL::OFFSET, v);
        }
    }

    /// Asks for a reset from any context (the TX watchdog): the reset runs in a work item,
    /// queued by the other-cause vector's handler, which the EICS write below fires.
    pub(crate) fn request_reset(&self) {
        if !self.ready.load(Ordering::Acquire) || self.gone.load(Ordering::Relaxed) {
            return;
        }
        self.ctl.reset_requested.store(true, Ordering::Release);
        self.hw.wr(EICS::OFFSET, 1 << self.other_vector);
    }

    /// Re-enables vector `v` after its NAPI poll completed.
    #[inline]
    pub(crate) fn unmask_vector(&self, v: u32) {
        self.hw.wr(EIMS::OFFSET, 1 << v);
    }

    /// Reads STATUS and sets the carrier accordingly, logging changes. Returns whether the
    /// link is up: then the caller restores the pause enables (the device's link logic may
    /// have changed them), in process context ([`crate::ethtool::apply_pause`]).
    pub(crate) fn update_link(&self, dev: &NetDev) -> bool {
        let status = self.hw.rd(STATUS::OFFSET);
        if status == u32::MAX {
            self.mark_gone();
            return false;
        }
        let link = hw::mac::LinkStatus::from_status(status);
        let log = self.cfg.msg(crate::ethtool::MSG_LINK);
        if link.up && !dev.carrier_ok() {
            if log {
                dev_info!(
                    &*self.pdev,
                    "link up, {} Mb/s, {} duplex\n",
                    link.speed,
                    if link.full_duplex { "full" } else { "half" }
                );
            }
            dev.carrier_on();
        } else if !link.up && dev.carrier_ok() {
            if log {
                dev_info!(&*self.pdev, "link down\n");
            }
            dev.carrier_off();
        }
        link.up
    }

    /// Records that the device returned all-ones (surprise removal or a dead link).
    pub(crate) fn mark_gone(&self) {
        if !self.gone.swap(true, Ordering::Relaxed) {
            kernel::dev_err!(
                &*self.pdev,
                "device not responding (registers read all-ones)\n"
            );
        }
    }

    /// Reads the clear-on-read hardware counters into the 64-bit totals and returns them.
    ///
    /// Callable from any context, by several callers at once: one reads the hardware, the
    /// others (which cannot wait: `get_stats64` may run in atomic context) return the totals
    /// as they stand.
    pub(crate) fn hw_stats(&self) -> HwStats {
        if !self.gone.load(Ordering::Relaxed)
            && self
                .hw_counters
                .busy
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
        {
            self.read_hw_counters();
            self.hw_counters.busy.store(false, Ordering::Release);
        }
        let g = |i: usize| {
            self.hw_counters
                .totals
                .get(i)
                .map_or(0, |c| c.load(Ordering::Relaxed))
        };
        HwStats {
            gprc: g(0),
            gptc: g(1),
            gorc: g(2),
            gotc: g(3),
            mprc: g(4),
            bprc: g(5),
            mpc: g(6),
            rnbc: g(7),
            crcerrs: g(8),
            algnerrc: g(9),
            rxerrc: g(10),
            rlec: g(11),
            ruc_roc: g(12) + g(13),
        }
    }

    /// Adds what the clear-on-read counters accumulated since the last read to the totals.
    /// Only the holder of `hw_counters.busy` calls it.
    fn read_hw_counters(&self) {
        if self.hw.rd(STATUS::OFFSET) != u32::MAX {
            for (i, &(off, split)) in HW_COUNTERS.iter().enumerate() {
                let v = if split {
                    // Read the low half first: reading the high half clears both.
                    let lo = self.hw.rd(off);
                    let hi = self.hw.rd(off + 4);
                    (u64::from(hi) << 32) | u64::from(lo)
                } else {
                    u64::from(self.hw.rd(off))
                };
                // Each read returns what accumulated since the previous one: add it, never
                // overwrite, so a 32-bit counter's wrap is never lost.
                if let Some(c) = self.hw_counters.totals.get(i) {
                    c.fetch_add(v, Ordering::Relaxed);
                }
            }
            let roc = u64::from(self.hw.rd(stats::ROC));
            if let Some(c) = self.hw_counters.totals.get(13) {
                c.fetch_add(roc, Ordering::Relaxed);
            }
        }
    }
}
