// SPDX-License-Identifier: GPL-2.0
//! The model of what is shown: the receive and send paths as stages with
//! a count each (per CPU / per queue where it applies) and the losses.
//! Built from one snapshot's layout and a map of counter values, which
//! are either absolute (`show`) or deltas (`watch`, `run`). The same
//! structs are serialised for `--json` (schema `netpath/1`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::delta::Counter;
use crate::names::{contains_token, irq_dirs, is_loss_name, queue_stat, Dir, SNMP_LOSSES};
use crate::proc::interrupts::IrqLine;
use crate::snapshot::{IfaceSnap, Snapshot};

pub const SCHEMA: &str = "netpath/1";

/// One value within a stage. Besides the human label, the JSON carries
/// what the value is per, where that applies: `iface`, `queue`, `cpu`,
/// `irq` (each omitted when it does not apply).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Item {
    pub label: String,
    #[serde(flatten)]
    pub counter: Counter,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iface: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub irq: Option<String>,
}

impl Item {
    pub fn new(label: impl Into<String>, counter: Counter) -> Item {
        Item {
            label: label.into(),
            counter,
            ..Item::default()
        }
    }

    fn iface(mut self, i: &str) -> Item {
        self.iface = Some(i.to_string());
        self
    }

    fn queue(mut self, q: u32) -> Item {
        self.queue = Some(q);
        self
    }

    fn cpu(mut self, c: usize) -> Item {
        self.cpu = Some(c);
        self
    }

