/* custom.c - devices driven by the embedder (nstack/netdev.h): the stack
 * calls ops->xmit for each frame to send; the embedder hands received
 * frames to ns_dev_rx, which queues them on the backlog like netif_rx. */
#include <errno.h>
#include <string.h>

#include "core/netdevice.h"
#include "drivers/fdnet.h"
#include "ethernet/eth.h"
#include "nstack/netdev.h"

#define CUSTOM_RX_HEADROOM 64

struct custom_priv {
	struct ns_driver_ops ops;
	void *ctx;
	enum ns_link_type link;
};

static netdev_tx_t custom_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct custom_priv *p = netdev_priv(dev);
	int rc = p->ops.xmit(p->ctx, skb->data, skb->len);

	if (rc == -EAGAIN) {
		netif_stop_queue(dev);
		return NETDEV_TX_BUSY;
	}
	if (rc < 0) {
		dev->stats.tx_errors++;
		kfree_skb_reason(skb, SKB_DROP_REASON_TX_ERROR);
		return NETDEV_TX_OK;
	}
	dev->stats.tx_packets++;
	dev->stats.tx_bytes += skb->len;
	consume_skb(skb);
	return NETDEV_TX_OK;
}

static void custom_uninit(struct net_device *dev)
{
	struct custom_priv *p = netdev_priv(dev);

	if (p->ops.destroy)
		p->ops.destroy(p->ctx);
}

static const struct net_device_ops custom_ops = {
	.ndo_start_xmit = custom_xmit,
	.ndo_uninit = custom_uninit,
};

struct net_device *ns_dev_create(struct ns_stack *stack, const char *name,
				 enum ns_link_type type, const uint8_t mac[6],
				 unsigned int mtu, const struct ns_driver_ops *ops, void *ctx)
{
	struct net_device *dev;
	struct custom_priv *p;
	int rc;

	if (!ops || !ops->xmit || (type != NS_LINK_ETHER && type != NS_LINK_RAW_IP)) {
		errno = EINVAL;
		return NULL;
	}
	dev = alloc_netdev(stack, sizeof(*p), name ? name : "eth%d",
			   type == NS_LINK_ETHER ? ether_setup : raw_ip_setup);
	if (!dev) {
		errno = ENOMEM;
		return NULL;
	}
	p = netdev_priv(dev);
	p->ops = *ops;
	p->ctx = ctx;
	p->link = type;
	dev->netdev_ops = &custom_ops;
	if (type == NS_LINK_ETHER) {
		if (mac)
			memcpy(dev->dev_addr, mac, ETH_ALEN);
		else
			eth_random_addr(stack, dev->dev_addr);
	}
	if (mtu) {
		if (mtu < dev->min_mtu || mtu > dev->max_mtu) {
			free_netdev(dev);
			errno = EINVAL;
			return NULL;
		}
		dev->mtu = mtu;
	}
	dev->state &= ~(1UL << __LINK_STATE_NOCARRIER);
	rc = register_netdev(dev);
	if (rc) {
		free_netdev(dev);
		errno = -rc;
		return NULL;
	}
	return dev;
}

/* Works for any device, not only ns_dev_create's: the link type follows
 * the device type (a frame "received" on a pipe or TAP end is fine too). */
int ns_dev_rx(struct net_device *dev, const void *frame, size_t len)
{
	bool ether = dev->type != ARPHRD_NONE;
	struct sk_buff *skb;

	if (len > skb_pool_max_size() - CUSTOM_RX_HEADROOM) {
		dev->stats.rx_length_errors++;
		dev->stats.rx_errors++;
		return -EINVAL;
	}
	if (!(dev->flags & IFF_UP)) {
		dev->stats.rx_dropped++;
		return -ENETDOWN;
	}
	skb = skb_from_bytes(dev_net(dev), frame, (unsigned int)len, CUSTOM_RX_HEADROOM);
	if (!skb) {
		dev->stats.rx_missed_errors++;
		return -ENOBUFS;
	}
	skb->dev = dev;
	dev->stats.rx_packets++;
	dev->stats.rx_bytes += len;
	if (ether) {
		if (len < ETH_HLEN) {
			dev->stats.rx_length_errors++;
			dev->stats.rx_errors++;
			kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_SMALL);
			return -EINVAL;
		}
		return eth_rx_skb(skb, dev) == NET_RX_SUCCESS ? 0 : -ENOBUFS;
	}
	skb->protocol = raw_ip_protocol(frame, (unsigned int)len);
	skb->pkt_type = PACKET_HOST;
	return netif_rx(skb) == NET_RX_SUCCESS ? 0 : -ENOBUFS;
}

void ns_dev_tx_wake(struct net_device *dev)
{
	netif_wake_queue(dev);
}

/* ---- generic device calls from nstack/netdev.h -------------------------------------------- */
struct net_device *ns_dev_get(struct ns_stack *stack, const char *name)
{
	return dev_get_by_name(stack, name);
}

const char *ns_dev_name(const struct net_device *dev)
{
	return dev->name;
}

int ns_dev_ifindex(const struct net_device *dev)
{
	return dev->ifindex;
}

int ns_dev_set_up(struct net_device *dev, bool up)
{
	return up ? dev_open(dev) : dev_close(dev);
}

int ns_dev_set_mtu(struct net_device *dev, unsigned int mtu)
{
	return dev_set_mtu(dev, mtu);
}

int ns_dev_set_tx_csum(struct net_device *dev, bool on)
{
	if (!(dev->hw_features & NETIF_F_HW_CSUM))
		return on ? -EOPNOTSUPP : 0;
	if (on)
		dev->features |= NETIF_F_HW_CSUM;
	else
		dev->features &= ~NETIF_F_HW_CSUM;
	return 0;
}

int ns_dev_set_gro(struct net_device *dev, bool on)
{
	if (!(dev->hw_features & NETIF_F_GRO))
		return on ? -EOPNOTSUPP : 0;
	if (on)
		dev->features |= NETIF_F_GRO;
	else
		dev->features &= ~NETIF_F_GRO;
	return 0;
}

int ns_dev_set_mac(struct net_device *dev, const uint8_t mac[6])
{
	return dev_set_mac_address(dev, mac);
}

void ns_dev_destroy(struct net_device *dev)
{
	unregister_netdev(dev);
}
