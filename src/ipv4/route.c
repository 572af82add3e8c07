/* route.c - IPv4 routing glue (Linux's net/ipv4/route.c, fib_frontend.c):
 * output routes for flows, input decisions for received datagrams (local,
 * forward, or Linux's errors), the PMTU exception cache (RFC 1191), `ip
 * route get`, /proc/net/route. Routes live in two FIB tables: LOCAL (255)
 * looked up first, then MAIN (254), as Linux's default rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc.h"
#include "ipv4/netns_ipv4.h"
#include "ipv4/route.h"
#include "socket/sock.h"
#include "wire/icmp.h"

#define NS_PER_SEC 1000000000ULL

struct fib_table *fib_get_table(struct ns_stack *stack, uint32_t id)
{
	if (id == RT_TABLE_LOCAL)
		return stack->ipv4->fib_local;
	if (id == RT_TABLE_MAIN)
		return stack->ipv4->fib_main;
	return NULL;
}

const struct fib_route *fib_lookup(struct ns_stack *stack, uint32_t daddr)
{
	const struct fib_route *r = fib_table_lookup(stack->ipv4->fib_local, daddr);

	if (r && r->type != RTN_THROW)
		return r;
	r = fib_table_lookup(stack->ipv4->fib_main, daddr);
	if (r && r->type == RTN_THROW)
		return NULL;
	return r;
}

/* fib_lookup's next hop only (the input path's need): LOCAL's answer unless
 * none or THROW, then MAIN's, THROW meaning none; main_nh when MAIN's lookup
 * was already done (a batch), else looked up here. */
static const struct fib_nh *fib_lookup_nh(struct ns_stack *stack, uint32_t daddr,
					  bool have_main, const struct fib_nh *main_nh)
{
	const struct fib_nh *nh = fib_table_lookup_nh(stack->ipv4->fib_local, daddr);

	if (nh && nh->type != RTN_THROW)
		return nh;
	if (!have_main)
		main_nh = fib_table_lookup_nh(stack->ipv4->fib_main, daddr);
	return main_nh && main_nh->type == RTN_THROW ? NULL : main_nh;
}

/* ---- PMTU exceptions ----------------------------------------------------------------- */
static struct ip_pmtu_entry *pmtu_slot(struct netns_ipv4 *ip, uint32_t daddr)
{
	return &ip->pmtu[(daddr * 0x9e3779b1u) >> 24 & (IP_PMTU_CACHE_SIZE - 1)];
}

unsigned int ip_rt_get_pmtu(struct ns_stack *stack, uint32_t daddr, uint64_t *expires_ns)
{
	struct ip_pmtu_entry *e = pmtu_slot(stack->ipv4, daddr);

	if (!e->expires || e->daddr != daddr)
		return 0;
	if (ns_now(stack) >= e->expires) {
		e->expires = 0;
		return 0;
	}
	if (expires_ns)
		*expires_ns = e->expires;
	return e->mtu;
}

/* Linux's __ip_rt_update_pmtu: never below route/min_pmtu, never raised. */
void ip_rt_update_pmtu(struct ns_stack *stack, uint32_t daddr, unsigned int mtu)
{
	struct netns_ipv4 *ip = stack->ipv4;
	const struct fib_route *r = fib_lookup(stack, daddr);
	struct net_device *dev = r ? dev_get_by_index(stack, r->oif) : NULL;
	unsigned int old = ip_rt_get_pmtu(stack, daddr, NULL);
	struct ip_pmtu_entry *e;

	if (!old)
		old = dev ? dev->mtu : 65535;
	if (mtu < (unsigned int)ip->sysctl_ip_rt_min_pmtu)
		mtu = NS_MIN(old, (unsigned int)ip->sysctl_ip_rt_min_pmtu);
	if (mtu >= old || !r || r->type != RTN_UNICAST)
		return;
	e = pmtu_slot(ip, daddr);	/* bounded: a newer exception replaces an older one */
	rt_genid_bump_ipv4(stack);	/* sockets' cached routes take the new MTU */
	e->daddr = daddr;
	e->mtu = mtu;
	e->expires = ns_now(stack) + (uint64_t)ip->sysctl_ip_rt_mtu_expires * NS_PER_SEC;
	if (!e->expires)
		e->expires = 1;
}

