/* net3.c - see net3.h */
#include "net3.h"
#include "ipv4/devinet.h"
#include "ipv4/route.h"
#include "core/proc.h"
#include "netfilter/nf_tables.h"

void test_add_default_route(struct ns_stack *s, struct net_device *dev, uint32_t gw)
{
	struct fib_route d = { .gateway = gw, .oif = dev->ifindex, .protocol = RTPROT_BOOT };

	assert_int_equal(fib_table_insert(fib_get_table(s, RT_TABLE_MAIN), &d,
					  NLM_F_CREATE | NLM_F_EXCL), 0);
}

void net3_run_all(struct net3 *n)
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

void net3_init(struct net3 *n, uint32_t a_ip, uint32_t r_ip0, uint32_t r_ip1, uint32_t b_ip)
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
	assert_int_equal(inet_addr_add(n->a0, a_ip, 24, NULL), 0);
	assert_int_equal(inet_addr_add(n->r0, r_ip0, 24, NULL), 0);
	assert_int_equal(inet_addr_add(n->r1, r_ip1, 24, NULL), 0);
	assert_int_equal(inet_addr_add(n->b0, b_ip, 24, NULL), 0);
	test_add_default_route(n->a->stack, n->a0, r_ip0);
	test_add_default_route(n->b->stack, n->b0, r_ip1);
	assert_int_equal(ns_sysctl_set(n->r->stack, "net.ipv4.ip_forward", "1"), 0);
	net3_run_all(n);
}

void net3_free(struct net3 *n)
{
	net3_run_all(n);
	test_stack_free(n->a);
	test_stack_free(n->r);
	test_stack_free(n->b);
}

void net3_nft(struct ns_stack *s, const char *text)
{
	struct seq_buf out = { 0 };
	char err[512];

	if (nft_run(s, text, NULL, &out, err, sizeof(err)))
		fail_msg("nft: %s", err);
	free(out.buf);
}
