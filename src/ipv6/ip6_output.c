/* ip6_output.c - IPv6 output and forwarding (Linux's net/ipv6/ip6_output.c).
 * ip6_xmit pushes the RFC 8200 3 header for a transport segment, then
 * LOCAL_OUT -> ip6_output -> POST_ROUTING -> fragmentation by the source
 * only (RFC 8200 4.5/5, to the path MTU, never below 1280) -> neighbour
 * discovery (ndisc_output). ip6_forward decrements the hop limit and sends
 * Time Exceeded / Packet Too Big (RFC 4443 3.2-3.3); routers never
 * fragment. */
#include <errno.h>
#include <string.h>

#include "ethernet/eth.h"
#include "ipv6/netns_ipv6.h"
#include "netfilter/core.h"
#include "wire/icmpv6.h"

int ip6_push_hdr(struct sk_buff *skb, const uint8_t *saddr, const uint8_t *daddr,
		 uint8_t nexthdr, uint8_t hop_limit, uint8_t tclass)
{
	struct ipv6_repr r = {
		.tclass = tclass, .nexthdr = nexthdr, .hop_limit = hop_limit,
	};
	uint8_t *h;

	if (skb->len > 65535)
		return -EMSGSIZE;
	r.payload_len = (uint16_t)skb->len;
	h = skb_push(skb, IPV6_HLEN);
	if (!h)
		return -ENOBUFS;
	memcpy(r.saddr, saddr, 16);
	memcpy(r.daddr, daddr, 16);
	ipv6_emit(&r, h, IPV6_HLEN);
	skb_reset_network_header(skb);
	skb->protocol = ETH_P_IPV6;
	return 0;
}

static int ip6_finish_output2(struct ns_stack *stack, struct sk_buff *skb)
{
	struct ip6_priv_cb *cb = IP6PRIV(skb);
	struct net_device *dev = dev_get_by_index(stack, cb->oif);

	if (unlikely(!dev || !(dev->flags & IFF_UP))) {
		IP6_INC_STATS(stack, OUTDISCARDS);
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_DOWN);
		return -ENETDOWN;
	}
	if (ipv6_addr_is_multicast(skb->data + 24)) {
		IP6_INC_STATS(stack, OUTMCASTPKTS);
		IP6_ADD_STATS(stack, OUTMCASTOCTETS, skb->len);
	}
	IP6_INC_STATS(stack, OUTPKTS);
	IP6_ADD_STATS(stack, OUTOCTETS, skb->len);
	return ndisc_output(dev, cb->nexthop, skb);
}

/* RFC 8200 4.5: split after the unfragmentable part (here the fixed header
 * and a Hop-by-Hop header if any) into pieces of a multiple of 8 bytes. */
static int ip6_fragment(struct ns_stack *stack, struct sk_buff *skb, unsigned int mtu)
{
	const uint8_t *h = skb->data;
	unsigned int unfrag = IPV6_HLEN, nhoff = 6, payload, unit;
	uint32_t id = stack->ipv6->frag_id_next++;
	uint8_t nexthdr = h[6];
	struct ip6_priv_cb cb = *IP6PRIV(skb);

	if (nexthdr == IPPROTO_HOPOPTS && skb->len >= IPV6_HLEN + 8) {
		nhoff = IPV6_HLEN;
		nexthdr = h[IPV6_HLEN];
		unfrag += ((unsigned int)h[IPV6_HLEN + 1] + 1) * 8;
	}
	payload = skb->len > unfrag ? skb->len - unfrag : 0;
	unit = mtu > unfrag + IPV6_FRAG_HLEN ? (mtu - unfrag - IPV6_FRAG_HLEN) & ~7u : 0;
	if (unit < 8 || unfrag > skb->len) {
		IP6_INC_STATS(stack, FRAGFAILS);
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return -EMSGSIZE;
	}
	for (unsigned int off = 0; off < payload; off += unit) {
		unsigned int len = NS_MIN(unit, payload - off);
		struct ipv6_frag_repr fr = {
			.nexthdr = nexthdr, .frag_off = (uint16_t)(off / 8),
			.mf = off + len < payload, .id = id,
		};
		struct sk_buff *n = alloc_skb_tx(stack, unfrag + IPV6_FRAG_HLEN + len);
		uint8_t *p;

		if (!n) {
			IP6_INC_STATS(stack, FRAGFAILS);
			kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
			return -ENOBUFS;
		}
		p = skb_put(n, unfrag + IPV6_FRAG_HLEN + len);
		memcpy(p, h, unfrag);
		p[nhoff] = IPPROTO_FRAGMENT;
		put_be16(p + 4, (uint16_t)(unfrag - IPV6_HLEN + IPV6_FRAG_HLEN + len));
		ipv6_frag_emit(&fr, p + unfrag, IPV6_FRAG_HLEN);
		memcpy(p + unfrag + IPV6_FRAG_HLEN, h + unfrag + off, len);
		skb_reset_network_header(n);
		n->protocol = ETH_P_IPV6;
		n->dev = skb->dev;
		n->mark = skb->mark;
		n->priority = skb->priority;
		*IP6PRIV(n) = cb;
		IP6_INC_STATS(stack, FRAGCREATES);
		ip6_finish_output2(stack, n);
	}
	IP6_INC_STATS(stack, FRAGOKS);
	consume_skb(skb);
	return 0;
}

