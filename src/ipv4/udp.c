/* udp.c - UDP over IPv4 (RFC 768; RFC 1122 4.1), after Linux's
 * net/ipv4/udp.c: the per-stack table of bound sockets (by local port;
 * scored lookup, SO_REUSEPORT groups), ephemeral ports from
 * ip_local_port_range, the receive path called by IPv4 (udp_rcv), the
 * ICMP error handler (udp_err), the send path through ip_route_output and
 * ip_send_skb4, /proc/net/udp and the Udp MIB.
 *
 * Read sock.h (struct proto contract: ops never block) and ip.h first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#ifndef SOL_UDP
#define SOL_UDP 17
#endif

#include "core/proc.h"
#include "ipv4/fib.h"
#include "ipv4/netns_ipv4.h"
#include "ipv4/udp.h"
#include "ipv6/ipv6.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"
#include "wire/udp.h"

static struct netns_udp *udp_net(struct ns_stack *stack)
{
	return stack->udp;
}

static struct hlist_head *udp_slot(struct ns_stack *stack, uint16_t port)
{
	return &udp_net(stack)->hash[port & (UDP_HTABLE_SIZE - 1)];
}

/* ---- lookup ---------------------------------------------------------------------- */
/* Linux's compute_score: -1 when sk cannot take the datagram. */
static int compute_score(struct sock *sk, uint32_t saddr, uint16_t sport, uint32_t daddr,
			 uint16_t dport, int dif)
{
	const struct inet_sock *inet = inet_sk(sk);
	int score = 2;	/* PF_INET */

	if (inet->inet_num != dport)
		return -1;
	if (inet->inet_rcv_saddr) {
		if (inet->inet_rcv_saddr != daddr)
			return -1;
		score += 4;
	}
	if (inet->inet_daddr) {
		if (inet->inet_daddr != saddr)
			return -1;
		score += 4;
	}
	if (inet->inet_dport) {
		if (inet->inet_dport != sport)
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

/* udp_ehashfn: a keyed mix of the 4-tuple spreads flows over a group. */
static uint32_t udp_ehashfn(uint32_t secret, uint32_t saddr, uint16_t sport, uint32_t daddr,
			    uint16_t dport)
{
	uint64_t h = ((uint64_t)saddr << 32 | daddr) ^ ((uint64_t)sport << 16 | dport) ^ secret;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

/* reuseport_select_sock: the members are the unconnected SO_REUSEPORT
 * sockets with the winner's score and address, in bind order. */
static struct sock *reuseport_select(struct ns_stack *stack, struct sock *best, int score,
				     uint32_t saddr, uint16_t sport, uint32_t daddr,
				     uint16_t dport, int dif)
{
	struct hlist_head *slot = udp_slot(stack, dport);
	struct sock *sk, *members[64];
	unsigned int n = 0;

	if (!best->sk_reuseport || inet_sk(best)->inet_daddr)
		return best;
	hlist_for_each_entry(sk, slot, sk_node) {
		if (sk->sk_reuseport && !inet_sk(sk)->inet_daddr &&
		    inet_sk(sk)->inet_rcv_saddr == inet_sk(best)->inet_rcv_saddr &&
		    compute_score(sk, saddr, sport, daddr, dport, dif) == score &&
		    n < ARRAY_SIZE(members))
			members[n++] = sk;
	}
	if (n <= 1)
		return best;
	/* the hash list is newest first: index from the oldest */
	return members[n - 1 - (udp_ehashfn(udp_net(stack)->hash_secret, saddr, sport, daddr,
					    dport) % n)];
}

struct sock *udp4_lib_lookup(struct ns_stack *stack, uint32_t saddr, uint16_t sport,
			     uint32_t daddr, uint16_t dport, int dif)
{
	struct sock *sk, *result = NULL;
	int best = -1;

	hlist_for_each_entry(sk, udp_slot(stack, dport), sk_node) {
		int score = compute_score(sk, saddr, sport, daddr, dport, dif);

		if (score > best) {
			best = score;
			result = sk;
		}
	}
	/* only an unconnected SO_REUSEPORT winner has a group to spread over */
	if (result && result->sk_reuseport && !inet_sk(result)->inet_daddr)
		result = reuseport_select(stack, result, best, saddr, sport, daddr, dport, dif);
	return result;
}

/* ---- ports --------------------------------------------------------------------------- */
/* inet_rcv_saddr_equal(match_wildcard = true) */
static bool rcv_saddr_equal(const struct sock *a, const struct sock *b)
{
	uint32_t x = inet_sk(a)->inet_rcv_saddr, y = inet_sk(b)->inet_rcv_saddr;

	return x == y || !x || !y;
}

/* udp_lib_lport_inuse */
static bool udp_port_inuse(struct ns_stack *stack, struct sock *sk, uint16_t port)
{
	struct sock *sk2;

	hlist_for_each_entry(sk2, udp_slot(stack, port), sk_node) {
		if (sk2 == sk || inet_sk(sk2)->inet_num != port)
			continue;
		if ((!sk2->sk_reuse || !sk->sk_reuse) &&
		    (!sk2->sk_bound_dev_if || !sk->sk_bound_dev_if ||
		     sk2->sk_bound_dev_if == sk->sk_bound_dev_if) &&
		    rcv_saddr_equal(sk, sk2)) {
			if (sk2->sk_reuseport && sk->sk_reuseport)
				return false;
			return true;
		}
	}
	return false;
}

static void udp_hash_port(struct sock *sk, uint16_t port)
{
	inet_sk(sk)->inet_num = port;
	inet_sk(sk)->inet_sport = port;
	hlist_add_head(&sk->sk_node, udp_slot(sk->sk_net, port));
	sock_hold(sk);	/* the table's reference (sk_add_node_rcu): ref 2 in /proc */
}

/* udp_lib_get_port: snum 0 picks an ephemeral port from a random start in
 * ip_local_port_range; the search is bounded by the range. 0 or
 * -EADDRINUSE. */
static int udp_get_port(struct sock *sk, unsigned short snum)
{
	int port = inet_pick_port(sk->sk_net, sk, snum, udp_port_inuse);

	if (port < 0)
		return port;
	udp_hash_port(sk, (uint16_t)port);
	return 0;
}

static void udp_unhash(struct sock *sk)
{
	inet_sk(sk)->inet_num = 0;
	if (!hlist_unhashed(&sk->sk_node)) {
		hlist_del(&sk->sk_node);
		sock_put(sk);	/* never the last: the caller holds one */
	}
}

/* ---- bind / connect ------------------------------------------------------------------ */
/* inet_bind after the generic checks of socket.c */
static int udp_bind(struct sock *sk, const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)uaddr;
	struct inet_sock *inet = inet_sk(sk);
	uint32_t addr = ntohl(sin->sin_addr.s_addr);
	uint16_t port = ntohs(sin->sin_port);
	unsigned int type = inet_addr_type(sk->sk_net, addr);
	int err;

	(void)addr_len;
	if (addr != INADDR_ANY && type != RTN_LOCAL && type != RTN_MULTICAST &&
	    type != RTN_BROADCAST)
		return -EADDRNOTAVAIL;
	inet->inet_rcv_saddr = addr;
	inet->inet_saddr = (type == RTN_MULTICAST || type == RTN_BROADCAST) ? 0 : addr;
	err = udp_get_port(sk, port);
	if (err) {
		inet->inet_rcv_saddr = inet->inet_saddr = 0;
		return err;
	}
	if (addr)
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	if (port)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	return 0;
}

static void fill_flow(struct sock *sk, struct flowi4 *fl4, uint32_t daddr)
{
	struct inet_sock *inet = inet_sk(sk);

	memset(fl4, 0, sizeof(*fl4));
	fl4->daddr = daddr;
	fl4->saddr = inet->inet_saddr;
	fl4->oif = sk->sk_bound_dev_if;
	fl4->proto = IPPROTO_UDP;
	fl4->tos = inet->tos;
	fl4->ttl = inet->uc_ttl > 0 ? (uint8_t)inet->uc_ttl : 0;
	fl4->mark = sk->sk_mark;
	if (sock_flag(sk, SOCK_BROADCAST))
		fl4->flags |= FLOWI_FLAG_BROADCAST;
	/* UDP sets DF only on request (IP_PMTUDISC_DO/PROBE): simpler than
	 * Linux's default "want", which sets DF while the datagram fits */
	if (inet->pmtudisc == IP_PMTUDISC_DO || inet->pmtudisc == IP_PMTUDISC_PROBE)
		fl4->flags |= FLOWI_FLAG_DF;
}

/* __ip4_datagram_connect */
static int udp_connect(struct sock *sk, const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)uaddr;
	struct inet_sock *inet = inet_sk(sk);
	struct ip_route_result res;
	struct flowi4 fl4;
	int err;

	if (addr_len < (int)sizeof(*sin))
		return -EINVAL;
	if (sin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	fill_flow(sk, &fl4, ntohl(sin->sin_addr.s_addr));
	err = ip_route_output(sk->sk_net, &fl4, &res);
	if (err)
		return err;
	if (!inet->inet_saddr)
		inet->inet_saddr = fl4.saddr;
	if (!inet->inet_rcv_saddr)
		inet->inet_rcv_saddr = fl4.saddr;
	inet->inet_daddr = fl4.daddr;
	inet->inet_dport = ntohs(sin->sin_port);
	sk->sk_state = TCP_ESTABLISHED;
	return 0;
}

/* __udp_disconnect */
static int udp_disconnect(struct sock *sk, int flags)
{
	struct inet_sock *inet = inet_sk(sk);

	(void)flags;
	sk->sk_state = TCP_CLOSE;
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK))
		inet->inet_saddr = inet->inet_rcv_saddr = 0;
	if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK)) {
		udp_unhash(sk);
		inet->inet_sport = 0;
	}
	return 0;
}

