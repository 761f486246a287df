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
    /// `olinfo_status`: descriptor done.
    pub(crate) const STA_DD: Field = Field::new(0, 0);
    /// `olinfo_status`: total payload length.
    pub(crate) const PAYLEN: Field = Field::new(31, 14);
    /// `DTYP` value of a data descriptor.
    pub(crate) const DTYP_DATA: u32 = 3;
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
    /// RSS type (in `pkt_info`); 0 = no hash.
    pub(crate) const RSS_TYPE: Field = Field::new(3, 0);
}

/// What the driver does with a written-back RX descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RxVerdict {
    /// The device has not written this descriptor yet.
    NotDone,
    /// A whole, good frame of `len` bytes; `csum_ok` when the hardware verified the L4
    /// checksum (and IPv4 header checksum, when present) without error.
    Frame {
        /// Length in bytes (within the buffer).
        len: usize,
        /// Hardware-verified checksum.
        csum_ok: bool,
        /// RSS hash, when the device computed one.
        hash: Option<u32>,
    },
    /// An error bit was set: drop and count as an RX error.
    Error,
    /// The length is 0 or larger than the buffer: drop and count as a length error.
    BadLength,
    /// Not the end of a packet (frame spans buffers, which the driver never configures): drop.
    Fragment,
}

impl AdvRxDescWb {
    /// Decodes a descriptor from the ring.
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
    pub(crate) const fn is_done(raw: RawDesc) -> bool {
        rxd::STAT_DD.is_set(Self::from_raw(raw).status_error)
    }

    /// Classifies the descriptor; `buf_len` is the size of the buffer the driver gave the
    /// device: a device-written length is never trusted beyond it.
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
        RxVerdict::Frame {
            len,
            csum_ok: l4_ok && ip_ok,
            hash,
        }
    }
}
