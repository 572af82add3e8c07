/* tcp.c - TCP's socket side (Linux net/ipv4/tcp.c, af_inet.c parts): the
 * struct proto registered for (AF_INET, SOCK_STREAM, IPPROTO_TCP), state
 * changes and connection teardown (tcp_set_state, tcp_done, TIME-WAIT),
 * connect/listen/accept/close/shutdown (RFC 9293 3.10.1-3.10.4), send and
 * receive, poll, socket options and TCP_INFO, and the per-stack init with
 * the net.ipv4.tcp_* sysctls.
 *
 * Socket references: the application holds one (given to ->close), the
 * established or listening hash holds one while hashed, and every skb on
 * the send queues holds one (skb_set_owner_w). tcp_done() purges the send
 * queues and unhashes, so an orphan is freed when it reaches CLOSED. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <stdio.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/tcp.h>

#include "ipv4/tcp.h"
#include "ipv4/tcp_minisocks.h"
#include "ipv4/udp.h"

/* ---- state ------------------------------------------------------------------------------------------------- */
/* tcp_set_state(tp, TCP_CLOSE): out of the tables (the port too, unless
 * bound by the user and still owned) */
void tcp_set_state_close(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);
	struct netns_tcp *tn = tcp_net(sk);
	int old = sk->sk_state;

	if (old == TCP_ESTABLISHED || old == TCP_CLOSE_WAIT)
		TCP_INC_STATS(tn, TCP_MIB_ESTABRESETS);
	tcp_unhash(sk);
	if (tp->bound && !(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
		tcp_put_port(tp);
	else if (tp->bound && sock_flag(sk, SOCK_DEAD))
		tcp_put_port(tp);
	sk->sk_state = TCP_CLOSE;
}

static void tcp_write_queue_purge(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);

	skb_queue_purge(&sk->sk_write_queue);
	skb_queue_purge(&tp->rtx_queue);
	skb_queue_purge(&tp->ooo_queue);
	tp->packets_out = tp->retrans_out = tp->lost_out = tp->sacked_out = 0;
}

/* The connection is over (Linux's tcp_done + inet_csk_destroy_sock). */
void tcp_done(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);
	struct netns_tcp *tn = tcp_net(sk);

	if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV)
		TCP_INC_STATS(tn, TCP_MIB_ATTEMPTFAILS);
	sock_hold(sk);
	tcp_clear_xmit_timers(tp);
	tcp_write_queue_purge(tp);
	if (tp->parent) {
		/* still on a listener's accept queue: leave it there, closed
		 * (accept() returns it, reads give the error) */
	}
	tcp_set_state(tp, TCP_CLOSE);
	sk->sk_shutdown = SHUTDOWN_MASK;
	if (!sock_flag(sk, SOCK_DEAD))
		sk_state_change(sk);
	else
		skb_queue_purge(&sk->sk_receive_queue);
	sock_put(sk);
}

/* A RST arrived (RFC 9293 3.10.7.4 second check; Linux's tcp_reset). */
void tcp_reset(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);

	switch (sk->sk_state) {
	case TCP_SYN_SENT:
		sk->sk_err = ECONNREFUSED;
		break;
	case TCP_CLOSE_WAIT:
		sk->sk_err = EPIPE;
		break;
	case TCP_CLOSE:
		return;
	default:
		sk->sk_err = ECONNRESET;
	}
	sock_hold(sk);
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
	tcp_done(tp);
	sock_put(sk);
}

/* Enter TIME-WAIT (Linux's tcp_time_wait): a minisocket takes over the
 * 4-tuple for 2 MSL (tcp_minisocks.c) and the tcp_sock is done at once
 * (freed now if orphaned; an owner sees CLOSE, as on Linux). Over
 * tcp_max_tw_buckets the connection just closes. Only TIME-WAIT with
 * TCP_TIMEWAIT_LEN comes here (no FIN-WAIT-2 substate). */
void tcp_time_wait(struct tcp_sock *tp, int state, uint64_t timeo)
{
	(void)state;
	(void)timeo;
	tcp_tw_enter(tp);
	tcp_done(tp);
}

/* ---- life ---------------------------------------------------------------------------------------------------- */
void tcp_init_sock_fields(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);
	struct netns_tcp *tn = tcp_net(sk);

	INIT_LIST_HEAD(&tp->accept_node);
	INIT_HLIST_NODE(&tp->bind_node);
	skb_queue_head_init(&tp->rtx_queue);
	skb_queue_head_init(&tp->ooo_queue);
	tcp_init_xmit_timers(tp);
	tp->rto = TCP_TIMEOUT_INIT;
	tp->mdev_us = (uint32_t)(TCP_TIMEOUT_INIT / NS_PER_US);
	tp->snd_cwnd = TCP_INIT_CWND;
	tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
	tp->mss_cache = TCP_MSS_DEFAULT;
	tp->rcv_mss = TCP_MSS_DEFAULT;
	tp->pmtu = 576;
	tp->reordering = TCP_FASTRETRANS_THRESH;
	if (!tp->af_ops)
		tp->af_ops = &tcp_ipv4_ops;
	if (!tp->ca_ops)
		tp->ca_ops = tcp_ca_default(tn);
	sk->sk_memory_allocated = &tn->mem_bytes;
	list_add_tail(&tp->all_node, &tn->all);
}

static int tcp_v4_init_sock(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct netns_tcp *tn = tcp_net(sk);

	tcp_init_sock_fields(tp);
	/* Linux's tcp_init_sock: buffers from tcp_rmem[1] / tcp_wmem[1] */
	sk->sk_sndbuf = tn->tcp_wmem[1];
	sk->sk_rcvbuf = tn->tcp_rmem[1];
	return 0;
}

/* proto->destroy, at the last sock_put. */
static void tcp_v4_destroy_sock(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	tcp_clear_xmit_timers(tp);
	skb_queue_purge(&tp->rtx_queue);
	skb_queue_purge(&tp->ooo_queue);
	if (tp->lq) {
		while (!list_empty(&tp->lq->syn_queue))
			reqsk_free(list_first_entry(&tp->lq->syn_queue, struct request_sock, node));
		free(tp->lq);
		tp->lq = NULL;
	}
	tcp_put_port(tp);
	list_del(&tp->all_node);
}

/* A new socket for a completed passive open (Linux's sk_clone_lock +
 * tcp_create_openreq_child), in SYN-RECEIVED, hashed. */
struct tcp_sock *tcp_create_openreq_child(struct tcp_sock *lp, struct request_sock *req)
{
	struct sock *lsk = tp_sk(lp);
	struct ns_stack *stack = lsk->sk_net;
	struct netns_tcp *tn = stack->tcp;
	struct tcp_sock *tp = (struct tcp_sock *)(void *)sk_obj_alloc(stack, lsk->sk_prot->obj_size);
	struct sock *sk;
	struct ip_route_result res;

