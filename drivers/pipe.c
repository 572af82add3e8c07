/* pipe.c - an in-memory wire between two Ethernet devices (like a veth
 * pair), in one stack or two stacks driven from the same thread.
 *
 * Each end has an rx ring. Sending copies the frame into a buffer from the
 * receiving stack's pool (the "DMA") - or, when both ends are in one stack
 * and nobody else holds the skb, passes the skb itself, scrubbed, as veth
 * does - puts it on the peer's ring and
 * schedules the peer's NAPI poll. A full ring stops the sender's queue
 * (NETDEV_TX_BUSY); the receiver wakes it once its poll made room.
 * With checksum offload on (ns_dev_set_tx_csum), a frame whose checksum was
 * left partial crosses as it is and arrives CHECKSUM_PARTIAL, as on Linux's
 * veth: trusted by the receiver, completed if it is forwarded on. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/netdevice.h"
#include "ethernet/eth.h"
#include "nstack/netdev.h"

#define PIPE_RX_HEADROOM 64

struct pipe_priv {
	struct net_device *peer;
	struct napi_struct napi;
	struct sk_buff **ring;
	unsigned int size;		/* power of two */
	unsigned int head, tail;	/* produced by peer, consumed by us */
	bool peer_waiting;		/* peer stopped its queue on our full ring */
};

static unsigned int ring_count(const struct pipe_priv *p)
{
	return p->head - p->tail;
}

static netdev_tx_t pipe_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct pipe_priv *p = netdev_priv(dev);
	struct net_device *peer = p->peer;
	struct pipe_priv *pp;
	struct sk_buff *n;
	bool partial;
	long csum_from_data;
	uint16_t csum_offset;

	if (unlikely(!peer || !(peer->flags & IFF_UP))) {
		dev->stats.tx_dropped++;
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_DOWN);
		return NETDEV_TX_OK;
	}
	pp = netdev_priv(peer);
	if (ring_count(pp) >= pp->size) {
		netif_stop_queue(dev);
		pp->peer_waiting = true;
		return NETDEV_TX_BUSY;
	}
	if (unlikely(skb->len > peer->mtu + peer->hard_header_len + 4 /* one VLAN tag */)) {
		peer->stats.rx_length_errors++;
		peer->stats.rx_errors++;
		dev->stats.tx_errors++;
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return NETDEV_TX_OK;
	}
	dev->stats.tx_packets++;
	dev->stats.tx_bytes += skb->len;
	/* a partial checksum crosses as it is (dev_queue_xmit completed it
	 * unless this end has NETIF_F_HW_CSUM on) */
	partial = skb->ip_summed == CHECKSUM_PARTIAL;
	csum_from_data = (long)skb->csum_start - (long)(skb->data - skb->head);
	csum_offset = skb->csum_offset;
	if (dev_net(peer) == dev_net(dev) && skb->users == 1 && !skb_cloned(skb)) {
		/* same stack, same pool, nobody else holds it: hand the skb
		 * itself over, scrubbed, as veth does (no copy, no allocation) */
		skb_scrub_packet(skb);
		n = skb;
	} else {
		n = skb_from_bytes(dev_net(peer), skb->data, skb->len, PIPE_RX_HEADROOM);
		if (unlikely(!n)) {
			peer->stats.rx_missed_errors++;
			dev->stats.tx_packets--;
			dev->stats.tx_bytes -= skb->len;
			dev->stats.tx_dropped++;
			kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
			return NETDEV_TX_OK;
		}
		consume_skb(skb);
	}
	n->dev = peer;
	if (partial) {
		n->ip_summed = CHECKSUM_PARTIAL;
		n->csum_start = (uint16_t)((n->data - n->head) + csum_from_data);
		n->csum_offset = csum_offset;
	}
	pp->ring[pp->head++ & (pp->size - 1)] = n;
	napi_schedule(&pp->napi);
	return NETDEV_TX_OK;
}

