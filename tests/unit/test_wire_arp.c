/* test_wire_arp.c - RFC 826 ARP codec: a captured request, round trips,
 * truncation at every length, unsupported shapes and bad ops. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "wire/arp.h"
#include "wire/eth.h"

/* Broadcast "who has 192.168.1.1? tell 192.168.1.10", padded to 60 bytes. */
static const uint8_t arp_req_frame[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x0c, 0x29, 0x3e, 0x5c, 0x4b,
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x00, 0x0c,
	0x29, 0x3e, 0x5c, 0x4b, 0xc0, 0xa8, 0x01, 0x0a, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xc0, 0xa8, 0x01, 0x01,
};

static void test_arp_fixture(void **state)
{
	(void)state;
	struct eth_repr e;
	struct arp_repr a;
	assert_int_equal(eth_parse(arp_req_frame, sizeof(arp_req_frame), &e), WIRE_OK);
	assert_true(is_broadcast_ether_addr(e.dst));
	assert_int_equal(e.proto, ETH_P_ARP);
	assert_int_equal(arp_parse(arp_req_frame + ETH_HLEN, sizeof(arp_req_frame) - ETH_HLEN, &a),
			 WIRE_OK);
	assert_int_equal(a.op, ARPOP_REQUEST);
	static const uint8_t sha[6] = { 0x00, 0x0c, 0x29, 0x3e, 0x5c, 0x4b };
	static const uint8_t zero[6] = { 0 };
	assert_memory_equal(a.sha, sha, 6);
	assert_memory_equal(a.tha, zero, 6);
	assert_int_equal(a.spa, 0xc0a8010a);
	assert_int_equal(a.tpa, 0xc0a80101);

	/* emit the same repr: identical bytes */
	uint8_t out[ARP_HLEN];
	assert_int_equal(arp_emit(&a, out, sizeof(out)), ARP_HLEN);
	assert_memory_equal(out, arp_req_frame + ETH_HLEN, ARP_HLEN);
}

static void test_arp_roundtrip(void **state)
{
	(void)state;
	struct arp_repr r = { .op = ARPOP_REPLY, .sha = { 2, 0, 0, 0, 0, 2 }, .spa = 0x0a000002,
			      .tha = { 2, 0, 0, 0, 0, 1 }, .tpa = 0x0a000001 }, p;
	uint8_t b[ARP_HLEN];
	assert_int_equal(arp_emit(&r, b, ARP_HLEN - 1), WIRE_ETRUNC);
	assert_int_equal(arp_emit(&r, b, ARP_HLEN), ARP_HLEN);
	assert_int_equal(arp_parse(b, ARP_HLEN, &p), WIRE_OK);
	assert_int_equal(p.op, r.op);
	assert_memory_equal(p.sha, r.sha, 6);
	assert_memory_equal(p.tha, r.tha, 6);
	assert_int_equal(p.spa, r.spa);
	assert_int_equal(p.tpa, r.tpa);
	r.op = 3;
	assert_int_equal(arp_emit(&r, b, ARP_HLEN), WIRE_EBADVAL);
}

static void test_arp_truncation(void **state)
{
	(void)state;
	const uint8_t *arp = arp_req_frame + ETH_HLEN;
	for (size_t n = 0; n < ARP_HLEN; n++) {
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, arp, n);
		struct arp_repr a;
		assert_int_equal(arp_parse(b, n, &a), WIRE_ETRUNC);
		free(b);
	}
}

static void test_arp_unsupported(void **state)
{
	(void)state;
	uint8_t b[ARP_HLEN];
	struct arp_repr a;
	static const size_t offs[] = { 1, 3, 4, 5 }; /* hrd, pro, hln, pln */
	for (size_t i = 0; i < 4; i++) {
		memcpy(b, arp_req_frame + ETH_HLEN, ARP_HLEN);
		b[offs[i]] ^= 0x20;
		assert_int_equal(arp_parse(b, ARP_HLEN, &a), WIRE_EUNSUPP);
	}
	memcpy(b, arp_req_frame + ETH_HLEN, ARP_HLEN);
	b[7] = 9; /* op 9 */
	assert_int_equal(arp_parse(b, ARP_HLEN, &a), WIRE_EBADVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_fixture),
		cmocka_unit_test(test_arp_roundtrip),
		cmocka_unit_test(test_arp_truncation),
		cmocka_unit_test(test_arp_unsupported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
