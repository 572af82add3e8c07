/* icmp.c - RFC 792 ICMP with the RFC 1122 3.2.2 rules (Linux's
 * net/ipv4/icmp.c): echo and timestamp replies, errors about our own
 * datagrams handed to the transport's err_handler (frag-needed also feeds
 * the PMTU cache, RFC 1191), icmp_send for errors with Linux's rate limits
 * (a global token bucket icmp_msgs_per_sec/icmp_msgs_burst, and a
 * per-destination one of icmp_ratelimit ms for the types in
 * icmp_ratemask), and the Icmp/IcmpMsg lines of /proc/net/snmp. */
#include <errno.h>
#include <string.h>

#include "core/proc.h"
#include "ethernet/eth.h"
#include "ipv4/netns_ipv4.h"
#include "ipv4/route.h"
#include "wire/checksum.h"
#include "wire/icmp.h"

#define NS_PER_MS 1000000ULL
#define NR_ICMP_TYPES 18
#define XRLIM_BURST_FACTOR 6
#define IPTOS_TOS_MASK 0x1e
#define IPTOS_PREC_INTERNETCONTROL 0xc0
#define ICMP_ERR_ROOM (576 - IPV4_HLEN_MIN - ICMP_HLEN)	/* RFC 1812 4.3.2.3 */

/* ---- rate limiting ---------------------------------------------------------------- */
/* icmpv4_mask_allow: types outside icmp_ratemask (and frag-needed, which
 * PMTU discovery needs) are never limited. */
static bool icmpv4_mask_allow(struct netns_ipv4 *ip, uint8_t type, uint8_t code)
{
	if (type > NR_ICMP_TYPES)
		return true;
	if (!((1u << type) & (unsigned int)ip->sysctl_icmp_ratemask))
		return true;
	return type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED;
}

/* icmp_global_allow: credit refilled at icmp_msgs_per_sec, capped at burst */
static bool icmp_global_allow(struct ns_stack *stack)
{
	struct netns_ipv4 *ip = stack->ipv4;
	uint64_t now = ns_now(stack), delta = now - ip->icmp_global_stamp;

	if (delta > 1000 * NS_PER_MS)
		delta = 1000 * NS_PER_MS;
	if (delta >= 20 * NS_PER_MS) {	/* HZ/50 */
		uint64_t incr = (uint64_t)ip->sysctl_icmp_msgs_per_sec * delta / (1000 * NS_PER_MS);

		if (incr) {
			ip->icmp_global_credit = NS_MIN(ip->icmp_global_credit + incr,
							(uint64_t)ip->sysctl_icmp_msgs_burst);
			ip->icmp_global_stamp = now;
		}
	}
	if (!ip->icmp_global_credit)
		return false;
	ip->icmp_global_credit--;
	return true;
}

static struct icmp_peer *icmp_peer_get(struct netns_ipv4 *ip, uint32_t daddr, uint64_t now)
{
	unsigned int b = ((daddr * 0x9e3779b1u) >> 24) & (ICMP_PEER_SLOTS - 1) & ~3u;
	struct icmp_peer *victim = &ip->icmp_peers[b];

	for (unsigned int i = 0; i < 4; i++) {
		struct icmp_peer *p = &ip->icmp_peers[b + i];

		if (p->used && p->daddr == daddr)
			return p;
		if (p->used < victim->used)
			victim = p;
	}
	/* a new peer starts with a full bucket (Linux: rate_last = now - 60 s) */
	victim->daddr = daddr;
	victim->rate_tokens = UINT64_MAX / 4;
	victim->rate_last = now;
	victim->used = now | 1;
	return victim;
}

/* inet_peer_xrlim_allow: a token every icmp_ratelimit, burst of 6 */
static bool icmpv4_xrlim_allow(struct ns_stack *stack, uint32_t daddr, struct net_device *out)
{
	struct netns_ipv4 *ip = stack->ipv4;
	uint64_t now = ns_now(stack), timeout = (uint64_t)ip->sysctl_icmp_ratelimit * NS_PER_MS;
	struct icmp_peer *p;

	if (!timeout || (out && (out->flags & IFF_LOOPBACK)))
		return true;
	p = icmp_peer_get(ip, daddr, now);
	p->used = now | 1;
	p->rate_tokens += now - p->rate_last;
	p->rate_last = now;
	if (p->rate_tokens > XRLIM_BURST_FACTOR * timeout)
		p->rate_tokens = XRLIM_BURST_FACTOR * timeout;
	if (p->rate_tokens >= timeout) {
		p->rate_tokens -= timeout;
		return true;
	}
	return false;
}

