// SPDX-License-Identifier: GPL-2.0
//! Parsers for the kernel's network counters, one module per source.
//!
//! Every parser takes the file's text (so tests can feed captured
//! fixtures) and returns typed structs; reading the file is done by the
//! snapshot code, which turns a missing file into "n/a".

pub mod ethtool;
pub mod interrupts;
pub mod snmp;
pub mod sockstat;
pub mod softirqs;
pub mod softnet;
pub mod sysfs_stats;

/// Parses a `CPU0 CPU1 ...` header line and returns the CPU numbers in
/// column order (offline CPUs leave gaps, so the numbers are kept).
pub(crate) fn parse_cpu_header(line: &str) -> anyhow::Result<Vec<usize>> {
    let mut cpus = Vec::new();
    for tok in line.split_whitespace() {
        let num = tok
            .strip_prefix("CPU")
            .ok_or_else(|| anyhow::anyhow!("expected a CPUn column header, found '{tok}'"))?;
        let n: usize = num
            .parse()
            .map_err(|_| anyhow::anyhow!("bad CPU column header '{tok}'"))?;
        cpus.push(n);
    }
    if cpus.is_empty() {
        anyhow::bail!("header line has no CPU columns");
    }
    Ok(cpus)
}