    fn irq(mut self, irq: &str) -> Item {
        self.irq = Some(irq.to_string());
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// Stable identifier (`nic_rx`, `hard_irq_rx`, ...).
    pub id: String,
    pub title: String,
    /// Which counters feed the stage.
    pub source: String,
    pub total: Counter,
    /// Per interface (NIC and driver stages).
    pub per_iface: Vec<Item>,
    pub per_queue: Vec<Item>,
    pub per_cpu: Vec<Item>,
    /// Related counters (per interface, protocol fields, driver counters).
    pub details: Vec<Item>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Loss {
    /// Where the counter lives (`sysfs eth0`, `softnet cpu1`, `TcpExt`...).
    pub source: String,
    pub counter_name: String,
    #[serde(flatten)]
    pub counter: Counter,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandInfo {
    pub argv: Vec<String>,
    /// Exit code, or 128 + signal number if the command was killed.
    pub exit_code: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema: &'static str,
    /// `snapshot` (absolute values) or `delta`.
    pub mode: &'static str,
    pub interval_secs: Option<f64>,
    pub command: Option<CommandInfo>,
    pub interfaces: Vec<String>,
    pub rx_path: Vec<Stage>,
    pub tx_path: Vec<Stage>,
    pub losses: Vec<Loss>,
    pub unavailable: Vec<String>,
}

struct Builder<'a> {
    snap: &'a Snapshot,
    vals: &'a BTreeMap<String, Counter>,
}

impl Builder<'_> {
    fn get(&self, key: &str) -> Counter {
        self.vals.get(key).copied().unwrap_or(Counter::NA)
    }

    fn snmp(&self, proto: &str, field: &str) -> Counter {
        self.get(&format!("snmp/{proto}/{field}"))
    }

    fn item(&self, label: &str, key: &str) -> Item {
        Item::new(label, self.get(key))
    }

    fn cpus_of_irqs(&self) -> Vec<usize> {
        self.snap
            .interrupts
            .as_ref()
            .map(|i| i.cpus.clone())
            .unwrap_or_default()
    }

    fn irq_total(&self, l: &IrqLine) -> Counter {
        Counter::sum(
            self.cpus_of_irqs()
                .iter()
                .map(|c| self.get(&format!("irq/{}/cpu{c}", l.irq))),
        )
    }

    /// The IRQ vectors of the interfaces: (line, interface, rx, tx).
    fn iface_irqs(&self) -> Vec<(&IrqLine, &str, bool, bool)> {
        let Some(irqs) = &self.snap.interrupts else {
            return Vec::new();
        };
        irqs.lines
            .iter()
            .filter(|l| l.irq.bytes().all(|b| b.is_ascii_digit()))
            .filter_map(|l| {
                let iface = self
                    .snap
                    .ifaces
                    .iter()
                    .find(|i| i.irq_names.iter().any(|n| contains_token(&l.desc, n)))?;
                let (rx, tx) = irq_dirs(&l.name);
                Some((l, iface.name.as_str(), rx, tx))
            })
            .collect()
    }

    fn irq_stage(&self, dir: Dir) -> Stage {
        let all = self.iface_irqs();
        let lines: Vec<(&IrqLine, &str)> = all
            .iter()
            .filter(|(_, _, rx, tx)| match dir {
                Dir::Rx => *rx,
                Dir::Tx => *tx,
            })
            .map(|(l, i, _, _)| (*l, *i))
            .collect();
        let per_queue: Vec<Item> = lines
            .iter()
            .map(|(l, i)| {
                Item::new(format!("irq {} {}", l.irq, l.name), self.irq_total(l))
                    .iface(i)
                    .irq(&l.irq)
            })
            .collect();
        let per_cpu: Vec<Item> = if lines.is_empty() {
            Vec::new()
        } else {
            self.cpus_of_irqs()
                .iter()
                .map(|c| {
                    let sum = Counter::sum(
                        lines
                            .iter()
                            .map(|(l, _)| self.get(&format!("irq/{}/cpu{c}", l.irq))),
                    );
                    Item::new(format!("cpu{c}"), sum).cpu(*c)
                })
                .collect()
        };
        let details: Vec<Item> = if dir == Dir::Rx {
            all.iter()
                .filter(|(_, _, rx, tx)| !rx && !tx)
                .map(|(l, i, _, _)| {
                    Item::new(
                        format!("other vector: irq {} {}", l.irq, l.name),
                        self.irq_total(l),
                    )
                    .iface(i)
                    .irq(&l.irq)
                })
                .collect()
        } else {
            Vec::new()
        };
        let total = Counter::sum(per_queue.iter().map(|i| i.counter));
        let note = if self.snap.interrupts.is_none() {
            Some("/proc/interrupts not readable".to_string())
        } else if all.is_empty() {
            Some("no IRQ named after the interface(s): virtual devices (lo, veth) take none".into())
        } else {
            None
        };
        let (id, title) = match dir {
            Dir::Rx => ("hard_irq_rx", "hard IRQ (RX vectors)"),
            Dir::Tx => ("tx_completion_irq", "TX completion IRQ"),
        };
        Stage {
            id: id.into(),
            title: title.into(),
            source: "/proc/interrupts, vectors named after the interface or its device".into(),
            total,
            per_iface: Vec::new(),
            per_queue,
            per_cpu,
            details,
            note,
        }
    }

    fn softirq_stage(&self, name: &str, id: &str, title: &str, note: Option<&str>) -> Stage {
        let per_cpu: Vec<Item> = self
            .snap
            .softirqs
            .as_ref()
            .map(|s| {
                s.cpus
                    .iter()
                    .map(|c| {
                        self.item(&format!("cpu{c}"), &format!("softirq/{name}/cpu{c}"))
                            .cpu(*c)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Stage {
            id: id.into(),
            title: title.into(),
            source: format!("/proc/softirqs {name}"),
            total: Counter::sum(per_cpu.iter().map(|i| i.counter)),
            per_iface: Vec::new(),
            per_queue: Vec::new(),
            per_cpu,
            details: Vec::new(),
            note: note.map(str::to_string),
        }
    }

    fn softnet_stage(&self) -> Stage {
        let cpus: Vec<usize> = self.snap.softnet.iter().flatten().map(|c| c.cpu).collect();
        let per_cpu: Vec<Item> = cpus
            .iter()
            .map(|c| {
                self.item(&format!("cpu{c}"), &format!("softnet/cpu{c}/processed"))
                    .cpu(*c)
            })
            .collect();
        let mut details = Vec::new();
        let rps = Counter::sum(
            cpus.iter()
                .map(|c| self.get(&format!("softnet/cpu{c}/received_rps"))),
        );
        if rps.value.is_some() {
            details.push(Item::new("received_rps (IPIs from RPS)", rps));
        }
        let backlog = Counter::sum(
            cpus.iter()
                .map(|c| self.get(&format!("softnet/cpu{c}/backlog_len"))),
        );
        if backlog.value.is_some() {
            details.push(Item::new("backlog_len (now, all CPUs)", backlog));
        }
        Stage {
            id: "napi_softnet".into(),
            title: "NAPI poll / softnet".into(),
            source: "/proc/net/softnet_stat processed".into(),
            total: Counter::sum(per_cpu.iter().map(|i| i.counter)),
            per_iface: Vec::new(),
            per_queue: Vec::new(),
            per_cpu,
            details,
            note: Some(
                "processed: skbs handed to the stack (__netif_receive_skb_core) on that CPU, \
                 after GRO merged them, so it can be below the driver's packet count"
                    .into(),
            ),
        }
    }

    fn ethtool_of<'b>(&self, i: &'b IfaceSnap) -> impl Iterator<Item = &'b str> {
        i.ethtool.iter().flatten().map(|(n, _)| n.as_str())
    }

    fn queues(&self, dir: Dir) -> Vec<Item> {
        let mut out = Vec::new();
        for i in &self.snap.ifaces {
            let mut qs: Vec<(u32, &str)> = self
                .ethtool_of(i)
                .filter_map(|n| match queue_stat(n) {
                    Some((d, q, "packets")) if d == dir => Some((q, n)),
                    _ => None,
                })
                .collect();
            qs.sort();
            qs.dedup_by_key(|(q, _)| *q);
            let tag = if dir == Dir::Rx { "rxq" } else { "txq" };
            for (q, n) in qs {
                out.push(
                    self.item(
                        &format!("{} {tag}{q}", i.name),
                        &format!("if/{}/ethtool/{n}", i.name),
                    )
                    .iface(&i.name)
                    .queue(q),
                );
            }
        }
        out
    }

    /// Non-queue driver counters of one direction that are not losses
    /// (those are listed under losses) and are non-zero.
    fn driver_details(&self, dir: Dir) -> Vec<Item> {
        let mut out = Vec::new();
        for i in &self.snap.ifaces {
            for n in self.ethtool_of(i) {
                if queue_stat(n).is_some() || is_loss_name(n) {
                    continue;
                }
                let l = n.to_ascii_lowercase();
                // Not traffic: peer_ifindex (veth) and the like.
                if l == "rx_packets"
                    || l == "tx_packets"
                    || l.contains("gro")
                    || l.contains("ifindex")
                {
                    continue;
                }
                let is_tx = l.contains("tx");
                if is_tx != (dir == Dir::Tx) {
                    continue;
                }
                let it = self
                    .item(
                        &format!("{} {n}", i.name),
                        &format!("if/{}/ethtool/{n}", i.name),
                    )
                    .iface(&i.name);
                if it.counter.is_nonzero() {
                    out.push(it);
                }
            }
        }
        out
    }

    fn nic_stage(&self, dir: Dir) -> Stage {
        let field = if dir == Dir::Rx {
            "rx_packets"
        } else {
            "tx_packets"
        };
        let per_iface: Vec<Item> = self
            .snap
            .ifaces
            .iter()
            .map(|i| {
                self.item(&i.name, &format!("if/{}/sys/{field}", i.name))
                    .iface(&i.name)
            })
            .collect();
        let total = Counter::sum(per_iface.iter().map(|i| i.counter));
        let (id, title, q) = match dir {
            Dir::Rx => ("nic_rx", "NIC / RX ring (driver)", "rx_queue_N_packets"),
            Dir::Tx => ("driver_tx", "driver TX ring", "tx_queue_N_packets"),
        };
        Stage {
            id: id.into(),
            title: title.into(),
            source: format!("sysfs statistics/{field}; per queue: ethtool {q}"),
            total,
            per_iface,
            per_queue: self.queues(dir),
            per_cpu: Vec::new(),
            details: self.driver_details(dir),
            note: if dir == Dir::Rx {
                self.napi_note()
            } else {
                None
            },
        }
    }

    /// Sum of the driver counters of one interface whose name matches.
    fn ethtool_sum(&self, i: &IfaceSnap, pred: impl Fn(&str) -> bool) -> Counter {
        Counter::sum(
            self.ethtool_of(i)
                .filter(|n| pred(&n.to_ascii_lowercase()))
                .map(|n| self.get(&format!("if/{}/ethtool/{n}", i.name))),
        )
    }

    /// Packets per NAPI poll and budget exhaustion, for drivers that
    /// count polls (ethtool names ending in `polls`, and `budget_exhausted`).
    fn napi_note(&self) -> Option<String> {
        let mut parts = Vec::new();
        for i in &self.snap.ifaces {
            let polls = self.ethtool_sum(i, |n| n.ends_with("polls") && !n.contains("busy"));
            let Some(p) = polls.value.filter(|p| *p > 0) else {
                continue;
            };
            let pkts = self.get(&format!("if/{}/sys/rx_packets", i.name));
            let mut s = format!("{}: {p} NAPI polls", i.name);
            if let Some(k) = pkts.value {
                // Display only: the ratio of two counters.
                #[allow(clippy::cast_precision_loss)]
                let ratio = k as f64 / p as f64;
                s.push_str(&format!(", {ratio:.1} packets per poll"));
            }
            if let Some(b) = self
                .ethtool_sum(i, |n| n.contains("budget_exhausted"))
                .value
            {
                s.push_str(&format!(", {b} used the whole budget"));
            }
            if let Some(h) = self.poll_histogram(i) {
                s.push_str(&format!(" (frames per poll: {h})"));
            }
            parts.push(s);
        }
        if parts.is_empty() {
            None
        } else {
            Some(parts.join("; "))
        }
    }

    /// The packets-per-poll histogram summed over the queues (rigb's
    /// `rx_queue_N_poll_pkts_<bucket>`), as `0: a, 1-7: b, ...`.
    fn poll_histogram(&self, i: &IfaceSnap) -> Option<String> {
        let mut buckets: Vec<&str> = self
            .ethtool_of(i)
            .filter_map(|n| match queue_stat(n) {
                Some((Dir::Rx, _, rest)) => rest.strip_prefix("poll_pkts_"),
                _ => None,
            })
            .filter(|b| *b != "max")
            .collect();
        if buckets.is_empty() {
            return None;
        }
        // Numeric order of the bucket's low end: 0, 1_7, 8_31, 32_63, 64.
        let low = |b: &str| b.split('_').next().and_then(|x| x.parse::<u64>().ok());
        buckets.sort_by_key(|b| low(b));
        buckets.dedup();
        let parts: Vec<String> = buckets
            .iter()
            .map(|b| {
                let c = self.ethtool_sum(i, |n| {
                    queue_stat(n)
                        .is_some_and(|(d, _, r)| d == Dir::Rx && r == format!("poll_pkts_{b}"))
                });
                let v = c.value.map_or_else(|| "?".to_string(), |v| v.to_string());
                format!("{}: {v}", b.replace('_', "-"))
            })
            .collect();
        Some(parts.join(", "))
    }

    fn gro_stage(&self) -> Stage {
        let mut agg = Vec::new();
        let mut per_queue = Vec::new();
        for i in &self.snap.ifaces {
            for n in self.ethtool_of(i) {
                let l = n.to_ascii_lowercase();
                if !(l.contains("gro") && l.contains("packets")) {
                    continue;
                }
                let it = self
                    .item(
                        &format!("{} {n}", i.name),
                        &format!("if/{}/ethtool/{n}", i.name),
                    )
                    .iface(&i.name);
                if let Some((_, q, _)) = queue_stat(n) {
                    per_queue.push(it.queue(q));
                } else {
                    agg.push(it);
                }
            }
        }
        let total = if !agg.is_empty() {
            Counter::sum(agg.iter().map(|i| i.counter))
        } else {
            Counter::sum(per_queue.iter().map(|i| i.counter))
        };
        let note = if agg.is_empty() && per_queue.is_empty() {
            Some(
                "the kernel keeps no generic GRO counter; shown when the driver exports one".into(),
            )
        } else {
            None
        };
        Stage {
            id: "gro".into(),
            title: "GRO".into(),
            source: "ethtool *gro*packets (driver specific)".into(),
            total,
            per_iface: Vec::new(),
            per_queue,
            per_cpu: Vec::new(),
            details: agg,
            note,
        }
    }

    fn proto_stage(
        &self,
        id: &str,
        title: &str,
        source: &str,
        total_of: &[(&str, &str)],
        details: &[(&str, &str)],
    ) -> Stage {
        let total = Counter::sum(total_of.iter().map(|(p, f)| self.snmp(p, f)));
        let details = details
            .iter()
            .map(|(p, f)| Item::new(format!("{p} {f}"), self.snmp(p, f)))
            .filter(|i| i.counter.value.is_some())
            .collect();
        Stage {
            id: id.into(),
            title: title.into(),
            source: source.into(),
            total,
            per_iface: Vec::new(),
            per_queue: Vec::new(),
            per_cpu: Vec::new(),
            details,
            note: None,
        }
    }

    fn socket_stage(&self, id: &str) -> Stage {
        let keys = [
            ("TCP", "inuse"),
            ("TCP", "orphan"),
            ("TCP", "tw"),
            ("TCP", "mem"),
            ("UDP", "inuse"),
            ("UDP", "mem"),
        ];
        let details = keys
            .iter()
            .map(|(p, k)| {
                let unit = if *k == "mem" { " (pages)" } else { "" };
                self.item(&format!("{p} {k}{unit}"), &format!("sockstat/{p}/{k}"))
            })
            .filter(|i| i.counter.value.is_some())
            .collect();
        Stage {
            id: id.into(),
            title: "socket (in use now)".into(),
            source: "/proc/net/sockstat (gauges, not deltas)".into(),
            total: self.get("sockstat/sockets/used"),
            per_iface: Vec::new(),
            per_queue: Vec::new(),
            per_cpu: Vec::new(),
            details,
            note: None,
        }
    }

    fn losses(&self) -> Vec<Loss> {
        let mut out = Vec::new();
        let mut push = |source: String, name: &str, counter: Counter| {
            if counter.is_nonzero() {
                out.push(Loss {
                    source,
                    counter_name: name.to_string(),
                    counter,
                });
            }
        };
        for i in &self.snap.ifaces {
            for k in i.sysfs.iter().flat_map(|s| s.keys()) {
                if is_loss_name(k) {
                    push(
                        format!("sysfs {}", i.name),
                        k,
                        self.get(&format!("if/{}/sys/{k}", i.name)),
                    );
                }
            }
            for n in self.ethtool_of(i) {
                if is_loss_name(n) {
                    push(
                        format!("ethtool {}", i.name),
                        n,
                        self.get(&format!("if/{}/ethtool/{n}", i.name)),
                    );
                }
            }
        }
        for c in self.snap.softnet.iter().flatten() {
            for f in ["dropped", "time_squeeze", "flow_limit_count"] {
                push(
                    format!("softnet cpu{}", c.cpu),
                    f,
                    self.get(&format!("softnet/cpu{}/{f}", c.cpu)),
                );
            }
        }
        for (p, f) in SNMP_LOSSES {
            push((*p).to_string(), f, self.snmp(p, f));
        }
        out
    }
}

/// Builds the report from the layout of `snap` (the later snapshot) and
/// the counter values `vals` (absolute or deltas, keyed as
/// [`Snapshot::flatten`] names them).
pub fn build(snap: &Snapshot, vals: &BTreeMap<String, Counter>, delta: bool) -> Report {
    let b = Builder { snap, vals };
    let rx_path = vec![
        b.nic_stage(Dir::Rx),
        b.irq_stage(Dir::Rx),
        b.softirq_stage(
            "NET_RX",
            "softirq_net_rx",
            "softirq NET_RX",
            Some("NET_RX runs on the CPU that took the hard IRQ; it polls NAPI"),
        ),
        b.softnet_stage(),
        b.gro_stage(),
        b.proto_stage(
            "ip_rx",
            "IP receive",
            "/proc/net/snmp Ip InReceives",
            &[("Ip", "InReceives")],
            &[
                ("Ip", "InReceives"),
                ("Ip", "InDelivers"),
                ("IpExt", "InOctets"),
            ],
        ),
        b.proto_stage(
            "transport_rx",
            "TCP / UDP / ICMP receive",
            "/proc/net/snmp Tcp InSegs + Udp InDatagrams + Icmp InMsgs",
            &[
                ("Tcp", "InSegs"),
                ("Udp", "InDatagrams"),
                ("Icmp", "InMsgs"),
            ],
            &[
                ("Tcp", "InSegs"),
                ("Udp", "InDatagrams"),
                ("Icmp", "InMsgs"),
                ("Icmp", "InEchos"),
                ("Icmp", "InEchoReps"),
                ("Tcp", "PassiveOpens"),
                ("Tcp", "CurrEstab"),
            ],
        ),
        b.socket_stage("socket_rx"),
    ];
    let tx_path = vec![
        b.socket_stage("socket_tx"),
        b.proto_stage(
            "transport_tx",
            "TCP / UDP / ICMP send",
            "/proc/net/snmp Tcp OutSegs + Udp OutDatagrams + Icmp OutMsgs",
            &[("Tcp", "OutSegs"), ("Udp", "OutDatagrams"), ("Icmp", "OutMsgs")],
            &[
                ("Tcp", "OutSegs"),
                ("Udp", "OutDatagrams"),
                ("Icmp", "OutMsgs"),
                ("Icmp", "OutEchos"),
                ("Icmp", "OutEchoReps"),
                ("Tcp", "RetransSegs"),
                ("Tcp", "ActiveOpens"),
            ],
        ),
        b.proto_stage(
            "ip_tx",
            "IP send",
            "/proc/net/snmp Ip OutRequests",
            &[("Ip", "OutRequests")],
            &[
                ("Ip", "OutRequests"),
                ("Ip", "OutTransmits"),
                ("IpExt", "OutOctets"),
            ],
        ),
        b.softirq_stage(
            "NET_TX",
            "qdisc_net_tx",
            "qdisc / softirq NET_TX",
            Some("NET_TX runs when a qdisc deferred sending or completed skbs were freed from IRQ context"),
        ),
        b.nic_stage(Dir::Tx),
        b.irq_stage(Dir::Tx),
    ];
    Report {
        schema: SCHEMA,
        mode: if delta { "delta" } else { "snapshot" },
        interval_secs: None,
        command: None,
        interfaces: snap.ifaces.iter().map(|i| i.name.clone()).collect(),
        rx_path,
        tx_path,
        losses: b.losses(),
        unavailable: snap.unavailable.clone(),
    }
}
