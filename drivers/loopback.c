/* loopback.c - the `lo` device: every frame sent is received again through
 * the backlog queue, as Linux's drivers/net/loopback.c does. */
#include <errno.h>
#include <string.h>

#include "core/netdevice.h"
#include "ethernet/eth.h"
#include "sched/sch_generic.h"

static netdev_tx_t loopback_xmit(struct sk_buff *skb, struct net_device *dev)
{
	unsigned int len = skb->len;

	skb_orphan(skb);
	if (unlikely(skb->len < ETH_HLEN)) {
		dev->stats.tx_dropped++;
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		return NETDEV_TX_OK;
	}
	skb->protocol = eth_type_trans(skb, dev);
	skb->pkt_type = PACKET_HOST;	/* the zero MAC is ours */
	if (netif_rx(skb) == NET_RX_SUCCESS) {
		dev->stats.tx_packets++;
		dev->stats.tx_bytes += len;
		dev->stats.rx_packets++;
		dev->stats.rx_bytes += len;
	}
	return NETDEV_TX_OK;
}

static const struct net_device_ops loopback_ops = {
	.ndo_start_xmit = loopback_xmit,
};

static void loopback_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->type = ARPHRD_LOOPBACK;
	dev->mtu = 65536;
	dev->max_mtu = 65536;
	dev->flags = IFF_LOOPBACK;
	/* frames never leave memory: a checksum left partial stays intact */
	dev->hw_features = dev->features = NETIF_F_HW_CSUM;
	memset(dev->broadcast, 0, ETH_ALEN);
	memset(dev->dev_addr, 0, ETH_ALEN);
	dev->netdev_ops = &loopback_ops;
	dev->state &= ~(1UL << __LINK_STATE_NOCARRIER);
}

int loopback_init(struct ns_stack *stack)
{
	struct net_device *dev = alloc_netdev(stack, 0, "lo", loopback_setup);
	int rc;

	if (!dev)
		return -ENOMEM;
	/* like Linux, lo has no queue */
	dev->qdisc = qdisc_create(dev, &noqueue_qdisc_ops, 0, NULL, NULL, 0);
	if (!dev->qdisc) {
		free_netdev(dev);
		return -ENOMEM;
	}
	rc = register_netdev(dev);
	if (rc) {
		qdisc_destroy(dev->qdisc);
		free_netdev(dev);
		return rc;
	}
	stack->loopback_dev = dev;
	return dev_open(dev);
}
