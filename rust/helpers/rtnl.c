// SPDX-License-Identifier: GPL-2.0

#include <net/netlink.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

void *rust_helper_nla_data(const struct nlattr *nla)
{
	return nla_data(nla);
}

int rust_helper_nla_len(const struct nlattr *nla)
{
	return nla_len(nla);
}

void rust_helper_put_net(struct net *net)
{
	put_net(net);
}
