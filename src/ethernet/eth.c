/* eth.c - Ethernet framing (see eth.h). */
#include <errno.h>
#include <string.h>

#include "core/gro.h"
#include "ethernet/eth.h"

static int eth_header(struct sk_buff *skb, struct net_device *dev, uint16_t type,
		      const void *daddr, const void *saddr, unsigned int len)
{
	uint8_t *h = skb_push(skb, ETH_HLEN);

	(void)len;
	if (!h)
		return -ENOBUFS;
	memcpy(h, daddr ? daddr : dev->broadcast, ETH_ALEN);
	memcpy(h + ETH_ALEN, saddr ? saddr : dev->dev_addr, ETH_ALEN);
	put_be16(h + 12, type);
	return ETH_HLEN;
}

static int eth_header_parse(const struct sk_buff *skb, unsigned char *haddr)
{
	memcpy(haddr, skb_mac_header(skb) + ETH_ALEN, ETH_ALEN);
	return ETH_ALEN;
}

const struct header_ops eth_header_ops = {
	.create = eth_header,
	.parse = eth_header_parse,
};

void ether_setup(struct net_device *dev)
{
	dev->type = ARPHRD_ETHER;
	dev->header_ops = &eth_header_ops;
	dev->hard_header_len = ETH_HLEN;
	dev->mtu = ETH_DATA_LEN;
	dev->min_mtu = 68;
	dev->max_mtu = 65535 - 32;
	dev->addr_len = ETH_ALEN;
	dev->tx_queue_len = 1000;
	dev->flags = IFF_BROADCAST | IFF_MULTICAST;
	memset(dev->broadcast, 0xff, ETH_ALEN);
}

void eth_random_addr(struct ns_stack *stack, uint8_t *addr)
{
	uint64_t r = ns_random(stack);

	for (int i = 0; i < ETH_ALEN; i++)
		addr[i] = (uint8_t)(r >> (8 * i));
	addr[0] &= 0xfe;	/* unicast */
	addr[0] |= 0x02;	/* locally administered */
}

/* Two 6-byte addresses equal: one 4-byte and one 2-byte compare. */
static inline bool eth_addr_eq(const uint8_t *a, const uint8_t *b)
{
	uint32_t a0, b0;
	uint16_t a1, b1;

	memcpy(&a0, a, 4);
	memcpy(&b0, b, 4);
	memcpy(&a1, a + 4, 2);
	memcpy(&b1, b + 4, 2);
	return ((a0 ^ b0) | (uint32_t)(a1 ^ b1)) == 0;
}

uint16_t eth_type_trans(struct sk_buff *skb, struct net_device *dev)
{
	const uint8_t *h = skb->data;
	uint16_t proto;

	skb->dev = dev;
	skb_reset_mac_header(skb);
	skb_pull(skb, ETH_HLEN);
	if (h[0] & 1) {
		skb->pkt_type = memcmp(h, dev->broadcast, ETH_ALEN) == 0 ? PACKET_BROADCAST
									: PACKET_MULTICAST;
	} else if (!eth_addr_eq(h, dev->dev_addr)) {
		skb->pkt_type = PACKET_OTHERHOST;
	} else {
		skb->pkt_type = PACKET_HOST;
	}
	proto = get_be16(h + 12);
	/* IEEE 802.3 length field: LLC frame */
	if (proto < ETH_P_802_3_MIN)
		return ETH_P_802_2;
	return proto;
}

static bool eth_check(struct sk_buff *skb, struct net_device *dev)
{
	if (unlikely(skb->len < ETH_HLEN)) {
		dev->stats.rx_length_errors++;
		dev->stats.rx_errors++;
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		return false;
	}
	skb->protocol = eth_type_trans(skb, dev);
	if (skb->pkt_type == PACKET_MULTICAST || skb->pkt_type == PACKET_BROADCAST)
		dev->stats.multicast += skb->pkt_type == PACKET_MULTICAST;
	return true;
}

int eth_receive_skb(struct sk_buff *skb, struct net_device *dev)
{
	if (!eth_check(skb, dev))
		return NET_RX_DROP;
	return netif_receive_skb(skb);
}

int eth_gro_receive_skb(struct napi_struct *napi, struct sk_buff *skb, struct net_device *dev)
{
	if (!eth_check(skb, dev))
		return NET_RX_DROP;
	return napi_gro_receive(napi, skb);
}

int eth_rx_skb(struct sk_buff *skb, struct net_device *dev)
{
	if (!eth_check(skb, dev))
		return NET_RX_DROP;
	return netif_rx(skb);
}

int eth_skb_pad(struct sk_buff *skb)
{
	unsigned int pad;

	if (skb->len >= ETH_ZLEN)
		return 0;
	pad = ETH_ZLEN - skb->len;
	if (skb_tailroom(skb) < pad || skb_cloned(skb)) {
		if (skb_cow_head(skb, 0) || skb_tailroom(skb) < pad) {
			kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
			return -ENOMEM;
		}
	}
	memset(skb_put(skb, pad), 0, pad);
	return 0;
}
