// SPDX-License-Identifier: GPL-2.0

#include <linux/filter.h>
#include <linux/netdevice.h>
#include <net/xdp.h>
#include <trace/events/xdp.h>

void rust_helper_xdp_init_buff(struct xdp_buff *xdp, u32 frame_sz, struct xdp_rxq_info *rxq)
{
	xdp_init_buff(xdp, frame_sz, rxq);
}

void rust_helper_xdp_prepare_buff(struct xdp_buff *xdp, unsigned char *hard_start,
				  int headroom, int data_len, const bool meta_valid)
{
	xdp_prepare_buff(xdp, hard_start, headroom, data_len, meta_valid);
}

u32 rust_helper_bpf_prog_run_xdp(const struct bpf_prog *prog, struct xdp_buff *xdp)
{
	return bpf_prog_run_xdp(prog, xdp);
}

struct xdp_frame *rust_helper_xdp_convert_buff_to_frame(struct xdp_buff *xdp)
{
	return xdp_convert_buff_to_frame(xdp);
}

void rust_helper_skb_metadata_set(struct sk_buff *skb, u8 meta_len)
{
	skb_metadata_set(skb, meta_len);
}

void rust_helper_trace_xdp_exception(const struct net_device *dev, const struct bpf_prog *xdp,
				     u32 act)
{
	trace_xdp_exception(dev, xdp, act);
}

void rust_helper_dev_hold(struct net_device *dev)
{
	dev_hold(dev);
}

void rust_helper_dev_put(struct net_device *dev)
{
	dev_put(dev);
}
