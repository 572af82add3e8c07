/* fdnet.c - the shared half of the fd-backed drivers (see fdnet.h): device
 * setup and registration, the epoll callback, receive delivery and the
 * transmit path with flow control. Read tap.c for the simplest user. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drivers/fdnet.h"
#include "ethernet/eth.h"

/* ---- event callback ------------------------------------------------------- */
static void fdnet_event(void *ctx, uint32_t events)
{
	struct fdnet *p = ctx;

	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		napi_schedule(&p->napi);
	if ((events & EPOLLOUT) && p->tx_blocked) {
		p->tx_blocked = false;
		ns_stack_rewatch_fd(dev_net(p->dev), p->fd, EPOLLIN, fdnet_event, p);
		netif_wake_queue(p->dev);
	}
}

static int fdnet_napi_poll(struct napi_struct *napi, int budget)
{
	struct fdnet *p = netdev_priv(napi->dev);
	int work = p->ops->poll(p, budget);

	if (work < budget)
		napi_complete_done(napi, work);
	return work;
}

/* ---- receive ---------------------------------------------------------------- */
unsigned int fdnet_rx_bufsize(const struct net_device *dev)
{
	return dev->mtu + dev->hard_header_len + (dev->hard_header_len ? FDNET_VLAN_HLEN : 0);
}

struct sk_buff *fdnet_rx_alloc(struct fdnet *p)
{
	struct sk_buff *skb = alloc_skb(dev_net(p->dev),
					FDNET_RX_HEADROOM + fdnet_rx_bufsize(p->dev));

	if (skb)
		skb_reserve(skb, FDNET_RX_HEADROOM);
	return skb;
}

bool fdnet_rx_discard(struct fdnet *p)
{
	uint8_t byte;

	/* a one-byte read consumes (truncates) a whole TUN frame or datagram */
	if (read(p->fd, &byte, 1) < 0)
		return false;
	p->dev->stats.rx_missed_errors++;
	return true;
}

void fdnet_rx_error(struct fdnet *p, int err)
{
	struct net_device *dev = p->dev;

	/* the Linux side went away (interface deleted, socket error): stop
	 * watching so a permanently readable fd cannot spin the loop */
	ns_log(dev_net(dev), "%s: receive failed (%s), link down", dev->name, strerror(err));
	dev->stats.rx_errors++;
	ns_stack_rewatch_fd(dev_net(dev), p->fd, 0, fdnet_event, p);
	netif_carrier_off(dev);
}

static void fdnet_rx_raw_ip(struct sk_buff *skb, struct net_device *dev)
{
	skb->protocol = raw_ip_protocol(skb->data, skb->len);
	if (!skb->protocol) {
		dev->stats.rx_errors++;
		dev->stats.rx_frame_errors++;
		kfree_skb_reason(skb, SKB_DROP_REASON_HDR_ERROR);
		return;
	}
	skb->pkt_type = PACKET_HOST;
	netif_receive_skb(skb);
}

void fdnet_rx_deliver(struct fdnet *p, struct sk_buff *skb, size_t wire_len)
{
	struct net_device *dev = p->dev;

	if (unlikely(wire_len > skb_tailroom(skb) || wire_len > fdnet_rx_bufsize(dev))) {
		dev->stats.rx_length_errors++;
		dev->stats.rx_errors++;
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return;
	}
	skb_put(skb, (unsigned int)wire_len);
	skb->dev = dev;
	if (unlikely(!netif_running(dev))) {
		dev->stats.rx_dropped++;
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_DOWN);
		return;
	}
	dev->stats.rx_packets++;
	dev->stats.rx_bytes += wire_len;
	if (p->link == NS_LINK_ETHER)
		eth_receive_skb(skb, dev);
	else
		fdnet_rx_raw_ip(skb, dev);
}

