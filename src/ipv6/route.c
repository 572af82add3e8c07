/* route.c - IPv6 routing decisions (Linux's net/ipv6/route.c): the local
 * and main fib6 tables, ip6_route_output (flows we send), ip6_route_input
 * (packets we receive: local, forward or drop), routes addresses bring,
 * routes learned from Router Advertisements with their lifetimes, the PMTU
 * cache (RFC 8201) and /proc/net/ipv6_route. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/proc.h"
#include "ipv6/netns_ipv6.h"
#include "socket/sock.h"
#include "wire/icmpv6.h"

#define IP6_RT_PRIO_USER 1024
#define IP6_RT_PRIO_ADDRCONF 256

static uint64_t s_to_ns(uint64_t s)
{
	return s * 1000000000ull;
}

/* ---- PMTU cache --------------------------------------------------------------- */
static struct ip6_pmtu_entry *pmtu_slot(struct netns_ipv6 *ip6, const uint8_t *daddr)
{
	uint32_t h = 0;

	for (int i = 0; i < 16; i++)
		h = h * 31 + daddr[i];
	return &ip6->pmtu[h % IP6_PMTU_CACHE_SIZE];
}

unsigned int ip6_pmtu_get(struct ns_stack *stack, const uint8_t *daddr)
{
	struct ip6_pmtu_entry *e = pmtu_slot(stack->ipv6, daddr);

	if (!e->expires || !ipv6_addr_equal(e->daddr, daddr))
		return 0;
	if (e->expires <= ns_now(stack)) {
		e->expires = 0;	/* RFC 8201 4: try a larger PMTU again */
		return 0;
	}
	return e->mtu;
}

/* RFC 8201 4: never below the IPv6 minimum link MTU */
void ip6_pmtu_update(struct ns_stack *stack, const uint8_t *daddr, unsigned int mtu)
{
	struct ip6_pmtu_entry *e = pmtu_slot(stack->ipv6, daddr);

	if (mtu < 1280)
		mtu = 1280;
	memcpy(e->daddr, daddr, 16);
	rt6_genid_bump(stack);	/* sockets' cached routes take the new MTU */
	e->mtu = mtu;
	e->expires = ns_now(stack) + s_to_ns((uint64_t)stack->ipv6->sysctl_mtu_expires);
}

/* ---- lookups ------------------------------------------------------------------- */
static struct fib6_info *fib6_rule_lookup(struct ns_stack *stack, const uint8_t *daddr, int oif)
{
	struct fib6_info *r = fib6_lookup(stack->ipv6->fib_local, daddr, oif);

	if (r && r->type == RTN_LOCAL)
		return r;
	return fib6_lookup(stack->ipv6->fib_main, daddr, oif);
}

static unsigned int dev_mtu6(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);

	if (idev && idev->mtu6 && idev->mtu6 < dev->mtu)
		return idev->mtu6;
	return dev->mtu;
}

static unsigned int route_mtu(struct ns_stack *stack, const struct fib6_info *r,
			      struct net_device *dev, const uint8_t *daddr)
{
	unsigned int mtu = r && r->mtu ? r->mtu : dev_mtu6(dev);
	unsigned int p = ip6_pmtu_get(stack, daddr);

	if (p && p < mtu)
		mtu = p;
	return mtu < 1280 ? 1280 : mtu;
}

static int reject_err(uint8_t type)
{
	switch (type) {
	case RTN_PROHIBIT:
		return -EACCES;
	case RTN_BLACKHOLE:
		return -EINVAL;
	default:
		return -ENETUNREACH;
	}
}

static int ip6_route_output_mc(struct ns_stack *stack, struct flowi6 *fl6,
			       struct ip6_route_result *res)
{
	struct net_device *dev = fl6->oif ? dev_get_by_index(stack, fl6->oif) : NULL;

	if (!dev) {
		/* a link-scope group needs an interface; a wider one takes
		 * the route for ff00::/8 */
		struct fib6_info *r = fib6_rule_lookup(stack, fl6->daddr, 0);

		if (!r || !r->ifindex)
			return -ENETUNREACH;
		dev = dev_get_by_index(stack, r->ifindex);
	}
	if (!dev || !(dev->flags & IFF_UP))
		return -ENETUNREACH;
	res->dev = dev;
	memcpy(res->nexthop, fl6->daddr, 16);
	res->mtu = dev_mtu6(dev);
	res->type = RTN_MULTICAST;
	return 0;
}

