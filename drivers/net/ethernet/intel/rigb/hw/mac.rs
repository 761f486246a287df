// SPDX-License-Identifier: GPL-2.0

//! MAC: global reset, receive address filters, link status.

use super::{poll, rd, rd_raw, wr, HwError, HwResult, Regs};
use crate::regs::{CTRL, EIMC, ICR, IMC, MTA, RAH, RAL, RCTL, STATUS, TCTL};

/// Link state as the MAC reports it in STATUS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LinkStatus {
    /// Link up.
    pub(crate) up: bool,
    /// Speed in Mb/s (10, 100 or 1000).
    pub(crate) speed: u32,
    /// Full duplex.
    pub(crate) full_duplex: bool,
}

impl LinkStatus {
    /// Decodes STATUS.
    pub(crate) const fn from_status(status: u32) -> Self {
        let speed = match STATUS::SPEED.get(status) {
            0 => 10,
            1 => 100,
            _ => 1000,
        };
        Self {
            up: STATUS::LU.is_set(status),
            speed,
            full_duplex: STATUS::FD.is_set(status),
        }
    }
}

/// Reads the link state.
pub(crate) fn link_status(regs: &impl Regs) -> HwResult<LinkStatus> {
    Ok(LinkStatus::from_status(rd(regs, STATUS::OFFSET)?))
}

/// Masks every interrupt cause (legacy and extended) and clears pending causes.
pub(crate) fn mask_all_irqs(regs: &impl Regs) -> HwResult {
    wr(regs, IMC::OFFSET, u32::MAX)?;
    wr(regs, EIMC::OFFSET, u32::MAX)?;
    let _ = rd_raw(regs, ICR::OFFSET)?;
    Ok(())
}

/// Global device reset (datasheet 4.3.1: software reset via CTRL.RST).
///
/// Stops receive and transmit, masks interrupts, waits for DMA to drain, resets, and waits for
/// CTRL.RST to self-clear (at most ~100 ms). After it every register holds its default value.
pub(crate) fn reset(regs: &impl Regs, delay: &mut dyn FnMut(u32)) -> HwResult {
    mask_all_irqs(regs)?;
    wr(regs, RCTL::OFFSET, 0)?;
    wr(regs, TCTL::OFFSET, TCTL::PSP.mask())?;
    // Flush the posted writes, then give in-flight DMA time to finish (4.3.1: 10 ms).
    let _ = rd(regs, STATUS::OFFSET)?;
    delay(10_000);

    let ctrl = rd(regs, CTRL::OFFSET)?;
    wr(regs, CTRL::OFFSET, ctrl | CTRL::RST.mask())?;
    // 4.3.1: wait at least 1 ms before reading anything after a reset.
    delay(1_000);
    poll(regs, CTRL::OFFSET, 100, 1_000, delay, |v| {
        !CTRL::RST.is_set(v)
    })?;
    mask_all_irqs(regs)
}

/// Whether `mac` is a usable unicast station address.
pub(crate) fn is_valid_ether_addr(mac: &[u8; 6]) -> bool {
    mac[0] & 1 == 0 && mac.iter().any(|&b| b != 0)
}

/// Decodes the address in receive address filter `idx` (RAL/RAH), `None` if not valid (AV).
pub(crate) fn read_rar(regs: &impl Regs, idx: usize) -> HwResult<Option<[u8; 6]>> {
    let ral = rd_raw(regs, super::at(RAL::offset(idx))?)?;
    let rah = rd_raw(regs, super::at(RAH::offset(idx))?)?;
    if !RAH::AV.is_set(rah) {
        return Ok(None);
    }
    let lo = ral.to_le_bytes();
    let hi = (RAH::RAH.get(rah) as u16).to_le_bytes();
    Ok(Some([lo[0], lo[1], lo[2], lo[3], hi[0], hi[1]]))
}

/// Programs receive address filter `idx` with `mac` and marks it valid.
pub(crate) fn write_rar(regs: &impl Regs, idx: usize, mac: &[u8; 6]) -> HwResult {
    let ral = u32::from_le_bytes([mac[0], mac[1], mac[2], mac[3]]);
    let rah = RAH::RAH.val(u32::from(u16::from_le_bytes([mac[4], mac[5]]))) | RAH::AV.mask();
    wr(regs, super::at(RAL::offset(idx))?, ral)?;
    // Write the high half last: AV makes the filter live.
    wr(regs, super::at(RAH::offset(idx))?, rah)
}

/// Clears receive address filter `idx` (AV off first, so no half-written address matches).
pub(crate) fn clear_rar(regs: &impl Regs, idx: usize) -> HwResult {
    wr(regs, super::at(RAH::offset(idx))?, 0)?;
    wr(regs, super::at(RAL::offset(idx))?, 0)
}

/// The multicast table (MTA, datasheet 8.10.14): a 4096-bit hash filter over destination
/// addresses, used for multicast frames that no exact filter matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MtaTable([u32; MTA::COUNT]);

impl MtaTable {
    /// An empty table: no multicast frame passes it.
    pub(crate) const fn new() -> Self {
        Self([0; MTA::COUNT])
    }

    /// The hash of `addr` with RCTL.MO = 0: bits 47:36 of the address, i.e. the high nibble of
    /// byte 4 and all of byte 5. Returns (register, bit).
    pub(crate) const fn hash(addr: &[u8; 6]) -> (usize, u32) {
        let h = ((addr[5] as u32) << 4 | (addr[4] as u32) >> 4) & 0xFFF;
        ((h >> 5) as usize, h & 0x1F)
    }

    /// Lets frames to `addr` (and to every address with the same hash) pass.
    pub(crate) fn add(&mut self, addr: &[u8; 6]) {
        let (reg, bit) = Self::hash(addr);
        if let Some(r) = self.0.get_mut(reg) {
            *r |= 1 << bit;
        }
    }

    /// Whether frames to `addr` pass the table.
    pub(crate) fn matches(&self, addr: &[u8; 6]) -> bool {
        let (reg, bit) = Self::hash(addr);
        self.0.get(reg).is_some_and(|r| r & (1 << bit) != 0)
    }

    /// Writes the whole table to the device.
    pub(crate) fn write(&self, regs: &impl Regs) -> HwResult {
        for (n, v) in self.0.iter().enumerate() {
            wr(regs, super::at(MTA::offset(n))?, *v)?;
        }
        Ok(())
    }
}

/// The permanent address: filter 0 as loaded from the NVM at reset, else the NVM itself.
pub(crate) fn read_perm_addr(regs: &impl Regs, delay: &mut dyn FnMut(u32)) -> HwResult<[u8; 6]> {
    if let Some(mac) = read_rar(regs, 0)? {
        if is_valid_ether_addr(&mac) {
            return Ok(mac);
        }
    }
    let mac = super::nvm::read_mac(regs, delay)?;
    if is_valid_ether_addr(&mac) {
        Ok(mac)
    } else {
        Err(HwError::Invalid)
    }
}
