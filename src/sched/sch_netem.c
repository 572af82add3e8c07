/* sch_netem.c - network emulator qdisc (Linux's net/sched/sch_netem.c):
 * delay with jitter and a distribution, random / 4-state Markov /
 * Gilbert-Elliott loss, duplication, reordering, corruption and rate
 * limiting, configured with tc's words and printed as `tc qdisc show` does.
 *
 * Read first: netem_enqueue (the order of the effects is Linux's) and
 * tfifo_enqueue. Queued packets sit on a time-ordered list (tfifo) keyed by
 * skb->tstamp (time to send); reordered packets go on sch->q, which is
 * always served first. Randomness comes from a per-qdisc PRNG seeded by the
 * `seed` option or from the stack's PRNG, so seeded runs replay exactly. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stack.h"
#include "sched/sch_generic.h"

#define NETEM_DEFAULT_LIMIT 1000

enum netem_dist { DIST_NONE, DIST_UNIFORM, DIST_NORMAL, DIST_PARETO, DIST_PARETONORMAL };
enum netem_loss_model { CLG_RANDOM, CLG_4_STATES, CLG_GILB_ELL };

/* 4-state Markov states; Gilbert-Elliott uses the first two as good/bad. */
enum { TX_IN_GAP_PERIOD = 1, TX_IN_BURST_PERIOD, LOST_IN_GAP_PERIOD, LOST_IN_BURST_PERIOD };
enum { GOOD_STATE = 1, BAD_STATE };

/* Probabilities are fractions in 2^32 units (tc_parse_percent). */
struct netem_opts {
	uint32_t limit;
	uint64_t latency, jitter;	/* ns */
	uint32_t delay_corr;
	enum netem_dist dist;
	enum netem_loss_model loss_model;
	uint32_t loss, loss_corr;	/* CLG_RANDOM */
	/* 4-state: a1=p13 a2=p31 a3=p32 a4=p14 a5=p23.
	 * Gilbert-Elliott: a1=p a2=r a3=h a4=1-k (loss in good state). */
	uint32_t a1, a2, a3, a4, a5;
	uint32_t duplicate, dup_corr;
	uint32_t reorder, reorder_corr, gap;
	uint32_t corrupt, corrupt_corr;
	uint64_t rate;			/* bytes/s, 0 = unlimited */
	int32_t packet_overhead;
	bool seed_set;
	uint64_t seed;
};

/* Correlated random numbers (Linux's crndstate). */
struct crndstate {
	uint32_t last;
	uint32_t rho;
};

struct netem_sched_data {
	struct netem_opts o;
	struct sk_buff_head tfifo;	/* sorted by skb->tstamp */
	uint64_t prng[4];		/* xoshiro256** */
	struct crndstate delay_cor, loss_cor, dup_cor, reorder_cor, corrupt_cor;
	uint32_t counter;		/* packets since the last reorder */
	uint8_t clg_state;
};

