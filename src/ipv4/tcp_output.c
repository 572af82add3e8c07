/* tcp_output.c - building and sending segments (Linux net/ipv4/tcp_output.c):
 * options in Linux's order, the receive window we advertise (never
 * shrinking its right edge), MSS from the path MTU, the send loop with the
 * congestion window, the peer's window, Nagle and TCP_CORK, retransmission
 * of queued originals (a clone goes to IP; a copy when an earlier clone is
 * still in flight), SYN, SYN-ACK, FIN, ACK and RST segments.
 *
 * Queues: sk_write_queue holds data not yet sent; tp->rtx_queue holds what
 * was sent and is not fully acknowledged, in sequence order. */
#include <errno.h>
#include <string.h>

#include "ipv4/tcp.h"
#include "wire/checksum.h"

/* ---- routing and MSS ---------------------------------------------------------------------------- */
static void tcp_flow(const struct tcp_sock *tp, struct flowi4 *fl4)
{
	const struct sock *sk = &tp->inet.sk;

	memset(fl4, 0, sizeof(*fl4));
	fl4->daddr = tp->inet.inet_daddr;
	fl4->saddr = tp->inet.inet_saddr;
	fl4->oif = sk->sk_bound_dev_if;
	fl4->proto = IPPROTO_TCP;
	fl4->tos = tp->inet.tos;
	fl4->ttl = tp->inet.uc_ttl > 0 ? (uint8_t)tp->inet.uc_ttl : 0;
	fl4->mark = sk->sk_mark;
	if (tp->inet.pmtudisc != IP_PMTUDISC_DONT)
		fl4->flags = FLOWI_FLAG_DF;
}

int tcp_route(struct tcp_sock *tp, struct ip_route_result *res)
{
	return tp->af_ops->route(tp, res);
}

int tcp_v4_route(struct tcp_sock *tp, struct ip_route_result *res)
{
	struct flowi4 fl4;
	int err;

	tcp_flow(tp, &fl4);
	err = ip_route_output_sk(&tp->inet.sk, &fl4, res);
	if (!err && !tp->inet.inet_saddr)
		tp->inet.inet_saddr = fl4.saddr;
	return err;
}

static unsigned int tcp_opt_space(const struct tcp_sock *tp)
{
	return tp->rx_opt.tstamp_ok ? 12 : 0;	/* NOP NOP TS */
}

/* Linux's tcp_sync_mss: the payload per segment for a path MTU. */
uint32_t tcp_sync_mss(struct tcp_sock *tp, uint32_t pmtu)
{
	uint32_t hdrs = tcp_net_hdr(tp) + TCP_HLEN_MIN;	/* 40 IPv4, 60 IPv6 */
	uint32_t mss = pmtu > hdrs ? pmtu - hdrs : TCP_MIN_MSS;

	if (tp->rx_opt.mss_clamp && mss > tp->rx_opt.mss_clamp)
		mss = tp->rx_opt.mss_clamp;
	if (mss < TCP_MIN_MSS)
		mss = TCP_MIN_MSS;
	/* never more than half the largest window the peer offered */
	if (tp->max_window > TCP_MIN_MSS && mss > tp->max_window / 2 && tp->max_window / 2 >= 68)
		mss = NS_MAX(tp->max_window / 2, TCP_MIN_MSS);
	mss -= tcp_opt_space(tp);
	tp->pmtu = pmtu;
	tp->mss_cache = mss;
	return mss;
}


/* ---- the receive window (RFC 9293 3.8.6.2.2, RFC 7323 2.3-2.4) ------------------------------------ */

void tcp_select_initial_window(struct netns_tcp *tn, int rcvbuf, uint32_t mss, uint32_t *rcv_wnd,
			       uint32_t *window_clamp, bool wscale_ok, uint8_t *rcv_wscale)
{
	uint32_t space = (uint32_t)rcvbuf / 2;
	uint32_t maxspace;

	if (mss == 0)
		mss = TCP_MSS_DEFAULT;
	*window_clamp = 65535U << TCP_MAX_WSCALE;
	/* Linux: rcv_wnd a multiple of the MSS, at most 64 KiB for the SYN */
	*rcv_wnd = NS_MIN(space, 65535U);
	if (*rcv_wnd > mss)
		*rcv_wnd = (*rcv_wnd / mss) * mss;
	*rcv_wscale = 0;
	if (wscale_ok) {
		/* RFC 7323 2.3: the shift the largest buffer could need, the
		 * smallest that brings it under 64 KiB (Linux: ilog2(space) - 15) */
		maxspace = (uint32_t)NS_MAX(tn->tcp_rmem[2], tn->stack->core.rmem_max);
		if (maxspace > 65535) {
			int ws = 31 - __builtin_clz(maxspace) - 15;

			*rcv_wscale = (uint8_t)(ws < TCP_MAX_WSCALE ? ws : TCP_MAX_WSCALE);
		}
	}
}

