// SPDX-License-Identifier: GPL-2.0

//! Interrupt vectors: queue vectors (hard IRQ → NAPI poll) and one for other causes.
//!
//! A queue vector serves the RX queue, the TX queue or both of one queue pair
//! ([`VectorRole`]). Its hard-IRQ handler counts and schedules NAPI, nothing else: the device
//! masked the vector when it fired (EIAM auto-mask). The poll cleans TX completions first,
//! then receives up to `budget` frames, and unmasks the vector (EIMS) only when
//! `napi_complete_done` says the poll is really over.

use crate::{
    adapter::{QueuePair, Shared, VectorRole},
    netdev::Adapter,
    regs::ICR,
    reset::ResetTask,
    rx::XdpRun,
    tx::XdpTxRing,
};
use core::sync::atomic::Ordering;
use kernel::{
    irq::{Handler, IrqReturn},
    net::{
        dev::Registered,
        napi::{NapiIrq, Poll, PollContext, PollDone},
    },
    sync::Arc,
};

/// The state of one queue vector's NAPI instance.
pub(crate) struct QVector {
    /// Vector number.
    vector: u32,
    /// What it serves.
    role: VectorRole,
    shared: Arc<Shared>,
    netdev: Arc<Registered<Adapter>>,
}

impl QVector {
    /// The state for vector `vector`.
    pub(crate) fn new(vector: u32, shared: Arc<Shared>, netdev: Arc<Registered<Adapter>>) -> Self {
        Self {
            vector,
            role: shared.vector_role(vector),
            shared,
            netdev,
        }
    }
}

impl NapiIrq for QVector {
    fn on_irq(&self) -> bool {
        let s = &self.shared;
        if let Some(v) = s.vectors.get(self.vector as usize) {
            v.irqs.inc();
        }
        // The device masked this vector (EIAM) and cleared its cause bit (EIAC) when it
        // fired: no register access here; the poll unmasks it.
        true
    }
}

impl QVector {
    /// Cleans TX, receives up to `budget` frames and returns how many it received (each as
    /// far as the vector's role goes); adds the traffic to the vector's moderation state.
    fn clean(&self, s: &Shared, qp: &QueuePair, ctx: &mut PollContext<'_>, budget: usize) -> usize {
        let dev = self.netdev.dev();
        let q = self.role.queue();
        let mut sent = (0, 0);
        if self.role.has_tx() {
            let mut tx = qp.tx_clean.lock();
            if let Some(ring) = tx.as_mut() {
                sent = ring.clean(ctx, dev.tx_queue(q), &qp.tx_stats, true);
            }
        }
        // CAST: vector < MAX_VECTORS.
        let itr = s.ctl.itr.get(self.vector as usize);
        let (tx_frames, tx_bytes) = (u64::from(sent.0), u64::from(sent.1));
        if !self.role.has_rx() {
            if let Some(itr) = itr {
                itr.account(0, 0, tx_bytes, tx_frames);
            }
            return 0;
        }
        // This poll is the only writer of the RX counters: the difference is what it received.
        let bytes0 = qp.rx_stats.bytes.get();
        let sink = XdpTxRing { dev, shared: s };
        let mut rx = qp.rx.lock();
        let work = match rx.as_mut() {
            Some(ring) => {
                let xdp = s.ctl.xdp.get(ctx).map(|prog| XdpRun { prog, tx: &sink });
                ring.clean(ctx, dev, &s.hw, s.dma_dev(), budget, &qp.rx_stats, xdp)
            }
            None => 0,
        };
        if let Some(itr) = itr {
            let rx_bytes = qp.rx_stats.bytes.get().wrapping_sub(bytes0);
            // CAST: usize to u64 is lossless on 64-bit targets.
            itr.account(rx_bytes, work as u64, tx_bytes, tx_frames);
        }
        work
    }
}

impl Poll for QVector {
    type Device = Adapter;

    fn poll(this: &Self, mut ctx: PollContext<'_>) -> PollDone {
        let s = &this.shared;
        let budget = ctx.budget();
        // CAST: queue < MAX_QUEUES, vector < MAX_VECTORS.
        let (q, v) = (this.role.queue() as usize, this.vector as usize);
        let (Some(qp), Some(vs)) = (s.queues.get(q), s.vectors.get(v)) else {
            return ctx.finish(0);
        };
        vs.polls.inc();
        // Stopping: the rings are going away; do not touch their locks. Netpoll (budget 0:
        // netconsole, with interrupts off, possibly interrupting a holder of these locks on
        // this CPU) takes no lock either: it would spin forever on one that process context
        // holds with only bottom halves off. Its transmits are completed by the next
        // regular poll.
        let work = if s.is_running() && budget > 0 {
            this.clean(s, qp, &mut ctx, budget)
        } else {
            0
        };
        // Every poll of the queue's RX vector lands in one bucket: the buckets add up to its
        // `napi_polls`.
        if this.role.has_rx() {
            qp.rx_stats.record_poll(work, budget);
        }
        if budget > 0 && work >= budget {
            // More to do: NAPI polls again, the vector stays masked.
            vs.budget_exhausted.inc();
        }
        let done = ctx.finish(work);
        if done.rearm_irq() && s.is_running() {
            // Adaptive moderation: a new interval for the next interrupt, from what the
            // vector handled since it was last unmasked (`crate::itr`).
            let setting = s.itr_setting(this.vector);
            if let Some(eitr) = s.ctl.itr.get(v).and_then(|i| i.update(setting)) {
                s.hw.wr_q(crate::regs::EITR::offset(v), eitr);
            }
            s.unmask_vector(this.vector);
        }
        done
    }
}

/// The handler of the other-causes vector: link status changes, and reset requests from the
/// TX watchdog (fired through EICS).
pub(crate) struct OtherHandler {
    shared: Arc<Shared>,
    netdev: Arc<Registered<Adapter>>,
    reset: Arc<ResetTask>,
}

impl OtherHandler {
    /// The handler.
    pub(crate) fn new(
        shared: Arc<Shared>,
        netdev: Arc<Registered<Adapter>>,
        reset: Arc<ResetTask>,
    ) -> Self {
        Self {
            shared,
            netdev,
            reset,
        }
    }
}

impl Handler for OtherHandler {
    fn handle_irq(&self) -> IrqReturn {
        let s = &self.shared;
        // With GPIE.NSICR, reading ICR clears it.
        let icr = s.hw.rd(ICR::OFFSET);
        if icr == u32::MAX {
            s.mark_gone();
            return IrqReturn::None;
        }
        if let Some(v) = s.vectors.get(s.other_vector as usize) {
            v.irqs.inc();
        }
        // Carrier changes here; what writes CTRL waits for the reset task (process context,
        // RTNL), as everything else that writes CTRL runs there.
        if ICR::LSC.is_set(icr) && s.update_link(self.netdev.dev()) {
            s.ctl.pending_pause.store(true, Ordering::Release);
            ResetTask::schedule(&self.reset);
        }
        if s.ctl.reset_requested.swap(false, Ordering::AcqRel) {
            s.ctl.pending_reset.store(true, Ordering::Release);
            ResetTask::schedule(&self.reset);
        }
        if s.running.load(Ordering::Acquire) {
            s.unmask_vector(s.other_vector);
        }
        IrqReturn::Handled
    }
}
