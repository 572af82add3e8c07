/* bench_nft.c - IPv4 forwarding rate of 64-byte UDP frames through one
 * stack on one core with a forward filter chain of 0, 1 000 and 10 000
 * rules that do not match (every frame walks them all), then with one rule
 * looking the source up in a 100 000-entry set (hash of addresses, and
 * interval set of /24 prefixes), and with conntrack on (ct state rule).
 * Each case runs for about a second; rates in M pps. Last, new connections
 * per second through conntrack + masquerade: every frame opens a flow never
 * seen before (new entry, NAT port allocation, checksum rewrite). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "core/netdevice.h"
#include "core/proc.h"
#include "core/stack.h"
#include "ethernet/arp.h"
#include "ipv4/devinet.h"
#include "netfilter/nf_tables.h"
#include "nstack/netdev.h"
#include "nstack/nstack.h"
#include "wire/eth.h"
#include "wire/ipv4.h"
#include "wire/udp.h"

#define BATCH 256u
#define NR_FLOWS 1024u
#define RUN_SECONDS 1.0

static uint64_t tx_count;

static void build_frame(uint8_t *f, const uint8_t *dmac, uint32_t saddr, uint16_t sport,
			uint32_t daddr)
{
	static const uint8_t smac[6] = { 2, 0, 0, 0, 0, 2 };
	static const uint8_t zero[18];
	struct eth_repr e = { .proto = ETH_P_IP };
	struct ipv4_repr ip = { .tot_len = 46, .ttl = 64, .protocol = 17, .saddr = saddr,
				.daddr = daddr };
	struct udp_repr u = { .sport = sport, .dport = 53, .payload = zero, .payload_len = 18 };

	memcpy(e.dst, dmac, 6);
	memcpy(e.src, smac, 6);
	eth_emit(&e, f, 14);
	ipv4_emit(&ip, f + 14, 20);
	udp_emit_ipv4(&u, f + 34, 26, saddr, ip.daddr);
}

static void load(struct ns_stack *s, const char *text)
{
	struct seq_buf out = { 0 };
	char err[512];

	if (nft_run(s, text, NULL, &out, err, sizeof(err))) {
		fprintf(stderr, "nft: %s\n", err);
		exit(1);
	}
	free(out.buf);
}

/* A forward chain of n rules that never match these frames. */
static char *rules_text(unsigned int n)
{
	size_t cap = 256 + (size_t)n * 48, len;
	char *t = malloc(cap);

	len = (size_t)snprintf(t, cap, "flush ruleset\ntable ip fw {\n chain forward {\n"
				       "  type filter hook forward priority 0; policy accept;\n");
	for (unsigned int i = 0; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len, "  ip saddr 10.%u.%u.1 udp dport %u drop\n",
					(i >> 8) & 255, i & 255, 1000 + i % 5000);
	snprintf(t + len, cap - len, " }\n}\n");
	return t;
}

/* One rule, a set of 100 000 entries the sources are not in. */
static char *set_text(bool interval)
{
	size_t cap = 100000u * 24 + 512, len;
	char *t = malloc(cap);

	len = (size_t)snprintf(t, cap, "flush ruleset\ntable ip fw {\n set bl {\n  type ipv4_addr\n%s"
				       "  elements = { ", interval ? "  flags interval\n" : "");
	for (uint32_t i = 0; i < 100000u; i++) {
		uint32_t a = interval ? 0x14000000u + (i << 8) : 0x14000000u + i * 3;

		len += (size_t)snprintf(t + len, cap - len, "%s%u.%u.%u.%u%s", i ? ", " : "", a >> 24,
					(a >> 16) & 255, (a >> 8) & 255, a & 255, interval ? "/24" : "");
	}
	snprintf(t + len, cap - len,
		 " }\n }\n chain forward {\n  type filter hook forward priority 0; policy accept;\n"
		 "  ip saddr @bl drop\n }\n}\n");
	return t;
}

