// SPDX-License-Identifier: GPL-2.0

//! The port's PTP hardware clock (`/dev/ptpN`, `ethtool -T`): SYSTIM read through a time
//! counter (`hw::systim`), frequency adjusted through TIMINCA, steps kept in software, as C igb
//! does on the 82576. Packet time stamps are not taken yet: the clock serves `phc_ctl`,
//! `ts2phc`-style tools and the PTP core's `PTP_SYS_OFFSET` comparisons.

use crate::{
    adapter::{hw_err, Shared},
    hw::systim::{self, TimeCounter},
};
use kernel::{
    c_str, new_spinlock,
    prelude::*,
    ptp::{self, ClockOps},
    sync::{Arc, SpinLock},
};

/// The clock state: the device (for SYSTIM and TIMINCA) and the time counter over SYSTIM.
#[pin_data]
pub(crate) struct Phc {
    shared: Arc<Shared>,
    /// Serialises readings and steps of the time scale (any context: a spinning lock).
    #[pin]
    tc: SpinLock<TimeCounter>,
}

impl Phc {
    /// Starts SYSTIM at the nominal rate and the clock at the system's real time.
    pub(crate) fn new(shared: Arc<Shared>) -> Result<impl PinInit<Self, Error>> {
        systim::start(&shared.hw).map_err(hw_err)?;
        let now = systim::read(&shared.hw).map_err(hw_err)?;
        // CAST: the real time is after 1970.
        let tc = TimeCounter::new(now, ptp::realtime_ns().max(0) as u64);
        Ok(try_pin_init!(Self {
            shared,
            tc <- new_spinlock!(tc, "rigb::Phc::tc"),
        }? Error))
    }
}

impl Phc {
    /// Starts SYSTIM again after a device reset stopped and cleared it (C igb's
    /// `igb_ptp_reset`): nominal rate, the clock at the system's real time.
    pub(crate) fn restart(&self) -> Result {
        let mut tc = self.tc.lock();
        systim::start(&self.shared.hw).map_err(hw_err)?;
        let now = systim::read(&self.shared.hw).map_err(hw_err)?;
        // CAST: the real time is after 1970.
        *tc = TimeCounter::new(now, ptp::realtime_ns().max(0) as u64);
        Ok(())
    }
}

#[vtable]
impl ClockOps for Phc {
    const NAME: &'static CStr = c_str!("rigb");
    /// As C igb for the 82576.
    const MAX_ADJ_PPB: i32 = 999_999_881;

    fn adjfine(&self, scaled_ppm: i64) -> Result {
        // The device keeps SYSTIM continuous across the change; the time counter needs no
        // reading first.
        let inc = ptp::adjust_by_scaled_ppm(u64::from(systim::INCVALUE), scaled_ppm);
        systim::set_increment(&self.shared.hw, inc).map_err(hw_err)
    }

    fn adjtime(&self, delta_ns: i64) -> Result {
        self.tc.lock().adjust(delta_ns);
        Ok(())
    }

    fn gettime(&self) -> Result<i64> {
        let mut tc = self.tc.lock();
        let cycles = systim::read(&self.shared.hw).map_err(hw_err)?;
        // CAST: the clock's time scale stays below 2^63 ns (year 2262).
        Ok(tc.read(cycles) as i64)
    }

    fn settime(&self, ns: i64) -> Result {
        let mut tc = self.tc.lock();
        let cycles = systim::read(&self.shared.hw).map_err(hw_err)?;
        // CAST: the core passes a non-negative time.
        *tc = TimeCounter::new(cycles, ns.max(0) as u64);
        Ok(())
    }
}
