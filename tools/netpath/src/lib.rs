// SPDX-License-Identifier: GPL-2.0
//! netpath: the Linux receive and send paths, stage by stage, from the
//! kernel's standard counters.

pub mod cli;
pub mod delta;
pub mod names;
pub mod proc;
pub mod render;
pub mod report;
pub mod snapshot;
