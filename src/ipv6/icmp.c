/* icmp.c - ICMPv6 (RFC 4443, Linux's net/ipv6/icmp.c): echo replies,
 * errors sent under the rules of 2.4(e) and a per-destination token bucket
 * (icmpv6_time 1000 ms, burst 6), errors received handed to the transport
 * through its err_handler (Packet Too Big updates the PMTU cache first,
 * RFC 8201), echo replies and errors about our echo requests to the ping
 * clients (icmp6_echo_register), NDP messages to ndisc.c, and the Icmp6 lines of
 * /proc/net/snmp6. Read icmpv6_rcv and icmp6_send first. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ipv6/netns_ipv6.h"
#include "wire/icmpv6.h"

#define XRLIM_BURST_FACTOR 6
#define IPV6_MIN_MTU 1280

/* ---- rate limiting (Linux's icmpv6_xrlim_allow on inet_peer) ---------------------- */
static struct icmp6_peer *icmp6_peer_get(struct netns_ipv6 *ip6, const uint8_t *daddr, uint64_t now)
{
	uint32_t h = 0;
	unsigned int b;
	struct icmp6_peer *victim;

	for (int i = 0; i < 16; i++)
		h = h * 0x9e3779b1u + daddr[i];
	b = (h >> 20) & (ICMP6_PEER_SLOTS - 1) & ~3u;
	victim = &ip6->icmp_peers[b];
	for (unsigned int i = 0; i < 4; i++) {
		struct icmp6_peer *p = &ip6->icmp_peers[b + i];

		if (p->used && ipv6_addr_equal(p->daddr, daddr))
			return p;
		if (p->used < victim->used)
			victim = p;
	}
	memcpy(victim->daddr, daddr, 16);
	victim->rate_tokens = UINT64_MAX / 4;	/* a new peer has a full bucket */
	victim->rate_last = now;
	victim->used = now | 1;
	return victim;
}

/* RFC 4443 2.4(f): a token every icmpv6_time; PTB is exempt as in Linux's
 * default ratemask, so PMTU discovery is never starved. */
static bool icmpv6_xrlim_allow(struct ns_stack *stack, uint8_t type, const uint8_t *daddr,
			       const struct net_device *out)
{
	struct netns_ipv6 *ip6 = stack->ipv6;
	uint64_t now = ns_now(stack), timeout = (uint64_t)ip6->sysctl_icmp_ratelimit * NS_PER_MS;
	struct icmp6_peer *p;

	if (type == ICMPV6_PKT_TOOBIG || !timeout || (out && (out->flags & IFF_LOOPBACK)))
		return true;
	p = icmp6_peer_get(ip6, daddr, now);
	p->used = now | 1;
	p->rate_tokens += now - p->rate_last;
	p->rate_last = now;
	if (p->rate_tokens > XRLIM_BURST_FACTOR * timeout)
		p->rate_tokens = XRLIM_BURST_FACTOR * timeout;
	if (p->rate_tokens >= timeout) {
		p->rate_tokens -= timeout;
		return true;
	}
	ip6->icmp.out_ratelimit_host++;
	return false;
}

bool icmp6_rate_allow(struct ns_stack *stack, const uint8_t *daddr)
{
	return icmpv6_xrlim_allow(stack, NDISC_REDIRECT, daddr, NULL);
}

/* ---- sending -------------------------------------------------------------------------- */
static void icmp6_count_out(struct ns_stack *stack, uint8_t type)
{
	struct icmp6_mib *m = &stack->ipv6->icmp;

	m->out_msgs++;
	m->out_type[type]++;
	if (icmpv6_is_error(type))
		m->out_errors++;
}

