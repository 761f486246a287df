// SPDX-License-Identifier: GPL-2.0

//! Network devices (`struct net_device`).
//!
//! C headers: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h),
//! [`include/linux/etherdevice.h`](srctree/include/linux/etherdevice.h).
//!
//! Usage summary:
//!
//! - A driver's private data type `T` implements [`NetDeviceOps`] (a `#[vtable]` trait:
//!   `open`, `stop`, `start_xmit`, `get_stats64`, ...). `T` lives in the net_device's
//!   private area (`netdev_priv`), pin-initialised, and is dropped by the device's
//!   `priv_destructor`, i.e. after unregistration and before the memory is freed.
//! - [`Registration::new_ether`] allocates an Ethernet device with N TX/RX queues and
//!   initialises `T`; configure it through [`Registration::config`] (an [`Unregistered`]:
//!   MAC address, MTU limits, features, flags) and [`Registration::set_parent`] (the PCI
//!   device), then [`Registration::register`], which consumes it and returns a
//!   [`Registered`] (or frees everything and returns the error). Dropping the
//!   [`Registered`] unregisters the device, drops `T` and frees the device. A device with
//!   a parent is also unregistered when the parent is unbound ([`crate::devres`]), even if
//!   its driver leaked the [`Registered`]: no callback of a driver runs after its device is
//!   unbound (`T` itself stays alive until the [`Registered`] is dropped). Virtual
//!   devices created through rtnetlink use [`super::rtnl`] instead.
//! - Callbacks receive `&Device<T>`: [`Device::data`] gives `Pin<&T>`, and `Device<T>`
//!   dereferences to [`NetDev`], which holds the accessors (carrier, TX queues, BQL,
//!   MTU, features, addresses). What a registered device may change only under RTNL
//!   (MTU, MAC address, queue counts) takes a [`Rtnl`] proof; what the stack reads
//!   without locks once the device is published (features, `lltx`, flags) can be set
//!   only on an [`Unregistered`] device.

use super::{
    ethtool::ExtAck,
    rtnl_lock::Rtnl,
    rx_mode::RxMode,
    skb::SkBuff,
    xdp::{BpfProg, XdpXmit},
    xmit_lock::XmitLock,
};
use crate::{bindings, device, devres::Devres, error::*, prelude::*, str::CStr, types::Opaque};
use core::{
    cell::UnsafeCell,
    marker::PhantomData,
    mem::MaybeUninit,
    ops::{Deref, DerefMut},
    ptr::NonNull,
    sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, Ordering},
};

/// Length of an Ethernet (MAC) address.
pub const ETH_ALEN: usize = bindings::ETH_ALEN as usize;

/// Minimum MTU of an Ethernet-type device (C `ETH_MIN_MTU`).
pub const ETH_MIN_MTU: u32 = bindings::ETH_MIN_MTU;

/// Device features (C `NETIF_F_*`, a `netdev_features_t` bit mask).
pub mod features {
    use crate::bindings;

    const fn bit(b: u32) -> u64 {
        1u64 << b
    }

    /// Scatter/gather I/O.
    pub const SG: u64 = bit(bindings::NETIF_F_SG_BIT);
    /// Checksum offload of TCP/UDP over IPv4.
    pub const IP_CSUM: u64 = bit(bindings::NETIF_F_IP_CSUM_BIT);
    /// Checksum offload of all protocols (csum_start/csum_offset).
    pub const HW_CSUM: u64 = bit(bindings::NETIF_F_HW_CSUM_BIT);
    /// Checksum offload of TCP/UDP over IPv6.
    pub const IPV6_CSUM: u64 = bit(bindings::NETIF_F_IPV6_CSUM_BIT);
    /// DMA to high memory.
    pub const HIGHDMA: u64 = bit(bindings::NETIF_F_HIGHDMA_BIT);
    /// Fragment lists.
    pub const FRAGLIST: u64 = bit(bindings::NETIF_F_FRAGLIST_BIT);
    /// Cannot handle VLAN frames.
    pub const VLAN_CHALLENGED: u64 = bit(bindings::NETIF_F_VLAN_CHALLENGED_BIT);
    /// Generic receive offload.
    pub const GRO: u64 = bit(bindings::NETIF_F_GRO_BIT);
    /// TCP segmentation offload (IPv4).
    pub const TSO: u64 = bit(bindings::NETIF_F_TSO_BIT);
    /// TCP segmentation offload (IPv6).
    pub const TSO6: u64 = bit(bindings::NETIF_F_TSO6_BIT);
    /// TSO with ECN.
    pub const TSO_ECN: u64 = bit(bindings::NETIF_F_TSO_ECN_BIT);
    /// TSO that may mangle IP IDs.
    pub const TSO_MANGLEID: u64 = bit(bindings::NETIF_F_TSO_MANGLEID_BIT);
    /// SCTP segmentation.
    pub const GSO_SCTP: u64 = bit(bindings::NETIF_F_GSO_SCTP_BIT);
    /// UDP segmentation.
    pub const GSO_UDP_L4: u64 = bit(bindings::NETIF_F_GSO_UDP_L4_BIT);
    /// Fraglist segmentation.
    pub const GSO_FRAGLIST: u64 = bit(bindings::NETIF_F_GSO_FRAGLIST_BIT);
    /// All segmentation done in software (C `NETIF_F_GSO_SOFTWARE`).
    pub const GSO_SOFTWARE: u64 =
        TSO | TSO6 | TSO_ECN | TSO_MANGLEID | GSO_SCTP | GSO_UDP_L4 | GSO_FRAGLIST;
    /// RX checksum offload.
    pub const RXCSUM: u64 = bit(bindings::NETIF_F_RXCSUM_BIT);
    /// SCTP CRC offload.
    pub const SCTP_CRC: u64 = bit(bindings::NETIF_F_SCTP_CRC_BIT);
    /// The device loops back what it sends.
    pub const LOOPBACK: u64 = bit(bindings::NETIF_F_LOOPBACK_BIT);
    /// RX hashing.
    pub const RXHASH: u64 = bit(bindings::NETIF_F_RXHASH_BIT);
    /// The device strips 802.1Q tags on receive and reports them beside the frame.
    pub const HW_VLAN_CTAG_RX: u64 = bit(bindings::NETIF_F_HW_VLAN_CTAG_RX_BIT);
    /// The device inserts 802.1Q tags on transmit (the stack passes them beside the frame).
    pub const HW_VLAN_CTAG_TX: u64 = bit(bindings::NETIF_F_HW_VLAN_CTAG_TX_BIT);
    /// The device filters received 802.1Q frames by VLAN id
    /// ([`NetDeviceOps::vlan_rx_add_vid`](super::NetDeviceOps::vlan_rx_add_vid)).
    pub const HW_VLAN_CTAG_FILTER: u64 = bit(bindings::NETIF_F_HW_VLAN_CTAG_FILTER_BIT);
}

/// A VLAN id (C `vid`, 12 bits: 0 to 4095), as the core passes it to the filter callbacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VlanId(u16);

impl VlanId {
    /// The largest VLAN id (C `VLAN_N_VID - 1`).
    pub const MAX: u16 = (bindings::VLAN_N_VID - 1) as u16;

    /// `vid` as a VLAN id; `None` above [`VlanId::MAX`].
    pub const fn new(vid: u16) -> Option<Self> {
        if vid <= Self::MAX {
            Some(Self(vid))
        } else {
            None
        }
    }

    /// The id, at most [`VlanId::MAX`].
    pub const fn get(self) -> u16 {
        self.0
    }
}

/// Interface flags (C `IFF_*`, `net_device_flags`).
pub mod flags {
    use crate::bindings;

    /// Interface is administratively up.
    pub const UP: u32 = bindings::net_device_flags_IFF_UP;
    /// Broadcast address valid.
    pub const BROADCAST: u32 = bindings::net_device_flags_IFF_BROADCAST;
    /// Loopback interface. The stack takes a device with this flag for *the* loopback
    /// device of its namespace (IPv6 null routes, 127.0.0.1): only `lo` may set it.
    pub const LOOPBACK: u32 = bindings::net_device_flags_IFF_LOOPBACK;
    /// No ARP.
    pub const NOARP: u32 = bindings::net_device_flags_IFF_NOARP;
    /// Supports multicast.
    pub const MULTICAST: u32 = bindings::net_device_flags_IFF_MULTICAST;
    /// Receive all packets.
    pub const PROMISC: u32 = bindings::net_device_flags_IFF_PROMISC;
    /// Receive all multicast packets.
    pub const ALLMULTI: u32 = bindings::net_device_flags_IFF_ALLMULTI;
}

/// Private interface flags (C `IFF_*`, `netdev_priv_flags`).
pub mod priv_flags {
    use crate::bindings;

    /// The device filters secondary unicast addresses itself (`set_rx_mode` gets them);
    /// without it the core sets promiscuous mode when there are any.
    pub const UNICAST_FLT: u64 = bindings::netdev_priv_flags_IFF_UNICAST_FLT as u64;
    /// The MAC address can change while the device is up.
    pub const LIVE_ADDR_CHANGE: u64 = bindings::netdev_priv_flags_IFF_LIVE_ADDR_CHANGE as u64;
    /// The device has no qdisc by default.
    pub const NO_QUEUE: u64 = bindings::netdev_priv_flags_IFF_NO_QUEUE as u64;
    /// Netpoll is not supported.
    pub const DISABLE_NETPOLL: u64 = bindings::netdev_priv_flags_IFF_DISABLE_NETPOLL as u64;
    /// The stack may release the skb's dst before transmit.
    pub const XMIT_DST_RELEASE: u64 = bindings::netdev_priv_flags_IFF_XMIT_DST_RELEASE as u64;
    /// As above, permanently.
    pub const XMIT_DST_RELEASE_PERM: u64 =
        bindings::netdev_priv_flags_IFF_XMIT_DST_RELEASE_PERM as u64;
}

