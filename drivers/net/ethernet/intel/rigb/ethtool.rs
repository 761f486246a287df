// SPDX-License-Identifier: GPL-2.0

//! ethtool: driver info, link settings, ring sizes, channels, interrupt moderation, pause,
//! RSS, register dump, NVM, self-test, and per-queue / per-vector statistics.
//!
//! Settings that must survive a down/up or a link change live in [`Config`] (in [`Shared`]);
//! everything else is read back from the device, so that what ethtool shows is what the
//! hardware does.

use crate::{
    adapter::{hw_err, sleep_us, Shared},
    ethtool_stats::{stats_count, stats_strings, stats_values},
    hw::{
        self,
        phy::{adv, Pause},
    },
    itr,
    netdev::Adapter,
    regs::*,
    ring::{RingIndex, MAX_DESCS},
};
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, Ordering};
use kernel::{
    c_str,
    net::dev::NetDeviceOps,
    net::rtnl::Rtnl,
    net::{
        dev::Device,
        ethtool::{
            coalesce, eopnotsupp, rxfh, Channels, Coalesce, DrvInfo, Duplex, EthtoolOps, ExtAck,
            LinkKsettings, LinkMode, PauseParam, PhysIdState, RingParam, RxNfc, RxNfcReply, Rxfh,
            StringSet, Strings, TestResult, TsInfo,
        },
    },
    prelude::*,
    str::CString,
};

/// `NETIF_MSG_DRV | NETIF_MSG_PROBE | NETIF_MSG_LINK`, the C driver's default message level.
const DEFAULT_MSG_ENABLE: u32 = 0x7;
/// `NETIF_MSG_LINK`: log link changes.
pub(crate) const MSG_LINK: u32 = 0x4;

/// Entries of the RSS redirection table (RETA: 32 registers of 4 bytes).
const RETA_SIZE: usize = RETA::COUNT * 4;
/// Bytes of the RSS key (RSSRK: 10 registers).
const KEY_SIZE: usize = RSSRK::COUNT * 4;

/// Settings chosen with ethtool that the driver applies again at `open` or on link up. All
/// writers hold RTNL; readers in interrupt context see each value atomically.
pub(crate) struct Config {
    /// Message level (`ethtool -s msglvl`).
    pub(crate) msg_enable: AtomicU32,
    /// Queue vector moderation (`ethtool -C rx-usecs`, see [`crate::itr`]): 0 = none, 1 or
    /// 3 = adaptive, else a fixed interval in microseconds.
    pub(crate) itr_setting: AtomicU32,
    /// The same for TX-only vectors (`ethtool -C tx-usecs`); used only when TX queues have
    /// vectors of their own, otherwise TX follows `itr_setting`.
    pub(crate) tx_itr_setting: AtomicU32,
    /// Pause: resolve by autonegotiation (`ethtool -A autoneg`).
    fc_autoneg: AtomicBool,
    /// Pause requested: honour received pause frames.
    fc_rx: AtomicBool,
    /// Pause requested: send pause frames.
    fc_tx: AtomicBool,
    /// Pause use resolved from the PHY's advertisement and the partner's ability (process
    /// context, MDIC), applied on link up from interrupt context.
    fc_rx_res: AtomicBool,
    fc_tx_res: AtomicBool,
    /// Hash UDP ports over IPv4 / IPv6 (`ethtool -N rx-flow-hash udp4/udp6`).
    udp4_ports: AtomicBool,
    udp6_ports: AtomicBool,
    /// A redirection table set with `ethtool -X`, applied at open while it fits the queues.
    reta: [AtomicU8; RETA_SIZE],
    reta_set: AtomicBool,
    /// A key set with `ethtool -X hkey`.
    key: [AtomicU8; KEY_SIZE],
    key_set: AtomicBool,
    /// LEDCTL before `ethtool -p`, restored after it.
    ledctl_saved: AtomicU32,
}

