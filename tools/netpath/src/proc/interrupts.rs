// SPDX-License-Identifier: GPL-2.0
//! `/proc/interrupts`: one line per IRQ with a count per CPU column.
//!
//! ```text
//!            CPU0       CPU1
//!  38:          0       6857 PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0
//! NMI:          0          0   Non-maskable interrupts
//! ERR:          0
//! ```
//! Architecture lines (NMI, LOC, ERR, MIS, ...) may have fewer count
//! columns than there are CPUs; names may contain spaces.

use anyhow::{bail, Context, Result};
use serde::Serialize;

use super::parse_cpu_header;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IrqLine {
    /// The IRQ number or the architecture mnemonic (`NMI`, `LOC`, ...).
    pub irq: String,
    /// One count per CPU column that was present on the line.
    pub counts: Vec<u64>,
    /// Everything after the counts (chip, hwirq, trigger, action names).
    pub desc: String,
    /// The action name(s): the text after the last run of two or more
    /// spaces in `desc` (e.g. `rigb0-TxRx-0`, `Local timer interrupts`).
    pub name: String,
}

impl IrqLine {
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interrupts {
    /// CPU numbers of the count columns, in order.
    pub cpus: Vec<usize>,
    pub lines: Vec<IrqLine>,
}

/// Splits off the action name: the part after the last gap of two or
/// more spaces. A line with a single field returns it whole.
fn action_name(desc: &str) -> String {
    let bytes = desc.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' {
            let mut j = i;
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
            if j - i >= 2 && j < bytes.len() {
                start = j;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    desc[start..].trim().to_string()
}

pub fn parse(text: &str) -> Result<Interrupts> {
    let mut lines = text.lines();
    let header = lines
        .by_ref()
        .find(|l| !l.trim().is_empty())
        .context("/proc/interrupts is empty")?;
    let cpus = parse_cpu_header(header).context("/proc/interrupts header")?;
    let mut out = Vec::new();
    for (lineno, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((irq, rest)) = line.split_once(':') else {
            bail!("/proc/interrupts line {}: no ':' in '{line}'", lineno + 2);
        };
        let irq = irq.trim().to_string();
        let mut counts = Vec::with_capacity(cpus.len());
        let mut pos = 0;
        // Take up to one numeric token per CPU column.
        let mut remaining = rest;
        while counts.len() < cpus.len() {
            let trimmed = remaining.trim_start();
            let skipped = remaining.len() - trimmed.len();
            let tok_len = trimmed.find(' ').unwrap_or(trimmed.len());
            let tok = &trimmed[..tok_len];
            if tok.is_empty() {
                break;
            }
            match tok.parse::<u64>() {
                Ok(v) => counts.push(v),
                Err(_) => break,
            }
            pos += skipped + tok_len;
            remaining = &rest[pos..];
        }
        let desc = rest[pos..].trim().to_string();
        let name = action_name(&desc);
        out.push(IrqLine {
            irq,
            counts,
            desc,
            name,
        });
    }
    Ok(Interrupts { cpus, lines: out })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names() {
        assert_eq!(
            action_name("PCI-MSIX-0000:00:03.0   1-edge      rigb0-TxRx-0"),
            "rigb0-TxRx-0"
        );
        assert_eq!(
            action_name("  Local timer interrupts"),
            "Local timer interrupts"
        );
        assert_eq!(action_name(""), "");
        assert_eq!(
            action_name("IO-APIC  16-fasteoi   i801_smbus, ehci_hcd:usb1"),
            "i801_smbus, ehci_hcd:usb1"
        );
    }

    #[test]
    fn short_lines() {
        let t = "   CPU0  CPU1  CPU2\nERR:   7\n 5:  1 2 3  IO-APIC 5-edge  a b\n";
        let i = parse(t).unwrap();
        assert_eq!(i.cpus, vec![0, 1, 2]);
        assert_eq!(i.lines[0].counts, vec![7]);
        assert_eq!(i.lines[0].name, "");
        assert_eq!(i.lines[1].counts, vec![1, 2, 3]);
        assert_eq!(i.lines[1].name, "a b");
        assert_eq!(i.lines[1].total(), 6);
    }
}