	if (!tp)
		return NULL;
	sk = tp_sk(tp);
	sk->sk_net = stack;
	sk->sk_prot = lsk->sk_prot;
	sk->sk_family = lsk->sk_family;
	sk->sk_type = lsk->sk_type;
	sk->sk_protocol = lsk->sk_protocol;
	sk->sk_refcnt = 1;
	sk->sk_state = TCP_SYN_RECV;
	sk->sk_bound_dev_if = lsk->sk_bound_dev_if;
	sk->sk_reuse = lsk->sk_reuse;
	sk->sk_reuseport = lsk->sk_reuseport;
	sk->sk_userlocks = lsk->sk_userlocks & (uint8_t)~SOCK_BINDPORT_LOCK;
	sk->sk_flags = lsk->sk_flags & ~(1U << SOCK_DEAD);
	sk->sk_rcvbuf = lsk->sk_rcvbuf;
	sk->sk_sndbuf = lsk->sk_sndbuf;
	sk->sk_rcvtimeo = lsk->sk_rcvtimeo;
	sk->sk_sndtimeo = lsk->sk_sndtimeo;
	sk->sk_lingertime = lsk->sk_lingertime;
	sk->sk_mark = lsk->sk_mark;
	sk->sk_priority = lsk->sk_priority;
	sk->sk_ino = stack->sock->next_ino++;
	skb_queue_head_init(&sk->sk_receive_queue);
	skb_queue_head_init(&sk->sk_write_queue);
	skb_queue_head_init(&sk->sk_error_queue);
	INIT_HLIST_NODE(&sk->sk_node);
	sk->sk_cb = lsk->sk_cb;
	stack->sock->nr_socks++;

	tp->inet.uc_ttl = lp->inet.uc_ttl;
	tp->inet.tos = lp->inet.tos;
	tp->inet.pmtudisc = lp->inet.pmtudisc;
	tp->inet.recverr = lp->inet.recverr;
	tp->inet.inet_rcv_saddr = req->laddr;
	tp->inet.inet_saddr = req->laddr;
	tp->inet.inet_daddr = req->raddr;
	tp->inet.inet_dport = req->rport;
	tp->af_ops = req->af_ops;
	tp->v6only = lp->v6only;
	if (req->af_ops->family == AF_INET6) {
		memcpy(tcp6_sk(tp)->v6_rcv_saddr, req->laddr6, 16);
		memcpy(tcp6_sk(tp)->v6_saddr, req->laddr6, 16);
		memcpy(tcp6_sk(tp)->v6_daddr, req->raddr6, 16);
		/* RFC 4007 6: a link-local peer pins the interface */
		if (req->raddr6[0] == 0xfe && (req->raddr6[1] & 0xc0) == 0x80)
			sk->sk_bound_dev_if = req->iif;
	} else if (sk->sk_family == AF_INET6) {
		/* a dual-stack listener's IPv4 child: ::ffff:a.b.c.d */
		static const uint8_t pfx[12] = { [10] = 0xff, [11] = 0xff };

		memcpy(tcp6_sk(tp)->v6_rcv_saddr, pfx, 12);
		put_be32(tcp6_sk(tp)->v6_rcv_saddr + 12, req->laddr);
		memcpy(tcp6_sk(tp)->v6_saddr, tcp6_sk(tp)->v6_rcv_saddr, 16);
		memcpy(tcp6_sk(tp)->v6_daddr, pfx, 12);
		put_be32(tcp6_sk(tp)->v6_daddr + 12, req->raddr);
	}
	tp->ca_ops = lp->ca_ops;
	tp->nonagle = lp->nonagle;
	tp->keepalive_time = lp->keepalive_time;
	tp->keepalive_intvl = lp->keepalive_intvl;
	tp->keepalive_probes = lp->keepalive_probes;
	tp->linger2 = lp->linger2;
	tp->rx_opt.user_mss = lp->rx_opt.user_mss;
	tcp_init_sock_fields(tp);

	/* the handshake's numbers (RFC 9293 3.10.7.2) */
	tp->iss = req->snt_isn;
	tp->snd_una = tp->snd_nxt = tp->write_seq = req->snt_isn + 1;
	tp->snd_sml = tp->snd_una;
	tp->rcv_nxt = tp->rcv_wup = tp->copied_seq = req->rcv_isn + 1;
	tp->rcv_wnd = req->rcv_wnd;
	tp->rx_opt.rcv_wscale = req->rcv_wscale;
	tp->rx_opt.snd_wscale = req->snd_wscale;
	tp->rx_opt.wscale_ok = req->wscale_ok;
	tp->rx_opt.sack_ok = req->sack_ok;
	tp->rx_opt.tstamp_ok = req->tstamp_ok;
	tp->rx_opt.ts_recent = req->ts_recent;
	tp->rx_opt.ts_recent_stamp = req->tstamp_ok ? tcp_clock(stack) : 0;
	tp->rx_opt.mss_clamp = req->mss;
	tp->window_clamp = 65535U << TCP_MAX_WSCALE;
	tp->pmtu = 1500;
	if (!tcp_route(tp, &res))
		tp->pmtu = res.mtu;
	tp->advmss = tcp_mss_u16(tp->pmtu - tcp_net_hdr(tp) - TCP_HLEN_MIN);
	if (tp->rx_opt.user_mss && tp->rx_opt.user_mss < tp->advmss)
		tp->advmss = tp->rx_opt.user_mss;
	tcp_sync_mss(tp, tp->pmtu);
	/* the child shares the listener's port (Linux's __inet_inherit_port) */
	{
		uint16_t port = lp->inet.inet_num;

		tp->inet.inet_num = port;
		tp->inet.inet_sport = port;
		hlist_add_head(&tp->bind_node, &tn->bhash.buckets[port & tn->bhash.mask]);
		tp->bound = true;
		tn->bhash.count++;
	}
	tcp_ehash_add(tp);
	TCP_INC_STATS(tn, TCP_MIB_PASSIVEOPENS);
	return tp;
}

/* The handshake is over: MSS, windows, cwnd, buffers (tcp_init_transfer). */
void tcp_init_transfer(struct tcp_sock *tp)
{
	tcp_sync_mss(tp, tp->pmtu);
	tp->snd_cwnd = TCP_INIT_CWND;		/* RFC 6928 */
	tp->snd_cwnd_cnt = 0;
	tp->rcv_mss = tcp_mss_u16(NS_MIN(tp->advmss, tp->mss_cache));
	tp->rack.fack = tp->rack.fack_next = tp->snd_una;
	tp->rcv_tstamp = tcp_now(tp);
	tp->lsndtime = tp->rcv_tstamp;
	if (tp->ca_ops->init)
		tp->ca_ops->init(tp);
	tcp_sndbuf_expand(tp);
	/* Linux: after the first retransmitted SYN, RFC 6298 5.7's 3 s */
	if (tp->total_retrans && !tp->srtt_us)
		tp->rto = 3 * NS_PER_SEC;
	else if (!tp->srtt_us)
		tp->rto = TCP_TIMEOUT_INIT;
}

void tcp_destroy_sock(struct tcp_sock *tp)
{
	tcp_done(tp);
}

/* ---- bind / connect / listen / accept --------------------------------------------------------------------------- */
static int tcp_v4_bind(struct sock *sk, const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)uaddr;
	struct inet_sock *in = inet_sk(sk);
	uint32_t addr = ntohl(sin->sin_addr.s_addr);
	uint16_t port = ntohs(sin->sin_port);
	unsigned int type;
	int err;

	(void)addr_len;
	if (addr) {
		type = inet_addr_type(sk->sk_net, addr);
		if (type != RTN_LOCAL)
			return -EADDRNOTAVAIL;
	}
	in->inet_rcv_saddr = addr;
	in->inet_saddr = addr;
	err = tcp_v4_get_port(sk, port);
	if (err) {
		in->inet_rcv_saddr = in->inet_saddr = 0;
		return err;
	}
	if (addr)
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	if (port)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	in->inet_daddr = 0;
	in->inet_dport = 0;
	return 0;
}

