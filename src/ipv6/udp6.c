/* udp6.c - UDP over IPv6 (RFC 768 with RFC 8200 8.1: the checksum over
 * the IPv6 pseudo-header is mandatory, zero is invalid) for AF_INET6
 * datagram sockets (Linux's net/ipv6/udp.c): bind/connect with
 * sockaddr_in6 (scope id for link-local addresses), IPV6_V6ONLY and
 * IPV6_UNICAST_HOPS, receive with the best-score lookup, port unreachable
 * when nobody listens, ICMPv6 errors to connected sockets, /proc/net/udp6
 * and the Udp6 lines of /proc/net/snmp6. Dual-stack sockets (IPV6_V6ONLY
 * 0, RFC 4291 2.5.5.2 / RFC 3493 3.7): IPv4-mapped destinations go out
 * as IPv4, and IPv4 datagrams no AF_INET socket wanted come here (the
 * hook in udp.c); AF_INET sockets win, and ports are not shared-checked
 * across the two tables. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc.h"
#include "ipv4/ip.h"
#include "ipv6/netns_ipv6.h"
#include "socket/sock.h"
#include "wire/icmpv6.h"
#include "wire/udp.h"

#define UDP6_HLEN 8

struct udp6_sock {
	struct inet_sock inet;		/* first: ports live there */
	uint8_t rcv_saddr[16];		/* bound address (:: any) */
	uint8_t saddr[16];		/* source when sending (:: by route) */
	uint8_t daddr[16];		/* connected peer */
	int16_t hop_limit;		/* IPV6_UNICAST_HOPS, -1: the route's */
	bool v6only;			/* IPV6_V6ONLY (net.ipv6.bindv6only 0) */
};

static struct udp6_sock *udp6_sk(const struct sock *sk)
{
	return (struct udp6_sock *)(void *)sk;
}

struct udp6_skb_cb {
	struct inet6_skb_parm h;
	uint16_t sport;
	bool v4;			/* arrived as IPv4 (v4-mapped source) */
	uint8_t saddr[16];
};
#define UDP6_SKB_CB(skb) ((struct udp6_skb_cb *)(void *)((skb)->cb))
_Static_assert(sizeof(struct udp6_skb_cb) <= SKB_CB_SIZE, "cb too small");

static struct hlist_head *udp6_slot(struct ns_stack *stack, uint16_t port)
{
	return &stack->ipv6->udp6_hash[port % UDP6_HTABLE_SIZE];
}

static void v4mapped(uint8_t out[16], uint32_t a)
{
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	put_be32(out + 12, a);
}

/* ---- lookup (Linux's compute_score for IPv6) ------------------------------------------ */
static int udp6_score(struct sock *sk, const uint8_t *saddr, uint16_t sport, const uint8_t *daddr,
		      uint16_t dport, int dif)
{
	struct udp6_sock *u = udp6_sk(sk);
	int score = 0;

	if (u->inet.inet_num != dport)
		return -1;
	if (!ipv6_addr_any(u->rcv_saddr)) {
		if (!ipv6_addr_equal(u->rcv_saddr, daddr))
			return -1;
		score += 4;
	}
	if (u->inet.inet_dport) {
		if (u->inet.inet_dport != sport || !ipv6_addr_equal(u->daddr, saddr))
			return -1;
		score += 4;
	}
	if (sk->sk_bound_dev_if) {
		if (dif && sk->sk_bound_dev_if != dif)
			return -1;
		score += 4;
	}
	return score;
}

static struct sock *udp6_lookup(struct ns_stack *stack, const uint8_t *saddr, uint16_t sport,
				const uint8_t *daddr, uint16_t dport, int dif)
{
	struct sock *sk, *best = NULL;
	int best_score = -1;

	hlist_for_each_entry(sk, udp6_slot(stack, dport), sk_node) {
		int s = udp6_score(sk, saddr, sport, daddr, dport, dif);

		if (s > best_score) {
			best = sk;
			best_score = s;
		}
	}
	return best;
}

