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
        RxVerdict::Frame { len: 60, csum_ok: true, hash: None }
    );
    // Length equal to the buffer is fine, one more byte is not.
    assert!(matches!(AdvRxDescWb::from_raw(rx_wb(dd | eop, 2048, 0, 0)).verdict(2048), RxVerdict::Frame { len: 2048, .. }));
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
        RxVerdict::Frame { len: 60, csum_ok: false, hash: None }
    );
    assert_eq!(AdvRxDescWb::from_raw(rx_wb(dd, 60, 0, 0)).verdict(2048), RxVerdict::Fragment);
    // RSS hash reported when the RSS type is non-zero.
    assert_eq!(
        AdvRxDescWb::from_raw(rx_wb(dd | eop, 100, 1, 0xABCD)).verdict(2048),
        RxVerdict::Frame { len: 100, csum_ok: false, hash: Some(0xABCD) }
    );
}

// ---- ring index math -------------------------------------------------------------------

#[test]
fn ring_sizes() {
    assert!(RingIndex::new(256).is_some());
    assert!(RingIndex::new(255).is_none());
    assert!(RingIndex::new(32).is_none());
    assert!(RingIndex::new(8192).is_none());
    assert_eq!(RingIndex::clamp_count(300), 256);
    assert_eq!(RingIndex::clamp_count(1), MIN_DESCS);
    assert_eq!(RingIndex::clamp_count(100_000), MAX_DESCS);
    assert_eq!(RingIndex::clamp_count(1024), 1024);
    assert_eq!(len_bytes(256), 4096);
    assert_eq!(len_bytes(MIN_DESCS) % 128, 0);
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
    r.reset();
    assert_eq!((r.next_to_use(), r.next_to_clean()), (0, 0));
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