static int tcp_get_port(struct sock *sk, unsigned short snum)
{
	return tcp_v4_get_port(sk, snum);
}

/* MSS, window and scale for our SYN (Linux's tcp_connect_init). */
void tcp_connect_init(struct tcp_sock *tp, unsigned int mtu)
{
	struct sock *sk = tp_sk(tp);
	struct netns_tcp *tn = tcp_net(sk);
	unsigned int hdrs = tcp_net_hdr(tp) + TCP_HLEN_MIN;

	tp->pmtu = mtu;
	tp->advmss = mtu > hdrs ? tcp_mss_u16(mtu - hdrs) : TCP_MSS_DEFAULT;
	if (tp->rx_opt.user_mss && tp->rx_opt.user_mss < tp->advmss)
		tp->advmss = tp->rx_opt.user_mss;
	tp->rx_opt.mss_clamp = tp->rx_opt.user_mss ? tp->rx_opt.user_mss : 0;
	tp->rx_opt.tstamp_ok = false;
	tcp_sync_mss(tp, mtu);
	tcp_select_initial_window(tn, sk->sk_rcvbuf, tp->advmss, &tp->rcv_wnd, &tp->window_clamp,
				  tn->window_scaling != 0, &tp->rx_opt.rcv_wscale);
	tp->rcv_wup = 0;
	tp->rto = TCP_TIMEOUT_INIT;
	tp->retransmits = 0;
	tp->backoff = 0;
}

/* RFC 9293 3.10.1 OPEN call, active: CLOSED -> SYN-SENT. */
static int tcp_v4_connect(struct sock *sk, const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)uaddr;
	struct tcp_sock *tp = tcp_sk(sk);
	struct inet_sock *in = inet_sk(sk);
	struct ip_route_result res;
	int err;

	if (addr_len < (int)sizeof(*sin))
		return -EINVAL;
	if (sin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	if (sk->sk_state != TCP_CLOSE)
		return sk->sk_state == TCP_SYN_SENT ? -EALREADY : -EISCONN;
	in->inet_daddr = ntohl(sin->sin_addr.s_addr);
	in->inet_dport = ntohs(sin->sin_port);
	if (!in->inet_daddr)
		in->inet_daddr = 0x7f000001;	/* Linux: INADDR_ANY means loopback */
	err = tcp_route(tp, &res);
	if (!err && (res.type == RTN_BROADCAST || res.type == RTN_MULTICAST))
		err = -ENETUNREACH;
	if (err)
		goto fail;
	if (!in->inet_rcv_saddr)
		in->inet_rcv_saddr = in->inet_saddr;
	if (!tp->write_seq)
		tp->write_seq = 0;
	err = tcp_connect_port(tp);
	if (err)
		goto fail;
	tcp_connect_init(tp, res.mtu);
	return tcp_connect_finish(tp);
fail:
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK))
		in->inet_rcv_saddr = in->inet_saddr = 0;
	in->inet_daddr = 0;
	in->inet_dport = 0;
	return err;
}

/* The port is chosen and hashed, tcp_connect_init done: ISN (RFC 6528),
 * SYN-SENT, the SYN. -EINPROGRESS or an error (the socket closed). */
static int __tcp_connect_finish(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);
	struct netns_tcp *tn = tcp_net(sk);
	struct tcp_addrs a;
	int err;

	if (!tp->write_seq) {
		tcp_sk_addrs(tp, &a);
		a.laddr = tp->inet.inet_rcv_saddr;
		if (sk->sk_family == AF_INET6)
			memcpy(a.laddr6, tcp6_sk(tp)->v6_rcv_saddr, 16);
		tp->iss = tp->af_ops->init_seq(tn, &a, tp->inet.inet_sport, tp->inet.inet_dport,
					       tcp_clock(sk->sk_net));
	} else {
		tp->iss = tp->write_seq;
	}
	tp->snd_una = tp->iss;
	tp->snd_sml = tp->iss;
	tp->snd_nxt = tp->iss;
	tp->snd_wl2 = tp->iss;
	tcp_set_state(tp, TCP_SYN_SENT);
	TCP_INC_STATS(tn, TCP_MIB_ACTIVEOPENS);
	err = tcp_send_syn(tp);
	if (err) {
		tcp_done(tp);
		return err;
	}
	return -EINPROGRESS;
}

/* One clock read for the ISN, the SYN and its timer (tcp_clock_hold). */
int tcp_connect_finish(struct tcp_sock *tp)
{
	struct ns_stack *stack = tp_sk(tp)->sk_net;
	bool own = tcp_clock_hold(stack);
	int err = __tcp_connect_finish(tp);

	tcp_clock_release(stack, own);
	return err;
}

static int tcp_disconnect(struct sock *sk, int flags);

/* Abort every child and request of a listener (inet_csk_listen_stop). */
static void tcp_listen_stop(struct tcp_sock *lp)
{
	while (!list_empty(&lp->lq->syn_queue))
		reqsk_free(list_first_entry(&lp->lq->syn_queue, struct request_sock, node));
	while (!list_empty(&lp->lq->accept_queue)) {
		struct tcp_sock *c = list_first_entry(&lp->lq->accept_queue, struct tcp_sock, accept_node);
		struct sock *csk = tp_sk(c);

		list_del(&c->accept_node);
		c->parent = NULL;
		tp_sk(lp)->sk_ack_backlog--;
		sock_set_flag(csk, SOCK_DEAD);
		tcp_disconnect(csk, 0);
		sock_put(csk);		/* the reference accept() would have taken */
	}
}

/* connect(AF_UNSPEC) and listener teardown: abort (Linux's tcp_disconnect). */
static int tcp_disconnect(struct sock *sk, int flags)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int old = sk->sk_state;

	(void)flags;
	if (old == TCP_CLOSE)
		return 0;
	if (old == TCP_LISTEN)	/* its queued children and requests go too */
		tcp_listen_stop(tp);
	if (TCPF(old) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_CLOSE_WAIT) | TCPF(TCP_FIN_WAIT1) |
			 TCPF(TCP_FIN_WAIT2) | TCPF(TCP_CLOSING) | TCPF(TCP_LAST_ACK) |
			 TCPF(TCP_SYN_RECV)))
		tcp_send_active_reset(tp);
	skb_queue_purge(&sk->sk_receive_queue);
	tcp_done(tp);
	sk->sk_shutdown = 0;
	sock_reset_flag(sk, SOCK_DONE);
	tp->write_seq = 0;
	tp->fin_queued = false;
	tp->srtt_us = 0;
	tp->rto = TCP_TIMEOUT_INIT;
	tp->snd_cwnd = TCP_INIT_CWND;
	tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
	tp->ca_state = TCP_CA_OPEN;
	tp->is_cwnd_limited = false;	/* Linux's tcp_disconnect */
	tp->max_packets_out = 0;
	tp->cwnd_usage_seq = 0;
	return 0;
}


