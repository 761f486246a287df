// SPDX-License-Identifier: GPL-2.0

//! rtnetlink link kinds for virtual devices (`struct rtnl_link_ops`).
//!
//! C header: [`include/net/rtnetlink.h`](srctree/include/net/rtnetlink.h).
//!
//! Usage summary:
//!
//! - The device's private data type implements [`NetDeviceOps`] and [`LinkOps`]:
//!   `KIND` is the name given to `ip link add ... type KIND`, [`LinkOps::setup`] sets
//!   the defaults of every new device (after `ether_setup`), [`LinkOps::init`] builds its
//!   private data.
//! - With `PAIRED = true` the kind behaves like `veth`: `ip link add a type KIND peer
//!   name b [netns N]` creates two devices linked to each other, possibly in different
//!   network namespaces; deleting either (or its namespace) deletes both. In the data
//!   path, [`Device::with_peer`] gives the other end under RCU.
//! - [`Registration::register`] registers the kind; dropping the [`Registration`]
//!   unregisters it, which deletes every device of the kind in every namespace.

use super::dev::{self, Device, NetDev, NetDeviceOps, Priv, Unregistered};
use super::ethtool::EthtoolTable;
use crate::{bindings, c_str, error::*, prelude::*, str::CStr, types::Opaque};
use core::{marker::PhantomData, ptr::null_mut, sync::atomic::Ordering};

/// `VETH_INFO_PEER` (`include/uapi/linux/veth.h`): the nested attribute holding the
/// peer's `ifinfomsg` and attributes. iproute2 uses it for every paired link type.
const INFO_PEER: usize = 1;
const INFO_MAX: u32 = 1;
const IFLA_TB_LEN: usize = bindings::__IFLA_MAX as usize;
const IFNAMSIZ: usize = bindings::IFNAMSIZ as usize;

struct Policy([bindings::nla_policy; INFO_MAX as usize + 1]);

// SAFETY: The policy is immutable after construction.
unsafe impl Sync for Policy {}

static PEER_POLICY: Policy = Policy({
    // SAFETY: An all-zero `nla_policy` is `NLA_UNSPEC` with no constraint.
    let mut p: [bindings::nla_policy; 2] = unsafe { core::mem::zeroed() };
    // The peer attribute must at least hold a `struct ifinfomsg`.
    p[INFO_PEER].len = core::mem::size_of::<bindings::ifinfomsg>() as u16;
    p
});

/// A link kind, implemented by the private data type of its devices.
#[vtable]
pub trait LinkOps: NetDeviceOps {
    /// The kind's name (`ip link add ... type KIND`).
    const KIND: &'static CStr;

    /// Name pattern for devices created without a name, e.g. `c_str!("rveth%d")`.
    const NAME_PATTERN: &'static CStr;

    /// Whether devices are created in linked pairs, like `veth`.
    const PAIRED: bool = false;

    /// The ethtool operations of the kind's devices, if any
    /// (`Some(EthtoolTable::new())` for a type that implements
    /// [`super::ethtool::EthtoolOps`]).
    const ETHTOOL: Option<EthtoolTable<Self>> = None;

    /// Sets the defaults of a new, unregistered device (MTU limits, flags,
    /// features); `ether_setup` and the device ops are already applied.
    fn setup(dev: &Unregistered);

    /// Builds the private data of a new device, before it is registered. RTNL held.
    fn init(dev: &NetDev) -> impl PinInit<Self, Error>;
}

fn set_extack(extack: *mut bindings::netlink_ext_ack, msg: &'static CStr) {
    // SAFETY: `extack` is null or the request's extack; `msg` is static.
    unsafe { bindings::netdev_set_extack_msg(extack, msg.as_char_ptr()) };
}

/// Gets the attribute `i` of a parsed attribute table, null if absent.
///
/// # Safety
///
/// `tb` must be null or point to at least `i + 1` entries.
unsafe fn attr(tb: *mut *mut bindings::nlattr, i: usize) -> *mut bindings::nlattr {
    if tb.is_null() {
        return null_mut();
    }
    // SAFETY: By the safety requirements.
    unsafe { *tb.add(i) }
}

struct Adapter<T: LinkOps>(PhantomData<T>);

