/* tcp_input.c - RFC 9293 3.10.7 "SEGMENT ARRIVES" (Linux net/ipv4/
 * tcp_input.c and tcp_minisocks.c): the LISTEN step (request socks, SYN-ACK,
 * the child socket), SYN-SENT, the synchronized states in the RFC's order
 * (sequence check with PAWS, RST, SYN, ACK, text, FIN), TIME-WAIT, the ACK
 * clock (RTT per RFC 6298, NewReno per RFC 5681 / RFC 6582 behind
 * tcp_congestion_ops), the receive and out-of-order queues and ACK
 * scheduling (delayed ACKs, quick-ACK mode).
 *
 * Each function gets skb with skb->data at the TCP header and the parsed
 * header th/opt, and consumes the skb. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4/tcp.h"

#define PAWS_24DAYS (24ULL * 86400 * NS_PER_SEC)

/* ---- helpers ---------------------------------------------------------------------------------------- */
static void tcp_drop(struct tcp_sock *tp, struct sk_buff *skb, enum skb_drop_reason r)
{
	(void)tp;
	kfree_skb_reason(skb, r);
}

static void tcp_fill_cb(struct sk_buff *skb, const struct tcp_repr *th, const struct tcp_options *opt)
{
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

	memset(skb->cb, 0, sizeof(skb->cb));
	tcb->seq = th->seq;
	tcb->end_seq = th->seq + (uint32_t)th->payload_len + !!(th->flags & TCP_FLAG_SYN) +
		       !!(th->flags & TCP_FLAG_FIN);
	tcb->ack_seq = th->ack_seq;
	tcb->tcp_flags = th->flags;
	tcb->tsval = opt->ts_ok ? opt->tsval : 0;
}

void tcp_set_ca_state(struct tcp_sock *tp, uint8_t st)
{
	if (tp->ca_ops->set_state)
		tp->ca_ops->set_state(tp, st);
	tp->ca_state = st;
}

static void tcp_enter_quickack_mode(struct tcp_sock *tp)
{
	uint32_t q = tp->rcv_mss ? tp->rcv_wnd / (2 * tp->rcv_mss) : TCP_MAX_QUICKACKS;

	tp->ack_quick = (uint8_t)NS_MAX(2U, NS_MIN(q, TCP_MAX_QUICKACKS));
	tp->ack_pingpong = false;
	tp->ato = TCP_ATO_MIN;
}

/* RFC 6298 2.2-2.3 (Linux's tcp_rtt_estimator, srtt << 3, mdev << 2). */
static inline __attribute__((always_inline)) void tcp_rtt_estimator(struct tcp_sock *tp, uint64_t m_ns)
{
	int64_t m = (int64_t)(m_ns / NS_PER_US);
	uint32_t rttvar_us;

	if (m <= 0)
		m = 1;
	if (!tp->rtt_min_us || (uint32_t)m < tp->rtt_min_us)
		tp->rtt_min_us = (uint32_t)m;	/* RACK's min_RTT */
	if (tp->srtt_us) {
		m -= tp->srtt_us >> 3;
		tp->srtt_us += (uint32_t)m;
		if (m < 0)
			m = -m;
		m -= tp->mdev_us >> 2;
		tp->mdev_us += (uint32_t)m;
	} else {
		tp->srtt_us = (uint32_t)m << 3;
		tp->mdev_us = (uint32_t)m << 1;
	}
	rttvar_us = NS_MAX(tp->mdev_us, (uint32_t)(TCP_RTO_MIN / NS_PER_US));
	/* RFC 6298 2.3 with Linux's floor: RTO = SRTT + max(4*RTTVAR, 200 ms) */
	tp->rto = ((uint64_t)(tp->srtt_us >> 3) + rttvar_us) * NS_PER_US;
	if (tp->rto > TCP_RTO_MAX)
		tp->rto = TCP_RTO_MAX;
	if (tp->rto < TCP_RTO_MIN)
		tp->rto = TCP_RTO_MIN;
}

/* ---- the receive side ---------------------------------------------------------------------------------- */
/* RFC 9293 3.10.7.4 "first check sequence number" with Linux's
 * tcp_sequence(): SEG.SEQ+SEG.LEN >= RCV.WUP and SEG.SEQ <= RCV.NXT+RCV.WND. */
static bool tcp_sequence_ok(const struct tcp_sock *tp, uint32_t seq, uint32_t end_seq)
{
	uint32_t wnd = tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt;

	if ((int32_t)wnd < 0)
		wnd = 0;
	return !before(end_seq, tp->rcv_wup) && !after(seq, tp->rcv_nxt + wnd);
}

/* ---- memory: tcp_mem, DRS, pruning ------------------------------------------------------------------ */
/* The total is exact at every call (no walk over the sockets). */
int tcp_under_memory_pressure(struct netns_tcp *tn, uint64_t now)
{
	(void)now;
	tn->mem_pages = (tn->mem_bytes + 4095) / 4096;
	if (tn->mem_pages > tn->tcp_mem[1] && !tn->memory_pressure) {
		tn->memory_pressure = true;
		TCP_INC_STATS(tn, TCP_MIB_MEMORYPRESSURES);
	} else if (tn->mem_pages < tn->tcp_mem[0]) {
		tn->memory_pressure = false;
	}
	if (tn->mem_pages > tn->tcp_mem[2])
		return 2;
	return tn->memory_pressure ? 1 : 0;
}

/* Linux's tcp_rcv_space_adjust (DRS): bytes the user copied in the last
 * RTT tell how big the window must be; the buffer grows to twice that
 * (plus the sender's growth), within tcp_rmem[2], unless SO_RCVBUF set. */
void tcp_rcv_space_update(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);
	struct netns_tcp *tn = tcp_net(sk);
	uint64_t now = tcp_now(tp);
	uint32_t rtt_us = tp->rcv_rtt_us ? tp->rcv_rtt_us : tp->srtt_us >> 3;
	uint32_t copied;

	if (!tp->rcvq_space_time) {
		tp->rcvq_space_time = now;
		tp->rcvq_space_seq = tp->copied_seq;
		tp->rcvq_space_space = NS_MIN(tp->rcv_wnd, 10 * tp->advmss);
		return;
	}
	if (!rtt_us || now - tp->rcvq_space_time < (uint64_t)rtt_us * NS_PER_US)
		return;
	copied = tp->copied_seq - tp->rcvq_space_seq;
	if (copied > tp->rcvq_space_space) {
		if (tn->moderate_rcvbuf && !(sk->sk_userlocks & SOCK_RCVBUF_LOCK) &&
		    !tcp_under_memory_pressure(tn, now)) {
			uint64_t rcvwin = ((uint64_t)copied << 1) + 16ULL * tp->advmss;
			uint64_t grow = rcvwin * (copied - tp->rcvq_space_space) / NS_MAX(tp->rcvq_space_space, 1U);
			uint64_t rcvbuf;

			rcvwin += grow << 1;
			/* tcp_adv_win_scale 1: the buffer is twice the window */
			rcvbuf = NS_MIN(rcvwin * 2, (uint64_t)tn->tcp_rmem[2]);
			if (rcvbuf > (uint64_t)sk->sk_rcvbuf)
				sk->sk_rcvbuf = (int)rcvbuf;
		}
		tp->rcvq_space_space = copied;
	}
	tp->rcvq_space_seq = tp->copied_seq;
	tp->rcvq_space_time = now;
}

/* Linux's tcp_prune_ofo_queue: drop out-of-order data from the highest
 * sequence down (it is the least useful) until the skb of size need fits
 * (never the range below seq). Returns whether it fits now. */
static bool tcp_prune_ofo_queue(struct tcp_sock *tp, uint32_t seq, unsigned int need)
{
	struct sock *sk = tp_sk(tp);
	struct netns_tcp *tn = tcp_net(sk);
	struct sk_buff *skb;
	bool pruned = false;

	while (sk->sk_rmem_alloc + (int)need > sk->sk_rcvbuf &&
	       (skb = skb_peek_tail(&tp->ooo_queue)) != NULL && after(TCP_SKB_CB(skb)->seq, seq)) {
		__skb_unlink(skb, &tp->ooo_queue);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_OFO_QUEUE_PRUNE);
		pruned = true;
	}
	if (pruned) {
		TCP_INC_STATS(tn, TCP_MIB_OFOPRUNED);
		tp->sack_recent_n = 0;	/* the reported blocks are gone (RFC 2018 8 reneging) */
	}
	return sk->sk_rmem_alloc + (int)need <= sk->sk_rcvbuf;
}

/* Room for an skb of size need at seq? Under tcp_mem pressure, or over
 * the receive buffer, prune (Linux's tcp_try_rmem_schedule/tcp_prune_queue). */
static bool tcp_rmem_schedule(struct tcp_sock *tp, uint32_t seq, unsigned int need)
{
	struct sock *sk = tp_sk(tp);
	struct netns_tcp *tn = tcp_net(sk);
	int pressure = tcp_under_memory_pressure(tn, tcp_now(tp));

	if (sk->sk_rmem_alloc + (int)need <= sk->sk_rcvbuf && pressure < 2)
		return true;
	TCP_INC_STATS(tn, TCP_MIB_PRUNECALLED);
	if (pressure >= 1 && sk->sk_rcvbuf > tn->tcp_rmem[0] &&
	    sk->sk_rmem_alloc < sk->sk_rcvbuf && !(sk->sk_userlocks & SOCK_RCVBUF_LOCK)) {
		/* Linux's tcp_clamp_window: under pressure the buffer shrinks
		 * to what is in use */
		sk->sk_rcvbuf = NS_MAX(sk->sk_rmem_alloc, tn->tcp_rmem[0]);
	}
	return tcp_prune_ofo_queue(tp, seq, need) && pressure < 2;
}

