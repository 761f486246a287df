// SPDX-License-Identifier: GPL-2.0

//! Register map of the 82576, with the datasheet's names.
//!
//! Offsets are into BAR0 (82576 datasheet, section 8: "Programming Interface"). Fields are
//! described by [`Field`] (a bit range) instead of bare shifts and masks; a field whose range
//! does not fit in 32 bits fails to compile.
//!
//! This file is `core`-only: it is also built into the host unit tests.

/// Size of the register window (BAR0) the driver needs.
pub(crate) const BAR0_SIZE: usize = 0x2_0000;

/// A bit field `hi:lo` (inclusive) of a 32-bit register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    shift: u32,
    width: u32,
}

impl Field {
    /// The field of bits `hi` down to `lo`. Panics (at compile time, in a `const`) if the range
    /// is empty or does not fit a 32-bit register.
    pub(crate) const fn new(hi: u32, lo: u32) -> Self {
        assert!(hi >= lo && hi < 32, "field out of range");
        Self {
            shift: lo,
            width: hi - lo + 1,
        }
    }

    /// The mask of the field in place.
    pub(crate) const fn mask(self) -> u32 {
        (u32::MAX >> (32 - self.width)) << self.shift
    }

    /// The largest value the field holds.
    pub(crate) const fn max(self) -> u32 {
        u32::MAX >> (32 - self.width)
    }

    /// The field's value in `reg`.
    pub(crate) const fn get(self, reg: u32) -> u32 {
        (reg & self.mask()) >> self.shift
    }

    /// Whether a one-bit field is set in `reg`.
    pub(crate) const fn is_set(self, reg: u32) -> bool {
        reg & self.mask() != 0
    }

    /// `reg` with the field replaced by `value`, or `None` if `value` does not fit.
    pub(crate) const fn try_set(self, reg: u32, value: u32) -> Option<u32> {
        if value > self.max() {
            return None;
        }
        Some((reg & !self.mask()) | (value << self.shift))
    }

    /// `reg` with the field replaced by `value`, which must fit: checked at compile time when
    /// used in a `const`, truncated to the field otherwise (use [`Field::try_set`] for run-time
    /// values that may not fit).
    pub(crate) const fn set(self, reg: u32, value: u32) -> u32 {
        (reg & !self.mask()) | ((value << self.shift) & self.mask())
    }

    /// The field set to `value` in an otherwise zero register.
    pub(crate) const fn val(self, value: u32) -> u32 {
        self.set(0, value)
    }
}

