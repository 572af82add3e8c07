/* timer.c - the cascading timing wheel described in timer.h. */
#include <stdlib.h>

#include "core/stack.h"
#include "core/timer.h"

#define WHEEL_BITS 8
#define WHEEL_SIZE (1u << WHEEL_BITS)
#define WHEEL_MASK (WHEEL_SIZE - 1)
#define WHEEL_LEVELS 4
#define WHEEL_MAX_DELTA 0xffffffffULL

struct timer_base {
	uint64_t clk;				/* next tick to process */
	uint64_t next_tick;			/* lower bound of the next event (see file_timer) */
	unsigned int pending;			/* armed timers */
	unsigned int slot_count[WHEEL_LEVELS][WHEEL_SIZE];
	uint64_t map[WHEEL_LEVELS][WHEEL_SIZE / 64];	/* occupied slots */
	struct hlist_head vec[WHEEL_LEVELS][WHEEL_SIZE];
};

static uint64_t ns_to_tick_up(uint64_t ns)
{
	return ns / TIMER_TICK_NS + (ns % TIMER_TICK_NS != 0);
}

static unsigned int wheel_index(uint64_t tick, unsigned int level)
{
	return (unsigned int)(tick >> (level * WHEEL_BITS)) & WHEEL_MASK;
}

struct timer_base *timer_base_create(uint64_t now_ns)
{
	struct timer_base *base = calloc(1, sizeof(*base));

	if (base) {
		base->clk = now_ns / TIMER_TICK_NS;
		base->next_tick = UINT64_MAX;
	}
	return base;
}

void timer_base_destroy(struct timer_base *base)
{
	free(base);
}

unsigned int timer_base_pending(const struct timer_base *base)
{
	return base->pending;
}

static void file_timer(struct timer_base *base, struct timer_list *t)
{
	uint64_t expires = ns_to_tick_up(t->expires);
	int64_t delta = (int64_t)(expires - base->clk);
	unsigned int level, idx;

	if (delta < 0) {
		expires = base->clk;	/* already due: the next tick processed */
		level = 0;
	} else if ((uint64_t)delta < WHEEL_SIZE) {
		level = 0;
	} else if ((uint64_t)delta < (1ULL << (2 * WHEEL_BITS))) {
		level = 1;
	} else if ((uint64_t)delta < (1ULL << (3 * WHEEL_BITS))) {
		level = 2;
	} else {
		if ((uint64_t)delta > WHEEL_MAX_DELTA)
			expires = base->clk + WHEEL_MAX_DELTA;	/* parked; re-filed later */
		level = 3;
	}
	idx = wheel_index(expires, level);
	/* the tick at which this timer runs (level 0) or its slot cascades
	 * (level L: the L lower digits zero) - keep base->next_tick a lower
	 * bound of every event, so that timer_base_run can skip the wheel
	 * while nothing is due (Linux's timer_base.next_expiry) */
	expires &= ~((1ULL << (level * WHEEL_BITS)) - 1);
	if (expires < base->next_tick)
		base->next_tick = expires;
	hlist_add_head(&t->entry, &base->vec[level][idx]);
	t->level = (uint8_t)level;
	t->slot = (uint8_t)idx;
	base->slot_count[level][idx]++;
	base->map[level][idx / 64] |= 1ULL << (idx % 64);
}

static void unfile_timer(struct timer_base *base, struct timer_list *t)
{
	unsigned int level = t->level, idx = t->slot;

	hlist_del(&t->entry);
	if (--base->slot_count[level][idx] == 0)
		base->map[level][idx / 64] &= ~(1ULL << (idx % 64));
}

void timer_setup(struct timer_list *t, struct ns_stack *stack, timer_fn_t fn)
{
	INIT_HLIST_NODE(&t->entry);
	t->expires = 0;
	t->function = fn;
	t->base = stack->timers;
	t->level = 0;
	t->slot = 0;
}

int mod_timer(struct timer_list *t, uint64_t expires)
{
	struct timer_base *base = t->base;
	int was_pending = timer_pending(t);

	if (was_pending)
		unfile_timer(base, t);
	else
		base->pending++;
	t->expires = expires;
	file_timer(base, t);
	return was_pending;
}

int del_timer(struct timer_list *t)
{
	if (!timer_pending(t))
		return 0;
	unfile_timer(t->base, t);
	t->base->pending--;
	return 1;
}

/* Move every timer of one higher-level slot down to where it now belongs.
 * Returns idx, so a zero index cascades the next level too. */
static unsigned int cascade(struct timer_base *base, unsigned int level, unsigned int idx)
{
	struct hlist_head *head = &base->vec[level][idx];

	while (head->first) {
		struct timer_list *t = hlist_entry(head->first, struct timer_list, entry);

		unfile_timer(base, t);
		file_timer(base, t);
	}
	return idx;
}

/* Next occupied level-0 slot at or after idx in this rotation, or -1. */
static int l0_next(const struct timer_base *base, unsigned int idx)
{
	for (unsigned int w = idx / 64; w < WHEEL_SIZE / 64; w++) {
		uint64_t bits = base->map[0][w];

		if (w == idx / 64)
			bits &= ~0ULL << (idx % 64);
		if (bits)
			return (int)(w * 64 + (unsigned int)__builtin_ctzll(bits));
	}
	return -1;
}