/* ---- send ---------------------------------------------------------------------------- */
static int udp_dest(struct sock *sk, const struct msghdr *msg, uint32_t *daddr, uint16_t *dport)
{
	const struct sockaddr_in *sin = msg->msg_name;

	if (sin) {
		if (msg->msg_namelen < sizeof(*sin))
			return -EINVAL;
		if (sin->sin_family != AF_INET && sin->sin_family != AF_UNSPEC)
			return -EAFNOSUPPORT;
		*daddr = ntohl(sin->sin_addr.s_addr);
		*dport = ntohs(sin->sin_port);
		return *dport ? 0 : -EINVAL;
	}
	if (sk->sk_state != TCP_ESTABLISHED)
		return -EDESTADDRREQ;
	*daddr = inet_sk(sk)->inet_daddr;
	*dport = inet_sk(sk)->inet_dport;
	return 0;
}

/* sock_alloc_send_pskb's checks, then the skb charged to the socket */
static struct sk_buff *udp_alloc_send_skb(struct sock *sk, size_t len, int *err)
{
	struct sk_buff *skb;

	if (sk->sk_shutdown & SEND_SHUTDOWN) {
		*err = -EPIPE;
		return NULL;
	}
	*err = sock_error(sk);
	if (*err)
		return NULL;
	if (!sock_wmem_ok(sk, 0)) {
		sock_set_flag(sk, SOCK_NOSPACE);
		*err = -EAGAIN;
		return NULL;
	}
	skb = alloc_skb_tx(sk->sk_net, (unsigned int)(UDP_HLEN + len));
	if (!skb) {
		*err = -ENOBUFS;
		return NULL;
	}
	skb_set_owner_w(skb, sk);
	return skb;
}

