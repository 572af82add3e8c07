/* tcp_ipv6.c - TCP over IPv6 (Linux's net/ipv6/tcp_ipv6.c): the IPv6
 * struct tcp_af_ops (segments checksummed over the IPv6 pseudo-header,
 * RFC 8200 8.1, and sent with ip6_xmit; MSS = path MTU - 60; RFC 6528 ISNs
 * and RFC 4987 SYN cookies over the IPv6 4-tuple), tcp_v6_rcv in IPv6's
 * protocol table, RSTs for segments without a connection (RFC 9293
 * 3.10.7.1), ICMPv6 errors (RFC 4443 3.1/3.2, RFC 8201 PMTUD), AF_INET6
 * SOCK_STREAM sockets (sockaddr_in6, scope ids for link-local addresses,
 * RFC 4007 6) and /proc/net/tcp6.
 *
 * Dual stack (RFC 3493 3.7, RFC 4291 2.5.5.2): a socket without
 * IPV6_V6ONLY takes IPv4 connections as ::ffff:a.b.c.d (tcp_ipv4.c's
 * listener lookup finds it; the child is an IPv4 connection with
 * tcp_ipv4_ops, Linux's ipv6_mapped), and connect() to a v4-mapped
 * address goes the IPv4 way. Everything else is tcp*.c's. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "core/proc.h"
#include "ipv4/tcp.h"
#include "ipv4/tcp_minisocks.h"
#include "ipv6/netns_ipv6.h"
#include "wire/checksum.h"
#include "wire/icmpv6.h"

static const struct tcp_af_ops tcp_ipv6_ops;

static void v4mapped(uint8_t out[16], uint32_t a)
{
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	put_be32(out + 12, a);
}

/* ---- output ------------------------------------------------------------------------------ */
static void tcp_v6_flow(const struct tcp_sock *tp, struct flowi6 *fl6)
{
	const struct sock *sk = &tp->inet.sk;

	memset(fl6, 0, sizeof(*fl6));
	memcpy(fl6->daddr, tcp6_sk(tp)->v6_daddr, 16);
	memcpy(fl6->saddr, tcp6_sk(tp)->v6_saddr, 16);
	fl6->oif = sk->sk_bound_dev_if;
	fl6->proto = IPPROTO_TCP;
	fl6->hop_limit = tp->inet.uc_ttl > 0 ? (uint8_t)tp->inet.uc_ttl : 0;
	fl6->tclass = tp->inet.tos;
	fl6->mark = sk->sk_mark;
	/* RFC 8201: TCP resegments, the source never fragments its segments */
	fl6->flags = FLOWI6_F_DONTFRAG;
}

static int tcp_v6_route(struct tcp_sock *tp, struct ip_route_result *res)
{
	struct ip6_route_result r6;
	struct flowi6 fl6;
	int err;

	tcp_v6_flow(tp, &fl6);
	err = ip6_route_output(tp->inet.sk.sk_net, &fl6, &r6);
	if (err)
		return err;
	if (ipv6_addr_any(tcp6_sk(tp)->v6_saddr))
		memcpy(tcp6_sk(tp)->v6_saddr, fl6.saddr, 16);
	memset(res, 0, sizeof(*res));
	res->dev = r6.dev;
	res->mtu = r6.mtu;
	res->type = r6.type;
	return 0;
}

static void tcp_v6_send_check(const struct tcp_sock *tp, uint8_t *h, size_t len)
{
	put_be16(h + 16, (uint16_t)~csum_ipv6_magic(tcp6_sk(tp)->v6_saddr, tcp6_sk(tp)->v6_daddr,
						     (uint32_t)len, IPPROTO_TCP, 0));
}

static int tcp_v6_queue_xmit(struct tcp_sock *tp, struct sk_buff *s)
{
	struct flowi6 fl6;

	tcp_v6_flow(tp, &fl6);
	return ip6_queue_xmit(&tp->inet.sk, s, &fl6);
}