/// Declares a register: its offset (or per-queue offsets) and its named fields.
macro_rules! register {
    (
        $(#[$doc:meta])* $name:ident @ $offset:literal
        $({ $($(#[$fdoc:meta])* $field:ident : $hi:literal : $lo:literal),* $(,)? })?
    ) => {
        $(#[$doc])*
        #[expect(non_snake_case)]
        pub(crate) mod $name {
            #[allow(unused_imports, reason = "not every register has fields")]
            use super::Field;

            /// Offset in BAR0.
            pub(crate) const OFFSET: usize = $offset;
            $($(
                $(#[$fdoc])*
                #[allow(dead_code, reason = "the register map is complete, the driver uses part of it")]
                pub(crate) const $field: Field = Field::new($hi, $lo);
            )*)?
        }
    };
    (
        $(#[$doc:meta])* $name:ident @ $base:literal + $stride:literal * n, max $count:literal
        $({ $($(#[$fdoc:meta])* $field:ident : $hi:literal : $lo:literal),* $(,)? })?
    ) => {
        $(#[$doc])*
        #[expect(non_snake_case)]
        pub(crate) mod $name {
            #[allow(unused_imports, reason = "not every register has fields")]
            use super::Field;

            /// Number of instances.
            #[allow(dead_code, reason = "the register map is complete, the driver uses part of it")]
            pub(crate) const COUNT: usize = $count;

            /// Offset in BAR0 of instance `n`, `None` if `n >= COUNT`.
            #[allow(dead_code, reason = "the register map is complete, the driver uses part of it")]
            pub(crate) const fn offset(n: usize) -> Option<usize> {
                if n < $count {
                    Some($base + $stride * n)
                } else {
                    None
                }
            }
            $($(
                $(#[$fdoc])*
                #[allow(dead_code, reason = "the register map is complete, the driver uses part of it")]
                pub(crate) const $field: Field = Field::new($hi, $lo);
            )*)?
        }
    };
}

register!(
    /// Device Control (8.2.1).
    CTRL @ 0x0000 {
        /// Full duplex.
        FD: 0:0,
        /// GIO master disable: stop issuing DMA.
        GIO_MASTER_DISABLE: 2:2,
        /// Set link up.
        SLU: 6:6,
        /// Speed selection when forced: 0 = 10, 1 = 100, 2 = 1000 Mb/s.
        SPEED: 9:8,
        /// Force speed (from `SPEED`, not the PHY).
        FRCSPD: 11:11,
        /// Force duplex (from `FD`, not the PHY).
        FRCDPX: 12:12,
        /// Device reset (self-clearing).
        RST: 26:26,
        /// Receive flow control enable: honour received pause frames.
        RFCE: 27:27,
        /// Transmit flow control enable: send pause frames.
        TFCE: 28:28,
        /// VLAN mode enable: strip 802.1Q tags of received frames into the descriptor.
        VME: 30:30,
        /// PHY reset.
        PHY_RST: 31:31,
    }
);

register!(
    /// Device Status (8.2.2).
    STATUS @ 0x0008 {
        /// Full duplex.
        FD: 0:0,
        /// Link up.
        LU: 1:1,
        /// Link speed: 0 = 10, 1 = 100, 2 or 3 = 1000 Mb/s.
        SPEED: 7:6,
        /// GIO master enable status: DMA may be in flight.
        GIO_MASTER_ENABLE: 19:19,
    }
);

register!(
    /// Extended Device Control (8.2.3).
    CTRL_EXT @ 0x0018 {
        /// Driver loaded.
        DRV_LOAD: 28:28,
    }
);

register!(
    /// MDI Control: PHY register access (8.2.4).
    MDIC @ 0x0020 {
        /// Data.
        DATA: 15:0,
        /// PHY register address.
        REGADD: 20:16,
        /// PHY address.
        PHYADD: 25:21,
        /// Opcode: 1 = write, 2 = read.
        OP: 27:26,
        /// Ready: the access completed.
        READY: 28:28,
        /// Error.
        E: 30:30,
    }
);

register!(
    /// EEPROM/Flash Control (8.2.6).
    EECD @ 0x0010 {
        /// NVM present.
        PRES: 8:8,
        /// NVM size: 2^(SIZE + 6) 16-bit words.
        SIZE: 14:11,
    }
);

register!(
    /// Flow Control Address Low (8.2.8): the pause frame destination address.
    FCAL @ 0x0028
);
register!(
    /// Flow Control Address High.
    FCAH @ 0x002C
);
register!(
    /// Flow Control Type: the pause frame EtherType.
    FCT @ 0x0030
);
register!(
    /// VLAN EtherType (8.2.10): the ethertype that marks a tagged frame.
    VET @ 0x0038 {
        /// The 802.1Q ethertype (0x8100).
        VET: 15:0,
    }
);
register!(
    /// Flow Control Transmit Timer Value: pause time sent in XOFF frames (8.2.11).
    FCTTV @ 0x0170
);
register!(
    /// LED Control (8.2.12); LED0 is the link/activity LED.
    LEDCTL @ 0x0E00 {
        /// LED0 mode (0xE: on, 0xF: off).
        LED0_MODE: 3:0,
        /// LED0 blink.
        LED0_BLINK: 7:7,
    }
);
register!(
    /// Flow Control Receive Threshold Low (8.10.4).
    FCRTL @ 0x2160 {
        /// Threshold, in bytes (multiple of 16).
        RTL: 15:4,
        /// Send XON when the packet buffer drains below the threshold.
        XONE: 31:31,
    }
);
register!(
    /// Flow Control Receive Threshold High: send XOFF above this packet buffer fill.
    FCRTH @ 0x2168 {
        /// Threshold, in bytes (multiple of 16).
        RTH: 15:4,
    }
);

register!(
    /// EEPROM Read (8.2.5).
    EERD @ 0x0014 {
        /// Start read.
        START: 0:0,
        /// Read done.
        DONE: 1:1,
        /// Word address.
        ADDR: 15:2,
        /// Read data.
        DATA: 31:16,
    }
);

register!(
    /// Interrupt Cause Read; cleared on read with GPIE.NSICR (8.8.1).
    ICR @ 0x00C0 {
        /// Transmit descriptor written back.
        TXDW: 0:0,
        /// Link status change.
        LSC: 2:2,
        /// Receive descriptor minimum threshold.
        RXDMT0: 4:4,
        /// Receiver overrun.
        RXO: 6:6,
        /// Receiver timer.
        RXDW: 7:7,
    }
);

register!(
    /// Interrupt Mask Set/Read (8.8.3); same fields as ICR.
    IMS @ 0x00D0
);

register!(
    /// Interrupt Mask Clear (8.8.4).
    IMC @ 0x00D8
);

register!(
    /// Receive Control (8.10.1).
    RCTL @ 0x0100 {
        /// Receiver enable.
        EN: 1:1,
        /// Store bad packets.
        SBP: 2:2,
        /// Unicast promiscuous.
        UPE: 3:3,
        /// Multicast promiscuous.
        MPE: 4:4,
        /// Long packet enable.
        LPE: 5:5,
        /// Broadcast accept.
        BAM: 15:15,
        /// VLAN filter enable: tagged frames pass only if their id is set in [`VFTA`].
        VFE: 18:18,
        /// Strip Ethernet CRC.
        SECRC: 26:26,
    }
);

register!(
    /// Transmit Control (8.12.1).
    TCTL @ 0x0400 {
        /// Transmit enable.
        EN: 1:1,
        /// Pad short packets.
        PSP: 3:3,
        /// Collision threshold.
        CT: 11:4,
        /// Collision distance.
        COLD: 21:12,
    }
);

register!(
    /// General Purpose Interrupt Enable (8.8.13).
    GPIE @ 0x1514 {
        /// Non-selective interrupt clear on read of ICR.
        NSICR: 0:0,
        /// MSI-X mode.
        MULTIPLE_MSIX: 4:4,
        /// Extended interrupt auto-mask enable.
        EIAME: 30:30,
        /// PBA support.
        PBA_SUPPORT: 31:31,
    }
);

register!(
    /// Extended Interrupt Cause Set (8.8.5): one bit per MSI-X vector.
    EICS @ 0x1520
);
register!(
    /// Extended Interrupt Mask Set/Read (8.8.6).
    EIMS @ 0x1524
);
register!(
    /// Extended Interrupt Mask Clear (8.8.7).
    EIMC @ 0x1528
);
register!(
    /// Extended Interrupt Auto Clear (8.8.8): EICR bits cleared when the vector fires.
    EIAC @ 0x152C
);
register!(
    /// Extended Interrupt Auto Mask (8.8.9).
    EIAM @ 0x1530
);
register!(
    /// Extended Interrupt Cause Read (8.8.10).
    EICR @ 0x1580
);

register!(
    /// Extended Interrupt Throttle, per vector (8.8.12).
    EITR @ 0x1680 + 4 * n, max 25 {
        /// Interval, in 1 us units (bits 14:2).
        INTERVAL: 14:2,
    }
);

register!(
    /// Interrupt Vector Allocation, one register per queue pair `n & 7` (8.8.15).
    IVAR0 @ 0x1700 + 4 * n, max 8 {
        /// Vector of RX queue n (n < 8).
        RX_LO: 4:0,
        /// Valid bit for `RX_LO`.
        RX_LO_VALID: 7:7,
        /// Vector of TX queue n (n < 8).
        TX_LO: 12:8,
        /// Valid bit for `TX_LO`.
        TX_LO_VALID: 15:15,
        /// Vector of RX queue n + 8.
        RX_HI: 20:16,
        /// Valid bit for `RX_HI`.
        RX_HI_VALID: 23:23,
        /// Vector of TX queue n + 8.
        TX_HI: 28:24,
        /// Valid bit for `TX_HI`.
        TX_HI_VALID: 31:31,
    }
);

register!(
    /// Interrupt Vector Allocation for other causes (8.8.16).
    IVAR_MISC @ 0x1740 {
        /// Vector of the TCP timer.
        TCP_TIMER: 4:0,
        /// Valid bit for `TCP_TIMER`.
        TCP_TIMER_VALID: 7:7,
        /// Vector of the other causes (link status change, ...).
        OTHER: 12:8,
        /// Valid bit for `OTHER`.
        OTHER_VALID: 15:15,
    }
);

register!(
    /// Receive Descriptor Base Address Low, per queue (8.10.5).
    RDBAL @ 0xC000 + 0x40 * n, max 16
);
register!(
    /// Receive Descriptor Base Address High, per queue.
    RDBAH @ 0xC004 + 0x40 * n, max 16
);
register!(
    /// Receive Descriptor Ring Length in bytes (multiple of 128), per queue.
    RDLEN @ 0xC008 + 0x40 * n, max 16
);
register!(
    /// Split and Replication Receive Control, per queue (8.10.2).
    SRRCTL @ 0xC00C + 0x40 * n, max 16 {
        /// Packet buffer size in 1 KiB units.
        BSIZEPACKET: 6:0,
        /// Header buffer size in 64-byte units.
        BSIZEHEADER: 11:8,
        /// Descriptor type: 1 = advanced, one buffer.
        DESCTYPE: 27:25,
        /// Drop packets when no descriptor is available.
        DROP_EN: 31:31,
    }
);
register!(
    /// Receive Descriptor Head, per queue.
    RDH @ 0xC010 + 0x40 * n, max 16
);
register!(
    /// Receive Descriptor Tail, per queue.
    RDT @ 0xC018 + 0x40 * n, max 16
);
register!(
    /// Receive Descriptor Control, per queue (8.10.10).
    RXDCTL @ 0xC028 + 0x40 * n, max 16 {
        /// Prefetch threshold.
        PTHRESH: 4:0,
        /// Host threshold.
        HTHRESH: 12:8,
        /// Write-back threshold.
        WTHRESH: 20:16,
        /// Queue enable.
        ENABLE: 25:25,
    }
);
register!(
    /// Transmit Descriptor Base Address Low, per queue (8.12.9).
    TDBAL @ 0xE000 + 0x40 * n, max 16
);
register!(
    /// Transmit Descriptor Base Address High, per queue.
    TDBAH @ 0xE004 + 0x40 * n, max 16
);
register!(
    /// Transmit Descriptor Ring Length in bytes, per queue.
    TDLEN @ 0xE008 + 0x40 * n, max 16
);
register!(
    /// Transmit Descriptor Head, per queue.
    TDH @ 0xE010 + 0x40 * n, max 16
);
register!(
    /// Transmit Descriptor Tail, per queue.
    TDT @ 0xE018 + 0x40 * n, max 16
);
register!(
    /// Transmit Descriptor Control, per queue (8.12.15).
    TXDCTL @ 0xE028 + 0x40 * n, max 16 {
        /// Prefetch threshold.
        PTHRESH: 4:0,
        /// Host threshold.
        HTHRESH: 12:8,
        /// Write-back threshold.
        WTHRESH: 20:16,
        /// Queue enable.
        ENABLE: 25:25,
    }
);

register!(
    /// Receive Checksum Control (8.10.15).
    RXCSUM @ 0x5000 {
        /// IP checksum offload.
        IPOFLD: 8:8,
        /// TCP/UDP checksum offload.
        TUOFLD: 9:9,
        /// Packet checksum disable: report the RSS hash instead.
        PCSD: 13:13,
    }
);

register!(
    /// Receive Long Packet Maximum Length, in bytes (8.10.16): with RCTL.LPE, longer frames
    /// are dropped.
    RLPML @ 0x5004
);

register!(
    /// Multicast Table Array, 128 registers (8.10.14).
    MTA @ 0x5200 + 4 * n, max 128
);

register!(
    /// System Time Register Low (8.17.9): SYSTIM bits 31:0; reading it latches SYSTIMH.
    SYSTIML @ 0xB600
);
register!(
    /// System Time Register High: SYSTIM bits 63:32, as latched by the last SYSTIML read.
    SYSTIMH @ 0xB604
);
register!(
    /// Increment Attributes (8.17.11): SYSTIM grows by INCVALUE every INCPERIOD x 16 ns.
    TIMINCA @ 0xB608 {
        /// Increment value.
        INCVALUE: 23:0,
        /// Increment period, in 16 ns ticks.
        INCPERIOD: 31:24,
    }
);

register!(
    /// VLAN Filter Table Array, word n (8.10.19): bit `vid % 32` of word `vid / 32` lets
    /// frames tagged with VLAN id `vid` through while RCTL.VFE is set.
    VFTA @ 0x5600 + 4 * n, max 128
);

register!(
    /// Receive Address Low, filter n (8.10.12): MAC bytes 0..4, little endian.
    RAL @ 0x5400 + 8 * n, max 16
);
register!(
    /// Receive Address High, filter n (8.10.13): MAC bytes 4..6, little endian.
    RAH @ 0x5404 + 8 * n, max 16 {
        /// MAC address bytes 4 and 5.
        RAH: 15:0,
        /// Address valid.
        AV: 31:31,
    }
);

register!(
    /// Multiple Receive Queues Command (8.10.17).
    MRQC @ 0x5818 {
        /// Multiple receive queues: 2 = RSS.
        MRQ_ENABLE: 2:0,
        /// Hash TCP over IPv4.
        RSS_FIELD_IPV4_TCP: 16:16,
        /// Hash IPv4 addresses.
        RSS_FIELD_IPV4: 17:17,
        /// Hash TCP over IPv6.
        RSS_FIELD_IPV6_TCP: 21:21,
        /// Hash IPv6 addresses.
        RSS_FIELD_IPV6: 20:20,
        /// Hash UDP over IPv4.
        RSS_FIELD_IPV4_UDP: 22:22,
        /// Hash UDP over IPv6.
        RSS_FIELD_IPV6_UDP: 23:23,
    }
);

register!(
    /// Redirection Table: 32 registers of 4 one-byte entries (8.10.18).
    RETA @ 0x5C00 + 4 * n, max 32
);
register!(
    /// RSS Random Key: 10 registers, 40 bytes (8.10.19).
    RSSRK @ 0x5C80 + 4 * n, max 10
);

/// Statistics registers (8.19): clear on read, 32 bits unless split into L/H.
pub(crate) mod stats {
    /// CRC Error Count.
    pub(crate) const CRCERRS: usize = 0x4000;
    /// Alignment Error Count.
    pub(crate) const ALGNERRC: usize = 0x4004;
    /// Receive Error Count.
    pub(crate) const RXERRC: usize = 0x400C;
    /// Missed Packets Count (no room in the packet buffer).
    pub(crate) const MPC: usize = 0x4010;
    /// Receive Length Error Count.
    pub(crate) const RLEC: usize = 0x4040;
    /// Good Packets Received Count.
    pub(crate) const GPRC: usize = 0x4074;
    /// Broadcast Packets Received Count.
    pub(crate) const BPRC: usize = 0x4078;
    /// Multicast Packets Received Count.
    pub(crate) const MPRC: usize = 0x407C;
    /// Good Packets Transmitted Count.
    pub(crate) const GPTC: usize = 0x4080;
    /// Good Octets Received Count, low (reading H clears both).
    pub(crate) const GORCL: usize = 0x4088;
    /// Good Octets Received Count, high.
    pub(crate) const GORCH: usize = 0x408C;
    /// Good Octets Transmitted Count, low.
    pub(crate) const GOTCL: usize = 0x4090;
    /// Good Octets Transmitted Count, high.
    pub(crate) const GOTCH: usize = 0x4094;
    /// Receive No Buffers Count.
    pub(crate) const RNBC: usize = 0x40A0;
    /// Receive Undersize Count.
    pub(crate) const RUC: usize = 0x40A4;
    /// Receive Oversize Count.
    pub(crate) const ROC: usize = 0x40AC;
    /// Total Packets Received.
    pub(crate) const TPR: usize = 0x40D0;
    /// Total Packets Transmitted.
    pub(crate) const TPT: usize = 0x40D4;
}

/// IVAR/IVAR_MISC: vector numbers are 5 bits.
pub(crate) const MAX_MSIX_VECTORS: u32 = 25;