int icmp6_xmit_raw(struct ns_stack *stack, struct sk_buff *skb, struct net_device *dev,
		   const uint8_t *saddr, const uint8_t *daddr, uint8_t hop_limit)
{
	uint8_t *p = skb->data;
	uint8_t type = p[0];
	struct icmpv6_repr r;

	/* checksum over the pseudo-header (RFC 4443 2.3) */
	if (icmpv6_parse(p, skb->len, saddr, daddr, ICMPV6_PARSE_NO_CSUM, &r) < 0) {
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		return -EINVAL;
	}
	icmpv6_emit(&r, p, skb->len, saddr, daddr);
	if (ip6_push_hdr(skb, saddr, daddr, IPPROTO_ICMPV6, hop_limit, 0)) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return -ENOBUFS;
	}
	icmp6_count_out(stack, type);
	return ip6_xmit_dev(stack, skb, dev, daddr);
}

/* Route and send an ICMPv6 message (echo reply, error). */
static int icmp6_push(struct ns_stack *stack, const struct icmpv6_repr *r, struct flowi6 *fl6)
{
	struct sk_buff *skb = alloc_skb_tx(stack, (unsigned int)(ICMPV6_HLEN + r->data_len));
	struct ip6_route_result res;
	uint8_t *p;
	int rc;

	if (!skb) {
		stack->ipv6->icmp.out_errors++;
		return -ENOBUFS;
	}
	rc = ip6_route_output(stack, fl6, &res);
	if (rc) {
		IP6_INC_STATS(stack, OUTNOROUTES);
		kfree_skb_reason(skb, SKB_DROP_REASON_NO_ROUTE);
		return rc;
	}
	p = skb_put(skb, (unsigned int)(ICMPV6_HLEN + r->data_len));
	icmpv6_emit(r, p, ICMPV6_HLEN + r->data_len, fl6->saddr, fl6->daddr);
	icmp6_count_out(stack, r->type);
	fl6->proto = IPPROTO_ICMPV6;
	return ip6_xmit(stack, skb, fl6);
}

/* ---- echo clients (Linux's net/ipv6/ping.c, reduced to an id table) -------------------- */
static struct icmp6_echo_sock *icmp6_echo_find(struct netns_ipv6 *ip6, uint16_t id)
{
	return idtable_find(&ip6->echo_socks, id);
}

int icmp6_echo_register(struct ns_stack *stack, struct icmp6_echo_sock *sk)
{
	return idtable_add(&stack->ipv6->echo_socks, stack, sk, &sk->id);
}

void icmp6_echo_unregister(struct ns_stack *stack, struct icmp6_echo_sock *sk)
{
	idtable_del(&stack->ipv6->echo_socks, sk);
}

/* RFC 4443 4.1: an echo request; the checksum covers the pseudo-header of
 * the addresses the route chose (2.3). */
int icmp6_echo_send(struct ns_stack *stack, struct sk_buff *skb, struct flowi6 *fl6)
{
	struct ip6_route_result res;
	struct icmpv6_repr r;
	int rc;

	fl6->proto = IPPROTO_ICMPV6;
	rc = ip6_route_output(stack, fl6, &res);
	if (rc) {
		IP6_INC_STATS(stack, OUTNOROUTES);
		kfree_skb_reason(skb, SKB_DROP_REASON_NO_ROUTE);
		return rc;
	}
	if (icmpv6_parse(skb->data, skb->len, fl6->saddr, fl6->daddr, ICMPV6_PARSE_NO_CSUM, &r) < 0) {
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		return -EINVAL;
	}
	icmpv6_emit(&r, skb->data, skb->len, fl6->saddr, fl6->daddr);
	icmp6_count_out(stack, r.type);
	return ip6_xmit(stack, skb, fl6);
}

static void icmpv6_echo_reply_rcv(struct sk_buff *skb, const struct icmpv6_repr *r)
{
	struct icmp6_echo_sock *sk = icmp6_echo_find(skb->stack->ipv6, r->un.echo.id);
	const uint8_t *h = ipv6_hdr(skb);
	struct icmp6_echo_event ev = { .type = r->type, .seq = r->un.echo.seq, .from = h + 8,
				       .iif = IP6CB(skb)->iif, .hop_limit = h[7],
				       .data = r->data, .len = r->data_len };

	if (sk)
		sk->rcv(sk, &ev);
}

