/* ndisc.c - RFC 4861 Neighbor Discovery on the shared neighbour cache
 * (Linux's net/ipv6/ndisc.c): a second neigh_table ("ndisc_cache", 16-byte
 * keys) with its own solicit (NS to the solicited-node group, unicast NUD
 * probes), NS/NA/RS/RA/Redirect receive with the validity checks of 6.1,
 * 7.1 and 8.1 (hop limit 255, no zero-length options: dropped and counted
 * in Icmp6InErrors), and the messages a host and a router send. Read
 * ndisc_rcv first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ethernet/eth.h"
#include "ipv6/netns_ipv6.h"
#include "wire/icmpv6.h"

#define NDISC_HOPLIMIT 255
#define NDISC_BUF 512

static struct neigh_table *nd_tbl(struct ns_stack *stack)
{
	return &stack->ipv6->nd_tbl;
}

/* RFC 2464 7: 33:33 + the low 32 bits of the group */
static void ndisc_mc_map(const uint8_t *addr, uint8_t *ha)
{
	ha[0] = 0x33;
	ha[1] = 0x33;
	memcpy(ha + 2, addr + 12, 4);
}

static bool ndisc_noarp(const struct net_device *dev)
{
	return !dev->header_ops || (dev->flags & (IFF_NOARP | IFF_LOOPBACK)) ||
	       dev->addr_len != ETH_ALEN;
}

/* ---- sending --------------------------------------------------------------------------- */
static struct sk_buff *ndisc_alloc(struct ns_stack *stack)
{
	return alloc_skb_tx(stack, NDISC_BUF);
}

/* Emit r (options in opts) and send it from saddr to daddr on dev. */
static void ndisc_send(struct net_device *dev, struct ndp_repr *r, const uint8_t *opts,
		       size_t opts_len, const uint8_t *saddr, const uint8_t *daddr)
{
	struct ns_stack *stack = dev_net(dev);
	struct sk_buff *skb = ndisc_alloc(stack);
	uint8_t *p;
	int len;

	if (!skb)
		return;
	r->opts = opts;
	r->opts_len = opts_len;
	p = skb_tail_pointer(skb);
	len = ndp_emit(r, p, skb_tailroom(skb), saddr, daddr);
	if (len < 0) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return;
	}
	skb_put(skb, (unsigned int)len);
	/* RFC 4861 7.1: hop limit 255 so the receiver knows it is on-link */
	icmp6_xmit_raw(stack, skb, dev, saddr, daddr, NDISC_HOPLIMIT);
}

void ndisc_send_ns(struct net_device *dev, const uint8_t *target, const uint8_t *daddr,
		   const uint8_t *saddr, const uint8_t *dst_ha)
{
	struct ndp_repr r = { .type = NDISC_NEIGHBOUR_SOLICITATION };
	uint8_t opts[8], mc[16], src[16];
	size_t olen = 0;

	(void)dst_ha;
	memcpy(r.target, target, 16);
	if (!daddr) {
		addrconf_addr_solict_mult(target, mc);
		daddr = mc;
	}
	if (saddr) {
		memcpy(src, saddr, 16);
	} else if (ipv6_dev_get_saddr(dev_net(dev), dev, daddr, src)) {
		return;
	}
	/* RFC 4861 4.3: no SLLA from the unspecified address (DAD) */
	if (!ipv6_addr_any(src) && !ndisc_noarp(dev))
		olen = (size_t)ndp_opt_emit_lladdr(ND_OPT_SOURCE_LL_ADDR, dev->dev_addr, opts, sizeof(opts));
	ndisc_send(dev, &r, opts, olen, src, daddr);
}

void ndisc_send_na(struct net_device *dev, const uint8_t *daddr, const uint8_t *target,
		   bool router, bool solicited, bool override)
{
	struct ndp_repr r = {
		.type = NDISC_NEIGHBOUR_ADVERTISEMENT, .router = router,
		.solicited = solicited, .override = override,
	};
	uint8_t opts[8];
	size_t olen = 0;

	memcpy(r.target, target, 16);
	if (!ndisc_noarp(dev))
		olen = (size_t)ndp_opt_emit_lladdr(ND_OPT_TARGET_LL_ADDR, dev->dev_addr, opts, sizeof(opts));
	ndisc_send(dev, &r, opts, olen, target, daddr);
}