impl<T: LinkOps> Adapter<T> {
    /// # Safety
    ///
    /// Called by `alloc_netdev_mqs` on a fresh device of this kind.
    unsafe extern "C" fn setup_callback(dev: *mut bindings::net_device) {
        // SAFETY: A fresh, unpublished device with a `Priv<T>` area (priv_size).
        unsafe {
            bindings::ether_setup(dev);
            dev::setup_ops::<T>(dev);
            if let Some(t) = T::ETHTOOL {
                // The table is `T`'s and the device's private data is a `T`.
                (*dev).ethtool_ops = t.as_raw();
            }
            (*dev).needs_free_netdev = true;
            T::setup(Unregistered::from_raw(dev));
        }
    }

    /// Initialises the private data of `dev` and registers it; on failure the data is
    /// dropped again and the device is left unregistered for the caller to free.
    ///
    /// # Safety
    ///
    /// `dev` must be an unregistered device of this kind; RTNL held.
    unsafe fn init_and_register(dev: *mut bindings::net_device) -> Result {
        // The fast paths' sk_buff bitfield places must match this kernel (see `skb`).
        if !super::skb::layout_checked() {
            return Err(EINVAL);
        }
        // SAFETY: By the safety requirements; the data is not live yet.
        let p = unsafe { Priv::<T>::of(dev) };
        // SAFETY: Unregistered, so nothing else uses the private area.
        unsafe { p.init(T::init(NetDev::from_raw(dev)))? };
        // SAFETY: `dev` is valid, unregistered and ours (the safety requirements).
        unsafe { dev::mask_xdp_features::<T>(dev) };
        // SAFETY: `dev` is valid and configured; RTNL held.
        let ret = unsafe { bindings::register_netdevice(dev) };
        if ret < 0 {
            // SAFETY: Registration failed, nobody uses the data; no-op if the core
            // already ran the destructor.
            unsafe { p.destroy() };
            return Err(Error::from_errno(ret));
        }
        Ok(())
    }

    /// # Safety
    ///
    /// Arguments as passed by `rtnl_newlink` to `rtnl_link_ops::newlink`.
    unsafe extern "C" fn newlink_callback(
        src_net: *mut bindings::net,
        dev: *mut bindings::net_device,
        tb: *mut *mut bindings::nlattr,
        data: *mut *mut bindings::nlattr,
        extack: *mut bindings::netlink_ext_ack,
    ) -> crate::ffi::c_int {
        from_result(|| {
            if T::PAIRED {
                // SAFETY: Same contract.
                unsafe { Self::newlink_pair(src_net, dev, tb, data, extack)? };
            } else {
                // SAFETY: `dev` is a fresh device of this kind, RTNL held.
                unsafe { Self::init_and_register(dev)? };
            }
            Ok(0)
        })
    }

