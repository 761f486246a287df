// SPDX-License-Identifier: GPL-2.0

//! Advanced transmit and receive descriptors of the 82576 (datasheet 7.1.5, 7.2.2.3).
//!
//! Descriptors are 16 bytes, little endian, in a coherent DMA ring. The ring stores them as raw
//! `[u64; 2]`; this module encodes and decodes them, so that no other code deals with bit
//! positions. `core`-only: also built into the host unit tests.

/// Raw descriptor as stored in the ring: two little-endian quadwords.
pub(crate) type RawDesc = [u64; 2];

/// Size of one descriptor in bytes.
pub(crate) const DESC_SIZE: usize = 16;
const _: () = assert!(core::mem::size_of::<RawDesc>() == DESC_SIZE);
const _: () = assert!(core::mem::size_of::<AdvTxDesc>() == DESC_SIZE);
const _: () = assert!(core::mem::size_of::<AdvTxCtxDesc>() == DESC_SIZE);
const _: () = assert!(core::mem::size_of::<AdvRxDescRead>() == DESC_SIZE);
const _: () = assert!(core::mem::size_of::<AdvRxDescWb>() == DESC_SIZE);

/// Advanced transmit data descriptor, read format (7.2.2.3.2).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct AdvTxDesc {
    /// Buffer address.
    pub(crate) buffer_addr: u64,
    /// Command, type and length.
    pub(crate) cmd_type_len: u32,
    /// Offload info and status (DD written back here).
    pub(crate) olinfo_status: u32,
}

/// Fields of `cmd_type_len`.
pub(crate) mod txd {
    use crate::regs::Field;

    /// Buffer length.
    pub(crate) const DTALEN: Field = Field::new(15, 0);
    /// Descriptor type: 3 = advanced data.
    pub(crate) const DTYP: Field = Field::new(23, 20);
    /// End of packet.
    pub(crate) const EOP: Field = Field::new(24, 24);
    /// Insert FCS.
    pub(crate) const IFCS: Field = Field::new(25, 25);
    /// Report status: write DD back when done.
    pub(crate) const RS: Field = Field::new(27, 27);
    /// Descriptor extension (advanced format).
    pub(crate) const DEXT: Field = Field::new(29, 29);
    /// VLAN packet enable: insert the 802.1Q tag of the packet's context descriptor.
    pub(crate) const VLE: Field = Field::new(30, 30);
    /// TCP segmentation enable.
    pub(crate) const TSE: Field = Field::new(31, 31);
    /// `olinfo_status`: POPTS.IXSM, insert the IPv4 header checksum.
    pub(crate) const POPTS_IXSM: Field = Field::new(8, 8);
    /// `olinfo_status`: POPTS.TXSM, insert the TCP/UDP checksum.
    pub(crate) const POPTS_TXSM: Field = Field::new(9, 9);
    /// `olinfo_status`: descriptor done.
    pub(crate) const STA_DD: Field = Field::new(0, 0);
    /// `olinfo_status`: total payload length.
    pub(crate) const PAYLEN: Field = Field::new(31, 14);
    /// `DTYP` value of a data descriptor.
    pub(crate) const DTYP_DATA: u32 = 3;
    /// `DTYP` value of a context descriptor.
    pub(crate) const DTYP_CTXT: u32 = 2;
}

/// What the device inserts into a packet (from the context descriptor that precedes it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct TxOffload {
    /// Insert the TCP/UDP checksum (POPTS.TXSM).
    pub(crate) l4_csum: bool,
    /// Insert the IPv4 header checksum (POPTS.IXSM).
    pub(crate) ip_csum: bool,
    /// Segment the packet (TSE), with the MSS and header lengths of the context.
    pub(crate) tso: bool,
    /// Insert the 802.1Q tag of the context (VLE).
    pub(crate) vlan: bool,
}

/// Layer-4 protocol in a context descriptor (TUCMD.L4T).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum L4Type {
    /// UDP.
    Udp = 0,
    /// TCP.
    Tcp = 1,
}

