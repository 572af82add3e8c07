/* test_wire_tcp.c - RFC 9293 TCP codec: a Linux SYN with its 20 option
 * bytes and checksum, option emitter byte layouts, malformed options (length
 * 0/1/past the end), MSS 0, WS 15, data offset rules, truncation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"
#include "wire/checksum.h"
#include "wire/tcp.h"

#define SRC4 0x0a000001
#define DST4 0x0a000002

/* 10.0.0.1:54321 -> 10.0.0.2:80 SYN, window 64240,
 * options MSS 1460, SACK_PERM, TS val 0x0a1b2c3d ecr 0, NOP, WS 7 */
static const uint8_t syn[] = {
	0xd4, 0x31, 0x00, 0x50, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00,
	0xa0, 0x02, 0xfa, 0xf0, 0xc5, 0x86, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
	0x04, 0x02, 0x08, 0x0a, 0x0a, 0x1b, 0x2c, 0x3d, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x03, 0x03, 0x07,
};

static void test_syn_fixture(void **state)
{
	(void)state;
	struct tcp_repr r;
	struct tcp_options o;
	assert_int_equal(tcp_parse_ipv4(syn, sizeof(syn), SRC4, DST4, 0, &r, &o), WIRE_OK);
	assert_int_equal(r.sport, 54321);
	assert_int_equal(r.dport, 80);
	assert_int_equal(r.seq, 0x12345678);
	assert_int_equal(r.ack_seq, 0);
	assert_int_equal(r.flags, TCP_FLAG_SYN);
	assert_int_equal(r.window, 64240);
	assert_int_equal(r.check, 0xc586);
	assert_int_equal(r.urg_ptr, 0);
	assert_int_equal(r.opts_len, 20);
	assert_int_equal(tcp_hdr_len(&r), 40);
	assert_int_equal(r.payload_len, 0);

	assert_true(o.mss_ok);
	assert_int_equal(o.mss, 1460);
	assert_true(o.sack_ok);
	assert_true(o.ts_ok);
	assert_int_equal(o.tsval, 0x0a1b2c3d);
	assert_int_equal(o.tsecr, 0);
	assert_true(o.ws_ok);
	assert_int_equal(o.ws, 7);
	assert_false(o.ws_clamped);
	assert_int_equal(o.num_sacks, 0);

	/* the emitter reproduces Linux's 20 option bytes exactly */
	uint8_t ob[40];
	assert_int_equal(tcp_options_emit(&o, ob, 19), WIRE_ETRUNC);
	assert_int_equal(tcp_options_emit(&o, ob, sizeof(ob)), 20);
	assert_memory_equal(ob, syn + 20, 20);

	/* and the whole segment, checksum included */
	uint8_t seg[40];
	struct tcp_repr e = r;
	e.opts = ob;
	assert_int_equal(tcp_emit_ipv4(&e, seg, 39, SRC4, DST4), WIRE_ETRUNC);
	assert_int_equal(tcp_emit_ipv4(&e, seg, sizeof(seg), SRC4, DST4), 40);
	assert_memory_equal(seg, syn, sizeof(syn));

	/* a flipped bit or a wrong address fails the checksum */
	assert_int_equal(tcp_parse_ipv4(syn, sizeof(syn), SRC4, DST4 + 1, 0, &r, NULL),
			 WIRE_EBADCSUM);
	assert_int_equal(tcp_parse_ipv4(syn, sizeof(syn), SRC4, DST4 + 1, TCP_PARSE_NO_CSUM,
					&r, NULL), WIRE_OK);
}

static void test_truncation(void **state)
{
	(void)state;
	for (size_t n = 0; n < sizeof(syn); n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, syn, n);
		struct tcp_repr r;
		struct tcp_options o;
		assert_int_equal(tcp_parse(b, n, &r, &o), n < 20 ? WIRE_ETRUNC : WIRE_EBADLEN);
		free(b);
	}
}

