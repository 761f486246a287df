// SPDX-License-Identifier: GPL-2.0
//! Counter values and the before/after delta.

use std::collections::BTreeMap;

use serde::Serialize;

/// A value shown at a stage: a count, or "n/a" (`value: None`).
/// `reset` marks a counter that went down between the two snapshots (the
/// device was re-created, the module reloaded) or appeared only in the
/// second one: `value` is then the count since it restarted, i.e. the
/// value in the second snapshot, never an underflowed difference.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counter {
    pub value: Option<u64>,
    pub reset: bool,
}

impl Counter {
    pub const NA: Counter = Counter {
        value: None,
        reset: false,
    };

    pub fn of(v: u64) -> Counter {
        Counter {
            value: Some(v),
            reset: false,
        }
    }

    pub fn is_nonzero(&self) -> bool {
        self.reset || self.value.is_some_and(|v| v > 0)
    }

    /// Sum of counters: n/a only if every part is n/a.
    pub fn sum<I: IntoIterator<Item = Counter>>(it: I) -> Counter {
        let mut out = Counter::NA;
        for c in it {
            if let Some(v) = c.value {
                out.value = Some(out.value.unwrap_or(0).saturating_add(v));
            }
            out.reset |= c.reset;
        }
        out
    }
}

/// Keys that hold a current state (queue lengths, sockets in use, memory)
/// rather than a running count: their "delta" is the value after.
pub fn is_gauge(key: &str) -> bool {
    key.starts_with("sockstat/")
        || key.ends_with("/backlog_len")
        || key == "snmp/Tcp/CurrEstab"
        || key == "snmp/Tcp/RtoAlgorithm"
        || key == "snmp/Tcp/RtoMin"
        || key == "snmp/Tcp/RtoMax"
        || key == "snmp/Tcp/MaxConn"
        || key == "snmp/Ip/Forwarding"
        || key == "snmp/Ip/DefaultTTL"
}

/// The difference of one counter between two snapshots.
pub fn delta(before: Option<u64>, after: Option<u64>) -> Counter {
    match (before, after) {
        (Some(b), Some(a)) if a >= b => Counter::of(a - b),
        (Some(_), Some(a)) | (None, Some(a)) => Counter {
            value: Some(a),
            reset: true,
        },
        (_, None) => Counter::NA,
    }
}

/// Absolute values of one snapshot.
pub fn absolute(m: &BTreeMap<String, u64>) -> BTreeMap<String, Counter> {
    m.iter()
        .map(|(k, v)| (k.clone(), Counter::of(*v)))
        .collect()
}

/// Per-key deltas; gauges keep their value after. A key that exists only
/// before gives n/a; one that exists only after counts as reset.
pub fn delta_maps(
    before: &BTreeMap<String, u64>,
    after: &BTreeMap<String, u64>,
) -> BTreeMap<String, Counter> {
    let mut out = BTreeMap::new();
    for (k, a) in after {
        let c = if is_gauge(k) {
            Counter::of(*a)
        } else {
            delta(before.get(k).copied(), Some(*a))
        };
        out.insert(k.clone(), c);
    }
    for k in before.keys() {
        out.entry(k.clone()).or_insert(Counter::NA);
    }
    out
}