/// Advanced transmit context descriptor (7.2.2.3.1, C `e1000_adv_tx_context_desc`): tells the
/// device where the headers of the following packet(s) are, for checksum insertion and TSO.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct AdvTxCtxDesc {
    /// IPLEN, MACLEN and VLAN tag.
    pub(crate) vlan_macip_lens: u32,
    /// Reserved (IPsec), 0.
    pub(crate) seqnum_seed: u32,
    /// TUCMD, DTYP and DEXT.
    pub(crate) type_tucmd_mlhl: u32,
    /// Context index, L4LEN and MSS.
    pub(crate) mss_l4len_idx: u32,
}

/// Fields of the context descriptor.
pub(crate) mod ctxd {
    use crate::regs::Field;

    /// `vlan_macip_lens`: length of the IP header (with options / extension headers).
    pub(crate) const IPLEN: Field = Field::new(8, 0);
    /// `vlan_macip_lens`: length of the MAC header (from the frame start to the IP header).
    pub(crate) const MACLEN: Field = Field::new(15, 9);
    /// `vlan_macip_lens`: the 802.1Q tag control information to insert (with data VLE).
    pub(crate) const VLAN: Field = Field::new(31, 16);
    /// `type_tucmd_mlhl`: TUCMD.IPV4, the packet is IPv4 (else IPv6).
    pub(crate) const TUCMD_IPV4: Field = Field::new(10, 10);
    /// `type_tucmd_mlhl`: TUCMD.L4T, the L4 protocol ([`super::L4Type`]).
    pub(crate) const TUCMD_L4T: Field = Field::new(12, 11);
    /// `type_tucmd_mlhl`: descriptor type, [`super::txd::DTYP_CTXT`].
    pub(crate) const DTYP: Field = Field::new(23, 20);
    /// `type_tucmd_mlhl`: descriptor extension (advanced format).
    pub(crate) const DEXT: Field = Field::new(29, 29);
    /// `mss_l4len_idx`: context index (one context per queue: always 0).
    pub(crate) const IDX: Field = Field::new(6, 4);
    /// `mss_l4len_idx`: length of the L4 header (TSO).
    pub(crate) const L4LEN: Field = Field::new(15, 8);
    /// `mss_l4len_idx`: maximum segment size (TSO).
    pub(crate) const MSS: Field = Field::new(31, 16);
}

impl AdvTxCtxDesc {
    /// A context for checksum insertion: the MAC header is `maclen` bytes, the IP header
    /// `iplen`, the L4 protocol `l4`. `None` if a length is 0 or does not fit its field.
    pub(crate) const fn checksum(maclen: u32, iplen: u32, ipv4: bool, l4: L4Type) -> Option<Self> {
        if maclen == 0 || maclen > ctxd::MACLEN.max() || iplen == 0 || iplen > ctxd::IPLEN.max() {
            return None;
        }
        let ipv4 = if ipv4 { ctxd::TUCMD_IPV4.mask() } else { 0 };
        Some(Self {
            vlan_macip_lens: ctxd::MACLEN.val(maclen) | ctxd::IPLEN.val(iplen),
            seqnum_seed: 0,
            type_tucmd_mlhl: ctxd::TUCMD_L4T.val(l4 as u32)
                | ipv4
                | ctxd::DTYP.val(txd::DTYP_CTXT)
                | ctxd::DEXT.mask(),
            mss_l4len_idx: 0,
        })
    }

    /// A context for TCP segmentation: as [`AdvTxCtxDesc::checksum`] for TCP, plus the TCP
    /// header length `l4len` and the segment payload size `mss`. `None` if a value is 0 or
    /// does not fit its field.
    pub(crate) const fn tso(
        maclen: u32,
        iplen: u32,
        ipv4: bool,
        l4len: u32,
        mss: u32,
    ) -> Option<Self> {
        if l4len == 0 || l4len > ctxd::L4LEN.max() || mss == 0 || mss > ctxd::MSS.max() {
            return None;
        }
        match Self::checksum(maclen, iplen, ipv4, L4Type::Tcp) {
            Some(mut c) => {
                c.mss_l4len_idx = ctxd::MSS.val(mss) | ctxd::L4LEN.val(l4len);
                Some(c)
            }
            None => None,
        }
    }

