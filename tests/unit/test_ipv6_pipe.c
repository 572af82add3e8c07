/* test_ipv6_pipe.c - three IPv6 stacks over two in-memory pipes: router R
 * advertises its prefixes, A and B configure themselves by SLAAC, A pings
 * B through R with NDP on both links, the hop limit runs out at R, and a
 * smaller MTU on R's second link brings a Packet Too Big back to A, whose
 * next echo is fragmented to the learned path MTU. */
#include "ipv6_testutil.h"

#define S(x) ((uint64_t)(x) * 1000000000ull)
#define MS(x) ((uint64_t)(x) * 1000000ull)

struct net3 {
	struct test_stack *a, *r, *b;
	struct net_device *a0, *r0, *r1, *b0;
	uint8_t a_addr[16], b_addr[16];
};

static void run_all(struct net3 *n)
{
	for (int i = 0; i < 100000; i++) {
		int w = ns_stack_step(n->a->stack) + ns_stack_step(n->r->stack) +
			ns_stack_step(n->b->stack);

		if (!w && !ns_stack_busy(n->a->stack) && !ns_stack_busy(n->r->stack) &&
		    !ns_stack_busy(n->b->stack))
			return;
	}
	fail_msg("stacks did not settle");
}

/* the three virtual clocks move together */
static void advance(struct net3 *n, uint64_t ns, uint64_t step)
{
	uint64_t end = n->a->clock.now + ns;

	run_all(n);
	while (n->a->clock.now < end) {
		uint64_t to = n->a->clock.now + step;

		if (to > end)
			to = end;
		n->a->clock.now = n->r->clock.now = n->b->clock.now = to;
		run_all(n);
	}
}

