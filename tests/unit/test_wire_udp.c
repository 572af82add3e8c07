/* test_wire_udp.c - RFC 768 UDP codec: IPv4 and IPv6 fixtures with their
 * checksums, zero-checksum rules, 0 -> 0xFFFF on emit, length checks,
 * truncation at every length. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"
#include "wire/checksum.h"
#include "wire/udp.h"

#define SRC4 0xc0a8010a
#define DST4 0xc0a80101

/* 192.168.1.10:40000 -> 192.168.1.1:53 "hello, udp!" (UDP part only) */
static const uint8_t udp4[] = {
	0x9c, 0x40, 0x00, 0x35, 0x00, 0x13, 0xf6, 0x12, 0x68, 0x65, 0x6c, 0x6c,
	0x6f, 0x2c, 0x20, 0x75, 0x64, 0x70, 0x21,
};
/* fe80::1:546 -> ff02::1:547, same payload */
static const uint8_t udp6[] = {
	0x02, 0x22, 0x02, 0x23, 0x00, 0x13, 0x14, 0x1a, 0x68, 0x65, 0x6c, 0x6c,
	0x6f, 0x2c, 0x20, 0x75, 0x64, 0x70, 0x21,
};
static const uint8_t src6[16] = { 0xfe, 0x80, [15] = 1 };
static const uint8_t dst6[16] = { 0xff, 0x02, [15] = 1 };

static void test_fixtures(void **state)
{
	(void)state;
	struct udp_repr r;
	assert_int_equal(udp_parse_ipv4(udp4, sizeof(udp4), SRC4, DST4, 0, &r), WIRE_OK);
	assert_int_equal(r.sport, 40000);
	assert_int_equal(r.dport, 53);
	assert_int_equal(r.len, 19);
	assert_int_equal(r.check, 0xf612);
	assert_int_equal(r.payload_len, 11);
	assert_memory_equal(r.payload, "hello, udp!", 11);
	/* wrong pseudo-header address */
	assert_int_equal(udp_parse_ipv4(udp4, sizeof(udp4), SRC4 + 1, DST4, 0, &r), WIRE_EBADCSUM);

	assert_int_equal(udp_parse_ipv6(udp6, sizeof(udp6), src6, dst6, 0, &r), WIRE_OK);
	assert_int_equal(r.sport, 546);
	assert_int_equal(r.check, 0x141a);
	assert_int_equal(udp_parse_ipv6(udp6, sizeof(udp6), dst6, src6, 0, &r), WIRE_OK);
	assert_int_equal(udp_parse_ipv6(udp6, sizeof(udp6), dst6, dst6, 0, &r), WIRE_EBADCSUM);
}

static void test_emit_matches_fixture(void **state)
{
	(void)state;
	struct udp_repr r = { .sport = 40000, .dport = 53, .payload = (const uint8_t *)"hello, udp!",
			      .payload_len = 11 };
	uint8_t b[19];
	assert_int_equal(udp_emit_ipv4(&r, b, 18, SRC4, DST4), WIRE_ETRUNC);
	assert_int_equal(udp_emit_ipv4(&r, b, sizeof(b), SRC4, DST4), 19);
	assert_memory_equal(b, udp4, sizeof(udp4));
	r.sport = 546;
	r.dport = 547;
	assert_int_equal(udp_emit_ipv6(&r, b, sizeof(b), src6, dst6), 19);
	assert_memory_equal(b, udp6, sizeof(udp6));

	/* round trip: parse(emit(r)) == r */
	struct udp_repr p;
	assert_int_equal(udp_parse_ipv6(b, sizeof(b), src6, dst6, 0, &p), WIRE_OK);
	assert_int_equal(p.sport, r.sport);
	assert_int_equal(p.dport, r.dport);
	assert_int_equal(p.payload_len, r.payload_len);
	assert_memory_equal(p.payload, r.payload, r.payload_len);
}

static void test_zero_checksum(void **state)
{
	(void)state;
	uint8_t b[sizeof(udp4)];
	struct udp_repr r;
	memcpy(b, udp4, sizeof(b));
	put_be16(b + 6, 0);
	/* IPv4: zero means "no checksum" (RFC 768) */
	assert_int_equal(udp_parse_ipv4(b, sizeof(b), SRC4, DST4, 0, &r), WIRE_OK);
	/* IPv6: zero is invalid (RFC 8200 8.1) */
	memcpy(b, udp6, sizeof(b));
	put_be16(b + 6, 0);
	assert_int_equal(udp_parse_ipv6(b, sizeof(b), src6, dst6, 0, &r), WIRE_EBADCSUM);
	assert_int_equal(udp_parse_ipv6(b, sizeof(b), src6, dst6, UDP_PARSE_NO_CSUM, &r), WIRE_OK);

	struct udp_repr e = { .sport = 1, .dport = 2 };
	assert_int_equal(udp_emit_ipv4_nocsum(&e, b, sizeof(b)), 8);
	assert_int_equal(get_be16(b + 6), 0);
}

/* Find a payload whose checksum computes to 0 and check it is sent as 0xFFFF. */
static void test_computed_zero_becomes_ffff(void **state)
{
	(void)state;
	uint8_t pl[2], b[10];
	struct udp_repr r = { .sport = 1000, .dport = 2000, .payload = pl, .payload_len = 2 };
	/* With payload word w the ones' complement sum is S + w; choose w so
	 * that the sum is 0xFFFF, i.e. the checksum is 0. */
	pl[0] = pl[1] = 0;
	assert_int_equal(udp_emit_ipv4(&r, b, sizeof(b), SRC4, DST4), 10);
	uint16_t c0 = get_be16(b + 6); /* = ~S */
	put_be16(pl, c0);              /* S + ~S = 0xFFFF */
	assert_int_equal(udp_emit_ipv4(&r, b, sizeof(b), SRC4, DST4), 10);
	assert_int_equal(get_be16(b + 6), 0xffff);
	struct udp_repr p;
	assert_int_equal(udp_parse_ipv4(b, sizeof(b), SRC4, DST4, 0, &p), WIRE_OK);
}

static void test_lengths(void **state)
{
	(void)state;
	for (size_t n = 0; n < sizeof(udp4); n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, udp4, n);
		struct udp_repr r;
		int err = udp_parse_ipv4(b, n, SRC4, DST4, 0, &r);
		assert_int_equal(err, n < 8 ? WIRE_ETRUNC : WIRE_EBADLEN);
		free(b);
	}
	uint8_t b[sizeof(udp4) + 4] = { 0 };
	struct udp_repr r;
	memcpy(b, udp4, sizeof(udp4));
	/* trailing link padding beyond the length field is ignored */
	assert_int_equal(udp_parse_ipv4(b, sizeof(b), SRC4, DST4, 0, &r), WIRE_OK);
	assert_int_equal(r.payload_len, 11);
	for (uint16_t l = 0; l < 8; l++) {
		put_be16(b + 4, l);
		assert_int_equal(udp_parse(b, sizeof(b), &r), WIRE_EBADLEN);
	}
	put_be16(b + 4, (uint16_t)(sizeof(b) + 1));
	assert_int_equal(udp_parse(b, sizeof(b), &r), WIRE_EBADLEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_emit_matches_fixture),
		cmocka_unit_test(test_zero_checksum),
		cmocka_unit_test(test_computed_zero_becomes_ffff),
		cmocka_unit_test(test_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
