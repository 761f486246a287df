// SPDX-License-Identifier: GPL-2.0

//! Host unit tests for the `core`-only parts of the rigb driver, included by path.

#![allow(dead_code, reason = "the driver uses items these tests do not")]

#[path = "../../../../drivers/net/ethernet/intel/rigb/regs.rs"]
mod regs;

#[path = "../../../../drivers/net/ethernet/intel/rigb/desc.rs"]
mod desc;

#[path = "../../../../drivers/net/ethernet/intel/rigb/tso.rs"]
mod tso;

#[path = "../../../../drivers/net/ethernet/intel/rigb/ring.rs"]
mod ring;

#[path = "../../../../drivers/net/ethernet/intel/rigb/stats.rs"]
mod stats;

#[path = "../../../../drivers/net/ethernet/intel/rigb/itr.rs"]
mod itr;

#[path = "../../../../drivers/net/ethernet/intel/rigb/hw/mod.rs"]
mod hw;

#[cfg(test)]
mod tests;
