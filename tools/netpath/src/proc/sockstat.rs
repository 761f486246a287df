// SPDX-License-Identifier: GPL-2.0
//! `/proc/net/sockstat`: `PROTO: key value key value ...` lines.
//!
//! ```text
//! sockets: used 10
//! TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 283
//! ```
//! All values are gauges (current state), not counters. `mem` is in pages.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sockstat {
    pub tables: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Sockstat {
    pub fn get(&self, proto: &str, key: &str) -> Option<u64> {
        self.tables.get(proto)?.get(key).copied()
    }
}

pub fn parse(text: &str) -> Result<Sockstat> {
    let mut tables = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Some((proto, rest)) = line.split_once(':') else {
            bail!("sockstat: no 'PROTO:' prefix in '{line}'");
        };
        let toks: Vec<&str> = rest.split_whitespace().collect();
        if !toks.len().is_multiple_of(2) {
            bail!("sockstat: odd number of key/value tokens in '{line}'");
        }
        let mut table = BTreeMap::new();
        for kv in toks.chunks(2) {
            let Ok(v) = kv[1].parse::<u64>() else {
                bail!("sockstat: {proto} {}: '{}' is not a number", kv[0], kv[1]);
            };
            table.insert(kv[0].to_string(), v);
        }
        tables.insert(proto.trim().to_string(), table);
    }
    Ok(Sockstat { tables })
}
