/* tcp_recovery.c - the SACK sender (Linux net/ipv4/tcp_input.c's sacktag
 * and tcp_recovery.c): the scoreboard on the retransmit queue (RFC 2018,
 * D-SACK per RFC 2883), loss marking by RFC 6675 IsLost (DupThresh) and by
 * RACK (RFC 8985 6: time-based, with a reordering window), and the tail
 * loss probe (RFC 8985 7).
 *
 * Defences (CVE-2019-11477/11478 class): SACK blocks are checked against
 * SND.UNA/SND.NXT, an skb is marked only when a block covers it whole (the
 * queue is never split on SACK), and one ACK visits at most
 * TCP_SACK_MAX_WALK skbs. */
#include "ipv4/tcp.h"

/* ---- RACK (RFC 8985 6.2) ------------------------------------------------------------------------- */
/* Was (t1, seq1) sent after (t2, seq2)? (RFC 8985 6.2 RACK_sent_after) */
static bool rack_sent_after(uint64_t t1, uint64_t t2, uint32_t seq1, uint32_t seq2)
{
	return t1 > t2 || (t1 == t2 && after(seq1, seq2));
}

/* RFC 8985 6.2 step 1-2: a delivered skb updates RACK.xmit_ts/end_seq/rtt
 * and may show reordering. */
void tcp_rack_advance(struct tcp_sock *tp, const struct tcp_skb_cb *tcb, uint64_t now)
{
	uint64_t rtt = now > tcb->when ? now - tcb->when : 0;

	if (!tcb->when)
		return;
	/* a retransmission acked sooner than min_RTT: the original's ACK */
	if ((tcb->sacked & TCPCB_EVER_RETRANS) && tp->rtt_min_us &&
	    rtt / NS_PER_US < tp->rtt_min_us)
		return;
	if (rack_sent_after(tcb->when, tp->rack.mstamp, tcb->end_seq, tp->rack.end_seq)) {
		tp->rack.mstamp = tcb->when;
		tp->rack.end_seq = tcb->end_seq;
		tp->rack.rtt_us = (uint32_t)(rtt / NS_PER_US);
		tp->rack_advanced = true;
	}
}

/* RFC 8985 6.2 step 2 with Linux's tp->reordering: a never retransmitted
 * skb delivered below the highest delivered one was reordered. */
static void tcp_check_reordering(struct tcp_sock *tp, const struct tcp_skb_cb *tcb)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));
	uint32_t mss = tp->mss_cache ? tp->mss_cache : TCP_MSS_DEFAULT;
	uint32_t dist;

	if (!after(tp->rack.fack, tcb->end_seq) || (tcb->sacked & TCPCB_EVER_RETRANS) ||
	    (tcb->tcp_flags & TCP_FLAG_SYN) || tp->rack.fack - tcb->end_seq > NS_MAX(tp->max_window, 65535U))
		return;
	dist = (tp->rack.fack - tcb->end_seq) / mss + 1;
	tp->rack_reord = true;
	if (dist > tp->reordering) {
		tp->reordering = NS_MIN(dist, TCP_MAX_REORDERING);
		TCP_INC_STATS(tn, TCP_MIB_SACKREORDER);
	}
}

/* Delivery of one skb (cumulatively ACKed or SACKed). */
void tcp_skb_delivered(struct tcp_sock *tp, const struct tcp_skb_cb *tcb, uint64_t now)
{
	tcp_rack_advance(tp, tcb, now);
	tcp_check_reordering(tp, tcb);
	if (after(tcb->end_seq, tp->rack.fack_next))
		tp->rack.fack_next = tcb->end_seq;
}

/* The ACK is processed: its deliveries count as "before" for the next. */
void tcp_rack_ack_done(struct tcp_sock *tp)
{
	if (after(tp->rack.fack_next, tp->rack.fack))
		tp->rack.fack = tp->rack.fack_next;
}

/* RFC 8985 6.2 step 4: RACK.reo_wnd */
static uint64_t tcp_rack_reo_wnd(const struct tcp_sock *tp)
{
	uint64_t w;

	if (!tp->rack_reord) {
		/* no reordering seen: in recovery, or with DupThresh SACKed
		 * segments, no window */
		if (tp->ca_state >= TCP_CA_RECOVERY || tp->sacked_out >= TCP_FASTRETRANS_THRESH)
			return 0;
	}
	w = (uint64_t)tp->rtt_min_us / 4 * NS_PER_US;
	if (tp->srtt_us && w > (uint64_t)(tp->srtt_us >> 3) * NS_PER_US)
		w = (uint64_t)(tp->srtt_us >> 3) * NS_PER_US;
	return w;
}

