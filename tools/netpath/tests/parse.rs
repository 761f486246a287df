// SPDX-License-Identifier: GPL-2.0
//! Parsers against real captured files (tests/fixtures/host, from a
//! 2-CPU QEMU guest on Linux 6.18 with virtio_net) and hand-written odd
//! cases (tests/fixtures/odd).

use std::fs;
use std::path::{Path, PathBuf};

use netpath::proc::{ethtool, interrupts, snmp, sockstat, softirqs, softnet, sysfs_stats};

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn read(rel: &str) -> String {
    fs::read_to_string(fixture(rel)).unwrap()
}

#[test]
fn host_interrupts() {
    let i = interrupts::parse(&read("host/interrupts")).unwrap();
    assert_eq!(i.cpus, vec![0, 1]);
    let l38 = i.lines.iter().find(|l| l.irq == "38").unwrap();
    assert_eq!(l38.counts, vec![0, 7228]);
    assert_eq!(l38.name, "virtio2-input.0");
    assert!(l38.desc.starts_with("PCI-MSIX-0000:00:03.0"));
    let l39 = i.lines.iter().find(|l| l.irq == "39").unwrap();
    assert_eq!(l39.total(), 4884);
    let loc = i.lines.iter().find(|l| l.irq == "LOC").unwrap();
    assert_eq!(loc.counts, vec![178067, 179421]);
    assert_eq!(loc.name, "Local timer interrupts");
    let err = i.lines.iter().find(|l| l.irq == "ERR").unwrap();
    assert_eq!(err.counts, vec![0]);
    assert_eq!(err.desc, "");
    assert_eq!(i.lines.len(), 35);
}

#[test]
fn interrupts_64_cpus() {
    let i = interrupts::parse(&read("odd/interrupts_64cpu")).unwrap();
    assert_eq!(i.cpus.len(), 64);
    assert_eq!(i.cpus[63], 63);
    for q in 0..4u64 {
        let irq = (120 + q).to_string();
        let l = i.lines.iter().find(|l| l.irq == irq).unwrap();
        assert_eq!(l.counts.len(), 64);
        assert_eq!(l.name, format!("rigb0-TxRx-{q}"));
        assert_eq!(l.counts[(q * 16) as usize], (q + 1) * 100);
        assert_eq!(l.total(), (q + 1) * 100 + 63);
    }
    let dash = i.lines.iter().find(|l| l.irq == "130").unwrap();
    assert_eq!(dash.name, "rigb-test0-TxRx-0");
    assert_eq!(dash.counts[63], 42);
    let shared = i.lines.iter().find(|l| l.irq == "16").unwrap();
    assert_eq!(shared.name, "i801_smbus, ehci_hcd:usb1");
    assert_eq!(shared.total(), 128);
    let loc = i.lines.iter().find(|l| l.irq == "LOC").unwrap();
    assert_eq!(loc.total(), (1000..1064).sum::<u64>());
    let err = i.lines.iter().find(|l| l.irq == "ERR").unwrap();
    assert_eq!(err.counts, vec![3]);
    let mis = i.lines.iter().find(|l| l.irq == "MIS").unwrap();
    assert_eq!(mis.counts, vec![0]);
}

#[test]
fn interrupts_garbage_is_an_error() {
    assert!(interrupts::parse("").is_err());
    assert!(interrupts::parse("hello world\n").is_err());
    assert!(interrupts::parse("   CPU0\n no colon here\n").is_err());
}

#[test]
fn host_softirqs() {
    let s = softirqs::parse(&read("host/softirqs")).unwrap();
    assert_eq!(s.cpus, vec![0, 1]);
    assert_eq!(s.per_cpu("NET_RX").unwrap(), vec![(0, 4363), (1, 7157)]);
    assert_eq!(s.per_cpu("NET_TX").unwrap(), vec![(0, 4), (1, 0)]);
    assert_eq!(s.rows.len(), 10);
    assert!(s.per_cpu("NOPE").is_none());
}