/* ---- output ---------------------------------------------------------------------------- */
static struct net_device *nexthop_dev(struct ns_stack *stack, int oif, uint32_t gateway)
{
	const struct fib_route *gw;

	if (oif)
		return dev_get_by_index(stack, oif);
	if (!gateway)
		return NULL;
	/* a gateway without a device: the device of the route to it */
	gw = fib_lookup(stack, gateway);
	if (!gw || gw->type != RTN_UNICAST || gw->gateway || !gw->oif)
		return NULL;
	return dev_get_by_index(stack, gw->oif);
}

static unsigned int route_mtu(struct ns_stack *stack, const struct fib_route *r,
			      const struct net_device *dev, uint32_t daddr)
{
	unsigned int mtu = r && r->mtu ? r->mtu : dev->mtu;
	unsigned int pmtu = ip_rt_get_pmtu(stack, daddr, NULL);

	if (pmtu && pmtu < mtu)
		mtu = pmtu;
	return mtu;
}

static int ip_route_output_mc(struct ns_stack *stack, struct flowi4 *fl4,
			      struct ip_route_result *res, struct net_device *dev)
{
	if (ipv4_is_lbcast(fl4->daddr) && !(fl4->flags & FLOWI_FLAG_BROADCAST))
		return -EACCES;
	if (!dev && fl4->saddr)
		dev = ip_dev_find(stack, fl4->saddr);
	if (!dev) {
		const struct fib_route *r = fib_lookup(stack, fl4->daddr);

		dev = r ? nexthop_dev(stack, r->oif, r->gateway) : NULL;
	}
	if (!dev || !(dev->flags & IFF_UP))
		return -ENETUNREACH;
	if (!fl4->saddr)
		fl4->saddr = inet_select_addr(dev, 0, RT_SCOPE_LINK);
	res->dev = dev;
	res->saddr = fl4->saddr;
	res->nexthop = fl4->daddr;
	res->mtu = dev->mtu;
	res->type = ipv4_is_lbcast(fl4->daddr) ? RTN_BROADCAST : RTN_MULTICAST;
	return 0;
}

static int ip_route_output_local(struct ns_stack *stack, struct flowi4 *fl4,
				 struct ip_route_result *res, const struct fib_route *r)
{
	struct net_device *lo = stack->loopback_dev;

	if (!lo || !(lo->flags & IFF_UP))
		return -ENETUNREACH;
	if (!fl4->saddr)
		fl4->saddr = r && r->prefsrc ? r->prefsrc : fl4->daddr;
	res->dev = lo;
	res->saddr = fl4->saddr;
	res->nexthop = fl4->daddr;
	res->mtu = lo->mtu;
	res->type = RTN_LOCAL;
	return 0;
}