int ip6_route_output(struct ns_stack *stack, struct flowi6 *fl6, struct ip6_route_result *res)
{
	struct fib6_info *r;
	struct net_device *dev;
	int rc;

	if (ipv6_addr_is_multicast(fl6->daddr)) {
		rc = ip6_route_output_mc(stack, fl6, res);
	} else {
		r = fib6_rule_lookup(stack, fl6->daddr, ipv6_addr_is_linklocal(fl6->daddr) ? fl6->oif : 0);
		if (!r && fl6->oif && ipv6_addr_is_linklocal(fl6->daddr))
			r = fib6_rule_lookup(stack, fl6->daddr, 0);
		if (!r)
			return -ENETUNREACH;
		if (r->type != RTN_UNICAST && r->type != RTN_LOCAL)
			return reject_err(r->type);
		r->use++;
		if (r->type == RTN_LOCAL) {
			dev = stack->loopback_dev;
		} else {
			dev = dev_get_by_index(stack, r->ifindex);
			if (fl6->oif && ipv6_addr_is_linklocal(fl6->daddr))
				dev = dev_get_by_index(stack, fl6->oif);
		}
		if (!dev || !(dev->flags & IFF_UP))
			return -ENETUNREACH;
		res->dev = dev;
		res->type = r->type;
		if (r->flags & RTF6_GATEWAY)
			memcpy(res->nexthop, r->gateway, 16);
		else
			memcpy(res->nexthop, fl6->daddr, 16);
		res->mtu = route_mtu(stack, r, dev, fl6->daddr);
		rc = 0;
	}
	if (rc)
		return rc;
	if (ipv6_addr_any(fl6->saddr) && !(fl6->flags & FLOWI6_F_ANYSRC)) {
		struct net_device *sdev = res->dev;

		if (res->type == RTN_LOCAL) {
			memcpy(fl6->saddr, fl6->daddr, 16);	/* to ourselves */
			return 0;
		}
		if (ipv6_dev_get_saddr(stack, sdev, fl6->daddr, fl6->saddr))
			return -EADDRNOTAVAIL;
	}
	return 0;
}

/* ---- sockets' output routes ----------------------------------------------------------- */
/* One flow's answer (struct ip_sk_dst's IPv6 twin, see src/ipv4/route.h):
 * valid while genid equals softnet.dst_genid (bumped by fib6 changes,
 * device events, neighbour frees, PMTU and RA MTU updates) and, when a
 * learned PMTU shaped res.mtu, until it expires. */
struct ip6_sk_dst {
	uint32_t genid;
	int oif;
	uint32_t mark;
	uint8_t flags;
	uint8_t daddr[16];
	uint8_t saddr[16];
	uint64_t expires;
	struct ip6_route_result res;	/* res.dev NULL: empty slot */
};
#define IP6_SK_DST_SIZE 256

static uint64_t pmtu_expires(struct ns_stack *stack, const uint8_t *daddr)
{
	struct ip6_pmtu_entry *e = pmtu_slot(stack->ipv6, daddr);

	return e->expires && ipv6_addr_equal(e->daddr, daddr) ? e->expires : 0;
}

static inline bool sk_dst6_key_eq(const struct ip6_sk_dst *e, const struct flowi6 *fl6)
{
	return e->oif == fl6->oif && e->mark == fl6->mark && e->flags == fl6->flags &&
	       ipv6_addr_equal(e->daddr, fl6->daddr) && ipv6_addr_equal(e->saddr, fl6->saddr);
}

static inline bool sk_dst6_match(const struct ns_stack *stack, const struct ip6_sk_dst *e,
				 const struct flowi6 *fl6)
{
	return e->genid == stack->softnet.dst_genid && e->res.dev && sk_dst6_key_eq(e, fl6);
}

static bool sk_dst6_expired(struct ns_stack *stack, const struct ip6_sk_dst *e)
{
	uint64_t n = stack->softnet.poll_now;

	return e->expires && (n ? n : ns_now(stack)) >= e->expires;
}

