// SPDX-License-Identifier: GPL-2.0
//! The binary end to end: modes, exit codes, JSON, errors. Uses
//! `--root` on the fixture pair, plus a few runs on the live system.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_netpath"))
}

fn pair(which: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pair")
        .join(which)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            fs::copy(e.path(), &dst).unwrap();
        }
    }
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("netpath-cli-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    d
}

#[test]
fn show_text() {
    let after = pair("after");
    let o = run(&["--root", after.to_str().unwrap(), "show", "-i", "rigb0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.starts_with("netpath: absolute counts"), "{s}");
    let nic = s
        .lines()
        .find(|l| l.starts_with("1. NIC / RX ring"))
        .unwrap();
    assert!(nic.contains(" 1600 "), "{nic}");
    assert!(s.contains("interfaces: rigb0\n"));
    assert!(s.contains("sysfs rigb0 rx_missed_errors"));
}

#[test]
fn show_json() {
    let after = pair("after");
    let o = run(&["--json", "--root", after.to_str().unwrap(), "show"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["schema"], "netpath/1");
    assert_eq!(v["mode"], "snapshot");
    assert_eq!(v["interfaces"], serde_json::json!(["rigb0", "veth-a"]));
    assert_eq!(v["rx_path"][0]["total"]["value"], 1620);
    assert_eq!(v["tx_path"][4]["per_queue"][1]["value"], 400);
}

#[test]
fn unknown_interface() {
    let after = pair("after");
    let o = run(&["--root", after.to_str().unwrap(), "show", "-i", "nope0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("interface 'nope0' does not exist"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn usage_errors_exit_2() {
    let o = run(&["show", "--count", "3"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("usage:"));
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("netpath [--json]"));
}

/// `run` takes the first snapshot, runs the command (which here turns
/// the before tree into the after tree), takes the second, prints the
/// deltas and exits with the command's code.
#[test]
fn run_mode_deltas_and_exit_code() {
    let root = tmpdir("run");
    copy_dir(&pair("before"), &root);
    let script = format!(
        "cp -r '{}'/. '{}'/ && exit 3",
        pair("after").display(),
        root.display()
    );
    let o = run(&[
        "--json",
        "--root",
        root.to_str().unwrap(),
        "run",
        "-i",
        "rigb0",
        "--",
        "sh",
        "-c",
        &script,
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["mode"], "delta");
    assert_eq!(v["command"]["exit_code"], 3);
    assert_eq!(v["command"]["argv"][0], "sh");
    assert_eq!(v["rx_path"][0]["total"]["value"], 600);
    assert_eq!(v["rx_path"][0]["total"]["reset"], false);
    assert_eq!(v["rx_path"][1]["total"]["value"], 55);
    assert_eq!(v["losses"][0]["counter_name"], "rx_dropped");
    assert!(v["interval_secs"].as_f64().unwrap() >= 0.0);
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn run_mode_missing_command() {
    let o = run(&["run", "-i", "lo", "--", "/nonexistent/netpath-test-cmd"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot run"), "{}", stderr(&o));
}

#[test]
fn watch_counts_intervals() {
    let after = pair("after");
    let o = run(&[
        "--json",
        "--root",
        after.to_str().unwrap(),
        "watch",
        "--interval",
        "0.05",
        "--count",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<String> = stdout(&o).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2);
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(&l).unwrap();
        assert_eq!(v["mode"], "delta");
        // Nothing changes in a fixture tree: every counter moved by 0.
        assert_eq!(v["rx_path"][0]["total"]["value"], 0);
        assert_eq!(v["losses"], serde_json::json!([]));
        assert!(v["interval_secs"].as_f64().unwrap() >= 0.05);
    }
}

/// On the live system: loopback always exists.
#[test]
fn live_loopback() {
    if !Path::new("/sys/class/net/lo").exists() {
        return;
    }
    let o = run(&["show", "-i", "lo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("== SEND PATH =="));
    let o = run(&["--json", "run", "-i", "lo", "--", "true"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["command"]["exit_code"], 0);
    assert_eq!(v["interfaces"], serde_json::json!(["lo"]));
    let o = run(&["run", "-i", "lo", "--", "false"]);
    assert_eq!(o.status.code(), Some(1));
}
