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

use core::sync::atomic::{AtomicU64, Ordering};
use kernel::c_str;
use kernel::net::dev::{
    features, priv_flags, Device, NetDev, NetDeviceOps, NetdevTx, RtnlLinkStats64,
};
use kernel::net::ethtool::{DrvInfo, EthtoolOps, EthtoolTable, StatsTable, StringSet, Strings};
use kernel::net::rtnl::{self, LinkOps};
use kernel::net::skb::SkBuff;
use kernel::prelude::*;

module! {
    type: RustVeth,
    name: "rust_veth",
    author: "rigb project",
    description: "Rust virtual Ethernet pair sample",
    license: "GPL",
}

/// Minimum MTU of an Ethernet-type device (C `ETH_MIN_MTU`).
const ETH_MIN_MTU: u32 = 68;
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

/// Per-device counters. TX counts frames handed to the peer; RX counts frames the peer
/// handed to this device; a transmitted frame is dropped because there was no peer, or
/// because the peer refused it (down, or too long for it). Atomics: transmit is
/// lockless and runs on all CPUs.
struct RVeth {
    xmit: AtomicU64,
    tx_packets: AtomicU64,
    tx_bytes: AtomicU64,
    drop_no_peer: AtomicU64,
    drop_peer_refused: AtomicU64,
    rx_packets: AtomicU64,
    rx_bytes: AtomicU64,
}

/// `ethtool -S` names, in the order of [`RVeth::stages`].
const STAGES: StatsTable<7> = StatsTable::new([
    c_str!("xmit"),
    c_str!("delivered_to_peer"),
    c_str!("delivered_bytes"),
    c_str!("dropped_no_peer"),
    c_str!("dropped_peer_refused"),
    c_str!("received_from_peer"),
    c_str!("received_bytes"),
]);

impl RVeth {
    fn stages(&self) -> [&AtomicU64; 7] {
        [
            &self.xmit,
            &self.tx_packets,
            &self.tx_bytes,
            &self.drop_no_peer,
            &self.drop_peer_refused,
            &self.rx_packets,
            &self.rx_bytes,
        ]
    }
}

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
        let me = dev.data();
        me.xmit.fetch_add(1, Ordering::Relaxed);
        let len = u64::from(skb.len());
        // The closure owns `skb`: without a peer it is dropped (freed) with it.
        let delivered = dev.with_peer(|peer| match skb.forward(peer) {
            Ok(()) => {
                let rx = peer.data();
                rx.rx_packets.fetch_add(1, Ordering::Relaxed);
                rx.rx_bytes.fetch_add(len, Ordering::Relaxed);
                true
            }
            Err(_) => false,
        });
        let counter = match delivered {
            Some(true) => {
                me.tx_bytes.fetch_add(len, Ordering::Relaxed);
                &me.tx_packets
            }
            Some(false) => &me.drop_peer_refused,
            None => &me.drop_no_peer,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        NetdevTx::Ok
    }

    fn get_stats64(dev: &Device<Self>, stats: &mut RtnlLinkStats64) {
        let me = dev.data();
        stats.tx_packets = me.tx_packets.load(Ordering::Relaxed);
        stats.tx_bytes = me.tx_bytes.load(Ordering::Relaxed);
        stats.tx_dropped =
            me.drop_no_peer.load(Ordering::Relaxed) + me.drop_peer_refused.load(Ordering::Relaxed);
        stats.rx_packets = me.rx_packets.load(Ordering::Relaxed);
        stats.rx_bytes = me.rx_bytes.load(Ordering::Relaxed);
    }
}

#[vtable]
impl LinkOps for RVeth {
    const KIND: &'static CStr = c_str!("rveth");
    const NAME_PATTERN: &'static CStr = c_str!("rveth%d");
    const PAIRED: bool = true;
    const ETHTOOL: Option<EthtoolTable<Self>> = Some(EthtoolTable::new());

    fn setup(dev: &NetDev) {
        // As `veth_setup`: no qdisc, lockless TX, live MAC changes, large MTUs.
        dev.update_priv_flags(
            priv_flags::LIVE_ADDR_CHANGE | priv_flags::NO_QUEUE,
            priv_flags::TX_SKB_SHARING,
        );
        dev.set_lltx(true);
        dev.set_mtu_range(ETH_MIN_MTU, ETH_MAX_MTU);
        dev.set_features(RVETH_FEATURES);
        dev.set_hw_features(RVETH_FEATURES);
        dev.set_vlan_features(RVETH_FEATURES);
        dev.set_tso_max_size(GSO_MAX_SIZE);
    }

    fn init(_dev: &NetDev) -> impl PinInit<Self, Error> {
        RVeth {
            xmit: AtomicU64::new(0),
            tx_packets: AtomicU64::new(0),
            tx_bytes: AtomicU64::new(0),
            drop_no_peer: AtomicU64::new(0),
            drop_peer_refused: AtomicU64::new(0),
            rx_packets: AtomicU64::new(0),
            rx_bytes: AtomicU64::new(0),
        }
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
        STAGES.fill(data, dev.data().stages())
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
