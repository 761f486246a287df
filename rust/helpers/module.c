// SPDX-License-Identifier: GPL-2.0

#include <linux/module.h>
#include <linux/preempt.h>

/* The module whose code contains addr, NULL for the kernel image. */
struct module *rust_helper_module_of_code(unsigned long addr)
{
	struct module *mod;

	preempt_disable();
	mod = __module_address(addr);
	preempt_enable();
	return mod;
}
