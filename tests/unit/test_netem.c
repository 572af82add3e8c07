/* test_netem.c - the netem qdisc on a capture device in virtual time:
 * exact delay, jitter bounds and mean, distributions, random and burst loss,
 * duplication, reordering, one-bit corruption, rate spacing, the limit,
 * seeded reproducibility, option errors, tc's dump format, change in place,
 * and netem on a pipe between two stacks. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "testlib.h"
#include "sched/sch_generic.h"

#define ETH_P_TEST 0x88b5
#define MS 1000000ULL
#define FRAME_LEN 100

/* Split a tc option string into words (in place). */
static int split_words(char *s, char **argv, int max)
{
	int argc = 0;

	for (char *t = strtok(s, " "); t && argc < max; t = strtok(NULL, " "))
		argv[argc++] = t;
	return argc;
}

static struct Qdisc *netem_try(struct net_device *dev, const char *opts, char *err, size_t errlen)
{
	char buf[256], *argv[32];
	int argc;

	snprintf(buf, sizeof(buf), "%s", opts);
	argc = split_words(buf, argv, 32);
	return qdisc_create(dev, qdisc_lookup_ops("netem"), argc, argv, err, errlen);
}

static struct Qdisc *netem_on(struct net_device *dev, const char *opts)
{
	char err[128] = "";
	struct Qdisc *q = netem_try(dev, opts, err, sizeof(err));

	if (!q)
		fail_msg("netem \"%s\": %s", opts, err);
	qdisc_graft_root(dev, q);
	return q;
}

static int netem_change_str(struct Qdisc *q, const char *opts, char *err, size_t errlen)
{
	char buf[256], *argv[32];
	int argc;

	snprintf(buf, sizeof(buf), "%s", opts);
	argc = split_words(buf, argv, 32);
	return q->ops->change(q, argc, argv, err, errlen);
}

/* Send one test frame carrying seq; returns dev_queue_xmit's verdict. */
static int send_seq(struct net_device *dev, uint32_t seq, unsigned int len)
{
	static const uint8_t dst[6] = { 2, 0, 0, 0, 0, 2 };
	struct sk_buff *skb = alloc_skb_tx(dev_net(dev), len);
	uint8_t *p;

	assert_non_null(skb);
	p = skb_put(skb, len - 14);
	for (unsigned int i = 0; i < len - 14; i++)
		p[i] = (uint8_t)(i * 7 + 1);
	put_be32(p, seq);
	skb->dev = dev;
	assert_int_equal(dev->header_ops->create(skb, dev, ETH_P_TEST, dst, NULL, skb->len), 14);
	return dev_queue_xmit(skb);
}

static uint32_t frame_seq(const struct cap_frame *f)
{
	return get_be32(f->data + 14);
}

/* Forget what the capture device recorded (it holds CAP_MAX_FRAMES). */
static void cap_clear(struct capdev *c)
{
	c->count = 0;
	c->taken = 0;
}

/* Send n frames at the same instant, let them all out, return how many
 * left (the capture is cleared first). */
static unsigned int burst(struct test_stack *ts, struct capdev *c, uint32_t first, unsigned int n)
{
	cap_clear(c);
	for (unsigned int i = 0; i < n; i++)
		send_seq(c->dev, first + i, FRAME_LEN);
	test_stack_advance(ts, 100 * MS, 10 * MS);
	return c->count;
}

static void test_delay_exact(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	uint64_t sent[100];

	(void)state;
	netem_on(c->dev, "delay 10ms");
	for (int i = 0; i < 100; i++) {
		sent[i] = ts->clock.now;
		assert_int_equal(send_seq(c->dev, (uint32_t)i, FRAME_LEN), NET_XMIT_SUCCESS);
		/* off the ms grid; on the timer's 1 us grid, so exact */
		test_stack_advance(ts, 1 * MS + 3000, 1 * MS);
	}
	test_stack_advance(ts, 20 * MS, 1 * MS);
	assert_int_equal(c->count, 100);
	for (unsigned int i = 0; i < 100; i++) {
		assert_int_equal(frame_seq(&c->frames[i]), i);
		assert_int_equal(c->frames[i].time - sent[i], 10 * MS);
	}
	assert_int_equal(c->dev->qdisc->qstats.qlen, 0);
	assert_int_equal(c->dev->qdisc->qstats.backlog, 0);
	test_stack_free(ts);
}