/* An error quoting one of our echo requests (RFC 4443 2.4(c): the quote
 * holds the request's header, so its id and sequence). */
static void icmpv6_echo_err(struct sk_buff *skb, const struct icmpv6_repr *r,
			    const struct inet6_err_info *err)
{
	const uint8_t *h = ipv6_hdr(skb);
	struct icmp6_echo_event ev = { .type = r->type, .code = r->code, .info = r->un.raw,
				       .from = h + 8, .iif = IP6CB(skb)->iif, .hop_limit = h[7] };
	struct icmp6_echo_sock *sk;

	if (err->protocol != IPPROTO_ICMPV6 || err->l4_len < 8 || err->l4[0] != ICMPV6_ECHO_REQUEST)
		return;
	sk = icmp6_echo_find(skb->stack->ipv6, get_be16(err->l4 + 4));
	ev.seq = get_be16(err->l4 + 6);
	if (sk)
		sk->rcv(sk, &ev);
}

/* RFC 4443 2.4(e): is the packet one we may complain about? */
static bool icmp6_error_allowed(struct sk_buff *skb_in, uint8_t type, uint8_t code)
{
	struct ns_stack *stack = skb_in->stack;
	const uint8_t *h = ipv6_hdr(skb_in);
	unsigned int avail = (unsigned int)(skb_tail_pointer(skb_in) - h);
	struct ipv6_ext_info info;

	if (avail < IPV6_HLEN)
		return false;
	/* (e.3) not to multicast destinations, except PTB and option code 2;
	 * (e.4/e.5) not to link-layer multicast/broadcast frames, same rule */
	if ((ipv6_addr_is_multicast(h + 24) || skb_in->pkt_type != PACKET_HOST) &&
	    !(type == ICMPV6_PKT_TOOBIG || (type == ICMPV6_PARAMPROB && code == ICMPV6_UNK_OPTION)))
		return false;
	/* (e.6) a source that does not identify a single node */
	if (ipv6_addr_any(h + 8) || ipv6_addr_is_multicast(h + 8))
		return false;
	/* (e.1/e.2) never about an ICMPv6 error or a redirect */
	if (ipv6_ext_walk(h + IPV6_HLEN, avail - IPV6_HLEN, h[6], 16, 4096, &info) == 0 &&
	    info.proto == IPPROTO_ICMPV6 && !info.frag_off &&
	    IPV6_HLEN + info.offset < avail) {
		uint8_t t = h[IPV6_HLEN + info.offset];

		if (icmpv6_is_error(t) || t == NDISC_REDIRECT)
			return false;
	}
	(void)stack;
	return true;
}

void icmp6_send(struct sk_buff *skb_in, uint8_t type, uint8_t code, uint32_t info)
{
	struct ns_stack *stack = skb_in->stack;
	const uint8_t *h = ipv6_hdr(skb_in);
	unsigned int avail = (unsigned int)(skb_tail_pointer(skb_in) - h);
	struct net_device *in = skb_in->dev;
	struct flowi6 fl6 = { .proto = IPPROTO_ICMPV6 };
	struct icmpv6_repr r = { .type = type, .code = code, .un.raw = info };
	size_t max;

	if (!stack->ipv6 || !icmp6_error_allowed(skb_in, type, code))
		return;
	memcpy(fl6.daddr, h + 8, 16);
	/* our address when the packet was for us, else source selection */
	if (!ipv6_addr_is_multicast(h + 24) && ipv6_chk_addr(stack, h + 24, NULL))
		memcpy(fl6.saddr, h + 24, 16);
	if (ipv6_addr_is_linklocal(fl6.daddr) && in)
		fl6.oif = in->ifindex;
	if (!icmpv6_xrlim_allow(stack, type, fl6.daddr, NULL))
		return;
	/* 2.4(c): as much of the invoking packet as fits in the minimum MTU */
	max = IPV6_MIN_MTU - IPV6_HLEN - ICMPV6_HLEN;
	r.data = h;
	r.data_len = avail < max ? avail : max;
	icmp6_push(stack, &r, &fl6);
}

