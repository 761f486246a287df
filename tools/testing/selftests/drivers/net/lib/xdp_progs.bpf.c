// SPDX-License-Identifier: GPL-2.0
/*
 * XDP programs for the XDP tests. Each acts on UDP/IPv4 datagrams to port
 * 9999 (the test traffic) and passes everything else, so that neighbour
 * discovery and the like are not counted. Every program counts the frames it
 * acted on in counts[0], a map all programs of the object share: swapping
 * programs under traffic keeps one total.
 *
 *   xdp_pass      count, XDP_PASS
 *   xdp_drop      count, XDP_DROP
 *   xdp_abort     count, XDP_ABORTED
 *   xdp_echo      count, swap MAC, IP and UDP source and destination, XDP_TX
 *                 (a UDP echo server in XDP: the checksums stay valid)
 *   xdp_redirect  count, bpf_redirect() to the ifindex in cfg[0]
 *   xdp_grow      count, move the frame's start 16 bytes into the headroom
 *                 and back, and its end 8 bytes into the tailroom and back
 *                 (bpf_xdp_adjust_head/tail), XDP_PASS
 *
 * Built by the tests with clang -target bpf (libbpf-dev's headers).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TEST_PORT 9999

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cfg SEC(".maps");

/* The UDP header of a test datagram, or NULL. */
static __always_inline struct udphdr *test_udp(struct xdp_md *ctx, struct ethhdr **eth,
					       struct iphdr **ip)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *e = data;
	struct iphdr *i;
	struct udphdr *u;

	if ((void *)(e + 1) > end || e->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	i = (void *)(e + 1);
	if ((void *)(i + 1) > end || i->ihl != 5 || i->protocol != IPPROTO_UDP)
		return NULL;
	u = (void *)(i + 1);
	if ((void *)(u + 1) > end || u->dest != bpf_htons(TEST_PORT))
		return NULL;
	*eth = e;
	*ip = i;
	return u;
}

static __always_inline int count(void)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

#define SIMPLE(name, verdict)                                   \
	SEC("xdp")                                              \
	int name(struct xdp_md *ctx)                            \
	{                                                       \
		struct ethhdr *e;                               \
		struct iphdr *i;                                \
		if (!test_udp(ctx, &e, &i))                     \
			return XDP_PASS;                        \
		count();                                        \
		return verdict;                                 \
	}

SIMPLE(xdp_pass, XDP_PASS)
SIMPLE(xdp_drop, XDP_DROP)
SIMPLE(xdp_abort, XDP_ABORTED)

SEC("xdp")
int xdp_echo(struct xdp_md *ctx)
{
	unsigned char mac[ETH_ALEN];
	struct ethhdr *e;
	struct iphdr *i;
	struct udphdr *u;
	__be32 a;
	__be16 p;

	u = test_udp(ctx, &e, &i);
	if (!u)
		return XDP_PASS;
	count();
	__builtin_memcpy(mac, e->h_source, ETH_ALEN);
	__builtin_memcpy(e->h_source, e->h_dest, ETH_ALEN);
	__builtin_memcpy(e->h_dest, mac, ETH_ALEN);
	a = i->saddr;
	i->saddr = i->daddr;
	i->daddr = a;
	p = u->source;
	u->source = u->dest;
	u->dest = p;
	return XDP_TX;
}

SEC("xdp")
int xdp_redirect(struct xdp_md *ctx)
{
	struct ethhdr *e;
	struct iphdr *i;
	__u32 k = 0, *ifindex;

	if (!test_udp(ctx, &e, &i))
		return XDP_PASS;
	ifindex = bpf_map_lookup_elem(&cfg, &k);
	if (!ifindex || !*ifindex)
		return XDP_ABORTED;
	count();
	return bpf_redirect(*ifindex, 0);
}

SEC("xdp")
int xdp_grow(struct xdp_md *ctx)
{
	struct ethhdr *e;
	struct iphdr *i;

	if (!test_udp(ctx, &e, &i))
		return XDP_PASS;
	if (bpf_xdp_adjust_head(ctx, -16) || bpf_xdp_adjust_tail(ctx, 8))
		return XDP_ABORTED;
	/* The frame now starts 16 bytes earlier: write there. */
	{
		unsigned char *d = (void *)(long)ctx->data;

		if ((void *)(d + 16) > (void *)(long)ctx->data_end)
			return XDP_ABORTED;
		__builtin_memset(d, 0xa5, 16);
	}
	if (bpf_xdp_adjust_head(ctx, 16) || bpf_xdp_adjust_tail(ctx, -8))
		return XDP_ABORTED;
	count();
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
