// SPDX-License-Identifier: GPL-2.0

//! Host unit tests for the `core`-only parts of the rigb driver, included by path.

#![allow(dead_code, reason = "the driver uses items these tests do not")]

#[path = "../../regs.rs"]
mod regs;

#[path = "../../desc.rs"]
mod desc;

#[path = "../../tso.rs"]
mod tso;

#[path = "../../ring.rs"]
mod ring;

#[path = "../../stats.rs"]
mod stats;

#[path = "../../hw/mod.rs"]
mod hw;

#[cfg(test)]
mod tests;
