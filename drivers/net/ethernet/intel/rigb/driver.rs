// SPDX-License-Identifier: GPL-2.0

//! PCI glue: the ID table, probe and remove.
//!
//! Probe follows the datasheet's initialisation order (4.5): enable the device and bus
//! mastering, set the DMA mask, map BAR0, global reset, read the permanent MAC address, start
//! link auto-negotiation, allocate MSI-X vectors (one per RX queue and one per TX queue plus
//! one for other causes; one per queue pair, and fewer pairs, when fewer vectors are granted),
//! register the net_device, then request the interrupts and add the NAPI instances.

use crate::{
    adapter::{hw_err, sleep_us, Hw, Shared, VectorRole, MAX_QUEUES},
    debugfs::DebugFs,
    hw,
    netdev::{quiesce, Adapter},
    ptp::Phc,
    q_vector::{OtherHandler, QVector},
    regs::{BAR0_SIZE, CTRL_EXT},
    reset::ResetTask,
};
use core::{
    pin::Pin,
    sync::atomic::{AtomicBool, Ordering},
};
use kernel::{
    c_str, dev_info, dev_warn,
    device::{Bound, Core},
    irq::{self, Registration as IrqRegistration},
    net::{
        dev::{features, priv_flags, NetDeviceOps, Registered, Registration},
        napi::Napi,
        rtnl, xdp,
    },
    pci,
    prelude::*,
    ptp,
    str::CString,
    sync::Arc,
};

kernel::pci_device_table!(
    RIGB_PCI_TABLE,
    rigb_pci_ids,
    [
        // 82576 copper, the device QEMU emulates as "igb".
        pci::DeviceId::from_id(0x8086, 0x10c9),
    ]
);

type QueueIrq = IrqRegistration<Napi<QVector>>;
type OtherIrq = IrqRegistration<OtherHandler>;
/// The interrupt registrations of one device: per queue vector, and the other causes.
type Vectors = (KVec<Pin<KBox<QueueIrq>>>, Pin<KBox<OtherIrq>>);

/// The PCI driver data.
///
/// Field order is drop order, the order in which the device quiets down: the debugfs files first
/// (they read the rings and registers), then the queue interrupts and NAPI instances (each drops
/// its reference to the net_device), then the other-cause interrupt and the reset task (cancelled
/// in `remove`; both hold references to the net_device), then the last reference to the
/// net_device (unregistering it, which stops it and frees the rings), then the shared state with
/// BAR0, and finally the enabled-device guard. Memory safety does not rest on this order: the
/// MSI-X vectors are freed with the last of their holders (`_vectors` and every interrupt
/// registration keep them allocated), and whatever is still held at unbind is released by the
/// driver core then (`kernel::devres`).
pub(crate) struct RigbDriver {
    ptp: Option<Pin<KBox<ptp::Registration<Phc>>>>,
    _debugfs: Option<DebugFs>,
    _queue_irqs: KVec<Pin<KBox<QueueIrq>>>,
    _other_irq: Pin<KBox<OtherIrq>>,
    reset: Arc<ResetTask>,
    netdev: Arc<Registered<Adapter>>,
    _vectors: pci::IrqVectors,
    shared: Arc<Shared>,
    /// Detached and stopped by suspend or error recovery, until `bring_back`.
    halted: AtomicBool,
    _enabled: pci::Enabled,
}

fn mac_fmt(m: &[u8; 6]) -> [u8; 17] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [b':'; 17];
    for (i, b) in m.iter().enumerate() {
        out[i * 3] = HEX[usize::from(b >> 4)];
        out[i * 3 + 1] = HEX[usize::from(b & 0xf)];
    }
    out
}

impl RigbDriver {
    /// Stops DMA and interrupts (`remove`, `shutdown`). The reset task is cancelled before
    /// (a running one would restart the device) and again after the interrupts are quiet (the
    /// other-cause handler may have queued it meanwhile; nothing can queue it afterwards).
    fn stop_device(&self, pdev: &pci::Device<Core>) {
        self.halt(pdev, false);
        self.reset_mac(pdev);
    }