static void tcp_event_data_recv(struct tcp_sock *tp, struct sk_buff *skb)
{
	uint64_t now = tcp_now(tp);
	/* a GRO batch counts as the segments it was made of (Linux's
	 * tcp_measure_rcv_mss reads gso_size) */
	unsigned int seg_len = skb->gso_size ? skb->gso_size : skb->len;
	unsigned int segs = skb->gso_segs ? skb->gso_segs : 1;

	if (seg_len > tp->rcv_mss)
		tp->rcv_mss = tcp_mss_u16(NS_MIN(seg_len, tp->advmss));
	if (!tp->ato) {
		/* first data: quick-ACK mode (Linux's tcp_event_data_recv) */
		tcp_enter_quickack_mode(tp);
	}
	if (seg_len >= tp->rcv_mss)
		tcp_segs_unacked_add(tp, segs);
	tp->lrcvtime = (uint32_t)(now / NS_PER_MS);
	/* the receiver's RTT from the echoed timestamp (Linux's
	 * tcp_rcv_rtt_measure_ts), 7/8 smoothing */
	if (tp->rx_opt.saw_tstamp && tp->rx_opt.rcv_tsecr) {
		uint32_t ms = tcp_time_stamp_ms(tp_sk(tp)->sk_net) - tp->rx_opt.rcv_tsecr;

		if (ms < 60000) {
			/* a 1 ms clock: 0 means "under 1 ms" (Linux counts 1) */
			uint32_t us = NS_MAX(ms, 1U) * 1000;

			tp->rcv_rtt_us = tp->rcv_rtt_us ? tp->rcv_rtt_us - (tp->rcv_rtt_us >> 3) + (us >> 3) : us;
		}
	}
	tp->bytes_received += skb->len;
	tp->data_segs_in += segs;
}

/* RFC 9293 3.10.7.4 eighth: the FIN. */
static void tcp_fin(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);

	sk->sk_shutdown |= RCV_SHUTDOWN;
	sock_set_flag(sk, SOCK_DONE);
	switch (sk->sk_state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		tcp_set_state(tp, TCP_CLOSE_WAIT);
		tp->ack_pingpong = true;	/* the ACK may ride on our FIN */
		tcp_send_delayed_ack(tp);
		break;
	case TCP_FIN_WAIT1:
		/* simultaneous close: RFC 9293 3.6 case 2 */
		tcp_send_ack(tp);
		tcp_set_state(tp, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		tcp_send_ack(tp);
		tcp_time_wait(tp, TCP_TIME_WAIT, TCP_TIMEWAIT_LEN);
		break;
	default:
		break;
	}
	skb_queue_purge(&tp->ooo_queue);
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk_state_change(sk);
		sk_data_ready(sk);
	}
}

/* In-order skb (payload at data, seq == rcv_nxt): to the receive queue. */
static void tcp_queue_rcv(struct tcp_sock *tp, struct sk_buff *skb, bool *fin)
{
	struct sock *sk = tp_sk(tp);
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

	tp->rcv_nxt = tcb->end_seq;
	*fin = (tcb->tcp_flags & TCP_FLAG_FIN) != 0;
	if (skb->len) {
		tcp_event_data_recv(tp, skb);
		skb_set_owner_r(skb, sk);
		__skb_queue_tail(&sk->sk_receive_queue, skb);
	} else {
		consume_skb(skb);
	}
}

/* Move what became in order from the out-of-order queue. */
static bool tcp_ofo_queue(struct tcp_sock *tp)
{
	struct sk_buff *skb;
	bool fin = false;

	while ((skb = skb_peek(&tp->ooo_queue)) != NULL && !fin) {
		struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

		if (after(tcb->seq, tp->rcv_nxt))
			break;
		__skb_unlink(skb, &tp->ooo_queue);
		if (!after(tcb->end_seq, tp->rcv_nxt)) {
			kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);	/* duplicate */
			continue;
		}
		if (before(tcb->seq, tp->rcv_nxt)) {
			skb_pull(skb, tp->rcv_nxt - tcb->seq);
			tcb->seq = tp->rcv_nxt;
		}
		/* already charged: re-queue as is */
		tp->rcv_nxt = tcb->end_seq;
		fin = (tcb->tcp_flags & TCP_FLAG_FIN) != 0;
		if (skb->len) {
			tp->bytes_received += skb->len;
			__skb_queue_tail(&tp_sk(tp)->sk_receive_queue, skb);
		} else {
			consume_skb(skb);
		}
	}
	return fin;
}

/* RFC 2883: report [seq, end) as the first SACK block of the next ACK. */
static void tcp_dsack_set(struct tcp_sock *tp, uint32_t seq, uint32_t end)
{
	if (!tp->rx_opt.sack_ok)
		return;
	tp->dsack = true;
	tp->dsack_blk.start = seq;
	tp->dsack_blk.end = end;
}

/* RFC 2018 4: the block holding the latest arrival goes first. */
static void tcp_sack_note(struct tcp_sock *tp, uint32_t seq)
{
	unsigned int n = NS_MIN((unsigned int)tp->sack_recent_n + 1, (unsigned int)TCP_SACK_RECENT);

	memmove(&tp->sack_recent[1], &tp->sack_recent[0], (n - 1) * sizeof(tp->sack_recent[0]));
	tp->sack_recent[0] = seq;
	tp->sack_recent_n = (uint8_t)n;
}

/* Out-of-order segment: keep it sorted by seq, bounded by the receive
 * buffer (drops counted). */
static void tcp_data_queue_ofo(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct sock *sk = tp_sk(tp);
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	struct sk_buff *p;

	if (!tcp_rmem_schedule(tp, tcb->seq, skb->truesize)) {
		TCP_INC_STATS(tcp_net(sk), TCP_MIB_OFODROP);
		kfree_skb_reason(skb, SKB_DROP_REASON_SOCKET_RCVBUFF);
		return;
	}
	/* find the last skb starting at or before seq */
	for (p = skb_peek_tail(&tp->ooo_queue); p; p = skb_queue_prev(&tp->ooo_queue, p))
		if (!after(TCP_SKB_CB(p)->seq, tcb->seq))
			break;
	if (p && !before(TCP_SKB_CB(p)->end_seq, tcb->end_seq)) {
		/* covered: a duplicate, reported by D-SACK (RFC 2883 4.1.2) */
		tcp_dsack_set(tp, tcb->seq, tcb->end_seq);
		TCP_INC_STATS(tcp_net(sk), TCP_MIB_DSACKOFOSENT);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return;
	}
	TCP_INC_STATS(tcp_net(sk), TCP_MIB_OFOQUEUE);
	tcp_sack_note(tp, tcb->seq);
	skb_set_owner_r(skb, sk);
	if (p)
		__skb_queue_after(&tp->ooo_queue, p, skb);
	else
		__skb_queue_head(&tp->ooo_queue, skb);
	/* drop later skbs that the new one covers entirely */
	while ((p = skb_queue_next(&tp->ooo_queue, skb)) != NULL &&
	       !after(TCP_SKB_CB(p)->end_seq, tcb->end_seq)) {
		TCP_INC_STATS(tcp_net(sk), TCP_MIB_OFOMERGE);
		__skb_unlink(p, &tp->ooo_queue);
		kfree_skb_reason(p, SKB_DROP_REASON_TCP_INVALID);
	}
}

/* RFC 9293 3.10.7.4 seventh: segment text (and the FIN it may carry). */
static void tcp_data_queue(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct sock *sk = tp_sk(tp);
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	uint32_t wnd_end = tp->rcv_nxt + NS_MAX((int32_t)(tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt), 0);
	bool fin = false;

	if (tcb->seq == tcb->end_seq) {
		consume_skb(skb);
		return;
	}
	/* entirely old: a duplicate; ACK at once (RFC 5681 4.2) with a
	 * D-SACK (RFC 2883 4.1.1) */
	if (!after(tcb->end_seq, tp->rcv_nxt)) {
		tcp_dsack_set(tp, tcb->seq, tcb->end_seq);
		TCP_INC_STATS(tcp_net(sk), TCP_MIB_DSACKOLDSENT);
		tcp_enter_quickack_mode(tp);
		tcp_send_ack(tp);
		consume_skb(skb);
		return;
	}
	/* beyond the window (a zero window included): ACK, drop */
	if (!before(tcb->seq, wnd_end)) {
		tcp_send_ack(tp);
		tcp_drop(tp, skb, wnd_end == tp->rcv_nxt ? SKB_DROP_REASON_SOCKET_RCVBUFF
							  : SKB_DROP_REASON_TCP_INVALID);
		return;
	}
	/* trim what lies beyond the window (its FIN with it) */
	if (after(tcb->end_seq, wnd_end)) {
		uint32_t keep = wnd_end - tcb->seq;

		if (keep < skb->len)
			skb_trim(skb, keep);
		tcb->end_seq = wnd_end;
		tcb->tcp_flags &= (uint8_t)~TCP_FLAG_FIN;
	}
	if (before(tcb->seq, tp->rcv_nxt)) {
		/* partly old: cut the head */
		skb_pull(skb, tp->rcv_nxt - tcb->seq);
		tcb->seq = tp->rcv_nxt;
	}
	if (tcb->seq != tp->rcv_nxt) {
		/* a hole: queue it and ACK at once (dup ACK, RFC 5681 4.2) */
		tcp_data_queue_ofo(tp, skb);
		tcp_enter_quickack_mode(tp);
		tcp_send_ack(tp);
		return;
	}
	if (skb->len && sk->sk_rmem_alloc > sk->sk_rcvbuf &&
	    !tcp_rmem_schedule(tp, tcb->seq, skb->truesize)) {
		/* no room at all: drop and make the peer retransmit */
		sk->sk_drops++;
		TCP_INC_STATS(tcp_net(sk), TCP_MIB_RCVPRUNED);
		tcp_send_ack(tp);
		tcp_drop(tp, skb, SKB_DROP_REASON_SOCKET_RCVBUFF);
		return;
	}
	tcp_queue_rcv(tp, skb, &fin);
	if (!skb_queue_empty(&tp->ooo_queue)) {
		if (!fin)
			fin = tcp_ofo_queue(tp);
		/* RFC 5681 4.2: ACK at once when a gap fills */
		tp->ack_pending |= ICSK_ACK_SCHED;
		tcp_segs_unacked_add(tp, 2);
	}
	if (fin)
		tcp_fin(tp);
	if (!sock_flag(sk, SOCK_DEAD))
		sk_data_ready(sk);
	else if (sk->sk_shutdown & RCV_SHUTDOWN)
		skb_queue_purge(&sk->sk_receive_queue);
}