static int udp_push(struct sock *sk, struct sk_buff *skb, const struct flowi4 *fl4,
		    const struct ip_route_result *res, uint16_t dport, size_t len)
{
	struct netns_udp *un = udp_net(sk->sk_net);
	struct udp_repr r = { .sport = inet_sk(sk)->inet_sport, .dport = dport,
			      .payload_len = len };
	uint8_t *buf = skb->data;
	int err;

	r.payload = buf + UDP_HLEN;
	if (udp_emit_ipv4_partial(&r, buf, UDP_HLEN + len, fl4->saddr, fl4->daddr) < 0) {
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_BIG);
		return -EMSGSIZE;
	}
	/* completed by the device or dev_queue_xmit (Linux's udp4_hwcsum) */
	skb_partial_csum_set(skb, buf, 6);
	skb->priority = sk->sk_priority;
	skb->mark = sk->sk_mark;
	err = ip_send_skb4_routed(sk->sk_net, skb, fl4, res);
	if (err == -ENOBUFS && !inet_sk(sk)->recverr) {
		un->mib.sndbuf_errors++;	/* udp_send_skb: hidden without IP_RECVERR */
		err = 0;
	} else if (err == -ENOBUFS) {
		un->mib.sndbuf_errors++;
	}
	if (!err)
		un->mib.out_datagrams++;
	return err;
}