    /// Takes the device away from the stack and stops it: `ready` cleared (so `open` and
    /// reset requests are refused), the reset task cancelled, then under RTNL the interface
    /// detached (its queues stopped, the stack sees it as absent) and, if `detach` and it is
    /// running, stopped as `ndo_stop` does (rings freed); finally every interrupt masked and
    /// the queues' DMA stopped, also while the interface is down. The interface keeps its
    /// administrative state: [`Self::bring_back`] restarts it.
    fn halt(&self, _pdev: &pci::Device<Core>, detach: bool) {
        let s = &self.shared;
        s.ready.store(false, Ordering::Release);
        // Without RTNL: the task takes it.
        ResetTask::cancel(&self.reset);
        if detach {
            self.halted.store(true, Ordering::Relaxed);
            let _rtnl = rtnl::lock();
            let dev = self.netdev.dev();
            dev.device_detach();
            if dev.is_running() {
                // Never fails: it only stops and frees.
                let _ = Adapter::stop(dev);
            }
        }
        quiesce(s);
        ResetTask::cancel(&self.reset);
    }

    /// Global reset of the MAC, unless the device is gone.
    fn reset_mac(&self, pdev: &pci::Device<Core>) {
        let s = &self.shared;
        if !s.gone.load(Ordering::Relaxed) {
            if let Err(e) = hw::mac::reset(&s.hw, &mut sleep_us) {
                dev_warn!(pdev, "reset at stop failed: {:?}\n", e);
            }
        }
    }

    /// Brings the hardware back to the state probe left it in, after it lost it (resume from
    /// sleep, link reset in error recovery): global reset, driver ownership for the firmware
    /// (CTRL_EXT.DRV_LOAD), link setup. Then `open` may run again (`ready`).
    fn init_hw(&self, pdev: &pci::Device<Core>) -> Result {
        let s = &self.shared;
        let regs = &s.hw;
        let mut delay = sleep_us;
        hw::mac::reset(regs, &mut delay).map_err(|e| {
            kernel::dev_err!(pdev, "reset failed: {:?}\n", e);
            hw_err(e)
        })?;
        // The reset completed, so the registers answer again (after a frozen link they read
        // all-ones, which marked the device gone).
        s.gone.store(false, Ordering::Relaxed);
        let ext = regs.rd(CTRL_EXT::OFFSET);
        regs.wr(CTRL_EXT::OFFSET, ext | CTRL_EXT::DRV_LOAD.mask());
        if let Err(e) = hw::phy::setup_link(regs, &mut delay) {
            dev_warn!(pdev, "PHY setup failed: {:?}\n", e);
        }
        // The reset stopped SYSTIM: the PTP clock starts again from the system's time.
        if let Some(ptp) = &self.ptp {
            if let Err(e) = ptp.data().restart() {
                dev_warn!(pdev, "PTP clock restart failed: {:?}\n", e);
            }
        }
        s.ready.store(true, Ordering::Release);
        Ok(())
    }

    /// The second half of resume and error recovery: under RTNL, re-opens the interface if it
    /// was running (fresh rings, and the receive filters the reset cleared programmed again),
    /// then attaches it to the stack. Left detached if the re-open fails.
    fn bring_back(&self) -> Result {
        let rtnl = rtnl::lock();
        let dev = self.netdev.dev();
        if dev.is_running() {
            Adapter::open(dev)?;
            dev.sync_rx_mode(&rtnl);
        }
        dev.device_attach();
        self.halted.store(false, Ordering::Relaxed);
        Ok(())
    }

