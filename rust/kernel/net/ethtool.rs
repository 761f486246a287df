// SPDX-License-Identifier: GPL-2.0

//! ethtool operations (`struct ethtool_ops`).
//!
//! C header: [`include/linux/ethtool.h`](srctree/include/linux/ethtool.h).
//!
//! Usage summary: the driver's private data type implements the `#[vtable]` trait
//! [`EthtoolOps`] (only the operations it supports) and calls
//! [`Registration::set_ethtool_ops`] before registering the device. All operations run in
//! process context with RTNL held. Buffers handed to the driver are bounded: a
//! [`Strings`] writer that truncates to `ETH_GSTRING_LEN` and stops at the count the
//! driver announced, and `&mut [u64]` slices whose length the core allocated. Requests the
//! driver may refuse with a reason carry an [`ExtAck`] for the message.

use super::dev::{Device, NetDeviceOps, Priv, Registration};
use super::rtnl_lock::Rtnl;
use crate::{bindings, error::*, prelude::*, str::CStr};
use core::{
    marker::PhantomData,
    mem::MaybeUninit,
    ops::{Deref, DerefMut},
    sync::atomic::Ordering,
};

/// `EOPNOTSUPP` ("Operation not supported"), the answer to a request a driver does not serve
/// (this kernel crate has no constant for it; `ENOTSUPP` is kernel-internal).
pub fn eopnotsupp() -> Error {
    Error::from_errno(-(bindings::EOPNOTSUPP as i32))
}

/// Length of one ethtool string (C `ETH_GSTRING_LEN`).
pub const GSTRING_LEN: usize = bindings::ETH_GSTRING_LEN as usize;

/// String sets (C `enum ethtool_stringset`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringSet {
    /// `ETH_SS_TEST`: names of the self-tests.
    Test,
    /// `ETH_SS_STATS`: names of the driver statistics.
    Stats,
    /// Any other set (the driver usually answers `EOPNOTSUPP`).
    Other(u32),
}

impl StringSet {
    fn from_raw(v: u32) -> Self {
        match v {
            bindings::ethtool_stringset_ETH_SS_TEST => Self::Test,
            bindings::ethtool_stringset_ETH_SS_STATS => Self::Stats,
            v => Self::Other(v),
        }
    }
}

/// Writes the strings of a set, one `ETH_GSTRING_LEN` slot each.
///
/// # Invariants
///
/// `buf` points to `cap * ETH_GSTRING_LEN` writable bytes; `n <= cap`.
pub struct Strings<'a> {
    buf: *mut u8,
    cap: usize,
    n: usize,
    _p: PhantomData<&'a mut [u8]>,
}

impl Strings<'_> {
    /// Appends a string, truncated to `ETH_GSTRING_LEN - 1` bytes. Strings beyond the
    /// announced count are ignored.
    pub fn push(&mut self, s: &CStr) {
        self.push_bytes(s.as_bytes());
    }

    /// Appends a string made of `prefix` and a number (e.g. `rx_queue_0_packets` from
    /// `b"rx_queue_"`, `0`, `b"_packets"`).
    pub fn push_indexed(&mut self, prefix: &[u8], index: u32, suffix: &[u8]) {
        let mut tmp = [0u8; GSTRING_LEN];
        let mut len = 0;
        let mut put = |b: u8| {
            if len < GSTRING_LEN - 1 {
                tmp[len] = b;
                len += 1;
            }
        };
        prefix.iter().for_each(|&b| put(b));
        let mut digits = [0u8; 10];
        let mut d = 0;
        let mut v = index;
        loop {
            // CAST: a decimal digit.
            digits[d] = b'0' + (v % 10) as u8;
            d += 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        digits[..d].iter().rev().for_each(|&b| put(b));
        suffix.iter().for_each(|&b| put(b));
        self.push_bytes(&tmp[..len]);
    }

    fn push_bytes(&mut self, s: &[u8]) {
        if self.n >= self.cap {
            return;
        }
        let len = s.len().min(GSTRING_LEN - 1);
        // SAFETY: Slot `n < cap` is inside the buffer by the type invariant.
        unsafe {
            let slot = self.buf.add(self.n * GSTRING_LEN);
            core::ptr::copy_nonoverlapping(s.as_ptr(), slot, len);
            core::ptr::write_bytes(slot.add(len), 0, GSTRING_LEN - len);
        }
        self.n += 1;
    }
}