static void tcp_v6_req_flow(const struct request_sock *req, struct flowi6 *fl6)
{
	const struct tcp_sock *lp = req->listener;

	memset(fl6, 0, sizeof(*fl6));
	memcpy(fl6->daddr, req->raddr6, 16);
	memcpy(fl6->saddr, req->laddr6, 16);
	fl6->oif = ipv6_addr_is_linklocal(req->raddr6) ? req->iif : lp->inet.sk.sk_bound_dev_if;
	fl6->proto = IPPROTO_TCP;
	fl6->tclass = lp->inet.tos;
	fl6->mark = lp->inet.sk.sk_mark;
	fl6->flags = FLOWI6_F_DONTFRAG;
}

static unsigned int tcp_v6_req_mtu(struct request_sock *req, struct tcp_req_route *rt)
{
	struct ip6_route_result r6;
	struct flowi6 fl6;

	rt->ok = false;		/* tcp_v6_req_xmit routes again */
	tcp_v6_req_flow(req, &fl6);
	return ip6_route_output(req->listener->inet.sk.sk_net, &fl6, &r6) ? 0 : r6.mtu;
}

static int tcp_v6_req_xmit(struct request_sock *req, const struct tcp_repr *r, struct sk_buff *skb,
			   const struct tcp_req_route *rt)
{
	struct flowi6 fl6;

	(void)rt;	/* routed again here */
	if (tcp_emit_ipv6(r, skb->data, skb->len, req->laddr6, req->raddr6) < 0) {
		kfree_skb(skb);
		return -EINVAL;
	}
	skb_reset_transport_header(skb);
	tcp_v6_req_flow(req, &fl6);
	return ip6_xmit(req->listener->inet.sk.sk_net, skb, &fl6);
}

/* A bare segment from a's addresses (Linux's tcp_v6_send_response for
 * the TIME-WAIT ACK and resets). false: no memory, nothing sent. */
static bool tcp_v6_send_bare(struct ns_stack *stack, const struct tcp_addrs *a,
			     const struct tcp_repr *r)
{
	struct flowi6 fl6 = { .proto = IPPROTO_TCP };
	size_t len = tcp_hdr_len(r);
	struct sk_buff *skb = alloc_skb_tx(stack, (unsigned int)len);
	uint8_t *p;

	if (!skb)
		return false;
	p = skb_put(skb, (unsigned int)len);
	if (!p || tcp_emit_ipv6(r, p, len, a->laddr6, a->raddr6) < 0) {
		kfree_skb(skb);
		return false;
	}
	skb_reset_transport_header(skb);
	memcpy(fl6.daddr, a->raddr6, 16);
	memcpy(fl6.saddr, a->laddr6, 16);
	fl6.oif = a->iif;
	TCP_INC_STATS(stack->tcp, TCP_MIB_OUTSEGS);
	ip6_xmit(stack, skb, &fl6);
	return true;
}

/* RFC 9293 3.10.7.1 from a's addresses (Linux's tcp_v6_send_reset) */
static void tcp_v6_send_reset(struct ns_stack *stack, const struct tcp_addrs *a, uint16_t sport,
			      uint16_t dport, uint32_t seq, uint32_t ack, bool with_ack)
{
	struct tcp_repr r = { .sport = sport, .dport = dport, .seq = seq, .ack_seq = ack,
			      .flags = (uint8_t)(TCP_FLAG_RST | (with_ack ? TCP_FLAG_ACK : 0)) };

	if (tcp_v6_send_bare(stack, a, &r))
		TCP_INC_STATS(stack->tcp, TCP_MIB_OUTRSTS);
}

static void tcp_v6_send_reply(struct ns_stack *stack, const struct tcp_addrs *a,
			      const struct tcp_repr *r)
{
	tcp_v6_send_bare(stack, a, r);
}