/* Linux's __tcp_ack_snd_check: now, later, or not at all. */
static void tcp_ack_snd_check(struct tcp_sock *tp)
{
	bool quick = tp->ack_quick && !tp->ack_pingpong;

	if (!(tp->ack_pending & ICSK_ACK_SCHED))
		return;
	/* every second full-sized segment (RFC 5681 4.2), quick-ACK mode,
	 * or a gap in the sequence: now */
	if (tp->rcv_segs_unacked >= 2 || quick || !skb_queue_empty(&tp->ooo_queue)) {
		tcp_send_ack(tp);
		return;
	}
	tcp_send_delayed_ack(tp);
}

/* ---- the ACK (RFC 9293 3.10.7.4 fifth, RFC 5681, RFC 6582) ------------------------------------------------ */
/* RFC 9293 3.10.7.4: update the send window (SND.WL1/WL2 rule). */
static void tcp_ack_update_window(struct tcp_sock *tp, const struct tcp_repr *th)
{
	uint32_t nwin = (uint32_t)th->window;

	if (!(th->flags & TCP_FLAG_SYN))
		nwin <<= tp->rx_opt.snd_wscale;
	if (before(tp->snd_wl1, th->seq) ||
	    (tp->snd_wl1 == th->seq && !before(th->ack_seq, tp->snd_wl2)) ||
	    (th->ack_seq == tp->snd_wl2 && nwin > tp->snd_wnd)) {
		tp->snd_wnd = nwin;
		tp->snd_wl1 = th->seq;
		tp->snd_wl2 = th->ack_seq;
		if (nwin > tp->max_window) {
			tp->max_window = nwin;
			tcp_sync_mss(tp, tp->pmtu);
		}
	}
}

/* Remove what the cumulative ACK covers; RTT from the first never
 * retransmitted skb (Karn) or from the timestamp echo (RFC 7323 4.1).
 * Returns the number of skbs fully acknowledged. */
static uint32_t tcp_clean_rtx_queue(struct tcp_sock *tp, uint32_t ack, bool *rtt_done)
{
	struct sk_buff *skb;
	uint32_t acked = 0;
	uint64_t now = tcp_now(tp);
	uint64_t seq_rtt = 0;
	bool karn_ok = false;

	while ((skb = skb_peek(&tp->rtx_queue)) != NULL) {
		struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

		if (after(tcb->end_seq, ack)) {
			/* partly acknowledged: trim so a retransmission starts at ack */
			if (after(ack, tcb->seq) && !(tcb->tcp_flags & TCP_FLAG_SYN) &&
			    ack - tcb->seq <= skb->len) {
				skb_pull(skb, ack - tcb->seq);
				tcb->seq = ack;
			}
			break;
		}
		if (!(tcb->sacked & TCPCB_EVER_RETRANS) && tcb->when) {
			seq_rtt = now > tcb->when ? now - tcb->when : 0;
			karn_ok = true;
		}
		if (tcb->sacked & TCPCB_SACKED_ACKED)
			tp->sacked_out--;
		else if (tp->rx_opt.sack_ok)
			tcp_skb_delivered(tp, tcb, now);
		if (tcb->sacked & TCPCB_LOST)
			tp->lost_out--;
		if (tcb->sacked & TCPCB_SACKED_RETRANS)
			tp->retrans_out--;
		tp->packets_out--;
		__skb_unlink(skb, &tp->rtx_queue);
		consume_skb(skb);
		acked++;
	}
	tp->ack_rtt_us = -1;
	if (karn_ok) {
		tcp_rtt_estimator(tp, seq_rtt);
		tp->ack_rtt_us = (int32_t)NS_MIN(seq_rtt / NS_PER_US, (uint64_t)INT32_MAX);
		*rtt_done = true;
	}
	return acked;
}

/* Retransmit what is marked lost while the window has room (RFC 6675 4
 * NextSeg rule 1: the lowest lost, un-retransmitted, un-SACKed segment). */
static void tcp_xmit_retransmit_queue(struct tcp_sock *tp)
{
	struct sk_buff *skb;
	uint32_t lost_seen = 0;

	if (!tp->lost_out)
		return;
	skb_queue_walk(&tp->rtx_queue, skb) {
		struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

		/* lost_out counts the LOST skbs: past the last one nothing
		 * qualifies, so the walk stops there instead of crossing the
		 * SACKed rest of the window on every ACK of a recovery */
		if (lost_seen >= tp->lost_out)
			break;
		if (tcp_packets_in_flight(tp) >= tp->snd_cwnd)
			break;
		if (!(tcb->sacked & TCPCB_LOST))
			continue;
		lost_seen++;
		if (tcb->sacked & TCPCB_SACKED_RETRANS)
			continue;
		if (tcp_retransmit_skb(tp, skb))
			break;
	}
}

static void tcp_mark_head_lost(struct tcp_sock *tp)
{
	struct sk_buff *skb = skb_peek(&tp->rtx_queue);

	if (skb && !(TCP_SKB_CB(skb)->sacked & TCPCB_LOST)) {
		TCP_SKB_CB(skb)->sacked |= TCPCB_LOST;
		tp->lost_out++;
	}
	if (skb && (TCP_SKB_CB(skb)->sacked & TCPCB_SACKED_RETRANS)) {
		/* a partial ACK: the retransmission was lost too */
		TCP_SKB_CB(skb)->sacked &= (uint8_t)~TCPCB_SACKED_RETRANS;
		tp->retrans_out--;
	}
}

/* RFC 5681 3.2 step 2 / RFC 6582 3.2 step 4: the first unacknowledged
 * segment "MUST be retransmitted" - whatever the congestion window says
 * (Linux's PRR always allows this one). */
static void tcp_retransmit_head(struct tcp_sock *tp)
{
	struct sk_buff *skb = skb_peek(&tp->rtx_queue);

	if (skb && (TCP_SKB_CB(skb)->sacked & TCPCB_LOST) &&
	    !(TCP_SKB_CB(skb)->sacked & TCPCB_SACKED_RETRANS))
		tcp_retransmit_skb(tp, skb);
}

/* RFC 5681 3.2 / RFC 6582 3.2 step 2: the third duplicate ACK. */
static void tcp_enter_recovery(struct tcp_sock *tp)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));

	tp->prior_ssthresh = tp->snd_ssthresh;
	tp->prior_cwnd = tp->snd_cwnd;
	tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
	tp->snd_cwnd = tp->snd_ssthresh;
	tp->high_seq = tp->snd_nxt;		/* "recover" */
	tp->undo_marker = tp->snd_una;
	tp->undo_retrans = 0;
	tcp_set_ca_state(tp, TCP_CA_RECOVERY);
	TCP_INC_STATS(tn, TCP_MIB_FASTRETRANS);
	tcp_mark_head_lost(tp);
	tcp_retransmit_head(tp);
}

/* RFC 5681 2: a duplicate ACK. */
static bool tcp_is_dupack(const struct tcp_sock *tp, const struct tcp_repr *th, uint32_t prior_wnd)
{
	return tp->packets_out && !th->payload_len &&
	       !(th->flags & (TCP_FLAG_SYN | TCP_FLAG_FIN)) && th->ack_seq == tp->snd_una &&
	       tp->snd_wnd == prior_wnd;
}

/* RFC 5961 7: challenge ACKs and out-of-window ACKs are rate limited per
 * socket (tcp_invalid_ratelimit, 500 ms) and challenge ACKs per stack
 * (about tcp_challenge_ack_limit per second: a random budget in
 * [limit/2, 3*limit/2) so its use leaks nothing, CVE-2016-5696). Returns true when the ACK may go. */
static bool tcp_oow_rate_limited_ok(struct tcp_sock *tp)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));
	uint64_t now = tcp_now(tp);

	if (tp->last_oow_ack_time && now - tp->last_oow_ack_time < (uint64_t)tn->invalid_ratelimit_ms * NS_PER_MS) {
		TCP_INC_STATS(tn, TCP_MIB_ACKSKIPPEDCHALLENGE);
		return false;
	}
	tp->last_oow_ack_time = now;
	return true;
}