int ip_route_output(struct ns_stack *stack, struct flowi4 *fl4, struct ip_route_result *res)
{
	struct net_device *dev = NULL;
	const struct fib_route *r;
	int err;

	memset(res, 0, sizeof(*res));
	if (fl4->saddr) {
		if (ipv4_is_multicast(fl4->saddr) || ipv4_is_lbcast(fl4->saddr) ||
		    ipv4_is_zeronet(fl4->saddr) || inet_addr_type(stack, fl4->saddr) != RTN_LOCAL)
			return -EINVAL;
	}
	if (fl4->oif) {
		dev = dev_get_by_index(stack, fl4->oif);
		if (!dev)
			return -ENODEV;
		if (!(dev->flags & IFF_UP))
			return -ENETUNREACH;
	}
	if (!fl4->daddr) {
		/* Linux: a flow to 0.0.0.0 goes to ourselves */
		fl4->daddr = fl4->saddr ? fl4->saddr : 0x7f000001u;
		return ip_route_output_local(stack, fl4, res, NULL);
	}
	if (ipv4_is_lbcast(fl4->daddr) || ipv4_is_multicast(fl4->daddr))
		return ip_route_output_mc(stack, fl4, res, dev);
	r = fib_lookup(stack, fl4->daddr);
	if (r && r->type == RTN_LOCAL)
		return ip_route_output_local(stack, fl4, res, r);
	if (!r || (dev && r->oif && r->oif != dev->ifindex)) {
		/* Linux: with an explicit device and no route through it,
		 * assume the destination is on link */
		if (!dev)
			return -ENETUNREACH;
		r = NULL;
	} else {
		err = fib_route_error(r->type);
		if (err)
			return err == -EAGAIN ? -ENETUNREACH : err;
		if (r->type == RTN_BROADCAST && !(fl4->flags & FLOWI_FLAG_BROADCAST))
			return -EACCES;
		dev = nexthop_dev(stack, r->oif, r->gateway);
		if (!dev)
			return -ENETUNREACH;
	}
	if (!(dev->flags & IFF_UP))
		return -ENETUNREACH;
	res->dev = dev;
	res->nexthop = r && r->gateway ? r->gateway : fl4->daddr;
	if (!fl4->saddr) {
		if (r && r->prefsrc)
			fl4->saddr = r->prefsrc;
		else
			fl4->saddr = inet_select_addr(dev, res->nexthop,
						      r && r->gateway ? RT_SCOPE_LINK : RT_SCOPE_HOST);
	}
	res->saddr = fl4->saddr;
	res->mtu = route_mtu(stack, r, dev, fl4->daddr);
	res->type = r && r->type == RTN_BROADCAST ? RTN_BROADCAST : RTN_UNICAST;
	return 0;
}

/* ---- sockets' output routes (see struct ip_sk_dst) ------------------------------------------ */
static inline bool sk_dst_key_eq(const struct ip_sk_dst *e, const struct flowi4 *fl4)
{
	return e->daddr == fl4->daddr && e->saddr == fl4->saddr && e->oif == fl4->oif &&
	       e->mark == fl4->mark && e->tos == (fl4->tos & IP_RT_TOS_MASK) &&
	       e->flags == (fl4->flags & FLOWI_FLAG_BROADCAST);
}

static uint32_t sk_dst_hash(const struct flowi4 *fl4)
{
	uint32_t h = fl4->daddr ^ fl4->saddr * 0x85ebca6bu ^ (uint32_t)fl4->oif * 0xc2b2ae35u ^
		     fl4->mark ^ (uint32_t)(fl4->tos & IP_RT_TOS_MASK) << 24;

	return (h * 0x9e3779b1u) >> 24 & (IP_SK_DST_SIZE - 1);
}

/* e answers fl4 (a learned PMTU in it not checked). */
static inline bool sk_dst_match(const struct ns_stack *stack, const struct ip_sk_dst *e,
				const struct flowi4 *fl4)
{
	return e->genid == stack->softnet.dst_genid && e->res.dev && sk_dst_key_eq(e, fl4);
}

/* A learned PMTU in e expired: the clock read of this round when there is
 * one (ns_stack_step), else now. */
static bool sk_dst_expired(struct ns_stack *stack, const struct ip_sk_dst *e)
{
	uint64_t n = stack->softnet.poll_now;

	return e->expires && (n ? n : ns_now(stack)) >= e->expires;
}

static inline void sk_dst_hit(struct netns_ipv4 *ip, const struct ip_sk_dst *e,
			      struct flowi4 *fl4, struct ip_route_result *res)
{
	ip->rt_out_hit++;
	fl4->saddr = e->res.saddr;
	*res = e->res;
}

/* Remember res (the answer for key) in its slot and the slot in sk. */
static void sk_dst_fill(struct sock *sk, const struct flowi4 *key, struct ip_route_result *res)
{
	struct ns_stack *stack = sk->sk_net;
	uint32_t slot = sk_dst_hash(key);
	struct ip_sk_dst *e = &stack->ipv4->sk_dst[slot];
	uint64_t exp = 0;

	/* unicast through ARP: the forwarding dst keeps the resolved neighbour */
	if (res->type == RTN_UNICAST)
		res->dst = ip_dst_get(stack, res->dev, res->nexthop);
	if (!ip_rt_get_pmtu(stack, key->daddr, &exp))
		exp = 0;
	*e = (struct ip_sk_dst){ .genid = stack->softnet.dst_genid, .daddr = key->daddr,
				 .saddr = key->saddr, .oif = key->oif, .mark = key->mark,
				 .tos = key->tos & IP_RT_TOS_MASK,
				 .flags = key->flags & FLOWI_FLAG_BROADCAST, .expires = exp,
				 .res = *res };
	sk->sk_dst_slot = slot;
}