#[test]
fn host_softnet_15_columns() {
    let s = softnet::parse(&read("host/softnet_stat")).unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].columns, 15);
    assert_eq!(s[0].processed, 0x11);
    assert_eq!(s[1].processed, 0x270a);
    assert_eq!(s[1].cpu, 1);
    assert!(s[1].cpu_from_kernel);
    assert_eq!(s[1].backlog_len, Some(0));
    assert_eq!(s[1].input_qlen, Some(0));
    assert_eq!(s[1].process_qlen, Some(0));
}

#[test]
fn softnet_13_columns_with_offline_cpu() {
    let s = softnet::parse(&read("odd/softnet_13col")).unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].processed, 123456);
    assert_eq!(s[0].time_squeeze, 12);
    assert_eq!(s[1].cpu, 2, "cpu index column, not line number");
    assert_eq!(s[1].processed, 1000);
    assert_eq!(s[1].dropped, 4);
    assert_eq!(s[1].received_rps, Some(2));
    assert_eq!(s[1].backlog_len, Some(3));
    assert_eq!(s[1].input_qlen, None);
}

#[test]
fn softnet_11_columns() {
    let s = softnet::parse(&read("odd/softnet_11col")).unwrap();
    assert_eq!(s[0].processed, 0xa000);
    assert_eq!(s[0].received_rps, Some(5));
    assert_eq!(s[1].flow_limit_count, Some(7));
    assert_eq!(s[1].dropped, 1);
    assert_eq!(s[1].backlog_len, None);
    assert_eq!(s[1].cpu, 1);
    assert!(!s[1].cpu_from_kernel);
}

#[test]
fn softnet_9_columns() {
    let s = softnet::parse(&read("odd/softnet_9col")).unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].processed, 256);
    assert_eq!(s[0].dropped, 2);
    assert_eq!(s[0].time_squeeze, 3);
    assert_eq!(s[0].received_rps, None);
    assert_eq!(s[0].flow_limit_count, None);
    assert_eq!(s[1].processed, 512);
    assert_eq!(s[1].columns, 9);
}

#[test]
fn softnet_bad_hex() {
    assert!(softnet::parse("0000zz00 00000000 00000000\n").is_err());
    assert!(softnet::parse("00000001 00000002\n").is_err());
}

#[test]
fn host_snmp_and_netstat() {
    let mut s = snmp::parse(&read("host/snmp"), "snmp").unwrap();
    assert_eq!(s.get("Ip", "InReceives"), Some(10005));
    assert_eq!(s.get("Ip", "OutRequests"), Some(5700));
    assert_eq!(s.get("Tcp", "MaxConn"), Some(-1));
    assert_eq!(s.get("Tcp", "InSegs"), Some(9949));
    assert_eq!(s.get("Udp", "InDatagrams"), Some(55));
    assert_eq!(s.get("IcmpMsg", "InType3"), Some(1));
    let n = snmp::parse(&read("host/netstat"), "netstat").unwrap();
    assert_eq!(n.get("TcpExt", "ListenOverflows"), Some(0));
    assert_eq!(n.get("TcpExt", "TW"), Some(12));
    assert!(n.get("IpExt", "InOctets").unwrap() > 0);
    s.merge(n);
    assert_eq!(s.get("Udp", "InDatagrams"), Some(55));
    assert_eq!(s.get("TcpExt", "TW"), Some(12));
}

#[test]
fn netstat_unknown_field_is_kept() {
    let n = snmp::parse(&read("odd/netstat_extra_field"), "netstat").unwrap();
    assert_eq!(n.get("TcpExt", "TCPFutureCounter"), Some(77));
    assert_eq!(n.get("TcpExt", "ListenDrops"), Some(0));
    assert_eq!(n.get("TcpExt", "TW"), Some(12));
}

