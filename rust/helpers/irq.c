// SPDX-License-Identifier: GPL-2.0

#include <linux/cpumask.h>
#include <linux/interrupt.h>

int rust_helper_request_irq(unsigned int irq, irq_handler_t handler,
			    unsigned long flags, const char *name, void *dev)
{
	return request_irq(irq, handler, flags, name, dev);
}

int rust_helper_irq_update_affinity_hint(unsigned int irq,
					 const struct cpumask *m)
{
	return irq_update_affinity_hint(irq, m);
}

const struct cpumask *rust_helper_cpumask_of(unsigned int cpu)
{
	return cpumask_of(cpu);
}

unsigned int rust_helper_num_online_cpus(void)
{
	return num_online_cpus();
}