static void slaac_addr(uint8_t out[16], const char *prefix, const struct net_device *dev)
{
	A6(out, prefix);
	out[8] = dev->dev_addr[0] ^ 2;
	out[9] = dev->dev_addr[1];
	out[10] = dev->dev_addr[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	memcpy(out + 13, dev->dev_addr + 3, 3);
}

static void net3_init(struct net3 *n)
{
	uint8_t r0a[16], r1a[16];

	n->a = test_stack_new("A", 1);
	n->r = test_stack_new("R", 2);
	n->b = test_stack_new("B", 3);
	test_stack_ipv6(n->a);
	test_stack_ipv6(n->r);
	test_stack_ipv6(n->b);
	assert_int_equal(ns_sysctl_set(n->r->stack, "net.ipv6.conf.all.forwarding", "1"), 0);
	assert_int_equal(ns_pipe_create(n->a->stack, "eth0", n->r->stack, "eth0", 0, &n->a0, &n->r0), 0);
	assert_int_equal(ns_pipe_create(n->r->stack, "eth1", n->b->stack, "eth0", 0, &n->r1, &n->b0), 0);
	A6(r0a, "fd00:a::1");
	A6(r1a, "fd00:b::1");
	assert_int_equal(ipv6_addr_add(n->r0, r0a, 64, 0), 0);
	assert_int_equal(ipv6_addr_add(n->r1, r1a, 64, 0), 0);
	assert_int_equal(ns_dev_set_up(n->a0, true), 0);
	assert_int_equal(ns_dev_set_up(n->r0, true), 0);
	assert_int_equal(ns_dev_set_up(n->r1, true), 0);
	assert_int_equal(ns_dev_set_up(n->b0, true), 0);
	/* DAD everywhere, R's first advertisements, SLAAC DAD on A and B */
	advance(n, S(10), MS(50));
	slaac_addr(n->a_addr, "fd00:a::", n->a0);
	slaac_addr(n->b_addr, "fd00:b::", n->b0);
	assert_int_equal(ipv6_addr_flags(n->a->stack, n->a0, n->a_addr), 0);
	assert_int_equal(ipv6_addr_flags(n->b->stack, n->b0, n->b_addr), 0);
}

static void net3_free(struct net3 *n)
{
	run_all(n);
	test_stack_free(n->a);
	test_stack_free(n->r);
	test_stack_free(n->b);
}

static void ping6(struct ns_stack *s, const uint8_t *dst, uint16_t seq, unsigned int len,
		  uint8_t hlim)
{
	struct sk_buff *skb = alloc_skb_tx(s, 8 + len);
	struct icmpv6_repr r = { .type = ICMPV6_ECHO_REQUEST, .data_len = len };
	struct flowi6 fl6 = { .proto = IPPROTO_ICMPV6, .hop_limit = hlim };
	struct ip6_route_result res;
	uint8_t *p = skb_put(skb, 8 + len);

	memcpy(fl6.daddr, dst, 16);
	assert_int_equal(ip6_route_output(s, &fl6, &res), 0);
	r.un.echo.id = 77;
	r.un.echo.seq = seq;
	memset(p + 8, 0x5a, len);
	r.data = p + 8;
	assert_int_equal(icmpv6_emit(&r, p, 8 + len, fl6.saddr, fl6.daddr), (int)(8 + len));
	assert_int_equal(ip6_xmit(s, skb, &fl6), 0);
}

static void test_ping_through_router(void **state)
{
	struct net3 n;
	struct neighbour *nb;
	uint8_t r_ll[16];

	(void)state;
	net3_init(&n);
	/* the default route came from R's advertisement */
	assert_true(proc_has(n.a->stack, "/proc/net/ipv6_route", "00000000000000000000000000000000 00 "));
	ping6(n.a->stack, n.b_addr, 1, 56, 0);
	advance(&n, MS(100), MS(10));
	assert_int_equal(snmp6(n.b->stack, "Icmp6InEchos"), 1);
	assert_int_equal(snmp6(n.a->stack, "Icmp6InEchoReplies"), 1);
	assert_int_equal(snmp6(n.r->stack, "Ip6OutForwDatagrams"), 2);
	/* NDP happened on both links */
	A6(r_ll, "fe80::");
	memcpy(r_ll + 8, (uint8_t[]){ n.r1->dev_addr[0] ^ 2, n.r1->dev_addr[1], n.r1->dev_addr[2],
				      0xff, 0xfe, n.r1->dev_addr[3], n.r1->dev_addr[4],
				      n.r1->dev_addr[5] }, 8);
	nb = neigh_lookup(&n.r->stack->ipv6->nd_tbl, n.b_addr, n.r1);
	assert_non_null(nb);
	assert_true(nb->nud_state & NUD_VALID);
	assert_memory_equal(nb->ha, n.b0->dev_addr, 6);
	assert_non_null(neigh_lookup(&n.b->stack->ipv6->nd_tbl, r_ll, n.b0));
	/* hop limit 1: R answers time exceeded, B sees nothing */
	ping6(n.a->stack, n.b_addr, 2, 10, 1);
	advance(&n, MS(100), MS(10));
	assert_int_equal(snmp6(n.a->stack, "Icmp6InTimeExcds"), 1);
	assert_int_equal(snmp6(n.b->stack, "Icmp6InEchos"), 1);
	/* hop limit 2 is enough for one router */
	ping6(n.a->stack, n.b_addr, 3, 10, 2);
	advance(&n, MS(100), MS(10));
	assert_int_equal(snmp6(n.b->stack, "Icmp6InEchos"), 2);
	net3_free(&n);
}

static void test_packet_too_big(void **state)
{
	struct net3 n;

	(void)state;
	net3_init(&n);
	/* both ends of the second link */
	assert_int_equal(dev_set_mtu(n.r1, 1280), 0);
	assert_int_equal(dev_set_mtu(n.b0, 1280), 0);
	/* 1400 bytes fit A's link but not R's second one */
	ping6(n.a->stack, n.b_addr, 1, 1400, 0);
	advance(&n, MS(100), MS(10));
	assert_int_equal(snmp6(n.r->stack, "Ip6InTooBigErrors"), 1);
	assert_int_equal(snmp6(n.r->stack, "Icmp6OutPktTooBigs"), 1);
	assert_int_equal(snmp6(n.a->stack, "Icmp6InPktTooBigs"), 1);
	assert_int_equal(ip6_pmtu_get(n.a->stack, n.b_addr), 1280);
	assert_int_equal(snmp6(n.b->stack, "Icmp6InEchos"), 0);
	/* the source fragments to the learned path MTU; routers never do */
	ping6(n.a->stack, n.b_addr, 2, 1400, 0);
	advance(&n, MS(100), MS(10));
	assert_int_equal(snmp6(n.a->stack, "Ip6FragCreates"), 2);
	assert_int_equal(snmp6(n.b->stack, "Ip6ReasmOKs"), 1);
	assert_int_equal(snmp6(n.b->stack, "Icmp6InEchos"), 1);
	assert_int_equal(snmp6(n.a->stack, "Icmp6InEchoReplies"), 1);
	assert_int_equal(snmp6(n.a->stack, "Ip6ReasmOKs"), 1);	/* B fragmented too */
	assert_int_equal(snmp6(n.r->stack, "Ip6FragCreates"), 0);
	net3_free(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping_through_router),
		cmocka_unit_test(test_packet_too_big),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
