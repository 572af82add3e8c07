/* tcp_timer.c - TCP's timers (Linux net/ipv4/tcp_timer.c): retransmission
 * (RFC 6298 5: backoff, Karn, tcp_retries2 / tcp_syn_retries), the persist
 * timer for zero windows (RFC 9293 3.8.6.1), delayed ACKs (RFC 9293
 * 3.8.6.3, 40 ms like Linux), keepalive (RFC 9293 3.8.4, RFC 1122
 * 4.2.3.6), the orphaned FIN-WAIT-2 timeout and the SYN-ACK timer of
 * request socks (TIME-WAIT expiry: tcp_minisocks.c). */
#include <errno.h>

#include "ipv4/tcp.h"

/* ---- arming ------------------------------------------------------------------------------------------- */
void tcp_reset_xmit_timer(struct tcp_sock *tp, uint8_t what, uint64_t when)
{
	if (when > TCP_RTO_MAX)
		when = TCP_RTO_MAX;
	tp->pending = what;
	tcp_timer_arm(tp, TCP_TIMER_RTX, tcp_now(tp) + when);
}

/* RFC 6298 5.2/5.3: stop when all is acknowledged, else restart. */
void tcp_rearm_rto(struct tcp_sock *tp)
{
	if (!tp->packets_out) {
		if (tp->pending != ICSK_TIME_PROBE0)
			tcp_timer_cancel(tp, TCP_TIMER_RTX);
		return;
	}
	tcp_reset_xmit_timer(tp, ICSK_TIME_RETRANS, tp->rto);
}

void tcp_delack_timer_arm(struct tcp_sock *tp)
{
	tp->ack_pending |= ICSK_ACK_TIMER;
	tcp_timer_arm(tp, TCP_TIMER_DELACK, tcp_now(tp) + (tp->ato ? tp->ato : TCP_DELACK_MIN));
}

void tcp_reset_keepalive_timer(struct tcp_sock *tp, uint64_t len)
{
	tcp_timer_arm(tp, TCP_TIMER_KEEP, tcp_now(tp) + len);
}

uint64_t tcp_keepalive_time_ns(const struct tcp_sock *tp)
{
	const struct netns_tcp *tn = tp->inet.sk.sk_net->tcp;

	return (uint64_t)(tp->keepalive_time ? tp->keepalive_time : tn->keepalive_time) * NS_PER_SEC;
}

static uint64_t keepalive_intvl_ns(const struct tcp_sock *tp)
{
	const struct netns_tcp *tn = tp->inet.sk.sk_net->tcp;

	return (uint64_t)(tp->keepalive_intvl ? tp->keepalive_intvl : tn->keepalive_intvl) *
	       NS_PER_SEC;
}

static int keepalive_probes(const struct tcp_sock *tp)
{
	const struct netns_tcp *tn = tp->inet.sk.sk_net->tcp;

	return tp->keepalive_probes ? tp->keepalive_probes : tn->keepalive_probes;
}

/* ---- giving up ------------------------------------------------------------------------------------------- */
static void tcp_write_err(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);

	sk->sk_err = sk->sk_err_soft ? sk->sk_err_soft : ETIMEDOUT;
	if (!sock_flag(sk, SOCK_DEAD))
		sk_error_report(sk);
	TCP_INC_STATS(tcp_net(sk), TCP_MIB_ABORTONTIMEOUT);
	tcp_done(tp);
}

/* Linux's tcp_model_timeout: how long `boundary` retransmissions take when
 * the RTO starts at rto_base and doubles up to TCP_RTO_MAX. For
 * tcp_retries2 = 15 and TCP_RTO_MIN: (2^10 - 1) * 200 ms + 6 * 120 s =
 * 924.6 s; for tcp_syn_retries = 6 and 1 s: 127 s. */
static uint64_t tcp_model_timeout(int boundary, uint64_t rto_base)
{
	int thresh = 0;

	while ((rto_base << (thresh + 1)) <= TCP_RTO_MAX)
		thresh++;		/* ilog2(TCP_RTO_MAX / rto_base) */
	if (boundary <= thresh)
		return ((2ULL << boundary) - 1) * rto_base;
	return ((2ULL << thresh) - 1) * rto_base + (uint64_t)(boundary - thresh) * TCP_RTO_MAX;
}

/* Linux's retransmits_timed_out: time-based, from the first (original)
 * transmission of the oldest unacknowledged segment (retrans_stamp). */
static bool tcp_retransmits_timed_out(const struct tcp_sock *tp, int boundary, uint64_t rto_base)
{
	if (!tp->retransmits || !tp->retrans_stamp)
		return false;
	return tcp_now(tp) - tp->retrans_stamp >= tcp_model_timeout(boundary, rto_base);
}