/* ---- transmit ---------------------------------------------------------------- */
static netdev_tx_t fdnet_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct fdnet *p = netdev_priv(dev);
	ssize_t n = p->ops->send(p, skb->data, skb->len);

	if (n == -EAGAIN || n == -EWOULDBLOCK) {
		/* kernel queue full: keep the skb, wait for EPOLLOUT */
		netif_stop_queue(dev);
		if (!p->tx_blocked &&
		    ns_stack_rewatch_fd(dev_net(dev), p->fd, EPOLLIN | EPOLLOUT, fdnet_event, p) == 0)
			p->tx_blocked = true;
		if (!p->tx_blocked)
			netif_wake_queue(dev);	/* cannot wait: retry next round */
		return NETDEV_TX_BUSY;
	}
	if (n == -ENOBUFS) {
		/* the kernel dropped it (its qdisc): like a full NIC FIFO */
		dev->stats.tx_dropped++;
		kfree_skb_reason(skb, SKB_DROP_REASON_TX_ERROR);
		return NETDEV_TX_OK;
	}
	if (n != (ssize_t)skb->len) {
		dev->stats.tx_errors++;
		kfree_skb_reason(skb, SKB_DROP_REASON_TX_ERROR);
		return NETDEV_TX_OK;
	}
	dev->stats.tx_packets++;
	dev->stats.tx_bytes += skb->len;
	consume_skb(skb);
	return NETDEV_TX_OK;
}

static void fdnet_uninit(struct net_device *dev)
{
	struct fdnet *p = netdev_priv(dev);

	if (p->fd < 0)
		return;
	ns_stack_unwatch_fd(dev_net(dev), p->fd);
	close(p->fd);
	p->fd = -1;
}

static const struct net_device_ops fdnet_netdev_ops = {
	.ndo_start_xmit = fdnet_xmit,
	.ndo_uninit = fdnet_uninit,
};

/* ---- setup -------------------------------------------------------------------- */
void raw_ip_setup(struct net_device *dev)
{
	dev->type = ARPHRD_NONE;
	dev->header_ops = NULL;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = 1500;
	dev->min_mtu = 68;
	dev->max_mtu = 65535;
	dev->tx_queue_len = 500;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST;
}

uint16_t raw_ip_protocol(const uint8_t *pkt, unsigned int len)
{
	if (!len)
		return 0;
	switch (pkt[0] >> 4) {
	case 4:
		return ETH_P_IP;
	case 6:
		return ETH_P_IPV6;
	default:
		return 0;
	}
}

int fdnet_linux_mtu(const char *ifname)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	rc = ioctl(s, SIOCGIFMTU, &ifr) < 0 ? -errno : ifr.ifr_mtu;
	close(s);
	return rc;
}

struct net_device *fdnet_alloc(struct ns_stack *stack, const char *name,
			       enum ns_link_type link, const struct fdnet_ops *ops)
{
	struct net_device *dev = alloc_netdev(stack, sizeof(struct fdnet), name,
					      link == NS_LINK_ETHER ? ether_setup : raw_ip_setup);
	struct fdnet *p;

	if (!dev)
		return NULL;
	p = netdev_priv(dev);
	p->dev = dev;
	p->ops = ops;
	p->fd = -1;
	p->link = link;
	dev->netdev_ops = &fdnet_netdev_ops;
	dev->max_mtu = 65535;
	return dev;
}

int fdnet_register(struct net_device *dev, int fd, unsigned int mtu)
{
	struct ns_stack *stack = dev_net(dev);
	struct fdnet *p = netdev_priv(dev);
	int rc;

	if (mtu >= dev->min_mtu && mtu <= dev->max_mtu)
		dev->mtu = mtu;
	if (p->link == NS_LINK_ETHER)
		eth_random_addr(stack, dev->dev_addr);	/* our own NIC, not Linux's MAC */
	dev->state &= ~(1UL << __LINK_STATE_NOCARRIER);
	netif_napi_add(dev, &p->napi, fdnet_napi_poll, stack->core.dev_weight);
	rc = register_netdev(dev);
	if (rc) {
		netif_napi_del(&p->napi);
		close(fd);
		free_netdev(dev);
		return rc;
	}
	rc = ns_stack_watch_fd(stack, fd, EPOLLIN, fdnet_event, p);
	if (rc) {
		close(fd);
		unregister_netdev(dev);
		return rc;
	}
	p->fd = fd;
	return 0;
}