static void test_data_offset(void **state)
{
	(void)state;
	uint8_t b[sizeof(syn)];
	struct tcp_repr r;
	for (uint8_t doff = 0; doff < 5; doff++) {
		memcpy(b, syn, sizeof(b));
		b[12] = (uint8_t)(doff << 4);
		assert_int_equal(tcp_parse(b, sizeof(b), &r, NULL), WIRE_EBADLEN);
	}
	memcpy(b, syn, sizeof(b));
	b[12] = 0xb0; /* 44 > 40 */
	assert_int_equal(tcp_parse(b, sizeof(b), &r, NULL), WIRE_EBADLEN);
	b[12] = 0x50; /* options become payload */
	assert_int_equal(tcp_parse(b, sizeof(b), &r, NULL), WIRE_OK);
	assert_int_equal(r.opts_len, 0);
	assert_null(r.opts);
	assert_int_equal(r.payload_len, 20);
}

static int parse_opts(const uint8_t *o, size_t n, struct tcp_options *out)
{
	/* copy to an exact-size heap buffer so ASan catches over-reads */
	uint8_t *b = malloc(n ? n : 1);
	memcpy(b, o, n);
	int err = tcp_parse_options(b, n, out);
	free(b);
	return err;
}

static void test_malformed_options(void **state)
{
	(void)state;
	struct tcp_options o;
	static const uint8_t len0[] = { 0x02, 0x00, 0x05, 0xb4 };
	static const uint8_t len1[] = { 0x02, 0x01, 0x05, 0xb4 };
	static const uint8_t past[] = { 0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1 };
	static const uint8_t nolen[] = { 0x01, 0x01, 0x01, 0x02 };
	static const uint8_t unk_past[] = { 0xfe, 0x05, 0x00, 0x00 };
	static const uint8_t unk_len0[] = { 0x1e, 0x00, 0x01, 0x01 };
	assert_int_equal(parse_opts(len0, sizeof(len0), &o), WIRE_EBADOPT);
	assert_int_equal(parse_opts(len1, sizeof(len1), &o), WIRE_EBADOPT);
	assert_int_equal(parse_opts(past, sizeof(past), &o), WIRE_EBADOPT);
	assert_int_equal(parse_opts(nolen, sizeof(nolen), &o), WIRE_EBADOPT);
	assert_int_equal(parse_opts(unk_past, sizeof(unk_past), &o), WIRE_EBADOPT);
	assert_int_equal(parse_opts(unk_len0, sizeof(unk_len0), &o), WIRE_EBADOPT);

	/* inside a whole segment, tcp_parse reports it */
	uint8_t b[sizeof(syn)];
	memcpy(b, syn, sizeof(b));
	b[21] = 0; /* MSS length 0 */
	struct tcp_repr r;
	assert_int_equal(tcp_parse(b, sizeof(b), &r, &o), WIRE_EBADOPT);
	assert_int_equal(tcp_parse(b, sizeof(b), &r, NULL), WIRE_OK);

	/* every prefix of the SYN options either parses or fails cleanly */
	for (size_t n = 0; n <= 20; n++) {
		int err = parse_opts(syn + 20, n, &o);
		assert_true(err == WIRE_OK || err == WIRE_EBADOPT);
	}
}