#[test]
fn snmp_mismatch_is_an_error() {
    let e = snmp::parse(&read("odd/snmp_mismatch"), "snmp").unwrap_err();
    assert!(e.to_string().contains("3 field names but 2 values"), "{e}");
    assert!(snmp::parse("Ip: A B\n", "x").is_err());
    assert!(snmp::parse("Ip: A\nTcp: 1\n", "x").is_err());
    assert!(snmp::parse("Ip: A\nIp: x\n", "x").is_err());
}

#[test]
fn host_sockstat() {
    let s = sockstat::parse(&read("host/sockstat")).unwrap();
    assert_eq!(s.get("sockets", "used"), Some(11));
    assert_eq!(s.get("TCP", "inuse"), Some(1));
    assert_eq!(s.get("TCP", "tw"), Some(2));
    assert_eq!(s.get("FRAG", "memory"), Some(0));
    assert!(sockstat::parse("TCP: inuse\n").is_err());
}

#[test]
fn host_sysfs_statistics() {
    let s = sysfs_stats::read_dir(&fixture("host/sys_eth0_statistics")).unwrap();
    assert_eq!(s.len(), 24);
    assert_eq!(s["rx_packets"], 9982);
    assert_eq!(s["tx_packets"], 5685);
    assert_eq!(s["rx_dropped"], 0);
}

#[test]
fn sysfs_dash_name_and_bad_files() {
    let s = sysfs_stats::read_dir(&fixture("odd/sys_rigb-test0_statistics")).unwrap();
    assert_eq!(s.get("rx_packets"), Some(&42));
    assert_eq!(s.get("rx_bytes"), Some(&123));
    assert_eq!(s.get("rx_weird"), None);
    assert_eq!(s.len(), 4);
    assert!(sysfs_stats::read_dir(&fixture("odd/nonexistent")).is_err());
}

#[test]
fn host_ethtool_text() {
    let e = ethtool::parse_text(&read("host/ethtool_eth0.txt")).unwrap();
    assert_eq!(e.len(), 20);
    assert_eq!(e[0], ("rx_drops".to_string(), 0));
    assert!(e.iter().any(|(n, v)| n == "tx_kicks" && *v > 0));
    let q = ethtool::parse_text(&read("host/ethtool_ifb0.txt")).unwrap();
    assert_eq!(q[0].0, "rx_queue_0_packets");
    assert!(ethtool::parse_text("NIC statistics:\n  x: y\n").is_err());
}

/// The ioctl path against the live kernel: every interface either has no
/// driver statistics or returns named values; where the ethtool program
/// is installed, the names agree with `ethtool -S`.
#[test]
fn live_ethtool_ioctl_matches_ethtool_program() {
    let Ok(dir) = fs::read_dir("/sys/class/net") else {
        return;
    };
    for e in dir {
        let name = e.unwrap().file_name().into_string().unwrap();
        let stats = match ethtool::read_stats(&name) {
            Ok(s) => s,
            // Removed meanwhile (other tests create and delete devices).
            Err(_) if !Path::new("/sys/class/net").join(&name).exists() => continue,
            Err(e) => panic!("{name}: {e:#}"),
        };
        assert!(stats.iter().all(|(n, _)| !n.is_empty()));
        let out = std::process::Command::new("ethtool")
            .args(["-S", &name])
            .output();
        if let Ok(out) = out {
            if out.status.success() {
                let text = String::from_utf8_lossy(&out.stdout);
                let names: Vec<String> = ethtool::parse_text(&text)
                    .unwrap()
                    .into_iter()
                    .map(|(n, _)| n)
                    .collect();
                let ours: Vec<String> = stats.into_iter().map(|(n, _)| n).collect();
                assert_eq!(ours, names, "interface {name}");
            }
        }
    }
}

#[test]
fn host_proc_net_dev_names() {
    let n = netpath::snapshot::parse_netdev_names(&read("host/net_dev"));
    assert_eq!(n, ["lo", "ifb0", "ifb1", "eth0"]);
}