    fn setup_vectors(
        pdev: &pci::Device<Bound>,
        vectors: &pci::IrqVectors,
        shared: &Arc<Shared>,
        netdev: &Arc<Registered<Adapter>>,
        reset: &Arc<ResetTask>,
    ) -> Result<Vectors> {
        let ncpu = irq::nr_cpu_ids().max(1);
        let nv = shared.num_queue_vectors();
        // CAST: at most MAX_VECTORS.
        let mut queue_irqs = KVec::with_capacity(nv as usize, GFP_KERNEL)?;
        for v32 in 0..nv {
            // CAST: v32 < MAX_VECTORS.
            let v = v32 as usize;
            let req = vectors.request(pdev, v32)?;
            let irqn = req.irq();
            // The names the C driver gives its vectors.
            let (kind, q) = match shared.vector_role(v32) {
                VectorRole::Pair(q) => ("TxRx", q),
                VectorRole::Rx(q) => ("rx", q),
                VectorRole::Tx(q) => ("tx", q),
            };
            let name = CString::try_from_fmt(format_args!("rigb-{}-{kind}-{q}", pdev.pci_name()))?;
            let qv = QVector::new(v32, shared.clone(), netdev.clone());
            let reg = KBox::pin_init(
                IrqRegistration::new(req, irq::Flags::NONE, name, Napi::new(qv)),
                GFP_KERNEL,
            )?;
            if let Some(slot) = shared.irqs.get(v) {
                slot.store(irqn, Ordering::Relaxed);
            }
            let napi = reg.as_ref().handler_pinned();
            napi.add(netdev.clone());
            napi.enable();
            // The RX and TX vectors of a queue on the same CPU.
            if reg.set_affinity_hint(q % ncpu).is_err() {
                dev_warn!(pdev, "no affinity hint for vector {}\n", v);
            }
            queue_irqs.push(reg, GFP_KERNEL)?;
        }
        let other = shared.other_vector;
        let req = vectors.request(pdev, other)?;
        let irqn = req.irq();
        let name = CString::try_from_fmt(format_args!("rigb-{}-other", pdev.pci_name()))?;
        let reg = KBox::pin_init(
            IrqRegistration::new(
                req,
                irq::Flags::NONE,
                name,
                OtherHandler::new(shared.clone(), netdev.clone(), reset.clone()),
            ),
            GFP_KERNEL,
        )?;
        if let Some(slot) = shared.irqs.get(other as usize) {
            slot.store(irqn, Ordering::Relaxed);
        }
        Ok((queue_irqs, reg))
    }
}

#[vtable]
impl pci::Driver for RigbDriver {
    const ID_TABLE: &'static dyn pci::IdTable = &RIGB_PCI_TABLE;

