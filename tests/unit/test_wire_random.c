/* test_wire_random.c - robustness smoke test for every wire parser: random
 * bytes of random lengths in exact-size heap buffers (so ASan flags any
 * over-read), checksums skipped so parsing goes deep.  Results must be
 * WIRE_OK or a negative enum wire_err, and pointers must stay in bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "wire/arp.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/icmpv6.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"
#include "wire/tcp.h"
#include "wire/udp.h"
#include "wire/vlan.h"

static uint32_t rng = 0x9e3779b9;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void in_bounds(const uint8_t *base, size_t len, const uint8_t *p, size_t n)
{
	if (!n)
		return;
	assert_true(p >= base && p + n <= base + len);
}

static void one(const uint8_t *b, size_t n)
{
	static const uint8_t a6[16] = { 0xfe, 0x80, [15] = 1 };
	int rc;
	struct eth_repr e;
	struct vlan_repr v;
	struct arp_repr a;
	struct ipv4_repr ip;
	struct icmp_repr ic;
	struct udp_repr u;
	struct tcp_repr t;
	struct tcp_options to;
	struct ipv6_repr i6;
	struct ipv6_ext_info x;
	struct ipv6_frag_repr f;
	struct ipv6_rt_repr rt;
	struct icmpv6_repr ic6;
	struct ndp_repr nd;

	assert_true(eth_parse(b, n, &e) <= 0);
	assert_true(vlan_parse(b, n, &v) <= 0);
	assert_true(arp_parse(b, n, &a) <= 0);
	if ((rc = ipv4_parse(b, n, IPV4_PARSE_NO_CSUM, &ip)) == WIRE_OK) {
		in_bounds(b, n, ip.opts, ip.opts_len);
		assert_true(ip.tot_len <= n);
	}
	assert_true(rc <= 0);
	if (icmp_parse(b, n, ICMP_PARSE_NO_CSUM, &ic) == WIRE_OK) {
		in_bounds(b, n, ic.data, ic.data_len);
		const uint8_t *l4;
		size_t l4n;
		if (icmp_parse_inner(&ic, &ip, &l4, &l4n) == WIRE_OK)
			in_bounds(b, n, l4, l4n);
	}
	if (udp_parse(b, n, &u) == WIRE_OK)
		in_bounds(b, n, u.payload, u.payload_len);
	if ((rc = tcp_parse(b, n, &t, &to)) == WIRE_OK) {
		in_bounds(b, n, t.opts, t.opts_len);
		in_bounds(b, n, t.payload, t.payload_len);
		assert_true(to.ws <= 14 && to.num_sacks <= 4);
	}
	assert_true(rc <= 0);
	assert_true(ipv6_parse(b, n, &i6) <= 0);
	if (n && ipv6_ext_walk(b + 1, n - 1, b[0], 64, 4096, &x) == WIRE_OK)
		assert_true(x.offset <= n - 1);
	assert_true(ipv6_frag_parse(b, n, &f) <= 0);
	if (ipv6_rt_parse(b, n, &rt) == WIRE_OK)
		in_bounds(b, n, rt.data, rt.data_len);
	if (ipv6_opthdr_len(b, n) > 0) {
		size_t off = 0;
		struct ipv6_opt o;
		while ((rc = ipv6_opt_next(b, (size_t)ipv6_opthdr_len(b, n), &off, &o)) == 1)
			in_bounds(b, n, o.data, o.len);
		assert_true(rc <= 0);
	}
	if (icmpv6_parse(b, n, a6, a6, ICMPV6_PARSE_NO_CSUM, &ic6) == WIRE_OK &&
	    ndp_parse(&ic6, &nd) == WIRE_OK) {
		in_bounds(b, n, nd.opts, nd.opts_len);
		size_t off = 0;
		struct ndp_opt o;
		while (ndp_opt_next(nd.opts, nd.opts_len, &off, &o) == 1)
			in_bounds(b, n, o.data, o.len);
	}
}

static void test_random_buffers(void **state)
{
	(void)state;
	for (int iter = 0; iter < 50000; iter++) {
		size_t n = rnd() % 128;
		uint8_t *b = malloc(n ? n : 1);
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)rnd();
		/* bias toward plausible headers so parsers go past the first check */
		if (n > 0 && (iter & 3) == 0)
			b[0] = (uint8_t)(0x40 | (rnd() % 16));
		if (n > 12 && (iter & 3) == 1)
			b[12] = (uint8_t)((5 + rnd() % 11) << 4);
		if (n > 1 && (iter & 3) == 2) {
			b[0] = (uint8_t)(133 + rnd() % 5);
			b[1] = 0;
		}
		one(b, n);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