void ndisc_send_rs(struct net_device *dev)
{
	struct ndp_repr r = { .type = NDISC_ROUTER_SOLICITATION };
	uint8_t opts[8], src[16] = { 0 };
	size_t olen = 0;

	/* RFC 4861 6.3.7: from a link-local address if we have one, else :: */
	ipv6_dev_get_saddr(dev_net(dev), dev, in6addr_linklocal_allrouters, src);
	if (!ipv6_addr_any(src) && !ndisc_noarp(dev))
		olen = (size_t)ndp_opt_emit_lladdr(ND_OPT_SOURCE_LL_ADDR, dev->dev_addr, opts, sizeof(opts));
	ndisc_send(dev, &r, opts, olen, src, in6addr_linklocal_allrouters);
}

/* RFC 4861 6.2.3: router lifetime 3 * MaxRtrAdvInterval, on-link /64
 * prefixes of our global addresses with the A flag (RFC 4862 5.5.3). */
void ndisc_send_ra(struct net_device *dev, const uint8_t *daddr)
{
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct ndp_repr r = { .type = NDISC_ROUTER_ADVERTISEMENT, .cur_hop_limit = 64 };
	uint8_t opts[8 + 8 + 32 * 8], src[16];
	size_t olen = 0;
	struct inet6_ifaddr *ifp;
	int lifetime;

	if (!idev || ipv6_dev_get_saddr(dev_net(dev), dev, in6addr_linklocal_allnodes, src) ||
	    !ipv6_addr_is_linklocal(src))
		return;
	lifetime = 3 * IN6_CNF(idev, MAX_RTR_ADV_INTERVAL);
	r.router_lifetime = (uint16_t)(lifetime > 9000 ? 9000 : lifetime);
	if (!ndisc_noarp(dev))
		olen += (size_t)ndp_opt_emit_lladdr(ND_OPT_SOURCE_LL_ADDR, dev->dev_addr, opts, 8);
	olen += (size_t)ndp_opt_emit_mtu(dev->mtu, opts + olen, 8);
	list_for_each_entry(ifp, &idev->addr_list, if_list) {
		struct ndp_prefix_info pi = {
			.prefix_len = ifp->prefix_len, .onlink = true, .autoconf = ifp->prefix_len == 64,
			.valid_lft = 2592000, .preferred_lft = 604800,
		};

		if (ifp->scope != IFA_GLOBAL || ifp->prefix_len >= 128 || olen + 32 > sizeof(opts))
			continue;
		ipv6_addr_prefix(pi.prefix, ifp->addr, ifp->prefix_len);
		olen += (size_t)ndp_opt_emit_prefix_info(&pi, opts + olen, 32);
	}
	ndisc_send(dev, &r, opts, olen, src, daddr ? daddr : in6addr_linklocal_allnodes);
}

void ndisc_send_redirect(struct sk_buff *skb, struct net_device *dev, const uint8_t *target)
{
	struct ns_stack *stack = dev_net(dev);
	const uint8_t *h = skb->data;	/* the IPv6 header of the forwarded packet */
	struct ndp_repr r = { .type = NDISC_REDIRECT };
	uint8_t opts[8 + 8 + 1280], src[16];
	size_t olen = 0, quote;
	struct neighbour *n;

	/* 8.2: from our link-local address, to a unicast source */
	if (ipv6_dev_get_saddr(stack, dev, in6addr_linklocal_allnodes, src) ||
	    !ipv6_addr_is_linklocal(src) || ipv6_addr_is_multicast(h + 8) || ipv6_addr_any(h + 8))
		return;
	if (!icmp6_rate_allow(stack, h + 8))
		return;
	memcpy(r.target, target, 16);
	memcpy(r.dest, h + 24, 16);
	n = neigh_lookup(nd_tbl(stack), target, dev);
	if (n && (n->nud_state & NUD_VALID) && !ndisc_noarp(dev))
		olen += (size_t)ndp_opt_emit_lladdr(ND_OPT_TARGET_LL_ADDR, n->ha, opts, 8);
	/* Redirected Header (4.6.3): as much of the packet as keeps the
	 * Redirect within the minimum MTU, in 8-octet units */
	quote = NS_MIN((size_t)skb->len, (size_t)(1280 - 40 - 40 - olen - 8)) & ~(size_t)7;
	memset(opts + olen, 0, 8);
	opts[olen] = ND_OPT_REDIRECT_HDR;
	opts[olen + 1] = (uint8_t)((8 + quote) / 8);
	memcpy(opts + olen + 8, h, quote);
	olen += 8 + quote;
	ndisc_send(dev, &r, opts, olen, src, h + 8);
}