/* The window to put in a segment, already shifted (Linux's tcp_select_window). */
uint32_t tcp_select_window(struct tcp_sock *tp)
{
	uint32_t cur = tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt;
	uint32_t win = tcp_space(tp);
	uint32_t mss = NS_MAX(tp->rcv_mss, TCP_MIN_MSS);
	uint8_t ws = tp->rx_opt.rcv_wscale;

	if ((int32_t)cur < 0)
		cur = 0;
	if (win > tp->window_clamp)
		win = tp->window_clamp;
	/* receiver SWS avoidance: no window smaller than one segment */
	if (win < mss && win < (uint32_t)tp->inet.sk.sk_rcvbuf / 4)
		win = 0;
	if (ws)
		win &= ~((1u << ws) - 1);
	/* RFC 7323 2.4 / RFC 9293 3.8.6.2.2: never move the right edge left */
	if (win < cur)
		win = ws ? NS_ALIGN(cur, 1u << ws) : cur;
	if (!ws && win > 65535)
		win = 65535;
	if (ws && (win >> ws) > 65535)
		win = 65535U << ws;
	tp->rcv_wnd = win;
	tp->rcv_wup = tp->rcv_nxt;
	return win >> ws;
}

/* ---- building a segment ---------------------------------------------------------------------------- */
/* RFC 2018 4 / RFC 2883 4: the SACK blocks of an ACK - a D-SACK first,
 * then the block holding the most recent arrival, then the blocks of
 * earlier recent arrivals, then the rest (up to room blocks). */
static void tcp_sack_blocks(struct tcp_sock *tp, struct tcp_options *o, unsigned int room)
{
	struct tcp_sack_block blk[TCP_NUM_SACKS];
	unsigned int rank[TCP_NUM_SACKS], n = 0;
	struct sk_buff *skb;
	struct tcp_sack_block cur;
	bool open = false;

	if (!tp->rx_opt.sack_ok)
		return;
	if (tp->dsack) {
		o->sacks[o->num_sacks++] = tp->dsack_blk;
		tp->dsack = false;
	}
	if (skb_queue_empty(&tp->ooo_queue))
		return;
	room -= o->num_sacks;
	/* coalesce the ofo queue into ranges; keep the room best ranked */
	for (skb = skb_peek(&tp->ooo_queue);; skb = skb_queue_next(&tp->ooo_queue, skb)) {
		if (skb && open && !after(TCP_SKB_CB(skb)->seq, cur.end)) {
			if (after(TCP_SKB_CB(skb)->end_seq, cur.end))
				cur.end = TCP_SKB_CB(skb)->end_seq;
			continue;
		}
		if (open) {
			unsigned int r = TCP_SACK_RECENT + 1, i;

			for (i = 0; i < tp->sack_recent_n; i++)
				if (!before(tp->sack_recent[i], cur.start) &&
				    before(tp->sack_recent[i], cur.end)) {
					r = i;
					break;
				}
			/* insertion by rank into blk[0..n) */
			for (i = n; i > 0 && rank[i - 1] > r; i--) {
				if (i < room) {
					blk[i] = blk[i - 1];
					rank[i] = rank[i - 1];
				}
			}
			if (i < room) {
				blk[i] = cur;
				rank[i] = r;
				if (n < room)
					n++;
			}
		}
		if (!skb)
			break;
		cur.start = TCP_SKB_CB(skb)->seq;
		cur.end = TCP_SKB_CB(skb)->end_seq;
		open = true;
	}
	for (unsigned int i = 0; i < n; i++)
		o->sacks[o->num_sacks++] = blk[i];
}

/* An established segment without SACK blocks carries at most the aligned
 * timestamp (RFC 7323 Appendix A: NOP NOP TS, as Linux's
 * tcp_options_write): its size is known before the header is pushed, and
 * it is written in place - no option block to build and copy. */
static unsigned int tcp_fast_opts_len(const struct tcp_sock *tp)
{
	return tp->rx_opt.tstamp_ok ? 12 : 0;
}

static void tcp_fast_opts_write(struct tcp_sock *tp, uint8_t *buf)
{
	if (!tp->rx_opt.tstamp_ok)
		return;
	put_be32(buf, (uint32_t)TCPOPT_NOP << 24 | (uint32_t)TCPOPT_NOP << 16 |
		      (uint32_t)TCPOPT_TIMESTAMP << 8 | TCPOLEN_TIMESTAMP);
	put_be32(buf + 4, tcp_time_stamp_ms(tp->inet.sk.sk_net));
	put_be32(buf + 8, tp->rx_opt.ts_recent);
}