void tcp_mark_skb_lost(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

	if (tcb->sacked & TCPCB_SACKED_ACKED)
		return;
	if (tcb->sacked & TCPCB_SACKED_RETRANS) {
		/* the retransmission was lost too: send it again */
		tcb->sacked &= (uint8_t)~TCPCB_SACKED_RETRANS;
		tp->retrans_out--;
	}
	if (!(tcb->sacked & TCPCB_LOST)) {
		tcb->sacked |= TCPCB_LOST;
		tp->lost_out++;
	}
}

/* RFC 8985 6.2 step 5 (RACK_detect_loss): returns the ns until the next
 * skb would expire (0: none waits). */
uint64_t tcp_rack_detect_loss(struct tcp_sock *tp)
{
	uint64_t now = tcp_now(tp), reo = tcp_rack_reo_wnd(tp), wait = 0;
	uint64_t rtt = (uint64_t)tp->rack.rtt_us * NS_PER_US;
	struct sk_buff *skb;

	if (!tp->rack.mstamp)
		return 0;
	skb_queue_walk(&tp->rtx_queue, skb) {
		struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
		uint64_t deadline;

		if (tcb->sacked & TCPCB_SACKED_ACKED)
			continue;
		if ((tcb->sacked & TCPCB_LOST) && !(tcb->sacked & TCPCB_SACKED_RETRANS))
			continue;	/* already waiting to go again */
		if (!tcb->when)
			continue;
		if (!rack_sent_after(tp->rack.mstamp, tcb->when, tp->rack.end_seq, tcb->end_seq)) {
			/* originals go out in sequence order and a
			 * retransmission after its original: past the first
			 * original sent after RACK.xmit_ts nothing qualifies */
			if (!(tcb->sacked & TCPCB_EVER_RETRANS))
				break;
			continue;
		}
		deadline = tcb->when + rtt + reo;
		if (deadline <= now)
			tcp_mark_skb_lost(tp, skb);
		else if (!wait || deadline - now < wait)
			wait = deadline - now;
	}
	return wait;
}

/* RFC 6675 4 IsLost(SeqNum): DupThresh (tp->reordering) SACKed skbs above
 * an un-SACKed one mark it lost. */
void tcp_6675_mark_lost(struct tcp_sock *tp)
{
	struct sk_buff *skb;
	uint32_t above = 0;

	if (tp->sacked_out < tp->reordering)
		return;
	for (skb = skb_peek_tail(&tp->rtx_queue); skb; skb = skb_queue_prev(&tp->rtx_queue, skb)) {
		struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

		if (tcb->sacked & TCPCB_SACKED_ACKED) {
			above++;
			continue;
		}
		if (above < tp->reordering)
			continue;
		if (tcb->sacked & (TCPCB_LOST | TCPCB_SACKED_RETRANS))
			break;	/* everything below was marked before */
		tcp_mark_skb_lost(tp, skb);
	}
}

/* ---- the scoreboard (RFC 2018, RFC 2883) ------------------------------------------------------------ */
/* RFC 2883 4: the first block is a D-SACK when it lies below the
 * cumulative ACK or inside the second block. */
static bool tcp_is_dsack(const struct tcp_options *opt, uint32_t ack)
{
	const struct tcp_sack_block *b = opt->sacks;

	if (before(b[0].start, ack))
		return true;
	return opt->num_sacks > 1 && !before(b[0].start, b[1].start) && !after(b[0].end, b[1].end);
}

/* Linux's tcp_is_sackblock_valid: inside [SND.UNA, SND.NXT], not empty,
 * not wider than the largest window the peer offered. */
static bool tcp_sack_block_ok(const struct tcp_sock *tp, const struct tcp_sack_block *b)
{
	return after(b->end, b->start) && !before(b->start, tp->snd_una) &&
	       !after(b->end, tp->snd_nxt) && b->end - b->start <= NS_MAX(tp->max_window, 65535U);
}

