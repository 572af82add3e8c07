/* test_dev.c - the data-link core: registration, ethertype dispatch, NAPI
 * budget, backlog limit, qdisc and a busy driver, pipes between stacks,
 * taps, /proc and sysctl. */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>

#include "testlib.h"
#include "pktcount.h"
#include "ethernet/eth.h"
#include "sched/sch_generic.h"

#define ETH_P_TEST 0x88b5	/* IEEE local experimental ethertype */

static void counter_add(struct ns_stack *s, struct pkt_counter *c, uint16_t type)
{
	memset(c, 0, sizeof(*c));
	c->pt.type = type;
	c->pt.func = pkt_count_rcv;
	dev_add_pack(s, &c->pt);
}

static void build_frame(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type,
			uint8_t fill, size_t len)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put_be16(f + 12, type);
	memset(f + 14, fill, len - 14);
}

static struct sk_buff *frame_skb(struct net_device *dev, const uint8_t *dst, uint16_t type,
				 size_t payload)
{
	struct sk_buff *skb = alloc_skb_tx(dev_net(dev), (unsigned int)payload);

	memset(skb_put(skb, (unsigned int)payload), 0x5a, (unsigned int)payload);
	skb->dev = dev;
	assert_int_equal(dev->header_ops->create(skb, dev, type, dst, NULL, skb->len), 14);
	return skb;
}

static void test_register_names_and_lookup(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct capdev *a = capdev_new(ts, "eth%d", NULL), *b = capdev_new(ts, "eth%d", NULL);

	(void)state;
	assert_string_equal(a->dev->name, "eth0");
	assert_string_equal(b->dev->name, "eth1");
	assert_ptr_equal(dev_get_by_name(ts->stack, "eth1"), b->dev);
	assert_ptr_equal(dev_get_by_index(ts->stack, a->dev->ifindex), a->dev);
	assert_int_equal(ts->stack->loopback_dev->ifindex, 1);
	assert_int_equal(dev_change_name(a->dev, "wan0"), -EBUSY);	/* up */
	ns_dev_set_up(a->dev, false);
	assert_int_equal(dev_change_name(a->dev, "eth1"), -EEXIST);
	assert_int_equal(dev_change_name(a->dev, "bad/name"), -EINVAL);
	assert_int_equal(dev_change_name(a->dev, "wan0"), 0);
	assert_null(dev_get_by_name(ts->stack, "eth0"));
	assert_int_equal(dev_set_mtu(b->dev, 67), -EINVAL);
	assert_int_equal(dev_set_mtu(b->dev, 9000), 0);
	test_stack_free(ts);
}

static void test_dispatch_by_ethertype_and_nohandler(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	struct pkt_counter cnt;
	uint8_t f[100];
	static const uint8_t src[6] = { 2, 0, 0, 0, 0, 9 };

	(void)state;
	counter_add(ts->stack, &cnt, ETH_P_TEST);
	build_frame(f, c->dev->dev_addr, src, ETH_P_TEST, 0x42, sizeof(f));
	capdev_inject(c, f, sizeof(f));
	build_frame(f, c->dev->dev_addr, src, 0x1234, 0x42, sizeof(f));
	capdev_inject(c, f, sizeof(f));
	test_stack_settle(ts);
	assert_int_equal(cnt.n, 1);
	assert_int_equal(cnt.bytes, 86);	/* the Ethernet header was pulled */
	assert_int_equal(cnt.last[0], 0x42);
	assert_int_equal(c->dev->stats.rx_nohandler, 1);
	assert_int_equal(ts->stack->drop_reasons[SKB_DROP_REASON_UNHANDLED_PROTO], 1);
	/* runt frames are refused and counted */
	assert_int_equal(ns_dev_rx(c->dev, f, 13), -EINVAL);
	assert_int_equal(c->dev->stats.rx_length_errors, 1);
	dev_remove_pack(ts->stack, &cnt.pt);
	test_stack_free(ts);
}

static void test_backlog_limit_counts_drops(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	struct pkt_counter cnt;
	uint8_t f[60];
	char *ss;
	unsigned int processed, dropped;

	(void)state;
	counter_add(ts->stack, &cnt, ETH_P_TEST);
	assert_int_equal(ns_sysctl_set(ts->stack, "net.core.netdev_max_backlog", "100"), 0);
	build_frame(f, c->dev->dev_addr, c->dev->dev_addr, ETH_P_TEST, 1, sizeof(f));
	for (int i = 0; i < 150; i++)
		ns_dev_rx(c->dev, f, sizeof(f));
	test_stack_settle(ts);
	assert_int_equal(cnt.n, 100);
	assert_int_equal(ts->stack->softnet.dropped, 50);
	ss = ns_proc_read(ts->stack, "/proc/net/softnet_stat", NULL);
	assert_int_equal(sscanf(ss, "%x %x", &processed, &dropped), 2);
	assert_int_equal(processed, 100);
	assert_int_equal(dropped, 50);
	free(ss);
	dev_remove_pack(ts->stack, &cnt.pt);
	test_stack_free(ts);
}