/* udp_sendmsg: RFC 768 framing; IPv4 routes, fragments and sends. The
 * route comes from the socket's cached one (ip_route_output_sk, Linux's
 * sk_dst_cache): the source address and, with DF, the MTU before the
 * datagram is built, and the same answer sends it. */
static int udp_sendmsg(struct sock *sk, const struct msghdr *msg, size_t len, int flags)
{
	struct ip_route_result res;
	struct flowi4 fl4;
	struct sk_buff *skb;
	uint32_t daddr;
	uint16_t dport;
	int err;

	if (len > 0xFFFF)
		return -EMSGSIZE;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	err = udp_dest(sk, msg, &daddr, &dport);
	if (err)
		return err;
	fill_flow(sk, &fl4, daddr);
	err = ip_route_output_sk(sk, &fl4, &res);
	if (err) {
		IP_INC_STATS(sk->sk_net, OUTNOROUTES);	/* as ip_send_skb4 counts it */
		return err;
	}
	if ((fl4.flags & FLOWI_FLAG_DF) && len + UDP_HLEN + IPV4_HLEN_MIN > res.mtu)
		return -EMSGSIZE;
	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	skb = udp_alloc_send_skb(sk, len, &err);
	if (!skb) {
		if (err == -EAGAIN || err == -ENOBUFS)
			udp_net(sk->sk_net)->mib.sndbuf_errors++;
		return err;
	}
	memcpy_from_msg(skb_put(skb, (unsigned int)(UDP_HLEN + len)) + UDP_HLEN, msg, len);
	err = udp_push(sk, skb, &fl4, &res, dport, len);
	return err ? err : (int)len;
}

/* ---- receive ---------------------------------------------------------------------------- */
static void udp_cmsg_recv(struct sock *sk, struct msghdr *msg, struct sk_buff *skb)
{
	if (inet_sk(sk)->pktinfo) {
		struct in_pktinfo pi = { .ipi_ifindex = UDP_SKB_CB(skb)->h4.iif };

		pi.ipi_spec_dst.s_addr = htonl(UDP_SKB_CB(skb)->h4.daddr);
		pi.ipi_addr.s_addr = htonl(UDP_SKB_CB(skb)->h4.daddr);
		put_cmsg(msg, SOL_IP, IP_PKTINFO, sizeof(pi), &pi);
	}
}

/* udp_recvmsg: one datagram per call. A pending error (ICMP on a
 * connected socket) is reported first, once. */
static int udp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags)
{
	struct sockaddr_in *sin = msg->msg_name;
	struct sk_buff *skb;
	size_t copied;
	int err;

	if (flags & MSG_ERRQUEUE)
		return ip_recv_error(sk, msg, len);
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
	if (sin) {
		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		sin->sin_port = htons(UDP_SKB_CB(skb)->sport);
		sin->sin_addr.s_addr = htonl(UDP_SKB_CB(skb)->h4.saddr);
		msg->msg_namelen = sizeof(*sin);
	}
	udp_cmsg_recv(sk, msg, skb);
	err = (flags & MSG_TRUNC) ? (int)skb->len : (int)copied;
	if (!(flags & MSG_PEEK)) {
		udp_net(sk->sk_net)->mib.in_datagrams++;
		__skb_unlink(skb, &sk->sk_receive_queue);
		consume_skb(skb);
	}
	return err;
}

/* __udp_queue_rcv_skb: the skb's data is the payload, its cb the
 * addresses. Consumes skb. */
static void udp_queue_rcv_skb(struct sock *sk, struct sk_buff *skb)
{
	struct netns_udp *un = udp_net(sk->sk_net);

	if (sock_queue_rcv_skb(sk, skb)) {
		un->mib.rcvbuf_errors++;
		un->mib.in_errors++;
		kfree_skb_reason(skb, SKB_DROP_REASON_SOCKET_RCVBUFF);
	}
}