static int tcp_listen(struct sock *sk, int backlog)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int err;

	if (sk->sk_type != SOCK_STREAM)
		return -EOPNOTSUPP;
	if (sk->sk_state == TCP_LISTEN) {
		sk->sk_max_ack_backlog = backlog;
		return 0;
	}
	if (sk->sk_state != TCP_CLOSE)
		return -EINVAL;
	if (!tp->lq) {
		tp->lq = calloc(1, sizeof(*tp->lq));
		if (!tp->lq)
			return -ENOBUFS;
		INIT_LIST_HEAD(&tp->lq->syn_queue);
		INIT_LIST_HEAD(&tp->lq->accept_queue);
	}
	if (!tp->bound) {
		err = tcp_v4_get_port(sk, 0);
		if (err)
			return -EAGAIN;
	} else if (tcp_v4_listen_check(tp)) {
		return -EADDRINUSE;
	}
	sk->sk_max_ack_backlog = backlog;
	sk->sk_ack_backlog = 0;
	sk->sk_state = TCP_LISTEN;
	tcp_listen_hash(tp);
	return 0;
}

static struct sock *tcp_accept(struct sock *sk, int flags, int *err)
{
	struct tcp_sock *lp = tcp_sk(sk);
	struct tcp_sock *c;

	(void)flags;
	if (sk->sk_state != TCP_LISTEN) {
		*err = -EINVAL;
		return NULL;
	}
	list_for_each_entry(c, &lp->lq->accept_queue, accept_node) {
		if (tp_sk(c)->sk_state == TCP_SYN_RECV)
			continue;
		list_del(&c->accept_node);
		INIT_LIST_HEAD(&c->accept_node);
		c->parent = NULL;
		sk->sk_ack_backlog--;
		*err = 0;
		return tp_sk(c);
	}
	*err = -EAGAIN;
	return NULL;
}

/* ---- close and shutdown (RFC 9293 3.10.4) ------------------------------------------------------------------------ */
/* Linux's tcp_close_state: the state after our FIN; true: send it. */
static bool tcp_close_state(struct tcp_sock *tp)
{
	switch (tp_sk(tp)->sk_state) {
	case TCP_ESTABLISHED:
	case TCP_SYN_RECV:
		tcp_set_state(tp, TCP_FIN_WAIT1);
		return true;
	case TCP_CLOSE_WAIT:
		tcp_set_state(tp, TCP_LAST_ACK);
		return true;
	case TCP_SYN_SENT:
		tcp_done(tp);
		return false;
	default:
		return false;
	}
}

static void __tcp_close(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct netns_tcp *tn = tcp_net(sk);
	bool unread = !skb_queue_empty(&sk->sk_receive_queue);

	sk->sk_shutdown = SHUTDOWN_MASK;
	sock_set_flag(sk, SOCK_DEAD);
	if (sk->sk_state == TCP_LISTEN) {
		tcp_listen_stop(tp);
		tcp_set_state(tp, TCP_CLOSE);
		sock_put(sk);
		return;
	}
	skb_queue_purge(&sk->sk_receive_queue);
	if (sk->sk_state == TCP_CLOSE) {
		/* nothing */
	} else if (unread) {
		/* RFC 9293 3.10.4 / RFC 2525 2.17: unread data - RST */
		TCP_INC_STATS(tn, TCP_MIB_ABORTONCLOSE);
		tcp_send_active_reset(tp);
		tcp_done(tp);
	} else if (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime) {
		/* SO_LINGER with zero timeout: abort (Linux's tcp_disconnect) */
		TCP_INC_STATS(tn, TCP_MIB_ABORTONLINGER);
		tcp_disconnect(sk, 0);
	} else if (tcp_close_state(tp)) {
		tcp_send_fin(tp);
	}
	if (sk->sk_state == TCP_FIN_WAIT2) {
		int t = tp->linger2 ? tp->linger2 : tn->fin_timeout;

		if (t < 0) {
			tcp_send_active_reset(tp);
			tcp_done(tp);
		} else {
			tcp_reset_keepalive_timer(tp, (uint64_t)t * NS_PER_SEC);
		}
	}
	sock_put(sk);	/* the application's reference */
}

/* One clock read for the FIN, its timer and the state change (as
 * tcp_sendmsg: Linux's tcp_mstamp_refresh). */
static void tcp_close(struct sock *sk, long timeout)
{
	struct ns_stack *stack = sk->sk_net;
	bool own = tcp_clock_hold(stack);

	(void)timeout;
	__tcp_close(sk);	/* may free sk */
	tcp_clock_release(stack, own);
}

static int __tcp_shutdown(struct sock *sk, int how)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (sk->sk_state == TCP_LISTEN && (how & RCV_SHUTDOWN)) {
		tcp_listen_stop(tp);
		tcp_set_state(tp, TCP_CLOSE);
		return 0;
	}
	if (sk->sk_state == TCP_SYN_SENT) {
		tcp_disconnect(sk, 0);
		return 0;
	}
	if (!(how & SEND_SHUTDOWN))
		return 0;
	if (TCPF(sk->sk_state) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_SYN_RECV) | TCPF(TCP_CLOSE_WAIT)))
		if (tcp_close_state(tp))
			tcp_send_fin(tp);
	return 0;
}

static int tcp_shutdown(struct sock *sk, int how)
{
	bool own = tcp_clock_hold(sk->sk_net);
	int rc = __tcp_shutdown(sk, how);

	tcp_clock_release(sk->sk_net, own);
	return rc;
}

/* ---- data ---------------------------------------------------------------------------------------------------------- */
static __attribute__((noinline)) void iov_copy_slow(const struct msghdr *msg, size_t off,
						     void *buf, size_t n, bool to_user)
{
	uint8_t *b = buf;

	for (size_t i = 0; i < msg->msg_iovlen && n; i++) {
		size_t l = msg->msg_iov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		size_t k = NS_MIN(n, l - off);
		uint8_t *base = (uint8_t *)msg->msg_iov[i].iov_base + off;

		if (to_user)
			memcpy(base, b, k);
		else
			memcpy(b, base, k);
		b += k;
		n -= k;
		off = 0;
	}
}

/* Copy n bytes between buf and the message's buffers from offset off. The
 * usual send()/recv() has one buffer holding the whole range: one memcpy,
 * no walk. */
static inline void iov_copy(const struct msghdr *msg, size_t off, void *buf, size_t n, bool to_user)
{
	const struct iovec *v = msg->msg_iov;

	if (likely(msg->msg_iovlen == 1 && off <= v->iov_len && n <= v->iov_len - off)) {
		uint8_t *base = (uint8_t *)v->iov_base + off;

		if (to_user)
			memcpy(base, buf, n);
		else
			memcpy(buf, base, n);
		return;
	}
	iov_copy_slow(msg, off, buf, n, to_user);
}

static unsigned int tcp_seg_cap(struct tcp_sock *tp)
{
	unsigned int cap = skb_pool_max_size() - NS_SKB_HEADROOM - 64;

	return NS_MIN(tcp_current_mss(tp), cap);
}

/* Linux's sk_stream_memory_free: may the sender queue one more skb? While
 * less than sk_sndbuf is charged (the new skb may overshoot it, as in
 * sock_wmem_ok). */
static bool sk_stream_memory_free(const struct sock *sk)
{
	return sk->sk_wmem_alloc < sk->sk_sndbuf;
}

/* Linux's sk_wmem_schedule for a new skb: over the tcp_mem hard limit a
 * socket keeps only its tcp_wmem[0] guarantee (__sk_mem_raise_allocated). */