/* ---- PRNG ------------------------------------------------------------------------------------ */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static void netem_seed(struct netem_sched_data *q, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		q->prng[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint32_t prng_u32(struct netem_sched_data *q)
{
	uint64_t *s = q->prng;
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return (uint32_t)(r >> 32);
}

static uint32_t prng_below(struct netem_sched_data *q, uint32_t n)
{
	return (uint32_t)(((uint64_t)prng_u32(q) * n) >> 32);
}

/* Uniform in (0, 1]. */
static double prng_unit(struct netem_sched_data *q)
{
	return ((double)prng_u32(q) + 1.0) / 4294967296.0;
}

static void init_crandom(struct netem_sched_data *q, struct crndstate *st, uint32_t rho)
{
	st->rho = rho;
	st->last = prng_u32(q);
}

/* Next value, correlated with the previous one by rho (Linux's get_crandom). */
static uint32_t get_crandom(struct netem_sched_data *q, struct crndstate *st)
{
	uint64_t value, rho;
	uint32_t answer;

	if (st->rho == 0)
		return prng_u32(q);
	value = prng_u32(q);
	rho = (uint64_t)st->rho + 1;
	answer = (uint32_t)((value * ((1ULL << 32) - rho) + st->last * rho) >> 32);
	st->last = answer;
	return answer;
}

/* ---- delay distribution ------------------------------------------------------------------------ */
/* A standard deviate (mean 0, sd ~1, clamped to +-4 like tc's tables) of
 * the chosen shape; u is the (possibly correlated) first uniform. */
static double dist_deviate(struct netem_sched_data *q, enum netem_dist d, uint32_t u)
{
	double u1 = ((double)u + 1.0) / 4294967296.0, z;

	switch (d) {
	case DIST_NORMAL:	/* Box-Muller */
		z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * prng_unit(q));
		break;
	case DIST_PARETO:	/* alpha 3, shifted to mean 0 (tc's pareto table) */
		z = (pow(u1, -1.0 / 3.0) - 1.5) * (4.0 / 3.0);
		break;
	case DIST_PARETONORMAL:
		z = 0.25 * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * prng_unit(q)) +
		    0.75 * (pow(prng_unit(q), -1.0 / 3.0) - 1.5) * (4.0 / 3.0);
		break;
	default:		/* uniform over [-1, 1) */
		z = u1 * 2.0 - 1.0;
		break;
	}
	return z > 4.0 ? 4.0 : z < -4.0 ? -4.0 : z;
}

/* Linux's tabledist: mu when there is no jitter; uniform in [mu-sigma,
 * mu+sigma) by default; otherwise mu + sigma * deviate. */
static int64_t tabledist(struct netem_sched_data *q)
{
	int64_t mu = (int64_t)q->o.latency, sigma = (int64_t)q->o.jitter;
	uint32_t rnd;

	if (sigma == 0)
		return mu;
	rnd = get_crandom(q, &q->delay_cor);
	if (q->o.dist == DIST_NONE)
		return (int64_t)(((uint64_t)rnd * (uint64_t)(2 * sigma)) >> 32) + mu - sigma;
	return mu + (int64_t)llround((double)sigma * dist_deviate(q, q->o.dist, rnd));
}

/* ---- loss models ------------------------------------------------------------------------------- */
/* 4-state Markov chain (Salsano et al., "Definition of a general and
 * intuitive loss model for packet networks"): as Linux's loss_4state. */
static bool loss_4state(struct netem_sched_data *q)
{
	const struct netem_opts *o = &q->o;
	uint32_t rnd = prng_u32(q);

	switch (q->clg_state) {
	case TX_IN_GAP_PERIOD:
		if (rnd < o->a4) {
			q->clg_state = LOST_IN_GAP_PERIOD;
			return true;
		}
		if ((uint64_t)rnd < (uint64_t)o->a1 + o->a4) {
			q->clg_state = LOST_IN_BURST_PERIOD;
			return true;
		}
		break;
	case TX_IN_BURST_PERIOD:
		if (rnd < o->a5) {
			q->clg_state = LOST_IN_BURST_PERIOD;
			return true;
		}
		break;
	case LOST_IN_BURST_PERIOD:
		if (rnd < o->a3) {
			q->clg_state = TX_IN_BURST_PERIOD;
		} else if ((uint64_t)rnd < (uint64_t)o->a2 + o->a3) {
			q->clg_state = TX_IN_GAP_PERIOD;
		} else {
			return true;	/* stays lost in the burst */
		}
		break;
	case LOST_IN_GAP_PERIOD:
	default:
		q->clg_state = TX_IN_GAP_PERIOD;
		break;
	}
	return false;
}

