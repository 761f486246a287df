// SPDX-License-Identifier: GPL-2.0
//! How counter and IRQ names map onto the path: per-queue driver
//! statistics, IRQ vectors of an interface, their direction, and which
//! counters count losses.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Rx,
    Tx,
}

/// Recognises per-queue driver statistics: `rx_queue_3_packets`,
/// `tx_queue_0_bytes` (igb, virtio before 6.x) and `rx3_packets`
/// (virtio_net, mlx5). Returns the direction, queue and field.
pub fn queue_stat(name: &str) -> Option<(Dir, u32, &str)> {
    let (dir, rest) = if let Some(r) = name.strip_prefix("rx") {
        (Dir::Rx, r)
    } else if let Some(r) = name.strip_prefix("tx") {
        (Dir::Tx, r)
    } else {
        return None;
    };
    let rest = rest.strip_prefix("_queue_").unwrap_or(rest);
    let digits = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let q: u32 = rest[..digits].parse().ok()?;
    let field = rest[digits..].strip_prefix('_')?;
    if field.is_empty() {
        return None;
    }
    Some((dir, q, field))
}

/// True when `needle` occurs in `hay` as a whole token: the characters
/// around it are not letters or digits (so `eth1` does not match
/// `eth10-rx`, but `rigb0` matches `rigb0-TxRx-0`).
pub fn contains_token(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let mut start = 0;
    while let Some(pos) = hay[start..].find(needle) {
        let a = start + pos;
        let b = a + needle.len();
        let before_ok = hay[..a]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        let after_ok = hay[b..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        if before_ok && after_ok {
            return true;
        }
        start = a + needle.len().max(1);
        if start > hay.len() {
            break;
        }
    }
    false
}

/// Direction of an IRQ vector from its name: `TxRx` vectors serve both.
pub fn irq_dirs(name: &str) -> (bool, bool) {
    let l = name.to_ascii_lowercase();
    let rx = l.contains("rx") || l.contains("input");
    let tx = l.contains("tx") || l.contains("output");
    (rx, tx)
}

pub fn is_loss_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    [
        "drop",
        "miss",
        "no_buf",
        "nobuf",
        "err",
        "fail",
        "overflow",
        "timeout",
        "discard",
        "squeeze",
        "lost",
        "nohandler",
    ]
    .iter()
    .any(|w| l.contains(w))
}

/// Protocol counters that count packets lost or refused.
pub const SNMP_LOSSES: &[(&str, &str)] = &[
    ("Ip", "InHdrErrors"),
    ("Ip", "InAddrErrors"),
    ("Ip", "InUnknownProtos"),
    ("Ip", "InDiscards"),
    ("Ip", "OutDiscards"),
    ("Ip", "OutNoRoutes"),
    ("Ip", "ReasmFails"),
    ("Ip", "FragFails"),
    ("IpExt", "InNoRoutes"),
    ("IpExt", "InTruncatedPkts"),
    ("IpExt", "InCsumErrors"),
    ("Icmp", "InErrors"),
    ("Icmp", "OutErrors"),
    ("Tcp", "InErrs"),
    ("Tcp", "InCsumErrors"),
    ("Tcp", "AttemptFails"),
    ("Udp", "NoPorts"),
    ("Udp", "InErrors"),
    ("Udp", "RcvbufErrors"),
    ("Udp", "SndbufErrors"),
    ("Udp", "InCsumErrors"),
    ("Udp", "MemErrors"),
    ("TcpExt", "ListenOverflows"),
    ("TcpExt", "ListenDrops"),
    ("TcpExt", "TCPBacklogDrop"),
    ("TcpExt", "TCPRcvQDrop"),
    ("TcpExt", "TCPZeroWindowDrop"),
    ("TcpExt", "TCPOFODrop"),
    ("TcpExt", "TCPReqQFullDrop"),
    ("TcpExt", "TCPReqQFullDoCookies"),
    ("TcpExt", "TCPDeferAcceptDrop"),
    ("TcpExt", "TCPMinTTLDrop"),
    ("TcpExt", "PFMemallocDrop"),
    ("TcpExt", "PruneCalled"),
    ("TcpExt", "RcvPruned"),
    ("TcpExt", "OfoPruned"),
    ("TcpExt", "TCPAbortOnMemory"),
    ("TcpExt", "TCPTimeWaitOverflow"),
    ("TcpExt", "TCPRetransFail"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_names() {
        assert_eq!(
            queue_stat("rx_queue_12_packets"),
            Some((Dir::Rx, 12, "packets"))
        );
        assert_eq!(queue_stat("tx3_kicks"), Some((Dir::Tx, 3, "kicks")));
        assert_eq!(queue_stat("rx_packets"), None);
        assert_eq!(queue_stat("rx_queue_x_packets"), None);
        assert_eq!(queue_stat("rx5"), None);
    }

    #[test]
    fn token_match() {
        assert!(contains_token("rigb0-TxRx-0", "rigb0"));
        assert!(!contains_token("eth10-rx", "eth1"));
        assert!(contains_token("x eth10 eth1", "eth1"));
        assert!(contains_token(
            "PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0",
            "0000:00:03.0"
        ));
        assert!(!contains_token("veth-a1", "veth-a"));
        assert!(contains_token("veth-a-rx", "veth-a"));
        assert!(!contains_token("", "x"));
    }

    #[test]
    fn irq_directions() {
        assert_eq!(irq_dirs("rigb0-TxRx-0"), (true, true));
        assert_eq!(irq_dirs("virtio2-input.0"), (true, false));
        assert_eq!(irq_dirs("virtio2-output.0"), (false, true));
        assert_eq!(irq_dirs("rigb0"), (false, false));
    }
}
