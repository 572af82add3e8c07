/* test_wire_checksum.c - RFC 1071 checksum: the fast csum_partial against a
 * byte-by-byte reference at random lengths/alignments, RFC 1071/IPv4 known
 * vectors, pseudo-headers, RFC 1624 incremental updates vs recomputation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"
#include "wire/checksum.h"
#include "wire/wire.h"

/* Reference: sum of big-endian 16-bit words, odd byte padded, end-around carry. */
static uint32_t naive_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	uint64_t s = sum;
	for (size_t i = 0; i < len; i++)
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

static uint16_t fold_nocompl(uint32_t s)
{
	return (uint16_t)~csum_fold(s);
}

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void test_random_vs_naive(void **state)
{
	(void)state;
	enum { MAX = 3000 };
	uint8_t *big = malloc(MAX + 16);
	assert_non_null(big);
	for (int iter = 0; iter < 20000; iter++) {
		size_t off = rnd() % 16;
		size_t len = (iter < 200) ? (size_t)iter : rnd() % MAX;
		for (size_t i = 0; i < len; i++)
			big[off + i] = (uint8_t)rnd();
		/* exact-size copy so ASan sees any over-read */
		uint8_t *buf = malloc(len ? len : 1);
		memcpy(buf, big + off, len);
		uint32_t init = (iter & 1) ? rnd() & 0xffff : 0;
		uint16_t want = (uint16_t)naive_sum(big + off, len, init);
		assert_int_equal(fold_nocompl(csum_partial(big + off, len, init)), want);
		assert_int_equal(fold_nocompl(csum_partial(buf, len, init)), want);
		free(buf);
	}
	free(big);
}

static void test_all_ones_and_zeros(void **state)
{
	(void)state;
	uint8_t ff[1500], zero[64] = { 0 };
	memset(ff, 0xff, sizeof(ff));
	for (size_t len = 2; len <= sizeof(ff); len += 2)
		assert_int_equal(fold_nocompl(csum_partial(ff, len, 0)), 0xffff);
	assert_int_equal(fold_nocompl(csum_partial(zero, sizeof(zero), 0)), 0);
	assert_int_equal(csum_fold(0), 0xffff);
}

/* RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
static void test_rfc1071_vector(void **state)
{
	(void)state;
	static const uint8_t v[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	assert_int_equal(fold_nocompl(csum_partial(v, sizeof(v), 0)), 0xddf2);
	assert_int_equal(csum_fold(csum_partial(v, sizeof(v), 0)), 0x220d);
}

/* A well-known IPv4 header whose checksum is 0xb861. */
static const uint8_t ip_hdr[20] = {
	0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

static void test_ipv4_header_vector(void **state)
{
	(void)state;
	uint8_t h[20];
	memcpy(h, ip_hdr, 20);
	assert_int_equal(csum_fold(csum_partial(h, 20, 0)), 0);
	put_be16(h + 10, 0);
	assert_int_equal(csum_fold(csum_partial(h, 20, 0)), 0xb861);
}

static void test_block_add_odd_offset(void **state)
{
	(void)state;
	uint8_t b[301];
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)rnd();
	for (size_t split = 0; split <= sizeof(b); split++) {
		uint32_t a = csum_partial(b, split, 0);
		uint32_t c = csum_partial(b + split, sizeof(b) - split, 0);
		uint32_t s = csum_block_add(a, c, split);
		assert_int_equal(csum_fold(s), csum_fold(csum_partial(b, sizeof(b), 0)));
	}
	/* csum_sub undoes csum_add */
	uint32_t x = csum_partial(b, 100, 0), y = csum_partial(b + 100, 100, 0);
	assert_int_equal(csum_fold(csum_sub(csum_add(x, y), y)), csum_fold(x));
}

/* RFC 1624: TTL decrement and NAT address rewrite, incremental == recompute. */
static void test_incremental_update(void **state)
{
	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		uint8_t h[20];
		for (int i = 0; i < 20; i++)
			h[i] = (uint8_t)rnd();
		h[0] = 0x45;
		if (iter % 7 == 0)
			memset(h + 12, 0, 8); /* zero addresses: carry corner cases */
		put_be16(h + 10, 0);
		put_be16(h + 10, csum_fold(csum_partial(h, 20, 0)));

		/* TTL decrement: word at offset 8 is TTL|protocol */
		uint16_t old = get_be16(h + 8);
		h[8]--;
		uint16_t inc = csum_replace2(get_be16(h + 10), old, get_be16(h + 8));
		put_be16(h + 10, 0);
		uint16_t full = csum_fold(csum_partial(h, 20, 0));
		assert_int_equal(inc, full);
		put_be16(h + 10, full);

		/* NAT: rewrite the source address */
		uint32_t oaddr = get_be32(h + 12), naddr = (iter % 5 == 0) ? 0 : rnd();
		put_be32(h + 12, naddr);
		inc = csum_replace4(get_be16(h + 10), oaddr, naddr);
		put_be16(h + 10, 0);
		full = csum_fold(csum_partial(h, 20, 0));
		assert_int_equal(inc, full);
	}
}

static void test_pseudo_headers(void **state)
{
	(void)state;
	/* IPv4 pseudo-header == the 12 explicit bytes summed */
	uint8_t ph[12];
	put_be32(ph, 0xc0a8010a);
	put_be32(ph + 4, 0xc0a80101);
	ph[8] = 0;
	ph[9] = 17;
	put_be16(ph + 10, 19);
	assert_int_equal(csum_fold(csum_tcpudp_nofold(0xc0a8010a, 0xc0a80101, 19, 17, 0)),
			 csum_fold(csum_partial(ph, 12, 0)));
	assert_int_equal(csum_tcpudp_magic(0xc0a8010a, 0xc0a80101, 19, 17, 0),
			 csum_fold(csum_partial(ph, 12, 0)));
	/* IPv6 pseudo-header: src, dst, 32-bit length, 3 zeros, next header */
	uint8_t ph6[40] = { 0 };
	for (int i = 0; i < 32; i++)
		ph6[i] = (uint8_t)rnd();
	put_be32(ph6 + 32, 0x12345);
	ph6[39] = 58;
	assert_int_equal(csum_ipv6_magic(ph6, ph6 + 16, 0x12345, 58, 0),
			 csum_fold(csum_partial(ph6, 40, 0)));
}

static void test_strerror(void **state)
{
	(void)state;
	for (int e = 0; e >= -20; e--)
		assert_non_null(wire_strerror(e));
	assert_string_equal(wire_strerror(WIRE_ETRUNC), "truncated");
	assert_string_equal(wire_strerror(42), "unknown wire error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_vs_naive),
		cmocka_unit_test(test_all_ones_and_zeros),
		cmocka_unit_test(test_rfc1071_vector),
		cmocka_unit_test(test_ipv4_header_vector),
		cmocka_unit_test(test_block_add_odd_offset),
		cmocka_unit_test(test_incremental_update),
		cmocka_unit_test(test_pseudo_headers),
		cmocka_unit_test(test_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