/// A fixed list of `ethtool -S` names, one counter each: the answers of
/// [`EthtoolOps::get_sset_count`], [`EthtoolOps::get_strings`] and
/// [`EthtoolOps::get_ethtool_stats`] for a driver whose statistics are such a table (e.g. a
/// [`PerCpuCounters`](crate::percpu::PerCpuCounters) of the same length).
///
/// # Examples
///
/// ```
/// use kernel::{c_str, net::ethtool::StatsTable, percpu::PerCpuCounters};
///
/// const NAMES: StatsTable<2> = StatsTable::new([c_str!("sent"), c_str!("dropped")]);
/// let counters = PerCpuCounters::<2>::new()?;
/// counters.add(0, 7);
/// counters.inc(1);
/// let mut data = [0u64; 2];
/// NAMES.fill(&mut data, counters.sums());
/// assert_eq!(data, [7, 1]);
/// # Ok::<(), Error>(())
/// ```
pub struct StatsTable<const N: usize>([&'static CStr; N]);

impl<const N: usize> StatsTable<N> {
    /// The table of `names`, in the order of the counters [`Self::fill`] will be given.
    pub const fn new(names: [&'static CStr; N]) -> Self {
        Self(names)
    }

    /// The number of strings in `set`: `N` for [`StringSet::Stats`], else `EINVAL`.
    pub fn sset_count(&self, set: StringSet) -> Result<u32> {
        match set {
            StringSet::Stats => u32::try_from(N).map_err(|_| EINVAL),
            _ => Err(EINVAL),
        }
    }

    /// Writes the names if `set` is [`StringSet::Stats`].
    pub fn strings(&self, set: StringSet, out: &mut Strings<'_>) {
        if set == StringSet::Stats {
            self.0.iter().for_each(|n| out.push(n));
        }
    }

    /// Copies the counter values, in the order of the names, into `data` (as many as both
    /// hold).
    pub fn fill(&self, data: &mut [u64], values: [u64; N]) {
        for (d, v) in data.iter_mut().zip(values) {
            *d = v;
        }
    }
}

/// Driver information (C `struct ethtool_drvinfo`).
#[repr(transparent)]
pub struct DrvInfo(bindings::ethtool_drvinfo);

fn copy_cstr(dst: &mut [crate::ffi::c_char], s: &CStr) {
    if dst.is_empty() {
        return;
    }
    let b = s.as_bytes();
    let n = b.len().min(dst.len() - 1);
    for (d, s) in dst.iter_mut().zip(b[..n].iter()) {
        // CAST: bytes of a C string.
        *d = *s as crate::ffi::c_char;
    }
    dst[n] = 0;
}

impl DrvInfo {
    /// Sets the driver name.
    pub fn set_driver(&mut self, s: &CStr) {
        copy_cstr(&mut self.0.driver, s);
    }
    /// Sets the driver version.
    pub fn set_version(&mut self, s: &CStr) {
        copy_cstr(&mut self.0.version, s);
    }
    /// Sets the firmware version.
    pub fn set_fw_version(&mut self, s: &CStr) {
        copy_cstr(&mut self.0.fw_version, s);
    }
    /// Sets the bus address (e.g. the PCI device name).
    pub fn set_bus_info(&mut self, s: &CStr) {
        copy_cstr(&mut self.0.bus_info, s);
    }
}

/// Time stamping capabilities of a device (C `struct kernel_ethtool_ts_info`), as `ethtool -T`
/// shows them. Starts with none and no PTP hardware clock.
#[repr(transparent)]
pub struct TsInfo(bindings::kernel_ethtool_ts_info);

impl TsInfo {
    /// Software time stamps: of received frames (the core takes them) and of transmitted ones
    /// (the driver calls [`SkBuff::tx_timestamp`](super::skb::SkBuff::tx_timestamp) for every
    /// packet it hands to the device). C `ethtool_op_get_ts_info`.
    pub fn set_software(&mut self) {
        self.0.so_timestamping |= bindings::SOF_TIMESTAMPING_TX_SOFTWARE
            | bindings::SOF_TIMESTAMPING_RX_SOFTWARE
            | bindings::SOF_TIMESTAMPING_SOFTWARE;
    }

    /// The device's PTP hardware clock: `N` of `/dev/ptpN`
    /// ([`ptp::Registration::index`](crate::ptp::Registration::index)).
    pub fn set_phc_index(&mut self, index: i32) {
        self.0.phc_index = index;
    }

    /// The time stamping flags set so far (C `SOF_TIMESTAMPING_*`).
    pub fn so_timestamping(&self) -> u32 {
        self.0.so_timestamping
    }
}

macro_rules! plain_wrapper {
    ($(#[$m:meta])* $name:ident, $c:ty) => {
        $(#[$m])*
        #[repr(transparent)]
        pub struct $name($c);

        impl Deref for $name {
            type Target = $c;
            fn deref(&self) -> &$c {
                &self.0
            }
        }

        impl DerefMut for $name {
            fn deref_mut(&mut self) -> &mut $c {
                &mut self.0
            }
        }
    };
}

plain_wrapper!(
    /// Ring sizes (C `struct ethtool_ringparam`: `rx_max_pending`, `rx_pending`, ...).
    RingParam,
    bindings::ethtool_ringparam
);
plain_wrapper!(
    /// Channel counts (C `struct ethtool_channels`: `max_combined`, `combined_count`,
    /// ...).
    Channels,
    bindings::ethtool_channels
);
plain_wrapper!(
    /// Interrupt coalescing (C `struct ethtool_coalesce`: `rx_coalesce_usecs`, ...).
    Coalesce,
    bindings::ethtool_coalesce
);

/// Duplex mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duplex {
    /// Half duplex.
    Half,
    /// Full duplex.
    Full,
    /// Unknown (no link).
    Unknown,
}

/// Link modes (C `enum ethtool_link_mode_bit_indices`), for the supported and
/// advertised masks of [`LinkKsettings`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkMode {
    /// 10BASE-T half duplex.
    T10Half,
    /// 10BASE-T full duplex.
    T10Full,
    /// 100BASE-T half duplex.
    T100Half,
    /// 100BASE-T full duplex.
    T100Full,
    /// 1000BASE-T full duplex.
    T1000Full,
    /// Autonegotiation.
    Autoneg,
    /// Twisted-pair port.
    Tp,
    /// Symmetric pause frames.
    Pause,
    /// Asymmetric pause frames.
    AsymPause,
}

impl LinkMode {
    fn bit(self) -> usize {
        // CAST: the bit indices are small.
        (match self {
            Self::T10Half => {
                bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_10baseT_Half_BIT
            }
            Self::T10Full => {
                bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_10baseT_Full_BIT
            }
            Self::T100Half => {
                bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_100baseT_Half_BIT
            }
            Self::T100Full => {
                bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_100baseT_Full_BIT
            }
            Self::T1000Full => {
                bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_1000baseT_Full_BIT
            }
            Self::Autoneg => bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_Autoneg_BIT,
            Self::Tp => bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_TP_BIT,
            Self::Pause => bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_Pause_BIT,
            Self::AsymPause => {
                bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_Asym_Pause_BIT
            }
        }) as usize
    }
}

fn set_mode_bit(mask: &mut [crate::ffi::c_ulong], mode: LinkMode) {
    let bits = crate::ffi::c_ulong::BITS as usize;
    let b = mode.bit();
    if let Some(word) = mask.get_mut(b / bits) {
        *word |= 1 << (b % bits);
    }
}

fn test_mode_bit(mask: &[crate::ffi::c_ulong], mode: LinkMode) -> bool {
    let bits = crate::ffi::c_ulong::BITS as usize;
    let b = mode.bit();
    mask.get(b / bits)
        .is_some_and(|w| w & (1 << (b % bits)) != 0)
}

/// Number of words of a link mode mask (C `__ETHTOOL_LINK_MODE_MASK_NWORDS`).
const MODE_WORDS: usize = (bindings::ethtool_link_mode_bit_indices___ETHTOOL_LINK_MODE_MASK_NBITS
    as usize)
    .div_ceil(crate::ffi::c_ulong::BITS as usize);

/// A set of link modes, copied out of a [`LinkKsettings`] mask.
///
/// ```
/// use kernel::net::ethtool::{LinkMode, LinkModes};
///
/// let mut m = LinkModes::empty();
/// assert!(m.is_empty());
/// m.insert(LinkMode::T100Full);
/// m.insert(LinkMode::Autoneg);
/// assert!(m.contains(LinkMode::T100Full));
/// assert!(!m.contains(LinkMode::T100Half));
/// // Only the given modes: port and autoneg bits do not count as speeds.
/// assert!(!m.contains_only(&[LinkMode::T100Full]));
/// assert!(m.contains_only(&[LinkMode::T100Full, LinkMode::Autoneg]));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct LinkModes([crate::ffi::c_ulong; MODE_WORDS]);

impl LinkModes {
    /// No mode.
    pub const fn empty() -> Self {
        Self([0; MODE_WORDS])
    }
    /// Whether no mode is set.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }
    /// Adds `mode`.
    pub fn insert(&mut self, mode: LinkMode) {
        set_mode_bit(&mut self.0, mode);
    }
    /// Whether `mode` is set.
    pub fn contains(&self, mode: LinkMode) -> bool {
        test_mode_bit(&self.0, mode)
    }
    /// Whether every set mode is one of `modes`.
    pub fn contains_only(&self, modes: &[LinkMode]) -> bool {
        let mut allowed = Self::empty();
        modes.iter().for_each(|&m| allowed.insert(m));
        self.0
            .iter()
            .zip(allowed.0.iter())
            .all(|(&w, &a)| w & !a == 0)
    }
}

/// Link settings (C `struct ethtool_link_ksettings`).
#[repr(transparent)]
pub struct LinkKsettings(bindings::ethtool_link_ksettings);

impl LinkKsettings {
    /// Sets the speed in Mb/s, or `None` for unknown.
    pub fn set_speed(&mut self, mbps: Option<u32>) {
        self.0.base.speed = // CAST: SPEED_UNKNOWN is -1, stored as u32 by the C side too.
        mbps.unwrap_or(bindings::SPEED_UNKNOWN as u32);
    }
    /// Sets the duplex mode.
    pub fn set_duplex(&mut self, d: Duplex) {
        // CAST: DUPLEX_* fit in u8.
        self.0.base.duplex = match d {
            Duplex::Half => bindings::DUPLEX_HALF,
            Duplex::Full => bindings::DUPLEX_FULL,
            Duplex::Unknown => bindings::DUPLEX_UNKNOWN,
        } as u8;
    }
    /// Sets whether autonegotiation is on.
    pub fn set_autoneg(&mut self, on: bool) {
        // CAST: AUTONEG_* fit in u8.
        self.0.base.autoneg = if on {
            bindings::AUTONEG_ENABLE
        } else {
            bindings::AUTONEG_DISABLE
        } as u8;
    }
    /// Adds `mode` to the supported link modes.
    pub fn add_supported(&mut self, mode: LinkMode) {
        set_mode_bit(&mut self.0.link_modes.supported, mode);
    }
    /// Adds `mode` to the advertised link modes.
    pub fn add_advertising(&mut self, mode: LinkMode) {
        set_mode_bit(&mut self.0.link_modes.advertising, mode);
    }
    /// Sets the port to twisted pair.
    pub fn set_port_tp(&mut self) {
        // CAST: PORT_TP fits in u8.
        self.0.base.port = bindings::PORT_TP as u8;
    }
    /// Sets the PHY's MDIO address.
    pub fn set_phy_address(&mut self, addr: u8) {
        self.0.base.phy_address = addr;
    }
    /// The requested speed in Mb/s, `None` if unknown (`set_link_ksettings`).
    pub fn speed(&self) -> Option<u32> {
        // CAST: SPEED_UNKNOWN is -1, stored as u32 by the C side too.
        let s = self.0.base.speed;
        (s != 0 && s != bindings::SPEED_UNKNOWN as u32).then_some(s)
    }
    /// The requested duplex mode.
    pub fn duplex(&self) -> Duplex {
        match u32::from(self.0.base.duplex) {
            bindings::DUPLEX_HALF => Duplex::Half,
            bindings::DUPLEX_FULL => Duplex::Full,
            _ => Duplex::Unknown,
        }
    }
    /// Whether autonegotiation is requested.
    pub fn autoneg(&self) -> bool {
        u32::from(self.0.base.autoneg) == bindings::AUTONEG_ENABLE
    }
    /// The requested port (C `PORT_*`).
    pub fn port(&self) -> u8 {
        self.0.base.port
    }
    /// Whether the port is twisted pair.
    pub fn port_is_tp(&self) -> bool {
        u32::from(self.0.base.port) == bindings::PORT_TP
    }
    /// The advertised link modes.
    pub fn advertising(&self) -> LinkModes {
        let mut m = LinkModes::empty();
        for (d, s) in m.0.iter_mut().zip(self.0.link_modes.advertising.iter()) {
            *d = *s;
        }
        m
    }
}

/// The extended acknowledgement of a request: where a driver explains a refusal (C
/// `NL_SET_ERR_MSG`). Requests made through the ioctl interface have none; messages are then
/// dropped.
///
/// # Invariants
///
/// `0` is null or the `struct netlink_ext_ack` of the request being served.
pub struct ExtAck(*mut bindings::netlink_ext_ack);

impl ExtAck {
    /// The extack `ext` of a request being served (or null).
    ///
    /// # Safety
    ///
    /// `ext` is null or the extack of the request being served, valid while the returned
    /// value lives.
    pub(crate) unsafe fn from_raw(ext: *mut bindings::netlink_ext_ack) -> Self {
        // INVARIANT: by the safety requirements.
        Self(ext)
    }

    /// Sets the error message returned with the request's error.
    pub fn set_msg(&self, msg: &'static CStr) {
        // SAFETY: By the type invariant `self.0` is null (the helper checks) or the request's
        // extack; the message is static, so it outlives the request.
        unsafe { bindings::netdev_set_extack_msg(self.0, msg.as_char_ptr()) };
    }
}

plain_wrapper!(
    /// Pause frame settings (C `struct ethtool_pauseparam`: `autoneg`, `rx_pause`,
    /// `tx_pause`, each 0 or 1).
    PauseParam,
    bindings::ethtool_pauseparam
);

/// States of the identification LED (C `enum ethtool_phys_id_state`, `ethtool -p`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhysIdState {
    /// Start identifying: return 0 if the device blinks by itself, or a frequency (on/off
    /// cycles per second) to have the core call [`PhysIdState::On`] and
    /// [`PhysIdState::Off`].
    Active,
    /// Identification over: restore the LED.
    Inactive,
    /// LED on (software blinking).
    On,
    /// LED off (software blinking).
    Off,
}

/// Flow types and hashed fields of RX flow hashing (C `ETHTOOL_GRXFH`, `TCP_V4_FLOW`,
/// `RXH_*`).
pub mod rxfh {
    use crate::bindings;

    /// TCP over IPv4.
    pub const TCP_V4_FLOW: u32 = bindings::TCP_V4_FLOW;
    /// UDP over IPv4.
    pub const UDP_V4_FLOW: u32 = bindings::UDP_V4_FLOW;
    /// TCP over IPv6.
    pub const TCP_V6_FLOW: u32 = bindings::TCP_V6_FLOW;
    /// UDP over IPv6.
    pub const UDP_V6_FLOW: u32 = bindings::UDP_V6_FLOW;
    /// IPv4, other protocols.
    pub const IPV4_FLOW: u32 = bindings::IPV4_FLOW;
    /// IPv6, other protocols.
    pub const IPV6_FLOW: u32 = bindings::IPV6_FLOW;

    /// Hash the IP source address.
    pub const IP_SRC: u64 = bindings::RXH_IP_SRC as u64;
    /// Hash the IP destination address.
    pub const IP_DST: u64 = bindings::RXH_IP_DST as u64;
    /// Hash L4 bytes 0-1 (source port).
    pub const L4_B_0_1: u64 = bindings::RXH_L4_B_0_1 as u64;
    /// Hash L4 bytes 2-3 (destination port).
    pub const L4_B_2_3: u64 = bindings::RXH_L4_B_2_3 as u64;

    /// Hash function: Toeplitz (C `ETH_RSS_HASH_TOP`, bit 0 of the function mask).
    pub const HASH_TOP: u8 = 1;
    /// Hash function: leave it as it is (C `ETH_RSS_HASH_NO_CHANGE`).
    pub const HASH_NO_CHANGE: u8 = 0;
}

/// An RX flow classification request (C `struct ethtool_rxnfc`), as far as flow hashing and
/// the ring count need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RxNfc {
    /// `ETHTOOL_GRXRINGS`: number of RX rings, the driver answers with [`RxNfcReply::Rings`].
    GetRings,
    /// `ETHTOOL_GRXFH`: fields hashed for a flow type ([`rxfh`]).
    GetFlowHash(u32),
    /// `ETHTOOL_SRXFH`: set the fields hashed for a flow type.
    SetFlowHash {
        /// Flow type ([`rxfh`] `*_FLOW`).
        flow_type: u32,
        /// Fields ([`rxfh`] `IP_SRC` ...).
        fields: u64,
    },
    /// Any other command (rules); drivers usually answer `EOPNOTSUPP`.
    Other(u32),
}

/// The answer to a [`RxNfc`] get request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RxNfcReply {
    /// Number of RX rings.
    Rings(u32),
    /// Fields hashed ([`rxfh`] `IP_SRC` ...).
    FlowHash(u64),
}