/* Linux's tcp_write_timeout (RFC 9293 3.8.3 R2, RFC 1122 4.2.3.5). true:
 * gave up. */
static bool tcp_write_timeout(struct tcp_sock *tp)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));
	bool expired;

	if (tp->inet.sk.sk_state == TCP_SYN_SENT || tp->inet.sk.sk_state == TCP_SYN_RECV)
		expired = tcp_retransmits_timed_out(tp, tn->syn_retries, TCP_TIMEOUT_INIT);
	else if (sock_flag(tp_sk(tp), SOCK_DEAD))
		expired = tcp_retransmits_timed_out(tp, tn->orphan_retries ? tn->orphan_retries : 8,
						    TCP_RTO_MIN);
	else
		expired = tcp_retransmits_timed_out(tp, tn->retries2, TCP_RTO_MIN);
	if (expired)
		tcp_write_err(tp);
	return expired;
}

/* ---- retransmission timer ------------------------------------------------------------------------------------ */
static void tcp_retransmit_timer(struct tcp_sock *tp)
{
	struct netns_tcp *tn = tcp_net(tp_sk(tp));
	struct sk_buff *skb = skb_peek(&tp->rtx_queue);

	if (!tp->packets_out || !skb)
		return;
	if (tcp_write_timeout(tp))
		return;
	TCP_INC_STATS(tn, TCP_MIB_TIMEOUTS);
	if (tp_sk(tp)->sk_state != TCP_SYN_SENT)
		tcp_enter_loss(tp);
	tcp_retransmit_skb(tp, skb);
	/* RFC 6298 5.5: back off the timer (also when the send failed) */
	tp->backoff++;
	tp->retransmits++;
	tp->rto = NS_MIN(tp->rto << 1, TCP_RTO_MAX);
	tcp_reset_xmit_timer(tp, ICSK_TIME_RETRANS, tp->rto);
}

/* Zero-window probe (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17). */
static void tcp_probe_timer(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);
	struct netns_tcp *tn = tcp_net(sk);
	int max_probes = tn->retries2;

	if (tp->packets_out || skb_queue_empty(&sk->sk_write_queue)) {
		tp->probes_out = 0;
		tp->backoff = 0;
		return;
	}
	if (sock_flag(sk, SOCK_DEAD))
		max_probes = tn->orphan_retries ? tn->orphan_retries : 8;
	if (tp->probes_out >= max_probes) {
		tcp_write_err(tp);
		return;
	}
	TCP_INC_STATS(tn, TCP_MIB_ZEROWINDOWPROBES);
	tcp_send_probe0(tp);
	if (tp->packets_out)
		return;		/* the window opened: data went, the RTO runs */
	tp->probes_out++;
	if (tp->backoff < 16)
		tp->backoff++;
	tcp_reset_xmit_timer(tp, ICSK_TIME_PROBE0, NS_MIN(tp->rto << tp->backoff, TCP_RTO_MAX));
}

static void tcp_write_timer(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);

	if ((1u << sk->sk_state) & (TCPF(TCP_CLOSE) | TCPF(TCP_LISTEN) | TCPF(TCP_TIME_WAIT)))
		return;
	sock_hold(sk);
	if (tp->pending == ICSK_TIME_PROBE0)
		tcp_probe_timer(tp);
	else if (tp->pending == ICSK_TIME_LOSS_PROBE)
		tcp_send_loss_probe(tp);
	else if (tp->pending == ICSK_TIME_REO_TIMEOUT)
		tcp_rack_reo_timeout(tp);
	else
		tcp_retransmit_timer(tp);
	sock_put(sk);
}

/* ---- delayed ACK ------------------------------------------------------------------------------------------------ */
static void tcp_delack_timer(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);

	tp->ack_pending &= (uint8_t)~ICSK_ACK_TIMER;
	if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN ||
	    !(tp->ack_pending & ICSK_ACK_SCHED))
		return;
	TCP_INC_STATS(tcp_net(sk), TCP_MIB_DELAYEDACKS);
	sock_hold(sk);
	tcp_send_ack(tp);
	sock_put(sk);
}

