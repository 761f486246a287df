// SPDX-License-Identifier: GPL-2.0

//! PHY access through MDIC, and link (auto-negotiation) setup.

use super::{poll, rd, wr, HwError, HwResult, Regs};
use crate::regs::MDIC;

/// The internal PHY's MDIO address.
const PHY_ADDR: u32 = 1;

/// MII Basic Mode Control Register.
pub(crate) const MII_BMCR: u32 = 0;
/// MII Basic Mode Status Register.
pub(crate) const MII_BMSR: u32 = 1;

/// BMCR: full duplex.
pub(crate) const BMCR_FULLDPLX: u16 = 0x0100;
/// BMCR: restart auto-negotiation (self-clearing).
pub(crate) const BMCR_ANRESTART: u16 = 0x0200;
/// BMCR: enable auto-negotiation.
pub(crate) const BMCR_ANENABLE: u16 = 0x1000;
/// BMCR: speed 1000 (MSB).
pub(crate) const BMCR_SPEED1000: u16 = 0x0040;

const OP_WRITE: u32 = 1;
const OP_READ: u32 = 2;

fn mdic_cmd(reg: u32, op: u32, data: u16) -> HwResult<u32> {
    let cmd = MDIC::REGADD.try_set(0, reg).ok_or(HwError::Invalid)?;
    Ok(MDIC::PHYADD.set(cmd, PHY_ADDR) | MDIC::OP.set(0, op) | MDIC::DATA.val(u32::from(data)))
}

fn mdic(regs: &impl Regs, cmd: u32, delay: &mut dyn FnMut(u32)) -> HwResult<u32> {
    wr(regs, MDIC::OFFSET, cmd)?;
    // 8.2.4: the access takes ~64 us at MDC 2.5 MHz; allow 1000 x 50 us.
    let v = poll(regs, MDIC::OFFSET, 1000, 50, delay, |v| {
        MDIC::READY.is_set(v)
    })?;
    if MDIC::E.is_set(v) {
        return Err(HwError::Device);
    }
    Ok(v)
}

/// Reads PHY register `reg`.
pub(crate) fn read(regs: &impl Regs, reg: u32, delay: &mut dyn FnMut(u32)) -> HwResult<u16> {
    let v = mdic(regs, mdic_cmd(reg, OP_READ, 0)?, delay)?;
    Ok(MDIC::DATA.get(v) as u16)
}

/// Writes PHY register `reg`.
pub(crate) fn write(regs: &impl Regs, reg: u32, data: u16, delay: &mut dyn FnMut(u32)) -> HwResult {
    mdic(regs, mdic_cmd(reg, OP_WRITE, data)?, delay).map(|_| ())
}

/// Sets the MAC's link up and (re)starts auto-negotiation; the result arrives later as a link
/// status change interrupt.
pub(crate) fn setup_link(regs: &impl Regs, delay: &mut dyn FnMut(u32)) -> HwResult {
    use crate::regs::CTRL;
    let ctrl = rd(regs, CTRL::OFFSET)?;
    wr(regs, CTRL::OFFSET, ctrl | CTRL::SLU.mask())?;
    let bmcr = read(regs, MII_BMCR, delay)?;
    write(regs, MII_BMCR, bmcr | BMCR_ANENABLE | BMCR_ANRESTART, delay)
}

/// MII auto-negotiation advertisement register.
pub(crate) const MII_ADVERTISE: u32 = 4;
/// MII link partner ability register.
pub(crate) const MII_LPA: u32 = 5;
/// MII 1000BASE-T control register.
pub(crate) const MII_CTRL1000: u32 = 9;

/// BMCR: speed 100 (LSB).
pub(crate) const BMCR_SPEED100: u16 = 0x2000;