static bool tcp_wmem_schedule(struct sock *sk)
{
	struct netns_tcp *tn = tcp_net(sk);

	return tcp_under_memory_pressure(tn, tcp_now(tcp_sk(sk))) < 2 ||
	       sk->sk_wmem_alloc < tn->tcp_wmem[0];
}

static int __tcp_sendmsg(struct sock *sk, const struct msghdr *msg, size_t len, int flags)
{
	struct tcp_sock *tp = tcp_sk(sk);
	size_t copied = 0;
	unsigned int mss;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (sk->sk_err)
		return sock_error(sk);
	if (TCPF(sk->sk_state) & (TCPF(TCP_SYN_SENT) | TCPF(TCP_SYN_RECV)))
		return -EAGAIN;		/* sk_stream_wait_connect */
	if (!(TCPF(sk->sk_state) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_CLOSE_WAIT))) ||
	    (sk->sk_shutdown & SEND_SHUTDOWN))
		return -EPIPE;
	mss = tcp_seg_cap(tp);
	while (copied < len) {
		struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);
		size_t chunk;

		if (!skb || skb->len >= mss || (TCP_SKB_CB(skb)->tcp_flags & TCP_FLAG_FIN) ||
		    skb_tailroom(skb) == 0) {
			/* room first, then the allocation (Linux's
			 * tcp_sendmsg_locked): a full buffer is a wait, not
			 * an allocation freed again as a drop */
			if (!sk_stream_memory_free(sk) || !tcp_wmem_schedule(sk)) {
				sock_set_flag(sk, SOCK_NOSPACE);
				break;
			}
			skb = alloc_skb_tx(sk->sk_net, mss);
			if (!skb)
				break;
			memset(skb->cb, 0, sizeof(skb->cb));
			TCP_SKB_CB(skb)->seq = tp->write_seq;
			TCP_SKB_CB(skb)->end_seq = tp->write_seq;
			TCP_SKB_CB(skb)->tcp_flags = TCP_FLAG_ACK;
			skb_set_owner_w(skb, sk);
			__skb_queue_tail(&sk->sk_write_queue, skb);
		}
		chunk = NS_MIN(len - copied, (size_t)(mss - skb->len));
		chunk = NS_MIN(chunk, (size_t)skb_tailroom(skb));
		iov_copy(msg, copied, skb_put(skb, (unsigned int)chunk), chunk, false);
		TCP_SKB_CB(skb)->end_seq += (uint32_t)chunk;
		tp->write_seq += (uint32_t)chunk;
		copied += chunk;
	}
	if (!copied)
		return -EAGAIN;
	{
		struct sk_buff *tail = skb_peek_tail(&sk->sk_write_queue);

		if (tail && !(flags & MSG_MORE))
			TCP_SKB_CB(tail)->tcp_flags |= TCP_FLAG_PSH;
	}
	if (flags & MSG_MORE) {
		uint8_t saved = tp->nonagle;

		tp->nonagle |= TCP_NAGLE_CORK;
		tcp_push(tp);
		tp->nonagle = saved;
	} else {
		tcp_push(tp);
	}
	return (int)copied;
}

static int tcp_sendmsg(struct sock *sk, const struct msghdr *msg, size_t len, int flags)
{
	bool own = tcp_clock_hold(sk->sk_net);
	int rc = __tcp_sendmsg(sk, msg, len, flags);

	tcp_clock_release(sk->sk_net, own);
	return rc;
}

/* After reading: advertise the opened window when it doubled (Linux's
 * tcp_cleanup_rbuf). */
static void tcp_cleanup_rbuf(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);
	uint32_t now_wnd = tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt;
	uint32_t space = tcp_space(tp);

	if (sk->sk_shutdown & RCV_SHUTDOWN)
		return;
	if ((int32_t)now_wnd < 0)
		now_wnd = 0;
	if (space >= 2 * now_wnd && space - now_wnd >= NS_MAX(tp->rcv_mss, 1U) &&
	    (TCPF(sk->sk_state) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_FIN_WAIT1) |
				   TCPF(TCP_FIN_WAIT2))))
		tcp_send_ack(tp);
}

static int __tcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb, *tmp;
	size_t copied = 0, avail = 0;
	uint32_t seq = tp->copied_seq;

	if (flags & MSG_OOB)
		return -EINVAL;		/* RFC 6093: no urgent data out of band */
	if (flags & MSG_ERRQUEUE)
		return ip_recv_error(sk, msg, len);
	if (sk->sk_state == TCP_LISTEN)
		return -ENOTCONN;
	if (flags & MSG_WAITALL)	/* only MSG_WAITALL needs the queued total */
		skb_queue_walk(&sk->sk_receive_queue, skb)
			avail += skb->len - (tp->copied_seq - TCP_SKB_CB(skb)->seq);
	if ((flags & MSG_WAITALL) && avail < len && !(sk->sk_shutdown & RCV_SHUTDOWN) &&
	    !sk->sk_err && avail < (size_t)sk->sk_rcvbuf / 4 && sk->sk_state != TCP_CLOSE)
		return -EAGAIN;
	skb_queue_walk_safe(&sk->sk_receive_queue, skb, tmp) {
		uint32_t off = seq - TCP_SKB_CB(skb)->seq;
		size_t n;

		if (copied >= len)
			break;
		n = NS_MIN((size_t)(skb->len - off), len - copied);
		if (!(flags & MSG_TRUNC))
			iov_copy(msg, copied, skb->data + off, n, true);
		copied += n;
		seq += (uint32_t)n;
		if (!(flags & MSG_PEEK)) {
			tp->copied_seq = seq;
			if (off + n == skb->len) {
				__skb_unlink(skb, &sk->sk_receive_queue);
				consume_skb(skb);
			}
		}
	}
	if (copied) {
		if (!(flags & MSG_PEEK)) {
			tcp_rcv_space_update(tp);
			tcp_cleanup_rbuf(tp);
		}
		return (int)copied;
	}
	if (sk->sk_err)
		return sock_error(sk);
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		return 0;
	if (sk->sk_state == TCP_CLOSE)
		return sock_flag(sk, SOCK_DONE) ? 0 : -ENOTCONN;
	return -EAGAIN;
}

/* Data queued: read it with the clock held. Out of line, so that the
 * empty case below needs no stack frame. */
static __attribute__((noinline)) int tcp_recvmsg_queued(struct sock *sk, struct msghdr *msg,
							size_t len, int flags)
{
	bool own = tcp_clock_hold(sk->sk_net);
	int rc = __tcp_recvmsg(sk, msg, len, flags);

	tcp_clock_release(sk->sk_net, own);
	return rc;
}

/* Linux's tcp_poll. */
static int tcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags)
{
	/* nothing queued: no clock needed (the common "poll again" call);
	 * with no error, EOF, closed or listening state and no special flag,
	 * __tcp_recvmsg's answer is known */
	if (skb_queue_empty(&sk->sk_receive_queue)) {
		if (likely(!(flags & (MSG_OOB | MSG_ERRQUEUE)) && !sk->sk_err &&
			   !(sk->sk_shutdown & RCV_SHUTDOWN) &&
			   !(TCPF(sk->sk_state) & (TCPF(TCP_LISTEN) | TCPF(TCP_CLOSE)))))
			return -EAGAIN;
		return __tcp_recvmsg(sk, msg, len, flags);
	}
	return tcp_recvmsg_queued(sk, msg, len, flags);
}

