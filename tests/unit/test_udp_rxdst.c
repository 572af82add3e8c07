/* test_udp_rxdst.c - the cached local input route (struct ip_rx_dst in
 * src/ipv4/route.h): a datagram to a local address skips the FIB walk once
 * its answer is cached, yet every change to what the FIB says (an address
 * removed, added back) is honoured on the very next datagram, with the same
 * counters as without a cache, and the per-datagram martian checks still run
 * on a cache hit. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "testlib.h"
#include "ipv4_testutil.h"
#include "socktest.h"
#include "ipv4/devinet.h"
#include "ipv4/netns_ipv4.h"
#include "ipv4/route.h"
#include "ipv4/udp.h"
#include "nstack/socket.h"
#include "wire/eth.h"
#include "wire/ipv4.h"
#include "wire/udp.h"

#define SRC  0xC6120101u	/* 198.18.1.1 */
#define DST  0xC6120102u	/* 198.18.1.2, ours */
#define PORT 9100

struct fx {
	struct test_stack *ts;
	struct capdev *c;
	int fd;
};

static size_t udp_frame(uint8_t *f, const uint8_t *dmac, uint32_t src, uint32_t dst,
			const char *pl, size_t n)
{
	struct eth_repr e = { .proto = 0x0800 };
	struct ipv4_repr ip = { .tot_len = (uint16_t)(20 + 8 + n), .ttl = 64,
				.protocol = IPPROTO_UDP, .saddr = src, .daddr = dst };
	struct udp_repr u = { .sport = 5555, .dport = PORT, .payload = (const uint8_t *)pl,
			      .payload_len = n };

	memcpy(e.dst, dmac, 6);
	memcpy(e.src, "\x02\x00\x00\x00\x00\x77", 6);
	eth_emit(&e, f, 14);
	ipv4_emit(&ip, f + 14, 20);
	udp_emit_ipv4(&u, f + 34, 8 + n, src, dst);
	return 34 + 8 + n;
}

/* queued on the backlog: several before a settle arrive as one list
 * (ip_list_rcv -> ip_route_input_list) */
static void queue_frame(struct fx *x, uint32_t src, uint32_t dst, const char *pl)
{
	uint8_t f[128];

	capdev_inject(x->c, f, udp_frame(f, x->c->dev->dev_addr, src, dst, pl, strlen(pl)));
}