/* Gilbert-Elliott: good/bad states with per-state loss (1-k, 1-h). */
static bool loss_gilb_ell(struct netem_sched_data *q)
{
	const struct netem_opts *o = &q->o;

	if (q->clg_state == BAD_STATE) {
		if (prng_u32(q) < o->a2)
			q->clg_state = GOOD_STATE;
		return prng_u32(q) > o->a3;
	}
	if (prng_u32(q) < o->a1)
		q->clg_state = BAD_STATE;
	return prng_u32(q) < o->a4;
}

static bool loss_event(struct netem_sched_data *q)
{
	switch (q->o.loss_model) {
	case CLG_4_STATES:
		return loss_4state(q);
	case CLG_GILB_ELL:
		return loss_gilb_ell(q);
	default:
		return q->o.loss && q->o.loss >= get_crandom(q, &q->loss_cor);
	}
}

/* ---- the time-ordered queue --------------------------------------------------------------------- */
static void netem_update_qlen(struct Qdisc *sch, struct netem_sched_data *q)
{
	sch->qstats.qlen = sch->q.qlen + q->tfifo.qlen;
}

/* Insert after the last packet due no later (packets mostly arrive in
 * time order, so the scan from the tail is short). */
static void tfifo_enqueue(struct sk_buff *skb, struct netem_sched_data *q)
{
	struct sk_buff *pos;

	for (pos = skb_peek_tail(&q->tfifo); pos; pos = skb_queue_prev(&q->tfifo, pos)) {
		if (pos->tstamp <= skb->tstamp) {
			__skb_queue_after(&q->tfifo, pos, skb);
			return;
		}
	}
	__skb_queue_head(&q->tfifo, skb);
}

/* Serialisation time of len bytes at the configured rate. */
static uint64_t packet_time_ns(const struct netem_opts *o, uint32_t len)
{
	int64_t bytes = (int64_t)len + o->packet_overhead;

	if (bytes <= 0)
		return 0;
	return (uint64_t)(((unsigned __int128)bytes * 1000000000ULL) / o->rate);
}

/* The latest time_to_send of anything queued, 0 when empty. */
static uint64_t netem_last_time(struct Qdisc *sch, struct netem_sched_data *q)
{
	struct sk_buff *a = skb_peek_tail(&sch->q), *b = skb_peek_tail(&q->tfifo);
	uint64_t t = a ? a->tstamp : 0;

	if (b && b->tstamp > t)
		t = b->tstamp;
	return t;
}

static uint64_t netem_time_to_send(struct Qdisc *sch, struct netem_sched_data *q,
				   const struct sk_buff *skb)
{
	uint64_t now = ns_now(qdisc_net(sch));
	int64_t delay = tabledist(q);

	if (q->o.rate) {
		uint64_t last = netem_last_time(sch, q);

		/* the last packet queued is the reference point: a packet
		 * cannot start on the wire before the previous one left */
		if (last) {
			delay -= (int64_t)(last - now);
			if (delay < 0)
				delay = 0;
			now = last;
		}
		delay += (int64_t)packet_time_ns(&q->o, skb->len);
	}
	if (delay < 0)
		delay = 0;
	return now + (uint64_t)delay;
}

/* ---- enqueue / dequeue -------------------------------------------------------------------------- */
/* Flip one random bit of the frame; the data area is made private first. */
static int netem_corrupt(struct netem_sched_data *q, struct sk_buff *skb)
{
	if (skb_cow_head(skb, skb_headroom(skb)))
		return -ENOMEM;
	/* a partial checksum would be completed over the damage (Linux's netem) */
	if (skb_checksum_help(skb))
		return -ENOMEM;
	if (skb->len)
		skb->data[prng_below(q, skb->len)] ^= (unsigned char)(1u << prng_below(q, 8));
	return 0;
}

static int netem_enqueue(struct sk_buff *skb, struct Qdisc *sch);

/* The duplicate goes through the whole qdisc again, without duplication
 * (as Linux re-enqueues the clone at the root with duplicate = 0). */