static int ip6_finish_output(struct ns_stack *stack, struct sk_buff *skb)
{
	struct ip6_priv_cb *cb = IP6PRIV(skb);

	if (skb->len <= cb->mtu)
		return ip6_finish_output2(stack, skb);
	/* forwarded packets never reach here too big (ip6_forward sends PTB);
	 * fragments are copies: a checksum left to the device is due now */
	if (skb_checksum_help(skb)) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return -ENOMEM;
	}
	return ip6_fragment(stack, skb, cb->mtu);
}

int ip6_output(struct ns_stack *stack, struct sk_buff *skb)
{
	struct net_device *out = dev_get_by_index(stack, IP6PRIV(skb)->oif);

	skb->protocol = ETH_P_IPV6;
	return NF_HOOK(NFPROTO_IPV6, NF_INET_POST_ROUTING, stack, skb, NULL, out, ip6_finish_output);
}

static int ip6_local_out_finish(struct ns_stack *stack, struct sk_buff *skb)
{
	return ip6_output(stack, skb);
}

static uint8_t ip6_default_hoplimit(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);

	return idev ? (uint8_t)IN6_CNF(idev, HOP_LIMIT) : 64;
}

int ip6_xmit_routed(struct ns_stack *stack, struct sk_buff *skb, const struct flowi6 *f,
		    const struct ip6_route_result *res)
{
	struct ip6_priv_cb *cb;
	int rc;

	IP6_INC_STATS(stack, OUTREQUESTS);
	if ((f->flags & FLOWI6_F_DONTFRAG) && skb->len + IPV6_HLEN > res->mtu) {
		IP6_INC_STATS(stack, OUTDISCARDS);
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return -EMSGSIZE;
	}
	rc = ip6_push_hdr(skb, f->saddr, f->daddr, f->proto,
			  f->hop_limit ? f->hop_limit : ip6_default_hoplimit(res->dev), f->tclass);
	if (rc) {
		IP6_INC_STATS(stack, OUTDISCARDS);
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return rc;
	}
	if (f->flowlabel)
		put_be32(skb->data, (6u << 28) | ((uint32_t)f->tclass << 20) |
					    (f->flowlabel & IPV6_FLOWLABEL_MASK));
	skb->dev = res->dev;
	skb->mark = f->mark;
	cb = IP6PRIV(skb);
	memset(cb, 0, sizeof(*cb));
	cb->h.rt_type = res->type;
	cb->oif = res->dev->ifindex;
	cb->mtu = res->mtu;
	memcpy(cb->nexthop, res->nexthop, 16);
	return NF_HOOK(NFPROTO_IPV6, NF_INET_LOCAL_OUT, stack, skb, NULL, res->dev,
		       ip6_local_out_finish);
}

static int ip6_no_route(struct ns_stack *stack, struct sk_buff *skb, int rc)
{
	IP6_INC_STATS(stack, OUTNOROUTES);
	kfree_skb_reason(skb, SKB_DROP_REASON_NO_ROUTE);
	return rc;
}