static uint32_t sk_dst6_hash(const struct flowi6 *fl6)
{
	uint32_t h = (uint32_t)fl6->oif ^ fl6->mark;

	for (int i = 0; i < 16; i += 4)
		h = (h ^ get_be32(fl6->daddr + i) ^ get_be32(fl6->saddr + i) * 0x85ebca6bu) *
		    0x9e3779b1u;
	return h >> 24 & (IP6_SK_DST_SIZE - 1);
}

static __attribute__((noinline)) int ip6_route_output_sk_slow(struct sock *sk,
							       struct flowi6 *fl6,
							       struct ip6_route_result *res)
{
	struct ns_stack *stack = sk->sk_net;
	struct flowi6 key = *fl6;
	struct ip6_sk_dst *e = &stack->ipv6->sk_dst[sk->sk_dst_slot & (IP6_SK_DST_SIZE - 1)];
	uint32_t slot;
	int rc;

	/* an entry with a learned PMTU is checked against the clock here */
	if (sk_dst6_match(stack, e, fl6) && !sk_dst6_expired(stack, e)) {
		stack->ipv6->rt6_out_hit++;
		*res = e->res;
		return 0;
	}
	stack->ipv6->rt6_out_slow++;
	rc = ip6_route_output(stack, fl6, res);
	if (rc || ipv6_addr_any(key.saddr))
		return rc;
	slot = sk_dst6_hash(&key);
	e = &stack->ipv6->sk_dst[slot];
	*e = (struct ip6_sk_dst){ .genid = stack->softnet.dst_genid, .oif = key.oif,
				  .mark = key.mark, .flags = key.flags,
				  .expires = pmtu_expires(stack, key.daddr), .res = *res };
	memcpy(e->daddr, key.daddr, 16);
	memcpy(e->saddr, key.saddr, 16);
	sk->sk_dst_slot = slot;
	return 0;
}

int ip6_route_output_sk(struct sock *sk, struct flowi6 *fl6, struct ip6_route_result *res)
{
	struct ns_stack *stack = sk->sk_net;
	struct netns_ipv6 *ip6 = stack->ipv6;
	const struct ip6_sk_dst *e = &ip6->sk_dst[sk->sk_dst_slot & (IP6_SK_DST_SIZE - 1)];

	if (unlikely(!sk_dst6_match(stack, e, fl6) || e->expires))
		return ip6_route_output_sk_slow(sk, fl6, res);
	ip6->rt6_out_hit++;
	*res = e->res;
	return 0;
}

/* ---- input ------------------------------------------------------------------------ */
static enum ip6_input_verdict ip6_input_drop(struct sk_buff *skb, enum skb_drop_reason reason)
{
	kfree_skb_reason(skb, reason);
	return IP6_INPUT_DROPPED;
}

enum ip6_input_verdict ip6_route_input(struct ns_stack *stack, struct sk_buff *skb)
{
	const uint8_t *h = ipv6_hdr(skb);
	const uint8_t *daddr = h + 24;
	struct net_device *dev = skb->dev;
	struct ip6_priv_cb *cb = IP6PRIV(skb);
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct fib6_info *r;
	struct net_device *out;

