/* ip6_input.c - IPv6 receive (Linux's net/ipv6/ip6_input.c). ipv6_rcv
 * validates the RFC 8200 3 fixed header and processes Hop-by-Hop options
 * (4.3, they concern every node on the path), then PRE_ROUTING ->
 * ip6_route_input -> forward, or LOCAL_IN and ip6_protocol_deliver, which
 * walks the extension header chain one header at a time (BSD style: each
 * step names the next protocol) under the limits of
 * net.ipv6.max_dst_opts_number / max_hbh_length, so a chain of hundreds of
 * headers is dropped and counted rather than walked. */
#include <errno.h>
#include <string.h>

#include "ethernet/eth.h"
#include "ipv6/netns_ipv6.h"
#include "netfilter/core.h"
#include "wire/icmpv6.h"

static int ip6_drop(struct ns_stack *stack, struct sk_buff *skb, enum skb_drop_reason reason)
{
	(void)stack;
	kfree_skb_reason(skb, reason);
	return NET_RX_DROP;
}

static int ip6_hdr_error(struct ns_stack *stack, struct sk_buff *skb, enum skb_drop_reason reason)
{
	IP6_INC_STATS(stack, INHDRERRORS);
	return ip6_drop(stack, skb, reason);
}

/* RFC 8200 4: a parameter problem pointing at the offending octet */
static int ip6_param_prob(struct ns_stack *stack, struct sk_buff *skb, uint8_t code,
			  unsigned int pointer)
{
	IP6_INC_STATS(stack, INHDRERRORS);
	icmp6_send(skb, ICMPV6_PARAMPROB, code, pointer);
	return ip6_drop(stack, skb, SKB_DROP_REASON_IP_INHDR);
}

static int ip6_deliver_upper(struct ns_stack *stack, struct sk_buff *skb, uint8_t proto,
			     unsigned int off, unsigned int nhoff)
{
	const struct inet6_protocol *prot = stack->ipv6->protos[proto];

	if (!prot) {
		/* RFC 8200 4: unrecognized Next Header: code 1, pointer at it */
		IP6_INC_STATS(stack, INUNKNOWNPROTOS);
		icmp6_send(skb, ICMPV6_PARAMPROB, ICMPV6_UNK_NEXTHDR, nhoff);
		return ip6_drop(stack, skb, SKB_DROP_REASON_IP_NOPROTO);
	}
	IP6CB(skb)->nhoff = (uint16_t)nhoff;
	skb_pull(skb, off);
	skb_reset_transport_header(skb);
	IP6_INC_STATS(stack, INDELIVERS);
	prot->handler(skb);
	return 0;
}

