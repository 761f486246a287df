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
    let v = poll(regs, MDIC::OFFSET, 1000, 50, delay, |v| MDIC::READY.is_set(v))?;
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
    write(
        regs,
        MII_BMCR,
        bmcr | BMCR_ANENABLE | BMCR_ANRESTART,
        delay,
    )
}