/* ---- receiving ---------------------------------------------------------------------------- */
static void icmpv6_echo_reply(struct sk_buff *skb, const struct icmpv6_repr *req)
{
	struct ns_stack *stack = skb->stack;
	const uint8_t *h = ipv6_hdr(skb);
	struct flowi6 fl6 = { .proto = IPPROTO_ICMPV6 };
	struct icmpv6_repr r = *req;

	if (stack->ipv6->sysctl_icmp_echo_ignore_all)
		return;
	memcpy(fl6.daddr, h + 8, 16);
	/* a reply to a multicast echo comes from one of our unicast addresses */
	if (!ipv6_addr_is_multicast(h + 24))
		memcpy(fl6.saddr, h + 24, 16);
	if ((ipv6_addr_is_linklocal(fl6.daddr) || ipv6_addr_is_multicast(h + 24)) && skb->dev)
		fl6.oif = skb->dev->ifindex;
	fl6.tclass = (uint8_t)((get_be32(h) >> 20) & 0xff);
	r.type = ICMPV6_ECHO_REPLY;
	icmp6_push(stack, &r, &fl6);
}

/* An error about one of our packets: PMTU, then the transport (RFC 4443 3). */
static void icmpv6_notify(struct sk_buff *skb, const struct icmpv6_repr *r)
{
	struct ns_stack *stack = skb->stack;
	const uint8_t *q = r->data;
	struct ipv6_ext_info info;
	struct inet6_err_info err = { .type = r->type, .code = r->code, .info = r->un.raw };
	const struct inet6_protocol *prot;

	if (r->data_len < IPV6_HLEN + 8 || (q[0] >> 4) != 6)
		return;
	if (r->type == ICMPV6_PKT_TOOBIG) {
		/* RFC 8201 4: below 1280 is taken as 1280 */
		ip6_pmtu_update(stack, q + 24, r->un.mtu);
	}
	if (ipv6_ext_walk(q + IPV6_HLEN, r->data_len - IPV6_HLEN, q[6], 8, 2048, &info) < 0 ||
	    info.frag_off || IPV6_HLEN + info.offset + 8 > r->data_len)
		return;
	err.saddr = q + 8;
	err.daddr = q + 24;
	err.protocol = info.proto;
	err.l4 = q + IPV6_HLEN + info.offset;
	err.l4_len = (unsigned int)(r->data_len - IPV6_HLEN - info.offset);
	icmpv6_echo_err(skb, r, &err);
	prot = stack->ipv6->protos[info.proto];
	if (prot && prot->err_handler)
		prot->err_handler(stack, &err);
}

static int icmpv6_rcv(struct sk_buff *skb)
{
	struct ns_stack *stack = skb->stack;
	struct icmp6_mib *m = &stack->ipv6->icmp;
	const uint8_t *h = ipv6_hdr(skb);
	struct icmpv6_repr r;
	int rc;

	m->in_msgs++;
	rc = icmpv6_parse(skb->data, skb->len, h + 8, h + 24, 0, &r);
	if (rc < 0) {
		if (rc == WIRE_EBADCSUM)
			m->in_csum_errors++;
		m->in_errors++;
		kfree_skb_reason(skb, rc == WIRE_EBADCSUM ? SKB_DROP_REASON_CSUM
							  : SKB_DROP_REASON_PKT_TOO_SMALL);
		return 0;
	}
	m->in_type[r.type]++;
	switch (r.type) {
	case ICMPV6_ECHO_REQUEST:
		icmpv6_echo_reply(skb, &r);
		break;
	case ICMPV6_MGM_QUERY:
		ipv6_mld_query_rcv(skb, &r);
		break;
	case ICMPV6_ECHO_REPLY:
		icmpv6_echo_reply_rcv(skb, &r);
		break;
	case ICMPV6_MGM_REPORT:
	case ICMPV6_MGM_REDUCTION:
	case ICMPV6_MLD2_REPORT:
		break;	/* not a querier: seen and counted */
	case ICMPV6_DEST_UNREACH:
	case ICMPV6_PKT_TOOBIG:
	case ICMPV6_TIME_EXCEED:
	case ICMPV6_PARAMPROB:
		icmpv6_notify(skb, &r);
		break;
	case NDISC_ROUTER_SOLICITATION:
	case NDISC_ROUTER_ADVERTISEMENT:
	case NDISC_NEIGHBOUR_SOLICITATION:
	case NDISC_NEIGHBOUR_ADVERTISEMENT:
	case NDISC_REDIRECT:
		return ndisc_rcv(skb, r.type);
	default:
		/* RFC 4443 2.4(b): unknown informational messages are dropped;
		 * unknown errors go to the transport */
		if (icmpv6_is_error(r.type))
			icmpv6_notify(skb, &r);
		break;
	}
	consume_skb(skb);
	return 0;
}

