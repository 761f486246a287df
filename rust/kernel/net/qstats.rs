// SPDX-License-Identifier: GPL-2.0

//! Per-queue statistics for the netdev netlink family (`struct netdev_stat_ops`).
//!
//! C header: [`include/net/netdev_queues.h`](srctree/include/net/netdev_queues.h).
//!
//! Usage summary: the driver's private data type implements the `#[vtable]` trait
//! [`StatOps`] and calls [`Registration::set_stat_ops`] before registering the device. Then
//! `ynl --family netdev --dump qstats-get` (or any netdev netlink client) reads the
//! counters of each live queue, and the device totals as the base stats plus the sum
//! over live queues.
//!
//! The core fills the structures with all-ones before each call and treats a field the
//! driver left alone as "not collected": set only the counters the driver has. The
//! operations run with RTNL held, in process context, concurrently with the data path.

use super::dev::{Device, NetDeviceOps, Registration};
use crate::{bindings, error::VTABLE_DEFAULT_ERROR, prelude::*};
use core::{
    marker::PhantomData,
    ops::{Deref, DerefMut},
};

/// Statistics of one RX queue (C `struct netdev_queue_stats_rx`: `packets`, `bytes`,
/// `alloc_fail`, `hw_drops`, `csum_unnecessary`, ...).
#[repr(transparent)]
pub struct QueueStatsRx(bindings::netdev_queue_stats_rx);

/// Statistics of one TX queue (C `struct netdev_queue_stats_tx`: `packets`, `bytes`,
/// `stop`, `wake`, `needs_csum`, `hw_gso_packets`, ...).
#[repr(transparent)]
pub struct QueueStatsTx(bindings::netdev_queue_stats_tx);

impl Deref for QueueStatsRx {
    type Target = bindings::netdev_queue_stats_rx;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for QueueStatsRx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Deref for QueueStatsTx {
    type Target = bindings::netdev_queue_stats_tx;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for QueueStatsTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// Per-queue statistics operations, implemented by a device's private data type. RTNL
/// held, process context.
#[vtable]
pub trait StatOps: NetDeviceOps {
    /// Fills the counters of live RX queue `idx` (below the real number of RX queues).
    fn get_queue_stats_rx(_dev: &Device<Self>, _idx: u32, _stats: &mut QueueStatsRx) {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Fills the counters of live TX queue `idx` (below the real number of TX queues).
    fn get_queue_stats_tx(_dev: &Device<Self>, _idx: u32, _stats: &mut QueueStatsTx) {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Fills what the live queues do not account for (e.g. the history of queues that
    /// are no longer in use), so that base plus live queues give the device totals.
    /// Fields set here, even to zero, are reported for the device.
    fn get_base_stats(_dev: &Device<Self>, _rx: &mut QueueStatsRx, _tx: &mut QueueStatsTx) {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
}

struct Adapter<T: StatOps>(PhantomData<T>);

impl<T: StatOps> Adapter<T> {
    /// # Safety
    ///
    /// Called by the netdev netlink core with RTNL held on a registered device whose
    /// `stat_ops` were set by [`Registration::set_stat_ops`], with an exclusive buffer.
    unsafe extern "C" fn get_queue_stats_rx(
        dev: *mut bindings::net_device,
        idx: crate::ffi::c_int,
        stats: *mut bindings::netdev_queue_stats_rx,
    ) {
        // SAFETY: See above; the private data is live while the device is registered and
        // `QueueStatsRx` is `repr(transparent)`.
        let (dev, stats) = unsafe {
            (
                Device::<T>::from_raw(dev),
                &mut *stats.cast::<QueueStatsRx>(),
            )
        };
        // CAST: the core passes an index below `real_num_rx_queues`, never negative.
        T::get_queue_stats_rx(dev, idx as u32, stats);
    }

    /// # Safety
    ///
    /// As for `get_queue_stats_rx`.
    unsafe extern "C" fn get_queue_stats_tx(
        dev: *mut bindings::net_device,
        idx: crate::ffi::c_int,
        stats: *mut bindings::netdev_queue_stats_tx,
    ) {
        // SAFETY: As in `get_queue_stats_rx`.
        let (dev, stats) = unsafe {
            (
                Device::<T>::from_raw(dev),
                &mut *stats.cast::<QueueStatsTx>(),
            )
        };
        // CAST: the core passes an index below `real_num_tx_queues`, never negative.
        T::get_queue_stats_tx(dev, idx as u32, stats);
    }

    /// # Safety
    ///
    /// As for `get_queue_stats_rx`; `rx` and `tx` are distinct exclusive buffers.
    unsafe extern "C" fn get_base_stats(
        dev: *mut bindings::net_device,
        rx: *mut bindings::netdev_queue_stats_rx,
        tx: *mut bindings::netdev_queue_stats_tx,
    ) {
        // SAFETY: As in `get_queue_stats_rx`.
        let (dev, rx, tx) = unsafe {
            (
                Device::<T>::from_raw(dev),
                &mut *rx.cast::<QueueStatsRx>(),
                &mut *tx.cast::<QueueStatsTx>(),
            )
        };
        T::get_base_stats(dev, rx, tx);
    }

    const VTABLE: bindings::netdev_stat_ops = bindings::netdev_stat_ops {
        get_queue_stats_rx: if T::HAS_GET_QUEUE_STATS_RX {
            Some(Self::get_queue_stats_rx)
        } else {
            None
        },
        get_queue_stats_tx: if T::HAS_GET_QUEUE_STATS_TX {
            Some(Self::get_queue_stats_tx)
        } else {
            None
        },
        get_base_stats: if T::HAS_GET_BASE_STATS {
            Some(Self::get_base_stats)
        } else {
            None
        },
    };
}

impl<T: StatOps> Registration<T> {
    /// Installs `T`'s per-queue statistics operations; call before registering the
    /// device.
    pub fn set_stat_ops(&mut self) {
        let ops: &'static bindings::netdev_stat_ops = &Adapter::<T>::VTABLE;
        // SAFETY: Configuration of an unregistered device (nothing reads `stat_ops` yet);
        // the table is static.
        unsafe { (*self.config().as_raw()).stat_ops = ops };
    }
}