/* Mark one skb that block b covers whole. */
static uint32_t tcp_sacktag_one(struct tcp_sock *tp, struct sk_buff *skb,
				const struct tcp_sack_block *b, uint64_t now)
{
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);

	/* partial coverage counts for nothing: the skb stays whole */
	if (before(tcb->seq, b->start) || after(tcb->end_seq, b->end) ||
	    (tcb->sacked & TCPCB_SACKED_ACKED))
		return 0;
	if (tcb->sacked & TCPCB_LOST) {
		tcb->sacked &= (uint8_t)~TCPCB_LOST;
		tp->lost_out--;
	}
	if (tcb->sacked & TCPCB_SACKED_RETRANS) {
		tcb->sacked &= (uint8_t)~TCPCB_SACKED_RETRANS;
		tp->retrans_out--;
	}
	tcb->sacked |= TCPCB_SACKED_ACKED;
	tp->sacked_out++;
	tcp_skb_delivered(tp, tcb, now);
	return 1;
}

/* Tag the skbs of block b that overlap [s, e) (a part of b), walking from
 * whichever end of the queue is nearer. *budget bounds the walk. */
static uint32_t tcp_sacktag_range(struct tcp_sock *tp, const struct tcp_sack_block *b, uint32_t s,
				  uint32_t e, uint32_t *budget, uint64_t now)
{
	struct sk_buff_head *q = &tp->rtx_queue;
	struct sk_buff *skb;
	uint32_t newly = 0;

	if (!after(e, s))
		return 0;
	if (tp->snd_nxt - e < s - tp->snd_una) {
		for (skb = skb_peek_tail(q); skb && *budget; skb = skb_queue_prev(q, skb)) {
			(*budget)--;
			if (!before(TCP_SKB_CB(skb)->seq, e))
				continue;
			if (!after(TCP_SKB_CB(skb)->end_seq, s))
				break;
			newly += tcp_sacktag_one(tp, skb, b, now);
		}
	} else {
		for (skb = skb_peek(q); skb && *budget; skb = skb_queue_next(q, skb)) {
			(*budget)--;
			if (!after(TCP_SKB_CB(skb)->end_seq, s))
				continue;
			if (!before(TCP_SKB_CB(skb)->seq, e))
				break;
			newly += tcp_sacktag_one(tp, skb, b, now);
		}
	}
	return newly;
}

/* Mark the skbs one block covers whole. A block the previous ACK carried
 * too (Linux's recv_sack_cache) only has its new edges walked: a growing
 * block costs what it grew by, not the window. */
static uint32_t tcp_sacktag_block(struct tcp_sock *tp, const struct tcp_sack_block *b,
				  uint32_t *budget, uint64_t now)
{
	for (unsigned int i = 0; i < TCP_NUM_SACKS; i++) {
		const struct tcp_sack_block *c = &tp->recv_sack_cache[i];

		if (!after(c->end, c->start) || before(c->start, b->start) || after(c->end, b->end))
			continue;
		/* c inside b: c's skbs are tagged already (or never can be:
		 * partial ones), b's skbs spanning c's edges are re-checked */
		return tcp_sacktag_range(tp, b, b->start, c->start + 1, budget, now) +
		       tcp_sacktag_range(tp, b, c->end - 1, b->end, budget, now);
	}
	return tcp_sacktag_range(tp, b, b->start, b->end, budget, now);
}

/* Process the SACK option of an ACK (after the cumulative ACK moved
 * SND.UNA). Returns the skbs newly SACKed; *dsack says a D-SACK came. */