/* A miss, or an entry with a learned PMTU to check against the clock:
 * the full lookup, remembered when it succeeds. Out of line, so that the
 * common hit makes no call and saves no registers. */
static __attribute__((noinline)) int ip_route_output_sk_slow(struct sock *sk,
							      struct flowi4 *fl4,
							      struct ip_route_result *res)
{
	struct netns_ipv4 *ip = sk->sk_net->ipv4;
	const struct ip_sk_dst *e = &ip->sk_dst[sk->sk_dst_slot & (IP_SK_DST_SIZE - 1)];
	struct flowi4 key = *fl4;
	int rc;

	if (sk_dst_match(sk->sk_net, e, fl4) && !sk_dst_expired(sk->sk_net, e)) {
		sk_dst_hit(ip, e, fl4, res);
		return 0;
	}
	/* the slot of this flow may hold its answer already, filled by
	 * another socket to the same place (a new connection, a child) */
	e = &ip->sk_dst[sk_dst_hash(fl4)];
	if (sk_dst_match(sk->sk_net, e, fl4) && !sk_dst_expired(sk->sk_net, e)) {
		sk->sk_dst_slot = (uint32_t)(e - ip->sk_dst);
		sk_dst_hit(ip, e, fl4, res);
		return 0;
	}
	ip->rt_out_slow++;
	rc = ip_route_output(sk->sk_net, fl4, res);
	/* a flow to 0.0.0.0 is rewritten by the lookup: not cached */
	if (!rc && key.daddr)
		sk_dst_fill(sk, &key, res);
	return rc;
}

int ip_route_output_sk(struct sock *sk, struct flowi4 *fl4, struct ip_route_result *res)
{
	struct ns_stack *stack = sk->sk_net;
	struct netns_ipv4 *ip = stack->ipv4;
	const struct ip_sk_dst *e = &ip->sk_dst[sk->sk_dst_slot & (IP_SK_DST_SIZE - 1)];

	if (unlikely(!sk_dst_match(stack, e, fl4) || e->expires))
		return ip_route_output_sk_slow(sk, fl4, res);
	sk_dst_hit(ip, e, fl4, res);
	return 0;
}

/* ---- forwarding dsts (see struct dst_entry) ------------------------------------------------- */
struct ip_dst_cache {
	struct dst_entry slot[IP_DST_CACHE_SIZE];
};

static inline struct dst_entry *dst_slot(struct ns_stack *stack, int oif, uint32_t nexthop)
{
	uint32_t h = (nexthop ^ (uint32_t)oif * 0x85ebca6bu) * 0x9e3779b1u;

	return &stack->ipv4->dst_cache->slot[h >> 24 & (IP_DST_CACHE_SIZE - 1)];
}

/* The cached dst for (oif, nexthop), or NULL (never filled, or stale). */
static inline struct dst_entry *ip_dst_find(struct ns_stack *stack, int oif, uint32_t nexthop)
{
	return ip_dst_check(stack, dst_slot(stack, oif, nexthop), oif, nexthop);
}

struct dst_entry *ip_dst_get(struct ns_stack *stack, struct net_device *dev, uint32_t nexthop)
{
	struct dst_entry *d = dst_slot(stack, dev->ifindex, nexthop);

	if (ip_dst_check(stack, d, dev->ifindex, nexthop) && d->dev == dev)
		return d;
	*d = (struct dst_entry){ .genid = stack->softnet.dst_genid, .oif = dev->ifindex,
				 .nexthop = nexthop, .dev = dev };
	return d;
}

/* ---- input --------------------------------------------------------------------------------- */
static enum ip_input_verdict ip_input_drop(struct sk_buff *skb, enum skb_drop_reason reason)
{
	kfree_skb_reason(skb, reason);
	return IP_INPUT_DROPPED;
}

