/* testlib.h - fixtures shared by unit tests: a stack on a virtual clock, a
 * capture device that records what the stack transmits, leak checks. */
#ifndef NSTACK_TESTLIB_H
#define NSTACK_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "nstack/nstack.h"
#include "nstack/netdev.h"
#include "core/netdevice.h"
#include "core/stack.h"

struct test_stack {
	struct ns_vclock clock;
	struct ns_stack *stack;
};

/* A stack on virtual time starting at 1 s, seeded. */
struct test_stack *test_stack_new(const char *name, uint64_t seed);
/* Devices created afterwards run IPv6 (Linux's default); test stacks
 * start with net.ipv6.conf.default.disable_ipv6 = 1 so that IPv4 tests see
 * only their own frames. */
void test_stack_ipv6(struct test_stack *ts);
/* Destroy, asserting that no skb data area or head is still allocated. */
void test_stack_free(struct test_stack *ts);
/* Advance virtual time by ns in steps of at most step_ns, running the loop. */
void test_stack_advance(struct test_stack *ts, uint64_t ns, uint64_t step_ns);
/* Run the loop until idle (bounded). */
void test_stack_settle(struct test_stack *ts);

/* A device whose transmitted frames are recorded. */
#define CAP_MAX_FRAMES 4096
struct cap_frame {
	uint8_t data[2048];
	size_t len;
	uint64_t time;
};
struct capdev {
	struct net_device *dev;
	struct test_stack *ts;
	struct cap_frame *frames;
	unsigned int count;	/* recorded */
	unsigned int taken;	/* consumed by cap_next */
	int busy;		/* answer -EAGAIN while non-zero */
};
struct capdev *capdev_new(struct test_stack *ts, const char *name, const uint8_t mac[6]);
/* Next recorded frame not yet taken, or NULL. */
struct cap_frame *cap_next(struct capdev *c);
void capdev_inject(struct capdev *c, const void *frame, size_t len);

#endif