static void inject(struct fx *x, uint32_t src, uint32_t dst, const char *pl)
{
	queue_frame(x, src, dst, pl);
	test_stack_settle(x->ts);
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct sockaddr_in sin = sin_of(0, PORT);	/* wildcard-bound */

	x->ts = test_stack_new("R", 1);
	x->c = capdev_new(x->ts, "cap0", NULL);
	assert_int_equal(ns_dev_set_up(x->c->dev, true), 0);
	assert_int_equal(inet_addr_add(x->c->dev, DST, 24, NULL), 0);
	x->fd = ns_socket(x->ts->stack, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(x->fd >= 0);
	assert_int_equal(ns_bind(x->ts->stack, x->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	ns_close(x->ts->stack, x->fd);
	test_stack_free(x->ts);
	free(x);
	return 0;
}

static bool cached(struct ns_stack *s, uint32_t daddr)
{
	for (unsigned int i = 0; i < IP_RX_DST_SIZE; i++)
		if (s->ipv4->rx_dst[i].daddr == daddr &&
		    s->ipv4->rx_dst[i].genid == s->softnet.dst_genid)
			return true;
	return false;
}

/* a macro: a failure names the caller's line */
#define expect_recv(x, pl)                                                                   \
	do {                                                                                 \
		char rbuf_[64];                                                              \
		assert_int_equal(ns_recv((x)->ts->stack, (x)->fd, rbuf_, sizeof(rbuf_), 0), \
				 (ssize_t)strlen(pl));                                       \
		assert_memory_equal(rbuf_, pl, strlen(pl));                                  \
	} while (0)

static void expect_none(struct fx *x)
{
	char buf[64];

	assert_int_equal(ns_recv(x->ts->stack, x->fd, buf, sizeof(buf), 0), -1);
	assert_int_equal(errno, EAGAIN);
}

static long long ip_ctr(struct fx *x, const char *name)
{
	return proc_counter(x->ts->stack, "/proc/net/snmp", "Ip", name);
}

/* Cached after the first datagram; an address removed -> the next datagram
 * is not ours (InAddrErrors, as the FIB says), added back -> delivered. */
static void test_address_removed_then_added_back(void **state)
{
	struct fx *x = *state;
	struct ns_stack *s = x->ts->stack;

	assert_false(cached(s, DST));
	inject(x, SRC, DST, "one");
	assert_true(cached(s, DST));
	inject(x, SRC, DST, "two");	/* from the cache */
	expect_recv(x, "one");
	expect_recv(x, "two");
	assert_int_equal(ip_ctr(x, "InDelivers"), 2);
	assert_int_equal(s->udp->mib.in_datagrams, 2);

	assert_int_equal(inet_addr_del(x->c->dev, DST, 24), 0);
	assert_false(cached(s, DST));	/* the generation moved on */
	inject(x, SRC, DST, "gone");
	expect_none(x);
	assert_int_equal(ip_ctr(x, "InAddrErrors"), 1);
	assert_int_equal(ip_ctr(x, "InDelivers"), 2);
	assert_int_equal(s->udp->mib.in_datagrams, 2);
	assert_false(cached(s, DST));

	assert_int_equal(inet_addr_add(x->c->dev, DST, 24, NULL), 0);
	inject(x, SRC, DST, "back");
	expect_recv(x, "back");
	assert_int_equal(ip_ctr(x, "InDelivers"), 3);
	assert_true(cached(s, DST));
}

/* Two addresses on one subnet (DST the secondary): DST removed, the
 * connected /24 and the other address remain, yet DST is no longer local. */
static void test_secondary_address_removed(void **state)
{
	struct fx *x = *state;
	const uint32_t other = 0xC6120103u;	/* 198.18.1.3 */

	assert_int_equal(inet_addr_del(x->c->dev, DST, 24), 0);
	assert_int_equal(inet_addr_add(x->c->dev, other, 24, NULL), 0);	/* primary */
	assert_int_equal(inet_addr_add(x->c->dev, DST, 24, NULL), 0);	/* secondary */
	inject(x, SRC, DST, "a");
	inject(x, SRC, other, "b");
	expect_recv(x, "a");
	expect_recv(x, "b");
	assert_true(cached(x->ts->stack, DST) && cached(x->ts->stack, other));
	assert_int_equal(inet_addr_del(x->c->dev, DST, 24), 0);
	inject(x, SRC, DST, "c");
	expect_none(x);
	assert_int_equal(ip_ctr(x, "InAddrErrors"), 1);
	inject(x, SRC, other, "d");
	expect_recv(x, "d");
	assert_int_equal(ip_ctr(x, "InDelivers"), 3);
}

/* The batched input route (a list of datagrams routed together): cached
 * and uncached destinations mixed, a miss filling the slot mid-batch, then a
 * batch right after the address went away. */
static void test_batched_input_routes(void **state)
{
	struct fx *x = *state;
	const uint32_t other = 0xC6120103u, stranger = 0xC6120109u;

	assert_int_equal(inet_addr_add(x->c->dev, other, 24, NULL), 0);	/* secondary */
	queue_frame(x, SRC, DST, "1");		/* miss, fills the slot */
	queue_frame(x, SRC, stranger, "x");	/* not ours */
	queue_frame(x, SRC, DST, "2");		/* a miss at batch start, a hit by now */
	queue_frame(x, SRC, other, "3");
	queue_frame(x, SRC, DST, "4");
	test_stack_settle(x->ts);
	expect_recv(x, "1");
	expect_recv(x, "2");
	expect_recv(x, "3");
	expect_recv(x, "4");
	expect_none(x);
	assert_int_equal(ip_ctr(x, "InAddrErrors"), 1);
	assert_true(cached(x->ts->stack, DST) && cached(x->ts->stack, other));

	assert_int_equal(inet_addr_del(x->c->dev, other, 24), 0);	/* the secondary */
	queue_frame(x, SRC, other, "gone");
	queue_frame(x, SRC, DST, "5");
	queue_frame(x, SRC, other, "gone");
	test_stack_settle(x->ts);
	expect_recv(x, "5");
	expect_none(x);
	assert_int_equal(ip_ctr(x, "InAddrErrors"), 3);
	assert_int_equal(ip_ctr(x, "InDelivers"), 5);

	queue_frame(x, SRC, DST, "6");		/* every one a hit: no FIB lookup */
	queue_frame(x, SRC, DST, "7");
	test_stack_settle(x->ts);
	expect_recv(x, "6");
	expect_recv(x, "7");
	assert_int_equal(ip_ctr(x, "InDelivers"), 7);
}

/* A cache hit still runs the per-datagram martian checks (RFC 1812 5.3.7). */
static void test_martians_checked_on_a_hit(void **state)
{
	struct fx *x = *state;
	struct ns_stack *s = x->ts->stack;

	inject(x, SRC, DST, "ok");
	expect_recv(x, "ok");
	assert_true(cached(s, DST));
	inject(x, 0xE0000005u, DST, "mcast-src");	/* 224.0.0.5 */
	inject(x, 0x7F000001u, DST, "lo-src");	/* 127.0.0.1 on a non-loopback device */
	inject(x, 0xFFFFFFFFu, DST, "bcast-src");
	expect_none(x);
	assert_int_equal(s->drop_reasons[SKB_DROP_REASON_IP_MARTIAN], 3);
	assert_int_equal(ip_ctr(x, "InDelivers"), 1);
	inject(x, SRC, DST, "ok2");
	expect_recv(x, "ok2");
}

/* Broadcast to the subnet is never taken from the cache (only RTN_LOCAL is
 * cached) and reaches the socket as broadcast. */
static void test_subnet_broadcast_not_cached(void **state)
{
	struct fx *x = *state;
	struct ns_stack *s = x->ts->stack;
	const uint32_t bcast = 0xC61201FFu;	/* 198.18.1.255 */

	inject(x, SRC, bcast, "bc");
	assert_false(cached(s, bcast));
	expect_recv(x, "bc");
	assert_int_equal(proc_counter(s, "/proc/net/netstat", "IpExt", "InBcastPkts"), 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_address_removed_then_added_back),
		T(test_secondary_address_removed),
		T(test_batched_input_routes),
		T(test_martians_checked_on_a_hit),
		T(test_subnet_broadcast_not_cached),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
