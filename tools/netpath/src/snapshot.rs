// SPDX-License-Identifier: GPL-2.0
//! Reading all sources at one moment into a [`Snapshot`], and flattening
//! it into a map of named counters for the delta computation.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::proc::ethtool::{self, Stat};
use crate::proc::interrupts::{self, Interrupts};
use crate::proc::snmp::{self, Snmp};
use crate::proc::sockstat::{self, Sockstat};
use crate::proc::softirqs::{self, Softirqs};
use crate::proc::softnet::{self, SoftnetCpu};
use crate::proc::sysfs_stats::{self, IfStats};

/// Where the counters come from: the live system, or a directory that
/// mirrors it (`ROOT/proc/...`, `ROOT/sys/class/net/...`, and
/// `ROOT/ethtool/IFACE.txt` in `ethtool -S` text form instead of the ioctl).
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub root: Option<PathBuf>,
}

impl Sources {
    pub fn live() -> Sources {
        Sources { root: None }
    }

    pub fn at(root: impl Into<PathBuf>) -> Sources {
        Sources {
            root: Some(root.into()),
        }
    }

    fn path(&self, abs: &str) -> PathBuf {
        match &self.root {
            Some(r) => r.join(abs.trim_start_matches('/')),
            None => PathBuf::from(abs),
        }
    }

    fn net_dir(&self) -> PathBuf {
        self.path("/sys/class/net")
    }