impl RxNfc {
    fn from_raw(r: &bindings::ethtool_rxnfc) -> Self {
        match r.cmd {
            bindings::ETHTOOL_GRXRINGS => Self::GetRings,
            bindings::ETHTOOL_GRXFH => Self::GetFlowHash(r.flow_type),
            bindings::ETHTOOL_SRXFH => Self::SetFlowHash {
                flow_type: r.flow_type,
                fields: r.data,
            },
            c => Self::Other(c),
        }
    }
}

/// RSS indirection table, key and hash function (C `struct ethtool_rxfh_param`).
///
/// # Invariants
///
/// `indir` is null or points to `indir_size` writable `u32`s, `key` is null or points to
/// `key_size` writable bytes, for the lifetime `'a` of the call.
pub struct Rxfh<'a>(&'a mut bindings::ethtool_rxfh_param);

impl Rxfh<'_> {
    /// The indirection table, if the request has one (one RX ring number per entry).
    pub fn indir(&self) -> Option<&[u32]> {
        if self.0.indir.is_null() {
            return None;
        }
        // SAFETY: By the type invariant.
        Some(unsafe { core::slice::from_raw_parts(self.0.indir, self.0.indir_size as usize) })
    }
    /// The indirection table to fill, if requested.
    pub fn indir_mut(&mut self) -> Option<&mut [u32]> {
        if self.0.indir.is_null() {
            return None;
        }
        // SAFETY: By the type invariant.
        Some(unsafe { core::slice::from_raw_parts_mut(self.0.indir, self.0.indir_size as usize) })
    }
    /// The hash key, if the request has one.
    pub fn key(&self) -> Option<&[u8]> {
        if self.0.key.is_null() {
            return None;
        }
        // SAFETY: By the type invariant.
        Some(unsafe { core::slice::from_raw_parts(self.0.key, self.0.key_size as usize) })
    }
    /// The hash key to fill, if requested.
    pub fn key_mut(&mut self) -> Option<&mut [u8]> {
        if self.0.key.is_null() {
            return None;
        }
        // SAFETY: By the type invariant.
        Some(unsafe { core::slice::from_raw_parts_mut(self.0.key, self.0.key_size as usize) })
    }
    /// The hash function ([`rxfh::HASH_TOP`], or [`rxfh::HASH_NO_CHANGE`] in a set request).
    pub fn hfunc(&self) -> u8 {
        self.0.hfunc
    }
    /// Reports the hash function.
    pub fn set_hfunc(&mut self, hfunc: u8) {
        self.0.hfunc = hfunc;
    }
    /// The RSS context (0: the default one).
    pub fn rss_context(&self) -> u32 {
        self.0.rss_context
    }
    /// Input transformation requested (0 or `RXH_XFRM_NO_CHANGE`: none).
    pub fn input_xfrm(&self) -> u8 {
        self.0.input_xfrm
    }
}