static int pipe_poll(struct napi_struct *napi, int budget)
{
	struct net_device *dev = napi->dev;
	struct pipe_priv *p = netdev_priv(dev);
	int work = 0;

	while (work < budget && ring_count(p)) {
		struct sk_buff *skb = p->ring[p->tail++ & (p->size - 1)];

		dev->stats.rx_packets++;
		dev->stats.rx_bytes += skb->len;
		eth_gro_receive_skb(napi, skb, dev);
		work++;
	}
	if (p->peer_waiting && ring_count(p) < p->size && p->peer) {
		p->peer_waiting = false;
		netif_wake_queue(p->peer);
	}
	if (work < budget)
		napi_complete_done(napi, work);
	return work;
}

static void pipe_flush_ring(struct pipe_priv *p)
{
	while (ring_count(p))
		kfree_skb_reason(p->ring[p->tail++ & (p->size - 1)], SKB_DROP_REASON_DEV_DOWN);
}

static int pipe_open(struct net_device *dev)
{
	struct pipe_priv *p = netdev_priv(dev);

	if (p->peer && (p->peer->flags & IFF_UP)) {
		netif_carrier_on(dev);
		netif_carrier_on(p->peer);
	}
	return 0;
}

static int pipe_stop(struct net_device *dev)
{
	struct pipe_priv *p = netdev_priv(dev);

	netif_carrier_off(dev);
	if (p->peer)
		netif_carrier_off(p->peer);
	pipe_flush_ring(p);
	if (p->peer) {
		struct pipe_priv *pp = netdev_priv(p->peer);

		if (pp->peer_waiting) {
			pp->peer_waiting = false;
			netif_wake_queue(p->peer);
		}
	}
	return 0;
}

static void pipe_uninit(struct net_device *dev)
{
	struct pipe_priv *p = netdev_priv(dev);

	pipe_flush_ring(p);
	if (p->peer) {
		struct pipe_priv *pp = netdev_priv(p->peer);

		pp->peer = NULL;
		netif_carrier_off(p->peer);
	}
	free(p->ring);
	p->ring = NULL;
}

static const struct net_device_ops pipe_ops = {
	.ndo_open = pipe_open,
	.ndo_stop = pipe_stop,
	.ndo_start_xmit = pipe_xmit,
	.ndo_uninit = pipe_uninit,
};

static void pipe_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &pipe_ops;
	dev->hw_features = NETIF_F_HW_CSUM | NETIF_F_GRO;
	dev->features = NETIF_F_GRO;	/* GRO on, as Linux; checksum offload off until asked for */
}

static struct net_device *pipe_end(struct ns_stack *stack, const char *name, unsigned int ring)
{
	struct net_device *dev = alloc_netdev(stack, sizeof(struct pipe_priv),
					      name ? name : "eth%d", pipe_setup);
	struct pipe_priv *p;

	if (!dev)
		return NULL;
	p = netdev_priv(dev);
	p->size = ring;
	p->ring = calloc(ring, sizeof(*p->ring));
	if (!p->ring) {
		free_netdev(dev);
		return NULL;
	}
	eth_random_addr(stack, dev->dev_addr);
	netif_napi_add(dev, &p->napi, pipe_poll, stack->core.dev_weight);
	return dev;
}

int ns_pipe_create(struct ns_stack *a, const char *name_a, struct ns_stack *b, const char *name_b,
		   unsigned int ring, struct net_device **dev_a, struct net_device **dev_b)
{
	struct net_device *da, *db;
	unsigned int size = 1;
	int rc;

	if (!ring)
		ring = 256;
	if (ring > 65536)
		return -EINVAL;
	while (size < ring)
		size <<= 1;
	da = pipe_end(a, name_a, size);
	db = pipe_end(b, name_b, size);
	if (!da || !db) {
		rc = -ENOMEM;
		goto fail;
	}
	((struct pipe_priv *)netdev_priv(da))->peer = db;
	((struct pipe_priv *)netdev_priv(db))->peer = da;
	rc = register_netdev(da);
	if (rc)
		goto fail;
	rc = register_netdev(db);
	if (rc) {
		unregister_netdev(da);	/* frees da and unlinks db */
		da = NULL;
		goto fail;
	}
	if (dev_a)
		*dev_a = da;
	if (dev_b)
		*dev_b = db;
	return 0;
fail:
	if (da) {
		free(((struct pipe_priv *)netdev_priv(da))->ring);
		free_netdev(da);
	}
	if (db) {
		free(((struct pipe_priv *)netdev_priv(db))->ring);
		free_netdev(db);
	}
	return rc;
}
