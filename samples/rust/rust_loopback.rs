// SPDX-License-Identifier: GPL-2.0

//! Rust loopback sample.
//!
//! Mirrors `drivers/net/loopback.c` on the `kernel::net` abstractions: every frame
//! transmitted on an `rlo%d` device re-enters the receive path of the same device
//! through the per-CPU backlog and the `NET_RX` softirq (`__netif_rx`), and is counted
//! once as sent and once as received. The devices carry the loopback features
//! (`NETIF_F_LOOPBACK`, lockless TX, no qdisc, software GSO, checksums not needed, kept
//! in their network namespace).
//!
//! Unlike `lo` they do not set `IFF_LOOPBACK` nor the `ARPHRD_LOOPBACK` type: the stack
//! takes any device with that flag for *the* loopback of its namespace (IPv6's null
//! routes take a reference on it at registration and IPv4 gives it 127.0.0.1), so a
//! second one would break `lo` and never be released. They are Ethernet-type devices
//! with `IFF_NOARP` and an all-zero address, so their frames are addressed to
//! themselves.
//!
//! `ethtool -S` shows the stage counters: transmit calls, frames looped back into the
//! receive path, and drops (a frame too short for its Ethernet header, or a full
//! backlog).

use kernel::c_str;
use kernel::net::dev::{
    features, flags, priv_flags, Device, HwType, NetDev, NetDeviceOps, NetdevTx, Registered,
    Registration, RtnlLinkStats64, Unregistered, ETH_MIN_MTU,
};
use kernel::net::ethtool::{DrvInfo, EthtoolOps, EthtoolTable, StatsTable, StringSet, Strings};
use kernel::net::rtnl::{self, LinkOps};
use kernel::net::skb::SkBuff;
use kernel::percpu::PerCpuCounters;
use kernel::prelude::*;

module! {
    type: RustLoopback,
    name: "rust_loopback",
    author: "rigb project",
    description: "Rust loopback network device sample",
    license: "GPL",
}

kernel::module_param!(NUMDEVS, u32 = 2, module: "rust_loopback", name: "numdevs",
    perm: 0o444, description: "Number of rlo devices created at load time (0..16)");

/// Most devices `numdevs` may ask for; more can be added with `ip link add type rlo`.
const MAX_DEVICES: u32 = 16;

/// Largest MTU, as for `lo`.
const LOOPBACK_MTU: u32 = 64 * 1024;

/// Maximum GSO size (C `GSO_MAX_SIZE`).
const GSO_MAX_SIZE: u32 = 65536;

/// Per-device statistics: packets and bytes looped back (sent = received, as for
/// `lo`), and drops by cause; indices below. Per-CPU counters, as `lo`'s
/// `dev->lstats`: transmit is lockless and runs on all CPUs at once, and a shared
/// atomic would bounce between them on every frame. Each transmit call ends in
/// exactly one of `LOOPED`, `DROP_HEADER` or `DROP_BACKLOG`, so the transmit count
/// is their sum rather than a third add per frame.
#[pin_data]
struct Loopback {
    stats: PerCpuCounters<4>,
}

const LOOPED: usize = 0;
const LOOPED_BYTES: usize = 1;
const DROP_HEADER: usize = 2;
const DROP_BACKLOG: usize = 3;

/// `ethtool -S` names, in the order of the indices above.
const STAGES: StatsTable<5> = StatsTable::new([
    c_str!("xmit"),
    c_str!("looped_back"),
    c_str!("looped_bytes"),
    c_str!("dropped_bad_header"),
    c_str!("dropped_backlog_full"),
]);

impl Loopback {
    fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            stats: PerCpuCounters::new()?,
        }? Error)
    }

    fn dropped(&self) -> u64 {
        self.stats.sum(DROP_HEADER) + self.stats.sum(DROP_BACKLOG)
    }
}

#[vtable]
impl NetDeviceOps for Loopback {
    // Like `lo`, the devices keep the all-zero address.
    const VALIDATE_ADDR: bool = false;

    // Inline into the core's callback: one call less per frame.
    #[inline]
    fn start_xmit(dev: &Device<Self>, mut skb: SkBuff) -> NetdevTx {
        let lo = &dev.data().stats;
        // Transmit timestamp, then detach from the sending socket and keep the route:
        // the buffer is received again.
        skb.loop_back();
        if skb.eth_type_trans(dev).is_err() {
            lo.inc(DROP_HEADER);
            drop(skb);
            return NetdevTx::Ok;
        }
        let len = u64::from(skb.len());
        // Transmit runs with bottom halves off: queue without turning them off again.
        match skb.netif_rx_bh_off() {
            Ok(()) => {
                lo.inc(LOOPED);
                lo.add(LOOPED_BYTES, len);
            }
            // `netif_rx` already freed the buffer.
            Err(_) => lo.inc(DROP_BACKLOG),
        }
        NetdevTx::Ok
    }

