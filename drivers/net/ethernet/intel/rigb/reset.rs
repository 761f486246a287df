// SPDX-License-Identifier: GPL-2.0

//! The reset task: the TX watchdog's remedy for a stuck queue, and the process-context half
//! of a link change (restoring the pause enables in CTRL).
//!
//! `ndo_tx_timeout` runs in the watchdog timer (softirq) with the TX locks held, where the
//! device cannot be stopped and restarted. It only counts and asks for a reset
//! ([`crate::adapter::Shared::request_reset`]): the flag is set and the other-cause vector is
//! fired through EICS, whose handler queues this work item on the system workqueue. The work
//! runs in process context, takes RTNL (as `open`/`stop` need) and re-lays the rings of the
//! running interface ([`crate::netdev::reset`]).
//!
//! Why the detour through the interrupt: the work item needs the net_device, so it holds a
//! reference to its registration; the net_device's private data therefore cannot hold the work
//! item (that would be a reference cycle that keeps the device registered forever). The PCI
//! driver data and the other-cause handler own it instead; `remove` cancels it before the
//! registration goes.

use crate::netdev::Adapter;
use core::sync::atomic::Ordering;
use kernel::{
    impl_has_work,
    net::{dev::Registered, rtnl},
    new_work,
    prelude::*,
    sync::Arc,
    workqueue::{self, Work, WorkItem},
};

/// The reset work item of one device.
#[pin_data]
pub(crate) struct ResetTask {
    netdev: Arc<Registered<Adapter>>,
    #[pin]
    work: Work<ResetTask>,
}

impl_has_work! {
    impl HasWork<Self> for ResetTask { self.work }
}

impl ResetTask {
    /// The task of `netdev`.
    pub(crate) fn new(netdev: Arc<Registered<Adapter>>) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(ResetTask {
                netdev,
                work <- new_work!("rigb::ResetTask::work"),
            }),
            GFP_KERNEL,
        )
    }

    /// Queues the task; does nothing if it is already queued. Any context.
    pub(crate) fn schedule(this: &Arc<Self>) {
        // An `Err` gives back the clone: already queued (or the module is being unloaded),
        // nothing to do. It is never the last reference (`this` is one), so dropping it here
        // does not unregister anything.
        let _ = workqueue::system().enqueue(this.clone());
    }

    /// Cancels a queued run and waits for a running one. Process context.
    pub(crate) fn cancel(this: &Arc<Self>) {
        workqueue::cancel_sync(this);
    }
}

impl WorkItem for ResetTask {
    type Pointer = Arc<ResetTask>;

    fn run(this: Arc<ResetTask>) {
        let rtnl = rtnl::lock();
        let dev = this.netdev.dev();
        let s = &dev.data().shared;
        if s.ctl.pending_pause.swap(false, Ordering::AcqRel) {
            crate::ethtool::apply_pause(s);
        }
        if s.ctl.pending_reset.swap(false, Ordering::AcqRel) {
            crate::netdev::reset(dev);
        }
        // Release RTNL before `this`: should it be the last reference, dropping it
        // unregisters the device, which takes RTNL.
        drop(rtnl);
        drop(this);
    }
}