/* ---- sending ------------------------------------------------------------------------ */
static int icmp_push(struct ns_stack *stack, const struct icmp_repr *r, struct flowi4 *fl4)
{
	struct sk_buff *skb = alloc_skb_tx(stack, (unsigned int)(ICMP_HLEN + r->data_len));
	uint8_t *p;
	int rc;

	if (!skb) {
		stack->ipv4->icmp.out_errors++;
		return -ENOBUFS;
	}
	p = skb_put(skb, (unsigned int)(ICMP_HLEN + r->data_len));
	icmp_emit(r, p, ICMP_HLEN + r->data_len);
	fl4->proto = IPPROTO_ICMP;
	stack->ipv4->icmp.out_msgs++;
	stack->ipv4->icmp.out_type[r->type]++;
	rc = ip_send_skb4(stack, skb, fl4);
	if (rc)
		stack->ipv4->icmp.out_errors++;
	return rc;
}

static bool icmp_source_unicast(struct ns_stack *stack, uint32_t saddr)
{
	return saddr && !ipv4_is_multicast(saddr) && !ipv4_is_lbcast(saddr) &&
	       inet_addr_type(stack, saddr) != RTN_BROADCAST;
}

/* RFC 1122 3.2.2: when an ICMP error must not be sent */
static bool icmp_error_allowed(struct sk_buff *skb_in, const uint8_t *iph, unsigned int avail,
			       uint8_t type)
{
	struct ns_stack *stack = skb_in->stack;
	unsigned int ihl = (iph[0] & 15) * 4;
	uint32_t saddr = get_be32(iph + 12), daddr = get_be32(iph + 16);
	uint8_t rt = IPCB(skb_in)->rt_type;

	if (rt == RTN_BROADCAST || rt == RTN_MULTICAST || skb_in->pkt_type != PACKET_HOST)
		return false;
	if (ipv4_is_multicast(daddr) || ipv4_is_lbcast(daddr))
		return false;
	if (get_be16(iph + 6) & IP_OFFSET)	/* only about fragment zero */
		return false;
	if (!icmp_source_unicast(stack, saddr))
		return false;
	if (icmp_is_error(type) && iph[9] == IPPROTO_ICMP) {
		/* never an error about an error (or an unknown type) */
		if (avail < ihl + 1)
			return false;
		if (iph[ihl] > NR_ICMP_TYPES || icmp_is_error(iph[ihl]))
			return false;
	}
	return true;
}

void icmp_send(struct sk_buff *skb_in, uint8_t type, uint8_t code, uint32_t info)
{
	struct ns_stack *stack = skb_in->stack;
	struct netns_ipv4 *ip = stack->ipv4;
	const uint8_t *iph;
	struct icmp_repr r = { .type = type, .code = code };
	struct ip_route_result res;
	struct flowi4 fl4 = { 0 };
	unsigned int avail, ihl;

	if (!ip || skb_in->network_header == SKB_HDR_UNSET)
		return;
	iph = skb_network_header(skb_in);
	if (iph < skb_in->head || iph + IPV4_HLEN_MIN > skb_tail_pointer(skb_in))
		return;
	avail = (unsigned int)(skb_tail_pointer(skb_in) - iph);
	ihl = (iph[0] & 15) * 4;
	if (ihl < IPV4_HLEN_MIN || ihl > avail)
		return;
	avail = NS_MIN(avail, (unsigned int)get_be16(iph + 2));
	if (avail < ihl || !icmp_error_allowed(skb_in, iph, avail, type))
		return;
	if (!icmpv4_mask_allow(ip, type, code) && !icmp_global_allow(stack)) {
		ip->icmp.out_ratelimit_global++;
		return;
	}
	fl4.daddr = get_be32(iph + 12);
	/* the source: the address the datagram was sent to if it is ours */
	if (inet_addr_type(stack, get_be32(iph + 16)) == RTN_LOCAL) {
		fl4.saddr = get_be32(iph + 16);
	} else if (ip->sysctl_icmp_errors_use_inbound_ifaddr && IPCB(skb_in)->iif) {
		struct net_device *in = dev_get_by_index(stack, IPCB(skb_in)->iif);

		if (in)
			fl4.saddr = inet_select_addr(in, 0, RT_SCOPE_LINK);
	}
	fl4.tos = (iph[1] & IPTOS_TOS_MASK) | IPTOS_PREC_INTERNETCONTROL;
	{
		struct flowi4 probe = fl4;

		if (ip_route_output(stack, &probe, &res))
			return;
	}
	if (!icmpv4_mask_allow(ip, type, code) && !icmpv4_xrlim_allow(stack, fl4.daddr, res.dev)) {
		ip->icmp.out_ratelimit_host++;
		return;
	}
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		r.un.mtu = (uint16_t)info;
	else if (type == ICMP_PARAMETERPROB)
		r.un.pointer = (uint8_t)info;
	else if (type == ICMP_REDIRECT)
		r.un.gateway = info;
	else
		r.un.raw = 0;
	r.data = iph;
	r.data_len = NS_MIN(avail, (unsigned int)ICMP_ERR_ROOM);
	icmp_push(stack, &r, &fl4);
}