impl Config {
    /// The defaults: moderation `itr_setting`, symmetric pause by autonegotiation, RSS table and
    /// key chosen at open.
    pub(crate) const fn new(itr_setting: u32) -> Self {
        Self {
            msg_enable: AtomicU32::new(DEFAULT_MSG_ENABLE),
            itr_setting: AtomicU32::new(itr_setting),
            tx_itr_setting: AtomicU32::new(itr_setting),
            fc_autoneg: AtomicBool::new(true),
            fc_rx: AtomicBool::new(true),
            fc_tx: AtomicBool::new(true),
            fc_rx_res: AtomicBool::new(true),
            fc_tx_res: AtomicBool::new(true),
            udp4_ports: AtomicBool::new(false),
            udp6_ports: AtomicBool::new(false),
            reta: [const { AtomicU8::new(0) }; RETA_SIZE],
            reta_set: AtomicBool::new(false),
            key: [const { AtomicU8::new(0) }; KEY_SIZE],
            key_set: AtomicBool::new(false),
            ledctl_saved: AtomicU32::new(0),
        }
    }

    /// Whether messages of class `bit` (`NETIF_MSG_*`) are enabled.
    pub(crate) fn msg(&self, bit: u32) -> bool {
        self.msg_enable.load(Ordering::Relaxed) & bit != 0
    }

    fn requested_pause(&self) -> Pause {
        Pause {
            rx: self.fc_rx.load(Ordering::Relaxed),
            tx: self.fc_tx.load(Ordering::Relaxed),
        }
    }
}

/// Programs the pause frame registers and CTRL.RFCE/TFCE (datasheet 3.7.5). With
/// autonegotiated pause, `resolved` is what both ends agreed on; without it, the request. Called
/// at probe, on every link up (the device's own link logic may change RFCE/TFCE) and from
/// `ethtool -A`. Register writes only: safe in interrupt context.
pub(crate) fn apply_pause(s: &Shared) {
    let c = &s.cfg;
    let p = c.requested_pause();
    let h = &s.hw;
    // 802.3x: pause frames go to 01:80:C2:00:00:01, EtherType 0x8808.
    h.wr(FCAL::OFFSET, 0x00C2_8001);
    h.wr(FCAH::OFFSET, 0x0100);
    h.wr(FCT::OFFSET, 0x8808);
    h.wr(FCTTV::OFFSET, 0xFFFF);
    // XOFF at 90% of the 64 KiB receive packet buffer, XON 16 bytes below.
    let high = (64 * 1024 * 9 / 10) & !0xF;
    h.wr(FCRTH::OFFSET, FCRTH::RTH.val(high >> 4));
    h.wr(
        FCRTL::OFFSET,
        FCRTL::RTL.val((high - 16) >> 4) | FCRTL::XONE.mask(),
    );
    let p = if c.fc_autoneg.load(Ordering::Relaxed) {
        Pause {
            rx: c.fc_rx_res.load(Ordering::Relaxed),
            tx: c.fc_tx_res.load(Ordering::Relaxed),
        }
    } else {
        p
    };
    let mut ctrl = h.rd(CTRL::OFFSET);
    if ctrl == u32::MAX {
        return;
    }
    ctrl = CTRL::RFCE.set(ctrl, u32::from(p.rx));
    ctrl = CTRL::TFCE.set(ctrl, u32::from(p.tx));
    h.wr(CTRL::OFFSET, ctrl);
}

/// Resolves autonegotiated pause from our advertisement and the link partner's ability
/// (PHY registers, process context) and applies it. On a PHY error the request is used.
pub(crate) fn resolve_pause(s: &Shared) {
    let mut d = sleep_us;
    let c = &s.cfg;
    let res = hw::phy::read(&s.hw, hw::phy::MII_ADVERTISE, &mut d)
        .and_then(|a| Ok((a, hw::phy::read(&s.hw, hw::phy::MII_LPA, &mut d)?)))
        .map(|(a, lpa)| Pause::resolve(a, lpa))
        .unwrap_or(c.requested_pause());
    c.fc_rx_res.store(res.rx, Ordering::Relaxed);
    c.fc_tx_res.store(res.tx, Ordering::Relaxed);
    apply_pause(s);
}