/* A SYN's options, or an ACK's with SACK blocks (sack_room: how many fit). */
static int tcp_build_options(struct tcp_sock *tp, uint8_t flags, uint8_t *buf,
			     unsigned int sack_room)
{
	struct netns_tcp *tn = tcp_net(&tp->inet.sk);
	struct ns_stack *stack = tp->inet.sk.sk_net;
	struct tcp_options o;

	memset(&o, 0, sizeof(o));
	if (flags & TCP_FLAG_SYN) {
		/* SYN: MSS | SACK_PERM TS | NOP WS (Linux's order) */
		o.mss_ok = true;
		o.sack_ok = tn->sack && (!(flags & TCP_FLAG_ACK) || tp->rx_opt.sack_ok);
		o.mss = (uint16_t)tp->advmss;
		o.ts_ok = tn->timestamps != 0;
		o.ws_ok = tn->window_scaling != 0;
		o.ws = tp->rx_opt.rcv_wscale;
		o.tsval = tcp_time_stamp_ms(stack);
		o.tsecr = (flags & TCP_FLAG_ACK) ? tp->rx_opt.ts_recent : 0;
	} else if (tp->rx_opt.tstamp_ok) {
		o.ts_ok = true;
		o.tsval = tcp_time_stamp_ms(stack);
		o.tsecr = tp->rx_opt.ts_recent;
	}
	if (!(flags & TCP_FLAG_SYN) && (flags & TCP_FLAG_ACK) && sack_room)
		tcp_sack_blocks(tp, &o, sack_room);
	return tcp_options_emit(&o, buf, TCP_OPTS_MAX);
}

static void tcp_event_ack_sent(struct tcp_sock *tp)
{
	tp->ack_pending = 0;
	tp->rcv_segs_unacked = 0;
	if (tp->ack_quick)
		tp->ack_quick--;
	tcp_timer_cancel(tp, TCP_TIMER_DELACK);
}

/* How many SACK blocks fit next to plen payload bytes in the path MTU:
 * 4, or 3 beside a timestamp (RFC 2018 3). */
static unsigned int tcp_sack_room(const struct tcp_sock *tp, unsigned int plen)
{
	unsigned int used = tp->rx_opt.tstamp_ok ? 12 : 0, n;

	if (!tp->rx_opt.sack_ok || (!tp->dsack && skb_queue_empty(&tp->ooo_queue)))
		return 0;
	n = (TCP_OPTS_MAX - used - 4) / 8;
	while (n && tcp_net_hdr(tp) + TCP_HLEN_MIN + used + 4 + 8 * n + plen > tp->pmtu)
		n--;
	return n;
}

/* Push the header onto s (a clone, a copy or a control skb) and send it.
 * Consumes s. */
static int tcp_emit_and_send(struct tcp_sock *tp, struct sk_buff *s, const struct tcp_skb_cb *tcb)
{
	struct sock *sk = &tp->inet.sk;
	struct netns_tcp *tn = tcp_net(sk);
	uint8_t opts[TCP_OPTS_MAX];
	uint8_t flags = tcb->tcp_flags;
	unsigned int plen = s->len;
	unsigned int sack_room = tcp_sack_room(tp, plen);
	bool fast = !(flags & TCP_FLAG_SYN) && !sack_room;
	int olen = fast ? (int)tcp_fast_opts_len(tp) : tcp_build_options(tp, flags, opts, sack_room);
	unsigned int hlen;
	uint16_t window;
	uint8_t *h;

	if (olen < 0)
		olen = 0;
	hlen = TCP_HLEN_MIN + (unsigned int)olen;
	if (plen > 0xffff - hlen) {	/* no IP datagram could carry it */
		kfree_skb_reason(s, SKB_DROP_REASON_HDR_ERROR);
		return -EINVAL;
	}
	if (flags & TCP_FLAG_SYN)	/* RFC 7323 2.2: a SYN's window is never scaled */
		window = (uint16_t)NS_MIN(tp->rcv_wnd, 65535U);
	else
		window = (uint16_t)tcp_select_window(tp);
	h = skb_push(s, hlen);
	if (!h) {
		kfree_skb_reason(s, SKB_DROP_REASON_NOMEM);
		return -ENOMEM;
	}
	/* RFC 9293 3.1, written in place as Linux's __tcp_transmit_skb does:
	 * the options right behind, the payload already after them */
	put_be16(h, tp->inet.inet_sport);
	put_be16(h + 2, tp->inet.inet_dport);
	put_be32(h + 4, tcb->seq);
	put_be32(h + 8, (flags & TCP_FLAG_ACK) ? tp->rcv_nxt : 0);
	h[12] = (uint8_t)(hlen / 4 << 4);
	h[13] = flags;
	put_be16(h + 14, window);
	put_be16(h + 18, 0);		/* urgent pointer: never sent */
	if (fast)
		tcp_fast_opts_write(tp, h + TCP_HLEN_MIN);
	else
		memcpy(h + TCP_HLEN_MIN, opts, (size_t)olen);
	/* the pseudo-header sum; the checksum is completed on the way out: by
	 * a device with NETIF_F_HW_CSUM, else by dev_queue_xmit (Linux's
	 * tcp_v4_send_check) */
	tp->af_ops->send_check(tp, h, s->len);
	skb_partial_csum_set(s, h, 16);
	s->nohdr = 1;
	skb_reset_transport_header(s);
	if (flags & TCP_FLAG_ACK)
		tcp_event_ack_sent(tp);
	if (flags & TCP_FLAG_RST)
		TCP_INC_STATS(tn, TCP_MIB_OUTRSTS);
	TCP_INC_STATS(tn, TCP_MIB_OUTSEGS);
	tp->segs_out++;
	if (plen) {
		tp->data_segs_out++;
		tp->lsndtime = tcp_now(tp);
	}
	s->priority = sk->sk_priority;
	s->mark = sk->sk_mark;
	return tp->af_ops->queue_xmit(tp, s);
}