static void test_jitter_bounds_and_mean(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	uint64_t t0 = ts->clock.now;
	double sum = 0;
	uint64_t prev = 0;

	(void)state;
	netem_on(c->dev, "limit 5000 delay 10ms 2ms");
	for (int i = 0; i < 4000; i++)
		send_seq(c->dev, (uint32_t)i, FRAME_LEN);
	test_stack_advance(ts, 20 * MS, 1 * MS);
	assert_int_equal(c->count, 4000);
	for (unsigned int i = 0; i < 4000; i++) {
		uint64_t d = c->frames[i].time - t0;

		/* uniform over [8ms, 12ms); the timer rounds up to 1 us */
		assert_true(d >= 8 * MS && d <= 12 * MS);
		assert_true(c->frames[i].time >= prev);	/* time order kept */
		prev = c->frames[i].time;
		sum += (double)d;
	}
	/* sd of the mean: 2ms/sqrt(3)/sqrt(4000) = 18 us */
	assert_true(fabs(sum / 4000 - 10e6) < 80e3);
	test_stack_free(ts);
}

static void test_normal_distribution(void **state)
{
	struct test_stack *ts = test_stack_new("t", 3);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	uint64_t t0 = ts->clock.now;
	double sum = 0, sq = 0, mean, sd;

	(void)state;
	netem_on(c->dev, "limit 5000 delay 20ms 2ms distribution normal");
	for (int i = 0; i < 4000; i++)
		send_seq(c->dev, (uint32_t)i, FRAME_LEN);
	test_stack_advance(ts, 40 * MS, 1 * MS);
	assert_int_equal(c->count, 4000);
	for (unsigned int i = 0; i < 4000; i++) {
		double d = (double)(c->frames[i].time - t0);

		assert_true(d >= 12e6 && d <= 28.001e6);	/* clamped at 4 sigma */
		sum += d;
		sq += d * d;
	}
	mean = sum / 4000;
	sd = sqrt(sq / 4000 - mean * mean);
	assert_true(fabs(mean - 20e6) < 150e3);
	assert_true(fabs(sd - 2e6) < 200e3);
	test_stack_free(ts);
}

static void test_random_loss_10pct(void **state)
{
	struct test_stack *ts = test_stack_new("t", 7);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	struct Qdisc *q;
	unsigned int got = 0, lost;

	(void)state;
	q = netem_on(c->dev, "loss 10% seed 1234");
	for (uint32_t b = 0; b < 20; b++)
		got += burst(ts, c, b * 1000, 1000);
	lost = 20000 - got;
	/* binomial sd = sqrt(20000 * 0.1 * 0.9) = 42: allow 4 sd */
	assert_true(lost > 2000 - 170 && lost < 2000 + 170);
	assert_int_equal(q->qstats.drops, lost);
	assert_int_equal(ts->stack->drop_reasons[SKB_DROP_REASON_NETEM_LOSS], lost);
	assert_int_equal(c->dev->stats.tx_packets, got);
	test_stack_free(ts);
}

/* Mean length of runs of missing sequence numbers among n sent. */
static double mean_burst(struct test_stack *ts, struct capdev *c, unsigned int n,
			 unsigned int *lost_out)
{
	uint8_t *seen = calloc(n, 1);
	unsigned int bursts = 0, lost = 0;

	assert_non_null(seen);
	for (uint32_t b = 0; b < n / 1000; b++) {
		burst(ts, c, b * 1000, 1000);
		for (unsigned int i = 0; i < c->count; i++)
			seen[frame_seq(&c->frames[i])] = 1;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (seen[i])
			continue;
		lost++;
		if (i == 0 || seen[i - 1])
			bursts++;
	}
	free(seen);
	*lost_out = lost;
	return bursts ? (double)lost / bursts : 0;
}

