// SPDX-License-Identifier: GPL-2.0
//! Text rendering of a [`Report`]: the two paths top to bottom, one box
//! per stage, then the losses.

use std::fmt::Write as _;

use crate::delta::Counter;
use crate::report::{Item, Report, Stage};

const LABEL_W: usize = 44;
const VALUE_W: usize = 14;
const CPUS_PER_LINE: usize = 8;

fn value(c: &Counter) -> String {
    match (c.value, c.reset) {
        (None, _) => "n/a".to_string(),
        (Some(v), false) => v.to_string(),
        (Some(v), true) => format!("{v}*"),
    }
}

fn item_line(out: &mut String, indent: &str, it: &Item) {
    let w = LABEL_W.saturating_sub(indent.len());
    let _ = writeln!(
        out,
        "{indent}{:<w$}{:>VALUE_W$}",
        it.label,
        value(&it.counter)
    );
}

fn stage(out: &mut String, n: usize, s: &Stage) {
    let head = format!("{n}. {}", s.title);
    let _ = writeln!(
        out,
        "{head:<LABEL_W$}{:>VALUE_W$}   [{}]",
        value(&s.total),
        s.source
    );
    for it in &s.per_iface {
        item_line(out, "     ", it);
    }
    for it in &s.per_queue {
        item_line(out, "       ", it);
    }
    if !s.per_cpu.is_empty() {
        for (i, chunk) in s.per_cpu.chunks(CPUS_PER_LINE).enumerate() {
            let cells: Vec<String> = chunk
                .iter()
                .map(|it| format!("{}={}", it.label, value(&it.counter)))
                .collect();
            let lead = if i == 0 { "per CPU:" } else { "        " };
            let _ = writeln!(out, "     {lead} {}", cells.join(" "));
        }
    }
    for it in &s.details {
        item_line(out, "     - ", it);
    }
    if let Some(note) = &s.note {
        let _ = writeln!(out, "     ({note})");
    }
}

fn path(out: &mut String, title: &str, stages: &[Stage]) {
    let _ = writeln!(out, "== {title} ==");
    for (i, s) in stages.iter().enumerate() {
        if i > 0 {
            let _ = writeln!(out, "   |\n   v");
        }
        stage(out, i + 1, s);
    }
    let _ = writeln!(out);
}

fn any_reset(r: &Report) -> bool {
    let stage_reset = |s: &Stage| {
        s.total.reset
            || s.per_iface
                .iter()
                .chain(&s.per_queue)
                .chain(&s.per_cpu)
                .chain(&s.details)
                .any(|i| i.counter.reset)
    };
    r.rx_path.iter().chain(&r.tx_path).any(stage_reset) || r.losses.iter().any(|l| l.counter.reset)
}

/// Shows a command line readably: arguments with characters a shell
/// would treat specially are single-quoted, newlines shown as `\n`.
pub fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            let safe = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
            if safe {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''").replace('\n', "\\n"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn text(r: &Report) -> String {
    let mut out = String::new();
    let what = match (r.mode, r.interval_secs) {
        ("delta", Some(s)) => format!("deltas over {s:.2} s"),
        ("delta", None) => "deltas".to_string(),
        _ => "absolute counts (since boot or device creation)".to_string(),
    };
    let _ = writeln!(out, "netpath: {what}");
    if let Some(c) = &r.command {
        let _ = writeln!(
            out,
            "command: {} (exit code {})",
            shell_words(&c.argv),
            c.exit_code
        );
    }
    let _ = writeln!(out, "interfaces: {}", r.interfaces.join(", "));
    let _ = writeln!(out);
    path(&mut out, "RECEIVE PATH", &r.rx_path);
    path(&mut out, "SEND PATH", &r.tx_path);
    let _ = writeln!(out, "== LOSSES (non-zero drop/error counters) ==");
    if r.losses.is_empty() {
        let _ = writeln!(out, "   none");
    }
    for l in &r.losses {
        let label = format!("{} {}", l.source, l.counter_name);
        let _ = writeln!(
            out,
            "   {label:<w$}{:>VALUE_W$}",
            value(&l.counter),
            w = LABEL_W - 3
        );
    }
    if any_reset(r) {
        let _ = writeln!(
            out,
            "\n* counter went down or appeared during the interval (device re-created?): \
             value counted since then"
        );
    }
    if !r.unavailable.is_empty() {
        let _ = writeln!(out, "\nunavailable sources (shown as n/a):");
        for u in &r.unavailable {
            let _ = writeln!(out, "   {u}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            shell_words(&v(&["ping", "-c", "3", "127.0.0.1"])),
            "ping -c 3 127.0.0.1"
        );
        assert_eq!(shell_words(&v(&["sh", "-c", "a b"])), "sh -c 'a b'");
        assert_eq!(shell_words(&v(&["it's"])), "'it'\\''s'");
        assert_eq!(shell_words(&v(&["a\nb", ""])), "'a\\nb' ''");
    }
}