/* Linux's tcp_v4_send_check: the pseudo-header sum in the checksum field
 * of the header at h (len: header and payload). */
void tcp_v4_send_check(const struct tcp_sock *tp, uint8_t *h, size_t len)
{
	put_be16(h + 16, (uint16_t)~csum_tcpudp_magic(tp->inet.inet_saddr, tp->inet.inet_daddr,
						       (uint32_t)len, IPPROTO_TCP, 0));
}

int tcp_v4_queue_xmit(struct tcp_sock *tp, struct sk_buff *s)
{
	struct flowi4 fl4;

	tcp_flow(tp, &fl4);
	fl4.saddr = tp->inet.inet_saddr;
	return ip_queue_xmit(&tp->inet.sk, s, &fl4);
}

/* TCP small queues (Linux's tcp_wfree): a sent clone stays charged to its
 * socket until the device has taken it (or a qdisc dropped it). While
 * charged, a clone's truesize is the data it shares (as Linux's skb_clone
 * copies it); it falls back to the clone's own size when it leaves, so a
 * clone that loopback hands to a receiving socket is charged there as
 * nstack's clones always were. */
static void tcp_wfree(struct sk_buff *skb)
{
	struct sock *sk = skb->sk;

	sk->sk_tsq_bytes -= skb->truesize;
	if (skb->cloned)
		skb->truesize = (unsigned int)sizeof(struct sk_buff);
	sock_put(sk);
}

static void tcp_tsq_charge(struct tcp_sock *tp, struct sk_buff *s, const struct sk_buff *orig)
{
	struct sock *sk = &tp->inet.sk;

	if (s->cloned)
		s->truesize = orig->truesize;	/* as Linux's skb_clone: the data it holds */
	s->sk = sk;
	s->destructor = tcp_wfree;
	sock_hold(sk);
	sk->sk_tsq_bytes += s->truesize;
}

/* Linux's tcp_update_pacing_rate, computed when needed: bytes/s, 200 % of
 * cwnd per RTT in slow start, 120 % after. */
static uint64_t tcp_pacing_rate(const struct tcp_sock *tp)
{
	uint64_t rate = (uint64_t)tp->mss_cache * ((1000000 / 100) << 3);

	rate *= tp->snd_cwnd < tp->snd_ssthresh / 2 ? 200 : 120;
	rate *= NS_MAX(tp->snd_cwnd, tp->packets_out);
	return tp->srtt_us ? rate / tp->srtt_us : rate;
}

/* Linux's tcp_small_queue_check (TSQ): hold back while this socket's
 * clones in the stack's own queues exceed about 1 ms of data at the
 * current rate (two skbs at least, tcp_limit_output_bytes at most), so a
 * bulk sender neither fills the qdisc to overflowing nor bloats it. The
 * ACKs of what left resume sending; with at most one skb in flight the
 * segment goes anyway. */
static bool tcp_small_queue_check(struct tcp_sock *tp, const struct sk_buff *skb)
{
	struct sock *sk = &tp->inet.sk;
	uint64_t limit;

	if (sk->sk_tsq_bytes <= 2 * skb->truesize)
		return false;
	limit = NS_MAX(2ull * skb->truesize, tcp_pacing_rate(tp) >> 10);
	limit = NS_MIN(limit, (uint64_t)tcp_net(sk)->limit_output_bytes);
	return sk->sk_tsq_bytes > limit && skb_queue_len(&tp->rtx_queue) > 1;
}

/* Send skb (an original from a queue: a clone or copy goes out; or, with
 * clone false, a control skb that is consumed). */
int tcp_transmit_skb(struct tcp_sock *tp, struct sk_buff *skb, bool clone)
{
	struct tcp_skb_cb tcb = *TCP_SKB_CB(skb);
	struct sk_buff *s = skb;
	int err;

	if (clone) {
		/* an earlier clone may still sit in a queue with its headers
		 * in the shared headroom: then send a private copy */
		s = skb_cloned(skb) ? skb_copy(skb) : skb_clone(skb);
		if (!s)
			return -ENOBUFS;
		tcp_tsq_charge(tp, s, skb);
		/* strictly increasing per socket, so RACK can order sends
		 * that share a clock reading (RFC 8985 6.2 RACK_sent_after) */
		tp->last_xmit = NS_MAX(tcp_now(tp), tp->last_xmit + 1);
		TCP_SKB_CB(skb)->when = tp->last_xmit;
	}
	err = tcp_emit_and_send(tp, s, &tcb);
	if (err == -EMSGSIZE) {
		/* DF and too big: learn the path MTU now (RFC 1191) */
		struct ip_route_result res;

		if (!tcp_route(tp, &res) && res.mtu < tp->pmtu)
			tcp_sync_mss(tp, res.mtu);
	}
	return err;
}