    fn probe(pdev: &pci::Device<Core>, _id: &pci::DeviceId) -> Result<Pin<KBox<Self>>> {
        let enabled = pdev.enable_device_mem()?;
        pdev.set_master();
        let dma_bits = if pdev.dma_set_mask_and_coherent(64).is_ok() {
            64
        } else {
            pdev.dma_set_mask_and_coherent(32)?;
            32
        };
        let bar = pdev.iomap_region::<BAR0_SIZE>(0, c_str!("rigb"))?;
        let regs = Hw::new(bar);
        let mut delay = sleep_us;

        // 4.5.1-4.5.3: reset the device, then everything is at its default.
        hw::mac::reset(&regs, &mut delay).map_err(|e| {
            kernel::dev_err!(pdev, "reset failed: {:?}\n", e);
            hw_err(e)
        })?;
        let mac = hw::mac::read_perm_addr(&regs, &mut delay).map_err(|e| {
            kernel::dev_err!(pdev, "no valid MAC address: {:?}\n", e);
            hw_err(e)
        })?;
        // Tell the firmware a driver owns the device.
        let ext = regs.rd(CTRL_EXT::OFFSET);
        regs.wr(CTRL_EXT::OFFSET, ext | CTRL_EXT::DRV_LOAD.mask());
        // 4.5.7: link setup; the result arrives as a link status change interrupt.
        if let Err(e) = hw::phy::setup_link(&regs, &mut delay) {
            dev_warn!(pdev, "PHY setup failed: {:?}\n", e);
        }

        // One vector per RX queue and one per TX queue, plus one for link and other causes;
        // if fewer are granted, one per queue pair (and fewer pairs if need be).
        let want = (irq::num_online_cpus() as usize).clamp(1, MAX_QUEUES);
        // CAST: at most MAX_VECTORS.
        let vectors = pdev.alloc_irq_vectors(2, (2 * want + 1) as u32, pci::IrqTypes::MSIX)?;
        let granted = vectors.count() as usize;
        let num_queues = (granted - 1).min(want);
        let separate_tx = granted > 2 * num_queues;

        let shared = Arc::pin_init(
            Shared::new(regs, pdev.into(), num_queues, separate_tx),
            GFP_KERNEL,
        )?;
        crate::ethtool::resolve_pause(&shared);

        // CAST: at most MAX_QUEUES.
        let nq = num_queues as u32;
        let mut reg = Registration::new_ether(nq, nq, Adapter::new(shared.clone()))?;
        reg.set_parent(pdev.as_bound())?;
        reg.set_ethtool_ops();
        reg.set_stat_ops();
        {
            let dev = reg.config();
            dev.set_dev_addr(&mac)?;
            dev.set_mtu_range(kernel::net::dev::ETH_MIN_MTU, crate::rx::MAX_MTU);
            // TX: checksum insertion, scatter-gather (one descriptor per fragment) and TCP
            // segmentation; all of them can be switched off with `ethtool -K`, as can the
            // RSS hash reported to the stack (RXHASH). The checksum feature is the generic
            // one (csum_start/csum_offset), as in C igb: the device inserts TCP and UDP
            // checksums over IPv4/IPv6 and `start_xmit` computes any other in software. The
            // protocol-specific features would make the stack check each packet's protocol
            // before handing it over (`skb_csum_hwoffload_help`).
            let offloads = features::RXCSUM
                | features::RXHASH
                | features::SG
                | features::HW_CSUM
                | features::TSO
                | features::TSO6;
            let highdma = if dma_bits == 64 { features::HIGHDMA } else { 0 };
            // A VLAN device on the port inherits the offloads (the device finds the IP header
            // after the tag the context descriptor inserts).
            dev.set_vlan_features(offloads | highdma);
            // 802.1Q: tags stripped on receive and inserted on transmit (switchable together,
            // `fix_features`), and the VLAN filter, which is always on (as in C igb).
            let vlan = features::HW_VLAN_CTAG_RX | features::HW_VLAN_CTAG_TX;
            dev.set_hw_features(offloads | vlan);
            dev.set_features(offloads | highdma | vlan | features::HW_VLAN_CTAG_FILTER);
            // The address can change while up (filter 0 is rewritten at once), and secondary
            // unicast addresses go to filters 1.. (`set_rx_mode`), not to promiscuous mode.
            dev.update_priv_flags(priv_flags::LIVE_ADDR_CHANGE | priv_flags::UNICAST_FLT, 0);
            // XDP on every receive queue, and frames redirected to the port go out on its TX
            // rings (which exist whether or not the port has a program of its own).
            dev.set_xdp_features(
                xdp::features::BASIC | xdp::features::REDIRECT | xdp::features::NDO_XMIT,
            );
            dev.carrier_off();
            // Each queue pair's TX producer end is reached under its queue's xmit lock.
            for (q, qp) in (0..nq).zip(shared.all_queues()) {
                qp.tx.bind(dev.tx_queue(q).ok_or(EINVAL)?)?;
            }
        }
        let netdev = Arc::new(reg.register()?, GFP_KERNEL)?;

        let reset = ResetTask::new(netdev.clone())?;
        let (queue_irqs, other) = Self::setup_vectors(pdev, &vectors, &shared, &netdev, &reset)?;
        shared.ready.store(true, Ordering::Release);

        dev_info!(
            pdev,
            "{}: {} queue pair(s), {} MSI-X vectors ({}), {}-bit DMA, MAC {}\n",
            netdev.dev().name(),
            num_queues,
            vectors.count(),
            if separate_tx {
                "separate RX and TX"
            } else {
                "RX and TX paired"
            },
            dma_bits,
            core::str::from_utf8(&mac_fmt(&mac)).unwrap_or("?"),
        );

        // The PTP hardware clock; the port works without it, as in C igb.
        let ptp = Phc::new(shared.clone())
            .and_then(|phc| {
                KBox::pin_init(
                    ptp::Registration::new(pdev.as_ref(), phc, &crate::THIS_MODULE),
                    GFP_KERNEL,
                )
            })
            .inspect(|r| shared.ctl.phc_index.store(r.index(), Ordering::Relaxed))
            .inspect_err(|e| dev_warn!(pdev, "no PTP clock: {:?}\n", e))
            .ok();

        // Debugging aids only: the device works without them.
        let debugfs = DebugFs::new(&shared)
            .inspect_err(|e| dev_warn!(pdev, "no debugfs files: {:?}\n", e))
            .ok();

        Ok(KBox::pin(
            Self {
                ptp,
                _debugfs: debugfs,
                _queue_irqs: queue_irqs,
                _other_irq: other,
                reset,
                netdev,
                _vectors: vectors,
                shared,
                halted: AtomicBool::new(false),
                _enabled: enabled,
            },
            GFP_KERNEL,
        )?)
    }