static double run(struct ns_stack *s, struct net_device *in, uint8_t frames[][64])
{
	double t0, t1;
	uint32_t n = 0;

	tx_count = 0;
	t0 = bench_now();
	do {
		for (uint32_t k = 0; k < BATCH; k++, n++)
			ns_dev_rx(in, frames[n % NR_FLOWS], 60);
		while (ns_stack_step(s) > 0)
			;
		t1 = bench_now();
	} while (t1 - t0 < RUN_SECONDS);
	if (tx_count != n)
		fprintf(stderr, "  (%llu of %u frames forwarded)\n", (unsigned long long)tx_count, n);
	return (double)tx_count / (t1 - t0);
}

/* NEW_FLOWS first packets of distinct UDP flows (source address x port,
 * to 4096 servers behind eth1, so the NAT port space is not the limit)
 * through `ct state new accept` and masquerade on eth1: the rate at which
 * the firewall takes new connections. */
#define NEW_FLOWS 200000u
static double new_flows(struct ns_stack *s, struct net_device *in)
{
	uint8_t (*f)[64] = malloc(sizeof(*f) * NEW_FLOWS);
	double t0, t1;

	bench_must(s, "ip route add 198.20.0.0/16 via 198.19.0.2");
	if (!f || ns_sysctl_set(s, "net.netfilter.nf_conntrack_max", "262144")) {
		fprintf(stderr, "new_flows: setup failed\n");
		exit(1);
	}
	for (uint32_t i = 0; i < NEW_FLOWS; i++)
		build_frame(f[i], in->dev_addr, 0xc6120002u + (i % 200), (uint16_t)(1024 + i / 200),
			    0xc6140000u + i % 4096);	/* 4096 servers in 198.20/16 */
	load(s, "flush ruleset\n"
		"table ip fw { chain forward { type filter hook forward priority 0; policy drop;"
		" ct state new,established accept } }\n"
		"table ip nat { chain post { type nat hook postrouting priority 100;"
		" oifname \"eth1\" masquerade } }\n");
	tx_count = 0;
	t0 = bench_now();
	for (uint32_t n = 0; n < NEW_FLOWS;) {
		for (uint32_t k = 0; k < BATCH && n < NEW_FLOWS; k++, n++)
			ns_dev_rx(in, f[n], 60);
		while (ns_stack_step(s) > 0)
			;
	}
	t1 = bench_now();
	if (tx_count != NEW_FLOWS)
		fprintf(stderr, "  (%llu of %u new flows forwarded)\n", (unsigned long long)tx_count,
			NEW_FLOWS);
	free(f);
	return (double)tx_count / (t1 - t0);
}

int main(void)
{
	static uint8_t frames[NR_FLOWS][64];
	struct ns_stack *s = bench_stack("bench", 1);
	static const unsigned int nrules[] = { 0, 1000, 10000 };
	struct net_device *in, *out;
	char *t;

	bench_fwd_setup(s, 0xc6120001u, 0xc6130001u, &tx_count, &in, &out);
	for (uint32_t i = 0; i < NR_FLOWS; i++)
		build_frame(frames[i], in->dev_addr, 0xc6120002u + (i & 63), (uint16_t)(10000 + i),
			    0xc6130002u);
	ns_stack_run_once(s, 0);
	printf("nft forward filter, 64-byte UDP frames, one core:\n");
	for (size_t i = 0; i < sizeof(nrules) / sizeof(nrules[0]); i++) {
		t = rules_text(nrules[i]);
		load(s, t);
		free(t);
		printf("  %5u rules            : %.3f M pps\n", nrules[i], run(s, in, frames) / 1e6);
	}
	t = set_text(false);
	load(s, t);
	free(t);
	printf("  100000-address set    : %.3f M pps\n", run(s, in, frames) / 1e6);
	t = set_text(true);
	load(s, t);
	free(t);
	printf("  100000-prefix set     : %.3f M pps\n", run(s, in, frames) / 1e6);
	load(s, "flush ruleset\ntable ip fw { chain forward { type filter hook forward priority 0;"
		" policy drop; ct state established,related,new accept } }\n");
	printf("  conntrack + ct state  : %.3f M pps (%u flows)\n", run(s, in, frames) / 1e6,
	       NR_FLOWS);
	printf("  new flows through conntrack + masquerade: %.3f M conn/s (%u flows, each new)\n",
	       new_flows(s, in) / 1e6, NEW_FLOWS);
	ns_stack_destroy(s);
	return 0;
}