/* A segment without data: ACK, RST, probes. */
static struct sk_buff *tcp_ctl_skb(struct tcp_sock *tp, uint32_t seq, uint8_t flags)
{
	struct sk_buff *skb = alloc_skb_tx(tp->inet.sk.sk_net, 0);

	if (!skb)
		return NULL;
	memset(skb->cb, 0, sizeof(skb->cb));
	TCP_SKB_CB(skb)->seq = seq;
	TCP_SKB_CB(skb)->end_seq = seq;
	TCP_SKB_CB(skb)->tcp_flags = flags;
	return skb;
}

void tcp_send_ack(struct tcp_sock *tp)
{
	struct sk_buff *skb;

	if (tp->inet.sk.sk_state == TCP_CLOSE)
		return;
	skb = tcp_ctl_skb(tp, tp->snd_nxt, TCP_FLAG_ACK);
	if (!skb) {
		/* Linux retries from the delayed-ACK timer */
		tp->ack_pending |= ICSK_ACK_SCHED;
		tcp_delack_timer_arm(tp);
		return;
	}
	tcp_transmit_skb(tp, skb, false);
}

/* Schedule an ACK within ato (TCP_DELACK_MIN .. TCP_DELACK_MAX). */
void tcp_send_delayed_ack(struct tcp_sock *tp)
{
	tp->ack_pending |= ICSK_ACK_SCHED;
	if (!(tp->ack_pending & ICSK_ACK_TIMER))
		tcp_delack_timer_arm(tp);
}

void tcp_send_active_reset(struct tcp_sock *tp)
{
	struct sk_buff *skb = tcp_ctl_skb(tp, tp->snd_nxt, TCP_FLAG_RST | TCP_FLAG_ACK);

	if (skb)
		tcp_transmit_skb(tp, skb, false);
}

/* ---- the send queue ------------------------------------------------------------------------------- */
static void tcp_queue_rtx(struct tcp_sock *tp, struct sk_buff *skb)
{
	__skb_queue_tail(&tp->rtx_queue, skb);
	tp->packets_out++;
}

int tcp_send_syn(struct tcp_sock *tp)
{
	struct sock *sk = &tp->inet.sk;
	struct sk_buff *skb = alloc_skb_tx(sk->sk_net, 0);

	if (!skb)
		return -ENOBUFS;
	memset(skb->cb, 0, sizeof(skb->cb));
	TCP_SKB_CB(skb)->seq = tp->iss;
	TCP_SKB_CB(skb)->end_seq = tp->iss + 1;
	TCP_SKB_CB(skb)->tcp_flags = TCP_FLAG_SYN;
	skb_set_owner_w(skb, sk);
	tp->snd_nxt = tp->iss + 1;
	tp->write_seq = tp->iss + 1;
	tcp_queue_rtx(tp, skb);
	tcp_transmit_skb(tp, skb, true);
	tcp_reset_xmit_timer(tp, ICSK_TIME_RETRANS, tp->rto);
	return 0;
}

/* RFC 9293 3.10.7.2: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> from a request. */
int tcp_send_synack(struct request_sock *req)
{
	struct tcp_sock *lp = req->listener;
	struct ns_stack *stack = lp->inet.sk.sk_net;
	struct netns_tcp *tn = stack->tcp;
	struct tcp_options o;
	uint8_t opts[TCP_OPTS_MAX];
	struct tcp_req_route rt = { .ok = false };
	struct tcp_repr r;
	struct sk_buff *skb;
	int olen;
	uint8_t *h;

	memset(&o, 0, sizeof(o));
	o.mss_ok = true;
	o.ts_ok = req->tstamp_ok;
	o.tsval = req->snt_tsval ? req->snt_tsval : tcp_time_stamp_ms(stack);
	o.tsecr = req->ts_recent;
	o.ws_ok = req->wscale_ok;
	o.ws = req->rcv_wscale;
	o.sack_ok = req->sack_ok;
	/* advertise our own MSS, not the peer's */
	{
		unsigned int hdrs = req->af_ops->net_header_len + TCP_HLEN_MIN;
		unsigned int mtu = req->af_ops->req_mtu(req, &rt);

		o.mss = (uint16_t)(1500 - hdrs);
		if (mtu > hdrs)
			o.mss = (uint16_t)NS_MIN(mtu - hdrs, 65535U);
		if (lp->rx_opt.user_mss && lp->rx_opt.user_mss < o.mss)
			o.mss = lp->rx_opt.user_mss;
	}
	olen = tcp_options_emit(&o, opts, sizeof(opts));
	if (olen < 0)
		return -EINVAL;
	skb = alloc_skb_tx(stack, TCP_HLEN_MIN + (unsigned int)olen);
	if (!skb)
		return -ENOBUFS;
	h = skb_put(skb, TCP_HLEN_MIN + (unsigned int)olen);
	memset(&r, 0, sizeof(r));
	r.sport = req->lport;
	r.dport = req->rport;
	r.seq = req->snt_isn;
	r.ack_seq = req->rcv_isn + 1;
	r.flags = TCP_FLAG_SYN | TCP_FLAG_ACK;
	r.window = (uint16_t)NS_MIN(req->rcv_wnd, 65535U);
	r.opts = opts;
	r.opts_len = (size_t)olen;
	if (!h) {
		kfree_skb(skb);
		return -EINVAL;
	}
	TCP_INC_STATS(tn, TCP_MIB_OUTSEGS);
	return req->af_ops->req_xmit(req, &r, skb, &rt);
}

