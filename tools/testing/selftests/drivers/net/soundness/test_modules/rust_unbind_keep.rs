// SPDX-License-Identifier: GPL-2.0

//! A PCI driver that keeps every device resource past unbind, for the soundness suite.
//!
//! Bound to a port by `driver_override` only (its ID table matches no device), it enables the
//! device, maps BAR0, allocates MSI-X vectors, requests one interrupt line and registers a
//! net_device (`keep%d`) with the port as parent, all in `probe`. Its `remove` does not let go
//! of any of it: a work item takes the lot and only looks at it two seconds later, after the
//! driver core has finished the unbind. The abstractions must have released everything at
//! unbind anyway (the test sees the interrupt line, the BAR region and the net_device gone
//! meanwhile), and what the work item then holds must be empty handles: a register read fails
//! with `ENODEV`, the affinity hint of the freed line too, and dropping them does nothing.
//! The port can then be bound to another driver and the module unloaded.

use kernel::{
    c_str,
    device::Core,
    irq::{self, IrqReturn},
    net::dev::{Device, NetDeviceOps, NetdevTx, Registered, Registration},
    net::skb::SkBuff,
    pci,
    prelude::*,
    str::CString,
    sync::Arc,
    workqueue,
};

kernel::pci_device_table!(
    KEEP_PCI_TABLE,
    keep_pci_ids,
    [
        // No device has this ID: bound by driver_override only.
        pci::DeviceId::from_id(0xffff, 0xffff),
    ]
);

/// A net_device that drops what it is given.
struct Sink;

#[vtable]
impl NetDeviceOps for Sink {
    fn start_xmit(_dev: &Device<Self>, skb: SkBuff) -> NetdevTx {
        drop(skb);
        NetdevTx::Ok
    }
}

/// An interrupt handler that claims nothing.
struct Quiet;

impl irq::Handler for Quiet {
    fn handle_irq(&self) -> IrqReturn {
        IrqReturn::None
    }
}

/// Everything the driver holds; the work item of `remove` keeps it past unbind.
struct Held {
    line: Pin<KBox<irq::Registration<Quiet>>>,
    netdev: Registered<Sink>,
    _vectors: pci::IrqVectors,
    bar: pci::Bar<0x20>,
    _enabled: pci::Enabled,
}

struct KeepDriver {
    held: Arc<Held>,
}

/// STATUS register of the 82576 (any readable register would do).
const STATUS: usize = 0x8;

#[vtable]
impl pci::Driver for KeepDriver {
    const ID_TABLE: &'static dyn pci::IdTable = &KEEP_PCI_TABLE;

    fn probe(pdev: &pci::Device<Core>, _id: &pci::DeviceId) -> Result<Pin<KBox<Self>>> {
        let enabled = pdev.enable_device_mem()?;
        let bar = pdev.iomap_region::<0x20>(0, c_str!("rust_unbind_keep"))?;
        let status = bar.try_read32(STATUS)?;
        let vectors = pdev.alloc_irq_vectors(1, 1, pci::IrqTypes::MSIX)?;
        let req = vectors.request(pdev, 0)?;
        let name = CString::try_from_fmt(kernel::fmt!("rust_unbind_keep-{}", pdev.pci_name()))?;
        let line = KBox::pin_init(
            irq::Registration::new(req, irq::Flags::NONE, name, Quiet),
            GFP_KERNEL,
        )?;
        let mut reg = Registration::new(c_str!("keep%d"), 1, 1, Sink)?;
        reg.set_parent(pdev.as_bound())?;
        let netdev = reg.register()?;
        pr_info!(
            "bound {}: STATUS {:#x}, line {}, {}\n",
            pdev.pci_name(),
            status,
            line.irq(),
            netdev.dev().name()
        );
        let held = Arc::new(
            Held {
                line,
                netdev,
                _vectors: vectors,
                bar,
                _enabled: enabled,
            },
            GFP_KERNEL,
        )?;
        Ok(KBox::pin(KeepDriver { held }, GFP_KERNEL)?)
    }

    fn remove(_pdev: &pci::Device<Core>, this: Pin<&Self>) {
        let held = this.held.clone();
        let spawned = workqueue::system().try_spawn(GFP_KERNEL, move || {
            // Long after the unbind (the test waits for the line below before unloading).
            kernel::io::fsleep(2_000_000);
            let read = held.bar.try_read32(STATUS);
            let hint = held.line.set_affinity_hint(0);
            pr_info!(
                "after unbind: {}: register read {:?}, affinity hint {:?}\n",
                held.netdev.dev().name(),
                read.err(),
                hint.err()
            );
            drop(held);
            pr_info!("after unbind: released\n");
        });
        if spawned.is_err() {
            pr_err!("no memory for the work item\n");
        }
    }
}

kernel::module_pci_driver! {
    type: KeepDriver,
    name: "rust_unbind_keep",
    author: "rigb",
    description: "Keeps device resources past unbind (soundness suite)",
    license: "GPL",
}
