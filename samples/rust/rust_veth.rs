// SPDX-License-Identifier: GPL-2.0

//! Rust virtual Ethernet pair sample (link kind `rveth`).
//!
//! Mirrors the basic path of `drivers/net/veth.c` on the `kernel::net` abstractions:
//!
//! - `ip link add a type rveth peer name b` creates two linked devices (the peer name
//!   is optional, the peer may be created in another namespace with `netns`);
//!   `ip link del a` removes both, and so does deleting the namespace of either end;
//!   unloading the module removes all pairs.
//! - what one end transmits is handed to the other end's receive path (scrubbed when
//!   it crosses a namespace, protocol set by `eth_type_trans`, queued with `netif_rx`);
//!   a frame for a peer that is down is dropped and counted.
//! - the carrier of both ends is on only while both are up.
//! - `ethtool -S` shows the stage counters of each end: transmit calls, frames delivered
//!   to the peer, frames dropped because there was no peer or the peer refused them
//!   (down, or too long), and frames received from the peer.

use kernel::c_str;
use kernel::net::dev::{
    features, priv_flags, Device, NetDev, NetDeviceOps, NetdevTx, RtnlLinkStats64, Unregistered,
    ETH_MIN_MTU,
};
use kernel::net::ethtool::{DrvInfo, EthtoolOps, EthtoolTable, StatsTable, StringSet, Strings};
use kernel::net::rtnl::{self, LinkOps};
use kernel::net::skb::SkBuff;
use kernel::percpu::PerCpuCounters;
use kernel::prelude::*;

module! {
    type: RustVeth,
    name: "rust_veth",
    author: "rigb project",
    description: "Rust virtual Ethernet pair sample",
    license: "GPL",
}

/// Maximum MTU (C `ETH_MAX_MTU`).
const ETH_MAX_MTU: u32 = 65535;
/// Maximum GSO size (C `GSO_MAX_SIZE`).
const GSO_MAX_SIZE: u32 = 65536;

/// The features of veth that this sample supports.
const RVETH_FEATURES: u64 = features::HW_CSUM
    | features::SG
    | features::FRAGLIST
    | features::HIGHDMA
    | features::GSO_SOFTWARE
    | features::RXCSUM
    | features::SCTP_CRC;

/// Per-device counters (indices below, in `ethtool -S` order). TX counts frames handed to
/// the peer; RX counts frames the peer handed to this device; a transmitted frame is
/// dropped because there was no peer, or because the peer refused it (down, or too long
/// for it). Per-CPU counters, as `veth`'s `dev->tstats`: transmit is lockless and runs on
/// all CPUs at once.
#[pin_data]
struct RVeth {
    stats: PerCpuCounters<7>,
}

const XMIT: usize = 0;
const TX_PACKETS: usize = 1;
const TX_BYTES: usize = 2;
const DROP_NO_PEER: usize = 3;
const DROP_PEER_REFUSED: usize = 4;
const RX_PACKETS: usize = 5;
const RX_BYTES: usize = 6;

/// `ethtool -S` names, in the order of the indices above.
const STAGES: StatsTable<7> = StatsTable::new([
    c_str!("xmit"),
    c_str!("delivered_to_peer"),
    c_str!("delivered_bytes"),
    c_str!("dropped_no_peer"),
    c_str!("dropped_peer_refused"),
    c_str!("received_from_peer"),
    c_str!("received_bytes"),
]);

#[vtable]
impl NetDeviceOps for RVeth {
    fn open(dev: &Device<Self>) -> Result {
        // As veth: opening an end whose peer is already up brings both carriers up.
        let linked = dev.with_peer(|peer| {
            if peer.is_up() {
                dev.carrier_on();
                peer.carrier_on();
            }
        });
        linked.ok_or_else(kernel::net::code::enotconn)
    }

    fn stop(dev: &Device<Self>) -> Result {
        dev.carrier_off();
        dev.with_peer(|peer| peer.carrier_off());
        Ok(())
    }

    fn start_xmit(dev: &Device<Self>, skb: SkBuff) -> NetdevTx {
        let me = &dev.data().stats;
        me.inc(XMIT);
        let len = u64::from(skb.len());
        // The closure owns `skb`: without a peer it is dropped (freed) with it.
        let delivered = dev.with_peer(|peer| match skb.forward(peer) {
            Ok(()) => {
                let rx = &peer.data().stats;
                rx.inc(RX_PACKETS);
                rx.add(RX_BYTES, len);
                true
            }
            Err(_) => false,
        });
        match delivered {
            Some(true) => {
                me.add(TX_BYTES, len);
                me.inc(TX_PACKETS);
            }
            Some(false) => me.inc(DROP_PEER_REFUSED),
            None => me.inc(DROP_NO_PEER),
        }
        NetdevTx::Ok
    }

    fn get_stats64(dev: &Device<Self>, stats: &mut RtnlLinkStats64) {
        let me = &dev.data().stats;
        stats.tx_packets = me.sum(TX_PACKETS);
        stats.tx_bytes = me.sum(TX_BYTES);
        stats.tx_dropped = me.sum(DROP_NO_PEER) + me.sum(DROP_PEER_REFUSED);
        stats.rx_packets = me.sum(RX_PACKETS);
        stats.rx_bytes = me.sum(RX_BYTES);
    }
}

#[vtable]
impl LinkOps for RVeth {
    const KIND: &'static CStr = c_str!("rveth");
    const NAME_PATTERN: &'static CStr = c_str!("rveth%d");
    const PAIRED: bool = true;
    const ETHTOOL: Option<EthtoolTable<Self>> = Some(EthtoolTable::new());

    fn setup(dev: &Unregistered) {
        // As `veth_setup`: no qdisc, lockless TX, live MAC changes, large MTUs (and, as
        // on every device of these abstractions, no shared transmit buffers).
        dev.update_priv_flags(priv_flags::LIVE_ADDR_CHANGE | priv_flags::NO_QUEUE, 0);
        dev.set_lltx(true);
        dev.set_mtu_range(ETH_MIN_MTU, ETH_MAX_MTU);
        dev.set_features(RVETH_FEATURES);
        dev.set_hw_features(RVETH_FEATURES);
        dev.set_vlan_features(RVETH_FEATURES);
        dev.set_tso_max_size(GSO_MAX_SIZE);
    }

    fn init(_dev: &NetDev) -> impl PinInit<Self, Error> {
        try_pin_init!(RVeth {
            stats: PerCpuCounters::new()?,
        }? Error)
    }
}

#[vtable]
impl EthtoolOps for RVeth {
    fn get_drvinfo(_dev: &Device<Self>, info: &mut DrvInfo) {
        info.set_driver(c_str!("rust_veth"));
        info.set_version(c_str!("1.0"));
    }

    fn get_sset_count(_dev: &Device<Self>, set: StringSet) -> Result<u32> {
        STAGES.sset_count(set)
    }

    fn get_strings(_dev: &Device<Self>, set: StringSet, out: &mut Strings<'_>) {
        STAGES.strings(set, out)
    }

    fn get_ethtool_stats(dev: &Device<Self>, data: &mut [u64]) {
        STAGES.fill(data, dev.data().stats.sums())
    }
}

struct RustVeth {
    _link: rtnl::Registration<RVeth>,
}

impl kernel::Module for RustVeth {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self {
            _link: rtnl::Registration::register()?,
        })
    }
}
