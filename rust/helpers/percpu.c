// SPDX-License-Identifier: GPL-2.0

#include <linux/percpu.h>

u64 __percpu *rust_helper_alloc_percpu_u64s(size_t n)
{
	return __alloc_percpu(n * sizeof(u64), sizeof(u64));
}

void rust_helper_this_cpu_add_u64(u64 __percpu *p, u64 v)
{
	this_cpu_add(*p, v);
}

u64 rust_helper_per_cpu_u64_sum(u64 __percpu *p)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(p, cpu);
	return sum;
}
