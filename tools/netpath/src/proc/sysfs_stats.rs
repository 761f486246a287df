// SPDX-License-Identifier: GPL-2.0
//! `/sys/class/net/<if>/statistics/*`: one file per counter, one decimal
//! number per file.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

pub type IfStats = BTreeMap<String, u64>;

/// Parses one counter file's content.
pub fn parse_value(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// Reads every counter in a `statistics` directory. Files that cannot be
/// read or do not hold a number (some drivers return EINVAL/EOPNOTSUPP)
/// are left out.
pub fn read_dir(dir: &Path) -> Result<IfStats> {
    let mut out = BTreeMap::new();
    let entries = fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if let Ok(text) = fs::read_to_string(entry.path()) {
            if let Some(v) = parse_value(&text) {
                out.insert(name, v);
            }
        }
    }
    Ok(out)
}
