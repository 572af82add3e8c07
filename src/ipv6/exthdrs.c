/* exthdrs.c - Hop-by-Hop and Destination Options (RFC 8200 4.2-4.3, 4.6)
 * and the Routing header (RFC 8200 4.4, RFC 5095). Linux's
 * net/ipv6/exthdrs.c. Both return 0 to continue with the next header, or
 * a negative value when the packet was dropped (and consumed). */
#include <errno.h>

#include "ipv6/netns_ipv6.h"
#include "wire/icmpv6.h"

#define IP6_MAX_TLV_OPTS 8	/* Linux's max_{hbh,dst}_opts_number */

static int tlv_drop(struct ns_stack *stack, struct sk_buff *skb)
{
	IP6_INC_STATS(stack, INHDRERRORS);
	kfree_skb_reason(skb, SKB_DROP_REASON_IP_INHDR);
	return -EINVAL;
}

/* RFC 8200 4.2: what to do with an option we do not recognize */
static int tlv_unknown(struct ns_stack *stack, struct sk_buff *skb, const struct ipv6_opt *o,
		       unsigned int off)
{
	switch (ipv6_opt_action(o->type)) {
	case IPV6_OPT_ACT_SKIP:
		return 0;
	case IPV6_OPT_ACT_ICMP_UNICAST:
		if (ipv6_addr_is_multicast(ipv6_hdr(skb) + 24))
			break;
		/* fall through */
	case IPV6_OPT_ACT_ICMP:
		/* code 2 may answer multicast (RFC 4443 2.4(e.3)) */
		icmp6_send(skb, ICMPV6_PARAMPROB, ICMPV6_UNK_OPTION, off + (unsigned int)o->off);
		break;
	default:
		break;
	}
	return tlv_drop(stack, skb);
}

int ip6_parse_tlv(struct ns_stack *stack, struct sk_buff *skb, unsigned int off, unsigned int len)
{
	const uint8_t *hdr = skb->data + off;
	struct ipv6_opt o;
	size_t pos = 0;
	int n = 0, rc;

	while ((rc = ipv6_opt_next(hdr, len, &pos, &o)) == 1) {
		if (++n > IP6_MAX_TLV_OPTS)
			return tlv_drop(stack, skb);
		switch (o.type) {
		case IPV6_TLV_ROUTERALERT:	/* RFC 2711: noted, not acted on */
			if (o.len != 2)
				return tlv_drop(stack, skb);
			IP6CB(skb)->flags |= IP6SKB_ROUTERALERT;
			break;
		case IPV6_TLV_JUMBO:	/* RFC 2675: not supported, payload length was set */
		default:
			if (tlv_unknown(stack, skb, &o, off))
				return -EINVAL;
			break;
		}
	}
	if (rc < 0)
		return tlv_drop(stack, skb);
	return 0;
}

/* RFC 8200 4.4: we implement no routing type. With Segments Left 0 the
 * header is ignored; otherwise Parameter Problem code 0 pointing at the
 * Routing Type. Type 0 (RFC 5095 3) is one such unrecognized type. */
int ip6_rthdr_rcv(struct ns_stack *stack, struct sk_buff *skb, unsigned int off)
{
	struct ipv6_rt_repr rt;

	if (ipv6_rt_parse(skb->data + off, skb->len - off, &rt) < 0)
		return tlv_drop(stack, skb);
	if (rt.segments_left == 0)
		return 0;
	icmp6_send(skb, ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD, off + 2);
	return tlv_drop(stack, skb);
}
