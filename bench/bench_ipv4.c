/* bench_ipv4.c - IPv4 forwarding rate of 64-byte frames through one stack
 * on one core: frames enter eth0 through the driver API (ns_dev_rx: copy
 * into the pool, backlog), are routed by a FIB holding 100 000 routes,
 * TTL-decremented, resolved by a static ARP entry and handed to eth1's
 * driver, which counts them. Beside it, the rate the same path would reach
 * with a naive linear route table (its measured per-lookup cost added). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "core/netdevice.h"
#include "core/stack.h"
#include "ethernet/arp.h"
#include "ipv4/devinet.h"
#include "ipv4/ip.h"
#include "ipv4/route.h"
#include "nstack/netdev.h"
#include "nstack/nstack.h"
#include "wire/eth.h"
#include "wire/ipv4.h"

#define NR_ROUTES 100000u
#define NR_FRAMES 4000000u
#define BATCH 256u
#define NR_FLOWS 1024u

static uint64_t tx_count;

static void build_frame(uint8_t *f, const uint8_t *dmac, uint32_t daddr)
{
	static const uint8_t smac[6] = { 2, 0, 0, 0, 0, 2 };
	struct eth_repr e = { .proto = ETH_P_IP };
	struct ipv4_repr ip = { .tot_len = 46, .ttl = 64, .protocol = 17,
				.saddr = 0x0a000002u, .daddr = daddr };

	memcpy(e.dst, dmac, 6);
	memcpy(e.src, smac, 6);
	eth_emit(&e, f, 14);
	ipv4_emit(&ip, f + 14, 20);
	memset(f + 34, 0, 26);
}

struct naive { uint32_t dst, mask; };

/* The timed loop: nr frames into eth0, a batch at a time, the stack run
 * until idle after each batch (a function of its own for callgrind). */
static __attribute__((noinline)) void forward_frames(struct ns_stack *s, struct net_device *in,
						     uint8_t (*frames)[64], uint32_t nr)
{
	for (uint32_t n = 0; n < nr; n += BATCH) {
		for (uint32_t k = 0; k < BATCH; k++)
			ns_dev_rx(in, frames[(n + k) % NR_FLOWS], 60);
		while (ns_stack_step(s) > 0)
			;
	}
}

int main(void)
{
	struct ns_stack *s = bench_stack("bench", 1);
	struct net_device *in, *out;
	struct fib_table *main_tbl;
	static uint8_t frames[NR_FLOWS][64];
	struct naive *nv;
	double t0, t1, fwd_rate, naive_ns;
	uint64_t sum = 0;
	uint32_t nr_frames = (uint32_t)(bench_iters(NR_FRAMES, BATCH) / BATCH * BATCH);

	bench_fwd_setup(s, 0x0a000001u, 0x0a010001u, &tx_count, &in, &out);
	main_tbl = fib_get_table(s, RT_TABLE_MAIN);
	nv = calloc(NR_ROUTES, sizeof(*nv));
	for (uint32_t i = 0; i < NR_ROUTES; i++) {
		/* /24s in 20.0.0.0/8..100.0.0.0/8 via the peer on eth1 */
		uint32_t dst = ((20u + bench_rnd() % 80u) << 24) | ((bench_rnd() & 0xffffu) << 8);
		struct fib_route r = { .dst = dst, .dst_len = 24, .gateway = 0x0a010002u,
				       .oif = out->ifindex, .protocol = RTPROT_STATIC };

		fib_table_insert(main_tbl, &r, NLM_F_CREATE | NLM_F_REPLACE);
		nv[i].dst = dst;
		nv[i].mask = 0xffffff00u;
	}
	for (uint32_t i = 0; i < NR_FLOWS; i++)
		build_frame(frames[i], in->dev_addr, nv[bench_rnd() % NR_ROUTES].dst | 7u);
	ns_stack_run_once(s, 0);
	tx_count = 0;
	t0 = bench_now();
	forward_frames(s, in, frames, nr_frames);
	t1 = bench_now();
	fwd_rate = (double)tx_count / (t1 - t0);
	/* the naive table: first match scanning every route, as a list would */
	t0 = bench_now();
	for (uint32_t k = 0; k < 200; k++) {
		uint32_t a = nv[bench_rnd() % NR_ROUTES].dst | 7u;

		for (uint32_t i = 0; i < NR_ROUTES; i++)
			if ((a & nv[i].mask) == nv[i].dst) {
				sum += i;
				break;
			}
	}
	t1 = bench_now();
	naive_ns = (t1 - t0) / 200 * 1e9;
	printf("ipv4 forward, 64-byte frames, %u routes, one core:\n", NR_ROUTES);
	printf("  nstack FIB    : %.2f M pps (%llu of %u frames forwarded)\n", fwd_rate / 1e6,
	       (unsigned long long)tx_count, nr_frames);
	printf("  naive linear   : %.4f M pps (extrapolated: + %.0f ns per lookup)\n",
	       1.0 / (1.0 / fwd_rate + naive_ns * 1e-9) / 1e6, naive_ns);
	if (sum == 42)
		printf("\n");
	free(nv);
	ns_stack_destroy(s);
	return 0;
}