/// Flags of coalescing parameters a driver supports (C `ETHTOOL_COALESCE_*`).
pub mod coalesce {
    /// `rx-usecs`.
    pub const RX_USECS: u32 = 1 << 0;
    /// `rx-frames`.
    pub const RX_MAX_FRAMES: u32 = 1 << 1;
    /// `tx-usecs`.
    pub const TX_USECS: u32 = 1 << 4;
    /// `tx-frames`.
    pub const TX_MAX_FRAMES: u32 = 1 << 5;
}

/// Result of a self-test run.
pub struct TestResult<'a> {
    flags: &'a mut u32,
    /// One result per test announced for [`StringSet::Test`]; 0 means passed.
    pub results: &'a mut [u64],
}

impl TestResult<'_> {
    /// Whether an offline (disruptive) test was requested.
    pub fn offline_requested(&self) -> bool {
        *self.flags & bindings::ethtool_test_flags_ETH_TEST_FL_OFFLINE != 0
    }
    /// Marks the run as failed.
    pub fn set_failed(&mut self) {
        *self.flags |= bindings::ethtool_test_flags_ETH_TEST_FL_FAILED;
    }
}

/// ethtool operations, implemented by a device's private data type. RTNL held,
/// process context.
#[vtable]
pub trait EthtoolOps: NetDeviceOps {
    /// Coalescing parameters accepted by `set_coalesce` ([`coalesce`]).
    const SUPPORTED_COALESCE_PARAMS: u32 = 0;