/// ADVERTISE/LPA: 10BASE-T half duplex.
const ADV_10HALF: u16 = 0x0020;
/// ADVERTISE/LPA: 10BASE-T full duplex.
const ADV_10FULL: u16 = 0x0040;
/// ADVERTISE/LPA: 100BASE-TX half duplex.
const ADV_100HALF: u16 = 0x0080;
/// ADVERTISE/LPA: 100BASE-TX full duplex.
const ADV_100FULL: u16 = 0x0100;
/// ADVERTISE/LPA: symmetric pause.
const ADV_PAUSE: u16 = 0x0400;
/// ADVERTISE/LPA: asymmetric pause.
const ADV_PAUSE_ASYM: u16 = 0x0800;
/// CTRL1000: advertise 1000BASE-T full duplex.
const CTRL1000_FULL: u16 = 0x0200;
/// CTRL1000: advertise 1000BASE-T half duplex.
const CTRL1000_HALF: u16 = 0x0100;

/// Link modes the driver advertises, as a bit set (the 82576 PHY has no 1000 half duplex in
/// the driver's supported set, like the C driver).
pub(crate) mod adv {
    /// 10BASE-T half duplex.
    pub(crate) const T10_HALF: u8 = 1 << 0;
    /// 10BASE-T full duplex.
    pub(crate) const T10_FULL: u8 = 1 << 1;
    /// 100BASE-TX half duplex.
    pub(crate) const T100_HALF: u8 = 1 << 2;
    /// 100BASE-TX full duplex.
    pub(crate) const T100_FULL: u8 = 1 << 3;
    /// 1000BASE-T full duplex.
    pub(crate) const T1000_FULL: u8 = 1 << 4;
    /// Everything above.
    pub(crate) const ALL: u8 = 0x1f;
}

/// Pause frame use: honour received pause frames (`rx`), send them (`tx`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pause {
    /// Honour received pause frames.
    pub(crate) rx: bool,
    /// Send pause frames.
    pub(crate) tx: bool,
}

impl Pause {
    /// ADVERTISE pause bits for a requested mode (IEEE 802.3 annex 28B: symmetric pause
    /// advertises PAUSE, receive-only PAUSE + ASYM, transmit-only ASYM).
    pub(crate) const fn advertise_bits(self) -> u16 {
        match (self.rx, self.tx) {
            (true, true) => ADV_PAUSE,
            (true, false) => ADV_PAUSE | ADV_PAUSE_ASYM,
            (false, true) => ADV_PAUSE_ASYM,
            (false, false) => 0,
        }
    }

    /// The pause use both ends agree on (IEEE 802.3 table 28B-3), from our advertisement and
    /// the link partner's ability.
    pub(crate) const fn resolve(local: u16, partner: u16) -> Self {
        let (lp, la) = (local & ADV_PAUSE != 0, local & ADV_PAUSE_ASYM != 0);
        let (pp, pa) = (partner & ADV_PAUSE != 0, partner & ADV_PAUSE_ASYM != 0);
        if lp && pp {
            Self { rx: true, tx: true }
        } else if !lp && la && pp && pa {
            Self {
                rx: false,
                tx: true,
            }
        } else if lp && la && !pp && pa {
            Self {
                rx: true,
                tx: false,
            }
        } else {
            Self {
                rx: false,
                tx: false,
            }
        }
    }
}

/// The ADVERTISE and CTRL1000 values for the link modes `modes` ([`adv`]) and pause use.
pub(crate) const fn advertise_regs(modes: u8, pause: Pause) -> (u16, u16) {
    // Selector field 00001: IEEE 802.3.
    let mut a = 0x0001 | pause.advertise_bits();
    if modes & adv::T10_HALF != 0 {
        a |= ADV_10HALF;
    }
    if modes & adv::T10_FULL != 0 {
        a |= ADV_10FULL;
    }
    if modes & adv::T100_HALF != 0 {
        a |= ADV_100HALF;
    }
    if modes & adv::T100_FULL != 0 {
        a |= ADV_100FULL;
    }
    let g = if modes & adv::T1000_FULL != 0 {
        CTRL1000_FULL
    } else {
        0
    };
    (a, g)
}