static unsigned int tcp_poll(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	unsigned int mask = 0;
	int state = sk->sk_state;

	if (state == TCP_LISTEN) {
		struct tcp_sock *c;

		list_for_each_entry(c, &tp->lq->accept_queue, accept_node)
			if (tp_sk(c)->sk_state != TCP_SYN_RECV)
				return EPOLLIN | EPOLLRDNORM;
		return 0;
	}
	if (sk->sk_shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
		if (!skb_queue_empty(&sk->sk_receive_queue))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!(sk->sk_shutdown & SEND_SHUTDOWN)) {
			if (sock_writeable(sk))
				mask |= EPOLLOUT | EPOLLWRNORM;
			else
				sock_set_flag(sk, SOCK_NOSPACE);
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	if (sk->sk_err)
		mask |= EPOLLERR;
	return mask;
}

static int tcp_ioctl(struct sock *sk, int cmd, int *karg)
{
	struct tcp_sock *tp = tcp_sk(sk);

	switch (cmd) {
	case FIONREAD:	/* SIOCINQ */
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		*karg = (int)(tp->rcv_nxt - tp->copied_seq -
			      ((sk->sk_shutdown & RCV_SHUTDOWN) && sock_flag(sk, SOCK_DONE) ? 1 : 0));
		if (*karg < 0)
			*karg = 0;
		return 0;
	case SIOCOUTQNSD:
		*karg = (int)(tp->write_seq - tp->snd_nxt);
		return 0;
	default:
		return -ENOTTY;
	}
}

/* ---- options ---------------------------------------------------------------------------------------------------------- */
void tcp_get_info(struct tcp_sock *tp, struct tcp_info *info)
{
	struct sock *sk = tp_sk(tp);
	uint64_t now = tcp_now(tp);

	memset(info, 0, sizeof(*info));
	info->tcpi_state = (uint8_t)sk->sk_state;
	info->tcpi_ca_state = tp->ca_state;
	info->tcpi_retransmits = tp->retransmits;
	info->tcpi_probes = tp->probes_out;
	info->tcpi_backoff = tp->backoff;
	if (tp->rx_opt.tstamp_ok)
		info->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (tp->rx_opt.sack_ok)
		info->tcpi_options |= TCPI_OPT_SACK;
	info->tcpi_reordering = tp->reordering;
	if (tp->rx_opt.wscale_ok) {
		info->tcpi_options |= TCPI_OPT_WSCALE;
		info->tcpi_snd_wscale = tp->rx_opt.snd_wscale;
		info->tcpi_rcv_wscale = tp->rx_opt.rcv_wscale;
	}
	info->tcpi_rto = (uint32_t)(tp->rto / NS_PER_US);
	info->tcpi_ato = (uint32_t)(tp->ato / NS_PER_US);
	info->tcpi_snd_mss = tp->mss_cache;
	info->tcpi_rcv_mss = tp->rcv_mss;
	info->tcpi_unacked = tp->packets_out;
	info->tcpi_sacked = tp->sacked_out;
	info->tcpi_lost = tp->lost_out;
	info->tcpi_retrans = tp->retrans_out;
	info->tcpi_last_data_sent = (uint32_t)((now - tp->lsndtime) / NS_PER_MS);
	info->tcpi_last_data_recv = (uint32_t)(now / NS_PER_MS) - tp->lrcvtime;
	info->tcpi_last_ack_recv = (uint32_t)((now - tp->rcv_tstamp) / NS_PER_MS);
	info->tcpi_pmtu = tp->pmtu;
	info->tcpi_rcv_ssthresh = tp->rcv_wnd;
	info->tcpi_rtt = tp->srtt_us >> 3;
	info->tcpi_rttvar = tp->mdev_us >> 2;
	info->tcpi_snd_ssthresh = tp->snd_ssthresh;
	info->tcpi_snd_cwnd = tp->snd_cwnd;
	info->tcpi_advmss = tp->advmss;
	info->tcpi_reordering = 3;
	info->tcpi_rcv_space = tp->rcv_wnd;
	info->tcpi_total_retrans = tp->total_retrans;
	info->tcpi_bytes_acked = tp->bytes_acked;
	info->tcpi_bytes_received = tp->bytes_received;
	info->tcpi_segs_out = tp->segs_out;
	info->tcpi_segs_in = tp->segs_in;
	info->tcpi_data_segs_in = tp->data_segs_in;
	info->tcpi_data_segs_out = tp->data_segs_out;
	info->tcpi_bytes_sent = tp->bytes_sent;
	info->tcpi_bytes_retrans = tp->bytes_retrans;
	info->tcpi_notsent_bytes = tp->write_seq - tp->snd_nxt;
	info->tcpi_min_rtt = tp->srtt_us >> 3;
	info->tcpi_snd_wnd = tp->snd_wnd;
}

static int get_int(const void *optval, socklen_t optlen, int *v)
{
	if (optlen < sizeof(int))
		return -EINVAL;
	memcpy(v, optval, sizeof(int));
	return 0;
}

static int tcp_setsockopt(struct sock *sk, int level, int optname, const void *optval,
			  socklen_t optlen)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int v = 0, err;

	if (level == SOL_IP)
		return ip_setsockopt(sk, level, optname, optval, optlen);
	if (level != IPPROTO_TCP)
		return -ENOPROTOOPT;
	if (optname == TCP_CONGESTION) {
		char name[16] = { 0 };
		const struct tcp_congestion_ops *ca;

		memcpy(name, optval, NS_MIN((size_t)optlen, sizeof(name) - 1));
		ca = tcp_ca_find(name);
		if (!ca)
			return -ENOENT;
		if (ca != tp->ca_ops) {
			tp->ca_ops = ca;
			memset(tp->ca_priv, 0, sizeof(tp->ca_priv));
			if (sk->sk_state == TCP_ESTABLISHED && ca->init)
				ca->init(tp);
		}
		return 0;
	}
	err = get_int(optval, optlen, &v);
	if (err)
		return err;
	switch (optname) {
	case TCP_NODELAY:
		if (v) {
			tp->nonagle |= TCP_NAGLE_OFF | TCP_NAGLE_PUSH;
			tcp_push(tp);
		} else {
			tp->nonagle &= (uint8_t)~TCP_NAGLE_OFF;
		}
		return 0;
	case TCP_CORK:
		if (v) {
			tp->nonagle |= TCP_NAGLE_CORK;
		} else {
			tp->nonagle &= (uint8_t)~TCP_NAGLE_CORK;
			tp->nonagle |= TCP_NAGLE_PUSH;
			tcp_push(tp);
		}
		return 0;
	case TCP_MAXSEG:
		/* Linux: 88..65535 (TCP_MIN_MSS..MAX_TCP_WINDOW), 0 resets */
		if (v && (v < (int)TCP_MIN_MSS || v > 65535))
			return -EINVAL;
		tp->rx_opt.user_mss = (uint16_t)v;
		return 0;
	case TCP_KEEPIDLE:
		if (v < 1 || v > 32767)
			return -EINVAL;
		tp->keepalive_time = v;
		if (sock_flag(sk, SOCK_KEEPOPEN) && sk->sk_state == TCP_ESTABLISHED)
			tcp_reset_keepalive_timer(tp, (uint64_t)v * NS_PER_SEC);
		return 0;
	case TCP_KEEPINTVL:
		if (v < 1 || v > 32767)
			return -EINVAL;
		tp->keepalive_intvl = v;
		return 0;
	case TCP_KEEPCNT:
		if (v < 1 || v > 127)
			return -EINVAL;
		tp->keepalive_probes = v;
		return 0;
	case TCP_LINGER2:
		/* the range fits linger2's int16_t */
		tp->linger2 = (int16_t)(v < 0 ? -1 : (v > TCP_FIN_TIMEOUT * 2 ? 0 : v));
		return 0;
	case TCP_QUICKACK:
		if (v) {
			tp->ack_pingpong = false;
			tp->ack_quick = TCP_MAX_QUICKACKS;
			if (tp->ack_pending & ICSK_ACK_SCHED)
				tcp_send_ack(tp);
		} else {
			tp->ack_pingpong = true;
		}
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int put_opt(void *optval, socklen_t *optlen, const void *val, size_t len)
{
	size_t n = NS_MIN((size_t)*optlen, len);

	memcpy(optval, val, n);
	*optlen = (socklen_t)n;
	return 0;
}

static int tcp_getsockopt(struct sock *sk, int level, int optname, void *optval,
			  socklen_t *optlen)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct netns_tcp *tn = tcp_net(sk);
	int v;

	if (level == SOL_IP)
		return ip_getsockopt(sk, level, optname, optval, optlen);
	if (level != IPPROTO_TCP)
		return -ENOPROTOOPT;
	switch (optname) {
	case TCP_INFO: {
		struct tcp_info info;

		tcp_get_info(tp, &info);
		return put_opt(optval, optlen, &info, sizeof(info));
	}
	case TCP_CONGESTION: {
		char name[16] = { 0 };

		strncpy(name, tp->ca_ops->name, sizeof(name) - 1);
		return put_opt(optval, optlen, name, sizeof(name));
	}
	case TCP_NODELAY:
		v = !!(tp->nonagle & TCP_NAGLE_OFF);
		break;
	case TCP_CORK:
		v = !!(tp->nonagle & TCP_NAGLE_CORK);
		break;
	case TCP_MAXSEG:
		v = (TCPF(sk->sk_state) & (TCPF(TCP_CLOSE) | TCPF(TCP_LISTEN))) ?
			    (tp->rx_opt.user_mss ? tp->rx_opt.user_mss : (int)TCP_MSS_DEFAULT) :
			    (int)tp->mss_cache;
		break;
	case TCP_KEEPIDLE:
		v = tp->keepalive_time ? tp->keepalive_time : tn->keepalive_time;
		break;
	case TCP_KEEPINTVL:
		v = tp->keepalive_intvl ? tp->keepalive_intvl : tn->keepalive_intvl;
		break;
	case TCP_KEEPCNT:
		v = tp->keepalive_probes ? tp->keepalive_probes : tn->keepalive_probes;
		break;
	case TCP_LINGER2:
		v = tp->linger2 ? tp->linger2 : tn->fin_timeout;
		break;
	case TCP_QUICKACK:
		v = !tp->ack_pingpong;
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (*optlen < sizeof(int))
		return -EINVAL;
	return put_opt(optval, optlen, &v, sizeof(v));
}

const struct proto tcp_prot = {
	.name = "TCP",
	.obj_size = sizeof(struct tcp_sock),
	.init = tcp_v4_init_sock,
	.destroy = tcp_v4_destroy_sock,
	.close = tcp_close,
	.connect = tcp_v4_connect,
	.disconnect = tcp_disconnect,
	.accept = tcp_accept,
	.listen = tcp_listen,
	.ioctl = tcp_ioctl,
	.shutdown = tcp_shutdown,
	.setsockopt = tcp_setsockopt,
	.getsockopt = tcp_getsockopt,
	.sendmsg = tcp_sendmsg,
	.recvmsg = tcp_recvmsg,
	.bind = tcp_v4_bind,
	.unhash = tcp_unhash,
	.get_port = tcp_get_port,
	.poll = tcp_poll,
};

/* ---- per-stack init ------------------------------------------------------------------------------------------------------ */
static const struct net_protocol tcp_protocol = {
	.handler = tcp_v4_rcv,
	.err_handler = tcp_v4_err,
};

static void tcp_sysctl_defaults(struct netns_tcp *tn)
{
	tn->tcp_rmem[0] = 4096;
	tn->tcp_rmem[1] = 131072;
	tn->tcp_rmem[2] = 6291456;
	tn->tcp_wmem[0] = 4096;
	tn->tcp_wmem[1] = 16384;
	tn->tcp_wmem[2] = 4194304;
	tn->syn_retries = 6;
	tn->synack_retries = 5;
	tn->retries1 = 3;
	tn->retries2 = 15;
	tn->orphan_retries = 0;
	tn->fin_timeout = TCP_FIN_TIMEOUT;
	tn->limit_output_bytes = 1048576;	/* Linux's default (16 x 64 KiB) */
	tn->max_syn_backlog = 4096;
	tn->max_tw_buckets = 262144;
	tn->tw_reuse = 2;
	tn->keepalive_time = TCP_KEEPALIVE_TIME;
	tn->keepalive_intvl = TCP_KEEPALIVE_INTVL;
	tn->keepalive_probes = TCP_KEEPALIVE_PROBES;
	tn->timestamps = 1;
	tn->window_scaling = 1;
	tn->sack = 1;
	snprintf(tn->congestion_control, sizeof(tn->congestion_control), "cubic");
	tn->syncookies = 1;
	tn->tcp_mem[0] = 24576;		/* pages: 96 MiB, 128 MiB, 192 MiB */
	tn->tcp_mem[1] = 32768;
	tn->tcp_mem[2] = 49152;
	tn->moderate_rcvbuf = 1;
	tn->invalid_ratelimit_ms = 500;
	tn->challenge_ack_limit = 1000;
	tn->rfc1337 = 0;
	tn->abort_on_overflow = 0;
	tn->base_mss = 1024;
	tn->min_snd_mss = 48;
}

/* net.ipv4.tcp_congestion_control: the default for new sockets */
static int tcp_cc_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	(void)data;
	seq_printf(s, "%s\n", stack->tcp->congestion_control);
	return 0;
}

static int tcp_cc_write(struct ns_stack *stack, const char *v, void *data)
{
	char name[16] = { 0 };
	size_t n = strcspn(v, " \t\n");

	(void)data;
	if (!n || n >= sizeof(name))
		return -EINVAL;
	memcpy(name, v, n);
	if (!tcp_ca_find(name))
		return -ENOENT;
	memcpy(stack->tcp->congestion_control, name, sizeof(name));
	return 0;
}

static int tcp_cc_avail_show(struct ns_stack *stack, struct seq_buf *s, void *data)
{
	char buf[64];

	(void)stack;
	(void)data;
	tcp_ca_get_available(buf, sizeof(buf));
	seq_printf(s, "%s\n", buf);
	return 0;
}

static int tcp_sysctls(struct ns_stack *stack, struct netns_tcp *tn)
{
	static const struct { const char *name; size_t off; int min, max; } ints[] = {
		{ "tcp_syn_retries", offsetof(struct netns_tcp, syn_retries), 1, 127 },
		{ "tcp_synack_retries", offsetof(struct netns_tcp, synack_retries), 0, 255 },
		{ "tcp_retries1", offsetof(struct netns_tcp, retries1), 0, 255 },
		{ "tcp_retries2", offsetof(struct netns_tcp, retries2), 0, 255 },
		{ "tcp_orphan_retries", offsetof(struct netns_tcp, orphan_retries), 0, 255 },
		{ "tcp_fin_timeout", offsetof(struct netns_tcp, fin_timeout), 1, 3600 },
		{ "tcp_max_syn_backlog", offsetof(struct netns_tcp, max_syn_backlog), 1, 1 << 24 },
		{ "tcp_max_tw_buckets", offsetof(struct netns_tcp, max_tw_buckets), 0, 1 << 30 },
		{ "tcp_tw_reuse", offsetof(struct netns_tcp, tw_reuse), 0, 2 },
		{ "tcp_keepalive_time", offsetof(struct netns_tcp, keepalive_time), 1, 32767 },
		{ "tcp_keepalive_intvl", offsetof(struct netns_tcp, keepalive_intvl), 1, 32767 },
		{ "tcp_keepalive_probes", offsetof(struct netns_tcp, keepalive_probes), 1, 127 },
		{ "tcp_timestamps", offsetof(struct netns_tcp, timestamps), 0, 2 },
		{ "tcp_window_scaling", offsetof(struct netns_tcp, window_scaling), 0, 1 },
		{ "tcp_rfc1337", offsetof(struct netns_tcp, rfc1337), 0, 1 },
		{ "tcp_abort_on_overflow", offsetof(struct netns_tcp, abort_on_overflow), 0, 1 },
		{ "tcp_base_mss", offsetof(struct netns_tcp, base_mss), 88, 65535 },
		{ "tcp_sack", offsetof(struct netns_tcp, sack), 0, 1 },
		{ "tcp_moderate_rcvbuf", offsetof(struct netns_tcp, moderate_rcvbuf), 0, 1 },
		{ "tcp_syncookies", offsetof(struct netns_tcp, syncookies), 0, 2 },
		{ "tcp_invalid_ratelimit", offsetof(struct netns_tcp, invalid_ratelimit_ms), 0, 1 << 30 },
		{ "tcp_challenge_ack_limit", offsetof(struct netns_tcp, challenge_ack_limit), 0, 1 << 30 },
		{ "tcp_limit_output_bytes", offsetof(struct netns_tcp, limit_output_bytes), 0, INT32_MAX },
	};
	char path[96];
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(ints); i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/ipv4/%s", ints[i].name);
		err = proc_create_int(stack, path, (int *)(void *)((char *)tn + ints[i].off),
				      ints[i].min, ints[i].max);
		if (err)
			return err;
	}
	err = proc_create(stack, "/proc/sys/net/ipv4/tcp_congestion_control", tcp_cc_show,
			  tcp_cc_write, NULL);
	if (!err)
		err = proc_create(stack, "/proc/sys/net/ipv4/tcp_available_congestion_control",
				  tcp_cc_avail_show, NULL, NULL);
	if (!err)
		err = proc_create_intvec(stack, "/proc/sys/net/ipv4/tcp_rmem", tn->tcp_rmem, 3, 1,
					 INT32_MAX);
	if (!err)
		err = proc_create_intvec(stack, "/proc/sys/net/ipv4/tcp_wmem", tn->tcp_wmem, 3, 1,
					 INT32_MAX);
	if (!err)
		err = proc_create_intvec(stack, "/proc/sys/net/ipv4/tcp_mem", tn->tcp_mem, 3, 1,
					 INT32_MAX);
	return err;
}

