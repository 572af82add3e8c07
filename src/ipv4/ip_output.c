/* ip_output.c - IPv4 output (Linux's net/ipv4/ip_output.c): ip_send_skb4
 * pushes the RFC 791 header for a transport segment, then LOCAL_OUT ->
 * ip_output -> POST_ROUTING -> fragmentation to the path MTU -> the
 * neighbour layer (ethernet/arp.c). Forwarded datagrams join at ip_output.
 * ip_queue_xmit is the socket entry: the route comes from the socket's
 * cached one (route.c ip_route_output_sk) instead of a FIB lookup. */
#include <errno.h>

#include "ethernet/arp.h"
#include "ethernet/eth.h"
#include "ipv4/netns_ipv4.h"
#include "ipv4/route.h"
#include "netfilter/core.h"
#include "socket/sock.h"
#include "wire/checksum.h"
#include "wire/icmp.h"

/* The output path of one datagram (ip_send_skb4_routed -> LOCAL_OUT ->
 * ip_output -> POST_ROUTING -> ip_finish_output -> ip_finish_output2) is
 * one frame: each step is inlined into the one before (NF_HOOK calls okfn
 * directly when no hook is registered); a call and its register saves per
 * layer cost as much as the layer's own work. */
#define IP_OUT_INLINE static inline __attribute__((always_inline))

/* The device and neighbour come from skb's dst when it is still valid
 * (forwarded datagrams): no device search by index, no neighbour hash. */
IP_OUT_INLINE int ip_finish_output2(struct ns_stack *stack, struct sk_buff *skb)
{
	struct ip_priv_cb *cb = IPPRIV(skb);
	struct dst_entry *dst = ip_dst_check(stack, skb->dst, cb->oif, cb->nexthop);
	struct net_device *dev = dst ? dst->dev : dev_get_by_index(stack, cb->oif);

	if (unlikely(!dev || !(dev->flags & IFF_UP))) {
		IP_INC_STATS(stack, OUTDISCARDS);
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_DOWN);
		return -ENETDOWN;
	}
	IP_INC_STATS(stack, OUTPKTS);
	IP_ADD_STATS(stack, OUTOCTETS, skb->len);
	if (dst) {
		/* the first packet through a dst resolves its neighbour (and
		 * creates it, as arp_output would); NULL: ARP needs none */
		if (unlikely(!dst->neigh))
			dst->neigh = arp_neigh_for_output(dev, cb->nexthop);
		if (likely(dst->neigh))
			return neigh_output(dst->neigh, skb);
	}
	return arp_output(dev, cb->nexthop, skb);
}

IP_OUT_INLINE int ip_finish_output(struct ns_stack *stack, struct sk_buff *skb)
{
	struct ip_priv_cb *cb = IPPRIV(skb);

	if (skb->len <= cb->mtu)
		return ip_finish_output2(stack, skb);
	/* RFC 791 2.3: DF set and too big: cannot be sent */
	if (get_be16(skb->data + 6) & IP_DF) {
		IP_INC_STATS(stack, FRAGFAILS);
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, cb->mtu);
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return -EMSGSIZE;
	}
	return ip_do_fragment(stack, skb, cb->mtu, ip_finish_output2);
}

IP_OUT_INLINE int __ip_output(struct ns_stack *stack, struct sk_buff *skb)
{
	struct ip_priv_cb *cb = IPPRIV(skb);
	struct dst_entry *dst;
	struct net_device *out;

	skb->protocol = ETH_P_IP;
	/* the device is only for the hooks: none registered (the usual
	 * case, netfilter loaded or not), none looked up */
	if (likely(!stack->nf || !stack->nf->hooks[NFPROTO_IPV4][NF_INET_POST_ROUTING].num))
		return ip_finish_output(stack, skb);
	dst = ip_dst_check(stack, skb->dst, cb->oif, cb->nexthop);
	out = dst ? dst->dev : dev_get_by_index(stack, cb->oif);
	return NF_HOOK(NFPROTO_IPV4, NF_INET_POST_ROUTING, stack, skb, NULL, out, ip_finish_output);
}

int ip_output(struct ns_stack *stack, struct sk_buff *skb)
{
	return __ip_output(stack, skb);
}