/* ---- receiving ------------------------------------------------------------------------ */
static void icmp_reply(struct sk_buff *skb, struct icmp_repr *r)
{
	struct ns_stack *stack = skb->stack;
	struct inet_skb_parm *cb = IPCB(skb);
	struct flowi4 fl4 = { .daddr = cb->saddr, .tos = cb->tos };

	if (cb->rt_type == RTN_LOCAL)
		fl4.saddr = cb->daddr;
	if (!icmp_source_unicast(stack, cb->saddr))
		return;
	icmp_push(stack, r, &fl4);
}

/* RFC 792 echo: the reply carries the request's identifier, sequence and data */
static void icmp_echo(struct sk_buff *skb, const struct icmp_repr *req)
{
	struct netns_ipv4 *ip = skb->stack->ipv4;
	struct icmp_repr r = *req;

	if (ip->sysctl_icmp_echo_ignore_all)
		return;
	r.type = ICMP_ECHOREPLY;
	icmp_reply(skb, &r);
}

/* RFC 792 timestamp: milliseconds since midnight UT (the stack clock here) */
static void icmp_timestamp(struct sk_buff *skb, const struct icmp_repr *req)
{
	uint8_t data[12];
	uint32_t ms = (uint32_t)((ns_now(skb->stack) / NS_PER_MS) % 86400000ULL);
	struct icmp_repr r = *req;

	if (req->data_len < 4)
		return;
	memcpy(data, req->data, 4);
	put_be32(data + 4, ms);
	put_be32(data + 8, ms);
	r.type = ICMP_TIMESTAMPREPLY;
	r.data = data;
	r.data_len = 12;
	icmp_reply(skb, &r);
}

/* ---- echo clients ------------------------------------------------------------------- */
static struct icmp_echo_sock *icmp_echo_find(struct netns_ipv4 *ip, uint16_t id)
{
	return idtable_find(&ip->echo_socks, id);
}

int icmp_echo_register(struct ns_stack *stack, struct icmp_echo_sock *sk)
{
	return idtable_add(&stack->ipv4->echo_socks, stack, sk, &sk->id);
}

void icmp_echo_unregister(struct ns_stack *stack, struct icmp_echo_sock *sk)
{
	idtable_del(&stack->ipv4->echo_socks, sk);
}

static void icmp_echo_reply_rcv(struct sk_buff *skb, const struct icmp_repr *r)
{
	struct icmp_echo_sock *sk = icmp_echo_find(skb->stack->ipv4, r->un.echo.id);
	struct icmp_echo_event ev = { .type = r->type, .seq = r->un.echo.seq,
				      .from = IPCB(skb)->saddr, .ttl = IPCB(skb)->ttl,
				      .data = r->data, .len = r->data_len };

	if (sk)
		sk->rcv(sk, &ev);
}

/* An error quoting one of our echo requests (RFC 792: the quote holds the
 * request's 8-byte header, so its id and sequence). */
static void icmp_echo_err(struct sk_buff *skb, const struct icmp_repr *r,
			  const struct icmp_err_info *err)
{
	struct icmp_echo_sock *sk;
	struct icmp_echo_event ev = { .type = r->type, .code = r->code, .info = err->info,
				      .from = IPCB(skb)->saddr, .ttl = IPCB(skb)->ttl };

	if (err->protocol != IPPROTO_ICMP || err->l4_len < 8 || err->l4[0] != ICMP_ECHO)
		return;
	sk = icmp_echo_find(skb->stack->ipv4, get_be16(err->l4 + 4));
	ev.seq = get_be16(err->l4 + 6);
	if (sk)
		sk->rcv(sk, &ev);
}