static void test_gilbert_elliott_bursts(void **state)
{
	struct test_stack *ts = test_stack_new("t", 11);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	unsigned int lost;
	double mb;

	(void)state;
	/* p = 1%, r = 30%, 1-h = 100%, 1-k = 0%: bursts of mean 1/r = 3.3 */
	netem_on(c->dev, "loss gemodel 1% 30% seed 5");
	mb = mean_burst(ts, c, 20000, &lost);
	assert_true(mb > 2.5 && mb < 4.5);
	/* stationary loss = p / (p + r) = 3.2% */
	assert_true(lost > 400 && lost < 900);
	assert_int_equal(c->dev->qdisc->qstats.drops, lost);
	test_stack_free(ts);
}

static void test_4state_bursts(void **state)
{
	struct test_stack *ts = test_stack_new("t", 12);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	unsigned int lost;
	double mb;

	(void)state;
	/* p13 = 1%, p31 = 30%: bursts of mean 3.3 */
	netem_on(c->dev, "loss state 1% 30% seed 6");
	mb = mean_burst(ts, c, 20000, &lost);
	assert_true(mb > 2.5 && mb < 4.5);
	assert_true(lost > 300);
	test_stack_free(ts);
}

static void test_duplicate_rate(void **state)
{
	struct test_stack *ts = test_stack_new("t", 13);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	unsigned int got = 0, extra;

	(void)state;
	netem_on(c->dev, "duplicate 10%");
	for (uint32_t b = 0; b < 20; b++)
		got += burst(ts, c, b * 1000, 1000);
	extra = got - 20000;
	assert_true(extra > 2000 - 170 && extra < 2000 + 170);
	assert_int_equal(c->dev->qdisc->qstats.drops, 0);
	test_stack_free(ts);
}

static void test_reorder_rate(void **state)
{
	struct test_stack *ts = test_stack_new("t", 17);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	uint64_t sent[4000];
	unsigned int immediate = 0, descents = 0;

	(void)state;
	netem_on(c->dev, "delay 10ms reorder 25% seed 1234");
	for (uint32_t i = 0; i < 4000; i++) {
		sent[i] = ts->clock.now;
		send_seq(c->dev, i, FRAME_LEN);
		test_stack_advance(ts, 1 * MS, 1 * MS);
	}
	test_stack_advance(ts, 20 * MS, 1 * MS);
	assert_int_equal(c->count, 4000);
	for (unsigned int k = 0; k < 4000; k++) {
		uint32_t s = frame_seq(&c->frames[k]);
		uint64_t d = c->frames[k].time - sent[s];

		assert_true(d == 0 || d == 10 * MS);
		immediate += d == 0;
		if (k && s < frame_seq(&c->frames[k - 1]))
			descents++;
	}
	/* sd = sqrt(4000 * .25 * .75) = 27 */
	assert_true(immediate > 1000 - 110 && immediate < 1000 + 110);
	/* each frame that jumped the queue overtook delayed ones */
	assert_true(descents > 1000 - 130 && descents <= immediate);
	assert_int_equal(c->dev->qdisc->qstats.requeues, immediate);
	test_stack_free(ts);
}