/* ---- ISNs and cookies over the IPv6 4-tuple ----------------------------------------------- */
/* RFC 6528 3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey) */
static uint32_t tcp_v6_init_seq(struct netns_tcp *tn, const struct tcp_addrs *a, uint16_t lport,
				uint16_t rport, uint64_t now)
{
	uint64_t w[5];

	for (int i = 0; i < 2; i++) {
		w[i] = (uint64_t)get_be32(a->laddr6 + 8 * i) << 32 | get_be32(a->laddr6 + 8 * i + 4);
		w[2 + i] = (uint64_t)get_be32(a->raddr6 + 8 * i) << 32 |
			   get_be32(a->raddr6 + 8 * i + 4);
	}
	w[4] = (uint64_t)lport << 16 | rport;
	return (uint32_t)tcp_siphash(tn->secret, w, 5) + (uint32_t)(now / (4 * NS_PER_US));
}

static uint32_t cookie_v6_init_a(struct netns_tcp *tn, const struct tcp_addrs *a, uint16_t lport,
				 uint16_t rport, uint32_t seq, uint16_t *mss, uint64_t now)
{
	/* msstab entries the IPv6 MSS can reach (1440 for 1500) */
	return cookie_v6_init_sequence(tn, a->laddr6, a->raddr6, lport, rport, seq, mss, now);
}

static uint16_t cookie_v6_check_a(struct netns_tcp *tn, const struct tcp_addrs *a, uint16_t lport,
				  uint16_t rport, uint32_t seq, uint32_t cookie, uint64_t now)
{
	return cookie_v6_check(tn, a->laddr6, a->raddr6, lport, rport, seq, cookie, now);
}

static const struct tcp_af_ops tcp_ipv6_ops = {
	.family = AF_INET6,
	.net_header_len = 40,
	.min_mtu = 1280,
	.send_check = tcp_v6_send_check,
	.queue_xmit = tcp_v6_queue_xmit,
	.route = tcp_v6_route,
	.req_xmit = tcp_v6_req_xmit,
	.req_mtu = tcp_v6_req_mtu,
	.send_reset = tcp_v6_send_reset,
	.send_reply = tcp_v6_send_reply,
	.init_seq = tcp_v6_init_seq,
	.cookie_init_seq = cookie_v6_init_a,
	.cookie_check = cookie_v6_check_a,
};

/* ---- receive ------------------------------------------------------------------------------ */
static int tcp_v6_drop(struct netns_tcp *tn, struct sk_buff *skb, enum skb_drop_reason why)
{
	TCP_INC_STATS(tn, TCP_MIB_INERRS);
	kfree_skb_reason(skb, why);
	return 0;
}

static int tcp_v6_deliver(struct tcp_sock *tp, struct sk_buff *skb, const struct tcp_repr *th,
			  const struct tcp_options *opt, const struct tcp_addrs *a, uint32_t tw_isn,
			  bool listener)
{
	struct sock *sk = tp_sk(tp);
	int rc;

	sock_hold(sk);
	rc = listener ? tcp_listen_rcv(tp, skb, th, opt, a, tw_isn)
		      : tcp_rcv_state_process(tp, skb, th, opt);
	sock_put(sk);
	return rc;
}

