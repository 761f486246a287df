// SPDX-License-Identifier: GPL-2.0

//! ethtool: driver info, link, ring sizes, channels and per-queue / per-vector statistics.

use crate::{
    ethtool_stats::{stats_count, stats_strings, stats_values},
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
        if dev.is_running() {
            // Resizing live rings needs a full stop/open; ask the user to do it.
            return Err(EBUSY);
        }
        s.rx_count.store(RingIndex::clamp_count(ring.rx_pending), Ordering::Relaxed);
        s.tx_count.store(RingIndex::clamp_count(ring.tx_pending), Ordering::Relaxed);
        Ok(())
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
        stats_strings(&dev.data().shared, out);
    }

    fn get_ethtool_stats(dev: &Device<Self>, data: &mut [u64]) {
        stats_values(&dev.data().shared, data);
    }
}