/* ---- neighbour ops ------------------------------------------------------------------------ */
static void ndisc_solicit(struct neighbour *n, struct sk_buff *skb)
{
	struct net_device *dev = n->dev;
	struct ns_stack *stack = dev_net(dev);
	const uint8_t *target = n->primary_key, *saddr = NULL;
	int probes = n->probes;

	/* the source of the packet waiting, when it is ours (Linux) */
	if (skb && skb->len >= IPV6_HLEN && ipv6_chk_addr(stack, skb->data + 8, dev))
		saddr = skb->data + 8;
	probes -= NEIGH_VAR(n->parms, UCAST_PROBES);
	if (probes < 0) {
		/* RFC 4861 7.3.3 PROBE: unicast to the cached address */
		ndisc_send_ns(dev, target, target, saddr, n->ha);
		return;
	}
	probes -= NEIGH_VAR(n->parms, APP_PROBES);
	if (probes < 0)
		return;
	ndisc_send_ns(dev, target, NULL, saddr, NULL);
}

static void ndisc_error_report(struct neighbour *n, struct sk_buff *skb)
{
	(void)n;
	/* RFC 4861 7.2.2: address unreachable to the source */
	icmp6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
}

static const struct neigh_ops ndisc_generic_ops = {
	.solicit = ndisc_solicit,
	.error_report = ndisc_error_report,
};

static int ndisc_constructor(struct neighbour *n)
{
	struct net_device *dev = n->dev;

	if (ndisc_noarp(dev)) {
		n->nud_state = NUD_NOARP;
		memcpy(n->ha, dev->dev_addr, dev->addr_len);
	} else if (ipv6_addr_is_multicast(n->primary_key)) {
		n->nud_state = NUD_NOARP;
		ndisc_mc_map(n->primary_key, n->ha);
	} else {
		n->nud_state = NUD_NONE;
	}
	return 0;
}

static int ndisc_xmit_direct(struct net_device *dev, const uint8_t *ha, struct sk_buff *skb)
{
	skb->dev = dev;
	skb->protocol = ETH_P_IPV6;
	if (dev->header_ops) {
		if (dev->header_ops->create(skb, dev, ETH_P_IPV6, ha, NULL, skb->len) < 0) {
			kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
			return -ENOBUFS;
		}
		skb_reset_mac_header(skb);
	}
	return dev_queue_xmit(skb) == NET_XMIT_DROP ? -ENOBUFS : 0;
}

int ndisc_output(struct net_device *dev, const uint8_t *nexthop, struct sk_buff *skb)
{
	struct neighbour *n;
	uint8_t ha[ETH_ALEN];

	if (ndisc_noarp(dev))
		return ndisc_xmit_direct(dev, NULL, skb);
	if (ipv6_addr_is_multicast(nexthop)) {
		ndisc_mc_map(nexthop, ha);
		return ndisc_xmit_direct(dev, ha, skb);
	}
	n = __neigh_lookup(nd_tbl(dev_net(dev)), nexthop, dev, true);
	if (!n) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NEIGH_FAILED);
		return -ENOBUFS;
	}
	return neigh_output(n, skb);
}

/* ---- receiving --------------------------------------------------------------------------------- */
static int ndisc_parse_lladdr(const struct ndp_repr *r, uint8_t type, uint8_t mac[6], bool *has)
{
	struct ndp_opt o;
	size_t off = 0;
	int rc;

	*has = false;
	while ((rc = ndp_opt_next(r->opts, r->opts_len, &off, &o)) == 1) {
		if (o.type != type)
			continue;
		if (ndp_opt_lladdr(&o, mac) < 0)
			return -EINVAL;
		*has = true;
	}
	return rc < 0 ? -EINVAL : 0;
}

