/* test_netfilter.c - the hook core: priority order, verdicts, the IPv4
 * hook points on receive, forward and output. */
#include "ipv4_testutil.h"
#include "netfilter/core.h"

#define US IP4(10, 0, 0, 1)
#define PEER IP4(10, 0, 0, 2)

struct hook_rec {
	unsigned int calls[NF_INET_NUMHOOKS];
	char order[16];
	unsigned int n;
	unsigned int verdict;
	struct sk_buff *stolen;
};
static struct hook_rec g_h;

static unsigned int hook_fn(void *priv, struct sk_buff *skb, const struct nf_hook_state *st)
{
	(void)skb;
	g_h.calls[st->hook]++;
	if (g_h.n < sizeof(g_h.order) - 1)
		g_h.order[g_h.n++] = *(const char *)priv;
	if (g_h.verdict == NF_STOLEN)
		g_h.stolen = skb;
	return g_h.verdict;
}

static void test_hooks(void **state)
{
	struct test_stack *ts = test_stack_new("nf", 1);
	struct ns_stack *s = ts->stack;
	struct capdev *c = capdev_new(ts, "eth0", MAC_US);
	static const char a = 'a', b = 'b', z = 'z';
	struct nf_hook_ops ops[NF_INET_NUMHOOKS], ob, oz;
	uint8_t fr[128];

	(void)state;
	memset(&g_h, 0, sizeof(g_h));
	g_h.verdict = NF_ACCEPT;
	assert_int_equal(inet_addr_add(c->dev, US, 24, NULL), 0);
	assert_int_equal(arp_neigh_add(c->dev, PEER, MAC_PEER, NUD_PERMANENT), 0);
	for (int h = 0; h < NF_INET_NUMHOOKS; h++) {
		ops[h] = (struct nf_hook_ops){ .hook = hook_fn, .priv = (void *)&a, .pf = NFPROTO_IPV4,
					       .hooknum = (unsigned int)h, .priority = 0 };
		assert_int_equal(nf_register_net_hook(s, &ops[h]), 0);
	}
	assert_int_equal(nf_register_net_hook(s, &ops[0]), -EEXIST);
	ob = (struct nf_hook_ops){ .hook = hook_fn, .priv = (void *)&b, .pf = NFPROTO_IPV4,
				   .hooknum = NF_INET_PRE_ROUTING, .priority = 10 };
	oz = (struct nf_hook_ops){ .hook = hook_fn, .priv = (void *)&z, .pf = NFPROTO_IPV4,
				   .hooknum = NF_INET_PRE_ROUTING, .priority = -100 };
	assert_int_equal(nf_register_net_hook(s, &ob), 0);
	assert_int_equal(nf_register_net_hook(s, &oz), 0);
	oz.hooknum = 99;
	assert_int_equal(nf_register_net_hook(s, &oz), -EINVAL);
	oz.hooknum = NF_INET_PRE_ROUTING;
	test_stack_settle(ts);
	while (cap_next(c))
		;
	/* a ping: PRE_ROUTING (z, a, b in priority order), LOCAL_IN, then the
	 * reply through LOCAL_OUT and POST_ROUTING */
	capdev_inject(c, fr, mk_echo(fr, MAC_US, MAC_PEER, PEER, US, 1, 1, 64));
	test_stack_settle(ts);
	assert_string_equal(g_h.order, "zabaaa");
	assert_int_equal(g_h.calls[NF_INET_PRE_ROUTING], 3);
	assert_int_equal(g_h.calls[NF_INET_LOCAL_IN], 1);
	assert_int_equal(g_h.calls[NF_INET_LOCAL_OUT], 1);
	assert_int_equal(g_h.calls[NF_INET_POST_ROUTING], 1);
	assert_int_equal(g_h.calls[NF_INET_FORWARD], 0);
	assert_non_null(cap_next(c));
	/* drop: counted, nothing answered */
	g_h.verdict = NF_DROP;
	capdev_inject(c, fr, mk_echo(fr, MAC_US, MAC_PEER, PEER, US, 1, 2, 64));
	test_stack_settle(ts);
	assert_null(cap_next(c));
	assert_int_equal(drops(s, SKB_DROP_REASON_NETFILTER_DROP), 1);
	assert_int_equal(send_test(s, PEER, 10, 0), -EPERM);
	/* stolen: the hook owns it */
	g_h.verdict = NF_STOLEN;
	capdev_inject(c, fr, mk_echo(fr, MAC_US, MAC_PEER, PEER, US, 1, 3, 64));
	test_stack_settle(ts);
	assert_non_null(g_h.stolen);
	kfree_skb(g_h.stolen);
	assert_null(cap_next(c));
	for (int h = 0; h < NF_INET_NUMHOOKS; h++)
		nf_unregister_net_hook(s, &ops[h]);
	nf_unregister_net_hook(s, &ob);
	nf_unregister_net_hook(s, &oz);
	g_h.verdict = NF_ACCEPT;
	capdev_inject(c, fr, mk_echo(fr, MAC_US, MAC_PEER, PEER, US, 1, 4, 64));
	test_stack_settle(ts);
	assert_non_null(cap_next(c));
	assert_int_equal(s->nf->hooks[NFPROTO_IPV4][NF_INET_PRE_ROUTING].num, 0);
	test_stack_free(ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hooks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
