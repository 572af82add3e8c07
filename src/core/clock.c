/* clock.c - the real monotonic clock and virtual clocks (nstack.h). */
#include <time.h>

#include "nstack/nstack.h"

static uint64_t monotonic_now(struct ns_clock *clk)
{
	struct timespec ts;

	(void)clk;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Immutable: every stack may point at it. */
static struct ns_clock monotonic_clock = { .now_ns = monotonic_now, .is_virtual = false };

struct ns_clock *ns_clock_monotonic(void)
{
	return &monotonic_clock;
}

static uint64_t virtual_now(struct ns_clock *clk)
{
	return ((struct ns_vclock *)(void *)clk)->now;
}

void ns_vclock_init(struct ns_vclock *vc, uint64_t start_ns)
{
	vc->clock.now_ns = virtual_now;
	vc->clock.is_virtual = true;
	vc->now = start_ns;
}