static int ndisc_drop(struct ns_stack *stack, struct sk_buff *skb, enum skb_drop_reason reason)
{
	stack->ipv6->icmp.in_errors++;
	kfree_skb_reason(skb, reason);
	return 0;
}

static void ndisc_neigh_stale(struct net_device *dev, const uint8_t *addr, const uint8_t *mac,
			      bool creat)
{
	struct neighbour *n = __neigh_lookup(nd_tbl(dev_net(dev)), addr, dev, creat);

	if (n)
		neigh_update(n, mac, NUD_STALE, NEIGH_UPDATE_F_WEAK_OVERRIDE | NEIGH_UPDATE_F_OVERRIDE);
}

static bool is_router(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);

	return idev && IN6_CNF(idev, FORWARDING) && ipv6_forwarding(dev_net(dev));
}

/* RFC 4861 7.2.3 (and RFC 4862 5.4.3 for tentative targets) */
static int ndisc_recv_ns(struct sk_buff *skb, const struct ndp_repr *r)
{
	struct net_device *dev = skb->dev;
	struct ns_stack *stack = dev_net(dev);
	const uint8_t *h = ipv6_hdr(skb), *saddr = h + 8, *daddr = h + 24;
	bool dad = ipv6_addr_any(saddr), has_ll;
	struct inet6_ifaddr *ifp;
	uint8_t mac[6], snm[16];

	if (ndisc_parse_lladdr(r, ND_OPT_SOURCE_LL_ADDR, mac, &has_ll))
		return ndisc_drop(stack, skb, SKB_DROP_REASON_HDR_ERROR);
	/* 7.1.1: from :: only to the solicited-node group, without SLLA */
	addrconf_addr_solict_mult(r->target, snm);
	if (dad && (!ipv6_addr_equal(daddr, snm) || has_ll))
		return ndisc_drop(stack, skb, SKB_DROP_REASON_HDR_ERROR);
	ifp = ipv6_get_ifaddr(stack, r->target, dev);
	if (!ifp) {
		consume_skb(skb);
		return 0;
	}
	if (ifp->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) {
		/* 5.4.3: another node probes for our tentative address */
		if (dad && !(ifp->flags & IFA_F_DADFAILED))
			addrconf_dad_failure(ifp);
		consume_skb(skb);
		return 0;
	}
	if (dad) {
		/* 7.2.4: answer a DAD probe to all-nodes, not solicited */
		ndisc_send_na(dev, in6addr_linklocal_allnodes, r->target, is_router(dev), false, true);
		consume_skb(skb);
		return 0;
	}
	if (has_ll)
		ndisc_neigh_stale(dev, saddr, mac, true);
	nd_tbl(stack)->stats.rcv_probes_mcast += ipv6_addr_is_multicast(daddr);
	nd_tbl(stack)->stats.rcv_probes_ucast += !ipv6_addr_is_multicast(daddr);
	ndisc_send_na(dev, saddr, r->target, is_router(dev), true, true);
	consume_skb(skb);
	return 0;
}

/* RFC 4861 7.2.5 */
static int ndisc_recv_na(struct sk_buff *skb, const struct ndp_repr *r)
{
	struct net_device *dev = skb->dev;
	struct ns_stack *stack = dev_net(dev);
	const uint8_t *daddr = ipv6_hdr(skb) + 24;
	struct inet6_ifaddr *ifp;
	struct neighbour *n;
	uint8_t mac[6];
	bool has_ll;
	uint32_t flags;

	if (ndisc_parse_lladdr(r, ND_OPT_TARGET_LL_ADDR, mac, &has_ll))
		return ndisc_drop(stack, skb, SKB_DROP_REASON_HDR_ERROR);
	/* 7.1.2: a solicited advertisement is never multicast */
	if (ipv6_addr_is_multicast(daddr) && r->solicited)
		return ndisc_drop(stack, skb, SKB_DROP_REASON_HDR_ERROR);
	ifp = ipv6_get_ifaddr(stack, r->target, dev);
	if (ifp) {
		/* RFC 4862 5.4.4: someone defends our tentative address */
		if (ifp->flags & IFA_F_TENTATIVE)
			addrconf_dad_failure(ifp);
		consume_skb(skb);
		return 0;
	}
	n = neigh_lookup(nd_tbl(stack), r->target, dev);
	if (n) {
		flags = NEIGH_UPDATE_F_WEAK_OVERRIDE | (r->override ? NEIGH_UPDATE_F_OVERRIDE : 0);
		neigh_update(n, has_ll ? mac : NULL, r->solicited ? NUD_REACHABLE : NUD_STALE, flags);
	}
	consume_skb(skb);
	return 0;
}