int tcp_init(struct ns_stack *stack)
{
	struct netns_tcp *tn = calloc(1, sizeof(*tn));
	int err;

	if (!tn)
		return -ENOMEM;
	tn->stack = stack;
	stack->tcp = tn;
	tcp_sysctl_defaults(tn);
	tn->secret[0] = ns_random(stack);
	tn->secret[1] = ns_random(stack);
	/* cookie keys derived from the stack's key: the stack's random
	 * stream (netem's seeds among its users) stays as it was */
	for (uint64_t i = 0; i < 4; i++)
		tn->cookie_secret[i] = tcp_siphash(tn->secret, &i, 1);
	INIT_LIST_HEAD(&tn->all);
	tcp_tw_init(tn);
	err = -ENOMEM;
	tn->ehash.buckets = calloc(1024, sizeof(*tn->ehash.buckets));
	tn->lhash.buckets = calloc(256, sizeof(*tn->lhash.buckets));
	tn->bhash.buckets = calloc(65536, sizeof(*tn->bhash.buckets));
	if (!tn->ehash.buckets || !tn->lhash.buckets || !tn->bhash.buckets)
		goto fail;
	tn->ehash.mask = 1023;
	tn->lhash.mask = 255;
	tn->bhash.mask = 65535;
	err = tcp_sysctls(stack, tn);
	if (!err)
		err = tcp_proc_init(stack);
	if (!err)
		err = inet_add_protocol(stack, &tcp_protocol, IPPROTO_TCP);
	if (err)
		goto fail;
	tn->sw.family = AF_INET;
	tn->sw.type = SOCK_STREAM;
	tn->sw.protocol = IPPROTO_TCP;
	tn->sw.prot = &tcp_prot;
	err = sock_register_protosw(stack, &tn->sw);
	if (err) {
		inet_del_protocol(stack, &tcp_protocol, IPPROTO_TCP);
		goto fail;
	}
	err = tcp_v6_init(stack);
	if (err) {
		sock_unregister_protosw(stack, &tn->sw);
		inet_del_protocol(stack, &tcp_protocol, IPPROTO_TCP);
		goto fail;
	}
	return 0;
fail:
	free(tn->ehash.buckets);
	free(tn->lhash.buckets);
	free(tn->bhash.buckets);
	free(tn);
	stack->tcp = NULL;
	return err;
}