static void test_reorder_gap(void **state)
{
	struct test_stack *ts = test_stack_new("t", 17);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	uint64_t t0 = ts->clock.now;

	(void)state;
	/* reorder 100% gap 5: every 5th packet leaves at once, as Linux */
	netem_on(c->dev, "delay 10ms reorder 100% gap 5");
	for (uint32_t i = 0; i < 20; i++)
		send_seq(c->dev, i, FRAME_LEN);
	test_stack_advance(ts, 20 * MS, 1 * MS);
	assert_int_equal(c->count, 20);
	for (unsigned int k = 0; k < 4; k++) {
		assert_int_equal(frame_seq(&c->frames[k]), 5 * k + 4);
		assert_int_equal(c->frames[k].time, t0);
	}
	assert_int_equal(frame_seq(&c->frames[4]), 0);
	assert_int_equal(c->frames[4].time, t0 + 10 * MS);
	test_stack_free(ts);
}

static unsigned int bits_changed(const uint8_t *a, const uint8_t *b, size_t n)
{
	unsigned int bits = 0;

	for (size_t i = 0; i < n; i++)
		bits += (unsigned int)__builtin_popcount((unsigned int)(a[i] ^ b[i]));
	return bits;
}

static void test_corrupt_flips_one_bit(void **state)
{
	struct test_stack *ts = test_stack_new("t", 19);
	struct capdev *c = capdev_new(ts, "eth0", NULL), *ref = capdev_new(ts, "ref0", NULL);
	unsigned int flipped = 0, pos_hist[2] = { 0, 0 };

	(void)state;
	ns_dev_set_mac(ref->dev, c->dev->dev_addr);
	netem_on(c->dev, "corrupt 100% duplicate 50%");
	for (uint32_t i = 0; i < 300; i++) {
		send_seq(ref->dev, i, FRAME_LEN);	/* the untouched original */
		send_seq(c->dev, i, FRAME_LEN);
	}
	test_stack_settle(ts);
	assert_int_equal(ref->count, 300);
	assert_true(c->count > 400);
	for (unsigned int k = 0; k < c->count; k++) {
		const struct cap_frame *f = &c->frames[k];
		unsigned int i;

		/* find the original by payload (the seq bytes may be the flipped ones) */
		for (i = 0; i < ref->count; i++)
			if (bits_changed(f->data, ref->frames[i].data, FRAME_LEN) <= 1)
				break;
		assert_true(i < ref->count);
		assert_int_equal(f->len, FRAME_LEN);
		/* a clone's corruption never shows in its twin: exactly one bit each */
		assert_int_equal(bits_changed(f->data, ref->frames[i].data, FRAME_LEN), 1);
		flipped++;
		pos_hist[memcmp(f->data, ref->frames[i].data, 14) != 0]++;
	}
	assert_int_equal(flipped, c->count);
	assert_true(pos_hist[0] > 0 && pos_hist[1] > 0);	/* anywhere in the frame */
	test_stack_free(ts);
}

static void test_rate_spacing(void **state)
{
	struct test_stack *ts = test_stack_new("t", 23);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	uint64_t t0 = ts->clock.now;

	(void)state;
	/* 1000-byte frames at 1 Mbit/s: 8 ms each */
	netem_on(c->dev, "rate 1mbit");
	for (uint32_t i = 0; i < 10; i++)
		send_seq(c->dev, i, 1000);
	test_stack_advance(ts, 200 * MS, 10 * MS);
	assert_int_equal(c->count, 10);
	for (unsigned int k = 0; k < 10; k++)
		assert_int_equal(c->frames[k].time, t0 + (k + 1) * 8 * MS);

	/* packetoverhead counts in: (100 + 25) bytes = 1 ms */
	cap_clear(c);
	netem_on(c->dev, "rate 1mbit packetoverhead 25 delay 5ms");
	t0 = ts->clock.now;
	for (uint32_t i = 0; i < 5; i++)
		send_seq(c->dev, i, 100);
	test_stack_advance(ts, 50 * MS, 10 * MS);
	assert_int_equal(c->count, 5);
	for (unsigned int k = 0; k < 5; k++)
		assert_int_equal(c->frames[k].time, t0 + 5 * MS + (k + 1) * MS);
	test_stack_free(ts);
}