/// Hardware type of a device (C `ARPHRD_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HwType {
    /// `ARPHRD_ETHER`.
    Ether,
    /// `ARPHRD_LOOPBACK`.
    Loopback,
}

/// A network device, without its driver's private data type.
///
/// All accessors that a driver needs on its device live here; [`Device<T>`]
/// dereferences to it.
///
/// # Invariants
///
/// `self.0` is a valid `struct net_device` for the lifetime of the reference. What may
/// change only before registration is on [`Unregistered`]; what needs RTNL takes a
/// [`Rtnl`] proof.
#[repr(transparent)]
pub struct NetDev(Opaque<bindings::net_device>);

// SAFETY: `struct net_device` is shared between CPUs by design; methods follow the C
// locking rules for the fields they touch.
unsafe impl Sync for NetDev {}
// SAFETY: As above.
unsafe impl Send for NetDev {}

impl NetDev {
    /// Creates a reference from a raw pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct net_device` that stays valid for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw<'a>(ptr: *const bindings::net_device) -> &'a Self {
        // SAFETY: `NetDev` is `repr(transparent)` over the C struct; validity by the
        // safety requirements.
        unsafe { &*ptr.cast() }
    }

    /// The raw pointer, for other abstractions.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::net_device {
        self.raw()
    }

    #[inline]
    fn raw(&self) -> *mut bindings::net_device {
        // `Opaque::get` without the out-of-line call (it is on every packet): `NetDev` and
        // `Opaque` are `repr(transparent)` over the C struct, and `Opaque` holds it in an
        // `UnsafeCell`, so a pointer derived from `&self` may be used to write it.
        core::ptr::from_ref(self).cast_mut().cast()
    }

    /// The interface name (e.g. `eth0`; a `%d` pattern until the device is registered).
    pub fn name(&self) -> &CStr {
        // SAFETY: `name` is a NUL-terminated array inside the valid net_device
        // (`dev_alloc_name` and `strscpy` always terminate it).
        unsafe { CStr::from_char_ptr((*self.raw()).name.as_ptr()) }
    }

    /// The interface index (0 until the device is registered).
    pub fn ifindex(&self) -> i32 {
        // SAFETY: Reading an int of the valid net_device.
        unsafe { core::ptr::read_volatile(&(*self.raw()).ifindex) }
    }

    /// The current MTU.
    pub fn mtu(&self) -> u32 {
        // SAFETY: `mtu` is read locklessly by the stack too (`READ_ONCE`).
        unsafe { core::ptr::read_volatile(&(*self.raw()).mtu) }
    }

    /// Sets the MTU (C `WRITE_ONCE(dev->mtu, ..)`), e.g. from
    /// [`NetDeviceOps::change_mtu`]. RTNL serialises the writers.
    pub fn set_mtu(&self, _rtnl: &Rtnl, mtu: u32) {
        // SAFETY: Writers are serialised by RTNL (held by the proof); readers use
        // `READ_ONCE`.
        unsafe { core::ptr::write_volatile(&mut (*self.raw()).mtu, mtu) }
    }

    /// The lower MTU limit.
    pub fn min_mtu(&self) -> u32 {
        // SAFETY: Reading a field of the valid net_device.
        unsafe { (*self.raw()).min_mtu }
    }

    /// The upper MTU limit.
    pub fn max_mtu(&self) -> u32 {
        // SAFETY: Reading a field of the valid net_device.
        unsafe { (*self.raw()).max_mtu }
    }

    /// The active features ([`features`]).
    #[inline]
    pub fn features(&self) -> u64 {
        // SAFETY: Reading a field of the valid net_device.
        unsafe { core::ptr::read_volatile(&(*self.raw()).features) }
    }

    /// The XDP capabilities the device announces ([`super::xdp::features`]).
    pub fn xdp_features(&self) -> u32 {
        // SAFETY: Reading a field of the valid net_device.
        unsafe { core::ptr::read_volatile(&(*self.raw()).xdp_features) }
    }

    /// The interface flags ([`flags`]).
    pub fn flags(&self) -> u32 {
        // SAFETY: `flags` is read locklessly by the stack too.
        unsafe { core::ptr::read_volatile(&(*self.raw()).flags) }
    }

    /// Whether the interface is administratively up (`IFF_UP`).
    pub fn is_up(&self) -> bool {
        self.flags() & flags::UP != 0
    }

    /// Whether the device is running (C `netif_running`).
    pub fn is_running(&self) -> bool {
        // SAFETY: The device is valid; this is an atomic bit test.
        unsafe { bindings::netif_running(self.raw()) }
    }

    /// The device's MAC address.
    pub fn dev_addr(&self) -> [u8; ETH_ALEN] {
        let mut a = [0u8; ETH_ALEN];
        // SAFETY: `dev_addr` points to at least `addr_len` (ETH_ALEN for Ethernet-type
        // devices) bytes; it is set by `alloc_netdev`.
        unsafe {
            let p = (*self.raw()).dev_addr;
            if !p.is_null() {
                core::ptr::copy_nonoverlapping(p, a.as_mut_ptr(), ETH_ALEN);
            }
        }
        a
    }

    /// Sets the MAC address (C `eth_hw_addr_set`); `EADDRNOTAVAIL` if it is not a valid
    /// unicast address.
    pub fn set_dev_addr(&self, _rtnl: &Rtnl, addr: &[u8; ETH_ALEN]) -> Result {
        // SAFETY: RTNL is held (the proof), which serialises address changes.
        unsafe { set_dev_addr_raw(self.raw(), addr) }
    }

    /// Turns the carrier on (C `netif_carrier_on`); any context.
    pub fn carrier_on(&self) {
        // SAFETY: The device is valid; callable in any context.
        unsafe { bindings::netif_carrier_on(self.raw()) }
    }

    /// Turns the carrier off (C `netif_carrier_off`); any context.
    pub fn carrier_off(&self) {
        // SAFETY: The device is valid; callable in any context.
        unsafe { bindings::netif_carrier_off(self.raw()) }
    }

    /// Whether the carrier is on (C `netif_carrier_ok`).
    pub fn carrier_ok(&self) -> bool {
        // SAFETY: The device is valid; an atomic bit test.
        unsafe { bindings::netif_carrier_ok(self.raw()) }
    }

    /// Number of allocated TX queues.
    #[inline]
    pub fn num_tx_queues(&self) -> u32 {
        // SAFETY: Fixed at allocation.
        unsafe { (*self.raw()).num_tx_queues }
    }

    /// Number of TX queues in use.
    pub fn real_num_tx_queues(&self) -> u32 {
        // SAFETY: Reading a field of the valid net_device.
        unsafe { core::ptr::read_volatile(&(*self.raw()).real_num_tx_queues) }
    }

    /// The TX queue `index`, `None` if `index >= num_tx_queues()`.
    #[inline]
    pub fn tx_queue(&self, index: u32) -> Option<&TxQueue> {
        if index >= self.num_tx_queues() {
            return None;
        }
        // C `netdev_get_tx_queue`: `&dev->_tx[index]`, here without the call.
        // SAFETY: `index` is in range, so the queue is part of the device's `_tx` array of
        // `num_tx_queues` entries, which lives as long as the device.
        Some(unsafe { TxQueue::from_raw((*self.raw())._tx.add(index as usize)) })
    }

    /// Stops all TX queues (C `netif_tx_stop_all_queues`).
    pub fn tx_stop_all_queues(&self) {
        // SAFETY: The device is valid.
        unsafe { bindings::netif_tx_stop_all_queues(self.raw()) }
    }

    /// Stops all TX queues and waits for `start_xmit` calls in progress to return (C
    /// `netif_tx_disable`: takes each queue's TX lock). Process or softirq context; not from
    /// `start_xmit` itself.
    pub fn tx_disable(&self) {
        // SAFETY: The device is valid. (From `start_xmit` it would deadlock on its own queue
        // lock, which is a bug but not a memory-safety one.)
        unsafe { bindings::netif_tx_disable(self.raw()) }
    }

    /// Runs `f` with the xmit lock of TX queue `index` held (C `__netif_tx_lock_bh`), i.e. with
    /// `start_xmit` for that queue kept off; `None` if there is no such queue. Process
    /// context, not from `start_xmit` (it would wait for its own lock); `f` must not sleep.
    pub fn with_xmit_lock<R>(
        &self,
        index: u32,
        f: impl FnOnce(&mut XmitLock<'_>) -> R,
    ) -> Option<R> {
        let txq = self.tx_queue(index)?;
        // SAFETY: The queue is valid; process context, where the BH-disabling lock is allowed.
        unsafe { bindings::__netif_tx_lock_bh(txq.raw()) };
        let r = {
            // SAFETY: The lock was just taken and is held until after `lock` goes out of scope;
            // this is the only `XmitLock` of the queue while it is held.
            let mut lock = unsafe { XmitLock::new(txq) };
            f(&mut lock)
        };
        // SAFETY: Taken above by this context.
        unsafe { bindings::__netif_tx_unlock_bh(txq.raw()) };
        Some(r)
    }

    /// Whether the device transmits without the TX queue lock (C `dev->lltx`).
    #[inline]
    pub fn is_lltx(&self) -> bool {
        // SAFETY: Reading a flag of the valid net_device, set before registration. (The
        // bitfield sits in the `priv_flags_fast` group, a struct in an anonymous union.)
        unsafe { (*self.raw()).__bindgen_anon_1.__bindgen_anon_1.lltx() != 0 }
    }

    /// Wakes all TX queues (C `netif_tx_wake_all_queues`).
    pub fn tx_wake_all_queues(&self) {
        // SAFETY: The device is valid.
        unsafe { bindings::netif_tx_wake_all_queues(self.raw()) }
    }

    /// Starts all TX queues without scheduling them (C `netif_tx_start_all_queues`).
    pub fn tx_start_all_queues(&self) {
        // SAFETY: The device is valid.
        unsafe { bindings::netif_tx_start_all_queues(self.raw()) }
    }

    /// Sets the number of TX queues in use (C `netif_set_real_num_tx_queues`).
    pub fn set_real_num_tx_queues(&self, _rtnl: &Rtnl, n: u32) -> Result {
        // SAFETY: The device is valid and RTNL held (the proof); the C function checks `n`
        // against the allocated queues.
        to_result(unsafe { bindings::netif_set_real_num_tx_queues(self.raw(), n) })
    }

    /// Sets the number of RX queues in use (C `netif_set_real_num_rx_queues`).
    pub fn set_real_num_rx_queues(&self, _rtnl: &Rtnl, n: u32) -> Result {
        // SAFETY: As for `set_real_num_tx_queues`.
        to_result(unsafe { bindings::netif_set_real_num_rx_queues(self.raw(), n) })
    }

    /// Marks the device present again after a detach and wakes its queues
    /// (C `netif_device_attach`).
    pub fn device_attach(&self) {
        // SAFETY: The device is valid.
        unsafe { bindings::netif_device_attach(self.raw()) }
    }

    /// Marks the device as removed and stops its queues (C `netif_device_detach`).
    pub fn device_detach(&self) {
        // SAFETY: The device is valid.
        unsafe { bindings::netif_device_detach(self.raw()) }
    }

    /// Whether `self` and `other` are in the same network namespace.
    pub fn same_netns(&self, other: &NetDev) -> bool {
        // SAFETY: Both devices are valid, so are their namespaces while referenced.
        unsafe {
            bindings::net_eq(
                bindings::dev_net(self.raw()),
                bindings::dev_net(other.raw()),
            )
        }
    }
}