static void test_option_values(void **state)
{
	(void)state;
	struct tcp_options o;
	static const uint8_t mss0[] = { 0x02, 0x04, 0x00, 0x00 };
	assert_int_equal(parse_opts(mss0, sizeof(mss0), &o), WIRE_OK);
	assert_false(o.mss_ok); /* MSS 0 is ignored */

	static const uint8_t ws15[] = { 0x01, 0x03, 0x03, 0x0f };
	assert_int_equal(parse_opts(ws15, sizeof(ws15), &o), WIRE_OK);
	assert_true(o.ws_ok);
	assert_int_equal(o.ws, 14); /* RFC 7323 2.3 */
	assert_true(o.ws_clamped);

	/* unknown option skipped by length; EOL stops parsing (garbage after) */
	static const uint8_t unk[] = { 0x1e, 0x06, 0xaa, 0xbb, 0xcc, 0xdd, 0x02, 0x04,
				       0x02, 0x18, 0x00, 0x02, 0x00, 0x00 };
	assert_int_equal(parse_opts(unk, sizeof(unk), &o), WIRE_OK);
	assert_true(o.mss_ok);
	assert_int_equal(o.mss, 536);

	/* wrong length for a known kind: ignored like Linux */
	static const uint8_t badmss[] = { 0x02, 0x03, 0x05, 0x01 };
	assert_int_equal(parse_opts(badmss, sizeof(badmss), &o), WIRE_OK);
	assert_false(o.mss_ok);

	/* SACK: 2+8n with n = 1..4, others ignored */
	uint8_t sack[36] = { 0x01, 0x01, 0x05, 0x22 };
	for (int k = 0; k < 4; k++) {
		put_be32(sack + 4 + 8 * k, 1000u * (uint32_t)k);
		put_be32(sack + 8 + 8 * k, 1000u * (uint32_t)k + 500);
	}
	assert_int_equal(parse_opts(sack, sizeof(sack), &o), WIRE_OK);
	assert_int_equal(o.num_sacks, 4);
	assert_int_equal(o.sacks[3].start, 3000);
	assert_int_equal(o.sacks[3].end, 3500);
	sack[3] = 0x0b; /* 11: not 2+8n */
	assert_int_equal(parse_opts(sack, sizeof(sack), &o), WIRE_OK);
	assert_int_equal(o.num_sacks, 0);
}

static void test_options_emit_forms(void **state)
{
	(void)state;
	uint8_t b[40];
	struct tcp_options o;

	/* established: NOP NOP TS */
	memset(&o, 0, sizeof(o));
	o.ts_ok = true;
	o.tsval = 0x01020304;
	o.tsecr = 0x05060708;
	static const uint8_t est[] = { 1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8 };
	assert_int_equal(tcp_options_emit(&o, b, sizeof(b)), 12);
	assert_memory_equal(b, est, sizeof(est));

	/* + SACK blocks: NOP NOP SACK */
	o.num_sacks = 2;
	o.sacks[0] = (struct tcp_sack_block){ 100, 200 };
	o.sacks[1] = (struct tcp_sack_block){ 300, 400 };
	assert_int_equal(tcp_options_emit(&o, b, sizeof(b)), 32);
	static const uint8_t sk[] = { 1, 1, 5, 18, 0, 0, 0, 100, 0, 0, 0, 200 };
	assert_memory_equal(b + 12, sk, sizeof(sk));
	struct tcp_options p;
	assert_int_equal(tcp_parse_options(b, 32, &p), WIRE_OK);
	assert_memory_equal(&o, &p, sizeof(o));

	/* SYN without timestamps: MSS NOP NOP SACKOK NOP WS */
	memset(&o, 0, sizeof(o));
	o.mss_ok = o.sack_ok = o.ws_ok = true;
	o.mss = 1460;
	o.ws = 10;
	static const uint8_t nots[] = { 2, 4, 5, 0xb4, 1, 1, 4, 2, 1, 3, 3, 10 };
	assert_int_equal(tcp_options_emit(&o, b, sizeof(b)), 12);
	assert_memory_equal(b, nots, sizeof(nots));
	assert_int_equal(tcp_parse_options(b, 12, &p), WIRE_OK);
	assert_memory_equal(&o, &p, sizeof(o));

	/* limits */
	o.ws = 15;
	assert_int_equal(tcp_options_emit(&o, b, sizeof(b)), WIRE_EBADOPT);
	memset(&o, 0, sizeof(o));
	o.ts_ok = true;
	o.num_sacks = 4; /* 12 + 36 > 40 */
	assert_int_equal(tcp_options_emit(&o, b, sizeof(b)), WIRE_EBADOPT);
	o.num_sacks = 3; /* 12 + 28 = 40 */
	assert_int_equal(tcp_options_emit(&o, b, sizeof(b)), 40);
	o.num_sacks = 5;
	assert_int_equal(tcp_options_emit(&o, b, sizeof(b)), WIRE_EBADOPT);
	memset(&o, 0, sizeof(o));
	assert_int_equal(tcp_options_emit(&o, b, 0), 0);
}

