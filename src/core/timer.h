/* timer.h - per-stack timers on a hierarchical timing wheel.
 *
 * Four levels of 256 slots over 1 µs ticks (Varghese & Lauck; the cascading
 * wheel Linux used before 4.8): add and cancel are O(1); a slot of a higher
 * level is cascaded down when the lower level wraps, so every timer fires at
 * its exact tick. Expiry times are absolute nanoseconds on the stack's
 * clock; they are rounded up to the next microsecond. Timers further than
 * 2^32 µs (71 min) away are parked and re-filed as time approaches.
 *
 * Callbacks run from ns_stack_step(); a callback may re-arm or delete any
 * timer, its own included. The base keeps a lower bound of its next event
 * (Linux's next_expiry): a step with nothing due costs one compare, not a
 * scan of the slot bitmaps. */
#ifndef NSTACK_CORE_TIMER_H
#define NSTACK_CORE_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"

struct ns_stack;
struct timer_base;
struct timer_list;

typedef void (*timer_fn_t)(struct timer_list *t);

struct timer_list {
	struct hlist_node entry;
	uint64_t expires;		/* absolute ns (as given to mod_timer); ticks rounded up */
	timer_fn_t function;
	struct timer_base *base;
	uint8_t level;			/* wheel level and slot while pending */
	uint8_t slot;
};

#define TIMER_TICK_NS 1000ULL

/* Bind a timer to a stack and a callback; it starts unarmed. */
void timer_setup(struct timer_list *t, struct ns_stack *stack, timer_fn_t fn);
/* Arm (or re-arm) for absolute time `expires` ns. Returns 1 if it was
 * pending, 0 if not. */
int mod_timer(struct timer_list *t, uint64_t expires);
/* Disarm. Returns 1 if it was pending. */
int del_timer(struct timer_list *t);
static inline bool timer_pending(const struct timer_list *t)
{
	return !hlist_unhashed(&t->entry);
}
/* Recover the containing structure in a callback. */
#define from_timer(var, timer, field) container_of(timer, __typeof__(*var), field)

/* Wheel, owned by a stack. */
struct timer_base *timer_base_create(uint64_t now_ns);
void timer_base_destroy(struct timer_base *base);
/* Run every timer due at or before now_ns. Returns how many ran. */
int timer_base_run(struct timer_base *base, uint64_t now_ns);
/* A lower bound of the next expiry (ns), UINT64_MAX when none is pending. */
uint64_t timer_base_next(const struct timer_base *base);
unsigned int timer_base_pending(const struct timer_base *base);

#endif