int ip_route_fwd(struct ns_stack *stack, struct sk_buff *skb, const struct fib_nh *r)
{
	struct ip_priv_cb *cb = IPPRIV(skb);
	uint32_t nexthop = r->gateway ? r->gateway : cb->h.daddr;
	struct dst_entry *dst = r->oif ? ip_dst_find(stack, r->oif, nexthop) : NULL;
	struct net_device *dev;

	if (likely(dst)) {
		dev = dst->dev;
	} else {
		dev = nexthop_dev(stack, r->oif, r->gateway);
		if (dev)
			dst = ip_dst_get(stack, dev, nexthop);
	}
	if (!dev || !(dev->flags & IFF_UP))
		return -ENETUNREACH;
	skb->dst = dst;
	cb->oif = dev->ifindex;
	cb->nexthop = nexthop;
	/* forwarding ignores learned PMTUs (ip_forward_use_pmtu = 0) */
	cb->mtu = r->mtu ? r->mtu : dev->mtu;
	return 0;
}

/* Linux's ip_error: what a router says about a datagram it cannot forward. */
static enum ip_input_verdict ip_error(struct ns_stack *stack, struct sk_buff *skb, int err,
				      bool forwarding)
{
	uint8_t code;

	if (!forwarding) {
		if (err == -EHOSTUNREACH)
			IP_INC_STATS(stack, INADDRERRORS);
		else if (err == -ENETUNREACH)
			IP_INC_STATS(stack, INNOROUTES);
		return ip_input_drop(skb, SKB_DROP_REASON_IP_INADDRERRORS);
	}
	switch (err) {
	case -EHOSTUNREACH:
		code = ICMP_HOST_UNREACH;
		break;
	case -ENETUNREACH:
		code = ICMP_NET_UNREACH;
		IP_INC_STATS(stack, INNOROUTES);
		break;
	case -EACCES:
		code = ICMP_PKT_FILTERED;
		break;
	default:	/* blackhole: silently */
		return ip_input_drop(skb, SKB_DROP_REASON_IP_BLACKHOLE);
	}
	icmp_send(skb, ICMP_DEST_UNREACH, code, 0);
	return ip_input_drop(skb, SKB_DROP_REASON_NO_ROUTE);
}

static inline struct ip_rx_dst *rx_dst_slot(struct ns_stack *stack, uint32_t daddr)
{
	return &stack->ipv4->rx_dst[(daddr * 0x9e3779b1u) >> 26];	/* IP_RX_DST_SIZE 64 */
}

static inline bool rx_dst_valid(const struct ns_stack *stack, const struct ip_rx_dst *rx,
				uint32_t daddr)
{
	return rx->daddr == daddr && rx->genid == stack->softnet.dst_genid;
}

/* ip_route_input with the MAIN table's next hop for daddr already known
 * (main_nh, from a batched lookup) when have_main. The input decision needs
 * only the next hop (type, gateway, device, MTU): the one-read lookup. */
/* route_input past the per-datagram checks, when the local input route is
 * not cached: the FIB decides (and a local answer is cached in *rx). Out of
 * line, so that the cached path stays a short leaf. */
static __attribute__((noinline)) enum ip_input_verdict
route_input_fib(struct ns_stack *stack, struct sk_buff *skb, struct in_device *idev,
		struct ip_rx_dst *rx, bool have_main, const struct fib_nh *main_nh)
{
	struct ip_priv_cb *cb = IPPRIV(skb);
	uint32_t daddr = cb->h.daddr;
	bool fwd = IN_DEV_FORWARD(idev);
	const struct fib_nh *r = fib_lookup_nh(stack, daddr, have_main, main_nh);

	if (!r)
		return ip_error(stack, skb, fwd ? -ENETUNREACH : -EHOSTUNREACH, fwd);
	if (r->type == RTN_LOCAL || r->type == RTN_BROADCAST) {
		cb->h.rt_type = r->type;
		if (r->type == RTN_LOCAL)
			*rx = (struct ip_rx_dst){ .genid = stack->softnet.dst_genid, .daddr = daddr };
		return IP_INPUT_LOCAL;
	}
	if (!fwd)
		return ip_error(stack, skb, -EHOSTUNREACH, false);
	if (r->type != RTN_UNICAST) {
		int err = fib_route_error(r->type);

		return ip_error(stack, skb, err == -EAGAIN ? -ENETUNREACH : err, true);
	}
	cb->h.rt_type = RTN_UNICAST;
	if (ip_route_fwd(stack, skb, r))
		return ip_error(stack, skb, -ENETUNREACH, true);
	return IP_INPUT_FORWARD;
}

