/* ip_forward.c - forwarding (RFC 1812 5.2, Linux's net/ipv4/ip_forward.c):
 * TTL check and decrement with an RFC 1624 incremental checksum update,
 * DF/too-big -> ICMP frag-needed (RFC 1191), the FORWARD hook, ip_output. */
#include <errno.h>

#include "ethernet/eth.h"
#include "ipv4/netns_ipv4.h"
#include "ipv4/route.h"
#include "netfilter/core.h"
#include "wire/checksum.h"
#include "wire/icmp.h"

static int ip_forward_finish(struct ns_stack *stack, struct sk_buff *skb)
{
	IP_INC_STATS(stack, OUTFORWDATAGRAMS);
	return ip_output(stack, skb);
}

/* RFC 1812 5.3.1: decrement TTL. RFC 1624 incremental update for the
 * 16-bit word holding TTL (high byte): the word drops by 0x0100, so the
 * checksum rises by 0x0100 with end-around carry (Linux's ip_decrease_ttl);
 * a 0xffff result folds to 0x0000, the same value in ones' complement. */
static inline void ip_decrease_ttl(uint8_t *h)
{
	uint32_t check = get_be16(h + 10) + 0x0100u;

	check += check >= 0xffffu;
	put_be16(h + 10, (uint16_t)check);
	h[8]--;
}

int ip_forward(struct ns_stack *stack, struct sk_buff *skb)
{
	struct ip_priv_cb *cb = IPPRIV(skb);
	struct dst_entry *dst = ip_dst_check(stack, skb->dst, cb->oif, cb->nexthop);
	struct net_device *out = dst ? dst->dev : dev_get_by_index(stack, cb->oif);
	uint8_t *h = skb->data;

	if (skb->pkt_type != PACKET_HOST) {
		kfree_skb_reason(skb, SKB_DROP_REASON_OTHERHOST);
		return NET_RX_DROP;
	}
	cb->h.flags |= IPSKB_FORWARDED;
	/* RFC 1812 5.3.1: a router must not forward with TTL 0 or 1 */
	if (h[8] <= 1) {
		IP_INC_STATS(stack, INHDRERRORS);
		icmp_send(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		kfree_skb_reason(skb, SKB_DROP_REASON_IP_TTL);
		return NET_RX_DROP;
	}
	if (!out) {
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_DOWN);
		return NET_RX_DROP;
	}
	if (skb->len > cb->mtu && (get_be16(h + 6) & IP_DF)) {
		IP_INC_STATS(stack, FRAGFAILS);
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, cb->mtu);
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return NET_RX_DROP;
	}
	/* we are about to write the header: make it private with room for
	 * the output link header */
	if (skb_cow_head(skb, out->hard_header_len + out->needed_headroom)) {
		IP_INC_STATS(stack, OUTDISCARDS);
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return NET_RX_DROP;
	}
	skb_reset_network_header(skb);
	ip_decrease_ttl(skb->data);
	skb->priority = 0;
	return NF_HOOK(NFPROTO_IPV4, NF_INET_FORWARD, stack, skb, skb->dev, out, ip_forward_finish);
}
