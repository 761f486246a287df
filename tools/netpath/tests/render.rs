// SPDX-License-Identifier: GPL-2.0
//! The report and its rendering on the before/after fixture pair
//! (tests/fixtures/pair, written by make.py there): rigb0 with two TxRx
//! vectors and two queues on 2 CPUs, plus veth-a, which was re-created in
//! the interval (its counters went down).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use netpath::delta::{absolute, delta_maps, Counter};
use netpath::render;
use netpath::report::{self, Report, Stage};
use netpath::snapshot::{Snapshot, Sources};

fn pair_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pair")
}

fn pair_report() -> Report {
    let b = Sources::at(pair_dir().join("before"));
    let a = Sources::at(pair_dir().join("after"));
    let ifaces = a.interfaces(&[]).unwrap();
    assert_eq!(ifaces, vec!["rigb0", "veth-a"]);
    let sb = Snapshot::take(&b, &ifaces);
    let sa = Snapshot::take(&a, &ifaces);
    assert!(sa.unavailable.is_empty(), "{:?}", sa.unavailable);
    report::build(&sa, &delta_maps(&sb.flatten(), &sa.flatten()), true)
}

fn stage<'a>(stages: &'a [Stage], id: &str) -> &'a Stage {
    stages.iter().find(|s| s.id == id).unwrap()
}

fn items(v: &[netpath::report::Item]) -> BTreeMap<String, Option<u64>> {
    v.iter()
        .map(|i| (i.label.clone(), i.counter.value))
        .collect()
}

#[test]
fn receive_path_numbers() {
    let r = pair_report();
    let ids: Vec<&str> = r.rx_path.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "nic_rx",
            "hard_irq_rx",
            "softirq_net_rx",
            "napi_softnet",
            "gro",
            "ip_rx",
            "transport_rx",
            "socket_rx"
        ]
    );
    let nic = stage(&r.rx_path, "nic_rx");
    assert_eq!(nic.total.value, Some(620));
    assert!(nic.total.reset, "veth-a went down: flagged");
    assert_eq!(items(&nic.per_iface)["rigb0"], Some(600));
    let veth = nic.per_iface.iter().find(|i| i.label == "veth-a").unwrap();
    assert_eq!(
        veth.counter,
        Counter {
            value: Some(20),
            reset: true
        }
    );
    let q = items(&nic.per_queue);
    assert_eq!(q["rigb0 rxq0"], Some(350));
    assert_eq!(q["rigb0 rxq1"], Some(250));
    assert_eq!(items(&nic.details)["rigb0 napi_polls"], Some(60));
    assert_eq!(items(&nic.details)["rigb0 napi_budget_exhausted"], Some(4));
    assert_eq!(
        nic.note.as_deref(),
        Some(
            "rigb0: 60 NAPI polls, 10.0 packets per poll, 4 used the whole budget \
             (frames per poll: 0: 10, 1-7: 30, 8-31: 13, 32-63: 3, 64: 4)"
        )
    );

    let irq = stage(&r.rx_path, "hard_irq_rx");
    assert_eq!(irq.total, Counter::of(55));
    let v = items(&irq.per_queue);
    assert_eq!(v["irq 40 rigb0-TxRx-0"], Some(30));
    assert_eq!(v["irq 41 rigb0-TxRx-1"], Some(25));
    assert_eq!(v.len(), 2, "ttyS0 and the link vector are not RX vectors");
    let c = items(&irq.per_cpu);
    assert_eq!((c["cpu0"], c["cpu1"]), (Some(30), Some(25)));

    let net_rx = stage(&r.rx_path, "softirq_net_rx");
    assert_eq!(net_rx.total, Counter::of(56));
    assert_eq!(items(&net_rx.per_cpu)["cpu1"], Some(26));

    let sn = stage(&r.rx_path, "napi_softnet");
    assert_eq!(sn.total, Counter::of(150));
    assert_eq!(items(&sn.per_cpu)["cpu1"], Some(100));

    let gro = stage(&r.rx_path, "gro");
    assert_eq!(gro.total, Counter::NA);

    let ip = stage(&r.rx_path, "ip_rx");
    assert_eq!(ip.total, Counter::of(620));
    assert_eq!(items(&ip.details)["Ip InDelivers"], Some(615));

    let tr = stage(&r.rx_path, "transport_rx");
    assert_eq!(tr.total, Counter::of(620), "500 TCP + 110 UDP + 10 ICMP");
    assert_eq!(items(&tr.details)["Udp InDatagrams"], Some(110));
    assert_eq!(items(&tr.details)["Icmp InMsgs"], Some(10));
    assert_eq!(items(&tr.details)["Icmp InEchoReps"], Some(10));
    assert_eq!(items(&tr.details)["Icmp InEchos"], Some(0));

    let sock = stage(&r.rx_path, "socket_rx");
    assert_eq!(sock.total, Counter::of(11), "gauge: value after");
    assert_eq!(items(&sock.details)["TCP inuse"], Some(3));
}

