// SPDX-License-Identifier: GPL-2.0

#include <linux/netdevice.h>
#include <linux/if_vlan.h>
#include <linux/skbuff.h>
#include <net/dst.h>

struct sk_buff *rust_helper_alloc_skb(unsigned int size, gfp_t flags)
{
	return alloc_skb(size, flags);
}

struct sk_buff *rust_helper_netdev_alloc_skb_ip_align(struct net_device *dev,
						      unsigned int length)
{
	return netdev_alloc_skb_ip_align(dev, length);
}

void rust_helper_dev_kfree_skb_any(struct sk_buff *skb)
{
	dev_kfree_skb_any(skb);
}

void rust_helper_dev_consume_skb_any(struct sk_buff *skb)
{
	dev_consume_skb_any(skb);
}

void rust_helper_kfree_skb_reason(struct sk_buff *skb, enum skb_drop_reason reason)
{
	kfree_skb_reason(skb, reason);
}

unsigned int rust_helper_skb_headlen(const struct sk_buff *skb)
{
	return skb_headlen(skb);
}

unsigned int rust_helper_skb_headroom(const struct sk_buff *skb)
{
	return skb_headroom(skb);
}

int rust_helper_skb_tailroom(const struct sk_buff *skb)
{
	return skb_tailroom(skb);
}

void rust_helper_skb_reserve(struct sk_buff *skb, int len)
{
	skb_reserve(skb, len);
}

/* One call per fragment for its page, offset and size (the transmit path maps each). */
struct page *rust_helper_skb_frag_get(const struct sk_buff *skb, unsigned int i,
				      unsigned int *off, unsigned int *size)
{
	const skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

	*off = skb_frag_off(frag);
	*size = skb_frag_size(frag);
	return skb_frag_page(frag);
}

void rust_helper_skb_set_ip_summed(struct sk_buff *skb, u8 ip_summed)
{
	skb->ip_summed = ip_summed;
}

int rust_helper_skb_linearize(struct sk_buff *skb)
{
	return skb_linearize(skb);
}

void rust_helper_skb_record_rx_queue(struct sk_buff *skb, u16 rx_queue)
{
	skb_record_rx_queue(skb, rx_queue);
}

void rust_helper_skb_set_hash(struct sk_buff *skb, u32 hash, enum pkt_hash_types type)
{
	skb_set_hash(skb, hash, type);
}

/*
 * The metadata of a received frame in one call (one call per frame instead of
 * four, as a C driver's inlined code does it): RX hash if @hash_type is not
 * PKT_HASH_TYPE_NONE, checksum verdict, RX queue, and the protocol from the
 * Ethernet header, which it pulls. The caller checked that the linear part
 * holds an Ethernet header.
 */
void rust_helper_skb_tx_timestamp(struct sk_buff *skb)
{
	skb_tx_timestamp(skb);
}

/*
 * What loopback_xmit does inline before a transmitted buffer re-enters the
 * receive path, in one call: report the transmit timestamp (while the buffer
 * still has its socket), clear the timestamp, detach the buffer from its
 * socket, make its route reference (if any) a counted one.
 */
void rust_helper_skb_loop_back(struct sk_buff *skb)
{
	skb_tx_timestamp(skb);
	skb_clear_tstamp(skb);
	skb_orphan(skb);
	skb_dst_force(skb);
}

void rust_helper_skb_set_dev(struct sk_buff *skb, struct net_device *dev)
{
	skb->dev = dev;
}

int rust_helper_skb_transport_offset(const struct sk_buff *skb)
{
	return skb_transport_offset(skb);
}

unsigned int rust_helper_skb_gso_type(const struct sk_buff *skb)
{
	return skb_shinfo(skb)->gso_type;
}

int rust_helper_skb_cow_head(struct sk_buff *skb, unsigned int headroom)
{
	return skb_cow_head(skb, headroom);
}

void rust_helper_skb_add_rx_frag(struct sk_buff *skb, int i, struct page *page,
				 int off, int size, unsigned int truesize)
{
	skb_add_rx_frag(skb, i, page, off, size, truesize);
}

void rust_helper_get_page(struct page *page)
{
	get_page(page);
}

void rust_helper_put_page(struct page *page)
{
	put_page(page);
}

void *rust_helper_page_address(const struct page *page)
{
	return page_address(page);
}

void rust_helper_page_ref_add(struct page *page, int nr)
{
	page_ref_add(page, nr);
}

int rust_helper_page_ref_count(const struct page *page)
{
	return page_ref_count(page);
}

bool rust_helper_page_is_pfmemalloc(const struct page *page)
{
	return page_is_pfmemalloc(page);
}

void rust_helper___vlan_hwaccel_put_tag(struct sk_buff *skb, __be16 proto, u16 tci)
{
	__vlan_hwaccel_put_tag(skb, proto, tci);
}