static void netem_duplicate(struct sk_buff *skb, struct Qdisc *sch)
{
	struct netem_sched_data *q = qdisc_priv(sch);
	struct sk_buff *skb2 = skb_clone(skb);
	uint32_t dup = q->o.duplicate;

	if (!skb2)
		return;
	q->o.duplicate = 0;
	netem_enqueue(skb2, sch);
	q->o.duplicate = dup;
}

static int netem_enqueue(struct sk_buff *skb, struct Qdisc *sch)
{
	struct netem_sched_data *q = qdisc_priv(sch);
	int count = 1;

	/* Linux: with a delay, the skb leaves its socket now, as it would at
	 * transmit completion before a real link's transit time (else TCP
	 * small queues would count the emulated wire as a local queue) */
	if (q->o.latency || q->o.jitter || q->o.rate)
		skb_orphan(skb);
	if (q->o.duplicate && q->o.duplicate >= get_crandom(q, &q->dup_cor))
		count++;
	if (loss_event(q))
		count--;
	if (count == 0) {
		/* lost on the emulated wire: the sender does not know */
		sch->qstats.drops++;
		kfree_skb_reason(skb, SKB_DROP_REASON_NETEM_LOSS);
		return NET_XMIT_SUCCESS;
	}
	if (count > 1)
		netem_duplicate(skb, sch);
	if (q->o.corrupt && q->o.corrupt >= get_crandom(q, &q->corrupt_cor) &&
	    netem_corrupt(q, skb))
		return qdisc_drop(skb, sch, SKB_DROP_REASON_NOMEM);
	if (sch->q.qlen + q->tfifo.qlen >= sch->limit)
		return qdisc_drop(skb, sch, SKB_DROP_REASON_QDISC_DROP);

	sch->qstats.backlog += skb->len;
	if (q->o.gap == 0 || q->counter < q->o.gap - 1 ||
	    q->o.reorder < get_crandom(q, &q->reorder_cor)) {
		skb->tstamp = netem_time_to_send(sch, q, skb);
		q->counter++;
		tfifo_enqueue(skb, q);
	} else {
		/* reorder: this one jumps the queue and leaves now */
		skb->tstamp = ns_now(qdisc_net(sch));
		q->counter = 0;
		__skb_queue_head(&sch->q, skb);
		sch->qstats.requeues++;
	}
	netem_update_qlen(sch, q);
	return NET_XMIT_SUCCESS;
}

static struct sk_buff *netem_peek(struct Qdisc *sch)
{
	struct netem_sched_data *q = qdisc_priv(sch);
	struct sk_buff *skb = skb_peek(&sch->q);

	if (skb)
		return skb;
	skb = skb_peek(&q->tfifo);
	if (skb && skb->tstamp <= ns_now(qdisc_net(sch)))
		return skb;
	return NULL;
}

static struct sk_buff *netem_dequeue(struct Qdisc *sch)
{
	struct netem_sched_data *q = qdisc_priv(sch);
	struct sk_buff *skb = __skb_dequeue(&sch->q);

	if (!skb) {
		skb = skb_peek(&q->tfifo);
		if (!skb)
			return NULL;
		if (skb->tstamp > ns_now(qdisc_net(sch))) {
			qdisc_watchdog_schedule(sch, skb->tstamp);
			return NULL;
		}
		__skb_unlink(skb, &q->tfifo);
	}
	sch->qstats.backlog -= skb->len;
	netem_update_qlen(sch, q);
	skb->tstamp = 0;
	return skb;
}

static void netem_reset(struct Qdisc *sch)
{
	struct netem_sched_data *q = qdisc_priv(sch);

	skb_queue_purge_reason(&q->tfifo, SKB_DROP_REASON_DEV_DOWN);
	qdisc_watchdog_cancel(sch);
}

/* ---- tc words ----------------------------------------------------------------------------------- */
struct netem_args {
	int argc, i;
	char **argv;
	char *err;
	size_t errlen;
};

