// SPDX-License-Identifier: GPL-2.0
//! Driver statistics through the `SIOCETHTOOL` ioctl, the same calls the
//! `ethtool -S` program makes:
//!
//! 1. `ETHTOOL_GSSET_INFO` for the number of `ETH_SS_STATS` strings
//!    (falling back to `ETHTOOL_GDRVINFO.n_stats` on drivers without it),
//! 2. `ETHTOOL_GSTRINGS` with `ETH_SS_STATS` for the names
//!    (`ETH_GSTRING_LEN` = 32 bytes each, NUL padded),
//! 3. `ETHTOOL_GSTATS` for the u64 values, in the same order.
//!
//! All `unsafe` code of the program lives in this module. The request
//! buffers are `Vec<u64>` (8-byte aligned as the kernel's `__u64 data[]`
//! needs) built and read back with safe byte conversions; only the
//! `socket`, `ioctl` and `close` calls are unsafe.
//!
//! This module also parses the text form `ethtool -S` prints, which the
//! tests and `--root` replay use as a stand-in for the ioctl.

use std::io;

use anyhow::{bail, Context, Result};

const SIOCETHTOOL: libc::c_ulong = 0x8946;
const ETHTOOL_GDRVINFO: u32 = 0x0000_0003;
const ETHTOOL_GSTRINGS: u32 = 0x0000_001b;
const ETHTOOL_GSTATS: u32 = 0x0000_001d;
const ETHTOOL_GSSET_INFO: u32 = 0x0000_0037;
const ETH_SS_STATS: u32 = 1;
const ETH_GSTRING_LEN: usize = 32;
const IFNAMSIZ: usize = 16;
/// Extra room in the reply buffers in case the driver's count grows
/// between the size query and the read: the kernel writes as many entries
/// as the driver reports at that moment, not as many as we asked for.
const SLACK: usize = 256;
/// `struct ethtool_drvinfo`: cmd, 5 x 32-byte strings, 12 reserved bytes,
/// then n_priv_flags, n_stats, testinfo_len, eedump_len, regdump_len.
const DRVINFO_LEN: usize = 4 + 5 * 32 + 12 + 5 * 4;
const DRVINFO_N_STATS_OFF: usize = 4 + 5 * 32 + 12 + 4;

/// One driver statistic: the name from `ETH_SS_STATS` and its value.
pub type Stat = (String, u64);

/// `struct ifreq` as the ethtool ioctl uses it: the name, then a pointer
/// to the request in the 24-byte union (padded to the kernel's size).
#[repr(C)]
struct IfReqData {
    name: [u8; IFNAMSIZ],
    data: *mut libc::c_void,
    _pad: [u8; 24 - std::mem::size_of::<*mut libc::c_void>()],
}

/// An owned datagram socket, closed on drop.
struct Sock(libc::c_int);

