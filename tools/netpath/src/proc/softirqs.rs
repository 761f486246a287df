// SPDX-License-Identifier: GPL-2.0
//! `/proc/softirqs`: one row per softirq type, one column per CPU.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use super::parse_cpu_header;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Softirqs {
    pub cpus: Vec<usize>,
    /// Softirq name (`NET_RX`, `NET_TX`, ...) to per-CPU counts.
    pub rows: BTreeMap<String, Vec<u64>>,
}

impl Softirqs {
    /// Per-CPU `(cpu, count)` pairs of one softirq.
    pub fn per_cpu(&self, name: &str) -> Option<Vec<(usize, u64)>> {
        let row = self.rows.get(name)?;
        Some(self.cpus.iter().copied().zip(row.iter().copied()).collect())
    }
}

pub fn parse(text: &str) -> Result<Softirqs> {
    let mut lines = text.lines();
    let header = lines
        .by_ref()
        .find(|l| !l.trim().is_empty())
        .context("/proc/softirqs is empty")?;
    let cpus = parse_cpu_header(header).context("/proc/softirqs header")?;
    let mut rows = BTreeMap::new();
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        let Some((name, rest)) = line.split_once(':') else {
            bail!("/proc/softirqs: no ':' in '{line}'");
        };
        let counts = rest
            .split_whitespace()
            .map(|t| {
                t.parse::<u64>().with_context(|| {
                    format!("/proc/softirqs: bad count '{t}' in row {}", name.trim())
                })
            })
            .collect::<Result<Vec<_>>>()?;
        rows.insert(name.trim().to_string(), counts);
    }
    Ok(Softirqs { cpus, rows })
}