/* RFC 4861 6.2.6: a router answers solicitations */
static int ndisc_recv_rs(struct sk_buff *skb, const struct ndp_repr *r)
{
	struct net_device *dev = skb->dev;
	const uint8_t *saddr = ipv6_hdr(skb) + 8;
	uint8_t mac[6];
	bool has_ll;

	if (ndisc_parse_lladdr(r, ND_OPT_SOURCE_LL_ADDR, mac, &has_ll) ||
	    (ipv6_addr_any(saddr) && has_ll))
		return ndisc_drop(dev_net(dev), skb, SKB_DROP_REASON_HDR_ERROR);
	if (is_router(dev)) {
		if (has_ll)
			ndisc_neigh_stale(dev, saddr, mac, true);
		ndisc_send_ra(dev, ipv6_addr_any(saddr) ? NULL : saddr);
	}
	consume_skb(skb);
	return 0;
}

static void ndisc_ra_params(struct inet6_dev *idev, const struct ndp_repr *r)
{
	struct neigh_parms *p = idev->nd_parms;

	if (r->cur_hop_limit)
		IN6_CNF(idev, HOP_LIMIT) = r->cur_hop_limit;
	if (!p)
		return;
	/* RFC 4861 6.3.4: nonzero Reachable Time / Retrans Timer replace ours */
	if (r->reachable_time && r->reachable_time <= 3600000) {
		NEIGH_VAR(p, BASE_REACHABLE_TIME) = (int)r->reachable_time;
		p->reachable_time = (uint64_t)r->reachable_time * NS_PER_MS;
	}
	if (r->retrans_timer && r->retrans_timer <= 3600000)
		NEIGH_VAR(p, RETRANS_TIME) = (int)r->retrans_timer;
}

/* RFC 4861 6.3.4 */
static int ndisc_recv_ra(struct sk_buff *skb, const struct ndp_repr *r)
{
	struct net_device *dev = skb->dev;
	struct ns_stack *stack = dev_net(dev);
	struct inet6_dev *idev = __in6_dev_get(dev);
	const uint8_t *saddr = ipv6_hdr(skb) + 8;
	struct ndp_opt o;
	size_t off = 0;
	uint8_t mac[6];
	bool has_ll;

	/* 6.1.2: from a link-local address */
	if (!ipv6_addr_is_linklocal(saddr) ||
	    ndisc_parse_lladdr(r, ND_OPT_SOURCE_LL_ADDR, mac, &has_ll))
		return ndisc_drop(stack, skb, SKB_DROP_REASON_HDR_ERROR);
	/* accept_ra 1: only when not forwarding */
	if (!idev || !IN6_CNF(idev, ACCEPT_RA) || (is_router(dev) && IN6_CNF(idev, ACCEPT_RA) < 2)) {
		consume_skb(skb);
		return 0;
	}
	ndisc_ra_params(idev, r);
	if (has_ll)
		ndisc_neigh_stale(dev, saddr, mac, true);
	if (IN6_CNF(idev, ACCEPT_RA_DEFRTR))
		addrconf_ra_router(dev, saddr, r->router_lifetime);
	while (ndp_opt_next(r->opts, r->opts_len, &off, &o) == 1) {
		uint32_t mtu;

		if (o.type == ND_OPT_MTU && IN6_CNF(idev, ACCEPT_RA_MTU) && ndp_opt_mtu(&o, &mtu) == 0) {
			if (mtu >= 1280 && mtu <= dev->mtu) {
				idev->mtu6 = mtu;
				rt6_genid_bump(dev_net(dev));	/* cached routes' MTU */
			}
		} else if (o.type == ND_OPT_PREFIX_INFO && IN6_CNF(idev, ACCEPT_RA_PINFO)) {
			addrconf_prefix_rcv(dev, o.data, o.len);
		}
	}
	addrconf_ra_done(dev);
	consume_skb(skb);
	return 0;
}