/* ---- keepalive, FIN-WAIT-2 ------------------------------------------------------------------------------------------ */
static void tcp_keepalive_timer(struct tcp_sock *tp)
{
	struct sock *sk = tp_sk(tp);
	uint64_t now = tcp_now(tp), idle, ktime;

	sock_hold(sk);
	switch (sk->sk_state) {
	case TCP_FIN_WAIT2:
		/* the orphan's tcp_fin_timeout: silently gone */
		if (sock_flag(sk, SOCK_DEAD))
			tcp_done(tp);
		goto out;
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT1:
		break;
	default:
		goto out;
	}
	ktime = tcp_keepalive_time_ns(tp);
	if (!sock_flag(sk, SOCK_KEEPOPEN))
		goto out;
	/* RFC 1122 4.2.3.6: only when idle, and not with data in flight */
	if (tp->packets_out || !skb_queue_empty(&sk->sk_write_queue)) {
		tcp_reset_keepalive_timer(tp, ktime);
		goto out;
	}
	idle = now - NS_MAX(tp->rcv_tstamp, tp->lsndtime);
	if (idle >= ktime) {
		if (tp->probes_out >= keepalive_probes(tp)) {
			tcp_send_active_reset(tp);	/* Linux: RST, then ETIMEDOUT */
			tcp_write_err(tp);
			goto out;
		}
		tcp_write_wakeup(tp);
		tp->probes_out++;
		tcp_reset_keepalive_timer(tp, keepalive_intvl_ns(tp));
	} else {
		tcp_reset_keepalive_timer(tp, ktime - idle);
	}
out:
	sock_put(sk);
}

/* ---- the multiplexed timer ------------------------------------------------------------------------------------ */
/* Arm the wheel timer for the earliest armed event. Lazy, like Linux's
 * sk_reset_timer users (the RTO re-armed per segment, delayed ACKs): the
 * wheel is only touched when the earliest deadline moves earlier; a later
 * or cancelled deadline leaves the wheel timer where it is, and
 * tcp_timer_fire then finds nothing due and re-files for what is left.
 * Saves a wheel add/cancel per segment; tcp_clear_xmit_timers disarms. */
static void tcp_timer_sync(struct tcp_sock *tp)
{
	uint64_t next = 0;

	for (int ev = 0; ev < TCP_TIMER_NR; ev++)
		if (tp->timer_when[ev] && (!next || tp->timer_when[ev] < next))
			next = tp->timer_when[ev];
	if (next && (!timer_pending(&tp->timer) || next < tp->timer.expires))
		mod_timer(&tp->timer, next);
}

/* tcp_timer_arm and tcp_timer_cancel: inline in tcp.h */

/* Run every due event in TCP_TIMER_* order (a handler may arm or cancel
 * any event), then re-arm for what is left. */
static void tcp_timer_fire(struct timer_list *t)
{
	static void (*const handler[TCP_TIMER_NR])(struct tcp_sock *tp) = {
		[TCP_TIMER_RTX] = tcp_write_timer,
		[TCP_TIMER_DELACK] = tcp_delack_timer,
		[TCP_TIMER_KEEP] = tcp_keepalive_timer,
	};
	struct tcp_sock *tp = from_timer(tp, t, timer);
	uint64_t now = NS_MAX(tcp_now(tp), t->expires);

	sock_hold(tp_sk(tp));
	for (int ev = 0; ev < TCP_TIMER_NR; ev++) {
		if (!tp->timer_when[ev] || tp->timer_when[ev] > now)
			continue;
		tp->timer_when[ev] = 0;
		handler[ev](tp);
	}
	tcp_timer_sync(tp);
	sock_put(tp_sk(tp));
}

/* ---- request socks ---------------------------------------------------------------------------------------------- */
void tcp_synack_timer(struct timer_list *t)
{
	struct request_sock *req = from_timer(req, t, timer);
	struct netns_tcp *tn = tcp_net(tp_sk(req->listener));

	if (req->num_retrans >= tn->synack_retries) {
		reqsk_free(req);
		return;
	}
	req->num_retrans++;
	TCP_INC_STATS(tn, TCP_MIB_RETRANSSEGS);
	tcp_send_synack(req);
	mod_timer(&req->timer, ns_now(tn->stack) +
			       NS_MIN(TCP_TIMEOUT_INIT << req->num_retrans, TCP_RTO_MAX));
}

void tcp_init_xmit_timers(struct tcp_sock *tp)
{
	struct ns_stack *stack = tp->inet.sk.sk_net;

	timer_setup(&tp->timer, stack, tcp_timer_fire);
	for (int ev = 0; ev < TCP_TIMER_NR; ev++)
		tp->timer_when[ev] = 0;
}

void tcp_clear_xmit_timers(struct tcp_sock *tp)
{
	for (int ev = 0; ev < TCP_TIMER_NR; ev++)
		tp->timer_when[ev] = 0;
	del_timer(&tp->timer);
	tp->pending = 0;
	tp->ack_pending = 0;
}