static void tcp_send_challenge_ack(struct tcp_sock *tp)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));
	uint64_t sec = tcp_now(tp) / NS_PER_SEC;

	if (!tcp_oow_rate_limited_ok(tp))
		return;
	if (sec != tn->challenge_timestamp) {
		uint32_t half = (uint32_t)(tn->challenge_ack_limit + 1) / 2;

		tn->challenge_timestamp = sec;
		/* Linux: limit/2 + random(limit) */
		tn->challenge_count = half + (uint32_t)(ns_random(tp_sk(tp)->sk_net) %
							NS_MAX((uint32_t)tn->challenge_ack_limit, 1U));
	}
	if (tn->challenge_count) {
		tn->challenge_count--;
		TCP_INC_STATS(tn, TCP_MIB_CHALLENGEACK);
		tcp_send_ack(tp);
	}
}

/* RFC 6675 5 / RFC 8985: the SACK loss recovery state machine (Linux's
 * tcp_fastretrans_alert with SACK). */
static void tcp_sack_recovery(struct tcp_sock *tp, uint32_t ack, uint32_t acked_pkts, bool advanced)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));
	bool rack = tp->rack_advanced;
	uint64_t wait = 0;

	tp->rack_advanced = false;
	if (tp->ca_state == TCP_CA_OPEN && !tp->sacked_out && !tp->lost_out) {
		/* nothing dubious (Linux's tcp_ack_is_dubious): no scoreboard
		 * to look at */
		if (advanced)
			tp->ca_ops->cong_avoid(tp, ack, acked_pkts);
		return;
	}
	if (rack)
		wait = tcp_rack_detect_loss(tp);
	tcp_6675_mark_lost(tp);
	if (tp->ca_state == TCP_CA_RECOVERY && !before(ack, tp->high_seq)) {
		/* RFC 6675 5: a cumulative ACK covering "RecoveryPoint" ends it */
		tp->snd_cwnd = NS_MAX(tp->snd_ssthresh, 2U);
		tcp_set_ca_state(tp, TCP_CA_OPEN);
	} else if (tp->ca_state == TCP_CA_LOSS && !before(ack, tp->high_seq)) {
		tcp_set_ca_state(tp, TCP_CA_OPEN);
	}
	switch (tp->ca_state) {
	case TCP_CA_OPEN:
	case TCP_CA_DISORDER:
	case TCP_CA_CWR:
		if (tp->lost_out) {
			/* RFC 6675 5 (4.1-4.2): RecoveryPoint = HighData,
			 * cwnd = ssthresh = FlightSize / 2 */
			tp->prior_ssthresh = tp->snd_ssthresh;
			tp->prior_cwnd = tp->snd_cwnd;
			tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
			tp->snd_cwnd = NS_MAX(tp->snd_ssthresh, 2U);
			tp->high_seq = tp->snd_nxt;
			tp->undo_marker = tp->snd_una;
			tp->undo_retrans = 0;
			tcp_set_ca_state(tp, TCP_CA_RECOVERY);
			TCP_INC_STATS(tn, TCP_MIB_FASTRETRANS);
			TCP_INC_STATS(tn, TCP_MIB_SACKRECOVERY);
			tp->tlp_high_seq = 0;
			tcp_retransmit_head(tp);	/* (4.3): the first one goes now */
		} else {
			tcp_set_ca_state(tp, tp->sacked_out ? TCP_CA_DISORDER : TCP_CA_OPEN);
			if (advanced)
				tp->ca_ops->cong_avoid(tp, ack, acked_pkts);
		}
		break;
	case TCP_CA_LOSS:
		if (advanced)
			tp->ca_ops->cong_avoid(tp, ack, acked_pkts);
		break;
	default:
		break;
	}
	tcp_xmit_retransmit_queue(tp);
	if (wait && tp->packets_out)
		tcp_reset_xmit_timer(tp, ICSK_TIME_REO_TIMEOUT, wait);
}

/* The RACK reordering timer fired (RFC 8985 6.3). */
void tcp_rack_reo_timeout(struct tcp_sock *tp)
{
	uint32_t prior_lost = tp->lost_out;

	tp->rack_advanced = true;
	tcp_sack_recovery(tp, tp->snd_una, 0, false);
	if (prior_lost == tp->lost_out && tp->pending == ICSK_TIME_REO_TIMEOUT)
		tcp_set_xmit_timer(tp);
	else if (tp->pending != ICSK_TIME_REO_TIMEOUT || !tcp_timer_armed(tp, TCP_TIMER_RTX))
		tcp_set_xmit_timer(tp);
	tcp_push(tp);
}

/* After an ACK: the RACK timer if one is waiting, else TLP's PTO in Open
 * state, else the RTO (Linux's tcp_set_xmit_timer). */
void tcp_set_xmit_timer(struct tcp_sock *tp)
{
	if (tp->pending == ICSK_TIME_REO_TIMEOUT && tcp_timer_armed(tp, TCP_TIMER_RTX))
		return;
	/* all acknowledged (every ACK of a request/response exchange): no
	 * probe to schedule, the RTO stops */
	if (!tp->packets_out || !tcp_schedule_loss_probe(tp))
		tcp_rearm_rto(tp);
}

/* RFC 2883 / Linux's tcp_try_undo_dsack: every retransmission of the last
 * recovery came back as a D-SACK - the loss was reordering: restore the
 * window. */
static void tcp_try_undo_dsack(struct tcp_sock *tp)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));

	if (!tp->undo_marker || tp->undo_retrans > 0 ||
	    (tp->ca_state != TCP_CA_OPEN && tp->ca_state != TCP_CA_DISORDER))
		return;
	if (tp->ca_ops->undo_cwnd)
		tp->snd_cwnd = tp->ca_ops->undo_cwnd(tp);
	if (tp->prior_ssthresh > tp->snd_ssthresh)
		tp->snd_ssthresh = tp->prior_ssthresh;
	tp->undo_marker = 0;
	TCP_INC_STATS(tn, TCP_MIB_DSACKUNDO);
}

/* Reno's duplicate-ACK counting for peers without SACK (RFC 5681 3.2). */
static void tcp_reno_dupack(struct tcp_sock *tp, uint32_t ack)
{
	tp->dup_acks++;
	/* Reno: a dup ACK means a segment left the network */
	if (tp->sacked_out + 1 < tp->packets_out)
		tp->sacked_out++;
	if (tp->ca_state == TCP_CA_OPEN)
		tcp_set_ca_state(tp, TCP_CA_DISORDER);
	if (tp->dup_acks == 3 && tp->ca_state == TCP_CA_DISORDER &&
	    (!before(ack, tp->high_seq) || !tp->high_seq))
		tcp_enter_recovery(tp);
}

/* NewReno after new data was acknowledged (RFC 6582 3.2). */
static void tcp_reno_ack(struct tcp_sock *tp, uint32_t ack, uint32_t acked_pkts)
{
	switch (tp->ca_state) {
	case TCP_CA_RECOVERY:
		if (!before(ack, tp->high_seq)) {
			/* RFC 6582 3.2 step 3: full ACK - deflate, leave */
			tp->snd_cwnd = NS_MAX(tp->snd_ssthresh, 2U);
			tp->sacked_out = 0;
			tp->dup_acks = 0;
			tcp_set_ca_state(tp, TCP_CA_OPEN);
		} else {
			/* RFC 6582 3.2 step 4: partial ACK - retransmit the
			 * next hole */
			tp->sacked_out = tp->sacked_out > acked_pkts ? tp->sacked_out - acked_pkts : 0;
			tcp_mark_head_lost(tp);
			tcp_retransmit_head(tp);
		}
		break;
	case TCP_CA_LOSS:
		if (!before(ack, tp->high_seq)) {
			tcp_set_ca_state(tp, TCP_CA_OPEN);
			tp->dup_acks = 0;
		} else {
			tp->ca_ops->cong_avoid(tp, ack, acked_pkts);
			tcp_xmit_retransmit_queue(tp);
		}
		break;
	default:
		tp->dup_acks = 0;
		tp->sacked_out = 0;
		tcp_set_ca_state(tp, TCP_CA_OPEN);
		tp->ca_ops->cong_avoid(tp, ack, acked_pkts);
		break;
	}
}

/* SND.UNA advances to ack (RFC 9293 3.10.7.4 fifth): free what it covers,
 * sample the RTT (RFC 6298, RFC 7323 4.1), tell the congestion ops.
 * Returns the number of skbs fully acknowledged. */
static inline __attribute__((always_inline)) uint32_t tcp_ack_advance(struct tcp_sock *tp, uint32_t ack,
								 uint32_t prior_una)
{
	bool rtt_done = false;
	uint32_t acked_pkts;

	tp->snd_una = ack;
	tp->bytes_acked += ack - prior_una;
	acked_pkts = tcp_clean_rtx_queue(tp, ack, &rtt_done);
	if (!rtt_done && tp->rx_opt.saw_tstamp && tp->rx_opt.rcv_tsecr) {
		uint32_t ms = tcp_time_stamp_ms(tp_sk(tp)->sk_net) - tp->rx_opt.rcv_tsecr;

		if (ms < 3600000)
			tcp_rtt_estimator(tp, (uint64_t)ms * NS_PER_MS);
	}
	tp->retransmits = 0;
	tp->backoff = 0;
	if (!tp->retrans_out)
		tp->retrans_stamp = 0;
	if (tp->ca_ops->pkts_acked)
		tp->ca_ops->pkts_acked(tp, acked_pkts, tp->ack_rtt_us);
	return acked_pkts;
}

/* After an ACK that moved or was no duplicate: the send buffer, the
 * retransmission / probe timer, the writers. */
