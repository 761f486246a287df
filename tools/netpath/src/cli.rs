// SPDX-License-Identifier: GPL-2.0
//! Command-line parsing (a small hand parser: no dependency needed).

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};

pub const USAGE: &str = "\
usage: netpath [--json] [--root DIR] show  [-i IFACE]...
       netpath [--json] [--root DIR] watch [-i IFACE]... [--interval SECS] [--count N]
       netpath [--json] [--root DIR] run   [-i IFACE]... -- CMD [ARGS...]

Shows the Linux receive and send paths stage by stage from the kernel's
counters (/proc/interrupts, /proc/softirqs, /proc/net/softnet_stat,
/proc/net/snmp, /proc/net/netstat, /proc/net/sockstat,
/sys/class/net/IF/statistics, ethtool driver statistics).

  show     one snapshot, absolute values
  watch    deltas every --interval seconds (default 1), --count times
           (default: until interrupted)
  run      snapshot, run CMD, snapshot, print the deltas; exits with
           CMD's exit code
  -i, --interface IFACE   restrict to IFACE (repeatable; default: all)
  --json                  JSON output (schema netpath/1; watch prints one
                          object per line)
  --root DIR              read DIR/proc, DIR/sys and DIR/ethtool/IF.txt
                          (ethtool -S text) instead of the live system
  -h, --help              this text
";

#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Show,
    Watch { interval: f64, count: Option<u64> },
    Run { argv: Vec<String> },
    Help,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cli {
    pub mode: Mode,
    pub ifaces: Vec<String>,
    pub json: bool,
    pub root: Option<PathBuf>,
}

pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Cli> {
    let mut it = args.into_iter();
    let mut mode_name: Option<String> = None;
    let mut ifaces = Vec::new();
    let mut json = false;
    let mut root = None;
    let mut interval: Option<f64> = None;
    let mut count: Option<u64> = None;
    let mut argv: Option<Vec<String>> = None;
    let mut help = false;
    while let Some(a) = it.next() {
        let mut value = |opt: &str| -> Result<String> {
            it.next()
                .ok_or_else(|| anyhow!("option {opt} needs a value"))
        };
        match a.as_str() {
            "-h" | "--help" => help = true,
            "--json" => json = true,
            "--root" => root = Some(PathBuf::from(value("--root")?)),
            "-i" | "--interface" => ifaces.push(value(&a)?),
            "--interval" => {
                let v = value("--interval")?;
                let secs: f64 = v
                    .parse()
                    .with_context(|| format!("--interval: '{v}' is not a number of seconds"))?;
                if !(secs.is_finite() && secs > 0.0) {
                    bail!("--interval must be a positive number of seconds");
                }
                interval = Some(secs);
            }
            "--count" => {
                let v = value("--count")?;
                let n: u64 = v
                    .parse()
                    .with_context(|| format!("--count: '{v}' is not a positive integer"))?;
                if n == 0 {
                    bail!("--count must be at least 1");
                }
                count = Some(n);
            }
            "--" => {
                argv = Some(it.by_ref().collect());
                break;
            }
            s if s.starts_with("--interface=") => ifaces.push(s["--interface=".len()..].into()),
            s if s.starts_with('-') => bail!("unknown option '{s}'\n\n{USAGE}"),
            s => {
                if mode_name.is_some() {
                    bail!("unexpected argument '{s}' (for run, put the command after --)");
                }
                mode_name = Some(s.to_string());
            }
        }
    }
    if help {
        return Ok(Cli {
            mode: Mode::Help,
            ifaces,
            json,
            root,
        });
    }
    let Some(mode_name) = mode_name else {
        bail!("no mode given\n\n{USAGE}");
    };
    let mode = match mode_name.as_str() {
        "show" | "watch" if argv.is_some() => bail!("'--' and a command are only for run"),
        "show" if interval.is_some() || count.is_some() => {
            bail!("--interval and --count are only for watch")
        }
        "show" => Mode::Show,
        "watch" => Mode::Watch {
            interval: interval.unwrap_or(1.0),
            count,
        },
        "run" => {
            if interval.is_some() || count.is_some() {
                bail!("--interval and --count are only for watch");
            }
            match argv {
                Some(v) if !v.is_empty() => Mode::Run { argv: v },
                _ => bail!("run needs a command after '--'"),
            }
        }
        other => bail!("unknown mode '{other}' (show, watch or run)"),
    };
    Ok(Cli {
        mode,
        ifaces,
        json,
        root,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &[&str]) -> Result<Cli> {
        parse(s.iter().map(|x| x.to_string()))
    }

    #[test]
    fn modes() {
        let c = p(&["show", "-i", "eth0", "--json", "-i", "rigb-0"]).unwrap();
        assert_eq!(c.mode, Mode::Show);
        assert_eq!(c.ifaces, vec!["eth0", "rigb-0"]);
        assert!(c.json);
        let c = p(&["watch", "--interval", "0.5", "--count", "3"]).unwrap();
        assert_eq!(
            c.mode,
            Mode::Watch {
                interval: 0.5,
                count: Some(3)
            }
        );
        let c = p(&["run", "-i", "lo", "--", "ping", "-c", "1", "--json"]).unwrap();
        assert_eq!(
            c.mode,
            Mode::Run {
                argv: vec!["ping".into(), "-c".into(), "1".into(), "--json".into()]
            }
        );
        assert!(!c.json);
    }

    #[test]
    fn errors() {
        assert!(p(&[]).is_err());
        assert!(p(&["run"]).is_err());
        assert!(p(&["run", "--"]).is_err());
        assert!(p(&["show", "--count", "2"]).is_err());
        assert!(p(&["watch", "--interval", "-1"]).is_err());
        assert!(p(&["watch", "--count", "0"]).is_err());
        assert!(p(&["frobnicate"]).is_err());
        assert!(p(&["show", "-i"]).is_err());
        assert!(p(&["show", "--bogus"]).is_err());
    }
}
