// SPDX-License-Identifier: GPL-2.0
//! Chapter 5 of the book on the live kernel: UDP over 127.0.0.1 goes
//! through lo's transmit and straight back into the receive softirq. The
//! viewer must see the datagrams at lo, IP and UDP, and no hard IRQ.

use std::net::UdpSocket;
use std::path::Path;

use netpath::delta::delta_maps;
use netpath::report::{self, Stage};
use netpath::snapshot::{Snapshot, Sources};

fn stage<'a>(stages: &'a [Stage], id: &str) -> &'a Stage {
    stages.iter().find(|s| s.id == id).unwrap()
}

#[test]
fn loopback_udp_is_seen_at_every_stage_without_hard_irqs() {
    if !Path::new("/sys/class/net/lo/statistics").exists() {
        return;
    }
    const N: u64 = 50;
    let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
    let dst = rx.local_addr().unwrap();
    let src = Sources::live();
    let ifaces = src.interfaces(&["lo".to_string()]).unwrap();
    let before = Snapshot::take(&src, &ifaces);
    let mut buf = [0u8; 64];
    for i in 0..N {
        tx.send_to(&[i as u8; 32], dst).unwrap();
        let (n, _) = rx.recv_from(&mut buf).unwrap();
        assert_eq!(n, 32);
    }
    let after = Snapshot::take(&src, &ifaces);
    let r = report::build(
        &after,
        &delta_maps(&before.flatten(), &after.flatten()),
        true,
    );

    let nic = stage(&r.rx_path, "nic_rx");
    assert!(nic.total.value.unwrap() >= N, "{:?}", nic.total);
    let drv_tx = stage(&r.tx_path, "driver_tx");
    assert!(drv_tx.total.value.unwrap() >= N);
    let irq = stage(&r.rx_path, "hard_irq_rx");
    assert_eq!(irq.total.value, None, "lo takes no hard IRQ");
    assert!(irq.per_queue.is_empty());
    if after.snmp.is_some() {
        let udp = stage(&r.rx_path, "transport_rx")
            .details
            .iter()
            .find(|i| i.label == "Udp InDatagrams")
            .unwrap();
        assert!(udp.counter.value.unwrap() >= N);
        assert!(stage(&r.tx_path, "ip_tx").total.value.unwrap() >= N);
    }
    if after.softnet.is_some() {
        // Loopback xmit queues to the backlog: processed counts them.
        assert!(stage(&r.rx_path, "napi_softnet").total.value.unwrap() >= N);
    }
    if after.softirqs.is_some() {
        assert!(stage(&r.rx_path, "softirq_net_rx").total.value.unwrap() >= 1);
    }
}