static int netem_bad(struct netem_args *a, const char *what, const char *word)
{
	snprintf(a->err, a->errlen, "netem: illegal \"%s\" value \"%s\"", what, word);
	return -EINVAL;
}

/* The next word, or NULL with a message when the option lacks its value. */
static const char *next_word(struct netem_args *a, const char *opt)
{
	if (a->i + 1 >= a->argc) {
		snprintf(a->err, a->errlen, "netem: \"%s\" needs a value", opt);
		return NULL;
	}
	return a->argv[++a->i];
}

/* tc's NEXT_IS_NUMBER: the following word starts like a number. */
static bool next_is_number(const struct netem_args *a)
{
	char *end;

	if (a->i + 1 >= a->argc)
		return false;
	(void)strtod(a->argv[a->i + 1], &end);
	return end != a->argv[a->i + 1];
}

/* tc's get_percent: "1%", or a bare number meaning percent. */
static int parse_percent(const char *s, uint32_t *v)
{
	char buf[64];
	char *end;

	if (tc_parse_percent(s, v) == 0)
		return 0;
	(void)strtod(s, &end);
	if (end == s || *end || strlen(s) + 2 > sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s%%", s);
	return tc_parse_percent(buf, v);
}

static int word_percent(struct netem_args *a, const char *opt, uint32_t *v)
{
	const char *w = next_word(a, opt);

	if (!w)
		return -EINVAL;
	return parse_percent(w, v) ? netem_bad(a, opt, w) : 0;
}

/* An optional percentage (a correlation, a model parameter). */
static int opt_percent(struct netem_args *a, const char *opt, uint32_t *v)
{
	if (!next_is_number(a))
		return 0;
	return word_percent(a, opt, v);
}

static int parse_delay(struct netem_args *a, struct netem_opts *o)
{
	const char *w = next_word(a, "delay");

	if (!w)
		return -EINVAL;
	if (tc_parse_time(w, &o->latency))
		return netem_bad(a, "delay", w);
	if (!next_is_number(a))
		return 0;
	w = a->argv[++a->i];
	if (tc_parse_time(w, &o->jitter))
		return netem_bad(a, "delay", w);
	return opt_percent(a, "delay", &o->delay_corr);
}

static int parse_loss_state(struct netem_args *a, struct netem_opts *o)
{
	uint32_t p13, *rest[] = { &o->a2, &o->a3, &o->a5, &o->a4 };	/* p31 p32 p23 p14 */
	int rc = word_percent(a, "loss state p13", &p13);

	if (rc)
		return rc;
	o->loss_model = CLG_4_STATES;
	o->a1 = p13;
	o->a2 = 0xffffffffU - p13;	/* p31 = 1 - p13 */
	o->a3 = 0;
	o->a5 = 0xffffffffU;		/* p23 = 1 */
	o->a4 = 0;
	for (size_t k = 0; k < ARRAY_SIZE(rest) && !rc; k++)
		rc = opt_percent(a, "loss state", rest[k]);
	return rc;
}

static int parse_loss_gemodel(struct netem_args *a, struct netem_opts *o)
{
	uint32_t one_minus_h = 0xffffffffU;
	int rc = word_percent(a, "loss gemodel p", &o->a1);

	if (rc)
		return rc;
	o->loss_model = CLG_GILB_ELL;
	o->a2 = 0xffffffffU;	/* r = 1 */
	o->a4 = 0;		/* 1-k = 0 */
	rc = opt_percent(a, "loss gemodel r", &o->a2);
	if (!rc)
		rc = opt_percent(a, "loss gemodel 1-h", &one_minus_h);
	if (!rc)
		rc = opt_percent(a, "loss gemodel 1-k", &o->a4);
	o->a3 = 0xffffffffU - one_minus_h;	/* the kernel keeps h */
	return rc;
}

static int parse_loss(struct netem_args *a, struct netem_opts *o)
{
	const char *w;
	int rc;

	if (o->loss || o->loss_model != CLG_RANDOM) {
		snprintf(a->err, a->errlen, "netem: duplicate \"loss\" argument");
		return -EINVAL;
	}
	if (!(w = next_word(a, "loss")))
		return -EINVAL;
	if (!strcmp(w, "state"))
		return parse_loss_state(a, o);
	if (!strcmp(w, "gemodel"))
		return parse_loss_gemodel(a, o);
	if (!strcmp(w, "random")) {
		rc = word_percent(a, "loss", &o->loss);
	} else if (parse_percent(w, &o->loss)) {
		return netem_bad(a, "loss", w);
	} else {
		rc = 0;
	}
	return rc ? rc : opt_percent(a, "loss", &o->loss_corr);
}

static int parse_dist(struct netem_args *a, struct netem_opts *o)
{
	static const char *const names[] = { "", "uniform", "normal", "pareto", "paretonormal" };
	const char *w = next_word(a, "distribution");

	if (!w)
		return -EINVAL;
	for (size_t k = 1; k < ARRAY_SIZE(names); k++) {
		if (!strcmp(w, names[k])) {
			o->dist = (enum netem_dist)k;
			return 0;
		}
	}
	return netem_bad(a, "distribution", w);
}

static int parse_rate(struct netem_args *a, struct netem_opts *o)
{
	const char *w = next_word(a, "rate");
	char *end;
	long v;

	if (!w)
		return -EINVAL;
	if (tc_parse_rate(w, &o->rate))
		return netem_bad(a, "rate", w);
	if (a->i + 1 < a->argc && !strcmp(a->argv[a->i + 1], "packetoverhead")) {
		a->i++;
		if (!(w = next_word(a, "packetoverhead")))
			return -EINVAL;
		v = strtol(w, &end, 0);
		if (end == w || *end || v < -65535 || v > 65535)
			return netem_bad(a, "packetoverhead", w);
		o->packet_overhead = (int32_t)v;
	}
	return 0;
}

static int parse_u32_word(struct netem_args *a, const char *opt, uint32_t *v)
{
	const char *w = next_word(a, opt);

	if (!w)
		return -EINVAL;
	return tc_parse_u32(w, v) ? netem_bad(a, opt, w) : 0;
}

static int parse_seed(struct netem_args *a, struct netem_opts *o)
{
	const char *w = next_word(a, "seed");
	char *end;

	if (!w)
		return -EINVAL;
	errno = 0;
	o->seed = strtoull(w, &end, 0);
	if (end == w || *end || errno || *w == '-')
		return netem_bad(a, "seed", w);
	o->seed_set = true;
	return 0;
}

static int parse_one(struct netem_args *a, struct netem_opts *o)
{
	const char *w = a->argv[a->i];
	int rc;

	if (!strcmp(w, "limit"))
		return parse_u32_word(a, "limit", &o->limit);
	if (!strcmp(w, "delay") || !strcmp(w, "latency"))
		return parse_delay(a, o);
	if (!strcmp(w, "distribution"))
		return parse_dist(a, o);
	if (!strcmp(w, "loss") || !strcmp(w, "drop"))
		return parse_loss(a, o);
	if (!strcmp(w, "duplicate")) {
		rc = word_percent(a, "duplicate", &o->duplicate);
		return rc ? rc : opt_percent(a, "duplicate", &o->dup_corr);
	}
	if (!strcmp(w, "reorder")) {
		rc = word_percent(a, "reorder", &o->reorder);
		return rc ? rc : opt_percent(a, "reorder", &o->reorder_corr);
	}
	if (!strcmp(w, "corrupt")) {
		rc = word_percent(a, "corrupt", &o->corrupt);
		return rc ? rc : opt_percent(a, "corrupt", &o->corrupt_corr);
	}
	if (!strcmp(w, "gap"))
		return parse_u32_word(a, "gap", &o->gap);
	if (!strcmp(w, "rate"))
		return parse_rate(a, o);
	if (!strcmp(w, "seed"))
		return parse_seed(a, o);
	snprintf(a->err, a->errlen, "netem: unknown option \"%s\"", w);
	return -EINVAL;
}

/* The combinations tc refuses. */
static int netem_check(const struct netem_opts *o, char *err, size_t errlen)
{
	if (o->reorder && o->latency == 0) {
		snprintf(err, errlen, "netem: \"reorder\" not possible without specifying some delay");
		return -EINVAL;
	}
	if (!o->reorder && o->gap) {
		snprintf(err, errlen, "netem: \"gap\" specified without reorder probability");
		return -EINVAL;
	}
	if (o->dist != DIST_NONE && (o->latency == 0 || o->jitter == 0)) {
		snprintf(err, errlen,
			 "netem: \"distribution\" specified but no latency and jitter values");
		return -EINVAL;
	}
	return 0;
}

/* Parse a complete option set (tc sends every option on change too, so
 * what is not given returns to its default). */
static int netem_parse(struct netem_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	struct netem_args a = { .argc = argc, .argv = argv, .err = err, .errlen = errlen };
	int rc;

	memset(o, 0, sizeof(*o));
	o->limit = NETEM_DEFAULT_LIMIT;
	for (a.i = 0; a.i < argc; a.i++) {
		rc = parse_one(&a, o);
		if (rc)
			return rc;
	}
	if (o->reorder && o->gap == 0)
		o->gap = 1;
	return netem_check(o, err, errlen);
}

/* Install parsed options: reseed, restart the correlations and the loss
 * model (as Linux's netem_change). */
static void netem_apply(struct Qdisc *sch, const struct netem_opts *o)
{
	struct netem_sched_data *q = qdisc_priv(sch);

	q->o = *o;
	sch->limit = o->limit;
	netem_seed(q, o->seed_set ? o->seed : ns_random(qdisc_net(sch)));
	init_crandom(q, &q->delay_cor, o->delay_corr);
	init_crandom(q, &q->loss_cor, o->loss_corr);
	init_crandom(q, &q->dup_cor, o->dup_corr);
	init_crandom(q, &q->reorder_cor, o->reorder_corr);
	init_crandom(q, &q->corrupt_cor, o->corrupt_corr);
	q->counter = 0;
	q->clg_state = TX_IN_GAP_PERIOD;	/* == GOOD_STATE */
}

static int netem_change(struct Qdisc *sch, int argc, char **argv, char *err, size_t errlen)
{
	struct netem_opts o;
	int rc = netem_parse(&o, argc, argv, err, errlen);

	if (rc)
		return rc;
	netem_apply(sch, &o);
	return 0;
}

static int netem_init(struct Qdisc *sch, int argc, char **argv, char *err, size_t errlen)
{
	struct netem_sched_data *q = qdisc_priv(sch);

	skb_queue_head_init(&q->tfifo);
	return netem_change(sch, argc, argv, err, errlen);
}

/* ---- dump (tc's netem_print_opt format) ---------------------------------------------------------- */
struct dumpbuf {
	char *buf;
	size_t len;
	int n;
};

__attribute__((format(printf, 2, 3))) static void dprint(struct dumpbuf *d, const char *fmt, ...)
{
	size_t off = (size_t)d->n < d->len ? (size_t)d->n : d->len;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(d->buf + off, d->len - off, fmt, ap);
	va_end(ap);
	if (r > 0)
		d->n += r;
}

/* tc's sprint_percent */
static const char *pct(char *b, size_t n, uint32_t v)
{
	snprintf(b, n, "%g%%", 100.0 * v / 4294967295.0);
	return b;
}

/* tc's print_time64 */
static const char *tm(char *b, size_t n, uint64_t ns)
{
	if (ns >= 1000000000ULL)
		snprintf(b, n, "%.3gs", (double)ns / 1e9);
	else if (ns >= 1000000ULL)
		snprintf(b, n, "%.3gms", (double)ns / 1e6);
	else if (ns >= 1000ULL)
		snprintf(b, n, "%.3gus", (double)ns / 1e3);
	else
		snprintf(b, n, "%" PRIu64 "ns", ns);
	return b;
}

/* tc's sprint_rate (SI units) */
static const char *rt(char *b, size_t n, uint64_t bytes_per_sec)
{
	static const char *const units[] = { "", "K", "M", "G", "T" };
	uint64_t r = bytes_per_sec * 8;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(units) - 1; i++) {
		if (r < 1000 || (r % 1000 && r < 1000000))
			break;
		r /= 1000;
	}
	snprintf(b, n, "%" PRIu64 "%sbit", r, units[i]);
	return b;
}