IP_OUT_INLINE int ip_local_out_finish(struct ns_stack *stack, struct sk_buff *skb)
{
	return __ip_output(stack, skb);
}

/* Too big for the route with DF, or for any IPv4 datagram: no headers pushed. */
static bool ip_send_too_big(const struct sk_buff *skb, const struct flowi4 *f,
			    const struct ip_route_result *res)
{
	return skb->len + IPV4_HLEN_MIN > 65535 ||
	       ((f->flags & FLOWI_FLAG_DF) && skb->len + IPV4_HLEN_MIN > res->mtu);
}

IP_OUT_INLINE int __ip_send_skb4_routed(struct ns_stack *stack, struct sk_buff *skb,
					const struct flowi4 *f, const struct ip_route_result *res)
{
	struct netns_ipv4 *ip = stack->ipv4;
	struct ip_priv_cb *cb;
	uint8_t ttl = f->ttl ? f->ttl : (uint8_t)ip->sysctl_ip_default_ttl;
	uint16_t check;
	uint8_t *h;

	IP_INC_STATS(stack, OUTREQUESTS);
	if (ip_send_too_big(skb, f, res)) {
		IP_INC_STATS(stack, OUTDISCARDS);
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return -EMSGSIZE;
	}
	h = skb_push(skb, IPV4_HLEN_MIN);
	if (!h) {
		IP_INC_STATS(stack, OUTDISCARDS);
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return -ENOBUFS;
	}
	/* RFC 791 3.1, the 20-byte header written in place (Linux's
	 * __ip_queue_xmit): what ipv4_emit writes for it, without building
	 * and re-validating a description first */
	h[0] = 0x45;
	h[1] = f->tos;
	put_be16(h + 2, (uint16_t)skb->len);
	put_be16(h + 4, ip->ip_id_next++);
	put_be16(h + 6, (f->flags & FLOWI_FLAG_DF) ? IP_DF : 0);
	h[8] = ttl;
	h[9] = f->proto;
	put_be16(h + 10, 0);
	put_be32(h + 12, f->saddr);
	put_be32(h + 16, f->daddr);
	check = ip_fast_csum(h, IPV4_HLEN_MIN);	/* memory order (checksum.h) */
	memcpy(h + 10, &check, 2);
	skb_reset_network_header(skb);
	skb->protocol = ETH_P_IP;
	skb->dev = res->dev;
	skb->mark = f->mark;
	skb->dst = res->dst;	/* a hint: ip_dst_check vets it against cb */
	cb = IPPRIV(skb);
	*cb = (struct ip_priv_cb){
		.h = { .iif = 0, .saddr = f->saddr, .daddr = f->daddr, .ttl = ttl, .tos = f->tos,
		       .protocol = f->proto, .rt_type = res->type },
		.nexthop = res->nexthop,
		.oif = res->dev->ifindex,
		.mtu = res->mtu,
	};
	return NF_HOOK(NFPROTO_IPV4, NF_INET_LOCAL_OUT, stack, skb, NULL, res->dev,
		       ip_local_out_finish);
}

int ip_send_skb4_routed(struct ns_stack *stack, struct sk_buff *skb, const struct flowi4 *f,
			const struct ip_route_result *res)
{
	return __ip_send_skb4_routed(stack, skb, f, res);
}

static int ip_no_route(struct ns_stack *stack, struct sk_buff *skb, int rc)
{
	IP_INC_STATS(stack, OUTNOROUTES);
	kfree_skb_reason(skb, SKB_DROP_REASON_NO_ROUTE);
	return rc;
}

int ip_send_skb4(struct ns_stack *stack, struct sk_buff *skb, const struct flowi4 *fl4)
{
	struct flowi4 f = *fl4;
	struct ip_route_result res;
	int rc = ip_route_output(stack, &f, &res);

	if (rc)
		return ip_no_route(stack, skb, rc);
	return ip_send_skb4_routed(stack, skb, &f, &res);
}

int ip_queue_xmit(struct sock *sk, struct sk_buff *skb, const struct flowi4 *fl4)
{
	struct flowi4 f = *fl4;
	struct ip_route_result res;
	int rc = ip_route_output_sk(sk, &f, &res);

	if (rc)
		return ip_no_route(sk->sk_net, skb, rc);
	return __ip_send_skb4_routed(sk->sk_net, skb, &f, &res);
}