static const struct inet6_protocol icmpv6_protocol = {
	.handler = icmpv6_rcv,
};

/* ---- /proc/net/snmp6 Icmp6 lines (Linux's snmp6_seq_show_icmpv6msg) ------------------ */
static const char *const icmp6type2name[256] = {
	[ICMPV6_DEST_UNREACH] = "DestUnreachs",
	[ICMPV6_PKT_TOOBIG] = "PktTooBigs",
	[ICMPV6_TIME_EXCEED] = "TimeExcds",
	[ICMPV6_PARAMPROB] = "ParmProblems",
	[ICMPV6_ECHO_REQUEST] = "Echos",
	[ICMPV6_ECHO_REPLY] = "EchoReplies",
	[ICMPV6_MGM_QUERY] = "GroupMembQueries",
	[ICMPV6_MGM_REPORT] = "GroupMembResponses",
	[ICMPV6_MGM_REDUCTION] = "GroupMembReductions",
	[ICMPV6_MLD2_REPORT] = "MLDv2Reports",
	[NDISC_ROUTER_SOLICITATION] = "RouterSolicits",
	[NDISC_ROUTER_ADVERTISEMENT] = "RouterAdvertisements",
	[NDISC_NEIGHBOUR_SOLICITATION] = "NeighborSolicits",
	[NDISC_NEIGHBOUR_ADVERTISEMENT] = "NeighborAdvertisements",
	[NDISC_REDIRECT] = "Redirects",
};

static void snmp6_line(struct seq_buf *s, const char *name, uint64_t v)
{
	seq_printf(s, "%-32s%llu\n", name, (unsigned long long)v);
}

void icmp6_snmp_show(struct ns_stack *stack, struct seq_buf *s)
{
	struct icmp6_mib *m = &stack->ipv6->icmp;
	char name[64];

	snmp6_line(s, "Icmp6InMsgs", m->in_msgs);
	snmp6_line(s, "Icmp6InErrors", m->in_errors);
	snmp6_line(s, "Icmp6OutMsgs", m->out_msgs);
	snmp6_line(s, "Icmp6OutErrors", m->out_errors);
	snmp6_line(s, "Icmp6InCsumErrors", m->in_csum_errors);
	snmp6_line(s, "Icmp6OutRateLimitHost", m->out_ratelimit_host);
	for (int i = 0; i < 512; i++) {
		int type = i & 0xff;
		bool out = i & 0x100;
		uint64_t v = out ? m->out_type[type] : m->in_type[type];

		if (!v)
			continue;
		if (icmp6type2name[type])
			snprintf(name, sizeof(name), "Icmp6%s%s", out ? "Out" : "In", icmp6type2name[type]);
		else
			snprintf(name, sizeof(name), "Icmp6%sType%u", out ? "Out" : "In", (unsigned int)type);
		snmp6_line(s, name, v);
	}
}

int icmpv6_init(struct ns_stack *stack)
{
	return inet6_add_protocol(stack, &icmpv6_protocol, IPPROTO_ICMPV6);
}
