/* test_wire_ipv6.c - RFC 8200 codec: fixed header fixture and round trip,
 * truncation at every length, extension-header walks (limits, HbH rule,
 * fragments, a 100+ header chain), fragment/routing headers, options TLVs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"
#include "wire/ipv6.h"

/* IPv6 header of a Neighbor Solicitation fe80::1 -> ff02::1:ff00:2 + 32 bytes */
static const uint8_t ns_pkt[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff, 0xfe, 0x80, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0xff, 0x00, 0x00, 0x02, 0x87, 0x00, 0x7a, 0x97, 0x00, 0x00, 0x00, 0x00,
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
};

static void test_fixture_and_roundtrip(void **state)
{
	(void)state;
	struct ipv6_repr r;
	assert_int_equal(ipv6_parse(ns_pkt, sizeof(ns_pkt), &r), WIRE_OK);
	assert_int_equal(r.tclass, 0);
	assert_int_equal(r.flow_label, 0);
	assert_int_equal(r.payload_len, 32);
	assert_int_equal(r.nexthdr, IPPROTO_ICMPV6);
	assert_int_equal(r.hop_limit, 255);
	assert_memory_equal(r.saddr, ns_pkt + 8, 16);
	assert_memory_equal(r.daddr, ns_pkt + 24, 16);

	uint8_t b[40];
	assert_int_equal(ipv6_emit(&r, b, sizeof(b)), 40);
	assert_memory_equal(b, ns_pkt, 40);

	struct ipv6_repr e = { .tclass = 0xb9, .flow_label = 0xabcde, .payload_len = 0,
			       .nexthdr = IPPROTO_NONE, .hop_limit = 1 }, p;
	memset(e.saddr, 0x11, 16);
	memset(e.daddr, 0x22, 16);
	assert_int_equal(ipv6_emit(&e, b, 39), WIRE_ETRUNC);
	assert_int_equal(ipv6_emit(&e, b, 40), 40);
	assert_int_equal(ipv6_parse(b, 40, &p), WIRE_OK);
	assert_int_equal(p.tclass, e.tclass);
	assert_int_equal(p.flow_label, e.flow_label);
	assert_int_equal(p.payload_len, e.payload_len);
	assert_int_equal(p.nexthdr, e.nexthdr);
	assert_int_equal(p.hop_limit, e.hop_limit);
	assert_memory_equal(p.saddr, e.saddr, 16);
	assert_memory_equal(p.daddr, e.daddr, 16);
	e.flow_label = 0x100000;
	assert_int_equal(ipv6_emit(&e, b, 40), WIRE_EBADVAL);
}

static void test_truncation_and_bad(void **state)
{
	(void)state;
	for (size_t n = 0; n < sizeof(ns_pkt); n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, ns_pkt, n);
		struct ipv6_repr r;
		assert_int_equal(ipv6_parse(b, n, &r), n < 40 ? WIRE_ETRUNC : WIRE_EBADLEN);
		free(b);
	}
	uint8_t b[sizeof(ns_pkt)];
	struct ipv6_repr r;
	memcpy(b, ns_pkt, sizeof(b));
	b[0] = 0x40;
	assert_int_equal(ipv6_parse(b, sizeof(b), &r), WIRE_EBADVER);
	memcpy(b, ns_pkt, sizeof(b));
	put_be16(b + 4, 33);
	assert_int_equal(ipv6_parse(b, sizeof(b), &r), WIRE_EBADLEN);
}

/* Build a generic 8-byte options-style extension header. */
static void ext8(uint8_t *p, uint8_t next)
{
	memset(p, 0, 8);
	p[0] = next;
	p[1] = 0;
	p[2] = IPV6_TLV_PADN; /* PadN covering the remaining 4 bytes */
	p[3] = 4;
}

