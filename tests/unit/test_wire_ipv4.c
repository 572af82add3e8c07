/* test_wire_ipv4.c - RFC 791 header codec: fixture parse, round trips with
 * and without options, truncation at every length, bad version/IHL/total
 * length/checksum, fragment fields. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"

/* IPv4 + ICMP echo request (ping 192.168.1.1 from 192.168.1.10), 84 bytes */
static const uint8_t icmp_echo[] = {
	0x45, 0x00, 0x00, 0x54, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x01, 0x9b, 0x07,
	0xc0, 0xa8, 0x01, 0x0a, 0xc0, 0xa8, 0x01, 0x01, 0x08, 0x00, 0x2c, 0xf6,
	0x12, 0x34, 0x00, 0x01, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23,
	0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
	0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b,
	0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
};

static void test_fixture(void **state)
{
	(void)state;
	struct ipv4_repr r;
	assert_int_equal(ipv4_parse(icmp_echo, sizeof(icmp_echo), 0, &r), WIRE_OK);
	assert_int_equal(r.tot_len, 84);
	assert_int_equal(r.id, 0x1c46);
	assert_true(r.df);
	assert_false(r.mf);
	assert_false(r.rf);
	assert_int_equal(r.frag_off, 0);
	assert_false(ipv4_is_fragment(&r));
	assert_int_equal(r.ttl, 64);
	assert_int_equal(r.protocol, IPPROTO_ICMP);
	assert_int_equal(r.check, 0x9b07);
	assert_int_equal(r.saddr, 0xc0a8010a);
	assert_int_equal(r.daddr, 0xc0a80101);
	assert_null(r.opts);
	assert_int_equal(r.opts_len, 0);
	assert_int_equal(ipv4_hdr_len(&r), 20);
	assert_int_equal(ipv4_payload_len(&r), 64);

	/* re-emitting the parsed repr gives the same header bytes */
	uint8_t out[20];
	assert_int_equal(ipv4_emit(&r, out, sizeof(out)), 20);
	assert_memory_equal(out, icmp_echo, 20);
}

static void test_trailing_padding_ok(void **state)
{
	(void)state;
	uint8_t b[sizeof(icmp_echo) + 10] = { 0 };
	memcpy(b, icmp_echo, sizeof(icmp_echo));
	struct ipv4_repr r;
	assert_int_equal(ipv4_parse(b, sizeof(b), 0, &r), WIRE_OK);
	assert_int_equal(r.tot_len, 84);
}

static void test_truncation(void **state)
{
	(void)state;
	for (size_t n = 0; n < sizeof(icmp_echo); n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, icmp_echo, n);
		struct ipv4_repr r;
		int err = ipv4_parse(b, n, 0, &r);
		assert_true(err < 0);
		assert_int_equal(err, n < 20 ? WIRE_ETRUNC : WIRE_EBADLEN);
		free(b);
	}
}

static void fix_csum(uint8_t *h, size_t hlen)
{
	put_be16(h + 10, 0);
	put_be16(h + 10, csum_fold(csum_partial(h, hlen, 0)));
}