static void test_napi_budget_squeezes(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	struct pkt_counter cnt;
	uint8_t f[60];

	(void)state;
	counter_add(ts->stack, &cnt, ETH_P_TEST);
	build_frame(f, c->dev->dev_addr, c->dev->dev_addr, ETH_P_TEST, 1, sizeof(f));
	for (int i = 0; i < 700; i++)
		ns_dev_rx(c->dev, f, sizeof(f));
	/* one round handles netdev_budget (300) frames, then yields */
	assert_int_equal(net_rx_action(ts->stack), 300);
	assert_int_equal(ts->stack->softnet.time_squeeze, 1);
	assert_int_equal(cnt.n, 300);
	test_stack_settle(ts);
	assert_int_equal(cnt.n, 700);
	dev_remove_pack(ts->stack, &cnt.pt);
	test_stack_free(ts);
}

static void test_busy_driver_requeues_and_wakes(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	static const uint8_t dst[6] = { 2, 1, 1, 1, 1, 1 };

	(void)state;
	c->busy = 1;
	for (int i = 0; i < 10; i++)
		assert_int_equal(dev_queue_xmit(frame_skb(c->dev, dst, ETH_P_TEST, 50)), NET_XMIT_SUCCESS);
	assert_true(netif_queue_stopped(c->dev));
	assert_int_equal(c->count, 0);
	assert_int_equal(c->dev->qdisc->qstats.requeues, 1);
	test_stack_settle(ts);
	assert_int_equal(c->count, 0);	/* stopped: nothing moves, nothing spins */
	c->busy = 0;
	ns_dev_tx_wake(c->dev);
	test_stack_settle(ts);
	assert_int_equal(c->count, 10);
	assert_int_equal(c->dev->stats.tx_packets, 10);
	assert_int_equal(c->dev->qdisc->bstats.packets, 10);
	test_stack_free(ts);
}

static void test_qdisc_limit_drops(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	static const uint8_t dst[6] = { 2, 1, 1, 1, 1, 1 };
	int drops = 0;

	(void)state;
	c->busy = 1;
	assert_int_equal(dev_change_tx_queue_len(c->dev, 5), 0);
	for (int i = 0; i < 10; i++)
		drops += dev_queue_xmit(frame_skb(c->dev, dst, ETH_P_TEST, 50)) == NET_XMIT_DROP;
	/* one held by the busy driver as requeued, five queued, four dropped */
	assert_int_equal(drops, 4);
	assert_int_equal(c->dev->qdisc->qstats.drops, 4);
	c->busy = 0;
	ns_dev_tx_wake(c->dev);
	test_stack_settle(ts);
	assert_int_equal(c->count, 6);
	test_stack_free(ts);
}

/* What a pipe end in the same stack delivered. */
struct handover_rx {
	struct packet_type pt;
	struct sk_buff *last;	/* identity only, not dereferenced after free */
	uint32_t mark, priority;
	bool clean_cb, no_sk;
	unsigned int n;
};

static int handover_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
			struct net_device *orig)
{
	struct handover_rx *r = container_of(pt, struct handover_rx, pt);

