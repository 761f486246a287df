// SPDX-License-Identifier: GPL-2.0
/*
 * Non-trivial C macros cannot be used in Rust. Similarly, inlined C functions
 * cannot be called either. This file explicitly creates functions ("helpers")
 * that wrap those so that they can be called from Rust.
 *
 * Sorted alphabetically.
 */

#include "bh.c"
#include "blk.c"
#include "bug.c"
#include "build_assert.c"
#include "build_bug.c"
#include "dma.c"
#include "err.c"
#include "io.c"
#include "irq.c"
#include "kunit.c"
#include "module.c"
#include "mutex.c"
#include "netdevice.c"
#include "page.c"
#include "pci.c"
#include "percpu.c"
#include "ptp.c"
#include "rbtree.c"
#include "rcu.c"
#include "refcount.c"
#include "rtnl.c"
#include "signal.c"
#include "skbuff.c"
#include "slab.c"
#include "spinlock.c"
#include "task.c"
#include "uaccess.c"
#include "vmalloc.c"
#include "wait.c"
#include "workqueue.c"
#include "xdp.c"