/* inet6_protocol handler: skb->data at the TCP header, IP6CB filled. */
static int tcp_v6_rcv(struct sk_buff *skb)
{
	struct ns_stack *stack = skb->stack;
	struct netns_tcp *tn = stack->tcp;
	const uint8_t *saddr = ipv6_hdr(skb) + 8, *daddr = ipv6_hdr(skb) + 24;
	unsigned int flags = skb_csum_unnecessary(skb) ? TCP_PARSE_NO_CSUM : 0;
	struct tcp_addrs a = { .ops = &tcp_ipv6_ops, .iif = IP6CB(skb)->iif };
	struct tcp_repr th;
	struct tcp_options opt;
	struct tcp_timewait_sock *tw;
	struct tcp_sock *tp;
	uint32_t tw_isn = 0;
	int rc;

	/* no TCP to multicast (RFC 9293 3.9.1: unicast only) */
	if (IP6CB(skb)->rt_type != RTN_LOCAL || ipv6_addr_is_multicast(daddr)) {
		kfree_skb_reason(skb, SKB_DROP_REASON_OTHERHOST);
		return 0;
	}
	TCP_INC_STATS(tn, TCP_MIB_INSEGS);
	/* RFC 8200 8.1: the checksum covers the IPv6 pseudo-header */
	rc = tcp_parse_ipv6(skb->data, skb->len, saddr, daddr, flags, &th, NULL);
	if (rc == WIRE_EBADCSUM) {
		TCP_INC_STATS(tn, TCP_MIB_CSUMERRORS);
		return tcp_v6_drop(tn, skb, SKB_DROP_REASON_CSUM);
	}
	if (rc)
		return tcp_v6_drop(tn, skb, SKB_DROP_REASON_TCP_INVALID);
	(void)tcp_parse_options(th.opts ? th.opts : skb->data, th.opts_len, &opt);
	if (!th.sport || !th.dport || ipv6_addr_v4mapped(saddr) ||
	    (ipv6_addr_equal(saddr, daddr) && th.sport == th.dport &&
	     !(skb->dev->flags & IFF_LOOPBACK)))
		return tcp_v6_drop(tn, skb, SKB_DROP_REASON_TCP_INVALID);
	skb_reset_transport_header(skb);
	memcpy(a.laddr6, daddr, 16);
	memcpy(a.raddr6, saddr, 16);
	tp = tcp_ehash_lookup6(tn, daddr, th.dport, saddr, th.sport);
	if (!tp && tn->tw_count &&
	    (tw = tcp_tw_lookup6(tn, tcp_hash6(tn, daddr, th.dport, saddr, th.sport), daddr,
				 th.dport, saddr, th.sport))) {
		/* Linux's do_time_wait */
		switch (tcp_timewait_state_process(tw, &th, &opt, &tw_isn)) {
		case TCP_TW_SYN:
			tp = tcp_listener_lookup6(tn, daddr, th.dport, saddr, th.sport, a.iif);
			if (tp) {
				tcp_tw_kill(tw);	/* gives way to the new incarnation */
				return tcp_v6_deliver(tp, skb, &th, &opt, &a, tw_isn, true);
			}
			/* fallthrough */
		case TCP_TW_ACK:
			tcp_timewait_ack(tw);
			break;
		case TCP_TW_SUCCESS:
			break;
		}
		consume_skb(skb);
		return 0;
	}
	if (tp)
		return tcp_v6_deliver(tp, skb, &th, &opt, &a, 0, false);
	tp = tcp_listener_lookup6(tn, daddr, th.dport, saddr, th.sport, a.iif);
	if (tp)
		return tcp_v6_deliver(tp, skb, &th, &opt, &a, tw_isn, true);
	/* RFC 9293 3.10.7.1: CLOSED - a reset is sent in response */
	tcp_reset_reply(stack, &a, &th);
	kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
	return 0;
}

/* ---- ICMPv6 errors (RFC 4443, RFC 8201, RFC 5927) ------------------------------------------- */
/* Linux's icmpv6_err_convert: errno and whether it is a hard error */
static int tcp_v6_err_convert(uint8_t type, uint8_t code, bool *fatal)
{
	*fatal = false;
	switch (type) {
	case ICMPV6_DEST_UNREACH:
		switch (code) {
		case ICMPV6_NOROUTE:
			return ENETUNREACH;
		case ICMPV6_ADM_PROHIBITED:
			*fatal = true;
			return EACCES;
		case ICMPV6_PORT_UNREACH:
			*fatal = true;
			return ECONNREFUSED;
		default:
			return EHOSTUNREACH;
		}
	case ICMPV6_PARAMPROB:
		*fatal = true;
		return EPROTO;
	case ICMPV6_TIME_EXCEED:
		return EHOSTUNREACH;
	default:
		return 0;
	}
}