    /// veth-style creation: the peer first (possibly in another namespace), then `dev`.
    ///
    /// # Safety
    ///
    /// As for `newlink_callback`.
    unsafe fn newlink_pair(
        src_net: *mut bindings::net,
        dev: *mut bindings::net_device,
        tb: *mut *mut bindings::nlattr,
        data: *mut *mut bindings::nlattr,
        extack: *mut bindings::netlink_ext_ack,
    ) -> Result {
        let mut peer_tb = [null_mut::<bindings::nlattr>(); IFLA_TB_LEN];
        // SAFETY: `data` is null or has `INFO_MAX + 1` entries (parsed with our maxtype).
        let nla_peer = unsafe { attr(data, INFO_PEER) };
        let (ifmp, tbp) = if nla_peer.is_null() {
            (null_mut::<bindings::ifinfomsg>(), tb)
        } else {
            // The policy guarantees the length; check anyway before reading.
            // SAFETY: `nla_peer` is a valid attribute of the request.
            let len = unsafe { bindings::nla_len(nla_peer) };
            if (len as usize) < core::mem::size_of::<bindings::ifinfomsg>() {
                set_extack(extack, c_str!("peer attribute too short"));
                return Err(EINVAL);
            }
            // SAFETY: The payload holds an `ifinfomsg` followed by attributes;
            // `peer_tb` has IFLA_MAX + 1 entries as required.
            unsafe {
                to_result(bindings::rtnl_nla_parse_ifinfomsg(
                    peer_tb.as_mut_ptr(),
                    nla_peer,
                    extack,
                ))?;
                (bindings::nla_data(nla_peer).cast(), peer_tb.as_mut_ptr())
            }
        };

        // SAFETY: `tbp` has IFLA_MAX + 1 entries.
        let (peer_name_attr, peer_addr_attr) = unsafe {
            (
                attr(tbp, bindings::IFLA_IFNAME as usize),
                attr(tbp, bindings::IFLA_ADDRESS as usize),
            )
        };
        let mut ifname = [0 as crate::ffi::c_char; IFNAMSIZ];
        let assign = if !ifmp.is_null() && !peer_name_attr.is_null() {
            // SAFETY: `ifname` has IFNAMSIZ bytes; the attribute is valid.
            unsafe { bindings::nla_strscpy(ifname.as_mut_ptr(), peer_name_attr, IFNAMSIZ) };
            bindings::NET_NAME_USER
        } else {
            copy_name(&mut ifname, T::NAME_PATTERN);
            bindings::NET_NAME_ENUM
        };

        // SAFETY: `src_net` is the requester's namespace; `tbp` a parsed table. Returns a
        // referenced namespace or an error pointer.
        let net = from_err_ptr(unsafe { bindings::rtnl_link_get_net(src_net, tbp) })?;
        // `rtnl_create_link` set `dev`'s ops to this kind's registered ops.
        // SAFETY: `dev` is valid.
        let ops = unsafe { (*dev).rtnl_link_ops };
        // SAFETY: `net` is referenced, `ifname` NUL-terminated, `ops` is this kind's
        // registered ops; RTNL held.
        let peer = unsafe {
            // CAST: NET_NAME_* fit in `unsigned char`.
            bindings::rtnl_create_link(net, ifname.as_ptr(), assign as u8, ops, tbp, extack)
        };
        let peer = match from_err_ptr(peer) {
            Ok(p) => p,
            Err(e) => {
                // SAFETY: We hold the reference taken above.
                unsafe { bindings::put_net(net) };
                return Err(e);
            }
        };
        // SAFETY: `peer` is a fresh, unregistered device of this kind, RTNL held.
        unsafe {
            if ifmp.is_null() || peer_addr_attr.is_null() {
                bindings::eth_hw_addr_random(peer);
            }
            if !ifmp.is_null() && (*dev).ifindex != 0 {
                (*peer).ifindex = (*ifmp).ifi_index;
            }
        }
        // SAFETY: As above.
        let res = unsafe { Self::init_and_register(peer) };
        // SAFETY: The device (if registered) holds its own namespace reference now.
        unsafe { bindings::put_net(net) };
        if let Err(e) = res {
            // SAFETY: Unregistered and unused.
            unsafe { bindings::free_netdev(peer) };
            return Err(e);
        }

        let unregister_peer = |e: Error| -> Error {
            // SAFETY: `peer` is registered and not linked yet; RTNL held.
            unsafe { bindings::unregister_netdevice_queue(peer, null_mut()) };
            e
        };

        // SAFETY: `peer` is registered; `ifmp` is null or the peer's ifinfomsg.
        unsafe { bindings::netif_carrier_off(peer) };
        // SAFETY: As above.
        to_result(unsafe { bindings::rtnl_configure_link(peer, ifmp, 0, null_mut()) })
            .map_err(unregister_peer)?;

        // SAFETY: `tb` has IFLA_MAX + 1 entries; `dev` is unregistered, RTNL held, and
        // `name` has IFNAMSIZ bytes.
        unsafe {
            if attr(tb, bindings::IFLA_ADDRESS as usize).is_null() {
                bindings::eth_hw_addr_random(dev);
            }
            let name_attr = attr(tb, bindings::IFLA_IFNAME as usize);
            if name_attr.is_null() {
                copy_name(&mut (*dev).name, T::NAME_PATTERN);
            } else {
                bindings::nla_strscpy((*dev).name.as_mut_ptr(), name_attr, IFNAMSIZ);
            }
        }
        // SAFETY: `dev` is a fresh device of this kind (the core frees it if we fail).
        unsafe { Self::init_and_register(dev) }.map_err(unregister_peer)?;

        // SAFETY: Both registered, RTNL held.
        unsafe { bindings::netif_carrier_off(dev) };
        // Tie the two together; readers use RCU (`Device::with_peer`).
        // SAFETY: Both devices have live `Priv<T>` areas.
        unsafe {
            Priv::<T>::of(dev).peer.store(peer, Ordering::Release);
            Priv::<T>::of(peer).peer.store(dev, Ordering::Release);
        }
        Ok(())
    }

    /// # Safety
    ///
    /// Called by the core with RTNL held on a registered device of this kind.
    unsafe extern "C" fn dellink_callback(
        dev: *mut bindings::net_device,
        head: *mut bindings::list_head,
    ) {
        // Readers of `peer` are RCU readers: the devices are freed only after the grace period
        // that `unregister_netdevice_many` waits for.
        // SAFETY: Registered device of this kind; RTNL held serialises with (new|del)link.
        unsafe {
            let peer = Priv::<T>::of(dev).peer.swap(null_mut(), Ordering::AcqRel);
            bindings::unregister_netdevice_queue(dev, head);
            if !peer.is_null() {
                Priv::<T>::of(peer)
                    .peer
                    .store(null_mut(), Ordering::Release);
                bindings::unregister_netdevice_queue(peer, head);
            }
        }
    }