impl Sock {
    fn open() -> Result<Sock> {
        let mut last = io::Error::from_raw_os_error(libc::EAFNOSUPPORT);
        for family in [libc::AF_INET, libc::AF_INET6, libc::AF_PACKET] {
            // SAFETY: socket() takes plain integers and returns a new fd
            // or -1; no memory is shared with the kernel.
            let fd = unsafe { libc::socket(family, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
            if fd >= 0 {
                return Ok(Sock(fd));
            }
            last = io::Error::last_os_error();
        }
        Err(last).context("cannot open a socket for the ethtool ioctl")
    }
}

impl Drop for Sock {
    fn drop(&mut self) {
        // SAFETY: self.0 is a descriptor this struct opened and owns; it
        // is closed exactly once, here.
        unsafe {
            libc::close(self.0);
        }
    }
}

fn ifname_bytes(ifname: &str) -> Result<[u8; IFNAMSIZ]> {
    let b = ifname.as_bytes();
    if b.is_empty() || b.len() >= IFNAMSIZ || b.contains(&0) {
        bail!("'{ifname}' is not a valid interface name");
    }
    let mut out = [0u8; IFNAMSIZ];
    out[..b.len()].copy_from_slice(b);
    Ok(out)
}

/// Runs one SIOCETHTOOL request whose buffer is `buf` (first u32 = cmd).
fn ethtool_ioctl(sock: &Sock, ifname: &[u8; IFNAMSIZ], buf: &mut [u64]) -> io::Result<()> {
    let mut req = IfReqData {
        name: *ifname,
        data: buf.as_mut_ptr().cast(),
        _pad: [0; 24 - std::mem::size_of::<*mut libc::c_void>()],
    };
    // `buf` is sized by the callers for the largest reply the command can
    // write (header + the count the kernel reported + SLACK entries).
    // SAFETY: `req` is a live `struct ifreq` whose data pointer is `buf`.
    let rc = unsafe { libc::ioctl(sock.0, SIOCETHTOOL as _, &mut req as *mut IfReqData) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn words_from_u32s(vals: &[u32], total_words: usize) -> Vec<u64> {
    let mut bytes: Vec<u8> = vals.iter().flat_map(|v| v.to_ne_bytes()).collect();
    bytes.resize(total_words * 8, 0);
    bytes
        .chunks_exact(8)
        .map(|c| {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            u64::from_ne_bytes(a)
        })
        .collect()
}

fn words_to_bytes(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_ne_bytes()).collect()
}

fn u32_at(bytes: &[u8], off: usize) -> Option<u32> {
    let s = bytes.get(off..off + 4)?;
    Some(u32::from_ne_bytes([s[0], s[1], s[2], s[3]]))
}

fn n_stats(sock: &Sock, ifname: &[u8; IFNAMSIZ]) -> io::Result<usize> {
    // struct ethtool_sset_info { u32 cmd; u32 reserved; u64 sset_mask; u32 data[]; }
    let mut buf = words_from_u32s(&[ETHTOOL_GSSET_INFO, 0], 3);
    buf[1] = 1u64 << ETH_SS_STATS;
    match ethtool_ioctl(sock, ifname, &mut buf) {
        Ok(()) => {
            if buf[1] & (1u64 << ETH_SS_STATS) == 0 {
                return Ok(0);
            }
            let bytes = words_to_bytes(&buf);
            Ok(u32_at(&bytes, 16).unwrap_or(0) as usize)
        }
        Err(e) if e.raw_os_error() == Some(libc::EOPNOTSUPP) => {
            let words = DRVINFO_LEN.div_ceil(8);
            let mut buf = words_from_u32s(&[ETHTOOL_GDRVINFO], words);
            ethtool_ioctl(sock, ifname, &mut buf)?;
            let bytes = words_to_bytes(&buf);
            Ok(u32_at(&bytes, DRVINFO_N_STATS_OFF).unwrap_or(0) as usize)
        }
        Err(e) => Err(e),
    }
}

/// Splits an `ETH_SS_STATS` string table into names.
pub fn parse_gstrings(data: &[u8], n: usize) -> Vec<String> {
    data.chunks(ETH_GSTRING_LEN)
        .take(n)
        .map(|c| {
            let end = c.iter().position(|&b| b == 0).unwrap_or(c.len());
            String::from_utf8_lossy(&c[..end]).trim().to_string()
        })
        .collect()
}

/// Reads the driver statistics of `ifname` through SIOCETHTOOL. A driver
/// without statistics (e.g. `lo`) gives an empty list.
pub fn read_stats(ifname: &str) -> Result<Vec<Stat>> {
    let name = ifname_bytes(ifname)?;
    let sock = Sock::open()?;
    let n = match n_stats(&sock, &name) {
        Ok(n) => n,
        Err(e) if e.raw_os_error() == Some(libc::EOPNOTSUPP) => return Ok(Vec::new()),
        Err(e) => {
            return Err(e).with_context(|| format!("ethtool: cannot count statistics of {ifname}"))
        }
    };
    if n == 0 {
        return Ok(Vec::new());
    }
    let cap = n + SLACK;

    // struct ethtool_gstrings { u32 cmd; u32 string_set; u32 len; u8 data[]; }
    let words = (12 + cap * ETH_GSTRING_LEN).div_ceil(8);
    let mut buf = words_from_u32s(&[ETHTOOL_GSTRINGS, ETH_SS_STATS, n as u32], words);
    ethtool_ioctl(&sock, &name, &mut buf)
        .with_context(|| format!("ethtool: cannot read statistic names of {ifname}"))?;
    let bytes = words_to_bytes(&buf);
    let got = u32_at(&bytes, 8).unwrap_or(0) as usize;
    if got > cap {
        bail!("ethtool: {ifname} returned {got} names for {n} statistics");
    }
    let names = parse_gstrings(&bytes[12..], got);

    // struct ethtool_stats { u32 cmd; u32 n_stats; u64 data[]; }
    let mut buf = words_from_u32s(&[ETHTOOL_GSTATS, n as u32], 1 + cap);
    ethtool_ioctl(&sock, &name, &mut buf)
        .with_context(|| format!("ethtool: cannot read statistics of {ifname}"))?;
    let got_vals = u32_at(&words_to_bytes(&buf[..1]), 4).unwrap_or(0) as usize;
    if got_vals > cap {
        bail!("ethtool: {ifname} returned {got_vals} values for {n} statistics");
    }
    let count = names.len().min(got_vals);
    Ok(names
        .into_iter()
        .take(count)
        .zip(buf[1..].iter().copied())
        .collect())
}

/// Parses `ethtool -S IFACE` text output (`name: value` lines after a
/// `NIC statistics:` header). Used for fixtures and `--root` replay.
pub fn parse_text(text: &str) -> Result<Vec<Stat>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.ends_with("statistics:") || t == "no stats available" {
            continue;
        }
        let Some((name, val)) = t.rsplit_once(':') else {
            bail!("ethtool text: no ':' in '{t}'");
        };
        let Ok(v) = val.trim().parse::<u64>() else {
            bail!("ethtool text: {name}: '{}' is not a number", val.trim());
        };
        out.push((name.trim().to_string(), v));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gstrings_table() {
        let mut data = vec![0u8; 3 * ETH_GSTRING_LEN];
        data[..10].copy_from_slice(b"rx_packets");
        data[32..50].copy_from_slice(b"rx_queue_0_packets");
        // A full 32-byte name with no NUL.
        data[64..96].copy_from_slice(&[b'a'; 32]);
        let n = parse_gstrings(&data, 3);
        assert_eq!(n[0], "rx_packets");
        assert_eq!(n[1], "rx_queue_0_packets");
        assert_eq!(n[2].len(), 32);
        assert_eq!(parse_gstrings(&data, 1).len(), 1);
    }

    #[test]
    fn bad_names_rejected() {
        assert!(ifname_bytes("").is_err());
        assert!(ifname_bytes("0123456789abcdef").is_err());
        assert!(ifname_bytes("rigb-0").is_ok());
    }

    #[test]
    fn header_words_layout() {
        let w = words_from_u32s(&[ETHTOOL_GSTATS, 7], 2);
        let b = words_to_bytes(&w);
        assert_eq!(u32_at(&b, 0), Some(ETHTOOL_GSTATS));
        assert_eq!(u32_at(&b, 4), Some(7));
        assert_eq!(u32_at(&b, 8), Some(0));
        assert_eq!(b.len(), 16);
    }

    #[test]
    fn ioctl_on_missing_interface_fails_cleanly() {
        let e = read_stats("nosuchif9").unwrap_err();
        assert!(format!("{e:#}").contains("nosuchif9"), "{e:#}");
    }
}
