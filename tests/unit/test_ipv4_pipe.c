/* test_ipv4_pipe.c - three stacks over two in-memory pipes: A pings B
 * through router R with real ARP on both links, small and fragmented
 * echoes, and TTL expiry on the way. */
#include "ipv4_testutil.h"

#define A_IP IP4(10, 0, 0, 1)
#define R_IP0 IP4(10, 0, 0, 254)
#define R_IP1 IP4(10, 1, 0, 254)
#define B_IP IP4(10, 1, 0, 1)

struct net3 {
	struct test_stack *a, *r, *b;
	struct net_device *a0, *r0, *r1, *b0;
};

static void add_default(struct ns_stack *s, struct net_device *dev, uint32_t gw)
{
	struct fib_route d = { .gateway = gw, .oif = dev->ifindex, .protocol = RTPROT_BOOT };

	assert_int_equal(fib_table_insert(fib_get_table(s, RT_TABLE_MAIN), &d,
					  NLM_F_CREATE | NLM_F_EXCL), 0);
}

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

static void net3_init(struct net3 *n)
{
	n->a = test_stack_new("A", 1);
	n->r = test_stack_new("R", 2);
	n->b = test_stack_new("B", 3);
	assert_int_equal(ns_pipe_create(n->a->stack, "eth0", n->r->stack, "eth0", 0, &n->a0, &n->r0), 0);
	assert_int_equal(ns_pipe_create(n->r->stack, "eth1", n->b->stack, "eth0", 0, &n->r1, &n->b0), 0);
	assert_int_equal(ns_dev_set_up(n->a0, true), 0);
	assert_int_equal(ns_dev_set_up(n->r0, true), 0);
	assert_int_equal(ns_dev_set_up(n->r1, true), 0);
	assert_int_equal(ns_dev_set_up(n->b0, true), 0);
	assert_int_equal(inet_addr_add(n->a0, A_IP, 24, NULL), 0);
	assert_int_equal(inet_addr_add(n->r0, R_IP0, 24, NULL), 0);
	assert_int_equal(inet_addr_add(n->r1, R_IP1, 24, NULL), 0);
	assert_int_equal(inet_addr_add(n->b0, B_IP, 24, NULL), 0);
	add_default(n->a->stack, n->a0, R_IP0);
	add_default(n->b->stack, n->b0, R_IP1);
	assert_int_equal(ns_sysctl_set(n->r->stack, "net.ipv4.ip_forward", "1"), 0);
	run_all(n);
}

static void net3_free(struct net3 *n)
{
	run_all(n);
	test_stack_free(n->a);
	test_stack_free(n->r);
	test_stack_free(n->b);
}

static void ping(struct ns_stack *s, uint32_t dst, uint16_t seq, unsigned int len, uint8_t ttl)
{
	struct sk_buff *skb = alloc_skb_tx(s, 8 + len);
	struct icmp_repr r = { .type = ICMP_ECHO, .data_len = len };
	struct flowi4 fl4 = { .daddr = dst, .proto = IPPROTO_ICMP, .ttl = ttl };
	uint8_t *p = skb_put(skb, 8 + len);

	r.un.echo.id = 77;
	r.un.echo.seq = seq;
	memset(p + 8, 0x5a, len);
	r.data = p + 8;
	assert_int_equal(icmp_emit(&r, p, 8 + len), (int)(8 + len));
	assert_int_equal(ip_send_skb4(s, skb, &fl4), 0);
}

static void test_ping_through_router(void **state)
{
	struct net3 n;
	struct neighbour *nb;

	(void)state;
	net3_init(&n);
	ping(n.a->stack, B_IP, 1, 56, 0);
	run_all(&n);
	assert_int_equal(ICMPSTAT(n.b->stack, "InEchos"), 1);
	assert_int_equal(ICMPSTAT(n.b->stack, "OutEchoReps"), 1);
	assert_int_equal(ICMPSTAT(n.a->stack, "InEchoReps"), 1);
	assert_int_equal(IPSTAT(n.r->stack, "ForwDatagrams"), 2);
	/* real ARP happened on both links */
	nb = arp_neigh_lookup(n.a0, R_IP0);
	assert_non_null(nb);
	assert_int_equal(nb->nud_state, NUD_REACHABLE);
	assert_memory_equal(nb->ha, n.r0->dev_addr, 6);
	nb = arp_neigh_lookup(n.r1, B_IP);
	assert_non_null(nb);
	assert_true(nb->nud_state & NUD_VALID);
	assert_memory_equal(nb->ha, n.b0->dev_addr, 6);
	/* B learnt R from R's request, then used it for the reply */
	assert_non_null(arp_neigh_lookup(n.b0, R_IP1));
	/* a 4000-byte echo: fragmented by A, forwarded as fragments by R,
	 * reassembled by B, and the same on the way back */
	ping(n.a->stack, B_IP, 2, 3972, 0);
	run_all(&n);
	assert_int_equal(ICMPSTAT(n.a->stack, "InEchoReps"), 2);
	assert_int_equal(IPSTAT(n.b->stack, "ReasmOKs"), 1);
	assert_int_equal(IPSTAT(n.a->stack, "ReasmOKs"), 1);
	assert_int_equal(IPSTAT(n.r->stack, "ForwDatagrams"), 2 + 6);
	/* TTL 1: R answers time exceeded, B sees nothing */
	ping(n.a->stack, B_IP, 3, 10, 1);
	run_all(&n);
	assert_int_equal(ICMPSTAT(n.a->stack, "InTimeExcds"), 1);
	assert_int_equal(ICMPSTAT(n.b->stack, "InEchos"), 2);
	net3_free(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping_through_router),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