#[test]
fn send_path_numbers() {
    let r = pair_report();
    let ids: Vec<&str> = r.tx_path.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "socket_tx",
            "transport_tx",
            "ip_tx",
            "qdisc_net_tx",
            "driver_tx",
            "tx_completion_irq"
        ]
    );
    // A ping flood has no TCP or UDP: ICMP is counted at this stage too,
    // or the stage would read 0 for the traffic the book's chapter 4 uses.
    let tt = stage(&r.tx_path, "transport_tx");
    assert_eq!(tt.total, Counter::of(310), "250 TCP + 50 UDP + 10 ICMP");
    assert_eq!(items(&tt.details)["Icmp OutEchos"], Some(10));
    assert_eq!(items(&tt.details)["Icmp OutEchoReps"], Some(0));
    assert_eq!(stage(&r.tx_path, "ip_tx").total, Counter::of(300));
    let q = stage(&r.tx_path, "qdisc_net_tx");
    assert_eq!(q.total, Counter::of(3));
    assert_eq!(items(&q.per_cpu)["cpu0"], Some(2));
    let d = stage(&r.tx_path, "driver_tx");
    assert_eq!(d.total.value, Some(325));
    assert_eq!(items(&d.per_iface)["rigb0"], Some(300));
    let dq = items(&d.per_queue);
    assert_eq!(dq["rigb0 txq0"], Some(200));
    assert_eq!(dq["rigb0 txq1"], Some(100));
    assert!(d.details.is_empty(), "tx_restart_queue did not move");
    let c = stage(&r.tx_path, "tx_completion_irq");
    assert_eq!(c.total, Counter::of(55));
}

#[test]
fn losses_list_every_nonzero_drop_counter() {
    let r = pair_report();
    let l: Vec<(String, String, Option<u64>)> = r
        .losses
        .iter()
        .map(|l| (l.source.clone(), l.counter_name.clone(), l.counter.value))
        .collect();
    let want = [
        ("sysfs rigb0", "rx_dropped", 3),
        ("ethtool rigb0", "rx_no_buffer", 2),
        ("softnet cpu0", "time_squeeze", 3),
        ("softnet cpu1", "dropped", 2),
        ("Ip", "InDiscards", 5),
        ("Udp", "RcvbufErrors", 4),
        ("TcpExt", "ListenOverflows", 1),
        ("TcpExt", "ListenDrops", 1),
    ];
    let want: Vec<(String, String, Option<u64>)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), Some(*c)))
        .collect();
    // rx_missed_errors stayed at 5: no loss in the interval.
    assert_eq!(l, want);
}

#[test]
fn rendering_matches_expected() {
    let got = render::text(&pair_report());
    let want = fs::read_to_string(pair_dir().join("expected.txt")).unwrap();
    if got != want {
        for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
            assert_eq!(g, w, "line {}", i + 1);
        }
        assert_eq!(got.lines().count(), want.lines().count());
    }
    assert_eq!(got, want);
}

