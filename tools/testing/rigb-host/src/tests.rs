// SPDX-License-Identifier: GPL-2.0

use crate::desc::*;
use crate::hw::{self, HwError, Regs};
use crate::regs::*;
use crate::ring::*;
use crate::stats::*;
use std::cell::RefCell;
use std::collections::HashMap;

// ---- register fields -------------------------------------------------------------------

#[test]
fn field_mask_get_set() {
    let f = Field::new(27, 25);
    assert_eq!(f.mask(), 0x0E00_0000);
    assert_eq!(f.max(), 7);
    assert_eq!(f.val(1), 0x0200_0000);
    assert_eq!(f.get(0x0A00_0000), 5);
    assert_eq!(f.set(0xFFFF_FFFF, 0), 0xF1FF_FFFF);
    assert_eq!(f.try_set(0, 8), None);
    assert_eq!(f.try_set(0, 7), Some(0x0E00_0000));
    // Out-of-range values are truncated by `set`, never spill into other fields.
    assert_eq!(f.set(0, 0xFF), 0x0E00_0000);
    let full = Field::new(31, 0);
    assert_eq!(full.mask(), u32::MAX);
    assert_eq!(full.get(0xDEAD_BEEF), 0xDEAD_BEEF);
}

#[test]
fn register_offsets() {
    assert_eq!(CTRL::OFFSET, 0);
    assert_eq!(RDBAL::offset(0), Some(0xC000));
    assert_eq!(RDT::offset(3), Some(0xC018 + 3 * 0x40));
    assert_eq!(TDT::offset(15), Some(0xE018 + 15 * 0x40));
    assert_eq!(TDT::offset(16), None);
    assert_eq!(RAH::offset(1), Some(0x540C));
    assert_eq!(RETA::offset(31), Some(0x5C7C));
    assert_eq!(RSSRK::offset(10), None);
    assert!(TDT::offset(15).unwrap() + 4 <= BAR0_SIZE);
    assert_eq!(SRRCTL::DESCTYPE.val(1) | SRRCTL::BSIZEPACKET.val(2), 0x0200_0002);
    assert_eq!(IVAR0::TX_LO_VALID.mask(), 0x8000);
    assert_eq!(GPIE::MULTIPLE_MSIX.mask(), 0x10);
    assert_eq!(RXDCTL::ENABLE.mask(), 0x0200_0000);
}

// ---- descriptors -----------------------------------------------------------------------

#[test]
fn tx_descriptor_encoding() {
    let d = AdvTxDesc::single(0x1234_5678_9000, 60).unwrap();
    // DTALEN 60 | DTYP 3 | EOP | IFCS | RS | DEXT
    assert_eq!(d.cmd_type_len, 60 | 0x0030_0000 | 0x0100_0000 | 0x0200_0000 | 0x0800_0000 | 0x2000_0000);
    assert_eq!(d.olinfo_status, 60 << 14);
    let raw = d.to_raw();
    assert_eq!(u64::from_le(raw[0]), 0x1234_5678_9000);
    assert_eq!(AdvTxDesc::from_raw(raw), d);
    assert!(!AdvTxDesc::is_done(raw));
    // Device write-back: DD in the status dword.
    let mut wb = d;
    wb.olinfo_status |= 1;
    assert!(AdvTxDesc::is_done(wb.to_raw()));
    assert_eq!(AdvTxDesc::single(0, 0), None);
    assert_eq!(AdvTxDesc::single(0, 0x1_0000), None);
    assert!(AdvTxDesc::single(0, 0xFFFF).is_some());
}

