/* tcp_cong.c - congestion control (Linux net/ipv4/tcp_cong.c): the
 * tcp_congestion_ops registry (CUBIC, tcp_cubic.c, is the default as in
 * Linux) and NewReno, "reno" (RFC 5681 3.1 slow start
 * and congestion avoidance; the fast recovery state machine of RFC 6582 is
 * in tcp_input.c and calls ->ssthresh). */
#include <stdio.h>
#include <string.h>

#include "ipv4/tcp.h"

/* RFC 5681 3.1: slow start below ssthresh, then one segment per RTT
 * (Linux's tcp_slow_start / tcp_cong_avoid_ai, cwnd in segments), only
 * while cwnd limits the sender (tcp_is_cwnd_limited, Linux's reno). */
void tcp_reno_cong_avoid(struct tcp_sock *tp, uint32_t ack, uint32_t acked)
{
	(void)ack;
	if (!tcp_is_cwnd_limited(tp))
		return;		/* an application- or rwnd-limited sender */
	if (tp->snd_cwnd < tp->snd_ssthresh) {
		uint32_t cwnd = NS_MIN(tp->snd_cwnd + acked, tp->snd_ssthresh);

		acked -= cwnd - tp->snd_cwnd;
		tp->snd_cwnd = cwnd;
		if (!acked)
			return;
	}
	tp->snd_cwnd_cnt += acked;
	if (tp->snd_cwnd_cnt >= tp->snd_cwnd) {
		tp->snd_cwnd_cnt -= tp->snd_cwnd;
		tp->snd_cwnd++;
	}
	if (tp->snd_cwnd > 65535)
		tp->snd_cwnd = 65535;
}

/* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 * SMSS) */
uint32_t tcp_reno_ssthresh(struct tcp_sock *tp)
{
	return NS_MAX(tp->snd_cwnd >> 1, 2U);
}

static uint32_t tcp_reno_undo_cwnd(struct tcp_sock *tp)
{
	return NS_MAX(tp->snd_cwnd, tp->prior_cwnd);
}

const struct tcp_congestion_ops tcp_reno = {
	.name = "reno",
	.ssthresh = tcp_reno_ssthresh,
	.cong_avoid = tcp_reno_cong_avoid,
	.undo_cwnd = tcp_reno_undo_cwnd,
};

static const struct tcp_congestion_ops *const tcp_ca_table[] = { &tcp_cubic, &tcp_reno };

const struct tcp_congestion_ops *tcp_ca_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(tcp_ca_table); i++)
		if (!strcmp(tcp_ca_table[i]->name, name))
			return tcp_ca_table[i];
	return NULL;
}

void tcp_ca_get_available(char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(tcp_ca_table) && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "",
					tcp_ca_table[i]->name);
}

const struct tcp_congestion_ops *tcp_ca_default(struct netns_tcp *tn)
{
	const struct tcp_congestion_ops *ca = tcp_ca_find(tn->congestion_control);

	return ca ? ca : &tcp_cubic;
}