int ip6_protocol_deliver(struct ns_stack *stack, struct sk_buff *skb, uint8_t nexthdr,
			 unsigned int off, unsigned int nhoff)
{
	struct netns_ipv6 *ip6 = stack->ipv6;
	unsigned int nhdrs = 0, start = off;

	for (;;) {
		const uint8_t *h = skb->data + off;
		unsigned int avail = skb->len - off, hlen;

		if (!ipv6_ext_hdr(nexthdr) || nexthdr == IPPROTO_NONE)
			break;
		/* the chain limit: Linux's max_dst_opts_number and
		 * max_hbh_length, applied to the whole chain */
		if (++nhdrs > (unsigned int)ip6->sysctl_max_dst_opts_cnt ||
		    off - start > (unsigned int)ip6->sysctl_max_hbh_len)
			return ip6_hdr_error(stack, skb, SKB_DROP_REASON_IP_INHDR);
		if (nexthdr == IPPROTO_HOPOPTS)
			/* RFC 8200 4.1: only right after the fixed header
			 * (ipv6_rcv handled that one) */
			return ip6_param_prob(stack, skb, ICMPV6_UNK_NEXTHDR, nhoff);
		if (nexthdr == IPPROTO_FRAGMENT) {
			struct sk_buff *n;
			unsigned int next_off;
			uint8_t nh;

			n = ipv6_frag_rcv(stack, skb, off, nhoff, &nh, &next_off);
			if (!n)
				return 0;
			skb = n;
			nexthdr = nh;
			nhoff = next_off == off ? nhoff : off;
			off = next_off;
			continue;
		}
		if (nexthdr == IPPROTO_ESP || nexthdr == IPPROTO_AH)
			break;	/* no IPsec: the protocol table decides */
		if (avail < 8)
			return ip6_hdr_error(stack, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		hlen = ((unsigned int)h[1] + 1) * 8;
		if (hlen > avail)
			return ip6_hdr_error(stack, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		if (nexthdr == IPPROTO_DSTOPTS) {
			if (ip6_parse_tlv(stack, skb, off, hlen))
				return 0;
		} else if (nexthdr == IPPROTO_ROUTING) {
			if (ip6_rthdr_rcv(stack, skb, off))
				return 0;
		}
		nhoff = off;
		nexthdr = h[0];
		off += hlen;
	}
	if (nexthdr == IPPROTO_NONE) {
		/* RFC 8200 4.7: nothing follows */
		consume_skb(skb);
		return 0;
	}
	return ip6_deliver_upper(stack, skb, nexthdr, off, nhoff);
}

static int ip6_input_finish(struct ns_stack *stack, struct sk_buff *skb)
{
	const uint8_t *h = skb->data;
	unsigned int off = IPV6_HLEN, nhoff = 6;
	uint8_t nexthdr = h[6];

	/* Hop-by-Hop was processed in ipv6_rcv: step over it */
	if (nexthdr == IPPROTO_HOPOPTS) {
		nhoff = IPV6_HLEN;
		nexthdr = h[IPV6_HLEN];
		off += ((unsigned int)h[IPV6_HLEN + 1] + 1) * 8;
	}
	return ip6_protocol_deliver(stack, skb, nexthdr, off, nhoff);
}

static int ip6_input(struct ns_stack *stack, struct sk_buff *skb)
{
	return NF_HOOK(NFPROTO_IPV6, NF_INET_LOCAL_IN, stack, skb, skb->dev, NULL, ip6_input_finish);
}

static int ip6_rcv_finish(struct ns_stack *stack, struct sk_buff *skb)
{
	switch (ip6_route_input(stack, skb)) {
	case IP6_INPUT_LOCAL:
		return ip6_input(stack, skb);
	case IP6_INPUT_FORWARD:
		return ip6_forward(stack, skb);
	default:
		return NET_RX_DROP;
	}
}

/* RFC 8200 4.3: Hop-by-Hop options, examined by every node */
static int ip6_hbh_rcv(struct ns_stack *stack, struct sk_buff *skb)
{
	int len = ipv6_opthdr_len(skb->data + IPV6_HLEN, skb->len - IPV6_HLEN);

	if (len < 0)
		return ip6_hdr_error(stack, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
	if (len > stack->ipv6->sysctl_max_hbh_len)
		return ip6_hdr_error(stack, skb, SKB_DROP_REASON_IP_INHDR);
	return ip6_parse_tlv(stack, skb, IPV6_HLEN, (unsigned int)len);
}

/* ip6_rcv_core: RFC 8200 3 header validation */
static int ipv6_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
		    struct net_device *orig)
{
	struct ns_stack *stack = dev_net(dev);
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct ipv6_repr r;
	int rc;

	(void)pt;
	(void)orig;
	if (skb->pkt_type == PACKET_OTHERHOST)
		return ip6_drop(stack, skb, SKB_DROP_REASON_OTHERHOST);
	IP6_INC_STATS(stack, INRECEIVES);
	IP6_ADD_STATS(stack, INOCTETS, skb->len);
	if (!idev || IN6_CNF(idev, DISABLE_IPV6)) {
		IP6_INC_STATS(stack, INDISCARDS);
		return ip6_drop(stack, skb, SKB_DROP_REASON_DEV_DOWN);
	}
	rc = ipv6_parse(skb->data, skb->len, &r);
	if (rc == WIRE_ETRUNC)
		return ip6_hdr_error(stack, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
	if (rc == WIRE_EBADLEN) {
		/* payload length runs past the frame */
		IP6_INC_STATS(stack, INTRUNCATEDPKTS);
		return ip6_drop(stack, skb, SKB_DROP_REASON_PKT_TOO_SMALL);
	}
	if (rc < 0)
		return ip6_hdr_error(stack, skb, SKB_DROP_REASON_IP_INHDR);
	/* RFC 4291 2.7: multicast is never a source; ::1 never on a wire
	 * (RFC 4291 2.5.3) */
	if (ipv6_addr_is_multicast(r.saddr) ||
	    (!(dev->flags & IFF_LOOPBACK) && (ipv6_addr_loopback(r.saddr) || ipv6_addr_loopback(r.daddr))))
		return ip6_hdr_error(stack, skb, SKB_DROP_REASON_IP_MARTIAN);
	switch (r.tclass & 3) {	/* ECN field, RFC 3168 */
	case 0: IP6_INC_STATS(stack, INNOECTPKTS); break;
	case 1: IP6_INC_STATS(stack, INECT1PKTS); break;
	case 2: IP6_INC_STATS(stack, INECT0PKTS); break;
	default: IP6_INC_STATS(stack, INCEPKTS); break;
	}
	/* link-layer padding is not ours (jumbograms are not supported) */
	skb_trim(skb, IPV6_HLEN + r.payload_len);
	skb_reset_network_header(skb);
	memset(skb->cb, 0, sizeof(struct ip6_priv_cb));
	IP6CB(skb)->iif = skb->skb_iif ? skb->skb_iif : dev->ifindex;
	IP6CB(skb)->nhoff = 6;
	if (r.nexthdr == IPPROTO_HOPOPTS && ip6_hbh_rcv(stack, skb))
		return NET_RX_DROP;
	return NF_HOOK(NFPROTO_IPV6, NF_INET_PRE_ROUTING, stack, skb, dev, NULL, ip6_rcv_finish);
}

static const struct packet_type ipv6_packet_type = {
	.type = ETH_P_IPV6,
	.func = ipv6_rcv,
	.gro_receive = ipv6_gro_receive,
};

int ip6_input_init(struct ns_stack *stack)
{
	struct packet_type *pt = &stack->ipv6->ipv6_pt;

	*pt = ipv6_packet_type;
	dev_add_pack(stack, pt);
	return 0;
}

void ip6_input_exit(struct ns_stack *stack)
{
	dev_remove_pack(stack, &stack->ipv6->ipv6_pt);
}