/* ---- ports ------------------------------------------------------------------------------ */
static bool udp6_port_inuse(struct ns_stack *stack, struct sock *sk, uint16_t port)
{
	struct sock *o;

	hlist_for_each_entry(o, udp6_slot(stack, port), sk_node) {
		const struct udp6_sock *a = udp6_sk(sk), *b = udp6_sk(o);

		if (o == sk || b->inet.inet_num != port)
			continue;
		if ((sk->sk_reuse && o->sk_reuse) || (sk->sk_reuseport && o->sk_reuseport))
			continue;
		if (sk->sk_bound_dev_if && o->sk_bound_dev_if && sk->sk_bound_dev_if != o->sk_bound_dev_if)
			continue;
		if (ipv6_addr_any(a->rcv_saddr) || ipv6_addr_any(b->rcv_saddr) ||
		    ipv6_addr_equal(a->rcv_saddr, b->rcv_saddr))
			return true;
	}
	return false;
}

static void udp6_hash_port(struct sock *sk, uint16_t port)
{
	inet_sk(sk)->inet_num = port;
	inet_sk(sk)->inet_sport = port;
	hlist_add_head(&sk->sk_node, udp6_slot(sk->sk_net, port));
	sock_hold(sk);
}

static int udp6_get_port(struct sock *sk, unsigned short snum)
{
	int port = inet_pick_port(sk->sk_net, sk, snum, udp6_port_inuse);

	if (port < 0)
		return port;
	udp6_hash_port(sk, (uint16_t)port);
	return 0;
}

static void udp6_unhash(struct sock *sk)
{
	inet_sk(sk)->inet_num = 0;
	if (!hlist_unhashed(&sk->sk_node)) {
		hlist_del(&sk->sk_node);
		sock_put(sk);
	}
}

/* ---- bind / connect -------------------------------------------------------------------- */
static int sin6_check(const struct sockaddr *uaddr, int addr_len)
{
	if (addr_len < (int)sizeof(struct sockaddr_in6))
		return -EINVAL;
	if (uaddr->sa_family != AF_INET6)
		return -EAFNOSUPPORT;
	return 0;
}

/* Linux's __inet6_bind */
static int udp6_bind(struct sock *sk, const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)uaddr;
	struct udp6_sock *u = udp6_sk(sk);
	const uint8_t *a = sin6->sin6_addr.s6_addr;
	uint16_t port = ntohs(sin6->sin6_port);
	int err = sin6_check(uaddr, addr_len);

	if (err)
		return err;
	if (sk->sk_state != TCP_CLOSE || u->inet.inet_num)
		return -EINVAL;
	if (ipv6_addr_v4mapped(a)) {
		/* RFC 3493 5.3: an IPv6-only socket has no IPv4 address */
		uint32_t a4 = get_be32(a + 12);

		if (u->v6only)
			return -EINVAL;
		if (a4 && inet_addr_type(sk->sk_net, a4) != RTN_LOCAL)
			return -EADDRNOTAVAIL;
	}
	if (ipv6_addr_is_linklocal(a)) {
		/* RFC 4007 6: a link-local address needs its zone */
		if (!sin6->sin6_scope_id && !sk->sk_bound_dev_if)
			return -EINVAL;
		if (sin6->sin6_scope_id)
			sk->sk_bound_dev_if = (int)sin6->sin6_scope_id;
	}
	if (!ipv6_addr_any(a) && !ipv6_addr_is_multicast(a) && !ipv6_addr_v4mapped(a) &&
	    !ipv6_chk_addr(sk->sk_net, a, NULL) && !ipv6_addr_loopback(a))
		return -EADDRNOTAVAIL;
	memcpy(u->rcv_saddr, a, 16);
	memcpy(u->saddr, ipv6_addr_is_multicast(a) ? in6addr_any_bytes : a, 16);
	err = udp6_get_port(sk, port);
	if (err) {
		memset(u->rcv_saddr, 0, 16);
		memset(u->saddr, 0, 16);
		return err;
	}
	if (!ipv6_addr_any(a))
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	if (port)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	return 0;
}

static void udp6_flow(struct sock *sk, struct flowi6 *fl6, const uint8_t *daddr, int oif)
{
	struct udp6_sock *u = udp6_sk(sk);

	memset(fl6, 0, sizeof(*fl6));
	memcpy(fl6->daddr, daddr, 16);
	memcpy(fl6->saddr, u->saddr, 16);
	fl6->oif = oif ? oif : sk->sk_bound_dev_if;
	fl6->proto = IPPROTO_UDP;
	fl6->hop_limit = u->hop_limit > 0 ? (uint8_t)u->hop_limit : 0;
	fl6->mark = sk->sk_mark;
}