/* The NOP NOP TS shortcut (Linux's tcp_fast_parse_options) answers as the
 * general walk does for the same option in another layout; a near miss
 * (wrong length octet) still takes the walk and is refused. */
static void test_timestamp_fast_form(void **state)
{
	const uint8_t fast[12] = { 1, 1, 8, 10, 0, 0, 1, 2, 0xa0, 0xb0, 0xc0, 0xd0 };
	const uint8_t other[12] = { 8, 10, 0, 0, 1, 2, 0xa0, 0xb0, 0xc0, 0xd0, 1, 0 };
	const uint8_t bad[12] = { 1, 1, 8, 11, 0, 0, 1, 2, 0xa0, 0xb0, 0xc0, 0xd0 };
	struct tcp_options a, b;

	(void)state;
	memset(&a, 0x5a, sizeof(a));
	assert_int_equal(tcp_parse_options(fast, sizeof(fast), &a), WIRE_OK);
	assert_int_equal(tcp_parse_options(other, sizeof(other), &b), WIRE_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_true(a.ts_ok);
	assert_int_equal(a.tsval, 0x102);
	assert_int_equal(a.tsecr, 0xa0b0c0d0);
	assert_int_equal(tcp_parse_options(bad, sizeof(bad), &a), WIRE_EBADOPT);
}

static void test_ipv6_roundtrip_with_payload(void **state)
{
	(void)state;
	static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	uint8_t opts[12];
	struct tcp_options o = { .ts_ok = true, .tsval = 77, .tsecr = 66 };
	assert_int_equal(tcp_options_emit(&o, opts, sizeof(opts)), 12);
	struct tcp_repr r = {
		.sport = 443, .dport = 50000, .seq = 0xfffffff0, .ack_seq = 42,
		.flags = TCP_FLAG_ACK | TCP_FLAG_PSH | TCP_FLAG_ECE | TCP_FLAG_CWR,
		.window = 512, .urg_ptr = 0, .opts = opts, .opts_len = 12,
		.payload = (const uint8_t *)"GET / HTTP/1.0\r\n\r\n", .payload_len = 18,
	};
	uint8_t b[64];
	int n = tcp_emit_ipv6(&r, b, sizeof(b), s6, d6);
	assert_int_equal(n, 50);
	struct tcp_repr p;
	struct tcp_options po;
	assert_int_equal(tcp_parse_ipv6(b, (size_t)n, s6, d6, 0, &p, &po), WIRE_OK);
	assert_int_equal(p.sport, r.sport);
	assert_int_equal(p.dport, r.dport);
	assert_int_equal(p.seq, r.seq);
	assert_int_equal(p.ack_seq, r.ack_seq);
	assert_int_equal(p.flags, r.flags);
	assert_int_equal(p.window, r.window);
	assert_int_equal(p.opts_len, 12);
	assert_memory_equal(p.opts, opts, 12);
	assert_int_equal(p.payload_len, 18);
	assert_memory_equal(p.payload, r.payload, 18);
	assert_true(po.ts_ok);
	assert_int_equal(po.tsval, 77);
	assert_int_equal(tcp_parse_ipv6(b, (size_t)n, d6, d6, 0, &p, NULL), WIRE_EBADCSUM);

	r.opts_len = 10;
	assert_int_equal(tcp_emit_ipv6(&r, b, sizeof(b), s6, d6), WIRE_EBADLEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_fixture),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_data_offset),
		cmocka_unit_test(test_malformed_options),
		cmocka_unit_test(test_option_values),
		cmocka_unit_test(test_options_emit_forms),
		cmocka_unit_test(test_timestamp_fast_form),
		cmocka_unit_test(test_ipv6_roundtrip_with_payload),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
