/* br_stp_bpdu.c - BPDU encoding and decoding (IEEE 802.1D-1998 clause 9):
 * 802.3 frames to the Bridge Group Address 01-80-C2-00-00-00 with an LLC
 * header (DSAP = SSAP = 0x42, UI), then the BPDU. Times travel in 1/256 s.
 * Every field read is length-checked. Linux counterpart:
 * net/bridge/br_stp_bpdu.c. */
#include <string.h>

#include "bridge/br_stp.h"

#define LLC_HLEN 3
#define BPDU_TYPE_CONFIG 0x00
#define BPDU_TYPE_TCN 0x80
#define BPDU_CONFIG_LEN 35	/* 9.3.1 */
#define BPDU_TCN_LEN 4		/* 9.3.2 */

static const uint8_t br_group_address[ETH_ALEN] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };

static uint16_t time_to_wire(uint64_t ns)
{
	uint64_t t = ns * 256 / NS_PER_SEC;

	return t > 0xffff ? 0xffff : (uint16_t)t;
}

static uint64_t time_from_wire(const uint8_t *p)
{
	return (uint64_t)get_be16(p) * NS_PER_SEC / 256;
}

static void br_send_bpdu(struct net_bridge_port *p, const uint8_t *bpdu, unsigned int len)
{
	struct ns_stack *stack = dev_net(p->dev);
	unsigned int flen = ETH_HLEN + LLC_HLEN + len;
	struct sk_buff *skb;
	uint8_t *h;

	skb = alloc_skb_tx(stack, flen < ETH_ZLEN ? ETH_ZLEN : flen);
	if (!skb)
		return;
	h = skb_put(skb, flen < ETH_ZLEN ? ETH_ZLEN : flen);
	memset(h, 0, flen < ETH_ZLEN ? ETH_ZLEN : flen);
	memcpy(h, br_group_address, ETH_ALEN);
	memcpy(h + ETH_ALEN, p->dev->dev_addr, ETH_ALEN);
	put_be16(h + 12, (uint16_t)(LLC_HLEN + len));	/* 802.3 length */
	h[14] = 0x42;
	h[15] = 0x42;
	h[16] = 0x03;
	memcpy(h + 17, bpdu, len);
	skb->dev = p->dev;
	skb->priority = 7;	/* TC_PRIO_CONTROL */
	p->br->stats.stp_bpdu_tx++;
	dev_queue_xmit(skb);
}

static void put_id(uint8_t *b, const bridge_id *id)
{
	memcpy(b, id->prio, 2);
	memcpy(b + 2, id->addr, ETH_ALEN);
}

static void get_id(bridge_id *id, const uint8_t *b)
{
	memcpy(id->prio, b, 2);
	memcpy(id->addr, b + 2, ETH_ALEN);
}

void br_send_config_bpdu(struct net_bridge_port *p, const struct br_config_bpdu *bpdu)
{
	uint8_t b[BPDU_CONFIG_LEN] = { 0 };

	b[3] = BPDU_TYPE_CONFIG;
	b[4] = (uint8_t)((bpdu->topology_change ? 0x01 : 0) | (bpdu->topology_change_ack ? 0x80 : 0));
	put_id(b + 5, &bpdu->root);
	put_be32(b + 13, bpdu->root_path_cost);
	put_id(b + 17, &bpdu->bridge_id);
	put_be16(b + 25, bpdu->port_id);
	put_be16(b + 27, time_to_wire(bpdu->message_age));
	put_be16(b + 29, time_to_wire(bpdu->max_age));
	put_be16(b + 31, time_to_wire(bpdu->hello_time));
	put_be16(b + 33, time_to_wire(bpdu->forward_delay));
	br_send_bpdu(p, b, sizeof(b));
}

void br_send_tcn_bpdu(struct net_bridge_port *p)
{
	uint8_t b[BPDU_TCN_LEN] = { 0, 0, 0, BPDU_TYPE_TCN };

	br_send_bpdu(p, b, sizeof(b));
}

/* br_stp_rcv: data at the LLC header. Consumes skb. */
void br_stp_rcv(struct net_bridge_port *p, struct sk_buff *skb)
{
	struct net_bridge *br = p->br;
	const uint8_t *b = skb->data;
	struct br_config_bpdu bpdu;

	br->stats.stp_bpdu_rx++;
	/* 9.3.4 validation: LLC, protocol identifier 0, a known type, length */
	if (skb->len < LLC_HLEN + BPDU_TCN_LEN || b[0] != 0x42 || b[1] != 0x42 || b[2] != 0x03 ||
	    get_be16(b + 3) != 0)
		goto bad;
	if (p->state == BR_STATE_DISABLED || !(br->dev->flags & IFF_UP))
		goto out;
	b += LLC_HLEN;
	if (b[3] == BPDU_TYPE_TCN) {
		br_received_tcn_bpdu(p);
		goto out;
	}
	if (b[3] != BPDU_TYPE_CONFIG || skb->len < LLC_HLEN + BPDU_CONFIG_LEN)
		goto bad;
	bpdu.topology_change = b[4] & 0x01;
	bpdu.topology_change_ack = b[4] & 0x80;
	get_id(&bpdu.root, b + 5);
	bpdu.root_path_cost = get_be32(b + 13);
	get_id(&bpdu.bridge_id, b + 17);
	bpdu.port_id = get_be16(b + 25);
	bpdu.message_age = time_from_wire(b + 27);
	bpdu.max_age = time_from_wire(b + 29);
	bpdu.hello_time = time_from_wire(b + 31);
	bpdu.forward_delay = time_from_wire(b + 33);
	/* 9.3.4 c: too old to use */
	if (bpdu.message_age >= bpdu.max_age)
		goto out;
	br_received_config_bpdu(p, &bpdu);
out:
	consume_skb(skb);
	return;
bad:
	br->stats.stp_bad_bpdu++;
	kfree_skb_reason(skb, SKB_DROP_REASON_HDR_ERROR);
}