/* Broadcast and multicast go to every matching socket (a clone each);
 * RFC 1122 3.2.2: never an ICMP error about them. */
static void udp_mcast_deliver(struct ns_stack *stack, struct sk_buff *skb, uint32_t saddr,
			      uint16_t sport, uint32_t daddr, uint16_t dport, int dif)
{
	struct sock *sk, *first = NULL;

	hlist_for_each_entry(sk, udp_slot(stack, dport), sk_node) {
		struct inet_sock *inet = inet_sk(sk);
		struct sk_buff *c;

		if (inet->inet_num != dport ||
		    (inet->inet_rcv_saddr && inet->inet_rcv_saddr != daddr) ||
		    (inet->inet_daddr && inet->inet_daddr != saddr) ||
		    (inet->inet_dport && inet->inet_dport != sport) ||
		    (sk->sk_bound_dev_if && sk->sk_bound_dev_if != dif))
			continue;
		if (!first) {
			first = sk;
			continue;
		}
		c = skb_clone(skb);
		if (c)
			udp_queue_rcv_skb(sk, c);
	}
	if (first) {
		udp_queue_rcv_skb(first, skb);
		return;
	}
	udp_net(stack)->mib.ignored_multi++;
	consume_skb(skb);
}

static int udp_drop(struct sk_buff *skb, uint64_t *counter, enum skb_drop_reason reason)
{
	struct netns_udp *un = udp_net(skb->stack);

	if (counter)
		(*counter)++;
	un->mib.in_errors++;
	kfree_skb_reason(skb, reason);
	return 0;
}

/* __udp4_lib_rcv: RFC 768 / RFC 1122 4.1.3.4. Consumes skb. */
static int udp_rcv(struct sk_buff *skb)
{
	struct ns_stack *stack = skb->stack;
	struct inet_skb_parm *cb = IPCB(skb);
	uint32_t saddr = cb->saddr, daddr = cb->daddr;
	struct udp_repr r;
	struct sock *sk;
	int rc;

	rc = udp_parse(skb->data, skb->len, &r);
	if (rc)
		return udp_drop(skb, NULL, SKB_DROP_REASON_PKT_TOO_SMALL);
	skb_trim(skb, r.len);	/* RFC 768: the length field rules; IP padding goes */
	skb_set_transport_header(skb, 0);
	/* RFC 1122 4.1.3.4: verify unless the sender sent no checksum (0) */
	if (!skb_csum_unnecessary(skb) &&
	    udp_verify_ipv4(skb->data, &r, saddr, daddr))
		return udp_drop(skb, &udp_net(stack)->mib.in_csum_errors, SKB_DROP_REASON_CSUM);
	UDP_SKB_CB(skb)->sport = r.sport;
	UDP_SKB_CB(skb)->dport = r.dport;
	skb_pull(skb, UDP_HLEN);
	if (cb->rt_type == RTN_BROADCAST || cb->rt_type == RTN_MULTICAST) {
		udp_mcast_deliver(stack, skb, saddr, r.sport, daddr, r.dport, cb->iif);
		return 0;
	}
	sk = udp4_lib_lookup(stack, saddr, r.sport, daddr, r.dport, cb->iif);
	if (sk) {
		udp_queue_rcv_skb(sk, skb);
		return 0;
	}
	/* a dual-stack AF_INET6 socket (src/ipv6/udp6.c) */
	if (udp6_v4mapped_rcv(skb, saddr, r.sport, daddr, r.dport, cb->iif))
		return 0;
	/* RFC 1122 4.1.3.1: port unreachable when nobody listens */
	udp_net(stack)->mib.no_ports++;
	skb_push(skb, UDP_HLEN);
	icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
	return 0;
}

