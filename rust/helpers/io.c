// SPDX-License-Identifier: GPL-2.0

#include <linux/delay.h>
#include <linux/io.h>

u32 rust_helper_readl(const volatile void __iomem *addr)
{
	return readl(addr);
}

void rust_helper_writel(u32 value, volatile void __iomem *addr)
{
	writel(value, addr);
}

u32 rust_helper_readl_relaxed(const volatile void __iomem *addr)
{
	return readl_relaxed(addr);
}

void rust_helper_writel_relaxed(u32 value, volatile void __iomem *addr)
{
	writel_relaxed(value, addr);
}

void rust_helper_fsleep(unsigned long usecs)
{
	fsleep(usecs);
}

void rust_helper_udelay(unsigned long usecs)
{
	udelay(usecs);
}