static int udp6_connect(struct sock *sk, const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)uaddr;
	struct udp6_sock *u = udp6_sk(sk);
	struct ip6_route_result res;
	struct flowi6 fl6;
	int err = sin6_check(uaddr, addr_len);

	if (err)
		return err;
	if (ipv6_addr_v4mapped(sin6->sin6_addr.s6_addr)) {
		struct flowi4 fl4 = { .daddr = get_be32(sin6->sin6_addr.s6_addr + 12),
				      .proto = IPPROTO_UDP, .oif = sk->sk_bound_dev_if };
		struct ip_route_result r4;

		if (u->v6only)
			return -ENETUNREACH;
		if (ipv6_addr_v4mapped(u->rcv_saddr))
			fl4.saddr = get_be32(u->rcv_saddr + 12);
		err = ip_route_output(sk->sk_net, &fl4, &r4);
		if (err)
			return err;
		v4mapped(u->saddr, fl4.saddr);
		if (ipv6_addr_any(u->rcv_saddr))
			v4mapped(u->rcv_saddr, fl4.saddr);
		memcpy(u->daddr, sin6->sin6_addr.s6_addr, 16);
		u->inet.inet_dport = ntohs(sin6->sin6_port);
		sk->sk_state = TCP_ESTABLISHED;
		return 0;
	}
	udp6_flow(sk, &fl6, sin6->sin6_addr.s6_addr, (int)sin6->sin6_scope_id);
	err = ip6_route_output(sk->sk_net, &fl6, &res);
	if (err)
		return err;
	if (ipv6_addr_any(u->saddr))
		memcpy(u->saddr, fl6.saddr, 16);
	if (ipv6_addr_any(u->rcv_saddr))
		memcpy(u->rcv_saddr, fl6.saddr, 16);
	memcpy(u->daddr, sin6->sin6_addr.s6_addr, 16);
	u->inet.inet_dport = ntohs(sin6->sin6_port);
	sk->sk_state = TCP_ESTABLISHED;
	return 0;
}

static int udp6_disconnect(struct sock *sk, int flags)
{
	struct udp6_sock *u = udp6_sk(sk);

	(void)flags;
	sk->sk_state = TCP_CLOSE;
	memset(u->daddr, 0, 16);
	u->inet.inet_dport = 0;
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		memset(u->rcv_saddr, 0, 16);
		memset(u->saddr, 0, 16);
	}
	return 0;
}

/* ---- send --------------------------------------------------------------------------------- */
static int udp6_dest(struct sock *sk, const struct msghdr *msg, uint8_t *daddr, uint16_t *dport,
		     int *oif)
{
	const struct sockaddr_in6 *sin6 = msg->msg_name;
	struct udp6_sock *u = udp6_sk(sk);

	*oif = 0;
	if (sin6) {
		if (msg->msg_namelen < sizeof(*sin6))
			return -EINVAL;
		if (sin6->sin6_family != AF_INET6)
			return -EAFNOSUPPORT;
		if (ipv6_addr_v4mapped(sin6->sin6_addr.s6_addr) && udp6_sk(sk)->v6only)
			return -ENETUNREACH;
		memcpy(daddr, sin6->sin6_addr.s6_addr, 16);
		*dport = ntohs(sin6->sin6_port);
		*oif = (int)sin6->sin6_scope_id;
		return *dport ? 0 : -EINVAL;
	}
	if (sk->sk_state != TCP_ESTABLISHED)
		return -EDESTADDRREQ;
	memcpy(daddr, u->daddr, 16);
	*dport = u->inet.inet_dport;
	return 0;
}

/* A dual-stack socket sending to ::ffff:a.b.c.d: plain IPv4 (udp.c's
 * framing, ip_send_skb4). */
