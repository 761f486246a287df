// SPDX-License-Identifier: GPL-2.0

//! NVM (EEPROM) access through EERD.

use super::{poll, wr, HwResult, Regs};
use crate::regs::EERD;

/// Reads 16-bit word `addr` of the NVM (datasheet 8.2.5).
pub(crate) fn read_word(regs: &impl Regs, addr: u32, delay: &mut dyn FnMut(u32)) -> HwResult<u16> {
    let cmd = EERD::ADDR
        .try_set(0, addr)
        .ok_or(super::HwError::Invalid)?
        | EERD::START.mask();
    wr(regs, EERD::OFFSET, cmd)?;
    let v = poll(regs, EERD::OFFSET, 1000, 5, delay, |v| EERD::DONE.is_set(v))?;
    Ok(EERD::DATA.get(v) as u16)
}

/// Reads the MAC address from NVM words 0..3 (little endian words).
pub(crate) fn read_mac(regs: &impl Regs, delay: &mut dyn FnMut(u32)) -> HwResult<[u8; 6]> {
    let mut mac = [0u8; 6];
    for (i, pair) in mac.chunks_exact_mut(2).enumerate() {
        let w = read_word(regs, i as u32, delay)?.to_le_bytes();
        pair.copy_from_slice(&w);
    }
    Ok(mac)
}