	(void)dev;
	(void)orig;
	r->n++;
	r->last = skb;
	r->mark = skb->mark;
	r->priority = skb->priority;
	r->no_sk = !skb->sk && !skb->destructor && !skb->dst;
	r->clean_cb = true;
	for (size_t i = 0; i < sizeof(skb->cb); i++)
		r->clean_cb &= skb->cb[i] == 0;
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static unsigned int destructor_runs;
static void count_destructor(struct sk_buff *skb)
{
	(void)skb;
	destructor_runs++;
}

/* Both ends in one stack: an skb nobody else holds crosses as it is
 * (veth's handover), scrubbed of its sender-side state; a cloned one is
 * copied and the clone keeps its data. */
static void test_pipe_same_stack_handover(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct net_device *da, *db;
	struct handover_rx r = { .pt = { .type = ETH_P_TEST, .func = handover_rcv } };
	struct sk_buff *skb, *clone;

	(void)state;
	assert_int_equal(ns_pipe_create(ts->stack, "p0", ts->stack, "p1", 8, &da, &db), 0);
	ns_dev_set_up(da, true);
	ns_dev_set_up(db, true);
	r.pt.dev = db;
	dev_add_pack(ts->stack, &r.pt);
	skb = frame_skb(da, db->dev_addr, ETH_P_TEST, 46);
	skb->mark = 5;
	skb->priority = 3;
	skb->destructor = count_destructor;
	memset(skb->cb, 0xaa, sizeof(skb->cb));
	destructor_runs = 0;
	assert_int_equal(dev_queue_xmit(skb), NET_XMIT_SUCCESS);
	assert_int_equal(destructor_runs, 1);	/* orphaned when it left */
	test_stack_settle(ts);
	assert_int_equal(r.n, 1);
	assert_ptr_equal(r.last, skb);
	assert_int_equal(r.mark, 0);
	assert_int_equal(r.priority, 0);
	assert_true(r.clean_cb && r.no_sk);
	assert_int_equal(db->stats.rx_packets, 1);
	assert_int_equal(da->stats.tx_packets, 1);
	assert_int_equal(da->stats.tx_bytes, 60);
	/* a clone shares the data: the pipe copies, the clone stays intact */
	skb = frame_skb(da, db->dev_addr, ETH_P_TEST, 46);
	clone = skb_clone(skb);
	assert_non_null(clone);
	assert_int_equal(dev_queue_xmit(skb), NET_XMIT_SUCCESS);
	test_stack_settle(ts);
	assert_int_equal(r.n, 2);
	assert_ptr_not_equal(r.last, skb);
	assert_int_equal(clone->len, 60);
	assert_int_equal(clone->data[14], 0x5a);
	consume_skb(clone);
	dev_remove_pack(ts->stack, &r.pt);
	test_stack_free(ts);
}

static void test_pipe_between_two_stacks(void **state)
{
	struct test_stack *a = test_stack_new("a", 1);
	struct test_stack *b = test_stack_new("b", 2);
	struct net_device *da, *db;
	struct pkt_counter cnt;
	char *procdev;

	(void)state;
	assert_int_equal(ns_pipe_create(a->stack, "eth0", b->stack, "eth0", 64, &da, &db), 0);
	counter_add(b->stack, &cnt, ETH_P_TEST);
	ns_dev_set_up(da, true);
	/* peer down: no carrier, frames dropped */
	assert_false(netif_carrier_ok(da));
	ns_dev_set_up(db, true);
	assert_true(netif_carrier_ok(da) && netif_carrier_ok(db));
	assert_true(da->flags & IFF_RUNNING);
	/* 1000 frames through a 64-slot ring: the queue stops and wakes, none lost */
	for (int i = 0; i < 1000; i++) {
		int rc = dev_queue_xmit(frame_skb(da, db->dev_addr, ETH_P_TEST, 100));

		assert_int_equal(rc, NET_XMIT_SUCCESS);
		if (i % 200 == 199) {
			for (int k = 0; k < 50; k++) {
				ns_stack_step(a->stack);
				ns_stack_step(b->stack);
			}
		}
	}
	for (int k = 0; k < 200; k++) {
		ns_stack_step(a->stack);
		ns_stack_step(b->stack);
	}
	assert_int_equal(cnt.n, 1000 - da->qdisc->qstats.drops);
	assert_int_equal(da->stats.tx_packets, cnt.n);
	assert_int_equal(db->stats.rx_packets, cnt.n);
	assert_int_equal(db->stats.rx_bytes, da->stats.tx_bytes);
	procdev = ns_proc_read(b->stack, "/proc/net/dev", NULL);
	assert_non_null(strstr(procdev, "  eth0:"));
	free(procdev);
	dev_remove_pack(b->stack, &cnt.pt);
	test_stack_free(a);	/* unregisters da, which unlinks db */
	test_stack_free(b);
}

struct tapcount {
	struct packet_type pt;
	unsigned int rx, tx;
};

static int tap_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
		   struct net_device *orig)
{
	struct tapcount *t = container_of(pt, struct tapcount, pt);
	unsigned int len;

	(void)dev;
	(void)orig;
	skb_frame(skb, &len);
	assert_true(len >= 14);
	if (skb->pkt_type == PACKET_OUTGOING)
		t->tx++;
	else
		t->rx++;
	return NET_RX_SUCCESS;	/* taps observe, never free */
}

static void test_taps_see_both_directions(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct capdev *c = capdev_new(ts, "eth0", NULL);
	struct tapcount t = { .pt = { .type = ETH_P_ALL, .func = tap_rcv } };
	uint8_t f[60];
	static const uint8_t dst[6] = { 2, 1, 1, 1, 1, 1 };

	(void)state;
	t.pt.dev = c->dev;
	dev_add_pack(ts->stack, &t.pt);
	build_frame(f, c->dev->dev_addr, dst, 0x1234, 1, sizeof(f));
	capdev_inject(c, f, sizeof(f));
	dev_queue_xmit(frame_skb(c->dev, dst, ETH_P_TEST, 50));
	test_stack_settle(ts);
	assert_int_equal(t.rx, 1);
	assert_int_equal(t.tx, 1);
	dev_remove_pack(ts->stack, &t.pt);
	test_stack_free(ts);
}