    fn get_stats64(dev: &Device<Self>, stats: &mut RtnlLinkStats64) {
        let lo = dev.data();
        let packets = lo.stats.sum(LOOPED);
        let bytes = lo.stats.sum(LOOPED_BYTES);
        stats.rx_packets = packets;
        stats.tx_packets = packets;
        stats.rx_bytes = bytes;
        stats.tx_bytes = bytes;
        stats.rx_dropped = lo.dropped();
    }
}

#[vtable]
impl EthtoolOps for Loopback {
    fn get_drvinfo(_dev: &Device<Self>, info: &mut DrvInfo) {
        info.set_driver(c_str!("rust_loopback"));
        info.set_version(c_str!("1.0"));
    }

    fn get_sset_count(_dev: &Device<Self>, set: StringSet) -> Result<u32> {
        STAGES.sset_count(set)
    }

    fn get_strings(_dev: &Device<Self>, set: StringSet, out: &mut Strings<'_>) {
        STAGES.strings(set, out)
    }

    fn get_ethtool_stats(dev: &Device<Self>, data: &mut [u64]) {
        let [looped, bytes, bad_header, backlog] = dev.data().stats.sums();
        let xmit = looped.wrapping_add(bad_header).wrapping_add(backlog);
        STAGES.fill(data, [xmit, looped, bytes, bad_header, backlog])
    }
}

/// The setup of `gen_lo_setup` in drivers/net/loopback.c, minus `IFF_LOOPBACK`.
fn configure(dev: &Unregistered) {
    dev.set_hw_type(HwType::Ether);
    dev.set_mtu_range(ETH_MIN_MTU, LOOPBACK_MTU);
    dev.set_mtu(LOOPBACK_MTU);
    dev.set_flags(flags::NOARP);
    dev.update_priv_flags(priv_flags::LIVE_ADDR_CHANGE | priv_flags::NO_QUEUE, 0);
    dev.set_lltx(true);
    dev.set_netns_local(true);
    // Unlike `lo`, let the stack drop the route before transmit: it is an output route
    // (only `lo`'s local routes double as input routes), so the frame must be routed
    // again when it comes back in.
    dev.set_hw_features(features::GSO_SOFTWARE);
    dev.set_features(
        features::SG
            | features::FRAGLIST
            | features::GSO_SOFTWARE
            | features::HW_CSUM
            | features::RXCSUM
            | features::SCTP_CRC
            | features::HIGHDMA
            | features::VLAN_CHALLENGED
            | features::LOOPBACK,
    );
    dev.set_tso_max_size(GSO_MAX_SIZE);
}

fn new_device() -> Result<Registered<Loopback>> {
    let mut reg = Registration::new(c_str!("rlo%d"), 1, 1, Loopback::new())?;
    configure(reg.config());
    reg.set_ethtool_ops();
    reg.register()
}

/// More devices at run time: `ip link add [NAME] type rlo`; deleted with
/// `ip link del`, or all at once when the module is unloaded.
#[vtable]
impl LinkOps for Loopback {
    const KIND: &'static CStr = c_str!("rlo");
    const NAME_PATTERN: &'static CStr = c_str!("rlo%d");
    const ETHTOOL: Option<EthtoolTable<Self>> = Some(EthtoolTable::new());

    fn setup(dev: &Unregistered) {
        configure(dev);
    }

    fn init(_dev: &NetDev) -> impl PinInit<Self, Error> {
        Loopback::new()
    }
}

struct RustLoopback {
    devices: KVec<Registered<Loopback>>,
    _link: rtnl::Registration<Loopback>,
}

impl kernel::Module for RustLoopback {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let count = NUMDEVS.get();
        if count > MAX_DEVICES {
            pr_err!("numdevs={} is more than {}\n", count, MAX_DEVICES);
            return Err(EINVAL);
        }
        let mut devices = KVec::new();
        for _ in 0..count {
            let reg = new_device()?;
            pr_info!("registered {}\n", reg.dev().name());
            devices.push(reg, GFP_KERNEL)?;
        }
        Ok(Self {
            devices,
            _link: rtnl::Registration::register()?,
        })
    }
}

impl Drop for RustLoopback {
    fn drop(&mut self) {
        pr_info!("removing {} devices\n", self.devices.len());
    }
}