static int udp6_sendmsg_v4(struct sock *sk, const struct msghdr *msg, size_t len,
			   const uint8_t *daddr, uint16_t dport)
{
	struct udp6_mib *m = &sk->sk_net->ipv6->udp;
	struct udp6_sock *u = udp6_sk(sk);
	struct flowi4 fl4 = { .daddr = get_be32(daddr + 12), .proto = IPPROTO_UDP,
			      .oif = sk->sk_bound_dev_if, .mark = sk->sk_mark };
	struct udp_repr r = { .sport = u->inet.inet_sport, .dport = dport, .payload_len = len };
	struct ip_route_result res;
	struct sk_buff *skb;
	int err;

	if (len > 65507)
		return -EMSGSIZE;
	if (ipv6_addr_v4mapped(u->saddr))
		fl4.saddr = get_be32(u->saddr + 12);
	if (u->hop_limit > 0)
		fl4.ttl = (uint8_t)u->hop_limit;
	err = ip_route_output(sk->sk_net, &fl4, &res);
	if (err)
		return err;
	if (!sock_wmem_ok(sk, 0)) {
		sock_set_flag(sk, SOCK_NOSPACE);
		return -EAGAIN;
	}
	skb = alloc_skb_tx(sk->sk_net, (unsigned int)(UDP6_HLEN + len));
	if (!skb)
		return -ENOBUFS;
	skb_set_owner_w(skb, sk);
	memcpy_from_msg(skb_put(skb, (unsigned int)(UDP6_HLEN + len)) + UDP6_HLEN, msg, len);
	r.payload = skb->data + UDP6_HLEN;
	if (udp_emit_ipv4_partial(&r, skb->data, UDP6_HLEN + len, fl4.saddr, fl4.daddr) < 0) {
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return -EMSGSIZE;
	}
	skb_partial_csum_set(skb, skb->data, 6);
	err = ip_send_skb4(sk->sk_net, skb, &fl4);
	if (err && err != -ENOBUFS)
		return err;
	m->out_datagrams++;	/* Linux counts it as Udp6 too (the socket's family) */
	return (int)len;
}

static int udp6_sendmsg(struct sock *sk, const struct msghdr *msg, size_t len, int flags)
{
	struct udp6_mib *m = &sk->sk_net->ipv6->udp;
	struct udp_repr r = { .sport = inet_sk(sk)->inet_sport, .payload_len = len };
	struct ip6_route_result res;
	struct flowi6 fl6;
	struct sk_buff *skb;
	uint8_t daddr[16];
	uint16_t dport;
	int err, oif;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len > 65535 - UDP6_HLEN)
		return -EMSGSIZE;
	err = udp6_dest(sk, msg, daddr, &dport, &oif);
	if (err)
		return err;
	/* one family per flow: a mapped source never goes out as IPv6 */
	if (ipv6_addr_v4mapped(daddr) != ipv6_addr_v4mapped(udp6_sk(sk)->saddr) &&
	    !ipv6_addr_any(udp6_sk(sk)->saddr))
		return -ENETUNREACH;
	if (ipv6_addr_v4mapped(daddr))
		return udp6_sendmsg_v4(sk, msg, len, daddr, dport);
	udp6_flow(sk, &fl6, daddr, oif);
	err = ip6_route_output_sk(sk, &fl6, &res);
	if (err)
		return err;
	if (sk->sk_shutdown & SEND_SHUTDOWN)
		return -EPIPE;
	err = sock_error(sk);
	if (err)
		return err;
	if (!sock_wmem_ok(sk, 0)) {
		sock_set_flag(sk, SOCK_NOSPACE);
		m->sndbuf_errors++;
		return -EAGAIN;
	}
	skb = alloc_skb_tx(sk->sk_net, (unsigned int)(UDP6_HLEN + len));
	if (!skb) {
		m->sndbuf_errors++;
		return -ENOBUFS;
	}
	skb_set_owner_w(skb, sk);
	memcpy_from_msg(skb_put(skb, (unsigned int)(UDP6_HLEN + len)) + UDP6_HLEN, msg, len);
	r.dport = dport;
	r.payload = skb->data + UDP6_HLEN;
	/* RFC 8200 8.1: the pseudo-header checksum, 0 sent as 0xffff, left
	 * for the device or dev_queue_xmit to complete */
	if (udp_emit_ipv6_partial(&r, skb->data, UDP6_HLEN + len, fl6.saddr, fl6.daddr) < 0) {
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return -EMSGSIZE;
	}
	skb_partial_csum_set(skb, skb->data, 6);
	skb->priority = sk->sk_priority;
	err = ip6_xmit_routed(sk->sk_net, skb, &fl6, &res);
	if (err == -ENOBUFS) {
		m->sndbuf_errors++;
		err = 0;
	}
	if (err)
		return err;
	m->out_datagrams++;
	return (int)len;
}