/* RFC 4861 8.1/8.3 */
static int ndisc_recv_redirect(struct sk_buff *skb, const struct ndp_repr *r)
{
	struct net_device *dev = skb->dev;
	struct ns_stack *stack = dev_net(dev);
	struct inet6_dev *idev = __in6_dev_get(dev);
	const uint8_t *saddr = ipv6_hdr(skb) + 8;
	uint8_t mac[6];
	bool has_ll;

	if (!ipv6_addr_is_linklocal(saddr) || ipv6_addr_is_multicast(r->dest) ||
	    (!ipv6_addr_is_linklocal(r->target) && !ipv6_addr_equal(r->target, r->dest)) ||
	    ndisc_parse_lladdr(r, ND_OPT_TARGET_LL_ADDR, mac, &has_ll))
		return ndisc_drop(stack, skb, SKB_DROP_REASON_HDR_ERROR);
	if (idev && IN6_CNF(idev, ACCEPT_REDIRECTS) && !is_router(dev) &&
	    ip6_route_redirect(stack, r->dest, r->target, saddr, dev->ifindex) == 0 && has_ll)
		ndisc_neigh_stale(dev, r->target, mac, true);
	consume_skb(skb);
	return 0;
}

int ndisc_rcv(struct sk_buff *skb, uint8_t type)
{
	struct ns_stack *stack = skb->stack;
	const uint8_t *h = ipv6_hdr(skb);
	struct icmpv6_repr ic;
	struct ndp_repr r;

	(void)type;
	/* RFC 4861 6.1/7.1/8.1: hop limit 255, or it came from off-link */
	if (h[7] != NDISC_HOPLIMIT)
		return ndisc_drop(stack, skb, SKB_DROP_REASON_IP_INHDR);
	if (IP6CB(skb)->flags & IP6SKB_REASSEMBLED)
		return ndisc_drop(stack, skb, SKB_DROP_REASON_IP_INHDR);
	if (icmpv6_parse(skb->data, skb->len, h + 8, h + 24, ICMPV6_PARSE_NO_CSUM, &ic) < 0 ||
	    ndp_parse(&ic, &r) < 0)	/* code, length, options of length 0 (4.6) */
		return ndisc_drop(stack, skb, SKB_DROP_REASON_HDR_ERROR);
	if (!skb->dev || ndisc_noarp(skb->dev)) {
		consume_skb(skb);
		return 0;
	}
	switch (r.type) {
	case NDISC_NEIGHBOUR_SOLICITATION:
		return ndisc_recv_ns(skb, &r);
	case NDISC_NEIGHBOUR_ADVERTISEMENT:
		return ndisc_recv_na(skb, &r);
	case NDISC_ROUTER_SOLICITATION:
		return ndisc_recv_rs(skb, &r);
	case NDISC_ROUTER_ADVERTISEMENT:
		return ndisc_recv_ra(skb, &r);
	case NDISC_REDIRECT:
		return ndisc_recv_redirect(skb, &r);
	default:
		consume_skb(skb);
		return 0;
	}
}

/* ---- per device, table ------------------------------------------------------------------------ */
struct neigh_parms *ndisc_parms_alloc(struct net_device *dev)
{
	return neigh_parms_alloc(dev, nd_tbl(dev_net(dev)));
}

void ndisc_parms_release(struct net_device *dev, struct neigh_parms *p)
{
	neigh_parms_release(nd_tbl(dev_net(dev)), p);
}

void ndisc_ifdown(struct net_device *dev)
{
	neigh_ifdown(nd_tbl(dev_net(dev)), dev);
}

int ndisc_init(struct ns_stack *stack)
{
	struct neigh_table *t = nd_tbl(stack);

	t->id = "ndisc_cache";
	t->proto_dir = "ipv6";
	t->key_len = 16;
	t->protocol = ETH_P_IPV6;
	t->ops = &ndisc_generic_ops;
	t->constructor = ndisc_constructor;
	return neigh_table_init(stack, t);
}

void ndisc_exit(struct ns_stack *stack)
{
	neigh_table_clear(nd_tbl(stack));
}