    /// The checksum context for a packet whose stack asked for checksum insertion
    /// (`CHECKSUM_PARTIAL`): `net_off` is the offset of the IP header in the frame, the
    /// checksum covers from `csum_start` on and goes `csum_offset` bytes further, `proto` is
    /// the ethertype. `None` if the device cannot do it: not TCP (`csum_offset` 16) or UDP
    /// (6) over IPv4 or IPv6, or header lengths that do not fit.
    pub(crate) const fn for_checksum(
        net_off: i32,
        csum_start: u16,
        csum_offset: u16,
        proto: u16,
    ) -> Option<Self> {
        let l4 = match csum_offset {
            16 => L4Type::Tcp,
            6 => L4Type::Udp,
            _ => return None,
        };
        let ipv4 = match proto {
            0x0800 => true,
            0x86DD => false,
            _ => return None,
        };
        if net_off <= 0 || net_off >= csum_start as i32 {
            return None;
        }
        // CAST: 0 < net_off < csum_start <= u16::MAX.
        let maclen = net_off as u32;
        Self::checksum(maclen, csum_start as u32 - maclen, ipv4, l4)
    }

    /// A context that only carries an 802.1Q tag, for a packet without checksum or
    /// segmentation offload.
    pub(crate) const fn vlan_only(tci: u16) -> Self {
        Self {
            vlan_macip_lens: ctxd::VLAN.val(tci as u32),
            seqnum_seed: 0,
            type_tucmd_mlhl: ctxd::DTYP.val(txd::DTYP_CTXT) | ctxd::DEXT.mask(),
            mss_l4len_idx: 0,
        }
    }

    /// This context with the 802.1Q tag `tci` to insert into its packets.
    pub(crate) const fn with_vlan(mut self, tci: u16) -> Self {
        self.vlan_macip_lens = ctxd::VLAN.set(self.vlan_macip_lens, tci as u32);
        self
    }

    /// Encodes the descriptor for the ring.
    pub(crate) const fn to_raw(self) -> RawDesc {
        [
            ((self.vlan_macip_lens as u64) | ((self.seqnum_seed as u64) << 32)).to_le(),
            ((self.type_tucmd_mlhl as u64) | ((self.mss_l4len_idx as u64) << 32)).to_le(),
        ]
    }

    /// Decodes a descriptor from the ring (used by tests to play the device).
    pub(crate) const fn from_raw(raw: RawDesc) -> Self {
        let lo = u64::from_le(raw[0]);
        let hi = u64::from_le(raw[1]);
        Self {
            vlan_macip_lens: lo as u32,
            seqnum_seed: (lo >> 32) as u32,
            type_tucmd_mlhl: hi as u32,
            mss_l4len_idx: (hi >> 32) as u32,
        }
    }
}

impl AdvTxDesc {
    /// A data descriptor for a whole packet in one buffer: `len` bytes at `addr`, end of
    /// packet, FCS inserted, status reported. `None` if `len` is 0 or does not fit 16 bits.
    pub(crate) const fn single(addr: u64, len: u32) -> Option<Self> {
        if len == 0 || len > txd::DTALEN.max() {
            return None;
        }
        let cmd = txd::DTALEN.val(len)
            | txd::DTYP.val(txd::DTYP_DATA)
            | txd::EOP.mask()
            | txd::IFCS.mask()
            | txd::RS.mask()
            | txd::DEXT.mask();
        Some(Self {
            buffer_addr: addr,
            cmd_type_len: cmd,
            olinfo_status: txd::PAYLEN.val(len),
        })
    }