    /// Checks the requested interfaces exist, or lists all of them.
    pub fn interfaces(&self, requested: &[String]) -> Result<Vec<String>> {
        let dir = self.net_dir();
        if !requested.is_empty() {
            for name in requested {
                if name.is_empty() || name.contains('/') || !dir.join(name).is_dir() {
                    if self.netdev_names().iter().any(|n| n == name) {
                        bail!(
                            "interface '{name}' exists in this network namespace but not in {}: \
                             /sys was mounted for another namespace; run netpath through \
                             `ip netns exec NS`, which mounts a matching /sys",
                            dir.display()
                        );
                    }
                    bail!(
                        "interface '{name}' does not exist (no {})",
                        dir.join(name).display()
                    );
                }
            }
            return Ok(requested.to_vec());
        }
        let mut names = Vec::new();
        for e in fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
            let e = e.with_context(|| format!("cannot list {}", dir.display()))?;
            // Skip plain files such as bonding_masters.
            if !e.path().is_dir() {
                continue;
            }
            if let Ok(n) = e.file_name().into_string() {
                names.push(n);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Interface names of the current network namespace from
    /// /proc/net/dev (which, unlike /sys, always follows the process's
    /// namespace).
    fn netdev_names(&self) -> Vec<String> {
        fs::read_to_string(self.path("/proc/net/dev"))
            .map(|t| parse_netdev_names(&t))
            .unwrap_or_default()
    }

    /// Names that identify the interface's IRQ vectors in
    /// /proc/interrupts: the interface name itself and the device's name
    /// (a PCI address appears in the MSI-X chip name; virtio devices name
    /// their vectors `virtioN-...` after the virtio device, whose parent is
    /// the PCI function).
    fn irq_names(&self, iface: &str) -> Vec<String> {
        let mut out = vec![iface.to_string()];
        let link = self.net_dir().join(iface).join("device");
        if let Ok(dev) = fs::canonicalize(&link) {
            if let Some(base) = dev.file_name().and_then(|s| s.to_str()) {
                out.push(base.to_string());
                if base.starts_with("virtio") {
                    if let Some(p) = dev
                        .parent()
                        .and_then(|p| p.file_name())
                        .and_then(|s| s.to_str())
                    {
                        out.push(p.to_string());
                    }
                }
            }
        }
        out
    }

    fn ethtool(&self, iface: &str) -> Result<Option<Vec<Stat>>> {
        match &self.root {
            None => ethtool::read_stats(iface).map(Some),
            Some(r) => {
                let p = r.join("ethtool").join(format!("{iface}.txt"));
                match fs::read_to_string(&p) {
                    Ok(t) => ethtool::parse_text(&t)
                        .map(Some)
                        .with_context(|| format!("{}", p.display())),
                    Err(_) => Ok(None),
                }
            }
        }
    }
}

/// Interface names from /proc/net/dev text (`  name: counters...` after
/// two header lines).
pub fn parse_netdev_names(text: &str) -> Vec<String> {
    text.lines()
        .skip(2)
        .filter_map(|l| l.split_once(':').map(|(n, _)| n.trim().to_string()))
        .filter(|n| !n.is_empty())
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct IfaceSnap {
    pub name: String,
    /// Names matched against /proc/interrupts descriptions.
    pub irq_names: Vec<String>,
    pub sysfs: Option<IfStats>,
    pub ethtool: Option<Vec<Stat>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    pub interrupts: Option<Interrupts>,
    pub softirqs: Option<Softirqs>,
    pub softnet: Option<Vec<SoftnetCpu>>,
    /// /proc/net/snmp and /proc/net/netstat merged.
    pub snmp: Option<Snmp>,
    pub sockstat: Option<Sockstat>,
    pub ifaces: Vec<IfaceSnap>,
    /// Sources that could not be read or parsed, with the reason.
    pub unavailable: Vec<String>,
}

fn read_parse<T>(
    path: &Path,
    unavailable: &mut Vec<String>,
    parse: impl FnOnce(&str) -> Result<T>,
) -> Option<T> {
    match fs::read_to_string(path) {
        Ok(t) => match parse(&t) {
            Ok(v) => Some(v),
            Err(e) => {
                unavailable.push(format!("{}: {e:#}", path.display()));
                None
            }
        },
        Err(e) => {
            unavailable.push(format!("{}: {e}", path.display()));
            None
        }
    }
}

impl Snapshot {
    /// Reads every source. Missing files are not fatal: the stage they
    /// feed shows "n/a" and the reason is kept in `unavailable`.
    pub fn take(src: &Sources, ifaces: &[String]) -> Snapshot {
        let mut un = Vec::new();
        let interrupts = read_parse(&src.path("/proc/interrupts"), &mut un, interrupts::parse);
        let softirqs = read_parse(&src.path("/proc/softirqs"), &mut un, softirqs::parse);
        let softnet = read_parse(&src.path("/proc/net/softnet_stat"), &mut un, softnet::parse);
        let s1 = read_parse(&src.path("/proc/net/snmp"), &mut un, |t| {
            snmp::parse(t, "/proc/net/snmp")
        });
        let s2 = read_parse(&src.path("/proc/net/netstat"), &mut un, |t| {
            snmp::parse(t, "/proc/net/netstat")
        });
        let snmp = match (s1, s2) {
            (None, None) => None,
            (a, b) => {
                let mut m = a.unwrap_or_default();
                m.merge(b.unwrap_or_default());
                Some(m)
            }
        };
        let sockstat = read_parse(&src.path("/proc/net/sockstat"), &mut un, sockstat::parse);
        let mut snaps = Vec::new();
        for name in ifaces {
            let dir = src.net_dir().join(name).join("statistics");
            let sysfs = match sysfs_stats::read_dir(&dir) {
                Ok(s) => Some(s),
                Err(e) => {
                    un.push(format!("{e:#}"));
                    None
                }
            };
            let ethtool = match src.ethtool(name) {
                Ok(s) => s,
                Err(e) => {
                    un.push(format!("{e:#}"));
                    None
                }
            };
            snaps.push(IfaceSnap {
                name: name.clone(),
                irq_names: src.irq_names(name),
                sysfs,
                ethtool,
            });
        }
        Snapshot {
            interrupts,
            softirqs,
            softnet,
            snmp,
            sockstat,
            ifaces: snaps,
            unavailable: un,
        }
    }

    /// Flattens every counter into `source/.../name` keys:
    /// `if/IF/sys/K`, `if/IF/ethtool/K`, `irq/N/cpuC`, `softirq/NAME/cpuC`,
    /// `softnet/cpuC/FIELD`, `snmp/PROTO/FIELD`, `sockstat/PROTO/KEY`.
    pub fn flatten(&self) -> BTreeMap<String, u64> {
        let mut m = BTreeMap::new();
        for i in &self.ifaces {
            for (k, v) in i.sysfs.iter().flatten() {
                m.insert(format!("if/{}/sys/{k}", i.name), *v);
            }
            for (k, v) in i.ethtool.iter().flatten() {
                m.insert(format!("if/{}/ethtool/{k}", i.name), *v);
            }
        }
        if let Some(irqs) = &self.interrupts {
            for l in &irqs.lines {
                for (cpu, c) in irqs.cpus.iter().zip(&l.counts) {
                    m.insert(format!("irq/{}/cpu{cpu}", l.irq), *c);
                }
            }
        }
        if let Some(s) = &self.softirqs {
            for (name, row) in &s.rows {
                for (cpu, c) in s.cpus.iter().zip(row) {
                    m.insert(format!("softirq/{name}/cpu{cpu}"), *c);
                }
            }
        }
        for c in self.softnet.iter().flatten() {
            let p = format!("softnet/cpu{}", c.cpu);
            m.insert(format!("{p}/processed"), c.processed);
            m.insert(format!("{p}/dropped"), c.dropped);
            m.insert(format!("{p}/time_squeeze"), c.time_squeeze);
            let opt = [
                ("received_rps", c.received_rps),
                ("flow_limit_count", c.flow_limit_count),
                ("backlog_len", c.backlog_len),
            ];
            for (k, v) in opt {
                if let Some(v) = v {
                    m.insert(format!("{p}/{k}"), v);
                }
            }
        }
        if let Some(s) = &self.snmp {
            for (proto, fields) in &s.tables {
                for (k, v) in fields {
                    if let Ok(v) = u64::try_from(*v) {
                        m.insert(format!("snmp/{proto}/{k}"), v);
                    }
                }
            }
        }
        if let Some(s) = &self.sockstat {
            for (proto, fields) in &s.tables {
                for (k, v) in fields {
                    m.insert(format!("sockstat/{proto}/{k}"), *v);
                }
            }
        }
        m
    }
}