static void tcp_ack_done(struct tcp_sock *tp, bool advanced)
{
	struct sock *sk = tp_sk(tp);

	if (tp->ca_state == TCP_CA_OPEN)
		tcp_sndbuf_expand(tp);
	tcp_set_xmit_timer(tp);
	if (advanced && !sock_flag(sk, SOCK_DEAD))
		sk_write_space(sk);
}

/* Returns -1 when the segment must be dropped (RFC 5961 5.2: an ACK
 * outside [SND.UNA - MAX.SND.WND, SND.NXT]). */
static int tcp_ack(struct tcp_sock *tp, const struct tcp_repr *th, const struct tcp_options *opt)
{
	struct sock *sk = tp_sk(tp);
	uint32_t ack = th->ack_seq;
	uint32_t prior_una = tp->snd_una, prior_wnd = tp->snd_wnd;
	uint32_t acked_pkts = 0, sacked = 0;
	bool dsack = false, sack = tp->rx_opt.sack_ok;

	/* RFC 5961 5.2: "If the ACK acknowledges something not yet sent
	 * (SEG.ACK > SND.NXT) ... or is older than SND.UNA - MAX.SND.WND:
	 * send an ACK, drop the segment" */
	if (after(ack, tp->snd_nxt) || before(ack, prior_una - NS_MAX(tp->max_window, 1U))) {
		tcp_send_challenge_ack(tp);
		return -1;
	}
	/* an old duplicate: ignore the ACK field */
	if (before(ack, prior_una))
		return 0;
	/* Linux's slow-path tcp_ack: an ACK without text, SYN or FIN */
	if (!th->payload_len && !(th->flags & (TCP_FLAG_SYN | TCP_FLAG_FIN)))
		TCP_INC_STATS(tcp_net(sk), TCP_MIB_PUREACKS);
	tp->rcv_tstamp = tcp_now(tp);
	tp->probes_out = 0;
	tcp_ack_update_window(tp, th);
	if (after(ack, prior_una))
		acked_pkts = tcp_ack_advance(tp, ack, prior_una);
	if (sack && opt->num_sacks)	/* tcp_sacktag does nothing without blocks */
		sacked = tcp_sacktag(tp, opt, ack, &dsack);
	tcp_rack_ack_done(tp);
	if (tp->tlp_high_seq)	/* a loss probe is out (tcp_process_tlp_ack) */
		tcp_process_tlp_ack(tp, ack, dsack);
	if (dsack)
		tcp_try_undo_dsack(tp);
	if (ack == prior_una && !sacked) {
		if (!sack && tcp_is_dupack(tp, th, prior_wnd))
			tcp_reno_dupack(tp, ack);
		else if (sack && tp->rack_advanced)
			tcp_sack_recovery(tp, ack, 0, false);
		if (tp->snd_wnd > prior_wnd && tcp_timer_armed(tp, TCP_TIMER_RTX) &&
		    tp->pending == ICSK_TIME_PROBE0) {
			/* the window opened (Linux's tcp_ack_probe) */
			tcp_timer_cancel(tp, TCP_TIMER_RTX);
			tp->backoff = 0;
		}
		return 0;
	}
	if (sack)
		tcp_sack_recovery(tp, ack, acked_pkts, after(ack, prior_una));
	else
		tcp_reno_ack(tp, ack, acked_pkts);
	tcp_ack_done(tp, after(ack, prior_una));
	return 0;
}

/* RTO (RFC 6298 5.5-5.7): collapse to one segment, retransmit the rest as
 * ACKs come back (Linux's tcp_enter_loss). */
void tcp_enter_loss(struct tcp_sock *tp)
{
	struct sk_buff *skb;

	if (tp->ca_state < TCP_CA_RECOVERY || tp->ca_state == TCP_CA_CWR) {
		tp->prior_ssthresh = tp->snd_ssthresh;
		tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
	}
	tp->snd_cwnd = 1;
	tp->snd_cwnd_cnt = 0;
	tp->undo_marker = 0;	/* no undo of an RTO */
	if (!tp->rx_opt.sack_ok)
		tp->sacked_out = 0;	/* Reno's dup-ACK estimate */
	tp->dup_acks = 0;
	tp->tlp_high_seq = 0;
	/* the head SACKed but not cumulatively ACKed: the receiver reneged
	 * (RFC 2018 8); forget the scoreboard (Linux's is_reneg) */
	skb = skb_peek(&tp->rtx_queue);
	if (skb && (TCP_SKB_CB(skb)->sacked & TCPCB_SACKED_ACKED)) {
		skb_queue_walk(&tp->rtx_queue, skb)
			TCP_SKB_CB(skb)->sacked &= (uint8_t)~TCPCB_SACKED_ACKED;
		tp->sacked_out = 0;
		memset(tp->recv_sack_cache, 0, sizeof(tp->recv_sack_cache));
	}
	skb_queue_walk(&tp->rtx_queue, skb) {
		struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

		if (tcb->sacked & TCPCB_SACKED_ACKED)
			continue;	/* RFC 6675 5.1: the scoreboard survives an RTO */
		if (tcb->sacked & TCPCB_SACKED_RETRANS) {
			tcb->sacked &= (uint8_t)~TCPCB_SACKED_RETRANS;
			tp->retrans_out--;
		}
		if (!(tcb->sacked & TCPCB_LOST)) {
			tcb->sacked |= TCPCB_LOST;
			tp->lost_out++;
		}
	}
	tp->high_seq = tp->snd_nxt;
	tcp_set_ca_state(tp, TCP_CA_LOSS);
}

/* The path MTU shrank (RFC 1191): what no longer fits was lost; resend it
 * now at the new size without reducing cwnd (Linux's tcp_simple_retransmit). */
void tcp_simple_retransmit(struct tcp_sock *tp)
{
	uint32_t mss = tcp_current_mss(tp), prior_lost = tp->lost_out;
	struct sk_buff *skb;

	skb_queue_walk(&tp->rtx_queue, skb) {
		struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

		if (skb->len > mss && !(tcb->sacked & TCPCB_LOST)) {
			if (tcb->sacked & TCPCB_SACKED_RETRANS) {
				tcb->sacked &= (uint8_t)~TCPCB_SACKED_RETRANS;
				tp->retrans_out--;
			}
			tcb->sacked |= TCPCB_LOST;
			tp->lost_out++;
		}
	}
	if (prior_lost == tp->lost_out)
		return;
	if (tp->ca_state != TCP_CA_LOSS) {
		tp->high_seq = tp->snd_nxt;
		tp->prior_ssthresh = 0;
		tp->undo_marker = 0;
		tcp_set_ca_state(tp, TCP_CA_LOSS);
	}
	tcp_xmit_retransmit_queue(tp);
}

/* ---- timestamps (RFC 7323) -------------------------------------------------------------------------------- */
static void tcp_parse_ts(struct tcp_sock *tp, const struct tcp_options *opt)
{
	tp->rx_opt.saw_tstamp = tp->rx_opt.tstamp_ok && opt->ts_ok;
	if (tp->rx_opt.saw_tstamp) {
		tp->rx_opt.rcv_tsval = opt->tsval;
		tp->rx_opt.rcv_tsecr = opt->tsecr;
	}
}

/* RFC 7323 5.3 R1: PAWS - is the timestamp older than TS.Recent? */
static bool tcp_paws_reject(const struct tcp_sock *tp, bool rst)
{
	if (!tp->rx_opt.saw_tstamp || !tp->rx_opt.ts_recent_stamp)
		return false;
	if ((int32_t)(tp->rx_opt.rcv_tsval - tp->rx_opt.ts_recent) >= 0)
		return false;
	/* RFC 7323 5.5: TS.Recent older than 24 days is invalid */
	if (tcp_now(tp) - tp->rx_opt.ts_recent_stamp > PAWS_24DAYS)
		return false;
	/* Linux accepts an old timestamp on a RST (tcp_paws_discard) */
	return !rst;
}

/* RFC 7323 4.3 (2): TS.Recent from a segment covering Last.ACK.sent. */
static void tcp_store_ts_recent(struct tcp_sock *tp, uint32_t seq)
{
	if (tp->rx_opt.saw_tstamp && !after(seq, tp->rcv_wup) &&
	    (int32_t)(tp->rx_opt.rcv_tsval - tp->rx_opt.ts_recent) >= 0) {
		tp->rx_opt.ts_recent = tp->rx_opt.rcv_tsval;
		tp->rx_opt.ts_recent_stamp = tcp_now(tp);
	}
}

/* ---- handshake ---------------------------------------------------------------------------------------- */
/* Options of a SYN we received (RFC 9293 3.7.1, RFC 7323 2.2/3.2). */
static void tcp_syn_options(struct tcp_sock *tp, const struct tcp_options *opt)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));
	uint16_t mss = opt->mss_ok ? opt->mss : (uint16_t)TCP_MSS_DEFAULT;

	if (tp->rx_opt.user_mss && tp->rx_opt.user_mss < mss)
		mss = tp->rx_opt.user_mss;
	tp->rx_opt.mss_clamp = mss;
	tp->rx_opt.wscale_ok = opt->ws_ok && tn->window_scaling;
	if (tp->rx_opt.wscale_ok) {
		tp->rx_opt.snd_wscale = opt->ws;
	} else {
		tp->rx_opt.snd_wscale = 0;
		tp->rx_opt.rcv_wscale = 0;
	}
	tp->rx_opt.sack_ok = opt->sack_ok && tn->sack;	/* RFC 2018 2 */
	tp->rx_opt.tstamp_ok = opt->ts_ok && tn->timestamps;
	if (tp->rx_opt.tstamp_ok) {
		tp->rx_opt.ts_recent = opt->tsval;
		tp->rx_opt.ts_recent_stamp = tcp_now(tp);
	}
}

