/* nf_nat_core.c - NAT on top of conntrack (Linux's nf_nat_core.c and
 * nf_nat_proto.c). A nat statement in a nat chain binds a mapping when a
 * connection starts: the entry's REPLY tuple becomes the inverse of the
 * translated packet, with a port (or ICMP id) chosen so that no two
 * entries share a reply tuple. Every later packet of the connection is
 * rewritten toward the other direction's tuple: destination at
 * PRE_ROUTING/LOCAL_OUT, source at POST_ROUTING/LOCAL_IN. Checksums are
 * updated incrementally (RFC 1624) including the TCP/UDP pseudo-header;
 * ICMP errors quoting a translated datagram get the quote translated back
 * (RFC 5508 4.2). */
#include <errno.h>
#include <string.h>

#include "core/skbuff.h"
#include "core/stack.h"
#include "ipv4/ip.h"
#include "ipv4/netns_ipv4.h"
#include "netfilter/core.h"
#include "netfilter/nf_conntrack.h"
#include "netfilter/nf_tables.h"
#include "wire/checksum.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"

#define NAT_PORT_MIN 1024u
#define NAT_PORT_MAX 65535u

static enum nf_nat_manip_type hook_manip(unsigned int hook)
{
	return (hook == NF_INET_POST_ROUTING || hook == NF_INET_LOCAL_IN) ? NF_NAT_MANIP_SRC
									  : NF_NAT_MANIP_DST;
}

static uint32_t done_bit(enum nf_nat_manip_type mt)
{
	return mt == NF_NAT_MANIP_SRC ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE;
}

/* Is the reply tuple for `t` (orig-direction, translated) used by another entry? */
static bool tuple_taken(struct ns_stack *stack, const struct nf_conntrack_tuple *t,
			const struct nf_conn *self)
{
	struct nf_conntrack_tuple reply;

	nf_ct_tuple_invert(&reply, t);
	return nf_ct_tuple_taken(stack, &reply, self);
}

static uint16_t *tuple_port(struct nf_conntrack_tuple *t, enum nf_nat_manip_type mt)
{
	/* ICMP: the identifier (sport) stands for the port both ways */
	if (t->proto == IPPROTO_ICMP || mt == NF_NAT_MANIP_SRC)
		return &t->sport;
	return &t->dport;
}

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_ICMP;
}

/* Choose a free port in [lo, hi] for t (keep the current one when free).
 * Bounded like Linux's nf_nat_l4proto_unique_tuple: 128 probes from a
 * random offset, then rounds of half as many from new random offsets down
 * to 16, so a nearly exhausted range costs at most ~240 lookups per new
 * connection instead of a scan of the whole range. */
#define NAT_MAX_ATTEMPTS 128
static int pick_port(struct ns_stack *stack, struct nf_conn *ct, struct nf_conntrack_tuple *t,
		     enum nf_nat_manip_type mt, uint32_t lo, uint32_t hi)
{
	uint16_t *port = tuple_port(t, mt);
	uint32_t size = hi - lo + 1;
	uint32_t attempts = size < NAT_MAX_ATTEMPTS ? size : NAT_MAX_ATTEMPTS;

	if (*port >= lo && *port <= hi && !tuple_taken(stack, t, ct))
		return 0;
	for (;;) {
		uint32_t start = ns_random_below(stack, size);

		for (uint32_t i = 0; i < attempts; i++) {
			*port = (uint16_t)(lo + (start + i) % size);
			if (!tuple_taken(stack, t, ct))
				return 0;
		}
		if (attempts == size)
			return -EADDRINUSE;	/* a small range was searched whole */
		attempts /= 2;
		if (attempts < 16)
			return -EADDRINUSE;
	}
}

static int nat_setup(struct ns_stack *stack, struct nf_conn *ct, const struct nft_expr *e,
		     enum nf_nat_manip_type mt, const struct net_device *out)
{
	struct nf_conntrack_tuple cur;
	uint32_t addr = e->nat.addr, lo = e->nat.port_lo, hi = e->nat.port_hi;
	int rc = 0;