static enum ip_input_verdict route_input(struct ns_stack *stack, struct sk_buff *skb,
					 bool have_main, const struct fib_nh *main_nh)
{
	struct ip_priv_cb *cb = IPPRIV(skb);
	struct net_device *dev = skb->dev;
	struct in_device *idev = __in_dev_get(dev);
	uint32_t saddr = cb->h.saddr, daddr = cb->h.daddr;
	struct ip_rx_dst *rx;

	if (!idev)
		return ip_input_drop(skb, SKB_DROP_REASON_NOT_SPECIFIED);
	/* martian sources (RFC 1812 5.3.7) */
	if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr))
		return ip_input_drop(skb, SKB_DROP_REASON_IP_MARTIAN);
	if (ipv4_is_lbcast(daddr) || (saddr == 0 && daddr == 0)) {
		cb->h.rt_type = RTN_BROADCAST;
		return IP_INPUT_LOCAL;
	}
	if (ipv4_is_multicast(daddr)) {
		cb->h.rt_type = RTN_MULTICAST;
		return IP_INPUT_LOCAL;
	}
	if (ipv4_is_zeronet(saddr) || ipv4_is_zeronet(daddr))
		return ip_input_drop(skb, SKB_DROP_REASON_IP_MARTIAN);
	if (!(dev->flags & IFF_LOOPBACK) && (ipv4_is_loopback(daddr) || ipv4_is_loopback(saddr)))
		return ip_input_drop(skb, SKB_DROP_REASON_IP_MARTIAN);
	rx = rx_dst_slot(stack, daddr);
	if (likely(rx_dst_valid(stack, rx, daddr))) {
		cb->h.rt_type = RTN_LOCAL;
		return IP_INPUT_LOCAL;
	}
	return route_input_fib(stack, skb, idev, rx, have_main, main_nh);
}

enum ip_input_verdict ip_route_input(struct ns_stack *stack, struct sk_buff *skb)
{
	return route_input(stack, skb, false, NULL);
}

void ip_route_input_list(struct ns_stack *stack, struct sk_buff **skbs, unsigned int n,
			 enum ip_input_verdict *verdict)
{
	const struct fib_nh *main_nh[IP_ROUTE_LIST_MAX];
	uint32_t daddr[IP_ROUTE_LIST_MAX];
	bool miss[IP_ROUTE_LIST_MAX];
	unsigned int m = 0;

	if (n > IP_ROUTE_LIST_MAX)
		n = IP_ROUTE_LIST_MAX;	/* callers batch by IP_ROUTE_LIST_MAX */
	/* the MAIN table's lookups overlapped (prefetched) over the batch,
	 * for the datagrams whose local input route is not cached */
	for (unsigned int i = 0; i < n; i++) {
		uint32_t d = IPPRIV(skbs[i])->h.daddr;

		miss[i] = !rx_dst_valid(stack, rx_dst_slot(stack, d), d);
		if (miss[i])
			daddr[m++] = d;
	}
	fib_table_lookup_nh_bulk(stack->ipv4->fib_main, daddr, main_nh, m);
	/* a hit needs no next hop (route_input looks up itself should its
	 * slot have been refilled meanwhile); a miss takes its bulk answer */
	for (unsigned int i = 0, j = 0; i < n; i++)
		verdict[i] = route_input(stack, skbs[i], miss[i], miss[i] ? main_nh[j++] : NULL);
}

