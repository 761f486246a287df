// SPDX-License-Identifier: GPL-2.0

//! TCP segmentation offload: header preparation (datasheet 7.2.4).
//!
//! For a TSO packet the device repeats the headers in front of every segment and fixes up, per
//! segment, the IPv4 total length and header checksum, the IPv6 payload length, the TCP
//! sequence number, flags and checksum. The driver prepares the template headers the way the
//! device expects them: IPv4 total length and header checksum 0, IPv6 payload length 0, and
//! the TCP checksum field holding the pseudo-header sum *without* the length (the stack put
//! one with the whole packet's length there). `core`-only: also built into the host tests.

use crate::desc::AdvTxCtxDesc;

/// IP protocol number of TCP.
const IPPROTO_TCP: u8 = 6;
/// Length of the IPv6 header (extension headers are not offloaded).
const IPV6_HLEN: usize = 40;
/// Smallest TCP header.
const TCP_MIN_HLEN: usize = 20;

/// What the driver needs to describe a prepared TSO packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TsoPlan {
    /// The context descriptor (header lengths, MSS).
    pub(crate) ctx: AdvTxCtxDesc,
    /// Bytes of headers (MAC + IP + TCP), repeated in every segment.
    pub(crate) hdr_len: u32,
    /// TCP payload bytes of the whole packet (PAYLEN).
    pub(crate) paylen: u32,
    /// Number of segments the device sends.
    pub(crate) segs: u32,
    /// IPv4 (the device inserts the IP header checksum).
    pub(crate) ipv4: bool,
}

impl TsoPlan {
    /// Bytes the device puts on the wire (headers repeated per segment), without the FCS.
    pub(crate) const fn wire_bytes(&self) -> u32 {
        self.paylen + self.segs * self.hdr_len
    }
}

fn get<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

fn put(b: &mut [u8], at: usize, v: &[u8]) -> Option<()> {
    b.get_mut(at..at.checked_add(v.len())?)?.copy_from_slice(v);
    Some(())
}

/// Ones'-complement sum of big-endian 16-bit words, not folded.
fn sum16(b: &[u8]) -> u32 {
    b.chunks(2).fold(0u32, |s, w| {
        let hi = u32::from(w.first().copied().unwrap_or(0)) << 8;
        s + (hi | u32::from(w.get(1).copied().unwrap_or(0)))
    })
}

/// Folds a 32-bit ones'-complement sum to 16 bits.
pub(crate) fn fold(mut s: u32) -> u16 {
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    // CAST: folded to 16 bits above.
    s as u16
}

/// Prepares the headers of a TCP TSO packet in place and computes its descriptors.
///
/// `hdr` is the packet's linear part (writable, starting at the Ethernet header), `net_off`
/// and `l4_off` the offsets of the IP and TCP headers, `len` the whole packet's length, `mss`
/// the segment payload size. `None` (and `hdr` unchanged) if the packet is not TCP over IPv4
/// or IPv6 without extension headers, if its headers are not all in `hdr`, or if a value does
/// not fit the descriptors.
pub(crate) fn prepare(
    hdr: &mut [u8],
    net_off: usize,
    l4_off: usize,
    len: u32,
    mss: u16,
) -> Option<TsoPlan> {
    let [vhl] = get::<1>(hdr, net_off)?;
    let iplen = l4_off.checked_sub(net_off)?;
    let ipv4 = match vhl >> 4 {
        4 => {
            let [proto] = get::<1>(hdr, net_off + 9)?;
            if usize::from(vhl & 0xf) * 4 != iplen || proto != IPPROTO_TCP {
                return None;
            }
            true
        }
        6 => {
            let [next] = get::<1>(hdr, net_off + 6)?;
            if iplen != IPV6_HLEN || next != IPPROTO_TCP {
                return None;
            }
            false
        }
        _ => return None,
    };
    let [doff] = get::<1>(hdr, l4_off + 12)?;
    let l4len = usize::from(doff >> 4) * 4;
    let hdr_len = l4_off.checked_add(l4len)?;
    if l4len < TCP_MIN_HLEN || hdr_len > hdr.len() {
        return None;
    }
    let hdr_len = u32::try_from(hdr_len).ok()?;
    let paylen = len.checked_sub(hdr_len).filter(|&p| p > 0)?;
    let mss32 = u32::from(mss);
    let ctx = AdvTxCtxDesc::tso(
        u32::try_from(net_off).ok()?,
        u32::try_from(iplen).ok()?,
        ipv4,
        u32::try_from(l4len).ok()?,
        mss32,
    )?;
    // Addresses: IPv4 source and destination at 12..20, IPv6 at 8..40.
    let (addr_at, addr_len) = if ipv4 {
        (net_off + 12, 8)
    } else {
        (net_off + 8, 32)
    };
    let addrs = hdr.get(addr_at..addr_at + addr_len)?;
    let pseudo = fold(sum16(addrs) + u32::from(IPPROTO_TCP));
    // All checks passed: now write.
    if ipv4 {
        // Total length and header checksum: the device fills them in per segment.
        put(hdr, net_off + 2, &[0, 0])?;
        put(hdr, net_off + 10, &[0, 0])?;
    } else {
        // Payload length, likewise.
        put(hdr, net_off + 4, &[0, 0])?;
    }
    put(hdr, l4_off + 16, &pseudo.to_be_bytes())?;
    Some(TsoPlan {
        ctx,
        hdr_len,
        paylen,
        segs: paylen.div_ceil(mss32),
        ipv4,
    })
}