/* ---- receive ------------------------------------------------------------------------------ */
static int udp6_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags)
{
	struct sockaddr_in6 *sin6 = msg->msg_name;
	struct sk_buff *skb;
	size_t copied;
	int err;

	if (flags & MSG_ERRQUEUE)
		return -EAGAIN;
	err = sock_error(sk);
	if (err)
		return err;
	skb = skb_peek(&sk->sk_receive_queue);
	if (!skb)
		return -EAGAIN;
	copied = NS_MIN(len, (size_t)skb->len);
	if (copied < skb->len)
		msg->msg_flags |= MSG_TRUNC;
	memcpy_to_msg(msg, skb->data, copied);
	if (sin6) {
		const uint8_t *src = UDP6_SKB_CB(skb)->saddr;

		memset(sin6, 0, sizeof(*sin6));
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(UDP6_SKB_CB(skb)->sport);
		memcpy(sin6->sin6_addr.s6_addr, src, 16);
		if (ipv6_addr_is_linklocal(src) && !UDP6_SKB_CB(skb)->v4)
			sin6->sin6_scope_id = (uint32_t)UDP6_SKB_CB(skb)->h.iif;
		msg->msg_namelen = sizeof(*sin6);
	}
	err = (flags & MSG_TRUNC) ? (int)skb->len : (int)copied;
	if (!(flags & MSG_PEEK)) {
		sk->sk_net->ipv6->udp.in_datagrams++;
		__skb_unlink(skb, &sk->sk_receive_queue);
		consume_skb(skb);
	}
	return err;
}

static int udp6_drop(struct sk_buff *skb, uint64_t *counter, enum skb_drop_reason reason)
{
	if (counter)
		(*counter)++;
	skb->stack->ipv6->udp.in_errors++;
	kfree_skb_reason(skb, reason);
	return 0;
}

/* __udp6_lib_rcv. Consumes skb. */
static int udpv6_rcv(struct sk_buff *skb)
{
	struct ns_stack *stack = skb->stack;
	struct udp6_mib *m = &stack->ipv6->udp;
	const uint8_t *h = ipv6_hdr(skb), *saddr = h + 8, *daddr = h + 24;
	struct udp_repr r;
	struct sock *sk;

	if (udp_parse(skb->data, skb->len, &r))
		return udp6_drop(skb, NULL, SKB_DROP_REASON_PKT_TOO_SMALL);
	skb_trim(skb, r.len);
	/* RFC 8200 8.1: a zero checksum is an error in IPv6 */
	if (!skb_csum_unnecessary(skb) && udp_verify_ipv6(skb->data, &r, saddr, daddr))
		return udp6_drop(skb, &m->in_csum_errors, SKB_DROP_REASON_CSUM);
	UDP6_SKB_CB(skb)->sport = r.sport;
	UDP6_SKB_CB(skb)->v4 = false;
	memcpy(UDP6_SKB_CB(skb)->saddr, saddr, 16);
	sk = udp6_lookup(stack, saddr, r.sport, daddr, r.dport, IP6CB(skb)->iif);
	if (sk) {
		skb_pull(skb, UDP6_HLEN);
		if (sock_queue_rcv_skb(sk, skb)) {
			m->rcvbuf_errors++;
			return udp6_drop(skb, NULL, SKB_DROP_REASON_SOCKET_RCVBUFF);
		}
		return 0;
	}
	if (ipv6_addr_is_multicast(daddr)) {
		m->ignored_multi++;
		consume_skb(skb);
		return 0;
	}
	/* RFC 4443 3.1: port unreachable */
	m->no_ports++;
	icmp6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
	kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
	return 0;
}

