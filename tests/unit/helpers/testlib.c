/* testlib.c - see testlib.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

struct test_stack *test_stack_new(const char *name, uint64_t seed)
{
	struct test_stack *ts = calloc(1, sizeof(*ts));
	struct ns_stack_config cfg = { .name = name, .seed = seed ? seed : 1 };

	assert_non_null(ts);
	ns_vclock_init(&ts->clock, 1000000000ULL);
	cfg.clock = &ts->clock.clock;
	ts->stack = ns_stack_create(&cfg);
	assert_non_null(ts->stack);
	ts->stack->embedder = ts;
	/* IPv4-era tests count every frame: IPv6 autoconfiguration (DAD,
	 * MLD, RS) stays off on their devices unless test_stack_ipv6() */
	assert_int_equal(ns_sysctl_set(ts->stack, "net.ipv6.conf.default.disable_ipv6", "1"), 0);
	return ts;
}

void test_stack_ipv6(struct test_stack *ts)
{
	assert_int_equal(ns_sysctl_set(ts->stack, "net.ipv6.conf.default.disable_ipv6", "0"), 0);
}

void test_stack_free(struct test_stack *ts)
{
	struct net_device *dev, *n;
	const struct skb_pool_stats *st;

	test_stack_settle(ts);
	/* devices hold rings and queues: take them down, then nothing may
	 * remain allocated (every skb was freed exactly once) */
	list_for_each_entry_safe(dev, n, &ts->stack->dev_base_head, dev_list)
		if (dev != ts->stack->loopback_dev)
			unregister_netdev(dev);
	test_stack_settle(ts);
	st = skb_pool_stats(ts->stack->skb_pool);
	assert_int_equal(st->in_use, 0);
	assert_int_equal(st->heads_in_use, 0);
	ns_stack_destroy(ts->stack);
	free(ts);
}

void test_stack_settle(struct test_stack *ts)
{
	for (int i = 0; i < 10000; i++)
		if (ns_stack_step(ts->stack) == 0 && !ns_stack_busy(ts->stack))
			return;
	fail_msg("stack did not settle");
}

void test_stack_advance(struct test_stack *ts, uint64_t ns, uint64_t step_ns)
{
	uint64_t end = ts->clock.now + ns;

	test_stack_settle(ts);
	while (ts->clock.now < end) {
		uint64_t next = ns_stack_next_timer(ts->stack);
		uint64_t to = ts->clock.now + step_ns;

		if (next != UINT64_MAX && next > ts->clock.now && next < to)
			to = next;
		if (to > end)
			to = end;
		ts->clock.now = to;
		test_stack_settle(ts);
	}
}

static int cap_xmit(void *ctx, const void *frame, size_t len)
{
	struct capdev *c = ctx;
	struct cap_frame *f;

	if (c->busy)
		return -EAGAIN;
	if (c->count >= CAP_MAX_FRAMES)
		return -ENOSPC;
	f = &c->frames[c->count++];
	f->len = len > sizeof(f->data) ? sizeof(f->data) : len;
	memcpy(f->data, frame, f->len);
	f->time = c->ts->clock.now;
	return 0;
}

static void cap_destroy(void *ctx)
{
	struct capdev *c = ctx;

	free(c->frames);
	free(c);
}

struct capdev *capdev_new(struct test_stack *ts, const char *name, const uint8_t mac[6])
{
	static const struct ns_driver_ops ops = { .xmit = cap_xmit, .destroy = cap_destroy };
	struct capdev *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->frames = calloc(CAP_MAX_FRAMES, sizeof(*c->frames));
	assert_non_null(c->frames);
	c->ts = ts;
	c->dev = ns_dev_create(ts->stack, name, NS_LINK_ETHER, mac, 1500, &ops, c);
	assert_non_null(c->dev);
	assert_int_equal(ns_dev_set_up(c->dev, true), 0);
	return c;
}

struct cap_frame *cap_next(struct capdev *c)
{
	if (c->taken >= c->count)
		return NULL;
	return &c->frames[c->taken++];
}

void capdev_inject(struct capdev *c, const void *frame, size_t len)
{
	assert_int_equal(ns_dev_rx(c->dev, frame, len), 0);
}
