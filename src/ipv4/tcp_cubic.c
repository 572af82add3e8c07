/* tcp_cubic.c - CUBIC congestion control (RFC 9438, Linux net/ipv4/
 * tcp_cubic.c): the window grows as W_cubic(t) = C (t - K)^3 + W_max with
 * C = 0.4 and K = cbrt(W_max (1 - beta) / C), beta = 0.7 (717/1024), fast
 * convergence (RFC 9438 4.7), the TCP-friendly (Reno-friendly) region
 * (4.3), and HyStart's ACK-train and delay detection to leave slow start
 * before the first loss (Linux's default).
 *
 * Fixed point as Linux: time in ms scaled to 1/1024 s (BICTCP_HZ), the
 * window in segments. State lives in tp->ca_priv. */
#include <string.h>

#include "ipv4/tcp.h"

#define BICTCP_BETA_SCALE 1024U
#define BICTCP_HZ 10				/* 2^10 units per second */
#define CUBIC_BETA 717U				/* RFC 9438 4.6: beta_cubic 0.7 */
#define CUBIC_BIC_SCALE 41U			/* C = 0.4 = 41 * 10 / 1024 */
#define CUBIC_CUBE_RTT_SCALE (CUBIC_BIC_SCALE * 10U)
#define CUBIC_CUBE_FACTOR ((1ULL << (10 + 3 * BICTCP_HZ)) / (CUBIC_BIC_SCALE * 10U))
/* 8 * (1 + beta) / 3 / (1 - beta), scaled by 8 (RFC 9438 4.3's alpha) */
#define CUBIC_BETA_SCALE (8U * (BICTCP_BETA_SCALE + CUBIC_BETA) / 3U / (BICTCP_BETA_SCALE - CUBIC_BETA))
#define HYSTART_LOW_WINDOW 16U
#define HYSTART_MIN_SAMPLES 8U
#define HYSTART_ACK_DELTA_US 2000U
#define HYSTART_DELAY_MIN_US 4000U
#define HYSTART_DELAY_MAX_US 16000U

struct bictcp {
	uint32_t cnt;			/* ACKs per cwnd increment */
	uint32_t last_max_cwnd;		/* W_max */
	uint32_t last_cwnd;
	uint32_t last_time;		/* ms */
	uint32_t bic_origin_point;
	uint32_t bic_K;			/* K in 1/1024 s */
	uint32_t delay_min;		/* us */
	uint32_t epoch_start;		/* ms; 0: no epoch */
	uint32_t ack_cnt;
	uint32_t tcp_cwnd;		/* W_est of the Reno-friendly region */
	uint32_t round_start, last_ack;	/* HyStart, us */
	uint32_t end_seq;
	uint32_t curr_rtt;
	uint8_t sample_cnt;
	uint8_t found;
};
_Static_assert(sizeof(struct bictcp) <= sizeof(((struct tcp_sock *)0)->ca_priv), "fits ca_priv");

static struct bictcp *cubic_ca(struct tcp_sock *tp)
{
	return (struct bictcp *)(void *)tp->ca_priv;
}

static uint32_t cubic_ms(const struct tcp_sock *tp)
{
	uint32_t ms = (uint32_t)(tcp_now(tp) / NS_PER_MS);

	return ms ? ms : 1;	/* 0 means "no epoch" */
}

static uint32_t cubic_us(const struct tcp_sock *tp)
{
	return (uint32_t)(tcp_now(tp) / NS_PER_US);
}

/* floor(cbrt(a)) by bisection: 22 rounds cover 2^64 */
static uint32_t cubic_root(uint64_t a)
{
	uint64_t lo = 0, hi = 1u << 22;

	while (lo + 1 < hi) {
		uint64_t mid = (lo + hi) / 2;

		if (mid * mid * mid <= a)
			lo = mid;
		else
			hi = mid;
	}
	return (uint32_t)lo;
}

static void bictcp_reset(struct bictcp *ca)
{
	memset(ca, 0, offsetof(struct bictcp, round_start));
	ca->found = 0;
}

static void bictcp_hystart_reset(struct tcp_sock *tp)
{
	struct bictcp *ca = cubic_ca(tp);

	ca->round_start = ca->last_ack = cubic_us(tp);
	ca->end_seq = tp->snd_nxt;
	ca->curr_rtt = ~0U;
	ca->sample_cnt = 0;
}