bool udp6_v4mapped_rcv(struct sk_buff *skb, uint32_t saddr, uint16_t sport, uint32_t daddr,
		       uint16_t dport, int dif)
{
	struct ns_stack *stack = skb->stack;
	uint8_t s6[16], d6[16];
	struct sock *sk;

	if (!stack->ipv6 || !stack->ipv6->udp6_sw.prot)
		return false;
	v4mapped(s6, saddr);
	v4mapped(d6, daddr);
	sk = udp6_lookup(stack, s6, sport, d6, dport, dif);
	if (!sk || udp6_sk(sk)->v6only)
		return false;
	/* the cb now speaks udp6 (IPCB is no longer needed) */
	memset(skb->cb, 0, sizeof(struct udp6_skb_cb));
	UDP6_SKB_CB(skb)->h.iif = dif;
	UDP6_SKB_CB(skb)->sport = sport;
	UDP6_SKB_CB(skb)->v4 = true;
	memcpy(UDP6_SKB_CB(skb)->saddr, s6, 16);
	if (sock_queue_rcv_skb(sk, skb)) {
		stack->ipv6->udp.rcvbuf_errors++;
		stack->ipv6->udp.in_errors++;
		kfree_skb_reason(skb, SKB_DROP_REASON_SOCKET_RCVBUFF);
	}
	return true;
}

/* icmpv6_err_convert */
static int icmpv6_err_convert(uint8_t type, uint8_t code, bool *fatal)
{
	*fatal = true;
	switch (type) {
	case ICMPV6_DEST_UNREACH:
		switch (code) {
		case ICMPV6_NOROUTE: return -ENETUNREACH;
		case ICMPV6_ADM_PROHIBITED: return -EACCES;
		case ICMPV6_PORT_UNREACH: return -ECONNREFUSED;
		default: return -EHOSTUNREACH;
		}
	case ICMPV6_PKT_TOOBIG:
		*fatal = false;
		return -EMSGSIZE;
	case ICMPV6_PARAMPROB:
		return -EPROTO;
	case ICMPV6_TIME_EXCEED:
		*fatal = false;
		return -EHOSTUNREACH;
	default:
		*fatal = false;
		return -EPROTO;
	}
}

static void udpv6_err(struct ns_stack *stack, const struct inet6_err_info *e)
{
	struct sock *sk;
	bool fatal;
	int err;

	if (e->l4_len < UDP6_HLEN)
		return;
	sk = udp6_lookup(stack, e->daddr, get_be16(e->l4 + 2), e->saddr, get_be16(e->l4), 0);
	if (!sk)
		return;
	err = icmpv6_err_convert(e->type, e->code, &fatal);
	/* without IPV6_RECVERR only connected sockets hear of hard errors */
	if (fatal && sk->sk_state == TCP_ESTABLISHED)
		sk_report_error(sk, err);
}