/// Applies the ethtool RSS settings over the defaults `open` just programmed: a redirection
/// table set with `ethtool -X` (if it still fits the queues in use), a key set with
/// `ethtool -X hkey`, and the UDP port hashing of `ethtool -N`.
pub(crate) fn apply_rss(s: &Shared) {
    let c = &s.cfg;
    let h = &s.hw;
    let nq = s.active_count();
    if c.reta_set.load(Ordering::Relaxed)
        && c.reta
            .iter()
            .all(|e| usize::from(e.load(Ordering::Relaxed)) < nq)
    {
        for (n, e) in c.reta.chunks_exact(4).enumerate() {
            let v = [0, 1, 2, 3].map(|j| e[j].load(Ordering::Relaxed));
            h.wr_q(RETA::offset(n), u32::from_le_bytes(v));
        }
    }
    if c.key_set.load(Ordering::Relaxed) {
        for (n, k) in c.key.chunks_exact(4).enumerate() {
            let v = [0, 1, 2, 3].map(|j| k[j].load(Ordering::Relaxed));
            h.wr_q(RSSRK::offset(n), u32::from_le_bytes(v));
        }
    }
    let mut mrqc = h.rd(MRQC::OFFSET);
    if mrqc == u32::MAX {
        return;
    }
    mrqc = MRQC::RSS_FIELD_IPV4_UDP.set(mrqc, u32::from(c.udp4_ports.load(Ordering::Relaxed)));
    mrqc = MRQC::RSS_FIELD_IPV6_UDP.set(mrqc, u32::from(c.udp6_ports.load(Ordering::Relaxed)));
    h.wr(MRQC::OFFSET, mrqc);
}

/// Self-tests, in `ethtool -t` order.
const TESTS: [&CStr; 4] = [
    c_str!("Register test  (offline)"),
    c_str!("Eeprom test    (offline)"),
    c_str!("Interrupt test (offline)"),
    c_str!("Link test   (on/offline)"),
];

/// Fires every vector through EICS and checks that its handler ran. Vectors masked because
/// the interface is down are unmasked for the test only; their handlers do nothing then.
fn irq_test(s: &Shared) -> bool {
    let running = s.is_running();
    for v in 0..=s.other_vector {
        let Some(vs) = s.vectors.get(v as usize) else {
            return false;
        };
        let before = vs.irqs.get();
        if !running {
            s.hw.wr(EIMS::OFFSET, 1 << v);
        }
        s.hw.wr(EICS::OFFSET, 1 << v);
        // The interval (EITR) may hold the interrupt back for up to ~8 ms.
        let mut fired = false;
        for _ in 0..100 {
            sleep_us(1_000);
            if vs.irqs.get() != before {
                fired = true;
                break;
            }
        }
        if !running {
            s.hw.wr(EIMC::OFFSET, 1 << v);
        }
        if !fired {
            return false;
        }
    }
    true
}

/// Waits up to 4 s for link (autonegotiation takes a few hundred milliseconds).
fn link_test(s: &Shared) -> bool {
    for _ in 0..40 {
        if hw::mac::link_status(&s.hw).is_ok_and(|l| l.up) {
            return true;
        }
        sleep_us(100_000);
    }
    false
}

/// Maps an ethtool flow type to (flow hashes L4 ports, the ports are configurable).
fn flow_ports(s: &Shared, flow_type: u32) -> Result<(bool, Option<&AtomicBool>)> {
    let c = &s.cfg;
    Ok(match flow_type {
        rxfh::TCP_V4_FLOW | rxfh::TCP_V6_FLOW => (true, None),
        rxfh::UDP_V4_FLOW => (c.udp4_ports.load(Ordering::Relaxed), Some(&c.udp4_ports)),
        rxfh::UDP_V6_FLOW => (c.udp6_ports.load(Ordering::Relaxed), Some(&c.udp6_ports)),
        rxfh::IPV4_FLOW | rxfh::IPV6_FLOW => (false, None),
        _ => return Err(EINVAL),
    })
}