/// The link modes ([`adv`]) advertised by ADVERTISE and CTRL1000.
pub(crate) const fn advertised_modes(advertise: u16, ctrl1000: u16) -> u8 {
    let mut m = 0;
    if advertise & ADV_10HALF != 0 {
        m |= adv::T10_HALF;
    }
    if advertise & ADV_10FULL != 0 {
        m |= adv::T10_FULL;
    }
    if advertise & ADV_100HALF != 0 {
        m |= adv::T100_HALF;
    }
    if advertise & ADV_100FULL != 0 {
        m |= adv::T100_FULL;
    }
    if ctrl1000 & CTRL1000_FULL != 0 {
        m |= adv::T1000_FULL;
    }
    m
}

/// The PHY's autonegotiation state: enabled, and the modes it advertises.
pub(crate) fn autoneg_state(regs: &impl Regs, delay: &mut dyn FnMut(u32)) -> HwResult<(bool, u8)> {
    let bmcr = read(regs, MII_BMCR, delay)?;
    let a = read(regs, MII_ADVERTISE, delay)?;
    let g = read(regs, MII_CTRL1000, delay)?;
    Ok((bmcr & BMCR_ANENABLE != 0, advertised_modes(a, g)))
}

/// Advertises `modes` ([`adv`], at least one) and `pause`, lets the PHY pick speed and duplex
/// again (clears a forced speed in CTRL) and restarts autonegotiation. The link goes down and
/// comes back with a link status change.
pub(crate) fn start_autoneg(
    regs: &impl Regs,
    modes: u8,
    pause: Pause,
    delay: &mut dyn FnMut(u32),
) -> HwResult {
    use crate::regs::CTRL;
    if modes & adv::ALL == 0 {
        return Err(HwError::Invalid);
    }
    let (a, g) = advertise_regs(modes, pause);
    write(regs, MII_ADVERTISE, a, delay)?;
    // Keep CTRL1000's other bits (master/slave, port type), change the advertisement only.
    let g0 = read(regs, MII_CTRL1000, delay)?;
    write(
        regs,
        MII_CTRL1000,
        (g0 & !(CTRL1000_FULL | CTRL1000_HALF)) | g,
        delay,
    )?;
    let ctrl = rd(regs, CTRL::OFFSET)?;
    let ctrl = ctrl & !(CTRL::FRCSPD.mask() | CTRL::FRCDPX.mask());
    wr(regs, CTRL::OFFSET, ctrl | CTRL::SLU.mask())?;
    let bmcr = read(regs, MII_BMCR, delay)?;
    write(regs, MII_BMCR, bmcr | BMCR_ANENABLE | BMCR_ANRESTART, delay)
}

/// Restarts autonegotiation with the current advertisement; `Invalid` if it is off.
pub(crate) fn restart_autoneg(regs: &impl Regs, delay: &mut dyn FnMut(u32)) -> HwResult {
    let bmcr = read(regs, MII_BMCR, delay)?;
    if bmcr & BMCR_ANENABLE == 0 {
        return Err(HwError::Invalid);
    }
    write(regs, MII_BMCR, bmcr | BMCR_ANRESTART, delay)
}

/// Forces 10 or 100 Mb/s and the duplex, without autonegotiation: in the PHY (BMCR) and in the
/// MAC (CTRL.FRCSPD/FRCDPX, datasheet 3.5.3.2). Other speeds are `Invalid`.
pub(crate) fn force_speed(
    regs: &impl Regs,
    speed: u32,
    full_duplex: bool,
    delay: &mut dyn FnMut(u32),
) -> HwResult {
    use crate::regs::CTRL;
    let (bmcr_speed, ctrl_speed) = match speed {
        10 => (0, 0),
        100 => (BMCR_SPEED100, 1),
        _ => return Err(HwError::Invalid),
    };
    let bmcr = bmcr_speed | if full_duplex { BMCR_FULLDPLX } else { 0 };
    write(regs, MII_BMCR, bmcr, delay)?;
    let mut ctrl = rd(regs, CTRL::OFFSET)?;
    ctrl = CTRL::SPEED.set(ctrl, ctrl_speed);
    ctrl = CTRL::FD.set(ctrl, u32::from(full_duplex));
    ctrl |= CTRL::FRCSPD.mask() | CTRL::FRCDPX.mask() | CTRL::SLU.mask();
    wr(regs, CTRL::OFFSET, ctrl)
}