static void tcp_v4_req_flow(const struct request_sock *req, struct flowi4 *fl4)
{
	const struct tcp_sock *lp = req->listener;

	memset(fl4, 0, sizeof(*fl4));
	fl4->daddr = req->raddr;
	fl4->saddr = req->laddr;
	fl4->proto = IPPROTO_TCP;
	fl4->flags = FLOWI_FLAG_DF;
	fl4->tos = lp->inet.tos;
	fl4->mark = lp->inet.sk.sk_mark;
}

unsigned int tcp_v4_req_mtu(struct request_sock *req, struct tcp_req_route *rt)
{
	tcp_v4_req_flow(req, &rt->fl4);
	rt->ok = !ip_route_output(req->listener->inet.sk.sk_net, &rt->fl4, &rt->res);
	return rt->ok ? rt->res.mtu : 0;
}

int tcp_v4_req_xmit(struct request_sock *req, const struct tcp_repr *r, struct sk_buff *skb,
		    const struct tcp_req_route *rt)
{
	struct flowi4 fl4;

	if (tcp_emit_ipv4(r, skb->data, skb->len, req->laddr, req->raddr) < 0) {
		kfree_skb(skb);
		return -EINVAL;
	}
	skb_reset_transport_header(skb);
	if (rt && rt->ok)	/* routed by tcp_v4_req_mtu just before */
		return ip_send_skb4_routed(req->listener->inet.sk.sk_net, skb, &rt->fl4, &rt->res);
	tcp_v4_req_flow(req, &fl4);
	return ip_send_skb4(req->listener->inet.sk.sk_net, skb, &fl4);
}

/* Split skb so that it carries len payload bytes; the rest becomes a new
 * skb queued right after it in q (Linux's tcp_fragment). */
static int tcp_fragment(struct tcp_sock *tp, struct sk_buff_head *q, struct sk_buff *skb,
			uint32_t len)
{
	struct sock *sk = &tp->inet.sk;
	uint32_t rest = skb->len - len;
	struct sk_buff *n;

	if (len == 0 || len >= skb->len)
		return 0;
	n = alloc_skb_tx(sk->sk_net, rest);
	if (!n)
		return -ENOBUFS;
	skb_put_data(n, skb->data + len, rest);
	memcpy(n->cb, skb->cb, sizeof(n->cb));
	TCP_SKB_CB(n)->seq = TCP_SKB_CB(skb)->seq + len;
	TCP_SKB_CB(skb)->end_seq = TCP_SKB_CB(skb)->seq + len;
	/* FIN and PSH stay with the tail */
	TCP_SKB_CB(skb)->tcp_flags &= (uint8_t)~(TCP_FLAG_FIN | TCP_FLAG_PSH);
	skb_trim(skb, len);
	skb_set_owner_w(n, sk);
	__skb_queue_after(q, skb, n);
	if (q == &tp->rtx_queue) {
		tp->packets_out++;
		if (TCP_SKB_CB(n)->sacked & TCPCB_LOST)
			tp->lost_out++;
		if (TCP_SKB_CB(n)->sacked & TCPCB_SACKED_RETRANS)
			tp->retrans_out++;
	}
	return 0;
}

/* Drop the acknowledged head of a partly acknowledged skb (tcp_trim_head). */
static void tcp_trim_head(struct sk_buff *skb, uint32_t len)
{
	if (!(TCP_SKB_CB(skb)->tcp_flags & TCP_FLAG_SYN) && len <= skb->len) {
		skb_pull(skb, len);
		TCP_SKB_CB(skb)->seq += len;
	}
}