static void test_limit_drops_counted(void **state)
{
	struct test_stack *ts = test_stack_new("t", 29);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	struct Qdisc *q;
	int drops = 0;

	(void)state;
	q = netem_on(c->dev, "limit 5 delay 10ms");
	for (uint32_t i = 0; i < 20; i++)
		drops += send_seq(c->dev, i, FRAME_LEN) == NET_XMIT_DROP;
	assert_int_equal(drops, 15);
	assert_int_equal(q->qstats.drops, 15);
	assert_int_equal(q->qstats.qlen, 5);
	assert_int_equal(q->qstats.backlog, 5 * FRAME_LEN);
	assert_int_equal(ts->stack->drop_reasons[SKB_DROP_REASON_QDISC_DROP], 15);
	test_stack_advance(ts, 20 * MS, 1 * MS);
	assert_int_equal(c->count, 5);
	assert_int_equal(q->qstats.qlen, 0);
	/* frames still queued at teardown are freed, not leaked */
	for (uint32_t i = 0; i < 5; i++)
		send_seq(c->dev, i, FRAME_LEN);
	test_stack_free(ts);
}

/* Everything netem does to 3000 frames, as (time, seq, checksum of bytes). */
static void run_mix(uint64_t stack_seed, const char *opts, uint64_t *out, unsigned int *n)
{
	struct test_stack *ts = test_stack_new("t", stack_seed);
	struct capdev *c = capdev_new(ts, "eth0", NULL);

	netem_on(c->dev, opts);
	for (uint32_t i = 0; i < 3000; i++) {
		send_seq(c->dev, i, FRAME_LEN);
		test_stack_advance(ts, 100000, 100000);
	}
	test_stack_advance(ts, 100 * MS, 10 * MS);
	*n = c->count;
	for (unsigned int k = 0; k < c->count && k < 4000; k++) {
		uint64_t h = 1469598103934665603ULL;

		/* from the ethertype on: the MACs come from the stack's seed */
		for (size_t i = 12; i < c->frames[k].len; i++)
			h = (h ^ c->frames[k].data[i]) * 1099511628211ULL;
		out[k] = h ^ (c->frames[k].time * 31);
	}
	test_stack_free(ts);
}

static void test_same_seed_same_sequence(void **state)
{
	static const char mix[] = "delay 5ms 3ms 20% loss 5% duplicate 5% reorder 10% corrupt 5%";
	static uint64_t a[4096], b[4096];
	unsigned int na, nb;
	char opts[128];

	(void)state;
	/* the seed option decides, whatever the stack's seed */
	snprintf(opts, sizeof(opts), "%s seed 99", mix);
	run_mix(1, opts, a, &na);
	run_mix(2, opts, b, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na * sizeof(a[0]));
	/* without it, the stack's seed does */
	run_mix(5, mix, a, &na);
	run_mix(5, mix, b, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na * sizeof(a[0]));
	run_mix(6, mix, b, &nb);
	assert_true(na != nb || memcmp(a, b, na * sizeof(a[0])) != 0);
}

