/* nstack.h - the public face of one nstack instance: create a stack, drive
 * its loop (real or virtual time), read and write its /proc tree.
 *
 * A `struct ns_stack` is one network stack, like a Linux network namespace:
 * its devices, tables, sockets, timers, sysctls and counters. Several can
 * live in one process; nothing is shared between them. A stack is not
 * thread-safe by itself: drive it from one thread, or run its loop in a
 * thread of its own with ns_stack_start_thread() (nstack/socket.h) and wrap
 * other calls in ns_stack_lock()/ns_stack_unlock() (docs/threads.md).
 *
 * Errors are negative errno values unless a function says otherwise. */
#ifndef NSTACK_NSTACK_H
#define NSTACK_NSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ns_stack;
struct net_device;

/* ---- clocks -------------------------------------------------------------
 * The stack reads time only through its clock, so an embedder or a test can
 * replace it. Times are nanoseconds on a monotonic scale. */
struct ns_clock {
	uint64_t (*now_ns)(struct ns_clock *clk);
	bool is_virtual;	/* true: never sleep waiting for time to pass */
};

/* The process's CLOCK_MONOTONIC. Immutable and shareable by every stack. */
struct ns_clock *ns_clock_monotonic(void);

/* Virtual time: stays where it is until the owner advances it. */
struct ns_vclock {
	struct ns_clock clock;
	uint64_t now;
};
void ns_vclock_init(struct ns_vclock *vc, uint64_t start_ns);
static inline void ns_vclock_advance(struct ns_vclock *vc, uint64_t delta_ns)
{
	vc->now += delta_ns;
}

/* ---- stack lifecycle ------------------------------------------------------ */
struct ns_stack_config {
	const char *name;		/* for messages and the lab; may be NULL */
	struct ns_clock *clock;		/* NULL: ns_clock_monotonic() */
	uint64_t seed;			/* PRNG seed (netem, ISNs...); 0: from getrandom() */
	size_t skb_mem_max;		/* packet-buffer memory cap; 0: 256 MiB */
	bool single_thread;		/* one thread drives the loop and makes every
					 * call (as lwIP's NO_SYS): the stack lock is
					 * never taken, ns_stack_start_thread refuses
					 * (-EINVAL); blocking calls drive the loop */
};

/* Create a stack with the loopback device `lo` registered and up.
 * Returns NULL with errno set on failure. */
struct ns_stack *ns_stack_create(const struct ns_stack_config *cfg);
/* Tear down every device, socket and timer, then free the stack. */
void ns_stack_destroy(struct ns_stack *stack);
const char *ns_stack_name(const struct ns_stack *stack);
uint64_t ns_stack_now(struct ns_stack *stack);

/* ---- the loop --------------------------------------------------------------
 * One round: run due timers, poll NAPI devices within netdev_budget, run
 * transmit queues. Returns the number of work items done (0: idle). Never
 * sleeps. */
int ns_stack_step(struct ns_stack *stack);
/* ns_stack_step, then, when idle and the clock is real, sleep on the
 * drivers' file descriptors until one is ready, the next timer is due, or
 * timeout_ms passes (-1: no limit). Returns work done, or -errno. */
int ns_stack_run_once(struct ns_stack *stack, int timeout_ms);
/* Run until *stop becomes non-zero (checked every round). */
int ns_stack_run(struct ns_stack *stack, volatile int *stop);
/* Absolute time of the earliest pending timer (a lower bound), or
 * UINT64_MAX when none is pending. */
uint64_t ns_stack_next_timer(struct ns_stack *stack);
/* True when NAPI or transmit work is pending right now. */
bool ns_stack_busy(struct ns_stack *stack);
/* An epoll file descriptor that becomes readable when the stack has driver
 * input; an embedder's own event loop can wait on it, then call
 * ns_stack_run_once(stack, 0). */
int ns_stack_fd(struct ns_stack *stack);

/* ---- /proc and sysctl -------------------------------------------------------
 * Each stack has a virtual /proc tree in Linux's formats: "/proc/net/dev",
 * "/proc/sys/net/core/rmem_default", ... */
/* Read a file: returns a malloc'd NUL-terminated string (free() it), or NULL
 * with errno = ENOENT. *len gets its length when len is not NULL. */
char *ns_proc_read(struct ns_stack *stack, const char *path, size_t *len);
/* Write a value (as `echo value > path`). -ENOENT, -EACCES (read-only),
 * -EINVAL (bad value: nothing is changed). */
int ns_proc_write(struct ns_stack *stack, const char *path, const char *value);
/* sysctl by dotted name: "net.core.rmem_default". Same errors. */
int ns_sysctl_set(struct ns_stack *stack, const char *name, const char *value);
char *ns_sysctl_get(struct ns_stack *stack, const char *name);
/* Call fn for every path under prefix (in sorted order). */
int ns_proc_list(struct ns_stack *stack, const char *prefix,
		 void (*fn)(const char *path, void *ctx), void *ctx);

const char *ns_version(void);

#ifdef __cplusplus
}
#endif
#endif