#[vtable]
impl EthtoolOps for Adapter {
    const SUPPORTED_COALESCE_PARAMS: u32 = coalesce::RX_USECS | coalesce::TX_USECS;

    fn get_drvinfo(dev: &Device<Self>, info: &mut DrvInfo) {
        info.set_driver(c_str!("rigb"));
        info.set_version(c_str!("0.1"));
        info.set_bus_info(dev.data().shared.pdev.pci_name());
        // The NVM image version, read when asked (three EEPROM words; process context).
        let s = &dev.data().shared;
        if let Ok(v) = hw::nvm::FwVersion::read(&s.hw, &mut sleep_us) {
            if let Ok(text) = CString::try_from_fmt(format_args!("{v}")) {
                info.set_fw_version(&text);
            }
        }
    }

    fn get_link(dev: &Device<Self>) -> bool {
        dev.carrier_ok()
    }

    fn get_ts_info(dev: &Device<Self>, info: &mut TsInfo) -> Result {
        // Software stamps both ways: `fill` (tx.rs) stamps every packet it queues.
        info.set_software();
        let phc = dev.data().shared.ctl.phc_index.load(Ordering::Relaxed);
        if phc >= 0 {
            info.set_phc_index(phc);
        }
        Ok(())
    }

    fn get_link_ksettings(dev: &Device<Self>, ks: &mut LinkKsettings) -> Result {
        let s = &dev.data().shared;
        ks.set_port_tp();
        ks.set_phy_address(1);
        for m in [
            LinkMode::T10Half,
            LinkMode::T10Full,
            LinkMode::T100Half,
            LinkMode::T100Full,
            LinkMode::T1000Full,
            LinkMode::Autoneg,
            LinkMode::Tp,
            LinkMode::Pause,
        ] {
            ks.add_supported(m);
        }
        ks.add_advertising(LinkMode::Tp);
        let (an, modes) = hw::phy::autoneg_state(&s.hw, &mut sleep_us).map_err(hw_err)?;
        ks.set_autoneg(an);
        if an {
            ks.add_advertising(LinkMode::Autoneg);
            for (m, b) in [
                (LinkMode::T10Half, adv::T10_HALF),
                (LinkMode::T10Full, adv::T10_FULL),
                (LinkMode::T100Half, adv::T100_HALF),
                (LinkMode::T100Full, adv::T100_FULL),
                (LinkMode::T1000Full, adv::T1000_FULL),
            ] {
                if modes & b != 0 {
                    ks.add_advertising(m);
                }
            }
            let p = s.cfg.requested_pause();
            if p.rx {
                ks.add_advertising(LinkMode::Pause);
            }
            if p.rx != p.tx {
                ks.add_advertising(LinkMode::AsymPause);
            }
        }
        match hw::mac::link_status(&s.hw) {
            Ok(l) if l.up => {
                ks.set_speed(Some(l.speed));
                ks.set_duplex(if l.full_duplex {
                    Duplex::Full
                } else {
                    Duplex::Half
                });
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
        // The core refused sizes above the maximum; clamp to the minimum and round up to a
        // multiple of 8, as C igb does.
        let (rx, tx) = (
            RingIndex::clamp_count(ring.rx_pending),
            RingIndex::clamp_count(ring.tx_pending),
        );
        if rx == s.rx_count.load(Ordering::Relaxed) && tx == s.tx_count.load(Ordering::Relaxed) {
            return Ok(());
        }
        // While up, new rings are allocated before the old ones go: on failure nothing
        // changes. While down, the sizes apply at the next open.
        crate::netdev::relayout(dev, rx, tx)
    }

    fn get_channels(dev: &Device<Self>, ch: &mut Channels) {
        let s = &dev.data().shared;
        // CAST: at most MAX_QUEUES.
        ch.max_combined = s.num_queues as u32;
        ch.combined_count = s.active_count() as u32;
        ch.max_other = 1;
        ch.other_count = 1;
    }

    fn set_channels(dev: &Device<Self>, rtnl: &Rtnl, ch: &Channels) -> Result {
        let s = &dev.data().shared;
        let n = ch.combined_count as usize;
        if n == 0 || n > s.num_queues || ch.rx_count != 0 || ch.tx_count != 0 || ch.other_count != 1
        {
            return Err(EINVAL);
        }
        // Queue pairs come and go with their rings: reopen a running interface.
        let running = dev.is_running();
        if running {
            Adapter::stop(dev)?;
        }
        s.active.store(n, Ordering::Relaxed);
        let res = dev
            .set_real_num_tx_queues(rtnl, ch.combined_count)
            .and_then(|()| dev.set_real_num_rx_queues(rtnl, ch.combined_count));
        if running {
            Adapter::open(dev)?;
        }
        res
    }

    fn get_sset_count(dev: &Device<Self>, set: StringSet) -> Result<u32> {
        match set {
            StringSet::Stats => Ok(u32::try_from(stats_count(&dev.data().shared))?),
            // CAST: 4.
            StringSet::Test => Ok(TESTS.len() as u32),
            _ => Err(EINVAL),
        }
    }

    fn get_strings(dev: &Device<Self>, set: StringSet, out: &mut Strings<'_>) {
        if set == StringSet::Test {
            TESTS.iter().for_each(|t| out.push(t));
            return;
        }
        if set != StringSet::Stats {
            return;
        }
        stats_strings(&dev.data().shared, out);
    }

    fn get_ethtool_stats(dev: &Device<Self>, data: &mut [u64]) {
        stats_values(&dev.data().shared, data);
    }

    fn get_coalesce(dev: &Device<Self>, c: &mut Coalesce) -> Result {
        let s = &dev.data().shared;
        // The adaptive modes are reported as chosen (1 or 3), as the C driver does; a fixed
        // interval as the device holds it, read back from the first vector of the kind (all
        // vectors of a kind share the setting).
        let usecs = |v: u32| -> Result<u32> {
            let setting = s.itr_setting(v);
            if itr::is_dynamic(setting) {
                return Ok(setting);
            }
            // CAST: v < MAX_VECTORS.
            let reg = s.hw.rd(EITR::offset(v as usize).ok_or(EINVAL)?);
            if reg == u32::MAX {
                return Err(ENODEV);
            }
            Ok(EITR::INTERVAL.get(reg))
        };
        c.rx_coalesce_usecs = usecs(s.rx_vector(0))?;
        // When TX and RX of a queue pair share a vector tx-usecs follows rx-usecs and reads 0,
        // as the C driver reports with paired queues.
        c.tx_coalesce_usecs = if s.separate_tx {
            usecs(s.tx_vector(0))?
        } else {
            0
        };
        Ok(())
    }

    fn set_coalesce(dev: &Device<Self>, c: &Coalesce, ext: &ExtAck) -> Result {
        let s = &dev.data().shared;
        let (us, tx_us) = (c.rx_coalesce_usecs, c.tx_coalesce_usecs);
        if !s.separate_tx && tx_us != 0 {
            ext.set_msg(c_str!("rigb: TX and RX share a vector; set rx-usecs only"));
            return Err(EINVAL);
        }
        if !itr::is_valid(us) {
            ext.set_msg(c_str!(
                "rigb: rx-usecs must be 0, 1 or 3 (adaptive) or 10..8191"
            ));
            return Err(EINVAL);
        }
        if !itr::is_valid(tx_us) {
            ext.set_msg(c_str!(
                "rigb: tx-usecs must be 0, 1 or 3 (adaptive) or 10..8191"
            ));
            return Err(EINVAL);
        }
        s.cfg.itr_setting.store(us, Ordering::Relaxed);
        if s.separate_tx {
            s.cfg.tx_itr_setting.store(tx_us, Ordering::Relaxed);
        }
        s.reset_itr();
        Ok(())
    }

    fn get_msglevel(dev: &Device<Self>) -> u32 {
        dev.data().shared.cfg.msg_enable.load(Ordering::Relaxed)
    }

    fn set_msglevel(dev: &Device<Self>, level: u32) {
        dev.data()
            .shared
            .cfg
            .msg_enable
            .store(level, Ordering::Relaxed);
    }

    fn nway_reset(dev: &Device<Self>) -> Result {
        let s = &dev.data().shared;
        // The link is down while the PHY renegotiates: the carrier follows at once, and the
        // link interrupt brings it back (logging it), as the link comes up again.
        dev.carrier_off();
        let res = hw::phy::restart_autoneg(&s.hw, &mut sleep_us).map_err(hw_err);
        if res.is_err() && s.update_link(dev) {
            // Nothing was restarted: the carrier is what the link says (RTNL held).
            apply_pause(s);
        }
        res
    }

    fn set_link_ksettings(dev: &Device<Self>, ks: &LinkKsettings) -> Result {
        let s = &dev.data().shared;
        let mut d = sleep_us;
        if !ks.port_is_tp() {
            return Err(EINVAL);
        }
        let pause = s.cfg.requested_pause();
        if ks.autoneg() {
            let a = ks.advertising();
            let speeds = [
                (LinkMode::T10Half, adv::T10_HALF),
                (LinkMode::T10Full, adv::T10_FULL),
                (LinkMode::T100Half, adv::T100_HALF),
                (LinkMode::T100Full, adv::T100_FULL),
                (LinkMode::T1000Full, adv::T1000_FULL),
            ];
            if !a.contains_only(&[
                LinkMode::T10Half,
                LinkMode::T10Full,
                LinkMode::T100Half,
                LinkMode::T100Full,
                LinkMode::T1000Full,
                LinkMode::Autoneg,
                LinkMode::Tp,
                LinkMode::Pause,
                LinkMode::AsymPause,
            ]) {
                return Err(EINVAL);
            }
            let mut modes = speeds
                .iter()
                .filter(|(m, _)| a.contains(*m))
                .fold(0, |acc, (_, b)| acc | b);
            // No speed given (e.g. "autoneg on" after a forced speed): all of them, as the C
            // driver does.
            if modes == 0 {
                modes = adv::ALL;
            }
            hw::phy::start_autoneg(&s.hw, modes, pause, &mut d).map_err(hw_err)?;
        } else {
            let full = match ks.duplex() {
                Duplex::Full => true,
                Duplex::Half => false,
                Duplex::Unknown => return Err(EINVAL),
            };
            match (ks.speed(), full) {
                // 1000BASE-T needs autonegotiation: advertise only 1000 full, like the C
                // driver.
                (Some(1000), true) => {
                    hw::phy::start_autoneg(&s.hw, adv::T1000_FULL, pause, &mut d).map_err(hw_err)?
                }
                (Some(sp @ (10 | 100)), _) => {
                    hw::phy::force_speed(&s.hw, sp, full, &mut d).map_err(hw_err)?
                }
                _ => return Err(EINVAL),
            }
        }
        resolve_pause(s);
        Ok(())
    }

    fn get_eeprom_len(dev: &Device<Self>) -> usize {
        let s = &dev.data().shared;
        hw::nvm::word_count(&s.hw).map_or(0, |w| w as usize * 2)
    }

    fn get_eeprom(dev: &Device<Self>, offset: u32, data: &mut [u8]) -> Result<u32> {
        let s = &dev.data().shared;
        hw::nvm::read_bytes(&s.hw, offset, data, &mut sleep_us).map_err(hw_err)?;
        Ok(u32::from(s.pdev.vendor_id()) | (u32::from(s.pdev.device_id()) << 16))
    }

    fn get_pauseparam(dev: &Device<Self>, p: &mut PauseParam) {
        let s = &dev.data().shared;
        p.autoneg = u32::from(s.cfg.fc_autoneg.load(Ordering::Relaxed));
        // What the MAC does now, not what was asked for.
        let ctrl = s.hw.rd(CTRL::OFFSET);
        if ctrl != u32::MAX {
            p.rx_pause = u32::from(CTRL::RFCE.is_set(ctrl));
            p.tx_pause = u32::from(CTRL::TFCE.is_set(ctrl));
        }
    }

    fn set_pauseparam(dev: &Device<Self>, p: &PauseParam) -> Result {
        let s = &dev.data().shared;
        let c = &s.cfg;
        c.fc_autoneg.store(p.autoneg != 0, Ordering::Relaxed);
        c.fc_rx.store(p.rx_pause != 0, Ordering::Relaxed);
        c.fc_tx.store(p.tx_pause != 0, Ordering::Relaxed);
        if p.autoneg != 0 {
            // Advertise the new pause use; it takes effect after autonegotiation.
            let mut d = sleep_us;
            let (an, modes) = hw::phy::autoneg_state(&s.hw, &mut d).map_err(hw_err)?;
            if an {
                hw::phy::start_autoneg(&s.hw, modes, c.requested_pause(), &mut d)
                    .map_err(hw_err)?;
            }
        }
        resolve_pause(s);
        Ok(())
    }

    fn set_phys_id(dev: &Device<Self>, state: PhysIdState) -> Result<u32> {
        let s = &dev.data().shared;
        let h = &s.hw;
        match state {
            PhysIdState::Active => {
                let led = h.rd(LEDCTL::OFFSET);
                if led == u32::MAX {
                    return Err(ENODEV);
                }
                s.cfg.ledctl_saved.store(led, Ordering::Relaxed);
                // LED0 on and blinking: the device blinks by itself, the core only waits.
                let blink = LEDCTL::LED0_BLINK.set(LEDCTL::LED0_MODE.set(led, 0xE), 1);
                h.wr(LEDCTL::OFFSET, blink);
            }
            PhysIdState::Inactive => {
                h.wr(LEDCTL::OFFSET, s.cfg.ledctl_saved.load(Ordering::Relaxed))
            }
            PhysIdState::On | PhysIdState::Off => {}
        }
        Ok(0)
    }

    fn get_rxnfc(dev: &Device<Self>, req: RxNfc) -> Result<RxNfcReply> {
        let s = &dev.data().shared;
        match req {
            // CAST: at most MAX_QUEUES.
            RxNfc::GetRings => Ok(RxNfcReply::Rings(s.active_count() as u32)),
            RxNfc::GetFlowHash(flow) => {
                let (ports, _) = flow_ports(s, flow & 0xff)?;
                let l4 = if ports {
                    rxfh::L4_B_0_1 | rxfh::L4_B_2_3
                } else {
                    0
                };
                Ok(RxNfcReply::FlowHash(rxfh::IP_SRC | rxfh::IP_DST | l4))
            }
            _ => Err(eopnotsupp()),
        }
    }

    fn set_rxnfc(dev: &Device<Self>, req: RxNfc) -> Result {
        let s = &dev.data().shared;
        let RxNfc::SetFlowHash { flow_type, fields } = req else {
            return Err(eopnotsupp());
        };
        let l3 = rxfh::IP_SRC | rxfh::IP_DST;
        let l4 = rxfh::L4_B_0_1 | rxfh::L4_B_2_3;
        let (ports, knob) = flow_ports(s, flow_type)?;
        // Addresses are always hashed; ports as a pair, and only where the device can choose.
        let want_ports = match fields {
            f if f == l3 => false,
            f if f == l3 | l4 => true,
            _ => return Err(EINVAL),
        };
        match knob {
            Some(k) => k.store(want_ports, Ordering::Relaxed),
            None if want_ports == ports => {}
            None => return Err(EINVAL),
        }
        apply_rss(s);
        Ok(())
    }

    fn get_rxfh_key_size(_dev: &Device<Self>) -> u32 {
        // CAST: 40.
        KEY_SIZE as u32
    }

    fn get_rxfh_indir_size(_dev: &Device<Self>) -> u32 {
        // CAST: 128.
        RETA_SIZE as u32
    }

    fn get_rxfh(dev: &Device<Self>, p: &mut Rxfh<'_>) -> Result {
        let s = &dev.data().shared;
        p.set_hfunc(rxfh::HASH_TOP);
        if let Some(indir) = p.indir_mut() {
            for (n, chunk) in indir.chunks_mut(4).enumerate() {
                let v = s.hw.rd(RETA::offset(n).ok_or(EINVAL)?).to_le_bytes();
                for (e, b) in chunk.iter_mut().zip(v) {
                    *e = u32::from(b);
                }
            }
        }
        if let Some(key) = p.key_mut() {
            for (n, chunk) in key.chunks_mut(4).enumerate() {
                let v = s.hw.rd(RSSRK::offset(n).ok_or(EINVAL)?).to_le_bytes();
                for (k, b) in chunk.iter_mut().zip(v) {
                    *k = b;
                }
            }
        }
        Ok(())
    }

    fn set_rxfh(dev: &Device<Self>, p: &Rxfh<'_>, ext: &ExtAck) -> Result {
        let s = &dev.data().shared;
        let c = &s.cfg;
        if p.rss_context() != 0 {
            return Err(eopnotsupp());
        }
        if p.hfunc() != rxfh::HASH_NO_CHANGE && p.hfunc() != rxfh::HASH_TOP {
            ext.set_msg(c_str!("rigb: only the Toeplitz hash function is supported"));
            return Err(eopnotsupp());
        }
        // RXH_XFRM_NO_CHANGE is 0xff.
        if p.input_xfrm() != 0 && p.input_xfrm() != 0xff {
            ext.set_msg(c_str!("rigb: no input transformation is supported"));
            return Err(eopnotsupp());
        }
        if let Some(indir) = p.indir() {
            if indir.len() != RETA_SIZE {
                return Err(EINVAL);
            }
            // The core checked every entry against the ring count (get_rxnfc).
            for (slot, &q) in c.reta.iter().zip(indir) {
                slot.store(u8::try_from(q).map_err(|_| EINVAL)?, Ordering::Relaxed);
            }
            c.reta_set.store(true, Ordering::Relaxed);
        }
        if let Some(key) = p.key() {
            if key.len() != KEY_SIZE {
                return Err(EINVAL);
            }
            for (slot, &b) in c.key.iter().zip(key) {
                slot.store(b, Ordering::Relaxed);
            }
            c.key_set.store(true, Ordering::Relaxed);
        }
        apply_rss(s);
        Ok(())
    }

    fn get_regs_len(_dev: &Device<Self>) -> usize {
        hw::diag::DUMP_WORDS * 4
    }

    fn get_regs(dev: &Device<Self>, buf: &mut [u8]) -> u32 {
        hw::diag::dump(&dev.data().shared.hw, buf);
        hw::diag::DUMP_VERSION
    }

    fn self_test(dev: &Device<Self>, res: &mut TestResult<'_>) {
        let s = &dev.data().shared;
        let mut d = sleep_us;
        let mut failed = [false; TESTS.len()];
        if res.offline_requested() {
            failed[0] = !matches!(hw::diag::reg_test(&s.hw), Ok(Ok(())));
            failed[1] = !matches!(hw::nvm::checksum_ok(&s.hw, &mut d), Ok(true));
            failed[2] = !irq_test(s);
        }
        failed[3] = !link_test(s);
        for (r, f) in res.results.iter_mut().zip(failed) {
            *r = u64::from(f);
        }
        if failed.iter().any(|&f| f) {
            res.set_failed();
        }
    }
}
