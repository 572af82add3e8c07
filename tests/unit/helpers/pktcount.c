/* pktcount.c - see pktcount.h */
#include <string.h>

#include "pktcount.h"

int pkt_count_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
	      struct net_device *orig)
{
	struct pkt_counter *c = container_of(pt, struct pkt_counter, pt);

	(void)dev;
	(void)orig;
	c->n++;
	c->bytes += skb->len;
	c->pkt_type = skb->pkt_type;
	memcpy(c->last, skb->data, skb->len < 64 ? skb->len : 64);
	consume_skb(skb);
	return NET_RX_SUCCESS;
}
