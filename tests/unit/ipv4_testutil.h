/* ipv4_testutil.h - frame builders and /proc parsers shared by the IPv4
 * unit tests (header-only, static functions). */
#ifndef NSTACK_IPV4_TESTUTIL_H
#define NSTACK_IPV4_TESTUTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "core/neighbour.h"
#include "ethernet/arp.h"
#include "ipv4/devinet.h"
#include "ipv4/ip.h"
#include "ipv4/route.h"
#include "wire/arp.h"
#include "wire/checksum.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define PROTO_TEST 253	/* RFC 3692 experimental */

static const uint8_t MAC_US[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t MAC_PEER[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t MAC_US2[6] = { 0x02, 0, 0, 0, 1, 0x01 };
static const uint8_t MAC_PEER2[6] = { 0x02, 0, 0, 0, 1, 0x02 };
static const uint8_t MAC_BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* an IPv4 frame; frag is the flags/offset word (IP_DF|IP_MF|offset/8) */
static inline size_t mk_ip(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t s, uint32_t d,
		    uint8_t proto, uint8_t ttl, uint16_t id, uint16_t frag, const void *pl,
		    size_t plen)
{
	struct eth_repr e = { .proto = ETH_P_IP };
	struct ipv4_repr r = { .tot_len = (uint16_t)(20 + plen), .id = id, .ttl = ttl,
			       .protocol = proto, .saddr = s, .daddr = d,
			       .df = frag & IP_DF, .mf = frag & IP_MF, .frag_off = frag & IP_OFFSET };

	memcpy(e.dst, dmac, 6);
	memcpy(e.src, smac, 6);
	eth_emit(&e, f, 14);
	assert_int_equal(ipv4_emit(&r, f + 14, 20), 20);
	if (plen)
		memcpy(f + 34, pl, plen);
	return 34 + plen;
}

static inline size_t mk_echo(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t s, uint32_t d,
		      uint16_t id, uint16_t seq, uint8_t ttl)
{
	uint8_t icmp[8 + 32];
	struct icmp_repr r = { .type = ICMP_ECHO, .data_len = 32 };
	uint8_t data[32];

	for (int i = 0; i < 32; i++)
		data[i] = (uint8_t)i;
	r.un.echo.id = id;
	r.un.echo.seq = seq;
	r.data = data;
	assert_int_equal(icmp_emit(&r, icmp, sizeof(icmp)), 40);
	return mk_ip(f, dmac, smac, s, d, IPPROTO_ICMP, ttl, seq, 0, icmp, sizeof(icmp));
}

static inline size_t mk_arp(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint16_t op,
		     const uint8_t *sha, uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	struct eth_repr e = { .proto = ETH_P_ARP };
	struct arp_repr a = { .op = op, .spa = spa, .tpa = tpa };

	memcpy(e.dst, dmac, 6);
	memcpy(e.src, smac, 6);
	memcpy(a.sha, sha, 6);
	if (tha)
		memcpy(a.tha, tha, 6);
	eth_emit(&e, f, 14);
	arp_emit(&a, f + 14, 28);
	memset(f + 42, 0, 18);	/* Ethernet padding */
	return 60;
}

/* parse a recorded frame as IPv4: returns the IP payload, fills e and ip */
static inline const uint8_t *parse_ip(const struct cap_frame *fr, struct eth_repr *e, struct ipv4_repr *ip)
{
	assert_non_null(fr);
	assert_int_equal(eth_parse(fr->data, fr->len, e), 0);
	assert_int_equal(e->proto, ETH_P_IP);
	assert_int_equal(ipv4_parse(fr->data + 14, fr->len - 14, 0, ip), 0);
	return fr->data + 14 + ipv4_hdr_len(ip);
}

static inline void parse_arp_frame(const struct cap_frame *fr, struct eth_repr *e, struct arp_repr *a)
{
	assert_non_null(fr);
	assert_int_equal(eth_parse(fr->data, fr->len, e), 0);
	assert_int_equal(e->proto, ETH_P_ARP);
	assert_int_equal(arp_parse(fr->data + 14, fr->len - 14, a), 0);
}

/* Counter `name` from the "Prefix:" header/value line pair in a /proc file. */
static inline long long proc_counter(struct ns_stack *s, const char *path, const char *prefix,
			      const char *name)
{
	char *txt = ns_proc_read(s, path, NULL), *hdr = NULL, *val = NULL, *line, *save = NULL;
	size_t plen = strlen(prefix);
	long long result = -1;

	assert_non_null(txt);
	for (line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, prefix, plen) || line[plen] != ':')
			continue;
		if (!hdr) {
			hdr = line;
		} else {
			val = line;
			break;
		}
	}
	if (hdr && val) {
		char *hs = NULL, *vs = NULL;
		char *h = strtok_r(hdr + plen + 1, " ", &hs), *v = strtok_r(val + plen + 1, " ", &vs);

		while (h && v) {
			if (strcmp(h, name) == 0) {
				result = atoll(v);
				break;
			}
			h = strtok_r(NULL, " ", &hs);
			v = strtok_r(NULL, " ", &vs);
		}
	}
	free(txt);
	return result;
}
#define IPSTAT(s, n) proc_counter((s), "/proc/net/snmp", "Ip", (n))
#define ICMPSTAT(s, n) proc_counter((s), "/proc/net/snmp", "Icmp", (n))
#define IPEXT(s, n) proc_counter((s), "/proc/net/netstat", "IpExt", (n))

/* A transport for PROTO_TEST that records what it gets. */
struct test_rx {
	unsigned int count;
	unsigned int last_len;
	uint8_t last[65536];
	struct icmp_err_info last_err;
	unsigned int errs;
};
static struct test_rx g_rx;

static inline int test_proto_rcv(struct sk_buff *skb)
{
	g_rx.count++;
	g_rx.last_len = skb->len;
	memcpy(g_rx.last, skb->data, skb->len);
	consume_skb(skb);
	return 0;
}
static inline void test_proto_err(struct ns_stack *stack, const struct icmp_err_info *err)
{
	(void)stack;
	g_rx.last_err = *err;
	g_rx.errs++;
}
static const struct net_protocol test_proto = { .handler = test_proto_rcv,
						.err_handler = test_proto_err };

/* Send len bytes of PROTO_TEST from the stack (pattern i*7). */
static inline int send_test(struct ns_stack *s, uint32_t daddr, unsigned int len, uint8_t flags)
{
	struct sk_buff *skb = alloc_skb_tx(s, len);
	struct flowi4 fl4 = { .daddr = daddr, .proto = PROTO_TEST, .flags = flags };
	uint8_t *p;

	assert_non_null(skb);
	p = skb_put(skb, len);
	for (unsigned int i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7);
	return ip_send_skb4(s, skb, &fl4);
}

static inline unsigned int drops(struct ns_stack *s, enum skb_drop_reason r)
{
	return (unsigned int)s->drop_reasons[r];
}

#endif