static void test_ext_walk(void **state)
{
	(void)state;
	uint8_t b[64];
	struct ipv6_ext_info x;

	/* HbH -> DestOpts -> Routing(16 bytes) -> TCP */
	ext8(b, IPPROTO_DSTOPTS);
	ext8(b + 8, IPPROTO_ROUTING);
	memset(b + 16, 0, 16);
	b[16] = IPPROTO_TCP;
	b[17] = 1; /* 16 bytes */
	b[18] = IPV6_SRCRT_TYPE_4;
	b[19] = 0;
	assert_int_equal(ipv6_ext_walk(b, 52, IPPROTO_HOPOPTS, 8, 1024, &x), WIRE_OK);
	assert_int_equal(x.proto, IPPROTO_TCP);
	assert_int_equal(x.offset, 32);
	assert_int_equal(x.nhdrs, 3);
	assert_false(x.frag);
	assert_int_equal(x.nexthdr_off, 16);

	/* limits */
	assert_int_equal(ipv6_ext_walk(b, 52, IPPROTO_HOPOPTS, 2, 1024, &x), WIRE_ELIMIT);
	assert_int_equal(ipv6_ext_walk(b, 52, IPPROTO_HOPOPTS, 8, 31, &x), WIRE_ELIMIT);
	assert_int_equal(ipv6_ext_walk(b, 52, IPPROTO_HOPOPTS, 3, 32, &x), WIRE_OK);
	/* routing header cut short */
	for (size_t n = 0; n < 32; n++) {
		uint8_t *c = malloc(n ? n : 1);
		memcpy(c, b, n);
		assert_int_equal(ipv6_ext_walk(c, n, IPPROTO_HOPOPTS, 8, 1024, &x), WIRE_ETRUNC);
		free(c);
	}

	/* HbH not first: RFC 8200 4.1 */
	ext8(b, IPPROTO_HOPOPTS);
	assert_int_equal(ipv6_ext_walk(b, 16, IPPROTO_DSTOPTS, 8, 1024, &x), WIRE_EBADVAL);

	/* no extension headers at all */
	assert_int_equal(ipv6_ext_walk(b, 0, IPPROTO_UDP, 0, 0, &x), WIRE_OK);
	assert_int_equal(x.proto, IPPROTO_UDP);
	assert_int_equal(x.offset, 0);
	assert_int_equal(x.nexthdr_off, SIZE_MAX);

	/* AH length counts 4-octet units minus 2 (RFC 4302): 24 bytes */
	memset(b, 0, 32);
	b[0] = IPPROTO_ICMPV6;
	b[1] = 4;
	assert_int_equal(ipv6_ext_walk(b, 32, IPPROTO_AH, 4, 1024, &x), WIRE_OK);
	assert_int_equal(x.offset, 24);
	assert_int_equal(x.proto, IPPROTO_ICMPV6);
}

static void test_ext_walk_long_chain(void **state)
{
	(void)state;
	enum { N = 120 };
	uint8_t *b = malloc(N * 8 + 8);
	for (int i = 0; i < N; i++)
		ext8(b + 8 * i, i == N - 1 ? IPPROTO_UDP : IPPROTO_DSTOPTS);
	memset(b + N * 8, 0, 8);
	struct ipv6_ext_info x;
	assert_int_equal(ipv6_ext_walk(b, N * 8 + 8, IPPROTO_DSTOPTS, 16, 65535, &x), WIRE_ELIMIT);
	assert_int_equal(ipv6_ext_walk(b, N * 8 + 8, IPPROTO_DSTOPTS, 1000, 512, &x), WIRE_ELIMIT);
	assert_int_equal(ipv6_ext_walk(b, N * 8 + 8, IPPROTO_DSTOPTS, N, 65535, &x), WIRE_OK);
	assert_int_equal(x.nhdrs, N);
	assert_int_equal(x.proto, IPPROTO_UDP);
	assert_int_equal(x.offset, N * 8);
	free(b);
}

static void test_fragment(void **state)
{
	(void)state;
	uint8_t b[16];
	struct ipv6_frag_repr f = { .nexthdr = IPPROTO_UDP, .frag_off = 185, .mf = true,
				    .id = 0xdeadbeef }, p;
	assert_int_equal(ipv6_frag_emit(&f, b, 7), WIRE_ETRUNC);
	assert_int_equal(ipv6_frag_emit(&f, b, 8), 8);
	static const uint8_t want[8] = { 17, 0, 0x05, 0xc9, 0xde, 0xad, 0xbe, 0xef };
	assert_memory_equal(b, want, 8);
	for (size_t n = 0; n < 8; n++)
		assert_int_equal(ipv6_frag_parse(b, n, &p), WIRE_ETRUNC);
	assert_int_equal(ipv6_frag_parse(b, 8, &p), WIRE_OK);
	assert_int_equal(p.nexthdr, f.nexthdr);
	assert_int_equal(p.frag_off, f.frag_off);
	assert_int_equal(p.mf, f.mf);
	assert_int_equal(p.id, f.id);
	f.frag_off = 0x2000;
	assert_int_equal(ipv6_frag_emit(&f, b, 8), WIRE_EBADVAL);

	/* walker stops at a non-first fragment */
	struct ipv6_ext_info x;
	assert_int_equal(ipv6_ext_walk(b, 8, IPPROTO_FRAGMENT, 4, 64, &x), WIRE_OK);
	assert_true(x.frag);
	assert_int_equal(x.frag_off, 185);
	assert_int_equal(x.proto, IPPROTO_UDP);
	assert_int_equal(x.offset, 8);
	/* first fragment: continues into the next header */
	f.frag_off = 0;
	f.nexthdr = IPPROTO_DSTOPTS;
	assert_int_equal(ipv6_frag_emit(&f, b, 8), 8);
	ext8(b + 8, IPPROTO_TCP);
	assert_int_equal(ipv6_ext_walk(b, 16, IPPROTO_FRAGMENT, 4, 64, &x), WIRE_OK);
	assert_true(x.frag);
	assert_int_equal(x.frag_hdr_off, 0);
	assert_int_equal(x.proto, IPPROTO_TCP);
	assert_int_equal(x.offset, 16);
}