/// `eth_hw_addr_set` after checking `addr`.
///
/// # Safety
///
/// `dev` is valid and its address changes are serialised (RTNL held, or unpublished).
unsafe fn set_dev_addr_raw(dev: *mut bindings::net_device, addr: &[u8; ETH_ALEN]) -> Result {
    if !is_valid_ether_addr(addr) {
        return Err(super::errno(bindings::EADDRNOTAVAIL));
    }
    // SAFETY: `addr` holds ETH_ALEN bytes; serialised by the safety requirements.
    unsafe { bindings::eth_hw_addr_set(dev, addr.as_ptr()) };
    Ok(())
}

/// A device that is not registered: the configuration that the stack reads only at
/// registration or in its data path (features, flags, MTU limits, lockless transmit,
/// header lengths, queue counts), set before anything else can see the device.
///
/// Only the abstractions hand one out, and only for a device nobody else can reach yet:
/// [`Registration::config`] (borrowing the unregistered [`Registration`] mutably) and
/// [`super::rtnl::LinkOps::setup`]. It is neither `Send` nor `Sync`. A registered device
/// has no such handle, so a callback cannot change, say, `lltx` under the stack's feet.
///
/// # Invariants
///
/// The device is valid, not registered, and accessed only through this handle while it
/// is borrowed.
#[repr(transparent)]
pub struct Unregistered(NetDev, PhantomData<*mut ()>);

impl Deref for Unregistered {
    type Target = NetDev;
    fn deref(&self) -> &NetDev {
        &self.0
    }
}

impl Unregistered {
    /// # Safety
    ///
    /// `ptr` must be a valid, unregistered net_device that only the returned handle
    /// configures during `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::net_device) -> &'a Self {
        // SAFETY: `repr(transparent)` over `NetDev` (the marker is a ZST).
        unsafe { &*ptr.cast() }
    }

    fn raw(&self) -> *mut bindings::net_device {
        self.0.raw()
    }

    /// Sets the MTU.
    pub fn set_mtu(&self, mtu: u32) {
        // SAFETY: Unregistered: this handle is the only writer (type invariant).
        unsafe { (*self.raw()).mtu = mtu }
    }

    /// Sets the MTU limits the core checks before `change_mtu`.
    pub fn set_mtu_range(&self, min: u32, max: u32) {
        // SAFETY: As in `set_mtu`.
        unsafe {
            (*self.raw()).min_mtu = min;
            (*self.raw()).max_mtu = max;
        }
    }

    /// Sets the active features (afterwards the core owns them).
    pub fn set_features(&self, f: u64) {
        // SAFETY: As in `set_mtu`.
        unsafe { (*self.raw()).features = f }
    }

    /// Sets the user-changeable features (C `hw_features`).
    pub fn set_hw_features(&self, f: u64) {
        // SAFETY: As in `set_mtu`.
        unsafe { (*self.raw()).hw_features = f }
    }

    /// Sets the features inherited by VLAN devices.
    pub fn set_vlan_features(&self, f: u64) {
        // SAFETY: As in `set_mtu`.
        unsafe { (*self.raw()).vlan_features = f }
    }

    /// Announces the XDP capabilities ([`super::xdp::features`]). Registration keeps only
    /// those the driver's ops implement ([`NetDeviceOps::xdp_setup`] for `BASIC` and
    /// `REDIRECT`, [`NetDeviceOps::xdp_xmit`] for `NDO_XMIT`): the core calls
    /// `ndo_xdp_xmit` on a device that announces `NDO_XMIT` without checking that it has one.
    pub fn set_xdp_features(&self, f: u32) {
        // SAFETY: As in `set_mtu`.
        unsafe { (*self.raw()).xdp_features = f }
    }

    /// Sets interface flags ([`flags`], e.g. [`flags::NOARP`]).
    pub fn set_flags(&self, f: u32) {
        // SAFETY: As in `set_mtu`.
        unsafe { (*self.raw()).flags = f }
    }

    /// Adds and removes private flags ([`priv_flags`]).
    ///
    /// `IFF_TX_SKB_SHARING` is never added: a [`SkBuff`] owns its buffer exclusively, which
    /// a device that lets pktgen hand it one buffer several times would break.
    pub fn update_priv_flags(&self, add: u64, remove: u64) {
        let add = add & !NO_SHARING;
        // SAFETY: As in `set_mtu`.
        unsafe { bindings::netdev_update_priv_flags(self.raw(), add, remove) }
    }

    /// Keeps the skb's route across `ndo_start_xmit` (C `netif_keep_dst`), needed by
    /// devices that loop packets back into the stack.
    pub fn keep_dst(&self) {
        self.update_priv_flags(
            0,
            priv_flags::XMIT_DST_RELEASE | priv_flags::XMIT_DST_RELEASE_PERM,
        );
    }

    /// Declares lockless transmit (C `dev->lltx`): `start_xmit` is called without the
    /// TX queue lock, so it must be safe to run concurrently.
    pub fn set_lltx(&self, lltx: bool) {
        // SAFETY: As in `set_mtu`.
        unsafe { bindings::netdev_set_lltx(self.raw(), lltx) }
    }

    /// Forbids moving the device to another network namespace (C `netns_local`).
    pub fn set_netns_local(&self, local: bool) {
        // SAFETY: As in `set_mtu`.
        unsafe { bindings::netdev_set_netns_local(self.raw(), local) }
    }

    /// Sets the hardware type and the matching header lengths.
    pub fn set_hw_type(&self, t: HwType) {
        let ty = match t {
            HwType::Ether => bindings::ARPHRD_ETHER,
            HwType::Loopback => bindings::ARPHRD_LOOPBACK,
        };
        // SAFETY: As in `set_mtu`.
        unsafe {
            // CAST: ARPHRD values fit in `unsigned short`.
            (*self.raw()).type_ = ty as u16;
            (*self.raw()).hard_header_len = bindings::ETH_HLEN as u16;
            (*self.raw()).min_header_len = bindings::ETH_HLEN as u8;
            (*self.raw()).addr_len = ETH_ALEN as u8;
        }
    }

    /// Sets the default TX queue length (for qdiscs).
    pub fn set_tx_queue_len(&self, len: u32) {
        // SAFETY: As in `set_mtu`.
        unsafe { (*self.raw()).tx_queue_len = len }
    }

    /// Sets the maximum GSO/TSO size the device accepts (C `netif_set_tso_max_size`).
    pub fn set_tso_max_size(&self, size: u32) {
        // SAFETY: As in `set_mtu`.
        unsafe { bindings::netif_set_tso_max_size(self.raw(), size) }
    }

    /// Sets the MAC address (C `eth_hw_addr_set`); `EADDRNOTAVAIL` if it is not a valid
    /// unicast address.
    pub fn set_dev_addr(&self, addr: &[u8; ETH_ALEN]) -> Result {
        // SAFETY: As in `set_mtu`.
        unsafe { set_dev_addr_raw(self.raw(), addr) }
    }

    /// Sets a random locally administered MAC address (C `eth_hw_addr_random`).
    pub fn set_random_addr(&self) {
        // SAFETY: As in `set_mtu`.
        unsafe { bindings::eth_hw_addr_random(self.raw()) }
    }

    /// Sets the number of TX and RX queues in use (C `netif_set_real_num_{tx,rx}_queues`).
    pub fn set_real_num_queues(&self, tx: u32, rx: u32) -> Result {
        // SAFETY: As in `set_mtu`; the C functions check the numbers against the allocated
        // queues.
        to_result(unsafe { bindings::netif_set_real_num_tx_queues(self.raw(), tx) })?;
        // SAFETY: As above.
        to_result(unsafe { bindings::netif_set_real_num_rx_queues(self.raw(), rx) })
    }
}

/// `IFF_TX_SKB_SHARING`, which `ether_setup` sets and the abstractions clear (see
/// [`Unregistered::update_priv_flags`]).
const NO_SHARING: u64 = bindings::netdev_priv_flags_IFF_TX_SKB_SHARING as u64;

/// Whether `addr` is a valid unicast Ethernet address (not zero, not multicast).
pub fn is_valid_ether_addr(addr: &[u8; ETH_ALEN]) -> bool {
    // SAFETY: `addr` holds ETH_ALEN bytes.
    unsafe { bindings::is_valid_ether_addr(addr.as_ptr()) }
}

/// Length of the host's RSS key (C `NETDEV_RSS_KEY_LEN`).
pub const RSS_KEY_LEN: usize = bindings::NETDEV_RSS_KEY_LEN as usize;