/* Linux's tcp_data_snd_check: push when data waits. With an empty write
 * queue, a flight below cwnd and no forced push, tcp_push would change
 * nothing in any state (every ACK that arrives gets here). */
static inline void tcp_data_snd_check(struct tcp_sock *tp)
{
	if (!skb_queue_empty(&tp_sk(tp)->sk_write_queue) || tcp_packets_in_flight(tp) >= tp->snd_cwnd ||
	    (tp->nonagle & TCP_NAGLE_PUSH))
		tcp_push(tp);
}

/* RFC 9293 3.10.7.3 SYN-SENT. */
static int tcp_rcv_synsent(struct tcp_sock *tp, struct sk_buff *skb, const struct tcp_repr *th,
			   const struct tcp_options *opt)
{
	struct sock *sk = tp_sk(tp);
	struct netns_tcp *tn = tcp_net(sk);
	bool ack = th->flags & TCP_FLAG_ACK;

	/* first check the ACK bit */
	if (ack && (!after(th->ack_seq, tp->iss) || after(th->ack_seq, tp->snd_nxt))) {
		if (!(th->flags & TCP_FLAG_RST))
			tcp_send_reset_sk(tp, th->ack_seq);
		tcp_drop(tp, skb, SKB_DROP_REASON_TCP_INVALID);
		return 0;
	}
	/* second check the RST bit: only with an acceptable ACK */
	if (th->flags & TCP_FLAG_RST) {
		if (ack)
			tcp_reset(tp);
		tcp_drop(tp, skb, SKB_DROP_REASON_TCP_INVALID);
		return 0;
	}
	/* fourth check the SYN bit (SYN+FIN is dropped like Linux) */
	if (!(th->flags & TCP_FLAG_SYN) || (th->flags & TCP_FLAG_FIN)) {
		tcp_drop(tp, skb, SKB_DROP_REASON_TCP_INVALID);
		return 0;
	}
	tp->rcv_nxt = th->seq + 1;
	tp->rcv_wup = tp->rcv_nxt;
	tp->copied_seq = tp->rcv_nxt;
	tcp_syn_options(tp, opt);
	tp->snd_wl1 = th->seq;
	if (ack) {
		bool rtt = false;

		tp->snd_una = th->ack_seq;
		tp->snd_wnd = th->window;	/* RFC 7323 2.2: unscaled in a SYN */
		tp->snd_wl2 = th->ack_seq;
		tp->max_window = tp->snd_wnd;
		tcp_clean_rtx_queue(tp, th->ack_seq, &rtt);
		tp->retransmits = 0;
		tp->backoff = 0;
		tcp_init_transfer(tp);
		tcp_set_state(tp, TCP_ESTABLISHED);
		tcp_timer_cancel(tp, TCP_TIMER_RTX);
		if (!sock_flag(sk, SOCK_DEAD))
			sk_state_change(sk);
		/* RFC 9293: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
		tcp_send_ack(tp);
		tcp_data_snd_check(tp);
		consume_skb(skb);
		return 0;
	}
	/* simultaneous open (RFC 9293 3.5 figure 8): SYN-RECEIVED,
	 * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> */
	tcp_set_state(tp, TCP_SYN_RECV);
	tp->snd_wnd = th->window;
	tp->max_window = tp->snd_wnd;
	{
		struct sk_buff *syn = skb_peek(&tp->rtx_queue);

		if (syn) {
			TCP_SKB_CB(syn)->tcp_flags |= TCP_FLAG_ACK;
			tcp_transmit_skb(tp, syn, true);
		}
	}
	(void)tn;
	consume_skb(skb);
	return 0;
}

/* ---- header prediction (Van Jacobson; Linux's tcp_rcv_established fast path) ---------------------------------- */
/* The segment ESTABLISHED expects, with nothing to decide: exactly ACK
 * (PSH allowed), SEG.SEQ == RCV.NXT, the window unchanged, no SACK
 * blocks, the timestamp present when agreed and not older than TS.Recent,
 * SND.UNA <= SEG.ACK <= SND.NXT, new text or a new ACK, no recovery,
 * scoreboard, loss probe or out-of-order data, text that fits the window
 * and the receive buffer. Such a segment passes RFC 7323 5.3 PAWS, the
 * RFC 9293 3.10.7.4 sequence test and the RFC 5961 5.2 ACK test, and the
 * slow path would take exactly the steps tcp_rcv_established_fast takes.
 * Anything else goes the slow path. */
static bool tcp_hp_ok(struct tcp_sock *tp, const struct tcp_repr *th, const struct tcp_options *opt)
{
	struct sock *sk = tp_sk(tp);
	uint32_t ack = th->ack_seq;

	if (sk->sk_state != TCP_ESTABLISHED || (th->flags & ~TCP_FLAG_PSH) != TCP_FLAG_ACK ||
	    th->seq != tp->rcv_nxt || opt->num_sacks || sock_flag(sk, SOCK_DEAD))
		return false;
	if (tp->rx_opt.tstamp_ok &&
	    (!opt->ts_ok || !tp->rx_opt.ts_recent_stamp || (int32_t)(opt->tsval - tp->rx_opt.ts_recent) < 0))
		return false;
	if (((uint32_t)th->window << tp->rx_opt.snd_wscale) != tp->snd_wnd)
		return false;
	if (before(ack, tp->snd_una) || after(ack, tp->snd_nxt) ||
	    (!th->payload_len && ack == tp->snd_una))
		return false;
	if (tp->ca_state != TCP_CA_OPEN || tp->sacked_out || tp->lost_out || tp->tlp_high_seq ||
	    tp->rack_advanced)
		return false;
	if (th->payload_len) {
		uint32_t wnd_end = tp->rcv_nxt + NS_MAX((int32_t)(tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt), 0);

		if ((sk->sk_shutdown & RCV_SHUTDOWN) || !skb_queue_empty(&tp->ooo_queue) ||
		    after(th->seq + (uint32_t)th->payload_len, wnd_end) || sk->sk_rmem_alloc > sk->sk_rcvbuf)
			return false;
	}
	return true;
}

/* SO_KEEPALIVE has no proto hook: the keepalive timer starts with the
 * first segment after it was set. */
static void tcp_keepalive_check(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);

	if (sock_flag(sk, SOCK_KEEPOPEN) && !tcp_timer_armed(tp, TCP_TIMER_KEEP) &&
	    sk->sk_state == TCP_ESTABLISHED)
		tcp_reset_keepalive_timer(tp, tcp_keepalive_time_ns(tp));
}

/* What the slow path does for a segment tcp_hp_ok() accepted, without its
 * tests: TS.Recent, the ACK (SND.UNA, RTT, congestion ops, freed skbs,
 * timers), the text to the receive queue, the ACK scheduling. */
static void tcp_rcv_established_fast(struct tcp_sock *tp, struct sk_buff *skb, const struct tcp_repr *th,
				     const struct tcp_options *opt)
{
	struct sock *sk = tp_sk(tp);
	struct netns_tcp *tn = tcp_net(sk);
	uint32_t ack = th->ack_seq, prior_una = tp->snd_una;

	tcp_parse_ts(tp, opt);
	tcp_store_ts_recent(tp, th->seq);
	tp->rcv_tstamp = tcp_now(tp);
	tp->probes_out = 0;
	tcp_ack_update_window(tp, th);
	if (after(ack, prior_una)) {
		uint32_t acked_pkts = tcp_ack_advance(tp, ack, prior_una);

		TCP_INC_STATS(tn, TCP_MIB_HPACKS);
		tcp_rack_ack_done(tp);
		if (tp->rx_opt.sack_ok) {
			/* tcp_sack_recovery's "nothing dubious" case: tcp_hp_ok
			 * saw Open with no SACKed or lost skb, and an ACK only
			 * takes those away */
			tp->rack_advanced = false;
			tp->ca_ops->cong_avoid(tp, ack, acked_pkts);
		} else {
			tcp_reno_ack(tp, ack, acked_pkts);
		}
		tcp_ack_done(tp, true);
	} else {
		tcp_rack_ack_done(tp);
	}
	if (th->payload_len) {
		bool fin = false;

		TCP_INC_STATS(tn, TCP_MIB_HPHITS);
		tp->ack_pending |= ICSK_ACK_SCHED;
		tcp_queue_rcv(tp, skb, &fin);
		sk_data_ready(sk);
	} else {
		consume_skb(skb);
	}
	tcp_data_snd_check(tp);
	tcp_ack_snd_check(tp);
	tcp_keepalive_check(tp);
}

