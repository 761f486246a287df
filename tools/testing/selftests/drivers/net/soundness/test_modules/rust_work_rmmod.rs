// SPDX-License-Identifier: GPL-2.0

//! A module whose work item outlives its `init`, for the soundness suite.
//!
//! `init` queues an item on the system workqueue that sleeps for `delay_ms` and then logs that it
//! finished. The module keeps no handle on it and cancels nothing on exit: only the workqueue
//! abstraction stands between the item and a module that is gone. While the item is pending or
//! running, the module must not unload (`rmmod` fails: it is in use). Its exit then tries to queue
//! one more item and to spawn a closure: both must be refused, since nothing may run this
//! module's code after its exit.

use kernel::{
    impl_has_work, new_work,
    prelude::*,
    sync::Arc,
    workqueue::{self, Work, WorkItem},
};

module! {
    type: WorkRmmod,
    name: "rust_work_rmmod",
    author: "rigb authors",
    description: "Soundness test: a work item pending across rmmod",
    license: "GPL",
}

kernel::module_param!(DELAY_MS, u32 = 1500, module: "rust_work_rmmod", name: "delay_ms",
    perm: 0o444, description: "How long the work item queued at init sleeps (ms)");

/// A work item that sleeps, then logs.
#[pin_data]
struct Slow {
    delay_us: u32,
    #[pin]
    work: Work<Slow>,
}

impl_has_work! {
    impl HasWork<Self> for Slow { self.work }
}

impl Slow {
    fn new(delay_us: u32) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Slow {
                delay_us,
                work <- new_work!("rust_work_rmmod::Slow::work"),
            }),
            GFP_KERNEL,
        )
    }
}

impl WorkItem for Slow {
    type Pointer = Arc<Slow>;

    fn run(this: Arc<Slow>) {
        kernel::io::fsleep(this.delay_us);
        pr_info!("work item done\n");
    }
}

struct WorkRmmod;

impl kernel::Module for WorkRmmod {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let ms = DELAY_MS.get();
        let item = Slow::new(ms.saturating_mul(1000))?;
        workqueue::system().enqueue(item).map_err(|_| EBUSY)?;
        pr_info!("work item queued ({} ms)\n", ms);
        Ok(WorkRmmod)
    }
}

impl Drop for WorkRmmod {
    fn drop(&mut self) {
        let late = match Slow::new(0) {
            Ok(item) => workqueue::system().enqueue(item).is_ok(),
            Err(_) => false,
        };
        pr_info!(
            "enqueue during exit: {}\n",
            if late { "queued" } else { "refused" }
        );
        let spawned = workqueue::system().try_spawn(GFP_KERNEL, || {
            pr_info!("closure spawned during exit ran\n");
        });
        pr_info!("spawn during exit: allocated {}\n", spawned.is_ok());
    }
}