static void test_dev_rx_on_any_device(void **state)
{
	struct test_stack *a = test_stack_new("a", 1), *b = test_stack_new("b", 2);
	struct net_device *da, *db;
	struct pkt_counter cnt;
	uint8_t f[60];

	(void)state;
	assert_int_equal(ns_pipe_create(a->stack, "eth0", b->stack, "eth0", 64, &da, &db), 0);
	ns_dev_set_up(da, true);
	counter_add(a->stack, &cnt, ETH_P_TEST);
	build_frame(f, da->dev_addr, db->dev_addr, ETH_P_TEST, 7, sizeof(f));
	/* an embedder may hand a frame to a pipe end as if it came off the wire */
	assert_int_equal(ns_dev_rx(da, f, sizeof(f)), 0);
	test_stack_settle(a);
	assert_int_equal(cnt.n, 1);
	dev_remove_pack(a->stack, &cnt.pt);
	test_stack_free(a);
	test_stack_free(b);
}

static void test_sysctl_and_proc(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	char *v;

	(void)state;
	v = ns_sysctl_get(ts->stack, "net.core.rmem_default");
	assert_string_equal(v, "212992\n");
	free(v);
	v = ns_proc_read(ts->stack, "/proc/sys/net/core/netdev_max_backlog", NULL);
	assert_string_equal(v, "1000\n");
	free(v);
	v = ns_proc_read(ts->stack, "/proc/sys/net/core/netdev_budget", NULL);
	assert_string_equal(v, "300\n");
	free(v);
	/* bad writes change nothing */
	assert_int_equal(ns_sysctl_set(ts->stack, "net.core.rmem_default", "abc"), -EINVAL);
	assert_int_equal(ns_sysctl_set(ts->stack, "net.core.rmem_default", "12 13"), -EINVAL);
	assert_int_equal(ns_sysctl_set(ts->stack, "net.core.rmem_default", "-5"), -EINVAL);
	assert_int_equal(ns_sysctl_set(ts->stack, "net.core.rmem_default", "99999999999"), -EINVAL);
	assert_int_equal(ns_sysctl_set(ts->stack, "net.core.rmem_default", ""), -EINVAL);
	assert_int_equal(ns_sysctl_set(ts->stack, "net.core.nonexistent", "1"), -ENOENT);
	assert_int_equal(ts->stack->core.rmem_default, 212992);
	assert_int_equal(ns_proc_write(ts->stack, "/proc/net/dev", "1"), -EACCES);
	assert_int_equal(ns_sysctl_set(ts->stack, "net.core.rmem_default", "300000\n"), 0);
	assert_int_equal(ts->stack->core.rmem_default, 300000);
	assert_null(ns_proc_read(ts->stack, "/proc/net/nope", NULL));
	assert_int_equal(errno, ENOENT);
	v = ns_proc_read(ts->stack, "/proc/net/dev", NULL);
	assert_non_null(strstr(v, "Inter-|   Receive"));
	assert_non_null(strstr(v, "    lo:"));
	free(v);
	test_stack_free(ts);
}

static void test_stacks_are_independent(void **state)
{
	struct test_stack *a = test_stack_new("a", 1), *b = test_stack_new("b", 1);

	(void)state;
	assert_int_equal(ns_sysctl_set(a->stack, "net.core.netdev_budget", "10"), 0);
	assert_int_equal(b->stack->core.netdev_budget, 300);
	/* same seed, same random sequence; separate state */
	assert_true(ns_random(a->stack) == ns_random(b->stack));
	ns_random(a->stack);
	assert_true(ns_random(a->stack) != ns_random(b->stack));
	test_stack_free(a);
	test_stack_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_names_and_lookup),
		cmocka_unit_test(test_dispatch_by_ethertype_and_nohandler),
		cmocka_unit_test(test_backlog_limit_counts_drops),
		cmocka_unit_test(test_napi_budget_squeezes),
		cmocka_unit_test(test_busy_driver_requeues_and_wakes),
		cmocka_unit_test(test_qdisc_limit_drops),
		cmocka_unit_test(test_pipe_between_two_stacks),
		cmocka_unit_test(test_pipe_same_stack_handover),
		cmocka_unit_test(test_taps_see_both_directions),
		cmocka_unit_test(test_dev_rx_on_any_device),
		cmocka_unit_test(test_sysctl_and_proc),
		cmocka_unit_test(test_stacks_are_independent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
