/* ipv6_testutil.h - frame builders (src/wire emitters) and /proc readers
 * shared by the IPv6 unit tests (header-only, static functions). */
#ifndef NSTACK_IPV6_TESTUTIL_H
#define NSTACK_IPV6_TESTUTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "core/neighbour.h"
#include "ipv6/netns_ipv6.h"
#include "wire/eth.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"

static const uint8_t MAC6_US[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t MAC6_PEER[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static inline void A6(uint8_t out[16], const char *s)
{
	assert_int_equal(ipv6_addr_parse(s, out), 0);
}

/* Ethernet + IPv6 header + payload; returns the frame length */
static inline size_t mk_ip6(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, const uint8_t *s,
			    const uint8_t *d, uint8_t nexthdr, uint8_t hlim, const void *pl, size_t plen)
{
	struct eth_repr e = { .proto = ETH_P_IPV6 };
	struct ipv6_repr r = { .payload_len = (uint16_t)plen, .nexthdr = nexthdr, .hop_limit = hlim };

	memcpy(e.dst, dmac, 6);
	memcpy(e.src, smac, 6);
	memcpy(r.saddr, s, 16);
	memcpy(r.daddr, d, 16);
	eth_emit(&e, f, 14);
	assert_int_equal(ipv6_emit(&r, f + 14, 40), 40);
	if (plen)
		memcpy(f + 54, pl, plen);
	return 54 + plen;
}

/* an ICMPv6 message into buf; returns its length */
static inline size_t mk_icmp6(uint8_t *buf, size_t cap, uint8_t type, uint8_t code, uint32_t raw,
			      const void *data, size_t dlen, const uint8_t *s, const uint8_t *d)
{
	struct icmpv6_repr r = { .type = type, .code = code, .un.raw = raw, .data = data,
				 .data_len = dlen };
	int n = icmpv6_emit(&r, buf, cap, s, d);

	assert_true(n > 0);
	return (size_t)n;
}

static inline size_t mk_echo6(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, const uint8_t *s,
			      const uint8_t *d, uint16_t id, uint16_t seq, size_t dlen, uint8_t hlim)
{
	static uint8_t icmp[9000], data[9000];

	for (size_t i = 0; i < dlen; i++)
		data[i] = (uint8_t)i;
	struct icmpv6_repr r = { .type = ICMPV6_ECHO_REQUEST, .data = data, .data_len = dlen };
	int n;

	r.un.echo.id = id;
	r.un.echo.seq = seq;
	n = icmpv6_emit(&r, icmp, sizeof(icmp), s, d);
	assert_true(n > 0);
	return mk_ip6(f, dmac, smac, s, d, IPPROTO_ICMPV6, hlim, icmp, (size_t)n);
}

/* an NDP message (options already built) in a frame */
static inline size_t mk_ndp(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, const uint8_t *s,
			    const uint8_t *d, uint8_t hlim, struct ndp_repr *r, const uint8_t *opts,
			    size_t olen)
{
	uint8_t buf[512];
	int n;

	r->opts = opts;
	r->opts_len = olen;
	n = ndp_emit(r, buf, sizeof(buf), s, d);
	assert_true(n > 0);
	return mk_ip6(f, dmac, smac, s, d, IPPROTO_ICMPV6, hlim, buf, (size_t)n);
}

/* Parse a captured frame as IPv6; returns the payload. */
static inline const uint8_t *parse_ip6(const struct cap_frame *fr, struct eth_repr *e,
				       struct ipv6_repr *ip)
{
	assert_non_null(fr);
	assert_int_equal(eth_parse(fr->data, fr->len, e), 0);
	assert_int_equal(e->proto, ETH_P_IPV6);
	assert_int_equal(ipv6_parse(fr->data + 14, fr->len - 14, ip), 0);
	return fr->data + 54;
}

/* Next captured IPv6 frame carrying ICMPv6 of `type` (others skipped), or
 * NULL. Skips a Hop-by-Hop header (MLD). */
static inline const struct cap_frame *next_icmp6(struct capdev *c, uint8_t type,
						 struct ipv6_repr *ip, struct icmpv6_repr *ic)
{
	struct cap_frame *fr;
	struct eth_repr e;

	while ((fr = cap_next(c)) != NULL) {
		const uint8_t *p;
		size_t len;

		if (eth_parse(fr->data, fr->len, &e) || e.proto != ETH_P_IPV6 ||
		    ipv6_parse(fr->data + 14, fr->len - 14, ip))
			continue;
		p = fr->data + 54;
		len = ip->payload_len;
		if (ip->nexthdr == IPPROTO_HOPOPTS) {
			if (p[0] != IPPROTO_ICMPV6)
				continue;
			len -= (p[1] + 1u) * 8;
			p += (p[1] + 1u) * 8;
		} else if (ip->nexthdr != IPPROTO_ICMPV6) {
			continue;
		}
		if (icmpv6_parse(p, len, ip->saddr, ip->daddr, 0, ic) == 0 && ic->type == type)
			return fr;
	}
	return NULL;
}

/* A line "Name   value" of /proc/net/snmp6 */
static inline long long snmp6(struct ns_stack *s, const char *name)
{
	char *txt = ns_proc_read(s, "/proc/net/snmp6", NULL), *line, *save = NULL;
	long long v = -1;

	assert_non_null(txt);
	for (line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(name);

		if (strncmp(line, name, n) == 0 && line[n] == ' ') {
			v = atoll(line + 32);
			break;
		}
	}
	free(txt);
	return v == -1 ? 0 : v;	/* per-type lines are printed only when nonzero */
}

static inline bool proc_has(struct ns_stack *s, const char *path, const char *needle)
{
	char *txt = ns_proc_read(s, path, NULL);
	bool ok;

	assert_non_null(txt);
	ok = strstr(txt, needle) != NULL;
	free(txt);
	return ok;
}

#endif