/* ---- ip route get ----------------------------------------------------------------------------- */
static void fmt_ip(char *b, size_t n, uint32_t a)
{
	snprintf(b, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

int ip_route_get(struct ns_stack *stack, uint32_t daddr, uint32_t saddr, int oif,
		 char *buf, size_t len)
{
	struct flowi4 fl4 = { .daddr = daddr, .saddr = saddr, .oif = oif,
			      .flags = FLOWI_FLAG_BROADCAST };
	struct ip_route_result res;
	char d[16], s[16], gw[16], cache[64] = "";
	uint64_t exp = 0;
	unsigned int pmtu;
	int rc = ip_route_output(stack, &fl4, &res);
	const char *prefix = "";

	if (rc)
		return rc;
	fmt_ip(d, sizeof(d), fl4.daddr);
	fmt_ip(s, sizeof(s), res.saddr);
	fmt_ip(gw, sizeof(gw), res.nexthop);
	if (res.type == RTN_LOCAL) {
		prefix = "local ";
		snprintf(cache, sizeof(cache), "<local> ");
	} else if (res.type == RTN_BROADCAST) {
		prefix = "broadcast ";
		snprintf(cache, sizeof(cache), "<local,brd> ");
	} else if (res.type == RTN_MULTICAST) {
		prefix = "multicast ";
		snprintf(cache, sizeof(cache), "<mc> ");
	} else if ((pmtu = ip_rt_get_pmtu(stack, fl4.daddr, &exp)) != 0) {
		snprintf(cache, sizeof(cache), "expires %llusec mtu %u ",
			 (unsigned long long)((exp - ns_now(stack)) / NS_PER_SEC), pmtu);
	}
	return snprintf(buf, len, "%s%s%s%s dev %s src %s uid 0 \n    cache %s\n", prefix, d,
			res.nexthop != fl4.daddr ? " via " : "",
			res.nexthop != fl4.daddr ? gw : "", res.dev->name, s, cache);
}

/* ---- /proc/net/route ------------------------------------------------------------------------- */
static const char *route_ifname(int oif, void *ctx)
{
	struct net_device *dev = oif ? dev_get_by_index(ctx, oif) : NULL;

	return dev ? dev->name : NULL;
}

static int route_proc_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	ssize_t need = fib_table_proc_dump(stack->ipv4->fib_main, route_ifname, stack, NULL, 0);
	char *buf;

	(void)data;
	if (need < 0)
		return (int)need;
	buf = malloc((size_t)need + 1);
	if (!buf)
		return -ENOMEM;
	fib_table_proc_dump(stack->ipv4->fib_main, route_ifname, stack, buf, (size_t)need + 1);
	seq_puts(s, buf);
	free(buf);
	return 0;
}

int ip_route_init(struct ns_stack *stack)
{
	struct netns_ipv4 *ip = stack->ipv4;
	int rc = 0;

	ip->fib_local = fib_table_create(RT_TABLE_LOCAL);
	ip->fib_main = fib_table_create(RT_TABLE_MAIN);
	if (!ip->fib_local || !ip->fib_main)
		return -ENOMEM;
	ip->fib_local->genid = ip->fib_main->genid = &stack->softnet.dst_genid;
	ip->dst_cache = calloc(1, sizeof(*ip->dst_cache));
	ip->sk_dst = calloc(IP_SK_DST_SIZE, sizeof(*ip->sk_dst));
	ip->rx_dst = calloc(IP_RX_DST_SIZE, sizeof(*ip->rx_dst));
	if (!ip->dst_cache || !ip->sk_dst || !ip->rx_dst)
		return -ENOMEM;
	ip->sysctl_ip_rt_mtu_expires = 600;
	ip->sysctl_ip_rt_min_pmtu = 552;
	rc |= proc_create(stack, "/proc/net/route", route_proc_show, NULL, NULL);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/route/mtu_expires",
			      &ip->sysctl_ip_rt_mtu_expires, 0, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/route/min_pmtu",
			      &ip->sysctl_ip_rt_min_pmtu, 68, 65535);
	return rc ? -ENOMEM : 0;
}

void ip_route_exit(struct ns_stack *stack)
{
	fib_table_free(stack->ipv4->fib_local);
	fib_table_free(stack->ipv4->fib_main);
	stack->ipv4->fib_local = stack->ipv4->fib_main = NULL;
	free(stack->ipv4->dst_cache);
	stack->ipv4->dst_cache = NULL;
	free(stack->ipv4->sk_dst);
	stack->ipv4->sk_dst = NULL;
	free(stack->ipv4->rx_dst);
	stack->ipv4->rx_dst = NULL;
}
