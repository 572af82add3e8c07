/* addrconf.c - IPv6 addresses on devices (Linux's net/ipv6/addrconf.c):
 * struct inet6_dev on dev->ip6_ptr, link-local addresses on device up
 * (EUI-64, RFC 4291 2.5.1 / App. A, or RFC 7217 stable privacy IIDs),
 * manual addresses, Duplicate Address Detection (RFC 4862 5.4), SLAAC from
 * Router Advertisements (RFC 4862 5.5.3) with lifetimes and the 2-hour
 * rule, default routers from RAs, router solicitations (RFC 4861 6.3.7),
 * periodic advertisements when forwarding (RFC 4861 6.2), multicast
 * membership with MLDv2 reports (RFC 3810), source address selection
 * (RFC 6724, simplified) and /proc/net/if_inet6.
 *
 * Read ipv6_add_addr, addrconf_dad_timer and addrconf_prefix_rcv first. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc.h"
#include "ipv6/netns_ipv6.h"
#include "wire/icmpv6.h"

#define NS_PER_SEC 1000000000ULL
#define MIN_VALID_LIFETIME (2 * 3600)	/* RFC 4862 5.5.3 e) */
#define MAX_INITIAL_RTR_ADVERTISEMENTS 3	/* RFC 4861 10 */
#define MAX_INITIAL_RTR_ADVERT_INTERVAL 16
#define MLD2_CHANGE_TO_EXCLUDE 4	/* RFC 3810 5.2.12 */
#define MLD2_CHANGE_TO_INCLUDE 3

const uint8_t in6addr_any_bytes[16];
const uint8_t in6addr_linklocal_allnodes[16] = { 0xff, 0x02, [15] = 1 };
const uint8_t in6addr_linklocal_allrouters[16] = { 0xff, 0x02, [15] = 2 };
const uint8_t in6addr_mld2_routers[16] = { 0xff, 0x02, [15] = 0x16 };

