// SPDX-License-Identifier: GPL-2.0
//! netpath: prints the Linux receive and send paths stage by stage.

use std::io::Write;
use std::process::{Command, ExitCode};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use netpath::cli::{self, Cli, Mode};
use netpath::delta;
use netpath::render;
use netpath::report::{self, CommandInfo, Report};
use netpath::snapshot::{Snapshot, Sources};

fn emit(r: &Report, json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer(&mut out, r).context("cannot write JSON")?;
        writeln!(out)?;
    } else {
        write!(out, "{}", render::text(r))?;
    }
    out.flush()?;
    Ok(())
}

fn delta_report(before: &Snapshot, after: &Snapshot, secs: f64) -> Report {
    let vals = delta::delta_maps(&before.flatten(), &after.flatten());
    let mut r = report::build(after, &vals, true);
    r.interval_secs = Some(secs);
    r
}

#[cfg(unix)]
fn exit_code(st: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    st.code()
        .or_else(|| st.signal().map(|s| 128 + s))
        .unwrap_or(1)
}

fn run(cli: Cli) -> Result<i32> {
    let src = match &cli.root {
        Some(r) => Sources::at(r),
        None => Sources::live(),
    };
    match cli.mode {
        Mode::Help => {
            print!("{}", cli::USAGE);
            Ok(0)
        }
        Mode::Show => {
            let ifaces = src.interfaces(&cli.ifaces)?;
            let snap = Snapshot::take(&src, &ifaces);
            let r = report::build(&snap, &delta::absolute(&snap.flatten()), false);
            emit(&r, cli.json)?;
            Ok(0)
        }
        Mode::Watch { interval, count } => {
            let ifaces = src.interfaces(&cli.ifaces)?;
            let mut before = Snapshot::take(&src, &ifaces);
            let mut t0 = Instant::now();
            let mut n = 0u64;
            while count.is_none_or(|c| n < c) {
                sleep(Duration::from_secs_f64(interval));
                let after = Snapshot::take(&src, &ifaces);
                let t1 = Instant::now();
                let r = delta_report(&before, &after, (t1 - t0).as_secs_f64());
                if !cli.json && n > 0 {
                    println!("----------------------------------------------------------------");
                }
                emit(&r, cli.json)?;
                before = after;
                t0 = t1;
                n += 1;
            }
            Ok(0)
        }
        Mode::Run { argv } => {
            let ifaces = src.interfaces(&cli.ifaces)?;
            let before = Snapshot::take(&src, &ifaces);
            let t0 = Instant::now();
            let status = Command::new(&argv[0])
                .args(&argv[1..])
                .status()
                .with_context(|| format!("cannot run '{}'", argv[0]))?;
            let after = Snapshot::take(&src, &ifaces);
            let code = exit_code(status);
            let mut r = delta_report(&before, &after, t0.elapsed().as_secs_f64());
            r.command = Some(CommandInfo {
                argv,
                exit_code: code,
            });
            emit(&r, cli.json)?;
            Ok(code)
        }
    }
}

fn main() -> ExitCode {
    let cli = match cli::parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("netpath: {e:#}");
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("netpath: error: {e:#}");
            ExitCode::from(1)
        }
    }
}