/* An error about one of our datagrams: tell its transport (RFC 1122 3.2.2). */
static void icmp_unreach(struct sk_buff *skb, const struct icmp_repr *r)
{
	struct ns_stack *stack = skb->stack;
	struct netns_ipv4 *ip = stack->ipv4;
	struct icmp_err_info err = { .type = r->type, .code = r->code };
	const struct net_protocol *prot;
	struct ipv4_repr inner;
	const uint8_t *l4;
	size_t l4_len;

	if (icmp_parse_inner(r, &inner, &l4, &l4_len) < 0) {
		ip->icmp.in_errors++;
		return;
	}
	if (r->type == ICMP_DEST_UNREACH && r->code == ICMP_FRAG_NEEDED) {
		err.info = r->un.mtu;
		if (r->un.mtu)
			ip_rt_update_pmtu(stack, inner.daddr, r->un.mtu);
	} else if (r->type == ICMP_PARAMETERPROB) {
		err.info = r->un.pointer;
	}
	err.saddr = inner.saddr;
	err.daddr = inner.daddr;
	err.from = IPCB(skb)->saddr;
	err.protocol = inner.protocol;
	err.l4 = l4;
	err.l4_len = (unsigned int)l4_len;
	icmp_echo_err(skb, r, &err);
	prot = ip->protos[inner.protocol];
	if (prot && prot->err_handler)
		prot->err_handler(stack, &err);
}

static int icmp_rcv(struct sk_buff *skb)
{
	struct ns_stack *stack = skb->stack;
	struct netns_ipv4 *ip = stack->ipv4;
	uint8_t rt = IPCB(skb)->rt_type;
	struct icmp_repr r;
	int rc;

	ip->icmp.in_msgs++;
	rc = icmp_parse(skb->data, skb->len, 0, &r);
	if (rc < 0) {
		if (rc == WIRE_EBADCSUM)
			ip->icmp.in_csum_errors++;
		ip->icmp.in_errors++;
		kfree_skb_reason(skb, rc == WIRE_EBADCSUM ? SKB_DROP_REASON_CSUM
							  : SKB_DROP_REASON_PKT_TOO_SMALL);
		return 0;
	}
	ip->icmp.in_type[r.type]++;
	if (rt == RTN_BROADCAST || rt == RTN_MULTICAST) {
		/* RFC 1122 3.2.2.6: echo to broadcast may be ignored (Linux's default) */
		if ((r.type == ICMP_ECHO || r.type == ICMP_TIMESTAMP) &&
		    ip->sysctl_icmp_echo_ignore_broadcasts) {
			kfree_skb_reason(skb, SKB_DROP_REASON_ICMP_ECHO_IGNORED);
			return 0;
		}
		if (r.type != ICMP_ECHO && r.type != ICMP_TIMESTAMP) {
			kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED);
			return 0;
		}
	}
	switch (r.type) {
	case ICMP_ECHO:
		icmp_echo(skb, &r);
		break;
	case ICMP_TIMESTAMP:
		icmp_timestamp(skb, &r);
		break;
	case ICMP_ECHOREPLY:
		icmp_echo_reply_rcv(skb, &r);
		break;
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
	case ICMP_SOURCE_QUENCH:
	case ICMP_REDIRECT:
		icmp_unreach(skb, &r);
		break;
	default:
		break;
	}
	consume_skb(skb);
	return 0;
}

static const struct net_protocol icmp_protocol = {
	.handler = icmp_rcv,
};

/* ---- /proc/net/snmp (icmp_put, icmpmsg_put) ----------------------------------------- */
static const struct { const char *name; uint8_t type; } icmpmibmap[] = {
	{ "DestUnreachs", ICMP_DEST_UNREACH }, { "TimeExcds", ICMP_TIME_EXCEEDED },
	{ "ParmProbs", ICMP_PARAMETERPROB }, { "SrcQuenchs", ICMP_SOURCE_QUENCH },
	{ "Redirects", ICMP_REDIRECT }, { "Echos", ICMP_ECHO }, { "EchoReps", ICMP_ECHOREPLY },
	{ "Timestamps", ICMP_TIMESTAMP }, { "TimestampReps", ICMP_TIMESTAMPREPLY },
	{ "AddrMasks", 17 }, { "AddrMaskReps", 18 },
};