/* Every socket the application closed is still here (orphans, TIME-WAIT):
 * abort and free them. */
void tcp_exit(struct ns_stack *stack)
{
	struct netns_tcp *tn = stack->tcp;

	if (!tn)
		return;
	tcp_v6_exit(stack);
	sock_unregister_protosw(stack, &tn->sw);
	inet_del_protocol(stack, &tcp_protocol, IPPROTO_TCP);
	while (!list_empty(&tn->all)) {
		struct tcp_sock *tp = list_first_entry(&tn->all, struct tcp_sock, all_node);
		struct sock *sk = tp_sk(tp);

		sock_hold(sk);
		if (sk->sk_state == TCP_LISTEN)
			tcp_listen_stop(tp);
		tcp_done(tp);
		tcp_clear_xmit_timers(tp);
		list_del(&tp->all_node);
		INIT_LIST_HEAD(&tp->all_node);
		sock_put(sk);
	}
	tcp_tw_exit(tn);
	tcp_proc_exit(stack);
	free(tn->ehash.buckets);
	free(tn->lhash.buckets);
	free(tn->bhash.buckets);
	free(tn);
	stack->tcp = NULL;
}

int tcp_sock_setsockopt(struct sock *sk, int level, int optname, const void *optval,
			socklen_t optlen)
{
	return tcp_setsockopt(sk, level, optname, optval, optlen);
}

int tcp_sock_getsockopt(struct sock *sk, int level, int optname, void *optval,
			socklen_t *optlen)
{
	return tcp_getsockopt(sk, level, optname, optval, optlen);
}