	/* the packet as it travels now: the inverse of the reply tuple */
	nf_ct_tuple_invert(&cur, &ct->t[IP_CT_DIR_REPLY]);
	if (e->nat.type == NFT_NAT_MASQ) {
		addr = out ? inet_select_addr((struct net_device *)out, cur.dst, 0) : 0;
		if (!addr)
			return -EADDRNOTAVAIL;
	}
	if (mt == NF_NAT_MANIP_SRC)
		cur.src = addr;
	else
		cur.dst = addr;
	if (has_ports(cur.proto)) {
		if (!lo) {
			/* no range: keep the port if it is free, else any high port */
			lo = NAT_PORT_MIN;
			hi = NAT_PORT_MAX;
			if (!tuple_taken(stack, &cur, ct))
				lo = hi = *tuple_port(&cur, mt);
		}
		rc = pick_port(stack, ct, &cur, mt, lo, hi);
	} else if (tuple_taken(stack, &cur, ct)) {
		rc = -EADDRINUSE;
	}
	if (rc)
		return rc;
	{
		struct nf_conntrack_tuple reply;

		nf_ct_tuple_invert(&reply, &cur);
		if (memcmp(&reply, &ct->t[IP_CT_DIR_REPLY], sizeof(reply)) != 0) {
			nf_ct_set_reply(stack, ct, &reply);
			ct->status |= mt == NF_NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
		}
	}
	ct->status |= done_bit(mt);
	return 0;
}

/* ---- packet rewriting ------------------------------------------------------------------ */
/* Replace a 32-bit address at p, fixing the IPv4 header checksum at ipcheck
 * and (when not NULL) a transport checksum covering it in its pseudo-header. */
static void set_addr(uint8_t *p, uint32_t to, uint8_t *ipcheck, uint8_t *l4check, bool udp)
{
	uint32_t from = get_be32(p);

	if (from == to)
		return;
	put_be32(p, to);
	put_be16(ipcheck, csum_replace4(get_be16(ipcheck), from, to));
	if (l4check && !(udp && get_be16(l4check) == 0)) {
		uint16_t c = csum_replace4(get_be16(l4check), from, to);

		put_be16(l4check, (udp && c == 0) ? 0xffff : c);	/* RFC 768 */
	}
}

static void set_port(uint8_t *p, uint16_t to, uint8_t *l4check, bool udp)
{
	uint16_t from = get_be16(p);

	if (from == to)
		return;
	put_be16(p, to);
	if (l4check && !(udp && get_be16(l4check) == 0)) {
		uint16_t c = csum_replace2(get_be16(l4check), from, to);

		put_be16(l4check, (udp && c == 0) ? 0xffff : c);
	}
}

/* The transport checksum field of a (possibly quoted) header, if present. */
static uint8_t *l4_check(uint8_t proto, uint8_t *l4, size_t len)
{
	if (proto == IPPROTO_TCP && len >= 18)
		return l4 + 16;
	if (proto == IPPROTO_UDP && len >= 8)
		return l4 + 6;
	if (proto == IPPROTO_ICMP && len >= 4)
		return l4 + 2;
	return NULL;
}

/* Rewrite the IPv4 header at ip (and its transport header when at least
 * 8 bytes of it are there) so its src (SRC) or dst (DST) becomes the
 * tuple's. */
static void manip_ip(uint8_t *ip, size_t len, const struct nf_conntrack_tuple *t,
		     enum nf_nat_manip_type mt)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	uint8_t proto = ip[9];
	bool first = (get_be16(ip + 6) & IP_OFFSET) == 0;
	uint8_t *l4 = ip + ihl;
	size_t l4len = len > ihl ? len - ihl : 0;
	bool udp = proto == IPPROTO_UDP;
	uint8_t *check = first ? l4_check(proto, l4, l4len) : NULL;
	uint8_t *pseudo = proto == IPPROTO_ICMP ? NULL : check;	/* no pseudo-header */

	if (mt == NF_NAT_MANIP_SRC)
		set_addr(ip + 12, t->src, ip + 10, pseudo, udp);
	else
		set_addr(ip + 16, t->dst, ip + 10, pseudo, udp);
	if (!first || l4len < 8)
		return;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP)
		set_port(l4 + (mt == NF_NAT_MANIP_SRC ? 0 : 2),
			 mt == NF_NAT_MANIP_SRC ? t->sport : t->dport, check, udp);
	else if (proto == IPPROTO_ICMP && !icmp_is_error(l4[0]))
		set_port(l4 + 4, t->sport, check, false);
}

/* RFC 5508 4.2: an ICMP error about a translated datagram: make the quote
 * look as the receiver sent it (the other direction's tuple), then fix the
 * ICMP checksum over the whole message. */
static void icmp_reply_translation(uint8_t *ip, size_t len, const struct nf_conntrack_tuple *inner)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4, qihl;
	uint8_t *icmp = ip + ihl, *q = icmp + ICMP_HLEN;
	size_t icmplen = len - ihl, qlen;

	if (icmplen < ICMP_HLEN + IPV4_HLEN_MIN)
		return;
	qlen = icmplen - ICMP_HLEN;
	qihl = (size_t)(q[0] & 15) * 4;
	if (qihl < IPV4_HLEN_MIN || qihl > qlen)
		return;
	manip_ip(q, qlen, inner, NF_NAT_MANIP_SRC);
	manip_ip(q, qlen, inner, NF_NAT_MANIP_DST);
	put_be16(icmp + 2, 0);
	put_be16(icmp + 2, csum_fold(csum_partial(icmp, icmplen, 0)));
}