static void test_bad_fields(void **state)
{
	(void)state;
	uint8_t b[sizeof(icmp_echo)];
	struct ipv4_repr r;

	memcpy(b, icmp_echo, sizeof(b));
	b[0] = 0x65; /* version 6 */
	fix_csum(b, 20);
	assert_int_equal(ipv4_parse(b, sizeof(b), 0, &r), WIRE_EBADVER);

	for (uint8_t ihl = 0; ihl < 5; ihl++) { /* IHL < 5 */
		memcpy(b, icmp_echo, sizeof(b));
		b[0] = (uint8_t)(0x40 | ihl);
		assert_int_equal(ipv4_parse(b, sizeof(b), IPV4_PARSE_NO_CSUM, &r), WIRE_EBADLEN);
	}

	memcpy(b, icmp_echo, sizeof(b));
	put_be16(b + 2, 19); /* total length < header */
	fix_csum(b, 20);
	assert_int_equal(ipv4_parse(b, sizeof(b), 0, &r), WIRE_EBADLEN);

	memcpy(b, icmp_echo, sizeof(b));
	put_be16(b + 2, 85); /* total length > received */
	fix_csum(b, 20);
	assert_int_equal(ipv4_parse(b, sizeof(b), 0, &r), WIRE_EBADLEN);
	assert_int_equal(ipv4_parse(b, sizeof(b), IPV4_PARSE_TRUNC_OK, &r), WIRE_OK);

	memcpy(b, icmp_echo, sizeof(b));
	b[0] = 0x4f; /* IHL 15 = 60 bytes: fits in 84 */
	put_be16(b + 2, 60);
	fix_csum(b, 60);
	assert_int_equal(ipv4_parse(b, sizeof(b), 0, &r), WIRE_OK);
	assert_int_equal(r.opts_len, 40);
	assert_ptr_equal(r.opts, b + 20);
	assert_int_equal(ipv4_parse(b, 59, 0, &r), WIRE_ETRUNC); /* IHL past buffer */

	memcpy(b, icmp_echo, sizeof(b));
	b[8] = 63; /* TTL changed, checksum stale */
	assert_int_equal(ipv4_parse(b, sizeof(b), 0, &r), WIRE_EBADCSUM);
	assert_int_equal(ipv4_parse(b, sizeof(b), IPV4_PARSE_NO_CSUM, &r), WIRE_OK);
	assert_int_equal(r.ttl, 63);
}

static void test_roundtrip_options_and_frags(void **state)
{
	(void)state;
	static const uint8_t opts[8] = { 0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00 };
	struct ipv4_repr r = {
		.tos = 0xb8, .tot_len = 1500, .id = 0xbeef, .rf = false, .df = false, .mf = true,
		.frag_off = 185, .ttl = 1, .protocol = IPPROTO_UDP,
		.saddr = 0x0a000001, .daddr = 0xe0000001, .opts = opts, .opts_len = sizeof(opts),
	};
	uint8_t b[28];
	assert_int_equal(ipv4_emit(&r, b, 27), WIRE_ETRUNC);
	assert_int_equal(ipv4_emit(&r, b, 28), 28);
	struct ipv4_repr p;
	assert_int_equal(ipv4_parse(b, sizeof(b), IPV4_PARSE_TRUNC_OK, &p), WIRE_OK);
	assert_int_equal(csum_fold(csum_partial(b, 28, 0)), 0);
	assert_int_equal(p.tos, r.tos);
	assert_int_equal(p.tot_len, r.tot_len);
	assert_int_equal(p.id, r.id);
	assert_int_equal(p.rf, r.rf);
	assert_int_equal(p.df, r.df);
	assert_int_equal(p.mf, r.mf);
	assert_int_equal(p.frag_off, r.frag_off);
	assert_int_equal(p.ttl, r.ttl);
	assert_int_equal(p.protocol, r.protocol);
	assert_int_equal(p.saddr, r.saddr);
	assert_int_equal(p.daddr, r.daddr);
	assert_int_equal(p.opts_len, 8);
	assert_memory_equal(p.opts, opts, 8);
	assert_true(ipv4_is_fragment(&p));
	assert_false(ipv4_is_first_fragment(&p));
	assert_false(ipv4_is_last_fragment(&p));
	assert_int_equal(ipv4_frag_offset_bytes(&p), 1480);

	r.opts_len = 6; /* not a multiple of 4 */
	assert_int_equal(ipv4_emit(&r, b, sizeof(b)), WIRE_EBADLEN);
	r.opts_len = 8;
	r.tot_len = 27; /* shorter than the header */
	assert_int_equal(ipv4_emit(&r, b, sizeof(b)), WIRE_EBADLEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_trailing_padding_ok),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_roundtrip_options_and_frags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