/* Retransmit one skb of the rtx queue (RFC 6298 5.4, RFC 5681 3.2). */
int tcp_retransmit_skb(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct netns_tcp *tn = tcp_net(&tp->inet.sk);
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	uint32_t mss = tcp_current_mss(tp);
	int err;

	if (before(tcb->seq, tp->snd_una) && after(tcb->end_seq, tp->snd_una))
		tcp_trim_head(skb, tp->snd_una - tcb->seq);
	if (skb->len > mss && tcp_fragment(tp, &tp->rtx_queue, skb, mss))
		return -ENOBUFS;
	/* Linux: the give-up clock starts at the original transmission */
	if (!tp->retrans_stamp)
		tp->retrans_stamp = tcb->when ? tcb->when : tcp_now(tp);
	err = tcp_transmit_skb(tp, skb, true);
	if (err == -ENOBUFS || err == -ENOMEM)
		return err;
	if (!(tcb->sacked & TCPCB_SACKED_RETRANS)) {
		tcb->sacked |= TCPCB_SACKED_RETRANS;
		tp->retrans_out++;
	}
	tcb->sacked |= TCPCB_EVER_RETRANS;
	if (tp->undo_marker)
		tp->undo_retrans++;	/* D-SACK undo counts these back */
	tp->total_retrans++;
	tp->bytes_retrans += skb->len;
	TCP_INC_STATS(tn, TCP_MIB_RETRANSSEGS);
	return 0;
}

/* Nagle (RFC 9293 3.7.4, RFC 896) and TCP_CORK: may a short segment go? */
static bool tcp_nagle_ok(const struct tcp_sock *tp, const struct sk_buff *skb, uint32_t mss,
			 bool last)
{
	if (skb->len >= mss || (TCP_SKB_CB(skb)->tcp_flags & TCP_FLAG_FIN) || !last)
		return true;
	if (tp->nonagle & TCP_NAGLE_PUSH)
		return true;
	if (tp->nonagle & TCP_NAGLE_CORK)
		return false;
	if (tp->nonagle & TCP_NAGLE_OFF)
		return true;
	/* Linux's tcp_minshall_check: hold it only while an earlier small
	 * segment is unacknowledged */
	return !(tp->packets_out && after(tp->snd_sml, tp->snd_una) &&
		 !after(tp->snd_sml, tp->snd_nxt));
}

/* Linux's tcp_cwnd_validate (its tracking part): remember whether the
 * flight of the current window filled cwnd, else its largest size, for
 * tcp_is_cwnd_limited. A window ends when snd_una passes cwnd_usage_seq. */
static void tcp_cwnd_validate(struct tcp_sock *tp, bool is_cwnd_limited)
{
	if (!before(tp->snd_una, tp->cwnd_usage_seq) || is_cwnd_limited ||
	    (!tp->is_cwnd_limited && tp->packets_out > tp->max_packets_out)) {
		tp->is_cwnd_limited = is_cwnd_limited;
		tp->max_packets_out = tp->packets_out;
		tp->cwnd_usage_seq = tp->snd_nxt;
	}
}

/* Linux's tcp_write_xmit: send what the windows allow. */
void tcp_push(struct tcp_sock *tp)
{
	struct sock *sk = &tp->inet.sk;
	struct sk_buff *skb;
	uint32_t mss = tcp_current_mss(tp);
	bool sent = false, cwnd_limited;

	if (!(TCPF(sk->sk_state) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_CLOSE_WAIT) |
				    TCPF(TCP_FIN_WAIT1) | TCPF(TCP_LAST_ACK) | TCPF(TCP_CLOSING))))
		return;
	if (skb_queue_empty(&sk->sk_write_queue)) {
		/* nothing to send (every ACK that arrives asks): only the
		 * cwnd bookkeeping of the general case below */
		if (tcp_packets_in_flight(tp) >= tp->snd_cwnd)
			tcp_cwnd_validate(tp, true);
		tp->nonagle &= (uint8_t)~TCP_NAGLE_PUSH;
		return;
	}
	while ((skb = skb_peek(&sk->sk_write_queue)) != NULL) {
		struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
		uint32_t wnd_end = tp->snd_una + tp->snd_wnd;
		uint32_t allowed;
		bool last = skb_queue_next(&sk->sk_write_queue, skb) == NULL;

		if (tcp_packets_in_flight(tp) >= tp->snd_cwnd)
			break;
		if (skb->len > mss && tcp_fragment(tp, &sk->sk_write_queue, skb, mss))
			break;
		if (after(tcb->end_seq, wnd_end)) {
			/* RFC 9293 3.8.6.2.1 sender SWS avoidance: send a
			 * window-limited piece only if it is >= half the
			 * largest window seen */
			allowed = before(tcb->seq, wnd_end) ? wnd_end - tcb->seq : 0;
			if (!allowed || allowed >= skb->len || allowed < tp->max_window / 2 ||
			    tcp_fragment(tp, &sk->sk_write_queue, skb, allowed))
				break;
		}
		if (!tcp_nagle_ok(tp, skb, mss, last) || tcp_small_queue_check(tp, skb))
			break;
		/* Linux's tcp_write_xmit: a segment that did not leave (the
		 * device queue was full, no memory, no route) stays first in
		 * the write queue and is not counted as sent: a local drop is
		 * not a loss on the network, nothing is retransmitted for it.
		 * The next ACK (or the probe timer) tries again. */
		if (tcp_transmit_skb(tp, skb, true))
			break;
		__skb_unlink(skb, &sk->sk_write_queue);
		tcp_queue_rtx(tp, skb);
		if (after(tcb->end_seq, tp->snd_nxt))
			tp->snd_nxt = tcb->end_seq;
		if (skb->len < mss)
			tp->snd_sml = tcb->end_seq;
		sent = true;
	}
	/* cwnd-limited when the flight fills it (Linux: after the loop) */
	cwnd_limited = tcp_packets_in_flight(tp) >= tp->snd_cwnd;
	if (sent || cwnd_limited)
		tcp_cwnd_validate(tp, cwnd_limited);
	/* RFC 8985 7.2: new data (re)arms the PTO; else the RTO runs */
	if (sent && (!tcp_timer_armed(tp, TCP_TIMER_RTX) || tp->pending == ICSK_TIME_PROBE0 ||
		     tp->pending == ICSK_TIME_LOSS_PROBE) && !tcp_schedule_loss_probe(tp))
		tcp_reset_xmit_timer(tp, ICSK_TIME_RETRANS, tp->rto);
	tp->nonagle &= (uint8_t)~TCP_NAGLE_PUSH;
	if (!sent)
		tcp_check_probe_timer(tp);
}