/* RFC 9293 3.10.7.4 for every synchronized state (and SYN-RECEIVED). */
int tcp_rcv_state_process(struct tcp_sock *tp, struct sk_buff *skb, const struct tcp_repr *th,
			  const struct tcp_options *opt)
{
	struct sock *sk = tp_sk(tp);
	struct netns_tcp *tn = tcp_net(sk);
	struct tcp_skb_cb *tcb;
	unsigned int hlen = TCP_HLEN_MIN + (unsigned int)th->opts_len;

	tcp_fill_cb(skb, th, opt);
	tcb = TCP_SKB_CB(skb);
	skb_pull(skb, hlen);
	tp->segs_in += skb->gso_segs ? skb->gso_segs : 1u;

	switch (sk->sk_state) {
	case TCP_CLOSE:
		tcp_drop(tp, skb, SKB_DROP_REASON_NO_SOCKET);
		return 0;
	case TCP_SYN_SENT:
		return tcp_rcv_synsent(tp, skb, th, opt);
	case TCP_LISTEN:
		tcp_drop(tp, skb, SKB_DROP_REASON_TCP_INVALID);
		return 0;
	default:
		break;
	}
	if (tcp_hp_ok(tp, th, opt)) {
		tcp_rcv_established_fast(tp, skb, th, opt);
		return 0;
	}
	tcp_parse_ts(tp, opt);
	/* first: sequence number, with PAWS (RFC 7323 5.3) */
	if (tcp_paws_reject(tp, th->flags & TCP_FLAG_RST)) {
		TCP_INC_STATS(tn, TCP_MIB_PAWSESTABREJECTED);
		tcp_send_ack(tp);	/* RFC 7323 5.3 R1: send an ACK, drop */
		tcp_drop(tp, skb, SKB_DROP_REASON_TCP_INVALID);
		return 0;
	}
	/* TIME-WAIT is a minisocket (tcp_minisocks.c): no tcp_sock gets here in it */
	if (!tcp_sequence_ok(tp, tcb->seq, tcb->end_seq)) {
		/* "If an incoming segment is not acceptable, an acknowledgment
		 * should be sent in reply (unless the RST bit is set)" */
		if (!(th->flags & TCP_FLAG_RST)) {
			/* Linux's tcp_send_dupack: old data gets a D-SACK
			 * (RFC 2883 4.1.1) */
			if (tcb->end_seq != tcb->seq && before(tcb->seq, tp->rcv_nxt)) {
				tcp_dsack_set(tp, tcb->seq, before(tcb->end_seq, tp->rcv_nxt) ?
							    tcb->end_seq : tp->rcv_nxt);
				TCP_INC_STATS(tn, TCP_MIB_DSACKOLDSENT);
			}
			tcp_send_ack(tp);
		}
		tcp_drop(tp, skb, SKB_DROP_REASON_TCP_INVALID);
		return 0;
	}
	/* second: RST (RFC 9293 3.10.7.4, RFC 5961 3.2) */
	if (th->flags & TCP_FLAG_RST) {
		if (tcb->seq == tp->rcv_nxt) {
			if (sk->sk_state == TCP_SYN_RECV && tp->parent) {
				/* a passive open goes back to LISTEN: the child dies */
				tcp_done(tp);
			} else {
				tcp_reset(tp);
			}
		} else {
			/* RFC 5961 3.2: in the window but not RCV.NXT */
			tcp_send_challenge_ack(tp);
		}
		tcp_drop(tp, skb, SKB_DROP_REASON_TCP_INVALID);
		return 0;
	}
	tcp_store_ts_recent(tp, tcb->seq);
	/* fourth: SYN in a synchronized state - challenge ACK (RFC 5961 4),
	 * except the SYN-ACK of a simultaneous open */
	if (th->flags & TCP_FLAG_SYN) {
		if (!(sk->sk_state == TCP_SYN_RECV && !tp->parent && (th->flags & TCP_FLAG_ACK) &&
		      tcb->seq + 1 == tp->rcv_nxt && th->ack_seq == tp->snd_nxt)) {
			TCP_INC_STATS(tn, TCP_MIB_SYNCHALLENGE);
			tcp_send_challenge_ack(tp);
			tcp_drop(tp, skb, SKB_DROP_REASON_TCP_INVALID);
			return 0;
		}
	}
	/* fifth: ACK */
	if (!(th->flags & TCP_FLAG_ACK)) {
		tcp_drop(tp, skb, SKB_DROP_REASON_TCP_INVALID);
		return 0;
	}
	if (sk->sk_state == TCP_SYN_RECV) {
		if (!between(th->ack_seq, tp->snd_una + 1, tp->snd_nxt)) {
			/* <SEQ=SEG.ACK><CTL=RST> */
			tcp_send_reset_sk(tp, th->ack_seq);
			tcp_drop(tp, skb, SKB_DROP_REASON_TCP_INVALID);
			return 0;
		}
		tp->snd_wnd = (uint32_t)th->window << tp->rx_opt.snd_wscale;
		tp->snd_wl1 = th->seq;
		tp->snd_wl2 = th->ack_seq;
		tp->max_window = tp->snd_wnd;
		tp->snd_una = th->ack_seq;
		{
			bool rtt = false;

			tcp_clean_rtx_queue(tp, th->ack_seq, &rtt);
		}
		tcp_timer_cancel(tp, TCP_TIMER_RTX);
		tp->retransmits = 0;
		tcp_init_transfer(tp);
		tcp_set_state(tp, TCP_ESTABLISHED);
		if (tp->parent) {
			struct sock *lsk = tp_sk(tp->parent);

			if (!sock_flag(lsk, SOCK_DEAD))
				sk_data_ready(lsk);
		} else if (!sock_flag(sk, SOCK_DEAD)) {
			sk_state_change(sk);
		}
	}
	if (tcp_ack(tp, th, opt) < 0) {
		tcp_drop(tp, skb, SKB_DROP_REASON_TCP_INVALID);
		return 0;
	}
	/* our FIN acknowledged? */
	if (tp->fin_queued && tp->snd_una == tp->write_seq) {
		switch (sk->sk_state) {
		case TCP_FIN_WAIT1:
			tcp_set_state(tp, TCP_FIN_WAIT2);
			sk->sk_shutdown |= SEND_SHUTDOWN;
			if (!sock_flag(sk, SOCK_DEAD)) {
				sk_state_change(sk);
			} else {
				/* orphan: tcp_fin_timeout (Linux's linger2) */
				int t = tp->linger2 ? tp->linger2 : tn->fin_timeout;

				if (t < 0) {
					tcp_send_active_reset(tp);
					tcp_done(tp);
					consume_skb(skb);
					return 0;
				}
				tcp_reset_keepalive_timer(tp, (uint64_t)t * NS_PER_SEC);
			}
			break;
		case TCP_CLOSING:
			tcp_time_wait(tp, TCP_TIME_WAIT, TCP_TIMEWAIT_LEN);
			consume_skb(skb);
			return 0;
		case TCP_LAST_ACK:
			tcp_done(tp);
			consume_skb(skb);
			return 0;
		default:
			break;
		}
	}
	/* sixth: URG - RFC 6093: urgent data stays in-band, the pointer is
	 * only advisory; nothing to do */
	/* seventh: text; data after our side read-closed aborts (Linux) */
	if (th->payload_len && (sk->sk_shutdown & RCV_SHUTDOWN) && sock_flag(sk, SOCK_DEAD) &&
	    after(tcb->end_seq - !!(th->flags & TCP_FLAG_FIN), tp->rcv_nxt)) {
		TCP_INC_STATS(tn, TCP_MIB_ABORTONCLOSE);
		tcp_send_active_reset(tp);
		tcp_done(tp);
		consume_skb(skb);
		return 0;
	}
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
		tp->ack_pending |= (tcb->seq != tcb->end_seq) ? ICSK_ACK_SCHED : 0;
		tcp_data_queue(tp, skb);
		break;
	case TCP_CLOSE_WAIT:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		/* the peer already sent its FIN: ignore text (RFC 9293) */
		if (after(tcb->end_seq, tp->rcv_nxt))
			tcp_send_ack(tp);
		consume_skb(skb);
		break;
	default:
		consume_skb(skb);
		break;
	}
	if (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_TIME_WAIT) {
		tcp_data_snd_check(tp);
		tcp_ack_snd_check(tp);
		tcp_keepalive_check(tp);
	}
	return 0;
}

/* ---- LISTEN: request socks (Linux's tcp_conn_request, tcp_check_req) ------------------------------------------- */
struct request_sock *tcp_find_req(struct tcp_sock *lp, const struct tcp_addrs *a, uint16_t rport)
{
	struct request_sock *req;

	list_for_each_entry(req, &lp->lq->syn_queue, node) {
		if (req->rport != rport || req->af_ops != a->ops)
			continue;
		if (a->ops->family == AF_INET ? req->raddr == a->raddr && req->laddr == a->laddr
					      : !memcmp(req->raddr6, a->raddr6, 16) &&
						!memcmp(req->laddr6, a->laddr6, 16))
			return req;
	}
	return NULL;
}

static void tcp_req_set_addrs(struct request_sock *req, const struct tcp_addrs *a)
{
	req->af_ops = a->ops;
	req->laddr = a->laddr;
	req->raddr = a->raddr;
	memcpy(req->laddr6, a->laddr6, 16);
	memcpy(req->raddr6, a->raddr6, 16);
	req->iif = a->iif;
}

static void tcp_req_reset(struct request_sock *req, uint32_t seq)
{
	struct tcp_addrs a;

	tcp_req_addrs(req, &a);
	a.ops->send_reset(tp_sk(req->listener)->sk_net, &a, req->lport, req->rport, seq, 0, false);
}

/* A zeroed request sock from the stack's object cache (Linux's
 * request_sock slab): one lives for each handshake. */
static struct request_sock *reqsk_alloc(struct ns_stack *stack)
{
	return ns_obj_alloc(stack, sizeof(struct request_sock));
}

void reqsk_free(struct request_sock *req)
{
	del_timer(&req->timer);
	list_del(&req->node);
	req->listener->lq->syn_qlen--;
	ns_obj_free(tp_sk(req->listener)->sk_net, req, sizeof(*req));
}