/* ---- options, close ---------------------------------------------------------------------- */
static int udp6_setsockopt(struct sock *sk, int level, int optname, const void *optval,
			   socklen_t optlen)
{
	struct udp6_sock *u = udp6_sk(sk);
	int v;

	if (level != IPPROTO_IPV6)
		return -ENOPROTOOPT;
	if (optlen < sizeof(int))
		return -EINVAL;
	memcpy(&v, optval, sizeof(v));
	switch (optname) {
	case IPV6_V6ONLY:
		if (u->inet.inet_num)
			return -EINVAL;	/* Linux: only before bind */
		u->v6only = v != 0;
		return 0;
	case IPV6_UNICAST_HOPS:
		if (v < -1 || v > 255)
			return -EINVAL;
		u->hop_limit = (int16_t)v;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int udp6_getsockopt(struct sock *sk, int level, int optname, void *optval, socklen_t *optlen)
{
	struct udp6_sock *u = udp6_sk(sk);
	int v;

	if (level != IPPROTO_IPV6)
		return -ENOPROTOOPT;
	switch (optname) {
	case IPV6_V6ONLY:
		v = u->v6only;
		break;
	case IPV6_UNICAST_HOPS:
		v = u->hop_limit;
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

static int udp6_getname(struct sock *sk, struct sockaddr *uaddr, int peer)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)uaddr;
	struct udp6_sock *u = udp6_sk(sk);

	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	if (peer) {
		if (!u->inet.inet_dport)
			return -ENOTCONN;
		sin6->sin6_port = htons(u->inet.inet_dport);
		memcpy(sin6->sin6_addr.s6_addr, u->daddr, 16);
	} else {
		sin6->sin6_port = htons(u->inet.inet_sport);
		memcpy(sin6->sin6_addr.s6_addr, u->rcv_saddr, 16);
	}
	if (ipv6_addr_is_linklocal(sin6->sin6_addr.s6_addr))
		sin6->sin6_scope_id = (uint32_t)sk->sk_bound_dev_if;
	return (int)sizeof(*sin6);
}

static int udp6_init_sock(struct sock *sk)
{
	udp6_sk(sk)->hop_limit = -1;
	return 0;
}

static void udp6_close(struct sock *sk, long timeout)
{
	(void)timeout;
	udp6_unhash(sk);
	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_error_queue);
	sock_put(sk);
}

static const struct proto udpv6_prot = {
	.name = "UDPv6",
	.obj_size = sizeof(struct udp6_sock),
	.init = udp6_init_sock,
	.close = udp6_close,
	.connect = udp6_connect,
	.disconnect = udp6_disconnect,
	.setsockopt = udp6_setsockopt,
	.getsockopt = udp6_getsockopt,
	.sendmsg = udp6_sendmsg,
	.recvmsg = udp6_recvmsg,
	.bind = udp6_bind,
	.getname = udp6_getname,
	.unhash = udp6_unhash,
	.get_port = udp6_get_port,
};

static const struct inet6_protocol udpv6_protocol = {
	.handler = udpv6_rcv,
	.err_handler = udpv6_err,
};

/* ---- /proc/net/udp6 (Linux's __ip6_dgram_sock_seq_show) ---------------------------------- */
/* each 32-bit word of the address as Linux prints s6_addr32[i] with %08X
 * on a little-endian host */
static void seq_addr6(struct seq_buf *s, const uint8_t *a)
{
	for (int i = 0; i < 16; i += 4)
		seq_printf(s, "%02X%02X%02X%02X", a[i + 3], a[i + 2], a[i + 1], a[i]);
}

static int udp6_seq_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	(void)data;
	seq_puts(s, "  sl  local_address                         remote_address                        "
		    "st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n");
	for (unsigned int b = 0; b < UDP6_HTABLE_SIZE; b++) {
		struct sock *sk;

		hlist_for_each_entry(sk, &stack->ipv6->udp6_hash[b], sk_node) {
			struct udp6_sock *u = udp6_sk(sk);

			seq_printf(s, "%5u: ", b);
			seq_addr6(s, u->rcv_saddr);
			seq_printf(s, ":%04X ", u->inet.inet_sport);
			seq_addr6(s, u->daddr);
			seq_printf(s, ":%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %016lx %u\n",
				   u->inet.inet_dport, sk->sk_state, sk->sk_wmem_alloc,
				   sk->sk_rmem_alloc, 0, 0UL, 0, 0U, 0, (unsigned long)sk->sk_ino,
				   sk->sk_refcnt, 0UL, sk->sk_drops);
		}
	}
	return 0;
}

int udpv6_init(struct ns_stack *stack)
{
	struct netns_ipv6 *ip6 = stack->ipv6;
	int rc;

	if (!stack->sock)
		return 0;	/* no socket layer: nothing to serve */
	ip6->udp6_sw.family = AF_INET6;
	ip6->udp6_sw.type = SOCK_DGRAM;
	ip6->udp6_sw.protocol = IPPROTO_UDP;
	ip6->udp6_sw.prot = &udpv6_prot;
	rc = inet6_add_protocol(stack, &udpv6_protocol, IPPROTO_UDP);
	if (!rc)
		rc = sock_register_protosw(stack, &ip6->udp6_sw);
	if (!rc)
		rc = proc_create(stack, "/proc/net/udp6", udp6_seq_show, NULL, NULL);
	return rc;
}

void udpv6_exit(struct ns_stack *stack)
{
	struct netns_ipv6 *ip6 = stack->ipv6;

	if (ip6->udp6_sw.list.next)
		sock_unregister_protosw(stack, &ip6->udp6_sw);
	inet6_del_protocol(stack, &udpv6_protocol, IPPROTO_UDP);
}
