// SPDX-License-Identifier: GPL-2.0

//! Hardware layer: MAC, PHY and NVM programming of the 82576, free of OS types.
//!
//! Everything here talks to the device through [`Regs`] and waits through a `delay` callback,
//! so it is plain `core` code that the host unit tests drive with a simulated register file.

pub(crate) mod diag;
pub(crate) mod mac;
pub(crate) mod nvm;
pub(crate) mod phy;
pub(crate) mod systim;

/// Register access as the hardware layer needs it.
pub(crate) trait Regs {
    /// Reads the 32-bit register at `offset`; `None` if `offset` is outside the register window.
    fn read(&self, offset: usize) -> Option<u32>;
    /// Writes the 32-bit register at `offset`; `false` if `offset` is outside the window.
    fn write(&self, offset: usize, value: u32) -> bool;
}

/// Errors of the hardware layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HwError {
    /// The device did not complete an operation in time.
    Timeout,
    /// Registers read as all-ones: the device is gone (surprise removal, dead link).
    Gone,
    /// An access outside the register window, or an invalid value.
    Invalid,
    /// The device reported an error (e.g. MDIC.E).
    Device,
}

/// Result of the hardware layer.
pub(crate) type HwResult<T = ()> = Result<T, HwError>;

/// Reads a register; all-ones means the device is gone.
pub(crate) fn rd(regs: &impl Regs, offset: usize) -> HwResult<u32> {
    match regs.read(offset) {
        None => Err(HwError::Invalid),
        Some(u32::MAX) => Err(HwError::Gone),
        Some(v) => Ok(v),
    }
}

/// Reads a register that may legitimately read as all-ones (masks, counters).
pub(crate) fn rd_raw(regs: &impl Regs, offset: usize) -> HwResult<u32> {
    regs.read(offset).ok_or(HwError::Invalid)
}

/// Writes a register.
pub(crate) fn wr(regs: &impl Regs, offset: usize, value: u32) -> HwResult {
    if regs.write(offset, value) {
        Ok(())
    } else {
        Err(HwError::Invalid)
    }
}

/// Offset of instance `n` of a per-queue register, `Invalid` if out of range.
pub(crate) fn at(offset: Option<usize>) -> HwResult<usize> {
    offset.ok_or(HwError::Invalid)
}

/// Polls `cond` on the register at `offset` up to `tries` times, waiting `delay_us` between
/// reads. Returns the last value read once `cond` holds.
pub(crate) fn poll(
    regs: &impl Regs,
    offset: usize,
    tries: u32,
    delay_us: u32,
    delay: &mut dyn FnMut(u32),
    cond: impl Fn(u32) -> bool,
) -> HwResult<u32> {
    for _ in 0..tries {
        let v = rd(regs, offset)?;
        if cond(v) {
            return Ok(v);
        }
        delay(delay_us);
    }
    Err(HwError::Timeout)
}
