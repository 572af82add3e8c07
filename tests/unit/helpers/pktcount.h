/* pktcount.h - a packet_type handler for tests that counts what the stack
 * delivers to it (frames, bytes, the last frame's first 64 bytes and its
 * pkt_type) and consumes it. Used as
 *   struct pkt_counter c = { .pt = { .type = ETH_P_TEST, .func = pkt_count_rcv } };
 *   dev_add_pack(stack, &c.pt); ... dev_remove_pack(stack, &c.pt); */
#ifndef NSTACK_PKTCOUNT_H
#define NSTACK_PKTCOUNT_H

#include "testlib.h"

struct pkt_counter {
	struct packet_type pt;
	unsigned int n;
	unsigned int bytes;
	uint8_t pkt_type;	/* of the last frame */
	uint8_t last[64];	/* the last frame's first 64 bytes */
};

int pkt_count_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
	      struct net_device *orig);

#endif
