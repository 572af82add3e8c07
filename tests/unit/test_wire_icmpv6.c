/* test_wire_icmpv6.c - RFC 4443 ICMPv6 and RFC 4861 NDP codecs: a Neighbor
 * Solicitation and an echo request with their checksums, NDP bodies and
 * options (SLLA/TLLA, prefix information, MTU), length-0 options,
 * truncation at every length, round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"
#include "wire/icmpv6.h"
#include "wire/ipv6.h"

static const uint8_t ll1[16] = { 0xfe, 0x80, [15] = 1 };
static const uint8_t ll2[16] = { 0xfe, 0x80, [15] = 2 };
static const uint8_t snm[16] = { 0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 2 };

/* NS fe80::1 -> ff02::1:ff00:2, target fe80::2, SLLA 02:00:00:00:00:01 */
static const uint8_t ns_msg[] = {
	0x87, 0x00, 0x7a, 0x97, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x80, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
};
/* echo request fe80::1 -> fe80::2 id 0x4242 seq 7 "abcdefgh" */
static const uint8_t echo6[] = {
	0x80, 0x00, 0xae, 0xd1, 0x42, 0x42, 0x00, 0x07, 0x61, 0x62, 0x63, 0x64,
	0x65, 0x66, 0x67, 0x68,
};

static void test_echo(void **state)
{
	(void)state;
	struct icmpv6_repr r;
	assert_int_equal(icmpv6_parse(echo6, sizeof(echo6), ll1, ll2, 0, &r), WIRE_OK);
	assert_int_equal(r.type, ICMPV6_ECHO_REQUEST);
	assert_int_equal(r.un.echo.id, 0x4242);
	assert_int_equal(r.un.echo.seq, 7);
	assert_int_equal(r.data_len, 8);
	assert_false(icmpv6_is_error(r.type));
	assert_int_equal(icmpv6_parse(echo6, sizeof(echo6), ll2, ll2, 0, &r), WIRE_EBADCSUM);

	uint8_t b[sizeof(echo6)];
	assert_int_equal(icmpv6_parse(echo6, sizeof(echo6), ll1, ll2, 0, &r), WIRE_OK);
	assert_int_equal(icmpv6_emit(&r, b, sizeof(b) - 1, ll1, ll2), WIRE_ETRUNC);
	assert_int_equal(icmpv6_emit(&r, b, sizeof(b), ll1, ll2), sizeof(echo6));
	assert_memory_equal(b, echo6, sizeof(echo6));

	for (size_t n = 0; n < sizeof(echo6); n++) {
		uint8_t *c = malloc(n ? n : 1);
		memcpy(c, echo6, n);
		assert_int_equal(icmpv6_parse(c, n, ll1, ll2, 0, &r),
				 n < 8 ? WIRE_ETRUNC : WIRE_EBADCSUM);
		free(c);
	}
}

static void test_errors_roundtrip(void **state)
{
	(void)state;
	uint8_t inner[48] = { 0x60 }, b[64];
	struct icmpv6_repr r = { .type = ICMPV6_PKT_TOOBIG, .code = 0, .un.mtu = 1280,
				 .data = inner, .data_len = sizeof(inner) }, p;
	assert_int_equal(icmpv6_emit(&r, b, sizeof(b), ll1, ll2), 56);
	assert_int_equal(icmpv6_parse(b, 56, ll1, ll2, 0, &p), WIRE_OK);
	assert_true(icmpv6_is_error(p.type));
	assert_int_equal(p.un.mtu, 1280);
	assert_int_equal(p.data_len, 48);
	assert_int_equal(p.data[0], 0x60);

	r.type = ICMPV6_PARAMPROB;
	r.code = ICMPV6_UNK_NEXTHDR;
	r.un.pointer = 40;
	assert_int_equal(icmpv6_emit(&r, b, sizeof(b), ll1, ll2), 56);
	assert_int_equal(icmpv6_parse(b, 56, ll1, ll2, 0, &p), WIRE_OK);
	assert_int_equal(p.un.pointer, 40);
	assert_int_equal(p.code, ICMPV6_UNK_NEXTHDR);
}