static void test_bad_options_rejected(void **state)
{
	static const struct {
		const char *opts, *word;
	} bad[] = {
		{ "delay", "delay" },
		{ "delay 5parsecs", "5parsecs" },
		{ "delay 5ms 1xs", "1xs" },
		{ "delay 5ms 1ms 200%", "200%" },
		{ "loss", "loss" },
		{ "loss 101%", "101%" },
		{ "loss random", "loss" },
		{ "loss random abc", "abc" },
		{ "loss state x", "x" },
		{ "loss gemodel 1% -3%", "-3%" },
		{ "loss weird 1%", "weird" },
		{ "loss 1% loss 2%", "loss" },
		{ "duplicate 5", NULL },	/* a bare number is a percent (tc) */
		{ "duplicate five", "five" },
		{ "reorder 5%", "reorder" },	/* needs a delay */
		{ "delay 1ms gap 3", "gap" },	/* needs reorder */
		{ "distribution normal", "distribution" },	/* needs jitter */
		{ "delay 1ms 1ms distribution cauchy", "cauchy" },
		{ "corrupt 1%%", "1%%" },
		{ "rate fast", "fast" },
		{ "rate 1mbit packetoverhead x", "x" },
		{ "limit -1", "-1" },
		{ "seed 0x", "0x" },
		{ "jitter 5ms", "jitter" },
	};
	struct test_stack *ts = test_stack_new("t", 31);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	struct Qdisc *q;
	char err[128], before[256], after[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = 0;
		q = netem_try(c->dev, bad[i].opts, err, sizeof(err));
		if (!bad[i].word) {
			assert_non_null(q);
			qdisc_destroy(q);
			continue;
		}
		if (q)
			fail_msg("\"%s\" accepted", bad[i].opts);
		assert_int_equal(errno, EINVAL);
		if (!strstr(err, bad[i].word))
			fail_msg("\"%s\": message \"%s\" does not name \"%s\"", bad[i].opts, err,
				 bad[i].word);
	}
	/* a failed change leaves the qdisc as it was, queue included */
	q = netem_on(c->dev, "delay 10ms loss 1% limit 50");
	send_seq(c->dev, 1, FRAME_LEN);
	q->ops->dump(q, before, sizeof(before));
	assert_int_equal(netem_change_str(q, "delay 20ms loss 7", err, sizeof(err)), 0);
	assert_int_equal(netem_change_str(q, "delay 5ms reorder 1% gap 2 bogus", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "bogus"));
	q->ops->dump(q, after, sizeof(after));
	assert_string_equal(after, "limit 1000 delay 20ms loss 7%");
	assert_int_equal(netem_change_str(q, "delay 10ms loss 1% limit 50", err, sizeof(err)), 0);
	q->ops->dump(q, after, sizeof(after));
	assert_string_equal(after, before);
	assert_int_equal(q->qstats.qlen, 1);
	test_stack_free(ts);
}

static void test_dump_format(void **state)
{
	static const struct {
		const char *opts, *shown;
	} cases[] = {
		{ "", "limit 1000" },
		{ "delay 5ms 1ms loss 1% duplicate 0.5%",
		  "limit 1000 delay 5ms  1ms loss 1% duplicate 0.5%" },
		{ "limit 200 delay 100ms 10ms 25% distribution normal",
		  "limit 200 delay 100ms  10ms 25%" },
		{ "delay 1.5s", "limit 1000 delay 1.5s" },
		{ "delay 250us", "limit 1000 delay 250us" },
		{ "loss random 2% 10%", "limit 1000 loss 2% 10%" },
		{ "loss state 1% 30%", "limit 1000 loss state p13 1% p31 30% p32 0% p23 100% p14 0%" },
		{ "loss gemodel 1% 30% 80% 0.1%", "limit 1000 loss gemodel p 1% r 30% 1-h 80% 1-k 0.1%" },
		{ "loss gemodel 2%", "limit 1000 loss gemodel p 2% r 100% 1-h 100% 1-k 0%" },
		{ "delay 10ms reorder 25% 50%", "limit 1000 delay 10ms reorder 25% 50% gap 1" },
		{ "delay 10ms reorder 25% gap 5", "limit 1000 delay 10ms reorder 25% gap 5" },
		{ "corrupt 0.1%", "limit 1000 corrupt 0.1%" },
		{ "rate 1mbit", "limit 1000 rate 1Mbit" },
		{ "rate 1500kbit packetoverhead -4", "limit 1000 rate 1500Kbit packetoverhead -4" },
		{ "rate 10gbit", "limit 1000 rate 10Gbit" },
		{ "seed 7 delay 1ms", "limit 1000 delay 1ms seed 7" },
	};
	struct test_stack *ts = test_stack_new("t", 37);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	char out[256], tiny[8];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct Qdisc *q = netem_on(c->dev, cases[i].opts);
		int n = q->ops->dump(q, out, sizeof(out));

		assert_string_equal(out, cases[i].shown);
		assert_int_equal(n, (int)strlen(cases[i].shown));
		/* snprintf rules: truncated, still terminated, full length returned */
		assert_int_equal(q->ops->dump(q, tiny, sizeof(tiny)), n);
		assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	}
	test_stack_free(ts);
}