    /// A data descriptor for one piece of a packet: `len` bytes at `addr`; `paylen` is the
    /// length of the whole packet, `eop` marks its last piece (which also asks for the DD
    /// write-back), `off` what the device inserts. `None` if `len` is 0 or does not fit 16
    /// bits, or `paylen` does not fit its 18 bits.
    pub(crate) const fn data(
        addr: u64,
        len: u32,
        paylen: u32,
        eop: bool,
        off: TxOffload,
    ) -> Option<Self> {
        if len == 0 || len > txd::DTALEN.max() || paylen > txd::PAYLEN.max() {
            return None;
        }
        let last = if eop {
            txd::EOP.mask() | txd::RS.mask()
        } else {
            0
        };
        let tse = if off.tso { txd::TSE.mask() } else { 0 };
        let vle = if off.vlan { txd::VLE.mask() } else { 0 };
        let cmd = txd::DTALEN.val(len)
            | txd::DTYP.val(txd::DTYP_DATA)
            | txd::IFCS.mask()
            | txd::DEXT.mask()
            | tse
            | vle
            | last;
        let l4 = if off.l4_csum {
            txd::POPTS_TXSM.mask()
        } else {
            0
        };
        let ip = if off.ip_csum {
            txd::POPTS_IXSM.mask()
        } else {
            0
        };
        Some(Self {
            buffer_addr: addr,
            cmd_type_len: cmd,
            olinfo_status: txd::PAYLEN.val(paylen) | l4 | ip,
        })
    }

    /// Encodes the descriptor for the ring.
    pub(crate) const fn to_raw(self) -> RawDesc {
        [
            self.buffer_addr.to_le(),
            ((self.cmd_type_len as u64) | ((self.olinfo_status as u64) << 32)).to_le(),
        ]
    }

    /// Decodes a descriptor from the ring.
    pub(crate) const fn from_raw(raw: RawDesc) -> Self {
        let hi = u64::from_le(raw[1]);
        Self {
            buffer_addr: u64::from_le(raw[0]),
            cmd_type_len: hi as u32,
            olinfo_status: (hi >> 32) as u32,
        }
    }

    /// Whether the device wrote the descriptor back (DD).
    pub(crate) const fn is_done(raw: RawDesc) -> bool {
        txd::STA_DD.is_set(Self::from_raw(raw).olinfo_status)
    }
}

/// Advanced receive descriptor, read format: what the driver gives the device (7.1.5.1).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct AdvRxDescRead {
    /// Packet buffer address.
    pub(crate) pkt_addr: u64,
    /// Header buffer address (unused: one buffer per packet); bit 0 doubles as DD, so 0.
    pub(crate) hdr_addr: u64,
}

impl AdvRxDescRead {
    /// Encodes the descriptor for the ring.
    pub(crate) const fn to_raw(self) -> RawDesc {
        [self.pkt_addr.to_le(), self.hdr_addr.to_le()]
    }
}

/// Advanced receive descriptor, write-back format: what the device returns (7.1.5.2).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct AdvRxDescWb {
    /// Packet type (low 16 bits) and header info.
    pub(crate) pkt_info: u32,
    /// RSS hash (with RXCSUM.PCSD) or IP id / checksum.
    pub(crate) rss_hash: u32,
    /// Extended status and errors.
    pub(crate) status_error: u32,
    /// Packet length (low 16 bits) and VLAN tag (high 16 bits).
    pub(crate) length_vlan: u32,
}

/// Fields of the RX write-back descriptor.
pub(crate) mod rxd {
    use crate::regs::Field;

    /// Descriptor done.
    pub(crate) const STAT_DD: Field = Field::new(0, 0);
    /// End of packet.
    pub(crate) const STAT_EOP: Field = Field::new(1, 1);
    /// VLAN stripped.
    pub(crate) const STAT_VP: Field = Field::new(3, 3);
    /// UDP checksum computed.
    pub(crate) const STAT_UDPCS: Field = Field::new(4, 4);
    /// TCP/UDP checksum computed.
    pub(crate) const STAT_L4CS: Field = Field::new(5, 5);
    /// IPv4 header checksum computed.
    pub(crate) const STAT_IPCS: Field = Field::new(6, 6);
    /// Frame errors (CE, SE, SEQ, CXE and RXE): the frame must be dropped.
    pub(crate) const ERR_FRAME_MASK: u32 = 0x9700_0000;
    /// TCP/UDP checksum error.
    pub(crate) const ERR_TCPE: Field = Field::new(29, 29);
    /// IPv4 checksum error.
    pub(crate) const ERR_IPE: Field = Field::new(30, 30);
    /// Packet length.
    pub(crate) const LENGTH: Field = Field::new(15, 0);
    /// The stripped 802.1Q tag (in `length_vlan`), valid with [`STAT_VP`].
    pub(crate) const VLAN: Field = Field::new(31, 16);
    /// RSS type (in `pkt_info`); 0 = no hash.
    pub(crate) const RSS_TYPE: Field = Field::new(3, 0);
}