static void tcp_v6_err(struct ns_stack *stack, const struct inet6_err_info *e)
{
	struct netns_tcp *tn = stack->tcp;
	struct tcp_sock *tp;
	struct sock *sk;
	uint32_t seq;
	bool fatal;
	int err;

	if (!tn || e->l4_len < 8)
		return;
	tp = tcp_ehash_lookup6(tn, e->saddr, get_be16(e->l4), e->daddr, get_be16(e->l4 + 2));
	if (!tp)
		return;
	sk = tp_sk(tp);
	seq = get_be32(e->l4 + 4);
	/* RFC 5927 4.1: the quoted sequence number must be in flight */
	if (sk->sk_state != TCP_SYN_SENT && !between(seq, tp->snd_una, tp->snd_nxt))
		return;
	if (e->type == ICMPV6_PKT_TOOBIG) {
		/* RFC 8201 4: never below the IPv6 minimum link MTU */
		if (tp->inet.pmtudisc != IP_PMTUDISC_DONT)
			tcp_mtu_reduced(tp, NS_MAX(e->info, 1280U));
		return;
	}
	err = tcp_v6_err_convert(e->type, e->code, &fatal);
	if (err)
		tcp_err_apply(tp, err, fatal);
}

static const struct inet6_protocol tcpv6_protocol = {
	.handler = tcp_v6_rcv,
	.err_handler = tcp_v6_err,
};

/* ---- AF_INET6 socket calls ------------------------------------------------------------------ */
static int sin6_check(const struct sockaddr *uaddr, int addr_len)
{
	if (addr_len < (int)sizeof(struct sockaddr_in6))
		return -EINVAL;
	return uaddr->sa_family == AF_INET6 ? 0 : -EAFNOSUPPORT;
}

static int tcp_v6_init_sock(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	tp->af_ops = &tcp_ipv6_ops;
	tp->v6only = false;	/* net.ipv6.bindv6only = 0 */
	return tcp_prot.init(sk);
}

/* Linux's __inet6_bind */
static int tcp_v6_bind(struct sock *sk, const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)uaddr;
	struct tcp_sock *tp = tcp_sk(sk);
	const uint8_t *a;
	uint32_t a4 = 0;
	int err = sin6_check(uaddr, addr_len), old_if = sk->sk_bound_dev_if;

	if (err)
		return err;
	if (sk->sk_state != TCP_CLOSE || tp->inet.inet_num)
		return -EINVAL;
	a = sin6->sin6_addr.s6_addr;
	if (ipv6_addr_is_multicast(a))
		return -EINVAL;
	if (ipv6_addr_v4mapped(a)) {
		/* RFC 3493 5.3: an IPv6-only socket has no IPv4 address */
		a4 = get_be32(a + 12);
		if (tp->v6only)
			return -EINVAL;
		if (a4 && inet_addr_type(sk->sk_net, a4) != RTN_LOCAL)
			return -EADDRNOTAVAIL;
	} else if (!ipv6_addr_any(a)) {
		/* RFC 4007 6: a link-local address needs its zone */
		if (ipv6_addr_is_linklocal(a)) {
			if (!sin6->sin6_scope_id && !sk->sk_bound_dev_if)
				return -EINVAL;
			if (sin6->sin6_scope_id)
				sk->sk_bound_dev_if = (int)sin6->sin6_scope_id;
		}
		if (!ipv6_chk_addr(sk->sk_net, a, NULL) && !ipv6_addr_loopback(a)) {
			sk->sk_bound_dev_if = old_if;
			return -EADDRNOTAVAIL;
		}
	}
	memcpy(tcp6_sk(tp)->v6_rcv_saddr, a, 16);
	memcpy(tcp6_sk(tp)->v6_saddr, a, 16);
	tp->inet.inet_rcv_saddr = tp->inet.inet_saddr = a4;
	err = tcp_v4_get_port(sk, ntohs(sin6->sin6_port));
	if (err) {
		memset(tcp6_sk(tp)->v6_rcv_saddr, 0, 16);
		memset(tcp6_sk(tp)->v6_saddr, 0, 16);
		tp->inet.inet_rcv_saddr = tp->inet.inet_saddr = 0;
		sk->sk_bound_dev_if = old_if;
		return err;
	}
	if (!ipv6_addr_any(a))
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	if (sin6->sin6_port)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	return 0;
}

