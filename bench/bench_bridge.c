/* bench_bridge.c - bridged forwarding of 64-byte frames on one core:
 * gen -> pipe -> eth0 (port of br0) -> FDB lookup -> eth1 -> pipe -> sink,
 * all in one stack; then the same with 1 000 ebtables FORWARD rules that do
 * not match (each frame walks all of them). Best of a few timed rounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "bridge/br_private.h"
#include "core/netdevice.h"
#include "core/stack.h"
#include "nstack/cmd.h"
#include "nstack/netdev.h"

#define ETH_P_BENCH 0x88b5
#define FRAME_LEN 64
#define ROUNDS 3

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

#define now bench_now

static void must(struct ns_stack *s, const char *line)
{
	struct ns_out out;

	ns_out_init(&out);
	if (ns_exec(s, line, &out)) {
		fprintf(stderr, "%s: %s\n", line, out.err);
		exit(1);
	}
	ns_out_free(&out);
}

/* One timed round: n frames from gen to out (a function of its own for callgrind). */
static __attribute__((noinline)) void bridge_round(struct ns_stack *s, struct net_device *gen,
						   struct net_device *out, unsigned long n,
						   unsigned long batch)
{
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 1 };

	for (unsigned long i = 0; i < n; i += batch) {
		for (unsigned long k = 0; k < batch; k++) {
			struct sk_buff *skb = alloc_skb_tx(s, FRAME_LEN);

			memset(skb_put(skb, FRAME_LEN - 14), 0x5a, FRAME_LEN - 14);
			skb->dev = gen;
			gen->header_ops->create(skb, gen, ETH_P_BENCH, out->dev_addr, src, 0);
			dev_queue_xmit(skb);
		}
		ns_stack_step(s);
		ns_stack_step(s);
	}
	while (ns_stack_busy(s))
		ns_stack_step(s);
}

static double bench_bridge(unsigned int rules)
{
	struct ns_stack_config cfg = { .name = "br", .seed = 1 };
	struct ns_stack *s = ns_stack_create(&cfg);
	struct net_device *gen, *p0, *p1, *out;
	struct sink sink = { .pt = { .type = ETH_P_BENCH, .func = sink_rcv } };
	const unsigned long batch = 64, n = bench_iters(3000000, batch) / batch * batch;
	double best = 0;
	char line[160];

	if (!s || ns_pipe_create(s, "gen", s, "eth0", 256, &gen, &p0) ||
	    ns_pipe_create(s, "eth1", s, "out", 256, &p1, &out)) {
		fprintf(stderr, "setup failed\n");
		exit(1);
	}
	must(s, "ip link add br0 type bridge");
	must(s, "ip link set eth0 master br0");
	must(s, "ip link set eth1 master br0");
	for (const char *d = "gen\0eth0\0eth1\0out\0br0\0"; *d; d += strlen(d) + 1) {
		snprintf(line, sizeof(line), "ip link set %s up", d);
		must(s, line);
	}
	snprintf(line, sizeof(line), "bridge fdb add %02x:%02x:%02x:%02x:%02x:%02x dev eth1 master static",
		 out->dev_addr[0], out->dev_addr[1], out->dev_addr[2], out->dev_addr[3],
		 out->dev_addr[4], out->dev_addr[5]);
	must(s, line);
	for (unsigned int i = 0; i < rules; i++) {
		snprintf(line, sizeof(line), "ebtables -A FORWARD -s 02:ee:00:00:%02x:%02x -j DROP",
			 i >> 8, i & 0xff);
		must(s, line);
	}
	sink.pt.dev = out;
	dev_add_pack(s, &sink.pt);
	for (int r = 0; r < ROUNDS; r++) {
		unsigned long start = sink.n;
		double t = now();

		bridge_round(s, gen, out, n, batch);
		t = now() - t;
		if (sink.n - start != n) {
			fprintf(stderr, "bridge: %lu of %lu frames arrived\n", sink.n - start, n);
			exit(1);
		}
		if (n / t > best)
			best = n / t;
	}
	dev_remove_pack(s, &sink.pt);
	ns_stack_destroy(s);
	return best;
}

/* argv[1] "norules": only the first figure (for callgrind runs). */
int main(int argc, char **argv)
{
	printf("bridge_forward: %.2f M frames/s (%d-byte frames, pipe -> br0 -> pipe, all in one stack)\n",
	       bench_bridge(0) / 1e6, FRAME_LEN);
	fflush(stdout);
	if (argc > 1 && !strcmp(argv[1], "norules"))
		return 0;
	printf("bridge_forward_1000_rules: %.2f M frames/s (1 000 non-matching ebtables FORWARD rules)\n",
	       bench_bridge(1000) / 1e6);
	return 0;
}