static void test_ns_fixture(void **state)
{
	(void)state;
	struct icmpv6_repr ic;
	struct ndp_repr nd;
	assert_int_equal(icmpv6_parse(ns_msg, sizeof(ns_msg), ll1, snm, 0, &ic), WIRE_OK);
	assert_int_equal(ic.type, NDISC_NEIGHBOUR_SOLICITATION);
	assert_int_equal(ndp_parse(&ic, &nd), WIRE_OK);
	assert_memory_equal(nd.target, ll2, 16);
	assert_int_equal(nd.opts_len, 8);

	size_t off = 0;
	struct ndp_opt o;
	uint8_t mac[6];
	static const uint8_t want[6] = { 2, 0, 0, 0, 0, 1 };
	assert_int_equal(ndp_opt_next(nd.opts, nd.opts_len, &off, &o), 1);
	assert_int_equal(o.type, ND_OPT_SOURCE_LL_ADDR);
	assert_int_equal(ndp_opt_lladdr(&o, mac), WIRE_OK);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(ndp_opt_next(nd.opts, nd.opts_len, &off, &o), 0);

	/* re-emit: identical bytes */
	uint8_t b[sizeof(ns_msg)];
	assert_int_equal(ndp_emit(&nd, b, sizeof(b) - 1, ll1, snm), WIRE_ETRUNC);
	assert_int_equal(ndp_emit(&nd, b, sizeof(b), ll1, snm), sizeof(ns_msg));
	assert_memory_equal(b, ns_msg, sizeof(ns_msg));

	/* truncations: ICMP parse fails on length or checksum */
	for (size_t n = 0; n < sizeof(ns_msg); n++) {
		uint8_t *c = malloc(n ? n : 1);
		memcpy(c, ns_msg, n);
		assert_true(icmpv6_parse(c, n, ll1, snm, 0, &ic) < 0);
		/* and with the checksum skipped, the NDP layer still refuses
		 * bodies shorter than the target, and never over-reads */
		if (icmpv6_parse(c, n, ll1, snm, ICMPV6_PARSE_NO_CSUM, &ic) == WIRE_OK) {
			int err = ndp_parse(&ic, &nd);
			if (n < 24)
				assert_int_equal(err, WIRE_ETRUNC);
			else if (n == 24) /* no options at all: valid */
				assert_int_equal(err, WIRE_OK);
			else
				assert_int_equal(err, WIRE_EBADOPT);
		}
		free(c);
	}
}

static void test_ndp_validation(void **state)
{
	(void)state;
	uint8_t b[sizeof(ns_msg)];
	struct icmpv6_repr ic;
	struct ndp_repr nd;

	memcpy(b, ns_msg, sizeof(b));
	b[25] = 0; /* SLLA length 0: RFC 4861 4.6 */
	assert_int_equal(icmpv6_parse(b, sizeof(b), ll1, snm, ICMPV6_PARSE_NO_CSUM, &ic), WIRE_OK);
	assert_int_equal(ndp_parse(&ic, &nd), WIRE_EBADOPT);

	memcpy(b, ns_msg, sizeof(b));
	b[25] = 2; /* runs past the end */
	assert_int_equal(icmpv6_parse(b, sizeof(b), ll1, snm, ICMPV6_PARSE_NO_CSUM, &ic), WIRE_OK);
	assert_int_equal(ndp_parse(&ic, &nd), WIRE_EBADOPT);

	memcpy(b, ns_msg, sizeof(b));
	b[1] = 1; /* code != 0 */
	assert_int_equal(icmpv6_parse(b, sizeof(b), ll1, snm, ICMPV6_PARSE_NO_CSUM, &ic), WIRE_OK);
	assert_int_equal(ndp_parse(&ic, &nd), WIRE_EBADVAL);

	memcpy(b, ns_msg, sizeof(b));
	b[8] = 0xff; /* multicast target */
	assert_int_equal(icmpv6_parse(b, sizeof(b), ll1, snm, ICMPV6_PARSE_NO_CSUM, &ic), WIRE_OK);
	assert_int_equal(ndp_parse(&ic, &nd), WIRE_EBADVAL);

	assert_int_equal(icmpv6_parse(echo6, sizeof(echo6), ll1, ll2, 0, &ic), WIRE_OK);
	assert_int_equal(ndp_parse(&ic, &nd), WIRE_EUNSUPP);
}