static void cubic_init(struct tcp_sock *tp)
{
	memset(tp->ca_priv, 0, sizeof(tp->ca_priv));
	bictcp_reset(cubic_ca(tp));
	bictcp_hystart_reset(tp);
}

/* RFC 9438 4.2-4.4: the ACK count per cwnd increment (Linux's
 * bictcp_update). */
static void bictcp_update(struct tcp_sock *tp, uint32_t cwnd, uint32_t acked)
{
	struct bictcp *ca = cubic_ca(tp);
	uint32_t now = cubic_ms(tp), delta, bic_target, max_cnt;
	uint64_t offs, t;

	ca->ack_cnt += acked;
	if (ca->last_cwnd == cwnd && (int32_t)(now - ca->last_time) <= 1000 / 32)
		return;
	if (ca->epoch_start && now == ca->last_time)
		goto friendly;
	ca->last_cwnd = cwnd;
	ca->last_time = now;
	if (!ca->epoch_start) {
		/* a new congestion avoidance epoch (RFC 9438 4.2) */
		ca->epoch_start = now;
		ca->ack_cnt = acked;
		ca->tcp_cwnd = cwnd;
		if (ca->last_max_cwnd <= cwnd) {
			ca->bic_K = 0;
			ca->bic_origin_point = cwnd;
		} else {
			/* K = cbrt((W_max - cwnd) / C), in 1/1024 s */
			ca->bic_K = cubic_root(CUBIC_CUBE_FACTOR * (ca->last_max_cwnd - cwnd));
			ca->bic_origin_point = ca->last_max_cwnd;
		}
	}
	/* RFC 9438 4.2: target W_cubic(t + RTT) */
	t = (uint64_t)(int32_t)(now - ca->epoch_start) + ca->delay_min / 1000;
	t = (t << BICTCP_HZ) / 1000;
	offs = t < ca->bic_K ? ca->bic_K - t : t - ca->bic_K;
	delta = (uint32_t)((CUBIC_CUBE_RTT_SCALE * offs * offs * offs) >> (10 + 3 * BICTCP_HZ));
	bic_target = t < ca->bic_K ? ca->bic_origin_point - delta : ca->bic_origin_point + delta;
	if (bic_target > cwnd)
		ca->cnt = cwnd / (bic_target - cwnd);
	else
		ca->cnt = 100 * cwnd;		/* very small increment */
	if (ca->last_max_cwnd == 0 && ca->cnt > 20)
		ca->cnt = 20;			/* no W_max yet: 5% per RTT */
friendly:
	/* RFC 9438 4.3: the Reno-friendly W_est grows by alpha per RTT */
	delta = (cwnd * CUBIC_BETA_SCALE) >> 3;
	if (!delta)
		delta = 1;
	while (ca->ack_cnt > delta) {
		ca->ack_cnt -= delta;
		ca->tcp_cwnd++;
	}
	if (ca->tcp_cwnd > cwnd) {
		max_cnt = cwnd / (ca->tcp_cwnd - cwnd);
		if (ca->cnt > max_cnt)
			ca->cnt = max_cnt;
	}
	/* at most 1.5x per RTT (RFC 9438 4.4's target bound) */
	ca->cnt = NS_MAX(ca->cnt, 2U);
}

/* Linux's tcp_cong_avoid_ai: one segment per w ACKed */
static void tcp_cong_avoid_ai(struct tcp_sock *tp, uint32_t w, uint32_t acked)
{
	if (tp->snd_cwnd_cnt >= w) {
		tp->snd_cwnd_cnt = 0;
		tp->snd_cwnd++;
	}
	tp->snd_cwnd_cnt += acked;
	if (tp->snd_cwnd_cnt >= w) {
		uint32_t d = tp->snd_cwnd_cnt / w;

		tp->snd_cwnd_cnt -= d * w;
		tp->snd_cwnd += d;
	}
	if (tp->snd_cwnd > 65535)
		tp->snd_cwnd = 65535;
}

