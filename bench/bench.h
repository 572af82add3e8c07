/* bench.h - helpers shared by the bench_*.c programs.
 *
 * NSTACK_BENCH_DIV=N divides each benchmark's iteration counts by N (table
 * sizes stay), so a run under `valgrind --tool=callgrind` takes seconds.
 * Instruction counts per packet are then repeatable on a loaded machine,
 * where wall-clock rates swing by tens of percent. Each measured loop is a
 * function of its own (noinline) so that callgrind can count it alone:
 *   NSTACK_BENCH_DIV=50 valgrind --tool=callgrind --collect-atstart=no \
 *       --toggle-collect=bench_pipe build/bench/bench_core */
#ifndef NSTACK_BENCH_H
#define NSTACK_BENCH_H

#include <stdlib.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* n divided by $NSTACK_BENCH_DIV (at least `min`, so loops keep their shape). */
static inline unsigned long bench_iters(unsigned long n, unsigned long min)
{
	const char *s = getenv("NSTACK_BENCH_DIV");
	unsigned long d = s ? strtoul(s, NULL, 10) : 1;

	if (d > 1)
		n /= d;
	return n < min ? min : n;
}

#endif
