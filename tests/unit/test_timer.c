/* test_timer.c - the timing wheel: exact expiry at every level, cancel,
 * re-arm from a callback, far timers, and a randomized comparison against
 * a sorted reference. */
#include <stdlib.h>

#include "testlib.h"
#include "core/timer.h"

struct rec {
	struct timer_list t;
	uint64_t fired_at;
	int count;
	struct test_stack *ts;
	uint64_t rearm;		/* re-arm this far ahead, once */
};

static void rec_fn(struct timer_list *t)
{
	struct rec *r = from_timer(r, t, t);

	r->fired_at = r->ts->clock.now;
	r->count++;
	if (r->rearm) {
		uint64_t d = r->rearm;

		r->rearm = 0;
		mod_timer(&r->t, r->ts->clock.now + d);
	}
}

static void arm(struct test_stack *ts, struct rec *r, uint64_t at)
{
	memset(r, 0, sizeof(*r));
	r->ts = ts;
	timer_setup(&r->t, ts->stack, rec_fn);
	mod_timer(&r->t, at);
}

static void test_exact_expiry_each_level(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	const uint64_t deltas[] = { 1000, 255000, 256000, 300000, 65536000, 70000000,
				    16777216000ULL, 20000000000ULL, 5000000000000ULL };
	struct rec r[ARRAY_SIZE(deltas)];
	uint64_t t0 = ts->clock.now;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(deltas); i++)
		arm(ts, &r[i], t0 + deltas[i]);
	for (size_t i = 0; i < ARRAY_SIZE(deltas); i++) {
		/* just before: not yet */
		uint64_t at = t0 + deltas[i];

		ts->clock.now = at - 1000;
		ns_stack_step(ts->stack);
		assert_int_equal(r[i].count, 0);
		assert_true(ns_stack_next_timer(ts->stack) <= at);
		ts->clock.now = at;
		ns_stack_step(ts->stack);
		assert_int_equal(r[i].count, 1);
		assert_int_equal(r[i].fired_at, at);
	}
	assert_int_equal(timer_base_pending(ts->stack->timers), 0);
	test_stack_free(ts);
}

static void test_cancel_and_rearm(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct rec a, b;
	uint64_t t0 = ts->clock.now;

	(void)state;
	arm(ts, &a, t0 + 5000000);
	arm(ts, &b, t0 + 5000000);
	assert_int_equal(del_timer(&a.t), 1);
	assert_int_equal(del_timer(&a.t), 0);
	assert_int_equal(mod_timer(&b.t, t0 + 7000000), 1);	/* was pending */
	b.rearm = 1000000;
	test_stack_advance(ts, 10000000, 100000);
	assert_int_equal(a.count, 0);
	assert_int_equal(b.count, 2);
	assert_int_equal(b.fired_at, t0 + 8000000);
	test_stack_free(ts);
}

static void test_past_expiry_runs_next_step(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct rec a;

	(void)state;
	arm(ts, &a, ts->clock.now - 5000);
	ns_stack_step(ts->stack);
	assert_int_equal(a.count, 1);
	test_stack_free(ts);
}

#define NRAND 2000
static void test_random_against_reference(void **state)
{
	struct test_stack *ts = test_stack_new("t", 7);
	struct rec *r = calloc(NRAND, sizeof(*r));
	uint64_t *want = calloc(NRAND, sizeof(*want));
	uint64_t t0 = ts->clock.now;

	(void)state;
	srand(42);
	for (int i = 0; i < NRAND; i++) {
		uint64_t d = ((uint64_t)rand() % 3000000ULL) * 1000ULL * (uint64_t)(1 + rand() % 3);

		want[i] = t0 + d;
		arm(ts, &r[i], want[i]);
	}
	/* cancel a tenth */
	for (int i = 0; i < NRAND; i += 10) {
		del_timer(&r[i].t);
		want[i] = 0;
	}
	/* jump in irregular steps: each fires at the first step at/after it */
	while (timer_base_pending(ts->stack->timers)) {
		uint64_t next = ns_stack_next_timer(ts->stack);

		assert_true(next != UINT64_MAX);
		assert_true(next >= ts->clock.now - 1000);
		ts->clock.now = next > ts->clock.now ? next : ts->clock.now + 1000;
		ns_stack_step(ts->stack);
	}
	for (int i = 0; i < NRAND; i++) {
		if (!want[i]) {
			assert_int_equal(r[i].count, 0);
			continue;
		}
		assert_int_equal(r[i].count, 1);
		/* next_timer is a lower bound, so stepping by it is exact */
		assert_int_equal(r[i].fired_at, (want[i] + 999) / 1000 * 1000);
	}
	free(r);
	free(want);
	test_stack_free(ts);
}

/* Steps of irregular small size with timers armed and cancelled between
 * them (the pattern of a busy loop: most steps find nothing due and take
 * the cached next-event fast path). Each timer fires once, at the first
 * step at or after its tick; a timer armed earlier than the cached bound
 * must lower it. */
#define NINTER 600
static void test_interleaved_arm_and_steps(void **state)
{
	struct test_stack *ts = test_stack_new("t", 9);
	struct rec *r = calloc(NINTER, sizeof(*r));
	uint64_t *due = calloc(NINTER, sizeof(*due));
	const uint64_t span[] = { 3000, 200000, 900000, 70000000 };
	int armed = 0;

	(void)state;
	srand(7);
	for (int step = 0; step < 20000; step++) {
		if (armed < NINTER && rand() % 8 == 0) {
			uint64_t d = (uint64_t)rand() % span[rand() % 4];

			due[armed] = (ts->clock.now + d + 999) / 1000 * 1000;
			arm(ts, &r[armed], ts->clock.now + d);
			armed++;
		}
		if (armed && rand() % 32 == 0) {
			int k = rand() % armed;

			if (del_timer(&r[k].t))
				due[k] = 0;
		}
		ts->clock.now += (uint64_t)(rand() % 300) * 1000 + (uint64_t)(rand() % 3) * 7;
		ns_stack_step(ts->stack);
		for (int i = 0; i < armed; i++) {
			if (due[i] && due[i] <= ts->clock.now && !r[i].count)
				fail_msg("timer %d due %llu not run at %llu", i,
					 (unsigned long long)due[i],
					 (unsigned long long)ts->clock.now);
			if (r[i].count)
				assert_true(r[i].fired_at >= due[i]);
		}
	}
	for (int i = 0; i < armed; i++)
		if (!due[i])
			assert_int_equal(r[i].count, 0);
		else if (due[i] <= ts->clock.now)
			assert_int_equal(r[i].count, 1);
	while (timer_base_pending(ts->stack->timers))
		for (int i = 0; i < armed; i++)
			del_timer(&r[i].t);
	free(r);
	free(due);
	test_stack_free(ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_expiry_each_level),
		cmocka_unit_test(test_cancel_and_rearm),
		cmocka_unit_test(test_past_expiry_runs_next_step),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_interleaved_arm_and_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
