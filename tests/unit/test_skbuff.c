/* test_skbuff.c - sk_buff pool, pointer moves, clones, copies, queues and
 * the safe failure of pushes/puts/pulls beyond the buffer. */
#include <stdlib.h>

#include "testlib.h"
#include "core/skbuff.h"

static void test_alloc_reserve_put_push_pull(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct sk_buff *skb = alloc_skb_tx(ts->stack, 100);
	uint8_t *p;

	(void)state;
	assert_non_null(skb);
	assert_int_equal(skb_headroom(skb), NS_SKB_HEADROOM);
	assert_true(skb_tailroom(skb) >= 100);
	p = skb_put(skb, 20);
	memset(p, 0xaa, 20);
	assert_int_equal(skb->len, 20);
	p = skb_push(skb, 14);
	assert_ptr_equal(p, skb->data);
	assert_int_equal(skb->len, 34);
	assert_int_equal(skb_headroom(skb), NS_SKB_HEADROOM - 14);
	assert_non_null(skb_pull(skb, 14));
	assert_int_equal(skb->len, 20);
	assert_null(skb_pull(skb, 21));		/* past the data: refused, unchanged */
	assert_int_equal(skb->len, 20);
	skb_trim(skb, 5);
	assert_int_equal(skb->len, 5);
	kfree_skb(skb);
	test_stack_free(ts);
}

static void test_push_past_headroom_fails_safely(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct sk_buff *skb = alloc_skb(ts->stack, 64);
	const struct skb_pool_stats *st = skb_pool_stats(ts->stack->skb_pool);

	(void)state;
	skb_reserve(skb, 8);
	assert_null(skb_push(skb, 9));
	assert_int_equal(st->push_fail, 1);
	assert_int_equal(skb->len, 0);
	assert_non_null(skb_push(skb, 8));
	assert_null(skb_put(skb, skb_tailroom(skb) + 1));
	assert_int_equal(st->put_fail, 1);
	kfree_skb(skb);
	test_stack_free(ts);
}

static void test_clone_shares_data_and_cow(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct sk_buff *skb = alloc_skb_tx(ts->stack, 100);
	struct sk_buff *c;

	(void)state;
	memset(skb_put(skb, 50), 0x11, 50);
	c = skb_clone(skb);
	assert_non_null(c);
	assert_ptr_equal(c->data, skb->data);
	assert_true(skb_cloned(skb) && skb_cloned(c));
	/* writing headers on a clone needs a private copy */
	assert_int_equal(skb_cow_head(c, 32), 0);
	assert_ptr_not_equal(c->data, skb->data);
	assert_false(skb_cloned(skb));
	assert_memory_equal(c->data, skb->data, 50);
	c->data[0] = 0x22;
	assert_int_equal(skb->data[0], 0x11);
	kfree_skb(c);
	kfree_skb(skb);
	test_stack_free(ts);
}

static void test_copy_keeps_header_offsets(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct sk_buff *skb = alloc_skb_tx(ts->stack, 100), *c;

	(void)state;
	memset(skb_put(skb, 60), 0x33, 60);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, 20);
	c = skb_copy(skb);
	assert_non_null(c);
	assert_int_equal(skb_network_offset(c), 0);
	assert_int_equal(skb_transport_offset(c), 20);
	assert_int_equal(c->len, 60);
	kfree_skb(skb);
	kfree_skb(c);
	test_stack_free(ts);
}

static void test_size_classes_and_limit(void **state)
{
	struct ns_vclock vc;
	struct ns_stack_config cfg = { .clock = &vc.clock, .seed = 1, .skb_mem_max = 1 << 20 };
	struct ns_stack *s;
	struct sk_buff *big, *skbs[1024];
	int n = 0;

	(void)state;
	ns_vclock_init(&vc, 0);
	s = ns_stack_create(&cfg);
	assert_non_null(s);
	big = alloc_skb(s, 65535 + 192);
	assert_non_null(big);
	assert_true(skb_tailroom(big) >= 65535 + 192);
	assert_null(alloc_skb(s, skb_pool_max_size() + 1));
	kfree_skb(big);
	/* the cap holds: allocation fails cleanly and is counted */
	while (n < 1024 && (skbs[n] = alloc_skb(s, 1500)) != NULL)
		n++;
	assert_true(n < 1024);
	assert_true(skb_pool_stats(s->skb_pool)->alloc_fails > 0);
	while (n--)
		kfree_skb(skbs[n]);
	assert_int_equal(skb_pool_stats(s->skb_pool)->in_use, 0);
	ns_stack_destroy(s);
}

static void test_queue_ops(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	struct sk_buff_head q;
	struct sk_buff *a = alloc_skb(ts->stack, 10), *b = alloc_skb(ts->stack, 10),
		       *c = alloc_skb(ts->stack, 10);

	(void)state;
	skb_queue_head_init(&q);
	assert_true(skb_queue_empty(&q));
	__skb_queue_tail(&q, a);
	__skb_queue_tail(&q, c);
	__skb_queue_after(&q, a, b);
	assert_int_equal(skb_queue_len(&q), 3);
	assert_ptr_equal(skb_peek(&q), a);
	assert_ptr_equal(skb_peek_tail(&q), c);
	assert_ptr_equal(__skb_dequeue(&q), a);
	assert_ptr_equal(__skb_dequeue(&q), b);
	kfree_skb(a);
	kfree_skb(b);
	skb_queue_purge(&q);
	assert_true(skb_queue_empty(&q));
	test_stack_free(ts);
}

static void test_drop_reasons_counted(void **state)
{
	struct test_stack *ts = test_stack_new("t", 1);
	char *drops;

	(void)state;
	kfree_skb_reason(alloc_skb(ts->stack, 10), SKB_DROP_REASON_CSUM);
	kfree_skb_reason(alloc_skb(ts->stack, 10), SKB_DROP_REASON_CSUM);
	consume_skb(alloc_skb(ts->stack, 10));
	assert_int_equal(ts->stack->drop_reasons[SKB_DROP_REASON_CSUM], 2);
	drops = ns_proc_read(ts->stack, "/proc/net/nstack/drops", NULL);
	assert_non_null(strstr(drops, "CSUM"));
	assert_null(strstr(drops, "CONSUMED"));
	free(drops);
	test_stack_free(ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_reserve_put_push_pull),
		cmocka_unit_test(test_push_past_headroom_fails_safely),
		cmocka_unit_test(test_clone_shares_data_and_cow),
		cmocka_unit_test(test_copy_keeps_header_offsets),
		cmocka_unit_test(test_size_classes_and_limit),
		cmocka_unit_test(test_queue_ops),
		cmocka_unit_test(test_drop_reasons_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