	if (ipv6_addr_is_multicast(daddr)) {
		IP6_INC_STATS(stack, INMCASTPKTS);
		IP6_ADD_STATS(stack, INMCASTOCTETS, skb->len);
		/* RFC 4291 2.7: scope 0 is reserved; interface-local never arrives */
		/* RFC 4291 2.7: scope 0 is reserved, interface-local never
		 * arrives; a group we did not join is what a multicast filter
		 * would have dropped (no counter, as Linux's ip6_mc_input) */
		if (ipv6_mc_scope(daddr) <= 1) {
			IP6_INC_STATS(stack, INADDRERRORS);
			return ip6_input_drop(skb, SKB_DROP_REASON_IP_INADDRERRORS);
		}
		if (!ipv6_chk_mcast_addr(dev, daddr))
			return ip6_input_drop(skb, SKB_DROP_REASON_OTHERHOST);
		cb->h.rt_type = RTN_MULTICAST;
		return IP6_INPUT_LOCAL;
	}
	if (ipv6_chk_addr(stack, daddr, NULL) || ipv6_addr_loopback(daddr)) {
		/* RFC 4291 2.5.3: ::1 never arrives from a wire */
		if (ipv6_addr_loopback(daddr) && !(dev->flags & IFF_LOOPBACK)) {
			IP6_INC_STATS(stack, INADDRERRORS);
			return ip6_input_drop(skb, SKB_DROP_REASON_IP_MARTIAN);
		}
		cb->h.rt_type = RTN_LOCAL;
		return IP6_INPUT_LOCAL;
	}
	/* RFC 8200 / RFC 4291 2.5.6: link-local destinations are not forwarded */
	if (!idev || !IN6_CNF(idev, FORWARDING) || !ipv6_forwarding(stack) ||
	    skb->pkt_type != PACKET_HOST) {
		IP6_INC_STATS(stack, INADDRERRORS);
		return ip6_input_drop(skb, SKB_DROP_REASON_IP_INADDRERRORS);
	}
	if (ipv6_addr_is_linklocal(daddr) || ipv6_addr_is_linklocal(h + 8)) {
		IP6_INC_STATS(stack, INADDRERRORS);
		icmp6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_NOT_NEIGHBOUR, 0);
		return ip6_input_drop(skb, SKB_DROP_REASON_IP_INADDRERRORS);
	}
	r = fib6_rule_lookup(stack, daddr, 0);
	if (!r || r->type != RTN_UNICAST) {
		IP6_INC_STATS(stack, INNOROUTES);
		if (!r || r->type != RTN_BLACKHOLE)
			icmp6_send(skb, ICMPV6_DEST_UNREACH,
				   r && r->type == RTN_PROHIBIT ? ICMPV6_ADM_PROHIBITED : ICMPV6_NOROUTE, 0);
		return ip6_input_drop(skb, SKB_DROP_REASON_NO_ROUTE);
	}
	out = dev_get_by_index(stack, r->ifindex);
	if (!out || !(out->flags & IFF_UP)) {
		IP6_INC_STATS(stack, INNOROUTES);
		icmp6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE, 0);
		return ip6_input_drop(skb, SKB_DROP_REASON_NO_ROUTE);
	}
	r->use++;
	cb->oif = out->ifindex;
	/* forwarding: the link MTU only (PTB tells the source, RFC 8201) */
	cb->mtu = r->mtu ? r->mtu : dev_mtu6(out);
	memcpy(cb->nexthop, (r->flags & RTF6_GATEWAY) ? r->gateway : daddr, 16);
	return IP6_INPUT_FORWARD;
}

/* ---- routes addresses bring (Linux's addrconf_prefix_route / local) ------------- */
static void route_add(struct ns_stack *stack, struct fib6_table *t, const struct fib6_info *r)
{
	int rc = fib6_add(t, r);

	if (rc && rc != -EEXIST)
		ns_log(stack, "ipv6: route add failed (%d)", rc);
}

void ip6_addr_routes(struct inet6_ifaddr *ifp, bool add)
{
	struct net_device *dev = ifp->idev->dev;
	struct ns_stack *stack = dev_net(dev);
	struct fib6_info local = {
		.plen = 128, .type = RTN_LOCAL, .protocol = RTPROT_KERNEL,
		.ifindex = dev->ifindex, .flags = RTF6_UP | RTF6_NONEXTHOP | RTF6_LOCAL,
	};
	struct fib6_info pfx = {
		.plen = ifp->prefix_len, .protocol = RTPROT_KERNEL, .ifindex = dev->ifindex,
		.metric = IP6_RT_PRIO_ADDRCONF, .flags = RTF6_UP,
	};

	memcpy(local.dst, ifp->addr, 16);
	ipv6_addr_prefix(pfx.dst, ifp->addr, ifp->prefix_len);
	if (add) {
		route_add(stack, stack->ipv6->fib_local, &local);
		if (ifp->prefix_len < 128 && !(ifp->flags & IFA_F_NOPREFIXROUTE) && !ifp->slaac)
			route_add(stack, stack->ipv6->fib_main, &pfx);
		return;
	}
	fib6_del(stack->ipv6->fib_local, &local);
	if (ifp->prefix_len < 128 && !ifp->slaac) {
		/* keep the prefix route while another address uses it */
		struct inet6_ifaddr *o;

		list_for_each_entry(o, &ifp->idev->addr_list, if_list)
			if (o != ifp && o->prefix_len == ifp->prefix_len &&
			    ipv6_prefix_equal(o->addr, ifp->addr, ifp->prefix_len))
				return;
		fib6_del(stack->ipv6->fib_main, &pfx);
	}
}