/* Fill a request from the SYN (Linux's tcp_openreq_init). */
static void tcp_openreq_init(struct tcp_sock *lp, struct request_sock *req,
			     const struct tcp_addrs *a, const struct tcp_repr *th,
			     const struct tcp_options *opt)
{
	struct netns_tcp *tn = tcp_net(tp_sk(lp));
	uint32_t clamp;

	req->listener = lp;
	tcp_req_set_addrs(req, a);
	req->lport = th->dport;
	req->rport = th->sport;
	req->rcv_isn = th->seq;
	req->mss = opt->mss_ok ? opt->mss : (uint16_t)TCP_MSS_DEFAULT;
	if (lp->rx_opt.user_mss && lp->rx_opt.user_mss < req->mss)
		req->mss = lp->rx_opt.user_mss;
	req->wscale_ok = opt->ws_ok && tn->window_scaling;
	req->snd_wscale = req->wscale_ok ? opt->ws : 0;
	req->tstamp_ok = opt->ts_ok && tn->timestamps;
	req->sack_ok = opt->sack_ok && tn->sack;
	req->ts_recent = req->tstamp_ok ? opt->tsval : 0;
	tcp_select_initial_window(tn, tp_sk(lp)->sk_rcvbuf,
				  1500U - a->ops->net_header_len - TCP_HLEN_MIN, &req->rcv_wnd, &clamp,
				  req->wscale_ok, &req->rcv_wscale);
}

/* RFC 4987 3.6: answer with a cookie SYN-ACK, keep nothing. */
static void tcp_send_cookie_synack(struct tcp_sock *lp, const struct tcp_addrs *a,
				   const struct tcp_repr *th, const struct tcp_options *opt)
{
	struct ns_stack *stack = tp_sk(lp)->sk_net;
	struct netns_tcp *tn = stack->tcp;
	struct request_sock req;

	memset(&req, 0, sizeof(req));
	tcp_openreq_init(lp, &req, a, th, opt);
	req.snt_isn = a->ops->cookie_init_seq(tn, a, req.lport, req.rport, th->seq, &req.mss,
					      ns_now(stack));
	if (req.tstamp_ok)
		req.snt_tsval = cookie_init_timestamp(&req, tcp_time_stamp_ms(stack));
	else
		req.wscale_ok = req.sack_ok = false;	/* nowhere to keep them */
	if (!req.wscale_ok)
		req.rcv_wscale = 0;
	lp->lq->last_synq_overflow = ns_now(stack);
	TCP_INC_STATS(tn, TCP_MIB_SYNCOOKIESSENT);
	tcp_send_synack(&req);
}

/* RFC 9293 3.10.7.2 LISTEN, "third check for a SYN". */
int tcp_conn_request(struct tcp_sock *lp, struct sk_buff *skb, const struct tcp_repr *th,
		     const struct tcp_options *opt, uint32_t isn, const struct tcp_addrs *a)
{
	struct sock *lsk = tp_sk(lp);
	struct netns_tcp *tn = tcp_net(lsk);
	struct request_sock *req;
	int limit = NS_MAX(lsk->sk_max_ack_backlog, 1);
	bool synq_full;

	if ((req = tcp_find_req(lp, a, th->sport)) != NULL) {
		/* a retransmitted SYN: answer it again */
		if (th->seq == req->rcv_isn)
			tcp_send_synack(req);
		consume_skb(skb);
		return 0;
	}
	/* the accept queue full drops the SYN (Linux, cookies or not) */
	if (lsk->sk_ack_backlog > lsk->sk_max_ack_backlog) {
		TCP_INC_STATS(tn, TCP_MIB_LISTENOVERFLOWS);
		TCP_INC_STATS(tn, TCP_MIB_LISTENDROPS);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return 0;
	}
	/* SYN queue bounded by the backlog and tcp_max_syn_backlog; full:
	 * a SYN cookie (tcp_syncookies 1; 2: always), else drop */
	synq_full = (int)lp->lq->syn_qlen >= limit || (int)lp->lq->syn_qlen >= tn->max_syn_backlog;
	if (tn->syncookies == 2 || (synq_full && tn->syncookies)) {
		tcp_send_cookie_synack(lp, a, th, opt);
		consume_skb(skb);
		return 0;
	}
	if (synq_full) {
		TCP_INC_STATS(tn, TCP_MIB_LISTENDROPS);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return 0;
	}
	req = reqsk_alloc(lsk->sk_net);
	if (!req) {
		TCP_INC_STATS(tn, TCP_MIB_LISTENDROPS);
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return 0;
	}
	tcp_openreq_init(lp, req, a, th, opt);
	req->first_sent = tcp_clock(lsk->sk_net);
	req->snt_isn = isn ? isn : a->ops->init_seq(tn, a, th->dport, th->sport, req->first_sent);
	timer_setup(&req->timer, lsk->sk_net, tcp_synack_timer);
	list_add_tail(&req->node, &lp->lq->syn_queue);
	lp->lq->syn_qlen++;
	tcp_send_synack(req);
	mod_timer(&req->timer, req->first_sent + TCP_TIMEOUT_INIT);
	consume_skb(skb);
	return 0;
}

/* RFC 4987 3.6 (Linux's cookie_v4_check): the ACK of a cookie SYN-ACK
 * rebuilds the request from SEG.ACK - 1 and the TSecr, then completes the
 * handshake as tcp_check_req does. */
struct tcp_sock *cookie_check_ack(struct tcp_sock *lp, struct sk_buff *skb,
				  const struct tcp_repr *th, const struct tcp_options *opt,
				  const struct tcp_addrs *a)
{
	struct sock *lsk = tp_sk(lp);
	struct ns_stack *stack = lsk->sk_net;
	struct netns_tcp *tn = stack->tcp;
	struct request_sock *req;
	uint16_t mss = a->ops->cookie_check(tn, a, th->dport, th->sport, th->seq - 1,
					    th->ack_seq - 1, ns_now(stack));
	uint32_t clamp;

	if (!mss) {
		TCP_INC_STATS(tn, TCP_MIB_SYNCOOKIESFAILED);
		a->ops->send_reset(stack, a, th->dport, th->sport, th->ack_seq, 0, false);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return NULL;
	}
	if (lsk->sk_ack_backlog >= NS_MAX(lsk->sk_max_ack_backlog, 1)) {
		TCP_INC_STATS(tn, TCP_MIB_LISTENOVERFLOWS);
		TCP_INC_STATS(tn, TCP_MIB_LISTENDROPS);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return NULL;
	}
	req = reqsk_alloc(stack);
	if (!req) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return NULL;
	}
	req->listener = lp;
	tcp_req_set_addrs(req, a);
	req->lport = th->dport;
	req->rport = th->sport;
	req->rcv_isn = th->seq - 1;
	req->snt_isn = th->ack_seq - 1;
	req->mss = mss;
	if (!cookie_timestamp_decode(tn, req, opt)) {
		ns_obj_free(stack, req, sizeof(*req));
		TCP_INC_STATS(tn, TCP_MIB_SYNCOOKIESFAILED);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return NULL;
	}
	tcp_select_initial_window(tn, lsk->sk_rcvbuf, 1500U - a->ops->net_header_len - TCP_HLEN_MIN,
				  &req->rcv_wnd, &clamp, req->wscale_ok, &req->rcv_wscale);
	timer_setup(&req->timer, stack, tcp_synack_timer);
	list_add_tail(&req->node, &lp->lq->syn_queue);
	lp->lq->syn_qlen++;
	TCP_INC_STATS(tn, TCP_MIB_SYNCOOKIESRECV);
	return tcp_check_req(lp, req, skb, th, opt);
}

/* The ACK completing a passive open (RFC 9293 3.10.7.4 SYN-RECEIVED). Returns
 * the child (the caller processes skb on it) or NULL (skb consumed). */
struct tcp_sock *tcp_check_req(struct tcp_sock *lp, struct request_sock *req,
			       struct sk_buff *skb, const struct tcp_repr *th,
			       const struct tcp_options *opt)
{
	struct sock *lsk = tp_sk(lp);
	struct netns_tcp *tn = tcp_net(lsk);
	struct tcp_sock *child;
	uint32_t seg_len = (uint32_t)th->payload_len + !!(th->flags & TCP_FLAG_FIN);

	if (th->flags & TCP_FLAG_SYN) {
		if (th->seq == req->rcv_isn)
			tcp_send_synack(req);
		consume_skb(skb);
		return NULL;
	}
	if (th->ack_seq != req->snt_isn + 1) {
		tcp_req_reset(req, th->ack_seq);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return NULL;
	}
	/* RFC 7323 5.3 PAWS and the sequence check against the offered window */
	if ((req->tstamp_ok && opt->ts_ok && (int32_t)(opt->tsval - req->ts_recent) < 0) ||
	    before(th->seq + seg_len, req->rcv_isn + 1) ||
	    after(th->seq, req->rcv_isn + 1 + req->rcv_wnd)) {
		tcp_req_reset(req, req->snt_isn + 1);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return NULL;
	}
	if (lsk->sk_ack_backlog >= NS_MAX(lsk->sk_max_ack_backlog, 1)) {
		/* accept queue full: ignore the ACK, the SYN-ACK timer retries
		 * (tcp_abort_on_overflow = 0) */
		TCP_INC_STATS(tn, TCP_MIB_LISTENOVERFLOWS);
		TCP_INC_STATS(tn, TCP_MIB_LISTENDROPS);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return NULL;
	}
	child = tcp_create_openreq_child(lp, req);
	reqsk_free(req);
	if (!child) {
		TCP_INC_STATS(tn, TCP_MIB_LISTENDROPS);
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return NULL;
	}
	list_add_tail(&child->accept_node, &lp->lq->accept_queue);
	child->parent = lp;
	lsk->sk_ack_backlog++;
	return child;
}