/* connect() to ::ffff:a.b.c.d: the IPv4 connection (Linux's ipv6_mapped) */
static int tcp_v6_connect_mapped(struct sock *sk, const struct sockaddr_in6 *sin6)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = sin6->sin6_port };
	int err;

	if (tp->v6only)
		return -ENETUNREACH;
	memcpy(&sin.sin_addr.s_addr, sin6->sin6_addr.s6_addr + 12, 4);
	tp->af_ops = &tcp_ipv4_ops;
	err = tcp_prot.connect(sk, (const struct sockaddr *)(const void *)&sin, sizeof(sin));
	if (err && err != -EINPROGRESS && sk->sk_state == TCP_CLOSE) {
		tp->af_ops = &tcp_ipv6_ops;
		return err;
	}
	v4mapped(tcp6_sk(tp)->v6_rcv_saddr, tp->inet.inet_rcv_saddr);
	v4mapped(tcp6_sk(tp)->v6_saddr, tp->inet.inet_saddr);
	v4mapped(tcp6_sk(tp)->v6_daddr, tp->inet.inet_daddr);
	return err;
}

static void tcp_v6_connect_undo(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		memset(tcp6_sk(tp)->v6_rcv_saddr, 0, 16);
		memset(tcp6_sk(tp)->v6_saddr, 0, 16);
	}
	memset(tcp6_sk(tp)->v6_daddr, 0, 16);
	tp->inet.inet_dport = 0;
}

/* RFC 9293 3.10.1 OPEN, active (Linux's tcp_v6_connect) */
static int tcp_v6_connect(struct sock *sk, const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)uaddr;
	struct tcp_sock *tp = tcp_sk(sk);
	struct ip_route_result res;
	const uint8_t *d;
	int err = sin6_check(uaddr, addr_len);

	if (err)
		return err;
	if (sk->sk_state != TCP_CLOSE)
		return sk->sk_state == TCP_SYN_SENT ? -EALREADY : -EISCONN;
	d = sin6->sin6_addr.s6_addr;
	if (ipv6_addr_v4mapped(d))
		return tcp_v6_connect_mapped(sk, sin6);
	if (ipv6_addr_v4mapped(tcp6_sk(tp)->v6_rcv_saddr) || ipv6_addr_is_multicast(d))
		return -ENETUNREACH;
	if (ipv6_addr_is_linklocal(d)) {
		if (sin6->sin6_scope_id && sk->sk_bound_dev_if &&
		    sk->sk_bound_dev_if != (int)sin6->sin6_scope_id)
			return -EINVAL;
		if (sin6->sin6_scope_id)
			sk->sk_bound_dev_if = (int)sin6->sin6_scope_id;
		if (!sk->sk_bound_dev_if)
			return -EINVAL;
	}
	if (ipv6_addr_any(d)) {
		/* Linux: connecting to :: means the loopback */
		memset(tcp6_sk(tp)->v6_daddr, 0, 16);
		tcp6_sk(tp)->v6_daddr[15] = 1;
	} else {
		memcpy(tcp6_sk(tp)->v6_daddr, d, 16);
	}
	tp->inet.inet_dport = ntohs(sin6->sin6_port);
	err = tcp_route(tp, &res);
	if (!err && res.type == RTN_MULTICAST)
		err = -ENETUNREACH;
	if (err)
		goto fail;
	if (ipv6_addr_any(tcp6_sk(tp)->v6_rcv_saddr))
		memcpy(tcp6_sk(tp)->v6_rcv_saddr, tcp6_sk(tp)->v6_saddr, 16);
	err = tcp_connect_port(tp);
	if (err)
		goto fail;
	tcp_connect_init(tp, res.mtu);
	return tcp_connect_finish(tp);
fail:
	tcp_v6_connect_undo(sk);
	return err;
}

static int tcp_v6_getname(struct sock *sk, struct sockaddr *uaddr, int peer)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)uaddr;
	const struct tcp_sock *tp = tcp_sk(sk);
	const uint8_t *a;

	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	if (peer) {
		if (!tp->inet.inet_dport || (peer == 1 && sk->sk_state == TCP_CLOSE))
			return -ENOTCONN;
		sin6->sin6_port = htons(tp->inet.inet_dport);
		a = tcp6_sk(tp)->v6_daddr;
	} else {
		sin6->sin6_port = htons(tp->inet.inet_sport);
		a = ipv6_addr_any(tcp6_sk(tp)->v6_rcv_saddr) ? tcp6_sk(tp)->v6_saddr : tcp6_sk(tp)->v6_rcv_saddr;
	}
	memcpy(sin6->sin6_addr.s6_addr, a, 16);
	if (ipv6_addr_is_linklocal(a))
		sin6->sin6_scope_id = (uint32_t)sk->sk_bound_dev_if;
	return (int)sizeof(*sin6);
}

