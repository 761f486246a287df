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

use core::sync::atomic::{AtomicU64, Ordering};
use kernel::c_str;
use kernel::net::dev::{
    features, priv_flags, Device, NetDev, NetDeviceOps, NetdevTx, RtnlLinkStats64,
};
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
/// handed to this device; `tx_dropped` frames dropped because the peer was missing or
/// down (or too long for it).
struct RVeth {
    tx_packets: AtomicU64,
    tx_bytes: AtomicU64,
    tx_dropped: AtomicU64,
    rx_packets: AtomicU64,
    rx_bytes: AtomicU64,
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
        if delivered == Some(true) {
            me.tx_packets.fetch_add(1, Ordering::Relaxed);
            me.tx_bytes.fetch_add(len, Ordering::Relaxed);
        } else {
            me.tx_dropped.fetch_add(1, Ordering::Relaxed);
        }
        NetdevTx::Ok
    }

    fn get_stats64(dev: &Device<Self>, stats: &mut RtnlLinkStats64) {
        let me = dev.data();
        stats.tx_packets = me.tx_packets.load(Ordering::Relaxed);
        stats.tx_bytes = me.tx_bytes.load(Ordering::Relaxed);
        stats.tx_dropped = me.tx_dropped.load(Ordering::Relaxed);
        stats.rx_packets = me.rx_packets.load(Ordering::Relaxed);
        stats.rx_bytes = me.rx_bytes.load(Ordering::Relaxed);
    }
}

#[vtable]
impl LinkOps for RVeth {
    const KIND: &'static CStr = c_str!("rveth");
    const NAME_PATTERN: &'static CStr = c_str!("rveth%d");
    const PAIRED: bool = true;

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
            tx_packets: AtomicU64::new(0),
            tx_bytes: AtomicU64::new(0),
            tx_dropped: AtomicU64::new(0),
            rx_packets: AtomicU64::new(0),
            rx_bytes: AtomicU64::new(0),
        }
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
