/* test_wire_icmp.c - RFC 792 ICMPv4 codec: echo fixture, round trips for
 * echo/frag-needed/parameter problem/redirect, checksum over the whole
 * message, truncation, and the quoted datagram of an error. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"
#include "wire/checksum.h"
#include "wire/icmp.h"
#include "wire/ipv4.h"

/* ICMP part of a ping: echo request id 0x1234 seq 1, 56 data bytes */
static const uint8_t echo[] = {
	0x08, 0x00, 0x2c, 0xf6, 0x12, 0x34, 0x00, 0x01, 0x10, 0x11, 0x12, 0x13,
	0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b,
	0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
	0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43,
	0x44, 0x45, 0x46, 0x47,
};

static void test_echo_fixture(void **state)
{
	(void)state;
	struct icmp_repr r;
	assert_int_equal(icmp_parse(echo, sizeof(echo), 0, &r), WIRE_OK);
	assert_int_equal(r.type, ICMP_ECHO);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.check, 0x2cf6);
	assert_int_equal(r.un.echo.id, 0x1234);
	assert_int_equal(r.un.echo.seq, 1);
	assert_int_equal(r.data_len, 56);
	assert_ptr_equal(r.data, echo + 8);
	assert_false(icmp_is_error(r.type));

	/* answer it: echo reply with the same data, in a fresh buffer */
	uint8_t out[sizeof(echo)];
	struct icmp_repr reply = r;
	reply.type = ICMP_ECHOREPLY;
	assert_int_equal(icmp_emit(&reply, out, sizeof(out) - 1), WIRE_ETRUNC);
	assert_int_equal(icmp_emit(&reply, out, sizeof(out)), sizeof(echo));
	assert_int_equal(out[0], 0);
	assert_memory_equal(out + 4, echo + 4, sizeof(echo) - 4);
	/* RFC 1624: only the type changed (8 -> 0) */
	assert_int_equal(get_be16(out + 2), csum_replace2(0x2cf6, 0x0800, 0x0000));
	struct icmp_repr p;
	assert_int_equal(icmp_parse(out, sizeof(out), 0, &p), WIRE_OK);
	assert_int_equal(p.un.echo.id, 0x1234);

	/* emit in place: data already at buf + 8 */
	uint8_t inplace[sizeof(echo)];
	memcpy(inplace, echo, sizeof(echo));
	assert_int_equal(icmp_parse(inplace, sizeof(inplace), 0, &p), WIRE_OK);
	assert_int_equal(icmp_emit(&p, inplace, sizeof(inplace)), sizeof(echo));
	assert_memory_equal(inplace, echo, sizeof(echo));
}

static void test_truncation_and_csum(void **state)
{
	(void)state;
	for (size_t n = 0; n < sizeof(echo); n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, echo, n);
		struct icmp_repr r;
		/* short: ETRUNC; else the checksum over a partial message fails */
		assert_int_equal(icmp_parse(b, n, 0, &r), n < 8 ? WIRE_ETRUNC : WIRE_EBADCSUM);
		free(b);
	}
	uint8_t b[sizeof(echo)];
	memcpy(b, echo, sizeof(b));
	b[sizeof(b) - 1] ^= 1; /* corrupt the last data byte */
	struct icmp_repr r;
	assert_int_equal(icmp_parse(b, sizeof(b), 0, &r), WIRE_EBADCSUM);
	assert_int_equal(icmp_parse(b, sizeof(b), ICMP_PARSE_NO_CSUM, &r), WIRE_OK);
}

/* A UDP datagram 10.0.0.1:4000 -> 10.0.0.2:53, as quoted in an error */
static size_t make_inner(uint8_t *b)
{
	struct ipv4_repr ip = { .tot_len = 1400, .id = 7, .df = true, .ttl = 64,
				.protocol = IPPROTO_UDP, .saddr = 0x0a000001, .daddr = 0x0a000002 };
	assert_int_equal(ipv4_emit(&ip, b, 20), 20);
	put_be16(b + 20, 4000);
	put_be16(b + 22, 53);
	put_be16(b + 24, 1380);
	put_be16(b + 26, 0);
	return 28;
}