/* ---- ICMP errors --------------------------------------------------------------------------- */
/* icmp_err_convert[] of net/ipv4/icmp.c */
static const struct {
	int err;
	bool fatal;
} icmp_err_convert[] = {
	{ ENETUNREACH, false }, { EHOSTUNREACH, false }, { ENOPROTOOPT, true },
	{ ECONNREFUSED, true }, { EMSGSIZE, false },	 { EOPNOTSUPP, false },
	{ ENETUNREACH, true },	{ EHOSTDOWN, true },	 { ENONET, true },
	{ ENETUNREACH, true },	{ EHOSTUNREACH, true },	 { ENETUNREACH, false },
	{ EHOSTUNREACH, false }, { EHOSTUNREACH, true }, { EHOSTUNREACH, true },
	{ EHOSTUNREACH, true },
};

/* -1: ignore the message; else the errno, *harderr set */
static int udp_err_to_errno(const struct icmp_err_info *e, const struct sock *sk, bool *harderr)
{
	*harderr = false;
	switch (e->type) {
	case ICMP_SOURCE_QUENCH:
	case ICMP_REDIRECT:
		return -1;
	case ICMP_PARAMETERPROB:
		*harderr = true;
		return EPROTO;
	case ICMP_DEST_UNREACH:
		if (e->code == ICMP_FRAG_NEEDED) {
			if (inet_sk(sk)->pmtudisc == IP_PMTUDISC_DONT)
				return -1;
			*harderr = true;
			return EMSGSIZE;
		}
		if (e->code < ARRAY_SIZE(icmp_err_convert)) {
			*harderr = icmp_err_convert[e->code].fatal;
			return icmp_err_convert[e->code].err;
		}
		return EHOSTUNREACH;
	default:
		return EHOSTUNREACH;	/* ICMP_TIME_EXCEEDED and the rest */
	}
}

/* __udp4_lib_err: the quoted datagram was ours (saddr:sport ->
 * daddr:dport). RFC 1122 4.1.3.3: pass ICMP errors to the application. */
static void udp_err(struct ns_stack *stack, const struct icmp_err_info *e)
{
	struct udp_repr r;
	struct sock *sk;
	bool harderr;
	int err;

	if (e->l4_len < UDP_HLEN)
		return;
	r.sport = get_be16(e->l4);
	r.dport = get_be16(e->l4 + 2);
	sk = udp4_lib_lookup(stack, e->daddr, r.dport, e->saddr, r.sport, 0);
	if (!sk)
		return;
	err = udp_err_to_errno(e, sk, &harderr);
	if (err < 0)
		return;
	if (!inet_sk(sk)->recverr) {
		if (!harderr || sk->sk_state != TCP_ESTABLISHED)
			return;
	} else {
		ip_icmp_error(sk, err, e->type, e->code, e->info, e->from, e->daddr, r.dport,
			      e->l4 + UDP_HLEN, e->l4_len - UDP_HLEN);
	}
	sk_report_error(sk, err);
}

/* ---- the rest of the proto ------------------------------------------------------------------- */
static void udp_close(struct sock *sk, long timeout)
{
	(void)timeout;
	udp_unhash(sk);
	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_error_queue);
	sock_put(sk);
}

static int udp_ioctl(struct sock *sk, int cmd, int *karg)
{
	struct sk_buff *skb;

	if (cmd != FIONREAD)	/* SIOCINQ: the next datagram's length */
		return -ENOTTY;
	skb = skb_peek(&sk->sk_receive_queue);
	*karg = skb ? (int)skb->len : 0;
	return 0;
}

static int udp_setsockopt(struct sock *sk, int level, int optname, const void *optval,
			  socklen_t optlen)
{
	if (level == SOL_UDP)
		return -ENOPROTOOPT;	/* UDP_CORK, UDP_SEGMENT...: not yet */
	return ip_setsockopt(sk, level, optname, optval, optlen);
}

static int udp_getsockopt(struct sock *sk, int level, int optname, void *optval,
			  socklen_t *optlen)
{
	if (level == SOL_UDP)
		return -ENOPROTOOPT;
	return ip_getsockopt(sk, level, optname, optval, optlen);
}

static const struct proto udp_prot = {
	.name = "UDP",
	.obj_size = sizeof(struct inet_sock),
	.close = udp_close,
	.connect = udp_connect,
	.disconnect = udp_disconnect,
	.ioctl = udp_ioctl,
	.setsockopt = udp_setsockopt,
	.getsockopt = udp_getsockopt,
	.sendmsg = udp_sendmsg,
	.recvmsg = udp_recvmsg,
	.bind = udp_bind,
	.unhash = udp_unhash,
	.get_port = udp_get_port,
	/* .poll: datagram_poll */
};