/* Two stacks, each on its own virtual clock, advanced together. */
static void advance_two(struct test_stack *a, struct test_stack *b, uint64_t ns, uint64_t step)
{
	uint64_t end = a->clock.now + ns;

	while (a->clock.now < end) {
		a->clock.now += step;
		b->clock.now += step;
		for (int k = 0; k < 20; k++) {
			ns_stack_step(a->stack);
			ns_stack_step(b->stack);
		}
	}
}

struct rx_log {
	struct packet_type pt;
	struct test_stack *ts;
	unsigned int n;
	uint64_t time[64];
};

static int rx_log_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
		      struct net_device *orig)
{
	struct rx_log *l = container_of(pt, struct rx_log, pt);

	(void)dev;
	(void)orig;
	if (l->n < 64)
		l->time[l->n] = l->ts->clock.now;
	l->n++;
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static void test_netem_on_pipe_between_stacks(void **state)
{
	struct test_stack *a = test_stack_new("a", 41), *b = test_stack_new("b", 43);
	struct net_device *da, *db;
	struct rx_log log = { .pt = { .type = ETH_P_TEST, .func = rx_log_rcv } };
	char err[128] = "", *argv[] = { "delay", "5ms", "rate", "8mbit" };
	struct Qdisc *q;
	uint64_t t0;

	(void)state;
	log.ts = b;
	assert_int_equal(ns_pipe_create(a->stack, "veth0", b->stack, "veth1", 64, &da, &db), 0);
	ns_dev_set_up(da, true);
	ns_dev_set_up(db, true);
	dev_add_pack(b->stack, &log.pt);
	q = qdisc_create(da, qdisc_lookup_ops("netem"), 4, argv, err, sizeof(err));
	assert_non_null(q);
	qdisc_graft_root(da, q);
	t0 = a->clock.now;
	/* 1000-byte frames at 8 Mbit/s: 1 ms apart, after 5 ms */
	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(send_seq(da, i, 1000), NET_XMIT_SUCCESS);
	advance_two(a, b, 4 * MS, 100000);
	assert_int_equal(log.n, 0);
	advance_two(a, b, 20 * MS, 100000);
	assert_int_equal(log.n, 10);
	for (unsigned int k = 0; k < 10; k++)
		assert_int_equal(log.time[k], t0 + 5 * MS + (k + 1) * MS);
	assert_int_equal(db->stats.rx_packets, 10);
	/* frames left in netem when the device goes are freed */
	send_seq(da, 99, 1000);
	dev_remove_pack(b->stack, &log.pt);
	test_stack_free(a);
	test_stack_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delay_exact),
		cmocka_unit_test(test_jitter_bounds_and_mean),
		cmocka_unit_test(test_normal_distribution),
		cmocka_unit_test(test_random_loss_10pct),
		cmocka_unit_test(test_gilbert_elliott_bursts),
		cmocka_unit_test(test_4state_bursts),
		cmocka_unit_test(test_duplicate_rate),
		cmocka_unit_test(test_reorder_rate),
		cmocka_unit_test(test_reorder_gap),
		cmocka_unit_test(test_corrupt_flips_one_bit),
		cmocka_unit_test(test_rate_spacing),
		cmocka_unit_test(test_limit_drops_counted),
		cmocka_unit_test(test_same_seed_same_sequence),
		cmocka_unit_test(test_bad_options_rejected),
		cmocka_unit_test(test_dump_format),
		cmocka_unit_test(test_netem_on_pipe_between_stacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