static void test_ra_roundtrip(void **state)
{
	(void)state;
	uint8_t opts[48], b[128];
	static const uint8_t mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	struct ndp_prefix_info pi = { .prefix_len = 64, .onlink = true, .autoconf = true,
				      .valid_lft = 2592000, .preferred_lft = 604800,
				      .prefix = { 0x20, 0x01, 0x0d, 0xb8 } };
	assert_int_equal(ndp_opt_emit_lladdr(ND_OPT_SOURCE_LL_ADDR, mac, opts, 8), 8);
	assert_int_equal(ndp_opt_emit_mtu(1500, opts + 8, 8), 8);
	assert_int_equal(ndp_opt_emit_prefix_info(&pi, opts + 16, 31), WIRE_ETRUNC);
	assert_int_equal(ndp_opt_emit_prefix_info(&pi, opts + 16, 32), 32);

	struct ndp_repr ra = { .type = NDISC_ROUTER_ADVERTISEMENT, .cur_hop_limit = 64,
			       .ra_flags = ND_RA_FLAG_OTHER, .router_lifetime = 1800,
			       .reachable_time = 30000, .retrans_timer = 1000,
			       .opts = opts, .opts_len = sizeof(opts) };
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	int n = ndp_emit(&ra, b, sizeof(b), ll1, all_nodes);
	assert_int_equal(n, 16 + 48);

	struct icmpv6_repr ic;
	struct ndp_repr p;
	assert_int_equal(icmpv6_parse(b, (size_t)n, ll1, all_nodes, 0, &ic), WIRE_OK);
	assert_int_equal(ndp_parse(&ic, &p), WIRE_OK);
	assert_int_equal(p.cur_hop_limit, 64);
	assert_int_equal(p.ra_flags, ND_RA_FLAG_OTHER);
	assert_int_equal(p.router_lifetime, 1800);
	assert_int_equal(p.reachable_time, 30000);
	assert_int_equal(p.retrans_timer, 1000);
	assert_int_equal(p.opts_len, 48);

	size_t off = 0;
	struct ndp_opt o;
	uint8_t m[6];
	uint32_t mtu;
	struct ndp_prefix_info pp;
	assert_int_equal(ndp_opt_next(p.opts, p.opts_len, &off, &o), 1);
	assert_int_equal(ndp_opt_lladdr(&o, m), WIRE_OK);
	assert_memory_equal(m, mac, 6);
	assert_int_equal(ndp_opt_mtu(&o, &mtu), WIRE_EBADVAL);
	assert_int_equal(ndp_opt_next(p.opts, p.opts_len, &off, &o), 1);
	assert_int_equal(ndp_opt_mtu(&o, &mtu), WIRE_OK);
	assert_int_equal(mtu, 1500);
	assert_int_equal(ndp_opt_next(p.opts, p.opts_len, &off, &o), 1);
	assert_int_equal(ndp_opt_prefix_info(&o, &pp), WIRE_OK);
	assert_int_equal(pp.prefix_len, 64);
	assert_true(pp.onlink);
	assert_true(pp.autoconf);
	assert_int_equal(pp.valid_lft, 2592000);
	assert_int_equal(pp.preferred_lft, 604800);
	assert_memory_equal(pp.prefix, pi.prefix, 16);
	assert_int_equal(ndp_opt_next(p.opts, p.opts_len, &off, &o), 0);

	/* prefix length > 128 is refused */
	pi.prefix_len = 129;
	assert_int_equal(ndp_opt_emit_prefix_info(&pi, opts, 32), WIRE_EBADVAL);
	opts[2] = 129;
	off = 0;
	assert_int_equal(ndp_opt_next(opts, 32, &off, &o), 1);
	assert_int_equal(ndp_opt_prefix_info(&o, &pp), WIRE_EBADVAL);
}

static void test_na_redirect_rs(void **state)
{
	(void)state;
	uint8_t b[128];
	struct icmpv6_repr ic;
	struct ndp_repr p;

	struct ndp_repr na = { .type = NDISC_NEIGHBOUR_ADVERTISEMENT, .router = true,
			       .solicited = true, .override = false };
	memcpy(na.target, ll2, 16);
	int n = ndp_emit(&na, b, sizeof(b), ll2, ll1);
	assert_int_equal(n, 24);
	assert_int_equal(get_be32(b + 4), ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED);
	assert_int_equal(icmpv6_parse(b, (size_t)n, ll2, ll1, 0, &ic), WIRE_OK);
	assert_int_equal(ndp_parse(&ic, &p), WIRE_OK);
	assert_true(p.router);
	assert_true(p.solicited);
	assert_false(p.override);
	assert_memory_equal(p.target, ll2, 16);
	assert_null(p.opts);

	struct ndp_repr rd = { .type = NDISC_REDIRECT };
	memcpy(rd.target, ll2, 16);
	memcpy(rd.dest, ll1, 16);
	n = ndp_emit(&rd, b, sizeof(b), ll1, ll2);
	assert_int_equal(n, 40);
	assert_int_equal(icmpv6_parse(b, (size_t)n, ll1, ll2, 0, &ic), WIRE_OK);
	assert_int_equal(ndp_parse(&ic, &p), WIRE_OK);
	assert_memory_equal(p.dest, ll1, 16);
	ic.data_len = 31; /* shorter than target + destination */
	assert_int_equal(ndp_parse(&ic, &p), WIRE_ETRUNC);

	struct ndp_repr rs = { .type = NDISC_ROUTER_SOLICITATION };
	n = ndp_emit(&rs, b, sizeof(b), ll1, ll2);
	assert_int_equal(n, 8);
	assert_int_equal(icmpv6_parse(b, (size_t)n, ll1, ll2, 0, &ic), WIRE_OK);
	assert_int_equal(ndp_parse(&ic, &p), WIRE_OK);
	assert_int_equal(p.type, NDISC_ROUTER_SOLICITATION);

	rs.opts_len = 4;
	rs.opts = b;
	assert_int_equal(ndp_emit(&rs, b, sizeof(b), ll1, ll2), WIRE_EBADOPT);
	rs.type = ICMPV6_ECHO_REQUEST;
	assert_int_equal(ndp_emit(&rs, b, sizeof(b), ll1, ll2), WIRE_EUNSUPP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_errors_roundtrip),
		cmocka_unit_test(test_ns_fixture),
		cmocka_unit_test(test_ndp_validation),
		cmocka_unit_test(test_ra_roundtrip),
		cmocka_unit_test(test_na_redirect_rs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