static const struct net_protocol udp_protocol = {
	.handler = udp_rcv,
	.err_handler = udp_err,
};

/* ---- /proc ---------------------------------------------------------------------------------- */
/* udp4_seq_show / udp4_format_sock: addresses print as the __be32 read
 * in host order (127.0.0.1 is 0100007F on x86), lines padded to 127. */
static int udp_seq_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	size_t start = s->len;

	(void)data;
	seq_puts(s, "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
		    "retrnsmt   uid  timeout inode ref pointer drops");
	seq_pad_line(s, start, 127, '\n');
	for (unsigned int b = 0; b < UDP_HTABLE_SIZE; b++) {
		struct sock *sk;

		hlist_for_each_entry(sk, &udp_net(stack)->hash[b], sk_node) {
			const struct inet_sock *inet = inet_sk(sk);

			start = s->len;
			seq_printf(s, "%5u: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X "
				      "%5u %8d %lu %d %016lx %u",
				   b, htonl(inet->inet_rcv_saddr), inet->inet_sport,
				   htonl(inet->inet_daddr), inet->inet_dport, sk->sk_state,
				   sk->sk_wmem_alloc, sk->sk_rmem_alloc, 0, 0UL, 0, 0U, 0,
				   (unsigned long)sk->sk_ino, sk->sk_refcnt, 0UL, sk->sk_drops);
			seq_pad_line(s, start, 127, '\n');
		}
	}
	return 0;
}

void udp_snmp_show(struct ns_stack *stack, struct seq_buf *s)
{
	static const struct udp_mib none;
	const struct udp_mib *m = udp_net(stack) ? &udp_net(stack)->mib : &none;
	static const char hdr[] = "InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors "
				  "SndbufErrors InCsumErrors IgnoredMulti MemErrors";

	seq_printf(s, "Udp: %s\nUdp: %llu %llu %llu %llu %llu %llu %llu %llu %llu\n", hdr,
		   (unsigned long long)m->in_datagrams, (unsigned long long)m->no_ports,
		   (unsigned long long)m->in_errors, (unsigned long long)m->out_datagrams,
		   (unsigned long long)m->rcvbuf_errors, (unsigned long long)m->sndbuf_errors,
		   (unsigned long long)m->in_csum_errors, (unsigned long long)m->ignored_multi,
		   (unsigned long long)m->mem_errors);
	seq_printf(s, "UdpLite: %s\nUdpLite: 0 0 0 0 0 0 0 0 0\n", hdr);
}

static int udp_snmp_seq(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	(void)data;
	udp_snmp_show(stack, s);
	return 0;
}

/* ---- subsystem ------------------------------------------------------------------------------- */
int udp_init(struct ns_stack *stack)
{
	struct netns_udp *un = calloc(1, sizeof(*un));
	int rc;

	if (!un)
		return -ENOMEM;
	stack->udp = un;
	un->hash_secret = ns_random_u32(stack);
	un->sw.family = AF_INET;
	un->sw.type = SOCK_DGRAM;
	un->sw.protocol = IPPROTO_UDP;
	un->sw.prot = &udp_prot;
	rc = inet_add_protocol(stack, &udp_protocol, IPPROTO_UDP);
	if (!rc)
		rc = sock_register_protosw(stack, &un->sw);
	if (!rc)
		rc = proc_create(stack, "/proc/net/udp", udp_seq_show, NULL, NULL);
	if (!rc)
		rc = ip_snmp_register(stack, udp_snmp_seq);	/* Udp:/UdpLite: of /proc/net/snmp */
	return rc;
}

void udp_exit(struct ns_stack *stack)
{
	struct netns_udp *un = stack->udp;

	if (!un)
		return;
	proc_remove(stack, "/proc/net/udp");
	if (un->sw.list.next)
		sock_unregister_protosw(stack, &un->sw);
	inet_del_protocol(stack, &udp_protocol, IPPROTO_UDP);
	free(un);
	stack->udp = NULL;
}
