// SPDX-License-Identifier: GPL-2.0

//! NVM (EEPROM) access through EERD.

use super::{poll, wr, HwResult, Regs};
use crate::regs::EERD;

/// Reads 16-bit word `addr` of the NVM (datasheet 8.2.5).
pub(crate) fn read_word(regs: &impl Regs, addr: u32, delay: &mut dyn FnMut(u32)) -> HwResult<u16> {
    let cmd = EERD::ADDR.try_set(0, addr).ok_or(super::HwError::Invalid)? | EERD::START.mask();
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

/// Size of the NVM in 16-bit words, from EECD.SIZE (datasheet 8.2.6: 2^(SIZE + 6), at most
/// 2^15).
pub(crate) fn word_count(regs: &impl Regs) -> HwResult<u32> {
    let eecd = super::rd(regs, crate::regs::EECD::OFFSET)?;
    let exp = (crate::regs::EECD::SIZE.get(eecd) + 6).min(15);
    Ok(1 << exp)
}

/// Reads the bytes `offset..offset + out.len()` of the NVM (words are little endian).
pub(crate) fn read_bytes(
    regs: &impl Regs,
    offset: u32,
    out: &mut [u8],
    delay: &mut dyn FnMut(u32),
) -> HwResult {
    let mut pos = offset;
    let mut i = 0;
    while i < out.len() {
        let w = read_word(regs, pos / 2, delay)?.to_le_bytes();
        let b = w[(pos % 2) as usize];
        if let Some(o) = out.get_mut(i) {
            *o = b;
        }
        i += 1;
        pos += 1;
    }
    Ok(())
}

/// NVM words 0x00..=0x3F sum to this (datasheet 6.1.1.11, checksum word 0x3F).
pub(crate) const NVM_SUM: u16 = 0xBABA;

/// Whether the NVM checksum is valid.
pub(crate) fn checksum_ok(regs: &impl Regs, delay: &mut dyn FnMut(u32)) -> HwResult<bool> {
    let mut sum = 0u16;
    for w in 0..=0x3F {
        sum = sum.wrapping_add(read_word(regs, w, delay)?);
    }
    Ok(sum == NVM_SUM)
}
