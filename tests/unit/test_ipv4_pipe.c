/* test_ipv4_pipe.c - three stacks over two in-memory pipes: A pings B
 * through router R with real ARP on both links, small and fragmented
 * echoes, and TTL expiry on the way. */
#include "ipv4_testutil.h"
#include "net3.h"

#define A_IP IP4(10, 0, 0, 1)
#define R_IP0 IP4(10, 0, 0, 254)
#define R_IP1 IP4(10, 1, 0, 254)
#define B_IP IP4(10, 1, 0, 1)

static void net3_up(struct net3 *n)
{
	net3_init(n, A_IP, R_IP0, R_IP1, B_IP);
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
	net3_up(&n);
	ping(n.a->stack, B_IP, 1, 56, 0);
	net3_run_all(&n);
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
	net3_run_all(&n);
	assert_int_equal(ICMPSTAT(n.a->stack, "InEchoReps"), 2);
	assert_int_equal(IPSTAT(n.b->stack, "ReasmOKs"), 1);
	assert_int_equal(IPSTAT(n.a->stack, "ReasmOKs"), 1);
	assert_int_equal(IPSTAT(n.r->stack, "ForwDatagrams"), 2 + 6);
	/* TTL 1: R answers time exceeded, B sees nothing */
	ping(n.a->stack, B_IP, 3, 10, 1);
	net3_run_all(&n);
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