static void test_frag_needed(void **state)
{
	(void)state;
	uint8_t inner[28], b[64];
	size_t ilen = make_inner(inner);
	struct icmp_repr r;
	memset(&r, 0, sizeof(r));
	r.type = ICMP_DEST_UNREACH;
	r.code = ICMP_FRAG_NEEDED;
	r.un.mtu = 1280;
	r.data = inner;
	r.data_len = ilen;
	int n = icmp_emit(&r, b, sizeof(b));
	assert_int_equal(n, 36);
	assert_int_equal(get_be16(b + 4), 0); /* RFC 1191: unused */
	assert_int_equal(get_be16(b + 6), 1280);

	struct icmp_repr p;
	assert_int_equal(icmp_parse(b, (size_t)n, 0, &p), WIRE_OK);
	assert_true(icmp_is_error(p.type));
	assert_int_equal(p.code, ICMP_FRAG_NEEDED);
	assert_int_equal(p.un.mtu, 1280);

	struct ipv4_repr ip;
	const uint8_t *l4;
	size_t l4_len;
	assert_int_equal(icmp_parse_inner(&p, &ip, &l4, &l4_len), WIRE_OK);
	assert_int_equal(ip.protocol, IPPROTO_UDP);
	assert_int_equal(ip.daddr, 0x0a000002);
	assert_int_equal(ip.tot_len, 1400);
	assert_int_equal(l4_len, 8);
	assert_int_equal(get_be16(l4), 4000);
	assert_int_equal(get_be16(l4 + 2), 53);

	/* quote cut short: fewer than 64 bits of transport header */
	p.data_len = 27;
	assert_int_equal(icmp_parse_inner(&p, &ip, &l4, &l4_len), WIRE_ETRUNC);
	p.data_len = 10;
	assert_int_equal(icmp_parse_inner(&p, &ip, &l4, &l4_len), WIRE_ETRUNC);
	/* echo has no quoted datagram */
	assert_int_equal(icmp_parse(echo, sizeof(echo), 0, &p), WIRE_OK);
	assert_int_equal(icmp_parse_inner(&p, &ip, &l4, &l4_len), WIRE_EBADVAL);
}

static void test_other_types_roundtrip(void **state)
{
	(void)state;
	uint8_t b[16];
	struct icmp_repr r, p;

	memset(&r, 0, sizeof(r));
	r.type = ICMP_PARAMETERPROB;
	r.code = ICMP_PARAM_PTR;
	r.un.pointer = 9;
	assert_int_equal(icmp_emit(&r, b, sizeof(b)), 8);
	assert_int_equal(get_be32(b + 4), 0x09000000);
	assert_int_equal(icmp_parse(b, 8, 0, &p), WIRE_OK);
	assert_int_equal(p.un.pointer, 9);

	memset(&r, 0, sizeof(r));
	r.type = ICMP_REDIRECT;
	r.code = ICMP_REDIR_HOST;
	r.un.gateway = 0xc0a80101;
	assert_int_equal(icmp_emit(&r, b, sizeof(b)), 8);
	assert_int_equal(icmp_parse(b, 8, 0, &p), WIRE_OK);
	assert_int_equal(p.un.gateway, 0xc0a80101);
	assert_true(icmp_is_error(p.type));

	memset(&r, 0, sizeof(r));
	r.type = ICMP_TIME_EXCEEDED;
	r.code = ICMP_EXC_TTL;
	assert_int_equal(icmp_emit(&r, b, sizeof(b)), 8);
	assert_int_equal(icmp_parse(b, 8, 0, &p), WIRE_OK);
	assert_int_equal(p.un.raw, 0);
	assert_int_equal(p.code, ICMP_EXC_TTL);
	assert_int_equal(ICMP_PORT_UNREACH, 3);
	assert_int_equal(ICMP_PREC_CUTOFF, 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_fixture),
		cmocka_unit_test(test_truncation_and_csum),
		cmocka_unit_test(test_frag_needed),
		cmocka_unit_test(test_other_types_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