/* Zero window with data waiting and nothing in flight: the persist timer
 * (RFC 9293 3.8.6.1). */
void tcp_check_probe_timer(struct tcp_sock *tp)
{
	struct sock *sk = &tp->inet.sk;

	if (tp->packets_out || skb_queue_empty(&sk->sk_write_queue) || tcp_timer_armed(tp, TCP_TIMER_RTX))
		return;
	tcp_reset_xmit_timer(tp, ICSK_TIME_PROBE0, NS_MIN(tp->rto << tp->backoff, TCP_RTO_MAX));
}

/* FIN: on the last unsent skb, or a segment of its own (RFC 9293 3.10.4). */
void tcp_send_fin(struct tcp_sock *tp)
{
	struct sock *sk = &tp->inet.sk;
	struct sk_buff *tail = skb_peek_tail(&sk->sk_write_queue);

	if (tp->fin_queued)
		return;
	tp->fin_queued = true;
	if (tail) {
		TCP_SKB_CB(tail)->tcp_flags |= TCP_FLAG_FIN;
		TCP_SKB_CB(tail)->end_seq++;
	} else {
		struct sk_buff *skb = alloc_skb_tx(sk->sk_net, 0);

		if (!skb) {
			tp->fin_queued = false;
			return;	/* Linux retries; we do at the next push */
		}
		memset(skb->cb, 0, sizeof(skb->cb));
		TCP_SKB_CB(skb)->seq = tp->write_seq;
		TCP_SKB_CB(skb)->end_seq = tp->write_seq + 1;
		TCP_SKB_CB(skb)->tcp_flags = TCP_FLAG_FIN | TCP_FLAG_ACK;
		skb_set_owner_w(skb, sk);
		__skb_queue_tail(&sk->sk_write_queue, skb);
	}
	tp->write_seq++;
	tp->nonagle |= TCP_NAGLE_PUSH;
	tcp_push(tp);
}

/* A zero-window probe or keepalive: an ACK with an old sequence number
 * (SEG.SEQ = SND.UNA - 1) that the peer must answer (tcp_xmit_probe_skb). */
static int tcp_xmit_probe_skb(struct tcp_sock *tp)
{
	struct sk_buff *skb = tcp_ctl_skb(tp, tp->snd_una - 1, TCP_FLAG_ACK);

	if (!skb)
		return -ENOBUFS;
	return tcp_transmit_skb(tp, skb, false);
}

/* Keepalive and window probes: send new data if the window opened, else
 * the probe. */
int tcp_write_wakeup(struct tcp_sock *tp)
{
	struct sock *sk = &tp->inet.sk;
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	if (sk->sk_state == TCP_CLOSE)
		return -1;
	if (skb && before(TCP_SKB_CB(skb)->seq, tp->snd_una + tp->snd_wnd)) {
		tp->nonagle |= TCP_NAGLE_PUSH;
		tcp_push(tp);
		return 0;
	}
	return tcp_xmit_probe_skb(tp);
}

void tcp_send_probe0(struct tcp_sock *tp)
{
	tcp_write_wakeup(tp);
}

/* Linux's tcp_sndbuf_expand: room for two congestion windows of segments. */
void tcp_sndbuf_expand(struct tcp_sock *tp)
{
	struct sock *sk = &tp->inet.sk;
	struct netns_tcp *tn = tcp_net(sk);
	uint32_t per_mss = tp->mss_cache + MAX_TCP_HEADER + 512;
	uint64_t want = 2ULL * NS_MAX(tp->snd_cwnd, TCP_INIT_CWND) * per_mss;

	if (sk->sk_userlocks & SOCK_SNDBUF_LOCK)
		return;
	if (want > (uint64_t)tn->tcp_wmem[2])
		want = (uint64_t)tn->tcp_wmem[2];
	/* tcp_mem: no growth under pressure (asked only when it would grow) */
	if ((int)want > sk->sk_sndbuf && !tcp_under_memory_pressure(tn, tcp_now(tp)))
		sk->sk_sndbuf = (int)want;
}