/// Fills `key` with the host's RSS hash key (C `netdev_rss_key_fill`): random, chosen once
/// per boot and shared by all devices. Only the first [`RSS_KEY_LEN`] bytes are written (the C
/// function `BUG`s on longer buffers).
pub fn rss_key_fill(key: &mut [u8]) {
    let len = key.len().min(RSS_KEY_LEN);
    // SAFETY: `key` is valid for writes of `len <= key.len()` bytes, and `len` is within the
    // C key's size, so the copy stays inside both.
    unsafe { bindings::netdev_rss_key_fill(key.as_mut_ptr().cast(), len) }
}

/// The number of the CPU this runs on (C `raw_smp_processor_id`): exact where the caller
/// cannot migrate (BH or preemption disabled, e.g. in a NAPI poll or a transmit path), a hint
/// elsewhere. Drivers pick per-CPU resources such as an XDP transmit queue with it.
#[inline]
pub fn current_cpu() -> u32 {
    // SAFETY: Reads the current CPU number; no requirement.
    let cpu = unsafe { bindings::raw_smp_processor_id() };
    // CAST: CPU numbers are non-negative.
    cpu as u32
}

/// Whether the stack will pass more packets to `start_xmit` right away (C
/// `netdev_xmit_more`): the driver may delay the doorbell. Only meaningful in
/// [`NetDeviceOps::start_xmit`] and [`NetDeviceOps::start_xmit_locked`].
#[inline]
pub fn xmit_more() -> bool {
    // SAFETY: Reads a per-CPU flag; valid in the transmit path (BH disabled).
    unsafe { bindings::netdev_xmit_more() }
}

/// A full memory barrier between CPUs (C `smp_mb`).
#[inline]
fn smp_mb() {
    // SAFETY: A barrier has no preconditions.
    unsafe { bindings::smp_mb() }
}

/// A TX queue of a device (C `struct netdev_queue`).
///
/// # Invariants
///
/// `self.0` is a TX queue of a valid net_device, valid for the reference's lifetime.
#[repr(transparent)]
pub struct TxQueue(Opaque<bindings::netdev_queue>);

impl TxQueue {
    /// # Safety
    ///
    /// `ptr` must point to a valid `netdev_queue` that outlives `'a`.
    #[inline]
    unsafe fn from_raw<'a>(ptr: *mut bindings::netdev_queue) -> &'a Self {
        // SAFETY: `repr(transparent)`; validity by the safety requirements.
        unsafe { &*ptr.cast() }
    }

    #[inline]
    pub(crate) fn raw(&self) -> *mut bindings::netdev_queue {
        // As `NetDev::raw`: `repr(transparent)` over an `Opaque` of the C struct.
        core::ptr::from_ref(self).cast_mut().cast()
    }

    /// Stops the queue: the stack will not call `start_xmit` for it until woken.
    #[inline]
    pub fn stop(&self) {
        // SAFETY: The queue is valid; an atomic bit operation.
        unsafe { bindings::netif_tx_stop_queue(self.raw()) }
    }

    /// Starts the queue without scheduling it (at `open`).
    pub fn start(&self) {
        // SAFETY: The queue is valid; an atomic bit operation.
        unsafe { bindings::netif_tx_start_queue(self.raw()) }
    }

    /// Wakes a stopped queue and schedules it (e.g. from TX completion).
    #[inline]
    pub fn wake(&self) {
        // SAFETY: The queue is valid; callable from any context.
        unsafe { bindings::netif_tx_wake_queue(self.raw()) }
    }

    /// Whether the queue is stopped by the driver.
    #[inline]
    pub fn is_stopped(&self) -> bool {
        // SAFETY: The queue is valid; an atomic bit test.
        unsafe { bindings::netif_tx_queue_stopped(self.raw()) }
    }

    /// BQL: `bytes` were queued for the hardware; call from `start_xmit`, once per packet.
    /// Returns whether the driver must write its doorbell (tail register) now: when the
    /// stack passes no more packets right away ([`xmit_more`] is false) or the queue is
    /// stopped, as no further `start_xmit` would then ring it (C `__netdev_tx_sent_queue`
    /// with `netdev_xmit_more()`). With more packets coming BQL only counts the bytes: it
    /// stops the queue on the last packet of a batch, never with the doorbell deferred.
    #[inline]
    #[must_use]
    pub fn sent(&self, bytes: u32) -> bool {
        // SAFETY: The queue is valid; called in the transmit path of this queue (BH
        // disabled, so the per-CPU `xmit_more` flag is this transmit's).
        unsafe { bindings::netdev_tx_sent_queue_more(self.raw(), bytes) }
    }

    /// BQL: `pkts` packets of `bytes` bytes completed (C `netdev_tx_completed_queue`);
    /// call once per TX cleanup round. May wake the queue.
    #[inline]
    pub fn completed(&self, pkts: u32, bytes: u32) {
        // SAFETY: The queue is valid; called from the TX completion path.
        unsafe { bindings::netdev_tx_completed_queue(self.raw(), pkts, bytes) }
    }

    /// Stops the queue if fewer than `stop_at` descriptors are `free()`, without losing a
    /// wake-up (C `netif_txq_maybe_stop`); call at the end of `start_xmit`. Returns whether the
    /// queue is stopped.
    ///
    /// The completion path may free descriptors between the check and the stop, and then not
    /// see the queue stopped: after stopping, a full barrier (paired with the one in
    /// [`TxQueue::completed_wake`]) and a second look at `free()` restart the queue if room
    /// appeared meanwhile.
    #[inline]
    pub fn maybe_stop(&self, free: impl Fn() -> u32, stop_at: u32, start_at: u32) -> bool {
        if free() >= stop_at {
            return false;
        }
        self.stop();
        smp_mb();
        if free() >= start_at {
            self.start();
            return false;
        }
        true
    }

    /// BQL completion plus the wake-up of a queue stopped for lack of descriptors (C
    /// `netif_txq_completed_wake`): wakes it if at least `start_at` descriptors are `free()`
    /// and `may_wake` (the device is not going down). Call once per cleanup round, after the
    /// freed descriptors were given back. Returns whether it woke the queue.
    #[inline]
    pub fn completed_wake(
        &self,
        pkts: u32,
        bytes: u32,
        free: impl Fn() -> u32,
        start_at: u32,
        may_wake: bool,
    ) -> bool {
        self.completed(pkts, bytes);
        // Pairs with the barrier in `maybe_stop`: either `start_xmit` sees the descriptors
        // freed, or this sees the queue stopped.
        smp_mb();
        if free() >= start_at && may_wake && self.is_stopped() {
            self.wake();
            return true;
        }
        false
    }

    /// BQL: forgets in-flight accounting (C `netdev_tx_reset_queue`), when the ring is
    /// cleaned at `stop`/reset.
    pub fn reset(&self) {
        // SAFETY: The queue is valid.
        unsafe { bindings::netdev_tx_reset_queue(self.raw()) }
    }
}

/// Result of [`NetDeviceOps::start_xmit`] (C `netdev_tx_t`).
pub enum NetdevTx {
    /// `NETDEV_TX_OK`: the driver took the buffer (queued, sent or dropped it).
    Ok,
    /// `NETDEV_TX_BUSY`: the driver could not take the buffer and gives it back; the
    /// stack requeues it. Drivers should stop the queue before returning this.
    Busy(SkBuff),
}

/// Interface statistics filled by [`NetDeviceOps::get_stats64`] (C
/// `struct rtnl_link_stats64`); the stack zeroes it before the call.
#[repr(transparent)]
pub struct RtnlLinkStats64(bindings::rtnl_link_stats64);