    /// Fills driver information.
    fn get_drvinfo(_dev: &Device<Self>, _info: &mut DrvInfo) {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Whether the link is up (default: the carrier state).
    fn get_link(_dev: &Device<Self>) -> bool {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Reports the device's time stamping capabilities (default: software RX time stamps
    /// only).
    fn get_ts_info(_dev: &Device<Self>, _info: &mut TsInfo) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Fills the link settings.
    fn get_link_ksettings(_dev: &Device<Self>, _ks: &mut LinkKsettings) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Fills ring sizes.
    fn get_ringparam(_dev: &Device<Self>, _ring: &mut RingParam) {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Changes ring sizes (the core checked them against the maxima).
    fn set_ringparam(_dev: &Device<Self>, _ring: &RingParam) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Fills channel counts.
    fn get_channels(_dev: &Device<Self>, _ch: &mut Channels) {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Changes channel counts (checked against the maxima).
    fn set_channels(_dev: &Device<Self>, _rtnl: &Rtnl, _ch: &Channels) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Fills coalescing parameters.
    fn get_coalesce(_dev: &Device<Self>, _c: &mut Coalesce) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Changes coalescing parameters (only [`EthtoolOps::SUPPORTED_COALESCE_PARAMS`]).
    fn set_coalesce(_dev: &Device<Self>, _c: &Coalesce, _ext: &ExtAck) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Number of strings in `set` (`EOPNOTSUPP` for unsupported sets).
    fn get_sset_count(_dev: &Device<Self>, _set: StringSet) -> Result<u32> {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Writes the strings of `set`.
    fn get_strings(_dev: &Device<Self>, _set: StringSet, _out: &mut Strings<'_>) {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Writes the statistics, in the order of the [`StringSet::Stats`] strings.
    fn get_ethtool_stats(_dev: &Device<Self>, _data: &mut [u64]) {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Size of the register dump in bytes.
    fn get_regs_len(_dev: &Device<Self>) -> usize {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Dumps registers into `buf` (`get_regs_len` bytes); returns the dump version.
    fn get_regs(_dev: &Device<Self>, _buf: &mut [u8]) -> u32 {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Runs the self-tests.
    fn self_test(_dev: &Device<Self>, _res: &mut TestResult<'_>) {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// The message level (C `NETIF_MSG_*` bits).
    fn get_msglevel(_dev: &Device<Self>) -> u32 {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Sets the message level.
    fn set_msglevel(_dev: &Device<Self>, _level: u32) {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Restarts autonegotiation (`ethtool -r`).
    fn nway_reset(_dev: &Device<Self>) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Changes the link settings (`ethtool -s speed/duplex/autoneg/advertise`).
    fn set_link_ksettings(_dev: &Device<Self>, _ks: &LinkKsettings) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Size of the EEPROM (NVM) in bytes; 0 for none.
    fn get_eeprom_len(_dev: &Device<Self>) -> usize {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Reads `data.len()` bytes of the EEPROM from byte `offset` (the core checked the range
    /// against `get_eeprom_len`); returns the magic number identifying the device.
    fn get_eeprom(_dev: &Device<Self>, _offset: u32, _data: &mut [u8]) -> Result<u32> {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Fills the pause frame settings.
    fn get_pauseparam(_dev: &Device<Self>, _p: &mut PauseParam) {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Changes the pause frame settings.
    fn set_pauseparam(_dev: &Device<Self>, _p: &PauseParam) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Identification LED (`ethtool -p`); see [`PhysIdState`] for the return value.
    fn set_phys_id(_dev: &Device<Self>, _state: PhysIdState) -> Result<u32> {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Answers an RX flow classification get request.
    fn get_rxnfc(_dev: &Device<Self>, _req: RxNfc) -> Result<RxNfcReply> {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Serves an RX flow classification set request.
    fn set_rxnfc(_dev: &Device<Self>, _req: RxNfc) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Size of the RSS key in bytes.
    fn get_rxfh_key_size(_dev: &Device<Self>) -> u32 {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Number of entries of the RSS indirection table.
    fn get_rxfh_indir_size(_dev: &Device<Self>) -> u32 {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Fills the RSS table, key and hash function (those requested).
    fn get_rxfh(_dev: &Device<Self>, _p: &mut Rxfh<'_>) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
    /// Changes the RSS table and/or key (the core checked the table's entries against the
    /// ring count from `get_rxnfc`).
    fn set_rxfh(_dev: &Device<Self>, _p: &Rxfh<'_>, _ext: &ExtAck) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
}

struct Adapter<T: EthtoolOps>(PhantomData<T>);

/// # Safety
///
/// `dev` must be a registered device of this module with private data `T`.
unsafe fn dev<'a, T: NetDeviceOps>(dev: *mut bindings::net_device) -> &'a Device<T> {
    // SAFETY: By the safety requirements.
    unsafe { Device::<T>::from_raw(dev) }
}

impl<T: EthtoolOps> Adapter<T> {
    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_drvinfo(
        d: *mut bindings::net_device,
        info: *mut bindings::ethtool_drvinfo,
    ) {
        // SAFETY: See above; `DrvInfo` is `repr(transparent)`.
        unsafe { T::get_drvinfo(dev::<T>(d), &mut *info.cast()) }
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_ts_info(
        d: *mut bindings::net_device,
        info: *mut bindings::kernel_ethtool_ts_info,
    ) -> crate::ffi::c_int {
        // SAFETY: See above; `TsInfo` is `repr(transparent)`.
        let (dev, info) = unsafe { (dev::<T>(d), &mut *info.cast::<TsInfo>()) };
        // No capability and no PTP hardware clock unless the driver says so.
        info.0.so_timestamping = 0;
        info.0.phc_index = -1;
        from_result(|| T::get_ts_info(dev, info).map(|()| 0))
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_link(d: *mut bindings::net_device) -> u32 {
        // SAFETY: See above.
        u32::from(T::get_link(unsafe { dev::<T>(d) }))
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_link_ksettings(
        d: *mut bindings::net_device,
        ks: *mut bindings::ethtool_link_ksettings,
    ) -> crate::ffi::c_int {
        from_result(|| {
            // SAFETY: See above; `LinkKsettings` is `repr(transparent)`.
            unsafe { T::get_link_ksettings(dev::<T>(d), &mut *ks.cast())? };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_ringparam(
        d: *mut bindings::net_device,
        r: *mut bindings::ethtool_ringparam,
        _k: *mut bindings::kernel_ethtool_ringparam,
        _e: *mut bindings::netlink_ext_ack,
    ) {
        // SAFETY: See above.
        unsafe { T::get_ringparam(dev::<T>(d), &mut *r.cast()) }
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn set_ringparam(
        d: *mut bindings::net_device,
        r: *mut bindings::ethtool_ringparam,
        _k: *mut bindings::kernel_ethtool_ringparam,
        _e: *mut bindings::netlink_ext_ack,
    ) -> crate::ffi::c_int {
        from_result(|| {
            // SAFETY: See above.
            unsafe { T::set_ringparam(dev::<T>(d), &*r.cast())? };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_channels(
        d: *mut bindings::net_device,
        c: *mut bindings::ethtool_channels,
    ) {
        // SAFETY: See above.
        unsafe { T::get_channels(dev::<T>(d), &mut *c.cast()) }
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn set_channels(
        d: *mut bindings::net_device,
        c: *mut bindings::ethtool_channels,
    ) -> crate::ffi::c_int {
        from_result(|| {
            // SAFETY: See above (RTNL held, which the proof states).
            unsafe { T::set_channels(dev::<T>(d), Rtnl::assume_held(), &*c.cast())? };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_coalesce(
        d: *mut bindings::net_device,
        c: *mut bindings::ethtool_coalesce,
        _k: *mut bindings::kernel_ethtool_coalesce,
        _e: *mut bindings::netlink_ext_ack,
    ) -> crate::ffi::c_int {
        from_result(|| {
            // SAFETY: See above.
            unsafe { T::get_coalesce(dev::<T>(d), &mut *c.cast())? };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn set_coalesce(
        d: *mut bindings::net_device,
        c: *mut bindings::ethtool_coalesce,
        _k: *mut bindings::kernel_ethtool_coalesce,
        e: *mut bindings::netlink_ext_ack,
    ) -> crate::ffi::c_int {
        from_result(|| {
            // INVARIANT: `e` is null or the request's extack.
            let ext = ExtAck(e);
            // SAFETY: See above.
            unsafe { T::set_coalesce(dev::<T>(d), &*c.cast(), &ext)? };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_sset_count(
        d: *mut bindings::net_device,
        set: crate::ffi::c_int,
    ) -> crate::ffi::c_int {
        // SAFETY: See above.
        let dev = unsafe { dev::<T>(d) };
        // CAST: string set numbers are small and non-negative.
        let r = T::get_sset_count(dev, StringSet::from_raw(set as u32))
            .and_then(|n| Ok(i32::try_from(n)?));
        // The core sizes the buffer of the `get_strings` call that follows (in the same RTNL
        // section) with this answer: remember it, so that `get_strings` never writes more
        // whatever the driver answers then.
        // SAFETY: A device with this module's ops has a `Priv<T>` area.
        let slots = unsafe { &Priv::<T>::of(d).sset_len };
        // CAST: as above.
        if let Some(slot) = slots.get(set as usize) {
            // CAST: a non-negative `i32`.
            slot.store(r.as_ref().map_or(0, |&n| n as u32), Ordering::Relaxed);
        }
        from_result(|| r)
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_strings(d: *mut bindings::net_device, set_raw: u32, buf: *mut u8) {
        // SAFETY: See above.
        let dev = unsafe { dev::<T>(d) };
        let set = StringSet::from_raw(set_raw);
        // The core sized `buf` with the last `get_sset_count` answer for this set, in the
        // same RTNL section; without `get_sset_count` it allocated nothing.
        // SAFETY: A device with this module's ops has a `Priv<T>` area.
        let slots = unsafe { &Priv::<T>::of(d).sset_len };
        let cap = slots
            .get(set_raw as usize)
            .map_or(0, |n| n.load(Ordering::Relaxed) as usize);
        // INVARIANT: `buf` holds `cap` strings.
        let mut w = Strings {
            buf,
            cap,
            n: 0,
            _p: PhantomData,
        };
        T::get_strings(dev, set, &mut w);
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_ethtool_stats(
        d: *mut bindings::net_device,
        stats: *mut bindings::ethtool_stats,
        data: *mut u64,
    ) {
        // SAFETY: See above; the core allocated `n_stats` entries at `data`.
        unsafe {
            let data = core::slice::from_raw_parts_mut(data, (*stats).n_stats as usize);
            T::get_ethtool_stats(dev::<T>(d), data)
        }
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_regs_len(d: *mut bindings::net_device) -> crate::ffi::c_int {
        // SAFETY: See above.
        i32::try_from(T::get_regs_len(unsafe { dev::<T>(d) })).unwrap_or(0)
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_regs(
        d: *mut bindings::net_device,
        regs: *mut bindings::ethtool_regs,
        buf: *mut crate::ffi::c_void,
    ) {
        // SAFETY: See above; the core allocated `regs->len` bytes at `buf`.
        unsafe {
            let buf = core::slice::from_raw_parts_mut(buf.cast::<u8>(), (*regs).len as usize);
            (*regs).version = T::get_regs(dev::<T>(d), buf);
        }
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn self_test(
        d: *mut bindings::net_device,
        test: *mut bindings::ethtool_test,
        data: *mut u64,
    ) {
        // SAFETY: See above; the core allocated `test->len` results at `data`.
        unsafe {
            let mut res = TestResult {
                flags: &mut (*test).flags,
                results: core::slice::from_raw_parts_mut(data, (*test).len as usize),
            };
            T::self_test(dev::<T>(d), &mut res)
        }
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_msglevel(d: *mut bindings::net_device) -> u32 {
        // SAFETY: See above.
        T::get_msglevel(unsafe { dev::<T>(d) })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn set_msglevel(d: *mut bindings::net_device, level: u32) {
        // SAFETY: See above.
        T::set_msglevel(unsafe { dev::<T>(d) }, level)
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn nway_reset(d: *mut bindings::net_device) -> crate::ffi::c_int {
        from_result(|| {
            // SAFETY: See above.
            T::nway_reset(unsafe { dev::<T>(d) })?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn set_link_ksettings(
        d: *mut bindings::net_device,
        ks: *const bindings::ethtool_link_ksettings,
    ) -> crate::ffi::c_int {
        from_result(|| {
            // SAFETY: See above; `LinkKsettings` is `repr(transparent)`.
            unsafe { T::set_link_ksettings(dev::<T>(d), &*ks.cast())? };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_eeprom_len(d: *mut bindings::net_device) -> crate::ffi::c_int {
        // SAFETY: See above.
        i32::try_from(T::get_eeprom_len(unsafe { dev::<T>(d) })).unwrap_or(0)
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_eeprom(
        d: *mut bindings::net_device,
        ee: *mut bindings::ethtool_eeprom,
        data: *mut u8,
    ) -> crate::ffi::c_int {
        from_result(|| {
            // SAFETY: See above; the core allocated `ee->len` bytes at `data` and checked
            // `offset + len` against `get_eeprom_len`.
            unsafe {
                let buf = core::slice::from_raw_parts_mut(data, (*ee).len as usize);
                (*ee).magic = T::get_eeprom(dev::<T>(d), (*ee).offset, buf)?;
            }
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_pauseparam(
        d: *mut bindings::net_device,
        p: *mut bindings::ethtool_pauseparam,
    ) {
        // SAFETY: See above; `PauseParam` is `repr(transparent)`.
        unsafe { T::get_pauseparam(dev::<T>(d), &mut *p.cast()) }
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn set_pauseparam(
        d: *mut bindings::net_device,
        p: *mut bindings::ethtool_pauseparam,
    ) -> crate::ffi::c_int {
        from_result(|| {
            // SAFETY: See above; `PauseParam` is `repr(transparent)`.
            unsafe { T::set_pauseparam(dev::<T>(d), &*p.cast())? };
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn set_phys_id(
        d: *mut bindings::net_device,
        state: bindings::ethtool_phys_id_state,
    ) -> crate::ffi::c_int {
        let state = match state {
            bindings::ethtool_phys_id_state_ETHTOOL_ID_ACTIVE => PhysIdState::Active,
            bindings::ethtool_phys_id_state_ETHTOOL_ID_ON => PhysIdState::On,
            bindings::ethtool_phys_id_state_ETHTOOL_ID_OFF => PhysIdState::Off,
            _ => PhysIdState::Inactive,
        };
        from_result(|| {
            // SAFETY: See above.
            let freq = T::set_phys_id(unsafe { dev::<T>(d) }, state)?;
            Ok(i32::try_from(freq)?)
        })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_rxnfc(
        d: *mut bindings::net_device,
        r: *mut bindings::ethtool_rxnfc,
        _rule_locs: *mut u32,
    ) -> crate::ffi::c_int {
        from_result(|| {
            // SAFETY: See above; `r` is the request, valid for the call.
            let r = unsafe { &mut *r };
            // SAFETY: See above.
            match T::get_rxnfc(unsafe { dev::<T>(d) }, RxNfc::from_raw(r))? {
                RxNfcReply::Rings(n) => r.data = u64::from(n),
                RxNfcReply::FlowHash(f) => r.data = f,
            }
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn set_rxnfc(
        d: *mut bindings::net_device,
        r: *mut bindings::ethtool_rxnfc,
    ) -> crate::ffi::c_int {
        from_result(|| {
            // SAFETY: See above; `r` is the request, valid for the call.
            let req = RxNfc::from_raw(unsafe { &*r });
            // SAFETY: See above.
            T::set_rxnfc(unsafe { dev::<T>(d) }, req)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_rxfh_key_size(d: *mut bindings::net_device) -> u32 {
        // SAFETY: See above.
        T::get_rxfh_key_size(unsafe { dev::<T>(d) })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_rxfh_indir_size(d: *mut bindings::net_device) -> u32 {
        // SAFETY: See above.
        T::get_rxfh_indir_size(unsafe { dev::<T>(d) })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn get_rxfh(
        d: *mut bindings::net_device,
        p: *mut bindings::ethtool_rxfh_param,
    ) -> crate::ffi::c_int {
        from_result(|| {
            // INVARIANT: the core set `indir` and `key` to null or to buffers of
            // `indir_size` entries and `key_size` bytes (`ethtool_get_rxfh`, `rss_prepare_data`).
            // SAFETY: See above; `p` is valid for the call.
            let mut rxfh = Rxfh(unsafe { &mut *p });
            // SAFETY: See above.
            T::get_rxfh(unsafe { dev::<T>(d) }, &mut rxfh)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// Called by the ethtool core with RTNL held on a registered device whose
    /// `ethtool_ops` were set by [`Registration::set_ethtool_ops`], with buffers allocated
    /// for the call ("See above" below refers to this).
    unsafe extern "C" fn set_rxfh(
        d: *mut bindings::net_device,
        p: *mut bindings::ethtool_rxfh_param,
        e: *mut bindings::netlink_ext_ack,
    ) -> crate::ffi::c_int {
        from_result(|| {
            // INVARIANT: the core set `indir` and `key` to null or to buffers of
            // `indir_size` entries and `key_size` bytes (`ethtool_set_rxfh`,
            // `ethnl_set_rss`); `e` is null or the request's extack.
            // SAFETY: See above; `p` is valid for the call.
            let rxfh = Rxfh(unsafe { &mut *p });
            let ext = ExtAck(e);
            // SAFETY: See above.
            T::set_rxfh(unsafe { dev::<T>(d) }, &rxfh, &ext)?;
            Ok(0)
        })
    }

    const VTABLE: bindings::ethtool_ops = create_vtable::<T>();
}

const fn create_vtable<T: EthtoolOps>() -> bindings::ethtool_ops {
    // SAFETY: All-zero is a valid `ethtool_ops` (no operation supported).
    let mut o: bindings::ethtool_ops = unsafe { MaybeUninit::zeroed().assume_init() };
    o.supported_coalesce_params = T::SUPPORTED_COALESCE_PARAMS;
    if T::HAS_GET_DRVINFO {
        o.get_drvinfo = Some(Adapter::<T>::get_drvinfo);
    }
    if T::HAS_GET_TS_INFO {
        o.get_ts_info = Some(Adapter::<T>::get_ts_info);
    }
    o.get_link = if T::HAS_GET_LINK {
        Some(Adapter::<T>::get_link)
    } else {
        Some(bindings::ethtool_op_get_link)
    };
    if T::HAS_GET_LINK_KSETTINGS {
        o.get_link_ksettings = Some(Adapter::<T>::get_link_ksettings);
    }
    if T::HAS_GET_RINGPARAM {
        o.get_ringparam = Some(Adapter::<T>::get_ringparam);
    }
    if T::HAS_SET_RINGPARAM {
        o.set_ringparam = Some(Adapter::<T>::set_ringparam);
    }
    if T::HAS_GET_CHANNELS {
        o.get_channels = Some(Adapter::<T>::get_channels);
    }
    if T::HAS_SET_CHANNELS {
        o.set_channels = Some(Adapter::<T>::set_channels);
    }
    if T::HAS_GET_COALESCE {
        o.get_coalesce = Some(Adapter::<T>::get_coalesce);
    }
    if T::HAS_SET_COALESCE {
        o.set_coalesce = Some(Adapter::<T>::set_coalesce);
    }
    if T::HAS_GET_SSET_COUNT {
        o.get_sset_count = Some(Adapter::<T>::get_sset_count);
    }
    if T::HAS_GET_STRINGS {
        o.get_strings = Some(Adapter::<T>::get_strings);
    }
    if T::HAS_GET_ETHTOOL_STATS {
        o.get_ethtool_stats = Some(Adapter::<T>::get_ethtool_stats);
    }
    if T::HAS_GET_REGS_LEN {
        o.get_regs_len = Some(Adapter::<T>::get_regs_len);
    }
    if T::HAS_GET_REGS {
        o.get_regs = Some(Adapter::<T>::get_regs);
    }
    if T::HAS_SELF_TEST {
        o.self_test = Some(Adapter::<T>::self_test);
    }
    if T::HAS_GET_MSGLEVEL {
        o.get_msglevel = Some(Adapter::<T>::get_msglevel);
    }
    if T::HAS_SET_MSGLEVEL {
        o.set_msglevel = Some(Adapter::<T>::set_msglevel);
    }
    if T::HAS_NWAY_RESET {
        o.nway_reset = Some(Adapter::<T>::nway_reset);
    }
    if T::HAS_SET_LINK_KSETTINGS {
        o.set_link_ksettings = Some(Adapter::<T>::set_link_ksettings);
    }
    if T::HAS_GET_EEPROM_LEN {
        o.get_eeprom_len = Some(Adapter::<T>::get_eeprom_len);
    }
    if T::HAS_GET_EEPROM {
        o.get_eeprom = Some(Adapter::<T>::get_eeprom);
    }
    if T::HAS_GET_PAUSEPARAM {
        o.get_pauseparam = Some(Adapter::<T>::get_pauseparam);
    }
    if T::HAS_SET_PAUSEPARAM {
        o.set_pauseparam = Some(Adapter::<T>::set_pauseparam);
    }
    if T::HAS_SET_PHYS_ID {
        o.set_phys_id = Some(Adapter::<T>::set_phys_id);
    }
    if T::HAS_GET_RXNFC {
        o.get_rxnfc = Some(Adapter::<T>::get_rxnfc);
    }
    if T::HAS_SET_RXNFC {
        o.set_rxnfc = Some(Adapter::<T>::set_rxnfc);
    }
    if T::HAS_GET_RXFH_KEY_SIZE {
        o.get_rxfh_key_size = Some(Adapter::<T>::get_rxfh_key_size);
    }
    if T::HAS_GET_RXFH_INDIR_SIZE {
        o.get_rxfh_indir_size = Some(Adapter::<T>::get_rxfh_indir_size);
    }
    if T::HAS_GET_RXFH {
        o.get_rxfh = Some(Adapter::<T>::get_rxfh);
    }
    if T::HAS_SET_RXFH {
        o.set_rxfh = Some(Adapter::<T>::set_rxfh);
    }
    o
}

impl<T: EthtoolOps> Registration<T> {
    /// Installs `T`'s ethtool operations; call before registering the device.
    pub fn set_ethtool_ops(&mut self) {
        let ops: &'static bindings::ethtool_ops = &Adapter::<T>::VTABLE;
        // SAFETY: Configuration of an unregistered device; the table is static.
        unsafe { (*self.config().as_raw()).ethtool_ops = ops };
    }
}

/// `T`'s ethtool operations table, for abstractions that create the devices themselves
/// ([`super::rtnl::LinkOps::ETHTOOL`]). It can only be made for `T: EthtoolOps`, and is
/// installed only on devices whose private data is `T`.
pub struct EthtoolTable<T> {
    ops: &'static bindings::ethtool_ops,
    _p: PhantomData<T>,
}

impl<T: EthtoolOps> EthtoolTable<T> {
    /// `T`'s table.
    pub const fn new() -> Self {
        Self {
            ops: &Adapter::<T>::VTABLE,
            _p: PhantomData,
        }
    }
}

impl<T> EthtoolTable<T> {
    /// The C table.
    pub(crate) fn as_raw(&self) -> &'static bindings::ethtool_ops {
        self.ops
    }
}

impl<T: EthtoolOps> Default for EthtoolTable<T> {
    fn default() -> Self {
        Self::new()
    }
}
