// SPDX-License-Identifier: GPL-2.0

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <net/net_namespace.h>

void *rust_helper_netdev_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

void rust_helper_netdev_set_parent(struct net_device *dev, struct device *parent)
{
	SET_NETDEV_DEV(dev, parent);
}

void rust_helper_netdev_set_lltx(struct net_device *dev, bool lltx)
{
	dev->lltx = lltx;
}

void rust_helper_eth_hw_addr_set(struct net_device *dev, const u8 *addr)
{
	eth_hw_addr_set(dev, addr);
}

void rust_helper_eth_hw_addr_random(struct net_device *dev)
{
	eth_hw_addr_random(dev);
}

bool rust_helper_is_valid_ether_addr(const u8 *addr)
{
	return is_valid_ether_addr(addr);
}

bool rust_helper_netif_carrier_ok(const struct net_device *dev)
{
	return netif_carrier_ok(dev);
}

bool rust_helper_netif_running(const struct net_device *dev)
{
	return netif_running(dev);
}

struct netdev_queue *rust_helper_netdev_get_tx_queue(const struct net_device *dev,
						     unsigned int index)
{
	return netdev_get_tx_queue(dev, index);
}

void rust_helper_netif_tx_stop_queue(struct netdev_queue *txq)
{
	netif_tx_stop_queue(txq);
}

void rust_helper_netif_tx_start_queue(struct netdev_queue *txq)
{
	netif_tx_start_queue(txq);
}

bool rust_helper_netif_tx_queue_stopped(const struct netdev_queue *txq)
{
	return netif_tx_queue_stopped(txq);
}

void rust_helper_netif_tx_wake_all_queues(struct net_device *dev)
{
	netif_tx_wake_all_queues(dev);
}

void rust_helper_netif_tx_start_all_queues(struct net_device *dev)
{
	netif_tx_start_all_queues(dev);
}

/*
 * BQL accounting of one packet and the doorbell decision in one call: true
 * when the driver must write its tail now (the stack passes no more packets
 * right away, or the queue is stopped).
 */
bool rust_helper_netdev_tx_sent_queue_more(struct netdev_queue *txq, unsigned int bytes)
{
	return __netdev_tx_sent_queue(txq, bytes, netdev_xmit_more());
}

void rust_helper_netdev_tx_completed_queue(struct netdev_queue *txq,
					   unsigned int pkts, unsigned int bytes)
{
	netdev_tx_completed_queue(txq, pkts, bytes);
}

void rust_helper_netdev_tx_reset_queue(struct netdev_queue *txq)
{
	netdev_tx_reset_queue(txq);
}

bool rust_helper_netdev_xmit_more(void)
{
	return netdev_xmit_more();
}

struct net *rust_helper_dev_net(const struct net_device *dev)
{
	return dev_net(dev);
}

bool rust_helper_net_eq(const struct net *a, const struct net *b)
{
	return net_eq(a, b);
}

void rust_helper_netdev_rcu_read_lock(void)
{
	rcu_read_lock();
}

void rust_helper_netdev_rcu_read_unlock(void)
{
	rcu_read_unlock();
}

void rust_helper_netif_napi_add(struct net_device *dev, struct napi_struct *napi,
				int (*poll)(struct napi_struct *, int))
{
	netif_napi_add(dev, napi, poll);
}

void rust_helper_netif_napi_del(struct napi_struct *napi)
{
	netif_napi_del(napi);
}

bool rust_helper_napi_schedule(struct napi_struct *napi)
{
	return napi_schedule(napi);
}

void rust_helper_netdev_set_extack_msg(struct netlink_ext_ack *extack, const char *msg)
{
	/* NL_SET_ERR_MSG() needs a literal; `msg` is a static string too. */
	if (extack)
		extack->_msg = msg;
}

void rust_helper_netdev_set_netns_local(struct net_device *dev, bool local)
{
	dev->netns_local = local;
}

void rust_helper_netdev_update_priv_flags(struct net_device *dev, unsigned long long add,
					  unsigned long long remove)
{
	dev->priv_flags = (dev->priv_flags & ~remove) | add;
}

const u8 *rust_helper_netdev_sockaddr_data(const void *addr)
{
	return (const u8 *)((const struct sockaddr *)addr)->sa_data;
}

void rust_helper___netif_tx_lock(struct netdev_queue *txq, int cpu)
{
	__netif_tx_lock(txq, cpu);
}

void rust_helper___netif_tx_unlock(struct netdev_queue *txq)
{
	__netif_tx_unlock(txq);
}

void rust_helper___netif_tx_lock_bh(struct netdev_queue *txq)
{
	__netif_tx_lock_bh(txq);
}

void rust_helper___netif_tx_unlock_bh(struct netdev_queue *txq)
{
	__netif_tx_unlock_bh(txq);
}

int rust_helper_raw_smp_processor_id(void)
{
	return raw_smp_processor_id();
}

void rust_helper_netif_tx_disable(struct net_device *dev)
{
	netif_tx_disable(dev);
}

/* The TX queue stop/wake handshake (netif_txq_maybe_stop) needs a full barrier. */
void rust_helper_smp_mb(void)
{
	smp_mb();
}

void rust_helper_netif_addr_lock_bh(struct net_device *dev)
{
	netif_addr_lock_bh(dev);
}

void rust_helper_netif_addr_unlock_bh(struct net_device *dev)
{
	netif_addr_unlock_bh(dev);
}