impl Deref for RtnlLinkStats64 {
    type Target = bindings::rtnl_link_stats64;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for RtnlLinkStats64 {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// The private area of a device created by this module.
///
/// # Invariants
///
/// `data` is initialised iff `live` is true. The area is zeroed by `alloc_netdev`, so
/// a fresh device has `live == false` and a null `peer`.
#[repr(C)]
pub(crate) struct Priv<T> {
    /// RCU-protected pointer to a paired device (see [`super::rtnl`]).
    pub(crate) peer: AtomicPtr<bindings::net_device>,
    pub(crate) live: AtomicBool,
    /// The size of each ethtool string set as last answered to the core
    /// (`get_sset_count`), which sized its buffer for `get_strings` with it (see
    /// [`super::ethtool`]).
    pub(crate) sset_len: [AtomicU32; SSET_SLOTS],
    pub(crate) data: UnsafeCell<MaybeUninit<T>>,
}

/// Number of ethtool string sets (C `ETH_SS_COUNT`).
pub(crate) const SSET_SLOTS: usize = bindings::ethtool_stringset_ETH_SS_COUNT as usize;

impl<T> Priv<T> {
    /// The private area of `dev`.
    ///
    /// # Safety
    ///
    /// `dev` must be a valid net_device allocated with a private area of
    /// `size_of::<Priv<T>>()` bytes.
    #[inline]
    pub(crate) unsafe fn of<'a>(dev: *const bindings::net_device) -> &'a Self {
        build_assert!(core::mem::align_of::<Priv<T>>() <= bindings::NETDEV_ALIGN as usize);
        // C `netdev_priv`: the private area follows the structure, NETDEV_ALIGN-aligned
        // (computed here rather than called: `start_xmit` and every poll use it).
        // CAST: NETDEV_ALIGN is 32.
        const OFFSET: usize = core::mem::size_of::<bindings::net_device>()
            .next_multiple_of(bindings::NETDEV_ALIGN as usize);
        // SAFETY: The private area is at `OFFSET` of the net_device allocation,
        // NETDEV_ALIGN-aligned, of the right size by the safety requirements.
        unsafe { &*dev.cast::<u8>().add(OFFSET).cast::<Self>() }
    }

    /// Size to pass as `sizeof_priv`.
    pub(crate) const SIZE: usize = core::mem::size_of::<Priv<T>>();

    /// Initialises `data` in place.
    ///
    /// # Safety
    ///
    /// `data` must not be live and nothing else may access this area concurrently.
    pub(crate) unsafe fn init(&self, init: impl PinInit<T, Error>) -> Result {
        let slot = self.data.get().cast::<T>();
        // SAFETY: The slot is uninitialised and will not move (it lives in the
        // net_device allocation until `free_netdev`); on error nothing is left behind.
        unsafe { init.__pinned_init(slot)? };
        // INVARIANT: `data` is now initialised.
        self.live.store(true, Ordering::Release);
        Ok(())
    }

    /// Drops `data` if it is live.
    ///
    /// # Safety
    ///
    /// No other code may use `data` now or later.
    pub(crate) unsafe fn destroy(&self) {
        if self.live.swap(false, Ordering::AcqRel) {
            // SAFETY: `data` was live and no one else uses it.
            unsafe { core::ptr::drop_in_place(self.data.get().cast::<T>()) };
        }
    }

    /// `priv_destructor` trampoline: drops `T`.
    ///
    /// # Safety
    ///
    /// Called by the core on a device of this module, after unregistration (when all
    /// callbacks have finished) or on a failed registration.
    pub(crate) unsafe extern "C" fn destructor(dev: *mut bindings::net_device) {
        // SAFETY: The device has a `Priv<T>` area and is no longer used by anyone.
        unsafe { Self::of(dev).destroy() }
    }
}

/// A network device whose private data is a `T`.
///
/// # Invariants
///
/// The device was set up by this module with a [`Priv<T>`] private area whose `data`
/// is live for as long as the reference exists (callbacks run only between data
/// initialisation and the `priv_destructor`).
#[repr(transparent)]
pub struct Device<T>(NetDev, PhantomData<T>);

impl<T> Device<T> {
    /// # Safety
    ///
    /// `ptr` must be a valid net_device with a live `Priv<T>` area, for `'a`.
    #[inline]
    pub(crate) unsafe fn from_raw<'a>(ptr: *const bindings::net_device) -> &'a Self {
        // SAFETY: `repr(transparent)` over `NetDev`; validity by the requirements.
        unsafe { &*ptr.cast() }
    }

    /// The driver's private data.
    #[inline]
    pub fn data(&self) -> Pin<&T> {
        // SAFETY: By the type invariant the private area holds a live `T`.
        let p = unsafe { Priv::<T>::of(self.0.raw()) };
        // SAFETY: `data` is live; it never moves (pinned in the device allocation).
        unsafe { Pin::new_unchecked(&*p.data.get().cast::<T>()) }
    }
}

impl<T: NetDeviceOps> Device<T> {
    /// Programs the receive filters again from the interface flags and address lists, as the
    /// core does whenever they change (the `ndo_set_rx_mode` call of C `__dev_set_rx_mode`),
    /// for a driver whose hardware lost them: a reset at resume or in error recovery. RTNL
    /// held; takes the address list lock, so not from [`NetDeviceOps::set_rx_mode`] itself.
    pub fn sync_rx_mode(&self, _rtnl: &Rtnl) {
        if !T::HAS_SET_RX_MODE {
            return;
        }
        // SAFETY: The device is valid (type invariant); process context (RTNL held).
        unsafe { bindings::netif_addr_lock_bh(self.0.raw()) };
        {
            // SAFETY: The address list lock is held until the unlock below; `mode` is dropped
            // before it.
            let mode = unsafe { RxMode::new(self) };
            T::set_rx_mode(self, &mode);
        }
        // SAFETY: Locked above by this task.
        unsafe { bindings::netif_addr_unlock_bh(self.0.raw()) };
    }
}

impl<T> Deref for Device<T> {
    type Target = NetDev;
    fn deref(&self) -> &NetDev {
        &self.0
    }
}

/// Operations of a network device (C `struct net_device_ops`), implemented by the
/// driver's private data type.
///
/// Each method documents the context it is called in.
#[vtable]
pub trait NetDeviceOps: Sized + Send + Sync + 'static {
    /// Whether `open` requires a valid unicast MAC address (C `eth_validate_addr`);
    /// loopback-like devices with an all-zero address set this to `false`.
    const VALIDATE_ADDR: bool = true;

    /// The interface is brought up. RTNL held, process context.
    fn open(_dev: &Device<Self>) -> Result {
        Ok(())
    }

    /// The interface is brought down. RTNL held, process context.
    fn stop(_dev: &Device<Self>) -> Result {
        Ok(())
    }

    /// Transmits `skb`. BH disabled, the TX queue's lock held (unless the device is
    /// lockless, see [`NetDev::set_lltx`]).
    ///
    /// Implement this or [`NetDeviceOps::start_xmit_locked`].
    fn start_xmit(_dev: &Device<Self>, _skb: SkBuff) -> NetdevTx {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Transmits `skb`, as [`NetDeviceOps::start_xmit`], with the proof that the xmit lock of
    /// the packet's TX queue (`skb.queue_mapping()`) is held: driver data of that queue in an
    /// [`XmitCell`](super::xmit_lock::XmitCell) needs no lock of its own. The core holds the
    /// lock; on a lockless device the callback takes it around this call. BH disabled (IRQs
    /// too under netpoll).
    fn start_xmit_locked(_dev: &Device<Self>, _skb: SkBuff, _lock: &mut XmitLock<'_>) -> NetdevTx {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Fills the interface statistics. Any context (may be atomic), concurrent with the
    /// data path.
    fn get_stats64(_dev: &Device<Self>, _stats: &mut RtnlLinkStats64) {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Sets the MAC address (already validated as unicast). RTNL held. The driver
    /// programs the hardware and calls [`NetDev::set_dev_addr`].
    fn set_mac_address(_dev: &Device<Self>, _rtnl: &Rtnl, _addr: &[u8; ETH_ALEN]) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Changes the MTU (already checked against the device's limits). RTNL held. The
    /// driver reconfigures and calls [`NetDev::set_mtu`].
    fn change_mtu(_dev: &Device<Self>, _rtnl: &Rtnl, _new_mtu: u32) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Applies the unicast/multicast filters and flags: `mode` gives the interface flags and
    /// walks the address lists. The address list lock is held with BH disabled: atomic
    /// context. Without [`priv_flags::UNICAST_FLT`] the core turns secondary unicast
    /// addresses into promiscuous mode instead of passing them here.
    fn set_rx_mode(_dev: &Device<Self>, _mode: &RxMode<'_>) {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// The TX watchdog found queue `txqueue` stuck. Timer (softirq) context.
    fn tx_timeout(_dev: &Device<Self>, _txqueue: u32) {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Adjusts a requested feature set to what the device can do at once (C
    /// `ndo_fix_features`): returns `features` with the combinations it cannot do removed.
    /// RTNL held.
    fn fix_features(_dev: &Device<Self>, _rtnl: &Rtnl, _features: u64) -> u64 {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Applies a change of the active features: `features` is the new set, the device's
    /// [`NetDev::features`] still the old one (the core stores the new set after success).
    /// RTNL held, process context.
    fn set_features(_dev: &Device<Self>, _rtnl: &Rtnl, _features: u64) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Lets frames of VLAN `vid` (ethertype `proto`, 0x8100 for 802.1Q) through the device's
    /// VLAN filter ([`features::HW_VLAN_CTAG_FILTER`]). RTNL held, process context.
    fn vlan_rx_add_vid(_dev: &Device<Self>, _rtnl: &Rtnl, _proto: u16, _vid: VlanId) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Filters frames of VLAN `vid` out again. RTNL held, process context.
    fn vlan_rx_kill_vid(_dev: &Device<Self>, _rtnl: &Rtnl, _proto: u16, _vid: VlanId) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Attaches XDP program `prog` to the receive path, replacing the one attached (`None`:
    /// detaches it); C `ndo_bpf` with `XDP_SETUP_PROG`. Keep it in an
    /// [`XdpProgSlot`](super::xdp::XdpProgSlot); on error the device keeps its old program
    /// (explain the refusal in `ext`). RTNL held, process context; frames may be arriving.
    fn xdp_setup(
        _dev: &Device<Self>,
        _rtnl: &Rtnl,
        _prog: Option<BpfProg>,
        _ext: &ExtAck,
    ) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Sends the frames another device's XDP program redirected here (C `ndo_xdp_xmit`), in
    /// order, and moves the TX tail if `flush`. Every frame taken from `frames` counts as
    /// sent (a frame that cannot be sent is dropped, which returns it); the core frees those
    /// not taken. An error with no frame taken fails the whole call. BH disabled, any CPU,
    /// concurrently with the device's own transmit path.
    fn xdp_xmit(_dev: &Device<Self>, _frames: &mut XdpXmit<'_>, _flush: bool) -> Result {
        kernel::build_error(VTABLE_DEFAULT_ERROR)
    }
}

struct Adapter<T: NetDeviceOps>(PhantomData<T>);

impl<T: NetDeviceOps> Adapter<T> {
    /// # Safety
    ///
    /// `dev` must be passed by the core to a callback of this vtable.
    unsafe extern "C" fn open_callback(dev: *mut bindings::net_device) -> crate::ffi::c_int {
        from_result(|| {
            // SAFETY: The core calls `ndo_open` on a registered device (data live) with
            // RTNL held.
            let dev = unsafe { Device::<T>::from_raw(dev) };
            T::open(dev)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// `dev` must be passed by the core to a callback of this vtable.
    unsafe extern "C" fn stop_callback(dev: *mut bindings::net_device) -> crate::ffi::c_int {
        from_result(|| {
            // SAFETY: The core calls `ndo_stop` on a registered device with RTNL held.
            let dev = unsafe { Device::<T>::from_raw(dev) };
            T::stop(dev)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// `skb` and `dev` must be passed by the core to `ndo_start_xmit`.
    unsafe extern "C" fn start_xmit_callback(
        skb: *mut bindings::sk_buff,
        dev: *mut bindings::net_device,
    ) -> bindings::netdev_tx_t {
        // SAFETY: The core calls `ndo_start_xmit` on a registered device, BH disabled,
        // with the TX queue lock held unless the device is lockless.
        let dev = unsafe { Device::<T>::from_raw(dev) };
        // SAFETY: The core passes ownership of a valid skb to the driver.
        let Some(skb) = (unsafe { SkBuff::from_raw(skb) }) else {
            return bindings::netdev_tx_NETDEV_TX_OK;
        };
        let ret = if T::HAS_START_XMIT_LOCKED {
            // CAST: u16 to u32.
            let Some(txq) = dev.tx_queue(u32::from(skb.queue_mapping())) else {
                // Not a queue the core could have locked.
                drop(skb);
                return bindings::netdev_tx_NETDEV_TX_OK;
            };
            let lltx = dev.is_lltx();
            if lltx {
                Self::lltx_lock(txq);
            }
            let ret = {
                // The core took the xmit lock of `skb->queue_mapping`'s queue before this call
                // (C `HARD_TX_LOCK`) and holds it until it returns; on a lockless device it was
                // taken just above and is released after this scope.
                // SAFETY: That lock is held for the scope; nothing else makes an `XmitLock` of it.
                let mut lock = unsafe { XmitLock::new(txq) };
                T::start_xmit_locked(dev, skb, &mut lock)
            };
            if lltx {
                Self::lltx_unlock(txq);
            }
            ret
        } else {
            T::start_xmit(dev, skb)
        };
        match ret {
            NetdevTx::Ok => bindings::netdev_tx_NETDEV_TX_OK,
            NetdevTx::Busy(skb) => {
                // The stack keeps ownership of a buffer refused with TX_BUSY.
                let _ = skb.into_raw();
                bindings::netdev_tx_NETDEV_TX_BUSY
            }
        }
    }

    /// Takes the xmit lock of `txq` for `start_xmit_locked` on a lockless device (the core
    /// holds none). Out of line: no device with `start_xmit_locked` is expected to be lockless.
    #[cold]
    #[inline(never)]
    fn lltx_lock(txq: &TxQueue) {
        // SAFETY: The queue is valid; BH is disabled (start_xmit) and the core holds none of
        // this device's queue locks on a lockless device.
        unsafe { bindings::__netif_tx_lock(txq.raw(), bindings::raw_smp_processor_id()) };
    }

    /// Releases what [`Self::lltx_lock`] took.
    #[cold]
    #[inline(never)]
    fn lltx_unlock(txq: &TxQueue) {
        // SAFETY: Taken by `lltx_lock` in this context.
        unsafe { bindings::__netif_tx_unlock(txq.raw()) };
    }

    /// # Safety
    ///
    /// `dev` and `stats` must be passed by the core to `ndo_get_stats64`.
    unsafe extern "C" fn get_stats64_callback(
        dev: *mut bindings::net_device,
        stats: *mut bindings::rtnl_link_stats64,
    ) {
        // SAFETY: `dev_get_stats` calls this on a registered device.
        let dev = unsafe { Device::<T>::from_raw(dev) };
        // SAFETY: `stats` is a valid, exclusive buffer for the duration of the call;
        // `RtnlLinkStats64` is `repr(transparent)`.
        let stats = unsafe { &mut *stats.cast::<RtnlLinkStats64>() };
        T::get_stats64(dev, stats);
    }

    /// # Safety
    ///
    /// `dev` and `addr` must be passed by the core to `ndo_set_mac_address`.
    unsafe extern "C" fn set_mac_address_callback(
        dev: *mut bindings::net_device,
        addr: *mut crate::ffi::c_void,
    ) -> crate::ffi::c_int {
        from_result(|| {
            // SAFETY: Called with RTNL held on a registered device.
            let dev = unsafe { Device::<T>::from_raw(dev) };
            // SAFETY: `addr` is a `struct sockaddr` from `dev_set_mac_address`; the function
            // checks it is a valid unicast address and that the device allows the change now.
            to_result(unsafe { bindings::eth_prepare_mac_addr_change(dev.raw(), addr) })?;
            let mut mac = [0u8; ETH_ALEN];
            // SAFETY: `sa_data` holds at least 14 bytes, ETH_ALEN of which are the MAC.
            unsafe {
                core::ptr::copy_nonoverlapping(
                    bindings::netdev_sockaddr_data(addr),
                    mac.as_mut_ptr(),
                    ETH_ALEN,
                )
            };
            // SAFETY: The core calls `ndo_set_mac_address` with RTNL held.
            let rtnl = unsafe { Rtnl::assume_held() };
            T::set_mac_address(dev, rtnl, &mac)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// `dev` must be passed by the core to `ndo_change_mtu`.
    unsafe extern "C" fn change_mtu_callback(
        dev: *mut bindings::net_device,
        new_mtu: crate::ffi::c_int,
    ) -> crate::ffi::c_int {
        from_result(|| {
            // SAFETY: Called with RTNL held on a registered device.
            let dev = unsafe { Device::<T>::from_raw(dev) };
            let mtu = u32::try_from(new_mtu).map_err(|_| EINVAL)?;
            // SAFETY: The core calls `ndo_change_mtu` with RTNL held.
            let rtnl = unsafe { Rtnl::assume_held() };
            T::change_mtu(dev, rtnl, mtu)?;
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// `dev` must be passed by the core to `ndo_set_rx_mode`.
    unsafe extern "C" fn set_rx_mode_callback(dev: *mut bindings::net_device) {
        // SAFETY: Called with the address list lock held on a registered device.
        let dev = unsafe { Device::<T>::from_raw(dev) };
        // SAFETY: `__dev_set_rx_mode` holds `netif_addr_lock_bh` for the whole call, and the
        // `RxMode` does not outlive it.
        let mode = unsafe { RxMode::new(dev) };
        T::set_rx_mode(dev, &mode);
    }

    /// # Safety
    ///
    /// `dev` must be passed by the core to `ndo_tx_timeout`.
    unsafe extern "C" fn tx_timeout_callback(
        dev: *mut bindings::net_device,
        txqueue: crate::ffi::c_uint,
    ) {
        // SAFETY: Called by the TX watchdog on a registered, running device.
        let dev = unsafe { Device::<T>::from_raw(dev) };
        T::tx_timeout(dev, txqueue);
    }

    /// # Safety
    ///
    /// `dev` must be passed by the core to `ndo_fix_features`.
    unsafe extern "C" fn fix_features_callback(
        dev: *mut bindings::net_device,
        features: bindings::netdev_features_t,
    ) -> bindings::netdev_features_t {
        // SAFETY: `__netdev_update_features` calls this with RTNL held on a registered device.
        let (dev, rtnl) = unsafe { (Device::<T>::from_raw(dev), Rtnl::assume_held()) };
        T::fix_features(dev, rtnl, features)
    }

    /// # Safety
    ///
    /// `dev` must be passed by the core to `ndo_set_features`.
    unsafe extern "C" fn set_features_callback(
        dev: *mut bindings::net_device,
        features: bindings::netdev_features_t,
    ) -> crate::ffi::c_int {
        // SAFETY: `__netdev_update_features` calls this with RTNL held on a registered device.
        let (dev, rtnl) = unsafe { (Device::<T>::from_raw(dev), Rtnl::assume_held()) };
        from_result(|| T::set_features(dev, rtnl, features).map(|()| 0))
    }

    /// `ndo_vlan_rx_add_vid` (`ADD`) or `ndo_vlan_rx_kill_vid`.
    ///
    /// # Safety
    ///
    /// `dev` must be passed by the core to the callback of that name.
    unsafe extern "C" fn vlan_vid_callback<const ADD: bool>(
        dev: *mut bindings::net_device,
        proto: bindings::__be16,
        vid: u16,
    ) -> crate::ffi::c_int {
        // SAFETY: `vlan_vid_add`/`vlan_vid_del` call the filter callbacks with RTNL held on a
        // registered device (they assert RTNL).
        let (dev, rtnl) = unsafe { (Device::<T>::from_raw(dev), Rtnl::assume_held()) };
        from_result(|| {
            let (proto, vid) = (u16::from_be(proto), VlanId::new(vid).ok_or(EINVAL)?);
            if ADD {
                T::vlan_rx_add_vid(dev, rtnl, proto, vid)?;
            } else {
                T::vlan_rx_kill_vid(dev, rtnl, proto, vid)?;
            }
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// `dev` and `bpf` must be passed by the core to `ndo_bpf`.
    unsafe extern "C" fn bpf_callback(
        dev: *mut bindings::net_device,
        bpf: *mut bindings::netdev_bpf,
    ) -> crate::ffi::c_int {
        // SAFETY: `dev_xdp_install` (and the other users of `ndo_bpf`) call this with RTNL
        // held on a registered device; `bpf` is valid for the call.
        let (dev, rtnl, bpf) = unsafe { (Device::<T>::from_raw(dev), Rtnl::assume_held(), &*bpf) };
        if bpf.command != bindings::bpf_netdev_command_XDP_SETUP_PROG {
            // AF_XDP buffer pools and offload are not supported by this abstraction.
            return super::errno(bindings::EOPNOTSUPP).to_errno();
        }
        // SAFETY: For `XDP_SETUP_PROG` the first member of the union is the one set.
        let (raw, extack) = unsafe {
            let p = &bpf.__bindgen_anon_1.__bindgen_anon_1;
            (p.prog, p.extack)
        };
        // The core passes a reference it took for the driver and drops it itself if the call
        // fails. The driver gets a reference of its own instead, and the core's is dropped on
        // success: whatever the driver does with its `BpfProg`, the count stays right.
        // SAFETY: `raw` is null or a program the core holds references to for the call.
        let prog = unsafe { BpfProg::get(raw) };
        // SAFETY: `extack` is the request's (or null), valid for the call.
        let ext = unsafe { ExtAck::from_raw(extack) };
        from_result(|| {
            T::xdp_setup(dev, rtnl, prog, &ext)?;
            if !raw.is_null() {
                // SAFETY: The core's reference, which the driver no longer needs (above).
                unsafe { bindings::bpf_prog_put(raw) };
            }
            Ok(0)
        })
    }

    /// # Safety
    ///
    /// The arguments must be passed by the core to `ndo_xdp_xmit`.
    unsafe extern "C" fn xdp_xmit_callback(
        dev: *mut bindings::net_device,
        n: crate::ffi::c_int,
        frames: *mut *mut bindings::xdp_frame,
        flags: u32,
    ) -> crate::ffi::c_int {
        if flags & !bindings::XDP_XMIT_FLAGS_MASK != 0 {
            return EINVAL.to_errno();
        }
        let Ok(n) = usize::try_from(n) else {
            return EINVAL.to_errno();
        };
        // The core (devmap flush, `bpf_redirect` to an ifindex) finds the device through RCU
        // (BH disabled) or a devmap entry, which unregistering removes first.
        // SAFETY: So the device is registered, its data live.
        let dev = unsafe { Device::<T>::from_raw(dev) };
        // SAFETY: The core hands over `n` valid frames and frees those not taken.
        let mut x = unsafe { XdpXmit::new(frames, n) };
        let r = T::xdp_xmit(dev, &mut x, flags & bindings::XDP_XMIT_FLUSH != 0);
        match r {
            // The frames taken are the driver's whatever happened: report them as sent.
            Err(e) if x.taken() == 0 => e.to_errno(),
            // CAST: at most `n`, an `int`.
            _ => x.taken() as crate::ffi::c_int,
        }
    }

    const VTABLE: bindings::net_device_ops = create_vtable::<T>();
}

const fn create_vtable<T: NetDeviceOps>() -> bindings::net_device_ops {
    let mut ops: bindings::net_device_ops =
        // SAFETY: All-zero is valid: every member is an optional function pointer or an integer.
        unsafe { MaybeUninit::<bindings::net_device_ops>::zeroed().assume_init() };
    ops.ndo_open = Some(Adapter::<T>::open_callback);
    ops.ndo_stop = Some(Adapter::<T>::stop_callback);
    ops.ndo_start_xmit = Some(Adapter::<T>::start_xmit_callback);
    if T::HAS_GET_STATS64 {
        ops.ndo_get_stats64 = Some(Adapter::<T>::get_stats64_callback);
    }
    if T::HAS_SET_MAC_ADDRESS {
        ops.ndo_set_mac_address = Some(Adapter::<T>::set_mac_address_callback);
    } else {
        ops.ndo_set_mac_address = Some(bindings::eth_mac_addr);
    }
    if T::VALIDATE_ADDR {
        ops.ndo_validate_addr = Some(bindings::eth_validate_addr);
    }
    if T::HAS_CHANGE_MTU {
        ops.ndo_change_mtu = Some(Adapter::<T>::change_mtu_callback);
    }
    if T::HAS_SET_RX_MODE {
        ops.ndo_set_rx_mode = Some(Adapter::<T>::set_rx_mode_callback);
    }
    if T::HAS_TX_TIMEOUT {
        ops.ndo_tx_timeout = Some(Adapter::<T>::tx_timeout_callback);
    }
    if T::HAS_FIX_FEATURES {
        ops.ndo_fix_features = Some(Adapter::<T>::fix_features_callback);
    }
    if T::HAS_SET_FEATURES {
        ops.ndo_set_features = Some(Adapter::<T>::set_features_callback);
    }
    if T::HAS_VLAN_RX_ADD_VID {
        ops.ndo_vlan_rx_add_vid = Some(Adapter::<T>::vlan_vid_callback::<true>);
    }
    if T::HAS_VLAN_RX_KILL_VID {
        ops.ndo_vlan_rx_kill_vid = Some(Adapter::<T>::vlan_vid_callback::<false>);
    }
    if T::HAS_XDP_SETUP {
        ops.ndo_bpf = Some(Adapter::<T>::bpf_callback);
    }
    if T::HAS_XDP_XMIT {
        ops.ndo_xdp_xmit = Some(Adapter::<T>::xdp_xmit_callback);
    }
    ops
}

/// Clears the XDP capabilities of `dev` that `T` does not implement, as it is about to be
/// registered (see [`Unregistered::set_xdp_features`]).
///
/// # Safety
///
/// `dev` must be a valid, unregistered net_device that nothing else accesses concurrently.
pub(crate) unsafe fn mask_xdp_features<T: NetDeviceOps>(dev: *mut bindings::net_device) {
    let mut keep = 0;
    if T::HAS_XDP_SETUP {
        keep |= super::xdp::features::BASIC | super::xdp::features::REDIRECT;
    }
    if T::HAS_XDP_XMIT {
        keep |= super::xdp::features::NDO_XMIT;
    }
    // SAFETY: By the safety requirements the device is valid and not yet published.
    unsafe { (*dev).xdp_features &= keep };
}

/// The `net_device_ops` table for `T`, for other abstractions (rtnl link setup).
pub(crate) const fn vtable<T: NetDeviceOps>() -> &'static bindings::net_device_ops {
    &Adapter::<T>::VTABLE
}

/// Sets up the driver-independent parts of a device of this module: ops and the
/// destructor of the private data.
///
/// # Safety
///
/// `dev` must be a valid, unregistered net_device with a `Priv<T>` private area.
pub(crate) unsafe fn setup_ops<T: NetDeviceOps>(dev: *mut bindings::net_device) {
    // SAFETY: The device is not registered, so we have exclusive access.
    unsafe {
        (*dev).netdev_ops = vtable::<T>();
        (*dev).priv_destructor = Some(Priv::<T>::destructor);
        // `ether_setup` lets pktgen hand the device one buffer several times; an `SkBuff`
        // owns its buffer exclusively (see `Unregistered::update_priv_flags`).
        bindings::netdev_update_priv_flags(dev, 0, NO_SHARING);
    }
}

/// An allocated network device with private data `T`, not registered yet: configured
/// through [`Registration::config`], then registered with [`Registration::register`],
/// which consumes it. Dropping it drops `T` and frees the device.
///
/// # Examples
///
/// A device that drops everything; allocated, configured and freed without being
/// registered (the data is dropped exactly once, before the device is freed):
///
/// ```
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use kernel::net::dev::{Device, NetDeviceOps, NetdevTx, Registration};
/// use kernel::net::skb::SkBuff;
/// use kernel::prelude::*;
///
/// static DROPS: AtomicU32 = AtomicU32::new(0);
///
/// struct Sink(u32);
///
/// impl Drop for Sink {
///     fn drop(&mut self) {
///         DROPS.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// #[vtable]
/// impl NetDeviceOps for Sink {
///     fn start_xmit(_dev: &Device<Self>, skb: SkBuff) -> NetdevTx {
///         drop(skb);
///         NetdevTx::Ok
///     }
/// }
///
/// let mut reg = Registration::new_ether(2, 2, Sink(7))?;
/// assert_eq!(reg.dev().data().0, 7);
/// let cfg = reg.config();
/// assert_eq!(cfg.num_tx_queues(), 2);
/// assert!(cfg.tx_queue(1).is_some());
/// assert!(cfg.tx_queue(2).is_none());
/// cfg.set_mtu_range(68, 9000);
/// assert_eq!(cfg.max_mtu(), 9000);
/// assert!(cfg.set_dev_addr(&[0x01, 0, 0, 0, 0, 1]).is_err()); // multicast
/// cfg.set_dev_addr(&[0x02, 0, 0, 0, 0, 1])?;
/// assert_eq!(cfg.dev_addr(), [0x02, 0, 0, 0, 0, 1]);
/// drop(reg);
/// assert_eq!(DROPS.load(Ordering::Relaxed), 1);
/// # Ok::<(), Error>(())
/// ```
///
/// A failed registration gives nothing back: the core may already have dropped `T`
/// (its error path runs the device's destructor), so the device is freed with the error:
///
/// ```
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use kernel::net::dev::{Device, NetDeviceOps, NetdevTx, Registration};
/// use kernel::net::skb::SkBuff;
/// use kernel::{c_str, prelude::*};
///
/// static DROPS: AtomicU32 = AtomicU32::new(0);
///
/// struct Sink;
///
/// impl Drop for Sink {
///     fn drop(&mut self) {
///         DROPS.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// #[vtable]
/// impl NetDeviceOps for Sink {
///     fn start_xmit(_dev: &Device<Self>, skb: SkBuff) -> NetdevTx {
///         drop(skb);
///         NetdevTx::Ok
///     }
/// }
///
/// // "a b" is not a valid interface name: `register_netdev` fails.
/// let reg = Registration::new(c_str!("a b"), 1, 1, Sink)?;
/// assert!(reg.register().is_err());
/// assert_eq!(DROPS.load(Ordering::Relaxed), 1);
/// # Ok::<(), Error>(())
/// ```
///
/// XDP capabilities the driver's ops do not implement are cleared at registration (the core
/// would call a missing `ndo_xdp_xmit`):
///
/// ```
/// use kernel::net::dev::{Device, NetDeviceOps, NetdevTx, Registration};
/// use kernel::net::{skb::SkBuff, xdp::features};
/// use kernel::{c_str, prelude::*};
///
/// struct NoXdp;
///
/// #[vtable]
/// impl NetDeviceOps for NoXdp {
///     fn start_xmit(_dev: &Device<Self>, skb: SkBuff) -> NetdevTx {
///         drop(skb);
///         NetdevTx::Ok
///     }
/// }
///
/// let mut reg = Registration::new(c_str!("rnoxdp%d"), 1, 1, NoXdp)?;
/// reg.config().set_xdp_features(features::BASIC | features::NDO_XMIT);
/// assert_eq!(reg.dev().xdp_features(), features::BASIC | features::NDO_XMIT);
/// let reg = reg.register()?;
/// assert_eq!(reg.dev().xdp_features(), 0);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `dev` is a valid, unregistered net_device allocated by [`Registration::new_ether`] or
/// [`Registration::new`], with a live `Priv<T>` area, owned by this value.
pub struct Registration<T: NetDeviceOps> {
    dev: NonNull<bindings::net_device>,
    /// Set with a parent: unregisters the device at the parent's unbind.
    link: Option<Devres<ParentLink>>,
    _p: PhantomData<T>,
}

/// The registration of a net_device as a resource of its parent device: unregistered at
/// the parent's unbind, or when its owner drops it.
///
/// # Invariants
///
/// `dev` is a valid net_device while this value lives (its owner, a [`Registration`] or
/// [`Registered`], releases it before freeing the device). If `registered`, the device is
/// registered and its `priv_destructor` is unset (the owner drops `T`).
struct ParentLink {
    dev: NonNull<bindings::net_device>,
    registered: AtomicBool,
}

// SAFETY: `dev` is only passed to the core's (un)registration, from any thread in process
// context.
unsafe impl Send for ParentLink {}
// SAFETY: As above; `registered` is atomic.
unsafe impl Sync for ParentLink {}

impl Drop for ParentLink {
    fn drop(&mut self) {
        if *self.registered.get_mut() {
            // SAFETY: Registered and valid (type invariant). `unregister_netdev` waits for
            // every callback to finish; `T` stays alive (no `priv_destructor`).
            unsafe { bindings::unregister_netdev(self.dev.as_ptr()) };
        }
    }
}

// SAFETY: The device can be configured and dropped from any thread in process context; `T`
// is `Send + Sync`.
unsafe impl<T: NetDeviceOps> Send for Registration<T> {}
// SAFETY: `&Registration` only gives `&Device<T>`, which is `Sync`.
unsafe impl<T: NetDeviceOps> Sync for Registration<T> {}

impl<T: NetDeviceOps> Registration<T> {
    /// Allocates an Ethernet device (`eth%d`, C `alloc_etherdev_mqs`) with `txqs` TX and
    /// `rxqs` RX queues and initialises its private data with `init`.
    pub fn new_ether(txqs: u32, rxqs: u32, init: impl PinInit<T, Error>) -> Result<Self> {
        let size = i32::try_from(Priv::<T>::SIZE)?;
        // SAFETY: Plain allocation; `ether_setup` fills Ethernet defaults.
        let dev = unsafe { bindings::alloc_etherdev_mqs(size, txqs, rxqs) };
        // SAFETY: `dev` is null or a fresh device with a `Priv<T>`-sized area.
        unsafe { Self::finish(dev, init) }
    }

    /// Allocates a device named after `name` (e.g. `c_str!("rlo%d")`) with Ethernet
    /// defaults (C `alloc_netdev_mqs` + `ether_setup`) and initialises its data.
    pub fn new(name: &CStr, txqs: u32, rxqs: u32, init: impl PinInit<T, Error>) -> Result<Self> {
        let size = i32::try_from(Priv::<T>::SIZE)?;
        // SAFETY: `name` is NUL-terminated and copied by the callee.
        let dev = unsafe {
            bindings::alloc_netdev_mqs(
                size,
                name.as_char_ptr(),
                // CAST: NET_NAME_ENUM fits in `unsigned char`.
                bindings::NET_NAME_ENUM as u8,
                Some(bindings::ether_setup),
                txqs,
                rxqs,
            )
        };
        // SAFETY: `dev` is null or a fresh device with a `Priv<T>`-sized area.
        unsafe { Self::finish(dev, init) }
    }

    /// # Safety
    ///
    /// `dev` must be null or a fresh, unregistered device with a `Priv<T>` area.
    unsafe fn finish(dev: *mut bindings::net_device, init: impl PinInit<T, Error>) -> Result<Self> {
        let dev = NonNull::new(dev).ok_or(ENOMEM)?;
        if !super::skb::layout_checked() {
            // SAFETY: Fresh, unregistered device that nobody else references.
            unsafe { bindings::free_netdev(dev.as_ptr()) };
            return Err(EINVAL);
        }
        // SAFETY: Fresh device, exclusively ours.
        unsafe { setup_ops::<T>(dev.as_ptr()) };
        // SAFETY: The private area is not live and nobody else knows the device.
        if let Err(e) = unsafe { Priv::<T>::of(dev.as_ptr()).init(init) } {
            // SAFETY: Unregistered device that nobody else references.
            unsafe { bindings::free_netdev(dev.as_ptr()) };
            return Err(e);
        }
        // INVARIANT: Allocated with a live `Priv<T>`, not registered.
        Ok(Self {
            dev,
            link: None,
            _p: PhantomData,
        })
    }

    /// The device.
    #[inline]
    pub fn dev(&self) -> &Device<T> {
        // SAFETY: By the type invariant the device and its data are live while `self`
        // exists.
        unsafe { Device::from_raw(self.dev.as_ptr()) }
    }

    /// The device's configuration, while it is not registered.
    pub fn config(&mut self) -> &Unregistered {
        // SAFETY: Unregistered by the type invariant; `&mut self` keeps every other handle
        // of this registration away for the borrow, and nobody else knows the device.
        unsafe { Unregistered::from_raw(self.dev.as_ptr()) }
    }

    /// Sets the parent device (C `SET_NETDEV_DEV`), e.g. the PCI device, bound to the calling
    /// driver: once registered, the device is unregistered when the parent is unbound, if it
    /// was not before. Once per device (`EBUSY` the second time).
    pub fn set_parent(&mut self, parent: &device::BoundDevice) -> Result {
        if self.link.is_some() {
            return Err(EBUSY);
        }
        let link = ParentLink {
            dev: self.dev,
            registered: AtomicBool::new(false),
        };
        // INVARIANT: `link` is released in `Registration::drop` or `Registered::drop` before
        // the device is freed.
        // SAFETY: `parent` is bound for the reference's lifetime (`BoundDevice` invariant).
        self.link = Some(unsafe { Devres::new(parent, link) }?);
        // SAFETY: Unregistered device (type invariant); the core takes a reference on
        // `parent` when the device is registered, and `parent` is valid now.
        unsafe { bindings::netdev_set_parent(self.dev.as_ptr(), parent.as_raw()) };
        Ok(())
    }

    /// Registers the device with the stack (C `register_netdev`, takes RTNL).
    ///
    /// On failure the device is freed (its data dropped, if the core's error path has not
    /// dropped it already) and only the error comes back; `ENODEV` if the parent was unbound
    /// meanwhile.
    pub fn register(mut self) -> Result<Registered<T>> {
        let dev = self.dev;
        // SAFETY: The device is valid and not registered; `self` is its only user.
        unsafe { mask_xdp_features::<T>(dev.as_ptr()) };
        let reg = || {
            // SAFETY: The device is valid, configured and not registered.
            to_result(unsafe { bindings::register_netdev(dev.as_ptr()) })
        };
        match &self.link {
            None => reg()?,
            // Under the link's lock, so that the parent's unbind sees the result.
            Some(link) => link
                .with_locked(|l| {
                    reg()?;
                    // The owner drops `T` after unregistering: with a parent the device may
                    // be unregistered (at unbind) long before the owner lets go of it.
                    // SAFETY: Registered just above; the core reads `priv_destructor` only
                    // after unregistration, which needs the link's lock or the owner.
                    unsafe { (*dev.as_ptr()).priv_destructor = None };
                    // INVARIANT: registered, no `priv_destructor`.
                    l.registered.store(true, Ordering::Relaxed);
                    Ok(())
                })
                .unwrap_or(Err(ENODEV))?,
        }
        let link = self.link.take();
        core::mem::forget(self);
        // INVARIANT: Registered just above; ownership moves from the forgotten `self`.
        Ok(Registered {
            dev,
            link,
            _p: PhantomData,
        })
    }
}

impl<T: NetDeviceOps> Drop for Registration<T> {
    fn drop(&mut self) {
        // Not registered: releasing the link does nothing but forget the parent's node.
        drop(self.link.take());
        let dev = self.dev.as_ptr();
        // SAFETY: Unregistered, owned: nobody else uses `T`; `destroy` is a no-op if a
        // failed registration already ran the destructor; `free_netdev` releases the device.
        unsafe {
            Priv::<T>::of(dev).destroy();
            bindings::free_netdev(dev);
        }
    }
}

/// A registered network device with private data `T`; dropping it unregisters the device
/// (waiting for every callback to finish), drops `T` and frees the device.
///
/// # Invariants
///
/// `dev` is a net_device with a live `Priv<T>` area, owned by this value, registered from
/// `register` until drop (with a parent: until the parent's unbind, if that comes first).
pub struct Registered<T: NetDeviceOps> {
    dev: NonNull<bindings::net_device>,
    /// With a parent: the registration, released at the parent's unbind at the latest.
    link: Option<Devres<ParentLink>>,
    _p: PhantomData<T>,
}

// SAFETY: As for `Registration`.
unsafe impl<T: NetDeviceOps> Send for Registered<T> {}
// SAFETY: As for `Registration`.
unsafe impl<T: NetDeviceOps> Sync for Registered<T> {}

impl<T: NetDeviceOps> Registered<T> {
    /// The device.
    #[inline]
    pub fn dev(&self) -> &Device<T> {
        // SAFETY: By the type invariant the device and its data are live while `self`
        // exists.
        unsafe { Device::from_raw(self.dev.as_ptr()) }
    }
}

impl<T: NetDeviceOps> Drop for Registered<T> {
    fn drop(&mut self) {
        let dev = self.dev.as_ptr();
        match self.link.take() {
            // Unregisters, unless the parent's unbind did (or is doing: then this waits).
            Some(link) => drop(link),
            // SAFETY: Registered and owned (type invariant).
            None => unsafe { bindings::unregister_netdev(dev) },
        }
        // Unregistering stopped the device and waited for all callbacks; without a parent it
        // also ran `priv_destructor` (dropping `T`; `destroy` is then a no-op), with one the
        // data is dropped here.
        // SAFETY: Unregistered and owned (type invariant): nobody else uses `T`.
        unsafe {
            Priv::<T>::of(dev).destroy();
            bindings::free_netdev(dev);
        }
    }
}