/* A locally generated datagram got a new destination after routing:
 * route it again (Linux's ip_route_me_harder). */
static int nat_reroute(struct ns_stack *stack, struct sk_buff *skb)
{
	struct ip_priv_cb *cb = IPPRIV(skb);
	struct flowi4 fl4 = { .daddr = cb->h.daddr, .proto = cb->h.protocol, .tos = cb->h.tos,
			      .mark = skb->mark };
	struct ip_route_result res;

	if (ip_route_output(stack, &fl4, &res))
		return -1;
	cb->nexthop = res.nexthop;
	cb->oif = res.dev->ifindex;
	cb->mtu = res.mtu;
	cb->h.rt_type = res.type;
	skb->dev = res.dev;
	return 0;
}

unsigned int nf_nat_packet(struct ns_stack *stack, struct sk_buff *skb, unsigned int hook)
{
	enum nf_nat_manip_type mt = hook_manip(hook);
	enum ip_conntrack_info info;
	struct nf_conntrack_tuple target;
	struct nf_conn *ct = nf_ct_get(stack, skb, &info);
	enum ip_conntrack_dir dir;
	uint32_t statusbit;
	uint8_t *ip;
	size_t len;

	if (!ct || !(ct->status & IPS_NAT_MASK))
		return NF_ACCEPT;
	dir = info >= IP_CT_IS_REPLY ? IP_CT_DIR_REPLY : IP_CT_DIR_ORIGINAL;
	statusbit = mt == NF_NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
	if (dir == IP_CT_DIR_REPLY)
		statusbit ^= IPS_NAT_MASK;
	if (skb_cloned(skb) && skb_cow_head(skb, 0))
		return NF_DROP;
	/* the incremental updates below assume a complete checksum */
	if (skb_checksum_help(skb))
		return NF_DROP;
	ip = skb->network_header == SKB_HDR_UNSET ? skb->data : skb_network_header(skb);
	len = (size_t)(skb_tail_pointer(skb) - ip);
	if (len < IPV4_HLEN_MIN || (size_t)(ip[0] & 15) * 4 > len)
		return NF_ACCEPT;
	if ((info == IP_CT_RELATED || info == IP_CT_RELATED_REPLY) && ip[9] == IPPROTO_ICMP)
		icmp_reply_translation(ip, len, &ct->t[!dir]);
	if (!(ct->status & statusbit))
		return NF_ACCEPT;
	nf_ct_tuple_invert(&target, &ct->t[!dir]);
	manip_ip(ip, len, &target, mt);
	/* the IPv4 layer routes on its copy of the addresses */
	if (mt == NF_NAT_MANIP_SRC) {
		IPCB(skb)->saddr = target.src;
	} else if (IPCB(skb)->daddr != target.dst) {
		IPCB(skb)->daddr = target.dst;
		if (hook == NF_INET_LOCAL_OUT && nat_reroute(stack, skb) < 0)
			return NF_DROP;
	}
	return NF_ACCEPT;
}

void nf_nat_null_binding(struct ns_stack *stack, struct sk_buff *skb, unsigned int hook)
{
	enum nf_nat_manip_type mt = hook_manip(hook);
	enum ip_conntrack_info info;
	struct nf_conn *ct = nf_ct_get(stack, skb, &info);

	if (!ct || info != IP_CT_NEW || (ct->status & done_bit(mt)))
		return;
	if (mt == NF_NAT_MANIP_SRC &&
	    nf_ct_tuple_taken(stack, &ct->t[IP_CT_DIR_REPLY], ct)) {
		struct nft_expr same = { .type = NFT_E_NAT };

		same.nat.type = NFT_NAT_SNAT;
		same.nat.addr = ct->t[IP_CT_DIR_ORIGINAL].src;
		if (nat_setup(stack, ct, &same, mt, NULL) == 0)
			return;
	}
	ct->status |= done_bit(mt);
}

unsigned int nft_nat_eval(struct ns_stack *stack, struct sk_buff *skb,
			  const struct nft_pktinfo *pkt, const struct nft_expr *e)
{
	enum nf_nat_manip_type mt = hook_manip(pkt->hook);
	enum ip_conntrack_info info;
	struct nf_conn *ct = nf_ct_get(stack, skb, &info);

	if (!ct)
		return NF_ACCEPT;	/* untracked: nothing to bind */
	if (info == IP_CT_NEW && !(ct->status & done_bit(mt)) &&
	    nat_setup(stack, ct, e, mt, pkt->out) < 0) {
		stack->ct->stat.drop++;
		return NF_DROP;
	}
	return nf_nat_packet(stack, skb, pkt->hook);
}
