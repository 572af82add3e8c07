/* bench_core.c - the data-link core on one core: sk_buff pool alloc/free,
 * frames through dev_queue_xmit -> pipe -> NAPI -> packet_type between two
 * stacks, and the same frames through ns_dev_rx (the backlog path).
 * Each figure is the best of a few timed rounds (wall clock). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "core/netdevice.h"
#include "core/skbuff.h"
#include "core/stack.h"
#include "nstack/netdev.h"

#define ETH_P_BENCH 0x88b5
#define FRAME_LEN 64
#define ROUNDS 5

#define now bench_now

static struct ns_stack *bench_stack(const char *name, uint64_t seed)
{
	struct ns_stack_config cfg = { .name = name, .seed = seed };
	struct ns_stack *s = ns_stack_create(&cfg);

	if (!s) {
		perror("ns_stack_create");
		exit(1);
	}
	return s;
}

static __attribute__((noinline)) double bench_skb_alloc_free(void)
{
	struct ns_stack *s = bench_stack("bench", 1);
	const unsigned long n = bench_iters(20000000, 1000);
	double best = 0;

	for (int r = 0; r < ROUNDS; r++) {
		double t = now();

		for (unsigned long i = 0; i < n; i++) {
			struct sk_buff *skb = alloc_skb_tx(s, 256);

			__asm__ volatile("" : : "r"(skb) : "memory");
			kfree_skb(skb);
		}
		t = now() - t;
		if (n / t > best)
			best = n / t;
	}
	ns_stack_destroy(s);
	return best;
}

struct sink {
	struct packet_type pt;
	unsigned long n;
};

static int sink_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
		    struct net_device *orig)
{
	(void)dev;
	(void)orig;
	container_of(pt, struct sink, pt)->n++;
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static struct sk_buff *bench_frame(struct net_device *dev, const uint8_t *dst)
{
	struct sk_buff *skb = alloc_skb_tx(dev_net(dev), FRAME_LEN);

	if (!skb)
		return NULL;
	memset(skb_put(skb, FRAME_LEN - 14), 0x5a, FRAME_LEN - 14);
	skb->dev = dev;
	dev->header_ops->create(skb, dev, ETH_P_BENCH, dst, NULL, skb->len);
	return skb;
}

/* One timed round of bench_pipe (a function of its own for callgrind). */
static __attribute__((noinline)) void pipe_round(struct ns_stack *a, struct ns_stack *b,
						 struct net_device *da, struct net_device *db,
						 unsigned long n, unsigned long batch)
{
	for (unsigned long i = 0; i < n; i += batch) {
		for (unsigned long k = 0; k < batch; k++)
			dev_queue_xmit(bench_frame(da, db->dev_addr));
		ns_stack_step(a);
		ns_stack_step(b);
	}
	while (ns_stack_busy(a) || ns_stack_busy(b)) {
		ns_stack_step(a);
		ns_stack_step(b);
	}
}

/* dev_queue_xmit on a, counted by a packet_type on b; both loops stepped
 * after every batch of `batch` frames (a NAPI weight's worth). */
static __attribute__((noinline)) double bench_pipe(void)
{
	struct ns_stack *a = bench_stack("a", 1), *b = bench_stack("b", 2);
	struct net_device *da, *db;
	struct sink sink = { .pt = { .type = ETH_P_BENCH, .func = sink_rcv } };
	const unsigned long batch = 64, n = bench_iters(5000000, batch) / batch * batch;
	double best = 0;

	if (ns_pipe_create(a, "veth0", b, "veth1", 256, &da, &db)) {
		fprintf(stderr, "ns_pipe_create failed\n");
		exit(1);
	}
	ns_dev_set_up(da, true);
	ns_dev_set_up(db, true);
	dev_add_pack(b, &sink.pt);
	for (int r = 0; r < ROUNDS; r++) {
		unsigned long start = sink.n;
		double t = now();

		pipe_round(a, b, da, db, n, batch);
		t = now() - t;
		if (sink.n - start != n) {
			fprintf(stderr, "pipe: %lu of %lu frames arrived\n", sink.n - start, n);
			exit(1);
		}
		if (n / t > best)
			best = n / t;
	}
	dev_remove_pack(b, &sink.pt);
	ns_stack_destroy(a);
	ns_stack_destroy(b);
	return best;
}

static int null_xmit(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	(void)frame;
	(void)len;
	return 0;
}

/* ns_dev_rx (copy into an skb, backlog queue, process_backlog, dispatch). */
static __attribute__((noinline)) double bench_dev_rx(void)
{
	static const struct ns_driver_ops ops = { .xmit = null_xmit };
	struct ns_stack *s = bench_stack("rx", 3);
	struct net_device *dev = ns_dev_create(s, "eth0", NS_LINK_ETHER, NULL, 1500, &ops, NULL);
	struct sink sink = { .pt = { .type = ETH_P_BENCH, .func = sink_rcv } };
	const unsigned long batch = 64, n = bench_iters(5000000, batch) / batch * batch;
	uint8_t frame[FRAME_LEN];
	double best = 0;

	if (!dev) {
		fprintf(stderr, "ns_dev_create failed\n");
		exit(1);
	}
	ns_dev_set_up(dev, true);
	dev_add_pack(s, &sink.pt);
	memcpy(frame, dev->dev_addr, 6);
	memcpy(frame + 6, dev->dev_addr, 6);
	frame[6] |= 0x02;
	frame[12] = ETH_P_BENCH >> 8;
	frame[13] = ETH_P_BENCH & 0xff;
	memset(frame + 14, 0x5a, sizeof(frame) - 14);
	for (int r = 0; r < ROUNDS; r++) {
		unsigned long start = sink.n;
		double t = now();

		for (unsigned long i = 0; i < n; i += batch) {
			for (unsigned long k = 0; k < batch; k++)
				ns_dev_rx(dev, frame, sizeof(frame));
			ns_stack_step(s);
		}
		while (ns_stack_busy(s))
			ns_stack_step(s);
		t = now() - t;
		if (sink.n - start != n) {
			fprintf(stderr, "dev_rx: %lu of %lu frames arrived\n", sink.n - start, n);
			exit(1);
		}
		if (n / t > best)
			best = n / t;
	}
	dev_remove_pack(s, &sink.pt);
	ns_stack_destroy(s);
	return best;
}

int main(void)
{
	printf("skb_alloc_free: %.1f M ops/s\n", bench_skb_alloc_free() / 1e6);
	fflush(stdout);
	printf("netif_receive_skb_pipe: %.1f M frames/s (%d-byte frames, dev_queue_xmit -> pipe -> NAPI -> packet_type)\n",
	       bench_pipe() / 1e6, FRAME_LEN);
	fflush(stdout);
	printf("ns_dev_rx_backlog: %.1f M frames/s (%d-byte frames, copy -> backlog -> packet_type)\n",
	       bench_dev_rx() / 1e6, FRAME_LEN);
	return 0;
}