    /// # Safety
    ///
    /// Called by the core with RTNL held on a registered device of this kind.
    unsafe extern "C" fn get_link_net_callback(
        dev: *const bindings::net_device,
    ) -> *mut bindings::net {
        // SAFETY: RTNL held: the peer cannot go away.
        unsafe {
            let peer = Priv::<T>::of(dev).peer.load(Ordering::Acquire);
            bindings::dev_net(if peer.is_null() { dev } else { peer })
        }
    }
}

fn copy_name(dst: &mut [crate::ffi::c_char; IFNAMSIZ], src: &CStr) {
    let bytes = src.as_bytes();
    let n = bytes.len().min(IFNAMSIZ - 1);
    for (d, s) in dst.iter_mut().zip(bytes[..n].iter()) {
        // CAST: Bytes of a C string.
        *d = *s as crate::ffi::c_char;
    }
    dst[n] = 0;
}

impl<T: LinkOps> Device<T> {
    /// Runs `f` on the paired device, if there is one (under the RCU read lock: `f`
    /// must not sleep).
    pub fn with_peer<R>(&self, f: impl FnOnce(&Device<T>) -> R) -> Option<R> {
        // SAFETY: Plain RCU read-side section, closed below.
        unsafe { bindings::netdev_rcu_read_lock() };
        // SAFETY: The device has a `Priv<T>` area by the type invariant.
        let peer = unsafe { Priv::<T>::of(self.as_raw()) }
            .peer
            .load(Ordering::Acquire);
        let r = if peer.is_null() {
            None
        } else {
            // `dellink` unlinks the peer before unregistering it; it is freed after a grace period.
            // SAFETY: So the peer linked by `newlink_pair` is valid inside this RCU section.
            Some(f(unsafe { Device::<T>::from_raw(peer) }))
        };
        // SAFETY: Closes the section opened above.
        unsafe { bindings::netdev_rcu_read_unlock() };
        r
    }
}

/// A registered link kind; dropping it unregisters the kind and deletes all its
/// devices.
///
/// # Invariants
///
/// `ops` is registered with `rtnl_link_register` and stays pinned until dropped.
pub struct Registration<T: LinkOps> {
    ops: Pin<KBox<Opaque<bindings::rtnl_link_ops>>>,
    _p: PhantomData<T>,
}

// SAFETY: Dropping (unregistering) is valid from any process context.
unsafe impl<T: LinkOps> Send for Registration<T> {}
// SAFETY: `&Registration` exposes nothing.
unsafe impl<T: LinkOps> Sync for Registration<T> {}

impl<T: LinkOps> Registration<T> {
    /// Registers the link kind `T::KIND`.
    pub fn register() -> Result<Self> {
        let ops = KBox::pin_init(
            Opaque::ffi_init(|p: *mut bindings::rtnl_link_ops| {
                // SAFETY: `p` is valid for writes; all-zero is a valid `rtnl_link_ops`.
                unsafe {
                    core::ptr::write_bytes(p, 0, 1);
                    (*p).kind = T::KIND.as_char_ptr();
                    (*p).priv_size = Priv::<T>::SIZE;
                    (*p).setup = Some(Adapter::<T>::setup_callback);
                    (*p).newlink = Some(Adapter::<T>::newlink_callback);
                    (*p).dellink = Some(Adapter::<T>::dellink_callback);
                    if T::PAIRED {
                        (*p).maxtype = INFO_MAX;
                        (*p).policy = PEER_POLICY.0.as_ptr();
                        (*p).get_link_net = Some(Adapter::<T>::get_link_net_callback);
                    }
                }
            }),
            GFP_KERNEL,
        )?;
        // SAFETY: `ops` is fully initialised and pinned in its allocation for as long as
        // the registration lives.
        to_result(unsafe { bindings::rtnl_link_register(ops.get()) })?;
        // INVARIANT: Registered above.
        Ok(Self {
            ops,
            _p: PhantomData,
        })
    }
}

impl<T: LinkOps> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: Registered by the type invariant; this deletes all devices of the kind
        // (calling `dellink` under RTNL) before returning.
        unsafe { bindings::rtnl_link_unregister(self.ops.get()) };
    }
}

pub use super::rtnl_lock::{lock, Rtnl, RtnlGuard};