#[test]
fn json_schema() {
    let v = serde_json::to_value(pair_report()).unwrap();
    assert_eq!(v["schema"], "netpath/1");
    assert_eq!(v["mode"], "delta");
    assert_eq!(v["interfaces"][1], "veth-a");
    assert_eq!(v["rx_path"][0]["id"], "nic_rx");
    assert_eq!(v["rx_path"][0]["total"]["value"], 620);
    assert_eq!(v["rx_path"][0]["total"]["reset"], true);
    assert_eq!(v["rx_path"][0]["per_queue"][0]["label"], "rigb0 rxq0");
    assert_eq!(v["rx_path"][0]["per_queue"][0]["value"], 350);
    assert_eq!(v["rx_path"][4]["total"]["value"], serde_json::Value::Null);
    assert_eq!(v["tx_path"][5]["per_cpu"][1]["value"], 25);
    let q0 = &v["rx_path"][0]["per_queue"][0];
    assert_eq!((&q0["iface"], &q0["queue"]), (&"rigb0".into(), &0.into()));
    assert!(
        q0.get("cpu").is_none(),
        "fields that do not apply are omitted"
    );
    let vec1 = &v["rx_path"][1]["per_queue"][1];
    assert_eq!(vec1["irq"], "41");
    assert_eq!(vec1["iface"], "rigb0");
    assert_eq!(vec1["value"], 25);
    assert_eq!(v["rx_path"][3]["per_cpu"][1]["cpu"], 1);
    assert_eq!(v["rx_path"][3]["per_cpu"][1]["value"], 100);
    assert_eq!(v["rx_path"][0]["per_iface"][1]["iface"], "veth-a");
    let keys: Vec<&str> = v["rx_path"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        // serde_json::Value keeps keys sorted.
        [
            "details",
            "id",
            "note",
            "per_cpu",
            "per_iface",
            "per_queue",
            "source",
            "title",
            "total"
        ]
    );
    assert_eq!(v["losses"][0]["counter_name"], "rx_dropped");
    assert_eq!(v["losses"][0]["value"], 3);
    for key in [
        "schema",
        "mode",
        "interval_secs",
        "command",
        "interfaces",
        "rx_path",
        "tx_path",
        "losses",
        "unavailable",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn absolute_snapshot() {
    let a = Sources::at(pair_dir().join("after"));
    let s = Snapshot::take(&a, &["rigb0".to_string()]);
    let r = report::build(&s, &absolute(&s.flatten()), false);
    assert_eq!(r.mode, "snapshot");
    assert_eq!(stage(&r.rx_path, "nic_rx").total, Counter::of(1600));
    assert_eq!(stage(&r.rx_path, "hard_irq_rx").total, Counter::of(85));
    assert_eq!(stage(&r.rx_path, "napi_softnet").total, Counter::of(450));
    // rx_missed_errors is 5 since boot: listed in a snapshot.
    assert!(r
        .losses
        .iter()
        .any(|l| l.counter_name == "rx_missed_errors" && l.counter.value == Some(5)));
    assert!(!render::text(&r).contains("counter went down"));
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

#[test]
fn missing_proc_files_show_na() {
    let tmp = std::env::temp_dir().join(format!("netpath-missing-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    copy_dir(&pair_dir().join("after"), &tmp);
    fs::write(tmp.join("sys/class/net/bonding_masters"), "\n").unwrap();
    assert_eq!(
        Sources::at(&tmp).interfaces(&[]).unwrap(),
        ["rigb0", "veth-a"],
        "plain files in /sys/class/net are not interfaces"
    );
    assert!(Sources::at(&tmp)
        .interfaces(&["bonding_masters".to_string()])
        .is_err());
    fs::remove_file(tmp.join("proc/net/softnet_stat")).unwrap();
    fs::remove_file(tmp.join("proc/softirqs")).unwrap();
    fs::remove_file(tmp.join("ethtool/rigb0.txt")).unwrap();
    let src = Sources::at(&tmp);
    let s = Snapshot::take(&src, &["rigb0".to_string()]);
    assert_eq!(s.unavailable.len(), 2, "{:?}", s.unavailable);
    let r = report::build(&s, &absolute(&s.flatten()), false);
    assert_eq!(stage(&r.rx_path, "napi_softnet").total, Counter::NA);
    assert_eq!(stage(&r.rx_path, "softirq_net_rx").total, Counter::NA);
    assert_eq!(stage(&r.tx_path, "qdisc_net_tx").total, Counter::NA);
    assert!(stage(&r.rx_path, "nic_rx").per_queue.is_empty());
    assert_eq!(stage(&r.rx_path, "ip_rx").total.value, Some(10625));
    let text = render::text(&r);
    assert!(text.contains("softnet_stat"), "reason listed");
    assert!(text
        .lines()
        .any(|l| l.starts_with("3. softirq NET_RX") && l.contains("n/a")));
    fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn unknown_interface_is_a_clear_error() {
    let a = Sources::at(pair_dir().join("after"));
    let e = a.interfaces(&["rigb9".to_string()]).unwrap_err();
    assert!(
        e.to_string().contains("interface 'rigb9' does not exist"),
        "{e}"
    );
    assert!(a.interfaces(&["../x".to_string()]).is_err());
    assert_eq!(a.interfaces(&["veth-a".to_string()]).unwrap(), ["veth-a"]);
}

/// 64 CPUs, vectors of several devices: each interface gets exactly its
/// own vectors (`rigb-test0` with a dash; `eth1` must not take `eth10`'s).
#[test]
fn irq_matching_on_64_cpus() {
    let fx = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/odd");
    let tmp = std::env::temp_dir().join(format!("netpath-64cpu-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(tmp.join("proc/net")).unwrap();
    fs::copy(fx.join("interrupts_64cpu"), tmp.join("proc/interrupts")).unwrap();
    fs::copy(fx.join("softnet_13col"), tmp.join("proc/net/softnet_stat")).unwrap();
    for i in ["rigb0", "rigb-test0", "eth1"] {
        let d = tmp.join(format!("sys/class/net/{i}/statistics"));
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("rx_packets"), "7\n").unwrap();
    }
    let src = Sources::at(&tmp);
    let build = |iface: &str| {
        let s = Snapshot::take(&src, &[iface.to_string()]);
        report::build(&s, &absolute(&s.flatten()), false)
    };

    let r = build("rigb0");
    let irq = stage(&r.rx_path, "hard_irq_rx");
    assert_eq!(irq.per_queue.len(), 4);
    assert_eq!(irq.total, Counter::of(100 + 200 + 300 + 400 + 4 * 63));
    assert_eq!(irq.per_cpu.len(), 64);
    assert_eq!(items(&irq.per_cpu)["cpu16"], Some(200 + 3));
    assert_eq!(items(&irq.per_cpu)["cpu1"], Some(4));
    assert_eq!(irq.details.len(), 1, "the link vector irq 124");
    assert_eq!(stage(&r.tx_path, "tx_completion_irq").total, irq.total);
    // softnet: CPU 1 is offline, the second line is CPU 2.
    let sn = stage(&r.rx_path, "napi_softnet");
    assert_eq!(items(&sn.per_cpu)["cpu2"], Some(1000));
    assert_eq!(sn.total, Counter::of(123456 + 1000));
    // Missing sources: n/a, with the reason kept.
    assert_eq!(stage(&r.rx_path, "ip_rx").total, Counter::NA);
    assert_eq!(r.unavailable.len(), 4, "{:?}", r.unavailable);
    let text = render::text(&r);
    assert!(
        text.contains("\n              cpu56=4 cpu57=4 cpu58=4"),
        "8 CPUs per line"
    );

    let r = build("rigb-test0");
    let irq = stage(&r.rx_path, "hard_irq_rx");
    let v = items(&irq.per_queue);
    assert_eq!(v.len(), 1);
    assert_eq!(v["irq 130 rigb-test0-TxRx-0"], Some(42));
    assert_eq!(items(&irq.per_cpu)["cpu63"], Some(42));

    let r = build("eth1");
    let irq = stage(&r.rx_path, "hard_irq_rx");
    assert!(irq.per_queue.is_empty(), "{:?}", irq.per_queue);
    assert_eq!(irq.total, Counter::NA);
    fs::remove_dir_all(&tmp).unwrap();
}

/// An interface of this namespace that /sys does not show (sysfs mounted
/// for another netns): the error says how to fix it.
#[test]
fn interface_hidden_by_foreign_sysfs() {
    let tmp = std::env::temp_dir().join(format!("netpath-netns-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    copy_dir(&pair_dir().join("after"), &tmp);
    fs::write(
        tmp.join("proc/net/dev"),
        "Inter-|   Receive\n face |bytes\n    lo: 1 2 3\nghost-0: 0 0 0\n",
    )
    .unwrap();
    let src = Sources::at(&tmp);
    let e = src.interfaces(&["ghost-0".to_string()]).unwrap_err();
    assert!(e.to_string().contains("ip netns exec"), "{e}");
    let e = src.interfaces(&["ghost-1".to_string()]).unwrap_err();
    assert!(e.to_string().contains("does not exist"), "{e}");
    fs::remove_dir_all(&tmp).unwrap();
}