static void dump_loss(struct dumpbuf *d, const struct netem_opts *o)
{
	char b[5][32];

	if (o->loss_model == CLG_RANDOM && o->loss) {
		dprint(d, " loss %s", pct(b[0], 32, o->loss));
		if (o->loss_corr)
			dprint(d, " %s", pct(b[0], 32, o->loss_corr));
	} else if (o->loss_model == CLG_4_STATES) {
		dprint(d, " loss state p13 %s p31 %s p32 %s p23 %s p14 %s", pct(b[0], 32, o->a1),
		       pct(b[1], 32, o->a2), pct(b[2], 32, o->a3), pct(b[3], 32, o->a5),
		       pct(b[4], 32, o->a4));
	} else if (o->loss_model == CLG_GILB_ELL) {
		dprint(d, " loss gemodel p %s r %s 1-h %s 1-k %s", pct(b[0], 32, o->a1),
		       pct(b[1], 32, o->a2), pct(b[2], 32, 0xffffffffU - o->a3),
		       pct(b[3], 32, o->a4));
	}
}

/* " duplicate 1%" and its correlation, when set. */
static void dump_prob(struct dumpbuf *d, const char *name, uint32_t p, uint32_t corr)
{
	char b[32];

	if (!p)
		return;
	dprint(d, " %s %s", name, pct(b, sizeof(b), p));
	if (corr)
		dprint(d, " %s", pct(b, sizeof(b), corr));
}