/* ---- address helpers ---------------------------------------------------------------- */
bool ipv6_prefix_equal(const uint8_t *a, const uint8_t *b, unsigned int plen)
{
	unsigned int bytes = plen >> 3, bits = plen & 7;

	if (plen > 128)
		return false;
	if (memcmp(a, b, bytes))
		return false;
	return !bits || ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

void ipv6_addr_prefix(uint8_t *out, const uint8_t *a, unsigned int plen)
{
	uint8_t tmp[16] = { 0 };

	if (plen > 128)
		plen = 128;
	memcpy(tmp, a, plen >> 3);
	if (plen & 7)
		tmp[plen >> 3] = a[plen >> 3] & (uint8_t)(0xff << (8 - (plen & 7)));
	memcpy(out, tmp, 16);
}

int ipv6_addr_parse(const char *s, uint8_t out[16])
{
	return inet_pton(AF_INET6, s, out) == 1 ? 0 : -EINVAL;
}

const char *ipv6_addr_fmt(const uint8_t a[16], char *buf, size_t len)
{
	if (!inet_ntop(AF_INET6, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static uint8_t ipv6_addr_scope_of(const uint8_t *a)
{
	if (ipv6_addr_loopback(a))
		return IFA_HOST;
	if (ipv6_addr_is_linklocal(a))
		return IFA_LINK;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return IFA_SITE;
	return IFA_GLOBAL;
}

/* RFC 6724 3.1 scope values for comparisons */
static int rfc6724_scope(const uint8_t *a)
{
	if (ipv6_addr_is_multicast(a))
		return (int)ipv6_mc_scope(a);
	if (ipv6_addr_loopback(a) || ipv6_addr_is_linklocal(a))
		return 2;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return 5;
	return 14;
}

static uint64_t s_to_ns(uint64_t s)
{
	return s * NS_PER_SEC;
}

static uint64_t rand_delay(struct ns_stack *stack, uint64_t max_ns)
{
	/* at least a microsecond: nothing is sent from inside the caller */
	return 1000 + (max_ns > 1000 ? ns_random(stack) % (max_ns - 1000) : 0);
}

/* ---- interface identifiers ------------------------------------------------------------ */
/* RFC 4291 App. A: EUI-64 from a 48-bit MAC, universal/local bit inverted */
static int addrconf_eui64(const struct net_device *dev, uint8_t *iid)
{
	if (dev->addr_len != 6)
		return -EINVAL;
	iid[0] = dev->dev_addr[0] ^ 0x02;
	iid[1] = dev->dev_addr[1];
	iid[2] = dev->dev_addr[2];
	iid[3] = 0xff;
	iid[4] = 0xfe;
	memcpy(iid + 5, dev->dev_addr + 3, 3);
	return 0;
}

/* SipHash-2-4 (Aumasson & Bernstein): the keyed PRF F() of RFC 7217 5 */
static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static void sip_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = rotl(v[1], 13); v[1] ^= v[0]; v[0] = rotl(v[0], 32);
	v[2] += v[3]; v[3] = rotl(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = rotl(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = rotl(v[1], 17); v[1] ^= v[2]; v[2] = rotl(v[2], 32);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t x = 0;

	for (int i = 7; i >= 0; i--)
		x = (x << 8) | p[i];
	return x;
}

static uint64_t siphash24(const uint8_t key[16], const uint8_t *m, size_t len)
{
	uint64_t k0 = le64(key), k1 = le64(key + 8), b = (uint64_t)len << 56;
	uint64_t v[4] = { k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
			  k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull };
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t mi = le64(m + i);

		v[3] ^= mi;
		sip_round(v);
		sip_round(v);
		v[0] ^= mi;
	}
	for (size_t j = 0; i + j < len; j++)
		b |= (uint64_t)m[i + j] << (8 * j);
	v[3] ^= b;
	sip_round(v);
	sip_round(v);
	v[0] ^= b;
	v[2] ^= 0xff;
	for (int r = 0; r < 4; r++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* RFC 7217 5: RID = F(Prefix, Net_Iface, Network_ID, DAD_Counter, secret) */
static void addrconf_stable_iid(struct net_device *dev, const uint8_t *prefix, uint8_t dad_counter,
				uint8_t *iid)
{
	struct ns_stack *stack = dev_net(dev);
	uint8_t msg[8 + IFNAMSIZ + 1 + 6] = { 0 };
	uint64_t rid;

	memcpy(msg, prefix, 8);
	memcpy(msg + 8, dev->name, IFNAMSIZ);
	msg[8 + IFNAMSIZ] = dad_counter;
	memcpy(msg + 8 + IFNAMSIZ + 1, dev->perm_addr, 6);	/* stable per interface */
	rid = siphash24(stack->ipv6->stable_secret, msg, sizeof(msg));
	for (int i = 0; i < 8; i++)
		iid[i] = (uint8_t)(rid >> (56 - 8 * i));
	/* RFC 7136: no meaning in the u/g bits; avoid the reserved
	 * subnet-anycast IID (RFC 2526) all the same */
	if (!(iid[0] | iid[1] | iid[2] | iid[3] | iid[4] | iid[5] | iid[6] | iid[7]))
		iid[7] = 1;
}

static bool addrconf_stable_mode(const struct inet6_dev *idev)
{
	int mode = IN6_CNF(idev, ADDR_GEN_MODE);

	return mode == IN6_ADDR_GEN_MODE_STABLE_PRIVACY || mode == IN6_ADDR_GEN_MODE_RANDOM;
}

static int addrconf_make_addr(struct net_device *dev, const uint8_t *prefix, uint8_t dad_counter,
			      uint8_t *out)
{
	struct inet6_dev *idev = __in6_dev_get(dev);
	int mode = IN6_CNF(idev, ADDR_GEN_MODE);

	memcpy(out, prefix, 8);
	if (addrconf_stable_mode(idev)) {
		addrconf_stable_iid(dev, prefix, dad_counter, out + 8);
		return 0;
	}
	if (mode == IN6_ADDR_GEN_MODE_NONE)
		return -EINVAL;
	return addrconf_eui64(dev, out + 8);
}

/* ---- multicast membership and MLDv2 (RFC 3810) --------------------------------------------- */
static bool mld_reportable(const uint8_t *group)
{
	/* RFC 3810 6: never for scope 0/1 or the link-scope all-nodes group */
	return ipv6_mc_scope(group) > 1 && !ipv6_addr_equal(group, in6addr_linklocal_allnodes);
}

static void mld_send(struct net_device *dev, const uint8_t (*groups)[16], const uint8_t *types,
		     unsigned int n)
{
	struct ns_stack *stack = dev_net(dev);
	struct sk_buff *skb;
	uint8_t src[16] = { 0 }, *p, *hbh;
	struct icmpv6_repr r = { .type = ICMPV6_MLD2_REPORT };
	unsigned int len = ICMPV6_HLEN + n * 20;

	if (!n)
		return;
	skb = alloc_skb_tx(stack, len);
	if (!skb)
		return;
	/* RFC 3810 5.2.13: a link-local source, or :: before we have one */
	ipv6_dev_get_saddr(stack, dev, in6addr_mld2_routers, src);
	if (!ipv6_addr_is_linklocal(src))
		memset(src, 0, 16);
	p = skb_put(skb, len);
	memset(p, 0, len);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *rec = p + ICMPV6_HLEN + i * 20;

		rec[0] = types[i];	/* aux data len 0, no sources */
		memcpy(rec + 4, groups[i], 16);
	}
	r.un.raw = n;	/* reserved(16) | number of records(16) */
	r.data = p + ICMPV6_HLEN;
	r.data_len = len - ICMPV6_HLEN;
	icmpv6_emit(&r, p, len, src, in6addr_mld2_routers);
	/* RFC 3810 5: hop limit 1 and a Router Alert (RFC 2711) */
	hbh = skb_push(skb, 8);
	if (!hbh) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return;
	}
	hbh[0] = IPPROTO_ICMPV6;
	hbh[1] = 0;
	hbh[2] = IPV6_TLV_ROUTERALERT;
	hbh[3] = 2;
	hbh[4] = 0;
	hbh[5] = 0;	/* MLD */
	hbh[6] = IPV6_TLV_PADN;
	hbh[7] = 0;
	if (ip6_push_hdr(skb, src, in6addr_mld2_routers, IPPROTO_HOPOPTS, 1, 0)) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return;
	}
	stack->ipv6->icmp.out_msgs++;
	stack->ipv6->icmp.out_type[ICMPV6_MLD2_REPORT]++;
	ip6_xmit_dev(stack, skb, dev, in6addr_mld2_routers);
}

void ipv6_mld_send_report(struct net_device *dev, const uint8_t *group)
{
	uint8_t g[1][16];
	uint8_t t = MLD2_CHANGE_TO_EXCLUDE;

	memcpy(g[0], group, 16);
	mld_send(dev, (const uint8_t (*)[16])g, &t, 1);
}

/* Unsolicited reports of the groups joined since the last run */
static void mld_timer_fn(struct timer_list *t)
{
	struct inet6_dev *idev = from_timer(idev, t, mc_timer);
	uint8_t groups[IPV6_MC_PER_DEV][16], types[IPV6_MC_PER_DEV];
	unsigned int n = 0;

	if (!(idev->dev->flags & IFF_UP))
		return;
	for (int i = 0; i < IPV6_MC_PER_DEV; i++) {
		struct ifmcaddr6 *m = &idev->mc[i];

		if (!m->users || !m->report_pending)
			continue;
		m->report_pending = false;
		memcpy(groups[n], m->addr, 16);
		types[n++] = MLD2_CHANGE_TO_EXCLUDE;
	}
	mld_send(idev->dev, (const uint8_t (*)[16])groups, types, n);
}

/* RFC 3810 5.1.3: Maximum Response Code, exponential above 32768 ms */
static uint64_t mld_max_resp_ms(const struct icmpv6_repr *r)
{
	uint32_t code = r->un.raw >> 16;

	if (r->data_len < 20)	/* MLDv1 (RFC 2710 3.4): plain milliseconds */
		return code;
	if (code < 32768)
		return code;
	return (uint64_t)((code & 0x0fff) | 0x1000) << (((code >> 12) & 7) + 3);
}

void ipv6_mld_query_rcv(struct sk_buff *skb, const struct icmpv6_repr *r)
{
	struct net_device *dev = skb->dev;
	struct inet6_dev *idev = dev ? __in6_dev_get(dev) : NULL;
	const uint8_t *h = ipv6_hdr(skb), *group;
	struct ns_stack *stack = skb->stack;
	uint64_t max_ms, delay;
	bool any = false;

	/* RFC 3810 5.1.14: a link-local source and hop limit 1, else ignored */
	if (!idev || !ipv6_addr_is_linklocal(h + 8) || h[7] != 1 || r->data_len < 16)
		return;
	group = r->data;
	if (!ipv6_addr_any(group) && !ipv6_addr_is_multicast(group))
		return;
	for (int i = 0; i < IPV6_MC_PER_DEV; i++) {
		struct ifmcaddr6 *m = &idev->mc[i];

		/* a general query asks for all, a specific one for its group */
		if (!m->users || !mld_reportable(m->addr) ||
		    (!ipv6_addr_any(group) && !ipv6_addr_equal(group, m->addr)))
			continue;
		m->report_pending = true;
		any = true;
	}
	if (!any)
		return;
	/* 6.2: a random delay within the Maximum Response Delay */
	max_ms = NS_MIN(mld_max_resp_ms(r), (uint64_t)60000);
	delay = rand_delay(stack, NS_MAX(max_ms, (uint64_t)1) * NS_PER_MS);
	if (!timer_pending(&idev->mc_timer) || idev->mc_timer.expires > ns_now(stack) + delay)
		mod_timer(&idev->mc_timer, ns_now(stack) + delay);
}

int ipv6_dev_mc_inc(struct net_device *dev, const uint8_t *group)
{
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct ifmcaddr6 *free_slot = NULL;

	if (!idev || !ipv6_addr_is_multicast(group))
		return -EINVAL;
	for (int i = 0; i < IPV6_MC_PER_DEV; i++) {
		struct ifmcaddr6 *m = &idev->mc[i];

		if (m->users && ipv6_addr_equal(m->addr, group)) {
			m->users++;
			return 0;
		}
		if (!m->users && !free_slot)
			free_slot = m;
	}
	if (!free_slot)
		return -ENOSPC;
	memcpy(free_slot->addr, group, 16);
	free_slot->users = 1;
	/* RFC 3810 5.1 unsolicited report; RFC 4862 5.4.2 delays it randomly
	 * (0..MAX_RTR_SOLICITATION_DELAY) when it is for DAD */
	if (mld_reportable(group) && (dev->flags & IFF_UP) && !(dev->flags & IFF_LOOPBACK)) {
		free_slot->report_pending = true;
		if (!timer_pending(&idev->mc_timer))
			mod_timer(&idev->mc_timer, ns_now(dev_net(dev)) +
				  rand_delay(dev_net(dev), s_to_ns(1)));
	}
	return 0;
}

void ipv6_dev_mc_dec(struct net_device *dev, const uint8_t *group)
{
	struct inet6_dev *idev = __in6_dev_get(dev);

	if (!idev)
		return;
	for (int i = 0; i < IPV6_MC_PER_DEV; i++) {
		struct ifmcaddr6 *m = &idev->mc[i];

		if (m->users && ipv6_addr_equal(m->addr, group)) {
			if (--m->users == 0 && mld_reportable(group) && (dev->flags & IFF_UP) &&
			    !m->report_pending && !(dev->flags & IFF_LOOPBACK)) {
				uint8_t t = MLD2_CHANGE_TO_INCLUDE;

				mld_send(dev, (const uint8_t (*)[16])m->addr, &t, 1);
			}
			if (!m->users)
				m->report_pending = false;
			return;
		}
	}
}

bool ipv6_chk_mcast_addr(const struct net_device *dev, const uint8_t *group)
{
	struct inet6_dev *idev = __in6_dev_get(dev);

	if (!idev)
		return false;
	for (int i = 0; i < IPV6_MC_PER_DEV; i++)
		if (idev->mc[i].users && ipv6_addr_equal(idev->mc[i].addr, group))
			return true;
	return false;
}

/* ---- lookups ---------------------------------------------------------------------------- */
struct inet6_ifaddr *ipv6_get_ifaddr(struct ns_stack *stack, const uint8_t *addr,
				     const struct net_device *dev)
{
	struct net_device *d;

	for_each_netdev(stack, d) {
		struct inet6_dev *idev = __in6_dev_get(d);
		struct inet6_ifaddr *ifp;

		if (!idev || (dev && d != dev))
			continue;
		list_for_each_entry(ifp, &idev->addr_list, if_list)
			if (ipv6_addr_equal(ifp->addr, addr))
				return ifp;
	}
	return NULL;
}

bool ipv6_chk_addr(struct ns_stack *stack, const uint8_t *addr, const struct net_device *dev)
{
	struct inet6_ifaddr *ifp = ipv6_get_ifaddr(stack, addr, dev);

	return ifp && !(ifp->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) &&
	       (ifp->idev->dev->flags & IFF_UP);
}

int ipv6_addr_flags(struct ns_stack *stack, struct net_device *dev, const uint8_t *addr)
{
	struct inet6_ifaddr *ifp = ipv6_get_ifaddr(stack, addr, dev);

	return ifp ? (int)ifp->flags : -ENOENT;
}

/* RFC 6724 5 rules 1, 2, 3, 5, 8 over the usable addresses */
struct saddr_cand {
	const struct inet6_ifaddr *ifp;
	int scope;
	bool deprecated, same_dev;
	unsigned int match;
};

static bool saddr_better(const struct saddr_cand *a, const struct saddr_cand *b, int dscope)
{
	if (!b->ifp)
		return true;
	/* rule 2: appropriate scope */
	if (a->scope != b->scope) {
		if (a->scope < b->scope)
			return a->scope >= dscope;
		return b->scope < dscope;
	}
	if (a->deprecated != b->deprecated)	/* rule 3 */
		return !a->deprecated;
	if (a->same_dev != b->same_dev)		/* rule 5 */
		return a->same_dev;
	return a->match > b->match;		/* rule 8 */
}

static unsigned int prefix_match_len(const uint8_t *a, const uint8_t *b)
{
	unsigned int n = 0;

	for (int i = 0; i < 16; i++) {
		uint8_t x = a[i] ^ b[i];

		if (x)
			return n + (unsigned int)__builtin_clz((unsigned int)x) - 24;
		n += 8;
	}
	return n;
}

int ipv6_dev_get_saddr(struct ns_stack *stack, const struct net_device *dev,
		       const uint8_t *daddr, uint8_t *saddr)
{
	int dscope = rfc6724_scope(daddr);
	struct saddr_cand best = { 0 };
	struct net_device *d;

	for_each_netdev(stack, d) {
		struct inet6_dev *idev = __in6_dev_get(d);
		struct inet6_ifaddr *ifp;

		if (!idev || !(d->flags & IFF_UP))
			continue;
		list_for_each_entry(ifp, &idev->addr_list, if_list) {
			struct saddr_cand c = { .ifp = ifp };

			if (ifp->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
				continue;
			if (ipv6_addr_equal(ifp->addr, daddr)) {	/* rule 1 */
				memcpy(saddr, daddr, 16);
				return 0;
			}
			c.scope = rfc6724_scope(ifp->addr);
			/* a link-local source only on its own link */
			if (c.scope <= 2 && dev && d != dev)
				continue;
			if (ipv6_addr_loopback(ifp->addr) && !(dev && (dev->flags & IFF_LOOPBACK)))
				continue;
			c.deprecated = ifp->flags & IFA_F_DEPRECATED;
			c.same_dev = d == dev;
			c.match = prefix_match_len(ifp->addr, daddr);
			if (saddr_better(&c, &best, dscope))
				best = c;
		}
	}
	if (!best.ifp)
		return -EADDRNOTAVAIL;
	memcpy(saddr, best.ifp->addr, 16);
	return 0;
}

/* ---- DAD (RFC 4862 5.4) ---------------------------------------------------------------------- */
static void addrconf_rs_start(struct inet6_dev *idev);
static void addrconf_ra_start(struct inet6_dev *idev);

static bool idev_is_router(const struct inet6_dev *idev)
{
	return IN6_CNF(idev, FORWARDING) && ipv6_forwarding(dev_net(idev->dev));
}

static void addrconf_dad_completed(struct inet6_ifaddr *ifp)
{
	struct inet6_dev *idev = ifp->idev;

	ifp->flags &= ~(uint32_t)(IFA_F_TENTATIVE | IFA_F_OPTIMISTIC);
	ip6_addr_routes(ifp, true);
	/* RFC 4861 6.3.7: a host solicits routers once it has a link-local */
	if (ifp->scope == IFA_LINK) {
		if (idev_is_router(idev))
			addrconf_ra_start(idev);
		else
			addrconf_rs_start(idev);
	} else if (ifp->scope == IFA_GLOBAL && idev_is_router(idev)) {
		addrconf_ra_start(idev);
	}
}

static void addrconf_dad_timer(struct timer_list *t)
{
	struct inet6_ifaddr *ifp = from_timer(ifp, t, dad_timer);
	struct net_device *dev = ifp->idev->dev;
	struct neigh_parms *p = ifp->idev->nd_parms;
	uint64_t retrans = p ? (uint64_t)NEIGH_VAR(p, RETRANS_TIME) * NS_PER_MS : NS_PER_SEC;

	if (!(ifp->flags & IFA_F_TENTATIVE) || (ifp->flags & IFA_F_DADFAILED) ||
	    !(dev->flags & IFF_UP))
		return;
	if (ifp->dad_probes == 0) {
		addrconf_dad_completed(ifp);
		return;
	}
	ifp->dad_probes--;
	/* 5.4.2: from ::, to the solicited-node group of the target */
	ndisc_send_ns(dev, ifp->addr, NULL, in6addr_any_bytes, NULL);
	mod_timer(&ifp->dad_timer, ns_now(dev_net(dev)) + retrans);
}

static void addrconf_dad_start(struct inet6_ifaddr *ifp)
{
	struct inet6_dev *idev = ifp->idev;
	struct net_device *dev = idev->dev;
	struct ns_stack *stack = dev_net(dev);
	uint8_t snm[16];

	addrconf_addr_solict_mult(ifp->addr, snm);
	if (!(dev->flags & IFF_UP))
		return;
	if ((dev->flags & IFF_LOOPBACK) || (ifp->flags & IFA_F_NODAD) ||
	    IN6_CNF(idev, DAD_TRANSMITS) <= 0 || !IN6_CNF(idev, ACCEPT_DAD) ||
	    dev->flags & IFF_NOARP) {
		ifp->flags |= IFA_F_TENTATIVE;
		addrconf_dad_completed(ifp);
		return;
	}
	ifp->flags |= IFA_F_TENTATIVE;
	ifp->flags &= ~(uint32_t)IFA_F_DADFAILED;
	ifp->dad_probes = (uint8_t)IN6_CNF(idev, DAD_TRANSMITS);
	/* 5.4.2: the first NS after a random delay of up to
	 * MAX_RTR_SOLICITATION_DELAY */
	mod_timer(&ifp->dad_timer,
		  ns_now(stack) + rand_delay(stack, s_to_ns((uint64_t)IN6_CNF(idev, RTR_SOLICIT_DELAY))));
}

#define IDGEN_RETRIES 3	/* RFC 7217 6 */

static struct inet6_ifaddr *ipv6_add_addr(struct inet6_dev *idev, const uint8_t *addr,
					  unsigned int plen, uint32_t flags, int *err);

/* RFC 7217 6: a stable IID that collided is made again with DAD_Counter
 * incremented, up to IDGEN_RETRIES times. */
static void addrconf_dad_retry(const struct inet6_ifaddr *ifp)
{
	struct inet6_dev *idev = ifp->idev;
	struct inet6_ifaddr *n;
	uint8_t addr[16];
	int err;

	if (!ifp->stable_iid || ifp->dad_counter >= IDGEN_RETRIES || !addrconf_stable_mode(idev))
		return;
	if (addrconf_make_addr(idev->dev, ifp->addr, (uint8_t)(ifp->dad_counter + 1), addr))
		return;
	n = ipv6_add_addr(idev, addr, ifp->prefix_len, ifp->flags & IFA_F_PERMANENT, &err);
	if (!n)
		return;
	n->stable_iid = true;
	n->dad_counter = (uint8_t)(ifp->dad_counter + 1);
	n->slaac = ifp->slaac;
	n->valid_lft = ifp->valid_lft;
	n->prefered_lft = ifp->prefered_lft;
	n->tstamp = ifp->tstamp;
}

void addrconf_dad_failure(struct inet6_ifaddr *ifp)
{
	char b[64];

	ns_log(dev_net(ifp->idev->dev), "ipv6: %s: DAD failed for %s", ifp->idev->dev->name,
	       ipv6_addr_fmt(ifp->addr, b, sizeof(b)));
	/* 5.4.5: the address is not assigned to the interface */
	ifp->flags |= IFA_F_DADFAILED;
	del_timer(&ifp->dad_timer);
	addrconf_dad_retry(ifp);
}

/* ---- adding and removing addresses ------------------------------------------------------ */
/* The connected prefix at once (Linux's addrconf_prefix_route); the local
 * /128 comes with DAD completion. */
static void addrconf_prefix_route(struct inet6_ifaddr *ifp)
{
	struct net_device *dev = ifp->idev->dev;
	struct fib6_info pfx = {
		.plen = ifp->prefix_len, .protocol = RTPROT_KERNEL,
		.ifindex = dev->ifindex, .metric = 256, .flags = RTF6_UP,
	};

	if (ifp->prefix_len >= 128 || (ifp->flags & IFA_F_NOPREFIXROUTE) || ifp->slaac)
		return;
	ipv6_addr_prefix(pfx.dst, ifp->addr, ifp->prefix_len);
	fib6_add(dev_net(dev)->ipv6->fib_main, &pfx);
}

static struct inet6_ifaddr *ipv6_add_addr(struct inet6_dev *idev, const uint8_t *addr,
					  unsigned int plen, uint32_t flags, int *err)
{
	struct net_device *dev = idev->dev;
	struct inet6_ifaddr *ifp;
	uint8_t snm[16];

	*err = -EINVAL;
	if (plen > 128 || ipv6_addr_any(addr) || ipv6_addr_is_multicast(addr))
		return NULL;
	*err = -EEXIST;
	if (ipv6_get_ifaddr(dev_net(dev), addr, dev))
		return NULL;
	*err = -ENOSPC;
	if (idev->addr_count >= IPV6_ADDR_MAX_PER_DEV)
		return NULL;
	*err = -ENOMEM;
	ifp = calloc(1, sizeof(*ifp));
	if (!ifp)
		return NULL;
	*err = 0;
	ifp->idev = idev;
	memcpy(ifp->addr, addr, 16);
	ifp->prefix_len = (uint8_t)plen;
	ifp->scope = ipv6_addr_scope_of(addr);
	ifp->flags = (flags & ~(uint32_t)(IFA_F_TENTATIVE | IFA_F_DADFAILED)) | IFA_F_TENTATIVE;
	ifp->valid_lft = ifp->prefered_lft = INFINITY_LIFE_TIME;
	ifp->tstamp = ns_now(dev_net(dev));
	timer_setup(&ifp->dad_timer, dev_net(dev), addrconf_dad_timer);
	list_add_tail(&ifp->if_list, &idev->addr_list);
	idev->addr_count++;
	/* RFC 4861 7.2.1: join the solicited-node group of every address */
	addrconf_addr_solict_mult(addr, snm);
	ipv6_dev_mc_inc(dev, snm);
	if (dev->flags & IFF_UP) {
		/* the connected prefix at once, the local route after DAD */
		addrconf_prefix_route(ifp);
		addrconf_dad_start(ifp);
	}
	return ifp;
}

static void ipv6_del_addr(struct inet6_ifaddr *ifp)
{
	struct inet6_dev *idev = ifp->idev;
	uint8_t snm[16];

	del_timer(&ifp->dad_timer);
	if (!(ifp->flags & IFA_F_TENTATIVE))
		ip6_addr_routes(ifp, false);
	list_del(&ifp->if_list);
	idev->addr_count--;
	addrconf_addr_solict_mult(ifp->addr, snm);
	ipv6_dev_mc_dec(idev->dev, snm);
	free(ifp);
}

int ipv6_addr_add(struct net_device *dev, const uint8_t *addr, unsigned int plen, uint32_t flags)
{
	struct inet6_dev *idev = __in6_dev_get(dev);
	int err;

	if (!idev)
		return -ENODEV;
	if (!ipv6_add_addr(idev, addr, plen, flags | IFA_F_PERMANENT, &err))
		return err;
	return 0;
}

int ipv6_addr_del(struct net_device *dev, const uint8_t *addr, unsigned int plen)
{
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct inet6_ifaddr *ifp;

	if (!idev)
		return -ENODEV;
	list_for_each_entry(ifp, &idev->addr_list, if_list) {
		if (ipv6_addr_equal(ifp->addr, addr) && (plen > 128 || ifp->prefix_len == plen)) {
			ipv6_del_addr(ifp);
			return 0;
		}
	}
	return -EADDRNOTAVAIL;
}

/* ---- lifetimes (RFC 4862 5.5.4) ----------------------------------------------------------- */
static uint64_t ifa_lifetimes(struct inet6_ifaddr *ifp, uint64_t now, bool *expired)
{
	uint64_t next = UINT64_MAX;

	*expired = false;
	if (ifp->valid_lft == INFINITY_LIFE_TIME)
		return next;
	if (now >= ifp->tstamp + s_to_ns(ifp->valid_lft)) {
		*expired = true;
		return next;
	}
	next = ifp->tstamp + s_to_ns(ifp->valid_lft);
	if (ifp->prefered_lft != INFINITY_LIFE_TIME) {
		uint64_t pref = ifp->tstamp + s_to_ns(ifp->prefered_lft);

		if (now >= pref)
			ifp->flags |= IFA_F_DEPRECATED;
		else if (pref < next)
			next = pref;
	}
	return next;
}

void addrconf_verify(struct ns_stack *stack)
{
	struct netns_ipv6 *ip6 = stack->ipv6;
	uint64_t now = ns_now(stack), next = ip6_ra_routes_expire(stack, now);
	struct net_device *d;

	for_each_netdev(stack, d) {
		struct inet6_dev *idev = __in6_dev_get(d);
		struct inet6_ifaddr *ifp, *tmp;

		if (!idev)
			continue;
		list_for_each_entry_safe(ifp, tmp, &idev->addr_list, if_list) {
			bool expired;
			uint64_t n = ifa_lifetimes(ifp, now, &expired);

			if (expired)
				ipv6_del_addr(ifp);
			else if (n < next)
				next = n;
		}
	}
	if (next != UINT64_MAX)
		mod_timer(&ip6->verify_timer, next);
	else
		del_timer(&ip6->verify_timer);
}

/* ---- Router Advertisements (RFC 4862 5.5.3) ------------------------------------------------- */
static void slaac_update_lifetimes(struct inet6_ifaddr *ifp, uint32_t valid, uint32_t pref,
				   uint64_t now)
{
	uint64_t remaining = 0;

	if (ifp->valid_lft == INFINITY_LIFE_TIME)
		remaining = UINT64_MAX;
	else if (ifp->tstamp + s_to_ns(ifp->valid_lft) > now)
		remaining = (ifp->tstamp + s_to_ns(ifp->valid_lft) - now) / NS_PER_SEC;
	/* e): the "two hours" rule against a spoofed short lifetime */
	if (!(valid > MIN_VALID_LIFETIME || valid > remaining)) {
		if (remaining <= MIN_VALID_LIFETIME)
			valid = (uint32_t)remaining;	/* keep the remaining lifetime */
		else
			valid = MIN_VALID_LIFETIME;
	}
	ifp->tstamp = now;
	ifp->valid_lft = valid;
	ifp->prefered_lft = pref;
	if (pref)
		ifp->flags &= ~(uint32_t)IFA_F_DEPRECATED;
	else
		ifp->flags |= IFA_F_DEPRECATED;
}

#define IPV6_MAX_AUTOCONF_ADDRS 16	/* Linux's net.ipv6.conf.*.max_addresses */

static unsigned int addrconf_slaac_count(const struct inet6_dev *idev)
{
	const struct inet6_ifaddr *ifp;
	unsigned int n = 0;

	list_for_each_entry(ifp, &idev->addr_list, if_list)
		n += ifp->slaac;
	return n;
}

void addrconf_prefix_rcv(struct net_device *dev, const uint8_t *opt, size_t len)
{
	struct ns_stack *stack = dev_net(dev);
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct ndp_opt o = { .type = ND_OPT_PREFIX_INFO, .len = len, .data = opt };
	struct ndp_prefix_info pi;
	struct inet6_ifaddr *ifp;
	uint8_t addr[16];
	uint64_t now = ns_now(stack);
	int err;

	if (!idev || ndp_opt_prefix_info(&o, &pi) < 0)
		return;
	/* a) b) c): no link-local prefix, preferred <= valid */
	if (ipv6_addr_is_linklocal(pi.prefix) || ipv6_addr_is_multicast(pi.prefix) ||
	    pi.preferred_lft > pi.valid_lft)
		return;
	if (pi.onlink)	/* RFC 4861 6.3.4: on-link prefix route */
		ip6_ra_route_set(stack, pi.prefix, pi.prefix_len, NULL, dev->ifindex, pi.valid_lft);
	/* d): the prefix plus a 64-bit IID must be 128 bits */
	if (!pi.autoconf || !IN6_CNF(idev, AUTOCONF) || pi.prefix_len != 64)
		return;
	if (addrconf_make_addr(dev, pi.prefix, 0, addr))
		return;
	ifp = ipv6_get_ifaddr(stack, addr, dev);
	if (ifp) {
		if (ifp->slaac)
			slaac_update_lifetimes(ifp, pi.valid_lft, pi.preferred_lft, now);
		addrconf_verify(stack);
		return;
	}
	if (!pi.valid_lft || addrconf_slaac_count(idev) >= IPV6_MAX_AUTOCONF_ADDRS)
		return;	/* bounded: a flood of prefixes forms no more than that */
	ifp = ipv6_add_addr(idev, addr, 64, 0, &err);
	if (!ifp)
		return;
	ifp->slaac = true;
	ifp->stable_iid = addrconf_stable_mode(idev);
	ifp->valid_lft = pi.valid_lft;
	ifp->prefered_lft = pi.preferred_lft;
	ifp->tstamp = now;
	addrconf_verify(stack);
}

void addrconf_ra_router(struct net_device *dev, const uint8_t *router, unsigned int lifetime_s)
{
	static const uint8_t zero[16];

	ip6_ra_route_set(dev_net(dev), zero, 0, router, dev->ifindex, lifetime_s);
}

/* ---- router solicitation / advertisement timer ---------------------------------------------- */
static void addrconf_rs_timer(struct timer_list *t)
{
	struct inet6_dev *idev = from_timer(idev, t, rs_timer);
	struct net_device *dev = idev->dev;
	struct ns_stack *stack = dev_net(dev);

	if (!(dev->flags & IFF_UP))
		return;
	if (idev_is_router(idev)) {
		uint64_t max = (uint64_t)IN6_CNF(idev, MAX_RTR_ADV_INTERVAL), delay;

		/* RFC 4861 6.2.4: a few quick advertisements, then every
		 * [MinRtrAdvInterval, MaxRtrAdvInterval] (Min = Max / 3) */
		ndisc_send_ra(dev, NULL);
		if (idev->ra_sent < MAX_INITIAL_RTR_ADVERTISEMENTS) {
			idev->ra_sent++;
			delay = NS_MIN(max, (uint64_t)MAX_INITIAL_RTR_ADVERT_INTERVAL);
			mod_timer(&idev->rs_timer, ns_now(stack) + s_to_ns(delay));
		} else {
			uint64_t min = max / 3;

			delay = s_to_ns(min) + ns_random(stack) % (s_to_ns(max - min) + 1);
			mod_timer(&idev->rs_timer, ns_now(stack) + delay);
		}
		return;
	}
	if (!IN6_CNF(idev, ACCEPT_RA) || idev->rs_probes >= IN6_CNF(idev, RTR_SOLICITS))
		return;
	ndisc_send_rs(dev);
	idev->rs_probes++;
	if (idev->rs_probes < IN6_CNF(idev, RTR_SOLICITS))
		mod_timer(&idev->rs_timer, ns_now(stack) +
			  s_to_ns((uint64_t)IN6_CNF(idev, RTR_SOLICIT_INTERVAL)));
}

static void addrconf_rs_start(struct inet6_dev *idev)
{
	struct ns_stack *stack = dev_net(idev->dev);

	if (!IN6_CNF(idev, ACCEPT_RA) || IN6_CNF(idev, RTR_SOLICITS) <= 0 ||
	    (idev->dev->flags & (IFF_LOOPBACK | IFF_NOARP)))
		return;
	idev->rs_probes = 0;
	/* RFC 4861 6.3.7: after a random delay of up to MAX_RTR_SOLICITATION_DELAY */
	mod_timer(&idev->rs_timer,
		  ns_now(stack) + rand_delay(stack, s_to_ns((uint64_t)IN6_CNF(idev, RTR_SOLICIT_DELAY))));
}

static bool idev_has_global(const struct inet6_dev *idev)
{
	struct inet6_ifaddr *ifp;

	list_for_each_entry(ifp, &idev->addr_list, if_list)
		if (ifp->scope == IFA_GLOBAL && !(ifp->flags & IFA_F_TENTATIVE))
			return true;
	return false;
}

static void addrconf_ra_start(struct inet6_dev *idev)
{
	struct ns_stack *stack = dev_net(idev->dev);

	if (!IN6_CNF(idev, SEND_RA) || !idev_has_global(idev) ||
	    (idev->dev->flags & (IFF_LOOPBACK | IFF_NOARP)) || timer_pending(&idev->rs_timer))
		return;
	idev->ra_sent = 0;
	mod_timer(&idev->rs_timer, ns_now(stack) + rand_delay(stack, s_to_ns(1)));
}

void addrconf_ra_done(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);

	/* RFC 4861 6.3.7: stop soliciting once an advertisement arrived */
	if (idev && !idev_is_router(idev)) {
		del_timer(&idev->rs_timer);
		idev->rs_probes = IN6_CNF(idev, RTR_SOLICITS);
	}
}

/* ---- forwarding ----------------------------------------------------------------------------- */
int addrconf_forward_change(struct ns_stack *stack, int on)
{
	struct netns_ipv6 *ip6 = stack->ipv6;
	struct net_device *d;

	ip6->devconf_all.data[DEVCONF6_FORWARDING] = on;
	ip6->devconf_dflt.data[DEVCONF6_FORWARDING] = on;
	for_each_netdev(stack, d) {
		struct inet6_dev *idev = __in6_dev_get(d);

		if (!idev || IN6_CNF(idev, FORWARDING) == on)
			continue;
		IN6_CNF(idev, FORWARDING) = on;
		/* RFC 4291 2.8: routers also listen on all-routers */
		if (on) {
			ipv6_dev_mc_inc(d, in6addr_linklocal_allrouters);
			del_timer(&idev->rs_timer);
			addrconf_ra_start(idev);
		} else {
			ipv6_dev_mc_dec(d, in6addr_linklocal_allrouters);
			del_timer(&idev->rs_timer);
		}
	}
	return 0;
}

bool ipv6_forwarding(struct ns_stack *stack)
{
	return stack->ipv6 && stack->ipv6->devconf_all.data[DEVCONF6_FORWARDING];
}

/* ---- sysctls -------------------------------------------------------------------------------- */
static const char *const devconf_names[DEVCONF6_MAX] = {
#define DEVCONF_NAME(e, s, d) s,
	IPV6_DEVCONFS(DEVCONF_NAME)
#undef DEVCONF_NAME
};
static const int devconf_defaults[DEVCONF6_MAX] = {
#define DEVCONF_DEF(e, s, d) d,
	IPV6_DEVCONFS(DEVCONF_DEF)
#undef DEVCONF_DEF
};

static void devconf_all_fwd_changed(struct ns_stack *stack, int *var)
{
	addrconf_forward_change(stack, *var);
}

static void addrconf_dev_up(struct net_device *dev);
static void addrconf_ifdown(struct net_device *dev);

/* conf/DEV/disable_ipv6 written: start or stop IPv6 on that device */
static void devconf_disable_changed(struct ns_stack *stack, int *var)
{
	struct net_device *d;

	for_each_netdev(stack, d) {
		struct inet6_dev *idev = __in6_dev_get(d);

		if (!idev || var != &IN6_CNF(idev, DISABLE_IPV6) || !(d->flags & IFF_UP))
			continue;
		if (*var)
			addrconf_ifdown(d);
		else
			addrconf_dev_up(d);
	}
}

static int devconf_register(struct ns_stack *stack, struct ipv6_devconf *c, const char *dir, bool all)
{
	char path[128];
	int rc = 0;

	for (int i = 0; i < DEVCONF6_MAX; i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", dir, devconf_names[i]);
		if (all && i == DEVCONF6_FORWARDING)
			rc |= proc_create_int_notify(stack, path, &c->data[i], 0, 1, devconf_all_fwd_changed);
		else if (i == DEVCONF6_DISABLE_IPV6)
			rc |= proc_create_int_notify(stack, path, &c->data[i], 0, 1, devconf_disable_changed);
		else if (i == DEVCONF6_HOP_LIMIT)
			rc |= proc_create_int(stack, path, &c->data[i], 1, 255);
		else if (i == DEVCONF6_ADDR_GEN_MODE)
			rc |= proc_create_int(stack, path, &c->data[i], 0, 3);
		else
			rc |= proc_create_int(stack, path, &c->data[i], 0, 0x7fffffff);
	}
	return rc ? -ENOMEM : 0;
}

/* ---- device events ------------------------------------------------------------------------ */
static struct inet6_dev *ipv6_add_dev(struct net_device *dev)
{
	struct ns_stack *stack = dev_net(dev);
	struct inet6_dev *idev = calloc(1, sizeof(*idev));

	if (!idev)
		return NULL;
	idev->dev = dev;
	INIT_LIST_HEAD(&idev->addr_list);
	idev->cnf = stack->ipv6->devconf_dflt;
	timer_setup(&idev->mc_timer, stack, mld_timer_fn);
	timer_setup(&idev->rs_timer, stack, addrconf_rs_timer);
	dev->ip6_ptr = idev;
	snprintf(idev->sysctl_name, sizeof(idev->sysctl_name), "%s", dev->name);
	devconf_register(stack, &idev->cnf, dev->name, false);
	idev->nd_parms = ndisc_parms_alloc(dev);
	return idev;
}

static void ipv6_dev_destroy(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct inet6_ifaddr *ifp, *tmp;
	char path[128];

	if (!idev)
		return;
	list_for_each_entry_safe(ifp, tmp, &idev->addr_list, if_list)
		ipv6_del_addr(ifp);
	del_timer(&idev->mc_timer);
	del_timer(&idev->rs_timer);
	ndisc_ifdown(dev);
	ip6_route_ifdown(dev_net(dev), dev);
	ndisc_parms_release(dev, idev->nd_parms);
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/", idev->sysctl_name);
	proc_remove_prefix(dev_net(dev), path);
	dev->ip6_ptr = NULL;
	free(idev);
}

static void addrconf_add_linklocal(struct inet6_dev *idev)
{
	static const uint8_t ll_prefix[8] = { 0xfe, 0x80 };
	uint8_t addr[16];
	int err;

	struct inet6_ifaddr *ifp;

	if (addrconf_make_addr(idev->dev, ll_prefix, 0, addr))
		return;
	/* RFC 4862 5.3: a link-local address on every interface */
	if (!ipv6_get_ifaddr(dev_net(idev->dev), addr, idev->dev)) {
		ifp = ipv6_add_addr(idev, addr, 64, IFA_F_PERMANENT, &err);
		if (ifp)
			ifp->stable_iid = addrconf_stable_mode(idev);
	}
}

static void addrconf_dev_up(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct inet6_ifaddr *ifp;

	if (!idev || IN6_CNF(idev, DISABLE_IPV6))
		return;
	ip6_route_dev_up(dev);
	ipv6_dev_mc_inc(dev, in6addr_linklocal_allnodes);
	if (idev_is_router(idev))
		ipv6_dev_mc_inc(dev, in6addr_linklocal_allrouters);
	if (dev->flags & IFF_LOOPBACK) {
		static const uint8_t lo[16] = { [15] = 1 };

		if (!ipv6_get_ifaddr(dev_net(dev), lo, dev)) {
			int err;

			ipv6_add_addr(idev, lo, 128, IFA_F_PERMANENT, &err);
		}
	}
	/* restart DAD for what is already configured (RFC 4862 5.4) */
	list_for_each_entry(ifp, &idev->addr_list, if_list) {
		addrconf_prefix_route(ifp);
		addrconf_dad_start(ifp);
	}
	if (!(dev->flags & IFF_LOOPBACK) && IN6_CNF(idev, ADDR_GEN_MODE) != IN6_ADDR_GEN_MODE_NONE)
		addrconf_add_linklocal(idev);
	for (int i = 0; i < IPV6_MC_PER_DEV; i++)
		if (idev->mc[i].users && mld_reportable(idev->mc[i].addr) &&
		    !(dev->flags & IFF_LOOPBACK)) {
			idev->mc[i].report_pending = true;
			if (!timer_pending(&idev->mc_timer))
				mod_timer(&idev->mc_timer, ns_now(dev_net(dev)) +
					  rand_delay(dev_net(dev), s_to_ns(1)));
		}
}

static void addrconf_ifdown(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct inet6_ifaddr *ifp, *tmp;

	if (!idev)
		return;
	del_timer(&idev->rs_timer);
	del_timer(&idev->mc_timer);
	/* autoconfigured addresses go; manual ones stay and redo DAD on up */
	list_for_each_entry_safe(ifp, tmp, &idev->addr_list, if_list) {
		if (ifp->slaac || ifp->scope == IFA_LINK) {
			ipv6_del_addr(ifp);
			continue;
		}
		del_timer(&ifp->dad_timer);
		ifp->flags |= IFA_F_TENTATIVE;
	}
	idev->mtu6 = 0;
	ip6_route_ifdown(dev_net(dev), dev);
	ndisc_ifdown(dev);
	for (int i = 0; i < IPV6_MC_PER_DEV; i++)
		idev->mc[i].report_pending = false;
}

static void addrconf_rename(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct ns_stack *stack = dev_net(dev);
	char path[128];

	if (!idev)
		return;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/", idev->sysctl_name);
	proc_remove_prefix(stack, path);
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/neigh/%s/", idev->sysctl_name);
	proc_remove_prefix(stack, path);
	snprintf(idev->sysctl_name, sizeof(idev->sysctl_name), "%s", dev->name);
	devconf_register(stack, &idev->cnf, dev->name, false);
	if (idev->nd_parms)
		neigh_parms_sysctl_register(idev->nd_parms, dev->name);
}

static int addrconf_notify(struct notifier_block *nb, unsigned long event, struct net_device *dev)
{
	(void)nb;
	switch (event) {
	case NETDEV_REGISTER:
		ipv6_add_dev(dev);
		break;
	case NETDEV_UP:
		addrconf_dev_up(dev);
		break;
	case NETDEV_DOWN:
		addrconf_ifdown(dev);
		break;
	case NETDEV_UNREGISTER:
		frag6_flush_dev(dev_net(dev), dev);
		ipv6_dev_destroy(dev);
		break;
	case NETDEV_CHANGENAME:
		addrconf_rename(dev);
		break;
	default:
		break;
	}
	return 0;
}

/* ---- /proc/net/if_inet6 (Linux's if6_seq_show) ------------------------------------------- */
static int if_inet6_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	struct net_device *d;

	(void)data;
	for_each_netdev(stack, d) {
		struct inet6_dev *idev = __in6_dev_get(d);
		struct inet6_ifaddr *ifp;

		if (!idev)
			continue;
		list_for_each_entry(ifp, &idev->addr_list, if_list) {
			for (int i = 0; i < 16; i++)
				seq_printf(s, "%02x", ifp->addr[i]);
			seq_printf(s, " %02x %02x %02x %02x %8s\n", d->ifindex, ifp->prefix_len,
				   ifp->scope, (unsigned int)(ifp->flags & 0xff), d->name);
		}
	}
	return 0;
}

static struct ns_stack *verify_stack_of(struct netns_ipv6 *ip6);

static void addrconf_verify_fn(struct timer_list *t)
{
	struct netns_ipv6 *ip6 = from_timer(ip6, t, verify_timer);

	addrconf_verify(verify_stack_of(ip6));
}

/* The timer knows only netns_ipv6; its netdev notifier block is bound to
 * the stack through the first registered device or the loopback. */
static struct ns_stack *verify_stack_of(struct netns_ipv6 *ip6)
{
	return ip6->nd_tbl.stack;
}

int addrconf_init(struct ns_stack *stack)
{
	struct netns_ipv6 *ip6 = stack->ipv6;
	int rc = 0;

	for (int i = 0; i < DEVCONF6_MAX; i++)
		ip6->devconf_all.data[i] = ip6->devconf_dflt.data[i] = devconf_defaults[i];
	for (int i = 0; i < 16; i += 4) {
		uint32_t r = ns_random_u32(stack);

		memcpy(ip6->stable_secret + i, &r, 4);
	}
	timer_setup(&ip6->verify_timer, stack, addrconf_verify_fn);
	rc |= devconf_register(stack, &ip6->devconf_all, "all", true);
	rc |= devconf_register(stack, &ip6->devconf_dflt, "default", false);
	rc |= proc_create(stack, "/proc/net/if_inet6", if_inet6_show, NULL, NULL);
	ip6->netdev_nb.notifier_call = addrconf_notify;
	ip6->netdev_nb.priority = 9;	/* after IPv4, before transports */
	register_netdevice_notifier(stack, &ip6->netdev_nb);
	return rc ? -ENOMEM : 0;
}

void addrconf_exit(struct ns_stack *stack)
{
	struct net_device *d;

	del_timer(&stack->ipv6->verify_timer);
	for_each_netdev(stack, d)
		ipv6_dev_destroy(d);
	unregister_netdevice_notifier(stack, &stack->ipv6->netdev_nb);
}
