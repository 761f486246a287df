// SPDX-License-Identifier: GPL-2.0

//! Diagnostics: the register dump of `ethtool -d` and the register self-test.

use super::{at, rd_raw, wr, HwResult, Regs};
use crate::regs::*;

/// Version of the register dump layout below; bump it when the layout changes.
pub(crate) const DUMP_VERSION: u32 = 1;

/// Queue pairs in the dump (the driver's maximum).
const DUMP_QUEUES: usize = 4;
/// Words of one queue pair's block.
const QUEUE_WORDS: usize = 16;

/// Word index of EITR of vector 0 in the dump.
pub(crate) const DUMP_EITR0: usize = 24;
/// Word index of the first queue block.
const DUMP_QUEUE0: usize = 32;
/// Word index of RETA 0.
const DUMP_RETA0: usize = DUMP_QUEUE0 + DUMP_QUEUES * QUEUE_WORDS;
/// Word index of RSSRK 0.
const DUMP_RSSRK0: usize = DUMP_RETA0 + 32;
/// Word index of RAL 0.
const DUMP_RAL0: usize = DUMP_RSSRK0 + 10;
/// Words in the dump.
pub(crate) const DUMP_WORDS: usize = DUMP_RAL0 + 16;

/// Registers of the general part of the dump, words 0..24, in order. Clear-on-read registers
/// (ICR, EICR, statistics) are left out: reading them would lose events and counts.
const GENERAL: [usize; 24] = [
    CTRL::OFFSET,
    STATUS::OFFSET,
    CTRL_EXT::OFFSET,
    MDIC::OFFSET,
    EECD::OFFSET,
    LEDCTL::OFFSET,
    VET::OFFSET,
    IMS::OFFSET,
    EIMS::OFFSET,
    EIAC::OFFSET,
    EIAM::OFFSET,
    GPIE::OFFSET,
    IVAR_MISC::OFFSET,
    FCAL::OFFSET,
    FCAH::OFFSET,
    FCT::OFFSET,
    FCTTV::OFFSET,
    FCRTL::OFFSET,
    FCRTH::OFFSET,
    RCTL::OFFSET,
    RXCSUM::OFFSET,
    RLPML::OFFSET,
    MRQC::OFFSET,
    TCTL::OFFSET,
];

/// Offset of word `i` of the dump, `None` for reserved (zero) words.
///
/// Layout (32-bit words): 0..24 [`GENERAL`]; 24..29 EITR of vectors 0..4; 29..32 zero; then
/// per queue pair 0..3 a block of 16: IVAR, RDBAL, RDBAH, RDLEN, SRRCTL, RDH, RDT, RXDCTL,
/// TDBAL, TDBAH, TDLEN, TDH, TDT, TXDCTL, 0, 0; then RETA 0..31, RSSRK 0..9, and RAL/RAH of
/// receive addresses 0..7 (pairs).
pub(crate) fn dump_offset(i: usize) -> Option<usize> {
    if let Some(&off) = GENERAL.get(i) {
        return Some(off);
    }
    match i {
        DUMP_EITR0..=28 => EITR::offset(i - DUMP_EITR0),
        DUMP_QUEUE0..DUMP_RETA0 => {
            let q = (i - DUMP_QUEUE0) / QUEUE_WORDS;
            match (i - DUMP_QUEUE0) % QUEUE_WORDS {
                0 => IVAR0::offset(q),
                1 => RDBAL::offset(q),
                2 => RDBAH::offset(q),
                3 => RDLEN::offset(q),
                4 => SRRCTL::offset(q),
                5 => RDH::offset(q),
                6 => RDT::offset(q),
                7 => RXDCTL::offset(q),
                8 => TDBAL::offset(q),
                9 => TDBAH::offset(q),
                10 => TDLEN::offset(q),
                11 => TDH::offset(q),
                12 => TDT::offset(q),
                13 => TXDCTL::offset(q),
                _ => None,
            }
        }
        DUMP_RETA0..DUMP_RSSRK0 => RETA::offset(i - DUMP_RETA0),
        DUMP_RSSRK0..DUMP_RAL0 => RSSRK::offset(i - DUMP_RSSRK0),
        DUMP_RAL0..DUMP_WORDS => {
            let n = (i - DUMP_RAL0) / 2;
            if (i - DUMP_RAL0) % 2 == 0 {
                RAL::offset(n)
            } else {
                RAH::offset(n)
            }
        }
        _ => None,
    }
}

/// Fills `out` (native-endian 32-bit words, as ethtool expects) with the dump.
pub(crate) fn dump(regs: &impl Regs, out: &mut [u8]) {
    for (i, w) in out.chunks_exact_mut(4).enumerate().take(DUMP_WORDS) {
        let v = dump_offset(i).and_then(|off| regs.read(off)).unwrap_or(0);
        w.copy_from_slice(&v.to_ne_bytes());
    }
}

/// Registers the self-test writes and reads back: (offset, bits that must read back). They
/// belong to queue 15 and flow control, which the driver does not use while the test runs,
/// and are restored afterwards.
const REG_TEST: [(Option<usize>, u32); 8] = [
    (RDBAL::offset(15), 0xFFFF_FF80),
    (RDBAH::offset(15), 0xFFFF_FFFF),
    (RDLEN::offset(15), 0x000F_FF80),
    (TDBAL::offset(15), 0xFFFF_FF80),
    (TDBAH::offset(15), 0xFFFF_FFFF),
    (TDLEN::offset(15), 0x000F_FF80),
    (Some(FCAH::OFFSET), 0x0000_FFFF),
    (Some(FCTTV::OFFSET), 0x0000_FFFF),
];

const PATTERNS: [u32; 4] = [0x5A5A_5A5A, 0xA5A5_A5A5, 0x0000_0000, 0xFFFF_FFFF];

/// Register test: writes patterns to the registers of `REG_TEST` and checks that the
/// writable bits read back. Returns the offset of the first register that fails.
pub(crate) fn reg_test(regs: &impl Regs) -> HwResult<Result<(), usize>> {
    for &(off, mask) in REG_TEST.iter() {
        let off = at(off)?;
        let saved = rd_raw(regs, off)?;
        let mut bad = false;
        for p in PATTERNS {
            wr(regs, off, p & mask)?;
            if rd_raw(regs, off)? & mask != p & mask {
                bad = true;
                break;
            }
        }
        wr(regs, off, saved)?;
        if bad {
            return Ok(Err(off));
        }
    }
    Ok(Ok(()))
}