int ip6_xmit(struct ns_stack *stack, struct sk_buff *skb, const struct flowi6 *fl6)
{
	struct flowi6 f = *fl6;
	struct ip6_route_result res;
	int rc = ip6_route_output(stack, &f, &res);

	if (rc)
		return ip6_no_route(stack, skb, rc);
	return ip6_xmit_routed(stack, skb, &f, &res);
}

int ip6_queue_xmit(struct sock *sk, struct sk_buff *skb, const struct flowi6 *fl6)
{
	struct flowi6 f = *fl6;
	struct ip6_route_result res;
	int rc = ip6_route_output_sk(sk, &f, &res);

	if (rc)
		return ip6_no_route(sk->sk_net, skb, rc);
	return ip6_xmit_routed(sk->sk_net, skb, &f, &res);
}

int ip6_xmit_dev(struct ns_stack *stack, struct sk_buff *skb, struct net_device *dev,
		 const uint8_t *nexthop)
{
	struct ip6_priv_cb *cb = IP6PRIV(skb);

	IP6_INC_STATS(stack, OUTREQUESTS);
	skb->dev = dev;
	memset(cb, 0, sizeof(*cb));
	cb->oif = dev->ifindex;
	cb->mtu = dev->mtu;
	memcpy(cb->nexthop, nexthop, 16);
	return NF_HOOK(NFPROTO_IPV6, NF_INET_LOCAL_OUT, stack, skb, NULL, dev, ip6_local_out_finish);
}

/* ---- forwarding (RFC 8200 3, RFC 4443 3.2/3.3) ------------------------------------ */
/* saddr is on-link on dev: link-local, or a connected route without gateway */
static bool ip6_src_onlink(struct ns_stack *stack, const uint8_t *saddr, struct net_device *dev)
{
	struct flowi6 fl6 = { .oif = dev->ifindex, .flags = FLOWI6_F_ANYSRC };
	struct ip6_route_result res;

	if (ipv6_addr_is_linklocal(saddr))
		return true;
	memcpy(fl6.daddr, saddr, 16);
	return ip6_route_output(stack, &fl6, &res) == 0 && res.dev == dev &&
	       ipv6_addr_equal(res.nexthop, saddr);
}

static int ip6_forward_finish(struct ns_stack *stack, struct sk_buff *skb)
{
	IP6_INC_STATS(stack, OUTFORWDATAGRAMS);
	return ip6_output(stack, skb);
}

int ip6_forward(struct ns_stack *stack, struct sk_buff *skb)
{
	struct ip6_priv_cb *cb = IP6PRIV(skb);
	struct net_device *out = dev_get_by_index(stack, cb->oif);

	cb->h.flags |= IP6SKB_FORWARDED;
	/* RFC 8200 3: a router must discard with hop limit 0 after decrement */
	if (skb->data[7] <= 1) {
		IP6_INC_STATS(stack, INHDRERRORS);
		icmp6_send(skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
		kfree_skb_reason(skb, SKB_DROP_REASON_IP_TTL);
		return NET_RX_DROP;
	}
	if (!out) {
		IP6_INC_STATS(stack, OUTDISCARDS);
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_DOWN);
		return NET_RX_DROP;
	}
	/* RFC 4861 8.2: back out the link it came in on, from a neighbour
	 * (its source on-link there): a better first hop exists */
	if (out == skb->dev && ip6_src_onlink(stack, skb->data + 8, out))
		ndisc_send_redirect(skb, out, cb->nexthop);
	/* RFC 8200 5 / RFC 4443 3.2: routers do not fragment */
	if (skb->len > cb->mtu) {
		IP6_INC_STATS(stack, INTOOBIGERRORS);
		IP6_INC_STATS(stack, FRAGFAILS);
		icmp6_send(skb, ICMPV6_PKT_TOOBIG, 0, cb->mtu);
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return NET_RX_DROP;
	}
	if (skb_cow_head(skb, out->hard_header_len + out->needed_headroom)) {
		IP6_INC_STATS(stack, OUTDISCARDS);
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return NET_RX_DROP;
	}
	skb_reset_network_header(skb);
	skb->data[7]--;
	skb->priority = 0;
	return NF_HOOK(NFPROTO_IPV6, NF_INET_FORWARD, stack, skb, skb->dev, out, ip6_forward_finish);
}