static void icmpmsg_put(const struct icmp_mib *m, struct seq_buf *s)
{
	unsigned int idx[512], n = 0;

	for (unsigned int i = 0; i < 512; i++) {
		uint64_t v = i < 256 ? m->in_type[i] : m->out_type[i - 256];

		if (v)
			idx[n++] = i;
	}
	/* Linux prints pairs of lines of at most 16 counters */
	for (unsigned int start = 0; start < n; start += 16) {
		unsigned int end = NS_MIN(n, start + 16);

		seq_puts(s, "IcmpMsg:");
		for (unsigned int j = start; j < end; j++)
			seq_printf(s, " %sType%u", idx[j] >= 256 ? "Out" : "In", idx[j] & 0xff);
		seq_puts(s, "\nIcmpMsg:");
		for (unsigned int j = start; j < end; j++)
			seq_printf(s, " %llu", (unsigned long long)(idx[j] < 256 ? m->in_type[idx[j]]
								       : m->out_type[idx[j] - 256]));
		seq_putc(s, '\n');
	}
}

void icmp_proc_show(struct ns_stack *stack, struct seq_buf *s)
{
	const struct icmp_mib *m = &stack->ipv4->icmp;

	seq_puts(s, "Icmp: InMsgs InErrors InCsumErrors");
	for (size_t i = 0; i < ARRAY_SIZE(icmpmibmap); i++)
		seq_printf(s, " In%s", icmpmibmap[i].name);
	seq_puts(s, " OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost");
	for (size_t i = 0; i < ARRAY_SIZE(icmpmibmap); i++)
		seq_printf(s, " Out%s", icmpmibmap[i].name);
	seq_printf(s, "\nIcmp: %llu %llu %llu", (unsigned long long)m->in_msgs,
		   (unsigned long long)m->in_errors, (unsigned long long)m->in_csum_errors);
	for (size_t i = 0; i < ARRAY_SIZE(icmpmibmap); i++)
		seq_printf(s, " %llu", (unsigned long long)m->in_type[icmpmibmap[i].type]);
	seq_printf(s, " %llu %llu %llu %llu", (unsigned long long)m->out_msgs,
		   (unsigned long long)m->out_errors, (unsigned long long)m->out_ratelimit_global,
		   (unsigned long long)m->out_ratelimit_host);
	for (size_t i = 0; i < ARRAY_SIZE(icmpmibmap); i++)
		seq_printf(s, " %llu", (unsigned long long)m->out_type[icmpmibmap[i].type]);
	seq_putc(s, '\n');
	icmpmsg_put(m, s);
}

int icmp_init(struct ns_stack *stack)
{
	struct netns_ipv4 *ip = stack->ipv4;
	int rc = 0;

	ip->sysctl_icmp_echo_ignore_all = 0;
	ip->sysctl_icmp_echo_ignore_broadcasts = 1;
	ip->sysctl_icmp_ignore_bogus_error_responses = 1;
	ip->sysctl_icmp_ratelimit = 1000;
	ip->sysctl_icmp_ratemask = 6168;
	ip->sysctl_icmp_msgs_per_sec = 1000;
	ip->sysctl_icmp_msgs_burst = 50;
	ip->icmp_global_credit = 50;
	ip->icmp_global_stamp = ns_now(stack);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/icmp_echo_ignore_all",
			      &ip->sysctl_icmp_echo_ignore_all, 0, 1);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/icmp_echo_ignore_broadcasts",
			      &ip->sysctl_icmp_echo_ignore_broadcasts, 0, 1);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/icmp_ignore_bogus_error_responses",
			      &ip->sysctl_icmp_ignore_bogus_error_responses, 0, 1);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/icmp_errors_use_inbound_ifaddr",
			      &ip->sysctl_icmp_errors_use_inbound_ifaddr, 0, 1);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/icmp_ratelimit",
			      &ip->sysctl_icmp_ratelimit, 0, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/icmp_ratemask",
			      &ip->sysctl_icmp_ratemask, 0, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/icmp_msgs_per_sec",
			      &ip->sysctl_icmp_msgs_per_sec, 0, 0x7fffffff);
	rc |= proc_create_int(stack, "/proc/sys/net/ipv4/icmp_msgs_burst",
			      &ip->sysctl_icmp_msgs_burst, 0, 0x7fffffff);
	rc |= inet_add_protocol(stack, &icmp_protocol, IPPROTO_ICMP);
	return rc ? -ENOMEM : 0;
}
