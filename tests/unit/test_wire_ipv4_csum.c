/* test_wire_ipv4_csum.c - the IPv4 header checksum fast path against the
 * generic RFC 1071 sum: ip_fast_csum (memory-order words, any IHL), as
 * ipv4_emit, ipv4_parse and ip_rcv use it, over random headers, including
 * the sums that fold to 0xffff. */
#include <stdlib.h>

#include "testlib.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

static void test_emit20_matches_csum_partial(void **state)
{
	uint64_t seed = 42;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		struct ipv4_repr r = {
			.tos = (uint8_t)rnd(&seed), .tot_len = (uint16_t)(20 + rnd(&seed) % 65000),
			.id = (uint16_t)rnd(&seed), .rf = rnd(&seed) & 1, .df = rnd(&seed) & 1,
			.mf = rnd(&seed) & 1, .frag_off = (uint16_t)(rnd(&seed) & IP_OFFSET),
			.ttl = (uint8_t)rnd(&seed), .protocol = (uint8_t)rnd(&seed),
			.saddr = rnd(&seed), .daddr = rnd(&seed),
		};
		uint8_t h[20], ref[20];
		struct ipv4_repr back;

		if (i % 3 == 0)	/* sums near the fold boundary */
			r.daddr = ~r.saddr;
		assert_int_equal(ipv4_emit(&r, h, sizeof(h)), 20);
		memcpy(ref, h, 20);
		put_be16(ref + 10, 0);
		put_be16(ref + 10, csum_fold(csum_partial(ref, 20, 0)));
		assert_memory_equal(h, ref, 20);
		assert_int_equal(ip_fast_csum(h, 20), 0);
		assert_int_equal(ipv4_parse(h, 20, IPV4_PARSE_TRUNC_OK, &back), WIRE_OK);
		assert_int_equal(back.saddr, r.saddr);
		assert_int_equal(back.frag_off, r.frag_off);
	}
}

static void test_fast_csum_any_ihl(void **state)
{
	uint64_t seed = 7;

	(void)state;
	for (unsigned int hlen = 20; hlen <= 60; hlen += 4) {
		for (int i = 0; i < 2000; i++) {
			uint8_t h[60];
			uint16_t c;

			for (unsigned int j = 0; j < hlen; j++)
				h[j] = (uint8_t)rnd(&seed);
			h[10] = h[11] = 0;
			c = ip_fast_csum(h, hlen);
			assert_int_equal(get_be16(&c), csum_fold(csum_partial(h, hlen, 0)));
			memcpy(h + 10, &c, 2);
			assert_int_equal(ip_fast_csum(h, hlen), 0);
			h[hlen - 1] ^= 1;
			assert_int_not_equal(ip_fast_csum(h, hlen), 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emit20_matches_csum_partial),
		cmocka_unit_test(test_fast_csum_any_ihl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
