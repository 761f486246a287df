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

/// NVM word of the image version (major 15:12, minor 11:4, build 3:0).
const NVM_VERSION: u32 = 0x05;
/// NVM words of the EETRACK id (low, high); the high word's top nibble is 0x8 when it is set.
const NVM_ETRACK: u32 = 0x42;

/// The NVM image version, as `ethtool -i` shows it (C igb's `igb_get_fw_version` and
/// `igb_set_fw_version` for the 82576, which has no option ROM version).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FwVersion {
    major: u16,
    minor: u16,
    build: u16,
    /// The EETRACK id, when the image has one.
    etrack: Option<u32>,
}

impl FwVersion {
    /// The version from NVM words `version`, `etrack_lo` and `etrack_hi`.
    pub(crate) const fn from_words(version: u16, etrack_lo: u16, etrack_hi: u16) -> Self {
        let major = version >> 12;
        let raw_minor = (version >> 4) & 0xFF;
        if etrack_hi & 0xF000 != 0x8000 {
            return Self {
                major,
                minor: raw_minor,
                build: version & 0xF,
                etrack: None,
            };
        }
        // Images with an EETRACK id: the minor is the low byte in the old layout (bits 11:8
        // clear), and is written in decimal digits.
        let m = if version & 0x0F00 == 0 {
            version & 0xFF
        } else {
            raw_minor
        };
        Self {
            major,
            minor: (m / 16) * 10 + m % 16,
            build: version & 0xF,
            etrack: Some(((etrack_hi as u32) << 16) | etrack_lo as u32),
        }
    }

    /// Reads the version from the NVM.
    pub(crate) fn read(regs: &impl Regs, delay: &mut dyn FnMut(u32)) -> HwResult<Self> {
        let version = read_word(regs, NVM_VERSION, delay)?;
        let lo = read_word(regs, NVM_ETRACK, delay)?;
        let hi = read_word(regs, NVM_ETRACK + 1, delay)?;
        Ok(Self::from_words(version, lo, hi))
    }
}

impl core::fmt::Display for FwVersion {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.etrack {
            Some(id) if id != 0 => write!(f, "{}.{}, 0x{:08x}", self.major, self.minor, id),
            _ => write!(f, "{}.{}.{}", self.major, self.minor, self.build),
        }
    }
}