static int tcp_v6_setsockopt(struct sock *sk, int level, int optname, const void *optval,
			     socklen_t optlen)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int v;

	if (level != IPPROTO_IPV6)
		return tcp_sock_setsockopt(sk, level, optname, optval, optlen);
	if (optlen < sizeof(int))
		return -EINVAL;
	memcpy(&v, optval, sizeof(v));
	switch (optname) {
	case IPV6_V6ONLY:
		if (tp->inet.inet_num)
			return -EINVAL;	/* Linux: only before bind */
		tp->v6only = v != 0;
		return 0;
	case IPV6_UNICAST_HOPS:
		if (v < -1 || v > 255)
			return -EINVAL;
		tp->inet.uc_ttl = (int16_t)v;
		return 0;
	case IPV6_TCLASS:
		if (v < -1 || v > 255)
			return -EINVAL;
		tp->inet.tos = (uint8_t)(v < 0 ? 0 : v);
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int tcp_v6_getsockopt(struct sock *sk, int level, int optname, void *optval,
			     socklen_t *optlen)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	int v;

	if (level != IPPROTO_IPV6)
		return tcp_sock_getsockopt(sk, level, optname, optval, optlen);
	switch (optname) {
	case IPV6_V6ONLY:
		v = tp->v6only;
		break;
	case IPV6_UNICAST_HOPS:
		v = tp->inet.uc_ttl;
		break;
	case IPV6_TCLASS:
		v = tp->inet.tos;
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (*optlen < sizeof(int))
		return -EINVAL;
	memcpy(optval, &v, sizeof(v));
	*optlen = sizeof(v);
	return 0;
}

/* ---- /proc/net/tcp6 and registration --------------------------------------------------------- */
static int tcp6_seq_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	(void)data;
	return tcp_seq_show_family(stack, s, AF_INET6);
}

int tcp_v6_init(struct ns_stack *stack)
{
	struct netns_tcp *tn = stack->tcp;
	int rc;

	if (!stack->ipv6)
		return 0;
	tn->prot6 = tcp_prot;
	tn->prot6.name = "TCPv6";
	tn->prot6.obj_size = sizeof(struct tcp6_sock);
	tn->prot6.init = tcp_v6_init_sock;
	tn->prot6.bind = tcp_v6_bind;
	tn->prot6.connect = tcp_v6_connect;
	tn->prot6.getname = tcp_v6_getname;
	tn->prot6.setsockopt = tcp_v6_setsockopt;
	tn->prot6.getsockopt = tcp_v6_getsockopt;
	tn->sw6.family = AF_INET6;
	tn->sw6.type = SOCK_STREAM;
	tn->sw6.protocol = IPPROTO_TCP;
	tn->sw6.prot = &tn->prot6;
	rc = inet6_add_protocol(stack, &tcpv6_protocol, IPPROTO_TCP);
	if (rc)
		return rc;
	rc = sock_register_protosw(stack, &tn->sw6);
	if (!rc)
		rc = proc_create(stack, "/proc/net/tcp6", tcp6_seq_show, NULL, NULL);
	if (rc) {
		tcp_v6_exit(stack);
		return rc;
	}
	return 0;
}

void tcp_v6_exit(struct ns_stack *stack)
{
	struct netns_tcp *tn = stack->tcp;

	if (!stack->ipv6 || !tn->sw6.prot)
		return;
	if (tn->sw6.list.next)
		sock_unregister_protosw(stack, &tn->sw6);
	inet6_del_protocol(stack, &tcpv6_protocol, IPPROTO_TCP);
	proc_remove(stack, "/proc/net/tcp6");
	tn->sw6.prot = NULL;
}