/// What the device said about a whole, good frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RxFrame {
    /// Length in bytes (within the buffer).
    pub(crate) len: usize,
    /// The hardware verified the L4 checksum (and the IPv4 header checksum, when present)
    /// without error.
    pub(crate) csum_ok: bool,
    /// RSS hash, when the device computed one.
    pub(crate) hash: Option<u32>,
    /// The 802.1Q tag control information the device stripped (CTRL.VME), if any.
    pub(crate) vlan: Option<u16>,
}

/// What the driver does with a written-back RX descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RxVerdict {
    /// The device has not written this descriptor yet.
    NotDone,
    /// A whole, good frame.
    Frame(RxFrame),
    /// An error bit was set: drop and count as an RX error.
    Error,
    /// The length is 0 or larger than the buffer: drop and count as a length error.
    BadLength,
    /// Not the end of a packet (frame spans buffers, which the driver never configures): drop.
    Fragment,
}

impl AdvRxDescWb {
    /// Decodes a descriptor from the ring.
    #[inline]
    pub(crate) const fn from_raw(raw: RawDesc) -> Self {
        let lo = u64::from_le(raw[0]);
        let hi = u64::from_le(raw[1]);
        Self {
            pkt_info: lo as u32,
            rss_hash: (lo >> 32) as u32,
            status_error: hi as u32,
            length_vlan: (hi >> 32) as u32,
        }
    }

    /// Encodes the descriptor (used by tests to play the device).
    pub(crate) const fn to_raw(self) -> RawDesc {
        [
            ((self.pkt_info as u64) | ((self.rss_hash as u64) << 32)).to_le(),
            ((self.status_error as u64) | ((self.length_vlan as u64) << 32)).to_le(),
        ]
    }

    /// Whether the device wrote this descriptor back (DD). Read this first, then order the
    /// rest of the reads after it (`dma_rmb`) before calling [`AdvRxDescWb::verdict`].
    #[inline]
    pub(crate) const fn is_done(raw: RawDesc) -> bool {
        rxd::STAT_DD.is_set(Self::from_raw(raw).status_error)
    }

    /// Classifies the descriptor; `buf_len` is the size of the buffer the driver gave the
    /// device: a device-written length is never trusted beyond it.
    #[inline]
    pub(crate) const fn verdict(self, buf_len: usize) -> RxVerdict {
        let st = self.status_error;
        if !rxd::STAT_DD.is_set(st) {
            return RxVerdict::NotDone;
        }
        if st & rxd::ERR_FRAME_MASK != 0 {
            return RxVerdict::Error;
        }
        if !rxd::STAT_EOP.is_set(st) {
            return RxVerdict::Fragment;
        }
        let len = rxd::LENGTH.get(self.length_vlan) as usize;
        if len == 0 || len > buf_len {
            return RxVerdict::BadLength;
        }
        let l4_ok = rxd::STAT_L4CS.is_set(st) && !rxd::ERR_TCPE.is_set(st);
        let ip_ok = !rxd::ERR_IPE.is_set(st);
        let hash = if rxd::RSS_TYPE.get(self.pkt_info) != 0 {
            Some(self.rss_hash)
        } else {
            None
        };
        let vlan = if rxd::STAT_VP.is_set(st) {
            // CAST: a 16-bit field.
            Some(rxd::VLAN.get(self.length_vlan) as u16)
        } else {
            None
        };
        RxVerdict::Frame(RxFrame {
            len,
            csum_ok: l4_ok && ip_ok,
            hash,
            vlan,
        })
    }
}