uint32_t tcp_sacktag(struct tcp_sock *tp, const struct tcp_options *opt, uint32_t ack,
		     bool *dsack)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));
	uint32_t budget = TCP_SACK_MAX_WALK, newly = 0;
	struct tcp_sack_block valid[TCP_NUM_SACKS] = { { 0, 0 } };
	uint64_t now = tcp_now(tp);
	unsigned int first = 0;

	*dsack = false;
	if (!opt->num_sacks || !tp->rx_opt.sack_ok)
		return 0;
	if (tcp_is_dsack(opt, ack)) {
		const struct tcp_sack_block *b = &opt->sacks[0];

		/* RFC 2883 4: report only, never marks; sane when it is not
		 * wider than a window and not beyond SND.NXT */
		if (after(b->end, b->start) && !after(b->end, tp->snd_nxt) &&
		    b->end - b->start <= NS_MAX(tp->max_window, 65535U)) {
			*dsack = true;
			TCP_INC_STATS(tn, TCP_MIB_DSACKRECV);
			/* RFC 8985 6.2 step 4: a D-SACK means reordering */
			tp->rack_reord = true;
			/* a duplicate of what we resent since the recovery
			 * began: one retransmission less that was needed */
			if (tp->undo_marker && tp->undo_retrans > 0 && after(b->end, tp->undo_marker) &&
			    !after(b->end, ack))
				tp->undo_retrans--;
		} else {
			TCP_INC_STATS(tn, TCP_MIB_SACKDISCARD);
		}
		first = 1;
	}
	for (unsigned int i = first; i < opt->num_sacks && i < TCP_NUM_SACKS; i++) {
		if (!tcp_sack_block_ok(tp, &opt->sacks[i])) {
			TCP_INC_STATS(tn, TCP_MIB_SACKDISCARD);
			valid[i].start = valid[i].end = 0;
			continue;
		}
		valid[i] = opt->sacks[i];
		newly += tcp_sacktag_block(tp, &opt->sacks[i], &budget, now);
	}
	/* what this ACK reported, for the next one (a walk cut short by the
	 * budget is not remembered, so the next ACK walks it again) */
	for (unsigned int i = 0; i < TCP_NUM_SACKS; i++)
		tp->recv_sack_cache[i] = (budget && i >= first && i < opt->num_sacks)
						 ? valid[i]
						 : (struct tcp_sack_block){ 0, 0 };
	return newly;
}

/* ---- tail loss probe (RFC 8985 7) --------------------------------------------------------------------- */
/* RFC 8985 7.2: arm the PTO instead of the RTO when the connection is in
 * Open state with data in flight and no probe outstanding. */
bool tcp_schedule_loss_probe(struct tcp_sock *tp)
{
	uint64_t pto, srtt = (uint64_t)(tp->srtt_us >> 3) * NS_PER_US;

	if (!tp->rx_opt.sack_ok || !tp->srtt_us || !tp->packets_out || tp->tlp_high_seq ||
	    tp->ca_state != TCP_CA_OPEN || tp_sk(tp)->sk_state != TCP_ESTABLISHED)
		return false;
	/* PTO = 2 * SRTT, + the peer's delayed-ACK time for a lone segment */
	pto = 2 * srtt + (tp->packets_out == 1 ? TCP_RTO_MIN : 2 * NS_PER_MS);
	if (pto > tp->rto)
		pto = tp->rto;
	tcp_reset_xmit_timer(tp, ICSK_TIME_LOSS_PROBE, pto);
	return true;
}

/* RFC 8985 7.3: the PTO fired - retransmit the highest-sequence segment
 * (new data, if any, goes by the normal path once ACKs return). */
void tcp_send_loss_probe(struct tcp_sock *tp)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));
	struct sk_buff *skb = skb_peek_tail(&tp->rtx_queue);

	if (skb && !tp->tlp_high_seq && !(TCP_SKB_CB(skb)->sacked & TCPCB_SACKED_ACKED) &&
	    !tcp_retransmit_skb(tp, skb)) {
		tp->tlp_high_seq = tp->snd_nxt;
		tp->tlp_retrans = true;
		TCP_INC_STATS(tn, TCP_MIB_LOSSPROBES);
	}
	tcp_reset_xmit_timer(tp, ICSK_TIME_RETRANS, tp->rto);
}

/* RFC 8985 7.4: an ACK at or past the probe. A D-SACK for it says the
 * probe was a duplicate; otherwise it repaired a loss: reduce cwnd. */
void tcp_process_tlp_ack(struct tcp_sock *tp, uint32_t ack, bool dsack)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));

	if (!tp->tlp_high_seq || before(ack, tp->tlp_high_seq))
		return;
	if (!dsack && tp->tlp_retrans && tp->ca_state < TCP_CA_RECOVERY) {
		tp->prior_ssthresh = tp->snd_ssthresh;
		tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
		tp->snd_cwnd = NS_MAX(tp->snd_ssthresh, 2U);
		TCP_INC_STATS(tn, TCP_MIB_LOSSPROBERECOVERY);
	}
	tp->tlp_high_seq = 0;
	tp->tlp_retrans = false;
}
