// SPDX-License-Identifier: GPL-2.0
//! `/proc/net/snmp` and `/proc/net/netstat`: pairs of lines per protocol,
//! a header line of field names and a value line.
//!
//! ```text
//! Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors ...
//! Udp: 39 0 0 40 0 ...
//! ```
//! Unknown fields are kept; values are signed (`Tcp MaxConn` is -1).

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Snmp {
    /// Protocol (`Ip`, `Tcp`, `TcpExt`, ...) to field name to value.
    pub tables: BTreeMap<String, BTreeMap<String, i64>>,
}

impl Snmp {
    pub fn get(&self, proto: &str, field: &str) -> Option<i64> {
        self.tables.get(proto)?.get(field).copied()
    }

    /// Adds the tables of another file (snmp + netstat share no names).
    pub fn merge(&mut self, other: Snmp) {
        for (proto, fields) in other.tables {
            self.tables.entry(proto).or_default().extend(fields);
        }
    }
}

pub fn parse(text: &str, what: &str) -> Result<Snmp> {
    let mut tables: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    while let Some(header) = lines.next() {
        let Some((proto, names)) = header.split_once(':') else {
            bail!("{what}: no 'Proto:' prefix in '{header}'");
        };
        let Some(values_line) = lines.next() else {
            bail!("{what}: header for {proto} has no value line");
        };
        let Some((proto2, values)) = values_line.split_once(':') else {
            bail!("{what}: no 'Proto:' prefix in '{values_line}'");
        };
        if proto != proto2 {
            bail!("{what}: header line for {proto} followed by values for {proto2}");
        }
        let names: Vec<&str> = names.split_whitespace().collect();
        let values: Vec<&str> = values.split_whitespace().collect();
        if names.len() != values.len() {
            bail!(
                "{what}: {proto} has {} field names but {} values",
                names.len(),
                values.len()
            );
        }
        let table = tables.entry(proto.trim().to_string()).or_default();
        for (n, v) in names.iter().zip(values.iter()) {
            let Ok(v) = v.parse::<i64>() else {
                bail!("{what}: {proto} {n}: '{v}' is not a number");
            };
            table.insert((*n).to_string(), v);
        }
    }
    Ok(Snmp { tables })
}
