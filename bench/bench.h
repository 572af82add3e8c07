/* bench.h - helpers shared by the bench_*.c programs: wall-clock timing,
 * iteration scaling, a seeded PRNG, stack creation, a counting packet_type
 * sink, best-of-rounds bookkeeping and the two-port forwarding set-up
 * (bench_ipv4, bench_nft). Kernel-side helpers (links, AF_PACKET senders)
 * are in bench_net.h.
 *
 * NSTACK_BENCH_DIV=N divides each benchmark's iteration counts by N (table
 * sizes stay), so a run under `valgrind --tool=callgrind` takes seconds.
 * Instruction counts per packet are then repeatable on a loaded machine,
 * where wall-clock rates swing by tens of percent. Each measured loop is a
 * function of its own (noinline) so that callgrind can count it alone:
 *   NSTACK_BENCH_DIV=50 valgrind --tool=callgrind --collect-atstart=no \
 *       --toggle-collect=bench_pipe build/bench/bench_core */
#ifndef NSTACK_BENCH_H
#define NSTACK_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/netdevice.h"
#include "ethernet/arp.h"
#include "ipv4/devinet.h"
#include "nstack/cmd.h"
#include "nstack/netdev.h"
#include "nstack/nstack.h"

/* An EtherType no protocol of the stack claims: frames go to the sink only. */
#define ETH_P_BENCH 0x88b5

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* n divided by $NSTACK_BENCH_DIV (at least `min`, so loops keep their shape). */
static inline unsigned long bench_iters(unsigned long n, unsigned long min)
{
	const char *s = getenv("NSTACK_BENCH_DIV");
	unsigned long d = s ? strtoul(s, NULL, 10) : 1;

	if (d > 1)
		n /= d;
	return n < min ? min : n;
}

/* xorshift64 with a fixed seed: the same tables on every run. */
static inline uint32_t bench_rnd(void)
{
	static uint64_t rng = 0x9E3779B97F4A7C15ull;

	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* A stack or exit(1): a benchmark without its stack has nothing to say. */
static inline struct ns_stack *bench_stack(const char *name, uint64_t seed)
{
	struct ns_stack_config cfg = { .name = name, .seed = seed };
	struct ns_stack *s = ns_stack_create(&cfg);

	if (!s) {
		perror("ns_stack_create");
		exit(1);
	}
	return s;
}

/* Run one command line on s, exit(1) with its error when it fails. */
static inline void bench_must(struct ns_stack *s, const char *line)
{
	struct ns_out out;

	ns_out_init(&out);
	if (ns_exec(s, line, &out)) {
		fprintf(stderr, "%s: %s\n", line, out.err);
		exit(1);
	}
	ns_out_free(&out);
}

/* A packet_type that counts and consumes what it is handed. */
struct bench_sink {
	struct packet_type pt;
	unsigned long n;
};

static inline int bench_sink_rcv(struct sk_buff *skb, struct net_device *dev,
				 struct packet_type *pt, struct net_device *orig)
{
	(void)dev;
	(void)orig;
	container_of(pt, struct bench_sink, pt)->n++;
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

#define BENCH_SINK_INIT(ethertype) { .pt = { .type = (ethertype), .func = bench_sink_rcv } }

/* One timed round of n frames took t seconds and `got` arrived: exit(1)
 * when some were lost, else the better of `best` and this round's rate. */
static inline double bench_best(double best, const char *what, unsigned long got,
				unsigned long n, double t)
{
	if (got != n) {
		fprintf(stderr, "%s: %lu of %lu frames arrived\n", what, got, n);
		exit(1);
	}
	return n / t > best ? n / t : best;
}

/* Driver xmit that counts frames into *(uint64_t *)ctx and drops them. */
static inline int bench_count_xmit(void *ctx, const void *frame, size_t len)
{
	(void)frame;
	(void)len;
	(*(uint64_t *)ctx)++;
	return 0;
}

/* Forwarding between eth0 (in, in_addr/24) and eth1 (out, out_addr/24),
 * both counting into *tx_count; the peer out_addr+1 behind eth1 at a
 * permanent ARP entry; ip_forward on, a backlog deep enough for a batch. */
static inline void bench_fwd_setup(struct ns_stack *s, uint32_t in_addr, uint32_t out_addr,
				   uint64_t *tx_count, struct net_device **in,
				   struct net_device **out)
{
	static const uint8_t mac0[6] = { 2, 0, 0, 0, 0, 1 }, mac1[6] = { 2, 0, 0, 0, 1, 1 };
	static const uint8_t peer1[6] = { 2, 0, 0, 0, 1, 2 };
	static const struct ns_driver_ops sink = { .xmit = bench_count_xmit };

	*in = ns_dev_create(s, "eth0", NS_LINK_ETHER, mac0, 1500, &sink, tx_count);
	*out = ns_dev_create(s, "eth1", NS_LINK_ETHER, mac1, 1500, &sink, tx_count);
	ns_dev_set_up(*in, true);
	ns_dev_set_up(*out, true);
	inet_addr_add(*in, in_addr, 24, NULL);
	inet_addr_add(*out, out_addr, 24, NULL);
	arp_neigh_add(*out, out_addr + 1, peer1, NUD_PERMANENT);
	ns_sysctl_set(s, "net.ipv4.ip_forward", "1");
	ns_sysctl_set(s, "net.core.netdev_max_backlog", "100000");
}

#endif