static void cubic_cong_avoid(struct tcp_sock *tp, uint32_t ack, uint32_t acked)
{
	(void)ack;
	/* RFC 9438 5.8 / RFC 7661: no growth while the sender is
	 * application- or rwnd-limited (Linux's cubictcp_cong_avoid) */
	if (!tcp_is_cwnd_limited(tp))
		return;
	if (tp->snd_cwnd < tp->snd_ssthresh) {
		/* RFC 9438 4.10 / RFC 5681 slow start */
		uint32_t cwnd = NS_MIN(tp->snd_cwnd + acked, tp->snd_ssthresh);

		acked -= cwnd - tp->snd_cwnd;
		tp->snd_cwnd = cwnd;
		if (!acked)
			return;
	}
	bictcp_update(tp, tp->snd_cwnd, acked);
	tcp_cong_avoid_ai(tp, cubic_ca(tp)->cnt, acked);
}

/* RFC 9438 4.6-4.7: multiplicative decrease by beta, with fast convergence */
static uint32_t cubic_ssthresh(struct tcp_sock *tp)
{
	struct bictcp *ca = cubic_ca(tp);

	ca->epoch_start = 0;
	if (tp->snd_cwnd < ca->last_max_cwnd)
		ca->last_max_cwnd = tp->snd_cwnd * (BICTCP_BETA_SCALE + CUBIC_BETA) /
				    (2 * BICTCP_BETA_SCALE);
	else
		ca->last_max_cwnd = tp->snd_cwnd;
	return NS_MAX(tp->snd_cwnd * CUBIC_BETA / BICTCP_BETA_SCALE, 2U);
}

static void cubic_set_state(struct tcp_sock *tp, uint8_t st)
{
	if (st == TCP_CA_LOSS) {
		bictcp_reset(cubic_ca(tp));
		bictcp_hystart_reset(tp);
	}
}

static uint32_t cubic_undo_cwnd(struct tcp_sock *tp)
{
	return NS_MAX(tp->snd_cwnd, tp->prior_cwnd);
}

/* HyStart (Ha & Rhee; Linux's hystart_update): an ACK train as long as
 * half the minimum RTT, or RTT grown by delay_min/8 (4..16 ms), ends slow
 * start at the current cwnd. */
static void hystart_update(struct tcp_sock *tp, uint32_t delay)
{
	struct bictcp *ca = cubic_ca(tp);
	uint32_t now = cubic_us(tp), thresh;

	if (after(tp->snd_una, ca->end_seq))
		bictcp_hystart_reset(tp);
	if ((int32_t)(now - ca->last_ack) <= (int32_t)HYSTART_ACK_DELTA_US) {
		ca->last_ack = now;
		thresh = ca->delay_min >> 1;
		if ((int32_t)(now - ca->round_start) > (int32_t)thresh) {
			ca->found = 1;
			tp->snd_ssthresh = tp->snd_cwnd;
			return;
		}
	}
	if (ca->curr_rtt > delay)
		ca->curr_rtt = delay;
	if (ca->sample_cnt < HYSTART_MIN_SAMPLES) {
		ca->sample_cnt++;
	} else {
		uint32_t d = NS_MAX(HYSTART_DELAY_MIN_US, NS_MIN(ca->delay_min >> 3, HYSTART_DELAY_MAX_US));

		if (ca->curr_rtt > ca->delay_min + d) {
			ca->found = 1;
			tp->snd_ssthresh = tp->snd_cwnd;
		}
	}
}

static void cubic_pkts_acked(struct tcp_sock *tp, uint32_t acked, int64_t rtt_us)
{
	struct bictcp *ca = cubic_ca(tp);
	uint32_t delay;

	(void)acked;
	if (rtt_us < 0)
		return;
	/* no delay samples in the first second after a reduction */
	if (ca->epoch_start && (int32_t)(cubic_ms(tp) - ca->epoch_start) < 1000)
		return;
	delay = rtt_us ? (uint32_t)rtt_us : 1;
	if (!ca->delay_min || ca->delay_min > delay)
		ca->delay_min = delay;
	if (!ca->found && tp->snd_cwnd < tp->snd_ssthresh && tp->snd_cwnd >= HYSTART_LOW_WINDOW)
		hystart_update(tp, delay);
}

const struct tcp_congestion_ops tcp_cubic = {
	.name = "cubic",
	.init = cubic_init,
	.ssthresh = cubic_ssthresh,
	.cong_avoid = cubic_cong_avoid,
	.set_state = cubic_set_state,
	.undo_cwnd = cubic_undo_cwnd,
	.pkts_acked = cubic_pkts_acked,
};