/* Device up: fe80::/64 and ff00::/8 (Linux's addrconf_add_dev/mroute). */
static void ip6_dev_routes(struct net_device *dev)
{
	struct ns_stack *stack = dev_net(dev);
	struct fib6_info ll = {
		.dst = { 0xfe, 0x80 }, .plen = 64, .protocol = RTPROT_KERNEL,
		.ifindex = dev->ifindex, .metric = IP6_RT_PRIO_ADDRCONF, .flags = RTF6_UP,
	};
	struct fib6_info mc = {
		.dst = { 0xff }, .plen = 8, .type = RTN_MULTICAST, .protocol = RTPROT_KERNEL,
		.ifindex = dev->ifindex, .metric = IP6_RT_PRIO_ADDRCONF, .flags = RTF6_UP,
	};

	if (dev->flags & IFF_LOOPBACK)
		return;
	route_add(stack, stack->ipv6->fib_main, &ll);
	route_add(stack, stack->ipv6->fib_local, &mc);
}

void ip6_route_ifdown(struct ns_stack *stack, struct net_device *dev)
{
	struct netns_ipv6 *ip6 = stack->ipv6;

	fib6_flush_oif(ip6->fib_local, dev->ifindex);
	fib6_flush_oif(ip6->fib_main, dev->ifindex);
	for (int i = 0; i < IPV6_RA_ROUTES; i++)
		if (ip6->ra_routes[i].ifindex == dev->ifindex)
			ip6->ra_routes[i].expires = 0;
}

int ip6_route_dev_up(struct net_device *dev)
{
	ip6_dev_routes(dev);
	return 0;
}

/* ---- routes from Router Advertisements (RFC 4861 6.3.4) --------------------------- */
static struct fib6_info ra_fib(const struct ra_route *e)
{
	struct fib6_info r = {
		.plen = e->plen, .protocol = RTPROT_RA, .ifindex = e->ifindex,
		.metric = e->plen ? IP6_RT_PRIO_ADDRCONF : IP6_RT_PRIO_USER,
		.flags = RTF6_UP | RTF6_EXPIRES | RTF6_ADDRCONF,
	};

	memcpy(r.dst, e->prefix, 16);
	memcpy(r.gateway, e->gateway, 16);
	if (!ipv6_addr_any(e->gateway))
		r.flags |= RTF6_GATEWAY | (e->plen ? 0 : RTF6_DEFAULT);
	return r;
}

int ip6_ra_route_set(struct ns_stack *stack, const uint8_t *prefix, unsigned int plen,
		     const uint8_t *gw, int ifindex, uint32_t lifetime_s)
{
	struct netns_ipv6 *ip6 = stack->ipv6;
	struct ra_route *slot = NULL, want = { .plen = (uint8_t)plen, .ifindex = ifindex };
	struct fib6_info r;

	ipv6_addr_prefix(want.prefix, prefix, plen);
	if (gw)
		memcpy(want.gateway, gw, 16);
	for (int i = 0; i < IPV6_RA_ROUTES; i++) {
		struct ra_route *e = &ip6->ra_routes[i];

		if (e->expires && e->plen == plen && e->ifindex == ifindex &&
		    ipv6_addr_equal(e->prefix, want.prefix) && ipv6_addr_equal(e->gateway, want.gateway)) {
			slot = e;
			break;
		}
		if (!e->expires && !slot)
			slot = e;
	}
	if (!slot)
		return -ENOSPC;	/* bounded: further routers are ignored */
	r = ra_fib(&want);
	if (!lifetime_s) {
		if (slot->expires)
			fib6_del(ip6->fib_main, &r);
		slot->expires = 0;
		return 0;
	}
	if (!slot->expires) {
		int rc = fib6_add(ip6->fib_main, &r);

		if (rc && rc != -EEXIST)
			return rc;
	}
	want.expires = ns_now(stack) + s_to_ns(lifetime_s);
	*slot = want;
	addrconf_verify(stack);
	return 0;
}

