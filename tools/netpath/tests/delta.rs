// SPDX-License-Identifier: GPL-2.0
//! Delta computation: plain differences, counters that went down (reset,
//! never an underflow), gauges, keys that appear or disappear, sums.

use std::collections::BTreeMap;

use netpath::delta::{absolute, delta, delta_maps, is_gauge, Counter};

fn map(kv: &[(&str, u64)]) -> BTreeMap<String, u64> {
    kv.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn plain_difference() {
    assert_eq!(delta(Some(10), Some(25)), Counter::of(15));
    assert_eq!(delta(Some(7), Some(7)), Counter::of(0));
    assert_eq!(delta(Some(u64::MAX - 1), Some(u64::MAX)), Counter::of(1));
}

#[test]
fn counter_that_went_down_is_a_reset_not_an_underflow() {
    let c = delta(Some(500), Some(20));
    assert_eq!(c.value, Some(20));
    assert!(c.reset);
    let c = delta(Some(u64::MAX), Some(0));
    assert_eq!(c.value, Some(0));
    assert!(c.reset);
    assert!(c.is_nonzero(), "a reset is always reported");
}

#[test]
fn missing_values() {
    assert_eq!(delta(Some(1), None), Counter::NA);
    assert_eq!(delta(None, None), Counter::NA);
    let appeared = delta(None, Some(9));
    assert_eq!(appeared.value, Some(9));
    assert!(appeared.reset);
}

#[test]
fn maps() {
    let before = map(&[
        ("if/eth0/sys/rx_packets", 100),
        ("if/veth-a/sys/rx_packets", 500),
        ("sockstat/TCP/inuse", 4),
        ("softnet/cpu0/backlog_len", 9),
        ("snmp/Tcp/CurrEstab", 3),
        ("irq/40/cpu0", 1),
    ]);
    let after = map(&[
        ("if/eth0/sys/rx_packets", 160),
        ("if/veth-a/sys/rx_packets", 20),
        ("sockstat/TCP/inuse", 2),
        ("softnet/cpu0/backlog_len", 1),
        ("snmp/Tcp/CurrEstab", 1),
        ("irq/41/cpu0", 5),
    ]);
    let d = delta_maps(&before, &after);
    assert_eq!(d["if/eth0/sys/rx_packets"], Counter::of(60));
    assert_eq!(d["if/veth-a/sys/rx_packets"].value, Some(20));
    assert!(d["if/veth-a/sys/rx_packets"].reset);
    // Gauges show the value after, never a (negative) difference.
    assert_eq!(d["sockstat/TCP/inuse"], Counter::of(2));
    assert_eq!(d["softnet/cpu0/backlog_len"], Counter::of(1));
    assert_eq!(d["snmp/Tcp/CurrEstab"], Counter::of(1));
    // Gone: n/a. New: counted from zero, flagged.
    assert_eq!(d["irq/40/cpu0"], Counter::NA);
    assert_eq!(d["irq/41/cpu0"].value, Some(5));
    assert!(d["irq/41/cpu0"].reset);
    assert_eq!(d.len(), 7);
}

#[test]
fn gauges() {
    assert!(is_gauge("sockstat/sockets/used"));
    assert!(is_gauge("softnet/cpu3/backlog_len"));
    assert!(!is_gauge("softnet/cpu3/processed"));
    assert!(!is_gauge("snmp/Tcp/InSegs"));
}

#[test]
fn absolute_values() {
    let a = absolute(&map(&[("x", 3)]));
    assert_eq!(a["x"], Counter::of(3));
}

#[test]
fn sums() {
    assert_eq!(Counter::sum([Counter::NA, Counter::NA]), Counter::NA);
    assert_eq!(Counter::sum([]), Counter::NA);
    assert_eq!(
        Counter::sum([Counter::of(2), Counter::NA, Counter::of(5)]),
        Counter::of(7)
    );
    let r = Counter::sum([
        Counter::of(2),
        Counter {
            value: Some(1),
            reset: true,
        },
    ]);
    assert_eq!(r.value, Some(3));
    assert!(r.reset);
    assert_eq!(
        Counter::sum([Counter::of(u64::MAX), Counter::of(1)]),
        Counter::of(u64::MAX)
    );
}
