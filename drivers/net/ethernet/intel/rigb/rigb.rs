// SPDX-License-Identifier: GPL-2.0

//! rigb: a Rust driver for the Intel 82576 (igb-class) PCIe Ethernet controller.
//!
//! MSI-X with one vector per RX and per TX queue plus one for link and other causes, NAPI, advanced
//! TX/RX descriptor rings, RSS over several queue pairs, statistics and ethtool.
//!
//! Layout: `driver` (PCI IDs, probe, remove) · `adapter` (device state shared by the netdev
//! operations and the interrupt vectors) · `netdev` (net_device operations) · `ethtool` ·
//! `ethtool_stats` (`-S`) · `qstats` (netdev netlink per-queue statistics) · `debugfs` (ring
//! and interrupt dumps) · `q_vector` (interrupt handlers and NAPI poll) · `tx`/`rx`
//! (descriptor rings) · `vlan` (802.1Q offloads and filter) · `ptp` (the PTP hardware clock) ·
//! and the hardware-free parts, also unit-tested on the host: `regs`, `desc`, `ring`, `stats`,
//! `tso`, `itr` (interrupt moderation), `hw`.

mod adapter;
mod debugfs;
#[expect(
    dead_code,
    reason = "shared with the host unit tests, which use all of it"
)]
mod desc;
mod driver;
mod ethtool;
mod ethtool_stats;
#[expect(
    dead_code,
    reason = "shared with the host unit tests, which use all of it"
)]
mod hw;
mod itr;
mod netdev;
mod ptp;
mod q_vector;
mod qstats;
#[expect(
    dead_code,
    reason = "shared with the host unit tests, which use all of it"
)]
mod regs;
mod reset;
mod ring;
mod rx;
#[expect(
    dead_code,
    reason = "shared with the host unit tests, which use all of it"
)]
mod stats;
mod tso;
mod tx;
mod vlan;

kernel::module_pci_driver! {
    type: driver::RigbDriver,
    name: "rigb",
    author: "rigb authors",
    description: "Intel 82576 (igb-class) Ethernet driver in Rust",
    license: "GPL",
}
