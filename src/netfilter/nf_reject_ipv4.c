/* nf_reject_ipv4.c - what `reject` sends back (Linux's nf_reject_ipv4.c):
 * ICMP destination unreachable through icmp_send() (RFC 1122 3.2.2 limits
 * apply), or a TCP RST built here. The RST comes from the address the
 * refused segment was sent to, so the peer matches it to its connection
 * even when we only forward that traffic. */
#include <errno.h>

#include "core/skbuff.h"
#include "core/stack.h"
#include "ethernet/eth.h"
#include "ipv4/ip.h"
#include "ipv4/netns_ipv4.h"
#include "netfilter/nf_reject.h"
#include "netfilter/nf_tables.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/tcp.h"

/* RFC 9293 3.10.7.1: if the segment has ACK, the reset takes its sequence
 * number from the ACK field; else seq 0 with ACK = SEG.SEQ + SEG.LEN. */
static void rst_fields(const struct tcp_repr *in, struct tcp_repr *out)
{
	*out = (struct tcp_repr){ .sport = in->dport, .dport = in->sport };
	if (in->flags & TCP_FLAG_ACK) {
		out->seq = in->ack_seq;
		out->flags = TCP_FLAG_RST;
	} else {
		out->ack_seq = in->seq + (uint32_t)in->payload_len + !!(in->flags & TCP_FLAG_SYN) +
			       !!(in->flags & TCP_FLAG_FIN);
		out->flags = TCP_FLAG_RST | TCP_FLAG_ACK;
	}
}

int nf_send_reset(struct ns_stack *stack, struct sk_buff *oldskb, const struct nft_pktinfo *pkt)
{
	const uint8_t *nh = skb_network_header(oldskb);
	struct flowi4 fl4 = { .daddr = pkt->v[NFT_F_IP_SADDR], .proto = IPPROTO_TCP };
	uint32_t saddr = pkt->v[NFT_F_IP_DADDR];
	struct ip_route_result res;
	struct tcp_repr in, out;
	struct ipv4_repr ip;
	struct ip_priv_cb *cb;
	struct sk_buff *skb;
	uint8_t *h;

	if (pkt->l4proto != IPPROTO_TCP || !pkt->l4_ok)
		return -EINVAL;
	if (tcp_parse(nh + pkt->thoff, pkt->v[NFT_F_META_LENGTH] - pkt->thoff, &in, NULL) !=
	    WIRE_OK)
		return -EINVAL;
	if (in.flags & TCP_FLAG_RST)	/* RFC 9293 3.10.7.1: never answer a reset */
		return -EINVAL;
	if (ip_route_output(stack, &fl4, &res))
		return -ENETUNREACH;
	skb = alloc_skb_tx(stack, IPV4_HLEN_MIN + TCP_HLEN_MIN);
	if (!skb)
		return -ENOBUFS;
	rst_fields(&in, &out);
	h = skb_put(skb, TCP_HLEN_MIN);
	tcp_emit_ipv4(&out, h, TCP_HLEN_MIN, saddr, fl4.daddr);
	h = skb_push(skb, IPV4_HLEN_MIN);
	ip = (struct ipv4_repr){ .tot_len = IPV4_HLEN_MIN + TCP_HLEN_MIN,
				 .ttl = (uint8_t)ip_default_ttl(stack), .protocol = IPPROTO_TCP,
				 .saddr = saddr, .daddr = fl4.daddr, .df = true };
	ipv4_emit(&ip, h, IPV4_HLEN_MIN);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, IPV4_HLEN_MIN);
	skb->protocol = ETH_P_IP;
	skb->dev = res.dev;
	cb = IPPRIV(skb);
	*cb = (struct ip_priv_cb){
		.h = { .saddr = saddr, .daddr = fl4.daddr, .ttl = ip.ttl, .protocol = IPPROTO_TCP,
		       .rt_type = res.type },
		.nexthop = res.nexthop,
		.oif = res.dev->ifindex,
		.mtu = res.mtu,
	};
	return ip_output(stack, skb);
}

void nf_reject_ipv4(struct ns_stack *stack, struct sk_buff *skb, const struct nft_pktinfo *pkt,
		    const struct nft_expr *e)
{
	if (!stack->ipv4)
		return;
	if (e->v.reject_type == NFT_REJECT_TCP_RST)
		nf_send_reset(stack, skb, pkt);
	else
		icmp_send(skb, ICMP_DEST_UNREACH, e->v.icmp_code, 0);
}