static int netem_dump(struct Qdisc *sch, char *buf, size_t len)
{
	struct netem_sched_data *q = qdisc_priv(sch);
	const struct netem_opts *o = &q->o;
	struct dumpbuf d = { .buf = buf, .len = len };
	char b[32];

	if (len)
		buf[0] = 0;
	dprint(&d, "limit %u", sch->limit);
	if (o->latency) {
		dprint(&d, " delay %s", tm(b, sizeof(b), o->latency));
		if (o->jitter) {
			dprint(&d, "  %s", tm(b, sizeof(b), o->jitter));
			if (o->delay_corr)
				dprint(&d, " %s", pct(b, sizeof(b), o->delay_corr));
		}
	}
	dump_loss(&d, o);
	dump_prob(&d, "duplicate", o->duplicate, o->dup_corr);
	dump_prob(&d, "reorder", o->reorder, o->reorder_corr);
	dump_prob(&d, "corrupt", o->corrupt, o->corrupt_corr);
	if (o->rate) {
		dprint(&d, " rate %s", rt(b, sizeof(b), o->rate));
		if (o->packet_overhead)
			dprint(&d, " packetoverhead %d", o->packet_overhead);
	}
	if (o->gap)
		dprint(&d, " gap %u", o->gap);
	if (o->seed_set)
		dprint(&d, " seed %" PRIu64, o->seed);
	return d.n;
}

const struct Qdisc_ops netem_qdisc_ops = {
	.id = "netem",
	.priv_size = sizeof(struct netem_sched_data),
	.enqueue = netem_enqueue,
	.dequeue = netem_dequeue,
	.peek = netem_peek,
	.init = netem_init,
	.change = netem_change,
	.reset = netem_reset,
	.dump = netem_dump,
};
