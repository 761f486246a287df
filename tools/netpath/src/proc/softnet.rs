// SPDX-License-Identifier: GPL-2.0
//! `/proc/net/softnet_stat`: one line per online CPU, hex columns.
//!
//! Columns (kernel 6.x): processed, dropped, time_squeeze, 5 zeros (was
//! fastroute), 0 (was cpu_collision), received_rps, flow_limit_count,
//! backlog_len, cpu index, then (6.9+) input_qlen and process_qlen.
//! Older kernels print fewer columns: 9 (up to cpu_collision), 10 (with
//! received_rps), 11 (with flow_limit_count). Missing columns are None.

use anyhow::{bail, Context, Result};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SoftnetCpu {
    /// CPU number: the cpu index column when present, else the line number.
    pub cpu: usize,
    /// True when `cpu` came from the kernel's cpu index column.
    pub cpu_from_kernel: bool,
    /// Packets taken off the backlog / processed in NET_RX for this CPU.
    pub processed: u64,
    /// Packets dropped because the per-CPU backlog was full.
    pub dropped: u64,
    /// NET_RX ran out of budget or time with work left.
    pub time_squeeze: u64,
    pub received_rps: Option<u64>,
    pub flow_limit_count: Option<u64>,
    pub backlog_len: Option<u64>,
    pub input_qlen: Option<u64>,
    pub process_qlen: Option<u64>,
    /// Number of columns the kernel printed.
    pub columns: usize,
}

pub fn parse(text: &str) -> Result<Vec<SoftnetCpu>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let cols = line
            .split_whitespace()
            .map(|t| {
                u64::from_str_radix(t, 16).with_context(|| {
                    format!("softnet_stat line {}: '{t}' is not a hex number", i + 1)
                })
            })
            .collect::<Result<Vec<u64>>>()?;
        if cols.len() < 3 {
            bail!(
                "softnet_stat line {}: {} columns, need at least 3",
                i + 1,
                cols.len()
            );
        }
        let col = |n: usize| cols.get(n).copied();
        let (cpu, cpu_from_kernel) = match col(12) {
            Some(c) => (
                usize::try_from(c).with_context(|| format!("softnet_stat: bad cpu index {c}"))?,
                true,
            ),
            None => (out.len(), false),
        };
        out.push(SoftnetCpu {
            cpu,
            cpu_from_kernel,
            processed: cols[0],
            dropped: cols[1],
            time_squeeze: cols[2],
            received_rps: col(9),
            flow_limit_count: col(10),
            backlog_len: col(11),
            input_qlen: col(13),
            process_qlen: col(14),
            columns: cols.len(),
        });
    }
    Ok(out)
}