uint64_t ip6_ra_routes_expire(struct ns_stack *stack, uint64_t now)
{
	struct netns_ipv6 *ip6 = stack->ipv6;
	uint64_t next = UINT64_MAX;

	for (int i = 0; i < IPV6_RA_ROUTES; i++) {
		struct ra_route *e = &ip6->ra_routes[i];

		if (!e->expires)
			continue;
		if (e->expires <= now) {
			struct fib6_info r = ra_fib(e);

			fib6_del(ip6->fib_main, &r);
			e->expires = 0;
		} else if (e->expires < next) {
			next = e->expires;
		}
	}
	return next;
}

/* RFC 4861 8.1/8.3: accept a redirect from the current first hop for dest;
 * install a host route through target. 0 or -EINVAL. */
int ip6_route_redirect(struct ns_stack *stack, const uint8_t *dest, const uint8_t *target,
		       const uint8_t *from, int ifindex)
{
	struct fib6_info *r = fib6_rule_lookup(stack, dest, 0);
	struct fib6_info host = {
		.plen = 128, .protocol = RTPROT_REDIRECT, .ifindex = ifindex, .metric = 0,
		.flags = RTF6_UP,
	};

	if (!r || r->ifindex != ifindex)
		return -EINVAL;
	if ((r->flags & RTF6_GATEWAY) ? !ipv6_addr_equal(r->gateway, from)
				       : !ipv6_addr_equal(dest, from))
		return -EINVAL;
	memcpy(host.dst, dest, 16);
	if (!ipv6_addr_equal(dest, target)) {
		memcpy(host.gateway, target, 16);
		host.flags |= RTF6_GATEWAY;
	}
	fib6_del(stack->ipv6->fib_main, &host);
	return fib6_add(stack->ipv6->fib_main, &host);
}

/* ---- /proc/net/ipv6_route (Linux's ipv6_route_native_seq_show) -------------------- */
struct route_show_ctx {
	struct ns_stack *stack;
	struct seq_buf *s;
};

static void seq_hex6(struct seq_buf *s, const uint8_t *a)
{
	for (int i = 0; i < 16; i++)
		seq_printf(s, "%02x", a[i]);
}

static int route_show_one(struct fib6_info *r, void *ctx)
{
	struct route_show_ctx *c = ctx;
	struct net_device *dev = r->ifindex ? dev_get_by_index(c->stack, r->ifindex) : NULL;
	static const uint8_t zero[16];
	uint32_t flags = r->flags;

	if (r->type == RTN_UNREACHABLE || r->type == RTN_PROHIBIT || r->type == RTN_BLACKHOLE)
		flags |= RTF6_REJECT;
	seq_hex6(c->s, r->dst);
	seq_printf(c->s, " %02x ", r->plen);
	seq_hex6(c->s, zero);
	seq_puts(c->s, " 00 ");
	seq_hex6(c->s, r->gateway);
	seq_printf(c->s, " %08x %08x %08x %08x %8s\n", r->metric, 1u, (unsigned int)r->use,
		   flags, dev ? dev->name : "lo");
	return 0;
}

static int ipv6_route_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	struct route_show_ctx c = { stack, s };

	(void)data;
	fib6_walk(stack->ipv6->fib_main, route_show_one, &c);
	fib6_walk(stack->ipv6->fib_local, route_show_one, &c);
	return 0;
}

int ip6_route_init(struct ns_stack *stack)
{
	struct netns_ipv6 *ip6 = stack->ipv6;

	ip6->fib_local = fib6_table_new(RT_TABLE_LOCAL);
	ip6->fib_main = fib6_table_new(RT_TABLE_MAIN);
	ip6->sk_dst = calloc(IP6_SK_DST_SIZE, sizeof(*ip6->sk_dst));
	if (!ip6->fib_local || !ip6->fib_main || !ip6->sk_dst)
		return -ENOMEM;
	ip6->fib_local->genid = ip6->fib_main->genid = &stack->softnet.dst_genid;
	return proc_create(stack, "/proc/net/ipv6_route", ipv6_route_show, NULL, NULL);
}

void ip6_route_exit(struct ns_stack *stack)
{
	fib6_table_free(stack->ipv6->fib_local);
	fib6_table_free(stack->ipv6->fib_main);
	stack->ipv6->fib_local = stack->ipv6->fib_main = NULL;
	free(stack->ipv6->sk_dst);
	stack->ipv6->sk_dst = NULL;
}