static void test_routing(void **state)
{
	(void)state;
	uint8_t b[24] = { IPPROTO_TCP, 2, IPV6_SRCRT_TYPE_0, 1 };
	struct ipv6_rt_repr r;
	assert_int_equal(ipv6_rt_parse(b, 24, &r), WIRE_OK);
	assert_int_equal(r.type, IPV6_SRCRT_TYPE_0);
	assert_int_equal(r.segments_left, 1);
	assert_int_equal(r.hdr_len, 24);
	assert_int_equal(r.data_len, 20);
	assert_int_equal(r.nexthdr, IPPROTO_TCP);
	for (size_t n = 0; n < 24; n++)
		assert_int_equal(ipv6_rt_parse(b, n, &r), WIRE_ETRUNC);
}

static void test_options_tlv(void **state)
{
	(void)state;
	/* next, len=1 (16 bytes): Pad1, RouterAlert(2), unknown 0x9e(3), PadN(2) */
	static const uint8_t h[16] = { IPPROTO_UDP, 1, 0x00, 0x05, 0x02, 0x00, 0x00,
				       0x9e, 0x03, 0xaa, 0xbb, 0xcc, 0x01, 0x02, 0x00, 0x00 };
	assert_int_equal(ipv6_opthdr_len(h, 16), 16);
	assert_int_equal(ipv6_opthdr_len(h, 15), WIRE_ETRUNC);
	size_t off = 0;
	struct ipv6_opt o;
	assert_int_equal(ipv6_opt_next(h, 16, &off, &o), 1);
	assert_int_equal(o.type, IPV6_TLV_ROUTERALERT);
	assert_int_equal(o.len, 2);
	assert_int_equal(o.off, 3);
	assert_int_equal(ipv6_opt_action(o.type), IPV6_OPT_ACT_SKIP);
	assert_int_equal(ipv6_opt_next(h, 16, &off, &o), 1);
	assert_int_equal(o.type, 0x9e);
	assert_int_equal(o.len, 3);
	assert_int_equal(o.data[0], 0xaa);
	assert_int_equal(ipv6_opt_action(o.type), IPV6_OPT_ACT_ICMP);
	assert_false(ipv6_opt_may_change(o.type));
	assert_int_equal(ipv6_opt_next(h, 16, &off, &o), 0);
	assert_int_equal(ipv6_opt_next(h, 16, &off, &o), 0);
	assert_int_equal(ipv6_opt_action(0x40), IPV6_OPT_ACT_DISCARD);
	assert_int_equal(ipv6_opt_action(IPV6_TLV_JUMBO), IPV6_OPT_ACT_ICMP_UNICAST);
	assert_true(ipv6_opt_may_change(0x3e));

	/* an option running past the header, at every cut */
	for (size_t n = 2; n < 16; n++) {
		uint8_t *c = malloc(n);
		memcpy(c, h, n);
		int rc;
		off = 0;
		while ((rc = ipv6_opt_next(c, n, &off, &o)) == 1)
			;
		assert_true(rc == 0 || rc == WIRE_EBADOPT);
		if (n == 4 || n == 5 || n == 8 || n == 9 || n == 10)
			assert_int_equal(rc, WIRE_EBADOPT);
		free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_and_roundtrip),
		cmocka_unit_test(test_truncation_and_bad),
		cmocka_unit_test(test_ext_walk),
		cmocka_unit_test(test_ext_walk_long_chain),
		cmocka_unit_test(test_fragment),
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_options_tlv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
