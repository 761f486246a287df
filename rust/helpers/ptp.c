// SPDX-License-Identifier: GPL-2.0

#include <linux/ptp_clock_kernel.h>

u64 rust_helper_adjust_by_scaled_ppm(u64 base, long scaled_ppm)
{
	return adjust_by_scaled_ppm(base, scaled_ppm);
}