/* Circular distance from slot `start` to the first occupied slot of
 * `level` (0..WHEEL_SIZE-1), or -1: a bitmap scan, not a slot walk. */
static int circ_next(const struct timer_base *base, unsigned int level, unsigned int start)
{
	const uint64_t *map = base->map[level];

	for (unsigned int i = 0; i <= WHEEL_SIZE / 64; i++) {
		unsigned int w = (start / 64 + i) % (WHEEL_SIZE / 64);
		uint64_t bits = map[w];
		unsigned int slot;

		if (i == 0)
			bits &= ~0ULL << (start % 64);
		if (!bits)
			continue;
		slot = w * 64 + (unsigned int)__builtin_ctzll(bits);
		return (int)((slot - start) & WHEEL_MASK);
	}
	return -1;
}

/* The tick at which the next non-empty slot of `level` cascades, or
 * UINT64_MAX. */
static uint64_t next_cascade(const struct timer_base *base, unsigned int level)
{
	unsigned int shift = level * WHEEL_BITS;
	uint64_t unit = base->clk >> shift;
	bool at_boundary = (base->clk & ((1ULL << shift) - 1)) == 0;
	unsigned int k0 = at_boundary ? 0 : 1;
	int d = circ_next(base, level, (unsigned int)((unit + k0) & WHEEL_MASK));

	if (d < 0)
		return UINT64_MAX;
	return (unit + k0 + (unsigned int)d) << shift;
}

/* The first tick from clk on where something happens: an occupied level-0
 * slot, or a cascade of an occupied higher slot. UINT64_MAX when idle.
 * Every slot passed over on the way is empty, so jumping there is exact. */
static uint64_t next_event_tick(const struct timer_base *base)
{
	uint64_t best = UINT64_MAX;
	int next;

	if (!base->pending)
		return UINT64_MAX;
	next = l0_next(base, wheel_index(base->clk, 0));
	if (next >= 0)
		return (base->clk & ~(uint64_t)WHEEL_MASK) + (unsigned int)next;
	for (unsigned int w = 0; w < WHEEL_SIZE / 64; w++) {
		if (base->map[0][w]) {
			/* level-0 timers of the next rotation: at the wrap */
			best = (base->clk | WHEEL_MASK) + 1;
			break;
		}
	}
	for (unsigned int level = 1; level < WHEEL_LEVELS; level++) {
		uint64_t t = next_cascade(base, level);

		if (t < best)
			best = t;
	}
	return best;
}

static void run_slot(struct timer_base *base, unsigned int idx, uint64_t now, int *ran)
{
	struct hlist_head *head = &base->vec[0][idx];
	struct hlist_head work = { NULL };

	/* detach the whole slot first: callbacks may re-arm into it */
	while (head->first) {
		struct timer_list *t = hlist_entry(head->first, struct timer_list, entry);

		unfile_timer(base, t);
		hlist_add_head(&t->entry, &work);
	}
	while (work.first) {
		struct timer_list *t = hlist_entry(work.first, struct timer_list, entry);

		hlist_del(&t->entry);
		if (ns_to_tick_up(t->expires) > now) {
			/* a parked far timer reached level 0 early: re-file */
			file_timer(base, t);
			continue;
		}
		base->pending--;
		t->function(t);
		(*ran)++;
	}
}

/* Some tick up to now may hold a timer: walk the wheel. Out of line, so
 * that the usual "nothing due" round below needs no stack frame. */
static __attribute__((noinline)) int timer_base_walk(struct timer_base *base, uint64_t now)
{
	int ran = 0;

	while (base->clk <= now) {
		unsigned int idx = wheel_index(base->clk, 0);
		int next;

		if (!base->pending) {
			base->clk = now + 1;
			break;
		}
		if (idx == 0) {
			/* level 0 wrapped: pull the current slot of each level down */
			if (!cascade(base, 1, wheel_index(base->clk, 1)) &&
			    !cascade(base, 2, wheel_index(base->clk, 2)))
				cascade(base, 3, wheel_index(base->clk, 3));
		}
		next = l0_next(base, idx);
		if (next != (int)idx) {
			/* jump over empty slots straight to the next event */
			uint64_t to = next_event_tick(base);

			base->next_tick = to;	/* exact again */
			if (to <= base->clk)
				to = base->clk + 1;
			base->clk = to > now + 1 ? now + 1 : to;
			continue;
		}
		base->clk++;
		run_slot(base, idx, now, &ran);
	}
	return ran;
}

int timer_base_run(struct timer_base *base, uint64_t now_ns)
{
	uint64_t now = now_ns / TIMER_TICK_NS;

	if (base->clk > now)
		return 0;
	if (!base->pending || now < base->next_tick) {
		/* nothing due up to now: every tick on the way is empty */
		base->clk = now + 1;
		return 0;
	}
	return timer_base_walk(base, now);
}

uint64_t timer_base_next(const struct timer_base *base)
{
	uint64_t tick = next_event_tick(base);

	if (tick == UINT64_MAX)
		return UINT64_MAX;
	return (tick < base->clk ? base->clk : tick) * TIMER_TICK_NS;
}
