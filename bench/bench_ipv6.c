/* bench_ipv6.c - IPv6 forwarding rate of 64-byte frames through one stack
 * on one core, the IPv6 twin of bench_ipv4: frames enter eth0 through the
 * driver API (ns_dev_rx), are routed by the IPv6 FIB holding 100 000 /48
 * routes, hop-limit-decremented, resolved by a permanent neighbour entry
 * and handed to eth1's driver, which counts them. The stack is configured
 * with the command engine, as `nstack up` would be. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "core/netdevice.h"
#include "nstack/netdev.h"
#include "nstack/nstack.h"
#include "wire/eth.h"
#include "wire/ipv6.h"

#define NR_ROUTES 100000u
#define NR_FRAMES 2000000u
#define BATCH 256u
#define NR_FLOWS 1024u

static uint64_t tx_count;

static void build_frame(uint8_t *f, const uint8_t *dmac, uint32_t route)
{
	static const uint8_t smac[6] = { 2, 0, 0, 0, 0, 2 };
	struct eth_repr e = { .proto = ETH_P_IPV6 };
	struct ipv6_repr ip = { .payload_len = 10, .nexthdr = 17, .hop_limit = 64 };

	memcpy(e.dst, dmac, 6);
	memcpy(e.src, smac, 6);
	ip.saddr[0] = 0xfd;			/* fd00:1::2, on eth0's link */
	ip.saddr[3] = 1;
	ip.saddr[15] = 2;
	ip.daddr[0] = 0xfd;			/* fd10:RRRR:RR00::7 inside route R */
	ip.daddr[1] = 0x10;
	ip.daddr[2] = (uint8_t)(route >> 16);
	ip.daddr[3] = (uint8_t)(route >> 8);
	ip.daddr[4] = (uint8_t)route;
	ip.daddr[15] = 7;
	eth_emit(&e, f, 14);
	ipv6_emit(&ip, f + 14, 40);
	memset(f + 54, 0, 10);			/* UDP-sized payload: a 64-byte frame */
}

static __attribute__((noinline)) void forward_frames(struct ns_stack *s, struct net_device *in,
						     uint8_t (*frames)[64], uint32_t nr)
{
	for (uint32_t n = 0; n < nr; n += BATCH) {
		for (uint32_t k = 0; k < BATCH; k++)
			ns_dev_rx(in, frames[(n + k) % NR_FLOWS], 64);
		while (ns_stack_step(s) > 0)
			;
	}
}

int main(void)
{
	static const uint8_t mac0[6] = { 2, 0, 0, 0, 0, 1 }, mac1[6] = { 2, 0, 0, 0, 1, 1 };
	static const struct ns_driver_ops sink = { .xmit = bench_count_xmit };
	static uint8_t frames[NR_FLOWS][64];
	struct ns_stack *s = bench_stack("bench", 1);
	struct net_device *in, *out;
	uint32_t nr_frames = (uint32_t)(bench_iters(NR_FRAMES, BATCH) / BATCH * BATCH);
	uint32_t *routes = calloc(NR_ROUTES, sizeof(*routes));
	double t0, t1, rate;
	char line[128];

	/* no DAD or router solicitations: only forwarded frames reach the sink */
	bench_must(s, "sysctl -w net.ipv6.conf.default.dad_transmits=0");
	bench_must(s, "sysctl -w net.ipv6.conf.default.router_solicitations=0");
	bench_must(s, "sysctl -w net.ipv6.conf.all.forwarding=1");
	bench_must(s, "sysctl -w net.core.netdev_max_backlog=100000");
	in = ns_dev_create(s, "eth0", NS_LINK_ETHER, mac0, 1500, &sink, &tx_count);
	out = ns_dev_create(s, "eth1", NS_LINK_ETHER, mac1, 1500, &sink, &tx_count);
	if (!in || !out || !routes) {
		fprintf(stderr, "bench_ipv6: setup failed\n");
		return 1;
	}
	bench_must(s, "ip link set eth0 up");
	bench_must(s, "ip link set eth1 up");
	bench_must(s, "ip addr add fd00:1::1/64 dev eth0");
	bench_must(s, "ip addr add fd00:2::1/64 dev eth1");
	bench_must(s, "ip neigh add fd00:2::2 lladdr 02:00:00:00:01:02 dev eth1 nud permanent");
	for (uint32_t i = 0; i < NR_ROUTES; i++) {
		uint32_t r = bench_rnd() & 0xffffffu;

		routes[i] = r;
		snprintf(line, sizeof(line), "ip -6 route replace fd10:%x:%x00::/48 via fd00:2::2",
			 r >> 8, r & 0xff);
		bench_must(s, line);
	}
	for (uint32_t i = 0; i < NR_FLOWS; i++)
		build_frame(frames[i], in->dev_addr, routes[bench_rnd() % NR_ROUTES]);
	ns_stack_run_once(s, 0);
	tx_count = 0;
	t0 = bench_now();
	forward_frames(s, in, frames, nr_frames);
	t1 = bench_now();
	rate = (double)tx_count / (t1 - t0);
	printf("ipv6 forward, 64-byte frames, %u /48 routes, one core: %.2f M pps (%llu of %u frames forwarded)\n",
	       NR_ROUTES, rate / 1e6, (unsigned long long)tx_count, nr_frames);
	free(routes);
	ns_stack_destroy(s);
	return 0;
}