#[test]
fn tx_descriptor_bytes_are_little_endian() {
    let d = AdvTxDesc::single(0x0102_0304_0506_0708, 0x40).unwrap();
    let raw = d.to_raw();
    let bytes: Vec<u8> = raw.iter().flat_map(|q| q.to_ne_bytes()).collect();
    assert_eq!(&bytes[0..8], &[8, 7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(&bytes[8..10], &[0x40, 0]);
}

fn rx_wb(status: u32, len: u32, pkt_info: u32, hash: u32) -> RawDesc {
    AdvRxDescWb {
        pkt_info,
        rss_hash: hash,
        status_error: status,
        length_vlan: len,
    }
    .to_raw()
}

#[test]
fn rx_descriptor_verdicts() {
    let dd = 1;
    let eop = 2;
    let l4cs = 1 << 5;
    // Read format as the driver writes it is not "done".
    let read = AdvRxDescRead { pkt_addr: 0x1000, hdr_addr: 0 }.to_raw();
    assert!(!AdvRxDescWb::is_done(read));
    assert_eq!(AdvRxDescWb::from_raw(read).verdict(2048), RxVerdict::NotDone);

    let good = rx_wb(dd | eop | l4cs, 60, 0, 0);
    assert!(AdvRxDescWb::is_done(good));
    assert_eq!(
        AdvRxDescWb::from_raw(good).verdict(2048),
        RxVerdict::Frame(RxFrame { len: 60, csum_ok: true, hash: None, vlan: None })
    );
    // Length equal to the buffer is fine, one more byte is not.
    assert!(matches!(AdvRxDescWb::from_raw(rx_wb(dd | eop, 2048, 0, 0)).verdict(2048), RxVerdict::Frame(RxFrame { len: 2048, .. })));
    assert_eq!(AdvRxDescWb::from_raw(rx_wb(dd | eop, 2049, 0, 0)).verdict(2048), RxVerdict::BadLength);
    assert_eq!(AdvRxDescWb::from_raw(rx_wb(dd | eop, 0, 0, 0)).verdict(2048), RxVerdict::BadLength);
    // A hostile device can claim up to 65535 bytes.
    assert_eq!(AdvRxDescWb::from_raw(rx_wb(dd | eop, 0xFFFF, 0, 0)).verdict(2048), RxVerdict::BadLength);
    // Frame error bits drop the frame (CE, SE, SEQ, CXE, RXE).
    for bit in [24, 25, 26, 28, 31] {
        assert_eq!(AdvRxDescWb::from_raw(rx_wb(dd | eop | (1 << bit), 60, 0, 0)).verdict(2048), RxVerdict::Error);
    }
    // Checksum errors keep the frame but not the checksum claim.
    assert_eq!(
        AdvRxDescWb::from_raw(rx_wb(dd | eop | l4cs | (1 << 29), 60, 0, 0)).verdict(2048),
        RxVerdict::Frame(RxFrame { len: 60, csum_ok: false, hash: None, vlan: None })
    );
    assert_eq!(AdvRxDescWb::from_raw(rx_wb(dd, 60, 0, 0)).verdict(2048), RxVerdict::Fragment);
    // RSS hash reported when the RSS type is non-zero.
    assert_eq!(
        AdvRxDescWb::from_raw(rx_wb(dd | eop, 100, 1, 0xABCD)).verdict(2048),
        RxVerdict::Frame(RxFrame { len: 100, csum_ok: false, hash: Some(0xABCD), vlan: None })
    );
    // A stripped 802.1Q tag (VP) comes from the high half of `length_vlan`; without VP that
    // half is not a tag.
    let vp = 1 << 3;
    assert_eq!(
        AdvRxDescWb::from_raw(rx_wb(dd | eop | vp, (0x2064 << 16) | 60, 0, 0)).verdict(2048),
        RxVerdict::Frame(RxFrame { len: 60, csum_ok: false, hash: None, vlan: Some(0x2064) })
    );
    assert_eq!(
        AdvRxDescWb::from_raw(rx_wb(dd | eop, (0x2064 << 16) | 60, 0, 0)).verdict(2048),
        RxVerdict::Frame(RxFrame { len: 60, csum_ok: false, hash: None, vlan: None })
    );
}

// ---- ring index math -------------------------------------------------------------------

#[test]
fn ring_snapshot() {
    let r = RingIndex::at(256, 10, 250).unwrap();
    assert_eq!((r.next_to_use(), r.next_to_clean(), r.in_flight(), r.unused()), (10, 250, 16, 239));
    assert_eq!(RingIndex::at(256, 5, 5).unwrap().in_flight(), 0);
    assert!(RingIndex::at(256, 256, 0).is_none());
    assert!(RingIndex::at(256, 0, 300).is_none());
    assert!(RingIndex::at(255, 0, 0).is_none());
}

#[test]
fn ring_sizes() {
    assert!(RingIndex::new(256).is_some());
    // Any multiple of 8 in range, as the 82576 (and C igb) allow.
    assert!(RingIndex::new(200).is_some());
    assert!(RingIndex::new(72).is_some());
    assert!(RingIndex::new(4088).is_some());
    assert!(RingIndex::new(255).is_none());
    assert!(RingIndex::new(204).is_none());
    assert!(RingIndex::new(56).is_none());
    assert!(RingIndex::new(32).is_none());
    assert!(RingIndex::new(4104).is_none());
    assert!(RingIndex::new(8192).is_none());
    // Clamp to 64..=4096, then round up to a multiple of 8 (C igb_set_ringparam).
    assert_eq!(RingIndex::clamp_count(300), 304);
    assert_eq!(RingIndex::clamp_count(200), 200);
    assert_eq!(RingIndex::clamp_count(63), 64);
    assert_eq!(RingIndex::clamp_count(65), 72);
    assert_eq!(RingIndex::clamp_count(1), MIN_DESCS);
    assert_eq!(RingIndex::clamp_count(4095), MAX_DESCS);
    assert_eq!(RingIndex::clamp_count(100_000), MAX_DESCS);
    assert_eq!(RingIndex::clamp_count(1024), 1024);
    for n in 0..5000 {
        let c = RingIndex::clamp_count(n);
        assert!(RingIndex::new(c).is_some(), "clamp_count({n}) = {c} is not a valid size");
    }
    assert_eq!(len_bytes(256), 4096);
    assert_eq!(len_bytes(200) % 128, 0);
    assert_eq!(len_bytes(MIN_DESCS) % 128, 0);
}

#[test]
fn ring_wrap_not_power_of_two() {
    // 200 descriptors: masking with count - 1 would be wrong here.
    let mut r = RingIndex::new(200).unwrap();
    assert_eq!(r.unused(), 199);
    for i in 0..199 {
        assert_eq!(r.produce(), Some(i));
    }
    assert_eq!(r.produce(), None);
    assert_eq!(r.in_flight(), 199);
    for round in 0..1100u32 {
        assert_eq!(r.consume(), Some(round % 200));
        assert_eq!(r.produce(), Some((199 + round) % 200));
        assert_eq!(r.in_flight(), 199);
        assert_eq!(r.unused(), 0);
    }
    // Full, with next_to_use just below next_to_clean; then partly drained.
    assert_eq!((r.next_to_use(), r.next_to_clean()), (99, 100));
    for _ in 0..30 {
        r.consume();
    }
    assert_eq!(r.in_flight(), 169);
    assert_eq!(r.unused(), 30);
    assert_eq!(r.wrap_add(199, 1), 0);
    assert_eq!(r.wrap_add(150, 60), 10);
    assert_eq!(r.wrap_add(10, 200), 10);
    assert_eq!(r.wrap_add(199, 199), 198);
}

#[test]
fn ring_produce_consume_wrap() {
    let mut r = RingIndex::new(64).unwrap();
    assert!(r.is_empty());
    assert_eq!(r.unused(), 63);
    // Fill: one slot stays free.
    for i in 0..63 {
        assert_eq!(r.produce(), Some(i));
    }
    assert_eq!(r.produce(), None);
    assert_eq!(r.in_flight(), 63);
    assert_eq!(r.unused(), 0);
    // Drain some and wrap around many times.
    for round in 0..1000u32 {
        let c = r.consume().unwrap();
        assert_eq!(c, round % 64);
        let p = r.produce().unwrap();
        assert_eq!(p, (63 + round) % 64);
        assert_eq!(r.in_flight(), 63);
    }
    while r.consume().is_some() {}
    assert!(r.is_empty());
    assert_eq!(r.next_to_use(), r.next_to_clean());
    assert_eq!(r.wrap_add(63, 1), 0);
    assert_eq!(r.wrap_add(10, 64), 10);
}

/// The receive ring's buffers as `rx.rs` handles them (half pages that stay in place, a
/// descriptor slot owning a buffer number through `pass_buffer`), with pages coming and
/// going: each consumed frame reuses its page, or the page goes to the stack and a new one
/// is allocated (or not: the allocation fails and the slot is left for the refill). After
/// every step the owners are a permutation and every posted descriptor points at a buffer
/// that holds a page, the one it was posted with.
#[test]
fn rx_buffers_stay_in_place() {
    const N: usize = 64;
    let mut r = RingIndex::new(N as u32).unwrap();
    let mut owner: Vec<u16> = (0..N as u16).collect();
    let mut has_page = [false; N];
    // The buffer each posted descriptor was given (the device's view).
    let mut posted = [None::<u16>; N];
    let mut seed = 0x2545_f491_u32;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    // Post at next_to_use the buffer of slot `from` (rx.rs `post_half`).
    let post = |r: &mut RingIndex, owner: &mut Vec<u16>, posted: &mut [Option<u16>; N], from: usize| {
        let to = r.next_to_use() as usize;
        let b = owner[from];
        pass_buffer(owner, from, to);
        assert_eq!(owner[to], b);
        posted[to] = Some(b);
        r.produce().unwrap();
    };
    // Refill (rx.rs `post_new` and `spare_page`): allocation fails with `fail`.
    let refill = |r: &mut RingIndex,
                  owner: &mut Vec<u16>,
                  has_page: &mut [bool; N],
                  posted: &mut [Option<u16>; N],
                  fail: bool| {
        while r.unused() > 0 {
            let to = r.next_to_use() as usize;
            let b = usize::from(owner[to]);
            if !has_page[b] {
                if fail {
                    return;
                }
                has_page[b] = true;
            }
            post(r, owner, posted, to);
        }
    };
    refill(&mut r, &mut owner, &mut has_page, &mut posted, false);
    assert_eq!(r.in_flight(), N as u32 - 1);
    let mut failures = 0;
    for step in 0..20_000 {
        let roll = rnd() % 100;
        if r.in_flight() > 0 && roll < 90 {
            let s = r.consume().unwrap() as usize;
            let b = usize::from(owner[s]);
            assert_eq!(posted[s].take(), Some(owner[s]), "step {step}: slot {s} moved");
            assert!(has_page[b], "step {step}: posted buffer {b} without a page");
            if roll < 60 {
                // Reused in place (or a bad frame): posted again at once.
                post(&mut r, &mut owner, &mut posted, s);
            } else {
                // Went to the stack: a new page, unless the allocation fails.
                has_page[b] = false;
                if roll < 80 {
                    has_page[b] = true;
                    post(&mut r, &mut owner, &mut posted, s);
                } else {
                    failures += 1;
                }
            }
        } else {
            // The refill after the poll, failing now and then.
            refill(&mut r, &mut owner, &mut has_page, &mut posted, roll >= 97);
        }
        let mut seen = [false; N];
        for &b in &owner {
            assert!(!seen[usize::from(b)], "step {step}: buffer {b} owned twice");
            seen[usize::from(b)] = true;
        }
        for (d, p) in posted.iter().enumerate() {
            if let Some(b) = p {
                assert_eq!(owner[d], *b, "step {step}: descriptor {d} lost its buffer");
                assert!(has_page[usize::from(*b)]);
            }
        }
        assert_eq!(posted.iter().filter(|p| p.is_some()).count() as u32, r.in_flight());
    }
    assert!(failures > 100);
    refill(&mut r, &mut owner, &mut has_page, &mut posted, false);
    assert_eq!(r.in_flight(), N as u32 - 1);
}

// ---- statistics folding ----------------------------------------------------------------

#[test]
fn fold_keeps_wraps() {
    // A 32-bit clear-on-read counter read repeatedly: the total grows past 2^32.
    let mut total = 0u64;
    for _ in 0..5 {
        fold32(&mut total, u32::MAX);
    }
    assert_eq!(total, 5 * u64::from(u32::MAX));
    let mut octets = 0u64;
    fold64(&mut octets, 0xFFFF_FFFF, 1);
    fold64(&mut octets, 1, 0);
    assert_eq!(octets, 0x2_0000_0000);
}

#[test]
fn totals_from_queues_and_hw() {
    let rx = [RxQueueStats::default(), RxQueueStats::default()];
    let tx = [TxQueueStats::default(), TxQueueStats::default()];
    rx[0].packets.add(10);
    rx[0].bytes.add(1000);
    rx[1].packets.add(5);
    rx[1].bytes.add(500);
    rx[1].length_errors.inc();
    rx[0].errors.inc();
    rx[1].alloc_failed.add(2);
    tx[0].packets.add(7);
    tx[1].packets.add(3);
    tx[1].bytes.add(300);
    tx[0].dropped.inc();
    let hw = HwStats { mpc: 4, rnbc: 1, crcerrs: 2, mprc: 9, rlec: 1, ..Default::default() };
    let t = totals(rx.iter(), tx.iter(), &hw);
    assert_eq!(t.rx_packets, 15);
    assert_eq!(t.rx_bytes, 1500);
    assert_eq!(t.tx_packets, 10);
    assert_eq!(t.tx_bytes, 300);
    assert_eq!(t.tx_dropped, 1);
    assert_eq!(t.rx_dropped, 2);
    assert_eq!(t.rx_missed, 5);
    assert_eq!(t.rx_crc_errors, 2);
    assert_eq!(t.rx_length_errors, 2);
    assert_eq!(t.rx_errors, 1 + 1 + 2 + 1);
    assert_eq!(t.multicast, 9);
}

#[test]
fn poll_histogram_buckets() {
    let budget = 64;
    for (work, bucket) in [(0, 0), (1, 1), (7, 1), (8, 2), (31, 2), (32, 3), (63, 3), (64, 4)] {
        assert_eq!(poll_bucket(work, budget), bucket, "work {work}");
    }
    // A smaller budget: using all of it is the last bucket, whatever its size.
    assert_eq!(poll_bucket(16, 16), 4);
    assert_eq!(poll_bucket(1, 1), 4);
    let q = RxQueueStats::default();
    for work in [0, 0, 3, 40, 64, 12] {
        q.record_poll(work, budget);
    }
    let hist: Vec<u64> = q.poll_hist.iter().map(Counter::get).collect();
    assert_eq!(hist, [2, 1, 1, 1, 1]);
    // Every poll lands in exactly one bucket.
    assert_eq!(hist.iter().sum::<u64>(), 6);
    assert_eq!(q.poll_max.get(), 64);
}

#[test]
fn gauge_set_replaces() {
    let c = Counter::default();
    c.set(255);
    c.set(3);
    assert_eq!(c.get(), 3);
}

// ---- hardware layer against a simulated 82576 ------------------------------------------

/// A register file that behaves like the parts of the device the hw layer uses.
#[derive(Default)]
struct FakeDev {
    regs: RefCell<HashMap<usize, u32>>,
    phy: RefCell<HashMap<u32, u16>>,
    gone: bool,
    stuck_reset: bool,
    writes: RefCell<Vec<(usize, u32)>>,
}

impl Regs for FakeDev {
    fn read(&self, offset: usize) -> Option<u32> {
        if offset + 4 > BAR0_SIZE {
            return None;
        }
        if self.gone {
            return Some(u32::MAX);
        }
        Some(*self.regs.borrow().get(&offset).unwrap_or(&0))
    }

    fn write(&self, offset: usize, value: u32) -> bool {
        if offset + 4 > BAR0_SIZE {
            return false;
        }
        self.writes.borrow_mut().push((offset, value));
        let mut v = value;
        if offset == CTRL::OFFSET && CTRL::RST.is_set(value) && !self.stuck_reset {
            v &= !CTRL::RST.mask();
        }
        if offset == MDIC::OFFSET {
            let reg = MDIC::REGADD.get(value);
            match MDIC::OP.get(value) {
                1 => {
                    self.phy.borrow_mut().insert(reg, MDIC::DATA.get(value) as u16);
                }
                2 => {
                    let d = *self.phy.borrow().get(&reg).unwrap_or(&0);
                    v = MDIC::DATA.set(v, u32::from(d));
                }
                _ => {}
            }
            v |= MDIC::READY.mask();
        }
        if offset == EERD::OFFSET {
            let words = [0x5452u32, 0x1200, 0x5634];
            let w = words.get(EERD::ADDR.get(value) as usize).copied().unwrap_or(0);
            v = EERD::DATA.set(v, w) | EERD::DONE.mask();
        }
        self.regs.borrow_mut().insert(offset, v);
        true
    }
}

fn no_delay() -> impl FnMut(u32) {
    |_| {}
}

#[test]
fn reset_masks_irqs_and_waits_for_rst() {
    let dev = FakeDev::default();
    let mut waited = 0u64;
    let mut delay = |us: u32| waited += u64::from(us);
    hw::mac::reset(&dev, &mut delay).unwrap();
    let writes = dev.writes.borrow();
    assert!(writes.contains(&(IMC::OFFSET, u32::MAX)));
    assert!(writes.contains(&(EIMC::OFFSET, u32::MAX)));
    assert!(writes.iter().any(|&(o, v)| o == CTRL::OFFSET && CTRL::RST.is_set(v)));
    assert!(waited >= 11_000);
}

#[test]
fn reset_times_out_and_detects_gone_device() {
    let stuck = FakeDev { stuck_reset: true, ..Default::default() };
    assert_eq!(hw::mac::reset(&stuck, &mut no_delay()), Err(HwError::Timeout));
    let gone = FakeDev { gone: true, ..Default::default() };
    assert_eq!(hw::mac::reset(&gone, &mut no_delay()), Err(HwError::Gone));
    assert_eq!(hw::mac::link_status(&gone), Err(HwError::Gone));
}

#[test]
fn mac_address_from_rar0_or_nvm() {
    let dev = FakeDev::default();
    let mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
    hw::mac::write_rar(&dev, 0, &mac).unwrap();
    assert_eq!(dev.read(RAL::offset(0).unwrap()), Some(0x1200_5452));
    assert_eq!(dev.read(RAH::offset(0).unwrap()), Some(0x8000_5634));
    assert_eq!(hw::mac::read_perm_addr(&dev, &mut no_delay()), Ok(mac));
    // RAR0 invalid: the NVM words give the same address.
    let dev2 = FakeDev::default();
    assert_eq!(hw::mac::read_rar(&dev2, 0), Ok(None));
    assert_eq!(hw::mac::read_perm_addr(&dev2, &mut no_delay()), Ok(mac));
    assert!(!hw::mac::is_valid_ether_addr(&[1, 0, 0, 0, 0, 0]));
    assert!(!hw::mac::is_valid_ether_addr(&[0; 6]));
    assert_eq!(hw::mac::write_rar(&dev, 16, &mac), Err(HwError::Invalid));
}

#[test]
fn rar_clear_and_mta_hash() {
    let dev = FakeDev::default();
    let mac = [0x02, 0, 0, 0, 0x0b, 0x02];
    hw::mac::write_rar(&dev, 3, &mac).unwrap();
    assert_eq!(hw::mac::read_rar(&dev, 3), Ok(Some(mac)));
    hw::mac::clear_rar(&dev, 3).unwrap();
    assert_eq!(hw::mac::read_rar(&dev, 3), Ok(None));
    assert_eq!(dev.read(RAL::offset(3).unwrap()), Some(0));

    // MO = 0: hash = address bits 47:36. 01:00:5e:01:02:03 -> 0x030 -> MTA[1] bit 16.
    let g = [0x01, 0x00, 0x5e, 0x01, 0x02, 0x03];
    assert_eq!(hw::mac::MtaTable::hash(&g), (1, 16));
    // 33:33:00:00:00:01 (all-nodes IPv6) -> 0x010 -> MTA[0] bit 16.
    assert_eq!(hw::mac::MtaTable::hash(&[0x33, 0x33, 0, 0, 0, 1]), (0, 16));
    assert_eq!(hw::mac::MtaTable::hash(&[0, 0, 0, 0, 0xF0, 0xFF]), (127, 31));
    let mut t = hw::mac::MtaTable::new();
    assert!(!t.matches(&g));
    t.add(&g);
    assert!(t.matches(&g));
    // 01:00:5e:7f:7f:7f hashes to 0x7f7 -> a different bit: still filtered.
    assert!(!t.matches(&[0x01, 0x00, 0x5e, 0x7f, 0x7f, 0x7f]));
    t.write(&dev).unwrap();
    assert_eq!(dev.read(MTA::offset(1).unwrap()), Some(1 << 16));
    assert_eq!(dev.read(MTA::offset(0).unwrap()), Some(0));
}

#[test]
fn phy_link_setup_restarts_autoneg() {
    let dev = FakeDev::default();
    dev.phy.borrow_mut().insert(hw::phy::MII_BMCR, hw::phy::BMCR_SPEED1000 | hw::phy::BMCR_FULLDPLX);
    hw::phy::setup_link(&dev, &mut no_delay()).unwrap();
    let bmcr = dev.phy.borrow()[&hw::phy::MII_BMCR];
    assert_eq!(bmcr & hw::phy::BMCR_ANENABLE, hw::phy::BMCR_ANENABLE);
    assert_eq!(bmcr & hw::phy::BMCR_ANRESTART, hw::phy::BMCR_ANRESTART);
    assert!(CTRL::SLU.is_set(dev.read(CTRL::OFFSET).unwrap()));
    assert_eq!(hw::phy::read(&dev, 32, &mut no_delay()), Err(HwError::Invalid));
}

#[test]
fn link_status_decoding() {
    let s = hw::mac::LinkStatus::from_status(STATUS::LU.mask() | STATUS::FD.mask() | STATUS::SPEED.val(2));
    assert_eq!(s, hw::mac::LinkStatus { up: true, speed: 1000, full_duplex: true });
    let s = hw::mac::LinkStatus::from_status(STATUS::SPEED.val(1));
    assert_eq!(s, hw::mac::LinkStatus { up: false, speed: 100, full_duplex: false });
}

// ---- TX offloads: context descriptors, data descriptors, TSO header preparation ---------

#[test]
fn ctx_desc_checksum_encoding() {
    // TCP over IPv4, 14-byte MAC header, 20-byte IP header (values of the C driver's
    // E1000_ADVTXD_* constants).
    let c = AdvTxCtxDesc::checksum(14, 20, true, L4Type::Tcp).unwrap();
    assert_eq!(c.vlan_macip_lens, (14 << 9) | 20);
    assert_eq!(c.type_tucmd_mlhl, 0x2000_0000 | 0x0020_0000 | 0x0800 | 0x0400);
    assert_eq!(c.mss_l4len_idx, 0);
    assert_eq!(c.seqnum_seed, 0);
    // UDP over IPv6: L4T = 0, no IPV4 bit.
    let u = AdvTxCtxDesc::checksum(14, 40, false, L4Type::Udp).unwrap();
    assert_eq!(u.type_tucmd_mlhl, 0x2020_0000);
    assert_eq!(u.vlan_macip_lens, (14 << 9) | 40);
    // Byte layout in the ring: the four 32-bit words in order, little endian.
    let raw = c.to_raw();
    let bytes: Vec<u8> = raw.iter().flat_map(|q| q.to_ne_bytes()).collect();
    assert_eq!(&bytes[0..4], &((14u32 << 9) | 20).to_le_bytes());
    assert_eq!(&bytes[8..12], &0x2020_0C00u32.to_le_bytes());
    assert_eq!(AdvTxCtxDesc::from_raw(raw), c);
    // Out-of-range lengths.
    assert_eq!(AdvTxCtxDesc::checksum(0, 20, true, L4Type::Tcp), None);
    assert_eq!(AdvTxCtxDesc::checksum(128, 20, true, L4Type::Tcp), None);
    assert_eq!(AdvTxCtxDesc::checksum(14, 512, true, L4Type::Tcp), None);
    assert!(AdvTxCtxDesc::checksum(127, 511, true, L4Type::Tcp).is_some());
}

#[test]
fn ctx_desc_for_checksum() {
    // TCP/IPv4: csum_start 34, csum_offset 16.
    let c = AdvTxCtxDesc::for_checksum(14, 34, 16, 0x0800).unwrap();
    assert_eq!(c, AdvTxCtxDesc::checksum(14, 20, true, L4Type::Tcp).unwrap());
    // UDP/IPv6: csum_offset 6.
    let u = AdvTxCtxDesc::for_checksum(14, 54, 6, 0x86DD).unwrap();
    assert_eq!(u, AdvTxCtxDesc::checksum(14, 40, false, L4Type::Udp).unwrap());
    // SCTP (offset 8), unknown ethertype, inconsistent offsets: left to software.
    assert_eq!(AdvTxCtxDesc::for_checksum(14, 34, 8, 0x0800), None);
    assert_eq!(AdvTxCtxDesc::for_checksum(14, 34, 16, 0x8100), None);
    assert_eq!(AdvTxCtxDesc::for_checksum(34, 34, 16, 0x0800), None);
    assert_eq!(AdvTxCtxDesc::for_checksum(-2, 34, 16, 0x0800), None);
}

#[test]
fn ctx_desc_tso_encoding() {
    let t = AdvTxCtxDesc::tso(14, 20, true, 32, 1448).unwrap();
    assert_eq!(t.mss_l4len_idx, (1448 << 16) | (32 << 8));
    assert_eq!(t.type_tucmd_mlhl, 0x2020_0C00);
    assert_eq!(AdvTxCtxDesc::tso(14, 20, true, 0, 1448), None);
    assert_eq!(AdvTxCtxDesc::tso(14, 20, true, 256, 1448), None);
    assert_eq!(AdvTxCtxDesc::tso(14, 20, true, 20, 0), None);
}

#[test]
fn data_desc_pieces_and_offloads() {
    let none = TxOffload::default();
    // A middle piece: no EOP/RS, PAYLEN is the whole packet.
    let d = AdvTxDesc::data(0x1000, 100, 1514, false, none).unwrap();
    assert_eq!(d.cmd_type_len, 100 | 0x0030_0000 | 0x0200_0000 | 0x2000_0000);
    assert_eq!(d.olinfo_status, 1514 << 14);
    // The last piece asks for the write-back; identical to `single` without offloads.
    let last = AdvTxDesc::data(0x1000, 60, 60, true, none).unwrap();
    assert_eq!(last, AdvTxDesc::single(0x1000, 60).unwrap());
    // Checksum insertion: POPTS.TXSM; TSO: TSE, POPTS.TXSM and IXSM.
    let cs = TxOffload {
        l4_csum: true,
        ..TxOffload::default()
    };
    assert_eq!(AdvTxDesc::data(0, 60, 60, true, cs).unwrap().olinfo_status, (60 << 14) | 0x200);
    let tso = TxOffload {
        l4_csum: true,
        ip_csum: true,
        tso: true,
        vlan: false,
    };
    let t = AdvTxDesc::data(0, 66, 64000, true, tso).unwrap();
    assert_eq!(t.cmd_type_len & 0x8000_0000, 0x8000_0000);
    assert_eq!(t.olinfo_status, (64000 << 14) | 0x300);
    // VLAN insertion: VLE in the data descriptor, the tag in the context's top half.
    let vl = TxOffload {
        vlan: true,
        ..TxOffload::default()
    };
    assert_eq!(AdvTxDesc::data(0, 60, 60, true, vl).unwrap().cmd_type_len & 0x4000_0000, 0x4000_0000);
    assert_eq!(AdvTxDesc::data(0, 60, 60, true, none).unwrap().cmd_type_len & 0x4000_0000, 0);
    let v = AdvTxCtxDesc::vlan_only(0xE064);
    assert_eq!(v.vlan_macip_lens, 0xE064 << 16);
    assert_eq!(v.type_tucmd_mlhl, (2 << 20) | (1 << 29));
    let c = AdvTxCtxDesc::checksum(14, 20, true, L4Type::Tcp).unwrap();
    let cv = c.with_vlan(100);
    assert_eq!(cv.vlan_macip_lens, c.vlan_macip_lens | (100 << 16));
    assert_eq!((cv.type_tucmd_mlhl, cv.mss_l4len_idx), (c.type_tucmd_mlhl, c.mss_l4len_idx));
    // Limits: empty or oversized pieces, PAYLEN beyond 18 bits.
    assert_eq!(AdvTxDesc::data(0, 0, 60, true, none), None);
    assert_eq!(AdvTxDesc::data(0, 0x1_0000, 60, true, none), None);
    assert_eq!(AdvTxDesc::data(0, 60, 0x4_0000, true, tso), None);
    assert!(AdvTxDesc::data(0, 60, 0x3_FFFF, true, tso).is_some());
}

/// An Ethernet + IPv4 + TCP (32-byte header) frame head, 192.0.2.1 -> 192.0.2.2.
fn tcp4_head() -> Vec<u8> {
    let mut f = vec![0u8; 14 + 20 + 32];
    f[12..14].copy_from_slice(&[0x08, 0x00]);
    f[14] = 0x45;
    f[16..18].copy_from_slice(&1500u16.to_be_bytes());
    f[22] = 64;
    f[23] = 6;
    f[24..26].copy_from_slice(&[0xab, 0xcd]);
    f[26..30].copy_from_slice(&[192, 0, 2, 1]);
    f[30..34].copy_from_slice(&[192, 0, 2, 2]);
    f[34 + 12] = 8 << 4;
    f[34 + 16..34 + 18].copy_from_slice(&[0x12, 0x34]);
    f
}

#[test]
fn tso_prepare_ipv4() {
    let mut f = tcp4_head();
    let len = 66 + 10 * 1448 + 100;
    let p = crate::tso::prepare(&mut f, 14, 34, len, 1448).unwrap();
    assert_eq!(p.hdr_len, 66);
    assert_eq!(p.paylen, len - 66);
    assert_eq!(p.segs, 11);
    assert!(p.ipv4);
    assert_eq!(p.wire_bytes(), len - 66 + 11 * 66);
    assert_eq!(p.ctx, AdvTxCtxDesc::tso(14, 20, true, 32, 1448).unwrap());
    // IPv4 total length and header checksum cleared.
    assert_eq!(&f[16..18], &[0, 0]);
    assert_eq!(&f[24..26], &[0, 0]);
    // TCP checksum: the pseudo-header sum without the length:
    // 0xc000 + 0x0201 + 0xc000 + 0x0202 + 6 = 0x18409 -> 0x840a.
    assert_eq!(&f[50..52], &[0x84, 0x0a]);
    assert_eq!(crate::tso::fold(0x1_8409), 0x840a);
}

#[test]
fn tso_prepare_ipv6() {
    let mut f = vec![0u8; 14 + 40 + 20];
    f[12..14].copy_from_slice(&[0x86, 0xdd]);
    f[14] = 0x60;
    f[18..20].copy_from_slice(&1000u16.to_be_bytes());
    f[20] = 6;
    // 2001:db8::1 -> 2001:db8::2
    f[22..24].copy_from_slice(&[0x20, 0x01]);
    f[24..26].copy_from_slice(&[0x0d, 0xb8]);
    f[37] = 1;
    f[38..40].copy_from_slice(&[0x20, 0x01]);
    f[40..42].copy_from_slice(&[0x0d, 0xb8]);
    f[53] = 2;
    f[54 + 12] = 5 << 4;
    let p = crate::tso::prepare(&mut f, 14, 54, 74 + 3000, 1000).unwrap();
    assert!(!p.ipv4);
    assert_eq!((p.hdr_len, p.paylen, p.segs), (74, 3000, 3));
    assert_eq!(p.ctx, AdvTxCtxDesc::tso(14, 40, false, 20, 1000).unwrap());
    assert_eq!(&f[18..20], &[0, 0]);
    // 2 * 0x2001 + 2 * 0x0db8 + 1 + 2 + 6 = 0x5b7b.
    assert_eq!(&f[54 + 16..54 + 18], &[0x5b, 0x7b]);
}

#[test]
fn tso_prepare_rejects_without_touching() {
    // UDP instead of TCP.
    let mut f = tcp4_head();
    f[23] = 17;
    let before = f.clone();
    assert_eq!(crate::tso::prepare(&mut f, 14, 34, 5000, 1448), None);
    assert_eq!(f, before);
    // IP options make IHL disagree with the transport offset.
    let mut f = tcp4_head();
    assert_eq!(crate::tso::prepare(&mut f, 14, 38, 5000, 1448), None);
    // TCP header not all in the linear part.
    let mut f = tcp4_head();
    f.truncate(60);
    let before = f.clone();
    assert_eq!(crate::tso::prepare(&mut f, 14, 34, 5000, 1448), None);
    assert_eq!(f, before);
    // No payload, or MSS 0.
    let mut f = tcp4_head();
    assert_eq!(crate::tso::prepare(&mut f, 14, 34, 66, 1448), None);
    assert_eq!(crate::tso::prepare(&mut f, 14, 34, 5000, 0), None);
    // Not IP at all.
    let mut f = tcp4_head();
    f[14] = 0x00;
    assert_eq!(crate::tso::prepare(&mut f, 14, 34, 5000, 1448), None);
}

// ---- ethtool support: link modes, pause, NVM, register dump and test --------------------

#[test]
fn pause_advertisement_and_resolution() {
    use hw::phy::Pause;
    let full = Pause { rx: true, tx: true };
    let rx = Pause { rx: true, tx: false };
    let tx = Pause { rx: false, tx: true };
    let none = Pause { rx: false, tx: false };
    assert_eq!(full.advertise_bits(), 0x0400);
    assert_eq!(rx.advertise_bits(), 0x0C00);
    assert_eq!(tx.advertise_bits(), 0x0800);
    assert_eq!(none.advertise_bits(), 0);
    // IEEE 802.3 table 28B-3, against a symmetric and an asymmetric-only partner.
    assert_eq!(Pause::resolve(0x0400, 0x0400), full);
    assert_eq!(Pause::resolve(0x0C00, 0x0400), full);
    assert_eq!(Pause::resolve(0x0800, 0x0C00), tx);
    assert_eq!(Pause::resolve(0x0C00, 0x0800), rx);
    assert_eq!(Pause::resolve(0x0800, 0x0400), none);
    assert_eq!(Pause::resolve(0, 0x0C00), none);
}

#[test]
fn autoneg_advertises_and_force_sets_mac() {
    use hw::phy::{adv, Pause};
    let dev = FakeDev::default();
    let p = Pause { rx: true, tx: true };
    let (a, g) = hw::phy::advertise_regs(adv::ALL, p);
    assert_eq!(a, 0x01E1 | 0x0400);
    assert_eq!(g, 0x0200);
    assert_eq!(hw::phy::advertised_modes(a, g), adv::ALL);
    dev.write(CTRL::OFFSET, CTRL::FRCSPD.mask() | CTRL::FRCDPX.mask());
    hw::phy::start_autoneg(&dev, adv::T100_FULL | adv::T1000_FULL, p, &mut no_delay()).unwrap();
    assert_eq!(
        hw::phy::autoneg_state(&dev, &mut no_delay()),
        Ok((true, adv::T100_FULL | adv::T1000_FULL))
    );
    let ctrl = dev.read(CTRL::OFFSET).unwrap();
    assert!(!CTRL::FRCSPD.is_set(ctrl) && !CTRL::FRCDPX.is_set(ctrl));
    assert_eq!(hw::phy::start_autoneg(&dev, 0, p, &mut no_delay()), Err(HwError::Invalid));

    hw::phy::force_speed(&dev, 100, true, &mut no_delay()).unwrap();
    let bmcr = dev.phy.borrow()[&hw::phy::MII_BMCR];
    assert_eq!(bmcr, hw::phy::BMCR_SPEED100 | hw::phy::BMCR_FULLDPLX);
    let ctrl = dev.read(CTRL::OFFSET).unwrap();
    assert_eq!(CTRL::SPEED.get(ctrl), 1);
    assert!(CTRL::FRCSPD.is_set(ctrl) && CTRL::FRCDPX.is_set(ctrl) && CTRL::FD.is_set(ctrl));
    assert_eq!(hw::phy::restart_autoneg(&dev, &mut no_delay()), Err(HwError::Invalid));
    assert_eq!(hw::phy::force_speed(&dev, 1000, true, &mut no_delay()), Err(HwError::Invalid));
}

#[test]
fn nvm_size_bytes_and_checksum() {
    let dev = FakeDev::default();
    dev.write(EECD::OFFSET, EECD::SIZE.val(2) | EECD::PRES.mask());
    assert_eq!(hw::nvm::word_count(&dev), Ok(256));
    // The fake NVM holds the MAC in words 0..3: bytes come out little endian.
    let mut b = [0u8; 5];
    hw::nvm::read_bytes(&dev, 1, &mut b, &mut no_delay()).unwrap();
    assert_eq!(b, [0x54, 0x00, 0x12, 0x34, 0x56]);
    // 0x5452 + 0x1200 + 0x5634 + zeros does not sum to 0xBABA.
    assert_eq!(hw::nvm::checksum_ok(&dev, &mut no_delay()), Ok(false));
}

#[test]
fn register_dump_layout() {
    use hw::diag::*;
    assert_eq!(dump_offset(0), Some(CTRL::OFFSET));
    assert_eq!(dump_offset(5), Some(LEDCTL::OFFSET));
    assert_eq!(dump_offset(22), Some(MRQC::OFFSET));
    assert_eq!(dump_offset(DUMP_EITR0), EITR::offset(0));
    assert_eq!(dump_offset(DUMP_EITR0 + 4), EITR::offset(4));
    assert_eq!(dump_offset(29), None);
    assert_eq!(dump_offset(32), IVAR0::offset(0));
    assert_eq!(dump_offset(32 + 16 + 1), RDBAL::offset(1));
    assert_eq!(dump_offset(96), RETA::offset(0));
    assert_eq!(dump_offset(128), RSSRK::offset(0));
    assert_eq!(dump_offset(139), RAH::offset(0));
    assert_eq!(dump_offset(DUMP_WORDS), None);
    let dev = FakeDev::default();
    dev.write(EITR::offset(0).unwrap(), 0x1234);
    let mut out = vec![0u8; DUMP_WORDS * 4];
    dump(&dev, &mut out);
    let w = |i: usize| u32::from_ne_bytes(out[i * 4..i * 4 + 4].try_into().unwrap());
    assert_eq!(w(DUMP_EITR0), 0x1234);
}

#[test]
fn register_test_passes_and_restores() {
    let dev = FakeDev::default();
    let off = RDBAL::offset(15).unwrap();
    dev.write(off, 0xAB00);
    assert_eq!(hw::diag::reg_test(&dev), Ok(Ok(())));
    assert_eq!(dev.read(off), Some(0xAB00));
}

// ---- interrupt moderation ----------------------------------------------------------------

#[test]
fn itr_settings() {
    use crate::itr::*;
    for ok in [0, 1, 3, 10, 50, 8191] {
        assert!(is_valid(ok), "{ok}");
    }
    for bad in [2, 4, 9, 8192, u32::MAX] {
        assert!(!is_valid(bad), "{bad}");
    }
    assert_eq!(initial_itr(3), START_ITR);
    assert_eq!(initial_itr(1), START_ITR);
    assert_eq!(initial_itr(50), 200);
    // CNT_INGR (bit 31) is set in every value written.
    assert_eq!(eitr_value(initial_itr(50)), 200 | 1 << 31);
    assert_eq!(eitr_value(0), 1 << 31);
    assert_eq!(eitr_value(ITR_20K), 196 | 1 << 31);
    assert_eq!(eitr_value(769), 768 | 1 << 31);
}

#[test]
fn itr_adapts_to_frame_size() {
    use crate::itr::*;
    // Nothing handled: keep the interval.
    assert_eq!(next_itr(3, (0, 0), (0, 0)), None);
    // Full-size frames: (1514 + 24) / 2 = 769 quarter-us, ~192 us (bulk).
    assert_eq!(next_itr(3, (1514 * 100, 100), (66 * 50, 50)), Some(769));
    // TX TSO traffic counts as well: the larger average wins.
    assert_eq!(next_itr(1, (66 * 50, 50), (1514 * 10, 10)), Some(769));
    // Small frames: conservative mode stops at 20K interrupts/s, adaptive goes lower.
    assert_eq!(next_itr(3, (64 * 10, 10), (0, 0)), Some(ITR_20K));
    assert_eq!(next_itr(1, (64 * 10, 10), (0, 0)), Some(44));
    // Mid-size frames get a third.
    assert_eq!(next_itr(1, (576, 1), (0, 0)), Some(200));
    // Jumbo frames are capped at 3000 bytes on the wire.
    assert_eq!(next_itr(3, (9000, 1), (0, 0)), Some(1500));
}

#[test]
fn itr_vector_state() {
    use crate::itr::*;
    let v = VectorItr::default();
    assert_eq!(v.reset(3), eitr_value(START_ITR));
    // Fixed settings never change the interval.
    v.account(1514 * 10, 10, 0, 0);
    assert_eq!(v.update(50), None);
    v.reset(3);
    v.account(1514 * 10, 10, 0, 0);
    assert_eq!(v.update(3), Some(eitr_value(769)));
    // Same traffic again: unchanged, nothing to write.
    v.account(1514 * 10, 10, 0, 0);
    assert_eq!(v.update(3), None);
    // An idle poll keeps it; small ping-pong brings it back down.
    assert_eq!(v.update(3), None);
    v.account(98, 1, 98, 1);
    assert_eq!(v.update(3), Some(eitr_value(ITR_20K)));
}

#[test]
fn systim_time_counter() {
    use crate::hw::systim::{timinca, TimeCounter, INCVALUE};
    // Nominal TIMINCA: one period of 16 ns, increment 16 << 19 (C igb's 82576 values).
    assert_eq!(timinca(u64::from(INCVALUE)), (1 << 24) | (16 << 19));
    // The increment saturates at its 24-bit field.
    assert_eq!(timinca(1 << 30), (1 << 24) | 0xFF_FFFF);
    // SYSTIM counts 2^-19 ns: 1 s is 10^9 << 19.
    let mut tc = TimeCounter::new(5 << 19, 1_000);
    assert_eq!(tc.read((5 << 19) + (1_000_000_000u64 << 19)), 1_000_001_000);
    // Fractions of a nanosecond carry over to the next reading.
    let base = (5 << 19) + (1_000_000_000u64 << 19);
    assert_eq!(tc.read(base + (1 << 18)), 1_000_001_000);
    assert_eq!(tc.read(base + (1 << 19)), 1_000_001_001);
    // Steps move the time scale, both ways.
    tc.adjust(-1_001);
    assert_eq!(tc.read(base + (1 << 19)), 1_000_000_000);
    tc.adjust(100_000_000_000);
    assert_eq!(tc.read(base + (1 << 19)), 101_000_000_000);
    // SYSTIM wrapping past 2^64 keeps counting forward.
    let mut w = TimeCounter::new(u64::MAX - (1 << 19) + 1, 0);
    assert_eq!(w.read(1 << 19), 2);
}

#[test]
fn nvm_fw_version() {
    use crate::hw::nvm::FwVersion;
    // No EETRACK id: major.minor.build from word 5 (QEMU's image: 2.1.0, as igb shows it).
    assert_eq!(format!("{}", FwVersion::from_words(0x2010, 0, 0)), "2.1.0");
    assert_eq!(format!("{}", FwVersion::from_words(0x1234, 0xFFFF, 0x7FFF)), "1.35.4");
    // With one: the minor in decimal digits and the id.
    assert_eq!(format!("{}", FwVersion::from_words(0x1130, 0x5678, 0x8000)), "1.13, 0x80005678");
    assert_eq!(format!("{}", FwVersion::from_words(0x1013, 0x0001, 0x8001)), "1.13, 0x80010001");
}