    fn shutdown(pdev: &pci::Device<Core>, this: Pin<&Self>) {
        // Power-off or reboot: no DMA or interrupt may outlive the kernel.
        this.stop_device(pdev);
        pdev.clear_master();
    }

    fn suspend(pdev: &pci::Device<Core>, this: Pin<&Self>) -> Result {
        // As `ndo_stop` and then `remove` stop it; the PCI core saves the config space and
        // powers the device down afterwards.
        this.halt(pdev, true);
        this.reset_mac(pdev);
        dev_info!(pdev, "{}: suspended\n", this.netdev.dev().name());
        Ok(())
    }

    fn resume(pdev: &pci::Device<Core>, this: Pin<&Self>) -> Result {
        // Back in D0, config space restored by the PCI core; the MAC's registers are lost.
        this.init_hw(pdev)?;
        this.bring_back().inspect_err(|e| {
            kernel::dev_err!(pdev, "cannot reopen after resume: {:?}\n", e);
        })?;
        dev_info!(pdev, "{}: resumed\n", this.netdev.dev().name());
        Ok(())
    }

    fn error_detected(
        pdev: &pci::Device<Core>,
        this: Pin<&Self>,
        state: pci::ChannelState,
    ) -> pci::ErsResult {
        let name = this.netdev.dev().name();
        match state {
            pci::ChannelState::Normal => {
                // The link still works: nothing to stop, no reset needed.
                dev_warn!(pdev, "{}: non-fatal uncorrectable error reported\n", name);
                pci::ErsResult::CanRecover
            }
            pci::ChannelState::PermFailure => {
                dev_warn!(pdev, "{}: permanent failure, disconnecting\n", name);
                let _rtnl = rtnl::lock();
                this.netdev.dev().device_detach();
                pci::ErsResult::Disconnect
            }
            pci::ChannelState::Frozen => {
                dev_warn!(
                    pdev,
                    "{}: link frozen by an error, stopping for a reset\n",
                    name
                );
                // No MAC reset: the link is frozen; the slot reset resets the device.
                this.halt(pdev, true);
                // No DMA until the reset is done (C igb disables the device here; the restored
                // config space turns bus mastering back on before `slot_reset`).
                pdev.clear_master();
                pci::ErsResult::NeedReset
            }
        }
    }

    fn slot_reset(pdev: &pci::Device<Core>, this: Pin<&Self>) -> pci::ErsResult {
        pdev.set_master();
        match this.init_hw(pdev) {
            Ok(()) => {
                dev_info!(
                    pdev,
                    "{}: reinitialised after the slot reset\n",
                    this.netdev.dev().name()
                );
                pci::ErsResult::Recovered
            }
            Err(e) => {
                kernel::dev_err!(pdev, "cannot reinitialise after the slot reset: {:?}\n", e);
                pci::ErsResult::Disconnect
            }
        }
    }

    fn io_resume(pdev: &pci::Device<Core>, this: Pin<&Self>) {
        let name = this.netdev.dev().name();
        // After a non-fatal error nothing was stopped: nothing to do.
        if !this.halted.load(Ordering::Relaxed) {
            dev_info!(
                pdev,
                "{}: resuming after a non-fatal error, nothing to restart\n",
                name
            );
            return;
        }
        match this.bring_back() {
            Ok(()) => dev_info!(pdev, "{}: traffic resumed after error recovery\n", name),
            Err(e) => kernel::dev_err!(
                pdev,
                "{}: cannot reopen after error recovery: {:?}\n",
                name,
                e
            ),
        }
    }

    fn remove(pdev: &pci::Device<Core>, this: Pin<&Self>) {
        // The net_device is unregistered, and the interrupts freed, when the driver data is
        // dropped right after this returns.
        this.stop_device(pdev);
        dev_info!(pdev, "{}: removed\n", this.netdev.dev().name());
    }
}
